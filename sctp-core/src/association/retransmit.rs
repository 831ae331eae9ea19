//! DATA chunks in flight: SACK processing (RFC 9260 section 6.2.1), RTT
//! samples under Karn's rule (6.3.1), miss indications and fast retransmit
//! (7.2.4), and T3-rtx marking (6.3.3).
//!
//! TSNs are assigned consecutively as chunks are first sent, so the queue
//! holds exactly the TSNs from the cumulative ack point + 1 upward and a TSN
//! is found by subtraction.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::wire::chunk::{DataFlags, Sack};
use crate::{Ppid, Ssn, StreamId, Tsn};

/// One DATA chunk sent and not yet cumulatively acknowledged.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub(crate) tsn: Tsn,
    pub(crate) stream_id: StreamId,
    pub(crate) ssn: Ssn,
    pub(crate) ppid: Ppid,
    pub(crate) flags: DataFlags,
    pub(crate) payload: Bytes,
    pub(crate) sent_at: Instant,
    /// How many times it was sent (1 = never retransmitted).
    pub(crate) transmissions: u32,
    /// Reported in a gap-ack block of the latest SACK.
    pub(crate) gap_acked: bool,
    /// Marked for retransmission (and so not counted in flight).
    pub(crate) needs_retransmit: bool,
    miss_indications: u8,
    fast_retransmitted: bool,
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
    /// An RTT sample from a chunk sent once (Karn's rule).
    pub(crate) rtt: Option<Duration>,
    /// Chunks newly marked for fast retransmit.
    pub(crate) fast_retransmits: usize,
    /// Whether fast recovery should start (a fast retransmit outside recovery).
    pub(crate) enter_fast_recovery: bool,
    /// Whether everything sent is now acknowledged.
    pub(crate) all_acked: bool,
}

