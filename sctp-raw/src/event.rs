//! What an association tells its user besides messages: notifications in the
//! shape of RFC 6458 section 6.1, the mask that selects them, and the single
//! ordered stream of messages and notifications.

use std::net::SocketAddr;
use std::ops::{BitOr, BitOrAssign};

use sctp_core::{
    CloseReason, ErrorCause, Event, Message, PathChange, ReconfigOutcome, RecvInfo, StreamId, Tsn,
};

/// A notification (RFC 6458 section 6.1), from
/// [`crate::SctpAssociation::next_event`] or [`crate::SctpAssociation::recv_item`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AssociationEvent {
    /// The association is established (`SCTP_ASSOC_CHANGE`, `SCTP_COMM_UP`).
    Connected {
        /// Streams we may send on.
        outbound_streams: u16,
        /// Streams the peer may send on.
        inbound_streams: u16,
    },
    /// The peer restarted; in-flight data was lost (`SCTP_RESTART`).
    PeerRestarted,
    /// The peer started a graceful shutdown: no more data will arrive
    /// (`SCTP_SHUTDOWN_EVENT`).
    ShutdownReceived,
    /// The graceful shutdown finished (`SCTP_SHUTDOWN_COMP`).
    ShutdownComplete,
    /// The association ended abnormally (`SCTP_COMM_LOST`, `SCTP_CANT_STR_ASSOC`).
    Closed(CloseReason),
    /// A message was not delivered before the association ended
    /// (`SCTP_SEND_FAILED_EVENT`).
    SendFailed {
        /// The message, whole.
        message: Message,
        /// The context given with [`crate::SendOptions::context`].
        context: u32,
        /// Whether some of it had been put on the wire (`SCTP_DATA_SENT`
        /// rather than `SCTP_DATA_UNSENT`).
        sent: bool,
    },
    /// A partially reliable message was abandoned under its policy
    /// (RFC 7496; `SCTP_SEND_FAILED_EVENT` for a PR-SCTP message). If
    /// `sent`, the peer may still have received it whole.
    Abandoned {
        /// The message, whole.
        message: Message,
        /// The context given with [`crate::SendOptions::context`].
        context: u32,
        /// Whether some of it had been put on the wire.
        sent: bool,
    },
    /// A path to a peer address changed: confirmed, potentially failed,
    /// unreachable, available again, added, removed or made primary
    /// (`SCTP_PEER_ADDR_CHANGE`).
    PeerAddressChange {
        /// The peer address.
        address: SocketAddr,
        /// What happened to it.
        change: PathChange,
    },
    /// The peer sent an ERROR chunk (`SCTP_REMOTE_ERROR`), with its causes.
    RemoteError(Vec<ErrorCause>),
    /// Everything sent has been acknowledged and nothing is queued
    /// (`SCTP_SENDER_DRY_EVENT`).
    SenderDry,
    /// The peer's Adaptation Layer Indication (RFC 5061 section 4.2.5;
    /// `SCTP_ADAPTATION_INDICATION`).
    AdaptationIndication(u32),
    /// Streams were reset, or a reset was refused (RFC 6525;
    /// `SCTP_STREAM_RESET_EVENT`). An empty list means every stream.
    StreamReset {
        /// The peer's outgoing streams (`SCTP_STREAM_RESET_INCOMING_SSN`), else ours.
        incoming: bool,
        /// The streams.
        streams: Vec<StreamId>,
        /// What became of the reset.
        outcome: ReconfigOutcome,
    },
    /// The association's TSNs and streams were reset (`SCTP_ASSOC_RESET_EVENT`).
    AssociationReset {
        /// The TSN our next message starts at.
        local_tsn: Tsn,
        /// The TSN the peer's next message starts at.
        remote_tsn: Tsn,
        /// What became of the reset.
        outcome: ReconfigOutcome,
    },
    /// A message being received in pieces will not be completed: the peer
    /// abandoned it or reset its stream (`SCTP_PARTIAL_DELIVERY_EVENT` with
    /// `SCTP_PARTIAL_DELIVERY_ABORTED`). `recv` drops what it held of it.
    PartialDeliveryAborted {
        /// Its stream.
        stream_id: StreamId,
        /// Whether it was unordered.
        unordered: bool,
        /// Its MID (its SSN without I-DATA; 0 if unordered).
        mid: sctp_core::Mid,
    },
    /// Streams were added, or an addition was refused (`SCTP_STREAM_CHANGE_EVENT`).
    StreamChange {
        /// Streams the peer may send on.
        inbound: u16,
        /// Streams we may send on.
        outbound: u16,
        /// What became of the request.
        outcome: ReconfigOutcome,
    },
}

