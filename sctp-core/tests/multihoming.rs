//! Multi-homing over the simulated network (RFC 9260 sections 5.1.2, 5.4,
//! 6.4, 8.1-8.3 and RFC 7829): two hosts with an address on each of two
//! links, the primary link cut mid-transfer, blackholed, flapping, and
//! healed again.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use sctp_core::{AssociationConfig, Event, PathChange, PathState, State};
use sctp_sim::{MultiHost, MultiNet, PathLink};

const A: [&str; 2] = ["198.18.1.1", "198.18.2.1"];
const B: [&str; 2] = ["198.18.1.2", "198.18.2.2"];
const LIMIT: Duration = Duration::from_secs(600);

/// The tuning an operator sets for fast failover.
fn fast_cfg() -> AssociationConfig {
    AssociationConfig::default()
        .rto_initial(Duration::from_millis(200))
        .rto_min(Duration::from_millis(100))
        .rto_max(Duration::from_millis(400))
        .hb_interval(Some(Duration::from_millis(1000)))
        .pf_max_retrans(0)
}

fn b_addr(i: usize) -> SocketAddr {
    SocketAddr::new(B[i].parse().unwrap(), 2905)
}

fn setup(seed: u64, cfg: AssociationConfig) -> (MultiNet, MultiHost, MultiHost) {
    let links = vec![
        PathLink::new(Duration::from_millis(10)),
        PathLink::new(Duration::from_millis(15)),
    ];
    let mut net = MultiNet::new(seed, links);
    let mut a = MultiHost::client(net.now(), &A, 5000, &[b_addr(0)], cfg.clone(), seed * 2 + 1);
    let mut b = MultiHost::server(net.now(), &B, 2905, cfg, seed * 2 + 2);
    assert!(net.run_until(&mut a, &mut b, |a, b| a.connected() && b.connected(), LIMIT));
    // Section 5.4: the second address of each side is verified by a heartbeat.
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| all_confirmed(a) && all_confirmed(b),
        LIMIT
    ));
    (net, a, b)
}

fn all_confirmed(h: &mut MultiHost) -> bool {
    let st = h.association().status();
    st.paths.len() == 2 && st.paths.iter().all(|p| p.state == PathState::Active)
}

/// Sends `n` numbered messages from `a`, `burst` at a time whenever the
/// send buffer takes them, running the network `step` at a time and
/// calling `at` with the virtual time before each burst.
fn stream(
    net: &mut MultiNet,
    a: &mut MultiHost,
    b: &mut MultiHost,
    n: u32,
    mut at: impl FnMut(&mut MultiNet, Instant),
) {
    let mut next = 0u32;
    let start = net.now();
    while b.received.len() < n as usize {
        at(net, net.now());
        while next < n && a.association().buffered_amount() < 64 * 1024 {
            let mut msg = next.to_be_bytes().to_vec();
            msg.resize(1000, next as u8);
            a.send((next % 4) as u16, &msg).unwrap();
            next += 1;
        }
        net.run_until(a, b, |_, _| false, Duration::from_millis(5));
        assert!(
            net.now() - start < LIMIT,
            "transfer stalled at {}",
            b.received.len()
        );
        assert_eq!(a.association().state(), State::Established);
    }
}

/// Every message exactly once, in order on each stream.
fn check_delivery(b: &MultiHost, n: u32) {
    assert_eq!(b.received.len(), n as usize);
    let mut last = [None::<u32>; 4];
    let mut seen = vec![false; n as usize];
    for (_, m) in &b.received {
        let i = u32::from_be_bytes(m.payload[..4].try_into().unwrap());
        assert!(!seen[i as usize], "message {i} delivered twice");
        seen[i as usize] = true;
        let s = m.stream_id as usize;
        assert!(
            last[s].is_none_or(|l| l < i),
            "stream {s} out of order at {i}"
        );
        last[s] = Some(i);
    }
}

