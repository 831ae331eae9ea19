//! Operation Error, the ERROR chunk (RFC 9260 section 3.3.10).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 9    | Chunk  Flags  |           Length              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                                                               \
//! /                    one or more Error Causes                   /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! An ERROR without causes parses; what to make of it is the engine's call.

use core::fmt;

use super::{ChunkValue, emit_causes, emit_with_tlv_tail, fmt_causes};
use crate::wire::cause::{self, Cause};
use crate::wire::error::{BufferTooSmall, Malformed};

/// ERROR: reports conditions that do not end the association.
///
/// The emitted Chunk Length leaves out the last cause's padding (RFC 9260
/// section 3.2), which [`ChunkValue::value_len`] counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationError<'a> {
    /// The error causes, in wire order.
    pub causes: Vec<Cause<'a>>,
}

impl<'a> ChunkValue<'a> for OperationError<'a> {
    const TYPE: u8 = 9;

    fn parse_value(_flags: u8, v: &'a [u8]) -> Result<Self, Malformed> {
        Ok(Self {
            causes: cause::parse_all(v)?,
        })
    }

    fn value_len(&self) -> usize {
        cause::wire_len(&self.causes)
    }

    fn emit_value(&self, buf: &mut [u8]) {
        emit_causes(&self.causes, buf);
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
        emit_with_tlv_tail(self, buf, self.causes.last().map(Cause::tlv_len))
    }
}

impl fmt::Display for OperationError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ERROR")?;
        fmt_causes(f, &self.causes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::test_util::round_trip;
    use super::*;
    use crate::wire::cause::{StaleCookie, UnknownCause};
    use crate::wire::error::NestedReason;

    #[test]
    fn rfc9260_3_3_10_error_stale_cookie_from_capture() {
        // Wireshark: ERROR chunk, flags 0x00, length 12
        //   Stale cookie error cause (Measure of staleness 1000000 usec), code 3, length 8
        let bytes = [
            0x09, 0x00, 0x00, 0x0c, 0x00, 0x03, 0x00, 0x08, 0x00, 0x0f, 0x42, 0x40,
        ];
        assert_eq!(
            round_trip(&bytes),
            Chunk::Error(OperationError {
                causes: vec![Cause::StaleCookie(StaleCookie {
                    staleness_us: 1_000_000
                })]
            })
        );
    }

    #[test]
    fn rfc9260_3_3_10_error_cause_lengths() {
        // An unknown cause with a 1-byte value, then a cause running past the value,
        // reported at its offset (8) within the chunk value.
        let v = [
            0x7f, 0x10, 0x00, 0x05, 0xee, 0, 0, 0, 0x7f, 0x11, 0x00, 0x0c, 0,
        ];
        assert_eq!(
            OperationError::parse_value(0, &v),
            Err(Malformed::Nested {
                tlv_type: 0x7f11,
                offset: 8,
                reason: NestedReason::Truncated {
                    length: 12,
                    available: 5
                }
            })
        );
        let e = OperationError::parse_value(0, &v[..5]).unwrap();
        assert_eq!(
            e.causes,
            [Cause::Unknown(UnknownCause {
                cause_code: 0x7f10,
                value: &[0xee]
            })]
        );
        assert_eq!(e.to_string(), "ERROR: UNKNOWN_CAUSE(0x7f10, 1 bytes)");
        assert_eq!(OperationError::parse_value(0, &[]).unwrap().causes, []);
    }
}
