//! IPv6 Address parameter (RFC 9260 section 3.3.2.1), also used by ASCONF (RFC 5061).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |            Type = 6           |          Length = 20          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! |                         IPv6 Address                          |
//! |                                                               |
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;
use std::net::Ipv6Addr;

use crate::wire::error::Malformed;
use crate::wire::tlv::TlvValue;

/// An IPv6 address of the sending endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv6Address(pub Ipv6Addr);

impl TlvValue<'_> for Ipv6Address {
    const TYPE: u16 = 6;

    fn parse_value(v: &[u8]) -> Result<Self, Malformed> {
        let Ok(octets) = <[u8; 16]>::try_from(v) else {
            return Err(Malformed::Invalid {
                field: "IPv6 address length",
            });
        };
        Ok(Self(Ipv6Addr::from(octets)))
    }

    fn value_len(&self) -> usize {
        16
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.0.octets());
    }
}

impl fmt::Display for Ipv6Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IPv6 {}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc9260_3_3_2_1_ipv6_address_round_trip() {
        // Wireshark: IPv6 address parameter (Address: 2001:db8::1), type 6, length 20.
        let bytes = [
            0x00, 0x06, 0x00, 0x14, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        ];
        assert_eq!(
            round_trip(&bytes),
            Param::Ipv6Address(Ipv6Address("2001:db8::1".parse().unwrap()))
        );
    }

    #[test]
    fn rfc9260_3_3_2_1_ipv6_address_wrong_length() {
        assert_eq!(
            Ipv6Address::parse_value(&[0; 15]),
            Err(Malformed::Invalid {
                field: "IPv6 address length"
            })
        );
        assert!(Ipv6Address::parse_value(&[0; 17]).is_err());
        assert!(Ipv6Address::parse_value(&[]).is_err());
    }
}
