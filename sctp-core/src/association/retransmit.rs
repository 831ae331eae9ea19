//! DATA chunks in flight: SACK processing (RFC 9260 section 6.2.1), RTT
//! samples under Karn's rule (6.3.1), loss detection, and T3-rtx marking
//! (6.3.3).
//!
//! Loss is decided by what was sent after a chunk, not by TSN alone: every
//! transmission (first or repeated) gets the next number of a send order,
//! as RACK orders segments by send time (RFC 8985 section 6). A chunk gets a
//! miss indication from each SACK that newly acknowledges a chunk sent after
//! it; three make it lost (RFC 9260 section 7.2.4). For chunks sent once,
//! send order is TSN order and this is the RFC's HTNA rule; for a
//! retransmission it means that a lost retransmission is found the same
//! way, by the SACKs for what followed it, instead of by T3-rtx (RFC 9260
//! 7.2.4 step 5 allows one fast retransmit per TSN; usrsctp, Linux's RACK
//! and QUIC repair lost retransmissions like this). A chunk sent before one
//! already delivered is also lost once it is older than the reordering
//! allowance (RFC 8985 section 6.2 step 5, RFC 9002 section 6.1.2), which
//! finds losses that too few later SACKs could report: the tail of a burst
//! after a loss probe, a small window.
//!
//! TSNs are assigned consecutively as chunks are first sent, so the queue
//! holds exactly the TSNs from the cumulative ack point + 1 upward and a TSN
//! is found by subtraction. First transmissions are numbered in TSN order,
//! so a walk looking for chunks sent before a given one stops at the first
//! chunk whose first transmission came later.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::partial_reliability::{PrMessage, add_skipped, add_skipped_i};
use super::send_queue::Fragment;
use crate::wire::chunk::{DataFlags, ForwardTsnStream, IForwardTsnStream, Sack};
use crate::{Ppid, Ssn, StreamId, Tsn};

/// One DATA chunk sent and not yet cumulatively acknowledged.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub(crate) tsn: Tsn,
    pub(crate) stream_id: StreamId,
    /// The SSN (DATA, in the low 16 bits) or the MID (I-DATA).
    pub(crate) mid: u32,
    /// The Fragment Sequence Number (I-DATA).
    pub(crate) fsn: u32,
    pub(crate) ppid: Ppid,
    pub(crate) flags: DataFlags,
    /// The user's context, returned with a send failure.
    pub(crate) context: u32,
    pub(crate) payload: Bytes,
    pub(crate) sent_at: Instant,
    /// Send order of the latest transmission.
    sent_seq: u64,
    /// Send order of the first transmission (grows with the TSN along the queue).
    first_seq: u64,
    /// How many times it was sent (1 = never retransmitted).
    pub(crate) transmissions: u32,
    /// Reported in a gap-ack block of the latest SACK.
    pub(crate) gap_acked: bool,
    /// Marked for retransmission (and so not counted in flight).
    pub(crate) needs_retransmit: bool,
    /// SACKs that acknowledged something sent after the latest transmission.
    miss_indications: u8,
    /// The path (index into the association's paths) of the latest transmission.
    pub(crate) path: u8,
    /// The message's partial-reliability policy, when it has one.
    pr: Option<Arc<PrMessage>>,
    /// Abandoned (RFC 3758 section 3.5): never sent again, out of every
    /// count, waiting for the peer to pass it after our FORWARD TSN.
    abandoned: bool,
}

impl Sent {
    /// Bytes of user data, the unit of flight size and windows.
    pub(crate) fn size(&self) -> usize {
        self.payload.len()
    }
}

/// What a SACK changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SackOutcome {
    /// Bytes acknowledged for the first time (cumulatively or in gap blocks).
    pub(crate) bytes_acked: usize,
    /// Whether the cumulative TSN ack point advanced.
    pub(crate) cum_advanced: bool,
    /// An RTT sample from a chunk sent once (Karn's rule), and the path it was sent on.
    pub(crate) rtt: Option<(Duration, u8)>,
    /// The paths (a bit each) whose transmissions this SACK newly
    /// acknowledged: their error counters clear (RFC 9260 section 8.2).
    pub(crate) acked_paths: u32,
    /// Chunks newly marked lost by three miss indications (section 7.2.4).
    pub(crate) fast_retransmits: usize,
    /// A loss probe's retransmission was acknowledged and not reported as a
    /// duplicate: the probe repaired a real loss (RFC 8985 section 7.4).
    pub(crate) probe_repaired_loss: bool,
    /// Whether everything sent is now acknowledged.
    pub(crate) all_acked: bool,
}

