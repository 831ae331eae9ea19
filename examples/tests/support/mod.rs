//! Test support: network namespace pairs joined by a veth, processes run in
//! them with timeouts, nftables rules, and tshark captures with a check for
//! malformed packets and bad checksums.
//!
//! Everything is torn down by `Drop` guards, also when a test panics.
//! Addresses come from 198.18.0.0/15 and fd00::/8 only.

#![allow(dead_code, unreachable_pub)]

use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// Namespace A's IPv4 address.
pub const A4: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 1);
/// Namespace B's IPv4 address.
pub const B4: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 2);
/// Namespace A's IPv6 address.
pub const A6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x5c7b, 0, 0, 0, 0, 0, 1);
/// Namespace B's IPv6 address.
pub const B6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x5c7b, 0, 0, 0, 0, 0, 2);

/// `ip:port` on B over IPv4.
pub fn b4(port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(B4), port)
}

/// `[ip]:port` on B over IPv6.
pub fn b6(port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V6(B6), port)
}

/// The tuning an operator sets for fast failover (the issue's figure).
pub const FAILOVER: &[&str] = &[
    "--rto-initial-ms",
    "200",
    "--rto-min-ms",
    "100",
    "--rto-max-ms",
    "400",
    "--hb-interval-ms",
    "1000",
    "--pf-max-retrans",
    "0",
    "--path-max-retrans",
    "5",
    "--assoc-max-retrans",
    "10",
];

static SERIAL: Mutex<()> = Mutex::new(());
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Runs the tests of one binary one at a time (2 cores; timing-sensitive).
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn unique() -> String {
    format!(
        "{}x{}",
        std::process::id() % 100_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Whether we run with effective uid 0.
pub fn is_root() -> bool {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|v| v.split_whitespace().nth(1).map(|e| e == "0"))
        .unwrap_or(false)
}

/// Whether `cmd` is on the PATH (or an executable path).
pub fn have(cmd: &str) -> bool {
    if cmd.contains('/') {
        return Path::new(cmd).exists();
    }
    Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Returns `true` if the test can run: root, `ip`, `nft` and the `extra`
/// programs available; otherwise prints a loud SKIP line.
pub fn can_run(test: &str, extra: &[&str]) -> bool {
    if !is_root() {
        eprintln!("SKIP: {test}: needs root (network namespaces, raw sockets)");
        return false;
    }
    for cmd in ["ip", "nft"].iter().chain(extra) {
        if !have(cmd) {
            eprintln!("SKIP: {test}: `{cmd}` is not installed");
            return false;
        }
    }
    true
}

fn run(args: &[&str]) {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("running {args:?}: {e}"));
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A scratch directory, removed on drop unless the test failed.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new empty directory under the system temp dir.
    pub fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!("sctp-examples-{name}-{}", unique()));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).expect("creating temp dir");
        Self(p)
    }

    /// A path inside.
    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("keeping {} for inspection", self.0.display());
        } else {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
}

/// Namespace A's IPv4 address on the second link of [`NsPair::multihomed`].
pub const A4_2: Ipv4Addr = Ipv4Addr::new(198, 18, 1, 1);
/// Namespace B's IPv4 address on the second link.
pub const B4_2: Ipv4Addr = Ipv4Addr::new(198, 18, 1, 2);

/// Two network namespaces, A and B, joined by a veth pair:
/// A has 198.18.0.1/24 and fd00:5c7b::1/64, B has .2 and ::2; with
/// [`NsPair::multihomed`] a second pair joins A's 198.18.1.1/24 and B's .2.
pub struct NsPair {
    /// Namespace A's name.
    pub a: String,
    /// Namespace B's name.
    pub b: String,
    /// A's end of the veth.
    pub if_a: String,
    /// B's end of the veth.
    pub if_b: String,
    /// Scratch files (logs, captures).
    pub dir: TempDir,
    /// The second link's interfaces in A and B, when there is one.
    pub second: Option<(String, String)>,
}

