//! Error causes of ERROR and ABORT chunks (RFC 9260 section 3.3.10 and the
//! extensions), one file per cause.
//!
//! A cause of a type this stack does not know is kept as [`Cause::Unknown`].

use core::fmt;

use super::error::{BufferTooSmall, Malformed};
use super::tlv::{self, RawTlv, TlvIter, TlvValue, emit_tlv, padded};

/// Defines an error cause whose information is a list of complete parameter
/// TLVs (Unrecognized Parameters, Restart with New Addresses and the ASCONF
/// causes of RFC 5061 section 5.3): the struct, its accessors, its
/// [`TlvValue`] impl and a `Display` as `label (param, param)`.
///
/// The nested parameters are kept as raw bytes, so re-emission is
/// byte-identical and a malformed nested TLV only fails the accessors.
macro_rules! nested_params_cause {
    (
        $(#[$meta:meta])*
        pub struct $name:ident<'a> {
            $(#[$fmeta:meta])*
            pub $field:ident: &'a [u8] $(,)?
        }
        TYPE = $code:expr, $label:literal;
    ) => {
        $crate::wire::param::bytes_tlv! {
            $(#[$meta])*
            pub struct $name<'a> {
                $(#[$fmeta])*
                pub $field: &'a [u8],
            }
            TYPE = $code;
        }

        impl<'a> $name<'a> {
            /// The nested parameters, parsed.
            pub fn parse_params(
                &self,
            ) -> Result<Vec<$crate::wire::param::Param<'a>>, $crate::wire::error::Malformed> {
                $crate::wire::param::parse_all(self.$field)
            }

            /// The nested parameters as raw TLVs.
            pub fn param_tlvs(&self) -> $crate::wire::tlv::TlvIter<'a> {
                $crate::wire::tlv::TlvIter::new(self.$field)
            }
        }

        impl core::fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str($label)?;
                match self.parse_params() {
                    Ok(params) if !params.is_empty() => {
                        for (i, p) in params.iter().enumerate() {
                            f.write_str(if i == 0 { " (" } else { ", " })?;
                            write!(f, "{p}")?;
                        }
                        f.write_str(")")
                    }
                    _ => write!(f, " ({} bytes)", self.$field.len()),
                }
            }
        }
    };
}

mod cookie_received_while_shutting_down;
mod delete_last_remaining_address;
mod delete_source_address;
mod illegal_asconf_ack;
mod invalid_mandatory_parameter;
mod invalid_stream_identifier;
mod missing_mandatory_parameter;
mod no_user_data;
mod operation_refused_resource_shortage;
mod out_of_resource;
mod protocol_violation;
mod request_refused_no_authorization;
mod restart_with_new_addresses;
mod stale_cookie;
mod unrecognized_chunk_type;
mod unrecognized_parameters;
mod unresolvable_address;
mod unsupported_hmac_identifier;
mod user_initiated_abort;

pub use cookie_received_while_shutting_down::CookieReceivedWhileShuttingDown;
pub use delete_last_remaining_address::DeleteLastRemainingAddress;
pub use delete_source_address::DeleteSourceAddress;
pub use illegal_asconf_ack::IllegalAsconfAck;
pub use invalid_mandatory_parameter::InvalidMandatoryParameter;
pub use invalid_stream_identifier::InvalidStreamIdentifier;
pub use missing_mandatory_parameter::MissingMandatoryParameter;
pub use no_user_data::NoUserData;
pub use operation_refused_resource_shortage::OperationRefusedResourceShortage;
pub use out_of_resource::OutOfResource;
pub use protocol_violation::ProtocolViolation;
pub use request_refused_no_authorization::RequestRefusedNoAuthorization;
pub use restart_with_new_addresses::RestartWithNewAddresses;
pub use stale_cookie::StaleCookie;
pub use unrecognized_chunk_type::UnrecognizedChunkType;
pub use unrecognized_parameters::UnrecognizedParameters;
pub use unresolvable_address::UnresolvableAddress;
pub use unsupported_hmac_identifier::UnsupportedHmacIdentifier;
pub use user_initiated_abort::UserInitiatedAbort;

/// An error cause code (RFC 9260 section 3.3.10 and the extensions' registries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CauseCode(pub u16);

