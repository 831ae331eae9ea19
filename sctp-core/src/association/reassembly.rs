//! Reassembly of fragmented messages and ordered delivery per stream
//! (RFC 9260 sections 6.5, 6.6 and 6.9), with partial delivery.
//!
//! Fragments are held by unwrapped TSN (a 64-bit count that never wraps), so
//! the bookkeeping needs no serial arithmetic. A message is reassembled only
//! when the arriving fragment can complete it (it is an E fragment or fills
//! the hole before a later one), so in-order arrival costs one pass per
//! message, not one per fragment.
//!
//! Partial delivery (RFC 9260 section 6.9; RFC 6458 section 8.1.21): once
//! the fragments held of a message that may be delivered next reach the
//! partial delivery point, they are handed up as a piece, and each later
//! run of fragments that follows without a gap as another, the last with
//! end of record. A message larger than the receive window so never needs
//! all of it held. One stream has one partial delivery at a time, and while
//! an unordered message is handed up in pieces, the stream's other unordered
//! messages wait (DATA gives them no SSN to tell them apart): a piece is
//! known by its stream, U bit and SSN, as RFC 6458 fragment interleave
//! level 2 promises.

use std::collections::{BTreeMap, VecDeque};

use rustc_hash::FxHashMap as HashMap;

use bytes::{Bytes, BytesMut};

use super::Message;
use crate::wire::chunk::{Data, DataFlags};
use crate::{Ppid, Ssn, StreamId, Tsn};

/// The most fragments one partial-delivery check looks at: a peer choosing
/// tiny fragments cannot make each packet cost a walk over everything held.
/// At MTU-sized fragments this is over a megabyte of a message's head.
const MAX_WALK: usize = 1024;

/// One received DATA chunk that is part of a larger message.
#[derive(Debug)]
struct Fragment {
    tsn: Tsn,
    stream_id: StreamId,
    ssn: Ssn,
    ppid: Ppid,
    flags: DataFlags,
    payload: Bytes,
}

impl Fragment {
    fn same_message(&self, other: &Self) -> bool {
        self.stream_id == other.stream_id
            && self.flags.unordered == other.flags.unordered
            && (self.flags.unordered || self.ssn == other.ssn)
    }
}

/// A message (or, in partial delivery, a piece of one) ready for the user,
/// with the SSN it carried and the TSN of its last fragment (for
/// [`super::RecvInfo`]).
#[derive(Debug)]
pub(crate) struct Delivered {
    pub(crate) message: Message,
    pub(crate) ssn: Ssn,
    pub(crate) last_tsn: Tsn,
    /// Whether this ends the message (always, but for partial delivery).
    pub(crate) end_of_record: bool,
}

impl Delivered {
    fn whole(message: Message, ssn: Ssn, last_tsn: Tsn) -> Self {
        Self {
            message,
            ssn,
            last_tsn,
            end_of_record: true,
        }
    }
}

/// A message being handed up in pieces: the next fragment it needs.
#[derive(Debug, Clone, Copy)]
struct InProgress {
    ssn: Ssn,
    unordered: bool,
    ppid: Ppid,
    /// The unwrapped TSN of the next fragment to hand up.
    next_key: u64,
    /// Whether the first piece (from the B fragment) went up.
    begun: bool,
}

/// Ordered delivery state of one inbound stream.
#[derive(Debug, Default)]
struct InboundStream {
    /// The next SSN to deliver, unwrapped.
    next: u64,
    /// Complete messages waiting for an earlier SSN, with their last TSN.
    pending: BTreeMap<u64, (Message, Tsn)>,
    /// The message being handed up in pieces, if any.
    partial: Option<InProgress>,
    /// Complete unordered messages waiting for an unordered partial delivery to end.
    held_unordered: Vec<(Message, Ssn, Tsn)>,
}

impl InboundStream {
    fn unwrap(&self, ssn: Ssn) -> u64 {
        let near = Ssn(self.next as u16);
        self.next.wrapping_add_signed(i64::from(ssn.distance(near)))
    }

    /// Delivers the held messages up to SSN `upto` (unwrapped), in order;
    /// returns the bytes they held.
    fn release_through(&mut self, upto: u64, out: &mut VecDeque<Delivered>) -> usize {
        let mut freed = 0;
        while let Some(entry) = self.pending.first_entry() {
            let seq = *entry.key();
            if seq > upto {
                break;
            }
            let (message, last_tsn) = entry.remove();
            freed += message.payload.len();
            out.push_back(Delivered::whole(message, Ssn(seq as u16), last_tsn));
        }
        freed
    }

