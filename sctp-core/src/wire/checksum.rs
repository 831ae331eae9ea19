//! The CRC32c checksum of SCTP packets (RFC 9260 section 6.8 and appendix A).
//!
//! The `crc32c` crate uses the SSE4.2 / ARMv8 CRC instructions where present.

use super::header::CHECKSUM_RANGE;

/// Computes the CRC32c of `packet` as if its checksum field were zero.
///
/// Returns the value to be written, in the byte order RFC 9260 appendix A
/// prescribes (the crate's result stored little-endian, which
/// [`super::CommonHeader`] accessors handle).
pub fn compute(packet: &[u8]) -> u32 {
    if packet.len() < CHECKSUM_RANGE.end {
        return crc32c::crc32c(packet);
    }
    let crc = crc32c::crc32c(&packet[..CHECKSUM_RANGE.start]);
    let crc = crc32c::crc32c_append(crc, &[0; 4]);
    crc32c::crc32c_append(crc, &packet[CHECKSUM_RANGE.end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3720_b4_crc32c_known_vectors() {
        // iSCSI (RFC 3720 appendix B.4) test vectors for CRC32c.
        assert_eq!(crc32c::crc32c(&[0u8; 32]), 0x8a91_36aa);
        assert_eq!(crc32c::crc32c(&[0xffu8; 32]), 0x62a8_ab43);
        let inc: Vec<u8> = (0u8..32).collect();
        assert_eq!(crc32c::crc32c(&inc), 0x46dd_794e);
    }

    #[test]
    fn rfc9260_6_8_checksum_field_counts_as_zero() {
        let mut packet: Vec<u8> = (0u8..40).collect();
        let with_field = compute(&packet);
        packet[8..12].fill(0);
        assert_eq!(with_field, crc32c::crc32c(&packet));
    }
}
