//! Supported Extensions parameter (RFC 5061 section 4.2.7): the extension
//! chunk types the sender supports, sent in INIT and INIT ACK.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 0x8008   |      Parameter Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | CHUNK TYPE 1  |  CHUNK TYPE 2 |  CHUNK TYPE 3 |  CHUNK TYPE 4 |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                             ....                              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | CHUNK TYPE N  |      PAD      |      PAD      |      PAD      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

list_param! {
    /// The extension chunk types the sender supports.
    pub struct SupportedExtensions<'a> {
        /// The chunk type codes.
        pub chunk_types: List<'a, u8>,
    }
    TYPE = 0x8008, "Supported Extensions", entry "chunk type";
}

impl SupportedExtensions<'_> {
    /// Whether `chunk_type` is among the supported extensions.
    pub fn supports(&self, chunk_type: u8) -> bool {
        self.chunk_types.iter().any(|t| t == chunk_type)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Param, test_util::round_trip};
    use super::*;
    use crate::wire::list::List;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc5061_4_2_7_supported_extensions_round_trip() {
        // Wireshark: Supported Extensions parameter (Supported chunk type: FORWARD_TSN (192),
        // AUTH (15), ASCONF (193), ASCONF_ACK (128), RE_CONFIG (130)), type 0x8008,
        // length 9, padding 000000.
        let bytes = [
            0x80, 0x08, 0x00, 0x09, 0xc0, 0x0f, 0xc1, 0x80, 0x82, 0x00, 0x00, 0x00,
        ];
        let Param::SupportedExtensions(s) = round_trip(&bytes) else {
            panic!("expected Supported Extensions")
        };
        assert_eq!(s.chunk_types, List::Items(&[0xc0, 0x0f, 0xc1, 0x80, 0x82]));
        assert!(s.supports(0x82));
        assert!(!s.supports(0x40));
    }

    #[test]
    fn rfc5061_4_2_7_supported_extensions_empty() {
        let s = SupportedExtensions::parse_value(&[]).unwrap();
        assert!(!s.supports(0));
        assert_eq!(s.tlv_len(), 4);
        assert_eq!(s.to_string(), "Supported Extensions []");
    }
}
