//! FORWARD TSN (RFC 3758 section 3.2).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 192  |  Flags = 0x00 |        Length = Variable      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                      New Cumulative TSN                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Stream-1              |       Stream Sequence-1       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                                                               /
//! /                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Stream-N              |       Stream Sequence-N       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

use super::{ChunkValue, be16, be32};
use crate::wire::error::Malformed;
use crate::wire::list::{FixedEntry, List};
use crate::{Ssn, StreamId, Tsn};

/// One stream entry of a FORWARD TSN: the largest SSN skipped on an ordered stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ForwardTsnStream {
    /// Stream-N: the stream's identifier.
    pub stream_id: StreamId,
    /// Stream Sequence-N: the largest SSN being skipped on that stream.
    pub ssn: Ssn,
}

impl FixedEntry for ForwardTsnStream {
    const SIZE: usize = 4;
    fn read(b: &[u8]) -> Self {
        Self {
            stream_id: be16(b, 0),
            ssn: Ssn(be16(b, 2)),
        }
    }
    fn write(&self, b: &mut [u8]) {
        b[0..2].copy_from_slice(&self.stream_id.to_be_bytes());
        b[2..4].copy_from_slice(&self.ssn.0.to_be_bytes());
    }
}

/// FORWARD TSN: tells the receiver to move its cumulative TSN past abandoned data (PR-SCTP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForwardTsn<'a> {
    /// New Cumulative TSN: the receiver treats every TSN up to it as received.
    pub new_cumulative_tsn: Tsn,
    /// The ordered streams with skipped messages.
    pub streams: List<'a, ForwardTsnStream>,
}

impl<'a> ChunkValue<'a> for ForwardTsn<'a> {
    const TYPE: u8 = 192;

    fn parse_value(_flags: u8, v: &'a [u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, 4)?;
        Ok(Self {
            new_cumulative_tsn: Tsn(be32(v, 0)),
            streams: List::from_wire(&v[4..], "FORWARD TSN streams")?,
        })
    }

    fn value_len(&self) -> usize {
        4 + self.streams.wire_len()
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf[0..4].copy_from_slice(&self.new_cumulative_tsn.0.to_be_bytes());
        self.streams.emit(&mut buf[4..]);
    }
}

impl fmt::Display for ForwardTsn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FORWARD_TSN new_cum_tsn {} [", self.new_cumulative_tsn)?;
        for (i, s) in self.streams.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}sid {} ssn {}", s.stream_id, s.ssn)?;
        }
        f.write_str("]")
    }
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::test_util::round_trip;
    use super::*;

    #[test]
    fn rfc3758_3_2_forward_tsn_from_capture() {
        // Wireshark: FORWARD_TSN chunk, flags 0x00, length 16
        //   New cumulative TSN: 1000
        //   Stream identifier: 1, Stream sequence number: 5
        //   Stream identifier: 3, Stream sequence number: 0
        let bytes = [
            0xc0, 0x00, 0x00, 0x10, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x01, 0x00, 0x05, 0x00, 0x03,
            0x00, 0x00,
        ];
        let Chunk::ForwardTsn(f) = round_trip(&bytes) else {
            panic!("expected FORWARD TSN")
        };
        assert_eq!(f.new_cumulative_tsn, Tsn(1000));
        assert_eq!(
            f.streams,
            List::Items(&[
                ForwardTsnStream {
                    stream_id: 1,
                    ssn: Ssn(5)
                },
                ForwardTsnStream {
                    stream_id: 3,
                    ssn: Ssn(0)
                },
            ])
        );
        assert_eq!(
            f.to_string(),
            "FORWARD_TSN new_cum_tsn 1000 [sid 1 ssn 5, sid 3 ssn 0]"
        );
    }

    #[test]
    fn rfc3758_3_2_forward_tsn_ragged_streams() {
        assert!(matches!(
            ForwardTsn::parse_value(0, &[0; 3]),
            Err(Malformed::TooShort { needed: 4, got: 3 })
        ));
        assert_eq!(
            ForwardTsn::parse_value(0, &[0; 6]),
            Err(Malformed::Ragged {
                field: "FORWARD TSN streams",
                len: 2,
                elem: 4
            })
        );
        let f = ForwardTsn::parse_value(0, &[0, 0, 0, 7]).unwrap();
        assert!(f.streams.is_empty());
    }
}
