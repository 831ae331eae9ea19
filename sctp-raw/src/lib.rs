//! SCTP on raw `IPPROTO_SCTP` sockets and UDP encapsulation (RFC 6951), driving
//! [`sctp_core`] from tokio.
//!
//! The transport is built in a later milestone; today this crate re-exports the
//! engine so the workspace layout is in place.
//!
//! ```
//! let _ = sctp_raw::core::wire::CommonHeader::LEN;
//! ```

pub use sctp_core as core;
