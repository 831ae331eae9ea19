//! Attack scenarios against a LIVE association: an established pair keeps
//! exchanging data over the simulated network while an attacker (or a
//! misbehaving peer) injects hand-built packets. Each test is named after the
//! RFC 9260 rule it checks.
//!
//! Heap is measured with a counting global allocator; the tests of this
//! binary take a lock so that no other test allocates during a measurement.

use std::alloc::System;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sctp_core::wire::cause::Cause;
use sctp_core::wire::chunk::{
    Abort, CookieEcho, Data, DataFlags, Init, Sack, Shutdown, ShutdownAck,
};
use sctp_core::wire::param::Param;
use sctp_core::wire::{Chunk, List, Packet, PacketBuilder};
use sctp_core::{
    AssociationConfig, CloseReason, DatagramEvent, Event, Ppid, Ssn, State, Tsn, VerificationTag,
};
use sctp_sim::{Host, Link, Network, SctpHost};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

static SERIAL: Mutex<()> = Mutex::new(());

/// One test at a time in this binary, so heap figures are ours alone.
fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Bytes of heap in use by the whole process now.
fn heap_in_use() -> isize {
    let s = GLOBAL.stats();
    // stats_alloc adds a realloc's growth to bytes_allocated (and its
    // shrinking to bytes_deallocated) already; bytes_reallocated repeats it.
    s.bytes_allocated as isize - s.bytes_deallocated as isize
}

/// Net heap growth (bytes) since `region` started.
fn heap_growth(region: &Region<'_, System>) -> isize {
    let c = region.change();
    // stats_alloc adds a realloc's growth to bytes_allocated (and its
    // shrinking to bytes_deallocated) already; bytes_reallocated repeats it.
    c.bytes_allocated as isize - c.bytes_deallocated as isize
}

const CLIENT: &str = "198.18.0.1:5000";
const SERVER: &str = "198.18.0.2:2905";
const LIMIT: Duration = Duration::from_secs(600);

fn fast_cfg() -> AssociationConfig {
    AssociationConfig::default()
        .rto_initial(Duration::from_millis(100))
        .rto_min(Duration::from_millis(50))
        .rto_max(Duration::from_secs(2))
        .hb_interval(Some(Duration::from_millis(500)))
        // The attacks forge DATA chunks; with I-DATA negotiated those are
        // protocol violations (RFC 8260 section 2.2) and end the test early.
        .interleaving(false)
}

/// A host that records every packet it receives and sends.
struct Tap {
    host: SctpHost,
    inbound: Vec<Vec<u8>>,
    outbound: Vec<Vec<u8>>,
}

impl Tap {
    fn new(host: SctpHost) -> Self {
        Self {
            host,
            inbound: Vec::new(),
            outbound: Vec::new(),
        }
    }
}

impl Host for Tap {
    fn ip(&self) -> IpAddr {
        self.host.ip()
    }
    fn handle(&mut self, now: Instant, from: IpAddr, packet: &[u8]) {
        self.inbound.push(packet.to_vec());
        self.host.handle(now, from, packet);
    }
    fn poll_transmit(&mut self, now: Instant) -> Vec<Vec<u8>> {
        let out = self.host.poll_transmit(now);
        self.outbound.extend(out.iter().cloned());
        out
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.host.poll_timeout()
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.host.handle_timeout(now);
    }
}

/// An established pair that has already exchanged `warmup` messages each way.
fn live_pair(seed: u64, cfg_a: AssociationConfig, cfg_b: AssociationConfig) -> (Network, Tap, Tap) {
    let mut net = Network::new(seed, Link::default(), Link::default());
    let a = SctpHost::client(net.now(), CLIENT, SERVER, cfg_a, seed * 2 + 1);
    let b = SctpHost::server(net.now(), SERVER, cfg_b, seed * 2 + 2);
    let (mut a, mut b) = (Tap::new(a), Tap::new(b));
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| a.host.connected() && b.host.connected(),
        LIMIT
    ));
    for i in 0..20u32 {
        a.host.send(1, 46, &i.to_be_bytes(), false).unwrap();
        b.host.send(1, 47, &i.to_be_bytes(), false).unwrap();
    }
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| a.host.received.len() == 20 && b.host.received.len() == 20,
        LIMIT
    ));
    // Let the last SACKs settle.
    net.run_until(&mut a, &mut b, |_, _| false, Duration::from_millis(500));
    (net, a, b)
}

fn encode(src: u16, dst: u16, vtag: u32, chunks: &[Chunk<'_>]) -> Vec<u8> {
    let mut buf = vec![0u8; 65_536];
    let mut b = PacketBuilder::new(&mut buf, src, dst, VerificationTag(vtag)).unwrap();
    for c in chunks {
        b.push(c).unwrap();
    }
    let n = b.finish();
    buf.truncate(n);
    buf
}

fn init_chunk(tag: u32) -> Chunk<'static> {
    Chunk::Init(Init {
        initiate_tag: VerificationTag(tag),
        a_rwnd: 65_536,
        num_outbound_streams: 10,
        num_inbound_streams: 10,
        initial_tsn: Tsn(tag.wrapping_mul(7)),
        params: Vec::new(),
    })
}

