//! Add Outgoing Streams Request parameter (RFC 6525 section 4.5), carried in RE-CONFIG.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 17       |      Parameter Length = 12    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Re-configuration Request Sequence Number             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |      Number of new streams    |         Reserved              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The Reserved field is emitted as 0 and ignored on receipt, as are bytes
//! after it; a parameter with either is not re-emitted byte for byte.

use core::fmt;

use crate::wire::error::Malformed;
use crate::wire::tlv::TlvValue;

/// A request to add outgoing streams (the sender's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddOutgoingStreamsRequest {
    /// Re-configuration Request Sequence Number of this request.
    pub request_seq: u32,
    /// Number of new streams to add.
    pub new_streams: u16,
}

impl TlvValue<'_> for AddOutgoingStreamsRequest {
    const TYPE: u16 = 17;

    fn parse_value(v: &[u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, 8)?;
        Ok(Self {
            request_seq: super::read_u32(v, 0),
            new_streams: super::read_u16(v, 4),
        })
    }

    fn value_len(&self) -> usize {
        8
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf[0..4].copy_from_slice(&self.request_seq.to_be_bytes());
        buf[4..6].copy_from_slice(&self.new_streams.to_be_bytes());
        buf[6..8].fill(0);
    }
}

impl fmt::Display for AddOutgoingStreamsRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Add Outgoing Streams Request (req {}, {} new streams)",
            self.request_seq, self.new_streams
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc6525_4_5_add_outgoing_streams_request_round_trip() {
        // Wireshark: Add outgoing streams request parameter (type 17, length 12,
        // Re-configuration request sequence number: 100, Number of new streams: 16,
        // Reserved: 0x0000).
        let bytes = [
            0x00, 0x11, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x64, 0x00, 0x10, 0x00, 0x00,
        ];
        assert_eq!(
            round_trip(&bytes),
            Param::AddOutgoingStreamsRequest(AddOutgoingStreamsRequest {
                request_seq: 100,
                new_streams: 16
            })
        );
    }

    #[test]
    fn rfc6525_4_5_add_outgoing_streams_request_reserved_and_short() {
        // Non-zero Reserved bits are ignored.
        let p = AddOutgoingStreamsRequest::parse_value(&[0, 0, 0, 1, 0, 2, 0xff, 0xff]).unwrap();
        assert_eq!(p.new_streams, 2);
        let mut out = [0xaa; 8];
        p.emit_value(&mut out);
        assert_eq!(out, [0, 0, 0, 1, 0, 2, 0, 0]);
        assert_eq!(
            AddOutgoingStreamsRequest::parse_value(&[0; 6]),
            Err(Malformed::TooShort { needed: 8, got: 6 })
        );
    }
}
