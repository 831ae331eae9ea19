//! Messages waiting to be sent, fragmented on demand (RFC 9260 section 6.9),
//! numbered per stream in send order (SSN, RFC 9260 section 6.6; MID with
//! I-DATA, RFC 8260 section 2.1), in the order the stream scheduler picks
//! (RFC 8260 section 3).
//!
//! First-come first-served, the default, keeps one queue in send order
//! (the fast path: no scheduler is consulted). The other schedulers keep a
//! queue per stream and ask [`Scheduler::next_stream`] before each
//! fragment; with I-DATA every fragment boundary is a scheduling point, so
//! a large message's fragments take turns with other streams' messages.
//!
//! A message takes its SSN or MID when its first fragment is taken, not
//! when it is queued: a partially reliable message abandoned before any of
//! it was sent then leaves no hole in its stream's numbers (RFC 3758 has no
//! way to tell the peer about a message that never had a TSN).

use std::collections::VecDeque;

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;

use super::Message;
use super::partial_reliability::PrMessage;
use super::scheduler::{Scheduler, SchedulerKind};
use crate::wire::chunk::DataFlags;
use crate::{Ppid, StreamId};

/// A message accepted by `send`, possibly partly fragmented already.
#[derive(Debug)]
struct Queued {
    stream_id: StreamId,
    /// Arrival order over all streams (wrapping; see [`age`]).
    seq: u32,
    /// SSN (DATA) or MID (I-DATA), assigned when the first fragment is taken.
    mid: u32,
    /// The next fragment's FSN (I-DATA).
    fsn: u32,
    ppid: Ppid,
    unordered: bool,
    /// The user's context, returned with a send failure.
    context: u32,
    /// Whether the last fragment asks for an immediate SACK (RFC 7053).
    sack_immediately: bool,
    payload: Bytes,
    /// Bytes of `payload` already handed out as fragments (messages are
    /// at most 4 GiB: `AssociationConfig::validate`).
    taken: u32,
    /// Its partial-reliability policy, when it has one.
    pr: Option<Arc<PrMessage>>,
}

impl Queued {
    fn taken(&self) -> usize {
        self.taken as usize
    }

    fn remaining(&self) -> usize {
        self.payload.len() - self.taken()
    }
}

/// The next piece of user data to put in a DATA or I-DATA chunk.
#[derive(Debug, Clone)]
pub(crate) struct Fragment {
    pub(crate) stream_id: StreamId,
    /// The SSN (DATA, in the low 16 bits) or the MID (I-DATA).
    pub(crate) mid: u32,
    /// The Fragment Sequence Number (I-DATA; 0 for the first fragment).
    pub(crate) fsn: u32,
    pub(crate) ppid: Ppid,
    /// The DATA flag bits ([`DataFlags::bits`]): one byte, so building and
    /// moving a fragment writes and reads it whole.
    pub(crate) flag_bits: u8,
    pub(crate) context: u32,
    pub(crate) payload: Bytes,
    /// The message's partial-reliability policy, when it has one.
    pub(crate) pr: Option<Arc<PrMessage>>,
}

impl Fragment {
    /// Its DATA flags.
    #[cfg(test)]
    pub(crate) fn flags(&self) -> DataFlags {
        DataFlags::from_bits(self.flag_bits)
    }
}

/// What was left of a message removed from the queue.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Removed {
    /// Whether some of it had been handed out as fragments already.
    pub(crate) taken: bool,
    pub(crate) stream_id: StreamId,
    pub(crate) mid: u32,
    /// The FSN its next fragment would have had.
    pub(crate) fsn: u32,
    pub(crate) unordered: bool,
}

/// A message taken back from the queue for a send-failure report.
#[derive(Debug)]
pub(crate) struct Unsent {
    pub(crate) message: Message,
    pub(crate) context: u32,
    /// Whether some of it was handed out as fragments already.
    pub(crate) sent: bool,
}

