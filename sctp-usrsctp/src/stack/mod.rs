//! The stack behind the C ABI: sockets, ports and associations, driving the
//! sans-IO engine. Everything here is safe Rust run under one lock
//! ([`Global`]); the FFI layer takes the lock, calls in, and after
//! unlocking sends the packets ([`Outgoing`]) and makes the calls to the
//! application ([`Call`]) that the work produced.

pub(crate) mod addr;
pub(crate) mod callbacks;
pub(crate) mod notify;
pub(crate) mod socket;
pub(crate) mod transport;

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use sctp_core::{
    Association, AssociationConfig, AssociationHandle, DatagramEvent, Endpoint, EndpointConfig,
    Event, Message, Ppid, PrPolicy, SendError, SendOptions, State,
};

use crate::handle::SockRef;
use addr::Peer;
use callbacks::{Call, ConnOutput};
use socket::{Callbacks, Family, Options, Socket};

/// An association's number as C sees it (`sctp_assoc_t`); 0..=2 are
/// SCTP_FUTURE_ASSOC, SCTP_CURRENT_ASSOC and SCTP_ALL_ASSOC.
pub(crate) type AssocId = u32;

/// An errno value.
pub(crate) type Errno = i32;

/// Bytes of messages taken from the engine and not yet read, per
/// association, before the engine is left to hold the rest (and close the
/// receive window the peer sees).
const INBOX_CAP: usize = 64 * 1024;

/// Largest packet: AF_CONN paths may be given MTUs up to 64 KiB.
const MAX_PACKET: usize = 65536;

/// Receive information of one message (`sctp_rcvinfo` in host order).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RcvInfo {
    /// Stream.
    pub(crate) sid: u16,
    /// Stream sequence number.
    pub(crate) ssn: u16,
    /// SCTP_UNORDERED or 0.
    pub(crate) flags: u16,
    /// PPID as on the wire (host value).
    pub(crate) ppid: u32,
    /// TSN.
    pub(crate) tsn: u32,
    /// Cumulative TSN.
    pub(crate) cumtsn: u32,
    /// The socket's SCTP_CONTEXT.
    pub(crate) context: u32,
    /// Association.
    pub(crate) assoc_id: AssocId,
}

/// What an association holds for its reader, in order.
pub(crate) enum Item {
    /// A message (or a piece of one) and whether it ends the message.
    Data(Bytes, RcvInfo, bool),
    /// A notification's bytes (`union sctp_notification`).
    Notification(Vec<u8>),
}

impl Item {
    fn len(&self) -> usize {
        match self {
            Self::Data(b, ..) => b.len(),
            Self::Notification(b) => b.len(),
        }
    }
}

/// One association.
pub(crate) struct Assoc {
    /// Its id.
    pub(crate) id: AssocId,
    /// Our port (its endpoint's).
    pub(crate) port: u16,
    /// Its handle in the port's endpoint.
    pub(crate) handle: AssociationHandle,
    /// The engine.
    pub(crate) engine: Association,
    /// The socket slot that holds it (a listener's while in its accept
    /// queue); `None` once that socket is closed and it is shutting down.
    pub(crate) socket: Option<u32>,
    /// What its reader has not read yet.
    pub(crate) inbox: VecDeque<Item>,
    /// Bytes in `inbox`.
    pub(crate) inbox_bytes: usize,
    /// The peer's UDP encapsulation port (RFC 6951), when it uses one.
    pub(crate) udp_port: Option<u16>,
    /// Whether it reached ESTABLISHED (a later close is COMM_LOST, not CANT_STR_ASSOC).
    pub(crate) established: bool,
    /// The end was reported to a callback socket.
    pub(crate) eof_reported: bool,
    /// Free send space last reported by `send_cb`, to report increases.
    pub(crate) reported_free: Option<u32>,
    /// SCTP_COMM_UP was reported (or had nothing to report).
    pub(crate) up_reported: bool,
    /// An adaptation indication that arrived before COMM_UP: usrsctp
    /// reports it right after (RFC 6458 section 6.1.6 order).
    pub(crate) held_adaptation: Option<Event>,
    /// Source address chosen per destination (a socket bound to specific
    /// addresses), looked up once.
    pub(crate) sources: Vec<(IpAddr, IpAddr)>,
}

impl Assoc {
    /// The source address for packets to `dest` from a socket bound to
    /// `bound`: the one the route to `dest` uses when it is bound, else the
    /// first bound one of `dest`'s family (RFC 9260 section 6.4: each
    /// packet from one of our addresses in the association).
    fn source_for(&mut self, dest: IpAddr, bound: &[IpAddr]) -> IpAddr {
        if let Some(&(_, s)) = self
            .sources
            .iter()
            .find(|(d, s)| *d == dest && bound.contains(s))
        {
            return s;
        }
        self.sources.retain(|(d, _)| *d != dest);
        let same_family = |ip: &IpAddr| ip.is_ipv4() == dest.is_ipv4();
        let src = transport::route_source(dest)
            .filter(|s| bound.contains(s))
            .or_else(|| bound.iter().copied().find(same_family))
            .unwrap_or(bound[0]);
        self.sources.push((dest, src));
        src
    }
}

/// One bound port: its engine endpoint, shared by the sockets on it.
pub(crate) struct Port {
    /// Demultiplexing, cookies, out-of-the-blue rules.
    pub(crate) endpoint: Endpoint,
    /// The socket listening on it.
    pub(crate) listener: Option<u32>,
    /// Endpoint handles to association ids.
    pub(crate) handles: HashMap<AssociationHandle, AssocId>,
    /// Sockets bound to it (a listener and those it accepted, a client).
    pub(crate) sockets: usize,
    /// AF_CONN port.
    pub(crate) conn: bool,
    /// What each socket bound here holds: slot, AF_CONN pointer, addresses
    /// (none: the wildcard). Two sockets may share a port on different
    /// addresses, as two AF_CONN sockets in one process usually do.
    pub(crate) bound: Vec<(u32, Option<usize>, Vec<IpAddr>)>,
}

/// Where a packet goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dest {
    /// Raw IP to this address.
    Ip(IpAddr),
    /// UDP-encapsulated (RFC 6951) to this address and UDP port.
    Udp(SocketAddr),
    /// The application's `conn_output`, with this address pointer.
    Conn(usize),
}

/// A packet to send once the lock is released.
pub(crate) struct Outgoing {
    /// Where.
    pub(crate) dest: Dest,
    /// The source address it must leave from (a socket bound to specific
    /// addresses); `None` lets the routes choose.
    pub(crate) src: Option<IpAddr>,
    /// The SCTP packet (common header first).
    pub(crate) data: Vec<u8>,
}

