//! Stateful association fuzzer (after dcsctp's `dcsctp_fuzzers.cc`).
//!
//! Byte 0 picks the starting state of association A (the client of a real
//! pair A-B driven deterministically: seeded RNGs, fixed time base):
//! CLOSED, COOKIE-WAIT, COOKIE-ECHOED, ESTABLISHED, SHUTDOWN-PENDING,
//! SHUTDOWN-SENT, SHUTDOWN-RECEIVED, SHUTDOWN-ACK-SENT (low 3 bits); bit 3
//! makes both hosts forget an association once it is CLOSED, as sctp-raw
//! does, instead of feeding it more packets. Every later byte picks
//! an action (see `step`): a generated packet to A, raw chunk bytes to A
//! (correct header, tag and checksum), B's real packets delivered, dropped,
//! duplicated or reordered, user send / shutdown / abort on either side,
//! time advanced, the next timer expired, events drained. Both hosts are
//! multi-homed (two addresses each, listed in INIT and INIT ACK, with AUTH
//! and ASCONF negotiated): packets arrive from either peer address, and
//! either side adds and deletes a third address (ASCONF), sets the
//! primary or asks for a heartbeat on a path. Messages are sent with every
//! partial-reliability policy (RFC 7496), and either side resets streams or
//! the association and adds streams (RFC 6525); generated packets carry
//! FORWARD TSN and RE-CONFIG chunks numbered near what A expects.
//!
//! After every step: every emitted packet parses and has a good checksum,
//! `Association::check_invariants` holds on both sides, the cumulative ack
//! points never move backwards, buffered receive data stays bounded, events
//! are well-formed.
#![no_main]

mod common;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{Ctx, Input, check_emitted, epoch, gen_chunk, packet};
use libfuzzer_sys::fuzz_target;
use sctp_core::{
    Association, AssociationConfig, AssociationHandle, DatagramEvent, Endpoint, EndpointConfig,
    ErrorCause, Event, PartialMessages, Ppid, PrPolicy, SendOptions, State, Tsn, VerificationTag,
};

const A_PORT: u16 = 5000;
const B_PORT: u16 = 2905;

fn a_addr() -> SocketAddr {
    SocketAddr::from(([198, 18, 0, 1], A_PORT))
}
fn b_addr() -> SocketAddr {
    SocketAddr::from(([198, 18, 0, 2], B_PORT))
}
/// Each host's second address (subnet 198.18.1.0/24), and the third one it
/// adds and deletes with ASCONF (198.18.2.0/24).
fn second(a: SocketAddr) -> SocketAddr {
    with_subnet(a, 1)
}
fn third(a: SocketAddr) -> SocketAddr {
    with_subnet(a, 2)
}
fn with_subnet(a: SocketAddr, subnet: u8) -> SocketAddr {
    let std::net::IpAddr::V4(ip) = a.ip() else { unreachable!() };
    let o = ip.octets();
    SocketAddr::from(([o[0], o[1], subnet, o[3]], a.port()))
}

fn cfg() -> AssociationConfig {
    // A low partial delivery point, so multi-fragment messages come in pieces.
    AssociationConfig::default()
        .rto_initial(Duration::from_millis(100))
        .rto_min(Duration::from_millis(100))
        .partial_delivery_point(Some(3000))
}

#[derive(Default)]
struct Track {
    cum_ack: Option<Tsn>,
    peer_cum: Option<Tsn>,
    tags: Option<(VerificationTag, VerificationTag, u32)>,
    connected: u32,
    ended: bool,
}

struct Side {
    name: &'static str,
    ep: Endpoint,
    me: SocketAddr,
    peer: SocketAddr,
    assoc: Option<(AssociationHandle, Association)>,
    /// Packets this side sent that the network holds, with the source
    /// address a route lookup gives for their destination.
    wire: VecDeque<(SocketAddr, Vec<u8>)>,
    track: Track,
    /// Whether this host forgets an association as soon as it is CLOSED (as
    /// sctp-raw does) or keeps feeding it packets (the engine must ignore them).
    forget_closed: bool,
    /// Messages arriving in pieces (partial delivery), joined.
    pieces: PartialMessages,
}

