//! User message interleaving (RFC 8260), one rule per test, on a pair of
//! associations whose packets the test carries.

use super::*;
use crate::wire::chunk::IData;
use crate::{Mid, PrPolicy, SchedulerKind, SendOptions};

/// Both sides with I-DATA (and the rest of `cfg()`).
fn idata() -> AssociationConfig {
    cfg().interleaving(true)
}

/// The I-DATA chunks of packets: stream, MID, FSN or PPID, B, E, length.
fn i_data(packets: &[Vec<u8>]) -> Vec<(u16, u32, u32, bool, bool, usize)> {
    pick(packets, |c| match c {
        Chunk::IData(d) => Some((
            d.stream_id,
            d.mid.0,
            d.ppid_or_fsn,
            d.flags.beginning,
            d.flags.ending,
            d.payload.len(),
        )),
        _ => None,
    })
}

fn received(events: &[Event]) -> Vec<(u16, Vec<u8>, Mid)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m, info) => Some((m.stream_id, m.payload.to_vec(), info.mid)),
            _ => None,
        })
        .collect()
}

#[test]
fn rfc8260_2_2_i_data_is_used_only_when_both_sides_offer_it() {
    let (_, mut a, mut b) = established_with(500, idata(), idata());
    assert!(a.a().supports_interleaving() && b.a().supports_interleaving());
    let (now, mut a, mut b) = established_with(502, idata(), cfg().interleaving(false));
    assert!(!a.a().supports_interleaving());
    a.a()
        .send(0, Ppid(1), Bytes::from_static(b"plain"), false)
        .unwrap();
    let out = a.transmit(now);
    assert!(i_data(&out).is_empty());
    assert_eq!(data_chunks(&out[0]).len(), 1, "DATA, not I-DATA");
    let _ = b.events();
}

#[test]
fn rfc8260_2_1_fragments_carry_the_mid_the_first_the_ppid_the_others_their_fsn() {
    let (now, mut a, mut b) = established_with(504, idata(), idata());
    a.a()
        .send(3, Ppid(77), Bytes::from(vec![1u8; 3000]), false)
        .unwrap();
    a.a()
        .send(3, Ppid(77), Bytes::from_static(b"second"), false)
        .unwrap();
    let out = a.transmit(now);
    let chunks = i_data(&out);
    let max = a.a().max_fragment();
    assert_eq!(
        chunks,
        [
            (3, 0, 77, true, false, max),
            (3, 0, 1, false, false, max),
            (3, 0, 2, false, true, 3000 - 2 * max),
            (3, 1, 77, true, true, 6),
        ]
    );
    for p in &out {
        b.receive(now, a.me, p);
    }
    let got = received(&b.events());
    assert_eq!(got.len(), 2);
    assert_eq!((got[0].1.len(), got[0].2), (3000, Mid(0)));
    assert_eq!((&got[1].1[..], got[1].2), (&b"second"[..], Mid(1)));
}

#[test]
fn rfc8260_2_1_a_large_message_takes_turns_with_another_streams_messages() {
    let (now, mut a, mut b) = established_with(506, idata(), idata());
    a.a().set_scheduler(SchedulerKind::RoundRobin);
    a.a()
        .send(1, Ppid(1), Bytes::from(vec![9u8; 6000]), false)
        .unwrap();
    for i in 0..3u8 {
        a.a()
            .send(2, Ppid(1), Bytes::from(vec![i; 10]), false)
            .unwrap();
    }
    let out = a.transmit(now);
    let streams: Vec<u16> = i_data(&out).iter().map(|c| c.0).collect();
    // Stream 2's messages do not wait for the whole large message.
    let first_small = streams.iter().position(|&s| s == 2).unwrap();
    let last_large = streams.iter().rposition(|&s| s == 1).unwrap();
    assert!(first_small < last_large, "{streams:?}");
    for p in &out {
        b.receive(now, a.me, p);
    }
    settle(now, &mut a, &mut b, now + Duration::from_secs(1));
    let got = received(&b.events());
    let streams: Vec<u16> = got.iter().map(|m| m.0).collect();
    assert_eq!(streams, [2, 2, 2, 1], "the small ones arrive first");
    assert_eq!(got[3].1, vec![9u8; 6000], "the large one whole");
}

#[test]
fn rfc8260_2_2_a_data_chunk_after_i_data_was_negotiated_aborts() {
    let (now, a, mut b) = established_with(508, idata(), idata());
    let tag = b.a().local_vtag;
    let tsn = b.a().tracker.cumulative_tsn().next();
    let p = data_packet(&b, &a, tsn, b"old style", tag);
    b.receive(now, a.me, &p);
    assert_eq!(b.a().state(), State::Closed);
    let reply = b.transmit(now);
    assert!(matches!(
        chunks(&reply[0])[..],
        [Chunk::Abort(ref x)] if x.causes.iter().any(|c| matches!(c, crate::wire::cause::Cause::ProtocolViolation(_)))
    ));
}

#[test]
fn rfc8260_2_2_an_i_data_chunk_without_i_data_negotiated_aborts() {
    let (now, a, mut b) = established_with(510, cfg(), cfg());
    let tag = b.a().local_vtag;
    let chunk = Chunk::IData(IData {
        flags: DataFlags::COMPLETE,
        tsn: b.a().tracker.cumulative_tsn().next(),
        stream_id: 0,
        mid: Mid(0),
        ppid_or_fsn: 1,
        payload: b"new style",
    });
    let p = handshake::encode_packet(a.me.port(), b.me.port(), tag, &[chunk]);
    b.receive(now, a.me, &p);
    assert_eq!(b.a().state(), State::Closed);
}

#[test]
fn rfc8260_2_3_an_abandoned_message_is_skipped_by_i_forward_tsn() {
    let (now, mut a, mut b) = established_with(512, idata(), idata());
    let opts = SendOptions::default().pr_policy(PrPolicy::LimitedRetransmissions(0));
    a.a()
        .send_with(
            now,
            4,
            Ppid(1),
            Bytes::from_static(b"lost"),
            &opts.clone().unordered(true),
        )
        .unwrap();
    a.a()
        .send_with(now, 4, Ppid(1), Bytes::from_static(b"lost too"), &opts)
        .unwrap();
    let lost = a.transmit(now);
    assert_eq!(i_data(&lost).len(), 2);
    let t3 = a.a().poll_timeout().unwrap();
    a.a().handle_timeout(t3);
    let out = a.transmit(t3);
    // One I-FORWARD TSN naming stream 4's unordered and ordered MIDs.
    let entries: Vec<(u16, bool, u32)> = pick(&out, |c| match c {
        Chunk::IForwardTsn(f) => Some(
            f.streams
                .iter()
                .map(|s| (s.stream_id, s.unordered, s.mid.0))
                .collect::<Vec<_>>(),
        ),
        _ => None,
    })
    .concat();
    assert_eq!(entries, [(4, true, 0), (4, false, 0)]);
    for p in &out {
        b.receive(t3, a.me, p);
    }
    // The ordered stream goes on at MID 1.
    a.a()
        .send(4, Ppid(1), Bytes::from_static(b"next"), false)
        .unwrap();
    settle(t3, &mut a, &mut b, t3 + Duration::from_secs(1));
    assert_eq!(received(&b.events()), [(4, b"next".to_vec(), Mid(1))]);
    assert!(a.a().rtx.is_empty());
}
