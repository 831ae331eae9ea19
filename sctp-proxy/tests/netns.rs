//! The proxy between network namespaces: a client namespace, the proxy's
//! (the hub) and two backend namespaces running `sctp-echo server` or
//! `sctp-perf server`, over raw sockets (and UDP encapsulation), judged by
//! the programs' own checks, the proxy's metrics and tshark on each link.
//!
//! Needs root; skips loudly without it.

mod support;

use std::collections::BTreeSet;
use std::thread::sleep;
use std::time::{Duration, Instant};

use support::ns::{self, Proc, Star};
use support::{
    LISTENER, abort_reasons, backend_addr, data_chunks, echo_backend, example_bin, http_get,
    metric, metrics, metrics_until, perf_backend, proxy, proxy_bin, sctp_echo_server, secs, series,
    stopped, up, value, with_fast_backends,
};

/// A star of three spokes: 0 the client, 1 and 2 the backends.
fn star(test: &str) -> Option<Star> {
    support::star(test, &["tshark", "bash"])
}

fn client(star: &Star, name: &str, program: &str, args: &[&str], limit: u64) -> Proc {
    star.spawn(
        &star.spokes[0],
        name,
        &example_bin(program),
        args,
        secs(limit),
    )
}

#[test]
fn association_mode_relays_every_echo_with_its_stream_and_ppid_ordered_and_unordered() {
    let _g = ns::serial();
    let Some(star) = star("association_mode_relays") else {
        return;
    };
    let mut backends = [echo_backend(&star, 1), echo_backend(&star, 2)];
    let mut proxy = proxy(
        &star,
        &["--backend", &backend_addr(1), "--backend", &backend_addr(2)],
    );
    let front = star.capture_link(0, "sctp");
    let back = [star.capture_link(1, "sctp"), star.capture_link(2, "sctp")];

    let ordered = client(
        &star,
        "client-ordered",
        "sctp-echo",
        &["client", LISTENER, "--count", "2000", "--streams", "10"],
        120,
    )
    .wait();
    ordered.assert_success("ordered echo through the proxy");
    let unordered = client(
        &star,
        "client-unordered",
        "sctp-echo",
        &[
            "client",
            LISTENER,
            "--count",
            "1000",
            "--streams",
            "7",
            "--size",
            "1400",
            "--unordered",
        ],
        120,
    )
    .wait();
    unordered.assert_success("unordered echo through the proxy");

    // One association each: the second went to the backend with fewer.
    for (i, b) in backends.iter().enumerate() {
        let from = format!("association from {}", Star::hub4(i + 1));
        assert_eq!(
            b.stdout().matches(&from).count(),
            1,
            "backend {}:\n{}",
            i + 1,
            b.stdout()
        );
    }
    let body = metrics(&star);
    for dir in ["front_to_back", "back_to_front"] {
        let labels = format!(",direction=\"{dir}\"");
        assert_eq!(
            value(&body, "sctp_proxy_messages_total", &labels),
            3000.0,
            "{dir}"
        );
        assert_eq!(
            value(&body, "sctp_proxy_bytes_total", &labels),
            2000.0 * 100.0 + 1000.0 * 1400.0,
            "{dir}"
        );
    }
    assert_eq!(
        value(&body, "sctp_proxy_front_associations_accepted_total", ""),
        2.0
    );
    assert_eq!(value(&body, "sctp_proxy_front_associations", ""), 0.0);

    // On the wire: every (stream, PPID) the client sent went on to a
    // backend, and every one a backend sent came back to the client.
    let front = stopped(front, 100);
    let client_sent: BTreeSet<_> = data_chunks(&front, "198.18.0.2").into_iter().collect();
    let proxy_returned: BTreeSet<_> = data_chunks(&front, "198.18.0.1").into_iter().collect();
    let mut to_backends = BTreeSet::new();
    let mut from_backends = BTreeSet::new();
    for (i, c) in back.into_iter().enumerate() {
        let c = stopped(c, 10);
        to_backends.extend(data_chunks(&c, &Star::hub4(i + 1).to_string()));
        from_backends.extend(data_chunks(&c, &Star::spoke4(i + 1).to_string()));
    }
    assert!(
        client_sent.len() >= 2000,
        "{} distinct (stream, PPID)",
        client_sent.len()
    );
    assert_eq!(client_sent, to_backends);
    assert_eq!(from_backends, proxy_returned);
    assert_eq!(client_sent, proxy_returned, "echoes keep stream and PPID");

    proxy.stop("TERM").assert_success("proxy");
    for b in &mut backends {
        b.stop("TERM");
    }
}

