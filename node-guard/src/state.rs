//! The kernel SCTP decision: loaded, builtin, loadable, blocked, absent or unknown,
//! with the evidence (file, line, text) behind it.

use std::fmt;

use serde::Serialize;

use crate::facts::Facts;
use crate::hostroot::HostRoot;
use crate::kernel::{self, ConfigValue, LoadedModule};
use crate::modprobe;
use crate::rules::Rules;
pub use crate::rules::{glob_match, install_rule};
use crate::shell::{self, Judgement};

/// The module that must stay out of the kernel.
pub const SCTP: &str = "sctp";
/// Loaded by `ss --sctp`; pulls sctp in as a dependency.
pub const SCTP_DIAG: &str = "sctp_diag";
/// Modules kube-proxy needs for SCTP Services; they do not load sctp and are never blocked.
pub const PROTECTED_MODULES: [&str; 6] = [
    "xt_sctp",
    "nf_conntrack",
    "nf_conntrack_sctp",
    "ip_vs",
    "nf_nat",
    "libcrc32c",
];

/// The kernel SCTP state of a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SctpState {
    /// The module is in the running kernel.
    Loaded,
    /// Compiled into the kernel; nothing can block it.
    Builtin,
    /// A module exists and nothing (or only `blacklist`) stops it.
    Loadable,
    /// Rules stop every way of loading it.
    Blocked,
    /// No module, not built in, not loaded.
    Absent,
    /// Cannot tell.
    Unknown,
}

impl SctpState {
    /// The verdict for this state.
    pub fn verdict(self) -> Verdict {
        match self {
            Self::Loaded | Self::Builtin | Self::Loadable => Verdict::Violation,
            Self::Blocked | Self::Absent => Verdict::Ok,
            Self::Unknown => Verdict::Unknown,
        }
    }

    /// The lowercase name, as used in labels and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Loaded => "loaded",
            Self::Builtin => "builtin",
            Self::Loadable => "loadable",
            Self::Blocked => "blocked",
            Self::Absent => "absent",
            Self::Unknown => "unknown",
        }
    }

    /// Every state, in a fixed order.
    pub const ALL: [Self; 6] = [
        Self::Loaded,
        Self::Builtin,
        Self::Loadable,
        Self::Blocked,
        Self::Absent,
        Self::Unknown,
    ];
}

impl fmt::Display for SctpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The overall verdict, with node-problem-detector exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Kernel SCTP cannot load (exit 0).
    Ok,
    /// Kernel SCTP is or can be in the kernel (exit 1).
    Violation,
    /// Cannot tell (exit 2).
    Unknown,
}

impl Verdict {
    /// The process exit code node-problem-detector plugins use.
    pub fn exit_code(self) -> i32 {
        match self {
            Self::Ok => 0,
            Self::Violation => 1,
            Self::Unknown => 2,
        }
    }

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Violation => "violation",
            Self::Unknown => "unknown",
        }
    }
}

/// One fact behind a decision: host file, line number, line text and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Host path the fact was read from.
    pub file: String,
    /// 1-based line number, when the fact is a line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The line's text, when the fact is a line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// What the fact means.
    pub note: String,
}

impl Evidence {
    /// Evidence for one line of a file.
    pub fn at(file: &str, line: usize, text: &str, note: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: Some(line),
            text: Some(text.to_owned()),
            note: note.into(),
        }
    }

    /// Evidence for a whole file or directory.
    pub fn file(file: &str, note: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: None,
            text: None,
            note: note.into(),
        }
    }

    /// Evidence for a modprobe.d directive.
    pub fn origin(o: &modprobe::Origin, note: impl Into<String>) -> Self {
        Self::at(&o.file, o.line, &o.text, note)
    }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, &self.text) {
            (Some(l), Some(t)) => write!(f, "{}:{l}: `{t}`: {}", self.file, self.note),
            _ => write!(f, "{}: {}", self.file, self.note),
        }
    }
}

/// The kernel SCTP assessment of a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// The decided state.
    pub state: SctpState,
    /// `uname -r` of the host, when readable.
    pub kernel_release: Option<String>,
    /// Facts that decided the state.
    pub evidence: Vec<Evidence>,
    /// Whether rules would stop sctp from loading after a reboot.
    pub blocked_for_future: bool,
    /// The `/proc/modules` line of sctp, when loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loaded: Option<ModuleUse>,
    /// Problems that do not change the state (for example a kube-proxy module blocked).
    pub warnings: Vec<Evidence>,
}

/// How a loaded module is held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleUse {
    /// Reference count, when the kernel reports one.
    pub refcount: Option<u64>,
    /// Modules that use it.
    pub used_by: Vec<String>,
}

