//! The destinations of a multi-homed peer (RFC 9260 sections 5.4, 6.4,
//! 8.2, 8.3 and RFC 7829): per-path RTO, congestion window, error counter,
//! MTU and heartbeat, and the choice of where data goes.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::congestion::CongestionControl;
use super::rto::RtoEstimator;
use super::status::PathState;
use super::{Association, Event, PathChange, Timer};
use crate::config::AssociationConfig;
use crate::wire::Chunk;
use crate::wire::chunk::Heartbeat;

/// The most peer addresses an association keeps: addresses past it in an
/// INIT are ignored (a peer could list hundreds to cost us memory).
pub(crate) const MAX_PATHS: usize = 16;

/// A HEARTBEAT in flight on a path (RFC 9260 section 8.3).
#[derive(Debug, Clone, Copy)]
pub(crate) struct HeartbeatProbe {
    pub(crate) nonce: u64,
    pub(crate) sent_at: Instant,
}

/// One destination transport address of the peer.
#[derive(Debug, Clone)]
pub(crate) struct Path {
    pub(crate) remote: SocketAddr,
    /// Confirmed by a HEARTBEAT ACK echoing our nonce, or the address the
    /// association was set up with (section 5.4).
    pub(crate) confirmed: bool,
    pub(crate) rto: RtoEstimator,
    pub(crate) cc: CongestionControl,
    /// Consecutive unanswered transmissions (section 8.2).
    pub(crate) error_count: u32,
    /// The path MTU (IP header included).
    pub(crate) mtu: usize,
    pub(crate) probe: Option<HeartbeatProbe>,
    /// When an idle-path heartbeat is due; pushed back whenever the path is used.
    pub(crate) heartbeat_due: Option<Instant>,
    /// The user asked for a heartbeat now (RFC 6458 SCTP_PEER_ADDR_PARAMS HB demand).
    pub(crate) heartbeat_requested: bool,
}

impl Path {
    pub(crate) fn new(remote: SocketAddr, confirmed: bool, config: &AssociationConfig) -> Self {
        let mtu = config.path_mtu;
        Self {
            remote,
            confirmed,
            rto: RtoEstimator::new(config),
            cc: CongestionControl::new(Association::sctp_mtu_for(config, mtu), 0),
            error_count: 0,
            mtu,
            probe: None,
            heartbeat_due: None,
            heartbeat_requested: false,
        }
    }

    /// RFC 9260 section 8.2 with RFC 7829's potentially failed state.
    pub(crate) fn state(&self, config: &AssociationConfig) -> PathState {
        if !self.confirmed {
            PathState::Unconfirmed
        } else if self.error_count > config.path_max_retrans {
            PathState::Inactive
        } else if self.error_count > config.pf_max_retrans {
            PathState::PotentiallyFailed
        } else {
            PathState::Active
        }
    }

    /// The next idle-path heartbeat time (section 8.3): RTO + HB.interval,
    /// jittered by ±RTO/2 with `random`.
    pub(crate) fn next_heartbeat(&self, now: Instant, interval: Duration, random: u64) -> Instant {
        let rto = self.rto.rto();
        let jitter_ms = (rto.as_millis() as u64).max(2);
        now + interval + rto / 2 + Duration::from_millis(random % jitter_ms)
    }
}

/// How good a destination is for data, best first: RFC 7829 section 5.1
/// uses a potentially failed path only when no active one is left, and
/// then the one with the fewest errors; an unconfirmed path never carries
/// data (RFC 9260 section 5.4).
pub(crate) fn rank(state: &PathState, error_count: u32) -> Option<(u8, u32)> {
    match state {
        PathState::Active => Some((0, error_count)),
        PathState::PotentiallyFailed => Some((1, error_count)),
        PathState::Inactive => Some((2, error_count)),
        PathState::Unconfirmed => None,
    }
}

/// Why [`super::Association::set_primary`] or a per-path call refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// The address is not one of the peer's addresses in this association.
    #[error("{0} is not an address of the peer in this association")]
    UnknownAddress(SocketAddr),
    /// The address has not been confirmed by a heartbeat yet (RFC 9260 section 5.4).
    #[error("{0} is not confirmed yet: it cannot be the primary path")]
    Unconfirmed(SocketAddr),
}

impl Association {
    /// The path to `remote`, if it is one of the peer's addresses.
    pub(super) fn path_index(&self, remote: SocketAddr) -> Option<usize> {
        self.paths.iter().position(|p| p.remote == remote)
    }

