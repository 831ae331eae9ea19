//! SHUTDOWN (RFC 9260 section 3.3.8).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 7    | Chunk  Flags  |      Length = 8               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                      Cumulative TSN Ack                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

use super::{ChunkValue, be32, check_exact};
use crate::Tsn;
use crate::wire::error::Malformed;

/// SHUTDOWN: starts a graceful close, acknowledging DATA up to a TSN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shutdown {
    /// Cumulative TSN Ack: the last TSN received in sequence.
    pub cumulative_tsn_ack: Tsn,
}

impl ChunkValue<'_> for Shutdown {
    const TYPE: u8 = 7;

    fn parse_value(_flags: u8, v: &[u8]) -> Result<Self, Malformed> {
        check_exact(v, 4, "SHUTDOWN length")?;
        Ok(Self {
            cumulative_tsn_ack: Tsn(be32(v, 0)),
        })
    }

    fn value_len(&self) -> usize {
        4
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.cumulative_tsn_ack.0.to_be_bytes());
    }
}

impl fmt::Display for Shutdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SHUTDOWN cum_ack {}", self.cumulative_tsn_ack)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::test_util::round_trip;
    use super::*;

    #[test]
    fn rfc9260_3_3_8_shutdown_from_capture() {
        // Wireshark: SHUTDOWN chunk (Cumulative TSN ack: 3735928559), flags 0x00, length 8
        let bytes = [0x07, 0x00, 0x00, 0x08, 0xde, 0xad, 0xbe, 0xef];
        assert_eq!(
            round_trip(&bytes),
            Chunk::Shutdown(Shutdown {
                cumulative_tsn_ack: Tsn(0xdead_beef)
            })
        );
    }

    #[test]
    fn rfc9260_3_3_8_shutdown_length_is_exact() {
        assert_eq!(
            Shutdown::parse_value(0, &[1, 2, 3]),
            Err(Malformed::TooShort { needed: 4, got: 3 })
        );
        assert_eq!(
            Shutdown::parse_value(0, &[0; 8]),
            Err(Malformed::Invalid {
                field: "SHUTDOWN length"
            })
        );
    }
}
