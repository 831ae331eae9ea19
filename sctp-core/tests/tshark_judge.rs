//! tshark judges our emitter: packets of every chunk type, parameter and error
//! cause, built with [`PacketBuilder`], go through Wireshark's SCTP dissector,
//! which must find a good CRC32c, nothing malformed, and the chunk types we
//! built. Two negative controls in the same run (bad checksum, truncated
//! chunk) prove tshark would notice if we got it wrong.

mod support;

use std::net::{Ipv4Addr, Ipv6Addr};
use std::process::Command;

use sctp_core::wire::cause::{
    Cause, CookieReceivedWhileShuttingDown, DeleteLastRemainingAddress, DeleteSourceAddress,
    IllegalAsconfAck, InvalidMandatoryParameter, InvalidStreamIdentifier,
    MissingMandatoryParameter, NoUserData, OperationRefusedResourceShortage, OutOfResource,
    ProtocolViolation, RequestRefusedNoAuthorization, RestartWithNewAddresses, StaleCookie,
    UnrecognizedChunkType, UnrecognizedParameters, UnresolvableAddress, UnsupportedHmacIdentifier,
    UserInitiatedAbort,
};
use sctp_core::wire::chunk::{
    Abort, Asconf, AsconfAck, Auth, CookieAck, CookieEcho, Cwr, Data, DataFlags, Ecne, ForwardTsn,
    ForwardTsnStream, GapAckBlock, Heartbeat, HeartbeatAck, IData, IForwardTsn, IForwardTsnStream,
    Init, InitAck, OperationError, Pad, ReConfig, Sack, Shutdown, ShutdownAck, ShutdownComplete,
};
use sctp_core::wire::param::{
    AdaptationLayerIndication, AddIncomingStreamsRequest, AddIpAddress, AddOutgoingStreamsRequest,
    ChunkList, CookiePreservative, DeleteIpAddress, EcnCapable, ErrorCauseIndication,
    ForwardTsnSupported, HostNameAddress, IncomingSsnResetRequest, Ipv4Address, Ipv6Address,
    OutgoingSsnResetRequest, Padding, Param, Random, ReconfigResponse, ReconfigResult,
    RequestedHmacAlgorithm, SetPrimaryAddress, SsnTsnResetRequest, StateCookie, SuccessIndication,
    SupportedAddressTypes, SupportedExtensions, UnrecognizedParameter, ZeroChecksumAcceptable,
};
use sctp_core::wire::{Chunk, List, Packet, PacketBuilder};
use sctp_core::{Mid, Ppid, Ssn, Tsn, VerificationTag};

/// Expert-info severity of tshark's "Error" level (PI_ERROR).
const PI_ERROR: u32 = 0x0080_0000;
/// Expert-info severity of tshark's "Warning" level (PI_WARN).
const PI_WARN: u32 = 0x0060_0000;

/// What tshark must say about a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Good checksum, not malformed, chunk types as built.
    Good,
    /// Negative control: the checksum must be flagged bad.
    BadChecksum,
    /// Negative control: the frame must be flagged malformed or get an expert error.
    Malformed,
}

/// One frame of the judged capture.
struct Case {
    name: String,
    sctp: Vec<u8>,
    /// Chunk types tshark must report, in order (nested chunks included).
    types: Vec<u8>,
    /// Parameter types and cause codes we emitted, in order; tshark's lists must
    /// contain them in this order (it also lists nested ones).
    params: Vec<u16>,
    causes: Vec<u16>,
    expect: Expect,
}

