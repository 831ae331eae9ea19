//! Whole SCTP packets: a zero-copy view for reading, a builder for writing.
//!
//! A packet is the common header followed by chunks, each padded to 4 bytes
//! (RFC 9260 section 3). [`Packet::chunks`] walks them and stops at the first
//! malformed one with a [`WireError`] naming its type and offset.

use super::checksum;
use super::chunk::{Chunk, RawChunk};
use super::error::{BufferTooSmall, Malformed, WireError};
use super::header::{CHECKSUM_RANGE, CommonHeader};
use super::tlv::padded;
use crate::VerificationTag;

/// A read-only view of an SCTP packet.
///
/// Once [`Packet::new_checked`] succeeds no accessor can panic: the header
/// accessors read the first 12 bytes, and chunk iteration bounds-checks every
/// length it reads.
#[derive(Debug, Clone, Copy)]
pub struct Packet<T: AsRef<[u8]>> {
    buf: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps `buf` after checking it holds at least the common header.
    pub fn new_checked(buf: T) -> Result<Self, WireError> {
        let len = buf.as_ref().len();
        if len < CommonHeader::LEN {
            return Err(WireError::PacketTooShort { len });
        }
        Ok(Self { buf })
    }

    /// The underlying bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.as_ref()
    }

    /// Gives back the underlying buffer.
    pub fn into_inner(self) -> T {
        self.buf
    }

    fn word16(&self, at: usize) -> u16 {
        let b = self.buf.as_ref();
        u16::from_be_bytes([b[at], b[at + 1]])
    }

    /// The source port.
    pub fn src_port(&self) -> u16 {
        self.word16(0)
    }

    /// The destination port.
    pub fn dst_port(&self) -> u16 {
        self.word16(2)
    }

    /// The verification tag.
    pub fn verification_tag(&self) -> VerificationTag {
        let b = self.buf.as_ref();
        VerificationTag(u32::from_be_bytes([b[4], b[5], b[6], b[7]]))
    }

    /// The checksum as carried (byte order corrected, see [`CommonHeader::checksum`]).
    pub fn checksum(&self) -> u32 {
        let b = self.buf.as_ref();
        u32::from_le_bytes([b[8], b[9], b[10], b[11]])
    }

    /// The common header as an owned value.
    pub fn header(&self) -> CommonHeader {
        CommonHeader {
            src_port: self.src_port(),
            dst_port: self.dst_port(),
            verification_tag: self.verification_tag(),
            checksum: self.checksum(),
        }
    }

    /// Verifies the CRC32c (RFC 9260 section 6.8).
    pub fn verify_checksum(&self) -> Result<(), WireError> {
        let computed = checksum::compute(self.buf.as_ref());
        let carried = self.checksum();
        if computed == carried {
            Ok(())
        } else {
            Err(WireError::BadChecksum { carried, computed })
        }
    }

    /// The bytes after the common header.
    pub fn chunk_bytes(&self) -> &[u8] {
        &self.buf.as_ref()[CommonHeader::LEN..]
    }

    /// Iterates the chunks; stops after the first malformed one.
    pub fn chunks(&self) -> ChunkIter<'_> {
        ChunkIter::new(self.chunk_bytes(), CommonHeader::LEN)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Computes the CRC32c over the packet and writes it into the header.
    pub fn fill_checksum(&mut self) {
        let crc = checksum::compute(self.buf.as_ref());
        self.buf.as_mut()[CHECKSUM_RANGE].copy_from_slice(&crc.to_le_bytes());
    }
}

/// Iterator over the chunks of a packet, yielding [`RawChunk`]s.
#[derive(Debug, Clone)]
pub struct ChunkIter<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
    failed: bool,
}

impl<'a> ChunkIter<'a> {
    /// Iterates chunks in `buf`, reporting offsets relative to `base`.
    pub fn new(buf: &'a [u8], base: usize) -> Self {
        Self {
            buf,
            pos: 0,
            base,
            failed: false,
        }
    }
}

impl<'a> Iterator for ChunkIter<'a> {
    type Item = Result<RawChunk<'a>, WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.buf.len() {
            return None;
        }
        let rest = &self.buf[self.pos..];
        let offset = self.base + self.pos;
        let chunk_type = rest[0];
        let problem = if rest.len() < 4 {
            Some(Malformed::Truncated {
                length: 4,
                available: rest.len(),
            })
        } else {
            let length = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
            if length < 4 {
                Some(Malformed::LengthTooSmall { length, min: 4 })
            } else if length > rest.len() {
                Some(Malformed::Truncated {
                    length,
                    available: rest.len(),
                })
            } else {
                // The last chunk's padding may be missing; the next chunk starts after it.
                self.pos += padded(length).min(rest.len());
                return Some(Ok(RawChunk {
                    chunk_type,
                    flags: rest[1],
                    value: &rest[4..length],
                    offset,
                }));
            }
        };
        self.failed = true;
        problem.map(|problem| {
            Err(WireError::Chunk {
                offset,
                chunk_type,
                problem,
            })
        })
    }
}

