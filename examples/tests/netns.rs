//! The real programs (`sctp-echo`, `sctp-perf`) over real raw sockets between
//! two network namespaces this test creates (see `support`). Needs root;
//! without it every test prints `SKIP:` and passes.

mod support;

use std::time::Duration;

use support::{B4, NsPair, b4, b6, can_run, serial};

const ECHO: &str = env!("CARGO_BIN_EXE_sctp-echo");
const PERF: &str = env!("CARGO_BIN_EXE_sctp-perf");

/// Short timers, so losses and dead peers are noticed within seconds.
const FAST: &[&str] = &[
    "--rto-initial-ms",
    "200",
    "--rto-min-ms",
    "100",
    "--rto-max-ms",
    "400",
    "--hb-interval-ms",
    "300",
    "--max-retrans",
    "4",
];

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Starts `sctp-echo server --once` in B on `bind` and waits until it listens.
fn echo_server(ns: &NsPair, name: &str, bind: &str, extra: &[&str]) -> support::Proc {
    let mut args = vec!["server", "--bind", bind, "--once"];
    args.extend_from_slice(extra);
    let mut p = ns.spawn(&ns.b, name, ECHO, &args, secs(120));
    p.wait_for_output("listening on", secs(10));
    p
}

fn echo_client(ns: &NsPair, name: &str, server: &str, extra: &[&str]) -> support::Proc {
    let mut args = vec!["client", server, "--timeout", "100"];
    args.extend_from_slice(extra);
    ns.spawn(&ns.a, name, ECHO, &args, secs(120))
}

fn echo_roundtrip(test: &str, count: &str, size: &str, streams: &str, unordered: bool) {
    if !can_run(test, &["tshark"]) {
        return;
    }
    let _g = serial();
    let ns = NsPair::new(test);
    let cap = ns.capture(&ns.a, "sctp");
    let mut server = echo_server(&ns, "server", "198.18.0.2:7", &[]);
    let mut args = vec!["--count", count, "--size", size, "--streams", streams];
    if unordered {
        args.push("--unordered");
    }
    let out = echo_client(&ns, "client", &b4(7).to_string(), &args).wait();
    out.assert_success("sctp-echo client");
    assert!(
        out.stdout.contains(&format!("OK: {count} messages")),
        "{}",
        out.stdout
    );
    let s = server.wait();
    s.assert_success("sctp-echo server --once");
    assert!(s.stdout.contains("shut down by the peer"), "{}", s.stdout);
    cap.stop_and_check(10);
}

#[test]
fn echo_10000_messages_10_streams_ordered() {
    echo_roundtrip("echo_ordered", "10000", "100", "10", false);
}

#[test]
fn echo_10000_messages_10_streams_unordered() {
    echo_roundtrip("echo_unordered", "10000", "100", "10", true);
}

#[test]
fn echo_1mb_messages() {
    echo_roundtrip("echo_1mb", "20", "1000000", "2", false);
}

#[test]
fn echo_ipv6() {
    let test = "echo_ipv6";
    if !can_run(test, &["tshark"]) {
        return;
    }
    let _g = serial();
    let ns = NsPair::new(test);
    let cap = ns.capture(&ns.a, "sctp");
    let mut server = echo_server(&ns, "server", "[fd00:5c7b::2]:7", &[]);
    let out = echo_client(
        &ns,
        "client",
        &b6(7).to_string(),
        &["--count", "2000", "--size", "1200", "--streams", "3"],
    )
    .wait();
    out.assert_success("sctp-echo client over IPv6");
    server.wait().assert_success("sctp-echo server over IPv6");
    cap.stop_and_check(10);
}

#[test]
fn graceful_shutdown_seen_on_both_sides() {
    let test = "shutdown";
    if !can_run(test, &[]) {
        return;
    }
    let _g = serial();
    let ns = NsPair::new(test);
    let mut server = echo_server(&ns, "server", "198.18.0.2:7", &[]);
    let out = echo_client(&ns, "client", &b4(7).to_string(), &["--count", "10"]).wait();
    out.assert_success("client");
    assert!(out.stdout.contains("shutdown complete"), "{}", out.stdout);
    let s = server.wait();
    s.assert_success("server");
    assert!(
        s.stdout
            .contains("shut down by the peer after 10 messages echoed"),
        "{}",
        s.stdout
    );
}

#[test]
fn client_abort_seen_by_server() {
    let test = "client_abort";
    if !can_run(test, &[]) {
        return;
    }
    let _g = serial();
    let ns = NsPair::new(test);
    let mut server = echo_server(&ns, "server", "198.18.0.2:7", &[]);
    let out = echo_client(
        &ns,
        "client",
        &b4(7).to_string(),
        &["--count", "10", "--abort-after", "5"],
    )
    .wait();
    out.assert_success("client");
    assert!(
        out.stdout.contains("aborted the association"),
        "{}",
        out.stdout
    );
    let s = server.wait();
    // The server's association ended abnormally: exit code 1, reason printed.
    assert!(!s.status.success(), "server should fail: {s:?}");
    assert!(
        s.stdout.contains("closed after 5 messages echoed") && s.stdout.contains("peer aborted"),
        "{s:?}"
    );
}

