//! Re-configuration Response parameter (RFC 6525 section 4.4), carried in
//! RE-CONFIG to answer a request.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 16       |      Parameter Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Re-configuration Response Sequence Number             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                            Result                             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                   Sender's Next TSN (optional)                |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                  Receiver's Next TSN (optional)               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The two optional TSNs come together (Parameter Length 20) or not at all
//! (Parameter Length 12); any other length is malformed. A [`ReconfigResponse`]
//! with only one of them set is emitted without either.

use core::fmt;

use crate::Tsn;
use crate::wire::error::Malformed;
use crate::wire::tlv::TlvValue;

/// The Result field of a Re-configuration Response (RFC 6525 section 4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReconfigResult {
    /// 0: Success - Nothing to do.
    SuccessNothingToDo,
    /// 1: Success - Performed.
    SuccessPerformed,
    /// 2: Denied.
    Denied,
    /// 3: Error - Wrong SSN.
    ErrorWrongSsn,
    /// 4: Error - Request already in progress.
    ErrorRequestAlreadyInProgress,
    /// 5: Error - Bad Sequence Number.
    ErrorBadSequenceNumber,
    /// 6: In progress.
    InProgress,
    /// A code RFC 6525 does not define (values 0 to 6 parse as the variants above).
    Other(u32),
}

impl ReconfigResult {
    /// The result for a wire code.
    pub const fn from_code(code: u32) -> Self {
        match code {
            0 => Self::SuccessNothingToDo,
            1 => Self::SuccessPerformed,
            2 => Self::Denied,
            3 => Self::ErrorWrongSsn,
            4 => Self::ErrorRequestAlreadyInProgress,
            5 => Self::ErrorBadSequenceNumber,
            6 => Self::InProgress,
            n => Self::Other(n),
        }
    }

    /// The wire code.
    pub const fn code(self) -> u32 {
        match self {
            Self::SuccessNothingToDo => 0,
            Self::SuccessPerformed => 1,
            Self::Denied => 2,
            Self::ErrorWrongSsn => 3,
            Self::ErrorRequestAlreadyInProgress => 4,
            Self::ErrorBadSequenceNumber => 5,
            Self::InProgress => 6,
            Self::Other(n) => n,
        }
    }

    /// Whether the result is one of the two successes.
    pub const fn is_success(self) -> bool {
        matches!(self, Self::SuccessNothingToDo | Self::SuccessPerformed)
    }
}

impl fmt::Display for ReconfigResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SuccessNothingToDo => f.write_str("Success - Nothing to do"),
            Self::SuccessPerformed => f.write_str("Success - Performed"),
            Self::Denied => f.write_str("Denied"),
            Self::ErrorWrongSsn => f.write_str("Error - Wrong SSN"),
            Self::ErrorRequestAlreadyInProgress => {
                f.write_str("Error - Request already in progress")
            }
            Self::ErrorBadSequenceNumber => f.write_str("Error - Bad Sequence Number"),
            Self::InProgress => f.write_str("In progress"),
            Self::Other(n) => write!(f, "result {n}"),
        }
    }
}

/// The answer to a re-configuration request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReconfigResponse {
    /// Re-configuration Response Sequence Number: the request this answers.
    pub response_seq: u32,
    /// The Result.
    pub result: ReconfigResult,
    /// Sender's Next TSN (only with an SSN/TSN Reset Request; set with `receivers_next_tsn`).
    pub senders_next_tsn: Option<Tsn>,
    /// Receiver's Next TSN (only with an SSN/TSN Reset Request; set with `senders_next_tsn`).
    pub receivers_next_tsn: Option<Tsn>,
}

impl ReconfigResponse {
    /// Both optional TSNs, when both are set.
    fn tsns(&self) -> Option<(Tsn, Tsn)> {
        self.senders_next_tsn.zip(self.receivers_next_tsn)
    }
}

