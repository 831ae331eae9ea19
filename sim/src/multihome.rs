//! Two multi-homed hosts joined by several independent links, each of
//! which can be cut and healed mid-run: the network for failover tests
//! (RFC 9260 section 6.4, RFC 7829).
//!
//! Link `k` joins host A's address `k` and host B's address `k`, as two
//! subnets do. A packet is carried only when its source and destination
//! are the two ends of one link that is up, so a host must pick the source
//! address that pairs with the destination, as a kernel's route lookup
//! does: [`MultiHost`] takes the local address of the destination's family
//! sharing the longest prefix with it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sctp_core::{
    Association, AssociationConfig, AssociationHandle, DatagramEvent, Endpoint, EndpointConfig,
    Event, Message, PartialMessages, Ppid, SendError,
};

/// One host with several addresses, our stack, at most one association.
#[derive(Debug)]
pub struct MultiHost {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// Our addresses, in link order.
    pub addrs: Vec<IpAddr>,
    /// Our SCTP port.
    pub port: u16,
    /// The association, once there is one.
    pub assoc: Option<(AssociationHandle, Association)>,
    /// Messages received, with the virtual time of delivery (pieces of a
    /// partial delivery joined).
    pub received: Vec<(Instant, Message)>,
    /// Every other event, in order.
    pub events: Vec<Event>,
    outbox: Vec<(IpAddr, IpAddr, Vec<u8>)>,
    buf: Vec<u8>,
    pieces: PartialMessages,
}

impl MultiHost {
    fn new(now: Instant, addrs: &[&str], port: u16, cfg: AssociationConfig, seed: u64) -> Self {
        let addrs: Vec<IpAddr> = addrs
            .iter()
            .map(|a| a.parse().expect("an IP address"))
            .collect();
        let endpoint = Endpoint::new(
            EndpointConfig::default()
                .association(cfg)
                .rng_seed(seed)
                .local_addresses(addrs.clone()),
            now,
        );
        Self {
            endpoint,
            addrs,
            port,
            assoc: None,
            received: Vec::new(),
            events: Vec::new(),
            outbox: Vec::new(),
            buf: vec![0; 65_536],
            pieces: PartialMessages::new(usize::MAX),
        }
    }

    /// A host that listens on `port` on all its addresses.
    pub fn server(
        now: Instant,
        addrs: &[&str],
        port: u16,
        cfg: AssociationConfig,
        seed: u64,
    ) -> Self {
        let mut h = Self::new(now, addrs, port, cfg, seed);
        h.endpoint.listen(port);
        h
    }

    /// A host that connects from `port` to `remotes` (sctp_connectx).
    pub fn client(
        now: Instant,
        addrs: &[&str],
        port: u16,
        remotes: &[SocketAddr],
        cfg: AssociationConfig,
        seed: u64,
    ) -> Self {
        let mut h = Self::new(now, addrs, port, cfg, seed);
        let (handle, assoc) = h
            .endpoint
            .connect_to(now, port, remotes)
            .expect("a valid connect");
        h.assoc = Some((handle, assoc));
        h
    }

    /// The association; panics if there is none (a test bug).
    pub fn association(&mut self) -> &mut Association {
        &mut self.assoc.as_mut().expect("an association").1
    }

    /// Whether a Connected event was seen.
    pub fn connected(&self) -> bool {
        self.events.iter().any(|e| matches!(e, Event::Connected))
    }

    /// Queues a message.
    pub fn send(&mut self, stream: u16, data: &[u8]) -> Result<(), SendError> {
        self.association()
            .send(stream, Ppid(0), Bytes::copy_from_slice(data), false)
    }

    /// The source address a route lookup would pick for `dst`.
    fn source_for(&self, dst: IpAddr) -> IpAddr {
        let common = |a: &IpAddr| -> u32 {
            match (a, dst) {
                (IpAddr::V4(a), IpAddr::V4(d)) => (u32::from(*a) ^ u32::from(d)).leading_zeros(),
                (IpAddr::V6(a), IpAddr::V6(d)) => (u128::from(*a) ^ u128::from(d)).leading_zeros(),
                _ => 0,
            }
        };
        self.addrs
            .iter()
            .filter(|a| a.is_ipv4() == dst.is_ipv4())
            .max_by_key(|a| common(a))
            .copied()
            .unwrap_or(self.addrs[0])
    }

    fn handle(&mut self, now: Instant, from: IpAddr, to: IpAddr, packet: &[u8]) {
        let Some(port) = packet.get(..2).map(|p| u16::from_be_bytes([p[0], p[1]])) else {
            return;
        };
        let remote = SocketAddr::new(from, port);
        let local = SocketAddr::new(to, self.port);
        match self
            .endpoint
            .handle(now, remote, local, packet, &mut self.buf)
        {
            Some(DatagramEvent::Association(h)) => {
                if let Some((handle, a)) = &mut self.assoc
                    && *handle == h
                {
                    a.handle_packet_from(now, remote, packet);
                }
            }
            Some(DatagramEvent::NewAssociation(h, a)) if self.assoc.is_none() => {
                self.assoc = Some((h, *a));
            }
            Some(DatagramEvent::Response(t)) => {
                // Answered from the address the packet came to (RFC 9260 section 5.1).
                self.outbox
                    .push((to, t.destination.ip(), self.buf[..t.size].to_vec()));
            }
            _ => {}
        }
        self.after(now);
    }

