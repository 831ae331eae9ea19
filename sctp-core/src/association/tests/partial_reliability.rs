//! Partial reliability (RFC 3758) and the policies of RFC 7496, one rule
//! per test, on a pair of associations whose packets the test carries.

use super::*;
use crate::wire::chunk::{ForwardTsn, ForwardTsnStream};
use crate::{PrPolicy, SendOptions};

fn pr(policy: PrPolicy) -> SendOptions {
    SendOptions::default().pr_policy(policy)
}

/// The FORWARD TSN chunks of packets.
fn forward_tsns(packets: &[Vec<u8>]) -> Vec<(Tsn, Vec<(u16, u16)>)> {
    pick(packets, |c| match c {
        Chunk::ForwardTsn(f) => Some((
            f.new_cumulative_tsn,
            f.streams.iter().map(|s| (s.stream_id, s.ssn.0)).collect(),
        )),
        _ => None,
    })
}

fn messages(events: &[Event]) -> Vec<Vec<u8>> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m, _) => Some(m.payload.to_vec()),
            _ => None,
        })
        .collect()
}

fn abandoned(events: &[Event]) -> Vec<(Vec<u8>, u32, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Abandoned {
                message,
                context,
                sent,
            } => Some((message.payload.to_vec(), *context, *sent)),
            _ => None,
        })
        .collect()
}

#[test]
fn rfc3758_3_3_pr_sctp_is_used_only_when_both_sides_offer_it() {
    let (_, mut a, mut b) = established(300);
    assert!(a.a().supports_partial_reliability());
    assert!(b.a().supports_partial_reliability());
    let off = cfg().partial_reliability(false);
    let now = crate::test_epoch();
    let mut a = Side::new(now, A, 302, cfg());
    let mut b = Side::new(now, B, 303, off);
    a.connect(now, B);
    let init = a.transmit(now);
    // RFC 3758 section 3.1: Forward-TSN-Supported in our INIT.
    let Chunk::Init(i) = &chunks(&init[0])[0] else {
        panic!("INIT expected")
    };
    assert!(
        i.params
            .iter()
            .any(|p| matches!(p, crate::wire::param::Param::ForwardTsnSupported(_)))
    );
    for p in &init {
        b.receive(now, a.me, p);
    }
    exchange(now, &mut a, &mut b);
    assert_eq!(a.a().state(), State::Established);
    assert!(!a.a().supports_partial_reliability());
    assert!(!b.a().supports_partial_reliability());
}

#[test]
fn rfc7496_3_1_limited_retransmissions_abandon_at_the_first_loss_and_forward_tsn_skips_it() {
    let (now, mut a, mut b) = established(304);
    a.a()
        .send_with(
            now,
            3,
            Ppid(1),
            Bytes::from_static(b"lost"),
            &pr(PrPolicy::LimitedRetransmissions(0)).context(9),
        )
        .unwrap();
    let lost = a.transmit(now);
    assert_eq!(lost.len(), 1, "sent once, then dropped by the network");
    // T3-rtx expires: retransmitting would exceed the limit of 0.
    let t3 = a.a().poll_timeout().unwrap();
    a.a().handle_timeout(t3);
    let out = a.transmit(t3);
    assert_eq!(
        abandoned(&a.events()),
        [(b"lost".to_vec(), 9, true)],
        "the sender learns of it, with its context"
    );
    // RFC 3758 section 3.5 C3: FORWARD TSN past it, with stream 3's SSN 0.
    let tsn = a.a().local_initial_tsn;
    assert_eq!(forward_tsns(&out), [(tsn, vec![(3, 0)])]);
    assert!(
        out.iter().all(|p| data_chunks(p).is_empty()),
        "never resent"
    );
    for p in &out {
        b.receive(t3, a.me, p);
    }
    // The next message on the stream is delivered at once (SSN 1 after the skipped 0).
    a.a()
        .send(3, Ppid(1), Bytes::from_static(b"next"), false)
        .unwrap();
    settle(t3, &mut a, &mut b, t3 + Duration::from_secs(1));
    assert_eq!(messages(&b.events()), [b"next".to_vec()]);
    assert_eq!(b.a().stats().forward_tsns_received, 1);
    assert_eq!(b.a().stats().tsns_skipped, 1);
    assert_eq!(a.a().buffered_amount(), 0);
    assert!(a.a().rtx.is_empty(), "the peer acknowledged past it");
}