/// Runs `f` on each parsed chunk of `packet`.
fn for_chunks(packet: &[u8], mut f: impl FnMut(&Chunk<'_>)) {
    let p = Packet::new_checked(packet).expect("a packet");
    for raw in p.chunks() {
        if let Ok(c) = raw.unwrap().parse() {
            f(&c);
        }
    }
}

/// The highest DATA TSN among `packets`.
fn highest_data_tsn(packets: &[Vec<u8>]) -> Tsn {
    let mut best: Option<Tsn> = None;
    for p in packets {
        for_chunks(p, |c| {
            if let Chunk::Data(d) = c
                && best.is_none_or(|b| d.tsn.is_after(b))
            {
                best = Some(d.tsn);
            }
        });
    }
    best.expect("some DATA was seen")
}

/// The a_rwnd of every SACK in `packets`.
fn sack_windows(packets: &[Vec<u8>]) -> Vec<u32> {
    let mut v = Vec::new();
    for p in packets {
        for_chunks(p, |c| {
            if let Chunk::Sack(s) = c {
                v.push(s.a_rwnd);
            }
        });
    }
    v
}

fn closed_with_cause(h: &SctpHost, local: bool, code: u16) -> bool {
    h.saw(|e| match e {
        Event::Closed(CloseReason::LocalAbort(c)) if local => c.iter().any(|c| c.code.0 == code),
        Event::Closed(CloseReason::PeerAborted(c)) if !local => c.iter().any(|c| c.code.0 == code),
        _ => false,
    })
}

/// RFC 9260 section 5.1.3 and 5.1 B: an INIT is answered from the cookie
/// alone. 100,000 INITs from spoofed 198.18.0.0/15 sources create no state
/// (one association, flat heap), each gets its INIT ACK, and the established
/// association delivers everything meanwhile.
#[test]
fn rfc9260_5_1_3_init_flood_creates_no_state_and_live_association_keeps_flowing() {
    let _g = serial();
    let (mut net, mut a, mut b) = live_pair(1, fast_cfg(), fast_cfg());
    const MESSAGES: usize = 2_000;
    const INITS: u32 = 100_000;
    for i in 0..MESSAGES {
        a.host
            .send((i % 10) as u16, 46, &[i as u8; 300], false)
            .unwrap();
    }
    let before_received = b.host.received.len();
    let mut reply = vec![0u8; 1500];
    let mut init_acks = 0u32;
    let mut endpoint_growth = 0isize;
    let mut peak_endpoint_growth = 0isize;
    let heap_before = heap_in_use();
    let local: SocketAddr = SERVER.parse().unwrap();
    let flood_start = net.now();
    for i in 0..INITS {
        // 198.18.1.0 upwards: inside 198.18.0.0/15, clear of the live pair.
        let ip = Ipv4Addr::from(0xC612_0100u32 + i);
        assert!(u32::from(ip) < 0xC614_0000);
        let port = 1024 + (i % 60_000) as u16;
        let tag = i.wrapping_mul(2_654_435_761) | 1;
        let packet = encode(port, 2905, 0, &[init_chunk(tag)]);
        let src = SocketAddr::new(IpAddr::V4(ip), port);
        let r = Region::new(GLOBAL);
        let ev = b
            .host
            .endpoint
            .handle(net.now(), src, local, &packet, &mut reply);
        endpoint_growth += heap_growth(&r);
        peak_endpoint_growth = peak_endpoint_growth.max(endpoint_growth);
        let Some(DatagramEvent::Response(t)) = ev else {
            panic!("INIT {i} got no INIT ACK: {ev:?}");
        };
        let p = Packet::new_checked(&reply[..t.size]).unwrap();
        assert_eq!(p.verification_tag(), VerificationTag(tag));
        assert_eq!(p.dst_port(), port);
        assert_eq!(t.destination, src);
        for_chunks(&reply[..t.size], |c| {
            if matches!(c, Chunk::InitAck(_)) {
                init_acks += 1;
            }
        });
        assert_eq!(b.host.endpoint.association_count(), 1);
        // The live association runs interleaved with the flood.
        if i % 10 == 0 {
            net.step(&mut a, &mut b);
            b.outbound.clear();
            b.inbound.clear();
            a.outbound.clear();
            a.inbound.clear();
        }
    }
    let delivered_during = b.host.received.len() - before_received;
    let heap_after = heap_in_use();
    let total_growth = heap_after - heap_before;
    eprintln!(
        "INIT flood: {init_acks} INIT ACKs, endpoint heap growth {endpoint_growth} B \
         (peak {peak_endpoint_growth} B), process heap {heap_before} B before, \
         {heap_after} B after ({total_growth:+} B, the 2,000 delivered messages included), \
         {delivered_during}/{MESSAGES} messages delivered during the flood, \
         virtual time {:?}",
        net.now() - flood_start
    );
    assert_eq!(init_acks, INITS);
    assert_eq!(b.host.endpoint.association_count(), 1);
    // The allocator is process-wide: the other tests' threads allocate a few
    // KiB on start before they block on the lock. 64 KiB over 100,000 INITs
    // is under one byte each; any per-INIT state would be megabytes.
    assert!(
        endpoint_growth.abs() <= 64 * 1024 && peak_endpoint_growth <= 64 * 1024,
        "the endpoint kept state: {endpoint_growth} B (peak {peak_endpoint_growth} B)"
    );
    assert_eq!(delivered_during, MESSAGES, "the live association stalled");
    // The delivered messages (2,000 x 300 B) account for most of the growth.
    assert!(
        total_growth < 1024 * 1024,
        "process heap grew {total_growth} B"
    );
    assert_eq!(a.host.state(), State::Established);
    assert_eq!(b.host.state(), State::Established);
}

/// Asks the server endpoint for a genuine cookie, as a spoofed attacker.
fn fetch_cookie(b: &mut SctpHost, now: Instant, src: SocketAddr, tag: u32) -> (Vec<u8>, u32) {
    let mut reply = vec![0u8; 1500];
    let packet = encode(src.port(), 2905, 0, &[init_chunk(tag)]);
    let local: SocketAddr = SERVER.parse().unwrap();
    let Some(DatagramEvent::Response(t)) = b.endpoint.handle(now, src, local, &packet, &mut reply)
    else {
        panic!("no INIT ACK");
    };
    let mut cookie = None;
    let mut server_tag = 0;
    for_chunks(&reply[..t.size], |c| {
        if let Chunk::InitAck(ack) = c {
            server_tag = ack.initiate_tag.0;
            for p in &ack.params {
                if let Param::StateCookie(s) = p {
                    cookie = Some(s.cookie.to_vec());
                }
            }
        }
    });
    (cookie.expect("a state cookie"), server_tag)
}

/// RFC 9260 section 5.1.5: a COOKIE ECHO whose MAC does not verify (forged,
/// bit-flipped, or bound to another address) is silently discarded; an
/// authentic but expired one gets a Stale Cookie ERROR; none creates an
/// association. Table 5.2.4 (action D): a replayed COOKIE ECHO of the
/// existing association only gets a COOKIE ACK and disturbs nothing.
#[test]
fn rfc9260_5_1_5_forged_bitflipped_expired_and_replayed_cookies_never_make_an_association() {
    let _g = serial();
    let life = Duration::from_secs(3);
    let cfg = fast_cfg().valid_cookie_life(life);
    let (mut net, mut a, mut b) = live_pair(2, fast_cfg(), cfg);
    let local: SocketAddr = SERVER.parse().unwrap();
    let attacker: SocketAddr = "198.19.200.1:40000".parse().unwrap();
    let mut reply = vec![0u8; 1500];
    let mut echo = |b: &mut SctpHost, now, src: SocketAddr, vtag: u32, cookie: &[u8]| {
        let packet = encode(
            src.port(),
            2905,
            vtag,
            &[Chunk::CookieEcho(CookieEcho { cookie })],
        );
        match b.endpoint.handle(now, src, local, &packet, &mut reply) {
            None => None,
            Some(DatagramEvent::Response(t)) => Some(reply[..t.size].to_vec()),
            Some(other) => panic!("a forged cookie was accepted: {other:?}"),
        }
    };

    let (cookie, server_tag) = fetch_cookie(&mut b.host, net.now(), attacker, 0x1234_5678);
    // Forged: random bytes of the right length, and of other lengths.
    for len in [
        0usize,
        1,
        16,
        cookie.len() - 1,
        cookie.len(),
        cookie.len() + 1,
        512,
    ] {
        let forged: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
        assert_eq!(
            echo(&mut b.host, net.now(), attacker, server_tag, &forged),
            None
        );
    }
    // Bit-flipped: every bit of a genuine cookie, one at a time.
    for bit in 0..cookie.len() * 8 {
        let mut c = cookie.clone();
        c[bit / 8] ^= 1 << (bit % 8);
        assert_eq!(
            echo(&mut b.host, net.now(), attacker, server_tag, &c),
            None,
            "bit {bit} flipped was not discarded"
        );
    }
    // A genuine cookie from another address (stolen, replayed elsewhere).
    let thief: SocketAddr = "198.19.200.2:40000".parse().unwrap();
    assert_eq!(
        echo(&mut b.host, net.now(), thief, server_tag, &cookie),
        None
    );
    assert_eq!(b.host.endpoint.association_count(), 1);

    // Expired: the live association keeps running past Valid.Cookie.Life.
    let n = b.host.received.len();
    for i in 0..50u32 {
        a.host.send(2, 48, &i.to_be_bytes(), false).unwrap();
    }
    net.run_until(&mut a, &mut b, |_, _| false, life + Duration::from_secs(1));
    assert_eq!(b.host.received.len(), n + 50);
    let err =
        echo(&mut b.host, net.now(), attacker, server_tag, &cookie).expect("a Stale Cookie ERROR");
    let p = Packet::new_checked(&err[..]).unwrap();
    assert_eq!(p.verification_tag(), VerificationTag(0x1234_5678));
    let mut stale = None;
    for_chunks(&err, |c| {
        if let Chunk::Error(e) = c {
            for cause in &e.causes {
                if let Cause::StaleCookie(s) = cause {
                    stale = Some(s.staleness_us);
                }
            }
        }
    });
    let stale = stale.expect("the ERROR carries a Stale Cookie cause");
    assert!(stale > 0, "staleness {stale} us");
    assert_eq!(b.host.endpoint.association_count(), 1);

    // Replay of the live association's own COOKIE ECHO, from its peer's address.
    let original = a
        .outbound
        .iter()
        .find(|p| {
            let mut is_echo = false;
            for_chunks(p, |c| is_echo |= matches!(c, Chunk::CookieEcho(_)));
            is_echo
        })
        .expect("the client's COOKIE ECHO was recorded")
        .clone();
    let tag_before = b.host.association().local_verification_tag();
    let events_before = b.host.events.len();
    let a_ip = a.ip();
    for _ in 0..5 {
        b.handle(net.now(), a_ip, &original);
    }
    assert_eq!(b.host.state(), State::Established);
    assert_eq!(b.host.association().local_verification_tag(), tag_before);
    assert_eq!(
        b.host.events.len(),
        events_before,
        "{:?}",
        &b.host.events[events_before..]
    );
    assert_eq!(b.host.endpoint.association_count(), 1);
    // Data keeps flowing both ways afterwards.
    let (na, nb) = (a.host.received.len(), b.host.received.len());
    for i in 0..30u32 {
        a.host.send(3, 49, &i.to_be_bytes(), false).unwrap();
        b.host.send(3, 50, &i.to_be_bytes(), false).unwrap();
    }
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| a.host.received.len() == na + 30 && b.host.received.len() == nb + 30,
        LIMIT
    ));
    assert!(
        !a.host
            .saw(|e| matches!(e, Event::Closed(_) | Event::PeerRestarted))
    );
    assert!(
        !b.host
            .saw(|e| matches!(e, Event::Closed(_) | Event::PeerRestarted))
    );
}

