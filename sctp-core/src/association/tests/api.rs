//! The application API of RFC 6458 on the engine side: per-message send
//! options, the receive information of messages, notifications read apart
//! from messages, status and counters, and run-time options.

use super::*;
use crate::CauseCode;
use crate::config::ConfigError;
use std::net::{IpAddr, Ipv6Addr};

/// An ERROR chunk packet from `from` to `to`'s association.
fn error_packet(to: &mut Side, from: &Side, causes: &[ErrorCause]) -> Vec<u8> {
    let tag = to.a().local_verification_tag();
    handshake::encode_packet_of(
        from.me.port(),
        to.me.port(),
        tag,
        &[&handshake::encode_error_chunk(causes)],
    )
}

#[test]
fn rfc7053_4_sack_immediately_sets_i_bit_on_last_fragment() {
    let (now, mut a, mut b) = established(101);
    let opts = SendOptions::default().sack_immediately(true);
    a.a()
        .send_with(now, 0, Ppid(1), Bytes::from(vec![7u8; 3000]), &opts)
        .unwrap();
    let out = a.transmit(now);
    let frags: Vec<_> = out.iter().flat_map(|p| data_chunks(p)).collect();
    assert_eq!(frags.len(), 3, "{frags:?}");
    // RFC 7053 section 4: only the DATA chunk with the message's last fragment asks.
    let i_bits: Vec<_> = frags.iter().map(|f| (f.1.ending, f.1.immediate)).collect();
    assert_eq!(i_bits, [(false, false), (false, false), (true, true)]);

    // A single-packet message with the I bit is SACKed at once; without it
    // the receiver waits for its delayed SACK (RFC 9260 section 6.2).
    for p in &out {
        b.receive(now, a.me, p);
    }
    b.transmit(now);
    a.a()
        .send(0, Ppid(1), Bytes::from_static(b"plain"), false)
        .unwrap();
    let plain = a.transmit(now);
    assert!(data_chunks(&plain[0]).iter().all(|d| !d.1.immediate));
    b.receive(now, a.me, &plain[0]);
    assert!(
        b.transmit(now).is_empty(),
        "a lone packet waits for the delayed SACK"
    );
    a.a()
        .send_with(now, 0, Ppid(1), Bytes::from_static(b"urgent"), &opts)
        .unwrap();
    let urgent = a.transmit(now);
    assert!(data_chunks(&urgent[0]).iter().all(|d| d.1.immediate));
    b.receive(now, a.me, &urgent[0]);
    let reply = b.transmit(now);
    assert!(
        matches!(chunks(&reply[0])[..], [Chunk::Sack(_)]),
        "SACKed at once"
    );
}

#[test]
fn rfc6458_5_3_4_send_failed_returns_context_and_whether_it_was_sent() {
    let (now, mut a, _b) = established(102);
    let opts = |ctx| SendOptions::default().context(ctx);
    a.a()
        .send_with(now, 0, Ppid(1), Bytes::from_static(b"whole"), &opts(7))
        .unwrap();
    // Larger than the initial cwnd: partly sent.
    a.a()
        .send_with(now, 1, Ppid(2), Bytes::from(vec![1u8; 10_000]), &opts(3))
        .unwrap();
    let out = a.transmit(now);
    assert!(!out.is_empty());
    assert!(
        a.a().status().pending_bytes > 0,
        "the window holds part back"
    );
    a.a()
        .send_with(now, 2, Ppid(3), Bytes::from_static(b"never"), &opts(4))
        .unwrap();
    // Plain send carries context 0.
    a.a()
        .send(2, Ppid(4), Bytes::from_static(b"plain"), true)
        .unwrap();
    a.a().abort(vec![ErrorCause::user_initiated_abort(b"bye")]);
    let failed: Vec<_> = a
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::SendFailed {
                message,
                context,
                sent,
            } => Some((message.ppid, message.payload.len(), context, sent)),
            _ => None,
        })
        .collect();
    assert_eq!(
        failed,
        [
            (Ppid(1), 5, 7, true),
            (Ppid(2), 10_000, 3, true),
            (Ppid(3), 5, 4, false),
            (Ppid(4), 5, 0, false),
        ]
    );
}

