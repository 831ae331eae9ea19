//! Stale Cookie Error cause (RFC 9260 section 3.3.10.3).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 3            |       Cause Length = 8        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                 Measure of Staleness (usec.)                  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;

use crate::wire::error::Malformed;
use crate::wire::tlv::TlvValue;

/// A COOKIE ECHO arrived after its cookie expired, by this many microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StaleCookie {
    /// How long past its lifetime the cookie was, in microseconds.
    pub staleness_us: u32,
}

impl TlvValue<'_> for StaleCookie {
    const TYPE: u16 = 3;

    fn parse_value(v: &[u8]) -> Result<Self, Malformed> {
        Malformed::check_len(v, 4)?;
        Ok(Self {
            staleness_us: u32::from_be_bytes([v[0], v[1], v[2], v[3]]),
        })
    }

    fn value_len(&self) -> usize {
        4
    }

    fn emit_value(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.staleness_us.to_be_bytes());
    }
}

impl fmt::Display for StaleCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stale Cookie ({} us)", self.staleness_us)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;

    #[test]
    fn rfc9260_3_3_10_3_stale_cookie_round_trip() {
        // Wireshark: Stale cookie error cause, code 3, length 8, staleness 1000000 usec.
        let bytes = [0x00, 0x03, 0x00, 0x08, 0x00, 0x0f, 0x42, 0x40];
        assert_eq!(
            round_trip(&bytes),
            Cause::StaleCookie(StaleCookie {
                staleness_us: 1_000_000
            })
        );
    }
}
