//! The exported C functions. Every one checks its pointers, catches panics
//! ([`guard`]) and reports failure as usrsctp does: -1 (or NULL) with
//! `errno` set. The work happens in [`crate::stack`] under its lock; what
//! it produced (packets, calls to the application) is carried out here
//! after the lock is released ([`driver`]).
#![allow(unsafe_code)]

pub(crate) mod api;
pub(crate) mod driver;
pub(crate) mod misc;
pub(crate) mod opts;

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::stack::Errno;

/// Sets the calling thread's `errno`.
pub(crate) fn set_errno(e: Errno) {
    // SAFETY: __errno_location returns the calling thread's errno slot.
    unsafe { *libc::__errno_location() = e }
}

/// Runs `f`, turning its error or a panic into `fail` with `errno` set.
pub(crate) fn guard<T>(fail: T, f: impl FnOnce() -> Result<T, Errno>) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            set_errno(e);
            fail
        }
        Err(_) => {
            set_errno(libc::EIO);
            fail
        }
    }
}

/// Runs `f`, swallowing a panic (for functions that return nothing).
pub(crate) fn guard_void(f: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(f));
}

/// `len` bytes at `p` as a slice; EINVAL for a null pointer with a length.
///
/// # Safety
/// `p` must point to `len` readable bytes when not null.
pub(crate) unsafe fn bytes<'a>(p: *const u8, len: usize) -> Result<&'a [u8], Errno> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(libc::EFAULT);
    }
    // SAFETY: the caller promises `len` readable bytes at `p`.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// `len` writable bytes at `p`.
///
/// # Safety
/// `p` must point to `len` writable bytes when not null.
pub(crate) unsafe fn bytes_mut<'a>(p: *mut u8, len: usize) -> Result<&'a mut [u8], Errno> {
    if len == 0 {
        return Ok(&mut []);
    }
    if p.is_null() {
        return Err(libc::EFAULT);
    }
    // SAFETY: the caller promises `len` writable bytes at `p`.
    Ok(unsafe { std::slice::from_raw_parts_mut(p, len) })
}

/// A C address struct (`sockaddr_storage`, `sctp_sockstore`) holding `p`.
pub(crate) fn c_address<T: Copy>(p: crate::stack::addr::Peer) -> T {
    let mut b = [0u8; 256];
    const { assert!(size_of::<T>() <= 256 && size_of::<T>() >= 28) };
    crate::sockaddr::write(p, false, &mut b);
    // SAFETY: T is a plain-bytes address struct no larger than `b`.
    unsafe { std::ptr::read_unaligned(b.as_ptr().cast()) }
}

/// `sctp_rcvinfo` of a message's receive information.
pub(crate) fn rcvinfo(i: &crate::stack::RcvInfo) -> crate::abi::sctp_rcvinfo {
    crate::abi::sctp_rcvinfo {
        rcv_sid: i.sid,
        rcv_ssn: i.ssn,
        rcv_flags: i.flags,
        rcv_ppid: i.ppid.to_be(),
        rcv_tsn: i.tsn,
        rcv_cumtsn: i.cumtsn,
        rcv_context: i.context,
        rcv_assoc_id: i.assoc_id,
    }
}
