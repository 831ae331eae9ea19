//! Backends from DNS: the proxy (in the hub namespace) asks a `dnsmasq`
//! started by each test on 127.0.0.1:5300 of the hub for SRV records
//! (`--srv`) or A/AAAA records (`--backend-name`), with a TTL of one
//! second. The records change mid-run: dnsmasq is restarted with new ones
//! (a SIGHUP rereads hosts files, not `--srv-host`, even from a
//! `--conf-file`). New client associations must follow the records, while
//! running ones stay where they are. Clients run `sctp-echo client` in
//! spoke 0, backends `sctp-echo server` in spokes 1 and 2; where a client
//! landed is read from the backends' own output (each client sends a count
//! of messages no other sends, and a server prints how many it echoed), the
//! backends the proxy knows from its `/metrics`.
//!
//! Needs root and `dnsmasq` (Debian's `dnsmasq-base`); skips loudly without.

mod support;

use std::thread::sleep;
use std::time::{Duration, Instant};

use support::ns::{self, Proc, Star};
use support::{
    LISTENER, backend_addr, echo_backend, example_bin, http_get, listed, metric, metrics,
    metrics_until, sctp_echo_server, secs, up, with_fast_backends,
};

const SRV_NAME: &str = "_diameter._sctp.my-service.default.svc.cluster.local";
/// Where dnsmasq answers, inside the hub.
const DNS_PORT: u16 = 5300;

/// A star of three spokes: 0 the client, 1 and 2 the backends.
fn star(test: &str) -> Option<Star> {
    support::star(test, &["bash", "dnsmasq"])
}

fn backend_addr6(i: usize) -> String {
    format!("[{}]:3868", Star::spoke6(i))
}

/// The DNS server of one test: dnsmasq in the hub, answering only from the
/// records it was started with (TTL 1 s), restarted to change them.
struct Dns {
    proc: Proc,
    /// How many times it was started (names its log files).
    starts: u32,
}

impl Dns {
    fn start(star: &Star, records: &[&str]) -> Self {
        let mut dns = Self {
            proc: Self::spawn(star, 1, records),
            starts: 1,
        };
        dns.wait_started(star, records);
        dns
    }

    fn spawn(star: &Star, n: u32, records: &[&str]) -> Proc {
        let port = format!("--port={DNS_PORT}");
        let mut args = vec![
            "--no-daemon",
            "--log-facility=-",
            "--log-queries",
            "--no-resolv",
            "--no-hosts",
            "--local-ttl=1",
            "--user=root",
            "--pid-file=",
            "--bind-interfaces",
            "--listen-address=127.0.0.1",
            &port,
            // Names of these domains are answered from the records alone
            // (NXDOMAIN or NODATA, never REFUSED for want of an upstream).
            "--local=/test/",
            "--local=/cluster.local/",
        ];
        args.extend_from_slice(records);
        star.spawn(
            &star.hub,
            &format!("dnsmasq-{n}"),
            "dnsmasq",
            &args,
            secs(240),
        )
    }

    /// Waits until it serves; starts it again if it could not bind yet (the
    /// previous one's sockets).
    fn wait_started(&mut self, star: &Star, records: &[&str]) {
        let end = Instant::now() + secs(20);
        loop {
            if self.proc.stderr().contains("started, version") {
                return;
            }
            if !self.proc.running() {
                let out = self.proc.stop("KILL");
                assert!(
                    Instant::now() < end,
                    "dnsmasq did not start ({}):\n{}{}",
                    out.status,
                    out.stdout,
                    out.stderr
                );
                sleep(Duration::from_millis(200));
                self.starts += 1;
                self.proc = Self::spawn(star, self.starts, records);
                continue;
            }
            assert!(
                Instant::now() < end,
                "dnsmasq did not start:\n{}",
                self.proc.stderr()
            );
            sleep(Duration::from_millis(50));
        }
    }

    /// Replaces every record: stops this dnsmasq and starts one with
    /// `records` on the same port.
    fn restart(&mut self, star: &Star, records: &[&str]) {
        let out = self.proc.stop("TERM");
        assert!(
            out.stderr.contains("exiting on receipt of SIGTERM"),
            "dnsmasq did not run until stopped:\n{}",
            out.stderr
        );
        self.starts += 1;
        self.proc = Self::spawn(star, self.starts, records);
        self.wait_started(star, records);
    }

    /// Its log (queries and answers) so far.
    fn log(&self) -> String {
        self.proc.stderr()
    }
}

/// Starts the proxy in the hub on [`LISTENER`], asking the test's dnsmasq,
/// with metrics on 127.0.0.1:9090 and `args`.
fn proxy(star: &Star, args: &[&str]) -> Proc {
    let dns = format!("127.0.0.1:{DNS_PORT}");
    let mut all = vec!["--dns-server", &dns];
    all.extend_from_slice(args);
    support::proxy(star, &all)
}