    /// Learns a peer address (RFC 9260 section 5.1.2): a new path,
    /// unconfirmed unless `confirmed`, that the endpoint must route. At most
    /// [`MAX_PATHS`]; an address we cannot reach (a family none of our
    /// addresses has) is ignored.
    pub(super) fn add_path(&mut self, now: Instant, remote: SocketAddr, confirmed: bool) {
        let ip = remote.ip();
        // A peer lists every address it has: its loopback and IPv6
        // link-local ones are no paths from here (RFC 9260 section 5.1.2).
        let local_only = (ip.is_loopback() && !self.paths[0].remote.ip().is_loopback())
            || matches!(ip, std::net::IpAddr::V6(v6) if v6.is_unicast_link_local());
        // Not a unicast destination at all: "this network" (0.0.0.0/8),
        // broadcast, multicast.
        let not_unicast = ip.is_multicast()
            || matches!(ip, std::net::IpAddr::V4(v4) if v4.octets()[0] == 0 || v4.is_broadcast());
        if ip.is_unspecified() || not_unicast || local_only || !self.reaches(remote) {
            return;
        }
        if let Some(i) = self.path_index(remote) {
            if confirmed {
                self.paths[i].confirmed = true;
                self.update_sctp_mtu();
            }
            return;
        }
        if self.paths.len() >= MAX_PATHS {
            return;
        }
        let mut p = Path::new(remote, confirmed, &self.config);
        p.cc = CongestionControl::new(
            Self::sctp_mtu_for(&self.config, p.mtu),
            u32::try_from(self.peer_rwnd).unwrap_or(u32::MAX),
        );
        if !confirmed && self.state.is_established_or_later() {
            // Section 5.4: verify a new address at once.
            p.heartbeat_due = Some(now);
        }
        self.paths.push(p);
        self.update_sctp_mtu();
        self.endpoint_events
            .push_back(super::EndpointEvent::PeerAddressAdded(remote));
    }

    /// Whether one of our addresses has `remote`'s family (any, when we list none).
    fn reaches(&self, remote: SocketAddr) -> bool {
        self.local_addresses.is_empty()
            || self
                .local_addresses
                .iter()
                .any(|l| l.is_ipv4() == remote.is_ipv4())
    }

    /// Makes `remote` the primary path (RFC 9260 section 10.1 SET PRIMARY;
    /// RFC 6458 SCTP_PRIMARY_ADDR). New data goes there when it is active.
    pub fn set_primary(&mut self, remote: SocketAddr) -> Result<(), PathError> {
        let i = self
            .path_index(remote)
            .ok_or(PathError::UnknownAddress(remote))?;
        if !self.paths[i].confirmed {
            return Err(PathError::Unconfirmed(remote));
        }
        if i != self.primary {
            self.primary = i;
            self.path_event(i, PathChange::MadePrimary);
        }
        self.select_data_path();
        Ok(())
    }

    /// Adds a peer address given to connect (RFC 6458 sctp_connectx):
    /// unconfirmed until the INIT ACK or a heartbeat says otherwise.
    pub(crate) fn add_connect_address(&mut self, now: Instant, remote: SocketAddr) {
        self.add_path(now, remote, false);
    }

    /// Sends a HEARTBEAT to `remote` now (RFC 6458 SPP_HB_DEMAND for one address).
    pub fn request_heartbeat_to(
        &mut self,
        now: Instant,
        remote: SocketAddr,
    ) -> Result<(), PathError> {
        let i = self
            .path_index(remote)
            .ok_or(PathError::UnknownAddress(remote))?;
        if self.state.is_established_or_later() && self.state != super::State::Closed {
            self.paths[i].heartbeat_requested = true;
            self.paths[i].heartbeat_due = Some(now);
            self.on_heartbeat_timer(now);
        }
        Ok(())
    }

    pub(super) fn path_event(&mut self, i: usize, change: PathChange) {
        self.events.push_back(Event::PathChange {
            address: self.paths[i].remote,
            change,
        });
    }