    /// Delivers the held messages that follow `next` without a gap; returns
    /// the bytes they held.
    fn release_in_order(&mut self, out: &mut VecDeque<Delivered>) -> usize {
        let mut freed = 0;
        while self
            .pending
            .first_key_value()
            .is_some_and(|(&k, _)| k == self.next)
        {
            freed += self.release_through(self.next, out);
            self.next += 1;
        }
        freed
    }
}

/// A partial delivery cut short (RFC 6458 SCTP_PARTIAL_DELIVERY_ABORTED):
/// the rest of the message will never come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AbortedPiece {
    pub(crate) stream_id: StreamId,
    pub(crate) unordered: bool,
    pub(crate) ssn: Ssn,
}

/// Reassembly buffer and per-stream ordering queues.
#[derive(Debug, Default)]
pub(crate) struct Reassembly {
    frags: BTreeMap<u64, Fragment>,
    streams: HashMap<StreamId, InboundStream>,
    /// A recent TSN and its unwrapped value, the reference for unwrapping.
    tsn_ref: (Tsn, u64),
    /// Bytes held in fragments, pending ordered messages and unordered
    /// messages waiting for a partial delivery.
    bytes: usize,
    /// Streams with a message being handed up in pieces.
    partial_streams: usize,
    /// Partial deliveries cut short since last taken.
    aborted: Vec<AbortedPiece>,
}

impl Reassembly {
    /// A buffer for a peer whose first TSN is `initial_tsn`.
    pub(crate) fn new(initial_tsn: Tsn) -> Self {
        Self {
            tsn_ref: (initial_tsn, 1 << 32),
            ..Self::default()
        }
    }

    /// Checks the byte and partial-delivery counts against what is held.
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn check_counts(&self) -> Result<(), String> {
        let frags: usize = self.frags.values().map(|f| f.payload.len()).sum();
        let waiting: usize = self
            .streams
            .values()
            .map(|s| {
                s.pending
                    .values()
                    .map(|(m, _)| m.payload.len())
                    .sum::<usize>()
                    + s.held_unordered
                        .iter()
                        .map(|(m, _, _)| m.payload.len())
                        .sum::<usize>()
            })
            .sum();
        if frags + waiting != self.bytes {
            return Err(format!(
                "reassembly holds {} bytes, counts {}",
                frags + waiting,
                self.bytes
            ));
        }
        let partial = self
            .streams
            .values()
            .filter(|s| s.partial.is_some())
            .count();
        if partial != self.partial_streams {
            return Err(format!(
                "{partial} partial deliveries, counted {}",
                self.partial_streams
            ));
        }
        if let Some((sid, _)) = self
            .streams
            .iter()
            .find(|(_, s)| !s.held_unordered.is_empty() && !s.partial.is_some_and(|p| p.unordered))
        {
            return Err(format!(
                "stream {sid} holds unordered messages with no unordered partial delivery"
            ));
        }
        Ok(())
    }

    /// Partial deliveries cut short since the last call.
    pub(crate) fn take_aborted(&mut self) -> Vec<AbortedPiece> {
        std::mem::take(&mut self.aborted)
    }

    /// Ends every partial delivery going (reporting each cut short) and
    /// starts over for a peer whose next TSN is `initial_tsn`: the peer
    /// restarted or the association was reset.
    pub(crate) fn restart(&mut self, initial_tsn: Tsn) {
        let mut aborted = std::mem::take(&mut self.aborted);
        aborted.extend(self.streams.iter().filter_map(|(&stream_id, s)| {
            s.partial.map(|p| AbortedPiece {
                stream_id,
                unordered: p.unordered,
                ssn: p.ssn,
            })
        }));
        *self = Self::new(initial_tsn);
        self.aborted = aborted;
    }

    /// Bytes held (fragments plus complete messages waiting for order).
    pub(crate) fn buffered_bytes(&self) -> usize {
        self.bytes
    }

    /// Drops everything held: the association is closed and nothing held
    /// can be delivered any more (RFC 9260 section 9.1: the TCB is removed).
    pub(crate) fn clear(&mut self) {
        self.frags = BTreeMap::new();
        self.streams = HashMap::default();
        self.bytes = 0;
        self.partial_streams = 0;
    }

    /// Drops the fragment with `tsn` if one is held (not yet part of a
    /// delivered or completed message); returns whether it was.
    pub(crate) fn drop_fragment(&mut self, tsn: Tsn) -> bool {
        let key = self.unwrap_tsn(tsn);
        match self.frags.remove(&key) {
            Some(f) => {
                self.bytes -= f.payload.len();
                true
            }
            None => false,
        }
    }

