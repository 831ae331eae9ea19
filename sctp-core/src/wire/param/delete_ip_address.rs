//! Delete IP Address parameter (RFC 5061 section 4.2.2), carried in ASCONF.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Type = 0xC002         |    Length = Variable          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |               ASCONF-Request Correlation ID                   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Address Parameter                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The nested Address Parameter is kept as raw bytes, so re-emission is
//! byte-identical; [`DeleteIpAddress::address`] interprets it. Parsing only
//! requires the correlation ID, so that the association can answer a bad
//! address with an Error Cause Indication instead of dropping the chunk.

asconf_address_param! {
    /// A request (in ASCONF) to remove an address from the association.
    pub struct DeleteIpAddress<'a> {
        /// ASCONF-Request Correlation ID, echoed in the response.
        pub correlation_id: u32,
        /// The address to delete: a complete IPv4 or IPv6 Address parameter, as sent.
        pub address: &'a [u8],
    }
    TYPE = 0xc002, "Delete IP Address";
}

#[cfg(test)]
mod tests {
    use super::super::{encode_address, test_util::round_trip};
    use super::*;
    use std::net::IpAddr;

    use super::super::Param;
    use crate::wire::error::Malformed;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc5061_4_2_2_delete_ip_address_round_trip() {
        // Wireshark: Delete IP address parameter (type 0xc002, length 28, Correlation_id:
        // 0x12345678, IPv6 address parameter (Address: 2001:db8::2)).
        let bytes = [
            0xc0, 0x02, 0x00, 0x1c, 0x12, 0x34, 0x56, 0x78, 0x00, 0x06, 0x00, 0x14, 0x20, 0x01,
            0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
        ];
        let Param::DeleteIpAddress(p) = round_trip(&bytes) else {
            panic!("expected Delete IP Address")
        };
        assert_eq!(p.correlation_id, 0x12345678);
        let ip = IpAddr::V6("2001:db8::2".parse().unwrap());
        assert_eq!(p.address(), Ok(Some(ip)));
        let mut buf = [0; 20];
        assert_eq!(p.address, encode_address(ip, &mut buf));
        assert_eq!(p.parse_address(), Ok(Param::from(ip)));
    }

    #[test]
    fn rfc5061_4_2_2_delete_ip_address_bad_address() {
        assert_eq!(
            DeleteIpAddress::parse_value(&[0, 0, 1]),
            Err(Malformed::TooShort { needed: 4, got: 3 })
        );
        // No address at all: parses, but the accessor reports it.
        let p = DeleteIpAddress::parse_value(&[0, 0, 0, 1]).unwrap();
        assert_eq!(p.address(), Err(Malformed::TooShort { needed: 4, got: 0 }));
        // An IPv4 Address parameter with a 3-byte address.
        let p = DeleteIpAddress::parse_value(&[0, 0, 0, 1, 0, 5, 0, 7, 1, 2, 3]).unwrap();
        assert!(matches!(
            p.address(),
            Err(Malformed::Nested { tlv_type: 5, .. })
        ));
        assert_eq!(
            p.to_string(),
            "Delete IP Address (correlation 1, 7 address bytes)"
        );
        // A nested parameter that is not an address.
        let p = DeleteIpAddress::parse_value(&[0, 0, 0, 1, 0x80, 0, 0, 4]).unwrap();
        assert_eq!(p.address(), Ok(None));
    }
}
