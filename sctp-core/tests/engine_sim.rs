//! The association engine over the simulated network: set-up, data in both
//! directions, shutdown, abort, loss, partitions and wrap-around.

use std::time::Duration;

use proptest::prelude::*;
use sctp_core::{AssociationConfig, CloseReason, Event, State, Tsn};
use sctp_sim::{Link, Network, SctpHost};

fn fast_cfg() -> AssociationConfig {
    AssociationConfig::default()
        .rto_initial(Duration::from_millis(100))
        .rto_min(Duration::from_millis(50))
        .rto_max(Duration::from_secs(2))
        .hb_interval(Some(Duration::from_millis(500)))
}

fn pair(seed: u64, ab: Link, ba: Link, cfg: AssociationConfig) -> (Network, SctpHost, SctpHost) {
    let net = Network::new(seed, ab, ba);
    let a = SctpHost::client(
        net.now(),
        "198.18.0.1:5000",
        "198.18.0.2:2905",
        cfg.clone(),
        seed * 2 + 1,
    );
    let b = SctpHost::server(net.now(), "198.18.0.2:2905", cfg, seed * 2 + 2);
    (net, a, b)
}

const LIMIT: Duration = Duration::from_secs(600);

#[test]
fn rfc9260_5_1_setup_data_both_ways_and_graceful_shutdown() {
    let (mut net, mut a, mut b) = pair(1, Link::default(), Link::default(), fast_cfg());
    assert!(net.run_until(&mut a, &mut b, |a, b| a.connected() && b.connected(), LIMIT));
    assert_eq!(a.state(), State::Established);
    for i in 0..100u32 {
        a.send((i % 10) as u16, 46, &i.to_be_bytes(), false)
            .unwrap();
        b.send((i % 5) as u16, 47, &vec![i as u8; 3000], i % 2 == 0)
            .unwrap();
    }
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| a.received.len() == 100 && b.received.len() == 100,
        LIMIT
    ));
    // Per-stream order for ordered messages.
    for s in 0..10u16 {
        let got: Vec<u32> = b
            .received
            .iter()
            .filter(|m| m.stream_id == s)
            .map(|m| u32::from_be_bytes(m.payload[..].try_into().unwrap()))
            .collect();
        let want: Vec<u32> = (0..100).filter(|i| i % 10 == u32::from(s)).collect();
        assert_eq!(got, want, "stream {s}");
    }
    assert!(
        a.received
            .iter()
            .all(|m| m.payload.len() == 3000 && m.ppid.0 == 47)
    );
    a.association().shutdown(net.now());
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| a.saw(|e| *e == Event::ShutdownComplete) && b.saw(|e| *e == Event::ShutdownComplete),
        LIMIT
    ));
    assert_eq!(a.state(), State::Closed);
    assert_eq!(b.state(), State::Closed);
    assert!(b.saw(|e| *e == Event::ShutdownReceived));
}

#[test]
fn rfc9260_9_1_abort_is_seen_by_the_peer_with_its_cause() {
    let (mut net, mut a, mut b) = pair(2, Link::default(), Link::default(), fast_cfg());
    assert!(net.run_until(&mut a, &mut b, |a, b| a.connected() && b.connected(), LIMIT));
    let reason = sctp_core::ErrorCause {
        code: sctp_core::CauseCode::USER_INITIATED_ABORT,
        info: b"maintenance".to_vec(),
    };
    a.association().abort(vec![reason.clone()]);
    assert!(net.run_until(&mut a, &mut b, |_, b| b.state() == State::Closed, LIMIT));
    assert!(b.saw(
        |e| matches!(e, Event::Closed(CloseReason::PeerAborted(c)) if c == std::slice::from_ref(&reason))
    ));
    assert!(a.saw(|e| matches!(e, Event::Closed(CloseReason::LocalAbort(_)))));
}

#[test]
fn rfc9260_8_1_partition_ends_in_communication_lost_on_both_sides() {
    let cfg = fast_cfg().assoc_max_retrans(4);
    let (mut net, mut a, mut b) = pair(3, Link::default(), Link::default(), cfg);
    assert!(net.run_until(&mut a, &mut b, |a, b| a.connected() && b.connected(), LIMIT));
    let now = net.now();
    net.partition(now, Duration::from_secs(3600));
    a.send(0, 0, b"into the void", false).unwrap();
    let lost = |h: &SctpHost| h.saw(|e| matches!(e, Event::Closed(CloseReason::CommunicationLost)));
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| lost(a) && lost(b),
        Duration::from_secs(3000)
    ));
    // The unacknowledged message is reported back.
    assert!(a.saw(
        |e| matches!(e, Event::SendFailed { message, .. } if &message.payload[..] == b"into the void")
    ));
}