impl From<&LoadedModule> for ModuleUse {
    fn from(m: &LoadedModule) -> Self {
        Self {
            refcount: m.refcount,
            used_by: m.used_by.clone(),
        }
    }
}

impl Assessment {
    /// The verdict for the state.
    pub fn verdict(&self) -> Verdict {
        self.state.verdict()
    }

    /// One sentence telling the operator what to do.
    pub fn advice(&self) -> String {
        match self.state {
            SctpState::Loaded if self.blocked_for_future => "kernel SCTP is loaded; the block holds after a reboot: reboot the node, or run `node-guard block --unload` if nothing holds sctp".into(),
            SctpState::Loaded => "kernel SCTP is loaded: run `node-guard block`, then reboot the node (or `node-guard block --unload` if nothing holds sctp)".into(),
            SctpState::Builtin => "sctp is compiled into this kernel and cannot be blocked: use a kernel with CONFIG_IP_SCTP=m or unset, or do not dedicate this node".into(),
            SctpState::Loadable => "the sctp module can load: run `node-guard block`".into(),
            SctpState::Blocked => "ok: kernel SCTP is blocked and cannot load".into(),
            SctpState::Absent => "ok: this kernel has no SCTP module".into(),
            SctpState::Unknown if self.evidence.iter().any(|e| e.note.starts_with("cannot judge")) => "an install rule node-guard cannot judge decides whether sctp loads: check it by hand, or replace it with `install sctp /bin/false` (`node-guard block`)".into(),
            SctpState::Unknown => "cannot tell the kernel SCTP state: check that --host-root points at the host's / with /proc mounted".into(),
        }
    }
}

/// Decides the kernel SCTP state of the host under `host`: [`Facts::read`] then [`decide`].
pub fn assess(host: &HostRoot) -> Assessment {
    decide(&Facts::read(host))
}

/// The kernel SCTP state that `f` implies. Pure: no I/O.
pub fn decide(f: &Facts) -> Assessment {
    let rules = Rules::of(f);
    let (state, evidence, loaded) = if let Some((evidence, loaded)) = loaded(f, &rules) {
        (SctpState::Loaded, evidence, loaded)
    } else if let Some(evidence) = builtin(f) {
        (SctpState::Builtin, evidence, None)
    } else if let Some(evidence) = unknown(f, &rules) {
        (SctpState::Unknown, evidence, None)
    } else if rules.blocked_now() {
        (SctpState::Blocked, blocked(&rules), None)
    } else if let Some(evidence) = absent(f) {
        (SctpState::Absent, evidence, None)
    } else {
        (SctpState::Loadable, loadable(f, &rules), None)
    };
    Assessment {
        state,
        kernel_release: f.release.clone(),
        evidence,
        blocked_for_future: rules.blocked_for_future(),
        loaded,
        warnings: warnings(f),
    }
}

fn config_value(f: &Facts, option: &str) -> Option<(ConfigValue, Evidence)> {
    let c = f.config.as_ref()?;
    let (v, l, t) = kernel::config_lookup(&c.text, option)?;
    Some((v, Evidence::at(&c.path, l, &t, "")))
}

fn with_note(mut e: Evidence, note: impl Into<String>) -> Evidence {
    e.note = note.into();
    e
}

fn modules_unsupported(f: &Facts) -> Option<Evidence> {
    match config_value(f, "CONFIG_MODULES") {
        Some((ConfigValue::NotSet, e)) => Some(with_note(
            e,
            "kernel built without module support: no module can load",
        )),
        _ => None,
    }
}

/// Loaded: the module is in the running kernel.
fn loaded(f: &Facts, rules: &Rules) -> Option<(Vec<Evidence>, Option<ModuleUse>)> {
    let mut evidence = Vec::new();
    let mut used = None;
    if let Some(m) = f
        .proc_modules
        .as_ref()
        .and_then(|ms| ms.iter().find(|m| m.name == SCTP))
    {
        evidence.push(Evidence::at(
            "/proc/modules",
            m.line,
            &m.text,
            "the sctp module is in the running kernel",
        ));
        used = Some(m.into());
    } else if let Some(init) = &f.sys_initstate {
        evidence.push(Evidence::at(
            "/sys/module/sctp/initstate",
            1,
            init.trim(),
            "the sctp module is in the running kernel",
        ));
    } else if let Some(row) = f
        .protocols
        .iter()
        .find(|p| p.protocol.starts_with("SCTP") && p.module == SCTP)
    {
        evidence.push(Evidence::at(
            "/proc/net/protocols",
            row.line,
            &row.text,
            "SCTP is registered by the sctp module",
        ));
    } else {
        return None;
    }
    if rules.blocked_for_future() {
        evidence.extend(rules.persistent.iter().map(|b| Evidence {
            note: format!("{} (holds after a reboot)", b.note),
            ..b.clone()
        }));
    } else {
        evidence.push(Evidence::file(
            "/etc/modprobe.d",
            "nothing stops sctp from loading again after a reboot",
        ));
    }
    Some((evidence, used))
}

