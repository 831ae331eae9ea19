//! Processing of received packets: verification tags (RFC 9260 section
//! 8.5), then each chunk in order.

use std::net::SocketAddr;
use std::time::Instant;

use super::tsn_tracker::Received;
use super::{Association, CloseReason, ErrorCause, Event, RecvInfo, SackDue, State, Timer};
use crate::handshake::auth::AUTH_CHUNK;
use crate::handshake::init::{ASCONF, ASCONF_ACK};
use crate::handshake::{encode_error_chunk, encode_packet, init_params_bytes};
use crate::wire::cause::{
    InvalidStreamIdentifier, NoUserData, OutOfResource, ProtocolViolation, UnrecognizedChunkType,
};
use crate::wire::chunk::{
    Data, DataFlags, Heartbeat, HeartbeatAck, IData, Sack, Shutdown, ShutdownComplete,
};
use crate::wire::{Chunk, ChunkValue, List, Packet, RawChunk, UnrecognizedAction};
use crate::{Tsn, VerificationTag};

/// A DATA or an I-DATA chunk.
#[derive(Clone, Copy)]
enum UserData<'c, 'a> {
    Data(&'c Data<'a>),
    IData(&'c IData<'a>),
}

impl<'a> UserData<'_, 'a> {
    /// TSN, stream, flags and payload, which both carry.
    fn fields(&self) -> (Tsn, u16, DataFlags, &'a [u8]) {
        match self {
            Self::Data(d) => (d.tsn, d.stream_id, d.flags, d.payload),
            Self::IData(d) => (d.tsn, d.stream_id, d.flags, d.payload),
        }
    }
}

/// Largest distance beyond the cumulative TSN that is tracked: gap-ack block
/// offsets are 16 bits (RFC 9260 section 3.3.4).
const MAX_TSN_OFFSET: u32 = u16::MAX as u32;

impl Association {
    /// Processes one packet routed to this association as if it came from
    /// the peer's primary address; see [`Association::handle_packet_from`].
    pub fn handle_packet(&mut self, now: Instant, packet: &[u8]) {
        self.handle_packet_from(now, self.remote(), packet);
    }

    /// Processes one packet routed to this association, from the peer's
    /// address `source` (IP and SCTP port). The endpoint has verified its
    /// checksum; this applies the verification-tag rules and handles each
    /// chunk. Malformed chunks end processing of the packet (the chunks
    /// before them count). Replies (SACK, HEARTBEAT ACK) go back to
    /// `source` (RFC 9260 section 6.4).
    pub fn handle_packet_from(&mut self, now: Instant, source: SocketAddr, packet: &[u8]) {
        self.packet_source = source;
        // A closed association has no TCB left (RFC 9260 section 9.1): what
        // still arrives for it is the endpoint's business once it is forgotten.
        if self.state == State::Closed {
            return;
        }
        let Ok(p) = Packet::new_checked(packet) else {
            return;
        };
        let vtag = p.verification_tag();
        let Some(Ok(first)) = p.chunks().next() else {
            return;
        };
        if !self.packet_tag_ok(vtag, &first) {
            return;
        }
        self.stats.packets_received += 1;
        let mut saw_data = false;
        let gaps_before = self.tracker.has_gaps();
        // Whether an AUTH chunk before the current one verified (RFC 4895 section 6.3).
        let mut authenticated = false;
        for raw in p.chunks() {
            let Ok(raw) = raw else { break };
            if raw.chunk_type == AUTH_CHUNK && self.is_authenticated() {
                self.stats.control_chunks_received += 1;
                // A failed AUTH discards itself and everything after it.
                if !self.check_auth(packet, raw.offset) {
                    break;
                }
                authenticated = true;
                continue;
            }
            // Chunks that must be authenticated count only after a valid
            // AUTH (RFC 4895 section 6.3): ours are ASCONF and ASCONF-ACK.
            if !authenticated
                && matches!(raw.chunk_type, ASCONF | ASCONF_ACK)
                && self.supports_asconf()
            {
                continue;
            }
            // A malformed chunk: stop here, keep what came before it.
            let Ok(chunk) = raw.parse() else { break };
            if let Some(flags) = match &chunk {
                Chunk::Data(d) => Some(d.flags),
                Chunk::IData(d) => Some(d.flags),
                _ => None,
            } {
                self.stats.data_chunks_received += 1;
                self.stats.unordered_data_chunks_received += u64::from(flags.unordered);
            } else {
                self.stats.control_chunks_received += 1;
            }
            if !self.handle_chunk(now, vtag, &raw, &chunk, &mut saw_data) {
                break;
            }
            if self.state == State::Closed {
                break;
            }
        }
        if saw_data {
            // Section 6.4: the SACK goes where the DATA came from.
            self.sack_path = self.path_index(source);
            self.after_data_packet(now, gaps_before);
            self.maybe_perform_deferred_reset();
        }
    }

