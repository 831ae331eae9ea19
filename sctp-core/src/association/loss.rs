//! Finding lost DATA sooner than T3-rtx: the reordering timer that turns
//! chunks sent before a delivered one into losses (RFC 8985 section 6), the
//! tail loss probe for losses no later SACK can report (RFC 8985 section 7),
//! and the one congestion response per loss event (RFC 9260 section 7.2.4).
//! T3-rtx stays the last resort (RFC 9260 section 6.3.3).

use std::time::{Duration, Instant};

use super::{Association, Timer};

/// The clock granularity below which no loss is declared (RFC 9002 kGranularity).
const GRANULARITY: Duration = Duration::from_millis(1);
/// The shortest probe timeout. On a LAN two round trips are a fraction of
/// a millisecond, and a receiver that SACKs a whole batch of packets at once
/// leaves the sender waiting on that one SACK: if it is lost, the probe is
/// all that restarts the flow, so the stall lasts one probe timeout.
const MIN_PROBE_TIMEOUT: Duration = GRANULARITY;

impl Association {
    /// How long a chunk sent before a delivered one may still be in the
    /// network, reordered: 9/8 of the larger of SRTT and the latest RTT
    /// (RFC 9002 section 6.1.2), RTO before any measurement.
    fn reorder_window(&self) -> Duration {
        let rtt = match (self.dp().rto.srtt(), self.latest_rtt) {
            (Some(s), Some(l)) => s.max(l),
            (Some(s), None) => s,
            _ => self.dp().rto.rto(),
        };
        (rtt + rtt / 8).max(GRANULARITY)
    }

    /// After a SACK or when the reordering timer fires: applies the time
    /// threshold, starts fast recovery for what is newly lost (one cwnd
    /// reduction per event), and re-arms the reordering timer.
    /// `already_lost` counts chunks the SACK itself marked lost;
    /// `probe_repaired_loss` says a loss probe filled a hole.
    pub(super) fn detect_losses(
        &mut self,
        now: Instant,
        already_lost: usize,
        probe_repaired_loss: bool,
    ) {
        let late = self.rtx.detect_late(now, self.reorder_window());
        let lost = already_lost + late.lost;
        self.stats.fast_retransmits += lost as u64;
        if (lost > 0 || probe_repaired_loss) && self.rtx.begin_recovery() {
            self.dp_mut().cc.on_fast_retransmit();
        }
        if lost > 0 {
            // Section 7.2.4 step 3: the first packet of retransmissions
            // ignores cwnd.
            self.fast_rtx_pending = true;
        }
        match late.next_deadline {
            Some(at) => self.timers.set(Timer::RackReorder, at),
            None => self.timers.stop(Timer::RackReorder),
        }
    }

    /// Arms the probe timeout (RFC 8985 section 7.2, RFC 9002 section 6.2.1)
    /// while data is outstanding: two SRTTs, plus the peer's delayed SACK
    /// when a single packet is in flight (it may legitimately wait that
    /// long), doubled for each probe already unanswered. Not armed when
    /// T3-rtx would fire first, nor while the reordering timer runs (a loss
    /// is already known to be near).
    pub(super) fn arm_tail_loss_probe(&mut self, now: Instant) {
        self.timers.stop(Timer::TailLossProbe);
        let Some(srtt) = self.dp().rto.srtt() else {
            return;
        };
        if self.rtx.is_empty() || self.timers.is_armed(Timer::RackReorder) {
            return;
        }
        let mut pto = (2 * srtt).max(MIN_PROBE_TIMEOUT);
        if self.rtx.flight_is_one_packet(self.sctp_mtu()) {
            pto += self.config.delayed_ack_time;
        }
        let at = now + pto * 2u32.saturating_pow(self.probes_sent.min(16));
        if self.timers.get(Timer::T3Rtx).is_some_and(|t3| at >= t3) {
            return;
        }
        self.timers.set(Timer::TailLossProbe, at);
    }

    /// The probe timeout fired (RFC 8985 section 7.3): send one packet that
    /// makes the peer SACK: new data if any may go, else the outstanding
    /// chunk with the highest TSN again. Neither counts as an error nor
    /// shrinks cwnd; T3-rtx keeps running.
    pub(super) fn on_tail_loss_probe(&mut self) {
        if self.rtx.is_empty() {
            return;
        }
        self.probes_sent += 1;
        let new_data_fits = self
            .send_queue
            .head_remaining()
            .is_some_and(|n| self.peer_rwnd >= n.min(self.max_fragment()));
        if new_data_fits {
            self.probe_pending = true;
            self.stats.tail_loss_probes += 1;
        } else if self.rtx.mark_probe() {
            self.fast_rtx_pending = true;
            self.stats.tail_loss_probes += 1;
        }
        // Sending the probe re-arms the timer, backed off.
    }
}
