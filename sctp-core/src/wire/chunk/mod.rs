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

use super::cause::{self, Cause};
use super::error::{BufferTooSmall, Malformed, WireError};
use super::tlv::{emit_tlv, padded};

/// Defines a chunk whose value is a Sequence Number followed by parameters
/// (ASCONF and ASCONF-ACK, RFC 5061 section 5.1): the struct, its
/// [`ChunkValue`] impl and a `Display` as `label serial N (K params)`.
///
/// A bad parameter is reported with its offset in the whole value. The
/// emitted Chunk Length leaves out the last parameter's padding (RFC 9260
/// section 3.2), which [`ChunkValue::value_len`] counts.
macro_rules! serial_params_chunk {
    (
        $(#[$meta:meta])*
        pub struct $name:ident<'a> {
            $(#[$serial_meta:meta])*
            pub serial: u32,
            $(#[$params_meta:meta])*
            pub params: Vec<Param<'a>> $(,)?
        }
        TYPE = $code:expr, $label:literal;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name<'a> {
            $(#[$serial_meta])*
            pub serial: u32,
            $(#[$params_meta])*
            pub params: Vec<$crate::wire::param::Param<'a>>,
        }

        impl<'a> $crate::wire::chunk::ChunkValue<'a> for $name<'a> {
            const TYPE: u8 = $code;

            fn parse_value(
                _flags: u8,
                v: &'a [u8],
            ) -> Result<Self, $crate::wire::error::Malformed> {
                $crate::wire::error::Malformed::check_len(v, 4)?;
                let params = $crate::wire::param::parse_all(&v[4..])
                    .map_err(|e| $crate::wire::chunk::shift_nested(e, 4))?;
                Ok(Self {
                    serial: $crate::wire::chunk::be32(v, 0),
                    params,
                })
            }

            fn value_len(&self) -> usize {
                4 + $crate::wire::param::wire_len(&self.params)
            }

            fn emit_value(&self, buf: &mut [u8]) {
                buf[0..4].copy_from_slice(&self.serial.to_be_bytes());
                let emitted = $crate::wire::param::emit_all(&self.params, &mut buf[4..]);
                debug_assert!(emitted.is_ok(), "parameters emit within their wire_len");
            }

            fn emit(&self, buf: &mut [u8]) -> Result<usize, $crate::wire::error::BufferTooSmall> {
                $crate::wire::chunk::emit_with_tlv_tail(
                    self,
                    buf,
                    self.params.last().map($crate::wire::param::Param::tlv_len),
                )
            }
        }

        impl core::fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(
                    f,
                    concat!($label, " serial {} ({} params)"),
                    self.serial,
                    self.params.len()
                )
            }
        }
    };
}

/// Parameter type of the Heartbeat Information TLV (RFC 9260 section 3.3.5).
const HEARTBEAT_INFO_TYPE: u16 = 1;

/// Defines a chunk whose value is the Heartbeat Information TLV (HEARTBEAT
/// and HEARTBEAT ACK, RFC 9260 sections 3.3.5 and 3.3.6): the struct, its
/// [`ChunkValue`] impl and a `Display` as `label (N bytes of info)`.
///
/// Parsing reads the TLV at the start of the value and keeps its value;
/// anything after it is ignored and not emitted again. The TLV's padding is
/// chunk padding (RFC 9260 section 3.2).
macro_rules! heartbeat_chunk {
    (
        $(#[$meta:meta])*
        pub struct $name:ident<'a> {
            $(#[$fmeta:meta])*
            pub info: &'a [u8] $(,)?
        }
        TYPE = $code:expr, $label:literal;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name<'a> {
            $(#[$fmeta])*
            pub info: &'a [u8],
        }

        impl<'a> $crate::wire::chunk::ChunkValue<'a> for $name<'a> {
            const TYPE: u8 = $code;

            fn parse_value(
                _flags: u8,
                v: &'a [u8],
            ) -> Result<Self, $crate::wire::error::Malformed> {
                use $crate::wire::error::Malformed;
                Malformed::check_len(v, 4)?;
                let Some(first) = $crate::wire::tlv::TlvIter::new(v).next() else {
                    return Err(Malformed::TooShort { needed: 4, got: 0 });
                };
                let tlv = first?;
                if tlv.tlv_type != $crate::wire::chunk::HEARTBEAT_INFO_TYPE {
                    return Err(Malformed::Invalid {
                        field: "Heartbeat Info Type",
                    });
                }
                Ok(Self { info: tlv.value })
            }

            fn value_len(&self) -> usize {
                4 + self.info.len()
            }

            fn emit_value(&self, buf: &mut [u8]) {
                buf[0..2].copy_from_slice(&$crate::wire::chunk::HEARTBEAT_INFO_TYPE.to_be_bytes());
                // The chunk length caps the value at 65531 bytes, so this fits.
                buf[2..4].copy_from_slice(&(self.value_len() as u16).to_be_bytes());
                buf[4..].copy_from_slice(self.info);
            }
        }

        impl core::fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, concat!($label, " ({} bytes of info)"), self.info.len())
            }
        }
    };
}