#[test]
fn rfc3758_5_timed_reliability_drops_an_unsent_message_without_a_tsn_or_ssn() {
    let (now, mut a, mut b) = established(305);
    // A message larger than cwnd holds the queue; the timed message waits behind it.
    a.a()
        .send(1, Ppid(1), Bytes::from(vec![1u8; 20_000]), false)
        .unwrap();
    let ttl = Duration::from_millis(50);
    a.a()
        .send_with(
            now,
            1,
            Ppid(1),
            Bytes::from_static(b"stale"),
            &pr(PrPolicy::TimedReliability(ttl)),
        )
        .unwrap();
    a.a()
        .send(1, Ppid(1), Bytes::from_static(b"fresh"), false)
        .unwrap();
    let first = a.transmit(now);
    assert!(!first.is_empty());
    // The acknowledgements come after the lifetime is over.
    let later = now + ttl * 2;
    let mut t = later;
    for _ in 0..20 {
        for p in &first {
            b.receive(t, a.me, p);
        }
        exchange(t, &mut a, &mut b);
        if a.a().buffered_amount() == 0 {
            break;
        }
        t += Duration::from_millis(250);
        a.a().handle_timeout(t);
        b.a().handle_timeout(t);
    }
    assert_eq!(abandoned(&a.events()), [(b"stale".to_vec(), 0, false)]);
    assert_eq!(a.a().stats().forward_tsns_sent, 0, "the peer never knew");
    let got = messages(&b.events());
    assert_eq!(got.len(), 2);
    assert_eq!(got[1], b"fresh");
    assert_eq!(b.a().stats().tsns_skipped, 0);
}

#[test]
fn rfc7496_3_2_priority_takes_the_room_of_lower_priority_messages() {
    let small = cfg().send_buffer(3000);
    let (now, mut a, _b) = established_with(306, small, cfg());
    // Not yet established from a's view of the window: queue, nothing sent.
    let low = |n: u8| Bytes::from(vec![n; 1000]);
    for n in 0..3u8 {
        a.a()
            .send_with(
                now,
                0,
                Ppid(1),
                low(n),
                &pr(PrPolicy::Priority(5)).context(n.into()),
            )
            .unwrap();
    }
    // Full: a message of the same priority is refused.
    assert!(matches!(
        a.a()
            .send_with(now, 0, Ppid(1), low(9), &pr(PrPolicy::Priority(5))),
        Err(SendError::BufferFull { .. })
    ));
    // A higher one (lower value) takes the newest low-priority message's room.
    a.a()
        .send_with(now, 0, Ppid(1), low(7), &pr(PrPolicy::Priority(1)))
        .unwrap();
    let gone = abandoned(&a.events());
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].1, 2, "the newest went first");
    // A message too large for all the lower ones together abandons nothing.
    assert!(
        a.a()
            .send_with(
                now,
                0,
                Ppid(1),
                Bytes::from(vec![0; 2900]),
                &pr(PrPolicy::Priority(3))
            )
            .is_err()
    );
    assert!(a.events().is_empty());
}

#[test]
fn rfc3758_3_5_a3_a_message_cut_off_part_way_is_skipped_whole() {
    let (now, mut a, mut b) = established(307);
    // Three fragments; the first arrives, the rest are lost.
    a.a()
        .send_with(
            now,
            2,
            Ppid(1),
            Bytes::from(vec![5u8; 3000]),
            &pr(PrPolicy::LimitedRetransmissions(0)),
        )
        .unwrap();
    let out = a.transmit(now);
    let frags: usize = out.iter().map(|p| data_chunks(p).len()).sum();
    assert_eq!(frags, 3);
    b.receive(now, a.me, &out[0]);
    assert!(b.a().reassembly.buffered_bytes() > 0);
    // T3-rtx expires before any SACK: retransmitting would exceed the limit.
    let t3 = a.a().poll_timeout().unwrap();
    a.a().handle_timeout(t3);
    b.a().handle_timeout(t3);
    exchange(t3, &mut a, &mut b);
    let gone = abandoned(&a.events());
    assert_eq!(gone.len(), 1);
    assert!(gone[0].2, "partly sent");
    assert_eq!(gone[0].0.len(), 3000, "given back whole");
    // The peer dropped the fragment it held and holds nothing.
    assert_eq!(b.a().reassembly.buffered_bytes(), 0);
    assert!(messages(&b.events()).is_empty());
    assert!(a.a().rtx.is_empty());
}

#[test]
fn rfc3758_3_5_a3_an_unsent_rest_gets_a_tsn_that_the_forward_tsn_covers() {
    // cwnd lets only part of a timed message out; its lifetime ends before the rest goes.
    let (now, mut a, mut b) = established(308);
    let ttl = Duration::from_millis(10);
    a.a()
        .send_with(
            now,
            4,
            Ppid(1),
            Bytes::from(vec![6u8; 12_000]),
            &pr(PrPolicy::TimedReliability(ttl)),
        )
        .unwrap();
    let first = a.transmit(now);
    assert!(a.a().status().pending_bytes > 0, "cwnd holds the rest back");
    let later = now + ttl;
    for p in &first {
        b.receive(later, a.me, p);
    }
    exchange(later, &mut a, &mut b);
    let gone = abandoned(&a.events());
    assert_eq!(gone.len(), 1);
    assert!(gone[0].2);
    assert_eq!(a.a().status().pending_bytes, 0);
    assert_eq!(
        b.a().reassembly.buffered_bytes(),
        0,
        "held fragments dropped"
    );
    assert!(messages(&b.events()).is_empty());
    // Stream 4 goes on: SSN 1 is next.
    a.a()
        .send(4, Ppid(1), Bytes::from_static(b"after"), false)
        .unwrap();
    settle(later, &mut a, &mut b, later + Duration::from_secs(1));
    assert_eq!(messages(&b.events()), [b"after".to_vec()]);
    assert!(a.a().rtx.is_empty());
}

