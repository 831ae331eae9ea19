//! `sctp-proxy`: the command line. Flags describe one listener (or add one
//! to those of `--config`); the global ones override the file's.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use sctp_proxy::config::{
    Affinity, ConfigError, ListenerConfig, LogFormat, Mode, ProxyConfig, TransportKind,
};
use sctp_proxy::{Proxy, http};

const PROGRAM: &str = "sctp-proxy";

/// A message-aware SCTP proxy and load balancer (userspace SCTP: raw IP or
/// UDP encapsulation, no kernel SCTP module).
///
/// Relays every message of each client association to a backend, keeping
/// stream, PPID and unordered flag, and the answers back. SIGTERM or SIGINT
/// drains: no new associations, the current ones finish (or are shut down
/// gracefully after --drain-timeout-secs), then exit 0. Logs go to stderr,
/// filtered by RUST_LOG (default info).
#[derive(Debug, Parser)]
#[command(name = PROGRAM, version, about, long_about)]
struct Cli {
    /// Address and SCTP port to accept associations on; repeat for a
    /// multi-homed listener (same port).
    #[arg(long, value_name = "IP:PORT")]
    listen: Vec<SocketAddr>,

    /// A backend's address and SCTP port; repeat for more.
    #[arg(long, value_name = "IP:PORT")]
    backend: Vec<SocketAddr>,

    /// A DNS SRV name whose records list backends, e.g.
    /// _diameter._sctp.my-service.default.svc.cluster.local; repeat for more.
    #[arg(long, value_name = "NAME")]
    srv: Vec<String>,

    /// A backend host name with its port, resolved to A/AAAA records; repeat for more.
    #[arg(long = "backend-name", value_name = "HOST:PORT")]
    backend_name: Vec<String>,

    /// Balance per association (default) or per message.
    #[arg(long, value_enum)]
    mode: Option<Mode>,

    /// In message mode, keep messages with the same PPID, or ordered
    /// messages of the same stream, on one backend.
    #[arg(long, value_enum)]
    affinity: Option<Affinity>,

    /// Relay only messages with this PPID; repeat for more.
    #[arg(long, value_name = "N")]
    allow_ppid: Vec<u32>,

    /// Never relay messages with this PPID; repeat for more.
    #[arg(long, value_name = "N")]
    deny_ppid: Vec<u32>,

    /// Relay only messages on this stream; repeat for more.
    #[arg(long, value_name = "S")]
    allow_stream: Vec<u16>,

    /// Never relay messages on this stream; repeat for more.
    #[arg(long, value_name = "S")]
    deny_stream: Vec<u16>,

    /// Largest message relayed (bytes); larger ones are dropped and counted.
    #[arg(long, value_name = "BYTES")]
    max_message: Option<usize>,

    /// Messages per second a client association may send (more are dropped and counted).
    #[arg(long, value_name = "MSGS_PER_SEC")]
    rate: Option<f64>,

    /// Messages a client may send at once before --rate applies (default: one second's worth).
    #[arg(long, value_name = "MSGS")]
    burst: Option<f64>,

    /// Abort a client's association (with the reason in the ABORT) at its
    /// first message a filter refuses.
    #[arg(long)]
    abort_on_violation: bool,

    /// Most streams a client association gets each way.
    #[arg(long, value_name = "N")]
    streams: Option<u16>,

    /// How clients reach the proxy.
    #[arg(long, value_enum)]
    transport: Option<TransportKind>,

    /// Our UDP port with --transport udp (default 9899).
    #[arg(long, value_name = "PORT")]
    udp_port: Option<u16>,

    /// How the proxy reaches its backends.
    #[arg(long, value_enum)]
    backend_transport: Option<TransportKind>,

    /// The backends' UDP port with --backend-transport udp (default 9899).
    #[arg(long, value_name = "PORT")]
    backend_udp_port: Option<u16>,

    /// First wait before a failed backend is tried again (ms; doubles up to --retry-max-ms).
    #[arg(long, value_name = "MS")]
    retry_min_ms: Option<u64>,

    /// Longest wait between two tries of a failed backend (ms).
    #[arg(long, value_name = "MS")]
    retry_max_ms: Option<u64>,

    /// How long a backend association may take to set up before the
    /// backend counts as failed (ms; default 5000).
    #[arg(long, value_name = "MS")]
    backend_connect_timeout_ms: Option<u64>,

