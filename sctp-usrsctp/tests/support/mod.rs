//! Support for `programs.rs`: Debian's prebuilt usrsctp example programs
//! (package libusrsctp-examples, `/usr/lib/usrsctp` or `$USRSCTP_BIN`) run in
//! the network namespaces of the examples crate's test support, each loading
//! either our `libusrsctp.so.2` ([`Lib::Ours`]) or Debian's ([`Lib::Real`]).
//!
//! How a program is started: `ip netns exec NS env [LD_LIBRARY_PATH=OURS | -u
//! LD_LIBRARY_PATH] LD_DEBUG=libs LD_DEBUG_OUTPUT=TRACE stdbuf -oL PROGRAM ARGS`.
//! Every step execs the next, so the process id is the program's. `stdbuf -oL`
//! makes the programs' `printf` output reach the log file line by line (the
//! servers never exit by themselves; they are stopped with SIGTERM). Cargo
//! sets `LD_LIBRARY_PATH` for test binaries; it is replaced ("ours") or
//! removed ("real"), never inherited.
//!
//! Which library a program really loaded is checked twice: in
//! `/proc/PID/maps` while it runs, and in the dynamic loader's own trace
//! (`LD_DEBUG=libs`, "calling init: PATH"), which also covers programs that
//! exit too quickly to be looked at.
//!
//! Our library is the cdylib Cargo builds with this test binary
//! (`target/<profile>/deps/libusrsctp.so`, or the copy one level up if that
//! is newer), copied into the test's scratch
//! directory as `libusrsctp.so.2`. `SCTP_USRSCTP_LIB=/path/to/lib.so` runs
//! the "ours" side on another file instead (a release build, or Debian's own
//! library to check the harness itself).

#[path = "../../../examples/tests/support/mod.rs"]
pub(crate) mod ns;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub(crate) use ns::{NsPair, Output, check_pcap, serial, tshark_lines};

/// Debian's library, which the programs load when nothing else is set.
pub(crate) const REAL_LIB: &str = "/usr/lib/x86_64-linux-gnu/libusrsctp.so.2";

/// The UDP encapsulation port (RFC 6951) both sides use; Wireshark decodes
/// UDP on this port as SCTP.
pub(crate) const UDP_PORT: &str = "9899";

/// A's addresses (clients run in A).
pub(crate) const A4: &str = "198.18.0.1";
/// B's IPv4 address (servers run in B).
pub(crate) const B4: &str = "198.18.0.2";
/// A's IPv6 address.
pub(crate) const A6: &str = "fd00:5c7b::1";
/// B's IPv6 address.
pub(crate) const B6: &str = "fd00:5c7b::2";

/// Display filter for SCTP packets sent by A, over either IP version and
/// over UDP encapsulation alike.
pub(crate) const FROM_A: &str = "sctp && (ip.src == 198.18.0.1 || ipv6.src == fd00:5c7b::1)";
/// Display filter for SCTP packets sent to A.
pub(crate) const TO_A: &str = "sctp && (ip.dst == 198.18.0.1 || ipv6.dst == fd00:5c7b::1)";

/// Shorthand for whole seconds.
pub(crate) fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// The path of one of Debian's example programs.
pub(crate) fn program(name: &str) -> String {
    let dir = std::env::var("USRSCTP_BIN").unwrap_or_else(|_| "/usr/lib/usrsctp".to_owned());
    format!("{dir}/{name}")
}

/// Which `libusrsctp.so.2` a program loads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lib {
    /// Ours: this crate's cdylib.
    Ours,
    /// Debian's, [`REAL_LIB`].
    Real,
}

/// How the programs carry SCTP: `usrsctp_init(0)` (raw IP) or
/// `usrsctp_init(9899)` with the peer's encapsulation port set to 9899.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tp {
    /// Raw IP, protocol 132.
    Raw,
    /// UDP encapsulation on port [`UDP_PORT`] at both ends.
    Udp,
}

