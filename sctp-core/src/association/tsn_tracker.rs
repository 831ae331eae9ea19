//! The receiver's record of which TSNs arrived (RFC 9260 sections 6.2 and
//! 6.7): the cumulative TSN ack point, the gap-ack runs above it, and the
//! duplicates to report in the next SACK.

use crate::Tsn;
use crate::wire::chunk::GapAckBlock;

/// At most this many duplicate TSNs are kept for one SACK.
const MAX_DUPLICATES: usize = 32;
/// At most this many gap-ack runs are tracked; TSNs that would open more are
/// dropped. Well above what a SACK in a 1500-byte packet can report (366), so
/// that even at heavy loss every run the sender needs to hear of is kept,
/// while a peer that opens holes on purpose costs at most 8 KiB.
const MAX_RUNS: usize = 1024;

/// Whether a received TSN is new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Received {
    /// First arrival of this TSN.
    New,
    /// Already received (or at/below the cumulative ack point).
    Duplicate,
    /// Too far beyond the cumulative ack point to track: dropped, not recorded.
    OutOfWindow,
}

/// Received TSNs above the cumulative ack point, as sorted, disjoint,
/// non-adjacent runs of offsets from it.
#[derive(Debug, Clone)]
pub(crate) struct TsnTracker {
    cum: Tsn,
    /// Runs as (start, end) offsets from `cum`, inclusive, both >= 2.
    runs: Vec<(u32, u32)>,
    duplicates: Vec<Tsn>,
}

impl TsnTracker {
    /// A tracker expecting `initial_tsn` next (the peer's Initial TSN).
    pub(crate) fn new(initial_tsn: Tsn) -> Self {
        Self {
            cum: initial_tsn.prev(),
            runs: Vec::new(),
            duplicates: Vec::new(),
        }
    }

    /// The cumulative TSN ack point.
    pub(crate) fn cumulative_tsn(&self) -> Tsn {
        self.cum
    }

    /// The highest TSN received so far.
    pub(crate) fn highest_received(&self) -> Tsn {
        self.cum.add(self.runs.last().map_or(0, |&(_, e)| e))
    }

    /// Whether TSNs above the cumulative ack point are missing.
    pub(crate) fn has_gaps(&self) -> bool {
        !self.runs.is_empty()
    }

    /// Whether `tsn` was already received.
    pub(crate) fn contains(&self, tsn: Tsn) -> bool {
        let d = tsn.distance(self.cum);
        if d <= 0 {
            return true;
        }
        let d = d as u32;
        self.runs.iter().any(|&(s, e)| s <= d && d <= e)
    }

    /// Records `tsn`; `max_offset` bounds how far beyond the ack point it may be.
    pub(crate) fn receive(&mut self, tsn: Tsn, max_offset: u32) -> Received {
        let d = tsn.distance(self.cum);
        if d <= 0 || self.contains(tsn) {
            if self.duplicates.len() < MAX_DUPLICATES {
                self.duplicates.push(tsn);
            }
            return Received::Duplicate;
        }
        let d = d as u32;
        if d > max_offset {
            return Received::OutOfWindow;
        }
        if d == 1 {
            self.advance_to(tsn);
            return Received::New;
        }
        // Insert offset d into the runs, merging neighbours.
        let i = self.runs.partition_point(|&(_, e)| e + 1 < d);
        let joins_prev = i < self.runs.len() && self.runs[i].1 + 1 == d;
        let joins_next_at = if joins_prev { i + 1 } else { i };
        let joins_next = joins_next_at < self.runs.len() && self.runs[joins_next_at].0 == d + 1;
        match (joins_prev, joins_next) {
            (true, true) => {
                self.runs[i].1 = self.runs[i + 1].1;
                self.runs.remove(i + 1);
            }
            (true, false) => self.runs[i].1 = d,
            (false, true) => self.runs[i].0 = d,
            (false, false) => {
                if self.runs.len() >= MAX_RUNS {
                    return Received::OutOfWindow;
                }
                self.runs.insert(i, (d, d));
            }
        }
        Received::New
    }

    /// Forgets the highest TSN received if it lies above the cumulative ack
    /// point (held for reordering, so reportable only in a gap block); returns
    /// it. Section 6.2: a receiver at zero window may renege on it.
    pub(crate) fn forget_highest(&mut self) -> Option<Tsn> {
        let last = self.runs.last_mut()?;
        let tsn = self.cum.add(last.1);
        if last.0 == last.1 {
            self.runs.pop();
        } else {
            last.1 -= 1;
        }
        Some(tsn)
    }

    /// Moves the cumulative ack point to `tsn` and absorbs a run that now touches it.
    fn advance_to(&mut self, tsn: Tsn) {
        let shift = tsn.distance(self.cum) as u32;
        self.cum = tsn;
        self.runs.retain_mut(|(s, e)| {
            if *e <= shift {
                return false;
            }
            *s = s.saturating_sub(shift).max(1);
            *e -= shift;
            true
        });
        if let Some(&(1, e)) = self.runs.first() {
            self.cum = self.cum.add(e);
            self.runs.remove(0);
            for (s, e2) in &mut self.runs {
                *s -= e;
                *e2 -= e;
            }
        }
    }

