//! The user's handles on one association: [`SctpAssociation`], and its two
//! halves [`SendHalf`] and [`RecvHalf`].
//!
//! Each call locks the engine's association, acts on it and, when there is
//! something to send, wakes the driver. Backpressure is the engine's own: a
//! send waits while the engine's send buffer is full, and messages not yet
//! read count against the receive window the engine advertises.

use std::future::poll_fn;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::BytesMut;
use sctp_core::{
    AssociationConfig, AssociationStats, AssociationStatus, ConfigError, ErrorCause, Event,
    PathStatus, SendError, SendOptions, State,
};

use crate::endpoint::SctpEndpoint;
use crate::event::{AssociationEvent, Delivery, EventMask};
use crate::shared::{AssocInner, AssocShared, Record, lock};
use crate::{Config, Error, Message, now};

/// Most notifications kept aside for `next_event`/`recv_item` while `recv`
/// reads past them; beyond it the oldest are dropped (a user who never reads
/// notifications should mask them off).
const MAX_ASIDE: usize = 1024;

/// An SCTP association: like a `TcpStream`, but it carries whole messages on
/// numbered streams.
///
/// All methods take `&self`; clone the handle (or [`split`](Self::split) it)
/// to send and receive from different tasks. When the last handle is
/// dropped, a graceful shutdown starts in the background, like closing a
/// TCP socket.
#[derive(Debug)]
pub struct SctpAssociation {
    shared: Arc<AssocShared>,
}

/// The sending half of an association, from [`SctpAssociation::split`].
#[derive(Debug)]
pub struct SendHalf(SctpAssociation);

/// The receiving half of an association, from [`SctpAssociation::split`].
#[derive(Debug)]
pub struct RecvHalf(SctpAssociation);

impl Clone for SctpAssociation {
    fn clone(&self) -> Self {
        Self::from_shared(self.shared.clone())
    }
}

impl SctpAssociation {
    pub(crate) fn from_shared(shared: Arc<AssocShared>) -> Self {
        shared.add_user();
        Self { shared }
    }

    /// Starts an association with `addr` (the peer's IP and SCTP port) from
    /// a new endpoint on an ephemeral port, and resolves once it is
    /// established (COOKIE ACK received). To choose the local address and
    /// port, or to run many associations on one socket, use
    /// [`SctpEndpoint::client`] and [`SctpEndpoint::connect`].
    ///
    /// Fails with [`Error::SetupTimedOut`] when INIT or COOKIE ECHO go
    /// unanswered, and [`Error::Closed`] when the peer aborts. With
    /// [`crate::Transport::Udp`] the packets go to the peer's `remote_port`.
    ///
    /// Cancel-safe: if the future is dropped the half-open association is
    /// abandoned (aborted quietly).
    pub async fn connect(addr: SocketAddr, config: Config) -> Result<Self, Error> {
        let any: IpAddr = if addr.is_ipv6() {
            Ipv6Addr::UNSPECIFIED.into()
        } else {
            Ipv4Addr::UNSPECIFIED.into()
        };
        let endpoint = SctpEndpoint::open(SocketAddr::new(any, 0), config, false, false)?;
        endpoint.connect(addr).await
    }

    /// Resolves once established; the error says why set-up failed.
    pub(crate) fn poll_established(&self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let mut inner = lock(&self.shared.inner);
        match inner.assoc.state() {
            State::CookieWait | State::CookieEchoed if !inner.finished => {
                inner.state_wakers.register(cx);
                Poll::Pending
            }
            State::Closed | State::CookieWait | State::CookieEchoed => Poll::Ready(Err(inner
                .close_reason()
                .map_or(Error::DriverStopped, |r| Error::closed(&r)))),
            _ => Poll::Ready(Ok(())),
        }
    }

    /// Sends a message, waiting while the send buffer is full (backpressure).
    ///
    /// Fails at once for an empty or oversized message or an invalid stream
    /// ([`Error::Send`]), and when the association is closed or shutting down.
    ///
    /// Cancel-safe: if the future is dropped, the message was not queued.
    pub async fn send(&self, msg: Message) -> Result<(), Error> {
        self.send_with(msg, &SendOptions::default()).await
    }

