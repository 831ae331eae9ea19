//! Property tests of the chunk codecs (RFC 9260 section 3.3 and the extensions):
//! emit → parse gives back the chunk for every type, and no input bytes make
//! parsing panic.
//!
//! Strategies generate owned field values ([`Spec`]); each test body then
//! builds the borrowed chunk from them.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::strategy::Union;
use sctp_core::wire::cause::{Cause, StaleCookie, UnknownCause};
use sctp_core::wire::chunk::{
    Abort, Asconf, AsconfAck, Auth, CookieAck, CookieEcho, Cwr, Data, DataFlags, Ecne, ForwardTsn,
    ForwardTsnStream, GapAckBlock, Heartbeat, HeartbeatAck, IData, IForwardTsn, IForwardTsnStream,
    Init, InitAck, OperationError, Pad, ReConfig, Sack, Shutdown, ShutdownAck, ShutdownComplete,
};
use sctp_core::wire::param::{Ipv4Address, Param, UnknownParam};
use sctp_core::wire::{Chunk, List, Packet, PacketBuilder, RawChunk};
use sctp_core::{Mid, Ppid, Ssn, Tsn, VerificationTag};
use std::net::Ipv4Addr;

/// Type codes of every chunk the stack implements.
const KNOWN_TYPES: [u8; 23] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 64, 0x80, 0x82, 0x84, 0xc0, 0xc1, 0xc2,
];

/// Parameter and cause codes of the RFCs, so fuzzed TLV lists reach the typed parsers.
const KNOWN_TLV_TYPES: [u16; 30] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 0x8000, 0x8001, 0x8002, 0x8003,
    0x8004, 0x8005, 0x8008, 0xc000, 0xc001, 0xc002, 0xc004, 0xc005,
];

/// An owned parameter: only kinds with a stable shape (unknown codes from an unused range).
#[derive(Debug, Clone)]
enum P {
    Unknown(u16, Vec<u8>),
    Ipv4([u8; 4]),
}

/// An owned error cause (unknown codes from an unused range).
#[derive(Debug, Clone)]
enum C {
    Unknown(u16, Vec<u8>),
    Stale(u32),
}

/// Owned field values of one chunk.
#[derive(Debug, Clone)]
enum Spec {
    Data(u8, u32, u16, u16, u32, Vec<u8>),
    Init(bool, u32, u32, u16, u16, u32, Vec<P>),
    Sack(u32, u32, Vec<GapAckBlock>, Vec<Tsn>),
    Heartbeat(bool, Vec<u8>),
    Abort(bool, Vec<C>),
    Shutdown(u32),
    ShutdownAck,
    Error(Vec<C>),
    CookieEcho(Vec<u8>),
    CookieAck,
    Ecne(u32, Option<u32>),
    Cwr(u32),
    ShutdownComplete(bool),
    Auth(u16, u16, Vec<u8>),
    IData(u8, u32, u16, u32, u32, Vec<u8>),
    Asconf(bool, u32, Vec<P>),
    ReConfig(Vec<P>),
    Pad(Vec<u8>),
    ForwardTsn(u32, Vec<ForwardTsnStream>),
    IForwardTsn(u32, Vec<IForwardTsnStream>),
}

fn param(p: &P) -> Param<'_> {
    match p {
        P::Unknown(t, v) => Param::Unknown(UnknownParam {
            param_type: *t,
            value: v,
        }),
        P::Ipv4(a) => Param::Ipv4Address(Ipv4Address(Ipv4Addr::from(*a))),
    }
}

fn cause(c: &C) -> Cause<'_> {
    match c {
        C::Unknown(t, v) => Cause::Unknown(UnknownCause {
            cause_code: *t,
            value: v,
        }),
        C::Stale(s) => Cause::StaleCookie(StaleCookie { staleness_us: *s }),
    }
}

