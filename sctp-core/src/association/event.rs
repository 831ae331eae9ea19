//! What an association tells its user: the polled event stream.

use std::fmt;
use std::net::SocketAddr;

use bytes::Bytes;

use crate::wire::cause::{self, Cause, CauseCode, UserInitiatedAbort};
use crate::{Ppid, Ssn, StreamId, Tsn};

/// A complete user message, sent or received.
///
/// Built with [`Message::new`] (fields may be added, so it cannot be written
/// as a literal outside this crate); its fields are public to read and change.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// The stream it travels on.
    pub stream_id: StreamId,
    /// Its payload protocol identifier.
    pub ppid: Ppid,
    /// Whether it is delivered without regard to stream order.
    pub unordered: bool,
    /// The user data.
    pub payload: Bytes,
}

/// What the engine knows of a received message (RFC 6458 sctp_rcvinfo).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecvInfo {
    /// The stream sequence number it carried (0 for an unordered message;
    /// the low 16 bits of the MID with I-DATA).
    pub ssn: Ssn,
    /// Its message identifier with I-DATA (RFC 8260 section 2.1); the SSN with DATA.
    pub mid: crate::Mid,
    /// The TSN of the message's last fragment.
    pub tsn: Tsn,
    /// Our cumulative TSN ack point when the message was delivered.
    pub cumulative_tsn: Tsn,
    /// Whether this ends the message (RFC 6458 MSG_EOR): always, but in
    /// partial delivery, where the message comes in pieces and only the
    /// last has it. Pieces of one message share stream, `unordered` and
    /// `mid`; [`crate::PartialMessages`] joins them.
    pub end_of_record: bool,
}

impl Message {
    /// An ordered message on `stream_id` (set `unordered` for the other kind).
    pub fn new(stream_id: StreamId, ppid: Ppid, payload: impl Into<Bytes>) -> Self {
        Self {
            stream_id,
            ppid,
            unordered: false,
            payload: payload.into(),
        }
    }

    /// The same message, delivered without regard to stream order or not.
    #[must_use]
    pub fn with_unordered(mut self, unordered: bool) -> Self {
        self.unordered = unordered;
        self
    }
}

/// An error cause as an owned value (code plus cause information), for events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorCause {
    /// The cause code (RFC 9260 section 3.3.10).
    pub code: CauseCode,
    /// The cause-specific information, without the TLV header.
    pub info: Vec<u8>,
}

impl ErrorCause {
    /// An owned copy of a typed cause.
    pub fn of<'a>(c: impl Into<Cause<'a>>) -> Self {
        Self::from_wire(&c.into())
    }

    /// Copies a wire cause.
    pub fn from_wire(c: &Cause<'_>) -> Self {
        let mut buf = vec![0u8; c.tlv_len()];
        let n = c.emit(&mut buf).unwrap_or(0);
        let len = if n >= 4 {
            usize::from(u16::from_be_bytes([buf[2], buf[3]])).min(n)
        } else {
            4
        };
        Self {
            code: CauseCode(c.cause_code()),
            info: buf.get(4..len).unwrap_or_default().to_vec(),
        }
    }
}

impl ErrorCause {
    /// A User-Initiated Abort cause (RFC 9260 section 3.3.10.12) carrying
    /// the upper layer's `reason` bytes, for [`super::Association::abort`].
    pub fn user_initiated_abort(reason: &[u8]) -> Self {
        Self::from_wire(&Cause::UserInitiatedAbort(UserInitiatedAbort { reason }))
    }
}

impl fmt::Display for ErrorCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut tlv = Vec::with_capacity(4 + self.info.len());
        tlv.extend_from_slice(&self.code.0.to_be_bytes());
        tlv.extend_from_slice(&((4 + self.info.len()) as u16).to_be_bytes());
        tlv.extend_from_slice(&self.info);
        match cause::parse_all(&tlv)
            .ok()
            .and_then(|v| v.into_iter().next())
        {
            Some(c) => fmt::Display::fmt(&c, f),
            None => write!(f, "cause {} ({} bytes)", self.code, self.info.len()),
        }
    }
}

/// Why an association ended without a graceful shutdown.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The peer sent ABORT with these causes.
    PeerAborted(Vec<ErrorCause>),
    /// We sent ABORT: the user asked, or the peer violated the protocol (the cause we sent).
    LocalAbort(Vec<ErrorCause>),
    /// The peer stopped answering: Association.Max.Retrans consecutive
    /// retransmissions or heartbeats went unanswered (RFC 9260 section 8.1).
    CommunicationLost,
    /// Set-up failed: INIT or COOKIE ECHO went unanswered Max.Init.Retransmits times (section 5.1).
    SetupTimedOut,
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, v: &[ErrorCause]| {
            for (i, c) in v.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{c}")?;
            }
            Ok(())
        };
        match self {
            Self::PeerAborted(v) => {
                f.write_str("peer aborted: ")?;
                list(f, v)
            }
            Self::LocalAbort(v) => {
                f.write_str("aborted locally: ")?;
                list(f, v)
            }
            Self::CommunicationLost => f.write_str("communication lost"),
            Self::SetupTimedOut => f.write_str("association set-up timed out"),
        }
    }
}