impl AssociationEvent {
    /// The notification an engine event stands for (messages are not notifications).
    pub(crate) fn from_core(ev: Event, streams: (u16, u16)) -> Option<Self> {
        Some(match ev {
            Event::Connected => Self::Connected {
                outbound_streams: streams.0,
                inbound_streams: streams.1,
            },
            Event::PeerRestarted => Self::PeerRestarted,
            Event::ShutdownReceived => Self::ShutdownReceived,
            Event::ShutdownComplete => Self::ShutdownComplete,
            Event::Closed(r) => Self::Closed(r),
            Event::SendFailed {
                message,
                context,
                sent,
            } => Self::SendFailed {
                message,
                context,
                sent,
            },
            Event::Abandoned {
                message,
                context,
                sent,
            } => Self::Abandoned {
                message,
                context,
                sent,
            },
            Event::PathChange { address, change } => Self::PeerAddressChange { address, change },
            Event::RemoteError(causes) => Self::RemoteError(causes),
            Event::SenderDry => Self::SenderDry,
            Event::AdaptationIndication(code) => Self::AdaptationIndication(code),
            Event::StreamReset {
                incoming,
                streams,
                outcome,
            } => Self::StreamReset {
                incoming,
                streams,
                outcome,
            },
            Event::AssociationReset {
                local_tsn,
                remote_tsn,
                outcome,
            } => Self::AssociationReset {
                local_tsn,
                remote_tsn,
                outcome,
            },
            Event::StreamChange {
                inbound,
                outbound,
                outcome,
            } => Self::StreamChange {
                inbound,
                outbound,
                outcome,
            },
            Event::PartialDeliveryAborted {
                stream_id,
                unordered,
                mid,
            } => Self::PartialDeliveryAborted {
                stream_id,
                unordered,
                mid,
            },
            _ => return None,
        })
    }

    /// The mask bit that selects this kind.
    pub fn kind(&self) -> EventMask {
        match self {
            Self::Connected { .. } => EventMask::COMMUNICATION_UP,
            Self::PeerRestarted | Self::ShutdownComplete | Self::Closed(_) => {
                EventMask::ASSOCIATION_CHANGE
            }
            Self::ShutdownReceived => EventMask::SHUTDOWN,
            Self::SendFailed { .. } | Self::Abandoned { .. } => EventMask::SEND_FAILURE,
            Self::PeerAddressChange { .. } => EventMask::PEER_ADDRESS_CHANGE,
            Self::RemoteError(_) => EventMask::REMOTE_ERROR,
            Self::SenderDry => EventMask::SENDER_DRY,
            Self::AdaptationIndication(_) => EventMask::ADAPTATION,
            Self::StreamReset { .. } => EventMask::STREAM_RESET,
            Self::AssociationReset { .. } => EventMask::ASSOCIATION_RESET,
            Self::StreamChange { .. } => EventMask::STREAM_CHANGE,
            Self::PartialDeliveryAborted { .. } => EventMask::PARTIAL_DELIVERY,
        }
    }
}

/// Which notifications an association reports (RFC 6458 `SCTP_EVENT`);
/// combine with `|`.
///
/// The default is every kind but two: [`COMMUNICATION_UP`](Self::COMMUNICATION_UP),
/// which only restates that `connect`/`accept` resolved, and
/// [`SENDER_DRY`](Self::SENDER_DRY), which fires whenever the send buffer
/// empties. Subscribe to them when wanted, for example with [`EventMask::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventMask(u32);

