//! Packet parser fuzzer: any bytes must parse or fail with a typed error, never
//! panic; whatever parses must re-emit and parse back to the same chunks
//! (decode-emit-decode equality).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sctp_core::wire::{Chunk, Packet, PacketBuilder};

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = Packet::new_checked(data) else {
        return;
    };
    // Checksums are not required to match: the fuzzer must reach the chunk parsers.
    let _ = packet.verify_checksum();
    let header = packet.header();
    let mut chunks: Vec<Chunk<'_>> = Vec::new();
    for raw in packet.chunks() {
        let Ok(raw) = raw else { break };
        let Ok(chunk) = raw.parse() else { break };
        chunks.push(chunk);
    }
    let mut out = vec![0u8; data.len() + 4 * chunks.len() + 16];
    let mut b = PacketBuilder::new(&mut out, header.src_port, header.dst_port, header.verification_tag)
        .expect("room for the header");
    for c in &chunks {
        b.push(c).expect("re-emitted chunks fit in the buffer");
    }
    let len = b.finish();
    let again = Packet::new_checked(&out[..len]).expect("re-emitted packet has a header");
    again.verify_checksum().expect("re-emitted packet has a good checksum");
    let reparsed: Vec<Chunk<'_>> = again
        .chunks()
        .map(|r| r.and_then(|r| r.parse()).expect("re-emitted chunk parses"))
        .collect();
    assert_eq!(chunks, reparsed, "decode-emit-decode changed the chunks");
});
