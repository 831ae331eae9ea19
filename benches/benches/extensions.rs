//! What the extensions buy, measured in the deterministic simulator (the
//! clock is virtual, so the figures are the same on every machine and run):
//!
//! - (a) user message interleaving (RFC 8260): the delay of 100-byte
//!   messages on one stream while another stream sends 1 MB messages over a
//!   100 Mbit/s path, with DATA (the big message blocks the small ones) and
//!   with I-DATA under the round-robin and priority schedulers;
//! - (b) timed reliability (RFC 3758, RFC 7496) of 100 ms under 10 % loss:
//!   the share of messages delivered and the delay of those delivered,
//!   against full reliability.
//!
//! Run with `cargo bench -p sctp-benches --bench extensions`.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sctp_core::{AssociationConfig, Event, Ppid, PrPolicy, SchedulerKind, SendOptions};
use sctp_sim::{Host, Link, Network, SctpHost};

/// A client that sends on a timetable: `due` says what to send at `now`.
struct Paced<F: FnMut(Instant, &mut SctpHost) -> Instant> {
    host: SctpHost,
    next: Instant,
    due: F,
}

impl<F: FnMut(Instant, &mut SctpHost) -> Instant> Host for Paced<F> {
    fn ip(&self) -> IpAddr {
        self.host.ip()
    }
    fn handle(&mut self, now: Instant, from: IpAddr, packet: &[u8]) {
        self.host.handle(now, from, packet);
    }
    fn poll_transmit(&mut self, now: Instant) -> Vec<Vec<u8>> {
        self.host.poll_transmit(now)
    }
    fn poll_timeout(&self) -> Option<Instant> {
        Some(
            self.host
                .poll_timeout()
                .map_or(self.next, |t| t.min(self.next)),
        )
    }
    fn handle_timeout(&mut self, now: Instant) {
        if now >= self.next {
            self.next = (self.due)(now, &mut self.host);
        }
        if self.host.poll_timeout().is_some_and(|t| t <= now) {
            self.host.handle_timeout(now);
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Message `id` of `len` bytes: its id first.
fn tagged(id: u32, len: usize) -> Bytes {
    let mut v = id.to_be_bytes().to_vec();
    v.resize(len.max(4), 0x5a);
    Bytes::from(v)
}

fn id_of(p: &[u8]) -> u32 {
    u32::from_be_bytes(p[..4].try_into().expect("tagged"))
}

/// (a) 100-byte messages on stream 0 every 10 ms while stream 1 keeps two
/// 1 MB messages queued; returns p50 and p99 of the small messages' delay
/// and the big stream's goodput in MB/s.
fn interleaving(interleave: bool, scheduler: SchedulerKind) -> (Duration, Duration, f64) {
    // A drop-tail queue of 20 ms (two round trips): the network's own
    // queueing stays small, so what is measured is the sender's.
    let link = Link {
        delay: Duration::from_millis(5),
        bandwidth: Some(12_500_000),
        max_queue_delay: Some(Duration::from_millis(20)),
        ..Link::default()
    };
    let mut net = Network::new(1, link.clone(), link);
    let cfg = AssociationConfig::default()
        .interleaving(interleave)
        .scheduler(scheduler)
        .max_message_size(2 << 20)
        .send_buffer(8 << 20)
        .receive_window(8 << 20)
        .max_reassembly_bytes(16 << 20);
    let client = SctpHost::client(
        net.now(),
        "198.18.0.1:5000",
        "198.18.0.2:2905",
        cfg.clone(),
        3,
    );
    let mut server = SctpHost::server(net.now(), "198.18.0.2:2905", cfg, 4);
    let start = net.now();
    let sent_at: RefCell<HashMap<u32, Instant>> = RefCell::new(HashMap::new());
    let mut small = 0u32;
    let mut big = 1_000_000u32;
    let mut client = Paced {
        host: client,
        next: start,
        due: |now: Instant, h: &mut SctpHost| {
            if !h.connected() {
                return now + Duration::from_millis(10);
            }
            let a = h.association();
            a.set_stream_priority(0, 0);
            a.set_stream_priority(1, 1);
            // Stream 1 always has a big message waiting.
            while a.buffered_amount() < 2 << 20 {
                let m = tagged(big, 1 << 20);
                if a.send(1, Ppid(1), m, false).is_err() {
                    break;
                }
                big += 1;
            }
            if a.send(0, Ppid(0), tagged(small, 100), false).is_ok() {
                sent_at.borrow_mut().insert(small, now);
                small += 1;
            }
            now + Duration::from_millis(10)
        },
    };
    let run = Duration::from_secs(20);
    let mut delays = Vec::new();
    let mut big_bytes = 0u64;
    while net.now() < start + run {
        if !net.step(&mut client, &mut server) {
            break;
        }
        for m in server.received.drain(..) {
            if m.stream_id == 0 {
                if let Some(t) = sent_at.borrow().get(&id_of(&m.payload)) {
                    delays.push(net.now() - *t);
                }
            } else {
                big_bytes += m.payload.len() as u64;
            }
        }
    }
    assert!(
        client.host.association().supports_interleaving() == interleave,
        "I-DATA as configured"
    );
    delays.sort();
    (
        percentile(&delays, 0.5),
        percentile(&delays, 0.99),
        big_bytes as f64 / run.as_secs_f64() / 1e6,
    )
}

/// (b) 1,000-byte messages at 100 a second over a 1 MB/s path with 20 ms
/// one-way delay and `loss` both ways, for a minute, with `policy`; returns
/// the share delivered and p50/p99 of the delivered ones' delay.
fn timed_reliability(policy: PrPolicy, loss: f64) -> (f64, Duration, Duration) {
    let link = Link {
        delay: Duration::from_millis(20),
        bandwidth: Some(1_000_000),
        max_queue_delay: Some(Duration::from_millis(40)),
        loss,
        ..Link::default()
    };
    let mut net = Network::new(2, link.clone(), link);
    let cfg = AssociationConfig::default();
    let client = SctpHost::client(
        net.now(),
        "198.18.0.1:5000",
        "198.18.0.2:2905",
        cfg.clone(),
        5,
    );
    let mut server = SctpHost::server(net.now(), "198.18.0.2:2905", cfg, 6);
    let start = net.now();
    let sent_at: RefCell<HashMap<u32, Instant>> = RefCell::new(HashMap::new());
    let next_id = Cell::new(0u32);
    let period = Duration::from_millis(10);
    let mut client = Paced {
        host: client,
        next: start,
        due: |now: Instant, h: &mut SctpHost| {
            if !h.connected() {
                return now + period;
            }
            let options = SendOptions::default().pr_policy(policy);
            // Every tick counts, sent or refused by a full send buffer.
            let id = next_id.get();
            next_id.set(id + 1);
            if h.association()
                .send_with(now, 0, Ppid(0), tagged(id, 1000), &options)
                .is_ok()
            {
                sent_at.borrow_mut().insert(id, now);
            }
            now + period
        },
    };
    let run = Duration::from_secs(60);
    let mut delays = Vec::new();
    while net.now() < start + run {
        if !net.step(&mut client, &mut server) {
            break;
        }
        for m in server.received.drain(..) {
            if let Some(t) = sent_at.borrow().get(&id_of(&m.payload)) {
                delays.push(net.now() - *t);
            }
        }
    }
    let abandoned = client
        .host
        .events
        .iter()
        .filter(|e| matches!(e, Event::Abandoned { .. }))
        .count();
    let sent = next_id.get() as usize;
    // Those still in flight at the end are neither delivered nor abandoned.
    let refused = sent - sent_at.borrow().len();
    assert!(
        delays.len() + abandoned + refused <= sent,
        "each message delivered, abandoned or refused at most once"
    );
    delays.sort();
    (
        delays.len() as f64 / sent.max(1) as f64,
        percentile(&delays, 0.5),
        percentile(&delays, 0.99),
    )
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not: then
    // only check that it runs.
    let measuring = std::env::args().any(|a| a == "--bench");
    println!(
        "(a) 100-byte messages on stream 0 beside 1 MB messages on stream 1, 100 Mbit/s, 10 ms RTT"
    );
    println!("    chunks  scheduler   small p50 ms  small p99 ms  big MB/s");
    let cases: &[(bool, SchedulerKind)] = if measuring {
        &[
            (false, SchedulerKind::Fcfs),
            (false, SchedulerKind::RoundRobin),
            (true, SchedulerKind::Fcfs),
            (true, SchedulerKind::RoundRobin),
            (true, SchedulerKind::Priority),
        ]
    } else {
        &[(true, SchedulerKind::RoundRobin)]
    };
    for &(interleave, scheduler) in cases {
        let (p50, p99, big) = interleaving(interleave, scheduler);
        println!(
            "    {:<7} {:<10} {:>13.1} {:>13.1} {:>9.2}",
            if interleave { "I-DATA" } else { "DATA" },
            scheduler,
            ms(p50),
            ms(p99),
            big
        );
    }
    println!("(b) 1,000-byte messages at 100/s, 1 MB/s, 40 ms RTT, 10 % loss both ways, 60 s");
    println!("    policy            delivered  p50 ms  p99 ms");
    let policies: &[PrPolicy] = if measuring {
        &[
            PrPolicy::Reliable,
            PrPolicy::TimedReliability(Duration::from_millis(100)),
        ]
    } else {
        &[PrPolicy::TimedReliability(Duration::from_millis(100))]
    };
    for &policy in policies {
        let (share, p50, p99) = timed_reliability(policy, 0.10);
        let name = match policy {
            PrPolicy::TimedReliability(_) => "timed 100 ms",
            _ => "reliable",
        };
        println!(
            "    {name:<17} {:>8.1} % {:>7.1} {:>7.1}",
            share * 100.0,
            ms(p50),
            ms(p99)
        );
    }
}
