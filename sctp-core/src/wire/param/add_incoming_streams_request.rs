//! Add Incoming Streams Request parameter (RFC 6525 section 4.6), carried in RE-CONFIG.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 18       |      Parameter Length = 12    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Re-configuration Request Sequence Number             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |      Number of new streams    |         Reserved              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The Reserved field is emitted as 0 and ignored on receipt, as are bytes
//! after it; a parameter with either is not re-emitted byte for byte.

add_streams_request! {
    /// A request that the peer add outgoing streams (the sender's incoming ones).
    pub struct AddIncomingStreamsRequest {
        /// Re-configuration Request Sequence Number of this request.
        pub request_seq: u32,
        /// Number of new streams to add.
        pub new_streams: u16,
    }
    TYPE = 18, "Add Incoming Streams Request";
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;
    use crate::wire::error::Malformed;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc6525_4_6_add_incoming_streams_request_round_trip() {
        // Wireshark: Add incoming streams request parameter (type 18, length 12,
        // Re-configuration request sequence number: 100, Number of new streams: 16,
        // Reserved: 0x0000).
        let bytes = [
            0x00, 0x12, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x64, 0x00, 0x10, 0x00, 0x00,
        ];
        assert_eq!(
            round_trip(&bytes),
            Param::AddIncomingStreamsRequest(AddIncomingStreamsRequest {
                request_seq: 100,
                new_streams: 16
            })
        );
    }

    #[test]
    fn rfc6525_4_6_add_incoming_streams_request_reserved_and_short() {
        // Non-zero Reserved bits are ignored.
        let p = AddIncomingStreamsRequest::parse_value(&[0, 0, 0, 1, 0, 2, 0xff, 0xff]).unwrap();
        assert_eq!(p.new_streams, 2);
        let mut out = [0xaa; 8];
        p.emit_value(&mut out);
        assert_eq!(out, [0, 0, 0, 1, 0, 2, 0, 0]);
        assert_eq!(
            AddIncomingStreamsRequest::parse_value(&[0; 6]),
            Err(Malformed::TooShort { needed: 8, got: 6 })
        );
    }
}
