//! Association set-up: INIT, INIT ACK, COOKIE ECHO, COOKIE ACK (RFC 9260
//! section 5.1), the collision and restart cases of section 5.2, and the
//! chunk encoders the endpoint shares for its stateless answers.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use super::{Association, ErrorCause, Event, SackDue, State};
use crate::config::AssociationConfig;
use crate::endpoint::cookie::{CookieContents, CookieError, CookieKey};
use crate::wire::cause::{Cause, UnknownCause};
use crate::wire::chunk::{Abort, CookieEcho, Init, InitAck, OperationError};
use crate::wire::param::{
    CookiePreservative, Ipv4Address, Ipv6Address, Param, StateCookie, UnrecognizedParameter,
};
use crate::wire::{Chunk, PacketBuilder, UnrecognizedAction};
use crate::{Tsn, VerificationTag};

/// Cause codes this module sends (RFC 9260 section 3.3.10).
pub(crate) mod cause_code {
    /// Stale Cookie Error.
    pub(crate) const STALE_COOKIE: u16 = 3;
    /// Unresolvable Address.
    pub(crate) const UNRESOLVABLE_ADDRESS: u16 = 5;
    /// Invalid Mandatory Parameter.
    pub(crate) const INVALID_MANDATORY_PARAMETER: u16 = 7;
    /// No User Data.
    pub(crate) const NO_USER_DATA: u16 = 9;
    /// Cookie Received While Shutting Down.
    pub(crate) const COOKIE_WHILE_SHUTTING_DOWN: u16 = 10;
    /// Protocol Violation.
    pub(crate) const PROTOCOL_VIOLATION: u16 = 13;
    /// Invalid Stream Identifier.
    pub(crate) const INVALID_STREAM: u16 = 1;
    /// Unrecognized Chunk Type.
    pub(crate) const UNRECOGNIZED_CHUNK: u16 = 6;
    /// Out of Resource.
    pub(crate) const OUT_OF_RESOURCE: u16 = 4;
    /// Restart of an Association with New Addresses.
    pub(crate) const RESTART_WITH_NEW_ADDRESSES: u16 = 11;
}

/// The fields of a received INIT or INIT ACK that set-up uses, after the
/// parameter rules of RFC 9260 section 3.2.1 were applied.
#[derive(Debug, Clone)]
pub(crate) struct PeerInit<'a> {
    pub(crate) initiate_tag: VerificationTag,
    pub(crate) a_rwnd: u32,
    pub(crate) outbound_streams: u16,
    pub(crate) inbound_streams: u16,
    pub(crate) initial_tsn: Tsn,
    /// Extra cookie lifetime the peer asked for, ms (Cookie Preservative).
    pub(crate) preservative_ms: u32,
    /// The State Cookie parameter of an INIT ACK.
    pub(crate) state_cookie: Option<&'a [u8]>,
    /// Unrecognized parameters to report, as Unrecognized Parameter params.
    pub(crate) unrecognized: Vec<&'a [u8]>,
    /// The addresses the peer listed (section 5.1.2), in order.
    pub(crate) addresses: Vec<IpAddr>,
    /// The peer's Supported Address Types (IPv4, IPv6); both when it sent none.
    pub(crate) supports: (bool, bool),
    /// The address parameters as received, for the state cookie.
    pub(crate) address_params: Vec<&'a [u8]>,
}

/// Why an INIT or INIT ACK cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InitProblem {
    /// Discard silently (a zero Initiate Tag, section 3.3.2).
    Discard,
    /// Answer with ABORT carrying these causes.
    Abort(Vec<ErrorCause>),
}

