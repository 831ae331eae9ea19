//! ECNE, Explicit Congestion Notification Echo (RFC 9260 section 3.3.13 and
//! appendix A, from RFC 3168's ECN for SCTP).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Chunk Type=12 | Flags=00000000|    Chunk Length = 8           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                      Lowest TSN Number                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                 Number of Packets (optional)                  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! RFC 9260 defines the 8-byte form. usrsctp and FreeBSD send a 12-byte form
//! that adds Number of Packets, the CE-marked packets seen since the last CWR
//! (draft-stewart-tsvwg-sctpecn section 3.1); both forms parse and re-emit
//! byte for byte.

use core::fmt;

use super::{ChunkValue, be32};
use crate::Tsn;
use crate::wire::error::Malformed;

/// ECNE: tells the sender that a packet arrived with the CE codepoint set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ecne {
    /// Lowest TSN Number: the lowest TSN in the CE-marked packet.
    pub lowest_tsn: Tsn,
    /// Number of Packets of the 12-byte form (usrsctp, FreeBSD); `None` for
    /// RFC 9260's 8-byte form, which is what this stack sends.
    pub num_packets: Option<u32>,
}

impl Ecne {
    /// The RFC 9260 form, without Number of Packets.
    pub const fn new(lowest_tsn: Tsn) -> Self {
        Self {
            lowest_tsn,
            num_packets: None,
        }
    }
}

impl ChunkValue<'_> for Ecne {
    const TYPE: u8 = 12;

    fn parse_value(_flags: u8, v: &[u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, 4)?;
        let num_packets = match v.len() {
            4 => None,
            8 => Some(be32(v, 4)),
            _ => {
                return Err(Malformed::Invalid {
                    field: "ECNE length",
                });
            }
        };
        Ok(Self {
            lowest_tsn: Tsn(be32(v, 0)),
            num_packets,
        })
    }

    fn value_len(&self) -> usize {
        if self.num_packets.is_some() { 8 } else { 4 }
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf[0..4].copy_from_slice(&self.lowest_tsn.0.to_be_bytes());
        if let Some(n) = self.num_packets {
            buf[4..8].copy_from_slice(&n.to_be_bytes());
        }
    }
}

impl fmt::Display for Ecne {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ECNE lowest_tsn {}", self.lowest_tsn)?;
        if let Some(n) = self.num_packets {
            write!(f, " packets {n}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::test_util::round_trip;
    use super::*;

    #[test]
    fn rfc9260_3_3_13_ecne_from_capture() {
        // Wireshark: ECNE chunk (Lowest TSN: 305419896), flags 0x00, length 8
        let bytes = [0x0c, 0x00, 0x00, 0x08, 0x12, 0x34, 0x56, 0x78];
        assert_eq!(round_trip(&bytes), Chunk::Ecne(Ecne::new(Tsn(0x1234_5678))));
        // usrsctp's 12-byte form (testdata/usrsctp-errors.pcap frame 21):
        // ECNE chunk, flags 0x00, length 12, Lowest TSN: 5002, then 00000001
        // (Number of Packets: 1).
        let bytes = [
            0x0c, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x13, 0x8a, 0x00, 0x00, 0x00, 0x01,
        ];
        let Chunk::Ecne(e) = round_trip(&bytes) else {
            panic!("expected ECNE")
        };
        assert_eq!((e.lowest_tsn, e.num_packets), (Tsn(5002), Some(1)));
        assert_eq!(e.to_string(), "ECNE lowest_tsn 5002 packets 1");
    }

    #[test]
    fn rfc9260_appendix_a_ecne_lengths() {
        assert!(matches!(
            Ecne::parse_value(0, &[0; 2]),
            Err(Malformed::TooShort { needed: 4, got: 2 })
        ));
        for len in [5, 7, 9, 12] {
            assert!(matches!(
                Ecne::parse_value(0, &vec![0; len]),
                Err(Malformed::Invalid { .. })
            ));
        }
    }
}
