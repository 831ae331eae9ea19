//! Heartbeat Info parameter (RFC 9260 section 3.3.5), carried by HEARTBEAT
//! and echoed back unchanged by HEARTBEAT ACK (section 3.3.6).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Heartbeat Info Type = 1    |         HB Info Length        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                  Sender-Specific Heartbeat Info               /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

bytes_tlv! {
    /// Sender-specific heartbeat information, opaque to the receiver.
    pub struct HeartbeatInfo<'a> {
        /// The Sender-Specific Heartbeat Info, echoed back verbatim.
        pub info: &'a [u8],
    }
    TYPE = 1;
}

impl fmt::Display for HeartbeatInfo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Heartbeat Info ({} bytes)", self.info.len())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc9260_3_3_5_heartbeat_info_round_trip() {
        // Wireshark: Heartbeat info parameter (Information: 6 bytes), type 1, length 10,
        // padding: 0000.
        let bytes = [
            0x00, 0x01, 0x00, 0x0a, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x2a, 0x00, 0x00,
        ];
        assert_eq!(
            round_trip(&bytes),
            Param::HeartbeatInfo(HeartbeatInfo {
                info: &[0xde, 0xad, 0xbe, 0xef, 0x00, 0x2a]
            })
        );
    }

    #[test]
    fn rfc9260_3_3_5_heartbeat_info_empty_and_display() {
        let hb = HeartbeatInfo::parse_value(&[]).unwrap();
        assert_eq!(hb.value_len(), 0);
        assert_eq!(hb.tlv_len(), 4);
        assert_eq!(hb.to_string(), "Heartbeat Info (0 bytes)");
    }
}
