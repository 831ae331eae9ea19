//! Unsupported HMAC Identifier error cause (RFC 4895 section 4.1), sent when
//! an AUTH chunk names an HMAC algorithm the receiver does not support
//! (section 6.3).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 261          |       Cause Length = 6        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         HMAC Identifier       |            Padding            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The padding lies outside the Cause Length, as for any TLV. Bytes after the
//! identifier inside the length are ignored and not re-emitted.

use core::fmt;

use crate::wire::error::Malformed;
use crate::wire::param::read_u16;
use crate::wire::tlv::TlvValue;

/// An AUTH chunk used an HMAC identifier the receiver does not support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnsupportedHmacIdentifier {
    /// The unsupported HMAC Identifier.
    pub hmac_id: u16,
}

impl TlvValue<'_> for UnsupportedHmacIdentifier {
    const TYPE: u16 = 0x0105;

    fn parse_value(v: &[u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, 2)?;
        Ok(Self {
            hmac_id: read_u16(v, 0),
        })
    }

    fn value_len(&self) -> usize {
        2
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.hmac_id.to_be_bytes());
    }
}

impl fmt::Display for UnsupportedHmacIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Unsupported HMAC Identifier ({})", self.hmac_id)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc4895_4_1_unsupported_hmac_identifier_round_trip() {
        // Wireshark: Unsupported HMAC identifier (261), cause length 6, HMAC identifier: 2,
        // padding 0000.
        let bytes = [0x01, 0x05, 0x00, 0x06, 0x00, 0x02, 0x00, 0x00];
        assert_eq!(
            round_trip(&bytes),
            Cause::UnsupportedHmacIdentifier(UnsupportedHmacIdentifier { hmac_id: 2 })
        );
        assert_eq!(UnsupportedHmacIdentifier { hmac_id: 2 }.tlv_len(), 8);
    }

    #[test]
    fn rfc4895_4_1_unsupported_hmac_identifier_short() {
        assert_eq!(
            UnsupportedHmacIdentifier::parse_value(&[5]),
            Err(Malformed::TooShort { needed: 2, got: 1 })
        );
    }
}
