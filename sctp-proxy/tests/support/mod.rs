//! Test support: the programs under test, the proxy's HTTP endpoints read
//! from inside its namespace, and the network namespaces of the examples'
//! tests (a hub for the proxy, spokes for clients and backends); then what
//! the tests share: the star with the proxy and its backends, the proxy's
//! metrics, and what the captures on its links hold.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

#[path = "../../../examples/tests/support/mod.rs"]
pub mod ns;

use ns::{Proc, Star};

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

/// Where the proxy listens in the tests that don't say otherwise.
pub const LISTENER: &str = "198.18.0.1:3868";

/// `s` seconds.
pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Fast failure detection towards the backends, so a lost one is noticed
/// in about a second and probed again soon.
pub const FAST_BACKENDS: &[&str] = &[
    "--backend-rto-initial-ms",
    "200",
    "--backend-rto-min-ms",
    "100",
    "--backend-rto-max-ms",
    "200",
    "--backend-assoc-max-retrans",
    "3",
    "--backend-hb-interval-ms",
    "300",
    "--retry-min-ms",
    "300",
    "--retry-max-ms",
    "1000",
];

/// The proxy arguments `args` followed by [`FAST_BACKENDS`].
pub fn with_fast_backends<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend_from_slice(FAST_BACKENDS);
    all
}

/// A star of three spokes (0 the client, 1 and 2 the backends) if the
/// test can run with the programs `needs`, or `None` after a loud SKIP line.
pub fn star(test: &str, needs: &[&str]) -> Option<Star> {
    ns::can_run(test, needs).then(|| Star::new(test, 3))
}

/// The address of backend `i` (spoke `i`, port 3868).
pub fn backend_addr(i: usize) -> String {
    format!("{}:3868", Star::spoke4(i))
}

/// `sctp-echo server` in spoke `i` as `name` on `binds`, killed after
/// `limit`; returns once it listens.
pub fn sctp_echo_server(
    star: &Star,
    i: usize,
    name: &str,
    binds: &[&str],
    limit: Duration,
) -> Proc {
    let mut args = vec!["server"];
    for b in binds {
        args.extend(["--bind", b]);
    }
    let mut p = star.spawn(
        &star.spokes[i],
        name,
        &example_bin("sctp-echo"),
        &args,
        limit,
    );
    p.wait_for_output("listening on", secs(20));
    p
}

/// `sctp-echo server` in spoke `i` on [`backend_addr`]`(i)`, for at most
/// 240 s.
pub fn echo_backend(star: &Star, i: usize) -> Proc {
    sctp_echo_server(
        star,
        i,
        &format!("echo-backend-{i}"),
        &[&backend_addr(i)],
        secs(240),
    )
}

/// `sctp-perf server` in spoke 1 on [`backend_addr`]`(1)`, for at most
/// 120 s.
pub fn perf_backend(star: &Star) -> Proc {
    let mut p = star.spawn(
        &star.spokes[1],
        "perf-backend",
        &example_bin("sctp-perf"),
        &["server", "--bind", &backend_addr(1)],
        secs(120),
    );
    p.wait_for_output("listening", secs(20));
    p
}

/// Starts the proxy in the hub on `listen` with metrics on 127.0.0.1:9090
/// and `args`, killed after `limit`; returns once it listens.
pub fn proxy_on(star: &Star, listen: &str, args: &[&str], limit: Duration) -> Proc {
    let mut all = vec!["--listen", listen, "--metrics", "127.0.0.1:9090"];
    all.extend_from_slice(args);
    let mut p = star.spawn(&star.hub, "proxy", &proxy_bin(), &all, limit);
    p.wait_for_output("listening on", secs(20));
    p
}

/// Starts the proxy in the hub on [`LISTENER`] with metrics on
/// 127.0.0.1:9090 and `args`, for at most 240 s.
pub fn proxy(star: &Star, args: &[&str]) -> Proc {
    proxy_on(star, LISTENER, args, secs(240))
}

/// The proxy's `/metrics` (which must answer 200).
pub fn metrics(star: &Star) -> String {
    let (status, body) = http_get(&star.hub, 9090, "/metrics");
    assert_eq!(status, 200, "/metrics: {body}");
    body
}

