//! Cookie Preservative parameter (RFC 9260 section 3.3.2.1), sent in INIT to
//! ask for a longer cookie lifespan after a Stale Cookie error.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Type = 9             |          Length = 8           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Suggested Cookie Life-Span Increment (msec.)          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Bytes after the 4-byte field are ignored and not re-emitted.

use core::fmt;

use crate::wire::error::Malformed;
use crate::wire::tlv::TlvValue;

/// A request to lengthen the lifespan of the next state cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CookiePreservative {
    /// Suggested Cookie Life-Span Increment, in milliseconds.
    pub suggested_lifespan_increment_ms: u32,
}

impl TlvValue<'_> for CookiePreservative {
    const TYPE: u16 = 9;

    fn parse_value(v: &[u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, 4)?;
        Ok(Self {
            suggested_lifespan_increment_ms: super::read_u32(v, 0),
        })
    }

    fn value_len(&self) -> usize {
        4
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.suggested_lifespan_increment_ms.to_be_bytes());
    }
}

impl fmt::Display for CookiePreservative {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Cookie Preservative (+{} ms)",
            self.suggested_lifespan_increment_ms
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc9260_3_3_2_1_cookie_preservative_round_trip() {
        // Wireshark: Cookie preservative parameter (Suggested Cookie life-span increment:
        // 2000 msec), type 9, length 8.
        let bytes = [0x00, 0x09, 0x00, 0x08, 0x00, 0x00, 0x07, 0xd0];
        assert_eq!(
            round_trip(&bytes),
            Param::CookiePreservative(CookiePreservative {
                suggested_lifespan_increment_ms: 2000
            })
        );
    }

    #[test]
    fn rfc9260_3_3_2_1_cookie_preservative_short() {
        assert_eq!(
            CookiePreservative::parse_value(&[0, 0, 7]),
            Err(Malformed::TooShort { needed: 4, got: 3 })
        );
    }
}