/// `sctp-echo client` in spoke 0 sending `count` messages over 2 streams
/// to the proxy.
fn client(star: &Star, name: &str, count: u64, extra: &[&str]) -> Proc {
    let count = count.to_string();
    let mut args = vec![
        "client",
        LISTENER,
        "--count",
        &count,
        "--streams",
        "2",
        "--timeout",
        "90",
    ];
    args.extend_from_slice(extra);
    star.spawn(
        &star.spokes[0],
        name,
        &example_bin("sctp-echo"),
        &args,
        secs(120),
    )
}

/// Runs a client of `count` messages to its end and checks that every
/// echo came back.
fn echo_through(star: &Star, name: &str, count: u64) {
    client(star, name, count, &[])
        .wait()
        .assert_success(&format!("{name} ({count} echoes through the proxy)"));
}

/// What a backend prints once the client that sent `count` messages has
/// shut its association down.
fn echoed(count: u64) -> String {
    format!("after {count} messages echoed")
}

/// Associations a backend accepted so far.
fn associations(backend: &Proc) -> usize {
    backend.stdout().matches("association from").count()
}

/// Polls `/metrics` until the proxy lists exactly `addrs`, all up.
fn until_listed(star: &Star, what: &str, addrs: &[&str]) -> String {
    let mut want: Vec<String> = addrs.iter().map(|s| (*s).to_owned()).collect();
    want.sort();
    metrics_until(star, secs(30), what, |b| {
        listed(b) == want && addrs.iter().all(|a| up(b, a) == Some(1.0))
    })
}

fn srv(target: &str, priority: u16) -> String {
    format!("--srv-host={SRV_NAME},{target},3868,{priority},0")
}

#[test]
fn srv_records_name_the_backends_and_a_change_mid_run_moves_new_associations() {
    let _g = ns::serial();
    let Some(star) = star("dns_srv_change") else {
        return;
    };
    let (b1, b2) = (backend_addr(1), backend_addr(2));
    let mut backends = [echo_backend(&star, 1), echo_backend(&star, 2)];
    // Both hosts have addresses all along; only the SRV record changes.
    let hosts = [
        "--host-record=backend1.test,198.18.1.2",
        "--host-record=backend2.test,198.18.2.2",
    ];
    let first = [srv("backend1.test", 10)];
    let records: Vec<&str> = first
        .iter()
        .map(String::as_str)
        .chain(hosts.iter().copied())
        .collect();
    let mut dns = Dns::start(&star, &records);
    let mut proxy = proxy(&star, &["--srv", SRV_NAME]);

    until_listed(&star, "backend 1 from the SRV record", &[&b1]);
    let log = proxy.stderr();
    assert!(
        log.lines()
            .any(|l| l.contains("backends resolved") && l.contains(&b1)),
        "the proxy did not log the resolved backend:\n{log}"
    );
    assert!(
        dns.log().contains(&format!("query[SRV] {SRV_NAME}")),
        "the proxy did not ask dnsmasq:\n{}",
        dns.log()
    );

    echo_through(&star, "client-1", 37);
    backends[0].wait_for_output(&echoed(37), secs(10));
    assert_eq!(associations(&backends[1]), 0, "backend 2 is not in DNS yet");

    // A long client (15 s at least) stays on backend 1 across the change.
    let mut long = client(&star, "client-long", 500, &["--interval-ms", "30"]);
    let end = Instant::now() + secs(20);
    while associations(&backends[0]) < 2 {
        assert!(
            Instant::now() < end,
            "the long client did not reach backend 1:\n{}",
            backends[0].stdout()
        );
        sleep(Duration::from_millis(50));
    }

    let second = [srv("backend2.test", 10)];
    let records: Vec<&str> = second
        .iter()
        .map(String::as_str)
        .chain(hosts.iter().copied())
        .collect();
    dns.restart(&star, &records);
    let body = until_listed(&star, "the move to backend 2 (SRV re-resolved)", &[&b2]);
    assert!(
        long.running(),
        "the long client ended before the change was seen: lengthen it"
    );
    let back_1 =
        format!("sctp_proxy_back_associations{{listener=\"{LISTENER}\",backend=\"{b1}\"}}");
    assert_eq!(
        metric(&body, &back_1),
        Some(1.0),
        "the long client's backend association is not kept:\n{body}"
    );
    assert!(
        dns.log().contains(&format!("query[SRV] {SRV_NAME}")),
        "the new records were not asked for:\n{}",
        dns.log()
    );
    let log = proxy.stderr();
    assert!(
        log.lines()
            .any(|l| l.contains("backends resolved") && l.contains(&b2) && !l.contains(&b1)),
        "the proxy did not log the new backends:\n{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains("backend no longer listed") && l.contains(&b1)),
        "the proxy did not log backend 1's removal:\n{log}"
    );

    echo_through(&star, "client-2", 41);
    backends[1].wait_for_output(&echoed(41), secs(10));
    assert_eq!(
        associations(&backends[0]),
        2,
        "a new association went to backend 1, no longer in DNS:\n{}",
        backends[0].stdout()
    );
    assert_eq!(associations(&backends[1]), 1, "{}", backends[1].stdout());

    // The association made before the change was relayed to its end.
    long.wait()
        .assert_success("the long client, across the DNS change");
    backends[0].wait_for_output(&echoed(500), secs(10));

    proxy.stop("TERM").assert_success("proxy");
    for b in &mut backends {
        b.stop("TERM");
    }
}

