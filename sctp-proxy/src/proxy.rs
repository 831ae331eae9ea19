//! The running proxy: its listeners and their accept loops, the DNS tasks
//! that keep their backends current, readiness, and the drain.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use sctp_raw::{AssociationConfig, Config, Error, SctpEndpoint, Transport};
use tokio::sync::Notify;

use crate::backend::{Connector, Pool};
use crate::config::{ListenerConfig, ProxyConfig, TransportKind};
use crate::filter::Rules;
use crate::metrics::Metrics;
use crate::relay::{self, HotMetrics, ListenerCtx};
use crate::resolve;

/// Why the proxy could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration is not valid.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// A listener could not open its sockets.
    #[error("listening on {listener}: {source}")]
    Listen {
        /// The listener.
        listener: String,
        /// Why.
        source: Error,
    },
    /// The DNS resolver could not be built.
    #[error("DNS: {0}")]
    Dns(String),
    /// The metrics server could not bind.
    #[error("metrics on {addr}: {source}")]
    Metrics {
        /// Its address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Front associations being served, and a wake-up when there are none.
#[derive(Debug, Default)]
struct Active {
    count: AtomicUsize,
    idle: Notify,
}

impl Active {
    fn enter(self: &Arc<Self>) -> ActiveGuard {
        self.count.fetch_add(1, Ordering::AcqRel);
        ActiveGuard(self.clone())
    }

    async fn wait_idle(&self) {
        loop {
            let idle = self.idle.notified();
            if self.count.load(Ordering::Acquire) == 0 {
                return;
            }
            idle.await;
        }
    }
}

struct ActiveGuard(Arc<Active>);

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

struct Listener {
    ctx: Arc<ListenerCtx>,
    endpoint: SctpEndpoint,
}

/// A running proxy.
pub struct Proxy {
    listeners: Vec<Listener>,
    metrics: Arc<Metrics>,
    draining: AtomicBool,
    active: Arc<Active>,
    drain_timeout: Duration,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("listeners", &self.local_addrs())
            .finish()
    }
}

/// The association settings a listener's front (and, with its backend
/// timers, back) associations use.
fn association_config(l: &ListenerConfig) -> AssociationConfig {
    let d = AssociationConfig::default();
    let mut c = d.clone();
    c.outbound_streams = l.streams;
    c.inbound_streams = l.streams;
    c.max_message_size = l.max_message;
    c.max_reassembly_bytes = d.max_reassembly_bytes.max(l.max_message.saturating_mul(2));
    c.send_buffer = d.send_buffer.max(l.max_message.saturating_mul(2));
    c
}

impl Proxy {
    /// Checks `config`, opens every listener and starts serving.
    pub async fn start(config: &ProxyConfig) -> Result<Arc<Self>, StartError> {
        config.check()?;
        let metrics = Arc::new(Metrics::new());
        let needs_dns = config
            .listeners
            .iter()
            .any(|l| !l.backends.srv.is_empty() || !l.backends.names.is_empty());
        let resolver = if needs_dns {
            Some(Arc::new(
                resolve::resolver(config.dns_server).map_err(StartError::Dns)?,
            ))
        } else {
            None
        };
        let mut listeners = Vec::new();
        for l in &config.listeners {
            let name = l.listen[0].to_string();
            metrics.register_listener(&name);
            let base = association_config(l);
            let connector = Connector::new(&l.backends, base.clone());
            let pool = Pool::new(name.clone(), l.backends.clone(), connector, metrics.clone());
            if let Some(r) = &resolver
                && (!l.backends.srv.is_empty() || !l.backends.names.is_empty())
            {
                tokio::spawn(resolve::keep_resolved(
                    r.clone(),
                    Arc::downgrade(&pool),
                    l.backends.clone(),
                    name.clone(),
                ));
            }
            let mut front = base;
            l.timers.apply(&mut front);
            let transport = match l.transport {
                TransportKind::Raw => Transport::Raw,
                TransportKind::Udp => Transport::Udp {
                    local_port: l.udp_port,
                    remote_port: l.udp_port,
                },
            };
            let endpoint_config = Config::default().association(front).transport(transport);
            let endpoint = SctpEndpoint::bind_all(&l.listen, endpoint_config)
                .await
                .map_err(|source| StartError::Listen {
                    listener: name.clone(),
                    source,
                })?;
            tracing::info!(
                listener = %name, transport = ?l.transport, mode = ?l.mode,
                backends = ?pool.backends().iter().map(|b| b.addr).collect::<Vec<_>>(),
                "listening"
            );
            let ctx = Arc::new(ListenerCtx {
                hot: HotMetrics::new(&metrics, &name),
                name,
                mode: l.mode,
                affinity: l.affinity,
                rules: Rules::new(l),
                pool,
                metrics: metrics.clone(),
            });
            listeners.push(Listener { ctx, endpoint });
        }
        let proxy = Arc::new(Self {
            listeners,
            metrics,
            draining: AtomicBool::new(false),
            active: Arc::new(Active::default()),
            drain_timeout: Duration::from_secs(config.drain_timeout_secs),
        });
        for l in &proxy.listeners {
            tokio::spawn(accept_loop(
                l.ctx.clone(),
                l.endpoint.clone(),
                proxy.active.clone(),
            ));
        }
        Ok(proxy)
    }

