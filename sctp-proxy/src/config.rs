//! The proxy's configuration: a TOML file (kebab-case keys) or the command
//! line, checked into typed settings before anything starts.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use thiserror::Error;

/// Why a configuration was refused; each names the setting at fault.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this configuration.
    #[error("parsing {path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The parser's message, with the line.
        message: String,
    },
    /// A setting has a value it cannot have.
    #[error("{setting}: {problem}")]
    Invalid {
        /// The setting, as written in the file (`listener[0].rate`) or on
        /// the command line (`--rate`).
        setting: String,
        /// What is wrong with it.
        problem: String,
    },
}

impl ConfigError {
    pub(crate) fn invalid(setting: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::Invalid {
            setting: setting.into(),
            problem: problem.into(),
        }
    }
}

/// How messages of one front association are spread over backends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// A front association is pinned to one backend association, chosen
    /// when it is set up (the backend with the fewest front associations).
    #[default]
    Association,
    /// Each message goes to the least-loaded backend: for stateless
    /// request/answer protocols.
    Message,
}

/// Which messages stay together on one backend in [`Mode::Message`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Affinity {
    /// None: every message goes to the least-loaded backend.
    #[default]
    None,
    /// Messages with the same PPID go to the same backend while it is up.
    Ppid,
    /// Ordered messages of one stream go to the same backend while it is
    /// up, so their order holds end to end; unordered ones are balanced.
    Stream,
}

/// How SCTP is carried on one side of the proxy.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum TransportKind {
    /// Raw IP, protocol 132 (needs `CAP_NET_RAW`).
    #[default]
    Raw,
    /// UDP encapsulation (RFC 6951).
    Udp,
}

/// The log format on stderr.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per event.
    Json,
}

/// Association timers and limits an operator tunes, per side.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Timers {
    /// RTO.Initial in milliseconds.
    pub rto_initial_ms: Option<u64>,
    /// RTO.Min in milliseconds.
    pub rto_min_ms: Option<u64>,
    /// RTO.Max in milliseconds.
    pub rto_max_ms: Option<u64>,
    /// Heartbeat interval in milliseconds (0: no heartbeats).
    pub hb_interval_ms: Option<u64>,
    /// Association.Max.Retrans.
    pub assoc_max_retrans: Option<u32>,
    /// Path.Max.Retrans.
    pub path_max_retrans: Option<u32>,
    /// Max.Init.Retransmits.
    pub max_init_retransmits: Option<u32>,
}

impl Timers {
    /// Applies the settings given to `config`.
    pub fn apply(&self, config: &mut sctp_raw::AssociationConfig) {
        let ms = Duration::from_millis;
        if let Some(v) = self.rto_initial_ms {
            config.rto_initial = ms(v);
        }
        if let Some(v) = self.rto_min_ms {
            config.rto_min = ms(v);
        }
        if let Some(v) = self.rto_max_ms {
            config.rto_max = ms(v);
        }
        if let Some(v) = self.hb_interval_ms {
            config.hb_interval = (v > 0).then(|| ms(v));
        }
        if let Some(v) = self.assoc_max_retrans {
            config.assoc_max_retrans = v;
        }
        if let Some(v) = self.path_max_retrans {
            config.path_max_retrans = v;
        }
        if let Some(v) = self.max_init_retransmits {
            config.max_init_retransmits = v;
        }
    }

