//! Loss recovery with exact control over which packet is lost: lost
//! retransmissions, tail losses, one congestion response per loss event,
//! the T3-rtx restart and back-off rules, and SACKs that carry every gap.

use std::cell::Cell;

use super::*;

/// One packet of user data per message (the path MTU is 1500).
const MSG: usize = 1400;
/// The SCTP MTU of `cfg()`: 1500 less the IPv4 header.
const MTU: usize = 1480;

fn data_tsns(p: &[u8]) -> Vec<Tsn> {
    chunks(p)
        .iter()
        .filter_map(|c| match c {
            Chunk::Data(d) => Some(d.tsn),
            _ => None,
        })
        .collect()
}

fn send(a: &mut Side, n: u32) {
    for i in 0..n {
        a.a()
            .send(0, Ppid(1), Bytes::from(vec![i as u8; MSG]), false)
            .unwrap();
    }
}

/// Delivered messages among `events`.
fn delivered(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, Event::Message(..)))
        .count()
}

/// What a run saw of the sender.
#[derive(Debug, Default)]
struct Seen {
    /// Every packet the sender transmitted, dropped or not.
    sent: Vec<Vec<u8>>,
    /// The smallest congestion window seen between rounds.
    min_cwnd: usize,
    /// Messages the receiver delivered.
    delivered: usize,
}

impl Seen {
    fn transmissions_of(&self, tsn: Tsn) -> usize {
        self.sent
            .iter()
            .filter(|p| data_tsns(p).contains(&tsn))
            .count()
    }
}

/// Rounds of 1 ms: due timers fire, the sender's packets go to the
/// receiver unless `lose` says otherwise, the receiver's go back. Stops
/// early once `until` messages have been delivered.
fn run(
    now: &mut Instant,
    a: &mut Side,
    b: &mut Side,
    rounds: usize,
    until: usize,
    lose: impl Fn(&[u8]) -> bool,
) -> Seen {
    let mut seen = Seen {
        min_cwnd: a.a().cwnd(),
        ..Seen::default()
    };
    for _ in 0..rounds {
        *now += Duration::from_millis(1);
        for s in [&mut *a, &mut *b] {
            if s.a().poll_timeout().is_some_and(|t| t <= *now) {
                s.a().handle_timeout(*now);
            }
        }
        for p in a.transmit(*now) {
            if !lose(&p) {
                b.receive(*now, a.me, &p);
            }
            seen.sent.push(p);
        }
        for p in b.transmit(*now) {
            a.receive(*now, b.me, &p);
        }
        seen.delivered += delivered(&b.events());
        seen.min_cwnd = seen.min_cwnd.min(a.a().cwnd());
        if seen.delivered >= until {
            break;
        }
    }
    seen
}

/// An established pair whose sender has a large window in congestion avoidance.
fn open_window(seed: u64, cwnd: usize) -> (Instant, Side, Side) {
    let (now, mut a, b) = established(seed);
    a.a().paths[0].cc.cwnd = cwnd;
    a.a().paths[0].cc.ssthresh = cwnd;
    (now, a, b)
}

#[test]
fn rfc8985_6_2_a_lost_fast_retransmission_is_repaired_without_t3_rtx() {
    let (mut now, mut a, mut b) = open_window(70, 40 * MTU);
    let start = now;
    send(&mut a, 30);
    // The first DATA packet is lost, and so is its first retransmission.
    let victim = Cell::new(None);
    let losses = Cell::new(0);
    let seen = run(&mut now, &mut a, &mut b, 90, 30, |p| {
        let tsns = data_tsns(p);
        let Some(&first) = tsns.first() else {
            return false;
        };
        if victim.get().is_none() {
            victim.set(Some(first));
        }
        let hit = tsns.contains(&victim.get().unwrap()) && losses.get() < 2;
        losses.set(losses.get() + usize::from(hit));
        hit
    });
    assert_eq!(seen.delivered, 30, "every message delivered");
    assert_eq!(losses.get(), 2);
    assert_eq!(seen.transmissions_of(victim.get().unwrap()), 3);
    // Repaired well within the first RTO (100 ms): T3-rtx never fired, so
    // the window was not cut to one MTU; but the retransmission's loss shows
    // congestion persisted: halved for the first loss, and again for it.
    assert!(
        now - start < Duration::from_millis(100),
        "{:?}",
        now - start
    );
    assert_eq!(seen.min_cwnd, 10 * MTU);
}