impl EventMask {
    /// No notification.
    pub const NONE: Self = Self(0);
    /// Restarted, shut down, closed (`SCTP_ASSOC_CHANGE`, `SCTP_RESTART`).
    pub const ASSOCIATION_CHANGE: Self = Self(1);
    /// Established (`SCTP_ASSOC_CHANGE` with `SCTP_COMM_UP`).
    pub const COMMUNICATION_UP: Self = Self(1 << 6);
    /// Peer address changes (`SCTP_PEER_ADDR_CHANGE`).
    pub const PEER_ADDRESS_CHANGE: Self = Self(1 << 1);
    /// ERROR chunks from the peer (`SCTP_REMOTE_ERROR`).
    pub const REMOTE_ERROR: Self = Self(1 << 2);
    /// Messages given back undelivered (`SCTP_SEND_FAILED_EVENT`).
    pub const SEND_FAILURE: Self = Self(1 << 3);
    /// The peer's SHUTDOWN (`SCTP_SHUTDOWN_EVENT`).
    pub const SHUTDOWN: Self = Self(1 << 4);
    /// All data acknowledged (`SCTP_SENDER_DRY_EVENT`).
    pub const SENDER_DRY: Self = Self(1 << 5);
    /// The peer's Adaptation Layer Indication (`SCTP_ADAPTATION_INDICATION`).
    pub const ADAPTATION: Self = Self(1 << 7);
    /// Stream resets (`SCTP_STREAM_RESET_EVENT`).
    pub const STREAM_RESET: Self = Self(1 << 8);
    /// Association resets (`SCTP_ASSOC_RESET_EVENT`).
    pub const ASSOCIATION_RESET: Self = Self(1 << 9);
    /// Streams added (`SCTP_STREAM_CHANGE_EVENT`).
    pub const STREAM_CHANGE: Self = Self(1 << 10);
    /// Partial deliveries cut short (`SCTP_PARTIAL_DELIVERY_EVENT`).
    pub const PARTIAL_DELIVERY: Self = Self(1 << 11);
    /// Every notification.
    pub const ALL: Self = Self((1 << 12) - 1);

    /// Whether every bit of `other` is set here.
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// This mask without `other`'s bits.
    #[must_use]
    pub fn without(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }
}

impl Default for EventMask {
    fn default() -> Self {
        Self::ALL
            .without(Self::COMMUNICATION_UP)
            .without(Self::SENDER_DRY)
    }
}

impl BitOr for EventMask {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

impl BitOrAssign for EventMask {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0;
    }
}

/// One item of an association's ordered stream: a message with what is
/// known of it, or a notification, in the order the engine produced them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivery {
    /// A message and its receive information (RFC 6458 `sctp_rcvinfo`); in
    /// partial delivery a piece of one, the last with
    /// [`RecvInfo::end_of_record`] (`MSG_EOR`).
    Message(Message, RecvInfo),
    /// A notification the event mask selects.
    Event(AssociationEvent),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_combines_and_removes_kinds() {
        let m = EventMask::SHUTDOWN | EventMask::SENDER_DRY;
        assert!(m.contains(EventMask::SHUTDOWN));
        assert!(!m.contains(EventMask::ASSOCIATION_CHANGE));
        assert!(EventMask::ALL.contains(m));
        assert_eq!(m.without(EventMask::SHUTDOWN), EventMask::SENDER_DRY);
        assert!(!EventMask::default().contains(EventMask::SENDER_DRY));
        assert!(!EventMask::default().contains(EventMask::COMMUNICATION_UP));
        assert!(EventMask::default().contains(EventMask::ASSOCIATION_CHANGE));
        assert_eq!(
            AssociationEvent::RemoteError(Vec::new()).kind(),
            EventMask::REMOTE_ERROR
        );
    }
}
