//! `usrsctp_bindx` on a running association (RFC 5061): `tests/c/bindx_client.c`,
//! compiled against the `usrsctp.h` that `install.sh --header` generates and
//! linked with this crate's `libusrsctp.so.2`, runs in namespace A against
//! Debian's `echo_server 0` (Debian's library, raw IP, port 7) in B.
//!
//! A has 198.18.0.1/24 and 198.18.1.1/24 on its veth, B 198.18.0.2/24 and
//! 198.18.1.2/24. The client binds both of A's addresses with
//! `SCTP_BINDX_ADD_ADDR`, connects to 198.18.0.2, sends a message, removes
//! 198.18.1.1 (`SCTP_BINDX_REM_ADDR`; removing 198.18.0.1 then, the last
//! address, must fail with EINVAL), sends another 1 s later, adds it back
//! and sends a third 1 s later; each message's echo must come back and
//! `usrsctp_getladdrs` must follow every step (the client checks these
//! itself and exits 0 only if all held). `ldd` checks which library the
//! client loads.
//!
//! On the wire (tshark on A's veth): nothing malformed, no bad CRC-32C, no
//! ABORT, no ERROR; the INIT lists 198.18.1.1; A sends an ASCONF (0xc1)
//! with a Delete IP Address (0xc002) of 198.18.1.1 and later one with an
//! Add IP Address (0xc001) of it, each ASCONF with an AUTH chunk (RFC 5061
//! section 4.1.1); B answers every ASCONF sequence number with an
//! ASCONF-ACK (0x80), none with an Error Cause Indication (0xc003). The
//! server prints the three messages (101, 202 and 303 bytes) in order, the
//! second not from the removed address, then the end of the association.
//! A failure lists every unmet expectation at once, with a one-line-per-
//! packet summary of the capture and both programs' output.
//!
//! `bindx_client_real_vs_echo_server_real` runs the same program built
//! against Debian's header and library: a control of the program and of
//! these expectations (usrsctp's own bindx puts the same on the wire).
//!
//! Needs root, gcc, tshark, Debian's echo_server (libusrsctp-examples) and
//! library, and cbindgen for our header; without them the tests print
//! `SKIP:` and return.

#[allow(dead_code)]
mod support;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use support::ns::tshark_values;
use support::{
    A4, B4, Bench, Lib, ServerEvent, ServerMsg, Side, secs, serial, server_events, tail,
    tshark_lines,
};

