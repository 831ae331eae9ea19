//! Keeps the modprobe.d drop-in in place while `run` runs: re-applies it when someone
//! removes or edits it, noticed through inotify on the directory (and a periodic check for
//! what inotify cannot see, such as the directory being replaced).

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};

use crate::block::{self, BlockError, FileAction, KernelUnloader};
use crate::hostroot::HostRoot;

/// How long the guard thread sleeps between looks at its stop flag.
const TICK: Duration = Duration::from_millis(100);

/// The running guard. Dropping it stops the thread.
#[derive(Debug)]
pub struct Guard {
    host: HostRoot,
    active: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    reapplied: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

/// Where the guard reports rewrites besides its own counter.
type OnRewrite = Box<dyn Fn() + Send>;

/// Writes the drop-in unless it is already exact; `Ok(true)` when it had to be written.
pub fn ensure(host: &HostRoot) -> Result<bool, BlockError> {
    let r = block::block(host, false, false, &mut KernelUnloader)?;
    if !r.after.holds_after_reboot {
        tracing::warn!(
            state = %r.after.state,
            problems = ?r.after.problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "the drop-in is in place, but kernel SCTP can still load"
        );
    }
    Ok(r.file == FileAction::Written)
}

impl Guard {
    /// Starts the guard thread; it re-applies the drop-in only once [`Guard::activate`]d.
    /// `interval` bounds how long a change inotify missed goes unnoticed.
    pub fn spawn(host: HostRoot, interval: Duration) -> Self {
        Self::spawn_reporting(host, interval, Box::new(|| {}))
    }

    /// Like [`Guard::spawn`], calling `on_rewrite` each time the drop-in is written again.
    pub fn spawn_reporting(host: HostRoot, interval: Duration, on_rewrite: OnRewrite) -> Self {
        let active = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let reapplied = Arc::new(AtomicU64::new(0));
        let thread = {
            let (host, active, stop, reapplied) = (
                host.clone(),
                active.clone(),
                stop.clone(),
                reapplied.clone(),
            );
            std::thread::Builder::new()
                .name("node-guard-drop-in".into())
                .spawn(move || {
                    watch_loop(&host, &active, &stop, &reapplied, interval, &on_rewrite);
                })
                .map_err(|e| tracing::error!(%e, "cannot start the drop-in guard thread"))
                .ok()
        };
        Self {
            host,
            active,
            stop,
            reapplied,
            thread,
        }
    }

    /// Writes the drop-in now and keeps it from here on.
    pub fn activate(&self) {
        if !self.active.swap(true, Ordering::SeqCst) {
            match ensure(&self.host) {
                Ok(_) => tracing::info!(path = block::DROP_IN, "blocking kernel SCTP"),
                Err(e) => tracing::error!(%e, "cannot block kernel SCTP"),
            }
        }
    }

    /// Whether the guard keeps the drop-in.
    pub fn is_active(&self) -> bool {
        self.active.load(Ordering::SeqCst)
    }

    /// How many times the drop-in had to be written again after it was removed or edited.
    pub fn reapplied(&self) -> u64 {
        self.reapplied.load(Ordering::SeqCst)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn add_watch(ino: &Inotify, host: &HostRoot) -> io::Result<()> {
    let dir = block::DROP_IN
        .rsplit_once('/')
        .map_or("/etc/modprobe.d", |(d, _)| d);
    ino.add_watch(
        &host.path(dir),
        AddWatchFlags::IN_CREATE
            | AddWatchFlags::IN_DELETE
            | AddWatchFlags::IN_MODIFY
            | AddWatchFlags::IN_CLOSE_WRITE
            | AddWatchFlags::IN_MOVED_FROM
            | AddWatchFlags::IN_MOVED_TO
            | AddWatchFlags::IN_ATTRIB
            | AddWatchFlags::IN_DELETE_SELF
            | AddWatchFlags::IN_MOVE_SELF,
    )
    .map(|_| ())
    .map_err(io::Error::from)
}

fn watch_loop(
    host: &HostRoot,
    active: &AtomicBool,
    stop: &AtomicBool,
    reapplied: &AtomicU64,
    interval: Duration,
    on_rewrite: &OnRewrite,
) {
    let ino = Inotify::init(InitFlags::IN_CLOEXEC | InitFlags::IN_NONBLOCK)
        .map_err(|e| tracing::warn!(%e, "inotify unavailable; checking the drop-in every interval"))
        .ok();
    let mut watching = false;
    let mut next_check = Instant::now() + interval;
    while !stop.load(Ordering::SeqCst) {
        let mut changed = false;
        if let (Some(ino), false) = (&ino, watching) {
            watching = add_watch(ino, host).is_ok();
            // Anything may have happened while nothing watched: look once now.
            changed = watching;
        }
        match &ino {
            Some(ino) if watching => {
                let mut fds = [PollFd::new(
                    std::os::fd::AsFd::as_fd(ino),
                    PollFlags::POLLIN,
                )];
                let ms = u16::try_from(TICK.as_millis()).unwrap_or(u16::MAX);
                if poll(&mut fds, PollTimeout::from(ms)).unwrap_or(0) > 0 {
                    match ino.read_events() {
                        Ok(events) => {
                            changed = !events.is_empty();
                            // The directory itself went away: watch again once it is back.
                            if events.iter().any(|e| {
                                e.mask.intersects(
                                    AddWatchFlags::IN_IGNORED
                                        | AddWatchFlags::IN_DELETE_SELF
                                        | AddWatchFlags::IN_MOVE_SELF,
                                )
                            }) {
                                watching = false;
                            }
                        }
                        Err(e) => tracing::debug!(%e, "reading inotify events"),
                    }
                }
            }
            _ => std::thread::sleep(TICK),
        }
        let due = Instant::now() >= next_check;
        if due {
            next_check = Instant::now() + interval;
        }
        if (changed || due) && active.load(Ordering::SeqCst) {
            match ensure(host) {
                Ok(true) => {
                    reapplied.fetch_add(1, Ordering::SeqCst);
                    on_rewrite();
                    tracing::warn!(
                        path = block::DROP_IN,
                        "the drop-in was removed or edited; wrote it again"
                    );
                }
                Ok(false) => {}
                Err(e) => tracing::error!(%e, "cannot keep the drop-in in place"),
            }
        }
    }
}