impl Tp {
    /// The port given to `usrsctp_init` and as remote encapsulation port.
    pub(crate) fn port(self) -> &'static str {
        match self {
            Self::Raw => "0",
            Self::Udp => UDP_PORT,
        }
    }

    /// The arguments of echo_server, discard_server and daytime_server:
    /// `[local_encaps_port [remote_encaps_port]]`.
    pub(crate) fn server_args(self) -> Vec<&'static str> {
        match self {
            Self::Raw => vec!["0"],
            Self::Udp => vec![UDP_PORT, UDP_PORT],
        }
    }

    /// The tshark capture filter.
    pub(crate) fn filter(self) -> &'static str {
        match self {
            // libpcap's `sctp` is IPv4 and IPv6 protocol 132.
            Self::Raw => "sctp",
            Self::Udp => "udp port 9899",
        }
    }
}

/// Which namespace a program runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// 198.18.0.1, fd00:5c7b::1: clients.
    A,
    /// 198.18.0.2, fd00:5c7b::2: servers.
    B,
}

/// Our cdylib: `$SCTP_USRSCTP_LIB`, else the newest `libusrsctp.so` in this
/// test binary's `deps/` directory or the one above. Panics if there is none.
pub(crate) fn our_library() -> PathBuf {
    if let Some(p) = std::env::var_os("SCTP_USRSCTP_LIB") {
        let p = PathBuf::from(p);
        eprintln!("NOTE: \"ours\" is {} (from SCTP_USRSCTP_LIB)", p.display());
        assert!(
            p.is_file(),
            "SCTP_USRSCTP_LIB={} is not a file",
            p.display()
        );
        return p;
    }
    let exe = std::env::current_exe().expect("current_exe");
    let deps = exe.parent().expect("test binary's directory");
    let profile = deps.parent().expect("target profile directory");
    // A test build leaves the cdylib in deps/ only; a `cargo build` also
    // copies it up, where it can be older than the one in deps/.
    let candidates = [deps.join("libusrsctp.so"), profile.join("libusrsctp.so")];
    let newest = candidates
        .iter()
        .filter_map(|c| Some((fs::metadata(c).ok()?.modified().ok()?, c)))
        .max_by_key(|(t, _)| *t);
    if let Some((_, c)) = newest {
        return c.clone();
    }
    panic!(
        "our library is not built: neither {} nor {} exists (the cdylib of sctp-usrsctp; \
         `cargo test -p sctp-usrsctp` builds it with the test binary)",
        candidates[0].display(),
        candidates[1].display()
    );
}

/// Quotes `s` for `sh`.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A namespace pair, with our library copied in when a test uses it.
pub(crate) struct Bench {
    /// The namespaces, their scratch directory and the capture helpers.
    pub(crate) ns: NsPair,
    ours_dir: PathBuf,
}

/// What a program started with [`Bench::start_fed`] reads on stdin.
pub(crate) struct Feed<'a> {
    /// Before the first line, stdin stays empty until the program's stdout
    /// matches this extended regular expression (`grep -E`), at most 5 s
    /// (then the lines go anyway: a program may print it late or never,
    /// as client_upcall, whose upcall is set after `usrsctp_connect`, when
    /// the handshake ends first).
    pub(crate) first: Option<&'a str>,
    /// Lines written one by one, 50 ms apart.
    pub(crate) lines: &'a [String],
    /// After each line, wait (at most 20 s) until the program's stdout holds
    /// it as a whole line (its echo) before writing the next. For programs
    /// that poll stdin with `select` and then read it with `fgets`
    /// (client_upcall): two lines in the pipe at once go into stdio's buffer
    /// together, and the second is sent only with the next input or at EOF.
    pub(crate) echoed: bool,
    /// After the lines, stdin stays open until the program's stdout matches
    /// this extended regular expression (`grep -E`), at most 20 s.
    pub(crate) wait_for: Option<&'a str>,
    /// Then it stays open this much longer before EOF.
    pub(crate) hold: Duration,
}

