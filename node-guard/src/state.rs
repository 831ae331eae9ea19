//! The kernel SCTP decision: loaded, builtin, loadable, blocked, absent or unknown,
//! with the evidence (file, line, text) behind it.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use crate::hostroot::HostRoot;
use crate::kernel::{self, ConfigValue, LoadedModule};
use crate::modprobe::{self, Directive, Entry};

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
    fn at(file: &str, line: usize, text: &str, note: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: Some(line),
            text: Some(text.to_owned()),
            note: note.into(),
        }
    }

    fn file(file: &str, note: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: None,
            text: None,
            note: note.into(),
        }
    }

    fn origin(o: &modprobe::Origin, note: impl Into<String>) -> Self {
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
            SctpState::Unknown => "cannot tell the kernel SCTP state: check that --host-root points at the host's / with /proc mounted".into(),
        }
    }
}

/// Minimal fnmatch: `*`, `?` and literal characters, as modprobe.d install patterns use.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), name.as_bytes())
}

/// The install rule kmod applies to `module`: the first matching one.
pub fn install_rule<'a>(entries: &'a [Entry], module: &str) -> Option<(&'a Entry, &'a str)> {
    entries.iter().find_map(|e| match &e.directive {
        Directive::Install { module: m, command } if glob_match(m, module) => {
            Some((e, command.as_str()))
        }
        _ => None,
    })
}

struct Reader<'a> {
    host: &'a HostRoot,
    unreadable: Vec<Evidence>,
}

impl Reader<'_> {
    fn text(&mut self, path: &str) -> Option<String> {
        match self.host.read_optional(path) {
            Ok(t) => t,
            Err(e) => {
                self.unreadable
                    .push(Evidence::file(path, format!("cannot read: {e}")));
                None
            }
        }
    }
}

