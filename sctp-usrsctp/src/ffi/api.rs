//! usrsctp's socket calls: `usrsctp_init` to `usrsctp_finish`, sockets,
//! binding, associations, sending and receiving.

use std::ffi::{c_char, c_int, c_uint, c_void};
use std::mem::size_of;
use std::ptr;
use std::time::{Duration, Instant};

use super::driver::{finish, finish_stack, init};
use super::{bytes, bytes_mut, guard, guard_void};
use crate::abi::*;
use crate::handle::{SockRef, socket};
use crate::sockaddr;
use crate::stack::addr::Peer;
use crate::stack::callbacks::{ConnOutput, ReceiveCb, SendCb, UpcallFn};
use crate::stack::socket::{Callbacks, Family};
use crate::stack::{Errno, GLOBAL, SendParams, Stack, lock};

/// `debug_printf` of `usrsctp_init`.
pub type DebugPrintf = unsafe extern "C" fn(format: *const c_char, ...);

/// Runs `f` on the stack (ENOTCONN-like EINVAL before `usrsctp_init`) and
/// carries out the work it produced.
pub(crate) fn with_stack<T>(f: impl FnOnce(&mut Stack) -> Result<T, Errno>) -> Result<T, Errno> {
    let mut g = lock();
    let s = g.as_mut().ok_or(libc::EINVAL)?;
    let r = f(s);
    if let Some(s) = g.as_mut() {
        s.service(Instant::now());
    }
    finish(g);
    r
}

/// Runs `f` until it stops saying EWOULDBLOCK, waiting for the stack to
/// change in between, unless `r` is non-blocking or `dontwait`.
pub(crate) fn blocking<T>(
    r: SockRef,
    dontwait: bool,
    mut f: impl FnMut(&mut Stack) -> Result<T, Errno>,
) -> Result<T, Errno> {
    let mut g = lock();
    loop {
        let s = g.as_mut().ok_or(libc::EBADF)?;
        let nb = dontwait || s.sock(r)?.non_blocking;
        let res = f(s);
        s.service(Instant::now());
        match res {
            Err(e) if e == libc::EWOULDBLOCK && !nb => {
                if !s.out.is_empty() || !s.calls.is_empty() {
                    finish(g);
                    g = lock();
                    continue;
                }
                if !s.threads {
                    // Nobody else runs the timers.
                    let now = Instant::now();
                    s.handle_timers(now);
                }
                g = GLOBAL
                    .changed
                    .wait_timeout(g, Duration::from_millis(50))
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
            res => {
                finish(g);
                return res;
            }
        }
    }
}

/// The handle C passed, or EBADF.
pub(crate) fn sref(so: *mut socket) -> Result<SockRef, Errno> {
    SockRef::from_raw(so as usize).ok_or(libc::EBADF)
}

/// Reads `count` packed addresses at `addrs`.
///
/// # Safety
/// `addrs` must point to `count` valid socket addresses, packed.
unsafe fn read_addrs(addrs: *const libc::sockaddr, count: usize) -> Result<Vec<Peer>, Errno> {
    if addrs.is_null() {
        return Err(libc::EINVAL);
    }
    let mut v = Vec::new();
    let mut p = addrs.cast::<u8>();
    for _ in 0..count {
        // SAFETY: each address starts with its 2-byte family.
        let head = unsafe { bytes(p, 2)? };
        let n = sockaddr::len_of(head)?;
        // SAFETY: the family says how long the address is.
        let b = unsafe { bytes(p, n)? };
        v.push(sockaddr::read(b)?);
        // SAFETY: the next address follows this one.
        p = unsafe { p.add(n) };
    }
    Ok(v)
}

/// Reads one address of `len` bytes.
///
/// # Safety
/// `addr` must point to `len` readable bytes.
unsafe fn read_addr(addr: *const libc::sockaddr, len: libc::socklen_t) -> Result<Peer, Errno> {
    // SAFETY: the caller's contract.
    let b = unsafe { bytes(addr.cast(), len as usize)? };
    sockaddr::read(b)
}

/// Writes `p` to a C address buffer whose length is in `*len` (updated).
///
/// # Safety
/// `addr` must hold `*len` writable bytes, `len` be valid, when not null.
unsafe fn write_addr(p: Peer, mapped: bool, addr: *mut libc::sockaddr, len: *mut libc::socklen_t) {
    if addr.is_null() || len.is_null() {
        return;
    }
    let mut tmp = [0u8; 128];
    let n = sockaddr::write(p, mapped, &mut tmp);
    // SAFETY: the caller's contract.
    unsafe {
        let room = *len as usize;
        ptr::copy_nonoverlapping(tmp.as_ptr(), addr.cast::<u8>(), n.min(room));
        *len = n as libc::socklen_t;
    }
}

/// `usrsctp_init`: starts the stack with threads; UDP encapsulation on `port` unless 0.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_init(
    port: u16,
    conn_output: Option<ConnOutput>,
    debug_printf: Option<DebugPrintf>,
) {
    guard_void(|| init(port, conn_output, debug_printf.map(|f| f as usize), true));
}

