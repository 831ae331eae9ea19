//! Out of Resource error cause (RFC 9260 section 3.3.10.4).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 4            |     Cause Length = 4          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The RFC defines no cause information; any that arrives is ignored (so that
//! cause is not re-emitted byte for byte).

crate::wire::param::empty_tlv! {
    /// The sender is out of resource (typically memory).
    pub struct OutOfResource;
    TYPE = 0x0004, "Out of Resource";
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc9260_3_3_10_4_out_of_resource_round_trip() {
        // Wireshark: Out of resource (4), cause length 4.
        let bytes = [0x00, 0x04, 0x00, 0x04];
        assert_eq!(round_trip(&bytes), Cause::OutOfResource(OutOfResource));
    }

    #[test]
    fn rfc9260_3_3_10_4_out_of_resource_stray_value() {
        assert_eq!(OutOfResource::parse_value(&[1, 2, 3]), Ok(OutOfResource));
        assert_eq!(OutOfResource.tlv_len(), 4);
        assert_eq!(Cause::from(OutOfResource).to_string(), "Out of Resource");
    }
}
