//! Stream reconfiguration (RFC 6525), one rule per test, on a pair of
//! associations whose packets the test carries.

use super::*;
use crate::wire::param::{OutgoingSsnResetRequest, Param, ReconfigResult};
use crate::{ReconfigError, ReconfigOutcome};

/// The DATA chunks of packets: stream, SSN, payload.
fn data_of(packets: &[Vec<u8>]) -> Vec<(u16, u16, Vec<u8>)> {
    pick(packets, |c| match c {
        Chunk::Data(d) => Some((d.stream_id, d.ssn.0, d.payload.to_vec())),
        _ => None,
    })
}

/// The results of the Re-configuration Responses in packets.
fn results(packets: &[Vec<u8>]) -> Vec<ReconfigResult> {
    pick(packets, |c| match c {
        Chunk::ReConfig(r) => Some(
            r.params
                .iter()
                .filter_map(|p| match p {
                    Param::ReconfigResponse(r) => Some(r.result),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        ),
        _ => None,
    })
    .concat()
}

fn resets(events: &[Event]) -> Vec<(bool, Vec<u16>, ReconfigOutcome)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::StreamReset {
                incoming,
                streams,
                outcome,
            } => Some((*incoming, streams.clone(), *outcome)),
            _ => None,
        })
        .collect()
}

fn delivered(events: &[Event]) -> Vec<(u16, u16, Vec<u8>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m, info) => Some((m.stream_id, info.ssn.0, m.payload.to_vec())),
            _ => None,
        })
        .collect()
}

fn send(s: &mut Side, stream: u16, payload: &'static [u8]) {
    s.a()
        .send(stream, Ppid(1), Bytes::from_static(payload), false)
        .unwrap();
}

#[test]
fn rfc6525_5_1_2_an_outgoing_reset_starts_the_streams_at_ssn_zero_again() {
    let (now, mut a, mut b) = established(400);
    assert!(a.a().supports_reconfig());
    send(&mut a, 1, b"zero");
    send(&mut a, 1, b"one");
    let now = settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    a.a().reset_streams(&[1]).unwrap();
    let now = settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    assert_eq!(
        resets(&a.events()),
        [(false, vec![1], ReconfigOutcome::Performed)]
    );
    let ev = b.events();
    assert_eq!(delivered(&ev).len(), 2);
    assert_eq!(resets(&ev), [(true, vec![1], ReconfigOutcome::Performed)]);
    // The stream is used again from SSN 0, and delivered.
    send(&mut a, 1, b"again");
    let out = a.transmit(now);
    assert_eq!(data_of(&out), [(1, 0, b"again".to_vec())]);
    for p in &out {
        b.receive(now, a.me, p);
    }
    assert_eq!(delivered(&b.events()), [(1, 0, b"again".to_vec())]);
}

#[test]
fn rfc6525_5_1_2_a_stream_being_reset_carries_no_new_message_until_the_reset_is_acknowledged() {
    let (now, mut a, mut b) = established(401);
    a.a().reset_streams(&[1]).unwrap();
    send(&mut a, 1, b"held");
    send(&mut a, 2, b"other");
    let out = a.transmit(now);
    // The request and stream 2's message go; stream 1's waits.
    assert_eq!(data_of(&out), [(2, 0, b"other".to_vec())]);
    assert!(
        out.iter()
            .any(|p| chunks(p).iter().any(|c| matches!(c, Chunk::ReConfig(_))))
    );
    for p in &out {
        b.receive(now, a.me, p);
    }
    for p in b.transmit(now) {
        a.receive(now, b.me, &p);
    }
    // Acknowledged: the held message goes, with SSN 0.
    assert_eq!(data_of(&a.transmit(now)), [(1, 0, b"held".to_vec())]);
}

#[test]
fn rfc6525_5_2_2_a_reset_waits_in_progress_for_the_data_sent_before_it() {
    let (now, mut a, mut b) = established(402);
    send(&mut a, 1, b"lost at first");
    let lost = a.transmit(now);
    assert_eq!(lost.len(), 1);
    a.a().reset_streams(&[1]).unwrap();
    let out = a.transmit(now);
    for p in &out {
        b.receive(now, a.me, p);
    }
    // Sender's Last Assigned TSN is beyond what arrived: In progress.
    let reply = b.transmit(now);
    assert_eq!(results(&reply), [ReconfigResult::InProgress]);
    assert!(resets(&b.events()).is_empty());
    for p in &reply {
        a.receive(now, b.me, p);
    }
    // The data is retransmitted and arrives; the reset is performed then,
    // and the request's retransmission hears Success - Performed.
    let end = settle(now, &mut a, &mut b, now + Duration::from_secs(5));
    let ev = b.events();
    assert_eq!(delivered(&ev), [(1, 0, b"lost at first".to_vec())]);
    assert_eq!(resets(&ev), [(true, vec![1], ReconfigOutcome::Performed)]);
    assert_eq!(
        resets(&a.events()),
        [(false, vec![1], ReconfigOutcome::Performed)]
    );
    assert!(a.a().poll_timeout().is_none_or(|t| t > end));
}

