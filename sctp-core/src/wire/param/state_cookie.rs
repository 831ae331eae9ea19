//! State Cookie parameter (RFC 9260 section 3.3.3.1), carried by INIT ACK and
//! echoed back in COOKIE ECHO.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Type = 7            |          Length               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                            Cookie                             \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

// The content is the creator's business (RFC 9260 section 5.1.3).
bytes_tlv! {
    /// The state cookie, opaque to everyone but its creator.
    pub struct StateCookie<'a> {
        /// The cookie bytes.
        pub cookie: &'a [u8],
    }
    TYPE = 7;
}

impl fmt::Display for StateCookie<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "State Cookie ({} bytes)", self.cookie.len())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc9260_3_3_3_1_state_cookie_round_trip() {
        // Wireshark: State cookie parameter (Cookie length: 13 bytes), type 7, length 17,
        // padding: 000000.
        let bytes = [
            0x00, 0x07, 0x00, 0x11, 0x4b, 0x41, 0x4d, 0x45, 0x2d, 0x42, 0x53, 0x44, 0x20, 0x31,
            0x2e, 0x31, 0x00, 0x00, 0x00, 0x00,
        ];
        let Param::StateCookie(c) = round_trip(&bytes) else {
            panic!("expected State Cookie")
        };
        assert_eq!(c.cookie, b"KAME-BSD 1.1\0");
        assert_eq!(c.tlv_len(), 20);
    }

    #[test]
    fn rfc9260_3_3_3_1_state_cookie_empty() {
        let c = StateCookie::parse_value(&[]).unwrap();
        assert!(c.cookie.is_empty());
        assert_eq!(c.to_string(), "State Cookie (0 bytes)");
    }
}
