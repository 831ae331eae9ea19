//! AUTH (RFC 4895 section 4.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Type = 0x0F   |   Flags=0     |             Length            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Shared Key Identifier     |   HMAC Identifier             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! \                             HMAC                              /
//! /                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Whether the HMAC length fits the HMAC Identifier is for the
//! authentication code to check (RFC 4895 section 6.3).

use core::fmt;

use super::{ChunkValue, be16};
use crate::wire::error::Malformed;

/// AUTH: authenticates the chunks that follow it in the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Auth<'a> {
    /// Shared Key Identifier: which endpoint-pair shared key was used.
    pub shared_key_id: u16,
    /// HMAC Identifier: the HMAC algorithm (1 = SHA-1, 3 = SHA-256).
    pub hmac_id: u16,
    /// The HMAC itself.
    pub hmac: &'a [u8],
}

impl Auth<'_> {
    /// Bytes of the fixed fields after the chunk header.
    pub const HEADER_LEN: usize = 4;
}

impl<'a> ChunkValue<'a> for Auth<'a> {
    const TYPE: u8 = 0x0f;

    fn parse_value(_flags: u8, v: &'a [u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, Self::HEADER_LEN)?;
        Ok(Self {
            shared_key_id: be16(v, 0),
            hmac_id: be16(v, 2),
            hmac: &v[Self::HEADER_LEN..],
        })
    }

    fn value_len(&self) -> usize {
        Self::HEADER_LEN + self.hmac.len()
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf[0..2].copy_from_slice(&self.shared_key_id.to_be_bytes());
        buf[2..4].copy_from_slice(&self.hmac_id.to_be_bytes());
        buf[4..].copy_from_slice(self.hmac);
    }
}

impl fmt::Display for Auth<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AUTH key {} hmac_id {} ({} bytes)",
            self.shared_key_id,
            self.hmac_id,
            self.hmac.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::test_util::round_trip;
    use super::*;

    #[test]
    fn rfc4895_4_1_auth_from_capture() {
        // Wireshark: AUTH chunk, flags 0x00, length 28
        //   Shared key identifier: 0, HMAC identifier: SHA-1 (1)
        //   HMAC: 9b6c1a0e4f2d83a75c16e0b34a9f02d1c8e57b60
        let bytes = [
            0x0f, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x01, 0x9b, 0x6c, 0x1a, 0x0e, 0x4f, 0x2d,
            0x83, 0xa7, 0x5c, 0x16, 0xe0, 0xb3, 0x4a, 0x9f, 0x02, 0xd1, 0xc8, 0xe5, 0x7b, 0x60,
        ];
        let Chunk::Auth(auth) = round_trip(&bytes) else {
            panic!("expected AUTH")
        };
        assert_eq!((auth.shared_key_id, auth.hmac_id), (0, 1));
        assert_eq!(auth.hmac, &bytes[8..]);
        assert_eq!(auth.to_string(), "AUTH key 0 hmac_id 1 (20 bytes)");
    }

    #[test]
    fn rfc4895_4_1_auth_short_value() {
        assert_eq!(
            Auth::parse_value(0, &[0, 1, 0]),
            Err(Malformed::TooShort { needed: 4, got: 3 })
        );
        let a = Auth::parse_value(0, &[0, 1, 0, 3]).unwrap();
        assert_eq!((a.shared_key_id, a.hmac_id, a.hmac), (1, 3, &[][..]));
    }
}