    fn unwrap_tsn(&mut self, tsn: Tsn) -> u64 {
        let v = self
            .tsn_ref
            .1
            .wrapping_add_signed(i64::from(tsn.distance(self.tsn_ref.0)));
        self.tsn_ref = (tsn, v);
        v
    }

    /// Takes a new (non-duplicate) DATA chunk; completed, deliverable
    /// messages are appended to `out` in delivery order. With a partial
    /// delivery `point`, a message that may be delivered next is handed up
    /// in pieces once that many of its first bytes are held.
    pub(crate) fn receive(
        &mut self,
        data: &Data<'_>,
        point: Option<usize>,
        out: &mut VecDeque<Delivered>,
    ) {
        let Data {
            flags,
            tsn,
            stream_id,
            ssn,
            ppid,
            payload,
        } = *data;
        if flags.beginning && flags.ending {
            let msg = Message {
                stream_id,
                ppid,
                unordered: flags.unordered,
                payload: Bytes::copy_from_slice(payload),
            };
            self.deliver(ssn, tsn, msg, point, out);
            return;
        }
        let key = self.unwrap_tsn(tsn);
        self.bytes += payload.len();
        let frag = Fragment {
            tsn,
            stream_id,
            ssn,
            ppid,
            flags,
            payload: Bytes::copy_from_slice(payload),
        };
        let completes = flags.ending || self.frags.contains_key(&(key + 1));
        self.frags.insert(key, frag);
        if self.partial_streams > 0
            && let Some(p) = self.streams.get(&stream_id).and_then(|s| s.partial)
            && p.next_key == key
        {
            self.continue_partial(stream_id, point, out);
            return;
        }
        if completes && let Some((msg, ssn, last)) = self.try_assemble(key) {
            self.deliver(ssn, last, msg, point, out);
            return;
        }
        if let Some(point) = point
            && self.bytes >= point
        {
            self.begin_partial(key, point, out);
        }
    }

    /// Hands up, as the first piece of a partial delivery, the fragments
    /// held without a gap from the B fragment of the message `key` belongs
    /// to, if they reach `point` bytes and the message may be delivered now
    /// (unordered, or next on its stream) and its stream has no other
    /// partial delivery going.
    fn begin_partial(&mut self, key: u64, point: usize, out: &mut VecDeque<Delivered>) {
        let Some(this) = self.frags.get(&key) else {
            return;
        };
        let mut first = key;
        let mut cur = this;
        let mut steps = 0;
        while !cur.flags.beginning {
            let Some(prev) = self.frags.get(&(first - 1)) else {
                return;
            };
            steps += 1;
            if !prev.same_message(cur) || prev.flags.ending || steps > MAX_WALK {
                return;
            }
            first -= 1;
            cur = prev;
        }
        let head = cur;
        let (stream_id, ssn, ppid, unordered) =
            (head.stream_id, head.ssn, head.ppid, head.flags.unordered);
        let stream = self.streams.entry(stream_id).or_default();
        if stream.partial.is_some() || (!unordered && stream.unwrap(ssn) != stream.next) {
            return;
        }
        let mut last = first;
        let mut bytes = head.payload.len();
        let mut cur = head;
        // Far enough to know the head reaches the point (or the message is
        // complete, for `try_assemble` to deliver whole).
        while bytes < point
            && last - first < MAX_WALK as u64
            && let Some(next) = self.frags.get(&(last + 1))
        {
            if !next.same_message(cur) || next.flags.beginning || cur.flags.ending {
                break;
            }
            bytes += next.payload.len();
            last += 1;
            cur = next;
        }
        if bytes < point || cur.flags.ending {
            // Too little yet, or complete: `try_assemble` delivers it whole.
            return;
        }
        stream.partial = Some(InProgress {
            ssn,
            unordered,
            ppid,
            next_key: first,
            begun: false,
        });
        self.partial_streams += 1;
        self.continue_partial(stream_id, Some(point), out);
    }

