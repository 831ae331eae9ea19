//! Shared code of the example programs `sctp-echo` and `sctp-perf`:
//! command-line pieces common to both, the association configuration they
//! build from them, throughput figures, and error reporting with exit codes.
//!
//! ```
//! use sctp_examples::Throughput;
//! let t = Throughput { bytes: 2_000_000, messages: 1000, seconds: 2.0 };
//! assert_eq!(t.mbytes_per_sec(), 1.0);
//! assert!(t.json_line().starts_with('{'));
//! ```

use std::collections::BTreeSet;
use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};
use sctp_raw::{AssociationConfig, Config, SctpAssociation, SctpEndpoint, Transport};

/// The name the example programs report in their help text.
pub const NAME: &str = "sctp-examples";

/// The default UDP encapsulation port (RFC 6951).
pub const DEFAULT_UDP_PORT: u16 = 9899;

/// Exit code for usage errors (bad command line), as clap uses.
pub const EXIT_USAGE: u8 = 2;

/// Exit code for runtime failures.
pub const EXIT_FAILURE: u8 = 1;

/// Which transport carries the SCTP packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransportKind {
    /// SCTP directly over IP (raw `IPPROTO_SCTP` sockets; needs root or `CAP_NET_RAW`).
    Raw,
    /// SCTP over UDP (RFC 6951), no privileges needed.
    Udp,
}

/// Options every mode of both programs takes.
#[derive(Debug, Clone, Args)]
pub struct CommonOpts {
    /// Transport: `raw` is SCTP over IP (needs root or CAP_NET_RAW), `udp` is
    /// SCTP encapsulated in UDP (RFC 6951), which needs no privileges.
    #[arg(long, value_enum, default_value_t = TransportKind::Raw)]
    pub transport: TransportKind,

    /// UDP encapsulation port, used as both the local and the remote port with
    /// `--transport udp`.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_UDP_PORT)]
    pub udp_port: u16,

    /// Local UDP encapsulation port, if it should differ from `--udp-port`
    /// (0 picks a free one; useful for a client on the same host as the server).
    #[arg(long, value_name = "N")]
    pub udp_local_port: Option<u16>,

    /// Protocol tuning: RTO.Initial in milliseconds (default 1000).
    #[arg(long, value_name = "MS", help_heading = "Protocol tuning")]
    pub rto_initial_ms: Option<u64>,

    /// Protocol tuning: RTO.Min in milliseconds (default 1000).
    #[arg(long, value_name = "MS", help_heading = "Protocol tuning")]
    pub rto_min_ms: Option<u64>,

    /// Protocol tuning: RTO.Max in milliseconds (default 60000).
    #[arg(long, value_name = "MS", help_heading = "Protocol tuning")]
    pub rto_max_ms: Option<u64>,

    /// Protocol tuning: heartbeat interval in milliseconds, 0 turns
    /// heartbeats off (default 30000).
    #[arg(long, value_name = "MS", help_heading = "Protocol tuning")]
    pub hb_interval_ms: Option<u64>,

    /// Protocol tuning: Association.Max.Retrans and Path.Max.Retrans, the
    /// unanswered retransmissions or heartbeats after which the peer counts
    /// as unreachable (default 10 and 5).
    #[arg(long, value_name = "N", help_heading = "Protocol tuning")]
    pub max_retrans: Option<u32>,

    /// Protocol tuning: Association.Max.Retrans alone (default 10); wins
    /// over `--max-retrans`.
    #[arg(long, value_name = "N", help_heading = "Protocol tuning")]
    pub assoc_max_retrans: Option<u32>,

    /// Protocol tuning: Path.Max.Retrans alone, the errors after which a
    /// path is unreachable (default 5); wins over `--max-retrans`.
    #[arg(long, value_name = "N", help_heading = "Protocol tuning")]
    pub path_max_retrans: Option<u32>,

    /// Protocol tuning: PotentiallyFailed.Max.Retrans (RFC 7829), the
    /// errors after which data moves to another path (default 0: at the
    /// first timeout).
    #[arg(long, value_name = "N", help_heading = "Protocol tuning")]
    pub pf_max_retrans: Option<u32>,

