//! Test support: the programs under test, the proxy's HTTP endpoints read
//! from inside its namespace, and the network namespaces of the examples'
//! tests (a hub for the proxy, spokes for clients and backends).

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::process::Command;

#[path = "../../../examples/tests/support/mod.rs"]
pub mod ns;

/// The proxy binary Cargo built for these tests.
pub fn proxy_bin() -> String {
    env!("CARGO_BIN_EXE_sctp-proxy").to_owned()
}

/// One of the example programs (`sctp-echo`, `sctp-perf`), built beside
/// this test binary by `cargo test --workspace`.
pub fn example_bin(name: &str) -> String {
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<test> -> target/<profile>/<name>
    let path: PathBuf = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target directory")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p sctp-examples` (`cargo test --workspace` does)",
        path.display()
    );
    path.to_string_lossy().into_owned()
}

/// `GET path` from `127.0.0.1:port` inside namespace `ns` (bash's
/// /dev/tcp, so no HTTP client need be installed): status code and body.
pub fn http_get(ns: &str, port: u16, path: &str) -> (u16, String) {
    let script = format!(
        "exec 3<>/dev/tcp/127.0.0.1/{port} && printf 'GET {path} HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3"
    );
    let out = Command::new("ip")
        .args(["netns", "exec", ns, "bash", "-c", &script])
        .output()
        .expect("running bash");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let status = text
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The value of the series `name{labels}` (written exactly as Prometheus
/// prints it, e.g. `sctp_proxy_retried_messages_total{listener="198.18.0.1:3868"}`)
/// in a `/metrics` body; `None` if absent.
pub fn metric(body: &str, series: &str) -> Option<f64> {
    body.lines().find_map(|l| {
        l.strip_prefix(series)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}
