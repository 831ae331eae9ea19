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
        out.contains("would write /etc/modprobe.d/00-node-guard-sctp.conf"),
        "{out}"
    );
    assert!(out.contains("install sctp_diag /bin/false"), "{out}");
    assert!(f.read("etc/modprobe.d/00-node-guard-sctp.conf").is_none());
    let (code, out, _) = node_guard(&["block", "--host-root", root]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("wrote /etc/modprobe.d/00-node-guard-sctp.conf"));
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
    // Could-not-run is 3, distinct from the unknown state (2).
    let (code, _, err) = node_guard(&["check", "--host-root", "/no/such/root"]);
    assert_eq!(code, 3);
    assert!(
        err.contains("--host-root") && err.contains("not a directory"),
        "{err}"
    );
    let (code, _, err) = node_guard(&["check", "--format", "xml"]);
    assert_eq!(code, 3);
    assert!(err.contains("xml"), "{err}");
    let (code, _, err) = node_guard(&["dedicate"]);
    assert_eq!(code, 3);
    assert!(err.contains("--node NAME or set NODE_NAME"), "{err}");
    let (code, _, err) = node_guard(&["dedicate", "--node", "Bad_Name"]);
    assert_eq!(code, 3);
    assert!(err.contains("not a valid node name"), "{err}");
    let (code, _, err) = node_guard(&["dedicate", "--node", "n1", "--prefix", "Not A Prefix"]);
    assert_eq!(code, 3);
    assert!(err.contains("invalid --prefix"), "{err}");
    let (code, _, err) = node_guard(&[
        "dedicate",
        "--node",
        "n1",
        "--kubeconfig",
        "/no/such/kubeconfig",
    ]);
    assert_eq!(code, 3);
    assert!(err.contains("is not a readable file"), "{err}");
    let root = std::env::temp_dir();
    let (code, _, err) = node_guard(&[
        "run",
        "--no-api",
        "--block",
        "dedicated",
        "--host-root",
        root.to_str().unwrap(),
    ]);
    assert_eq!(code, 3);
    assert!(err.contains("--block=dedicated reads the node"), "{err}");
    let (code, _, err) = node_guard(&["watch", "--interval", "0"]);
    assert_eq!(code, 3);
    assert!(err.contains("positive"), "{err}");
}

#[test]
fn help_and_version_succeed() {
    let (code, out, _) = node_guard(&["--version"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("node-guard "), "{out}");
}

#[test]
fn block_exits_nonzero_and_says_why_when_an_earlier_rule_shadows_it() {
    let f = Fixture::with_module();
    // Sorts before 00-node-guard-sctp.conf: its install rule is the one kmod uses.
    f.write(
        "etc/modprobe.d/00-aaa-site.conf",
        "install sctp /sbin/modprobe --ignore-install sctp\n",
    );
    let (code, out, _) = node_guard(&["block", "--host-root", f.root().to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("NOT BLOCKED"), "{out}");
    assert!(out.contains("/etc/modprobe.d/00-aaa-site.conf:1:"), "{out}");
}

#[test]
fn block_on_a_builtin_sctp_says_nothing_can_block_it() {
    let f = Fixture::base();
    f.append(
        &format!("lib/modules/{REL}/modules.builtin"),
        "kernel/net/sctp/sctp.ko\n",
    );
    let (code, out, _) = node_guard(&["block", "--host-root", f.root().to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("compiled into this kernel"), "{out}");
}

#[test]
fn block_says_when_only_modules_disabled_holds_until_reboot() {
    let f = Fixture::with_module();
    f.write("proc/sys/kernel/modules_disabled", "1\n");
    f.write(
        "etc/modprobe.d/00-aaa-site.conf",
        "install sctp /sbin/modprobe --ignore-install sctp\n",
    );
    let (code, out, _) = node_guard(&["block", "--host-root", f.root().to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("only until reboot"), "{out}");
}

#[test]
fn block_verifies_its_work() {
    let f = Fixture::with_module();
    let (code, out, _) = node_guard(&["block", "--host-root", f.root().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("verified: kmod now refuses to load sctp"),
        "{out}"
    );
}

#[test]
fn kubeconfig_and_context_select_the_server_named_in_errors() {
    // A kubeconfig pointing at a closed loopback port: the error names that server.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(
        &kc,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster: {{server: 'http://127.0.0.1:1'}}\n- name: b\n  cluster: {{server: 'http://{addr}'}}\nusers:\n- name: u\n  user: {{token: t}}\ncontexts:\n- name: ctx-a\n  context: {{cluster: a, user: u}}\n- name: ctx-b\n  context: {{cluster: b, user: u}}\ncurrent-context: ctx-a\n"
        ),
    )
    .unwrap();
    let (code, _, err) = node_guard(&[
        "dedicate",
        "--node",
        "worker-1",
        "--kubeconfig",
        kc.to_str().unwrap(),
        "--context",
        "ctx-b",
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains(&format!("http://{addr}: cannot read node worker-1: ")),
        "{err}"
    );
    let (code, _, err) = node_guard(&[
        "dedicate",
        "--node",
        "worker-1",
        "--kubeconfig",
        kc.to_str().unwrap(),
        "--context",
        "no-such-context",
    ]);
    assert_eq!(code, 3);
    assert!(err.contains("no-such-context"), "{err}");
}

fn chmod_tree(p: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::symlink_metadata(p).unwrap();
    if meta.file_type().is_symlink() {
        return;
    }
    let mode = if meta.is_dir() { 0o755 } else { 0o644 };
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    if meta.is_dir() {
        for e in std::fs::read_dir(p).unwrap() {
            chmod_tree(&e.unwrap().path());
        }
    }
}

#[test]
fn census_says_how_many_processes_it_could_not_inspect() {
    use std::os::unix::fs::PermissionsExt;
    if !nix::unistd::Uid::effective().is_root() {
        eprintln!(
            "SKIPPED census_says_how_many_processes_it_could_not_inspect: needs root to run node-guard as nobody"
        );
        return;
    }
    let f = Fixture::base();
    f.add_process(1, "systemd", 4026531840, &[]);
    f.add_process(4242, "amf", 4026532500, &[]);
    chmod_tree(f.root());
    // pid 1 belongs to root and is closed to others, as /proc/1/ns and /proc/1/fd are.
    for d in ["proc/1/ns", "proc/1/fd"] {
        std::fs::set_permissions(f.path(d), std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_node-guard"))
        .args(["check", "--host-root", f.root().to_str().unwrap()])
        .env_remove("NODE_GUARD_HOST_ROOT")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("raw SCTP sockets: none found; could not inspect 1 processes (permission)"),
        "{text}"
    );
    // As root it can look: "none" means none.
    let (_, text, _) = node_guard(&["check", "--host-root", f.root().to_str().unwrap()]);
    assert!(text.contains("raw SCTP sockets: none\n"), "{text}");
}

#[test]
fn errors_name_the_host_path_not_the_path_under_host_root() {
    let f = Fixture::with_module();
    // /etc/modprobe.d is a file: the drop-in cannot be written.
    f.write("etc/modprobe.d", "not a directory\n");
    let root = f.root().to_str().unwrap();
    let (code, _, err) = node_guard(&["block", "--host-root", root]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("cannot write /etc/modprobe.d/00-node-guard-sctp.conf: "),
        "{err}"
    );
    assert!(!err.contains(root), "{err}");
}
