//! Debian's prebuilt, unmodified usrsctp example programs (libusrsctp-examples,
//! linked against `libusrsctp.so.2`) run on our library: each test starts a
//! server and a client in two network namespaces joined by a veth
//! (198.18.0.1 and fd00:5c7b::1 in A, the clients; .2 and ::2 in B, the
//! servers), each side on our library or on Debian's ([`Lib`]), over raw IP
//! or UDP encapsulation ([`Tp`]). Every test checks which library each
//! program really loaded, captures the traffic with tshark and fails on any
//! malformed packet or bad CRC-32C, and judges each program by what its
//! author made it print. `*_real_vs_*_real_*` tests are controls of the
//! harness on Debian's library alone.
//!
//! Each test is bounded: a server gets 10 s to load, a client 25 s to
//! finish (ekr_loop 35 s), a server 10 s more to print its last line; typical
//! runs take 8 to 20 s, captures included.
//!
//! Needs root; without it, or without the programs, tshark or stdbuf, every
//! test prints `SKIP:`. See `support/mod.rs` for how programs are started.

mod support;

use std::time::Duration;

use support::ns::tshark_values;
use support::{
    A4, A6, B4, B6, Bench, Feed, Lib, Output, ServerEvent, Side, Tp, check_client_account,
    check_client_upcall_account, check_dump, check_server_output, check_upcall_server_output,
    ctime_epoch, now_epoch, numbers_line, secs, serial, server_events, tshark_lines,
};

use Lib::{Ours, Real};
use Tp::{Raw, Udp};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn name(kind: &str, server: Lib, client: Lib, tp: Tp) -> String {
    format!("{kind}-{server:?}-{client:?}-{tp:?}").to_lowercase()
}

/// Whether the server's output shows the end of the association: the
/// ASSOC_CHANGE of SHUTDOWN_COMP (20 bytes) after the last message.
fn server_saw_end(stdout: &str) -> Option<()> {
    let events = server_events(stdout);
    let last = events
        .iter()
        .rposition(|e| matches!(e, ServerEvent::Msg(_)))?;
    events[last..]
        .contains(&ServerEvent::Notification(20))
        .then_some(())
}

/// echo_server (B, port 7) and `client` (A): `echo_server 0` or
/// `echo_server 9899 9899`; `client ADDR 7 0 PORT PORT` reads 20 lines from
/// stdin (stdin stays open until the last echo is back), sends each as a
/// message, writes every echo to stdout, then shuts down and exits 0.
fn echo_pair(server: Lib, client: Lib, tp: Tp, ipv6: bool) {
    let mut test = name("echo", server, client, tp);
    if ipv6 {
        test.push_str("-ipv6");
    }
    let _g = serial();
    let Some(bench) = Bench::new(&test, &["echo_server", "client"], &[], &[server, client]) else {
        return;
    };
    let ns = &bench.ns;
    let cap = ns.capture(&ns.a, tp.filter());
    let pcap = cap.file.clone();
    let mut srv = bench.start(Side::B, server, "echo_server", &tp.server_args(), secs(50));
    srv.wait_loaded(ms(300));
    let (dst, local, from) = if ipv6 {
        (B6, A6, A6.to_owned())
    } else {
        // An AF_INET6 socket with SCTP_I_WANT_MAPPED_V4_ADDR.
        (B4, A4, format!("::ffff:{A4}"))
    };
    let lines: Vec<String> = (0..20).map(|i| format!("line {i} from client")).collect();
    let mut cli = bench.start_fed(
        Side::A,
        client,
        "client",
        &[dst, "7", "0", tp.port(), tp.port()],
        secs(25),
        &Feed {
            first: None,
            lines: &lines,
            echoed: false,
            wait_for: Some("^line 19 from client$"),
            hold: ms(200),
        },
    );
    let out = cli.finish();
    let echoed: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("line "))
        .collect();
    assert_eq!(echoed, lines, "echoes as the client printed them");
    srv.eventually(secs(10), "the end of the association", server_saw_end);
    let s = srv.stop();
    let lens: Vec<usize> = lines.iter().map(|l| l.len() + 1).collect();
    check_server_output(&s.stdout, &from, &lens);
    cap.stop_and_check(10);
    check_client_account(&out.stdout, Some((local, dst)), &pcap);
}

#[test]
fn echo_server_ours_vs_client_ours_raw() {
    echo_pair(Ours, Ours, Raw, false);
}

#[test]
fn echo_server_ours_vs_client_real_raw() {
    echo_pair(Ours, Real, Raw, false);
}

#[test]
fn echo_server_real_vs_client_ours_raw() {
    echo_pair(Real, Ours, Raw, false);
}

#[test]
fn echo_server_ours_vs_client_ours_udp() {
    echo_pair(Ours, Ours, Udp, false);
}

#[test]
fn echo_server_ours_vs_client_real_udp() {
    echo_pair(Ours, Real, Udp, false);
}

#[test]
fn echo_server_real_vs_client_ours_udp() {
    echo_pair(Real, Ours, Udp, false);
}

#[test]
fn echo_server_ours_vs_client_ours_raw_ipv6() {
    echo_pair(Ours, Ours, Raw, true);
}

#[test]
fn echo_server_ours_vs_client_real_raw_ipv6() {
    echo_pair(Ours, Real, Raw, true);
}

/// Control: the harness on Debian's library alone.
#[test]
fn echo_server_real_vs_client_real_raw() {
    echo_pair(Real, Real, Raw, false);
}

