//! Out of Resource error cause (RFC 9260 section 3.3.10.4).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 4            |     Cause Length = 4          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The RFC defines no cause information; any that arrives is ignored (so that
//! cause is not re-emitted byte for byte).

use core::fmt;

use crate::wire::error::Malformed;
use crate::wire::tlv::TlvValue;

/// The sender is out of resource (typically memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct OutOfResource;

impl TlvValue<'_> for OutOfResource {
    const TYPE: u16 = 0x0004;

    fn parse_value(_: &[u8]) -> Result<Self, Malformed> {
        Ok(Self)
    }

    fn value_len(&self) -> usize {
        0
    }

    fn emit_value(&self, _: &mut [u8]) {}
}

impl fmt::Display for OutOfResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Out of Resource")
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc9260_3_3_10_4_out_of_resource_round_trip() {
        // Wireshark: Out of resource (4), cause length 4.
        let bytes = [0x00, 0x04, 0x00, 0x04];
        assert_eq!(round_trip(&bytes), Cause::OutOfResource(OutOfResource));
    }

    #[test]
    fn rfc9260_3_3_10_4_out_of_resource_stray_value() {
        assert_eq!(OutOfResource::parse_value(&[1, 2, 3]), Ok(OutOfResource));
        assert_eq!(OutOfResource.tlv_len(), 4);
        assert_eq!(Cause::from(OutOfResource).to_string(), "Out of Resource");
    }
}
