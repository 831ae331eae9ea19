//! The `sctp-proto` crate (0.10, webrtc-rs / str0m) as a simulator host.
//!
//! `sctp-proto` is sans-IO: [`Endpoint::handle`] routes a received packet
//! (by verification tag) to an association or creates one from an INIT,
//! [`Association::poll_transmit`] yields whole SCTP packets (common header,
//! chunks, CRC32c: its payload is what goes into a raw-IP or UDP datagram,
//! with no DTLS or UDP framing of its own), and time is an [`Instant`] the
//! caller passes in.
//!
//! Its API is the WebRTC data channel's: messages go on [`sctp_proto::Stream`]s
//! that are opened ([`Association::open_stream`]) or accepted, each with its
//! own ordered/unordered setting, and PPIDs are limited to the WebRTC values
//! (50, 51, 53, 56, 57; anything else is sent as 58). It has no call that
//! sends ABORT: [`Association::close`] ends the association locally and
//! sends nothing, so [`ProtoHost::abort`] writes the ABORT itself (see there).

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use sctp_core::wire::cause::{Cause, UserInitiatedAbort};
use sctp_core::wire::chunk::Abort;
use sctp_core::wire::{Chunk, PacketBuilder};
use sctp_core::{Message, Ppid, VerificationTag};
use sctp_proto::{
    Association, AssociationError, AssociationHandle, ClientConfig, DatagramEvent, Endpoint,
    EndpointConfig, Error, Event, Payload, PayloadProtocolIdentifier, ReliabilityType,
    ServerConfig, StreamEvent, TransportConfig,
};

use super::{PacketLog, SpinGuard, assert_bare_sctp, chunk_type, src_port_of};
use crate::Host;

/// Why [`ProtoHost::send`] refused a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtoSendError {
    /// There is no association (yet, or any more).
    NoAssociation,
    /// `sctp-proto` can only send the WebRTC PPIDs (50, 51, 53, 56, 57).
    UnsupportedPpid(u32),
    /// More than [`ProtoHost::send_limit`] bytes wait to be sent or acknowledged.
    BufferFull,
    /// `sctp-proto` refused the stream or the message.
    Refused(Error),
}

/// `sctp-proto`'s endpoint with (at most) one association, recording what it delivers.
pub struct ProtoHost {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// Our address and port.
    pub local: SocketAddr,
    /// The association, once there is one.
    pub assoc: Option<(AssociationHandle, Association)>,
    /// Messages received, in delivery order. `sctp-proto` does not report
    /// whether a message was sent unordered: `unordered` is always false.
    pub received: Vec<Message>,
    /// Every other association event, in order.
    pub events: Vec<Event>,
    /// The last packets sent and received.
    pub log: PacketLog,
    /// [`ProtoHost::send`] refuses messages while this many bytes are buffered
    /// (`sctp-proto` itself buffers without limit).
    pub send_limit: usize,
    /// Each stream we opened, with its ordering and reliability setting.
    streams: BTreeMap<u16, (bool, ReliabilityType, u32)>,
    /// Ports and the peer's tag from our last packet, to address an ABORT.
    last_header: Option<(u16, u16, u32)>,
    outbox: Vec<Vec<u8>>,
    spin: SpinGuard,
}

impl std::fmt::Debug for ProtoHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProtoHost")
            .field("local", &self.local)
            .field("received", &self.received.len())
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

impl ProtoHost {
    /// The transport settings both roles use: `sctp-proto`'s defaults but
    /// for the ports and a 256 KiB message size limit.
    fn transport(local_port: u16, remote_port: u16) -> TransportConfig {
        TransportConfig::default()
            .with_local_port(local_port)
            .with_remote_port(remote_port)
            .with_max_send_message_size(256 * 1024)
            .with_max_receive_message_size(256 * 1024)
    }

    fn new(local: &str, server: Option<Arc<ServerConfig>>) -> Self {
        let local: SocketAddr = local.parse().expect("a socket address");
        let mut cfg = EndpointConfig::new();
        // DATA chunks sized so that a full packet fits a 1500-byte IPv4 MTU.
        cfg.max_payload_size(1500 - 20 - 12 - 16);
        Self {
            endpoint: Endpoint::new(Arc::new(cfg), server),
            local,
            assoc: None,
            received: Vec::new(),
            events: Vec::new(),
            log: PacketLog::default(),
            send_limit: 1024 * 1024,
            streams: BTreeMap::new(),
            last_header: None,
            outbox: Vec::new(),
            spin: SpinGuard::default(),
        }
    }

    /// A host that connects from `local` to `remote`.
    ///
    /// `sctp-proto` draws its tags and TSNs from the thread RNG and starts its
    /// first T1-init timer from the wall clock: `now` and `seed` cannot make
    /// it deterministic, and are taken for symmetry with [`crate::SctpHost`].
    pub fn client(_now: Instant, local: &str, remote: &str, _seed: u64) -> Self {
        let mut h = Self::new(local, None);
        let remote: SocketAddr = remote.parse().expect("a socket address");
        let mut cc = ClientConfig::new();
        cc.transport = Arc::new(Self::transport(h.local.port(), remote.port()));
        let (handle, assoc) = h.endpoint.connect(cc, remote).expect("a valid connect");
        h.assoc = Some((handle, assoc));
        h
    }