    /// The metrics.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Every listener's addresses.
    pub fn local_addrs(&self) -> Vec<std::net::SocketAddr> {
        self.listeners
            .iter()
            .flat_map(|l| l.endpoint.local_addrs())
            .collect()
    }

    /// Front associations being served now.
    pub fn active(&self) -> usize {
        self.active.count.load(Ordering::Acquire)
    }

    /// Whether the proxy should get new clients: not draining, and every
    /// listener has a backend up. `Err` says why not.
    pub fn ready(&self) -> Result<(), String> {
        if self.draining.load(Ordering::Acquire) {
            return Err("draining".to_owned());
        }
        for l in &self.listeners {
            if !l.ctx.pool.any_up() {
                return Err(format!("listener {}: no backend up", l.ctx.name));
            }
        }
        Ok(())
    }

    /// Drains: stops accepting, lets the front associations end on their
    /// own for the drain timeout, then shuts the rest down gracefully (each
    /// relay shuts its backend side down too) and resolves once all are gone.
    pub async fn drain(&self) {
        self.draining.store(true, Ordering::Release);
        for l in &self.listeners {
            l.endpoint.set_accepting(false);
        }
        tracing::info!(
            active = self.active(),
            timeout_secs = self.drain_timeout.as_secs(),
            "draining: no new associations"
        );
        if tokio::time::timeout(self.drain_timeout, self.active.wait_idle())
            .await
            .is_err()
        {
            tracing::info!(
                active = self.active(),
                "drain timeout: shutting the remaining associations down"
            );
            // Start every shutdown at once: a peer that stopped answering
            // holds its own up until it times out, not the others.
            for l in &self.listeners {
                let endpoint = l.endpoint.clone();
                tokio::spawn(async move { endpoint.shutdown_all().await });
            }
            // Each relay now ends its backend side; give that its time.
            if tokio::time::timeout(self.drain_timeout, self.active.wait_idle())
                .await
                .is_err()
            {
                tracing::warn!(
                    active = self.active(),
                    "associations whose peers do not answer their SHUTDOWN are left behind"
                );
                return;
            }
        }
        tracing::info!("drained");
    }
}

async fn accept_loop(ctx: Arc<ListenerCtx>, endpoint: SctpEndpoint, active: Arc<Active>) {
    loop {
        match endpoint.accept().await {
            Ok((front, peer)) => {
                let guard = active.enter();
                let ctx = ctx.clone();
                tokio::spawn(async move {
                    // A relay that panicked must not leave its client waiting.
                    let handle = front.clone();
                    let name = ctx.name.clone();
                    if let Err(e) = tokio::spawn(relay::serve(ctx, front, peer)).await {
                        tracing::error!(listener = %name, %peer, error = %e, "relay failed");
                        handle.abort_with_reason(b"sctp-proxy: internal error");
                    }
                    drop(guard);
                });
            }
            Err(Error::NotListening) => return,
            Err(e) => {
                tracing::warn!(listener = %ctx.name, error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}
