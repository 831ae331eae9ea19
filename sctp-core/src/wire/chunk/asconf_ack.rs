//! ASCONF-ACK (RFC 5061 section 5.1.2).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Type = 0x80   |  Chunk Flags  |      Chunk Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Sequence Number                         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                 ASCONF Parameter Response#1                   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                                                               \
//! /                             ....                              /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                 ASCONF Parameter Response#N                   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

serial_params_chunk! {
    /// ASCONF-ACK: answers an ASCONF with per-request results.
    ///
    /// The emitted Chunk Length leaves out the last parameter's padding (RFC 9260
    /// section 3.2), which [`ChunkValue::value_len`](super::ChunkValue::value_len) counts.
    pub struct AsconfAck<'a> {
        /// Sequence Number of the ASCONF being answered.
        pub serial: u32,
        /// The ASCONF Parameter Responses (Success / Error Cause Indication), in wire order.
        pub params: Vec<Param<'a>>,
    }
    TYPE = 0x80, "ASCONF_ACK";
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::ChunkValue;
    use super::super::test_util::round_trip;
    use super::*;
    use crate::wire::error::Malformed;
    use crate::wire::param::Param;
    use crate::wire::param::UnknownParam;

    #[test]
    fn rfc5061_5_1_2_asconf_ack_from_capture() {
        // Wireshark: ASCONF_ACK chunk, flags 0x00, length 16
        //   Sequence number: 2882400001
        //   Success report parameter, type 0xc005, length 8
        //     ASCONF-Request correlation ID: 1
        let bytes = [
            0x80, 0x00, 0x00, 0x10, 0xab, 0xcd, 0xef, 0x01, 0xc0, 0x05, 0x00, 0x08, 0x00, 0x00,
            0x00, 0x01,
        ];
        let Chunk::AsconfAck(a) = round_trip(&bytes) else {
            panic!("expected ASCONF-ACK")
        };
        assert_eq!(a.serial, 0xabcd_ef01);
        assert_eq!(a.params.len(), 1);
        assert_eq!(a.params[0].param_type(), 0xc005);
    }

    #[test]
    fn rfc5061_5_1_2_asconf_ack_lengths() {
        assert!(matches!(
            AsconfAck::parse_value(0, &[]),
            Err(Malformed::TooShort { needed: 4, got: 0 })
        ));
        // A response header cut short after the Sequence Number.
        assert!(matches!(
            AsconfAck::parse_value(0, &[0, 0, 0, 1, 0x7f]),
            Err(Malformed::Truncated { .. })
        ));
        let a = AsconfAck {
            serial: 9,
            params: vec![Param::Unknown(UnknownParam {
                param_type: 0x7f00,
                value: &[1, 2, 3],
            })],
        };
        let mut out = [0u8; 16];
        assert_eq!(a.emit(&mut out), Ok(16));
        assert_eq!(&out[..4], &[0x80, 0, 0, 15]);
        assert_eq!(AsconfAck::parse_value(0, &out[4..15]), Ok(a));
    }
}
