//! The raw `IPPROTO_SCTP` socket census: the userspace SCTP stacks living on the host.
//!
//! Each network namespace's `/proc/<pid>/net/raw` and `raw6` are read once (the first pid
//! seen in that namespace); socket inodes are mapped to processes via `/proc/<pid>/fd`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

use crate::hostroot::HostRoot;

/// IANA protocol number of SCTP.
pub const IPPROTO_SCTP: u16 = 132;

/// One raw socket line from `/proc/net/raw` or `raw6`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSocketLine {
    /// Local address.
    pub local: IpAddr,
    /// Protocol number (the "port" column of raw sockets).
    pub protocol: u16,
    /// Owner uid.
    pub uid: u32,
    /// Socket inode.
    pub inode: u64,
}

/// A process holding a socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holder {
    /// Process id (in the host's pid namespace).
    pub pid: u32,
    /// `/proc/<pid>/comm`.
    pub comm: String,
}

/// A raw SCTP socket on the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RawSctpSocket {
    /// Network namespace inode (`net:[N]`).
    pub netns: u64,
    /// `inet` or `inet6`.
    pub family: &'static str,
    /// Local address it is bound to.
    pub local_address: IpAddr,
    /// Owner uid.
    pub uid: u32,
    /// Socket inode.
    pub inode: u64,
    /// Processes holding it.
    pub processes: Vec<Holder>,
}

fn parse_hex_addr(hex: &str) -> Option<IpAddr> {
    match hex.len() {
        8 => {
            let v = u32::from_str_radix(hex, 16).ok()?;
            Some(IpAddr::V4(Ipv4Addr::from(v.to_ne_bytes())))
        }
        32 => {
            let mut bytes = [0u8; 16];
            for i in 0..4 {
                let w = u32::from_str_radix(&hex[i * 8..i * 8 + 8], 16).ok()?;
                bytes[i * 4..i * 4 + 4].copy_from_slice(&w.to_ne_bytes());
            }
            Some(IpAddr::V6(Ipv6Addr::from(bytes)))
        }
        _ => None,
    }
}

/// Parses `/proc/net/raw` or `raw6` (header `sl local_address rem_address st ... inode`).
pub fn parse_proc_net_raw(text: &str) -> Vec<RawSocketLine> {
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.len() < 10 {
                return None;
            }
            let (addr, proto) = f[1].rsplit_once(':')?;
            Some(RawSocketLine {
                local: parse_hex_addr(addr)?,
                protocol: u16::from_str_radix(proto, 16).ok()?,
                uid: f[7].parse().ok()?,
                inode: f[9].parse().ok()?,
            })
        })
        .collect()
}