/// `usrsctp_init_nothreads`: as `usrsctp_init`, but no threads and no
/// sockets: AF_CONN only, timers run by `usrsctp_handle_timers`.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_init_nothreads(
    port: u16,
    conn_output: Option<ConnOutput>,
    debug_printf: Option<DebugPrintf>,
) {
    guard_void(|| init(port, conn_output, debug_printf.map(|f| f as usize), false));
}

/// `usrsctp_finish`: 0 once every socket and association is gone (the
/// stack then stops), -1 while any remain.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_finish() -> c_int {
    guard(-1, || finish_stack().map(|()| 0))
}

/// `usrsctp_socket`.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_socket(
    domain: c_int,
    kind: c_int,
    protocol: c_int,
    receive_cb: Option<ReceiveCb>,
    send_cb: Option<SendCb>,
    sb_threshold: u32,
    ulp_info: *mut c_void,
) -> *mut socket {
    guard(ptr::null_mut(), || {
        let family = match domain {
            libc::AF_INET => Family::Inet,
            libc::AF_INET6 => Family::Inet6,
            d if d == AF_CONN => Family::Conn,
            _ => return Err(libc::EAFNOSUPPORT),
        };
        let one_to_many = match kind {
            libc::SOCK_STREAM => false,
            libc::SOCK_SEQPACKET => true,
            _ => return Err(libc::EPROTONOSUPPORT),
        };
        if protocol != libc::IPPROTO_SCTP && protocol != 0 {
            return Err(libc::EPROTONOSUPPORT);
        }
        let callbacks = Callbacks {
            receive: receive_cb,
            send: send_cb,
            threshold: sb_threshold,
            ulp_info: ulp_info as usize,
        };
        let r = with_stack(|s| Ok(s.socket(family, one_to_many, callbacks)))?;
        Ok(r.to_raw() as *mut socket)
    })
}

/// `usrsctp_bind`.
///
/// # Safety
/// `name` must point to `namelen` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_bind(
    so: *mut socket,
    name: *mut libc::sockaddr,
    namelen: libc::socklen_t,
) -> c_int {
    guard(-1, || {
        let r = sref(so)?;
        // SAFETY: the caller's contract.
        let a = unsafe { read_addr(name, namelen)? };
        with_stack(|s| s.bind(r, &[a])).map(|()| 0)
    })
}

/// `usrsctp_bindx`: SCTP_BINDX_ADD_ADDR binds several addresses, or adds
/// to a socket's; SCTP_BINDX_REM_ADDR removes some (never the last).
/// Running associations learn of the change by ASCONF (RFC 5061).
///
/// # Safety
/// `addrs` must point to `addrcnt` packed addresses.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_bindx(
    so: *mut socket,
    addrs: *mut libc::sockaddr,
    addrcnt: c_int,
    flags: c_int,
) -> c_int {
    guard(-1, || {
        let r = sref(so)?;
        if addrcnt <= 0 {
            return Err(libc::EINVAL);
        }
        // SAFETY: the caller's contract.
        let v = unsafe { read_addrs(addrs, addrcnt as usize)? };
        match flags {
            SCTP_BINDX_ADD_ADDR => with_stack(|s| s.change_addresses(r, &v, true)).map(|()| 0),
            SCTP_BINDX_REM_ADDR => with_stack(|s| s.change_addresses(r, &v, false)).map(|()| 0),
            _ => Err(libc::EINVAL),
        }
    })
}

