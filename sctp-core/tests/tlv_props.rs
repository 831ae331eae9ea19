//! Property tests of the parameter (RFC 9260 section 3.2.1 and extensions)
//! and error cause (RFC 9260 section 3.3.10 and extensions) codecs:
//!
//! * every type: emit, parse back, get the same value; the emitted length is `tlv_len()`;
//! * arbitrary bytes through `TlvIter` + `Param::parse` / `Cause::parse` never panic,
//!   nor do the nested accessors or `Display`;
//! * whatever parses re-emits to bytes that parse to the same value.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use sctp_core::Tsn;
use sctp_core::wire::cause::{
    Cause, CookieReceivedWhileShuttingDown, DeleteLastRemainingAddress, DeleteSourceAddress,
    IllegalAsconfAck, InvalidMandatoryParameter, InvalidStreamIdentifier,
    MissingMandatoryParameter, NoUserData, OperationRefusedResourceShortage, OutOfResource,
    ProtocolViolation, RequestRefusedNoAuthorization, RestartWithNewAddresses, StaleCookie,
    UnrecognizedChunkType, UnrecognizedParameters, UnresolvableAddress, UnsupportedHmacIdentifier,
    UserInitiatedAbort,
};
use sctp_core::wire::param::{
    AdaptationLayerIndication, AddIncomingStreamsRequest, AddIpAddress, AddOutgoingStreamsRequest,
    ChunkList, CookiePreservative, DeleteIpAddress, EcnCapable, ErrorCauseIndication,
    ForwardTsnSupported, HeartbeatInfo, HostNameAddress, IncomingSsnResetRequest, Ipv4Address,
    Ipv6Address, OutgoingSsnResetRequest, Padding, Param, Random, ReconfigResponse, ReconfigResult,
    RequestedHmacAlgorithm, SetPrimaryAddress, SsnTsnResetRequest, StateCookie, SuccessIndication,
    SupportedAddressTypes, SupportedExtensions, UnrecognizedParameter, ZeroChecksumAcceptable,
    encode_address,
};
use sctp_core::wire::{List, Malformed, TlvIter};

const CASES: u32 = 256;

/// Parameter types this stack implements.
const PARAM_TYPES: &[u16] = &[
    1, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 0x8000, 0x8001, 0x8002, 0x8003, 0x8004,
    0x8005, 0x8008, 0xc000, 0xc001, 0xc002, 0xc003, 0xc004, 0xc005, 0xc006,
];

/// Error cause codes this stack implements.
const CAUSE_CODES: &[u16] = &[
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0x0105,
];

fn fail(e: Malformed) -> TestCaseError {
    TestCaseError::fail(format!("parse failed: {e}"))
}

/// Appends a TLV with correct length and zero padding.
fn push_tlv(out: &mut Vec<u8>, tlv_type: u16, value: &[u8]) {
    out.extend(tlv_type.to_be_bytes());
    out.extend(((4 + value.len()) as u16).to_be_bytes());
    out.extend(value);
    out.resize(out.len().next_multiple_of(4), 0);
}

// ---- emit → parse → equal -------------------------------------------------

fn check_param(p: &Param<'_>) -> Result<(), TestCaseError> {
    let mut buf = vec![0u8; p.tlv_len()];
    let n = p
        .emit(&mut buf)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(n, p.tlv_len());
    prop_assert_eq!(n % 4, 0);
    let mut it = TlvIter::new(&buf);
    let raw = it.next().expect("one TLV").map_err(fail)?;
    prop_assert!(it.next().is_none());
    prop_assert_eq!(raw.tlv_type, p.param_type());
    let back = Param::parse(&raw).map_err(fail)?;
    prop_assert_eq!(&back, p);
    // Re-emitting the parsed value gives the same bytes.
    let mut again = vec![0u8; back.tlv_len()];
    back.emit(&mut again)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&again, &buf);
    exercise_param(&back);
    Ok(())
}