impl Bench {
    /// The namespace pair for `test`, or `None` (after a loud SKIP line)
    /// without root or without `programs`, tshark, stdbuf, `extra` tools or
    /// Debian's library. Panics if `libs` includes [`Lib::Ours`] and our
    /// library is not built.
    pub(crate) fn new(test: &str, programs: &[&str], extra: &[&str], libs: &[Lib]) -> Option<Self> {
        let paths: Vec<String> = programs.iter().map(|p| program(p)).collect();
        let mut needed: Vec<&str> = paths.iter().map(String::as_str).collect();
        needed.extend(["tshark", "stdbuf", REAL_LIB]);
        needed.extend(extra);
        if !ns::can_run(test, &needed) {
            return None;
        }
        let ours = libs.contains(&Lib::Ours).then(our_library);
        let ns = NsPair::new(test);
        let ours_dir = ns.dir.file("ours");
        fs::create_dir_all(&ours_dir).expect("creating the directory for our library");
        if let Some(lib) = ours {
            fs::copy(&lib, ours_dir.join("libusrsctp.so.2")).unwrap_or_else(|e| {
                panic!("copying {} to {}: {e}", lib.display(), ours_dir.display())
            });
        }
        Some(Self { ns, ours_dir })
    }

    fn ns_name(&self, side: Side) -> &str {
        match side {
            Side::A => &self.ns.a,
            Side::B => &self.ns.b,
        }
    }

