//! SACK (RFC 9260 section 3.3.4).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 3    |Chunk  Flags   |      Chunk Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                      Cumulative TSN Ack                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Advertised Receiver Window Credit (a_rwnd)           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Number of Gap Ack Blocks = N  |  Number of Duplicate TSNs = M |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Gap Ack Block #1 Start     |     Gap Ack Block #1 End      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                                                               /
//! \                              ...                              \
//! /                                                               /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Gap Ack Block #N Start     |     Gap Ack Block #N End      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Duplicate TSN 1                         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                                                               /
//! \                              ...                              \
//! /                                                               /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Duplicate TSN M                         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

use super::{ChunkValue, be16, be32};
use crate::Tsn;
use crate::wire::error::Malformed;
use crate::wire::list::{FixedEntry, List};

/// One Gap Ack Block: TSNs `cumulative_tsn_ack + start ..= cumulative_tsn_ack + end` were received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct GapAckBlock {
    /// Gap Ack Block Start: offset of the first received TSN from the Cumulative TSN Ack.
    pub start: u16,
    /// Gap Ack Block End: offset of the last received TSN from the Cumulative TSN Ack.
    pub end: u16,
}

impl FixedEntry for GapAckBlock {
    const SIZE: usize = 4;
    fn read(b: &[u8]) -> Self {
        Self {
            start: be16(b, 0),
            end: be16(b, 2),
        }
    }
    fn write(&self, b: &mut [u8]) {
        b[0..2].copy_from_slice(&self.start.to_be_bytes());
        b[2..4].copy_from_slice(&self.end.to_be_bytes());
    }
}

/// SACK: acknowledges DATA chunks, reports gaps and duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sack<'a> {
    /// Cumulative TSN Ack: the last TSN received in sequence.
    pub cumulative_tsn_ack: Tsn,
    /// Advertised Receiver Window Credit, in bytes.
    pub a_rwnd: u32,
    /// The Gap Ack Blocks; their number is emitted as Number of Gap Ack Blocks.
    pub gap_ack_blocks: List<'a, GapAckBlock>,
    /// TSNs received more than once since the last SACK.
    pub duplicate_tsns: List<'a, Tsn>,
}

impl Sack<'_> {
    /// Bytes of the fixed fields after the chunk header.
    pub const HEADER_LEN: usize = 12;
}

impl<'a> ChunkValue<'a> for Sack<'a> {
    const TYPE: u8 = 3;

    fn parse_value(_flags: u8, v: &'a [u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, Self::HEADER_LEN)?;
        let gaps = usize::from(be16(v, 8)) * GapAckBlock::SIZE;
        let dups = usize::from(be16(v, 10)) * Tsn::SIZE;
        let needed = Self::HEADER_LEN + gaps + dups;
        // The counts must account for the length exactly.
        Malformed::check_len(v, needed)?;
        if v.len() > needed {
            return Err(Malformed::Invalid {
                field: "SACK length (beyond the Gap Ack Block and Duplicate TSN counts)",
            });
        }
        let gap_end = Self::HEADER_LEN + gaps;
        Ok(Self {
            cumulative_tsn_ack: Tsn(be32(v, 0)),
            a_rwnd: be32(v, 4),
            gap_ack_blocks: List::from_wire(&v[Self::HEADER_LEN..gap_end], "Gap Ack Blocks")?,
            duplicate_tsns: List::from_wire(&v[gap_end..], "Duplicate TSNs")?,
        })
    }

    fn value_len(&self) -> usize {
        Self::HEADER_LEN + self.gap_ack_blocks.wire_len() + self.duplicate_tsns.wire_len()
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf[0..4].copy_from_slice(&self.cumulative_tsn_ack.0.to_be_bytes());
        buf[4..8].copy_from_slice(&self.a_rwnd.to_be_bytes());
        // Counts above u16::MAX cannot occur: the chunk length caps the value at 65531 bytes.
        buf[8..10].copy_from_slice(&(self.gap_ack_blocks.len() as u16).to_be_bytes());
        buf[10..12].copy_from_slice(&(self.duplicate_tsns.len() as u16).to_be_bytes());
        let gap_end = Self::HEADER_LEN + self.gap_ack_blocks.wire_len();
        self.gap_ack_blocks
            .emit(&mut buf[Self::HEADER_LEN..gap_end]);
        self.duplicate_tsns.emit(&mut buf[gap_end..]);
    }
}

impl fmt::Display for Sack<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SACK cum_ack {} a_rwnd {} gaps [",
            self.cumulative_tsn_ack, self.a_rwnd
        )?;
        for (i, g) in self.gap_ack_blocks.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{}-{}", g.start, g.end)?;
        }
        write!(f, "] dups [")?;
        for (i, t) in self.duplicate_tsns.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{t}")?;
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
    fn rfc9260_3_3_4_sack_gap_blocks_round_trip() {
        // Wireshark: SACK chunk (Cumulative TSN: 4660, a_rwnd: 65536, gaps: 2, duplicate TSNs: 1)
        //   Chunk type: SACK (3), flags 0x00, length 28
        //   Cumulative TSN ACK: 4660, Advertised receiver window credit (a_rwnd): 65536
        //   Number of gap acknowledgement blocks: 2, number of duplicated TSNs: 1
        //   Gap Acknowledgement for TSN 4662 to 4663 (start 2, end 3)
        //   Gap Acknowledgement for TSN 4665 to 4665 (start 5, end 5)
        //   Duplicate TSN: 4659
        let bytes = [
            0x03, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x12, 0x34, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
            0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x05, 0x00, 0x05, 0x00, 0x00, 0x12, 0x33,
        ];
        let Chunk::Sack(sack) = round_trip(&bytes) else {
            panic!("expected SACK")
        };
        assert_eq!(sack.cumulative_tsn_ack, Tsn(4660));
        assert_eq!(sack.a_rwnd, 65_536);
        assert_eq!(
            sack.gap_ack_blocks,
            List::Items(&[
                GapAckBlock { start: 2, end: 3 },
                GapAckBlock { start: 5, end: 5 }
            ])
        );
        assert_eq!(sack.duplicate_tsns, List::Items(&[Tsn(4659)]));
        assert_eq!(
            sack.to_string(),
            "SACK cum_ack 4660 a_rwnd 65536 gaps [2-3, 5-5] dups [4659]"
        );
    }

    #[test]
    fn rfc9260_3_3_4_sack_counts_must_match_length() {
        assert_eq!(
            Sack::parse_value(0, &[0; 11]),
            Err(Malformed::TooShort {
                needed: 12,
                got: 11
            })
        );
        // One gap block announced, none present.
        let v = [0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0];
        assert_eq!(
            Sack::parse_value(0, &v),
            Err(Malformed::TooShort {
                needed: 16,
                got: 12
            })
        );
        // No blocks announced, four extra bytes present.
        let v = [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9];
        assert!(matches!(
            Sack::parse_value(0, &v),
            Err(Malformed::Invalid { .. })
        ));
        // The largest counts do not overflow.
        let v = [0, 0, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff];
        assert!(matches!(
            Sack::parse_value(0, &v),
            Err(Malformed::TooShort {
                needed: 524_292,
                ..
            })
        ));
        // An empty SACK.
        let s = Sack::parse_value(0, &[0; 12]).unwrap();
        assert!(s.gap_ack_blocks.is_empty() && s.duplicate_tsns.is_empty());
    }
}