    /// Sends a message with per-message options (RFC 6458 `sctp_sndinfo`):
    /// unordered, a context returned if it fails, SACK-IMMEDIATELY.
    /// `msg.unordered` or `options.unordered` makes it unordered.
    ///
    /// Cancel-safe, like [`send`](Self::send).
    pub async fn send_with(&self, msg: Message, options: &SendOptions) -> Result<(), Error> {
        poll_fn(|cx| self.poll_send(cx, &msg, options)).await
    }

    /// Queues `msg` if the send buffer has room, or registers the task to be
    /// woken when it may have. `Ready(Ok)` means the message was taken (its
    /// payload `Bytes` are shared, not copied); `Pending` means it was not.
    pub fn poll_send(
        &self,
        cx: &mut Context<'_>,
        msg: &Message,
        options: &SendOptions,
    ) -> Poll<Result<(), Error>> {
        let mut inner = lock(&self.shared.inner);
        if let Some(r) = &inner.record {
            return Poll::Ready(Err(Error::RecordMismatch {
                stream_id: r.stream_id,
                ppid: r.ppid.0,
            }));
        }
        let payload = msg.payload.clone();
        self.poll_send_payload(cx, &mut inner, msg, payload, options)
    }

    fn poll_send_payload(
        &self,
        cx: &mut Context<'_>,
        inner: &mut AssocInner,
        msg: &Message,
        payload: bytes::Bytes,
        options: &SendOptions,
    ) -> Poll<Result<(), Error>> {
        if inner.finished
            && let Some(r) = inner.close_reason()
        {
            return Poll::Ready(Err(Error::closed(&r)));
        }
        let options = options
            .clone()
            .unordered(options.unordered || msg.unordered);
        match inner
            .assoc
            .send_with(now(), msg.stream_id, msg.ppid, payload, &options)
        {
            Ok(()) => {
                self.shared.endpoint.mark_dirty(inner, self.shared.handle);
                Poll::Ready(Ok(()))
            }
            Err(SendError::BufferFull { .. }) => {
                // Any acknowledgement from now on wakes us.
                inner.buffered_seen = inner.assoc.buffered_amount();
                inner.send_wakers.register(cx);
                Poll::Pending
            }
            Err(e @ SendError::NotAccepting(State::Closed)) => Poll::Ready(Err(inner
                .close_reason()
                .map_or(Error::Send(e), |r| Error::closed(&r)))),
            Err(e) => Poll::Ready(Err(Error::Send(e))),
        }
    }

    /// Sends a message in pieces (RFC 6458 explicit end of record): pieces
    /// are gathered until one with `end_of_record`, then the whole message
    /// goes out. Every piece of a record must name the same stream and PPID.
    ///
    /// Cancel-safe: a piece is either taken whole or not at all.
    pub async fn send_part(&self, piece: Message, end_of_record: bool) -> Result<(), Error> {
        poll_fn(|cx| {
            let mut inner = lock(&self.shared.inner);
            if let Some(r) = &inner.record
                && (r.stream_id != piece.stream_id || r.ppid != piece.ppid)
            {
                return Poll::Ready(Err(Error::RecordMismatch {
                    stream_id: r.stream_id,
                    ppid: r.ppid.0,
                }));
            }
            if !end_of_record {
                let max = inner.assoc.config().max_message_size;
                let r = inner.record.get_or_insert_with(|| Record {
                    stream_id: piece.stream_id,
                    ppid: piece.ppid,
                    data: BytesMut::new(),
                });
                if r.data.len() + piece.payload.len() > max {
                    let size = r.data.len() + piece.payload.len();
                    return Poll::Ready(Err(Error::Send(SendError::TooLarge { size, max })));
                }
                r.data.extend_from_slice(&piece.payload);
                return Poll::Ready(Ok(()));
            }
            let payload = match &inner.record {
                Some(r) => {
                    let mut all = r.data.clone();
                    all.extend_from_slice(&piece.payload);
                    all.freeze()
                }
                None => piece.payload.clone(),
            };
            let r =
                self.poll_send_payload(cx, &mut inner, &piece, payload, &SendOptions::default());
            if matches!(r, Poll::Ready(Ok(()))) {
                inner.record = None;
            }
            r
        })
        .await
    }