    /// The file `lib` must be loaded from, symbolic links resolved.
    fn expected(&self, lib: Lib) -> PathBuf {
        let p = match lib {
            Lib::Ours => self.ours_dir.join("libusrsctp.so.2"),
            Lib::Real => PathBuf::from(REAL_LIB),
        };
        fs::canonicalize(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    /// `env` arguments that run `program args` on `lib` with a loader trace.
    fn env_args(&self, name: &str, lib: Lib, prog: &str, args: &[&str]) -> Vec<String> {
        let trace = self.ns.dir.file(&format!("{name}.ld"));
        let mut v = Vec::new();
        match lib {
            Lib::Ours => v.push(format!("LD_LIBRARY_PATH={}", self.ours_dir.display())),
            Lib::Real => v.extend(["-u".to_owned(), "LD_LIBRARY_PATH".to_owned()]),
        }
        v.push("LD_DEBUG=libs".to_owned());
        v.push(format!("LD_DEBUG_OUTPUT={}", trace.display()));
        v.extend(["stdbuf".to_owned(), "-oL".to_owned(), program(prog)]);
        v.extend(args.iter().map(|a| (*a).to_owned()));
        v
    }

    fn run(&self, proc: ns::Proc, name: &str, lib: Lib, direct: bool) -> Run {
        Run {
            proc,
            name: name.to_owned(),
            lib,
            expected: self.expected(lib),
            dir: self.ns.dir.0.clone(),
            direct,
            mapped: BTreeSet::new(),
        }
    }

    /// The name of `prog`'s logs and trace (each test runs a program at
    /// most once per side): "client-a", "tsctp-b".
    fn log_name(prog: &str, side: Side) -> String {
        format!("{prog}-{side:?}").to_lowercase()
    }

    /// Starts `prog args` on `lib` in `side`'s namespace (stdin empty),
    /// killed after `limit`.
    pub(crate) fn start(
        &self,
        side: Side,
        lib: Lib,
        prog: &str,
        args: &[&str],
        limit: Duration,
    ) -> Run {
        let name = &Self::log_name(prog, side);
        let argv = self.env_args(name, lib, prog, args);
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let proc = self.ns.spawn(self.ns_name(side), name, "env", &argv, limit);
        self.run(proc, name, lib, true)
    }

    /// Like [`Self::start`], with `feed` on stdin (through `sh`: the
    /// process id is then the shell's, and the library is checked in the
    /// loader's trace only).
    pub(crate) fn start_fed(
        &self,
        side: Side,
        lib: Lib,
        prog: &str,
        args: &[&str],
        limit: Duration,
        feed: &Feed<'_>,
    ) -> Run {
        let name = &Self::log_name(prog, side);
        // The support module logs a process's stdout in `<name>.stdout`; the
        // feeder watches it for `wait_for`.
        let stdout = self.ns.dir.file(&format!("{name}.stdout"));
        let out = sh_quote(&stdout.display().to_string());
        // Waits (at most `limit` s) until `grep FLAGS -- PATTERN` finds
        // stdout.
        let wait = |flags: &str, pattern: &str, limit: u32| {
            format!(
                "n=0; while [ $n -lt {} ] && ! grep {flags} -- {} {out}; do sleep 0.05; n=$((n+1)); done; ",
                limit * 20,
                sh_quote(pattern)
            )
        };
        let mut feeder = String::new();
        if let Some(re) = feed.first {
            feeder.push_str(&wait("-qE", re, 5));
        }
        for line in feed.lines {
            feeder.push_str(&format!("printf '%s\\n' {}; sleep 0.05; ", sh_quote(line)));
            if feed.echoed {
                feeder.push_str(&wait("-qxF", line, 20));
            }
        }
        if let Some(re) = feed.wait_for {
            feeder.push_str(&wait("-qE", re, 20));
        }
        feeder.push_str(&format!("sleep {:.3}", feed.hold.as_secs_f64()));
        let argv = self.env_args(name, lib, prog, args);
        let argv: Vec<String> = argv.iter().map(|a| sh_quote(a)).collect();
        let script = format!("{{ {feeder}; }} | env {}", argv.join(" "));
        let proc = self
            .ns
            .spawn(self.ns_name(side), name, "sh", &["-c", &script], limit);
        assert!(
            stdout.exists(),
            "the support module no longer logs stdout in {}: adapt Bench::start_fed",
            stdout.display()
        );
        self.run(proc, name, lib, false)
    }
}

/// A program started by [`Bench`]; killed on drop.
pub(crate) struct Run {
    /// The process (the program itself, or `sh` for fed programs).
    pub(crate) proc: ns::Proc,
    name: String,
    lib: Lib,
    expected: PathBuf,
    dir: PathBuf,
    direct: bool,
    /// The libusrsctp seen in `/proc/PID/maps` by [`Self::wait_loaded`].
    mapped: BTreeSet<PathBuf>,
}

/// The `libusrsctp*` files mapped into process `pid`, if it can be read.
fn mapped_libusrsctp(pid: u32) -> Option<BTreeSet<PathBuf>> {
    let maps = fs::read_to_string(format!("/proc/{pid}/maps")).ok()?;
    Some(
        maps.lines()
            .filter_map(|l| l.split_whitespace().nth(5))
            .filter(|p| {
                Path::new(p)
                    .file_name()
                    .is_some_and(|f| f.to_string_lossy().starts_with("libusrsctp"))
            })
            .map(PathBuf::from)
            .collect(),
    )
}

impl Run {
    fn describe(&self) -> String {
        format!(
            "{} on {:?} library:\n--- stdout (last 40 lines)\n{}\n--- stderr (last 40 lines)\n{}",
            self.name,
            self.lib,
            tail(&self.proc.stdout(), 40),
            tail(&self.proc.stderr(), 40)
        )
    }

    /// The `libusrsctp*` objects the dynamic loader initialised or finalised,
    /// from its `LD_DEBUG=libs` trace, symbolic links resolved.
    fn traced(&self) -> BTreeSet<PathBuf> {
        let prefix = format!("{}.ld.", self.name);
        let mut found = BTreeSet::new();
        for entry in fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            if !entry.file_name().to_string_lossy().starts_with(&prefix) {
                continue;
            }
            let text = fs::read_to_string(entry.path()).unwrap_or_default();
            for line in text.lines() {
                let path = line
                    .split_once("calling init: ")
                    .or_else(|| line.split_once("calling fini: "))
                    .map(|(_, p)| p.split(" [").next().unwrap_or(p).trim());
                if let Some(p) = path.filter(|p| p.contains("libusrsctp")) {
                    found.insert(fs::canonicalize(p).unwrap_or_else(|_| PathBuf::from(p)));
                }
            }
        }
        found
    }

    fn assert_paths(&self, how: &str, found: &BTreeSet<PathBuf>) {
        let wanted: BTreeSet<PathBuf> = [self.expected.clone()].into();
        let found: BTreeSet<PathBuf> = found
            .iter()
            .map(|p| fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
            .collect();
        assert_eq!(
            found,
            wanted,
            "{} ({how}) loaded the wrong libusrsctp: expected {:?} = {}\n{}",
            self.name,
            self.lib,
            self.expected.display(),
            self.describe()
        );
    }

    /// Checks the loader's trace: the program loaded the expected library
    /// (and no other libusrsctp). The loader writes "calling init" only for
    /// objects with constructors (a Rust cdylib linking std has some); for
    /// others, what `/proc/PID/maps` showed stands alone.
    pub(crate) fn assert_library(&self) {
        let traced = self.traced();
        if !traced.is_empty() {
            self.assert_paths("LD_DEBUG trace", &traced);
        }
        assert!(
            !(traced.is_empty() && self.mapped.is_empty()),
            "cannot tell which libusrsctp {} loaded, if any: none in /proc/PID/maps while it \
             ran, no \"calling init\" in its LD_DEBUG trace {}/{}.ld.*\n{}",
            self.name,
            self.dir.display(),
            self.name,
            self.describe()
        );
    }

    /// Waits until the program has mapped a libusrsctp (checking in
    /// `/proc/PID/maps` that it is the expected one), then
    /// gives it `settle` to open its sockets. Panics if it exits first.
    pub(crate) fn wait_loaded(&mut self, settle: Duration) {
        assert!(self.direct, "wait_loaded needs the program's own pid");
        let end = Instant::now() + secs(10);
        loop {
            if let Some(m) = mapped_libusrsctp(self.proc.pid()).filter(|m| !m.is_empty()) {
                // The loader maps the library before it writes "calling
                // init" in its trace: the trace is checked at the end.
                self.assert_paths("/proc/PID/maps", &m);
                self.mapped = m;
                break;
            }
            if !self.proc.running() {
                self.assert_library();
                panic!("{} exited while starting\n{}", self.name, self.describe());
            }
            assert!(
                Instant::now() < end,
                "{} mapped no libusrsctp within 10 s\n{}",
                self.name,
                self.describe()
            );
            sleep(Duration::from_millis(10));
        }
        sleep(settle);
        assert!(
            self.proc.running(),
            "{} exited while starting\n{}",
            self.name,
            self.describe()
        );
    }

    /// Waits for the program to end (killed and panicking after its limit),
    /// checks which library it loaded and that it exited 0.
    pub(crate) fn finish(&mut self) -> Output {
        let out = self.proc.wait();
        self.assert_library();
        out.assert_success(&format!("{} on {:?} library", self.name, self.lib));
        out
    }

    /// Stops a server, which must still run, with SIGTERM (after 3 s
    /// SIGKILL), checks which library it loaded and returns its output.
    pub(crate) fn stop(&mut self) -> Output {
        // The servers loop forever: one that ended by itself failed.
        assert!(
            self.proc.running(),
            "{} ended by itself\n{}",
            self.name,
            self.describe()
        );
        let out = self.proc.stop("TERM");
        self.assert_library();
        out
    }

    /// Polls the program's stdout until `check` returns a value; panics with
    /// the output after `limit` or if the program exits first.
    pub(crate) fn eventually<T>(
        &mut self,
        limit: Duration,
        what: &str,
        mut check: impl FnMut(&str) -> Option<T>,
    ) -> T {
        let end = Instant::now() + limit;
        loop {
            if let Some(v) = check(&self.proc.stdout()) {
                return v;
            }
            if !self.proc.running() {
                // It may have printed the last of it while exiting.
                if let Some(v) = check(&self.proc.stdout()) {
                    return v;
                }
                panic!("{} exited before {what}\n{}", self.name, self.describe());
            }
            assert!(
                Instant::now() < end,
                "{} did not show {what} within {limit:?}\n{}",
                self.name,
                self.describe()
            );
            sleep(Duration::from_millis(50));
        }
    }
}

/// The last `n` lines of `text`.
pub(crate) fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The text between `start` and the next `end` in `s`.
fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let rest = &s[from..];
    Some(&rest[..rest.find(end)?])
}

/// What echo_server and discard_server (and their upcall variants) print,
/// in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ServerEvent {
    /// "Notification of length N received."
    Notification(usize),
    /// "Msg of length N received from ADDR:PORT on stream S with SSN N and
    /// TSN T, PPID P, context C, complete 0|1." (the upcall variants end
    /// with "context C.").
    Msg(ServerMsg),
}

