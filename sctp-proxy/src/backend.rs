//! A listener's backends: where they are (static, DNS SRV, A/AAAA), whether
//! they are up, which one takes the next association or message, and the
//! connections the proxy makes to them.
//!
//! A backend that fails (its set-up refused or timed out, or its
//! association lost) is marked down and tried again by a probe association
//! after a wait that doubles with each failure, from `retry-min-ms` up to
//! `retry-max-ms`; it is up again once a probe is established.

use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasher, Hash};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sctp_raw::{
    AssociationConfig, Config, EndpointSettings, Error, SctpAssociation, SctpEndpoint, Transport,
};

use crate::config::{BackendsConfig, TransportKind};
use crate::metrics::{BackendLabels, Metrics};

/// Splits `host:port` (a host name, or `[v6]:port`) into its parts.
pub fn split_host_port(s: &str) -> Result<(String, u16), &'static str> {
    let (host, port) = s.rsplit_once(':').ok_or("needs a port: host:PORT")?;
    let port: u16 = port
        .parse()
        .map_err(|_| "the port is not a number up to 65535")?;
    if port == 0 {
        return Err("port 0 is not a backend's port");
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err("the host name is empty");
    }
    Ok((host.to_owned(), port))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether a backend may take new work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Health {
    Up,
    /// Failed `failures` times in a row; a probe is due at `retry_at`.
    Down {
        failures: u32,
        retry_at: Instant,
    },
}

/// One backend address.
#[derive(Debug)]
pub struct Backend {
    /// Its address and SCTP port.
    pub addr: SocketAddr,
    /// Its SRV priority (lower is preferred; 0 for static and A/AAAA backends).
    priority: AtomicU64,
    health: Mutex<Health>,
    /// Still among the resolved backends (a backend dropped from DNS keeps
    /// its running associations but takes no new ones).
    listed: AtomicBool,
    /// Front associations using it.
    pub fronts: AtomicUsize,
    /// Messages relayed to it and not answered (message mode): the load.
    pub outstanding: AtomicI64,
}

impl Backend {
    fn new(addr: SocketAddr, priority: u16) -> Self {
        Self {
            addr,
            priority: AtomicU64::new(u64::from(priority)),
            health: Mutex::new(Health::Up),
            listed: AtomicBool::new(true),
            fronts: AtomicUsize::new(0),
            outstanding: AtomicI64::new(0),
        }
    }

    /// Whether it may take new work.
    pub fn is_up(&self) -> bool {
        self.listed.load(Ordering::Relaxed) && *lock(&self.health) == Health::Up
    }

    fn priority(&self) -> u64 {
        self.priority.load(Ordering::Relaxed)
    }
}

/// Opens the proxy's side of backend associations.
#[derive(Clone, Debug)]
pub struct Connector {
    config: Config,
    timeout: Duration,
}

impl Connector {
    /// A connector for `backends`; `base` carries the stream counts and
    /// message size the listener uses.
    pub fn new(backends: &BackendsConfig, mut base: AssociationConfig) -> Self {
        backends.timers.apply(&mut base);
        let transport = match backends.transport {
            TransportKind::Raw => Transport::Raw,
            TransportKind::Udp => Transport::Udp {
                local_port: 0,
                remote_port: backends.udp_port,
            },
        };
        let config = Config::default()
            .association(base)
            .transport(transport)
            // Each front association has its own client endpoint: do not
            // keep its socket long after it ends.
            .endpoint(EndpointSettings::default().linger(Duration::from_secs(5)));
        Self {
            config,
            timeout: Duration::from_millis(backends.connect_timeout_ms),
        }
    }

    /// A client endpoint for backends of `addr`'s family, on an ephemeral
    /// port: one association per backend may run on it.
    pub async fn endpoint_for(&self, addr: SocketAddr) -> Result<SctpEndpoint, Error> {
        let any: SocketAddr = match addr.ip() {
            IpAddr::V4(_) => (std::net::Ipv4Addr::UNSPECIFIED, 0).into(),
            IpAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        SctpEndpoint::client(any, self.config.clone()).await
    }

    /// Connects to `addr` from `endpoint`, within the set-up time limit,
    /// asking for `streams` (outbound, inbound) when given: a front
    /// association's inbound and outbound counts, so that the backend may
    /// send on no stream the client lacks.
    pub async fn connect(
        &self,
        endpoint: &SctpEndpoint,
        addr: SocketAddr,
        streams: Option<(u16, u16)>,
    ) -> Result<SctpAssociation, Error> {
        let remotes = [addr];
        let connect = endpoint.connect_with(&remotes, |c| {
            if let Some((outbound, inbound)) = streams {
                c.outbound_streams = outbound;
                c.inbound_streams = inbound;
            }
        });
        match tokio::time::timeout(self.timeout, connect).await {
            Ok(r) => r,
            Err(_) => Err(Error::SetupTimedOut),
        }
    }
}

/// A listener's backends and their state.
pub struct Pool {
    listener: String,
    config: BackendsConfig,
    backends: Mutex<Vec<Arc<Backend>>>,
    /// Bumped whenever the set of backends or their health changes.
    generation: AtomicU64,
    next: AtomicUsize,
    connector: Connector,
    metrics: Arc<Metrics>,
    hasher: std::hash::RandomState,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("listener", &self.listener)
            .field("backends", &*lock(&self.backends))
            .finish()
    }
}