#[test]
fn rfc9260_3_3_10_12_user_initiated_abort_cause_carries_the_reason() {
    let (now, mut a, mut b) = established(103);
    let cause = ErrorCause::user_initiated_abort(b"maintenance");
    assert_eq!(cause.code, CauseCode::USER_INITIATED_ABORT);
    assert_eq!(cause.info, b"maintenance");
    assert_eq!(cause.to_string(), "User-Initiated Abort (\"maintenance\")");
    a.a().abort(vec![cause.clone()]);
    exchange(now, &mut a, &mut b);
    assert_eq!(
        b.events(),
        [Event::Closed(CloseReason::PeerAborted(vec![cause]))]
    );
}

#[test]
fn rfc9260_10_2_peer_error_reported_as_remote_error() {
    let (now, mut a, b) = established(104);
    let causes = vec![
        ErrorCause {
            code: CauseCode::INVALID_STREAM_IDENTIFIER,
            info: vec![0, 9, 0, 0],
        },
        ErrorCause::user_initiated_abort(b"x"),
    ];
    let p = error_packet(&mut a, &b, &causes);
    a.a().handle_packet(now, &p);
    assert_eq!(a.events(), [Event::RemoteError(causes)]);
    assert_eq!(a.a().state(), State::Established);
}

#[test]
fn rfc9260_5_2_6_stale_cookie_in_cookie_echoed_is_acted_on_not_reported() {
    let now = crate::test_epoch();
    let mut a = Side::new(now, A, 105, cfg());
    let mut b = Side::new(now, B, 106, cfg());
    a.connect(now, B);
    let init = a.transmit(now).remove(0);
    b.receive(now, a.me, &init);
    let init_ack = b.transmit(now).remove(0);
    a.receive(now, b.me, &init_ack);
    assert_eq!(a.a().state(), State::CookieEchoed);
    let stale = ErrorCause {
        code: CauseCode::STALE_COOKIE,
        info: 1_000_000u32.to_be_bytes().to_vec(),
    };
    let p = error_packet(&mut a, &b, &[stale]);
    a.a().handle_packet(now, &p);
    assert_eq!(a.a().state(), State::CookieWait);
    assert_eq!(a.events(), []);
}

#[test]
fn rfc6458_6_1_9_sender_dry_after_all_acked() {
    let (now, mut a, mut b) = established(107);
    for i in 0..3u8 {
        a.a()
            .send(0, Ppid(1), Bytes::from(vec![i; 1000]), false)
            .unwrap();
    }
    // Sent but not yet acknowledged: not dry.
    let out = a.transmit(now);
    assert_eq!(a.events(), []);
    for p in &out {
        b.receive(now, a.me, p);
    }
    settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    assert_eq!(a.a().buffered_amount(), 0);
    assert_eq!(a.events(), [Event::SenderDry], "exactly once");
    // The receiver sent nothing: it was never dry-after-busy.
    assert!(!b.events().contains(&Event::SenderDry));
}

