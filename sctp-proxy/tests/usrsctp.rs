//! The proxy between usrsctp's own example programs: Debian's unmodified
//! `client` and `echo_server` (package libusrsctp-examples, in
//! /usr/lib/usrsctp, on Debian's `libusrsctp.so.2`, which each test checks
//! they really loaded) as the front client and as the backends, over raw IP
//! on both sides (and, in one test, UDP encapsulation on both sides), in
//! the network namespaces of the examples' test support: the proxy in the
//! hub, the client in spoke 0, the backends in spokes 1 and 2.
//!
//! What is judged: what the programs print (`client` writes every echo to
//! stdout, `echo_server` prints a line per message with its stream and
//! PPID), our `sctp-echo client`'s strict checker (every echo intact, on
//! its stream, with its PPID and order), the proxy's metrics, and tshark on
//! the links (nothing malformed, no bad CRC-32C, no ABORT unless one is the
//! point, stream and PPID kept on the wire).
//!
//! Needs root, tshark, stdbuf and the usrsctp programs; skips loudly
//! without them.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::thread::sleep;
use std::time::{Duration, Instant};

use support::ns::{self, Proc, Star};
use support::{
    abort_reasons_from, data_chunks, example_bin, metric, metrics, metrics_until, sctp_echo_server,
    secs, series_on, stopped, stopped_counted, value_on,
};

/// The proxy's listener; usrsctp's echo_server always listens on port 7.
const LISTENER: &str = "198.18.0.1:7";

/// usrsctp's `client`.
const CLIENT: &str = "/usr/lib/usrsctp/client";
/// usrsctp's `echo_server`.
const ECHO_SERVER: &str = "/usr/lib/usrsctp/echo_server";
/// Debian's library, which the programs must load.
const REAL_LIB: &str = "/usr/lib/x86_64-linux-gnu/libusrsctp.so.2";

/// A star of three spokes (0 the client, 1 and 2 the backends), or `None`
/// after a loud SKIP line.
fn star(test: &str) -> Option<Star> {
    support::star(
        test,
        &[
            "tshark",
            "stdbuf",
            "env",
            "sh",
            CLIENT,
            ECHO_SERVER,
            REAL_LIB,
        ],
    )
}

fn backend_addr(i: usize) -> String {
    format!("{}:7", Star::spoke4(i))
}

/// Starts the proxy in the hub on [`LISTENER`] with metrics on
/// 127.0.0.1:9090 and `args`.
fn proxy(star: &Star, args: &[&str]) -> Proc {
    support::proxy_on(star, LISTENER, args, secs(300))
}

/// The proxy's log without backtrace frames, last 30 lines: what a
/// failing client's message shows of the proxy.
fn proxy_log(proxy: &Proc) -> String {
    let log = proxy.stderr();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| !l.starts_with("   ") && !l.starts_with("  "))
        .collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Panics unless a client exited 0, showing its output and the proxy's log.
fn assert_client_ok(out: &ns::Output, what: &str, proxy: &Proc) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}\n--- proxy's log (end)\n{}",
        out.status,
        out.stdout,
        out.stderr,
        proxy_log(proxy)
    );
}

/// Stops the proxy with SIGTERM: it must drain and exit 0, and no task of
/// it may have panicked (a panicking relay task does not end the process).
fn stop_proxy(proxy: &mut Proc) {
    let out = proxy.stop("TERM");
    assert!(
        !out.stderr.contains("panicked at"),
        "the proxy panicked:\n{}",
        proxy_log(proxy)
    );
    out.assert_success("proxy");
}

/// The value of the series `name` of [`LISTENER`] with the further
/// `labels` in `body`; panics if it is absent.
fn value(body: &str, name: &str, labels: &str) -> f64 {
    value_on(LISTENER, body, name, labels)
}

/// Polls `/metrics` until the proxy has no client association left.
fn fronts_ended(star: &Star, what: &str) -> String {
    metrics_until(star, secs(10), what, |b| {
        metric(b, &series_on(LISTENER, "sctp_proxy_front_associations", "")) == Some(0.0)
    })
}

/// Messages and bytes the proxy relayed each way: `(f2b, b2f, f2b bytes, b2f bytes)`.
fn relayed(body: &str) -> (f64, f64, f64, f64) {
    let f = ",direction=\"front_to_back\"";
    let b = ",direction=\"back_to_front\"";
    (
        value(body, "sctp_proxy_messages_total", f),
        value(body, "sctp_proxy_messages_total", b),
        value(body, "sctp_proxy_bytes_total", f),
        value(body, "sctp_proxy_bytes_total", b),
    )
}

