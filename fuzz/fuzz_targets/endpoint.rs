//! Endpoint fuzzer: a listening `Endpoint` (ports 5000 and 5001) fed packets
//! with random ports, tags and chunks (checksums mostly valid), raw bytes,
//! mutated replays of a real client's packets, and now and then a real
//! INIT / COOKIE ECHO handshake from a client endpoint.
//!
//! Invariants: no panic; a response only to a packet for an owned port, from
//! that port to the sender's port; responses parse with good checksums;
//! the association count stays within `max_associations`; routed handles are
//! ones the endpoint handed out.
#![no_main]

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use common::{Ctx, Input, check_emitted, epoch, fix_checksum, gen_chunk, packet};
use libfuzzer_sys::fuzz_target;
use sctp_core::wire::Packet;
use sctp_core::{Association, AssociationConfig, DatagramEvent, Endpoint, EndpointConfig};

const PORTS: [u16; 2] = [5000, 5001];
const MAX_ASSOC: usize = 8;

fn server_addr() -> SocketAddr {
    SocketAddr::from(([198, 18, 0, 2], 5000))
}

fn peer_ip(i: u8) -> [u8; 4] {
    match i % 8 {
        0 => [0, 0, 0, 0],
        1 => [224, 0, 0, 1],
        2 => [255, 255, 255, 255],
        n => [198, 18, 0, 10 + n],
    }
}

fuzz_target!(|data: &[u8]| {
    let mut inp = Input::new(data);
    let mut now = epoch();
    let cfg = AssociationConfig::default();
    let mut server = Endpoint::new(
        EndpointConfig { max_associations: MAX_ASSOC, ..EndpointConfig::default() }
            .association(cfg.clone())
            .rng_seed(7)
            .cookie_secret([7; 32]),
        now,
    );
    for p in PORTS {
        server.listen(p);
    }
    let client_ip = [198, 18, 0, 20];
    let mut client = Endpoint::new(EndpointConfig::default().association(cfg).rng_seed(8), now);
    let mut clients: Vec<Association> = Vec::new();
    let mut accepted: HashMap<u64, Association> = HashMap::new();
    let mut recorded: Vec<(SocketAddr, Vec<u8>)> = Vec::new();
    let mut buf = vec![0u8; 2048];
    let mut steps = 0;

    while !inp.is_empty() && steps < 1000 {
        steps += 1;
        // Build the next packet to feed the server.
        let (from, pkt): (SocketAddr, Vec<u8>) = match inp.u8() % 8 {
            0 | 1 => {
                // Raw bytes; the checksum fixed unless the flag says keep it.
                let flags = inp.u8();
                let n = inp.u16() as usize % 2048;
                let mut p = inp.bytes(n).to_vec();
                if flags & 1 == 0 {
                    fix_checksum(&mut p);
                }
                (SocketAddr::from((peer_ip(flags >> 1), 40000)), p)
            }
            2..=4 => {
                // Generated chunks with random ports and tags.
                let ip = peer_ip(inp.u8());
                let src = inp.u16();
                let dst = match inp.u8() % 4 {
                    0 | 1 => PORTS[0],
                    2 => PORTS[1],
                    _ => inp.u16(),
                };
                let ctx = Ctx { our_cum_ack: inp.u32(), next_data_tsn: inp.u32(), streams: 4, reconfig_seqs: (inp.u32(), inp.u32()) };
                let mut chunks = Vec::new();
                for _ in 0..1 + inp.u8() % 3 {
                    gen_chunk(&mut inp, &ctx, &mut chunks);
                }
                let tag = match inp.u8() % 4 {
                    0 | 1 => 0,
                    _ => inp.u32(),
                };
                let mut p = packet(src, dst, tag, &chunks);
                if inp.u8() == 0xff {
                    p[8] ^= 1; // a bad checksum now and then
                }
                (SocketAddr::from((ip, src)), p)
            }
            5 => {
                // A real client starts a handshake: its INIT goes in.
                let port = 1024 + inp.u16() % 8;
                let dst = SocketAddr::from(([198, 18, 0, 2], PORTS[inp.u8() as usize % 2]));
                if let Ok((_, a)) = client.connect(now, port, dst) {
                    clients.push(a);
                }
                if clients.len() > 16 {
                    clients.remove(0);
                }
                continue;
            }
            6 => {
                // Replay (maybe mutated) a recorded client packet.
                if recorded.is_empty() {
                    continue;
                }
                let (from, mut p) = recorded[inp.u8() as usize % recorded.len()].clone();
                if inp.bool() && !p.is_empty() {
                    let i = inp.u16() as usize % p.len();
                    p[i] ^= inp.u8();
                    if inp.bool() {
                        fix_checksum(&mut p);
                    }
                }
                (from, p)
            }
            _ => {
                now += Duration::from_millis(inp.u16() as u64 * 8);
                for a in clients.iter_mut().chain(accepted.values_mut()) {
                    if a.poll_timeout().is_some_and(|t| t <= now) {
                        a.handle_timeout(now);
                    }
                }
                // Client packets: feed them to the server (the real handshake).
                let mut out = Vec::new();
                for a in &mut clients {
                    while let Some(t) = a.poll_transmit(now, &mut buf) {
                        let src = SocketAddr::from((client_ip, a.local_port()));
                        out.push((src, buf[..t.size].to_vec()));
                    }
                }
                for (src, p) in out {
                    if recorded.len() < 64 {
                        recorded.push((src, p.clone()));
                    }
                    feed(&mut server, &mut accepted, &mut clients, now, src, &p, &mut buf);
                }
                for a in accepted.values_mut() {
                    while a.poll_transmit(now, &mut buf).is_some() {}
                    while a.poll_event().is_some() {}
                }
                continue;
            }
        };
        feed(&mut server, &mut accepted, &mut clients, now, from, &pkt, &mut buf);
    }
});

