//! User-Initiated Abort error cause (RFC 9260 section 3.3.10.12).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 12           |      Cause Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                    Upper Layer Abort Reason                   /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

crate::wire::param::bytes_tlv! {
    /// The upper layer aborted the association, optionally saying why.
    pub struct UserInitiatedAbort<'a> {
        /// Upper Layer Abort Reason, opaque to SCTP.
        pub reason: &'a [u8],
    }
    TYPE = 12;
}

impl<'a> UserInitiatedAbort<'a> {
    /// The reason as text without trailing nulls, if it is UTF-8.
    pub fn text(&self) -> Option<&'a str> {
        crate::wire::param::text_without_nulls(self.reason)
    }
}

impl fmt::Display for UserInitiatedAbort<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.text() {
            Some("") => f.write_str("User-Initiated Abort"),
            Some(text) => write!(f, "User-Initiated Abort ({text:?})"),
            None => write!(f, "User-Initiated Abort ({} bytes)", self.reason.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc9260_3_3_10_12_user_initiated_abort_round_trip() {
        // Wireshark: User initiated ABORT (12), cause length 13, Reason:
        // "shutdown" (null-terminated), padding 000000.
        let bytes = [
            0x00, 0x0c, 0x00, 0x0d, 0x73, 0x68, 0x75, 0x74, 0x64, 0x6f, 0x77, 0x6e, 0x00, 0x00,
            0x00, 0x00,
        ];
        let c = round_trip(&bytes);
        assert_eq!(c.to_string(), "User-Initiated Abort (\"shutdown\")");
        let Cause::UserInitiatedAbort(c) = c else {
            panic!("expected User-Initiated Abort")
        };
        assert_eq!(c.reason.len(), 9);
    }

    #[test]
    fn rfc9260_3_3_10_12_user_initiated_abort_empty_and_binary() {
        let c = UserInitiatedAbort::parse_value(&[]).unwrap();
        assert_eq!(c.tlv_len(), 4);
        assert_eq!(c.to_string(), "User-Initiated Abort");
        let c = UserInitiatedAbort::parse_value(&[0xff, 0xfe]).unwrap();
        assert_eq!(c.text(), None);
        assert_eq!(c.to_string(), "User-Initiated Abort (2 bytes)");
    }
}