    /// Forgets path `i` (the peer deleted the address, RFC 5061 section
    /// 5.2): data in flight on it counts as sent on `fallback`'s path, and
    /// every index past it moves down one.
    pub(super) fn remove_path(&mut self, i: usize, fallback: SocketAddr) {
        let removed = self.paths.remove(i);
        self.endpoint_events
            .push_back(super::EndpointEvent::PeerAddressRemoved(removed.remote));
        // RFC 5061 section 5.2: a deleted address is not sent to again,
        // not even by a heartbeat already queued for it.
        self.standalone
            .retain(|(to, _)| *to != Some(removed.remote));
        let fallback = self.path_index(fallback).unwrap_or(0);
        let shift = |j: usize| {
            if j > i {
                j - 1
            } else if j == i {
                fallback
            } else {
                j
            }
        };
        self.primary = shift(self.primary);
        self.data_path = shift(self.data_path);
        self.rtx_path = self.rtx_path.map(shift);
        self.sack_path = self.sack_path.map(shift);
        self.rtx.remap_path(i as u8, fallback as u8);
        self.select_data_path();
        self.update_sctp_mtu();
    }

    /// Chooses where new data goes (RFC 9260 section 6.4, RFC 7829 section
    /// 5.1): the primary when it is active (or, without switch-back, the
    /// current path while it stays active), else the best of the others.
    pub(super) fn select_data_path(&mut self) {
        let config = &self.config;
        let state = |i: usize| self.paths[i].state(config);
        let current = self.data_path;
        let chosen = if state(self.primary) == PathState::Active
            && (config.primary_switchback
                || current == self.primary
                || state(current) != PathState::Active)
        {
            self.primary
        } else if state(current) == PathState::Active {
            current
        } else {
            // Best rank; ties go to the primary, then to the current path.
            (0..self.paths.len())
                .filter_map(|i| {
                    let p = &self.paths[i];
                    rank(&p.state(config), p.error_count)
                        .map(|r| (r, i != self.primary, i != current, i))
                })
                .min()
                .map_or(self.primary, |(.., i)| i)
        };
        self.data_path = chosen;
    }

    /// The best active path other than `not`, for retransmissions after a
    /// timeout (RFC 9260 section 6.4.1).
    pub(super) fn alternate_path(&self, not: usize) -> Option<usize> {
        (0..self.paths.len())
            .filter(|&i| i != not)
            .filter_map(|i| {
                let p = &self.paths[i];
                rank(&p.state(&self.config), p.error_count)
                    .filter(|r| r.0 == 0)
                    .map(|r| (r, i))
            })
            .min()
            .map(|(_, i)| i)
    }

    /// Counts an error on path `i` (RFC 9260 section 8.2) and reports a change of state.
    pub(super) fn count_path_error(&mut self, i: usize) {
        let before = self.paths[i].state(&self.config);
        let p = &mut self.paths[i];
        p.error_count = p.error_count.saturating_add(1);
        let after = p.state(&self.config);
        if before != after {
            match after {
                PathState::PotentiallyFailed => self.path_event(i, PathChange::PotentiallyFailed),
                PathState::Inactive => self.path_event(i, PathChange::Unreachable),
                _ => {}
            }
            self.select_data_path();
        }
    }

    /// Path `i` answered (RFC 9260 section 8.2, RFC 7829 section 5.1): its
    /// error counter clears and a failed path is available again.
    pub(super) fn clear_path_errors(&mut self, i: usize) {
        let before = self.paths[i].state(&self.config);
        self.paths[i].error_count = 0;
        if matches!(before, PathState::PotentiallyFailed | PathState::Inactive) {
            self.path_event(i, PathChange::Available);
            self.select_data_path();
        }
    }

    /// Sets every path's first heartbeat once the association is established.
    pub(super) fn start_heartbeats(&mut self, now: Instant) {
        for i in 0..self.paths.len() {
            let due = if self.paths[i].confirmed {
                self.idle_heartbeat_time(i, now)
            } else {
                Some(now)
            };
            self.paths[i].heartbeat_due = due;
        }
        self.rearm_heartbeat_timer();
    }

    /// When path `i`'s next idle heartbeat is due (section 8.3), if heartbeats run.
    fn idle_heartbeat_time(&mut self, i: usize, now: Instant) -> Option<Instant> {
        let interval = self.config.hb_interval?;
        let random = self.rng.next_u64();
        Some(self.paths[i].next_heartbeat(now, interval, random))
    }

