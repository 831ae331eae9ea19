//! The driver task: one per socket. It owns the socket, the [`Endpoint`] and
//! the associations, and talks to the user handles through shared queues.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use sctp_core::{
    Association, AssociationHandle, CloseReason, DatagramEvent, Endpoint, ErrorCause, Event,
    Message,
};
use tokio::io::{Interest, Ready};
use tokio::sync::Notify;
use tracing::{Span, debug, debug_span, trace};

use crate::association::SctpAssociation;
use crate::sys::{self, RecvBatch};
use crate::transport::{self, Io, Kind, TxBatch};
use crate::{AssociationEvent, now};

/// Receive batches handled per socket wakeup before transmitting.
const RECV_ROUNDS: usize = 8;

/// Received packets of one association between transmits within a batch.
const TRANSMIT_EVERY: u8 = 8;

/// Locks, ignoring poisoning (the protected queues stay consistent).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Waits until `f` returns `Some`, re-checking whenever `notify` fires.
/// Cancel-safe: `f` runs under the lock, so it either completes or did nothing.
pub(crate) async fn wait_until<S, T>(
    state: &Mutex<S>,
    notify: &Notify,
    mut f: impl FnMut(&mut S) -> Option<T>,
) -> T {
    loop {
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if let Some(v) = f(&mut lock(state)) {
            return v;
        }
        notified.await;
    }
}

/// What a user handle asks of the driver.
#[derive(Debug)]
pub(crate) enum Command {
    Shutdown(AssociationHandle),
    Abort(AssociationHandle),
    Dropped(AssociationHandle),
    ListenerDropped,
}

#[derive(Debug, Default)]
struct DriverInbox {
    /// Associations with queued messages or freed receive space.
    dirty: Vec<AssociationHandle>,
    commands: Vec<Command>,
}

/// The driver's mailbox.
#[derive(Debug, Default)]
pub(crate) struct DriverShared {
    inbox: Mutex<DriverInbox>,
    notify: Notify,
}

impl DriverShared {
    pub(crate) fn command(&self, c: Command) {
        lock(&self.inbox).commands.push(c);
        self.notify.notify_one();
    }

    pub(crate) fn mark_dirty(&self, h: AssociationHandle) {
        lock(&self.inbox).dirty.push(h);
        self.notify.notify_one();
    }
}

/// Per-association state shared between the driver and the user handle.
#[derive(Debug)]
pub(crate) struct AssocState {
    pub(crate) inbox: VecDeque<Message>,
    pub(crate) inbox_bytes: usize,
    /// The driver stops taking messages from the engine beyond this (so the
    /// peer sees our receive window close when the user does not read).
    pub(crate) inbox_limit: usize,
    /// The driver left messages in the engine because the inbox was full.
    pub(crate) events_blocked: bool,
    pub(crate) events: VecDeque<AssociationEvent>,
    pub(crate) outbox: VecDeque<Message>,
    pub(crate) outbox_bytes: usize,
    /// The engine's buffered amount when the driver last looked.
    pub(crate) engine_buffered: usize,
    pub(crate) send_buffer: usize,
    pub(crate) max_message_size: usize,
    pub(crate) outbound_streams: u16,
    /// The association's path MTU when the driver last looked.
    pub(crate) path_mtu: usize,
    /// The handle is in the driver's dirty list already.
    pub(crate) dirty_pending: bool,
    pub(crate) connected: bool,
    pub(crate) shutting_down: bool,
    /// No more messages will arrive (peer shut down, or shutdown completed).
    pub(crate) recv_done: bool,
    pub(crate) shutdown_complete: bool,
    pub(crate) closed: Option<CloseReason>,
    /// The association is gone from the driver.
    pub(crate) finished: bool,
}

/// The shared half of an association.
#[derive(Debug)]
pub(crate) struct AssocShared {
    pub(crate) state: Mutex<AssocState>,
    pub(crate) notify: Notify,
}