/// usrsctp's stack-wide settings (`usrsctp_sysctl_set_*`) that mean
/// something here; the others are accepted and ignored.
#[derive(Debug, Clone)]
pub(crate) struct Sysctl {
    /// sctp_sendspace.
    pub(crate) sendspace: u32,
    /// sctp_recvspace.
    pub(crate) recvspace: u32,
    /// sctp_nr_outgoing_streams_default.
    pub(crate) out_streams: u16,
    /// sctp_nr_incoming_streams_default.
    pub(crate) in_streams: u16,
    /// sctp_rto_initial_default, ms.
    pub(crate) rto_initial: u32,
    /// sctp_rto_min_default, ms.
    pub(crate) rto_min: u32,
    /// sctp_rto_max_default, ms.
    pub(crate) rto_max: u32,
    /// sctp_init_rtx_max_default.
    pub(crate) init_rtx_max: u32,
    /// sctp_assoc_rtx_max_default.
    pub(crate) assoc_rtx_max: u32,
    /// sctp_path_rtx_max_default.
    pub(crate) path_rtx_max: u32,
    /// sctp_valid_cookie_life_default, ms.
    pub(crate) cookie_life: u32,
    /// sctp_heartbeat_interval_default, ms.
    pub(crate) hb_interval: u32,
    /// sctp_max_burst_default.
    pub(crate) max_burst: u32,
    /// sctp_delayed_sack_time_default, ms.
    pub(crate) sack_delay: u32,
    /// sctp_sack_freq_default.
    pub(crate) sack_freq: u32,
    /// sctp_pr_enable.
    pub(crate) pr_enable: bool,
    /// sctp_reconfig_enable.
    pub(crate) reconfig_enable: bool,
    /// sctp_asconf_enable.
    pub(crate) asconf_enable: bool,
    /// sctp_auth_enable.
    pub(crate) auth_enable: bool,
    /// sctp_udp_tunneling_port.
    pub(crate) udp_port: u16,
    /// sctp_debug_on (printed through the init's debug_printf when set).
    pub(crate) debug_on: u32,
    /// Every other value set, so a get returns what was set.
    pub(crate) other: HashMap<&'static str, u32>,
}

impl Default for Sysctl {
    fn default() -> Self {
        // usrsctp's defaults (its sctp_sysctl.h).
        Self {
            sendspace: 262_144,
            recvspace: 131_072,
            out_streams: 10,
            in_streams: 2048,
            rto_initial: 1000,
            rto_min: 1000,
            rto_max: 60_000,
            init_rtx_max: 8,
            assoc_rtx_max: 10,
            path_rtx_max: 5,
            cookie_life: 60_000,
            hb_interval: 30_000,
            max_burst: 4,
            sack_delay: 200,
            sack_freq: 2,
            pr_enable: true,
            reconfig_enable: true,
            asconf_enable: true,
            auth_enable: true,
            udp_port: 0,
            debug_on: 0,
            other: HashMap::new(),
        }
    }
}

/// Counters for `usrsctp_get_stat` (RFC 3873's MIB, as usrsctp keeps it).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stats {
    /// Associations now ESTABLISHED or later.
    pub(crate) currestab: u32,
    /// Associations we started that reached ESTABLISHED.
    pub(crate) activeestab: u32,
    /// Associations peers started that reached ESTABLISHED.
    pub(crate) passiveestab: u32,
    /// Associations that ended abortively.
    pub(crate) aborted: u32,
    /// Associations that ended gracefully.
    pub(crate) shutdown: u32,
    /// Packets sent.
    pub(crate) outpackets: u32,
    /// Packets received.
    pub(crate) inpackets: u32,
    /// Out-of-the-blue packets answered or dropped.
    pub(crate) outoftheblue: u32,
}

/// What `recvv` read.
pub(crate) struct Received {
    /// The bytes (at most the reader's buffer).
    pub(crate) data: Bytes,
    /// The peer.
    pub(crate) from: Option<Peer>,
    /// Receive information (data only).
    pub(crate) info: Option<RcvInfo>,
    /// MSG_NOTIFICATION, MSG_EOR.
    pub(crate) flags: i32,
}

/// Per-message send parameters from `usrsctp_sendv`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SendParams {
    /// Stream.
    pub(crate) sid: u16,
    /// SCTP_UNORDERED, SCTP_EOF, SCTP_ABORT, SCTP_SENDALL, SCTP_EOR.
    pub(crate) flags: u16,
    /// PPID in network byte order, as the application gave it.
    pub(crate) ppid_be: u32,
    /// Context for send failures.
    pub(crate) context: u32,
    /// Association (one-to-many).
    pub(crate) assoc_id: AssocId,
    /// SCTP_PR_SCTP_* policy.
    pub(crate) pr_policy: u16,
    /// Its value.
    pub(crate) pr_value: u32,
}

/// The slot of one socket.
struct Slot {
    generation: u32,
    socket: Option<Socket>,
}

/// Everything the library knows, behind [`Global`]'s lock.
pub(crate) struct Stack {
    slots: Vec<Slot>,
    free_slots: Vec<u32>,
    /// Bound ports.
    pub(crate) ports: HashMap<u16, Port>,
    /// Associations.
    pub(crate) assocs: HashMap<AssocId, Assoc>,
    next_assoc_id: AssocId,
    /// Settings.
    pub(crate) sysctl: Sysctl,
    /// Counters.
    pub(crate) stats: Stats,
    /// Packets to send after unlocking.
    pub(crate) out: Vec<Outgoing>,
    /// Calls to make after unlocking.
    pub(crate) calls: VecDeque<Call>,
    /// Associations with work to do.
    dirty: Vec<AssocId>,
    /// The application's AF_CONN output.
    pub(crate) conn_output: Option<ConnOutput>,
    /// The application's debug printer.
    pub(crate) debug_printf: Option<usize>,
    /// `usrsctp_enable_crc32c_offload`: AF_CONN packets leave with a zero
    /// checksum for the application to fill in.
    pub(crate) crc_offload: bool,
    /// `usrsctp_init_nothreads`: timers run only in `usrsctp_handle_timers`.
    pub(crate) threads: bool,
    /// The transports (sockets and their threads).
    pub(crate) io: Option<std::sync::Arc<transport::Io>>,
    buf: Vec<u8>,
}

/// The one stack of the process and its wake-up signal.
pub(crate) struct Global {
    /// The stack; `None` before `usrsctp_init` and after `usrsctp_finish`.
    pub(crate) stack: Mutex<Option<Stack>>,
    /// Signalled after every change a blocked call may wait for.
    pub(crate) changed: Condvar,
    /// Held while making calls to the application, so they keep their order.
    pub(crate) dispatch: Mutex<()>,
}

/// The process's stack.
pub(crate) static GLOBAL: Global = Global {
    stack: Mutex::new(None),
    changed: Condvar::new(),
    dispatch: Mutex::new(()),
};

/// Locks the stack, surviving a poisoned lock (a panic caught at the ABI).
pub(crate) fn lock() -> MutexGuard<'static, Option<Stack>> {
    GLOBAL.stack.lock().unwrap_or_else(|e| e.into_inner())
}

fn ms(v: u32) -> Duration {
    Duration::from_millis(v.into())
}