/// `usrsctp_listen`.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_listen(so: *mut socket, backlog: c_int) -> c_int {
    guard(-1, || {
        let r = sref(so)?;
        with_stack(|s| s.listen(r, backlog)).map(|()| 0)
    })
}

/// `usrsctp_accept`: blocks (unless non-blocking) for the next association.
///
/// # Safety
/// `aname`/`anamelen` as for accept(2), or null.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_accept(
    so: *mut socket,
    aname: *mut libc::sockaddr,
    anamelen: *mut libc::socklen_t,
) -> *mut socket {
    guard(ptr::null_mut(), || {
        let r = sref(so)?;
        let (n, peer) = blocking(r, false, |s| s.accept(r))?;
        if let Some(p) = peer {
            let mapped = with_stack(|s| Ok(s.sock(n)?.options.mapped_v4))?;
            // SAFETY: the caller's contract.
            unsafe { write_addr(p, mapped, aname, anamelen) };
        }
        Ok(n.to_raw() as *mut socket)
    })
}

/// Connects `r` and, on a blocking one-to-one socket, waits until it is
/// established or has failed.
fn connect_peers(r: SockRef, peers: &[Peer]) -> Result<crate::stack::AssocId, Errno> {
    let (id, one_to_many, non_blocking) = with_stack(|s| {
        let id = s.connect(r, peers)?;
        let sock = s.sock(r)?;
        Ok((id, sock.one_to_many, sock.non_blocking))
    })?;
    // One-to-many connects return at once (RFC 6458 section 3.1.5).
    if one_to_many {
        return Ok(id);
    }
    if non_blocking {
        return Err(libc::EINPROGRESS);
    }
    blocking(r, false, |s| match s.connect_done(r)? {
        true => Ok(id),
        false => Err(libc::EWOULDBLOCK),
    })
}

/// `usrsctp_connect`.
///
/// # Safety
/// `name` must point to `namelen` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_connect(
    so: *mut socket,
    name: *mut libc::sockaddr,
    namelen: libc::socklen_t,
) -> c_int {
    guard(-1, || {
        let r = sref(so)?;
        // SAFETY: the caller's contract.
        let a = unsafe { read_addr(name, namelen)? };
        connect_peers(r, &[a]).map(|_| 0)
    })
}

/// `usrsctp_connectx`: one association to a peer known by several addresses.
///
/// # Safety
/// `addrs` must point to `addrcnt` packed addresses; `id` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_connectx(
    so: *mut socket,
    addrs: *const libc::sockaddr,
    addrcnt: c_int,
    id: *mut sctp_assoc_t,
) -> c_int {
    guard(-1, || {
        let r = sref(so)?;
        if addrcnt <= 0 {
            return Err(libc::EINVAL);
        }
        // SAFETY: the caller's contract.
        let v = unsafe { read_addrs(addrs, addrcnt as usize)? };
        let a = connect_peers(r, &v)?;
        if !id.is_null() {
            // SAFETY: the caller's contract.
            unsafe { *id = a };
        }
        Ok(0)
    })
}

/// `usrsctp_close`: the handle is dead at once; associations shut down
/// gracefully in the background (ABORT with SO_LINGER 0).
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_close(so: *mut socket) {
    guard_void(|| {
        if let Ok(r) = sref(so) {
            let _ = with_stack(|s| s.close(r));
        }
    });
}

/// `usrsctp_shutdown`.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_shutdown(so: *mut socket, how: c_int) -> c_int {
    guard(-1, || {
        let r = sref(so)?;
        with_stack(|s| s.shutdown(r, how)).map(|()| 0)
    })
}

/// Reads `T` from `info` if `infolen` covers it.
///
/// # Safety
/// `info` must point to `infolen` readable bytes.
unsafe fn read_info<T: Copy>(info: *const c_void, infolen: libc::socklen_t) -> Result<T, Errno> {
    if info.is_null() || (infolen as usize) < size_of::<T>() {
        return Err(libc::EINVAL);
    }
    // SAFETY: checked size; unaligned read of plain data.
    Ok(unsafe { ptr::read_unaligned(info.cast::<T>()) })
}