/// What the time-threshold loss check found.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LateChunks {
    /// Chunks newly marked lost.
    pub(crate) lost: usize,
    /// When the oldest chunk sent before a delivered one, and not yet lost,
    /// will be: the RACK reordering timer (RFC 8985 section 6.3).
    pub(crate) next_deadline: Option<Instant>,
}

/// Why a SACK was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SackError {
    /// Acknowledges a TSN never sent: a protocol violation (RFC 9260 section 6.2.1 / 8.5).
    AcksUnsentTsn(Tsn),
}

/// Fast recovery (section 7.2.4).
#[derive(Debug, Clone, Copy)]
struct Recovery {
    /// The exit point: the highest TSN sent when it began.
    recover: Tsn,
    /// The send order of the first transmission after it began.
    first_seq: u64,
}

/// The retransmission queue.
#[derive(Debug)]
pub(crate) struct RetransmitQueue {
    chunks: VecDeque<Sent>,
    /// The cumulative TSN ack point as last reported by the peer.
    cum_ack: Tsn,
    /// The TSN the next new chunk will carry.
    next_tsn: Tsn,
    /// Bytes in flight: sent, not acknowledged, not marked for retransmission.
    flight: usize,
    /// Chunks marked for retransmission.
    to_retransmit: usize,
    /// Bytes of all chunks in the queue (in flight, marked, or gap-acked).
    outstanding: usize,
    /// Fast recovery, if in it.
    recovery: Option<Recovery>,
    /// A retransmission sent during this fast recovery was lost too.
    loss_persisted: bool,
    /// The send order the next transmission gets.
    next_seq: u64,
    /// The newest transmission known delivered (RACK's "most recently sent
    /// delivered segment", RFC 8985 section 6.2); 0 before any.
    delivered_seq: u64,
    /// Chunks now reported in gap-ack blocks.
    gap_acked_count: usize,
    /// The TSN a loss probe retransmitted, until it is acknowledged.
    probe_tsn: Option<Tsn>,
    /// Chunks with a partial-reliability policy, not abandoned.
    pr_chunks: usize,
}

impl RetransmitQueue {
    /// A queue whose first TSN is `initial_tsn`.
    pub(crate) fn new(initial_tsn: Tsn) -> Self {
        Self {
            chunks: VecDeque::new(),
            cum_ack: initial_tsn.prev(),
            next_tsn: initial_tsn,
            flight: 0,
            to_retransmit: 0,
            outstanding: 0,
            recovery: None,
            loss_persisted: false,
            next_seq: 1,
            delivered_seq: 0,
            gap_acked_count: 0,
            probe_tsn: None,
            pr_chunks: 0,
        }
    }

    /// Bytes in flight.
    pub(crate) fn flight_size(&self) -> usize {
        self.flight
    }

    /// Bytes of every chunk not yet cumulatively acknowledged.
    pub(crate) fn outstanding_bytes(&self) -> usize {
        self.outstanding
    }

    /// Whether no chunk is outstanding.
    pub(crate) fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// Chunks outstanding.
    pub(crate) fn len(&self) -> usize {
        self.chunks.len()
    }

    /// The TSN of the next new chunk.
    pub(crate) fn next_tsn(&self) -> Tsn {
        self.next_tsn
    }

    /// The peer's cumulative TSN ack point.
    pub(crate) fn cumulative_tsn_ack(&self) -> Tsn {
        self.cum_ack
    }

    /// Whether chunks wait for retransmission.
    pub(crate) fn has_retransmissions(&self) -> bool {
        self.to_retransmit > 0
    }

    /// Whether the sender is in fast recovery.
    pub(crate) fn in_fast_recovery(&self) -> bool {
        self.recovery.is_some()
    }

    /// Starts fast recovery unless already in it (RFC 9260 section 7.2.4
    /// step 2): it lasts until everything sent now is acknowledged, and
    /// losses found meanwhile belong to the same event. A retransmission
    /// sent during the recovery and lost as well is a new event: congestion
    /// persisted, so a new recovery starts (where TCP would wait for its
    /// retransmission timeout and slow start). Returns whether one started,
    /// that is whether the congestion window must shrink.
    pub(crate) fn begin_recovery(&mut self) -> bool {
        if self.recovery.is_some() && !self.loss_persisted {
            return false;
        }
        self.loss_persisted = false;
        self.recovery = Some(Recovery {
            recover: self.next_tsn.prev(),
            first_seq: self.next_seq,
        });
        true
    }

    /// The TSN a tail loss probe marked for retransmission, until acknowledged.
    pub(crate) fn probe_tsn(&self) -> Option<Tsn> {
        self.probe_tsn
    }

    /// Whether only a single packet's worth of data (`mtu` bytes) is in flight.
    pub(crate) fn flight_is_one_packet(&self, mtu: usize) -> bool {
        self.flight <= mtu
    }