#[test]
fn rfc8985_7_a_lost_tail_is_probed_before_t3_rtx() {
    let (mut now, mut a, mut b) = open_window(71, 40 * MTU);
    send(&mut a, 4);
    // The last two packets of the burst are lost: no later SACK can tell.
    let p = a.transmit(now);
    assert_eq!(p.len(), 4);
    for p in &p[..2] {
        b.receive(now, a.me, p);
    }
    for p in b.transmit(now) {
        a.receive(now, b.me, &p);
    }
    assert_eq!(delivered(&b.events()), 2);
    let t3 = a.a().timers.get(Timer::T3Rtx).expect("T3-rtx runs");
    let tlp = a
        .a()
        .timers
        .get(Timer::TailLossProbe)
        .expect("a probe is armed");
    assert!(
        tlp < t3,
        "probe at {:?}, T3-rtx at {:?}",
        tlp - now,
        t3 - now
    );
    assert_eq!(a.a().poll_timeout(), Some(tlp));
    // The probe resends the highest TSN; its SACK shows the hole before it,
    // which the reordering timer turns into a retransmission.
    let last = data_tsns(&p[3])[0];
    let seen = run(&mut now, &mut a, &mut b, 90, 2, |_| false);
    assert_eq!(seen.delivered, 2, "the tail arrived");
    assert_eq!(
        data_tsns(&seen.sent[0]),
        [last],
        "the probe is the last TSN"
    );
    let Chunk::Data(probe) = &chunks(&seen.sent[0])[0] else {
        panic!("the probe is DATA")
    };
    assert!(
        probe.flags.immediate,
        "the probe asks for an immediate SACK"
    );
    assert!(now < t3, "repaired before T3-rtx would have fired");
    // The probe repaired a real loss: one congestion response (RFC 8985 7.4).
    assert_eq!(a.a().cwnd(), 20 * MTU);
}

#[test]
fn rfc9260_7_2_4_one_cwnd_reduction_per_loss_event() {
    let (mut now, mut a, mut b) = open_window(72, 40 * MTU);
    send(&mut a, 40);
    // Three packets of one window lost: one loss event.
    let data_packets = Cell::new(0);
    let lose_1_3_5 = |p: &[u8]| {
        if data_tsns(p).is_empty() {
            return false;
        }
        data_packets.set(data_packets.get() + 1);
        [1, 3, 5].contains(&data_packets.get())
    };
    let seen = run(&mut now, &mut a, &mut b, 90, 40, lose_1_3_5);
    assert_eq!(seen.delivered, 40);
    assert_eq!(seen.min_cwnd, 20 * MTU, "halved once");
    // A loss after recovery ended is a new event: halved again.
    let before = a.a().cwnd();
    send(&mut a, 40);
    data_packets.set(0);
    let seen = run(&mut now, &mut a, &mut b, 90, 40, |p| {
        if data_tsns(p).is_empty() {
            return false;
        }
        data_packets.set(data_packets.get() + 1);
        data_packets.get() == 2
    });
    assert_eq!(seen.delivered, 40);
    assert_eq!(seen.min_cwnd, (before / 2).max(4 * MTU));
}

#[test]
fn rfc9260_6_3_2_r3_t3_rtx_restarts_only_when_the_earliest_outstanding_tsn_is_acknowledged() {
    let (now, mut a, mut b) = open_window(73, 40 * MTU);
    send(&mut a, 4);
    let p = a.transmit(now);
    assert_eq!(p.len(), 4);
    let t3 = a.a().timers.get(Timer::T3Rtx).unwrap();
    // Packets 2 and 3 arrive, 1 is late, 4 is still on its way: SACKs with a gap.
    let later = now + Duration::from_millis(5);
    for p in &p[1..3] {
        b.receive(later, a.me, p);
    }
    for s in b.transmit(later) {
        a.receive(later, b.me, &s);
    }
    assert_eq!(a.a().timers.get(Timer::T3Rtx), Some(t3), "not restarted");
    // The earliest outstanding TSN arrives: restarted with the current RTO.
    let later = now + Duration::from_millis(8);
    b.receive(later, a.me, &p[0]);
    for s in b.transmit(later) {
        a.receive(later, b.me, &s);
    }
    let rto = a.a().rto();
    assert_eq!(a.a().timers.get(Timer::T3Rtx), Some(later + rto));
    // Everything acknowledged (by the delayed SACK): stopped.
    b.receive(later, a.me, &p[3]);
    let later = later + Duration::from_millis(200);
    b.a().handle_timeout(later);
    for s in b.transmit(later) {
        a.receive(later, b.me, &s);
    }
    assert_eq!(a.a().timers.get(Timer::T3Rtx), None);
    assert_eq!(a.a().timers.get(Timer::TailLossProbe), None);
}