impl NsPair {
    /// Creates the pair; panics (after cleaning up) if anything fails.
    pub fn new(test: &str) -> Self {
        let id = unique();
        let this = Self {
            a: format!("sctpexA{id}"),
            b: format!("sctpexB{id}"),
            if_a: format!("vxa{id}"),
            if_b: format!("vxb{id}"),
            dir: TempDir::new(test),
            second: None,
        };
        run(&["ip", "netns", "add", &this.a]);
        run(&["ip", "netns", "add", &this.b]);
        run(&[
            "ip", "link", "add", &this.if_a, "netns", &this.a, "type", "veth", "peer", "name",
            &this.if_b, "netns", &this.b,
        ]);
        for (ns, ifc, v4, v6) in [
            (&this.a, &this.if_a, "198.18.0.1/24", "fd00:5c7b::1/64"),
            (&this.b, &this.if_b, "198.18.0.2/24", "fd00:5c7b::2/64"),
        ] {
            run(&["ip", "-n", ns, "link", "set", "lo", "up"]);
            run(&["ip", "-n", ns, "addr", "add", v4, "dev", ifc]);
            run(&["ip", "-n", ns, "-6", "addr", "add", v6, "dev", ifc, "nodad"]);
            run(&["ip", "-n", ns, "link", "set", ifc, "up"]);
        }
        this
    }

    /// A pair joined by two links (two subnets): A and B are multi-homed.
    pub fn multihomed(test: &str) -> Self {
        let mut this = Self::new(test);
        let id = unique();
        let (a2, b2) = (format!("vya{id}"), format!("vyb{id}"));
        run(&[
            "ip", "link", "add", &a2, "netns", &this.a, "type", "veth", "peer", "name", &b2,
            "netns", &this.b,
        ]);
        for (ns, ifc, v4) in [
            (&this.a, &a2, "198.18.1.1/24"),
            (&this.b, &b2, "198.18.1.2/24"),
        ] {
            run(&["ip", "-n", ns, "addr", "add", v4, "dev", ifc]);
            run(&["ip", "-n", ns, "link", "set", ifc, "up"]);
        }
        this.second = Some((a2, b2));
        this
    }

    /// Drops every packet in and out of A's first-link interface (the
    /// primary path), in nftables table `inet cut`.
    pub fn cut_primary(&self) {
        self.nft(
            &self.a,
            &format!(
                "table inet cut {{\n  chain input {{\n    type filter hook input priority -10; policy accept;\n    iifname \"{0}\" counter drop\n  }}\n  chain output {{\n    type filter hook output priority -10; policy accept;\n    oifname \"{0}\" counter drop\n  }}\n}}\n",
                self.if_a
            ),
        );
    }

    /// Lifts [`Self::cut_primary`].
    pub fn heal_primary(&self) {
        self.run_in(&self.a, &["nft", "delete", "table", "inet", "cut"]);
    }

    /// Counts SCTP packets leaving A on interface `ifc`, in nftables table
    /// `inet count_<name>` (read with [`Self::nft_packets`]).
    pub fn count_out(&self, name: &str, ifc: &str) {
        self.nft(
            &self.a,
            &format!(
                "table inet count_{name} {{\n  chain output {{\n    type filter hook output priority 0; policy accept;\n    oifname \"{ifc}\" meta l4proto sctp counter\n  }}\n}}\n"
            ),
        );
    }

    /// Runs a command to completion in namespace `ns`, asserting success.
    pub fn run_in(&self, ns: &str, args: &[&str]) {
        let mut v = vec!["ip", "netns", "exec", ns];
        v.extend_from_slice(args);
        run(&v);
    }

    /// Loads an nftables ruleset (text) into namespace `ns`.
    pub fn nft(&self, ns: &str, ruleset: &str) {
        let path = self.dir.file(&format!("rules-{}.nft", unique()));
        fs::write(&path, ruleset).unwrap();
        self.run_in(ns, &["nft", "-f", path.to_str().unwrap()]);
    }

