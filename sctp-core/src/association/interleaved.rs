//! Reassembly of I-DATA messages and ordered delivery per stream
//! (RFC 8260 sections 2.1 and 2.2), with the receiver's side of
//! I-FORWARD-TSN (2.3.2) and of a stream reset (RFC 6525 section 5.2.2).
//!
//! With I-DATA, fragments of different messages, even of one stream, may
//! be interleaved in TSN order, so TSN adjacency says nothing about which
//! fragments belong together. A message is named by its stream, its U bit
//! and its MID; its fragments are ordered by FSN, which counts from the B
//! fragment's implicit 0 (that fragment carries the PPID in the FSN field).
//! A message is complete when FSNs 0 through the E fragment's FSN are all
//! held.
//!
//! Partial delivery (RFC 6458 section 8.1.21) works as for DATA: a message
//! that may be delivered next (unordered, or the stream's next MID) is
//! handed up in pieces once its first bytes held without a gap reach the
//! partial delivery point. Each piece is known by stream, U bit and MID, so
//! pieces of different messages, even of one stream, may take turns.
//!
//! The peer controls every field, so each inconsistency (a repeated FSN, two
//! different ends, a message larger than we accept, a MID already
//! delivered) is refused with an [`IDataError`] and never panics; the
//! association decides whether it is worth an ABORT.

use std::collections::{BTreeMap, VecDeque};

use rustc_hash::FxHashMap;
use std::fmt;

use bytes::{Bytes, BytesMut};
use thiserror::Error;

use super::Message;
use crate::wire::chunk::IData;
use crate::{Fsn, Mid, Ppid, StreamId, Tsn};

/// The unwrapped value of MID 0 at the start of an ordered sequence: far
/// enough from zero that a MID "before" the next expected one never unwraps
/// below zero.
const MID_ORIGIN: u64 = 1 << 32;

/// Names one message: its stream, its U bit and its MID (RFC 8260 section
/// 2.1: ordered and unordered messages have separate MID sequences).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct MessageKey {
    /// The stream the message travels on.
    pub(crate) stream_id: StreamId,
    /// Whether it is unordered (the U bit).
    pub(crate) unordered: bool,
    /// Its Message Identifier.
    pub(crate) mid: Mid,
}

impl MessageKey {
    fn of(d: &IData<'_>) -> Self {
        Self {
            stream_id: d.stream_id,
            unordered: d.flags.unordered,
            mid: d.mid,
        }
    }

    /// The key of the map of partial messages (`Mid` has no total order).
    fn map_key(self) -> (StreamId, bool, u32) {
        (self.stream_id, self.unordered, self.mid.0)
    }
}

impl fmt::Display for MessageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.unordered {
            "unordered"
        } else {
            "ordered"
        };
        write!(f, "stream {} {kind} MID {}", self.stream_id, self.mid)
    }
}

/// Why an I-DATA chunk was refused (in part or whole). Every case is the
/// peer's error; [`IDataError::message_dropped`] says what was thrown away.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub(crate) enum IDataError {
    /// A fragment without the B bit carries FSN 0, which only the B fragment
    /// has (RFC 8260 section 2.1); the fragment was dropped.
    #[error("I-DATA of {0} without the B bit has FSN 0; the fragment was dropped")]
    FsnZeroWithoutBeginning(MessageKey),
    /// A fragment repeats an FSN already held (a second B fragment is FSN 0
    /// again); the new copy was dropped, the message kept.
    #[error("I-DATA repeats FSN {fsn} of {key}; the copy was dropped")]
    DuplicateFsn {
        /// The message.
        key: MessageKey,
        /// The repeated FSN.
        fsn: Fsn,
    },
    /// The fragments disagree on where the message ends: an E fragment below
    /// a held FSN, a second E fragment, or a fragment past the E fragment.
    /// The whole message was dropped.
    #[error("I-DATA FSN {fsn} of {key} contradicts its end; the message was dropped")]
    InconsistentEnd {
        /// The message.
        key: MessageKey,
        /// The FSN of the fragment that contradicted the others.
        fsn: Fsn,
    },
    /// The message grew past the largest we accept; it was dropped.
    #[error("{key} exceeds {max} bytes; the message was dropped")]
    MessageTooLarge {
        /// The message.
        key: MessageKey,
        /// The configured limit.
        max: usize,
    },
    /// A fragment of an ordered message already delivered, skipped or
    /// complete; the fragment was dropped.
    #[error("I-DATA of {0}, which is already delivered or complete; the fragment was dropped")]
    StaleMid(MessageKey),
}

impl IDataError {
    /// Whether a whole message was thrown away (not just one fragment): the
    /// sender believes it delivered, so the association should ABORT
    /// (RFC 9260 section 3.3.10.13, Protocol Violation).
    pub(crate) fn message_dropped(&self) -> bool {
        matches!(
            self,
            Self::InconsistentEnd { .. } | Self::MessageTooLarge { .. }
        )
    }
}

/// A message (or, in partial delivery, a piece of one) ready for the user,
/// with its MID and the TSN of its last fragment (for [`super::RecvInfo`]).
#[derive(Debug)]
pub(crate) struct Delivered {
    /// The reassembled message, or the piece.
    pub(crate) message: Message,
    /// Its Message Identifier.
    pub(crate) mid: Mid,
    /// The TSN of its E fragment (of the piece's last fragment).
    pub(crate) last_tsn: Tsn,
    /// Whether this ends the message (always, but for partial delivery).
    pub(crate) end_of_record: bool,
}

impl Delivered {
    fn whole(message: Message, mid: Mid, last_tsn: Tsn) -> Self {
        Self {
            message,
            mid,
            last_tsn,
            end_of_record: true,
        }
    }
}

/// The fragments held of one message.
#[derive(Debug, Default)]
struct Partial {
    /// From the B fragment, once it arrived.
    ppid: Option<Ppid>,
    /// The payload of FSNs 0 up to `next_fsn`, joined as they arrive (less
    /// what partial delivery handed up): in-order fragments are copied once
    /// and the complete message needs no second pass.
    head: BytesMut,
    /// The TSN of the last fragment joined into `head`.
    head_tsn: Option<Tsn>,
    /// The FSN after the last one joined (or handed up). FSNs count from the
    /// B fragment's 0, so inside one message they are offsets, compared as
    /// plain integers.
    next_fsn: u32,
    /// Fragments after a gap: TSN and payload by FSN, all above `next_fsn`.
    frags: BTreeMap<u32, (Tsn, Bytes)>,
    /// The E fragment's FSN, once it arrived.
    end: Option<u32>,
    /// Payload bytes held (`head` and `frags`).
    bytes: usize,
    /// Whether partial delivery hands this message up in pieces.
    in_pieces: bool,
}

impl Partial {
    /// Holds a fragment that passed every check (`fsn` at or after `next_fsn`, not held).
    fn add(&mut self, d: &IData<'_>, fsn: u32) {
        if d.flags.beginning {
            self.ppid = Some(Ppid(d.ppid_or_fsn));
        }
        if d.flags.ending {
            self.end = Some(fsn);
        }
        self.bytes += d.payload.len();
        if fsn != self.next_fsn {
            self.frags
                .insert(fsn, (d.tsn, Bytes::copy_from_slice(d.payload)));
            return;
        }
        self.head.extend_from_slice(d.payload);
        self.head_tsn = Some(d.tsn);
        self.next_fsn += 1;
        // The gap it closed lets held fragments join.
        while let Some(entry) = self.frags.first_entry() {
            if *entry.key() != self.next_fsn {
                break;
            }
            let (tsn, payload) = entry.remove();
            self.head.extend_from_slice(&payload);
            self.head_tsn = Some(tsn);
            self.next_fsn += 1;
        }
    }

