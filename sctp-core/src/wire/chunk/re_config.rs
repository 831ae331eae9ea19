//! RE-CONFIG, stream reconfiguration (RFC 6525 section 3.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Type = 130    |  Chunk Flags  |      Chunk Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                                                               \
//! /                  Re-configuration Parameter                   /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                                                               \
//! /             Re-configuration Parameter (optional)             /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Which parameter combinations are allowed (RFC 6525 section 3.1) is for
//! the engine to check; parsing only checks lengths.

use core::fmt;

use super::{ChunkValue, emit_with_tlv_tail};
use crate::wire::error::{BufferTooSmall, Malformed};
use crate::wire::param::{self, Param};

/// RE-CONFIG: requests or answers a stream reset or stream addition.
///
/// The emitted Chunk Length leaves out the last parameter's padding (RFC 9260
/// section 3.2), which [`ChunkValue::value_len`] counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReConfig<'a> {
    /// The re-configuration parameters, in wire order.
    pub params: Vec<Param<'a>>,
}

impl<'a> ChunkValue<'a> for ReConfig<'a> {
    const TYPE: u8 = 130;

    fn parse_value(_flags: u8, v: &'a [u8]) -> Result<Self, Malformed> {
        Ok(Self {
            params: param::parse_all(v)?,
        })
    }

    fn value_len(&self) -> usize {
        param::wire_len(&self.params)
    }

    fn emit_value(&self, buf: &mut [u8]) {
        let emitted = param::emit_all(&self.params, buf);
        debug_assert!(emitted.is_ok(), "parameters emit within their wire_len");
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
        emit_with_tlv_tail(self, buf, self.params.last().map(Param::tlv_len))
    }
}

impl fmt::Display for ReConfig<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RE_CONFIG")?;
        for (i, p) in self.params.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { ", " })?;
            fmt::Display::fmt(p, f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::test_util::round_trip;
    use super::*;
    use crate::wire::param::UnknownParam;

    #[test]
    fn rfc6525_3_1_re_config_from_capture() {
        // Wireshark: RE_CONFIG chunk, flags 0x00, length 22
        //   Outgoing SSN reset request parameter, type 13, length 18
        //     Re-configuration request sequence number: 1
        //     Re-configuration response sequence number: 0
        //     Senders last assigned TSN: 100
        //     Stream Identifier: 1
        //   Chunk padding: 0000 (the last parameter's padding is not in the chunk length)
        let bytes = [
            0x82, 0x00, 0x00, 0x16, 0x00, 0x0d, 0x00, 0x12, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00, 0x01, 0x00, 0x00,
        ];
        let Chunk::ReConfig(r) = round_trip(&bytes) else {
            panic!("expected RE-CONFIG")
        };
        assert_eq!(r.params.len(), 1);
        assert_eq!(r.params[0].param_type(), 13);
    }

    #[test]
    fn rfc6525_3_1_re_config_param_lengths() {
        assert!(matches!(
            ReConfig::parse_value(0, &[0x7f, 0x00, 0x00, 0x09, 0]),
            Err(Malformed::Nested {
                tlv_type: 0x7f00,
                offset: 0,
                ..
            })
        ));
        // Padding included in the chunk length is accepted; re-emission drops it
        // from the Chunk Length.
        let v = [0x7f, 0x00, 0x00, 0x05, 0xab, 0, 0, 0];
        let r = ReConfig::parse_value(0, &v).unwrap();
        assert_eq!(
            r.params,
            [Param::Unknown(UnknownParam {
                param_type: 0x7f00,
                value: &[0xab]
            })]
        );
        let mut out = [0u8; 12];
        assert_eq!(r.emit(&mut out), Ok(12));
        assert_eq!(out, [0x82, 0, 0, 9, 0x7f, 0, 0, 5, 0xab, 0, 0, 0]);
        assert_eq!(ReConfig::parse_value(0, &[]).unwrap().params, []);
    }
}