/// Quotes `s` for `sh`.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The `env` arguments that run usrsctp program `program args` on Debian's
/// library (Cargo's `LD_LIBRARY_PATH` removed), with the dynamic loader's
/// trace in `<dir>/<name>.ld.PID` and stdout line-buffered.
fn usrsctp_argv(star: &Star, name: &str, program: &str, args: &[&str]) -> Vec<String> {
    let trace = star.dir.file(&format!("{name}.ld"));
    let mut v: Vec<String> = vec![
        "-u".into(),
        "LD_LIBRARY_PATH".into(),
        "LD_DEBUG=libs".into(),
        format!("LD_DEBUG_OUTPUT={}", trace.display()),
        "stdbuf".into(),
        "-oL".into(),
        program.into(),
    ];
    v.extend(args.iter().map(|a| (*a).to_owned()));
    v
}

/// Checks the loader's trace of the usrsctp program run as `name`: it
/// initialised Debian's `libusrsctp.so.2` and no other libusrsctp.
fn assert_real_library(star: &Star, name: &str) {
    let prefix = format!("{name}.ld.");
    let mut inits = BTreeSet::new();
    for entry in fs::read_dir(&star.dir.0).expect("scratch directory") {
        let entry = entry.expect("scratch directory entry");
        if !entry.file_name().to_string_lossy().starts_with(&prefix) {
            continue;
        }
        let text = fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text.lines() {
            let Some((_, path)) = line.split_once("calling init: ") else {
                continue;
            };
            let path = Path::new(path.trim());
            if path
                .file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with("libusrsctp"))
            {
                inits.insert(fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()));
            }
        }
    }
    let real: BTreeSet<PathBuf> = [fs::canonicalize(REAL_LIB).expect(REAL_LIB)].into();
    assert_eq!(
        inits,
        real,
        "{name} did not run on Debian's libusrsctp (loader trace {}/{prefix}*)",
        star.dir.0.display()
    );
}

/// Whether process `pid`'s network namespace has a raw socket for protocol
/// 132 (usrsctp opens them in `usrsctp_init`).
fn has_raw_sctp_socket(pid: u32) -> bool {
    has_socket(pid, ["raw", "raw6"], ":0084")
}

/// Whether process `pid`'s network namespace has a UDP socket on `port`.
fn has_udp_socket(pid: u32, port: u16) -> bool {
    has_socket(pid, ["udp", "udp6"], &format!(":{port:04X}"))
}

/// Whether a socket in `/proc/<pid>/net/<table>` of either table has a
/// local address ending in `tail`.
fn has_socket(pid: u32, tables: [&str; 2], tail: &str) -> bool {
    tables.iter().any(|f| {
        fs::read_to_string(format!("/proc/{pid}/net/{f}"))
            .unwrap_or_default()
            .lines()
            .skip(1)
            .any(|l| {
                l.split_whitespace()
                    .nth(1)
                    .is_some_and(|a| a.ends_with(tail))
            })
    })
}

/// Starts usrsctp's `echo_server` in spoke `i` (port 7; `args` are its
/// encapsulation ports: `["0"]` for raw IP, `["9899", "9899"]` for UDP),
/// and waits until it runs on Debian's library with its sockets open.
fn echo_server(star: &Star, i: usize, args: &[&str]) -> Proc {
    let name = format!("echo_server-{i}");
    let argv = usrsctp_argv(star, &name, ECHO_SERVER, args);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    // `ip netns exec`, `env` and `stdbuf` each exec the next: the pid is
    // echo_server's.
    let mut p = star.spawn(&star.spokes[i], &name, "env", &argv, secs(300));
    let udp = args.first().is_some_and(|p| *p != "0");
    let end = Instant::now() + secs(20);
    loop {
        let maps = fs::read_to_string(format!("/proc/{}/maps", p.pid())).unwrap_or_default();
        let loaded = maps.contains("libusrsctp");
        let sockets = if udp {
            has_udp_socket(p.pid(), 9899)
        } else {
            has_raw_sctp_socket(p.pid())
        };
        if loaded && sockets {
            assert!(
                maps.lines()
                    .filter_map(|l| l.split_whitespace().nth(5))
                    .filter(|f| f.contains("libusrsctp"))
                    .all(|f| fs::canonicalize(f).ok() == fs::canonicalize(REAL_LIB).ok()),
                "{name} mapped another libusrsctp:\n{maps}"
            );
            break;
        }
        assert!(
            p.running(),
            "{name} exited while starting:\n{}\n{}",
            p.stdout(),
            p.stderr()
        );
        assert!(
            Instant::now() < end,
            "{name} did not open its sockets within 20 s"
        );
        sleep(Duration::from_millis(20));
    }
    // Socket, bind and listen follow usrsctp_init at once; an INIT that
    // came before them would be retransmitted anyway.
    sleep(Duration::from_millis(300));
    p
}

