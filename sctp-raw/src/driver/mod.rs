//! The driver task: one per endpoint. It owns the sockets (one per address
//! family in use) and feeds the engine received packets and timer expiries;
//! everything the engine wants to send leaves through [`Driver::transmit`].
//! The engine state itself is shared with the user's handles (see
//! [`crate::shared`]).

mod timers;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use sctp_core::{AssociationHandle, CloseReason, DatagramEvent, State, Transmit};
use tokio::io::unix::AsyncFdReadyGuard;
use tokio::io::{Interest, Ready};
use tracing::{debug, trace};

use crate::association::SctpAssociation;
use crate::now;
use crate::pcap::PcapWriter;
use crate::shared::{AssocInner, AssocShared, EndpointShared, EndpointState, lock};
use crate::sys::{self, RecvBatch};
use crate::transport::{self, Io, Kind, TxBatch};
use timers::TimerQueue;

thread_local! {
    /// The receive buffers (32 slots of 64 KiB), one per thread rather than
    /// per endpoint: a batch is received and handled without an await in
    /// between, so the drivers a thread runs take turns with one set, and a
    /// process with many endpoints does not keep megabytes per endpoint.
    static RECV: std::cell::RefCell<RecvBatch> =
        std::cell::RefCell::new(RecvBatch::new(transport::RECV_SLOT));
}

/// Receive batches handled per socket wake-up before yielding.
const RECV_ROUNDS: usize = 8;

/// Received packets of one association between transmits within a batch:
/// one SACK per 32-packet batch would slow the peer's slow start (it grows
/// by one MTU per SACK).
const TRANSMIT_EVERY: u8 = 8;

/// Everything the driver owns.
pub(crate) struct Driver {
    shared: Arc<EndpointShared>,
    /// One transmit batch per socket.
    tx: Vec<TxBatch>,
    timers: TimerQueue,
    pcap: Option<PcapWriter>,
    /// Associations handled in the current batch, to transmit for at its end.
    touched: Vec<Arc<AssocShared>>,
    spare_dirty: Vec<AssociationHandle>,
    /// Associations that filled a transmit batch and have more to send.
    more: Vec<AssociationHandle>,
    /// Associations that ended this round: they count as finished once
    /// their last packets (ABORT, SHUTDOWN COMPLETE) left with the flush.
    closing: Vec<Arc<AssocShared>>,
    /// Raw IP (lingers after the last association, see `keeps_running`).
    raw: bool,
    /// Our UDP port (UDP transport).
    udp_local_port: u16,
    /// The sockets are bound to no one address: each packet names its source.
    unbound: bool,
    /// Port reservations held while the driver runs.
    _reservations: Vec<std::net::UdpSocket>,
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver").field("raw", &self.raw).finish()
    }
}

/// Waits for a socket to be readable; never resolves without one.
async fn ready(io: Option<&Io>) -> std::io::Result<AsyncFdReadyGuard<'_, socket2::Socket>> {
    match io {
        Some(io) => io.fd.ready(Interest::READABLE | Interest::ERROR).await,
        None => std::future::pending().await,
    }
}

impl Driver {
    pub(crate) fn new(
        shared: Arc<EndpointShared>,
        ios: &[Io],
        slot: usize,
        pcap: Option<PcapWriter>,
        udp_local_port: u16,
        reservations: Vec<std::net::UdpSocket>,
        server: bool,
    ) -> Self {
        let unbound = shared.local.ip().is_unspecified() || shared.multi;
        Self {
            shared,
            tx: ios.iter().map(|_| TxBatch::new(slot, server)).collect(),
            timers: TimerQueue::default(),
            pcap,
            touched: Vec::new(),
            spare_dirty: Vec::new(),
            more: Vec::new(),
            closing: Vec::new(),
            raw: ios.first().is_some_and(|io| io.kind != Kind::Udp),
            udp_local_port,
            unbound,
            _reservations: reservations,
        }
    }

