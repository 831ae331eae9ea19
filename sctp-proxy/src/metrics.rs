//! The proxy's Prometheus metrics: associations on each side, messages and
//! bytes per direction, drops per reason, backend state, relay latency.

use std::sync::Mutex;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::filter::DropReason;

/// Which way a message went.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum Direction {
    /// From a client (front association) to a backend.
    front_to_back,
    /// From a backend to a client.
    back_to_front,
}

/// Labels: the listener (its first address).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ListenerLabel {
    /// The listener.
    pub listener: String,
}

/// Labels: listener and direction.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DirectionLabels {
    /// The listener.
    pub listener: String,
    /// The direction.
    pub direction: Direction,
}

/// Labels: listener and a reason.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    /// The listener.
    pub listener: String,
    /// The reason.
    pub reason: String,
}

/// Labels: listener and backend address.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BackendLabels {
    /// The listener.
    pub listener: String,
    /// The backend, `IP:PORT`.
    pub backend: String,
}

fn latency_histogram() -> Histogram {
    // 1 µs to about 8 s.
    Histogram::new(exponential_buckets(0.000_001, 2.0, 24))
}

/// Every metric the proxy keeps.
pub struct Metrics {
    registry: Mutex<Registry>,
    /// Front associations established and not yet ended.
    pub front_associations: Family<ListenerLabel, Gauge>,
    /// Front associations accepted in all.
    pub front_accepted: Family<ListenerLabel, Counter>,
    /// Front associations refused or ended by the proxy, per reason.
    pub front_refused: Family<ReasonLabels, Counter>,
    /// Backend associations established and not yet ended.
    pub back_associations: Family<BackendLabels, Gauge>,
    /// Messages relayed.
    pub messages: Family<DirectionLabels, Counter>,
    /// Payload bytes relayed.
    pub bytes: Family<DirectionLabels, Counter>,
    /// Messages not relayed, per reason.
    pub dropped: Family<ReasonLabels, Counter>,
    /// Messages a lost backend had not acknowledged, sent again to another.
    pub retried: Family<ListenerLabel, Counter>,
    /// 1 while a backend is up, 0 while it is down.
    pub backend_up: Family<BackendLabels, Gauge>,
    /// Failures of a backend (set-up refused or association lost).
    pub backend_failures: Family<BackendLabels, Counter>,
    /// Seconds from the proxy's reading a message to the other side's
    /// association taking it: filters, the choice of backend and waiting
    /// for room in the send buffer (not the time it waited to be read).
    pub relay_latency: Family<DirectionLabels, Histogram, fn() -> Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Self {
        let mut r = Registry::with_prefix("sctp_proxy");
        let m = Self {
            registry: Mutex::new(Registry::default()),
            front_associations: Family::default(),
            front_accepted: Family::default(),
            front_refused: Family::default(),
            back_associations: Family::default(),
            messages: Family::default(),
            bytes: Family::default(),
            dropped: Family::default(),
            retried: Family::default(),
            backend_up: Family::default(),
            backend_failures: Family::default(),
            relay_latency: Family::new_with_constructor(latency_histogram),
        };
        r.register(
            "front_associations",
            "Front (client) associations established and not yet ended",
            m.front_associations.clone(),
        );
        r.register(
            "front_associations_accepted",
            "Front associations accepted",
            m.front_accepted.clone(),
        );
        r.register(
            "front_associations_refused",
            "Front associations refused or aborted by the proxy, per reason",
            m.front_refused.clone(),
        );
        r.register(
            "back_associations",
            "Backend associations established and not yet ended",
            m.back_associations.clone(),
        );
        r.register("messages", "Messages relayed", m.messages.clone());
        r.register("bytes", "Payload bytes relayed", m.bytes.clone());
        r.register(
            "dropped_messages",
            "Messages not relayed, per reason",
            m.dropped.clone(),
        );
        r.register(
            "retried_messages",
            "Messages a lost backend had not acknowledged, sent to another backend",
            m.retried.clone(),
        );
        r.register(
            "backend_up",
            "1 while a backend is up, 0 while it is down",
            m.backend_up.clone(),
        );
        r.register(
            "backend_failures",
            "Backend failures: set-up refused or association lost",
            m.backend_failures.clone(),
        );
        r.register(
            "relay_latency_seconds",
            "Time from the proxy reading a message to the other side's association taking it (filters, backend choice, waiting for send buffer room)",
            m.relay_latency.clone(),
        );
        *m.registry.lock().unwrap_or_else(|e| e.into_inner()) = r;
        m
    }

    /// Creates a listener's series at zero, so they are there before traffic.
    pub fn register_listener(&self, listener: &str) {
        let l = ListenerLabel {
            listener: listener.to_owned(),
        };
        let _ = self.front_associations.get_or_create(&l);
        let _ = self.front_accepted.get_or_create(&l);
        let _ = self.retried.get_or_create(&l);
        for direction in [Direction::front_to_back, Direction::back_to_front] {
            let d = DirectionLabels {
                listener: listener.to_owned(),
                direction,
            };
            let _ = self.messages.get_or_create(&d);
            let _ = self.bytes.get_or_create(&d);
            let _ = self.relay_latency.get_or_create(&d);
        }
        for reason in DropReason::ALL {
            let _ = self.dropped.get_or_create(&ReasonLabels {
                listener: listener.to_owned(),
                reason: reason.label().to_owned(),
            });
        }
    }

    /// Counts a dropped message.
    pub fn drop_message(&self, listener: &str, reason: DropReason) {
        self.dropped
            .get_or_create(&ReasonLabels {
                listener: listener.to_owned(),
                reason: reason.label().to_owned(),
            })
            .inc();
    }

    /// The metrics in Prometheus' text format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        let r = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &r);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_exist_at_zero_and_count() {
        let m = Metrics::new();
        m.register_listener("198.18.0.1:3868");
        m.drop_message("198.18.0.1:3868", DropReason::RateLimited);
        let text = m.encode();
        assert!(
            text.contains(
                "sctp_proxy_dropped_messages_total{listener=\"198.18.0.1:3868\",reason=\"rate_limited\"} 1"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "sctp_proxy_messages_total{listener=\"198.18.0.1:3868\",direction=\"front_to_back\"} 0"
            ),
            "{text}"
        );
        assert!(
            text.contains("sctp_proxy_relay_latency_seconds_bucket"),
            "{text}"
        );
    }
}
