//! Host Name Address parameter (RFC 9260 section 3.3.2.1).
//!
//! RFC 9260 deprecates it: a receiver parses it and answers with an
//! Unresolvable Address error cause.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Type = 11            |          Length               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                          Host Name                            /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

bytes_tlv! {
    /// A host name in place of an address (deprecated).
    pub struct HostNameAddress<'a> {
        /// The Host Name, as sent (normally null-terminated).
        pub host_name: &'a [u8],
    }
    TYPE = 11;
}

impl<'a> HostNameAddress<'a> {
    /// The host name without its terminating nulls, if it is UTF-8.
    pub fn name(&self) -> Option<&'a str> {
        super::text_without_nulls(self.host_name)
    }
}

impl fmt::Display for HostNameAddress<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "Host Name Address {name:?}"),
            None => write!(f, "Host Name Address ({} bytes)", self.host_name.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc9260_3_3_2_1_host_name_address_round_trip() {
        // Wireshark: Hostname parameter (Hostname: example.com), type 11, length 16,
        // null-terminated.
        let bytes = [
            0x00, 0x0b, 0x00, 0x10, b'e', b'x', b'a', b'm', b'p', b'l', b'e', b'.', b'c', b'o',
            b'm', 0x00,
        ];
        let Param::HostNameAddress(h) = round_trip(&bytes) else {
            panic!("expected Host Name Address")
        };
        assert_eq!(h.name(), Some("example.com"));
        assert_eq!(h.to_string(), "Host Name Address \"example.com\"");
    }

    #[test]
    fn rfc9260_3_3_2_1_host_name_address_odd_cases() {
        let h = HostNameAddress::parse_value(&[]).unwrap();
        assert_eq!(h.name(), Some(""));
        let h = HostNameAddress::parse_value(&[0xff, 0xfe, 0]).unwrap();
        assert_eq!(h.name(), None);
        assert_eq!(h.to_string(), "Host Name Address (3 bytes)");
    }
}