    /// Protocol tuning: the receive window advertised (a_rwnd) in bytes
    /// (default 1048576). Messages larger than half of it arrive in pieces
    /// (partial delivery) and are joined again.
    #[arg(long, value_name = "BYTES", help_heading = "Protocol tuning")]
    pub receive_window: Option<u32>,

    /// Write every SCTP packet sent and received to this pcap file (for
    /// Wireshark or tshark; the IP and UDP headers in it are reconstructed).
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<std::path::PathBuf>,
}

/// A command line that parsed but makes no sense; reported with exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    /// A numeric option is below its minimum.
    #[error("{option} must be at least {min}, got {value}")]
    TooSmall {
        /// The option, as spelled on the command line.
        option: &'static str,
        /// The smallest value allowed.
        min: u64,
        /// The value given.
        value: u64,
    },
    /// A numeric option is above its maximum.
    #[error("{option} must be at most {max}, got {value}")]
    TooLarge {
        /// The option, as spelled on the command line.
        option: &'static str,
        /// The largest value allowed.
        max: u64,
        /// The value given.
        value: u64,
    },
    /// Two options that exclude each other.
    #[error("{0}")]
    Conflict(&'static str),
}

impl UsageError {
    /// Checks `min <= value <= max` for `option`.
    pub fn check_range(option: &'static str, value: u64, min: u64, max: u64) -> Result<(), Self> {
        if value < min {
            Err(Self::TooSmall { option, min, value })
        } else if value > max {
            Err(Self::TooLarge { option, max, value })
        } else {
            Ok(())
        }
    }
}

impl CommonOpts {
    /// Checks the options that clap cannot check by itself.
    pub fn validate(&self) -> Result<(), UsageError> {
        if let (Some(min), Some(max)) = (self.rto_min_ms, self.rto_max_ms)
            && min > max
        {
            return Err(UsageError::Conflict(
                "--rto-min-ms must not be larger than --rto-max-ms",
            ));
        }
        for (option, value) in [
            ("--rto-initial-ms", self.rto_initial_ms),
            ("--rto-min-ms", self.rto_min_ms),
            ("--rto-max-ms", self.rto_max_ms),
        ] {
            if let Some(v) = value {
                UsageError::check_range(option, v, 1, 3_600_000)?;
            }
        }
        if let Some(w) = self.receive_window {
            UsageError::check_range("--receive-window", u64::from(w), 1500, u64::from(u32::MAX))?;
        }
        if self.transport == TransportKind::Udp && self.udp_port == 0 {
            return Err(UsageError::TooSmall {
                option: "--udp-port",
                min: 1,
                value: 0,
            });
        }
        Ok(())
    }

    /// The association parameters these options ask for, starting from `base`.
    pub fn association_config(&self, base: AssociationConfig) -> AssociationConfig {
        let mut cfg = base;
        if let Some(ms) = self.rto_initial_ms {
            cfg.rto_initial = Duration::from_millis(ms);
        }
        if let Some(ms) = self.rto_min_ms {
            cfg.rto_min = Duration::from_millis(ms);
            if cfg.rto_initial < cfg.rto_min {
                cfg.rto_initial = cfg.rto_min;
            }
        }
        if let Some(ms) = self.rto_max_ms {
            cfg.rto_max = Duration::from_millis(ms);
            if cfg.rto_initial > cfg.rto_max {
                cfg.rto_initial = cfg.rto_max;
            }
            if cfg.rto_min > cfg.rto_max {
                cfg.rto_min = cfg.rto_max;
            }
        }
        if let Some(ms) = self.hb_interval_ms {
            cfg.hb_interval = (ms > 0).then(|| Duration::from_millis(ms));
        }
        if let Some(n) = self.max_retrans {
            cfg.assoc_max_retrans = n;
            cfg.path_max_retrans = n;
        }
        if let Some(n) = self.assoc_max_retrans {
            cfg.assoc_max_retrans = n;
        }
        if let Some(n) = self.path_max_retrans {
            cfg.path_max_retrans = n;
        }
        if let Some(n) = self.pf_max_retrans {
            cfg.pf_max_retrans = n;
        }
        if let Some(w) = self.receive_window {
            cfg.receive_window = w;
        }
        cfg
    }

