//! A Reno reference flow: a bulk TCP-like sender with NewReno loss recovery
//! and a cumulative-ACK receiver, small enough to read in one sitting. It is
//! the yardstick of congestion fairness: a flow of ours sharing a bottleneck
//! with it must not take more than its share.
//!
//! Sender: slow start and congestion avoidance with byte counting (RFC 5681
//! section 3.1, RFC 3465 with L = 1 segment), fast retransmit after three
//! duplicate ACKs and NewReno fast recovery (RFC 6582), retransmission
//! timeout per RFC 6298 (RTO.Min 1 s, Karn's rule, back-off) with go-back-N.
//! Receiver: an ACK every second segment or after 200 ms, at once for a
//! segment out of order or one that fills a hole (RFC 5681 section 4.2).
//!
//! Segments are sequence numbers, not bytes; every segment carries
//! [`RENO_MSS`] bytes of payload in a [`RENO_PACKET`]-byte packet, the size
//! of a full SCTP packet on a 1,500-byte path, so both compete byte for byte.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::host::Host;

/// Payload bytes of one segment.
pub const RENO_MSS: usize = 1452;
/// Bytes of one data packet on the simulated wire.
pub const RENO_PACKET: usize = 1480;
/// Bytes of one ACK packet.
const ACK_PACKET: usize = 28;
const KIND_DATA: u8 = 1;
const KIND_ACK: u8 = 2;
const RTO_MIN: Duration = Duration::from_secs(1);
const RTO_MAX: Duration = Duration::from_secs(60);
const DELAYED_ACK: Duration = Duration::from_millis(200);

fn packet(kind: u8, seq: u32, len: usize) -> Vec<u8> {
    let mut p = vec![0; len];
    p[0] = kind;
    p[1..5].copy_from_slice(&seq.to_be_bytes());
    p
}

fn parse(p: &[u8]) -> Option<(u8, u32)> {
    let seq = u32::from_be_bytes(p.get(1..5)?.try_into().ok()?);
    Some((*p.first()?, seq))
}

/// The sending side of a Reno flow: always has data to send.
#[derive(Debug)]
pub struct RenoSender {
    ip: IpAddr,
    cwnd: usize,
    ssthresh: usize,
    /// Bytes acknowledged towards the next cwnd increase in congestion avoidance.
    bytes_acked: usize,
    snd_una: u32,
    snd_nxt: u32,
    /// Highest segment sent; `snd_nxt` falls back below it after a timeout.
    snd_max: u32,
    dupacks: u32,
    /// NewReno's recovery point, while in fast recovery.
    recover: Option<u32>,
    srtt: Option<Duration>,
    rttvar: Duration,
    rto: Duration,
    /// The segment being timed and when it was sent (one at a time, Karn's rule).
    timing: Option<(u32, Instant)>,
    rto_deadline: Option<Instant>,
    /// A segment to retransmit before anything new.
    retransmit: Option<u32>,
    /// Timeouts so far.
    pub timeouts: u64,
    /// Fast retransmits so far.
    pub fast_retransmits: u64,
}

impl RenoSender {
    /// A sender at `ip`, with RFC 3390's initial window.
    pub fn new(ip: &str) -> Self {
        Self {
            ip: ip.parse().expect("an IP address"),
            cwnd: (4 * RENO_MSS).min((2 * RENO_MSS).max(4380)),
            ssthresh: usize::MAX,
            bytes_acked: 0,
            snd_una: 0,
            snd_nxt: 0,
            snd_max: 0,
            dupacks: 0,
            recover: None,
            srtt: None,
            rttvar: Duration::ZERO,
            rto: RTO_MIN,
            timing: None,
            rto_deadline: None,
            retransmit: None,
            timeouts: 0,
            fast_retransmits: 0,
        }
    }

    /// The congestion window in bytes.
    pub fn cwnd(&self) -> usize {
        self.cwnd
    }

    fn flight(&self) -> usize {
        (self.snd_max - self.snd_una) as usize * RENO_MSS
    }

    fn on_rtt(&mut self, r: Duration) {
        // RFC 6298 section 2.
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rttvar = r / 2;
            }
            Some(s) => {
                self.rttvar = self.rttvar * 3 / 4 + s.abs_diff(r) / 4;
                self.srtt = Some(s * 7 / 8 + r / 8);
            }
        }
        let s = self.srtt.unwrap_or(r);
        self.rto = (s + 4 * self.rttvar).clamp(RTO_MIN, RTO_MAX);
    }

    fn on_ack(&mut self, now: Instant, ack: u32) {
        if ack > self.snd_una && ack <= self.snd_max {
            let newly = (ack - self.snd_una) as usize * RENO_MSS;
            if let Some((seq, sent)) = self.timing
                && seq < ack
            {
                self.on_rtt(now.saturating_duration_since(sent));
                self.timing = None;
            }
            self.snd_una = ack;
            self.snd_nxt = self.snd_nxt.max(ack);
            self.dupacks = 0;
            match self.recover {
                // RFC 6582 section 3.2 step 3: a full acknowledgement ends recovery.
                Some(recover) if ack > recover => {
                    self.recover = None;
                    self.cwnd = self.ssthresh.min(self.flight().max(RENO_MSS) + RENO_MSS);
                }
                // A partial acknowledgement: the next hole is lost too.
                Some(_) => {
                    self.retransmit = Some(ack);
                    self.cwnd = self.cwnd.saturating_sub(newly) + RENO_MSS;
                }
                None if self.cwnd <= self.ssthresh => self.cwnd += newly.min(RENO_MSS),
                None => {
                    self.bytes_acked += newly;
                    if self.bytes_acked >= self.cwnd {
                        self.bytes_acked -= self.cwnd;
                        self.cwnd += RENO_MSS;
                    }
                }
            }
            self.rto_deadline = (self.snd_una < self.snd_max).then(|| now + self.rto);
        } else if ack == self.snd_una && self.snd_una < self.snd_max {
            self.dupacks += 1;
            if self.recover.is_none() && self.dupacks == 3 {
                // RFC 5681 section 3.2 steps 2-4.
                self.ssthresh = (self.flight() / 2).max(2 * RENO_MSS);
                self.cwnd = self.ssthresh + 3 * RENO_MSS;
                self.recover = Some(self.snd_max - 1);
                self.retransmit = Some(self.snd_una);
                self.fast_retransmits += 1;
            } else if self.recover.is_some() {
                self.cwnd += RENO_MSS;
            }
        }
    }
}

