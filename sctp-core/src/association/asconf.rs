//! Dynamic address reconfiguration (RFC 5061) over authenticated chunks
//! (RFC 4895): what was negotiated, the peer's ASCONF requests (add and
//! delete its addresses, set our primary), and ours, one in flight at a
//! time, retransmitted on T-4 RTO.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use thiserror::Error;

use super::{Association, ErrorCause, Event, PathChange, State, Timer};
use crate::handshake::auth::{AssocAuth, AuthError, KeyVector};
use crate::handshake::init::{ASCONF, ASCONF_ACK, PeerExtensions};
use crate::handshake::{encode_chunk, encode_packet_of};
use crate::wire::cause::{
    DeleteLastRemainingAddress, DeleteSourceAddress, UnresolvableAddress, UnsupportedHmacIdentifier,
};
use crate::wire::chunk::{Asconf, AsconfAck};
use crate::wire::param::{
    AddIpAddress, DeleteIpAddress, ErrorCauseIndication, Param, SetPrimaryAddress,
    SuccessIndication, encode_address,
};
use crate::wire::{Chunk, Packet};

/// Why an address change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AsconfError {
    /// The peer did not offer ASCONF with AUTH (RFC 5061 section 4.1.1), or we did not.
    #[error("the peer does not support dynamic address reconfiguration (ASCONF with AUTH)")]
    NotNegotiated,
    /// Only an established association changes addresses.
    #[error("the association is not established")]
    NotEstablished,
    /// Deleting the only address we list would leave none (RFC 5061 section 5.1 A).
    #[error("{0} is our last address in the association")]
    LastAddress(IpAddr),
    /// The address is not one we list in this association.
    #[error("{0} is not one of our addresses in this association")]
    UnknownAddress(IpAddr),
}

/// One change we ask of the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    Add(IpAddr),
    Delete(IpAddr),
    SetPrimary(IpAddr),
}

/// Our ASCONF in flight (RFC 5061 section 5.1 C: only one at a time).
#[derive(Debug)]
struct InFlight {
    serial: u32,
    /// The signed packet, resent as it is on T-4 RTO.
    packet: Vec<u8>,
    requests: Vec<Request>,
}

/// What AUTH and ASCONF negotiated, and ASCONF's serial numbers.
#[derive(Debug)]
pub(super) struct Extensions {
    pub(super) auth: Option<AssocAuth>,
    /// ASCONF is usable: both sides offered it and AUTH is on.
    asconf: bool,
    /// The serial number of our next ASCONF (RFC 5061 section 4.1: from our Initial TSN).
    next_serial: u32,
    /// The serial number of the peer's latest ASCONF we processed.
    peer_serial: u32,
    /// The ASCONF-ACK we sent for it, for a retransmitted ASCONF (section 5.2 A2).
    last_ack: Option<Vec<u8>>,
    in_flight: Option<InFlight>,
    pending: VecDeque<Request>,
}

impl Extensions {
    /// Nothing negotiated yet.
    pub(super) fn none() -> Self {
        Self {
            auth: None,
            asconf: false,
            next_serial: 0,
            peer_serial: 0,
            last_ack: None,
            in_flight: None,
            pending: VecDeque::new(),
        }
    }
}

