//! Per-state tests with exact-packet assertions, named after the RFC 9260
//! rule they check. Two endpoints are wired by hand so each test decides
//! which packet is delivered, dropped or forged.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::*;
use crate::endpoint::{AssociationHandle, DatagramEvent, Endpoint, EndpointConfig};
use crate::handshake;
use crate::wire::chunk::{Abort, Data, DataFlags, ShutdownAck};
use crate::wire::{Chunk, Packet};
use crate::{Ppid, Ssn};

const A: &str = "198.18.0.1:5000";
const B: &str = "198.18.0.2:2905";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn cfg() -> AssociationConfig {
    AssociationConfig::default()
        .rto_initial(Duration::from_millis(100))
        .rto_min(Duration::from_millis(100))
        .hb_interval(None)
        // Many tests here watch the receiver's delayed SACK (RFC 9260 6.2).
        .sack_immediately_on_drain(false)
        // And DATA chunks: I-DATA has tests of its own.
        .interleaving(false)
}

/// Chunks of a packet, parsed.
fn chunks(p: &[u8]) -> Vec<Chunk<'_>> {
    Packet::new_checked(p).unwrap().verify_checksum().unwrap();
    crate::wire::ChunkIter::new(&p[12..], 12)
        .map(|c| c.unwrap().parse().unwrap())
        .collect()
}

/// Exchanges packets and fires timers until nothing is due before `until`.
fn settle(mut now: Instant, a: &mut Side, b: &mut Side, until: Instant) -> Instant {
    for _ in 0..1000 {
        exchange(now, a, b);
        let next = [a.a().poll_timeout(), b.a().poll_timeout()]
            .into_iter()
            .flatten()
            .min();
        match next {
            Some(t) if t <= until => {
                now = now.max(t);
                a.a().handle_timeout(now);
                b.a().handle_timeout(now);
            }
            _ => break,
        }
    }
    now
}

/// An established pair with each side's own configuration.
fn established_with(
    seed: u64,
    cfg_a: AssociationConfig,
    cfg_b: AssociationConfig,
) -> (Instant, Side, Side) {
    let now = crate::test_epoch();
    let mut a = Side::new(now, A, seed, cfg_a);
    let mut b = Side::new(now, B, seed + 1, cfg_b);
    a.connect(now, B);
    exchange(now, &mut a, &mut b);
    assert_eq!(a.events(), [Event::Connected]);
    assert_eq!(b.events(), [Event::Connected]);
    (now, a, b)
}

/// What `f` picks out of each chunk of `packets`, in order.
fn pick<T>(packets: &[Vec<u8>], mut f: impl FnMut(Chunk<'_>) -> Option<T>) -> Vec<T> {
    let mut out = Vec::new();
    for p in packets {
        out.extend(chunks(p).into_iter().filter_map(&mut f));
    }
    out
}

/// The DATA chunks of a packet: TSN, flags and payload length.
fn data_chunks(p: &[u8]) -> Vec<(Tsn, DataFlags, usize)> {
    chunks(p)
        .iter()
        .filter_map(|c| match c {
            Chunk::Data(d) => Some((d.tsn, d.flags, d.payload.len())),
            _ => None,
        })
        .collect()
}

fn vtag(p: &[u8]) -> VerificationTag {
    Packet::new_checked(p).unwrap().verification_tag()
}

struct Side {
    ep: Endpoint,
    me: SocketAddr,
    assoc: Option<(AssociationHandle, Association)>,
    outbox: Vec<Vec<u8>>,
}

impl Side {
    fn new(now: Instant, me: &str, seed: u64, cfg: AssociationConfig) -> Self {
        let mut ep = Endpoint::new(
            EndpointConfig::default().association(cfg).rng_seed(seed),
            now,
        );
        let me = addr(me);
        ep.listen(me.port());
        Self {
            ep,
            me,
            assoc: None,
            outbox: Vec::new(),
        }
    }

    fn connect(&mut self, now: Instant, to: &str) {
        let (h, a) = self.ep.connect(now, self.me.port(), addr(to)).unwrap();
        self.assoc = Some((h, a));
    }

    fn a(&mut self) -> &mut Association {
        &mut self.assoc.as_mut().unwrap().1
    }

    /// Packets this side sends now.
    fn transmit(&mut self, now: Instant) -> Vec<Vec<u8>> {
        let mut out = std::mem::take(&mut self.outbox);
        if let Some((_, a)) = &mut self.assoc {
            let mut buf = vec![0u8; 2048];
            while let Some(t) = a.poll_transmit(now, &mut buf) {
                out.push(buf[..t.size].to_vec());
            }
        }
        out
    }

    fn receive(&mut self, now: Instant, from: SocketAddr, p: &[u8]) {
        let mut buf = vec![0u8; 2048];
        match self.ep.handle(now, from, self.me, p, &mut buf) {
            Some(DatagramEvent::Association(h)) => {
                let (handle, a) = self.assoc.as_mut().unwrap();
                assert_eq!(*handle, h);
                a.handle_packet(now, p);
            }
            Some(DatagramEvent::NewAssociation(h, a)) => self.assoc = Some((h, *a)),
            Some(DatagramEvent::Response(t)) => self.outbox.push(buf[..t.size].to_vec()),
            None => {}
        }
    }

    fn events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.assoc.as_mut()?.1.poll_event()).collect()
    }

    /// Whether this side has nothing to send now (peeks without losing packets).
    fn transmit_idle(&mut self, now: Instant) -> bool {
        let out = self.transmit(now);
        let idle = out.is_empty();
        self.outbox = out;
        idle
    }
}