impl<'a> PeerInit<'a> {
    /// Applies sections 3.3.2, 3.3.3 and 3.2.1 to INIT or INIT ACK fields.
    pub(crate) fn examine(
        initiate_tag: VerificationTag,
        a_rwnd: u32,
        outbound_streams: u16,
        inbound_streams: u16,
        initial_tsn: Tsn,
        params: &[Param<'a>],
        raw_params: &'a [u8],
    ) -> Result<Self, InitProblem> {
        if initiate_tag.0 == 0 {
            return Err(InitProblem::Discard);
        }
        if outbound_streams == 0 || inbound_streams == 0 {
            return Err(InitProblem::Abort(vec![ErrorCause {
                code: cause_code::INVALID_MANDATORY_PARAMETER,
                info: Vec::new(),
            }]));
        }
        let mut init = Self {
            initiate_tag,
            a_rwnd,
            outbound_streams,
            inbound_streams,
            initial_tsn,
            preservative_ms: 0,
            state_cookie: None,
            unrecognized: Vec::new(),
            addresses: Vec::new(),
            supports: (true, true),
            address_params: Vec::new(),
        };
        let mut raw = crate::wire::TlvIter::new(raw_params);
        for p in params {
            let raw_tlv = raw.next().and_then(Result::ok);
            match p {
                Param::CookiePreservative(CookiePreservative {
                    suggested_lifespan_increment_ms,
                }) => init.preservative_ms = *suggested_lifespan_increment_ms,
                Param::StateCookie(StateCookie { cookie }) => init.state_cookie = Some(cookie),
                // Section 5.1.2: the peer's addresses beside the packet's source.
                Param::Ipv4Address(a) => {
                    init.addresses.push(IpAddr::V4(a.0));
                    init.address_params
                        .extend(raw_tlv.map(|t| &raw_params[t.offset..t.offset + t.length()]));
                }
                Param::Ipv6Address(a) => {
                    init.addresses.push(IpAddr::V6(a.0));
                    init.address_params
                        .extend(raw_tlv.map(|t| &raw_params[t.offset..t.offset + t.length()]));
                }
                Param::SupportedAddressTypes(t) => {
                    // Section 5.1.2: 5 is IPv4, 6 is IPv6, 11 the (deprecated) host name.
                    let types: Vec<u16> = t.address_types.iter().collect();
                    init.supports = (types.contains(&5), types.contains(&6));
                }
                Param::HostNameAddress(_) => {
                    // Host Name Address is deprecated: abort with Unresolvable Address.
                    let info = raw_tlv
                        .map(|t| raw_params[t.offset..t.offset + t.length()].to_vec())
                        .unwrap_or_default();
                    return Err(InitProblem::Abort(vec![ErrorCause {
                        code: cause_code::UNRESOLVABLE_ADDRESS,
                        info,
                    }]));
                }
                // Known but unused extensions are simply not negotiated.
                Param::Unknown(u) => {
                    let action = UnrecognizedAction::of_param_type(u.param_type);
                    if action.reports()
                        && let Some(t) = raw_tlv
                    {
                        init.unrecognized
                            .push(&raw_params[t.offset..t.offset + t.length()]);
                    }
                    if action.stops() {
                        break;
                    }
                }
                _ => {}
            }
        }
        Ok(init)
    }

    fn from_init(init: &Init<'a>, raw_params: &'a [u8]) -> Result<Self, InitProblem> {
        Self::examine(
            init.initiate_tag,
            init.a_rwnd,
            init.num_outbound_streams,
            init.num_inbound_streams,
            init.initial_tsn,
            &init.params,
            raw_params,
        )
    }
}

/// The variable part of an INIT or INIT ACK as received, for re-reading raw TLVs.
pub(crate) fn init_params_bytes(value: &[u8]) -> &[u8] {
    value.get(16..).unwrap_or_default()
}

/// What our side puts in an INIT ACK.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InitAckPlan {
    pub(crate) local_vtag: VerificationTag,
    pub(crate) local_initial_tsn: Tsn,
    pub(crate) tie_tag: u64,
}