/// Builds one packet of `chunks`; `nested` are chunk types tshark also reports
/// from inside an error cause (Unrecognized Chunk Type).
fn case(name: &str, chunks: &[Chunk<'_>], nested: &[u8]) -> Case {
    let mut buf = vec![0u8; 4096];
    let mut b = PacketBuilder::new(&mut buf, 5001, 5002, VerificationTag(0x1a2b_3c4d))
        .expect("buffer holds a header");
    for c in chunks {
        b.push(c)
            .unwrap_or_else(|e| panic!("{name}: emitting {c}: {e}"));
    }
    let len = b.finish();
    buf.truncate(len);
    // Our own parser must read back what we built, or tshark's verdict is moot.
    let pkt = Packet::new_checked(&buf[..]).expect("header");
    pkt.verify_checksum().expect("our own checksum");
    let back: Vec<Chunk<'_>> = pkt
        .chunks()
        .map(|c| c.and_then(|raw| raw.parse()))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{name}: our parser rejects our packet: {e}"));
    assert_eq!(back, chunks, "{name}: parse(emit(x)) != x");
    let mut types: Vec<u8> = chunks.iter().map(Chunk::chunk_type).collect();
    types.extend_from_slice(nested);
    let (mut params, mut causes) = (Vec::new(), Vec::new());
    for c in chunks {
        match c {
            Chunk::Init(Init { params: p, .. })
            | Chunk::InitAck(InitAck { params: p, .. })
            | Chunk::Asconf(Asconf { params: p, .. })
            | Chunk::AsconfAck(AsconfAck { params: p, .. })
            | Chunk::ReConfig(ReConfig { params: p }) => {
                params.extend(p.iter().map(Param::param_type));
            }
            Chunk::Abort(Abort { causes: k, .. }) | Chunk::Error(OperationError { causes: k }) => {
                causes.extend(k.iter().map(Cause::cause_code));
            }
            _ => {}
        }
    }
    Case {
        name: name.to_string(),
        sctp: buf,
        types,
        params,
        causes,
        expect: Expect::Good,
    }
}

fn data<'a>(tsn: u32, flags: DataFlags, payload: &'a [u8]) -> Chunk<'a> {
    Chunk::Data(Data {
        flags,
        tsn: Tsn(tsn),
        stream_id: 1,
        ssn: Ssn(7),
        ppid: Ppid(0),
        payload,
    })
}

/// Bytes of a TLV (parameter or cause) with `t` and `value`, unpadded.
fn tlv(t: u16, value: &[u8]) -> Vec<u8> {
    let mut v = t.to_be_bytes().to_vec();
    v.extend_from_slice(&u16::try_from(4 + value.len()).unwrap().to_be_bytes());
    v.extend_from_slice(value);
    v
}