    /// Section 8.5 and 8.5.1: whether the packet's tag fits its first chunk.
    fn packet_tag_ok(&self, vtag: VerificationTag, first: &RawChunk<'_>) -> bool {
        match first.chunk_type {
            // A: INIT carries tag 0.
            t if t == crate::wire::chunk::Init::TYPE => vtag.0 == 0,
            // B, C: ABORT and SHUTDOWN COMPLETE: our tag, or the peer's with the T bit.
            t if t == crate::wire::chunk::Abort::TYPE || t == ShutdownComplete::TYPE => {
                if first.flags & 1 != 0 {
                    vtag == self.peer_vtag && self.peer_vtag.0 != 0
                } else {
                    vtag == self.local_vtag
                }
            }
            // D: a COOKIE ECHO is judged by the tags inside its cookie (section 5.2.4).
            t if t == crate::wire::chunk::CookieEcho::TYPE => true,
            _ => vtag == self.local_vtag,
        }
    }

    /// Handles one chunk; returns false to stop processing the packet.
    fn handle_chunk(
        &mut self,
        now: Instant,
        vtag: VerificationTag,
        raw: &RawChunk<'_>,
        chunk: &Chunk<'_>,
        saw_data: &mut bool,
    ) -> bool {
        match chunk {
            Chunk::Data(d) => {
                *saw_data = true;
                return self.on_data(now, UserData::Data(d));
            }
            Chunk::IData(d) => {
                *saw_data = true;
                return self.on_data(now, UserData::IData(d));
            }
            Chunk::IForwardTsn(f)
                if self.negotiated.interleaving && self.negotiated.partial_reliability =>
            {
                *saw_data = true;
                self.on_i_forward_tsn(f);
            }
            Chunk::Sack(s) => {
                self.stats.sacks_received += 1;
                self.stats.gap_ack_blocks_received += s.gap_ack_blocks.len() as u64;
                self.on_sack(now, s);
            }
            Chunk::Init(init) => {
                // Section 6.10: INIT must be the only chunk; the tag was checked as 0.
                self.on_init(now, init, init_params_bytes(raw.value));
                return false;
            }
            Chunk::InitAck(ack) => {
                self.on_init_ack(now, ack, init_params_bytes(raw.value));
                return false;
            }
            Chunk::CookieEcho(ce) => {
                if !self.on_cookie_echo(now, ce.cookie) {
                    return false;
                }
                // Chunks bundled after COOKIE ECHO must carry the tag from the cookie.
                return vtag == self.local_vtag;
            }
            Chunk::CookieAck(_) => self.on_cookie_ack(now),
            Chunk::Heartbeat(Heartbeat { info }) => {
                // Section 8.3: echo the Heartbeat Info back unchanged, to
                // the address the HEARTBEAT came from, alone in its packet.
                if self.state != State::Closed {
                    let packet = encode_packet(
                        self.local_port,
                        self.peer_port(),
                        self.peer_vtag,
                        &[Chunk::HeartbeatAck(HeartbeatAck { info })],
                    );
                    self.standalone
                        .push_back((Some(self.packet_source), packet));
                }
            }
            Chunk::HeartbeatAck(HeartbeatAck { info }) => self.on_heartbeat_ack(now, info),
            Chunk::Abort(a) => {
                let causes: Vec<ErrorCause> = a.causes.iter().map(ErrorCause::from_wire).collect();
                // Section 9.1: no reply; the association is gone.
                self.enter_closed();
                self.events
                    .push_back(Event::Closed(CloseReason::PeerAborted(causes.clone())));
                self.close_reason = Some(CloseReason::PeerAborted(causes));
                return false;
            }
            Chunk::Shutdown(Shutdown { cumulative_tsn_ack }) => {
                self.on_shutdown(now, *cumulative_tsn_ack)
            }
            Chunk::ShutdownAck(_) => self.on_shutdown_ack(vtag),
            Chunk::ShutdownComplete(_) => {
                if self.state == State::ShutdownAckSent {
                    self.enter_closed();
                    self.events.push_back(Event::ShutdownComplete);
                    return false;
                }
            }
            Chunk::Error(e) => self.on_error(now, e),
            Chunk::Asconf(a) if self.supports_asconf() => {
                self.on_asconf(now, a, self.packet_source)
            }
            Chunk::AsconfAck(a) if self.supports_asconf() => self.on_asconf_ack(now, a),
            Chunk::ReConfig(r) if self.negotiated.reconfig => self.on_reconfig(r),
            // With I-DATA, I-FORWARD TSN replaces FORWARD TSN (RFC 8260
            // section 2.3); the other one is treated as not negotiated.
            Chunk::ForwardTsn(f)
                if self.negotiated.partial_reliability && !self.negotiated.interleaving =>
            {
                // RFC 3758 section 3.6: answered by a SACK, to where it came from.
                *saw_data = true;
                self.on_forward_tsn(f);
            }
            Chunk::Unknown(_) => {
                // Section 3.2: the two high bits of the type say what to do.
                let action = raw.unrecognized_action();
                if action.reports() {
                    let mut bytes = Vec::with_capacity(raw.length());
                    bytes.extend_from_slice(&[raw.chunk_type, raw.flags]);
                    bytes.extend_from_slice(&(raw.length() as u16).to_be_bytes());
                    bytes.extend_from_slice(raw.value);
                    self.control.push_back(encode_error_chunk(&[ErrorCause::of(
                        UnrecognizedChunkType { chunk: &bytes },
                    )]));
                }
                return !action.stops();
            }
            // Extensions we did not negotiate: the peer must not send them.
            // Treat as unrecognized chunks with their own action bits.
            _ => {
                let action = UnrecognizedAction::of_chunk_type(raw.chunk_type);
                return !action.stops();
            }
        }
        true
    }