/// The messages in the order they go.
#[derive(Debug)]
enum Order {
    /// First-come first-served: one queue in send order (RFC 8260 section 3.1).
    Fifo(VecDeque<Queued>),
    /// The other schedulers: a queue per stream, and the scheduler.
    Scheduled {
        streams: HashMap<StreamId, VecDeque<Queued>>,
        scheduler: Scheduler,
    },
}

/// Outbound messages.
#[derive(Debug)]
pub(crate) struct SendQueue {
    order: Order,
    /// The next SSN or MID of each stream's ordered and (I-DATA only)
    /// unordered messages, indexed by stream id, grown to the highest
    /// stream used: a lookup per message is an index.
    next_mid: [Vec<u32>; 2],
    /// Messages queued, all streams.
    len: usize,
    /// Of those, messages with a partial-reliability policy (when none
    /// is, nothing can expire and the checks are skipped).
    pr_messages: usize,
    bytes: usize,
    next_seq: u32,
    /// I-DATA is in use: unordered messages are numbered, MIDs are 32-bit
    /// and the schedulers interleave fragments.
    interleaving: bool,
    /// Streams whose new messages wait: an outgoing reset of them is
    /// pending (RFC 6525 section 5.1.2); `None` in the list means all.
    paused: Vec<Option<StreamId>>,
    /// Priorities and weights set while first-come first-served was in use.
    stream_params: Vec<(StreamId, u16, u16)>,
}

impl Default for SendQueue {
    fn default() -> Self {
        Self {
            order: Order::Fifo(VecDeque::new()),
            next_mid: [Vec::new(), Vec::new()],
            len: 0,
            pr_messages: 0,
            bytes: 0,
            next_seq: 0,
            interleaving: false,
            paused: Vec::new(),
            stream_params: Vec::new(),
        }
    }
}

impl SendQueue {
    /// An empty queue ordered by `kind`.
    pub(crate) fn with_scheduler(kind: SchedulerKind) -> Self {
        let mut q = Self::default();
        if kind != SchedulerKind::Fcfs {
            q.set_scheduler(kind);
        }
        q
    }

    /// Bytes accepted but not yet handed out as fragments.
    pub(crate) fn queued_bytes(&self) -> usize {
        self.bytes
    }

    /// Whether nothing waits to be sent.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Turns I-DATA numbering and interleaving on or off (when the
    /// handshake negotiated it, before anything was taken).
    pub(crate) fn set_interleaving(&mut self, on: bool) {
        self.interleaving = on;
        if let Order::Scheduled { scheduler, .. } = &mut self.order {
            scheduler.set_interleaving(on);
        }
    }

    /// The scheduler in use.
    pub(crate) fn scheduler(&self) -> SchedulerKind {
        match &self.order {
            Order::Fifo(_) => SchedulerKind::Fcfs,
            Order::Scheduled { scheduler, .. } => scheduler.kind(),
        }
    }

    /// Changes the scheduler at run time; queued messages keep their place
    /// in their streams.
    pub(crate) fn set_scheduler(&mut self, kind: SchedulerKind) {
        let all = self.take_all();
        self.order = if kind == SchedulerKind::Fcfs {
            Order::Fifo(VecDeque::new())
        } else {
            let mut scheduler =
                match std::mem::replace(&mut self.order, Order::Fifo(VecDeque::new())) {
                    Order::Scheduled { mut scheduler, .. } => {
                        scheduler.clear();
                        scheduler
                    }
                    Order::Fifo(_) => {
                        let mut s = Scheduler::new(kind, self.interleaving);
                        for &(id, p, w) in &self.stream_params {
                            s.set_priority(id, p);
                            s.set_weight(id, w);
                        }
                        s
                    }
                };
            scheduler.set_kind(kind);
            Order::Scheduled {
                streams: HashMap::default(),
                scheduler,
            }
        };
        for q in all {
            self.insert(q);
        }
    }