    /// Whether `fsn` is held already (or was handed up).
    fn holds(&self, fsn: u32) -> bool {
        fsn < self.next_fsn || self.frags.contains_key(&fsn)
    }

    /// The highest FSN held or handed up (0 if none).
    fn highest(&self) -> u32 {
        self.frags
            .last_key_value()
            .map_or(self.next_fsn.saturating_sub(1), |(&k, _)| k)
    }

    /// Whether FSNs 0 through `end` are all joined.
    fn is_complete(&self) -> bool {
        self.end.is_some_and(|e| self.next_fsn > e)
    }

    /// Whether a fragment this message lacks had a TSN at or below `cum`.
    ///
    /// The sender numbers one message's fragments in FSN order, so a missing
    /// FSN lies, in TSN, below every held fragment of higher FSN. Once one
    /// of those is at or below the cumulative TSN, the missing one is too:
    /// it was abandoned, and the message can never complete. Every fragment
    /// in `frags` lies after the first gap.
    fn lost_below(&self, cum: Tsn) -> bool {
        self.frags.values().any(|(tsn, _)| !tsn.is_after(cum))
    }
}

/// Ordered delivery state of one inbound stream.
#[derive(Debug)]
struct OrderedStream {
    /// The next MID to deliver, unwrapped (`MID_ORIGIN` is MID 0).
    next: u64,
    /// Complete messages waiting for an earlier MID, with their last TSN.
    pending: BTreeMap<u64, (Message, Tsn)>,
}

impl Default for OrderedStream {
    fn default() -> Self {
        Self {
            next: MID_ORIGIN,
            pending: BTreeMap::new(),
        }
    }
}

impl OrderedStream {
    /// The unwrapped value of `mid`, taken as the nearest to `next`.
    fn unwrap(&self, mid: Mid) -> u64 {
        let near = Mid(self.next as u32);
        self.next.wrapping_add_signed(i64::from(mid.distance(near)))
    }

    /// Moves the pending messages that are next in order to `out`;
    /// returns their bytes.
    fn drain_ready(&mut self, out: &mut VecDeque<Delivered>) -> usize {
        let mut bytes = 0;
        while let Some(entry) = self.pending.first_entry() {
            if *entry.key() != self.next {
                break;
            }
            let (message, last_tsn) = entry.remove();
            bytes += message.payload.len();
            out.push_back(Delivered::whole(message, Mid(self.next as u32), last_tsn));
            self.next += 1;
        }
        bytes
    }
}

/// Reassembly buffer for I-DATA and the per-stream ordering queues.
#[derive(Debug)]
pub(crate) struct InterleavedReassembly {
    /// Partial messages by (stream, U bit, MID): sorted so one stream's
    /// ordered messages are one range.
    partial: BTreeMap<(StreamId, bool, u32), Partial>,
    streams: FxHashMap<StreamId, OrderedStream>,
    /// Payload bytes held: partial messages plus complete ones waiting.
    bytes: usize,
    max_message_size: usize,
    /// Partial deliveries cut short since last taken.
    aborted: Vec<MessageKey>,
}

impl InterleavedReassembly {
    /// An empty buffer that refuses messages larger than `max_message_size`.
    pub(crate) fn new(max_message_size: usize) -> Self {
        Self {
            partial: BTreeMap::new(),
            streams: FxHashMap::default(),
            bytes: 0,
            max_message_size,
            aborted: Vec::new(),
        }
    }

    /// Checks the byte count against what is held.
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn check_counts(&self) -> Result<(), String> {
        let mut held = 0;
        for p in self.partial.values() {
            let bytes = p.head.len() + p.frags.values().map(|(_, b)| b.len()).sum::<usize>();
            if bytes != p.bytes {
                return Err(format!(
                    "a partial I-DATA message holds {bytes} bytes, counts {}",
                    p.bytes
                ));
            }
            held += bytes;
        }
        held += self
            .streams
            .values()
            .flat_map(|s| s.pending.values())
            .map(|(m, _)| m.payload.len())
            .sum::<usize>();
        if held != self.bytes {
            return Err(format!(
                "I-DATA reassembly holds {held} bytes, counts {}",
                self.bytes
            ));
        }
        Ok(())
    }

    /// Partial deliveries cut short since the last call (RFC 6458
    /// SCTP_PARTIAL_DELIVERY_ABORTED): the rest of these never comes.
    pub(crate) fn take_aborted(&mut self) -> Vec<MessageKey> {
        std::mem::take(&mut self.aborted)
    }

    /// Payload bytes held (fragments plus complete messages waiting for order).
    pub(crate) fn buffered_bytes(&self) -> usize {
        self.bytes
    }

    /// Drops everything held and forgets every stream's position: the
    /// association is closed (RFC 9260 section 9.1: the TCB is removed).
    pub(crate) fn clear(&mut self) {
        self.partial = BTreeMap::new();
        self.streams = FxHashMap::default();
        self.bytes = 0;
    }

    /// Ends every partial delivery going (reporting each cut short) and
    /// forgets everything held: the peer restarted or the association was
    /// reset, and its MIDs start again at 0.
    pub(crate) fn restart(&mut self) {
        let going = self.partial.iter().filter(|(_, p)| p.in_pieces).map(
            |(&(stream_id, unordered, mid), _)| MessageKey {
                stream_id,
                unordered,
                mid: Mid(mid),
            },
        );
        let going: Vec<MessageKey> = going.collect();
        self.aborted.extend(going);
        self.clear();
    }

    /// Takes a new (non-duplicate TSN) I-DATA chunk; completed, deliverable
    /// messages are appended to `out` in delivery order. With a partial
    /// delivery `point`, a message that may be delivered next is handed up
    /// in pieces once that many of its first bytes are held, and no message
    /// is too large; without one, a message larger than `max_message_size`
    /// is refused.
    ///
    /// The caller has refused an empty chunk already (RFC 8260 section 2.1
    /// answers it as RFC 9260 section 6.2 does, with an ABORT). On an error
    /// nothing is delivered and nothing of the chunk is kept.
    pub(crate) fn receive(
        &mut self,
        d: &IData<'_>,
        point: Option<usize>,
        out: &mut VecDeque<Delivered>,
    ) -> Result<(), IDataError> {
        if let Some(whole) = self.receive_whole(d, point) {
            out.push_back(whole);
            return Ok(());
        }
        let key = MessageKey::of(d);
        let len = d.payload.len();
        let fsn = d.fsn().0;
        if !d.flags.beginning && fsn == 0 {
            return Err(IDataError::FsnZeroWithoutBeginning(key));
        }
        if !key.unordered {
            let stream = self.streams.entry(key.stream_id).or_default();
            let seq = stream.unwrap(key.mid);
            if seq < stream.next || stream.pending.contains_key(&seq) {
                return Err(IDataError::StaleMid(key));
            }
        }
        let max = if point.is_some() {
            usize::MAX
        } else {
            self.max_message_size
        };
        let Some(partial) = self.partial.get_mut(&key.map_key()) else {
            // The first fragment held of this message.
            if len > max {
                return Err(IDataError::MessageTooLarge { key, max });
            }
            if d.flags.beginning && d.flags.ending {
                let message = Message {
                    stream_id: key.stream_id,
                    ppid: Ppid(d.ppid_or_fsn),
                    unordered: key.unordered,
                    payload: Bytes::copy_from_slice(d.payload),
                };
                self.deliver(key, message, d.tsn, point, out);
                return Ok(());
            }
            let mut partial = Partial::default();
            partial.add(d, fsn);
            self.bytes += len;
            self.partial.insert(key.map_key(), partial);
            if let Some(point) = point
                && len >= point
            {
                self.begin_pieces(key, point, out);
            }
            return Ok(());
        };
        if partial.holds(fsn) {
            return Err(IDataError::DuplicateFsn { key, fsn: Fsn(fsn) });
        }
        let highest = partial.highest();
        let contradicts = match partial.end {
            Some(end) => fsn > end || d.flags.ending,
            None => d.flags.ending && highest > fsn,
        };
        if contradicts {
            self.remove_partial(key);
            return Err(IDataError::InconsistentEnd { key, fsn: Fsn(fsn) });
        }
        if partial.bytes.saturating_add(len) > max {
            self.remove_partial(key);
            return Err(IDataError::MessageTooLarge { key, max });
        }
        partial.add(d, fsn);
        self.bytes += len;
        if partial.in_pieces {
            if !partial.head.is_empty() {
                self.hand_up(key, point, out);
            }
        } else if partial.is_complete() {
            if let Some((message, last_tsn)) = self.assemble(key) {
                self.deliver(key, message, last_tsn, point, out);
            }
        } else if let Some(point) = point
            && partial.bytes >= point
        {
            self.begin_pieces(key, point, out);
        }
        Ok(())
    }