/// discard_server (B, port 9) and `client` (A) sending 20 lines at once;
/// nothing comes back, and the server prints every message it got.
fn discard_pair(server: Lib, client: Lib, tp: Tp) {
    let test = name("discard", server, client, tp);
    let _g = serial();
    let Some(bench) = Bench::new(&test, &["discard_server", "client"], &[], &[server, client])
    else {
        return;
    };
    let ns = &bench.ns;
    let cap = ns.capture(&ns.a, tp.filter());
    let pcap = cap.file.clone();
    let mut srv = bench.start(
        Side::B,
        server,
        "discard_server",
        &tp.server_args(),
        secs(50),
    );
    srv.wait_loaded(ms(300));
    let lines: Vec<String> = (0..20)
        .map(|i| format!("discard line {i} ({})", "x".repeat(i * 3)))
        .collect();
    let mut cli = bench.start_fed(
        Side::A,
        client,
        "client",
        &[B4, "9", "0", tp.port(), tp.port()],
        secs(25),
        &Feed {
            first: None,
            lines: &lines,
            echoed: false,
            wait_for: None,
            hold: ms(0),
        },
    );
    let out = cli.finish();
    assert!(
        !out.stdout.contains("discard line"),
        "the discard server sent data back:\n{}",
        out.stdout
    );
    srv.eventually(secs(10), "the end of the association", server_saw_end);
    let s = srv.stop();
    let lens: Vec<usize> = lines.iter().map(|l| l.len() + 1).collect();
    check_server_output(&s.stdout, &format!("::ffff:{A4}"), &lens);
    cap.stop_and_check(8);
    check_client_account(&out.stdout, Some((A4, B4)), &pcap);
}

#[test]
fn discard_server_ours_vs_client_real_raw() {
    discard_pair(Ours, Real, Raw);
}

#[test]
fn discard_server_real_vs_client_ours_raw() {
    discard_pair(Real, Ours, Raw);
}

#[test]
fn discard_server_ours_vs_client_ours_udp() {
    discard_pair(Ours, Ours, Udp);
}

/// discard_server (B, port 9) and a tsctp client sending 1,000 messages of
/// 1,000 bytes: the server prints each, in order, complete.
fn discard_tsctp_pair(server: Lib, client: Lib, tp: Tp) {
    let test = name("discard-tsctp", server, client, tp);
    let _g = serial();
    let Some(bench) = Bench::new(&test, &["discard_server", "tsctp"], &[], &[server, client])
    else {
        return;
    };
    let ns = &bench.ns;
    let cap = ns.capture(&ns.a, tp.filter());
    let mut srv = bench.start(
        Side::B,
        server,
        "discard_server",
        &tp.server_args(),
        secs(50),
    );
    srv.wait_loaded(ms(300));
    let mut args = vec!["-E", tp.port(), "-p", "9", "-l", "1000", "-n", "1000"];
    if tp == Udp {
        args.extend(["-U", support::UDP_PORT]);
    }
    args.push(B4);
    let mut cli = bench.start(Side::A, client, "tsctp", &args, secs(25));
    let out = cli.finish();
    assert!(
        out.stdout
            .contains("Sending of 1000 messages of length 1000 took"),
        "tsctp client:\n{}",
        support::tail(&out.stdout, 20)
    );
    srv.eventually(secs(10), "the end of the association", server_saw_end);
    let s = srv.stop();
    check_server_output(&s.stdout, &format!("::ffff:{A4}"), &[1000; 1000]);
    cap.stop_and_check(100);
}

#[test]
fn discard_server_ours_vs_tsctp_real_raw() {
    discard_tsctp_pair(Ours, Real, Raw);
}

#[test]
fn discard_server_real_vs_tsctp_ours_udp() {
    discard_tsctp_pair(Real, Ours, Udp);
}

/// daytime_server (B, port 13) sends `ctime()` (PPID 40) on each accepted
/// association and closes it; `client ADDR 13 0 PORT PORT` writes it to
/// stdout (stdin stays open until then) and sees the shutdown complete.
/// (A `ctime()` line is "Www Mmm dd hh:mm:ss yyyy", checked against `date`.)
fn daytime_pair(server: Lib, client: Lib, tp: Tp) {
    daytime_with("daytime_server", server, client, tp);
}

/// [`daytime_pair`] with `sprog`, daytime_server or daytime_server_upcall
/// (which accepts, sends and closes in the upcall of its non-blocking
/// listening socket, and prints nothing unless a call fails).
fn daytime_with(sprog: &str, server: Lib, client: Lib, tp: Tp) -> Option<Output> {
    let upcall = sprog.ends_with("_upcall");
    let test = name(
        if upcall { "daytime-upcall" } else { "daytime" },
        server,
        client,
        tp,
    );
    let _g = serial();
    // None: skipped.
    let bench = Bench::new(&test, &[sprog, "client"], &[], &[server, client])?;
    let ns = &bench.ns;
    let cap = ns.capture(&ns.a, tp.filter());
    let pcap = cap.file.clone();
    let mut srv = bench.start(Side::B, server, sprog, &tp.server_args(), secs(50));
    srv.wait_loaded(ms(300));
    let mut cli = bench.start_fed(
        Side::A,
        client,
        "client",
        &[B4, "13", "0", tp.port(), tp.port()],
        secs(25),
        &Feed {
            first: None,
            lines: &[],
            echoed: false,
            wait_for: Some("^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) "),
            hold: ms(500),
        },
    );
    let out = cli.finish();
    // The time comes in one write(); notifications are printed around it.
    let times: Vec<(&str, i64)> = out
        .stdout
        .lines()
        .filter_map(|l| Some((l, ctime_epoch(l)?)))
        .collect();
    let [(line, when)] = times[..] else {
        panic!(
            "the client printed {} ctime() strings, not one:\n{}",
            times.len(),
            out.stdout
        );
    };
    assert!(
        (when - now_epoch()).abs() <= 120,
        "daytime {line:?} is not the time now"
    );
    if upcall {
        // Let late upcalls of the server happen (and show) before it stops.
        std::thread::sleep(ms(500));
    }
    let s = srv.stop();
    cap.stop_and_check(8);
    assert_eq!(
        tshark_lines(&pcap, "sctp.data_payload_proto_id == 40"),
        1,
        "one DATA chunk with the daytime PPID 40"
    );
    check_client_account(&out.stdout, None, &pcap);
    Some(s)
}

