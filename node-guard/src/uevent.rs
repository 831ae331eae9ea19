//! Parsing `NETLINK_KOBJECT_UEVENT` datagrams and opening the uevent socket.
//!
//! Kernel datagrams are `ACTION@DEVPATH\0KEY=VALUE\0...`. udev re-broadcasts events in its
//! own format, starting with the `libudev\0` magic, a binary header and a properties buffer.

use std::collections::BTreeMap;
use std::os::fd::{AsFd, OwnedFd};
use std::time::Duration;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{
    AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType, bind, recv, socket,
};
use serde::Serialize;

/// Where a uevent came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UeventSource {
    /// The kernel (multicast group 1).
    Kernel,
    /// udevd's re-broadcast (`libudev` format).
    Udev,
}

/// A parsed uevent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Uevent {
    /// Kernel or udev.
    pub source: UeventSource,
    /// `add`, `remove`, `change`, ...
    pub action: String,
    /// `/module/sctp`, ...
    pub devpath: String,
    /// The `KEY=VALUE` properties.
    pub env: BTreeMap<String, String>,
}

impl Uevent {
    /// The module named by a `module` subsystem event, if this is one.
    pub fn module(&self) -> Option<&str> {
        let subsystem = self.env.get("SUBSYSTEM").map(String::as_str);
        let name = self.devpath.strip_prefix("/module/")?;
        (subsystem.is_none_or(|s| s == "module") && !name.contains('/')).then_some(name)
    }
}

/// Errors parsing a datagram.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UeventError {
    /// The datagram has no `ACTION@DEVPATH` header.
    #[error("uevent datagram has no ACTION@DEVPATH header")]
    NoHeader,
    /// A libudev header is shorter or inconsistent.
    #[error("malformed libudev header: {0}")]
    BadLibudev(&'static str),
}

const LIBUDEV_MAGIC: &[u8] = b"libudev\0";
const LIBUDEV_FEEDCAFE: u32 = 0xfeed_cafe;

fn parse_props(buf: &[u8]) -> BTreeMap<String, String> {
    buf.split(|b| *b == 0)
        .filter_map(|kv| {
            let s = String::from_utf8_lossy(kv);
            let (k, v) = s.split_once('=')?;
            Some((k.to_owned(), v.to_owned()))
        })
        .collect()
}

/// Parses one datagram from a `NETLINK_KOBJECT_UEVENT` socket.
pub fn parse(buf: &[u8]) -> Result<Uevent, UeventError> {
    if let Some(rest) = buf.strip_prefix(LIBUDEV_MAGIC) {
        let word = |i: usize| -> Result<[u8; 4], UeventError> {
            rest.get(i * 4..i * 4 + 4)
                .and_then(|b| b.try_into().ok())
                .ok_or(UeventError::BadLibudev("short header"))
        };
        if u32::from_be_bytes(word(0)?) != LIBUDEV_FEEDCAFE {
            return Err(UeventError::BadLibudev("bad magic"));
        }
        let off = u32::from_ne_bytes(word(2)?) as usize;
        let len = u32::from_ne_bytes(word(3)?) as usize;
        let props = buf
            .get(off..off.saturating_add(len))
            .ok_or(UeventError::BadLibudev("properties out of range"))?;
        let env = parse_props(props);
        return Ok(Uevent {
            source: UeventSource::Udev,
            action: env.get("ACTION").cloned().unwrap_or_default(),
            devpath: env.get("DEVPATH").cloned().unwrap_or_default(),
            env,
        });
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    let header = String::from_utf8_lossy(&buf[..end]);
    let (action, devpath) = header.split_once('@').ok_or(UeventError::NoHeader)?;
    if action.is_empty() || !devpath.starts_with('/') {
        return Err(UeventError::NoHeader);
    }
    Ok(Uevent {
        source: UeventSource::Kernel,
        action: action.to_owned(),
        devpath: devpath.to_owned(),
        env: parse_props(buf.get(end + 1..).unwrap_or_default()),
    })
}

/// A source of raw uevent datagrams.
pub trait EventSource {
    /// Waits up to `timeout` for one datagram; `Ok(None)` on timeout.
    fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Vec<u8>>>;
}

/// The kernel's uevent multicast socket (`AF_NETLINK`, `NETLINK_KOBJECT_UEVENT`, group 1).
#[derive(Debug)]
pub struct NetlinkSource {
    fd: OwnedFd,
    buf: Vec<u8>,
}

impl NetlinkSource {
    /// Opens and binds the socket to the kernel's uevent group.
    pub fn open() -> std::io::Result<Self> {
        let fd = socket(
            AddressFamily::Netlink,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkKObjectUEvent,
        )?;
        bind(
            std::os::fd::AsRawFd::as_raw_fd(&fd),
            &NetlinkAddr::new(0, 1),
        )?;
        Ok(Self {
            fd,
            buf: vec![0; 64 * 1024],
        })
    }
}

impl EventSource for NetlinkSource {
    fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Vec<u8>>> {
        let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        let mut fds = [PollFd::new(self.fd.as_fd(), PollFlags::POLLIN)];
        let ready = match poll(
            &mut fds,
            PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX),
        ) {
            Ok(n) => n,
            Err(nix::errno::Errno::EINTR) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if ready == 0 {
            return Ok(None);
        }
        let n = recv(
            std::os::fd::AsRawFd::as_raw_fd(&self.fd),
            &mut self.buf,
            MsgFlags::MSG_DONTWAIT,
        );
        match n {
            Ok(n) => Ok(Some(self.buf[..n].to_vec())),
            Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) => Ok(None),
            // ENOBUFS: the kernel dropped events; the caller's rescan catches up.
            Err(nix::errno::Errno::ENOBUFS) => Ok(Some(Vec::new())),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_module_add() {
        let d =
            b"add@/module/sctp\0ACTION=add\0DEVPATH=/module/sctp\0SUBSYSTEM=module\0SEQNUM=4312\0";
        let e = parse(d).unwrap();
        assert_eq!(e.source, UeventSource::Kernel);
        assert_eq!(e.action, "add");
        assert_eq!(e.module(), Some("sctp"));
        assert_eq!(e.env["SEQNUM"], "4312");
    }

    #[test]
    fn garbage_is_an_error() {
        assert_eq!(parse(b"hello"), Err(UeventError::NoHeader));
        assert_eq!(parse(b""), Err(UeventError::NoHeader));
        assert!(matches!(
            parse(b"libudev\0\0\0"),
            Err(UeventError::BadLibudev(_))
        ));
    }
}