#[test]
fn message_mode_retries_what_a_lost_backend_had_not_acknowledged() {
    let _g = ns::serial();
    let Some(star) = star("message_mode_retries") else {
        return;
    };
    let mut backends = [echo_backend(&star, 1), echo_backend(&star, 2)];
    let mut proxy = proxy(
        &star,
        &with_fast_backends(&[
            "--mode",
            "message",
            "--backend",
            &backend_addr(1),
            "--backend",
            &backend_addr(2),
        ]),
    );

    let mut echo = client(
        &star,
        "client",
        "sctp-echo",
        &[
            "client",
            LISTENER,
            "--count",
            "3000",
            "--streams",
            "4",
            "--unordered",
            "--interval-ms",
            "1",
            "--timeout",
            "100",
        ],
        120,
    );
    // Both backends answer while the client runs.
    let body = metrics_until(&star, secs(30), "messages reached both backends", |b| {
        metric(
            b,
            &series("sctp_proxy_messages_total", ",direction=\"back_to_front\""),
        )
        .is_some_and(|n| n >= 300.0)
    });
    assert!(
        echo.running(),
        "the client finished too soon:\n{}",
        echo.stdout()
    );
    drop(body);
    // Backend 1 dies: first it hears nothing more (so what it acknowledged
    // it also answered), then its process is killed.
    star.nft(
        &star.spokes[1],
        "table inet cut {\n  chain input {\n    type filter hook input priority -10; policy accept;\n    meta l4proto sctp counter drop\n  }\n}\n",
    );
    let backend_1 = format!(",backend=\"{}\"", backend_addr(1));
    metrics_until(&star, secs(30), "backend 1 marked down", |b| {
        up(b, &backend_addr(1)) == Some(0.0)
    });
    backends[0].kill();

    let out = echo.wait();
    out.assert_success("every echo through the proxy despite the lost backend");
    assert!(out.stdout.contains("3000 messages"), "{}", out.stdout);
    let body = metrics(&star);
    let retried = value(&body, "sctp_proxy_retried_messages_total", "");
    assert!(retried >= 1.0, "nothing was retried:\n{body}");
    // Each retry is a second hand-over of one of the client's messages.
    let f2b = value(
        &body,
        "sctp_proxy_messages_total",
        ",direction=\"front_to_back\"",
    );
    let b2f = value(
        &body,
        "sctp_proxy_messages_total",
        ",direction=\"back_to_front\"",
    );
    assert_eq!((f2b, b2f), (3000.0 + retried, 3000.0), "{body}");
    assert_eq!(
        value(
            &body,
            "sctp_proxy_dropped_messages_total",
            ",reason=\"no_backend\""
        ),
        0.0
    );
    assert!(value(&body, "sctp_proxy_backend_failures_total", &backend_1) >= 1.0);
    let log = proxy.stop("TERM").stderr;
    assert!(
        log.contains("backend association lost") && log.contains("acknowledged_unanswered=0"),
        "{log}"
    );
    backends[1].stop("TERM");
}

