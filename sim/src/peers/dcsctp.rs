//! The `dcsctp` crate (0.1, WebRTC's dcSCTP in Rust) as a simulator host.
//!
//! A dcSCTP socket is one association, sans-IO: packets go in through
//! `handle_input`, come out as `SocketEvent::SendPacket` events (whole SCTP
//! packets with CRC32c; DTLS is the embedder's business), and time is a
//! `SocketTime` since the socket's creation, moved forward with
//! `advance_time`, which also fires due timers. A server is simply a socket
//! that never calls `connect` and answers the INIT it receives.
//!
//! It is configured as close to plain RFC 9260 as its options go: partial
//! reliability (RFC 3758), message interleaving (RFC 8260) and zero checksum
//! (RFC 9653) are off. It cannot be stopped from listing RE-CONFIG (RFC 6525)
//! in a Supported Extensions parameter of its INIT and INIT ACK; it does not
//! require the peer to support it (stream resets are then refused locally).

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use bytes::Bytes;
use dcsctp::api::{
    DcSctpSocket, ErrorKind, Message as DcMessage, Options, PpId, SendError, SendOptions,
    SocketEvent, SocketState, SocketTime, StreamId,
    ZERO_CHECKSUM_ALTERNATE_ERROR_DETECTION_METHOD_NONE,
};
use sctp_core::{Message, Ppid};

use super::{PacketLog, SpinGuard, assert_bare_sctp, chunk_type};
use crate::Host;

/// A dcSCTP socket on the simulated network, recording what it delivers.
pub struct DcsctpHost {
    /// The socket.
    pub socket: Box<dyn DcSctpSocket>,
    /// Our address and port.
    pub local: SocketAddr,
    /// Messages received, in delivery order. dcSCTP does not report whether a
    /// message was sent unordered: `unordered` is always false.
    pub received: Vec<Message>,
    /// Every event other than outgoing packets, in order.
    pub events: Vec<SocketEvent>,
    /// The last packets sent and received.
    pub log: PacketLog,
    epoch: Instant,
    outbox: Vec<Vec<u8>>,
    spin: SpinGuard,
}

impl std::fmt::Debug for DcsctpHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DcsctpHost")
            .field("local", &self.local)
            .field("state", &self.socket.state())
            .field("received", &self.received.len())
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

impl DcsctpHost {
    /// The options used: dcSCTP's defaults, with our ports, a 1480-byte
    /// packet size (a 1500-byte IPv4 MTU) and the optional extensions off.
    pub fn options(local_port: u16, remote_port: u16) -> Options {
        Options {
            local_port,
            remote_port,
            mtu: 1480,
            enable_partial_reliability: false,
            enable_message_interleaving: false,
            zero_checksum_alternate_error_detection_method:
                ZERO_CHECKSUM_ALTERNATE_ERROR_DETECTION_METHOD_NONE,
            ..Options::default()
        }
    }

    /// A socket with the given options; `seed` seeds dcSCTP's RNG (the
    /// thread-local `fastrand` generator it draws tags and TSNs from).
    pub fn with_options(now: Instant, local: &str, options: &Options, seed: u64) -> Self {
        let local: SocketAddr = local.parse().expect("a socket address");
        assert_eq!(
            options.local_port,
            local.port(),
            "options match the address"
        );
        fastrand::seed(seed);
        Self {
            socket: dcsctp::new_socket(&format!("dcsctp-{local}"), options),
            local,
            received: Vec::new(),
            events: Vec::new(),
            log: PacketLog::default(),
            epoch: now,
            outbox: Vec::new(),
            spin: SpinGuard::default(),
        }
    }

    /// A socket that connects from `local` to `remote`.
    pub fn client(now: Instant, local: &str, remote: &str, seed: u64) -> Self {
        let l: SocketAddr = local.parse().expect("a socket address");
        let r: SocketAddr = remote.parse().expect("a socket address");
        let mut h = Self::with_options(now, local, &Self::options(l.port(), r.port()), seed);
        h.socket.connect();
        h.drain_events();
        h
    }

    /// A socket that waits on `local` for an INIT from `remote_port`
    /// (dcSCTP sends to the port its options name, not the INIT's source).
    pub fn server(now: Instant, local: &str, remote_port: u16, seed: u64) -> Self {
        let l: SocketAddr = local.parse().expect("a socket address");
        Self::with_options(now, local, &Self::options(l.port(), remote_port), seed)
    }

    fn socket_time(&self, now: Instant) -> SocketTime {
        SocketTime::zero() + now.saturating_duration_since(self.epoch)
    }

    /// The socket's state.
    pub fn state(&self) -> SocketState {
        self.socket.state()
    }

    /// Whether the socket reported being connected.
    pub fn connected(&self) -> bool {
        self.saw(|e| matches!(e, SocketEvent::OnConnected()))
    }

    /// Whether an event matching `f` was seen.
    pub fn saw(&self, f: impl Fn(&SocketEvent) -> bool) -> bool {
        self.events.iter().any(f)
    }

    /// Whether the socket is closed.
    pub fn closed(&self) -> bool {
        self.socket.state() == SocketState::Closed
    }

