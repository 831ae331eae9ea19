//! Restart of an Association with New Addresses error cause (RFC 9260 section 3.3.10.11).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 11           |     Cause Length = Variable   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                        New Address TLVs                       /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The nested parameters are kept as raw bytes, so re-emission is
//! byte-identical; [`RestartWithNewAddresses::parse_params`] interprets them.

nested_params_cause! {
    /// An INIT tried to restart an association with addresses it did not have.
    pub struct RestartWithNewAddresses<'a> {
        /// The new addresses, complete address parameters as sent.
        pub new_addresses: &'a [u8],
    }
    TYPE = 0x000b, "Restart of an Association with New Addresses";
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc9260_3_3_10_11_restart_with_new_addresses_round_trip() {
        // Wireshark: Restart of an association with new addresses (11), cause length 12, IPv4 address
        // parameter (Address: 203.0.113.7).
        let bytes = [
            0x00, 0x0b, 0x00, 0x0c, 0x00, 0x05, 0x00, 0x08, 203, 0, 113, 7,
        ];
        let Cause::RestartWithNewAddresses(c) = round_trip(&bytes) else {
            panic!("expected Restart of an Association with New Addresses")
        };
        let params = c.parse_params().unwrap();
        assert_eq!(params.len(), 1);
        assert_eq!(params[0].param_type(), 5);
        assert_eq!(c.param_tlvs().count(), 1);
    }

    #[test]
    fn rfc9260_3_3_10_11_restart_with_new_addresses_malformed_nested() {
        // Kept raw: only the accessor complains about a truncated nested TLV.
        let c = RestartWithNewAddresses::parse_value(&[0x00, 0x05, 0x00, 0x08, 10]).unwrap();
        assert!(c.parse_params().is_err());
        assert_eq!(
            c.to_string(),
            "Restart of an Association with New Addresses (5 bytes)"
        );
        let c = RestartWithNewAddresses::parse_value(&[]).unwrap();
        assert_eq!(c.parse_params(), Ok(vec![]));
        assert_eq!(c.tlv_len(), 4);
    }
}