impl Association {
    /// Takes in what the peer offered in its INIT or INIT ACK (RFC 4895
    /// section 6.1, RFC 5061 section 4.2.7).
    pub(super) fn negotiate(
        &mut self,
        peer: &PeerExtensions,
        local_key: Option<KeyVector>,
        peer_initial_tsn: crate::Tsn,
    ) {
        if local_key.is_some() {
            self.local_key = local_key;
        }
        let auth = match (&self.local_key, &peer.auth) {
            (Some(ours), Some(theirs)) => AssocAuth::new(ours, theirs, &[]),
            _ => None,
        };
        let asconf = self.config.asconf
            && auth.is_some()
            && peer.supports(ASCONF)
            && peer.supports(ASCONF_ACK);
        self.ext = Extensions {
            auth,
            asconf,
            next_serial: self.local_initial_tsn.0,
            peer_serial: peer_initial_tsn.0.wrapping_sub(1),
            ..Extensions::none()
        };
        self.negotiated = super::Negotiated {
            partial_reliability: self.config.partial_reliability && peer.partial_reliability(),
            reconfig: self.config.reconfig && peer.supports(crate::handshake::init::RE_CONFIG),
            interleaving: self.config.interleaving && peer.supports(crate::handshake::init::I_DATA),
        };
        self.send_queue
            .set_interleaving(self.negotiated.interleaving);
        self.stream_reconfig =
            super::stream_reconfig::StreamReconfig::new(self.local_initial_tsn, peer_initial_tsn);
        if let Some(code) = peer.adaptation {
            self.events.push_back(Event::AdaptationIndication(code));
        }
    }

    /// Whether partial reliability (PR-SCTP, RFC 3758) is in use.
    pub fn supports_partial_reliability(&self) -> bool {
        self.negotiated.partial_reliability
    }

    /// Whether AUTH (RFC 4895) is in use on this association.
    pub fn is_authenticated(&self) -> bool {
        self.ext.auth.is_some()
    }

    /// Whether dynamic address reconfiguration (RFC 5061) is in use.
    pub fn supports_asconf(&self) -> bool {
        self.ext.asconf
    }

    /// Our addresses the peer knows from INIT, INIT ACK and ASCONF (empty
    /// when we have a single, unlisted one).
    pub fn local_addresses(&self) -> &[IpAddr] {
        &self.local_addresses
    }

    /// Adds `ip` to our addresses in the association (RFC 5061 section
    /// 4.2.1 Add IP Address): sent in an ASCONF; once the peer
    /// acknowledges it, the peer may send to it.
    pub fn add_local_address(&mut self, now: Instant, ip: IpAddr) -> Result<(), AsconfError> {
        self.check_asconf()?;
        if !self.local_addresses.contains(&ip) {
            self.ext.pending.push_back(Request::Add(ip));
            self.send_next_asconf(now);
        }
        Ok(())
    }

    /// Removes `ip` from our addresses in the association (RFC 5061
    /// section 4.2.2 Delete IP Address); never the last one.
    pub fn remove_local_address(&mut self, now: Instant, ip: IpAddr) -> Result<(), AsconfError> {
        self.check_asconf()?;
        let adding = self.ext.pending.contains(&Request::Add(ip))
            || self
                .ext
                .in_flight
                .as_ref()
                .is_some_and(|f| f.requests.contains(&Request::Add(ip)));
        if !self.local_addresses.contains(&ip) && !adding {
            return Err(AsconfError::UnknownAddress(ip));
        }
        let deleting = self
            .ext
            .pending
            .iter()
            .filter(|r| matches!(r, Request::Delete(_)))
            .count();
        if self.local_addresses.len() + usize::from(adding) <= 1 + deleting {
            return Err(AsconfError::LastAddress(ip));
        }
        self.ext.pending.push_back(Request::Delete(ip));
        self.send_next_asconf(now);
        Ok(())
    }

    /// Asks the peer to make our address `ip` its primary path (RFC 5061
    /// section 4.2.4 Set Primary Address).
    pub fn request_peer_primary(&mut self, now: Instant, ip: IpAddr) -> Result<(), AsconfError> {
        self.check_asconf()?;
        if !self.local_addresses.contains(&ip) {
            return Err(AsconfError::UnknownAddress(ip));
        }
        self.ext.pending.push_back(Request::SetPrimary(ip));
        self.send_next_asconf(now);
        Ok(())
    }

    fn check_asconf(&self) -> Result<(), AsconfError> {
        if !self.ext.asconf {
            return Err(AsconfError::NotNegotiated);
        }
        if !matches!(self.state, State::Established) {
            return Err(AsconfError::NotEstablished);
        }
        Ok(())
    }

