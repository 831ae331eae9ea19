//! The endpoint: routes packets to associations by port and peer address,
//! answers INIT statelessly with a state cookie, creates associations from
//! valid COOKIE ECHOs, and applies the out-of-the-blue rules of RFC 9260
//! section 8.4 to everything else.
//!
//! It owns no association: [`Endpoint::handle`] says which association a
//! packet is for, and the caller passes the same bytes to that association's
//! [`Association::handle_packet`]. Packets for ports the endpoint does not
//! own are ignored, never answered: another stack on the host may own them.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use thiserror::Error;

use crate::association::{Association, EndpointEvent, ErrorCause, SmallRng, Transmit};
use crate::config::AssociationConfig;
use crate::handshake::auth::KeyVector;
use crate::handshake::cookie::{CookieError, CookieKey};
use crate::handshake::init::auth_chunk_list;
use crate::handshake::{
    InitAckPlan, InitProblem, PeerInit, encode_abort_packet, encode_error_chunk,
    encode_init_ack_packet, encode_packet, encode_packet_of, init_params_bytes,
};
use crate::wire::cause::{OutOfResource, StaleCookie};
use crate::wire::chunk::{Abort, CookieAck, CookieEcho, Init, ShutdownAck, ShutdownComplete};
use crate::wire::{Chunk, ChunkValue, Packet};
use crate::{Tsn, VerificationTag};

/// Identifies an association of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AssociationHandle(pub u64);

/// Endpoint-wide settings.
#[derive(Debug, Clone)]
pub struct EndpointConfig {
    /// Settings every association of this endpoint starts with.
    pub association: AssociationConfig,
    /// The master key for state cookies; random when `None`.
    pub cookie_secret: Option<[u8; 32]>,
    /// Replace the cookie master key with a new random one this often
    /// (`None`: never). Cookies signed with the previous key are still
    /// accepted until they expire or the next rotation, whichever is first.
    pub cookie_secret_rotation: Option<Duration>,
    /// Seed for tags, TSNs and nonces, for reproducible runs; random when `None`.
    pub rng_seed: Option<u64>,
    /// Whether to verify the CRC32c of received packets (off only for fuzzing
    /// or a transport that verified it already).
    pub verify_checksum: bool,
    /// Most associations created from cookies; further COOKIE ECHOs get ABORT (Out of Resource).
    pub max_associations: usize,
    /// How long the (port, peer) of an association forgotten after it closed
    /// is still answered by the out-of-the-blue rules when no other
    /// association or listener owns the port: a peer whose SHUTDOWN COMPLETE
    /// was lost retransmits SHUTDOWN ACK (RFC 9260 section 8.4 rule 5).
    pub linger: Duration,
    /// Our addresses (RFC 9260 section 5.1.2): listed in INIT and INIT ACK
    /// when there are two or more, so the peer can use each as a path. One
    /// address (or none: the unspecified address) is never listed: the
    /// packet's source stands for it, which keeps NAT and Kubernetes
    /// Service addresses working. Peer addresses of a family none of them
    /// has are ignored.
    pub local_addresses: Vec<IpAddr>,
}

impl Default for EndpointConfig {
    fn default() -> Self {
        Self {
            association: AssociationConfig::default(),
            cookie_secret: None,
            cookie_secret_rotation: None,
            rng_seed: None,
            verify_checksum: true,
            max_associations: 100_000,
            // Like TCP's TIME-WAIT on Linux; also RFC 9260's RTO.Max.
            linger: Duration::from_secs(60),
            local_addresses: Vec::new(),
        }
    }
}

impl EndpointConfig {
    /// Sets the association settings.
    #[must_use]
    pub fn association(mut self, config: AssociationConfig) -> Self {
        self.association = config;
        self
    }

    /// Sets the RNG seed.
    #[must_use]
    pub fn rng_seed(mut self, seed: u64) -> Self {
        self.rng_seed = Some(seed);
        self
    }

    /// Sets our addresses (listed in INIT and INIT ACK when there are several).
    #[must_use]
    pub fn local_addresses(mut self, addresses: Vec<IpAddr>) -> Self {
        self.local_addresses = addresses;
        self
    }

    /// Sets the cookie master key.
    #[must_use]
    pub fn cookie_secret(mut self, secret: [u8; 32]) -> Self {
        self.cookie_secret = Some(secret);
        self
    }