/// RFC 9260 section 8.5 and 8.5.1: packets whose verification tag is not
/// ours (ABORT and SHUTDOWN COMPLETE: nor the peer's with the T bit) are
/// silently discarded: blind ABORT, SHUTDOWN, DATA and SACK change nothing.
#[test]
fn rfc9260_8_5_blind_abort_shutdown_data_and_sack_with_wrong_tag_are_ignored() {
    let _g = serial();
    let (mut net, mut a, mut b) = live_pair(3, fast_cfg(), fast_cfg());
    let good = b.host.association().local_verification_tag().0;
    let peer = a.host.association().local_verification_tag().0;
    let next_tsn = highest_data_tsn(&b.inbound).add(1);
    let a_ip = a.ip();
    let (na, nb) = (a.host.received.len(), b.host.received.len());
    let events_before = b.host.events.len();
    // Keep data flowing while the attack goes on.
    for i in 0..200u32 {
        a.host
            .send((i % 4) as u16, 46, &[i as u8; 500], false)
            .unwrap();
        b.host
            .send((i % 4) as u16, 47, &[i as u8; 500], false)
            .unwrap();
    }
    let mut wrong_tags: Vec<u32> = (0..32).map(|i| good ^ (1 << i)).collect();
    wrong_tags.extend([0, peer ^ 1, 0xffff_ffff]);
    wrong_tags.retain(|t| *t != good);
    for (round, &tag) in wrong_tags.iter().enumerate() {
        let blind: Vec<Vec<u8>> = vec![
            encode(
                5000,
                2905,
                tag,
                &[Chunk::Abort(Abort {
                    t_bit: false,
                    causes: vec![],
                })],
            ),
            encode(
                5000,
                2905,
                tag,
                &[Chunk::Abort(Abort {
                    t_bit: true,
                    causes: vec![],
                })],
            ),
            encode(
                5000,
                2905,
                tag,
                &[Chunk::Shutdown(Shutdown {
                    cumulative_tsn_ack: Tsn(0),
                })],
            ),
            encode(5000, 2905, tag, &[Chunk::ShutdownAck(ShutdownAck)]),
            encode(
                5000,
                2905,
                tag,
                &[Chunk::Data(Data {
                    flags: DataFlags::COMPLETE,
                    tsn: next_tsn.add(round as u32),
                    stream_id: 0,
                    ssn: Ssn(0),
                    ppid: Ppid(666),
                    payload: b"injected",
                })],
            ),
            encode(
                5000,
                2905,
                tag,
                &[Chunk::Sack(Sack {
                    cumulative_tsn_ack: Tsn(0x7fff_0000),
                    a_rwnd: 0,
                    gap_ack_blocks: List::EMPTY,
                    duplicate_tsns: List::EMPTY,
                })],
            ),
        ];
        for p in &blind {
            b.handle(net.now(), a_ip, p);
        }
        assert_eq!(b.host.state(), State::Established, "tag {tag:#x}");
        // Let the live traffic go on between rounds.
        for _ in 0..20 {
            net.step(&mut a, &mut b);
        }
    }
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| a.host.received.len() == na + 200 && b.host.received.len() == nb + 200,
        LIMIT
    ));
    assert!(b.host.received.iter().all(|m| m.ppid != Ppid(666)));
    assert!(!b.host.events[events_before..].iter().any(|e| matches!(
        e,
        Event::Closed(_) | Event::ShutdownReceived | Event::PeerRestarted
    )));
    assert_eq!(a.host.state(), State::Established);
    assert_eq!(b.host.state(), State::Established);
}