    /// DATA or I-DATA (RFC 9260 section 6.2, RFC 8260 section 2.1):
    /// record the TSN, reassemble, deliver. Once I-DATA is negotiated a
    /// DATA chunk is a protocol violation, and an I-DATA chunk otherwise
    /// (RFC 8260 section 2.2).
    fn on_data(&mut self, now: Instant, d: UserData<'_, '_>) -> bool {
        if !self.state.accepts_data() {
            return true;
        }
        let (tsn, stream_id, flags, payload) = d.fields();
        if matches!(d, UserData::Data(_)) == self.negotiated.interleaving {
            let info: &[u8] = if self.negotiated.interleaving {
                b"DATA chunk received after I-DATA was negotiated"
            } else {
                b"I-DATA chunk received without I-DATA negotiated"
            };
            self.abort(vec![ErrorCause::of(ProtocolViolation { info })]);
            return false;
        }
        if payload.is_empty() {
            // Section 6.2: an empty DATA chunk aborts with No User Data.
            self.abort(vec![ErrorCause::of(NoUserData { tsn })]);
            return false;
        }
        // Section 6.2: with no window left, a chunk beyond the highest TSN
        // received is dropped (a zero window probe, say); the SACK that
        // follows tells the sender the window is still closed.
        // Partial delivery relieves a closed window (RFC 9260 section 6.9):
        // once per closing, every message that may go next is handed up
        // whatever its size; and while it stays closed, so is the message
        // each arriving chunk belongs to (a full scan per chunk would let a
        // peer make every packet cost the whole buffer).
        let closed = self.a_rwnd() == 0;
        if !closed {
            self.relieved = false;
        } else if !self.relieved {
            self.relieved = true;
            self.relieve_reassembly();
        }
        if self.a_rwnd() == 0 {
            let highest = self.tracker.highest_received();
            if tsn.is_after(highest) {
                self.sack_due = SackDue::Now;
                return true;
            }
            // A new chunk below it instead takes the place of the highest
            // chunk held for reassembly (a SHOULD): the window stays closed,
            // yet holes can still be filled. Delivered or completed messages
            // are never reneged on.
            if !self.tracker.contains(tsn) {
                if self.reassembly.drop_fragment(highest) {
                    self.tracker.forget_highest();
                    self.sack_due = SackDue::Now;
                } else if self.held_bytes() >= 2 * self.config.receive_window as usize {
                    // Nothing held can make room (the highest chunk went up
                    // as a piece, say, or it is I-DATA). A hole can still be
                    // filled while we hold less than twice the window (a
                    // sender that keeps to our window never needs more; with
                    // I-DATA a lost first fragment must get in, or its
                    // message never starts its pieces); beyond that the
                    // chunk is dropped, so a peer that ignores the window
                    // cannot pile up data. The window reopens as the user
                    // reads.
                    self.sack_due = SackDue::Now;
                    return true;
                }
            }
        }
        let above_next = tsn.is_after(self.tracker.cumulative_tsn().next());
        match self.tracker.receive(tsn, MAX_TSN_OFFSET) {
            Received::Duplicate => {
                // Section 6.2: duplicates are reported at once.
                self.stats.duplicate_tsns_received += 1;
                self.sack_due = SackDue::Now;
                return true;
            }
            Received::OutOfWindow => {
                self.sack_due = SackDue::Now;
                return true;
            }
            Received::New => self.stats.out_of_order_tsns_received += u64::from(above_next),
        }
        if flags.immediate {
            self.sack_due = SackDue::Now;
        }
        if stream_id >= self.inbound_streams {
            // Section 6.5: ERROR with Invalid Stream Identifier; the TSN stays acknowledged.
            self.control.push_back(encode_error_chunk(&[ErrorCause::of(
                InvalidStreamIdentifier { stream_id },
            )]));
            self.sack_due = SackDue::Now;
            return true;
        }
        let point = self
            .partial_delivery_point()
            .map(|p| if closed { 1 } else { p });
        match d {
            UserData::Data(d) => {
                // A buffer kept across chunks: no allocation per message.
                let mut delivered = std::mem::take(&mut self.delivered);
                self.reassembly.receive(d, point, &mut delivered);
                self.push_delivered(&mut delivered);
                self.delivered = delivered;
            }
            UserData::IData(d) => {
                if let Some(m) = self.interleaved.receive_whole(d, point) {
                    // The common case, without a round trip through a queue.
                    let ssn = crate::Ssn(m.mid.0 as u16);
                    self.push_message(m.message, ssn, m.mid, m.last_tsn, true);
                    return true;
                }
                let mut delivered = std::mem::take(&mut self.delivered_interleaved);
                let r = self.interleaved.receive(d, point, &mut delivered);
                self.push_interleaved(&mut delivered);
                self.delivered_interleaved = delivered;
                if let Err(e) = r
                    && e.message_dropped()
                {
                    // The peer broke a message's fragments (RFC 8260 section 2.1).
                    let info = e.to_string();
                    self.abort(vec![ErrorCause::of(ProtocolViolation {
                        info: info.as_bytes(),
                    })]);
                    return false;
                }
            }
        }
        if self.reassembly.buffered_bytes() + self.interleaved.buffered_bytes()
            > self.config.max_reassembly_bytes
        {
            // The peer ignores our window: protect memory.
            self.abort(vec![ErrorCause::of(OutOfResource)]);
            return false;
        }
        let _ = now;
        true
    }

