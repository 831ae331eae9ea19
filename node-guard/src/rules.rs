//! What kmod's configuration does to sctp: its install rule judged as a shell command,
//! other rules that bypass it, the kernel command line, and the ways that reach sctp.
//! A pure function of [`Facts`].

use std::collections::BTreeSet;

use crate::facts::Facts;
use crate::kernel;
use crate::modprobe::{Directive, Entry};
use crate::shell::{self, Judgement};
use crate::state::{Evidence, SCTP, SCTP_DIAG};

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

/// The install rule kmod applies to `module`: the first one whose pattern matches
/// (libkmod `kmod_module_get_install_commands`, fnmatch, first wins).
pub fn install_rule<'a>(entries: &'a [Entry], module: &str) -> Option<(&'a Entry, &'a str)> {
    entries.iter().find_map(|e| match &e.directive {
        Directive::Install { module: m, command } if glob_match(m, module) => {
            Some((e, command.as_str()))
        }
        _ => None,
    })
}

/// What the host's rules do to `modprobe sctp` and every other way of loading it.
///
/// kmod runs a module's install command whenever it would insert the module, also when the
/// module is only a dependency or a softdep of the one asked for (libkmod
/// `kmod_module_probe_insert_module`: only the module named on a `modprobe --ignore-install`
/// command line skips its command). So sctp's own install rule guards every path through
/// modprobe; what can still load it is another rule's command that runs
/// `modprobe --ignore-install sctp` or `insmod sctp.ko`.
#[derive(Debug, Default)]
pub(crate) struct Rules {
    /// Blocks that end at reboot (`modules_disabled`).
    pub(crate) until_reboot: Vec<Evidence>,
    /// Blocks that hold after a reboot (install rule, `module_blacklist=`).
    pub(crate) persistent: Vec<Evidence>,
    /// Why modprobe would still load sctp.
    pub(crate) loads: Vec<Evidence>,
    /// Rules node-guard cannot judge that might load sctp.
    pub(crate) unjudged: Vec<Evidence>,
    /// Other ways that reach sctp (softdeps, aliases, dependents); they run its install rule.
    pub(crate) paths: Vec<Evidence>,
    /// Whether `blacklist sctp` or `modprobe.blacklist=sctp` is set.
    pub(crate) blacklisted: Vec<Evidence>,
}