#[test]
fn rfc6458_8_2_1_stats_count_packets_and_chunks() {
    let mut now = crate::test_epoch();
    let cfg_a = cfg().initial_tsn(Some(Tsn(1000)));
    let mut a = Side::new(now, A, 108, cfg_a);
    let mut b = Side::new(now, B, 109, cfg());
    a.connect(now, B);
    for i in 0..6u8 {
        a.a()
            .send(0, Ppid(1), Bytes::from(vec![i; 1000]), i % 2 == 1)
            .unwrap();
    }
    let mut sent_a: Vec<Vec<u8>> = Vec::new();
    let mut received_a: Vec<Vec<u8>> = Vec::new();
    let mut delivered_b: Vec<Vec<u8>> = Vec::new();
    let mut lost = false;
    let mut phase_two = false;
    for _ in 0..2000 {
        let pa = a.transmit(now);
        let pb = b.transmit(now);
        for p in pa {
            // The second DATA packet is lost: a gap, SACKs with gap blocks, a retransmission.
            let data = !data_chunks(&p).is_empty();
            if data && !lost && data_chunks(&p)[0].0 == Tsn(1001) {
                lost = true;
            } else {
                b.receive(now, a.me, &p);
                delivered_b.push(p.clone());
            }
            sent_a.push(p);
        }
        for p in pb.iter() {
            a.receive(now, b.me, p);
            received_a.push(p.clone());
        }
        if !sent_a.is_empty() && a.transmit_idle(now) && b.transmit_idle(now) {
            let next = [a.a().poll_timeout(), b.a().poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(t) => {
                    now = now.max(t);
                    a.a().handle_timeout(now);
                    b.a().handle_timeout(now);
                }
                None if !phase_two => {
                    // Data the other way, and a heartbeat on demand.
                    phase_two = true;
                    b.a()
                        .send(1, Ppid(2), Bytes::from_static(b"reply"), false)
                        .unwrap();
                    b.a()
                        .send(1, Ppid(2), Bytes::from_static(b"more"), true)
                        .unwrap();
                    a.a().request_heartbeat(now);
                }
                None => break,
            }
        }
    }
    assert!(lost && phase_two);
    #[derive(Debug, Default, PartialEq)]
    struct Tally {
        packets: u64,
        data: u64,
        unordered: u64,
        sacks: u64,
        gap_blocks: u64,
        control: u64,
        heartbeats: u64,
    }
    let tally = |packets: &[Vec<u8>]| {
        let mut t = Tally::default();
        for p in packets {
            t.packets += 1;
            for c in chunks(p) {
                match c {
                    Chunk::Data(d) => {
                        t.data += 1;
                        t.unordered += u64::from(d.flags.unordered);
                    }
                    Chunk::Sack(s) => {
                        t.sacks += 1;
                        t.gap_blocks += s.gap_ack_blocks.len() as u64;
                        t.control += 1;
                    }
                    Chunk::Heartbeat(_) => {
                        t.heartbeats += 1;
                        t.control += 1;
                    }
                    _ => t.control += 1,
                }
            }
        }
        t
    };
    let s = a.a().stats();
    let sent = tally(&sent_a);
    let got = tally(&received_a);
    assert_eq!(
        Tally {
            packets: s.packets_sent,
            data: s.data_chunks_sent,
            unordered: s.unordered_data_chunks_sent,
            sacks: s.sacks_sent,
            gap_blocks: 0,
            control: s.control_chunks_sent,
            heartbeats: s.heartbeats_sent,
        },
        Tally {
            gap_blocks: 0,
            ..sent
        }
    );
    assert_eq!(
        (
            s.packets_received,
            s.data_chunks_received,
            s.unordered_data_chunks_received,
            s.sacks_received,
            s.gap_ack_blocks_received,
            s.control_chunks_received,
        ),
        (
            got.packets,
            got.data,
            got.unordered,
            got.sacks,
            got.gap_blocks,
            got.control
        )
    );
    assert_eq!(sent.data, 7, "six messages and one retransmission");
    assert_eq!(
        sent.unordered, 4,
        "three unordered messages; the lost one (TSN 1001) went twice"
    );
    assert_eq!(sent.heartbeats, 1);
    assert!(
        got.data >= 2,
        "two replies, retransmitted if the delayed SACK outlasts the RTO"
    );
    assert_eq!(b.a().stats().data_chunks_sent, got.data);
    assert_eq!(
        b.a().stats().packets_sent + 1,
        got.packets,
        "plus the endpoint's INIT ACK"
    );
    assert!(got.gap_blocks >= 1);
    // Retransmissions are the DATA chunks whose TSN went before.
    let mut seen = std::collections::HashSet::new();
    let retransmitted = sent_a
        .iter()
        .flat_map(|p| data_chunks(p))
        .filter(|d| !seen.insert(d.0))
        .count() as u64;
    assert_eq!(s.retransmitted_chunks, retransmitted);
    assert_eq!(retransmitted, 1);
    assert!(s.fast_retransmits + s.t3_expiries + s.tail_loss_probes >= 1);
    assert!(s.max_rto >= a.a().status().primary.rto);

    // The receiver: the INIT went to its endpoint, everything else to the association.
    let r = b.a().stats();
    let to_b = tally(&delivered_b);
    assert_eq!(r.packets_received, to_b.packets - 1);
    assert_eq!(r.data_chunks_received, to_b.data);
    assert_eq!(r.unordered_data_chunks_received, to_b.unordered);
    assert_eq!(r.duplicate_tsns_received, 0);
    // New TSNs that arrived above the cumulative ack point + 1 (1001 was lost).
    let mut got_tsns = std::collections::BTreeSet::new();
    let mut cum = 999u32;
    let mut out_of_order = 0;
    for (tsn, _, _) in delivered_b.iter().flat_map(|p| data_chunks(p)) {
        if got_tsns.insert(tsn.0) {
            out_of_order += u64::from(tsn.0 > cum + 1);
            while got_tsns.contains(&(cum + 1)) {
                cum += 1;
            }
        }
    }
    assert_eq!(r.out_of_order_tsns_received, out_of_order);
    assert!(out_of_order >= 3, "1002..=1004 at least");
}

