//! The sender's stream schedulers (RFC 8260 section 3): which stream's
//! message supplies the next DATA or I-DATA chunk.
//!
//! The scheduler holds no user data. The send queue mirrors its per-stream
//! queues here (message lengths and arrival numbers), reports each fragment
//! it takes and each packet it starts, and asks [`Scheduler::next_stream`]
//! before taking a fragment:
//!
//! ```text
//!   send(msg) ──► push(stream, len, seq)
//!   new packet ─► on_packet_boundary()
//!   loop: next_stream() ─► Some(s): take a fragment of s's head message
//!                          ──► on_fragment_sent(s, bytes, message_done)
//!                        └► None: close the packet
//!   abandoned ──► remove(stream, seq)
//! ```
//!
//! Every fragment boundary is a scheduling point when I-DATA is in use
//! (RFC 8260 section 2.1: messages of different streams may interleave).
//! With plain DATA a message's fragments must go back to back (RFC 9260
//! section 6.9), so the stream whose message is partly sent keeps the turn
//! until it is done, whatever the kind.
//!
//! A decision scans the streams that have data, which is cheap for the
//! handful of streams associations use; a heap per kind is the next step if
//! thousands of streams are ever busy at once.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::ops::Bound;
use std::str::FromStr;

use thiserror::Error;

use crate::StreamId;

/// A stream scheduler of RFC 8260 section 3, chosen per association.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SchedulerKind {
    /// First-come, first-served: messages in the order the user sent them
    /// (RFC 8260 section 3.1); the default.
    #[default]
    Fcfs,
    /// Round robin over the streams with data: one message per turn, one
    /// fragment per turn with I-DATA (RFC 8260 section 3.2).
    RoundRobin,
    /// Round robin per packet: each packet carries one stream's chunks, the
    /// next packet the next stream's (RFC 8260 section 3.3).
    RoundRobinPerPacket,
    /// Strict priority per stream, lower value first, round robin among
    /// equal priorities (RFC 8260 section 3.4).
    Priority,
    /// Fair capacity: equal bytes for every stream with data (RFC 8260
    /// section 3.5).
    FairCapacity,
    /// Weighted fair queueing: bytes in proportion to each stream's weight
    /// (RFC 8260 section 3.6).
    WeightedFairQueueing,
}

impl SchedulerKind {
    /// Every kind, in the order of RFC 8260 section 3.
    pub const ALL: [Self; 6] = [
        Self::Fcfs,
        Self::RoundRobin,
        Self::RoundRobinPerPacket,
        Self::Priority,
        Self::FairCapacity,
        Self::WeightedFairQueueing,
    ];

    /// The short name that [`FromStr`] accepts and [`fmt::Display`] prints.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Fcfs => "fcfs",
            Self::RoundRobin => "rr",
            Self::RoundRobinPerPacket => "rr-packet",
            Self::Priority => "prio",
            Self::FairCapacity => "fc",
            Self::WeightedFairQueueing => "wfq",
        }
    }
}

impl fmt::Display for SchedulerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A scheduler name that [`SchedulerKind::from_str`] does not know.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown stream scheduler {value:?} (expected fcfs, rr, rr-packet, prio, fc or wfq)")]
pub struct ParseSchedulerKindError {
    /// The value given.
    pub value: String,
}

impl FromStr for SchedulerKind {
    type Err = ParseSchedulerKindError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| ParseSchedulerKindError {
                value: s.to_owned(),
            })
    }
}

/// The priority of a stream nobody set one for (the highest, as in Linux).
pub(crate) const DEFAULT_PRIORITY: u16 = 0;
/// The weight of a stream nobody set one for.
pub(crate) const DEFAULT_WEIGHT: u16 = 1;

/// WFQ charges `bytes * WEIGHT_SCALE / weight`, so a weight-1 stream pays
/// 65,536 units a byte and integer division loses almost nothing.
const WEIGHT_SCALE: u128 = 1 << 16;

/// One queued message as the scheduler sees it.
#[derive(Debug, Clone, Copy)]
struct Queued {
    /// The send queue's arrival number, for FCFS and for [`Scheduler::remove`].
    seq: u64,
    /// Bytes not handed out yet.
    remaining: usize,
}