    /// Drops about `percent`% of the SCTP packets (raw or UDP-encapsulated on
    /// port 9899) entering namespace `ns`.
    pub fn inject_loss(&self, ns: &str, percent: u32) {
        self.nft(
            ns,
            &format!(
                "table inet sctp_loss {{\n  chain input {{\n    type filter hook input priority 0; policy accept;\n    meta l4proto sctp numgen random mod 100 < {percent} counter drop\n    udp dport 9899 numgen random mod 100 < {percent} counter drop\n  }}\n}}\n"
            ),
        );
    }

    /// Packets the loss rule in `ns` dropped so far.
    pub fn dropped(&self, ns: &str) -> u64 {
        self.nft_packets(ns, "inet", "sctp_loss")
    }

    /// The sum of the packet counters of nftables table `family table` in `ns`.
    pub fn nft_packets(&self, ns: &str, family: &str, table: &str) -> u64 {
        let out = Command::new("ip")
            .args(["netns", "exec", ns, "nft", "list", "table", family, table])
            .output()
            .expect("nft list");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                let i = l.find("packets ")?;
                l[i + 8..].split_whitespace().next()?.parse::<u64>().ok()
            })
            .sum()
    }

    /// Starts `program args` in namespace `ns`, killed after `limit`.
    pub fn spawn(
        &self,
        ns: &str,
        name: &str,
        program: &str,
        args: &[&str],
        limit: Duration,
    ) -> Proc {
        Proc::spawn(ns, name, program, args, limit, &self.dir)
    }

    /// Like [`Self::spawn`], with `stdin` fed to the program.
    pub fn spawn_with_input(
        &self,
        ns: &str,
        name: &str,
        program: &str,
        args: &[&str],
        limit: Duration,
        stdin: &str,
    ) -> Proc {
        let input = self.dir.file(&format!("{name}.stdin"));
        fs::write(&input, stdin).unwrap();
        let mut p = Proc::build(ns, name, program, args, limit, &self.dir);
        p.1.stdin(fs::File::open(&input).unwrap());
        Proc::start(p)
    }

    /// Starts a tshark capture on `ns`'s veth with capture filter `filter`.
    pub fn capture(&self, ns: &str, filter: &str) -> Capture {
        let ifc = if ns == self.a { &self.if_a } else { &self.if_b };
        self.capture_on(ns, ifc, filter)
    }

    /// Starts a tshark capture on interface `ifc` of `ns`.
    pub fn capture_on(&self, ns: &str, ifc: &str, filter: &str) -> Capture {
        capture_in(&self.dir, ns, ifc, filter)
    }
}

/// Starts a tshark capture on interface `ifc` of namespace `ns`, into `dir`.
fn capture_in(dir: &TempDir, ns: &str, ifc: &str, filter: &str) -> Capture {
    let file = dir.file(&format!("capture-{}.pcap", unique()));
    let log = dir.file(&format!("tshark-{}.log", unique()));
    let child = Command::new("ip")
        .args([
            "netns", "exec", ns, "tshark", "-q", "-i", ifc, "-f", filter, "-F", "pcap",
        ])
        .args(["-a", "duration:300", "-a", "filesize:200000", "-w"])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(fs::File::create(&log).unwrap())
        .spawn()
        .expect("starting tshark");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let text = fs::read_to_string(&log).unwrap_or_default();
        if text.contains("Capturing on") {
            break;
        }
        assert!(Instant::now() < deadline, "tshark did not start: {text}");
        sleep(Duration::from_millis(100));
    }
    sleep(Duration::from_millis(300));
    Capture {
        child: Some(child),
        file,
    }
}

/// Kills whatever still runs in namespace `ns`, then deletes it (and its veths).
fn delete_netns(ns: &str) {
    if let Ok(out) = Command::new("ip").args(["netns", "pids", ns]).output() {
        for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
            let _ = Command::new("kill").args(["-KILL", pid]).status();
        }
    }
    let _ = Command::new("ip").args(["netns", "del", ns]).status();
}

