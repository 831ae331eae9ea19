//! Shared by the raw-socket test binaries: the root check, the network
//! namespace pair, running code inside a namespace, and the events of a
//! graceful shutdown.
//!
//! Each test binary uses only part of this module.
#![allow(dead_code)]

use std::future::Future;
use std::process::Command;
use std::time::Duration;

use sctp_raw::AssociationEvent;
use tokio::time::timeout;

/// Upper bound for any one piece of work run in a namespace.
pub(crate) const LIMIT: Duration = Duration::from_secs(40);

/// A UDP port free on loopback a moment ago (for UDP encapsulation tests).
pub(crate) fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether we may open raw sockets and create namespaces; says SKIP when not.
pub(crate) fn root() -> bool {
    if nix::unistd::geteuid().is_root() {
        true
    } else {
        eprintln!("SKIP: raw SCTP socket tests need root");
        false
    }
}

/// Asserts the events of a graceful shutdown (RFC 9260 section 9.2): the
/// side that started it sees SHUTDOWN COMPLETE only, the other side the
/// peer's SHUTDOWN and then SHUTDOWN COMPLETE.
pub(crate) fn assert_graceful_shutdown(
    initiator: &[AssociationEvent],
    responder: &[AssociationEvent],
) {
    assert_eq!(initiator, [AssociationEvent::ShutdownComplete]);
    assert_eq!(
        responder,
        [
            AssociationEvent::ShutdownReceived,
            AssociationEvent::ShutdownComplete
        ]
    );
}

/// Runs `ip` with `args`, panicking with its stderr on failure.
pub(crate) fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Two network namespaces joined by a veth pair, deleted on drop (also when
/// a test panics). Namespace `a` has 198.18.0.1 and fd00:5c7f::1, `b` has
/// 198.18.0.2 and fd00:5c7f::2.
pub(crate) struct NetnsPair {
    pub(crate) a: String,
    pub(crate) b: String,
}

impl NetnsPair {
    /// A pair named after `tag` (keep it to a character or two: the veth
    /// names must fit in 15 characters).
    pub(crate) fn new(tag: &str) -> Self {
        Self::with_mtu(tag, None)
    }

    /// As [`NetnsPair::new`], with the veth MTU set.
    pub(crate) fn with_mtu(tag: &str, mtu: Option<u32>) -> Self {
        let pid = std::process::id();
        let pair = Self {
            a: format!("sctpraw-{pid}-{tag}a"),
            b: format!("sctpraw-{pid}-{tag}b"),
        };
        let (va, vb) = (format!("sr{pid}{tag}a"), format!("sr{pid}{tag}b"));
        ip(&["netns", "add", &pair.a]);
        ip(&["netns", "add", &pair.b]);
        ip(&[
            "link", "add", &va, "netns", &pair.a, "type", "veth", "peer", "name", &vb, "netns",
            &pair.b,
        ]);
        for (ns, dev, v4, v6) in [
            (&pair.a, &va, "198.18.0.1/24", "fd00:5c7f::1/64"),
            (&pair.b, &vb, "198.18.0.2/24", "fd00:5c7f::2/64"),
        ] {
            ip(&["-n", ns, "addr", "add", v4, "dev", dev]);
            ip(&["-n", ns, "addr", "add", v6, "dev", dev, "nodad"]);
            if let Some(mtu) = mtu {
                ip(&["-n", ns, "link", "set", dev, "mtu", &mtu.to_string()]);
            }
            ip(&["-n", ns, "link", "set", dev, "up"]);
            ip(&["-n", ns, "link", "set", "lo", "up"]);
        }
        pair
    }
}

impl Drop for NetnsPair {
    fn drop(&mut self) {
        for ns in [&self.a, &self.b] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

/// Moves the calling thread into network namespace `ns`.
pub(crate) fn enter_netns(ns: &str) {
    let file = std::fs::File::open(format!("/var/run/netns/{ns}")).expect("open netns");
    nix::sched::setns(file, nix::sched::CloneFlags::CLONE_NEWNET).expect("setns");
}

/// Runs `f` on a thread that entered network namespace `ns`, with its own
/// runtime (sockets stay in the namespace they were created in), within [`LIMIT`].
pub(crate) fn in_netns<F, Fut, T>(ns: &str, f: F) -> std::thread::JoinHandle<T>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = T>,
    T: Send + 'static,
{
    let ns = ns.to_owned();
    std::thread::spawn(move || {
        enter_netns(&ns);
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move { timeout(LIMIT, f()).await.expect("time limit") })
    })
}