    /// Sends the pending requests in one ASCONF if none is in flight (RFC
    /// 5061 section 5.1 C1-C3).
    fn send_next_asconf(&mut self, now: Instant) {
        if self.ext.in_flight.is_some() || self.ext.pending.is_empty() {
            return;
        }
        let n = self.asconf_requests_that_fit();
        let requests: Vec<Request> = self.ext.pending.drain(..n).collect();
        let serial = self.ext.next_serial;
        self.ext.next_serial = serial.wrapping_add(1);
        let mut bufs: Vec<[u8; 20]> = vec![[0; 20]; requests.len()];
        // The Address Parameter: one of our addresses not being deleted (section 4.1.1).
        let family = self.remote().is_ipv4();
        let deleted = |ip: &IpAddr| requests.contains(&Request::Delete(*ip));
        let sender = self
            .local_addresses
            .iter()
            .find(|a| a.is_ipv4() == family && !deleted(a))
            .or_else(|| self.local_addresses.iter().find(|a| !deleted(a)))
            .copied()
            .or_else(|| {
                requests.iter().find_map(|r| match r {
                    Request::Add(ip) => Some(*ip),
                    _ => None,
                })
            });
        let mut params: Vec<Param<'_>> = Vec::new();
        if let Some(ip) = sender {
            params.push(Param::from(ip));
        }
        for (i, (r, buf)) in requests.iter().zip(bufs.iter_mut()).enumerate() {
            let correlation_id = i as u32 + 1;
            params.push(match *r {
                Request::Add(ip) => Param::AddIpAddress(AddIpAddress {
                    correlation_id,
                    address: encode_address(ip, buf),
                }),
                Request::Delete(ip) => Param::DeleteIpAddress(DeleteIpAddress {
                    correlation_id,
                    address: encode_address(ip, buf),
                }),
                Request::SetPrimary(ip) => Param::SetPrimaryAddress(SetPrimaryAddress {
                    correlation_id,
                    address: encode_address(ip, buf),
                }),
            });
        }
        let chunk = encode_chunk(&Chunk::Asconf(Asconf { serial, params }));
        let packet = self.signed_packet(&chunk);
        self.standalone.push_back((None, packet.clone()));
        self.ext.in_flight = Some(InFlight {
            serial,
            packet,
            requests,
        });
        self.timers.set(Timer::Asconf, now + self.dp().rto.rto());
    }

    /// How many pending requests (at least one) one ASCONF carries so that
    /// its packet, with the AUTH chunk before it, fits the path MTU (RFC
    /// 5061 section 5.1: the rest waits for the next ASCONF, sent once this
    /// one is acknowledged).
    fn asconf_requests_that_fit(&self) -> usize {
        let address_len = |ip: &IpAddr| if ip.is_ipv4() { 8 } else { 20 };
        let auth = self
            .ext
            .auth
            .as_ref()
            .filter(|a| a.must_sign(ASCONF))
            .map_or(0, |a| a.auth_chunk().len());
        // Common header, AUTH, the ASCONF header and serial, and the
        // Address Parameter naming the sender (an IPv6 one at worst).
        let mut size = 12 + auth + 8 + 4 + 20;
        let mut n = 0;
        for r in &self.ext.pending {
            let ip = match r {
                Request::Add(ip) | Request::Delete(ip) | Request::SetPrimary(ip) => ip,
            };
            // The request parameter's header and correlation ID, then its address.
            size += 8 + address_len(ip);
            if n > 0 && size > self.sctp_mtu() {
                break;
            }
            n += 1;
        }
        n
    }