/// Builds a packet in the caller's buffer: header, then chunks, then checksum.
#[derive(Debug)]
pub struct PacketBuilder<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> PacketBuilder<'b> {
    /// Starts a packet with the given ports and verification tag.
    pub fn new(
        buf: &'b mut [u8],
        src_port: u16,
        dst_port: u16,
        verification_tag: VerificationTag,
    ) -> Result<Self, BufferTooSmall> {
        CommonHeader {
            src_port,
            dst_port,
            verification_tag,
            checksum: 0,
        }
        .emit(buf)?;
        Ok(Self {
            buf,
            len: CommonHeader::LEN,
        })
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no chunk has been added yet.
    pub fn is_empty(&self) -> bool {
        self.len == CommonHeader::LEN
    }

    /// Bytes still free in the buffer.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.len
    }

    /// Appends a chunk; on error nothing is written.
    pub fn push(&mut self, chunk: &Chunk<'_>) -> Result<(), BufferTooSmall> {
        let n = chunk.emit(&mut self.buf[self.len..])?;
        self.len += n;
        Ok(())
    }

    /// Appends a chunk of a statically known type.
    pub fn push_value<'a, C: super::chunk::ChunkValue<'a>>(
        &mut self,
        chunk: &C,
    ) -> Result<(), BufferTooSmall> {
        let n = chunk.emit(&mut self.buf[self.len..])?;
        self.len += n;
        Ok(())
    }

    /// Appends a chunk that is already encoded (header, value and padding).
    pub fn push_encoded(&mut self, chunk: &[u8]) -> Result<(), BufferTooSmall> {
        let end = self.len + chunk.len();
        let Some(dst) = self.buf.get_mut(self.len..end) else {
            return Err(BufferTooSmall {
                needed: chunk.len(),
                available: self.remaining(),
            });
        };
        dst.copy_from_slice(chunk);
        self.len = end;
        Ok(())
    }

    /// Fills in the CRC32c and returns the packet's length.
    pub fn finish(self) -> usize {
        let len = self.len;
        Packet {
            buf: &mut self.buf[..len],
        }
        .fill_checksum();
        len
    }

    /// Returns the packet's length without computing the checksum (for
    /// transports that offload it, or tests of checksum handling).
    pub fn finish_without_checksum(self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::chunk::{CookieAck, Data, DataFlags};
    use crate::{Ppid, Ssn, Tsn};

    fn sample(buf: &mut [u8]) -> usize {
        let mut b = PacketBuilder::new(buf, 5000, 5001, VerificationTag(7)).unwrap();
        b.push(&Chunk::CookieAck(CookieAck)).unwrap();
        b.push(&Chunk::Data(Data {
            flags: DataFlags::COMPLETE,
            tsn: Tsn(1),
            stream_id: 2,
            ssn: Ssn(3),
            ppid: Ppid(46),
            payload: b"abc",
        }))
        .unwrap();
        b.finish()
    }

    #[test]
    fn rfc9260_3_bundled_chunks_and_checksum() {
        let mut buf = [0u8; 64];
        let len = sample(&mut buf);
        assert_eq!(len, 12 + 4 + 20);
        let p = Packet::new_checked(&buf[..len]).unwrap();
        p.verify_checksum().unwrap();
        let chunks: Vec<_> = p.chunks().collect::<Result<_, _>>().unwrap();
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[1].offset, 16);
        assert!(matches!(chunks[1].parse(), Ok(Chunk::Data(d)) if d.payload == b"abc"));
    }

    #[test]
    fn rfc9260_6_8_bad_checksum_is_detected() {
        let mut buf = [0u8; 64];
        let len = sample(&mut buf);
        buf[20] ^= 1;
        let p = Packet::new_checked(&buf[..len]).unwrap();
        assert!(matches!(
            p.verify_checksum(),
            Err(WireError::BadChecksum { .. })
        ));
    }

    #[test]
    fn truncated_chunk_names_type_and_offset() {
        let mut buf = [0u8; 64];
        let len = sample(&mut buf);
        let p = Packet::new_checked(&buf[..len - 4]).unwrap();
        let errs: Vec<_> = p.chunks().filter_map(Result::err).collect();
        assert_eq!(
            errs,
            [WireError::Chunk {
                offset: 16,
                chunk_type: 0,
                problem: Malformed::Truncated {
                    length: 19,
                    available: 16
                }
            }]
        );
    }

    #[test]
    fn builder_refuses_overflow_without_writing() {
        let mut buf = [0u8; 20];
        let mut b = PacketBuilder::new(&mut buf, 1, 2, VerificationTag(3)).unwrap();
        b.push(&Chunk::CookieAck(CookieAck)).unwrap();
        let big = Chunk::Data(Data {
            flags: DataFlags::COMPLETE,
            tsn: Tsn(1),
            stream_id: 0,
            ssn: Ssn(0),
            ppid: Ppid(0),
            payload: &[0; 8],
        });
        assert!(b.push(&big).is_err());
        assert_eq!(b.len(), 16);
    }
}