    /// Sets a stream's priority (RFC 8260 section 3.4; lower first) and
    /// weight (section 3.6), kept across scheduler changes.
    pub(crate) fn set_stream_params(&mut self, stream_id: StreamId, priority: u16, weight: u16) {
        self.stream_params.retain(|(id, _, _)| *id != stream_id);
        self.stream_params.push((stream_id, priority, weight));
        if let Order::Scheduled { scheduler, .. } = &mut self.order {
            scheduler.set_priority(stream_id, priority);
            scheduler.set_weight(stream_id, weight);
        }
    }

    /// A stream's priority and weight.
    pub(crate) fn stream_params(&self, stream_id: StreamId) -> (u16, u16) {
        self.stream_params
            .iter()
            .find(|(id, _, _)| *id == stream_id)
            .map_or(
                (
                    super::scheduler::DEFAULT_PRIORITY,
                    super::scheduler::DEFAULT_WEIGHT,
                ),
                |&(_, p, w)| (p, w),
            )
    }

    /// Every message, in send order, out of the queue.
    fn take_all(&mut self) -> Vec<Queued> {
        self.len = 0;
        self.pr_messages = 0;
        self.bytes = 0;
        match &mut self.order {
            Order::Fifo(q) => q.drain(..).collect(),
            Order::Scheduled { streams, scheduler } => {
                scheduler.clear();
                let mut all: Vec<Queued> = streams.drain().flat_map(|(_, q)| q).collect();
                let next = self.next_seq;
                all.sort_by_key(|q| std::cmp::Reverse(age(next, q.seq)));
                all
            }
        }
    }

    fn insert(&mut self, q: Queued) {
        self.len += 1;
        self.pr_messages += usize::from(q.pr.is_some());
        self.bytes += q.remaining();
        match &mut self.order {
            Order::Fifo(queue) => queue.push_back(q),
            Order::Scheduled { streams, scheduler } => {
                if q.taken > 0 {
                    // Begun: it keeps the turn with plain DATA (RFC 9260
                    // section 6.9), paused or not.
                    scheduler.push(q.stream_id, q.payload.len(), q.seq.into());
                    scheduler.on_fragment_sent(q.stream_id, q.taken(), false);
                } else if !is_paused(&self.paused, q.stream_id) {
                    scheduler.push(q.stream_id, q.remaining(), q.seq.into());
                }
                streams.entry(q.stream_id).or_default().push_back(q);
            }
        }
    }

    /// Queues a message.
    pub(crate) fn push(
        &mut self,
        stream_id: StreamId,
        ppid: Ppid,
        options: &super::SendOptions,
        payload: Bytes,
        pr: Option<Arc<PrMessage>>,
    ) {
        let seq = self.next_seq;
        self.next_seq = seq.wrapping_add(1);
        self.insert(Queued {
            stream_id,
            seq,
            mid: 0,
            fsn: 0,
            ppid,
            unordered: options.unordered,
            context: options.context,
            sack_immediately: options.sack_immediately,
            payload,
            taken: 0,
            pr,
        });
    }

    /// A new packet is being filled (round robin per packet moves on).
    #[inline]
    pub(crate) fn start_packet(&mut self) {
        if let Order::Scheduled { scheduler, .. } = &mut self.order {
            scheduler.on_packet_boundary();
        }
    }

    /// The message the next fragment comes from.
    #[inline]
    fn next(&self) -> Option<&Queued> {
        match &self.order {
            Order::Fifo(q) => {
                let front = q.front()?;
                if self.paused.is_empty() || front.taken > 0 {
                    return Some(front);
                }
                q.iter().find(|m| !is_paused(&self.paused, m.stream_id))
            }
            Order::Scheduled { streams, scheduler } => {
                let s = scheduler.next_stream()?;
                streams.get(&s)?.front()
            }
        }
    }

    /// Bytes left of the next message to send from.
    #[inline]
    pub(crate) fn head_remaining(&self) -> Option<usize> {
        self.next().map(Queued::remaining)
    }

