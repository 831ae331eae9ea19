//! Requested HMAC Algorithm parameter (RFC 4895 section 3.3): the HMAC
//! identifiers the sender supports, most preferred first.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 0x8004   |       Parameter Length        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          HMAC Identifier 1    |      HMAC Identifier 2        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                                                               /
//! \                              ...                              \
//! /                                                               /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          HMAC Identifier n    |           Padding             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

list_param! {
    /// The HMAC algorithms the sender supports, in order of preference.
    pub struct RequestedHmacAlgorithm<'a> {
        /// HMAC identifiers (1: SHA-1, 3: SHA-256; RFC 4895 section 3.3).
        pub hmac_ids: List<'a, u16>,
    }
    TYPE = 0x8004, "Requested HMAC Algorithm", entry "HMAC identifier";
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;
    use crate::wire::error::Malformed;
    use crate::wire::list::List;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc4895_3_3_requested_hmac_algorithm_round_trip() {
        // Wireshark: Requested HMAC Algorithm parameter (HMAC identifier: SHA-256 (3),
        // SHA-1 (1)), type 0x8004, length 8.
        let bytes = [0x80, 0x04, 0x00, 0x08, 0x00, 0x03, 0x00, 0x01];
        assert_eq!(
            round_trip(&bytes),
            Param::RequestedHmacAlgorithm(RequestedHmacAlgorithm {
                hmac_ids: List::Items(&[3, 1])
            })
        );
        // A single identifier: length 6, padded.
        round_trip(&[0x80, 0x04, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00]);
    }

    #[test]
    fn rfc4895_3_3_requested_hmac_algorithm_ragged() {
        assert!(matches!(
            RequestedHmacAlgorithm::parse_value(&[0, 1, 0]),
            Err(Malformed::Ragged { elem: 2, .. })
        ));
    }
}
