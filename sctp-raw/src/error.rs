//! The crate's error type and its mapping onto `io::Error`.

use std::io;

use sctp_core::{CloseReason, ConfigError, SendError};

/// Errors of this crate.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A socket operation failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The message was refused: invalid stream, too large, empty, or the
    /// association no longer accepts data.
    #[error("send refused: {0}")]
    Send(SendError),
    /// A piece of a message sent with `end_of_record: false` was followed by
    /// one for another stream or PPID before the record ended.
    #[error(
        "a message in pieces must keep its stream and PPID until end of record (started on stream {stream_id}, PPID {ppid})"
    )]
    RecordMismatch {
        /// The stream the unfinished record is on.
        stream_id: u16,
        /// Its PPID.
        ppid: u32,
    },
    /// A message arriving in pieces grew past `max_message_size` and was
    /// dropped; later messages are still received. `recv_item` hands up
    /// the pieces instead, for messages of any size.
    #[error(transparent)]
    MessageTooLarge(#[from] sctp_core::MessageTooLarge),
    /// The association ended abnormally (abort, communication lost).
    #[error("association closed: {0}")]
    Closed(CloseReason),
    /// Association set-up timed out: INIT or COOKIE ECHO went unanswered.
    #[error("association set-up timed out")]
    SetupTimedOut,
    /// Opening a raw socket was not permitted.
    #[error(
        "raw IPPROTO_SCTP sockets need root or CAP_NET_RAW; run with that privilege or use Transport::Udp (SCTP over UDP, RFC 6951)"
    )]
    PermissionDenied,
    /// The engine refused to start the association (port 0, duplicate).
    #[error("cannot connect: {0}")]
    Connect(sctp_core::ConnectError),
    /// A setting was refused (names the field and why).
    #[error("bad setting: {0}")]
    Config(#[from] ConfigError),
    /// The address cannot be used with this endpoint (for example an IPv6
    /// peer for an endpoint bound to an IPv4 address).
    #[error("{addr} cannot be reached from an endpoint bound to {local}")]
    AddressFamily {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The endpoint's address.
        local: std::net::SocketAddr,
    },
    /// The addresses given to bind or connect do not go together.
    #[error("invalid addresses: {0}")]
    Addresses(&'static str),
    /// The address is not one of the peer's in this association.
    #[error(transparent)]
    Path(#[from] sctp_core::PathError),
    /// An address change was refused (RFC 5061).
    #[error(transparent)]
    Asconf(#[from] sctp_core::AsconfError),
    /// A stream reset or addition was refused (RFC 6525).
    #[error(transparent)]
    Reconfig(#[from] sctp_core::ReconfigError),
    /// The endpoint does not accept associations (created with `client`).
    #[error("this endpoint does not accept associations")]
    NotListening,
    /// The socket driver task has stopped.
    #[error("the socket driver has stopped")]
    DriverStopped,
}

impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        use io::ErrorKind as K;
        let kind = match &e {
            Error::Io(_) => {
                let Error::Io(inner) = e else { unreachable!() };
                return inner;
            }
            Error::Send(_)
            | Error::Connect(_)
            | Error::Config(_)
            | Error::RecordMismatch { .. }
            | Error::AddressFamily { .. }
            | Error::Addresses(_)
            | Error::Path(_)
            | Error::Asconf(_)
            | Error::Reconfig(_)
            | Error::NotListening => K::InvalidInput,
            Error::Closed(CloseReason::PeerAborted(_)) => K::ConnectionReset,
            Error::Closed(CloseReason::SetupTimedOut) | Error::SetupTimedOut => K::TimedOut,
            Error::Closed(_) | Error::DriverStopped => K::ConnectionAborted,
            Error::PermissionDenied => K::PermissionDenied,
            Error::MessageTooLarge(_) => K::InvalidData,
        };
        Self::new(kind, e)
    }
}

impl Error {
    /// The error for an association that ended: set-up timeouts get their own kind.
    pub(crate) fn closed(reason: &CloseReason) -> Self {
        match reason {
            CloseReason::SetupTimedOut => Self::SetupTimedOut,
            r => Self::Closed(r.clone()),
        }
    }
}
