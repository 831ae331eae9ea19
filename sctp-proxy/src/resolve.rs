//! Backends from DNS: SRV records (`_diameter._sctp.svc.ns.svc.cluster.local`,
//! the form kube-dns gives a headless Service's named port) and host names'
//! A/AAAA records, looked up again when their TTL runs out.

use std::collections::HashMap;
use std::net::SocketAddr;
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

/// What one name resolved to.
#[derive(Debug)]
pub enum Outcome {
    /// Backends with their SRV priority (0 for A/AAAA names), and when the
    /// earliest record expires. An answer with no records is an empty list:
    /// the service has no backends now (a headless Service scaled to zero).
    Found(Vec<(SocketAddr, u16)>, Option<Instant>),
    /// The lookup failed (no answer, a server error): why.
    Failed(String),
}

/// Whether a lookup error means the name has no such records, which is an
/// answer, not a failure.
fn no_records(e: &hickory_resolver::net::NetError) -> bool {
    e.is_no_records_found()
}

fn earliest(a: Option<Instant>, b: Instant) -> Option<Instant> {
    Some(a.map_or(b, |a| a.min(b)))
}

/// Looks up one SRV name and each of its targets' addresses.
async fn resolve_srv(resolver: &TokioResolver, name: &str) -> Outcome {
    let lookup = match resolver.srv_lookup(name).await {
        Ok(l) => l,
        Err(e) if no_records(&e) => return Outcome::Found(Vec::new(), None),
        Err(e) => return Outcome::Failed(format!("SRV {name}: {e}")),
    };
    let mut expires = Some(lookup.valid_until());
    let mut addrs = Vec::new();
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
        match resolver.lookup_ip(srv.target.clone()).await {
            Ok(ips) => {
                expires = earliest(expires, ips.valid_until());
                addrs.extend(
                    ips.iter()
                        .map(|ip| (SocketAddr::new(ip, srv.port), srv.priority)),
                );
            }
            // A target without addresses offers nothing; the others stand.
            Err(e) if no_records(&e) => {}
            Err(e) => return Outcome::Failed(format!("{} (from SRV {name}): {e}", srv.target)),
        }
    }
    Outcome::Found(addrs, expires)
}

/// Looks up one `host:port` name's A and AAAA records.
async fn resolve_host(resolver: &TokioResolver, name: &str) -> Outcome {
    let Ok((host, port)) = split_host_port(name) else {
        return Outcome::Failed(format!("{name}: not host:port"));
    };
    match resolver.lookup_ip(host.as_str()).await {
        Ok(ips) => Outcome::Found(
            ips.iter()
                .map(|ip| (SocketAddr::new(ip, port), 0))
                .collect(),
            Some(ips.valid_until()),
        ),
        Err(e) if no_records(&e) => Outcome::Found(Vec::new(), None),
        Err(e) => Outcome::Failed(format!("{host}: {e}")),
    }
}

/// Looks up every SRV and host name of `config`, each with its outcome.
pub async fn resolve_all(
    resolver: &TokioResolver,
    config: &BackendsConfig,
) -> Vec<(String, Outcome)> {
    let mut out = Vec::new();
    for name in &config.srv {
        out.push((name.clone(), resolve_srv(resolver, name).await));
    }
    for name in &config.names {
        out.push((name.clone(), resolve_host(resolver, name).await));
    }
    out
}

/// Keeps `pool` in step with DNS for as long as the pool lives: resolves,
/// updates, sleeps until the records' TTL runs out, and again. A name whose
/// lookup fails keeps the backends it last resolved to; a name that has no
/// records (any more) has none.
pub async fn keep_resolved(
    resolver: Arc<TokioResolver>,
    pool: std::sync::Weak<Pool>,
    config: BackendsConfig,
    listener: String,
) {
    let mut last_good: HashMap<String, Vec<(SocketAddr, u16)>> = HashMap::new();
    let mut last: Option<Vec<(SocketAddr, u16)>> = None;
    loop {
        let now = Instant::now();
        let mut refresh = now + MAX_REFRESH;
        for (name, outcome) in resolve_all(&resolver, &config).await {
            match outcome {
                Outcome::Found(addrs, expires) => {
                    // No records: look again soon, the service may come back.
                    let at = expires.unwrap_or(now + RETRY_AFTER_FAILURE);
                    refresh = refresh.min(at.max(now + MIN_REFRESH));
                    last_good.insert(name, addrs);
                }
                Outcome::Failed(e) => {
                    tracing::warn!(%listener, error = %e, "DNS lookup failed; keeping what it last resolved to");
                    refresh = refresh.min(now + RETRY_AFTER_FAILURE);
                }
            }
        }
        let Some(pool) = pool.upgrade() else {
            return;
        };
        let mut addrs: Vec<_> = last_good.values().flatten().copied().collect();
        addrs.sort();
        addrs.dedup_by_key(|(a, _)| *a);
        if last.as_ref() != Some(&addrs) {
            tracing::info!(%listener, backends = ?addrs, "backends resolved");
            pool.update(&addrs);
            last = Some(addrs);
        }
        drop(pool);
        tokio::time::sleep_until(refresh.into()).await;
    }
}