    /// Runs until no handle, no association and nothing lingering is left.
    pub(crate) async fn run(mut self, ios: Vec<Io>) {
        let shared = self.shared.clone();
        let sleep = tokio::time::sleep(std::time::Duration::from_secs(3600));
        tokio::pin!(sleep);
        loop {
            let now = now();
            let (keep, deadline) = {
                let mut st = lock(&shared.state);
                self.round(&mut st, &ios, now);
                let keep = self.keeps_running(&st);
                let deadline = [self.timers.next_deadline(), st.proto.poll_timeout()]
                    .into_iter()
                    .flatten()
                    .min();
                (keep, deadline)
            };
            self.flush(&ios).await;
            self.finish_closed();
            if !keep {
                break;
            }
            if let Some(d) = deadline {
                sleep.as_mut().reset(tokio::time::Instant::from_std(d));
            }
            let (i, r) = tokio::select! {
                r = ready(ios.first()) => (0, r),
                r = ready(ios.get(1)) => (1, r),
                () = shared.notify.notified() => continue,
                () = &mut sleep, if deadline.is_some() => continue,
            };
            let mut guard = match r {
                Ok(g) => g,
                Err(e) => {
                    debug!(error = %e, "socket failed; driver stops");
                    break;
                }
            };
            let ready = guard.ready();
            if ready.is_error() {
                self.drain_errors(&ios[i]);
                guard.clear_ready_matching(Ready::ERROR);
            }
            if ready.is_readable() {
                for _ in 0..RECV_ROUNDS {
                    let fd = ios[i].fd.as_raw_fd();
                    let r = RECV.with_borrow_mut(|rx| {
                        let n = rx.recv(fd)?;
                        self.handle_batch(&ios, i, rx, n);
                        Ok::<_, std::io::Error>(())
                    });
                    match r {
                        Ok(()) => {
                            self.flush(&ios).await;
                            self.finish_closed();
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            guard.clear_ready_matching(Ready::READABLE);
                            break;
                        }
                        Err(e) => {
                            trace!(error = %e, "receive error");
                            self.drain_errors(&ios[i]);
                            break;
                        }
                    }
                }
            }
        }
        self.stop();
    }

    /// Marks the associations that ended as finished, now that their last
    /// packets went out, and wakes whoever waits on them: a program that
    /// exits once `shutdown` or `abort` completes loses nothing unsent.
    fn finish_closed(&mut self) {
        for a in self.closing.drain(..) {
            let mut inner = lock(&a.inner);
            inner.finished = true;
            inner.wake_all();
        }
    }

    /// Whether the driver is still needed. A client endpoint over raw IP
    /// whose associations are gone stays a while (like TCP's TIME-WAIT) to
    /// answer what their peers still send, e.g. a SHUTDOWN ACK resent
    /// because our SHUTDOWN COMPLETE was lost (RFC 9260 section 8.4 rule 5);
    /// its port is an ephemeral one. A server's well-known port, and a UDP
    /// socket's fixed port, are released at once for reuse.
    fn keeps_running(&self, st: &EndpointState) -> bool {
        st.handles > 0
            || !st.assocs.is_empty()
            || (self.raw && !st.server && st.proto.is_lingering())
    }

    /// Handles's requests and due timers.
    fn round(&mut self, st: &mut EndpointState, ios: &[Io], now: Instant) {
        std::mem::swap(&mut lock(&self.shared.mailbox).dirty, &mut self.spare_dirty);
        let mut dirty = std::mem::take(&mut self.spare_dirty);
        for h in dirty.drain(..) {
            if let Some(a) = st.assocs.get(&h).cloned() {
                self.service(st, ios, &a, now, false);
            }
        }
        self.spare_dirty = dirty;
        while let Some((d, h)) = self.timers.pop_due(now) {
            let Some(a) = st.assocs.get(&h).cloned() else {
                continue;
            };
            {
                let mut inner = lock(&a.inner);
                if inner.scheduled != Some(d) {
                    continue;
                }
                inner.scheduled = None;
            }
            self.service(st, ios, &a, now, true);
        }
        if st.proto.poll_timeout().is_some_and(|t| t <= now) {
            st.proto.handle_timeout(now);
        }
    }