/// A hub namespace joined to `n` spoke namespaces, each by a veth of its
/// own: on link `i` the hub has 198.18.`i`.1/24 and fd00:5c7b:`i`::1/64, the
/// spoke .2 and ::2. Spokes reach only the hub (a proxy and its clients and
/// backends, say).
pub struct Star {
    /// The hub namespace.
    pub hub: String,
    /// The spoke namespaces.
    pub spokes: Vec<String>,
    /// The hub's end of each link.
    pub hub_ifs: Vec<String>,
    /// Each spoke's end of its link.
    pub spoke_ifs: Vec<String>,
    /// Scratch files (logs, captures).
    pub dir: TempDir,
}

impl Star {
    /// Creates the hub and `n` spokes; panics (after cleaning up) if anything fails.
    pub fn new(test: &str, n: usize) -> Self {
        let id = unique();
        let mut this = Self {
            hub: format!("sctpexH{id}"),
            spokes: Vec::new(),
            hub_ifs: Vec::new(),
            spoke_ifs: Vec::new(),
            dir: TempDir::new(test),
        };
        run(&["ip", "netns", "add", &this.hub]);
        run(&["ip", "-n", &this.hub, "link", "set", "lo", "up"]);
        for i in 0..n {
            let (ns, hif, sif) = (
                format!("sctpexS{i}x{id}"),
                format!("vh{i}x{id}"),
                format!("vs{i}x{id}"),
            );
            this.spokes.push(ns.clone());
            this.hub_ifs.push(hif.clone());
            this.spoke_ifs.push(sif.clone());
            run(&["ip", "netns", "add", &ns]);
            run(&[
                "ip", "link", "add", &hif, "netns", &this.hub, "type", "veth", "peer", "name",
                &sif, "netns", &ns,
            ]);
            run(&["ip", "-n", &ns, "link", "set", "lo", "up"]);
            for (ns, ifc, host) in [(&this.hub, &hif, 1), (&ns, &sif, 2)] {
                run(&[
                    "ip",
                    "-n",
                    ns,
                    "addr",
                    "add",
                    &format!("198.18.{i}.{host}/24"),
                    "dev",
                    ifc,
                ]);
                run(&[
                    "ip",
                    "-n",
                    ns,
                    "-6",
                    "addr",
                    "add",
                    &format!("fd00:5c7b:{i}::{host}/64"),
                    "dev",
                    ifc,
                    "nodad",
                ]);
                run(&["ip", "-n", ns, "link", "set", ifc, "up"]);
            }
        }
        this
    }

    /// The hub's IPv4 address on link `i`.
    pub fn hub4(i: usize) -> Ipv4Addr {
        Ipv4Addr::new(198, 18, i as u8, 1)
    }

    /// Spoke `i`'s IPv4 address.
    pub fn spoke4(i: usize) -> Ipv4Addr {
        Ipv4Addr::new(198, 18, i as u8, 2)
    }

    /// Spoke `i`'s IPv6 address.
    pub fn spoke6(i: usize) -> Ipv6Addr {
        Ipv6Addr::new(0xfd00, 0x5c7b, i as u16, 0, 0, 0, 0, 2)
    }

    /// The hub's IPv6 address on link `i`.
    pub fn hub6(i: usize) -> Ipv6Addr {
        Ipv6Addr::new(0xfd00, 0x5c7b, i as u16, 0, 0, 0, 0, 1)
    }

    /// Starts `program args` in namespace `ns`, killed after `limit`.
    pub fn spawn(
        &self,
        ns: &str,
        name: &str,
        program: &str,
        args: &[&str],
        limit: Duration,
    ) -> Proc {
        Proc::spawn(ns, name, program, args, limit, &self.dir)
    }

    /// Starts a tshark capture on the hub's end of link `i`.
    pub fn capture_link(&self, i: usize, filter: &str) -> Capture {
        capture_in(&self.dir, &self.hub, &self.hub_ifs[i], filter)
    }

