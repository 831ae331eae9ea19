//! The driver's timer queue: a min-heap of association deadlines, so a
//! wake-up costs the associations whose time came, not all of them.
//!
//! Entries are never removed in place: each association remembers the one
//! deadline it has in the heap (`scheduled`); a popped entry that does not
//! match is stale and skipped. A deadline that moves earlier pushes a new
//! entry; one that moves later is found when the earlier entry pops.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use sctp_core::AssociationHandle;

/// Pending association deadlines.
#[derive(Debug, Default)]
pub(crate) struct TimerQueue {
    heap: BinaryHeap<Reverse<(Instant, AssociationHandle)>>,
}

impl TimerQueue {
    /// Makes sure `h` is woken by `deadline`; `scheduled` is the entry it holds.
    pub(crate) fn schedule(
        &mut self,
        scheduled: &mut Option<Instant>,
        h: AssociationHandle,
        deadline: Option<Instant>,
    ) {
        let Some(d) = deadline else { return };
        if scheduled.is_none_or(|s| d < s) {
            *scheduled = Some(d);
            self.heap.push(Reverse((d, h)));
        }
    }

    /// The next entry due at `now`, if any (possibly stale: check `scheduled`).
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<(Instant, AssociationHandle)> {
        let &Reverse((d, _)) = self.heap.peek()?;
        if d > now {
            return None;
        }
        self.heap.pop().map(|Reverse(e)| e)
    }

    /// The earliest deadline held.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((d, _))| *d)
    }

    /// Entries held (stale ones included).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn earlier_deadlines_replace_and_later_ones_wait_for_the_pop() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut q = TimerQueue::default();
        let (mut a, mut b) = (None, None);
        let (ha, hb) = (AssociationHandle(1), AssociationHandle(2));
        q.schedule(&mut a, ha, Some(ms(30)));
        q.schedule(&mut b, hb, Some(ms(20)));
        // Later than the entry held: nothing pushed.
        q.schedule(&mut a, ha, Some(ms(40)));
        assert_eq!(q.len(), 2);
        // Earlier: a new entry; the old one becomes stale.
        q.schedule(&mut a, ha, Some(ms(10)));
        assert_eq!((a, q.len()), (Some(ms(10)), 3));
        assert_eq!(q.next_deadline(), Some(ms(10)));
        assert_eq!(q.pop_due(ms(5)), None);
        assert_eq!(q.pop_due(ms(25)), Some((ms(10), ha)));
        assert_eq!(q.pop_due(ms(25)), Some((ms(20), hb)));
        let stale = q.pop_due(ms(35)).unwrap();
        assert_eq!(stale, (ms(30), ha));
        assert_ne!(Some(stale.0), a, "the 30 ms entry is stale");
        q.schedule(&mut b, hb, None);
        assert_eq!(q.pop_due(ms(100)), None);
    }
}
