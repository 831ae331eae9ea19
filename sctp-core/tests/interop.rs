//! Interoperability with SCTP stacks we did not write, over the simulator:
//! `sctp-proto` (webrtc-rs / str0m) and `dcsctp` (WebRTC's dcSCTP), each as
//! client and as server, on lossy links (loss, duplication, reordering,
//! jitter). Only bare SCTP packets cross the simulated network.
//!
//! Each bulk test moves 10 MB each way over several ordered and unordered
//! streams, in telecom-sized messages (100, 1,200 and 8,000 bytes), checks
//! that every message arrived exactly once, intact, and in order on ordered
//! streams, and ends in a graceful shutdown seen by both sides. The abort
//! tests check that an ABORT from either side is seen by the other.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use sctp_core::wire::{Chunk, Packet};
use sctp_core::{AssociationConfig, CloseReason, ErrorCause, Event, Message, SendError, State};
use sctp_sim::peers::{DcsctpHost, ProtoHost, ProtoSendError, Tap, chunk_type, dcsctp_lib};
use sctp_sim::{Host, Link, Network, SctpHost};

const OURS: &str = "198.18.0.1:2905";
const THEIRS: &str = "198.18.0.2:5000";
const OUR_PORT: u16 = 2905;

/// Bytes each side sends in a bulk test.
const BULK: usize = 10 * 1024 * 1024;
/// Message sizes, cycled: small signalling, MTU-sized, and fragmented.
const SIZES: [usize; 7] = [100, 1200, 8000, 1200, 100, 8000, 1200];
/// Streams used; even ones carry ordered messages, odd ones unordered.
const STREAMS: u16 = 6;
/// Header of every test message: index, per-stream sequence, size, checksum.
const HEADER: usize = 16;

const SETUP_LIMIT: Duration = Duration::from_secs(120);
const BULK_LIMIT: Duration = Duration::from_secs(3600);
const CLOSE_LIMIT: Duration = Duration::from_secs(300);

/// A stack under test, as the tests drive it.
trait Peer: Host + Sized {
    /// Its name in messages.
    const NAME: &'static str;
    /// PPIDs to send (the stack may not carry arbitrary ones).
    const PPIDS: &'static [u32];
    fn client(now: Instant, seed: u64) -> Self;
    fn server(now: Instant, seed: u64) -> Self;
    /// Queues a message at `now`: `Ok(false)` when the send buffer is full for now.
    fn try_send(
        &mut self,
        now: Instant,
        stream: u16,
        ppid: u32,
        data: &[u8],
        unordered: bool,
    ) -> Result<bool, String>;
    fn received(&self) -> &[Message];
    fn connected(&self) -> bool;
    fn shutdown(&mut self, now: Instant);
    fn abort(&mut self, now: Instant);
    fn saw_shutdown_complete(&self) -> bool;
    fn saw_abort(&self) -> bool;
    /// Problems the stack reported without ending the association.
    fn warnings(&self) -> Vec<String>;
    /// The abort reason the stack reports, if it reports one.
    fn abort_reason(&self) -> Option<String>;
    /// Events and recent packets, for a failure message.
    fn report(&self) -> String;
}

impl Peer for ProtoHost {
    const NAME: &'static str = "sctp-proto";
    // sctp-proto only carries the WebRTC PPIDs (any other is sent as 58).
    const PPIDS: &'static [u32] = &[53, 51];

    fn client(now: Instant, seed: u64) -> Self {
        Self::client(now, THEIRS, OURS, seed)
    }

    fn server(now: Instant, seed: u64) -> Self {
        Self::server(now, THEIRS, seed)
    }

    fn try_send(
        &mut self,
        _now: Instant,
        stream: u16,
        ppid: u32,
        data: &[u8],
        unordered: bool,
    ) -> Result<bool, String> {
        match self.send(stream, ppid, data, unordered) {
            Ok(()) => Ok(true),
            Err(ProtoSendError::BufferFull) => Ok(false),
            Err(e) => Err(format!("{e:?}")),
        }
    }

    fn received(&self) -> &[Message] {
        &self.received
    }

    fn connected(&self) -> bool {
        self.connected()
    }

    // sctp-proto starts its timers in poll_transmit, with the time given there.
    fn shutdown(&mut self, _now: Instant) {
        self.shutdown()
            .expect("sctp-proto accepts SHUTDOWN when established");
    }

