//! Partial reliability under loss in the simulator (RFC 3758, RFC 7496):
//! with each policy and 10 % loss both ways, every message is delivered
//! intact at most once, or the sender is told it was abandoned; nothing is
//! lost silently, ordered streams stay in order, the receiver holds
//! nothing at the end and the association shuts down gracefully.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use bytes::Bytes;
use sctp_core::{AssociationConfig, Event, Ppid, PrPolicy, SendError, SendOptions};
use sctp_sim::{Link, Network, SctpHost};

const MESSAGES: u32 = 1500;
const STREAMS: u16 = 4;

/// Message `id`: its id, then bytes derived from it; sizes from 20 bytes to
/// three fragments.
fn payload(id: u32) -> Vec<u8> {
    let len = 20 + (id as usize * 7919) % 3500;
    let mut v = id.to_be_bytes().to_vec();
    v.extend((4..len).map(|i| (id as usize + i) as u8));
    v
}

fn id_of(p: &[u8]) -> u32 {
    u32::from_be_bytes(p[..4].try_into().unwrap())
}

/// What one run saw.
#[derive(Debug, Default)]
struct Outcome {
    delivered: usize,
    abandoned_unsent: usize,
    abandoned_sent: usize,
    /// Delivered and reported abandoned (possible only for a message sent
    /// in part: the peer may have had it all before the FORWARD TSN).
    both: usize,
    forward_tsns: u64,
}

fn run(policy: impl Fn(u32) -> PrPolicy, send_buffer: usize, seed: u64) -> Outcome {
    let link = Link {
        loss: 0.10,
        delay: Duration::from_millis(10),
        bandwidth: Some(2_000_000),
        ..Link::default()
    };
    let mut net = Network::new(seed, link.clone(), link);
    let cfg = AssociationConfig::default()
        .rto_initial(Duration::from_millis(100))
        .rto_min(Duration::from_millis(100))
        .send_buffer(send_buffer);
    let mut a = SctpHost::client(
        net.now(),
        "198.18.0.1:5000",
        "198.18.0.2:2905",
        cfg.clone(),
        seed * 2 + 1,
    );
    let mut b = SctpHost::server(net.now(), "198.18.0.2:2905", cfg.clone(), seed * 2 + 2);
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| a.connected() && b.connected(),
        Duration::from_secs(30)
    ));
    assert!(a.association().supports_partial_reliability());
    let mut next = 0u32;
    let done = net.run_until(
        &mut a,
        &mut b,
        |a, _| {
            while next < MESSAGES {
                let now = a.now();
                let options = SendOptions::default()
                    .pr_policy(policy(next))
                    .unordered(next.is_multiple_of(5));
                let stream = (next % u32::from(STREAMS)) as u16;
                match a.association().send_with(
                    now,
                    stream,
                    Ppid(next),
                    Bytes::from(payload(next)),
                    &options,
                ) {
                    Ok(()) => next += 1,
                    Err(SendError::BufferFull { .. }) => break,
                    Err(e) => panic!("send {next}: {e}"),
                }
            }
            next == MESSAGES && a.association().buffered_amount() == 0
        },
        Duration::from_secs(600),
    );
    assert!(done, "everything sent was acknowledged or abandoned");
    // The receiver holds nothing: no fragment or message waits, its whole
    // window is open again.
    assert_eq!(
        b.association().status().local_rwnd,
        cfg.receive_window,
        "receive buffer empty"
    );
    a.association().shutdown(net.now());
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| a.saw(|e| *e == Event::ShutdownComplete) && b.state() == sctp_core::State::Closed,
        Duration::from_secs(60)
    ));
    for h in [&a, &b] {
        assert!(
            !h.saw(|e| matches!(e, Event::Closed(_))),
            "no abort: {:?}",
            h.events
        );
    }

    let mut out = Outcome::default();
    let mut delivered = BTreeSet::new();
    let mut last_on_stream: BTreeMap<u16, u32> = BTreeMap::new();
    for m in &b.received {
        let id = id_of(&m.payload);
        assert_eq!(&m.payload[..], &payload(id)[..], "message {id} intact");
        assert_eq!(m.ppid, Ppid(id));
        assert!(delivered.insert(id), "message {id} delivered twice");
        if !m.unordered {
            let last = last_on_stream.insert(m.stream_id, id);
            assert!(
                last.is_none_or(|l| l < id),
                "stream {} out of order: {last:?} then {id}",
                m.stream_id
            );
        }
    }
    out.delivered = delivered.len();
    let mut abandoned = BTreeSet::new();
    for e in &a.events {
        if let Event::Abandoned { message, sent, .. } = e {
            let id = id_of(&message.payload);
            assert_eq!(&message.payload[..], &payload(id)[..], "given back whole");
            assert!(abandoned.insert(id), "message {id} abandoned twice");
            if delivered.contains(&id) {
                assert!(*sent, "message {id} delivered, yet reported never sent");
                out.both += 1;
            }
            if *sent {
                out.abandoned_sent += 1;
            } else {
                out.abandoned_unsent += 1;
            }
        }
    }
    for id in 0..MESSAGES {
        assert!(
            delivered.contains(&id) || abandoned.contains(&id),
            "message {id} lost silently"
        );
        if policy(id).is_reliable() {
            assert!(
                delivered.contains(&id),
                "reliable message {id} not delivered"
            );
        }
    }

    let stats = b.association().stats();
    out.forward_tsns = stats.forward_tsns_received;
    out
}