/// Starts usrsctp's `client` in spoke 0 as `name`, connecting to the
/// proxy (`args`: `198.18.0.1 7 0 LOCAL_ENCAPS REMOTE_ENCAPS`), with
/// `lines` on its stdin: all at once, then stdin stays open until the echo
/// of the last line is on the client's stdout (at most 60 s) and 200 ms
/// more; at EOF the client shuts the association down and exits.
fn usrsctp_client(star: &Star, name: &str, args: &[&str], lines: &[String]) -> Proc {
    let stdout = star.dir.file(&format!("{name}.stdout"));
    let mut feeder = String::new();
    for line in lines {
        feeder.push_str(&format!("printf '%s\\n' {}; ", sh_quote(line)));
    }
    let last = lines.last().expect("lines to send");
    feeder.push_str(&format!(
        "n=0; while [ $n -lt 1200 ] && ! grep -qxF -- {} {}; do sleep 0.05; n=$((n+1)); done; sleep 0.2",
        sh_quote(last),
        sh_quote(&stdout.display().to_string())
    ));
    let argv = usrsctp_argv(star, name, CLIENT, args);
    let argv: Vec<String> = argv.iter().map(|a| sh_quote(a)).collect();
    let script = format!("{{ {feeder}; }} | env {}", argv.join(" "));
    let p = star.spawn(&star.spokes[0], name, "sh", &["-c", &script], secs(120));
    assert!(
        stdout.exists(),
        "the support module no longer logs stdout in {}: adapt usrsctp_client",
        stdout.display()
    );
    p
}

/// Runs our `sctp-echo client` in spoke 0 to completion (it gives up
/// after 60 s).
fn sctp_echo_client(star: &Star, name: &str, args: &[&str]) -> ns::Output {
    let mut all = vec!["client", LISTENER, "--timeout", "60"];
    all.extend_from_slice(args);
    star.spawn(
        &star.spokes[0],
        name,
        &example_bin("sctp-echo"),
        &all,
        secs(120),
    )
    .wait()
}

/// The value of `field` in the packets of `file` matching `filter`: there
/// must be some, all with the same value (a retransmitted INIT repeats it).
fn the_value(file: &Path, filter: &str, field: &str) -> u64 {
    let v: BTreeSet<u64> = ns::tshark_values(file, filter, field).into_iter().collect();
    assert_eq!(
        v.len(),
        1,
        "{field} in {filter:?} of {}: {v:?}",
        file.display()
    );
    v.into_iter().next().unwrap_or_default()
}

/// The distinct TSNs of the DATA chunks from `src` in `file`.
fn data_tsns(file: &Path, src: &str) -> BTreeSet<u64> {
    let filter = format!("ip.src == {src} && sctp.chunk_type == 0");
    ns::tshark_values(file, &filter, "sctp.data_tsn_raw")
        .into_iter()
        .collect()
}

/// The number of ABORT chunks in `file`.
fn aborts(file: &Path) -> usize {
    ns::tshark_lines(file, "sctp.chunk_type == 6")
}

/// One "Msg of length N received from ADDR:PORT on stream S with SSN N and
/// TSN T, PPID P, context C, complete 1." line of echo_server.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ServerMsg {
    len: usize,
    from: String,
    stream: u16,
    ppid: u32,
    complete: bool,
}

/// The text between `start` and the next `end` in `s`.
fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let rest = &s[from..];
    Some(&rest[..rest.find(end)?])
}