impl AssocShared {
    fn new(assoc: &Association, config: &sctp_core::AssociationConfig) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(AssocState {
                inbox: VecDeque::new(),
                inbox_bytes: 0,
                inbox_limit: (config.receive_window as usize).max(config.max_message_size),
                events_blocked: false,
                events: VecDeque::new(),
                outbox: VecDeque::new(),
                outbox_bytes: 0,
                engine_buffered: 0,
                send_buffer: config.send_buffer,
                max_message_size: config.max_message_size,
                outbound_streams: assoc.outbound_streams(),
                path_mtu: assoc.path_mtu(),
                dirty_pending: false,
                connected: false,
                shutting_down: false,
                recv_done: false,
                shutdown_complete: false,
                closed: None,
                finished: false,
            }),
            notify: Notify::new(),
        })
    }
}

/// Accepted associations waiting for `accept`.
#[derive(Debug, Default)]
pub(crate) struct ListenerQueue {
    pub(crate) ready: VecDeque<SctpAssociation>,
    pub(crate) stopped: bool,
}

/// The shared half of a listener.
#[derive(Debug, Default)]
pub(crate) struct ListenerShared {
    pub(crate) queue: Mutex<ListenerQueue>,
    pub(crate) notify: Notify,
}

#[derive(Debug)]
struct Entry {
    assoc: Association,
    shared: Arc<AssocShared>,
    /// The peer's UDP port (UDP transport).
    udp_port: u16,
    span: Span,
    user_alive: bool,
    touched: bool,
    /// Packets handled since the last transmit.
    since_transmit: u8,
}

/// Everything the driver owns but the socket.
#[derive(Debug)]
pub(crate) struct Driver {
    endpoint: Endpoint,
    config: sctp_core::AssociationConfig,
    entries: HashMap<AssociationHandle, Entry>,
    touched: Vec<AssociationHandle>,
    spare_dirty: Vec<AssociationHandle>,
    spare_commands: Vec<Command>,
    tx: TxBatch,
    rx: RecvBatch,
    shared: Arc<DriverShared>,
    listener: Option<Arc<ListenerShared>>,
    listen_port: u16,
    local_ip: IpAddr,
    /// Port reservations held while the driver runs.
    _reservations: Vec<std::net::UdpSocket>,
}

/// What a new driver is for.
#[derive(Debug)]
pub(crate) struct DriverSetup {
    pub(crate) endpoint: Endpoint,
    pub(crate) config: sctp_core::AssociationConfig,
    pub(crate) listener: Option<(Arc<ListenerShared>, u16)>,
    pub(crate) local_ip: IpAddr,
    pub(crate) reservations: Vec<std::net::UdpSocket>,
}

impl Driver {
    pub(crate) fn new(setup: DriverSetup) -> Self {
        let slot = setup.config.path_mtu.clamp(1500, 65535);
        let (listener, listen_port) = match setup.listener {
            Some((l, p)) => (Some(l), p),
            None => (None, 0),
        };
        Self {
            endpoint: setup.endpoint,
            config: setup.config,
            entries: HashMap::new(),
            touched: Vec::new(),
            spare_dirty: Vec::new(),
            spare_commands: Vec::new(),
            tx: TxBatch::new(slot),
            rx: RecvBatch::new(transport::RECV_SLOT),
            shared: Arc::new(DriverShared::default()),
            listener,
            listen_port,
            local_ip: setup.local_ip,
            _reservations: setup.reservations,
        }
    }

    pub(crate) fn shared(&self) -> Arc<DriverShared> {
        self.shared.clone()
    }

    /// Adds an association started with [`Endpoint::connect`]; returns its shared half.
    pub(crate) fn add_client(
        &mut self,
        handle: AssociationHandle,
        assoc: Association,
        udp_port: u16,
    ) -> Arc<AssocShared> {
        let shared = AssocShared::new(&assoc, &self.config);
        self.insert(handle, assoc, shared.clone(), udp_port);
        shared
    }

    fn insert(
        &mut self,
        handle: AssociationHandle,
        assoc: Association,
        shared: Arc<AssocShared>,
        udp_port: u16,
    ) {
        let span = debug_span!(
            "sctp_association",
            remote = %assoc.remote(),
            local_port = assoc.local_port(),
            vtag = %format_args!("{:08x}", assoc.local_verification_tag().0),
        );
        span.in_scope(|| debug!("association created"));
        self.entries.insert(
            handle,
            Entry {
                assoc,
                shared,
                udp_port,
                span,
                user_alive: true,
                touched: false,
                since_transmit: 0,
            },
        );
        self.touch(handle);
    }

