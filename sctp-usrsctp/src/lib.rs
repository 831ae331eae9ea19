//! usrsctp's C ABI on this project's sans-IO engine: built as
//! `libusrsctp.so.2` (soname and symbols as Debian's libusrsctp2), so a C
//! program written against usrsctp runs on this stack by loading this
//! library instead, without a line of its code changing.
//!
//! What is inside:
//! - [`abi`]: usrsctp.h's structs, unions and constants as `#[repr(C)]`
//!   Rust, checked against the installed header by `tests/layout.rs`;
//! - the stack (sockets, ports and associations driving
//!   [`sctp_core`]), safe Rust under one lock;
//! - the exported functions, which check every pointer, catch every panic
//!   and fail as usrsctp does: -1 or NULL with `errno` set.
//!
//! The three transports of usrsctp are there: raw IPv4/IPv6 SCTP sockets
//! (`usrsctp_init(0, ...)`, root or CAP_NET_RAW), UDP encapsulation (RFC
//! 6951, `usrsctp_init(port, ...)`), and AF_CONN, where the application
//! moves packets (`conn_output` and `usrsctp_conninput`), with usrsctp's
//! threads (timers, receiving, callbacks) or without them
//! (`usrsctp_init_nothreads` and `usrsctp_handle_timers`).
//!
//! From Rust the same functions are callable; an AF_CONN pair in one
//! process, as `ekr_loop` does it, with the packets passed by hand:
//!
//! ```
//! use usrsctp::abi::{AF_CONN, sockaddr_conn};
//! use usrsctp::*;
//!
//! // SAFETY (all calls): pointers to live locals of the right sizes.
//! unsafe {
//!     usrsctp_init_nothreads(0, None, None);
//!     let s = usrsctp_socket(AF_CONN, libc::SOCK_STREAM, libc::IPPROTO_SCTP, None, None, 0, std::ptr::null_mut());
//!     assert!(!s.is_null());
//!     let mut addr = sockaddr_conn::default();
//!     addr.sconn_family = AF_CONN as u16;
//!     addr.sconn_port = 5001u16.to_be();
//!     addr.sconn_addr = 0x1000 as *mut _;
//!     let len = std::mem::size_of::<sockaddr_conn>() as libc::socklen_t;
//!     assert_eq!(usrsctp_bind(s, (&raw mut addr).cast(), len), 0);
//!     usrsctp_close(s);
//!     assert_eq!(usrsctp_finish(), 0);
//! }
//! ```
#![allow(unreachable_pub)]

pub mod abi;
mod ffi;
pub mod handle;
mod sockaddr;
mod stack;

pub use ffi::api::*;
pub use ffi::misc::*;
pub use ffi::opts::*;
pub use handle::socket;