fn max_gap(b: &MultiHost) -> Duration {
    b.received
        .windows(2)
        .map(|w| w[1].0 - w[0].0)
        .max()
        .unwrap_or_default()
}

#[test]
fn rfc9260_5_1_2_both_sides_learn_and_confirm_every_listed_address() {
    let (_, mut a, mut b) = setup(1, fast_cfg());
    for h in [&mut a, &mut b] {
        let st = h.association().status();
        assert_eq!(st.paths.len(), 2);
        assert!(h.events.iter().any(|e| matches!(
            e,
            Event::PathChange {
                change: PathChange::Confirmed,
                ..
            }
        )));
    }
    assert_eq!(a.association().remote(), b_addr(0));
    assert_eq!(b.association().remote().ip().to_string(), A[0]);
}

#[test]
fn rfc7829_primary_blackholed_mid_transfer_fails_over_without_loss() {
    let (mut net, mut a, mut b) = setup(2, fast_cfg());
    let mut cut = false;
    stream(&mut net, &mut a, &mut b, 3000, |net, _| {
        if !cut && net.links[0].carried > 500 {
            net.links[0].up = false;
            cut = true;
        }
    });
    assert!(cut);
    check_delivery(&b, 3000);
    // RTO.Min 100 ms, RTO.Max 400 ms, PF at the first timeout: the gap is
    // one RTO and a round trip, well below half a second.
    let gap = max_gap(&b);
    assert!(gap < Duration::from_millis(500), "failover gap {gap:?}");
    assert!(a.events.iter().any(|e| matches!(
        e,
        Event::PathChange {
            change: PathChange::PotentiallyFailed,
            address,
        } if *address == b_addr(0)
    )));
    assert_eq!(
        a.association().remote(),
        b_addr(0),
        "the primary stays the primary"
    );
}

#[test]
fn rfc9260_6_4_data_returns_to_the_primary_when_it_recovers() {
    let (mut net, mut a, mut b) = setup(3, fast_cfg());
    net.links[0].up = false;
    stream(&mut net, &mut a, &mut b, 500, |_, _| {});
    assert!(net.links[1].carried > 400);
    net.links[0].up = true;
    // A heartbeat finds the primary answering again (hb interval 1 s).
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, _| a.association().status().primary.state == PathState::Active,
        LIMIT
    ));
    let before = (net.links[0].carried, net.links[1].carried);
    for i in 0..200u32 {
        a.send(0, &[i as u8; 1000]).unwrap();
    }
    assert!(net.run_until(&mut a, &mut b, |_, b| b.received.len() == 700, LIMIT));
    let on_primary = net.links[0].carried - before.0;
    let on_alternate = net.links[1].carried - before.1;
    assert!(
        on_primary > 10 * on_alternate.max(1),
        "after recovery: {on_primary} packets on the primary link, {on_alternate} on the alternate"
    );
    assert!(a.events.iter().any(|e| matches!(
        e,
        Event::PathChange {
            change: PathChange::Available,
            address,
        } if *address == b_addr(0)
    )));
}

#[test]
fn rfc9260_6_4_without_switchback_data_stays_on_the_alternate() {
    let (mut net, mut a, mut b) = setup(4, fast_cfg().primary_switchback(false));
    net.links[0].up = false;
    stream(&mut net, &mut a, &mut b, 300, |_, _| {});
    net.links[0].up = true;
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, _| a.association().status().primary.state == PathState::Active,
        LIMIT
    ));
    let before = net.links[0].carried;
    for i in 0..100u32 {
        a.send(0, &[i as u8; 1000]).unwrap();
    }
    assert!(net.run_until(&mut a, &mut b, |_, b| b.received.len() == 400, LIMIT));
    // Only heartbeats and their acks cross the primary link now.
    assert!(net.links[0].carried - before < 10);
}