/// Every message echo_server printed (each looked for anywhere in its line).
fn server_msgs(stdout: &str) -> Vec<ServerMsg> {
    stdout
        .lines()
        .filter_map(|l| l.find("Msg of length ").map(|i| &l[i..]))
        .map(|l| {
            let parse = || {
                let addr = between(l, " received from ", " on stream ")?;
                Some(ServerMsg {
                    len: between(l, "Msg of length ", " ")?.parse().ok()?,
                    from: addr.rsplit_once(':')?.0.to_owned(),
                    stream: between(l, " on stream ", " ")?.parse().ok()?,
                    ppid: between(l, ", PPID ", ",")?.parse().ok()?,
                    complete: between(l, ", complete ", ".")? == "1",
                })
            };
            parse().unwrap_or_else(|| panic!("unparsable echo_server line: {l:?}"))
        })
        .collect()
}

/// sctp-echo's PPID of message `i`.
fn echo_ppid(i: u64) -> u32 {
    0xec00_0000 | (i as u32 & 0x00ff_ffff)
}

/// What echo_server must have printed for an sctp-echo client's `count`
/// messages of `size` bytes on `streams` streams relayed from `from`, in
/// any order.
fn expected_msgs(from: &str, count: u64, size: usize, streams: u64) -> Vec<ServerMsg> {
    let mut v: Vec<ServerMsg> = (0..count)
        .map(|i| ServerMsg {
            len: size,
            from: from.to_owned(),
            stream: (i % streams) as u16,
            ppid: echo_ppid(i),
            complete: true,
        })
        .collect();
    v.sort();
    v
}

fn sorted(mut v: Vec<ServerMsg>) -> Vec<ServerMsg> {
    v.sort();
    v
}

/// The address echo_server prints for the proxy's side of link `i` (an
/// AF_INET6 socket with SCTP_I_WANT_MAPPED_V4_ADDR).
fn proxy_as_seen_by_backend(i: usize) -> String {
    format!("::ffff:{}", Star::hub4(i))
}

/// The lines a usrsctp client sends, `tag` telling clients apart.
fn client_lines(tag: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("line {i} from usrsctp client {tag}{}", "x".repeat(i % 40)))
        .collect()
}

/// The echoes `client` wrote to its stdout, in order.
fn echoed_lines(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|l| l.starts_with("line ")).collect()
}

/// The text of the User-Initiated Abort cause in the ABORT chunk `client`
/// printed with an ASSOC_CHANGE ("..., ABORT = 0x06 0x00 ... ."): the
/// bytes after the chunk and cause headers.
fn printed_abort_reason(stdout: &str) -> Option<String> {
    let hex = between(stdout, "ABORT =", ".")?;
    let bytes: Vec<u8> = hex
        .split_whitespace()
        .filter_map(|b| u8::from_str_radix(b.trim_start_matches("0x"), 16).ok())
        .collect();
    Some(String::from_utf8_lossy(bytes.get(8..)?).into_owned())
}

/// Waits for a usrsctp client to exit. `client` never exits after losing
/// its association (its receive callback is not called at the end, so it
/// waits forever): then it is killed at once and the test fails with the
/// reason the ABORT gave.
fn finish_usrsctp_client(p: &mut Proc, name: &str, proxy: &Proc) -> ns::Output {
    // Past the client's own limit (120 s from its start), Proc::wait kills
    // it and panics with its output.
    let end = Instant::now() + secs(125);
    loop {
        if !p.running() || Instant::now() > end {
            return p.wait();
        }
        let stdout = p.stdout();
        if let Some(what) = ["SCTP_COMM_LOST", "SCTP_CANT_STR_ASSOC"]
            .into_iter()
            .find(|t| stdout.contains(t))
        {
            sleep(Duration::from_millis(500));
            p.kill();
            let out = p.wait();
            panic!(
                "{name} lost its association ({what}; ABORT reason {:?}):\n--- stdout\n{}\n--- stderr\n{}\n--- proxy's log (end)\n{}",
                printed_abort_reason(&out.stdout),
                out.stdout,
                out.stderr,
                proxy_log(proxy)
            );
        }
        sleep(Duration::from_millis(50));
    }
}