    /// Runs one association's timers (when `timed`), transmits what it has,
    /// wakes whoever waits on it, and forgets it once closed.
    fn service(
        &mut self,
        st: &mut EndpointState,
        ios: &[Io],
        a: &Arc<AssocShared>,
        now: Instant,
        timed: bool,
    ) {
        let mut inner = lock(&a.inner);
        inner.dirty = false;
        inner.since_transmit = 0;
        if timed && inner.assoc.poll_timeout().is_some_and(|t| t <= now) {
            inner.assoc.handle_timeout(now);
        }
        self.transmit(ios, a, &mut inner, now);
        if a.users.load(std::sync::atomic::Ordering::Acquire) == 0 {
            // Nobody reads: drop what arrives so the window stays open
            // while the shutdown completes.
            while inner.assoc.poll_event().is_some() {}
        } else {
            inner.recv_wakers.wake();
        }
        let buffered = inner.assoc.buffered_amount();
        if buffered < inner.buffered_seen {
            inner.send_wakers.wake();
        }
        inner.buffered_seen = buffered;
        let state = inner.assoc.state();
        if state != inner.state_seen {
            inner.state_seen = state;
            inner.state_wakers.wake();
            inner.send_wakers.wake();
        }
        if inner.assoc.is_closed() {
            debug!(remote = %a.remote, "association finished");
            drop(inner);
            self.closing.push(a.clone());
            st.assocs.remove(&a.handle);
            st.proto.forget(a.handle);
            if st.assocs.is_empty() {
                st.idle_wakers.wake();
            }
            return;
        }
        let deadline = inner.assoc.poll_timeout();
        let AssocInner { scheduled, .. } = &mut *inner;
        self.timers.schedule(scheduled, a.handle, deadline);
    }

    /// Transmits what an association has, through [`Driver::queue`], on
    /// the socket of its peer's family.
    fn transmit(&mut self, ios: &[Io], a: &AssocShared, inner: &mut AssocInner, now: Instant) {
        let i = socket_for(ios, a.remote.ip());
        let bound = if a.endpoint.multi {
            a.endpoint.bound()
        } else {
            Vec::new()
        };
        let multi = !bound.is_empty();
        loop {
            let tx = &mut self.tx[i];
            if tx.is_full() {
                // Send the batch once the locks are released (the user's
                // `send` waits on this association's lock meanwhile), then
                // come back for the rest.
                if !inner.dirty {
                    inner.dirty = true;
                    self.more.push(a.handle);
                }
                break;
            }
            let Some(t) = inner.assoc.poll_transmit(now, tx.slot_mut()) else {
                break;
            };
            let dest = t.destination.ip();
            let j = socket_for(ios, dest);
            if ios[j].v6 != dest.is_ipv6() {
                // A peer address of a family we have no socket for (it
                // listed it in its INIT): that path never confirms.
                continue;
            }
            // Each path has its own source address when multi-homed; the
            // association's address serves its own family.
            let from = if multi {
                inner.source_for(dest, &bound)
            } else if a.local.ip().is_ipv4() == dest.is_ipv4() {
                a.local.ip()
            } else if dest.is_ipv4() {
                Ipv4Addr::UNSPECIFIED.into()
            } else {
                Ipv6Addr::UNSPECIFIED.into()
            };
            if j != i {
                let packet = self.tx[i].slot_mut()[..t.size].to_vec();
                if self.tx[j].is_full() {
                    self.tx[j].try_flush(&ios[j]);
                }
                self.tx[j].slot_mut()[..t.size].copy_from_slice(&packet);
            }
            self.queue(&ios[j], j, t, from, inner.udp_port, inner.dscp);
        }
    }