fn check_cause(c: &Cause<'_>) -> Result<(), TestCaseError> {
    let mut buf = vec![0u8; c.tlv_len()];
    let n = c
        .emit(&mut buf)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(n, c.tlv_len());
    prop_assert_eq!(n % 4, 0);
    let mut it = TlvIter::new(&buf);
    let raw = it.next().expect("one TLV").map_err(fail)?;
    prop_assert!(it.next().is_none());
    prop_assert_eq!(raw.tlv_type, c.cause_code());
    let back = Cause::parse(&raw).map_err(fail)?;
    prop_assert_eq!(&back, c);
    let mut again = vec![0u8; back.tlv_len()];
    back.emit(&mut again)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&again, &buf);
    exercise_cause(&back);
    Ok(())
}

/// Calls every accessor and `Display`; none may panic.
fn exercise_param(p: &Param<'_>) {
    let _ = p.to_string();
    match p {
        Param::UnrecognizedParameter(u) => {
            let _ = u.tlv();
        }
        Param::HostNameAddress(h) => {
            let _ = h.name();
        }
        Param::AddIpAddress(a) => {
            let _ = (a.address(), a.parse_address());
        }
        Param::DeleteIpAddress(a) => {
            let _ = (a.address(), a.parse_address());
        }
        Param::SetPrimaryAddress(a) => {
            let _ = (a.address(), a.parse_address());
        }
        Param::ErrorCauseIndication(e) => {
            let _ = e.cause_tlvs().count();
            for c in e.parse_causes().unwrap_or_default() {
                exercise_cause(&c);
            }
        }
        Param::SupportedExtensions(s) => {
            let _ = s.supports(0x82);
        }
        Param::ReconfigResponse(r) => {
            let _ = r.result.is_success();
        }
        _ => {}
    }
}

fn exercise_params(r: Result<Vec<Param<'_>>, Malformed>) {
    for p in r.unwrap_or_default() {
        exercise_param(&p);
    }
}

/// Calls every accessor and `Display`; none may panic.
fn exercise_cause(c: &Cause<'_>) {
    let _ = c.to_string();
    match c {
        Cause::UnresolvableAddress(u) => {
            if let Ok(p) = u.parse_address() {
                exercise_param(&p);
            }
        }
        Cause::UnrecognizedChunkType(u) => {
            let _ = u.chunk_type();
        }
        Cause::UnrecognizedParameters(u) => exercise_params(u.parse_params()),
        Cause::RestartWithNewAddresses(u) => exercise_params(u.parse_params()),
        Cause::DeleteLastRemainingAddress(u) => exercise_params(u.parse_params()),
        Cause::OperationRefusedResourceShortage(u) => exercise_params(u.parse_params()),
        Cause::DeleteSourceAddress(u) => exercise_params(u.parse_params()),
        Cause::RequestRefusedNoAuthorization(u) => exercise_params(u.parse_params()),
        Cause::UserInitiatedAbort(u) => {
            let _ = u.text();
        }
        Cause::ProtocolViolation(u) => {
            let _ = u.text();
        }
        _ => {}
    }
}

// ---- strategies -------------------------------------------------------------

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..max)
}

fn ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|a| IpAddr::V4(Ipv4Addr::from(a))),
        any::<[u8; 16]>().prop_map(|a| IpAddr::V6(Ipv6Addr::from(a))),
    ]
}

/// A well-formed sequence of TLVs, of known types mostly, with arbitrary values.
fn tlv_seq(codes: &'static [u16]) -> impl Strategy<Value = Vec<u8>> {
    vec(
        (
            prop_oneof![4 => select(codes), 1 => any::<u16>()],
            bytes(24),
        ),
        0..4,
    )
    .prop_map(|tlvs| {
        let mut out = Vec::new();
        for (t, v) in tlvs {
            push_tlv(&mut out, t, &v);
        }
        out
    })
}

/// The nested address of the ASCONF parameters: usually a real one, sometimes junk.
fn nested_address() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => ip().prop_map(|ip| encode_address(ip, &mut [0; 20]).to_vec()),
        1 => bytes(24),
        1 => tlv_seq(PARAM_TYPES),
    ]
}

fn reconfig_result() -> impl Strategy<Value = ReconfigResult> {
    prop_oneof![
        (0u32..=6).prop_map(ReconfigResult::from_code),
        // Codes 0..=6 always parse as the named variants.
        (7u32..).prop_map(ReconfigResult::Other),
    ]
}

