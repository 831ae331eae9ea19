//! Random parameter (RFC 4895 section 3.1), the endpoint's random number for
//! SCTP-AUTH key derivation, sent in INIT and INIT ACK.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 0x8002   |       Parameter Length        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                                                               \
//! /                        Random Number                          /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The RFC asks for 32 bytes; whether a shorter one is acceptable is the
//! association's decision, so any length parses.

use core::fmt;

bytes_tlv! {
    /// The endpoint's random number for SCTP-AUTH.
    pub struct Random<'a> {
        /// The Random Number bytes.
        pub random: &'a [u8],
    }
    TYPE = 0x8002;
}

impl Random<'_> {
    /// The length RFC 4895 section 3.1 recommends.
    pub const RECOMMENDED_LEN: usize = 32;
}

impl fmt::Display for Random<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Random ({} bytes)", self.random.len())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc4895_3_1_random_round_trip() {
        // Wireshark: Random parameter (Random number: 32 bytes), type 0x8002, length 36.
        let mut bytes = vec![0x80, 0x02, 0x00, 0x24];
        bytes.extend((0u8..32).map(|i| i.wrapping_mul(37) ^ 0x5a));
        let Param::Random(r) = round_trip(&bytes) else {
            panic!("expected Random")
        };
        assert_eq!(r.random.len(), Random::RECOMMENDED_LEN);
        assert_eq!(r.random, &bytes[4..]);
    }

    #[test]
    fn rfc4895_3_1_random_any_length() {
        assert_eq!(Random::parse_value(&[]).unwrap().tlv_len(), 4);
        let r = Random::parse_value(&[1, 2, 3]).unwrap();
        assert_eq!(r.tlv_len(), 8);
        assert_eq!(r.to_string(), "Random (3 bytes)");
    }
}
