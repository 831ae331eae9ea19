//! The application's C callbacks, and the calls to them the stack owes.
//! They are made with no lock held, since they call back into the library
//! (an echo server's `receive_cb` sends; `ekr_loop`'s closes its socket).

use std::ffi::c_void;

use crate::abi::{sctp_rcvinfo, sctp_sockstore};
use crate::handle::socket;

/// `receive_cb` of `usrsctp_socket`.
pub(crate) type ReceiveCb = unsafe extern "C" fn(
    sock: *mut socket,
    addr: sctp_sockstore,
    data: *mut c_void,
    datalen: usize,
    info: sctp_rcvinfo,
    flags: libc::c_int,
    ulp_info: *mut c_void,
) -> libc::c_int;

/// `send_cb` of `usrsctp_socket`.
pub(crate) type SendCb =
    unsafe extern "C" fn(sock: *mut socket, sb_free: u32, ulp_info: *mut c_void) -> libc::c_int;

/// `usrsctp_set_upcall`'s function.
pub(crate) type UpcallFn =
    unsafe extern "C" fn(sock: *mut socket, arg: *mut c_void, flags: libc::c_int);

/// `conn_output` of `usrsctp_init`.
pub(crate) type ConnOutput = unsafe extern "C" fn(
    addr: *mut c_void,
    buffer: *mut c_void,
    length: usize,
    tos: u8,
    set_df: u8,
) -> libc::c_int;

/// A call the stack owes the application.
pub(crate) enum Call {
    /// Data or a notification (`data` None: the end of the association).
    Receive {
        /// The socket's handle value.
        sock: usize,
        /// The callback.
        cb: ReceiveCb,
        /// The peer.
        from: super::addr::Peer,
        /// The bytes, handed over in `malloc`ed memory.
        data: Option<Vec<u8>>,
        /// Receive information.
        info: super::RcvInfo,
        /// MSG_NOTIFICATION, MSG_EOR.
        flags: i32,
        /// The socket's ulp_info.
        ulp_info: usize,
    },
    /// Send space is free.
    Send {
        /// The socket's handle value.
        sock: usize,
        /// The callback.
        cb: SendCb,
        /// Free bytes.
        free: u32,
        /// The socket's ulp_info.
        ulp_info: usize,
    },
    /// Readable/writable/error changed.
    Upcall {
        /// The socket's handle value.
        sock: usize,
        /// The callback.
        f: UpcallFn,
        /// Its argument.
        arg: usize,
    },
}
