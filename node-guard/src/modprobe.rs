//! modprobe.d and modules-load.d parsing with kmod's directory precedence.
//!
//! kmod (libkmod.c `default_config_paths`) reads `*.conf` from `/etc/modprobe.d`,
//! `/run/modprobe.d`, `/usr/local/lib/modprobe.d`, `/usr/lib/modprobe.d` (DISTCONFDIR) and
//! `/lib/modprobe.d`, in that order of precedence; a file in an earlier directory hides a
//! file of the same name in a later one (a link to `/dev/null` hides it and reads as
//! empty), and the surviving files are read in file-name order across all directories.
//! kmod 30 to 32 also read `*.alias` files; they are not read here, which can only make
//! node-guard call a node loadable that kmod would block, never the reverse.

use std::io;

use crate::hostroot::HostRoot;

/// modprobe.d directories, highest precedence first.
pub const MODPROBE_DIRS: [&str; 5] = [
    "/etc/modprobe.d",
    "/run/modprobe.d",
    "/usr/local/lib/modprobe.d",
    "/usr/lib/modprobe.d",
    "/lib/modprobe.d",
];

/// modules-load.d directories, highest precedence first.
pub const MODULES_LOAD_DIRS: [&str; 5] = [
    "/etc/modules-load.d",
    "/run/modules-load.d",
    "/usr/local/lib/modules-load.d",
    "/usr/lib/modules-load.d",
    "/lib/modules-load.d",
];

/// Where a directive came from: host path, 1-based line number and the line's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Host path of the file (as seen on the host, not under the host root).
    pub file: String,
    /// 1-based number of the first physical line of the directive.
    pub line: usize,
    /// The logical line, continuations joined.
    pub text: String,
}

/// One modprobe.d directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directive {
    /// `alias WILDCARD MODULE`.
    Alias {
        /// The alias pattern.
        pattern: String,
        /// The module it resolves to.
        module: String,
    },
    /// `blacklist MODULE`: ignore the module's aliases (socket autoload), nothing else.
    Blacklist(String),
    /// `install MODULE COMMAND...`: run COMMAND instead of loading MODULE by name.
    Install {
        /// The module name.
        module: String,
        /// The shell command.
        command: String,
    },
    /// `remove MODULE COMMAND...`.
    Remove {
        /// The module name.
        module: String,
        /// The shell command.
        command: String,
    },
    /// `options MODULE OPTIONS...`.
    Options {
        /// The module name.
        module: String,
        /// The options string.
        options: String,
    },
    /// `softdep MODULE pre: ... post: ...`.
    Softdep {
        /// The module name.
        module: String,
        /// Modules loaded before it.
        pre: Vec<String>,
        /// Modules loaded after it.
        post: Vec<String>,
    },
    /// Any other keyword (`include`, `config`, ...), kept verbatim.
    Other(String),
}

/// A directive with its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The directive.
    pub directive: Directive,
    /// Where it was written.
    pub origin: Origin,
}

/// Module names compare with `-` and `_` as the same character, as kmod does.
pub fn normalize_module(name: &str) -> String {
    name.replace('-', "_")
}

/// Splits text into logical lines (backslash-newline joins), skipping comments and blanks.
/// Yields (first line number, logical line).
pub fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0usize;
    for (idx, raw) in text.lines().enumerate() {
        if current.is_empty() {
            start = idx + 1;
        }
        if let Some(stripped) = raw.strip_suffix('\\') {
            current.push_str(stripped);
            current.push(' ');
            continue;
        }
        current.push_str(raw);
        push_logical(&mut out, start, &current);
        current.clear();
    }
    if !current.is_empty() {
        push_logical(&mut out, start, &current);
    }
    out
}

fn push_logical(out: &mut Vec<(usize, String)>, line: usize, text: &str) {
    let t = text.trim();
    if t.is_empty() || t.starts_with('#') {
        return;
    }
    out.push((line, t.split_whitespace().collect::<Vec<_>>().join(" ")));
}