    /// Receives the next message; notifications met on the way are kept for
    /// [`next_event`](Self::next_event) and [`recv_item`](Self::recv_item).
    ///
    /// A message larger than the partial delivery point arrives from the
    /// engine in pieces (RFC 6458 partial delivery); `recv` joins them and
    /// returns it whole, up to the configured `max_message_size`: a larger
    /// one is dropped with [`Error::MessageTooLarge`] and receiving goes on.
    /// Messages of other streams that complete meanwhile come first.
    ///
    /// `Ok(None)` once the association was shut down gracefully (by either
    /// side) and every message has been read; `Err(Error::Closed(..))` after
    /// an abort or a loss of communication (messages that arrived before are
    /// still returned first).
    ///
    /// Cancel-safe: if the future is dropped, no message was taken.
    pub async fn recv(&self) -> Result<Option<Message>, Error> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next message; see [`recv`](Self::recv).
    pub fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Result<Option<Message>, Error>> {
        let mut inner = lock(&self.shared.inner);
        while let Some(ev) = inner.assoc.poll_event() {
            match ev {
                Event::Message(m, info) => {
                    self.read_some(&mut inner);
                    match inner.pieces.push(m, info) {
                        Ok(Some((m, _))) => return Poll::Ready(Ok(Some(m))),
                        Ok(None) => {}
                        Err(e) => return Poll::Ready(Err(e.into())),
                    }
                }
                other => {
                    if let Event::PartialDeliveryAborted {
                        stream_id,
                        unordered,
                        mid,
                    } = other
                    {
                        inner.pieces.abort(stream_id, unordered, mid);
                    }
                    self.set_aside(&mut inner, other)
                }
            }
        }
        self.poll_end(cx, &mut inner)
    }

    /// Receives the next message or notification, in the order the engine
    /// produced them; notifications are those the event mask selects
    /// ([`set_event_mask`](Self::set_event_mask)). Ends like [`recv`](Self::recv).
    ///
    /// This is the partial delivery API (RFC 6458 section 8.1.21): a
    /// message larger than the partial delivery point comes as pieces, each
    /// a [`Delivery::Message`] whose [`RecvInfo::end_of_record`](crate::RecvInfo::end_of_record) is set on
    /// the last only, so messages of any size pass through a bounded
    /// receive buffer. Pieces of one message share stream, `unordered` and
    /// MID; with I-DATA, pieces of different messages may take turns.
    /// [`AssociationEvent::PartialDeliveryAborted`] tells of one whose rest
    /// will never come. Use either this or [`recv`](Self::recv) while a
    /// message is in pieces, not both.
    ///
    /// Cancel-safe: if the future is dropped, nothing was taken.
    pub async fn recv_item(&self) -> Result<Option<Delivery>, Error> {
        poll_fn(|cx| self.poll_recv_item(cx)).await
    }

    /// Polls for the next message or notification; see [`recv_item`](Self::recv_item).
    pub fn poll_recv_item(&self, cx: &mut Context<'_>) -> Poll<Result<Option<Delivery>, Error>> {
        let mut inner = lock(&self.shared.inner);
        // Notifications set aside are older than anything still in the engine.
        if let Some(e) = inner.aside.pop_front() {
            return Poll::Ready(Ok(Some(Delivery::Event(e))));
        }
        while let Some(ev) = inner.assoc.poll_event() {
            match ev {
                Event::Message(m, info) => {
                    self.read_some(&mut inner);
                    return Poll::Ready(Ok(Some(Delivery::Message(m, info))));
                }
                other => {
                    if let Some(e) = self.notification(&inner, other) {
                        return Poll::Ready(Ok(Some(Delivery::Event(e))));
                    }
                }
            }
        }
        self.poll_end(cx, &mut inner)
    }

    /// The next notification the event mask selects, read apart from
    /// messages; `None` once the association is gone and every notification
    /// has been read.
    ///
    /// Cancel-safe: if the future is dropped, no notification was taken.
    pub async fn next_event(&self) -> Option<AssociationEvent> {
        poll_fn(|cx| self.poll_next_event(cx)).await
    }