/// RFC 9260 section 6.2.1: a SACK whose Cumulative TSN Ack covers a TSN never
/// sent is a protocol violation; the engine aborts with a Protocol Violation
/// cause (section 3.3.10.13). Nothing is lost silently: every message either
/// reached the peer or comes back as a send failure.
#[test]
fn rfc9260_6_2_1_sack_for_never_sent_tsn_aborts_with_protocol_violation() {
    let _g = serial();
    let (mut net, mut a, mut b) = live_pair(4, fast_cfg(), fast_cfg());
    let highest = highest_data_tsn(&b.inbound);
    let tag = a.host.association().local_verification_tag().0;
    const N: u32 = 40;
    for i in 0..N {
        a.host.send(0, 1000 + i, &[i as u8; 800], false).unwrap();
    }
    // Put the data in flight, then forge the SACK before any real one returns.
    net.step(&mut a, &mut b);
    assert!(a.host.association().buffered_amount() > 0 || !a.outbound.is_empty());
    let forged = encode(
        2905,
        5000,
        tag,
        &[Chunk::Sack(Sack {
            cumulative_tsn_ack: highest.add(10_000),
            a_rwnd: 1 << 20,
            gap_ack_blocks: List::EMPTY,
            duplicate_tsns: List::EMPTY,
        })],
    );
    let b_ip = b.ip();
    a.handle(net.now(), b_ip, &forged);
    net.run_until(&mut a, &mut b, |_, _| false, Duration::from_secs(10));
    // Protocol Violation is cause 13.
    assert!(closed_with_cause(&a.host, true, 13), "{:?}", a.host.events);
    assert!(closed_with_cause(&b.host, false, 13), "{:?}", b.host.events);
    assert_eq!(a.host.state(), State::Closed);
    assert_eq!(b.host.state(), State::Closed);
    for i in 0..N {
        let ppid = Ppid(1000 + i);
        let arrived = b.host.received.iter().any(|m| m.ppid == ppid);
        let reported = a
            .host
            .saw(|e| matches!(e, Event::SendFailed { message, .. } if message.ppid == ppid));
        assert!(arrived || reported, "message {i} lost silently");
    }
}