#[test]
fn daytime_server_ours_vs_client_real_raw() {
    daytime_pair(Ours, Real, Raw);
}

#[test]
fn daytime_server_real_vs_client_ours_raw() {
    daytime_pair(Real, Ours, Raw);
}

#[test]
fn daytime_server_ours_vs_client_ours_udp() {
    daytime_pair(Ours, Ours, Udp);
}

/// tsctp's modes beyond the default.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum TsctpMode {
    /// `usrsctp_recvv` in a thread per association / `usrsctp_sendv` in a loop.
    Plain,
    /// `-u`: unordered messages.
    Unordered,
    /// `-c` at both ends: the callback API (receive and send callbacks).
    Callback,
}

/// `tsctp -E PORT -p 5001` (server, B) and `tsctp -E PORT [-U 9899] -p 5001
/// -l 1400 -n 5000 198.18.0.2` (client, A). The server prints, per
/// association, "first_length, messages, recv_calls, bytes, seconds, rate,
/// notifications" (with `-c`: "first_length, messages, bytes, seconds,
/// rate"); the client "Sending of 5000 messages of length 1400 took S
/// seconds." (with `-c` the count it prints stays 0: tsctp never counts
/// there).
fn tsctp_pair(server: Lib, client: Lib, tp: Tp, mode: TsctpMode) {
    let mut test = name("tsctp", server, client, tp);
    test.push_str(&format!("-{mode:?}").to_lowercase());
    let _g = serial();
    let Some(bench) = Bench::new(&test, &["tsctp"], &[], &[server, client]) else {
        return;
    };
    let ns = &bench.ns;
    let cap = ns.capture(&ns.a, tp.filter());
    let pcap = cap.file.clone();
    let mut sargs = vec!["-E", tp.port(), "-p", "5001"];
    if mode == TsctpMode::Callback {
        sargs.push("-c");
    }
    let mut srv = bench.start(Side::B, server, "tsctp", &sargs, secs(50));
    srv.wait_loaded(ms(300));
    let mut cargs = vec!["-E", tp.port(), "-p", "5001", "-l", "1400", "-n", "5000"];
    if tp == Udp {
        cargs.extend(["-U", support::UDP_PORT]);
    }
    match mode {
        TsctpMode::Plain => {}
        TsctpMode::Unordered => cargs.push("-u"),
        TsctpMode::Callback => cargs.push("-c"),
    }
    cargs.push(B4);
    let mut cli = bench.start(Side::A, client, "tsctp", &cargs, secs(25));
    let out = cli.finish();
    let sent = if mode == TsctpMode::Callback {
        "messages of length 1400 took"
    } else {
        "Sending of 5000 messages of length 1400 took"
    };
    assert!(
        out.stdout.contains(sent),
        "tsctp client did not print {sent:?}:\n{}",
        support::tail(&out.stdout, 20)
    );
    let fields = if mode == TsctpMode::Callback { 5 } else { 7 };
    let r = srv.eventually(secs(10), "tsctp's result line", |s| numbers_line(s, fields));
    if mode == TsctpMode::Callback {
        assert_eq!(
            (r[0], r[1], r[2]),
            (1400.0, 5000.0, 7_000_000.0),
            "tsctp server (-c): first length, messages, bytes: {r:?}"
        );
    } else {
        assert_eq!(
            (r[0], r[1], r[3], r[6]),
            (1400.0, 5000.0, 7_000_000.0, 0.0),
            "tsctp server: first length, messages, bytes, notifications: {r:?}"
        );
        assert!(r[2] >= 5000.0, "tsctp server: {} receive calls", r[2]);
    }
    srv.stop();
    cap.stop_and_check(100);
    if mode == TsctpMode::Unordered {
        assert_eq!(
            tshark_lines(&pcap, "sctp.data_u_bit == 0"),
            0,
            "ordered DATA with -u"
        );
        assert!(tshark_lines(&pcap, "sctp.data_u_bit == 1") > 0);
    }
}

#[test]
fn tsctp_server_ours_vs_client_ours_raw() {
    tsctp_pair(Ours, Ours, Raw, TsctpMode::Plain);
}

#[test]
fn tsctp_server_ours_vs_client_ours_udp() {
    tsctp_pair(Ours, Ours, Udp, TsctpMode::Plain);
}

#[test]
fn tsctp_server_ours_vs_client_real_raw() {
    tsctp_pair(Ours, Real, Raw, TsctpMode::Plain);
}

#[test]
fn tsctp_server_real_vs_client_ours_raw() {
    tsctp_pair(Real, Ours, Raw, TsctpMode::Plain);
}

#[test]
fn tsctp_server_ours_vs_client_real_udp() {
    tsctp_pair(Ours, Real, Udp, TsctpMode::Plain);
}

#[test]
fn tsctp_server_real_vs_client_ours_udp() {
    tsctp_pair(Real, Ours, Udp, TsctpMode::Plain);
}

