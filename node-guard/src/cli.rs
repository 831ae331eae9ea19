//! The command line (clap derive).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::k8s::node::DEFAULT_PREFIX;
use crate::run::BlockMode;

/// Keeps the kernel SCTP module (lksctp) off Kubernetes nodes dedicated to userspace SCTP.
#[derive(Debug, Parser)]
#[command(name = "node-guard", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Preflight check: decide the kernel SCTP state (exit 0 ok, 1 violation, 2 unknown,
    /// 3 could not run).
    Check(CheckArgs),
    /// Write /etc/modprobe.d/00-node-guard-sctp.conf blocking sctp and sctp_diag, then prove
    /// it holds (exit 1 saying why when sctp can still load).
    Block(BlockArgs),
    /// Remove the drop-in written by `block` (and nothing else).
    Unblock(UnblockArgs),
    /// Print one JSON line per kernel SCTP state change (uevents plus periodic rescan).
    Watch(WatchArgs),
    /// Label and taint a node so only userspace-SCTP workloads land there.
    Dedicate(KubeArgs),
    /// Remove the isolation label and node-guard's taints from a node.
    Undedicate(KubeArgs),
    /// DaemonSet mode: block, watch, keep label/condition/events current, serve metrics.
    Run(RunArgs),
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Short human-readable report.
    Text,
    /// One JSON document.
    Json,
}

/// `--host-root`.
#[derive(Debug, Args, Clone)]
pub struct HostRootArg {
    /// Directory holding the host's root filesystem (`/host` in the DaemonSet).
    #[arg(long, value_name = "DIR", default_value = "/", env = "NODE_GUARD_HOST_ROOT", value_parser = parse_host_root)]
    pub host_root: PathBuf,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Host root.
    #[command(flatten)]
    pub host: HostRootArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Arguments of `block`.
#[derive(Debug, Args)]
pub struct BlockArgs {
    /// Host root.
    #[command(flatten)]
    pub host: HostRootArg,
    /// Say what would be done without writing or unloading anything.
    #[arg(long)]
    pub dry_run: bool,
    /// If sctp is loaded and nothing holds it, remove it from the running kernel.
    #[arg(long)]
    pub unload: bool,
}

/// Arguments of `unblock`.
#[derive(Debug, Args)]
pub struct UnblockArgs {
    /// Host root.
    #[command(flatten)]
    pub host: HostRootArg,
    /// Say what would be done without removing anything.
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Host root.
    #[command(flatten)]
    pub host: HostRootArg,
    /// Periodic rescan interval (e.g. `10`, `10s`, `500ms`, `2m`).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub interval: Duration,
    /// Stop after this long (default: run forever).
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Stop after this many reported changes (the initial report counts).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_changes: Option<u64>,
}

/// Arguments shared by the Kubernetes commands.
#[derive(Debug, Args, Clone)]
pub struct KubeArgs {
    /// Node name.
    #[arg(long, env = "NODE_NAME", value_parser = parse_node_name)]
    pub node: Option<String>,
    /// Prefix of the label, taint and annotation keys.
    #[arg(long, default_value = DEFAULT_PREFIX, env = "NODE_GUARD_PREFIX")]
    pub prefix: String,
    /// Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then the in-cluster account).
    #[arg(long, value_name = "FILE", value_parser = parse_file)]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: the current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
}

/// Arguments of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Host root.
    #[command(flatten)]
    pub host: HostRootArg,
    /// Node and prefix.
    #[command(flatten)]
    pub kube: KubeArgs,
    /// Address of the /healthz and /metrics server.
    #[arg(long, default_value = "0.0.0.0:9741", env = "NODE_GUARD_LISTEN")]
    pub listen: SocketAddr,
    /// Periodic rescan interval.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub interval: Duration,
    /// On a dedicated node where kernel SCTP appears, add a NoExecute taint so
    /// userspace-SCTP pods move away.
    #[arg(long)]
    pub evict_on_kernel_sctp: bool,
    /// Where to block kernel SCTP: `always` (at start, before the API server is needed),
    /// `dedicated` (only once the node carries the dedication label) or `never`.
    #[arg(long, value_enum, default_value_t = BlockMode::Always, env = "NODE_GUARD_BLOCK")]
    pub block: BlockMode,
    /// Also write the state to this node-feature-discovery `features.d` file (NFD then
    /// labels the node; e.g. /host/etc/kubernetes/node-feature-discovery/features.d/node-guard).
    #[arg(long, value_name = "FILE", env = "NODE_GUARD_NFD_FEATURES_FILE")]
    pub nfd_features_file: Option<PathBuf>,
    /// Do not talk to the API server at all (with --nfd-features-file: NFD labels the node,
    /// node-guard needs no RBAC). Not with --block=dedicated, which reads the node.
    #[arg(long)]
    pub no_api: bool,
    /// Same as `--block=never` (kept for earlier manifests).
    #[arg(long, hide = true, conflicts_with = "block")]
    pub no_block: bool,
    /// Stop after this long (for tests).
    #[arg(long, value_parser = parse_duration, hide = true)]
    pub duration: Option<Duration>,
}

/// Parses `10`, `10s`, `1.5s`, `500ms`, `2m`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, mult) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let v: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (use e.g. 10, 10s, 500ms, 2m)"))?;
    if !v.is_finite() || v <= 0.0 {
        return Err(format!("{s:?} must be a positive duration"));
    }
    Ok(Duration::from_secs_f64(v * mult))
}

/// Checks that the host root is an existing directory.
pub fn parse_host_root(s: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(s);
    if p.is_dir() {
        Ok(p)
    } else {
        Err(format!(
            "{s:?} is not a directory (the host's / is mounted at /host in the DaemonSet)"
        ))
    }
}

/// Checks that a file exists.
pub fn parse_file(s: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(s);
    if p.is_file() {
        Ok(p)
    } else {
        Err(format!("{s:?} is not a readable file"))
    }
}

/// Checks a node name (RFC 1123 subdomain).
pub fn parse_node_name(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !p.starts_with('-')
                && !p.ends_with('-')
        });
    if ok {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "{s:?} is not a valid node name (lowercase RFC 1123 subdomain)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert!(parse_duration("0").unwrap_err().contains("positive"));
        assert!(
            parse_duration("soon")
                .unwrap_err()
                .contains("not a duration")
        );
    }

    #[test]
    fn bad_input_names_the_problem() {
        assert!(
            parse_node_name("Node_1")
                .unwrap_err()
                .contains("not a valid node name")
        );
        assert!(
            parse_host_root("/definitely/not/here")
                .unwrap_err()
                .contains("not a directory")
        );
        let e = Cli::try_parse_from(["node-guard", "check", "--format", "yaml"]).unwrap_err();
        assert!(e.to_string().contains("yaml"));
        Cli::try_parse_from(["node-guard", "check", "--format", "json"]).unwrap();
    }
}
