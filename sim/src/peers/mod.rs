//! Other SCTP implementations as simulator hosts, for interoperability tests.
//!
//! Each adapter drives a third-party sans-IO stack with the simulator's
//! virtual clock and exchanges bare SCTP packets (common header, chunks,
//! CRC32c) with the other host: no UDP, DTLS or other encapsulation. Every
//! packet a peer emits is checked to be such a packet before it leaves.
//!
//! - [`ProtoHost`]: the `sctp-proto` crate (webrtc-rs / str0m).
//! - [`DcsctpHost`]: the `dcsctp` crate (WebRTC's dcSCTP in Rust).

pub mod dcsctp;
pub mod sctp_proto;

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::time::Instant;

use sctp_core::wire::Packet;

use crate::Host;

pub use self::dcsctp::DcsctpHost;
pub use self::sctp_proto::{ProtoHost, ProtoSendError};

/// The `dcsctp` crate, for its API types (options, events, errors).
pub use ::dcsctp as dcsctp_lib;
/// The `sctp-proto` crate, for its API types (events, errors).
pub use ::sctp_proto as sctp_proto_lib;

/// Panics unless `packet` is a bare SCTP packet from `src_port`: a common
/// header, whole chunks and a correct CRC32c (RFC 9260 sections 3 and 6.8).
///
/// `who` names the stack for the message.
pub fn assert_bare_sctp(who: &str, packet: &[u8], src_port: Option<u16>) {
    let p = match Packet::new_checked(packet) {
        Ok(p) => p,
        Err(e) => panic!("{who} emitted a packet that is not SCTP ({e}): {packet:02x?}"),
    };
    if let Err(e) = p.verify_checksum() {
        panic!("{who} emitted a packet with a bad CRC32c ({e}): {packet:02x?}");
    }
    if let Some(port) = src_port {
        assert_eq!(
            p.src_port(),
            port,
            "{who} emitted a packet from an unexpected port"
        );
    }
    for c in p.chunks() {
        if let Err(e) = c {
            panic!("{who} emitted a packet with a malformed chunk ({e}): {packet:02x?}");
        }
    }
}

/// One line per packet: header, then each chunk as our wire parser shows it.
pub fn describe(packet: &[u8]) -> String {
    let p = match Packet::new_checked(packet) {
        Ok(p) => p,
        Err(e) => return format!("<not SCTP: {e}> {packet:02x?}"),
    };
    let mut s = p.header().to_string();
    for c in p.chunks() {
        match c.and_then(|raw| raw.parse()) {
            Ok(chunk) => {
                let _ = write!(s, " | {chunk}");
            }
            Err(e) => {
                let _ = write!(s, " | <malformed chunk: {e}>");
            }
        }
    }
    s
}

/// The last packets a host sent and received, for diagnosing a failure.
#[derive(Debug, Clone)]
pub struct PacketLog {
    capacity: usize,
    start: Option<Instant>,
    entries: VecDeque<(Instant, bool, Vec<u8>)>,
    /// Chunks seen by type: `[received, sent][chunk type]`.
    counts: Box<[[u64; 256]; 2]>,
}

impl Default for PacketLog {
    fn default() -> Self {
        Self::new(256)
    }
}

