//! The association's timers: a closed set with one deadline each
//! (RFC 9260 sections 5, 6.3, 8.3, 9.2 and RFC 8985 sections 6.3 and 7).

use std::fmt;
use std::time::Instant;

/// Every timer an association runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timer {
    /// T1-init: INIT retransmission in COOKIE-WAIT (section 5.1).
    T1Init,
    /// T1-cookie: COOKIE ECHO retransmission in COOKIE-ECHOED (section 5.1).
    T1Cookie,
    /// T2-shutdown: SHUTDOWN / SHUTDOWN ACK retransmission (section 9.2).
    T2Shutdown,
    /// T3-rtx: DATA retransmission (section 6.3).
    T3Rtx,
    /// Heartbeat interval on an idle path (section 8.3).
    Heartbeat,
    /// Delayed SACK (section 6.2).
    DelayedSack,
    /// T5-shutdown-guard: bounds the whole shutdown (section 9.2).
    T5ShutdownGuard,
    /// RACK reordering timer: a chunk sent before one already delivered
    /// becomes lost when it fires (RFC 8985 section 6.3).
    RackReorder,
    /// Tail loss probe: no SACK for a while with data outstanding, so probe
    /// before T3-rtx (RFC 8985 section 7).
    TailLossProbe,
    /// T-4 RTO: ASCONF retransmission (RFC 5061 section 5.1 C4).
    Asconf,
    /// The stream reconfiguration timer: RE-CONFIG request retransmission
    /// (RFC 6525 section 5.1.1).
    Reconfig,
}

impl Timer {
    /// All timers, in table order.
    pub const ALL: [Self; 11] = [
        Self::T1Init,
        Self::T1Cookie,
        Self::T2Shutdown,
        Self::T3Rtx,
        Self::Heartbeat,
        Self::DelayedSack,
        Self::T5ShutdownGuard,
        Self::RackReorder,
        Self::TailLossProbe,
        Self::Asconf,
        Self::Reconfig,
    ];

    const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::T1Init => "T1-init",
            Self::T1Cookie => "T1-cookie",
            Self::T2Shutdown => "T2-shutdown",
            Self::T3Rtx => "T3-rtx",
            Self::Heartbeat => "HEARTBEAT",
            Self::DelayedSack => "delayed-SACK",
            Self::T5ShutdownGuard => "T5-shutdown-guard",
            Self::RackReorder => "RACK-reorder",
            Self::TailLossProbe => "TLP",
            Self::Asconf => "T4-RTO (ASCONF)",
            Self::Reconfig => "RE-CONFIG",
        })
    }
}

/// One deadline per [`Timer`].
#[derive(Debug, Clone, Default)]
pub(crate) struct TimerTable {
    deadlines: [Option<Instant>; Timer::ALL.len()],
}

impl TimerTable {
    /// Arms `timer` to fire at `at`, replacing any earlier deadline.
    pub(crate) fn set(&mut self, timer: Timer, at: Instant) {
        self.deadlines[timer.index()] = Some(at);
    }

    /// Disarms `timer`.
    pub(crate) fn stop(&mut self, timer: Timer) {
        self.deadlines[timer.index()] = None;
    }

    /// Disarms every timer.
    pub(crate) fn stop_all(&mut self) {
        self.deadlines = Default::default();
    }

    /// The deadline of `timer`, if armed.
    pub(crate) fn get(&self, timer: Timer) -> Option<Instant> {
        self.deadlines[timer.index()]
    }

    /// Whether `timer` is armed.
    pub(crate) fn is_armed(&self, timer: Timer) -> bool {
        self.get(timer).is_some()
    }

    /// The earliest deadline of all.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.iter().flatten().min().copied()
    }

    /// Disarms and returns one timer whose deadline is at or before `now`.
    pub(crate) fn pop_expired(&mut self, now: Instant) -> Option<Timer> {
        let timer = Timer::ALL
            .into_iter()
            .filter(|t| self.get(*t).is_some_and(|d| d <= now))
            .min_by_key(|t| self.get(*t))?;
        self.stop(timer);
        Some(timer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timers_expire_in_deadline_order() {
        let t0 = crate::test_epoch();
        let mut table = TimerTable::default();
        table.set(Timer::T3Rtx, t0 + Duration::from_secs(3));
        table.set(Timer::DelayedSack, t0 + Duration::from_millis(200));
        assert_eq!(table.next_deadline(), Some(t0 + Duration::from_millis(200)));
        assert_eq!(table.pop_expired(t0), None);
        let later = t0 + Duration::from_secs(5);
        assert_eq!(table.pop_expired(later), Some(Timer::DelayedSack));
        assert_eq!(table.pop_expired(later), Some(Timer::T3Rtx));
        assert_eq!(table.pop_expired(later), None);
        assert_eq!(table.next_deadline(), None);
    }
}
