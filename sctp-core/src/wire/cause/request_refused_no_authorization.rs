//! Request Refused - No Authorization error cause (RFC 5061 section 5.3.5).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Cause Code = 0x00A4       |     Cause Length = Variable   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                         TLV-Parameter                         /
//! \                                                               \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The nested parameters are kept as raw bytes, so re-emission is
//! byte-identical; [`RequestRefusedNoAuthorization::parse_params`] interprets them.

nested_params_cause! {
    /// An ASCONF request was refused because it was not authorized.
    pub struct RequestRefusedNoAuthorization<'a> {
        /// The refused request's parameter (TLV-Parameter), as sent.
        pub params: &'a [u8],
    }
    TYPE = 0x00a4, "Request Refused - No Authorization";
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, test_util::round_trip};
    use super::*;
    use crate::wire::tlv::TlvValue;

    #[test]
    fn rfc5061_5_3_5_request_refused_no_authorization_round_trip() {
        // Wireshark: Request refused - no authorization (0x00a4), cause length 20, Set primary address
        // parameter (Correlation_id: 4, IPv4 address parameter (Address: 10.0.0.4)).
        let bytes = [
            0x00, 0xa4, 0x00, 0x14, 0xc0, 0x04, 0x00, 0x10, 0x00, 0x00, 0x00, 0x04, 0x00, 0x05,
            0x00, 0x08, 10, 0, 0, 4,
        ];
        let Cause::RequestRefusedNoAuthorization(c) = round_trip(&bytes) else {
            panic!("expected Request Refused - No Authorization")
        };
        let params = c.parse_params().unwrap();
        assert_eq!(params.len(), 1);
        assert_eq!(params[0].param_type(), 0xc004);
        assert_eq!(c.param_tlvs().count(), 1);
    }

    #[test]
    fn rfc5061_5_3_5_request_refused_no_authorization_malformed_nested() {
        // Kept raw: only the accessor complains about a truncated nested TLV.
        let c = RequestRefusedNoAuthorization::parse_value(&[0x00, 0x05, 0x00, 0x08, 10]).unwrap();
        assert!(c.parse_params().is_err());
        assert_eq!(
            c.to_string(),
            "Request Refused - No Authorization (5 bytes)"
        );
        let c = RequestRefusedNoAuthorization::parse_value(&[]).unwrap();
        assert_eq!(c.parse_params(), Ok(vec![]));
        assert_eq!(c.tlv_len(), 4);
    }
}