    fn take_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Takes `c` out of flight for retransmission; notes a retransmission
    /// of the current recovery lost again.
    fn mark_lost(&mut self, index: usize) {
        let recovery_start = self.recovery.map(|r| r.first_seq);
        let c = &mut self.chunks[index];
        c.needs_retransmit = true;
        c.miss_indications = 0;
        self.to_retransmit += 1;
        self.flight -= c.size();
        if c.transmissions > 1 && recovery_start.is_some_and(|s| c.sent_seq >= s) {
            self.loss_persisted = true;
        }
    }

    /// Records a new chunk as sent; returns its TSN.
    pub(crate) fn push(&mut self, frag: Fragment, now: Instant, path: u8) -> Tsn {
        let Fragment {
            stream_id,
            mid,
            fsn,
            ppid,
            flag_bits,
            context,
            payload,
            pr,
        } = frag;
        let flags = DataFlags::from_bits(flag_bits);
        self.pr_chunks += usize::from(pr.is_some());
        let tsn = self.next_tsn;
        self.next_tsn = tsn.next();
        let seq = self.take_seq();
        self.flight += payload.len();
        self.outstanding += payload.len();
        self.chunks.push_back(Sent {
            tsn,
            stream_id,
            mid,
            fsn,
            ppid,
            flags,
            context,
            payload,
            sent_at: now,
            sent_seq: seq,
            first_seq: seq,
            transmissions: 1,
            gap_acked: false,
            needs_retransmit: false,
            miss_indications: 0,
            path,
            pr,
            abandoned: false,
        });
        tsn
    }

    /// Whether any chunk outstanding may be abandoned.
    pub(crate) fn may_abandon(&self) -> bool {
        self.pr_chunks > 0
    }

    /// Takes chunk `index` out of flight, retransmission and the
    /// outstanding bytes: abandoned.
    fn mark_abandoned(&mut self, index: usize) {
        let c = &mut self.chunks[index];
        if c.abandoned {
            return;
        }
        c.abandoned = true;
        self.pr_chunks -= usize::from(c.pr.is_some());
        if c.needs_retransmit {
            c.needs_retransmit = false;
            self.to_retransmit -= 1;
        } else if !c.gap_acked {
            self.flight -= c.size();
        }
        self.outstanding -= c.size();
        if self.probe_tsn == Some(c.tsn) {
            self.probe_tsn = None;
        }
    }

    /// Abandons every chunk of message `id` (RFC 3758 section 3.5 A3);
    /// returns whether it had any here.
    pub(crate) fn abandon(&mut self, id: u64) -> bool {
        let mut any = false;
        for i in 0..self.chunks.len() {
            if self.chunks[i].pr.as_ref().is_some_and(|p| p.id == id) {
                self.mark_abandoned(i);
                any = true;
            }
        }
        any
    }

    /// Gives the unsent rest of an abandoned message a TSN of its own,
    /// abandoned at once and never sent, so the FORWARD TSN covers it and
    /// the peer drops the fragments it holds (RFC 3758 section 3.5 A3).
    pub(crate) fn push_abandoned_tail(
        &mut self,
        stream_id: StreamId,
        (mid, fsn): (u32, u32),
        unordered: bool,
        now: Instant,
    ) {
        let tsn = self.next_tsn;
        self.next_tsn = tsn.next();
        let seq = self.take_seq();
        self.chunks.push_back(Sent {
            tsn,
            stream_id,
            mid,
            fsn,
            ppid: Ppid(0),
            flags: DataFlags {
                immediate: false,
                unordered,
                beginning: false,
                ending: true,
            },
            context: 0,
            payload: Bytes::new(),
            sent_at: now,
            sent_seq: seq,
            first_seq: seq,
            transmissions: 0,
            gap_acked: false,
            needs_retransmit: false,
            miss_indications: 0,
            path: 0,
            pr: None,
            abandoned: true,
        });
    }

    /// The messages of chunks marked for retransmission that their policy
    /// abandons at `now` instead (RFC 3758 section 3.5 A1-A2, RFC 7496
    /// section 3.1), each once.
    pub(crate) fn due_for_abandonment(&self, now: Instant) -> Vec<Arc<PrMessage>> {
        let mut out: Vec<Arc<PrMessage>> = Vec::new();
        if self.to_retransmit == 0 {
            return out;
        }
        for c in &self.chunks {
            if let Some(pr) = &c.pr
                && c.needs_retransmit
                && pr.abandons_retransmission(now, c.transmissions)
                && !out.iter().any(|p| p.id == pr.id)
            {
                out.push(Arc::clone(pr));
            }
        }
        out
    }

