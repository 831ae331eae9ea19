//! CWR, Congestion Window Reduced (RFC 9260 section 3.3.14 and appendix A,
//! from RFC 3168's ECN for SCTP).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Chunk Type=13 | Flags=00000000|    Chunk Length = 8           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                      Lowest TSN Number                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

use super::{ChunkValue, be32, check_exact};
use crate::Tsn;
use crate::wire::error::Malformed;

/// CWR: tells the ECNE sender that the congestion window was reduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cwr {
    /// Lowest TSN Number: the TSN carried by the ECNE that caused the reduction.
    pub lowest_tsn: Tsn,
}

impl ChunkValue<'_> for Cwr {
    const TYPE: u8 = 13;

    fn parse_value(_flags: u8, v: &[u8]) -> Result<Self, Malformed> {
        check_exact(v, 4, "CWR length")?;
        Ok(Self {
            lowest_tsn: Tsn(be32(v, 0)),
        })
    }

    fn value_len(&self) -> usize {
        4
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.lowest_tsn.0.to_be_bytes());
    }
}

impl fmt::Display for Cwr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CWR lowest_tsn {}", self.lowest_tsn)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::test_util::round_trip;
    use super::*;

    #[test]
    fn rfc9260_3_3_14_cwr_from_capture() {
        // Wireshark: CWR chunk (Lowest TSN: 305419896), flags 0x00, length 8
        let bytes = [0x0d, 0x00, 0x00, 0x08, 0x12, 0x34, 0x56, 0x78];
        let Chunk::Cwr(cwr) = round_trip(&bytes) else {
            panic!("expected CWR")
        };
        assert_eq!(cwr.lowest_tsn, Tsn(0x1234_5678));
        assert_eq!(cwr.to_string(), "CWR lowest_tsn 305419896");
    }

    #[test]
    fn rfc9260_appendix_a_cwr_length_is_exact() {
        assert!(matches!(
            Cwr::parse_value(0, &[]),
            Err(Malformed::TooShort { needed: 4, got: 0 })
        ));
        assert!(matches!(
            Cwr::parse_value(0, &[0; 8]),
            Err(Malformed::Invalid {
                field: "CWR length"
            })
        ));
    }
}