#[test]
fn tsctp_server_real_vs_client_ours_unordered_raw() {
    tsctp_pair(Real, Ours, Raw, TsctpMode::Unordered);
}

#[test]
fn tsctp_server_ours_vs_client_real_unordered_udp() {
    tsctp_pair(Ours, Real, Udp, TsctpMode::Unordered);
}

#[test]
fn tsctp_callback_server_ours_vs_client_real_raw() {
    tsctp_pair(Ours, Real, Raw, TsctpMode::Callback);
}

#[test]
fn tsctp_callback_server_real_vs_client_ours_raw() {
    tsctp_pair(Real, Ours, Raw, TsctpMode::Callback);
}

/// `tsctp -P 2 -t 0` (limited retransmissions, RFC 7496 section 4.2: none,
/// so every lost DATA chunk is given up on) from A into a tsctp server on
/// B with 10 % loss on the way to B, over raw IP. The wire is the judge: the client gives up on messages with
/// FORWARD TSN (RFC 3758 section 3.5), the server's last SACK acknowledges
/// past the last New Cumulative TSN, the association ends with SHUTDOWN
/// ACK and SHUTDOWN COMPLETE, no ABORT. (The server's closing line is not
/// waited for: when the loss takes the SHUTDOWN COMPLETE, the server
/// retransmits its SHUTDOWN ACK to a client that has exited.)
fn tsctp_pr_pair(server: Lib, client: Lib) {
    let test = name("tsctp_pr_rtx", server, client, Raw);
    let _g = serial();
    let Some(bench) = Bench::new(&test, &["tsctp"], &["nft"], &[server, client]) else {
        return;
    };
    let ns = &bench.ns;
    // Loss on the way to the server only: SACKs all arrive, so usrsctp's
    // RTO does not back off to seconds and the run stays short.
    ns.inject_loss(&ns.b, 10);
    let cap = ns.capture(&ns.a, Raw.filter());
    let pcap = cap.file.clone();
    let mut srv = bench.start(
        Side::B,
        server,
        "tsctp",
        &["-E", "0", "-p", "5001"],
        secs(50),
    );
    srv.wait_loaded(ms(300));
    let cargs = [
        "-E", "0", "-p", "5001", "-l", "1400", "-n", "1000", "-P", "2", "-t", "0", B4,
    ];
    let mut cli = bench.start(Side::A, client, "tsctp", &cargs, secs(40));
    let out = cli.finish();
    assert!(
        out.stdout
            .contains("Sending of 1000 messages of length 1400 took"),
        "tsctp client did not finish:\n{}",
        support::tail(&out.stdout, 20)
    );
    srv.stop();
    cap.stop_and_check(100);
    let forwarded = tshark_values(
        &pcap,
        "sctp.chunk_type == 192 && ip.src == 198.18.0.1",
        "sctp.forward_tsn_tsn",
    );
    let last_forward = *forwarded.last().expect("the client sent no FORWARD TSN");
    let acked = tshark_values(
        &pcap,
        "sctp.chunk_type == 3 && ip.src == 198.18.0.2",
        "sctp.sack_cumulative_tsn_ack_raw",
    );
    let last_ack = *acked.last().expect("the server sent no SACK");
    // Serial number arithmetic (RFC 9260 section 1.6).
    assert!(
        (last_ack as u32).wrapping_sub(last_forward as u32) < 1 << 31,
        "the server's last SACK acks TSN {last_ack}, short of the FORWARD TSN to {last_forward}"
    );
    assert_eq!(tshark_lines(&pcap, "sctp.chunk_type == 6"), 0, "ABORT seen");
    assert!(
        tshark_lines(&pcap, "sctp.chunk_type == 8 && ip.src == 198.18.0.2") > 0,
        "no SHUTDOWN ACK from the server"
    );
    assert!(
        tshark_lines(&pcap, "sctp.chunk_type == 14 && ip.src == 198.18.0.1") > 0,
        "no SHUTDOWN COMPLETE from the client"
    );
}

#[test]
fn rfc7496_tsctp_limited_retransmissions_server_real_vs_client_ours_under_loss() {
    tsctp_pr_pair(Real, Ours);
}

#[test]
fn rfc7496_tsctp_limited_retransmissions_server_ours_vs_client_real_under_loss() {
    tsctp_pr_pair(Ours, Real);
}

/// Control: the harness on Debian's library alone.
#[test]
fn tsctp_server_real_vs_client_real_udp() {
    tsctp_pair(Real, Real, Udp, TsctpMode::Plain);
}

/// One "MSG RCV: length N, addr P:5001, stream S, SSN N, TSN T, PPID P,
/// context C, ordered|unordered[, EOR]." line of ekr_loop.
#[derive(Debug)]
struct LoopRcv {
    len: usize,
    stream: u16,
    ssn: u16,
    ppid: u32,
    unordered: bool,
    eor: bool,
}

fn parse_loop_rcv(line: &str) -> Option<LoopRcv> {
    let rest = &line[line.find("MSG RCV: length ")? + "MSG RCV: length ".len()..];
    let field = |key: &str| -> Option<&str> {
        let from = rest.find(key)? + key.len();
        let r = &rest[from..];
        Some(&r[..r.find(',')?])
    };
    let tail = &rest[rest.find(", context ")?..];
    let tail = &tail[tail.find(", ")? + 2..];
    let tail = &tail[tail.find(", ")? + 2..];
    Some(LoopRcv {
        len: rest[..rest.find(',')?].parse().ok()?,
        stream: field(", stream ")?.parse().ok()?,
        ssn: field(", SSN ")?.parse().ok()?,
        ppid: field(", PPID ")?.parse().ok()?,
        unordered: match tail.split(['.', ',']).next()? {
            "ordered" => false,
            "unordered" => true,
            _ => return None,
        },
        eor: tail.contains(", EOR"),
    })
}