/// Checks a finished usrsctp client: exit 0, every line echoed in order,
/// the association up and shut down gracefully as it reported it.
fn check_usrsctp_client(
    star: &Star,
    p: &mut Proc,
    name: &str,
    lines: &[String],
    proxy: &Proc,
) -> String {
    let out = finish_usrsctp_client(p, name, proxy);
    assert_client_ok(&out, name, proxy);
    assert_real_library(star, name);
    assert_eq!(
        echoed_lines(&out.stdout),
        lines.iter().map(String::as_str).collect::<Vec<_>>(),
        "{name}: echoes as it printed them:\n{}\n--- proxy's log (end)\n{}",
        out.stdout,
        proxy_log(proxy)
    );
    for text in ["SCTP_COMM_UP", "SCTP_SHUTDOWN_COMP"] {
        assert!(
            out.stdout.contains(text),
            "{name} did not print {text:?}:\n{}",
            out.stdout
        );
    }
    for text in ["SCTP_COMM_LOST", "ABORT", "SCTP_CANT_STR_ASSOC"] {
        assert!(
            !out.stdout.contains(text),
            "{name} printed {text:?}:\n{}",
            out.stdout
        );
    }
    out.stdout
}

/// `client`'s closing "Number of packets (sent/received): (S/R)."
fn client_packet_counts(stdout: &str) -> Option<(usize, usize)> {
    let v = between(stdout, "Number of packets (sent/received): (", ").")?;
    let (s, r) = v.split_once('/')?;
    Some((s.parse().ok()?, r.parse().ok()?))
}

/// Stops an echo_server (which must still run) and returns its output,
/// after checking its library and that it never failed to echo.
fn stop_echo_server(star: &Star, p: &mut Proc, i: usize) -> ns::Output {
    assert!(
        p.running(),
        "echo_server {i} ended by itself:\n{}\n{}",
        p.stdout(),
        p.stderr()
    );
    let out = p.stop("TERM");
    assert_real_library(star, &format!("echo_server-{i}"));
    assert!(
        !out.stderr.contains("sctp_sendv") && !out.stderr.contains("usrsctp_recvv"),
        "echo_server {i} failed to receive or echo:\n{}",
        out.stderr
    );
    out
}

#[test]
fn usrsctp_client_through_the_proxy_to_sctp_echo_backends() {
    let _g = ns::serial();
    let Some(star) = star("usrsctp_client_to_sctp_echo") else {
        return;
    };
    let mut backends: Vec<Proc> = (1..=2)
        .map(|i| {
            let name = format!("sctp-echo-{i}");
            sctp_echo_server(&star, i, &name, &[&backend_addr(i)], secs(300))
        })
        .collect();
    // Default --streams (65535): usrsctp's client sends on 10 streams and
    // takes 2048, our sctp-echo server offers 65535 each way.
    let mut proxy = proxy(
        &star,
        &["--backend", &backend_addr(1), "--backend", &backend_addr(2)],
    );
    let front = star.capture_link(0, "sctp");
    let back = [star.capture_link(1, "sctp"), star.capture_link(2, "sctp")];

    // Two clients one after the other: each backend gets one of them.
    let mut sent_bytes = 0usize;
    let mut stdouts = Vec::new();
    for tag in ["A", "B"] {
        let lines = client_lines(tag, 200);
        sent_bytes += lines.iter().map(|l| l.len() + 1).sum::<usize>();
        let name = format!("client-{tag}");
        let mut c = usrsctp_client(&star, &name, &["198.18.0.1", "7", "0", "0", "0"], &lines);
        let stdout = check_usrsctp_client(&star, &mut c, &name, &lines, &proxy);
        // The client's view of the streams: 2048 in (the proxy sends on
        // as many as the client takes), 10 out.
        assert!(
            stdout.contains("SCTP_COMM_UP, streams (in/out) = (2048/10)"),
            "{name}:\n{stdout}"
        );
        stdouts.push(stdout);
    }

    let body = fronts_ended(&star, "both fronts ended");
    let sent = sent_bytes as f64;
    assert_eq!(relayed(&body), (400.0, 400.0, sent, sent), "{body}");
    assert_eq!(
        value(&body, "sctp_proxy_front_associations_accepted_total", ""),
        2.0
    );
    for (i, b) in backends.iter_mut().enumerate() {
        let from = format!("association with {}", Star::hub4(i + 1));
        let out = b.stdout();
        assert!(
            out.contains(&from) && out.contains("shut down by the peer after 200 messages echoed"),
            "backend {} did not echo one client's 200 messages:\n{out}",
            i + 1
        );
    }

    let (front, packets) = stopped_counted(front, 20);
    assert_eq!(aborts(&front), 0, "an ABORT on the client's link");
    // Every line went out as a message on stream 0 with PPID 0 (the
    // client sends with SCTP_SENDV_NOINFO), and came back the same way.
    let client_sent = data_chunks(&front, "198.18.0.2");
    let proxy_returned = data_chunks(&front, "198.18.0.1");
    assert!(client_sent.len() >= 400 && proxy_returned.len() >= 400);
    assert!(
        client_sent
            .iter()
            .chain(&proxy_returned)
            .all(|c| *c == (0, 0)),
        "a chunk not on stream 0 with PPID 0"
    );
    assert_eq!(data_tsns(&front, "198.18.0.2").len(), 400);
    assert_eq!(data_tsns(&front, "198.18.0.1").len(), 400);
    // The clients' own packet counts (usrsctp_get_stat) are the capture's.
    let (out, inn) = stdouts.iter().fold((0, 0), |(s, r), o| {
        let (s2, r2) = client_packet_counts(o).expect("client's packet counts");
        (s + s2, r + r2)
    });
    assert_eq!(
        (out, inn),
        (
            ns::tshark_lines(&front, "sctp && ip.src == 198.18.0.2"),
            ns::tshark_lines(&front, "sctp && ip.dst == 198.18.0.2"),
        ),
        "the clients' packet counts against the capture ({packets} packets)"
    );

    // The proxy asked each backend for the client's stream counts: as many
    // outbound as the client sends on, as many inbound as it takes, so the
    // backend may send on no stream the client lacks.
    for (i, c) in back.into_iter().enumerate() {
        let c = stopped(c, 10);
        assert_eq!(aborts(&c), 0, "an ABORT on link {}", i + 1);
        let init = format!("ip.src == {} && sctp.chunk_type == 1", Star::hub4(i + 1));
        assert_eq!(
            (
                the_value(&c, &init, "sctp.init_nr_out_streams"),
                the_value(&c, &init, "sctp.init_nr_in_streams"),
            ),
            (10, 2048),
            "the proxy's INIT to backend {}",
            i + 1
        );
    }

    stop_proxy(&mut proxy);
    for b in &mut backends {
        b.stop("TERM");
    }
}