    /// How the association was aborted, if it was.
    pub fn aborted(&self) -> Option<(ErrorKind, &str)> {
        self.events.iter().find_map(|e| match e {
            SocketEvent::OnAborted(kind, why) => Some((*kind, why.as_str())),
            _ => None,
        })
    }

    /// Errors reported without ending the association (for example an ERROR
    /// chunk from the peer, or a packet dropped for a bad tag).
    pub fn errors(&self) -> Vec<(ErrorKind, &str)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                SocketEvent::OnError(kind, why) => Some((*kind, why.as_str())),
                _ => None,
            })
            .collect()
    }

    /// Whether the association went through a graceful shutdown: the socket
    /// reported OnClosed, a SHUTDOWN COMPLETE was sent or received, and no
    /// ABORT either way.
    pub fn saw_shutdown_complete(&self) -> bool {
        let l = &self.log;
        self.saw(|e| matches!(e, SocketEvent::OnClosed()))
            && l.count(true, chunk_type::SHUTDOWN_COMPLETE)
                + l.count(false, chunk_type::SHUTDOWN_COMPLETE)
                > 0
            && l.count(true, chunk_type::ABORT) + l.count(false, chunk_type::ABORT) == 0
    }

    /// Whether the peer's ABORT ended the association.
    pub fn saw_abort(&self) -> bool {
        matches!(self.aborted(), Some((ErrorKind::PeerReported, _)))
    }

    /// Moves the socket's clock to `now` (firing due timers). The commands
    /// below do it first: dcSCTP starts timers from its own clock, so a command
    /// given after the simulator's clock jumped would otherwise start them in
    /// the past.
    pub fn advance(&mut self, now: Instant) {
        let t = self.socket_time(now);
        self.socket.advance_time(t);
        self.drain_events();
    }

    /// Queues a message at `now`.
    pub fn send(
        &mut self,
        now: Instant,
        stream: u16,
        ppid: u32,
        data: &[u8],
        unordered: bool,
    ) -> Result<(), SendError> {
        let opts = SendOptions {
            unordered,
            ..SendOptions::default()
        };
        self.send_with(now, stream, ppid, data, &opts)
    }

    /// Queues a message at `now` with dcSCTP's send options (lifetime and
    /// retransmission limit for partial reliability).
    pub fn send_with(
        &mut self,
        now: Instant,
        stream: u16,
        ppid: u32,
        data: &[u8],
        opts: &SendOptions,
    ) -> Result<(), SendError> {
        self.advance(now);
        let r = self.socket.send(
            DcMessage::new(StreamId(stream), PpId(ppid), data.to_vec()),
            opts,
        );
        let before = self.events.len();
        self.drain_events();
        if r == Err(SendError::ResourceExhaustion) {
            // dcSCTP also reports the refusal as an OnError event: the caller
            // has it from the result already (it is back-pressure, not a fault).
            let tail = self.events.split_off(before);
            self.events.extend(
                tail.into_iter().filter(|e| {
                    !matches!(e, SocketEvent::OnError(ErrorKind::ResourceExhaustion, _))
                }),
            );
        }
        r
    }

    /// Resets outgoing `streams` at `now` (RFC 6525).
    pub fn reset_streams(&mut self, now: Instant, streams: &[u16]) {
        self.advance(now);
        let ids: Vec<StreamId> = streams.iter().map(|&s| StreamId(s)).collect();
        self.socket
            .reset_streams(&ids)
            .expect("dcsctp accepts a reset of open streams");
        self.drain_events();
    }

    /// Starts a graceful shutdown at `now`.
    pub fn shutdown(&mut self, now: Instant) {
        self.advance(now);
        self.socket.shutdown();
        self.drain_events();
    }

    /// Aborts at `now`: dcSCTP sends ABORT with a User-Initiated Abort cause
    /// ("Close called").
    pub fn abort(&mut self, now: Instant) {
        self.advance(now);
        self.socket.close();
        self.drain_events();
    }

    fn drain_events(&mut self) {
        while let Some(ev) = self.socket.poll_event() {
            match ev {
                SocketEvent::SendPacket(p) => self.outbox.push(p),
                other => self.events.push(other),
            }
        }
        while let Some(m) = self.socket.get_next_message() {
            self.received.push(Message::new(
                m.stream_id.0,
                Ppid(m.ppid.0),
                Bytes::from(m.payload),
            ));
        }
    }
}

impl Host for DcsctpHost {
    fn ip(&self) -> IpAddr {
        self.local.ip()
    }

    fn handle(&mut self, now: Instant, _from: IpAddr, packet: &[u8]) {
        self.log.record(now, false, packet);
        self.advance(now);
        self.socket.handle_input(packet);
        self.drain_events();
    }

    fn poll_transmit(&mut self, now: Instant) -> Vec<Vec<u8>> {
        // Keeps the socket's clock current for commands given between steps.
        self.advance(now);
        let out = std::mem::take(&mut self.outbox);
        for p in &out {
            assert_bare_sctp("dcsctp", p, Some(self.local.port()));
            self.log.record(now, true, p);
        }
        out
    }

    fn poll_timeout(&self) -> Option<Instant> {
        let t = self.socket.poll_timeout();
        (t != SocketTime::infinite_future()).then(|| self.epoch + (t - SocketTime::zero()))
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.spin.tick("dcsctp", now);
        self.advance(now);
    }
}
