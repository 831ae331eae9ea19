//! SSN/TSN Reset Request parameter (RFC 6525 section 4.3), carried in
//! RE-CONFIG: reset all streams and the TSNs in both directions.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 15       |      Parameter Length = 8     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Re-configuration Request Sequence Number              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Bytes after the 4-byte field are ignored and not re-emitted.

use core::fmt;

use crate::wire::error::Malformed;
use crate::wire::tlv::TlvValue;

/// A request to reset all streams and the TSNs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SsnTsnResetRequest {
    /// Re-configuration Request Sequence Number of this request.
    pub request_seq: u32,
}

impl TlvValue<'_> for SsnTsnResetRequest {
    const TYPE: u16 = 15;

    fn parse_value(v: &[u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, 4)?;
        Ok(Self {
            request_seq: super::read_u32(v, 0),
        })
    }

    fn value_len(&self) -> usize {
        4
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.request_seq.to_be_bytes());
    }
}

impl fmt::Display for SsnTsnResetRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SSN/TSN Reset Request (req {})", self.request_seq)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc6525_4_3_ssn_tsn_reset_request_round_trip() {
        // Wireshark: SSN/TSN reset request parameter (type 15, length 8,
        // Re-configuration request sequence number: 66).
        let bytes = [0x00, 0x0f, 0x00, 0x08, 0x00, 0x00, 0x00, 0x42];
        assert_eq!(
            round_trip(&bytes),
            Param::SsnTsnResetRequest(SsnTsnResetRequest { request_seq: 66 })
        );
    }

    #[test]
    fn rfc6525_4_3_ssn_tsn_reset_request_short() {
        assert_eq!(
            SsnTsnResetRequest::parse_value(&[]),
            Err(Malformed::TooShort { needed: 4, got: 0 })
        );
    }
}