impl Spec {
    /// The borrowed chunk these values describe.
    fn build(&self) -> Chunk<'_> {
        match self {
            Self::Data(flags, tsn, sid, ssn, ppid, payload) => Chunk::Data(Data {
                flags: DataFlags::from_bits(*flags),
                tsn: Tsn(*tsn),
                stream_id: *sid,
                ssn: Ssn(*ssn),
                ppid: Ppid(*ppid),
                payload,
            }),
            Self::Init(ack, tag, a_rwnd, os, mis, tsn, params) => {
                let params = params.iter().map(param).collect();
                if *ack {
                    Chunk::InitAck(InitAck {
                        initiate_tag: VerificationTag(*tag),
                        a_rwnd: *a_rwnd,
                        num_outbound_streams: *os,
                        num_inbound_streams: *mis,
                        initial_tsn: Tsn(*tsn),
                        params,
                    })
                } else {
                    Chunk::Init(Init {
                        initiate_tag: VerificationTag(*tag),
                        a_rwnd: *a_rwnd,
                        num_outbound_streams: *os,
                        num_inbound_streams: *mis,
                        initial_tsn: Tsn(*tsn),
                        params,
                    })
                }
            }
            Self::Sack(cum, a_rwnd, gaps, dups) => Chunk::Sack(Sack {
                cumulative_tsn_ack: Tsn(*cum),
                a_rwnd: *a_rwnd,
                gap_ack_blocks: List::Items(gaps),
                duplicate_tsns: List::Items(dups),
            }),
            Self::Heartbeat(false, info) => Chunk::Heartbeat(Heartbeat { info }),
            Self::Heartbeat(true, info) => Chunk::HeartbeatAck(HeartbeatAck { info }),
            Self::Abort(t_bit, causes) => Chunk::Abort(Abort {
                t_bit: *t_bit,
                causes: causes.iter().map(cause).collect(),
            }),
            Self::Shutdown(tsn) => Chunk::Shutdown(Shutdown {
                cumulative_tsn_ack: Tsn(*tsn),
            }),
            Self::ShutdownAck => Chunk::ShutdownAck(ShutdownAck),
            Self::Error(causes) => Chunk::Error(OperationError {
                causes: causes.iter().map(cause).collect(),
            }),
            Self::CookieEcho(cookie) => Chunk::CookieEcho(CookieEcho { cookie }),
            Self::CookieAck => Chunk::CookieAck(CookieAck),
            Self::Ecne(tsn, num_packets) => Chunk::Ecne(Ecne {
                lowest_tsn: Tsn(*tsn),
                num_packets: *num_packets,
            }),
            Self::Cwr(tsn) => Chunk::Cwr(Cwr {
                lowest_tsn: Tsn(*tsn),
            }),
            Self::ShutdownComplete(t_bit) => {
                Chunk::ShutdownComplete(ShutdownComplete { t_bit: *t_bit })
            }
            Self::Auth(key, id, hmac) => Chunk::Auth(Auth {
                shared_key_id: *key,
                hmac_id: *id,
                hmac,
            }),
            Self::IData(flags, tsn, sid, mid, ppid_or_fsn, payload) => Chunk::IData(IData {
                flags: DataFlags::from_bits(*flags),
                tsn: Tsn(*tsn),
                stream_id: *sid,
                mid: Mid(*mid),
                ppid_or_fsn: *ppid_or_fsn,
                payload,
            }),
            Self::Asconf(ack, serial, params) => {
                let params = params.iter().map(param).collect();
                if *ack {
                    Chunk::AsconfAck(AsconfAck {
                        serial: *serial,
                        params,
                    })
                } else {
                    Chunk::Asconf(Asconf {
                        serial: *serial,
                        params,
                    })
                }
            }
            Self::ReConfig(params) => Chunk::ReConfig(ReConfig {
                params: params.iter().map(param).collect(),
            }),
            Self::Pad(padding) => Chunk::Pad(Pad { padding }),
            Self::ForwardTsn(tsn, streams) => Chunk::ForwardTsn(ForwardTsn {
                new_cumulative_tsn: Tsn(*tsn),
                streams: List::Items(streams),
            }),
            Self::IForwardTsn(tsn, streams) => Chunk::IForwardTsn(IForwardTsn {
                new_cumulative_tsn: Tsn(*tsn),
                streams: List::Items(streams),
            }),
        }
    }
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..max)
}

fn params() -> impl Strategy<Value = Vec<P>> {
    let p = prop_oneof![
        (0x7f00u16..=0x7fff, bytes(40)).prop_map(|(t, v)| P::Unknown(t, v)),
        any::<[u8; 4]>().prop_map(P::Ipv4),
    ];
    vec(p, 0..6)
}

