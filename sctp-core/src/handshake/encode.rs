//! Whole packets and single chunks encoded for sending, and the error
//! cause codes the engine sends (RFC 9260 sections 3.3.10 and 8.4).

use crate::VerificationTag;
use crate::association::ErrorCause;
use crate::wire::cause::{Cause, UnknownCause};
use crate::wire::chunk::{Abort, OperationError};
use crate::wire::{Chunk, PacketBuilder};

/// Cause codes this module sends (RFC 9260 section 3.3.10).
pub(crate) mod cause_code {
    /// Stale Cookie Error.
    pub(crate) const STALE_COOKIE: u16 = 3;
    /// Unresolvable Address.
    pub(crate) const UNRESOLVABLE_ADDRESS: u16 = 5;
    /// Invalid Mandatory Parameter.
    pub(crate) const INVALID_MANDATORY_PARAMETER: u16 = 7;
    /// No User Data.
    pub(crate) const NO_USER_DATA: u16 = 9;
    /// Cookie Received While Shutting Down.
    pub(crate) const COOKIE_WHILE_SHUTTING_DOWN: u16 = 10;
    /// Protocol Violation.
    pub(crate) const PROTOCOL_VIOLATION: u16 = 13;
    /// Invalid Stream Identifier.
    pub(crate) const INVALID_STREAM: u16 = 1;
    /// Unrecognized Chunk Type.
    pub(crate) const UNRECOGNIZED_CHUNK: u16 = 6;
    /// Out of Resource.
    pub(crate) const OUT_OF_RESOURCE: u16 = 4;
    /// Restart of an Association with New Addresses.
    pub(crate) const RESTART_WITH_NEW_ADDRESSES: u16 = 11;
}

/// Encodes a whole packet of `chunks` with the checksum filled in.
pub(crate) fn encode_packet(
    src_port: u16,
    dst_port: u16,
    vtag: VerificationTag,
    chunks: &[Chunk<'_>],
) -> Vec<u8> {
    let len = 12 + chunks.iter().map(Chunk::chunk_len).sum::<usize>();
    let mut buf = vec![0u8; len];
    let mut b =
        PacketBuilder::new(&mut buf, src_port, dst_port, vtag).expect("sized for the header");
    for c in chunks {
        b.push(c).expect("sized for every chunk");
    }
    let n = b.finish();
    buf.truncate(n);
    buf
}

/// Encodes a whole packet from chunks already encoded, with the checksum filled in.
pub(crate) fn encode_packet_of(
    src_port: u16,
    dst_port: u16,
    vtag: VerificationTag,
    chunks: &[&[u8]],
) -> Vec<u8> {
    let mut buf = vec![0u8; 12];
    crate::wire::CommonHeader {
        src_port,
        dst_port,
        verification_tag: vtag,
        checksum: 0,
    }
    .emit(&mut buf)
    .expect("12 bytes");
    for c in chunks {
        buf.extend_from_slice(c);
    }
    crate::wire::Packet::new_checked(&mut buf[..])
        .expect("has a header")
        .fill_checksum();
    buf
}

/// Encodes one chunk on its own (for the control queue).
pub(crate) fn encode_chunk(chunk: &Chunk<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; chunk.chunk_len()];
    let n = chunk.emit(&mut buf).expect("sized for the chunk");
    buf.truncate(n);
    buf
}

fn wire_causes(causes: &[ErrorCause]) -> Vec<Cause<'_>> {
    causes
        .iter()
        .map(|c| {
            Cause::Unknown(UnknownCause {
                cause_code: c.code,
                value: &c.info,
            })
        })
        .collect()
}

/// An ABORT packet (section 9.1 / 8.4): with `t_bit` the tag is the one the
/// receiver of the aborted packet expects of itself (reflected).
pub(crate) fn encode_abort_packet(
    src_port: u16,
    dst_port: u16,
    vtag: VerificationTag,
    t_bit: bool,
    causes: &[ErrorCause],
) -> Vec<u8> {
    let abort = Abort {
        t_bit,
        causes: wire_causes(causes),
    };
    encode_packet(src_port, dst_port, vtag, &[Chunk::Abort(abort)])
}

/// An ERROR chunk with `causes`.
pub(crate) fn encode_error_chunk(causes: &[ErrorCause]) -> Vec<u8> {
    encode_chunk(&Chunk::Error(OperationError {
        causes: wire_causes(causes),
    }))
}