/// Every frame of the judged capture, negative controls last.
#[allow(clippy::too_many_lines)]
fn cases() -> Vec<Case> {
    const V4: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 1);
    const V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 1);
    let random = [0x5au8; 32];
    let cookie: Vec<u8> = (0u8..=99).collect();
    let addr4 = tlv(5, &[198, 18, 0, 2]);
    let addr6 = tlv(6, &V6.octets());
    let host = tlv(11, b"peer.example.invalid\0");
    let unknown_param = tlv(0xc123, &[1, 2, 3, 4, 5]);
    let unknown_chunk = [0x4f, 0x00, 0x00, 0x08, 1, 2, 3, 4];
    let nested_causes = tlv(0x00a0, &addr4); // Delete Last Remaining Address, nested
    let hmac = [0xa5u8; 20];
    let complete = DataFlags::COMPLETE;

    let init_params = vec![
        Param::Ipv4Address(Ipv4Address(V4)),
        Param::Ipv6Address(Ipv6Address(V6)),
        Param::CookiePreservative(CookiePreservative {
            suggested_lifespan_increment_ms: 10_000,
        }),
        Param::HostNameAddress(HostNameAddress {
            host_name: b"host.example.invalid\0",
        }),
        Param::SupportedAddressTypes(SupportedAddressTypes {
            address_types: List::Items(&[5, 6]),
        }),
        Param::EcnCapable(EcnCapable),
        Param::ForwardTsnSupported(ForwardTsnSupported),
        Param::SupportedExtensions(SupportedExtensions {
            chunk_types: List::Items(&[0xc0, 0xc1, 0x80, 0x82, 0x0f, 0x40, 0xc2, 0x84]),
        }),
        Param::Random(Random { random: &random }),
        Param::ChunkList(ChunkList {
            chunk_types: List::Items(&[0xc1, 0x80, 0x82]),
        }),
        Param::RequestedHmacAlgorithm(RequestedHmacAlgorithm {
            hmac_ids: List::Items(&[3, 1]),
        }),
        Param::AdaptationLayerIndication(AdaptationLayerIndication {
            adaptation_code_point: 0x0102_0304,
        }),
        Param::Padding(Padding { padding: &[0; 9] }),
    ];
    let mut init_ack_params = init_params.clone();
    init_ack_params.retain(|p| {
        !matches!(
            p,
            Param::HostNameAddress(_) | Param::SupportedAddressTypes(_) | Param::Padding(_)
        )
    });
    init_ack_params.insert(0, Param::StateCookie(StateCookie { cookie: &cookie }));
    init_ack_params.push(Param::UnrecognizedParameter(UnrecognizedParameter {
        param: &unknown_param,
    }));
    init_ack_params.push(Param::ZeroChecksumAcceptable(ZeroChecksumAcceptable {
        edmid: 1,
    }));

    let init = Init {
        initiate_tag: VerificationTag(0xdead_beef),
        a_rwnd: 131_072,
        num_outbound_streams: 10,
        num_inbound_streams: 65_535,
        initial_tsn: Tsn(4_000_000_000),
        params: init_params,
    };
    let init_ack = InitAck {
        initiate_tag: VerificationTag(0xfeed_f00d),
        a_rwnd: 65_536,
        num_outbound_streams: 5,
        num_inbound_streams: 10,
        initial_tsn: Tsn(1),
        params: init_ack_params,
    };
    let sack = Sack {
        cumulative_tsn_ack: Tsn(100),
        a_rwnd: 120_000,
        gap_ack_blocks: List::Items(&[
            GapAckBlock { start: 2, end: 3 },
            GapAckBlock { start: 5, end: 9 },
        ]),
        duplicate_tsns: List::Items(&[Tsn(99), Tsn(98)]),
    };
    let causes_9260 = vec![
        Cause::InvalidStreamIdentifier(InvalidStreamIdentifier { stream_id: 1000 }),
        Cause::MissingMandatoryParameter(MissingMandatoryParameter {
            missing_types: List::Items(&[7, 9]),
        }),
        Cause::StaleCookie(StaleCookie {
            staleness_us: 250_000,
        }),
        Cause::OutOfResource(OutOfResource),
        Cause::UnresolvableAddress(UnresolvableAddress { address: &host }),
        Cause::InvalidMandatoryParameter(InvalidMandatoryParameter),
        Cause::UnrecognizedParameters(UnrecognizedParameters {
            params: &unknown_param,
        }),
        Cause::NoUserData(NoUserData { tsn: Tsn(77) }),
        Cause::CookieReceivedWhileShuttingDown(CookieReceivedWhileShuttingDown),
        Cause::RestartWithNewAddresses(RestartWithNewAddresses {
            new_addresses: &addr4,
        }),
        Cause::UserInitiatedAbort(UserInitiatedAbort { reason: b"bye now" }),
        Cause::ProtocolViolation(ProtocolViolation {
            info: b"chunk after SHUTDOWN COMPLETE",
        }),
    ];
    let causes_ext = vec![
        Cause::DeleteLastRemainingAddress(DeleteLastRemainingAddress { params: &addr4 }),
        Cause::OperationRefusedResourceShortage(OperationRefusedResourceShortage {
            params: &addr6,
        }),
        Cause::DeleteSourceAddress(DeleteSourceAddress { params: &addr4 }),
        Cause::IllegalAsconfAck(IllegalAsconfAck),
        Cause::RequestRefusedNoAuthorization(RequestRefusedNoAuthorization { params: &addr4 }),
        Cause::UnsupportedHmacIdentifier(UnsupportedHmacIdentifier { hmac_id: 2 }),
    ];
    let reconfig = |params: Vec<Param<'static>>| Chunk::ReConfig(ReConfig { params });

    let mut cases = vec![
        case("INIT", &[Chunk::Init(init)], &[]),
        case("INIT ACK", &[Chunk::InitAck(init_ack)], &[]),
        case(
            "COOKIE ECHO + DATA",
            &[
                Chunk::CookieEcho(CookieEcho { cookie: &cookie }),
                data(1, complete, b"first message"),
            ],
            &[],
        ),
        case("COOKIE ACK", &[Chunk::CookieAck(CookieAck)], &[]),
        case(
            "DATA unordered, I bit",
            &[data(
                2,
                DataFlags {
                    immediate: true,
                    unordered: true,
                    beginning: true,
                    ending: true,
                },
                b"odd-length",
            )],
            &[],
        ),
        case(
            "DATA fragments",
            &[
                data(3, DataFlags::from_bits(0x02), b"B"),
                data(4, DataFlags::from_bits(0x00), b"middle"),
                data(5, DataFlags::from_bits(0x01), b"end."),
            ],
            &[],
        ),
        case("SACK with gaps and duplicates", &[Chunk::Sack(sack)], &[]),
        case(
            "SACK + DATA x3",
            &[
                Chunk::Sack(Sack {
                    cumulative_tsn_ack: Tsn(5),
                    a_rwnd: 131_072,
                    gap_ack_blocks: List::EMPTY,
                    duplicate_tsns: List::EMPTY,
                }),
                data(6, complete, b"a"),
                data(7, complete, b"bb"),
                data(8, complete, b"ccc"),
            ],
            &[],
        ),
        case(
            "HEARTBEAT",
            &[Chunk::Heartbeat(Heartbeat {
                info: b"sender-specific, 29 bytes....",
            })],
            &[],
        ),
        case(
            "HEARTBEAT ACK",
            &[Chunk::HeartbeatAck(HeartbeatAck {
                info: b"sender-specific, 29 bytes....",
            })],
            &[],
        ),
        case(
            "ABORT (T bit) with causes",
            &[Chunk::Abort(Abort {
                t_bit: true,
                causes: vec![
                    Cause::UserInitiatedAbort(UserInitiatedAbort {
                        reason: b"shutting down",
                    }),
                    Cause::ProtocolViolation(ProtocolViolation { info: b"x" }),
                    Cause::InvalidMandatoryParameter(InvalidMandatoryParameter),
                ],
            })],
            &[],
        ),
        case(
            "ABORT without causes",
            &[Chunk::Abort(Abort {
                t_bit: false,
                causes: vec![],
            })],
            &[],
        ),
        case(
            "SHUTDOWN",
            &[Chunk::Shutdown(Shutdown {
                cumulative_tsn_ack: Tsn(8),
            })],
            &[],
        ),
        case("SHUTDOWN ACK", &[Chunk::ShutdownAck(ShutdownAck)], &[]),
        case(
            "SHUTDOWN COMPLETE (T bit)",
            &[Chunk::ShutdownComplete(ShutdownComplete { t_bit: true })],
            &[],
        ),
        case(
            "ERROR with RFC 9260 causes",
            &[Chunk::Error(OperationError {
                causes: causes_9260,
            })],
            &[],
        ),
        case(
            "ERROR with Unrecognized Chunk Type",
            &[Chunk::Error(OperationError {
                causes: vec![Cause::UnrecognizedChunkType(UnrecognizedChunkType {
                    chunk: &unknown_chunk,
                })],
            })],
            &[0x4f],
        ),
        case(
            "ERROR with RFC 5061/4895 causes",
            &[Chunk::Error(OperationError { causes: causes_ext })],
            &[],
        ),
        case("ECNE", &[Chunk::Ecne(Ecne::new(Tsn(42)))], &[]),
        case(
            "ECNE, 12-byte usrsctp form",
            &[Chunk::Ecne(Ecne {
                lowest_tsn: Tsn(43),
                num_packets: Some(3),
            })],
            &[],
        ),
        case(
            "CWR",
            &[Chunk::Cwr(Cwr {
                lowest_tsn: Tsn(42),
            })],
            &[],
        ),
        case(
            "AUTH + DATA",
            &[
                Chunk::Auth(Auth {
                    shared_key_id: 0,
                    hmac_id: 1,
                    hmac: &hmac,
                }),
                data(9, complete, b"authenticated"),
            ],
            &[],
        ),
        case(
            "I-DATA first fragment + middle fragment",
            &[
                Chunk::IData(IData {
                    flags: DataFlags::from_bits(0x02),
                    tsn: Tsn(10),
                    stream_id: 3,
                    mid: Mid(17),
                    ppid_or_fsn: 51,
                    payload: b"interleaved",
                }),
                Chunk::IData(IData {
                    flags: DataFlags::from_bits(0x04),
                    tsn: Tsn(11),
                    stream_id: 3,
                    mid: Mid(17),
                    ppid_or_fsn: 1,
                    payload: b"unordered middle",
                }),
            ],
            &[],
        ),
        case(
            "ASCONF add/delete/set primary",
            &[Chunk::Asconf(Asconf {
                serial: 0x0102_0304,
                params: vec![
                    Param::Ipv4Address(Ipv4Address(V4)),
                    Param::AddIpAddress(AddIpAddress {
                        correlation_id: 1,
                        address: &addr4,
                    }),
                    Param::DeleteIpAddress(DeleteIpAddress {
                        correlation_id: 2,
                        address: &addr6,
                    }),
                    Param::SetPrimaryAddress(SetPrimaryAddress {
                        correlation_id: 3,
                        address: &addr4,
                    }),
                ],
            })],
            &[],
        ),
        case(
            "ASCONF ACK success + error",
            &[Chunk::AsconfAck(AsconfAck {
                serial: 0x0102_0304,
                params: vec![
                    Param::SuccessIndication(SuccessIndication { correlation_id: 1 }),
                    Param::ErrorCauseIndication(ErrorCauseIndication {
                        correlation_id: 2,
                        causes: &nested_causes,
                    }),
                ],
            })],
            &[],
        ),
        case(
            "RE-CONFIG outgoing + incoming SSN reset",
            &[reconfig(vec![
                Param::OutgoingSsnResetRequest(OutgoingSsnResetRequest {
                    request_seq: 100,
                    response_seq: 200,
                    senders_last_tsn: Tsn(300),
                    streams: List::Items(&[1, 2, 3]),
                }),
                Param::IncomingSsnResetRequest(IncomingSsnResetRequest {
                    request_seq: 101,
                    streams: List::Items(&[4]),
                }),
            ])],
            &[],
        ),
        case(
            "RE-CONFIG SSN/TSN reset",
            &[reconfig(vec![Param::SsnTsnResetRequest(
                SsnTsnResetRequest { request_seq: 102 },
            )])],
            &[],
        ),
        case(
            "RE-CONFIG response",
            &[reconfig(vec![Param::ReconfigResponse(ReconfigResponse {
                response_seq: 100,
                result: ReconfigResult::SuccessPerformed,
                senders_next_tsn: None,
                receivers_next_tsn: None,
            })])],
            &[],
        ),
        case(
            "RE-CONFIG response with TSNs",
            &[reconfig(vec![Param::ReconfigResponse(ReconfigResponse {
                response_seq: 102,
                result: ReconfigResult::InProgress,
                senders_next_tsn: Some(Tsn(400)),
                receivers_next_tsn: Some(Tsn(500)),
            })])],
            &[],
        ),
        case(
            "RE-CONFIG add outgoing + incoming streams",
            &[reconfig(vec![
                Param::AddOutgoingStreamsRequest(AddOutgoingStreamsRequest {
                    request_seq: 103,
                    new_streams: 16,
                }),
                Param::AddIncomingStreamsRequest(AddIncomingStreamsRequest {
                    request_seq: 104,
                    new_streams: 8,
                }),
            ])],
            &[],
        ),
        case(
            "PAD + DATA",
            &[
                Chunk::Pad(Pad {
                    padding: &[0u8; 13],
                }),
                data(12, complete, b"padded"),
            ],
            &[],
        ),
        case(
            "FORWARD TSN",
            &[Chunk::ForwardTsn(ForwardTsn {
                new_cumulative_tsn: Tsn(50),
                streams: List::Items(&[
                    ForwardTsnStream {
                        stream_id: 1,
                        ssn: Ssn(4),
                    },
                    ForwardTsnStream {
                        stream_id: 2,
                        ssn: Ssn(9),
                    },
                ]),
            })],
            &[],
        ),
        case(
            "I-FORWARD TSN",
            &[Chunk::IForwardTsn(IForwardTsn {
                new_cumulative_tsn: Tsn(60),
                streams: List::Items(&[
                    IForwardTsnStream {
                        stream_id: 1,
                        unordered: false,
                        mid: Mid(4),
                    },
                    IForwardTsnStream {
                        stream_id: 2,
                        unordered: true,
                        mid: Mid(70_000),
                    },
                ]),
            })],
            &[],
        ),
    ];

    // Negative control 1: a good packet with one checksum bit flipped.
    let mut bad_crc = case("control: bad checksum", &[data(13, complete, b"crc")], &[]);
    bad_crc.sctp[8] ^= 0x01;
    bad_crc.expect = Expect::BadChecksum;
    cases.push(bad_crc);

    // Negative control 2: a DATA chunk whose length claims 40 bytes more than
    // the packet holds; the checksum is recomputed so only the length is wrong.
    let mut truncated = case(
        "control: truncated chunk",
        &[data(14, complete, b"short")],
        &[],
    );
    let len = u16::from_be_bytes([truncated.sctp[14], truncated.sctp[15]]) + 40;
    truncated.sctp[14..16].copy_from_slice(&len.to_be_bytes());
    Packet::new_checked(&mut truncated.sctp[..])
        .expect("header")
        .fill_checksum();
    truncated.expect = Expect::Malformed;
    cases.push(truncated);
    cases
}

