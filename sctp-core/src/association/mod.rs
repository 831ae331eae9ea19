//! One SCTP association: the RFC 9260 state machine, sans-IO.
//!
//! The user drives it with four kinds of call, in any order, and never
//! blocks:
//!
//! - input: [`Association::handle_packet`] for each packet the endpoint
//!   routed here, [`Association::handle_timeout`] when
//!   [`Association::poll_timeout`]'s deadline passes;
//! - commands: [`Association::send`] (or [`Association::send_with`]),
//!   [`Association::shutdown`], [`Association::abort`],
//!   [`Association::reconfigure`], [`Association::request_heartbeat`];
//! - output: [`Association::poll_transmit`] until it returns `None`, after
//!   every input or command;
//! - events: [`Association::poll_event`] until it returns `None` (or
//!   [`Association::poll_message`] and [`Association::poll_notification`]
//!   to read messages and notifications apart).
//!
//! [`Association::status`] and [`Association::stats`] report the state of
//! the association and its counters at any time.

mod asconf;
mod congestion;
mod event;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod input;
mod interleaved;
mod loss;
mod output;
mod partial_reliability;
mod path;
mod pieces;
mod reassembly;
mod reconfigure;
mod retransmit;
mod rto;
mod scheduler;
mod send_queue;
mod setup;
mod state;
mod status;
mod stream_reconfig;
mod timeout;
mod timer;
mod tsn_tracker;

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use thiserror::Error;

pub use event::{CloseReason, ErrorCause, Event, Message, RecvInfo};
pub use event::{PathChange, ReconfigOutcome};
pub use partial_reliability::PrPolicy;
pub use pieces::{MessageTooLarge, PartialMessages};
pub use scheduler::{ParseSchedulerKindError, SchedulerKind};
pub use state::State;
pub use status::{AssociationStats, AssociationStatus, PathState, PathStatus};
pub use stream_reconfig::ReconfigError;
pub use timer::Timer;

use crate::config::AssociationConfig;
use crate::handshake::cookie::{CookieContents, CookieKey};
use crate::{Ppid, StreamId, Tsn, VerificationTag};
pub use asconf::AsconfError;
use congestion::CongestionControl;
use path::Path;
pub use path::PathError;
use reassembly::Reassembly;
use retransmit::RetransmitQueue;
use send_queue::SendQueue;
use timer::TimerTable;
use tsn_tracker::TsnTracker;

/// The smallest SCTP packet the engine fills: 576-byte IP packets less headers.
const MIN_SCTP_PACKET: usize = 508;

/// A packet for the caller to send: `size` bytes at the start of the buffer
/// given to [`Association::poll_transmit`], for `destination`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit {
    /// Where to send it (the peer's address and SCTP port).
    pub destination: SocketAddr,
    /// Length of the packet in the buffer.
    pub size: usize,
}

/// What the endpoint must learn from an association to route its packets:
/// pass each to [`crate::Endpoint::handle_event`] (RFC 9260 section 8.4
/// would otherwise treat a packet from a new peer address as out of the blue).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointEvent {
    /// Packets from this peer address are the association's.
    PeerAddressAdded(SocketAddr),
    /// Packets from this peer address are no longer the association's.
    PeerAddressRemoved(SocketAddr),
}

/// Why [`Association::send`] refused a message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SendError {
    /// The stream does not exist in this association (outbound streams negotiated).
    #[error("stream {stream_id} does not exist: the association has {streams} outbound streams")]
    InvalidStream {
        /// The stream asked for.
        stream_id: StreamId,
        /// Outbound streams available.
        streams: u16,
    },
    /// An empty message cannot be sent (RFC 9260 section 6.2, No User Data).
    #[error("message is empty: SCTP cannot carry an empty user message")]
    Empty,
    /// Larger than the configured maximum message size.
    #[error("message of {size} bytes exceeds the maximum of {max} bytes")]
    TooLarge {
        /// The message's size.
        size: usize,
        /// The configured maximum.
        max: usize,
    },
    /// The send buffer is full: wait for acknowledgements and try again.
    #[error("send buffer full ({buffered} bytes buffered, limit {limit})")]
    BufferFull {
        /// Bytes buffered now.
        buffered: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The association is shutting down or closed.
    #[error("association is {0}: no new data accepted")]
    NotAccepting(State),
}