macro_rules! round_trips {
    ($check:ident: $( $name:ident($pat:pat_param in $strat:expr) => $build:expr; )*) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(CASES))]
            $(
                #[test]
                fn $name($pat in $strat) {
                    $check(&$build.into())?;
                }
            )*
        }
    };
}

round_trips! { check_param:
    rfc9260_3_3_5_heartbeat_info(v in bytes(300)) => HeartbeatInfo { info: &v };
    rfc9260_3_3_2_1_ipv4_address(a in any::<[u8; 4]>()) => Ipv4Address(a.into());
    rfc9260_3_3_2_1_ipv6_address(a in any::<[u8; 16]>()) => Ipv6Address(a.into());
    rfc9260_3_3_3_1_state_cookie(v in bytes(300)) => StateCookie { cookie: &v };
    rfc9260_3_3_3_1_unrecognized_parameter(v in prop_oneof![bytes(40), tlv_seq(PARAM_TYPES)])
        => UnrecognizedParameter { param: &v };
    rfc9260_3_3_2_1_cookie_preservative(n in any::<u32>())
        => CookiePreservative { suggested_lifespan_increment_ms: n };
    rfc9260_3_3_2_1_host_name_address(v in bytes(100)) => HostNameAddress { host_name: &v };
    rfc9260_3_3_2_1_supported_address_types(v in vec(any::<u16>(), 0..8))
        => SupportedAddressTypes { address_types: List::Items(&v) };
    rfc9260_a_ecn_capable(_u in Just(())) => EcnCapable;
    rfc9653_3_zero_checksum_acceptable(n in any::<u32>()) => ZeroChecksumAcceptable { edmid: n };
    rfc4895_3_1_random(v in bytes(64)) => Random { random: &v };
    rfc4895_3_2_chunk_list(v in bytes(40)) => ChunkList { chunk_types: List::Items(&v) };
    rfc4895_3_3_requested_hmac_algorithm(v in vec(any::<u16>(), 0..8))
        => RequestedHmacAlgorithm { hmac_ids: List::Items(&v) };
    rfc4820_4_padding(v in bytes(300)) => Padding { padding: &v };
    rfc5061_4_2_7_supported_extensions(v in bytes(40))
        => SupportedExtensions { chunk_types: List::Items(&v) };
    rfc3758_3_1_forward_tsn_supported(_u in Just(())) => ForwardTsnSupported;
    rfc5061_4_2_1_add_ip_address((id, a) in (any::<u32>(), nested_address()))
        => AddIpAddress { correlation_id: id, address: &a };
    rfc5061_4_2_2_delete_ip_address((id, a) in (any::<u32>(), nested_address()))
        => DeleteIpAddress { correlation_id: id, address: &a };
    rfc5061_4_2_3_error_cause_indication((id, c) in (any::<u32>(), tlv_seq(CAUSE_CODES)))
        => ErrorCauseIndication { correlation_id: id, causes: &c };
    rfc5061_4_2_4_set_primary_address((id, a) in (any::<u32>(), nested_address()))
        => SetPrimaryAddress { correlation_id: id, address: &a };
    rfc5061_4_2_5_success_indication(n in any::<u32>()) => SuccessIndication { correlation_id: n };
    rfc5061_4_2_6_adaptation_layer_indication(n in any::<u32>())
        => AdaptationLayerIndication { adaptation_code_point: n };
    rfc6525_4_1_outgoing_ssn_reset_request(
        (req, resp, tsn, s) in (any::<u32>(), any::<u32>(), any::<u32>(), vec(any::<u16>(), 0..20))
    ) => OutgoingSsnResetRequest {
        request_seq: req,
        response_seq: resp,
        senders_last_tsn: Tsn(tsn),
        streams: List::Items(&s),
    };
    rfc6525_4_2_incoming_ssn_reset_request((req, s) in (any::<u32>(), vec(any::<u16>(), 0..20)))
        => IncomingSsnResetRequest { request_seq: req, streams: List::Items(&s) };
    rfc6525_4_3_ssn_tsn_reset_request(n in any::<u32>()) => SsnTsnResetRequest { request_seq: n };
    rfc6525_4_4_reconfig_response(
        (resp, result, tsns) in (any::<u32>(), reconfig_result(), proptest::option::of(any::<(u32, u32)>()))
    ) => ReconfigResponse {
        response_seq: resp,
        result,
        senders_next_tsn: tsns.map(|t| Tsn(t.0)),
        receivers_next_tsn: tsns.map(|t| Tsn(t.1)),
    };
    rfc6525_4_5_add_outgoing_streams_request((req, n) in (any::<u32>(), any::<u16>()))
        => AddOutgoingStreamsRequest { request_seq: req, new_streams: n };
    rfc6525_4_6_add_incoming_streams_request((req, n) in (any::<u32>(), any::<u16>()))
        => AddIncomingStreamsRequest { request_seq: req, new_streams: n };
}

