//! DaemonSet mode: block, watch, keep the node's label, condition and events current, and
//! serve `/healthz` and `/metrics`.

use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::block;
use crate::census;
use crate::guard::Guard;
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
    /// Where to write and keep the drop-in.
    pub block: BlockMode,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Also publish the state as a node-feature-discovery local feature file here.
    pub nfd_features: Option<std::path::PathBuf>,
}

/// The node-feature-discovery `features.d` file for a state: NFD's local source turns each
/// `name=value` line into a node label, so clusters running NFD need no node-patch right.
pub fn nfd_features(keys: &crate::k8s::Keys, state: SctpState) -> String {
    format!(
        "# Written by node-guard; read by node-feature-discovery (local source, features.d).\n{}={state}\n",
        keys.state()
    )
}

/// Which nodes `run` blocks kernel SCTP on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BlockMode {
    /// Block at start, before the API server is needed (the DaemonSet's node affinity
    /// already keeps it to dedicated nodes).
    Always,
    /// Block once the node is seen to carry the dedication label (or when a drop-in from an
    /// earlier run is already there); never newly block an undedicated node.
    Dedicated,
    /// Only report; never write the drop-in.
    Never,
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
    node: Option<NodeClient>,
    source: Box<dyn EventSource + Send>,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), RunError> {
    let metrics = Arc::new(Metrics::default());
    // Block first: a node whose API server is unreachable is still protected.
    let gm = metrics.clone();
    let guard = Guard::spawn_reporting(
        opts.host.clone(),
        opts.interval,
        Box::new(move || gm.record_drop_in_rewrite()),
    );
    let earlier_drop_in = opts
        .host
        .read_optional(block::DROP_IN)
        .ok()
        .flatten()
        .is_some_and(|t| block::is_ours(&t));
    match opts.block {
        BlockMode::Always => guard.activate(),
        // A drop-in from an earlier run means the node was dedicated then: keep it.
        BlockMode::Dedicated if earlier_drop_in => guard.activate(),
        BlockMode::Dedicated | BlockMode::Never => {}
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
    let nfd = opts.nfd_features.clone().map(|p| {
        let keys = node.as_ref().map(|n| n.keys().clone()).unwrap_or_default();
        (p, keys)
    });
    let watcher = tokio::task::spawn_blocking(move || {
        let mut source = source;
        watch::watch(&host, source.as_mut(), &wopts, &wm, &mut |change, a| {
            println!("{}", serde_json::to_string(change).unwrap_or_default());
            match census::census(&host) {
                Ok(s) => wm.record_sockets(s.len()),
                Err(e) => tracing::warn!(%e, "raw socket census"),
            }
            if let Some((path, keys)) = &nfd
                && let Err(e) = block::write_atomic(path, nfd_features(keys, a.state).as_bytes())
            {
                tracing::warn!(%e, path = %path.display(), "cannot write the NFD feature file");
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
        if let (true, Some(a), Some(node)) = (pending, &last, &node) {
            match node.reconcile(reported, a, opts.evict).await {
                Ok(n) => {
                    metrics.record_kube(true);
                    reported = Some(a.state);
                    pending = false;
                    if opts.block == BlockMode::Dedicated
                        && !guard.is_active()
                        && crate::k8s::node::is_dedicated(&n, node.keys())
                    {
                        tracing::info!(node = node.name(), "node is dedicated to userspace SCTP");
                        guard.activate();
                    }
                }
                Err(e) => {
                    metrics.record_kube(false);
                    tracing::warn!(%e, node = node.name(), "updating the node failed; retrying at the next tick");
                }
            }
        }
    }
    server.abort();
    drop(guard);
    match watcher.await {
        Ok(r) => r.map(|_| ()).map_err(RunError::from),
        Err(e) => {
            tracing::error!(%e, "watch thread");
            Ok(())
        }
    }
}
