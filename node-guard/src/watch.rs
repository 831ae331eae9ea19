//! The watch loop: rescan on sctp module uevents and periodically, report state changes.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::hostroot::HostRoot;
use crate::metrics::Metrics;
use crate::state::{self, Assessment, SctpState, Verdict};
use crate::uevent::{self, EventSource, Uevent};

/// Modules whose uevents trigger an immediate rescan.
pub const WATCHED_MODULES: [&str; 2] = [state::SCTP, state::SCTP_DIAG];

/// Watch loop settings.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Periodic rescan interval, for missed events.
    pub interval: Duration,
    /// Stop after this long (`None`: forever).
    pub duration: Option<Duration>,
    /// Stop after this many reported changes, the initial report included.
    pub max_changes: Option<usize>,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(10),
            duration: None,
            max_changes: None,
        }
    }
}

/// What caused a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trigger {
    /// The first scan.
    Initial,
    /// A module uevent (or lost events).
    Uevent,
    /// The periodic rescan.
    Rescan,
}

/// One state change, printed as a JSON line.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// RFC 3339 time of the scan.
    pub time: String,
    /// What caused the scan.
    pub trigger: Trigger,
    /// The new state.
    pub state: SctpState,
    /// The state before (`None` for the initial report).
    pub previous: Option<SctpState>,
    /// The verdict of the new state.
    pub verdict: Verdict,
    /// The uevent that triggered the scan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uevent: Option<Uevent>,
    /// The evidence for the new state.
    pub evidence: Vec<state::Evidence>,
}

/// Errors of the watch loop.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The uevent socket could not be opened or read.
    #[error("uevent socket: {0}")]
    Uevent(#[from] std::io::Error),
}

/// Runs the loop until `opts` says stop or `on_change` breaks; returns the last assessment.
pub fn watch(
    host: &HostRoot,
    source: &mut dyn EventSource,
    opts: &WatchOptions,
    metrics: &Metrics,
    on_change: &mut dyn FnMut(&Change, &Assessment) -> ControlFlow<()>,
) -> Result<Assessment, WatchError> {
    let start = Instant::now();
    let mut changes = 0usize;
    let mut scan = |trigger: Trigger, ev: Option<Uevent>, prev: Option<SctpState>| {
        let a = state::assess(host);
        metrics.record_scan(&a);
        let changed = prev != Some(a.state);
        let mut flow = ControlFlow::Continue(());
        if changed {
            changes += 1;
            let change = Change {
                time: k8s_openapi::jiff::Timestamp::now().to_string(),
                trigger,
                state: a.state,
                previous: prev,
                verdict: a.verdict(),
                uevent: ev,
                evidence: a.evidence.clone(),
            };
            if prev.is_some() {
                metrics.record_change();
            }
            flow = on_change(&change, &a);
            if opts.max_changes.is_some_and(|m| changes >= m) {
                flow = ControlFlow::Break(());
            }
        }
        (a, flow)
    };
    let (mut last, flow) = scan(Trigger::Initial, None, None);
    if flow.is_break() {
        return Ok(last);
    }
    let mut next_rescan = Instant::now() + opts.interval;
    loop {
        let now = Instant::now();
        let deadline = opts.duration.map(|d| start + d);
        if deadline.is_some_and(|d| now >= d) {
            return Ok(last);
        }
        let mut wait = next_rescan.saturating_duration_since(now);
        if let Some(d) = deadline {
            wait = wait.min(d.saturating_duration_since(now));
        }
        let (trigger, ev) = match source.next(wait)? {
            Some(buf) if buf.is_empty() => (Some(Trigger::Uevent), None),
            Some(buf) => {
                metrics.record_uevent();
                match uevent::parse(&buf) {
                    Ok(e) if e.module().is_some_and(|m| WATCHED_MODULES.contains(&m)) => {
                        tracing::debug!(action = %e.action, devpath = %e.devpath, "module uevent");
                        (Some(Trigger::Uevent), Some(e))
                    }
                    Ok(_) => (None, None),
                    Err(err) => {
                        tracing::debug!(%err, "ignoring datagram");
                        (None, None)
                    }
                }
            }
            None if Instant::now() >= next_rescan => (Some(Trigger::Rescan), None),
            None => (None, None),
        };
        let Some(trigger) = trigger else {
            continue;
        };
        if trigger == Trigger::Rescan {
            next_rescan = Instant::now() + opts.interval;
        }
        let (a, flow) = scan(trigger, ev, Some(last.state));
        last = a;
        if flow.is_break() {
            return Ok(last);
        }
    }
}
