//! Chunk parameters (RFC 9260 section 3.2.1 and the extensions), one file per parameter.
//!
//! Parameters appear in INIT and INIT ACK, in RE-CONFIG (RFC 6525) and in
//! ASCONF/ASCONF-ACK (RFC 5061). [`Param`] covers them all; a type this stack
//! does not know is kept as [`Param::Unknown`], and its two high bits tell the
//! receiver what to do ([`crate::wire::UnrecognizedAction::of_param_type`]).

use core::fmt;

use std::net::IpAddr;

use super::error::{BufferTooSmall, Malformed};
use super::list::{FixedEntry, List};
use super::tlv::{self, RawTlv, TlvIter, TlvValue, emit_tlv, padded};

/// Defines a TLV whose whole value is one byte string kept as sent (a cookie,
/// a reason, a nested TLV): the struct, with the docs given, and its
/// [`TlvValue`] impl. Parsing never fails; emitting copies the bytes back.
macro_rules! bytes_tlv {
    (
        $(#[$meta:meta])*
        pub struct $name:ident<'a> {
            $(#[$fmeta:meta])*
            pub $field:ident: &'a [u8] $(,)?
        }
        TYPE = $code:expr;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name<'a> {
            $(#[$fmeta])*
            pub $field: &'a [u8],
        }

        impl<'a> $crate::wire::tlv::TlvValue<'a> for $name<'a> {
            const TYPE: u16 = $code;

            fn parse_value(v: &'a [u8]) -> Result<Self, $crate::wire::error::Malformed> {
                Ok(Self { $field: v })
            }

            fn value_len(&self) -> usize {
                self.$field.len()
            }

            fn emit_value(&self, buf: &mut [u8]) {
                buf.copy_from_slice(self.$field);
            }
        }
    };
}
pub(crate) use bytes_tlv;

/// Defines a TLV without a value (a flag such as ECN Capable): the unit
/// struct, its [`TlvValue`] impl (any value is ignored on receipt) and a
/// `Display` that writes `label`.
macro_rules! empty_tlv {
    (
        $(#[$meta:meta])*
        pub struct $name:ident;
        TYPE = $code:expr, $label:literal;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name;

        impl $crate::wire::tlv::TlvValue<'_> for $name {
            const TYPE: u16 = $code;

            fn parse_value(_: &[u8]) -> Result<Self, $crate::wire::error::Malformed> {
                Ok(Self)
            }

            fn value_len(&self) -> usize {
                0
            }

            fn emit_value(&self, _: &mut [u8]) {}
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str($label)
            }
        }
    };
}
pub(crate) use empty_tlv;

/// Defines a parameter whose value is a list of fixed-size entries (chunk
/// types, HMAC identifiers, address types): the struct, its [`TlvValue`]
/// impl (a ragged value is [`Malformed::Ragged`] naming `entry`) and a
/// `Display` as `label [a, b, c]`.
macro_rules! list_param {
    (
        $(#[$meta:meta])*
        pub struct $name:ident<'a> {
            $(#[$fmeta:meta])*
            pub $field:ident: List<'a, $entry_ty:ty> $(,)?
        }
        TYPE = $code:expr, $label:literal, entry $entry:literal;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name<'a> {
            $(#[$fmeta])*
            pub $field: $crate::wire::list::List<'a, $entry_ty>,
        }

        impl<'a> $crate::wire::tlv::TlvValue<'a> for $name<'a> {
            const TYPE: u16 = $code;

            fn parse_value(v: &'a [u8]) -> Result<Self, $crate::wire::error::Malformed> {
                Ok(Self {
                    $field: $crate::wire::list::List::from_wire(v, $entry)?,
                })
            }

            fn value_len(&self) -> usize {
                self.$field.wire_len()
            }

            fn emit_value(&self, buf: &mut [u8]) {
                self.$field.emit(buf);
            }
        }

        impl core::fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(concat!($label, " "))?;
                $crate::wire::param::fmt_list(f, &self.$field, |f, t| write!(f, "{t}"))
            }
        }
    };
}

