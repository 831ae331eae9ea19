//! Forward-TSN-Supported parameter (RFC 3758 section 3.1), sent in INIT and
//! INIT ACK by endpoints that implement partial reliability.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Parameter Type = 49152     |  Parameter Length = 4         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The RFC defines no value; one that arrives anyway is ignored (so that
//! parameter is not re-emitted byte for byte).

empty_tlv! {
    /// The sender supports FORWARD TSN (PR-SCTP).
    pub struct ForwardTsnSupported;
    TYPE = 0xc000, "Forward-TSN-Supported";
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc3758_3_1_forward_tsn_supported_round_trip() {
        // Wireshark: Forward TSN supported parameter, type 0xc000, length 4.
        let bytes = [0xc0, 0x00, 0x00, 0x04];
        assert_eq!(
            round_trip(&bytes),
            Param::ForwardTsnSupported(ForwardTsnSupported)
        );
    }

    #[test]
    fn rfc3758_3_1_forward_tsn_supported_stray_value() {
        assert_eq!(
            ForwardTsnSupported::parse_value(&[9]),
            Ok(ForwardTsnSupported)
        );
        assert_eq!(ForwardTsnSupported.to_string(), "Forward-TSN-Supported");
    }
}
