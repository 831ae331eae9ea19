//! COOKIE ECHO (RFC 9260 section 3.3.11).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 10   |Chunk  Flags   |         Length                |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                     Cookie                                    /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

use super::ChunkValue;
use crate::wire::error::Malformed;

/// COOKIE ECHO: returns the State Cookie of an INIT ACK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CookieEcho<'a> {
    /// The cookie, exactly as received in the State Cookie parameter.
    pub cookie: &'a [u8],
}

impl<'a> ChunkValue<'a> for CookieEcho<'a> {
    const TYPE: u8 = 10;

    fn parse_value(_flags: u8, v: &'a [u8]) -> Result<Self, Malformed> {
        // An empty cookie is well-formed on the wire; it fails validation later.
        Ok(Self { cookie: v })
    }

    fn value_len(&self) -> usize {
        self.cookie.len()
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf.copy_from_slice(self.cookie);
    }
}

impl fmt::Display for CookieEcho<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "COOKIE_ECHO ({} bytes)", self.cookie.len())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::test_util::round_trip;
    use super::*;

    #[test]
    fn rfc9260_3_3_11_cookie_echo_from_capture() {
        // Wireshark: COOKIE_ECHO chunk (Cookie length: 13 bytes), flags 0x00, length 17
        //   Cookie: c00c1e0001020304050607080a
        //   Chunk padding: 000000
        let bytes = [
            0x0a, 0x00, 0x00, 0x11, 0xc0, 0x0c, 0x1e, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x07, 0x08, 0x0a, 0x00, 0x00, 0x00,
        ];
        assert_eq!(
            round_trip(&bytes),
            Chunk::CookieEcho(CookieEcho {
                cookie: &bytes[4..17]
            })
        );
    }

    #[test]
    fn rfc9260_3_3_11_cookie_echo_empty_and_lengths() {
        let c = CookieEcho::parse_value(0, &[]).unwrap();
        assert_eq!(c.cookie, &[]);
        assert_eq!(c.chunk_len(), 4);
        let c = CookieEcho { cookie: &[7; 5] };
        assert_eq!(c.chunk_len(), 12);
        let mut out = [0xffu8; 12];
        assert_eq!(c.emit(&mut out), Ok(12));
        assert_eq!(out, [10, 0, 0, 9, 7, 7, 7, 7, 7, 0, 0, 0]);
        assert!(c.emit(&mut [0u8; 11]).is_err());
        assert_eq!(c.to_string(), "COOKIE_ECHO (5 bytes)");
    }
}
