//! Prometheus metrics and the `/healthz` + `/metrics` HTTP server.

use std::convert::Infallible;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use tokio::net::TcpListener;

use crate::state::{Assessment, SctpState};

/// Counters and gauges of one node-guard process.
#[derive(Debug, Default)]
pub struct Metrics {
    scans: AtomicU64,
    uevents: AtomicU64,
    changes: AtomicU64,
    kube_errors: AtomicU64,
    kube_updates: AtomicU64,
    drop_in_rewrites: AtomicU64,
    last_scan_unix_ms: AtomicU64,
    current: Mutex<Option<(SctpState, bool, usize)>>,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl Metrics {
    /// Records a finished scan.
    pub fn record_scan(&self, a: &Assessment) {
        self.scans.fetch_add(1, Ordering::Relaxed);
        self.last_scan_unix_ms.store(now_ms(), Ordering::Relaxed);
        if let Ok(mut c) = self.current.lock() {
            let sockets = c.map_or(0, |(_, _, s)| s);
            *c = Some((a.state, a.blocked_for_future, sockets));
        }
    }

    /// Records the number of raw SCTP sockets found by the last census.
    pub fn record_sockets(&self, n: usize) {
        if let Ok(mut c) = self.current.lock()
            && let Some(cur) = c.as_mut()
        {
            cur.2 = n;
        }
    }

    /// Records a received uevent datagram.
    pub fn record_uevent(&self) {
        self.uevents.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a state change.
    pub fn record_change(&self) {
        self.changes.fetch_add(1, Ordering::Relaxed);
    }

    /// Records that the drop-in had to be written again (someone removed or edited it).
    pub fn record_drop_in_rewrite(&self) {
        self.drop_in_rewrites.fetch_add(1, Ordering::Relaxed);
    }

    /// Records the outcome of a Kubernetes update.
    pub fn record_kube(&self, ok: bool) {
        if ok {
            self.kube_updates.fetch_add(1, Ordering::Relaxed);
        } else {
            self.kube_errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Whether a scan finished within `max_age`.
    pub fn healthy(&self, max_age: Duration) -> bool {
        let last = self.last_scan_unix_ms.load(Ordering::Relaxed);
        last != 0 && now_ms().saturating_sub(last) <= max_age.as_millis() as u64
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let cur = self.current.lock().ok().and_then(|c| *c);
        let _ = writeln!(
            s,
            "# HELP node_guard_build_info node-guard's version (always 1)."
        );
        let _ = writeln!(s, "# TYPE node_guard_build_info gauge");
        let _ = writeln!(
            s,
            "node_guard_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        let _ = writeln!(
            s,
            "# HELP node_guard_kernel_sctp_state Kernel SCTP state of this node (1 for the current state)."
        );
        let _ = writeln!(s, "# TYPE node_guard_kernel_sctp_state gauge");
        for st in SctpState::ALL {
            let v = u8::from(cur.is_some_and(|(c, _, _)| c == st));
            let _ = writeln!(s, "node_guard_kernel_sctp_state{{state=\"{st}\"}} {v}");
        }
        let _ = writeln!(
            s,
            "# HELP node_guard_violation 1 when kernel SCTP is loaded, built in or loadable."
        );
        let _ = writeln!(s, "# TYPE node_guard_violation gauge");
        let viol = cur.is_some_and(|(c, _, _)| c.verdict() == crate::state::Verdict::Violation);
        let _ = writeln!(s, "node_guard_violation {}", u8::from(viol));
        let _ = writeln!(
            s,
            "# HELP node_guard_blocked_for_future 1 when rules stop sctp from loading after a reboot."
        );
        let _ = writeln!(s, "# TYPE node_guard_blocked_for_future gauge");
        let _ = writeln!(
            s,
            "node_guard_blocked_for_future {}",
            u8::from(cur.is_some_and(|(_, b, _)| b))
        );
        let _ = writeln!(
            s,
            "# HELP node_guard_raw_sctp_sockets Raw IPPROTO_SCTP sockets (userspace stacks) on the host."
        );
        let _ = writeln!(s, "# TYPE node_guard_raw_sctp_sockets gauge");
        let _ = writeln!(
            s,
            "node_guard_raw_sctp_sockets {}",
            cur.map_or(0, |(_, _, n)| n)
        );
        for (name, help, v) in [
            ("node_guard_scans_total", "Kernel SCTP scans.", &self.scans),
            (
                "node_guard_uevents_total",
                "Kernel uevent datagrams received.",
                &self.uevents,
            ),
            (
                "node_guard_state_changes_total",
                "Kernel SCTP state changes after the first scan.",
                &self.changes,
            ),
            (
                "node_guard_kube_updates_total",
                "Successful Kubernetes node updates.",
                &self.kube_updates,
            ),
            (
                "node_guard_kube_errors_total",
                "Failed Kubernetes node updates.",
                &self.kube_errors,
            ),
            (
                "node_guard_drop_in_rewrites_total",
                "Times the modprobe.d drop-in was removed or edited and written again.",
                &self.drop_in_rewrites,
            ),
        ] {
            let _ = writeln!(s, "# HELP {name} {help}");
            let _ = writeln!(s, "# TYPE {name} counter");
            let _ = writeln!(s, "{name} {}", v.load(Ordering::Relaxed));
        }
        let _ = writeln!(
            s,
            "# HELP node_guard_last_scan_timestamp_seconds Unix time of the last scan."
        );
        let _ = writeln!(s, "# TYPE node_guard_last_scan_timestamp_seconds gauge");
        let _ = writeln!(
            s,
            "node_guard_last_scan_timestamp_seconds {:.3}",
            self.last_scan_unix_ms.load(Ordering::Relaxed) as f64 / 1000.0
        );
        s
    }
}

fn respond(metrics: &Metrics, max_age: Duration, path: &str) -> Response<Full<Bytes>> {
    let (status, ctype, body) = match path {
        "/healthz" if metrics.healthy(max_age) => (StatusCode::OK, "text/plain", "ok\n".to_owned()),
        "/healthz" => (
            StatusCode::SERVICE_UNAVAILABLE,
            "text/plain",
            "no recent scan\n".to_owned(),
        ),
        "/metrics" => (
            StatusCode::OK,
            "text/plain; version=0.0.4",
            metrics.render(),
        ),
        _ => (
            StatusCode::NOT_FOUND,
            "text/plain",
            "not found\n".to_owned(),
        ),
    };
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    if let Ok(v) = ctype.parse() {
        r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    r
}

/// Binds `addr` and returns the bound address and the serving future.
pub async fn serve(
    addr: SocketAddr,
    metrics: Arc<Metrics>,
    max_age: Duration,
) -> std::io::Result<(SocketAddr, impl Future<Output = ()>)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let fut = async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let m = metrics.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let r = respond(&m, max_age, req.uri().path());
                    async move { Ok::<_, Infallible>(r) }
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                if let Err(e) = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, svc)
                    .await
                {
                    tracing::debug!(%e, "metrics connection");
                }
            });
        }
    };
    Ok((local, fut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_info_names_the_crate_version() {
        let text = Metrics::default().render();
        let line = text
            .lines()
            .find(|l| l.starts_with("node_guard_build_info{"))
            .unwrap();
        assert_eq!(
            line,
            format!(
                "node_guard_build_info{{version=\"{}\"}} 1",
                env!("CARGO_PKG_VERSION")
            )
        );
        assert!(text.contains("# TYPE node_guard_build_info gauge"));
    }
}