    /// The transport these options select.
    pub fn transport(&self) -> Transport {
        match self.transport {
            TransportKind::Raw => Transport::Raw,
            TransportKind::Udp => Transport::Udp {
                local_port: self.udp_local_port.unwrap_or(self.udp_port),
                remote_port: self.udp_port,
            },
        }
    }

    /// The full stack configuration: `base` association parameters adjusted
    /// by these options, on the selected transport.
    pub fn config(&self, base: AssociationConfig) -> Config {
        let config = Config::default()
            .association(self.association_config(base))
            .transport(self.transport());
        match &self.pcap {
            Some(path) => config.pcap(path),
            None => config,
        }
    }
}

/// Amount of data moved in some time, with the derived rates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throughput {
    /// User payload bytes.
    pub bytes: u64,
    /// User messages.
    pub messages: u64,
    /// Elapsed wall-clock seconds.
    pub seconds: f64,
}

impl Throughput {
    /// Megabytes (10^6 bytes) per second.
    pub fn mbytes_per_sec(&self) -> f64 {
        if self.seconds > 0.0 {
            self.bytes as f64 / 1e6 / self.seconds
        } else {
            0.0
        }
    }

    /// Messages per second.
    pub fn messages_per_sec(&self) -> f64 {
        if self.seconds > 0.0 {
            self.messages as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// The figures as a JSON object with the keys `bytes`, `messages`,
    /// `seconds`, `mbytes_per_sec` and `messages_per_sec`.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "bytes": self.bytes,
            "messages": self.messages,
            "seconds": self.seconds,
            "mbytes_per_sec": self.mbytes_per_sec(),
            "messages_per_sec": self.messages_per_sec(),
        })
    }

    /// [`Self::json`] on one line.
    pub fn json_line(&self) -> String {
        self.json().to_string()
    }
}

impl fmt::Display for Throughput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} bytes, {} messages in {:.3} s: {:.3} MB/s, {:.0} messages/s",
            self.bytes,
            self.messages,
            self.seconds,
            self.mbytes_per_sec(),
            self.messages_per_sec()
        )
    }
}

/// Sets up logging to stderr, filtered by `RUST_LOG` (default `warn`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .try_init();
}

/// A runtime failure: what we were doing, and the error that stopped it.
#[derive(Debug, thiserror::Error)]
#[error("{context}: {source}")]
pub struct Failure {
    /// What the program was doing, e.g. "connecting to 198.18.0.2:7".
    pub context: String,
    /// What went wrong.
    #[source]
    pub source: io::Error,
}

impl Failure {
    /// A failure while doing `context`.
    pub fn new(context: impl Into<String>, source: impl Into<io::Error>) -> Self {
        Self {
            context: context.into(),
            source: source.into(),
        }
    }

    /// A failure that is not an I/O error (e.g. a check that did not pass).
    pub fn msg(context: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(context, io::Error::other(message.into()))
    }
}

/// Adds context to a fallible step.
pub trait Context<T> {
    /// Wraps the error as a [`Failure`] while doing `context`.
    fn context(self, context: impl FnOnce() -> String) -> Result<T, Failure>;
}

impl<T, E: Into<io::Error>> Context<T> for Result<T, E> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T, Failure> {
        self.map_err(|e| Failure::new(context(), e))
    }
}

/// The hint printed when raw sockets are refused.
pub const PERMISSION_HINT: &str = "hint: SCTP over raw IP sockets needs root or the CAP_NET_RAW capability \
     (e.g. `sudo setcap cap_net_raw+ep $(command -v sctp-perf)`); \
     or use `--transport udp` on both sides, which needs no privileges";

/// Reports `failure` on stderr (with a hint for permission problems) and
/// returns exit code 1.
pub fn report_failure(program: &str, failure: &Failure) -> ExitCode {
    eprintln!("{program}: error: {failure}");
    if failure.source.kind() == io::ErrorKind::PermissionDenied {
        eprintln!("{program}: {PERMISSION_HINT}");
    }
    ExitCode::from(EXIT_FAILURE)
}

/// Reports a usage error on stderr and returns exit code 2.
pub fn report_usage(program: &str, err: &UsageError) -> ExitCode {
    eprintln!("{program}: error: {err}");
    eprintln!("{program}: try '{program} --help' for more information");
    ExitCode::from(EXIT_USAGE)
}

/// Builds the multi-threaded tokio runtime the programs run on.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context(|| "starting the async runtime".to_owned())
}