    /// Loads an nftables ruleset (text) into namespace `ns`.
    pub fn nft(&self, ns: &str, ruleset: &str) {
        let path = self.dir.file(&format!("rules-{}.nft", unique()));
        fs::write(&path, ruleset).unwrap();
        run(&[
            "ip",
            "netns",
            "exec",
            ns,
            "nft",
            "-f",
            path.to_str().unwrap(),
        ]);
    }
}

impl Drop for Star {
    fn drop(&mut self) {
        for ns in self.spokes.iter().chain([&self.hub]) {
            delete_netns(ns);
        }
    }
}

impl Drop for NsPair {
    fn drop(&mut self) {
        for ns in [&self.a, &self.b] {
            delete_netns(ns);
        }
    }
}

/// A running process in a namespace; killed on drop.
pub struct Proc {
    /// Its name in messages and log files.
    pub name: String,
    child: Child,
    deadline: Instant,
    stdout: PathBuf,
    stderr: PathBuf,
}

/// A finished process.
#[derive(Debug)]
pub struct Output {
    /// How it ended.
    pub status: ExitStatus,
    /// Everything it printed on stdout.
    pub stdout: String,
    /// Everything it printed on stderr.
    pub stderr: String,
}

impl Output {
    /// Panics with the output unless the process exited 0.
    pub fn assert_success(&self, what: &str) -> &Self {
        assert!(
            self.status.success(),
            "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }
}

impl Proc {
    fn build(
        ns: &str,
        name: &str,
        program: &str,
        args: &[&str],
        limit: Duration,
        dir: &TempDir,
    ) -> (String, Command, Instant, PathBuf, PathBuf) {
        let stdout = dir.file(&format!("{name}.stdout"));
        let stderr = dir.file(&format!("{name}.stderr"));
        let mut cmd = Command::new("ip");
        // `ip netns exec` execs the program: the child's pid is the program's.
        cmd.args(["netns", "exec", ns, program])
            .args(args)
            .stdin(Stdio::null())
            .stdout(fs::File::create(&stdout).unwrap())
            .stderr(fs::File::create(&stderr).unwrap());
        (name.to_owned(), cmd, Instant::now() + limit, stdout, stderr)
    }

    fn start(
        (name, mut cmd, deadline, stdout, stderr): (String, Command, Instant, PathBuf, PathBuf),
    ) -> Self {
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        Self {
            name,
            child,
            deadline,
            stdout,
            stderr,
        }
    }

    fn spawn(
        ns: &str,
        name: &str,
        program: &str,
        args: &[&str],
        limit: Duration,
        dir: &TempDir,
    ) -> Self {
        Self::start(Self::build(ns, name, program, args, limit, dir))
    }

    /// What it printed on stdout so far.
    pub fn stdout(&self) -> String {
        fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    /// What it printed on stderr so far.
    pub fn stderr(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Waits until its stdout or stderr contains `text`; panics after `limit`.
    pub fn wait_for_output(&mut self, text: &str, limit: Duration) {
        let end = Instant::now() + limit;
        loop {
            if self.stdout().contains(text) || self.stderr().contains(text) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before printing {text:?}:\n--- stdout\n{}\n--- stderr\n{}",
                    self.name,
                    self.stdout(),
                    self.stderr()
                );
            }
            assert!(
                Instant::now() < end,
                "{} did not print {text:?} within {limit:?}:\n--- stdout\n{}\n--- stderr\n{}",
                self.name,
                self.stdout(),
                self.stderr()
            );
            sleep(Duration::from_millis(50));
        }
    }

    /// Whether it is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGKILL.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
    }

    /// Sends `signal` (e.g. "INT", "TERM").
    pub fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status();
    }

