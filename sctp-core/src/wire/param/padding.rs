//! Padding parameter (RFC 4820 section 4), used to pad an INIT up to a size
//! for path MTU probing; its content is ignored.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 0x8005   |       Parameter Length        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                                                               /
//! \                          Padding Data                         \
//! /                                                               /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

bytes_tlv! {
    /// Padding whose content the receiver ignores.
    pub struct Padding<'a> {
        /// The Padding Data.
        pub padding: &'a [u8],
    }
    TYPE = 0x8005;
}

impl fmt::Display for Padding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Padding ({} bytes)", self.padding.len())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc4820_4_padding_round_trip() {
        // Wireshark: Padding parameter (Padding: 12 bytes of zeros), type 0x8005, length 16.
        let mut bytes = vec![0x80, 0x05, 0x00, 0x10];
        bytes.extend([0u8; 12]);
        assert_eq!(
            round_trip(&bytes),
            Param::Padding(Padding { padding: &[0; 12] })
        );
    }

    #[test]
    fn rfc4820_4_padding_odd_length() {
        let p = Padding::parse_value(&[0xff]).unwrap();
        assert_eq!(p.tlv_len(), 8);
        assert_eq!(p.to_string(), "Padding (1 bytes)");
    }
}
