//! Writing and removing the modprobe.d drop-in that blocks kernel SCTP, and unloading it.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::hostroot::HostRoot;
use crate::kernel::{self, LoadedModule};
use crate::state::{self, Assessment, Evidence, PROTECTED_MODULES, SCTP, SCTP_DIAG, SctpState};

/// Host path of the drop-in node-guard owns. kmod reads modprobe.d files sorted by name
/// across directories and the first `install` rule for a module wins, so the name sorts
/// before the usual `10-`…`99-` drop-ins; `block` re-assesses afterwards and says so when
/// an earlier rule still shadows it.
pub const DROP_IN: &str = "/etc/modprobe.d/00-node-guard-sctp.conf";
/// Names earlier versions wrote: still recognised, replaced by `block`, removed by `unblock`.
pub const LEGACY_DROP_INS: [&str; 1] = ["/etc/modprobe.d/90-node-guard-sctp.conf"];
/// First line of the drop-in; marks the file as node-guard's.
pub const HEADER: &str =
    "# Managed by node-guard: keeps the kernel SCTP module (lksctp) off this node.";
/// Modules the drop-in blocks.
pub const BLOCKED_MODULES: [&str; 2] = [SCTP, SCTP_DIAG];

/// The drop-in's exact content.
pub fn drop_in_content() -> String {
    let mut s = String::new();
    s.push_str(HEADER);
    s.push('\n');
    s.push_str("# Userspace SCTP stacks here use raw IPPROTO_SCTP sockets; lksctp would take their traffic.\n");
    s.push_str(
        "# blacklist stops socket autoload; install stops `modprobe sctp` and dependency loads\n",
    );
    s.push_str(
        "# (sctp_diag, loaded by `ss --sctp`, pulls sctp in). xt_sctp, nf_conntrack, ip_vs,\n",
    );
    s.push_str(
        "# nf_nat and libcrc32c stay loadable for kube-proxy. Remove with `node-guard unblock`.\n",
    );
    for m in BLOCKED_MODULES {
        s.push_str(&format!("blacklist {m}\n"));
    }
    for m in BLOCKED_MODULES {
        s.push_str(&format!("install {m} /bin/false\n"));
    }
    debug_assert!(
        PROTECTED_MODULES
            .iter()
            .all(|p| !BLOCKED_MODULES.contains(p))
    );
    s
}

/// Errors of `block`.
#[derive(Debug, thiserror::Error)]
pub enum BlockError {
    /// A file node-guard did not write is at the drop-in path.
    #[error("{0} was not written by node-guard (no node-guard header); refusing to overwrite it")]
    NotOurs(String),
    /// The drop-in could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// Host path.
        path: String,
        /// Cause.
        source: io::Error,
    },
    /// `/proc/modules` could not be read to decide about unloading.
    #[error("cannot read /proc/modules: {0}")]
    ProcModules(io::Error),
    /// The kernel refused to unload a module.
    #[error("cannot unload {module}: {source}")]
    Unload {
        /// Module name.
        module: String,
        /// Cause.
        source: io::Error,
    },
}

/// Errors of `unblock`.
#[derive(Debug, thiserror::Error)]
pub enum UnblockError {
    /// The file at the drop-in path was not written by node-guard.
    #[error("{0} was not written by node-guard (no node-guard header); refusing to remove it")]
    NotOurs(String),
    /// The drop-in could not be read or removed.
    #[error("cannot remove {path}: {source}")]
    Io {
        /// Host path.
        path: String,
        /// Cause.
        source: io::Error,
    },
}

/// What happened to the drop-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileAction {
    /// Written (new or replaced).
    Written,
    /// Already had the right content.
    Unchanged,
    /// Would be written (dry run).
    WouldWrite,
    /// Removed.
    Removed,
    /// Would be removed (dry run).
    WouldRemove,
    /// Nothing to remove.
    Absent,
}

/// What `block` decided about a loaded sctp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum UnloadPlan {
    /// sctp is not loaded.
    NotLoaded,
    /// Nothing holds sctp: unload these modules in order.
    Unload {
        /// Modules, dependents first.
        modules: Vec<String>,
    },
    /// Something holds sctp: only a reboot removes it.
    RebootRequired {
        /// Why.
        reason: String,
    },
}

