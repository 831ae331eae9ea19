//! Building outgoing packets: control chunks first, then a SACK, then
//! retransmissions and new DATA as the congestion and receiver windows,
//! Max.Burst and Nagle allow (RFC 9260 sections 6.1, 6.2, 6.4 and 7.2).

use std::time::Instant;

use super::{Association, SackDue, State, Timer, Transmit};
use crate::wire::chunk::{Data, DataFlags, Heartbeat, IData, Sack, Shutdown, ShutdownAck};

/// The I bit of a DATA or I-DATA chunk's flags (RFC 7053 section 4.1).
const IMMEDIATE_BIT: u8 = DataFlags {
    immediate: true,
    unordered: false,
    beginning: false,
    ending: false,
}
.bits();
use crate::wire::{ChunkValue, List, Packet, PacketBuilder};

/// Bytes of a DATA chunk's header (chunk header plus TSN, SID, SSN, PPID);
/// an I-DATA chunk's is 4 more (RFC 8260 section 2.1).
const DATA_CHUNK_OVERHEAD: usize = 16;
const I_DATA_CHUNK_OVERHEAD: usize = 20;

/// A DATA or I-DATA chunk to write.
struct UserChunk<'p> {
    flags: DataFlags,
    tsn: crate::Tsn,
    stream_id: u16,
    mid: u32,
    fsn: u32,
    ppid: crate::Ppid,
    payload: &'p [u8],
}

impl UserChunk<'_> {
    /// Writes it as I-DATA when that was negotiated (RFC 8260 section
    /// 2.1: the first fragment carries the PPID, the others their FSN),
    /// else as DATA.
    fn push(
        &self,
        b: &mut PacketBuilder<'_>,
        interleaving: bool,
    ) -> Result<(), crate::wire::BufferTooSmall> {
        if interleaving {
            b.push_value(&IData {
                flags: self.flags,
                tsn: self.tsn,
                stream_id: self.stream_id,
                mid: crate::Mid(self.mid),
                ppid_or_fsn: if self.flags.beginning {
                    self.ppid.0
                } else {
                    self.fsn
                },
                payload: self.payload,
            })
        } else {
            b.push_value(&Data {
                flags: self.flags,
                tsn: self.tsn,
                stream_id: self.stream_id,
                ssn: crate::Ssn(self.mid as u16),
                ppid: self.ppid,
                payload: self.payload,
            })
        }
    }
}
/// Bytes of a SACK chunk without gap-ack blocks and duplicate TSNs.
const SACK_FIXED_LEN: usize = 16;

impl Association {
    /// Writes the next packet to send into `buf` (which should hold a full
    /// path MTU) and says where it goes; `None` when there is nothing to send.
    /// Call after every input or command until it returns `None`.
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Transmit> {
        let t = self.build_transmit(now, buf)?;
        self.stats.packets_sent += 1;
        Some(t)
    }

