//! Command-line behaviour of the programs: usage errors (exit code 2), help,
//! the permission hint, and a UDP-encapsulated run on loopback, which needs
//! no privileges.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

const ECHO: &str = env!("CARGO_BIN_EXE_sctp-echo");
const PERF: &str = env!("CARGO_BIN_EXE_sctp-perf");

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .expect("running the program")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn usage_errors_exit_2_and_name_the_problem() {
    let o = run(ECHO, &["client", "127.0.0.1:7", "--size", "3"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--size must be at least 8, got 3"),
        "{}",
        stderr(&o)
    );

    let o = run(ECHO, &["client", "127.0.0.1:7", "--streams", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--streams must be at least 1"),
        "{}",
        stderr(&o)
    );

    let o = run(
        PERF,
        &["client", "127.0.0.1:5001", "--check", "--size", "4"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--size must be at least 8, got 4"),
        "{}",
        stderr(&o)
    );

    let o = run(
        PERF,
        &[
            "server",
            "--bind",
            "127.0.0.1:5001",
            "--receive-window",
            "1000",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--receive-window must be at least 1500, got 1000"),
        "{}",
        stderr(&o)
    );

    let o = run(PERF, &["client", "not-an-address"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not-an-address"), "{}", stderr(&o));

    let o = run(
        PERF,
        &["client", "127.0.0.1:5001", "--count", "5", "--time", "3"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));

    let o = run(PERF, &["client", "127.0.0.1:5001", "--time", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--time must be"), "{}", stderr(&o));

    let o = run(
        PERF,
        &["server", "--bind", "127.0.0.1:5001", "--transport", "tcp"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("tcp"), "{}", stderr(&o));

    let o = run(
        PERF,
        &[
            "client",
            "127.0.0.1:5001",
            "--rto-min-ms",
            "500",
            "--rto-max-ms",
            "100",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--rto-min-ms"), "{}", stderr(&o));
}

#[test]
fn help_describes_the_programs() {
    let o = run(PERF, &["--help"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("Nagle-like bundling is ON by default"),
        "{text}"
    );
    let o = run(PERF, &["client", "--help"]);
    let text = String::from_utf8_lossy(&o.stdout);
    for opt in [
        "--size",
        "--count",
        "--time",
        "--streams",
        "--unordered",
        "--no-delay",
        "--json",
        "--transport",
        "--udp-port",
    ] {
        assert!(text.contains(opt), "{opt} missing from help: {text}");
    }
    let o = run(ECHO, &["client", "--help"]);
    let text = String::from_utf8_lossy(&o.stdout);
    for opt in [
        "--count",
        "--size",
        "--streams",
        "--unordered",
        "--transport",
        "--udp-port",
    ] {
        assert!(text.contains(opt), "{opt} missing from help: {text}");
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|v| v.split_whitespace().nth(1).map(|e| e == "0"))
        .unwrap_or(false)
}

#[test]
fn raw_sockets_without_privilege_give_a_hint() {
    // Run unprivileged: as ourselves when not root, else as nobody via setpriv.
    let o = if is_root() {
        let have_setpriv = Command::new("setpriv").arg("--version").output().is_ok();
        if !have_setpriv {
            eprintln!("SKIP: raw_sockets_without_privilege_give_a_hint: setpriv not installed");
            return;
        }
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", PERF])
            .args(["client", "127.0.0.1:5999", "--count", "1"])
            .output()
            .unwrap()
    } else {
        run(PERF, &["client", "127.0.0.1:5999", "--count", "1"])
    };
    if stderr(&o).contains("Permission denied (os error 13)") && !stderr(&o).contains("hint") {
        // setpriv could not execute the binary (e.g. a private target dir).
        eprintln!(
            "SKIP: raw_sockets_without_privilege_give_a_hint: {}",
            stderr(&o)
        );
        return;
    }
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("CAP_NET_RAW") && err.contains("--transport udp"),
        "{err}"
    );
}

/// A child killed on drop.
struct Guard(std::process::Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `sctp-echo server --once` on 127.0.0.1:`port` over UDP port
/// `udp` and waits until it listens; returns it and its scratch directory
/// (its stdout is `server.out` there).
fn udp_echo_server(name: &str, port: u16, udp: u16) -> (Guard, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("sctp-examples-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("server.out");
    let server = Guard(
        Command::new(ECHO)
            .args(["server", "--bind", &format!("127.0.0.1:{port}"), "--once"])
            .args(["--transport", "udp", "--udp-port", &udp.to_string()])
            .stdout(std::fs::File::create(&out).unwrap())
            .spawn()
            .unwrap(),
    );
    let end = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(&out)
        .unwrap_or_default()
        .contains("listening on")
    {
        assert!(Instant::now() < end, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, dir)
}

/// Waits for a `--once` server to exit after its association, asserts it
/// exited 0, and removes its scratch directory.
fn server_exits_ok(mut server: Guard, dir: &std::path::Path) {
    let end = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(s) = server.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < end, "server did not exit after --once");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn udp_encapsulation_on_loopback_needs_no_privilege() {
    let (server, dir) = udp_echo_server("cli", 5411, 19411);
    let o = run(
        ECHO,
        &[
            "client",
            "127.0.0.1:5411",
            "--count",
            "500",
            "--streams",
            "3",
            "--transport",
            "udp",
            "--udp-port",
            "19411",
            "--udp-local-port",
            "0",
            "--timeout",
            "30",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("OK: 500 messages"));
    server_exits_ok(server, &dir);
}

#[test]
fn multihoming_usage_errors_exit_2_and_name_the_problem() {
    let cases: [(&str, &[&str], &str); 4] = [
        (
            ECHO,
            &["server", "--bind", "198.18.0.2:7", "--bind", "198.18.1.2:8"],
            "every --bind must have the same port",
        ),
        (
            ECHO,
            &[
                "client",
                "198.18.0.2:7",
                "--local",
                "198.18.0.1",
                "--asconf-add",
                "198.18.1.3",
            ],
            "--asconf-add needs a multi-homed client",
        ),
        (
            PERF,
            &[
                "client",
                "198.18.0.2:5001",
                "--associations",
                "2",
                "--remote",
                "198.18.1.2",
            ],
            "one multi-homed association",
        ),
        (
            PERF,
            &[
                "server",
                "--bind",
                "198.18.0.2:5001",
                "--bind",
                "198.18.1.2:5001",
                "--addresses",
                "4",
            ],
            "--addresses takes one --bind",
        ),
    ];
    for (program, args, message) in cases {
        let o = run(program, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn extension_usage_errors_exit_2_and_name_the_problem() {
    let cases: [(&[&str], &str); 6] = [
        (&["--pr-value", "3"], "--pr-value needs --pr-policy"),
        (&["--pr-policy", "ttl"], "need --pr-value"),
        (&["--pr-policy", "ttl", "--pr-value", "0"], "--pr-value"),
        (
            &["--pr-policy", "prio", "--pr-value", "70000"],
            "at most 65535",
        ),
        (
            &["--scheduler", "bogus"],
            "unknown stream scheduler \"bogus\"",
        ),
        (&["--interleave", "maybe"], "--interleave"),
    ];
    for (extra, message) in cases {
        let mut args = vec!["client", "198.18.0.2:5001"];
        args.extend(extra);
        let o = run(PERF, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn ping_pong_reports_round_trip_times_over_udp_on_loopback() {
    let o = run(ECHO, &["client", "--help"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("--ping-pong"));

    let (server, dir) = udp_echo_server("ping", 5413, 19413);
    let o = run(
        ECHO,
        &[
            "client",
            "127.0.0.1:5413",
            "--ping-pong",
            "--count",
            "300",
            "--streams",
            "2",
            "--json",
            "--transport",
            "udp",
            "--udp-port",
            "19413",
            "--udp-local-port",
            "0",
            "--timeout",
            "30",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("OK: 300 messages"), "{stdout}");
    assert!(stdout.contains("round trips of 300 messages"), "{stdout}");
    let last = stdout.lines().last().unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(last).expect("last line is JSON");
    assert_eq!(v["messages"], 300, "{v}");
    let us = |key: &str| {
        v[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key} missing: {v}"))
    };
    let (min, p50, p99, max) = (
        us("rtt_min_us"),
        us("rtt_p50_us"),
        us("rtt_p99_us"),
        us("rtt_max_us"),
    );
    assert!(0.0 < min && min <= p50 && p50 <= p99 && p99 <= max, "{v}");
    assert!((min..=max).contains(&us("rtt_mean_us")), "{v}");
    // One message at a time: the run lasts at least the sum of its round trips.
    assert!(us("seconds") * 1e6 >= 300.0 * min, "{v}");
    server_exits_ok(server, &dir);
}