    /// FORWARD TSN (RFC 3758 section 3.6): moves the ack point to at least
    /// `new_cum`; returns how many TSNs up to it had not arrived.
    pub(crate) fn forward_to(&mut self, new_cum: Tsn) -> u64 {
        if !new_cum.is_after(self.cum) {
            return 0;
        }
        let span = new_cum.distance(self.cum) as u32;
        let arrived: u32 = self
            .runs
            .iter()
            .take_while(|&&(s, _)| s <= span)
            .map(|&(s, e)| e.min(span) - s + 1)
            .sum();
        self.advance_to(new_cum);
        u64::from(span - arrived)
    }

    /// Gap-ack blocks for a SACK, offsets relative to the cumulative ack point.
    pub(crate) fn gap_blocks(&self, out: &mut Vec<GapAckBlock>) {
        out.clear();
        out.extend(
            self.runs
                .iter()
                .take_while(|&&(_, e)| e <= u32::from(u16::MAX))
                .map(|&(s, e)| GapAckBlock {
                    start: s as u16,
                    end: e as u16,
                }),
        );
    }

    /// Duplicates seen since the last SACK; clears them.
    pub(crate) fn take_duplicates(&mut self, out: &mut Vec<Tsn>) {
        out.clear();
        out.append(&mut self.duplicates);
    }

    /// Whether duplicates await reporting.
    pub(crate) fn has_duplicates(&self) -> bool {
        !self.duplicates.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(t: &TsnTracker) -> Vec<(u16, u16)> {
        let mut v = Vec::new();
        t.gap_blocks(&mut v);
        v.into_iter().map(|b| (b.start, b.end)).collect()
    }

    #[test]
    fn rfc9260_3_3_4_gap_blocks_and_cumulative_ack() {
        let mut t = TsnTracker::new(Tsn(100));
        assert_eq!(t.cumulative_tsn(), Tsn(99));
        assert_eq!(t.receive(Tsn(100), 1000), Received::New);
        assert_eq!(t.receive(Tsn(102), 1000), Received::New);
        assert_eq!(t.receive(Tsn(103), 1000), Received::New);
        assert_eq!(t.receive(Tsn(106), 1000), Received::New);
        assert_eq!(t.cumulative_tsn(), Tsn(100));
        assert_eq!(blocks(&t), [(2, 3), (6, 6)]);
        assert_eq!(t.receive(Tsn(105), 1000), Received::New);
        assert_eq!(blocks(&t), [(2, 3), (5, 6)]);
        assert_eq!(t.receive(Tsn(104), 1000), Received::New);
        assert_eq!(blocks(&t), [(2, 6)]);
        assert_eq!(t.receive(Tsn(101), 1000), Received::New);
        assert_eq!(t.cumulative_tsn(), Tsn(106));
        assert!(!t.has_gaps());
    }

    #[test]
    fn rfc9260_6_2_forget_highest_reneges_only_above_the_ack_point() {
        let base = Tsn(1000);
        let mut t = TsnTracker::new(base);
        assert_eq!(t.receive(base, 1 << 20), Received::New);
        assert_eq!(
            t.forget_highest(),
            None,
            "cumulatively acked: never reneged"
        );
        for d in [2, 4, 5] {
            t.receive(base.add(d), 1 << 20);
        }
        assert_eq!(t.forget_highest(), Some(base.add(5)));
        assert_eq!(blocks(&t), [(2, 2), (4, 4)]);
        assert_eq!(t.highest_received(), base.add(4));
        assert_eq!(t.forget_highest(), Some(base.add(4)));
        assert_eq!(blocks(&t), [(2, 2)]);
        // Reneged TSNs are new again when they come back.
        assert_eq!(t.receive(base.add(5), 1 << 20), Received::New);
        assert_eq!(t.receive(base.add(1), 1 << 20), Received::New);
        assert_eq!(t.cumulative_tsn(), base.add(2));
        assert_eq!(blocks(&t), [(3, 3)]);
    }

    #[test]
    fn rfc9260_6_2_duplicates_reported_once() {
        let mut t = TsnTracker::new(Tsn(1));
        t.receive(Tsn(1), 10);
        t.receive(Tsn(3), 10);
        assert_eq!(t.receive(Tsn(1), 10), Received::Duplicate);
        assert_eq!(t.receive(Tsn(3), 10), Received::Duplicate);
        assert!(t.has_duplicates());
        let mut d = Vec::new();
        t.take_duplicates(&mut d);
        assert_eq!(d, [Tsn(1), Tsn(3)]);
        assert!(!t.has_duplicates());
        assert_eq!(t.receive(Tsn(50), 10), Received::OutOfWindow);
    }

    #[test]
    fn rfc9260_1_6_tracker_survives_tsn_wrap() {
        let mut t = TsnTracker::new(Tsn(u32::MAX - 1));
        t.receive(Tsn(u32::MAX - 1), 100);
        t.receive(Tsn(1), 100);
        assert_eq!(blocks(&t), [(3, 3)]);
        t.receive(Tsn(u32::MAX), 100);
        t.receive(Tsn(0), 100);
        assert_eq!(t.cumulative_tsn(), Tsn(1));
        assert!(!t.has_gaps());
    }

    #[test]
    fn forward_tsn_skips_and_absorbs_runs() {
        let mut t = TsnTracker::new(Tsn(10));
        t.receive(Tsn(15), 100);
        t.receive(Tsn(16), 100);
        t.receive(Tsn(20), 100);
        t.forward_to(Tsn(14));
        assert_eq!(t.cumulative_tsn(), Tsn(16));
        assert_eq!(blocks(&t), [(4, 4)]);
    }
}
