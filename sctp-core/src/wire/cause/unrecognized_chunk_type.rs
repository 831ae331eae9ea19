//! Unrecognized Chunk Type error cause (RFC 9260 section 3.3.10.6).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 6            |      Cause Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                  Unrecognized Chunk                           /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The unrecognized chunk (type, flags, length and value) is kept as received.

use core::fmt;

crate::wire::param::bytes_tlv! {
    /// The receiver did not understand a chunk whose type asked for a report.
    pub struct UnrecognizedChunkType<'a> {
        /// The unrecognized chunk, header included, as received.
        pub chunk: &'a [u8],
    }
    TYPE = 6;
}

impl UnrecognizedChunkType<'_> {
    /// The type code of the unrecognized chunk, if its first byte is there.
    pub fn chunk_type(&self) -> Option<u8> {
        self.chunk.first().copied()
    }
}

impl fmt::Display for UnrecognizedChunkType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.chunk_type() {
            Some(t) => write!(f, "Unrecognized Chunk Type ({t})"),
            None => f.write_str("Unrecognized Chunk Type (empty)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc9260_3_3_10_6_unrecognized_chunk_type_round_trip() {
        // Wireshark: Unrecognized chunk type (6), cause length 12, Unrecognized chunk:
        // Unknown chunk (type 0x7f, flags 0x00, length 8, value 01020304).
        let bytes = [
            0x00, 0x06, 0x00, 0x0c, 0x7f, 0x00, 0x00, 0x08, 0x01, 0x02, 0x03, 0x04,
        ];
        let c = round_trip(&bytes);
        assert_eq!(c.to_string(), "Unrecognized Chunk Type (127)");
        let Cause::UnrecognizedChunkType(c) = c else {
            panic!("expected Unrecognized Chunk Type")
        };
        assert_eq!(c.chunk_type(), Some(0x7f));
        assert_eq!(c.chunk.len(), 8);
    }

    #[test]
    fn rfc9260_3_3_10_6_unrecognized_chunk_type_empty_or_odd() {
        let c = UnrecognizedChunkType::parse_value(&[]).unwrap();
        assert_eq!(c.chunk_type(), None);
        assert_eq!(c.to_string(), "Unrecognized Chunk Type (empty)");
        // A truncated copy (odd length) re-emits with padding.
        let c = UnrecognizedChunkType::parse_value(&[0x40, 0, 0]).unwrap();
        assert_eq!(c.tlv_len(), 8);
    }
}