#[test]
fn sctp_echo_client_through_the_proxy_to_usrsctp_echo_server() {
    let _g = ns::serial();
    let Some(star) = star("sctp_echo_to_usrsctp_echo_server") else {
        return;
    };
    let mut backends: Vec<Proc> = (1..=2).map(|i| echo_server(&star, i, &["0"])).collect();
    let mut proxy = proxy(
        &star,
        &["--backend", &backend_addr(1), "--backend", &backend_addr(2)],
    );
    let front = star.capture_link(0, "sctp");
    let back = [star.capture_link(1, "sctp"), star.capture_link(2, "sctp")];

    // echo_server answers on the stream and with the PPID and unordered
    // flag it received, on at most 10 outbound streams (usrsctp's default).
    let runs: [(&str, &[&str], u64, usize, u64); 2] = [
        (
            "client-1-stream",
            &["--count", "500", "--streams", "1"],
            500,
            100,
            1,
        ),
        (
            "client-10-streams",
            &["--count", "500", "--streams", "10", "--size", "1000"],
            500,
            1000,
            10,
        ),
    ];
    for (name, args, ..) in &runs {
        assert_client_ok(
            &sctp_echo_client(&star, name, args),
            &format!("{name}: sctp-echo through the proxy to usrsctp's echo_server"),
            &proxy,
        );
    }

    let body = fronts_ended(&star, "both fronts ended");
    let bytes = (500 * 100 + 500 * 1000) as f64;
    assert_eq!(relayed(&body), (1000.0, 1000.0, bytes, bytes), "{body}");

    // Each echo_server got one client's messages, each as one complete
    // message with its stream and PPID.
    let mut matched = BTreeSet::new();
    for (i, b) in backends.iter_mut().enumerate() {
        let out = stop_echo_server(&star, b, i + 1);
        let got = sorted(server_msgs(&out.stdout));
        let from = proxy_as_seen_by_backend(i + 1);
        let which = runs
            .iter()
            .position(|(_, _, count, size, streams)| {
                got == expected_msgs(&from, *count, *size, *streams)
            })
            .unwrap_or_else(|| {
                panic!(
                    "echo_server {} printed {} messages matching neither client:\n{}",
                    i + 1,
                    got.len(),
                    out.stdout.lines().take(20).collect::<Vec<_>>().join("\n")
                )
            });
        matched.insert(which);
    }
    assert_eq!(matched.len(), 2, "one client per backend");

    let front = stopped(front, 100);
    assert_eq!(aborts(&front), 0, "an ABORT on the client's link");
    let client_sent: BTreeSet<_> = data_chunks(&front, "198.18.0.2").into_iter().collect();
    let proxy_returned: BTreeSet<_> = data_chunks(&front, "198.18.0.1").into_iter().collect();
    let wanted: BTreeSet<(u64, u64)> = runs
        .iter()
        .flat_map(|(_, _, count, _, streams)| {
            (0..*count).map(move |i| (i % streams, u64::from(echo_ppid(i))))
        })
        .collect();
    assert_eq!(client_sent, wanted, "(stream, PPID) the clients sent");
    assert_eq!(client_sent, proxy_returned, "echoes keep stream and PPID");
    for (i, c) in back.into_iter().enumerate() {
        let c = stopped(c, 10);
        assert_eq!(aborts(&c), 0, "an ABORT on link {}", i + 1);
        let to: BTreeSet<_> = data_chunks(&c, &Star::hub4(i + 1).to_string())
            .into_iter()
            .collect();
        let from: BTreeSet<_> = data_chunks(&c, &Star::spoke4(i + 1).to_string())
            .into_iter()
            .collect();
        assert_eq!(to, from, "echo_server {} kept stream and PPID", i + 1);
        assert!(to.len() >= 500);
    }
    stop_proxy(&mut proxy);
}