#[test]
fn rfc9260_6_4_set_primary_moves_new_data() {
    let (mut net, mut a, mut b) = setup(5, fast_cfg());
    a.association().set_primary(b_addr(1)).unwrap();
    let before = net.links[1].carried;
    stream(&mut net, &mut a, &mut b, 200, |_, _| {});
    assert!(net.links[1].carried - before >= 200);
    assert_eq!(a.association().remote(), b_addr(1));
    let unknown: SocketAddr = "198.18.9.9:2905".parse().unwrap();
    assert_eq!(
        a.association().set_primary(unknown),
        Err(sctp_core::PathError::UnknownAddress(unknown))
    );
}

#[test]
fn rfc9260_8_1_association_survives_while_any_path_answers() {
    // Path.Max.Retrans 2: the primary becomes unreachable, the association lives on.
    let cfg = fast_cfg().path_max_retrans(2).assoc_max_retrans(4);
    let (mut net, mut a, mut b) = setup(6, cfg);
    net.links[0].up = false;
    stream(&mut net, &mut a, &mut b, 1000, |_, _| {});
    net.run_for(&mut a, &mut b, Duration::from_secs(20));
    assert_eq!(a.association().state(), State::Established);
    assert!(a.events.iter().any(|e| matches!(
        e,
        Event::PathChange {
            change: PathChange::Unreachable,
            ..
        }
    )));
    check_delivery(&b, 1000);
}

#[test]
fn rfc9260_8_1_association_ends_when_every_path_is_cut() {
    let cfg = fast_cfg().path_max_retrans(2).assoc_max_retrans(4);
    let (mut net, mut a, mut b) = setup(7, cfg);
    net.links[0].up = false;
    net.links[1].up = false;
    a.send(0, b"lost").unwrap();
    assert!(net.run_until(&mut a, &mut b, |a, _| a.association().is_closed(), LIMIT));
}

#[test]
fn rfc7829_flapping_primary_loses_nothing() {
    let (mut net, mut a, mut b) = setup(8, fast_cfg());
    let start = net.now();
    stream(&mut net, &mut a, &mut b, 4000, |net, now| {
        // The primary link flaps: 700 ms up, 300 ms down.
        let phase = (now - start).as_millis() % 1000;
        net.links[0].up = phase < 700;
    });
    check_delivery(&b, 4000);
}