impl Rules {
    pub(crate) fn of(f: &Facts) -> Self {
        let mut r = Self::default();
        if f.modules_disabled.as_deref().map(str::trim) == Some("1") {
            r.until_reboot.push(Evidence::at(
                "/proc/sys/kernel/modules_disabled",
                1,
                "1",
                "module loading is disabled until reboot",
            ));
        }
        let cmdline = f.cmdline.as_deref().unwrap_or_default();
        let (kernel_bl, kmod_bl) = kernel::cmdline_blacklists(cmdline);
        if kernel_bl.iter().any(|m| m == SCTP) {
            let word = cmdline
                .split_whitespace()
                .find(|w| w.starts_with("module_blacklist="))
                .unwrap_or_default();
            r.persistent.push(Evidence::at(
                "/proc/cmdline",
                1,
                word,
                "the kernel refuses to load sctp",
            ));
        }
        if kmod_bl.iter().any(|m| m == SCTP) {
            let word = cmdline
                .split_whitespace()
                .find(|w| w.starts_with("modprobe.blacklist="))
                .unwrap_or_default();
            r.blacklisted.push(Evidence::at(
                "/proc/cmdline",
                1,
                word,
                "modprobe.blacklist=sctp stops socket autoload only (aliases), not `modprobe sctp`",
            ));
        }
        for e in &f.modprobe {
            if matches!(&e.directive, Directive::Blacklist(m) if m == SCTP) {
                r.blacklisted.push(Evidence::origin(
                    &e.origin,
                    "blacklist stops socket autoload only (aliases), not `modprobe sctp` or a dependency load",
                ));
            }
        }

        // sctp's own install rule.
        let mut own_rule_blocks = None;
        match install_rule(&f.modprobe, SCTP) {
            Some((e, cmd)) => match shell::judge_install(cmd, SCTP) {
                Judgement::Blocks => {
                    own_rule_blocks = Some(Evidence::origin(
                        &e.origin,
                        "`modprobe sctp` runs this instead of loading sctp, also when sctp is only a dependency",
                    ));
                }
                Judgement::Loads { by } => r.loads.push(Evidence::origin(
                    &e.origin,
                    format!("this install rule for sctp still loads a module (`{by}`)"),
                )),
                Judgement::Unknown { why } => r.unjudged.push(Evidence::origin(
                    &e.origin,
                    format!("cannot judge this install rule for sctp: it {why}"),
                )),
            },
            None => r.loads.push(Evidence::file(
                "/etc/modprobe.d",
                "no `install sctp /bin/false` rule",
            )),
        }
        // Other modules' install rules that bypass sctp's.
        for e in &f.modprobe {
            let Directive::Install { module, command } = &e.directive else {
                continue;
            };
            if glob_match(module, SCTP) {
                continue;
            }
            match shell::judge_bypass(command, SCTP) {
                Judgement::Blocks => {}
                Judgement::Loads { by } => r.loads.push(Evidence::origin(
                    &e.origin,
                    format!(
                        "`modprobe {module}` runs `{by}`, which loads sctp past its install rule"
                    ),
                )),
                Judgement::Unknown { why } if command.contains(SCTP) => {
                    r.unjudged.push(Evidence::origin(
                        &e.origin,
                        format!("cannot judge this install rule, which names sctp: it {why}"),
                    ))
                }
                Judgement::Unknown { .. } => {}
            }
        }
        if let Some(ev) = own_rule_blocks
            && r.loads.is_empty()
            && r.unjudged.is_empty()
        {
            r.persistent.push(ev);
        }

        // Ways that reach sctp through modprobe (they all run its install rule).
        let dependents: BTreeSet<String> = match &f.modules_dep {
            Some((_, d)) if d.contains_key(SCTP) => kernel::dependents_of(d, SCTP),
            _ => [SCTP_DIAG.to_owned()].into(),
        };
        let reaches = |m: &str| m == SCTP || dependents.contains(m);
        for e in &f.modprobe {
            match &e.directive {
                Directive::Softdep { module, pre, post }
                    if pre.iter().chain(post).any(|m| reaches(m)) =>
                {
                    r.paths.push(Evidence::origin(
                        &e.origin,
                        format!("`modprobe {module}` also loads sctp (softdep)"),
                    ));
                }
                Directive::Alias { pattern, module } if reaches(module) => {
                    r.paths.push(Evidence::origin(
                        &e.origin,
                        format!("`modprobe {pattern}` resolves to {module}, which loads sctp"),
                    ));
                }
                _ => {}
            }
        }
        if let Some((p, d)) = &f.modules_dep {
            for m in &dependents {
                if let Some(entry) = d.get(m) {
                    r.paths.push(Evidence::at(
                        p,
                        entry.line,
                        &entry.text,
                        format!("`modprobe {m}` loads sctp as a dependency"),
                    ));
                }
            }
        }
        for (m, o) in &f.boot_modules {
            if reaches(m) {
                r.paths
                    .push(Evidence::origin(o, format!("loads {m} at boot")));
            }
        }
        r
    }

    pub(crate) fn blocked_now(&self) -> bool {
        !self.until_reboot.is_empty() || !self.persistent.is_empty()
    }

    pub(crate) fn blocked_for_future(&self) -> bool {
        !self.persistent.is_empty()
    }

    pub(crate) fn blocks(&self) -> Vec<Evidence> {
        self.persistent
            .iter()
            .chain(&self.until_reboot)
            .cloned()
            .collect()
    }
}