/// Defines an ASCONF request parameter that carries a correlation ID and a
/// nested address parameter (Add IP Address, Delete IP Address, Set Primary
/// Address): the struct, its address accessors, its [`TlvValue`] impl and a
/// `Display` starting with `label`.
///
/// The nested address is kept as raw bytes, so re-emission is byte-identical;
/// parsing only requires the correlation ID, so that the association can
/// answer a bad address with an Error Cause Indication.
macro_rules! asconf_address_param {
    (
        $(#[$meta:meta])*
        pub struct $name:ident<'a> {
            $(#[$id_meta:meta])*
            pub correlation_id: u32,
            $(#[$addr_meta:meta])*
            pub address: &'a [u8] $(,)?
        }
        TYPE = $code:expr, $label:literal;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name<'a> {
            $(#[$id_meta])*
            pub correlation_id: u32,
            $(#[$addr_meta])*
            pub address: &'a [u8],
        }

        impl<'a> $name<'a> {
            /// The IP address in the nested parameter; `None` if it is a parameter of another type.
            pub fn address(
                &self,
            ) -> Result<Option<std::net::IpAddr>, $crate::wire::error::Malformed> {
                $crate::wire::param::nested_ip_address(self.address)
            }

            /// The nested address parameter, parsed.
            pub fn parse_address(
                &self,
            ) -> Result<$crate::wire::param::Param<'a>, $crate::wire::error::Malformed> {
                $crate::wire::param::Param::parse(&$crate::wire::param::first_tlv(self.address)?)
            }
        }

        impl<'a> $crate::wire::tlv::TlvValue<'a> for $name<'a> {
            const TYPE: u16 = $code;

            fn parse_value(v: &'a [u8]) -> Result<Self, $crate::wire::error::Malformed> {
                $crate::wire::error::Malformed::check_len(v, 4)?;
                Ok(Self {
                    correlation_id: $crate::wire::param::read_u32(v, 0),
                    address: &v[4..],
                })
            }

            fn value_len(&self) -> usize {
                4 + self.address.len()
            }

            fn emit_value(&self, buf: &mut [u8]) {
                buf[0..4].copy_from_slice(&self.correlation_id.to_be_bytes());
                buf[4..].copy_from_slice(self.address);
            }
        }

        impl core::fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, concat!($label, " (correlation {}"), self.correlation_id)?;
                match self.address() {
                    Ok(Some(ip)) => write!(f, ", {ip})"),
                    _ => write!(f, ", {} address bytes)", self.address.len()),
                }
            }
        }
    };
}

