//! node-guard: makes Kubernetes nodes safe for userspace SCTP.
//!
//! A userspace SCTP stack sends and receives through raw `IPPROTO_SCTP` sockets. If the
//! kernel's own SCTP module (lksctp, `sctp.ko`) loads, it answers the same packets and
//! aborts the userspace associations. node-guard decides the kernel SCTP state of a node
//! ([`facts::Facts::read`], then the pure [`state::decide`]), blocks the module with a modprobe.d drop-in ([`block`]), watches for
//! it loading ([`watch`]) and dedicates Kubernetes nodes to userspace SCTP ([`k8s`]).
//!
//! node-guard never opens a kernel SCTP socket: that is exactly what autoloads lksctp.
//!
//! ```
//! use node_guard::hostroot::HostRoot;
//! use node_guard::state::{assess, SctpState, Verdict};
//!
//! // A host root where sctp is loaded (as read from its /proc/modules).
//! let root = std::env::temp_dir().join(format!("node-guard-doctest-{}", std::process::id()));
//! std::fs::create_dir_all(root.join("proc/sys/kernel")).unwrap();
//! std::fs::write(root.join("proc/sys/kernel/osrelease"), "6.1.0-18-amd64\n").unwrap();
//! std::fs::write(
//!     root.join("proc/modules"),
//!     "sctp 434176 2 sctp_diag, Live 0x0000000000000000\nsctp_diag 16384 0 - Live 0x0000000000000000\n",
//! ).unwrap();
//!
//! let a = assess(&HostRoot::new(&root));
//! assert_eq!(a.state, SctpState::Loaded);
//! assert_eq!(a.verdict(), Verdict::Violation);
//! assert_eq!(a.evidence[0].file, "/proc/modules");
//! assert_eq!(a.evidence[0].line, Some(1));
//! std::fs::remove_dir_all(&root).unwrap();
//! ```

pub mod block;
pub mod census;
pub mod cli;
pub mod facts;
pub mod guard;
pub mod hostroot;
pub mod k8s;
pub mod kernel;
pub mod metrics;
pub mod modprobe;
pub mod report;
pub mod rules;
pub mod run;
pub mod shell;
pub mod state;
pub mod uevent;
pub mod watch;
