//! A sans-IO SCTP (RFC 9260) stack: wire format, endpoint and association engine.
//!
//! `sctp-core` never touches the world: it has no sockets, reads no clock and
//! spawns no threads. Packets go in as byte slices, packets come out into the
//! caller's buffers, and time is a value the caller passes in.
//!
//! The [`wire`] module parses and emits every SCTP chunk, parameter and error
//! cause, over borrowed bytes, without panicking on any input:
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
pub mod serial;
pub mod wire;

pub use association::{
    Association, CloseReason, ErrorCause, Event, Message, SendError, State, Timer, Transmit,
};
pub use config::AssociationConfig;
pub use endpoint::{AssociationHandle, ConnectError, DatagramEvent, Endpoint, EndpointConfig};
pub use serial::{Fsn, Mid, Ppid, Ssn, StreamId, Tsn, VerificationTag};

/// Unit tests need some instant to count virtual time from; it is read once here.
#[cfg(test)]
#[allow(clippy::disallowed_methods)]
pub(crate) fn test_epoch() -> std::time::Instant {
    std::time::Instant::now()
}