#[test]
fn server_abort_seen_by_client() {
    let test = "server_abort";
    if !can_run(test, &[]) {
        return;
    }
    let _g = serial();
    let ns = NsPair::new(test);
    let mut server = echo_server(&ns, "server", "198.18.0.2:7", &["--abort-after", "3"]);
    let out = echo_client(
        &ns,
        "client",
        &b4(7).to_string(),
        &["--count", "100", "--interval-ms", "20"],
    )
    .wait();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stderr.contains("peer aborted"), "{out:?}");
    let s = server.wait();
    s.assert_success("server");
    assert!(s.stdout.contains("aborted the association"), "{s:?}");
}

#[test]
fn killed_peer_detected_as_communication_lost() {
    let test = "killed_peer";
    if !can_run(test, &[]) {
        return;
    }
    let _g = serial();
    let ns = NsPair::new(test);
    let mut server = echo_server(&ns, "server", "198.18.0.2:7", FAST);
    let mut args = vec!["--count", "100000", "--interval-ms", "10"];
    args.extend_from_slice(FAST);
    let mut client = echo_client(&ns, "client", &b4(7).to_string(), &args);
    std::thread::sleep(secs(2));
    assert!(client.running(), "client ended early: {}", client.stderr());
    server.kill();
    let killed = std::time::Instant::now();
    let out = client.wait();
    let took = killed.elapsed();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stderr.contains("communication lost"), "{out:?}");
    assert!(took < secs(30), "took {took:?} to notice");
    eprintln!("peer loss noticed after {took:?}");
}

#[test]
fn five_percent_loss_every_byte_delivered() {
    let test = "loss";
    if !can_run(test, &["tshark"]) {
        return;
    }
    let _g = serial();
    let ns = NsPair::new(test);
    ns.inject_loss(&ns.b, 5);
    ns.inject_loss(&ns.a, 5);
    let cap = ns.capture(&ns.a, "sctp");
    let mut server = echo_server(&ns, "server", "198.18.0.2:7", FAST);
    let mut args = vec!["--count", "3000", "--size", "1000", "--streams", "4"];
    args.extend_from_slice(FAST);
    echo_client(&ns, "client", &b4(7).to_string(), &args)
        .wait()
        .assert_success("echo client with 5% loss");
    server.wait().assert_success("echo server with 5% loss");

    // And a one-way bulk transfer, numbered and patterned (--check): the
    // server sees each of the 5000 messages exactly once and intact.
    let mut perf = ns.spawn(
        &ns.b,
        "perf-server",
        PERF,
        &[
            &[
                "server",
                "--bind",
                "198.18.0.2:5001",
                "--once",
                "--json",
                "--check",
            ],
            FAST,
        ]
        .concat(),
        secs(120),
    );
    perf.wait_for_output("listening on", secs(10));
    let client = ns
        .spawn(
            &ns.a,
            "perf-client",
            PERF,
            &[
                &[
                    "client",
                    "198.18.0.2:5001",
                    "--count",
                    "5000",
                    "--size",
                    "1400",
                    "--streams",
                    "3",
                    "--json",
                    "--check",
                ][..],
                FAST,
            ]
            .concat(),
            secs(120),
        )
        .wait();
    client.assert_success("perf client with 5% loss");
    let s = perf.wait();
    s.assert_success("perf server with 5% loss");
    assert!(
        s.stdout.contains("\"bytes\":7000000,") && s.stdout.contains("\"messages\":5000,"),
        "server did not receive exactly 5000 x 1400 bytes: {}",
        s.stdout
    );
    let line = s
        .stdout
        .lines()
        .rfind(|l| l.starts_with('{'))
        .unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(line).expect("server JSON line");
    assert_eq!(
        v["check"],
        serde_json::json!({"contiguous": 5000, "duplicates": 0, "corrupt": 0, "missing": 0}),
        "{line}"
    );
    let dropped = ns.dropped(&ns.a) + ns.dropped(&ns.b);
    assert!(
        dropped > 10,
        "the loss rules dropped only {dropped} packets"
    );
    eprintln!("nftables dropped {dropped} packets");
    cap.stop_and_check(100);
}

#[test]
fn two_stacks_on_one_host() {
    let test = "two_stacks";
    if !can_run(test, &[]) {
        return;
    }
    let _g = serial();
    let ns = NsPair::new(test);
    let mut s1 = echo_server(&ns, "server1", "198.18.0.2:5101", &[]);
    let mut s2 = echo_server(&ns, "server2", "198.18.0.2:5102", &[]);
    let args = ["--count", "3000", "--size", "500", "--streams", "2"];
    let mut c1 = echo_client(&ns, "client1", "198.18.0.2:5101", &args);
    let mut c2 = echo_client(&ns, "client2", "198.18.0.2:5102", &args);
    c1.wait().assert_success("client 1");
    c2.wait().assert_success("client 2");
    s1.wait().assert_success("server 1");
    s2.wait().assert_success("server 2");
}