/// Parses a `name:[N]` symlink target (`net:[4026531840]`, `socket:[12345]`).
pub fn parse_bracket_inode(target: &str, kind: &str) -> Option<u64> {
    target
        .strip_prefix(kind)?
        .strip_prefix(":[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

fn pids(host: &HostRoot) -> std::io::Result<Vec<u32>> {
    let mut p: Vec<u32> = host
        .list_dir("/proc")?
        .iter()
        .filter_map(|n| n.parse().ok())
        .collect();
    p.sort_unstable();
    Ok(p)
}

fn readlink(host: &HostRoot, path: &str) -> Option<String> {
    fs::read_link(host.path(path))
        .ok()
        .and_then(|t| t.to_str().map(str::to_owned))
}

fn is_permission(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::PermissionDenied
}

/// The census with how much of the host it could see.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Census {
    /// Raw SCTP sockets found.
    pub sockets: Vec<RawSctpSocket>,
    /// Processes whose network namespace or file descriptors node-guard was not allowed to
    /// read: their sockets may be missing from `sockets`.
    pub uninspected: Vec<u32>,
}

/// Lists every raw IPPROTO_SCTP socket on the host, reading each network namespace once.
pub fn census(host: &HostRoot) -> std::io::Result<Vec<RawSctpSocket>> {
    Ok(inspect(host)?.sockets)
}

/// Like [`census`], and counts the processes it was not allowed to look into (a process
/// that exits meanwhile is not counted).
pub fn inspect(host: &HostRoot) -> std::io::Result<Census> {
    let pids = pids(host)?;
    let mut seen_ns = BTreeSet::new();
    let mut found: BTreeMap<u64, RawSctpSocket> = BTreeMap::new();
    let mut uninspected = BTreeSet::new();
    for &pid in &pids {
        let ns_link = match fs::read_link(host.path(format!("/proc/{pid}/ns/net"))) {
            Ok(t) => t.to_str().map(str::to_owned),
            Err(e) => {
                if is_permission(&e) {
                    uninspected.insert(pid);
                }
                None
            }
        };
        let Some(ns) = ns_link.and_then(|t| parse_bracket_inode(&t, "net")) else {
            continue;
        };
        if !seen_ns.insert(ns) {
            continue;
        }
        for (file, family) in [("raw", "inet"), ("raw6", "inet6")] {
            let Ok(Some(text)) = host.read_optional(&format!("/proc/{pid}/net/{file}")) else {
                continue;
            };
            for s in parse_proc_net_raw(&text) {
                if s.protocol == IPPROTO_SCTP {
                    found.entry(s.inode).or_insert(RawSctpSocket {
                        netns: ns,
                        family,
                        local_address: s.local,
                        uid: s.uid,
                        inode: s.inode,
                        processes: Vec::new(),
                    });
                }
            }
        }
    }
    for &pid in &pids {
        let fd_dir = format!("/proc/{pid}/fd");
        let fds = match host.list_dir(&fd_dir) {
            Ok(fds) => fds,
            Err(e) => {
                if is_permission(&e) {
                    uninspected.insert(pid);
                }
                continue;
            }
        };
        if found.is_empty() {
            // Nothing to attribute; the listing only tells whether we could look.
            continue;
        }
        let mut comm = None;
        for fd in fds {
            let Some(inode) = readlink(host, &format!("{fd_dir}/{fd}"))
                .and_then(|t| parse_bracket_inode(&t, "socket"))
            else {
                continue;
            };
            if let Some(sock) = found.get_mut(&inode) {
                let comm = comm.get_or_insert_with(|| {
                    host.read_optional(&format!("/proc/{pid}/comm"))
                        .ok()
                        .flatten()
                        .map(|c| c.trim().to_owned())
                        .unwrap_or_default()
                });
                if !sock.processes.iter().any(|h| h.pid == pid) {
                    sock.processes.push(Holder {
                        pid,
                        comm: comm.clone(),
                    });
                }
            }
        }
    }
    Ok(Census {
        sockets: found.into_values().collect(),
        uninspected: uninspected.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_raw_and_raw6_lines() {
        let raw = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n  132: 0100007F:0084 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 51234 2 0000000000000000 0\n    1: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 40000 2 0000000000000000 0\n";
        let l = parse_proc_net_raw(raw);
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].protocol, 132);
        assert_eq!(l[0].inode, 51234);
        assert_eq!(l[0].local, "127.0.0.1".parse::<IpAddr>().unwrap());
        assert_eq!(l[1].protocol, 1);
        let raw6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n  132: 00000000000000000000000001000000:0084 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 51240 2 0000000000000000 0\n";
        let l6 = parse_proc_net_raw(raw6);
        assert_eq!(l6[0].local, "::1".parse::<IpAddr>().unwrap());
        assert_eq!(l6[0].uid, 1000);
    }

    #[test]
    fn bracket_inodes() {
        assert_eq!(
            parse_bracket_inode("net:[4026531840]", "net"),
            Some(4026531840)
        );
        assert_eq!(parse_bracket_inode("socket:[77]", "socket"), Some(77));
        assert_eq!(parse_bracket_inode("pipe:[77]", "socket"), None);
    }
}