    /// RTO.Min of the backend associations (ms).
    #[arg(long, value_name = "MS")]
    backend_rto_min_ms: Option<u64>,

    /// RTO.Max of the backend associations (ms).
    #[arg(long, value_name = "MS")]
    backend_rto_max_ms: Option<u64>,

    /// RTO.Initial of the backend associations (ms).
    #[arg(long, value_name = "MS")]
    backend_rto_initial_ms: Option<u64>,

    /// Heartbeat interval of the backend associations (ms; 0: none).
    #[arg(long, value_name = "MS")]
    backend_hb_interval_ms: Option<u64>,

    /// Association.Max.Retrans of the backend associations: how many
    /// unanswered retransmissions mean the backend is lost.
    #[arg(long, value_name = "N")]
    backend_assoc_max_retrans: Option<u32>,

    /// Serve /healthz, /readyz and /metrics (Prometheus) over HTTP here.
    #[arg(long, value_name = "IP:PORT")]
    metrics: Option<SocketAddr>,

    /// The DNS server for --srv and --backend-name (default: /etc/resolv.conf).
    #[arg(long, value_name = "IP:PORT")]
    dns_server: Option<SocketAddr>,

    /// How long a drain lets associations finish before shutting them down (s).
    #[arg(long, value_name = "SECS")]
    drain_timeout_secs: Option<u64>,

    /// Log format on stderr.
    #[arg(long, value_enum)]
    log_format: Option<LogFormat>,

    /// A TOML configuration file (the same settings; see the crate's README).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

impl Cli {
    /// Whether any flag that describes a listener was given.
    fn has_listener_flags(&self) -> Option<&'static str> {
        let given = [
            (!self.backend.is_empty(), "--backend"),
            (!self.srv.is_empty(), "--srv"),
            (!self.backend_name.is_empty(), "--backend-name"),
            (self.mode.is_some(), "--mode"),
            (self.affinity.is_some(), "--affinity"),
            (!self.allow_ppid.is_empty(), "--allow-ppid"),
            (!self.deny_ppid.is_empty(), "--deny-ppid"),
            (!self.allow_stream.is_empty(), "--allow-stream"),
            (!self.deny_stream.is_empty(), "--deny-stream"),
            (self.max_message.is_some(), "--max-message"),
            (self.rate.is_some(), "--rate"),
            (self.burst.is_some(), "--burst"),
            (self.abort_on_violation, "--abort-on-violation"),
            (self.streams.is_some(), "--streams"),
            (self.transport.is_some(), "--transport"),
            (self.udp_port.is_some(), "--udp-port"),
            (self.backend_transport.is_some(), "--backend-transport"),
            (self.backend_udp_port.is_some(), "--backend-udp-port"),
            (self.retry_min_ms.is_some(), "--retry-min-ms"),
            (self.retry_max_ms.is_some(), "--retry-max-ms"),
            (
                self.backend_connect_timeout_ms.is_some(),
                "--backend-connect-timeout-ms",
            ),
            (self.backend_rto_min_ms.is_some(), "--backend-rto-min-ms"),
            (self.backend_rto_max_ms.is_some(), "--backend-rto-max-ms"),
            (
                self.backend_rto_initial_ms.is_some(),
                "--backend-rto-initial-ms",
            ),
            (
                self.backend_hb_interval_ms.is_some(),
                "--backend-hb-interval-ms",
            ),
            (
                self.backend_assoc_max_retrans.is_some(),
                "--backend-assoc-max-retrans",
            ),
        ];
        given.iter().find(|(g, _)| *g).map(|(_, f)| *f)
    }

