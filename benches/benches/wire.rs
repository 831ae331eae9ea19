//! Wire-format benchmarks: parse + verify and build + checksum of the packets
//! that dominate a busy association.
//!
//! - a full 1,452-byte packet with one DATA chunk (1,436 bytes of user data);
//! - a 12-chunk bundle: one SACK and eleven small DATA chunks (signalling traffic);
//! - CRC32c alone over 1,452 bytes, reported as bytes per second.
//!
//! Run with `cargo bench -p sctp-benches --bench wire`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sctp_benches::FULL_DATA_PACKET_LEN;
use sctp_core::wire::chunk::{Data, DataFlags, GapAckBlock, Sack};
use sctp_core::wire::{Chunk, List, Packet, PacketBuilder, checksum};
use sctp_core::{Ppid, Ssn, Tsn, VerificationTag};

const DATA_PAYLOAD: usize = FULL_DATA_PACKET_LEN - 12 - 16;
const GAPS: [GapAckBlock; 2] = [
    GapAckBlock { start: 2, end: 3 },
    GapAckBlock { start: 5, end: 9 },
];

fn build_full_data(buf: &mut [u8], payload: &[u8]) -> usize {
    let mut b = PacketBuilder::new(buf, 36412, 36412, VerificationTag(0x5eed_cafe)).unwrap();
    b.push(&Chunk::Data(Data {
        flags: DataFlags::COMPLETE,
        tsn: Tsn(1000),
        stream_id: 1,
        ssn: Ssn(7),
        ppid: Ppid(60),
        payload,
    }))
    .unwrap();
    b.finish()
}

fn build_bundle(buf: &mut [u8], payload: &[u8]) -> usize {
    let mut b = PacketBuilder::new(buf, 2905, 2905, VerificationTag(0x0102_0304)).unwrap();
    b.push(&Chunk::Sack(Sack {
        cumulative_tsn_ack: Tsn(500),
        a_rwnd: 131_072,
        gap_ack_blocks: List::Items(&GAPS),
        duplicate_tsns: List::EMPTY,
    }))
    .unwrap();
    for i in 0..11u16 {
        b.push(&Chunk::Data(Data {
            flags: DataFlags::COMPLETE,
            tsn: Tsn(2000 + u32::from(i)),
            stream_id: i,
            ssn: Ssn(i),
            ppid: Ppid(3),
            payload,
        }))
        .unwrap();
    }
    b.finish()
}

/// Verifies the checksum and parses every chunk, touching each payload byte count.
fn parse_and_verify(packet: &[u8]) -> usize {
    let p = Packet::new_checked(packet).unwrap();
    p.verify_checksum().unwrap();
    let mut seen = 0;
    for raw in p.chunks() {
        match raw.unwrap().parse().unwrap() {
            Chunk::Data(d) => seen += d.payload.len(),
            Chunk::Sack(s) => seen += s.gap_ack_blocks.len(),
            _ => {}
        }
    }
    seen
}

fn wire(c: &mut Criterion) {
    let big = vec![0xa5u8; DATA_PAYLOAD];
    let small = [0x5au8; 100];
    let mut buf = vec![0u8; 2048];

    let mut g = c.benchmark_group("packet");
    for (name, build) in [
        (
            "full_data_1452",
            build_full_data as fn(&mut [u8], &[u8]) -> usize,
        ),
        ("sack_plus_11_data", build_bundle),
    ] {
        let payload: &[u8] = if name == "full_data_1452" {
            &big
        } else {
            &small
        };
        let len = build(&mut buf, payload);
        let packet = buf[..len].to_vec();
        g.throughput(Throughput::Elements(1));
        g.bench_with_input(BenchmarkId::new("parse_verify", name), &packet, |b, p| {
            b.iter(|| parse_and_verify(black_box(p)))
        });
        g.bench_function(BenchmarkId::new("build_checksum", name), |b| {
            b.iter(|| build(black_box(&mut buf), black_box(payload)))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("crc32c");
    let len = build_full_data(&mut buf, &big);
    assert_eq!(len, FULL_DATA_PACKET_LEN);
    g.throughput(Throughput::Bytes(len as u64));
    g.bench_function("1452_bytes", |b| {
        b.iter(|| checksum::compute(black_box(&buf[..len])))
    });
    g.finish();
}

criterion_group!(benches, wire);
criterion_main!(benches);