/// Encodes a whole packet of `chunks` with the checksum filled in.
pub(crate) fn encode_packet(
    src_port: u16,
    dst_port: u16,
    vtag: VerificationTag,
    chunks: &[Chunk<'_>],
) -> Vec<u8> {
    let len = 12 + chunks.iter().map(Chunk::chunk_len).sum::<usize>();
    let mut buf = vec![0u8; len];
    let mut b =
        PacketBuilder::new(&mut buf, src_port, dst_port, vtag).expect("sized for the header");
    for c in chunks {
        b.push(c).expect("sized for every chunk");
    }
    let n = b.finish();
    buf.truncate(n);
    buf
}

/// Encodes a whole packet from chunks already encoded, with the checksum filled in.
pub(crate) fn encode_packet_of(
    src_port: u16,
    dst_port: u16,
    vtag: VerificationTag,
    chunks: &[&[u8]],
) -> Vec<u8> {
    let mut buf = vec![0u8; 12];
    crate::wire::CommonHeader {
        src_port,
        dst_port,
        verification_tag: vtag,
        checksum: 0,
    }
    .emit(&mut buf)
    .expect("12 bytes");
    for c in chunks {
        buf.extend_from_slice(c);
    }
    crate::wire::Packet::new_checked(&mut buf[..])
        .expect("has a header")
        .fill_checksum();
    buf
}

/// Encodes one chunk on its own (for the control queue).
pub(crate) fn encode_chunk(chunk: &Chunk<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; chunk.chunk_len()];
    let n = chunk.emit(&mut buf).expect("sized for the chunk");
    buf.truncate(n);
    buf
}

fn wire_causes(causes: &[ErrorCause]) -> Vec<Cause<'_>> {
    causes
        .iter()
        .map(|c| {
            Cause::Unknown(UnknownCause {
                cause_code: c.code,
                value: &c.info,
            })
        })
        .collect()
}

/// An ABORT packet (section 9.1 / 8.4): with `t_bit` the tag is the one the
/// receiver of the aborted packet expects of itself (reflected).
pub(crate) fn encode_abort_packet(
    src_port: u16,
    dst_port: u16,
    vtag: VerificationTag,
    t_bit: bool,
    causes: &[ErrorCause],
) -> Vec<u8> {
    let abort = Abort {
        t_bit,
        causes: wire_causes(causes),
    };
    encode_packet(src_port, dst_port, vtag, &[Chunk::Abort(abort)])
}

/// An ERROR chunk with `causes`.
pub(crate) fn encode_error_chunk(causes: &[ErrorCause]) -> Vec<u8> {
    encode_chunk(&Chunk::Error(OperationError {
        causes: wire_causes(causes),
    }))
}

/// Builds the INIT ACK packet answering `peer` (section 5.1 B): a state
/// cookie sealing everything the association will need.
#[allow(clippy::too_many_arguments)]
pub(crate) fn encode_init_ack_packet(
    now: Instant,
    key: &CookieKey,
    config: &AssociationConfig,
    remote: SocketAddr,
    local_port: u16,
    peer: &PeerInit<'_>,
    plan: InitAckPlan,
    a_rwnd: u32,
    local_addresses: &[IpAddr],
) -> Vec<u8> {
    let extra =
        Duration::from_millis(u64::from(peer.preservative_ms)).min(config.valid_cookie_life);
    let lifetime = config.valid_cookie_life + extra;
    let contents = CookieContents {
        created_ms: key.now_ms(now),
        lifetime_ms: u32::try_from(lifetime.as_millis()).unwrap_or(u32::MAX),
        peer: remote,
        local_port,
        local_vtag: plan.local_vtag,
        peer_vtag: peer.initiate_tag,
        local_initial_tsn: plan.local_initial_tsn,
        peer_initial_tsn: peer.initial_tsn,
        peer_rwnd: peer.a_rwnd,
        tie_tag: plan.tie_tag,
        // Section 5.1.1: each side sends on at most as many streams as the other accepts.
        outbound_streams: config.outbound_streams.min(peer.inbound_streams),
        inbound_streams: config.inbound_streams.min(peer.outbound_streams),
        features: 0,
        peer_params: peer.address_params.concat(),
    };
    let cookie = key.seal(&contents);
    let mut params = vec![Param::StateCookie(StateCookie { cookie: &cookie })];
    params.extend(address_params(local_addresses, peer.supports));
    params.extend(
        peer.unrecognized
            .iter()
            .map(|p| Param::UnrecognizedParameter(UnrecognizedParameter { param: p })),
    );
    let ack = InitAck {
        initiate_tag: plan.local_vtag,
        a_rwnd,
        // Section 5.1.1: offer no more outbound streams than the peer's
        // MIS accepts (both sides would use the minimum anyway; Linux and
        // usrsctp offer it, and so does a capture reader's expectation).
        num_outbound_streams: config.outbound_streams.min(peer.inbound_streams),
        num_inbound_streams: config.inbound_streams,
        initial_tsn: plan.local_initial_tsn,
        params,
    };
    encode_packet(
        local_port,
        remote.port(),
        peer.initiate_tag,
        &[Chunk::InitAck(ack)],
    )
}