#[test]
fn rfc6458_8_2_1_status_reports_queues_windows_and_path() {
    let (now, mut a, _b) = established(110);
    let st = a.a().status();
    assert_eq!(st.state, State::Established);
    assert_eq!(st.primary.state, PathState::Active);
    assert_eq!(st.primary.address, addr(B));
    assert_eq!(st.primary.mtu, 1500);
    assert_eq!(st.fragmentation_point, 1500 - 20 - 12 - 16);
    assert_eq!(st.local_rwnd, cfg().receive_window);
    assert_eq!(
        (st.unacked_chunks, st.pending_chunks, st.pending_bytes),
        (0, 0, 0)
    );
    assert_eq!(st.outbound_streams, 10);
    a.a()
        .send(0, Ppid(1), Bytes::from(vec![0u8; 20_000]), false)
        .unwrap();
    let out = a.transmit(now);
    let st = a.a().status();
    let sent: usize = out.iter().map(|p| data_chunks(p).len()).sum();
    assert_eq!(st.unacked_chunks, sent);
    assert_eq!(st.pending_bytes, 20_000 - sent * st.fragmentation_point);
    assert_eq!(
        st.pending_chunks,
        st.pending_bytes.div_ceil(st.fragmentation_point)
    );
    assert_eq!(st.primary.flight_size, sent * st.fragmentation_point);
    assert_eq!(st.primary.cwnd, a.a().cwnd());
    assert_eq!(st.error_count, 0);
}

#[test]
fn rfc9260_8_3_reconfigured_heartbeat_interval_takes_effect() {
    let (now, mut a, mut b) = established(111);
    // cfg() has heartbeats off: no timer runs on an idle association.
    assert_eq!(a.a().poll_timeout(), None);
    let new = a
        .a()
        .config()
        .clone()
        .hb_interval(Some(Duration::from_secs(2)));
    a.a().reconfigure(now, new).unwrap();
    let rto = a.a().rto();
    let due = a.a().poll_timeout().expect("heartbeat timer armed");
    // Section 8.3: one interval plus RTO with jitter from now.
    assert!(
        due >= now + Duration::from_secs(2) + rto / 2,
        "{:?}",
        due - now
    );
    assert!(
        due <= now + Duration::from_secs(2) + rto * 3 / 2,
        "{:?}",
        due - now
    );
    a.a().handle_timeout(due);
    let out = a.transmit(due);
    assert!(
        matches!(chunks(&out[0])[..], [Chunk::Heartbeat(_)]),
        "{:?}",
        chunks(&out[0])
    );
    b.receive(due, a.me, &out[0]);
    exchange(due, &mut a, &mut b);
    assert_eq!(a.a().stats().heartbeats_sent, 1);
    // Turning heartbeats off stops the timer.
    let off = a.a().config().clone().hb_interval(None);
    a.a().reconfigure(due, off).unwrap();
    assert_eq!(a.a().poll_timeout(), None);
    // On demand (RFC 6458 SPP_HB_DEMAND) one still goes.
    a.a().request_heartbeat(due);
    let out = a.transmit(due);
    assert!(matches!(chunks(&out[0])[..], [Chunk::Heartbeat(_)]));
}