/// tshark's verdict on one frame.
#[derive(Debug)]
struct Verdict {
    checksum_status: String,
    malformed: bool,
    experts: Vec<(u32, String)>,
    types: Vec<u8>,
    params: Vec<u16>,
    causes: Vec<u16>,
}

/// Parses a number as tshark prints it (decimal, or hex with `0x`).
fn number(s: &str) -> u32 {
    let parsed = match s.strip_prefix("0x") {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.unwrap_or_else(|e| panic!("tshark printed {s:?}: {e}"))
}

/// Whether `want` occurs in `have` in order, other elements allowed in between.
fn in_order(want: &[u16], have: &[u16]) -> bool {
    let mut it = have.iter();
    want.iter().all(|w| it.any(|h| h == w))
}

fn split(field: &str) -> Vec<&str> {
    field.split('^').filter(|s| !s.is_empty()).collect()
}

/// Runs tshark over `path`; one verdict per frame.
fn tshark(path: &std::path::Path) -> Vec<Verdict> {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(path)
        .args([
            "-o",
            "sctp.checksum:CRC-32C",
            "-o",
            "sctp.tsn_analysis:FALSE",
            "-o",
            "sctp.reassembly:FALSE",
            "-o",
            "sctp.ulp_dissection:FALSE",
            "-T",
            "fields",
            "-E",
            "separator=|",
            "-E",
            "aggregator=^",
            "-e",
            "frame.number",
            "-e",
            "sctp.checksum.status",
            "-e",
            "_ws.malformed",
            "-e",
            "_ws.expert.severity",
            "-e",
            "_ws.expert.message",
            "-e",
            "sctp.chunk_type",
            "-e",
            "sctp.parameter_type",
            "-e",
            "sctp.cause_code",
        ])
        .output()
        .expect("running tshark");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("tshark output is UTF-8")
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split('|').collect();
            assert_eq!(f.len(), 8, "unexpected tshark line: {line}");
            let severities = split(f[3]);
            let messages = split(f[4]);
            Verdict {
                checksum_status: f[1].to_string(),
                malformed: !f[2].is_empty(),
                experts: severities
                    .iter()
                    .zip(messages.iter().chain(std::iter::repeat(&"?")))
                    .map(|(s, m)| (number(s), (*m).to_string()))
                    .collect(),
                types: split(f[5]).iter().map(|t| number(t) as u8).collect(),
                params: split(f[6]).iter().map(|t| number(t) as u16).collect(),
                causes: split(f[7]).iter().map(|t| number(t) as u16).collect(),
            }
        })
        .collect()
}