/// Delivers everything in both directions until quiet; returns the packets a sent.
fn exchange(now: Instant, a: &mut Side, b: &mut Side) -> Vec<Vec<u8>> {
    let mut sent_by_a = Vec::new();
    for _ in 0..50 {
        let pa = a.transmit(now);
        let pb = b.transmit(now);
        if pa.is_empty() && pb.is_empty() {
            break;
        }
        for p in &pa {
            b.receive(now, a.me, p);
        }
        for p in &pb {
            a.receive(now, b.me, p);
        }
        sent_by_a.extend(pa);
    }
    sent_by_a
}

fn established(seed: u64) -> (Instant, Side, Side) {
    let now = crate::test_epoch();
    let mut a = Side::new(now, A, seed, cfg());
    let mut b = Side::new(now, B, seed + 1, cfg());
    a.connect(now, B);
    exchange(now, &mut a, &mut b);
    assert_eq!(a.a().state(), State::Established);
    assert_eq!(b.a().state(), State::Established);
    assert_eq!(a.events(), [Event::Connected]);
    assert_eq!(b.events(), [Event::Connected]);
    (now, a, b)
}

fn data_packet(to: &Side, from: &Side, tsn: Tsn, payload: &[u8], tag: VerificationTag) -> Vec<u8> {
    let data = Chunk::Data(Data {
        flags: DataFlags::COMPLETE,
        tsn,
        stream_id: 0,
        ssn: Ssn(0),
        ppid: Ppid(1),
        payload,
    });
    handshake::encode_packet(from.me.port(), to.me.port(), tag, &[data])
}