/// What happened to a path (RFC 6458 section 6.1.2 spc_state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PathChange {
    /// Answers again after being potentially failed or unreachable (SCTP_ADDR_AVAILABLE).
    Available,
    /// More than Path.Max.Retrans consecutive errors (SCTP_ADDR_UNREACHABLE).
    Unreachable,
    /// More than PotentiallyFailed.Max.Retrans errors (RFC 7829; SCTP_ADDR_POTENTIALLY_FAILED).
    PotentiallyFailed,
    /// A heartbeat verified the address (RFC 9260 section 5.4; SCTP_ADDR_CONFIRMED).
    Confirmed,
    /// The peer's address was added to the association (SCTP_ADDR_ADDED).
    Added,
    /// The peer's address was removed from the association (SCTP_ADDR_REMOVED).
    Removed,
    /// The path became the primary (SCTP_ADDR_MADE_PRIM).
    MadePrimary,
}

/// What became of a stream reconfiguration request (RFC 6525 section 4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReconfigOutcome {
    /// Done (Success - Performed, or Success - Nothing to do).
    Performed,
    /// The peer refused it (Denied).
    Denied,
    /// The peer answered with an error (Wrong SSN, Request already in
    /// progress, Bad Sequence Number).
    Failed,
}

/// Something the user should know, from [`super::Association::poll_event`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The association is established (COMMUNICATION UP, RFC 9260 section 10.2).
    Connected,
    /// A message arrived, with what the engine knows of it; in partial
    /// delivery, a piece of one (see [`RecvInfo::end_of_record`]).
    Message(Message, RecvInfo),
    /// A message being delivered in pieces will not be completed: the
    /// sender abandoned it or the stream was reset (RFC 6458
    /// SCTP_PARTIAL_DELIVERY_EVENT, SCTP_PARTIAL_DELIVERY_ABORTED). The
    /// pieces already read are all there is.
    PartialDeliveryAborted {
        /// Its stream.
        stream_id: StreamId,
        /// Whether it was unordered.
        unordered: bool,
        /// Its MID (with DATA, its SSN; 0 if unordered).
        mid: crate::Mid,
    },
    /// A message was not delivered to the peer before the association ended
    /// (SEND FAILURE, RFC 9260 section 10.2; RFC 6458 SCTP_SEND_FAILED_EVENT).
    SendFailed {
        /// The message that failed.
        message: Message,
        /// The context given in [`super::SendOptions`] (0 for plain `send`).
        context: u32,
        /// Whether at least one fragment of it had been put on the wire.
        sent: bool,
    },
    /// A partially reliable message was abandoned (RFC 3758 section 3.5,
    /// RFC 7496; RFC 6458 SCTP_SEND_FAILED_EVENT): its policy gave up on
    /// it, or a message of higher priority took its room. If `sent`, some
    /// of it went on the wire: the peer may have received it whole before
    /// the FORWARD TSN (SCTP_DATA_SENT); otherwise the peer never learns
    /// of it (SCTP_DATA_UNSENT).
    Abandoned {
        /// The whole message.
        message: Message,
        /// The context given in [`super::SendOptions`].
        context: u32,
        /// Whether at least one fragment of it had been put on the wire.
        sent: bool,
    },
    /// Streams were reset, or a reset was refused (RFC 6525; RFC 6458
    /// SCTP_STREAM_RESET_EVENT): `incoming` for the peer's outgoing streams,
    /// else ours. An empty list means every stream.
    StreamReset {
        /// Whether they are the streams the peer sends on.
        incoming: bool,
        /// The streams.
        streams: Vec<StreamId>,
        /// What became of the reset.
        outcome: ReconfigOutcome,
    },
    /// Both TSN spaces and every stream were reset (RFC 6525 section 5.1.4;
    /// RFC 6458 SCTP_ASSOC_RESET_EVENT), or that was refused.
    AssociationReset {
        /// The TSN our next DATA carries.
        local_tsn: Tsn,
        /// The TSN the peer's next DATA carries.
        remote_tsn: Tsn,
        /// What became of the reset.
        outcome: ReconfigOutcome,
    },
    /// Streams were added (RFC 6525 section 5.1.5; RFC 6458
    /// SCTP_STREAM_CHANGE_EVENT), or an addition was refused.
    StreamChange {
        /// Streams the peer may send on now.
        inbound: u16,
        /// Streams we may send on now.
        outbound: u16,
        /// What became of the request.
        outcome: ReconfigOutcome,
    },
    /// The peer sent an ERROR chunk with these causes that the engine did not
    /// act on itself (RFC 9260 section 10.2; RFC 6458 SCTP_REMOTE_ERROR).
    RemoteError(Vec<ErrorCause>),
    /// Everything the user sent has been acknowledged and nothing is queued
    /// (RFC 6458 SCTP_SENDER_DRY_EVENT).
    SenderDry,
    /// The peer restarted; queued data was kept, in-flight data was lost (RESTART).
    PeerRestarted,
    /// A path to the peer changed (NETWORK STATUS CHANGE, RFC 9260 section
    /// 10.2; RFC 6458 SCTP_PEER_ADDR_CHANGE). An unreachable path of a
    /// single-homed association still carries data: there is no other, and
    /// only Association.Max.Retrans ends it.
    PathChange {
        /// The peer's address on that path.
        address: SocketAddr,
        /// What happened to it.
        change: PathChange,
    },
    /// The peer's Adaptation Layer Indication from its INIT or INIT ACK
    /// (RFC 5061 section 4.2.5; RFC 6458 SCTP_ADAPTATION_INDICATION).
    AdaptationIndication(u32),
    /// The graceful shutdown finished (SHUTDOWN COMPLETE).
    ShutdownComplete,
    /// The peer started a graceful shutdown: no more data will arrive.
    ShutdownReceived,
    /// The association ended abnormally (COMMUNICATION LOST).
    Closed(CloseReason),
}
