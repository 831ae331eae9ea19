//! Shared pieces of the stateful fuzz targets: input consumption, a chunk
//! generator that writes well-formed chunks with fields from the input, and
//! output checks.
#![allow(dead_code)]

use std::sync::OnceLock;
use std::time::Instant;

use sctp_core::wire::{Chunk, Packet};

/// The fixed virtual time base: every run measures time from here.
pub fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Hand-rolled byte consumption; an exhausted input yields zeros.
pub struct Input<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Input<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }
    pub fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }
    pub fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    pub fn bool(&mut self) -> bool {
        self.u8() & 1 != 0
    }
    /// Up to `n` bytes (fewer at the end of the input).
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let start = self.pos.min(self.data.len());
        let end = (start + n).min(self.data.len());
        self.pos = self.pos.saturating_add(n).max(end);
        &self.data[start..end]
    }
}

/// What the generator knows about the association it writes for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ctx {
    /// The receiver's cumulative ack point for our data (SACK Cumulative TSN Ack).
    pub our_cum_ack: u32,
    /// The next TSN the receiver expects from us (DATA TSN).
    pub next_data_tsn: u32,
    pub streams: u16,
    /// The receiver's next expected RE-CONFIG request sequence number, and
    /// the sequence number of its own request in flight (RFC 6525).
    pub reconfig_seqs: (u32, u32),
}