#[test]
fn a_and_aaaa_records_name_the_backends_and_follow_a_change() {
    let _g = ns::serial();
    let Some(star) = star("dns_a_aaaa_change") else {
        return;
    };
    let (b1, b1v6, b2, b2v6) = (
        backend_addr(1),
        backend_addr6(1),
        backend_addr(2),
        backend_addr6(2),
    );
    // Each backend listens on its spoke's IPv4 and IPv6 address.
    let mut backends = [
        sctp_echo_server(&star, 1, "echo-backend-1", &[&b1, &b1v6], secs(240)),
        sctp_echo_server(&star, 2, "echo-backend-2", &[&b2, &b2v6], secs(240)),
    ];
    let mut dns = Dns::start(
        &star,
        &["--host-record=backend.test,198.18.1.2,fd00:5c7b:1::2"],
    );
    let mut proxy = proxy(&star, &["--backend-name", "backend.test:3868"]);

    until_listed(&star, "backend 1's A and AAAA", &[&b1, &b1v6]);
    let log = proxy.stderr();
    assert!(
        log.lines()
            .any(|l| l.contains("backends resolved") && l.contains(&b1) && l.contains(&b1v6)),
        "the proxy did not log the resolved backends:\n{log}"
    );
    // Two clients in turn: one goes to each address (the fewest
    // associations, ties in turn), both to backend 1.
    echo_through(&star, "client-1", 37);
    echo_through(&star, "client-2", 41);
    backends[0].wait_for_output(&echoed(37), secs(10));
    backends[0].wait_for_output(&echoed(41), secs(10));
    let out = backends[0].stdout();
    assert!(
        out.contains("association from 198.18.1.1:")
            && out.contains(&format!("association from [{}]:", Star::hub6(1))),
        "backend 1 was not reached over both IPv4 and IPv6:\n{out}"
    );
    assert_eq!(associations(&backends[1]), 0, "backend 2 is not in DNS yet");

    dns.restart(
        &star,
        &["--host-record=backend.test,198.18.2.2,fd00:5c7b:2::2"],
    );
    until_listed(&star, "the move to backend 2 (A and AAAA)", &[&b2, &b2v6]);
    assert!(
        dns.log().contains("query[AAAA] backend.test")
            && dns.log().contains("query[A] backend.test"),
        "the new records were not asked for:\n{}",
        dns.log()
    );

    echo_through(&star, "client-3", 43);
    echo_through(&star, "client-4", 47);
    backends[1].wait_for_output(&echoed(43), secs(10));
    backends[1].wait_for_output(&echoed(47), secs(10));
    let out = backends[1].stdout();
    assert!(
        out.contains("association from 198.18.2.1:")
            && out.contains(&format!("association from [{}]:", Star::hub6(2))),
        "backend 2 was not reached over both IPv4 and IPv6:\n{out}"
    );
    assert_eq!(
        associations(&backends[0]),
        2,
        "a new association went to backend 1, no longer in DNS:\n{}",
        backends[0].stdout()
    );

    proxy.stop("TERM").assert_success("proxy");
    for b in &mut backends {
        b.stop("TERM");
    }
}