impl PacketLog {
    /// A log keeping the last `capacity` packets.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            start: None,
            entries: VecDeque::with_capacity(capacity.min(1024)),
            counts: Box::new([[0; 256]; 2]),
        }
    }

    /// Records a packet; `sent` tells its direction.
    pub fn record(&mut self, now: Instant, sent: bool, packet: &[u8]) {
        if let Ok(p) = Packet::new_checked(packet) {
            for c in p.chunks().flatten() {
                self.counts[usize::from(sent)][usize::from(c.chunk_type)] += 1;
            }
        }
        if self.capacity == 0 {
            return;
        }
        self.start.get_or_insert(now);
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back((now, sent, packet.to_vec()));
    }

    /// Every recorded packet still kept, one per line, oldest first, with its
    /// virtual time since the first packet and direction (`>` sent, `<` received).
    pub fn dump(&self) -> String {
        let mut out = String::new();
        for (at, sent, p) in &self.entries {
            let t = self.start.map_or(0.0, |s| (*at - s).as_secs_f64());
            let dir = if *sent { '>' } else { '<' };
            let _ = writeln!(out, "{t:10.6} {dir} {}", describe(p));
        }
        out
    }

    /// The packets still kept, oldest first: time, whether sent, bytes.
    pub fn packets(&self) -> impl Iterator<Item = (Instant, bool, &[u8])> {
        self.entries.iter().map(|(t, s, p)| (*t, *s, &p[..]))
    }

    /// How many chunks of `chunk_type` were sent (`sent`) or received so far.
    pub fn count(&self, sent: bool, chunk_type: u8) -> u64 {
        self.counts[usize::from(sent)][usize::from(chunk_type)]
    }
}

/// Chunk type codes (RFC 9260 section 3.2) for [`PacketLog::count`].
pub mod chunk_type {
    /// DATA.
    pub const DATA: u8 = 0;
    /// INIT.
    pub const INIT: u8 = 1;
    /// INIT ACK.
    pub const INIT_ACK: u8 = 2;
    /// SACK.
    pub const SACK: u8 = 3;
    /// ABORT.
    pub const ABORT: u8 = 6;
    /// SHUTDOWN.
    pub const SHUTDOWN: u8 = 7;
    /// SHUTDOWN ACK.
    pub const SHUTDOWN_ACK: u8 = 8;
    /// ERROR.
    pub const ERROR: u8 = 9;
    /// SHUTDOWN COMPLETE.
    pub const SHUTDOWN_COMPLETE: u8 = 14;
    /// RE-CONFIG (RFC 6525).
    pub const RE_CONFIG: u8 = 130;
    /// FORWARD TSN (RFC 3758).
    pub const FORWARD_TSN: u8 = 192;
}

/// The source port in a packet's common header.
pub(crate) fn src_port_of(packet: &[u8]) -> u16 {
    match packet {
        [a, b, ..] => u16::from_be_bytes([*a, *b]),
        _ => 0,
    }
}

/// Catches a host whose deadline stays due however often its timers fire,
/// which would otherwise spin the simulator forever at one instant.
#[derive(Debug, Default, Clone)]
pub(crate) struct SpinGuard {
    at: Option<Instant>,
    count: u32,
}

impl SpinGuard {
    /// Notes a timer call at `now`; panics after many at the same instant.
    pub(crate) fn tick(&mut self, who: &str, now: Instant) {
        if self.at == Some(now) {
            self.count += 1;
            assert!(
                self.count < 10_000,
                "{who}: timer deadline stays due at the same instant after 10000 calls"
            );
        } else {
            self.at = Some(now);
            self.count = 0;
        }
    }
}

/// Any host with a [`PacketLog`] of what it sends and receives.
#[derive(Debug)]
pub struct Tap<H> {
    /// The host.
    pub inner: H,
    /// Its packets.
    pub log: PacketLog,
}

impl<H: Host> Tap<H> {
    /// Wraps `inner`.
    pub fn new(inner: H) -> Self {
        Self {
            inner,
            log: PacketLog::default(),
        }
    }
}

impl<H: Host> Host for Tap<H> {
    fn ip(&self) -> std::net::IpAddr {
        self.inner.ip()
    }

    fn handle(&mut self, now: Instant, from: std::net::IpAddr, packet: &[u8]) {
        self.log.record(now, false, packet);
        self.inner.handle(now, from, packet);
    }

    fn poll_transmit(&mut self, now: Instant) -> Vec<Vec<u8>> {
        let out = self.inner.poll_transmit(now);
        for p in &out {
            self.log.record(now, true, p);
        }
        out
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.inner.poll_timeout()
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.inner.handle_timeout(now);
    }
}