    /// Waits for it to end; kills it and panics if its time limit passes.
    pub fn wait(&mut self) -> Output {
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    return Output {
                        status,
                        stdout: self.stdout(),
                        stderr: self.stderr(),
                    };
                }
                Ok(None) => {}
                Err(e) => panic!("waiting for {}: {e}", self.name),
            }
            if Instant::now() >= self.deadline {
                self.kill();
                let _ = self.child.wait();
                panic!(
                    "{} did not finish in time; killed:\n--- stdout\n{}\n--- stderr\n{}",
                    self.name,
                    self.stdout(),
                    self.stderr()
                );
            }
            sleep(Duration::from_millis(20));
        }
    }

    /// Ends it with `signal` (after a grace period, SIGKILL) and returns its output.
    pub fn stop(&mut self, signal: &str) -> Output {
        if self.running() {
            self.signal(signal);
            let end = Instant::now() + Duration::from_secs(3);
            while self.running() && Instant::now() < end {
                sleep(Duration::from_millis(20));
            }
            self.kill();
        }
        let status = self.child.wait().expect("wait");
        Output {
            status,
            stdout: self.stdout(),
            stderr: self.stderr(),
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running tshark capture.
pub struct Capture {
    child: Option<Child>,
    /// The pcap file.
    pub file: PathBuf,
}

impl Capture {
    /// Stops the capture (SIGINT, so the file is complete) and checks it:
    /// it must hold at least `min_packets` SCTP packets, none malformed and
    /// none with a bad CRC-32C checksum. Returns the number of SCTP packets.
    pub fn stop_and_check(mut self, min_packets: usize) -> usize {
        sleep(Duration::from_millis(500));
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            let end = Instant::now() + Duration::from_secs(10);
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < end {
                sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        check_pcap(&self.file, min_packets)
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The number of packets of `file` matching display filter `filter`.
pub fn tshark_lines(file: &Path, filter: &str) -> usize {
    tshark_count(file, filter).0
}

fn tshark_count(file: &Path, filter: &str) -> (usize, String) {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(file)
        .args(["-o", "sctp.checksum:CRC-32C"])
        // User payloads are arbitrary bytes: show them as data rather than
        // dissecting them as whatever protocol their port suggests (the
        // programs use PPIDs no dissector is registered for; a PPID range
        // given to -d crashes tshark 4.0).
        .args(["-d", "sctp.port==1-65535,data"])
        .args(["-Y", filter])
        .output()
        .expect("running tshark -r");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "tshark -r {} -Y {filter:?} failed: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    (text.lines().count(), text)
}

/// The values of `field` (one per occurrence, in capture order) in the
/// packets of `file` matching display filter `filter`; TSNs absolute,
/// hexadecimal values (`0x0003`) read as numbers.
pub fn tshark_values(file: &Path, filter: &str, field: &str) -> Vec<u64> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(file)
        .args([
            "-o",
            "sctp.checksum:CRC-32C",
            "-o",
            "sctp.relative_tsns:FALSE",
        ])
        .args(["-d", "sctp.port==1-65535,data"])
        .args([
            "-Y",
            filter,
            "-T",
            "fields",
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=,",
        ])
        .args(["-e", field])
        .output()
        .expect("running tshark -r");
    assert!(
        out.status.success(),
        "tshark -r {} -e {field} failed: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .split([',', '\n'])
        // Some fields (stream ids) print in hex.
        .filter_map(|v| match v.trim().strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => v.trim().parse().ok(),
        })
        .collect()
}

/// Checks a capture: at least `min_packets` SCTP packets, none malformed,
/// none with a bad checksum. Returns the number of SCTP packets.
pub fn check_pcap(file: &Path, min_packets: usize) -> usize {
    let (bad, lines) = tshark_count(file, "sctp.checksum.status == 0 || _ws.malformed");
    assert_eq!(
        bad,
        0,
        "{}: {bad} malformed or bad-checksum packets:\n{}",
        file.display(),
        lines.lines().take(20).collect::<Vec<_>>().join("\n")
    );
    let (good, _) = tshark_count(file, "sctp.checksum.status == 1");
    let (sctp, _) = tshark_count(file, "sctp");
    assert!(
        sctp >= min_packets,
        "{}: only {sctp} SCTP packets captured, expected at least {min_packets}",
        file.display()
    );
    assert_eq!(
        good,
        sctp,
        "{}: {} SCTP packets whose checksum was not verified as good",
        file.display(),
        sctp - good
    );
    sctp
}