#[test]
fn rfc3758_timed_reliability_under_10_percent_loss_delivers_or_reports_every_message() {
    let o = run(
        |_| PrPolicy::TimedReliability(Duration::from_millis(150)),
        64 * 1024,
        21,
    );
    eprintln!("timed reliability: {o:?}");
    assert!(o.abandoned_sent + o.abandoned_unsent > 0, "{o:?}");
    assert!(o.forward_tsns > 0, "{o:?}");
    assert!(o.delivered > MESSAGES as usize / 2, "{o:?}");
}

#[test]
fn rfc7496_3_1_limited_retransmissions_under_10_percent_loss_delivers_or_reports_every_message() {
    let o = run(|_| PrPolicy::LimitedRetransmissions(1), 64 * 1024, 22);
    eprintln!("limited retransmissions: {o:?}");
    assert!(o.abandoned_sent > 0, "{o:?}");
    assert_eq!(
        o.abandoned_unsent, 0,
        "only sent messages are retransmitted"
    );
    assert!(o.forward_tsns > 0, "{o:?}");
}

#[test]
fn rfc7496_3_2_priority_under_10_percent_loss_delivers_or_reports_every_message() {
    // A small buffer that high-priority messages (every fourth) keep finding full.
    let o = run(
        |id| PrPolicy::Priority(if id % 4 == 0 { 0 } else { 7 }),
        16 * 1024,
        23,
    );
    eprintln!("priority: {o:?}");
    assert!(o.abandoned_sent + o.abandoned_unsent > 0, "{o:?}");
}

#[test]
fn rfc3758_mixed_policies_and_reliable_messages_under_loss() {
    let o = run(
        |id| match id % 3 {
            0 => PrPolicy::Reliable,
            1 => PrPolicy::LimitedRetransmissions(0),
            _ => PrPolicy::TimedReliability(Duration::from_millis(80)),
        },
        64 * 1024,
        24,
    );
    eprintln!("mixed: {o:?}");
    assert!(o.delivered >= MESSAGES as usize / 3, "{o:?}");
}

#[test]
fn rfc8260_2_2_two_default_associations_negotiate_every_extension() {
    let mut net = Network::new(1, Link::default(), Link::default());
    let cfg = AssociationConfig::default();
    let mut a = SctpHost::client(
        net.now(),
        "198.18.0.1:5000",
        "198.18.0.2:2905",
        cfg.clone(),
        1,
    );
    let mut b = SctpHost::server(net.now(), "198.18.0.2:2905", cfg, 2);
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| a.connected() && b.connected(),
        Duration::from_secs(5)
    ));
    for h in [&mut a, &mut b] {
        let s = h.association();
        assert!(s.supports_partial_reliability());
        assert!(s.supports_reconfig());
        assert!(s.supports_interleaving());
        assert!(s.is_authenticated() && s.supports_asconf());
    }
}