/// Builtin: compiled into the kernel; no rule can block it.
fn builtin(f: &Facts) -> Option<Vec<Evidence>> {
    let mut evidence = Vec::new();
    if let Some(b) = &f.modules_builtin
        && let Some((l, t)) = kernel::find_builtin(&b.text, SCTP)
    {
        evidence.push(Evidence::at(
            &b.path,
            l,
            &t,
            "sctp is compiled into the kernel",
        ));
    }
    if let Some((ConfigValue::Yes, e)) = config_value(f, "CONFIG_IP_SCTP") {
        evidence.push(with_note(e, "sctp is compiled into the kernel"));
    }
    if let Some(row) = f
        .protocols
        .iter()
        .find(|p| p.protocol.starts_with("SCTP") && p.module == "kernel")
    {
        evidence.push(Evidence::at(
            "/proc/net/protocols",
            row.line,
            &row.text,
            "SCTP is registered by the kernel itself, not a module",
        ));
    }
    if f.sys_module_dir {
        // A loadable module has an initstate file; a built-in one (with parameters) has not.
        evidence.push(Evidence::file(
            "/sys/module/sctp",
            "present without initstate: sctp is built into the kernel",
        ));
    }
    (!evidence.is_empty()).then_some(evidence)
}

fn module_evidence(f: &Facts) -> Option<Evidence> {
    match &f.modules_dep {
        Some((p, d)) => d
            .get(SCTP)
            .map(|e| Evidence::at(p, e.line, &e.text, "the sctp module is installed")),
        None => f
            .sctp_module_files
            .first()
            .map(|p| Evidence::file(p, "the sctp module is installed")),
    }
}

/// Unknown: a fact that decides the state could not be read, or a rule cannot be judged.
fn unknown(f: &Facts, rules: &Rules) -> Option<Vec<Evidence>> {
    let unsupported = modules_unsupported(f).is_some();
    // Without /proc/modules we cannot rule out a loaded module unless the kernel has no modules.
    if f.proc_modules.is_none() && !unsupported {
        let mut evidence = vec![Evidence::file(
            "/proc/modules",
            "missing or unreadable: cannot tell whether sctp is loaded",
        )];
        evidence.extend(f.unreadable.iter().cloned());
        return Some(evidence);
    }
    if rules.blocked_now() || unsupported {
        return None;
    }
    if f.release.is_none() {
        let mut evidence = vec![Evidence::file(
            "/proc/sys/kernel/osrelease",
            "missing: cannot find the module tree",
        )];
        evidence.extend(f.unreadable.iter().cloned());
        return Some(evidence);
    }
    let installed = module_evidence(f);
    if installed.is_none() && !f.unreadable.is_empty() {
        let mut evidence = vec![Evidence::file(
            "/lib/modules",
            "module tree partly unreadable: cannot tell whether sctp is installed",
        )];
        evidence.extend(f.unreadable.iter().cloned());
        return Some(evidence);
    }
    if installed.is_some() && rules.loads.is_empty() && !rules.unjudged.is_empty() {
        let mut evidence = installed.into_iter().collect::<Vec<_>>();
        evidence.extend(rules.unjudged.iter().cloned());
        return Some(evidence);
    }
    None
}

/// Blocked: rules stop every way of loading it.
fn blocked(rules: &Rules) -> Vec<Evidence> {
    rules.blocks()
}

/// Absent: no module, not built in, not loaded.
fn absent(f: &Facts) -> Option<Vec<Evidence>> {
    let mut evidence = Vec::new();
    if let Some(ev) = modules_unsupported(f) {
        evidence.push(ev);
        if let Some((ConfigValue::NotSet, e)) = config_value(f, "CONFIG_IP_SCTP") {
            evidence.push(with_note(e, "sctp is not built in"));
        }
        return Some(evidence);
    }
    if module_evidence(f).is_some() {
        return None;
    }
    match &f.module_tree {
        Some(t) => evidence.push(Evidence::file(
            &format!("{t}/modules.dep"),
            "no sctp module is installed",
        )),
        None => evidence.push(Evidence::file(
            &format!("/lib/modules/{}", f.release.as_deref().unwrap_or_default()),
            "no module tree for the running kernel",
        )),
    }
    if let Some((v, e)) = config_value(f, "CONFIG_IP_SCTP") {
        let note = match v {
            ConfigValue::Module => "configured as a module, but the module is not installed",
            _ => "sctp is not built in",
        };
        evidence.push(with_note(e, note));
    }
    Some(evidence)
}