/// Per-message options for [`Association::send_with`] (RFC 6458 sctp_sndinfo).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SendOptions {
    /// Deliver without regard to stream order (the U bit, RFC 9260 section 6.6).
    pub unordered: bool,
    /// An opaque value returned with [`Event::SendFailed`] if the message fails.
    pub context: u32,
    /// Ask the peer to SACK the message's last fragment at once (the I bit, RFC 7053).
    pub sack_immediately: bool,
    /// Its partial-reliability policy (RFC 7496 section 4); fully reliable by default.
    pub pr: PrPolicy,
}

impl SendOptions {
    /// Sets whether the message is unordered.
    #[must_use]
    pub fn unordered(mut self, v: bool) -> Self {
        self.unordered = v;
        self
    }

    /// Sets the context returned with a send failure.
    #[must_use]
    pub fn context(mut self, v: u32) -> Self {
        self.context = v;
        self
    }

    /// Sets whether the last fragment carries the I bit (RFC 7053 section 4).
    #[must_use]
    pub fn sack_immediately(mut self, v: bool) -> Self {
        self.sack_immediately = v;
        self
    }

    /// Sets the partial-reliability policy (RFC 7496 section 4).
    #[must_use]
    pub fn pr_policy(mut self, v: PrPolicy) -> Self {
        self.pr = v;
        self
    }
}

/// Which optional extensions both sides listed in INIT and INIT ACK.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Negotiated {
    /// PR-SCTP (RFC 3758 section 3.3): FORWARD TSN may be sent and received.
    partial_reliability: bool,
    /// Stream reconfiguration (RFC 6525 section 5.1.1): RE-CONFIG may be sent and received.
    reconfig: bool,
    /// User message interleaving (RFC 8260 section 2.2): I-DATA replaces DATA.
    interleaving: bool,
}

/// How soon a SACK is owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum SackDue {
    No,
    Delayed,
    Now,
}

