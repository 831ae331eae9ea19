//! Congestion control of RFC 9260 section 7.2: slow start, congestion
//! avoidance with partial_bytes_acked, and the reactions to loss.

/// The congestion state of one destination.
#[derive(Debug, Clone)]
pub(crate) struct CongestionControl {
    /// cwnd, in bytes.
    pub(crate) cwnd: usize,
    /// ssthresh, in bytes.
    pub(crate) ssthresh: usize,
    /// partial_bytes_acked (section 7.2.2).
    pub(crate) partial_bytes_acked: usize,
    /// The path's MTU as SCTP sees it (the IP header excluded).
    mtu: usize,
}

impl CongestionControl {
    /// Section 7.2.1: cwnd starts at min(4*MTU, max(2*MTU, 4404)); ssthresh at
    /// the peer's advertised window.
    pub(crate) fn new(mtu: usize, peer_rwnd: u32) -> Self {
        Self {
            cwnd: (4 * mtu).min((2 * mtu).max(4404)),
            ssthresh: peer_rwnd as usize,
            partial_bytes_acked: 0,
            mtu,
        }
    }

    /// Whether the sender is in slow start.
    pub(crate) fn in_slow_start(&self) -> bool {
        self.cwnd <= self.ssthresh
    }

    /// A SACK acknowledged `acked` new bytes; `cum_ack_advanced` tells whether
    /// the cumulative TSN moved; `flight_before` is the flight size before the
    /// SACK; `in_fast_recovery` suspends growth (section 7.2.4).
    pub(crate) fn on_ack(
        &mut self,
        acked: usize,
        cum_ack_advanced: bool,
        flight_before: usize,
        in_fast_recovery: bool,
    ) {
        if acked == 0 || in_fast_recovery {
            return;
        }
        let fully_used = flight_before >= self.cwnd;
        if self.in_slow_start() {
            // Section 7.2.1: grow only when the window was in use and the
            // cumulative TSN advanced, by at most one MTU per SACK (L = 1).
            if fully_used && cum_ack_advanced {
                self.cwnd += acked.min(self.mtu);
            }
        } else {
            // Section 7.2.2: one MTU per window of acknowledged bytes.
            self.partial_bytes_acked += acked;
            if self.partial_bytes_acked >= self.cwnd && fully_used {
                self.partial_bytes_acked -= self.cwnd;
                self.cwnd += self.mtu;
            }
        }
    }

    /// Section 7.2.2: when everything in flight is acknowledged, partial_bytes_acked resets.
    pub(crate) fn on_all_acked(&mut self) {
        self.partial_bytes_acked = 0;
    }

    /// Section 7.2.3: loss detected by fast retransmit.
    pub(crate) fn on_fast_retransmit(&mut self) {
        self.ssthresh = (self.cwnd / 2).max(4 * self.mtu);
        self.cwnd = self.ssthresh;
        self.partial_bytes_acked = 0;
    }

    /// Section 7.2.3: T3-rtx expired.
    pub(crate) fn on_t3_expiry(&mut self) {
        self.ssthresh = (self.cwnd / 2).max(4 * self.mtu);
        self.cwnd = self.mtu;
        self.partial_bytes_acked = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9260_7_2_1_initial_cwnd_and_slow_start() {
        let mut cc = CongestionControl::new(1452, 100_000);
        assert_eq!(cc.cwnd, 4404);
        // Not fully used: no growth.
        cc.on_ack(1000, true, 2000, false);
        assert_eq!(cc.cwnd, 4404);
        // Fully used: grow by min(acked, MTU).
        cc.on_ack(3000, true, 4404, false);
        assert_eq!(cc.cwnd, 4404 + 1452);
        // Cumulative ack did not move: no growth.
        cc.on_ack(3000, false, 10_000, false);
        assert_eq!(cc.cwnd, 4404 + 1452);
    }

    #[test]
    fn rfc9260_7_2_2_congestion_avoidance_partial_bytes_acked() {
        let mut cc = CongestionControl::new(1000, 100_000);
        cc.cwnd = 10_000;
        cc.ssthresh = 5_000;
        for _ in 0..9 {
            cc.on_ack(1000, true, 10_000, false);
        }
        assert_eq!(cc.cwnd, 10_000);
        cc.on_ack(1000, true, 10_000, false);
        assert_eq!(cc.cwnd, 11_000);
        assert_eq!(cc.partial_bytes_acked, 0);
    }

    #[test]
    fn rfc9260_7_2_3_loss_reactions() {
        let mut cc = CongestionControl::new(1000, 100_000);
        cc.cwnd = 20_000;
        cc.on_fast_retransmit();
        assert_eq!((cc.cwnd, cc.ssthresh), (10_000, 10_000));
        cc.on_t3_expiry();
        assert_eq!((cc.cwnd, cc.ssthresh), (1000, 5000));
        cc.on_t3_expiry();
        assert_eq!(cc.ssthresh, 4000);
    }
}
