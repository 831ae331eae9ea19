//! ABORT (RFC 9260 section 3.3.7).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 6    |  Reserved   |T|           Length              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                                                               \
//! /                   zero or more Error Causes                   /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

use super::{ChunkValue, emit_causes, emit_with_tlv_tail, fmt_causes};
use crate::wire::cause::{self, Cause};
use crate::wire::error::{BufferTooSmall, Malformed};

/// The T bit of ABORT and SHUTDOWN COMPLETE (RFC 9260 section 3.3.7).
pub(super) const T_BIT: u8 = 0x01;

/// ABORT: closes the association at once, optionally saying why.
///
/// Reserved flag bits are not kept. The emitted Chunk Length leaves out the
/// last cause's padding (RFC 9260 section 3.2), which
/// [`ChunkValue::value_len`] counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abort<'a> {
    /// T bit: the packet carries the receiver's own verification tag
    /// reflected, not the peer's (RFC 9260 section 8.5.1).
    pub t_bit: bool,
    /// The error causes, in wire order.
    pub causes: Vec<Cause<'a>>,
}

impl<'a> ChunkValue<'a> for Abort<'a> {
    const TYPE: u8 = 6;

    fn parse_value(flags: u8, v: &'a [u8]) -> Result<Self, Malformed> {
        Ok(Self {
            t_bit: flags & T_BIT != 0,
            causes: cause::parse_all(v)?,
        })
    }

    fn flags(&self) -> u8 {
        if self.t_bit { T_BIT } else { 0 }
    }

    fn value_len(&self) -> usize {
        cause::wire_len(&self.causes)
    }

    fn emit_value(&self, buf: &mut [u8]) {
        emit_causes(&self.causes, buf);
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
        emit_with_tlv_tail(self, buf, self.causes.last().map(Cause::tlv_len))
    }
}

impl fmt::Display for Abort<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ABORT")?;
        if self.t_bit {
            f.write_str("[T]")?;
        }
        fmt_causes(f, &self.causes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Chunk;
    use super::super::test_util::round_trip;
    use super::*;
    use crate::wire::cause::{StaleCookie, UnknownCause};

    #[test]
    fn rfc9260_3_3_7_abort_from_capture() {
        // Wireshark: ABORT chunk, flags 0x00 (T bit not set), length 11
        //   User initiated ABORT cause (Reason: "bye"), code 12, length 7
        //   Chunk padding: 00 (the last cause's padding is not in the chunk length)
        let bytes = [
            0x06, 0x00, 0x00, 0x0b, 0x00, 0x0c, 0x00, 0x07, b'b', b'y', b'e', 0x00,
        ];
        let Chunk::Abort(abort) = round_trip(&bytes) else {
            panic!("expected ABORT")
        };
        assert!(!abort.t_bit);
        assert_eq!(abort.causes.len(), 1);
        assert_eq!(abort.causes[0].cause_code(), 12);

        // Wireshark: ABORT chunk, flags 0x01 (T bit set), length 4 (no causes)
        assert_eq!(
            round_trip(&[0x06, 0x01, 0x00, 0x04]),
            Chunk::Abort(Abort {
                t_bit: true,
                causes: vec![]
            })
        );
    }

    #[test]
    fn rfc9260_3_3_7_abort_causes_and_bad_lengths() {
        let a = Abort {
            t_bit: true,
            causes: vec![
                Cause::StaleCookie(StaleCookie { staleness_us: 5 }),
                Cause::Unknown(UnknownCause {
                    cause_code: 0x7f00,
                    value: &[1, 2],
                }),
            ],
        };
        assert!(a.to_string().starts_with("ABORT[T]: "));
        let mut out = [0u8; 20];
        assert_eq!(a.emit(&mut out), Ok(20));
        // 4 header + 8 stale cookie + 6 unknown cause, then 2 bytes of chunk padding.
        assert_eq!(&out[..4], &[0x06, 0x01, 0x00, 18]);
        assert_eq!(Abort::parse_value(1, &out[4..18]), Ok(a));
        // A cause header cut short, and a cause length below 4.
        assert!(matches!(
            Abort::parse_value(0, &[0, 3, 0]),
            Err(Malformed::Truncated { .. })
        ));
        assert!(matches!(
            Abort::parse_value(0, &[0, 3, 0, 2]),
            Err(Malformed::Nested { tlv_type: 3, .. })
        ));
        // A Stale Cookie cause too short for its field.
        assert!(matches!(
            Abort::parse_value(0, &[0, 3, 0, 6, 0, 0]),
            Err(Malformed::Nested { tlv_type: 3, .. })
        ));
    }
}
