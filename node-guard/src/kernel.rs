//! Parsers for the kernel's module files: `/proc/modules`, `modules.dep`, `modules.builtin`,
//! `modules.alias`, the kernel config, `/proc/net/protocols` and `/proc/cmdline`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use crate::modprobe::normalize_module;

/// One line of `/proc/modules`: `sctp 434176 4 sctp_diag, Live 0x0000000000000000`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedModule {
    /// Module name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Reference count (`-` when unloading is not supported is read as `None`).
    pub refcount: Option<u64>,
    /// Modules that use this one.
    pub used_by: Vec<String>,
    /// `Live`, `Loading` or `Unloading`.
    pub state: String,
    /// 1-based line number in `/proc/modules`.
    pub line: usize,
    /// The line's text.
    pub text: String,
}

/// Parses `/proc/modules`; malformed lines are skipped.
pub fn parse_proc_modules(text: &str) -> Vec<LoadedModule> {
    let mut out = Vec::new();
    for (idx, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 5 {
            continue;
        }
        let Ok(size) = f[1].parse() else {
            continue;
        };
        let used_by = f[3]
            .split(',')
            .filter(|s| !s.is_empty() && *s != "-")
            .map(normalize_module)
            .collect();
        out.push(LoadedModule {
            name: normalize_module(f[0]),
            size,
            refcount: f[2].parse().ok(),
            used_by,
            state: f[4].to_owned(),
            line: idx + 1,
            text: line.to_owned(),
        });
    }
    out
}

/// The module name of a module path: `kernel/net/sctp/sctp.ko.zst` gives `sctp`.
pub fn module_name_from_path(path: &str) -> Option<String> {
    let base = path.trim().rsplit('/').next()?;
    let stem = [".ko.zst", ".ko.xz", ".ko.gz", ".ko"]
        .iter()
        .find_map(|suffix| base.strip_suffix(suffix))?;
    (!stem.is_empty()).then(|| normalize_module(stem))
}

/// One module of `modules.dep` with its dependencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepEntry {
    /// Module path relative to the module tree.
    pub path: String,
    /// Dependency module names.
    pub deps: Vec<String>,
    /// 1-based line number.
    pub line: usize,
    /// The line's text.
    pub text: String,
}

/// Parses `modules.dep` into module name → entry.
pub fn parse_modules_dep(text: &str) -> BTreeMap<String, DepEntry> {
    let mut out = BTreeMap::new();
    for (idx, line) in text.lines().enumerate() {
        let Some((path, deps)) = line.split_once(':') else {
            continue;
        };
        let Some(name) = module_name_from_path(path) else {
            continue;
        };
        let deps = deps
            .split_whitespace()
            .filter_map(module_name_from_path)
            .collect();
        out.entry(name).or_insert(DepEntry {
            path: path.trim().to_owned(),
            deps,
            line: idx + 1,
            text: line.to_owned(),
        });
    }
    out
}

/// Every module that loads `target` as a direct or indirect dependency.
pub fn dependents_of(dep: &BTreeMap<String, DepEntry>, target: &str) -> BTreeSet<String> {
    // modules.dep lists the full (transitive) dependency set, but close over it anyway.
    let mut found: BTreeSet<String> = BTreeSet::new();
    let mut frontier = vec![target.to_owned()];
    while let Some(t) = frontier.pop() {
        for (name, e) in dep {
            if e.deps.contains(&t) && found.insert(name.clone()) {
                frontier.push(name.clone());
            }
        }
    }
    found.remove(target);
    found
}

/// Finds a module in `modules.builtin`: returns (1-based line, text).
pub fn find_builtin(text: &str, module: &str) -> Option<(usize, String)> {
    text.lines()
        .enumerate()
        .find(|(_, l)| module_name_from_path(l).as_deref() == Some(module))
        .map(|(i, l)| (i + 1, l.trim().to_owned()))
}

/// Aliases in `modules.alias` that resolve to `module`: (line, text) for each.
pub fn aliases_for(text: &str, module: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() == 3 && f[0] == "alias" && normalize_module(f[2]) == module
        })
        .map(|(i, l)| (i + 1, l.trim().to_owned()))
        .collect()
}

/// A kernel config option's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigValue {
    /// `CONFIG_X=y`.
    Yes,
    /// `CONFIG_X=m`.
    Module,
    /// `# CONFIG_X is not set`.
    NotSet,
    /// Any other value.
    Other(String),
}

/// Looks up an option in a kernel config: (value, 1-based line, text).
pub fn config_lookup(text: &str, option: &str) -> Option<(ConfigValue, usize, String)> {
    let not_set = format!("# {option} is not set");
    let prefix = format!("{option}=");
    for (idx, line) in text.lines().enumerate() {
        let l = line.trim();
        if l == not_set {
            return Some((ConfigValue::NotSet, idx + 1, l.to_owned()));
        }
        if let Some(v) = l.strip_prefix(&prefix) {
            let value = match v {
                "y" => ConfigValue::Yes,
                "m" => ConfigValue::Module,
                other => ConfigValue::Other(other.to_owned()),
            };
            return Some((value, idx + 1, l.to_owned()));
        }
    }
    None
}

/// Decompresses `/proc/config.gz`.
pub fn gunzip(bytes: &[u8]) -> std::io::Result<String> {
    let mut s = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut s)?;
    Ok(s)
}