    fn touch(&mut self, h: AssociationHandle) {
        if let Some(e) = self.entries.get_mut(&h)
            && !e.touched
        {
            e.touched = true;
            self.touched.push(h);
        }
    }

    /// Runs until no handle and no association is left.
    pub(crate) async fn run(mut self, io: Io) {
        let shared = self.shared.clone();
        let sleep = tokio::time::sleep(std::time::Duration::from_secs(3600));
        tokio::pin!(sleep);
        loop {
            let now = now();
            self.process_inbox(now);
            self.handle_timeouts(now);
            self.flush(&io, now).await;
            if self.tx.saw_msgsize {
                self.tx.saw_msgsize = false;
                self.drain_errors(&io);
            }
            if self.listener.is_none() && self.entries.is_empty() && !self.lingers(&io) {
                break;
            }
            let deadline = self.next_deadline(&io);
            if let Some(d) = deadline {
                sleep.as_mut().reset(tokio::time::Instant::from_std(d));
            }
            tokio::select! {
                r = io.fd.ready(Interest::READABLE | Interest::ERROR) => {
                    let mut guard = match r {
                        Ok(g) => g,
                        Err(e) => {
                            debug!(error = %e, "socket failed; driver stops");
                            break;
                        }
                    };
                    let ready = guard.ready();
                    if ready.is_error() {
                        self.drain_errors(&io);
                        guard.clear_ready_matching(Ready::ERROR);
                    }
                    if ready.is_readable() {
                        for _ in 0..RECV_ROUNDS {
                            match self.rx.recv(io.fd.as_raw_fd()) {
                                Ok(n) => self.handle_batch(&io, n).await,
                                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                                    guard.clear_ready_matching(Ready::READABLE);
                                    break;
                                }
                                Err(e) => {
                                    trace!(error = %e, "receive error");
                                    self.drain_errors(&io);
                                    break;
                                }
                            }
                        }
                    }
                }
                () = shared.notify.notified() => {}
                () = &mut sleep, if deadline.is_some() => {}
            }
        }
        self.stop();
    }

    /// Marks everything finished so no user handle waits forever.
    fn stop(&mut self) {
        for (h, e) in self.entries.drain() {
            self.endpoint.forget(h);
            let mut s = lock(&e.shared.state);
            s.finish();
            if s.closed.is_none() && !s.shutdown_complete {
                s.closed = Some(CloseReason::LocalAbort(Vec::new()));
            }
            drop(s);
            e.shared.notify.notify_waiters();
        }
        if let Some(l) = self.listener.take() {
            lock(&l.queue).stopped = true;
            l.notify.notify_waiters();
        }
        debug!("driver stopped");
    }

    fn process_inbox(&mut self, now: Instant) {
        {
            let mut inbox = lock(&self.shared.inbox);
            std::mem::swap(&mut inbox.dirty, &mut self.spare_dirty);
            std::mem::swap(&mut inbox.commands, &mut self.spare_commands);
        }
        let mut dirty = std::mem::take(&mut self.spare_dirty);
        for h in dirty.drain(..) {
            if let Some(e) = self.entries.get(&h) {
                lock(&e.shared.state).dirty_pending = false;
                self.touch(h);
            }
        }
        self.spare_dirty = dirty;
        let mut commands = std::mem::take(&mut self.spare_commands);
        for c in commands.drain(..) {
            match c {
                Command::ListenerDropped => {
                    self.endpoint.unlisten(self.listen_port);
                    if let Some(l) = self.listener.take() {
                        lock(&l.queue).stopped = true;
                        l.notify.notify_waiters();
                    }
                }
                Command::Shutdown(h) | Command::Abort(h) | Command::Dropped(h) => {
                    let Some(e) = self.entries.get_mut(&h) else {
                        continue;
                    };
                    let span = e.span.clone();
                    let _g = span.enter();
                    match c {
                        Command::Shutdown(_) => {
                            debug!("shutdown requested");
                            feed_outbox(e);
                            e.assoc.shutdown(now);
                        }
                        Command::Abort(_) => {
                            debug!("abort requested");
                            // User-Initiated Abort (cause 12) without a reason.
                            e.assoc.abort(vec![ErrorCause {
                                code: 12,
                                info: Vec::new(),
                            }]);
                        }
                        _ => {
                            debug!("user handle dropped: shutting down");
                            e.user_alive = false;
                            feed_outbox(e);
                            let mut s = lock(&e.shared.state);
                            s.inbox.clear();
                            s.inbox_bytes = 0;
                            drop(s);
                            e.assoc.shutdown(now);
                        }
                    }
                    drop(_g);
                    self.touch(h);
                }
            }
        }
        self.spare_commands = commands;
    }

    /// Whether a client driver whose associations are gone stays a while
    /// (like TCP's TIME-WAIT) to answer what their peers still send, e.g. a
    /// SHUTDOWN ACK resent because our SHUTDOWN COMPLETE was lost (RFC 9260
    /// section 8.4 rule 5). Only over raw IP, where the port is an ephemeral
    /// one of ours; a UDP socket's fixed port is released at once for reuse.
    fn lingers(&self, io: &Io) -> bool {
        io.kind != Kind::Udp && self.listener.is_none() && self.endpoint.poll_timeout().is_some()
    }

    fn handle_timeouts(&mut self, now: Instant) {
        self.endpoint.handle_timeout(now);
        for (h, e) in &mut self.entries {
            if e.assoc.poll_timeout().is_some_and(|t| t <= now) {
                e.assoc.handle_timeout(now);
                if !e.touched {
                    e.touched = true;
                    self.touched.push(*h);
                }
            }
        }
    }

    fn next_deadline(&self, io: &Io) -> Option<Instant> {
        let linger = self
            .lingers(io)
            .then(|| self.endpoint.poll_timeout())
            .flatten();
        self.entries
            .values()
            .filter_map(|e| e.assoc.poll_timeout())
            .chain(linger)
            .min()
    }

    async fn handle_batch(&mut self, io: &Io, n: usize) {
        let now = now();
        for i in 0..n {
            if self.tx.is_full() {
                self.tx.flush(io).await;
            }
            let data = self.rx.packet(i);
            let Some(rcv) = transport::parse(io.kind, data, &self.rx.meta[i]) else {
                continue;
            };
            let sctp = &data[rcv.range.0..rcv.range.1];
            let local = SocketAddr::new(rcv.dst.unwrap_or(self.local_ip), 0);
            let remote = SocketAddr::new(rcv.src.ip(), 0);
            let slot = self.tx.slot_mut();
            match self.endpoint.handle(now, remote, local, sctp, slot) {
                Some(DatagramEvent::Association(h)) => {
                    if let Some(e) = self.entries.get_mut(&h) {
                        e.assoc.handle_packet(now, sctp);
                        if io.kind == Kind::Udp {
                            e.udp_port = rcv.src.port();
                        }
                        if !e.touched {
                            e.touched = true;
                            self.touched.push(h);
                        }
                        // Transmit every few packets rather than once per
                        // batch: one SACK per 32-packet batch would slow the
                        // peer's slow start (it grows by one MTU per SACK).
                        e.since_transmit += 1;
                        if e.since_transmit < TRANSMIT_EVERY {
                            continue;
                        }
                        e.since_transmit = 0;
                        loop {
                            if self.tx.is_full() {
                                self.tx.flush(io).await;
                            }
                            let Some(t) = e.assoc.poll_transmit(now, self.tx.slot_mut()) else {
                                break;
                            };
                            let dest = match io.kind {
                                Kind::Udp => SocketAddr::new(t.destination.ip(), e.udp_port),
                                _ => t.destination,
                            };
                            self.tx.commit(dest, t.size);
                        }
                    }
                }
                Some(DatagramEvent::NewAssociation(h, assoc)) => {
                    self.accept_new(h, *assoc, rcv.src.port(), local.ip());
                }
                Some(DatagramEvent::Response(t)) => {
                    let dest = match io.kind {
                        Kind::Udp => SocketAddr::new(t.destination.ip(), rcv.src.port()),
                        _ => t.destination,
                    };
                    self.tx.commit(dest, t.size);
                }
                None => {}
            }
        }
    }

    fn accept_new(&mut self, h: AssociationHandle, assoc: Association, udp_port: u16, ip: IpAddr) {
        let shared = AssocShared::new(&assoc, &self.config);
        let remote = assoc.remote();
        let local = SocketAddr::new(ip, assoc.local_port());
        self.insert(h, assoc, shared.clone(), udp_port);
        let handle = SctpAssociation::new(self.shared.clone(), shared, h, remote, local);
        match &self.listener {
            Some(l) => {
                lock(&l.queue).ready.push_back(handle);
                l.notify.notify_waiters();
            }
            // Not listening any more: dropping the handle shuts it down.
            None => drop(handle),
        }
    }

    fn drain_errors(&mut self, io: &Io) {
        let fd = io.fd.as_raw_fd();
        for _ in 0..64 {
            let Ok(Some(report)) = sys::recv_err(fd) else {
                break;
            };
            trace!(?report, "error queue");
            let (Some(mtu), Some(dest)) = (report.path_mtu(), report.dest) else {
                trace!(?report, "socket error report");
                continue;
            };
            // New data is fragmented to the lowered MTU at once. Chunks sent
            // before it keep their size: the engine retransmits them whole in
            // a larger packet, which goes out with IP fragmentation (see
            // `TxBatch::flush`).
            for (h, e) in &mut self.entries {
                if e.assoc.remote().ip() == dest.ip() && mtu < e.assoc.path_mtu() {
                    let _g = e.span.enter();
                    debug!(mtu, "path MTU lowered");
                    e.assoc.set_path_mtu(mtu);
                    if !e.touched {
                        e.touched = true;
                        self.touched.push(*h);
                    }
                }
            }
        }
    }

    /// Feeds queued messages, transmits and delivers events for every touched association.
    async fn flush(&mut self, io: &Io, now: Instant) {
        let mut touched = std::mem::take(&mut self.touched);
        for h in touched.drain(..) {
            let Some(e) = self.entries.get_mut(&h) else {
                continue;
            };
            e.touched = false;
            feed_outbox(e);
            loop {
                if self.tx.is_full() {
                    self.tx.flush(io).await;
                }
                let Some(t) = e.assoc.poll_transmit(now, self.tx.slot_mut()) else {
                    break;
                };
                let dest = match io.kind {
                    Kind::Udp => SocketAddr::new(t.destination.ip(), e.udp_port),
                    _ => t.destination,
                };
                self.tx.commit(dest, t.size);
            }
            if deliver_events(e) {
                let _g = e.span.enter();
                debug!("association finished");
                drop(_g);
                let e = self.entries.remove(&h).expect("entry present");
                self.endpoint.forget(h);
                lock(&e.shared.state).finish();
                e.shared.notify.notify_waiters();
            }
        }
        self.touched = touched;
        self.tx.flush(io).await;
    }
}

