//! The `check` report: JSON document and short text.

use std::fmt::Write as _;

use serde::Serialize;

use crate::census::{self, Census, RawSctpSocket};
use crate::hostroot::HostRoot;
use crate::state::{self, Assessment, Evidence, ModuleUse, SctpState, Verdict};

/// The `sctp` object of the report.
#[derive(Debug, Clone, Serialize)]
pub struct SctpReport {
    /// The state.
    pub state: SctpState,
    /// Facts behind it.
    pub evidence: Vec<Evidence>,
    /// Whether rules stop sctp after a reboot.
    pub blocked_for_future: bool,
    /// How a loaded sctp is held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loaded: Option<ModuleUse>,
}

/// The full `check` report.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// ok, violation or unknown.
    pub verdict: Verdict,
    /// The host root read.
    pub host_root: String,
    /// The host's kernel release.
    pub kernel_release: Option<String>,
    /// The kernel SCTP state and evidence.
    pub sctp: SctpReport,
    /// Raw IPPROTO_SCTP sockets: the userspace stacks on the host.
    pub raw_sctp_sockets: Vec<RawSctpSocket>,
    /// Why the socket census is incomplete, if it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub census_error: Option<String>,
    /// How many processes the census was not allowed to inspect (their sockets may be
    /// missing from `raw_sctp_sockets`).
    pub uninspected_processes: usize,
    /// Problems that do not change the verdict.
    pub warnings: Vec<Evidence>,
    /// What to do.
    pub advice: String,
}

impl CheckReport {
    /// Builds the report from an assessment and a census.
    pub fn new(host: &HostRoot, a: Assessment, census: std::io::Result<Census>) -> Self {
        let (raw_sctp_sockets, uninspected_processes, census_error) = match census {
            Ok(c) => (c.sockets, c.uninspected.len(), None),
            Err(e) => (Vec::new(), 0, Some(format!("cannot list /proc: {e}"))),
        };
        Self {
            verdict: a.verdict(),
            host_root: host.root().display().to_string(),
            kernel_release: a.kernel_release.clone(),
            advice: a.advice(),
            warnings: a.warnings.clone(),
            sctp: SctpReport {
                state: a.state,
                evidence: a.evidence,
                blocked_for_future: a.blocked_for_future,
                loaded: a.loaded,
            },
            raw_sctp_sockets,
            census_error,
            uninspected_processes,
        }
    }

    /// Runs the whole check on `host`.
    pub fn collect(host: &HostRoot) -> Self {
        let a = state::assess(host);
        Self::new(host, a, census::inspect(host))
    }

    /// The short text form.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let kernel = self.kernel_release.as_deref().unwrap_or("unknown kernel");
        let _ = writeln!(
            s,
            "{}: kernel SCTP is {} ({kernel}, host root {})",
            self.verdict.as_str().to_uppercase(),
            self.sctp.state,
            self.host_root
        );
        for e in &self.sctp.evidence {
            let _ = writeln!(s, "  {e}");
        }
        for w in &self.warnings {
            let _ = writeln!(s, "warning: {w}");
        }
        let blind = match self.uninspected_processes {
            0 => String::new(),
            n => format!("; could not inspect {n} processes (permission)"),
        };
        match (&self.census_error, self.raw_sctp_sockets.len()) {
            (Some(e), _) => {
                let _ = writeln!(s, "raw SCTP sockets: census incomplete: {e}");
            }
            (None, 0) if blind.is_empty() => {
                let _ = writeln!(s, "raw SCTP sockets: none");
            }
            (None, 0) => {
                let _ = writeln!(s, "raw SCTP sockets: none found{blind}");
            }
            (None, n) => {
                let _ = writeln!(s, "raw SCTP sockets: {n}{blind}");
                for r in &self.raw_sctp_sockets {
                    let procs: Vec<String> = r
                        .processes
                        .iter()
                        .map(|p| format!("{} ({})", p.pid, p.comm))
                        .collect();
                    let _ = writeln!(
                        s,
                        "  {} {} inode {} netns {}: {}",
                        r.family,
                        r.local_address,
                        r.inode,
                        r.netns,
                        if procs.is_empty() {
                            "no process found".into()
                        } else {
                            procs.join(", ")
                        }
                    );
                }
            }
        }
        let _ = writeln!(s, "=> {}", self.advice);
        s
    }
}