/// Parses one modprobe.d file.
pub fn parse_modprobe(file: &str, text: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    for (line, logical) in logical_lines(text) {
        let mut words = logical.split(' ');
        let keyword = words.next().unwrap_or_default();
        let rest: Vec<&str> = words.collect();
        let module = rest.first().map(|m| normalize_module(m));
        let tail = || rest.get(1..).map(|r| r.join(" ")).unwrap_or_default();
        let directive = match (keyword, module) {
            ("alias", Some(_)) if rest.len() >= 2 => Directive::Alias {
                pattern: rest[0].to_owned(),
                module: normalize_module(rest[1]),
            },
            ("blacklist", Some(m)) => Directive::Blacklist(m),
            ("install", Some(m)) => Directive::Install {
                module: m,
                command: tail(),
            },
            ("remove", Some(m)) => Directive::Remove {
                module: m,
                command: tail(),
            },
            ("options", Some(m)) => Directive::Options {
                module: m,
                options: tail(),
            },
            ("softdep", Some(m)) => {
                let (mut pre, mut post) = (Vec::new(), Vec::new());
                let mut target: Option<&mut Vec<String>> = None;
                for w in rest.iter().skip(1) {
                    match *w {
                        "pre:" => target = Some(&mut pre),
                        "post:" => target = Some(&mut post),
                        dep => {
                            if let Some(t) = target.as_deref_mut() {
                                t.push(normalize_module(dep));
                            }
                        }
                    }
                }
                Directive::Softdep {
                    module: m,
                    pre,
                    post,
                }
            }
            _ => Directive::Other(logical.clone()),
        };
        entries.push(Entry {
            directive,
            origin: Origin {
                file: file.to_owned(),
                line,
                text: logical,
            },
        });
    }
    entries
}

/// One configuration file kmod reads, or a name whose lower-priority copies it hides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfFile {
    /// Host path of the file that wins for this name.
    pub path: String,
    /// Where a symlink finally points (host path), when `path` is one.
    pub link_target: Option<String>,
    /// Host paths of same-named files in lower-priority directories, now hidden.
    pub hides: Vec<String>,
}

impl ConfFile {
    /// Whether the file is a link to `/dev/null`: kmod reads nothing from it.
    pub fn is_dev_null(&self) -> bool {
        self.link_target.as_deref() == Some("/dev/null")
    }
}

/// The files kmod would read from `dirs` (highest precedence first) with suffix `suffix`,
/// in reading order: sorted by file name across directories; a same-named file in a later
/// directory is hidden by the first, whatever the first is (a link to `/dev/null` included).
/// kmod skips names starting with `.` and directories, nothing else.
pub fn effective_files(host: &HostRoot, dirs: &[&str], suffix: &str) -> io::Result<Vec<ConfFile>> {
    let mut chosen: std::collections::BTreeMap<String, ConfFile> = Default::default();
    let mut seen_dirs: Vec<std::path::PathBuf> = Vec::new();
    for dir in dirs {
        // On merged-/usr hosts /lib is /usr/lib: the same directory is not read twice.
        if let Ok(real) = std::fs::canonicalize(host.path(dir)) {
            if seen_dirs.contains(&real) {
                continue;
            }
            seen_dirs.push(real);
        }
        for name in host.list_dir(dir)? {
            if !name.ends_with(suffix) || name.starts_with('.') {
                continue;
            }
            let path = format!("{dir}/{name}");
            let target = host.resolve_link(&path)?;
            if target != "/dev/null" && host.path(&target).is_dir() {
                continue;
            }
            match chosen.get_mut(&name) {
                Some(winner) => winner.hides.push(path),
                None => {
                    let link_target = (target != path).then_some(target);
                    chosen.insert(
                        name,
                        ConfFile {
                            path,
                            link_target,
                            hides: Vec::new(),
                        },
                    );
                }
            }
        }
    }
    Ok(chosen.into_values().collect())
}

/// What kmod reads from the modprobe.d directories.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModprobeConfig {
    /// Every directive, in the order kmod applies them.
    pub entries: Vec<Entry>,
    /// The files read, in order, with what each hides.
    pub files: Vec<ConfFile>,
}

