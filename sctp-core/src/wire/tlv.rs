//! Type-length-value fields: the layout shared by chunk parameters (RFC 9260
//! section 3.2.1) and error causes (section 3.3.10).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Type                 |          Length               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                             Value                             \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The length counts the 4-byte header and the value but not the padding to a
//! multiple of 4 that follows it.

use super::error::{BufferTooSmall, Malformed};

/// Rounds `len` up to a multiple of 4.
#[inline]
pub const fn padded(len: usize) -> usize {
    (len + 3) & !3
}

/// One TLV as found on the wire, not yet interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RawTlv<'a> {
    /// The type code.
    pub tlv_type: u16,
    /// The value, without header or padding.
    pub value: &'a [u8],
    /// Offset of the TLV's header within the enclosing buffer.
    pub offset: usize,
}

impl RawTlv<'_> {
    /// Length of the header plus value, as the Length field states it.
    pub fn length(&self) -> usize {
        4 + self.value.len()
    }
}

/// Walks the TLVs of a chunk's variable part, stopping at the first malformed one.
///
/// The padding of the last TLV may be missing (RFC 9260 section 3.2: the
/// receiver ignores padding), but a length that reaches past the buffer is an
/// error.
#[derive(Debug, Clone)]
pub struct TlvIter<'a> {
    buf: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> TlvIter<'a> {
    /// Iterates the TLVs in `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self {
            buf,
            pos: 0,
            failed: false,
        }
    }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<RawTlv<'a>, Malformed>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.buf.len() {
            return None;
        }
        let rest = &self.buf[self.pos..];
        let offset = self.pos;
        let fail = |this: &mut Self, e: Malformed| {
            this.failed = true;
            Some(Err(e))
        };
        if rest.len() < 4 {
            return fail(
                self,
                Malformed::Truncated {
                    length: 4,
                    available: rest.len(),
                },
            );
        }
        let tlv_type = u16::from_be_bytes([rest[0], rest[1]]);
        let length = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
        if length < 4 {
            return fail(
                self,
                Malformed::LengthTooSmall { length, min: 4 }.nested(tlv_type, offset),
            );
        }
        let Some(value) = rest.get(4..length) else {
            return fail(
                self,
                Malformed::Truncated {
                    length,
                    available: rest.len(),
                }
                .nested(tlv_type, offset),
            );
        };
        self.pos += padded(length).min(rest.len());
        Some(Ok(RawTlv {
            tlv_type,
            value,
            offset,
        }))
    }
}

/// A parameter or error cause with a fixed type code: parse from its value, emit its value.
///
/// The trait fixes the TLV framing in one place ([`emit_tlv`]) so that each
/// type only describes its value.
pub trait TlvValue<'a>: Sized {
    /// The type code.
    const TYPE: u16;
    /// Parses the value (without the 4-byte TLV header).
    fn parse_value(value: &'a [u8]) -> Result<Self, Malformed>;
    /// Length of the value in bytes, without header or padding.
    fn value_len(&self) -> usize;
    /// Writes the value into `buf`, which is exactly [`Self::value_len`] bytes long.
    fn emit_value(&self, buf: &mut [u8]);

    /// Length of the TLV including header and padding.
    fn tlv_len(&self) -> usize {
        padded(4 + self.value_len())
    }
}

/// Writes a TLV with `tlv_type` and a value of `value_len` bytes filled by
/// `fill`, zero-pads it, and returns the bytes used including padding.
pub fn emit_tlv(
    buf: &mut [u8],
    tlv_type: u16,
    value_len: usize,
    fill: impl FnOnce(&mut [u8]),
) -> Result<usize, BufferTooSmall> {
    let length = 4 + value_len;
    let total = padded(length);
    if buf.len() < total || length > usize::from(u16::MAX) {
        return Err(BufferTooSmall {
            needed: total,
            available: buf.len(),
        });
    }
    buf[0..2].copy_from_slice(&tlv_type.to_be_bytes());
    buf[2..4].copy_from_slice(&(length as u16).to_be_bytes());
    fill(&mut buf[4..length]);
    buf[length..total].fill(0);
    Ok(total)
}

/// Emits a [`TlvValue`] with its header and padding; returns the bytes used.
pub fn emit<'a, T: TlvValue<'a>>(item: &T, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
    emit_tlv(buf, T::TYPE, item.value_len(), |v| item.emit_value(v))
}

/// Parses a [`TlvValue`] from a raw TLV of the matching type, naming it in any error.
pub fn parse<'a, T: TlvValue<'a>>(raw: &RawTlv<'a>) -> Result<T, Malformed> {
    T::parse_value(raw.value).map_err(|e| e.nested(raw.tlv_type, raw.offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9260_3_2_1_tlv_padding_and_truncation() {
        // A 5-byte-value TLV padded to 12, then a 4-byte TLV without value.
        let buf = [0, 7, 0, 9, 1, 2, 3, 4, 5, 0, 0, 0, 0x80, 0, 0, 4];
        let v: Vec<_> = TlvIter::new(&buf).collect::<Result<_, _>>().unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].value, &[1, 2, 3, 4, 5]);
        assert_eq!(v[1].tlv_type, 0x8000);
        assert_eq!(v[1].offset, 12);
        // Length 3 is below the header size.
        let bad = [0, 7, 0, 3];
        assert!(matches!(
            TlvIter::new(&bad).next(),
            Some(Err(Malformed::Nested { tlv_type: 7, .. }))
        ));
        // Length reaches past the buffer.
        let bad = [0, 7, 0, 9, 1];
        assert!(matches!(TlvIter::new(&bad).next(), Some(Err(_))));
        // After an error the iterator stops.
        let mut it = TlvIter::new(&bad);
        it.next();
        assert!(it.next().is_none());
    }
}