    /// Outstanding messages that yield to priority `p` (RFC 7496 section
    /// 3.2), newest first, with the bytes abandoning each frees. A message
    /// the peer reported receiving in part is not among them.
    pub(crate) fn lower_priority(&self, p: u16) -> Vec<(Arc<PrMessage>, usize)> {
        let mut out: Vec<(Arc<PrMessage>, usize)> = Vec::new();
        let mut received: Vec<u64> = Vec::new();
        for c in self.chunks.iter().rev() {
            let Some(pr) = c.pr.as_ref().filter(|pr| pr.yields_to(p)) else {
                continue;
            };
            if c.abandoned {
                continue;
            }
            if c.gap_acked {
                received.push(pr.id);
            }
            match out.iter_mut().find(|(m, _)| m.id == pr.id) {
                Some((_, bytes)) => *bytes += c.size(),
                None => out.push((Arc::clone(pr), c.size())),
            }
        }
        out.retain(|(m, _)| !received.contains(&m.id));
        out
    }

    /// The Advanced.Peer.Ack.Point when it is ahead of the peer's
    /// cumulative TSN ack point: the last of the abandoned chunks that
    /// follow it without a gap (RFC 3758 section 3.5 C1-C2).
    pub(crate) fn advanced_peer_ack_point(&self) -> Option<Tsn> {
        let mut point = None;
        for c in &self.chunks {
            if !c.abandoned {
                break;
            }
            point = Some(c.tsn);
        }
        point
    }

    /// The FORWARD TSN's stream entries up to `point`: the largest SSN
    /// skipped on each ordered stream (RFC 3758 section 3.5 C4).
    pub(crate) fn skipped_streams(&self, point: Tsn, out: &mut Vec<ForwardTsnStream>) {
        out.clear();
        for c in &self.chunks {
            if c.tsn.is_after(point) {
                break;
            }
            if !c.flags.unordered {
                add_skipped(out, c.stream_id, Ssn(c.mid as u16));
            }
        }
    }

    /// The I-FORWARD TSN's entries up to `point`: the largest MID skipped
    /// per stream and ordering (RFC 8260 section 2.3.1).
    pub(crate) fn skipped_messages(&self, point: Tsn, out: &mut Vec<IForwardTsnStream>) {
        out.clear();
        for c in &self.chunks {
            if c.tsn.is_after(point) {
                break;
            }
            add_skipped_i(out, c.stream_id, c.flags.unordered, crate::Mid(c.mid));
        }
    }

    /// The oldest chunk marked for retransmission whose size fits `room`,
    /// marked as sent again at `now`. Returns `None` when none fits.
    pub(crate) fn next_retransmission(
        &mut self,
        room: usize,
        now: Instant,
        path: u8,
    ) -> Option<&Sent> {
        if self.to_retransmit == 0 {
            return None;
        }
        let seq = self.next_seq;
        let c = self
            .chunks
            .iter_mut()
            .find(|c| c.needs_retransmit)
            .filter(|c| c.size() <= room)?;
        self.next_seq += 1;
        c.needs_retransmit = false;
        c.transmissions += 1;
        c.sent_at = now;
        c.sent_seq = seq;
        c.path = path;
        self.to_retransmit -= 1;
        self.flight += c.payload.len();
        Some(c)
    }

    /// The path of the oldest chunk not yet acknowledged: the one T3-rtx
    /// watches (RFC 9260 section 6.3.3 counts its expiry against that path).
    pub(crate) fn oldest_path(&self) -> Option<u8> {
        self.chunks.iter().find(|c| !c.gap_acked).map(|c| c.path)
    }

    /// Recounts flight, outstanding bytes, chunks marked for retransmission,
    /// gap-acked and partially reliable chunks from the queue itself, and
    /// checks the TSNs run on from the ack point (for invariant checks).
    #[cfg(feature = "fuzzing")]
    pub(crate) fn check_counts(&self) -> Result<(), String> {
        let (mut flight, mut outstanding, mut marked, mut gaps, mut pr) = (0, 0, 0, 0, 0);
        let mut tsn = self.cum_ack;
        for c in &self.chunks {
            tsn = tsn.next();
            if c.tsn != tsn {
                return Err(format!("TSN {:?} where {tsn:?} belongs", c.tsn));
            }
            gaps += usize::from(c.gap_acked);
            if c.abandoned {
                if c.needs_retransmit {
                    return Err(format!(
                        "abandoned TSN {:?} marked for retransmission",
                        c.tsn
                    ));
                }
                continue;
            }
            outstanding += c.size();
            pr += usize::from(c.pr.is_some());
            if c.needs_retransmit {
                marked += 1;
            } else if !c.gap_acked {
                flight += c.size();
            }
        }
        let counted = (flight, outstanding, marked, gaps, pr);
        let kept = (
            self.flight,
            self.outstanding,
            self.to_retransmit,
            self.gap_acked_count,
            self.pr_chunks,
        );
        if counted != kept {
            return Err(format!(
                "(flight, outstanding, marked, gap-acked, pr) counted {counted:?}, kept {kept:?}"
            ));
        }
        if tsn.next() != self.next_tsn {
            return Err(format!("next TSN {:?} after {tsn:?}", self.next_tsn));
        }
        Ok(())
    }