/// Feeds `chunks` from the peer's address with the right tag straight into
/// `b`, returning the packets `b` sent in answer (which never reach the real
/// peer: their SACKs cover TSNs it never sent).
fn inject_raw(b: &mut Tap, now: Instant, from: IpAddr, chunks: &[Chunk<'_>]) -> Vec<Vec<u8>> {
    let tag = b.host.association().local_verification_tag().0;
    let p = encode(5000, 2905, tag, chunks);
    // Straight to the host: the tap would keep a copy of every packet.
    b.host.handle(now, from, &p);
    b.host.poll_transmit(now)
}

fn fragment<'a>(
    tsn: Tsn,
    stream: u16,
    ssn: u16,
    ppid: u32,
    b: bool,
    e: bool,
    payload: &'a [u8],
) -> Chunk<'a> {
    Chunk::Data(Data {
        flags: DataFlags {
            immediate: true,
            unordered: false,
            beginning: b,
            ending: e,
        },
        tsn,
        stream_id: stream,
        ssn: Ssn(ssn),
        ppid: Ppid(ppid),
        payload,
    })
}

/// RFC 9260 section 6.2 and 6.9: fragments that never end (B without E),
/// huge PPID-mixed fragments and far-ahead fragments leaving gaps never
/// filled are held only within the advertised receive window; once a_rwnd is
/// 0, DATA beyond the highest TSN received is dropped. The bytes accepted
/// (from the SACKs' cumulative TSN and a_rwnd) and the heap stay bounded,
/// and the association survives.
#[test]
fn rfc9260_6_9_endless_fragments_and_unfilled_gaps_stay_within_the_receive_window() {
    let _g = serial();
    const WINDOW: u32 = 64 * 1024;
    let cfg_b = fast_cfg().receive_window(WINDOW);
    let (net, a, mut b) = live_pair(5, fast_cfg(), cfg_b);
    let now = net.now();
    let from = a.ip();
    let base = highest_data_tsn(&b.inbound).add(1);
    let big = vec![0xabu8; 1400];
    let region = Region::new(GLOBAL);
    let mut sacks = 0usize;
    let mut min_window = u32::MAX;
    let mut cum = base.prev();
    let mut feed = |b: &mut Tap, chunk: Chunk<'_>| {
        for p in inject_raw(b, now, from, &[chunk]) {
            for_chunks(&p, |c| {
                if let Chunk::Sack(s) = c {
                    sacks += 1;
                    min_window = min_window.min(s.a_rwnd);
                    if s.cumulative_tsn_ack.is_after(cum) {
                        cum = s.cumulative_tsn_ack;
                    }
                }
            });
        }
    };
    // 1. One message that never ends: B, then 20,000 middle fragments (28 MB),
    //    with a different PPID on every fragment.
    for k in 0..20_000u32 {
        feed(
            &mut b,
            fragment(base.add(k), 0, 100, k, k == 0, false, &big),
        );
    }
    // 2. Gaps never filled: every other TSN far ahead, on 50 streams.
    let far = base.add(30_000);
    for k in 0..10_000u32 {
        feed(
            &mut b,
            fragment(far.add(2 * k), (k % 50) as u16, 7, !k, true, false, &big),
        );
    }
    let growth = heap_growth(&region);
    let accepted = cum.distance(base.prev()) as usize;
    eprintln!(
        "reassembly abuse: 30,000 fragments (42 MB) offered, {accepted} accepted \
         ({} B, window {WINDOW}), {sacks} SACKs, lowest a_rwnd {min_window}, heap growth {growth} B",
        accepted * big.len()
    );
    assert!(sacks > 0);
    assert_eq!(min_window, 0, "the window closed");
    // At most one chunk past the window (the one that closed it).
    assert!(
        accepted * big.len() <= WINDOW as usize + big.len(),
        "{accepted} chunks held"
    );
    // Payload copies plus per-chunk bookkeeping: well under a few windows.
    assert!(growth < 4 * WINDOW as isize, "heap grew {growth} B");
    // The association is still there; the peer only wasted its own effort.
    assert_eq!(b.host.state(), State::Established);
}

