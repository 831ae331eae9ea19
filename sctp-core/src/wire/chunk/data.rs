//! DATA (RFC 9260 section 3.3.1), with the I bit of RFC 9260 (was RFC 7053).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 0    |  Res  |I|U|B|E|           Length              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                              TSN                              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |      Stream Identifier S      |   Stream Sequence Number n    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                  Payload Protocol Identifier                  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                 User Data (seq n of Stream S)                 \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

use super::ChunkValue;
use crate::wire::error::Malformed;
use crate::{Ppid, Ssn, StreamId, Tsn};

/// The flag bits of DATA and I-DATA chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DataFlags {
    /// I: the receiver should SACK immediately (RFC 9260 section 3.3.1).
    pub immediate: bool,
    /// U: unordered delivery.
    pub unordered: bool,
    /// B: first fragment of a message.
    pub beginning: bool,
    /// E: last fragment of a message.
    pub ending: bool,
}

impl DataFlags {
    /// Flags of an unfragmented message.
    pub const COMPLETE: Self = Self {
        immediate: false,
        unordered: false,
        beginning: true,
        ending: true,
    };

    /// Decodes the flag byte (reserved bits ignored).
    pub const fn from_bits(bits: u8) -> Self {
        Self {
            immediate: bits & 0x08 != 0,
            unordered: bits & 0x04 != 0,
            beginning: bits & 0x02 != 0,
            ending: bits & 0x01 != 0,
        }
    }

    /// Encodes the flag byte.
    pub const fn bits(self) -> u8 {
        (self.immediate as u8) << 3
            | (self.unordered as u8) << 2
            | (self.beginning as u8) << 1
            | self.ending as u8
    }
}

impl fmt::Display for DataFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (set, c) in [
            (self.immediate, 'I'),
            (self.unordered, 'U'),
            (self.beginning, 'B'),
            (self.ending, 'E'),
        ] {
            if set {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// DATA: one message or fragment of user data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Data<'a> {
    /// The I, U, B and E bits.
    pub flags: DataFlags,
    /// The chunk's TSN.
    pub tsn: Tsn,
    /// The stream the message belongs to.
    pub stream_id: StreamId,
    /// The stream sequence number (meaningless when unordered).
    pub ssn: Ssn,
    /// The payload protocol identifier, passed to the upper layer unchanged.
    pub ppid: Ppid,
    /// The user data; the RFC forbids an empty one (No User Data cause).
    pub payload: &'a [u8],
}

impl Data<'_> {
    /// Bytes of the fixed fields after the chunk header.
    pub const HEADER_LEN: usize = 12;
}

impl<'a> ChunkValue<'a> for Data<'a> {
    const TYPE: u8 = 0;

    fn parse_value(flags: u8, v: &'a [u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, Self::HEADER_LEN)?;
        // An empty payload is well-formed on the wire; the engine answers it
        // with the No User Data cause (RFC 9260 section 6.2).
        Ok(Self {
            flags: DataFlags::from_bits(flags),
            tsn: Tsn(u32::from_be_bytes([v[0], v[1], v[2], v[3]])),
            stream_id: u16::from_be_bytes([v[4], v[5]]),
            ssn: Ssn(u16::from_be_bytes([v[6], v[7]])),
            ppid: Ppid(u32::from_be_bytes([v[8], v[9], v[10], v[11]])),
            payload: &v[12..],
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
        buf[6..8].copy_from_slice(&self.ssn.0.to_be_bytes());
        buf[8..12].copy_from_slice(&self.ppid.0.to_be_bytes());
        buf[12..].copy_from_slice(self.payload);
    }
}

impl fmt::Display for Data<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DATA[{}] tsn {} sid {} ssn {} ppid {} ({} bytes)",
            self.flags,
            self.tsn,
            self.stream_id,
            self.ssn,
            self.ppid.0,
            self.payload.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::test_util::round_trip;
    use super::*;

    #[test]
    fn rfc9260_3_3_1_data_from_capture() {
        // Wireshark: DATA chunk(ordered, complete segment, TSN: 1431655765, SID: 1, SSN: 0,
        // PPID: 0, payload length: 5 bytes), flags 0x03, length 21.
        let bytes = [
            0x00, 0x03, 0x00, 0x15, 0x55, 0x55, 0x55, 0x55, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, b'h', b'e', b'l', b'l', b'o', 0x00, 0x00, 0x00,
        ];
        let Chunk::Data(d) = round_trip(&bytes) else {
            panic!("expected DATA")
        };
        assert_eq!(d.flags, DataFlags::COMPLETE);
        assert_eq!(d.tsn, Tsn(1_431_655_765));
        assert_eq!(d.stream_id, 1);
        assert_eq!(d.payload, b"hello");
    }

    #[test]
    fn rfc9260_3_3_1_data_flags_and_short_value() {
        let flags = DataFlags::from_bits(0x0f);
        assert!(flags.immediate && flags.unordered && flags.beginning && flags.ending);
        assert_eq!(flags.bits(), 0x0f);
        assert_eq!(
            Data::parse_value(0, &[0; 11]),
            Err(Malformed::TooShort {
                needed: 12,
                got: 11
            })
        );
    }
}
