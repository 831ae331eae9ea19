//! The SCTP common header (RFC 9260 section 3.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Source Port Number        |     Destination Port Number   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                      Verification Tag                         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                           Checksum                            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use core::fmt;
use core::ops::Range;

use super::error::{BufferTooSmall, WireError};
use crate::VerificationTag;

pub(crate) const SRC_PORT: Range<usize> = 0..2;
pub(crate) const DST_PORT: Range<usize> = 2..4;
pub(crate) const VERIFICATION_TAG: Range<usize> = 4..8;
pub(crate) const CHECKSUM_RANGE: Range<usize> = 8..12;

/// The owned form of the common header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommonHeader {
    /// The sender's port.
    pub src_port: u16,
    /// The receiver's port.
    pub dst_port: u16,
    /// The verification tag (RFC 9260 section 8.5).
    pub verification_tag: VerificationTag,
    /// The CRC32c as carried on the wire (already byte-order corrected).
    pub checksum: u32,
}

impl CommonHeader {
    /// Length of the common header in bytes.
    pub const LEN: usize = 12;

    /// Reads the header from the start of `packet`.
    pub fn parse(packet: &[u8]) -> Result<Self, WireError> {
        let Some(h) = packet.get(..Self::LEN) else {
            return Err(WireError::PacketTooShort { len: packet.len() });
        };
        Ok(Self {
            src_port: u16::from_be_bytes([h[0], h[1]]),
            dst_port: u16::from_be_bytes([h[2], h[3]]),
            verification_tag: VerificationTag(u32::from_be_bytes([h[4], h[5], h[6], h[7]])),
            // RFC 9260 appendix A: the CRC is stored least significant byte first.
            checksum: u32::from_le_bytes([h[8], h[9], h[10], h[11]]),
        })
    }

    /// Writes the header into the first 12 bytes of `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), BufferTooSmall> {
        let Some(h) = buf.get_mut(..Self::LEN) else {
            return Err(BufferTooSmall {
                needed: Self::LEN,
                available: buf.len(),
            });
        };
        h[SRC_PORT].copy_from_slice(&self.src_port.to_be_bytes());
        h[DST_PORT].copy_from_slice(&self.dst_port.to_be_bytes());
        h[VERIFICATION_TAG].copy_from_slice(&self.verification_tag.0.to_be_bytes());
        h[CHECKSUM_RANGE].copy_from_slice(&self.checksum.to_le_bytes());
        Ok(())
    }
}

impl fmt::Display for CommonHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SCTP {} > {} vtag {} crc {:#010x}",
            self.src_port, self.dst_port, self.verification_tag, self.checksum
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9260_3_1_common_header_round_trip() {
        // Common header of a captured INIT: 5001 > 5002, vtag 0, CRC32c 0x5ac52b7c.
        let bytes = [0x13, 0x89, 0x13, 0x8a, 0, 0, 0, 0, 0x7c, 0x2b, 0xc5, 0x5a];
        let h = CommonHeader::parse(&bytes).unwrap();
        assert_eq!(h.src_port, 5001);
        assert_eq!(h.dst_port, 5002);
        assert_eq!(h.verification_tag, VerificationTag(0));
        assert_eq!(h.checksum, 0x5ac5_2b7c);
        let mut out = [0u8; 12];
        h.emit(&mut out).unwrap();
        assert_eq!(out, bytes);
    }

    #[test]
    fn short_packet_is_a_typed_error() {
        assert_eq!(
            CommonHeader::parse(&[0; 11]),
            Err(WireError::PacketTooShort { len: 11 })
        );
    }
}
