//! Incoming SSN Reset Request parameter (RFC 6525 section 4.2), carried in
//! RE-CONFIG: the sender asks the peer to reset its outgoing streams.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 14       |  Parameter Length = 8 + 2 * N |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Re-configuration Request Sequence Number             |
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

use crate::wire::error::Malformed;
use crate::wire::list::List;
use crate::wire::tlv::TlvValue;

/// A request that the peer reset its outgoing streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncomingSsnResetRequest<'a> {
    /// Re-configuration Request Sequence Number of this request.
    pub request_seq: u32,
    /// The streams to reset; empty means all.
    pub streams: List<'a, u16>,
}

impl<'a> TlvValue<'a> for IncomingSsnResetRequest<'a> {
    const TYPE: u16 = 14;

    fn parse_value(v: &'a [u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, 4)?;
        Ok(Self {
            request_seq: super::read_u32(v, 0),
            streams: List::from_wire(&v[4..], "stream number")?,
        })
    }

    fn value_len(&self) -> usize {
        4 + self.streams.wire_len()
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf[0..4].copy_from_slice(&self.request_seq.to_be_bytes());
        self.streams.emit(&mut buf[4..]);
    }
}

impl fmt::Display for IncomingSsnResetRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Incoming SSN Reset Request (req {}, streams ",
            self.request_seq
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
    fn rfc6525_4_2_incoming_ssn_reset_request_round_trip() {
        // Wireshark: Incoming SSN reset request parameter (type 14, length 10,
        // Re-configuration request sequence number: 17, Stream identifier: 4), padding 0000.
        let bytes = [
            0x00, 0x0e, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x11, 0x00, 0x04, 0x00, 0x00,
        ];
        let p = round_trip(&bytes);
        assert_eq!(
            p,
            Param::IncomingSsnResetRequest(IncomingSsnResetRequest {
                request_seq: 17,
                streams: List::Items(&[4]),
            })
        );
        assert_eq!(
            p.to_string(),
            "Incoming SSN Reset Request (req 17, streams [4])"
        );
    }

    #[test]
    fn rfc6525_4_2_incoming_ssn_reset_request_edges() {
        let p = IncomingSsnResetRequest::parse_value(&[0, 0, 0, 1]).unwrap();
        assert!(p.streams.is_empty());
        assert!(IncomingSsnResetRequest::parse_value(&[0, 0, 1]).is_err());
        assert!(matches!(
            IncomingSsnResetRequest::parse_value(&[0, 0, 0, 1, 0]),
            Err(Malformed::Ragged { .. })
        ));
    }
}