/// ekr_loop: both ends in one process over AF_CONN, packets through two
/// connected UDP sockets on 127.0.0.1 (ports 9899 and 9898 here, so tshark
/// decodes them as SCTP). It sends 10 steps of two 1 MiB messages on stream
/// 1 with PPID 39, steps alternately ordered and unordered, to a receiver
/// with a 64 KiB buffer (so messages arrive in pieces through the receive
/// callback), shuts down, waits for `usrsctp_finish` and exits 0.
fn ekr_loop(lib: Lib) {
    let test = format!("ekr-loop-{lib:?}").to_lowercase();
    let _g = serial();
    let Some(bench) = Bench::new(&test, &["ekr_loop"], &[], &[lib]) else {
        return;
    };
    let ns = &bench.ns;
    let cap = ns.capture_on(&ns.a, "lo", "udp port 9899");
    let mut run = bench.start(Side::A, lib, "ekr_loop", &["9899", "9898"], secs(35));
    let out = run.finish();
    let rcvs: Vec<LoopRcv> = out
        .stdout
        .lines()
        .filter(|l| l.contains("MSG RCV: length "))
        .map(|l| parse_loop_rcv(l).unwrap_or_else(|| panic!("unparsable line {l:?}")))
        .collect();
    // Whole messages, in sending order: pieces of one message until EOR.
    let mut messages: Vec<(usize, bool, u16)> = Vec::new();
    let mut size = 0;
    for r in &rcvs {
        assert_eq!((r.stream, r.ppid), (1, 39), "{r:?}");
        size += r.len;
        if r.eor {
            messages.push((size, r.unordered, r.ssn));
            size = 0;
        }
    }
    assert_eq!(size, 0, "a message without its end: {size} bytes");
    let kinds: Vec<bool> = messages.iter().map(|m| m.1).collect();
    let want: Vec<bool> = (0..20).map(|i| (i / 2) % 2 == 1).collect();
    assert_eq!(
        kinds, want,
        "ordered (false) / unordered (true) messages in receiving order"
    );
    for (i, m) in messages.iter().enumerate() {
        assert_eq!(m.0, 1 << 20, "message {i} size");
    }
    let ssns: Vec<u16> = messages.iter().filter(|m| !m.1).map(|m| m.2).collect();
    assert_eq!(ssns, (0..10).collect::<Vec<u16>>(), "ordered SSNs");
    assert_eq!(
        out.stdout
            .matches("MSG RCV: (nil) received on sock")
            .count(),
        2,
        "both sockets told of the end of the association (data NULL):\n{}",
        support::tail(&out.stdout, 10)
    );
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains("] Addresses: ") && l.contains(":5001<->")),
        "no \"Addresses: P:5001<->P:5001\" line"
    );
    cap.stop_and_check(100);
}

#[test]
fn ekr_loop_ours() {
    ekr_loop(Ours);
}

/// ekr_server's "Msg of length N received via P:PORT on stream S with SSN
/// N and TSN T, PPID P, context C." as (length, stream, SSN, PPID, context).
fn parse_ekr_msg(line: &str) -> Option<(usize, u16, u16, u32, u32)> {
    let rest = &line[line.find("Msg of length ")? + "Msg of length ".len()..];
    let word = |key: &str, end: char| -> Option<&str> {
        let from = rest.find(key)? + key.len();
        let r = &rest[from..];
        Some(&r[..r.find(end)?])
    };
    Some((
        rest[..rest.find(' ')?].parse().ok()?,
        word(" on stream ", ' ')?.parse().ok()?,
        word(" with SSN ", ' ')?.parse().ok()?,
        word(", PPID ", ',')?.parse().ok()?,
        word(", context ", '.')?.parse().ok()?,
    ))
}

/// ekr_server and ekr_client: AF_CONN associations whose packets the
/// programs carry in UDP between the namespaces
/// (`ekr_server 198.18.0.2 9899 198.18.0.1 9898`,
/// `ekr_client 198.18.0.1 9898 198.18.0.2 9899`). The client sends one
/// 80-byte message (stream 1, PPID 39), shuts down and exits 0; the server
/// prints it. Both dump every packet with `usrsctp_dumppacket` on stderr in
/// text2pcap's format: converted, those dumps must hold as many good
/// packets as the wire.
fn ekr_pair(server: Lib, client: Lib) {
    let test = format!("ekr-{server:?}-{client:?}").to_lowercase();
    let _g = serial();
    let Some(bench) = Bench::new(
        &test,
        &["ekr_server", "ekr_client"],
        &["text2pcap"],
        &[server, client],
    ) else {
        return;
    };
    let ns = &bench.ns;
    let cap = ns.capture(&ns.a, "udp port 9899");
    let mut srv = bench.start(
        Side::B,
        server,
        "ekr_server",
        &[B4, "9899", A4, "9898"],
        secs(50),
    );
    srv.wait_loaded(ms(300));
    let mut cli = bench.start(
        Side::A,
        client,
        "ekr_client",
        &[A4, "9898", B4, "9899"],
        secs(20),
    );
    let out = cli.finish();
    let msg = srv.eventually(secs(10), "the client's message", |s| {
        s.lines().find_map(parse_ekr_msg)
    });
    assert_eq!(
        msg,
        (80, 1, 0, 39, 0),
        "ekr_server: length, stream, SSN, PPID, context"
    );
    // The SHUTDOWN COMPLETE reaches the server just after the client ends.
    std::thread::sleep(ms(500));
    let s = srv.stop();
    let wire = cap.stop_and_check(5);
    let dir = &ns.dir.0;
    assert_eq!(
        check_dump(&out.stderr, dir, "ekr_client"),
        wire,
        "packets in ekr_client's usrsctp_dumppacket output against the wire"
    );
    assert_eq!(
        check_dump(&s.stderr, dir, "ekr_server"),
        wire,
        "packets in ekr_server's usrsctp_dumppacket output against the wire"
    );
}