    /// Hands up the fragments of `stream_id`'s partial delivery that follow
    /// the last piece without a gap; on the E fragment the delivery ends and
    /// the stream's next messages follow.
    fn continue_partial(
        &mut self,
        stream_id: StreamId,
        point: Option<usize>,
        out: &mut VecDeque<Delivered>,
    ) {
        let Some(stream) = self.streams.get_mut(&stream_id) else {
            return;
        };
        let Some(mut p) = stream.partial else {
            return;
        };
        let mut buf = BytesMut::new();
        let mut last_tsn = None;
        let mut ended = false;
        while !ended
            && self.frags.get(&p.next_key).is_some_and(|f| {
                // A fragment of another message where this one's should be
                // is the peer's error: the pieces stop there.
                f.stream_id == stream_id
                    && f.flags.unordered == p.unordered
                    && (p.unordered || f.ssn == p.ssn)
                    && f.flags.beginning != p.begun
            })
            && let Some(f) = self.frags.remove(&p.next_key)
        {
            buf.extend_from_slice(&f.payload);
            last_tsn = Some(f.tsn);
            ended = f.flags.ending;
            p.next_key += 1;
            p.begun = true;
        }
        let Some(last_tsn) = last_tsn else {
            return;
        };
        self.bytes -= buf.len();
        out.push_back(Delivered {
            message: Message {
                stream_id,
                ppid: p.ppid,
                unordered: p.unordered,
                payload: buf.freeze(),
            },
            ssn: p.ssn,
            last_tsn,
            end_of_record: ended,
        });
        if ended {
            self.end_partial(stream_id, point, out);
        } else {
            stream.partial = Some(p);
        }
    }

    /// A partial delivery on `stream_id` is over (ended or cut short): if
    /// it was ordered the stream moves on to its next SSN, else the
    /// unordered messages that waited for it go up.
    fn end_partial(
        &mut self,
        stream_id: StreamId,
        point: Option<usize>,
        out: &mut VecDeque<Delivered>,
    ) {
        let Some(stream) = self.streams.get_mut(&stream_id) else {
            return;
        };
        let Some(p) = stream.partial.take() else {
            return;
        };
        self.partial_streams -= 1;
        if p.unordered {
            for (message, ssn, last_tsn) in std::mem::take(&mut stream.held_unordered) {
                self.bytes -= message.payload.len();
                out.push_back(Delivered::whole(message, ssn, last_tsn));
            }
        } else {
            stream.next += 1;
            self.bytes -= stream.release_in_order(out);
        }
        self.after_delivery(stream_id, point, out);
    }

