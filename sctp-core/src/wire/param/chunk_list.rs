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

list_param! {
    /// The chunk types the sender requires to be authenticated.
    pub struct ChunkList<'a> {
        /// The chunk type codes.
        pub chunk_types: List<'a, u8>,
    }
    TYPE = 0x8003, "Chunk List", entry "chunk type";
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;
    use crate::wire::list::List;
    use crate::wire::tlv::TlvValue;

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