    /// The one transmit path: queues the packet the engine (an association
    /// or the endpoint) wrote into socket `i`'s next slot. Here alone are a
    /// packet's destination (the peer's UDP port under encapsulation), its
    /// source address, its DSCP and its pcap record decided.
    fn queue(
        &mut self,
        io: &Io,
        i: usize,
        t: Transmit,
        from: IpAddr,
        peer_udp_port: u16,
        dscp: Option<u8>,
    ) {
        let udp = io.kind == Kind::Udp;
        let dest = if udp {
            SocketAddr::new(t.destination.ip(), peer_udp_port)
        } else {
            t.destination
        };
        let tx = &mut self.tx[i];
        if let Some(p) = &mut self.pcap {
            let ports = udp.then_some((self.udp_local_port, dest.port()));
            let _ = p.record(
                SystemTime::now(),
                from,
                dest.ip(),
                ports,
                &tx.slot_mut()[..t.size],
            );
        }
        // A socket bound to no one address is told each packet's source.
        let src = (self.unbound && !from.is_unspecified()).then_some(from);
        tx.commit(dest, t.size, src, dscp);
    }

    /// Handles the `n` packets socket `i` received into `rx`.
    fn handle_batch(&mut self, ios: &[Io], i: usize, rx: &RecvBatch, n: usize) {
        let now = now();
        let shared = self.shared.clone();
        let mut st = lock(&shared.state);
        let kind = ios[i].kind;
        for p in 0..n {
            let data = rx.packet(p);
            let Some(rcv) = transport::parse(kind, data, &rx.meta[p]) else {
                continue;
            };
            let data = &data[rcv.range.0..rcv.range.1];
            let local_ip = rcv.dst.unwrap_or(shared.local.ip());
            // A multi-homed endpoint's sockets see every address of the
            // host: only packets to its own are its.
            if shared.multi && !shared.is_ours(local_ip) {
                continue;
            }
            if let Some(pc) = &mut self.pcap {
                let ports = (kind == Kind::Udp).then_some((rcv.src.port(), self.udp_local_port));
                let _ = pc.record(SystemTime::now(), rcv.src.ip(), local_ip, ports, data);
            }
            let local = SocketAddr::new(local_ip, 0);
            let remote = SocketAddr::new(rcv.src.ip(), 0);
            let tx = &mut self.tx[i];
            if tx.is_full() {
                tx.try_flush(&ios[i]);
            }
            match st.proto.handle(now, remote, local, data, tx.slot_mut()) {
                Some(DatagramEvent::Association(h)) => {
                    let Some(a) = st.assocs.get(&h).cloned() else {
                        continue;
                    };
                    let mut inner = lock(&a.inner);
                    // The SCTP source port: the engine replies to the very address and port.
                    let sport = u16::from_be_bytes([data[0], data[1]]);
                    inner
                        .assoc
                        .handle_packet_from(now, SocketAddr::new(rcv.src.ip(), sport), data);
                    // New peer addresses (INIT ACK, ASCONF) become routes.
                    while let Some(ev) = inner.assoc.poll_endpoint_event() {
                        st.proto.handle_event(h, ev);
                    }
                    if kind == Kind::Udp {
                        inner.udp_port = rcv.src.port();
                    }
                    if !inner.dirty {
                        inner.dirty = true;
                        inner.since_transmit = 0;
                        self.touched.push(a.clone());
                    }
                    inner.since_transmit += 1;
                    if inner.since_transmit >= TRANSMIT_EVERY {
                        inner.since_transmit = 0;
                        self.transmit(ios, &a, &mut inner, now);
                    }
                }
                Some(DatagramEvent::NewAssociation(h, assoc)) => {
                    let udp_port = rcv.src.port();
                    let a = self.adopt(&mut st, h, *assoc, udp_port, local_ip);
                    lock(&a.inner).dirty = true;
                    self.touched.push(a);
                }
                Some(DatagramEvent::Response(t)) => {
                    self.queue(&ios[i], i, t, local_ip, rcv.src.port(), st.dscp);
                }
                None => {}
            }
        }
        let mut touched = std::mem::take(&mut self.touched);
        for a in touched.drain(..) {
            self.service(&mut st, ios, &a, now, false);
        }
        self.touched = touched;
    }

