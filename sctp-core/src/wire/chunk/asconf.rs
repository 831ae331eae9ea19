//! ASCONF, Address Configuration Change (RFC 5061 section 5.1.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Type = 0xC1   |  Chunk Flags  |      Chunk Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Sequence Number                         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Address Parameter                          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                     ASCONF Parameter #1                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                                                               \
//! /                             ....                              /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                     ASCONF Parameter #N                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! A missing Address Parameter is a protocol error for the engine, not a parse error.

serial_params_chunk! {
    /// ASCONF: asks the peer to add or delete addresses or set the primary.
    ///
    /// The emitted Chunk Length leaves out the last parameter's padding (RFC 9260
    /// section 3.2), which [`ChunkValue::value_len`](super::ChunkValue::value_len) counts.
    pub struct Asconf<'a> {
        /// Sequence Number of this request.
        pub serial: u32,
        /// The Address Parameter, then the ASCONF parameters, in wire order.
        pub params: Vec<Param<'a>>,
    }
    TYPE = 0xc1, "ASCONF";
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::ChunkValue;
    use super::super::test_util::round_trip;
    use super::*;
    use crate::wire::error::Malformed;
    use crate::wire::param::Ipv4Address;
    use crate::wire::param::Param;
    use std::net::Ipv4Addr;

    #[test]
    fn rfc5061_5_1_1_asconf_from_capture() {
        // Wireshark: ASCONF chunk, flags 0x00, length 32
        //   Sequence number: 2882400001
        //   IPv4 address parameter (Address: 10.0.0.1)
        //   Add IP address parameter, type 0xc001, length 16
        //     ASCONF-Request correlation ID: 1
        //     IPv4 address parameter (Address: 10.0.1.1)
        let bytes = [
            0xc1, 0x00, 0x00, 0x20, 0xab, 0xcd, 0xef, 0x01, 0x00, 0x05, 0x00, 0x08, 0x0a, 0x00,
            0x00, 0x01, 0xc0, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x05, 0x00, 0x08,
            0x0a, 0x00, 0x01, 0x01,
        ];
        let Chunk::Asconf(a) = round_trip(&bytes) else {
            panic!("expected ASCONF")
        };
        assert_eq!(a.serial, 0xabcd_ef01);
        assert_eq!(
            a.params[0],
            Param::Ipv4Address(Ipv4Address(Ipv4Addr::new(10, 0, 0, 1)))
        );
        assert_eq!(a.params[1].param_type(), 0xc001);
        assert_eq!(a.to_string(), "ASCONF serial 2882400001 (2 params)");
    }

    #[test]
    fn rfc5061_5_1_1_asconf_short_and_bad_address() {
        assert_eq!(
            Asconf::parse_value(0, &[0; 3]),
            Err(Malformed::TooShort { needed: 4, got: 3 })
        );
        // An IPv4 Address parameter of the wrong size, reported at value offset 4.
        let v = [0, 0, 0, 1, 0, 5, 0, 6, 10, 0];
        assert!(matches!(
            Asconf::parse_value(0, &v),
            Err(Malformed::Nested {
                tlv_type: 5,
                offset: 4,
                ..
            })
        ));
        let a = Asconf::parse_value(0, &[0, 0, 0, 1]).unwrap();
        assert_eq!((a.serial, a.params.len()), (1, 0));
    }
}