/// One "Msg of length" line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerMsg {
    pub(crate) len: usize,
    pub(crate) from: String,
    pub(crate) port: u16,
    pub(crate) stream: u16,
    pub(crate) ssn: u16,
    pub(crate) tsn: u32,
    pub(crate) ppid: u32,
    pub(crate) context: u32,
    /// `None` for the upcall servers, which do not print it.
    pub(crate) complete: Option<bool>,
}

fn parse_server_msg(line: &str) -> Option<ServerMsg> {
    let line = &line[line.find("Msg of length ")?..];
    let len = between(line, "Msg of length ", " ")?.parse().ok()?;
    let addr = between(line, " received from ", " on stream ")?;
    let (from, port) = addr.rsplit_once(':')?;
    Some(ServerMsg {
        len,
        from: from.to_owned(),
        port: port.parse().ok()?,
        stream: between(line, " on stream ", " ")?.parse().ok()?,
        ssn: between(line, " with SSN ", " ")?.parse().ok()?,
        tsn: between(line, " and TSN ", ",")?.parse().ok()?,
        ppid: between(line, ", PPID ", ",")?.parse().ok()?,
        context: {
            let rest = &line[line.find(", context ")? + ", context ".len()..];
            rest[..rest.find([',', '.'])?].parse().ok()?
        },
        complete: match between(line, ", complete ", ".") {
            Some("1") => Some(true),
            Some("0") => Some(false),
            Some(_) => return None,
            None if line.contains(", complete") => return None,
            None => None,
        },
    })
}