impl Side {
    fn new(now: Instant, name: &'static str, me: SocketAddr, peer: SocketAddr, seed: u64) -> Self {
        let mut ep = Endpoint::new(
            EndpointConfig::default()
                .association(cfg())
                .rng_seed(seed)
                .cookie_secret([seed as u8; 32])
                .local_addresses(vec![me.ip(), second(me).ip()]),
            now,
        );
        ep.listen(me.port());
        let pieces = PartialMessages::new(usize::MAX);
        Self { name, ep, me, peer, assoc: None, wire: VecDeque::new(), track: Track::default(), forget_closed: false, pieces }
    }

    fn a(&mut self) -> Option<&mut Association> {
        self.assoc.as_mut().map(|(_, a)| a)
    }

    /// Moves what the association wants to send onto the wire, checking it.
    fn transmit(&mut self, now: Instant) {
        let mut buf = vec![0u8; 2048];
        let Some((_, a)) = &mut self.assoc else { return };
        for _ in 0..1000 {
            let Some(t) = a.poll_transmit(now, &mut buf) else { return };
            let to = t.destination;
            // Generated INIT ACKs and ASCONFs may list any address: it must
            // be one the association learnt, or (a reply to a packet's
            // source) one of the peer's.
            assert!(
                a.peer_addresses().any(|p| p == to)
                    || [self.peer, second(self.peer), third(self.peer)].contains(&to),
                "{} sent to {to}, not an address of the peer",
                self.name
            );
            // The source that pairs with the destination's subnet.
            let from = with_subnet(self.me, to.ip().to_string().split('.').nth(2).unwrap().parse().unwrap());
            assert!(t.size <= a.path_mtu(), "{} sent {} bytes over the path MTU {}", self.name, t.size, a.path_mtu());
            let p = buf[..t.size].to_vec();
            check_emitted(&p, self.me.port(), self.peer.port(), self.name);
            if self.wire.len() < 256 {
                self.wire.push_back((from, p));
            }
        }
        panic!("{}: poll_transmit never returned None", self.name);
    }

    fn receive(&mut self, now: Instant, p: &[u8]) {
        self.receive_from(now, self.peer, p);
    }

    fn receive_from(&mut self, now: Instant, from: SocketAddr, p: &[u8]) {
        if debug() {
            eprintln!("{} receives {:02x?}", self.name, p);
        }
        let mut buf = vec![0u8; 2048];
        // Section 9.1: a CLOSED association must handle nothing more
        // (fuzz/regressions/association/ has the bugs this found); hosts
        // that forget it at once take the endpoint's paths instead.
        if self.forget_closed
            && let Some((h, a)) = &self.assoc
            && a.is_closed()
        {
            self.ep.forget(*h);
        }
        let source = SocketAddr::new(from.ip(), self.peer.port());
        match self.ep.handle(now, source, self.me, p, &mut buf) {
            Some(DatagramEvent::Association(h)) => {
                if let Some((handle, a)) = &mut self.assoc {
                    assert_eq!(*handle, h, "{}: routed to an unknown association", self.name);
                    a.handle_packet_from(now, source, p);
                    while let Some(ev) = a.poll_endpoint_event() {
                        self.ep.handle_event(h, ev);
                    }
                }
            }
            Some(DatagramEvent::NewAssociation(h, a)) => {
                if self.assoc.as_ref().is_none_or(|(_, a)| a.is_closed()) {
                    if let Some((old, _)) = self.assoc.take() {
                        self.ep.forget(old);
                    }
                    self.assoc = Some((h, *a));
                    self.track = Track::default();
                }
            }
            Some(DatagramEvent::Response(t)) => {
                let r = buf[..t.size].to_vec();
                check_emitted(&r, self.me.port(), self.peer.port(), self.name);
                self.wire.push_back((self.me, r));
            }
            None => {}
        }
    }

    fn timeouts(&mut self, now: Instant) {
        if let Some(a) = self.a() {
            for _ in 0..64 {
                match a.poll_timeout() {
                    Some(t) if t <= now => a.handle_timeout(now),
                    _ => break,
                }
            }
        }
    }