#[test]
fn rfc9260_1_6_tsn_and_ssn_wrap_around() {
    let cfg = fast_cfg().initial_tsn(Some(Tsn(u32::MAX - 100)));
    let (mut net, mut a, mut b) = pair(4, Link::lossy(0.05), Link::lossy(0.05), cfg);
    assert!(net.run_until(&mut a, &mut b, |a, b| a.connected() && b.connected(), LIMIT));
    let total = 70_000u32; // more than 2^16 SSNs on one stream
    let mut next = 0u32;
    let done = net.run_until(
        &mut a,
        &mut b,
        |a, b| {
            while next < total && a.send(1, 0, &next.to_be_bytes(), false).is_ok() {
                next += 1;
            }
            b.received.len() == total as usize
        },
        Duration::from_secs(3600),
    );
    assert!(done, "received {} of {total}", b.received.len());
    for (i, m) in b.received.iter().enumerate() {
        assert_eq!(
            u32::from_be_bytes(m.payload[..].try_into().unwrap()),
            i as u32
        );
    }
}

proptest! {
    // 24 cases by default; PROPTEST_CASES=N runs a longer soak.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24),
        .. ProptestConfig::default()
    })]

    /// RFC 9260 sections 6 and 7: under loss up to 20 %, duplication,
    /// reordering and jitter, every message arrives exactly once, intact,
    /// in order per stream when ordered.
    #[test]
    fn rfc9260_6_every_message_exactly_once_under_hostile_network(
        seed in 0u64..1_000_000,
        loss in 0.0f64..0.20,
        sizes in prop::collection::vec((1usize..6000, 0u16..8, any::<bool>()), 1..120),
    ) {
        let (mut net, mut a, mut b) = pair(seed, Link::lossy(loss), Link::lossy(loss), fast_cfg());
        prop_assert!(net.run_until(&mut a, &mut b, |a, b| a.connected() && b.connected(), LIMIT));
        for (i, (size, stream, unordered)) in sizes.iter().enumerate() {
            let mut payload = vec![(i % 251) as u8; *size];
            payload[..4.min(*size)].copy_from_slice(&(i as u32).to_be_bytes()[..4.min(*size)]);
            a.send(*stream, i as u32, &payload, *unordered).unwrap();
        }
        let n = sizes.len();
        prop_assert!(net.run_until(&mut a, &mut b, |_, b| b.received.len() >= n, LIMIT),
            "delivered {} of {n}", b.received.len());
        // Let duplicates and retransmissions settle, then check exactly once.
        net.run_until(&mut a, &mut b, |_, _| false, Duration::from_secs(5));
        prop_assert_eq!(b.received.len(), n);
        let mut seen = vec![false; n];
        let mut last_per_stream = [None::<usize>; 8];
        for m in &b.received {
            let i = m.ppid.0 as usize;
            prop_assert!(!seen[i], "message {} twice", i);
            seen[i] = true;
            let (size, stream, unordered) = sizes[i];
            prop_assert_eq!(m.payload.len(), size);
            prop_assert_eq!(m.stream_id, stream);
            prop_assert!(m.payload[4.min(size)..].iter().all(|&x| x == (i % 251) as u8));
            if !unordered {
                if let Some(prev) = last_per_stream[stream as usize] {
                    prop_assert!(prev < i, "stream {} out of order: {} after {}", stream, i, prev);
                }
                last_per_stream[stream as usize] = Some(i);
            }
        }
    }
}

#[test]
fn rfc9260_5_2_1_init_collision_yields_one_association() {
    let net = Network::new(5, Link::default(), Link::default());
    let mut a = SctpHost::client(
        net.now(),
        "198.18.0.1:2905",
        "198.18.0.2:2905",
        fast_cfg(),
        11,
    );
    let mut b = SctpHost::client(
        net.now(),
        "198.18.0.2:2905",
        "198.18.0.1:2905",
        fast_cfg(),
        12,
    );
    a.listen();
    b.listen();
    let mut net = net;
    assert!(net.run_until(&mut a, &mut b, |a, b| a.connected() && b.connected(), LIMIT));
    // Exactly one association: data flows both ways on it.
    a.send(0, 1, b"from a", false).unwrap();
    b.send(0, 2, b"from b", false).unwrap();
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| a.received.len() == 1 && b.received.len() == 1,
        LIMIT
    ));
    assert_eq!(
        a.events.iter().filter(|e| **e == Event::Connected).count(),
        1
    );
    assert_eq!(
        b.events.iter().filter(|e| **e == Event::Connected).count(),
        1
    );
}

#[test]
fn rfc9260_5_2_4_peer_restart_is_detected_and_association_continues() {
    let (mut net, mut a, mut b) = pair(6, Link::default(), Link::default(), fast_cfg());
    assert!(net.run_until(&mut a, &mut b, |a, b| a.connected() && b.connected(), LIMIT));
    let old_tag = b.association().local_verification_tag();
    // The client host crashes and comes back on the same address and port.
    let mut a2 = SctpHost::client(
        net.now(),
        "198.18.0.1:5000",
        "198.18.0.2:2905",
        fast_cfg(),
        99,
    );
    assert!(net.run_until(&mut a2, &mut b, |a, _| a.connected(), LIMIT));
    assert!(b.saw(|e| *e == Event::PeerRestarted));
    assert_ne!(b.association().local_verification_tag(), old_tag);
    a2.send(3, 7, b"after restart", false).unwrap();
    b.send(3, 8, b"welcome back", false).unwrap();
    assert!(net.run_until(
        &mut a2,
        &mut b,
        |a, b| a.received.len() == 1 && b.received.len() == 1,
        LIMIT
    ));
    assert_eq!(&b.received[0].payload[..], b"after restart");
}

