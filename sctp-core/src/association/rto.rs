//! Retransmission timeout calculation (RFC 9260 section 6.3.1) and backoff (6.3.3).

use std::time::Duration;

/// Clock granularity G of RFC 9260 section 6.3.1 C4 (the virtual clock is exact; 1 ms is safe).
const GRANULARITY: Duration = Duration::from_millis(1);

/// SRTT, RTTVAR and RTO of one destination.
#[derive(Debug, Clone)]
pub(crate) struct RtoEstimator {
    srtt: Option<Duration>,
    rttvar: Duration,
    rto: Duration,
    min: Duration,
    max: Duration,
    alpha_shift: u32,
    beta_shift: u32,
    /// The largest RTO seen so far (for statistics).
    max_seen: Duration,
}

impl RtoEstimator {
    /// C1: before any measurement the RTO is RTO.Initial.
    pub(crate) fn new(cfg: &crate::AssociationConfig) -> Self {
        let rto = cfg.rto_initial.clamp(cfg.rto_min, cfg.rto_max);
        Self {
            srtt: None,
            rttvar: Duration::ZERO,
            rto,
            min: cfg.rto_min,
            max: cfg.rto_max,
            alpha_shift: cfg.rto_alpha_shift,
            beta_shift: cfg.rto_beta_shift,
            max_seen: rto,
        }
    }

    /// Takes new RTO.Min, RTO.Max, RTO.Initial and smoothing factors (RFC
    /// 6458 SCTP_RTOINFO): the current RTO is clamped into the new bounds;
    /// without a measurement yet it becomes the new RTO.Initial.
    pub(crate) fn reconfigure(&mut self, cfg: &crate::AssociationConfig) {
        self.min = cfg.rto_min;
        self.max = cfg.rto_max;
        self.alpha_shift = cfg.rto_alpha_shift;
        self.beta_shift = cfg.rto_beta_shift;
        self.rto = match self.srtt {
            None => cfg.rto_initial,
            Some(_) => self.rto,
        }
        .clamp(self.min, self.max);
        self.max_seen = self.max_seen.max(self.rto);
    }

    /// RTTVAR, once measured.
    pub(crate) fn rttvar(&self) -> Option<Duration> {
        self.srtt.map(|_| self.rttvar)
    }

    /// The largest RTO this estimator has had.
    pub(crate) fn max_seen(&self) -> Duration {
        self.max_seen
    }

    /// The current RTO.
    pub(crate) fn rto(&self) -> Duration {
        self.rto
    }

    /// The smoothed RTT, once measured.
    pub(crate) fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    /// Folds in a measurement `r` taken from a chunk sent once (Karn's rule is the caller's).
    pub(crate) fn on_measurement(&mut self, r: Duration) {
        match self.srtt {
            // C2: the first measurement.
            None => {
                self.srtt = Some(r);
                self.rttvar = r / 2;
            }
            // C3: RTTVAR first, with the old SRTT, then SRTT.
            Some(srtt) => {
                let delta = srtt.abs_diff(r);
                self.rttvar = self.rttvar - self.rttvar / (1 << self.beta_shift)
                    + delta / (1 << self.beta_shift);
                self.srtt =
                    Some(srtt - srtt / (1 << self.alpha_shift) + r / (1 << self.alpha_shift));
            }
        }
        // C4: a zero RTTVAR is replaced by the clock granularity.
        let rttvar = self.rttvar.max(GRANULARITY);
        let srtt = self.srtt.unwrap_or(r);
        // C5-C7: clamp to RTO.Min and RTO.Max.
        self.rto = (srtt + 4 * rttvar).clamp(self.min, self.max);
        self.max_seen = self.max_seen.max(self.rto);
    }

    /// E2 of section 6.3.3: on T3-rtx expiry the RTO doubles, up to RTO.Max.
    pub(crate) fn back_off(&mut self) {
        self.rto = (self.rto * 2).min(self.max);
        self.max_seen = self.max_seen.max(self.rto);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AssociationConfig;

    fn cfg() -> AssociationConfig {
        AssociationConfig::default()
            .rto_min(Duration::from_millis(10))
            .rto_max(Duration::from_secs(60))
    }

    #[test]
    fn rfc9260_6_3_1_first_and_later_measurements() {
        let mut r = RtoEstimator::new(&cfg());
        assert_eq!(r.rto(), Duration::from_secs(1));
        r.on_measurement(Duration::from_millis(100));
        // C2: SRTT = 100, RTTVAR = 50, RTO = 300.
        assert_eq!(r.rto(), Duration::from_millis(300));
        r.on_measurement(Duration::from_millis(100));
        // C3: RTTVAR = 3/4*50 + 1/4*0 = 37.5, SRTT = 100, RTO = 250.
        assert_eq!(r.rto(), Duration::from_millis(250));
    }

    #[test]
    fn rfc9260_6_3_1_rto_clamped_to_min() {
        let mut r = RtoEstimator::new(&AssociationConfig::default());
        r.on_measurement(Duration::from_millis(1));
        assert_eq!(r.rto(), Duration::from_secs(1));
    }

    #[test]
    fn rfc6458_8_1_1_reconfigured_bounds_clamp_the_current_rto() {
        let mut r = RtoEstimator::new(&cfg());
        // No measurement: the new RTO.Initial applies.
        r.reconfigure(&cfg().rto_initial(Duration::from_millis(500)));
        assert_eq!(r.rto(), Duration::from_millis(500));
        r.on_measurement(Duration::from_millis(100));
        assert_eq!(r.rto(), Duration::from_millis(300));
        r.reconfigure(&cfg().rto_min(Duration::from_millis(400)));
        assert_eq!(r.rto(), Duration::from_millis(400));
        r.reconfigure(
            &cfg()
                .rto_max(Duration::from_millis(200))
                .rto_min(Duration::from_millis(10)),
        );
        assert_eq!(r.rto(), Duration::from_millis(200));
        assert_eq!(r.max_seen(), Duration::from_secs(1));
    }

    #[test]
    fn rfc9260_6_3_3_rto_backoff_doubles_up_to_max() {
        let mut r = RtoEstimator::new(&cfg());
        for _ in 0..10 {
            r.back_off();
        }
        assert_eq!(r.rto(), Duration::from_secs(60));
    }
}