mod abort;
mod asconf;
mod asconf_ack;
mod auth;
mod cookie_ack;
mod cookie_echo;
mod cwr;
mod data;
mod ecne;
mod forward_tsn;
mod heartbeat;
mod heartbeat_ack;
mod i_data;
mod i_forward_tsn;
mod init;
mod init_ack;
mod operation_error;
mod pad;
mod re_config;
mod sack;
mod shutdown;
mod shutdown_ack;
mod shutdown_complete;
mod unknown;

pub use abort::Abort;
pub use asconf::Asconf;
pub use asconf_ack::AsconfAck;
pub use auth::Auth;
pub use cookie_ack::CookieAck;
pub use cookie_echo::CookieEcho;
pub use cwr::Cwr;
pub use data::{Data, DataFlags};
pub use ecne::Ecne;
pub use forward_tsn::{ForwardTsn, ForwardTsnStream};
pub use heartbeat::Heartbeat;
pub use heartbeat_ack::HeartbeatAck;
pub use i_data::IData;
pub use i_forward_tsn::{IForwardTsn, IForwardTsnStream};
pub use init::Init;
pub use init_ack::InitAck;
pub use operation_error::OperationError;
pub use pad::Pad;
pub use re_config::ReConfig;
pub use sack::{GapAckBlock, Sack};
pub use shutdown::Shutdown;
pub use shutdown_ack::ShutdownAck;
pub use shutdown_complete::ShutdownComplete;
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
    // The chunk header is a TLV header whose 16-bit type is the chunk type
    // followed by the flags.
    emit_tlv(
        buf,
        u16::from_be_bytes([chunk_type, flags]),
        value_len,
        fill,
    )
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

        impl fmt::Display for Chunk<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $( Self::$variant(c) => fmt::Display::fmt(c, f), )*
                    Self::Unknown(c) => fmt::Display::fmt(c, f),
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
    /// INIT (RFC 9260 section 3.3.2).
    Init(Init<'a>),
    /// INIT ACK (RFC 9260 section 3.3.3).
    InitAck(InitAck<'a>),
    /// SACK (RFC 9260 section 3.3.4).
    Sack(Sack<'a>),
    /// HEARTBEAT (RFC 9260 section 3.3.5).
    Heartbeat(Heartbeat<'a>),
    /// HEARTBEAT ACK (RFC 9260 section 3.3.6).
    HeartbeatAck(HeartbeatAck<'a>),
    /// ABORT (RFC 9260 section 3.3.7).
    Abort(Abort<'a>),
    /// SHUTDOWN (RFC 9260 section 3.3.8).
    Shutdown(Shutdown),
    /// SHUTDOWN ACK (RFC 9260 section 3.3.9).
    ShutdownAck(ShutdownAck),
    /// ERROR (RFC 9260 section 3.3.10).
    Error(OperationError<'a>),
    /// COOKIE ECHO (RFC 9260 section 3.3.11).
    CookieEcho(CookieEcho<'a>),
    /// COOKIE ACK (RFC 9260 section 3.3.12).
    CookieAck(CookieAck),
    /// ECNE (RFC 9260 section 3.3.13 and appendix A).
    Ecne(Ecne),
    /// CWR (RFC 9260 section 3.3.14 and appendix A).
    Cwr(Cwr),
    /// SHUTDOWN COMPLETE (RFC 9260 section 3.3.15).
    ShutdownComplete(ShutdownComplete),
    /// AUTH (RFC 4895 section 4.1).
    Auth(Auth<'a>),
    /// I-DATA (RFC 8260 section 2.1).
    IData(IData<'a>),
    /// ASCONF (RFC 5061 section 5.1.1).
    Asconf(Asconf<'a>),
    /// ASCONF-ACK (RFC 5061 section 5.1.2).
    AsconfAck(AsconfAck<'a>),
    /// RE-CONFIG (RFC 6525 section 3.1).
    ReConfig(ReConfig<'a>),
    /// PAD (RFC 4820 section 3).
    Pad(Pad<'a>),
    /// FORWARD TSN (RFC 3758 section 3.2).
    ForwardTsn(ForwardTsn<'a>),
    /// I-FORWARD-TSN (RFC 8260 section 2.3).
    IForwardTsn(IForwardTsn<'a>),
}

/// Reads the big-endian `u16` at `at`; the caller has checked the length.
fn be16(v: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([v[at], v[at + 1]])
}

/// Reads the big-endian `u32` at `at`; the caller has checked the length.
fn be32(v: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([v[at], v[at + 1], v[at + 2], v[at + 3]])
}

/// Fails unless a fixed-size value is exactly `len` bytes: shorter is
/// [`Malformed::TooShort`], longer is [`Malformed::Invalid`] naming `field`.
fn check_exact(value: &[u8], len: usize, field: &'static str) -> Result<(), Malformed> {
    Malformed::check_len(value, len)?;
    if value.len() > len {
        return Err(Malformed::Invalid { field });
    }
    Ok(())
}

/// Writes the causes of an ABORT or ERROR after its name, as `: a, b`.
fn fmt_causes(f: &mut fmt::Formatter<'_>, causes: &[Cause<'_>]) -> fmt::Result {
    for (i, c) in causes.iter().enumerate() {
        f.write_str(if i == 0 { ": " } else { ", " })?;
        fmt::Display::fmt(c, f)?;
    }
    Ok(())
}

/// Writes the causes of an ABORT or ERROR into `buf`, which is exactly
/// [`cause::wire_len`] bytes long.
fn emit_causes(causes: &[Cause<'_>], buf: &mut [u8]) {
    let emitted = cause::emit_all(causes, buf);
    debug_assert!(emitted.is_ok(), "causes emit within their wire_len");
}

/// Moves the offset of a [`Malformed::Nested`] found in a TLV list that starts
/// `by` bytes into the chunk value, so it is relative to the whole value.
fn shift_nested(e: Malformed, by: usize) -> Malformed {
    match e {
        Malformed::Nested {
            tlv_type,
            offset,
            reason,
        } => Malformed::Nested {
            tlv_type,
            offset: offset + by,
            reason,
        },
        other => other,
    }
}

/// Emits a chunk whose value ends in a list of TLVs (parameters or error causes).
///
/// `C::value_len` counts every TLV padded, the last one too; the Chunk Length
/// written here leaves out the last TLV's padding, as RFC 9260 section 3.2
/// asks ("it does include any padding of variable-length parameters other
/// than the last parameter"). Those bytes become the chunk padding, so the
/// bytes used are the same. `last_tlv_len` is the padded length of the last
/// TLV, `None` when the list is empty.
fn emit_with_tlv_tail<'a, C: ChunkValue<'a>>(
    chunk: &C,
    buf: &mut [u8],
    last_tlv_len: Option<usize>,
) -> Result<usize, BufferTooSmall> {
    let value_len = chunk.value_len();
    let total = emit_chunk(buf, C::TYPE, chunk.flags(), value_len, |v| {
        chunk.emit_value(v)
    })?;
    if let Some(last) = last_tlv_len {
        // The last TLV starts `last` bytes before the end of the value.
        let start = (4 + value_len).saturating_sub(last);
        if let Some(len) = buf.get(start + 2..start + 4) {
            let length = start + usize::from(u16::from_be_bytes([len[0], len[1]]));
            if length <= 4 + value_len {
                buf[2..4].copy_from_slice(&(length as u16).to_be_bytes());
            }
        }
    }
    Ok(total)
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
