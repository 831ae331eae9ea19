//! Unrecognized Parameter (RFC 9260 section 3.3.3.1), sent in INIT ACK to
//! report a parameter of the INIT that the receiver did not understand.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Type = 8            |          Length               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \     Unrecognized Parameter (Type, Length and Value as sent)   \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The value is kept as received, so re-emission is byte-identical even when
//! the copied TLV is itself malformed; [`UnrecognizedParameter::tlv`] reads it.

use core::fmt;

use crate::wire::error::Malformed;
use crate::wire::tlv::RawTlv;

bytes_tlv! {
    /// A parameter of the INIT that the sender of the INIT ACK did not recognize.
    pub struct UnrecognizedParameter<'a> {
        /// The unrecognized parameter, header included, as the peer sent it.
        pub param: &'a [u8],
    }
    TYPE = 8;
}

impl<'a> UnrecognizedParameter<'a> {
    /// The copied parameter as a raw TLV (its type and value).
    pub fn tlv(&self) -> Result<RawTlv<'a>, Malformed> {
        super::first_tlv(self.param)
    }
}

impl fmt::Display for UnrecognizedParameter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.tlv() {
            Ok(raw) => write!(f, "Unrecognized Parameter (type {:#06x})", raw.tlv_type),
            Err(_) => write!(f, "Unrecognized Parameter ({} bytes)", self.param.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc9260_3_3_3_1_unrecognized_parameter_round_trip() {
        // Wireshark: Unrecognized parameter (type 8, length 12); Unrecognized parameter:
        // Unknown parameter (type 0xc123, length 7, value 010203), padding 00.
        let bytes = [
            0x00, 0x08, 0x00, 0x0c, 0xc1, 0x23, 0x00, 0x07, 0x01, 0x02, 0x03, 0x00,
        ];
        let Param::UnrecognizedParameter(u) = round_trip(&bytes) else {
            panic!("expected Unrecognized Parameter")
        };
        let raw = u.tlv().unwrap();
        assert_eq!(raw.tlv_type, 0xc123);
        assert_eq!(raw.value, &[1, 2, 3]);
        assert_eq!(u.to_string(), "Unrecognized Parameter (type 0xc123)");
    }

    #[test]
    fn rfc9260_3_3_3_1_unrecognized_parameter_bad_inner() {
        // Accepted as raw bytes; only the accessor complains.
        let u = UnrecognizedParameter::parse_value(&[0xc1, 0x23, 0x00]).unwrap();
        assert!(u.tlv().is_err());
        let empty = UnrecognizedParameter::parse_value(&[]).unwrap();
        assert_eq!(empty.tlv(), Err(Malformed::TooShort { needed: 4, got: 0 }));
        // Inner length larger than what was copied.
        let u = UnrecognizedParameter::parse_value(&[0xc1, 0x23, 0x00, 0x09, 1]).unwrap();
        assert!(matches!(
            u.tlv(),
            Err(Malformed::Nested {
                tlv_type: 0xc123,
                ..
            })
        ));
    }
}