/// What the scheduler keeps of one outgoing stream.
#[derive(Debug)]
struct Stream {
    queue: VecDeque<Queued>,
    priority: u16,
    weight: u16,
    /// Bytes served, as virtual time: fair capacity counts plain bytes...
    fc_tag: u128,
    /// ... and WFQ bytes divided by the weight.
    wfq_tag: u128,
}

impl Default for Stream {
    fn default() -> Self {
        Self {
            queue: VecDeque::new(),
            priority: DEFAULT_PRIORITY,
            weight: DEFAULT_WEIGHT,
            fc_tag: 0,
            wfq_tag: 0,
        }
    }
}

impl Stream {
    fn wfq_cost(&self, bytes: usize) -> u128 {
        bytes as u128 * WEIGHT_SCALE / u128::from(self.weight.max(1))
    }
}

/// The stream scheduler of one association (RFC 8260 section 3).
#[derive(Debug)]
pub(crate) struct Scheduler {
    kind: SchedulerKind,
    /// Whether I-DATA is in use, so messages may interleave.
    interleaving: bool,
    streams: BTreeMap<StreamId, Stream>,
    /// Streams with at least one message queued.
    active: BTreeSet<StreamId>,
    /// The stream whose head message is partly sent. With plain DATA it
    /// keeps the turn until the message is done.
    in_progress: Option<StreamId>,
    /// The stream served last: the round robins continue after it, and ties
    /// of the other kinds are broken in the same rotation.
    last: Option<StreamId>,
    /// Round robin per packet: the stream the current packet carries.
    packet_stream: Option<StreamId>,
    /// Virtual time of fair capacity: the tag of the stream served last
    /// (start-time fair queueing). A stream that becomes active starts
    /// here, so idle time earns it no burst.
    fc_now: u128,
    /// Virtual time of WFQ, as `fc_now`.
    wfq_now: u128,
}

impl Scheduler {
    /// A scheduler of `kind`; `interleaving` when I-DATA was negotiated.
    pub(crate) fn new(kind: SchedulerKind, interleaving: bool) -> Self {
        Self {
            kind,
            interleaving,
            streams: BTreeMap::new(),
            active: BTreeSet::new(),
            in_progress: None,
            last: None,
            packet_stream: None,
            fc_now: 0,
            wfq_now: 0,
        }
    }

    /// The kind in use.
    pub(crate) fn kind(&self) -> SchedulerKind {
        self.kind
    }

    /// Switches the kind; queued messages, priorities, weights and the
    /// byte counts of the fair schedulers stay.
    pub(crate) fn set_kind(&mut self, kind: SchedulerKind) {
        self.kind = kind;
        self.packet_stream = None;
    }

    #[cfg(test)]
    /// Whether messages may interleave (I-DATA in use).
    pub(crate) fn interleaving(&self) -> bool {
        self.interleaving
    }

    /// Sets whether I-DATA is in use. Set it when the handshake has
    /// negotiated it, before a message is partly sent: turning it off while
    /// several streams have partly sent messages finishes only one of them
    /// first.
    pub(crate) fn set_interleaving(&mut self, interleaving: bool) {
        self.interleaving = interleaving;
    }

    /// Sets a stream's priority (lower value, higher priority; RFC 8260
    /// section 4.3.2, SCTP_SS_PRIO).
    pub(crate) fn set_priority(&mut self, stream_id: StreamId, priority: u16) {
        self.streams.entry(stream_id).or_default().priority = priority;
    }

    /// A stream's priority.
    pub(crate) fn priority(&self, stream_id: StreamId) -> u16 {
        self.streams
            .get(&stream_id)
            .map_or(DEFAULT_PRIORITY, |s| s.priority)
    }

    /// Sets a stream's weight for weighted fair queueing (0 counts as 1).
    /// Bytes already served are not recharged.
    pub(crate) fn set_weight(&mut self, stream_id: StreamId, weight: u16) {
        self.streams.entry(stream_id).or_default().weight = weight;
    }

    #[cfg(test)]
    /// A stream's weight.
    pub(crate) fn weight(&self, stream_id: StreamId) -> u16 {
        self.streams
            .get(&stream_id)
            .map_or(DEFAULT_WEIGHT, |s| s.weight)
    }

    #[cfg(test)]
    /// Whether no message is queued.
    pub(crate) fn is_empty(&self) -> bool {
        self.active.is_empty()
    }

