//! SCTP on raw `IPPROTO_SCTP` sockets and UDP encapsulation (RFC 6951),
//! driving the sans-IO engine [`sctp_core`] from tokio.
//!
//! The API reads like `TcpListener`/`TcpStream`, but carries SCTP messages:
//! [`SctpListener`] accepts associations, [`SctpAssociation::connect`] starts
//! one, and [`SctpAssociation::send`]/[`SctpAssociation::recv`] move whole
//! [`Message`]s on numbered streams. Underneath both is [`SctpEndpoint`]
//! (the shape of `quinn::Endpoint`): one port, one socket per address
//! family, one driver task, and any number of associations it accepts or
//! starts; use it directly to choose a client's local address and port or
//! to run thousands of associations on one socket.
//!
//! Beyond the happy path an application gets what RFC 6458 gives C
//! programs, typed: per-message [`SendOptions`] and [`RecvInfo`],
//! notifications ([`AssociationEvent`]) in order with the messages
//! ([`SctpAssociation::recv_item`]) under an [`EventMask`],
//! [`SctpAssociation::status`] and [`SctpAssociation::stats`], settings
//! changed at run time ([`SctpAssociation::reconfigure`]), aborts with a
//! reason, split handles and `poll_*` methods.
//!
//! # Multi-homing
//!
//! [`SctpEndpoint::bind_all`] and [`SctpEndpoint::client_all`] bind several
//! addresses (`sctp_bindx`), IPv4 and IPv6 mixed, and list them to peers;
//! [`SctpEndpoint::connect_all`] (`sctp_connectx`) knows a peer by several.
//! Each packet leaves from our address that pairs with its path (the one
//! the route to the destination uses). The engine keeps a path per peer
//! address, verifies each with a heartbeat, fails over when the primary
//! stops answering and comes back when it recovers
//! ([`PathChange`] events, [`SctpAssociation::paths`],
//! [`SctpAssociation::set_primary`]). Addresses come and go at run time with
//! [`SctpEndpoint::add_local_address`] and
//! [`SctpEndpoint::remove_local_address`] (ASCONF with AUTH, RFC 5061 and
//! RFC 4895, to every peer that supports it).
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
//! Every endpoint (a listener, or the one `SctpAssociation::connect` makes)
//! owns one socket per address family and one driver task. Each engine
//! association sits behind a lock shared by the user's handles and the
//! driver: `send` hands the message to the engine and wakes the driver,
//! `recv` takes what the engine delivered, so the receive window the peer
//! sees is the engine's own accounting. The driver feeds received packets
//! and timer expiries (from a deadline heap) to the engine and sends what it
//! produces with batched `sendmmsg`. A raw socket sees every SCTP packet on
//! the host; a classic BPF filter lets only
//! packets for our ports through, so several independent stacks (processes)
//! can share a host without answering each other's packets. Port numbers are
//! reserved against other processes by binding a UDP socket to the same
//! number (for a listener's port and for ephemeral client ports, which are
//! drawn at random from 49152..=65535), so a UDP port equal to an SCTP port
//! in use on the same address family is unavailable.
//!
//! Once a client endpoint's last association has ended, its driver (over
//! raw IP) stays for [`EndpointSettings::linger`] (60 s), like TCP's
//! TIME-WAIT, to answer what the peer still sends: a SHUTDOWN ACK resent
//! because our SHUTDOWN COMPLETE was lost gets another one (RFC 9260
//! section 8.4). A server endpoint's well-known port, and a driver over UDP
//! (whose local port is fixed), are released at once.
//!
//! An endpoint bound to an unspecified address names the source of every
//! packet (`IP_PKTINFO`/`IPV6_PKTINFO`): replies leave from the address the
//! peer sent to, not from whichever one the kernel's routing prefers.
//!
//! The association settings' `ip_header_len` is set by this crate to match
//! the transport (20 for IPv4, 40 for IPv6, plus 8 for UDP; an endpoint on
//! `[::]` serving both families uses IPv6's). Packets are
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
//! assoc.send(Message::new(1, Ppid(51), Bytes::from_static(b"hello"))).await?;
//! let echoed = assoc.recv().await?.expect("an echo");
//! assert_eq!(&echoed.payload[..], b"hello");
//! assoc.shutdown().await?;
//! # Ok(())
//! # }
//! ```
//!
//! One endpoint for many associations: a Diameter agent on its well-known
//! port both accepts peers and dials them, over one socket per family:
//!
//! ```no_run
//! use sctp_raw::{Config, EventMask, SctpEndpoint, SendOptions, Message, Ppid, Delivery};
//!
//! # async fn run() -> Result<(), sctp_raw::Error> {
//! let endpoint = SctpEndpoint::bind("[::]:3868".parse().unwrap(), Config::default()).await?;
//! let peer = endpoint.connect("198.18.0.2:3868".parse().unwrap()).await?;
//! peer.set_event_mask(EventMask::ALL);
//! let cer = Message::new(0, Ppid(46), "CER");
//! peer.send_with(cer, &SendOptions::default().context(1).sack_immediately(true)).await?;
//! while let Some(item) = peer.recv_item().await? {
//!     match item {
//!         Delivery::Message(m, info) => println!("{} bytes, TSN {:?}", m.payload.len(), info.tsn),
//!         Delivery::Event(e) => println!("{e:?}"),
//!         _ => {}
//!     }
//! }
//! println!("{:?}", peer.stats());
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
mod config;
mod driver;
mod endpoint;
mod error;
mod event;
mod listener;
mod pcap;
mod shared;
#[allow(unsafe_code)]
mod sys;
mod transport;

pub use association::{RecvHalf, SctpAssociation, SendHalf};
pub use config::{Config, EndpointSettings, SCTP_UDP_PORT, Transport};
pub use endpoint::SctpEndpoint;
pub use error::Error;
pub use event::{AssociationEvent, Delivery, EventMask};
pub use listener::SctpListener;
pub use sctp_core::{
    AsconfError, AssociationConfig, AssociationStats, AssociationStatus, CauseCode, CloseReason,
    ConfigError, ErrorCause, Message, MessageTooLarge, Mid, PartialMessages, PathChange, PathError,
    PathState, PathStatus, Ppid, PrPolicy, ReconfigError, ReconfigOutcome, RecvInfo, SchedulerKind,
    SendError, SendOptions, StreamId, Tsn,
};

/// The time the engine is given: tokio's clock, so a paused clock in tests works.
pub(crate) fn now() -> std::time::Instant {
    tokio::time::Instant::now().into_std()
}