    /// The highest path index any chunk was sent on (for invariant checks).
    #[cfg(feature = "fuzzing")]
    pub(crate) fn highest_path(&self) -> Option<u8> {
        self.chunks.iter().map(|c| c.path).max()
    }

    /// Path `removed` is gone: its chunks count as sent on `fallback`
    /// (an index after the removal), and later paths move down one.
    pub(crate) fn remap_path(&mut self, removed: u8, fallback: u8) {
        for c in &mut self.chunks {
            c.path = match c.path {
                p if p == removed => fallback,
                p if p > removed => p - 1,
                p => p,
            };
        }
    }

    /// Size of the oldest chunk awaiting retransmission.
    pub(crate) fn next_retransmission_size(&self) -> Option<usize> {
        if self.to_retransmit == 0 {
            return None;
        }
        self.chunks
            .iter()
            .find(|c| c.needs_retransmit)
            .map(Sent::size)
    }

    /// Processes a SACK received at `now` (sections 6.2.1, 6.3.1, 7.2.4).
    pub(crate) fn on_sack(
        &mut self,
        sack: &Sack<'_>,
        now: Instant,
    ) -> Result<SackOutcome, SackError> {
        let mut out = SackOutcome::default();
        let cum = sack.cumulative_tsn_ack;
        // Section 6.2.1 D i): a SACK older than the ack point is out of date.
        if cum.is_before(self.cum_ack) {
            return Ok(out);
        }
        if !cum.is_before(self.next_tsn) {
            return Err(SackError::AcksUnsentTsn(cum));
        }
        // The newest transmission this SACK newly acknowledges.
        let mut newest_acked = 0u64;
        let mut rtt_done = false;
        // Whether the loss probe's chunk was acknowledged, and had been sent.
        let mut probe_acked: Option<bool> = None;
        // Cumulatively acknowledged chunks leave the queue.
        // Each chunk is read where it lies and then dropped there: moving
        // the entry out first costs a copy of it per acknowledged chunk.
        while let Some(c) = self.chunks.front() {
            if c.tsn.is_after(cum) {
                break;
            }
            out.cum_advanced = true;
            if c.abandoned {
                // Out of every count since it was abandoned.
                self.gap_acked_count -= usize::from(c.gap_acked);
                self.chunks.pop_front();
                continue;
            }
            self.pr_chunks -= usize::from(c.pr.is_some());
            self.outstanding -= c.size();
            if c.gap_acked {
                self.gap_acked_count -= 1;
            } else {
                out.bytes_acked += c.size();
                out.acked_paths |= 1 << (c.path & 31);
                newest_acked = newest_acked.max(c.sent_seq);
                if self.probe_tsn == Some(c.tsn) {
                    // A probe marked but not yet sent repaired nothing.
                    probe_acked = Some(!c.needs_retransmit);
                }
                if !rtt_done && c.transmissions == 1 {
                    out.rtt = Some((now.saturating_duration_since(c.sent_at), c.path));
                    rtt_done = true;
                }
            }
            if c.needs_retransmit {
                self.to_retransmit -= 1;
            } else if !c.gap_acked {
                self.flight -= c.size();
            }
            self.chunks.pop_front();
        }
        self.cum_ack = cum;

        // Gap-ack blocks: offsets from the cumulative ack point. A chunk
        // reported before but absent now was reneged and is in flight again.
        // The walk ends once the blocks are used up and no chunk is left
        // that an earlier SACK reported.
        let mut blocks = sack.gap_ack_blocks.iter().peekable();
        let mut gap_acked_left = self.gap_acked_count;
        for c in self.chunks.iter_mut() {
            if blocks.peek().is_none() && gap_acked_left == 0 {
                break;
            }
            let off = c.tsn.distance(cum) as u32;
            while blocks.peek().is_some_and(|b| u32::from(b.end) < off) {
                blocks.next();
            }
            let acked = blocks
                .peek()
                .is_some_and(|b| u32::from(b.start) <= off && off <= u32::from(b.end));
            if c.gap_acked {
                gap_acked_left -= 1;
            }
            if c.abandoned {
                // Only the flag is tracked: no bytes, flight or RTT.
                if acked != c.gap_acked {
                    c.gap_acked = acked;
                    if acked {
                        self.gap_acked_count += 1;
                    } else {
                        self.gap_acked_count -= 1;
                    }
                }
                continue;
            }
            if acked && !c.gap_acked {
                c.gap_acked = true;
                self.gap_acked_count += 1;
                out.bytes_acked += c.size();
                out.acked_paths |= 1 << (c.path & 31);
                newest_acked = newest_acked.max(c.sent_seq);
                if self.probe_tsn == Some(c.tsn) {
                    probe_acked = Some(!c.needs_retransmit);
                }
                if c.needs_retransmit {
                    c.needs_retransmit = false;
                    self.to_retransmit -= 1;
                } else {
                    self.flight -= c.size();
                }
                if !rtt_done && c.transmissions == 1 {
                    out.rtt = Some((now.saturating_duration_since(c.sent_at), c.path));
                    rtt_done = true;
                }
            } else if !acked && c.gap_acked {
                c.gap_acked = false;
                self.gap_acked_count -= 1;
                self.flight += c.size();
            }
        }

        // RFC 8985 section 7.4: the receiver reports a probe that arrived
        // after the original as a duplicate; one it does not report filled a hole.
        if let Some(sent) = probe_acked {
            let probe = self.probe_tsn.take();
            out.probe_repaired_loss = sent && !sack.duplicate_tsns.iter().any(|d| Some(d) == probe);
        }

        // Leave fast recovery once the ack point passes the recovery point.
        if self.recovery.is_some_and(|r| !cum.is_before(r.recover)) {
            self.recovery = None;
            self.loss_persisted = false;
        }

        // Section 7.2.4: a miss indication for each chunk still missing that
        // was sent before the newest chunk this SACK acknowledges; the third
        // marks it lost.
        if newest_acked > 0 {
            self.delivered_seq = self.delivered_seq.max(newest_acked);
            for i in 0..self.chunks.len() {
                let c = &mut self.chunks[i];
                if c.first_seq >= newest_acked {
                    break;
                }
                if c.gap_acked || c.needs_retransmit || c.abandoned || c.sent_seq >= newest_acked {
                    continue;
                }
                c.miss_indications = c.miss_indications.saturating_add(1);
                if c.miss_indications >= 3 {
                    self.mark_lost(i);
                    out.fast_retransmits += 1;
                }
            }
        }
        out.all_acked = self.chunks.is_empty();
        Ok(out)
    }