    fn abort(&mut self, _now: Instant) {
        self.abort(b"maintenance");
    }

    fn saw_shutdown_complete(&self) -> bool {
        self.saw_shutdown_complete()
    }

    fn saw_abort(&self) -> bool {
        self.saw_abort()
    }

    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }

    // sctp-proto reports no causes: AssociationLost(AssociationClosed).
    fn abort_reason(&self) -> Option<String> {
        None
    }

    fn report(&self) -> String {
        format!(
            "sctp-proto events: {:?}\nsctp-proto packets (last {}):\n{}",
            self.events,
            256,
            self.log.dump()
        )
    }
}

impl Peer for DcsctpHost {
    const NAME: &'static str = "dcsctp";
    // Diameter, NGAP, M3UA.
    const PPIDS: &'static [u32] = &[46, 60, 3];

    fn client(now: Instant, seed: u64) -> Self {
        Self::client(now, THEIRS, OURS, seed)
    }

    fn server(now: Instant, seed: u64) -> Self {
        Self::server(now, THEIRS, OUR_PORT, seed)
    }

    fn try_send(
        &mut self,
        now: Instant,
        stream: u16,
        ppid: u32,
        data: &[u8],
        unordered: bool,
    ) -> Result<bool, String> {
        match self.send(now, stream, ppid, data, unordered) {
            Ok(()) => Ok(true),
            Err(dcsctp_lib::api::SendError::ResourceExhaustion) => Ok(false),
            Err(e) => Err(format!("{e:?}")),
        }
    }

    fn received(&self) -> &[Message] {
        &self.received
    }

    fn connected(&self) -> bool {
        self.connected()
    }

    fn shutdown(&mut self, now: Instant) {
        self.shutdown(now);
    }

    fn abort(&mut self, now: Instant) {
        self.abort(now);
    }

    fn saw_shutdown_complete(&self) -> bool {
        self.saw_shutdown_complete()
    }

    fn saw_abort(&self) -> bool {
        self.saw_abort()
    }

    // A packet that crosses the SHUTDOWN COMPLETE arrives at a closed socket
    // (tag 0 expected): a race of the end of the association, not a fault.
    fn warnings(&self) -> Vec<String> {
        self.errors()
            .into_iter()
            .filter(|(_, why)| !why.ends_with("expected 00000000"))
            .map(|(kind, why)| format!("{kind:?}: {why}"))
            .collect()
    }

    fn abort_reason(&self) -> Option<String> {
        self.aborted().map(|(_, why)| why.to_owned())
    }

    fn report(&self) -> String {
        format!(
            "dcsctp state {:?}, events: {:?}\ndcsctp packets:\n{}",
            self.state(),
            self.events,
            self.log.dump()
        )
    }
}

/// Our settings: RFC 9260's defaults.
fn our_cfg() -> AssociationConfig {
    AssociationConfig::default()
}

/// Our host, their host, and which one is the client (host A of the network).
struct Pair<P> {
    net: Network,
    ours: Tap<SctpHost>,
    theirs: P,
    ours_is_client: bool,
}

impl<P: Peer> Pair<P> {
    fn new(seed: u64, ours_is_client: bool, link: Link) -> Self {
        let net = Network::new(seed, link.clone(), link);
        let now = net.now();
        let (ours, theirs) = if ours_is_client {
            (
                SctpHost::client(now, OURS, THEIRS, our_cfg(), seed * 2 + 1),
                P::server(now, seed * 2 + 2),
            )
        } else {
            (
                SctpHost::server(now, OURS, our_cfg(), seed * 2 + 1),
                P::client(now, seed * 2 + 2),
            )
        };
        Self {
            net,
            ours: Tap::new(ours),
            theirs,
            ours_is_client,
        }
    }

    /// Runs the network until `done(ours, theirs)` or `limit` of virtual time.
    fn run(
        &mut self,
        mut done: impl FnMut(&mut SctpHost, &mut P) -> bool,
        limit: Duration,
    ) -> bool {
        if self.ours_is_client {
            self.net.run_until(
                &mut self.ours,
                &mut self.theirs,
                |o, t| done(&mut o.inner, t),
                limit,
            )
        } else {
            self.net.run_until(
                &mut self.theirs,
                &mut self.ours,
                |t, o| done(&mut o.inner, t),
                limit,
            )
        }
    }

