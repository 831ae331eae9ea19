//! Missing Mandatory Parameter error cause (RFC 9260 section 3.3.10.2).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 2            |   Cause Length = 8 + N * 2    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                   Number of missing params = N                |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Missing Param Type #1       |   Missing Param Type #2       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Missing Param Type #N-1     |   Missing Param Type #N       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The count must match the types that follow; the count is not stored but
//! derived from the list when emitting.

use core::fmt;

use crate::wire::error::Malformed;
use crate::wire::list::List;
use crate::wire::param::read_u32;
use crate::wire::tlv::TlvValue;

/// An INIT or INIT ACK lacks mandatory parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingMandatoryParameter<'a> {
    /// The parameter types that are missing.
    pub missing_types: List<'a, u16>,
}

impl<'a> TlvValue<'a> for MissingMandatoryParameter<'a> {
    const TYPE: u16 = 2;

    fn parse_value(v: &'a [u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, 4)?;
        let count = u64::from(read_u32(v, 0));
        let missing_types = List::from_wire(&v[4..], "missing param type")?;
        if missing_types.len() as u64 != count {
            return Err(Malformed::Invalid {
                field: "number of missing params",
            });
        }
        Ok(Self { missing_types })
    }

    fn value_len(&self) -> usize {
        4 + self.missing_types.wire_len()
    }

    fn emit_value(&self, buf: &mut [u8]) {
        // A cause fits in 64 KiB, so the count fits in 32 bits.
        let count = u32::try_from(self.missing_types.len()).unwrap_or(u32::MAX);
        buf[0..4].copy_from_slice(&count.to_be_bytes());
        self.missing_types.emit(&mut buf[4..]);
    }
}

impl fmt::Display for MissingMandatoryParameter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Missing Mandatory Parameter ")?;
        crate::wire::param::fmt_list(f, &self.missing_types, |f, t| write!(f, "{t}"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc9260_3_3_10_2_missing_mandatory_parameter_round_trip() {
        // Wireshark: Missing mandatory parameter (2), cause length 10, Number of missing
        // parameters: 1, Missing parameter type: State cookie (7), padding 0000.
        let bytes = [
            0x00, 0x02, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x07, 0x00, 0x00,
        ];
        let c = round_trip(&bytes);
        assert_eq!(
            c,
            Cause::MissingMandatoryParameter(MissingMandatoryParameter {
                missing_types: List::Items(&[7])
            })
        );
        assert_eq!(c.to_string(), "Missing Mandatory Parameter [7]");
    }

    #[test]
    fn rfc9260_3_3_10_2_missing_mandatory_parameter_count_mismatch() {
        let bad_count = [0, 0, 0, 2, 0, 7];
        assert_eq!(
            MissingMandatoryParameter::parse_value(&bad_count),
            Err(Malformed::Invalid {
                field: "number of missing params"
            })
        );
        let huge = [0xff, 0xff, 0xff, 0xff];
        assert!(MissingMandatoryParameter::parse_value(&huge).is_err());
        assert!(matches!(
            MissingMandatoryParameter::parse_value(&[0, 0, 0, 1, 0, 7, 0]),
            Err(Malformed::Ragged { .. })
        ));
        assert!(MissingMandatoryParameter::parse_value(&[0, 0, 0]).is_err());
        let none = MissingMandatoryParameter::parse_value(&[0, 0, 0, 0]).unwrap();
        assert!(none.missing_types.is_empty());
    }
}