/// Decides the kernel SCTP state of the host under `host`.
pub fn assess(host: &HostRoot) -> Assessment {
    let mut r = Reader {
        host,
        unreadable: Vec::new(),
    };
    let mut evidence = Vec::new();
    let mut warnings = Vec::new();

    let release = r
        .text("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    let proc_modules = r
        .text("/proc/modules")
        .map(|t| kernel::parse_proc_modules(&t));

    // Kernel config: /proc/config.gz, then /boot/config-<release>, then the module tree's copy.
    let mut config: Option<(String, String)> = None;
    match host.read_bytes_optional("/proc/config.gz") {
        Ok(Some(b)) => match kernel::gunzip(&b) {
            Ok(t) => config = Some(("/proc/config.gz".into(), t)),
            Err(e) => warnings.push(Evidence::file("/proc/config.gz", format!("not gzip: {e}"))),
        },
        Ok(None) => {}
        Err(e) => r.unreadable.push(Evidence::file(
            "/proc/config.gz",
            format!("cannot read: {e}"),
        )),
    }
    if let (None, Some(rel)) = (&config, &release) {
        for p in [
            format!("/boot/config-{rel}"),
            format!("/lib/modules/{rel}/config"),
            format!("/usr/lib/modules/{rel}/config"),
        ] {
            if let Some(t) = r.text(&p) {
                config = Some((p, t));
                break;
            }
        }
    }
    let cfg = |opt: &str| {
        config
            .as_ref()
            .and_then(|(p, t)| kernel::config_lookup(t, opt).map(|(v, l, s)| (p.clone(), v, l, s)))
    };
    let modules_unsupported = cfg("CONFIG_MODULES")
        .filter(|(_, v, _, _)| *v == ConfigValue::NotSet)
        .map(|(p, _, l, s)| {
            Evidence::at(
                &p,
                l,
                &s,
                "kernel built without module support: no module can load",
            )
        });
    let ip_sctp = cfg("CONFIG_IP_SCTP");

    // Module tree.
    let tree = release.as_ref().and_then(|rel| {
        [
            format!("/lib/modules/{rel}"),
            format!("/usr/lib/modules/{rel}"),
        ]
        .into_iter()
        .find(|d| host.path(d).is_dir())
    });
    let builtin_list = tree.as_ref().and_then(|t| {
        let p = format!("{t}/modules.builtin");
        r.text(&p).map(|s| (p, s))
    });
    let dep = tree.as_ref().and_then(|t| {
        let p = format!("{t}/modules.dep");
        r.text(&p).map(|s| (p, kernel::parse_modules_dep(&s)))
    });
    let alias = tree.as_ref().and_then(|t| {
        let p = format!("{t}/modules.alias");
        r.text(&p).map(|s| (p, s))
    });
    let protocols = r
        .text("/proc/net/protocols")
        .map(|t| kernel::parse_protocols(&t))
        .unwrap_or_default();
    let cmdline = r.text("/proc/cmdline").unwrap_or_default();
    let modules_disabled = r.text("/proc/sys/kernel/modules_disabled");
    let entries = match modprobe::load_modprobe(host) {
        Ok(e) => e,
        Err(e) => {
            r.unreadable.push(Evidence::file(
                "/etc/modprobe.d",
                format!("cannot read modprobe.d: {e}"),
            ));
            Vec::new()
        }
    };
    let boot = match modprobe::load_boot_modules(host) {
        Ok(b) => b,
        Err(e) => {
            r.unreadable.push(Evidence::file(
                "/etc/modules-load.d",
                format!("cannot read modules-load.d: {e}"),
            ));
            Vec::new()
        }
    };

    // Hard blocks: what stops every way of loading sctp.
    let mut blocks = Vec::new();
    if let Some(v) = &modules_disabled
        && v.trim() == "1"
    {
        blocks.push(Evidence::at(
            "/proc/sys/kernel/modules_disabled",
            1,
            "1",
            "module loading is disabled until reboot",
        ));
    }
    let (kernel_bl, kmod_bl) = kernel::cmdline_blacklists(&cmdline);
    if kernel_bl.iter().any(|m| m == SCTP) {
        let word = cmdline
            .split_whitespace()
            .find(|w| w.starts_with("module_blacklist="))
            .unwrap_or_default();
        blocks.push(Evidence::at(
            "/proc/cmdline",
            1,
            word,
            "the kernel refuses to load sctp",
        ));
    }
    let dependents: BTreeSet<String> = match &dep {
        Some((_, d)) if d.contains_key(SCTP) => kernel::dependents_of(d, SCTP),
        _ => [SCTP_DIAG.to_owned()].into(),
    };
    let mut install_ok = Vec::new();
    let mut install_missing = Vec::new();
    for m in std::iter::once(SCTP.to_owned()).chain(dependents.iter().cloned()) {
        match install_rule(&entries, &m) {
            Some((e, cmd)) if modprobe::install_command_blocks(cmd) => {
                install_ok.push(Evidence::origin(
                    &e.origin,
                    format!("`modprobe {m}` runs this instead of loading {m}"),
                ))
            }
            Some((e, _)) => install_missing.push((m.clone(), Some(e))),
            None => install_missing.push((m.clone(), None)),
        }
    }
    if install_missing.is_empty() {
        blocks.extend(install_ok.iter().cloned());
    }
    let hard_blocked = !blocks.is_empty();

    // Warnings: modules kube-proxy needs must stay loadable.
    for m in PROTECTED_MODULES {
        if let Some((e, cmd)) = install_rule(&entries, m)
            && modprobe::install_command_blocks(cmd)
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

    let finish = |state: SctpState,
                  evidence: Vec<Evidence>,
                  loaded: Option<ModuleUse>,
                  warnings: Vec<Evidence>| Assessment {
        state,
        kernel_release: release.clone(),
        evidence,
        blocked_for_future: hard_blocked,
        loaded,
        warnings,
    };

    // 1. Loaded.
    if let Some(m) = proc_modules
        .as_ref()
        .and_then(|ms| ms.iter().find(|m| m.name == SCTP))
    {
        evidence.push(Evidence::at(
            "/proc/modules",
            m.line,
            &m.text,
            "the sctp module is in the running kernel",
        ));
        if hard_blocked {
            evidence.extend(blocks.iter().map(|b| Evidence {
                note: format!("{} (holds after a reboot)", b.note),
                ..b.clone()
            }));
        } else {
            evidence.push(Evidence::file(
                "/etc/modprobe.d",
                "nothing stops sctp from loading again after a reboot",
            ));
        }
        return finish(SctpState::Loaded, evidence, Some(m.into()), warnings);
    }
    let sys_initstate = r.text("/sys/module/sctp/initstate");
    if let Some(init) = &sys_initstate {
        evidence.push(Evidence::at(
            "/sys/module/sctp/initstate",
            1,
            init.trim(),
            "the sctp module is in the running kernel",
        ));
        return finish(SctpState::Loaded, evidence, None, warnings);
    }
    if let Some(row) = protocols
        .iter()
        .find(|p| p.protocol.starts_with("SCTP") && p.module == SCTP)
    {
        evidence.push(Evidence::at(
            "/proc/net/protocols",
            row.line,
            &row.text,
            "SCTP is registered by the sctp module",
        ));
        return finish(SctpState::Loaded, evidence, None, warnings);
    }

    // 2. Built in.
    if let Some((p, text)) = &builtin_list
        && let Some((l, t)) = kernel::find_builtin(text, SCTP)
    {
        evidence.push(Evidence::at(p, l, &t, "sctp is compiled into the kernel"));
    }
    if let Some((p, ConfigValue::Yes, l, t)) = &ip_sctp {
        evidence.push(Evidence::at(p, *l, t, "sctp is compiled into the kernel"));
    }
    if let Some(row) = protocols
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
    if host.path("/sys/module/sctp").is_dir() {
        // A loadable module has an initstate file; a built-in one (with parameters) has not.
        evidence.push(Evidence::file(
            "/sys/module/sctp",
            "present without initstate: sctp is built into the kernel",
        ));
    }
    if !evidence.is_empty() {
        return finish(SctpState::Builtin, evidence, None, warnings);
    }

    // Without /proc/modules we cannot rule out a loaded module unless the kernel has no modules.
    if proc_modules.is_none() && modules_unsupported.is_none() {
        evidence.push(Evidence::file(
            "/proc/modules",
            "missing or unreadable: cannot tell whether sctp is loaded",
        ));
        evidence.extend(r.unreadable);
        return finish(SctpState::Unknown, evidence, None, warnings);
    }

    // 3. Blocked.
    if hard_blocked {
        return finish(SctpState::Blocked, blocks, None, warnings);
    }
    if let Some(ev) = modules_unsupported {
        evidence.push(ev);
        if let Some((p, v, l, t)) = &ip_sctp
            && *v == ConfigValue::NotSet
        {
            evidence.push(Evidence::at(p, *l, t, "sctp is not built in"));
        }
        return finish(SctpState::Absent, evidence, None, warnings);
    }

    // 4. Does a module exist?
    let Some(rel) = &release else {
        evidence.push(Evidence::file(
            "/proc/sys/kernel/osrelease",
            "missing: cannot find the module tree",
        ));
        evidence.extend(r.unreadable);
        return finish(SctpState::Unknown, evidence, None, warnings);
    };
    let module_evidence = match (&tree, &dep) {
        (Some(_), Some((p, d))) => d
            .get(SCTP)
            .map(|e| Evidence::at(p, e.line, &e.text, "the sctp module is installed")),
        (Some(t), None) => {
            // No modules.dep (depmod not run): look for the file itself.
            let dir = format!("{t}/kernel/net/sctp");
            host.list_dir(&dir)
                .unwrap_or_default()
                .into_iter()
                .find(|n| kernel::module_name_from_path(n).as_deref() == Some(SCTP))
                .map(|n| Evidence::file(&format!("{dir}/{n}"), "the sctp module is installed"))
        }
        (None, _) => None,
    };
    let Some(module_evidence) = module_evidence else {
        if !r.unreadable.is_empty() {
            evidence.push(Evidence::file(
                "/lib/modules",
                "module tree partly unreadable: cannot tell whether sctp is installed",
            ));
            evidence.extend(r.unreadable);
            return finish(SctpState::Unknown, evidence, None, warnings);
        }
        match &tree {
            Some(t) => evidence.push(Evidence::file(
                &format!("{t}/modules.dep"),
                "no sctp module is installed",
            )),
            None => evidence.push(Evidence::file(
                &format!("/lib/modules/{rel}"),
                "no module tree for the running kernel",
            )),
        }
        if let Some((p, v, l, t)) = &ip_sctp {
            let note = match v {
                ConfigValue::Module => "configured as a module, but the module is not installed",
                _ => "sctp is not built in",
            };
            evidence.push(Evidence::at(p, *l, t, note));
        }
        return finish(SctpState::Absent, evidence, None, warnings);
    };

    // 5. Loadable: say why nothing stops it.
    evidence.push(module_evidence);
    let blacklisted: Vec<&Entry> = entries
        .iter()
        .filter(|e| matches!(&e.directive, Directive::Blacklist(m) if m == SCTP))
        .collect();
    for e in &blacklisted {
        evidence.push(Evidence::origin(
            &e.origin,
            "blacklist stops socket autoload only, not `modprobe sctp` or a dependency load",
        ));
    }
    if kmod_bl.iter().any(|m| m == SCTP) {
        evidence.push(Evidence::file(
            "/proc/cmdline",
            "modprobe.blacklist=sctp stops socket autoload only",
        ));
    }
    evidence.extend(install_ok);
    for (m, rule) in &install_missing {
        match rule {
            Some(e) => evidence.push(Evidence::origin(
                &e.origin,
                format!("this install rule for {m} still loads a module"),
            )),
            None if m == SCTP => evidence.push(Evidence::file(
                "/etc/modprobe.d",
                "no `install sctp /bin/false` rule",
            )),
            None => evidence.push(Evidence::file(
                "/etc/modprobe.d",
                format!("no install rule for {m}: `modprobe {m}` loads sctp as a dependency"),
            )),
        }
    }
    for (m, o) in &boot {
        if *m == SCTP || dependents.contains(m) {
            evidence.push(Evidence::origin(o, format!("loads {m} at boot")));
        }
    }
    if let Some((p, text)) = &alias
        && blacklisted.is_empty()
    {
        for (l, t) in kernel::aliases_for(text, SCTP)
            .into_iter()
            .filter(|(_, t)| t.contains("proto-132"))
        {
            evidence.push(Evidence::at(
                p,
                l,
                &t,
                "opening a kernel SCTP socket autoloads sctp",
            ));
        }
    }
    finish(SctpState::Loadable, evidence, None, warnings)
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
}