    /// Polls for the next notification; see [`next_event`](Self::next_event).
    pub fn poll_next_event(&self, cx: &mut Context<'_>) -> Poll<Option<AssociationEvent>> {
        let mut inner = lock(&self.shared.inner);
        if let Some(e) = inner.aside.pop_front() {
            return Poll::Ready(Some(e));
        }
        while let Some(ev) = inner.assoc.poll_notification() {
            if let Some(e) = self.notification(&inner, ev) {
                return Poll::Ready(Some(e));
            }
        }
        // The end, once the driver sent the association's last packets.
        if inner.finished {
            if !inner.driver_lost_told
                && let Some(r) = inner.driver_lost.clone()
            {
                // The driver stopped under us: say so once.
                inner.driver_lost_told = true;
                return Poll::Ready(Some(AssociationEvent::Closed(r)));
            }
            return Poll::Ready(None);
        }
        inner.recv_wakers.register(cx);
        Poll::Pending
    }

    /// Chooses the notifications reported (RFC 6458 `SCTP_EVENT`); all by default.
    pub fn set_event_mask(&self, mask: EventMask) {
        let mut inner = lock(&self.shared.inner);
        inner.mask = mask;
        inner.aside.retain(|e| mask.contains(e.kind()));
    }

    /// The notification for an engine event, if the mask selects it.
    fn notification(&self, inner: &AssocInner, ev: Event) -> Option<AssociationEvent> {
        let streams = (
            inner.assoc.outbound_streams(),
            inner.assoc.inbound_streams(),
        );
        AssociationEvent::from_core(ev, streams).filter(|e| inner.mask.contains(e.kind()))
    }

    /// Keeps a notification `recv` read past.
    fn set_aside(&self, inner: &mut AssocInner, ev: Event) {
        let Some(e) = self.notification(inner, ev) else {
            return;
        };
        if e == AssociationEvent::SenderDry && inner.aside.back() == Some(&e) {
            return;
        }
        if inner.aside.len() >= MAX_ASIDE {
            inner.aside.pop_front();
        }
        inner.aside.push_back(e);
    }

    /// A message was read: if that reopened the receive window, the engine
    /// owes the peer a window update now.
    fn read_some(&self, inner: &mut AssocInner) {
        if inner.assoc.sack_due_now() {
            self.shared.endpoint.mark_dirty(inner, self.shared.handle);
        }
    }

    /// Nothing to read: the end of the stream, or wait.
    fn poll_end<T>(
        &self,
        cx: &mut Context<'_>,
        inner: &mut AssocInner,
    ) -> Poll<Result<Option<T>, Error>> {
        if inner.is_over()
            && let Some(r) = inner.close_reason()
        {
            return Poll::Ready(Err(Error::Closed(r)));
        }
        match inner.assoc.state() {
            State::Closed | State::ShutdownReceived | State::ShutdownAckSent => {
                return Poll::Ready(Ok(None));
            }
            _ if inner.finished => return Poll::Ready(Ok(None)),
            _ => {}
        }
        inner.recv_wakers.register(cx);
        Poll::Pending
    }

    /// Shuts the association down gracefully and resolves when SHUTDOWN
    /// COMPLETE has been exchanged, that is when all data sent has been
    /// acknowledged. Further sends fail.
    ///
    /// Not cancel-safe in the sense that the shutdown, once started,
    /// continues in the background if the future is dropped.
    pub async fn shutdown(&self) -> Result<(), Error> {
        {
            let mut inner = lock(&self.shared.inner);
            if inner.assoc.state() != State::Closed && !inner.finished {
                inner.assoc.shutdown(now());
                self.shared
                    .endpoint
                    .mark_dirty(&mut inner, self.shared.handle);
            }
        }
        poll_fn(|cx| {
            let mut inner = lock(&self.shared.inner);
            // Done once the driver sent our last packet (SHUTDOWN COMPLETE).
            if inner.finished {
                return Poll::Ready(match inner.close_reason() {
                    Some(r) => Err(Error::Closed(r)),
                    None => Ok(()),
                });
            }
            inner.state_wakers.register(cx);
            Poll::Pending
        })
        .await
    }