/// The engine configuration a socket's options ask for.
pub(crate) fn assoc_config(o: &Options, family: Family) -> Result<AssociationConfig, Errno> {
    let mut c = AssociationConfig::default();
    c.outbound_streams = o.out_streams.max(1);
    c.inbound_streams = o.in_streams.max(1);
    c.rto_initial = ms(o.rto_initial);
    c.rto_min = ms(o.rto_min);
    c.rto_max = ms(o.rto_max);
    c.max_init_retransmits = o.max_init_attempts.into();
    c.assoc_max_retrans = o.assoc_max_retrans.into();
    c.path_max_retrans = o.path_max_retrans.into();
    c.valid_cookie_life = ms(o.cookie_life);
    c.hb_interval = (o.hb_enabled && o.hb_interval > 0).then(|| ms(o.hb_interval));
    c.receive_window = o.rcvbuf.max(4096);
    c.send_buffer = (o.sndbuf as usize).max(4096);
    // A message larger than the send buffer could never be accepted.
    c.max_message_size = c.max_message_size.max(c.send_buffer);
    c.nagle = !o.nodelay;
    c.max_burst = o.max_burst.max(1);
    if o.sack_delay > 0 {
        c.delayed_ack_time = ms(o.sack_delay);
    }
    if o.sack_freq > 0 {
        c.sack_frequency = o.sack_freq;
    }
    if o.pd_point > 0 {
        c.partial_delivery_point = Some(o.pd_point as usize);
    }
    c.partial_reliability = o.pr_supported;
    // RFC 6525 requests from the peer are performed only when enabled
    // (usrsctp's default: none).
    c.accept_stream_resets = o.stream_reset & crate::abi::SCTP_ENABLE_RESET_STREAM_REQ != 0;
    c.accept_association_resets = o.stream_reset & crate::abi::SCTP_ENABLE_RESET_ASSOC_REQ != 0;
    c.accept_stream_changes = o.stream_reset & crate::abi::SCTP_ENABLE_CHANGE_ASSOC_REQ != 0;
    c.reconfig = o.reconfig_supported;
    c.interleaving = o.interleaving;
    c.auth = o.auth_supported;
    c.asconf = o.asconf_supported && o.auth_supported;
    c.adaptation_layer_indication = o.adaptation;
    c.ip_header_len = match family {
        Family::Inet => 20,
        Family::Inet6 => 40,
        // AF_CONN packets travel inside whatever the application uses
        // (DTLS over UDP for WebRTC): usrsctp budgets no IP header.
        Family::Conn => 0,
    };
    c.path_mtu = match (o.path_mtu, family) {
        (Some(m), _) => m as usize,
        // usrsctp's AF_CONN default leaves room for DTLS over UDP/IPv6.
        (None, Family::Conn) => 1200,
        (None, _) => 1500,
    };
    c.validate().map_err(|_| libc::EINVAL)?;
    Ok(c)
}

impl Stack {
    /// A new stack; `udp_port` 0 means raw IP only.
    pub(crate) fn new(udp_port: u16, threads: bool) -> Self {
        let sysctl = Sysctl {
            udp_port,
            ..Sysctl::default()
        };
        Self {
            slots: Vec::new(),
            free_slots: Vec::new(),
            ports: HashMap::new(),
            assocs: HashMap::new(),
            next_assoc_id: 3,
            sysctl,
            stats: Stats::default(),
            out: Vec::new(),
            calls: VecDeque::new(),
            dirty: Vec::new(),
            conn_output: None,
            debug_printf: None,
            crc_offload: false,
            threads,
            io: None,
            buf: vec![0; MAX_PACKET],
        }
    }

    // ---- sockets ----

    /// Makes a socket.
    pub(crate) fn socket(
        &mut self,
        family: Family,
        one_to_many: bool,
        callbacks: Callbacks,
    ) -> SockRef {
        let options = Options::new(&self.sysctl);
        let index = match self.free_slots.pop() {
            Some(i) => i,
            None => {
                self.slots.push(Slot {
                    generation: 1,
                    socket: None,
                });
                (self.slots.len() - 1) as u32
            }
        };
        let slot = &mut self.slots[index as usize];
        slot.socket = Some(Socket::new(family, one_to_many, callbacks, options));
        SockRef {
            index,
            generation: slot.generation,
        }
    }

    /// The socket a handle names, or EBADF.
    pub(crate) fn sock(&mut self, r: SockRef) -> Result<&mut Socket, Errno> {
        match self.slots.get_mut(r.index as usize) {
            Some(Slot {
                generation,
                socket: Some(s),
            }) if *generation == r.generation => Ok(s),
            _ => Err(libc::EBADF),
        }
    }

    fn sock_at(&mut self, index: u32) -> Option<&mut Socket> {
        self.slots.get_mut(index as usize)?.socket.as_mut()
    }

    fn handle_of(&self, index: u32) -> usize {
        let generation = self.slots.get(index as usize).map_or(0, |s| s.generation);
        SockRef { index, generation }.to_raw()
    }

    /// Binds `s` to `addresses` (all with one port; port 0 picks one).
    pub(crate) fn bind(&mut self, r: SockRef, addresses: &[Peer]) -> Result<(), Errno> {
        let s = self.sock(r)?;
        if s.port.is_some() {
            return Err(libc::EINVAL);
        }
        let family = s.family;
        let reuse = s.options.reuse_port;
        let mut port = addresses.first().map_or(0, |a| a.port());
        if addresses.iter().any(|a| a.port() != port) {
            return Err(libc::EINVAL);
        }
        let conn = family == Family::Conn;
        if addresses
            .iter()
            .any(|a| matches!(a, Peer::Conn(..)) != conn)
        {
            return Err(libc::EAFNOSUPPORT);
        }
        let mut ips = Vec::new();
        let mut conn_address = None;
        for a in addresses {
            match a {
                Peer::Ip(sa) if !sa.ip().is_unspecified() => ips.push(sa.ip()),
                Peer::Ip(_) => {}
                Peer::Conn(p, _) => conn_address = Some(*p),
            }
        }
        if port == 0 {
            port = self.ephemeral_port()?;
        } else if let Some(p) = self.ports.get(&port) {
            let clash = p.conn != conn
                || p.bound.iter().any(|(_, c, a)| {
                    if conn {
                        *c == conn_address
                    } else {
                        a.is_empty() || ips.is_empty() || a.iter().any(|x| ips.contains(x))
                    }
                });
            if clash && !reuse {
                return Err(libc::EADDRINUSE);
            }
        }
        let opts = self.sock(r)?.options.clone();
        self.ensure_port(port, &opts, family, &ips)?;
        if let Some(p) = self.ports.get_mut(&port) {
            p.bound.push((r.index, conn_address, ips.clone()));
        }
        let s = self.sock(r)?;
        s.port = Some(port);
        s.addresses = ips;
        s.conn_address = conn_address;
        Ok(())
    }

    /// `usrsctp_bindx` on a bound socket: adds (`add`) or removes
    /// addresses of the same port; associations tell their peers by ASCONF
    /// (RFC 5061 section 4.2.1 and 4.2.2).
    pub(crate) fn change_addresses(
        &mut self,
        r: SockRef,
        addresses: &[Peer],
        add: bool,
    ) -> Result<(), Errno> {
        let s = self.sock(r)?;
        let Some(port) = s.port else {
            return if add {
                self.bind(r, addresses)
            } else {
                Err(libc::EINVAL)
            };
        };
        if s.family == Family::Conn {
            return Err(libc::EOPNOTSUPP);
        }
        let mut ips = Vec::new();
        for a in addresses {
            match a {
                Peer::Ip(sa)
                    if (sa.port() == port || sa.port() == 0) && !sa.ip().is_unspecified() =>
                {
                    ips.push(sa.ip());
                }
                _ => return Err(libc::EINVAL),
            }
        }
        // A wildcard socket has every address already.
        if s.addresses.is_empty() {
            return Err(libc::EINVAL);
        }
        let mut now_bound = s.addresses.clone();
        for ip in &ips {
            if add && !now_bound.contains(ip) {
                now_bound.push(*ip);
            } else if !add {
                now_bound.retain(|x| x != ip);
            }
        }
        if now_bound.is_empty() {
            return Err(libc::EINVAL);
        }
        if add
            && let Some(p) = self.ports.get(&port)
            && p.bound.iter().any(|(i, _, a)| {
                *i != r.index && (a.is_empty() || ips.iter().any(|x| a.contains(x)))
            })
        {
            return Err(libc::EADDRINUSE);
        }
        let s = self.sock(r)?;
        s.addresses = now_bound.clone();
        let ids = s.assocs.clone();
        if let Some(p) = self.ports.get_mut(&port) {
            for b in p.bound.iter_mut().filter(|b| b.0 == r.index) {
                b.2 = now_bound.clone();
            }
            p.endpoint.set_local_addresses(if now_bound.len() > 1 {
                now_bound
            } else {
                Vec::new()
            });
        }
        let now = Instant::now();
        for id in ids {
            if let Some(a) = self.assocs.get_mut(&id) {
                for ip in &ips {
                    // A peer without ASCONF keeps the addresses it was told.
                    let _ = if add {
                        a.engine.add_local_address(now, *ip)
                    } else {
                        a.engine.remove_local_address(now, *ip)
                    };
                }
                self.dirty.push(id);
            }
        }
        Ok(())
    }