/// RFC 9260 section 6.9 and 3.3.10.4: a peer that pushes more than
/// max_reassembly_bytes of unfinished messages (here below the window) gets
/// an ABORT with Out of Resource.
#[test]
fn rfc9260_3_3_10_4_reassembly_beyond_the_bound_aborts_with_out_of_resource() {
    let _g = serial();
    const BOUND: usize = 32 * 1024;
    let cfg_b = fast_cfg()
        .receive_window(1024 * 1024)
        .max_reassembly_bytes(BOUND);
    let (net, mut a, mut b) = live_pair(6, fast_cfg(), cfg_b);
    let now = net.now();
    let from = a.ip();
    let base = highest_data_tsn(&b.inbound).add(1);
    let big = vec![0x5au8; 1400];
    let mut sent = 0usize;
    let mut abort = None;
    for k in 0..1_000u32 {
        let out = inject_raw(
            &mut b,
            now,
            from,
            &[fragment(
                base.add(k),
                (k % 3) as u16,
                9,
                k,
                k < 3,
                false,
                &big,
            )],
        );
        sent += big.len();
        abort = out.into_iter().find(|p| {
            let mut is_abort = false;
            for_chunks(p, |c| is_abort |= matches!(c, Chunk::Abort(_)));
            is_abort
        });
        if b.host.state() == State::Closed {
            break;
        }
    }
    eprintln!("out of resource after {sent} bytes of fragments (bound {BOUND})");
    assert_eq!(b.host.state(), State::Closed);
    assert!(sent <= BOUND + 2 * big.len());
    // Out of Resource is cause 4; the real peer hears it.
    assert!(closed_with_cause(&b.host, true, 4), "{:?}", b.host.events);
    // Only the ABORT goes to the real peer (the SACKs cover TSNs it never sent).
    let abort = abort.expect("an ABORT was sent");
    a.handle(now, b.ip(), &abort);
    assert_eq!(a.host.state(), State::Closed);
    assert!(closed_with_cause(&a.host, false, 4), "{:?}", a.host.events);
}