#[test]
fn rfc3758_3_6_forward_tsn_releases_ordered_messages_held_behind_skipped_ssns() {
    let (now, a, mut b) = established(309);
    let base = b.a().tracker.cumulative_tsn();
    let tag = b.a().local_vtag;
    let data = |tsn: Tsn, ssn: u16, payload: &'static [u8]| {
        Chunk::Data(Data {
            flags: DataFlags::COMPLETE,
            tsn,
            stream_id: 1,
            ssn: Ssn(ssn),
            ppid: Ppid(1),
            payload,
        })
    };
    // SSN 0 and 2 are lost; 1 and 3 arrive and wait.
    let p = handshake::encode_packet(
        a.me.port(),
        b.me.port(),
        tag,
        &[data(base.add(2), 1, b"one"), data(base.add(4), 3, b"three")],
    );
    b.receive(now, a.me, &p);
    assert!(messages(&b.events()).is_empty());
    // The sender abandons SSN 0 and 2: "one" goes up, then "three" after the skip.
    let streams = [ForwardTsnStream {
        stream_id: 1,
        ssn: Ssn(2),
    }];
    let fwd = Chunk::ForwardTsn(ForwardTsn {
        new_cumulative_tsn: base.add(3),
        streams: crate::wire::List::Items(&streams),
    });
    let p = handshake::encode_packet(a.me.port(), b.me.port(), tag, &[fwd]);
    b.receive(now, a.me, &p);
    assert_eq!(messages(&b.events()), [b"one".to_vec(), b"three".to_vec()]);
    // The cumulative TSN took in the held TSN above the new point.
    assert_eq!(b.a().tracker.cumulative_tsn(), base.add(4));
    assert_eq!(b.a().stats().tsns_skipped, 2);
    let reply = b.transmit(now);
    assert!(
        matches!(chunks(&reply[0])[..], [Chunk::Sack(s)] if s.cumulative_tsn_ack == base.add(4)),
        "answered with a SACK at once"
    );
    // An out-of-date FORWARD TSN changes nothing and is answered by a SACK (section 3.6).
    let old = Chunk::ForwardTsn(ForwardTsn {
        new_cumulative_tsn: base.add(1),
        streams: crate::wire::List::EMPTY,
    });
    let p = handshake::encode_packet(a.me.port(), b.me.port(), tag, &[old]);
    b.receive(now, a.me, &p);
    assert_eq!(b.a().tracker.cumulative_tsn(), base.add(4));
    assert_eq!(b.transmit(now).len(), 1);
    let _ = a;
}

#[test]
fn rfc3758_3_3_forward_tsn_without_pr_sctp_is_ignored() {
    let off = cfg().partial_reliability(false);
    let now = crate::test_epoch();
    let mut a = Side::new(now, A, 310, off.clone());
    let mut b = Side::new(now, B, 311, off);
    a.connect(now, B);
    exchange(now, &mut a, &mut b);
    let _ = (a.events(), b.events());
    let base = b.a().tracker.cumulative_tsn();
    let fwd = Chunk::ForwardTsn(ForwardTsn {
        new_cumulative_tsn: base.add(5),
        streams: crate::wire::List::EMPTY,
    });
    let tag = b.a().local_vtag;
    let p = handshake::encode_packet(a.me.port(), b.me.port(), tag, &[fwd]);
    b.receive(now, a.me, &p);
    assert_eq!(b.a().tracker.cumulative_tsn(), base);
    assert_eq!(b.a().state(), State::Established);
}

#[test]
fn rfc7496_3_2_without_pr_sctp_a_begun_message_keeps_its_room() {
    let now = crate::test_epoch();
    let mut a = Side::new(now, A, 312, cfg().send_buffer(20_000));
    let mut b = Side::new(now, B, 313, cfg().partial_reliability(false));
    a.connect(now, B);
    exchange(now, &mut a, &mut b);
    assert!(!a.a().supports_partial_reliability());
    a.a()
        .send_with(
            now,
            0,
            Ppid(1),
            Bytes::from(vec![1u8; 20_000]),
            &pr(PrPolicy::Priority(5)),
        )
        .unwrap();
    let out = a.transmit(now);
    assert!(
        !out.is_empty() && a.a().status().pending_bytes > 0,
        "begun, not done"
    );
    // Only PR-SCTP could tell the peer to drop what it has of it: refused.
    assert!(matches!(
        a.a().send_with(
            now,
            0,
            Ppid(1),
            Bytes::from(vec![2u8; 1000]),
            &pr(PrPolicy::Priority(0))
        ),
        Err(SendError::BufferFull { .. })
    ));
    assert!(abandoned(&a.events()).is_empty());
}
