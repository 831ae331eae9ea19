//! Interoperability with usrsctp's example programs (libusrsctp-examples,
//! /usr/lib/usrsctp or $USRSCTP_BIN), both directions, over raw IP and over
//! UDP encapsulation, between two network namespaces. Every test captures the
//! traffic with tshark and fails on any malformed packet or bad checksum.
//! Needs root; without it (or without the programs) every test prints `SKIP:`.

mod support;

use std::time::Duration;

use support::{FAILOVER, NsPair, can_run, serial};

const ECHO: &str = env!("CARGO_BIN_EXE_sctp-echo");
const PERF: &str = env!("CARGO_BIN_EXE_sctp-perf");

fn usrsctp(program: &str) -> String {
    let dir = std::env::var("USRSCTP_BIN").unwrap_or_else(|_| "/usr/lib/usrsctp".to_owned());
    format!("{dir}/{program}")
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tp {
    Raw,
    Udp,
}

impl Tp {
    /// Our programs' transport options.
    fn ours(self) -> Vec<&'static str> {
        match self {
            Self::Raw => vec!["--transport", "raw"],
            Self::Udp => vec!["--transport", "udp", "--udp-port", "9899"],
        }
    }

    /// The tshark capture filter.
    fn filter(self) -> &'static str {
        match self {
            Self::Raw => "sctp",
            Self::Udp => "udp port 9899",
        }
    }

    /// The UDP encapsulation port usrsctp is given (0: raw IP).
    fn port(self) -> &'static str {
        match self {
            Self::Raw => "0",
            Self::Udp => "9899",
        }
    }
}

fn setup(test: &str, programs: &[&str]) -> Option<NsPair> {
    let paths: Vec<String> = programs.iter().map(|p| usrsctp(p)).collect();
    let mut needed: Vec<&str> = paths.iter().map(String::as_str).collect();
    needed.push("tshark");
    if !can_run(test, &needed) {
        return None;
    }
    Some(NsPair::new(test))
}

/// Our echo client against usrsctp's echo_server (port 7).
fn our_echo_client_vs_usrsctp_echo_server(tp: Tp) {
    let test = &format!("echo_client_vs_usrsctp_{tp:?}");
    let _g = serial();
    let Some(ns) = setup(test, &["echo_server"]) else {
        return;
    };
    let cap = ns.capture(&ns.a, tp.filter());
    let mut srv_args = vec![tp.port()];
    if tp == Tp::Udp {
        srv_args.push("9899");
    }
    let mut server = ns.spawn(
        &ns.b,
        "echo_server",
        &usrsctp("echo_server"),
        &srv_args,
        secs(120),
    );
    std::thread::sleep(secs(1));
    let mut args = vec![
        "client",
        "198.18.0.2:7",
        "--count",
        "1000",
        "--size",
        "1000",
        "--streams",
        "4",
        "--timeout",
        "60",
    ];
    args.extend(tp.ours());
    let out = ns.spawn(&ns.a, "client", ECHO, &args, secs(90)).wait();
    out.assert_success("sctp-echo client against usrsctp echo_server");
    assert!(out.stdout.contains("OK: 1000 messages"), "{}", out.stdout);
    let _ = server.stop("TERM");
    cap.stop_and_check(20);
}

#[test]
fn echo_client_vs_usrsctp_echo_server_raw() {
    our_echo_client_vs_usrsctp_echo_server(Tp::Raw);
}

#[test]
fn echo_client_vs_usrsctp_echo_server_udp() {
    our_echo_client_vs_usrsctp_echo_server(Tp::Udp);
}

/// Our perf client against usrsctp's discard_server (port 9).
fn our_perf_client_vs_usrsctp_discard_server(tp: Tp) {
    let test = &format!("perf_client_vs_discard_{tp:?}");
    let _g = serial();
    let Some(ns) = setup(test, &["discard_server"]) else {
        return;
    };
    let cap = ns.capture(&ns.a, tp.filter());
    let mut srv_args = vec![tp.port()];
    if tp == Tp::Udp {
        srv_args.push("9899");
    }
    let mut server = ns.spawn(
        &ns.b,
        "discard_server",
        &usrsctp("discard_server"),
        &srv_args,
        secs(120),
    );
    std::thread::sleep(secs(1));
    let mut args = vec![
        "client",
        "198.18.0.2:9",
        "--count",
        "3000",
        "--size",
        "1000",
        "--json",
    ];
    args.extend(tp.ours());
    let out = ns.spawn(&ns.a, "client", PERF, &args, secs(90)).wait();
    out.assert_success("sctp-perf client against usrsctp discard_server");
    assert!(
        out.stdout
            .lines()
            .last()
            .unwrap_or_default()
            .contains("\"bytes\":3000000,"),
        "{}",
        out.stdout
    );
    let _ = server.stop("TERM");
    cap.stop_and_check(20);
}