    /// Everything known about both sides, for a failure message.
    fn report(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "virtual time {:?}, network {:?}",
            self.net.now(),
            self.net.stats
        );
        let o = &self.ours.inner;
        let _ = writeln!(s, "our state {:?}, events: {:?}", o.state(), o.events);
        let _ = writeln!(s, "packets as our side saw them:\n{}", self.ours.log.dump());
        s.push_str(&self.theirs.report());
        s
    }

    fn connect(&mut self) {
        let ok = self.run(|o, t| o.connected() && t.connected(), SETUP_LIMIT);
        assert!(
            ok,
            "association set-up with {} failed\n{}",
            P::NAME,
            self.report()
        );
        assert_eq!(self.ours.inner.state(), State::Established);
    }
}

/// The message with index `i`: which stream, PPID, ordering and payload.
fn message(i: usize, ppids: &[u32], stream_seq: u32) -> (u16, u32, bool, Vec<u8>) {
    let stream = (i % usize::from(STREAMS)) as u16;
    let unordered = stream % 2 == 1;
    let ppid = ppids[i % ppids.len()];
    let size = SIZES[i % SIZES.len()];
    let mut p = vec![0u8; size];
    for (k, b) in p[HEADER..].iter_mut().enumerate() {
        *b = (i.wrapping_mul(131) ^ k.wrapping_mul(7)) as u8;
    }
    let sum = p[HEADER..]
        .iter()
        .fold(0u32, |acc, &b| acc.rotate_left(5) ^ u32::from(b));
    p[0..4].copy_from_slice(&(i as u32).to_be_bytes());
    p[4..8].copy_from_slice(&stream_seq.to_be_bytes());
    p[8..12].copy_from_slice(&(size as u32).to_be_bytes());
    p[12..16].copy_from_slice(&sum.to_be_bytes());
    (stream, ppid, unordered, p)
}

/// The messages making up `BULK` bytes.
fn bulk_count() -> usize {
    let mut n = 0;
    let mut bytes = 0;
    while bytes < BULK {
        bytes += SIZES[n % SIZES.len()];
        n += 1;
    }
    n
}

/// Feeds messages into a sender as its buffer allows.
#[derive(Debug, Default)]
struct Feeder {
    next: usize,
    stream_seq: BTreeMap<u16, u32>,
    /// The next message, built once and kept while the sender refuses it.
    pending: Option<(u16, u32, bool, Vec<u8>)>,
}

impl Feeder {
    /// Queues messages with `send` until it refuses one or all `n` are queued.
    fn feed(
        &mut self,
        n: usize,
        ppids: &[u32],
        mut send: impl FnMut(u16, u32, &[u8], bool) -> Result<bool, String>,
    ) {
        while self.next < n {
            let (stream, ppid, unordered, p) = self.pending.get_or_insert_with(|| {
                let stream = (self.next % usize::from(STREAMS)) as u16;
                let seq = self.stream_seq.get(&stream).copied().unwrap_or(0);
                message(self.next, ppids, seq)
            });
            match send(*stream, *ppid, p, *unordered) {
                Ok(true) => {
                    *self.stream_seq.entry(*stream).or_insert(0) += 1;
                    self.pending = None;
                    self.next += 1;
                }
                Ok(false) => return,
                Err(e) => panic!("send of message {} refused: {e}", self.next),
            }
        }
    }
}

fn our_send(
    o: &mut SctpHost,
    stream: u16,
    ppid: u32,
    p: &[u8],
    unordered: bool,
) -> Result<bool, String> {
    match o.send(stream, ppid, p, unordered) {
        Ok(()) => Ok(true),
        Err(SendError::BufferFull { .. }) => Ok(false),
        Err(e) => Err(e.to_string()),
    }
}

/// Sends `n` messages each way, feeding both senders as their buffers allow,
/// until both sides received `n` messages or `limit` of virtual time passed.
/// Returns how many messages we and they queued, and whether all arrived.
fn exchange<P: Peer>(pair: &mut Pair<P>, n: usize, limit: Duration) -> (usize, usize, bool) {
    let deadline = pair.net.now() + limit;
    let (mut ours_feed, mut theirs_feed) = (Feeder::default(), Feeder::default());
    loop {
        let now = pair.net.now();
        let o = &mut pair.ours.inner;
        ours_feed.feed(n, P::PPIDS, |s, ppid, p, u| our_send(o, s, ppid, p, u));
        let t = &mut pair.theirs;
        theirs_feed.feed(n, P::PPIDS, |s, ppid, p, u| t.try_send(now, s, ppid, p, u));
        // The senders are refilled at least every 10 ms of virtual time.
        let done = pair.run(
            |o, t| o.received.len() >= n && t.received().len() >= n,
            Duration::from_millis(10),
        );
        if done || pair.net.now() > deadline || pair.net.now() == now {
            return (ours_feed.next, theirs_feed.next, done);
        }
    }
}

