//! Request to Delete Last Remaining IP Address error cause (RFC 5061 section 5.3.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 0x00A0       |     Cause Length = Variable   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                         TLV-Parameter                         /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The nested parameters are kept as raw bytes, so re-emission is
//! byte-identical; [`DeleteLastRemainingAddress::parse_params`] interprets them.

nested_params_cause! {
    /// An ASCONF asked to delete the association's last remaining address.
    pub struct DeleteLastRemainingAddress<'a> {
        /// The offending request's parameter (TLV-Parameter), as sent.
        pub params: &'a [u8],
    }
    TYPE = 0x00a0, "Request to Delete Last Remaining IP Address";
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc5061_5_3_1_delete_last_remaining_address_round_trip() {
        // Wireshark: Request to delete last remaining IP address (0x00a0), cause length 20, Delete IP
        // address parameter (Correlation_id: 1, IPv4 address parameter (Address: 10.0.0.1)).
        let bytes = [
            0x00, 0xa0, 0x00, 0x14, 0xc0, 0x02, 0x00, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x05,
            0x00, 0x08, 10, 0, 0, 1,
        ];
        let Cause::DeleteLastRemainingAddress(c) = round_trip(&bytes) else {
            panic!("expected Request to Delete Last Remaining IP Address")
        };
        let params = c.parse_params().unwrap();
        assert_eq!(params.len(), 1);
        assert_eq!(params[0].param_type(), 0xc002);
        assert_eq!(c.param_tlvs().count(), 1);
    }

    #[test]
    fn rfc5061_5_3_1_delete_last_remaining_address_malformed_nested() {
        // Kept raw: only the accessor complains about a truncated nested TLV.
        let c = DeleteLastRemainingAddress::parse_value(&[0x00, 0x05, 0x00, 0x08, 10]).unwrap();
        assert!(c.parse_params().is_err());
        assert_eq!(
            c.to_string(),
            "Request to Delete Last Remaining IP Address (5 bytes)"
        );
        let c = DeleteLastRemainingAddress::parse_value(&[]).unwrap();
        assert_eq!(c.parse_params(), Ok(vec![]));
        assert_eq!(c.tlv_len(), 4);
    }
}
