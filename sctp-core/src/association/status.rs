//! What the user can ask of an association at any time: its status (RFC
//! 6458 section 8.2.1 SCTP_STATUS, 8.2.2 SCTP_GET_PEER_ADDR_INFO) and its
//! counters (Linux SCTP_GET_ASSOC_STATS).

use std::net::SocketAddr;
use std::time::Duration;

use super::{Association, State};

/// Whether a path to the peer is usable (RFC 9260 sections 5.4 and 8.2,
/// RFC 7829 section 5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PathState {
    /// The path answers.
    Active,
    /// More than PotentiallyFailed.Max.Retrans consecutive errors: data
    /// moves to an active alternate while heartbeats probe the path once per RTO.
    PotentiallyFailed,
    /// More than Path.Max.Retrans consecutive errors on the path.
    Inactive,
    /// Listed by the peer and not yet verified by a heartbeat: carries no data.
    Unconfirmed,
}

/// The state of one path to the peer (RFC 6458 sctp_paddrinfo).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PathStatus {
    /// The peer's address and port on this path.
    pub address: SocketAddr,
    /// Whether the path is active.
    pub state: PathState,
    /// The congestion window, bytes.
    pub cwnd: usize,
    /// The slow start threshold, bytes.
    pub ssthresh: usize,
    /// Bytes in flight on the path.
    pub flight_size: usize,
    /// The smoothed round-trip time, once measured.
    pub srtt: Option<Duration>,
    /// The round-trip time variation, once measured.
    pub rttvar: Option<Duration>,
    /// The current retransmission timeout.
    pub rto: Duration,
    /// The path MTU (IP header included).
    pub mtu: usize,
    /// The path's consecutive error count (RFC 9260 section 8.2).
    pub error_count: u32,
}

/// A snapshot of an association (RFC 6458 section 8.2.1 sctp_status).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AssociationStatus {
    /// The association's state.
    pub state: State,
    /// The peer's receiver window as we reckon it now.
    pub peer_rwnd: u32,
    /// The receiver window we would advertise now.
    pub local_rwnd: u32,
    /// DATA chunks sent and not yet cumulatively acknowledged.
    pub unacked_chunks: usize,
    /// DATA chunks queued and never sent.
    pub pending_chunks: usize,
    /// Bytes queued and never sent.
    pub pending_bytes: usize,
    /// Outbound streams negotiated.
    pub outbound_streams: u16,
    /// Inbound streams negotiated.
    pub inbound_streams: u16,
    /// The largest DATA payload one packet carries.
    pub fragmentation_point: usize,
    /// The primary path.
    pub primary: PathStatus,
    /// Every path, in the order the peer's addresses were learnt.
    pub paths: Vec<PathStatus>,
    /// The association's consecutive error count (RFC 9260 section 8.1).
    pub error_count: u32,
}

/// Counters of an association since it was created (like Linux
/// SCTP_GET_ASSOC_STATS). Every chunk counter counts chunks actually put in
/// packets returned by [`Association::poll_transmit`] or read from packets
/// passed to [`Association::handle_packet`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AssociationStats {
    /// Packets returned by `poll_transmit`.
    pub packets_sent: u64,
    /// Packets passed to `handle_packet` that passed the verification-tag check.
    pub packets_received: u64,
    /// DATA or I-DATA chunks sent, first transmissions and retransmissions.
    pub data_chunks_sent: u64,
    /// Of those, unordered ones.
    pub unordered_data_chunks_sent: u64,
    /// DATA or I-DATA chunks received, duplicates included.
    pub data_chunks_received: u64,
    /// Of those, unordered ones.
    pub unordered_data_chunks_received: u64,
    /// DATA chunks received whose TSN had been received already.
    pub duplicate_tsns_received: u64,
    /// New DATA chunks received above the cumulative TSN ack point + 1.
    pub out_of_order_tsns_received: u64,
    /// DATA chunks sent again (fast retransmit, T3-rtx or loss probe).
    pub retransmitted_chunks: u64,
    /// Chunks found lost by SACKs or the reordering timer and marked for fast retransmission.
    pub fast_retransmits: u64,
    /// T3-rtx expiries with data outstanding.
    pub t3_expiries: u64,
    /// Tail loss probes sent (RFC 8985 section 7).
    pub tail_loss_probes: u64,
    /// SACK chunks sent.
    pub sacks_sent: u64,
    /// SACK chunks received.
    pub sacks_received: u64,
    /// Gap-ack blocks in the SACKs received.
    pub gap_ack_blocks_received: u64,
    /// Chunks other than DATA sent, SACKs included.
    pub control_chunks_sent: u64,
    /// Chunks other than DATA received, SACKs included.
    pub control_chunks_received: u64,
    /// HEARTBEAT chunks sent.
    pub heartbeats_sent: u64,
    /// Messages abandoned under their partial-reliability policy (RFC 7496).
    pub messages_abandoned: u64,
    /// FORWARD TSN chunks sent (RFC 3758).
    pub forward_tsns_sent: u64,
    /// FORWARD TSN chunks received (RFC 3758).
    pub forward_tsns_received: u64,
    /// TSNs the peer's FORWARD TSNs skipped that had not arrived.
    pub tsns_skipped: u64,
    /// The largest RTO the association has had.
    pub max_rto: Duration,
}

impl Association {
    /// A snapshot of the association and its paths (RFC 6458 SCTP_STATUS
    /// and SCTP_GET_PEER_ADDR_INFO).
    pub fn status(&self) -> AssociationStatus {
        let max_fragment = self.max_fragment();
        let paths: Vec<PathStatus> = (0..self.paths.len()).map(|i| self.path_status(i)).collect();
        AssociationStatus {
            state: self.state,
            peer_rwnd: u32::try_from(self.peer_rwnd).unwrap_or(u32::MAX),
            local_rwnd: self.a_rwnd(),
            unacked_chunks: self.rtx.len(),
            pending_chunks: self.send_queue.chunk_count(max_fragment),
            pending_bytes: self.send_queue.queued_bytes(),
            outbound_streams: self.outbound_streams,
            inbound_streams: self.inbound_streams,
            fragmentation_point: max_fragment,
            primary: paths[self.primary].clone(),
            paths,
            error_count: self.error_count,
        }
    }

    fn path_status(&self, i: usize) -> PathStatus {
        let p = &self.paths[i];
        PathStatus {
            address: p.remote,
            state: p.state(&self.config),
            cwnd: p.cc.cwnd,
            ssthresh: p.cc.ssthresh,
            // Flight is counted for the association; it is on the path data goes on.
            flight_size: if i == self.data_path {
                self.rtx.flight_size()
            } else {
                0
            },
            srtt: p.rto.srtt(),
            rttvar: p.rto.rttvar(),
            rto: p.rto.rto(),
            mtu: p.mtu,
            error_count: p.error_count,
        }
    }

    /// The association's counters (like Linux SCTP_GET_ASSOC_STATS).
    pub fn stats(&self) -> AssociationStats {
        AssociationStats {
            max_rto: self
                .paths
                .iter()
                .map(|p| p.rto.max_seen())
                .max()
                .unwrap_or_default(),
            ..self.stats
        }
    }
}