    /// Passes route changes to the endpoint and records events.
    fn after(&mut self, now: Instant) {
        let Some((h, a)) = &mut self.assoc else {
            return;
        };
        while let Some(ev) = a.poll_endpoint_event() {
            self.endpoint.handle_event(*h, ev);
        }
        while let Some(ev) = a.poll_event() {
            match ev {
                Event::Message(m, info) => {
                    if let Ok(Some((m, _))) = self.pieces.push(m, info) {
                        self.received.push((now, m));
                    }
                }
                Event::PartialDeliveryAborted {
                    stream_id,
                    unordered,
                    mid,
                } => {
                    self.pieces.abort(stream_id, unordered, mid);
                    self.events.push(ev);
                }
                other => self.events.push(other),
            }
        }
    }

    fn poll_transmit(&mut self, now: Instant) -> Vec<(IpAddr, IpAddr, Vec<u8>)> {
        let mut out = Vec::new();
        if let Some((_, a)) = &mut self.assoc {
            while let Some(t) = a.poll_transmit(now, &mut self.buf) {
                out.push((t.destination.ip(), self.buf[..t.size].to_vec()));
            }
        }
        self.after(now);
        let mut packets = std::mem::take(&mut self.outbox);
        packets.extend(
            out.into_iter()
                .map(|(dst, p)| (self.source_for(dst), dst, p)),
        );
        packets
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.assoc.as_ref().and_then(|(_, a)| a.poll_timeout())
    }

    fn handle_timeout(&mut self, now: Instant) {
        if let Some((_, a)) = &mut self.assoc {
            a.handle_timeout(now);
        }
        self.after(now);
    }
}

/// A link between address `k` of each host.
#[derive(Debug, Clone)]
pub struct PathLink {
    /// One-way delay.
    pub delay: Duration,
    /// Probability that a packet is lost.
    pub loss: f64,
    /// Whether the link carries packets at all.
    pub up: bool,
    /// Packets carried, for telling which link data took.
    pub carried: u64,
}

impl PathLink {
    /// An up, lossless link with this one-way delay.
    pub fn new(delay: Duration) -> Self {
        Self {
            delay,
            loss: 0.0,
            up: true,
            carried: 0,
        }
    }
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct InFlight {
    at: Instant,
    seq: u64,
    to_b: bool,
    from: IpAddr,
    to: IpAddr,
    bytes: Vec<u8>,
}

/// The links between two multi-homed hosts and a virtual clock.
#[derive(Debug)]
pub struct MultiNet {
    rng: StdRng,
    now: Instant,
    /// The links; link `k` joins address `k` of each host.
    pub links: Vec<PathLink>,
    queue: BinaryHeap<Reverse<InFlight>>,
    seq: u64,
    /// Packets sent where no link joins source and destination, or on a cut link.
    pub dropped: u64,
}

impl MultiNet {
    /// A network of `links`; the clock starts now (virtually).
    pub fn new(seed: u64, links: Vec<PathLink>) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            now: Instant::now(),
            links,
            queue: BinaryHeap::new(),
            seq: 0,
            dropped: 0,
        }
    }

    /// The virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }

    fn offer(&mut self, a: &MultiHost, b: &MultiHost, to_b: bool, pkt: (IpAddr, IpAddr, Vec<u8>)) {
        let (from, to, bytes) = pkt;
        let (src_host, dst_host) = if to_b { (a, b) } else { (b, a) };
        let k = (0..self.links.len())
            .find(|&k| src_host.addrs.get(k) == Some(&from) && dst_host.addrs.get(k) == Some(&to));
        let Some(k) = k else {
            self.dropped += 1;
            return;
        };
        let link = &mut self.links[k];
        if !link.up || self.rng.random_bool(link.loss) {
            self.dropped += 1;
            return;
        }
        link.carried += 1;
        self.seq += 1;
        self.queue.push(Reverse(InFlight {
            at: self.now + link.delay,
            seq: self.seq,
            to_b,
            from,
            to,
            bytes,
        }));
    }

    /// One step: transmissions, due deliveries, due timers; else the clock
    /// jumps to the next event. Returns false when nothing will happen again.
    pub fn step(&mut self, a: &mut MultiHost, b: &mut MultiHost) -> bool {
        let mut progressed = false;
        for p in a.poll_transmit(self.now) {
            self.offer(a, b, true, p);
            progressed = true;
        }
        for p in b.poll_transmit(self.now) {
            self.offer(a, b, false, p);
            progressed = true;
        }
        while let Some(Reverse(next)) = self.queue.peek() {
            if next.at > self.now {
                break;
            }
            let Reverse(p) = self.queue.pop().expect("peeked");
            let host = if p.to_b { &mut *b } else { &mut *a };
            host.handle(self.now, p.from, p.to, &p.bytes);
            progressed = true;
        }
        for h in [&mut *a, &mut *b] {
            if h.poll_timeout().is_some_and(|t| t <= self.now) {
                h.handle_timeout(self.now);
                progressed = true;
            }
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
    pub fn run_until(
        &mut self,
        a: &mut MultiHost,
        b: &mut MultiHost,
        mut done: impl FnMut(&mut MultiHost, &mut MultiHost) -> bool,
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

    /// Runs for `length` of virtual time, whatever happens.
    pub fn run_for(&mut self, a: &mut MultiHost, b: &mut MultiHost, length: Duration) {
        let end = self.now + length;
        self.run_until(a, b, |_, _| false, length);
        self.now = self.now.max(end);
    }
}