#[test]
fn perf_client_vs_usrsctp_discard_server_raw() {
    our_perf_client_vs_usrsctp_discard_server(Tp::Raw);
}

#[test]
fn perf_client_vs_usrsctp_discard_server_udp() {
    our_perf_client_vs_usrsctp_discard_server(Tp::Udp);
}

/// Our perf client against a tsctp server, which prints what it received.
fn our_perf_client_vs_tsctp_server(tp: Tp) {
    let test = &format!("perf_client_vs_tsctp_{tp:?}");
    let _g = serial();
    let Some(ns) = setup(test, &["tsctp"]) else {
        return;
    };
    let cap = ns.capture(&ns.a, tp.filter());
    let mut server = ns.spawn(
        &ns.b,
        "tsctp-server",
        &usrsctp("tsctp"),
        &["-E", tp.port(), "-p", "5001"],
        secs(120),
    );
    std::thread::sleep(secs(1));
    let mut args = vec![
        "client",
        "198.18.0.2:5001",
        "--count",
        "5000",
        "--size",
        "1400",
    ];
    args.extend(tp.ours());
    let out = ns.spawn(&ns.a, "client", PERF, &args, secs(90)).wait();
    out.assert_success("sctp-perf client against tsctp");
    // tsctp's server line: first_length, messages, recv_calls, bytes, seconds, rate, notifications.
    server.wait_for_output("1400, 5000, ", secs(10));
    let s = server.stop("TERM");
    let line = s
        .stdout
        .lines()
        .find(|l| l.starts_with("1400, 5000, "))
        .unwrap_or_default()
        .to_owned();
    let fields: Vec<&str> = line.split(", ").collect();
    assert_eq!(
        fields.get(3).copied(),
        Some("7000000"),
        "tsctp received: {line}"
    );
    cap.stop_and_check(20);
}

#[test]
fn perf_client_vs_usrsctp_tsctp_server_raw() {
    our_perf_client_vs_tsctp_server(Tp::Raw);
}

#[test]
fn perf_client_vs_usrsctp_tsctp_server_udp() {
    our_perf_client_vs_tsctp_server(Tp::Udp);
}

