//! Attack scenarios over REAL raw `IPPROTO_SCTP` sockets, mirroring the
//! simulator's `sctp-core/tests/attacks.rs`: a server (`SctpListener`) in
//! network namespace A, a legitimate client (`SctpAssociation::connect`) in
//! namespace B that keeps echoing messages, and an attacker: a raw socket in
//! namespace B that hand-builds packets with `sctp_core::wire` and, like
//! every raw SCTP socket, receives a copy of every SCTP packet arriving in B
//! (so it sees the INIT ACKs, SACKs and ABORTs sent to it and to the client).
//!
//! Each test is named after the RFC 9260 rule it checks. The tests of this
//! binary take a lock: heap and CPU figures are then ours alone. They need
//! root (raw sockets, namespaces) and skip otherwise.

mod support;

use std::alloc::System;
use std::collections::HashSet;
use std::future::Future;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sctp_core::wire::cause::Cause;
use sctp_core::wire::chunk::{
    Abort, CookieEcho, Data, DataFlags, Init, Sack, Shutdown, ShutdownAck,
};
use sctp_core::wire::param::Param;
use sctp_core::wire::{Chunk, List, Packet, PacketBuilder};
use sctp_core::{Ssn, Tsn, VerificationTag};
use sctp_raw::{
    AssociationConfig, AssociationEvent, CloseReason, Config, Message, Ppid, SctpAssociation,
    SctpListener,
};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use support::{LIMIT, NetnsPair, assert_graceful_shutdown, enter_netns, in_netns, root};
use tokio::time::timeout;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

static SERIAL: Mutex<()> = Mutex::new(());

/// One test at a time in this binary, so heap and CPU figures are ours alone.
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

/// CPU time (user + system) used by the whole process so far.
fn cpu_time() -> Duration {
    use nix::sys::resource::{UsageWho, getrusage};
    let u = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage");
    let tv = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(t.tv_sec() as u64) + Duration::from_micros(t.tv_usec() as u64)
    };
    tv(u.user_time()) + tv(u.system_time())
}

/// The server's address, in namespace A.
const SERVER_IP: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 1);
/// The client's and the attacker's address, in namespace B.
const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 2);
const PORT: u16 = 2905;

fn server_addr() -> SocketAddr {
    SocketAddr::new(IpAddr::V4(SERVER_IP), PORT)
}

/// Quick timers, as on a LAN.
fn assoc_cfg() -> AssociationConfig {
    AssociationConfig::default()
        .rto_initial(Duration::from_millis(200))
        .rto_min(Duration::from_millis(100))
        .rto_max(Duration::from_secs(2))
        .delayed_ack_time(Duration::from_millis(10))
}

fn config(a: AssociationConfig) -> Config {
    Config::default().association(a)
}

/// Runs `f` to completion on a runtime of the calling thread, within [`LIMIT`].
/// (Handles of associations driven by another thread's runtime work here too.)
fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async { timeout(LIMIT, f).await.expect("time limit") })
}

// ---------------------------------------------------------------------------
// Hand-built packets.

/// Writes an SCTP packet (common header, `chunks`, CRC32c) into `buf`.
fn build(buf: &mut [u8], src: u16, dst: u16, vtag: u32, chunks: &[Chunk<'_>]) -> usize {
    let mut b = PacketBuilder::new(buf, src, dst, VerificationTag(vtag)).unwrap();
    for c in chunks {
        b.push(c).unwrap();
    }
    b.finish()
}

fn init_chunk(tag: u32, tsn: u32) -> Chunk<'static> {
    Chunk::Init(Init {
        initiate_tag: VerificationTag(tag),
        a_rwnd: 1 << 20,
        num_outbound_streams: 16,
        num_inbound_streams: 16,
        initial_tsn: Tsn(tsn),
        params: Vec::new(),
    })
}

fn fragment(tsn: Tsn, stream: u16, ppid: u32, beginning: bool, payload: &[u8]) -> Chunk<'_> {
    Chunk::Data(Data {
        flags: DataFlags {
            immediate: true,
            unordered: false,
            beginning,
            ending: false,
        },
        tsn,
        stream_id: stream,
        ssn: Ssn(0),
        ppid: Ppid(ppid),
        payload,
    })
}

