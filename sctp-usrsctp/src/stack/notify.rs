//! Engine events as usrsctp's notifications (RFC 6458 section 6.1): the
//! bytes of the `union sctp_notification` member, written field by field at
//! the offsets of our `#[repr(C)]` definitions, so no unsafe code is needed.

use std::mem::{offset_of, size_of};

use sctp_core::{CloseReason, Event, PathChange, ReconfigOutcome};

use super::Assoc;
use super::socket::Options;
use crate::abi::*;

/// A notification being written.
struct Writer(Vec<u8>);

impl Writer {
    fn new(size: usize, kind: u16) -> Self {
        let mut w = Self(vec![0; size]);
        // Every notification starts with sn_type, sn_flags, sn_length.
        w.u16(0, kind);
        w.u32(4, size as u32);
        w
    }
    fn u16(&mut self, off: usize, v: u16) {
        self.0[off..off + 2].copy_from_slice(&v.to_ne_bytes());
    }
    fn u32(&mut self, off: usize, v: u32) {
        self.0[off..off + 4].copy_from_slice(&v.to_ne_bytes());
    }
    fn bytes(&mut self, off: usize, v: &[u8]) {
        self.0[off..off + v.len()].copy_from_slice(v);
    }
    fn extend(&mut self, v: &[u8]) {
        self.0.extend_from_slice(v);
        let len = self.0.len() as u32;
        self.u32(4, len);
    }
}

/// An `sctp_assoc_change` notification.
pub(crate) fn assoc_change(a: &Assoc, state: u16, error: u16, info: &[u8]) -> Vec<u8> {
    let mut w = Writer::new(size_of::<sctp_assoc_change>(), SCTP_ASSOC_CHANGE);
    w.u16(offset_of!(sctp_assoc_change, sac_state), state);
    w.u16(offset_of!(sctp_assoc_change, sac_error), error);
    w.u16(
        offset_of!(sctp_assoc_change, sac_outbound_streams),
        a.engine.outbound_streams(),
    );
    w.u16(
        offset_of!(sctp_assoc_change, sac_inbound_streams),
        a.engine.inbound_streams(),
    );
    w.u32(offset_of!(sctp_assoc_change, sac_assoc_id), a.id);
    w.extend(info);
    w.0
}

/// The extensions both ends support, as SCTP_COMM_UP's `sac_info` lists them.
fn supported(a: &Assoc) -> Vec<u8> {
    let mut v = Vec::new();
    if a.engine.supports_partial_reliability() {
        v.push(SCTP_ASSOC_SUPPORTS_PR);
    }
    if a.engine.is_authenticated() {
        v.push(SCTP_ASSOC_SUPPORTS_AUTH);
    }
    if a.engine.supports_asconf() {
        v.push(SCTP_ASSOC_SUPPORTS_ASCONF);
    }
    v.push(SCTP_ASSOC_SUPPORTS_MULTIBUF);
    if a.engine.supports_reconfig() {
        v.push(SCTP_ASSOC_SUPPORTS_RE_CONFIG);
    }
    if a.engine.supports_interleaving() {
        v.push(SCTP_ASSOC_SUPPORTS_INTERLEAVING);
    }
    v
}

/// A `sockaddr_storage` image of an engine address.
fn storage(addr: std::net::SocketAddr) -> Vec<u8> {
    let mut v = vec![0u8; size_of::<libc::sockaddr_storage>()];
    crate::sockaddr::write(super::addr::Peer::from_engine(addr), false, &mut v);
    v
}

fn outcome_flags(o: &ReconfigOutcome, denied: u16, failed: u16) -> u16 {
    match o {
        ReconfigOutcome::Performed => 0,
        ReconfigOutcome::Denied => denied,
        _ => failed,
    }
}