/// Decides whether sctp can be unloaded: only when its refcount is 0, or when the only
/// holders are unused modules (such as sctp_diag) that can go first.
pub fn plan_unload(modules: &[LoadedModule]) -> UnloadPlan {
    let Some(sctp) = modules.iter().find(|m| m.name == SCTP) else {
        return UnloadPlan::NotLoaded;
    };
    let Some(refs) = sctp.refcount else {
        return UnloadPlan::RebootRequired {
            reason: "the kernel reports no reference count for sctp (unloading unsupported)".into(),
        };
    };
    let mut order = Vec::new();
    for user in &sctp.used_by {
        match modules.iter().find(|m| &m.name == user) {
            Some(u) if u.refcount == Some(0) && u.used_by.is_empty() => order.push(u.name.clone()),
            Some(u) => {
                return UnloadPlan::RebootRequired {
                    reason: format!(
                        "{} uses sctp and is itself in use (refcount {})",
                        u.name,
                        u.refcount.map_or("-".into(), |r| r.to_string())
                    ),
                };
            }
            None => {
                return UnloadPlan::RebootRequired {
                    reason: format!("{user} uses sctp"),
                };
            }
        }
    }
    if refs as usize != order.len() {
        return UnloadPlan::RebootRequired {
            reason: format!(
                "sctp has {refs} references, {} from unused modules: open kernel SCTP sockets hold it",
                order.len()
            ),
        };
    }
    order.push(SCTP.to_owned());
    UnloadPlan::Unload { modules: order }
}

/// Removes a module from the running kernel.
pub trait Unloader {
    /// Unloads `module` (`delete_module(2)` with `O_NONBLOCK`).
    fn unload(&mut self, module: &str) -> io::Result<()>;
}

/// The real `delete_module(2)`.
#[derive(Debug, Default)]
pub struct KernelUnloader;

impl Unloader for KernelUnloader {
    fn unload(&mut self, module: &str) -> io::Result<()> {
        let name = std::ffi::CString::new(module).map_err(io::Error::other)?;
        nix::kmod::delete_module(&name, nix::kmod::DeleteModuleFlags::O_NONBLOCK)
            .map_err(io::Error::from)
    }
}

/// The result of `block`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockReport {
    /// Host path of the drop-in.
    pub path: String,
    /// What happened to it.
    pub file: FileAction,
    /// What was decided about a loaded sctp.
    pub unload: UnloadPlan,
    /// Modules actually unloaded.
    pub unloaded: Vec<String>,
    /// Whether the node still needs a reboot to be free of sctp.
    pub reboot_required: bool,
    /// Legacy drop-ins of node-guard that were removed (or would be, in a dry run).
    pub migrated: Vec<String>,
    /// The host re-assessed after writing: what kmod would now do.
    pub after: Proof,
}

/// What `block` proved by re-assessing the host after writing the drop-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proof {
    /// The state after writing.
    pub state: SctpState,
    /// Whether the rules now stop sctp after a reboot too.
    pub holds_after_reboot: bool,
    /// Why sctp can still load (empty when the block holds).
    pub problems: Vec<Evidence>,
}

impl Proof {
    /// Judges the assessment made after writing the drop-in.
    pub fn of(a: &Assessment) -> Self {
        let holds = match a.state {
            SctpState::Absent => true,
            SctpState::Blocked | SctpState::Loaded => a.blocked_for_future,
            _ => false,
        };
        let mut problems = Vec::new();
        if !holds {
            match a.state {
                SctpState::Builtin => problems.push(Evidence::file(
                    "/proc/modules",
                    "sctp is compiled into this kernel: no modprobe.d rule can block it",
                )),
                SctpState::Blocked => problems.push(Evidence::file(
                    DROP_IN,
                    "blocked only until reboot: the drop-in's rule does not hold on its own",
                )),
                SctpState::Unknown => problems.push(Evidence::file(
                    DROP_IN,
                    "cannot tell whether the drop-in holds",
                )),
                _ => {}
            }
            problems.extend(a.evidence.iter().cloned());
        }
        Self {
            state: a.state,
            holds_after_reboot: holds,
            problems,
        }
    }
}

/// Writes `content` to `path` atomically: temp file in the same directory, fsync, rename,
/// fsync of the directory.
pub fn write_atomic(path: &Path, content: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::other("path has no parent"))?;
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| io::Error::other("path has no file name"))?;
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(content)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Whether `text` is a drop-in node-guard wrote (any version).
pub fn is_ours(text: &str) -> bool {
    text == drop_in_content() || text.starts_with(HEADER)
}