#[test]
fn srv_priorities_send_associations_to_the_best_group_and_the_next_only_while_it_is_down() {
    let _g = ns::serial();
    let Some(star) = star("dns_srv_priority") else {
        return;
    };
    let (b1, b2) = (backend_addr(1), backend_addr(2));
    let mut backend_1 = echo_backend(&star, 1);
    let mut backend_2 = echo_backend(&star, 2);
    let records = [
        srv("backend1.test", 10),
        srv("backend2.test", 20),
        "--host-record=backend1.test,198.18.1.2".to_owned(),
        "--host-record=backend2.test,198.18.2.2".to_owned(),
    ];
    let records: Vec<&str> = records.iter().map(String::as_str).collect();
    let _dns = Dns::start(&star, &records);
    let mut proxy = proxy(&star, &with_fast_backends(&["--srv", SRV_NAME]));
    until_listed(&star, "both SRV targets", &[&b1, &b2]);

    // Two clients at once: both on backend 1, although backend 2 is up and
    // has fewer associations.
    let mut a = client(&star, "client-a", 150, &["--interval-ms", "20"]);
    let end = Instant::now() + secs(20);
    while associations(&backend_1) < 1 {
        assert!(Instant::now() < end, "client a reached no backend");
        sleep(Duration::from_millis(50));
    }
    let mut b = client(&star, "client-b", 151, &["--interval-ms", "20"]);
    let end = Instant::now() + secs(20);
    while associations(&backend_1) < 2 && associations(&backend_2) < 1 {
        assert!(Instant::now() < end, "client b reached no backend");
        sleep(Duration::from_millis(50));
    }
    assert!(
        a.running(),
        "client a ended before client b began: lengthen it"
    );
    a.wait().assert_success("client a");
    b.wait().assert_success("client b");
    backend_1.wait_for_output(&echoed(150), secs(10));
    backend_1.wait_for_output(&echoed(151), secs(10));
    assert_eq!(
        associations(&backend_2),
        0,
        "the priority-20 backend got an association while priority 10 was up:\n{}",
        backend_2.stdout()
    );

    // Backend 1 dies: the next association finds it gone and goes to
    // backend 2.
    backend_1.kill();
    let _ = backend_1.wait();
    echo_through(&star, "client-c", 53);
    backend_2.wait_for_output(&echoed(53), secs(10));
    let body = metrics(&star);
    assert_eq!(up(&body, &b1), Some(0.0), "backend 1 not marked down");
    assert_eq!(up(&body, &b2), Some(1.0));
    let failures = metric(
        &body,
        &format!("sctp_proxy_backend_failures_total{{listener=\"{LISTENER}\",backend=\"{b1}\"}}"),
    );
    assert!(
        failures.is_some_and(|f| f >= 1.0),
        "no failure of backend 1 counted:\n{body}"
    );

    // Backend 1 returns: a probe finds it, and associations go back to it.
    let mut backend_1 = sctp_echo_server(&star, 1, "echo-backend-1-again", &[&b1], secs(240));
    metrics_until(&star, secs(30), "backend 1 up again", |b| {
        up(b, &b1) == Some(1.0)
    });
    let probes = associations(&backend_1);
    let before_2 = associations(&backend_2);
    echo_through(&star, "client-d", 59);
    backend_1.wait_for_output(&echoed(59), secs(10));
    assert_eq!(associations(&backend_1), probes + 1);
    assert_eq!(
        associations(&backend_2),
        before_2,
        "backend 2 got an association although backend 1 is up again:\n{}",
        backend_2.stdout()
    );

    proxy.stop("TERM").assert_success("proxy");
    backend_1.stop("TERM");
    backend_2.stop("TERM");
}

/// A target without addresses offers nothing while the others stand, and
/// an SRV name with no records left (a headless Service scaled to zero)
/// leaves no backend behind: old addresses may belong to other pods by now.
#[test]
fn records_that_go_away_take_their_backends_with_them() {
    let _g = ns::serial();
    let Some(star) = star("dns_records_go_away") else {
        return;
    };
    let b1 = backend_addr(1);
    let b2 = backend_addr(2);
    let host1 = format!("--host-record=backend1.test,{}", Star::spoke4(1));
    let host2 = format!("--host-record=backend2.test,{}", Star::spoke4(2));
    let both = [
        srv("backend1.test", 10),
        srv("backend2.test", 10),
        host1.clone(),
        host2.clone(),
    ];
    let both: Vec<&str> = both.iter().map(String::as_str).collect();
    let mut dns = Dns::start(&star, &both);
    let mut proxy = proxy(&star, &["--srv", SRV_NAME]);
    until_listed(&star, "both backends from SRV", &[&b1, &b2]);

    // backend1.test loses its address: backend 1 goes, backend 2 stays.
    let ghost = [
        srv("backend1.test", 10),
        srv("backend2.test", 10),
        host2.clone(),
    ];
    let ghost: Vec<&str> = ghost.iter().map(String::as_str).collect();
    dns.restart(&star, &ghost);
    until_listed(&star, "backend 2 alone", &[&b2]);

    // The SRV record goes: no backend is left, and the proxy is not ready.
    let none = [host1.as_str(), host2.as_str()];
    dns.restart(&star, &none);
    metrics_until(&star, secs(30), "no backend listed", |b| {
        listed(b).is_empty()
    });
    let (status, text) = http_get(&star.hub, 9090, "/readyz");
    assert_eq!(status, 503, "{text}");
    assert!(
        dns.log().contains(SRV_NAME),
        "the proxy kept asking:\n{}",
        dns.log()
    );
    proxy.stop("TERM").assert_success("proxy");
}
