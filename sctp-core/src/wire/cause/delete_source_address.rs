//! Request to Delete Source IP Address error cause (RFC 5061 section 5.3.3).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 0x00A2       |     Cause Length = Variable   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                         TLV-Parameter                         /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The nested parameters are kept as raw bytes, so re-emission is
//! byte-identical; [`DeleteSourceAddress::parse_params`] interprets them.

nested_params_cause! {
    /// An ASCONF asked to delete the address it was sent from.
    pub struct DeleteSourceAddress<'a> {
        /// The offending request's parameter (TLV-Parameter), as sent.
        pub params: &'a [u8],
    }
    TYPE = 0x00a2, "Request to Delete Source IP Address";
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc5061_5_3_3_delete_source_address_round_trip() {
        // Wireshark: Request to delete source IP address (0x00a2), cause length 20, Delete IP address
        // parameter (Correlation_id: 3, IPv4 address parameter (Address: 10.0.0.3)).
        let bytes = [
            0x00, 0xa2, 0x00, 0x14, 0xc0, 0x02, 0x00, 0x10, 0x00, 0x00, 0x00, 0x03, 0x00, 0x05,
            0x00, 0x08, 10, 0, 0, 3,
        ];
        let Cause::DeleteSourceAddress(c) = round_trip(&bytes) else {
            panic!("expected Request to Delete Source IP Address")
        };
        let params = c.parse_params().unwrap();
        assert_eq!(params.len(), 1);
        assert_eq!(params[0].param_type(), 0xc002);
        assert_eq!(c.param_tlvs().count(), 1);
    }

    #[test]
    fn rfc5061_5_3_3_delete_source_address_malformed_nested() {
        // Kept raw: only the accessor complains about a truncated nested TLV.
        let c = DeleteSourceAddress::parse_value(&[0x00, 0x05, 0x00, 0x08, 10]).unwrap();
        assert!(c.parse_params().is_err());
        assert_eq!(
            c.to_string(),
            "Request to Delete Source IP Address (5 bytes)"
        );
        let c = DeleteSourceAddress::parse_value(&[]).unwrap();
        assert_eq!(c.parse_params(), Ok(vec![]));
        assert_eq!(c.tlv_len(), 4);
    }
}