    /// Whether any queued message has a partial-reliability policy.
    #[inline]
    pub(crate) fn holds_pr_messages(&self) -> bool {
        self.pr_messages > 0
    }

    /// The next message, if its lifetime is over at `now` (RFC 3758
    /// section 5, RFC 9260 section 10.1), and whether some of it was taken.
    #[inline]
    pub(crate) fn expired_head(&self, now: Instant) -> Option<(Arc<PrMessage>, bool)> {
        if self.pr_messages == 0 {
            return None;
        }
        let q = self.next()?;
        let pr = q.pr.as_ref()?;
        pr.expired(now).then(|| (Arc::clone(pr), q.taken > 0))
    }

    /// Takes the next fragment of at most `max` bytes (`max` > 0).
    #[inline]
    pub(crate) fn take(&mut self, max: usize) -> Option<Fragment> {
        let (q, stream) = match &mut self.order {
            Order::Fifo(queue) => {
                let front = queue.front()?;
                if !self.paused.is_empty() && front.taken == 0 {
                    // A paused stream's messages keep their place; the
                    // first one on another stream goes first.
                    let i = queue
                        .iter()
                        .position(|m| !is_paused(&self.paused, m.stream_id))?;
                    let m = queue.remove(i)?;
                    queue.push_front(m);
                }
                (queue.front_mut()?, None)
            }
            Order::Scheduled { streams, scheduler } => {
                let s = scheduler.next_stream()?;
                (streams.get_mut(&s)?.front_mut()?, Some(s))
            }
        };
        let n = q.remaining().min(max);
        let beginning = q.taken == 0;
        if beginning {
            let numbered = !q.unordered || self.interleaving;
            if numbered {
                let counters = &mut self.next_mid[usize::from(q.unordered)];
                let i = usize::from(q.stream_id);
                if counters.len() <= i {
                    counters.resize(i + 1, 0);
                }
                let next = &mut counters[i];
                q.mid = *next;
                // An SSN is 16 bits (RFC 9260 section 3.3.1), a MID 32.
                *next = if self.interleaving {
                    next.wrapping_add(1)
                } else {
                    u32::from((*next as u16).wrapping_add(1))
                };
            }
        }
        let payload = q.payload.slice(q.taken()..q.taken() + n);
        q.taken += n as u32;
        let ending = q.taken() == q.payload.len();
        let frag = Fragment {
            stream_id: q.stream_id,
            mid: q.mid,
            fsn: q.fsn,
            ppid: q.ppid,
            flag_bits: DataFlags {
                immediate: ending && q.sack_immediately,
                unordered: q.unordered,
                beginning,
                ending,
            }
            .bits(),
            context: q.context,
            payload,
            pr: q.pr.clone(),
        };
        q.fsn = q.fsn.wrapping_add(1);
        self.bytes -= n;
        match &mut self.order {
            Order::Fifo(queue) => {
                if ending {
                    queue.pop_front();
                }
            }
            Order::Scheduled { streams, scheduler } => {
                let s = stream.unwrap_or(frag.stream_id);
                scheduler.on_fragment_sent(s, n, ending);
                if ending && let Some(queue) = streams.get_mut(&s) {
                    queue.pop_front();
                }
            }
        }
        if ending {
            self.len -= 1;
            self.pr_messages -= usize::from(frag.pr.is_some());
        }
        Some(frag)
    }

    /// Removes the message `id`; says what was left of it.
    pub(crate) fn remove_message(&mut self, id: u64) -> Option<Removed> {
        let is_it = |q: &Queued| q.pr.as_ref().is_some_and(|p| p.id == id);
        let q = match &mut self.order {
            Order::Fifo(queue) => {
                let i = queue.iter().position(is_it)?;
                queue.remove(i)?
            }
            Order::Scheduled { streams, scheduler } => {
                let (s, i) = streams
                    .iter()
                    .find_map(|(s, q)| Some((*s, q.iter().position(is_it)?)))?;
                let q = streams.get_mut(&s)?.remove(i)?;
                scheduler.remove(s, q.seq.into());
                q
            }
        };
        self.len -= 1;
        self.pr_messages -= usize::from(q.pr.is_some());
        self.bytes -= q.remaining();
        Some(Removed {
            taken: q.taken > 0,
            stream_id: q.stream_id,
            mid: q.mid,
            fsn: q.fsn,
            unordered: q.unordered,
        })
    }

