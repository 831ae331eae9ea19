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

use core::fmt;

use crate::wire::error::Malformed;
use crate::wire::param::{self, Param};
use crate::wire::tlv::{TlvIter, TlvValue};

/// An INIT tried to restart an association with addresses it did not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RestartWithNewAddresses<'a> {
    /// The new addresses, complete address parameters as sent.
    pub new_addresses: &'a [u8],
}

impl<'a> RestartWithNewAddresses<'a> {
    /// The nested parameters, parsed.
    pub fn parse_params(&self) -> Result<Vec<Param<'a>>, Malformed> {
        param::parse_all(self.new_addresses)
    }

    /// The nested parameters as raw TLVs.
    pub fn param_tlvs(&self) -> TlvIter<'a> {
        TlvIter::new(self.new_addresses)
    }
}

impl<'a> TlvValue<'a> for RestartWithNewAddresses<'a> {
    const TYPE: u16 = 0x000b;

    fn parse_value(v: &'a [u8]) -> Result<Self, Malformed> {
        Ok(Self { new_addresses: v })
    }

    fn value_len(&self) -> usize {
        self.new_addresses.len()
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf.copy_from_slice(self.new_addresses);
    }
}

impl fmt::Display for RestartWithNewAddresses<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Restart of an Association with New Addresses")?;
        match self.parse_params() {
            Ok(params) if !params.is_empty() => {
                for (i, p) in params.iter().enumerate() {
                    f.write_str(if i == 0 { " (" } else { ", " })?;
                    write!(f, "{p}")?;
                }
                f.write_str(")")
            }
            _ => write!(f, " ({} bytes)", self.new_addresses.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;

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