#[test]
fn rfc9260_8_4_packet_from_a_listed_address_not_yet_used_is_the_associations() {
    // The peer's first packet from its second address is a HEARTBEAT to
    // verify it (section 5.4): it must be answered, never ABORTed.
    let (net, mut a, mut b) = setup(9, fast_cfg());
    for h in [&mut a, &mut b] {
        assert!(
            !h.events.iter().any(|e| matches!(e, Event::Closed(_))),
            "{:?}",
            h.events
        );
        assert_eq!(h.association().state(), State::Established);
    }
    assert_eq!(net.dropped, 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Random cuts of either link, never both at once: every message arrives once and in order.
    #[test]
    fn rfc9260_6_4_random_link_failures_lose_nothing(
        seed in 1u64..1000,
        schedule in proptest::collection::vec((0usize..2, 50u64..1500), 1..12),
    ) {
        let (mut net, mut a, mut b) = setup(seed, fast_cfg());
        let start = net.now();
        let mut t = Duration::ZERO;
        let plan: Vec<(Duration, Duration, usize)> = schedule
            .iter()
            .map(|&(link, ms)| {
                let from = t;
                t += Duration::from_millis(ms);
                (from, t, link)
            })
            .collect();
        stream(&mut net, &mut a, &mut b, 2000, |net, now| {
            let off = now - start;
            let down = plan.iter().find(|(s, e, _)| *s <= off && off < *e).map(|p| p.2);
            for k in 0..2 {
                net.links[k].up = down != Some(k);
            }
        });
        check_delivery(&b, 2000);
    }
}

#[test]
fn rfc9260_5_2_2_restart_that_adds_an_address_is_refused() {
    let (mut net, _a, mut b) = setup(10, fast_cfg());
    // A restarts (same port, new tag) and now lists a third address.
    let mut a2 = MultiHost::client(
        net.now(),
        &[A[0], A[1], "198.18.3.1"],
        5000,
        &[b_addr(0)],
        fast_cfg(),
        99,
    );
    assert!(net.run_until(&mut a2, &mut b, |a2, _| a2.association().is_closed(), LIMIT));
    assert!(
        a2.events.iter().any(|e| matches!(
            e,
            Event::Closed(sctp_core::CloseReason::PeerAborted(c))
                if c.iter().any(|c| c.code == sctp_core::CauseCode::RESTART_WITH_NEW_ADDRESSES)
        )),
        "{:?}",
        a2.events
    );
    assert_eq!(b.association().state(), State::Established);
}

#[test]
fn rfc9260_5_1_2_packets_to_an_address_not_ours_are_ignored() {
    let now = MultiNet::new(0, Vec::new()).now();
    let mut ep = sctp_core::Endpoint::new(
        sctp_core::EndpointConfig::default()
            .local_addresses(vec![B[0].parse().unwrap(), B[1].parse().unwrap()]),
        now,
    );
    ep.listen(2905);
    // An INIT from A's endpoint to B's port, once to an address of B's, once to another.
    let mut client = sctp_core::Endpoint::new(sctp_core::EndpointConfig::default(), now);
    let (_, mut assoc) = client.connect(now, 5000, b_addr(0)).unwrap();
    let mut buf = vec![0; 1500];
    let t = assoc.poll_transmit(now, &mut buf).expect("an INIT");
    let init = buf[..t.size].to_vec();
    let from: SocketAddr = "198.18.1.1:5000".parse().unwrap();
    let mut out = vec![0; 1500];
    let other: SocketAddr = "198.18.7.7:2905".parse().unwrap();
    assert!(ep.handle(now, from, other, &init, &mut out).is_none());
    assert!(matches!(
        ep.handle(now, from, b_addr(0), &init, &mut out),
        Some(sctp_core::DatagramEvent::Response(_))
    ));
}

fn ip(s: &str) -> std::net::IpAddr {
    s.parse().unwrap()
}

#[test]
fn rfc4895_rfc5061_auth_and_asconf_are_negotiated_by_default() {
    let (_, mut a, mut b) = setup(11, fast_cfg());
    for h in [&mut a, &mut b] {
        assert!(h.association().is_authenticated());
        assert!(h.association().supports_asconf());
    }
    assert_eq!(a.association().local_addresses(), &[ip(A[0]), ip(A[1])]);
}

#[test]
fn rfc5061_4_1_1_no_asconf_unless_both_offer_it() {
    let links = vec![PathLink::new(Duration::from_millis(10))];
    let mut net = MultiNet::new(12, links);
    let mut a = MultiHost::client(net.now(), &A[..1], 5000, &[b_addr(0)], fast_cfg(), 1);
    let mut b = MultiHost::server(net.now(), &B[..1], 2905, fast_cfg().asconf(false), 2);
    assert!(net.run_until(&mut a, &mut b, |a, b| a.connected() && b.connected(), LIMIT));
    assert!(a.association().is_authenticated() && b.association().is_authenticated());
    assert!(!a.association().supports_asconf() && !b.association().supports_asconf());
    let now = net.now();
    assert_eq!(
        a.association().add_local_address(now, ip("198.18.3.1")),
        Err(sctp_core::AsconfError::NotNegotiated)
    );
    let mut c = MultiHost::client(
        net.now(),
        &A[..1],
        5001,
        &[b_addr(0)],
        fast_cfg().auth(false).asconf(false),
        3,
    );
    // Without AUTH on one side, neither uses it.
    let mut d = MultiHost::server(net.now(), &B[..1], 2905, fast_cfg(), 4);
    assert!(net.run_until(&mut c, &mut d, |c, d| c.connected() && d.connected(), LIMIT));
    assert!(!c.association().is_authenticated() && !d.association().is_authenticated());
}

#[test]
fn rfc5061_5_1_add_then_delete_an_address() {
    let (mut net, mut a, mut b) = setup(13, fast_cfg());
    let new = ip("198.18.3.1");
    let now = net.now();
    a.association().add_local_address(now, new).unwrap();
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, _| a.association().local_addresses().contains(&new),
        LIMIT
    ));
    let new_path = SocketAddr::new(new, 5000);
    assert!(b.association().peer_addresses().any(|p| p == new_path));
    assert!(b.events.iter().any(|e| matches!(
        e,
        Event::PathChange { change: PathChange::Added, address } if *address == new_path
    )));
    let now = net.now();
    a.association().remove_local_address(now, new).unwrap();
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, _| !a.association().local_addresses().contains(&new),
        LIMIT
    ));
    assert!(!b.association().peer_addresses().any(|p| p == new_path));
    assert!(b.events.iter().any(|e| matches!(
        e,
        Event::PathChange { change: PathChange::Removed, address } if *address == new_path
    )));
    // Data still flows both ways afterwards.
    stream(&mut net, &mut a, &mut b, 300, |_, _| {});
    check_delivery(&b, 300);
}

