//! SCTP on raw `IPPROTO_SCTP` sockets and UDP encapsulation (RFC 6951),
//! driving the sans-IO engine [`sctp_core`] from tokio.
//!
//! The API reads like `TcpListener`/`TcpStream`, but carries SCTP messages:
//! [`SctpListener`] accepts associations, [`SctpAssociation::connect`] starts
//! one, and [`SctpAssociation::send`]/[`SctpAssociation::recv`] move whole
//! [`Message`]s on numbered streams.
//!
//! # Privileges
//!
//! [`Transport::Raw`] (the default) opens `SOCK_RAW` `IPPROTO_SCTP` sockets,
//! which need root or `CAP_NET_RAW`; without them you get
//! [`Error::PermissionDenied`]. [`Transport::Udp`] encapsulates SCTP in UDP
//! (RFC 6951) and runs without any privilege. This crate never opens a kernel
//! SCTP socket (`SOCK_STREAM`/`SOCK_SEQPACKET`), so the kernel's own SCTP
//! module is never loaded.
//!
//! # How it runs
//!
//! Every listener, and every association started with `connect`, owns one
//! socket and one driver task. The driver feeds received packets and timer
//! expiries to the engine, sends what the engine produces with batched
//! `sendmmsg`, and hands messages and events to the user handles. A raw
//! socket sees every SCTP packet on the host; a classic BPF filter lets only
//! packets for our ports through, so several independent stacks (processes)
//! can share a host without answering each other's packets. Port numbers are
//! reserved against other processes by binding a UDP socket to the same
//! number (for a listener's port and for ephemeral client ports, which are
//! drawn at random from 49152..=65535), so a UDP port equal to an SCTP port
//! in use on the same address family is unavailable.
//!
//! Once a client's association has ended, its driver (over raw IP) stays
//! for `sctp_core::EndpointConfig::linger` (60 s), like TCP's TIME-WAIT, to
//! answer what the peer still sends: a SHUTDOWN ACK resent because our
//! SHUTDOWN COMPLETE was lost gets another one (RFC 9260 section 8.4). A
//! driver over UDP, whose local port is fixed, releases it at once.
//!
//! The association settings' `ip_header_len` is set by this crate to match
//! the transport (20 for IPv4, 40 for IPv6, plus 8 for UDP). Packets are
//! sent with DF set; ICMP "fragmentation needed"/"packet too big" reports
//! (read from the socket error queue) lower the association's path MTU at
//! once. New data is fragmented to it; a chunk sent before the drop is
//! retransmitted whole and goes out with IP fragmentation.
//!
//! # Example
//!
//! ```no_run
//! use bytes::Bytes;
//! use sctp_raw::{Config, Message, Ppid, SctpAssociation, SctpListener};
//!
//! # async fn run() -> Result<(), sctp_raw::Error> {
//! let listener = SctpListener::bind("127.0.0.1:5000".parse().unwrap(), Config::default()).await?;
//! tokio::spawn(async move {
//!     while let Ok((assoc, _peer)) = listener.accept().await {
//!         tokio::spawn(async move {
//!             // Echo every message back on its stream.
//!             while let Ok(Some(msg)) = assoc.recv().await {
//!                 if assoc.send(msg).await.is_err() {
//!                     break;
//!                 }
//!             }
//!         });
//!     }
//! });
//!
//! let assoc = SctpAssociation::connect("127.0.0.1:5000".parse().unwrap(), Config::default()).await?;
//! assoc.send(Message { stream_id: 1, ppid: Ppid(51), unordered: false, payload: Bytes::from_static(b"hello") }).await?;
//! let echoed = assoc.recv().await?.expect("an echo");
//! assert_eq!(&echoed.payload[..], b"hello");
//! assoc.shutdown().await?;
//! # Ok(())
//! # }
//! ```
//!
//! Building a configuration (UDP encapsulation needs no privilege):
//!
//! ```
//! use std::time::Duration;
//! use sctp_raw::{AssociationConfig, Config, Transport};
//!
//! let config = Config::udp(0, 9899)
//!     .association(AssociationConfig::default().rto_min(Duration::from_millis(200)));
//! assert!(matches!(config.transport, Transport::Udp { local_port: 0, remote_port: 9899 }));
//! assert_eq!(config.association.rto_min, Duration::from_millis(200));
//! ```

mod association;
mod bpf;
mod driver;
mod listener;
#[allow(unsafe_code)]
mod sys;
mod transport;

use std::io;

pub use association::SctpAssociation;
pub use listener::SctpListener;
pub use sctp_core::{AssociationConfig, CloseReason, Message, Ppid, SendError};

/// The UDP port IANA assigned to SCTP over UDP (RFC 6951).
pub const SCTP_UDP_PORT: u16 = 9899;

/// How SCTP packets travel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Transport {
    /// Raw `IPPROTO_SCTP` sockets (needs root or `CAP_NET_RAW`).
    #[default]
    Raw,
    /// UDP encapsulation (RFC 6951), no privilege needed.
    Udp {
        /// Our UDP port (0 picks any free port, fine for a client).
        local_port: u16,
        /// The peer's UDP port for associations we start; a server answers
        /// each peer at the UDP port it used (RFC 6951 section 5.4).
        remote_port: u16,
    },
}

impl Transport {
    /// UDP encapsulation on the standard port 9899 at both ends.
    pub fn udp() -> Self {
        Self::Udp {
            local_port: SCTP_UDP_PORT,
            remote_port: SCTP_UDP_PORT,
        }
    }
}

/// Settings for a listener or an association.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The engine's per-association settings (`ip_header_len` is set to fit the transport).
    pub association: AssociationConfig,
    /// The transport; raw sockets by default.
    pub transport: Transport,
}

impl Config {
    /// UDP encapsulation with the given local and remote UDP ports.
    pub fn udp(local_port: u16, remote_port: u16) -> Self {
        Self {
            association: AssociationConfig::default(),
            transport: Transport::Udp {
                local_port,
                remote_port,
            },
        }
    }

    /// Sets the association settings.
    #[must_use]
    pub fn association(mut self, association: AssociationConfig) -> Self {
        self.association = association;
        self
    }

    /// Sets the transport.
    #[must_use]
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }
}

/// Non-message events of an association, from [`SctpAssociation::next_event`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AssociationEvent {
    /// The peer restarted; in-flight data was lost.
    PeerRestarted,
    /// The peer started a graceful shutdown: no more data will arrive.
    ShutdownReceived,
    /// The graceful shutdown finished.
    ShutdownComplete,
    /// The association ended abnormally.
    Closed(CloseReason),
    /// A message was not delivered before the association ended.
    SendFailed(Message),
}

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
            Error::Send(_) | Error::Connect(_) => K::InvalidInput,
            Error::Closed(CloseReason::PeerAborted(_)) => K::ConnectionReset,
            Error::Closed(CloseReason::SetupTimedOut) | Error::SetupTimedOut => K::TimedOut,
            Error::Closed(_) | Error::DriverStopped => K::ConnectionAborted,
            Error::PermissionDenied => K::PermissionDenied,
        };
        Self::new(kind, e)
    }
}

/// The time the engine is given: tokio's clock, so a paused clock in tests works.
pub(crate) fn now() -> std::time::Instant {
    tokio::time::Instant::now().into_std()
}
