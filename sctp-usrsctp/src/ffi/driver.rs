//! What happens after the lock: packets go out, blocked calls wake, and
//! the application's callbacks run, in order, on one thread.

use std::ffi::c_void;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::abi::sctp_sockstore;
use crate::handle::socket;
use crate::stack::callbacks::{Call, ConnOutput};
use crate::stack::transport::{Io, Which};
use crate::stack::{Dest, Errno, GLOBAL, Outgoing, Stack, lock};

/// The stack's threads, joined by `usrsctp_finish`.
pub(crate) static THREADS: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

/// usrsctp's timer granularity.
const TICK: Duration = Duration::from_millis(10);

/// Sends the packets, wakes blocked calls and runs callbacks owed, after
/// releasing `g`.
pub(crate) fn finish(mut g: MutexGuard<'static, Option<Stack>>) {
    let Some(s) = g.as_mut() else { return };
    let out = std::mem::take(&mut s.out);
    let io = s.io.clone();
    let conn = s.conn_output;
    let calls = !s.calls.is_empty();
    let threads = s.threads;
    drop(g);
    send(out, io.as_deref(), conn);
    GLOBAL.changed.notify_all();
    if calls && !threads {
        dispatch_inline();
    }
}

/// Sends packets.
pub(crate) fn send(out: Vec<Outgoing>, io: Option<&Io>, conn: Option<ConnOutput>) {
    for mut o in out {
        match o.dest {
            Dest::Conn(p) => {
                if let Some(f) = conn {
                    // SAFETY: the application's conn_output, given its own
                    // address pointer back and a buffer valid for the call.
                    unsafe {
                        f(
                            p as *mut c_void,
                            o.data.as_mut_ptr().cast(),
                            o.data.len(),
                            0,
                            0,
                        );
                    }
                }
            }
            d => {
                if let Some(io) = io {
                    io.send(d, o.src, &o.data);
                }
            }
        }
    }
}

/// Without threads, callbacks run on the caller's thread; the dispatch
/// lock keeps a callback that calls back into the library from starting a
/// second, out-of-order round.
fn dispatch_inline() {
    loop {
        {
            let Ok(_d) = GLOBAL.dispatch.try_lock() else {
                return;
            };
            loop {
                let call = lock().as_mut().and_then(|s| {
                    let c = s.calls.pop_front()?;
                    Some(s.still_wanted(&c).then_some(c))
                });
                let Some(call) = call else { break };
                if let Some(call) = call {
                    make(call);
                }
            }
        }
        if lock().as_ref().is_none_or(|s| s.calls.is_empty()) {
            return;
        }
    }
}

/// The callback thread: makes the calls owed, one at a time, in order.
fn callback_thread(io: Arc<Io>) {
    loop {
        let mut g = lock();
        let call = loop {
            if io.stop.load(Ordering::Relaxed) {
                return;
            }
            match g.as_mut() {
                None => return,
                Some(s) => {
                    if let Some(c) = s.calls.pop_front() {
                        if s.still_wanted(&c) {
                            break c;
                        }
                        continue;
                    }
                }
            }
            g = GLOBAL
                .changed
                .wait_timeout(g, Duration::from_millis(100))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        };
        drop(g);
        // A panic (a bug of ours) must not end the thread and with it every
        // later callback.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| make(call)));
    }
}

/// Makes one call to the application.
fn make(call: Call) {
    match call {
        Call::Receive {
            sock,
            cb,
            from,
            data,
            info,
            flags,
            ulp_info,
        } => {
            let rcv = super::rcvinfo(&info);
            let (ptr, len) = match data {
                Some(d) => {
                    // The application frees it with free(3).
                    // SAFETY: malloc of at least one byte; the copy fits.
                    let p = unsafe { libc::malloc(d.len().max(1)) }.cast::<u8>();
                    if p.is_null() {
                        return;
                    }
                    // SAFETY: p holds d.len() bytes.
                    unsafe { std::ptr::copy_nonoverlapping(d.as_ptr(), p, d.len()) };
                    (p.cast::<c_void>(), d.len())
                }
                None => (std::ptr::null_mut(), 0),
            };
            // SAFETY: the application's receive callback, with the
            // arguments usrsctp documents.
            unsafe {
                cb(
                    sock as *mut socket,
                    super::c_address::<sctp_sockstore>(from),
                    ptr,
                    len,
                    rcv,
                    flags,
                    ulp_info as *mut c_void,
                );
            }
        }
        Call::Send {
            sock,
            cb,
            free,
            ulp_info,
        } => {
            // SAFETY: the application's send callback.
            unsafe { cb(sock as *mut socket, free, ulp_info as *mut c_void) };
        }
        Call::Upcall { sock, f, arg } => {
            // SAFETY: the application's upcall with its own argument.
            unsafe { f(sock as *mut socket, arg as *mut c_void, 1) };
        }
    }
}

/// Starts the stack: sockets and, with `threads`, the timer, receive and
/// callback threads.
pub(crate) fn init(udp_port: u16, conn: Option<ConnOutput>, debug: Option<usize>, threads: bool) {
    let mut g = lock();
    if g.is_some() {
        return;
    }
    let mut s = Stack::new(udp_port, threads);
    s.conn_output = conn;
    s.debug_printf = debug;
    let io = Arc::new(if threads {
        Io::open(udp_port)
    } else {
        Io::open_none()
    });
    s.io = Some(io.clone());
    *g = Some(s);
    drop(g);
    if !threads {
        return;
    }
    let mut t = THREADS.lock().unwrap_or_else(|e| e.into_inner());
    for w in [Which::Raw4, Which::Raw6, Which::Udp4, Which::Udp6] {
        if io.has(w) {
            let io = io.clone();
            t.push(std::thread::spawn(move || receive_thread(io, w)));
        }
    }
    let tio = io.clone();
    t.push(std::thread::spawn(move || timer_thread(tio)));
    t.push(std::thread::spawn(move || callback_thread(io)));
}

fn receive_thread(io: Arc<Io>, w: Which) {
    let mut buf = vec![0u8; 65536];
    while !io.stop.load(Ordering::Relaxed) {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            io.recv_one(w, &mut buf, &mut |p| {
                let mut g = lock();
                if let Some(s) = g.as_mut() {
                    s.input(Instant::now(), p.data, p.src, p.dst, p.udp);
                }
                finish(g);
            });
        }));
    }
}

fn timer_thread(io: Arc<Io>) {
    while !io.stop.load(Ordering::Relaxed) {
        std::thread::sleep(TICK);
        let running = std::panic::catch_unwind(|| {
            let mut g = lock();
            let Some(s) = g.as_mut() else { return false };
            let now = Instant::now();
            if s.next_deadline().is_some_and(|d| d <= now) {
                s.handle_timers(now);
            }
            finish(g);
            true
        });
        if matches!(running, Ok(false)) {
            return;
        }
    }
}

/// Stops the threads and drops the stack, if no socket or association is left.
pub(crate) fn finish_stack() -> Result<(), Errno> {
    let mut g = lock();
    let Some(s) = g.as_mut() else { return Ok(()) };
    if s.open_sockets() > 0 || !s.assocs.is_empty() {
        return Err(libc::EBUSY);
    }
    if let Some(io) = &s.io {
        io.stop.store(true, Ordering::Relaxed);
    }
    *g = None;
    drop(g);
    GLOBAL.changed.notify_all();
    let threads = std::mem::take(&mut *THREADS.lock().unwrap_or_else(|e| e.into_inner()));
    for t in threads {
        if t.thread().id() != std::thread::current().id() {
            let _ = t.join();
        }
    }
    Ok(())
}
