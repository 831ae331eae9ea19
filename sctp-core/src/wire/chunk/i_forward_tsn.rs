//! I-FORWARD-TSN (RFC 8260 section 2.3).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 194  | Flags = 0x00  |      Length = Variable        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       New Cumulative TSN                      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |       Stream Identifier       |          Reserved           |U|
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Message Identifier                      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                                                               \
//! /                                                               /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |       Stream Identifier       |          Reserved           |U|
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Message Identifier                      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Entries built by the caller emit the Reserved bits as zero; entries parsed
//! from a packet ([`List::Wire`]) re-emit their bytes unchanged.

use core::fmt;

use super::{ChunkValue, be16, be32};
use crate::wire::error::Malformed;
use crate::wire::list::{FixedEntry, List};
use crate::{Mid, StreamId, Tsn};

/// One stream entry of an I-FORWARD-TSN: the largest MID skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct IForwardTsnStream {
    /// Stream Identifier.
    pub stream_id: StreamId,
    /// U bit: the MID is of the unordered message sequence.
    pub unordered: bool,
    /// Message Identifier: the largest MID being skipped.
    pub mid: Mid,
}

impl FixedEntry for IForwardTsnStream {
    const SIZE: usize = 8;
    fn read(b: &[u8]) -> Self {
        Self {
            stream_id: be16(b, 0),
            unordered: b[3] & 0x01 != 0,
            mid: Mid(be32(b, 4)),
        }
    }
    fn write(&self, b: &mut [u8]) {
        b[0..2].copy_from_slice(&self.stream_id.to_be_bytes());
        b[2..4].copy_from_slice(&u16::from(self.unordered).to_be_bytes());
        b[4..8].copy_from_slice(&self.mid.0.to_be_bytes());
    }
}

/// I-FORWARD-TSN: FORWARD TSN for associations using I-DATA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IForwardTsn<'a> {
    /// New Cumulative TSN: the receiver treats every TSN up to it as received.
    pub new_cumulative_tsn: Tsn,
    /// The streams with skipped messages.
    pub streams: List<'a, IForwardTsnStream>,
}

impl<'a> ChunkValue<'a> for IForwardTsn<'a> {
    const TYPE: u8 = 194;

    fn parse_value(_flags: u8, v: &'a [u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, 4)?;
        Ok(Self {
            new_cumulative_tsn: Tsn(be32(v, 0)),
            streams: List::from_wire(&v[4..], "I-FORWARD-TSN streams")?,
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

impl fmt::Display for IForwardTsn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "I_FORWARD_TSN new_cum_tsn {} [", self.new_cumulative_tsn)?;
        for (i, s) in self.streams.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            let u = if s.unordered { " U" } else { "" };
            write!(f, "{sep}sid {} mid {}{u}", s.stream_id, s.mid)?;
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
    fn rfc8260_2_3_i_forward_tsn_from_capture() {
        // Wireshark: I_FORWARD_TSN chunk, flags 0x00, length 24
        //   New cumulative TSN: 1000
        //   Stream identifier: 1, Flags: 0x0001 (U bit set), Message identifier: 7
        //   Stream identifier: 2, Flags: 0x0000, Message identifier: 4294967295
        let bytes = [
            0xc2, 0x00, 0x00, 0x18, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
            0x00, 0x07, 0x00, 0x02, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
        ];
        let Chunk::IForwardTsn(f) = round_trip(&bytes) else {
            panic!("expected I-FORWARD-TSN")
        };
        assert_eq!(f.new_cumulative_tsn, Tsn(1000));
        let expected = [
            IForwardTsnStream {
                stream_id: 1,
                unordered: true,
                mid: Mid(7),
            },
            IForwardTsnStream {
                stream_id: 2,
                unordered: false,
                mid: Mid(u32::MAX),
            },
        ];
        assert_eq!(f.streams, List::Items(&expected));
        // Built from items, the same chunk emits the same bytes.
        let built = IForwardTsn {
            new_cumulative_tsn: Tsn(1000),
            streams: List::Items(&expected),
        };
        let mut out = [0u8; 24];
        assert_eq!(built.emit(&mut out), Ok(24));
        assert_eq!(out, bytes);
        assert_eq!(
            f.to_string(),
            "I_FORWARD_TSN new_cum_tsn 1000 [sid 1 mid 7 U, sid 2 mid 4294967295]"
        );
    }

    #[test]
    fn rfc8260_2_3_i_forward_tsn_ragged_and_reserved() {
        assert_eq!(
            IForwardTsn::parse_value(0, &[0; 8]),
            Err(Malformed::Ragged {
                field: "I-FORWARD-TSN streams",
                len: 4,
                elem: 8
            })
        );
        assert!(IForwardTsn::parse_value(0, &[0; 2]).is_err());
        // Reserved bits set next to the U bit: parsed as unordered, kept on re-emission.
        let v = [0, 0, 0, 1, 0, 5, 0x80, 0x01, 0, 0, 0, 9];
        let f = IForwardTsn::parse_value(0, &v).unwrap();
        let s = f.streams.get(0).unwrap();
        assert!(s.unordered);
        let mut out = [0u8; 16];
        assert_eq!(f.emit(&mut out), Ok(16));
        assert_eq!(&out[4..], &v);
        // An item built by the caller zeroes them.
        let mut b = [0xffu8; 8];
        s.write(&mut b);
        assert_eq!(b, [0, 5, 0, 1, 0, 0, 0, 9]);
    }
}
