//! Chunk List parameter (RFC 4895 section 3.2): the chunk types the sender
//! wants to receive authenticated, sent in INIT and INIT ACK.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 0x8003   |       Parameter Length        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Chunk Type 1  | Chunk Type 2  | Chunk Type 3  | Chunk Type 4  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                                                               /
//! \                              ...                              \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Chunk Type n  |
//! +-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

use crate::wire::error::Malformed;
use crate::wire::list::List;
use crate::wire::tlv::TlvValue;

/// The chunk types the sender requires to be authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkList<'a> {
    /// The chunk type codes.
    pub chunk_types: List<'a, u8>,
}

impl<'a> TlvValue<'a> for ChunkList<'a> {
    const TYPE: u16 = 0x8003;

    fn parse_value(v: &'a [u8]) -> Result<Self, Malformed> {
        Ok(Self {
            chunk_types: List::from_wire(v, "chunk type")?,
        })
    }

    fn value_len(&self) -> usize {
        self.chunk_types.wire_len()
    }

    fn emit_value(&self, buf: &mut [u8]) {
        self.chunk_types.emit(buf);
    }
}

impl fmt::Display for ChunkList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Chunk List ")?;
        super::fmt_list(f, &self.chunk_types, |f, t| write!(f, "{t}"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc4895_3_2_chunk_list_round_trip() {
        // Wireshark: Chunk list parameter (Chunk type: DATA (0), SACK (3), ASCONF (193),
        // ASCONF_ACK (128), RE_CONFIG (130)), type 0x8003, length 9, padding 000000.
        let bytes = [
            0x80, 0x03, 0x00, 0x09, 0x00, 0x03, 0xc1, 0x80, 0x82, 0x00, 0x00, 0x00,
        ];
        assert_eq!(
            round_trip(&bytes),
            Param::ChunkList(ChunkList {
                chunk_types: List::Items(&[0, 3, 0xc1, 0x80, 0x82])
            })
        );
    }

    #[test]
    fn rfc4895_3_2_chunk_list_empty_and_display() {
        let c = ChunkList::parse_value(&[]).unwrap();
        assert!(c.chunk_types.is_empty());
        assert_eq!(c.to_string(), "Chunk List []");
        let c = ChunkList::parse_value(&[0, 3]).unwrap();
        assert_eq!(c.to_string(), "Chunk List [0, 3]");
    }
}