/// Our addresses as INIT / INIT ACK parameters (section 5.1.2): listed
/// only when there are several, so a single address, or one a NAT or a
/// Kubernetes Service rewrites, stays implicit (the packet's source), and
/// only in families the peer supports.
pub(crate) fn address_params(local: &[IpAddr], (v4, v6): (bool, bool)) -> Vec<Param<'static>> {
    if local.len() < 2 {
        return Vec::new();
    }
    local
        .iter()
        .filter_map(|a| match a {
            IpAddr::V4(a) if v4 => Some(Param::Ipv4Address(Ipv4Address(*a))),
            IpAddr::V6(a) if v6 => Some(Param::Ipv6Address(Ipv6Address(*a))),
            _ => None,
        })
        .collect()
}

impl Association {
    /// Our INIT chunk (section 5.1 A); a Cookie Preservative after a stale cookie (5.2.6).
    pub(super) fn encode_init(&self, preservative_ms: Option<u32>) -> Vec<u8> {
        let mut params = address_params(&self.local_addresses, (true, true));
        if let Some(ms) = preservative_ms {
            params.push(Param::CookiePreservative(CookiePreservative {
                suggested_lifespan_increment_ms: ms,
            }));
        }
        encode_chunk(&Chunk::Init(Init {
            initiate_tag: self.local_vtag,
            a_rwnd: self.config.receive_window,
            num_outbound_streams: self.config.outbound_streams,
            num_inbound_streams: self.config.inbound_streams,
            initial_tsn: self.local_initial_tsn,
            params,
        }))
    }

    /// Queues the INIT (verification tag 0, section 8.5.1 A) and arms T1-init.
    pub(super) fn queue_init(&mut self, now: Instant) {
        if let Some(init) = &self.init_chunk {
            let packet = encode_packet_of(
                self.local_port,
                self.peer_port(),
                VerificationTag(0),
                &[init],
            );
            self.standalone.push_back((None, packet));
        }
        self.timers
            .set(super::Timer::T1Init, now + self.dp().rto.rto());
    }