macro_rules! cause_codes {
    ($( $(#[$doc:meta])* $name:ident = $ty:ty, )*) => {
        impl CauseCode {
            $( $(#[$doc])* pub const $name: Self = Self(<$ty as TlvValue<'static>>::TYPE); )*
        }
    };
}

cause_codes! {
    /// Invalid Stream Identifier (1).
    INVALID_STREAM_IDENTIFIER = InvalidStreamIdentifier,
    /// Missing Mandatory Parameter (2).
    MISSING_MANDATORY_PARAMETER = MissingMandatoryParameter<'static>,
    /// Stale Cookie Error (3).
    STALE_COOKIE = StaleCookie,
    /// Out of Resource (4).
    OUT_OF_RESOURCE = OutOfResource,
    /// Unresolvable Address (5).
    UNRESOLVABLE_ADDRESS = UnresolvableAddress<'static>,
    /// Unrecognized Chunk Type (6).
    UNRECOGNIZED_CHUNK_TYPE = UnrecognizedChunkType<'static>,
    /// Invalid Mandatory Parameter (7).
    INVALID_MANDATORY_PARAMETER = InvalidMandatoryParameter,
    /// Unrecognized Parameters (8).
    UNRECOGNIZED_PARAMETERS = UnrecognizedParameters<'static>,
    /// No User Data (9).
    NO_USER_DATA = NoUserData,
    /// Cookie Received While Shutting Down (10).
    COOKIE_RECEIVED_WHILE_SHUTTING_DOWN = CookieReceivedWhileShuttingDown,
    /// Restart of an Association with New Addresses (11).
    RESTART_WITH_NEW_ADDRESSES = RestartWithNewAddresses<'static>,
    /// User-Initiated Abort (12).
    USER_INITIATED_ABORT = UserInitiatedAbort<'static>,
    /// Protocol Violation (13).
    PROTOCOL_VIOLATION = ProtocolViolation<'static>,
    /// Request to Delete Last Remaining IP Address (RFC 5061, 0x00A0).
    DELETE_LAST_REMAINING_ADDRESS = DeleteLastRemainingAddress<'static>,
    /// Operation Refused Due to Resource Shortage (RFC 5061, 0x00A1).
    OPERATION_REFUSED_RESOURCE_SHORTAGE = OperationRefusedResourceShortage<'static>,
    /// Request to Delete Source IP Address (RFC 5061, 0x00A2).
    DELETE_SOURCE_ADDRESS = DeleteSourceAddress<'static>,
    /// Association Aborted Due to Illegal ASCONF-ACK (RFC 5061, 0x00A3).
    ILLEGAL_ASCONF_ACK = IllegalAsconfAck,
    /// Request Refused - No Authorization (RFC 5061, 0x00A4).
    REQUEST_REFUSED_NO_AUTHORIZATION = RequestRefusedNoAuthorization<'static>,
    /// Unsupported HMAC Identifier (RFC 4895, 0x0105).
    UNSUPPORTED_HMAC_IDENTIFIER = UnsupportedHmacIdentifier,
}

impl fmt::Display for CauseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An error cause of a type this stack does not implement, kept verbatim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnknownCause<'a> {
    /// The cause code.
    pub cause_code: u16,
    /// The cause information, without header or padding.
    pub value: &'a [u8],
}

macro_rules! causes {
    ($( $(#[$doc:meta])* $variant:ident($ty:ty), )*) => {
        /// Every error cause the stack knows, parsed, plus [`Cause::Unknown`] for the rest.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Cause<'a> {
            $( $(#[$doc])* $variant($ty), )*
            /// A cause of a type this stack does not implement.
            Unknown(UnknownCause<'a>),
        }

        impl<'a> Cause<'a> {
            /// Interprets a raw TLV as an error cause.
            pub fn parse(raw: &RawTlv<'a>) -> Result<Self, Malformed> {
                Ok(match raw.tlv_type {
                    $( <$ty as TlvValue<'a>>::TYPE => Self::$variant(tlv::parse(raw)?), )*
                    _ => Self::Unknown(UnknownCause { cause_code: raw.tlv_type, value: raw.value }),
                })
            }

            /// The cause code.
            pub fn cause_code(&self) -> u16 {
                match self {
                    $( Self::$variant(_) => <$ty as TlvValue<'a>>::TYPE, )*
                    Self::Unknown(u) => u.cause_code,
                }
            }

            /// Length on the wire including header and padding.
            pub fn tlv_len(&self) -> usize {
                match self {
                    $( Self::$variant(c) => c.tlv_len(), )*
                    Self::Unknown(u) => padded(4 + u.value.len()),
                }
            }

            /// Writes the cause; returns the bytes used including padding.
            pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
                match self {
                    $( Self::$variant(c) => tlv::emit(c, buf), )*
                    Self::Unknown(u) => emit_tlv(buf, u.cause_code, u.value.len(), |v| v.copy_from_slice(u.value)),
                }
            }
        }

        impl fmt::Display for Cause<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $( Self::$variant(c) => fmt::Display::fmt(c, f), )*
                    Self::Unknown(u) => write!(f, "UNKNOWN_CAUSE({:#06x}, {} bytes)", u.cause_code, u.value.len()),
                }
            }
        }

        $(
            impl<'a> From<$ty> for Cause<'a> {
                fn from(c: $ty) -> Self {
                    Self::$variant(c)
                }
            }
        )*
    };
}

causes! {
    /// Invalid Stream Identifier (RFC 9260 section 3.3.10.1).
    InvalidStreamIdentifier(InvalidStreamIdentifier),
    /// Missing Mandatory Parameter (RFC 9260 section 3.3.10.2).
    MissingMandatoryParameter(MissingMandatoryParameter<'a>),
    /// Stale Cookie Error (RFC 9260 section 3.3.10.3).
    StaleCookie(StaleCookie),
    /// Out of Resource (RFC 9260 section 3.3.10.4).
    OutOfResource(OutOfResource),
    /// Unresolvable Address (RFC 9260 section 3.3.10.5).
    UnresolvableAddress(UnresolvableAddress<'a>),
    /// Unrecognized Chunk Type (RFC 9260 section 3.3.10.6).
    UnrecognizedChunkType(UnrecognizedChunkType<'a>),
    /// Invalid Mandatory Parameter (RFC 9260 section 3.3.10.7).
    InvalidMandatoryParameter(InvalidMandatoryParameter),
    /// Unrecognized Parameters (RFC 9260 section 3.3.10.8).
    UnrecognizedParameters(UnrecognizedParameters<'a>),
    /// No User Data (RFC 9260 section 3.3.10.9).
    NoUserData(NoUserData),
    /// Cookie Received While Shutting Down (RFC 9260 section 3.3.10.10).
    CookieReceivedWhileShuttingDown(CookieReceivedWhileShuttingDown),
    /// Restart of an Association with New Addresses (RFC 9260 section 3.3.10.11).
    RestartWithNewAddresses(RestartWithNewAddresses<'a>),
    /// User-Initiated Abort (RFC 9260 section 3.3.10.12).
    UserInitiatedAbort(UserInitiatedAbort<'a>),
    /// Protocol Violation (RFC 9260 section 3.3.10.13).
    ProtocolViolation(ProtocolViolation<'a>),
    /// Request to Delete Last Remaining IP Address (RFC 5061 section 5.3.1).
    DeleteLastRemainingAddress(DeleteLastRemainingAddress<'a>),
    /// Operation Refused Due to Resource Shortage (RFC 5061 section 5.3.2).
    OperationRefusedResourceShortage(OperationRefusedResourceShortage<'a>),
    /// Request to Delete Source IP Address (RFC 5061 section 5.3.3).
    DeleteSourceAddress(DeleteSourceAddress<'a>),
    /// Association Aborted Due to Illegal ASCONF-ACK (RFC 5061 section 5.3.4).
    IllegalAsconfAck(IllegalAsconfAck),
    /// Request Refused - No Authorization (RFC 5061 section 5.3.5).
    RequestRefusedNoAuthorization(RequestRefusedNoAuthorization<'a>),
    /// Unsupported HMAC Identifier (RFC 4895 section 4.1).
    UnsupportedHmacIdentifier(UnsupportedHmacIdentifier),
}

/// Parses a sequence of error causes (the variable part of ERROR and ABORT).
pub fn parse_all(buf: &[u8]) -> Result<Vec<Cause<'_>>, Malformed> {
    TlvIter::new(buf)
        .map(|raw| raw.and_then(|raw| Cause::parse(&raw)))
        .collect()
}

/// Length on the wire of a sequence of causes.
pub fn wire_len(causes: &[Cause<'_>]) -> usize {
    causes.iter().map(Cause::tlv_len).sum()
}

/// Writes a sequence of causes into `buf`; returns the bytes used.
pub fn emit_all(causes: &[Cause<'_>], buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
    let mut pos = 0;
    for c in causes {
        let rest = buf.get_mut(pos..).unwrap_or_default();
        pos += c.emit(rest)?;
    }
    Ok(pos)
}

/// Test helpers shared by the cause files.
#[cfg(test)]
pub(crate) mod test_util {
    use super::*;

    /// Parses `bytes` as exactly one cause, re-emits it and checks the bytes are identical.
    pub(crate) fn round_trip(bytes: &[u8]) -> Cause<'_> {
        let mut it = TlvIter::new(bytes);
        let raw = it.next().expect("one TLV").expect("well-formed TLV");
        let c = Cause::parse(&raw).expect("parse");
        let mut out = vec![0u8; c.tlv_len()];
        let n = c.emit(&mut out).expect("emit");
        assert_eq!(&out[..n], &bytes[..n], "re-emitted bytes differ");
        assert_eq!(n, padded(raw.length()));
        c
    }
}