#[test]
fn ekr_server_ours_vs_client_ours() {
    ekr_pair(Ours, Ours);
}

#[test]
fn ekr_server_ours_vs_client_real() {
    ekr_pair(Ours, Real);
}

#[test]
fn ekr_server_real_vs_client_ours() {
    ekr_pair(Real, Ours);
}

// ---- The upcall variants: usrsctp_set_upcall, usrsctp_get_events and
// non-blocking sockets instead of blocking calls or receive callbacks.

/// The arguments of `client` and `client_upcall`: `ADDR PORT 0 PORT PORT`
/// (remote address and port, local port any, local and remote
/// encapsulation ports).
fn client_args(port: &str, tp: Tp) -> [&str; 5] {
    [B4, port, "0", tp.port(), tp.port()]
}

/// What stdin of `cprog` (client or client_upcall) holds: `lines`, with
/// client_upcall only once it printed "socket connected" (its upcall saw
/// the socket writable), and each after the echo of the one before when
/// `echoed`.
fn client_feed<'a>(cprog: &str, lines: &'a [String], echoed: bool) -> Feed<'a> {
    Feed {
        first: (cprog == "client_upcall").then_some("socket connected"),
        lines,
        echoed,
        wait_for: None,
        hold: ms(300),
    }
}

/// Checks the stderr of an upcall program: the library never handed its
/// upcall, or the calls it makes there, a socket that was closed (EBADF)
/// or one the call does not apply to (EINVAL), e.g. an accepted socket
/// that inherited the listener's upcall (usrsctp's `sonewconn` does not
/// copy `so_upcall`).
fn check_upcall_stderr(prog: &str, lib: Lib, stderr: &str) {
    let bad: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("Bad file descriptor") || l.contains("Invalid argument"))
        .collect();
    assert!(
        bad.is_empty(),
        "{prog} on {lib:?} library: {} failed calls in its upcall, on a closed socket \
         (EBADF) or a socket they do not apply to (EINVAL), e.g.:\n{}",
        bad.len(),
        bad.iter().take(5).copied().collect::<Vec<_>>().join("\n")
    );
}

/// An echo server (B, port 7) and a client (A, [`client_args`]), one of
/// them or both an upcall variant: echo_server or echo_server_upcall, and
/// `client` or `client_upcall`. The client sends 10 lines, each after the
/// echo of the one before, then EOF: it shuts down and exits 0. Every echo
/// comes back; client_upcall prints "socket connected" once and its echoes
/// raw. echo_server_upcall, a one-to-many socket with SCTP_CONTEXT 47,
/// writes each message raw to stdout, then "Msg of length N received from
/// ADDR:PORT on stream S with SSN N and TSN T, PPID P, context 47." (no
/// ", complete"), and echoes it with `usrsctp_sendv` from its upcall.
fn echo_upcall_pair(server: Lib, sprog: &str, client: Lib, cprog: &str, tp: Tp) {
    let test = format!("{sprog}-{server:?}-{cprog}-{client:?}-{tp:?}").to_lowercase();
    let _g = serial();
    let Some(bench) = Bench::new(&test, &[sprog, cprog], &[], &[server, client]) else {
        return;
    };
    let ns = &bench.ns;
    let cap = ns.capture(&ns.a, tp.filter());
    let pcap = cap.file.clone();
    let mut srv = bench.start(Side::B, server, sprog, &tp.server_args(), secs(50));
    srv.wait_loaded(ms(300));
    let lines: Vec<String> = (0..10).map(|i| format!("upcall line {i}")).collect();
    let mut cli = bench.start_fed(
        Side::A,
        client,
        cprog,
        &client_args("7", tp),
        secs(25),
        &client_feed(cprog, &lines, true),
    );
    let out = cli.finish();
    let echoed: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("upcall line "))
        .collect();
    assert_eq!(echoed, lines, "echoes as {cprog} printed them");
    srv.eventually(secs(10), "the end of the association", server_saw_end);
    let s = srv.stop();
    let lens: Vec<usize> = lines.iter().map(|l| l.len() + 1).collect();
    let from = format!("::ffff:{A4}");
    if sprog == "echo_server_upcall" {
        check_upcall_server_output(&s.stdout, &from, &lens);
        let written: Vec<&str> = s
            .stdout
            .lines()
            .filter(|l| l.starts_with("upcall line "))
            .collect();
        assert_eq!(written, lines, "messages as {sprog} wrote them");
        assert!(
            !s.stderr.contains("sctp_sendv") && !s.stderr.contains("usrsctp_recvv"),
            "{sprog} on {server:?} library failed to receive or echo:\n{}",
            s.stderr
        );
        check_upcall_stderr(sprog, server, &s.stderr);
    } else {
        check_server_output(&s.stdout, &from, &lens);
    }
    cap.stop_and_check(10);
    if cprog == "client_upcall" {
        assert_eq!(
            out.stdout.matches("socket connected").count(),
            1,
            "client_upcall prints \"socket connected\" once, at the first upcall that finds \
             the socket writable:\n{}",
            support::tail(&out.stdout, 30)
        );
        check_upcall_stderr(cprog, client, &out.stderr);
        check_client_upcall_account(&out.stdout, A4, B4, &pcap);
    } else {
        check_client_account(&out.stdout, Some((A4, B4)), &pcap);
    }
}