    /// The partial delivery point in use: the configured one, but never
    /// more than half the receive window, so a message can start its pieces
    /// before it fills the window (RFC 6458 section 8.1.21 lets the stack
    /// bound it by its buffer).
    #[inline]
    pub(super) fn partial_delivery_point(&self) -> Option<usize> {
        let half_window = (self.config.receive_window as usize / 2).max(1);
        self.config
            .partial_delivery_point
            .map(|p| p.min(half_window))
    }

    /// With the receive window closed by what reassembly holds, messages
    /// that may be delivered next are handed up in pieces whatever their
    /// size (partial delivery, RFC 9260 section 6.9), so it opens again.
    fn relieve_reassembly(&mut self) {
        if self.config.partial_delivery_point.is_none() {
            return;
        }
        let mut delivered = std::collections::VecDeque::new();
        self.reassembly.relieve(&mut delivered);
        self.push_delivered(&mut delivered);
        let mut delivered = std::collections::VecDeque::new();
        self.interleaved.relieve(&mut delivered);
        self.push_interleaved(&mut delivered);
    }

    /// Starts reassembly over for a peer whose next TSN is `initial_tsn`
    /// (set-up, restart, association reset); partial deliveries going are
    /// reported cut short.
    pub(super) fn restart_reassembly(&mut self, initial_tsn: Tsn) {
        self.reassembly.restart(initial_tsn);
        self.interleaved.restart();
        self.push_delivered(&mut Default::default());
        self.push_interleaved(&mut Default::default());
    }

