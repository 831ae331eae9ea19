//! Operation Refused Due to Resource Shortage error cause (RFC 5061 section 5.3.2).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 0x00A1       |     Cause Length = Variable   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                         TLV-Parameter                         /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The nested parameters are kept as raw bytes, so re-emission is
//! byte-identical; [`OperationRefusedResourceShortage::parse_params`] interprets them.

nested_params_cause! {
    /// An ASCONF request was refused for lack of resources.
    pub struct OperationRefusedResourceShortage<'a> {
        /// The refused request's parameter (TLV-Parameter), as sent.
        pub params: &'a [u8],
    }
    TYPE = 0x00a1, "Operation Refused Due to Resource Shortage";
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc5061_5_3_2_operation_refused_resource_shortage_round_trip() {
        // Wireshark: Operation refused due to resource shortage (0x00a1), cause length 20, Add IP address
        // parameter (Correlation_id: 2, IPv4 address parameter (Address: 10.0.0.2)).
        let bytes = [
            0x00, 0xa1, 0x00, 0x14, 0xc0, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x02, 0x00, 0x05,
            0x00, 0x08, 10, 0, 0, 2,
        ];
        let Cause::OperationRefusedResourceShortage(c) = round_trip(&bytes) else {
            panic!("expected Operation Refused Due to Resource Shortage")
        };
        let params = c.parse_params().unwrap();
        assert_eq!(params.len(), 1);
        assert_eq!(params[0].param_type(), 0xc001);
        assert_eq!(c.param_tlvs().count(), 1);
    }

    #[test]
    fn rfc5061_5_3_2_operation_refused_resource_shortage_malformed_nested() {
        // Kept raw: only the accessor complains about a truncated nested TLV.
        let c =
            OperationRefusedResourceShortage::parse_value(&[0x00, 0x05, 0x00, 0x08, 10]).unwrap();
        assert!(c.parse_params().is_err());
        assert_eq!(
            c.to_string(),
            "Operation Refused Due to Resource Shortage (5 bytes)"
        );
        let c = OperationRefusedResourceShortage::parse_value(&[]).unwrap();
        assert_eq!(c.parse_params(), Ok(vec![]));
        assert_eq!(c.tlv_len(), 4);
    }
}
