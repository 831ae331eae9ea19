//! PAD (RFC 4820 section 3).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Type = 0x84   |   Flags=0     |             Length            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! \                         Padding Data                          /
//! /                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

use super::ChunkValue;
use crate::wire::error::Malformed;

/// PAD: fills a packet up, for path MTU probing; the receiver ignores its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pad<'a> {
    /// Padding Data: any bytes, kept verbatim.
    pub padding: &'a [u8],
}

impl<'a> ChunkValue<'a> for Pad<'a> {
    const TYPE: u8 = 0x84;

    fn parse_value(_flags: u8, v: &'a [u8]) -> Result<Self, Malformed> {
        Ok(Self { padding: v })
    }

    fn value_len(&self) -> usize {
        self.padding.len()
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf.copy_from_slice(self.padding);
    }
}

impl fmt::Display for Pad<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PAD ({} bytes)", self.padding.len())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::test_util::round_trip;
    use super::*;

    #[test]
    fn rfc4820_3_pad_from_capture() {
        // Wireshark: PAD chunk, flags 0x00, length 12
        //   Padding: 0000000000000000
        let bytes = [0x84, 0x00, 0x00, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(round_trip(&bytes), Chunk::Pad(Pad { padding: &[0; 8] }));
    }

    #[test]
    fn rfc4820_3_pad_odd_and_empty() {
        assert_eq!(Pad::parse_value(0, &[]), Ok(Pad { padding: &[] }));
        let p = Pad {
            padding: &[0xaa; 3],
        };
        let mut out = [0u8; 8];
        assert_eq!(p.emit(&mut out), Ok(8));
        assert_eq!(out, [0x84, 0, 0, 7, 0xaa, 0xaa, 0xaa, 0]);
        assert_eq!(p.to_string(), "PAD (3 bytes)");
    }
}