#[test]
fn association_mode_aborts_the_fronts_of_a_lost_backend_and_new_ones_go_to_the_survivor() {
    let _g = ns::serial();
    let Some(star) = star("association_mode_failover") else {
        return;
    };
    let mut backends = [echo_backend(&star, 1), echo_backend(&star, 2)];
    let mut proxy = proxy(
        &star,
        &with_fast_backends(&["--backend", &backend_addr(1), "--backend", &backend_addr(2)]),
    );
    let front = star.capture_link(0, "sctp");

    let mut first = client(
        &star,
        "client-1",
        "sctp-echo",
        &[
            "client",
            LISTENER,
            "--count",
            "100000",
            "--interval-ms",
            "1",
            "--timeout",
            "100",
        ],
        120,
    );
    let deadline = Instant::now() + secs(20);
    let pinned = loop {
        if let Some(i) = (0..2).find(|&i| backends[i].stdout().contains("association from")) {
            break i;
        }
        assert!(Instant::now() < deadline, "no backend got the association");
        sleep(Duration::from_millis(50));
    };
    let (dead, survivor) = (pinned + 1, 2 - pinned);
    sleep(Duration::from_millis(500));
    backends[pinned].kill();

    // The pinned client learns of it by an ABORT that names the backend.
    let out = first.wait();
    assert!(
        !out.status.success(),
        "client 1 should have lost its association"
    );
    let dead_addr = backend_addr(dead);
    metrics_until(&star, secs(10), "the lost backend marked down", |b| {
        up(b, &dead_addr) == Some(0.0)
    });
    let (status, text) = http_get(&star.hub, 9090, "/readyz");
    assert_eq!(status, 200, "one backend is still up: {text}");

    let second = client(
        &star,
        "client-2",
        "sctp-echo",
        &["client", LISTENER, "--count", "500", "--streams", "3"],
        60,
    )
    .wait();
    second.assert_success("a new association after the failover");
    assert!(
        backends[survivor - 1].stdout().contains("association from"),
        "the survivor got no association:\n{}",
        backends[survivor - 1].stdout()
    );
    let front = stopped(front, 100);
    let reasons = abort_reasons(&front);
    assert!(
        reasons
            .iter()
            .any(|r| r.contains(&format!("sctp-proxy: backend {dead_addr} ended"))),
        "ABORT reasons: {reasons:?}"
    );
    proxy.stop("TERM").assert_success("proxy");
    backends[survivor - 1].stop("TERM");
}

#[test]
fn denied_streams_and_oversized_messages_never_reach_the_backend() {
    let _g = ns::serial();
    let Some(star) = star("filters_on_the_wire") else {
        return;
    };
    let mut backend = perf_backend(&star);
    let mut proxy = proxy(
        &star,
        &[
            "--backend",
            &backend_addr(1),
            "--deny-stream",
            "3",
            "--max-message",
            "1000",
        ],
    );
    let front = star.capture_link(0, "sctp");
    let back = star.capture_link(1, "sctp");
    let small = client(
        &star,
        "perf-small",
        "sctp-perf",
        &[
            "client",
            LISTENER,
            "--count",
            "2000",
            "--size",
            "200",
            "--streams",
            "4",
        ],
        60,
    )
    .wait();
    small.assert_success("perf client, 200-byte messages");
    let large = client(
        &star,
        "perf-large",
        "sctp-perf",
        &["client", LISTENER, "--count", "100", "--size", "1400"],
        60,
    )
    .wait();
    large.assert_success("perf client, 1400-byte messages");

    let body = metrics_until(&star, secs(10), "all relayed", |b| {
        metric(
            b,
            &series("sctp_proxy_messages_total", ",direction=\"front_to_back\""),
        ) == Some(1500.0)
    });
    assert_eq!(
        value(
            &body,
            "sctp_proxy_dropped_messages_total",
            ",reason=\"stream_denied\""
        ),
        500.0
    );
    assert_eq!(
        value(
            &body,
            "sctp_proxy_dropped_messages_total",
            ",reason=\"too_large\""
        ),
        100.0
    );
    let front = stopped(front, 50);
    let back = stopped(back, 50);
    let sent: Vec<_> = data_chunks(&front, "198.18.0.2");
    let relayed: Vec<_> = data_chunks(&back, "198.18.1.1");
    assert!(
        sent.iter().any(|(sid, _)| *sid == 3),
        "the client sent on stream 3"
    );
    assert!(
        relayed.iter().all(|(sid, _)| *sid != 3),
        "stream 3 reached the backend"
    );
    let relayed_streams: BTreeSet<_> = relayed.iter().map(|(sid, _)| *sid).collect();
    assert_eq!(relayed_streams, [0, 1, 2].into_iter().collect());
    // No chunk of a 1400-byte message crossed to the backend.
    let lens = ns::tshark_values(
        &back,
        "ip.src == 198.18.1.1 && (sctp.chunk_type == 0 || sctp.chunk_type == 64)",
        "sctp.chunk_length",
    );
    assert!(lens.iter().all(|l| *l < 1000), "chunk lengths {lens:?}");
    proxy.stop("TERM").assert_success("proxy");
    backend.stop("TERM");
}