impl AssocState {
    /// The association is gone for good. Messages `send` queued after the
    /// driver last fed the engine never reached it: each is reported as a
    /// send failure, never dropped silently.
    fn finish(&mut self) {
        self.finished = true;
        self.outbox_bytes = 0;
        while let Some(m) = self.outbox.pop_front() {
            self.events.push_back(AssociationEvent::SendFailed(m));
        }
    }
}

/// Moves the user's queued messages into the engine while it has room.
fn feed_outbox(e: &mut Entry) {
    let mut s = lock(&e.shared.state);
    let mut failed = false;
    while let Some(m) = s.outbox.pop_front() {
        let len = m.payload.len();
        match e
            .assoc
            .send(m.stream_id, m.ppid, m.payload.clone(), m.unordered)
        {
            Ok(()) => s.outbox_bytes -= len,
            Err(sctp_core::SendError::BufferFull { .. }) => {
                s.outbox.push_front(m);
                break;
            }
            Err(err) => {
                trace!(error = %err, "queued message refused");
                s.outbox_bytes -= len;
                s.events.push_back(AssociationEvent::SendFailed(m));
                failed = true;
            }
        }
    }
    let buffered = e.assoc.buffered_amount();
    // Acknowledgements freed room: wake senders waiting for it.
    failed |= buffered < s.engine_buffered;
    s.engine_buffered = buffered;
    drop(s);
    if failed {
        e.shared.notify.notify_waiters();
    }
}

