//! Add IP Address parameter (RFC 5061 section 4.2.1), carried in ASCONF.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Type = 0xC001         |    Length = Variable          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |               ASCONF-Request Correlation ID                   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Address Parameter                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The nested Address Parameter is kept as raw bytes, so re-emission is
//! byte-identical; [`AddIpAddress::address`] interprets it. Parsing only
//! requires the correlation ID, so that the association can answer a bad
//! address with an Error Cause Indication instead of dropping the chunk.

asconf_address_param! {
    /// A request (in ASCONF) to add an address to the association.
    pub struct AddIpAddress<'a> {
        /// ASCONF-Request Correlation ID, echoed in the response.
        pub correlation_id: u32,
        /// The address to add: a complete IPv4 or IPv6 Address parameter, as sent.
        pub address: &'a [u8],
    }
    TYPE = 0xc001, "Add IP Address";
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::super::{encode_address, test_util::round_trip};
    use super::*;
    use std::net::IpAddr;

    use super::super::Param;
    use crate::wire::error::Malformed;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc5061_4_2_1_add_ip_address_round_trip() {
        // Wireshark: Add IP address parameter (type 0xc001, length 16, Correlation_id: 1,
        // IPv4 address parameter (Address: 10.0.0.2)).
        let bytes = [
            0xc0, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x05, 0x00, 0x08, 10, 0, 0, 2,
        ];
        let Param::AddIpAddress(p) = round_trip(&bytes) else {
            panic!("expected Add IP Address")
        };
        assert_eq!(p.correlation_id, 0x1);
        let ip = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        assert_eq!(p.address(), Ok(Some(ip)));
        let mut buf = [0; 20];
        assert_eq!(p.address, encode_address(ip, &mut buf));
        assert_eq!(p.parse_address(), Ok(Param::from(ip)));
    }

    #[test]
    fn rfc5061_4_2_1_add_ip_address_bad_address() {
        assert_eq!(
            AddIpAddress::parse_value(&[0, 0, 1]),
            Err(Malformed::TooShort { needed: 4, got: 3 })
        );
        // No address at all: parses, but the accessor reports it.
        let p = AddIpAddress::parse_value(&[0, 0, 0, 1]).unwrap();
        assert_eq!(p.address(), Err(Malformed::TooShort { needed: 4, got: 0 }));
        // An IPv4 Address parameter with a 3-byte address.
        let p = AddIpAddress::parse_value(&[0, 0, 0, 1, 0, 5, 0, 7, 1, 2, 3]).unwrap();
        assert!(matches!(
            p.address(),
            Err(Malformed::Nested { tlv_type: 5, .. })
        ));
        assert_eq!(
            p.to_string(),
            "Add IP Address (correlation 1, 7 address bytes)"
        );
        // A nested parameter that is not an address.
        let p = AddIpAddress::parse_value(&[0, 0, 0, 1, 0x80, 0, 0, 4]).unwrap();
        assert_eq!(p.address(), Ok(None));
    }
}