#[test]
fn rfc5061_5_2_the_source_of_the_asconf_and_the_last_address_are_never_deleted() {
    let (mut net, mut a, mut b) = setup(14, fast_cfg());
    // A sends its ASCONF from A[0] (the primary link): B refuses to delete that.
    let now = net.now();
    a.association().remove_local_address(now, ip(A[0])).unwrap();
    net.run_for(&mut a, &mut b, Duration::from_secs(2));
    assert!(a.association().local_addresses().contains(&ip(A[0])));
    assert_eq!(b.association().peer_addresses().count(), 2);
    // Our side never asks to delete its last address.
    let now = net.now();
    a.association().remove_local_address(now, ip(A[1])).unwrap();
    net.run_for(&mut a, &mut b, Duration::from_secs(2));
    assert_eq!(a.association().local_addresses(), &[ip(A[0])]);
    let now = net.now();
    assert_eq!(
        a.association().remove_local_address(now, ip(A[0])),
        Err(sctp_core::AsconfError::LastAddress(ip(A[0])))
    );
}

#[test]
fn rfc5061_4_2_4_set_primary_request_moves_the_peers_data() {
    let (mut net, mut a, mut b) = setup(15, fast_cfg());
    let now = net.now();
    a.association().request_peer_primary(now, ip(A[1])).unwrap();
    assert!(net.run_until(
        &mut a,
        &mut b,
        |_, b| b.association().remote().ip() == ip(A[1]),
        LIMIT
    ));
}

#[test]
fn rfc5061_5_1_c4_asconf_is_retransmitted_and_applied_once() {
    let (mut net, mut a, mut b) = setup(16, fast_cfg());
    net.links[0].up = false;
    net.links[1].up = false;
    let now = net.now();
    a.association()
        .add_local_address(now, ip("198.18.3.1"))
        .unwrap();
    // Two T-4 RTO expiries while the network is down.
    net.run_for(&mut a, &mut b, Duration::from_millis(700));
    net.links[0].up = true;
    net.links[1].up = true;
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, _| a.association().local_addresses().len() == 3,
        LIMIT
    ));
    let added = b
        .events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::PathChange {
                    change: PathChange::Added,
                    ..
                }
            )
        })
        .count();
    assert_eq!(added, 1);
    assert_eq!(b.association().peer_addresses().count(), 3);
}