/// RFC 9260 section 6.2: with the window closed, DATA beyond the highest TSN
/// received is dropped, and a new chunk below it takes the place of the
/// highest chunk held for reassembly (which is reneged: it leaves the gap
/// blocks). A peer that opens a far hole and then fills it with a message
/// that never ends gets no further than the window: memory stays at the
/// window, nothing is aborted, and the association stays up.
#[test]
fn rfc9260_6_2_at_zero_window_a_lower_tsn_replaces_the_highest_held_fragment() {
    let _g = serial();
    const WINDOW: u32 = 64 * 1024;
    const BOUND: usize = 256 * 1024;
    let cfg_b = fast_cfg()
        .receive_window(WINDOW)
        .max_reassembly_bytes(BOUND);
    let (net, a, mut b) = live_pair(9, fast_cfg(), cfg_b);
    let now = net.now();
    let from = a.ip();
    let base = highest_data_tsn(&b.inbound).add(1);
    let far = base.add(60_000);
    let big = vec![0xc3u8; 1400];
    let region = Region::new(GLOBAL);
    let far_offset = far.distance(base.prev()) as u16;
    // Only the latest SACK is kept, so that the heap measured is the receiver's.
    /// Cumulative TSN ack, a_rwnd and gap blocks of a SACK.
    type SackSeen = (Tsn, u32, Vec<(u16, u16)>);
    let mut last: Option<SackSeen> = None;
    let mut far_reported = false;
    let mut note = |out: Vec<Vec<u8>>| {
        for p in out {
            for_chunks(&p, |c| {
                if let Chunk::Sack(s) = c {
                    let gaps: Vec<_> = s.gap_ack_blocks.iter().map(|g| (g.start, g.end)).collect();
                    far_reported |= gaps
                        .iter()
                        .any(|&(s, e)| s <= far_offset && far_offset <= e);
                    last = Some((s.cumulative_tsn_ack, s.a_rwnd, gaps));
                }
            });
        }
    };
    // The far fragment opens a hole of 60,000 TSNs.
    note(inject_raw(
        &mut b,
        now,
        from,
        &[fragment(far, 9, 1, 0xdead, true, false, &big)],
    ));
    let mut peak = 0isize;
    let mut sent = big.len();
    for k in 0..2_000u32 {
        // One message that never ends, with a different PPID on every fragment.
        note(inject_raw(
            &mut b,
            now,
            from,
            &[fragment(
                base.add(k),
                0,
                3,
                k.wrapping_mul(97),
                k == 0,
                false,
                &big,
            )],
        ));
        sent += big.len();
        peak = peak.max(heap_growth(&region));
    }
    let (cum, a_rwnd, gaps) = last.expect("SACKs");
    let accepted = cum.distance(base.prev()) as usize;
    eprintln!(
        "hole filling at zero window: {sent} B offered, {accepted} chunks ({} B) held \
         (window {WINDOW}), last SACK a_rwnd {a_rwnd} gaps {gaps:?}, peak heap growth {peak} B",
        accepted * big.len()
    );
    // The far chunk was reported, then reneged when the window closed.
    assert!(far_reported, "the far fragment was never gap-acked");
    assert!(
        gaps.is_empty(),
        "the far fragment is still reported: {gaps:?}"
    );
    assert_eq!(a_rwnd, 0, "the window stays closed");
    // Held: the window, plus at most the one chunk that closed it.
    assert!(
        accepted * big.len() <= WINDOW as usize + big.len(),
        "{accepted} chunks held"
    );
    assert!(peak < 2 * WINDOW as isize, "heap peaked at {peak} B");
    // Never near the reassembly bound: no Out of Resource, the association stays.
    assert_eq!(b.host.state(), State::Established);
    assert!(!closed_with_cause(&b.host, true, 4));
}
/// RFC 9260 section 6.2 and 3.3.10.4: huge fragments (60,000-byte DATA
/// chunks, each larger than the whole receive window, a new PPID on each,
/// never ending) are held one at a time: the window closes after the first
/// and every later one lies beyond the highest TSN, so it is dropped. With a
/// reassembly bound smaller than one such chunk, the first one already
/// aborts the association with Out of Resource.
#[test]
fn rfc9260_6_2_huge_ppid_mixed_fragments_hold_at_most_one_chunk_past_the_window() {
    let _g = serial();
    const WINDOW: u32 = 32 * 1024;
    const HUGE: usize = 60_000;
    let huge = vec![0x77u8; HUGE];
    for bound in [256 * 1024, 48 * 1024] {
        let cfg_b = fast_cfg()
            .receive_window(WINDOW)
            .max_reassembly_bytes(bound);
        let (net, mut a, mut b) = live_pair(11, fast_cfg(), cfg_b);
        let now = net.now();
        let from = a.ip();
        let base = highest_data_tsn(&b.inbound).add(1);
        let region = Region::new(GLOBAL);
        let mut peak = 0isize;
        let (mut cum, mut abort) = (base.prev(), None);
        for k in 0..200u32 {
            let out = inject_raw(
                &mut b,
                now,
                from,
                &[fragment(
                    base.add(k),
                    0,
                    1,
                    k.wrapping_mul(0x9e37),
                    k == 0,
                    false,
                    &huge,
                )],
            );
            peak = peak.max(heap_growth(&region));
            for p in out {
                for_chunks(&p, |c| match c {
                    Chunk::Sack(s) if s.cumulative_tsn_ack.is_after(cum) => {
                        cum = s.cumulative_tsn_ack;
                    }
                    Chunk::Abort(_) => abort = Some(p.clone()),
                    _ => {}
                });
            }
            if b.host.state() == State::Closed {
                break;
            }
        }
        let held = cum.distance(base.prev()) as usize;
        eprintln!(
            "huge fragments, bound {bound}: 200 x {HUGE} B offered, {held} held, \
             peak heap growth {peak} B, state {:?}",
            b.host.state()
        );
        if bound > HUGE {
            // The first chunk closed the window; all later ones were beyond it.
            assert_eq!(held, 1);
            assert_eq!(b.host.state(), State::Established);
            assert!(
                peak < (bound as isize).min(4 * HUGE as isize),
                "heap peaked at {peak} B"
            );
        } else {
            assert_eq!(b.host.state(), State::Closed);
            assert!(closed_with_cause(&b.host, true, 4), "{:?}", b.host.events);
            a.handle(now, b.ip(), &abort.expect("an ABORT was sent"));
            assert!(closed_with_cause(&a.host, false, 4), "{:?}", a.host.events);
        }
    }
}

