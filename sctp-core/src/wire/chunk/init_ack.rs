//! INIT ACK (RFC 9260 section 3.3.3): the same layout as INIT, and its
//! parameters must include the State Cookie.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 2    |  Chunk Flags  |      Chunk Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                         Initiate Tag                          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |              Advertised Receiver Window Credit                |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Number of Outbound Streams   |   Number of Inbound Streams   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                          Initial TSN                          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                                                               \
//! /              Optional/Variable-Length Parameters              /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! A missing State Cookie is a protocol error for the engine, not a parse error.

use super::init::init_chunk;

init_chunk!(
    /// INIT ACK: answers an INIT (RFC 9260 section 3.3.3).
    InitAck,
    2,
    "INIT_ACK"
);

#[cfg(test)]
mod tests {
    use super::super::test_util::round_trip;
    use super::super::{Chunk, ChunkValue};
    use super::*;
    use crate::wire::error::Malformed;
    use crate::wire::param::Param;
    use crate::{Tsn, VerificationTag};

    #[test]
    fn rfc9260_3_3_3_init_ack_from_capture() {
        // Wireshark: INIT_ACK chunk (Outbound streams: 5, inbound streams: 5)
        //   Chunk type: INIT_ACK (2), flags 0x00, length 44
        //   Initiate tag: 0x0badcafe, a_rwnd: 65536
        //   Number of outbound streams: 5, number of inbound streams: 5
        //   Initial TSN: 1
        //   IPv4 address parameter (Address: 10.0.0.2)
        //   State cookie parameter (Cookie length: 12 bytes)
        let bytes = [
            0x02, 0x00, 0x00, 0x2c, 0x0b, 0xad, 0xca, 0xfe, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05,
            0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x05, 0x00, 0x08, 0x0a, 0x00, 0x00, 0x02,
            0x00, 0x07, 0x00, 0x10, 0xc0, 0x0c, 0x1e, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x07, 0x08,
        ];
        let Chunk::InitAck(ack) = round_trip(&bytes) else {
            panic!("expected INIT ACK")
        };
        assert_eq!(ack.initiate_tag, VerificationTag(0x0bad_cafe));
        assert_eq!(ack.a_rwnd, 65_536);
        assert_eq!((ack.num_outbound_streams, ack.num_inbound_streams), (5, 5));
        assert_eq!(ack.initial_tsn, Tsn(1));
        let types: Vec<u16> = ack.params.iter().map(Param::param_type).collect();
        assert_eq!(types, [5, 7]);
        assert_eq!(
            Chunk::InitAck(ack).to_string(),
            "INIT_ACK itag 0x0badcafe a_rwnd 65536 os 5 mis 5 init_tsn 1 (2 params)"
        );
    }

    #[test]
    fn rfc9260_3_3_3_init_ack_truncated_param() {
        assert!(matches!(
            InitAck::parse_value(0, &[0; 3]),
            Err(Malformed::TooShort { needed: 16, .. })
        ));
        // A parameter claiming 8 bytes with only 6 present, at value offset 16.
        let mut v = [0u8; 22];
        v[16..20].copy_from_slice(&[0x00, 0x05, 0x00, 0x08]);
        assert!(matches!(
            InitAck::parse_value(0, &v),
            Err(Malformed::Nested {
                tlv_type: 5,
                offset: 16,
                ..
            })
        ));
        assert_eq!(InitAck::TYPE, 2);
    }
}