/// usrsctp's `client` (stdin lines out, echoes to stdout) against our echo server.
fn usrsctp_client_vs_our_echo_server(tp: Tp) {
    let test = &format!("usrsctp_client_vs_echo_{tp:?}");
    let _g = serial();
    let Some(ns) = setup(test, &["client"]) else {
        return;
    };
    let cap = ns.capture(&ns.a, tp.filter());
    let mut args = vec!["server", "--bind", "0.0.0.0:7", "--once"];
    args.extend(tp.ours());
    let mut server = ns.spawn(&ns.b, "server", ECHO, &args, secs(60));
    server.wait_for_output("listening on", secs(10));
    // client reads lines from stdin, sends each, and shuts down at EOF; the
    // lines come slowly and EOF a second later, so the echoes are back before
    // the SHUTDOWN (else a SHUTDOWN racing the echoes would stop them, in
    // any SCTP stack).
    // client remote_addr remote_port local_port local_encaps_port remote_encaps_port
    let script = format!(
        "{{ for i in $(seq 0 19); do echo \"line $i from usrsctp\"; sleep 0.05; done; sleep 1; }} | {} 198.18.0.2 7 0 {} {}",
        usrsctp("client"),
        tp.port(),
        tp.port()
    );
    let out = ns
        .spawn(&ns.a, "usrsctp-client", "sh", &["-c", &script], secs(60))
        .wait();
    out.assert_success("usrsctp client");
    for i in 0..20 {
        let line = format!("line {i} from usrsctp\n");
        assert!(
            out.stdout.contains(&line),
            "echo of {line:?} missing: {}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("SCTP_SHUTDOWN_COMP"), "{}", out.stdout);
    let s = server.wait();
    s.assert_success("our echo server");
    assert!(
        s.stdout
            .contains("shut down by the peer after 20 messages echoed"),
        "{}",
        s.stdout
    );
    cap.stop_and_check(10);
}

#[test]
fn usrsctp_client_vs_echo_server_raw() {
    usrsctp_client_vs_our_echo_server(Tp::Raw);
}

#[test]
fn usrsctp_client_vs_echo_server_udp() {
    usrsctp_client_vs_our_echo_server(Tp::Udp);
}

/// usrsctp's `tsctp` client against our perf server, which counts exactly.
fn tsctp_client_vs_our_perf_server(tp: Tp) {
    let test = &format!("tsctp_client_vs_perf_{tp:?}");
    let _g = serial();
    let Some(ns) = setup(test, &["tsctp"]) else {
        return;
    };
    let cap = ns.capture(&ns.a, tp.filter());
    let mut args = vec!["server", "--bind", "198.18.0.2:5001", "--once"];
    args.extend(tp.ours());
    let mut server = ns.spawn(&ns.b, "server", PERF, &args, secs(90));
    server.wait_for_output("listening on", secs(10));
    let mut targs = vec!["-E", tp.port(), "-p", "5001", "-l", "1400", "-n", "5000"];
    if tp == Tp::Udp {
        targs.extend(["-U", "9899"]);
    }
    targs.push("198.18.0.2");
    let mut client = ns.spawn(&ns.a, "tsctp-client", &usrsctp("tsctp"), &targs, secs(60));
    let s = server.wait();
    s.assert_success("our perf server");
    assert!(
        s.stdout.contains("received 7000000 bytes, 5000 messages"),
        "{}",
        s.stdout
    );
    let c = client.wait();
    c.assert_success("tsctp client");
    assert!(
        c.stdout.contains("Sending of 5000 messages of length 1400"),
        "{}",
        c.stdout
    );
    cap.stop_and_check(20);
}

#[test]
fn tsctp_client_vs_perf_server_raw() {
    tsctp_client_vs_our_perf_server(Tp::Raw);
}

#[test]
fn tsctp_client_vs_perf_server_udp() {
    tsctp_client_vs_our_perf_server(Tp::Udp);
}

/// The primary link between multi-homed A and B (see
/// `NsPair::multihomed`) is cut `after` a while, then the capture of
/// both links in A is checked: nothing malformed, and no ABORT.
fn multihomed_capture_has_no_abort(ns: &NsPair, caps: Vec<support::Capture>) {
    for cap in caps {
        let file = cap.file.clone();
        cap.stop_and_check(5);
        let aborts = support::tshark_lines(&file, "sctp.chunk_type == 6");
        assert_eq!(aborts, 0, "ABORT on the wire in {}", file.display());
    }
    let _ = ns;
}

/// Starts captures on both of A's links.
fn capture_both(ns: &NsPair) -> Vec<support::Capture> {
    let (second, _) = ns.second.clone().expect("two links");
    vec![
        ns.capture(&ns.a, "sctp"),
        ns.capture_on(&ns.a, &second, "sctp"),
    ]
}

#[test]
fn rfc7829_multihomed_echo_client_vs_usrsctp_echo_server_primary_cut() {
    let test = "mh_echo_vs_usrsctp";
    let _g = serial();
    if setup_check(test, &["echo_server"]).is_none() {
        return;
    }
    let ns = NsPair::multihomed(test);
    let caps = capture_both(&ns);
    // usrsctp binds every address and lists them in its INIT ACK.
    let mut server = ns.spawn(
        &ns.b,
        "echo_server",
        &usrsctp("echo_server"),
        &["0"],
        secs(120),
    );
    std::thread::sleep(secs(1));
    let mut args = vec![
        "client",
        "198.18.0.2:7",
        "--remote",
        "198.18.1.2",
        "--local",
        "198.18.0.1",
        "--local",
        "198.18.1.1",
        "--count",
        "3000",
        "--size",
        "500",
        "--streams",
        "2",
        "--interval-ms",
        "2",
        "--timeout",
        "100",
        "--json",
    ];
    args.extend_from_slice(FAILOVER);
    let mut client = ns.spawn(&ns.a, "client", ECHO, &args, secs(110));
    std::thread::sleep(secs(2));
    ns.cut_primary();
    let out = client.wait();
    out.assert_success("multi-homed sctp-echo client against usrsctp echo_server");
    assert!(out.stdout.contains("OK: 3000 messages"), "{}", out.stdout);
    let _ = server.stop("TERM");
    multihomed_capture_has_no_abort(&ns, caps);
}

#[test]
fn rfc9260_6_4_usrsctp_tsctp_vs_multihomed_perf_server_primary_cut() {
    let test = "mh_tsctp_vs_perf";
    let _g = serial();
    if setup_check(test, &["tsctp"]).is_none() {
        return;
    }
    let ns = NsPair::multihomed(test);
    let caps = capture_both(&ns);
    let mut args = vec![
        "server",
        "--bind",
        "198.18.0.2:5001",
        "--bind",
        "198.18.1.2:5001",
        "--once",
    ];
    args.extend_from_slice(FAILOVER);
    let mut server = ns.spawn(&ns.b, "server", PERF, &args, secs(110));
    server.wait_for_output("listening on", secs(10));
    // tsctp binds every address of A and lists them; usrsctp retransmits to
    // an alternate path after a timeout and fails over after
    // Path.Max.Retrans of them (its defaults: RTO.Min 1 s).
    let mut client = ns.spawn(
        &ns.a,
        "tsctp-client",
        &usrsctp("tsctp"),
        &[
            "-E",
            "0",
            "-p",
            "5001",
            "-l",
            "1000",
            "-n",
            "3000",
            "198.18.0.2",
        ],
        secs(110),
    );
    std::thread::sleep(Duration::from_millis(300));
    ns.cut_primary();
    let s = server.wait();
    s.assert_success("our multi-homed perf server");
    assert!(
        s.stdout.contains("received 3000000 bytes, 3000 messages"),
        "{}",
        s.stdout
    );
    client.wait().assert_success("tsctp client");
    multihomed_capture_has_no_abort(&ns, caps);
}

/// Like `setup`, without creating the namespaces.
fn setup_check(test: &str, programs: &[&str]) -> Option<()> {
    let paths: Vec<String> = programs.iter().map(|p| usrsctp(p)).collect();
    let mut needed: Vec<&str> = paths.iter().map(String::as_str).collect();
    needed.push("tshark");
    can_run(test, &needed).then_some(())
}

#[test]
fn rfc5061_asconf_add_then_delete_is_accepted_by_usrsctp() {
    let test = "mh_asconf_vs_usrsctp";
    let _g = serial();
    if setup_check(test, &["echo_server"]).is_none() {
        return;
    }
    let ns = NsPair::multihomed(test);
    let (second, _) = ns.second.clone().expect("two links");
    // The address the client adds and deletes at run time.
    ns.run_in(
        &ns.a,
        &["ip", "addr", "add", "198.18.1.3/24", "dev", &second],
    );
    let caps = capture_both(&ns);
    let mut server = ns.spawn(
        &ns.b,
        "echo_server",
        &usrsctp("echo_server"),
        &["0"],
        secs(120),
    );
    std::thread::sleep(secs(1));
    let args = [
        "client",
        "198.18.0.2:7",
        "--remote",
        "198.18.1.2",
        "--local",
        "198.18.0.1",
        "--local",
        "198.18.1.1",
        "--asconf-add",
        "198.18.1.3",
        "--count",
        "2000",
        "--size",
        "200",
        "--interval-ms",
        "2",
        "--timeout",
        "100",
    ];
    let out = ns.spawn(&ns.a, "client", ECHO, &args, secs(110)).wait();
    out.assert_success("sctp-echo client adding and deleting an address");
    assert!(out.stdout.contains("OK: 2000 messages"), "{}", out.stdout);
    assert!(
        out.stdout.contains("to delete 198.18.1.3"),
        "{}",
        out.stdout
    );
    let _ = server.stop("TERM");
    let files: Vec<std::path::PathBuf> = caps.iter().map(|c| c.file.clone()).collect();
    multihomed_capture_has_no_abort(&ns, caps);
    let count =
        |filter: &str| -> usize { files.iter().map(|f| support::tshark_lines(f, filter)).sum() };
    // Two ASCONFs (add, then delete), each after an AUTH chunk, both acknowledged
    // without an Error Cause Indication.
    assert!(count("sctp.chunk_type == 0xc1 && sctp.chunk_type == 0x0f") >= 2);
    assert!(count("sctp.chunk_type == 0x80") >= 2);
    assert_eq!(
        count("sctp.parameter_type == 0xc003"),
        0,
        "an ASCONF was refused"
    );
    assert!(
        count("sctp.parameter_type == 0xc001") >= 1,
        "no Add IP Address"
    );
    assert!(
        count("sctp.parameter_type == 0xc002") >= 1,
        "no Delete IP Address"
    );
}

/// Counts packets of a finished capture matching a display filter.
fn capture_count(file: &std::path::Path, filter: &str) -> usize {
    support::tshark_lines(file, filter)
}

/// usrsctp's `tsctp` client with a partial-reliability policy (`-P policy -t
/// value`) into our perf server, with 10 % loss both ways: the server ends
/// gracefully, having learnt of the abandoned messages by FORWARD TSN (RFC
/// 3758 section 3.6); no ABORT, nothing malformed.
fn tsctp_pr_client_vs_our_perf_server(test: &str, policy: &str, value: &str, count: u64) {
    let _g = serial();
    let Some(ns) = setup(test, &["tsctp"]) else {
        return;
    };
    ns.inject_loss(&ns.a, 10);
    ns.inject_loss(&ns.b, 10);
    let cap = ns.capture(&ns.a, "sctp");
    let file = cap.file.clone();
    let args = ["server", "--bind", "198.18.0.2:5001", "--once", "--json"];
    let mut server = ns.spawn(&ns.b, "server", PERF, &args, secs(330));
    server.wait_for_output("listening on", secs(10));
    let targs = [
        "-p",
        "5001",
        "-l",
        "1400",
        "-n",
        &count.to_string(),
        "-P",
        policy,
        "-t",
        value,
        "198.18.0.2",
    ];
    let mut client = ns.spawn(&ns.a, "tsctp-client", &usrsctp("tsctp"), &targs, secs(300));
    let c = client.wait();
    c.assert_success("tsctp client");
    let s = server.wait();
    s.assert_success("our perf server");
    let json: serde_json::Value = s
        .stdout
        .lines()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no JSON line: {}", s.stdout));
    let messages = json["messages"].as_u64().unwrap_or_default();
    assert!((1..=count).contains(&messages), "{json}");
    assert!(json["forward_tsns"].as_u64() > Some(0), "{json}");
    assert!(
        ns.dropped(&ns.a) + ns.dropped(&ns.b) > 0,
        "no loss injected"
    );
    cap.stop_and_check(100);
    assert!(
        capture_count(&file, "sctp.chunk_type == 192 && ip.src == 198.18.0.1") > 0,
        "no FORWARD TSN from usrsctp"
    );
    assert_eq!(
        capture_count(&file, "sctp.chunk_type == 6"),
        0,
        "ABORT seen"
    );
}

#[test]
fn rfc3758_tsctp_timed_reliability_into_perf_server_under_loss() {
    // usrsctp waits out its RTO (1 s at least, doubled on each loss of a
    // retransmission and kept until its next RTT sample) for most losses at
    // this rate: 600 messages take 10 s to 90 s (a run backed off to a 15 s
    // RTO). Every loss outlives a 50 ms lifetime, so 200 are plenty.
    tsctp_pr_client_vs_our_perf_server("tsctp_pr_ttl_vs_perf", "1", "50", 200);
}

#[test]
fn rfc7496_tsctp_limited_retransmissions_into_perf_server_under_loss() {
    // A message is abandoned only when its one retransmission is lost too
    // (about 1 in 100): 600 give a few.
    tsctp_pr_client_vs_our_perf_server("tsctp_pr_rtx_vs_perf", "2", "1", 600);
}

/// usrsctp's `tsctp` client sends 1 MB messages into our perf server,
/// whose receive window is 128 KiB: each message arrives by partial
/// delivery (RFC 9260 section 6.9, RFC 6458 section 8.1.21), in pieces
/// handed up before the message ends, so the window never has to hold a
/// whole one. Every byte arrives, we never advertise more than the window,
/// no ABORT, nothing malformed.
#[test]
fn rfc9260_6_9_tsctp_messages_larger_than_our_window_arrive_by_partial_delivery() {
    let test = "tsctp_large_vs_perf";
    let _g = serial();
    let Some(ns) = setup(test, &["tsctp"]) else {
        return;
    };
    let cap = ns.capture(&ns.a, "sctp");
    let file = cap.file.clone();
    let args = [
        "server",
        "--bind",
        "198.18.0.2:5001",
        "--once",
        "--json",
        "--receive-window",
        "131072",
    ];
    let mut server = ns.spawn(&ns.b, "server", PERF, &args, secs(120));
    server.wait_for_output("listening on", secs(10));
    // usrsctp refuses a message larger than its send buffer.
    let targs = [
        "-p",
        "5001",
        "-S",
        "4194304",
        "-l",
        "1000000",
        "-n",
        "20",
        "198.18.0.2",
    ];
    let mut client = ns.spawn(&ns.a, "tsctp-client", &usrsctp("tsctp"), &targs, secs(100));
    client.wait().assert_success("tsctp client");
    let s = server.wait();
    s.assert_success("our perf server");
    let json: serde_json::Value = s
        .stdout
        .lines()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no JSON line: {}", s.stdout));
    assert_eq!(json["messages"].as_u64(), Some(20), "{json}");
    assert_eq!(json["bytes"].as_u64(), Some(20_000_000), "{json}");
    cap.stop_and_check(1000);
    assert_eq!(
        capture_count(&file, "sctp.sack_a_rwnd > 131072 && ip.src == 198.18.0.2"),
        0,
        "a SACK advertised more than the window"
    );
    assert!(
        capture_count(&file, "sctp.sack_a_rwnd < 16384 && ip.src == 198.18.0.2") > 0,
        "the window never filled: the test shows nothing"
    );
    assert_eq!(
        capture_count(&file, "sctp.chunk_type == 6"),
        0,
        "ABORT seen"
    );
}

/// Our perf client with timed reliability into a tsctp server, with 10 %
/// loss both ways: tsctp acknowledges past our FORWARD TSNs, the association
/// ends with SHUTDOWN ACK and SHUTDOWN COMPLETE, no ABORT, nothing malformed.
///
/// The wire is the judge, not tsctp's closing line: when the loss takes our
/// SHUTDOWN COMPLETE, tsctp retransmits its SHUTDOWN ACK to a client process
/// that has already ended (RFC 9260 section 9.2), and gives up only minutes
/// later.
#[test]
fn rfc3758_perf_client_timed_reliability_into_tsctp_server_under_loss() {
    let test = "perf_pr_ttl_vs_tsctp";
    let _g = serial();
    let Some(ns) = setup(test, &["tsctp"]) else {
        return;
    };
    ns.inject_loss(&ns.a, 10);
    ns.inject_loss(&ns.b, 10);
    let cap = ns.capture(&ns.a, "sctp");
    let file = cap.file.clone();
    let mut server = ns.spawn(
        &ns.b,
        "tsctp-server",
        &usrsctp("tsctp"),
        &["-p", "5001"],
        secs(150),
    );
    std::thread::sleep(secs(1));
    let args = [
        "client",
        "198.18.0.2:5001",
        "--count",
        "3000",
        "--size",
        "1400",
        "--pr-policy",
        "ttl",
        "--pr-value",
        "50",
        "--json",
    ];
    let out = ns.spawn(&ns.a, "client", PERF, &args, secs(120)).wait();
    out.assert_success("sctp-perf client with timed reliability against tsctp");
    let json: serde_json::Value = out
        .stdout
        .lines()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no JSON line: {}", out.stdout));
    assert!(json["abandoned"].as_u64() > Some(0), "{json}");
    let _ = server.stop("TERM");
    cap.stop_and_check(100);
    let forwarded = support::tshark_values(
        &file,
        "sctp.chunk_type == 192 && ip.src == 198.18.0.1",
        "sctp.forward_tsn_tsn",
    );
    let last_forward = *forwarded.last().expect("we sent no FORWARD TSN");
    let acked = support::tshark_values(
        &file,
        "sctp.chunk_type == 3 && ip.src == 198.18.0.2",
        "sctp.sack_cumulative_tsn_ack_raw",
    );
    let last_ack = *acked.last().expect("tsctp sent no SACK");
    // Serial number arithmetic (RFC 9260 section 1.6): the last cumulative
    // ack is at or past the last New Cumulative TSN we forwarded.
    assert!(
        (last_ack as u32).wrapping_sub(last_forward as u32) < 1 << 31,
        "tsctp's last SACK acks TSN {last_ack}, short of our FORWARD TSN to {last_forward}"
    );
    assert_eq!(
        capture_count(&file, "sctp.chunk_type == 6"),
        0,
        "ABORT seen"
    );
    assert!(
        capture_count(&file, "sctp.chunk_type == 8 && ip.src == 198.18.0.2") > 0,
        "tsctp sent no SHUTDOWN ACK"
    );
    assert!(
        capture_count(&file, "sctp.chunk_type == 14 && ip.src == 198.18.0.1") > 0,
        "no SHUTDOWN COMPLETE"
    );
}