    /// Hands messages (and pieces of them) to the user as events (they
    /// count against our window until read), after reporting any partial
    /// delivery cut short.
    pub(super) fn push_delivered(
        &mut self,
        delivered: &mut std::collections::VecDeque<super::reassembly::Delivered>,
    ) {
        for a in self.reassembly.take_aborted() {
            self.events.push_back(Event::PartialDeliveryAborted {
                stream_id: a.stream_id,
                unordered: a.unordered,
                mid: crate::Mid(u32::from(a.ssn.0)),
            });
        }
        for m in delivered.drain(..) {
            let mid = crate::Mid(u32::from(m.ssn.0));
            self.push_message(m.message, m.ssn, mid, m.last_tsn, m.end_of_record);
        }
    }

    /// As [`Association::push_delivered`], for messages reassembled from I-DATA.
    pub(super) fn push_interleaved(
        &mut self,
        delivered: &mut std::collections::VecDeque<super::interleaved::Delivered>,
    ) {
        for k in self.interleaved.take_aborted() {
            self.events.push_back(Event::PartialDeliveryAborted {
                stream_id: k.stream_id,
                unordered: k.unordered,
                mid: k.mid,
            });
        }
        for m in delivered.drain(..) {
            let ssn = crate::Ssn(m.mid.0 as u16);
            self.push_message(m.message, ssn, m.mid, m.last_tsn, m.end_of_record);
        }
    }

    fn push_message(
        &mut self,
        message: super::Message,
        ssn: crate::Ssn,
        mid: crate::Mid,
        tsn: Tsn,
        end_of_record: bool,
    ) {
        self.undelivered_bytes += message.payload.len();
        let info = RecvInfo {
            ssn,
            mid,
            tsn,
            cumulative_tsn: self.tracker.cumulative_tsn(),
            end_of_record,
        };
        self.events.push_back(Event::Message(message, info));
    }

    /// Section 6.2: SACK every second DATA packet (every `sack_frequency`,
    /// RFC 6458 SCTP_DELAYED_SACK), at once on gaps, else after
    /// the delay. Section 6.7 asks for a SACK after each packet that does not
    /// fill the gaps; the packet that fills the last one is answered at once
    /// too (as TCP does, RFC 5681 section 4.2): after a retransmission the
    /// sender's window is small, and a delayed SACK would stall it.
    fn after_data_packet(&mut self, now: Instant, gaps_before: bool) {
        self.data_packets_unacked += 1;
        if self.tracker.has_gaps()
            || gaps_before
            || self.data_packets_unacked >= self.config.sack_frequency
        {
            self.sack_due = SackDue::Now;
        }
        if self.state == State::ShutdownSent {
            // Section 9.2: answer each DATA packet in SHUTDOWN-SENT with SHUTDOWN.
            self.shutdown.send_shutdown = true;
            self.sack_due = SackDue::Now;
            self.timers
                .set(Timer::T2Shutdown, now + self.dp().rto.rto());
        }
        if self.sack_due < SackDue::Delayed {
            self.sack_due = SackDue::Delayed;
        }
        if self.sack_due == SackDue::Delayed && !self.timers.is_armed(Timer::DelayedSack) {
            self.timers
                .set(Timer::DelayedSack, now + self.config.delayed_ack_time);
        }
    }