/// A row of `/proc/net/protocols`: protocol name and its `module` column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolRow {
    /// Protocol name (`SCTP`, `SCTPv6`, ...).
    pub protocol: String,
    /// Owning module, `kernel` when built in.
    pub module: String,
    /// 1-based line number.
    pub line: usize,
    /// The line's text.
    pub text: String,
}

/// Parses `/proc/net/protocols`, locating the `module` column from the header.
pub fn parse_protocols(text: &str) -> Vec<ProtocolRow> {
    let mut lines = text.lines().enumerate();
    let Some((_, header)) = lines.next() else {
        return Vec::new();
    };
    let Some(col) = header.split_whitespace().position(|h| h == "module") else {
        return Vec::new();
    };
    lines
        .filter_map(|(idx, l)| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some(ProtocolRow {
                protocol: (*f.first()?).to_owned(),
                module: (*f.get(col)?).to_owned(),
                line: idx + 1,
                text: l.trim_end().to_owned(),
            })
        })
        .collect()
}

/// Module names in `module_blacklist=` (kernel-enforced) and `modprobe.blacklist=` (kmod)
/// parameters of a kernel command line: (kernel-enforced, kmod).
pub fn cmdline_blacklists(cmdline: &str) -> (Vec<String>, Vec<String>) {
    let mut kernel = Vec::new();
    let mut kmod = Vec::new();
    for word in cmdline.split_whitespace() {
        if word == "--" {
            break; // the rest goes to init
        }
        let split = |v: &str| {
            v.split(',')
                .filter(|s| !s.is_empty())
                .map(normalize_module)
                .collect::<Vec<_>>()
        };
        if let Some(v) = word.strip_prefix("module_blacklist=") {
            kernel.extend(split(v));
        } else if let Some(v) = word.strip_prefix("modprobe.blacklist=") {
            kmod.extend(split(v));
        }
    }
    (kernel, kmod)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_modules_matches_names_exactly() {
        let text = "sctp_diag 16384 0 - Live 0x0000000000000000\nsctp 434176 4 sctp_diag, Live 0x0000000000000000\nxt_sctp 16384 0 - Live 0x0000000000000000\nnf_conntrack 172032 1 xt_sctp, Live 0x0000000000000000\n";
        let m = parse_proc_modules(text);
        assert_eq!(m.len(), 4);
        let sctp = m.iter().find(|m| m.name == "sctp").unwrap();
        assert_eq!(sctp.refcount, Some(4));
        assert_eq!(sctp.used_by, vec!["sctp_diag"]);
        assert_eq!(sctp.line, 2);
        assert_eq!(m[0].used_by, Vec::<String>::new());
    }

    #[test]
    fn modules_dep_with_compressed_suffixes_and_dependents() {
        let text = "kernel/net/sctp/sctp.ko.zst: kernel/lib/libcrc32c.ko.zst kernel/net/udp_tunnel.ko.xz\nkernel/net/sctp/sctp_diag.ko.zst: kernel/net/sctp/sctp.ko.zst kernel/net/ipv4/inet_diag.ko.zst\nkernel/net/netfilter/xt_sctp.ko.gz:\nkernel/fs/dlm/dlm.ko: kernel/net/sctp/sctp.ko\n";
        let dep = parse_modules_dep(text);
        assert_eq!(dep["sctp"].deps, vec!["libcrc32c", "udp_tunnel"]);
        assert_eq!(dep["xt_sctp"].deps, Vec::<String>::new());
        let d: Vec<_> = dependents_of(&dep, "sctp").into_iter().collect();
        assert_eq!(d, vec!["dlm", "sctp_diag"]);
        assert_eq!(
            module_name_from_path("kernel/net/sctp/sctp.ko.xz").as_deref(),
            Some("sctp")
        );
        assert_eq!(module_name_from_path("sctp.c"), None);
    }

    #[test]
    fn config_and_protocols_and_cmdline() {
        let cfg = "CONFIG_NF_CT_PROTO_SCTP=y\n# CONFIG_IP_SCTP is not set\nCONFIG_HZ=250\n";
        assert_eq!(
            config_lookup(cfg, "CONFIG_IP_SCTP").unwrap().0,
            ConfigValue::NotSet
        );
        assert_eq!(
            config_lookup(cfg, "CONFIG_HZ").unwrap().0,
            ConfigValue::Other("250".into())
        );
        assert!(config_lookup(cfg, "CONFIG_IP").is_none());
        let protos = "protocol  size sockets  memory press maxhdr  slab module     cl co di ac io in de sh ss gs se re sp bi br ha uh gp em\nSCTPv6    1600      0       0   no     304   yes  kernel      y  y  y  y  y  y  y  y  y  y  y  y  y  n  y  y  y  y  y\nTCP       2304      1      94   no     192   yes  kernel      y  y  y  y  y  y  y  y  y  y  y  y  y  n  y  y  y  y  y\n";
        let rows = parse_protocols(protos);
        assert_eq!(rows[0].protocol, "SCTPv6");
        assert_eq!(rows[0].module, "kernel");
        assert_eq!(rows[0].line, 2);
        let (k, m) = cmdline_blacklists(
            "ro quiet module_blacklist=foo,sctp modprobe.blacklist=sctp_diag -- module_blacklist=x",
        );
        assert_eq!(k, vec!["foo", "sctp"]);
        assert_eq!(m, vec!["sctp_diag"]);
    }
}