#[test]
fn a_denied_ppid_aborts_the_client_with_the_reason_when_configured() {
    let _g = ns::serial();
    let Some(star) = star("ppid_abort") else {
        return;
    };
    let mut backend = echo_backend(&star, 1);
    let mut proxy = proxy(
        &star,
        &[
            "--backend",
            &backend_addr(1),
            "--allow-ppid",
            "46",
            "--abort-on-violation",
        ],
    );
    let front = star.capture_link(0, "sctp");
    let back = star.capture_link(1, "sctp");
    // sctp-echo's PPIDs are 0xec000000 + n: none is Diameter's 46.
    let out = client(
        &star,
        "client",
        "sctp-echo",
        &["client", LISTENER, "--count", "10"],
        60,
    )
    .wait();
    assert!(!out.status.success(), "the client should have been aborted");
    let body = metrics(&star);
    assert_eq!(
        value(
            &body,
            "sctp_proxy_front_associations_refused_total",
            ",reason=\"ppid_denied\""
        ),
        1.0
    );
    assert!(
        value(
            &body,
            "sctp_proxy_dropped_messages_total",
            ",reason=\"ppid_denied\""
        ) >= 1.0
    );
    let front = stopped(front, 3);
    let back = stopped(back, 0);
    let reasons = abort_reasons(&front);
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("sctp-proxy: PPID 3959422976 is not allowed")),
        "ABORT reasons: {reasons:?}"
    );
    assert!(
        data_chunks(&back, "198.18.1.1").is_empty(),
        "a message reached the backend"
    );
    proxy.stop("TERM").assert_success("proxy");
    backend.stop("TERM");
}

#[test]
fn the_rate_limit_holds_a_client_to_its_rate_on_the_wire() {
    let _g = ns::serial();
    let Some(star) = star("rate_limit") else {
        return;
    };
    let mut backend = perf_backend(&star);
    let mut proxy = proxy(
        &star,
        &[
            "--backend",
            &backend_addr(1),
            "--rate",
            "200",
            "--burst",
            "20",
        ],
    );
    let back = star.capture_link(1, "sctp");
    let start = Instant::now();
    client(
        &star,
        "perf",
        "sctp-perf",
        &["client", LISTENER, "--time", "2", "--size", "100"],
        60,
    )
    .wait()
    .assert_success("perf client");
    let elapsed = start.elapsed().as_secs_f64();
    let body = metrics(&star);
    let relayed = value(
        &body,
        "sctp_proxy_messages_total",
        ",direction=\"front_to_back\"",
    );
    let limited = value(
        &body,
        "sctp_proxy_dropped_messages_total",
        ",reason=\"rate_limited\"",
    );
    let back = stopped(back, 10);
    let on_wire = data_chunks(&back, "198.18.1.1").len() as f64;
    // The client offered far more than the rate; the backend got the burst
    // plus 200 a second of the time the client sent, never more.
    assert!(limited > relayed, "relayed {relayed}, limited {limited}");
    assert!(
        on_wire >= relayed,
        "{on_wire} chunks for {relayed} messages"
    );
    assert!(
        relayed <= 20.0 + 200.0 * elapsed,
        "{relayed} in {elapsed:.2} s"
    );
    assert!(relayed >= 200.0, "{relayed} in {elapsed:.2} s");
    proxy.stop("TERM").assert_success("proxy");
    backend.stop("TERM");
}

