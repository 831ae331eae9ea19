//! The simulated network between two hosts.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::host::Host;

/// One direction of the network path.
#[derive(Debug, Clone)]
pub struct Link {
    /// Probability that a packet is lost.
    pub loss: f64,
    /// Probability that a packet is delivered twice.
    pub duplicate: f64,
    /// Probability that a packet is held back by an extra delay (reordering).
    pub reorder: f64,
    /// The extra delay of a reordered packet.
    pub reorder_delay: Duration,
    /// One-way propagation delay.
    pub delay: Duration,
    /// Uniform random jitter added to the delay (may reorder too).
    pub jitter: Duration,
    /// Bytes per second; `None` for unlimited.
    pub bandwidth: Option<u64>,
    /// With a bandwidth: the longest a packet may wait for the link before
    /// it is dropped (a drop-tail queue, in time); `None` for unbounded.
    pub max_queue_delay: Option<Duration>,
    /// Largest packet carried; bigger ones are dropped (as with DF set).
    pub mtu: usize,
}

impl Default for Link {
    fn default() -> Self {
        Self {
            loss: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_delay: Duration::from_millis(5),
            delay: Duration::from_millis(10),
            jitter: Duration::ZERO,
            bandwidth: None,
            max_queue_delay: None,
            mtu: 1500,
        }
    }
}

impl Link {
    /// A hostile link: loss, duplication, reordering and jitter together.
    pub fn lossy(loss: f64) -> Self {
        Self {
            loss,
            duplicate: 0.02,
            reorder: 0.05,
            jitter: Duration::from_millis(4),
            ..Self::default()
        }
    }
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct InFlight {
    at: Instant,
    seq: u64,
    to_b: bool,
    bytes: Vec<u8>,
}

/// Counters of what the network did.
#[derive(Debug, Default, Clone, Copy)]
pub struct NetStats {
    /// Packets offered by the hosts.
    pub sent: u64,
    /// Packets lost (randomly, by MTU, or by partition).
    pub lost: u64,
    /// Extra copies delivered.
    pub duplicated: u64,
    /// Packets delivered.
    pub delivered: u64,
}

/// Two links and a virtual clock.
#[derive(Debug)]
pub struct Network {
    rng: StdRng,
    now: Instant,
    a_to_b: Link,
    b_to_a: Link,
    queue: BinaryHeap<Reverse<InFlight>>,
    seq: u64,
    /// When each direction's link is free again (bandwidth).
    busy_until: [Instant; 2],
    partition: Option<(Instant, Instant)>,
    /// What happened so far.
    pub stats: NetStats,
}

impl Network {
    /// A network with the given seed and links; the clock starts now (virtually).
    pub fn new(seed: u64, a_to_b: Link, b_to_a: Link) -> Self {
        let now = Instant::now();
        Self {
            rng: StdRng::seed_from_u64(seed),
            now,
            a_to_b,
            b_to_a,
            queue: BinaryHeap::new(),
            seq: 0,
            busy_until: [now; 2],
            partition: None,
            stats: NetStats::default(),
        }
    }

    /// The virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Drops every packet sent in either direction during `[start, start + length)`.
    pub fn partition(&mut self, start: Instant, length: Duration) {
        self.partition = Some((start, start + length));
    }

    /// Replaces the links (to heal or worsen them mid-run).
    pub fn set_links(&mut self, a_to_b: Link, b_to_a: Link) {
        self.a_to_b = a_to_b;
        self.b_to_a = b_to_a;
    }

    fn offer(&mut self, to_b: bool, bytes: Vec<u8>) {
        self.stats.sent += 1;
        let link = if to_b { &self.a_to_b } else { &self.b_to_a };
        let partitioned = self
            .partition
            .is_some_and(|(s, e)| s <= self.now && self.now < e);
        if partitioned || bytes.len() + 20 > link.mtu || self.rng.random_bool(link.loss) {
            self.stats.lost += 1;
            return;
        }
        let mut at = self.now;
        if let Some(bw) = link.bandwidth {
            let idx = usize::from(to_b);
            let start = self.busy_until[idx].max(self.now);
            if link.max_queue_delay.is_some_and(|q| start - self.now > q) {
                self.stats.lost += 1;
                return;
            }
            let tx = Duration::from_nanos((bytes.len() as u64 * 1_000_000_000) / bw.max(1));
            self.busy_until[idx] = start + tx;
            at = start + tx;
        }
        at += link.delay;
        if !link.jitter.is_zero() {
            at += link.jitter.mul_f64(self.rng.random::<f64>());
        }
        if self.rng.random_bool(link.reorder) {
            at += link.reorder_delay;
        }
        let dup = self.rng.random_bool(link.duplicate);
        let jitter = link.jitter;
        if dup {
            self.stats.duplicated += 1;
            let extra = jitter.mul_f64(self.rng.random::<f64>()) + Duration::from_micros(1);
            self.push(at + extra, to_b, bytes.clone());
        }
        self.push(at, to_b, bytes);
    }

    fn push(&mut self, at: Instant, to_b: bool, bytes: Vec<u8>) {
        self.seq += 1;
        self.queue.push(Reverse(InFlight {
            at,
            seq: self.seq,
            to_b,
            bytes,
        }));
    }

    /// Moves packets from the hosts into the network, delivers what is due,
    /// fires due timers; if nothing happened, jumps the clock to the next event.
    /// Returns false when nothing will ever happen again.
    pub fn step<A: Host + ?Sized, B: Host + ?Sized>(&mut self, a: &mut A, b: &mut B) -> bool {
        let mut progressed = false;
        for p in a.poll_transmit(self.now) {
            self.offer(true, p);
            progressed = true;
        }
        for p in b.poll_transmit(self.now) {
            self.offer(false, p);
            progressed = true;
        }
        while let Some(Reverse(next)) = self.queue.peek() {
            if next.at > self.now {
                break;
            }
            let Reverse(p) = self.queue.pop().expect("peeked");
            self.stats.delivered += 1;
            if p.to_b {
                b.handle(self.now, a.ip(), &p.bytes);
            } else {
                a.handle(self.now, b.ip(), &p.bytes);
            }
            progressed = true;
        }
        if a.poll_timeout().is_some_and(|t| t <= self.now) {
            a.handle_timeout(self.now);
            progressed = true;
        }
        if b.poll_timeout().is_some_and(|t| t <= self.now) {
            b.handle_timeout(self.now);
            progressed = true;
        }
        if progressed {
            return true;
        }
        let next = [
            self.queue.peek().map(|Reverse(p)| p.at),
            a.poll_timeout(),
            b.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min();
        match next {
            Some(t) => {
                self.now = self.now.max(t);
                true
            }
            None => false,
        }
    }

    /// Steps until `done` holds or `limit` of virtual time passes; returns whether `done` held.
    pub fn run_until<A: Host, B: Host>(
        &mut self,
        a: &mut A,
        b: &mut B,
        mut done: impl FnMut(&mut A, &mut B) -> bool,
        limit: Duration,
    ) -> bool {
        let deadline = self.now + limit;
        loop {
            if done(a, b) {
                return true;
            }
            if self.now > deadline || !self.step(a, b) {
                return done(a, b);
            }
        }
    }
}