    /// The common case, a whole message in one chunk that may be delivered
    /// at once with nothing partial held and nothing waiting behind it on
    /// its stream: delivered in one stream lookup and handed back directly.
    /// `None` (and nothing changed) in every other case, for
    /// [`Self::receive`].
    #[inline]
    pub(crate) fn receive_whole(
        &mut self,
        d: &IData<'_>,
        point: Option<usize>,
    ) -> Option<Delivered> {
        if !(d.flags.beginning && d.flags.ending && self.partial.is_empty())
            || (point.is_none() && d.payload.len() > self.max_message_size)
        {
            return None;
        }
        let key = MessageKey::of(d);
        if !key.unordered {
            let stream = self.streams.entry(key.stream_id).or_default();
            if stream.unwrap(key.mid) != stream.next || !stream.pending.is_empty() {
                return None;
            }
            stream.next += 1;
        }
        let message = Message {
            stream_id: key.stream_id,
            ppid: Ppid(d.ppid_or_fsn),
            unordered: key.unordered,
            payload: Bytes::copy_from_slice(d.payload),
        };
        Some(Delivered::whole(message, key.mid, d.tsn))
    }

    /// Starts handing up message `key` in pieces if it may be delivered now
    /// (unordered, or its stream's next MID) and the bytes held without a
    /// gap from its B fragment reach `point`.
    fn begin_pieces(&mut self, key: MessageKey, point: usize, out: &mut VecDeque<Delivered>) {
        let Some(p) = self.partial.get_mut(&key.map_key()) else {
            return;
        };
        if p.in_pieces || p.is_complete() || p.head.len() < point {
            return;
        }
        if !key.unordered {
            let stream = self.streams.entry(key.stream_id).or_default();
            if stream.unwrap(key.mid) != stream.next {
                return;
            }
        }
        p.in_pieces = true;
        self.hand_up(key, Some(point), out);
    }

    /// Hands up the fragments of message `key` (in partial delivery) that
    /// follow the last piece without a gap; with its E fragment the message
    /// is done and, if ordered, its stream moves on.
    fn hand_up(&mut self, key: MessageKey, point: Option<usize>, out: &mut VecDeque<Delivered>) {
        let Some(p) = self.partial.get_mut(&key.map_key()) else {
            return;
        };
        let Some(last_tsn) = p.head_tsn.filter(|_| p.in_pieces && !p.head.is_empty()) else {
            return;
        };
        let buf = p.head.split();
        p.bytes -= buf.len();
        self.bytes -= buf.len();
        let ended = p.is_complete();
        let ppid = p.ppid.unwrap_or_default();
        if ended {
            self.partial.remove(&key.map_key());
        }
        out.push_back(Delivered {
            message: Message {
                stream_id: key.stream_id,
                ppid,
                unordered: key.unordered,
                payload: buf.freeze(),
            },
            mid: key.mid,
            last_tsn,
            end_of_record: ended,
        });
        if ended && !key.unordered {
            let stream = self.streams.entry(key.stream_id).or_default();
            stream.next += 1;
            if !stream.pending.is_empty() {
                self.bytes -= stream.drain_ready(out);
            }
            self.after_delivery(key.stream_id, point, out);
        }
    }

    /// The stream's next ordered message may have waited, partly held, for
    /// the one just delivered: with enough of it held it starts its partial
    /// delivery now rather than when its next fragment comes.
    fn after_delivery(
        &mut self,
        stream_id: StreamId,
        point: Option<usize>,
        out: &mut VecDeque<Delivered>,
    ) {
        let Some(point) = point else {
            return;
        };
        if self.bytes < point {
            return;
        }
        let Some(stream) = self.streams.get(&stream_id) else {
            return;
        };
        let key = MessageKey {
            stream_id,
            unordered: false,
            mid: Mid(stream.next as u32),
        };
        self.begin_pieces(key, point, out);
    }

    /// The receive window is closed: every message that may be delivered
    /// next is handed up in pieces whatever its size, so the window opens
    /// again (RFC 9260 section 6.9: partial delivery frees the buffer).
    pub(crate) fn relieve(&mut self, out: &mut VecDeque<Delivered>) {
        // A bounded look, as every check per packet is: a peer holding
        // thousands of partial messages does not make each packet cost them all.
        let keys: Vec<MessageKey> = self
            .partial
            .keys()
            .take(1024)
            .map(|&(stream_id, unordered, mid)| MessageKey {
                stream_id,
                unordered,
                mid: Mid(mid),
            })
            .collect();
        for key in keys {
            self.begin_pieces(key, 1, out);
        }
    }

    /// Removes a partial message; returns its bytes. One being handed up
    /// in pieces is reported cut short.
    fn remove_partial(&mut self, key: MessageKey) -> usize {
        let Some(p) = self.partial.remove(&key.map_key()) else {
            return 0;
        };
        if p.in_pieces {
            self.aborted.push(key);
        }
        self.bytes -= p.bytes;
        p.bytes
    }

    /// Removes a complete partial message and joins its fragments; returns
    /// the message and the TSN of its E fragment.
    fn assemble(&mut self, key: MessageKey) -> Option<(Message, Tsn)> {
        let p = self.partial.remove(&key.map_key())?;
        self.bytes -= p.bytes;
        let last_tsn = p.head_tsn?;
        let message = Message {
            stream_id: key.stream_id,
            ppid: p.ppid.unwrap_or_default(),
            unordered: key.unordered,
            payload: p.head.freeze(),
        };
        Some((message, last_tsn))
    }

    /// Delivers a complete message now (unordered, or next in its stream) or
    /// holds it until the MIDs before it are delivered (RFC 8260 section 2.1,
    /// as RFC 9260 section 6.6 for SSNs).
    fn deliver(
        &mut self,
        key: MessageKey,
        message: Message,
        last_tsn: Tsn,
        point: Option<usize>,
        out: &mut VecDeque<Delivered>,
    ) {
        if key.unordered {
            out.push_back(Delivered::whole(message, key.mid, last_tsn));
            return;
        }
        let stream = self.streams.entry(key.stream_id).or_default();
        let seq = stream.unwrap(key.mid);
        if seq < stream.next {
            // `receive` refused stale MIDs already; nothing to deliver twice.
            return;
        }
        if seq == stream.next {
            // In order, the common case: delivered at once, never held.
            out.push_back(Delivered::whole(message, key.mid, last_tsn));
            stream.next += 1;
            if !stream.pending.is_empty() {
                self.bytes -= stream.drain_ready(out);
            }
            if !self.partial.is_empty() {
                self.after_delivery(key.stream_id, point, out);
            }
            return;
        }
        self.bytes += message.payload.len();
        stream.pending.insert(seq, (message, last_tsn));
    }