round_trips! { check_cause:
    rfc9260_3_3_10_1_invalid_stream_identifier(n in any::<u16>())
        => InvalidStreamIdentifier { stream_id: n };
    rfc9260_3_3_10_2_missing_mandatory_parameter(v in vec(any::<u16>(), 0..10))
        => MissingMandatoryParameter { missing_types: List::Items(&v) };
    rfc9260_3_3_10_3_stale_cookie(n in any::<u32>()) => StaleCookie { staleness_us: n };
    rfc9260_3_3_10_4_out_of_resource(_u in Just(())) => OutOfResource;
    rfc9260_3_3_10_5_unresolvable_address(v in prop_oneof![nested_address(), tlv_seq(PARAM_TYPES)])
        => UnresolvableAddress { address: &v };
    rfc9260_3_3_10_6_unrecognized_chunk_type(v in bytes(60))
        => UnrecognizedChunkType { chunk: &v };
    rfc9260_3_3_10_7_invalid_mandatory_parameter(_u in Just(())) => InvalidMandatoryParameter;
    rfc9260_3_3_10_8_unrecognized_parameters(v in prop_oneof![tlv_seq(PARAM_TYPES), bytes(40)])
        => UnrecognizedParameters { params: &v };
    rfc9260_3_3_10_9_no_user_data(n in any::<u32>()) => NoUserData { tsn: Tsn(n) };
    rfc9260_3_3_10_10_cookie_received_while_shutting_down(_u in Just(()))
        => CookieReceivedWhileShuttingDown;
    rfc9260_3_3_10_11_restart_with_new_addresses(v in tlv_seq(PARAM_TYPES))
        => RestartWithNewAddresses { new_addresses: &v };
    rfc9260_3_3_10_12_user_initiated_abort(v in bytes(100)) => UserInitiatedAbort { reason: &v };
    rfc9260_3_3_10_13_protocol_violation(v in bytes(100)) => ProtocolViolation { info: &v };
    rfc5061_5_3_1_delete_last_remaining_address(v in tlv_seq(PARAM_TYPES))
        => DeleteLastRemainingAddress { params: &v };
    rfc5061_5_3_2_operation_refused_resource_shortage(v in tlv_seq(PARAM_TYPES))
        => OperationRefusedResourceShortage { params: &v };
    rfc5061_5_3_3_delete_source_address(v in tlv_seq(PARAM_TYPES))
        => DeleteSourceAddress { params: &v };
    rfc5061_5_3_4_illegal_asconf_ack(_u in Just(())) => IllegalAsconfAck;
    rfc5061_5_3_5_request_refused_no_authorization(v in tlv_seq(PARAM_TYPES))
        => RequestRefusedNoAuthorization { params: &v };
    rfc4895_4_1_unsupported_hmac_identifier(n in any::<u16>())
        => UnsupportedHmacIdentifier { hmac_id: n };
}

// ---- arbitrary bytes --------------------------------------------------------

