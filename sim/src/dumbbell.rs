//! Several flows through one bottleneck: a drop-tail queue of bounded size
//! in front of a link of fixed bandwidth, shared by every flow's data
//! direction; the reverse direction (acknowledgements) only delays. This is
//! where congestion control is judged: flows that take turns fairly share
//! the bandwidth, a flow that ignores losses takes it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::host::{Host, SctpHost};
use crate::reno::{RenoReceiver, RenoSender};

/// The shared link.
#[derive(Debug, Clone)]
pub struct Bottleneck {
    /// Bytes per second.
    pub bandwidth: u64,
    /// Bytes the queue holds before it drops arrivals (drop-tail).
    pub queue: usize,
    /// One-way propagation delay, each direction.
    pub delay: Duration,
    /// Random loss on the shared link, besides the queue's drops.
    pub loss: f64,
}

/// One flow: a sender whose packets cross the bottleneck, and a receiver.
pub trait Flow {
    /// The sending host.
    fn sender(&mut self) -> &mut dyn Host;
    /// The receiving host.
    fn receiver(&mut self) -> &mut dyn Host;
    /// Keeps the sender supplied with data (called before every step).
    fn feed(&mut self) {}
    /// Payload bytes delivered to the receiving application since the last call.
    fn take_delivered(&mut self) -> u64;
}

/// Our association as a bulk flow.
#[derive(Debug)]
pub struct SctpFlow {
    /// The sender (client).
    pub client: SctpHost,
    /// The receiver (server).
    pub server: SctpHost,
    payload: Bytes,
}

impl SctpFlow {
    /// A flow of `size`-byte messages from `client` to `server`, both
    /// already set up (the client connecting, the server listening).
    pub fn new(client: SctpHost, server: SctpHost, size: usize) -> Self {
        Self {
            client,
            server,
            payload: Bytes::from(vec![0xa5; size]),
        }
    }
}

impl Flow for SctpFlow {
    fn sender(&mut self) -> &mut dyn Host {
        &mut self.client
    }
    fn receiver(&mut self) -> &mut dyn Host {
        &mut self.server
    }
    fn feed(&mut self) {
        if !self.client.connected() {
            return;
        }
        let a = self.client.association();
        while a.buffered_amount() < 256 * 1024
            && a.send(0, sctp_core::Ppid(0), self.payload.clone(), false)
                .is_ok()
        {}
    }
    fn take_delivered(&mut self) -> u64 {
        self.server
            .received
            .drain(..)
            .map(|m| m.payload.len() as u64)
            .sum()
    }
}

/// The Reno reference as a bulk flow.
#[derive(Debug)]
pub struct RenoFlow {
    /// The sender.
    pub sender: RenoSender,
    /// The receiver.
    pub receiver: RenoReceiver,
}

impl Flow for RenoFlow {
    fn sender(&mut self) -> &mut dyn Host {
        &mut self.sender
    }
    fn receiver(&mut self) -> &mut dyn Host {
        &mut self.receiver
    }
    fn take_delivered(&mut self) -> u64 {
        self.receiver.take_delivered()
    }
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct InFlight {
    at: Instant,
    seq: u64,
    flow: usize,
    to_receiver: bool,
    bytes: Vec<u8>,
}

/// The bottleneck, its queue, and a virtual clock.
#[derive(Debug)]
pub struct Dumbbell {
    rng: StdRng,
    now: Instant,
    link: Bottleneck,
    /// When the bottleneck finishes sending what is queued.
    busy_until: Instant,
    queue: BinaryHeap<Reverse<InFlight>>,
    seq: u64,
    /// Packets the queue dropped because it was full.
    pub queue_drops: u64,
    /// Packets lost at random.
    pub random_drops: u64,
}

impl Dumbbell {
    /// A bottleneck with the given seed; the clock starts now (virtually).
    pub fn new(seed: u64, link: Bottleneck) -> Self {
        let now = Instant::now();
        Self {
            rng: StdRng::seed_from_u64(seed),
            now,
            link,
            busy_until: now,
            queue: BinaryHeap::new(),
            seq: 0,
            queue_drops: 0,
            random_drops: 0,
        }
    }

    /// The virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }

    fn push(&mut self, at: Instant, flow: usize, to_receiver: bool, bytes: Vec<u8>) {
        self.seq += 1;
        self.queue.push(Reverse(InFlight {
            at,
            seq: self.seq,
            flow,
            to_receiver,
            bytes,
        }));
    }

    /// A data packet enters the bottleneck queue, or is dropped.
    fn offer(&mut self, flow: usize, bytes: Vec<u8>) {
        let start = self.busy_until.max(self.now);
        let backlog = (start - self.now).as_secs_f64() * self.link.bandwidth as f64;
        if backlog as usize + bytes.len() > self.link.queue {
            self.queue_drops += 1;
            return;
        }
        let tx = Duration::from_secs_f64(bytes.len() as f64 / self.link.bandwidth as f64);
        self.busy_until = start + tx;
        if self.rng.random_bool(self.link.loss) {
            self.random_drops += 1;
            return;
        }
        let at = self.busy_until + self.link.delay;
        self.push(at, flow, true, bytes);
    }

    /// Moves packets, fires timers, or jumps the clock to the next event.
    pub fn step(&mut self, flows: &mut [&mut dyn Flow]) {
        let mut progressed = false;
        for (i, f) in flows.iter_mut().enumerate() {
            f.feed();
            for p in f.sender().poll_transmit(self.now) {
                self.offer(i, p);
                progressed = true;
            }
            for p in f.receiver().poll_transmit(self.now) {
                let at = self.now + self.link.delay;
                self.push(at, i, false, p);
                progressed = true;
            }
        }
        while let Some(Reverse(next)) = self.queue.peek() {
            if next.at > self.now {
                break;
            }
            let Reverse(p) = self.queue.pop().expect("peeked");
            let f = &mut flows[p.flow];
            if p.to_receiver {
                let from = f.sender().ip();
                f.receiver().handle(self.now, from, &p.bytes);
            } else {
                let from = f.receiver().ip();
                f.sender().handle(self.now, from, &p.bytes);
            }
            progressed = true;
        }
        for f in flows.iter_mut() {
            for sender in [true, false] {
                let h = if sender { f.sender() } else { f.receiver() };
                if h.poll_timeout().is_some_and(|t| t <= self.now) {
                    h.handle_timeout(self.now);
                    progressed = true;
                }
            }
        }
        if progressed {
            return;
        }
        let mut next = self.queue.peek().map(|Reverse(p)| p.at);
        for f in flows.iter_mut() {
            for t in [f.sender().poll_timeout(), f.receiver().poll_timeout()] {
                next = match (next, t) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        if let Some(t) = next {
            self.now = self.now.max(t);
        }
    }

    /// Runs the flows for `duration`; returns each flow's delivered payload
    /// bytes during the part of it after `warm_up`.
    pub fn run(
        &mut self,
        flows: &mut [&mut dyn Flow],
        warm_up: Duration,
        duration: Duration,
    ) -> Vec<u64> {
        let measure_from = self.now + warm_up;
        let end = self.now + duration;
        let mut delivered = vec![0u64; flows.len()];
        while self.now < end {
            self.step(flows);
            for (d, f) in delivered.iter_mut().zip(flows.iter_mut()) {
                let n = f.take_delivered();
                if self.now >= measure_from {
                    *d += n;
                }
            }
        }
        delivered
    }
}