    /// Every queued message, in no particular order.
    fn iter(&self) -> Box<dyn Iterator<Item = &Queued> + '_> {
        match &self.order {
            Order::Fifo(q) => Box::new(q.iter()),
            Order::Scheduled { streams, .. } => Box::new(streams.values().flatten()),
        }
    }

    /// Queued messages that yield to priority `p` (RFC 7496 section 3.2),
    /// newest first, with the bytes removing each would free; those begun
    /// already only if `begun` (abandoning them needs PR-SCTP).
    pub(crate) fn lower_priority(&self, p: u16, begun: bool) -> Vec<(Arc<PrMessage>, usize)> {
        let mut v: Vec<(u32, Arc<PrMessage>, usize)> = self
            .iter()
            .filter(|q| begun || q.taken == 0)
            .filter_map(|q| {
                let pr = q.pr.as_ref().filter(|pr| pr.yields_to(p))?;
                Some((age(self.next_seq, q.seq), Arc::clone(pr), q.remaining()))
            })
            .collect();
        v.sort_by_key(|(age, _, _)| *age);
        v.into_iter().map(|(_, pr, n)| (pr, n)).collect()
    }

    /// Holds back new messages on `streams` (all when empty).
    pub(crate) fn pause(&mut self, streams: &[StreamId]) {
        if streams.is_empty() {
            self.paused.push(None);
        }
        self.paused.extend(streams.iter().map(|&s| Some(s)));
        self.reschedule();
    }

    /// Undoes one [`SendQueue::pause`] of `streams`.
    pub(crate) fn resume(&mut self, streams: &[StreamId]) {
        let mut remove = |p: Option<StreamId>| {
            if let Some(i) = self.paused.iter().position(|&q| q == p) {
                self.paused.swap_remove(i);
            }
        };
        if streams.is_empty() {
            remove(None);
        }
        for &s in streams {
            remove(Some(s));
        }
        self.reschedule();
    }

    /// The scheduler sees the messages of streams that are not paused
    /// (and those already begun, which finish).
    fn reschedule(&mut self) {
        if matches!(self.order, Order::Scheduled { .. }) {
            for q in self.take_all() {
                self.insert(q);
            }
        }
    }

    /// Whether a message on one of `streams` (any when empty) is sent in part.
    pub(crate) fn busy_on(&self, streams: &[StreamId]) -> bool {
        self.iter()
            .any(|q| q.taken > 0 && (streams.is_empty() || streams.contains(&q.stream_id)))
    }

    /// The next message on `streams` (all when empty) takes SSN or MID 0
    /// (RFC 6525 sections 5.1.2 and 5.2.4).
    pub(crate) fn reset_ssns(&mut self, streams: &[StreamId]) {
        for counters in &mut self.next_mid {
            if streams.is_empty() {
                counters.clear();
            }
            for &s in streams {
                if let Some(next) = counters.get_mut(usize::from(s)) {
                    *next = 0;
                }
            }
        }
    }

    /// Removes every queued message, for a send-failure report, in send
    /// order. A message partly handed out already is returned whole.
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = Unsent> + '_ {
        self.take_all().into_iter().map(|q| Unsent {
            sent: q.taken > 0,
            message: Message {
                stream_id: q.stream_id,
                ppid: q.ppid,
                unordered: q.unordered,
                payload: q.payload,
            },
            context: q.context,
        })
    }

    /// DATA chunks the queued bytes make at `max_fragment` bytes a chunk.
    pub(crate) fn chunk_count(&self, max_fragment: usize) -> usize {
        let max = max_fragment.max(1);
        self.iter().map(|q| q.remaining().div_ceil(max)).sum()
    }
}

