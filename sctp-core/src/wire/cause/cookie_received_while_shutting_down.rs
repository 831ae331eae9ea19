//! Cookie Received While Shutting Down error cause (RFC 9260 section 3.3.10.10).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 10           |     Cause Length = 4          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The RFC defines no cause information; any that arrives is ignored (so that
//! cause is not re-emitted byte for byte).

crate::wire::param::empty_tlv! {
    /// A COOKIE ECHO arrived while the association was shutting down.
    pub struct CookieReceivedWhileShuttingDown;
    TYPE = 0x000a, "Cookie Received While Shutting Down";
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc9260_3_3_10_10_cookie_received_while_shutting_down_round_trip() {
        // Wireshark: Cookie received while shutting down (10), cause length 4.
        let bytes = [0x00, 0x0a, 0x00, 0x04];
        assert_eq!(
            round_trip(&bytes),
            Cause::CookieReceivedWhileShuttingDown(CookieReceivedWhileShuttingDown)
        );
    }

    #[test]
    fn rfc9260_3_3_10_10_cookie_received_while_shutting_down_stray_value() {
        assert_eq!(
            CookieReceivedWhileShuttingDown::parse_value(&[1, 2, 3]),
            Ok(CookieReceivedWhileShuttingDown)
        );
        assert_eq!(CookieReceivedWhileShuttingDown.tlv_len(), 4);
        assert_eq!(
            Cause::from(CookieReceivedWhileShuttingDown).to_string(),
            "Cookie Received While Shutting Down"
        );
    }
}