/// An SCTP association.
#[derive(Debug)]
pub struct Association {
    state: State,
    config: Arc<AssociationConfig>,
    cookie_key: CookieKey,
    /// The peer's destination addresses (RFC 9260 section 6.4); never empty.
    paths: Vec<Path>,
    /// The primary path (section 6.4), set by the user or the set-up address.
    primary: usize,
    /// Where new data goes now: the primary, or an alternate while the primary is failed.
    data_path: usize,
    /// Where the retransmissions after a T3-rtx expiry go (section 6.4.1: an alternate).
    rtx_path: Option<usize>,
    /// Our addresses, listed in INIT and INIT ACK when there are several (section 5.1.2).
    local_addresses: Vec<IpAddr>,
    /// Our AUTH key vector (RFC 4895 section 6.1), when AUTH is offered.
    local_key: Option<crate::handshake::auth::KeyVector>,
    /// What AUTH and ASCONF negotiated (RFC 4895, RFC 5061).
    ext: asconf::Extensions,
    /// The other extensions both sides support.
    negotiated: Negotiated,
    /// A FORWARD TSN is owed (RFC 3758 section 3.5 C3).
    forward_tsn_due: bool,
    /// Stream resets and additions, ours and the peer's (RFC 6525).
    stream_reconfig: stream_reconfig::StreamReconfig,
    /// The id the next partially reliable message gets.
    next_message_id: u64,
    /// Route changes for the endpoint.
    endpoint_events: VecDeque<EndpointEvent>,
    /// The source of the packet being processed, for replies.
    packet_source: SocketAddr,
    /// The path the latest DATA came from, where the SACK goes (section 6.4).
    sack_path: Option<usize>,
    local_port: u16,
    /// The tag the peer puts in packets to us.
    local_vtag: VerificationTag,
    /// The tag we put in packets to the peer.
    peer_vtag: VerificationTag,
    /// Random nonce that stands for our tags in restart cookies (RFC 9260 5.2.2 tie-tags).
    tie_tag: u64,
    local_initial_tsn: Tsn,
    outbound_streams: u16,
    inbound_streams: u16,
    timers: TimerTable,
    peer_rwnd: usize,
    send_queue: SendQueue,
    rtx: RetransmitQueue,
    tracker: TsnTracker,
    reassembly: Reassembly,
    /// Reassembly of I-DATA, when it is in use (RFC 8260 section 2.1).
    interleaved: interleaved::InterleavedReassembly,
    /// The receive window closed and partial delivery relieved it once
    /// (cleared when a chunk finds it open).
    relieved: bool,
    /// Messages reassembly hands up from one chunk, kept to reuse its buffer.
    delivered: VecDeque<reassembly::Delivered>,
    /// As `delivered`, for I-DATA.
    delivered_interleaved: VecDeque<interleaved::Delivered>,
    events: VecDeque<Event>,
    /// Why the association ended abnormally, once it has (kept after the
    /// `Closed` event is polled, for callers that read notifications late).
    close_reason: Option<CloseReason>,
    /// Received messages queued as events and not yet polled (they count against a_rwnd).
    undelivered_bytes: usize,
    sack_due: SackDue,
    data_packets_unacked: u32,
    /// The a_rwnd of our last SACK, to send a window update when reading reopens it.
    advertised_rwnd: u32,
    /// Whether a SACK arrived since T3-rtx last expired (zero window probing, section 6.1).
    sack_since_t3: bool,
    /// Pre-encoded control chunks for the next packet (HEARTBEAT ACK, ERROR, ...).
    control: VecDeque<Vec<u8>>,
    /// Whole packets to send as they are (INIT ACK in a collision, ABORT,
    /// SHUTDOWN COMPLETE, HEARTBEAT), with their destination when it is not the data path.
    standalone: VecDeque<(Option<SocketAddr>, Vec<u8>)>,
    /// What set-up still has to send (section 5.1).
    setup: SetupState,
    /// What shutdown still has to send (section 9.2).
    shutdown: ShutdownState,
    /// A fast retransmit may go regardless of cwnd (section 7.2.4).
    fast_rtx_pending: bool,
    /// A tail loss probe of new data may go regardless of cwnd (RFC 8985 section 7.3).
    probe_pending: bool,
    /// Tail loss probes sent since the last SACK that acknowledged data (backs the PTO off).
    probes_sent: u32,
    /// The latest RTT sample (RFC 9002's latest_rtt, for the reordering allowance).
    latest_rtt: Option<std::time::Duration>,
    /// The association error counter (section 8.1).
    error_count: u32,
    /// The largest SCTP packet: the smallest confirmed path MTU less the IP header.
    sctp_mtu: usize,
    /// Bytes in flight allowed before the current Max.Burst budget is spent.
    burst_limit: usize,
    rng: SmallRng,
    scratch_gaps: Vec<crate::wire::chunk::GapAckBlock>,
    scratch_dups: Vec<Tsn>,
    scratch_skipped: Vec<crate::wire::chunk::ForwardTsnStream>,
    /// Counters for [`Association::stats`].
    stats: AssociationStats,
}

/// The set-up's data (RFC 9260 section 5.1): kept from CLOSED through
/// COOKIE-ECHOED, cleared when the association closes.
#[derive(Debug, Default)]
struct SetupState {
    /// The INIT we sent, for T1-init retransmission; its Initiate Tag is our tag.
    init_chunk: Option<Vec<u8>>,
    /// The COOKIE ECHO to send (and resend on T1-cookie).
    cookie_echo: Option<Vec<u8>>,
    /// When the COOKIE ECHO was sent, if only once (for a first RTT sample).
    cookie_sent_at: Option<Instant>,
    send_cookie_echo: bool,
    /// A COOKIE ECHO was accepted: answer with COOKIE ACK.
    send_cookie_ack: bool,
    /// Consecutive set-up retransmissions (T1-init / T1-cookie).
    retransmits: u32,
}

/// The shutdown's data (RFC 9260 section 9.2): what to send next.
#[derive(Debug, Default)]
struct ShutdownState {
    send_shutdown: bool,
    send_shutdown_ack: bool,
}

