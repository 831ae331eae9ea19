//! Set Primary Address parameter (RFC 5061 section 4.2.4), carried in ASCONF.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Type = 0xC004         |    Length = Variable          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |               ASCONF-Request Correlation ID                   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Address Parameter                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The nested Address Parameter is kept as raw bytes, so re-emission is
//! byte-identical; [`SetPrimaryAddress::address`] interprets it. Parsing only
//! requires the correlation ID, so that the association can answer a bad
//! address with an Error Cause Indication instead of dropping the chunk.

asconf_address_param! {
    /// A request (in ASCONF) that the peer use this address as its primary destination.
    pub struct SetPrimaryAddress<'a> {
        /// ASCONF-Request Correlation ID, echoed in the response.
        pub correlation_id: u32,
        /// The requested primary address: a complete IPv4 or IPv6 Address parameter, as sent.
        pub address: &'a [u8],
    }
    TYPE = 0xc004, "Set Primary Address";
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
    fn rfc5061_4_2_4_set_primary_address_round_trip() {
        // Wireshark: Set primary address parameter (type 0xc004, length 16, Correlation_id: 7,
        // IPv4 address parameter (Address: 192.0.2.33)).
        let bytes = [
            0xc0, 0x04, 0x00, 0x10, 0x00, 0x00, 0x00, 0x07, 0x00, 0x05, 0x00, 0x08, 192, 0, 2, 33,
        ];
        let Param::SetPrimaryAddress(p) = round_trip(&bytes) else {
            panic!("expected Set Primary Address")
        };
        assert_eq!(p.correlation_id, 0x7);
        let ip = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 33));
        assert_eq!(p.address(), Ok(Some(ip)));
        let mut buf = [0; 20];
        assert_eq!(p.address, encode_address(ip, &mut buf));
        assert_eq!(p.parse_address(), Ok(Param::from(ip)));
    }

    #[test]
    fn rfc5061_4_2_4_set_primary_address_bad_address() {
        assert_eq!(
            SetPrimaryAddress::parse_value(&[0, 0, 1]),
            Err(Malformed::TooShort { needed: 4, got: 3 })
        );
        // No address at all: parses, but the accessor reports it.
        let p = SetPrimaryAddress::parse_value(&[0, 0, 0, 1]).unwrap();
        assert_eq!(p.address(), Err(Malformed::TooShort { needed: 4, got: 0 }));
        // An IPv4 Address parameter with a 3-byte address.
        let p = SetPrimaryAddress::parse_value(&[0, 0, 0, 1, 0, 5, 0, 7, 1, 2, 3]).unwrap();
        assert!(matches!(
            p.address(),
            Err(Malformed::Nested { tlv_type: 5, .. })
        ));
        assert_eq!(
            p.to_string(),
            "Set Primary Address (correlation 1, 7 address bytes)"
        );
        // A nested parameter that is not an address.
        let p = SetPrimaryAddress::parse_value(&[0, 0, 0, 1, 0x80, 0, 0, 4]).unwrap();
        assert_eq!(p.address(), Ok(None));
    }
}