/// How many messages were queued after the one numbered `seq`, `next`
/// being the next number (arrival numbers wrap; fewer than 2^32 messages
/// are ever queued at once).
fn age(next: u32, seq: u32) -> u32 {
    next.wrapping_sub(seq)
}

fn is_paused(paused: &[Option<StreamId>], stream_id: StreamId) -> bool {
    paused.iter().any(|p| p.is_none_or(|s| s == stream_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> crate::association::SendOptions {
        crate::association::SendOptions::default()
    }

    /// (payload, stream, number, B, E) of every fragment taken, `max` bytes each.
    fn take_all(q: &mut SendQueue, max: usize) -> Vec<(Vec<u8>, u16, u32, bool, bool)> {
        std::iter::from_fn(|| q.take(max))
            .map(|f| {
                (
                    f.payload.to_vec(),
                    f.stream_id,
                    f.mid,
                    f.flags().beginning,
                    f.flags().ending,
                )
            })
            .collect()
    }

    #[test]
    fn rfc9260_6_9_fragments_carry_b_and_e_and_one_ssn() {
        let mut q = SendQueue::default();
        let unordered = opts().unordered(true);
        q.push(4, Ppid(1), &opts(), Bytes::from_static(b"abcdefg"), None);
        q.push(4, Ppid(1), &opts(), Bytes::from_static(b"h"), None);
        q.push(5, Ppid(1), &unordered, Bytes::from_static(b"i"), None);
        assert_eq!(q.queued_bytes(), 9);
        assert_eq!(q.chunk_count(3), 5);
        let f: Vec<_> = std::iter::from_fn(|| q.take(3)).collect();
        let shape: Vec<_> = f
            .iter()
            .map(|f| {
                (
                    &f.payload[..],
                    f.mid,
                    f.flags().beginning,
                    f.flags().ending,
                    f.flags().unordered,
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                (&b"abc"[..], 0, true, false, false),
                (b"def", 0, false, false, false),
                (b"g", 0, false, true, false),
                (b"h", 1, true, true, false),
                (b"i", 0, true, true, true),
            ]
        );
        assert!(q.is_empty());
        assert_eq!(q.queued_bytes(), 0);
    }

    #[test]
    fn rfc7053_4_sack_immediately_marks_only_the_last_fragment() {
        let mut q = SendQueue::default();
        let o = opts().sack_immediately(true).context(7);
        q.push(0, Ppid(1), &o, Bytes::from_static(b"abcdefg"), None);
        let f: Vec<_> = std::iter::from_fn(|| q.take(3)).collect();
        let i_bits: Vec<_> = f.iter().map(|f| f.flags().immediate).collect();
        assert_eq!(i_bits, [false, false, true]);
        assert!(f.iter().all(|f| f.context == 7));
    }

    #[test]
    fn rfc8260_2_1_i_data_numbers_unordered_messages_and_counts_fragments() {
        let mut q = SendQueue::default();
        q.set_interleaving(true);
        let unordered = opts().unordered(true);
        q.push(1, Ppid(1), &unordered, Bytes::from_static(b"abcd"), None);
        q.push(1, Ppid(1), &unordered, Bytes::from_static(b"e"), None);
        q.push(1, Ppid(1), &opts(), Bytes::from_static(b"f"), None);
        let f: Vec<_> = std::iter::from_fn(|| q.take(2)).collect();
        let numbers: Vec<_> = f
            .iter()
            .map(|f| (f.mid, f.fsn, f.flags().unordered))
            .collect();
        // Unordered and ordered messages have MIDs of their own (section 2.1).
        assert_eq!(
            numbers,
            [(0, 0, true), (0, 1, true), (1, 0, true), (0, 0, false)]
        );
    }

    #[test]
    fn rfc8260_3_2_round_robin_with_i_data_interleaves_a_large_message_with_small_ones() {
        let mut q = SendQueue::default();
        q.set_interleaving(true);
        q.set_scheduler(SchedulerKind::RoundRobin);
        q.push(1, Ppid(1), &opts(), Bytes::from_static(b"LLLLLL"), None);
        q.push(2, Ppid(1), &opts(), Bytes::from_static(b"s1"), None);
        q.push(2, Ppid(1), &opts(), Bytes::from_static(b"s2"), None);
        let order: Vec<_> = take_all(&mut q, 2)
            .into_iter()
            .map(|(p, s, ..)| (s, p))
            .collect();
        assert_eq!(
            order,
            [
                (1, b"LL".to_vec()),
                (2, b"s1".to_vec()),
                (1, b"LL".to_vec()),
                (2, b"s2".to_vec()),
                (1, b"LL".to_vec()),
            ]
        );
        assert!(q.is_empty());
        assert_eq!(q.queued_bytes(), 0);
    }

    #[test]
    fn rfc8260_3_without_i_data_a_message_goes_whole_before_another_stream() {
        let mut q = SendQueue::default();
        q.set_scheduler(SchedulerKind::RoundRobin);
        q.push(1, Ppid(1), &opts(), Bytes::from_static(b"LLLLLL"), None);
        q.push(2, Ppid(1), &opts(), Bytes::from_static(b"s1"), None);
        let streams: Vec<_> = take_all(&mut q, 2).into_iter().map(|f| f.1).collect();
        assert_eq!(streams, [1, 1, 1, 2]);
    }

    #[test]
    fn rfc8260_3_switching_the_scheduler_keeps_each_streams_order() {
        let mut q = SendQueue::default();
        for (s, p) in [(1, "a"), (2, "b"), (1, "c"), (2, "d")] {
            q.push(
                s,
                Ppid(1),
                &opts(),
                Bytes::from(p.as_bytes().to_vec()),
                None,
            );
        }
        q.set_scheduler(SchedulerKind::Priority);
        q.set_stream_params(2, 0, 1);
        q.set_stream_params(1, 5, 1);
        let first: Vec<_> = take_all(&mut q, 10).into_iter().map(|f| f.0).collect();
        assert_eq!(
            first,
            [b"b".to_vec(), b"d".to_vec(), b"a".to_vec(), b"c".to_vec()]
        );
        q.push(1, Ppid(1), &opts(), Bytes::from_static(b"e"), None);
        q.push(2, Ppid(1), &opts(), Bytes::from_static(b"f"), None);
        q.set_scheduler(SchedulerKind::Fcfs);
        let then: Vec<_> = take_all(&mut q, 10)
            .into_iter()
            .map(|f| (f.0, f.2))
            .collect();
        // Arrival order again, the SSNs continuing per stream.
        assert_eq!(then, [(b"e".to_vec(), 2), (b"f".to_vec(), 2)]);
    }

    #[test]
    fn rfc6525_5_1_2_a_paused_stream_waits_while_others_go_under_any_scheduler() {
        for kind in SchedulerKind::ALL {
            let mut q = SendQueue::default();
            q.set_scheduler(kind);
            q.push(1, Ppid(1), &opts(), Bytes::from_static(b"held"), None);
            q.push(2, Ppid(1), &opts(), Bytes::from_static(b"goes"), None);
            q.pause(&[1]);
            assert_eq!(q.head_remaining(), Some(4), "{kind}");
            let sent: Vec<_> = take_all(&mut q, 10).into_iter().map(|f| f.1).collect();
            assert_eq!(sent, [2], "{kind}");
            q.reset_ssns(&[1]);
            q.resume(&[1]);
            let sent: Vec<_> = take_all(&mut q, 10)
                .into_iter()
                .map(|f| (f.1, f.2))
                .collect();
            assert_eq!(sent, [(1, 0)], "{kind}");
            assert!(q.is_empty(), "{kind}");
        }
    }
}
