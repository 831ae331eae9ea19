//! Adaptation Layer Indication parameter (RFC 5061 section 4.2.6), sent in
//! INIT and INIT ACK to name the upper layer's adaptation layer.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Type = 0xC006          |          Length = 8           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                  Adaptation Code Point                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Bytes after the 4-byte field are ignored and not re-emitted.

use core::fmt;

use crate::wire::error::Malformed;
use crate::wire::tlv::TlvValue;

/// The adaptation layer the sender's upper layer uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AdaptationLayerIndication {
    /// The Adaptation Code Point, passed to the upper layer.
    pub adaptation_code_point: u32,
}

impl TlvValue<'_> for AdaptationLayerIndication {
    const TYPE: u16 = 0xc006;

    fn parse_value(v: &[u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, 4)?;
        Ok(Self {
            adaptation_code_point: super::read_u32(v, 0),
        })
    }

    fn value_len(&self) -> usize {
        4
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.adaptation_code_point.to_be_bytes());
    }
}

impl fmt::Display for AdaptationLayerIndication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Adaptation Layer Indication ({:#010x})",
            self.adaptation_code_point
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc5061_4_2_6_adaptation_layer_indication_round_trip() {
        // Wireshark: Adaptation Layer Indication parameter (type 0xc006, length 8,
        // Indication: 0x00000005).
        let bytes = [0xc0, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x05];
        let p = round_trip(&bytes);
        assert_eq!(
            p,
            Param::AdaptationLayerIndication(AdaptationLayerIndication {
                adaptation_code_point: 5
            })
        );
        assert_eq!(p.to_string(), "Adaptation Layer Indication (0x00000005)");
    }

    #[test]
    fn rfc5061_4_2_6_adaptation_layer_indication_short() {
        assert!(AdaptationLayerIndication::parse_value(&[0; 3]).is_err());
    }
}