    fn drain_events(&mut self) {
        let name = self.name;
        let Some((_, a)) = &mut self.assoc else { return };
        let inbound = a.inbound_streams();
        while let Some(ev) = a.poll_event() {
            if debug() {
                eprintln!("{name} event {ev:?} in {}", a.state());
            }
            match ev {
                Event::Message(m, info) => {
                    assert!(!m.payload.is_empty(), "{name}: empty message delivered");
                    assert!(m.stream_id < inbound, "{name}: message on stream {} of {inbound}", m.stream_id);
                    assert!(!self.track.ended, "{name}: message after the association ended");
                    let _ = self.pieces.push(m, info);
                }
                Event::PartialDeliveryAborted { stream_id, unordered, mid } => {
                    // Only a message handed up in part can be cut short.
                    assert!(
                        self.pieces.abort(stream_id, unordered, mid),
                        "{name}: partial delivery of stream {stream_id} MID {mid} aborted, never begun"
                    );
                }
                Event::Connected => {
                    self.track.connected += 1;
                    assert!(self.track.connected == 1, "{name}: Connected twice without restart");
                }
                Event::PeerRestarted => self.track.connected = 0,
                Event::Abandoned { message, context, .. } => {
                    // The whole message comes back (its length is its context).
                    assert_eq!(message.payload.len(), context as usize, "{name}: abandoned message cut");
                }
                Event::ShutdownComplete | Event::Closed(_) => {
                    // fuzz/regressions/association/abort-in-closed-*: an ABORT
                    // reaching a CLOSED association once queued a second Closed event.
                    assert!(!self.track.ended, "{name}: ended twice: {ev:?}");
                    self.track.ended = true;
                }
                _ => {}
            }
        }
    }

    fn check(&mut self) {
        let name = self.name;
        let Some((_, a)) = &mut self.assoc else { return };
        if let Err(e) = a.check_invariants() {
            panic!("{name} ({}): invariant broken: {e}", a.state());
        }
        let s = a.fuzz_snapshot();
        let tags = (s.local_vtag, s.peer_vtag, s.association_resets);
        if self.track.tags != Some(tags) {
            // A restart or the handshake changes the tags and resets the TSN
            // spaces; so does an association reset (RFC 6525 section 5.1.4).
            self.track.tags = Some(tags);
            self.track.cum_ack = None;
            self.track.peer_cum = None;
        }
        if let Some(prev) = self.track.cum_ack {
            assert!(s.cum_ack.distance(prev) >= 0, "{name}: cum ack went back from {prev:?} to {:?}", s.cum_ack);
        }
        if let Some(prev) = self.track.peer_cum {
            assert!(s.peer_cum_tsn.distance(prev) >= 0, "{name}: peer cum TSN went back from {prev:?} to {:?}", s.peer_cum_tsn);
        }
        self.track.cum_ack = Some(s.cum_ack);
        self.track.peer_cum = Some(s.peer_cum_tsn);
        let held = s.reassembly_bytes + s.undelivered_bytes;
        let bound = s.receive_window as usize + 64 * 1024;
        assert!(held <= bound, "{name}: {held} received bytes buffered, window {}", s.receive_window);
        assert!(s.events <= 100_000, "{name}: {} events queued", s.events);
        assert!(s.queued_control <= 10_000, "{name}: {} control chunks queued", s.queued_control);
    }
}

/// Set `FUZZ_DEBUG=1` to trace a reproducer's steps, packets and events.
fn debug() -> bool {
    static D: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *D.get_or_init(|| std::env::var_os("FUZZ_DEBUG").is_some())
}

struct World {
    now: Instant,
    a: Side,
    b: Side,
}

impl World {
    fn new() -> Self {
        let now = epoch();
        Self {
            now,
            a: Side::new(now, "A", a_addr(), b_addr(), 1),
            b: Side::new(now, "B", b_addr(), a_addr(), 2),
        }
    }

    fn settle(&mut self) {
        self.a.timeouts(self.now);
        self.b.timeouts(self.now);
        self.a.transmit(self.now);
        self.b.transmit(self.now);
        self.a.check();
        self.b.check();
    }

    fn a_to_b(&mut self) {
        while let Some((from, p)) = self.a.wire.pop_front() {
            self.b.receive_from(self.now, from, &p);
        }
    }
    fn b_to_a(&mut self) {
        while let Some((from, p)) = self.b.wire.pop_front() {
            self.a.receive_from(self.now, from, &p);
        }
    }
    fn exchange(&mut self) {
        for _ in 0..50 {
            self.settle();
            if self.a.wire.is_empty() && self.b.wire.is_empty() {
                break;
            }
            self.a_to_b();
            self.b_to_a();
        }
        self.settle();
    }

    fn send(side: &mut Side, len: usize) {
        if let Some(a) = side.a() {
            let _ = a.send(0, Ppid(51), Bytes::from(vec![0x5a; len]), false);
        }
    }