/// Why a SACK was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SackError {
    /// Acknowledges a TSN never sent: a protocol violation (RFC 9260 section 6.2.1 / 8.5).
    AcksUnsentTsn(Tsn),
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
    /// Fast recovery exit point (section 7.2.4), if in fast recovery.
    recover: Option<Tsn>,
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
            recover: None,
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
    #[cfg(test)]
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
        self.recover.is_some()
    }

    /// Records a new chunk as sent; returns its TSN.
    pub(crate) fn push(
        &mut self,
        stream_id: StreamId,
        ssn: Ssn,
        ppid: Ppid,
        flags: DataFlags,
        payload: Bytes,
        now: Instant,
    ) -> Tsn {
        let tsn = self.next_tsn;
        self.next_tsn = tsn.next();
        self.flight += payload.len();
        self.outstanding += payload.len();
        self.chunks.push_back(Sent {
            tsn,
            stream_id,
            ssn,
            ppid,
            flags,
            payload,
            sent_at: now,
            transmissions: 1,
            gap_acked: false,
            needs_retransmit: false,
            miss_indications: 0,
            fast_retransmitted: false,
        });
        tsn
    }

    /// The oldest chunk marked for retransmission whose size fits `room`,
    /// marked as sent again at `now`. Returns `None` when none fits.
    pub(crate) fn next_retransmission(&mut self, room: usize, now: Instant) -> Option<&Sent> {
        if self.to_retransmit == 0 {
            return None;
        }
        let c = self
            .chunks
            .iter_mut()
            .find(|c| c.needs_retransmit)
            .filter(|c| c.size() <= room)?;
        c.needs_retransmit = false;
        c.transmissions += 1;
        c.sent_at = now;
        self.to_retransmit -= 1;
        self.flight += c.payload.len();
        Some(c)
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
        let mut highest_newly_acked: Option<Tsn> = None;
        let mut rtt_done = false;
        // Cumulatively acknowledged chunks leave the queue.
        while let Some(front) = self.chunks.front() {
            if front.tsn.is_after(cum) {
                break;
            }
            let c = self.chunks.pop_front().expect("front exists");
            self.outstanding -= c.size();
            if !c.gap_acked {
                out.bytes_acked += c.size();
                highest_newly_acked = Some(c.tsn);
                if !rtt_done && c.transmissions == 1 {
                    out.rtt = Some(now.saturating_duration_since(c.sent_at));
                    rtt_done = true;
                }
            }
            if c.needs_retransmit {
                self.to_retransmit -= 1;
            } else if !c.gap_acked {
                self.flight -= c.size();
            }
            out.cum_advanced = true;
        }
        self.cum_ack = cum;

        // Gap-ack blocks: offsets from the cumulative ack point. A chunk
        // reported before but absent now was reneged and is in flight again.
        let mut blocks = sack.gap_ack_blocks.iter().peekable();
        for c in self.chunks.iter_mut() {
            let off = c.tsn.distance(cum) as u32;
            while blocks.peek().is_some_and(|b| u32::from(b.end) < off) {
                blocks.next();
            }
            let acked = blocks
                .peek()
                .is_some_and(|b| u32::from(b.start) <= off && off <= u32::from(b.end));
            if acked && !c.gap_acked {
                c.gap_acked = true;
                out.bytes_acked += c.size();
                highest_newly_acked = Some(c.tsn);
                if c.needs_retransmit {
                    c.needs_retransmit = false;
                    self.to_retransmit -= 1;
                } else {
                    self.flight -= c.size();
                }
                if !rtt_done && c.transmissions == 1 {
                    out.rtt = Some(now.saturating_duration_since(c.sent_at));
                    rtt_done = true;
                }
            } else if !acked && c.gap_acked {
                c.gap_acked = false;
                self.flight += c.size();
            }
        }

        // Leave fast recovery once the ack point passes the recovery point.
        if self.recover.is_some_and(|recover| !cum.is_before(recover)) {
            self.recover = None;
        }

        // Section 7.2.4 (HTNA): a miss indication for each missing TSN below the
        // highest TSN newly acknowledged; the third one triggers fast retransmit.
        if let Some(htna) = highest_newly_acked {
            for c in self.chunks.iter_mut() {
                if !c.tsn.is_before(htna) {
                    break;
                }
                if c.gap_acked || c.needs_retransmit || c.fast_retransmitted {
                    continue;
                }
                c.miss_indications = c.miss_indications.saturating_add(1);
                if c.miss_indications >= 3 {
                    c.needs_retransmit = true;
                    c.fast_retransmitted = true;
                    c.miss_indications = 0;
                    self.to_retransmit += 1;
                    self.flight -= c.size();
                    out.fast_retransmits += 1;
                }
            }
        }
        if out.fast_retransmits > 0 && self.recover.is_none() {
            self.recover = Some(self.next_tsn.prev());
            out.enter_fast_recovery = true;
        }
        out.all_acked = self.chunks.is_empty();
        Ok(out)
    }

    /// T3-rtx expired (section 6.3.3 E3): everything not gap-acknowledged is
    /// marked for retransmission; fast recovery ends.
    pub(crate) fn on_t3_expiry(&mut self) {
        for c in self.chunks.iter_mut() {
            if !c.gap_acked && !c.needs_retransmit {
                c.needs_retransmit = true;
                self.to_retransmit += 1;
            }
        }
        self.flight = 0;
        self.recover = None;
    }

    /// Removes every outstanding chunk, for a send-failure report.
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = Sent> + '_ {
        self.flight = 0;
        self.to_retransmit = 0;
        self.outstanding = 0;
        self.chunks.drain(..)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::List;
    use crate::wire::chunk::GapAckBlock;

    fn queue_with(n: u32, t0: Instant) -> RetransmitQueue {
        let mut q = RetransmitQueue::new(Tsn(u32::MAX - 2));
        for _ in 0..n {
            q.push(
                0,
                Ssn(0),
                Ppid(0),
                DataFlags::COMPLETE,
                Bytes::from_static(&[0; 100]),
                t0,
            );
        }
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
        assert_eq!(out.rtt, Some(Duration::from_millis(50)));
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
                assert!(out.enter_fast_recovery);
            }
        }
        assert!(q.has_retransmissions());
        let c = q.next_retransmission(1000, t0).unwrap();
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
        while let Some(c) = q.next_retransmission(1000, t0) {
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