    /// Applies one entry of an I-FORWARD-TSN chunk (RFC 8260 section 2.3.2);
    /// returns the bytes dropped. Messages this releases are appended to `out`.
    ///
    /// Ordered (`unordered` false): `mid` is the largest MID skipped. Partial
    /// messages up to it are dropped; complete ones held up to it are
    /// delivered in order, as they waited only for skipped ones (RFC 3758
    /// section 3.6); the stream then expects `mid + 1` and delivers what
    /// follows in order. A `mid` already passed changes nothing.
    ///
    /// Unordered: the partial message with exactly that MID is dropped.
    /// Other unordered MIDs are kept: unordered messages complete in any
    /// order, so an earlier MID may still be in flight.
    pub(crate) fn skip(
        &mut self,
        stream_id: StreamId,
        unordered: bool,
        mid: Mid,
        point: Option<usize>,
        out: &mut VecDeque<Delivered>,
    ) -> usize {
        if unordered {
            return self.remove_partial(MessageKey {
                stream_id,
                unordered,
                mid,
            });
        }
        let stream = self.streams.entry(stream_id).or_default();
        let upto = stream.unwrap(mid);
        if upto < stream.next {
            return 0;
        }
        let doomed: Vec<u32> = self
            .partial
            .range((stream_id, false, 0)..=(stream_id, false, u32::MAX))
            .map(|(&(_, _, m), _)| m)
            .filter(|&m| stream.unwrap(Mid(m)) <= upto)
            .collect();
        let mut freed = 0;
        for m in doomed {
            freed += self.remove_partial(MessageKey {
                stream_id,
                unordered: false,
                mid: Mid(m),
            });
        }
        let stream = self.streams.entry(stream_id).or_default();
        // Deliver the complete messages up to `upto`, skipping the gaps.
        let mut delivered = 0;
        while let Some(entry) = stream.pending.first_entry() {
            if *entry.key() > upto {
                break;
            }
            let (seq, (message, last_tsn)) = entry.remove_entry();
            delivered += message.payload.len();
            out.push_back(Delivered::whole(message, Mid(seq as u32), last_tsn));
        }
        stream.next = upto + 1;
        delivered += stream.drain_ready(out);
        self.bytes -= delivered;
        self.after_delivery(stream_id, point, out);
        freed
    }

    /// Drops the partial messages that can no longer complete because a
    /// fragment they lack had a TSN at or below `cum_tsn`, the new
    /// cumulative TSN of a FORWARD-TSN or I-FORWARD-TSN (RFC 3758 section
    /// 3.6); returns the bytes dropped.
    ///
    /// Fragments at or below `cum_tsn` are not dropped as such: with
    /// interleaving, a message still in flight may have early fragments
    /// below the cumulative TSN and its later ones above it. A message that
    /// lacks only fragments beyond its highest held FSN is kept, as those
    /// may still come; if it was abandoned, the I-FORWARD-TSN entry for it
    /// drops it through [`Self::skip`].
    pub(crate) fn drop_up_to_tsn(&mut self, cum_tsn: Tsn) -> usize {
        let lost: Vec<MessageKey> = self
            .partial
            .iter()
            .filter(|(_, p)| p.lost_below(cum_tsn))
            .map(|(&(stream_id, unordered, mid), _)| MessageKey {
                stream_id,
                unordered,
                mid: Mid(mid),
            })
            .collect();
        lost.into_iter().map(|k| self.remove_partial(k)).sum()
    }

    /// Resets the incoming streams `stream_ids` (all streams when empty, as
    /// RFC 6525 section 4.1 reads an empty list): their next expected
    /// ordered MID is 0 again (RFC 6525 section 5.2.2, RFC 8260 section 2.3).
    /// Returns the bytes dropped.
    ///
    /// RFC 6525 section 5.2.2 performs the reset only once every TSN up to
    /// the Sender's Last Assigned TSN has arrived, and holds later chunks
    /// back until then; so nothing held for these streams belongs to the new
    /// sequence, and all of it (ordered and unordered) is dropped.
    pub(crate) fn reset_streams(&mut self, stream_ids: &[StreamId]) -> usize {
        let hit = |sid: StreamId| stream_ids.is_empty() || stream_ids.contains(&sid);
        let mut freed = 0;
        let aborted = &mut self.aborted;
        self.partial.retain(|&(stream_id, unordered, mid), p| {
            let reset = hit(stream_id);
            if reset {
                freed += p.bytes;
                if p.in_pieces {
                    aborted.push(MessageKey {
                        stream_id,
                        unordered,
                        mid: Mid(mid),
                    });
                }
            }
            !reset
        });
        self.streams.retain(|&sid, s| {
            let reset = hit(sid);
            if reset {
                freed += s
                    .pending
                    .values()
                    .map(|(m, _)| m.payload.len())
                    .sum::<usize>();
            }
            !reset
        });
        self.bytes -= freed;
        freed
    }
}

#[cfg(test)]
mod tests {
    use proptest::collection::vec;
    use proptest::prelude::*;

    use std::collections::HashMap;

    use super::*;
    use crate::wire::chunk::DataFlags;

    /// Flags of a fragment: (B, E, U).
    type Bits = (bool, bool, bool);
    const B: Bits = (true, false, false);
    const M: Bits = (false, false, false);
    const E: Bits = (false, true, false);
    const BE: Bits = (true, true, false);

    fn unordered(bits: Bits) -> Bits {
        (bits.0, bits.1, true)
    }