/// Every modprobe.d directive on the host, in the order kmod applies them.
///
/// kmod reads only the modprobe.d directories: `/etc/modprobe.conf` was dropped with
/// module-init-tools, so it is not read here either.
pub fn load_modprobe(host: &HostRoot) -> io::Result<ModprobeConfig> {
    let mut entries = Vec::new();
    let files = effective_files(host, &MODPROBE_DIRS, ".conf")?;
    for file in &files {
        if file.is_dev_null() {
            continue;
        }
        let read_from = file.link_target.as_deref().unwrap_or(&file.path);
        if let Some(text) = host.read_optional(read_from)? {
            entries.extend(parse_modprobe(&file.path, &text));
        }
    }
    Ok(ModprobeConfig { entries, files })
}

/// Every module named for loading at boot (modules-load.d and Debian's `/etc/modules`).
pub fn load_boot_modules(host: &HostRoot) -> io::Result<Vec<(String, Origin)>> {
    let mut files: Vec<(String, String)> = effective_files(host, &MODULES_LOAD_DIRS, ".conf")?
        .into_iter()
        .filter(|f| !f.is_dev_null())
        .map(|f| {
            let read_from = f.link_target.clone().unwrap_or_else(|| f.path.clone());
            (f.path, read_from)
        })
        .collect();
    files.push(("/etc/modules".to_owned(), "/etc/modules".to_owned()));
    let mut out = Vec::new();
    for (file, read_from) in files {
        let Some(text) = host.read_optional(&read_from)? else {
            continue;
        };
        for (idx, raw) in text.lines().enumerate() {
            let t = raw.trim();
            if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
                continue;
            }
            let name = t.split_whitespace().next().unwrap_or_default();
            out.push((
                normalize_module(name),
                Origin {
                    file: file.clone(),
                    line: idx + 1,
                    text: t.to_owned(),
                },
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_directive_kind_with_origins() {
        let text = "# comment\n\nblacklist sctp\ninstall sctp-diag /bin/false\noptions sctp \\\n  addip_enable=1\nalias net-pf-10-proto-132 sctp\nsoftdep sctp pre: libcrc32c post: sctp_diag\nremove sctp /bin/true\ninclude /x\n";
        let e = parse_modprobe("/etc/modprobe.d/a.conf", text);
        assert_eq!(e.len(), 7);
        assert_eq!(e[0].directive, Directive::Blacklist("sctp".into()));
        assert_eq!(e[0].origin.line, 3);
        assert_eq!(
            e[1].directive,
            Directive::Install {
                module: "sctp_diag".into(),
                command: "/bin/false".into()
            }
        );
        assert_eq!(
            e[2].directive,
            Directive::Options {
                module: "sctp".into(),
                options: "addip_enable=1".into()
            }
        );
        assert_eq!(e[2].origin.line, 5);
        assert_eq!(e[2].origin.text, "options sctp addip_enable=1");
        assert_eq!(
            e[3].directive,
            Directive::Alias {
                pattern: "net-pf-10-proto-132".into(),
                module: "sctp".into()
            }
        );
        assert_eq!(
            e[4].directive,
            Directive::Softdep {
                module: "sctp".into(),
                pre: vec!["libcrc32c".into()],
                post: vec!["sctp_diag".into()]
            }
        );
        assert!(matches!(e[5].directive, Directive::Remove { .. }));
        assert_eq!(e[6].directive, Directive::Other("include /x".into()));
    }

    #[test]
    fn etc_overrides_lib_for_same_file_name() {
        let dir = tempfile::tempdir().unwrap();
        let host = HostRoot::new(dir.path());
        for (d, f, body) in [
            ("etc/modprobe.d", "sctp.conf", "blacklist sctp\n"),
            ("lib/modprobe.d", "sctp.conf", "install sctp /bin/false\n"),
            ("usr/lib/modprobe.d", "00-a.conf", "options x y=1\n"),
            ("run/modprobe.d", "zz.txt", "install sctp /bin/false\n"),
        ] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
            std::fs::write(dir.path().join(d).join(f), body).unwrap();
        }
        let files = effective_files(&host, &MODPROBE_DIRS, ".conf").unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            vec!["/usr/lib/modprobe.d/00-a.conf", "/etc/modprobe.d/sctp.conf"]
        );
        assert_eq!(files[1].hides, vec!["/lib/modprobe.d/sctp.conf"]);
        let entries = load_modprobe(&host).unwrap().entries;
        assert!(
            entries
                .iter()
                .all(|e| !matches!(e.directive, Directive::Install { .. }))
        );
    }
}