    fn build_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Transmit> {
        if let Some((to, p)) = self.standalone.pop_front() {
            let dst = buf.get_mut(..p.len())?;
            dst.copy_from_slice(&p);
            // Whole packets (INIT, INIT ACK, ABORT, SHUTDOWN COMPLETE) are
            // rare: count their chunks by walking the headers.
            if let Ok(packet) = Packet::new_checked(&p[..]) {
                self.stats.control_chunks_sent += packet.chunks().count() as u64;
            }
            return Some(Transmit {
                destination: to.unwrap_or(self.dp().remote),
                size: p.len(),
            });
        }
        if matches!(self.state, State::Closed | State::CookieWait) {
            return None;
        }
        // A chunk sent before the path MTU dropped cannot be re-fragmented
        // (RFC 9260 section 6.9): it is retransmitted in a packet as large as
        // it needs, which the IP layer then fragments.
        let mut mtu = self.sctp_mtu();
        if let Some(size) = self.rtx.next_retransmission_size()
            && self.can_send_data()
        {
            mtu = mtu.max(12 + self.data_chunk_overhead() + size);
        }
        let mtu = mtu.min(buf.len());
        let (local_port, remote_port, vtag) = (self.local_port, self.peer_port(), self.peer_vtag);
        let tx = self.tx_path();
        let mut b = PacketBuilder::new(&mut buf[..mtu], local_port, remote_port, vtag).ok()?;

        if self.state == State::CookieEchoed {
            // Section 5.1 D: COOKIE ECHO leads; nothing else goes until COOKIE ACK.
            if self.setup.send_cookie_echo
                && let Some(ce) = &self.setup.cookie_echo
                && b.push_encoded(ce).is_ok()
            {
                self.stats.control_chunks_sent += 1;
                self.setup.send_cookie_echo = false;
                if self.setup.retransmits == 0 {
                    self.setup.cookie_sent_at = Some(now);
                }
            }
            self.push_control(&mut b);
            return self.finish(now, b, tx, false);
        }

        // Partial reliability (RFC 3758) and stream reconfiguration (RFC
        // 6525) decide what goes before the packet is filled.
        self.abandon_due_retransmissions(now);
        while self.drop_expired_head(now) {}
        self.start_reconfig(now);
        self.send_queue.start_packet();
        if self.setup.send_cookie_ack && b.push_value(&crate::wire::chunk::CookieAck).is_ok() {
            self.stats.control_chunks_sent += 1;
            self.setup.send_cookie_ack = false;
        }
        self.push_control(&mut b);
        if self.shutdown.send_shutdown_ack && b.push_value(&ShutdownAck).is_ok() {
            self.stats.control_chunks_sent += 1;
            self.shutdown.send_shutdown_ack = false;
        }
        if self.shutdown.send_shutdown {
            // The SHUTDOWN carries our cumulative TSN ack (section 9.2).
            let shutdown = Shutdown {
                cumulative_tsn_ack: self.tracker.cumulative_tsn(),
            };
            if b.push_value(&shutdown).is_ok() {
                self.stats.control_chunks_sent += 1;
                self.shutdown.send_shutdown = false;
                if !self.tracker.has_gaps() && !self.tracker.has_duplicates() {
                    self.sack_due = SackDue::No;
                }
            }
        }

        let will_send_data = self.can_send_data();
        // Section 6.4: a SACK goes to where the DATA came from; when data
        // goes elsewhere, the SACK leaves in a packet of its own.
        let sack_elsewhere = self.sack_path.filter(|&p| p != tx && p < self.paths.len());
        if let Some(p) = sack_elsewhere
            && self.sack_due == SackDue::Now
        {
            self.push_sack(&mut b);
            return self.finish(now, b, p, false);
        }
        if self.sack_due == SackDue::Now
            || (self.sack_due == SackDue::Delayed && will_send_data && sack_elsewhere.is_none())
        {
            self.push_sack(&mut b);
        }
        // RFC 3758 section 3.5 C3: bundled before any DATA.
        self.push_forward_tsn(now, &mut b);
        let mut sent_data = false;
        if will_send_data {
            sent_data = self.push_data(now, &mut b, tx);
        }
        self.finish(now, b, tx, sent_data)
    }

    /// The path the next DATA goes on: retransmissions after a timeout to
    /// the alternate chosen then (RFC 9260 section 6.4.1), else the data path.
    fn tx_path(&self) -> usize {
        match self.rtx_path {
            Some(p) if self.rtx.has_retransmissions() && p < self.paths.len() => p,
            _ => self.data_path,
        }
    }

    /// Moves queued control chunks (HEARTBEAT ACK, ERROR, ...) into the packet while they fit.
    fn push_control(&mut self, b: &mut PacketBuilder<'_>) {
        while let Some(c) = self.control.front() {
            if b.push_encoded(c).is_err() {
                break;
            }
            self.stats.control_chunks_sent += 1;
            self.stats.heartbeats_sent += u64::from(c.first() == Some(&Heartbeat::TYPE));
            self.control.pop_front();
        }
    }