#[test]
fn sigterm_drains_lets_associations_finish_refuses_new_ones_and_exits_0() {
    let _g = ns::serial();
    let Some(star) = star("drain") else {
        return;
    };
    let mut backend = echo_backend(&star, 1);
    let mut proxy = proxy(
        &star,
        &["--backend", &backend_addr(1), "--drain-timeout-secs", "60"],
    );
    let (status, _) = http_get(&star.hub, 9090, "/readyz");
    assert_eq!(status, 200);
    let mut running = client(
        &star,
        "client-running",
        "sctp-echo",
        &["client", LISTENER, "--count", "3000", "--interval-ms", "1"],
        120,
    );
    metrics_until(&star, secs(20), "the first client's association", |b| {
        metric(b, &series("sctp_proxy_front_associations", "")) == Some(1.0)
    });
    proxy.signal("TERM");
    let deadline = Instant::now() + secs(10);
    loop {
        let (status, text) = http_get(&star.hub, 9090, "/readyz");
        if status == 503 {
            assert!(text.contains("draining"), "{text}");
            break;
        }
        assert!(Instant::now() < deadline, "/readyz stayed {status}: {text}");
        sleep(Duration::from_millis(50));
    }
    let late = client(
        &star,
        "client-late",
        "sctp-echo",
        &["client", LISTENER, "--count", "1", "--timeout", "3"],
        30,
    )
    .wait();
    assert!(
        !late.status.success(),
        "a new association was accepted while draining"
    );
    running
        .wait()
        .assert_success("the association that was running");
    let out = proxy.wait();
    out.assert_success("proxy after the drain");
    assert!(
        out.stdout.contains("drained after SIGTERM"),
        "{}",
        out.stdout
    );
    assert!(
        backend
            .stdout()
            .contains("shut down by the peer after 3000 messages echoed"),
        "{}",
        backend.stdout()
    );
    backend.stop("TERM");
}

#[test]
fn the_drain_timeout_shuts_the_rest_down_gracefully_on_both_sides() {
    let _g = ns::serial();
    let Some(star) = star("drain_timeout") else {
        return;
    };
    let mut backend = echo_backend(&star, 1);
    let mut proxy = proxy(
        &star,
        &["--backend", &backend_addr(1), "--drain-timeout-secs", "1"],
    );
    let front = star.capture_link(0, "sctp");
    let back = star.capture_link(1, "sctp");
    let mut endless = client(
        &star,
        "client-endless",
        "sctp-echo",
        &[
            "client",
            LISTENER,
            "--count",
            "1000000",
            "--interval-ms",
            "1",
            "--timeout",
            "100",
        ],
        120,
    );
    metrics_until(&star, secs(20), "the client's association", |b| {
        metric(b, &series("sctp_proxy_front_associations", "")) == Some(1.0)
    });
    proxy.signal("TERM");
    proxy.wait().assert_success("proxy after its drain timeout");
    let out = endless.wait();
    assert!(
        out.stderr.contains("the server shut down after"),
        "the client should see a graceful shutdown: {}",
        out.stderr
    );
    assert!(
        backend.stdout().contains("shut down by the peer"),
        "{}",
        backend.stdout()
    );
    let front = stopped(front, 10);
    let back = stopped(back, 10);
    for (c, from) in [(&front, "198.18.0.1"), (&back, "198.18.1.1")] {
        let shutdown = format!("ip.src == {from} && sctp.chunk_type == 7");
        assert!(
            ns::tshark_lines(c, &shutdown) >= 1,
            "no SHUTDOWN from {from}"
        );
        assert_eq!(ns::tshark_lines(c, "sctp.chunk_type == 6"), 0, "an ABORT");
    }
    backend.stop("TERM");
}