    /// The stream's next ordered message may have waited, partly held, for
    /// the one just delivered: with enough of it held it starts its own
    /// partial delivery now rather than when its next fragment comes.
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
        let next = Ssn(stream.next as u16);
        let start = self
            .frags
            .iter()
            .take(MAX_WALK)
            .find(|(_, f)| {
                f.flags.beginning && !f.flags.unordered && f.stream_id == stream_id && f.ssn == next
            })
            .map(|(&k, _)| k);
        if let Some(k) = start {
            self.begin_partial(k, point, out);
        }
    }

    /// The receive window is closed: every message that may be delivered
    /// next is handed up in pieces whatever its size, so the window opens
    /// again (RFC 9260 section 6.9: partial delivery frees the buffer).
    pub(crate) fn relieve(&mut self, out: &mut VecDeque<Delivered>) {
        let heads: Vec<u64> = self
            .frags
            .iter()
            .take(MAX_WALK)
            .filter(|(_, f)| f.flags.beginning)
            .map(|(&k, _)| k)
            .collect();
        for k in heads {
            self.begin_partial(k, 1, out);
        }
    }

    /// Finds the B..E run through `key`; if complete, removes and joins it.
    /// Returns the message, its SSN and the TSN of its last fragment.
    fn try_assemble(&mut self, key: u64) -> Option<(Message, Ssn, Tsn)> {
        let this = self.frags.get(&key)?;
        let mut first = key;
        let mut cur = this;
        while !cur.flags.beginning {
            let prev = self.frags.get(&(first - 1))?;
            if !prev.same_message(cur) || prev.flags.ending {
                return None;
            }
            first -= 1;
            cur = prev;
        }
        let mut last = key;
        let mut cur = this;
        while !cur.flags.ending {
            let next = self.frags.get(&(last + 1))?;
            if !next.same_message(cur) || next.flags.beginning {
                return None;
            }
            last += 1;
            cur = next;
        }
        let head = &self.frags[&first];
        let (stream_id, ssn, ppid, unordered) =
            (head.stream_id, head.ssn, head.ppid, head.flags.unordered);
        let last_tsn = cur.tsn;
        let total: usize = self
            .frags
            .range(first..=last)
            .map(|(_, f)| f.payload.len())
            .sum();
        let mut buf = BytesMut::with_capacity(total);
        for k in first..=last {
            if let Some(f) = self.frags.remove(&k) {
                buf.extend_from_slice(&f.payload);
            }
        }
        self.bytes -= total;
        Some((
            Message {
                stream_id,
                ppid,
                unordered,
                payload: buf.freeze(),
            },
            ssn,
            last_tsn,
        ))
    }

    /// Delivers a complete message now (unordered, or next in its stream) or
    /// holds it until the SSNs before it have been delivered (section 6.6),
    /// or until its stream's partial delivery ends.
    fn deliver(
        &mut self,
        ssn: Ssn,
        last_tsn: Tsn,
        msg: Message,
        point: Option<usize>,
        out: &mut VecDeque<Delivered>,
    ) {
        if msg.unordered {
            if self.partial_streams > 0
                && let Some(stream) = self.streams.get_mut(&msg.stream_id)
                && stream.partial.is_some_and(|p| p.unordered)
            {
                self.bytes += msg.payload.len();
                stream.held_unordered.push((msg, ssn, last_tsn));
                return;
            }
            out.push_back(Delivered::whole(msg, ssn, last_tsn));
            return;
        }
        let stream_id = msg.stream_id;
        let stream = self.streams.entry(stream_id).or_default();
        let seq = stream.unwrap(ssn);
        if seq < stream.next || (seq == stream.next && stream.partial.is_some_and(|p| !p.unordered))
        {
            // An SSN already delivered (or being delivered in pieces): a
            // peer error; drop rather than reorder.
            return;
        }
        if seq != stream.next {
            if stream.pending.contains_key(&seq) {
                // A second complete message with an SSN already waiting: a
                // peer error; the first one stays (fuzz/regressions/
                // association/duplicate-ssn-waiting-keeps-byte-count).
                return;
            }
            self.bytes += msg.payload.len();
            stream.pending.insert(seq, (msg, last_tsn));
            return;
        }
        out.push_back(Delivered::whole(msg, ssn, last_tsn));
        stream.next += 1;
        self.bytes -= stream.release_in_order(out);
        self.after_delivery(stream_id, point, out);
    }

    /// An incoming stream reset (RFC 6525 section 5.2.2): the next ordered
    /// message on `streams` (all when empty) carries SSN 0 again. The peer
    /// sent nothing on them since the reset was asked for, so nothing held
    /// is lost.
    pub(crate) fn reset_streams(&mut self, streams: &[StreamId]) {
        let reset: Vec<StreamId> = if streams.is_empty() {
            self.streams.keys().copied().collect()
        } else {
            streams.to_vec()
        };
        for s in reset {
            if let Some(old) = self.streams.remove(&s) {
                self.bytes -= old
                    .pending
                    .values()
                    .map(|(m, _)| m.payload.len())
                    .sum::<usize>();
                self.bytes -= old
                    .held_unordered
                    .iter()
                    .map(|(m, _, _)| m.payload.len())
                    .sum::<usize>();
                if let Some(p) = old.partial {
                    // The peer reset the stream in the middle of a message:
                    // its rest never comes.
                    self.partial_streams -= 1;
                    self.aborted.push(AbortedPiece {
                        stream_id: s,
                        unordered: p.unordered,
                        ssn: p.ssn,
                    });
                }
            }
        }
    }

    /// FORWARD TSN (RFC 3758 section 3.6): drops the fragments held at or
    /// below `new_cum` (messages the sender abandoned, or their earlier
    /// fragments), and moves each listed ordered stream past the SSN
    /// skipped on it: the complete messages held up to that SSN are
    /// delivered in order, then those that now follow without a gap.
    pub(crate) fn skip(
        &mut self,
        new_cum: Tsn,
        streams: &[(StreamId, Ssn)],
        point: Option<usize>,
        out: &mut VecDeque<Delivered>,
    ) {
        let key = self.unwrap_tsn(new_cum);
        let kept = self.frags.split_off(&(key + 1));
        let dropped = std::mem::replace(&mut self.frags, kept);
        self.bytes -= dropped.values().map(|f| f.payload.len()).sum::<usize>();
        if self.partial_streams > 0 {
            // A partial delivery whose next fragment is skipped was abandoned
            // by the sender (RFC 6458 SCTP_PARTIAL_DELIVERY_ABORTED).
            let cut: Vec<StreamId> = self
                .streams
                .iter()
                .filter(|(_, s)| s.partial.is_some_and(|p| p.next_key <= key))
                .map(|(&sid, _)| sid)
                .collect();
            for stream_id in cut {
                self.abort_partial(stream_id, point, out);
            }
        }
        for &(stream_id, ssn) in streams {
            let stream = self.streams.entry(stream_id).or_default();
            let skipped = stream.unwrap(ssn);
            if skipped < stream.next {
                continue;
            }
            if stream.partial.is_some_and(|p| !p.unordered) {
                // The message in pieces is skipped, though its next
                // fragment lies beyond the new cumulative TSN.
                self.abort_partial(stream_id, point, out);
            }
            let Some(stream) = self.streams.get_mut(&stream_id) else {
                continue;
            };
            if skipped < stream.next {
                continue;
            }
            self.bytes -= stream.release_through(skipped, out);
            stream.next = skipped + 1;
            self.bytes -= stream.release_in_order(out);
            self.after_delivery(stream_id, point, out);
        }
    }

    /// Cuts `stream_id`'s partial delivery short: its rest will never come.
    fn abort_partial(
        &mut self,
        stream_id: StreamId,
        point: Option<usize>,
        out: &mut VecDeque<Delivered>,
    ) {
        if let Some(p) = self.streams.get(&stream_id).and_then(|s| s.partial) {
            self.aborted.push(AbortedPiece {
                stream_id,
                unordered: p.unordered,
                ssn: p.ssn,
            });
            self.end_partial(stream_id, point, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rx(
        r: &mut Reassembly,
        tsn: u32,
        ssn: u16,
        fl: (bool, bool, bool),
        p: &[u8],
    ) -> VecDeque<Message> {
        let mut out = VecDeque::new();
        let mut delivered = VecDeque::new();
        let data = Data {
            flags: DataFlags {
                immediate: false,
                beginning: fl.0,
                ending: fl.1,
                unordered: fl.2,
            },
            tsn: Tsn(tsn),
            stream_id: 3,
            ssn: Ssn(ssn),
            ppid: Ppid(5),
            payload: p,
        };
        r.receive(&data, None, &mut delivered);
        out.extend(delivered.into_iter().map(|d| d.message));
        out
    }

    fn payloads(out: &VecDeque<Message>) -> Vec<&[u8]> {
        out.iter().map(|m| &m.payload[..]).collect()
    }

    #[test]
    fn rfc9260_6_9_fragments_reassemble_in_any_order() {
        let mut r = Reassembly::new(Tsn(10));
        assert!(rx(&mut r, 12, 0, (false, true, false), b"56").is_empty());
        assert!(rx(&mut r, 10, 0, (true, false, false), b"12").is_empty());
        assert_eq!(r.buffered_bytes(), 4);
        let out = rx(&mut r, 11, 0, (false, false, false), b"34");
        assert_eq!(payloads(&out), [b"123456"]);
        assert_eq!(out[0].ppid, Ppid(5));
        assert_eq!(out[0].stream_id, 3);
        assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn rfc9260_6_6_ordered_delivery_waits_for_earlier_ssn() {
        let mut r = Reassembly::new(Tsn(1));
        assert!(rx(&mut r, 2, 1, (true, true, false), b"b").is_empty());
        // An unordered message overtakes.
        let out = rx(&mut r, 3, 0, (true, true, true), b"u");
        assert!(out[0].unordered);
        assert_eq!(r.buffered_bytes(), 1);
        let out = rx(&mut r, 1, 0, (true, true, false), b"a");
        assert_eq!(payloads(&out), [b"a", b"b"]);
        assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn rfc9260_1_6_ssn_and_tsn_wrap_around() {
        let mut r = Reassembly::new(Tsn(u32::MAX));
        r.streams.insert(
            3,
            InboundStream {
                next: 65_535,
                ..InboundStream::default()
            },
        );
        assert!(rx(&mut r, 0, 0, (true, false, false), b"x").is_empty());
        assert!(
            rx(&mut r, 1, 0, (false, true, false), b"y").is_empty(),
            "SSN 0 waits for 65535"
        );
        let out = rx(&mut r, u32::MAX, 65_535, (true, true, false), b"w");
        assert_eq!(payloads(&out), [&b"w"[..], b"xy"]);
    }

    /// A DATA fragment on `sid` with flags (B, E, U).
    fn frag(tsn: u32, sid: StreamId, ssn: u16, fl: (bool, bool, bool), p: &[u8]) -> Data<'_> {
        Data {
            flags: DataFlags {
                immediate: false,
                beginning: fl.0,
                ending: fl.1,
                unordered: fl.2,
            },
            tsn: Tsn(tsn),
            stream_id: sid,
            ssn: Ssn(ssn),
            ppid: Ppid(9),
            payload: p,
        }
    }

    /// Feeds `d` with partial delivery point `point`; returns what came up
    /// as (stream, SSN, payload, end of record).
    fn pd(r: &mut Reassembly, d: &Data<'_>, point: usize) -> Vec<(StreamId, u16, Vec<u8>, bool)> {
        let mut out = VecDeque::new();
        r.receive(d, Some(point), &mut out);
        r.check_counts().unwrap();
        summary(out)
    }

    fn summary(out: VecDeque<Delivered>) -> Vec<(StreamId, u16, Vec<u8>, bool)> {
        out.into_iter()
            .map(|d| {
                (
                    d.message.stream_id,
                    d.ssn.0,
                    d.message.payload.to_vec(),
                    d.end_of_record,
                )
            })
            .collect()
    }

    const B: (bool, bool, bool) = (true, false, false);
    const M: (bool, bool, bool) = (false, false, false);
    const E: (bool, bool, bool) = (false, true, false);

    #[test]
    fn rfc6458_8_1_21_partial_delivery_point_hands_up_pieces_with_end_of_record() {
        let mut r = Reassembly::new(Tsn(1));
        assert!(pd(&mut r, &frag(1, 1, 0, B, b"ab"), 4).is_empty());
        assert_eq!(
            pd(&mut r, &frag(2, 1, 0, M, b"cd"), 4),
            [(1, 0, b"abcd".to_vec(), false)]
        );
        assert_eq!(r.buffered_bytes(), 0, "a piece handed up is no longer held");
        // A gap: the fragment after it waits, then both go up together.
        assert!(pd(&mut r, &frag(4, 1, 0, M, b"gh"), 4).is_empty());
        assert_eq!(
            pd(&mut r, &frag(3, 1, 0, M, b"ef"), 4),
            [(1, 0, b"efgh".to_vec(), false)]
        );
        assert_eq!(
            pd(&mut r, &frag(5, 1, 0, E, b"i"), 4),
            [(1, 0, b"i".to_vec(), true)]
        );
        // The stream goes on with SSN 1, delivered whole.
        assert_eq!(
            pd(&mut r, &frag(6, 1, 1, (true, true, false), b"next"), 4),
            [(1, 1, b"next".to_vec(), true)]
        );
        assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn rfc6458_8_1_21_below_the_point_a_message_comes_whole() {
        let mut r = Reassembly::new(Tsn(1));
        assert!(pd(&mut r, &frag(1, 1, 0, B, b"ab"), 100).is_empty());
        assert!(pd(&mut r, &frag(2, 1, 0, M, b"cd"), 100).is_empty());
        assert_eq!(
            pd(&mut r, &frag(3, 1, 0, E, b"e"), 100),
            [(1, 0, b"abcde".to_vec(), true)]
        );
    }

    #[test]
    fn rfc9260_6_9_partial_delivery_waits_for_earlier_ssn_then_starts() {
        let mut r = Reassembly::new(Tsn(1));
        // SSN 1's head arrives while SSN 0 is missing: not deliverable yet.
        assert!(pd(&mut r, &frag(2, 1, 1, B, b"abcd"), 4).is_empty());
        assert!(pd(&mut r, &frag(3, 1, 1, M, b"efgh"), 4).is_empty());
        assert_eq!(r.buffered_bytes(), 8);
        // SSN 0 arrives: delivered, and SSN 1 starts its pieces at once.
        assert_eq!(
            pd(&mut r, &frag(1, 1, 0, (true, true, false), b"0"), 4),
            [
                (1, 0, b"0".to_vec(), true),
                (1, 1, b"abcdefgh".to_vec(), false)
            ]
        );
        assert_eq!(
            pd(&mut r, &frag(4, 1, 1, E, b"!"), 4),
            [(1, 1, b"!".to_vec(), true)]
        );
    }

    #[test]
    fn rfc6458_8_1_21_unordered_messages_of_the_stream_wait_for_an_unordered_partial_delivery() {
        let u = |fl: (bool, bool, bool)| (fl.0, fl.1, true);
        let mut r = Reassembly::new(Tsn(1));
        assert_eq!(
            pd(&mut r, &frag(1, 1, 0, u(B), b"abcd"), 4),
            [(1, 0, b"abcd".to_vec(), false)]
        );
        // The pieces' end is lost for now; a whole unordered message on the
        // same stream waits, one on another stream and an ordered one pass.
        assert!(pd(&mut r, &frag(3, 1, 0, u((true, true, false)), b"wait"), 4).is_empty());
        assert_eq!(
            pd(&mut r, &frag(4, 2, 0, u((true, true, false)), b"other"), 4),
            [(2, 0, b"other".to_vec(), true)]
        );
        assert_eq!(
            pd(&mut r, &frag(5, 1, 0, (true, true, false), b"ord"), 4),
            [(1, 0, b"ord".to_vec(), true)]
        );
        assert_eq!(r.buffered_bytes(), 4);
        assert_eq!(
            pd(&mut r, &frag(2, 1, 0, u(E), b"e"), 4),
            [(1, 0, b"e".to_vec(), true), (1, 0, b"wait".to_vec(), true)]
        );
        assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn rfc3758_3_6_forward_tsn_cuts_a_partial_delivery_short() {
        let mut r = Reassembly::new(Tsn(1));
        assert_eq!(pd(&mut r, &frag(1, 1, 0, B, b"abcd"), 4).len(), 1);
        // SSN 1 complete, waiting behind the message in pieces.
        assert!(pd(&mut r, &frag(4, 1, 1, (true, true, false), b"next"), 4).is_empty());
        let mut out = VecDeque::new();
        // The sender abandoned SSN 0 (TSNs 2 and 3).
        r.skip(Tsn(3), &[(1, Ssn(0))], Some(4), &mut out);
        assert_eq!(
            r.take_aborted(),
            [AbortedPiece {
                stream_id: 1,
                unordered: false,
                ssn: Ssn(0)
            }]
        );
        assert_eq!(summary(out), [(1, 1, b"next".to_vec(), true)]);
        assert_eq!(r.buffered_bytes(), 0);
        assert_eq!(r.partial_streams, 0);
    }

    #[test]
    fn rfc6525_5_2_2_stream_reset_cuts_a_partial_delivery_short() {
        let mut r = Reassembly::new(Tsn(1));
        assert_eq!(pd(&mut r, &frag(1, 7, 0, B, b"abcd"), 4).len(), 1);
        r.reset_streams(&[7]);
        assert_eq!(r.take_aborted().len(), 1);
        assert_eq!(r.partial_streams, 0);
    }

    #[test]
    fn rfc9260_6_9_a_closed_window_hands_up_any_message_that_may_go_next() {
        let mut r = Reassembly::new(Tsn(1));
        assert!(pd(&mut r, &frag(1, 1, 0, B, b"ab"), 100).is_empty());
        assert!(pd(&mut r, &frag(2, 1, 0, M, b"cd"), 100).is_empty());
        // Not deliverable: SSN 5 of stream 2 waits for SSN 0.
        assert!(pd(&mut r, &frag(3, 2, 5, B, b"zz"), 100).is_empty());
        let mut out = VecDeque::new();
        r.relieve(&mut out);
        assert_eq!(summary(out), [(1, 0, b"abcd".to_vec(), false)]);
        assert_eq!(r.buffered_bytes(), 2);
    }

    #[test]
    fn rfc6525_5_2_4_association_reset_cuts_partial_deliveries_short() {
        let mut r = Reassembly::new(Tsn(1));
        assert_eq!(pd(&mut r, &frag(1, 2, 0, B, b"abcd"), 4).len(), 1);
        r.restart(Tsn(1 << 31));
        assert_eq!(
            r.take_aborted(),
            [AbortedPiece {
                stream_id: 2,
                unordered: false,
                ssn: Ssn(0)
            }]
        );
        assert_eq!((r.buffered_bytes(), r.partial_streams), (0, 0));
        // The new TSN space starts clean.
        assert_eq!(
            pd(&mut r, &frag(1 << 31, 2, 0, (true, true, false), b"new"), 4),
            [(2, 0, b"new".to_vec(), true)]
        );
    }

    #[test]
    fn rfc9260_6_6_a_second_message_with_a_waiting_ssn_is_dropped_and_not_counted() {
        let mut r = Reassembly::new(Tsn(1));
        assert!(rx(&mut r, 2, 1, (true, true, false), b"one").is_empty());
        assert!(rx(&mut r, 3, 1, (true, true, false), b"dup").is_empty());
        r.check_counts().unwrap();
        assert_eq!(r.buffered_bytes(), 3);
        let out = rx(&mut r, 1, 0, (true, true, false), b"0");
        assert_eq!(payloads(&out), [&b"0"[..], b"one"]);
        assert_eq!(r.buffered_bytes(), 0);
    }
}