#[test]
fn message_mode_balances_an_sctp_echo_client_over_two_usrsctp_echo_servers() {
    let _g = ns::serial();
    let Some(star) = star("message_mode_usrsctp_echo_server") else {
        return;
    };
    let mut backends: Vec<Proc> = (1..=2).map(|i| echo_server(&star, i, &["0"])).collect();
    let mut proxy = proxy(
        &star,
        &[
            "--mode",
            "message",
            "--backend",
            &backend_addr(1),
            "--backend",
            &backend_addr(2),
        ],
    );
    let front = star.capture_link(0, "sctp");
    // Unordered: echoes of one stream come back from two backends, so their
    // order is not the client's.
    let out = sctp_echo_client(
        &star,
        "client",
        &["--count", "1000", "--streams", "10", "--unordered"],
    );
    assert_client_ok(
        &out,
        "sctp-echo, message by message over two usrsctp echo_servers",
        &proxy,
    );
    assert!(out.stdout.contains("OK: 1000 messages"), "{}", out.stdout);

    let body = fronts_ended(&star, "the front ended");
    assert_eq!(
        relayed(&body),
        (1000.0, 1000.0, 100_000.0, 100_000.0),
        "{body}"
    );
    assert_eq!(value(&body, "sctp_proxy_retried_messages_total", ""), 0.0);

    // Together the echo_servers got each message once, from the proxy;
    // each got some.
    let mut all = Vec::new();
    for (i, b) in backends.iter_mut().enumerate() {
        let out = stop_echo_server(&star, b, i + 1);
        let got = server_msgs(&out.stdout);
        let from = proxy_as_seen_by_backend(i + 1);
        assert!(
            !got.is_empty() && got.iter().all(|m| m.from == from),
            "echo_server {} got no message, or one not from {from}:\n{}",
            i + 1,
            out.stdout
        );
        eprintln!("echo_server {} echoed {} messages", i + 1, got.len());
        all.extend(got.into_iter().map(|m| ServerMsg {
            from: String::new(),
            ..m
        }));
    }
    assert_eq!(sorted(all), expected_msgs("", 1000, 100, 10));
    let front = stopped(front, 100);
    assert_eq!(aborts(&front), 0, "an ABORT on the client's link");
    stop_proxy(&mut proxy);
}