    /// Section 5.1 C: the INIT ACK in COOKIE-WAIT; otherwise discarded (5.2.3).
    pub(super) fn on_init_ack(&mut self, now: Instant, ack: &InitAck<'_>, raw_params: &[u8]) {
        if self.state != State::CookieWait {
            return;
        }
        let peer = match PeerInit::examine(
            ack.initiate_tag,
            ack.a_rwnd,
            ack.num_outbound_streams,
            ack.num_inbound_streams,
            ack.initial_tsn,
            &ack.params,
            raw_params,
        ) {
            Ok(p) => p,
            Err(InitProblem::Discard) => return,
            Err(InitProblem::Abort(causes)) => {
                let packet = encode_abort_packet(
                    self.local_port,
                    self.peer_port(),
                    ack.initiate_tag,
                    false,
                    &causes,
                );
                self.standalone.push_back((None, packet));
                self.close(super::CloseReason::LocalAbort(causes));
                return;
            }
        };
        let Some(cookie) = peer.state_cookie else {
            // A mandatory parameter is missing (section 3.3.3): abort.
            let causes = vec![ErrorCause {
                code: 2,
                info: [0, 0, 0, 1, 0, 7].to_vec(),
            }];
            let packet = encode_abort_packet(
                self.local_port,
                self.peer_port(),
                ack.initiate_tag,
                false,
                &causes,
            );
            self.standalone.push_back((None, packet));
            self.close(super::CloseReason::LocalAbort(causes));
            return;
        };
        self.peer_vtag = peer.initiate_tag;
        self.outbound_streams = self.config.outbound_streams.min(peer.inbound_streams);
        self.inbound_streams = self.config.inbound_streams.min(peer.outbound_streams);
        self.peer_rwnd = peer.a_rwnd as usize;
        // Section 5.1.2: the INIT ACK's source is confirmed and becomes the
        // primary; the addresses it lists are paths to verify.
        self.add_path(now, self.packet_source, true);
        if let Some(i) = self.path_index(self.packet_source) {
            self.primary = i;
            self.data_path = i;
        }
        let port = self.peer_port();
        for a in &peer.addresses {
            self.add_path(now, SocketAddr::new(*a, port), false);
        }
        self.reset_congestion(peer.a_rwnd);
        self.tracker = super::TsnTracker::new(peer.initial_tsn);
        self.reassembly = super::Reassembly::new(peer.initial_tsn);
        self.timers.stop(super::Timer::T1Init);
        self.init_retransmits = 0;
        if !peer.unrecognized.is_empty() {
            // Section 3.2.1: report unrecognized parameters of an INIT ACK in an ERROR.
            let causes: Vec<ErrorCause> = peer
                .unrecognized
                .iter()
                .map(|p| ErrorCause {
                    code: 8,
                    info: p.to_vec(),
                })
                .collect();
            self.control.push_back(encode_error_chunk(&causes));
        }
        self.cookie_echo = Some(encode_chunk(&Chunk::CookieEcho(CookieEcho { cookie })));
        self.state = State::CookieEchoed;
        self.send_cookie_echo = true;
        self.cookie_sent_at = None;
        self.timers
            .set(super::Timer::T1Cookie, now + self.dp().rto.rto());
    }

    /// Section 7.2.1: every path starts with the initial cwnd, ssthresh the peer's window.
    fn reset_congestion(&mut self, peer_rwnd: u32) {
        for i in 0..self.paths.len() {
            let mtu = Self::sctp_mtu_for(&self.config, self.paths[i].mtu);
            self.paths[i].cc = super::CongestionControl::new(mtu, peer_rwnd);
        }
    }

    /// Section 5.1 E: COOKIE ACK completes set-up on our side.
    pub(super) fn on_cookie_ack(&mut self, now: Instant) {
        if self.state != State::CookieEchoed {
            return;
        }
        self.timers.stop(super::Timer::T1Cookie);
        if let Some(sent) = self.cookie_sent_at.take() {
            // The COOKIE ECHO went once: a clean first RTT sample.
            self.dp_mut()
                .rto
                .on_measurement(now.saturating_duration_since(sent));
        }
        self.cookie_echo = None;
        self.init_chunk = None;
        self.init_retransmits = 0;
        self.state = State::Established;
        self.events.push_back(Event::Connected);
        self.start_heartbeats(now);
        self.open_burst();
    }

    /// Makes the association what `cookie` describes and answers with COOKIE ACK.
    pub(super) fn adopt_cookie(&mut self, now: Instant, cookie: &CookieContents) {
        // Section 5.1.2: the INIT's source is the primary; the addresses it
        // listed are paths to verify.
        self.add_path(now, cookie.peer, true);
        if let Some(i) = self.path_index(cookie.peer) {
            self.primary = i;
            self.data_path = i;
        }
        for a in cookie_addresses(&cookie.peer_params) {
            self.add_path(now, SocketAddr::new(a, cookie.peer.port()), false);
        }
        self.local_port = cookie.local_port;
        self.local_vtag = cookie.local_vtag;
        self.peer_vtag = cookie.peer_vtag;
        self.outbound_streams = cookie.outbound_streams;
        self.inbound_streams = cookie.inbound_streams;
        self.peer_rwnd = cookie.peer_rwnd as usize;
        self.reset_congestion(cookie.peer_rwnd);
        if self.local_initial_tsn != cookie.local_initial_tsn {
            self.local_initial_tsn = cookie.local_initial_tsn;
            self.rtx = super::RetransmitQueue::new(cookie.local_initial_tsn);
        }
        self.tracker = super::TsnTracker::new(cookie.peer_initial_tsn);
        self.reassembly = super::Reassembly::new(cookie.peer_initial_tsn);
        self.timers.stop(super::Timer::T1Init);
        self.timers.stop(super::Timer::T1Cookie);
        self.init_chunk = None;
        self.cookie_echo = None;
        self.init_retransmits = 0;
        self.send_cookie_ack = true;
        if !self.state.is_established_or_later() {
            self.state = State::Established;
            self.events.push_back(Event::Connected);
        }
        self.start_heartbeats(now);
        self.open_burst();
    }

