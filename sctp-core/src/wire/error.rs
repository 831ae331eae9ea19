//! Typed errors of the wire module.

use thiserror::Error;

/// What is wrong inside one chunk, parameter or error cause value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Malformed {
    /// The value is shorter than its fixed fields.
    #[error("value of {got} bytes is shorter than the {needed} bytes its fixed fields need")]
    TooShort {
        /// Bytes the fixed part needs.
        needed: usize,
        /// Bytes present.
        got: usize,
    },
    /// A length field is below its minimum (a TLV length under 4, say).
    #[error("length {length} is below the minimum {min}")]
    LengthTooSmall {
        /// The length field's value.
        length: usize,
        /// The smallest valid value.
        min: usize,
    },
    /// A length field reaches past the bytes available.
    #[error("length {length} runs past the {available} bytes available")]
    Truncated {
        /// The declared length.
        length: usize,
        /// The bytes that are there.
        available: usize,
    },
    /// A variable part is not a whole number of its elements.
    #[error("{field}: {len} bytes is not a whole number of {elem}-byte entries")]
    Ragged {
        /// The field in RFC terms.
        field: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The size of one entry.
        elem: usize,
    },
    /// A field holds a value the RFC forbids.
    #[error("invalid {field}")]
    Invalid {
        /// The field in RFC terms.
        field: &'static str,
    },
    /// A nested parameter or error cause is malformed.
    #[error("parameter or cause of type {tlv_type:#06x} at value offset {offset}: {reason}")]
    Nested {
        /// The TLV's type code.
        tlv_type: u16,
        /// Its offset within the enclosing value.
        offset: usize,
        /// The reason, flattened to the innermost cause.
        reason: NestedReason,
    },
}

/// The innermost reason of a [`Malformed::Nested`], without further nesting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NestedReason {
    /// See [`Malformed::TooShort`].
    #[error("value of {got} bytes is shorter than the {needed} bytes its fixed fields need")]
    TooShort {
        /// Bytes the fixed part needs.
        needed: usize,
        /// Bytes present.
        got: usize,
    },
    /// See [`Malformed::LengthTooSmall`].
    #[error("length {length} is below the minimum {min}")]
    LengthTooSmall {
        /// The length field's value.
        length: usize,
        /// The smallest valid value.
        min: usize,
    },
    /// See [`Malformed::Truncated`].
    #[error("length {length} runs past the {available} bytes available")]
    Truncated {
        /// The declared length.
        length: usize,
        /// The bytes that are there.
        available: usize,
    },
    /// See [`Malformed::Ragged`].
    #[error("{field}: {len} bytes is not a whole number of {elem}-byte entries")]
    Ragged {
        /// The field in RFC terms.
        field: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The size of one entry.
        elem: usize,
    },
    /// See [`Malformed::Invalid`].
    #[error("invalid {field}")]
    Invalid {
        /// The field in RFC terms.
        field: &'static str,
    },
}

impl Malformed {
    /// Wraps this problem as one inside the TLV of `tlv_type` at `offset`.
    pub fn nested(self, tlv_type: u16, offset: usize) -> Self {
        let reason = match self {
            Self::TooShort { needed, got } => NestedReason::TooShort { needed, got },
            Self::LengthTooSmall { length, min } => NestedReason::LengthTooSmall { length, min },
            Self::Truncated { length, available } => NestedReason::Truncated { length, available },
            Self::Ragged { field, len, elem } => NestedReason::Ragged { field, len, elem },
            Self::Invalid { field } => NestedReason::Invalid { field },
            // Keep the innermost TLV: it names the real culprit.
            nested @ Self::Nested { .. } => return nested,
        };
        Self::Nested {
            tlv_type,
            offset,
            reason,
        }
    }

    /// Fails with [`Malformed::TooShort`] unless `value` has at least `needed` bytes.
    #[inline]
    pub fn check_len(value: &[u8], needed: usize) -> Result<(), Self> {
        if value.len() < needed {
            Err(Self::TooShort {
                needed,
                got: value.len(),
            })
        } else {
            Ok(())
        }
    }
}

/// Why a packet could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum WireError {
    /// Shorter than the 12-byte common header.
    #[error("packet of {len} bytes is shorter than the 12-byte common header")]
    PacketTooShort {
        /// The packet's length.
        len: usize,
    },
    /// The CRC32c in the common header does not match the packet (RFC 9260 section 6.8).
    #[error("bad CRC32c: packet carries {carried:#010x}, content gives {computed:#010x}")]
    BadChecksum {
        /// The checksum field's value.
        carried: u32,
        /// The checksum of the packet's bytes.
        computed: u32,
    },
    /// A chunk is malformed.
    #[error("chunk of type {chunk_type} at offset {offset}: {problem}")]
    Chunk {
        /// The chunk's offset in the packet.
        offset: usize,
        /// The chunk's type code.
        chunk_type: u8,
        /// What is wrong with it.
        problem: Malformed,
    },
}

/// The caller's buffer is too small for what was to be emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("buffer of {available} bytes is too small: {needed} needed")]
pub struct BufferTooSmall {
    /// Bytes needed.
    pub needed: usize,
    /// Bytes available.
    pub available: usize,
}
