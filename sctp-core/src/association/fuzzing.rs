//! Read-only views of association internals for the fuzz targets (feature
//! `fuzzing` only): bookkeeping snapshots and invariant checks.

use super::Association;
use crate::{Tsn, VerificationTag};

/// Bookkeeping numbers of an association at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FuzzSnapshot {
    /// Bytes in flight.
    pub flight: usize,
    /// Bytes sent and not cumulatively acknowledged.
    pub outstanding: usize,
    /// Whether no chunk is held for retransmission.
    pub rtx_empty: bool,
    /// Our cumulative TSN ack point (highest TSN the peer acknowledged).
    pub cum_ack: Tsn,
    /// The next TSN we will assign.
    pub next_tsn: Tsn,
    /// The peer's TSNs received in sequence up to here.
    pub peer_cum_tsn: Tsn,
    /// Received payload bytes held for reassembly.
    pub reassembly_bytes: usize,
    /// Received messages queued as events and not yet polled.
    pub undelivered_bytes: usize,
    /// Events queued.
    pub events: usize,
    /// Control chunks and standalone packets queued.
    pub queued_control: usize,
    /// Bytes the user queued and not yet sent.
    pub buffered: usize,
    /// Our tag (the one the peer puts in packets to us).
    pub local_vtag: VerificationTag,
    /// The peer's tag.
    pub peer_vtag: VerificationTag,
    /// The configured receive window.
    pub receive_window: u32,
    /// The peer's next RE-CONFIG request sequence number, and ours in
    /// flight (or the next) (RFC 6525).
    pub reconfig_seqs: (u32, u32),
    /// Association resets performed (RFC 6525 section 5.1.4): each starts
    /// new TSN spaces, half the space away.
    pub association_resets: u32,
}

impl Association {
    /// The bookkeeping numbers now.
    pub fn fuzz_snapshot(&self) -> FuzzSnapshot {
        FuzzSnapshot {
            flight: self.rtx.flight_size(),
            outstanding: self.rtx.outstanding_bytes(),
            rtx_empty: self.rtx.is_empty(),
            cum_ack: self.rtx.cumulative_tsn_ack(),
            next_tsn: self.rtx.next_tsn(),
            peer_cum_tsn: self.tracker.cumulative_tsn(),
            reassembly_bytes: self.reassembly.buffered_bytes(),
            undelivered_bytes: self.undelivered_bytes,
            events: self.events.len(),
            queued_control: self.control.len() + self.standalone.len(),
            buffered: self.buffered_amount(),
            local_vtag: self.local_vtag,
            peer_vtag: self.peer_vtag,
            receive_window: self.config.receive_window,
            reconfig_seqs: self.stream_reconfig.fuzz_seqs(),
            association_resets: self.stream_reconfig.fuzz_resets(),
        }
    }

    /// Checks the invariants that must hold between any two calls; returns
    /// the first broken one.
    pub fn check_invariants(&self) -> Result<(), String> {
        let s = self.fuzz_snapshot();
        if s.flight > s.outstanding {
            return Err(format!(
                "flight {} > outstanding {}",
                s.flight, s.outstanding
            ));
        }
        // cum_ack < next_tsn: everything acknowledged was sent.
        if s.cum_ack.distance(s.next_tsn) >= 0 {
            return Err(format!(
                "cum_ack {:?} not before next_tsn {:?}",
                s.cum_ack, s.next_tsn
            ));
        }
        if s.rtx_empty && s.outstanding != 0 {
            return Err(format!(
                "no chunk held but {} bytes outstanding",
                s.outstanding
            ));
        }
        if self.local_vtag.0 == 0 {
            return Err("local verification tag is 0".into());
        }
        // The retransmission queue's counts, abandoned chunks (RFC 3758)
        // out of all of them.
        self.rtx.check_counts()?;
        // What reassembly holds, counted the slow way, and its partial
        // deliveries (RFC 6458 section 8.1.21).
        self.reassembly.check_counts()?;
        self.interleaved.check_counts()?;
        // Paths (RFC 9260 section 6.4): never none, never too many, no
        // address twice, and every index that names one in range.
        let n = self.paths.len();
        if n == 0 || n > super::path::MAX_PATHS {
            return Err(format!("{n} paths"));
        }
        for (i, p) in self.paths.iter().enumerate() {
            if self.paths[..i].iter().any(|q| q.remote == p.remote) {
                return Err(format!("path {} listed twice", p.remote));
            }
        }
        let indices = [
            Some(self.primary),
            Some(self.data_path),
            self.rtx_path,
            self.sack_path,
        ];
        if indices.into_iter().flatten().any(|i| i >= n) {
            return Err(format!("a path index beyond {n} paths: {indices:?}"));
        }
        if let Some(p) = self.rtx.highest_path()
            && usize::from(p) >= n
        {
            return Err(format!("a chunk in flight on path {p} of {n}"));
        }
        Ok(())
    }
}