    /// A host that accepts associations on `local` (ports come from the INIT).
    pub fn server(_now: Instant, local: &str, _seed: u64) -> Self {
        let port: SocketAddr = local.parse().expect("a socket address");
        let mut sc = ServerConfig::new();
        sc.transport = Arc::new(Self::transport(port.port(), 0));
        Self::new(local, Some(Arc::new(sc)))
    }

    /// The association; panics if there is none (a test bug).
    pub fn association(&mut self) -> &mut Association {
        &mut self.assoc.as_mut().expect("an association").1
    }

    /// Whether a Connected event was seen.
    pub fn connected(&self) -> bool {
        self.saw(|e| matches!(e, Event::Connected))
    }

    /// Whether an event matching `f` was seen.
    pub fn saw(&self, f: impl Fn(&Event) -> bool) -> bool {
        self.events.iter().any(f)
    }

    /// Why the association was lost, if it was.
    pub fn lost_reason(&self) -> Option<&AssociationError> {
        self.events.iter().find_map(|e| match e {
            Event::AssociationLost { reason } | Event::HandshakeFailed { reason } => Some(reason),
            _ => None,
        })
    }

    /// Whether the association is closed (gracefully or not).
    pub fn closed(&self) -> bool {
        self.assoc.as_ref().is_some_and(|(_, a)| a.is_closed())
    }

    /// Whether an ABORT arrived and the association was lost: `sctp-proto`
    /// reports a peer's ABORT as `AssociationLost(AssociationClosed)`.
    pub fn saw_abort(&self) -> bool {
        self.log.count(false, chunk_type::ABORT) > 0
            && matches!(
                self.lost_reason(),
                Some(AssociationError::AssociationClosed)
            )
    }

    /// Whether the association went through a graceful shutdown to CLOSED:
    /// a SHUTDOWN COMPLETE was sent or received and no ABORT was.
    pub fn saw_shutdown_complete(&self) -> bool {
        let l = &self.log;
        self.closed()
            && l.count(true, chunk_type::SHUTDOWN_COMPLETE)
                + l.count(false, chunk_type::SHUTDOWN_COMPLETE)
                > 0
            && l.count(true, chunk_type::ABORT) + l.count(false, chunk_type::ABORT) == 0
    }

    /// Bytes accepted by [`ProtoHost::send`] and not yet acknowledged.
    pub fn buffered_amount(&mut self) -> usize {
        let ids: Vec<u16> = self.streams.keys().copied().collect();
        let Some((_, a)) = &mut self.assoc else {
            return 0;
        };
        ids.into_iter()
            .filter_map(|id| a.stream(id).ok()?.buffered_amount().ok())
            .sum()
    }

    /// Queues a message on `stream` (opened on first use) with the given
    /// ordering. `sctp-proto` keeps ordering per stream: the stream is switched
    /// before the message is queued, and each queued message keeps the setting.
    pub fn send(
        &mut self,
        stream: u16,
        ppid: u32,
        data: &[u8],
        unordered: bool,
    ) -> Result<(), ProtoSendError> {
        self.send_with(stream, ppid, data, unordered, ReliabilityType::Reliable, 0)
    }

    /// Queues a message with a partial-reliability setting: `sctp-proto`
    /// keeps it per stream (RFC 3758 through its `set_reliability_params`:
    /// `Rexmit` with a retransmission limit, `Timed` with a lifetime in ms).
    pub fn send_with(
        &mut self,
        stream: u16,
        ppid: u32,
        data: &[u8],
        unordered: bool,
        reliability: ReliabilityType,
        value: u32,
    ) -> Result<(), ProtoSendError> {
        let ppi = PayloadProtocolIdentifier::from(ppid);
        if ppi == PayloadProtocolIdentifier::Unknown {
            return Err(ProtoSendError::UnsupportedPpid(ppid));
        }
        if self.buffered_amount() + data.len() > self.send_limit {
            return Err(ProtoSendError::BufferFull);
        }
        let known = self.streams.get(&stream).copied();
        let Some((_, a)) = &mut self.assoc else {
            return Err(ProtoSendError::NoAssociation);
        };
        // The peer may have opened the stream already by sending on it.
        let exists = a.stream_ids().contains(&stream);
        let mut s = if exists {
            a.stream(stream)
        } else {
            a.open_stream(stream, ppi)
        }
        .map_err(ProtoSendError::Refused)?;
        let setting = (unordered, reliability, value);
        if known != Some(setting) {
            s.set_reliability_params(unordered, reliability, value)
                .map_err(ProtoSendError::Refused)?;
        }
        s.write_sctp(&Bytes::copy_from_slice(data), ppi)
            .map_err(ProtoSendError::Refused)?;
        self.streams.insert(stream, setting);
        Ok(())
    }

