//! Partial reliability (RFC 3758) with the policies of RFC 7496: which
//! messages are abandoned and when, the FORWARD TSN that moves the peer's
//! cumulative TSN past them, and the peer's FORWARD TSN.
//!
//! A message is abandoned whole (RFC 3758 section 3.5 A3): its fragments in
//! the retransmission queue stop counting as outstanding, what is still
//! queued is dropped, and the user gets the message back in
//! [`Event::Abandoned`]. A message dropped before any of it was sent took
//! no TSN and no SSN, so the peer never learns of it; that needs no peer
//! support, as RFC 9260 section 10.1 already lets a lifetime discard unsent
//! data. Abandoning what was sent needs the peer's PR-SCTP support.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Association, Event, Message, SackDue, State, Timer};
use crate::wire::chunk::{ForwardTsn, ForwardTsnStream, IForwardTsn, IForwardTsnStream};

/// How hard the association tries to deliver a message (RFC 7496 section
/// 4, `sinfo_pr_policy` and `sinfo_pr_value`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PrPolicy {
    /// Fully reliable: retransmitted until acknowledged (SCTP_PR_SCTP_NONE).
    #[default]
    Reliable,
    /// Timed reliability (RFC 3758 section 5, SCTP_PR_SCTP_TTL): neither
    /// sent nor retransmitted once this long has passed since `send`.
    TimedReliability(Duration),
    /// Limited retransmissions (RFC 7496 section 3.1, SCTP_PR_SCTP_RTX):
    /// each fragment is retransmitted at most this many times (0: sent once).
    LimitedRetransmissions(u32),
    /// Priority (RFC 7496 section 3.2, SCTP_PR_SCTP_PRIO): abandoned when
    /// the send buffer is full and a message of higher priority (a lower
    /// value; 0 is the highest) needs the room.
    Priority(u16),
}

impl PrPolicy {
    /// Whether the policy may abandon a message.
    pub fn is_reliable(&self) -> bool {
        *self == Self::Reliable
    }
}

/// A partially reliable message, shared by its queue entry and its
/// fragments in flight, so that abandoning it finds all of them and gives
/// the user the whole message back.
#[derive(Debug)]
pub(crate) struct PrMessage {
    /// Unique within the association (send order).
    pub(crate) id: u64,
    pub(crate) policy: PrPolicy,
    /// When a timed-reliability message expires.
    pub(crate) expires: Option<Instant>,
    pub(crate) message: Message,
    pub(crate) context: u32,
}

impl PrMessage {
    /// Whether a fragment sent `transmissions` times must be abandoned
    /// rather than retransmitted at `now` (RFC 3758 section 3.5 A1-A2, RFC
    /// 7496 section 3.1).
    pub(crate) fn abandons_retransmission(&self, now: Instant, transmissions: u32) -> bool {
        match self.policy {
            PrPolicy::TimedReliability(_) => self.expired(now),
            PrPolicy::LimitedRetransmissions(n) => transmissions > n,
            _ => false,
        }
    }

    /// Whether its lifetime is over (timed reliability only).
    pub(crate) fn expired(&self, now: Instant) -> bool {
        self.expires.is_some_and(|e| now >= e)
    }

    /// Whether it may be abandoned for a message of priority `p` (RFC 7496 section 3.2).
    pub(crate) fn yields_to(&self, p: u16) -> bool {
        matches!(self.policy, PrPolicy::Priority(mine) if mine > p)
    }
}

impl Association {
    /// Abandons a message (RFC 3758 section 3.5 A3): every fragment in the
    /// retransmission queue and whatever of it is still queued. A message
    /// cut off part-way is given one more TSN, never sent, that the FORWARD
    /// TSN skips too: the peer then drops the fragments it holds however
    /// many of them were acknowledged already.
    pub(super) fn abandon_message(&mut self, now: Instant, pr: &Arc<PrMessage>) {
        let mut sent = self.rtx.abandon(pr.id);
        if let Some(rest) = self.send_queue.remove_message(pr.id)
            && rest.taken
        {
            self.rtx
                .push_abandoned_tail(rest.stream_id, (rest.mid, rest.fsn), rest.unordered, now);
            sent = true;
        }
        if sent {
            self.forward_tsn_due = true;
        }
        self.stats.messages_abandoned += 1;
        self.events.push_back(Event::Abandoned {
            message: pr.message.clone(),
            context: pr.context,
            sent,
        });
    }