/// Waits (at most 10 s) until `assoc` is gone, e.g. for the SHUTDOWN
/// handshake the peer started to finish before the process exits. Returns
/// how many messages the stack reported as not delivered meanwhile.
pub async fn wait_closed(assoc: &SctpAssociation) -> usize {
    let mut failed = 0;
    let drain = async {
        while let Some(event) = assoc.next_event().await {
            if matches!(event, sctp_raw::AssociationEvent::SendFailed { .. }) {
                failed += 1;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(10), drain).await;
    failed
}

/// This process's resident memory in KiB (`VmRSS` of `/proc/self/status`).
pub fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time (user plus system) this process has used so far.
pub fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    // /proc reports clock ticks of USER_HZ, which is 100 on Linux.
    Some(Duration::from_millis(ticks * 10))
}

/// The payload of echo message number `index` with `size` bytes: the index
/// (8 bytes, big-endian) followed by a pattern derived from it.
///
/// `size` must be at least 8.
pub fn echo_payload(index: u64, size: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(size);
    v.extend_from_slice(&index.to_be_bytes()[..size.min(8)]);
    let mut x = index.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    while v.len() < size {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.push(x as u8);
    }
    v
}

/// The index an echo payload carries, if it has one.
pub fn echo_index(payload: &[u8]) -> Option<u64> {
    let head: [u8; 8] = payload.get(..8)?.try_into().ok()?;
    Some(u64::from_be_bytes(head))
}

/// Whether `payload` is exactly `echo_payload(echo_index(payload), payload.len())`,
/// checked without allocating.
pub fn echo_payload_is_intact(payload: &[u8]) -> bool {
    let Some(index) = echo_index(payload) else {
        return false;
    };
    let mut x = index.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    payload[8..].iter().all(|&b| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b == x as u8
    })
}

/// Exactly-once and integrity bookkeeping for numbered payloads
/// ([`echo_payload`]), in bounded memory: only indexes that arrived ahead of a
/// missing one are remembered, and reordering is bounded by the window.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeliveryCheck {
    /// Every index below this one arrived.
    pub contiguous: u64,
    ahead: BTreeSet<u64>,
    /// Messages whose index had already arrived.
    pub duplicates: u64,
    /// Messages whose bytes do not match their index (or too short to carry one).
    pub corrupt: u64,
}

impl DeliveryCheck {
    /// Records one received payload.
    pub fn record(&mut self, payload: &[u8]) {
        if !echo_payload_is_intact(payload) {
            self.corrupt += 1;
            return;
        }
        let Some(index) = echo_index(payload) else {
            self.corrupt += 1;
            return;
        };
        if index < self.contiguous || !self.ahead.insert(index) {
            self.duplicates += 1;
            return;
        }
        while self.ahead.remove(&self.contiguous) {
            self.contiguous += 1;
        }
    }

    /// Indexes below the highest one seen that never arrived.
    pub fn missing(&self) -> u64 {
        self.ahead.last().map_or(0, |&max| {
            max + 1 - self.contiguous - self.ahead.len() as u64
        })
    }

    /// Whether exactly the indexes `0..n` arrived, each once and intact.
    pub fn is_exactly(&self, n: u64) -> bool {
        self.contiguous == n && self.ahead.is_empty() && self.duplicates == 0 && self.corrupt == 0
    }

    /// The figures as a JSON object: `contiguous`, `duplicates`, `corrupt`, `missing`.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "contiguous": self.contiguous,
            "duplicates": self.duplicates,
            "corrupt": self.corrupt,
            "missing": self.missing(),
        })
    }
}

impl fmt::Display for DeliveryCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "messages 0..{} all arrived; {} duplicate(s), {} corrupt, {} missing",
            self.contiguous,
            self.duplicates,
            self.corrupt,
            self.missing()
        )
    }
}

/// Addresses as one line: `a, b, c`.
pub fn addr_list(addrs: &[SocketAddr]) -> String {
    let list: Vec<String> = addrs.iter().map(ToString::to_string).collect();
    list.join(", ")
}

