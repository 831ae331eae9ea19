//! IPv4 Address parameter (RFC 9260 section 3.3.2.1), also used by ASCONF (RFC 5061).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Type = 5               |      Length = 8               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                        IPv4 Address                           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;
use std::net::Ipv4Addr;

use crate::wire::error::Malformed;
use crate::wire::tlv::TlvValue;

/// An IPv4 address of the sending endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv4Address(pub Ipv4Addr);

impl TlvValue<'_> for Ipv4Address {
    const TYPE: u16 = 5;

    fn parse_value(v: &[u8]) -> Result<Self, Malformed> {
        let Ok(octets) = <[u8; 4]>::try_from(v) else {
            return Err(Malformed::Invalid {
                field: "IPv4 address length",
            });
        };
        Ok(Self(Ipv4Addr::from(octets)))
    }

    fn value_len(&self) -> usize {
        4
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.0.octets());
    }
}

impl fmt::Display for Ipv4Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IPv4 {}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc9260_3_3_2_1_ipv4_address_round_trip() {
        // Wireshark: IPv4 address parameter (Address: 198.18.0.1), type 5, length 8.
        let bytes = [0x00, 0x05, 0x00, 0x08, 198, 18, 0, 1];
        assert_eq!(
            round_trip(&bytes),
            Param::Ipv4Address(Ipv4Address(Ipv4Addr::new(198, 18, 0, 1)))
        );
        assert!(Ipv4Address::parse_value(&[1, 2, 3]).is_err());
    }
}