    /// Aborts the association: sends ABORT (User-Initiated Abort, RFC 9260
    /// section 9.1) and fails unsent messages. Returns at once.
    pub fn abort(&self) {
        self.abort_with_reason(b"");
    }

    /// Aborts with a reason the peer sees in the User-Initiated Abort cause
    /// (RFC 9260 section 3.3.10.12), such as a short text.
    pub fn abort_with_reason(&self, reason: &[u8]) {
        let mut inner = lock(&self.shared.inner);
        inner
            .assoc
            .abort(vec![ErrorCause::user_initiated_abort(reason)]);
        self.shared
            .endpoint
            .mark_dirty(&mut inner, self.shared.handle);
    }

    /// The association's state and its path's figures (RFC 6458 `SCTP_STATUS`).
    pub fn status(&self) -> AssociationStatus {
        lock(&self.shared.inner).assoc.status()
    }

    /// Counters since the association started (like Linux's `SCTP_GET_ASSOC_STATS`).
    pub fn stats(&self) -> AssociationStats {
        lock(&self.shared.inner).assoc.stats()
    }

    /// The settings in force.
    pub fn config(&self) -> AssociationConfig {
        lock(&self.shared.inner).assoc.config().clone()
    }

    /// Changes settings at run time (RFC 6458 `SCTP_RTOINFO`,
    /// `SCTP_ASSOCINFO`, `SCTP_PEER_ADDR_PARAMS`, `SCTP_DELAYED_SACK`,
    /// `SCTP_NODELAY`, ...): `f` edits a copy of the current settings, which
    /// then apply at once. Errors name the field refused; nothing changes then.
    pub fn reconfigure(&self, f: impl FnOnce(&mut AssociationConfig)) -> Result<(), Error> {
        let mut inner = lock(&self.shared.inner);
        let mut config = inner.assoc.config().clone();
        f(&mut config);
        inner.assoc.reconfigure(now(), config)?;
        self.shared
            .endpoint
            .mark_dirty(&mut inner, self.shared.handle);
        Ok(())
    }

    /// Turns Nagle-like bundling off (`true`, RFC 6458 `SCTP_NODELAY`) or on.
    pub fn set_nodelay(&self, nodelay: bool) -> Result<(), Error> {
        self.reconfigure(|c| c.nagle = !nodelay)
    }

    /// Sets the DSCP (0..=63, RFC 2474) of this association's packets; `None`
    /// leaves the system default.
    pub fn set_dscp(&self, dscp: Option<u8>) -> Result<(), Error> {
        if dscp.is_some_and(|d| d > 63) {
            return Err(Error::Config(ConfigError::Invalid {
                field: "dscp",
                reason: "a DSCP is 6 bits: 0..=63",
            }));
        }
        lock(&self.shared.inner).dscp = dscp;
        Ok(())
    }

    /// Sends a HEARTBEAT now (RFC 6458 `SPP_HB_DEMAND`), for example to
    /// measure the round trip of an idle association.
    pub fn request_heartbeat(&self) {
        let mut inner = lock(&self.shared.inner);
        inner.assoc.request_heartbeat(now());
        self.shared
            .endpoint
            .mark_dirty(&mut inner, self.shared.handle);
    }

    /// Sends a HEARTBEAT to one of the peer's addresses now (RFC 6458
    /// `SPP_HB_DEMAND` with `spp_address`).
    pub fn request_heartbeat_to(&self, addr: SocketAddr) -> Result<(), Error> {
        let mut inner = lock(&self.shared.inner);
        inner.assoc.request_heartbeat_to(now(), addr)?;
        self.shared
            .endpoint
            .mark_dirty(&mut inner, self.shared.handle);
        Ok(())
    }

    /// Resets our outgoing `streams` (all when empty; RFC 6525, RFC 6458
    /// `SCTP_RESET_STREAMS`): once the peer has what was sent on them, the
    /// next message on each starts its sequence again. New messages on
    /// them wait until the peer acknowledges; `AssociationEvent::StreamReset`
    /// tells the outcome. WebRTC closes a data channel this way.
    pub fn reset_streams(&self, streams: &[u16]) -> Result<(), Error> {
        self.reconfig(|a| a.reset_streams(streams))
    }