/// RFC 9260 section 6.1 A: a receiver that never reads holds its window at
/// zero; the sender keeps one probe in flight and backs its timer off, and
/// unanswered probes do not fail the association while SACKs keep coming.
/// Reading again delivers everything.
#[test]
fn rfc9260_6_1_zero_window_held_forever_is_probed_with_backoff_not_failed() {
    let _g = serial();
    const WINDOW: u32 = 16 * 1024;
    let cfg_b = fast_cfg().receive_window(WINDOW);
    let (mut net, mut a, mut b) = live_pair(7, fast_cfg(), cfg_b);
    let delivered_before = b.host.received.len();
    b.host.reading = false;
    const N: usize = 200;
    for i in 0..N {
        a.host.send(0, i as u32, &[i as u8; 1000], false).unwrap();
    }
    // Let the window fill up.
    net.run_until(&mut a, &mut b, |_, _| false, Duration::from_secs(5));
    let held = Duration::from_secs(3600);
    let (a_before, b_before) = (a.outbound.len(), b.outbound.len());
    let start = net.now();
    net.run_until(&mut a, &mut b, |_, _| false, held);
    let a_sent = a.outbound.len() - a_before;
    let b_sent = b.outbound.len() - b_before;
    let windows = sack_windows(&b.outbound[b_before..]);
    let probes = a.outbound[a_before..]
        .iter()
        .filter(|p| {
            let mut data = false;
            for_chunks(p, |c| data |= matches!(c, Chunk::Data(_)));
            data
        })
        .count();
    eprintln!(
        "zero window held {:?}: sender sent {a_sent} packets ({probes} DATA probes), \
         receiver {b_sent} ({} SACKs)",
        net.now() - start,
        windows.len()
    );
    assert!(
        windows.iter().all(|&w| w < 1500),
        "the window stayed closed: {windows:?}"
    );
    assert_eq!(a.host.state(), State::Established);
    assert!(!a.host.saw(|e| matches!(e, Event::Closed(_))));
    // Probes back off to RTO.max (2 s): at most one DATA packet per RTO.max.
    let rto_max = 2;
    let probe_bound = held.as_secs() as usize / rto_max + 10;
    assert!(
        probes <= probe_bound,
        "sender busy-looped: {probes} probes in {held:?}"
    );
    assert!(
        probes >= probe_bound / 2,
        "the sender stopped probing: {probes}"
    );
    // The rest are HEARTBEAT ACKs for the receiver's heartbeats (its path is
    // idle), each at least HB.interval (500 ms) apart.
    let hb_bound = held.as_millis() as usize / 500 + 10;
    assert!(a_sent - probes <= hb_bound, "{a_sent} packets in {held:?}");
    assert!(
        b_sent <= hb_bound + probe_bound,
        "receiver busy-looped: {b_sent} packets in {held:?}"
    );
    // The application reads again: everything arrives.
    b.host.reading = true;
    assert!(net.run_until(
        &mut a,
        &mut b,
        |_, b| b.host.received.len() == delivered_before + N,
        LIMIT
    ));
}

/// RFC 9260 section 8.1: a peer that stops acknowledging is declared
/// unreachable after Association.Max.Retrans consecutive T3-rtx expiries,
/// with exponential backoff (section 6.3.3 E2) rather than a busy loop, and
/// the unacknowledged messages come back as send failures.
#[test]
fn rfc9260_8_1_silent_peer_is_reported_lost_after_assoc_max_retrans() {
    let _g = serial();
    const MAX_RETRANS: u32 = 5;
    let cfg = fast_cfg()
        .assoc_max_retrans(MAX_RETRANS)
        .path_max_retrans(3);
    let (mut net, mut a, mut b) = live_pair(8, cfg.clone(), cfg);
    // The peer goes silent: everything it sends is lost.
    net.set_links(
        Link::default(),
        Link {
            loss: 1.0,
            ..Link::default()
        },
    );
    let start = net.now();
    let before = a.outbound.len();
    for i in 0..10u32 {
        a.host.send(0, 2000 + i, &[1; 600], false).unwrap();
    }
    let lost = |h: &SctpHost| h.saw(|e| matches!(e, Event::Closed(CloseReason::CommunicationLost)));
    assert!(net.run_until(&mut a, &mut b, |a, _| lost(&a.host), LIMIT));
    let took = net.now() - start;
    let a_sent = a.outbound.len() - before;
    eprintln!("silent peer: communication lost after {took:?}, {a_sent} packets sent");
    // The RTO is at least RTO.Min (50 ms) and doubles at each expiry
    // (capped at 2 s): 0.05+0.1+0.2+0.4+0.8 = 1.55 s at the least.
    assert!(took >= Duration::from_millis(1_500), "{took:?}");
    assert!(took <= Duration::from_secs(15), "{took:?}");
    assert!(
        a_sent <= 10 * (MAX_RETRANS as usize + 2),
        "{a_sent} packets"
    );
    assert_eq!(a.host.state(), State::Closed);
    assert!(a.host.saw(|e| matches!(
        e,
        Event::PathChange {
            change: sctp_core::PathChange::Unreachable,
            ..
        }
    )));
    for i in 0..10u32 {
        let ppid = Ppid(2000 + i);
        assert!(
            b.host.received.iter().any(|m| m.ppid == ppid)
                || a.host.saw(
                    |e| matches!(e, Event::SendFailed { message, .. } if message.ppid == ppid)
                ),
            "message {i} lost silently"
        );
    }
}