#[test]
fn reconfigure_rejects_fixed_and_invalid_fields() {
    let (now, mut a, _b) = established(112);
    let before = a.a().config().clone();
    let cases = [
        (before.clone().outbound_streams(3), "outbound_streams"),
        (before.clone().inbound_streams(3), "inbound_streams"),
        (before.clone().initial_tsn(Some(Tsn(5))), "initial_tsn"),
        (before.clone().ip_header_len(40), "ip_header_len"),
        (
            before.clone().valid_cookie_life(Duration::from_secs(5)),
            "valid_cookie_life",
        ),
    ];
    for (cfg, field) in cases {
        assert_eq!(
            a.a().reconfigure(now, cfg),
            Err(ConfigError::Fixed { field })
        );
    }
    let invalid = [
        before.clone().rto_min(Duration::ZERO),
        before.clone().delayed_ack_time(Duration::from_secs(1)),
        before.clone().sack_frequency(0),
        before.clone().path_mtu(100),
    ];
    for cfg in invalid {
        assert!(matches!(
            a.a().reconfigure(now, cfg),
            Err(ConfigError::Invalid { .. })
        ));
    }
    assert_eq!(a.a().config(), &before, "a refused change changes nothing");

    // RFC 6458 SCTP_RTOINFO: the RTO is clamped into the new bounds.
    let rto_now = a.a().rto();
    let lower = before
        .clone()
        .rto_initial(Duration::from_millis(20))
        .rto_min(Duration::from_millis(10))
        .rto_max(Duration::from_millis(50));
    a.a().reconfigure(now, lower).unwrap();
    assert!(rto_now > Duration::from_millis(50));
    assert_eq!(a.a().rto(), Duration::from_millis(50));
    // The path MTU applies as set_path_mtu; the fragmentation point follows.
    let small = a.a().config().clone().path_mtu(1280);
    a.a().reconfigure(now, small).unwrap();
    assert_eq!(a.a().path_mtu(), 1280);
    assert_eq!(a.a().status().fragmentation_point, 1280 - 20 - 12 - 16);
    // Max message size is enforced by send at once.
    let tiny = a.a().config().clone().max_message_size(10);
    a.a().reconfigure(now, tiny).unwrap();
    assert_eq!(
        a.a().send(0, Ppid(1), Bytes::from(vec![0u8; 11]), false),
        Err(SendError::TooLarge { size: 11, max: 10 })
    );
}

#[test]
fn rfc6458_8_1_19_sack_frequency_one_sacks_every_packet() {
    let (now, mut a, mut b) = established(113);
    a.a()
        .send(0, Ppid(1), Bytes::from_static(b"one"), false)
        .unwrap();
    let p = a.transmit(now).remove(0);
    b.receive(now, a.me, &p);
    assert!(b.transmit(now).is_empty(), "default: every second packet");
    let every = b.a().config().clone().sack_frequency(1);
    b.a().reconfigure(now, every).unwrap();
    // The shorter frequency applies to the next packet.
    a.a()
        .send(0, Ppid(1), Bytes::from_static(b"two"), false)
        .unwrap();
    let p = a.transmit(now).remove(0);
    b.receive(now, a.me, &p);
    let reply = b.transmit(now);
    assert!(matches!(chunks(&reply[0])[..], [Chunk::Sack(_)]));
    a.a()
        .send(0, Ppid(1), Bytes::from_static(b"three"), false)
        .unwrap();
    let p = a.transmit(now).remove(0);
    b.receive(now, a.me, &p);
    let reply = b.transmit(now);
    assert!(
        matches!(chunks(&reply[0])[..], [Chunk::Sack(_)]),
        "one packet, one SACK"
    );
}