/// Moves engine events to the user handle; true when the association is finished.
fn deliver_events(e: &mut Entry) -> bool {
    let mut s = lock(&e.shared.state);
    let mut changed = false;
    let closed = e.assoc.is_closed();
    let buffered = e.assoc.buffered_amount();
    if buffered != s.engine_buffered {
        changed |= buffered < s.engine_buffered;
        s.engine_buffered = buffered;
    }
    s.path_mtu = e.assoc.path_mtu();
    s.events_blocked = false;
    loop {
        if !closed && e.user_alive && s.inbox_bytes >= s.inbox_limit {
            s.events_blocked = true;
            break;
        }
        let Some(ev) = e.assoc.poll_event() else {
            break;
        };
        changed = true;
        match ev {
            Event::Message(m) => {
                if e.user_alive {
                    s.inbox_bytes += m.payload.len();
                    s.inbox.push_back(m);
                }
            }
            Event::Connected => {
                let _g = e.span.enter();
                debug!("association established");
                s.connected = true;
                s.outbound_streams = e.assoc.outbound_streams();
            }
            Event::SendFailed { message } => {
                s.events.push_back(AssociationEvent::SendFailed(message));
            }
            Event::PeerRestarted => {
                let _g = e.span.enter();
                debug!("peer restarted");
                s.events.push_back(AssociationEvent::PeerRestarted);
            }
            Event::ShutdownReceived => {
                let _g = e.span.enter();
                debug!("peer shut down");
                s.recv_done = true;
                s.shutting_down = true;
                s.events.push_back(AssociationEvent::ShutdownReceived);
            }
            Event::ShutdownComplete => {
                let _g = e.span.enter();
                debug!("shutdown complete");
                s.recv_done = true;
                s.shutdown_complete = true;
                s.events.push_back(AssociationEvent::ShutdownComplete);
            }
            Event::Closed(reason) => {
                let _g = e.span.enter();
                debug!(%reason, "association closed");
                s.closed = Some(reason.clone());
                s.events.push_back(AssociationEvent::Closed(reason));
            }
            other => trace!(?other, "unhandled event"),
        }
    }
    if !e.user_alive {
        s.events.clear();
        s.inbox.clear();
        s.inbox_bytes = 0;
    }
    drop(s);
    if changed {
        e.shared.notify.notify_waiters();
    }
    closed
}

