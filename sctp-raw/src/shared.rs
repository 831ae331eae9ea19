//! State shared by the user's handles and the driver task: the engine's
//! endpoint and each engine association sit behind a lock (quinn's
//! `ConnectionInner` shape). Handles call the engine directly and wake the
//! driver; the driver feeds packets and timeouts and transmits. Nothing here
//! mirrors engine state: windows, queues and counters are the engine's own.
//!
//! Lock order: the endpoint's `state`, then an association's `inner`, then
//! the endpoint's `mailbox`.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Waker};
use std::time::Instant;

use bytes::BytesMut;
use sctp_core::{Association, AssociationHandle, CloseReason, Endpoint, Ppid, State};
use tokio::sync::Notify;

use crate::association::SctpAssociation;
use crate::event::EventMask;

/// Locks, ignoring poisoning (the protected state stays consistent).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Tasks waiting for a change.
#[derive(Debug, Default)]
pub(crate) struct Wakers(Vec<Waker>);

impl Wakers {
    /// Registers the task of `cx` (once).
    pub(crate) fn register(&mut self, cx: &Context<'_>) {
        if !self.0.iter().any(|w| w.will_wake(cx.waker())) {
            self.0.push(cx.waker().clone());
        }
    }

    /// Wakes every registered task.
    pub(crate) fn wake(&mut self) {
        for w in self.0.drain(..) {
            w.wake();
        }
    }
}

/// What handles leave for the driver between its rounds.
#[derive(Debug, Default)]
pub(crate) struct Mailbox {
    /// Associations with something to transmit (data queued, window reopened, ...).
    pub(crate) dirty: Vec<AssociationHandle>,
}

/// The endpoint: engine endpoint, its associations, the accept queue.
#[derive(Debug)]
pub(crate) struct EndpointShared {
    pub(crate) state: Mutex<EndpointState>,
    pub(crate) mailbox: Mutex<Mailbox>,
    /// Wakes the driver.
    pub(crate) notify: Notify,
    /// Our address and SCTP port (the first, when multi-homed).
    pub(crate) local: SocketAddr,
    /// Every address of a multi-homed endpoint; empty when it has one (or
    /// the unspecified one). Packets to other addresses are not ours.
    /// Addresses come and go at run time (ASCONF, RFC 5061).
    pub(crate) bound: std::sync::RwLock<Vec<IpAddr>>,
    /// Port reservations of addresses added at run time (raw IP transport).
    pub(crate) added_reservations: Mutex<Vec<std::net::UdpSocket>>,
    /// The peer's UDP port for associations we start (UDP transport).
    pub(crate) udp_remote_port: u16,
    /// The families served: (IPv4, IPv6).
    pub(crate) families: (bool, bool),
    /// Bound to several specific addresses (one socket per family on the
    /// unspecified address, filtered to them).
    pub(crate) multi: bool,
    /// Raw IP transport (ports are reserved with a UDP socket per address).
    pub(crate) raw: bool,
}

/// The endpoint's state under its lock.
#[derive(Debug)]
pub(crate) struct EndpointState {
    pub(crate) proto: Endpoint,
    pub(crate) assocs: HashMap<AssociationHandle, Arc<AssocShared>>,
    /// Established associations waiting for `accept`.
    pub(crate) incoming: VecDeque<SctpAssociation>,
    pub(crate) accept_wakers: Wakers,
    /// Tasks waiting for the last association to end (`SctpEndpoint::shutdown_all`).
    pub(crate) idle_wakers: Wakers,
    pub(crate) accepting: bool,
    /// Made to accept (`bind`), not a client endpoint.
    pub(crate) server: bool,
    /// Live `SctpEndpoint`/`SctpListener` handles.
    pub(crate) handles: usize,
    /// The driver has stopped: nothing will be sent or received any more.
    pub(crate) stopped: bool,
    /// DSCP for associations created from now on.
    pub(crate) dscp: Option<u8>,
    /// Our source address towards each peer address (unspecified local address).
    pub(crate) sources: HashMap<IpAddr, IpAddr>,
}

