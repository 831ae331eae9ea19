//! Timer expiry: set-up and shutdown retransmission, T3-rtx, heartbeats,
//! delayed SACK and the shutdown guard (RFC 9260 sections 5.1, 6.3.3, 8, 9.2).

use std::time::Instant;

use super::{Association, CloseReason, Event, SackDue, State, Timer};

impl Association {
    /// Handles every timer whose deadline is at or before `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.state == State::Closed {
            return;
        }
        while let Some(timer) = self.timers.pop_expired(now) {
            self.on_timer(now, timer);
            if self.state == State::Closed {
                break;
            }
        }
        self.open_burst();
    }

    fn on_timer(&mut self, now: Instant, timer: Timer) {
        match timer {
            Timer::T1Init => {
                // Section 5.1: retransmit INIT with backed-off RTO, up to Max.Init.Retransmits.
                self.init_retransmits += 1;
                if self.init_retransmits > self.config.max_init_retransmits {
                    self.close(CloseReason::SetupTimedOut);
                    return;
                }
                self.rto.back_off();
                self.queue_init(now);
            }
            Timer::T1Cookie => {
                self.init_retransmits += 1;
                if self.init_retransmits > self.config.max_init_retransmits {
                    self.close(CloseReason::SetupTimedOut);
                    return;
                }
                self.rto.back_off();
                self.send_cookie_echo = true;
                self.cookie_sent_at = None;
                self.timers.set(Timer::T1Cookie, now + self.rto.rto());
            }
            Timer::T2Shutdown => {
                if self.count_error() {
                    return;
                }
                self.rto.back_off();
                match self.state {
                    State::ShutdownSent => self.send_shutdown = true,
                    State::ShutdownAckSent => self.send_shutdown_ack = true,
                    _ => return,
                }
                self.timers.set(Timer::T2Shutdown, now + self.rto.rto());
            }
            Timer::T3Rtx => {
                if self.rtx.is_empty() {
                    return;
                }
                self.stats.t3_expiries += 1;
                // Section 6.3.3 E1-E3 and 7.2.3. Unanswered zero window
                // probes do not count while SACKs keep coming (section 6.1 A).
                let probing = self.peer_rwnd == 0 && self.sack_since_t3;
                self.sack_since_t3 = false;
                if !probing && self.count_error() {
                    return;
                }
                self.rto.back_off();
                self.cc.on_t3_expiry();
                self.rtx.on_t3_expiry();
                self.fast_rtx_pending = false;
                self.probe_pending = false;
                self.timers.stop(Timer::RackReorder);
                self.timers.stop(Timer::TailLossProbe);
                self.timers.set(Timer::T3Rtx, now + self.rto.rto());
            }
            Timer::RackReorder => self.detect_losses(now, 0, false),
            Timer::TailLossProbe => self.on_tail_loss_probe(),
            Timer::Heartbeat => {
                if self.heartbeat.take().is_some() {
                    // Section 8.3: an unanswered HEARTBEAT counts as an error.
                    if self.count_error() {
                        return;
                    }
                    self.rto.back_off();
                }
                if self.rtx.is_empty() && self.state.is_established_or_later() {
                    self.send_heartbeat(now);
                }
                self.arm_heartbeat(now);
            }
            Timer::DelayedSack => {
                if self.sack_due != SackDue::No {
                    self.sack_due = SackDue::Now;
                }
            }
            Timer::T5ShutdownGuard => {
                // Section 9.2: the whole shutdown took too long: ABORT.
                let packet = self.encode_abort(self.peer_vtag, false, &[]);
                self.standalone.push_back(packet);
                self.close(CloseReason::CommunicationLost);
            }
            Timer::Reconfig => {}
        }
    }

    /// Section 8.2: an acknowledgement or HEARTBEAT ACK clears the counters; an
    /// inactive path becomes active again.
    pub(super) fn clear_errors(&mut self) {
        self.error_count = 0;
        if self.path_error_count > self.config.path_max_retrans {
            self.events
                .push_back(Event::NetworkStatusChange { reachable: true });
        }
        self.path_error_count = 0;
    }

    /// Sections 8.1 and 8.2: counts an error on the association and its path.
    /// Past Path.Max.Retrans the path is reported unreachable; past
    /// Association.Max.Retrans the peer is, and the association closes.
    /// Returns whether it closed.
    fn count_error(&mut self) -> bool {
        self.path_error_count += 1;
        if self.path_error_count == self.config.path_max_retrans + 1 {
            self.events
                .push_back(Event::NetworkStatusChange { reachable: false });
        }
        self.error_count += 1;
        if self.error_count > self.config.assoc_max_retrans {
            let packet = self.encode_abort(self.peer_vtag, false, &[]);
            self.standalone.push_back(packet);
            self.close(CloseReason::CommunicationLost);
            return true;
        }
        false
    }
}