#[test]
fn rfc6525_5_2_1_a_retransmitted_request_is_answered_again_and_never_applied_twice() {
    let (now, mut a, mut b) = established(403);
    a.a().reset_streams(&[3]).unwrap();
    let out = a.transmit(now);
    for p in out.iter().chain(&out) {
        b.receive(now, a.me, p);
    }
    let reply = b.transmit(now);
    assert_eq!(
        results(&reply),
        [
            ReconfigResult::SuccessPerformed,
            ReconfigResult::SuccessPerformed
        ]
    );
    assert_eq!(
        resets(&b.events()),
        [(true, vec![3], ReconfigOutcome::Performed)],
        "performed once"
    );
}

#[test]
fn rfc6525_5_2_1_an_unexpected_sequence_number_is_an_error() {
    let (now, a, mut b) = established(404);
    let tag = b.a().local_vtag;
    let streams = [0u16];
    let request = Chunk::ReConfig(crate::wire::chunk::ReConfig {
        params: vec![Param::OutgoingSsnResetRequest(OutgoingSsnResetRequest {
            request_seq: 12345,
            response_seq: 0,
            senders_last_tsn: Tsn(0),
            streams: crate::wire::List::Items(&streams),
        })],
    });
    let p = handshake::encode_packet(a.me.port(), b.me.port(), tag, &[request]);
    b.receive(now, a.me, &p);
    assert_eq!(
        results(&b.transmit(now)),
        [ReconfigResult::ErrorBadSequenceNumber]
    );
    assert!(resets(&b.events()).is_empty());
}

#[test]
fn rfc6525_5_2_3_an_incoming_reset_is_answered_by_the_peers_outgoing_reset() {
    let (now, mut a, mut b) = established(405);
    send(&mut b, 2, b"from b");
    let now = settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    assert_eq!(delivered(&a.events()).len(), 1);
    a.a().request_incoming_reset(&[2]).unwrap();
    let now = settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    assert_eq!(
        resets(&b.events()),
        [(false, vec![2], ReconfigOutcome::Performed)]
    );
    assert_eq!(
        resets(&a.events()),
        [(true, vec![2], ReconfigOutcome::Performed)]
    );
    send(&mut b, 2, b"again");
    settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    assert_eq!(delivered(&a.events()), [(2, 0, b"again".to_vec())]);
}

#[test]
fn rfc6525_5_1_5_streams_are_added_both_ways() {
    let (now, mut a, mut b) = established(406);
    let (out_before, in_before) = (a.a().outbound_streams(), a.a().inbound_streams());
    let b_in_before = b.a().inbound_streams();
    a.a().add_streams(5, 2).unwrap();
    settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    assert_eq!(a.a().outbound_streams(), out_before + 5);
    assert_eq!(b.a().inbound_streams(), b_in_before + 5);
    assert_eq!(b.a().outbound_streams(), a.a().inbound_streams());
    assert_eq!(a.a().inbound_streams(), in_before + 2);
    assert!(a.events().iter().any(|e| matches!(
        e,
        Event::StreamChange {
            outcome: ReconfigOutcome::Performed,
            ..
        }
    )));
    // A new stream carries data.
    let new = out_before + 4;
    send(&mut a, new, b"on a new stream");
    settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    assert_eq!(
        delivered(&b.events()),
        [(new, 0, b"on a new stream".to_vec())]
    );
    assert!(matches!(
        a.a().add_streams(u16::MAX, 0),
        Err(ReconfigError::TooManyStreams { .. })
    ));
}

