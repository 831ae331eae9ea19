//! The real binary on fixture host roots: exit codes, JSON and text output, bad input.

mod common;

use std::process::Command;

use common::*;

fn node_guard(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_node-guard"))
        .args(args)
        .env_remove("NODE_NAME")
        .env_remove("NODE_GUARD_HOST_ROOT")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn check_json(f: &Fixture) -> (i32, serde_json::Value) {
    let (code, out, err) = node_guard(&[
        "check",
        "--host-root",
        f.root().to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, v)
}

#[test]
fn exit_codes_and_json_per_verdict() {
    let ok = Fixture::base();
    let (code, v) = check_json(&ok);
    assert_eq!(code, 0);
    assert_eq!(v["verdict"], "ok");
    assert_eq!(v["sctp"]["state"], "absent");
    assert!(v["raw_sctp_sockets"].is_array());

    let bad = Fixture::with_module();
    bad.append("proc/modules", SCTP_LOADED_LINES);
    let (code, v) = check_json(&bad);
    assert_eq!(code, 1);
    assert_eq!(v["verdict"], "violation");
    assert_eq!(v["sctp"]["state"], "loaded");
    assert_eq!(v["sctp"]["evidence"][0]["file"], "/proc/modules");
    assert_eq!(v["sctp"]["evidence"][0]["line"], 10);
    assert_eq!(
        v["sctp"]["evidence"][0]["text"],
        "sctp 434176 1 sctp_diag, Live 0x0000000000000000"
    );

    let unknown = Fixture::with_module();
    unknown.remove("proc/modules");
    let (code, v) = check_json(&unknown);
    assert_eq!(code, 2);
    assert_eq!(v["verdict"], "unknown");
}

#[test]
fn text_output_is_short_and_says_what_to_do() {
    let f = Fixture::with_module();
    let (code, out, _) = node_guard(&["check", "--host-root", f.root().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("VIOLATION: kernel SCTP is loadable"),
        "{out}"
    );
    assert!(
        out.contains("=> the sctp module can load: run `node-guard block`"),
        "{out}"
    );
    assert!(out.lines().count() < 15, "{out}");
}

#[test]
fn block_then_check_then_unblock_through_the_binary() {
    let f = Fixture::with_module();
    let root = f.root().to_str().unwrap();
    let (code, out, _) = node_guard(&["block", "--host-root", root, "--dry-run"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("would write /etc/modprobe.d/90-node-guard-sctp.conf"),
        "{out}"
    );
    assert!(out.contains("install sctp_diag /bin/false"), "{out}");
    assert!(f.read("etc/modprobe.d/90-node-guard-sctp.conf").is_none());
    let (code, out, _) = node_guard(&["block", "--host-root", root]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("wrote /etc/modprobe.d/90-node-guard-sctp.conf"));
    let (code, v) = check_json(&f);
    assert_eq!((code, v["sctp"]["state"].as_str()), (0, Some("blocked")));
    let (code, out, _) = node_guard(&["block", "--host-root", root]);
    assert_eq!(code, 0);
    assert!(out.contains("already in place"));
    let (code, out, _) = node_guard(&["unblock", "--host-root", root]);
    assert_eq!(code, 0);
    assert!(out.contains("removed"));
    assert_eq!(check_json(&f).0, 1);
}

#[test]
fn block_on_a_loaded_node_says_reboot() {
    let f = Fixture::with_module();
    f.append("proc/modules", "sctp_diag 16384 0 - Live 0x0000000000000000\nsctp 434176 5 sctp_diag, Live 0x0000000000000000\n");
    let (code, out, _) = node_guard(&["block", "--host-root", f.root().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("the node needs a reboot"), "{out}");
}

#[test]
fn bad_input_gets_a_clear_error() {
    let (code, _, err) = node_guard(&["check", "--host-root", "/no/such/root"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--host-root") && err.contains("not a directory"),
        "{err}"
    );
    let (code, _, err) = node_guard(&["check", "--format", "xml"]);
    assert_eq!(code, 2);
    assert!(err.contains("xml"), "{err}");
    let (code, _, err) = node_guard(&["dedicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("--node NAME or set NODE_NAME"), "{err}");
    let (code, _, err) = node_guard(&["dedicate", "--node", "Bad_Name"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a valid node name"), "{err}");
    let (code, _, err) = node_guard(&["dedicate", "--node", "n1", "--prefix", "Not A Prefix"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid --prefix"), "{err}");
    let (code, _, err) = node_guard(&["watch", "--interval", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("positive"), "{err}");
}
