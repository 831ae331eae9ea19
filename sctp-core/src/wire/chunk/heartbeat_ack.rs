//! HEARTBEAT ACK (RFC 9260 section 3.3.6).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 5    | Chunk  Flags  |    Heartbeat Ack Length       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                                                               \
//! /            Heartbeat Information TLV (Variable-Length)        /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The Heartbeat Information TLV is copied from the HEARTBEAT being answered.

heartbeat_chunk! {
    /// HEARTBEAT ACK: answers a HEARTBEAT, echoing its information.
    ///
    /// Bytes after the Heartbeat Information TLV are ignored on parse and not
    /// emitted again.
    pub struct HeartbeatAck<'a> {
        /// The Sender-Specific Heartbeat Info copied from the HEARTBEAT.
        pub info: &'a [u8],
    }
    TYPE = 5, "HEARTBEAT_ACK";
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::ChunkValue;
    use super::super::test_util::round_trip;
    use super::*;
    use crate::wire::error::Malformed;

    #[test]
    fn rfc9260_3_3_6_heartbeat_ack_from_capture() {
        // Wireshark: HEARTBEAT_ACK chunk (Information: 8 bytes)
        //   Chunk type: HEARTBEAT_ACK (5), flags 0x00, length 16
        //   Heartbeat info parameter (Information: 8 bytes), type 1, length 12
        //     Heartbeat information: 65f1c2a0000c3500
        let bytes = [
            0x05, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00, 0x0c, 0x65, 0xf1, 0xc2, 0xa0, 0x00, 0x0c,
            0x35, 0x00,
        ];
        assert_eq!(
            round_trip(&bytes),
            Chunk::HeartbeatAck(HeartbeatAck { info: &bytes[8..] })
        );
    }

    #[test]
    fn rfc9260_3_3_6_heartbeat_ack_bad_lengths() {
        assert!(matches!(
            HeartbeatAck::parse_value(0, &[0, 1, 0]),
            Err(Malformed::TooShort { needed: 4, got: 3 })
        ));
        // HB Info Length 3 is below the TLV header.
        assert!(matches!(
            HeartbeatAck::parse_value(0, &[0, 1, 0, 3]),
            Err(Malformed::Nested { tlv_type: 1, .. })
        ));
    }
}