    fn finish(
        &mut self,
        now: Instant,
        b: PacketBuilder<'_>,
        path: usize,
        sent_data: bool,
    ) -> Option<Transmit> {
        if b.is_empty() {
            return None;
        }
        let size = b.finish();
        if sent_data {
            if !self.timers.is_armed(Timer::T3Rtx) {
                // Section 6.3.2 R1: T3-rtx runs while DATA is outstanding.
                self.timers
                    .set(Timer::T3Rtx, now + self.paths[path].rto.rto());
            }
            self.arm_tail_loss_probe(now);
        }
        Some(Transmit {
            destination: self.paths[path].remote,
            size,
        })
    }

    /// Whether a retransmission or new DATA chunk may go now.
    fn can_send_data(&self) -> bool {
        if !matches!(
            self.state,
            State::Established | State::ShutdownPending | State::ShutdownReceived
        ) {
            return false;
        }
        let flight = self.rtx.flight_size();
        let cwnd = self.paths[self.tx_path()].cc.cwnd;
        if self.rtx.has_retransmissions() && (self.fast_rtx_pending || flight < cwnd) {
            return true;
        }
        let Some(head) = self.send_queue.head_remaining() else {
            return false;
        };
        if self.probe_pending {
            // The tail loss probe checked the peer's window when it fired.
            return true;
        }
        if flight >= cwnd || flight >= self.burst_limit {
            return false;
        }
        // Section 6.1 A: respect the peer's window, but probe a zero window
        // with one chunk when nothing is in flight.
        if self.peer_rwnd < head.min(self.max_fragment()) && flight > 0 {
            return false;
        }
        if self.nagle_holds(flight) {
            return head >= self.max_fragment();
        }
        true
    }

    /// Nagle (section 6.1 / RFC 1122 style): hold a small tail while data is
    /// in flight. Not once the user has asked to shut down: no more data
    /// will join the tail, and holding it would wait for the peer's delayed
    /// SACK.
    fn nagle_holds(&self, flight: usize) -> bool {
        self.config.nagle
            && self.state == State::Established
            && flight > 0
            && self.send_queue.queued_bytes() < self.max_fragment()
    }

    /// Bytes of a DATA or I-DATA chunk's header, whichever is in use.
    fn data_chunk_overhead(&self) -> usize {
        if self.negotiated.interleaving {
            I_DATA_CHUNK_OVERHEAD
        } else {
            DATA_CHUNK_OVERHEAD
        }
    }

    /// The largest user-data fragment a packet holds.
    pub(super) fn max_fragment(&self) -> usize {
        self.sctp_mtu() - 12 - self.data_chunk_overhead()
    }

    /// Section 6.2: the SACK reports every gap the packet has room for (the
    /// sender decides loss from them), lowest first, then the duplicates that
    /// still fit.
    fn push_sack(&mut self, b: &mut PacketBuilder<'_>) {
        let room = b.remaining().saturating_sub(SACK_FIXED_LEN) / 4;
        self.tracker.gap_blocks(&mut self.scratch_gaps);
        self.scratch_gaps.truncate(room);
        self.tracker.take_duplicates(&mut self.scratch_dups);
        self.scratch_dups.truncate(room - self.scratch_gaps.len());
        let sack = Sack {
            cumulative_tsn_ack: self.tracker.cumulative_tsn(),
            a_rwnd: self.a_rwnd(),
            gap_ack_blocks: List::Items(&self.scratch_gaps),
            duplicate_tsns: List::Items(&self.scratch_dups),
        };
        if b.push_value(&sack).is_ok() {
            self.stats.sacks_sent += 1;
            self.stats.control_chunks_sent += 1;
            self.advertised_rwnd = sack.a_rwnd;
            self.sack_due = SackDue::No;
            self.data_packets_unacked = 0;
            self.timers.stop(Timer::DelayedSack);
        }
    }