/// `usrsctp_sendv`: one message; blocks while the send buffer is full
/// (unless non-blocking or MSG_DONTWAIT).
///
/// # Safety
/// `data` must hold `len` bytes, `to` `addrcnt` addresses, `info` `infolen` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_sendv(
    so: *mut socket,
    data: *const c_void,
    len: usize,
    to: *mut libc::sockaddr,
    addrcnt: c_int,
    info: *mut c_void,
    infolen: libc::socklen_t,
    infotype: c_uint,
    flags: c_int,
) -> isize {
    guard(-1, || {
        let r = sref(so)?;
        // SAFETY: the caller's contract.
        let payload = unsafe { bytes(data.cast(), len)? };
        let peers = if to.is_null() || addrcnt <= 0 {
            Vec::new()
        } else {
            // SAFETY: the caller's contract.
            unsafe { read_addrs(to, addrcnt as usize)? }
        };
        let mut p = with_stack(|s| {
            let o = &s.sock(r)?.options;
            Ok(SendParams {
                sid: o.default_sid,
                flags: o.default_flags,
                ppid_be: o.default_ppid,
                context: o.default_context,
                assoc_id: 0,
                pr_policy: o.default_pr_policy,
                pr_value: o.default_pr_value,
            })
        })?;
        let apply_snd = |p: &mut SendParams, i: &sctp_sndinfo| {
            p.sid = i.snd_sid;
            p.flags = i.snd_flags;
            p.ppid_be = i.snd_ppid;
            p.context = i.snd_context;
            p.assoc_id = i.snd_assoc_id;
        };
        match infotype {
            SCTP_SENDV_NOINFO => {}
            SCTP_SENDV_SNDINFO => {
                // SAFETY: the caller's contract.
                let i: sctp_sndinfo = unsafe { read_info(info, infolen)? };
                apply_snd(&mut p, &i);
            }
            SCTP_SENDV_PRINFO => {
                // SAFETY: the caller's contract.
                let i: sctp_prinfo = unsafe { read_info(info, infolen)? };
                p.pr_policy = i.pr_policy;
                p.pr_value = i.pr_value;
            }
            SCTP_SENDV_AUTHINFO => {}
            SCTP_SENDV_SPA => {
                // SAFETY: the caller's contract.
                let i: sctp_sendv_spa = unsafe { read_info(info, infolen)? };
                if i.sendv_flags & SCTP_SEND_SNDINFO_VALID != 0 {
                    apply_snd(&mut p, &i.sendv_sndinfo);
                }
                if i.sendv_flags & SCTP_SEND_PRINFO_VALID != 0 {
                    p.pr_policy = i.sendv_prinfo.pr_policy;
                    p.pr_value = i.sendv_prinfo.pr_value;
                }
            }
            _ => return Err(libc::EINVAL),
        }
        let dontwait = flags & libc::MSG_DONTWAIT != 0;
        let n = blocking(r, dontwait, |s| s.send(r, payload, &peers, p))?;
        Ok(n as isize)
    })
}