impl EndpointShared {
    /// Asks the driver to transmit for `shared` (once per driver round).
    pub(crate) fn mark_dirty(&self, inner: &mut AssocInner, h: AssociationHandle) {
        if !inner.dirty {
            inner.dirty = true;
            lock(&self.mailbox).dirty.push(h);
            self.notify.notify_one();
        }
    }

    /// A multi-homed endpoint's addresses now.
    pub(crate) fn bound(&self) -> Vec<IpAddr> {
        self.bound.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Whether packets to `ip` are this endpoint's (always, unless multi-homed).
    pub(crate) fn is_ours(&self, ip: IpAddr) -> bool {
        let bound = self.bound.read().unwrap_or_else(|e| e.into_inner());
        bound.is_empty() || bound.contains(&ip)
    }

    /// Binds `ip` too (RFC 6458 `sctp_bindx` with SCTP_BINDX_ADD_ADDR):
    /// it is reserved, received on, and listed to new peers.
    pub(crate) fn bind_address(&self, ip: IpAddr) -> Result<(), crate::Error> {
        if !self.multi {
            return Err(crate::Error::Addresses(
                "only an endpoint bound to several addresses (bind_all, client_all) can add one",
            ));
        }
        let (v4, v6) = self.families;
        if ip.is_unspecified() || (ip.is_ipv4() && !v4) || (ip.is_ipv6() && !v6) {
            return Err(crate::Error::Addresses(
                "the address must be specific and of a family the endpoint serves",
            ));
        }
        if self.bound().contains(&ip) {
            return Ok(());
        }
        if self.raw {
            let (sock, _) = crate::transport::reserve_port(ip, self.local.port())?;
            lock(&self.added_reservations).push(sock);
        }
        let list = {
            let mut bound = self.bound.write().unwrap_or_else(|e| e.into_inner());
            bound.push(ip);
            bound.clone()
        };
        lock(&self.state).proto.set_local_addresses(list);
        Ok(())
    }

    /// Unbinds `ip` (SCTP_BINDX_REM_ADDR); never the last address.
    pub(crate) fn unbind_address(&self, ip: IpAddr) -> Result<(), crate::Error> {
        let list = {
            let mut bound = self.bound.write().unwrap_or_else(|e| e.into_inner());
            if !bound.contains(&ip) {
                return Err(crate::Error::Addresses("the address is not bound"));
            }
            if bound.len() <= 1 {
                return Err(crate::Error::Addresses(
                    "the last address cannot be removed",
                ));
            }
            bound.retain(|a| *a != ip);
            bound.clone()
        };
        lock(&self.state).proto.set_local_addresses(list);
        Ok(())
    }
}

/// One association: the engine's state machine and who waits on it.
#[derive(Debug)]
pub(crate) struct AssocShared {
    pub(crate) inner: Mutex<AssocInner>,
    pub(crate) handle: AssociationHandle,
    pub(crate) endpoint: Arc<EndpointShared>,
    pub(crate) remote: SocketAddr,
    pub(crate) local: SocketAddr,
    /// Live user handles (association, halves); the last one to go shuts it down.
    pub(crate) users: AtomicUsize,
}

/// A message sent in pieces, until its end of record.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) stream_id: u16,
    pub(crate) ppid: Ppid,
    pub(crate) data: BytesMut,
}

