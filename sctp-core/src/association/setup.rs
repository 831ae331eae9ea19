//! Association set-up: INIT, INIT ACK, COOKIE ECHO, COOKIE ACK (RFC 9260
//! section 5.1), and the collision and restart cases of section 5.2.

use std::net::SocketAddr;
use std::time::Instant;

use super::{Association, ErrorCause, Event, SackDue, State};
use crate::handshake::auth::KeyVector;
use crate::handshake::cookie::{CookieContents, CookieError};
use crate::handshake::init::{PeerExtensions, extension_params};
use crate::handshake::{
    InitAckPlan, InitProblem, PeerInit, address_params, cookie_addresses, encode_abort_packet,
    encode_chunk, encode_error_chunk, encode_init_ack_packet, encode_packet_of,
};
use crate::wire::Chunk;
use crate::wire::List;
use crate::wire::cause::{
    CookieReceivedWhileShuttingDown, MissingMandatoryParameter, RestartWithNewAddresses,
    StaleCookie, UnrecognizedParameters,
};
use crate::wire::chunk::{CookieEcho, Init, InitAck};
use crate::wire::param::{CookiePreservative, Param, StateCookie};
use crate::wire::tlv::TlvValue;
use crate::{Tsn, VerificationTag};

impl Association {
    /// Our INIT chunk (section 5.1 A); a Cookie Preservative after a stale cookie (5.2.6).
    pub(super) fn encode_init(&self, preservative_ms: Option<u32>) -> Vec<u8> {
        let mut params = address_params(&self.local_addresses, (true, true));
        if let Some(ms) = preservative_ms {
            params.push(Param::CookiePreservative(CookiePreservative {
                suggested_lifespan_increment_ms: ms,
            }));
        }
        let extensions = extension_params(&self.config, self.local_key.as_ref());
        params.extend(crate::wire::param::parse_all(&extensions).unwrap_or_default());
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
        if let Some(init) = &self.setup.init_chunk {
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
                return self.refuse_init_ack(ack.initiate_tag, causes);
            }
        };
        let Some(cookie) = peer.state_cookie else {
            // A mandatory parameter is missing (section 3.3.3): abort.
            let causes = vec![ErrorCause::of(MissingMandatoryParameter {
                missing_types: List::Items(&[StateCookie::TYPE]),
            })];
            return self.refuse_init_ack(ack.initiate_tag, causes);
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
        self.negotiate(
            &PeerExtensions::from_params(raw_params),
            None,
            peer.initial_tsn,
        );
        self.tracker = super::TsnTracker::new(peer.initial_tsn);
        self.restart_reassembly(peer.initial_tsn);
        self.timers.stop(super::Timer::T1Init);
        self.setup.retransmits = 0;
        if !peer.unrecognized.is_empty() {
            // Section 3.2.1: report unrecognized parameters of an INIT ACK in an ERROR.
            let causes: Vec<ErrorCause> = peer
                .unrecognized
                .iter()
                .map(|p| ErrorCause::of(UnrecognizedParameters { params: p }))
                .collect();
            self.control.push_back(encode_error_chunk(&causes));
        }
        self.setup.cookie_echo = Some(encode_chunk(&Chunk::CookieEcho(CookieEcho { cookie })));
        self.set_state(State::CookieEchoed);
        self.setup.send_cookie_echo = true;
        self.setup.cookie_sent_at = None;
        self.timers
            .set(super::Timer::T1Cookie, now + self.dp().rto.rto());
    }

    /// Aborts set-up over an unusable INIT ACK: the ABORT carries the INIT
    /// ACK's Initiate Tag (section 5.1), the association closes.
    fn refuse_init_ack(&mut self, initiate_tag: VerificationTag, causes: Vec<ErrorCause>) {
        let packet = encode_abort_packet(
            self.local_port,
            self.peer_port(),
            initiate_tag,
            false,
            &causes,
        );
        self.standalone.push_back((None, packet));
        self.close(super::CloseReason::LocalAbort(causes));
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
        if let Some(sent) = self.setup.cookie_sent_at.take() {
            // The COOKIE ECHO went once: a clean first RTT sample.
            self.dp_mut()
                .rto
                .on_measurement(now.saturating_duration_since(sent));
        }
        self.setup.cookie_echo = None;
        self.setup.init_chunk = None;
        self.setup.retransmits = 0;
        self.set_state(State::Established);
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
        let local_key =
            (!cookie.local_params.is_empty()).then(|| KeyVector::from_bytes(&cookie.local_params));
        if self.local_initial_tsn != cookie.local_initial_tsn {
            self.local_initial_tsn = cookie.local_initial_tsn;
            self.rtx = super::RetransmitQueue::new(cookie.local_initial_tsn);
        }
        // After the Initial TSN: ASCONF serial numbers and RE-CONFIG
        // request sequence numbers start from it (RFC 5061 section 4.1,
        // RFC 6525 section 5.1.1).
        self.negotiate(
            &PeerExtensions::from_params(&cookie.peer_params),
            local_key,
            cookie.peer_initial_tsn,
        );
        self.tracker = super::TsnTracker::new(cookie.peer_initial_tsn);
        self.restart_reassembly(cookie.peer_initial_tsn);
        self.timers.stop(super::Timer::T1Init);
        self.timers.stop(super::Timer::T1Cookie);
        self.setup.init_chunk = None;
        self.setup.cookie_echo = None;
        self.setup.retransmits = 0;
        self.setup.send_cookie_ack = true;
        if !self.state.is_established_or_later() {
            self.set_state(State::Established);
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
                let new_addresses = new.concat();
                let causes = [ErrorCause::of(RestartWithNewAddresses {
                    new_addresses: &new_addresses,
                })];
                self.reject_init(init.initiate_tag, &causes);
                return;
            }
        }
        let plan = match self.state {
            State::Closed => return,
            // Section 9.2: resend SHUTDOWN ACK instead.
            State::ShutdownAckSent => {
                self.shutdown.send_shutdown_ack = true;
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
            self.local_key.as_ref(),
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
                self.control
                    .push_back(encode_error_chunk(&[ErrorCause::of(StaleCookie {
                        staleness_us,
                    })]));
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
                    self.shutdown.send_shutdown_ack = true;
                    self.control.push_back(encode_error_chunk(&[ErrorCause::of(
                        CookieReceivedWhileShuttingDown,
                    )]));
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
                    self.setup.send_cookie_ack = true;
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
        self.set_state(State::Established);
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