    /// Asks the peer to reset the streams it sends to us on (all when empty; RFC 6525).
    pub fn request_incoming_reset(&self, streams: &[u16]) -> Result<(), Error> {
        self.reconfig(|a| a.request_incoming_reset(streams))
    }

    /// Resets the association's TSNs and every stream (RFC 6525,
    /// `SCTP_RESET_ASSOC`); `AssociationEvent::AssociationReset` tells the outcome.
    pub fn reset_association(&self) -> Result<(), Error> {
        self.reconfig(sctp_core::Association::reset_association)
    }

    /// Adds `outgoing` streams we send on and asks the peer for `incoming`
    /// more it sends on (RFC 6525, `SCTP_ADD_STREAMS`).
    pub fn add_streams(&self, outgoing: u16, incoming: u16) -> Result<(), Error> {
        self.reconfig(|a| a.add_streams(outgoing, incoming))
    }

    /// Changes the stream scheduler (RFC 8260 section 3,
    /// `SCTP_STREAM_SCHEDULER`); queued messages keep their order per stream.
    pub fn set_scheduler(&self, kind: sctp_core::SchedulerKind) {
        let mut inner = lock(&self.shared.inner);
        inner.assoc.set_scheduler(kind);
        self.shared
            .endpoint
            .mark_dirty(&mut inner, self.shared.handle);
    }

    /// Sets an outgoing stream's priority for the priority scheduler
    /// (lower values go first; `SCTP_STREAM_SCHEDULER_VALUE`).
    pub fn set_stream_priority(&self, stream_id: u16, priority: u16) {
        lock(&self.shared.inner)
            .assoc
            .set_stream_priority(stream_id, priority);
    }

    /// Sets an outgoing stream's weight for weighted fair queueing.
    pub fn set_stream_weight(&self, stream_id: u16, weight: u16) {
        lock(&self.shared.inner)
            .assoc
            .set_stream_weight(stream_id, weight);
    }

    fn reconfig(
        &self,
        f: impl FnOnce(&mut sctp_core::Association) -> Result<(), sctp_core::ReconfigError>,
    ) -> Result<(), Error> {
        let mut inner = lock(&self.shared.inner);
        f(&mut inner.assoc)?;
        self.shared
            .endpoint
            .mark_dirty(&mut inner, self.shared.handle);
        Ok(())
    }

    /// Makes one of the peer's confirmed addresses the primary path (RFC
    /// 6458 `SCTP_PRIMARY_ADDR`): new data goes there while it is active.
    pub fn set_primary(&self, addr: SocketAddr) -> Result<(), Error> {
        let mut inner = lock(&self.shared.inner);
        inner.assoc.set_primary(addr)?;
        self.shared
            .endpoint
            .mark_dirty(&mut inner, self.shared.handle);
        Ok(())
    }

    /// Adds `ip` to our addresses in this association (RFC 5061 Add IP
    /// Address, sent in an ASCONF); the endpoint, which must be
    /// multi-homed, binds it too.
    pub fn add_local_address(&self, ip: IpAddr) -> Result<(), Error> {
        self.shared.endpoint.bind_address(ip)?;
        let mut inner = lock(&self.shared.inner);
        inner.assoc.add_local_address(now(), ip)?;
        self.shared
            .endpoint
            .mark_dirty(&mut inner, self.shared.handle);
        Ok(())
    }

    /// Removes `ip` from our addresses in this association (RFC 5061
    /// Delete IP Address, sent in an ASCONF); never the last one. The
    /// endpoint keeps it for its other associations.
    pub fn remove_local_address(&self, ip: IpAddr) -> Result<(), Error> {
        let mut inner = lock(&self.shared.inner);
        inner.assoc.remove_local_address(now(), ip)?;
        self.shared
            .endpoint
            .mark_dirty(&mut inner, self.shared.handle);
        Ok(())
    }

    /// Our addresses the peer knows in this association (empty when we
    /// have one, unlisted).
    pub fn local_addrs(&self) -> Vec<IpAddr> {
        lock(&self.shared.inner).assoc.local_addresses().to_vec()
    }

    /// Every path to the peer with its state, RTT, RTO, cwnd, MTU and
    /// error count (RFC 6458 `SCTP_GET_PEER_ADDR_INFO` for each address).
    pub fn paths(&self) -> Vec<PathStatus> {
        lock(&self.shared.inner).assoc.status().paths
    }