    fn ephemeral_port(&self) -> Result<u16, Errno> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::from_os_rng();
        for _ in 0..1000 {
            let p = rng.random_range(49152..=65535u16);
            if !self.ports.contains_key(&p) {
                return Ok(p);
            }
        }
        Err(libc::EADDRINUSE)
    }

    fn ensure_port(
        &mut self,
        port: u16,
        opts: &Options,
        family: Family,
        ips: &[IpAddr],
    ) -> Result<(), Errno> {
        if let Some(p) = self.ports.get_mut(&port) {
            p.sockets += 1;
            return Ok(());
        }
        let config = EndpointConfig::default()
            .association(assoc_config(opts, family)?)
            .local_addresses(if ips.len() > 1 {
                ips.to_vec()
            } else {
                Vec::new()
            });
        self.ports.insert(
            port,
            Port {
                endpoint: Endpoint::new(config, Instant::now()),
                listener: None,
                handles: HashMap::new(),
                sockets: 1,
                conn: family == Family::Conn,
                bound: Vec::new(),
            },
        );
        Ok(())
    }

    /// `usrsctp_listen`.
    pub(crate) fn listen(&mut self, r: SockRef, backlog: i32) -> Result<(), Errno> {
        if self.sock(r)?.port.is_none() {
            self.bind(r, &[])?;
        }
        let s = self.sock(r)?;
        let port = s.port.ok_or(libc::EINVAL)?;
        s.listening = true;
        s.backlog = backlog.max(1) as usize;
        let (opts, family, ips) = (s.options.clone(), s.family, s.addresses.clone());
        let p = self.ports.get_mut(&port).ok_or(libc::EINVAL)?;
        // Options set between bind and listen apply to the associations it
        // accepts: a port with none yet takes a fresh endpoint.
        if p.handles.is_empty() {
            let config = EndpointConfig::default()
                .association(assoc_config(&opts, family)?)
                .local_addresses(if ips.len() > 1 { ips } else { Vec::new() });
            p.endpoint = Endpoint::new(config, Instant::now());
        }
        p.listener = Some(r.index);
        p.endpoint.listen(port);
        Ok(())
    }

    /// Starts an association from `s` to a peer known by `peers`.
    pub(crate) fn connect(&mut self, r: SockRef, peers: &[Peer]) -> Result<AssocId, Errno> {
        let s = self.sock(r)?;
        if peers.is_empty() {
            return Err(libc::EINVAL);
        }
        if !s.one_to_many && (!s.assocs.is_empty() || s.listening) {
            return Err(libc::EISCONN);
        }
        let conn = s.family == Family::Conn;
        if peers.iter().any(|p| matches!(p, Peer::Conn(..)) != conn) {
            return Err(libc::EAFNOSUPPORT);
        }
        if s.family == Family::Inet
            && peers
                .iter()
                .any(|p| matches!(p, Peer::Ip(a) if a.is_ipv6()))
        {
            return Err(libc::EAFNOSUPPORT);
        }
        if s.port.is_none() {
            self.bind(r, &[])?;
        }
        let s = self.sock(r)?;
        let port = s.port.ok_or(libc::EINVAL)?;
        let remote_udp = s.options.remote_udp_port;
        let (opts, family) = (s.options.clone(), s.family);
        let config = assoc_config(&opts, family)?;
        let engine_peers: Vec<SocketAddr> = peers.iter().map(|p| p.to_engine()).collect();
        let p = self.ports.get_mut(&port).ok_or(libc::EINVAL)?;
        let now = Instant::now();
        let (handle, engine) = p
            .endpoint
            .connect_with(now, port, &engine_peers, std::sync::Arc::new(config))
            .map_err(|e| match e {
                sctp_core::ConnectError::Duplicate { .. } => libc::EALREADY,
                _ => libc::EINVAL,
            })?;
        let id = self.new_assoc_id();
        let p = self.ports.get_mut(&port).ok_or(libc::EINVAL)?;
        p.handles.insert(handle, id);
        self.assocs.insert(
            id,
            Assoc {
                id,
                port,
                handle,
                engine,
                socket: Some(r.index),
                inbox: VecDeque::new(),
                inbox_bytes: 0,
                udp_port: (remote_udp != 0).then_some(remote_udp),
                established: false,
                eof_reported: false,
                reported_free: None,
                up_reported: false,
                held_adaptation: None,
                sources: Vec::new(),
            },
        );
        self.sock(r)?.assocs.push(id);
        self.dirty.push(id);
        Ok(id)
    }

    fn new_assoc_id(&mut self) -> AssocId {
        loop {
            let id = self.next_assoc_id;
            self.next_assoc_id = self.next_assoc_id.checked_add(1).unwrap_or(3);
            if !self.assocs.contains_key(&id) {
                return id;
            }
        }
    }

    /// The state of `s`'s association `id` (or its only one).
    pub(crate) fn assoc_of(&mut self, r: SockRef, id: AssocId) -> Result<&mut Assoc, Errno> {
        let s = self.sock(r)?;
        let id = if s.one_to_many && id > 2 {
            id
        } else {
            *s.assocs.first().ok_or(libc::ENOTCONN)?
        };
        let s = self.sock(r)?;
        if !s.assocs.contains(&id) {
            return Err(libc::EINVAL);
        }
        self.assocs.get_mut(&id).ok_or(libc::EINVAL)
    }

    /// Whether the one-to-one connect of `s` finished: `Ok(true)` once
    /// ESTABLISHED, `Ok(false)` while under way, the error if it failed.
    pub(crate) fn connect_done(&mut self, r: SockRef) -> Result<bool, Errno> {
        let s = self.sock(r)?;
        let Some(&id) = s.assocs.first() else {
            return Err(if s.error != 0 {
                std::mem::take(&mut s.error)
            } else {
                libc::ECONNREFUSED
            });
        };
        let a = self.assocs.get(&id).ok_or(libc::ECONNREFUSED)?;
        match a.engine.state() {
            State::CookieWait | State::CookieEchoed => Ok(false),
            State::Closed if !a.established => Err(match a.engine.close_reason() {
                Some(sctp_core::CloseReason::SetupTimedOut) => libc::ETIMEDOUT,
                _ => libc::ECONNREFUSED,
            }),
            _ => Ok(true),
        }
    }

    /// `usrsctp_accept`: the next association of a one-to-one listener, as
    /// a new socket.
    pub(crate) fn accept(&mut self, r: SockRef) -> Result<(SockRef, Option<Peer>), Errno> {
        let s = self.sock(r)?;
        if !s.listening || s.one_to_many {
            return Err(libc::EINVAL);
        }
        let id = s.accept_queue.pop_front().ok_or(libc::EWOULDBLOCK)?;
        let n = self.child_socket(r, id)?;
        let a = self.assocs.get(&id).ok_or(libc::ECONNABORTED)?;
        Ok((n, Some(Peer::from_engine(a.engine.remote()))))
    }

    /// A new one-to-one socket for association `id` of `r` (accept,
    /// peeloff). Like usrsctp's sonewconn: options and callbacks carry
    /// over, the upcall does not (the application sets one on it).
    fn child_socket(&mut self, r: SockRef, id: AssocId) -> Result<SockRef, Errno> {
        let s = self.sock(r)?;
        let (family, callbacks, options, port) = (s.family, s.callbacks, s.options.clone(), s.port);
        let n = self.socket(family, false, callbacks);
        let ns = self.sock(n)?;
        ns.options = options;
        ns.port = port;
        ns.assocs.push(id);
        if let Some(p) = port.and_then(|p| self.ports.get_mut(&p)) {
            p.sockets += 1;
        }
        if let Some(a) = self.assocs.get_mut(&id) {
            a.socket = Some(n.index);
        }
        // What the association brought before now belongs to the new socket.
        self.dirty.push(id);
        Ok(n)
    }

    /// `usrsctp_peeloff` (RFC 6458 section 9.2): association `id` of a
    /// one-to-many socket moves to a new one-to-one socket.
    pub(crate) fn peeloff(&mut self, r: SockRef, id: AssocId) -> Result<SockRef, Errno> {
        let s = self.sock(r)?;
        if !s.one_to_many || !s.assocs.contains(&id) {
            return Err(libc::EINVAL);
        }
        s.assocs.retain(|x| *x != id);
        self.child_socket(r, id)
    }

    /// `usrsctp_close`: graceful shutdown of every association (ABORT with
    /// SO_LINGER 0), and the handle is dead at once.
    pub(crate) fn close(&mut self, r: SockRef) -> Result<(), Errno> {
        self.sock(r)?;
        let slot = &mut self.slots[r.index as usize];
        let s = slot.socket.take().ok_or(libc::EBADF)?;
        slot.generation = slot.generation.wrapping_add(1).max(1);
        self.free_slots.push(r.index);
        let now = Instant::now();
        let abort = s.options.linger == Some(0);
        for id in s.assocs.iter().chain(s.accept_queue.iter()) {
            if let Some(a) = self.assocs.get_mut(id) {
                a.socket = None;
                a.inbox.clear();
                a.inbox_bytes = 0;
                if abort || s.accept_queue.contains(id) || a.engine.state() == State::CookieWait {
                    a.engine.abort(Vec::new());
                } else {
                    a.engine.shutdown(now);
                }
                self.dirty.push(*id);
            }
        }
        if let Some(port) = s.port
            && let Some(p) = self.ports.get_mut(&port)
        {
            if p.listener == Some(r.index) {
                p.listener = None;
                p.endpoint.unlisten(port);
            }
            p.bound.retain(|(i, ..)| *i != r.index);
            p.sockets = p.sockets.saturating_sub(1);
        }
        self.service(now);
        self.gc_ports();
        Ok(())
    }

    /// `usrsctp_shutdown`.
    pub(crate) fn shutdown(&mut self, r: SockRef, how: i32) -> Result<(), Errno> {
        let s = self.sock(r)?;
        if s.one_to_many {
            return Err(libc::EOPNOTSUPP);
        }
        if how == libc::SHUT_RD || how == libc::SHUT_RDWR {
            s.shut_rd = true;
        }
        if how == libc::SHUT_WR || how == libc::SHUT_RDWR {
            s.shut_wr = true;
            let ids = s.assocs.clone();
            if ids.is_empty() {
                return Err(libc::ENOTCONN);
            }
            let now = Instant::now();
            for id in ids {
                if let Some(a) = self.assocs.get_mut(&id) {
                    a.engine.shutdown(now);
                    self.dirty.push(id);
                }
            }
        }
        Ok(())
    }

    /// `usrsctp_sendv`'s work: queues one message.
    pub(crate) fn send(
        &mut self,
        r: SockRef,
        data: &[u8],
        to: &[Peer],
        p: SendParams,
    ) -> Result<usize, Errno> {
        let s = self.sock(r)?;
        if s.shut_wr {
            return Err(libc::EPIPE);
        }
        let one_to_many = s.one_to_many;
        let ids: Vec<AssocId> = if p.flags & crate::abi::SCTP_SENDALL != 0 {
            s.assocs.clone()
        } else if !one_to_many {
            match s.assocs.first() {
                Some(&id) => vec![id],
                None if !to.is_empty() => vec![self.connect(r, to)?],
                None => return Err(libc::ENOTCONN),
            }
        } else if p.assoc_id > 2 && s.assocs.contains(&p.assoc_id) {
            vec![p.assoc_id]
        } else if !to.is_empty() {
            let wanted: Vec<SocketAddr> = to.iter().map(|t| t.to_engine()).collect();
            let mine = s.assocs.clone();
            let found = mine.into_iter().find(|id| {
                self.assocs.get(id).is_some_and(|a| {
                    a.engine.state() != State::Closed
                        && a.engine.peer_addresses().any(|pa| wanted.contains(&pa))
                })
            });
            match found {
                Some(id) => vec![id],
                None => vec![self.connect(r, to)?],
            }
        } else if p.assoc_id > 2 {
            return Err(libc::ENOENT);
        } else {
            return Err(libc::EDESTADDRREQ);
        };
        let now = Instant::now();
        let flags = u32::from(p.flags);
        let mut sent = 0;
        for id in ids {
            let a = self.assocs.get_mut(&id).ok_or(libc::ENOTCONN)?;
            if flags & crate::abi::SCTP_ABORT as u32 != 0 {
                a.engine
                    .abort(vec![sctp_core::ErrorCause::user_initiated_abort(data)]);
                self.dirty.push(id);
                sent = data.len();
                continue;
            }
            if !data.is_empty() {
                let pr = match p.pr_policy {
                    x if x == crate::abi::SCTP_PR_SCTP_TTL => {
                        PrPolicy::TimedReliability(ms(p.pr_value))
                    }
                    x if x == crate::abi::SCTP_PR_SCTP_RTX => {
                        PrPolicy::LimitedRetransmissions(p.pr_value)
                    }
                    x if x == crate::abi::SCTP_PR_SCTP_BUF => {
                        PrPolicy::Priority(p.pr_value.min(u16::MAX.into()) as u16)
                    }
                    _ => PrPolicy::Reliable,
                };
                let options = SendOptions::default()
                    .unordered(flags & crate::abi::SCTP_UNORDERED as u32 != 0)
                    .context(p.context)
                    .sack_immediately(flags & crate::abi::SCTP_SACK_IMMEDIATELY as u32 != 0)
                    .pr_policy(pr);
                let msg = Message::new(
                    p.sid,
                    Ppid(u32::from_be(p.ppid_be)),
                    Bytes::copy_from_slice(data),
                );
                a.engine
                    .send_with(now, msg.stream_id, msg.ppid, msg.payload, &options)
                    .map_err(|e| match e {
                        SendError::BufferFull { .. } => libc::EWOULDBLOCK,
                        SendError::InvalidStream { .. } => libc::EINVAL,
                        SendError::TooLarge { .. } => libc::EMSGSIZE,
                        SendError::Empty => libc::EINVAL,
                        SendError::NotAccepting(_) => libc::EPIPE,
                        _ => libc::EIO,
                    })?;
                sent = data.len();
            }
            if flags & crate::abi::SCTP_EOF as u32 != 0 {
                a.engine.shutdown(now);
            }
            self.dirty.push(id);
        }
        Ok(sent)
    }

    /// `usrsctp_recvv`'s work: the next message (or notification) of `s`,
    /// at most `max` bytes of it.
    pub(crate) fn recv(&mut self, r: SockRef, max: usize) -> Result<Received, Errno> {
        let s = self.sock(r)?;
        if let Some(mut part) = s.partial.take() {
            let n = part.rest.len().min(max);
            let data = part.rest.split_to(n);
            let done = part.rest.is_empty();
            let mut flags = 0;
            if part.notification {
                flags |= crate::abi::MSG_NOTIFICATION;
            }
            if done && part.eor {
                flags |= libc::MSG_EOR;
            }
            let assoc = part.assoc;
            let info = (!part.notification).then_some(part.info);
            if !done {
                s.partial = Some(part);
            }
            let from = self
                .assocs
                .get(&assoc)
                .map(|a| Peer::from_engine(a.engine.remote()));
            return Ok(Received {
                data,
                from,
                info,
                flags,
            });
        }
        if s.listening && !s.one_to_many {
            return Err(libc::ENOTCONN);
        }
        let ids = s.assocs.clone();
        // After SHUT_RD reads end as at the end of the association.
        let eof = s.eof || s.shut_rd;
        for id in ids {
            let Some(a) = self.assocs.get_mut(&id) else {
                continue;
            };
            let Some(item) = a.inbox.pop_front() else {
                continue;
            };
            a.inbox_bytes -= item.len();
            let from = Some(Peer::from_engine(a.engine.remote()));
            self.dirty.push(id);
            let (bytes, info, notification, eor) = match item {
                Item::Data(b, info, eor) => (b, Some(info), false, eor),
                Item::Notification(v) => (Bytes::from(v), None, true, true),
            };
            // Round robin: the next read starts with the association after
            // this one, so a busy peer cannot starve the others.
            let s = self.sock(r)?;
            if s.one_to_many
                && let Some(pos) = s.assocs.iter().position(|x| *x == id)
            {
                let served = s.assocs.remove(pos);
                s.assocs.push(served);
            }
            let mut bytes = bytes;
            let data = bytes.split_to(bytes.len().min(max));
            let mut flags = 0;
            if notification {
                flags |= crate::abi::MSG_NOTIFICATION;
            }
            if bytes.is_empty() {
                if eor {
                    flags |= libc::MSG_EOR;
                }
            } else {
                self.sock(r)?.partial = Some(socket::Partial {
                    assoc: id,
                    rest: bytes,
                    info: info.unwrap_or_default(),
                    notification,
                    eor,
                });
            }
            return Ok(Received {
                data,
                from,
                info,
                flags,
            });
        }
        if eof {
            // One-to-one, association over: end of file.
            return Ok(Received {
                data: Bytes::new(),
                from: None,
                info: None,
                flags: 0,
            });
        }
        Err(libc::EWOULDBLOCK)
    }

    /// The readiness of `s` (SCTP_EVENT_READ/WRITE/ERROR).
    pub(crate) fn events(&mut self, r: SockRef) -> Result<i32, Errno> {
        let s = self.sock(r)?;
        let mut ev = 0;
        if s.error != 0 {
            ev |= crate::abi::SCTP_EVENT_ERROR;
        }
        if !s.accept_queue.is_empty() || s.partial.is_some() || s.eof {
            ev |= crate::abi::SCTP_EVENT_READ;
        }
        let ids = s.assocs.clone();
        let sndbuf = s.options.sndbuf as usize;
        let listening = s.listening;
        let mut writable = false;
        for id in &ids {
            if let Some(a) = self.assocs.get(id) {
                if !a.inbox.is_empty() {
                    ev |= crate::abi::SCTP_EVENT_READ;
                }
                if matches!(a.engine.state(), State::Established)
                    && a.engine.buffered_amount() < sndbuf
                {
                    writable = true;
                }
            }
        }
        let s = self.sock(r)?;
        if writable || (s.one_to_many && !listening && ids.is_empty()) {
            ev |= crate::abi::SCTP_EVENT_WRITE;
        }
        Ok(ev)
    }

    // ---- packets and time ----

    /// One SCTP packet received from `src` (an IP address, or an AF_CONN
    /// pointer) for us at `dst`, by UDP from port `udp` when encapsulated.
    pub(crate) fn input(
        &mut self,
        now: Instant,
        data: &[u8],
        src: IpAddr,
        dst: IpAddr,
        udp: Option<u16>,
    ) {
        if data.len() < 12 {
            return;
        }
        self.stats.inpackets = self.stats.inpackets.wrapping_add(1);
        let sport = u16::from_be_bytes([data[0], data[1]]);
        let dport = u16::from_be_bytes([data[2], data[3]]);
        let Some(p) = self.ports.get_mut(&dport) else {
            // Not a port of ours: another stack's packet on a shared host.
            return;
        };
        let remote = SocketAddr::new(src, sport);
        let local = SocketAddr::new(dst, dport);
        let mut buf = std::mem::take(&mut self.buf);
        match p.endpoint.handle(now, remote, local, data, &mut buf) {
            Some(DatagramEvent::Association(h)) => {
                if let Some(&id) = p.handles.get(&h)
                    && let Some(a) = self.assocs.get_mut(&id)
                {
                    a.engine.handle_packet_from(now, remote, data);
                    if udp.is_some() {
                        a.udp_port = udp;
                    }
                    self.dirty.push(id);
                }
            }
            Some(DatagramEvent::NewAssociation(h, engine)) => {
                self.adopt(dport, h, *engine, udp);
            }
            Some(DatagramEvent::Response(t)) => {
                self.stats.outoftheblue = self.stats.outoftheblue.wrapping_add(1);
                let dest = self.dest(t.destination, udp);
                let mut packet = buf[..t.size].to_vec();
                self.finish_packet(dest, &mut packet);
                self.out.push(Outgoing {
                    dest,
                    src: None,
                    data: packet,
                });
            }
            None => {}
        }
        self.buf = buf;
        self.service(now);
    }

    /// A COOKIE ECHO made an association on `port`: it joins the listener.
    fn adopt(
        &mut self,
        port: u16,
        h: AssociationHandle,
        mut engine: Association,
        udp: Option<u16>,
    ) {
        let id = self.new_assoc_id();
        let Some(p) = self.ports.get_mut(&port) else {
            return;
        };
        p.handles.insert(h, id);
        let listener = p.listener;
        let ok = listener.and_then(|l| {
            let s = self.sock_at(l)?;
            if s.one_to_many {
                s.assocs.push(id);
                Some(l)
            } else if s.accept_queue.len() < s.backlog.max(1) * 2 + 4 {
                s.accept_queue.push_back(id);
                Some(l)
            } else {
                None
            }
        });
        if ok.is_none() {
            engine.abort(Vec::new());
        }
        self.assocs.insert(
            id,
            Assoc {
                id,
                port,
                handle: h,
                engine,
                socket: ok,
                inbox: VecDeque::new(),
                inbox_bytes: 0,
                udp_port: udp,
                established: false,
                eof_reported: false,
                reported_free: None,
                up_reported: false,
                held_adaptation: None,
                sources: Vec::new(),
            },
        );
        self.dirty.push(id);
    }

    /// Runs every timer due by `now`.
    pub(crate) fn handle_timers(&mut self, now: Instant) {
        for (id, a) in &mut self.assocs {
            if a.engine.poll_timeout().is_some_and(|d| d <= now) {
                a.engine.handle_timeout(now);
                self.dirty.push(*id);
            }
        }
        for p in self.ports.values_mut() {
            if p.endpoint.poll_timeout().is_some_and(|d| d <= now) {
                p.endpoint.handle_timeout(now);
            }
        }
        self.service(now);
    }

    /// The earliest timer deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let a = self.assocs.values().filter_map(|a| a.engine.poll_timeout());
        let p = self
            .ports
            .values()
            .filter_map(|p| p.endpoint.poll_timeout());
        a.chain(p).min()
    }

    fn dest(&self, to: SocketAddr, udp: Option<u16>) -> Dest {
        if let Some(p) = addr::conn_pointer(to.ip()) {
            return Dest::Conn(p);
        }
        match udp {
            Some(u) if u != 0 => Dest::Udp(SocketAddr::new(to.ip(), u)),
            _ => Dest::Ip(to.ip()),
        }
    }

    fn finish_packet(&self, dest: Dest, packet: &mut [u8]) {
        // With the checksum offloaded, the application computes it over a
        // zero field (usrsctp's contract for AF_CONN).
        if self.crc_offload && matches!(dest, Dest::Conn(_)) && packet.len() >= 12 {
            packet[8..12].fill(0);
        }
    }

    /// Services every association with work: routes, packets, events.
    pub(crate) fn service(&mut self, now: Instant) {
        while let Some(id) = self.dirty.pop() {
            self.service_assoc(id, now);
        }
    }

    fn service_assoc(&mut self, id: AssocId, now: Instant) {
        let Some(mut a) = self.assocs.remove(&id) else {
            return;
        };
        if let Some(p) = self.ports.get_mut(&a.port) {
            while let Some(ev) = a.engine.poll_endpoint_event() {
                p.endpoint.handle_event(a.handle, ev);
            }
        }
        let mut buf = std::mem::take(&mut self.buf);
        let bound = a
            .socket
            .and_then(|si| self.slots.get(si as usize))
            .and_then(|s| s.socket.as_ref())
            .map(|s| s.addresses.clone())
            .unwrap_or_default();
        while let Some(t) = a.engine.poll_transmit(now, &mut buf) {
            let dest = self.dest(t.destination, a.udp_port);
            let src = match dest {
                Dest::Conn(_) => None,
                _ if bound.is_empty() => None,
                _ => Some(a.source_for(t.destination.ip(), &bound)),
            };
            let mut packet = buf[..t.size].to_vec();
            self.finish_packet(dest, &mut packet);
            self.stats.outpackets = self.stats.outpackets.wrapping_add(1);
            self.out.push(Outgoing {
                dest,
                src,
                data: packet,
            });
        }
        self.buf = buf;
        if !a.established
            && !matches!(
                a.engine.state(),
                State::Closed | State::CookieWait | State::CookieEchoed
            )
        {
            a.established = true;
            self.stats.currestab += 1;
            if a.socket
                .is_some_and(|s| self.sock_at(s).is_some_and(|s| s.listening))
            {
                self.stats.passiveestab += 1;
            } else {
                self.stats.activeestab += 1;
            }
        }
        self.pump(&mut a);
        let closed = a.engine.state() == State::Closed;
        let mut keep = true;
        if closed && a.inbox.is_empty() {
            let socket = a.socket;
            if let Some(si) = socket
                && let Some(s) = self.sock_at(si)
                && !s.one_to_many
            {
                if s.accept_queue.contains(&id) {
                    s.accept_queue.retain(|x| *x != id);
                } else {
                    s.eof = true;
                    // SO_ERROR and SCTP_EVENT_ERROR tell how it ended.
                    s.error = match a.engine.close_reason() {
                        None => 0,
                        Some(sctp_core::CloseReason::SetupTimedOut) => libc::ETIMEDOUT,
                        Some(_) if !a.established => libc::ECONNREFUSED,
                        Some(sctp_core::CloseReason::CommunicationLost) => libc::ETIMEDOUT,
                        Some(_) => libc::ECONNRESET,
                    };
                }
            }
            // Callback sockets learn of the end with a call without data.
            if let Some(si) = socket
                && !a.eof_reported
            {
                a.eof_reported = true;
                let handle = self.handle_of(si);
                if let Some(s) = self.sock_at(si)
                    && !s.one_to_many
                    && let Some(cb) = s.callbacks.receive
                {
                    let ulp_info = s.callbacks.ulp_info;
                    self.calls.push_back(Call::Receive {
                        sock: handle,
                        cb,
                        from: Peer::from_engine(a.engine.remote()),
                        data: None,
                        info: RcvInfo::default(),
                        flags: 0,
                        ulp_info,
                    });
                }
            }
            if let Some(si) = socket
                && let Some(s) = self.sock_at(si)
                && s.one_to_many
            {
                s.assocs.retain(|x| *x != id);
            }
            // A one-to-one socket keeps its (closed) association for status
            // and error reports until it is closed itself.
            let held = socket
                .and_then(|si| self.slots.get(si as usize))
                .and_then(|s| s.socket.as_ref())
                .is_some_and(|s| !s.one_to_many && s.assocs.contains(&id));
            if !held {
                keep = false;
            }
            if a.established {
                a.established = false;
                self.stats.currestab = self.stats.currestab.saturating_sub(1);
                if a.engine.close_reason().is_some() {
                    self.stats.aborted += 1;
                } else {
                    self.stats.shutdown += 1;
                }
            }
        }
        self.signal_send(&mut a);
        let socket = a.socket;
        if keep {
            self.assocs.insert(id, a);
        } else {
            if let Some(p) = self.ports.get_mut(&a.port) {
                p.handles.remove(&a.handle);
                p.endpoint.forget(a.handle);
            }
            self.gc_ports();
        }
        // Readiness is read with the association back in place.
        if let Some(si) = socket {
            self.signal_upcall(si);
        }
    }

    /// Drops ports nothing uses any more.
    fn gc_ports(&mut self) {
        let used: std::collections::HashSet<u16> = self.assocs.values().map(|a| a.port).collect();
        self.ports
            .retain(|port, p| p.sockets > 0 || used.contains(port) || p.endpoint.is_lingering());
    }

    /// Moves events from the engine to the reader (or the callbacks).
    fn pump(&mut self, a: &mut Assoc) {
        let Some(si) = a.socket else {
            // Nobody reads: let the engine deliver and forget.
            while a.engine.poll_event().is_some() {}
            return;
        };
        let handle = self.handle_of(si);
        let Some(s) = self.sock_at(si) else {
            return;
        };
        let queued = s.accept_queue.contains(&a.id);
        let receive_cb = if queued { None } else { s.callbacks.receive };
        let opts = s.options.clone();
        let ulp_info = s.callbacks.ulp_info;
        let mut pending_after_up: Option<Vec<u8>> = None;
        // What arrived while it waited in a listener's accept queue goes to
        // the accepted socket's callback first.
        if receive_cb.is_some() {
            while let Some(item) = a.inbox.pop_front() {
                a.inbox_bytes -= item.len();
                self.deliver(a, handle, receive_cb, ulp_info, item);
            }
        }
        loop {
            if let Some(n) = pending_after_up.take() {
                self.deliver(a, handle, receive_cb, ulp_info, Item::Notification(n));
            }
            if receive_cb.is_none() && a.inbox_bytes >= INBOX_CAP.max(opts.rcvbuf as usize / 2) {
                break;
            }
            let ev = match a.engine.poll_event() {
                Some(ev @ Event::AdaptationIndication(_)) if !a.up_reported => {
                    a.held_adaptation = Some(ev);
                    continue;
                }
                Some(Event::Connected) => {
                    a.up_reported = true;
                    // The held indication follows COMM_UP.
                    if let Some(held) = a.held_adaptation.take()
                        && let Some(n) = notify::notification(&held, a, &opts)
                    {
                        pending_after_up = Some(n);
                    }
                    Event::Connected
                }
                Some(ev) => ev,
                None => break,
            };
            let item = match ev {
                Event::Message(m, info) => Some(Item::Data(
                    m.payload,
                    RcvInfo {
                        sid: m.stream_id,
                        ssn: info.ssn.0,
                        flags: if m.unordered {
                            crate::abi::SCTP_UNORDERED
                        } else {
                            0
                        },
                        ppid: m.ppid.0,
                        tsn: info.tsn.0,
                        cumtsn: info.cumulative_tsn.0,
                        context: opts.context,
                        assoc_id: a.id,
                    },
                    info.end_of_record,
                )),
                other => notify::notification(&other, a, &opts).map(Item::Notification),
            };
            let Some(item) = item else { continue };
            self.deliver(a, handle, receive_cb, ulp_info, item);
        }
        if let Some(n) = pending_after_up.take() {
            self.deliver(a, handle, receive_cb, ulp_info, Item::Notification(n));
        }
    }

    /// Hands one item to the socket's receive callback or its reader.
    fn deliver(
        &mut self,
        a: &mut Assoc,
        handle: usize,
        receive_cb: Option<callbacks::ReceiveCb>,
        ulp_info: usize,
        item: Item,
    ) {
        match receive_cb {
            Some(cb) => {
                let from = Peer::from_engine(a.engine.remote());
                let (data, info, flags) = match item {
                    Item::Data(b, info, eor) => {
                        (b.to_vec(), info, if eor { libc::MSG_EOR } else { 0 })
                    }
                    Item::Notification(v) => (
                        v,
                        RcvInfo::default(),
                        crate::abi::MSG_NOTIFICATION | libc::MSG_EOR,
                    ),
                };
                self.calls.push_back(Call::Receive {
                    sock: handle,
                    cb,
                    from,
                    data: Some(data),
                    info,
                    flags,
                    ulp_info,
                });
            }
            None => {
                a.inbox_bytes += item.len();
                a.inbox.push_back(item);
            }
        }
    }

    /// Owes the socket's send callback a call when its free send space grew
    /// to the threshold or beyond.
    fn signal_send(&mut self, a: &mut Assoc) {
        let Some(si) = a.socket else { return };
        let handle = self.handle_of(si);
        let Some(s) = self.sock_at(si) else { return };
        let free = (s.options.sndbuf as usize).saturating_sub(a.engine.buffered_amount()) as u32;
        let (send_cb, threshold, ulp_info) = (
            s.callbacks.send,
            s.callbacks.threshold,
            s.callbacks.ulp_info,
        );
        if let Some(cb) = send_cb
            && a.engine.state() == State::Established
        {
            let before = a.reported_free.unwrap_or(0);
            if free > before && free >= threshold {
                self.calls.push_back(Call::Send {
                    sock: handle,
                    cb,
                    free,
                    ulp_info,
                });
            }
            a.reported_free = Some(free);
        }
    }

    /// Owes the socket's upcall a call, as usrsctp's socket wake-ups do:
    /// whenever it is ready for something, or its readiness changed.
    fn signal_upcall(&mut self, si: u32) {
        let handle = self.handle_of(si);
        let Some((f, arg)) = self.sock_at(si).and_then(|s| s.upcall) else {
            return;
        };
        let Some(r) = SockRef::from_raw(handle) else {
            return;
        };
        // One call waiting per socket is enough: it reads the readiness then.
        if self
            .calls
            .iter()
            .any(|c| matches!(c, Call::Upcall { sock, .. } if *sock == handle))
        {
            return;
        }
        let ev = self.events(r).unwrap_or(0);
        let Some(s) = self.sock_at(si) else { return };
        if ev != 0 || ev != s.last_events {
            s.last_events = ev;
            self.calls.push_back(Call::Upcall {
                sock: handle,
                f,
                arg,
            });
        }
    }

    /// Our addresses on association `id` of `s` (`usrsctp_getladdrs`): the
    /// bound ones, or for a wildcard socket the source address the route to
    /// the peer takes (all the host's addresses when there is no
    /// association).
    pub(crate) fn local_addresses(&mut self, r: SockRef, id: AssocId) -> Result<Vec<Peer>, Errno> {
        let s = self.sock(r)?;
        let port = s.port.ok_or(libc::EINVAL)?;
        let family = s.family;
        if let Some(p) = s.conn_address {
            return Ok(vec![Peer::Conn(p, port)]);
        }
        let mut ips = s.addresses.clone();
        if ips.is_empty()
            && let Ok(a) = self.assoc_of(r, id)
        {
            let listed: Vec<IpAddr> = a.engine.local_addresses().to_vec();
            ips = if listed.is_empty() {
                transport::route_source(a.engine.remote().ip())
                    .into_iter()
                    .collect()
            } else {
                listed
            };
        }
        if ips.is_empty() {
            ips = transport::host_addresses(family == Family::Inet);
        }
        Ok(ips
            .into_iter()
            .map(|ip| Peer::Ip(SocketAddr::new(ip, port)))
            .collect())
    }

    /// The peer's addresses on association `id` of `s`.
    pub(crate) fn peer_addresses(&mut self, r: SockRef, id: AssocId) -> Result<Vec<Peer>, Errno> {
        let a = self.assoc_of(r, id)?;
        Ok(a.engine.peer_addresses().map(Peer::from_engine).collect())
    }

    /// The association id for the peer `peer` on socket `s` (0 if none).
    pub(crate) fn assoc_id_for(&mut self, r: SockRef, peer: Peer) -> Result<AssocId, Errno> {
        let want = peer.to_engine();
        let ids = self.sock(r)?.assocs.clone();
        Ok(ids
            .into_iter()
            .find(|id| {
                self.assocs
                    .get(id)
                    .is_some_and(|a| a.engine.peer_addresses().any(|p| p == want))
            })
            .unwrap_or(0))
    }

    /// Marks an association for servicing (after an option changed it).
    pub(crate) fn touch(&mut self, id: AssocId) {
        self.dirty.push(id);
    }

    /// Every association of `s` (for SCTP_ALL_ASSOC options).
    pub(crate) fn assoc_ids(&mut self, r: SockRef) -> Result<Vec<AssocId>, Errno> {
        Ok(self.sock(r)?.assocs.clone())
    }

    /// Whether a call owed is still wanted: its socket is open and, for an
    /// upcall, still has that upcall (none is made after `usrsctp_close`).
    pub(crate) fn still_wanted(&mut self, call: &Call) -> bool {
        let (sock, upcall) = match call {
            Call::Receive { sock, .. } | Call::Send { sock, .. } => (*sock, None),
            Call::Upcall { sock, f, arg } => (*sock, Some((*f as usize, *arg))),
        };
        let Some(r) = SockRef::from_raw(sock) else {
            return false;
        };
        match self.sock(r) {
            Ok(s) => upcall.is_none_or(|u| s.upcall.map(|(f, a)| (f as usize, a)) == Some(u)),
            Err(_) => false,
        }
    }

    /// Sockets open (`usrsctp_finish` waits for none).
    pub(crate) fn open_sockets(&self) -> usize {
        self.slots.iter().filter(|s| s.socket.is_some()).count()
    }
}