    /// Arms the heartbeat timer for the earliest of every path's next
    /// heartbeat and every probe's RTO.
    pub(super) fn rearm_heartbeat_timer(&mut self) {
        let next = self
            .paths
            .iter()
            .filter_map(|p| match p.probe {
                Some(probe) => Some(probe.sent_at + p.rto.rto()),
                None => p.heartbeat_due,
            })
            .min();
        match next {
            Some(t) => self.timers.set(Timer::Heartbeat, t),
            None => self.timers.stop(Timer::Heartbeat),
        }
    }

    /// The heartbeat timer (sections 5.4, 8.3; RFC 7829 section 5.1): judges
    /// probes unanswered for an RTO, and sends the heartbeats that are due.
    pub(super) fn on_heartbeat_timer(&mut self, now: Instant) {
        for i in 0..self.paths.len() {
            if let Some(probe) = self.paths[i].probe
                && now >= probe.sent_at + self.paths[i].rto.rto()
            {
                self.paths[i].probe = None;
                self.paths[i].rto.back_off();
                self.count_path_error(i);
                // Section 8.1: an unanswered heartbeat counts against the
                // association only on the path data goes on.
                if i == self.data_path && self.count_error() {
                    return;
                }
                self.paths[i].heartbeat_due = match self.paths[i].state(&self.config) {
                    // Probed once per RTO until they answer.
                    PathState::PotentiallyFailed | PathState::Unconfirmed => Some(now),
                    _ => self.idle_heartbeat_time(i, now),
                };
            }
            let p = &self.paths[i];
            if p.probe.is_some() || p.heartbeat_due.is_none_or(|t| t > now) {
                continue;
            }
            // The path data is on is watched by T3-rtx while data is outstanding.
            let busy = i == self.data_path
                && !self.rtx.is_empty()
                && p.state(&self.config) == PathState::Active
                && !p.heartbeat_requested;
            if busy {
                self.paths[i].heartbeat_due = self.idle_heartbeat_time(i, now);
                continue;
            }
            self.send_heartbeat_to(i, now);
        }
        self.rearm_heartbeat_timer();
    }

    /// Sends a HEARTBEAT with a fresh nonce to path `i` (section 8.3), alone
    /// in its packet: it must reach that address, whatever data does.
    fn send_heartbeat_to(&mut self, i: usize, now: Instant) {
        let nonce = self.rng.next_u64();
        let mut info = [0u8; 16];
        info[..8].copy_from_slice(&nonce.to_be_bytes());
        info[8..].copy_from_slice(&self.cookie_key.now_ms(now).to_be_bytes());
        let chunk = crate::handshake::encode_chunk(&Chunk::Heartbeat(Heartbeat { info: &info }));
        let packet = crate::handshake::encode_packet_of(
            self.local_port,
            self.peer_port(),
            self.peer_vtag,
            &[&chunk],
        );
        self.stats.heartbeats_sent += 1;
        let p = &mut self.paths[i];
        p.probe = Some(HeartbeatProbe {
            nonce,
            sent_at: now,
        });
        p.heartbeat_requested = false;
        p.heartbeat_due = None;
        self.standalone.push_back((Some(p.remote), packet));
    }

    /// A HEARTBEAT ACK (sections 5.4, 8.3): the nonce names the path; it is
    /// confirmed, its errors clear, and the round trip is an RTT sample.
    pub(super) fn on_heartbeat_ack(&mut self, now: Instant, info: &[u8]) {
        let Some(nonce) = info.get(..8) else { return };
        let nonce = u64::from_be_bytes(nonce.try_into().unwrap_or_default());
        let Some(i) = self
            .paths
            .iter()
            .position(|p| p.probe.is_some_and(|probe| probe.nonce == nonce))
        else {
            return;
        };
        let probe = self.paths[i].probe.take().expect("found by its probe");
        self.paths[i]
            .rto
            .on_measurement(now.saturating_duration_since(probe.sent_at));
        // Section 8.1: a HEARTBEAT ACK clears the association's counter too.
        self.error_count = 0;
        if !self.paths[i].confirmed {
            self.paths[i].confirmed = true;
            self.update_sctp_mtu();
            self.path_event(i, PathChange::Confirmed);
            self.select_data_path();
        }
        self.clear_path_errors(i);
        self.paths[i].heartbeat_due = if self.paths[i].state(&self.config) == PathState::Active {
            self.idle_heartbeat_time(i, now)
        } else {
            Some(now)
        };
        self.rearm_heartbeat_timer();
    }

    /// The peer's SCTP port (the same on every path).
    pub(super) fn peer_port(&self) -> u16 {
        self.paths[0].remote.port()
    }
}