    /// SACK (section 6.2.1) and its consequences for RTO, cwnd and timers.
    fn on_sack(&mut self, now: Instant, sack: &Sack<'_>) {
        if !self.state.is_established_or_later() {
            return;
        }
        let flight_before = self.rtx.flight_size();
        let buffered_before = self.buffered_amount();
        let out = match self.rtx.on_sack(sack, now) {
            Ok(out) => out,
            Err(super::retransmit::SackError::AcksUnsentTsn(tsn)) => {
                let mut info = b"cumulative TSN ack ".to_vec();
                info.extend_from_slice(tsn.0.to_string().as_bytes());
                info.extend_from_slice(b" acknowledges a TSN that was never sent");
                self.abort(vec![ErrorCause::of(ProtocolViolation { info: &info })]);
                return;
            }
        };
        self.sack_since_t3 = true;
        if let Some((rtt, path)) = out.rtt
            && let Some(p) = self.paths.get_mut(usize::from(path))
        {
            p.rto.on_measurement(rtt);
            self.latest_rtt = Some(rtt);
        }
        if out.bytes_acked > 0 {
            // Section 8.1/8.2: an acknowledgement clears the association's
            // error counter and those of the paths the acknowledged data went on.
            self.error_count = 0;
            for i in 0..self.paths.len().min(32) {
                if out.acked_paths & (1 << i) != 0 {
                    self.clear_path_errors(i);
                }
            }
            self.probes_sent = 0;
        }
        // Section 7.2.4: the window rules for what was acknowledged come
        // first, then the reaction to what is lost.
        let in_fast_recovery = self.rtx.in_fast_recovery();
        self.dp_mut().cc.on_ack(
            out.bytes_acked,
            out.cum_advanced,
            flight_before,
            in_fast_recovery,
        );
        self.detect_losses(now, out.fast_retransmits, out.probe_repaired_loss);
        if out.all_acked {
            self.dp_mut().cc.on_all_acked();
            self.timers.stop(Timer::T3Rtx);
        } else if out.cum_advanced {
            // Section 6.3.2 R3: restart T3-rtx when the earliest outstanding
            // TSN is acknowledged, and only then.
            self.timers.set(Timer::T3Rtx, now + self.dp().rto.rto());
        }
        if out.bytes_acked > 0 || out.all_acked {
            self.arm_tail_loss_probe(now);
        }
        // Section 6.2.1: the peer's window less what is still in flight.
        self.peer_rwnd = (sack.a_rwnd as usize).saturating_sub(self.rtx.flight_size());
        self.open_burst_after_ack(out.bytes_acked);
        if buffered_before > 0 && self.buffered_amount() == 0 {
            // RFC 6458 section 6.1.9: everything sent is acknowledged.
            self.events.push_back(Event::SenderDry);
        }
        self.note_forward_tsn_owed();
        self.maybe_send_shutdown(now);
        self.maybe_send_shutdown_ack(now);
    }

    /// Section 9.2: SHUTDOWN received.
    fn on_shutdown(&mut self, now: Instant, cum: Tsn) {
        let sack = Sack {
            cumulative_tsn_ack: cum,
            a_rwnd: self.peer_rwnd as u32 + self.rtx.flight_size() as u32,
            gap_ack_blocks: List::EMPTY,
            duplicate_tsns: List::EMPTY,
        };
        match self.state {
            State::Established | State::ShutdownPending | State::ShutdownReceived => {
                if cum.is_after(self.rtx.cumulative_tsn_ack())
                    || cum == self.rtx.cumulative_tsn_ack()
                {
                    self.on_sack(now, &sack);
                }
                if self.state == State::Closed {
                    return;
                }
                if self.state != State::ShutdownReceived {
                    self.set_state(State::ShutdownReceived);
                    self.events.push_back(Event::ShutdownReceived);
                }
                self.maybe_send_shutdown_ack(now);
            }
            // A retransmitted SHUTDOWN: our SHUTDOWN ACK was lost (section 9.2).
            State::ShutdownAckSent => self.shutdown.send_shutdown_ack = true,
            State::ShutdownSent => {
                // Both sides shut down at once: answer with SHUTDOWN ACK.
                self.timers.stop(Timer::T2Shutdown);
                self.set_state(State::ShutdownAckSent);
                self.shutdown.send_shutdown_ack = true;
                self.shutdown.send_shutdown = false;
                self.timers
                    .set(Timer::T2Shutdown, now + self.dp().rto.rto());
            }
            _ => {}
        }
    }