    /// A packet of `chunk`, after an AUTH chunk when the peer wants the
    /// chunk's type authenticated (RFC 4895 section 6.2).
    fn signed_packet(&self, chunk: &[u8]) -> Vec<u8> {
        let (local_port, peer_port, vtag) = (self.local_port, self.peer_port(), self.peer_vtag);
        let Some(auth) = self
            .ext
            .auth
            .as_ref()
            .filter(|a| chunk.first().is_some_and(|&t| a.must_sign(t)))
        else {
            return encode_packet_of(local_port, peer_port, vtag, &[chunk]);
        };
        let mut packet =
            encode_packet_of(local_port, peer_port, vtag, &[&auth.auth_chunk(), chunk]);
        auth.sign(&mut packet, 12);
        if let Ok(mut p) = Packet::new_checked(&mut packet[..]) {
            p.fill_checksum();
        }
        packet
    }

    /// T-4 RTO (RFC 5061 section 5.1 C4): the ASCONF went unanswered;
    /// count the errors, back off and resend it as it was.
    pub(super) fn on_asconf_timer(&mut self, now: Instant) {
        let Some(packet) = self.ext.in_flight.as_ref().map(|f| f.packet.clone()) else {
            return;
        };
        let path = self.data_path;
        self.count_path_error(path);
        if self.count_error() {
            return;
        }
        self.paths[path].rto.back_off();
        self.standalone.push_back((None, packet));
        self.timers.set(Timer::Asconf, now + self.dp().rto.rto());
    }

    /// Checks the AUTH chunk at `offset` of `packet` (RFC 4895 section
    /// 6.3); an unsupported HMAC is answered with an ERROR.
    pub(super) fn check_auth(&mut self, packet: &[u8], offset: usize) -> bool {
        let Some(auth) = &self.ext.auth else {
            return false;
        };
        match auth.verify(packet, offset) {
            Ok(()) => true,
            Err(AuthError::UnsupportedHmac(hmac_id)) => {
                self.control
                    .push_back(crate::handshake::encode_error_chunk(&[ErrorCause::of(
                        UnsupportedHmacIdentifier { hmac_id },
                    )]));
                false
            }
            Err(_) => false,
        }
    }

    /// The peer's ASCONF (RFC 5061 section 5.2), from `source`.
    pub(super) fn on_asconf(&mut self, now: Instant, asconf: &Asconf<'_>, source: SocketAddr) {
        if !self.ext.asconf {
            return;
        }
        let expected = self.ext.peer_serial.wrapping_add(1);
        if asconf.serial == self.ext.peer_serial {
            // A2: a retransmission; the answer went missing.
            if let Some(ack) = self.ext.last_ack.clone() {
                self.standalone.push_back((Some(source), ack));
            }
            return;
        }
        if asconf.serial != expected {
            return;
        }
        let mut responses: Vec<(u32, Option<ErrorCause>)> = Vec::new();
        // The first parameter names the sender; the requests follow it.
        for p in asconf.params.iter().skip(1) {
            match p {
                Param::AddIpAddress(a) => {
                    let ip = a.address().ok().flatten();
                    let result = self.peer_adds(now, ip, source);
                    responses.push((a.correlation_id, result));
                }
                Param::DeleteIpAddress(d) => {
                    let ip = d.address().ok().flatten();
                    let result = self.peer_deletes(ip, d.address, source);
                    responses.push((d.correlation_id, result));
                }
                Param::SetPrimaryAddress(s) => {
                    let ip = s.address().ok().flatten();
                    let result = self.peer_sets_primary(ip, s.address);
                    responses.push((s.correlation_id, result));
                }
                _ => {}
            }
        }
        let mut cause_bufs: Vec<Vec<u8>> = Vec::new();
        for (_, cause) in &responses {
            cause_bufs.push(cause.as_ref().map(encode_cause).unwrap_or_default());
        }
        let params: Vec<Param<'_>> = responses
            .iter()
            .zip(&cause_bufs)
            .map(|((id, cause), bytes)| match cause {
                None => Param::SuccessIndication(SuccessIndication {
                    correlation_id: *id,
                }),
                Some(_) => Param::ErrorCauseIndication(ErrorCauseIndication {
                    correlation_id: *id,
                    causes: bytes,
                }),
            })
            .collect();
        let chunk = encode_chunk(&Chunk::AsconfAck(AsconfAck {
            serial: asconf.serial,
            params,
        }));
        let packet = self.signed_packet(&chunk);
        self.ext.peer_serial = asconf.serial;
        self.ext.last_ack = Some(packet.clone());
        self.standalone.push_back((Some(source), packet));
        self.select_data_path();
        self.rearm_heartbeat_timer();
    }