    /// Closes stream `id`: `sctp-proto` resets its outgoing side with an
    /// Outgoing SSN Reset Request (RFC 6525). The next send reopens it.
    pub fn close_stream(&mut self, id: u16) -> Result<(), Error> {
        self.streams.remove(&id);
        self.association().stream(id)?.close()
    }

    /// Starts a graceful shutdown (SHUTDOWN once all data is acknowledged).
    pub fn shutdown(&mut self) -> Result<(), Error> {
        self.association().shutdown()
    }

    /// Aborts the association with a User-Initiated Abort cause carrying `reason`.
    ///
    /// `sctp-proto` 0.10 has no API that sends ABORT (RFC 9260 section 9.1):
    /// [`Association::close`] only tears the association down locally. So this
    /// calls `close` and then sends the ABORT that the stack would send,
    /// addressed with the ports and peer tag of its own last packet.
    pub fn abort(&mut self, reason: &[u8]) {
        let Some((_, a)) = &mut self.assoc else {
            return;
        };
        let was_closed = a.is_closed();
        let _ = a.close();
        if was_closed {
            return;
        }
        if let Some((src, dst, vtag)) = self.last_header {
            let mut buf = vec![0u8; 64 + reason.len()];
            let mut b = PacketBuilder::new(&mut buf, src, dst, VerificationTag(vtag))
                .expect("room for a header");
            b.push(&Chunk::Abort(Abort {
                t_bit: false,
                causes: vec![Cause::UserInitiatedAbort(UserInitiatedAbort { reason })],
            }))
            .expect("room for an ABORT");
            let n = b.finish();
            buf.truncate(n);
            self.outbox.push(buf);
        }
        self.drain_events();
    }

    fn drain_events(&mut self) {
        let Some((_, a)) = &mut self.assoc else {
            return;
        };
        // Endpoint events are not passed back: `shutdown` emits `Drained` at
        // once, and the endpoint would then stop routing the SHUTDOWN ACK.
        while a.poll_endpoint_event().is_some() {}
        while let Some(ev) = a.poll() {
            match ev {
                Event::Stream(StreamEvent::Opened { .. }) => while a.accept_stream().is_some() {},
                Event::Stream(StreamEvent::Readable { .. } | StreamEvent::Writable { .. })
                | Event::DatagramReceived => {}
                other => self.events.push(other),
            }
        }
        for id in a.stream_ids() {
            let Ok(mut s) = a.stream(id) else { continue };
            while let Ok(Some(chunks)) = s.read_sctp() {
                let mut payload = vec![0u8; chunks.len()];
                let n = chunks
                    .read(&mut payload)
                    .expect("a buffer of the message's size");
                payload.truncate(n);
                self.received.push(Message::new(
                    id,
                    Ppid(chunks.ppi as u32),
                    Bytes::from(payload),
                ));
            }
        }
    }
}

impl Host for ProtoHost {
    fn ip(&self) -> IpAddr {
        self.local.ip()
    }

    fn handle(&mut self, now: Instant, from: IpAddr, packet: &[u8]) {
        self.log.record(now, false, packet);
        let remote = SocketAddr::new(from, src_port_of(packet));
        let ev = self.endpoint.handle(
            now,
            remote,
            Some(self.local.ip()),
            None,
            Bytes::copy_from_slice(packet),
        );
        match ev {
            Some((h, DatagramEvent::AssociationEvent(ev))) => {
                if let Some((handle, a)) = &mut self.assoc
                    && *handle == h
                {
                    a.handle_event(ev);
                }
            }
            Some((h, DatagramEvent::NewAssociation(a)))
                if self.assoc.as_ref().is_none_or(|(_, old)| old.is_closed()) =>
            {
                self.assoc = Some((h, a));
            }
            _ => {}
        }
        self.drain_events();
    }

    fn poll_transmit(&mut self, now: Instant) -> Vec<Vec<u8>> {
        let mut raw: Vec<Vec<u8>> = std::mem::take(&mut self.outbox);
        while let Some(t) = self.endpoint.poll_transmit() {
            if let Payload::RawEncode(v) = t.payload {
                raw.extend(v.iter().map(|b| b.to_vec()));
            }
        }
        if let Some((_, a)) = &mut self.assoc {
            while let Some(t) = a.poll_transmit(now) {
                match t.payload {
                    Payload::RawEncode(v) => raw.extend(v.iter().map(|b| b.to_vec())),
                    Payload::PartialDecode(_) => panic!("sctp-proto transmitted a decoded packet"),
                }
            }
        }
        for p in &raw {
            assert_bare_sctp("sctp-proto", p, Some(self.local.port()));
            let vtag = u32::from_be_bytes([p[4], p[5], p[6], p[7]]);
            if vtag != 0 {
                let dst = u16::from_be_bytes([p[2], p[3]]);
                self.last_header = Some((self.local.port(), dst, vtag));
            }
            self.log.record(now, true, p);
        }
        self.drain_events();
        raw
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.assoc.as_ref().and_then(|(_, a)| a.poll_timeout())
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.spin.tick("sctp-proto", now);
        if let Some((_, a)) = &mut self.assoc {
            a.handle_timeout(now);
        }
        self.drain_events();
    }
}