/// The association under its lock.
#[derive(Debug)]
pub(crate) struct AssocInner {
    pub(crate) assoc: Association,
    /// Tasks waiting for a message or notification.
    pub(crate) recv_wakers: Wakers,
    /// Tasks waiting for send-buffer room.
    pub(crate) send_wakers: Wakers,
    /// Tasks waiting for a state change (connect, shutdown).
    pub(crate) state_wakers: Wakers,
    pub(crate) mask: EventMask,
    /// The peer's UDP port (UDP transport).
    pub(crate) udp_port: u16,
    /// DSCP of this association's packets.
    pub(crate) dscp: Option<u8>,
    /// The deadline the driver's timer queue holds for it.
    pub(crate) scheduled: Option<Instant>,
    /// In the driver's mailbox or current batch already.
    pub(crate) dirty: bool,
    /// Packets handled since the last transmit within a receive batch.
    pub(crate) since_transmit: u8,
    /// The driver dropped it (closed, or the driver stopped).
    pub(crate) finished: bool,
    /// Set when the driver stopped under a live association.
    pub(crate) driver_lost: Option<CloseReason>,
    /// `next_event` has reported `driver_lost`.
    pub(crate) driver_lost_told: bool,
    /// Buffered amount when the driver last looked, to wake senders on acks.
    pub(crate) buffered_seen: usize,
    /// The state when the driver last looked, to wake state waiters.
    pub(crate) state_seen: State,
    /// An unfinished message sent in pieces.
    pub(crate) record: Option<Record>,
    /// Messages received in pieces (partial delivery), joined for `recv`.
    pub(crate) pieces: sctp_core::PartialMessages,
    /// Notifications `recv` read past, oldest first; all older than what
    /// the engine still holds.
    pub(crate) aside: VecDeque<crate::event::AssociationEvent>,
    /// The source address of each peer address a multi-homed endpoint sends to.
    pub(crate) sources: Vec<(IpAddr, IpAddr)>,
}

impl AssocInner {
    /// The source address for packets to `dest` from a multi-homed endpoint:
    /// the one the route to `dest` uses when it is one of `bound`, else
    /// the first of `bound` in `dest`'s family (looked up once per destination).
    pub(crate) fn source_for(&mut self, dest: IpAddr, bound: &[IpAddr]) -> IpAddr {
        if let Some(&(_, s)) = self
            .sources
            .iter()
            .find(|(d, s)| *d == dest && bound.contains(s))
        {
            return s;
        }
        self.sources.retain(|(d, _)| *d != dest);
        let same_family = |ip: &IpAddr| ip.is_ipv4() == dest.is_ipv4();
        let src = crate::transport::route_source(dest)
            .filter(|s| bound.contains(s))
            .or_else(|| bound.iter().copied().find(same_family))
            .unwrap_or(bound[0]);
        self.sources.push((dest, src));
        src
    }

    pub(crate) fn new(assoc: Association, udp_port: u16, dscp: Option<u8>) -> Self {
        let state_seen = assoc.state();
        let pieces = sctp_core::PartialMessages::new(assoc.config().max_message_size);
        Self {
            assoc,
            recv_wakers: Wakers::default(),
            send_wakers: Wakers::default(),
            state_wakers: Wakers::default(),
            mask: EventMask::default(),
            udp_port,
            dscp,
            scheduled: None,
            dirty: false,
            since_transmit: 0,
            finished: false,
            driver_lost: None,
            driver_lost_told: false,
            buffered_seen: 0,
            state_seen,
            record: None,
            pieces,
            aside: VecDeque::new(),
            sources: Vec::new(),
        }
    }

    /// Why the association ended abnormally, if it did.
    pub(crate) fn close_reason(&self) -> Option<CloseReason> {
        self.driver_lost
            .clone()
            .or_else(|| self.assoc.close_reason().cloned())
    }

    /// Whether the association is over (nothing more will be sent or received).
    pub(crate) fn is_over(&self) -> bool {
        self.finished || self.assoc.state() == State::Closed
    }

    /// Wakes everyone: something ended.
    pub(crate) fn wake_all(&mut self) {
        self.recv_wakers.wake();
        self.send_wakers.wake();
        self.state_wakers.wake();
    }
}

impl AssocShared {
    pub(crate) fn add_user(&self) {
        self.users.fetch_add(1, Ordering::Relaxed);
    }

    /// Drops a user; true for the last one.
    pub(crate) fn remove_user(&self) -> bool {
        self.users.fetch_sub(1, Ordering::AcqRel) == 1
    }
}
