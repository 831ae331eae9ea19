//! Hosts on the simulated network: the trait, and our stack as a host.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use bytes::Bytes;
use sctp_core::{
    Association, AssociationConfig, AssociationHandle, DatagramEvent, Endpoint, EndpointConfig,
    Event, Message, PartialMessages, Ppid, SendError, State,
};

/// A stack the network can drive.
pub trait Host {
    /// This host's IP address.
    fn ip(&self) -> IpAddr;
    /// Takes a packet that arrived from `from`.
    fn handle(&mut self, now: Instant, from: IpAddr, packet: &[u8]);
    /// Packets the host wants to send now.
    fn poll_transmit(&mut self, now: Instant) -> Vec<Vec<u8>>;
    /// The host's next timer deadline.
    fn poll_timeout(&self) -> Option<Instant>;
    /// Fires the host's due timers.
    fn handle_timeout(&mut self, now: Instant);
}

/// Our endpoint with (at most) one association, recording what it delivers.
#[derive(Debug)]
pub struct SctpHost {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// Our address and port.
    pub local: SocketAddr,
    /// The association, once there is one.
    pub assoc: Option<(AssociationHandle, Association)>,
    /// Messages received, in delivery order (pieces of a partial delivery
    /// joined into whole messages).
    pub received: Vec<Message>,
    /// Pieces that did not end their message (RFC 6458 partial delivery).
    pub partial_pieces: u64,
    /// Every other event, in order.
    pub events: Vec<Event>,
    /// Whether the host polls its association's events (true by default).
    /// False models an application that never reads: received messages stay
    /// queued in the association and keep counting against its receive
    /// window (RFC 9260 section 6.2), so the window closes.
    pub reading: bool,
    outbox: Vec<Vec<u8>>,
    buf: Vec<u8>,
    /// The virtual time of the latest call from the network.
    now: Instant,
    pieces: PartialMessages,
}

impl SctpHost {
    fn new(now: Instant, local: &str, cfg: AssociationConfig, seed: u64) -> Self {
        let local: SocketAddr = local.parse().expect("a socket address");
        let endpoint = Endpoint::new(
            EndpointConfig::default().association(cfg).rng_seed(seed),
            now,
        );
        Self {
            endpoint,
            local,
            assoc: None,
            received: Vec::new(),
            partial_pieces: 0,
            events: Vec::new(),
            reading: true,
            outbox: Vec::new(),
            buf: vec![0; 65_536],
            now,
            pieces: PartialMessages::new(usize::MAX),
        }
    }

    /// A host that connects from `local` to `remote`.
    pub fn client(
        now: Instant,
        local: &str,
        remote: &str,
        cfg: AssociationConfig,
        seed: u64,
    ) -> Self {
        let mut h = Self::new(now, local, cfg, seed);
        let remote: SocketAddr = remote.parse().expect("a socket address");
        let (handle, assoc) = h
            .endpoint
            .connect(now, h.local.port(), remote)
            .expect("a valid connect");
        h.assoc = Some((handle, assoc));
        h
    }

    /// A host that listens on `local`.
    pub fn server(now: Instant, local: &str, cfg: AssociationConfig, seed: u64) -> Self {
        let mut h = Self::new(now, local, cfg, seed);
        h.endpoint.listen(h.local.port());
        h
    }

    /// The virtual time the network last called this host at (for
    /// `send_with`, whose lifetimes count from the call).
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Also accepts associations on our port (for set-up collisions).
    pub fn listen(&mut self) {
        self.endpoint.listen(self.local.port());
    }

    /// The association; panics if there is none (a test bug).
    pub fn association(&mut self) -> &mut Association {
        &mut self.assoc.as_mut().expect("an association").1
    }

    /// Whether a Connected event was seen.
    pub fn connected(&self) -> bool {
        self.events.iter().any(|e| matches!(e, Event::Connected))
    }

    /// The association's state (CLOSED when there is none).
    pub fn state(&self) -> State {
        self.assoc
            .as_ref()
            .map_or(State::Closed, |(_, a)| a.state())
    }

    /// Whether an event matching `f` was seen.
    pub fn saw(&self, f: impl Fn(&Event) -> bool) -> bool {
        self.events.iter().any(f)
    }

    /// Queues a message.
    pub fn send(
        &mut self,
        stream: u16,
        ppid: u32,
        data: &[u8],
        unordered: bool,
    ) -> Result<(), SendError> {
        self.association()
            .send(stream, Ppid(ppid), Bytes::copy_from_slice(data), unordered)
    }

    fn drain_events(&mut self) {
        // A closed association has no TCB (RFC 9260 section 9.1): like
        // sctp-raw, stop routing to it, so what still arrives for it gets
        // the endpoint's out-of-the-blue answers (section 8.4), e.g. a
        // SHUTDOWN COMPLETE for a retransmitted SHUTDOWN ACK.
        if let Some((h, a)) = &self.assoc
            && a.is_closed()
        {
            self.endpoint.forget(*h);
        }
        if !self.reading {
            return;
        }
        let Some((_, a)) = &mut self.assoc else {
            return;
        };
        while let Some(ev) = a.poll_event() {
            match ev {
                Event::Message(m, info) => {
                    self.partial_pieces += u64::from(!info.end_of_record);
                    if let Ok(Some((m, _))) = self.pieces.push(m, info) {
                        self.received.push(m);
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
}

impl Host for SctpHost {
    fn ip(&self) -> IpAddr {
        self.local.ip()
    }

    fn handle(&mut self, now: Instant, from: IpAddr, packet: &[u8]) {
        self.now = now;
        let remote = SocketAddr::new(from, 0);
        match self
            .endpoint
            .handle(now, remote, self.local, packet, &mut self.buf)
        {
            Some(DatagramEvent::Association(h)) => {
                if let Some((handle, a)) = &mut self.assoc
                    && *handle == h
                {
                    a.handle_packet(now, packet);
                }
            }
            Some(DatagramEvent::NewAssociation(h, a))
                if self.assoc.as_ref().is_none_or(|(_, old)| old.is_closed()) =>
            {
                self.assoc = Some((h, *a));
            }
            Some(DatagramEvent::Response(t)) => self.outbox.push(self.buf[..t.size].to_vec()),
            _ => {}
        }
        self.drain_events();
    }

    fn poll_transmit(&mut self, now: Instant) -> Vec<Vec<u8>> {
        self.now = now;
        let mut out = std::mem::take(&mut self.outbox);
        if let Some((_, a)) = &mut self.assoc {
            while let Some(t) = a.poll_transmit(now, &mut self.buf) {
                out.push(self.buf[..t.size].to_vec());
            }
        }
        self.drain_events();
        out
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.assoc.as_ref().and_then(|(_, a)| a.poll_timeout())
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        if let Some((_, a)) = &mut self.assoc {
            a.handle_timeout(now);
        }
        self.drain_events();
    }
}