/// The endpoint for `--bind` given once or more: one address as
/// [`SctpEndpoint::bind`], several as a multi-homed endpoint on all of
/// them ([`SctpEndpoint::bind_all`], RFC 6458 `sctp_bindx`).
pub async fn bind_endpoint(binds: &[SocketAddr], config: Config) -> Result<SctpEndpoint, Failure> {
    let what = || format!("listening on {}", addr_list(binds));
    match binds {
        [one] => SctpEndpoint::bind(*one, config).await.context(what),
        many => SctpEndpoint::bind_all(many, config).await.context(what),
    }
}

/// Connects to `server` and the peer's further addresses `remotes` (same
/// port; RFC 6458 `sctp_connectx`) from our addresses `locals` (none: any
/// address; several: a multi-homed client).
pub async fn connect_multihomed(
    server: SocketAddr,
    locals: &[IpAddr],
    remotes: &[IpAddr],
    config: Config,
) -> Result<SctpAssociation, Failure> {
    let peer: Vec<SocketAddr> = std::iter::once(server)
        .chain(remotes.iter().map(|ip| SocketAddr::new(*ip, server.port())))
        .collect();
    let what = || format!("connecting to {server}");
    let ep = match locals {
        [] if remotes.is_empty() => {
            return SctpAssociation::connect(server, config).await.context(what);
        }
        [] => {
            let any: IpAddr = if server.is_ipv6() {
                std::net::Ipv6Addr::UNSPECIFIED.into()
            } else {
                std::net::Ipv4Addr::UNSPECIFIED.into()
            };
            SctpEndpoint::client(SocketAddr::new(any, 0), config).await
        }
        [one] => SctpEndpoint::client(SocketAddr::new(*one, 0), config).await,
        many => {
            let addrs: Vec<SocketAddr> = many.iter().map(|ip| SocketAddr::new(*ip, 0)).collect();
            SctpEndpoint::client_all(&addrs, config).await
        }
    }
    .context(|| "opening the client endpoint".to_owned())?;
    ep.connect_all(&peer).await.context(what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_roundtrip() {
        for i in [0, 1, 99, u64::MAX] {
            let p = echo_payload(i, 100);
            assert_eq!(p.len(), 100);
            assert_eq!(echo_index(&p), Some(i));
            assert_eq!(p, echo_payload(i, 100));
        }
        assert_ne!(echo_payload(1, 100), echo_payload(2, 100));
        assert_eq!(echo_index(&[1, 2]), None);
    }

    #[test]
    fn delivery_check_counts_duplicates_corruption_and_gaps() {
        let mut c = DeliveryCheck::default();
        for i in [0, 2, 1, 1, 3] {
            c.record(&echo_payload(i, 40));
        }
        assert!(!c.is_exactly(4));
        assert_eq!((c.contiguous, c.duplicates, c.corrupt), (4, 1, 0));
        let mut bad = echo_payload(4, 40);
        bad[20] ^= 1;
        c.record(&bad);
        c.record(&[1, 2, 3]);
        c.record(&echo_payload(7, 9));
        assert_eq!((c.contiguous, c.corrupt, c.missing()), (4, 2, 3));
        let mut clean = DeliveryCheck::default();
        for i in (0..100).rev() {
            clean.record(&echo_payload(i, 8 + i as usize));
        }
        assert!(clean.is_exactly(100), "{clean}");
        assert_eq!(clean.json()["missing"], 0);
    }

    #[test]
    fn throughput_json_has_exactly_the_keys() {
        let t = Throughput {
            bytes: 3_000_000,
            messages: 3,
            seconds: 1.5,
        };
        let v: serde_json::Value = serde_json::from_str(&t.json_line()).unwrap();
        let mut keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "bytes",
                "mbytes_per_sec",
                "messages",
                "messages_per_sec",
                "seconds"
            ]
        );
        assert_eq!(v["mbytes_per_sec"], 2.0);
        assert_eq!(v["messages_per_sec"], 2.0);
        assert!(t.to_string().contains("2.000 MB/s"));
    }

    #[test]
    fn range_check() {
        assert!(UsageError::check_range("--size", 5, 8, 10).is_err());
        assert!(UsageError::check_range("--size", 11, 8, 10).is_err());
        assert!(UsageError::check_range("--size", 9, 8, 10).is_ok());
        let e = UsageError::check_range("--size", 5, 8, 10).unwrap_err();
        assert_eq!(e.to_string(), "--size must be at least 8, got 5");
    }
}
