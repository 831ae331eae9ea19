//! Run-time options (RFC 6458 section 8.1): settings changed while the
//! association runs, and heartbeats on demand.

use std::sync::Arc;
use std::time::Instant;

use super::{Association, State, Timer};
use crate::config::{AssociationConfig, ConfigError};

impl Association {
    /// The settings in force.
    pub fn config(&self) -> &AssociationConfig {
        &self.config
    }

    /// Applies run-time changeable settings (RFC 6458 SCTP_RTOINFO, SCTP_ASSOCINFO, SCTP_PEER_ADDR_PARAMS, SCTP_DELAYED_SACK, SCTP_NODELAY, SCTP_MAXSEG/max message size, buffers).
    ///
    /// The configuration is validated; the fields fixed at creation
    /// (stream counts, initial TSN, IP header length, cookie life) must be
    /// unchanged. The current RTO is clamped into the new bounds (RTO.Initial
    /// applies if nothing was measured yet); a new heartbeat interval
    /// restarts the heartbeat timer from `now`; a path MTU different from
    /// the old configuration's applies as [`Association::set_path_mtu`].
    pub fn reconfigure(
        &mut self,
        now: Instant,
        config: AssociationConfig,
    ) -> Result<(), ConfigError> {
        config.validate()?;
        self.config.check_fixed(&config)?;
        let old = std::mem::replace(&mut self.config, Arc::new(config));
        for p in &mut self.paths {
            p.rto.reconfigure(&self.config);
        }
        if old.hb_interval != self.config.hb_interval && self.runs_heartbeats() {
            // RFC 9260 section 8.3: the next HEARTBEAT goes one new interval from now.
            self.start_heartbeats(now);
        }
        if old.delayed_ack_time != self.config.delayed_ack_time
            && let Some(at) = self.timers.get(Timer::DelayedSack)
        {
            // A shorter delay applies to the SACK owed now as well.
            let new = now + self.config.delayed_ack_time;
            if new < at {
                self.timers.set(Timer::DelayedSack, new);
            }
        }
        if old.path_mtu != self.config.path_mtu {
            self.set_path_mtu(self.config.path_mtu);
        }
        // A larger receive window may reopen one advertised as closed.
        self.maybe_window_update();
        self.open_burst();
        Ok(())
    }

    /// The stream scheduler in use (RFC 8260 section 3).
    pub fn scheduler(&self) -> crate::SchedulerKind {
        self.send_queue.scheduler()
    }

    /// Changes the stream scheduler (RFC 8260 section 3, RFC 6458
    /// SCTP_STREAM_SCHEDULER); queued messages keep their order per stream.
    pub fn set_scheduler(&mut self, kind: crate::SchedulerKind) {
        self.send_queue.set_scheduler(kind);
    }

    /// Sets an outgoing stream's priority for the priority scheduler
    /// (RFC 8260 section 3.4: lower values go first; 0 by default).
    pub fn set_stream_priority(&mut self, stream_id: crate::StreamId, priority: u16) {
        let (_, weight) = self.send_queue.stream_params(stream_id);
        self.send_queue
            .set_stream_params(stream_id, priority, weight);
    }

    /// Sets an outgoing stream's weight for weighted fair queueing (RFC
    /// 8260 section 3.6: its share of bytes; 1 by default).
    pub fn set_stream_weight(&mut self, stream_id: crate::StreamId, weight: u16) {
        let (priority, _) = self.send_queue.stream_params(stream_id);
        self.send_queue
            .set_stream_params(stream_id, priority, weight);
    }

    /// Whether user message interleaving (I-DATA, RFC 8260) is in use.
    pub fn supports_interleaving(&self) -> bool {
        self.negotiated.interleaving
    }

    /// Sends a HEARTBEAT now on the path data goes on (RFC 6458
    /// SPP_HB_DEMAND), if established; see [`Association::request_heartbeat_to`].
    pub fn request_heartbeat(&mut self, now: Instant) {
        let remote = self.dp().remote;
        let _known = self.request_heartbeat_to(now, remote);
    }

    /// Whether the state is one where heartbeats run (set up and not closed).
    fn runs_heartbeats(&self) -> bool {
        self.state.is_established_or_later() && self.state != State::Closed
    }
}