/// Hands one packet to the server and checks what it does; responses to the
/// real clients are delivered to them.
fn feed(
    server: &mut Endpoint,
    accepted: &mut HashMap<u64, Association>,
    clients: &mut [Association],
    now: std::time::Instant,
    from: SocketAddr,
    p: &[u8],
    buf: &mut [u8],
) {
    let parsed = Packet::new_checked(p).ok().map(|q| (q.src_port(), q.dst_port()));
    let ev = server.handle(now, from, server_addr(), p, buf);
    assert!(
        server.association_count() <= MAX_ASSOC,
        "{} associations routed, limit {MAX_ASSOC}",
        server.association_count()
    );
    let Some(ev) = ev else { return };
    let (src, dst) = parsed.expect("the endpoint acted on a packet without a header");
    assert!(server.owns_port(dst), "the endpoint acted on a packet for port {dst} it does not own");
    match ev {
        DatagramEvent::Response(t) => {
            assert_eq!(t.destination.port(), src, "response to the wrong port");
            assert_eq!(t.destination.ip(), from.ip(), "response to the wrong address");
            let ip = from.ip();
            assert!(!ip.is_multicast() && !ip.is_unspecified(), "response to {ip}");
            let r = buf[..t.size].to_vec();
            check_emitted(&r, dst, src, "endpoint");
            for a in clients.iter_mut() {
                if a.local_port() == src && a.remote().port() == dst {
                    a.handle_packet(now, &r);
                }
            }
        }
        DatagramEvent::NewAssociation(h, mut a) => {
            assert!(!accepted.contains_key(&h.0), "handle {h:?} handed out twice");
            assert_eq!(a.local_port(), dst, "new association on the wrong port");
            if let Err(e) = a.check_invariants() {
                panic!("new association: {e}");
            }
            while let Some(t) = a.poll_transmit(now, buf) {
                let r = buf[..t.size].to_vec();
                check_emitted(&r, dst, src, "new association");
                for c in clients.iter_mut() {
                    if c.local_port() == src && c.remote().port() == dst {
                        c.handle_packet(now, &r);
                    }
                }
            }
            accepted.insert(h.0, *a);
        }
        DatagramEvent::Association(h) => {
            let a = accepted.get_mut(&h.0).unwrap_or_else(|| panic!("routed to unknown handle {h:?}"));
            a.handle_packet(now, p);
            if let Err(e) = a.check_invariants() {
                panic!("accepted association: {e}");
            }
        }
    }
}
