//! Zero Checksum Acceptable parameter (RFC 9653 section 3), sent in INIT and
//! INIT ACK to allow packets with a zero CRC32c under an alternate error
//! detection method.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Type = 0x8001         |          Length = 8           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Error Detection Method Identifier (EDMID)           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Bytes after the 4-byte field are ignored and not re-emitted.

use core::fmt;

use crate::wire::error::Malformed;
use crate::wire::tlv::TlvValue;

/// The sender accepts a zero checksum under the given error detection method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ZeroChecksumAcceptable {
    /// Error Detection Method Identifier (1: SCTP over DTLS, RFC 9653 section 7).
    pub edmid: u32,
}

impl TlvValue<'_> for ZeroChecksumAcceptable {
    const TYPE: u16 = 0x8001;

    fn parse_value(v: &[u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, 4)?;
        Ok(Self {
            edmid: super::read_u32(v, 0),
        })
    }

    fn value_len(&self) -> usize {
        4
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.edmid.to_be_bytes());
    }
}

impl fmt::Display for ZeroChecksumAcceptable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zero Checksum Acceptable (EDMID {})", self.edmid)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc9653_3_zero_checksum_acceptable_round_trip() {
        // Wireshark: Zero checksum acceptable parameter (Error detection method identifier:
        // DTLS (1)), type 0x8001, length 8.
        let bytes = [0x80, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01];
        assert_eq!(
            round_trip(&bytes),
            Param::ZeroChecksumAcceptable(ZeroChecksumAcceptable { edmid: 1 })
        );
    }

    #[test]
    fn rfc9653_3_zero_checksum_acceptable_short() {
        assert_eq!(
            ZeroChecksumAcceptable::parse_value(&[]),
            Err(Malformed::TooShort { needed: 4, got: 0 })
        );
    }
}