    /// The configuration: the file's, the flags' listener added, the
    /// global flags applied.
    fn into_config(self) -> Result<ProxyConfig, ConfigError> {
        let mut config = match &self.config {
            Some(path) => ProxyConfig::from_file(path)?,
            None => ProxyConfig::default(),
        };
        if self.listen.is_empty() {
            if let Some(flag) = self.has_listener_flags() {
                return Err(ConfigError::Invalid {
                    setting: flag.to_owned(),
                    problem: "describes a listener: give --listen too (or put it in the config file's [[listener]])".to_owned(),
                });
            }
        } else {
            let mut l = ListenerConfig::new(self.listen.clone());
            let b = &mut l.backends;
            b.fixed = self.backend.clone();
            b.srv = self.srv.clone();
            b.names = self.backend_name.clone();
            if let Some(v) = self.backend_transport {
                b.transport = v;
            }
            if let Some(v) = self.backend_udp_port {
                b.udp_port = v;
            }
            if let Some(v) = self.retry_min_ms {
                b.retry_min_ms = v;
            }
            if let Some(v) = self.retry_max_ms {
                b.retry_max_ms = v;
            }
            if let Some(v) = self.backend_connect_timeout_ms {
                b.connect_timeout_ms = v;
            }
            b.timers.rto_min_ms = self.backend_rto_min_ms;
            b.timers.rto_max_ms = self.backend_rto_max_ms;
            b.timers.rto_initial_ms = self.backend_rto_initial_ms;
            b.timers.hb_interval_ms = self.backend_hb_interval_ms;
            b.timers.assoc_max_retrans = self.backend_assoc_max_retrans;
            if let Some(v) = self.mode {
                l.mode = v;
            }
            if let Some(v) = self.affinity {
                l.affinity = v;
            }
            l.allow_ppid = self.allow_ppid.clone();
            l.deny_ppid = self.deny_ppid.clone();
            l.allow_stream = self.allow_stream.clone();
            l.deny_stream = self.deny_stream.clone();
            if let Some(v) = self.max_message {
                l.max_message = v;
            }
            l.rate = self.rate;
            l.burst = self.burst;
            l.abort_on_violation = self.abort_on_violation;
            if let Some(v) = self.streams {
                l.streams = v;
            }
            if let Some(v) = self.transport {
                l.transport = v;
            }
            if let Some(v) = self.udp_port {
                l.udp_port = v;
            }
            config.listeners.push(l);
        }
        if self.metrics.is_some() {
            config.metrics = self.metrics;
        }
        if self.dns_server.is_some() {
            config.dns_server = self.dns_server;
        }
        if let Some(v) = self.drain_timeout_secs {
            config.drain_timeout_secs = v;
        }
        if let Some(v) = self.log_format {
            config.log_format = v;
        }
        config.check()?;
        Ok(config)
    }
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match cli.into_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{PROGRAM}: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{PROGRAM}: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{PROGRAM}: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: ProxyConfig) -> Result<(), String> {
    use tokio::signal::unix::{SignalKind, signal};
    // Signals first, so that a SIGTERM during start-up is not lost.
    let mut term = signal(SignalKind::terminate()).map_err(|e| format!("SIGTERM handler: {e}"))?;
    let mut int = signal(SignalKind::interrupt()).map_err(|e| format!("SIGINT handler: {e}"))?;
    let proxy = Proxy::start(&config).await.map_err(|e| e.to_string())?;
    if let Some(addr) = config.metrics {
        let listener = http::bind(addr)
            .await
            .map_err(|e| format!("metrics on {addr}: {e}"))?;
        tracing::info!(%addr, "serving /healthz, /readyz and /metrics");
        tokio::spawn(http::serve(listener, proxy.clone()));
    }
    println!(
        "{PROGRAM}: listening on {}",
        proxy
            .local_addrs()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let which = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    };
    tracing::info!(signal = which, "draining");
    proxy.drain().await;
    println!("{PROGRAM}: drained after {which}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<ProxyConfig, ConfigError> {
        let mut all = vec![PROGRAM];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).unwrap().into_config()
    }

    #[test]
    fn flags_make_one_listener() {
        let c = parse(&[
            "--listen",
            "198.18.0.1:3868",
            "--backend",
            "198.18.2.2:3868",
            "--backend",
            "198.18.3.2:3868",
            "--mode",
            "message",
            "--allow-ppid",
            "46",
            "--max-message",
            "4096",
            "--rate",
            "50",
            "--metrics",
            "127.0.0.1:9090",
        ])
        .unwrap();
        let l = &c.listeners[0];
        assert_eq!(l.backends.fixed.len(), 2);
        assert_eq!(l.mode, Mode::Message);
        assert_eq!((l.max_message, l.rate), (4096, Some(50.0)));
        assert_eq!(c.metrics, Some("127.0.0.1:9090".parse().unwrap()));
    }

    #[test]
    fn listener_flags_without_listen_are_refused_by_name() {
        let e = parse(&["--backend", "198.18.2.2:3868"])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("--backend"), "{e}");
        let e = parse(&[]).unwrap_err().to_string();
        assert!(e.contains("no listener"), "{e}");
        let e = parse(&["--listen", "198.18.0.1:3868"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("no backends"), "{e}");
    }
}
