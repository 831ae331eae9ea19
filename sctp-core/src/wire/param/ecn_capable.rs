//! ECN Capable parameter (RFC 9260 appendix A), sent in INIT and INIT ACK.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Type = 0x8000          |          Length = 4           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The RFC defines no value; one that arrives anyway is ignored (so that
//! parameter is not re-emitted byte for byte).

empty_tlv! {
    /// The sender supports Explicit Congestion Notification.
    pub struct EcnCapable;
    TYPE = 0x8000, "ECN Capable";
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc9260_a_ecn_capable_round_trip() {
        // Wireshark: ECN parameter, type 0x8000, length 4.
        let bytes = [0x80, 0x00, 0x00, 0x04];
        assert_eq!(round_trip(&bytes), Param::EcnCapable(EcnCapable));
    }

    #[test]
    fn rfc9260_a_ecn_capable_with_stray_value() {
        assert_eq!(EcnCapable::parse_value(&[1, 2, 3, 4]), Ok(EcnCapable));
        assert_eq!(EcnCapable.tlv_len(), 4);
    }
}