    fn check(&self, at: &str) -> Result<(), ConfigError> {
        let min = self.rto_min_ms.unwrap_or(1_000);
        let max = self.rto_max_ms.unwrap_or(60_000);
        if self.rto_min_ms == Some(0) {
            return Err(ConfigError::invalid(
                format!("{at}.rto-min-ms"),
                "must be at least 1",
            ));
        }
        if (self.rto_min_ms.is_some() || self.rto_max_ms.is_some()) && min > max {
            return Err(ConfigError::invalid(
                format!("{at}.rto-max-ms"),
                format!("{max} is below rto-min-ms {min}"),
            ));
        }
        if self.assoc_max_retrans == Some(0) {
            return Err(ConfigError::invalid(
                format!("{at}.assoc-max-retrans"),
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

/// Where a listener's backends come from, and how they are reached.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BackendsConfig {
    /// Backends by address, `IP:PORT`.
    #[serde(default, rename = "static")]
    pub fixed: Vec<SocketAddr>,
    /// DNS SRV names (`_diameter._sctp.my-service.default.svc.cluster.local`),
    /// re-resolved at their records' TTL.
    #[serde(default)]
    pub srv: Vec<String>,
    /// Host names with a port (`backend.example:3868`), resolved to their
    /// A and AAAA records at the records' TTL.
    #[serde(default)]
    pub names: Vec<String>,
    /// How SCTP is carried to the backends.
    #[serde(default)]
    pub transport: TransportKind,
    /// The backends' UDP encapsulation port (RFC 6951; 9899 by default).
    #[serde(default = "default_udp_port")]
    pub udp_port: u16,
    /// The first wait before a failed backend is tried again, in milliseconds.
    #[serde(default = "default_retry_min_ms")]
    pub retry_min_ms: u64,
    /// The longest wait between two tries of a failed backend, in milliseconds.
    #[serde(default = "default_retry_max_ms")]
    pub retry_max_ms: u64,
    /// How long a backend association may take to set up, in milliseconds.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Timers of the backend associations.
    #[serde(default)]
    pub timers: Timers,
}

impl Default for BackendsConfig {
    fn default() -> Self {
        Self {
            fixed: Vec::new(),
            srv: Vec::new(),
            names: Vec::new(),
            transport: TransportKind::Raw,
            udp_port: default_udp_port(),
            retry_min_ms: default_retry_min_ms(),
            retry_max_ms: default_retry_max_ms(),
            connect_timeout_ms: default_connect_timeout_ms(),
            timers: Timers::default(),
        }
    }
}

fn default_udp_port() -> u16 {
    sctp_raw::SCTP_UDP_PORT
}
fn default_retry_min_ms() -> u64 {
    500
}
fn default_retry_max_ms() -> u64 {
    30_000
}
fn default_connect_timeout_ms() -> u64 {
    5_000
}
fn default_max_message() -> usize {
    256 * 1024
}
fn default_streams() -> u16 {
    u16::MAX
}
fn default_drain_timeout_secs() -> u64 {
    30
}

/// One listener: the addresses it accepts on, how it balances and filters,
/// and its backends.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ListenerConfig {
    /// Addresses to accept associations on (`IP:PORT`); several with the
    /// same port make one multi-homed listener.
    pub listen: Vec<SocketAddr>,
    /// How SCTP is carried on the front side.
    #[serde(default)]
    pub transport: TransportKind,
    /// The local UDP port with `transport = "udp"` (9899 by default).
    #[serde(default = "default_udp_port")]
    pub udp_port: u16,
    /// Per association (default) or per message.
    #[serde(default)]
    pub mode: Mode,
    /// In message mode, which messages stay together on one backend.
    #[serde(default)]
    pub affinity: Affinity,
    /// The most inbound and outbound streams a front association gets.
    #[serde(default = "default_streams")]
    pub streams: u16,
    /// The largest message relayed, in bytes; larger ones are dropped and counted.
    #[serde(default = "default_max_message")]
    pub max_message: usize,
    /// Messages per second a front association may send (token bucket).
    pub rate: Option<f64>,
    /// The bucket's size: messages sent at once before the rate applies
    /// (default: one second's worth).
    pub burst: Option<f64>,
    /// If given, only these PPIDs are relayed.
    #[serde(default)]
    pub allow_ppid: Vec<u32>,
    /// PPIDs never relayed.
    #[serde(default)]
    pub deny_ppid: Vec<u32>,
    /// If given, only messages on these streams are relayed.
    #[serde(default)]
    pub allow_stream: Vec<u16>,
    /// Streams whose messages are never relayed.
    #[serde(default)]
    pub deny_stream: Vec<u16>,
    /// Abort a front association (with the reason in the ABORT) on its
    /// first filtered message, rather than only dropping the message.
    #[serde(default)]
    pub abort_on_violation: bool,
    /// Timers of the front associations.
    #[serde(default)]
    pub timers: Timers,
    /// The backends.
    #[serde(default)]
    pub backends: BackendsConfig,
}

impl ListenerConfig {
    /// A listener on `listen` with every other setting at its default.
    pub fn new(listen: Vec<SocketAddr>) -> Self {
        Self {
            listen,
            transport: TransportKind::Raw,
            udp_port: default_udp_port(),
            mode: Mode::Association,
            affinity: Affinity::None,
            streams: default_streams(),
            max_message: default_max_message(),
            rate: None,
            burst: None,
            allow_ppid: Vec::new(),
            deny_ppid: Vec::new(),
            allow_stream: Vec::new(),
            deny_stream: Vec::new(),
            abort_on_violation: false,
            timers: Timers::default(),
            backends: BackendsConfig::default(),
        }
    }

    fn check(&self, at: &str) -> Result<(), ConfigError> {
        if self.listen.is_empty() {
            return Err(ConfigError::invalid(
                format!("{at}.listen"),
                "needs at least one IP:PORT",
            ));
        }
        let port = self.listen[0].port();
        if port == 0 {
            return Err(ConfigError::invalid(
                format!("{at}.listen"),
                "port 0: a listener needs a port its clients know",
            ));
        }
        if self.listen.iter().any(|a| a.port() != port) {
            return Err(ConfigError::invalid(
                format!("{at}.listen"),
                "the addresses of one listener share one port",
            ));
        }
        if self.listen.len() > 1 && self.listen.iter().any(|a| a.ip().is_unspecified()) {
            return Err(ConfigError::invalid(
                format!("{at}.listen"),
                "a multi-homed listener names each address (no 0.0.0.0 or ::)",
            ));
        }
        let b = &self.backends;
        if b.fixed.is_empty() && b.srv.is_empty() && b.names.is_empty() {
            return Err(ConfigError::invalid(
                format!("{at}.backends"),
                "no backends: give static addresses, srv names or host names",
            ));
        }
        if let Some(a) = b
            .fixed
            .iter()
            .find(|a| a.port() == 0 || a.ip().is_unspecified())
        {
            return Err(ConfigError::invalid(
                format!("{at}.backends.static"),
                format!("{a} is not an address a backend can have"),
            ));
        }
        for n in &b.names {
            crate::backend::split_host_port(n).map_err(|problem| {
                ConfigError::invalid(format!("{at}.backends.names"), format!("{n:?}: {problem}"))
            })?;
        }
        for n in &b.srv {
            if n.is_empty() || n.contains(char::is_whitespace) {
                return Err(ConfigError::invalid(
                    format!("{at}.backends.srv"),
                    format!("{n:?} is not a DNS name"),
                ));
            }
        }
        if b.retry_min_ms == 0 || b.retry_max_ms < b.retry_min_ms {
            return Err(ConfigError::invalid(
                format!("{at}.backends.retry-max-ms"),
                format!(
                    "retry-min-ms {} must be at least 1 and not above retry-max-ms {}",
                    b.retry_min_ms, b.retry_max_ms
                ),
            ));
        }
        if b.connect_timeout_ms == 0 {
            return Err(ConfigError::invalid(
                format!("{at}.backends.connect-timeout-ms"),
                "must be at least 1",
            ));
        }
        if self.streams == 0 {
            return Err(ConfigError::invalid(
                format!("{at}.streams"),
                "must be at least 1",
            ));
        }
        if self.max_message == 0 {
            return Err(ConfigError::invalid(
                format!("{at}.max-message"),
                "must be at least 1 byte",
            ));
        }
        if let Some(r) = self.rate
            && !(r.is_finite() && r > 0.0)
        {
            return Err(ConfigError::invalid(
                format!("{at}.rate"),
                format!("{r} is not a positive number of messages per second"),
            ));
        }
        if let Some(b) = self.burst {
            if self.rate.is_none() {
                return Err(ConfigError::invalid(
                    format!("{at}.burst"),
                    "a burst needs a rate",
                ));
            }
            if !(b.is_finite() && b >= 1.0) {
                return Err(ConfigError::invalid(
                    format!("{at}.burst"),
                    format!("{b} is not at least one message"),
                ));
            }
        }
        let allow: BTreeSet<_> = self.allow_ppid.iter().collect();
        if let Some(p) = self.deny_ppid.iter().find(|p| allow.contains(p)) {
            return Err(ConfigError::invalid(
                format!("{at}.deny-ppid"),
                format!("PPID {p} is both allowed and denied"),
            ));
        }
        let allow: BTreeSet<_> = self.allow_stream.iter().collect();
        if let Some(s) = self.deny_stream.iter().find(|s| allow.contains(s)) {
            return Err(ConfigError::invalid(
                format!("{at}.deny-stream"),
                format!("stream {s} is both allowed and denied"),
            ));
        }
        self.timers.check(&format!("{at}.timers"))?;
        b.timers.check(&format!("{at}.backends.timers"))?;
        Ok(())
    }
}

/// The whole configuration.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ProxyConfig {
    /// The listeners.
    #[serde(default, rename = "listener")]
    pub listeners: Vec<ListenerConfig>,
    /// Where `/healthz`, `/readyz` and `/metrics` are served (HTTP).
    pub metrics: Option<SocketAddr>,
    /// The DNS server for SRV and host names (default: `/etc/resolv.conf`).
    pub dns_server: Option<SocketAddr>,
    /// How long a drain (SIGTERM) lets associations finish before it shuts
    /// the rest down, in seconds.
    #[serde(default = "default_drain_timeout_secs")]
    pub drain_timeout_secs: u64,
    /// The log format.
    #[serde(default)]
    pub log_format: LogFormat,
}

impl Default for ProxyConfig {
    fn default() -> Self {
        Self {
            listeners: Vec::new(),
            metrics: None,
            dns_server: None,
            drain_timeout_secs: default_drain_timeout_secs(),
            log_format: LogFormat::Text,
        }
    }
}

impl ProxyConfig {
    /// Parses a TOML configuration; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_owned(),
            message: e.to_string(),
        })
    }

    /// Reads and parses a TOML file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml(&text, &path.display().to_string())
    }

    /// Checks every setting, so that a proxy that starts can run.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.listeners.is_empty() {
            return Err(ConfigError::invalid(
                "listener",
                "no listener: give --listen or a [[listener]] table",
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, l) in self.listeners.iter().enumerate() {
            l.check(&format!("listener[{i}]"))?;
            for a in &l.listen {
                if !seen.insert((l.transport, *a)) {
                    return Err(ConfigError::invalid(
                        format!("listener[{i}].listen"),
                        format!("{a} is listened on twice"),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
        metrics = "127.0.0.1:9090"
        drain-timeout-secs = 5
        dns-server = "198.18.0.53:53"
        log-format = "json"

        [[listener]]
        listen = ["198.18.0.1:3868"]
        transport = "udp"
        udp-port = 9900
        mode = "message"
        affinity = "ppid"
        max-message = 4096
        rate = 100.0
        burst = 20.0
        allow-ppid = [46]
        deny-stream = [7]
        abort-on-violation = true
        timers = { rto-min-ms = 100, rto-max-ms = 400 }

        [listener.backends]
        static = ["198.18.2.2:3868"]
        srv = ["_diameter._sctp.backend.default.svc.cluster.local"]
        names = ["backend.test:3868"]
        retry-min-ms = 100
        timers = { assoc-max-retrans = 4 }
    "#;

    #[test]
    fn a_full_file_parses_into_every_setting() {
        let c = ProxyConfig::from_toml(FULL, "test").unwrap();
        c.check().unwrap();
        assert_eq!(c.metrics, Some("127.0.0.1:9090".parse().unwrap()));
        assert_eq!(c.log_format, LogFormat::Json);
        let l = &c.listeners[0];
        assert_eq!(l.transport, TransportKind::Udp);
        assert_eq!((l.mode, l.affinity), (Mode::Message, Affinity::Ppid));
        assert_eq!(
            (l.max_message, l.rate, l.burst),
            (4096, Some(100.0), Some(20.0))
        );
        assert_eq!(l.allow_ppid, vec![46]);
        assert_eq!(l.deny_stream, vec![7]);
        assert!(l.abort_on_violation);
        assert_eq!(l.timers.rto_max_ms, Some(400));
        assert_eq!(l.backends.fixed, vec!["198.18.2.2:3868".parse().unwrap()]);
        assert_eq!(l.backends.transport, TransportKind::Raw);
        assert_eq!(l.backends.retry_max_ms, 30_000);
        assert_eq!(l.backends.timers.assoc_max_retrans, Some(4));
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let e = ProxyConfig::from_toml("[[listener]]\nlisten = []\nratee = 5\n", "p.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("p.toml") && e.contains("ratee"), "{e}");
    }

    #[test]
    fn bad_settings_are_refused_naming_the_setting() {
        let base = ProxyConfig::from_toml(FULL, "test").unwrap();
        type Change = fn(&mut ListenerConfig);
        let cases: Vec<(Change, &str)> = vec![
            (|l| l.listen.clear(), "listener[0].listen"),
            (
                |l| l.backends.fixed[0].set_port(0),
                "listener[0].backends.static",
            ),
            (|l| l.rate = Some(0.0), "listener[0].rate"),
            (|l| l.deny_ppid = vec![46], "listener[0].deny-ppid"),
            (
                |l| l.backends.names = vec!["nohost".into()],
                "listener[0].backends.names",
            ),
            (
                |l| l.timers.rto_min_ms = Some(500),
                "listener[0].timers.rto-max-ms",
            ),
            (|l| l.max_message = 0, "listener[0].max-message"),
        ];
        for (change, setting) in cases {
            let mut c = base.clone();
            change(&mut c.listeners[0]);
            let e = c.check().unwrap_err().to_string();
            assert!(e.starts_with(setting), "{setting}: {e}");
        }
        let mut c = base.clone();
        c.listeners.push(base.listeners[0].clone());
        let e = c.check().unwrap_err().to_string();
        assert!(e.contains("listened on twice"), "{e}");
    }
}