    /// An I-DATA chunk; `ppid_or_fsn` is the PPID of a B fragment, else its FSN.
    fn chunk(
        tsn: u32,
        sid: StreamId,
        mid: u32,
        bits: Bits,
        ppid_or_fsn: u32,
        p: &[u8],
    ) -> IData<'_> {
        IData {
            flags: DataFlags {
                immediate: false,
                beginning: bits.0,
                ending: bits.1,
                unordered: bits.2,
            },
            tsn: Tsn(tsn),
            stream_id: sid,
            mid: Mid(mid),
            ppid_or_fsn,
            payload: p,
        }
    }

    /// Feeds one chunk; returns what it delivered as (stream, MID, payload).
    fn rx(
        r: &mut InterleavedReassembly,
        d: &IData<'_>,
    ) -> Result<Vec<(StreamId, u32, Vec<u8>)>, IDataError> {
        let mut out = VecDeque::new();
        r.receive(d, None, &mut out)?;
        Ok(summary(out))
    }

    fn summary(out: VecDeque<Delivered>) -> Vec<(StreamId, u32, Vec<u8>)> {
        out.into_iter()
            .map(|d| (d.message.stream_id, d.mid.0, d.message.payload.to_vec()))
            .collect()
    }

    fn fresh() -> InterleavedReassembly {
        InterleavedReassembly::new(1 << 16)
    }

    impl InterleavedReassembly {
        /// The bytes actually held, counted the slow way.
        fn recount(&self) -> usize {
            let partial: usize = self
                .partial
                .values()
                .map(|p| {
                    assert_eq!(
                        p.bytes,
                        p.head.len() + p.frags.values().map(|(_, b)| b.len()).sum::<usize>()
                    );
                    p.bytes
                })
                .sum();
            let pending: usize = self
                .streams
                .values()
                .flat_map(|s| s.pending.values())
                .map(|(m, _)| m.payload.len())
                .sum();
            partial + pending
        }

        /// Starts `stream_id`'s ordered sequence at `mid`, as if the MIDs
        /// before it had been delivered.
        fn set_next_mid(&mut self, stream_id: StreamId, mid: Mid) {
            let s = self.streams.entry(stream_id).or_default();
            s.next = MID_ORIGIN + u64::from(mid.0);
        }
    }

    /// Feeds one chunk with partial delivery point `point`; returns what
    /// came up as (stream, MID, payload, end of record).
    fn pd(
        r: &mut InterleavedReassembly,
        d: &IData<'_>,
        point: usize,
    ) -> Vec<(StreamId, u32, Vec<u8>, bool)> {
        let mut out = VecDeque::new();
        r.receive(d, Some(point), &mut out).unwrap();
        r.check_counts().unwrap();
        pieces(out)
    }

    fn pieces(out: VecDeque<Delivered>) -> Vec<(StreamId, u32, Vec<u8>, bool)> {
        out.into_iter()
            .map(|d| {
                let m = d.message;
                (m.stream_id, d.mid.0, m.payload.to_vec(), d.end_of_record)
            })
            .collect()
    }

    #[test]
    fn rfc6458_8_1_21_pieces_of_interleaved_messages_take_turns() {
        let mut r = fresh();
        assert_eq!(
            pd(&mut r, &chunk(1, 1, 0, B, 51, b"abcd"), 4),
            [(1, 0, b"abcd".to_vec(), false)]
        );
        assert_eq!(
            pd(&mut r, &chunk(2, 2, 0, B, 52, b"wxyz"), 4),
            [(2, 0, b"wxyz".to_vec(), false)]
        );
        assert_eq!(
            pd(&mut r, &chunk(3, 1, 0, M, 1, b"ef"), 4),
            [(1, 0, b"ef".to_vec(), false)]
        );
        // FSN 1 of stream 2 is lost for now: FSN 2 waits for it.
        assert!(pd(&mut r, &chunk(5, 2, 0, E, 2, b"!"), 4).is_empty());
        assert_eq!(
            pd(&mut r, &chunk(4, 1, 0, E, 2, b"g"), 4),
            [(1, 0, b"g".to_vec(), true)]
        );
        assert_eq!(
            pd(&mut r, &chunk(6, 2, 0, M, 1, b"12"), 4),
            [(2, 0, b"12!".to_vec(), true)]
        );
        assert_eq!(r.buffered_bytes(), 0);
        assert_eq!(r.recount(), 0);
        assert!(r.partial.is_empty());
        // The pieces' PPID is the B fragment's.
        let mut out = VecDeque::new();
        r.receive(&chunk(7, 3, 0, B, 53, b"abcd"), Some(4), &mut out)
            .unwrap();
        assert_eq!(out[0].message.ppid, Ppid(53));
    }

    #[test]
    fn rfc8260_2_1_an_ordered_message_is_handed_up_only_when_next() {
        let mut r = fresh();
        assert!(pd(&mut r, &chunk(1, 1, 1, B, 51, b"abcd"), 4).is_empty());
        assert_eq!(r.buffered_bytes(), 4);
        assert_eq!(
            pd(&mut r, &chunk(2, 1, 0, BE, 51, b"0"), 4),
            [(1, 0, b"0".to_vec(), true), (1, 1, b"abcd".to_vec(), false)]
        );
        assert_eq!(
            pd(&mut r, &chunk(3, 1, 1, E, 1, b"e"), 4),
            [(1, 1, b"e".to_vec(), true)]
        );
        // MID 2 follows, whole.
        assert_eq!(
            pd(&mut r, &chunk(4, 1, 2, BE, 51, b"2"), 4),
            [(1, 2, b"2".to_vec(), true)]
        );
    }

    #[test]
    fn rfc8260_2_3_2_i_forward_tsn_cuts_a_partial_delivery_short() {
        let mut r = fresh();
        assert_eq!(pd(&mut r, &chunk(1, 1, 0, B, 51, b"abcd"), 4).len(), 1);
        assert!(pd(&mut r, &chunk(3, 1, 1, BE, 51, b"next"), 4).is_empty());
        let mut out = VecDeque::new();
        r.skip(1, false, Mid(0), Some(4), &mut out);
        assert_eq!(
            r.take_aborted(),
            [MessageKey {
                stream_id: 1,
                unordered: false,
                mid: Mid(0)
            }]
        );
        assert_eq!(pieces(out), [(1, 1, b"next".to_vec(), true)]);
        assert_eq!(r.recount(), r.buffered_bytes());
        assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn rfc6458_8_1_21_with_partial_delivery_no_message_is_too_large() {
        let mut r = InterleavedReassembly::new(4);
        assert_eq!(pd(&mut r, &chunk(1, 1, 0, B, 51, b"abc"), 3).len(), 1);
        assert_eq!(pd(&mut r, &chunk(2, 1, 0, M, 1, b"def"), 3).len(), 1);
        assert_eq!(
            pd(&mut r, &chunk(3, 1, 0, E, 2, b"ghi"), 3),
            [(1, 0, b"ghi".to_vec(), true)]
        );
        // Without it, the same message is refused.
        let mut r = InterleavedReassembly::new(4);
        assert_eq!(rx(&mut r, &chunk(1, 1, 0, B, 51, b"abc")), Ok(vec![]));
        assert!(matches!(
            rx(&mut r, &chunk(2, 1, 0, M, 1, b"def")),
            Err(IDataError::MessageTooLarge { .. })
        ));
    }

    #[test]
    fn rfc9260_6_9_a_closed_window_hands_up_interleaved_heads() {
        let mut r = fresh();
        assert!(pd(&mut r, &chunk(1, 1, 0, B, 51, b"ab"), 100).is_empty());
        assert!(pd(&mut r, &chunk(2, 2, 0, unordered(B), 52, b"cd"), 100).is_empty());
        assert!(pd(&mut r, &chunk(3, 3, 4, B, 53, b"late"), 100).is_empty());
        let mut out = VecDeque::new();
        r.relieve(&mut out);
        let mut got = pieces(out);
        got.sort();
        assert_eq!(
            got,
            [(1, 0, b"ab".to_vec(), false), (2, 0, b"cd".to_vec(), false)]
        );
        assert_eq!(r.buffered_bytes(), 4, "MID 4 of stream 3 is not next");
        assert_eq!(r.recount(), 4);
    }

    #[test]
    fn rfc8260_2_1_interleaved_fragments_of_two_streams_reassemble() {
        let mut r = fresh();
        let none: Vec<(StreamId, u32, Vec<u8>)> = Vec::new();
        assert_eq!(rx(&mut r, &chunk(1, 1, 0, B, 51, b"ab")), Ok(none.clone()));
        assert_eq!(rx(&mut r, &chunk(2, 2, 0, B, 52, b"xy")), Ok(none.clone()));
        assert_eq!(rx(&mut r, &chunk(3, 1, 0, M, 1, b"cd")), Ok(none.clone()));
        assert_eq!(r.buffered_bytes(), 6);
        assert_eq!(
            rx(&mut r, &chunk(4, 2, 0, E, 1, b"z")),
            Ok(vec![(2, 0, b"xyz".to_vec())])
        );
        let mut out = VecDeque::new();
        r.receive(&chunk(5, 1, 0, E, 2, b"e"), None, &mut out)
            .unwrap();
        let d = out.pop_front().unwrap();
        assert_eq!(&d.message.payload[..], b"abcde");
        assert_eq!(
            d.message.ppid,
            Ppid(51),
            "the PPID comes from the B fragment"
        );
        assert_eq!((d.mid, d.last_tsn), (Mid(0), Tsn(5)));
        assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn rfc8260_2_1_two_messages_of_one_stream_interleave() {
        // Unordered MIDs 4 and 5 of one stream, fragments alternating.
        let mut r = fresh();
        let u = unordered;
        assert!(
            rx(&mut r, &chunk(10, 7, 4, u(B), 1, b"a"))
                .unwrap()
                .is_empty()
        );
        assert!(
            rx(&mut r, &chunk(11, 7, 5, u(B), 2, b"x"))
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            rx(&mut r, &chunk(12, 7, 5, u(E), 1, b"y")).unwrap(),
            [(7, 5, b"xy".to_vec())],
            "an unordered message goes as soon as it is complete"
        );
        assert_eq!(
            rx(&mut r, &chunk(13, 7, 4, u(E), 1, b"b")).unwrap(),
            [(7, 4, b"ab".to_vec())]
        );
        // Ordered MIDs 0 and 1 of one stream, interleaved: 1 completes first, waits.
        assert!(rx(&mut r, &chunk(14, 7, 0, B, 1, b"0")).unwrap().is_empty());
        assert!(
            rx(&mut r, &chunk(15, 7, 1, BE, 1, b"1"))
                .unwrap()
                .is_empty()
        );
        assert_eq!(r.buffered_bytes(), 2);
        assert_eq!(
            rx(&mut r, &chunk(16, 7, 0, E, 1, b"0")).unwrap(),
            [(7, 0, b"00".to_vec()), (7, 1, b"1".to_vec())]
        );
        assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn rfc8260_2_1_fsn_orders_fragments_arriving_in_any_order() {
        let mut r = fresh();
        assert!(rx(&mut r, &chunk(9, 0, 0, E, 3, b"4")).unwrap().is_empty());
        assert!(rx(&mut r, &chunk(7, 0, 0, M, 1, b"2")).unwrap().is_empty());
        assert!(rx(&mut r, &chunk(8, 0, 0, M, 2, b"3")).unwrap().is_empty());
        assert_eq!(
            rx(&mut r, &chunk(6, 0, 0, B, 99, b"1")).unwrap(),
            [(0, 0, b"1234".to_vec())]
        );
        assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn rfc8260_2_1_ordered_and_unordered_sequences_are_separate() {
        let mut r = fresh();
        assert!(rx(&mut r, &chunk(1, 3, 0, B, 1, b"o")).unwrap().is_empty());
        // Unordered MID 0 of the same stream is another message.
        assert_eq!(
            rx(&mut r, &chunk(2, 3, 0, unordered(BE), 1, b"u")).unwrap(),
            [(3, 0, b"u".to_vec())]
        );
        assert_eq!(
            rx(&mut r, &chunk(3, 3, 0, E, 1, b"O")).unwrap(),
            [(3, 0, b"oO".to_vec())]
        );
    }

    #[test]
    fn rfc8260_2_1_ordered_delivery_follows_mid_per_stream() {
        let mut r = fresh();
        assert!(rx(&mut r, &chunk(1, 1, 2, BE, 0, b"c")).unwrap().is_empty());
        assert!(rx(&mut r, &chunk(2, 1, 1, BE, 0, b"b")).unwrap().is_empty());
        // Another stream is not held up by stream 1's gap.
        assert_eq!(
            rx(&mut r, &chunk(3, 2, 0, BE, 0, b"x")).unwrap(),
            [(2, 0, b"x".to_vec())]
        );
        assert_eq!(
            rx(&mut r, &chunk(4, 1, 0, BE, 0, b"a")).unwrap(),
            [
                (1, 0, b"a".to_vec()),
                (1, 1, b"b".to_vec()),
                (1, 2, b"c".to_vec())
            ]
        );
        assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn rfc8260_2_1_mid_wraps_around() {
        let mut r = fresh();
        r.set_next_mid(5, Mid(u32::MAX));
        assert!(rx(&mut r, &chunk(1, 5, 0, BE, 0, b"0")).unwrap().is_empty());
        assert_eq!(
            rx(&mut r, &chunk(2, 5, u32::MAX, BE, 0, b"m")).unwrap(),
            [(5, u32::MAX, b"m".to_vec()), (5, 0, b"0".to_vec())]
        );
        // MID 0xffff_fffe is now in the past.
        assert_eq!(
            rx(&mut r, &chunk(3, 5, u32::MAX - 1, BE, 0, b"old")),
            Err(IDataError::StaleMid(MessageKey {
                stream_id: 5,
                unordered: false,
                mid: Mid(u32::MAX - 1)
            }))
        );
    }

    #[test]
    fn rfc8260_2_1_duplicate_fsn_and_second_b_fragment_are_refused() {
        let mut r = fresh();
        let key = MessageKey {
            stream_id: 1,
            unordered: false,
            mid: Mid(0),
        };
        rx(&mut r, &chunk(1, 1, 0, B, 9, b"ab")).unwrap();
        rx(&mut r, &chunk(2, 1, 0, M, 1, b"cd")).unwrap();
        let dup = rx(&mut r, &chunk(3, 1, 0, M, 1, b"XX"));
        assert_eq!(dup, Err(IDataError::DuplicateFsn { key, fsn: Fsn(1) }));
        let second_b = rx(&mut r, &chunk(4, 1, 0, B, 8, b"YY"));
        assert_eq!(second_b, Err(IDataError::DuplicateFsn { key, fsn: Fsn(0) }));
        assert!(!second_b.unwrap_err().message_dropped());
        assert_eq!(r.buffered_bytes(), 4, "the copies are not held");
        // The message is intact and still completes.
        assert_eq!(
            rx(&mut r, &chunk(5, 1, 0, E, 2, b"e")).unwrap(),
            [(1, 0, b"abcde".to_vec())]
        );
        // A B+E message for a MID that has fragments held is a second B too.
        rx(&mut r, &chunk(6, 1, 1, B, 9, b"ab")).unwrap();
        assert!(matches!(
            rx(&mut r, &chunk(7, 1, 1, BE, 9, b"z")),
            Err(IDataError::DuplicateFsn { fsn: Fsn(0), .. })
        ));
    }

    #[test]
    fn rfc8260_2_1_fsn_zero_is_only_the_b_fragment() {
        let mut r = fresh();
        assert!(matches!(
            rx(&mut r, &chunk(1, 1, 0, E, 0, b"x")),
            Err(IDataError::FsnZeroWithoutBeginning(_))
        ));
        assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn rfc8260_2_1_e_fragment_below_a_held_fsn_drops_the_message() {
        let mut r = fresh();
        rx(&mut r, &chunk(1, 1, 0, M, 3, b"late")).unwrap();
        rx(&mut r, &chunk(2, 2, 0, B, 0, b"other")).unwrap();
        let err = rx(&mut r, &chunk(3, 1, 0, E, 2, b"end")).unwrap_err();
        assert!(matches!(
            err,
            IDataError::InconsistentEnd { fsn: Fsn(2), .. }
        ));
        assert!(err.message_dropped());
        assert_eq!(r.buffered_bytes(), 5, "only stream 2's fragment is left");
    }

    #[test]
    fn rfc8260_2_1_fragment_past_the_end_or_a_second_end_drops_the_message() {
        let mut r = fresh();
        rx(&mut r, &chunk(1, 1, 0, E, 2, b"end")).unwrap();
        let err = rx(&mut r, &chunk(2, 1, 0, M, 3, b"past")).unwrap_err();
        assert!(matches!(
            err,
            IDataError::InconsistentEnd { fsn: Fsn(3), .. }
        ));
        assert_eq!(r.buffered_bytes(), 0);
        rx(&mut r, &chunk(3, 1, 0, E, 2, b"end")).unwrap();
        let err = rx(&mut r, &chunk(4, 1, 0, E, 1, b"e2")).unwrap_err();
        assert!(matches!(
            err,
            IDataError::InconsistentEnd { fsn: Fsn(1), .. }
        ));
        assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn rfc8260_2_1_message_over_the_size_limit_is_dropped_and_reported() {
        let mut r = InterleavedReassembly::new(5);
        let key = MessageKey {
            stream_id: 1,
            unordered: true,
            mid: Mid(3),
        };
        let error = IDataError::MessageTooLarge { key, max: 5 };
        assert!(error.message_dropped());
        let too_large = Err(error);
        // One fragment larger than the limit.
        assert_eq!(
            rx(&mut r, &chunk(1, 1, 3, unordered(BE), 0, b"123456")),
            too_large
        );
        assert_eq!(
            rx(&mut r, &chunk(2, 1, 3, unordered(B), 0, b"123456")),
            too_large
        );
        // A message growing past the limit.
        rx(&mut r, &chunk(3, 1, 3, unordered(B), 0, b"123")).unwrap();
        rx(&mut r, &chunk(4, 2, 0, B, 0, b"keep")).unwrap();
        assert_eq!(
            rx(&mut r, &chunk(5, 1, 3, unordered(M), 1, b"456")),
            too_large
        );
        assert_eq!(r.buffered_bytes(), 4);
        // Exactly the limit is accepted.
        rx(&mut r, &chunk(6, 3, 0, B, 0, b"12")).unwrap();
        assert_eq!(
            rx(&mut r, &chunk(7, 3, 0, E, 1, b"345")).unwrap(),
            [(3, 0, b"12345".to_vec())]
        );
    }

    #[test]
    fn rfc8260_2_1_fragment_of_a_delivered_or_complete_mid_is_refused() {
        let mut r = fresh();
        rx(&mut r, &chunk(1, 1, 0, BE, 0, b"a")).unwrap();
        assert!(matches!(
            rx(&mut r, &chunk(2, 1, 0, E, 1, b"again")),
            Err(IDataError::StaleMid(_))
        ));
        // MID 2 is complete and waits for MID 1: a new fragment of it is refused.
        rx(&mut r, &chunk(3, 1, 2, BE, 0, b"c")).unwrap();
        assert!(matches!(
            rx(&mut r, &chunk(4, 1, 2, M, 1, b"more")),
            Err(IDataError::StaleMid(_))
        ));
        assert_eq!(r.buffered_bytes(), 1);
    }

    #[test]
    fn rfc8260_2_3_2_ordered_skip_drops_partials_and_delivers_held_messages() {
        let mut r = fresh();
        rx(&mut r, &chunk(1, 4, 0, B, 0, b"lost")).unwrap(); // MID 0: partial
        rx(&mut r, &chunk(2, 4, 1, BE, 0, b"one")).unwrap(); // MID 1: complete, waits
        rx(&mut r, &chunk(3, 4, 2, B, 0, b"two")).unwrap(); // MID 2: partial, skipped
        rx(&mut r, &chunk(4, 4, 3, BE, 0, b"three")).unwrap(); // MID 3: waits
        rx(&mut r, &chunk(5, 4, 5, BE, 0, b"five")).unwrap(); // MID 5: waits for 4
        rx(&mut r, &chunk(6, 9, 0, B, 0, b"other")).unwrap(); // another stream
        let mut out = VecDeque::new();
        let freed = r.skip(4, false, Mid(2), None, &mut out);
        assert_eq!(freed, 7, "the partial MIDs 0 and 2 are dropped");
        assert_eq!(
            summary(out),
            [(4, 1, b"one".to_vec()), (4, 3, b"three".to_vec())]
        );
        assert_eq!(r.buffered_bytes(), 4 + 5);
        // MID 4 now releases 5; a skip already passed does nothing.
        let mut out = VecDeque::new();
        assert_eq!(r.skip(4, false, Mid(1), None, &mut out), 0);
        assert!(out.is_empty());
        assert_eq!(
            rx(&mut r, &chunk(7, 4, 4, BE, 0, b"four")).unwrap(),
            [(4, 4, b"four".to_vec()), (4, 5, b"five".to_vec())]
        );
        assert_eq!(r.buffered_bytes(), 5);
    }

    #[test]
    fn rfc8260_2_3_2_skip_moves_the_expected_mid_past_the_skipped_one() {
        let mut r = fresh();
        let mut out = VecDeque::new();
        assert_eq!(r.skip(1, false, Mid(4), None, &mut out), 0);
        assert!(out.is_empty());
        assert!(matches!(
            rx(&mut r, &chunk(1, 1, 4, BE, 0, b"x")),
            Err(IDataError::StaleMid(_))
        ));
        assert_eq!(
            rx(&mut r, &chunk(2, 1, 5, BE, 0, b"y")).unwrap(),
            [(1, 5, b"y".to_vec())]
        );
    }

    #[test]
    fn rfc8260_2_3_2_unordered_skip_drops_only_that_mid() {
        let mut r = fresh();
        let u = unordered;
        rx(&mut r, &chunk(1, 2, 6, u(B), 0, b"six")).unwrap();
        rx(&mut r, &chunk(2, 2, 7, u(B), 0, b"seven")).unwrap();
        let mut out = VecDeque::new();
        assert_eq!(r.skip(2, true, Mid(7), None, &mut out), 5);
        assert!(out.is_empty());
        assert_eq!(
            rx(&mut r, &chunk(3, 2, 6, u(E), 1, b"!")).unwrap(),
            [(2, 6, b"six!".to_vec())]
        );
        assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn rfc3758_3_6_cumulative_tsn_drops_only_messages_that_cannot_complete() {
        let mut r = fresh();
        // MID 0: B at TSN 10, FSN 2 at TSN 12; FSN 1 (TSN 11) was abandoned.
        rx(&mut r, &chunk(10, 1, 0, unordered(B), 0, b"aa")).unwrap();
        rx(&mut r, &chunk(12, 1, 0, unordered(M), 2, b"cc")).unwrap();
        // MID 1: still in flight, its B below the new cumulative TSN.
        rx(&mut r, &chunk(13, 1, 1, unordered(B), 0, b"live")).unwrap();
        // MID 2: lacks its B, and a later fragment is below the cumulative TSN.
        rx(&mut r, &chunk(14, 1, 2, unordered(M), 1, b"orphan")).unwrap();
        // MID 3: lacks its B but its only fragment is above: may still come.
        rx(&mut r, &chunk(20, 1, 3, unordered(M), 1, b"wait")).unwrap();
        assert_eq!(r.drop_up_to_tsn(Tsn(14)), 4 + 6);
        assert_eq!(r.buffered_bytes(), 4 + 4);
        assert_eq!(
            rx(&mut r, &chunk(15, 1, 1, unordered(E), 1, b"!")).unwrap(),
            [(1, 1, b"live!".to_vec())]
        );
        assert_eq!(r.drop_up_to_tsn(Tsn(20)), 4);
        assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn rfc3758_3_6_cumulative_tsn_compares_serially_across_the_wrap() {
        let mut r = fresh();
        rx(&mut r, &chunk(u32::MAX, 1, 0, B, 0, b"b")).unwrap();
        rx(&mut r, &chunk(1, 1, 0, E, 2, b"e")).unwrap();
        assert_eq!(r.drop_up_to_tsn(Tsn(u32::MAX - 1)), 0);
        assert_eq!(r.drop_up_to_tsn(Tsn(1)), 2, "FSN 1 (TSN 0) is lost");
    }

    #[test]
    fn rfc6525_5_2_2_reset_returns_the_expected_mid_to_zero() {
        let mut r = fresh();
        for (tsn, mid) in [(1, 0), (2, 1)] {
            rx(&mut r, &chunk(tsn, 1, mid, BE, 0, b"x")).unwrap();
            rx(&mut r, &chunk(tsn + 10, 2, mid, BE, 0, b"y")).unwrap();
        }
        rx(&mut r, &chunk(3, 1, 5, BE, 0, b"stale")).unwrap();
        assert_eq!(r.reset_streams(&[1]), 5);
        assert_eq!(r.buffered_bytes(), 0);
        assert_eq!(
            rx(&mut r, &chunk(4, 1, 0, BE, 0, b"new")).unwrap(),
            [(1, 0, b"new".to_vec())]
        );
        // Stream 2 was not reset.
        assert!(matches!(
            rx(&mut r, &chunk(14, 2, 0, BE, 0, b"y")),
            Err(IDataError::StaleMid(_))
        ));
        // An empty list resets every stream.
        rx(&mut r, &chunk(15, 2, 3, B, 0, b"part")).unwrap();
        assert_eq!(r.reset_streams(&[]), 4);
        assert_eq!(
            rx(&mut r, &chunk(16, 2, 0, BE, 0, b"z")).unwrap(),
            [(2, 0, b"z".to_vec())]
        );
    }

    #[test]
    fn rfc9260_9_1_clear_drops_everything() {
        let mut r = fresh();
        rx(&mut r, &chunk(1, 1, 1, BE, 0, b"wait")).unwrap();
        rx(&mut r, &chunk(2, 2, 0, B, 0, b"part")).unwrap();
        assert_eq!(r.buffered_bytes(), 8);
        r.clear();
        assert_eq!(r.buffered_bytes(), 0);
        assert_eq!(r.recount(), 0);
        assert_eq!(
            rx(&mut r, &chunk(3, 1, 0, BE, 0, b"a")).unwrap(),
            [(1, 0, b"a".to_vec())]
        );
    }

    /// One message of the random workload.
    #[derive(Debug, Clone)]
    struct Spec {
        stream: StreamId,
        unordered: bool,
        len: usize,
        fragment: usize,
    }

    fn spec() -> impl Strategy<Value = Spec> {
        (0u16..3, any::<bool>(), 1usize..40, 1usize..12).prop_map(
            |(stream, unordered, len, fragment)| Spec {
                stream,
                unordered,
                len,
                fragment,
            },
        )
    }

    /// An I-DATA chunk with owned payload.
    #[derive(Debug, Clone)]
    struct Owned {
        tsn: u32,
        sid: StreamId,
        mid: u32,
        bits: Bits,
        ppid_or_fsn: u32,
        payload: Vec<u8>,
    }

    impl Owned {
        fn view(&self) -> IData<'_> {
            chunk(
                self.tsn,
                self.sid,
                self.mid,
                self.bits,
                self.ppid_or_fsn,
                &self.payload,
            )
        }
    }

    proptest! {
        #[test]
        fn rfc8260_2_1_any_interleaving_and_arrival_order_delivers_each_message_once(
            specs in vec(spec(), 1..12),
            picks in vec(any::<u32>(), 64),
            order in vec(any::<u32>(), 64),
            first_tsn in any::<u32>(),
            first_mid in prop_oneof![Just(0u32), Just(u32::MAX - 2)],
        ) {
            // The sender: MIDs per stream and U bit in send order, each
            // message's fragments in FSN order, messages interleaved at random.
            let mut next_mid: HashMap<(StreamId, bool), u32> = HashMap::new();
            let mut messages = Vec::new(); // (mid, payload, fragments)
            for (i, s) in specs.iter().enumerate() {
                let mid = next_mid.entry((s.stream, s.unordered)).or_insert(first_mid);
                let payload: Vec<u8> = (0..s.len).map(|j| (i * 37 + j) as u8).collect();
                let frags: Vec<Vec<u8>> = payload.chunks(s.fragment).map(<[u8]>::to_vec).collect();
                messages.push((*mid, payload, frags));
                *mid = mid.wrapping_add(1);
            }
            let mut cursor = vec![0usize; messages.len()];
            let mut active: Vec<usize> = (0..messages.len()).collect();
            let mut sent = Vec::new();
            let mut last_tsn = vec![0u32; messages.len()];
            while !active.is_empty() {
                let k = sent.len();
                let at = picks[k % picks.len()] as usize % active.len();
                let i = active[at];
                let (mid, _, frags) = &messages[i];
                let f = cursor[i];
                cursor[i] += 1;
                let tsn = first_tsn.wrapping_add(k as u32);
                let (b, e) = (f == 0, f + 1 == frags.len());
                if e {
                    last_tsn[i] = tsn;
                    active.remove(at);
                }
                sent.push(Owned {
                    tsn,
                    sid: specs[i].stream,
                    mid: *mid,
                    bits: (b, e, specs[i].unordered),
                    ppid_or_fsn: if b { i as u32 } else { f as u32 },
                    payload: frags[f].clone(),
                });
            }
            // The network reorders.
            let mut arrival: Vec<(u32, usize)> =
                (0..sent.len()).map(|k| (order[k % order.len()] ^ k as u32, k)).collect();
            arrival.sort_unstable();
            let mut r = fresh();
            for s in 0..3 {
                r.set_next_mid(s, Mid(first_mid));
            }
            let mut out = VecDeque::new();
            for (_, k) in arrival {
                prop_assert_eq!(r.receive(&sent[k].view(), None, &mut out), Ok(()));
                prop_assert_eq!(r.buffered_bytes(), r.recount());
            }
            prop_assert_eq!(r.buffered_bytes(), 0);
            prop_assert_eq!(out.len(), messages.len());
            let mut seen = vec![false; messages.len()];
            let mut order_per_stream: HashMap<StreamId, Vec<usize>> = HashMap::new();
            for d in &out {
                let i = d.message.ppid.0 as usize;
                prop_assert!(!seen[i], "message {} delivered twice", i);
                seen[i] = true;
                prop_assert_eq!(&d.message.payload[..], &messages[i].1[..]);
                prop_assert_eq!(d.message.stream_id, specs[i].stream);
                prop_assert_eq!(d.message.unordered, specs[i].unordered);
                prop_assert_eq!(d.mid, Mid(messages[i].0));
                prop_assert_eq!(d.last_tsn, Tsn(last_tsn[i]));
                if !specs[i].unordered {
                    order_per_stream.entry(specs[i].stream).or_default().push(i);
                }
            }
            // Ordered messages come in send (MID) order per stream.
            for (stream, got) in order_per_stream {
                let want: Vec<usize> = (0..specs.len())
                    .filter(|&i| specs[i].stream == stream && !specs[i].unordered)
                    .collect();
                prop_assert_eq!(got, want);
            }
        }

        #[test]
        fn rfc8260_2_1_hostile_input_never_panics_and_bytes_stay_exact(
            ops in vec((0u8..8, any::<u32>(), 0u16..3, 0u32..4, 0u8..8, 0u32..5, 0usize..12), 1..80),
        ) {
            let mut r = InterleavedReassembly::new(16);
            let mut out = VecDeque::new();
            let payload = [7u8; 12];
            for (op, tsn, sid, mid, bits, fsn, len) in ops {
                // MIDs near zero and near the wrap point.
                let mid = if mid >= 2 { mid.wrapping_sub(4) } else { mid };
                match op {
                    0 => {
                        r.skip(sid, bits & 4 != 0, Mid(mid), None, &mut out);
                    }
                    1 => {
                        r.drop_up_to_tsn(Tsn(tsn % 64));
                    }
                    2 if bits == 0 => {
                        r.reset_streams(&[sid]);
                    }
                    _ => {
                        let d = chunk(tsn % 64, sid, mid, (bits & 1 != 0, bits & 2 != 0, bits & 4 != 0), fsn, &payload[..len]);
                        let _ = r.receive(&d, None, &mut out);
                    }
                }
                prop_assert_eq!(r.buffered_bytes(), r.recount());
            }
            prop_assert!(out.iter().all(|d| d.message.payload.len() <= 16));
            r.clear();
            prop_assert_eq!(r.buffered_bytes(), 0);
        }
    }
}