/// Defines an Add Outgoing/Incoming Streams Request (RFC 6525 sections 4.5
/// and 4.6): the struct, its [`TlvValue`] impl (Reserved emitted as 0 and
/// ignored on receipt, as are bytes after it) and a `Display` starting with
/// `label`.
macro_rules! add_streams_request {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(#[$seq_meta:meta])*
            pub request_seq: u32,
            $(#[$n_meta:meta])*
            pub new_streams: u16 $(,)?
        }
        TYPE = $code:expr, $label:literal;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name {
            $(#[$seq_meta])*
            pub request_seq: u32,
            $(#[$n_meta])*
            pub new_streams: u16,
        }

        impl $crate::wire::tlv::TlvValue<'_> for $name {
            const TYPE: u16 = $code;

            fn parse_value(v: &[u8]) -> Result<Self, $crate::wire::error::Malformed> {
                $crate::wire::error::Malformed::check_len(v, 8)?;
                Ok(Self {
                    request_seq: $crate::wire::param::read_u32(v, 0),
                    new_streams: $crate::wire::param::read_u16(v, 4),
                })
            }

            fn value_len(&self) -> usize {
                8
            }

            fn emit_value(&self, buf: &mut [u8]) {
                buf[0..4].copy_from_slice(&self.request_seq.to_be_bytes());
                buf[4..6].copy_from_slice(&self.new_streams.to_be_bytes());
                buf[6..8].fill(0);
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(
                    f,
                    concat!($label, " (req {}, {} new streams)"),
                    self.request_seq, self.new_streams
                )
            }
        }
    };
}

mod adaptation_layer_indication;
mod add_incoming_streams_request;
mod add_ip_address;
mod add_outgoing_streams_request;
mod chunk_list;
mod cookie_preservative;
mod delete_ip_address;
mod ecn_capable;
mod error_cause_indication;
mod forward_tsn_supported;
mod heartbeat_info;
mod host_name_address;
mod incoming_ssn_reset_request;
mod ipv4_address;
mod ipv6_address;
mod outgoing_ssn_reset_request;
mod padding;
mod random;
mod reconfig_response;
mod requested_hmac_algorithm;
mod set_primary_address;
mod ssn_tsn_reset_request;
mod state_cookie;
mod success_indication;
mod supported_address_types;
mod supported_extensions;
mod unrecognized_parameter;
mod zero_checksum_acceptable;

pub use adaptation_layer_indication::AdaptationLayerIndication;
pub use add_incoming_streams_request::AddIncomingStreamsRequest;
pub use add_ip_address::AddIpAddress;
pub use add_outgoing_streams_request::AddOutgoingStreamsRequest;
pub use chunk_list::ChunkList;
pub use cookie_preservative::CookiePreservative;
pub use delete_ip_address::DeleteIpAddress;
pub use ecn_capable::EcnCapable;
pub use error_cause_indication::ErrorCauseIndication;
pub use forward_tsn_supported::ForwardTsnSupported;
pub use heartbeat_info::HeartbeatInfo;
pub use host_name_address::HostNameAddress;
pub use incoming_ssn_reset_request::IncomingSsnResetRequest;
pub use ipv4_address::Ipv4Address;
pub use ipv6_address::Ipv6Address;
pub use outgoing_ssn_reset_request::OutgoingSsnResetRequest;
pub use padding::Padding;
pub use random::Random;
pub use reconfig_response::{ReconfigResponse, ReconfigResult};
pub use requested_hmac_algorithm::RequestedHmacAlgorithm;
pub use set_primary_address::SetPrimaryAddress;
pub use ssn_tsn_reset_request::SsnTsnResetRequest;
pub use state_cookie::StateCookie;
pub use success_indication::SuccessIndication;
pub use supported_address_types::SupportedAddressTypes;
pub use supported_extensions::SupportedExtensions;
pub use unrecognized_parameter::UnrecognizedParameter;
pub use zero_checksum_acceptable::ZeroChecksumAcceptable;

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
    /// Heartbeat Info (RFC 9260 section 3.3.5).
    HeartbeatInfo(HeartbeatInfo<'a>),
    /// IPv4 Address (RFC 9260 section 3.3.2.1).
    Ipv4Address(Ipv4Address),
    /// IPv6 Address (RFC 9260 section 3.3.2.1).
    Ipv6Address(Ipv6Address),
    /// State Cookie (RFC 9260 section 3.3.3.1).
    StateCookie(StateCookie<'a>),
    /// Unrecognized Parameter (RFC 9260 section 3.3.3.1).
    UnrecognizedParameter(UnrecognizedParameter<'a>),
    /// Cookie Preservative (RFC 9260 section 3.3.2.1).
    CookiePreservative(CookiePreservative),
    /// Host Name Address (RFC 9260 section 3.3.2.1, deprecated).
    HostNameAddress(HostNameAddress<'a>),
    /// Supported Address Types (RFC 9260 section 3.3.2.1).
    SupportedAddressTypes(SupportedAddressTypes<'a>),
    /// Outgoing SSN Reset Request (RFC 6525 section 4.1).
    OutgoingSsnResetRequest(OutgoingSsnResetRequest<'a>),
    /// Incoming SSN Reset Request (RFC 6525 section 4.2).
    IncomingSsnResetRequest(IncomingSsnResetRequest<'a>),
    /// SSN/TSN Reset Request (RFC 6525 section 4.3).
    SsnTsnResetRequest(SsnTsnResetRequest),
    /// Re-configuration Response (RFC 6525 section 4.4).
    ReconfigResponse(ReconfigResponse),
    /// Add Outgoing Streams Request (RFC 6525 section 4.5).
    AddOutgoingStreamsRequest(AddOutgoingStreamsRequest),
    /// Add Incoming Streams Request (RFC 6525 section 4.6).
    AddIncomingStreamsRequest(AddIncomingStreamsRequest),
    /// ECN Capable (RFC 9260 appendix A).
    EcnCapable(EcnCapable),
    /// Zero Checksum Acceptable (RFC 9653 section 3).
    ZeroChecksumAcceptable(ZeroChecksumAcceptable),
    /// Random (RFC 4895 section 3.1).
    Random(Random<'a>),
    /// Chunk List (RFC 4895 section 3.2).
    ChunkList(ChunkList<'a>),
    /// Requested HMAC Algorithm (RFC 4895 section 3.3).
    RequestedHmacAlgorithm(RequestedHmacAlgorithm<'a>),
    /// Padding (RFC 4820 section 4).
    Padding(Padding<'a>),
    /// Supported Extensions (RFC 5061 section 4.2.7).
    SupportedExtensions(SupportedExtensions<'a>),
    /// Forward-TSN-Supported (RFC 3758 section 3.1).
    ForwardTsnSupported(ForwardTsnSupported),
    /// Add IP Address (RFC 5061 section 4.2.1).
    AddIpAddress(AddIpAddress<'a>),
    /// Delete IP Address (RFC 5061 section 4.2.2).
    DeleteIpAddress(DeleteIpAddress<'a>),
    /// Error Cause Indication (RFC 5061 section 4.2.3).
    ErrorCauseIndication(ErrorCauseIndication<'a>),
    /// Set Primary Address (RFC 5061 section 4.2.4).
    SetPrimaryAddress(SetPrimaryAddress<'a>),
    /// Success Indication (RFC 5061 section 4.2.5).
    SuccessIndication(SuccessIndication),
    /// Adaptation Layer Indication (RFC 5061 section 4.2.6).
    AdaptationLayerIndication(AdaptationLayerIndication),
}

/// Reads the big-endian `u16` at `at`; the caller has checked the length.
#[inline]
pub(crate) fn read_u16(v: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([v[at], v[at + 1]])
}

/// Reads the big-endian `u32` at `at`; the caller has checked the length.
#[inline]
pub(crate) fn read_u32(v: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([v[at], v[at + 1], v[at + 2], v[at + 3]])
}

/// The bytes of `bytes` before any trailing nulls, if they are UTF-8 (a
/// host name, an abort reason).
pub(crate) fn text_without_nulls(bytes: &[u8]) -> Option<&str> {
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    core::str::from_utf8(&bytes[..end]).ok()
}

/// Writes `list` as `[a, b, c]` with each entry formatted by `entry`.
pub(crate) fn fmt_list<T: FixedEntry>(
    f: &mut fmt::Formatter<'_>,
    list: &List<'_, T>,
    entry: impl Fn(&mut fmt::Formatter<'_>, T) -> fmt::Result,
) -> fmt::Result {
    f.write_str("[")?;
    for (i, item) in list.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        entry(f, item)?;
    }
    f.write_str("]")
}

/// Writes the stream numbers of an SSN Reset Request: `all` when the list
/// is empty (RFC 6525 sections 4.1 and 4.2), else `[a, b, c]`.
pub(crate) fn fmt_streams(f: &mut fmt::Formatter<'_>, streams: &List<'_, u16>) -> fmt::Result {
    if streams.is_empty() {
        f.write_str("all")
    } else {
        fmt_list(f, streams, |f, s| write!(f, "{s}"))
    }
}

/// The first TLV of a nested field (an address inside Add IP Address, say).
///
/// Fails when the field is empty or the TLV's length is bad; bytes after the
/// first TLV are not looked at.
pub fn first_tlv(bytes: &[u8]) -> Result<RawTlv<'_>, Malformed> {
    TlvIter::new(bytes)
        .next()
        .unwrap_or(Err(Malformed::TooShort {
            needed: 4,
            got: bytes.len(),
        }))
}

/// The IP address in a nested IPv4/IPv6 Address parameter.
///
/// `Ok(None)` when the nested TLV is a well-formed parameter of another type
/// (a Host Name Address, say); an error when it is malformed or missing.
pub fn nested_ip_address(bytes: &[u8]) -> Result<Option<IpAddr>, Malformed> {
    let raw = first_tlv(bytes)?;
    Ok(match Param::parse(&raw)? {
        Param::Ipv4Address(a) => Some(IpAddr::V4(a.0)),
        Param::Ipv6Address(a) => Some(IpAddr::V6(a.0)),
        _ => None,
    })
}

/// Writes `ip` as an IPv4 or IPv6 Address parameter into `buf` and returns
/// the bytes written: the nested `address` of [`AddIpAddress`] and friends.
pub fn encode_address(ip: IpAddr, buf: &mut [u8; 20]) -> &[u8] {
    let p = Param::from(ip);
    // 20 bytes hold the larger (IPv6) parameter, so this cannot fail.
    let n = p.emit(buf).unwrap_or(0);
    &buf[..n]
}

impl From<IpAddr> for Param<'_> {
    fn from(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(a) => Self::Ipv4Address(Ipv4Address(a)),
            IpAddr::V6(a) => Self::Ipv6Address(Ipv6Address(a)),
        }
    }
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