/// A small xorshift generator for nonces; seeded from the endpoint's RNG.
#[derive(Debug, Clone)]
pub(crate) struct SmallRng(u64);

impl SmallRng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A non-zero 32-bit value (verification tags must not be 0).
    pub(crate) fn nonzero_u32(&mut self) -> u32 {
        loop {
            let v = (self.next_u64() >> 32) as u32;
            if v != 0 {
                return v;
            }
        }
    }
}

impl Association {
    fn blank(
        config: Arc<AssociationConfig>,
        cookie_key: CookieKey,
        remote: SocketAddr,
        local_port: u16,
        local_addresses: Vec<IpAddr>,
        mut rng: SmallRng,
    ) -> Self {
        let local_vtag = VerificationTag(rng.nonzero_u32());
        let local_initial_tsn = config.initial_tsn.unwrap_or_else(|| Tsn(rng.nonzero_u32()));
        Self {
            state: State::Closed,
            // Section 5.4: the address the association is set up with is confirmed.
            paths: vec![Path::new(remote, true, &config)],
            primary: 0,
            data_path: 0,
            rtx_path: None,
            local_addresses,
            local_key: config.auth.then(|| {
                let mut random = [0u8; crate::handshake::auth::RANDOM_LEN];
                for c in random.chunks_mut(8) {
                    c.copy_from_slice(&rng.next_u64().to_be_bytes());
                }
                crate::handshake::auth::KeyVector::ours(
                    &random,
                    crate::handshake::init::auth_chunk_list(&config),
                )
            }),
            ext: asconf::Extensions::none(),
            negotiated: Negotiated::default(),
            forward_tsn_due: false,
            stream_reconfig: stream_reconfig::StreamReconfig::new(local_initial_tsn, Tsn(0)),
            next_message_id: 0,
            endpoint_events: VecDeque::new(),
            packet_source: remote,
            sack_path: None,
            peer_rwnd: 0,
            local_port,
            local_vtag,
            peer_vtag: VerificationTag(0),
            tie_tag: rng.next_u64() | 1,
            local_initial_tsn,
            outbound_streams: config.outbound_streams,
            inbound_streams: config.inbound_streams,
            timers: TimerTable::default(),
            send_queue: SendQueue::with_scheduler(config.scheduler),
            rtx: RetransmitQueue::new(local_initial_tsn),
            tracker: TsnTracker::new(Tsn(0)),
            reassembly: Reassembly::new(Tsn(0)),
            interleaved: interleaved::InterleavedReassembly::new(config.max_message_size),
            relieved: false,
            delivered: VecDeque::new(),
            delivered_interleaved: VecDeque::new(),
            events: VecDeque::new(),
            close_reason: None,
            undelivered_bytes: 0,
            sack_due: SackDue::No,
            data_packets_unacked: 0,
            advertised_rwnd: config.receive_window,
            sack_since_t3: false,
            control: VecDeque::new(),
            standalone: VecDeque::new(),
            setup: SetupState::default(),
            shutdown: ShutdownState::default(),
            fast_rtx_pending: false,
            probe_pending: false,
            probes_sent: 0,
            latest_rtt: None,
            error_count: 0,
            burst_limit: usize::MAX,
            sctp_mtu: Self::sctp_mtu_for(&config, config.path_mtu),
            rng,
            scratch_gaps: Vec::new(),
            scratch_dups: Vec::new(),
            scratch_skipped: Vec::new(),
            stats: AssociationStats::default(),
            config,
            cookie_key,
        }
    }

    /// Starts an association to `remote` from `local_port`: queues the INIT (RFC 9260 section 5.1 A).
    pub(crate) fn connect(
        now: Instant,
        config: Arc<AssociationConfig>,
        cookie_key: CookieKey,
        remote: SocketAddr,
        local_port: u16,
        local_addresses: Vec<IpAddr>,
        rng: SmallRng,
    ) -> Self {
        let mut a = Self::blank(config, cookie_key, remote, local_port, local_addresses, rng);
        a.set_state(State::CookieWait);
        a.setup.init_chunk = Some(a.encode_init(None));
        a.queue_init(now);
        a
    }

