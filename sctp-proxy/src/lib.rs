//! `sctp-proxy`: a message-aware SCTP proxy and load balancer on the
//! userspace stack ([`sctp_raw`]), the program kernel SCTP's socket API
//! cannot give.
//!
//! It accepts associations on its front side and relays every message to a
//! backend association, keeping its stream, PPID and unordered flag, and the
//! answers back the same way. Per listener it balances per association (a
//! front association is pinned to one backend) or per message (each message
//! to the least-loaded backend, optionally with affinity by PPID or stream),
//! filters by PPID, stream, size and rate, finds backends statically or by
//! DNS SRV and A/AAAA records (re-resolved at their TTL), marks failed ones
//! down and retries them with backoff, serves `/healthz`, `/readyz` and
//! Prometheus `/metrics`, and drains gracefully.
//!
//! # Example
//!
//! A configuration, checked before anything starts:
//!
//! ```
//! use sctp_proxy::config::{Mode, ProxyConfig};
//!
//! let config = ProxyConfig::from_toml(
//!     r#"
//!     metrics = "127.0.0.1:9090"
//!     [[listener]]
//!     listen = ["0.0.0.0:3868"]
//!     mode = "message"
//!     allow-ppid = [46]
//!     [listener.backends]
//!     static = ["198.18.2.2:3868", "198.18.3.2:3868"]
//!     "#,
//!     "example",
//! )
//! .unwrap();
//! config.check().unwrap();
//! assert_eq!(config.listeners[0].mode, Mode::Message);
//! ```
//!
//! Running it (raw sockets need `CAP_NET_RAW`):
//!
//! ```no_run
//! # async fn run(config: sctp_proxy::config::ProxyConfig) -> Result<(), sctp_proxy::StartError> {
//! let proxy = sctp_proxy::Proxy::start(&config).await?;
//! tokio::signal::ctrl_c().await.ok();
//! proxy.drain().await;
//! # Ok(())
//! # }
//! ```

pub mod backend;
pub mod config;
pub mod filter;
pub mod http;
pub mod metrics;
mod proxy;
mod relay;
pub mod resolve;

pub use proxy::{Proxy, StartError};