/// Checks that `got` holds each of the `n` messages exactly once, intact,
/// with its stream and PPID, and in order on each ordered stream.
fn check_delivery(who: &str, got: &[Message], n: usize, ppids: &[u32]) {
    assert_eq!(
        got.len(),
        n,
        "{who}: {} messages delivered, {n} sent",
        got.len()
    );
    let mut seen = vec![false; n];
    let mut next_seq: BTreeMap<u16, u32> = BTreeMap::new();
    let mut expected_seq: BTreeMap<u16, u32> = BTreeMap::new();
    // The per-stream sequence number each message was sent with.
    let mut seq_of = vec![0u32; n];
    for (i, s) in seq_of.iter_mut().enumerate() {
        let stream = (i % usize::from(STREAMS)) as u16;
        let e = expected_seq.entry(stream).or_insert(0);
        *s = *e;
        *e += 1;
    }
    for (pos, m) in got.iter().enumerate() {
        assert!(
            m.payload.len() >= HEADER,
            "{who}: message {pos} is {} bytes",
            m.payload.len()
        );
        let i = u32::from_be_bytes(m.payload[0..4].try_into().unwrap()) as usize;
        assert!(i < n, "{who}: delivery {pos} carries index {i}");
        assert!(!seen[i], "{who}: message {i} delivered twice");
        seen[i] = true;
        let (stream, ppid, unordered, want) = message(i, ppids, seq_of[i]);
        assert_eq!(
            m.stream_id, stream,
            "{who}: message {i} on the wrong stream"
        );
        assert_eq!(m.ppid.0, ppid, "{who}: message {i} with the wrong PPID");
        assert!(
            m.payload[..] == want[..],
            "{who}: message {i} corrupted ({} bytes, want {})",
            m.payload.len(),
            want.len()
        );
        if !unordered {
            let next = next_seq.entry(stream).or_insert(0);
            assert_eq!(
                seq_of[i], *next,
                "{who}: ordered stream {stream} delivered sequence {} where {} was due",
                seq_of[i], *next
            );
            *next += 1;
        }
    }
    assert!(seen.iter().all(|&s| s), "{who}: a message is missing");
}

/// 10 MB each way with loss, checked, then a graceful shutdown started by
/// us (`we_shut_down`) or by the peer.
fn bulk_then_shutdown<P: Peer>(seed: u64, ours_is_client: bool, we_shut_down: bool) {
    #[allow(clippy::disallowed_methods)] // wall-clock time, only reported
    let started = Instant::now();
    let mut pair = Pair::<P>::new(seed, ours_is_client, Link::lossy(0.02));
    pair.connect();
    let data_start = pair.net.now();
    let n = bulk_count();
    let (ours_queued, theirs_queued, ok) = exchange(&mut pair, n, BULK_LIMIT);
    assert!(
        ok,
        "10 MB each way with {} did not complete: we got {} of {n}, they got {} of {n} \
         (we queued {}, they queued {})\n{}",
        P::NAME,
        pair.ours.inner.received.len(),
        pair.theirs.received().len(),
        ours_queued,
        theirs_queued,
        pair.report()
    );
    let data_time = pair.net.now();
    // Let retransmissions and duplicates settle, then check exactly once.
    pair.run(|_, _| false, Duration::from_secs(5));
    check_delivery(
        &format!("{} -> us", P::NAME),
        &pair.ours.inner.received,
        n,
        P::PPIDS,
    );
    check_delivery(
        &format!("us -> {}", P::NAME),
        pair.theirs.received(),
        n,
        P::PPIDS,
    );

    // One side starts the shutdown; both must see it complete.
    if we_shut_down {
        let now = pair.net.now();
        pair.ours.inner.association().shutdown(now);
    } else {
        let now = pair.net.now();
        pair.theirs.shutdown(now);
    }
    let ok = pair.run(
        |o, t| o.saw(|e| *e == Event::ShutdownComplete) && t.saw_shutdown_complete(),
        CLOSE_LIMIT,
    );
    assert!(
        ok,
        "graceful shutdown with {} did not complete\n{}",
        P::NAME,
        pair.report()
    );
    let o = &pair.ours.inner;
    assert_eq!(o.state(), State::Closed);
    assert!(!o.saw(|e| matches!(e, Event::Closed(_))), "{:?}", o.events);
    if !we_shut_down {
        assert!(o.saw(|e| *e == Event::ShutdownReceived), "{:?}", o.events);
    }
    let log = &pair.ours.log;
    eprintln!(
        "{}: {n} messages ({BULK} bytes) each way in {:?} of virtual time, network {:?}, \
         ERROR chunks sent {} received {}, peer warnings {:?}, wall {:?}",
        P::NAME,
        data_time.duration_since(data_start),
        pair.net.stats,
        log.count(true, chunk_type::ERROR),
        log.count(false, chunk_type::ERROR),
        pair.theirs.warnings(),
        started.elapsed()
    );
    assert_eq!(
        log.count(true, chunk_type::ERROR) + log.count(false, chunk_type::ERROR),
        0
    );
    assert!(
        pair.theirs.warnings().is_empty(),
        "{:?}\n{}",
        pair.theirs.warnings(),
        pair.report()
    );
}

