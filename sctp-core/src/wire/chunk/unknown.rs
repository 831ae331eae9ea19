//! A chunk of a type this stack does not implement (RFC 9260 section 3.2).

use core::fmt;

use super::emit_chunk;
use crate::wire::error::BufferTooSmall;

/// A chunk of unknown type, kept verbatim so it can be reported or skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnknownChunk<'a> {
    /// The chunk type code.
    pub chunk_type: u8,
    /// The chunk flags.
    pub flags: u8,
    /// The value, without header or padding.
    pub value: &'a [u8],
}

impl UnknownChunk<'_> {
    /// Writes the chunk back verbatim; returns the bytes used including padding.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
        emit_chunk(buf, self.chunk_type, self.flags, self.value.len(), |v| {
            v.copy_from_slice(self.value)
        })
    }
}

impl fmt::Display for UnknownChunk<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "UNKNOWN(type {}, flags {:#04x}, {} bytes)",
            self.chunk_type,
            self.flags,
            self.value.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::round_trip;
    use super::super::{Chunk, UnrecognizedAction};

    #[test]
    fn rfc9260_3_2_unknown_chunk_kept_verbatim_with_action_bits() {
        // Type 0xfe, unassigned (action 11: skip and report), 3 value bytes padded.
        let bytes = [0xfe, 0x05, 0x00, 0x07, 0xaa, 0xbb, 0xcc, 0x00];
        let Chunk::Unknown(u) = round_trip(&bytes) else {
            panic!("expected an unknown chunk")
        };
        assert_eq!(u.value, &[0xaa, 0xbb, 0xcc]);
        assert_eq!(
            UnrecognizedAction::of_chunk_type(u.chunk_type),
            UnrecognizedAction::SkipAndReport
        );
        assert_eq!(
            UnrecognizedAction::of_chunk_type(0x3f),
            UnrecognizedAction::Stop
        );
        assert!(UnrecognizedAction::of_chunk_type(0x40).reports());
        assert!(!UnrecognizedAction::of_chunk_type(0x80).stops());
    }
}