/// The notification an engine event makes, if the socket asked for it.
pub(crate) fn notification(ev: &Event, a: &Assoc, o: &Options) -> Option<Vec<u8>> {
    let want = |t: u16| o.wants(t);
    Some(match ev {
        Event::Connected if want(SCTP_ASSOC_CHANGE) => {
            assoc_change(a, SCTP_COMM_UP, 0, &supported(a))
        }
        Event::PeerRestarted if want(SCTP_ASSOC_CHANGE) => {
            assoc_change(a, SCTP_RESTART, 0, &supported(a))
        }
        Event::ShutdownComplete if want(SCTP_ASSOC_CHANGE) => {
            assoc_change(a, SCTP_SHUTDOWN_COMP, 0, &[])
        }
        Event::Closed(reason) if want(SCTP_ASSOC_CHANGE) => {
            let state = match reason {
                CloseReason::SetupTimedOut => SCTP_CANT_STR_ASSOC,
                _ if !a.established => SCTP_CANT_STR_ASSOC,
                _ => SCTP_COMM_LOST,
            };
            assoc_change(a, state, 0, &[])
        }
        Event::ShutdownReceived if want(SCTP_SHUTDOWN_EVENT) => {
            let mut w = Writer::new(size_of::<sctp_shutdown_event>(), SCTP_SHUTDOWN_EVENT);
            w.u32(offset_of!(sctp_shutdown_event, sse_assoc_id), a.id);
            w.0
        }
        Event::PathChange { address, change } if want(SCTP_PEER_ADDR_CHANGE) => {
            let state = match change {
                PathChange::Available | PathChange::PotentiallyFailed => SCTP_ADDR_AVAILABLE,
                PathChange::Unreachable => SCTP_ADDR_UNREACHABLE,
                PathChange::Confirmed => SCTP_ADDR_CONFIRMED,
                PathChange::Added => SCTP_ADDR_ADDED,
                PathChange::Removed => SCTP_ADDR_REMOVED,
                PathChange::MadePrimary => SCTP_ADDR_MADE_PRIM,
                _ => SCTP_ADDR_AVAILABLE,
            };
            let mut w = Writer::new(size_of::<sctp_paddr_change>(), SCTP_PEER_ADDR_CHANGE);
            w.bytes(offset_of!(sctp_paddr_change, spc_aaddr), &storage(*address));
            w.u32(offset_of!(sctp_paddr_change, spc_state), state);
            w.u32(offset_of!(sctp_paddr_change, spc_assoc_id), a.id);
            w.0
        }
        Event::RemoteError(causes) if want(SCTP_REMOTE_ERROR) => {
            let mut w = Writer::new(size_of::<sctp_remote_error>(), SCTP_REMOTE_ERROR);
            let code = causes.first().map_or(0, |c| c.code.0);
            // sre_error is in network byte order in usrsctp.
            w.u16(offset_of!(sctp_remote_error, sre_error), code.to_be());
            w.u32(offset_of!(sctp_remote_error, sre_assoc_id), a.id);
            w.0
        }
        Event::AdaptationIndication(ind) if want(SCTP_ADAPTATION_INDICATION) => {
            let mut w = Writer::new(
                size_of::<sctp_adaptation_event>(),
                SCTP_ADAPTATION_INDICATION,
            );
            w.u32(offset_of!(sctp_adaptation_event, sai_adaptation_ind), *ind);
            w.u32(offset_of!(sctp_adaptation_event, sai_assoc_id), a.id);
            w.0
        }
        Event::SenderDry if want(SCTP_SENDER_DRY_EVENT) => {
            let mut w = Writer::new(size_of::<sctp_sender_dry_event>(), SCTP_SENDER_DRY_EVENT);
            w.u32(offset_of!(sctp_sender_dry_event, sender_dry_assoc_id), a.id);
            w.0
        }
        Event::PartialDeliveryAborted { stream_id, mid, .. }
            if want(SCTP_PARTIAL_DELIVERY_EVENT) =>
        {
            let mut w = Writer::new(size_of::<sctp_pdapi_event>(), SCTP_PARTIAL_DELIVERY_EVENT);
            w.u32(
                offset_of!(sctp_pdapi_event, pdapi_indication),
                SCTP_PARTIAL_DELIVERY_ABORTED,
            );
            w.u32(
                offset_of!(sctp_pdapi_event, pdapi_stream),
                u32::from(*stream_id),
            );
            w.u32(offset_of!(sctp_pdapi_event, pdapi_seq), mid.0);
            w.u32(offset_of!(sctp_pdapi_event, pdapi_assoc_id), a.id);
            w.0
        }
        Event::SendFailed {
            message,
            context,
            sent,
        }
        | Event::Abandoned {
            message,
            context,
            sent,
        } if want(SCTP_SEND_FAILED_EVENT) => {
            let mut w = Writer::new(size_of::<sctp_send_failed_event>(), SCTP_SEND_FAILED_EVENT);
            let flags = if *sent {
                SCTP_DATA_SENT
            } else {
                SCTP_DATA_UNSENT
            };
            w.u16(2, flags);
            let info = offset_of!(sctp_send_failed_event, ssfe_info);
            w.u16(info + offset_of!(sctp_sndinfo, snd_sid), message.stream_id);
            let unordered = if message.unordered { SCTP_UNORDERED } else { 0 };
            w.u16(info + offset_of!(sctp_sndinfo, snd_flags), unordered);
            w.u32(
                info + offset_of!(sctp_sndinfo, snd_ppid),
                message.ppid.0.to_be(),
            );
            w.u32(info + offset_of!(sctp_sndinfo, snd_context), *context);
            w.u32(info + offset_of!(sctp_sndinfo, snd_assoc_id), a.id);
            w.u32(offset_of!(sctp_send_failed_event, ssfe_assoc_id), a.id);
            w.extend(&message.payload);
            w.0
        }
        Event::StreamReset {
            incoming,
            streams,
            outcome,
        } if want(SCTP_STREAM_RESET_EVENT) => {
            let mut w = Writer::new(
                size_of::<sctp_stream_reset_event>(),
                SCTP_STREAM_RESET_EVENT,
            );
            let dir = if *incoming {
                SCTP_STREAM_RESET_INCOMING_SSN
            } else {
                SCTP_STREAM_RESET_OUTGOING_SSN
            };
            let flags =
                dir | outcome_flags(outcome, SCTP_STREAM_RESET_DENIED, SCTP_STREAM_RESET_FAILED);
            w.u16(2, flags);
            w.u32(offset_of!(sctp_stream_reset_event, strreset_assoc_id), a.id);
            let list: Vec<u8> = streams.iter().flat_map(|s| s.to_ne_bytes()).collect();
            w.extend(&list);
            w.0
        }
        Event::AssociationReset {
            local_tsn,
            remote_tsn,
            outcome,
        } if want(SCTP_ASSOC_RESET_EVENT) => {
            let mut w = Writer::new(size_of::<sctp_assoc_reset_event>(), SCTP_ASSOC_RESET_EVENT);
            w.u16(
                2,
                outcome_flags(outcome, SCTP_ASSOC_RESET_DENIED, SCTP_ASSOC_RESET_FAILED),
            );
            w.u32(
                offset_of!(sctp_assoc_reset_event, assocreset_assoc_id),
                a.id,
            );
            w.u32(
                offset_of!(sctp_assoc_reset_event, assocreset_local_tsn),
                local_tsn.0,
            );
            w.u32(
                offset_of!(sctp_assoc_reset_event, assocreset_remote_tsn),
                remote_tsn.0,
            );
            w.0
        }
        Event::StreamChange {
            inbound,
            outbound,
            outcome,
        } if want(SCTP_STREAM_CHANGE_EVENT) => {
            let mut w = Writer::new(
                size_of::<sctp_stream_change_event>(),
                SCTP_STREAM_CHANGE_EVENT,
            );
            w.u16(
                2,
                outcome_flags(
                    outcome,
                    SCTP_STREAM_CHANGE_DENIED,
                    SCTP_STREAM_CHANGE_FAILED,
                ),
            );
            w.u32(
                offset_of!(sctp_stream_change_event, strchange_assoc_id),
                a.id,
            );
            w.u16(
                offset_of!(sctp_stream_change_event, strchange_instrms),
                *inbound,
            );
            w.u16(
                offset_of!(sctp_stream_change_event, strchange_outstrms),
                *outbound,
            );
            w.0
        }
        _ => return None,
    })
}
