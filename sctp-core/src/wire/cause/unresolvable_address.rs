//! Unresolvable Address error cause (RFC 9260 section 3.3.10.5).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 5            |      Cause Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                    Unresolvable Address                       /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The address is a complete address parameter (often a Host Name Address),
//! kept as raw bytes; [`UnresolvableAddress::parse_address`] interprets it.

use core::fmt;

use crate::wire::error::Malformed;
use crate::wire::param::{self, Param};

crate::wire::param::bytes_tlv! {
    /// The sender could not resolve an address the peer sent.
    pub struct UnresolvableAddress<'a> {
        /// The address parameter that could not be resolved, header included.
        pub address: &'a [u8],
    }
    TYPE = 5;
}

impl<'a> UnresolvableAddress<'a> {
    /// The nested address parameter, parsed.
    pub fn parse_address(&self) -> Result<Param<'a>, Malformed> {
        Param::parse(&param::first_tlv(self.address)?)
    }
}

impl fmt::Display for UnresolvableAddress<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.parse_address() {
            Ok(p) => write!(f, "Unresolvable Address ({p})"),
            Err(_) => write!(f, "Unresolvable Address ({} bytes)", self.address.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc9260_3_3_10_5_unresolvable_address_round_trip() {
        // Wireshark: Unresolvable address (5), cause length 20, Hostname parameter
        // (type 11, length 14, Hostname: peer.test), padding 0000.
        let bytes = [
            0x00, 0x05, 0x00, 0x14, 0x00, 0x0b, 0x00, 0x0e, b'p', b'e', b'e', b'r', b'.', b't',
            b'e', b's', b't', 0x00, 0x00, 0x00,
        ];
        let c = round_trip(&bytes);
        assert_eq!(
            c.to_string(),
            "Unresolvable Address (Host Name Address \"peer.test\")"
        );
        let Cause::UnresolvableAddress(c) = c else {
            panic!("expected Unresolvable Address")
        };
        assert_eq!(c.address.len(), 16);
        let Param::HostNameAddress(h) = c.parse_address().unwrap() else {
            panic!("expected Host Name Address")
        };
        assert_eq!(h.name(), Some("peer.test"));
    }

    #[test]
    fn rfc9260_3_3_10_5_unresolvable_address_malformed_nested() {
        let c = UnresolvableAddress::parse_value(&[0, 5, 0, 8, 1]).unwrap();
        assert!(c.parse_address().is_err());
        assert_eq!(c.to_string(), "Unresolvable Address (5 bytes)");
        let c = UnresolvableAddress::parse_value(&[]).unwrap();
        assert_eq!(
            c.parse_address(),
            Err(Malformed::TooShort { needed: 4, got: 0 })
        );
    }
}