/// A's second address, added, removed and added again.
const A4_2: &str = "198.18.1.1";
/// B's second address (the server listens on the wildcard).
const B4_2: &str = "198.18.1.2";
/// This crate's directory.
const CRATE_DIR: &str = env!("CARGO_MANIFEST_DIR");
/// Flags the client is compiled with (as `c_api.rs` compiles its programs).
const CFLAGS: &[&str] = &["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-g"];
/// The lengths of the client's three messages.
const LENS: [usize; 3] = [101, 202, 303];
/// What the client must print, each as the start of an "ok" line.
const CLIENT_OK: &[&str] = &[
    "usrsctp_bindx(SCTP_BINDX_ADD_ADDR) of 198.18.0.1 and 198.18.1.1",
    "usrsctp_connect to 198.18.0.2:7",
    "usrsctp_getladdrs after connect lists 198.18.0.1 and 198.18.1.1",
    "message 1: usrsctp_sendv of 101 bytes",
    "message 1: its echo of 101 bytes is back",
    "usrsctp_bindx(SCTP_BINDX_REM_ADDR) of 198.18.1.1",
    "usrsctp_getladdrs after removing the second address lists 198.18.0.1 port",
    "usrsctp_bindx(SCTP_BINDX_REM_ADDR) of the last address 198.18.0.1 fails with EINVAL",
    "usrsctp_getladdrs after the refused removal lists 198.18.0.1 port",
    "message 2: usrsctp_sendv of 202 bytes",
    "message 2: its echo of 202 bytes is back",
    "usrsctp_bindx(SCTP_BINDX_ADD_ADDR) of 198.18.1.1 again",
    "usrsctp_getladdrs after adding the second address again lists 198.18.0.1 and 198.18.1.1",
    "message 3: usrsctp_sendv of 303 bytes",
    "message 3: its echo of 303 bytes is back",
    "usrsctp_finish returns 0",
];

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Runs `program args` in `dir` to the end, panicking with its output
/// unless it succeeds; returns its stdout.
fn tool(program: &str, args: &[String], dir: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Builds `tests/c/bindx_client.c` in `dir`: against the header
/// `install.sh --header` generates and our library (copied by [`Bench`]
/// into `dir/ours` as `libusrsctp.so.2`), or against Debian's. Checks with
/// `ldd` which library the program will load and returns its path.
fn build_client(dir: &Path, lib: Lib) -> PathBuf {
    let exe = dir.join("bindx_client");
    let source = Path::new(CRATE_DIR).join("tests/c/bindx_client.c");
    let mut args: Vec<String> = CFLAGS.iter().map(|s| (*s).to_owned()).collect();
    let expected = match lib {
        Lib::Ours => {
            let include = dir.join("include");
            fs::create_dir_all(&include).expect("mkdir include");
            let header = include.join("usrsctp.h");
            tool(
                "bash",
                &[
                    Path::new(CRATE_DIR)
                        .join("install.sh")
                        .display()
                        .to_string(),
                    "--header".into(),
                    header.display().to_string(),
                ],
                dir,
            );
            let ours = dir.join("ours");
            let so = ours.join("libusrsctp.so.2");
            assert!(
                so.is_file(),
                "Bench did not copy our library to {}",
                so.display()
            );
            let _ = fs::remove_file(ours.join("libusrsctp.so"));
            std::os::unix::fs::symlink("libusrsctp.so.2", ours.join("libusrsctp.so"))
                .expect("symlink libusrsctp.so");
            args.extend([
                format!("-I{}", include.display()),
                "-o".into(),
                exe.display().to_string(),
                source.display().to_string(),
                format!("-L{}", ours.display()),
                "-lusrsctp".into(),
                format!("-Wl,-rpath,{}", ours.display()),
            ]);
            so
        }
        Lib::Real => {
            args.extend([
                "-o".into(),
                exe.display().to_string(),
                source.display().to_string(),
                "-lusrsctp".into(),
                "-lpthread".into(),
            ]);
            PathBuf::from(support::REAL_LIB)
        }
    };
    tool("gcc", &args, dir);
    // Run as the test runs it: without Cargo's LD_LIBRARY_PATH.
    let out = Command::new("ldd")
        .arg(&exe)
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .expect("running ldd");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("libusrsctp"))
        .unwrap_or_else(|| panic!("{} links no libusrsctp:\n{text}", exe.display()));
    let loaded = line
        .split("=> ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected ldd line: {line}"));
    let canon = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    assert_eq!(
        canon(Path::new(loaded)),
        canon(&expected),
        "bindx_client would load the wrong library ({lib:?} wanted): {line}"
    );
    exe
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

/// The client's lines: exit 0, `RESULT: ok`, no FAIL, every [`CLIENT_OK`].
fn check_client(stdout: &str, success: bool, problems: &mut Vec<String>) {
    let lines: Vec<&str> = stdout.lines().collect();
    for l in &lines {
        if l.starts_with("FAIL") || l.starts_with("RESULT: aborted") {
            problems.push(format!("client: {l}"));
        }
    }
    for e in CLIENT_OK {
        if !lines.iter().any(|l| l.starts_with(&format!("ok {e}"))) {
            problems.push(format!("client: no line \"ok {e}...\""));
        }
    }
    if !success || !lines.contains(&"RESULT: ok") {
        problems.push("client: did not exit 0 with \"RESULT: ok\"".to_owned());
    }
}

/// The server's account: COMM_UP first; the three messages in order on
/// stream 0 with consecutive SSNs and TSNs, each from one of A's
/// addresses, the second not from the removed one; after the last, the
/// SHUTDOWN_EVENT (12 bytes) and SHUTDOWN_COMP (20 bytes), PEER_ADDR_CHANGE
/// (152) aside.
fn check_server(stdout: &str, problems: &mut Vec<String>) {
    let events = server_events(stdout);
    if !matches!(events.first(), Some(ServerEvent::Notification(n)) if *n >= 20) {
        problems.push("server: its first event is not COMM_UP".to_owned());
    }
    let msgs: Vec<&ServerMsg> = events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Msg(m) => Some(m),
            ServerEvent::Notification(_) => None,
        })
        .collect();
    let lens: Vec<usize> = msgs.iter().map(|m| m.len).collect();
    if lens != LENS {
        problems.push(format!(
            "server: printed messages of {lens:?} bytes, {LENS:?} were sent"
        ));
        return;
    }
    let ours: Vec<String> = [A4, A4_2]
        .iter()
        .flat_map(|a| [(*a).to_owned(), format!("::ffff:{a}")])
        .collect();
    for (i, m) in msgs.iter().enumerate() {
        if !ours.contains(&m.from) {
            problems.push(format!("server: message {} from {}, not A", i + 1, m.from));
        }
        let want = (0, i as u16, msgs[0].tsn.wrapping_add(i as u32), Some(true));
        let got = (m.stream, m.ssn, m.tsn, m.complete);
        if got != want {
            problems.push(format!(
                "server: message {} (stream, SSN, TSN, complete) {got:?}, expected {want:?}",
                i + 1
            ));
        }
    }
    if msgs[1].from.ends_with(A4_2) {
        problems.push(format!(
            "server: message 2 came from {}, the address removed 1 s before it was sent",
            msgs[1].from
        ));
    }
    let after = support::notifications_after_last_message(&events);
    if after != [12, 20] {
        problems.push(format!(
            "server: notifications after the last message {after:?}, expected SHUTDOWN_EVENT \
             (12) and SHUTDOWN_COMP (20)"
        ));
    }
}