#[test]
fn echo_server_upcall_ours_vs_client_upcall_real_raw() {
    echo_upcall_pair(Ours, "echo_server_upcall", Real, "client_upcall", Raw);
}

#[test]
fn echo_server_upcall_ours_vs_client_real_raw() {
    echo_upcall_pair(Ours, "echo_server_upcall", Real, "client", Raw);
}

#[test]
fn echo_server_real_vs_client_upcall_ours_raw() {
    echo_upcall_pair(Real, "echo_server", Ours, "client_upcall", Raw);
}

#[test]
fn echo_server_upcall_real_vs_client_upcall_ours_raw() {
    echo_upcall_pair(Real, "echo_server_upcall", Ours, "client_upcall", Raw);
}

#[test]
fn echo_server_upcall_ours_vs_client_upcall_ours_udp() {
    echo_upcall_pair(Ours, "echo_server_upcall", Ours, "client_upcall", Udp);
}

#[test]
fn echo_server_upcall_ours_vs_client_real_udp() {
    echo_upcall_pair(Ours, "echo_server_upcall", Real, "client", Udp);
}

#[test]
fn echo_server_upcall_real_vs_client_upcall_ours_udp() {
    echo_upcall_pair(Real, "echo_server_upcall", Ours, "client_upcall", Udp);
}

/// Control: the harness on Debian's library alone.
#[test]
fn echo_server_upcall_real_vs_client_upcall_real_raw() {
    echo_upcall_pair(Real, "echo_server_upcall", Real, "client_upcall", Raw);
}

/// discard_server_upcall (B, port 9): echo_server_upcall's one-to-many
/// socket without the echo and without writing the messages; a client (A,
/// `client` or `client_upcall`) sends 20 lines 50 ms apart, nothing comes
/// back, and the server prints every message it got.
fn discard_upcall_pair(server: Lib, client: Lib, cprog: &str, tp: Tp) {
    let sprog = "discard_server_upcall";
    let test = format!("{sprog}-{server:?}-{cprog}-{client:?}-{tp:?}").to_lowercase();
    let _g = serial();
    let Some(bench) = Bench::new(&test, &[sprog, cprog], &[], &[server, client]) else {
        return;
    };
    let ns = &bench.ns;
    let cap = ns.capture(&ns.a, tp.filter());
    let pcap = cap.file.clone();
    let mut srv = bench.start(Side::B, server, sprog, &tp.server_args(), secs(50));
    srv.wait_loaded(ms(300));
    let lines: Vec<String> = (0..20)
        .map(|i| format!("discard line {i} ({})", "x".repeat(i * 3)))
        .collect();
    let mut cli = bench.start_fed(
        Side::A,
        client,
        cprog,
        &client_args("9", tp),
        secs(25),
        &client_feed(cprog, &lines, false),
    );
    let out = cli.finish();
    assert!(
        !out.stdout.contains("discard line"),
        "the discard server sent data back:\n{}",
        out.stdout
    );
    srv.eventually(secs(10), "the end of the association", server_saw_end);
    let s = srv.stop();
    let lens: Vec<usize> = lines.iter().map(|l| l.len() + 1).collect();
    check_upcall_server_output(&s.stdout, &format!("::ffff:{A4}"), &lens);
    assert!(
        !s.stdout.contains("discard line"),
        "{sprog} writes no message data"
    );
    check_upcall_stderr(sprog, server, &s.stderr);
    cap.stop_and_check(8);
    if cprog == "client_upcall" {
        check_upcall_stderr(cprog, client, &out.stderr);
        check_client_upcall_account(&out.stdout, A4, B4, &pcap);
    } else {
        check_client_account(&out.stdout, Some((A4, B4)), &pcap);
    }
}

#[test]
fn discard_server_upcall_ours_vs_client_real_raw() {
    discard_upcall_pair(Ours, Real, "client", Raw);
}

#[test]
fn discard_server_upcall_ours_vs_client_upcall_real_udp() {
    discard_upcall_pair(Ours, Real, "client_upcall", Udp);
}

#[test]
fn discard_server_upcall_ours_vs_client_upcall_ours_raw() {
    discard_upcall_pair(Ours, Ours, "client_upcall", Raw);
}

/// [`daytime_pair`] on daytime_server_upcall: its listening socket's upcall
/// accepts, sends the time and closes the new socket. It prints nothing;
/// no call it makes in its upcall may fail for a closed or non-listening
/// socket.
fn daytime_upcall_pair(server: Lib, client: Lib, tp: Tp) {
    let Some(s) = daytime_with("daytime_server_upcall", server, client, tp) else {
        return;
    };
    assert_eq!(
        s.stdout.trim(),
        "",
        "daytime_server_upcall prints nothing of its own"
    );
    check_upcall_stderr("daytime_server_upcall", server, &s.stderr);
}

#[test]
fn daytime_server_upcall_ours_vs_client_real_raw() {
    daytime_upcall_pair(Ours, Real, Raw);
}

#[test]
fn daytime_server_upcall_ours_vs_client_ours_udp() {
    daytime_upcall_pair(Ours, Ours, Udp);
}

/// Control: the harness on Debian's library alone.
#[test]
fn daytime_server_upcall_real_vs_client_real_raw() {
    daytime_upcall_pair(Real, Real, Raw);
}

