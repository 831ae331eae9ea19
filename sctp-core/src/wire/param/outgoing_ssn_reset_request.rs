//! Outgoing SSN Reset Request parameter (RFC 6525 section 4.1), carried in
//! RE-CONFIG: the sender resets its outgoing streams, the peer its incoming ones.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 13       | Parameter Length = 16 + 2 * N |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Re-configuration Request Sequence Number            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Re-configuration Response Sequence Number           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                Sender's Last Assigned TSN                     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Stream Number 1 (optional)   |    Stream Number 2 (optional) |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                            ......                             /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Stream Number N-1 (optional) |    Stream Number N (optional) |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! An empty stream list means all streams.

use core::fmt;

use crate::Tsn;
use crate::wire::error::Malformed;
use crate::wire::list::List;
use crate::wire::tlv::TlvValue;

/// A request to reset the sender's outgoing streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutgoingSsnResetRequest<'a> {
    /// Re-configuration Request Sequence Number of this request.
    pub request_seq: u32,
    /// Re-configuration Response Sequence Number: the peer request this one answers.
    pub response_seq: u32,
    /// Sender's Last Assigned TSN.
    pub senders_last_tsn: Tsn,
    /// The streams to reset; empty means all.
    pub streams: List<'a, u16>,
}

impl OutgoingSsnResetRequest<'_> {
    /// Bytes of the fixed fields.
    pub const FIXED_LEN: usize = 12;
}

impl<'a> TlvValue<'a> for OutgoingSsnResetRequest<'a> {
    const TYPE: u16 = 13;

    fn parse_value(v: &'a [u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, Self::FIXED_LEN)?;
        Ok(Self {
            request_seq: super::read_u32(v, 0),
            response_seq: super::read_u32(v, 4),
            senders_last_tsn: Tsn(super::read_u32(v, 8)),
            streams: List::from_wire(&v[Self::FIXED_LEN..], "stream number")?,
        })
    }

    fn value_len(&self) -> usize {
        Self::FIXED_LEN + self.streams.wire_len()
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf[0..4].copy_from_slice(&self.request_seq.to_be_bytes());
        buf[4..8].copy_from_slice(&self.response_seq.to_be_bytes());
        buf[8..12].copy_from_slice(&self.senders_last_tsn.0.to_be_bytes());
        self.streams.emit(&mut buf[Self::FIXED_LEN..]);
    }
}

impl fmt::Display for OutgoingSsnResetRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Outgoing SSN Reset Request (req {}, resp {}, last tsn {}, streams ",
            self.request_seq, self.response_seq, self.senders_last_tsn
        )?;
        super::fmt_streams(f, &self.streams)?;
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc6525_4_1_outgoing_ssn_reset_request_round_trip() {
        // Wireshark: Outgoing SSN reset request parameter (type 13, length 22,
        // Re-configuration request sequence number: 3158930100, Re-configuration response
        // sequence number: 3158930099, Senders last assigned TSN: 1000, Stream identifier:
        // 1, 2, 5), padding 0000.
        let bytes = [
            0x00, 0x0d, 0x00, 0x16, 0xbc, 0x49, 0x72, 0xb4, 0xbc, 0x49, 0x72, 0xb3, 0x00, 0x00,
            0x03, 0xe8, 0x00, 0x01, 0x00, 0x02, 0x00, 0x05, 0x00, 0x00,
        ];
        assert_eq!(
            round_trip(&bytes),
            Param::OutgoingSsnResetRequest(OutgoingSsnResetRequest {
                request_seq: 3_158_930_100,
                response_seq: 3_158_930_099,
                senders_last_tsn: Tsn(1000),
                streams: List::Items(&[1, 2, 5]),
            })
        );
    }

    #[test]
    fn rfc6525_4_1_outgoing_ssn_reset_request_edges() {
        // All streams.
        let p =
            OutgoingSsnResetRequest::parse_value(&[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9]).unwrap();
        assert!(p.streams.is_empty());
        assert_eq!(
            p.to_string(),
            "Outgoing SSN Reset Request (req 1, resp 0, last tsn 9, streams all)"
        );
        assert_eq!(
            OutgoingSsnResetRequest::parse_value(&[0; 11]),
            Err(Malformed::TooShort {
                needed: 12,
                got: 11
            })
        );
        assert!(matches!(
            OutgoingSsnResetRequest::parse_value(&[0; 13]),
            Err(Malformed::Ragged { .. })
        ));
    }
}
