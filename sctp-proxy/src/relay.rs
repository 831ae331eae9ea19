//! Relaying one front association: to one pinned backend association
//! (association mode) or message by message over an association to each
//! backend (message mode). Messages keep their stream, PPID and unordered
//! flag both ways.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use sctp_raw::{
    AssociationEvent, AssociationStatus, CloseReason, Error, EventMask, Message, SctpAssociation,
    SctpEndpoint, SendError,
};
use tokio::sync::mpsc;

use crate::backend::{Backend, Connector, Pool};
use crate::config::{Affinity, Mode};
use crate::filter::{DropReason, Filter, Rules};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::histogram::Histogram;

use crate::metrics::{
    BackendLabels, Direction, DirectionLabels, ListenerLabel, Metrics, ReasonLabels,
};

/// What the front associations of one listener share.
#[derive(Debug)]
pub(crate) struct ListenerCtx {
    /// The listener's name in logs and metrics (its first address).
    pub(crate) name: String,
    /// How it balances.
    pub(crate) mode: Mode,
    /// Which messages stay together (message mode).
    pub(crate) affinity: Affinity,
    /// Its filters.
    pub(crate) rules: Rules,
    /// Its backends.
    pub(crate) pool: Arc<Pool>,
    /// The metrics.
    pub(crate) metrics: Arc<Metrics>,
    /// The series every message touches, looked up once.
    pub(crate) hot: HotMetrics,
}

/// A listener's per-message series, kept so that relaying a message takes
/// no lookup by label.
#[derive(Debug)]
pub(crate) struct HotMetrics {
    messages: [Counter; 2],
    bytes: [Counter; 2],
    latency: [Histogram; 2],
    retried: Counter,
}

