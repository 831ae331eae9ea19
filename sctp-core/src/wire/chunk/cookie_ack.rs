//! COOKIE ACK (RFC 9260 section 3.3.12).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 11   |Chunk  Flags   |     Length = 4                |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

use super::ChunkValue;
use crate::wire::error::Malformed;

/// COOKIE ACK: acknowledges a COOKIE ECHO and completes set-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CookieAck;

impl ChunkValue<'_> for CookieAck {
    const TYPE: u8 = 11;

    fn parse_value(_flags: u8, _value: &[u8]) -> Result<Self, Malformed> {
        // Any value is ignored: the chunk carries none (RFC 9260 section 3.3.12).
        Ok(Self)
    }

    fn value_len(&self) -> usize {
        0
    }

    fn emit_value(&self, _buf: &mut [u8]) {}
}

impl fmt::Display for CookieAck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("COOKIE_ACK")
    }
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::test_util::round_trip;

    #[test]
    fn rfc9260_3_3_12_cookie_ack_round_trip() {
        // From a usrsctp capture: "COOKIE_ACK chunk, type 11, flags 0x00, length 4".
        assert_eq!(
            round_trip(&[0x0b, 0x00, 0x00, 0x04]),
            Chunk::CookieAck(super::CookieAck)
        );
    }
}
