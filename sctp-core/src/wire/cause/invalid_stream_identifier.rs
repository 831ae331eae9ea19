//! Invalid Stream Identifier error cause (RFC 9260 section 3.3.10.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 1            |      Cause Length = 8         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Stream Identifier      |         (Reserved)            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The Reserved field is emitted as 0 and ignored on receipt, as are bytes
//! after it; a cause with either is not re-emitted byte for byte.

use core::fmt;

use crate::StreamId;
use crate::wire::error::Malformed;
use crate::wire::param::read_u16;
use crate::wire::tlv::TlvValue;

/// DATA arrived for a stream that does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InvalidStreamIdentifier {
    /// The Stream Identifier of the offending DATA chunk.
    pub stream_id: StreamId,
}

impl TlvValue<'_> for InvalidStreamIdentifier {
    const TYPE: u16 = 1;

    fn parse_value(v: &[u8]) -> Result<Self, Malformed> {
        // The 16 reserved bits are required on the wire but not checked.
        Malformed::check_len(v, 4)?;
        Ok(Self {
            stream_id: read_u16(v, 0),
        })
    }

    fn value_len(&self) -> usize {
        4
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf[0..2].copy_from_slice(&self.stream_id.to_be_bytes());
        buf[2..4].fill(0);
    }
}

impl fmt::Display for InvalidStreamIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Invalid Stream Identifier ({})", self.stream_id)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc9260_3_3_10_1_invalid_stream_identifier_round_trip() {
        // Wireshark: Invalid stream identifier (1), cause length 8, Stream identifier: 10,
        // Reserved: 0x0000.
        let bytes = [0x00, 0x01, 0x00, 0x08, 0x00, 0x0a, 0x00, 0x00];
        assert_eq!(
            round_trip(&bytes),
            Cause::InvalidStreamIdentifier(InvalidStreamIdentifier { stream_id: 10 })
        );
    }

    #[test]
    fn rfc9260_3_3_10_1_invalid_stream_identifier_short_and_reserved() {
        assert_eq!(
            InvalidStreamIdentifier::parse_value(&[0, 1]),
            Err(Malformed::TooShort { needed: 4, got: 2 })
        );
        let c = InvalidStreamIdentifier::parse_value(&[0, 1, 0xff, 0xff]).unwrap();
        let mut out = [0xaa; 4];
        c.emit_value(&mut out);
        assert_eq!(out, [0, 1, 0, 0]);
    }
}