    /// Retransmissions first (section 6.1 C), then new DATA; returns whether any DATA went.
    fn push_data(&mut self, now: Instant, b: &mut PacketBuilder<'_>, path: usize) -> bool {
        let mut sent = false;
        // Retransmissions: a fast retransmit ignores cwnd for one packet (section 7.2.4).
        let first_outstanding = self.rtx.cumulative_tsn_ack().next();
        let mut restart_t3 = false;
        let cwnd = self.paths[path].cc.cwnd;
        // At most MAX_PATHS paths: the index fits a byte.
        let path_id = path as u8;
        while self.fast_rtx_pending || self.rtx.flight_size() < cwnd {
            let Some(size) = self.rtx.next_retransmission_size() else {
                break;
            };
            if b.remaining() < self.data_chunk_overhead() + size {
                break;
            }
            let probe = self.rtx.probe_tsn();
            let Some(c) = self.rtx.next_retransmission(size, now, path_id) else {
                break;
            };
            // Section 7.2.4 step 4: retransmitting the earliest outstanding
            // TSN restarts T3-rtx. A tail loss probe does not: the timer
            // must still end a path that answers nothing.
            restart_t3 |= c.tsn == first_outstanding && probe != Some(c.tsn);
            let mut flags = c.flags;
            // A probe asks for its SACK at once (RFC 7053 section 4.1): the
            // point is to hear about the tail now.
            flags.immediate |= probe == Some(c.tsn);
            let chunk = UserChunk {
                flags,
                tsn: c.tsn,
                stream_id: c.stream_id,
                mid: c.mid,
                fsn: c.fsn,
                ppid: c.ppid,
                payload: &c.payload,
            };
            if chunk.push(b, self.negotiated.interleaving).is_err() {
                break;
            }
            self.stats.data_chunks_sent += 1;
            self.stats.unordered_data_chunks_sent += u64::from(flags.unordered);
            self.stats.retransmitted_chunks += 1;
            sent = true;
        }
        if restart_t3 {
            self.timers
                .set(Timer::T3Rtx, now + self.paths[path].rto.rto());
        }
        if !self.rtx.has_retransmissions() {
            self.rtx_path = None;
        }
        if sent {
            self.fast_rtx_pending = false;
            return true;
        }
        self.fast_rtx_pending = false;
        let max_frag = self.max_fragment();
        loop {
            let flight = self.rtx.flight_size();
            // A tail loss probe sends one packet whatever the windows say (RFC 8985 section 7.3).
            let probing = self.probe_pending && !sent;
            if (flight >= cwnd || flight >= self.burst_limit) && !probing {
                break;
            }
            let Some(head) = self.send_queue.head_remaining() else {
                break;
            };
            let n = head.min(max_frag);
            // Section 6.1 A: no new chunk larger than the peer's window, except
            // one in flight at a time (the zero window probe).
            if self.peer_rwnd < n && flight > 0 {
                break;
            }
            if b.remaining() < self.data_chunk_overhead() + n {
                break;
            }
            if self.nagle_holds(flight) && !sent && !probing {
                break;
            }
            if self.drop_expired_head(now) {
                continue;
            }
            let Some(mut frag) = self.send_queue.take(n) else {
                break;
            };
            // RFC 7053 section 4.1: the last DATA before a pause (nothing
            // else queued, SHUTDOWN next) asks for an immediate SACK, so
            // the sender does not wait for a delayed one.
            let mut bits = frag.flag_bits;
            let ending = DataFlags::from_bits(bits).ending;
            if (ending
                && self.send_queue.is_empty()
                && (self.config.sack_immediately_on_drain || self.state == State::ShutdownPending))
                || probing
            {
                bits |= IMMEDIATE_BIT;
                frag.flag_bits = bits;
            }
            let len = frag.payload.len();
            let tsn = self.rtx.next_tsn();
            let flags = DataFlags::from_bits(bits);
            let chunk = UserChunk {
                flags,
                tsn,
                stream_id: frag.stream_id,
                mid: frag.mid,
                fsn: frag.fsn,
                ppid: frag.ppid,
                payload: &frag.payload,
            };
            let pushed = chunk.push(b, self.negotiated.interleaving);
            debug_assert!(pushed.is_ok(), "room was checked");
            self.stats.data_chunks_sent += 1;
            self.stats.unordered_data_chunks_sent += u64::from(flags.unordered);
            self.peer_rwnd = self.peer_rwnd.saturating_sub(len);
            self.rtx.push(frag, now, path_id);
            sent = true;
        }
        if sent {
            self.probe_pending = false;
        }
        sent
    }
}