#[test]
fn usrsctp_client_to_usrsctp_echo_server_through_the_proxy_over_udp_encapsulation() {
    let _g = ns::serial();
    let Some(star) = star("usrsctp_both_sides_udp") else {
        return;
    };
    let mut backend = echo_server(&star, 1, &["9899", "9899"]);
    let mut proxy = proxy(
        &star,
        &[
            "--transport",
            "udp",
            "--udp-port",
            "9899",
            "--backend-transport",
            "udp",
            "--backend-udp-port",
            "9899",
            "--backend",
            &backend_addr(1),
        ],
    );
    let front = star.capture_link(0, "udp port 9899");
    let back = star.capture_link(1, "udp port 9899");
    let lines = client_lines("U", 100);
    let bytes = lines.iter().map(|l| l.len() + 1).sum::<usize>() as f64;
    let mut c = usrsctp_client(
        &star,
        "client",
        &["198.18.0.1", "7", "0", "9899", "9899"],
        &lines,
    );
    check_usrsctp_client(&star, &mut c, "client", &lines, &proxy);

    let body = fronts_ended(&star, "the front ended");
    assert_eq!(relayed(&body), (100.0, 100.0, bytes, bytes), "{body}");
    let out = stop_echo_server(&star, &mut backend, 1);
    let got = server_msgs(&out.stdout);
    let want: Vec<ServerMsg> = lines
        .iter()
        .map(|l| ServerMsg {
            len: l.len() + 1,
            from: proxy_as_seen_by_backend(1),
            stream: 0,
            ppid: 0,
            complete: true,
        })
        .collect();
    assert_eq!(got, want, "what echo_server printed");
    for (c, n) in [(front, 0), (back, 1)] {
        let c = stopped(c, 10);
        assert_eq!(aborts(&c), 0, "an ABORT on link {n}");
        assert_eq!(
            ns::tshark_lines(&c, "sctp && !udp"),
            0,
            "raw SCTP on link {n}"
        );
    }
    stop_proxy(&mut proxy);
}

#[test]
fn the_proxy_refuses_a_client_whose_streams_the_backend_lacks() {
    let _g = ns::serial();
    let Some(star) = star("streams_the_backend_lacks") else {
        return;
    };
    let mut backend = echo_server(&star, 1, &["0"]);
    let mut proxy = proxy(&star, &["--backend", &backend_addr(1)]);
    let front = star.capture_link(0, "sctp");
    let back = star.capture_link(1, "sctp");
    // 3000 outbound streams; usrsctp's echo_server takes 2048 inbound.
    let out = sctp_echo_client(&star, "client", &["--count", "10", "--streams", "3000"]);
    assert!(
        !out.status.success(),
        "the client should have been refused:\n{}",
        out.stdout
    );
    let reason = format!(
        "sctp-proxy: backend {} takes 2048 streams, the client may send on 3000",
        backend_addr(1)
    );
    assert!(
        out.stderr.contains(&reason),
        "the client's error does not give the reason {reason:?}:\n{}",
        out.stderr
    );
    let body = metrics(&star);
    assert_eq!(
        value(
            &body,
            "sctp_proxy_front_associations_refused_total",
            ",reason=\"streams\""
        ),
        1.0
    );
    assert_eq!(relayed(&body).0, 0.0, "a message was relayed");

    let front = stopped(front, 3);
    let back = stopped(back, 3);
    // On the wire: the client asked for 3000 outbound streams, so did the
    // proxy of echo_server, which took 2048 ...
    assert_eq!(
        the_value(
            &front,
            "ip.src == 198.18.0.2 && sctp.chunk_type == 1",
            "sctp.init_nr_out_streams"
        ),
        3000
    );
    assert_eq!(
        the_value(
            &back,
            "ip.src == 198.18.1.1 && sctp.chunk_type == 1",
            "sctp.init_nr_out_streams"
        ),
        3000
    );
    assert_eq!(
        the_value(
            &back,
            "ip.src == 198.18.1.2 && sctp.chunk_type == 2",
            "sctp.initack_nr_in_streams"
        ),
        2048
    );
    // ... and both hear why it ends.
    for (file, to, why) in [
        (&front, "198.18.0.1", reason.as_str()),
        (
            &back,
            "198.18.1.1",
            "sctp-proxy: stream counts do not fit the client's",
        ),
    ] {
        let reasons = abort_reasons_from(file, to);
        assert!(
            !reasons.is_empty() && reasons.iter().all(|r| r == why),
            "ABORT reasons from {to}: {reasons:?}, expected {why:?}"
        );
    }
    assert!(data_chunks(&back, "198.18.1.1").is_empty());
    stop_echo_server(&star, &mut backend, 1);
    stop_proxy(&mut proxy);
}