    /// A message of `len` bytes was queued on `stream_id`; `seq` is the send
    /// queue's arrival number (increasing over all streams).
    pub(crate) fn push(&mut self, stream_id: StreamId, len: usize, seq: u64) {
        let s = self.streams.entry(stream_id).or_default();
        if s.queue.is_empty() {
            // Becoming active: no credit for the time it had nothing to send.
            s.fc_tag = s.fc_tag.max(self.fc_now);
            s.wfq_tag = s.wfq_tag.max(self.wfq_now);
            self.active.insert(stream_id);
        }
        s.queue.push_back(Queued {
            seq,
            remaining: len,
        });
    }

    /// A fragment of `bytes` of `stream_id`'s head message was taken;
    /// `message_done` when it was the message's last.
    pub(crate) fn on_fragment_sent(
        &mut self,
        stream_id: StreamId,
        bytes: usize,
        message_done: bool,
    ) {
        let Some(s) = self.streams.get_mut(&stream_id) else {
            return;
        };
        let Some(head) = s.queue.front_mut() else {
            return;
        };
        head.remaining = head.remaining.saturating_sub(bytes);
        // Start-time fair queueing: virtual time is the tag of the stream
        // being served, before it is charged.
        self.fc_now = self.fc_now.max(s.fc_tag);
        self.wfq_now = self.wfq_now.max(s.wfq_tag);
        s.fc_tag += bytes as u128;
        s.wfq_tag += s.wfq_cost(bytes);
        if message_done {
            s.queue.pop_front();
            if self.in_progress == Some(stream_id) {
                self.in_progress = None;
            }
            if s.queue.is_empty() {
                self.active.remove(&stream_id);
            }
        } else {
            self.in_progress = Some(stream_id);
        }
        self.last = Some(stream_id);
        self.packet_stream = Some(stream_id);
    }

    /// A new packet is being filled (round robin per packet moves on).
    pub(crate) fn on_packet_boundary(&mut self) {
        self.packet_stream = None;
    }

    /// The stream whose head message supplies the next fragment.
    ///
    /// `None` means nothing more goes into the current packet: nothing is
    /// queued, or (round robin per packet) the packet's stream ran dry while
    /// others have data, which [`Self::is_empty`] tells apart.
    pub(crate) fn next_stream(&self) -> Option<StreamId> {
        if !self.interleaving
            && let Some(s) = self.in_progress
            && self.active.contains(&s)
        {
            return Some(s);
        }
        match self.kind {
            SchedulerKind::Fcfs => self
                .active
                .iter()
                .copied()
                .min_by_key(|id| self.head(*id).map_or(u64::MAX, |q| q.seq)),
            SchedulerKind::RoundRobin => self.rotation().next(),
            SchedulerKind::RoundRobinPerPacket => match self.packet_stream {
                Some(s) => self.active.contains(&s).then_some(s),
                None => self.rotation().next(),
            },
            SchedulerKind::Priority => self.rotation().min_by_key(|id| self.priority(*id)),
            SchedulerKind::FairCapacity => self.rotation().min_by_key(|id| {
                let s = &self.streams[id];
                s.fc_tag + self.unit(*id) as u128
            }),
            SchedulerKind::WeightedFairQueueing => self.rotation().min_by_key(|id| {
                let s = &self.streams[id];
                s.wfq_tag + s.wfq_cost(self.unit(*id))
            }),
        }
    }

    /// The bytes the fair schedulers charge ahead when choosing: with plain
    /// DATA the whole rest of the head message goes at once, so its finish
    /// time counts (the message lengths RFC 8260 sections 3.5 and 3.6 speak
    /// of); with I-DATA a stream can be left after any fragment, so its
    /// start time alone decides.
    fn unit(&self, id: StreamId) -> usize {
        if self.interleaving {
            0
        } else {
            self.head(id).map_or(0, |q| q.remaining)
        }
    }

    fn head(&self, id: StreamId) -> Option<&Queued> {
        self.streams.get(&id).and_then(|s| s.queue.front())
    }