    /// Abandons the fragments marked for retransmission whose policy says
    /// so, before anything is (re)sent (RFC 3758 section 3.5 A1-A2).
    #[inline]
    pub(super) fn abandon_due_retransmissions(&mut self, now: Instant) {
        if !self.negotiated.partial_reliability || !self.rtx.may_abandon() {
            return;
        }
        self.abandon_due_retransmissions_now(now);
    }

    #[cold]
    fn abandon_due_retransmissions_now(&mut self, now: Instant) {
        for pr in self.rtx.due_for_abandonment(now) {
            self.abandon_message(now, &pr);
        }
    }

    /// Abandons the head of the send queue if its lifetime is over (RFC
    /// 3758 section 5; RFC 9260 section 10.1 for one not sent at all);
    /// returns whether it did.
    #[inline]
    pub(super) fn drop_expired_head(&mut self, now: Instant) -> bool {
        if !self.send_queue.holds_pr_messages() {
            return false;
        }
        self.drop_expired_head_now(now)
    }

    #[cold]
    fn drop_expired_head_now(&mut self, now: Instant) -> bool {
        let Some((pr, taken)) = self.send_queue.expired_head(now) else {
            return false;
        };
        if taken && !self.negotiated.partial_reliability {
            // Begun, and only PR-SCTP could tell the peer to forget it.
            return false;
        }
        self.abandon_message(now, &pr);
        true
    }

    /// Makes room for a message of priority `p` needing `needed` bytes of
    /// the send buffer by abandoning messages of lower priority, queued
    /// ones first, newest first (RFC 7496 section 3.2). Abandons nothing,
    /// and returns false, when even all of them would not make the room.
    pub(super) fn make_room_for_priority(&mut self, now: Instant, p: u16, needed: usize) -> bool {
        let pr_sctp = self.negotiated.partial_reliability;
        let mut victims = self.send_queue.lower_priority(p, pr_sctp);
        if pr_sctp {
            victims.extend(self.rtx.lower_priority(p));
        }
        let freeable: usize = victims.iter().map(|(_, bytes)| bytes).sum();
        if freeable < needed {
            return false;
        }
        let mut freed = 0;
        for (pr, bytes) in victims {
            if freed >= needed {
                break;
            }
            self.abandon_message(now, &pr);
            freed += bytes;
        }
        true
    }

    /// After a SACK or a T3-rtx expiry: while abandoned data lies at the
    /// peer's cumulative TSN ack point, a FORWARD TSN is owed (RFC 3758
    /// section 3.5 C1-C3 and A5), so a lost one is sent again.
    pub(super) fn note_forward_tsn_owed(&mut self) {
        if self.negotiated.partial_reliability && self.rtx.advanced_peer_ack_point().is_some() {
            self.forward_tsn_due = true;
        }
    }

    /// Writes the FORWARD TSN owed, if any, into the packet (RFC 3758
    /// section 3.5 C3-C4): the Advanced.Peer.Ack.Point and, for each
    /// ordered stream skipped, the largest SSN skipped on it. With I-DATA
    /// it is an I-FORWARD TSN naming the largest MID skipped per stream
    /// and ordering (RFC 8260 section 2.3).
    #[inline]
    pub(super) fn push_forward_tsn(
        &mut self,
        now: Instant,
        b: &mut crate::wire::PacketBuilder<'_>,
    ) {
        if self.forward_tsn_due {
            self.push_forward_tsn_now(now, b);
        }
    }

    #[cold]
    fn push_forward_tsn_now(&mut self, now: Instant, b: &mut crate::wire::PacketBuilder<'_>) {
        if !self.forward_tsn_due
            || !self.negotiated.partial_reliability
            || !matches!(
                self.state,
                State::Established | State::ShutdownPending | State::ShutdownReceived
            )
        {
            return;
        }
        let Some(new_cumulative_tsn) = self.rtx.advanced_peer_ack_point() else {
            self.forward_tsn_due = false;
            return;
        };
        let pushed = if self.negotiated.interleaving {
            let mut skipped = Vec::new();
            self.rtx.skipped_messages(new_cumulative_tsn, &mut skipped);
            b.push_value(&IForwardTsn {
                new_cumulative_tsn,
                streams: crate::wire::List::Items(&skipped),
            })
        } else {
            let mut streams = std::mem::take(&mut self.scratch_skipped);
            self.rtx.skipped_streams(new_cumulative_tsn, &mut streams);
            let r = b.push_value(&ForwardTsn {
                new_cumulative_tsn,
                streams: crate::wire::List::Items(&streams),
            });
            self.scratch_skipped = streams;
            r
        };
        if pushed.is_ok() {
            self.forward_tsn_due = false;
            self.stats.forward_tsns_sent += 1;
            self.stats.control_chunks_sent += 1;
            // The FORWARD TSN is retransmitted on T3-rtx expiry (A5).
            if !self.timers.is_armed(Timer::T3Rtx) {
                self.timers.set(Timer::T3Rtx, now + self.dp().rto.rto());
            }
        }
    }