/// One line per SCTP packet of the capture, with its chunks and
/// parameters, for failure messages.
fn summary(pcap: &Path) -> String {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(pcap)
        .args(["-o", "sctp.checksum:CRC-32C"])
        .args(["-d", "sctp.port==1-65535,data"])
        .args(["-Y", "sctp", "-T", "fields", "-E", "occurrence=a"])
        .args(["-E", "aggregator=,", "-E", "separator=/t"])
        .args(["-e", "frame.number", "-e", "frame.time_relative"])
        .args(["-e", "ip.src", "-e", "ip.dst", "-e", "sctp.chunk_type"])
        .args([
            "-e",
            "sctp.parameter_type",
            "-e",
            "sctp.parameter_ipv4_address",
        ])
        .args(["-e", "sctp.asconf_seq_nr_number"])
        .args(["-e", "sctp.asconf_ack_seq_nr_number"])
        .args(["-e", "sctp.cause_code"])
        .output()
        .expect("running tshark -r");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    let shown = lines.len().min(120);
    format!(
        "frame\ttime\tsrc\tdst\tchunk types\tparameter types\tIPv4 addresses\tASCONF seq\t\
         ASCONF-ACK seq\tcause codes ({} packets, first {shown})\n{}",
        lines.len(),
        lines[..shown].join("\n")
    )
}