fn push_chunk(out: &mut Vec<u8>, ty: u8, flags: u8, body: &[u8]) {
    let len = 4 + body.len();
    out.push(ty);
    out.push(flags);
    out.extend_from_slice(&(len.min(0xffff) as u16).to_be_bytes());
    out.extend_from_slice(body);
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

fn small_offset(inp: &mut Input<'_>) -> u32 {
    // Mostly near the expected value, sometimes anywhere.
    let b = inp.u8();
    if b < 240 { (b as i8 as i32 / 4) as u32 } else { inp.u32() }
}

fn tlv(out: &mut Vec<u8>, ty: u16, value: &[u8]) {
    out.extend_from_slice(&ty.to_be_bytes());
    out.extend_from_slice(&((4 + value.len()) as u16).to_be_bytes());
    out.extend_from_slice(value);
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

fn init_body(inp: &mut Input<'_>, ack: bool) -> Vec<u8> {
    let mut b = Vec::new();
    let tag = inp.u32();
    b.extend_from_slice(&(if inp.u8() < 240 { tag | 1 } else { tag }).to_be_bytes());
    b.extend_from_slice(&inp.u32().to_be_bytes()); // a_rwnd
    let os = inp.u16();
    b.extend_from_slice(&(if os == 0 && inp.bool() { 1 } else { os }).to_be_bytes());
    let mis = inp.u16();
    b.extend_from_slice(&mis.to_be_bytes());
    b.extend_from_slice(&inp.u32().to_be_bytes()); // initial TSN
    let nparams = inp.u8() % 4;
    for _ in 0..nparams {
        match inp.u8() % 6 {
            0 if ack => {
                let n = inp.u8() as usize;
                let v = inp.bytes(n).to_vec();
                tlv(&mut b, 7, &v); // State Cookie
            }
            1 => tlv(&mut b, 5, &inp.u32().to_be_bytes()), // IPv4 address
            2 => tlv(&mut b, 0xc000, &[]),                  // ECN capable
            3 => tlv(&mut b, 0xc004, &[]),                  // Forward TSN supported
            4 => tlv(&mut b, 0x8008, &[0xc0, 0x82, 0, 0]), // Supported Extensions
            _ => {
                let ty = inp.u16();
                let n = (inp.u8() % 32) as usize;
                let v = inp.bytes(n).to_vec();
                tlv(&mut b, ty, &v);
            }
        }
    }
    b
}

fn causes(inp: &mut Input<'_>) -> Vec<u8> {
    let mut b = Vec::new();
    for _ in 0..inp.u8() % 3 {
        let code = (inp.u8() % 14) as u16;
        let n = (inp.u8() % 24) as usize;
        let v = inp.bytes(n).to_vec();
        tlv(&mut b, code, &v);
    }
    b
}

/// Appends one well-formed chunk of an input-chosen type; returns its type
/// and flags (the caller picks the verification tag from them).
pub fn gen_chunk(inp: &mut Input<'_>, ctx: &Ctx, out: &mut Vec<u8>) -> (u8, u8) {
    let sel = inp.u8();
    let (ty, flags, body): (u8, u8, Vec<u8>) = match sel % 18 {
        0..=3 => {
            // DATA
            let mut b = Vec::new();
            let flags = match inp.u8() % 8 {
                0..=3 => 0x03,
                4 => 0x07,
                _ => inp.u8() & 0x0f,
            };
            b.extend_from_slice(&ctx.next_data_tsn.wrapping_add(small_offset(inp)).to_be_bytes());
            let s = inp.u8();
            let sid = if s < 250 { s as u16 % ctx.streams.max(1) } else { inp.u16() };
            b.extend_from_slice(&sid.to_be_bytes());
            b.extend_from_slice(&(inp.u8() as u16 % 8).to_be_bytes()); // SSN
            b.extend_from_slice(&inp.u32().to_be_bytes()); // PPID
            let n = match inp.u8() % 4 {
                0 => 0,
                1 | 2 => inp.u8() as usize + 1,
                _ => inp.u16() as usize % 1400 + 1,
            };
            let fill = inp.u8();
            b.extend(std::iter::repeat_n(fill, n));
            (0, flags, b)
        }
        4 => (1, 0, init_body(inp, false)),
        5 => (2, 0, init_body(inp, true)),
        6..=8 => {
            // SACK
            let mut b = Vec::new();
            b.extend_from_slice(&ctx.our_cum_ack.wrapping_add(small_offset(inp)).to_be_bytes());
            let rw = match inp.u8() % 4 {
                0 => 0,
                1 => inp.u16() as u32,
                _ => 131_072,
            };
            b.extend_from_slice(&rw.to_be_bytes());
            let gaps = inp.u8() % 5;
            let dups = inp.u8() % 3;
            b.extend_from_slice(&(gaps as u16).to_be_bytes());
            b.extend_from_slice(&(dups as u16).to_be_bytes());
            let mut start = 1u16;
            for _ in 0..gaps {
                start = start.wrapping_add((inp.u8() % 8) as u16);
                let end = start.wrapping_add((inp.u8() % 8) as u16);
                b.extend_from_slice(&start.to_be_bytes());
                b.extend_from_slice(&end.to_be_bytes());
                start = end.wrapping_add(1);
            }
            for _ in 0..dups {
                b.extend_from_slice(&ctx.our_cum_ack.wrapping_add(small_offset(inp)).to_be_bytes());
            }
            (3, 0, b)
        }
        9 | 10 => {
            let mut b = Vec::new();
            let n = inp.u8() as usize % 48;
            let v = inp.bytes(n).to_vec();
            tlv(&mut b, 1, &v); // Heartbeat Info
            (if sel % 18 == 9 { 4 } else { 5 }, 0, b)
        }
        11 => (6, inp.u8() & 1, causes(inp)),
        12 => {
            let tsn = ctx.next_data_tsn.wrapping_sub(1).wrapping_add(small_offset(inp));
            (7, 0, tsn.to_be_bytes().to_vec())
        }
        13 => (8, 0, Vec::new()),
        14 => (9, 0, causes(inp)),
        15 => match inp.u8() % 3 {
            0 => (11, 0, Vec::new()),
            1 => (14, inp.u8() & 1, Vec::new()),
            _ => {
                let n = inp.u8() as usize;
                (10, 0, inp.bytes(n).to_vec())
            }
        },
        17 if inp.u8() < 128 => {
            // RE-CONFIG (RFC 6525): a request or a response, numbered near
            // what the receiver expects.
            let mut b = Vec::new();
            let (expected, ours) = ctx.reconfig_seqs;
            let seq = expected.wrapping_add(small_offset(inp));
            let streams = |inp: &mut Input<'_>| -> Vec<u8> {
                (0..inp.u8() % 3)
                    .flat_map(|_| (inp.u8() as u16 % ctx.streams.max(1).saturating_add(1)).to_be_bytes())
                    .collect()
            };
            match inp.u8() % 6 {
                0 => {
                    let mut v = seq.to_be_bytes().to_vec();
                    v.extend(ours.wrapping_add(small_offset(inp)).to_be_bytes());
                    v.extend(ctx.next_data_tsn.wrapping_sub(1).wrapping_add(small_offset(inp)).to_be_bytes());
                    v.extend(streams(inp));
                    tlv(&mut b, 13, &v);
                }
                1 => {
                    let mut v = seq.to_be_bytes().to_vec();
                    v.extend(streams(inp));
                    tlv(&mut b, 14, &v);
                }
                2 => tlv(&mut b, 15, &seq.to_be_bytes()),
                3 => {
                    let mut v = ours.wrapping_add(small_offset(inp)).to_be_bytes().to_vec();
                    v.extend(u32::from(inp.u8() % 8).to_be_bytes());
                    if inp.bool() {
                        v.extend(inp.u32().to_be_bytes());
                        v.extend(inp.u32().to_be_bytes());
                    }
                    tlv(&mut b, 16, &v);
                }
                n => {
                    let mut v = seq.to_be_bytes().to_vec();
                    v.extend((inp.u8() as u16).to_be_bytes());
                    v.extend([0, 0]);
                    tlv(&mut b, if n == 4 { 17 } else { 18 }, &v);
                }
            }
            (130, 0, b)
        }
        16 => {
            // FORWARD TSN
            let mut b = Vec::new();
            let tsn = ctx.next_data_tsn.wrapping_sub(1).wrapping_add(small_offset(inp));
            b.extend_from_slice(&tsn.to_be_bytes());
            for _ in 0..inp.u8() % 3 {
                b.extend_from_slice(&(inp.u8() as u16 % ctx.streams.max(1)).to_be_bytes());
                b.extend_from_slice(&(inp.u8() as u16).to_be_bytes());
            }
            (192, 0, b)
        }
        _ => {
            // Anything else: unknown, I-DATA, RE-CONFIG, ASCONF, AUTH, PAD...
            let ty = inp.u8();
            let flags = inp.u8();
            let n = inp.u8() as usize % 64;
            (ty, flags, inp.bytes(n).to_vec())
        }
    };
    push_chunk(out, ty, flags, &body);
    (ty, flags)
}

/// A packet from chunk bytes with a correct CRC32c.
pub fn packet(src: u16, dst: u16, vtag: u32, chunks: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(12 + chunks.len());
    p.extend_from_slice(&src.to_be_bytes());
    p.extend_from_slice(&dst.to_be_bytes());
    p.extend_from_slice(&vtag.to_be_bytes());
    p.extend_from_slice(&[0; 4]);
    p.extend_from_slice(chunks);
    fix_checksum(&mut p);
    p
}

pub fn fix_checksum(p: &mut [u8]) {
    if p.len() >= 12 {
        p[8..12].fill(0);
        let c = sctp_core::wire::checksum::compute(p);
        p[8..12].copy_from_slice(&c.to_le_bytes());
        if Packet::new_checked(&*p).is_ok_and(|q| q.verify_checksum().is_err()) {
            p[8..12].copy_from_slice(&c.to_be_bytes());
        }
    }
}

/// Asserts that a packet the stack emitted parses with our own parser, has a
/// valid checksum and the expected ports; returns its chunk types.
pub fn check_emitted(p: &[u8], src: u16, dst: u16, who: &str) -> Vec<u8> {
    let packet = Packet::new_checked(p).unwrap_or_else(|e| panic!("{who} emitted an unparsable packet: {e:?} {p:02x?}"));
    packet
        .verify_checksum()
        .unwrap_or_else(|e| panic!("{who} emitted a bad checksum: {e:?} {p:02x?}"));
    assert_eq!(packet.src_port(), src, "{who} emitted from the wrong port");
    assert_eq!(packet.dst_port(), dst, "{who} emitted to the wrong port");
    let mut types = Vec::new();
    for raw in packet.chunks() {
        let raw = raw.unwrap_or_else(|e| panic!("{who} emitted a bad chunk: {e:?} {p:02x?}"));
        let chunk: Chunk<'_> = raw
            .parse()
            .unwrap_or_else(|e| panic!("{who} emitted an unparsable chunk: {e:?} {p:02x?}"));
        let _ = chunk;
        types.push(raw.chunk_type);
    }
    assert!(!types.is_empty(), "{who} emitted a packet without chunks");
    types
}