fn causes() -> impl Strategy<Value = Vec<C>> {
    let c = prop_oneof![
        (0x7f00u16..=0x7fff, bytes(40)).prop_map(|(t, v)| C::Unknown(t, v)),
        any::<u32>().prop_map(C::Stale),
    ];
    vec(c, 0..6)
}

/// Every chunk type, with arbitrary field values.
fn spec() -> impl Strategy<Value = Spec> {
    let gap = any::<(u16, u16)>().prop_map(|(start, end)| GapAckBlock { start, end });
    let fwd = any::<(u16, u16)>().prop_map(|(stream_id, ssn)| ForwardTsnStream {
        stream_id,
        ssn: Ssn(ssn),
    });
    let ifwd =
        any::<(u16, bool, u32)>().prop_map(|(stream_id, unordered, mid)| IForwardTsnStream {
            stream_id,
            unordered,
            mid: Mid(mid),
        });
    Union::new(vec![
        (any::<(u8, u32, u16, u16, u32)>(), bytes(200))
            .prop_map(|((f, t, s, n, p), d)| Spec::Data(f & 0x0f, t, s, n, p, d))
            .boxed(),
        (any::<(bool, u32, u32, u16, u16, u32)>(), params())
            .prop_map(|((a, g, w, o, i, t), p)| Spec::Init(a, g, w, o, i, t, p))
            .boxed(),
        (
            any::<(u32, u32)>(),
            vec(gap, 0..40),
            vec(any::<u32>().prop_map(Tsn), 0..40),
        )
            .prop_map(|((c, w), g, d)| Spec::Sack(c, w, g, d))
            .boxed(),
        (any::<bool>(), bytes(100))
            .prop_map(|(a, i)| Spec::Heartbeat(a, i))
            .boxed(),
        (any::<bool>(), causes())
            .prop_map(|(t, c)| Spec::Abort(t, c))
            .boxed(),
        any::<u32>().prop_map(Spec::Shutdown).boxed(),
        Just(Spec::ShutdownAck).boxed(),
        causes().prop_map(Spec::Error).boxed(),
        bytes(200).prop_map(Spec::CookieEcho).boxed(),
        Just(Spec::CookieAck).boxed(),
        any::<(u32, Option<u32>)>()
            .prop_map(|(t, n)| Spec::Ecne(t, n))
            .boxed(),
        any::<u32>().prop_map(Spec::Cwr).boxed(),
        any::<bool>().prop_map(Spec::ShutdownComplete).boxed(),
        (any::<(u16, u16)>(), bytes(64))
            .prop_map(|((k, i), h)| Spec::Auth(k, i, h))
            .boxed(),
        (any::<(u8, u32, u16, u32, u32)>(), bytes(200))
            .prop_map(|((f, t, s, m, p), d)| Spec::IData(f & 0x0f, t, s, m, p, d))
            .boxed(),
        (any::<(bool, u32)>(), params())
            .prop_map(|((a, s), p)| Spec::Asconf(a, s, p))
            .boxed(),
        params().prop_map(Spec::ReConfig).boxed(),
        bytes(100).prop_map(Spec::Pad).boxed(),
        (any::<u32>(), vec(fwd, 0..40))
            .prop_map(|(t, s)| Spec::ForwardTsn(t, s))
            .boxed(),
        (any::<u32>(), vec(ifwd, 0..40))
            .prop_map(|(t, s)| Spec::IForwardTsn(t, s))
            .boxed(),
    ])
}

/// A chunk type code, mostly one the stack implements.
fn chunk_type() -> impl Strategy<Value = u8> {
    prop_oneof![
        9 => proptest::sample::select(KNOWN_TYPES.to_vec()),
        1 => any::<u8>(),
    ]
}

/// A TLV type code, mostly one some RFC defines.
fn tlv_type() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => proptest::sample::select(KNOWN_TLV_TYPES.to_vec()),
        1 => any::<u16>(),
    ]
}

