//! DaemonSet mode: block, watch, keep the node's label, condition and events current, and
//! serve `/healthz` and `/metrics`.

use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::block::{self, KernelUnloader};
use crate::census;
use crate::hostroot::HostRoot;
use crate::k8s::NodeClient;
use crate::metrics::{self, Metrics};
use crate::state::{Assessment, SctpState};
use crate::uevent::{EventSource, NetlinkSource};
use crate::watch::{self, WatchOptions};

/// How often the condition heartbeat is refreshed even without a change.
pub const HEARTBEAT: Duration = Duration::from_secs(60);

/// Settings of `run`.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Host root.
    pub host: HostRoot,
    /// Metrics listen address.
    pub listen: SocketAddr,
    /// Rescan interval.
    pub interval: Duration,
    /// Add the NoExecute taint on dedicated nodes where sctp appears.
    pub evict: bool,
    /// Write the drop-in at start.
    pub block: bool,
    /// Stop after this long.
    pub duration: Option<Duration>,
}

/// Errors of `run`.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The drop-in could not be written.
    #[error(transparent)]
    Block(#[from] block::BlockError),
    /// The metrics server could not bind.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// Address.
        addr: SocketAddr,
        /// Cause.
        source: std::io::Error,
    },
    /// The watch loop failed.
    #[error(transparent)]
    Watch(#[from] watch::WatchError),
}

/// An event source for hosts where the uevent socket cannot be opened: never yields.
#[derive(Debug, Default)]
pub struct NoEvents;

impl EventSource for NoEvents {
    fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Vec<u8>>> {
        std::thread::sleep(timeout);
        Ok(None)
    }
}

/// Opens the uevent socket, or falls back to periodic rescans only.
pub fn default_source() -> Box<dyn EventSource + Send> {
    match NetlinkSource::open() {
        Ok(s) => Box::new(s),
        Err(e) => {
            tracing::warn!(%e, "cannot open the uevent socket (hostNetwork?); relying on periodic rescans");
            Box::new(NoEvents)
        }
    }
}

/// Runs until `opts.duration` elapses (or forever). `on_bound` gets the metrics address.
pub async fn run(
    opts: RunOptions,
    node: NodeClient,
    source: Box<dyn EventSource + Send>,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), RunError> {
    let metrics = Arc::new(Metrics::default());
    if opts.block {
        let r = block::block(&opts.host, false, false, &mut KernelUnloader)?;
        tracing::info!(file = ?r.file, reboot_required = r.reboot_required, "block");
    }
    let max_age = opts.interval * 3 + Duration::from_secs(5);
    let (addr, server) = metrics::serve(opts.listen, metrics.clone(), max_age)
        .await
        .map_err(|source| RunError::Listen {
            addr: opts.listen,
            source,
        })?;
    tracing::info!(%addr, "serving /healthz and /metrics");
    on_bound(addr);
    let server = tokio::spawn(server);

    let (tx, mut rx) = mpsc::unbounded_channel::<(Option<SctpState>, Assessment)>();
    let wopts = WatchOptions {
        interval: opts.interval,
        duration: opts.duration,
        max_changes: None,
    };
    let host = opts.host.clone();
    let wm = metrics.clone();
    let watcher = tokio::task::spawn_blocking(move || {
        let mut source = source;
        watch::watch(&host, source.as_mut(), &wopts, &wm, &mut |change, a| {
            println!("{}", serde_json::to_string(change).unwrap_or_default());
            match census::census(&host) {
                Ok(s) => wm.record_sockets(s.len()),
                Err(e) => tracing::warn!(%e, "raw socket census"),
            }
            if tx.send((change.previous, a.clone())).is_err() {
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        })
    });

    let mut last: Option<Assessment> = None;
    let mut reported: Option<SctpState> = None;
    let mut pending = false;
    let mut tick = tokio::time::interval(opts.interval);
    let mut since_heartbeat = Duration::ZERO;
    loop {
        tokio::select! {
            msg = rx.recv() => {
                let Some((_, a)) = msg else { break };
                last = Some(a);
                pending = true;
            }
            _ = tick.tick() => {
                since_heartbeat += opts.interval;
                if since_heartbeat >= HEARTBEAT {
                    since_heartbeat = Duration::ZERO;
                    pending |= last.is_some();
                }
            }
        }
        if let (true, Some(a)) = (pending, &last) {
            match node.reconcile(reported, a, opts.evict).await {
                Ok(()) => {
                    metrics.record_kube(true);
                    reported = Some(a.state);
                    pending = false;
                }
                Err(e) => {
                    metrics.record_kube(false);
                    tracing::warn!(%e, node = node.name(), "updating the node failed; retrying at the next tick");
                }
            }
        }
    }
    server.abort();
    match watcher.await {
        Ok(r) => r.map(|_| ()).map_err(RunError::from),
        Err(e) => {
            tracing::error!(%e, "watch thread");
            Ok(())
        }
    }
}