    /// FORWARD TSN received (RFC 3758 section 3.6): every TSN up to the new
    /// cumulative TSN counts as received, fragments held up to it are
    /// dropped, and ordered streams move past the SSNs skipped, releasing
    /// the messages that waited behind them. A FORWARD TSN at or behind
    /// our cumulative TSN is out of date; either way a SACK answers.
    pub(super) fn on_forward_tsn(&mut self, f: &ForwardTsn<'_>) {
        if !self.forward_cumulative_tsn(f.new_cumulative_tsn) {
            return;
        }
        let mut delivered = std::collections::VecDeque::new();
        let skipped: Vec<(u16, crate::Ssn)> =
            f.streams.iter().map(|s| (s.stream_id, s.ssn)).collect();
        let point = self.partial_delivery_point();
        self.reassembly
            .skip(f.new_cumulative_tsn, &skipped, point, &mut delivered);
        self.push_delivered(&mut delivered);
    }

    /// I-FORWARD TSN received (RFC 8260 section 2.3.2): as FORWARD TSN,
    /// each entry naming the largest MID skipped on a stream and ordering.
    pub(super) fn on_i_forward_tsn(&mut self, f: &IForwardTsn<'_>) {
        if !self.forward_cumulative_tsn(f.new_cumulative_tsn) {
            return;
        }
        let mut delivered = std::collections::VecDeque::new();
        let point = self.partial_delivery_point();
        for s in f.streams.iter() {
            self.interleaved
                .skip(s.stream_id, s.unordered, s.mid, point, &mut delivered);
        }
        self.interleaved.drop_up_to_tsn(f.new_cumulative_tsn);
        self.push_interleaved(&mut delivered);
    }

    /// What FORWARD TSN and I-FORWARD TSN share (RFC 3758 section 3.6): a
    /// SACK answers; a new cumulative TSN at or behind ours is out of date,
    /// and one more than half the TSN space ahead is not believed (a peer
    /// cannot skip TSNs it never sent). Returns whether ours moved to it.
    fn forward_cumulative_tsn(&mut self, new_cum: crate::Tsn) -> bool {
        if !self.state.accepts_data() {
            return false;
        }
        self.stats.forward_tsns_received += 1;
        self.sack_due = SackDue::Now;
        let cum = self.tracker.cumulative_tsn();
        if !new_cum.is_after(cum) || new_cum.distance(cum) > i32::MAX / 2 {
            return false;
        }
        self.stats.tsns_skipped += self.tracker.forward_to(new_cum);
        true
    }
}

/// The entries of an I-FORWARD TSN: the largest MID skipped per stream and
/// ordering, in the order first seen.
pub(super) fn add_skipped_i(
    out: &mut Vec<IForwardTsnStream>,
    stream_id: u16,
    unordered: bool,
    mid: crate::Mid,
) {
    match out
        .iter_mut()
        .find(|s| s.stream_id == stream_id && s.unordered == unordered)
    {
        Some(s) if mid.is_after(s.mid) => s.mid = mid,
        Some(_) => {}
        None => out.push(IForwardTsnStream {
            stream_id,
            unordered,
            mid,
        }),
    }
}

/// The stream entries of a FORWARD TSN: the largest SSN skipped per
/// ordered stream, in the order first seen.
pub(super) fn add_skipped(out: &mut Vec<ForwardTsnStream>, stream_id: u16, ssn: crate::Ssn) {
    match out.iter_mut().find(|s| s.stream_id == stream_id) {
        Some(s) if ssn.is_after(s.ssn) => s.ssn = ssn,
        Some(_) => {}
        None => out.push(ForwardTsnStream { stream_id, ssn }),
    }
}
