//! No User Data error cause (RFC 9260 section 3.3.10.9).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 9            |      Cause Length = 8         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                  TSN value                                    /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Bytes after the TSN are ignored and not re-emitted.

use core::fmt;

use crate::Tsn;
use crate::wire::error::Malformed;
use crate::wire::param::read_u32;
use crate::wire::tlv::TlvValue;

/// A DATA chunk arrived without user data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NoUserData {
    /// The TSN of the empty DATA chunk.
    pub tsn: Tsn,
}

impl TlvValue<'_> for NoUserData {
    const TYPE: u16 = 9;

    fn parse_value(v: &[u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, 4)?;
        Ok(Self {
            tsn: Tsn(read_u32(v, 0)),
        })
    }

    fn value_len(&self) -> usize {
        4
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.tsn.0.to_be_bytes());
    }
}

impl fmt::Display for NoUserData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "No User Data (tsn {})", self.tsn)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc9260_3_3_10_9_no_user_data_round_trip() {
        // Wireshark: No user data (9), cause length 8, TSN: 4294967295.
        let bytes = [0x00, 0x09, 0x00, 0x08, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(
            round_trip(&bytes),
            Cause::NoUserData(NoUserData { tsn: Tsn(u32::MAX) })
        );
    }

    #[test]
    fn rfc9260_3_3_10_9_no_user_data_short() {
        assert_eq!(
            NoUserData::parse_value(&[1, 2, 3]),
            Err(Malformed::TooShort { needed: 4, got: 3 })
        );
        assert_eq!(
            NoUserData { tsn: Tsn(7) }.to_string(),
            "No User Data (tsn 7)"
        );
    }
}