#[test]
fn rfc9260_9_2_shutdown_survives_lost_shutdown_chunks() {
    let (mut net, mut a, mut b) = pair(7, Link::default(), Link::default(), fast_cfg());
    assert!(net.run_until(&mut a, &mut b, |a, b| a.connected() && b.connected(), LIMIT));
    a.send(0, 0, &[1; 5000], false).unwrap();
    assert!(net.run_until(&mut a, &mut b, |_, b| b.received.len() == 1, LIMIT));
    // Lose everything for a while around the shutdown: T2-shutdown must recover.
    let now = net.now();
    net.partition(now, Duration::from_millis(900));
    a.association().shutdown(now);
    let done = |h: &SctpHost| h.saw(|e| *e == Event::ShutdownComplete);
    assert!(net.run_until(&mut a, &mut b, |a, b| done(a) && done(b), LIMIT));
}

#[test]
fn rfc9260_8_2_path_unreachable_then_reachable_again() {
    let cfg = fast_cfg().path_max_retrans(2).assoc_max_retrans(20);
    let (mut net, mut a, mut b) = pair(8, Link::default(), Link::default(), cfg);
    assert!(net.run_until(&mut a, &mut b, |a, b| a.connected() && b.connected(), LIMIT));
    let now = net.now();
    net.partition(now, Duration::from_secs(4));
    a.send(0, 0, b"through the outage", false).unwrap();
    let status = |h: &SctpHost, up: bool| {
        let want = if up {
            sctp_core::PathChange::Available
        } else {
            sctp_core::PathChange::Unreachable
        };
        h.saw(|e| matches!(e, Event::PathChange { change, .. } if *change == want))
    };
    assert!(net.run_until(&mut a, &mut b, |a, _| status(a, false), LIMIT));
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| status(a, true) && b.received.len() == 1,
        LIMIT
    ));
    assert_eq!(a.state(), State::Established);
}

#[test]
fn rfc9260_6_1_nagle_bundles_small_messages_while_data_is_in_flight() {
    let count_packets = |nagle: bool| {
        let (mut net, mut a, mut b) =
            pair(9, Link::default(), Link::default(), fast_cfg().nagle(nagle));
        assert!(net.run_until(&mut a, &mut b, |a, b| a.connected() && b.connected(), LIMIT));
        let before = net.stats.sent;
        let mut sent = 0;
        assert!(net.run_until(
            &mut a,
            &mut b,
            |a, b| {
                // The application trickles one small message per step.
                if sent < 200 {
                    a.send(0, 0, &[7; 20], false).unwrap();
                    sent += 1;
                }
                b.received.len() == 200
            },
            LIMIT
        ));
        net.stats.sent - before
    };
    let with = count_packets(true);
    let without = count_packets(false);
    assert!(
        with * 2 < without,
        "nagle {with} packets, no-delay {without}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(16),
        .. ProptestConfig::default()
    })]

    /// RFC 9260 section 8.1: a partition longer than the failure-detection
    /// time ends in communication lost on both sides, never in a hang,
    /// whatever was in flight when it began.
    #[test]
    fn rfc9260_8_1_long_partition_always_ends_in_communication_lost(
        seed in 0u64..1_000_000,
        start_ms in 0u64..2_000,
        messages in 0usize..40,
        loss in 0.0f64..0.1,
    ) {
        let cfg = fast_cfg().assoc_max_retrans(3).path_max_retrans(2);
        let (mut net, mut a, mut b) = pair(seed, Link::lossy(loss), Link::lossy(loss), cfg);
        prop_assert!(net.run_until(&mut a, &mut b, |a, b| a.connected() && b.connected(), LIMIT));
        for i in 0..messages {
            a.send((i % 3) as u16, 0, &vec![i as u8; 700], false).unwrap();
            b.send((i % 3) as u16, 0, &vec![i as u8; 300], true).unwrap();
        }
        let start = net.now() + Duration::from_millis(start_ms);
        net.partition(start, Duration::from_secs(100_000));
        let lost = |h: &SctpHost| h.saw(|e| matches!(e, Event::Closed(CloseReason::CommunicationLost)));
        prop_assert!(net.run_until(&mut a, &mut b, |a, b| lost(a) && lost(b), Duration::from_secs(600)));
        prop_assert_eq!(a.state(), State::Closed);
        prop_assert_eq!(b.state(), State::Closed);
    }
}