impl Host for RenoSender {
    fn ip(&self) -> IpAddr {
        self.ip
    }

    fn handle(&mut self, now: Instant, _from: IpAddr, p: &[u8]) {
        if let Some((KIND_ACK, ack)) = parse(p) {
            self.on_ack(now, ack);
        }
    }

    fn poll_transmit(&mut self, now: Instant) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        if let Some(seq) = self.retransmit.take() {
            if self.timing.is_some_and(|(t, _)| t == seq) {
                self.timing = None;
            }
            out.push(packet(KIND_DATA, seq, RENO_PACKET));
        }
        // In flight: what was sent since snd_una and not yet resent by go-back-N.
        while (self.snd_nxt - self.snd_una) as usize * RENO_MSS + RENO_MSS <= self.cwnd {
            let seq = self.snd_nxt;
            if seq >= self.snd_max {
                self.snd_max = seq + 1;
                if self.timing.is_none() {
                    self.timing = Some((seq, now));
                }
            }
            self.snd_nxt += 1;
            out.push(packet(KIND_DATA, seq, RENO_PACKET));
        }
        if !out.is_empty() && self.rto_deadline.is_none() {
            self.rto_deadline = Some(now + self.rto);
        }
        out
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.rto_deadline
    }

    fn handle_timeout(&mut self, now: Instant) {
        if self.rto_deadline.is_none_or(|d| d > now) {
            return;
        }
        // RFC 5681 section 3.1 (5.), RFC 6298 section 5: one segment, back off, go back.
        self.timeouts += 1;
        self.ssthresh = (self.flight() / 2).max(2 * RENO_MSS);
        self.cwnd = RENO_MSS;
        self.bytes_acked = 0;
        self.recover = None;
        self.dupacks = 0;
        self.snd_nxt = self.snd_una;
        self.timing = None;
        self.retransmit = None;
        self.rto = (self.rto * 2).min(RTO_MAX);
        self.rto_deadline = Some(now + self.rto);
    }
}

/// The receiving side of a Reno flow.
#[derive(Debug)]
pub struct RenoReceiver {
    ip: IpAddr,
    rcv_nxt: u32,
    out_of_order: BTreeSet<u32>,
    unacked: u32,
    ack_now: bool,
    delayed_ack: Option<Instant>,
    /// Payload bytes delivered in order and not yet taken.
    delivered: u64,
}

impl RenoReceiver {
    /// A receiver at `ip`.
    pub fn new(ip: &str) -> Self {
        Self {
            ip: ip.parse().expect("an IP address"),
            rcv_nxt: 0,
            out_of_order: BTreeSet::new(),
            unacked: 0,
            ack_now: false,
            delayed_ack: None,
            delivered: 0,
        }
    }

    /// Payload bytes delivered in order since the last call.
    pub fn take_delivered(&mut self) -> u64 {
        std::mem::take(&mut self.delivered)
    }
}

impl Host for RenoReceiver {
    fn ip(&self) -> IpAddr {
        self.ip
    }

    fn handle(&mut self, now: Instant, _from: IpAddr, p: &[u8]) {
        let Some((KIND_DATA, seq)) = parse(p) else {
            return;
        };
        if seq == self.rcv_nxt {
            let filled_hole = !self.out_of_order.is_empty();
            self.rcv_nxt += 1;
            while self.out_of_order.remove(&self.rcv_nxt) {
                self.rcv_nxt += 1;
            }
            self.delivered += u64::from(self.rcv_nxt - seq) * RENO_MSS as u64;
            self.unacked += 1;
            if filled_hole || self.unacked >= 2 {
                self.ack_now = true;
            } else if self.delayed_ack.is_none() {
                self.delayed_ack = Some(now + DELAYED_ACK);
            }
        } else {
            if seq > self.rcv_nxt {
                self.out_of_order.insert(seq);
            }
            // Out of order or a duplicate: a (duplicate) ACK at once.
            self.ack_now = true;
        }
    }

    fn poll_transmit(&mut self, _now: Instant) -> Vec<Vec<u8>> {
        if !self.ack_now {
            return Vec::new();
        }
        self.ack_now = false;
        self.unacked = 0;
        self.delayed_ack = None;
        vec![packet(KIND_ACK, self.rcv_nxt, ACK_PACKET)]
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.delayed_ack
    }

    fn handle_timeout(&mut self, now: Instant) {
        if self.delayed_ack.is_some_and(|d| d <= now) {
            self.delayed_ack = None;
            self.ack_now = true;
        }
    }
}
