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

heartbeat_chunk! {
    /// HEARTBEAT: probes a destination address.
    ///
    /// Bytes after the Heartbeat Information TLV (which RFC 9260 does not
    /// define) are ignored on parse and not emitted again.
    pub struct Heartbeat<'a> {
        /// Sender-Specific Heartbeat Info: the value of the Heartbeat Information TLV,
        /// echoed back unchanged in the HEARTBEAT ACK.
        pub info: &'a [u8],
    }
    TYPE = 4, "HEARTBEAT";
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::ChunkValue;
    use super::super::test_util::round_trip;
    use super::*;
    use crate::wire::error::Malformed;
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
