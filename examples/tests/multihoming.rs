//! Multi-homing over real raw sockets (RFC 9260 sections 5.1.2, 6.4, 8.2
//! and RFC 7829): two namespaces joined by two veth pairs (198.18.0.0/24
//! with fd00:5c7b::/64, and 198.18.1.0/24), the primary link cut mid-run
//! with nftables or `ip link set down`, and healed again. Needs root;
//! without it every test prints `SKIP:` and passes.

mod support;

use std::thread::sleep;
use std::time::Duration;

use support::{FAILOVER, NsPair, can_run, serial};

const ECHO: &str = env!("CARGO_BIN_EXE_sctp-echo");
const PERF: &str = env!("CARGO_BIN_EXE_sctp-perf");

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// The value of `key` in the last JSON line of `stdout`.
fn json_field(stdout: &str, key: &str) -> f64 {
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON line in {stdout}"));
    let v: serde_json::Value = serde_json::from_str(line).expect("JSON");
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {line}"))
}

/// An echo exchange between multi-homed A and B; `disturb` runs once the
/// client has been going for a second. Returns the client's JSON line.
fn echo_through(
    test: &str,
    server_binds: &[&str],
    client: &[&str],
    disturb: impl FnOnce(&NsPair),
) -> String {
    let _g = serial();
    let ns = NsPair::multihomed(test);
    let cap = ns.capture(&ns.a, "sctp");
    let (second, _) = ns.second.clone().expect("two links");
    let cap2 = ns.capture_on(&ns.a, &second, "sctp");
    let mut args = vec!["server", "--once"];
    for b in server_binds {
        args.extend(["--bind", b]);
    }
    args.extend_from_slice(FAILOVER);
    let mut server = ns.spawn(&ns.b, "server", ECHO, &args, secs(120));
    server.wait_for_output("listening on", secs(10));
    let mut args = vec![
        "client",
        "--count",
        "4000",
        "--size",
        "300",
        "--streams",
        "4",
        "--interval-ms",
        "2",
        "--timeout",
        "100",
        "--json",
    ];
    args.extend_from_slice(client);
    args.extend_from_slice(FAILOVER);
    let mut client = ns.spawn(&ns.a, "client", ECHO, &args, secs(120));
    sleep(secs(1));
    disturb(&ns);
    let out = client.wait();
    out.assert_success("multi-homed sctp-echo client");
    assert!(out.stdout.contains("OK: 4000 messages"), "{}", out.stdout);
    server.wait().assert_success("multi-homed sctp-echo server");
    // tshark judges every packet we put on either link in A; both carried traffic.
    let first = cap.stop_and_check(10);
    let second = cap2.stop_and_check(10);
    eprintln!("{test}: {first} SCTP packets on the primary link, {second} on the other");
    out.stdout
}

#[test]
fn rfc7829_echo_survives_primary_blackhole_and_returns_to_it() {
    let test = "mh_blackhole";
    if !can_run(test, &["tshark"]) {
        return;
    }
    let stdout = echo_through(
        test,
        &["198.18.0.2:7", "198.18.1.2:7"],
        &[
            "198.18.0.2:7",
            "--remote",
            "198.18.1.2",
            "--local",
            "198.18.0.1",
            "--local",
            "198.18.1.1",
        ],
        |ns| {
            ns.cut_primary();
            sleep(secs(3));
            ns.heal_primary();
            ns.count_out("primary", &ns.if_a);
            // Heartbeats every second find the primary again; data follows.
            sleep(secs(3));
            assert!(
                ns.nft_packets(&ns.a, "inet", "count_primary") > 100,
                "data did not return to the primary link"
            );
        },
    );
    assert!(json_field(&stdout, "path_changes") >= 2.0, "{stdout}");
    let gap = json_field(&stdout, "max_gap_ms");
    assert!(gap < 3000.0, "failover gap {gap} ms");
}

#[test]
fn rfc9260_6_4_echo_survives_primary_link_down() {
    let test = "mh_linkdown";
    if !can_run(test, &["tshark"]) {
        return;
    }
    let stdout = echo_through(
        test,
        &["198.18.0.2:7", "198.18.1.2:7"],
        &[
            "198.18.0.2:7",
            "--remote",
            "198.18.1.2",
            "--local",
            "198.18.0.1",
            "--local",
            "198.18.1.1",
        ],
        |ns| {
            ns.run_in(&ns.a, &["ip", "link", "set", &ns.if_a, "down"]);
            sleep(secs(3));
            ns.run_in(&ns.a, &["ip", "link", "set", &ns.if_a, "up"]);
        },
    );
    assert!(json_field(&stdout, "path_changes") >= 1.0, "{stdout}");
}

#[test]
fn rfc9260_5_1_2_mixed_ipv6_and_ipv4_paths_fail_over() {
    let test = "mh_mixed";
    if !can_run(test, &["tshark"]) {
        return;
    }
    let stdout = echo_through(
        test,
        &["[fd00:5c7b::2]:7", "198.18.1.2:7"],
        &[
            "[fd00:5c7b::2]:7",
            "--remote",
            "198.18.1.2",
            "--local",
            "fd00:5c7b::1",
            "--local",
            "198.18.1.1",
        ],
        |ns| {
            ns.cut_primary();
        },
    );
    assert!(json_field(&stdout, "path_changes") >= 1.0, "{stdout}");
}

#[test]
fn rfc7829_perf_transfer_with_check_survives_primary_cut_in_both_directions_of_data() {
    let test = "mh_perf";
    if !can_run(test, &[]) {
        return;
    }
    let _g = serial();
    let ns = NsPair::multihomed(test);
    let mut args = vec![
        "server",
        "--once",
        "--check",
        "--json",
        "--bind",
        "198.18.0.2:5001",
        "--bind",
        "198.18.1.2:5001",
    ];
    args.extend_from_slice(FAILOVER);
    let mut server = ns.spawn(&ns.b, "server", PERF, &args, secs(120));
    server.wait_for_output("listening on", secs(10));
    let mut args = vec![
        "client",
        "198.18.0.2:5001",
        "--remote",
        "198.18.1.2",
        "--local",
        "198.18.0.1",
        "--local",
        "198.18.1.1",
        "--check",
        "--time",
        "5",
        "--size",
        "1000",
        "--json",
    ];
    args.extend_from_slice(FAILOVER);
    let mut client = ns.spawn(&ns.a, "client", PERF, &args, secs(120));
    sleep(secs(2));
    ns.cut_primary();
    let out = client.wait();
    out.assert_success("multi-homed sctp-perf client");
    let s = server.wait();
    s.assert_success("sctp-perf server --check");
    assert!(s.stdout.contains("\"missing\":0"), "{}", s.stdout);
}