    /// Every address of the peer (RFC 6458 `sctp_getpaddrs`).
    pub fn peer_addrs(&self) -> Vec<SocketAddr> {
        lock(&self.shared.inner).assoc.peer_addresses().collect()
    }

    /// The peer's address and SCTP port: the one the association was set up with.
    pub fn remote_addr(&self) -> SocketAddr {
        self.shared.remote
    }

    /// Our address and SCTP port.
    pub fn local_addr(&self) -> SocketAddr {
        self.shared.local
    }

    /// The path MTU in use (IP header included), lowered by ICMP
    /// "fragmentation needed"/"packet too big" reports.
    pub fn path_mtu(&self) -> usize {
        lock(&self.shared.inner).assoc.path_mtu()
    }

    /// Bytes queued and not yet acknowledged by the peer.
    pub fn buffered_amount(&self) -> usize {
        lock(&self.shared.inner).assoc.buffered_amount()
    }

    /// Splits the handle into a sending and a receiving half, for two tasks.
    pub fn split(self) -> (SendHalf, RecvHalf) {
        (SendHalf(self.clone()), RecvHalf(self))
    }
}

impl Drop for SctpAssociation {
    fn drop(&mut self) {
        if !self.shared.remove_user() {
            return;
        }
        let mut inner = lock(&self.shared.inner);
        inner.record = None;
        inner.aside.clear();
        if !inner.finished && inner.assoc.state() != State::Closed {
            tracing::debug!(remote = %self.shared.remote, "last handle dropped: shutting down");
            inner.assoc.shutdown(now());
        }
        // The driver drains what arrives from now on.
        inner.dirty = false;
        self.shared
            .endpoint
            .mark_dirty(&mut inner, self.shared.handle);
    }
}

impl SendHalf {
    /// See [`SctpAssociation::send`].
    pub async fn send(&self, msg: Message) -> Result<(), Error> {
        self.0.send(msg).await
    }

    /// See [`SctpAssociation::send_with`].
    pub async fn send_with(&self, msg: Message, options: &SendOptions) -> Result<(), Error> {
        self.0.send_with(msg, options).await
    }

    /// See [`SctpAssociation::send_part`].
    pub async fn send_part(&self, piece: Message, end_of_record: bool) -> Result<(), Error> {
        self.0.send_part(piece, end_of_record).await
    }

    /// See [`SctpAssociation::poll_send`].
    pub fn poll_send(
        &self,
        cx: &mut Context<'_>,
        msg: &Message,
        options: &SendOptions,
    ) -> Poll<Result<(), Error>> {
        self.0.poll_send(cx, msg, options)
    }

    /// See [`SctpAssociation::shutdown`].
    pub async fn shutdown(&self) -> Result<(), Error> {
        self.0.shutdown().await
    }

    /// See [`SctpAssociation::buffered_amount`].
    pub fn buffered_amount(&self) -> usize {
        self.0.buffered_amount()
    }

    /// The whole association (status, options, abort).
    pub fn association(&self) -> &SctpAssociation {
        &self.0
    }
}

impl RecvHalf {
    /// See [`SctpAssociation::recv`].
    pub async fn recv(&self) -> Result<Option<Message>, Error> {
        self.0.recv().await
    }

    /// See [`SctpAssociation::recv_item`].
    pub async fn recv_item(&self) -> Result<Option<Delivery>, Error> {
        self.0.recv_item().await
    }

    /// See [`SctpAssociation::next_event`].
    pub async fn next_event(&self) -> Option<AssociationEvent> {
        self.0.next_event().await
    }

    /// See [`SctpAssociation::poll_recv`].
    pub fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Result<Option<Message>, Error>> {
        self.0.poll_recv(cx)
    }

    /// See [`SctpAssociation::poll_recv_item`].
    pub fn poll_recv_item(&self, cx: &mut Context<'_>) -> Poll<Result<Option<Delivery>, Error>> {
        self.0.poll_recv_item(cx)
    }

    /// The whole association (status, options, abort).
    pub fn association(&self) -> &SctpAssociation {
        &self.0
    }
}