fn tshark_installed() -> bool {
    Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn rfc9260_3_tshark_accepts_every_chunk_type_we_emit() {
    if !tshark_installed() {
        eprintln!("SKIP: tshark not installed");
        return;
    }
    let cases = cases();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("judge.pcap");
    let frames: Vec<Vec<u8>> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            support::ipv4_wrap(
                Ipv4Addr::new(198, 18, 0, 1),
                Ipv4Addr::new(198, 18, 0, 2),
                u16::try_from(i).unwrap(),
                &c.sctp,
            )
        })
        .collect();
    support::write_raw_pcap(&path, &frames).expect("writing pcap");
    let verdicts = tshark(&path);
    assert_eq!(
        verdicts.len(),
        cases.len(),
        "tshark saw a different number of frames"
    );

    let mut failures = Vec::new();
    let mut covered = std::collections::BTreeSet::new();
    let mut params_covered = std::collections::BTreeSet::new();
    let mut causes_covered = std::collections::BTreeSet::new();
    for (i, (c, v)) in cases.iter().zip(&verdicts).enumerate() {
        let frame = i + 1;
        let serious: Vec<&(u32, String)> = v
            .experts
            .iter()
            .filter(|(sev, _)| *sev >= PI_WARN)
            .collect();
        println!(
            "frame {frame:2} {:40} checksum {} malformed {} types {:?} params {:04x?} causes {:?} experts {:?}",
            c.name, v.checksum_status, v.malformed, v.types, v.params, v.causes, v.experts
        );
        match c.expect {
            Expect::Good => {
                if v.checksum_status != "1" {
                    failures.push(format!(
                        "frame {frame} ({}): checksum status {:?}, want 1 (good)",
                        c.name, v.checksum_status
                    ));
                }
                if v.malformed || !serious.is_empty() {
                    failures.push(format!(
                        "frame {frame} ({}): tshark flags it (malformed: {}): {:?}",
                        c.name, v.malformed, v.experts
                    ));
                }
                if v.types != c.types {
                    failures.push(format!(
                        "frame {frame} ({}): tshark sees chunk types {:?}, we built {:?}",
                        c.name, v.types, c.types
                    ));
                }
                if !in_order(&c.params, &v.params) {
                    failures.push(format!(
                        "frame {frame} ({}): tshark sees parameter types {:04x?}, we built {:04x?}",
                        c.name, v.params, c.params
                    ));
                }
                if !in_order(&c.causes, &v.causes) {
                    failures.push(format!(
                        "frame {frame} ({}): tshark sees cause codes {:?}, we built {:?}",
                        c.name, v.causes, c.causes
                    ));
                }
                covered.extend(c.types.iter().copied());
                params_covered.extend(c.params.iter().copied());
                causes_covered.extend(c.causes.iter().copied());
            }
            Expect::BadChecksum => {
                if v.checksum_status != "0" {
                    failures.push(format!(
                        "frame {frame} ({}): negative control not flagged: checksum status {:?}, want 0 (bad)",
                        c.name, v.checksum_status
                    ));
                }
            }
            Expect::Malformed => {
                let flagged = v.malformed || v.experts.iter().any(|(sev, _)| *sev >= PI_ERROR);
                if !flagged {
                    failures.push(format!(
                        "frame {frame} ({}): negative control not flagged malformed: {:?}",
                        c.name, v.experts
                    ));
                }
                if v.checksum_status != "1" {
                    failures.push(format!(
                        "frame {frame} ({}): control should differ only in its length, but checksum status is {:?}",
                        c.name, v.checksum_status
                    ));
                }
            }
        }
    }
    // Every chunk type of the Chunk enum (RFC 9260, 3758, 4895, 5061, 6525, 8260, 4820).
    for t in [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 64, 128, 130, 132, 192, 193, 194,
    ] {
        if !covered.contains(&t) {
            failures.push(format!(
                "no good frame of chunk type {t} ({})",
                support::chunk_type_name(t)
            ));
        }
    }
    // Every parameter of the Param enum but Heartbeat Info (inside HEARTBEAT), and every cause.
    let all_params = [
        5, 6, 7, 8, 9, 11, 12, 0x000d, 0x000e, 0x000f, 0x0010, 0x0011, 0x0012, 0x8000, 0x8001,
        0x8002, 0x8003, 0x8004, 0x8005, 0x8008, 0xc000, 0xc001, 0xc002, 0xc003, 0xc004, 0xc005,
        0xc006,
    ];
    for t in all_params {
        if !params_covered.contains(&t) {
            failures.push(format!("no good frame with parameter type {t:#06x}"));
        }
    }
    for t in (1..=13).chain([0x00a0, 0x00a1, 0x00a2, 0x00a3, 0x00a4, 0x0105]) {
        if !causes_covered.contains(&t) {
            failures.push(format!("no good frame with cause code {t:#06x}"));
        }
    }
    assert!(
        failures.is_empty(),
        "tshark's verdict ({} failures):\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}