#[cfg(test)]
mod tests {
    use super::*;
    use sctp_core::{AssociationConfig, EndpointConfig, Ppid};

    /// A `send` that queued a message just before the association ended
    /// (after the driver's last `feed_outbox`) gets it back as SendFailed.
    #[test]
    fn messages_queued_when_the_association_ends_are_reported_failed() {
        let config = AssociationConfig::default();
        let mut ep = Endpoint::new(EndpointConfig::default(), now());
        let peer = SocketAddr::from(([198, 18, 0, 2], 2905));
        let (_, assoc) = ep.connect(now(), 5000, peer).expect("connect");
        let shared = AssocShared::new(&assoc, &config);
        let mut s = lock(&shared.state);
        for i in 0..3u8 {
            s.outbox.push_back(Message {
                stream_id: 0,
                ppid: Ppid(u32::from(i)),
                unordered: false,
                payload: vec![i; 10].into(),
            });
            s.outbox_bytes += 10;
        }
        s.finish();
        assert!(s.finished && s.outbox.is_empty() && s.outbox_bytes == 0);
        let failed: Vec<u32> = s
            .events
            .iter()
            .map(|e| match e {
                AssociationEvent::SendFailed(m) => m.ppid.0,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(failed, [0, 1, 2]);
    }
}