/// One TLV-ish piece: mostly framed right, with a known type code mostly, and
/// a value that is random, or a correlation ID plus nested TLVs, or just TLVs.
fn piece(codes: &'static [u16]) -> impl Strategy<Value = Vec<u8>> {
    let code = prop_oneof![6 => select(codes), 1 => any::<u16>()];
    let value = prop_oneof![
        3 => bytes(40),
        1 => (any::<u32>(), tlv_seq(PARAM_TYPES))
            .prop_map(|(id, t)| [id.to_be_bytes().to_vec(), t].concat()),
        1 => (any::<u32>(), tlv_seq(CAUSE_CODES))
            .prop_map(|(id, t)| [id.to_be_bytes().to_vec(), t].concat()),
        1 => tlv_seq(PARAM_TYPES),
    ];
    (code, value, 0u8..8, any::<u16>()).prop_map(|(code, value, mode, len)| {
        let mut out = Vec::new();
        match mode {
            // Unpadded (legal for the last TLV).
            0 => {
                out.extend(code.to_be_bytes());
                out.extend(((4 + value.len()) as u16).to_be_bytes());
                out.extend(&value);
            }
            // A random length field.
            1 => {
                out.extend(code.to_be_bytes());
                out.extend(len.to_be_bytes());
                out.extend(&value);
            }
            // Pure noise.
            2 => out.extend(&value),
            _ => push_tlv(&mut out, code, &value),
        }
        out
    })
}

fn packet_bytes(codes: &'static [u16]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => vec(piece(codes), 0..5).prop_map(|p| p.concat()),
        1 => bytes(120),
    ]
}

/// Parses everything in `buf` as parameters; each that parses must survive emit → parse.
fn reparse_params(buf: &[u8]) -> Result<(), TestCaseError> {
    for raw in TlvIter::new(buf) {
        let Ok(raw) = raw else { break };
        let Ok(p) = Param::parse(&raw) else { continue };
        exercise_param(&p);
        let mut out = vec![0u8; p.tlv_len()];
        let n = p
            .emit(&mut out)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(n, p.tlv_len());
        let raw2 = TlvIter::new(&out).next().expect("one TLV").map_err(fail)?;
        let p2 = Param::parse(&raw2).map_err(fail)?;
        prop_assert_eq!(&p2, &p);
    }
    Ok(())
}

/// Parses everything in `buf` as causes; each that parses must survive emit → parse.
fn reparse_causes(buf: &[u8]) -> Result<(), TestCaseError> {
    for raw in TlvIter::new(buf) {
        let Ok(raw) = raw else { break };
        let Ok(c) = Cause::parse(&raw) else { continue };
        exercise_cause(&c);
        let mut out = vec![0u8; c.tlv_len()];
        let n = c
            .emit(&mut out)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(n, c.tlv_len());
        let raw2 = TlvIter::new(&out).next().expect("one TLV").map_err(fail)?;
        let c2 = Cause::parse(&raw2).map_err(fail)?;
        prop_assert_eq!(&c2, &c);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES * 4))]

    #[test]
    fn rfc9260_3_2_1_arbitrary_param_bytes_never_panic_and_reparse(
        buf in packet_bytes(PARAM_TYPES)
    ) {
        reparse_params(&buf)?;
        let _ = sctp_core::wire::param::parse_all(&buf);
    }

    #[test]
    fn rfc9260_3_3_10_arbitrary_cause_bytes_never_panic_and_reparse(
        buf in packet_bytes(CAUSE_CODES)
    ) {
        reparse_causes(&buf)?;
        let _ = sctp_core::wire::cause::parse_all(&buf);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// A sequence of well-formed parameters emits and parses back as a whole.
    #[test]
    fn rfc9260_3_2_1_param_sequence_round_trip(buf in vec(piece(PARAM_TYPES), 0..6)) {
        let buf = buf.concat();
        let Ok(params) = sctp_core::wire::param::parse_all(&buf) else {
            return Ok(());
        };
        let mut out = vec![0u8; sctp_core::wire::param::wire_len(&params)];
        let n = sctp_core::wire::param::emit_all(&params, &mut out)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(n, out.len());
        let again = sctp_core::wire::param::parse_all(&out).map_err(fail)?;
        prop_assert_eq!(again, params);
    }

    /// The ASCONF address accessor returns the address that was encoded.
    #[test]
    fn rfc5061_4_2_1_address_accessor_matches(addr in ip(), id in any::<u32>()) {
        let mut buf = [0; 20];
        let a = AddIpAddress { correlation_id: id, address: encode_address(addr, &mut buf) };
        prop_assert_eq!(a.address(), Ok(Some(addr)));
        prop_assert_eq!(a.parse_address(), Ok(Param::from(addr)));
    }
}