/// Loadable: a module exists; say why nothing stops it.
fn loadable(f: &Facts, rules: &Rules) -> Vec<Evidence> {
    let mut evidence: Vec<Evidence> = module_evidence(f).into_iter().collect();
    evidence.extend(rules.blacklisted.iter().cloned());
    evidence.extend(rules.loads.iter().cloned());
    evidence.extend(rules.paths.iter().cloned());
    for file in &f.modprobe_files {
        if file.is_dev_null() && !file.hides.is_empty() {
            evidence.push(Evidence::file(
                &file.path,
                format!(
                    "links to /dev/null: kmod reads nothing from it and ignores {}",
                    file.hides.join(", ")
                ),
            ));
        }
    }
    if let Some(alias) = &f.modules_alias
        && rules.blacklisted.is_empty()
    {
        for (l, t) in kernel::aliases_for(&alias.text, SCTP)
            .into_iter()
            .filter(|(_, t)| t.contains("proto-132"))
        {
            evidence.push(Evidence::at(
                &alias.path,
                l,
                &t,
                "opening a kernel SCTP socket autoloads sctp",
            ));
        }
    }
    evidence
}

/// Problems that do not change the state: modules kube-proxy needs must stay loadable.
fn warnings(f: &Facts) -> Vec<Evidence> {
    let mut warnings = f.warnings.clone();
    let (kernel_bl, _) = kernel::cmdline_blacklists(f.cmdline.as_deref().unwrap_or_default());
    for m in PROTECTED_MODULES {
        if let Some((e, cmd)) = install_rule(&f.modprobe, m)
            && shell::judge_install(cmd, m) == Judgement::Blocks
        {
            warnings.push(Evidence::origin(
                &e.origin,
                format!("{m} is blocked, but kube-proxy needs it for SCTP Services and it does not load sctp"),
            ));
        }
        if kernel_bl.iter().any(|b| b == m) {
            warnings.push(Evidence::file(
                "/proc/cmdline",
                format!("module_blacklist= lists {m}, which kube-proxy needs"),
            ));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob() {
        assert!(glob_match("sctp*", "sctp_diag"));
        assert!(glob_match("sctp", "sctp"));
        assert!(!glob_match("sctp", "xt_sctp"));
        assert!(glob_match("s?tp", "sctp"));
    }

    #[test]
    fn verdicts_and_exit_codes() {
        assert_eq!(SctpState::Loaded.verdict().exit_code(), 1);
        assert_eq!(SctpState::Blocked.verdict().exit_code(), 0);
        assert_eq!(SctpState::Absent.verdict(), Verdict::Ok);
        assert_eq!(SctpState::Unknown.verdict().exit_code(), 2);
    }

    fn facts_with_module(modprobe_d: &str) -> Facts {
        let dep = "kernel/net/sctp/sctp.ko: kernel/lib/libcrc32c.ko\nkernel/net/sctp/sctp_diag.ko: kernel/net/sctp/sctp.ko\n";
        Facts {
            release: Some("6.1.0".into()),
            proc_modules: Some(Vec::new()),
            module_tree: Some("/lib/modules/6.1.0".into()),
            modules_dep: Some((
                "/lib/modules/6.1.0/modules.dep".into(),
                kernel::parse_modules_dep(dep),
            )),
            modprobe: modprobe::parse_modprobe("/etc/modprobe.d/x.conf", modprobe_d),
            ..Facts::default()
        }
    }

    #[test]
    fn decide_works_on_facts_built_by_hand() {
        assert_eq!(decide(&facts_with_module("")).state, SctpState::Loadable);
        let a = decide(&facts_with_module("install sctp /bin/false\n"));
        assert_eq!(a.state, SctpState::Blocked);
        assert_eq!(a.evidence[0].file, "/etc/modprobe.d/x.conf");
        assert_eq!(
            decide(&facts_with_module("install sctp /opt/x\n")).state,
            SctpState::Unknown
        );
        let mut f = facts_with_module("install sctp /bin/false\n");
        f.proc_modules = None;
        assert_eq!(decide(&f).state, SctpState::Unknown);
        let mut f = facts_with_module("");
        f.modules_dep = None;
        assert_eq!(decide(&f).state, SctpState::Absent);
    }
}
