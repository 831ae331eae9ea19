//! SHUTDOWN ACK (RFC 9260 section 3.3.9).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 8    | Chunk  Flags  |      Length = 4               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

use super::ChunkValue;
use crate::wire::error::Malformed;

/// SHUTDOWN ACK: acknowledges a SHUTDOWN once all data is acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ShutdownAck;

impl ChunkValue<'_> for ShutdownAck {
    const TYPE: u8 = 8;

    fn parse_value(_flags: u8, _value: &[u8]) -> Result<Self, Malformed> {
        // Like COOKIE ACK, any value is ignored: the chunk carries none.
        Ok(Self)
    }

    fn value_len(&self) -> usize {
        0
    }

    fn emit_value(&self, _buf: &mut [u8]) {}
}

impl fmt::Display for ShutdownAck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SHUTDOWN_ACK")
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::round_trip;
    use super::super::{Chunk, ChunkValue};
    use super::*;

    #[test]
    fn rfc9260_3_3_9_shutdown_ack_round_trip() {
        // Wireshark: SHUTDOWN_ACK chunk, type 8, flags 0x00, length 4
        assert_eq!(
            round_trip(&[0x08, 0x00, 0x00, 0x04]),
            Chunk::ShutdownAck(ShutdownAck)
        );
        assert_eq!(ShutdownAck.to_string(), "SHUTDOWN_ACK");
    }

    #[test]
    fn rfc9260_3_3_9_shutdown_ack_ignores_value_and_flags() {
        assert_eq!(ShutdownAck::parse_value(0xff, &[1, 2, 3]), Ok(ShutdownAck));
        assert_eq!(ShutdownAck.chunk_len(), 4);
    }
}
