//! Criterion benchmarks of the SCTP stack; run them with `cargo bench -p sctp-benches`.
//!
//! ```
//! assert_eq!(sctp_benches::FULL_DATA_PACKET_LEN, 1452);
//! ```

/// Size in bytes of a full SCTP packet in a 1,500-byte IPv4 MTU... minus the IPv4 header and slack: the packet the benches build.
pub const FULL_DATA_PACKET_LEN: usize = 1452;