#[test]
fn rfc4895_6_3_asconf_without_auth_is_discarded() {
    use sctp_core::wire::chunk::Asconf;
    use sctp_core::wire::param::{AddIpAddress, Param, encode_address};
    use sctp_core::wire::{Chunk, PacketBuilder};
    let (net, mut a, mut b) = setup(17, fast_cfg());
    let tag = b.association().local_verification_tag();
    let mut abuf = [0u8; 20];
    let asconf = Chunk::Asconf(Asconf {
        serial: 0,
        params: vec![
            Param::from(ip(A[0])),
            Param::AddIpAddress(AddIpAddress {
                correlation_id: 1,
                address: encode_address(ip("198.18.9.9"), &mut abuf),
            }),
        ],
    });
    let mut buf = vec![0u8; 200];
    let mut pb = PacketBuilder::new(&mut buf, 5000, 2905, tag).unwrap();
    pb.push(&asconf).unwrap();
    let n = pb.finish();
    let now = net.now();
    let from = SocketAddr::new(ip(A[0]), 5000);
    let paths = b.association().peer_addresses().count();
    b.association().handle_packet_from(now, from, &buf[..n]);
    assert_eq!(b.association().peer_addresses().count(), paths);
    let mut out = vec![0u8; 1500];
    while let Some(t) = b.association().poll_transmit(now, &mut out) {
        let p = sctp_core::wire::Packet::new_checked(&out[..t.size]).unwrap();
        for c in p.chunks() {
            assert_ne!(
                c.unwrap().chunk_type,
                0x80,
                "an unauthenticated ASCONF was answered"
            );
        }
    }
    let _ = &mut a;
}

#[test]
fn rfc9260_8_3_heartbeat_on_demand_goes_to_the_path_asked_for() {
    let (mut net, mut a, mut b) = setup(18, fast_cfg().hb_interval(Some(Duration::from_secs(30))));
    let before = (net.links[0].carried, net.links[1].carried);
    let now = net.now();
    a.association()
        .request_heartbeat_to(now, b_addr(1))
        .unwrap();
    net.run_for(&mut a, &mut b, Duration::from_millis(100));
    // HEARTBEAT and HEARTBEAT ACK on the second link, nothing on the first.
    assert_eq!(net.links[1].carried - before.1, 2);
    assert_eq!(net.links[0].carried - before.0, 0);
    let unknown: SocketAddr = "198.18.9.9:2905".parse().unwrap();
    assert_eq!(
        a.association().request_heartbeat_to(now, unknown),
        Err(sctp_core::PathError::UnknownAddress(unknown))
    );
}

#[test]
fn rfc7829_5_1_a_potentially_failed_path_is_probed_once_per_rto() {
    let (mut net, mut a, mut b) = setup(19, fast_cfg());
    net.links[1].up = false;
    // Idle: the heartbeat to the second path (every 1 s) goes unanswered,
    // the path becomes potentially failed, and is then probed every RTO.
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, _| a.association().status().paths[1].state == PathState::PotentiallyFailed,
        LIMIT
    ));
    let sent = net.dropped;
    net.run_for(&mut a, &mut b, Duration::from_millis(1000));
    let probes = net.dropped - sent;
    // RTO between 100 and 400 ms (backed off): 2 to 10 probes a second
    // from A, plus B's own probes of its failed path.
    assert!((2..=20).contains(&probes), "{probes} probes in a second");
    net.links[1].up = true;
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, _| a.association().status().paths[1].state == PathState::Active,
        LIMIT
    ));
}

#[test]
fn rfc5061_4_2_5_adaptation_layer_indication_reaches_the_peer() {
    let links = vec![PathLink::new(Duration::from_millis(10))];
    let mut net = MultiNet::new(20, links);
    let cfg = fast_cfg().adaptation_layer_indication(Some(0x4d33_5541));
    let mut a = MultiHost::client(net.now(), &A[..1], 5000, &[b_addr(0)], fast_cfg(), 1);
    let mut b = MultiHost::server(net.now(), &B[..1], 2905, cfg, 2);
    assert!(net.run_until(&mut a, &mut b, |a, b| a.connected() && b.connected(), LIMIT));
    assert!(a.events.contains(&Event::AdaptationIndication(0x4d33_5541)));
    assert!(
        !b.events
            .iter()
            .any(|e| matches!(e, Event::AdaptationIndication(_)))
    );
}