/// Runs `f` on each parsed chunk of `packet` (nothing if it is malformed).
fn for_chunks(packet: &[u8], mut f: impl FnMut(&Chunk<'_>)) {
    let Ok(p) = Packet::new_checked(packet) else {
        return;
    };
    for raw in p.chunks() {
        let Ok(raw) = raw else { return };
        if let Ok(c) = raw.parse() {
            f(&c);
        }
    }
}

/// The type codes of the chunks in `packet`.
fn chunk_types(packet: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    for_chunks(packet, |c| v.push(c.chunk_type()));
    v
}

fn has_chunk(packet: &[u8], pred: impl Fn(&Chunk<'_>) -> bool) -> bool {
    let mut found = false;
    for_chunks(packet, |c| found |= pred(c));
    found
}

/// The cause codes of the ABORT chunks in `packet`, with their T bits.
fn abort_causes(packet: &[u8]) -> Option<(bool, Vec<u16>)> {
    let mut out = None;
    for_chunks(packet, |c| {
        if let Chunk::Abort(a) = c {
            out = Some((a.t_bit, a.causes.iter().map(Cause::cause_code).collect()));
        }
    });
    out
}

/// Ports and tag of a received packet.
fn header(packet: &[u8]) -> Option<(u16, u16, u32)> {
    let p = Packet::new_checked(packet).ok()?;
    p.verify_checksum().ok()?;
    Some((p.src_port(), p.dst_port(), p.verification_tag().0))
}

/// What an INIT ACK told us.
#[derive(Debug, Clone)]
struct InitAckInfo {
    /// The tag the sender of the INIT ACK expects in packets to it.
    initiate_tag: u32,
    initial_tsn: Tsn,
    cookie: Vec<u8>,
}

fn init_ack_info(packet: &[u8]) -> Option<InitAckInfo> {
    let mut info = None;
    for_chunks(packet, |c| {
        if let Chunk::InitAck(ack) = c {
            let cookie = ack.params.iter().find_map(|p| match p {
                Param::StateCookie(s) => Some(s.cookie.to_vec()),
                _ => None,
            });
            info = Some(InitAckInfo {
                initiate_tag: ack.initiate_tag.0,
                initial_tsn: ack.initial_tsn,
                cookie: cookie.unwrap_or_default(),
            });
        }
    });
    info
}

fn close_causes(e: &AssociationEvent) -> Option<(bool, Vec<u16>)> {
    match e {
        AssociationEvent::Closed(CloseReason::LocalAbort(c)) => {
            Some((true, c.iter().map(|c| c.code.0).collect()))
        }
        AssociationEvent::Closed(CloseReason::PeerAborted(c)) => {
            Some((false, c.iter().map(|c| c.code.0).collect()))
        }
        _ => None,
    }
}

/// Whether `events` has an abort (ours when `local`) carrying cause `code`.
fn aborted_with(events: &[AssociationEvent], local: bool, code: u16) -> bool {
    events
        .iter()
        .filter_map(close_causes)
        .any(|(l, codes)| l == local && codes.contains(&code))
}

fn send_failed_ppids(events: &[AssociationEvent]) -> HashSet<u32> {
    events
        .iter()
        .filter_map(|e| match e {
            AssociationEvent::SendFailed { message: m, .. } => Some(m.ppid.0),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The attacker: a raw socket in a namespace.

/// A raw IPv4 `IPPROTO_SCTP` socket opened in a namespace: it sends SCTP
/// packets to the server (the kernel adds the IPv4 header) and receives a
/// copy of every SCTP packet arriving in its namespace.
struct RawPeer {
    sock: Socket,
    to: SockAddr,
    rx: Vec<u8>,
    tx: Vec<u8>,
}

impl RawPeer {
    fn open(ns: &str) -> Self {
        let ns = ns.to_owned();
        let sock = std::thread::spawn(move || {
            enter_netns(&ns);
            // SOCK_RAW only: never a kernel SCTP socket.
            Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::from(132))).expect("raw socket")
        })
        .join()
        .expect("open raw socket");
        let size = 16 << 20;
        if nix::sys::socket::setsockopt(&sock, nix::sys::socket::sockopt::RcvBufForce, &size)
            .is_err()
        {
            let _ = sock.set_recv_buffer_size(size);
        }
        sock.set_nonblocking(true).unwrap();
        Self {
            sock,
            to: SocketAddr::new(IpAddr::V4(SERVER_IP), 0).into(),
            rx: vec![0; 65_536],
            tx: vec![0; 65_536],
        }
    }

    /// Builds and sends one packet to the server.
    fn send(&mut self, src: u16, vtag: u32, chunks: &[Chunk<'_>]) {
        let n = build(&mut self.tx, src, PORT, vtag, chunks);
        let tx = std::mem::take(&mut self.tx);
        self.send_bytes(&tx[..n]);
        self.tx = tx;
    }

    fn send_bytes(&self, packet: &[u8]) {
        loop {
            match self.sock.send_to(packet, &self.to) {
                Ok(_) => return,
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.raw_os_error() == Some(libc::ENOBUFS) =>
                {
                    std::thread::sleep(Duration::from_micros(200));
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => panic!("raw send: {e}"),
            }
        }
    }

    /// The next SCTP packet that arrived in the namespace (IPv4 header
    /// stripped), waiting up to `wait`.
    fn recv(&mut self, wait: Duration) -> Option<&[u8]> {
        let deadline = Instant::now() + wait;
        let range = loop {
            match (&self.sock).read(&mut self.rx) {
                Ok(n) => {
                    if n < 20 {
                        continue;
                    }
                    let ihl = usize::from(self.rx[0] & 0x0f) * 4;
                    let total = usize::from(u16::from_be_bytes([self.rx[2], self.rx[3]])).min(n);
                    if ihl < 20 || total < ihl + 12 {
                        continue;
                    }
                    break ihl..total;
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return None;
                    }
                    let ms = left.as_millis().clamp(1, 1000) as u16;
                    let mut fds = [nix::poll::PollFd::new(
                        self.sock.as_fd(),
                        nix::poll::PollFlags::POLLIN,
                    )];
                    let _ = nix::poll::poll(&mut fds, ms);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => panic!("raw receive: {e}"),
            }
        };
        Some(&self.rx[range])
    }

    /// The next packet from the server's port to `port`, waiting up to `wait`.
    fn recv_to(&mut self, port: u16, wait: Duration) -> Option<Vec<u8>> {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let p = self.recv(left)?;
            if header(p).is_some_and(|(s, d, _)| s == PORT && d == port) {
                return Some(p.to_vec());
            }
        }
    }

    /// Every packet from the server to `port` within `wait`.
    fn collect_to(&mut self, port: u16, wait: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + wait;
        let mut v = Vec::new();
        while let Some(p) = self.recv_to(port, deadline.saturating_duration_since(Instant::now())) {
            v.push(p);
        }
        v
    }

    /// Sends INIT from `port` and returns the INIT ACK's contents.
    fn init(&mut self, port: u16, tag: u32) -> InitAckInfo {
        self.send(port, 0, &[init_chunk(tag, tag.wrapping_mul(7))]);
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let p = self
                .recv_to(port, deadline.saturating_duration_since(Instant::now()))
                .expect("an INIT ACK");
            if let Some(info) = init_ack_info(&p) {
                assert_eq!(header(&p).unwrap().2, tag, "INIT ACK tag");
                assert!(!info.cookie.is_empty(), "INIT ACK without a cookie");
                return info;
            }
        }
    }

    /// A full handshake from `port`; returns the INIT ACK's contents and our
    /// Initial TSN.
    fn establish(&mut self, port: u16, tag: u32) -> (InitAckInfo, Tsn) {
        let info = self.init(port, tag);
        self.send(
            port,
            info.initiate_tag,
            &[Chunk::CookieEcho(CookieEcho {
                cookie: &info.cookie,
            })],
        );
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let p = self
                .recv_to(port, deadline.saturating_duration_since(Instant::now()))
                .expect("a COOKIE ACK");
            if has_chunk(&p, |c| matches!(c, Chunk::CookieAck(_))) {
                assert_eq!(header(&p).unwrap().2, tag);
                return (info, Tsn(tag.wrapping_mul(7)));
            }
        }
    }

    /// Reads packets until the INIT ACK the server sent to `port` (an
    /// association being set up by someone else in our namespace).
    fn observe_init_ack(&mut self, port: u16) -> (u32, InitAckInfo) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let p = self
                .recv_to(port, deadline.saturating_duration_since(Instant::now()))
                .expect("the client's INIT ACK was observed");
            if let Some(info) = init_ack_info(&p) {
                return (header(&p).unwrap().2, info);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The server and the legitimate client.

/// The legitimate client's message `i`: stream, PPID and contents all derive from `i`.
fn legit_msg(i: u32) -> Message {
    let len = 100 + (i as usize * 37) % 1300;
    Message::new(
        (i % 4) as u16,
        Ppid(i),
        (0..len)
            .map(|k| (i as u8).wrapping_add(k as u8))
            .collect::<Vec<u8>>(),
    )
}

/// Messages the reports have room for before they allocate.
const RESERVE: usize = 1 << 16;

/// What the server's echo of the legitimate association saw.
#[derive(Debug, Default)]
struct EchoReport {
    received: Vec<u32>,
    /// Messages `send` accepted.
    sent: Vec<u32>,
    end: Option<String>,
    events: Vec<AssociationEvent>,
}

/// Echoes every message until the peer shuts down or the association ends.
async fn echo(assoc: SctpAssociation) -> EchoReport {
    // Reserved up front, so the heap figures measure the stack, not this report.
    let mut r = EchoReport {
        received: Vec::with_capacity(RESERVE),
        sent: Vec::with_capacity(RESERVE),
        ..EchoReport::default()
    };
    loop {
        match assoc.recv().await {
            Ok(Some(m)) => {
                let ppid = m.ppid.0;
                r.received.push(ppid);
                match assoc.send(m).await {
                    Ok(()) => r.sent.push(ppid),
                    Err(e) => {
                        r.end = Some(format!("send: {e}"));
                        // What arrived before the end is still ours to read.
                        while let Ok(Some(m)) = assoc.recv().await {
                            r.received.push(m.ppid.0);
                        }
                        break;
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                r.end = Some(format!("recv: {e}"));
                break;
            }
        }
    }
    while let Ok(Some(e)) = timeout(Duration::from_secs(3), assoc.next_event()).await {
        r.events.push(e);
    }
    r
}

/// The server in namespace A: the first association accepted is the
/// legitimate client's and goes to `legit`; every later one is handed to the
/// test on `others`. Runs until `stop` fires.
struct Server<T> {
    thread: JoinHandle<T>,
    others: mpsc::Receiver<(SctpAssociation, SocketAddr)>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl<T: Send + 'static> Server<T> {
    fn spawn<F, Fut>(ns: &str, cfg: Config, legit: F) -> Self
    where
        F: FnOnce(SctpAssociation) -> Fut + Send + 'static,
        Fut: Future<Output = T> + Send + 'static,
    {
        let (ready_tx, ready_rx) = mpsc::channel();
        let (others_tx, others) = mpsc::channel();
        let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = in_netns(ns, move || async move {
            let listener = SctpListener::bind(server_addr(), cfg).await.unwrap();
            ready_tx.send(()).unwrap();
            let (assoc, peer) = listener.accept().await.unwrap();
            assert_eq!(peer.ip(), IpAddr::V4(CLIENT_IP));
            let legit = tokio::spawn(legit(assoc));
            loop {
                tokio::select! {
                    r = listener.accept() => {
                        let _ = others_tx.send(r.unwrap());
                    }
                    _ = &mut stop_rx => break,
                }
            }
            legit.await.unwrap()
        });
        ready_rx.recv_timeout(LIMIT).expect("server ready");
        Self {
            thread,
            others,
            stop: Some(stop_tx),
        }
    }

    /// Stops accepting and returns what the legitimate association's task returned.
    fn finish(mut self) -> T {
        let _ = self.stop.take().unwrap().send(());
        self.thread.join().expect("server")
    }
}

/// Checks an echo of the legitimate client's messages below `next`.
fn check_echo(m: &Message, next: u32, seen: &mut HashSet<u32>) {
    let i = m.ppid.0;
    assert!(i < next, "echo of a message never sent: PPID {i}");
    assert!(seen.insert(i), "message {i} echoed twice");
    let want = legit_msg(i);
    assert_eq!(m.stream_id, want.stream_id, "message {i}");
    assert_eq!(m.payload, want.payload, "message {i} corrupted");
}

/// What the legitimate client saw.
#[derive(Debug, Default)]
struct ClientReport {
    sent: Vec<u32>,
    received: Vec<u32>,
    end: Option<String>,
    events: Vec<AssociationEvent>,
}

/// The legitimate client in namespace B: keeps `window` messages in flight
/// and checks every echo, until told to stop (and at least `min` messages
/// went round), then shuts down.
struct Legit {
    thread: Option<JoinHandle<ClientReport>>,
    port: u16,
    progress: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    /// Pauses 10 ms after each echo while set (so CPU figures are the attack's).
    slow: Arc<AtomicBool>,
}

impl Legit {
    fn spawn(ns: &str, cfg: Config, window: u32, min: usize) -> Self {
        let progress = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let slow = Arc::new(AtomicBool::new(false));
        let (port_tx, port_rx) = mpsc::channel();
        let (p, s, slow2) = (progress.clone(), stop.clone(), slow.clone());
        let thread = in_netns(ns, move || async move {
            let slow = slow2;
            let assoc = SctpAssociation::connect(server_addr(), cfg).await.unwrap();
            port_tx.send(assoc.local_addr().port()).unwrap();
            let mut r = ClientReport {
                sent: Vec::with_capacity(RESERVE),
                received: Vec::with_capacity(RESERVE),
                ..ClientReport::default()
            };
            let mut seen = HashSet::with_capacity(RESERVE);
            let mut next = 0u32;
            'run: loop {
                let stopping = s.load(Ordering::Relaxed) && r.received.len() >= min;
                if !stopping {
                    while next as usize - r.received.len() < window as usize {
                        match assoc.send(legit_msg(next)).await {
                            Ok(()) => r.sent.push(next),
                            Err(e) => {
                                r.end = Some(format!("send: {e}"));
                                // Echoes that arrived before the end are still ours.
                                while let Ok(Some(m)) = assoc.recv().await {
                                    check_echo(&m, next, &mut seen);
                                    r.received.push(m.ppid.0);
                                }
                                break 'run;
                            }
                        }
                        next += 1;
                    }
                } else if r.received.len() == r.sent.len() {
                    break;
                }
                match assoc.recv().await {
                    Ok(Some(m)) => {
                        check_echo(&m, next, &mut seen);
                        r.received.push(m.ppid.0);
                        p.fetch_add(1, Ordering::Relaxed);
                        if slow.load(Ordering::Relaxed) {
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                    }
                    Ok(None) => {
                        r.end = Some("peer shut down".into());
                        break;
                    }
                    Err(e) => {
                        r.end = Some(format!("recv: {e}"));
                        break;
                    }
                }
            }
            if r.end.is_none()
                && let Err(e) = assoc.shutdown().await
            {
                r.end = Some(format!("shutdown: {e}"));
            }
            while let Ok(Some(e)) = timeout(Duration::from_secs(3), assoc.next_event()).await {
                r.events.push(e);
            }
            r
        });
        let port = port_rx.recv_timeout(LIMIT).expect("legit client connected");
        Self {
            thread: Some(thread),
            port,
            progress,
            stop,
            slow,
        }
    }

    fn progress(&self) -> usize {
        self.progress.load(Ordering::Relaxed)
    }

    /// Waits until `n` more messages went round.
    fn wait_for(&self, n: usize) {
        let target = self.progress() + n;
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.progress() < target {
            assert!(Instant::now() < deadline, "the legit association stalled");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn finish(mut self) -> ClientReport {
        self.stop.store(true, Ordering::Relaxed);
        let thread = self.thread.take().unwrap();
        thread.join().expect("legit client")
    }
}

impl Drop for Legit {
    /// A test that fails early still lets the client shut down.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A live legitimate association plus an attacker that completed a
/// handshake of its own from `port` with initiate tag `tag`, the server
/// configured with `server`: the setup of the misbehaving-peer tests.
struct MisbehavingPeer {
    pair: NetnsPair,
    server: Server<EchoReport>,
    atk: RawPeer,
    legit: Legit,
    /// The server's INIT ACK to the attacker.
    info: InitAckInfo,
    /// The attacker's Initial TSN.
    base: Tsn,
    /// The server's handle of the attacker's association.
    assoc: SctpAssociation,
}

impl MisbehavingPeer {
    fn start(ns_tag: &str, server: AssociationConfig, port: u16, tag: u32) -> Self {
        let pair = NetnsPair::new(ns_tag);
        let server = Server::spawn(&pair.a, config(server), echo);
        let mut atk = RawPeer::open(&pair.b);
        let legit = Legit::spawn(&pair.b, config(assoc_cfg()), 8, 300);
        legit.wait_for(50);
        let (info, base) = atk.establish(port, tag);
        let (assoc, _) = server
            .others
            .recv_timeout(Duration::from_secs(3))
            .expect("the attacker's association was accepted");
        Self {
            pair,
            server,
            atk,
            legit,
            info,
            base,
            assoc,
        }
    }
}

/// Asserts the legitimate association ran to a clean shutdown, nothing lost.
fn assert_clean(client: &ClientReport, server: &EchoReport) {
    assert_eq!(client.end, None, "{client:?}");
    assert_eq!(server.end, None, "{server:?}");
    assert_eq!(client.received.len(), client.sent.len());
    assert_graceful_shutdown(&client.events, &server.events);
}

/// The events an association handle (driven by another thread) reports within `wait`.
fn events_within(assoc: &SctpAssociation, wait: Duration) -> Vec<AssociationEvent> {
    block_on(async {
        let mut v = Vec::new();
        let deadline = tokio::time::Instant::now() + wait;
        while let Ok(Some(e)) = tokio::time::timeout_at(deadline, assoc.next_event()).await {
            v.push(e);
        }
        v
    })
}

// ---------------------------------------------------------------------------
// The tests.

/// The flood's INIT `i` carries initiate tag `(i + 1) * K`: a bijection, so
/// an INIT ACK's tag names the INIT it answers.
const FLOOD_K: u32 = 0x9e37_79b1;

fn flood_tag(i: u32) -> u32 {
    (i + 1).wrapping_mul(FLOOD_K)
}

fn flood_index(tag: u32) -> u32 {
    // The inverse of K modulo 2^32 by Newton's iteration.
    let mut inv = FLOOD_K;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u32.wrapping_sub(FLOOD_K.wrapping_mul(inv)));
    }
    tag.wrapping_mul(inv).wrapping_sub(1)
}

/// The flood's INIT `i` comes from a pseudo-random port, never the client's.
fn flood_port(i: u32, avoid: u16) -> u16 {
    let p = 1024 + (flood_tag(i).rotate_left(11) % 64_000) as u16;
    if p == avoid { p + 1 } else { p }
}

/// RFC 9260 section 5.1.3 and 5.1 B: an INIT is answered from the cookie
/// alone. 100,000 INITs from spoofed ports with random tags over a real raw
/// socket each get an INIT ACK, the server's heap stays flat, no
/// association but the legitimate one is accepted, and that one keeps
/// echoing throughout.
#[test]
fn rfc9260_5_1_3_init_flood_over_raw_sockets_creates_no_state() {
    let _g = serial();
    if !root() {
        return;
    }
    const WARMUP: u32 = 2_000;
    const INITS: u32 = 100_000;
    const BATCH: u32 = 200;
    let pair = NetnsPair::new("f");
    let server = Server::spawn(&pair.a, config(assoc_cfg()), echo);
    let mut atk = RawPeer::open(&pair.b);
    let legit = Legit::spawn(&pair.b, config(assoc_cfg()), 8, 1_000);
    legit.wait_for(100);
    let total = WARMUP + INITS;
    let mut seen = vec![0u64; (total as usize).div_ceil(64)];
    let mut acks = 0u32;
    let mut measured_acks = 0u32;
    let (mut heap_before, mut cpu_before, mut progress_before) = (0, Duration::ZERO, 0);
    let mut started = Instant::now();
    let mut peak = 0isize;
    let mut sent = 0u32;
    let client_port = legit.port;
    while sent < total {
        if sent == WARMUP {
            heap_before = heap_in_use();
            cpu_before = cpu_time();
            progress_before = legit.progress();
            started = Instant::now();
            measured_acks = acks;
        }
        for i in sent..sent + BATCH {
            let port = flood_port(i, client_port);
            atk.send(port, 0, &[init_chunk(flood_tag(i), i)]);
        }
        sent += BATCH;
        // Pace: wait for this batch's answers (at most 50 ms after the
        // last INIT ACK, 500 ms in all).
        let give_up = Instant::now() + Duration::from_millis(500);
        let mut quiet = Instant::now() + Duration::from_millis(50);
        while acks < sent {
            let wait = quiet.min(give_up).saturating_duration_since(Instant::now());
            if wait.is_zero() {
                break;
            }
            let Some(p) = atk.recv(wait) else {
                break;
            };
            let Some((src, dst, vtag)) = header(p) else {
                continue;
            };
            if src != PORT || dst == client_port {
                continue;
            }
            let i = flood_index(vtag);
            if i >= sent || flood_port(i, client_port) != dst {
                continue;
            }
            let is_ack = has_chunk(
                p,
                |c| matches!(c, Chunk::InitAck(a) if a.params.iter().any(|p| matches!(p, Param::StateCookie(_)))),
            );
            let (w, b) = ((i / 64) as usize, 1u64 << (i % 64));
            if is_ack && seen[w] & b == 0 {
                seen[w] |= b;
                acks += 1;
                quiet = Instant::now() + Duration::from_millis(50);
            }
        }
        if sent > WARMUP {
            peak = peak.max(heap_in_use() - heap_before);
        }
    }
    let took = started.elapsed();
    let growth = heap_in_use() - heap_before;
    let cpu = cpu_time() - cpu_before;
    let echoed = legit.progress() - progress_before;
    let measured_acks = acks - measured_acks;
    // Nothing but the legitimate association was accepted, even after a pause.
    std::thread::sleep(Duration::from_millis(300));
    let extra = server.others.try_recv().ok().map(|(_, peer)| peer);
    let client = legit.finish();
    let echo = server.finish();
    eprintln!(
        "INIT flood: {INITS} INITs in {took:?} ({:.0}/s), {measured_acks} INIT ACKs seen \
         ({acks}/{total} with the warm-up), heap growth {growth} B (peak {peak} B), \
         CPU {cpu:?}, {echoed} messages echoed meanwhile",
        f64::from(INITS) / took.as_secs_f64()
    );
    assert_eq!(extra, None, "the listener accepted a flood association");
    // Paced by its answers, the flood is almost never dropped on the veth.
    assert!(
        measured_acks >= INITS * 9 / 10,
        "only {measured_acks} INIT ACKs for {INITS} INITs"
    );
    // State per INIT (a TCB, even a half-open entry) would be megabytes:
    // 64 KiB over 100,000 INITs is under one byte each.
    assert!(growth < 64 * 1024, "heap grew {growth} B");
    assert!(peak < 256 * 1024, "heap peaked at {peak} B");
    assert!(
        echoed >= 1_000,
        "only {echoed} messages echoed during the flood"
    );
    assert_clean(&client, &echo);
    drop(pair);
}

/// RFC 9260 section 5.1.5: COOKIE ECHOs with forged or bit-flipped cookies
/// are silently discarded, an expired one gets an ERROR with a Stale Cookie
/// cause; none makes an association. Section 5.2.4 action D: a replayed
/// COOKIE ECHO of an existing association only gets another COOKIE ACK.
#[test]
fn rfc9260_5_1_5_forged_bitflipped_expired_and_replayed_cookies_over_raw_sockets() {
    let _g = serial();
    if !root() {
        return;
    }
    let life = Duration::from_secs(1);
    let pair = NetnsPair::new("c");
    let server = Server::spawn(&pair.a, config(assoc_cfg().valid_cookie_life(life)), echo);
    let mut atk = RawPeer::open(&pair.b);
    let legit = Legit::spawn(&pair.b, config(assoc_cfg()), 8, 300);
    legit.wait_for(50);
    let (port, tag) = (40_001u16, 0x1234_5678u32);
    let got_at = Instant::now();
    let info = atk.init(port, tag);
    let cookie = info.cookie.clone();
    let echo_cookie = |atk: &mut RawPeer, c: &[u8]| {
        atk.send(
            port,
            info.initiate_tag,
            &[Chunk::CookieEcho(CookieEcho { cookie: c })],
        );
    };
    // The server answers in order: an INIT ACK to another port proves every
    // earlier packet was read; nothing may have come back to `port` meanwhile.
    let mut barrier_port = 41_000u16;
    let mut barrier = |atk: &mut RawPeer| -> Vec<Vec<u8>> {
        barrier_port += 1;
        let _ = atk.init(barrier_port, u32::from(barrier_port));
        atk.collect_to(port, Duration::from_millis(200))
    };
    // (a) Forged: assorted bytes of assorted lengths.
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
        echo_cookie(&mut atk, &forged);
    }
    let answers = barrier(&mut atk);
    assert!(answers.is_empty(), "forged cookies answered: {answers:?}");
    // (b) Every bit of the genuine cookie flipped in turn.
    for bit in 0..cookie.len() * 8 {
        let mut c = cookie.clone();
        c[bit / 8] ^= 1 << (bit % 8);
        echo_cookie(&mut atk, &c);
        if bit % 64 == 63 {
            // Keep the veth's backlog from overflowing.
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    let answers = barrier(&mut atk);
    assert!(
        answers.is_empty(),
        "bit-flipped cookies answered: {:?}",
        answers.iter().map(|p| chunk_types(p)).collect::<Vec<_>>()
    );
    assert!(server.others.try_recv().is_err(), "association accepted");
    // (c) Expired: a Stale Cookie ERROR (cause 3) to the tag of our INIT.
    std::thread::sleep(
        (got_at + life + Duration::from_millis(300)).saturating_duration_since(Instant::now()),
    );
    echo_cookie(&mut atk, &cookie);
    let err = atk
        .recv_to(port, Duration::from_secs(2))
        .expect("an answer to the expired cookie");
    assert_eq!(header(&err).unwrap().2, tag);
    let mut staleness = None;
    for_chunks(&err, |c| {
        if let Chunk::Error(e) = c {
            for cause in &e.causes {
                if let Cause::StaleCookie(s) = cause {
                    staleness = Some(s.staleness_us);
                }
            }
        }
    });
    let staleness = staleness.expect("an ERROR with a Stale Cookie cause");
    assert!(staleness > 0);
    std::thread::sleep(Duration::from_millis(200));
    assert!(server.others.try_recv().is_err(), "association accepted");
    // (d) The genuine cookie in time: one association; the replay only gets
    // COOKIE ACKs and makes no second one.
    let (port2, tag2) = (40_002u16, 0x0bad_cafeu32);
    let (info2, _) = atk.establish(port2, tag2);
    let (assoc, peer) = server
        .others
        .recv_timeout(Duration::from_secs(3))
        .expect("the genuine cookie made an association");
    assert_eq!(peer, SocketAddr::new(IpAddr::V4(CLIENT_IP), port2));
    let mut replay_acks = 0;
    for _ in 0..3 {
        atk.send(
            port2,
            info2.initiate_tag,
            &[Chunk::CookieEcho(CookieEcho {
                cookie: &info2.cookie,
            })],
        );
        for p in atk.collect_to(port2, Duration::from_millis(300)) {
            assert!(abort_causes(&p).is_none(), "the replay was aborted");
            if has_chunk(&p, |c| matches!(c, Chunk::CookieAck(_))) {
                replay_acks += 1;
            }
        }
    }
    let second = server.others.recv_timeout(Duration::from_millis(500)).ok();
    let events = events_within(&assoc, Duration::from_millis(100));
    legit.wait_for(50);
    let client = legit.finish();
    let echo = server.finish();
    eprintln!(
        "cookies: {}-byte cookie, {} bit flips discarded, staleness {staleness} us, \
         {replay_acks} COOKIE ACKs for 3 replays, {} messages echoed",
        cookie.len(),
        cookie.len() * 8,
        client.received.len()
    );
    assert_eq!(replay_acks, 3);
    assert!(second.is_none(), "the replay made a second association");
    assert!(
        events.is_empty(),
        "the replay disturbed the association: {events:?}"
    );
    assert_clean(&client, &echo);
    drop(pair);
}

/// RFC 9260 section 8.5 and 8.5.1: packets of a live association whose
/// verification tag is wrong (ABORT and SHUTDOWN COMPLETE: nor the peer's
/// with the T bit) are silently discarded: blind ABORT, SHUTDOWN, SHUTDOWN
/// ACK, DATA and SACK from the client's port change nothing.
#[test]
fn rfc9260_8_5_blind_abort_shutdown_data_and_sack_over_raw_sockets_are_ignored() {
    let _g = serial();
    if !root() {
        return;
    }
    let pair = NetnsPair::new("b");
    let server = Server::spawn(&pair.a, config(assoc_cfg()), echo);
    let mut atk = RawPeer::open(&pair.b);
    let legit = Legit::spawn(&pair.b, config(assoc_cfg()), 8, 500);
    let (client_tag, info) = atk.observe_init_ack(legit.port);
    let good = info.initiate_tag;
    legit.wait_for(50);
    let mut wrong: Vec<u32> = (0..32).map(|i| good ^ (1 << i)).collect();
    wrong.extend([0, 1, client_tag ^ 1, !good, 0xffff_ffff]);
    let mut x = good ^ 0x5bd1_e995;
    for _ in 0..8 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        wrong.push(x);
    }
    wrong.retain(|t| *t != good && *t != client_tag);
    let before = legit.progress();
    let src = legit.port;
    for (round, &tag) in wrong.iter().enumerate() {
        atk.send(
            src,
            tag,
            &[Chunk::Abort(Abort {
                t_bit: false,
                causes: vec![],
            })],
        );
        atk.send(
            src,
            tag,
            &[Chunk::Abort(Abort {
                t_bit: true,
                causes: vec![],
            })],
        );
        atk.send(
            src,
            tag,
            &[Chunk::Shutdown(Shutdown {
                cumulative_tsn_ack: Tsn(tag),
            })],
        );
        atk.send(src, tag, &[Chunk::ShutdownAck(ShutdownAck)]);
        atk.send(
            src,
            tag,
            &[Chunk::Data(Data {
                flags: DataFlags::COMPLETE,
                tsn: Tsn(tag.wrapping_add(round as u32)),
                stream_id: 0,
                ssn: Ssn(0),
                ppid: Ppid(0x0666_0000),
                payload: b"injected",
            })],
        );
        atk.send(
            src,
            tag,
            &[Chunk::Sack(Sack {
                cumulative_tsn_ack: info.initial_tsn.add(0x4000_0000),
                a_rwnd: 0,
                gap_ack_blocks: List::EMPTY,
                duplicate_tsns: List::EMPTY,
            })],
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // The server answers in order: an INIT ACK proves it read every blind packet.
    let _ = atk.init(45_000, 0xb1d0_0001);
    let during = legit.progress() - before;
    legit.wait_for(100);
    let client = legit.finish();
    let echo = server.finish();
    eprintln!(
        "blind attacks: {} wrong tags x 6 packets, {during} messages echoed meanwhile, \
         {} in all",
        wrong.len(),
        client.received.len()
    );
    assert!(wrong.len() >= 40);
    assert!(during > 0, "the association stalled during the attack");
    // No injected DATA reached the server (it would have been echoed).
    assert!(echo.received.iter().all(|&p| p < 0x0666_0000));
    assert_clean(&client, &echo);
    drop(pair);
}

/// RFC 9260 section 6.2.1 and 3.3.10.13: a SACK (with the right tag, learnt
/// from the INIT ACK the attacker saw) acknowledging a TSN the server never
/// sent is a protocol violation: the server aborts with cause 13, the client
/// sees the association aborted, and no message is lost silently: each was
/// delivered or comes back as a send failure.
#[test]
fn rfc9260_6_2_1_forged_sack_for_unsent_tsn_over_raw_sockets_aborts_with_protocol_violation() {
    let _g = serial();
    if !root() {
        return;
    }
    let pair = NetnsPair::new("s");
    let server = Server::spawn(&pair.a, config(assoc_cfg()), echo);
    let mut atk = RawPeer::open(&pair.b);
    // Many messages in flight both ways when the forged SACK lands.
    let legit = Legit::spawn(&pair.b, config(assoc_cfg()), 64, 0);
    let (_, info) = atk.observe_init_ack(legit.port);
    legit.wait_for(300);
    atk.send(
        legit.port,
        info.initiate_tag,
        &[Chunk::Sack(Sack {
            cumulative_tsn_ack: info.initial_tsn.add(1_000_000),
            a_rwnd: 1 << 20,
            gap_ack_blocks: List::EMPTY,
            duplicate_tsns: List::EMPTY,
        })],
    );
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut abort = None;
    while abort.is_none()
        && let Some(p) = atk.recv_to(
            legit.port,
            deadline.saturating_duration_since(Instant::now()),
        )
    {
        abort = abort_causes(&p);
    }
    let client = legit.finish();
    let echo = server.finish();
    eprintln!(
        "forged SACK: ABORT {abort:?}; client sent {} got {} back; server got {} sent {}; \
         client closed (local, causes) {:?}; server {:?}",
        client.sent.len(),
        client.received.len(),
        echo.received.len(),
        echo.sent.len(),
        client
            .events
            .iter()
            .filter_map(close_causes)
            .collect::<Vec<_>>(),
        echo.events
            .iter()
            .filter_map(close_causes)
            .collect::<Vec<_>>(),
    );
    assert_eq!(abort, Some((false, vec![13])), "the ABORT on the wire");
    assert!(aborted_with(&echo.events, true, 13), "{:?}", echo.events);
    assert!(
        aborted_with(&client.events, false, 13),
        "{:?}",
        client.events
    );
    assert!(client.end.as_deref().is_some_and(|e| e.contains("closed")));
    // Nothing lost silently, either way.
    let server_got: HashSet<u32> = echo.received.iter().copied().collect();
    let client_failed = send_failed_ppids(&client.events);
    for i in &client.sent {
        assert!(
            server_got.contains(i) || client_failed.contains(i),
            "client message {i} lost silently"
        );
    }
    let client_got: HashSet<u32> = client.received.iter().copied().collect();
    let server_failed = send_failed_ppids(&echo.events);
    for i in &echo.sent {
        assert!(
            client_got.contains(i) || server_failed.contains(i),
            "echo of {i} lost silently"
        );
    }
    drop(pair);
}

/// What the server answered to one DATA chunk of the attacker.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Sack { cum: Tsn, a_rwnd: u32 },
    Abort { t_bit: bool, causes: Vec<u16> },
    Nothing,
}

/// Sends `chunk` (a DATA chunk with the I bit) from `port` with tag `vtag`
/// and waits for the server's answer (lock-step, so nothing is dropped on
/// the way and the abort point is exact).
fn data_step(atk: &mut RawPeer, port: u16, vtag: u32, our_tag: u32, chunk: Chunk<'_>) -> Answer {
    atk.send(port, vtag, &[chunk]);
    let deadline = Instant::now() + Duration::from_millis(500);
    while let Some(p) = atk.recv_to(port, deadline.saturating_duration_since(Instant::now())) {
        assert_eq!(header(&p).unwrap().2, our_tag, "the server's tag");
        if let Some((t_bit, causes)) = abort_causes(&p) {
            return Answer::Abort { t_bit, causes };
        }
        let mut sack = None;
        for_chunks(&p, |c| {
            if let Chunk::Sack(s) = c {
                sack = Some(Answer::Sack {
                    cum: s.cumulative_tsn_ack,
                    a_rwnd: s.a_rwnd,
                });
            }
        });
        if let Some(s) = sack {
            return s;
        }
    }
    Answer::Nothing
}

/// RFC 9260 section 6.2: once a_rwnd is 0, DATA beyond the highest TSN
/// received is dropped, and a new chunk below it replaces the highest chunk
/// held for reassembly, or, when none held can (partial delivery handed the
/// message up in pieces nobody reads), is taken only while the receiver
/// holds less than twice the window. A peer (the attacker, after a full
/// handshake of its own) that opens a far hole and then fills it with one
/// message that never ends (B without E, a new PPID on each fragment) gets
/// at most twice the window accepted: 210 KB offered, the heap bounded, no
/// abort (the reassembly bound is never reached), and the legitimate
/// association is untouched.
#[test]
fn rfc9260_6_2_endless_fragments_over_raw_sockets_stay_within_twice_the_receive_window() {
    let _g = serial();
    if !root() {
        return;
    }
    const WINDOW: u32 = 32 * 1024;
    const BOUND: usize = 64 * 1024;
    let (port, tag) = (40_300u16, 0x7e57_0003u32);
    let MisbehavingPeer {
        pair,
        server,
        mut atk,
        legit,
        info,
        base,
        assoc,
    } = MisbehavingPeer::start(
        "w",
        assoc_cfg()
            .receive_window(WINDOW)
            .max_reassembly_bytes(BOUND),
        port,
        tag,
    );
    let big = vec![0x3cu8; 1400];
    let heap_before = heap_in_use();
    let mut cum = base.prev();
    let (mut sacks, mut silent) = (0usize, 0usize);
    const FRAGMENTS: u32 = 150;
    // A message start far ahead opens a hole the endless message then fills.
    let far = fragment(base.add(5_000), 1, 0xdead, true, &big);
    let mut min_window = match data_step(&mut atk, port, info.initiate_tag, tag, far) {
        Answer::Sack { a_rwnd, .. } => a_rwnd,
        a => panic!("the far fragment got {a:?}"),
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    for k in 0..FRAGMENTS {
        assert!(Instant::now() < deadline, "too slow: {k} fragments");
        let f = fragment(base.add(k), 0, k.wrapping_mul(97), k == 0, &big);
        match data_step(&mut atk, port, info.initiate_tag, tag, f) {
            Answer::Sack { cum: c, a_rwnd } => {
                sacks += 1;
                min_window = min_window.min(a_rwnd);
                if c.is_after(cum) {
                    cum = c;
                }
            }
            Answer::Nothing => silent += 1,
            a @ Answer::Abort { .. } => panic!("aborted after {k} fragments: {a:?}"),
        }
    }
    let growth = heap_in_use() - heap_before;
    let accepted = cum.distance(base.prev()) as usize;
    let events = events_within(&assoc, Duration::from_millis(300));
    legit.wait_for(100);
    let client = legit.finish();
    let echo = server.finish();
    let offered = (FRAGMENTS as usize + 1) * big.len();
    eprintln!(
        "closed window: {offered} B of fragments offered, {accepted} accepted ({} B, \
         window {WINDOW}), {sacks} SACKs ({silent} unanswered), lowest a_rwnd {min_window}, \
         heap growth {growth} B; server events {events:?}",
        accepted * big.len()
    );
    assert!(offered > 3 * BOUND);
    assert_eq!(min_window, 0, "the window closed");
    // At most one chunk past twice the window: holes below the highest TSN
    // may still be filled at a closed window until the receiver holds twice
    // the window (with partial delivery the far fragment went up as a piece,
    // so none held can be dropped to make room).
    assert!(
        accepted * big.len() <= 2 * WINDOW as usize + big.len(),
        "{accepted} chunks held"
    );
    assert!(events.is_empty(), "{events:?}");
    // The held payload plus bookkeeping, and the legit traffic in flight.
    assert!(growth < 4 * WINDOW as isize, "heap grew {growth} B");
    assert_clean(&client, &echo);
    drop(pair);
}

/// RFC 9260 section 6.9 and 3.3.10.4: far-ahead fragments leave gaps never
/// filled; fragments that never end (B without E, a new PPID on each) then
/// fill the hole below them. max_reassembly_bytes (here below the receive
/// window) is the hard bound: the server aborts the attacker (after a full
/// handshake of its own) with Out of Resource as soon as it holds more, and
/// the legitimate association is untouched.
#[test]
fn rfc9260_3_3_10_4_endless_fragments_over_raw_sockets_abort_with_out_of_resource() {
    let _g = serial();
    if !root() {
        return;
    }
    const WINDOW: u32 = 256 * 1024;
    const BOUND: usize = 64 * 1024;
    let (port, tag) = (40_100u16, 0x7e57_0001u32);
    let MisbehavingPeer {
        pair,
        server,
        mut atk,
        legit,
        info,
        base,
        assoc,
    } = MisbehavingPeer::start(
        "r",
        assoc_cfg()
            .receive_window(WINDOW)
            .max_reassembly_bytes(BOUND),
        port,
        tag,
    );
    let big = vec![0xa5u8; 1400];
    let mut sent = 0usize;
    let mut windows = Vec::new();
    let mut abort = None;
    let mut step = |atk: &mut RawPeer, chunk: Chunk<'_>, sent: &mut usize| {
        *sent += big.len();
        match data_step(atk, port, info.initiate_tag, tag, chunk) {
            Answer::Sack { a_rwnd, .. } => windows.push(a_rwnd),
            Answer::Abort { t_bit, causes } => return Some((t_bit, causes)),
            Answer::Nothing => {}
        }
        None
    };
    // Gaps never filled: ten message starts far ahead, on ten streams.
    for k in 0..10u32 {
        let f = fragment(base.add(1_000 + 2 * k), 1 + k as u16, !k, true, &big);
        abort = abort.or(step(&mut atk, f, &mut sent));
    }
    // One message that never ends, a new PPID on every fragment.
    let mut k = 0u32;
    let deadline = Instant::now() + Duration::from_secs(15);
    while abort.is_none() && sent < 8 * BOUND {
        assert!(Instant::now() < deadline, "too slow: {k} fragments");
        let f = fragment(base.add(k), 0, k.wrapping_mul(97), k == 0, &big);
        abort = step(&mut atk, f, &mut sent);
        k += 1;
    }
    let events = events_within(&assoc, Duration::from_secs(2));
    legit.wait_for(100);
    let client = legit.finish();
    let echo = server.finish();
    eprintln!(
        "reassembly abuse: ABORT {abort:?} after {sent} B of fragments (window {WINDOW}, \
         bound {BOUND}), {} SACKs, lowest a_rwnd {:?}; server events {events:?}",
        windows.len(),
        windows.iter().min()
    );
    assert_eq!(abort, Some((false, vec![4])), "Out of Resource on the wire");
    assert!(
        windows.iter().all(|&w| w > 0),
        "the bound, not the window, stopped it"
    );
    assert!(sent > BOUND && sent <= BOUND + 2 * big.len(), "{sent} B");
    assert!(aborted_with(&events, true, 4), "{events:?}");
    assert_clean(&client, &echo);
    drop(pair);
}

/// RFC 9260 section 6.1 A: a receiver that never reads holds its window at
/// zero; the sender blocks (backpressure) and keeps probing at a bounded
/// rate, nobody busy-loops, the association is not failed, and once the
/// application reads every message arrives intact and in order.
#[test]
fn rfc9260_6_1_zero_window_held_over_raw_sockets_is_probed_not_failed() {
    let _g = serial();
    if !root() {
        return;
    }
    const N: u32 = 400;
    const HOLD: Duration = Duration::from_secs(4);
    let pair = NetnsPair::new("z");
    let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
    let server_cfg = assoc_cfg()
        .receive_window(32 * 1024)
        .max_message_size(64 * 1024);
    let server = Server::spawn(&pair.a, config(server_cfg), move |assoc| async move {
        let _ = release_rx.await;
        let mut got = 0u32;
        while let Some(m) = assoc.recv().await.unwrap() {
            assert_eq!(m.ppid, Ppid(got), "out of order");
            assert_eq!(m.payload, legit_msg(got).payload, "message {got} corrupted");
            got += 1;
        }
        let mut events = Vec::new();
        while let Ok(Some(e)) = timeout(Duration::from_secs(3), assoc.next_event()).await {
            events.push(e);
        }
        (got, events)
    });
    let mut watch_a = RawPeer::open(&pair.a);
    let mut watch_b = RawPeer::open(&pair.b);
    let progress = Arc::new(AtomicUsize::new(0));
    let p = progress.clone();
    let (port_tx, port_rx) = mpsc::channel();
    let client_cfg = assoc_cfg()
        .send_buffer(64 * 1024)
        .rto_max(Duration::from_secs(1));
    let client = in_netns(&pair.b, move || async move {
        let assoc = SctpAssociation::connect(server_addr(), config(client_cfg))
            .await
            .unwrap();
        port_tx.send(assoc.local_addr().port()).unwrap();
        for i in 0..N {
            let mut m = legit_msg(i);
            m.stream_id = 0;
            assoc.send(m).await.unwrap();
            p.store(i as usize + 1, Ordering::Relaxed);
        }
        assoc.shutdown().await.unwrap();
        let mut events = Vec::new();
        while let Ok(Some(e)) = timeout(Duration::from_secs(3), assoc.next_event()).await {
            events.push(e);
        }
        events
    });
    let client_port = port_rx.recv_timeout(LIMIT).expect("client connected");
    // Wait for the sender to block: no progress for a second.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last = (usize::MAX, Instant::now());
    loop {
        let now = progress.load(Ordering::Relaxed);
        if now != last.0 {
            last = (now, Instant::now());
        } else if last.1.elapsed() > Duration::from_secs(1) {
            break;
        }
        assert!(Instant::now() < deadline, "the sender never blocked");
        std::thread::sleep(Duration::from_millis(20));
    }
    let blocked_at = last.0;
    assert!(blocked_at < N as usize, "no backpressure: all {N} sent");
    // Hold the window shut; count the packets each way.
    while watch_a.recv(Duration::ZERO).is_some() {}
    while watch_b.recv(Duration::ZERO).is_some() {}
    let cpu_before = cpu_time();
    let start = Instant::now();
    let (mut probes, mut to_server, mut sacks, mut windows) = (0usize, 0usize, 0usize, Vec::new());
    while start.elapsed() < HOLD {
        let left = HOLD.saturating_sub(start.elapsed());
        if let Some(pk) = watch_a.recv(left.min(Duration::from_millis(20)))
            && header(pk).is_some_and(|(s, d, _)| s == client_port && d == PORT)
        {
            to_server += 1;
            if has_chunk(pk, |c| matches!(c, Chunk::Data(_) | Chunk::IData(_))) {
                probes += 1;
            }
        }
        while let Some(pk) = watch_b.recv(Duration::ZERO) {
            if header(pk).is_some_and(|(s, d, _)| s == PORT && d == client_port) {
                for_chunks(pk, |c| {
                    if let Chunk::Sack(s) = c {
                        sacks += 1;
                        windows.push(s.a_rwnd);
                    }
                });
            }
        }
    }
    let cpu = cpu_time() - cpu_before;
    let still_blocked = progress.load(Ordering::Relaxed);
    let _ = release_tx.send(());
    let client_events = client.join().expect("client");
    let (got, server_events) = server.finish();
    eprintln!(
        "zero window: sender blocked after {blocked_at} messages; held {HOLD:?}: \
         {to_server} packets to the server ({probes} with DATA), {sacks} SACKs back \
         (a_rwnd {windows:?}), CPU {cpu:?}; then {got} delivered"
    );
    assert_eq!(
        still_blocked, blocked_at,
        "the sender got through a closed window"
    );
    assert!(windows.iter().all(|&w| w < 1500), "{windows:?}");
    // Probes back off to RTO.max (1 s): a handful, not a stream.
    assert!(probes >= 1, "the sender stopped probing");
    assert!(probes <= 10, "{probes} probes in {HOLD:?}");
    assert!(
        to_server <= 20 && sacks <= 20,
        "{to_server} packets, {sacks} SACKs"
    );
    assert!(cpu < HOLD / 10, "CPU {cpu:?} over {HOLD:?}: a busy loop");
    assert_eq!(got, N, "not every message arrived");
    assert_graceful_shutdown(&client_events, &server_events);
    drop(pair);
}

/// RFC 9260 section 8.1 and 6.3.3 E2: a peer (the attacker, after a full
/// handshake) that never acknowledges is declared unreachable after
/// Association.Max.Retrans consecutive T3-rtx expiries, with backoff rather
/// than a busy loop; the unacknowledged messages come back as send failures
/// and the legitimate association keeps echoing.
#[test]
fn rfc9260_8_1_silent_peer_over_raw_sockets_is_reported_lost() {
    let _g = serial();
    if !root() {
        return;
    }
    const MAX_RETRANS: u32 = 4;
    let server_cfg = assoc_cfg()
        .rto_initial(Duration::from_millis(100))
        .rto_min(Duration::from_millis(100))
        .rto_max(Duration::from_millis(400))
        .assoc_max_retrans(MAX_RETRANS)
        .path_max_retrans(MAX_RETRANS);
    let (port, tag) = (40_200u16, 0x51_1e47u32);
    let MisbehavingPeer {
        pair,
        server,
        mut atk,
        legit,
        assoc,
        ..
    } = MisbehavingPeer::start("l", server_cfg, port, tag);
    let assoc = Arc::new(assoc);
    legit.slow.store(true, Ordering::Relaxed);
    let progress_before = legit.progress();
    let cpu_before = cpu_time();
    let start = Instant::now();
    let a = assoc.clone();
    let waiter = std::thread::spawn(move || {
        block_on(async {
            for i in 0..10u32 {
                a.send(Message::new(
                    0,
                    Ppid(2000 + i),
                    Bytes::from(vec![i as u8; 600]),
                ))
                .await
                .unwrap();
            }
            let mut events = Vec::new();
            while let Some(e) = a.next_event().await {
                let lost = e == AssociationEvent::Closed(CloseReason::CommunicationLost);
                events.push(e);
                if lost {
                    break;
                }
            }
            (start.elapsed(), events)
        })
    });
    // The attacker stays silent and only counts what arrives.
    let (mut data_packets, mut others) = (0usize, Vec::new());
    while !waiter.is_finished() {
        if let Some(p) = atk.recv_to(port, Duration::from_millis(20)) {
            if has_chunk(&p, |c| matches!(c, Chunk::Data(_))) {
                data_packets += 1;
            } else {
                others.push(chunk_types(&p));
            }
        }
    }
    let (took, mut events) = waiter.join().expect("waiter");
    let cpu = cpu_time() - cpu_before;
    let echoed = legit.progress() - progress_before;
    legit.slow.store(false, Ordering::Relaxed);
    events.extend(events_within(&assoc, Duration::from_millis(200)));
    legit.wait_for(100);
    let client = legit.finish();
    let echo = server.finish();
    let failed = send_failed_ppids(&events);
    eprintln!(
        "silent peer: communication lost after {took:?}, {data_packets} DATA packets and \
         other packets with chunk types {others:?} to the peer, CPU {cpu:?}, {} send failures, \
         {echoed} messages echoed meanwhile (paced)",
        failed.len()
    );
    assert!(
        events.contains(&AssociationEvent::Closed(CloseReason::CommunicationLost)),
        "{events:?}"
    );
    // RTO 100 ms doubling to 400 ms: 0.1 + 0.2 + 0.4 + 0.4 + 0.4 = 1.5 s.
    assert!(took >= Duration::from_millis(1_000), "{took:?}");
    assert!(took <= Duration::from_secs(6), "{took:?}");
    assert!(
        data_packets <= 10 * (MAX_RETRANS as usize + 2),
        "{data_packets} DATA packets"
    );
    assert!(cpu < took / 5, "CPU {cpu:?} in {took:?}: a busy loop");
    assert!(echoed > 0, "the legit association stalled");
    for i in 0..10u32 {
        assert!(failed.contains(&(2000 + i)), "message {i} lost silently");
    }
    assert_clean(&client, &echo);
    drop(pair);
}
