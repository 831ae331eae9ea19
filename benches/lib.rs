//! Criterion benchmarks of the SCTP stack; run them with `cargo bench -p sctp-benches`.
//!
//! ```
//! assert_eq!(sctp_benches::FULL_DATA_PACKET_LEN, 1452);
//! ```

/// Size of the benchmarks' full packet: a 1,500-byte IPv6-safe payload budget
/// (1,500 - 40 IPv6 header - 8 slack), the figure SCTP stacks commonly fill.
pub const FULL_DATA_PACKET_LEN: usize = 1452;