#[test]
fn udp_encapsulation_in_front_and_raw_ip_behind_over_ipv6() {
    let _g = ns::serial();
    let Some(star) = star("udp_front_raw_back") else {
        return;
    };
    let back_addr = format!("[{}]:3868", Star::spoke6(1));
    let mut backend = sctp_echo_server(&star, 1, "echo-backend", &[&back_addr], secs(120));
    let listen = format!("[{}]:3868", Star::hub6(0));
    let mut proxy = star.spawn(
        &star.hub,
        "proxy",
        &proxy_bin(),
        &[
            "--listen",
            &listen,
            "--transport",
            "udp",
            "--udp-port",
            "9899",
            "--backend",
            &back_addr,
        ],
        secs(120),
    );
    proxy.wait_for_output("listening on", secs(20));
    let front = star.capture_link(0, "udp port 9899");
    let back = star.capture_link(1, "ip6 proto 132");
    client(
        &star,
        "client",
        "sctp-echo",
        &[
            "client",
            &listen,
            "--transport",
            "udp",
            "--udp-port",
            "9899",
            "--count",
            "1000",
            "--streams",
            "5",
        ],
        60,
    )
    .wait()
    .assert_success("echo over UDP to the proxy, raw IPv6 behind it");
    assert!(front.stop_and_check(100) >= 100);
    assert!(back.stop_and_check(100) >= 100);
    proxy.stop("TERM").assert_success("proxy");
    backend.stop("TERM");
}

#[test]
fn a_backend_that_comes_up_late_is_found_by_its_retries() {
    let _g = ns::serial();
    let Some(star) = star("late_backend") else {
        return;
    };
    let mut proxy = proxy(&star, &with_fast_backends(&["--backend", &backend_addr(1)]));
    let front = star.capture_link(0, "sctp");
    // Nothing listens yet: the client is refused with the reason, and the
    // proxy is not ready.
    let out = client(
        &star,
        "client-early",
        "sctp-echo",
        &["client", LISTENER, "--count", "1"],
        60,
    )
    .wait();
    assert!(!out.status.success(), "there is no backend to echo");
    let (status, text) = http_get(&star.hub, 9090, "/readyz");
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("no backend up"), "{text}");
    let body = metrics(&star);
    assert_eq!(
        value(
            &body,
            "sctp_proxy_front_associations_refused_total",
            ",reason=\"no_backend\""
        ),
        1.0
    );
    // The backend starts: a probe finds it, and clients get through.
    let mut backend = echo_backend(&star, 1);
    metrics_until(&star, secs(30), "backend 1 up again", |b| {
        up(b, &backend_addr(1)) == Some(1.0)
    });
    let (status, text) = http_get(&star.hub, 9090, "/readyz");
    assert_eq!(status, 200, "{text}");
    client(
        &star,
        "client-late",
        "sctp-echo",
        &["client", LISTENER, "--count", "100"],
        60,
    )
    .wait()
    .assert_success("echo once the backend is up");
    let front = stopped(front, 5);
    let reasons = abort_reasons(&front);
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("sctp-proxy: no backend available")),
        "ABORT reasons: {reasons:?}"
    );
    proxy.stop("TERM").assert_success("proxy");
    backend.stop("TERM");
}