#[test]
fn rfc9260_6_3_3_t3_rtx_backs_off_and_slow_starts_after_the_probes() {
    let (mut now, mut a, _b) = open_window(74, 40 * MTU);
    send(&mut a, 2);
    let first = data_tsns(&a.transmit(now)[0])[0];
    let mut rto = a.a().rto();
    let mut probes = 0;
    for expiry in 0..3 {
        let t3 = a.a().timers.get(Timer::T3Rtx).unwrap();
        // Until T3-rtx, only tail loss probes go (into the void).
        while let Some(t) = a.a().poll_timeout().filter(|&t| t < t3) {
            now = t;
            a.a().handle_timeout(now);
            probes += a.transmit(now).len();
        }
        now = t3;
        a.a().handle_timeout(now);
        // E1-E3: the RTO doubles, cwnd is one MTU, everything goes again.
        assert_eq!(a.a().rto(), (rto * 2).min(a.a().config.rto_max));
        rto = a.a().rto();
        assert_eq!(a.a().cwnd(), MTU, "expiry {expiry}");
        let resent = a.transmit(now);
        assert_eq!(data_tsns(&resent[0])[0], first, "earliest TSN first");
        assert_eq!(a.a().timers.get(Timer::T3Rtx), Some(now + rto));
    }
    assert!(probes >= 1, "the tail was probed before the first T3-rtx");
}

/// A DATA packet of one unordered one-byte message.
fn unordered_data(to: &Side, from: &Side, tsn: Tsn, tag: VerificationTag) -> Vec<u8> {
    let data = Chunk::Data(Data {
        flags: DataFlags {
            unordered: true,
            ..DataFlags::COMPLETE
        },
        tsn,
        stream_id: 0,
        ssn: Ssn(0),
        ppid: Ppid(1),
        payload: b"x",
    });
    handshake::encode_packet(from.me.port(), to.me.port(), tag, &[data])
}

#[test]
fn rfc9260_6_2_a_sack_carries_every_gap_block_that_fits_the_path_mtu() {
    let (now, a, mut b) = established(75);
    let tag = b.a().local_verification_tag();
    let first = b.a().tracker.cumulative_tsn().next();
    // Every other TSN arrives: 200 holes, and then 600.
    for (holes, want) in [(200, 200), (600, (MTU - 12 - 16) / 4)] {
        for k in 0..holes {
            let tsn = first.add(2 * k + 1);
            b.receive(now, a.me, &unordered_data(&b, &a, tsn, tag));
        }
        let s = b.transmit(now);
        let s = s.last().unwrap();
        assert!(s.len() <= MTU, "{} bytes", s.len());
        let c = chunks(s);
        let Some(Chunk::Sack(sack)) = c.last() else {
            panic!("{c:?}")
        };
        assert_eq!(sack.cumulative_tsn_ack, first.prev());
        assert_eq!(sack.gap_ack_blocks.len(), want);
        let g = sack.gap_ack_blocks.iter().next().unwrap();
        assert_eq!((g.start, g.end), (2, 2));
    }
}

#[test]
fn rfc7053_4_1_after_shutdown_the_nagle_tail_goes_at_once_asking_for_an_immediate_sack() {
    let now = crate::test_epoch();
    let mut a = Side::new(now, A, 76, cfg().nagle(true));
    let mut b = Side::new(now, B, 77, cfg());
    a.connect(now, B);
    exchange(now, &mut a, &mut b);
    // One full packet goes; the small rest of the message is held by Nagle.
    a.a()
        .send(0, Ppid(1), Bytes::from(vec![1; 2 * MSG]), false)
        .unwrap();
    let p = a.transmit(now);
    assert_eq!(p.len(), 1);
    assert!(a.transmit(now).is_empty(), "Nagle holds the tail");
    // SHUTDOWN: nothing more will join the tail, so it goes now, with the I bit.
    a.a().shutdown(now);
    let p = a.transmit(now);
    assert_eq!(p.len(), 1);
    let c = chunks(&p[0]);
    let [Chunk::Data(d)] = &c[..] else {
        panic!("{c:?}")
    };
    assert!(d.flags.ending && d.flags.immediate);
}
