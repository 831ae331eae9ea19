//! Path resolution under the host root (`/` on the node, `/host` in the DaemonSet).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// A directory that stands for the host's `/`; every host path is read under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRoot {
    root: PathBuf,
}

impl HostRoot {
    /// Uses `root` as the host's `/`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The directory standing for the host's `/`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Resolves a host path (absolute or relative) under the root.
    pub fn path(&self, host_path: impl AsRef<Path>) -> PathBuf {
        let p = host_path.as_ref();
        let rel = p.strip_prefix("/").unwrap_or(p);
        if rel.as_os_str().is_empty() {
            self.root.clone()
        } else {
            self.root.join(rel)
        }
    }

    /// Reads a host file as text; `Ok(None)` when it does not exist.
    pub fn read_optional(&self, host_path: &str) -> io::Result<Option<String>> {
        read_optional(&self.path(host_path))
    }

    /// Reads a host file as bytes; `Ok(None)` when it does not exist.
    pub fn read_bytes_optional(&self, host_path: &str) -> io::Result<Option<Vec<u8>>> {
        match fs::read(self.path(host_path)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if is_missing(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether a host path exists (following symlinks).
    pub fn exists(&self, host_path: &str) -> bool {
        self.path(host_path).exists()
    }

    /// Follows symlinks in the last component of a host path the way the host would: an
    /// absolute target is read under the root, not in node-guard's own filesystem. Returns
    /// the host path finally named (the input when it is no symlink).
    pub fn resolve_link(&self, host_path: &str) -> io::Result<String> {
        let mut current = host_path.to_owned();
        // The kernel's own limit on nested links.
        for _ in 0..40 {
            let target = match fs::read_link(self.path(&current)) {
                Ok(t) => t,
                Err(e) if e.kind() == io::ErrorKind::InvalidInput || is_missing(&e) => {
                    return Ok(current);
                }
                Err(e) => return Err(e),
            };
            let target = target.to_string_lossy().into_owned();
            current = if target.starts_with('/') {
                target
            } else {
                let dir = current.rsplit_once('/').map_or("", |(d, _)| d);
                format!("{dir}/{target}")
            };
        }
        Err(io::Error::other(format!(
            "{host_path}: too many levels of symbolic links"
        )))
    }

    /// Names of the entries of a host directory, sorted; empty when it does not exist.
    pub fn list_dir(&self, host_path: &str) -> io::Result<Vec<String>> {
        match fs::read_dir(self.path(host_path)) {
            Ok(rd) => {
                let mut names = Vec::new();
                for entry in rd {
                    let entry = entry?;
                    if let Some(name) = entry.file_name().to_str() {
                        names.push(name.to_owned());
                    }
                }
                names.sort();
                Ok(names)
            }
            Err(e) if is_missing(&e) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
}

impl Default for HostRoot {
    fn default() -> Self {
        Self::new("/")
    }
}

/// Reads a file as (lossy) UTF-8 text; `Ok(None)` when it does not exist.
pub fn read_optional(path: &Path) -> io::Result<Option<String>> {
    match fs::read(path) {
        Ok(b) => Ok(Some(String::from_utf8_lossy(&b).into_owned())),
        Err(e) if is_missing(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether an I/O error means "this path is not there" (missing file or a non-directory parent).
pub fn is_missing(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_absolute_and_relative_paths_under_root() {
        let h = HostRoot::new("/host");
        assert_eq!(h.path("/proc/modules"), PathBuf::from("/host/proc/modules"));
        assert_eq!(
            h.path("etc/modprobe.d"),
            PathBuf::from("/host/etc/modprobe.d")
        );
        assert_eq!(h.path("/"), PathBuf::from("/host"));
        assert_eq!(
            HostRoot::default().path("/proc/modules"),
            PathBuf::from("/proc/modules")
        );
    }

    #[test]
    fn missing_files_are_none_not_errors() {
        let dir = tempfile::tempdir().unwrap();
        let h = HostRoot::new(dir.path());
        assert_eq!(h.read_optional("/proc/modules").unwrap(), None);
        assert!(h.list_dir("/etc/modprobe.d").unwrap().is_empty());
        fs::write(dir.path().join("f"), "x").unwrap();
        // A path through a regular file is "missing" too, not an error.
        assert_eq!(h.read_optional("/f/g").unwrap(), None);
        assert_eq!(h.read_optional("/f").unwrap().as_deref(), Some("x"));
    }
}
