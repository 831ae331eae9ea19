//! A deterministic network simulator for sans-IO SCTP stacks: a seeded RNG,
//! a virtual clock that jumps to the next deadline, and per-direction loss,
//! duplication, reordering, delay, jitter, bandwidth, MTU and partitions.
//!
//! Two [`Host`]s exchange bare SCTP packets (common header and CRC32c)
//! through a [`Network`]; any stack can be a host. Two multi-homed
//! [`MultiHost`]s exchange them over the cuttable links of a [`MultiNet`].
//!
//! ```
//! use sctp_sim::{Link, Network, SctpHost};
//! use sctp_core::{AssociationConfig, Event};
//!
//! let mut net = Network::new(1, Link::default(), Link::default());
//! let cfg = AssociationConfig::default();
//! let mut a = SctpHost::client(net.now(), "198.18.0.1:5000", "198.18.0.2:5001", cfg.clone(), 1);
//! let mut b = SctpHost::server(net.now(), "198.18.0.2:5001", cfg, 2);
//! net.run_until(&mut a, &mut b, |a, _| a.connected(), std::time::Duration::from_secs(5));
//! assert!(a.connected());
//! ```

mod bulk;
pub mod dumbbell;
mod host;
pub mod multihome;
mod network;
pub mod peers;
pub mod reno;

pub use bulk::{BulkStats, bulk_transfer};
pub use host::{Host, SctpHost};
pub use multihome::{MultiHost, MultiNet, PathLink};
pub use network::{Link, Network};
pub use peers::{DcsctpHost, ProtoHost};