    /// The time threshold (RFC 8985 section 6.2 step 5, RFC 9002 section
    /// 6.1.2): a chunk sent before one already delivered, and sent more than
    /// `reorder_window` ago, is lost. Returns how many were newly marked and
    /// when the next one would be.
    pub(crate) fn detect_late(&mut self, now: Instant, reorder_window: Duration) -> LateChunks {
        let mut out = LateChunks::default();
        if self.delivered_seq == 0 {
            return out;
        }
        for i in 0..self.chunks.len() {
            let c = &self.chunks[i];
            if c.first_seq >= self.delivered_seq {
                break;
            }
            if c.gap_acked || c.needs_retransmit || c.abandoned || c.sent_seq >= self.delivered_seq
            {
                continue;
            }
            let due = c.sent_at + reorder_window;
            if due <= now {
                self.mark_lost(i);
                out.lost += 1;
            } else {
                out.next_deadline = Some(out.next_deadline.map_or(due, |d| d.min(due)));
            }
        }
        out
    }

    /// A tail loss probe with nothing new to send (RFC 8985 section 7.3):
    /// marks the outstanding chunk with the highest TSN for retransmission.
    /// The probe is not a loss signal. Returns whether a chunk was marked.
    pub(crate) fn mark_probe(&mut self) -> bool {
        let Some(i) = self
            .chunks
            .iter()
            .rposition(|c| !c.gap_acked && !c.needs_retransmit && !c.abandoned)
        else {
            return false;
        };
        self.probe_tsn = Some(self.chunks[i].tsn);
        self.mark_lost(i);
        true
    }

    /// T3-rtx expired (section 6.3.3 E3): everything not gap-acknowledged is
    /// marked for retransmission; fast recovery ends.
    pub(crate) fn on_t3_expiry(&mut self) {
        for c in self.chunks.iter_mut() {
            if !c.gap_acked && !c.needs_retransmit && !c.abandoned {
                c.needs_retransmit = true;
                c.miss_indications = 0;
                self.to_retransmit += 1;
            }
        }
        self.flight = 0;
        self.recovery = None;
        self.loss_persisted = false;
        self.probe_tsn = None;
    }