    /// Builds the association a valid COOKIE ECHO describes (RFC 9260 section 5.1 D).
    pub(crate) fn from_cookie(
        now: Instant,
        config: Arc<AssociationConfig>,
        cookie_key: CookieKey,
        cookie: &CookieContents,
        local_addresses: Vec<IpAddr>,
        rng: SmallRng,
    ) -> Self {
        let mut a = Self::blank(
            config,
            cookie_key,
            cookie.peer,
            cookie.local_port,
            local_addresses,
            rng,
        );
        a.adopt_cookie(now, cookie);
        a
    }

    /// The association's state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Why the association ended abnormally: `None` while it runs and after
    /// a graceful shutdown.
    pub fn close_reason(&self) -> Option<&CloseReason> {
        self.close_reason.as_ref()
    }

    /// Whether the association has ended; it can be dropped once events are drained.
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed && self.standalone.is_empty()
    }

    /// The peer's primary address and port.
    pub fn remote(&self) -> SocketAddr {
        self.paths[self.primary].remote
    }

    /// Every address of the peer, in the order learnt.
    pub fn peer_addresses(&self) -> impl Iterator<Item = SocketAddr> + '_ {
        self.paths.iter().map(|p| p.remote)
    }

    /// The next route change for the endpoint, if any.
    pub fn poll_endpoint_event(&mut self) -> Option<EndpointEvent> {
        self.endpoint_events.pop_front()
    }

    /// Our SCTP port.
    pub fn local_port(&self) -> u16 {
        self.local_port
    }

    /// Outbound streams available to [`Association::send`].
    pub fn outbound_streams(&self) -> u16 {
        self.outbound_streams
    }

    /// Inbound streams the peer may use.
    pub fn inbound_streams(&self) -> u16 {
        self.inbound_streams
    }

    /// The tag the peer must put in its packets to us.
    pub fn local_verification_tag(&self) -> VerificationTag {
        self.local_vtag
    }

    /// Bytes accepted by `send` and not yet acknowledged by the peer.
    pub fn buffered_amount(&self) -> usize {
        self.send_queue.queued_bytes() + self.rtx.outstanding_bytes()
    }

    /// The current retransmission timeout of the path data goes on.
    pub fn rto(&self) -> std::time::Duration {
        self.dp().rto.rto()
    }

    /// The smoothed round-trip time of the path data goes on, once measured.
    pub fn srtt(&self) -> Option<std::time::Duration> {
        self.dp().rto.srtt()
    }

    /// The congestion window of the path data goes on, in bytes.
    pub fn cwnd(&self) -> usize {
        self.dp().cc.cwnd
    }

    /// The path new data goes on.
    fn dp(&self) -> &Path {
        &self.paths[self.data_path]
    }

    /// The path new data goes on, mutably.
    fn dp_mut(&mut self) -> &mut Path {
        &mut self.paths[self.data_path]
    }

    /// Queues a message (RFC 9260 section 10.1 SEND). Messages on one stream
    /// are delivered in order unless `unordered`. Before the association is
    /// established messages wait; after `shutdown` they are refused.
    pub fn send(
        &mut self,
        stream_id: StreamId,
        ppid: Ppid,
        payload: Bytes,
        unordered: bool,
    ) -> Result<(), SendError> {
        let options = SendOptions::default().unordered(unordered);
        self.enqueue(None, stream_id, ppid, payload, &options)
    }

    /// Queues a message with per-message options (RFC 6458 section 5.3.4
    /// sctp_sndinfo and RFC 7496 section 4 sctp_prinfo) sent at `now`:
    /// unordered delivery, a context for send failures, an immediate SACK
    /// for its last fragment (RFC 7053) and a partial-reliability policy.
    /// A message of the priority policy that finds the send buffer full
    /// takes the room of queued messages of lower priority, which are
    /// abandoned (RFC 7496 section 3.2).
    pub fn send_with(
        &mut self,
        now: Instant,
        stream_id: StreamId,
        ppid: Ppid,
        payload: Bytes,
        options: &SendOptions,
    ) -> Result<(), SendError> {
        self.enqueue(Some(now), stream_id, ppid, payload, options)
    }

    /// `send` and `send_with`: `now` is needed for a lifetime only.
    fn enqueue(
        &mut self,
        now: Option<Instant>,
        stream_id: StreamId,
        ppid: Ppid,
        payload: Bytes,
        options: &SendOptions,
    ) -> Result<(), SendError> {
        if !self.state.accepts_user_data() {
            return Err(SendError::NotAccepting(self.state));
        }
        self.check_message(stream_id, &payload)?;
        if let Err(full) = self.check_buffer(payload.len()) {
            let (PrPolicy::Priority(p), Some(now)) = (options.pr, now) else {
                return Err(full);
            };
            let needed = self.buffered_amount() + payload.len() - self.config.send_buffer;
            if !self.make_room_for_priority(now, p, needed) {
                return Err(full);
            }
        }
        let pr = (!options.pr.is_reliable()).then(|| {
            self.next_message_id += 1;
            Arc::new(partial_reliability::PrMessage {
                id: self.next_message_id,
                policy: options.pr,
                expires: match (options.pr, now) {
                    (PrPolicy::TimedReliability(ttl), Some(now)) => Some(now + ttl),
                    _ => None,
                },
                message: Message {
                    stream_id,
                    ppid,
                    unordered: options.unordered,
                    payload: payload.clone(),
                },
                context: options.context,
            })
        });
        self.send_queue.push(stream_id, ppid, options, payload, pr);
        self.open_burst();
        Ok(())
    }

    /// The checks on a message itself (RFC 9260 section 10.1 SEND).
    fn check_message(&self, stream_id: StreamId, payload: &Bytes) -> Result<(), SendError> {
        if stream_id >= self.outbound_streams {
            return Err(SendError::InvalidStream {
                stream_id,
                streams: self.outbound_streams,
            });
        }
        if payload.is_empty() {
            return Err(SendError::Empty);
        }
        if payload.len() > self.config.max_message_size {
            return Err(SendError::TooLarge {
                size: payload.len(),
                max: self.config.max_message_size,
            });
        }
        Ok(())
    }

    /// Whether `len` more bytes fit the send buffer (a message always
    /// fits an empty one).
    fn check_buffer(&self, len: usize) -> Result<(), SendError> {
        let buffered = self.buffered_amount();
        if buffered > 0 && buffered + len > self.config.send_buffer {
            return Err(SendError::BufferFull {
                buffered,
                limit: self.config.send_buffer,
            });
        }
        Ok(())
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.take_event(0)
    }

    /// The first queued message, leaving other events queued in order
    /// (RFC 6458 reads data apart from notifications).
    pub fn poll_message(&mut self) -> Option<(Message, RecvInfo)> {
        let i = self
            .events
            .iter()
            .position(|e| matches!(e, Event::Message(..)))?;
        match self.take_event(i)? {
            Event::Message(m, info) => Some((m, info)),
            _ => None,
        }
    }

    /// The first queued event that is not a message, leaving messages queued
    /// in order. A [`Event::PartialDeliveryAborted`] waits until the pieces
    /// queued before it are read, so it never overtakes them.
    pub fn poll_notification(&mut self) -> Option<Event> {
        let mut message_before = false;
        let i = self.events.iter().position(|e| match e {
            Event::Message(..) => {
                message_before = true;
                false
            }
            Event::PartialDeliveryAborted { .. } => !message_before,
            _ => true,
        })?;
        self.take_event(i)
    }

    /// Removes the event at `i`; a message read frees receive window.
    fn take_event(&mut self, i: usize) -> Option<Event> {
        let ev = if i == 0 {
            self.events.pop_front()?
        } else {
            self.events.remove(i)?
        };
        if let Event::Message(m, _) = &ev {
            self.undelivered_bytes -= m.payload.len();
            // What the user read may make another message the next to go:
            // a still closed window is relieved again at the next chunk.
            self.relieved = false;
            self.maybe_window_update();
        }
        Some(ev)
    }

    /// Reading (or a larger receive window) reopened a window we had
    /// advertised as (nearly) closed, or at least doubled one we had
    /// advertised as small: tell the peer at once rather than leave it
    /// waiting for our delayed SACK or its own probe (RFC 9260 section 6.2).
    /// A window still too small for the peer's next message stalls it even
    /// above one MTU; doubling bounds the extra SACKs to one per doubling,
    /// like TCP's window updates (RFC 1122 section 4.2.3.3).
    fn maybe_window_update(&mut self) {
        let mtu = self.sctp_mtu() as u32;
        let rwnd = self.a_rwnd();
        if rwnd >= 2 * mtu
            && rwnd / 2 >= self.advertised_rwnd
            && self.state.is_established_or_later()
        {
            self.sack_due = SackDue::Now;
        }
    }

    /// Whether a SACK is owed at once (for example the window update after
    /// reading reopened the receive window): a host that only transmits when
    /// told to should call [`Association::poll_transmit`] now.
    pub fn sack_due_now(&self) -> bool {
        self.sack_due == SackDue::Now
    }

    /// The earliest deadline at which [`Association::handle_timeout`] must be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next_deadline()
    }

    /// Starts a graceful shutdown (RFC 9260 section 9.2): queued and
    /// outstanding data is still delivered, then SHUTDOWN is exchanged.
    pub fn shutdown(&mut self, now: Instant) {
        match self.state {
            State::Established => {
                self.set_state(State::ShutdownPending);
                self.maybe_send_shutdown(now);
            }
            // Before set-up completes there is nothing to deliver: abort quietly (section 9.1).
            State::CookieWait | State::CookieEchoed => self.abort(Vec::new()),
            _ => {}
        }
    }

    /// Aborts the association (RFC 9260 section 9.1) with the given error
    /// causes (for example a User-Initiated Abort reason): ABORT is sent and
    /// unsent or unacknowledged messages are reported as send failures.
    pub fn abort(&mut self, causes: Vec<ErrorCause>) {
        if self.state == State::Closed {
            return;
        }
        let vtag = self.peer_vtag;
        // In COOKIE-WAIT the peer's tag is unknown: no ABORT can be verified (section 9.1).
        if self.state != State::CookieWait {
            self.standalone
                .push_back((None, self.encode_abort(vtag, false, &causes)));
        }
        self.close(CloseReason::LocalAbort(causes));
    }

    /// Every state transition goes through here, so each is traced once
    /// (RFC 9260 section 4).
    fn set_state(&mut self, to: State) {
        if self.state != to {
            tracing::debug!(from = %self.state, %to, tag = self.local_vtag.0, "association state");
            self.state = to;
        }
    }

    /// Ends the association: timers stop, undelivered data is reported.
    fn close(&mut self, reason: CloseReason) {
        self.enter_closed();
        self.close_reason = Some(reason.clone());
        self.events.push_back(Event::Closed(reason));
    }

    fn enter_closed(&mut self) {
        self.set_state(State::Closed);
        self.timers.stop_all();
        self.control.clear();
        self.setup = SetupState::default();
        self.shutdown = ShutdownState::default();
        self.sack_due = SackDue::No;
        // Partial and out-of-order messages can never be delivered now; free
        // them at once (an Out of Resource ABORT exists to release memory).
        self.reassembly.clear();
        self.interleaved.clear();
        self.report_unsent();
    }

    /// SEND FAILURE (RFC 9260 section 10.2): every message not fully
    /// acknowledged goes back to the user, in send order. A message whose
    /// first fragments were already acknowledged is not reported: the peer
    /// holds part of it and no whole message can be given back.
    fn report_unsent(&mut self) {
        let mut failed: Vec<Event> = Vec::new();
        let mut parts: Vec<Bytes> = Vec::new();
        let mut head: Option<(StreamId, Ppid, bool, u32)> = None;
        for c in self.rtx.drain() {
            if c.flags.beginning {
                parts.clear();
                head = Some((c.stream_id, c.ppid, c.flags.unordered, c.context));
            }
            if head.is_none() {
                continue;
            }
            parts.push(c.payload);
            if c.flags.ending
                && let Some((stream_id, ppid, unordered, context)) = head.take()
            {
                let payload = if parts.len() == 1 {
                    parts.pop().unwrap_or_default()
                } else {
                    Bytes::from(parts.concat())
                };
                parts.clear();
                // Every chunk in the retransmission queue went on the wire.
                failed.push(Event::SendFailed {
                    message: Message {
                        stream_id,
                        ppid,
                        unordered,
                        payload,
                    },
                    context,
                    sent: true,
                });
            }
        }
        // A message cut off mid-way is still at the head of the send queue,
        // which gives it back whole.
        failed.extend(self.send_queue.drain().map(|u| Event::SendFailed {
            message: u.message,
            context: u.context,
            sent: u.sent,
        }));
        self.events.extend(failed);
    }

    /// Sets the Max.Burst budget from the current flight size (RFC 9260 section 6.1 D).
    fn open_burst(&mut self) {
        self.open_burst_after_ack(0);
    }

    /// Max.Burst counts packets beyond those the event itself made room for:
    /// a SACK that acknowledges many packets at once (a receiver that
    /// batches its input) may be answered with as many new ones, plus
    /// Max.Burst more, so ack compression does not throttle the sender.
    fn open_burst_after_ack(&mut self, acked: usize) {
        let mtu = self.sctp_mtu();
        self.burst_limit = self.rtx.flight_size() + acked + self.config.max_burst as usize * mtu;
    }

    /// The largest SCTP packet for a path MTU: less the IP (and encapsulation) header.
    fn sctp_mtu_for(config: &AssociationConfig, path_mtu: usize) -> usize {
        path_mtu
            .saturating_sub(config.ip_header_len)
            .max(MIN_SCTP_PACKET)
    }

    /// The largest SCTP packet on the path data goes on. Fragments are cut
    /// to the smallest MTU of the usable paths, so a retransmission to an
    /// alternate path fits too (RFC 9260 section 7.3 suggests this).
    fn sctp_mtu(&self) -> usize {
        self.sctp_mtu
    }

    /// Recomputes [`Association::sctp_mtu`] after a path or an MTU changed
    /// (it is read for every fragment, so it is kept, not derived).
    pub(super) fn update_sctp_mtu(&mut self) {
        let mtu = self
            .paths
            .iter()
            .filter(|p| p.confirmed)
            .map(|p| p.mtu)
            .min()
            .unwrap_or(self.dp().mtu);
        self.sctp_mtu = Self::sctp_mtu_for(&self.config, mtu);
    }

    /// The path MTU in use on the path data goes on (IP header included).
    pub fn path_mtu(&self) -> usize {
        self.dp().mtu
    }

    /// Changes the path MTU of every path, for example on an ICMP
    /// "fragmentation needed" or "packet too big" (RFC 9260 section 7.3, RFC
    /// 8899). New DATA is fragmented to fit; chunks already sent keep their
    /// size. Values below 576 bytes (IPv4's minimum reassembly size) are
    /// raised to it.
    pub fn set_path_mtu(&mut self, mtu: usize) {
        for p in &mut self.paths {
            p.mtu = mtu.max(576);
        }
        self.update_sctp_mtu();
    }

    /// Changes the path MTU towards one peer address (ICMP names the
    /// destination); returns false if it is not one of the peer's.
    pub fn set_path_mtu_for(&mut self, remote: SocketAddr, mtu: usize) -> bool {
        match self.paths.iter_mut().find(|p| p.remote == remote) {
            Some(p) => {
                p.mtu = mtu.max(576);
                self.update_sctp_mtu();
                true
            }
            None => false,
        }
    }

    /// Received payload bytes held: for reassembly, and delivered but unread.
    fn held_bytes(&self) -> usize {
        self.reassembly.buffered_bytes()
            + self.interleaved.buffered_bytes()
            + self.undelivered_bytes
    }

    /// The receiver window we advertise (RFC 9260 section 6.2).
    fn a_rwnd(&self) -> u32 {
        (self.config.receive_window as usize).saturating_sub(self.held_bytes()) as u32
    }
}

#[cfg(test)]
mod tests;