#[test]
fn kubernetes_service_virtual_ip() {
    let test = "k8s_vip";
    if !can_run(test, &["tshark"]) {
        return;
    }
    let _g = serial();
    let ns = NsPair::new(test);
    // kube-proxy (iptables mode) style ClusterIP: DNAT in the client's
    // namespace from the virtual IP to the pod address.
    ns.run_in(
        &ns.a,
        &["ip", "route", "add", "198.19.0.0/24", "dev", &ns.if_a],
    );
    ns.nft(
        &ns.a,
        "table ip kube_svc {\n  chain output {\n    type nat hook output priority -100; policy accept;\n    ip daddr 198.19.0.10 sctp dport 2905 counter dnat to 198.18.0.2:2905\n  }\n}\n",
    );
    let cap = ns.capture(&ns.a, "sctp");
    let cap_file = cap.file.clone();
    let mut server = echo_server(&ns, "server", "198.18.0.2:2905", &[]);
    let out = echo_client(
        &ns,
        "client",
        "198.19.0.10:2905",
        &["--count", "500", "--size", "300", "--streams", "2"],
    )
    .wait();
    out.assert_success("echo through the service VIP");
    server.wait().assert_success("server behind the VIP");
    // The DNAT rule translated the association's packets (conntrack applies
    // it to the first packet of the flow, INIT, and the rest follow).
    let translated = ns.nft_packets(&ns.a, "ip", "kube_svc");
    assert!(translated >= 1, "the DNAT rule matched no packet");
    assert!(
        out.stdout.contains("echoed intact by 198.19.0.10:2905"),
        "{}",
        out.stdout
    );
    cap.stop_and_check(10);
    // On the wire the packets went to the real address, none to the VIP.
    let dump = std::process::Command::new("tshark")
        .arg("-r")
        .arg(&cap_file)
        .args(["-Y", "ip.dst == 198.19.0.10 || ip.src == 198.19.0.10"])
        .output()
        .unwrap();
    assert!(
        dump.stdout.is_empty(),
        "VIP on the wire: {}",
        String::from_utf8_lossy(&dump.stdout)
    );
    let dump = std::process::Command::new("tshark")
        .arg("-r")
        .arg(&cap_file)
        .args(["-Y", &format!("ip.dst == {B4} && sctp.dstport == 2905")])
        .output()
        .unwrap();
    assert!(
        !dump.stdout.is_empty(),
        "no packets to the real server address"
    );
}

#[test]
fn perf_client_reports_json_last_line() {
    let test = "perf_json";
    if !can_run(test, &[]) {
        return;
    }
    let _g = serial();
    let ns = NsPair::new(test);
    let mut server = ns.spawn(
        &ns.b,
        "server",
        PERF,
        &["server", "--bind", "198.18.0.2:5001", "--once"],
        secs(60),
    );
    server.wait_for_output("listening on", secs(10));
    let out = ns
        .spawn(
            &ns.a,
            "client",
            PERF,
            &[
                "client",
                "198.18.0.2:5001",
                "--time",
                "2",
                "--size",
                "1400",
                "--json",
            ],
            secs(60),
        )
        .wait();
    out.assert_success("perf client");
    let last = out.stdout.lines().last().unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(last).expect("last line is JSON");
    let obj = v.as_object().unwrap();
    let mut keys: Vec<_> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "bytes",
            "mbytes_per_sec",
            "messages",
            "messages_per_sec",
            "seconds"
        ]
    );
    let bytes = v["bytes"].as_u64().unwrap();
    assert!(bytes > 0 && bytes == v["messages"].as_u64().unwrap() * 1400);
    let s = server.wait();
    s.assert_success("perf server");
    assert!(
        s.stdout.contains(&format!("received {bytes} bytes")),
        "{}",
        s.stdout
    );
}

#[test]
fn capture_check_fails_on_a_bad_checksum() {
    if !support::have("tshark") {
        eprintln!("SKIP: capture_check_fails_on_a_bad_checksum: tshark is not installed");
        return;
    }
    let good = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/usrsctp-echo.pcap");
    let dir = support::TempDir::new("pcap_check");
    let n = support::check_pcap(std::path::Path::new(good), 1);
    assert!(n > 0);
    // Flip the last byte of the last packet (inside an SCTP chunk): its CRC-32C no longer matches.
    let mut bytes = std::fs::read(good).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    let bad = dir.file("bad.pcap");
    std::fs::write(&bad, &bytes).unwrap();
    let r = std::panic::catch_unwind(|| support::check_pcap(&bad, 1));
    assert!(
        r.is_err(),
        "check_pcap accepted a packet with a bad checksum"
    );
    // An empty capture fails too.
    let r = std::panic::catch_unwind(|| support::check_pcap(std::path::Path::new(good), 1_000_000));
    assert!(r.is_err(), "check_pcap accepted too few packets");
}