/// Writes the drop-in (unless `dry_run`), removes node-guard's legacy drop-ins, with
/// `unload` removes an unused sctp, and re-assesses the host to prove the block holds.
pub fn block(
    host: &HostRoot,
    dry_run: bool,
    unload: bool,
    unloader: &mut dyn Unloader,
) -> Result<BlockReport, BlockError> {
    let path = host.path(DROP_IN);
    let want = drop_in_content();
    let write_err = |p: &str| {
        let p = p.to_owned();
        move |source| BlockError::Write { path: p, source }
    };
    let current = crate::hostroot::read_optional(&path).map_err(write_err(DROP_IN))?;
    if let Some(text) = &current
        && !is_ours(text)
    {
        return Err(BlockError::NotOurs(DROP_IN.into()));
    }
    let file = if current.as_deref() == Some(want.as_str()) {
        FileAction::Unchanged
    } else if dry_run {
        FileAction::WouldWrite
    } else {
        write_atomic(&path, want.as_bytes()).map_err(write_err(DROP_IN))?;
        tracing::info!(path = DROP_IN, "wrote modprobe.d drop-in");
        FileAction::Written
    };
    let mut migrated = Vec::new();
    for legacy in LEGACY_DROP_INS {
        let p = host.path(legacy);
        match crate::hostroot::read_optional(&p).map_err(write_err(legacy))? {
            Some(text) if is_ours(&text) => {
                if !dry_run {
                    fs::remove_file(&p).map_err(write_err(legacy))?;
                    tracing::info!(path = legacy, "removed the drop-in of an earlier version");
                }
                migrated.push(legacy.to_owned());
            }
            _ => {}
        }
    }
    let modules = host
        .read_optional("/proc/modules")
        .map_err(BlockError::ProcModules)?
        .map(|t| kernel::parse_proc_modules(&t))
        .unwrap_or_default();
    let plan = plan_unload(&modules);
    let mut unloaded = Vec::new();
    let reboot_required = match &plan {
        UnloadPlan::NotLoaded => false,
        UnloadPlan::RebootRequired { .. } => true,
        UnloadPlan::Unload { modules } if unload && !dry_run => {
            for m in modules {
                unloader.unload(m).map_err(|source| BlockError::Unload {
                    module: m.clone(),
                    source,
                })?;
                tracing::info!(module = %m, "unloaded");
                unloaded.push(m.clone());
            }
            false
        }
        UnloadPlan::Unload { .. } => true,
    };
    // Prove it: what would kmod do now?
    let after = Proof::of(&state::assess(host));
    Ok(BlockReport {
        path: DROP_IN.into(),
        file,
        unload: plan,
        unloaded,
        reboot_required,
        migrated,
        after,
    })
}

/// Removes the drop-in (and legacy drop-ins) if node-guard wrote them.
pub fn unblock(host: &HostRoot, dry_run: bool) -> Result<FileAction, UnblockError> {
    let mut action = FileAction::Absent;
    for name in std::iter::once(DROP_IN).chain(LEGACY_DROP_INS) {
        let path = host.path(name);
        let io_err = |source| UnblockError::Io {
            path: name.into(),
            source,
        };
        let Some(current) = crate::hostroot::read_optional(&path).map_err(io_err)? else {
            continue;
        };
        if !is_ours(&current) {
            return Err(UnblockError::NotOurs(name.into()));
        }
        if dry_run {
            action = FileAction::WouldRemove;
            continue;
        }
        fs::remove_file(&path).map_err(io_err)?;
        if let Some(dir) = path.parent() {
            fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(io_err)?;
        }
        tracing::info!(path = name, "removed modprobe.d drop-in");
        action = FileAction::Removed;
    }
    Ok(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mods(text: &str) -> Vec<LoadedModule> {
        kernel::parse_proc_modules(text)
    }

    #[test]
    fn drop_in_blocks_sctp_and_sctp_diag_only() {
        let c = drop_in_content();
        assert!(c.starts_with(HEADER));
        let rules: Vec<&str> = c.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            rules,
            [
                "blacklist sctp",
                "blacklist sctp_diag",
                "install sctp /bin/false",
                "install sctp_diag /bin/false"
            ]
        );
        for p in PROTECTED_MODULES {
            assert!(
                !rules.iter().any(|r| r.split(' ').nth(1) == Some(p)),
                "{p} blocked"
            );
        }
    }

    #[test]
    fn unload_plan() {
        assert_eq!(
            plan_unload(&mods("xt_sctp 16384 0 - Live 0x0\n")),
            UnloadPlan::NotLoaded
        );
        assert_eq!(
            plan_unload(&mods("sctp 434176 0 - Live 0x0\n")),
            UnloadPlan::Unload {
                modules: vec!["sctp".into()]
            }
        );
        assert_eq!(
            plan_unload(&mods(
                "sctp_diag 16384 0 - Live 0x0\nsctp 434176 1 sctp_diag, Live 0x0\n"
            )),
            UnloadPlan::Unload {
                modules: vec!["sctp_diag".into(), "sctp".into()]
            }
        );
        // An open kernel SCTP socket holds a reference that no module explains.
        assert!(matches!(
            plan_unload(&mods(
                "sctp_diag 16384 0 - Live 0x0\nsctp 434176 4 sctp_diag, Live 0x0\n"
            )),
            UnloadPlan::RebootRequired { .. }
        ));
        assert!(matches!(
            plan_unload(&mods(
                "sctp_diag 16384 1 - Live 0x0\nsctp 434176 1 sctp_diag, Live 0x0\n"
            )),
            UnloadPlan::RebootRequired { .. }
        ));
        assert!(matches!(
            plan_unload(&mods("sctp 434176 - - Live 0x0\n")),
            UnloadPlan::RebootRequired { .. }
        ));
    }
}