/// Parses echo_server's or discard_server's stdout (or their upcall
/// variants'). Lines may carry a
/// fragment of the stack's debug output in front (the Debian build prints
/// it from other threads), so each event is looked for anywhere in a line.
pub(crate) fn server_events(stdout: &str) -> Vec<ServerEvent> {
    let mut events = Vec::new();
    for line in stdout.lines() {
        if let Some(n) = between(line, "Notification of length ", " received.") {
            if let Ok(n) = n.parse() {
                events.push(ServerEvent::Notification(n));
            }
        } else if line.contains("Msg of length ") {
            let msg = parse_server_msg(line)
                .unwrap_or_else(|| panic!("unparsable server line: {line:?}"));
            events.push(ServerEvent::Msg(msg));
        }
    }
    events
}

/// Checks what echo_server or discard_server printed for one association
/// that carried `lens` (message lengths, in order) on stream 0, PPID 0, from
/// `from` (as the server prints it): first the COMM_UP notification (an
/// `sctp_assoc_change`, 20 bytes plus one per supported feature), then one
/// complete message per send with consecutive SSNs from 0 and consecutive
/// TSNs, the context 47 the server set with SCTP_CONTEXT, and after the last
/// message the SHUTDOWN_EVENT (12 bytes) and then the ASSOC_CHANGE of
/// SHUTDOWN_COMP (20 bytes). Only PEER_ADDR_CHANGE (152 bytes) may come in
/// between.
pub(crate) fn check_server_output(stdout: &str, from: &str, lens: &[usize]) {
    check_server_events(stdout, from, lens, Some(true));
}

/// [`check_server_output`] for echo_server_upcall and discard_server_upcall,
/// whose "Msg of length" lines end at the context (no ", complete N").
pub(crate) fn check_upcall_server_output(stdout: &str, from: &str, lens: &[usize]) {
    check_server_events(stdout, from, lens, None);
}

