//! SHUTDOWN COMPLETE (RFC 9260 section 3.3.15).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 14   |  Reserved   |T|        Length = 4             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

use super::ChunkValue;
use super::abort::T_BIT;
use crate::wire::error::Malformed;

/// SHUTDOWN COMPLETE: ends a graceful close.
///
/// Reserved flag bits are not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ShutdownComplete {
    /// T bit: the verification tag is reflected (RFC 9260 section 8.5.1).
    pub t_bit: bool,
}

impl ChunkValue<'_> for ShutdownComplete {
    const TYPE: u8 = 14;

    fn parse_value(flags: u8, _value: &[u8]) -> Result<Self, Malformed> {
        // Like COOKIE ACK, any value is ignored: the chunk carries none.
        Ok(Self {
            t_bit: flags & T_BIT != 0,
        })
    }

    fn flags(&self) -> u8 {
        if self.t_bit { T_BIT } else { 0 }
    }

    fn value_len(&self) -> usize {
        0
    }

    fn emit_value(&self, _buf: &mut [u8]) {}
}

impl fmt::Display for ShutdownComplete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SHUTDOWN_COMPLETE")?;
        if self.t_bit {
            f.write_str("[T]")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::test_util::round_trip;
    use super::*;

    #[test]
    fn rfc9260_3_3_15_shutdown_complete_round_trip() {
        // Wireshark: SHUTDOWN_COMPLETE chunk, flags 0x00 (T bit not set), length 4
        assert_eq!(
            round_trip(&[0x0e, 0x00, 0x00, 0x04]),
            Chunk::ShutdownComplete(ShutdownComplete { t_bit: false })
        );
        // Wireshark: SHUTDOWN_COMPLETE chunk, flags 0x01 (T bit set), length 4
        assert_eq!(
            round_trip(&[0x0e, 0x01, 0x00, 0x04]),
            Chunk::ShutdownComplete(ShutdownComplete { t_bit: true })
        );
    }

    #[test]
    fn rfc9260_3_3_15_shutdown_complete_reserved_flags() {
        // Reserved bits are ignored and not re-emitted.
        let c = ShutdownComplete::parse_value(0xfe, &[]).unwrap();
        assert!(!c.t_bit);
        assert_eq!(c.flags(), 0);
        assert_eq!(
            ShutdownComplete { t_bit: true }.to_string(),
            "SHUTDOWN_COMPLETE[T]"
        );
    }
}
