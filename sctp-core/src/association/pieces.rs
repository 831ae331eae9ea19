//! Joining the pieces of partially delivered messages (RFC 6458 section
//! 8.1.21 partial delivery, read back as whole messages), for a user that
//! wants whole messages up to a size it chooses.

use bytes::{Bytes, BytesMut};
use rustc_hash::FxHashMap;
use thiserror::Error;

use super::{Message, RecvInfo};
use crate::{Mid, StreamId};

/// A message grew past the joining limit: what was held of it is dropped,
/// and its later pieces are dropped as they come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("message on stream {stream_id} (MID {mid}) exceeds {max} bytes; it was dropped")]
pub struct MessageTooLarge {
    /// Its stream.
    pub stream_id: StreamId,
    /// Its MID (with DATA, its SSN; 0 if unordered).
    pub mid: Mid,
    /// The limit.
    pub max: usize,
}

/// One message being joined, or being dropped for its size.
#[derive(Debug)]
enum Open {
    Joining(BytesMut),
    Dropping,
}

/// Joins the pieces the engine hands up in partial delivery (those with
/// [`RecvInfo::end_of_record`] false) back into whole messages, up to
/// `max` bytes each. Whole messages pass through without a copy.
///
/// ```
/// use sctp_core::{Event, PartialMessages};
/// # fn drive(assoc: &mut sctp_core::Association) {
/// let mut joiner = PartialMessages::new(16 << 20);
/// while let Some(event) = assoc.poll_event() {
///     match event {
///         Event::Message(piece, info) => match joiner.push(piece, info) {
///             Ok(Some((message, _info))) => println!("{} bytes", message.payload.len()),
///             Ok(None) => {} // more pieces to come
///             Err(too_large) => eprintln!("{too_large}"),
///         },
///         Event::PartialDeliveryAborted { stream_id, unordered, mid } => {
///             joiner.abort(stream_id, unordered, mid);
///         }
///         _ => {}
///     }
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct PartialMessages {
    max: usize,
    open: FxHashMap<(StreamId, bool, Mid), Open>,
    bytes: usize,
}

impl PartialMessages {
    /// Joins messages of up to `max` bytes.
    pub fn new(max: usize) -> Self {
        Self {
            max,
            open: FxHashMap::default(),
            bytes: 0,
        }
    }

    /// Bytes held of messages not yet complete.
    pub fn buffered_bytes(&self) -> usize {
        self.bytes
    }

    /// Takes a message or a piece of one; returns the whole message once its
    /// last piece arrived, with the last piece's [`RecvInfo`] (whose TSN is
    /// the message's last).
    pub fn push(
        &mut self,
        piece: Message,
        info: RecvInfo,
    ) -> Result<Option<(Message, RecvInfo)>, MessageTooLarge> {
        let key = (piece.stream_id, piece.unordered, info.mid);
        let too_large = MessageTooLarge {
            stream_id: piece.stream_id,
            mid: info.mid,
            max: self.max,
        };
        let Some(open) = self.open.get_mut(&key) else {
            if piece.payload.len() > self.max {
                if !info.end_of_record {
                    self.open.insert(key, Open::Dropping);
                }
                return Err(too_large);
            }
            if info.end_of_record {
                return Ok(Some((piece, info)));
            }
            self.bytes += piece.payload.len();
            self.open
                .insert(key, Open::Joining(BytesMut::from(&piece.payload[..])));
            return Ok(None);
        };
        let Open::Joining(buf) = open else {
            if info.end_of_record {
                self.open.remove(&key);
            }
            return Ok(None);
        };
        if buf.len() + piece.payload.len() > self.max {
            self.bytes -= buf.len();
            if info.end_of_record {
                self.open.remove(&key);
            } else {
                *open = Open::Dropping;
            }
            return Err(too_large);
        }
        buf.extend_from_slice(&piece.payload);
        self.bytes += piece.payload.len();
        if !info.end_of_record {
            return Ok(None);
        }
        let Some(Open::Joining(buf)) = self.open.remove(&key) else {
            return Ok(None);
        };
        self.bytes -= buf.len();
        let payload: Bytes = buf.freeze();
        Ok(Some((Message { payload, ..piece }, info)))
    }

    /// Forgets a message whose partial delivery was cut short
    /// ([`super::Event::PartialDeliveryAborted`]); returns whether any of
    /// it was held.
    pub fn abort(&mut self, stream_id: StreamId, unordered: bool, mid: Mid) -> bool {
        match self.open.remove(&(stream_id, unordered, mid)) {
            Some(Open::Joining(buf)) => {
                self.bytes -= buf.len();
                true
            }
            Some(Open::Dropping) => true,
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Ppid, Ssn, Tsn};

    fn piece(
        stream_id: StreamId,
        mid: u32,
        payload: &'static [u8],
        eor: bool,
    ) -> (Message, RecvInfo) {
        let info = RecvInfo {
            ssn: Ssn(mid as u16),
            mid: Mid(mid),
            tsn: Tsn(mid),
            cumulative_tsn: Tsn(mid),
            end_of_record: eor,
        };
        (Message::new(stream_id, Ppid(7), payload), info)
    }

    #[test]
    fn rfc6458_8_1_21_pieces_of_two_streams_join_apart() {
        let mut j = PartialMessages::new(100);
        let push = |j: &mut PartialMessages, p: (Message, RecvInfo)| j.push(p.0, p.1).unwrap();
        assert_eq!(push(&mut j, piece(1, 0, b"ab", false)), None);
        assert_eq!(push(&mut j, piece(2, 0, b"xy", false)), None);
        let whole = push(&mut j, piece(3, 0, b"w", true)).unwrap();
        assert_eq!(&whole.0.payload[..], b"w");
        assert_eq!(j.buffered_bytes(), 4);
        let one = push(&mut j, piece(1, 0, b"cd", true)).unwrap();
        assert_eq!(&one.0.payload[..], b"abcd");
        assert_eq!(one.0.ppid, Ppid(7));
        let two = push(&mut j, piece(2, 0, b"z", true)).unwrap();
        assert_eq!(&two.0.payload[..], b"xyz");
        assert_eq!(j.buffered_bytes(), 0);
    }

    #[test]
    fn rfc6458_8_1_21_message_past_the_limit_is_refused_once_and_dropped() {
        let mut j = PartialMessages::new(3);
        let (m, i) = piece(1, 4, b"ab", false);
        assert_eq!(j.push(m, i), Ok(None));
        let (m, i) = piece(1, 4, b"cd", false);
        assert_eq!(
            j.push(m, i),
            Err(MessageTooLarge {
                stream_id: 1,
                mid: Mid(4),
                max: 3
            })
        );
        assert_eq!(j.buffered_bytes(), 0);
        let (m, i) = piece(1, 4, b"ef", true);
        assert_eq!(j.push(m, i), Ok(None), "its rest is dropped quietly");
        let (m, i) = piece(1, 5, b"ok", true);
        assert_eq!(&j.push(m, i).unwrap().unwrap().0.payload[..], b"ok");
    }

    #[test]
    fn rfc6458_6_1_7_aborted_partial_delivery_is_forgotten() {
        let mut j = PartialMessages::new(100);
        let (m, i) = piece(1, 9, b"ab", false);
        assert_eq!(j.push(m, i), Ok(None));
        assert!(j.abort(1, false, Mid(9)));
        assert_eq!(j.buffered_bytes(), 0);
        assert!(!j.abort(1, false, Mid(9)));
    }
}