    /// An INIT for this association (sections 5.2.1, 5.2.2, 9.2).
    pub(super) fn on_init(&mut self, now: Instant, init: &Init<'_>, raw_params: &[u8]) {
        let peer = match PeerInit::from_init(init, raw_params) {
            Ok(p) => p,
            Err(InitProblem::Discard) => return,
            Err(InitProblem::Abort(causes)) => {
                // Section 8.4 / 5.1: the ABORT carries the INIT's Initiate Tag, T bit clear.
                self.reject_init(init.initiate_tag, &causes);
                return;
            }
        };
        // Section 5.2.2: a restart may not add addresses to the association.
        if self.state.is_established_or_later() && self.state != State::Closed {
            let port = self.peer_port();
            let new: Vec<&[u8]> = peer
                .addresses
                .iter()
                .zip(&peer.address_params)
                .filter(|(a, _)| self.path_index(SocketAddr::new(**a, port)).is_none())
                .map(|(_, raw)| *raw)
                .collect();
            if !new.is_empty() {
                let causes = [ErrorCause {
                    code: cause_code::RESTART_WITH_NEW_ADDRESSES,
                    info: new.concat(),
                }];
                self.reject_init(init.initiate_tag, &causes);
                return;
            }
        }
        let plan = match self.state {
            State::Closed => return,
            // Section 9.2: resend SHUTDOWN ACK instead.
            State::ShutdownAckSent => {
                self.send_shutdown_ack = true;
                return;
            }
            // Section 5.2.1: same tag and TSN as our INIT; no tie-tag in COOKIE-WAIT.
            State::CookieWait => InitAckPlan {
                local_vtag: self.local_vtag,
                local_initial_tsn: self.local_initial_tsn,
                tie_tag: 0,
            },
            State::CookieEchoed => InitAckPlan {
                local_vtag: self.local_vtag,
                local_initial_tsn: self.local_initial_tsn,
                tie_tag: self.tie_tag,
            },
            // Section 5.2.2: a new tag, the tie-tag standing for the current ones.
            _ => InitAckPlan {
                local_vtag: VerificationTag(self.rng.nonzero_u32()),
                local_initial_tsn: Tsn(self.rng.nonzero_u32()),
                tie_tag: self.tie_tag,
            },
        };
        let source = self.packet_source;
        let packet = encode_init_ack_packet(
            now,
            &self.cookie_key,
            &self.config,
            source,
            self.local_port,
            &peer,
            plan,
            self.a_rwnd(),
            &self.local_addresses,
        );
        self.standalone.push_back((Some(source), packet));
    }

    /// Answers an INIT with ABORT (tag: the INIT's Initiate Tag, T bit clear).
    fn reject_init(&mut self, initiate_tag: VerificationTag, causes: &[ErrorCause]) {
        let packet = encode_abort_packet(
            self.local_port,
            self.peer_port(),
            initiate_tag,
            false,
            causes,
        );
        self.standalone
            .push_back((Some(self.packet_source), packet));
    }