/// The values of `field` as tshark prints them (hexadecimal ones too), one
/// per occurrence, in the packets of `pcap` matching `filter`.
fn strings(pcap: &Path, filter: &str, field: &str) -> Vec<String> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(pcap)
        .args(["-o", "sctp.checksum:CRC-32C"])
        .args(["-d", "sctp.port==1-65535,data"])
        .args(["-Y", filter, "-T", "fields", "-E", "occurrence=a"])
        .args(["-E", "aggregator=,", "-e", field])
        .output()
        .expect("running tshark -r");
    assert!(
        out.status.success(),
        "tshark -r {} -Y {filter:?} -e {field} failed: {}",
        pcap.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .split([',', '\n'])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Display filter: sent by A (either address).
const BY_A: &str = "(ip.src == 198.18.0.1 || ip.src == 198.18.1.1)";
/// Display filter: sent by B (either address).
const BY_B: &str = "(ip.src == 198.18.0.2 || ip.src == 198.18.1.2)";

/// What the capture must show: see the module's documentation.
fn check_wire(pcap: &Path, problems: &mut Vec<String>) {
    let count = |f: &str| tshark_lines(pcap, f);
    let frames = |f: &str| tshark_values(pcap, f, "frame.number");
    let mut expect = |ok: bool, what: String| {
        if !ok {
            problems.push(format!("wire: {what}"));
        }
    };
    let n = count("sctp.chunk_type == 6");
    expect(n == 0, format!("{n} packets with an ABORT"));
    let n = count("sctp.chunk_type == 9");
    expect(n == 0, format!("{n} packets with an ERROR chunk"));
    let n = count(&format!(
        "{BY_A} && sctp.chunk_type == 1 && sctp.parameter_ipv4_address == {A4_2}"
    ));
    expect(n >= 1, format!("the INIT does not list {A4_2}"));
    let asconf = format!("{BY_A} && sctp.chunk_type == 0xc1");
    let n = count(&format!("{asconf} && !(sctp.chunk_type == 0x0f)"));
    expect(
        n == 0,
        format!("{n} ASCONFs without AUTH (RFC 5061 section 4.1.1)"),
    );
    let deletes = frames(&format!(
        "{asconf} && sctp.parameter_type == 0xc002 && sctp.parameter_ipv4_address == {A4_2}"
    ));
    expect(
        !deletes.is_empty(),
        format!("no ASCONF from A with a Delete IP Address (0xc002) of {A4_2}"),
    );
    let adds = frames(&format!(
        "{asconf} && sctp.parameter_type == 0xc001 && sctp.parameter_ipv4_address == {A4_2}"
    ));
    expect(
        adds.iter().any(|a| deletes.first().is_some_and(|d| a > d)),
        format!(
            "no ASCONF from A with an Add IP Address (0xc001) of {A4_2} after the Delete \
             (Delete in frames {deletes:?}, Add in frames {adds:?})"
        ),
    );
    let acks = format!("{BY_B} && sctp.chunk_type == 0x80");
    let n = count(&acks);
    expect(
        n >= 2,
        format!("{n} ASCONF-ACKs from B, expected at least 2"),
    );
    let refused = frames("sctp.parameter_type == 0xc003");
    let causes = strings(pcap, "sctp.parameter_type == 0xc003", "sctp.cause_code");
    expect(
        refused.is_empty(),
        format!(
            "ASCONF-ACKs with an Error Cause Indication (0xc003) in frames {refused:?}, \
             cause codes {causes:?} (0x00a2: Request to Delete Source IP Address, RFC 5061 \
             section 5.3 rule F8): usrsctp refused a change"
        ),
    );
    let sent: BTreeSet<String> = strings(pcap, &asconf, "sctp.asconf_seq_nr_number")
        .into_iter()
        .collect();
    let acked: BTreeSet<String> = strings(pcap, &acks, "sctp.asconf_ack_seq_nr_number")
        .into_iter()
        .collect();
    expect(
        sent.len() >= 2 && sent.is_subset(&acked),
        format!("ASCONF sequence numbers sent {sent:?}, acknowledged {acked:?}"),
    );
}

/// The whole scenario with the client on `client`'s library (the server
/// always on Debian's).
fn bindx_vs_echo_server(test: &str, client: Lib) {
    let _g = serial();
    let extra: &[&str] = match client {
        Lib::Ours => &["gcc", "ldd", "cbindgen"],
        Lib::Real => &["gcc", "ldd", "/usr/include/usrsctp.h"],
    };
    let Some(bench) = Bench::new(test, &["echo_server"], extra, &[Lib::Real, client]) else {
        return;
    };
    let ns = &bench.ns;
    ns.run_in(
        &ns.a,
        &["ip", "addr", "add", &format!("{A4_2}/24"), "dev", &ns.if_a],
    );
    ns.run_in(
        &ns.b,
        &["ip", "addr", "add", &format!("{B4_2}/24"), "dev", &ns.if_b],
    );
    let exe = build_client(&ns.dir.0, client);
    let cap = ns.capture(&ns.a, "sctp");
    let pcap = cap.file.clone();
    let mut srv = bench.start(Side::B, Lib::Real, "echo_server", &["0"], secs(90));
    srv.wait_loaded(ms(500));
    let exe = exe.display().to_string();
    let mut cli = ns.spawn(
        &ns.a,
        "bindx_client",
        "env",
        &["-u", "LD_LIBRARY_PATH", &exe, A4, A4_2, B4, "7"],
        secs(60),
    );
    let out = cli.wait();
    // The server prints the end of the association (SHUTDOWN_COMP) a
    // moment after the client's usrsctp_finish; stop() checks it still runs.
    let end = Instant::now() + secs(10);
    while srv.proc.running() && server_saw_end(&srv.proc.stdout()).is_none() && Instant::now() < end
    {
        sleep(ms(50));
    }
    let s = srv.stop();
    cap.stop_and_check(10);
    let mut problems = Vec::new();
    check_client(&out.stdout, out.status.success(), &mut problems);
    check_wire(&pcap, &mut problems);
    check_server(&s.stdout, &mut problems);
    assert!(
        problems.is_empty(),
        "bindx_client on {client:?} library against echo_server (Debian's):\n  {}\n\
         --- capture on A's veth\n{}\n--- bindx_client stdout\n{}\n--- bindx_client stderr \
         (last 20 lines)\n{}\n--- echo_server stdout (usrsctp's debug output, last 60 lines)\n{}",
        problems.join("\n  "),
        summary(&pcap),
        out.stdout,
        tail(&out.stderr, 20),
        tail(&s.stdout, 60)
    );
}

/// Our library's bindx: ASCONFs that usrsctp accepts.
#[test]
fn rfc5061_bindx_on_our_library_is_accepted_by_usrsctp_echo_server() {
    bindx_vs_echo_server("bindx-ours", Lib::Ours);
}

/// Control: the same program on Debian's library and header.
#[test]
fn bindx_client_real_vs_echo_server_real() {
    bindx_vs_echo_server("bindx-real", Lib::Real);
}