/// `usrsctp_recvv`: the next message or notification (MSG_NOTIFICATION),
/// MSG_EOR when it is complete; 0 at the end of a one-to-one association.
///
/// # Safety
/// Every pointer must be null or valid for its length as recv(2)/sctp_recvv say.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_recvv(
    so: *mut socket,
    dbuf: *mut c_void,
    len: usize,
    from: *mut libc::sockaddr,
    fromlen: *mut libc::socklen_t,
    info: *mut c_void,
    infolen: *mut libc::socklen_t,
    infotype: *mut c_uint,
    msg_flags: *mut c_int,
) -> isize {
    guard(-1, || {
        let r = sref(so)?;
        // SAFETY: the caller's contract.
        let out = unsafe { bytes_mut(dbuf.cast(), len)? };
        let in_flags = if msg_flags.is_null() {
            0
        } else {
            // SAFETY: the caller's contract.
            unsafe { *msg_flags }
        };
        let dontwait = in_flags & libc::MSG_DONTWAIT != 0;
        let got = blocking(r, dontwait, |s| s.recv(r, len))?;
        let (mapped, want_rcv, want_nxt) = with_stack(|s| {
            let o = &s.sock(r)?.options;
            Ok((o.mapped_v4, o.recv_rcvinfo, o.recv_nxtinfo))
        })?;
        out[..got.data.len()].copy_from_slice(&got.data);
        if let Some(p) = got.from {
            // SAFETY: the caller's contract.
            unsafe { write_addr(p, mapped, from, fromlen) };
        } else if !fromlen.is_null() {
            // SAFETY: the caller's contract.
            unsafe { *fromlen = 0 };
        }
        let room = if infolen.is_null() {
            0
        } else {
            // SAFETY: the caller's contract.
            unsafe { *infolen as usize }
        };
        let mut kind = SCTP_RECVV_NOINFO;
        let mut written = 0;
        if let Some(i) = got.info
            && want_rcv
            && !info.is_null()
        {
            let rcv = super::rcvinfo(&i);
            if want_nxt && room >= size_of::<sctp_recvv_rn>() {
                let rn = sctp_recvv_rn {
                    recvv_rcvinfo: rcv,
                    recvv_nxtinfo: sctp_nxtinfo::default(),
                };
                // SAFETY: room checked.
                unsafe { ptr::write_unaligned(info.cast::<sctp_recvv_rn>(), rn) };
                kind = SCTP_RECVV_RN;
                written = size_of::<sctp_recvv_rn>();
            } else if room >= size_of::<sctp_rcvinfo>() {
                // SAFETY: room checked.
                unsafe { ptr::write_unaligned(info.cast::<sctp_rcvinfo>(), rcv) };
                kind = SCTP_RECVV_RCVINFO;
                written = size_of::<sctp_rcvinfo>();
            }
        }
        // SAFETY: the caller's contract.
        unsafe {
            if !infolen.is_null() {
                *infolen = written as libc::socklen_t;
            }
            if !infotype.is_null() {
                *infotype = kind;
            }
            if !msg_flags.is_null() {
                *msg_flags = got.flags;
            }
        }
        Ok(got.data.len() as isize)
    })
}

/// Packs `peers` into one malloc'ed buffer for C, as usrsctp's getladdrs does.
fn pack(peers: &[Peer], mapped: bool, out: *mut *mut libc::sockaddr) -> Result<c_int, Errno> {
    if out.is_null() {
        return Err(libc::EINVAL);
    }
    if peers.is_empty() {
        // SAFETY: checked non-null.
        unsafe { *out = ptr::null_mut() };
        return Ok(0);
    }
    let total: usize = peers.iter().map(|p| sockaddr::size(*p, mapped)).sum();
    let mut b = vec![0u8; total];
    let mut off = 0;
    for p in peers {
        off += sockaddr::write(*p, mapped, &mut b[off..]);
    }
    // SAFETY: malloc'ed buffer of `total` bytes, freed by usrsctp_free*addrs.
    unsafe {
        let m = libc::malloc(total).cast::<u8>();
        if m.is_null() {
            return Err(libc::ENOMEM);
        }
        ptr::copy_nonoverlapping(b.as_ptr(), m, total);
        *out = m.cast();
    }
    Ok(peers.len() as c_int)
}

/// `usrsctp_getladdrs`.
///
/// # Safety
/// `raddrs` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_getladdrs(
    so: *mut socket,
    id: sctp_assoc_t,
    raddrs: *mut *mut libc::sockaddr,
) -> c_int {
    // SAFETY: the caller's promise, passed on.
    unsafe { addresses(so, id, raddrs, Stack::local_addresses) }
}

/// `usrsctp_getpaddrs`.
///
/// # Safety
/// `raddrs` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_getpaddrs(
    so: *mut socket,
    id: sctp_assoc_t,
    raddrs: *mut *mut libc::sockaddr,
) -> c_int {
    // SAFETY: the caller's promise, passed on.
    unsafe { addresses(so, id, raddrs, Stack::peer_addresses) }
}

/// `usrsctp_getladdrs` and `usrsctp_getpaddrs`: the addresses `which`
/// lists, packed for the caller.
///
/// # Safety
/// `raddrs` must be writable.
unsafe fn addresses(
    so: *mut socket,
    id: sctp_assoc_t,
    raddrs: *mut *mut libc::sockaddr,
    which: fn(&mut Stack, SockRef, sctp_assoc_t) -> Result<Vec<Peer>, Errno>,
) -> c_int {
    guard(-1, || {
        let r = sref(so)?;
        let (v, mapped) = with_stack(|s| Ok((which(s, r, id)?, s.sock(r)?.options.mapped_v4)))?;
        pack(&v, mapped, raddrs)
    })
}