#[test]
fn rfc6458_poll_message_and_poll_notification_keep_order_and_window_accounting() {
    let cfg_a = cfg().initial_tsn(Some(Tsn(100)));
    let cfg_b = cfg().receive_window(8000);
    let (now, mut a, mut b) = established_with(114, cfg_a, cfg_b);
    a.a()
        .send(0, Ppid(1), Bytes::from(vec![1u8; 3000]), false)
        .unwrap();
    let now = settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    let cause = ErrorCause::user_initiated_abort(b"note");
    let p = error_packet(&mut b, &a, std::slice::from_ref(&cause));
    b.a().handle_packet(now, &p);
    a.a()
        .send(0, Ppid(2), Bytes::from(vec![2u8; 1000]), false)
        .unwrap();
    a.a()
        .send(0, Ppid(3), Bytes::from(vec![3u8; 3500]), false)
        .unwrap();
    let now = settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    // 7500 bytes held for the user: the window advertised is nearly closed.
    assert_eq!(b.a().status().local_rwnd, 500);
    assert!(b.transmit(now).is_empty());

    // A notification is read past the messages before it; no window opens.
    assert_eq!(
        b.a().poll_notification(),
        Some(Event::RemoteError(vec![cause]))
    );
    assert_eq!(b.a().poll_notification(), None);
    assert!(b.transmit(now).is_empty());
    assert_eq!(b.a().status().local_rwnd, 500);

    // Reading a message frees its bytes and sends a window update at once
    // (RFC 9260 section 6.2).
    let (m, info) = b.a().poll_message().unwrap();
    assert_eq!((m.ppid, m.payload.len()), (Ppid(1), 3000));
    assert_eq!(
        (info.ssn, info.tsn, info.cumulative_tsn),
        (Ssn(0), Tsn(102), Tsn(102)),
        "RecvInfo names the last fragment's TSN"
    );
    assert_eq!(b.a().status().local_rwnd, 3500);
    let update = b.transmit(now);
    let c = chunks(&update[0]);
    let [Chunk::Sack(s)] = &c[..] else {
        panic!("{c:?}")
    };
    assert_eq!(s.a_rwnd, 3500);

    // The rest stays in order, whichever call reads it.
    let Some(Event::Message(m, info)) = b.a().poll_event() else {
        panic!("message expected")
    };
    assert_eq!((m.ppid, info.ssn, info.tsn), (Ppid(2), Ssn(1), Tsn(103)));
    let (m, info) = b.a().poll_message().unwrap();
    assert_eq!(
        (m.ppid, info.ssn, info.tsn, info.cumulative_tsn),
        (Ppid(3), Ssn(2), Tsn(106), Tsn(106))
    );
    assert_eq!(b.a().status().local_rwnd, 8000);
    assert_eq!(b.a().poll_message(), None);
    assert_eq!(b.a().poll_event(), None);
}

/// A client's COOKIE ECHO packet for `server`, made at `now`.
fn cookie_echo_from(now: Instant, client: &mut Side, server: &mut Side) -> Vec<u8> {
    client.connect(now, B);
    let init = client.transmit(now).remove(0);
    server.receive(now, client.me, &init);
    let init_ack = server.transmit(now).remove(0);
    client.receive(now, server.me, &init_ack);
    let echo = client.transmit(now).remove(0);
    assert!(matches!(chunks(&echo)[..], [Chunk::CookieEcho(_)]));
    echo
}