/// The hazard of a multi-homed peer: a packet from its second address (or
/// after a route change) carries our tag and its port, and belongs to the
/// association. It must not be taken for out of the blue: rule 8 of RFC
/// 9260 section 8.4 would answer with ABORT carrying that tag, which the
/// peer accepts, and the association would die. With a wrong tag it stays
/// out of the blue.
#[test]
fn rfc9260_8_4_packet_from_another_peer_address_with_our_tag_is_not_out_of_the_blue() {
    let (now, mut a, mut b) = established(41);
    let tag = b.a().local_verification_tag();
    let other = SocketAddr::new("198.18.9.9".parse().unwrap(), a.me.port());
    let hb = handshake::encode_packet(
        a.me.port(),
        b.me.port(),
        tag,
        &[Chunk::Heartbeat(crate::wire::chunk::Heartbeat {
            info: b"probe",
        })],
    );
    b.receive(now, other, &hb);
    assert!(
        b.outbox.is_empty(),
        "answered by the endpoint: {:?}",
        b.outbox
    );
    let out = b.transmit(now);
    let acks: Vec<_> = out
        .iter()
        .flat_map(|p| {
            chunks(p)
                .into_iter()
                .map(|c| format!("{c:?}"))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        acks.iter().any(|c| c.starts_with("HeartbeatAck")),
        "{acks:?}"
    );
    assert!(!acks.iter().any(|c| c.starts_with("Abort")), "{acks:?}");
    assert_eq!(b.a().state(), State::Established);
    // The wrong tag from that address: out of the blue, ABORT with the T bit (rule 8).
    let forged = handshake::encode_packet(
        a.me.port(),
        b.me.port(),
        VerificationTag(tag.0 ^ 1),
        &[Chunk::Heartbeat(crate::wire::chunk::Heartbeat {
            info: b"probe",
        })],
    );
    b.receive(now, other, &forged);
    let reply = std::mem::take(&mut b.outbox);
    assert_eq!(reply.len(), 1);
    assert!(matches!(chunks(&reply[0])[..], [Chunk::Abort(_)]));
    assert_eq!(b.a().state(), State::Established);
    // Another peer port with our tag is someone else.
    let elsewhere = SocketAddr::new(other.ip(), a.me.port() + 1);
    let hb2 = handshake::encode_packet(
        elsewhere.port(),
        b.me.port(),
        tag,
        &[Chunk::Heartbeat(crate::wire::chunk::Heartbeat {
            info: b"probe",
        })],
    );
    b.receive(now, elsewhere, &hb2);
    assert_eq!(std::mem::take(&mut b.outbox).len(), 1);
    let _ = exchange(now, &mut a, &mut b);
}

/// Section 5.1.1: the INIT ACK offers no more outbound streams than the
/// INIT's MIS accepts, and both sides then use the same counts.
#[test]
fn rfc9260_5_1_1_init_ack_offers_at_most_the_peers_mis() {
    let now = crate::test_epoch();
    let mut a = Side::new(now, A, 51, cfg().inbound_streams(5).outbound_streams(3));
    let mut b = Side::new(now, B, 52, cfg().outbound_streams(10).inbound_streams(7));
    a.connect(now, B);
    let init = a.transmit(now);
    b.receive(now, a.me, &init[0]);
    let ack = std::mem::take(&mut b.outbox);
    let [Chunk::InitAck(ia)] = &chunks(&ack[0])[..] else {
        panic!("no INIT ACK")
    };
    assert_eq!(ia.num_outbound_streams, 5);
    assert_eq!(ia.num_inbound_streams, 7);
    a.receive(now, b.me, &ack[0]);
    exchange(now, &mut a, &mut b);
    assert_eq!((a.a().outbound_streams(), a.a().inbound_streams()), (3, 5));
    assert_eq!((b.a().outbound_streams(), b.a().inbound_streams()), (5, 3));
}

#[test]
fn rfc9260_5_1_init_has_tag_zero_and_no_address_parameters() {
    let now = crate::test_epoch();
    let mut a = Side::new(now, A, 1, cfg());
    a.connect(now, B);
    let out = a.transmit(now);
    assert_eq!(out.len(), 1);
    assert_eq!(vtag(&out[0]), VerificationTag(0));
    let c = chunks(&out[0]);
    let [Chunk::Init(init)] = &c[..] else {
        panic!("{c:?}")
    };
    assert_ne!(init.initiate_tag.0, 0);
    // Section 5.1.2: a single-homed endpoint lets the peer use the source address,
    // so a NAT on the path stays the only truth about addresses.
    assert!(
        !init.params.iter().any(|p| matches!(
            p,
            crate::wire::param::Param::Ipv4Address(_) | crate::wire::param::Param::Ipv6Address(_)
        )),
        "{:?}",
        init.params
    );
    assert_eq!(a.a().state(), State::CookieWait);
}

#[test]
fn rfc9260_5_1_t1_init_backs_off_then_gives_up() {
    let cfg = cfg().max_init_retransmits(3);
    let mut now = crate::test_epoch();
    let mut a = Side::new(now, A, 1, cfg);
    a.connect(now, B);
    assert_eq!(a.transmit(now).len(), 1);
    let mut gaps = Vec::new();
    for _ in 0..3 {
        let due = a.a().poll_timeout().unwrap();
        gaps.push(due - now);
        now = due;
        a.a().handle_timeout(now);
        let p = a.transmit(now);
        assert!(matches!(chunks(&p[0])[..], [Chunk::Init(_)]));
    }
    assert_eq!(gaps, [100, 200, 400].map(Duration::from_millis));
    now = a.a().poll_timeout().unwrap();
    a.a().handle_timeout(now);
    assert_eq!(a.a().state(), State::Closed);
    assert_eq!(a.events(), [Event::Closed(CloseReason::SetupTimedOut)]);
}

#[test]
fn rfc9260_5_1_3_init_creates_no_state_on_the_server() {
    let now = crate::test_epoch();
    let mut b = Side::new(now, B, 2, cfg());
    for i in 0..1000u16 {
        let mut a = Side::new(
            now,
            &format!("198.18.0.1:{}", 1000 + i),
            u64::from(i),
            cfg(),
        );
        a.connect(now, B);
        let init = a.transmit(now).remove(0);
        b.receive(now, a.me, &init);
    }
    assert_eq!(b.ep.association_count(), 0);
    assert_eq!(b.outbox.len(), 1000);
    assert!(
        b.outbox
            .iter()
            .all(|p| matches!(chunks(p)[..], [Chunk::InitAck(_)]))
    );
}

#[test]
fn rfc9260_5_1_5_expired_cookie_gets_stale_cookie_error() {
    let now = crate::test_epoch();
    let mut a = Side::new(now, A, 1, cfg());
    let mut b = Side::new(now, B, 2, cfg().valid_cookie_life(Duration::from_secs(1)));
    a.connect(now, B);
    let init = a.transmit(now).remove(0);
    b.receive(now, a.me, &init);
    let init_ack = b.transmit(now).remove(0);
    a.receive(now, b.me, &init_ack);
    let echo = a.transmit(now).remove(0);
    let later = now + Duration::from_secs(3);
    b.receive(later, a.me, &echo);
    assert_eq!(b.ep.association_count(), 0);
    let err = b.transmit(later).remove(0);
    assert_eq!(vtag(&err), a.a().local_verification_tag());
    let c = chunks(&err);
    let [Chunk::Error(e)] = &c[..] else {
        panic!("{c:?}")
    };
    assert!(
        matches!(e.causes[..], [crate::wire::cause::Cause::StaleCookie(s)] if s.staleness_us >= 1_000_000)
    );
    // Section 5.2.6: the client starts over with a Cookie Preservative.
    a.receive(later, b.me, &err);
    assert_eq!(a.a().state(), State::CookieWait);
    let init = a.transmit(later).remove(0);
    let c = chunks(&init);
    let [Chunk::Init(init)] = &c[..] else {
        panic!("{c:?}")
    };
    assert!(
        init.params
            .iter()
            .any(|p| matches!(p, crate::wire::param::Param::CookiePreservative(_)))
    );
    assert!(matches!(
        init.params[..1],
        [crate::wire::param::Param::CookiePreservative(_)]
    ));
}

#[test]
fn rfc9260_5_1_5_forged_cookie_is_silently_discarded() {
    let now = crate::test_epoch();
    let mut a = Side::new(now, A, 1, cfg());
    let mut b = Side::new(now, B, 2, cfg());
    a.connect(now, B);
    let init = a.transmit(now).remove(0);
    b.receive(now, a.me, &init);
    let init_ack = b.transmit(now).remove(0);
    a.receive(now, b.me, &init_ack);
    let mut echo = a.transmit(now).remove(0);
    // Flip a bit inside the cookie and fix the checksum: the MAC must catch it.
    echo[30] ^= 0x01;
    Packet::new_checked(&mut echo[..]).unwrap().fill_checksum();
    b.receive(now, a.me, &echo);
    assert_eq!(b.ep.association_count(), 0);
    assert!(b.transmit(now).is_empty());
}

#[test]
fn rfc9260_8_4_out_of_the_blue_rules() {
    let now = crate::test_epoch();
    let mut b = Side::new(now, B, 2, cfg());
    let stranger = Side::new(now, A, 1, cfg());
    // Rule 8: DATA for no association gets ABORT with the T bit and the tag reflected.
    let p = data_packet(&b, &stranger, Tsn(1), b"x", VerificationTag(0x1234));
    b.receive(now, stranger.me, &p);
    let out = b.transmit(now);
    assert_eq!(vtag(&out[0]), VerificationTag(0x1234));
    assert!(matches!(
        chunks(&out[0])[..],
        [Chunk::Abort(Abort { t_bit: true, .. })]
    ));
    // Rule 2: ABORT is never answered.
    let abort = handshake::encode_abort_packet(5000, 2905, VerificationTag(9), false, &[]);
    b.receive(now, stranger.me, &abort);
    assert!(b.transmit(now).is_empty());
    // Rule 5: SHUTDOWN ACK gets SHUTDOWN COMPLETE with the T bit.
    let sa = handshake::encode_packet(
        5000,
        2905,
        VerificationTag(77),
        &[Chunk::ShutdownAck(ShutdownAck)],
    );
    b.receive(now, stranger.me, &sa);
    let out = b.transmit(now);
    assert_eq!(vtag(&out[0]), VerificationTag(77));
    assert!(matches!(
        chunks(&out[0])[..],
        [Chunk::ShutdownComplete(
            crate::wire::chunk::ShutdownComplete { t_bit: true }
        )]
    ));
    // A port we do not own is never answered: another stack may own it.
    let p = handshake::encode_packet(5000, 9999, VerificationTag(1), &[]);
    b.receive(now, stranger.me, &p);
    assert!(b.transmit(now).is_empty());
}

#[test]
fn rfc9260_8_5_wrong_verification_tag_is_dropped() {
    let (now, mut a, mut b) = established(10);
    let right = b.a().local_verification_tag();
    let wrong = VerificationTag(right.0 ^ 1);
    let tsn = a.a().rtx.next_tsn();
    let p = data_packet(&b, &a, tsn, b"blind", wrong);
    b.receive(now, a.me, &p);
    assert!(b.events().is_empty());
    assert!(b.transmit(now).is_empty());
    // A blind ABORT with a wrong tag is ignored too (section 8.5.1 B).
    let abort = handshake::encode_abort_packet(5000, 2905, wrong, false, &[]);
    b.receive(now, a.me, &abort);
    assert_eq!(b.a().state(), State::Established);
    // With the T bit, the ABORT must carry the tag the receiver put on its own packets.
    let reflected = handshake::encode_abort_packet(5000, 2905, b.a().peer_vtag, true, &[]);
    b.receive(now, a.me, &reflected);
    assert_eq!(b.a().state(), State::Closed);
    let _ = exchange(now, &mut a, &mut b);
}

#[test]
fn rfc9260_6_2_delayed_sack_every_second_packet_or_after_200ms() {
    let (now, mut a, mut b) = established(20);
    let cfg_delay = Duration::from_millis(200);
    a.a()
        .send(0, Ppid(1), Bytes::from_static(b"one"), false)
        .unwrap();
    let p = a.transmit(now);
    assert_eq!(p.len(), 1);
    b.receive(now, a.me, &p[0]);
    // One packet: no SACK yet, the delayed-SACK timer runs.
    assert!(b.transmit(now).is_empty());
    assert_eq!(b.a().poll_timeout(), Some(now + cfg_delay));
    let later = now + cfg_delay;
    b.a().handle_timeout(later);
    let s = b.transmit(later);
    assert!(matches!(chunks(&s[0])[..], [Chunk::Sack(_)]));
    // Two packets: SACK at once.
    for m in [&b"two"[..], b"three"] {
        a.a()
            .send(0, Ppid(1), Bytes::copy_from_slice(m), false)
            .unwrap();
        let p = a.transmit(later);
        for p in &p {
            b.receive(later, a.me, p);
        }
    }
    let s = b.transmit(later);
    assert!(matches!(chunks(&s[0])[..], [Chunk::Sack(_)]), "{s:?}");
}

#[test]
fn rfc9260_6_2_gap_gets_immediate_sack_with_gap_block_and_duplicates_are_reported() {
    let (now, mut a, mut b) = established(30);
    for m in [&b"a"[..], b"b", b"c"] {
        a.a()
            .send(0, Ppid(1), Bytes::copy_from_slice(m), true)
            .unwrap();
    }
    // Nagle is off: one packet bundles all three; split them by sending one at a time.
    let p = a.transmit(now);
    assert_eq!(p.len(), 1);
    let c = chunks(&p[0]);
    assert_eq!(c.len(), 3, "bundled");
    let tsns: Vec<Tsn> = c
        .iter()
        .map(|c| match c {
            Chunk::Data(d) => d.tsn,
            _ => panic!(),
        })
        .collect();
    let tag = b.a().local_verification_tag();
    let third = data_packet(&b, &a, tsns[2], b"c", tag);
    b.receive(now, a.me, &third);
    let s = b.transmit(now);
    let c = chunks(&s[0]);
    let [Chunk::Sack(sack)] = &c[..] else {
        panic!("{c:?}")
    };
    assert_eq!(sack.cumulative_tsn_ack, tsns[0].prev());
    assert_eq!(
        sack.gap_ack_blocks
            .iter()
            .map(|g| (g.start, g.end))
            .collect::<Vec<_>>(),
        [(3, 3)]
    );
    b.receive(now, a.me, &third);
    let s = b.transmit(now);
    let c = chunks(&s[0]);
    let [Chunk::Sack(sack)] = &c[..] else {
        panic!("{c:?}")
    };
    assert_eq!(sack.duplicate_tsns.iter().collect::<Vec<_>>(), [tsns[2]]);
    // Section 6.7: each packet that leaves a gap is SACKed at once, and so
    // is the one that fills the last gap (the sender's window is small after
    // a loss; a delayed SACK would stall it).
    for (i, cum) in [(0, tsns[0]), (1, tsns[2])] {
        let p = data_packet(&b, &a, tsns[i], b"x", tag);
        b.receive(now, a.me, &p);
        let s = b.transmit(now);
        let c = chunks(&s[0]);
        let [Chunk::Sack(sack)] = &c[..] else {
            panic!("TSN {i}: no immediate SACK: {c:?}")
        };
        assert_eq!(sack.cumulative_tsn_ack, cum);
    }
}

/// Section 8.4 rule 5 after the association is gone: our SHUTDOWN COMPLETE
/// is lost, the client host forgets the closed association (its port is no
/// longer listened on or used), and the peer's retransmitted SHUTDOWN ACK
/// still gets a SHUTDOWN COMPLETE with the T bit while the (port, peer)
/// lingers; after `EndpointConfig::linger` the port is no longer answered.
#[test]
fn rfc9260_8_4_5_lost_shutdown_complete_is_answered_after_the_association_is_forgotten() {
    let (now, mut a, mut b) = established(31);
    a.ep.unlisten(a.me.port());
    a.a().shutdown(now);
    let shutdown = a.transmit(now);
    for p in &shutdown {
        b.receive(now, a.me, p);
    }
    let shutdown_ack = b.transmit(now);
    assert!(matches!(
        chunks(&shutdown_ack[0])[..],
        [Chunk::ShutdownAck(_)]
    ));
    for p in &shutdown_ack {
        a.receive(now, b.me, p);
    }
    let complete = a.transmit(now);
    assert!(matches!(
        chunks(&complete[0])[..],
        [Chunk::ShutdownComplete(_)]
    ));
    assert_eq!(a.a().state(), State::Closed);
    let (h, _) = a.assoc.take().unwrap();
    a.ep.forget(h);
    // The SHUTDOWN COMPLETE is lost: B's T2-shutdown fires and resends.
    let t2 = b.a().poll_timeout().expect("T2-shutdown armed");
    b.a().handle_timeout(t2);
    let again = b.transmit(t2);
    assert!(matches!(chunks(&again[0])[..], [Chunk::ShutdownAck(_)]));
    a.receive(t2, b.me, &again[0]);
    let answer = a.transmit(t2);
    assert_eq!(answer.len(), 1, "the lingering port answers");
    assert!(matches!(
        chunks(&answer[0])[..],
        [Chunk::ShutdownComplete(
            crate::wire::chunk::ShutdownComplete { t_bit: true }
        )]
    ));
    assert_eq!(vtag(&answer[0]), vtag(&again[0]));
    b.receive(t2, a.me, &answer[0]);
    assert_eq!(b.a().state(), State::Closed);
    assert!(b.events().contains(&Event::ShutdownComplete));
    // Another peer is never answered on that port; nor B once the linger is over.
    let stranger = addr("198.18.0.3:2905");
    a.receive(t2, stranger, &again[0]);
    assert!(a.transmit(t2).is_empty());
    let later = a.ep.poll_timeout().expect("lingering");
    a.ep.handle_timeout(later);
    assert_eq!(a.ep.poll_timeout(), None);
    a.receive(later, b.me, &again[0]);
    assert!(a.transmit(later).is_empty());
}

#[test]
fn rfc9260_6_2_empty_data_aborts_with_no_user_data() {
    let (now, a, mut b) = established(40);
    let tag = b.a().local_verification_tag();
    let p = data_packet(&b, &a, Tsn(1), b"", tag);
    b.receive(now, a.me, &p);
    assert_eq!(b.a().state(), State::Closed);
    let out = b.transmit(now);
    let c = chunks(&out[0]);
    let [Chunk::Abort(abort)] = &c[..] else {
        panic!("{c:?}")
    };
    assert_eq!(abort.causes[0].cause_code(), 9);
}

#[test]
fn rfc9260_3_2_unrecognized_chunk_action_bits() {
    let (now, mut a, mut b) = established(50);
    let tag = b.a().local_verification_tag();
    let tsn = a.a().rtx.next_tsn();
    let data = Data {
        flags: DataFlags::COMPLETE,
        tsn,
        stream_id: 0,
        ssn: Ssn(0),
        ppid: Ppid(1),
        payload: b"after",
    };
    let unknown = |t: u8| {
        Chunk::Unknown(crate::wire::chunk::UnknownChunk {
            chunk_type: t,
            flags: 0,
            value: b"zz",
        })
    };
    // 01: stop processing and report: the DATA after it is not processed.
    let p = handshake::encode_packet(5000, 2905, tag, &[unknown(0x4e), Chunk::Data(data)]);
    b.receive(now, a.me, &p);
    assert!(b.events().is_empty());
    let out = b.transmit(now);
    let c = chunks(&out[0]);
    let [Chunk::Error(e)] = &c[..] else {
        panic!("{c:?}")
    };
    assert_eq!(e.causes[0].cause_code(), 6);
    // 10: skip silently; the DATA after it is delivered.
    let p = handshake::encode_packet(5000, 2905, tag, &[unknown(0x8e), Chunk::Data(data)]);
    b.receive(now, a.me, &p);
    assert!(matches!(&b.events()[..], [Event::Message(m, _)] if &m.payload[..] == b"after"));
    let _ = exchange(now, &mut a, &mut b);
}

#[test]
fn rfc9260_6_1_zero_window_is_probed_and_flow_resumes() {
    let now = crate::test_epoch();
    let mut a = Side::new(now, A, 1, cfg());
    let mut b = Side::new(now, B, 2, cfg().receive_window(4000));
    a.connect(now, B);
    exchange(now, &mut a, &mut b);
    a.events();
    b.events();
    for i in 0..20u8 {
        a.a()
            .send(0, Ppid(1), Bytes::from(vec![i; 1000]), false)
            .unwrap();
    }
    // b never reads: its window closes after about 4 messages.
    let mut t = now;
    for _ in 0..20 {
        exchange(t, &mut a, &mut b);
        t += Duration::from_millis(300);
        a.a().handle_timeout(t);
        b.a().handle_timeout(t);
    }
    let b_assoc = b.a();
    let waiting = b_assoc.events.len();
    assert!((4..8).contains(&waiting), "{waiting} messages held");
    assert_eq!(b_assoc.a_rwnd(), 0);
    assert_eq!(
        a.a().state(),
        State::Established,
        "a zero window is not a failure"
    );
    // Reading frees the window and the rest follows.
    let mut got = b.events().len();
    for _ in 0..40 {
        t += Duration::from_millis(300);
        a.a().handle_timeout(t);
        b.a().handle_timeout(t);
        exchange(t, &mut a, &mut b);
        got += b.events().len();
    }
    assert_eq!(got, 20);
}

/// A slow reader's window above one MTU but too small for the peer's next
/// message stalled the peer until the delayed SACK: reading that doubles
/// the advertised window now sends the update at once (RFC 9260 6.2).
#[test]
fn rfc9260_6_2_reading_that_doubles_a_small_advertised_window_updates_it_at_once() {
    let now = crate::test_epoch();
    let mut a = Side::new(now, A, 1, cfg());
    let mut b = Side::new(now, B, 2, cfg().receive_window(10_000));
    a.connect(now, B);
    exchange(now, &mut a, &mut b);
    a.events();
    b.events();
    for i in 0..6u8 {
        a.a()
            .send(0, Ppid(1), Bytes::from(vec![i; 1000]), false)
            .unwrap();
    }
    // b does not read: let the delayed SACKs go so that the window b last
    // advertised is what it holds.
    let mut t = now;
    for _ in 0..5 {
        exchange(t, &mut a, &mut b);
        t += Duration::from_millis(250);
        a.a().handle_timeout(t);
        b.a().handle_timeout(t);
    }
    exchange(t, &mut a, &mut b);
    let advertised = b.a().advertised_rwnd;
    let mtu = b.a().sctp_mtu() as u32;
    assert!(
        advertised > mtu && advertised < 5_000,
        "advertised {advertised}"
    );
    assert!(!b.a().sack_due_now());
    // Reading everything: the update goes out now, not after 200 ms.
    assert!(!b.events().is_empty());
    assert!(b.a().sack_due_now());
    let sent = b.transmit(t);
    let rwnds = pick(&sent, |c| match c {
        Chunk::Sack(s) => Some(s.a_rwnd),
        _ => None,
    });
    assert_eq!(rwnds, [b.a().a_rwnd()]);
    assert!(rwnds[0] >= 2 * advertised);
}

#[test]
fn rfc9260_10_2_send_failure_returns_every_unacknowledged_message_whole() {
    let (now, mut a, _b) = established(60);
    let big = Bytes::from((0..5000u32).map(|i| i as u8).collect::<Vec<_>>());
    a.a().send(1, Ppid(9), big.clone(), false).unwrap();
    a.a()
        .send(2, Ppid(8), Bytes::from_static(b"queued"), true)
        .unwrap();
    // Part of it goes on the wire (and is lost); then the user aborts.
    let sent = a.transmit(now);
    assert!(!sent.is_empty());
    a.a().abort(Vec::new());
    let failed: Vec<Message> = a
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::SendFailed { message, .. } => Some(message),
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert_eq!(failed[0].payload, big);
    assert_eq!((failed[0].stream_id, failed[0].ppid), (1, Ppid(9)));
    assert_eq!(&failed[1].payload[..], b"queued");
    assert!(failed[1].unordered);
}

fn init_with(params: Vec<crate::wire::param::Param<'_>>) -> Vec<u8> {
    let init = crate::wire::chunk::Init {
        initiate_tag: VerificationTag(0xabcd),
        a_rwnd: 65_536,
        num_outbound_streams: 4,
        num_inbound_streams: 4,
        initial_tsn: Tsn(1),
        params,
    };
    handshake::encode_packet(5000, 2905, VerificationTag(0), &[Chunk::Init(init)])
}

#[test]
fn rfc9260_3_2_1_unrecognized_init_parameters_by_action_bits() {
    use crate::wire::param::{HostNameAddress, Param, UnknownParam};
    let now = crate::test_epoch();
    let mut b = Side::new(now, B, 2, cfg());
    let from = addr(A);
    let unknown = |t: u16| {
        Param::Unknown(UnknownParam {
            param_type: t,
            value: b"ab",
        })
    };
    // 11: skip and report; 01: stop and report (the one after it is not looked at).
    let p = init_with(vec![unknown(0xc0fe), unknown(0x40fe), unknown(0xc0fd)]);
    b.receive(now, from, &p);
    let out = b.transmit(now);
    let c = chunks(&out[0]);
    let [Chunk::InitAck(ack)] = &c[..] else {
        panic!("{c:?}")
    };
    let reported: Vec<u16> = ack
        .params
        .iter()
        .filter_map(|p| match p {
            Param::UnrecognizedParameter(u) => Some(u16::from_be_bytes([u.param[0], u.param[1]])),
            _ => None,
        })
        .collect();
    assert_eq!(reported, [0xc0fe, 0x40fe]);
    // 00: stop silently: nothing reported, the INIT is still answered.
    b.receive(
        now,
        from,
        &init_with(vec![unknown(0x00fe), unknown(0xc0fd)]),
    );
    let out = b.transmit(now);
    let c = chunks(&out[0]);
    let [Chunk::InitAck(ack)] = &c[..] else {
        panic!("{c:?}")
    };
    assert_eq!(
        ack.params
            .iter()
            .filter(|p| matches!(p, Param::UnrecognizedParameter(_)))
            .count(),
        0,
        "nothing reported: {:?}",
        ack.params
    );
    // A Host Name Address is answered with ABORT (Unresolvable Address).
    b.receive(
        now,
        from,
        &init_with(vec![Param::HostNameAddress(HostNameAddress {
            host_name: b"hss.example\0",
        })]),
    );
    let out = b.transmit(now);
    assert_eq!(vtag(&out[0]), VerificationTag(0xabcd));
    let c = chunks(&out[0]);
    let [Chunk::Abort(abort)] = &c[..] else {
        panic!("{c:?}")
    };
    assert_eq!(abort.causes[0].cause_code(), 5);
}

#[test]
fn rfc9260_5_1_zero_initiate_tag_is_discarded_and_zero_streams_aborted() {
    let now = crate::test_epoch();
    let mut b = Side::new(now, B, 2, cfg());
    let mut p = init_with(Vec::new());
    // Initiate Tag (bytes 16..20 of the packet) to zero.
    p[16..20].fill(0);
    Packet::new_checked(&mut p[..]).unwrap().fill_checksum();
    b.receive(now, addr(A), &p);
    assert!(b.transmit(now).is_empty());
    let mut p = init_with(Vec::new());
    // Number of Outbound Streams (bytes 24..26) to zero.
    p[24..26].fill(0);
    Packet::new_checked(&mut p[..]).unwrap().fill_checksum();
    b.receive(now, addr(A), &p);
    let out = b.transmit(now);
    let c = chunks(&out[0]);
    let [Chunk::Abort(abort)] = &c[..] else {
        panic!("{c:?}")
    };
    assert_eq!(abort.causes[0].cause_code(), 7);
}

#[test]
fn rfc9260_6_9_chunks_sent_before_an_mtu_drop_are_still_retransmitted() {
    let (now, mut a, mut b) = established(70);
    let big = Bytes::from(vec![5u8; 1400]);
    a.a().send(0, Ppid(1), big.clone(), false).unwrap();
    let lost = a.transmit(now);
    assert_eq!(lost.len(), 1);
    assert!(lost[0].len() > 1400);
    // An ICMP "packet too big" arrives: the path now carries 1,280 bytes.
    a.a().set_path_mtu(1280);
    let later = a.a().poll_timeout().unwrap();
    a.a().handle_timeout(later);
    let again = a.transmit(later);
    assert_eq!(again.len(), 1, "the T3-rtx retransmission goes, whole");
    assert_eq!(again[0].len(), lost[0].len());
    b.receive(later, a.me, &again[0]);
    assert!(matches!(&b.events()[..], [Event::Message(m, _)] if m.payload == big));
    // New messages are fragmented to the new MTU.
    a.a()
        .send(0, Ppid(1), Bytes::from(vec![6u8; 3000]), false)
        .unwrap();
    let t = later + Duration::from_millis(1);
    let sent = exchange(t, &mut a, &mut b);
    let data_packets: Vec<usize> = sent
        .iter()
        .filter(|p| chunks(p).iter().any(|c| matches!(c, Chunk::Data(_))))
        .map(Vec::len)
        .collect();
    assert!(data_packets.len() >= 3, "{data_packets:?}");
    assert!(
        data_packets.iter().all(|&n| n <= 1280 - 20),
        "{data_packets:?}"
    );
    assert!(matches!(&b.events()[..], [Event::Message(m, _)] if m.payload.len() == 3000));
}

fn cookie_of(init_ack: &[u8]) -> Vec<u8> {
    let c = chunks(init_ack);
    let [Chunk::InitAck(ack)] = &c[..] else {
        panic!("{c:?}")
    };
    ack.params
        .iter()
        .find_map(|p| match p {
            crate::wire::param::Param::StateCookie(s) => Some(s.cookie.to_vec()),
            _ => None,
        })
        .expect("a state cookie")
}

#[test]
fn rfc9260_5_2_4_case_c_stale_cookie_echo_from_an_older_init_is_discarded() {
    let now = crate::test_epoch();
    let mut a = Side::new(now, A, 1, cfg());
    let mut b = Side::new(now, B, 2, cfg());
    a.connect(now, B);
    // The INIT goes twice (T1-init); each gets its own INIT ACK with a new tag.
    let init = a.transmit(now).remove(0);
    b.receive(now, a.me, &init);
    let first_ack = b.transmit(now).remove(0);
    b.receive(now, a.me, &init);
    let second_ack = b.transmit(now).remove(0);
    assert_ne!(cookie_of(&first_ack), cookie_of(&second_ack));
    // A completes set-up with the second one.
    a.receive(now, b.me, &second_ack);
    exchange(now, &mut a, &mut b);
    assert_eq!(b.a().state(), State::Established);
    b.events();
    // A duplicate COOKIE ECHO built from the first INIT ACK shows up late.
    let old_tag = {
        let c = chunks(&first_ack);
        let [Chunk::InitAck(ack)] = &c[..] else {
            panic!()
        };
        ack.initiate_tag
    };
    let cookie = cookie_of(&first_ack);
    let echo = handshake::encode_packet(
        5000,
        2905,
        old_tag,
        &[Chunk::CookieEcho(crate::wire::chunk::CookieEcho {
            cookie: &cookie,
        })],
    );
    let tag_before = b.a().local_verification_tag();
    b.receive(now, a.me, &echo);
    assert!(b.transmit(now).is_empty(), "silently discarded");
    assert!(b.events().is_empty(), "no restart, no new association");
    assert_eq!(b.a().local_verification_tag(), tag_before);
}

#[test]
fn rfc9260_9_2_init_in_shutdown_ack_sent_gets_the_shutdown_ack_again() {
    let (now, mut a, mut b) = established(80);
    // a asks to shut down; b answers SHUTDOWN ACK, which is lost.
    a.a().shutdown(now);
    let shutdown = a.transmit(now);
    for p in &shutdown {
        b.receive(now, a.me, p);
    }
    assert_eq!(b.a().state(), State::ShutdownAckSent);
    let lost = b.transmit(now);
    assert!(matches!(chunks(&lost[0])[..], [Chunk::ShutdownAck(_)]));
    // a restarted meanwhile and sends INIT: b repeats its SHUTDOWN ACK (section 9.2).
    let mut fresh = Side::new(now, A, 81, cfg());
    fresh.connect(now, B);
    let init = fresh.transmit(now).remove(0);
    b.receive(now, fresh.me, &init);
    let out = b.transmit(now);
    assert!(
        matches!(chunks(&out[0])[..], [Chunk::ShutdownAck(_)]),
        "{out:?}"
    );
}

/// Found by the association fuzzer (fuzz/regressions/association/).
#[test]
fn rfc9260_9_1_a_closed_association_processes_nothing_more() {
    // An ABORT reaching an association the user already aborted: no second Closed event.
    let (now, mut a, mut b) = established(90);
    a.a().abort(Vec::new());
    let events = a.events();
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, Event::Closed(_)))
            .count(),
        1
    );
    let abort =
        handshake::encode_abort_packet(2905, 5000, a.a().local_verification_tag(), false, &[]);
    a.receive(now, b.me, &abort);
    assert!(a.events().is_empty());
    // A COOKIE ECHO resent to an aborted association does not revive it.
    let now = now + Duration::from_millis(1);
    let mut c = Side::new(now, "198.18.0.3:6000", 91, cfg());
    c.connect(now, B);
    let init = c.transmit(now).remove(0);
    b.assoc = None;
    b.receive(now, c.me, &init);
    let init_ack = b.transmit(now).remove(0);
    c.receive(now, b.me, &init_ack);
    let echo = c.transmit(now).remove(0);
    b.receive(now, c.me, &echo);
    assert_eq!(b.events(), [Event::Connected]);
    b.a().abort(Vec::new());
    b.events();
    b.receive(now, c.me, &echo);
    assert_eq!(b.a().state(), State::Closed);
    assert!(b.events().is_empty(), "no second Connected");
}

mod api;
mod interleaving;
mod loss;
mod partial_reliability;
mod stream_reconfig;
