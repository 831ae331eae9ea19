//! The drop-in guard `run` uses: removed or edited drop-ins come back, noticed by inotify.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::*;
use node_guard::block;
use node_guard::guard::Guard;
use node_guard::hostroot::HostRoot;

const DROP_IN: &str = "etc/modprobe.d/00-node-guard-sctp.conf";

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_removed_or_edited_drop_in_is_written_again() {
    let f = Fixture::with_module();
    // An hour between periodic checks: only inotify can bring the file back in time.
    let reported = Arc::new(AtomicU64::new(0));
    let r = reported.clone();
    let guard = Guard::spawn_reporting(
        HostRoot::new(f.root()),
        Duration::from_secs(3600),
        Box::new(move || {
            r.fetch_add(1, Ordering::SeqCst);
        }),
    );
    assert!(f.read(DROP_IN).is_none(), "written before activation");
    guard.activate();
    assert_eq!(f.read(DROP_IN).unwrap(), block::drop_in_content());

    std::fs::remove_file(f.path(DROP_IN)).unwrap();
    wait_for("the removed drop-in", || {
        f.read(DROP_IN).as_deref() == Some(block::drop_in_content().as_str())
    });
    f.write(
        DROP_IN,
        &format!("{}\n# install sctp /bin/false\n", block::HEADER),
    );
    wait_for("the edited drop-in", || {
        f.read(DROP_IN).as_deref() == Some(block::drop_in_content().as_str())
    });
    assert!(guard.reapplied() >= 2, "{}", guard.reapplied());
    // Every rewrite is reported (run turns it into node_guard_drop_in_rewrites_total);
    // the report follows the count, so wait for the two to meet.
    wait_for("every rewrite reported", || {
        reported.load(Ordering::SeqCst) == guard.reapplied()
    });
}

#[test]
fn the_guard_never_overwrites_a_file_it_did_not_write() {
    let f = Fixture::with_module();
    let guard = Guard::spawn(HostRoot::new(f.root()), Duration::from_millis(50));
    guard.activate();
    let theirs = "# platform team\ninstall sctp /bin/false\n";
    f.write(DROP_IN, theirs);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(f.read(DROP_IN).unwrap(), theirs);
}

#[test]
fn an_inactive_guard_writes_nothing() {
    let f = Fixture::with_module();
    let guard = Guard::spawn(HostRoot::new(f.root()), Duration::from_millis(50));
    std::thread::sleep(Duration::from_millis(200));
    assert!(!guard.is_active());
    assert!(f.read(DROP_IN).is_none());
}
