//! I-DATA (RFC 8260 section 2.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 64   |  Res  |I|U|B|E|       Length = Variable       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                              TSN                              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Stream Identifier      |           Reserved            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                      Message Identifier                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Payload Protocol Identifier / Fragment Sequence Number     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                                                               \
//! /                           User Data                           /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The Reserved field is ignored on parse and emitted as zero.

use core::fmt;

use super::data::DataFlags;
use super::{ChunkValue, be16, be32};
use crate::wire::error::Malformed;
use crate::{Fsn, Mid, Ppid, StreamId, Tsn};

/// I-DATA: user data with a 32-bit message identifier, so messages of
/// different streams can interleave (RFC 8260).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IData<'a> {
    /// The I, U, B and E bits, as for DATA.
    pub flags: DataFlags,
    /// The chunk's TSN.
    pub tsn: Tsn,
    /// The stream the message belongs to.
    pub stream_id: StreamId,
    /// Message Identifier (MID).
    pub mid: Mid,
    /// The PPID when the B bit is set, else the Fragment Sequence Number.
    pub ppid_or_fsn: u32,
    /// The user data.
    pub payload: &'a [u8],
}

impl IData<'_> {
    /// Bytes of the fixed fields after the chunk header.
    pub const HEADER_LEN: usize = 16;

    /// The Payload Protocol Identifier, carried only by the first fragment (B bit set).
    pub fn ppid(&self) -> Option<Ppid> {
        self.flags.beginning.then_some(Ppid(self.ppid_or_fsn))
    }

    /// The Fragment Sequence Number: 0 for the first fragment, whose field holds the PPID.
    pub fn fsn(&self) -> Fsn {
        if self.flags.beginning {
            Fsn(0)
        } else {
            Fsn(self.ppid_or_fsn)
        }
    }
}

impl<'a> ChunkValue<'a> for IData<'a> {
    const TYPE: u8 = 64;

    fn parse_value(flags: u8, v: &'a [u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, Self::HEADER_LEN)?;
        // As for DATA, an empty payload is the engine's to answer (RFC 8260 section 2.1).
        Ok(Self {
            flags: DataFlags::from_bits(flags),
            tsn: Tsn(be32(v, 0)),
            stream_id: be16(v, 4),
            mid: Mid(be32(v, 8)),
            ppid_or_fsn: be32(v, 12),
            payload: &v[Self::HEADER_LEN..],
        })
    }

    fn flags(&self) -> u8 {
        self.flags.bits()
    }

    fn value_len(&self) -> usize {
        Self::HEADER_LEN + self.payload.len()
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf[0..4].copy_from_slice(&self.tsn.0.to_be_bytes());
        buf[4..6].copy_from_slice(&self.stream_id.to_be_bytes());
        buf[6..8].fill(0);
        buf[8..12].copy_from_slice(&self.mid.0.to_be_bytes());
        buf[12..16].copy_from_slice(&self.ppid_or_fsn.to_be_bytes());
        buf[16..].copy_from_slice(self.payload);
    }
}

impl fmt::Display for IData<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "I_DATA[{}] tsn {} sid {} mid {} ",
            self.flags, self.tsn, self.stream_id, self.mid
        )?;
        match self.ppid() {
            Some(ppid) => write!(f, "ppid {}", ppid.0)?,
            None => write!(f, "fsn {}", self.fsn())?,
        }
        write!(f, " ({} bytes)", self.payload.len())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::test_util::round_trip;
    use super::*;

    #[test]
    fn rfc8260_2_1_i_data_from_capture() {
        // Wireshark: I_DATA chunk (unordered, first segment, TSN: 7, SID: 2, MID: 3,
        // PPID: 51, payload length: 6 bytes), flags 0x06, length 26
        //   Stream identifier: 0x0002, Reserved: 0x0000, Message identifier: 3
        //   Payload protocol identifier: WebRTC String (51)
        //   Chunk padding: 0000
        let bytes = [
            0x40, 0x06, 0x00, 0x1a, 0x00, 0x00, 0x00, 0x07, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x03, 0x00, 0x00, 0x00, 0x33, b'h', b'e', b'l', b'l', b'o', b'!', 0x00, 0x00,
        ];
        let Chunk::IData(d) = round_trip(&bytes) else {
            panic!("expected I-DATA")
        };
        assert!(d.flags.unordered && d.flags.beginning && !d.flags.ending);
        assert_eq!(d.tsn, Tsn(7));
        assert_eq!(d.stream_id, 2);
        assert_eq!(d.mid, Mid(3));
        assert_eq!(d.ppid(), Some(Ppid(51)));
        assert_eq!(d.fsn(), Fsn(0));
        assert_eq!(d.payload, b"hello!");
        assert_eq!(
            d.to_string(),
            "I_DATA[UB] tsn 7 sid 2 mid 3 ppid 51 (6 bytes)"
        );
    }

    #[test]
    fn rfc8260_2_1_i_data_fsn_reserved_and_short_value() {
        assert_eq!(
            IData::parse_value(0, &[0; 15]),
            Err(Malformed::TooShort {
                needed: 16,
                got: 15
            })
        );
        // A middle fragment: the last field is the FSN; a non-zero Reserved is dropped.
        let v = [0, 0, 0, 9, 0, 1, 0xff, 0xff, 0, 0, 0, 4, 0, 0, 0, 2];
        let d = IData::parse_value(0x00, &v).unwrap();
        assert_eq!((d.ppid(), d.fsn()), (None, Fsn(2)));
        let mut out = [0u8; 20];
        assert_eq!(d.emit(&mut out), Ok(20));
        assert_eq!(&out[10..12], &[0, 0]);
    }
}
