//! HEARTBEAT (RFC 9260 section 3.3.5).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 4    | Chunk  Flags  |      Heartbeat Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                                                               \
//! /            Heartbeat Information TLV (Variable-Length)        /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//!
//! Heartbeat Information TLV:
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Heartbeat Info Type = 1    |      HB Info Length           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                  Sender-Specific Heartbeat Info               /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

use super::ChunkValue;
use crate::wire::error::Malformed;
use crate::wire::tlv::TlvIter;

/// Parameter type of the Heartbeat Information TLV.
pub(super) const HEARTBEAT_INFO_TYPE: u16 = 1;

/// Reads the Heartbeat Information TLV at the start of a HEARTBEAT or
/// HEARTBEAT ACK value and returns its value; anything after it is ignored.
pub(super) fn parse_info(v: &[u8]) -> Result<&[u8], Malformed> {
    Malformed::check_len(v, 4)?;
    let Some(first) = TlvIter::new(v).next() else {
        return Err(Malformed::TooShort { needed: 4, got: 0 });
    };
    let tlv = first?;
    if tlv.tlv_type != HEARTBEAT_INFO_TYPE {
        return Err(Malformed::Invalid {
            field: "Heartbeat Info Type",
        });
    }
    Ok(tlv.value)
}

/// Length of the value of a HEARTBEAT or HEARTBEAT ACK carrying `info`
/// (the TLV's padding is chunk padding, RFC 9260 section 3.2).
pub(super) fn info_value_len(info: &[u8]) -> usize {
    4 + info.len()
}

/// Writes the Heartbeat Information TLV carrying `info` into `buf`.
pub(super) fn emit_info(info: &[u8], buf: &mut [u8]) {
    buf[0..2].copy_from_slice(&HEARTBEAT_INFO_TYPE.to_be_bytes());
    // The chunk length caps the value at 65531 bytes, so this fits.
    buf[2..4].copy_from_slice(&(info_value_len(info) as u16).to_be_bytes());
    buf[4..].copy_from_slice(info);
}

/// HEARTBEAT: probes a destination address.
///
/// Bytes after the Heartbeat Information TLV (which RFC 9260 does not
/// define) are ignored on parse and not emitted again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Heartbeat<'a> {
    /// Sender-Specific Heartbeat Info: the value of the Heartbeat Information TLV,
    /// echoed back unchanged in the HEARTBEAT ACK.
    pub info: &'a [u8],
}

impl<'a> ChunkValue<'a> for Heartbeat<'a> {
    const TYPE: u8 = 4;

    fn parse_value(_flags: u8, v: &'a [u8]) -> Result<Self, Malformed> {
        Ok(Self {
            info: parse_info(v)?,
        })
    }

    fn value_len(&self) -> usize {
        info_value_len(self.info)
    }

    fn emit_value(&self, buf: &mut [u8]) {
        emit_info(self.info, buf);
    }
}

impl fmt::Display for Heartbeat<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HEARTBEAT ({} bytes of info)", self.info.len())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::test_util::round_trip;
    use super::*;
    use crate::wire::error::NestedReason;

    #[test]
    fn rfc9260_3_3_5_heartbeat_from_capture() {
        // Wireshark: HEARTBEAT chunk (Information: 10 bytes)
        //   Chunk type: HEARTBEAT (4), flags 0x00, length 18
        //   Heartbeat info parameter (Information: 10 bytes), type 1, length 14
        //     Heartbeat information: 0a0000020000271000a5
        //   Chunk padding: 0000
        let bytes = [
            0x04, 0x00, 0x00, 0x12, 0x00, 0x01, 0x00, 0x0e, 0x0a, 0x00, 0x00, 0x02, 0x00, 0x00,
            0x27, 0x10, 0x00, 0xa5, 0x00, 0x00,
        ];
        let Chunk::Heartbeat(hb) = round_trip(&bytes) else {
            panic!("expected HEARTBEAT")
        };
        assert_eq!(hb.info, &bytes[8..18]);
        assert_eq!(hb.to_string(), "HEARTBEAT (10 bytes of info)");
    }

    #[test]
    fn rfc9260_3_3_5_heartbeat_bad_info_tlv() {
        assert_eq!(
            Heartbeat::parse_value(0, &[]),
            Err(Malformed::TooShort { needed: 4, got: 0 })
        );
        assert_eq!(
            Heartbeat::parse_value(0, &[0, 2, 0, 4]),
            Err(Malformed::Invalid {
                field: "Heartbeat Info Type"
            })
        );
        assert_eq!(
            Heartbeat::parse_value(0, &[0, 1, 0, 9, 1, 2]),
            Err(Malformed::Nested {
                tlv_type: 1,
                offset: 0,
                reason: NestedReason::Truncated {
                    length: 9,
                    available: 6
                }
            })
        );
        // Empty info, and a trailing TLV that is ignored.
        let hb = Heartbeat::parse_value(0, &[0, 1, 0, 4, 0, 9, 0, 4]).unwrap();
        assert_eq!(hb.info, &[]);
        assert_eq!(hb.value_len(), 4);
    }
}