    /// Sets how often the cookie master key is replaced (`None`: never).
    #[must_use]
    pub fn cookie_secret_rotation(mut self, period: Option<Duration>) -> Self {
        self.cookie_secret_rotation = period;
        self
    }
}

/// What to do with a received packet.
#[derive(Debug)]
pub enum DatagramEvent {
    /// Pass the packet to this association's [`Association::handle_packet`].
    Association(AssociationHandle),
    /// A valid COOKIE ECHO created this association, which has already
    /// processed the packet; poll it for its COOKIE ACK.
    NewAssociation(AssociationHandle, Box<Association>),
    /// The endpoint answered for itself (INIT ACK, ABORT, SHUTDOWN COMPLETE,
    /// Stale Cookie ERROR): send the packet written into the caller's buffer.
    Response(Transmit),
}

/// Why [`Endpoint::connect`] refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// An association with this peer from this port exists already.
    #[error("an association from port {local_port} to {remote} exists already")]
    Duplicate {
        /// Our port.
        local_port: u16,
        /// The peer.
        remote: SocketAddr,
    },
    /// Port 0 cannot be used, nor peer addresses with different ports.
    #[error("invalid port: 0, or peer addresses with different ports")]
    InvalidPort,
    /// No peer address was given.
    #[error("no peer address to connect to")]
    NoAddress,
}

/// A sans-IO SCTP endpoint.
#[derive(Debug)]
pub struct Endpoint {
    config: EndpointConfig,
    assoc_config: Arc<AssociationConfig>,
    key: CookieKey,
    rng: StdRng,
    listening: HashSet<u16>,
    routes: HashMap<(u16, SocketAddr), AssociationHandle>,
    /// Associations per local port, so port ownership is one lookup.
    ports: HashMap<u16, usize>,
    /// Each association's routes and the tag the peer puts in its packets.
    keys: HashMap<AssociationHandle, RouteEntry>,
    /// Associations by (our port, that tag), for packets from a peer
    /// address other than the one routed by.
    by_tag: HashMap<(u16, VerificationTag), AssociationHandle>,
    /// Forgotten associations' (port, peer) still answered, with their
    /// expiry, oldest first; `lingering` indexes it.
    linger_queue: VecDeque<(Instant, (u16, SocketAddr))>,
    lingering: HashSet<(u16, SocketAddr)>,
    /// The latest time the caller passed in.
    now: Instant,
    /// When the cookie master key is next replaced, if it rotates.
    next_rotation: Option<Instant>,
    next_handle: u64,
}

/// Where an association's packets come from.
#[derive(Debug)]
struct RouteEntry {
    port: u16,
    /// Every peer address routed to it (RFC 9260 section 6.4).
    remotes: Vec<SocketAddr>,
    tag: VerificationTag,
}

/// At most this many forgotten associations linger; the oldest go first.
const MAX_LINGERING: usize = 4096;

impl Endpoint {
    /// A new endpoint; `now` is the reference for cookie timestamps.
    pub fn new(config: EndpointConfig, now: Instant) -> Self {
        let mut rng = match config.rng_seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        let secret = config.cookie_secret.unwrap_or_else(|| rng.random());
        let key = CookieKey::new(secret, now, config.association.valid_cookie_life);
        let next_rotation = config
            .cookie_secret_rotation
            .filter(|p| !p.is_zero())
            .map(|p| now + p);
        Self {
            assoc_config: Arc::new(config.association.clone()),
            config,
            key,
            rng,
            listening: HashSet::new(),
            routes: HashMap::new(),
            ports: HashMap::new(),
            keys: HashMap::new(),
            by_tag: HashMap::new(),
            linger_queue: VecDeque::new(),
            lingering: HashSet::new(),
            now,
            next_rotation,
            next_handle: 0,
        }
    }

    /// Replaces our addresses (RFC 6458 `sctp_bindx`): listed to new peers
    /// when there are several; packets to others are not ours.
    pub fn set_local_addresses(&mut self, addresses: Vec<IpAddr>) {
        self.config.local_addresses = addresses;
    }

    /// Accepts associations on `port` (INIT is answered there).
    pub fn listen(&mut self, port: u16) {
        self.listening.insert(port);
    }

    /// Stops accepting new associations on `port`.
    pub fn unlisten(&mut self, port: u16) {
        self.listening.remove(&port);
    }