/// `usrsctp_freeladdrs`.
///
/// # Safety
/// `addrs` must come from `usrsctp_getladdrs` (or be null).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_freeladdrs(addrs: *mut libc::sockaddr) {
    // SAFETY: malloc'ed by `pack`.
    unsafe { libc::free(addrs.cast()) }
}

/// `usrsctp_freepaddrs`.
///
/// # Safety
/// `addrs` must come from `usrsctp_getpaddrs` (or be null).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_freepaddrs(addrs: *mut libc::sockaddr) {
    // SAFETY: malloc'ed by `pack`.
    unsafe { libc::free(addrs.cast()) }
}

/// `usrsctp_set_non_blocking`.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_set_non_blocking(so: *mut socket, onoff: c_int) -> c_int {
    guard(-1, || {
        let r = sref(so)?;
        with_stack(|s| {
            s.sock(r)?.non_blocking = onoff != 0;
            Ok(0)
        })
    })
}

/// `usrsctp_get_non_blocking`.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_get_non_blocking(so: *mut socket) -> c_int {
    guard(-1, || {
        let r = sref(so)?;
        with_stack(|s| Ok(c_int::from(s.sock(r)?.non_blocking)))
    })
}

/// `usrsctp_set_upcall`: `upcall(so, arg, flags)` runs when the socket's
/// readiness may have changed; it reads it with `usrsctp_get_events`.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_set_upcall(
    so: *mut socket,
    upcall: Option<UpcallFn>,
    arg: *mut c_void,
) -> c_int {
    guard(-1, || {
        let r = sref(so)?;
        with_stack(|s| {
            s.sock(r)?.upcall = upcall.map(|f| (f, arg as usize));
            Ok(0)
        })
    })
}

/// `usrsctp_get_events`: SCTP_EVENT_READ, SCTP_EVENT_WRITE, SCTP_EVENT_ERROR.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_get_events(so: *mut socket) -> c_int {
    guard(-1, || {
        let r = sref(so)?;
        with_stack(|s| s.events(r))
    })
}

/// `usrsctp_set_ulpinfo`.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_set_ulpinfo(so: *mut socket, info: *mut c_void) -> c_int {
    guard(-1, || {
        let r = sref(so)?;
        with_stack(|s| {
            s.sock(r)?.callbacks.ulp_info = info as usize;
            Ok(1)
        })
    })
}

/// `usrsctp_get_ulpinfo`.
///
/// # Safety
/// `pinfo` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_get_ulpinfo(so: *mut socket, pinfo: *mut *mut c_void) -> c_int {
    guard(-1, || {
        let r = sref(so)?;
        if pinfo.is_null() {
            return Err(libc::EINVAL);
        }
        let v = with_stack(|s| Ok(s.sock(r)?.callbacks.ulp_info))?;
        // SAFETY: checked non-null.
        unsafe { *pinfo = v as *mut c_void };
        Ok(1)
    })
}

/// `usrsctp_getassocid`: the association with the peer at `sa`, 0 if none.
///
/// # Safety
/// `sa` must be a valid address.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_getassocid(
    so: *mut socket,
    sa: *mut libc::sockaddr,
) -> sctp_assoc_t {
    guard(0, || {
        let r = sref(so)?;
        // SAFETY: the family tells the length.
        let head = unsafe { bytes(sa.cast(), 2)? };
        let n = sockaddr::len_of(head)?;
        // SAFETY: as above.
        let p = sockaddr::read(unsafe { bytes(sa.cast(), n)? })?;
        with_stack(|s| s.assoc_id_for(r, p))
    })
}

/// `usrsctp_peeloff`: association `id` of a one-to-many socket on a new
/// one-to-one socket.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_peeloff(so: *mut socket, id: sctp_assoc_t) -> *mut socket {
    guard(ptr::null_mut(), || {
        let r = sref(so)?;
        let n = with_stack(|s| s.peeloff(r, id))?;
        Ok(n.to_raw() as *mut socket)
    })
}
