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
                if let Event::Message(m, info) = ev {
                    got += usize::from(info.end_of_record);
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

/// `sctp-proto` (webrtc-rs) doing the same transfer as [`OursPair`]: one
/// client and one server endpoint, packets passed in memory, CRC32c computed
/// and verified by sctp-proto itself.
pub struct ProtoPair {
    client_ep: sctp_proto::Endpoint,
    server_ep: sctp_proto::Endpoint,
    client: sctp_proto::Association,
    server: sctp_proto::Association,
    client_addr: SocketAddr,
    server_addr: SocketAddr,
    now: Instant,
    opened: Vec<bool>,
    read_buf: Vec<u8>,
}

impl ProtoPair {
    fn transport(local: u16, remote: u16) -> std::sync::Arc<sctp_proto::TransportConfig> {
        std::sync::Arc::new(
            sctp_proto::TransportConfig::default()
                .with_local_port(local)
                .with_remote_port(remote)
                .with_max_send_message_size(256 * 1024)
                .with_max_receive_message_size(256 * 1024),
        )
    }

    /// An established pair.
    pub fn new(now: Instant) -> Self {
        use sctp_proto::{ClientConfig, DatagramEvent as Dg, EndpointConfig as Ec, ServerConfig};
        let client_addr: SocketAddr = "198.18.0.1:5000".parse().expect("address");
        let server_addr: SocketAddr = "198.18.0.2:2905".parse().expect("address");
        let mut ec = Ec::new();
        ec.max_payload_size(1500 - 20 - 12 - 16);
        let ec = std::sync::Arc::new(ec);
        let mut sc = ServerConfig::new();
        sc.transport = Self::transport(server_addr.port(), 0);
        let mut server_ep = sctp_proto::Endpoint::new(ec.clone(), Some(std::sync::Arc::new(sc)));
        let mut client_ep = sctp_proto::Endpoint::new(ec, None);
        let mut cc = ClientConfig::new();
        cc.transport = Self::transport(client_addr.port(), server_addr.port());
        let (_, mut client) = client_ep.connect(cc, server_addr).expect("connect");
        let mut server: Option<sctp_proto::Association> = None;
        for _ in 0..6 {
            while let Some(t) = client.poll_transmit(now) {
                for p in raw(t.payload) {
                    match server_ep.handle(now, client_addr, Some(server_addr.ip()), None, p) {
                        Some((_, Dg::NewAssociation(a))) => server = Some(a),
                        Some((_, Dg::AssociationEvent(ev))) => {
                            if let Some(s) = &mut server {
                                s.handle_event(ev);
                            }
                        }
                        None => {}
                    }
                }
            }
            if let Some(s) = &mut server {
                while let Some(t) = s.poll_transmit(now) {
                    for p in raw(t.payload) {
                        if let Some((_, Dg::AssociationEvent(ev))) =
                            client_ep.handle(now, server_addr, Some(client_addr.ip()), None, p)
                        {
                            client.handle_event(ev);
                        }
                    }
                }
            }
        }
        let server = server.expect("established");
        Self {
            client_ep,
            server_ep,
            client,
            server,
            client_addr,
            server_addr,
            now,
            opened: Vec::new(),
            read_buf: vec![0u8; 256 * 1024],
        }
    }

    /// Sends `count` messages client to server; returns the bytes delivered.
    pub fn transfer(&mut self, payload: &Bytes, count: usize, streams: u16) -> usize {
        use sctp_proto::{DatagramEvent as Dg, PayloadProtocolIdentifier as Ppi, ReliabilityType};
        const SEND_BUFFER: usize = 1024 * 1024;
        if self.opened.is_empty() {
            for id in 0..streams {
                let mut s = self
                    .client
                    .open_stream(id, Ppi::Binary)
                    .expect("open stream");
                s.set_reliability_params(false, ReliabilityType::Reliable, 0)
                    .expect("reliable");
            }
            self.opened = vec![true; usize::from(streams)];
        }
        let (mut sent, mut got, mut bytes) = (0, 0, 0);
        while got < count {
            while sent < count {
                let id = (sent % usize::from(streams)) as u16;
                let mut s = self.client.stream(id).expect("stream");
                if s.buffered_amount().unwrap_or(0) * usize::from(streams) > SEND_BUFFER {
                    break;
                }
                s.write_sctp(payload, Ppi::Binary).expect("write");
                sent += 1;
            }
            let mut moved = false;
            while let Some(t) = self.client.poll_transmit(self.now) {
                for p in raw(t.payload) {
                    moved = true;
                    if let Some((_, Dg::AssociationEvent(ev))) = self.server_ep.handle(
                        self.now,
                        self.client_addr,
                        Some(self.server_addr.ip()),
                        None,
                        p,
                    ) {
                        self.server.handle_event(ev);
                    }
                }
            }
            while self.server.poll().is_some() {}
            while self.server.accept_stream().is_some() {}
            for id in 0..streams {
                let Ok(mut s) = self.server.stream(id) else {
                    continue;
                };
                while let Ok(Some(chunks)) = s.read_sctp() {
                    let n = chunks.read(&mut self.read_buf).expect("fits");
                    got += 1;
                    bytes += n;
                }
            }
            while let Some(t) = self.server.poll_transmit(self.now) {
                for p in raw(t.payload) {
                    moved = true;
                    if let Some((_, Dg::AssociationEvent(ev))) = self.client_ep.handle(
                        self.now,
                        self.server_addr,
                        Some(self.client_addr.ip()),
                        None,
                        p,
                    ) {
                        self.client.handle_event(ev);
                    }
                }
            }
            while self.client.poll().is_some() {}
            if !moved {
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

fn raw(p: sctp_proto::Payload) -> Vec<Bytes> {
    match p {
        sctp_proto::Payload::RawEncode(v) => v,
        sctp_proto::Payload::PartialDecode(_) => Vec::new(),
    }
}

/// `dcsctp` (the WebRTC project's Rust port of dcSCTP) doing the same
/// transfer: two sockets, packets passed in memory, CRC32c on.
pub struct DcsctpPair {
    client: Box<dyn dcsctp::api::DcSctpSocket>,
    server: Box<dyn dcsctp::api::DcSctpSocket>,
    epoch: Instant,
    now: Instant,
}

impl DcsctpPair {
    fn options(local: u16, remote: u16) -> dcsctp::api::Options {
        dcsctp::api::Options {
            local_port: local,
            remote_port: remote,
            mtu: 1480,
            enable_partial_reliability: false,
            enable_message_interleaving: false,
            max_send_buffer_size: 1024 * 1024,
            zero_checksum_alternate_error_detection_method:
                dcsctp::api::ZERO_CHECKSUM_ALTERNATE_ERROR_DETECTION_METHOD_NONE,
            ..dcsctp::api::Options::default()
        }
    }

    /// An established pair.
    pub fn new(now: Instant) -> Self {
        let mut client = dcsctp::new_socket("client", &Self::options(5000, 2905));
        let server = dcsctp::new_socket("server", &Self::options(2905, 5000));
        client.connect();
        let mut pair = Self {
            client,
            server,
            epoch: now,
            now,
        };
        for _ in 0..6 {
            pair.pump(&mut 0, &mut 0);
        }
        assert_eq!(pair.client.state(), dcsctp::api::SocketState::Connected);
        pair
    }

    /// Moves packets both ways once; counts delivered messages and bytes. Returns whether any moved.
    fn pump(&mut self, got: &mut usize, bytes: &mut usize) -> bool {
        use dcsctp::api::SocketEvent;
        let mut moved = false;
        while let Some(ev) = self.client.poll_event() {
            if let SocketEvent::SendPacket(p) = ev {
                moved = true;
                self.server.handle_input(&p);
            }
        }
        while let Some(m) = self.server.get_next_message() {
            *got += 1;
            *bytes += m.payload.len();
        }
        while let Some(ev) = self.server.poll_event() {
            if let SocketEvent::SendPacket(p) = ev {
                moved = true;
                self.client.handle_input(&p);
            }
        }
        moved
    }

    /// Sends `count` messages client to server; returns the bytes delivered.
    pub fn transfer(&mut self, payload: &Bytes, count: usize, streams: u16) -> usize {
        use dcsctp::api::{Message as M, PpId, SendOptions, StreamId};
        let opts = SendOptions::default();
        let (mut sent, mut got, mut bytes) = (0, 0, 0);
        while got < count {
            while sent < count {
                let id = (sent % usize::from(streams)) as u16;
                let msg = M::new(StreamId(id), PpId(53), payload.to_vec());
                if self.client.send(msg, &opts).is_err() {
                    break;
                }
                sent += 1;
            }
            if !self.pump(&mut got, &mut bytes) {
                let t = [self.client.poll_timeout(), self.server.poll_timeout()]
                    .into_iter()
                    .min()
                    .expect("two sockets");
                let next = if t == dcsctp::api::SocketTime::infinite_future() {
                    self.now + Duration::from_millis(1)
                } else {
                    self.epoch + (t - dcsctp::api::SocketTime::zero())
                };
                self.now = self.now.max(next);
                let st = dcsctp::api::SocketTime::zero() + (self.now - self.epoch);
                self.client.advance_time(st);
                self.server.advance_time(st);
            }
        }
        bytes
    }
}

/// Sets up `n` sctp-proto associations against one server endpoint, in
/// memory; returns the server side.
pub fn setup_proto(now: Instant, n: usize) -> (sctp_proto::Endpoint, Vec<sctp_proto::Association>) {
    use sctp_proto::{ClientConfig, DatagramEvent as Dg, EndpointConfig as Ec, ServerConfig};
    let server_addr: SocketAddr = "198.18.0.2:2905".parse().expect("address");
    let ec = std::sync::Arc::new(Ec::new());
    let mut sc = ServerConfig::new();
    sc.transport = ProtoPair::transport(server_addr.port(), 0);
    let mut server_ep = sctp_proto::Endpoint::new(ec.clone(), Some(std::sync::Arc::new(sc)));
    let mut client_ep = sctp_proto::Endpoint::new(ec, None);
    let mut servers = Vec::with_capacity(n);
    for i in 0..n {
        let client_addr = SocketAddr::new("198.18.0.1".parse().expect("ip"), 10_000 + i as u16);
        let mut cc = ClientConfig::new();
        cc.transport = ProtoPair::transport(client_addr.port(), server_addr.port());
        let (_, mut client) = client_ep.connect(cc, server_addr).expect("connect");
        let mut server: Option<sctp_proto::Association> = None;
        for _ in 0..3 {
            while let Some(t) = client.poll_transmit(now) {
                for p in raw(t.payload) {
                    match server_ep.handle(now, client_addr, Some(server_addr.ip()), None, p) {
                        Some((_, Dg::NewAssociation(a))) => server = Some(a),
                        Some((_, Dg::AssociationEvent(ev))) => {
                            if let Some(s) = &mut server {
                                s.handle_event(ev);
                            }
                        }
                        None => {}
                    }
                }
            }
            if let Some(s) = &mut server {
                while let Some(t) = s.poll_transmit(now) {
                    for p in raw(t.payload) {
                        if let Some((_, Dg::AssociationEvent(ev))) =
                            client_ep.handle(now, server_addr, Some(client_addr.ip()), None, p)
                        {
                            client.handle_event(ev);
                        }
                    }
                }
            }
        }
        let mut server = server.expect("handshake completed");
        assert!(matches!(server.poll(), Some(sctp_proto::Event::Connected)));
        servers.push(server);
    }
    (server_ep, servers)
}

/// Sets up `n` dcsctp socket pairs in memory; returns the server sockets.
pub fn setup_dcsctp(n: usize) -> Vec<Box<dyn dcsctp::api::DcSctpSocket>> {
    use dcsctp::api::SocketEvent;
    (0..n)
        .map(|i| {
            let port = 10_000 + i as u16;
            let mut client = dcsctp::new_socket("c", &DcsctpPair::options(port, 2905));
            let mut server = dcsctp::new_socket("s", &DcsctpPair::options(2905, port));
            client.connect();
            for _ in 0..3 {
                while let Some(ev) = client.poll_event() {
                    if let SocketEvent::SendPacket(p) = ev {
                        server.handle_input(&p);
                    }
                }
                while let Some(ev) = server.poll_event() {
                    if let SocketEvent::SendPacket(p) = ev {
                        client.handle_input(&p);
                    }
                }
            }
            assert_eq!(server.state(), dcsctp::api::SocketState::Connected);
            server
        })
        .collect()
}