#[test]
fn rfc9260_5_1_3_cookie_secret_rotation_keeps_only_the_previous_secret() {
    let t0 = crate::test_epoch();
    let period = Duration::from_secs(10);
    let mut b = Side::new(t0, B, 120, cfg());
    b.ep = Endpoint::new(
        EndpointConfig::default()
            .association(cfg())
            .rng_seed(120)
            .cookie_secret_rotation(Some(period)),
        t0,
    );
    b.ep.listen(b.me.port());
    assert_eq!(b.ep.poll_timeout(), Some(t0 + period));
    let client = |port: u16| Side::new(t0, &format!("198.18.0.1:{port}"), u64::from(port), cfg());

    // Two cookies made just before the first rotation.
    let just_before = t0 + Duration::from_secs(9);
    let mut a1 = client(6001);
    let echo1 = cookie_echo_from(just_before, &mut a1, &mut b);
    let mut a2 = client(6002);
    let echo2 = cookie_echo_from(just_before, &mut a2, &mut b);

    // The rotation is driven by the timer.
    let after_first = t0 + Duration::from_millis(10_500);
    b.ep.handle_timeout(after_first);
    assert_eq!(b.ep.poll_timeout(), Some(t0 + 2 * period));
    b.receive(after_first, a1.me, &echo1);
    assert_eq!(
        b.ep.association_count(),
        1,
        "signed with the previous secret: accepted"
    );
    let mut a3 = client(6003);
    let echo3 = cookie_echo_from(after_first, &mut a3, &mut b);

    // A second rotation: the secret of two rotations ago is gone. Both
    // cookies are well within Valid.Cookie.Life (60 s).
    let after_second = t0 + Duration::from_millis(20_500);
    b.ep.handle_timeout(after_second);
    b.assoc = None;
    b.receive(after_second, a2.me, &echo2);
    assert_eq!(
        b.ep.association_count(),
        1,
        "signed two rotations ago: refused"
    );
    assert!(
        b.transmit(after_second).is_empty(),
        "a forged-looking cookie is not answered"
    );
    b.receive(after_second, a3.me, &echo3);
    assert_eq!(
        b.ep.association_count(),
        2,
        "signed one rotation ago: accepted"
    );
}

#[test]
fn rfc9260_8_4_5_endpoint_reports_lingering_pairs_until_they_expire() {
    let (now, mut a, mut b) = established(121);
    assert!(!a.ep.is_lingering());
    a.a().abort(Vec::new());
    exchange(now, &mut a, &mut b);
    let (h, _) = a.assoc.take().unwrap();
    a.ep.forget(h);
    assert!(a.ep.is_lingering());
    let expiry = a.ep.poll_timeout().unwrap();
    assert_eq!(expiry, now + EndpointConfig::default().linger);
    a.ep.handle_timeout(expiry);
    assert!(!a.ep.is_lingering());
    assert_eq!(a.ep.poll_timeout(), None);
}

/// 120 addresses added at once do not fit one ASCONF: each ASCONF, with
/// the AUTH chunk before it, fits the path MTU, and the requests left over
/// go in the next one once the first is acknowledged (RFC 5061 section 5.1
/// C1-C3; found by the association fuzzer as a 1,508-byte packet).
#[test]
fn rfc5061_5_1_asconf_requests_beyond_one_packet_wait_for_the_next_asconf() {
    let (now, mut a, mut b) = established(61);
    let added: Vec<IpAddr> = (0..120u16)
        .map(|i| IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 1, i)))
        .collect();
    for ip in &added {
        a.a().add_local_address(now, *ip).unwrap();
    }
    let mtu = a.a().path_mtu() - a.a().config().ip_header_len;
    let mut carried = Vec::new();
    for _ in 0..10 {
        let packets = a.transmit(now);
        for p in &packets {
            assert!(p.len() <= mtu, "{} bytes over {mtu}", p.len());
        }
        let asconfs = pick(&packets, |c| match c {
            Chunk::Asconf(x) => Some(
                x.params
                    .iter()
                    .filter(|p| matches!(p, crate::wire::param::Param::AddIpAddress(_)))
                    .count(),
            ),
            _ => None,
        });
        assert!(asconfs.len() <= 1, "one ASCONF in flight at a time");
        carried.extend(asconfs);
        for p in &packets {
            b.receive(now, a.me, p);
        }
        for p in b.transmit(now) {
            assert!(p.len() <= mtu, "answer of {} bytes over {mtu}", p.len());
            a.receive(now, b.me, &p);
        }
        if carried.iter().sum::<usize>() == added.len() {
            break;
        }
    }
    assert!(carried.len() >= 2, "{carried:?}");
    assert_eq!(carried.iter().sum::<usize>(), added.len(), "{carried:?}");
}
