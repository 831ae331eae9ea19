//! Everything the kernel SCTP decision needs, read from a host root in one pass.
//!
//! [`Facts::read`] does all the I/O; [`crate::state::decide`] is a pure function of the
//! result, so tests can build `Facts` by hand where a host root is not the point.

use std::collections::BTreeMap;

use crate::hostroot::HostRoot;
use crate::kernel::{self, DepEntry, LoadedModule, ProtocolRow};
use crate::modprobe::{self, ConfFile, Entry, Origin};
use crate::state::Evidence;

/// A host file's text with the host path it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFile {
    /// Host path (as on the host, not under the host root).
    pub path: String,
    /// Its text.
    pub text: String,
}

impl HostFile {
    /// A file read from `path`.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
        }
    }
}

/// The facts about one host that decide its kernel SCTP state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// `/proc/sys/kernel/osrelease`.
    pub release: Option<String>,
    /// `/proc/modules`, parsed; `None` when missing or unreadable.
    pub proc_modules: Option<Vec<LoadedModule>>,
    /// `/sys/module/sctp/initstate`, when present.
    pub sys_initstate: Option<String>,
    /// Whether `/sys/module/sctp` exists.
    pub sys_module_dir: bool,
    /// `/proc/net/protocols`, parsed.
    pub protocols: Vec<ProtocolRow>,
    /// The kernel config: `/proc/config.gz`, `/boot/config-<release>` or the module tree's.
    pub config: Option<HostFile>,
    /// The module tree of the running kernel (`/lib/modules/<release>`), when it exists.
    pub module_tree: Option<String>,
    /// `modules.builtin` of the tree.
    pub modules_builtin: Option<HostFile>,
    /// `modules.dep` of the tree, parsed.
    pub modules_dep: Option<(String, BTreeMap<String, DepEntry>)>,
    /// sctp module files found under `kernel/net/sctp` when there is no modules.dep.
    pub sctp_module_files: Vec<String>,
    /// `modules.alias` of the tree.
    pub modules_alias: Option<HostFile>,
    /// `/proc/cmdline`.
    pub cmdline: Option<String>,
    /// `/proc/sys/kernel/modules_disabled`.
    pub modules_disabled: Option<String>,
    /// modprobe.d directives in kmod's order.
    pub modprobe: Vec<Entry>,
    /// modprobe.d files kmod reads, with what each hides.
    pub modprobe_files: Vec<ConfFile>,
    /// Modules named for loading at boot (modules-load.d, `/etc/modules`).
    pub boot_modules: Vec<(String, Origin)>,
    /// Files that exist but could not be read.
    pub unreadable: Vec<Evidence>,
    /// Problems reading that do not change the state.
    pub warnings: Vec<Evidence>,
}

impl Facts {
    /// Reads every fact from the host under `host`. Never fails: what cannot be read is
    /// recorded in `unreadable` and the decision says "unknown" where it matters.
    pub fn read(host: &HostRoot) -> Self {
        let mut f = Self::default();
        let text = |f: &mut Self, path: &str| match host.read_optional(path) {
            Ok(t) => t,
            Err(e) => {
                f.unreadable
                    .push(Evidence::file(path, format!("cannot read: {e}")));
                None
            }
        };
        f.release = text(&mut f, "/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        f.proc_modules = text(&mut f, "/proc/modules").map(|t| kernel::parse_proc_modules(&t));
        f.sys_initstate = text(&mut f, "/sys/module/sctp/initstate");
        f.sys_module_dir = host.path("/sys/module/sctp").is_dir();
        f.protocols = text(&mut f, "/proc/net/protocols")
            .map(|t| kernel::parse_protocols(&t))
            .unwrap_or_default();
        f.cmdline = text(&mut f, "/proc/cmdline");
        f.modules_disabled = text(&mut f, "/proc/sys/kernel/modules_disabled");

        match host.read_bytes_optional("/proc/config.gz") {
            Ok(Some(b)) => match kernel::gunzip(&b) {
                Ok(t) => f.config = Some(HostFile::new("/proc/config.gz", t)),
                Err(e) => f
                    .warnings
                    .push(Evidence::file("/proc/config.gz", format!("not gzip: {e}"))),
            },
            Ok(None) => {}
            Err(e) => f.unreadable.push(Evidence::file(
                "/proc/config.gz",
                format!("cannot read: {e}"),
            )),
        }
        if let (None, Some(rel)) = (&f.config, f.release.clone()) {
            for p in [
                format!("/boot/config-{rel}"),
                format!("/lib/modules/{rel}/config"),
                format!("/usr/lib/modules/{rel}/config"),
            ] {
                if let Some(t) = text(&mut f, &p) {
                    f.config = Some(HostFile::new(p, t));
                    break;
                }
            }
        }

        f.module_tree = f.release.as_ref().and_then(|rel| {
            [
                format!("/lib/modules/{rel}"),
                format!("/usr/lib/modules/{rel}"),
            ]
            .into_iter()
            .find(|d| host.path(d).is_dir())
        });
        if let Some(t) = f.module_tree.clone() {
            let p = format!("{t}/modules.builtin");
            f.modules_builtin = text(&mut f, &p).map(|s| HostFile::new(p, s));
            let p = format!("{t}/modules.dep");
            f.modules_dep = text(&mut f, &p).map(|s| (p, kernel::parse_modules_dep(&s)));
            let p = format!("{t}/modules.alias");
            f.modules_alias = text(&mut f, &p).map(|s| HostFile::new(p, s));
            if f.modules_dep.is_none() {
                // No modules.dep (depmod not run): look for the file itself.
                let dir = format!("{t}/kernel/net/sctp");
                match host.list_dir(&dir) {
                    Ok(names) => {
                        f.sctp_module_files = names
                            .into_iter()
                            .filter(|n| {
                                kernel::module_name_from_path(n).as_deref()
                                    == Some(crate::state::SCTP)
                            })
                            .map(|n| format!("{dir}/{n}"))
                            .collect();
                    }
                    Err(e) => f
                        .unreadable
                        .push(Evidence::file(&dir, format!("cannot list: {e}"))),
                }
            }
        }

        match modprobe::load_modprobe(host) {
            Ok(c) => {
                f.modprobe = c.entries;
                f.modprobe_files = c.files;
            }
            Err(e) => f.unreadable.push(Evidence::file(
                "/etc/modprobe.d",
                format!("cannot read modprobe.d: {e}"),
            )),
        }
        match modprobe::load_boot_modules(host) {
            Ok(b) => f.boot_modules = b,
            Err(e) => f.unreadable.push(Evidence::file(
                "/etc/modules-load.d",
                format!("cannot read modules-load.d: {e}"),
            )),
        }
        f
    }
}