    /// Whether packets to `port` are this endpoint's: a listening port or one of its associations'.
    pub fn owns_port(&self, port: u16) -> bool {
        self.listening.contains(&port) || self.ports.contains_key(&port)
    }

    /// Associations currently routed.
    pub fn association_count(&self) -> usize {
        self.keys.len()
    }

    /// The settings associations get unless started with their own
    /// ([`Endpoint::connect_with`]).
    pub fn association_config(&self) -> &Arc<AssociationConfig> {
        &self.assoc_config
    }

    /// Starts an association from `local_port` to `remote`; poll it for the INIT.
    pub fn connect(
        &mut self,
        now: Instant,
        local_port: u16,
        remote: SocketAddr,
    ) -> Result<(AssociationHandle, Association), ConnectError> {
        self.connect_to(now, local_port, &[remote])
    }

    /// Starts an association from `local_port` to a peer with several
    /// addresses (RFC 6458 sctp_connectx): the INIT goes to the first, and
    /// retransmissions of it try the others in turn (RFC 9260 section
    /// 5.1). All must have the same port.
    pub fn connect_to(
        &mut self,
        now: Instant,
        local_port: u16,
        remotes: &[SocketAddr],
    ) -> Result<(AssociationHandle, Association), ConnectError> {
        let config = self.assoc_config.clone();
        self.connect_with(now, local_port, remotes, config)
    }

    /// As [`Endpoint::connect_to`], with this association's own
    /// configuration rather than the endpoint's (a socket whose options
    /// differ from the listener's on the same port, RFC 6458 SCTP_INITMSG).
    pub fn connect_with(
        &mut self,
        now: Instant,
        local_port: u16,
        remotes: &[SocketAddr],
        config: Arc<AssociationConfig>,
    ) -> Result<(AssociationHandle, Association), ConnectError> {
        self.advance(now);
        let Some(&remote) = remotes.first() else {
            return Err(ConnectError::NoAddress);
        };
        if local_port == 0
            || remotes
                .iter()
                .any(|r| r.port() != remote.port() || r.port() == 0)
        {
            return Err(ConnectError::InvalidPort);
        }
        if let Some(&remote) = remotes
            .iter()
            .find(|r| self.routes.contains_key(&(local_port, **r)))
        {
            return Err(ConnectError::Duplicate { local_port, remote });
        }
        let rng = SmallRng::new(self.rng.random());
        let mut assoc = Association::connect(
            now,
            config,
            self.key.clone(),
            remote,
            local_port,
            self.config.local_addresses.clone(),
            rng,
        );
        for r in &remotes[1..] {
            assoc.add_connect_address(now, *r);
        }
        let handle = self.add_route(local_port, remote, assoc.local_verification_tag());
        self.drain_events(handle, &mut assoc);
        Ok((handle, assoc))
    }

    /// Learns what `handle`'s association says about its routes (call with
    /// each [`Association::poll_endpoint_event`]).
    pub fn handle_event(&mut self, handle: AssociationHandle, event: EndpointEvent) {
        let Some(entry) = self.keys.get_mut(&handle) else {
            return;
        };
        match event {
            EndpointEvent::PeerAddressAdded(remote) => {
                // An address another association owns stays that one's.
                if let std::collections::hash_map::Entry::Vacant(v) =
                    self.routes.entry((entry.port, remote))
                {
                    v.insert(handle);
                    entry.remotes.push(remote);
                }
            }
            EndpointEvent::PeerAddressRemoved(remote) => {
                if self.routes.get(&(entry.port, remote)) == Some(&handle) {
                    self.routes.remove(&(entry.port, remote));
                    entry.remotes.retain(|r| *r != remote);
                }
            }
        }
    }

    fn drain_events(&mut self, handle: AssociationHandle, assoc: &mut Association) {
        while let Some(ev) = assoc.poll_endpoint_event() {
            self.handle_event(handle, ev);
        }
    }

    /// Forgets a closed association's route. Its (port, peer) lingers for
    /// [`EndpointConfig::linger`]: packets from that peer are still answered
    /// by the out-of-the-blue rules (a retransmitted SHUTDOWN ACK gets its
    /// SHUTDOWN COMPLETE) even when nothing else owns the port.
    pub fn forget(&mut self, handle: AssociationHandle) {
        let Some(entry) = self.keys.remove(&handle) else {
            return;
        };
        self.by_tag.remove(&(entry.port, entry.tag));
        if let Some(n) = self.ports.get_mut(&entry.port) {
            *n -= 1;
            if *n == 0 {
                self.ports.remove(&entry.port);
            }
        }
        for remote in entry.remotes {
            let key = (entry.port, remote);
            if self.routes.get(&key) == Some(&handle) {
                self.routes.remove(&key);
            }
            self.linger(key);
        }
    }

