//! Whole packets and single chunks encoded for sending, and the error
//! cause codes the engine sends (RFC 9260 sections 3.3.10 and 8.4).

use crate::VerificationTag;
use crate::association::ErrorCause;
use crate::wire::cause::{Cause, UnknownCause};
use crate::wire::chunk::{Abort, OperationError};
use crate::wire::{Chunk, PacketBuilder};

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
                cause_code: c.code.0,
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
