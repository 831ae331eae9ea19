//! Success Indication parameter (RFC 5061 section 4.2.5), carried in
//! ASCONF-ACK to report that a request succeeded.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Type = 0xC005         |          Length = 8           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |               ASCONF-Request Correlation ID                   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Bytes after the 4-byte field are ignored and not re-emitted.

use core::fmt;

use crate::wire::error::Malformed;
use crate::wire::tlv::TlvValue;

/// The ASCONF request with this correlation ID succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SuccessIndication {
    /// ASCONF-Request Correlation ID of the request.
    pub correlation_id: u32,
}

impl TlvValue<'_> for SuccessIndication {
    const TYPE: u16 = 0xc005;

    fn parse_value(v: &[u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, 4)?;
        Ok(Self {
            correlation_id: super::read_u32(v, 0),
        })
    }

    fn value_len(&self) -> usize {
        4
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.correlation_id.to_be_bytes());
    }
}

impl fmt::Display for SuccessIndication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Success Indication (correlation {})",
            self.correlation_id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc5061_4_2_5_success_indication_round_trip() {
        // Wireshark: Success report parameter (type 0xc005, length 8, Correlation_id: 3).
        let bytes = [0xc0, 0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x03];
        assert_eq!(
            round_trip(&bytes),
            Param::SuccessIndication(SuccessIndication { correlation_id: 3 })
        );
    }

    #[test]
    fn rfc5061_4_2_5_success_indication_short() {
        assert_eq!(
            SuccessIndication::parse_value(&[0; 2]),
            Err(Malformed::TooShort { needed: 4, got: 2 })
        );
    }
}
