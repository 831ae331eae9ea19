//! Error Cause Indication parameter (RFC 5061 section 4.2.3), carried in
//! ASCONF-ACK to report why a request failed.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Type = 0xC003         |      Length = Variable        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |               ASCONF-Request Correlation ID                   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                        Error Cause(s)                         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The nested error causes are kept as raw bytes, so re-emission is
//! byte-identical; [`ErrorCauseIndication::parse_causes`] interprets them.

use core::fmt;

use crate::wire::cause::{self, Cause};
use crate::wire::error::Malformed;
use crate::wire::tlv::{TlvIter, TlvValue};

/// The ASCONF request with this correlation ID failed for the given causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorCauseIndication<'a> {
    /// ASCONF-Request Correlation ID of the failed request.
    pub correlation_id: u32,
    /// The Error Cause(s), as complete cause TLVs.
    pub causes: &'a [u8],
}

impl<'a> ErrorCauseIndication<'a> {
    /// The nested error causes, parsed.
    pub fn parse_causes(&self) -> Result<Vec<Cause<'a>>, Malformed> {
        cause::parse_all(self.causes)
    }

    /// The nested error causes as raw TLVs.
    pub fn cause_tlvs(&self) -> TlvIter<'a> {
        TlvIter::new(self.causes)
    }
}

impl<'a> TlvValue<'a> for ErrorCauseIndication<'a> {
    const TYPE: u16 = 0xc003;

    fn parse_value(v: &'a [u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, 4)?;
        Ok(Self {
            correlation_id: super::read_u32(v, 0),
            causes: &v[4..],
        })
    }

    fn value_len(&self) -> usize {
        4 + self.causes.len()
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf[0..4].copy_from_slice(&self.correlation_id.to_be_bytes());
        buf[4..].copy_from_slice(self.causes);
    }
}

impl fmt::Display for ErrorCauseIndication<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Error Cause Indication (correlation {}",
            self.correlation_id
        )?;
        match self.parse_causes() {
            Ok(causes) => {
                for c in causes {
                    write!(f, ", {c}")?;
                }
                f.write_str(")")
            }
            Err(_) => write!(f, ", {} malformed bytes)", self.causes.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;
    use crate::wire::cause::StaleCookie;

    #[test]
    fn rfc5061_4_2_3_error_cause_indication_round_trip() {
        // Wireshark: Error cause indication parameter (type 0xc003, length 20,
        // Correlation_id: 2, Request refused - no authorization (cause 0x00a4, length 12,
        // IPv4 address parameter (Address: 10.0.0.9))).
        let bytes = [
            0xc0, 0x03, 0x00, 0x14, 0x00, 0x00, 0x00, 0x02, 0x00, 0xa4, 0x00, 0x0c, 0x00, 0x05,
            0x00, 0x08, 10, 0, 0, 9,
        ];
        let Param::ErrorCauseIndication(p) = round_trip(&bytes) else {
            panic!("expected Error Cause Indication")
        };
        assert_eq!(p.correlation_id, 2);
        let causes = p.parse_causes().unwrap();
        assert_eq!(causes.len(), 1);
        assert_eq!(causes[0].cause_code(), 0x00a4);
        assert_eq!(p.cause_tlvs().count(), 1);
    }

    #[test]
    fn rfc5061_4_2_3_error_cause_indication_nested_errors() {
        assert!(ErrorCauseIndication::parse_value(&[0, 0, 0]).is_err());
        let p = ErrorCauseIndication::parse_value(&[0, 0, 0, 9]).unwrap();
        assert_eq!(p.parse_causes(), Ok(vec![]));
        assert_eq!(p.to_string(), "Error Cause Indication (correlation 9)");
        // A Stale Cookie cause with a 2-byte value.
        let p = ErrorCauseIndication::parse_value(&[0, 0, 0, 9, 0, 3, 0, 6, 0, 0]).unwrap();
        assert!(matches!(
            p.parse_causes(),
            Err(Malformed::Nested { tlv_type: 3, .. })
        ));
        let p = ErrorCauseIndication::parse_value(&[0, 0, 0, 9, 0, 3, 0, 8, 0, 0, 0, 5]).unwrap();
        assert_eq!(
            p.parse_causes(),
            Ok(vec![Cause::StaleCookie(StaleCookie { staleness_us: 5 })])
        );
    }
}