impl HotMetrics {
    /// The series of `listener`.
    pub(crate) fn new(metrics: &Metrics, listener: &str) -> Self {
        let d = |direction| DirectionLabels {
            listener: listener.to_owned(),
            direction,
        };
        let both = [d(Direction::front_to_back), d(Direction::back_to_front)];
        Self {
            messages: both
                .clone()
                .map(|l| metrics.messages.get_or_create_owned(&l)),
            bytes: both.clone().map(|l| metrics.bytes.get_or_create_owned(&l)),
            latency: both.map(|l| metrics.relay_latency.get_or_create_owned(&l)),
            retried: metrics.retried.get_or_create_owned(&ListenerLabel {
                listener: listener.to_owned(),
            }),
        }
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl ListenerCtx {
    /// Counts a message handed over, and how long it spent in the proxy.
    fn relayed(&self, direction: Direction, len: usize, since: Instant) {
        let i = direction as usize;
        self.hot.messages[i].inc();
        self.hot.bytes[i].inc_by(len as u64);
        self.hot.latency[i].observe(since.elapsed().as_secs_f64());
    }

    /// Hands a backend's message to the client, or counts why not; false
    /// once the client's association is gone.
    async fn to_front(&self, front: &SctpAssociation, m: Message) -> bool {
        let t0 = Instant::now();
        let len = m.payload.len();
        match front.send(m).await {
            Ok(()) => self.relayed(Direction::back_to_front, len, t0),
            Err(Error::Send(SendError::InvalidStream { .. })) => self.dropped(DropReason::NoStream),
            Err(Error::Send(SendError::TooLarge { .. })) => self.dropped(DropReason::TooLarge),
            Err(_) => return false,
        }
        true
    }

    fn dropped(&self, reason: DropReason) {
        self.metrics.drop_message(&self.name, reason);
    }

    /// Ends a front association the proxy cannot or will not serve, telling
    /// the client why in the ABORT (User-Initiated Abort cause).
    fn refuse(&self, front: &SctpAssociation, peer: SocketAddr, label: &str, why: &str) {
        tracing::warn!(listener = %self.name, %peer, reason = why, "front association refused");
        self.metrics
            .front_refused
            .get_or_create(&ReasonLabels {
                listener: self.name.clone(),
                reason: label.to_owned(),
            })
            .inc();
        front.abort_with_reason(format!("sctp-proxy: {why}").as_bytes());
    }

    fn back_gauge(&self, b: &Backend, delta: i64) {
        self.metrics
            .back_associations
            .get_or_create(&BackendLabels {
                listener: self.name.clone(),
                backend: b.addr.to_string(),
            })
            .inc_by(delta);
    }
}

/// Serves one front association until it ends.
pub(crate) async fn serve(ctx: Arc<ListenerCtx>, front: SctpAssociation, peer: SocketAddr) {
    // Only messages are read from the front; nothing is set aside.
    front.set_event_mask(EventMask::NONE);
    let l = ListenerLabel {
        listener: ctx.name.clone(),
    };
    ctx.metrics.front_accepted.get_or_create(&l).inc();
    ctx.metrics.front_associations.get_or_create(&l).inc();
    tracing::debug!(listener = %ctx.name, %peer, "front association established");
    match ctx.mode {
        Mode::Association => pinned(&ctx, &front, peer).await,
        Mode::Message => balanced(&ctx, &front, peer).await,
    }
    ctx.metrics.front_associations.get_or_create(&l).dec();
    tracing::debug!(listener = %ctx.name, %peer, "front association ended");
}

/// Whether every stream the client sends on exists at the backend, and
/// every stream the backend may send on exists towards the client.
fn streams_fit(
    front: &AssociationStatus,
    back: &AssociationStatus,
    addr: SocketAddr,
) -> Result<(), String> {
    if back.outbound_streams < front.inbound_streams {
        return Err(format!(
            "backend {addr} takes {} streams, the client may send on {}",
            back.outbound_streams, front.inbound_streams
        ));
    }
    if back.inbound_streams > front.outbound_streams {
        return Err(format!(
            "backend {addr} may send on {} streams, the client takes {}",
            back.inbound_streams, front.outbound_streams
        ));
    }
    Ok(())
}

/// The streams to ask a backend for: one for each the client may send on,
/// and no more than the client takes.
fn wanted_streams(front: &AssociationStatus) -> (u16, u16) {
    (front.inbound_streams, front.outbound_streams)
}

/// The client endpoints one front association reaches its backends from
/// (one per address family, on an ephemeral port).
struct Endpoints {
    connector: Connector,
    v4: Option<SctpEndpoint>,
    v6: Option<SctpEndpoint>,
}

impl Endpoints {
    fn new(connector: &Connector) -> Self {
        Self {
            connector: connector.clone(),
            v4: None,
            v6: None,
        }
    }

    async fn get(&mut self, addr: SocketAddr) -> Result<SctpEndpoint, Error> {
        let slot = if addr.is_ipv4() {
            &mut self.v4
        } else {
            &mut self.v6
        };
        if let Some(ep) = slot {
            return Ok(ep.clone());
        }
        let ep = self.connector.endpoint_for(addr).await?;
        *slot = Some(ep.clone());
        Ok(ep)
    }
}

/// Whether an association's end says its peer failed, rather than that it
/// ended it on purpose.
fn is_failure(e: &Error) -> bool {
    !matches!(
        e,
        Error::Closed(CloseReason::PeerAborted(_) | CloseReason::LocalAbort(_))
    )
}

/// Association mode: one backend association for the front's lifetime.
async fn pinned(ctx: &Arc<ListenerCtx>, front: &SctpAssociation, peer: SocketAddr) {
    let front_status = front.status();
    let mut endpoints = Endpoints::new(ctx.pool.connector());
    let mut tried = HashSet::new();
    let (backend, back) = loop {
        let Some(b) = ctx.pool.pick_for_association(&tried) else {
            ctx.refuse(front, peer, "no_backend", "no backend available");
            return;
        };
        tried.insert(b.addr);
        let r = match endpoints.get(b.addr).await {
            Ok(ep) => {
                ctx.pool
                    .connector()
                    .connect(&ep, b.addr, Some(wanted_streams(&front_status)))
                    .await
            }
            Err(e) => Err(e),
        };
        match r {
            Ok(a) => break (b, a),
            Err(e) => {
                tracing::warn!(listener = %ctx.name, backend = %b.addr, error = %e, "backend set-up failed");
                ctx.pool.mark_failed(&b, &e.to_string());
            }
        }
    };
    ctx.pool.mark_up(&backend);
    back.set_event_mask(EventMask::NONE);
    if let Err(why) = streams_fit(&front_status, &back.status(), backend.addr) {
        back.abort_with_reason(b"sctp-proxy: stream counts do not fit the client's");
        ctx.refuse(front, peer, "streams", &why);
        return;
    }
    tracing::info!(listener = %ctx.name, %peer, backend = %backend.addr, "front association pinned");
    backend
        .fronts
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    ctx.back_gauge(&backend, 1);

    let mut filter = ctx.rules.filter(Instant::now());
    let f2b = async {
        loop {
            match next_from_front(ctx, front, peer, &mut filter).await {
                FromFront::Message(m, t0) => {
                    let len = m.payload.len();
                    if back.send(m).await.is_err() {
                        // The backend is gone; the other direction says why.
                        return;
                    }
                    ctx.relayed(Direction::front_to_back, len, t0);
                }
                FromFront::Shutdown => {
                    let _ = back.shutdown().await;
                    return;
                }
                FromFront::Refused => {
                    back.abort_with_reason(b"sctp-proxy: the client broke a filter rule");
                    return;
                }
                FromFront::Gone => {
                    back.abort_with_reason(b"sctp-proxy: the client's association ended");
                    return;
                }
            }
        }
    };
    let b2f = async {
        loop {
            match back.recv().await {
                Ok(Some(m)) => {
                    if !ctx.to_front(front, m).await {
                        return;
                    }
                }
                Ok(None) => {
                    // The backend ended the conversation: so does the client's.
                    let _ = front.shutdown().await;
                    return;
                }
                Err(Error::MessageTooLarge(_)) => ctx.dropped(DropReason::TooLarge),
                Err(e) => {
                    if is_failure(&e) {
                        ctx.pool.mark_failed(&backend, &e.to_string());
                    }
                    front.abort_with_reason(
                        format!("sctp-proxy: backend {} ended: {e}", backend.addr).as_bytes(),
                    );
                    return;
                }
            }
        }
    };
    tokio::join!(f2b, b2f);
    backend
        .fronts
        .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    ctx.back_gauge(&backend, -1);
}

/// What reading the client's next message gave.
enum FromFront {
    /// A message the filters let through, and when it was read.
    Message(Message, Instant),
    /// The client shut its association down gracefully.
    Shutdown,
    /// A filter refused a message and the listener aborts on that.
    Refused,
    /// The client's association ended otherwise.
    Gone,
}

/// Reads the client's next message that the filters let through; the ones
/// they refuse are counted, and end the association if the listener says
/// so. Cancel-safe: its only wait is `recv`.
async fn next_from_front(
    ctx: &ListenerCtx,
    front: &SctpAssociation,
    peer: SocketAddr,
    filter: &mut Filter,
) -> FromFront {
    loop {
        let (reason, stream, ppid) = match front.recv().await {
            Ok(Some(m)) => {
                let t0 = Instant::now();
                match filter.check(&ctx.rules, &m, t0) {
                    Ok(()) => return FromFront::Message(m, t0),
                    Err(reason) => (reason, m.stream_id, Some(m.ppid.0)),
                }
            }
            Ok(None) => return FromFront::Shutdown,
            // Larger than max-message: `recv` dropped its pieces already.
            Err(Error::MessageTooLarge(e)) => (DropReason::TooLarge, e.stream_id, None),
            Err(_) => return FromFront::Gone,
        };
        ctx.dropped(reason);
        tracing::debug!(
            listener = %ctx.name, %peer, stream, ppid, reason = reason.label(), "message dropped"
        );
        if ctx.rules.abort_on_violation {
            let why = match (reason, ppid) {
                (DropReason::PpidDenied, Some(ppid)) => format!("PPID {ppid} is not allowed"),
                (DropReason::StreamDenied, _) => format!("stream {stream} is not allowed"),
                (DropReason::TooLarge, _) => {
                    format!("a message is larger than {} bytes", ctx.rules.max_message())
                }
                (DropReason::RateLimited, _) => "the message rate was exceeded".to_owned(),
                _ => reason.label().to_owned(),
            };
            ctx.refuse(front, peer, reason.label(), &why);
            return FromFront::Refused;
        }
    }
}

/// A backend association of a front association in message mode.
struct Link {
    id: u64,
    backend: Arc<Backend>,
    assoc: SctpAssociation,
    /// Messages handed to it.
    relayed: u64,
    /// A send to it failed: it is ending, take nothing more to it.
    closing: bool,
}

/// What the tasks around a message-mode front association report.
enum LinkEvent {
    /// A backend association is established.
    Up(Arc<Backend>, SctpAssociation),
    /// Setting one up failed.
    Failed(Arc<Backend>, Error),
    /// A backend association ended: the messages it never acknowledged,
    /// and how many answers came from it.
    Ended {
        id: u64,
        answered: u64,
        failed: Vec<Message>,
        error: Option<Error>,
    },
}

/// Message mode: an association to every backend that is up, each message
/// to the least-loaded (or its affinity's) backend; what a lost backend had
/// not acknowledged goes to another.
async fn balanced(ctx: &Arc<ListenerCtx>, front: &SctpAssociation, peer: SocketAddr) {
    let (tx, mut rx) = mpsc::unbounded_channel::<LinkEvent>();
    let mut b = Balancer {
        ctx: ctx.clone(),
        front: front.clone(),
        streams: wanted_streams(&front.status()),
        peer,
        endpoints: Endpoints::new(ctx.pool.connector()),
        links: Vec::new(),
        connecting: HashSet::new(),
        next_id: 0,
        tx,
    };
    let mut filter = ctx.rules.filter(Instant::now());

    // Set up associations to the backends that are up before relaying.
    b.connect_missing().await;
    let mut seen_generation = ctx.pool.generation();
    while !b.connecting.is_empty() {
        let Some(ev) = rx.recv().await else { break };
        b.on_link_event(ev).await;
    }
    if b.links.is_empty() {
        ctx.refuse(front, peer, "no_backend", "no backend available");
        return;
    }

    let graceful = loop {
        if seen_generation != ctx.pool.generation() {
            seen_generation = ctx.pool.generation();
            b.connect_missing().await;
        }
        tokio::select! {
            biased;
            Some(ev) = rx.recv() => b.on_link_event(ev).await,
            next = next_from_front(ctx, front, peer, &mut filter) => match next {
                FromFront::Message(m, t0) => b.route(m, t0).await,
                FromFront::Shutdown => break true,
                FromFront::Refused | FromFront::Gone => break false,
            },
        }
    };
    // The client is done: end every backend association the same way, and
    // let the readers hand over the last answers.
    for l in &b.links {
        if graceful {
            let a = l.assoc.clone();
            tokio::spawn(async move {
                let _ = a.shutdown().await;
            });
        } else {
            l.assoc
                .abort_with_reason(b"sctp-proxy: the client's association ended");
        }
    }
    while !b.links.is_empty() || !b.connecting.is_empty() {
        let Some(ev) = rx.recv().await else { break };
        match ev {
            LinkEvent::Up(backend, a) => {
                b.connecting.remove(&backend.addr);
                a.abort_with_reason(b"sctp-proxy: the client's association ended");
            }
            LinkEvent::Failed(backend, _) => {
                b.connecting.remove(&backend.addr);
            }
            LinkEvent::Ended { id, answered, .. } => {
                if let Some(i) = b.links.iter().position(|l| l.id == id) {
                    let l = b.links.swap_remove(i);
                    settle(ctx, &l, answered, 0);
                }
            }
        }
    }
}

/// One message-mode front association's backend associations.
struct Balancer {
    ctx: Arc<ListenerCtx>,
    front: SctpAssociation,
    /// The stream counts to ask backends for.
    streams: (u16, u16),
    peer: SocketAddr,
    endpoints: Endpoints,
    links: Vec<Link>,
    /// Backends an association is being set up to.
    connecting: HashSet<SocketAddr>,
    next_id: u64,
    /// Where set-up tasks and link readers report.
    tx: mpsc::UnboundedSender<LinkEvent>,
}

impl Balancer {
    /// Starts setting up an association to each backend that is up and has
    /// none (a link still ending holds the endpoint's association with it).
    async fn connect_missing(&mut self) {
        let ctx = &self.ctx;
        for b in ctx.pool.candidates() {
            if self.connecting.contains(&b.addr)
                || self.links.iter().any(|l| l.backend.addr == b.addr)
            {
                continue;
            }
            let ep = match self.endpoints.get(b.addr).await {
                Ok(ep) => ep,
                Err(e) => {
                    tracing::warn!(listener = %ctx.name, backend = %b.addr, error = %e, "no endpoint for backend");
                    continue;
                }
            };
            self.connecting.insert(b.addr);
            let connector = ctx.pool.connector().clone();
            let tx = self.tx.clone();
            let streams = self.streams;
            tokio::spawn(async move {
                let ev = match connector.connect(&ep, b.addr, Some(streams)).await {
                    Ok(a) => LinkEvent::Up(b, a),
                    Err(e) => LinkEvent::Failed(b, e),
                };
                let _ = tx.send(ev);
            });
        }
    }

    async fn on_link_event(&mut self, ev: LinkEvent) {
        let ctx = self.ctx.clone();
        let peer = self.peer;
        match ev {
            LinkEvent::Up(backend, assoc) => {
                self.connecting.remove(&backend.addr);
                ctx.pool.mark_up(&backend);
                // Only what the backend never acknowledged is read from its events.
                assoc.set_event_mask(EventMask::SEND_FAILURE);
                if let Err(why) = streams_fit(&self.front.status(), &assoc.status(), backend.addr) {
                    tracing::warn!(listener = %ctx.name, %peer, backend = %backend.addr, reason = %why, "backend left out");
                    assoc.abort_with_reason(b"sctp-proxy: stream counts do not fit the client's");
                    return;
                }
                self.next_id += 1;
                let id = self.next_id;
                tracing::debug!(listener = %ctx.name, %peer, backend = %backend.addr, "backend association up");
                backend
                    .fronts
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                ctx.back_gauge(&backend, 1);
                tokio::spawn(read_link(
                    ctx.clone(),
                    id,
                    backend.clone(),
                    assoc.clone(),
                    self.front.clone(),
                    self.tx.clone(),
                ));
                self.links.push(Link {
                    id,
                    backend,
                    assoc,
                    relayed: 0,
                    closing: false,
                });
            }
            LinkEvent::Failed(backend, e) => {
                self.connecting.remove(&backend.addr);
                tracing::warn!(listener = %ctx.name, backend = %backend.addr, error = %e, "backend set-up failed");
                ctx.pool.mark_failed(&backend, &e.to_string());
            }
            LinkEvent::Ended {
                id,
                answered,
                failed,
                error,
            } => {
                let Some(i) = self.links.iter().position(|l| l.id == id) else {
                    return;
                };
                let link = self.links.swap_remove(i);
                let failed_count = failed.len() as u64;
                let unanswered = settle(&ctx, &link, answered, failed_count);
                match &error {
                    Some(e) => {
                        if is_failure(e) {
                            ctx.pool.mark_failed(&link.backend, &e.to_string());
                        }
                        tracing::warn!(
                            listener = %ctx.name, %peer, backend = %link.backend.addr, error = %e,
                            relayed = link.relayed, answered, retried = failed_count,
                            acknowledged_unanswered = unanswered,
                            "backend association lost: messages it had not acknowledged go to another backend"
                        );
                    }
                    None => tracing::info!(
                        listener = %ctx.name, %peer, backend = %link.backend.addr,
                        relayed = link.relayed, answered, "backend association shut down by the backend"
                    ),
                }
                for m in failed {
                    ctx.hot.retried.inc();
                    self.route(m, Instant::now()).await;
                }
            }
        }
    }

    /// Sends a message to the backend its affinity or the load chooses,
    /// trying the others if that one's association has ended; counts and
    /// logs it as undeliverable when none is left.
    async fn route(&mut self, m: Message, t0: Instant) {
        let ctx = &self.ctx;
        let key = match ctx.affinity {
            Affinity::None => None,
            Affinity::Ppid => Some(ctx.pool.key_hash(m.ppid.0)),
            Affinity::Stream => (!m.unordered).then(|| ctx.pool.key_hash(m.stream_id)),
        };
        loop {
            let open = |l: &&Link| !l.closing;
            let mut choices: Vec<(usize, &Backend)> = self
                .links
                .iter()
                .enumerate()
                .filter(|(_, l)| open(l) && l.backend.is_up())
                .map(|(i, l)| (i, &*l.backend))
                .collect();
            if choices.is_empty() {
                // Backends marked down by others may still hold a live association.
                choices = self
                    .links
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| open(l))
                    .map(|(i, l)| (i, &*l.backend))
                    .collect();
            }
            let Some(i) = ctx.pool.pick_for_message(&choices, key) else {
                ctx.dropped(DropReason::NoBackend);
                tracing::error!(
                    listener = %ctx.name, stream = m.stream_id, ppid = m.ppid.0, unordered = m.unordered,
                    bytes = m.payload.len(), "message not delivered: no backend association left"
                );
                return;
            };
            let link = &mut self.links[i];
            let len = m.payload.len();
            link.backend
                .outstanding
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            match link.assoc.send(m.clone()).await {
                Ok(()) => {
                    link.relayed += 1;
                    ctx.relayed(Direction::front_to_back, len, t0);
                    return;
                }
                Err(e) => {
                    link.backend
                        .outstanding
                        .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
                    tracing::debug!(listener = %ctx.name, backend = %link.backend.addr, error = %e, "send to backend failed");
                    link.closing = true;
                }
            }
        }
    }
}

/// Takes a link's messages off its backend's load; returns how many it
/// acknowledged but never answered.
fn settle(ctx: &ListenerCtx, link: &Link, answered: u64, failed: u64) -> u64 {
    let open = link.relayed.saturating_sub(answered);
    link.backend.outstanding.fetch_sub(
        i64::try_from(open).unwrap_or(i64::MAX),
        std::sync::atomic::Ordering::Relaxed,
    );
    link.backend
        .fronts
        .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    ctx.back_gauge(&link.backend, -1);
    open.saturating_sub(failed)
}

/// Hands a backend association's messages to the front association until
/// it ends, then reports what it never acknowledged.
async fn read_link(
    ctx: Arc<ListenerCtx>,
    id: u64,
    backend: Arc<Backend>,
    assoc: SctpAssociation,
    front: SctpAssociation,
    tx: mpsc::UnboundedSender<LinkEvent>,
) {
    let mut answered = 0u64;
    let error = loop {
        match assoc.recv().await {
            Ok(Some(m)) => {
                answered += 1;
                backend
                    .outstanding
                    .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
                // If the client is gone, the front task ends everything.
                ctx.to_front(&front, m).await;
            }
            Ok(None) => break None,
            Err(Error::MessageTooLarge(_)) => ctx.dropped(DropReason::TooLarge),
            Err(e) => break Some(e),
        }
    };
    let mut failed = Vec::new();
    while let Some(ev) = assoc.next_event().await {
        if let AssociationEvent::SendFailed { message, .. } = ev {
            failed.push(message);
        }
    }
    let _ = tx.send(LinkEvent::Ended {
        id,
        answered,
        failed,
        error,
    });
}