    /// A COOKIE ECHO for this association: the table of section 5.2.4.
    pub(super) fn on_cookie_echo(&mut self, now: Instant, cookie: &[u8]) -> bool {
        let c = match self.cookie_key.open(cookie, now) {
            Ok(c) => c,
            Err(CookieError::Invalid) => return false,
            Err(CookieError::Stale { staleness_us }) => {
                // Section 5.2.6 / 5.1.5 step 3.
                let mut info = staleness_us.to_be_bytes().to_vec();
                info.truncate(4);
                self.control.push_back(encode_error_chunk(&[ErrorCause {
                    code: cause_code::STALE_COOKIE,
                    info,
                }]));
                return false;
            }
        };
        if self.path_index(c.peer).is_none() || c.local_port != self.local_port {
            return false;
        }
        let local_match = c.local_vtag == self.local_vtag;
        let peer_match = c.peer_vtag == self.peer_vtag;
        let tie_match = c.tie_tag != 0 && c.tie_tag == self.tie_tag;
        match (local_match, peer_match) {
            // (A) The peer restarted.
            (false, false) if tie_match => {
                if matches!(self.state, State::ShutdownAckSent) {
                    // Section 5.2.4 A: resend SHUTDOWN ACK with an ERROR.
                    self.send_shutdown_ack = true;
                    self.control.push_back(encode_error_chunk(&[ErrorCause {
                        code: cause_code::COOKIE_WHILE_SHUTTING_DOWN,
                        info: Vec::new(),
                    }]));
                    return true;
                }
                self.restart(now, &c);
                true
            }
            // (B) Set-up collision: keep our tag, take the peer's.
            (true, false) => {
                self.adopt_cookie(now, &c);
                true
            }
            // (D) Both tags match: a duplicate or crossing COOKIE ECHO.
            (true, true) => {
                if !self.state.is_established_or_later() {
                    self.adopt_cookie(now, &c);
                } else {
                    self.send_cookie_ack = true;
                }
                true
            }
            // (C) and anything else: silently discard.
            _ => false,
        }
    }

    /// Section 5.2.4 A: the peer restarted. In-flight data is lost and
    /// reported; queued messages are kept for the new incarnation.
    fn restart(&mut self, now: Instant, c: &CookieContents) {
        let lost: Vec<_> = self.rtx.drain().collect();
        for s in lost {
            if s.flags.beginning && s.flags.ending {
                self.events.push_back(Event::SendFailed {
                    message: super::Message {
                        stream_id: s.stream_id,
                        ppid: s.ppid,
                        unordered: s.flags.unordered,
                        payload: s.payload,
                    },
                    context: s.context,
                    sent: true,
                });
            }
        }
        self.timers.stop_all();
        self.sack_due = SackDue::No;
        for p in &mut self.paths {
            p.rto = super::rto::RtoEstimator::new(&self.config);
            p.error_count = 0;
            p.probe = None;
        }
        self.local_initial_tsn = c.local_initial_tsn;
        self.rtx = super::RetransmitQueue::new(c.local_initial_tsn);
        self.undelivered_bytes = self
            .events
            .iter()
            .map(|e| match e {
                Event::Message(m, _) => m.payload.len(),
                _ => 0,
            })
            .sum();
        self.state = State::Established;
        self.adopt_cookie(now, c);
        self.events.push_back(Event::PeerRestarted);
    }

    /// Encodes an ABORT packet to the peer.
    pub(super) fn encode_abort(
        &self,
        vtag: VerificationTag,
        t_bit: bool,
        causes: &[ErrorCause],
    ) -> Vec<u8> {
        encode_abort_packet(self.local_port, self.peer_port(), vtag, t_bit, causes)
    }
}

/// The addresses among the INIT parameters a state cookie carries.
fn cookie_addresses(params: &[u8]) -> impl Iterator<Item = IpAddr> + '_ {
    crate::wire::TlvIter::new(params)
        .filter_map(Result::ok)
        .filter_map(|t| match Param::parse(&t) {
            Ok(Param::Ipv4Address(a)) => Some(IpAddr::V4(a.0)),
            Ok(Param::Ipv6Address(a)) => Some(IpAddr::V6(a.0)),
            _ => None,
        })
}
