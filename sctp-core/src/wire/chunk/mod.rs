//! SCTP chunks (RFC 9260 section 3.2 and the extensions), one file per chunk.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Chunk Type  | Chunk  Flags  |        Chunk Length           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                          Chunk Value                          \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! A received packet yields [`RawChunk`]s; [`RawChunk::parse`] interprets one
//! as a [`Chunk`]. Every chunk type implements [`ChunkValue`], which fixes the
//! chunk framing (header, length, padding) in one place.

use core::fmt;

use super::error::{BufferTooSmall, Malformed, WireError};
use super::tlv::padded;

mod cookie_ack;
mod data;
mod unknown;

pub use cookie_ack::CookieAck;
pub use data::{Data, DataFlags};
pub use unknown::UnknownChunk;

/// What to do with a chunk of unrecognized type: its two high bits (RFC 9260 section 3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnrecognizedAction {
    /// `00`: stop processing this packet, discard it.
    Stop,
    /// `01`: stop processing, discard, and report in an ERROR chunk (Unrecognized Chunk Type cause).
    StopAndReport,
    /// `10`: skip this chunk and continue.
    Skip,
    /// `11`: skip this chunk, continue, and report in an ERROR chunk.
    SkipAndReport,
}

impl UnrecognizedAction {
    /// The action coded in the two high bits of a chunk type.
    pub const fn of_chunk_type(chunk_type: u8) -> Self {
        match chunk_type >> 6 {
            0 => Self::Stop,
            1 => Self::StopAndReport,
            2 => Self::Skip,
            _ => Self::SkipAndReport,
        }
    }

    /// The action coded in the two high bits of a parameter type (RFC 9260 section 3.2.1).
    pub const fn of_param_type(param_type: u16) -> Self {
        Self::of_chunk_type((param_type >> 8) as u8)
    }

    /// Whether processing of the enclosing packet or chunk stops.
    pub const fn stops(self) -> bool {
        matches!(self, Self::Stop | Self::StopAndReport)
    }

    /// Whether the unrecognized item is reported back to the peer.
    pub const fn reports(self) -> bool {
        matches!(self, Self::StopAndReport | Self::SkipAndReport)
    }
}

/// A chunk type with a fixed type code: parse from flags and value, emit flags and value.
pub trait ChunkValue<'a>: Sized {
    /// The chunk type code.
    const TYPE: u8;
    /// Parses the chunk from its flags and value (without the 4-byte header).
    fn parse_value(flags: u8, value: &'a [u8]) -> Result<Self, Malformed>;
    /// The chunk flags to emit.
    fn flags(&self) -> u8 {
        0
    }
    /// Length of the value in bytes, without header or padding.
    fn value_len(&self) -> usize;
    /// Writes the value into `buf`, which is exactly [`Self::value_len`] bytes long.
    fn emit_value(&self, buf: &mut [u8]);

    /// Length of the whole chunk including header and padding.
    fn chunk_len(&self) -> usize {
        padded(4 + self.value_len())
    }

    /// Writes the whole chunk (header, value, zero padding); returns the bytes used.
    fn emit(&self, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
        emit_chunk(buf, Self::TYPE, self.flags(), self.value_len(), |v| {
            self.emit_value(v)
        })
    }
}

/// Writes a chunk header with `chunk_type`, `flags` and a value of
/// `value_len` bytes filled by `fill`, zero-pads it, and returns the bytes used.
pub fn emit_chunk(
    buf: &mut [u8],
    chunk_type: u8,
    flags: u8,
    value_len: usize,
    fill: impl FnOnce(&mut [u8]),
) -> Result<usize, BufferTooSmall> {
    let length = 4 + value_len;
    let total = padded(length);
    if buf.len() < total || length > usize::from(u16::MAX) {
        return Err(BufferTooSmall {
            needed: total,
            available: buf.len(),
        });
    }
    buf[0] = chunk_type;
    buf[1] = flags;
    buf[2..4].copy_from_slice(&(length as u16).to_be_bytes());
    fill(&mut buf[4..length]);
    buf[length..total].fill(0);
    Ok(total)
}