/// Some data both ways with loss, then the link heals (an ABORT is never
/// retransmitted, RFC 9260 section 9.1) and one side aborts.
fn abort_seen<P: Peer>(seed: u64, ours_is_client: bool, we_abort: bool) {
    let mut pair = Pair::<P>::new(seed, ours_is_client, Link::lossy(0.02));
    pair.connect();
    let n = 60;
    let (_, _, ok) = exchange(&mut pair, n, BULK_LIMIT);
    assert!(
        ok,
        "data exchange with {} did not complete\n{}",
        P::NAME,
        pair.report()
    );
    pair.net.set_links(Link::default(), Link::default());
    if we_abort {
        let reason = ErrorCause {
            code: sctp_core::CauseCode::USER_INITIATED_ABORT,
            info: b"maintenance".to_vec(),
        };
        pair.ours.inner.association().abort(vec![reason]);
        let ok = pair.run(|_, t| t.saw_abort(), CLOSE_LIMIT);
        assert!(ok, "{} did not see our ABORT\n{}", P::NAME, pair.report());
        if let Some(why) = pair.theirs.abort_reason() {
            assert!(
                why.contains("maintenance"),
                "{} reports the abort as {why:?}",
                P::NAME
            );
        }
        assert!(
            pair.ours
                .inner
                .saw(|e| matches!(e, Event::Closed(CloseReason::LocalAbort(_))))
        );
    } else {
        let now = pair.net.now();
        pair.theirs.abort(now);
        let ok = pair.run(|o, _| o.state() == State::Closed, CLOSE_LIMIT);
        assert!(ok, "we did not see {}'s ABORT\n{}", P::NAME, pair.report());
        let o = &pair.ours.inner;
        assert!(
            o.saw(|e| matches!(
                e,
                Event::Closed(CloseReason::PeerAborted(c)) if c.iter().any(|c| c.code == sctp_core::CauseCode::USER_INITIATED_ABORT)
            )),
            "we closed without seeing {}'s User-Initiated Abort: {:?}\n{}",
            P::NAME,
            o.events,
            pair.report()
        );
    }
}