/// `head_len` random bytes of fixed fields, then TLVs with plausible types
/// and correct lengths (the last one padded or not), then a random tail
/// (usually empty), so that nested parsers get exercised and not only the
/// length checks.
fn tlv_value(head_len: impl Strategy<Value = usize>) -> impl Strategy<Value = Vec<u8>> {
    (
        head_len.prop_flat_map(|n| vec(any::<u8>(), n..=n)),
        vec((tlv_type(), bytes(24)), 0..5),
        prop_oneof![3 => Just(Vec::new()), 1 => bytes(6)],
        any::<bool>(),
    )
        .prop_map(|(head, tlvs, tail, pad_last)| {
            let mut v = head;
            let n = tlvs.len();
            for (i, (t, val)) in tlvs.into_iter().enumerate() {
                v.extend_from_slice(&t.to_be_bytes());
                v.extend_from_slice(&((4 + val.len()) as u16).to_be_bytes());
                v.extend_from_slice(&val);
                if i + 1 < n || pad_last {
                    v.resize(v.len().next_multiple_of(4), 0);
                }
            }
            v.extend_from_slice(&tail);
            v
        })
}

/// A SACK value whose counts usually match its blocks.
fn sack_value() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<[u8; 8]>(),
        vec(any::<[u8; 4]>(), 0..6),
        vec(any::<[u8; 4]>(), 0..6),
        prop_oneof![4 => Just(Vec::new()), 1 => bytes(6)],
    )
        .prop_map(|(head, gaps, dups, tail)| {
            let mut v = head.to_vec();
            v.extend_from_slice(&(gaps.len() as u16).to_be_bytes());
            v.extend_from_slice(&(dups.len() as u16).to_be_bytes());
            v.extend(gaps.iter().chain(&dups).flatten());
            v.extend_from_slice(&tail);
            v
        })
}

/// A HEARTBEAT (ACK) value: usually a Heartbeat Info TLV, then maybe more bytes.
fn heartbeat_value() -> impl Strategy<Value = Vec<u8>> {
    (
        prop_oneof![4 => Just(1u16), 1 => any::<u16>()],
        bytes(40),
        prop_oneof![3 => Just(Vec::new()), 1 => bytes(12)],
    )
        .prop_map(|(t, info, tail)| {
            let mut v = t.to_be_bytes().to_vec();
            v.extend_from_slice(&((4 + info.len()) as u16).to_be_bytes());
            v.extend_from_slice(&info);
            v.extend_from_slice(&tail);
            v
        })
}

/// A value shaped for chunk type `t` (or arbitrary bytes, for the error paths).
fn value_for(t: u8) -> BoxedStrategy<Vec<u8>> {
    let shaped = match t {
        1 | 2 => tlv_value(prop_oneof![4 => Just(16usize), 1 => 0usize..20]).boxed(),
        0x80 | 0xc1 => tlv_value(prop_oneof![4 => Just(4usize), 1 => 0usize..8]).boxed(),
        6 | 9 | 0x82 => tlv_value(Just(0usize)).boxed(),
        3 => sack_value().boxed(),
        4 | 5 => heartbeat_value().boxed(),
        7 | 13 => vec(any::<u8>(), 4..=4).boxed(),
        12 => prop_oneof![vec(any::<u8>(), 4..=4), vec(any::<u8>(), 8..=8)].boxed(),
        0xc0 => (1usize..10)
            .prop_flat_map(|n| vec(any::<u8>(), 4 * n..=4 * n))
            .boxed(),
        0xc2 => (0usize..6)
            .prop_flat_map(|n| vec(any::<u8>(), 4 + 8 * n..=4 + 8 * n))
            .boxed(),
        _ => tlv_value(prop_oneof![
            Just(0usize),
            Just(4),
            Just(12),
            Just(16),
            0usize..24
        ])
        .boxed(),
    };
    prop_oneof![1 => bytes(64), 3 => shaped].boxed()
}

/// A chunk type code, flags and a value shaped for that type.
fn chunk_parts() -> impl Strategy<Value = (u8, u8, Vec<u8>)> {
    chunk_type().prop_flat_map(|t| (Just(t), any::<u8>(), value_for(t)))
}

/// One chunk encoded with a correct length and padding (any type, flags, value).
fn encoded_chunk() -> impl Strategy<Value = Vec<u8>> {
    chunk_parts().prop_map(|(t, f, v)| {
        let mut c = vec![t, f];
        c.extend_from_slice(&((4 + v.len()) as u16).to_be_bytes());
        c.extend_from_slice(&v);
        c.resize(c.len().next_multiple_of(4), 0);
        c
    })
}

/// Emits `chunk` alone and checks the bytes used match [`Chunk::chunk_len`].
fn emit(chunk: &Chunk<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; chunk.chunk_len()];
    let n = chunk.emit(&mut buf).expect("emit into chunk_len bytes");
    assert_eq!(n, chunk.chunk_len());
    assert_eq!(n % 4, 0);
    buf
}

