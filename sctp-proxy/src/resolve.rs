//! Backends from DNS: SRV records (`_diameter._sctp.svc.ns.svc.cluster.local`,
//! the form kube-dns gives a headless Service's named port) and host names'
//! A/AAAA records, looked up again when their TTL runs out.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;

use crate::backend::{Pool, split_host_port};
use crate::config::BackendsConfig;

/// Shortest wait between two resolutions, whatever the TTL.
const MIN_REFRESH: Duration = Duration::from_secs(1);
/// Longest wait between two resolutions.
const MAX_REFRESH: Duration = Duration::from_secs(300);
/// Wait after a failed lookup.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(5);

/// Builds the resolver: the given server, else the system's (`/etc/resolv.conf`).
pub fn resolver(server: Option<SocketAddr>) -> Result<TokioResolver, String> {
    let provider = TokioRuntimeProvider::default();
    let builder = match server {
        Some(addr) => {
            let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
            for c in &mut ns.connections {
                c.port = addr.port();
            }
            TokioResolver::builder_with_config(
                ResolverConfig::from_name_servers(vec![ns]),
                provider,
            )
        }
        None => TokioResolver::builder(provider)
            .map_err(|e| format!("reading the system's DNS configuration: {e}"))?,
    };
    builder
        .build()
        .map_err(|e| format!("building the DNS resolver: {e}"))
}

/// What one resolution found: addresses with their SRV priority, and when
/// the earliest record expires.
#[derive(Debug, Default)]
pub struct Resolved {
    /// Backends and priorities.
    pub addrs: Vec<(SocketAddr, u16)>,
    /// When to look again.
    pub refresh_at: Option<Instant>,
    /// Lookups that failed, with why.
    pub errors: Vec<String>,
}

impl Resolved {
    fn expires(&mut self, at: Instant) {
        self.refresh_at = Some(self.refresh_at.map_or(at, |t| t.min(at)));
    }
}

/// Looks up every SRV and host name of `config`.
pub async fn resolve_all(resolver: &TokioResolver, config: &BackendsConfig) -> Resolved {
    let mut out = Resolved::default();
    for name in &config.srv {
        match resolver.srv_lookup(name.as_str()).await {
            Ok(lookup) => {
                out.expires(lookup.valid_until());
                let targets: Vec<_> = lookup
                    .answers()
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::SRV(srv) => Some(srv.clone()),
                        _ => None,
                    })
                    .collect();
                for srv in targets {
                    // "." means the service is not offered (RFC 2782).
                    if srv.target.is_root() {
                        continue;
                    }
                    // Addresses the server sent along save a lookup.
                    let extra: Vec<IpAddr> = lookup
                        .additionals()
                        .iter()
                        .filter(|r| r.name == srv.target)
                        .filter_map(|r| match &r.data {
                            RData::A(a) => Some(IpAddr::V4(a.0)),
                            RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                            _ => None,
                        })
                        .collect();
                    let ips = if extra.is_empty() {
                        match resolver.lookup_ip(srv.target.clone()).await {
                            Ok(ips) => {
                                out.expires(ips.valid_until());
                                ips.iter().collect()
                            }
                            Err(e) => {
                                out.errors
                                    .push(format!("{} (from {name}): {e}", srv.target));
                                continue;
                            }
                        }
                    } else {
                        extra
                    };
                    for ip in ips {
                        out.addrs
                            .push((SocketAddr::new(ip, srv.port), srv.priority));
                    }
                }
            }
            Err(e) => out.errors.push(format!("SRV {name}: {e}")),
        }
    }
    for name in &config.names {
        let Ok((host, port)) = split_host_port(name) else {
            continue;
        };
        match resolver.lookup_ip(host.as_str()).await {
            Ok(ips) => {
                out.expires(ips.valid_until());
                out.addrs
                    .extend(ips.iter().map(|ip| (SocketAddr::new(ip, port), 0)));
            }
            Err(e) => out.errors.push(format!("{host}: {e}")),
        }
    }
    out
}

/// Keeps `pool` in step with DNS for as long as the pool lives: resolves,
/// updates, sleeps until the records' TTL runs out, and again. A failed
/// lookup keeps the backends found before.
pub async fn keep_resolved(
    resolver: Arc<TokioResolver>,
    pool: std::sync::Weak<Pool>,
    config: BackendsConfig,
    listener: String,
) {
    let mut last: Option<Vec<(SocketAddr, u16)>> = None;
    loop {
        let found = resolve_all(&resolver, &config).await;
        for e in &found.errors {
            tracing::warn!(%listener, error = %e, "DNS lookup failed");
        }
        let Some(pool) = pool.upgrade() else {
            return;
        };
        let complete = found.errors.is_empty();
        // A lookup that failed in part must not take backends away.
        if complete || last.is_none() || !found.addrs.is_empty() {
            let mut addrs = found.addrs.clone();
            if !complete && let Some(prev) = &last {
                addrs.extend(prev.iter().copied());
            }
            addrs.sort();
            addrs.dedup_by_key(|(a, _)| *a);
            if last.as_ref() != Some(&addrs) {
                tracing::info!(%listener, backends = ?addrs, "backends resolved");
            }
            pool.update(&addrs);
            last = Some(addrs);
        }
        drop(pool);
        let now = Instant::now();
        let wait = match (complete, found.refresh_at) {
            (true, Some(at)) => at
                .saturating_duration_since(now)
                .clamp(MIN_REFRESH, MAX_REFRESH),
            (true, None) => MAX_REFRESH,
            (false, _) => RETRY_AFTER_FAILURE,
        };
        tokio::time::sleep(wait).await;
    }
}
