//! Runs the real binary under `strace -f -e trace=socket` and fails if it ever opens a
//! kernel SCTP socket (protocol 132 with a type other than SOCK_RAW): that would autoload
//! lksctp on a node where it is not blocked.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// One `socket(...)` call from an strace log: (domain, type, protocol) as strace prints them.
fn socket_calls(log: &str) -> Vec<(String, String, String)> {
    log.lines()
        .filter_map(|l| {
            let i = l.find("socket(")?;
            let args = &l[i + 7..];
            let args = &args[..args.find(')')?];
            let mut parts = args.splitn(3, ", ");
            Some((
                parts.next()?.trim().to_owned(),
                parts.next()?.trim().to_owned(),
                parts.next()?.trim().to_owned(),
            ))
        })
        .collect()
}

fn is_kernel_sctp(call: &(String, String, String)) -> bool {
    let (_, ty, proto) = call;
    let sctp = proto.contains("IPPROTO_SCTP") || proto.trim() == "132";
    sctp && !ty.split('|').any(|t| t.trim() == "SOCK_RAW")
}

fn traced(args: &[&str], log: &Path) -> Vec<(String, String, String)> {
    let status = Command::new("strace")
        .args(["-f", "-e", "trace=socket", "-o"])
        .arg(log)
        .arg(env!("CARGO_BIN_EXE_node-guard"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let text = std::fs::read_to_string(log).unwrap_or_else(|e| {
        panic!(
            "no strace log ({e}): {}",
            String::from_utf8_lossy(&status.stderr)
        )
    });
    let calls = socket_calls(&text);
    for c in &calls {
        assert!(
            !is_kernel_sctp(c),
            "node-guard {args:?} opened a kernel SCTP socket: {c:?}\n{text}"
        );
    }
    calls
}

#[test]
fn the_checker_recognises_a_kernel_sctp_socket_call() {
    let log = "1234  socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_SCTP) = -1 EPROTONOSUPPORT (Protocol not supported)\n1234  socket(AF_INET6, SOCK_SEQPACKET, 132) = 3\n1234  socket(AF_INET, SOCK_RAW, IPPROTO_SCTP) = 4\n1234  socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT) = 5\n";
    let calls = socket_calls(log);
    assert_eq!(calls.len(), 4);
    let flagged: Vec<bool> = calls.iter().map(is_kernel_sctp).collect();
    assert_eq!(flagged, vec![true, true, false, false]);
}

#[test]
fn node_guard_never_opens_a_kernel_sctp_socket() {
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("SKIP: strace is not installed (apt-get install strace)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let f = Fixture::with_module();
    let root = f.root().to_str().unwrap().to_owned();

    let check = traced(
        &["check", "--format", "json"],
        &dir.path().join("check.log"),
    );
    let dry = traced(
        &["block", "--dry-run", "--host-root", &root],
        &dir.path().join("block.log"),
    );
    let watch = traced(
        &[
            "watch",
            "--host-root",
            &root,
            "--interval",
            "100ms",
            "--duration",
            "400ms",
        ],
        &dir.path().join("watch.log"),
    );
    // strace really recorded socket calls: watch opens the uevent netlink socket.
    assert!(
        watch
            .iter()
            .any(|(d, _, p)| d == "AF_NETLINK" && p.contains("NETLINK_KOBJECT_UEVENT")),
        "strace saw no uevent socket from watch: {watch:?}"
    );
    // check and block open no sockets at all.
    assert!(check.is_empty(), "{check:?}");
    assert!(dry.is_empty(), "{dry:?}");
}