/// Reads the single chunk at the start of `buf` by its Chunk Length.
fn raw(buf: &[u8]) -> RawChunk<'_> {
    let length = usize::from(u16::from_be_bytes([buf[2], buf[3]]));
    RawChunk {
        chunk_type: buf[0],
        flags: buf[1],
        value: &buf[4..length],
        offset: 0,
    }
}

/// Parses every chunk of `bytes` as a packet; must not panic, whatever the bytes.
fn parse_packet(bytes: &[u8]) {
    let Ok(packet) = Packet::new_checked(bytes) else {
        return;
    };
    let _ = packet.header();
    let _ = packet.verify_checksum();
    for raw in packet.chunks() {
        let Ok(raw) = raw else { break };
        let _ = raw.unrecognized_action();
        if let Ok(chunk) = raw.parse() {
            let _ = chunk.to_string();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// RFC 9260 section 3.2: emit then parse gives the same chunk, every type.
    #[test]
    fn rfc9260_3_2_emit_parse_round_trip(spec in spec()) {
        let chunk = spec.build();
        prop_assert!(KNOWN_TYPES.contains(&chunk.chunk_type()));
        let buf = emit(&chunk);
        let length = usize::from(u16::from_be_bytes([buf[2], buf[3]]));
        prop_assert!(length <= buf.len() && buf.len() - length < 4);
        prop_assert!(buf[length..].iter().all(|&b| b == 0), "padding is zero");
        let parsed = raw(&buf).parse().expect("parse what was emitted");
        prop_assert_eq!(&parsed, &chunk);
        prop_assert!(!parsed.to_string().is_empty());
    }

    /// RFC 9260 section 3: the same, bundled in a packet behind the common header.
    #[test]
    fn rfc9260_3_emit_parse_in_packet(specs in vec(spec(), 1..4)) {
        let chunks: Vec<Chunk<'_>> = specs.iter().map(Spec::build).collect();
        let total: usize = 12 + chunks.iter().map(Chunk::chunk_len).sum::<usize>();
        let mut buf = vec![0u8; total];
        let mut b = PacketBuilder::new(&mut buf, 1, 2, VerificationTag(3)).expect("header");
        for c in &chunks {
            b.push(c).expect("room for every chunk");
        }
        prop_assert_eq!(b.finish(), total);
        let packet = Packet::new_checked(&buf[..]).expect("header");
        packet.verify_checksum().expect("checksum");
        let parsed: Vec<Chunk<'_>> = packet
            .chunks()
            .map(|r| r.and_then(|r| r.parse()))
            .collect::<Result<_, _>>()
            .expect("parse");
        prop_assert_eq!(parsed, chunks);
    }

    /// Arbitrary bytes as a packet never make parsing panic.
    #[test]
    fn arbitrary_packet_never_panics(bytes in vec(any::<u8>(), 0..400)) {
        parse_packet(&bytes);
    }

    /// Packets of well-framed chunks with fuzzed values never make parsing panic.
    #[test]
    fn chunk_like_packet_never_panics(
        header in any::<[u8; 12]>(),
        chunks in vec(encoded_chunk(), 0..5),
        tail in vec(any::<u8>(), 0..8),
    ) {
        let mut p = header.to_vec();
        for c in chunks {
            p.extend_from_slice(&c);
        }
        p.extend_from_slice(&tail);
        parse_packet(&p);
    }

    /// Arbitrary (type, flags, value) never make a chunk parser panic, and
    /// what parses survives decode → emit → decode unchanged.
    #[test]
    fn arbitrary_chunk_decode_emit_decode((t, flags, v) in chunk_parts()) {
        let raw_chunk = RawChunk { chunk_type: t, flags, value: &v, offset: 0 };
        let Ok(chunk) = raw_chunk.parse() else {
            return Ok(());
        };
        let _ = chunk.to_string();
        let buf = emit(&chunk);
        prop_assert!(buf.len() <= (4 + v.len()).next_multiple_of(4));
        let again = raw(&buf).parse().expect("re-parse what was emitted");
        prop_assert_eq!(&again, &chunk);
        prop_assert_eq!(emit(&again), buf);
    }
}
