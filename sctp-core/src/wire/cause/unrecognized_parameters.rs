//! Unrecognized Parameters error cause (RFC 9260 section 3.3.10.8).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 8            |     Cause Length = Variable   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                    Unrecognized Parameters                    /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The nested parameters are kept as raw bytes, so re-emission is
//! byte-identical; [`UnrecognizedParameters::parse_params`] interprets them.

nested_params_cause! {
    /// Parameters of an INIT ACK that the receiver did not recognize.
    pub struct UnrecognizedParameters<'a> {
        /// The unrecognized parameters, complete TLVs as received.
        pub params: &'a [u8],
    }
    TYPE = 0x0008, "Unrecognized Parameters";
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc9260_3_3_10_8_unrecognized_parameters_round_trip() {
        // Wireshark: Unrecognized parameters (8), cause length 12, Unrecognized parameter: Unknown
        // parameter (type 0x8123, length 6, value 0102), padding 0000.
        let bytes = [
            0x00, 0x08, 0x00, 0x0c, 0x81, 0x23, 0x00, 0x06, 0x01, 0x02, 0x00, 0x00,
        ];
        let Cause::UnrecognizedParameters(c) = round_trip(&bytes) else {
            panic!("expected Unrecognized Parameters")
        };
        let params = c.parse_params().unwrap();
        assert_eq!(params.len(), 1);
        assert_eq!(params[0].param_type(), 0x8123);
        assert_eq!(c.param_tlvs().count(), 1);
    }

    #[test]
    fn rfc9260_3_3_10_8_unrecognized_parameters_malformed_nested() {
        // Kept raw: only the accessor complains about a truncated nested TLV.
        let c = UnrecognizedParameters::parse_value(&[0x00, 0x05, 0x00, 0x08, 10]).unwrap();
        assert!(c.parse_params().is_err());
        assert_eq!(c.to_string(), "Unrecognized Parameters (5 bytes)");
        let c = UnrecognizedParameters::parse_value(&[]).unwrap();
        assert_eq!(c.parse_params(), Ok(vec![]));
        assert_eq!(c.tlv_len(), 4);
    }
}