    /// Add IP Address (RFC 5061 section 5.2 A4): the wildcard means the
    /// packet's source; the new path is verified before it carries data.
    fn peer_adds(
        &mut self,
        now: Instant,
        ip: Option<IpAddr>,
        source: SocketAddr,
    ) -> Option<ErrorCause> {
        let Some(ip) = ip else {
            return Some(ErrorCause::of(UnresolvableAddress { address: &[] }));
        };
        let ip = if ip.is_unspecified() { source.ip() } else { ip };
        let remote = SocketAddr::new(ip, self.peer_port());
        if self.path_index(remote).is_none() {
            let before = self.paths.len();
            self.add_path(now, remote, false);
            if self.paths.len() > before {
                self.path_event(before, PathChange::Added);
            }
        }
        None
    }

    /// Delete IP Address (RFC 5061 section 5.2 A5-A7): never the source of
    /// the ASCONF, never the last address.
    fn peer_deletes(
        &mut self,
        ip: Option<IpAddr>,
        raw: &[u8],
        source: SocketAddr,
    ) -> Option<ErrorCause> {
        let ip = ip?;
        if ip == source.ip() {
            return Some(ErrorCause::of(DeleteSourceAddress { params: raw }));
        }
        let remote = SocketAddr::new(ip, self.peer_port());
        let i = self.path_index(remote)?;
        if self.paths.len() <= 1 {
            return Some(ErrorCause::of(DeleteLastRemainingAddress { params: raw }));
        }
        self.path_event(i, PathChange::Removed);
        self.remove_path(i, source);
        None
    }

    /// Set Primary Address (RFC 5061 section 5.2 A8): the peer asks us to
    /// send to this address of its; data goes there once it is confirmed.
    fn peer_sets_primary(&mut self, ip: Option<IpAddr>, raw: &[u8]) -> Option<ErrorCause> {
        let remote = SocketAddr::new(ip?, self.peer_port());
        let Some(i) = self.path_index(remote) else {
            return Some(ErrorCause::of(UnresolvableAddress { address: raw }));
        };
        if i != self.primary {
            self.primary = i;
            self.path_event(i, PathChange::MadePrimary);
        }
        None
    }

    /// The peer's ASCONF-ACK (RFC 5061 section 5.3): each request
    /// without an error succeeded.
    pub(super) fn on_asconf_ack(&mut self, now: Instant, ack: &AsconfAck<'_>) {
        let Some(flight) = self.ext.in_flight.take_if(|f| f.serial == ack.serial) else {
            return;
        };
        self.timers.stop(Timer::Asconf);
        for (i, request) in flight.requests.iter().enumerate() {
            let id = i as u32 + 1;
            let failed = ack
                .params
                .iter()
                .any(|p| matches!(p, Param::ErrorCauseIndication(e) if e.correlation_id == id));
            if failed {
                continue;
            }
            match *request {
                Request::Add(ip) => {
                    if !self.local_addresses.contains(&ip) {
                        self.local_addresses.push(ip);
                    }
                }
                Request::Delete(ip) => self.local_addresses.retain(|a| *a != ip),
                Request::SetPrimary(_) => {}
            }
        }
        self.send_next_asconf(now);
    }
}

/// A cause as its TLV bytes, for an Error Cause Indication.
fn encode_cause(c: &ErrorCause) -> Vec<u8> {
    let mut v = Vec::with_capacity(4 + c.info.len());
    v.extend_from_slice(&c.code.0.to_be_bytes());
    v.extend_from_slice(&((4 + c.info.len()) as u16).to_be_bytes());
    v.extend_from_slice(&c.info);
    v.resize(v.len().next_multiple_of(4), 0);
    v
}
