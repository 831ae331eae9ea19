//! Partial delivery in the simulator (RFC 9260 section 6.9, RFC 6458
//! section 8.1.21): messages several times larger than the receiver's
//! window arrive intact under loss, handed up in pieces, with DATA and with
//! I-DATA (where small messages of another stream pass between the pieces);
//! a large message the sender abandons half-way is reported to the
//! receiver as a partial delivery cut short, never as a message.

use std::time::Duration;

use bytes::Bytes;
use sctp_core::{AssociationConfig, Event, Ppid, PrPolicy, SchedulerKind, SendError, SendOptions};
use sctp_sim::{Link, Network, SctpHost};

const WINDOW: u32 = 128 * 1024;

/// Message `id` of `len` bytes: its id, then bytes derived from it.
fn payload(id: u32, len: usize) -> Vec<u8> {
    let mut v = id.to_be_bytes().to_vec();
    v.extend((4..len).map(|i| (id as usize).wrapping_mul(31).wrapping_add(i / 7) as u8));
    v
}

fn id_of(p: &[u8]) -> u32 {
    u32::from_be_bytes(p[..4].try_into().unwrap())
}

fn pair(seed: u64, interleaving: bool, loss: f64) -> (Network, SctpHost, SctpHost) {
    let link = Link {
        loss,
        delay: Duration::from_millis(10),
        bandwidth: Some(20_000_000),
        ..Link::default()
    };
    let mut net = Network::new(seed, link.clone(), link);
    let sender = AssociationConfig::default()
        .rto_initial(Duration::from_millis(100))
        .rto_min(Duration::from_millis(100))
        .max_message_size(4 << 20)
        .send_buffer(8 << 20)
        .interleaving(interleaving)
        .scheduler(SchedulerKind::RoundRobin);
    let receiver = sender
        .clone()
        .receive_window(WINDOW)
        .partial_delivery_point(Some(32 * 1024))
        .max_message_size(64 * 1024);
    let mut a = SctpHost::client(
        net.now(),
        "198.18.0.1:5000",
        "198.18.0.2:2905",
        sender,
        seed * 2 + 1,
    );
    let mut b = SctpHost::server(net.now(), "198.18.0.2:2905", receiver, seed * 2 + 2);
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| a.connected() && b.connected(),
        Duration::from_secs(30)
    ));
    assert_eq!(a.association().supports_interleaving(), interleaving);
    (net, a, b)
}

/// Sends three messages of 1 to 2 MiB on stream 0 (one unordered) and 200
/// small ones on stream 1, under 5 % loss; all arrive intact, the large
/// ones in pieces no larger than the window.
fn large_messages_through_a_small_window(seed: u64, interleaving: bool) -> SctpHost {
    let (mut net, mut a, mut b) = pair(seed, interleaving, 0.05);
    let large = [(0, 1 << 20), (1, 2 << 20), (2, 1_500_000)];
    for &(id, len) in &large {
        let options = SendOptions::default().unordered(id == 2);
        let now = a.now();
        a.association()
            .send_with(now, 0, Ppid(id), Bytes::from(payload(id, len)), &options)
            .unwrap();
    }
    let mut next = 100u32;
    let done = net.run_until(
        &mut a,
        &mut b,
        |a, b| {
            while next < 300 {
                let now = a.now();
                let m = Bytes::from(payload(next, 200));
                match a
                    .association()
                    .send_with(now, 1, Ppid(next), m, &SendOptions::default())
                {
                    Ok(()) => next += 1,
                    Err(SendError::BufferFull { .. }) => break,
                    Err(e) => panic!("send {next}: {e}"),
                }
            }
            b.received.len() == 203
        },
        Duration::from_secs(300),
    );
    assert!(done, "received {} of 203", b.received.len());
    for m in &b.received {
        let id = id_of(&m.payload);
        let len = large.iter().find(|l| l.0 == id).map_or(200, |l| l.1);
        assert_eq!(m.payload.len(), len, "message {id} whole");
        assert!(m.payload[..] == payload(id, len)[..], "message {id} intact");
        assert_eq!(m.ppid, Ppid(id));
        assert_eq!(m.stream_id, u16::from(id >= 100));
    }
    let small: Vec<u32> = b
        .received
        .iter()
        .map(|m| id_of(&m.payload))
        .filter(|&id| id >= 100)
        .collect();
    assert!(small.windows(2).all(|w| w[0] < w[1]), "stream 1 in order");
    assert!(
        b.partial_pieces >= 3 * 1_000_000 / WINDOW as u64,
        "only {} pieces",
        b.partial_pieces
    );
    let status = b.association().status();
    assert_eq!(status.local_rwnd, WINDOW, "receive buffer empty at the end");
    a.association().shutdown(net.now());
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| a.saw(|e| *e == Event::ShutdownComplete) && b.state() == sctp_core::State::Closed,
        Duration::from_secs(60)
    ));
    assert!(!b.saw(|e| matches!(e, Event::Closed(_))), "{:?}", b.events);
    b
}