    /// The active streams in round-robin order: those after the stream
    /// served last, then from the lowest. `min_by_key` keeps the first of
    /// equals, so ties go round too.
    fn rotation(&self) -> impl Iterator<Item = StreamId> + '_ {
        let (after, upto) = match self.last {
            Some(l) => (
                self.active.range((Bound::Excluded(l), Bound::Unbounded)),
                self.active.range(..=l),
            ),
            None => (self.active.range(..), self.active.range(..0)),
        };
        after.chain(upto).copied()
    }

    /// Drops the queued message `seq` of `stream_id` (abandoned under
    /// RFC 3758, or sent back to the user); returns whether it was queued.
    pub(crate) fn remove(&mut self, stream_id: StreamId, seq: u64) -> bool {
        let Some(s) = self.streams.get_mut(&stream_id) else {
            return false;
        };
        let Some(at) = s.queue.iter().position(|q| q.seq == seq) else {
            return false;
        };
        s.queue.remove(at);
        if at == 0 && self.in_progress == Some(stream_id) {
            self.in_progress = None;
        }
        if s.queue.is_empty() {
            self.active.remove(&stream_id);
        }
        true
    }

    #[cfg(test)]
    /// Drops every message queued on `stream_id` (stream reset, RFC 6525);
    /// its priority and weight stay.
    pub(crate) fn clear_stream(&mut self, stream_id: StreamId) {
        if let Some(s) = self.streams.get_mut(&stream_id) {
            s.queue.clear();
        }
        self.active.remove(&stream_id);
        if self.in_progress == Some(stream_id) {
            self.in_progress = None;
        }
    }

    /// Drops every queued message (the association ends); priorities and
    /// weights stay.
    pub(crate) fn clear(&mut self) {
        for s in self.streams.values_mut() {
            s.queue.clear();
        }
        self.active.clear();
        self.in_progress = None;
        self.packet_stream = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The send queue, as far as the scheduler sees it: lengths per stream.
    #[derive(Default)]
    struct Queues {
        by_stream: BTreeMap<StreamId, VecDeque<(u64, usize)>>,
        seq: u64,
    }

    impl Queues {
        fn push(&mut self, s: &mut Scheduler, stream: StreamId, len: usize) {
            self.seq += 1;
            self.by_stream
                .entry(stream)
                .or_default()
                .push_back((self.seq, len));
            s.push(stream, len, self.seq);
        }

        /// Fills one packet of `room` bytes as the send queue would; returns
        /// its fragments as (stream, bytes).
        fn packet(&mut self, s: &mut Scheduler, mut room: usize) -> Vec<(StreamId, usize)> {
            s.on_packet_boundary();
            let mut out = Vec::new();
            while room > 0 {
                let Some(id) = s.next_stream() else { break };
                let q = self
                    .by_stream
                    .get_mut(&id)
                    .expect("scheduled an idle stream");
                let head = q.front_mut().expect("scheduled an empty stream");
                let n = head.1.min(room);
                head.1 -= n;
                room -= n;
                let done = head.1 == 0;
                if done {
                    q.pop_front();
                }
                s.on_fragment_sent(id, n, done);
                out.push((id, n));
            }
            out
        }

        /// Sends until empty; each packet as its streams joined by '+'.
        fn drain(&mut self, s: &mut Scheduler, room: usize) -> String {
            let mut packets = Vec::new();
            while !s.is_empty() {
                let p = self.packet(s, room);
                assert!(!p.is_empty(), "a packet with nothing in it");
                packets.push(
                    p.iter()
                        .map(|(id, _)| id.to_string())
                        .collect::<Vec<_>>()
                        .join("+"),
                );
            }
            assert!(self.by_stream.values().all(VecDeque::is_empty));
            packets.join(" ")
        }
    }

    /// Stream 1: three 300-byte messages, then stream 2: three 100-byte
    /// ones; packets of 100 bytes, so each packet is one fragment.
    fn workload(kind: SchedulerKind, interleaving: bool) -> (Scheduler, Queues) {
        let mut s = Scheduler::new(kind, interleaving);
        let mut q = Queues::default();
        for _ in 0..3 {
            q.push(&mut s, 1, 300);
        }
        for _ in 0..3 {
            q.push(&mut s, 2, 100);
        }
        (s, q)
    }

    fn order(
        kind: SchedulerKind,
        interleaving: bool,
        setup: impl FnOnce(&mut Scheduler),
    ) -> String {
        let (mut s, mut q) = workload(kind, interleaving);
        setup(&mut s);
        q.drain(&mut s, 100)
    }

    #[test]
    fn rfc8260_3_1_fcfs_sends_messages_in_arrival_order() {
        for interleaving in [false, true] {
            assert_eq!(
                order(SchedulerKind::Fcfs, interleaving, |_| {}),
                "1 1 1 1 1 1 1 1 1 2 2 2"
            );
        }
        // Arrival order across streams, not stream order.
        let mut s = Scheduler::new(SchedulerKind::Fcfs, true);
        let mut q = Queues::default();
        q.push(&mut s, 9, 10);
        q.push(&mut s, 1, 10);
        q.push(&mut s, 9, 10);
        assert_eq!(q.drain(&mut s, 10), "9 1 9");
    }

    #[test]
    fn rfc8260_3_2_round_robin_switches_per_message_with_data() {
        assert_eq!(
            order(SchedulerKind::RoundRobin, false, |_| {}),
            "1 1 1 2 1 1 1 2 1 1 1 2"
        );
    }

    #[test]
    fn rfc8260_3_2_round_robin_switches_per_fragment_with_i_data() {
        assert_eq!(
            order(SchedulerKind::RoundRobin, true, |_| {}),
            "1 2 1 2 1 2 1 1 1 1 1 1"
        );
    }

    #[test]
    fn rfc8260_3_2_round_robin_skips_idle_streams_and_wraps() {
        let mut s = Scheduler::new(SchedulerKind::RoundRobin, true);
        let mut q = Queues::default();
        for id in [5, 2, 9, 5, 9, 9] {
            q.push(&mut s, id, 10);
        }
        assert_eq!(q.drain(&mut s, 10), "2 5 9 5 9 9");
    }

    #[test]
    fn rfc8260_3_3_round_robin_per_packet_bundles_one_stream_per_packet() {
        let mut q = Queues::default();
        let mut s = Scheduler::new(SchedulerKind::RoundRobinPerPacket, true);
        for id in [1, 1, 1, 2, 2, 2, 3] {
            q.push(&mut s, id, 50);
        }
        assert_eq!(q.drain(&mut s, 200), "1+1+1 2+2+2 3");
        // Plain round robin mixes streams in a packet.
        let mut s = Scheduler::new(SchedulerKind::RoundRobin, true);
        for id in [1, 1, 1, 2, 2, 2, 3] {
            q.push(&mut s, id, 50);
        }
        assert_eq!(q.drain(&mut s, 200), "1+2+3+1 2+1+2");
    }

    #[test]
    fn rfc8260_3_3_round_robin_per_packet_with_i_data_switches_mid_message() {
        assert_eq!(
            order(SchedulerKind::RoundRobinPerPacket, true, |_| {}),
            "1 2 1 2 1 2 1 1 1 1 1 1"
        );
        // With plain DATA a message crossing a packet boundary keeps its
        // stream in the next packet, which then carries only that stream.
        let mut q = Queues::default();
        let mut s = Scheduler::new(SchedulerKind::RoundRobinPerPacket, false);
        q.push(&mut s, 1, 300);
        q.push(&mut s, 2, 50);
        q.push(&mut s, 2, 50);
        assert_eq!(q.drain(&mut s, 200), "1 1 2+2");
    }

    #[test]
    fn rfc8260_3_4_priority_serves_the_lowest_value_first() {
        let prio = |s: &mut Scheduler| {
            s.set_priority(1, 7);
            s.set_priority(2, 3);
        };
        for interleaving in [false, true] {
            assert_eq!(
                order(SchedulerKind::Priority, interleaving, prio),
                "2 2 2 1 1 1 1 1 1 1 1 1"
            );
        }
    }

    #[test]
    fn rfc8260_3_4_priority_starves_lower_priorities_while_higher_have_data() {
        let mut s = Scheduler::new(SchedulerKind::Priority, true);
        let mut q = Queues::default();
        s.set_priority(3, 1);
        q.push(&mut s, 3, 100);
        for _ in 0..50 {
            q.push(&mut s, 1, 100);
            let p = q.packet(&mut s, 100);
            assert_eq!(p, [(1, 100)], "stream 3 waits while stream 1 has data");
        }
        assert_eq!(q.packet(&mut s, 100), [(3, 100)]);
    }

    #[test]
    fn rfc8260_3_4_equal_priorities_share_in_turn() {
        let mut s = Scheduler::new(SchedulerKind::Priority, true);
        let mut q = Queues::default();
        s.set_priority(4, 9);
        for id in [1, 1, 2, 2, 3, 3, 4] {
            q.push(&mut s, id, 10);
        }
        assert_eq!(q.drain(&mut s, 10), "1 2 3 1 2 3 4");
    }

    #[test]
    fn rfc8260_3_4_with_i_data_a_higher_priority_overtakes_a_started_message() {
        for (interleaving, want) in [(true, "2 1 2 2"), (false, "2 2 2 1")] {
            let mut s = Scheduler::new(SchedulerKind::Priority, interleaving);
            let mut q = Queues::default();
            s.set_priority(2, 5);
            q.push(&mut s, 2, 300);
            let mut got = vec![q.packet(&mut s, 100)[0].0];
            q.push(&mut s, 1, 100);
            while !s.is_empty() {
                got.push(q.packet(&mut s, 100)[0].0);
            }
            let got: Vec<String> = got.iter().map(ToString::to_string).collect();
            assert_eq!(got.join(" "), want, "interleaving {interleaving}");
        }
    }

    #[test]
    fn rfc8260_3_5_fair_capacity_alternates_fragments_with_i_data() {
        assert_eq!(
            order(SchedulerKind::FairCapacity, true, |_| {}),
            "1 2 1 2 1 2 1 1 1 1 1 1"
        );
    }

    #[test]
    fn rfc8260_3_5_fair_capacity_weighs_message_lengths_with_data() {
        // Stream 2's short messages finish earlier in bytes served, so two of
        // them go before stream 1's 300-byte message (equal finish: the turn).
        assert_eq!(
            order(SchedulerKind::FairCapacity, false, |_| {}),
            "2 2 1 1 1 2 1 1 1 1 1 1"
        );
    }

    #[test]
    fn rfc8260_3_6_wfq_follows_the_weights() {
        let w = |s: &mut Scheduler| {
            s.set_weight(1, 2);
            s.set_weight(2, 1);
        };
        assert_eq!(
            order(SchedulerKind::WeightedFairQueueing, true, w),
            "1 2 1 2 1 1 2 1 1 1 1 1"
        );
    }

    /// Bytes each stream got while all of them always had data, with
    /// messages of different lengths per stream.
    fn long_run(
        kind: SchedulerKind,
        interleaving: bool,
        weights: &[(StreamId, u16, usize)],
    ) -> Vec<f64> {
        let mut s = Scheduler::new(kind, interleaving);
        let mut q = Queues::default();
        let mut served: BTreeMap<StreamId, usize> = BTreeMap::new();
        for &(id, w, _) in weights {
            s.set_weight(id, w);
        }
        for _ in 0..4000 {
            for &(id, _, len) in weights {
                // More than a packet's worth stays queued: always backlogged.
                let queued = |q: &Queues| {
                    q.by_stream
                        .get(&id)
                        .map_or(0, |m| m.iter().map(|m| m.1).sum())
                };
                while queued(&q) < 2 * 1200 {
                    q.push(&mut s, id, len);
                }
            }
            for (id, n) in q.packet(&mut s, 1200) {
                *served.entry(id).or_default() += n;
            }
        }
        let total: usize = served.values().sum();
        weights
            .iter()
            .map(|(id, _, _)| served[id] as f64 / total as f64)
            .collect()
    }

    fn assert_shares(got: &[f64], want: &[f64]) {
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 0.01, "shares {got:?}, want {want:?}");
        }
    }

    #[test]
    fn rfc8260_3_5_fair_capacity_gives_equal_bytes_over_a_long_run() {
        // Weights are ignored by fair capacity.
        let streams = [(1, 1, 1000), (2, 5, 300), (3, 1, 1500)];
        for interleaving in [true, false] {
            let shares = long_run(SchedulerKind::FairCapacity, interleaving, &streams);
            assert_shares(&shares, &[1.0 / 3.0; 3]);
        }
    }

    #[test]
    fn rfc8260_3_6_wfq_shares_bytes_in_proportion_to_weights() {
        let streams = [(1, 1, 1000), (2, 2, 300), (3, 3, 1500)];
        for interleaving in [true, false] {
            let shares = long_run(SchedulerKind::WeightedFairQueueing, interleaving, &streams);
            assert_shares(&shares, &[1.0 / 6.0, 2.0 / 6.0, 3.0 / 6.0]);
        }
    }

    #[test]
    fn rfc8260_3_5_a_stream_gets_no_credit_for_idle_time() {
        let mut s = Scheduler::new(SchedulerKind::FairCapacity, true);
        let mut q = Queues::default();
        for _ in 0..100 {
            q.push(&mut s, 1, 100);
            q.packet(&mut s, 100);
        }
        for _ in 0..4 {
            q.push(&mut s, 1, 100);
            q.push(&mut s, 2, 100);
        }
        assert_eq!(q.drain(&mut s, 100), "2 1 2 1 2 1 2 1");
    }

    #[test]
    fn rfc8260_3_switching_the_kind_keeps_queued_streams() {
        let (mut s, mut q) = workload(SchedulerKind::Fcfs, true);
        let first: Vec<_> = (0..4).map(|_| q.packet(&mut s, 100)[0].0).collect();
        assert_eq!(first, [1, 1, 1, 1]);
        s.set_kind(SchedulerKind::RoundRobin);
        assert_eq!(s.kind(), SchedulerKind::RoundRobin);
        assert_eq!(q.drain(&mut s, 100), "2 1 2 1 2 1 1 1");
        // And to priority in the middle of a run, with plain DATA: the
        // started message finishes first.
        let (mut s, mut q) = workload(SchedulerKind::RoundRobin, false);
        s.set_priority(1, 1);
        q.packet(&mut s, 100);
        s.set_kind(SchedulerKind::Priority);
        assert_eq!(q.drain(&mut s, 100), "1 1 2 2 2 1 1 1 1 1 1");
    }

    #[test]
    fn rfc3758_3_abandoned_messages_leave_the_schedule() {
        let mut s = Scheduler::new(SchedulerKind::RoundRobin, false);
        s.push(1, 300, 1);
        s.push(1, 100, 2);
        s.push(2, 100, 3);
        assert_eq!(s.next_stream(), Some(1));
        s.on_fragment_sent(1, 100, false);
        assert_eq!(
            s.next_stream(),
            Some(1),
            "a DATA message in progress keeps the turn"
        );
        assert!(s.remove(1, 1), "the partly sent message is abandoned");
        assert!(!s.remove(1, 1));
        assert_eq!(s.next_stream(), Some(2));
        s.clear_stream(2);
        assert_eq!(s.next_stream(), Some(1));
        assert!(s.remove(1, 2));
        assert!(s.is_empty());
        assert_eq!(s.next_stream(), None);
        // Reports for streams it never saw change nothing.
        s.on_fragment_sent(7, 10, true);
        assert!(s.is_empty());
    }

    #[test]
    fn rfc8260_3_clear_keeps_priorities_and_weights() {
        let mut s = Scheduler::new(SchedulerKind::Priority, true);
        s.set_priority(3, 9);
        s.set_weight(3, 4);
        s.push(3, 10, 1);
        s.clear();
        assert!(s.is_empty());
        assert_eq!((s.priority(3), s.weight(3)), (9, 4));
        assert_eq!(
            (s.priority(4), s.weight(4)),
            (DEFAULT_PRIORITY, DEFAULT_WEIGHT)
        );
        assert!(s.interleaving());
        s.set_interleaving(false);
        assert!(!s.interleaving());
    }

    #[test]
    fn rfc8260_3_scheduler_names_parse_and_print() {
        let names: Vec<_> = SchedulerKind::ALL.iter().map(ToString::to_string).collect();
        assert_eq!(names, ["fcfs", "rr", "rr-packet", "prio", "fc", "wfq"]);
        for kind in SchedulerKind::ALL {
            assert_eq!(kind.name().parse(), Ok(kind));
        }
        let err = "RR".parse::<SchedulerKind>().unwrap_err();
        assert_eq!(err.value, "RR");
        assert!(err.to_string().contains("\"RR\""), "{err}");
        assert_eq!(SchedulerKind::default(), SchedulerKind::Fcfs);
    }
}