/// What chargen_server_upcall sends, again and again: one message of the 94
/// characters from ' ' to '}', PPID 0, stream 0, no newline.
fn chargen_message() -> String {
    (32u8..126).map(char::from).collect()
}

/// chargen_server_upcall (B, port 19, a one-to-one listener whose upcall
/// accepts and gives the new socket an upcall of its own) and a client (A,
/// `client` or `client_upcall`, [`client_args`]). The server prints
/// "connection accepted from socket P"; from the new socket's upcall it
/// prints "data of size N received" for what it reads and, whenever the
/// socket is writable, sends one [`chargen_message`]; once a read returns
/// 0 (the client shut down) or fails, or a send fails with something else
/// than EAGAIN, it closes the socket and prints "client socket P closed".
/// Nothing starts the stream but an upcall of the new socket: the client
/// sends "go" and one second after the first message has reached it,
/// closes stdin (and shuts down). The client must have printed whole
/// messages, as many as the server sent DATA chunks (94 bytes each).
fn chargen_pair(server: Lib, client: Lib, cprog: &str, tp: Tp) {
    let sprog = "chargen_server_upcall";
    let test = format!("{sprog}-{server:?}-{cprog}-{client:?}-{tp:?}").to_lowercase();
    let _g = serial();
    let Some(bench) = Bench::new(&test, &[sprog, cprog], &[], &[server, client]) else {
        return;
    };
    let ns = &bench.ns;
    let cap = ns.capture(&ns.a, tp.filter());
    let pcap = cap.file.clone();
    let mut srv = bench.start(Side::B, server, sprog, &tp.server_args(), secs(50));
    srv.wait_loaded(ms(300));
    let go = ["go".to_owned()];
    let mut cli = bench.start_fed(
        Side::A,
        client,
        cprog,
        &client_args("19", tp),
        secs(30),
        &Feed {
            // No ERE special characters in there.
            wait_for: Some("0123456789:;<=>"),
            hold: secs(1),
            ..client_feed(cprog, &go, false)
        },
    );
    let out = cli.finish();
    let msg = chargen_message();
    let first = out.stdout.find(&msg).unwrap_or_else(|| {
        panic!(
            "{cprog} printed no chargen message:\n{}",
            support::tail(&out.stdout, 30)
        )
    });
    let printed = out.stdout[first..].matches(&msg).count();
    assert!(
        printed >= 3,
        "{cprog} printed only {printed} chargen messages in a second"
    );
    let s = srv.stop();
    cap.stop_and_check(10);
    let from_b = "ip.src == 198.18.0.2 && sctp.chunk_type == 0";
    let mut tsns = tshark_values(&pcap, from_b, "sctp.data_tsn_raw");
    tsns.sort_unstable();
    tsns.dedup();
    let lens = tshark_values(&pcap, from_b, "data.len");
    assert!(
        lens.iter().all(|&l| l == 94),
        "DATA from {sprog} of other lengths than 94: {:?}",
        lens.iter()
            .filter(|&&l| l != 94)
            .take(10)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        printed,
        tsns.len(),
        "whole chargen messages {cprog} printed against DATA chunks (distinct TSNs) {sprog} sent"
    );
    assert_eq!(tshark_lines(&pcap, "sctp.chunk_type == 6"), 0, "ABORT seen");
    if cprog == "client_upcall" {
        check_upcall_stderr(cprog, client, &out.stderr);
        check_client_upcall_account(&out.stdout, A4, B4, &pcap);
    } else {
        check_client_account(&out.stdout, Some((A4, B4)), &pcap);
    }
    // The server's own account: one connection, "go\n" read, the socket
    // closed once. usrsctp never calls the upcall of a socket after
    // usrsctp_close: a late one makes the program close it again and
    // print "closed" again.
    let accepted: Vec<&str> = s
        .stdout
        .lines()
        .filter_map(|l| {
            l.split_once("connection accepted from socket ")
                .map(|x| x.1)
        })
        .collect();
    let [sock] = accepted[..] else {
        panic!(
            "{sprog} accepted {} connections, not one:\n{}",
            accepted.len(),
            support::tail(&s.stdout, 10)
        );
    };
    assert!(
        s.stdout.contains("data of size 3 received"),
        "{sprog} did not print \"data of size 3 received\" for \"go\\n\":\n{}",
        support::tail(&s.stdout, 10)
    );
    let closed = s
        .stdout
        .matches(&format!("client socket {sock} closed"))
        .count();
    assert_eq!(
        closed,
        1,
        "{sprog} on {server:?} library printed \"client socket {sock} closed\" {closed} times: \
         its upcall ran again for a socket it had closed (stderr: {} lines, first: {:?})",
        s.stderr.lines().count(),
        s.stderr.lines().next().unwrap_or("")
    );
    check_upcall_stderr(sprog, server, &s.stderr);
}

#[test]
fn chargen_server_upcall_ours_vs_client_real_raw() {
    chargen_pair(Ours, Real, "client", Raw);
}

#[test]
fn chargen_server_upcall_ours_vs_client_real_udp() {
    chargen_pair(Ours, Real, "client", Udp);
}

#[test]
fn chargen_server_upcall_real_vs_client_ours_raw() {
    chargen_pair(Real, Ours, "client", Raw);
}

#[test]
fn chargen_server_upcall_real_vs_client_upcall_ours_raw() {
    chargen_pair(Real, Ours, "client_upcall", Raw);
}

/// Control: the harness on Debian's library alone.
#[test]
fn chargen_server_upcall_real_vs_client_real_raw() {
    chargen_pair(Real, Real, "client", Raw);
}