#[test]
fn rfc9260_6_9_messages_larger_than_the_window_arrive_in_pieces_with_data() {
    large_messages_through_a_small_window(41, false);
}

#[test]
fn rfc8260_2_1_messages_larger_than_the_window_arrive_in_pieces_with_i_data() {
    let b = large_messages_through_a_small_window(42, true);
    // With I-DATA and round robin, small messages of stream 1 arrive while
    // a large message is still in pieces (its last comes after them).
    let first_small = b.received.iter().position(|m| m.stream_id == 1).unwrap();
    assert!(
        first_small < 3,
        "small messages waited for the large ones: first at {first_small}"
    );
}

/// A 1 MiB message with a 200 ms lifetime, which the 20 Mbit/s link needs
/// twice as long to carry, under 2 % loss: the sender abandons it part-way,
/// and the receiver, holding only pieces, is told so; the messages around
/// it arrive intact.
fn abandoned_in_pieces(seed: u64, interleaving: bool) {
    let (mut net, mut a, mut b) = pair(seed, interleaving, 0.02);
    let now = a.now();
    let send = |a: &mut SctpHost, id: u32, len: usize, policy| {
        let options = SendOptions::default().pr_policy(policy);
        a.association()
            .send_with(now, 0, Ppid(id), Bytes::from(payload(id, len)), &options)
            .unwrap();
    };
    send(&mut a, 1, 1000, PrPolicy::Reliable);
    send(
        &mut a,
        2,
        1 << 20,
        PrPolicy::TimedReliability(Duration::from_millis(200)),
    );
    send(&mut a, 3, 1000, PrPolicy::Reliable);
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| a.association().buffered_amount() == 0 && b.received.len() >= 2,
        Duration::from_secs(120)
    ));
    assert!(
        a.saw(
            |e| matches!(e, Event::Abandoned { message, sent: true, .. } if message.ppid == Ppid(2))
        ),
        "the large message was abandoned: {:?}",
        a.events
    );
    let ids: Vec<u32> = b.received.iter().map(|m| id_of(&m.payload)).collect();
    assert_eq!(ids, [1, 3], "only the whole messages");
    assert!(b.partial_pieces > 0);
    assert!(
        b.saw(|e| matches!(
            e,
            Event::PartialDeliveryAborted {
                stream_id: 0,
                unordered: false,
                ..
            }
        )),
        "{:?}",
        b.events
    );
    assert_eq!(b.association().status().local_rwnd, WINDOW);
}

#[test]
fn rfc3758_3_6_a_message_abandoned_in_pieces_is_reported_cut_short_with_data() {
    abandoned_in_pieces(43, false);
}

#[test]
fn rfc8260_2_3_2_a_message_abandoned_in_pieces_is_reported_cut_short_with_i_data() {
    abandoned_in_pieces(44, true);
}