    /// Section 9.2: SHUTDOWN ACK received.
    fn on_shutdown_ack(&mut self, vtag: VerificationTag) {
        match self.state {
            State::ShutdownSent | State::ShutdownAckSent => {
                let sc = Chunk::ShutdownComplete(ShutdownComplete { t_bit: false });
                let packet =
                    encode_packet(self.local_port, self.peer_port(), self.peer_vtag, &[sc]);
                self.enter_closed();
                self.standalone.push_back((None, packet));
                self.events.push_back(Event::ShutdownComplete);
            }
            // Section 8.5.1 E: in set-up, a SHUTDOWN ACK is out of the blue.
            State::CookieWait | State::CookieEchoed => {
                let sc = Chunk::ShutdownComplete(ShutdownComplete { t_bit: true });
                let packet = encode_packet(self.local_port, self.peer_port(), vtag, &[sc]);
                self.standalone
                    .push_back((Some(self.packet_source), packet));
            }
            _ => {}
        }
    }

    /// ERROR: a Stale Cookie in COOKIE-ECHOED restarts set-up (section
    /// 5.2.6); any other ERROR is reported to the user (section 10.2,
    /// RFC 6458 SCTP_REMOTE_ERROR).
    fn on_error(&mut self, now: Instant, e: &crate::wire::chunk::OperationError<'_>) {
        let acted_on = self.state == State::CookieEchoed
            && e.causes
                .iter()
                .any(|c| matches!(c, crate::wire::cause::Cause::StaleCookie(_)));
        if !acted_on {
            let causes = e.causes.iter().map(ErrorCause::from_wire).collect();
            self.events.push_back(Event::RemoteError(causes));
            return;
        }
        for c in &e.causes {
            if let crate::wire::cause::Cause::StaleCookie(s) = c {
                self.setup.retransmits += 1;
                if self.setup.retransmits > self.config.max_init_retransmits {
                    self.close(CloseReason::SetupTimedOut);
                    return;
                }
                // Ask for twice the staleness, in ms, as section 5.2.6 suggests.
                let ms = (s.staleness_us / 1000).saturating_mul(2).max(1);
                self.timers.stop(Timer::T1Cookie);
                self.setup.cookie_echo = None;
                self.set_state(State::CookieWait);
                self.setup.init_chunk = Some(self.encode_init(Some(ms)));
                self.queue_init(now);
                return;
            }
        }
    }

    /// Sends SHUTDOWN once everything is acknowledged (section 9.2).
    pub(super) fn maybe_send_shutdown(&mut self, now: Instant) {
        if self.state == State::ShutdownPending && self.send_queue.is_empty() && self.rtx.is_empty()
        {
            self.set_state(State::ShutdownSent);
            self.shutdown.send_shutdown = true;
            self.timers
                .set(Timer::T2Shutdown, now + self.dp().rto.rto());
            self.timers
                .set(Timer::T5ShutdownGuard, now + 5 * self.config.rto_max);
        }
    }

    /// Sends SHUTDOWN ACK once everything is acknowledged (section 9.2).
    pub(super) fn maybe_send_shutdown_ack(&mut self, now: Instant) {
        if self.state == State::ShutdownReceived
            && self.send_queue.is_empty()
            && self.rtx.is_empty()
        {
            self.set_state(State::ShutdownAckSent);
            self.shutdown.send_shutdown_ack = true;
            self.timers.stop(Timer::T3Rtx);
            self.timers
                .set(Timer::T2Shutdown, now + self.dp().rto.rto());
        }
    }
}