/// One chunk as found in a packet, not yet interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RawChunk<'a> {
    /// The chunk type code.
    pub chunk_type: u8,
    /// The chunk flags.
    pub flags: u8,
    /// The value, without header or padding.
    pub value: &'a [u8],
    /// Offset of the chunk within the packet (the common header included).
    pub offset: usize,
}

impl<'a> RawChunk<'a> {
    /// The Chunk Length field: header plus value, without padding.
    pub fn length(&self) -> usize {
        4 + self.value.len()
    }

    /// What the RFC asks of a receiver that does not know this chunk type.
    pub fn unrecognized_action(&self) -> UnrecognizedAction {
        UnrecognizedAction::of_chunk_type(self.chunk_type)
    }

    /// Interprets the chunk; an unknown type becomes [`Chunk::Unknown`].
    pub fn parse(&self) -> Result<Chunk<'a>, WireError> {
        Chunk::parse_raw(self).map_err(|problem| WireError::Chunk {
            offset: self.offset,
            chunk_type: self.chunk_type,
            problem,
        })
    }

    fn parse_as<T: ChunkValue<'a>>(&self) -> Result<T, Malformed> {
        T::parse_value(self.flags, self.value)
    }
}

macro_rules! chunks {
    ($( $(#[$doc:meta])* $variant:ident($ty:ty), )*) => {
        /// Every chunk the stack knows, parsed, plus [`Chunk::Unknown`] for the rest.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Chunk<'a> {
            $( $(#[$doc])* $variant($ty), )*
            /// A chunk of a type this stack does not implement, kept verbatim.
            Unknown(UnknownChunk<'a>),
        }

        impl<'a> Chunk<'a> {
            fn parse_raw(raw: &RawChunk<'a>) -> Result<Self, Malformed> {
                Ok(match raw.chunk_type {
                    $( <$ty as ChunkValue<'a>>::TYPE => Self::$variant(raw.parse_as()?), )*
                    _ => Self::Unknown(UnknownChunk {
                        chunk_type: raw.chunk_type,
                        flags: raw.flags,
                        value: raw.value,
                    }),
                })
            }

            /// The chunk type code.
            pub fn chunk_type(&self) -> u8 {
                match self {
                    $( Self::$variant(_) => <$ty as ChunkValue<'a>>::TYPE, )*
                    Self::Unknown(u) => u.chunk_type,
                }
            }

            /// Length of the chunk on the wire, header and padding included.
            pub fn chunk_len(&self) -> usize {
                match self {
                    $( Self::$variant(c) => c.chunk_len(), )*
                    Self::Unknown(u) => padded(4 + u.value.len()),
                }
            }

            /// Writes the chunk into `buf`; returns the bytes used including padding.
            pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
                match self {
                    $( Self::$variant(c) => c.emit(buf), )*
                    Self::Unknown(u) => u.emit(buf),
                }
            }
        }

        $(
            impl<'a> From<$ty> for Chunk<'a> {
                fn from(c: $ty) -> Self {
                    Self::$variant(c)
                }
            }
        )*
    };
}

chunks! {
    /// DATA (RFC 9260 section 3.3.1).
    Data(Data<'a>),
    /// COOKIE ACK (RFC 9260 section 3.3.12).
    CookieAck(CookieAck),
}

impl fmt::Display for Chunk<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Data(c) => fmt::Display::fmt(c, f),
            Self::CookieAck(c) => fmt::Display::fmt(c, f),
            Self::Unknown(c) => fmt::Display::fmt(c, f),
        }
    }
}

/// Test helpers shared by the chunk files.
#[cfg(test)]
pub(crate) mod test_util {
    use super::*;

    /// Parses `bytes` as exactly one chunk, re-emits it and checks the bytes are identical.
    pub(crate) fn round_trip(bytes: &[u8]) -> Chunk<'_> {
        let length = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
        let raw = RawChunk {
            chunk_type: bytes[0],
            flags: bytes[1],
            value: &bytes[4..length],
            offset: 0,
        };
        let chunk = raw.parse().expect("parse");
        let mut out = vec![0u8; chunk.chunk_len()];
        let n = chunk.emit(&mut out).expect("emit");
        assert_eq!(n, padded(length));
        assert_eq!(&out[..], &bytes[..n], "re-emitted bytes differ");
        chunk
    }
}