    fn linger(&mut self, key: (u16, SocketAddr)) {
        if self.config.linger.is_zero() || !self.lingering.insert(key) {
            return;
        }
        if self.linger_queue.len() >= MAX_LINGERING
            && let Some((_, oldest)) = self.linger_queue.pop_front()
        {
            self.lingering.remove(&oldest);
        }
        self.linger_queue
            .push_back((self.now + self.config.linger, key));
    }

    /// Whether the (port, peer) of any forgotten association still lingers.
    pub fn is_lingering(&self) -> bool {
        !self.lingering.is_empty()
    }

    /// The next deadline for [`Endpoint::handle_timeout`]: when the oldest
    /// lingering (port, peer) expires (a host that wants its SHUTDOWN
    /// COMPLETEs answered keeps feeding packets until then) or the cookie
    /// master key is due for rotation, whichever is first.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let linger = self.linger_queue.front().map(|&(t, _)| t);
        match (linger, self.next_rotation) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Lets lingering (port, peer) pairs whose time is up go, and rotates
    /// the cookie master key when due.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.advance(now);
    }

    /// Records the caller's time, rotates the cookie key when due and
    /// drops expired lingering entries.
    fn advance(&mut self, now: Instant) {
        if now > self.now {
            self.now = now;
        }
        self.rotate_cookie_secret();
        while let Some(&(t, key)) = self.linger_queue.front() {
            if t > self.now {
                break;
            }
            self.linger_queue.pop_front();
            self.lingering.remove(&key);
        }
    }

    /// Draws a new cookie master key for every rotation period that ended
    /// (RFC 9260 section 5.1.3 leaves the key's lifetime to the
    /// implementation). After two rotations no cookie of the older keys can
    /// be opened, so at most two keys are drawn however much time passed.
    fn rotate_cookie_secret(&mut self) {
        let (Some(next), Some(period)) = (self.next_rotation, self.config.cookie_secret_rotation)
        else {
            return;
        };
        if next > self.now {
            return;
        }
        let behind = self.now.duration_since(next).as_nanos();
        let period_ns = period.as_nanos().max(1);
        let rotations = behind / period_ns + 1;
        for _ in 0..rotations.min(2) {
            let secret: [u8; 32] = self.rng.random();
            self.key.rotate(secret);
        }
        let into_period = Duration::from_nanos((behind % period_ns) as u64);
        self.next_rotation = Some(self.now + period - into_period);
    }

    fn add_route(
        &mut self,
        local_port: u16,
        remote: SocketAddr,
        local_vtag: VerificationTag,
    ) -> AssociationHandle {
        let handle = AssociationHandle(self.next_handle);
        self.next_handle += 1;
        self.routes.insert((local_port, remote), handle);
        self.by_tag.insert((local_port, local_vtag), handle);
        *self.ports.entry(local_port).or_default() += 1;
        self.keys.insert(
            handle,
            RouteEntry {
                port: local_port,
                remotes: vec![remote],
                tag: local_vtag,
            },
        );
        handle
    }

    /// Routes or answers one received SCTP packet (`data` starts at the
    /// common header) that came from `remote` to our address `local`. A
    /// response is written into `buf`, which should hold a path MTU.
    pub fn handle(
        &mut self,
        now: Instant,
        remote: SocketAddr,
        local: SocketAddr,
        data: &[u8],
        buf: &mut [u8],
    ) -> Option<DatagramEvent> {
        let packet = Packet::new_checked(data).ok()?;
        // A multi-homed endpoint owns its addresses only: a packet to
        // another address of the host is another stack's.
        let ip = local.ip();
        if !ip.is_unspecified()
            && !self.config.local_addresses.is_empty()
            && !self.config.local_addresses.contains(&ip)
        {
            return None;
        }
        let local_port = packet.dst_port();
        let remote = SocketAddr::new(remote.ip(), packet.src_port());
        self.advance(now);
        // An association's own packet, the common case, costs one lookup.
        let route = self.routes.get(&(local_port, remote)).copied();
        if route.is_none()
            && !self.owns_port(local_port)
            && !self.lingering.contains(&(local_port, remote))
        {
            return None;
        }
        if self.config.verify_checksum && packet.verify_checksum().is_err() {
            // Section 6.8: silently discard.
            return None;
        }
        if let Some(h) = route {
            return Some(DatagramEvent::Association(h));
        }
        // The peer's port with the tag of one of our associations, from
        // another address: a multi-homed peer's second address, or its
        // traffic after a route change. It is that association's, not out of
        // the blue: rule 8 of RFC 9260 section 8.4 would answer with an ABORT
        // carrying that very tag, which the peer accepts, and the
        // association would die. The tag is the check section 8.5 relies
        // on; the association verifies it again.
        let vtag = packet.verification_tag();
        if vtag.0 != 0
            && let Some(&h) = self.by_tag.get(&(local_port, vtag))
            && self
                .keys
                .get(&h)
                .is_some_and(|e| e.remotes.first().is_some_and(|p| p.port() == remote.port()))
        {
            return Some(DatagramEvent::Association(h));
        }
        self.out_of_the_blue(now, remote, local_port, &packet, buf)
    }

    /// RFC 9260 section 8.4, with INIT and COOKIE ECHO handled as section 5.1 says.
    fn out_of_the_blue(
        &mut self,
        now: Instant,
        remote: SocketAddr,
        local_port: u16,
        packet: &Packet<&[u8]>,
        buf: &mut [u8],
    ) -> Option<DatagramEvent> {
        // Rule 1: only unicast sources are answered.
        let ip = remote.ip();
        if ip.is_multicast() || ip.is_unspecified() || remote.port() == 0 {
            return None;
        }
        let vtag = packet.verification_tag();
        let mut first: Option<Chunk<'_>> = None;
        let mut first_raw = None;
        let mut count = 0;
        for raw in packet.chunks() {
            count += 1;
            let Ok(raw) = raw else {
                return None;
            };
            match raw.chunk_type {
                // Rules 2, 6, 7: ABORT, SHUTDOWN COMPLETE, COOKIE ACK are never answered.
                t if t == Abort::TYPE || t == ShutdownComplete::TYPE || t == CookieAck::TYPE => {
                    return None;
                }
                _ => {}
            }
            if first.is_none() {
                match raw.parse() {
                    Ok(c) => {
                        first = Some(c);
                        first_raw = Some(raw);
                    }
                    Err(_) => return None,
                }
            }
        }
        let (first, first_raw) = (first?, first_raw?);
        let response = match &first {
            Chunk::Init(init) => {
                // Section 8.5.1 A and 6.10: INIT carries tag 0 and travels alone.
                if vtag.0 != 0 || count > 1 {
                    return None;
                }
                self.answer_init(
                    now,
                    remote,
                    local_port,
                    init,
                    init_params_bytes(first_raw.value),
                )
            }
            Chunk::CookieEcho(CookieEcho { cookie }) => {
                return self.accept_cookie(now, remote, local_port, cookie, packet, buf);
            }
            // Rule 5: SHUTDOWN ACK gets SHUTDOWN COMPLETE with the T bit.
            Chunk::ShutdownAck(ShutdownAck) => Some(encode_packet(
                local_port,
                remote.port(),
                vtag,
                &[Chunk::ShutdownComplete(ShutdownComplete { t_bit: true })],
            )),
            // Rule 7: an ERROR with a Stale Cookie cause is dropped.
            Chunk::Error(e)
                if e.causes
                    .iter()
                    .any(|c| matches!(c, crate::wire::cause::Cause::StaleCookie(_))) =>
            {
                None
            }
            // Rule 8: everything else gets ABORT with the T bit.
            _ => Some(encode_abort_packet(
                local_port,
                remote.port(),
                vtag,
                true,
                &[],
            )),
        };
        match response {
            Some(p) => self.respond(remote, &p, buf),
            None => None,
        }
    }

    fn respond(
        &mut self,
        remote: SocketAddr,
        packet: &[u8],
        buf: &mut [u8],
    ) -> Option<DatagramEvent> {
        let dst = buf.get_mut(..packet.len())?;
        dst.copy_from_slice(packet);
        Some(DatagramEvent::Response(Transmit {
            destination: remote,
            size: packet.len(),
        }))
    }

    /// Section 5.1 B: answer INIT with INIT ACK and a cookie; keep no state.
    fn answer_init(
        &mut self,
        now: Instant,
        remote: SocketAddr,
        local_port: u16,
        init: &Init<'_>,
        raw_params: &[u8],
    ) -> Option<Vec<u8>> {
        if !self.listening.contains(&local_port) {
            // Section 8.4 rule 3: ABORT with the INIT's tag and the T bit clear.
            return Some(encode_abort_packet(
                local_port,
                remote.port(),
                init.initiate_tag,
                false,
                &[],
            ));
        }
        let peer = match PeerInit::examine(
            init.initiate_tag,
            init.a_rwnd,
            init.num_outbound_streams,
            init.num_inbound_streams,
            init.initial_tsn,
            &init.params,
            raw_params,
        ) {
            Ok(p) => p,
            Err(InitProblem::Discard) => return None,
            Err(InitProblem::Abort(causes)) => {
                return Some(encode_abort_packet(
                    local_port,
                    remote.port(),
                    init.initiate_tag,
                    false,
                    &causes,
                ));
            }
        };
        let plan = InitAckPlan {
            local_vtag: VerificationTag(nonzero(&mut self.rng)),
            local_initial_tsn: self
                .assoc_config
                .initial_tsn
                .unwrap_or_else(|| Tsn(self.rng.random())),
            tie_tag: 0,
        };
        // RFC 4895 section 6.1: a Random of our own; the cookie keeps it.
        let local_key = self
            .assoc_config
            .auth
            .then(|| KeyVector::ours(&self.rng.random(), auth_chunk_list(&self.assoc_config)));
        Some(encode_init_ack_packet(
            now,
            &self.key,
            &self.assoc_config,
            remote,
            local_port,
            &peer,
            plan,
            self.assoc_config.receive_window,
            &self.config.local_addresses,
            local_key.as_ref(),
        ))
    }

    /// Section 5.1 D and 5.1.5: a COOKIE ECHO with no association.
    fn accept_cookie(
        &mut self,
        now: Instant,
        remote: SocketAddr,
        local_port: u16,
        cookie: &[u8],
        packet: &Packet<&[u8]>,
        buf: &mut [u8],
    ) -> Option<DatagramEvent> {
        if !self.listening.contains(&local_port) {
            return None;
        }
        let c = match self.key.open(cookie, now) {
            Ok(c) => c,
            // Section 5.1.5 step 2: a bad MAC is discarded silently.
            Err(CookieError::Invalid) => return None,
            Err(CookieError::Stale { staleness_us }) => {
                let err = encode_error_chunk(&[ErrorCause::of(StaleCookie { staleness_us })]);
                // Section 5.2.6: the ERROR carries the tag the peer chose (in the cookie),
                // but a stale cookie's contents are authentic, so that tag is known.
                let Ok(c) = self.key.open_ignoring_age(cookie) else {
                    return None;
                };
                let p = encode_packet_of(local_port, remote.port(), c.peer_vtag, &[&err]);
                return self.respond(remote, &p, buf);
            }
        };
        // The cookie is bound to the address and port the INIT came from.
        if c.peer != remote
            || c.local_port != local_port
            || packet.verification_tag() != c.local_vtag
        {
            return None;
        }
        if self.keys.len() >= self.config.max_associations {
            let causes = [ErrorCause::of(OutOfResource)];
            let p = encode_abort_packet(local_port, remote.port(), c.peer_vtag, false, &causes);
            return self.respond(remote, &p, buf);
        }
        let rng = SmallRng::new(self.rng.random());
        let mut assoc = Box::new(Association::from_cookie(
            now,
            self.assoc_config.clone(),
            self.key.clone(),
            &c,
            self.config.local_addresses.clone(),
            rng,
        ));
        // Chunks bundled after the COOKIE ECHO (DATA, say) are the association's.
        assoc.handle_packet_from(now, remote, packet.as_bytes());
        let handle = self.add_route(local_port, remote, assoc.local_verification_tag());
        self.drain_events(handle, &mut assoc);
        Some(DatagramEvent::NewAssociation(handle, assoc))
    }
}

fn nonzero(rng: &mut StdRng) -> u32 {
    loop {
        let v: u32 = rng.random();
        if v != 0 {
            return v;
        }
    }
}
