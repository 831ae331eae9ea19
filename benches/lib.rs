//! Criterion benchmarks of the SCTP stack; run them with `cargo bench -p sctp-benches`.
//!
//! - `wire`: parse + verify and build + checksum of full and bundled packets;
//! - `engine`: two associations in one process passing packets in memory
//!   (throughput at 100, 1,200 and 8,000-byte messages; association set-up
//!   rate), beside `sctp-proto` and `dcsctp` doing the same;
//! - `memory`: heap bytes per idle established association.
//!
//! ```
//! assert_eq!(sctp_benches::FULL_DATA_PACKET_LEN, 1452);
//! ```

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sctp_core::{Association, DatagramEvent, Endpoint, EndpointConfig, Event, Ppid};

/// Size of the benchmarks' full packet: a 1,500-byte IPv6-safe payload budget
/// (1,500 - 40 IPv6 header - 8 slack), the figure SCTP stacks commonly fill.
pub const FULL_DATA_PACKET_LEN: usize = 1452;

/// Our stack: a client and a server association in one process, packets
/// passed in memory through both endpoints, CRC32c computed and verified on
/// every packet.
pub struct OursPair {
    client_ep: Endpoint,
    server_ep: Endpoint,
    client: Association,
    server: Association,
    client_addr: SocketAddr,
    server_addr: SocketAddr,
    now: Instant,
    buf: Vec<u8>,
    reply: Vec<u8>,
}

impl OursPair {
    /// An established pair (set-up happens here, outside any measurement).
    pub fn new(now: Instant) -> Self {
        let client_addr: SocketAddr = "198.18.0.1:5000".parse().expect("address");
        let server_addr: SocketAddr = "198.18.0.2:2905".parse().expect("address");
        let cfg = EndpointConfig::default().rng_seed(7);
        let mut server_ep = Endpoint::new(cfg.clone(), now);
        server_ep.listen(server_addr.port());
        let mut client_ep = Endpoint::new(cfg.rng_seed(8), now);
        let (_, mut client) = client_ep
            .connect(now, client_addr.port(), server_addr)
            .expect("connect");
        let mut buf = vec![0u8; 2048];
        let mut reply = vec![0u8; 2048];
        let mut server = None;
        for _ in 0..4 {
            while let Some(t) = client.poll_transmit(now, &mut buf) {
                match server_ep.handle(now, client_addr, server_addr, &buf[..t.size], &mut reply) {
                    Some(DatagramEvent::NewAssociation(_, a)) => server = Some(*a),
                    Some(DatagramEvent::Response(r)) => client.handle_packet(now, &reply[..r.size]),
                    _ => {}
                }
            }
            if let Some(s) = &mut server {
                while let Some(t) = s.poll_transmit(now, &mut buf) {
                    client.handle_packet(now, &buf[..t.size]);
                }
            }
        }
        let mut server = server.expect("established");
        while client.poll_event().is_some() {}
        while server.poll_event().is_some() {}
        Self {
            client_ep,
            server_ep,
            client,
            server,
            client_addr,
            server_addr,
            now,
            buf,
            reply,
        }
    }

    /// Sends `count` messages of `payload` client to server and returns when
    /// all arrived; returns the bytes delivered.
    pub fn transfer(&mut self, payload: &Bytes, count: usize, streams: u16) -> usize {
        let mut sent = 0;
        let mut got = 0;
        let mut bytes = 0;
        while got < count {
            while sent < count
                && self
                    .client
                    .send(
                        (sent % usize::from(streams)) as u16,
                        Ppid(0),
                        payload.clone(),
                        false,
                    )
                    .is_ok()
            {
                sent += 1;
            }
            let mut moved = false;
            while let Some(t) = self.client.poll_transmit(self.now, &mut self.buf) {
                moved = true;
                let p = &self.buf[..t.size];
                if let Some(DatagramEvent::Association(_)) = self.server_ep.handle(
                    self.now,
                    self.client_addr,
                    self.server_addr,
                    p,
                    &mut self.reply,
                ) {
                    self.server.handle_packet(self.now, p);
                }
            }
            while let Some(ev) = self.server.poll_event() {
                if let Event::Message(m) = ev {
                    got += 1;
                    bytes += m.payload.len();
                }
            }
            while let Some(t) = self.server.poll_transmit(self.now, &mut self.buf) {
                moved = true;
                let p = &self.buf[..t.size];
                if let Some(DatagramEvent::Association(_)) = self.client_ep.handle(
                    self.now,
                    self.server_addr,
                    self.client_addr,
                    p,
                    &mut self.reply,
                ) {
                    self.client.handle_packet(self.now, p);
                }
            }
            if !moved {
                // Only a timer (delayed SACK) can make progress: jump to it.
                let next = [self.client.poll_timeout(), self.server.poll_timeout()]
                    .into_iter()
                    .flatten()
                    .min()
                    .unwrap_or(self.now + Duration::from_millis(1));
                self.now = self.now.max(next);
                self.client.handle_timeout(self.now);
                self.server.handle_timeout(self.now);
            }
        }
        bytes
    }
}

/// Sets up `n` associations between one client endpoint (ports 10000..) and
/// one server endpoint, all in memory; returns the server side, idle and
/// established, and how many handshakes completed.
pub fn setup_associations(now: Instant, n: usize) -> (Endpoint, Vec<Association>) {
    let server_addr: SocketAddr = "198.18.0.2:2905".parse().expect("address");
    let client_ip: SocketAddr = "198.18.0.1:0".parse().expect("address");
    let mut server_ep = Endpoint::new(EndpointConfig::default().rng_seed(1), now);
    server_ep.listen(server_addr.port());
    let mut client_ep = Endpoint::new(EndpointConfig::default().rng_seed(2), now);
    let mut clients: Vec<Association> = (0..n)
        .map(|i| {
            client_ep
                .connect(now, 10_000 + i as u16, server_addr)
                .expect("connect")
                .1
        })
        .collect();
    let mut servers = Vec::with_capacity(n);
    let mut buf = vec![0u8; 2048];
    let mut reply = vec![0u8; 2048];
    for client in &mut clients {
        let from = SocketAddr::new(client_ip.ip(), client.local_port());
        let mut server: Option<Association> = None;
        // INIT -> INIT ACK -> COOKIE ECHO -> COOKIE ACK.
        for _ in 0..3 {
            while let Some(t) = client.poll_transmit(now, &mut buf) {
                match server_ep.handle(now, from, server_addr, &buf[..t.size], &mut reply) {
                    Some(DatagramEvent::NewAssociation(_, a)) => server = Some(*a),
                    Some(DatagramEvent::Response(r)) => client.handle_packet(now, &reply[..r.size]),
                    _ => {}
                }
            }
            if let Some(s) = &mut server {
                while let Some(t) = s.poll_transmit(now, &mut buf) {
                    client.handle_packet(now, &buf[..t.size]);
                }
            }
        }
        let mut server = server.expect("handshake completed");
        assert!(matches!(server.poll_event(), Some(Event::Connected)));
        assert!(matches!(client.poll_event(), Some(Event::Connected)));
        servers.push(server);
    }
    (server_ep, servers)
}
