//! The SCTP wire format: common header, chunks, parameters, error causes.
//!
//! Reading is zero-copy: [`Packet`] views a received buffer, its chunk
//! iterator yields [`RawChunk`]s, and [`RawChunk::parse`] gives a [`Chunk`]
//! whose variable parts borrow from the buffer. Writing is the reverse: a
//! [`Chunk`] emits into the caller's buffer through a [`PacketBuilder`],
//! which finishes with the CRC32c. No input makes any of it panic.
//!
//! ```
//! use sctp_core::wire::{Chunk, Packet, PacketBuilder, chunk::{Data, DataFlags}};
//! use sctp_core::{Ppid, Ssn, Tsn, VerificationTag};
//!
//! let mut buf = [0u8; 128];
//! let mut b = PacketBuilder::new(&mut buf, 2905, 2905, VerificationTag(0x1234_5678)).unwrap();
//! let data = Data {
//!     flags: DataFlags::COMPLETE,
//!     tsn: Tsn(u32::MAX),
//!     stream_id: 3,
//!     ssn: Ssn(0),
//!     ppid: Ppid(3), // M3UA
//!     payload: b"signalling",
//! };
//! b.push(&Chunk::Data(data)).unwrap();
//! let len = b.finish();
//!
//! let packet = Packet::new_checked(&buf[..len]).unwrap();
//! packet.verify_checksum().unwrap();
//! let raw = packet.chunks().next().unwrap().unwrap();
//! assert_eq!(raw.parse().unwrap(), Chunk::Data(data));
//! ```

pub mod cause;
pub mod checksum;
pub mod chunk;
pub mod error;
pub mod header;
pub mod list;
pub mod packet;
pub mod param;
pub mod tlv;

pub use chunk::{Chunk, ChunkValue, RawChunk, UnrecognizedAction};
pub use error::{BufferTooSmall, Malformed, WireError};
pub use header::CommonHeader;
pub use list::List;
pub use packet::{ChunkIter, Packet, PacketBuilder};
pub use tlv::{RawTlv, TlvIter, TlvValue};