#[test]
fn rfc6525_5_1_4_an_association_reset_gives_new_tsns_both_ways() {
    let (now, mut a, mut b) = established(407);
    send(&mut a, 0, b"before");
    send(&mut b, 0, b"before too");
    let now = settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    let _ = (a.events(), b.events());
    let old = a.a().rtx.next_tsn();
    a.a().reset_association().unwrap();
    let now = settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    let tsns = |e: &[Event]| -> Vec<(Tsn, Tsn)> {
        e.iter()
            .filter_map(|e| match e {
                Event::AssociationReset {
                    local_tsn,
                    remote_tsn,
                    outcome: ReconfigOutcome::Performed,
                } => Some((*local_tsn, *remote_tsn)),
                _ => None,
            })
            .collect()
    };
    let at_a = tsns(&a.events());
    let at_b = tsns(&b.events());
    assert_eq!(at_a.len(), 1);
    // Each side's next TSN is the one the other expects.
    assert_eq!(at_a, [(at_b[0].1, at_b[0].0)]);
    assert_eq!(at_a[0].0, old.add(1 << 31));
    // Data flows both ways on the new TSNs, from SSN 0.
    send(&mut a, 0, b"after");
    send(&mut b, 0, b"after too");
    settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    assert_eq!(delivered(&b.events()), [(0, 0, b"after".to_vec())]);
    assert_eq!(delivered(&a.events()), [(0, 0, b"after too".to_vec())]);
}

#[test]
fn rfc6525_5_1_1_a_lost_request_is_sent_again_by_the_reconfiguration_timer() {
    let (now, mut a, mut b) = established(408);
    a.a().reset_streams(&[]).unwrap();
    let lost = a.transmit(now);
    assert!(!lost.is_empty());
    let t = a.a().poll_timeout().unwrap();
    a.a().handle_timeout(t);
    let again = a.transmit(t);
    assert_eq!(again, lost, "the same request");
    for p in &again {
        b.receive(t, a.me, p);
    }
    settle(t, &mut a, &mut b, t + Duration::from_secs(1));
    assert_eq!(
        resets(&a.events()),
        [(false, vec![], ReconfigOutcome::Performed)]
    );
}

#[test]
fn rfc6525_reconfiguration_needs_the_peers_support() {
    let off = cfg().reconfig(false);
    let (_, mut a, _b) = established_with(409, cfg(), off);
    assert!(!a.a().supports_reconfig());
    assert_eq!(a.a().reset_streams(&[0]), Err(ReconfigError::NotNegotiated));
    let (_, mut a, _b) = established(410);
    assert!(matches!(
        a.a().reset_streams(&[50]),
        Err(ReconfigError::InvalidStream { stream_id: 50, .. })
    ));
}

#[test]
fn rfc6525_5_2_1_a_retransmitted_add_streams_request_is_answered_again_and_applied_once() {
    let (now, mut a, mut b) = established(411);
    let before = b.a().inbound_streams();
    a.a().add_streams(3, 0).unwrap();
    let out = a.transmit(now);
    for p in out.iter().chain(&out) {
        b.receive(now, a.me, p);
    }
    assert_eq!(
        results(&b.transmit(now)),
        [
            ReconfigResult::SuccessPerformed,
            ReconfigResult::SuccessPerformed
        ]
    );
    assert_eq!(b.a().inbound_streams(), before + 3, "added once");
}

#[test]
fn rfc6525_5_2_2_a_peer_not_accepting_resets_answers_denied_and_ssns_go_on() {
    let (now, mut a, mut b) = established(400);
    let config = b.a().config().clone().accept_stream_resets(false);
    b.a().reconfigure(now, config).unwrap();
    send(&mut a, 1, b"zero");
    let now = settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    a.a().reset_streams(&[1]).unwrap();
    let now = settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    assert_eq!(
        resets(&a.events()),
        [(false, vec![1], ReconfigOutcome::Denied)]
    );
    assert!(
        resets(&b.events()).is_empty(),
        "the refusing side reset nothing"
    );
    // The stream was not reset: its next message has the next SSN.
    send(&mut a, 1, b"one");
    settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    assert_eq!(delivered(&b.events()), [(1, 1, b"one".to_vec())]);
}

#[test]
fn rfc6525_5_2_4_a_peer_not_accepting_association_resets_answers_denied() {
    let (now, mut a, mut b) = established(400);
    let config = b.a().config().clone().accept_association_resets(false);
    b.a().reconfigure(now, config).unwrap();
    a.a().reset_association().unwrap();
    settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    let denied = a.events().iter().any(|e| {
        matches!(
            e,
            Event::AssociationReset {
                outcome: ReconfigOutcome::Denied,
                ..
            }
        )
    });
    assert!(denied, "no Denied association reset");
}
