//! Chunk parameters (RFC 9260 section 3.2.1 and the extensions), one file per parameter.
//!
//! Parameters appear in INIT and INIT ACK, in RE-CONFIG (RFC 6525) and in
//! ASCONF/ASCONF-ACK (RFC 5061). [`Param`] covers them all; a type this stack
//! does not know is kept as [`Param::Unknown`], and its two high bits tell the
//! receiver what to do ([`crate::wire::UnrecognizedAction::of_param_type`]).

use core::fmt;

use super::error::{BufferTooSmall, Malformed};
use super::tlv::{self, RawTlv, TlvIter, TlvValue, emit_tlv, padded};

mod ipv4_address;

pub use ipv4_address::Ipv4Address;

/// A parameter of a type this stack does not implement, kept verbatim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnknownParam<'a> {
    /// The parameter type.
    pub param_type: u16,
    /// The value, without header or padding.
    pub value: &'a [u8],
}

macro_rules! params {
    ($( $(#[$doc:meta])* $variant:ident($ty:ty), )*) => {
        /// Every parameter the stack knows, parsed, plus [`Param::Unknown`] for the rest.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Param<'a> {
            $( $(#[$doc])* $variant($ty), )*
            /// A parameter of a type this stack does not implement.
            Unknown(UnknownParam<'a>),
        }

        impl<'a> Param<'a> {
            /// Interprets a raw TLV as a parameter.
            pub fn parse(raw: &RawTlv<'a>) -> Result<Self, Malformed> {
                Ok(match raw.tlv_type {
                    $( <$ty as TlvValue<'a>>::TYPE => Self::$variant(tlv::parse(raw)?), )*
                    _ => Self::Unknown(UnknownParam { param_type: raw.tlv_type, value: raw.value }),
                })
            }

            /// The parameter type code.
            pub fn param_type(&self) -> u16 {
                match self {
                    $( Self::$variant(_) => <$ty as TlvValue<'a>>::TYPE, )*
                    Self::Unknown(u) => u.param_type,
                }
            }

            /// Length on the wire including header and padding.
            pub fn tlv_len(&self) -> usize {
                match self {
                    $( Self::$variant(p) => p.tlv_len(), )*
                    Self::Unknown(u) => padded(4 + u.value.len()),
                }
            }

            /// Writes the parameter; returns the bytes used including padding.
            pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
                match self {
                    $( Self::$variant(p) => tlv::emit(p, buf), )*
                    Self::Unknown(u) => emit_tlv(buf, u.param_type, u.value.len(), |v| v.copy_from_slice(u.value)),
                }
            }
        }

        impl fmt::Display for Param<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $( Self::$variant(p) => fmt::Display::fmt(p, f), )*
                    Self::Unknown(u) => write!(f, "UNKNOWN_PARAM({:#06x}, {} bytes)", u.param_type, u.value.len()),
                }
            }
        }

        $(
            impl<'a> From<$ty> for Param<'a> {
                fn from(p: $ty) -> Self {
                    Self::$variant(p)
                }
            }
        )*
    };
}

params! {
    /// IPv4 Address (RFC 9260 section 3.3.2.1).
    Ipv4Address(Ipv4Address),
}

/// Parses a sequence of parameters (the variable part of INIT, RE-CONFIG, ...).
pub fn parse_all(buf: &[u8]) -> Result<Vec<Param<'_>>, Malformed> {
    TlvIter::new(buf)
        .map(|raw| raw.and_then(|raw| Param::parse(&raw)))
        .collect()
}

/// Length on the wire of a sequence of parameters.
pub fn wire_len(params: &[Param<'_>]) -> usize {
    params.iter().map(Param::tlv_len).sum()
}

/// Writes a sequence of parameters into `buf`; returns the bytes used.
pub fn emit_all(params: &[Param<'_>], buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
    let mut pos = 0;
    for p in params {
        let rest = buf.get_mut(pos..).unwrap_or_default();
        pos += p.emit(rest)?;
    }
    Ok(pos)
}

/// Test helpers shared by the parameter files.
#[cfg(test)]
pub(crate) mod test_util {
    use super::*;

    /// Parses `bytes` as exactly one parameter, re-emits it and checks the bytes are identical.
    pub(crate) fn round_trip(bytes: &[u8]) -> Param<'_> {
        let mut it = TlvIter::new(bytes);
        let raw = it.next().expect("one TLV").expect("well-formed TLV");
        let p = Param::parse(&raw).expect("parse");
        let mut out = vec![0u8; p.tlv_len()];
        let n = p.emit(&mut out).expect("emit");
        assert_eq!(&out[..n], &bytes[..n], "re-emitted bytes differ");
        assert_eq!(n, padded(raw.length()));
        p
    }
}
