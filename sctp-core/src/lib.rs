//! A sans-IO SCTP (RFC 9260) stack: wire format, endpoint and association engine.
//!
//! `sctp-core` never touches the world: it has no sockets, reads no clock and
//! spawns no threads. Packets go in as byte slices, packets come out into the
//! caller's buffers, and time is a value the caller passes in:
//!
//! ```text
//!            received packet                         packets to send
//!   socket ──────────────────► Endpoint::handle ──► DatagramEvent::Response
//!                                     │
//!                                     ▼ DatagramEvent::Association(h) / NewAssociation
//!   user ──send/shutdown/abort──► Association ──poll_transmit(now, buf)──► socket
//!   user ◄──────poll_event──────      │  ▲
//!   clock ──handle_timeout(now)───────┘  └── poll_timeout() -> deadline
//! ```
//!
//! A complete driving loop, with two endpoints passing packets in memory:
//!
//! ```
//! use std::time::{Duration, Instant};
//! use bytes::Bytes;
//! use sctp_core::{DatagramEvent, Endpoint, EndpointConfig, Event, Ppid};
//!
//! let mut now = Instant::now();
//! let (client_addr, server_addr) = ("198.18.0.1:5000".parse().unwrap(), "198.18.0.2:2905".parse().unwrap());
//! let mut server = Endpoint::new(EndpointConfig::default(), now);
//! server.listen(2905);
//! let mut client = Endpoint::new(EndpointConfig::default(), now);
//! let (_, mut assoc) = client.connect(now, 5000, server_addr).unwrap();
//! assoc.send(0, Ppid(46), Bytes::from_static(b"Diameter CER"), false).unwrap();
//!
//! let mut server_assoc = None;
//! let mut buf = vec![0u8; 1500];
//! let mut received = Vec::new();
//! for _ in 0..20 {
//!     // Client to server.
//!     while let Some(t) = assoc.poll_transmit(now, &mut buf) {
//!         let packet = buf[..t.size].to_vec();
//!         let mut reply = vec![0u8; 1500];
//!         match server.handle(now, client_addr, server_addr, &packet, &mut reply) {
//!             Some(DatagramEvent::NewAssociation(_, a)) => server_assoc = Some(a),
//!             Some(DatagramEvent::Association(_)) => {
//!                 server_assoc.as_mut().unwrap().handle_packet(now, &packet)
//!             }
//!             Some(DatagramEvent::Response(t)) => assoc.handle_packet(now, &reply[..t.size]),
//!             _ => {}
//!         }
//!     }
//!     // Server to client.
//!     if let Some(s) = server_assoc.as_mut() {
//!         while let Some(t) = s.poll_transmit(now, &mut buf) {
//!             assoc.handle_packet(now, &buf[..t.size]);
//!         }
//!         while let Some(ev) = s.poll_event() {
//!             if let Event::Message(m, _info) = ev {
//!                 received.push(m);
//!             }
//!         }
//!     }
//!     // Timers: jump to the next deadline.
//!     if let Some(deadline) = assoc.poll_timeout() {
//!         now = now.max(deadline.min(now + Duration::from_millis(50)));
//!         assoc.handle_timeout(now);
//!     }
//! }
//! assert_eq!(&received[0].payload[..], b"Diameter CER");
//! assert_eq!(received[0].ppid, Ppid(46));
//! ```
//!
//! A multi-homed peer (RFC 9260 section 6.4) reaches the association from
//! several addresses: pass each packet with its source to
//! [`Association::handle_packet_from`] (replies go back there), send each
//! packet [`Association::poll_transmit`] writes to its `destination` (the
//! path it chose: the primary, or an alternate while the primary fails),
//! and hand every [`Association::poll_endpoint_event`] to
//! [`Endpoint::handle_event`] so the endpoint routes the peer's new
//! addresses. [`EndpointConfig::local_addresses`] lists ours to the peer;
//! [`Association::status`] reports each path. AUTH (RFC 4895) and ASCONF
//! (RFC 5061) are negotiated by default: [`Association::add_local_address`]
//! and [`Association::remove_local_address`] change our addresses while
//! the association runs.
//!
//! The extensions are negotiated by default too. Partial reliability (RFC
//! 3758, RFC 7496): a [`PrPolicy`] per message in [`SendOptions`], and
//! [`Event::Abandoned`] gives back what was given up on. I-DATA (RFC 8260):
//! with a [`SchedulerKind`] other than first-come first-served
//! ([`Association::set_scheduler`]), a large message's fragments take turns
//! with other streams' messages. Stream reconfiguration (RFC 6525):
//! [`Association::reset_streams`], [`Association::add_streams`] and
//! [`Event::StreamReset`].
//!
//! Partial delivery (RFC 9260 section 6.9, RFC 6458 section 8.1.21): once
//! [`AssociationConfig::partial_delivery_point`] bytes of a message that may
//! be delivered next are held, it comes up in pieces, each an
//! [`Event::Message`] whose [`RecvInfo::end_of_record`] is set on the last
//! only, so a message larger than the receive window still arrives.
//! [`PartialMessages`] joins them again up to a size the user chooses. With
//! DATA, one message of a stream is in pieces at a time, and while an
//! unordered one is, the stream's other unordered messages wait; with
//! I-DATA, pieces of different messages take turns as their fragments
//! arrive interleaved, each known by stream, `unordered` and MID.
//!
//! The [`wire`] module parses and emits every SCTP chunk, parameter and error
//! cause over borrowed bytes, without panicking on any input:
//!
//! ```
//! use sctp_core::wire::{Chunk, PacketBuilder, Packet, chunk::CookieAck};
//! use sctp_core::VerificationTag;
//!
//! let mut buf = [0u8; 64];
//! let mut b = PacketBuilder::new(&mut buf, 5000, 36412, VerificationTag(0xdead_beef)).unwrap();
//! b.push(&Chunk::CookieAck(CookieAck)).unwrap();
//! let len = b.finish();
//!
//! let packet = Packet::new_checked(&buf[..len]).unwrap();
//! packet.verify_checksum().unwrap();
//! assert_eq!(packet.dst_port(), 36412);
//! let chunks: Vec<_> = packet.chunks().map(|c| c.and_then(|raw| raw.parse())).collect();
//! assert!(matches!(chunks[..], [Ok(Chunk::CookieAck(_))]));
//! ```
#![forbid(unsafe_code)]

pub mod association;
pub mod config;
pub mod endpoint;
mod handshake;
pub mod serial;
pub mod wire;

pub use association::{
    AsconfError, Association, AssociationStats, AssociationStatus, CloseReason, EndpointEvent,
    ErrorCause, Event, Message, MessageTooLarge, ParseSchedulerKindError, PartialMessages,
    PathChange, PathError, PathState, PathStatus, PrPolicy, ReconfigError, ReconfigOutcome,
    RecvInfo, SchedulerKind, SendError, SendOptions, State, Timer, Transmit,
};
pub use config::{AssociationConfig, ConfigError};
pub use endpoint::{AssociationHandle, ConnectError, DatagramEvent, Endpoint, EndpointConfig};
pub use serial::{Fsn, Mid, Ppid, Ssn, StreamId, Tsn, VerificationTag};
pub use wire::cause::CauseCode;

/// Unit tests need some instant to count virtual time from; it is read once here.
#[cfg(test)]
#[allow(clippy::disallowed_methods)]
pub(crate) fn test_epoch() -> std::time::Instant {
    std::time::Instant::now()
}
