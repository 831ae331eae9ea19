//! Association Aborted Due to Illegal ASCONF-ACK error cause (RFC 5061 section 5.3.4).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 0x00A3       |     Cause Length = 4          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The RFC defines no cause information; any that arrives is ignored (so that
//! cause is not re-emitted byte for byte).

use core::fmt;

use crate::wire::error::Malformed;
use crate::wire::tlv::TlvValue;

/// The association is aborted because an ASCONF-ACK was illegal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct IllegalAsconfAck;

impl TlvValue<'_> for IllegalAsconfAck {
    const TYPE: u16 = 0x00a3;

    fn parse_value(_: &[u8]) -> Result<Self, Malformed> {
        Ok(Self)
    }

    fn value_len(&self) -> usize {
        0
    }

    fn emit_value(&self, _: &mut [u8]) {}
}

impl fmt::Display for IllegalAsconfAck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Association Aborted Due to Illegal ASCONF-ACK")
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc5061_5_3_4_illegal_asconf_ack_round_trip() {
        // Wireshark: Association Aborted due to illegal ASCONF-ACK (0x00a3), cause length 4.
        let bytes = [0x00, 0xa3, 0x00, 0x04];
        assert_eq!(
            round_trip(&bytes),
            Cause::IllegalAsconfAck(IllegalAsconfAck)
        );
    }

    #[test]
    fn rfc5061_5_3_4_illegal_asconf_ack_stray_value() {
        assert_eq!(
            IllegalAsconfAck::parse_value(&[1, 2, 3]),
            Ok(IllegalAsconfAck)
        );
        assert_eq!(IllegalAsconfAck.tlv_len(), 4);
        assert_eq!(
            Cause::from(IllegalAsconfAck).to_string(),
            "Association Aborted Due to Illegal ASCONF-ACK"
        );
    }
}