    /// Drives the pair to A in the chosen state.
    fn start(&mut self, which: u8) -> State {
        let now = self.now;
        let (h, a) = self.a.ep.connect(now, A_PORT, b_addr()).expect("connect");
        self.a.assoc = Some((h, a));
        self.a.forget_closed = which & 8 != 0;
        self.b.forget_closed = which & 8 != 0;
        let want = match which % 8 {
            0 => {
                self.a.a().unwrap().abort(Vec::new());
                self.settle();
                State::Closed
            }
            1 => {
                self.settle();
                State::CookieWait
            }
            2 => {
                self.settle();
                self.a_to_b();
                self.settle();
                self.b_to_a();
                self.settle();
                State::CookieEchoed
            }
            w => {
                self.exchange();
                self.a.drain_events();
                self.b.drain_events();
                match w {
                    3 => State::Established,
                    4 => {
                        Self::send(&mut self.a, 3000);
                        self.settle();
                        self.a.a().unwrap().shutdown(now);
                        self.settle();
                        State::ShutdownPending
                    }
                    5 => {
                        self.a.a().unwrap().shutdown(now);
                        self.settle();
                        State::ShutdownSent
                    }
                    6 => {
                        Self::send(&mut self.a, 3000);
                        self.settle();
                        self.b.a().unwrap().shutdown(now);
                        self.settle();
                        self.b_to_a();
                        self.settle();
                        State::ShutdownReceived
                    }
                    _ => {
                        self.b.a().unwrap().shutdown(now);
                        self.settle();
                        self.b_to_a();
                        self.settle();
                        State::ShutdownAckSent
                    }
                }
            }
        };
        let got = self.a.a().unwrap().state();
        assert_eq!(got, want, "the harness failed to reach {want}");
        want
    }

    fn ctx(&mut self) -> Ctx {
        let a = self.a.a().expect("A exists");
        let s = a.fuzz_snapshot();
        Ctx {
            our_cum_ack: s.cum_ack.0,
            next_data_tsn: s.peer_cum_tsn.0.wrapping_add(1),
            streams: a.inbound_streams(),
            reconfig_seqs: s.reconfig_seqs,
        }
    }

    /// The tag a packet to A starting with this chunk should carry.
    fn tag_for(&mut self, inp: &mut Input<'_>, ty: u8, flags: u8) -> u32 {
        let s = self.a.a().expect("A exists").fuzz_snapshot();
        let right = match ty {
            1 => 0,
            6 | 14 if flags & 1 != 0 => s.peer_vtag.0,
            _ => s.local_vtag.0,
        };
        match inp.u8() {
            0..=229 => right,
            230..=239 => 0,
            240..=247 => s.peer_vtag.0,
            _ => inp.u32(),
        }
    }