fn check_server_events(stdout: &str, from: &str, lens: &[usize], complete: Option<bool>) {
    let events = server_events(stdout);
    let show = || {
        events
            .iter()
            .take(30)
            .map(|e| format!("{e:?}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    match events.first() {
        Some(ServerEvent::Notification(n)) if *n >= 20 => {}
        _ => panic!(
            "the server's first event is not COMM_UP (a notification of at least 20 bytes):\n{}",
            show()
        ),
    }
    let msgs: Vec<&ServerMsg> = events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Msg(m) => Some(m),
            ServerEvent::Notification(_) => None,
        })
        .collect();
    assert_eq!(
        msgs.len(),
        lens.len(),
        "the server printed {} messages, {} were sent:\n{}",
        msgs.len(),
        lens.len(),
        show()
    );
    for (i, (m, len)) in msgs.iter().zip(lens).enumerate() {
        let want = ServerMsg {
            len: *len,
            from: from.to_owned(),
            port: msgs[0].port,
            stream: 0,
            ssn: (i % 65536) as u16,
            tsn: msgs[0].tsn.wrapping_add(i as u32),
            ppid: 0,
            context: 47,
            complete,
        };
        assert_eq!(**m, want, "message {i} as the server printed it");
    }
    let after = notifications_after_last_message(&events);
    assert_eq!(
        after,
        [12, 20],
        "after the last message the server must report SHUTDOWN_EVENT (12 bytes) then \
         ASSOC_CHANGE SHUTDOWN_COMP (20 bytes), PEER_ADDR_CHANGE (152) aside:\n{}",
        tail(stdout, 20)
    );
}

/// `client`'s closing line "Number of packets (sent/received): (S/R)."
pub(crate) fn client_packet_counts(stdout: &str) -> Option<(usize, usize)> {
    let v = between(stdout, "Number of packets (sent/received): (", ").")?;
    let (s, r) = v.split_once('/')?;
    Some((s.parse().ok()?, r.parse().ok()?))
}

/// Checks `client`'s own account of the association: its address lists
/// name `addrs`' local and peer address (`None` when the peer may end the
/// association before `client` asks for them, as daytime_server does; then
/// `usrsctp_getladdrs` fails and no list is printed), COMM_UP and SHUTDOWN_COMP were notified, and the
/// packets it counted (`usrsctp_get_stat`) are those the capture `pcap` saw
/// leaving and reaching A.
///
/// `client` prints its address lists piece by piece from the main thread
/// while the receive thread prints notifications piece by piece too, so
/// their lines can interleave: each list is looked for in the text that
/// follows its heading (up to the next heading, at most 300 bytes), and the
/// notifications by the words each printed in one call.
pub(crate) fn check_client_account(stdout: &str, addrs: Option<(&str, &str)>, pcap: &Path) {
    if let Some((local, peer)) = addrs {
        check_client_addresses(stdout, local, peer);
    }
    for text in ["SCTP_COMM_UP", "SCTP_SHUTDOWN_COMP"] {
        assert!(
            stdout.contains(text),
            "client did not print {text:?}:\n{}",
            tail(stdout, 20)
        );
    }
    check_client_stats(stdout, pcap);
}

/// Checks `client_upcall`'s account of the association: its address lists
/// name `local` and `peer`, the packets it counted are those of the
/// capture `pcap` (as [`check_client_account`]; it subscribes to no
/// notifications), and it printed "Client finished" after
/// `usrsctp_finish`. Its upcall prints "socket connected" while the main
/// thread prints the address lists: each list is looked for in the text
/// after its heading.
pub(crate) fn check_client_upcall_account(stdout: &str, local: &str, peer: &str, pcap: &Path) {
    check_client_addresses(stdout, local, peer);
    check_client_stats(stdout, pcap);
    assert!(
        stdout.contains("Client finished"),
        "client_upcall did not print \"Client finished\":\n{}",
        tail(stdout, 20)
    );
}

/// The address lists `client` and `client_upcall` print after connecting
/// name `local` and `peer`.
fn check_client_addresses(stdout: &str, local: &str, peer: &str) {
    let after = |heading: &str, until: &str| -> String {
        let from = stdout
            .find(heading)
            .unwrap_or_else(|| panic!("client printed no {heading:?}:\n{}", tail(stdout, 20)))
            + heading.len();
        let rest = &stdout[from..];
        let end = rest.find(until).unwrap_or(rest.len()).min(300);
        rest.get(..end).unwrap_or(rest).to_owned()
    };
    let locals = after("Local addresses: ", "Peer addresses: ");
    assert!(
        locals.contains(local),
        "client's local addresses lack {local}: {locals:?}"
    );
    let peers = after("Peer addresses: ", "Number of packets");
    assert!(
        peers.contains(peer),
        "client's peer addresses lack {peer}: {peers:?}"
    );
}