impl TlvValue<'_> for ReconfigResponse {
    const TYPE: u16 = 16;

    fn parse_value(v: &[u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, 8)?;
        let (senders_next_tsn, receivers_next_tsn) = match v.len() {
            8 => (None, None),
            16 => (
                Some(Tsn(super::read_u32(v, 8))),
                Some(Tsn(super::read_u32(v, 12))),
            ),
            _ => {
                return Err(Malformed::Invalid {
                    field: "Re-configuration Response length",
                });
            }
        };
        Ok(Self {
            response_seq: super::read_u32(v, 0),
            result: ReconfigResult::from_code(super::read_u32(v, 4)),
            senders_next_tsn,
            receivers_next_tsn,
        })
    }

    fn value_len(&self) -> usize {
        if self.tsns().is_some() { 16 } else { 8 }
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf[0..4].copy_from_slice(&self.response_seq.to_be_bytes());
        buf[4..8].copy_from_slice(&self.result.code().to_be_bytes());
        if let Some((sender, receiver)) = self.tsns() {
            buf[8..12].copy_from_slice(&sender.0.to_be_bytes());
            buf[12..16].copy_from_slice(&receiver.0.to_be_bytes());
        }
    }
}

impl fmt::Display for ReconfigResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Re-configuration Response (resp {}, {}",
            self.response_seq, self.result
        )?;
        if let Some((sender, receiver)) = self.tsns() {
            write!(
                f,
                ", sender's next tsn {sender}, receiver's next tsn {receiver}"
            )?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc6525_4_4_reconfig_response_round_trip() {
        // Wireshark: Re-configuration response parameter (type 16, length 12,
        // Re-configuration response sequence number: 3158930100, Result: Success -
        // Performed (1)).
        let bytes = [
            0x00, 0x10, 0x00, 0x0c, 0xbc, 0x49, 0x72, 0xb4, 0x00, 0x00, 0x00, 0x01,
        ];
        assert_eq!(
            round_trip(&bytes),
            Param::ReconfigResponse(ReconfigResponse {
                response_seq: 3_158_930_100,
                result: ReconfigResult::SuccessPerformed,
                senders_next_tsn: None,
                receivers_next_tsn: None,
            })
        );
        // Wireshark: Re-configuration response parameter (type 16, length 20, sequence
        // number 7, Result: Success - Performed (1), Sender's next TSN: 5000, Receiver's
        // next TSN: 900).
        let bytes = [
            0x00, 0x10, 0x00, 0x14, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
            0x13, 0x88, 0x00, 0x00, 0x03, 0x84,
        ];
        let p = round_trip(&bytes);
        assert_eq!(
            p.to_string(),
            "Re-configuration Response (resp 7, Success - Performed, \
             sender's next tsn 5000, receiver's next tsn 900)"
        );
    }

    #[test]
    fn rfc6525_4_4_reconfig_response_lengths_and_codes() {
        assert!(matches!(
            ReconfigResponse::parse_value(&[0; 12]),
            Err(Malformed::Invalid { .. })
        ));
        assert!(ReconfigResponse::parse_value(&[0; 20]).is_err());
        assert_eq!(
            ReconfigResponse::parse_value(&[0; 7]),
            Err(Malformed::TooShort { needed: 8, got: 7 })
        );
        for code in 0..=8 {
            assert_eq!(ReconfigResult::from_code(code).code(), code);
        }
        assert_eq!(ReconfigResult::from_code(7), ReconfigResult::Other(7));
        assert!(ReconfigResult::SuccessNothingToDo.is_success());
        assert!(!ReconfigResult::InProgress.is_success());
        // Only one optional TSN set: emitted without either.
        let half = ReconfigResponse {
            response_seq: 1,
            result: ReconfigResult::Denied,
            senders_next_tsn: Some(Tsn(3)),
            receivers_next_tsn: None,
        };
        assert_eq!(half.value_len(), 8);
    }
}