/// Polls `/metrics` until `f` holds; panics with the last body after `limit`.
pub fn metrics_until(star: &Star, limit: Duration, what: &str, f: impl Fn(&str) -> bool) -> String {
    let end = Instant::now() + limit;
    loop {
        let body = metrics(star);
        if f(&body) {
            return body;
        }
        assert!(Instant::now() < end, "{what} did not happen:\n{body}");
        sleep(Duration::from_millis(100));
    }
}

/// The series `name` of listener `listener` with the further `labels`
/// (`""`, or `,label="value"...`), as Prometheus prints it.
pub fn series_on(listener: &str, name: &str, labels: &str) -> String {
    format!("{name}{{listener=\"{listener}\"{labels}}}")
}

/// The series `name` of [`LISTENER`] with the further `labels`.
pub fn series(name: &str, labels: &str) -> String {
    series_on(LISTENER, name, labels)
}

/// The value of [`series_on`]`(listener, name, labels)` in `body`; panics
/// if it is absent.
pub fn value_on(listener: &str, body: &str, name: &str, labels: &str) -> f64 {
    let s = series_on(listener, name, labels);
    metric(body, &s).unwrap_or_else(|| panic!("no {s} in\n{body}"))
}

/// The value of [`series`]`(name, labels)` in `body`; panics if it is absent.
pub fn value(body: &str, name: &str, labels: &str) -> f64 {
    value_on(LISTENER, body, name, labels)
}

/// The `backend_up` series of backend `addr` of [`LISTENER`]: 1 up, 0
/// down, `None` while the proxy does not list it.
pub fn up(body: &str, addr: &str) -> Option<f64> {
    metric(
        body,
        &series("sctp_proxy_backend_up", &format!(",backend=\"{addr}\"")),
    )
}

/// The backends the proxy lists (the `backend_up` series), sorted.
pub fn listed(body: &str) -> Vec<String> {
    let mut v: Vec<String> = body
        .lines()
        .filter(|l| l.starts_with("sctp_proxy_backend_up{"))
        .filter_map(|l| {
            let rest = l.split_once("backend=\"")?.1;
            Some(rest.split_once('"')?.0.to_owned())
        })
        .collect();
    v.sort();
    v
}

/// Stops a capture, checks it (nothing malformed, no bad CRC-32C, at
/// least `min` SCTP packets) and returns its file and SCTP packet count.
pub fn stopped_counted(capture: ns::Capture, min: usize) -> (PathBuf, usize) {
    let file = capture.file.clone();
    let n = capture.stop_and_check(min);
    (file, n)
}

/// Stops a capture, checks it as [`stopped_counted`] does and returns its
/// file.
pub fn stopped(capture: ns::Capture, min: usize) -> PathBuf {
    stopped_counted(capture, min).0
}

/// Stream and PPID of every DATA or I-DATA chunk from `src` in `file`.
pub fn data_chunks(file: &Path, src: &str) -> Vec<(u64, u64)> {
    let filter = format!("ip.src == {src} && (sctp.chunk_type == 0 || sctp.chunk_type == 64)");
    let sids = ns::tshark_values(file, &filter, "sctp.data_sid");
    let ppids = ns::tshark_values(file, &filter, "sctp.data_payload_proto_id");
    assert_eq!(
        sids.len(),
        ppids.len(),
        "{}: a chunk without PPID",
        file.display()
    );
    sids.into_iter().zip(ppids).collect()
}

/// The User-Initiated Abort reasons in the ABORT chunks of `file`, as text.
pub fn abort_reasons(file: &Path) -> Vec<String> {
    cause_texts(file, "sctp.chunk_type == 6")
}

/// The User-Initiated Abort reasons (cause 12) in the ABORT chunks from
/// `src` in `file`, as text.
pub fn abort_reasons_from(file: &Path, src: &str) -> Vec<String> {
    cause_texts(
        file,
        &format!("ip.src == {src} && sctp.chunk_type == 6 && sctp.cause_code == 12"),
    )
}

/// The cause information of the packets of `file` matching `filter`, as
/// text, one entry a packet.
fn cause_texts(file: &Path, filter: &str) -> Vec<String> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(file)
        .args(["-Y", filter, "-T", "fields", "-e", "sctp.cause_information"])
        .output()
        .expect("running tshark");
    assert!(
        out.status.success(),
        "tshark: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let hex: String = l.chars().filter(char::is_ascii_hexdigit).collect();
            let bytes: Vec<u8> = (0..hex.len() / 2)
                .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        })
        .collect()
}
