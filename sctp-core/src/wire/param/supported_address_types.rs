//! Supported Address Types parameter (RFC 9260 section 3.3.2.1), sent in INIT.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Type = 12            |          Length               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Address Type #1        |        Address Type #2        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                            ......                             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! An address type is the parameter type of the address: 5 (IPv4), 6 (IPv6)
//! or 11 (host name).

list_param! {
    /// The address types the sender of an INIT can use.
    pub struct SupportedAddressTypes<'a> {
        /// The address types, as parameter type codes.
        pub address_types: List<'a, u16>,
    }
    TYPE = 12, "Supported Address Types", entry "address type";
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;
    use crate::wire::error::Malformed;
    use crate::wire::list::List;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc9260_3_3_2_1_supported_address_types_round_trip() {
        // Wireshark: Supported Address Types parameter (Supported address type: IPv4 address
        // parameter (5), IPv6 address parameter (6)), type 12, length 8.
        let bytes = [0x00, 0x0c, 0x00, 0x08, 0x00, 0x05, 0x00, 0x06];
        assert_eq!(
            round_trip(&bytes),
            Param::SupportedAddressTypes(SupportedAddressTypes {
                address_types: List::Items(&[5, 6])
            })
        );
        // One type: length 6, padded to 8.
        let bytes = [0x00, 0x0c, 0x00, 0x06, 0x00, 0x05, 0x00, 0x00];
        let p = round_trip(&bytes);
        assert_eq!(p.to_string(), "Supported Address Types [5]");
    }

    #[test]
    fn rfc9260_3_3_2_1_supported_address_types_ragged() {
        assert_eq!(
            SupportedAddressTypes::parse_value(&[0, 5, 0]),
            Err(Malformed::Ragged {
                field: "address type",
                len: 3,
                elem: 2
            })
        );
        assert!(
            SupportedAddressTypes::parse_value(&[])
                .unwrap()
                .address_types
                .is_empty()
        );
    }
}