/// The peer starts a graceful shutdown after some data each way. Its
/// SHUTDOWN must carry, as Cumulative TSN Ack, the last of OUR TSNs it
/// received in sequence (RFC 9260 sections 3.3.8 and 9.2): the value its last
/// SACK carried. Then both sides must see the shutdown complete.
fn peer_shutdown_acks_our_tsns<P: Peer>(seed: u64, ours_is_client: bool) {
    let mut pair = Pair::<P>::new(seed, ours_is_client, Link::lossy(0.02));
    pair.connect();
    let n = 30;
    let (_, _, ok) = exchange(&mut pair, n, BULK_LIMIT);
    assert!(
        ok,
        "data exchange with {} did not complete\n{}",
        P::NAME,
        pair.report()
    );
    pair.run(|_, _| false, Duration::from_secs(5));
    let now = pair.net.now();
    pair.theirs.shutdown(now);
    pair.run(
        |o, t| o.saw(|e| *e == Event::ShutdownComplete) && t.saw_shutdown_complete(),
        CLOSE_LIMIT,
    );
    // The last SACK before the first SHUTDOWN, and that SHUTDOWN, as we received them.
    let mut last_sack = None;
    let mut shutdown = None;
    for (_, sent, bytes) in pair.ours.log.packets() {
        if sent || shutdown.is_some() {
            continue;
        }
        let packet = Packet::new_checked(bytes).expect("an SCTP packet");
        for chunk in packet.chunks().filter_map(|c| c.ok()?.parse().ok()) {
            match chunk {
                Chunk::Sack(sack) => last_sack = Some(sack.cumulative_tsn_ack),
                Chunk::Shutdown(sd) if shutdown.is_none() => {
                    shutdown = Some(sd.cumulative_tsn_ack);
                }
                _ => {}
            }
        }
    }
    let shutdown =
        shutdown.unwrap_or_else(|| panic!("{} sent no SHUTDOWN\n{}", P::NAME, pair.report()));
    assert_eq!(
        Some(shutdown),
        last_sack,
        "{}'s SHUTDOWN acknowledges TSN {shutdown:?}, but its last SACK acknowledged {last_sack:?}",
        P::NAME
    );
    let o = &pair.ours.inner;
    assert!(
        o.saw(|e| *e == Event::ShutdownComplete) && pair.theirs.saw_shutdown_complete(),
        "shutdown started by {} did not complete\n{}",
        P::NAME,
        pair.report()
    );
    assert!(o.saw(|e| *e == Event::ShutdownReceived), "{:?}", o.events);
}

// sctp-proto

#[test]
fn interop_sctp_proto_server_10mb_each_way_with_loss_and_graceful_shutdown() {
    bulk_then_shutdown::<ProtoHost>(11, true, true);
}

/// We start the shutdown: see `interop_sctp_proto_initiated_shutdown_acks_our_tsns`
/// for why sctp-proto cannot.
#[test]
fn interop_sctp_proto_client_10mb_each_way_with_loss_and_graceful_shutdown() {
    bulk_then_shutdown::<ProtoHost>(12, false, true);
}

#[test]
#[ignore = "sctp-proto 0.10.8 bug: its SHUTDOWN carries its own outbound cumulative TSN ack \
            point instead of the peer's TSN (RFC 9260 3.3.8); when that value lies ahead of \
            our TSNs (about half of its random initial TSNs) we abort with Protocol Violation"]
fn interop_sctp_proto_initiated_shutdown_acks_our_tsns() {
    peer_shutdown_acks_our_tsns::<ProtoHost>(17, false);
}

#[test]
fn interop_sctp_proto_server_sees_our_abort() {
    abort_seen::<ProtoHost>(13, true, true);
}

#[test]
fn interop_sctp_proto_client_sees_our_abort() {
    abort_seen::<ProtoHost>(14, false, true);
}

#[test]
fn interop_we_see_sctp_proto_server_abort() {
    abort_seen::<ProtoHost>(15, true, false);
}

#[test]
fn interop_we_see_sctp_proto_client_abort() {
    abort_seen::<ProtoHost>(16, false, false);
}

// dcsctp

#[test]
fn interop_dcsctp_server_10mb_each_way_with_loss_and_graceful_shutdown() {
    bulk_then_shutdown::<DcsctpHost>(21, true, true);
}

/// dcSCTP, the client, starts the shutdown.
#[test]
fn interop_dcsctp_client_10mb_each_way_with_loss_and_graceful_shutdown() {
    bulk_then_shutdown::<DcsctpHost>(22, false, false);
}

#[test]
fn interop_dcsctp_initiated_shutdown_acks_our_tsns() {
    peer_shutdown_acks_our_tsns::<DcsctpHost>(27, true);
}

#[test]
fn interop_dcsctp_server_sees_our_abort() {
    abort_seen::<DcsctpHost>(23, true, true);
}

#[test]
fn interop_dcsctp_client_sees_our_abort() {
    abort_seen::<DcsctpHost>(24, false, true);
}

#[test]
fn interop_we_see_dcsctp_server_abort() {
    abort_seen::<DcsctpHost>(25, true, false);
}

#[test]
fn interop_we_see_dcsctp_client_abort() {
    abort_seen::<DcsctpHost>(26, false, false);
}