/// The client's closing "Number of packets (sent/received)" (from
/// `usrsctp_get_stat`) against the packets the capture `pcap` saw leaving
/// and reaching A.
fn check_client_stats(stdout: &str, pcap: &Path) {
    let (sent, received) = client_packet_counts(stdout)
        .unwrap_or_else(|| panic!("client printed no packet counts:\n{}", tail(stdout, 20)));
    let (out, inn) = (tshark_lines(pcap, FROM_A), tshark_lines(pcap, TO_A));
    assert_eq!(
        (sent, received),
        (out, inn),
        "client's usrsctp_get_stat (sent/received) against the capture {}",
        pcap.display()
    );
}

/// The last line of `text` made of exactly `n` comma-separated numbers, as
/// tsctp prints its result (a debug fragment in front of the first number
/// is skipped).
pub(crate) fn numbers_line(text: &str, n: usize) -> Option<Vec<f64>> {
    text.lines().rev().find_map(|line| {
        let fields: Vec<&str> = line.split(", ").collect();
        if fields.len() != n {
            return None;
        }
        let first = fields[0];
        let start = first
            .rfind(|c: char| !c.is_ascii_digit())
            .map_or(0, |i| i + 1);
        let mut v = vec![first[start..].parse().ok()?];
        for f in &fields[1..] {
            v.push(f.trim().parse().ok()?);
        }
        Some(v)
    })
}

/// Seconds since the epoch of a `ctime(3)` string ("Fri Nov 27 03:43:24
/// 2026"), read by GNU `date`, after checking its shape.
pub(crate) fn ctime_epoch(s: &str) -> Option<i64> {
    let t: Vec<&str> = s.split_whitespace().collect();
    let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let shape = s.len() == 24
        && t.len() == 5
        && days.contains(&t[0])
        && months.contains(&t[1])
        && t[2].parse::<u8>().is_ok_and(|d| (1..=31).contains(&d))
        && t[3].len() == 8
        && t[3]
            .split(':')
            .all(|x| x.len() == 2 && x.parse::<u8>().is_ok())
        && t[4].len() == 4
        && t[4].parse::<u16>().is_ok();
    if !shape {
        return None;
    }
    let out = Command::new("date").args(["-d", s, "+%s"]).output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// Seconds since the epoch, now.
pub(crate) fn now_epoch() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Turns a text dump of `usrsctp_dumppacket` ("I|O hh:mm:ss.us 0000 hex ...
/// # SCTP_PACKET" lines, the form text2pcap reads) into a pcapng of SCTP
/// packets with `text2pcap`, and checks it like a capture: every packet
/// well-formed with a good CRC-32C. Returns the number of packets.
pub(crate) fn check_dump(dump: &str, dir: &Path, name: &str) -> usize {
    let text = dir.join(format!("{name}.dump.txt"));
    let pcap = dir.join(format!("{name}.dump.pcapng"));
    fs::write(&text, dump).unwrap();
    let out = Command::new("text2pcap")
        .args(["-q", "-n", "-l", "248", "-D", "-t", "%H:%M:%S."])
        .arg(&text)
        .arg(&pcap)
        .output()
        .expect("running text2pcap");
    assert!(
        out.status.success(),
        "text2pcap {}: {}",
        text.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    check_pcap(&pcap, 1)
}

/// The lengths of the notifications a server printed after its last
/// message, without the 152-byte address changes that may come between.
pub(crate) fn notifications_after_last_message(events: &[ServerEvent]) -> Vec<usize> {
    let last_msg = events
        .iter()
        .rposition(|e| matches!(e, ServerEvent::Msg(_)))
        .unwrap_or(0);
    events[last_msg + 1..]
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Notification(n) if *n != 152 => Some(*n),
            _ => None,
        })
        .collect()
}