#[test]
fn message_mode_with_stream_affinity_spreads_streams_and_keeps_each_in_order() {
    let _g = ns::serial();
    let Some(star) = star("stream_affinity") else {
        return;
    };
    let mut backends = [echo_backend(&star, 1), echo_backend(&star, 2)];
    let mut proxy = proxy(
        &star,
        &[
            "--mode",
            "message",
            "--affinity",
            "stream",
            "--backend",
            &backend_addr(1),
            "--backend",
            &backend_addr(2),
        ],
    );
    let back = [star.capture_link(1, "sctp"), star.capture_link(2, "sctp")];
    // sctp-echo checks that each stream's echoes come back in order.
    client(
        &star,
        "client",
        "sctp-echo",
        &["client", LISTENER, "--count", "4000", "--streams", "16"],
        120,
    )
    .wait()
    .assert_success("ordered echoes in message mode with stream affinity");
    // Each stream went to one backend, and both backends had some.
    let mut streams_at = Vec::new();
    for (i, c) in back.into_iter().enumerate() {
        let c = stopped(c, 10);
        let s: BTreeSet<u64> = data_chunks(&c, &Star::hub4(i + 1).to_string())
            .into_iter()
            .map(|(sid, _)| sid)
            .collect();
        streams_at.push(s);
    }
    assert!(
        streams_at.iter().all(|s| !s.is_empty()),
        "streams per backend: {streams_at:?}"
    );
    assert!(
        streams_at[0].is_disjoint(&streams_at[1]),
        "a stream went to both backends: {streams_at:?}"
    );
    assert_eq!(streams_at[0].len() + streams_at[1].len(), 16);
    proxy.stop("TERM").assert_success("proxy");
    for b in &mut backends {
        b.stop("TERM");
    }
}

#[test]
fn a_config_file_runs_two_listeners_each_with_its_own_mode_and_filters() {
    let _g = ns::serial();
    let Some(star) = star("config_file") else {
        return;
    };
    let mut backends = [echo_backend(&star, 1), echo_backend(&star, 2)];
    let config = star.dir.file("proxy.toml");
    std::fs::write(
        &config,
        format!(
            r#"
metrics = "127.0.0.1:9090"
drain-timeout-secs = 5
log-format = "json"

[[listener]]
listen = ["{LISTENER}"]
mode = "association"
[listener.backends]
static = ["{b1}"]

[[listener]]
listen = ["198.18.0.1:3869"]
mode = "message"
deny-stream = [1]
[listener.backends]
static = ["{b2}"]
"#,
            b1 = backend_addr(1),
            b2 = backend_addr(2),
        ),
    )
    .unwrap();
    let mut proxy = star.spawn(
        &star.hub,
        "proxy",
        &proxy_bin(),
        &["--config", config.to_str().unwrap()],
        secs(120),
    );
    proxy.wait_for_output("listening on", secs(20));
    client(
        &star,
        "client-3868",
        "sctp-echo",
        &["client", LISTENER, "--count", "300", "--streams", "2"],
        60,
    )
    .wait()
    .assert_success("echo through the first listener");
    // The second listener drops stream 1: only stream 0's echoes return.
    let out = client(
        &star,
        "client-3869",
        "sctp-echo",
        &[
            "client",
            "198.18.0.1:3869",
            "--count",
            "300",
            "--streams",
            "2",
            "--timeout",
            "5",
        ],
        60,
    )
    .wait();
    assert!(!out.status.success(), "stream 1 should have been dropped");
    let body = metrics(&star);
    let second =
        "sctp_proxy_dropped_messages_total{listener=\"198.18.0.1:3869\",reason=\"stream_denied\"}";
    assert_eq!(metric(&body, second), Some(150.0), "{body}");
    assert_eq!(
        value(
            &body,
            "sctp_proxy_dropped_messages_total",
            ",reason=\"stream_denied\""
        ),
        0.0
    );
    assert!(
        backends[0].stdout().contains("association from"),
        "{}",
        backends[0].stdout()
    );
    assert!(
        backends[1].stdout().contains("association from"),
        "{}",
        backends[1].stdout()
    );
    // The client that gave up left its association behind: the drain
    // waits for it, then shuts it down, and the proxy exits 0.
    proxy.signal("TERM");
    let log = proxy.wait();
    log.assert_success("proxy");
    // JSON logs: every line an object.
    let lines: Vec<_> = log.stderr.lines().filter(|l| !l.is_empty()).collect();
    assert!(!lines.is_empty());
    for l in lines {
        serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("{e}: {l}"));
    }
    for b in &mut backends {
        b.stop("TERM");
    }
}
