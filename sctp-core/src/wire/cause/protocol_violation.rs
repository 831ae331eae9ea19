//! Protocol Violation error cause (RFC 9260 section 3.3.10.13).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 13           |      Cause Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                     Additional Information                    /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

crate::wire::param::bytes_tlv! {
    /// The sender detected a protocol violation the other causes do not cover.
    pub struct ProtocolViolation<'a> {
        /// Additional Information, free-form.
        pub info: &'a [u8],
    }
    TYPE = 13;
}

impl<'a> ProtocolViolation<'a> {
    /// The info as text without trailing nulls, if it is UTF-8.
    pub fn text(&self) -> Option<&'a str> {
        crate::wire::param::text_without_nulls(self.info)
    }
}

impl fmt::Display for ProtocolViolation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.text() {
            Some("") => f.write_str("Protocol Violation"),
            Some(text) => write!(f, "Protocol Violation ({text:?})"),
            None => write!(f, "Protocol Violation ({} bytes)", self.info.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc9260_3_3_10_13_protocol_violation_round_trip() {
        // Wireshark: Protocol violation (13), cause length 12, Additional information:
        // "bad tsn" (null-terminated).
        let bytes = [
            0x00, 0x0d, 0x00, 0x0c, 0x62, 0x61, 0x64, 0x20, 0x74, 0x73, 0x6e, 0x00,
        ];
        let c = round_trip(&bytes);
        assert_eq!(c.to_string(), "Protocol Violation (\"bad tsn\")");
        let Cause::ProtocolViolation(c) = c else {
            panic!("expected Protocol Violation")
        };
        assert_eq!(c.info.len(), 8);
    }

    #[test]
    fn rfc9260_3_3_10_13_protocol_violation_empty_and_binary() {
        let c = ProtocolViolation::parse_value(&[]).unwrap();
        assert_eq!(c.tlv_len(), 4);
        assert_eq!(c.to_string(), "Protocol Violation");
        let c = ProtocolViolation::parse_value(&[0xff, 0xfe]).unwrap();
        assert_eq!(c.text(), None);
        assert_eq!(c.to_string(), "Protocol Violation (2 bytes)");
    }
}