    /// Removes every outstanding chunk, for a send-failure report.
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = Sent> + '_ {
        self.flight = 0;
        self.to_retransmit = 0;
        self.outstanding = 0;
        self.gap_acked_count = 0;
        self.probe_tsn = None;
        self.pr_chunks = 0;
        // Nothing is outstanding any more.
        self.cum_ack = self.next_tsn.prev();
        // Abandoned chunks were reported when they were abandoned.
        self.chunks.drain(..).filter(|c| !c.abandoned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::List;
    use crate::wire::chunk::GapAckBlock;

    /// A queue whose TSNs wrap around, with `n` chunks of 100 bytes sent at `t0`.
    fn queue_with(n: u32, t0: Instant) -> RetransmitQueue {
        let mut q = RetransmitQueue::new(Tsn(u32::MAX - 2));
        push_n(&mut q, n, t0);
        q
    }

    fn sack<'a>(cum: u32, gaps: &'a [GapAckBlock]) -> Sack<'a> {
        Sack {
            cumulative_tsn_ack: Tsn(cum),
            a_rwnd: 100_000,
            gap_ack_blocks: List::Items(gaps),
            duplicate_tsns: List::EMPTY,
        }
    }

    #[test]
    fn rfc9260_6_2_1_cumulative_ack_across_tsn_wrap() {
        let t0 = crate::test_epoch();
        let mut q = queue_with(6, t0);
        assert_eq!(q.flight_size(), 600);
        let out = q
            .on_sack(&sack(0, &[]), t0 + Duration::from_millis(50))
            .unwrap();
        // TSNs MAX-2, MAX-1, MAX, 0 acknowledged.
        assert_eq!(out.bytes_acked, 400);
        assert!(out.cum_advanced);
        assert_eq!(out.rtt, Some((Duration::from_millis(50), 0)));
        assert_eq!(q.len(), 2);
        assert_eq!(q.flight_size(), 200);
        // An older SACK changes nothing.
        assert_eq!(
            q.on_sack(&sack(u32::MAX, &[]), t0).unwrap(),
            SackOutcome::default()
        );
    }

    #[test]
    fn rfc9260_7_2_4_three_miss_indications_trigger_fast_retransmit() {
        let t0 = crate::test_epoch();
        let mut q = queue_with(6, t0);
        let base = u32::MAX - 2;
        // TSN base lost; base+1.. arrive one by one and are gap-acked.
        for (i, end) in [(0, 2u16), (1, 3), (2, 4)] {
            let gaps = [GapAckBlock { start: 2, end }];
            let out = q.on_sack(&sack(base.wrapping_sub(1), &gaps), t0).unwrap();
            if i < 2 {
                assert_eq!(out.fast_retransmits, 0, "sack {i}");
            } else {
                assert_eq!(out.fast_retransmits, 1);
            }
        }
        // One loss event, one recovery.
        assert!(q.begin_recovery());
        assert!(!q.begin_recovery());
        assert!(q.has_retransmissions());
        let c = q.next_retransmission(1000, t0, 0).unwrap();
        assert_eq!(c.tsn, Tsn(base));
        assert_eq!(c.transmissions, 2);
        // Karn's rule: the retransmitted chunk gives no RTT sample.
        let out = q
            .on_sack(
                &sack(base.wrapping_add(3), &[]),
                t0 + Duration::from_secs(1),
            )
            .unwrap();
        assert_eq!(out.rtt, None);
        assert!(!q.in_fast_recovery() || q.len() == 2);
    }

    #[test]
    fn rfc9260_6_3_3_t3_expiry_marks_all_unacked() {
        let t0 = crate::test_epoch();
        let mut q = queue_with(4, t0);
        let base = u32::MAX - 2;
        q.on_sack(
            &sack(base.wrapping_sub(1), &[GapAckBlock { start: 2, end: 2 }]),
            t0,
        )
        .unwrap();
        assert_eq!(q.flight_size(), 300);
        q.on_t3_expiry();
        assert_eq!(q.flight_size(), 0);
        let mut tsns = Vec::new();
        while let Some(c) = q.next_retransmission(1000, t0, 0) {
            tsns.push(c.tsn);
        }
        assert_eq!(
            tsns,
            [
                Tsn(base),
                Tsn(base.wrapping_add(2)),
                Tsn(base.wrapping_add(3))
            ]
        );
        assert_eq!(q.flight_size(), 300);
    }

    /// Sends `n` more chunks of 100 bytes at `at`.
    fn push_n(q: &mut RetransmitQueue, n: u32, at: Instant) {
        for _ in 0..n {
            q.push(
                Fragment {
                    stream_id: 0,
                    mid: 0,
                    fsn: 0,
                    ppid: Ppid(0),
                    flag_bits: DataFlags::COMPLETE.bits(),
                    context: 0,
                    payload: Bytes::from_static(&[0; 100]),
                    pr: None,
                },
                at,
                0,
            );
        }
    }

    #[test]
    fn rfc8985_6_2_a_lost_retransmission_is_found_by_sacks_for_what_was_sent_after_it() {
        let t0 = crate::test_epoch();
        let mut q = RetransmitQueue::new(Tsn(1));
        push_n(&mut q, 6, t0);
        // TSN 1 lost; 2, 3, 4 reported one by one: fast retransmit.
        for end in 2..=4u16 {
            q.on_sack(&sack(0, &[GapAckBlock { start: 2, end }]), t0)
                .unwrap();
        }
        assert!(q.begin_recovery());
        assert_eq!(q.next_retransmission(1000, t0, 0).unwrap().tsn, Tsn(1));
        // Chunks sent before the retransmission are no evidence that it was lost.
        for end in 5..=6u16 {
            let out = q
                .on_sack(&sack(0, &[GapAckBlock { start: 2, end }]), t0)
                .unwrap();
            assert_eq!(out.fast_retransmits, 0);
        }
        // New chunks 7.. go after it; three SACKs for them while TSN 1 is
        // still missing: the retransmission was lost too, and goes again
        // (RFC 9260 alone would wait for T3-rtx).
        push_n(&mut q, 3, t0);
        let mut marked = 0;
        for end in 7..=9u16 {
            let out = q
                .on_sack(&sack(0, &[GapAckBlock { start: 2, end }]), t0)
                .unwrap();
            marked += out.fast_retransmits;
        }
        assert_eq!(marked, 1);
        let c = q.next_retransmission(1000, t0, 0).unwrap();
        assert_eq!((c.tsn, c.transmissions), (Tsn(1), 3));
        // Lost during a recovery that began before it was resent: the
        // congestion persisted, a new recovery (and cwnd cut) begins.
        assert!(q.begin_recovery());
        assert!(!q.begin_recovery());
    }

    #[test]
    fn rfc9002_6_1_2_a_chunk_sent_before_a_delivered_one_is_lost_after_the_reorder_window() {
        let t0 = crate::test_epoch();
        let window = Duration::from_millis(25);
        let mut q = RetransmitQueue::new(Tsn(1));
        push_n(&mut q, 2, t0);
        push_n(&mut q, 1, t0 + Duration::from_millis(5));
        // Only TSN 3 arrives: one miss indication each for 1 and 2, not three.
        let at = t0 + Duration::from_millis(15);
        let out = q
            .on_sack(&sack(0, &[GapAckBlock { start: 3, end: 3 }]), at)
            .unwrap();
        assert_eq!(out.fast_retransmits, 0);
        let late = q.detect_late(at, window);
        assert_eq!(late.lost, 0);
        assert_eq!(late.next_deadline, Some(t0 + window));
        let late = q.detect_late(t0 + window, window);
        assert_eq!(late.lost, 2);
        assert_eq!(late.next_deadline, None);
        assert_eq!(q.flight_size(), 0);
        // Nothing sent after the newest delivered chunk is ever judged late.
        push_n(&mut q, 1, t0 + window);
        assert_eq!(q.detect_late(t0 + 10 * window, window).lost, 0);
    }

    #[test]
    fn rfc8985_7_3_probe_resends_the_highest_tsn_and_7_4_tells_a_repair_from_a_duplicate() {
        let t0 = crate::test_epoch();
        let mut q = RetransmitQueue::new(Tsn(1));
        push_n(&mut q, 3, t0);
        assert!(q.mark_probe());
        assert_eq!(q.probe_tsn(), Some(Tsn(3)));
        assert_eq!(q.flight_size(), 200);
        assert_eq!(q.next_retransmission(1000, t0, 0).unwrap().tsn, Tsn(3));
        // The peer had TSN 3 already: it reports the probe as a duplicate.
        let dup = [Tsn(3)];
        let s = Sack {
            duplicate_tsns: List::Items(&dup),
            ..sack(3, &[])
        };
        let out = q.on_sack(&s, t0).unwrap();
        assert!(!out.probe_repaired_loss);
        // Another tail: this time the probe fills the hole.
        push_n(&mut q, 2, t0);
        assert!(q.mark_probe());
        q.next_retransmission(1000, t0, 0).unwrap();
        let out = q.on_sack(&sack(5, &[]), t0).unwrap();
        assert!(out.probe_repaired_loss);
        assert!(out.all_acked);
    }

    #[test]
    fn sack_for_unsent_tsn_is_a_protocol_violation() {
        let t0 = crate::test_epoch();
        let mut q = queue_with(2, t0);
        assert_eq!(
            q.on_sack(&sack(5, &[]), t0),
            Err(SackError::AcksUnsentTsn(Tsn(5)))
        );
        assert_eq!(q.flight_size(), 200, "no corruption");
    }
}