    fn step(&mut self, inp: &mut Input<'_>) {
        let op = inp.u8();
        if debug() {
            eprintln!("step op {} (A {:?})", op % 21, self.a.a().map(|a| a.state()));
        }
        match op % 21 {
            0..=3 => {
                // A generated packet of 1-3 well-formed chunks.
                let ctx = self.ctx();
                let mut chunks = Vec::new();
                let (ty, flags) = gen_chunk(inp, &ctx, &mut chunks);
                for _ in 0..inp.u8() % 3 {
                    gen_chunk(inp, &ctx, &mut chunks);
                }
                let tag = self.tag_for(inp, ty, flags);
                let p = packet(B_PORT, A_PORT, tag, &chunks);
                let from = self.peer_source(inp);
                self.a.receive_from(self.now, from, &p);
            }
            4 => {
                // Raw chunk bytes with a good header, tag and checksum.
                let n = inp.u16() as usize % 1500;
                let raw = inp.bytes(n).to_vec();
                let ty = raw.first().copied().unwrap_or(0);
                let flags = raw.get(1).copied().unwrap_or(0);
                let tag = self.tag_for(inp, ty, flags);
                let p = packet(B_PORT, A_PORT, tag, &raw);
                self.a.receive(self.now, &p);
            }
            5 | 6 => self.b_to_a(),
            7 | 8 => self.a_to_b(),
            9 => {
                if let Some((from, p)) = self.b.wire.pop_front() {
                    self.a.receive_from(self.now, from, &p);
                }
            }
            10 => match inp.u8() % 4 {
                0 => drop(self.b.wire.pop_front()),
                1 => drop(self.a.wire.pop_front()),
                2 => {
                    // Duplicate B's next packet.
                    if let Some((from, p)) = self.b.wire.front().cloned() {
                        self.a.receive_from(self.now, from, &p);
                    }
                }
                _ => {
                    if self.b.wire.len() >= 2 {
                        self.b.wire.swap(0, 1);
                    }
                }
            },
            11 | 12 => {
                // User send on A or B.
                let on_b = inp.u8() & 1 != 0;
                let side = if on_b { &mut self.b } else { &mut self.a };
                let sid = inp.u8() as u16 % 12;
                let len = match inp.u8() % 4 {
                    0 => inp.u8() as usize,
                    1 => inp.u16() as usize,
                    _ => inp.u16() as usize % 2000,
                };
                let unordered = inp.bool();
                // Partial reliability (RFC 7496): each policy, small values.
                let pr = match inp.u8() % 8 {
                    0 => PrPolicy::TimedReliability(Duration::from_millis(inp.u8() as u64 * 4)),
                    1 => PrPolicy::LimitedRetransmissions(u32::from(inp.u8() % 3)),
                    2 => PrPolicy::Priority(u16::from(inp.u8() % 4)),
                    _ => PrPolicy::Reliable,
                };
                let options = SendOptions::default().unordered(unordered).pr_policy(pr).context(len as u32);
                let now = self.now;
                if let Some(a) = side.a() {
                    let _ = a.send_with(now, sid, Ppid(inp.u8() as u32), Bytes::from(vec![0xa5; len]), &options);
                }
            }
            13 => {
                let now = self.now;
                let side = if inp.bool() { &mut self.b } else { &mut self.a };
                if let Some(a) = side.a() {
                    a.shutdown(now);
                }
            }
            14 => {
                if inp.u8() < 32 {
                    let side = if inp.bool() { &mut self.b } else { &mut self.a };
                    let cause = ErrorCause::user_initiated_abort(inp.bytes(8));
                    if let Some(a) = side.a() {
                        a.abort(vec![cause]);
                    }
                }
            }
            15 | 16 => {
                let ms = match inp.u8() % 4 {
                    0 => inp.u8() as u64,
                    1 => inp.u16() as u64,
                    _ => inp.u16() as u64 % 2000,
                };
                self.now += Duration::from_millis(ms);
            }
            17 | 18 => {
                // Expire the next timer of either side.
                let next = [self.a.a().and_then(|a| a.poll_timeout()), self.b.a().and_then(|a| a.poll_timeout())]
                    .into_iter()
                    .flatten()
                    .min();
                if let Some(t) = next {
                    self.now = self.now.max(t);
                }
            }
            19 => self.paths(inp),
            _ => {
                self.a.drain_events();
                self.b.drain_events();
            }
        }
        self.settle();
    }

    /// Where a generated packet to A comes from: one of B's addresses, mostly.
    fn peer_source(&mut self, inp: &mut Input<'_>) -> SocketAddr {
        match inp.u8() % 8 {
            0..=4 => b_addr(),
            5 | 6 => second(b_addr()),
            _ => third(b_addr()),
        }
    }

    /// Path and address management (RFC 9260 section 6.4, RFC 5061) and
    /// stream reconfiguration (RFC 6525).
    fn paths(&mut self, inp: &mut Input<'_>) {
        let now = self.now;
        let on_b = inp.bool();
        let side = if on_b { &mut self.b } else { &mut self.a };
        let (me, peer) = (side.me, side.peer);
        let Some(a) = side.a() else { return };
        let streams: Vec<u16> = (0..inp.u8() % 3).map(|_| inp.u8() as u16 % 12).collect();
        match inp.u8() % 10 {
            // Stream reconfiguration (RFC 6525).
            6 => drop(a.reset_streams(&streams)),
            7 => drop(a.request_incoming_reset(&streams)),
            8 => drop(a.reset_association()),
            9 => drop(a.add_streams(inp.u8() as u16 % 4, inp.u8() as u16 % 4)),
            0 => drop(a.add_local_address(now, third(me).ip())),
            1 => drop(a.remove_local_address(now, third(me).ip())),
            2 => drop(a.remove_local_address(now, me.ip())),
            3 => drop(a.set_primary(if inp.bool() { second(peer) } else { peer })),
            4 => drop(a.request_heartbeat_to(now, second(peer))),
            _ => drop(a.request_peer_primary(now, second(me).ip())),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut inp = Input::new(data);
    let mut w = World::new();
    w.start(inp.u8());
    let mut steps = 0;
    while !inp.is_empty() && steps < 2000 {
        w.step(&mut inp);
        steps += 1;
    }
    w.a.drain_events();
    w.b.drain_events();
});