    /// Takes in an association a COOKIE ECHO created and queues it for `accept`.
    fn adopt(
        &mut self,
        st: &mut EndpointState,
        h: AssociationHandle,
        assoc: sctp_core::Association,
        udp_port: u16,
        local_ip: IpAddr,
    ) -> Arc<AssocShared> {
        let local = SocketAddr::new(local_ip, assoc.local_port());
        let remote = assoc.remote();
        debug!(%remote, "association accepted");
        let inner = AssocInner::new(assoc, udp_port, st.dscp);
        let a = Arc::new(AssocShared {
            inner: std::sync::Mutex::new(inner),
            handle: h,
            endpoint: self.shared.clone(),
            remote,
            local,
            users: std::sync::atomic::AtomicUsize::new(0),
        });
        st.assocs.insert(h, a.clone());
        let handle = SctpAssociation::from_shared(a.clone());
        if st.accepting {
            st.incoming.push_back(handle);
            st.accept_wakers.wake();
        } else {
            // Not accepting any more: dropping the handle shuts it down.
            drop(handle);
        }
        a
    }

    fn drain_errors(&mut self, io: &Io) {
        let fd = io.fd.as_raw_fd();
        let mut reports = Vec::new();
        for _ in 0..64 {
            let Ok(Some(report)) = sys::recv_err(fd) else {
                break;
            };
            trace!(?report, "error queue");
            if let (Some(mtu), Some(dest)) = (report.path_mtu(), report.dest) {
                reports.push((mtu, dest.ip()));
            }
        }
        if reports.is_empty() {
            return;
        }
        // New data is fragmented to the lowered MTU at once. Chunks sent
        // before it keep their size: the engine retransmits them whole in a
        // larger packet, which goes out with IP fragmentation (see
        // `TxBatch::flush`).
        let st = lock(&self.shared.state);
        let mut mark = Vec::new();
        for a in st.assocs.values() {
            for &(mtu, ip) in &reports {
                if a.remote.ip() != ip {
                    continue;
                }
                let mut inner = lock(&a.inner);
                if mtu < inner.assoc.path_mtu() {
                    debug!(remote = %a.remote, mtu, "path MTU lowered");
                    inner.assoc.set_path_mtu(mtu);
                    mark.push(a.handle);
                }
            }
        }
        drop(st);
        if !mark.is_empty() {
            lock(&self.shared.mailbox).dirty.extend(mark);
            self.shared.notify.notify_one();
        }
    }

    /// Sends every queued packet; a packet refused as too large means the
    /// error queue holds a new path MTU. Associations cut short by a full
    /// batch get another turn in the next round.
    async fn flush(&mut self, ios: &[Io]) {
        for (i, io) in ios.iter().enumerate() {
            self.tx[i].flush(io).await;
            if std::mem::take(&mut self.tx[i].saw_msgsize) {
                self.drain_errors(io);
            }
        }
        if let Some(p) = &mut self.pcap {
            let _ = p.flush();
        }
        if !self.more.is_empty() {
            lock(&self.shared.mailbox).dirty.append(&mut self.more);
            self.shared.notify.notify_one();
        }
    }

    /// Marks everything finished so no user waits forever.
    fn stop(&mut self) {
        self.finish_closed();
        let mut st = lock(&self.shared.state);
        st.stopped = true;
        st.accepting = false;
        let incoming: Vec<_> = st.incoming.drain(..).collect();
        let assocs: Vec<_> = st.assocs.drain().collect();
        for (h, a) in assocs {
            st.proto.forget(h);
            let mut inner = lock(&a.inner);
            inner.finished = true;
            if inner.assoc.state() != State::Closed {
                inner.driver_lost = Some(CloseReason::LocalAbort(Vec::new()));
            }
            inner.wake_all();
        }
        st.accept_wakers.wake();
        st.idle_wakers.wake();
        drop(st);
        drop(incoming);
        debug!("driver stopped");
    }
}

/// The socket for packets to `ip`: the one of its family when there are two.
fn socket_for(ios: &[Io], ip: IpAddr) -> usize {
    if ios.len() > 1 && ip.is_ipv6() == ios[1].v6 {
        1
    } else {
        0
    }
}
