//! Timer expiry: set-up and shutdown retransmission, T3-rtx, heartbeats,
//! delayed SACK and the shutdown guard (RFC 9260 sections 5.1, 6.3.3, 8, 9.2).

use std::time::Instant;

use super::{Association, CloseReason, SackDue, State, Timer};

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
                self.setup.retransmits += 1;
                if self.setup.retransmits > self.config.max_init_retransmits {
                    self.close(CloseReason::SetupTimedOut);
                    return;
                }
                self.dp_mut().rto.back_off();
                // Section 5.1.6 (RFC 9260 5.1.2): a retransmitted INIT may try
                // another address the user gave (connectx).
                self.data_path = (self.data_path + 1) % self.paths.len();
                self.queue_init(now);
            }
            Timer::T1Cookie => {
                self.setup.retransmits += 1;
                if self.setup.retransmits > self.config.max_init_retransmits {
                    self.close(CloseReason::SetupTimedOut);
                    return;
                }
                self.dp_mut().rto.back_off();
                self.setup.send_cookie_echo = true;
                self.setup.cookie_sent_at = None;
                self.timers.set(Timer::T1Cookie, now + self.dp().rto.rto());
            }
            Timer::T2Shutdown => {
                let path = self.data_path;
                self.count_path_error(path);
                if self.count_error() {
                    return;
                }
                self.paths[path].rto.back_off();
                match self.state {
                    State::ShutdownSent => self.shutdown.send_shutdown = true,
                    State::ShutdownAckSent => self.shutdown.send_shutdown_ack = true,
                    _ => return,
                }
                self.timers
                    .set(Timer::T2Shutdown, now + self.dp().rto.rto());
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
                // The expiry is the path's where the oldest outstanding chunk went.
                let path = self
                    .rtx
                    .oldest_path()
                    .map_or(self.data_path, usize::from)
                    .min(self.paths.len() - 1);
                if !probing {
                    self.count_path_error(path);
                    if self.count_error() {
                        return;
                    }
                }
                self.paths[path].rto.back_off();
                self.paths[path].cc.on_t3_expiry();
                self.rtx.on_t3_expiry();
                // RFC 3758 section 3.5 A5: what the policies abandon now
                // is not resent, and a lost FORWARD TSN goes again.
                self.abandon_due_retransmissions(now);
                self.note_forward_tsn_owed();
                // Section 6.4.1: retransmit to an active alternate, if any.
                self.rtx_path = self.alternate_path(path);
                self.fast_rtx_pending = false;
                self.probe_pending = false;
                self.timers.stop(Timer::RackReorder);
                self.timers.stop(Timer::TailLossProbe);
                let rto = self.paths[self.rtx_path.unwrap_or(self.data_path)]
                    .rto
                    .rto();
                self.timers.set(Timer::T3Rtx, now + rto);
            }
            Timer::RackReorder => self.detect_losses(now, 0, false),
            Timer::Asconf => self.on_asconf_timer(now),
            Timer::Reconfig => self.on_reconfig_timer(now),
            Timer::TailLossProbe => self.on_tail_loss_probe(),
            Timer::Heartbeat => self.on_heartbeat_timer(now),
            Timer::DelayedSack => {
                if self.sack_due != SackDue::No {
                    self.sack_due = SackDue::Now;
                }
            }
            Timer::T5ShutdownGuard => {
                // Section 9.2: the whole shutdown took too long: ABORT.
                let packet = self.encode_abort(self.peer_vtag, false, &[]);
                self.standalone.push_back((None, packet));
                self.close(CloseReason::CommunicationLost);
            }
        }
    }

    /// Section 8.1: counts an error on the association; past
    /// Association.Max.Retrans the peer is unreachable and the association
    /// closes. Returns whether it closed.
    pub(super) fn count_error(&mut self) -> bool {
        self.error_count += 1;
        if self.error_count > self.config.assoc_max_retrans {
            let packet = self.encode_abort(self.peer_vtag, false, &[]);
            self.standalone.push_back((None, packet));
            self.close(CloseReason::CommunicationLost);
            return true;
        }
        false
    }
}