impl Pool {
    /// A pool with the static backends of `config`; the others come from
    /// [`Pool::update`] once resolved.
    pub fn new(
        listener: String,
        config: BackendsConfig,
        connector: Connector,
        metrics: Arc<Metrics>,
    ) -> Arc<Self> {
        let pool = Arc::new(Self {
            listener,
            backends: Mutex::new(Vec::new()),
            generation: AtomicU64::new(0),
            next: AtomicUsize::new(0),
            connector,
            metrics,
            hasher: std::hash::RandomState::new(),
            config,
        });
        let fixed: Vec<_> = pool.config.fixed.iter().map(|a| (*a, 0)).collect();
        pool.update(&fixed);
        pool
    }

    /// The connector to the backends.
    pub fn connector(&self) -> &Connector {
        &self.connector
    }

    /// A number that changes whenever backends come, go, fail or recover.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    fn bump(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    fn labels(&self, b: &Backend) -> BackendLabels {
        BackendLabels {
            listener: self.listener.clone(),
            backend: b.addr.to_string(),
        }
    }

    /// Sets the backends to `addrs` (with SRV priorities) plus the static
    /// ones. New backends start up; ones no longer listed take no new work.
    pub fn update(self: &Arc<Self>, addrs: &[(SocketAddr, u16)]) {
        let mut wanted: BTreeMap<SocketAddr, u16> = addrs.iter().copied().collect();
        for a in &self.config.fixed {
            wanted.entry(*a).or_insert(0);
        }
        let mut list = lock(&self.backends);
        let mut changed = false;
        list.retain(|b| {
            if wanted.contains_key(&b.addr) {
                return true;
            }
            tracing::info!(listener = %self.listener, backend = %b.addr, "backend no longer listed");
            b.listed.store(false, Ordering::Relaxed);
            self.metrics.backend_up.remove(&self.labels(b));
            changed = true;
            false
        });
        for (addr, priority) in wanted {
            match list.iter().find(|b| b.addr == addr) {
                Some(b) => {
                    if b.priority.swap(u64::from(priority), Ordering::Relaxed)
                        != u64::from(priority)
                    {
                        changed = true;
                    }
                }
                None => {
                    tracing::info!(listener = %self.listener, backend = %addr, priority, "backend added");
                    let b = Arc::new(Backend::new(addr, priority));
                    self.metrics
                        .backend_up
                        .get_or_create(&self.labels(&b))
                        .set(1);
                    list.push(b);
                    changed = true;
                }
            }
        }
        drop(list);
        if changed {
            self.bump();
        }
    }

    /// Every backend listed now.
    pub fn backends(&self) -> Vec<Arc<Backend>> {
        lock(&self.backends).clone()
    }

    /// Backends that may take new work: those up, of the best SRV priority
    /// among them.
    pub fn candidates(&self) -> Vec<Arc<Backend>> {
        let up: Vec<_> = lock(&self.backends)
            .iter()
            .filter(|b| b.is_up())
            .cloned()
            .collect();
        let best = up.iter().map(|b| b.priority()).min();
        up.into_iter()
            .filter(|b| Some(b.priority()) == best)
            .collect()
    }

    /// Whether any backend is up.
    pub fn any_up(&self) -> bool {
        lock(&self.backends).iter().any(|b| b.is_up())
    }

    /// The backend for a new front association in association mode: the
    /// one with the fewest front associations, ties taken in turn;
    /// `exclude` lists those that failed this time.
    pub fn pick_for_association(&self, exclude: &HashSet<SocketAddr>) -> Option<Arc<Backend>> {
        // Each load read once: other tasks change them meanwhile.
        let c: Vec<_> = self
            .candidates()
            .into_iter()
            .filter(|b| !exclude.contains(&b.addr))
            .map(|b| (b.fronts.load(Ordering::Relaxed), b))
            .collect();
        let i = self.least_in_turn(c.iter().map(|(load, _)| *load))?;
        Some(c[i].1.clone())
    }

    /// The index of the smallest of `loads`, ties taken in turn.
    fn least_in_turn<L: Ord + Copy>(
        &self,
        loads: impl Iterator<Item = L> + Clone,
    ) -> Option<usize> {
        let least = loads.clone().min()?;
        let tied = loads.clone().filter(|l| *l == least).count();
        let k = self.next.fetch_add(1, Ordering::Relaxed) % tied;
        loads
            .enumerate()
            .filter(|(_, l)| *l == least)
            .nth(k)
            .map(|(i, _)| i)
    }

    /// Of `choices` (indexes into the caller's list, with their backends),
    /// the one for a message: by affinity `key` (rendezvous hashing, so a
    /// key moves only when its backend goes), else the least outstanding
    /// messages, ties taken in turn.
    pub fn pick_for_message(
        &self,
        choices: &[(usize, &Backend)],
        key: Option<u64>,
    ) -> Option<usize> {
        if choices.is_empty() {
            return None;
        }
        if let Some(key) = key {
            return choices
                .iter()
                .max_by_key(|(_, b)| self.hasher.hash_one((key, b.addr)))
                .map(|(i, _)| *i);
        }
        // Each load read once: answers lower them meanwhile.
        let loads: Vec<i64> = choices
            .iter()
            .map(|(_, b)| b.outstanding.load(Ordering::Relaxed))
            .collect();
        let i = self.least_in_turn(loads.iter().copied())?;
        Some(choices[i].0)
    }

    /// Marks `backend` up (a probe or a front association reached it).
    pub fn mark_up(&self, backend: &Backend) {
        let mut h = lock(&backend.health);
        if *h != Health::Up {
            *h = Health::Up;
            drop(h);
            tracing::info!(listener = %self.listener, backend = %backend.addr, "backend up");
            if backend.listed.load(Ordering::Relaxed) {
                self.metrics
                    .backend_up
                    .get_or_create(&self.labels(backend))
                    .set(1);
            }
            self.bump();
        }
    }

    /// Marks `backend` down after a failure (`what`), and starts its probe
    /// if none runs.
    pub fn mark_failed(self: &Arc<Self>, backend: &Arc<Backend>, what: &str) {
        self.metrics
            .backend_failures
            .get_or_create(&self.labels(backend))
            .inc();
        let now = Instant::now();
        let mut h = lock(&backend.health);
        let (failures, start_probe) = match *h {
            Health::Up => (1, true),
            // A probe runs already; it backs off on its own.
            Health::Down { failures, .. } => (failures, false),
        };
        if !start_probe {
            return;
        }
        let wait = self.backoff(failures);
        *h = Health::Down {
            failures,
            retry_at: now + wait,
        };
        drop(h);
        tracing::warn!(
            listener = %self.listener, backend = %backend.addr, reason = what,
            retry_in_ms = wait.as_millis() as u64, "backend down"
        );
        if backend.listed.load(Ordering::Relaxed) {
            self.metrics
                .backend_up
                .get_or_create(&self.labels(backend))
                .set(0);
        }
        self.bump();
        let pool = self.clone();
        let backend = backend.clone();
        tokio::spawn(async move { pool.probe(backend).await });
    }

    /// The wait before try `failures + 1`: doubling from the minimum.
    fn backoff(&self, failures: u32) -> Duration {
        let min = self.config.retry_min_ms;
        let ms = min
            .saturating_mul(1u64 << failures.saturating_sub(1).min(30))
            .min(self.config.retry_max_ms);
        Duration::from_millis(ms)
    }

    /// Tries `backend` again at each retry time until it answers.
    async fn probe(self: Arc<Self>, backend: Arc<Backend>) {
        loop {
            let Health::Down { failures, retry_at } = *lock(&backend.health) else {
                return;
            };
            tokio::time::sleep_until(retry_at.into()).await;
            if !backend.listed.load(Ordering::Relaxed) {
                return;
            }
            let result = match self.connector.endpoint_for(backend.addr).await {
                Ok(ep) => self.connector.connect(&ep, backend.addr, None).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(assoc) => {
                    tokio::spawn(async move {
                        let _ = assoc.shutdown().await;
                    });
                    self.mark_up(&backend);
                    return;
                }
                Err(e) => {
                    let failures = failures + 1;
                    let wait = self.backoff(failures);
                    tracing::debug!(
                        listener = %self.listener, backend = %backend.addr, error = %e,
                        retry_in_ms = wait.as_millis() as u64, "backend still down"
                    );
                    self.metrics
                        .backend_failures
                        .get_or_create(&self.labels(&backend))
                        .inc();
                    *lock(&backend.health) = Health::Down {
                        failures,
                        retry_at: Instant::now() + wait,
                    };
                }
            }
        }
    }

    /// The hash of an affinity key.
    pub fn key_hash<K: Hash>(&self, key: K) -> u64 {
        self.hasher.hash_one(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(fixed: &[&str]) -> Arc<Pool> {
        let config = BackendsConfig {
            fixed: fixed.iter().map(|a| a.parse().unwrap()).collect(),
            retry_min_ms: 100,
            retry_max_ms: 1_000,
            ..BackendsConfig::default()
        };
        let connector = Connector::new(&config, AssociationConfig::default());
        Pool::new("test".into(), config, connector, Arc::new(Metrics::new()))
    }

    #[test]
    fn host_port_splits_names_and_bracketed_ipv6() {
        assert_eq!(split_host_port("a.b:3868"), Ok(("a.b".into(), 3868)));
        assert_eq!(split_host_port("[fd00::1]:7"), Ok(("fd00::1".into(), 7)));
        assert!(split_host_port("a.b").is_err());
        assert!(split_host_port("a.b:0").is_err());
        assert!(split_host_port(":7").is_err());
        assert!(split_host_port("a.b:70000").is_err());
    }

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let p = pool(&["198.18.2.2:7"]);
        let ms: Vec<u128> = (1..=6).map(|f| p.backoff(f).as_millis()).collect();
        assert_eq!(ms, vec![100, 200, 400, 800, 1000, 1000]);
    }

    #[test]
    fn associations_go_to_the_backend_with_fewest_fronts() {
        let p = pool(&["198.18.2.2:7", "198.18.3.2:7"]);
        let a = p.pick_for_association(&HashSet::new()).unwrap();
        a.fronts.fetch_add(1, Ordering::Relaxed);
        let b = p.pick_for_association(&HashSet::new()).unwrap();
        assert_ne!(a.addr, b.addr);
        let only = p
            .pick_for_association(&[b.addr].into_iter().collect())
            .unwrap();
        assert_eq!(only.addr, a.addr);
    }

    #[test]
    fn srv_priority_prefers_the_lowest_group_that_is_up() {
        let p = pool(&[]);
        let (a, b): (SocketAddr, SocketAddr) = (
            "198.18.2.2:7".parse().unwrap(),
            "198.18.3.2:7".parse().unwrap(),
        );
        p.update(&[(a, 10), (b, 20)]);
        let c = p.candidates();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].addr, a);
        // Dropped from DNS: b alone is left.
        p.update(&[(b, 20)]);
        assert_eq!(p.candidates()[0].addr, b);
        assert_eq!(p.backends().len(), 1);
    }

    #[tokio::test]
    async fn a_failed_backend_takes_no_new_work_until_it_recovers() {
        let p = pool(&["198.18.2.2:7", "198.18.3.2:7"]);
        let all = p.backends();
        let g = p.generation();
        p.mark_failed(&all[0], "test");
        assert!(p.generation() > g);
        assert!(!all[0].is_up());
        assert_eq!(p.candidates().len(), 1);
        assert!(p.any_up());
        p.mark_up(&all[0]);
        assert_eq!(p.candidates().len(), 2);
    }

    #[test]
    fn affinity_keeps_a_key_on_its_backend_and_moves_only_its_keys() {
        let p = pool(&["198.18.2.2:7", "198.18.3.2:7", "198.18.4.2:7"]);
        let all = p.backends();
        let choices: Vec<_> = all.iter().enumerate().map(|(i, b)| (i, &**b)).collect();
        let before: Vec<_> = (0..64u64)
            .map(|k| p.pick_for_message(&choices, Some(k)).unwrap())
            .collect();
        let again: Vec<_> = (0..64u64)
            .map(|k| p.pick_for_message(&choices, Some(k)).unwrap())
            .collect();
        assert_eq!(before, again);
        assert!((0..3).all(|i| before.contains(&i)), "spread: {before:?}");
        // Backend 2 goes: only its keys move.
        let fewer: Vec<_> = choices[..2].to_vec();
        for (k, was) in before.iter().enumerate() {
            let now = p.pick_for_message(&fewer, Some(k as u64)).unwrap();
            if *was != 2 {
                assert_eq!(now, *was);
            }
        }
    }

    #[test]
    fn messages_go_to_the_least_outstanding_backend() {
        let p = pool(&["198.18.2.2:7", "198.18.3.2:7"]);
        let all = p.backends();
        all[0].outstanding.store(5, Ordering::Relaxed);
        let choices: Vec<_> = all.iter().enumerate().map(|(i, b)| (i, &**b)).collect();
        assert_eq!(p.pick_for_message(&choices, None), Some(1));
    }
}
