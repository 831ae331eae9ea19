//! Invalid Mandatory Parameter error cause (RFC 9260 section 3.3.10.7).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 7            |     Cause Length = 4          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The RFC defines no cause information; any that arrives is ignored (so that
//! cause is not re-emitted byte for byte).

use core::fmt;

use crate::wire::error::Malformed;
use crate::wire::tlv::TlvValue;

/// A mandatory parameter of an INIT or INIT ACK is set to an invalid value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct InvalidMandatoryParameter;

impl TlvValue<'_> for InvalidMandatoryParameter {
    const TYPE: u16 = 0x0007;

    fn parse_value(_: &[u8]) -> Result<Self, Malformed> {
        Ok(Self)
    }

    fn value_len(&self) -> usize {
        0
    }

    fn emit_value(&self, _: &mut [u8]) {}
}

impl fmt::Display for InvalidMandatoryParameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Invalid Mandatory Parameter")
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc9260_3_3_10_7_invalid_mandatory_parameter_round_trip() {
        // Wireshark: Invalid mandatory parameter (7), cause length 4.
        let bytes = [0x00, 0x07, 0x00, 0x04];
        assert_eq!(
            round_trip(&bytes),
            Cause::InvalidMandatoryParameter(InvalidMandatoryParameter)
        );
    }

    #[test]
    fn rfc9260_3_3_10_7_invalid_mandatory_parameter_stray_value() {
        assert_eq!(
            InvalidMandatoryParameter::parse_value(&[1, 2, 3]),
            Ok(InvalidMandatoryParameter)
        );
        assert_eq!(InvalidMandatoryParameter.tlv_len(), 4);
        assert_eq!(
            Cause::from(InvalidMandatoryParameter).to_string(),
            "Invalid Mandatory Parameter"
        );
    }
}
