//! Shared code of the example programs `sctp-echo` and `sctp-perf`.
//!
//! ```
//! assert!(!sctp_examples::NAME.is_empty());
//! ```

/// The name the example programs report in their help text.
pub const NAME: &str = "sctp-examples";
