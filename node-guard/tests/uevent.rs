//! uevent parsing from captured datagrams, the watch loop with injected events, and the
//! real NETLINK_KOBJECT_UEVENT socket.

mod common;

use std::collections::VecDeque;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use common::*;
use node_guard::hostroot::HostRoot;
use node_guard::metrics::Metrics;
use node_guard::state::SctpState;
use node_guard::uevent::{self, EventSource, NetlinkSource, UeventSource};
use node_guard::watch::{self, Change, Trigger, WatchOptions};

/// `add@/module/sctp` as the kernel sends it when sctp.ko finishes loading.
const SCTP_ADD: &[u8] =
    b"add@/module/sctp\0ACTION=add\0DEVPATH=/module/sctp\0SUBSYSTEM=module\0SEQNUM=4312\0";
const SCTP_REMOVE: &[u8] =
    b"remove@/module/sctp\0ACTION=remove\0DEVPATH=/module/sctp\0SUBSYSTEM=module\0SEQNUM=4330\0";
const XT_SCTP_ADD: &[u8] =
    b"add@/module/xt_sctp\0ACTION=add\0DEVPATH=/module/xt_sctp\0SUBSYSTEM=module\0SEQNUM=4100\0";
const NET_ADD: &[u8] = b"add@/devices/virtual/net/veth3c1a2b4\0ACTION=add\0DEVPATH=/devices/virtual/net/veth3c1a2b4\0SUBSYSTEM=net\0INTERFACE=veth3c1a2b4\0IFINDEX=17\0SEQNUM=4101\0";

/// A udevd re-broadcast: `libudev\0`, magic 0xfeedcafe (big endian), header size,
/// properties offset and length (host order), filter hashes, then the properties.
fn libudev_datagram(props: &[&str]) -> Vec<u8> {
    let body: Vec<u8> = props.iter().flat_map(|p| p.bytes().chain([0])).collect();
    let mut d = b"libudev\0".to_vec();
    d.extend(0xfeed_cafe_u32.to_be_bytes());
    d.extend(40u32.to_ne_bytes());
    d.extend(40u32.to_ne_bytes());
    d.extend((body.len() as u32).to_ne_bytes());
    d.extend([0u8; 16]);
    assert_eq!(d.len(), 40);
    d.extend(body);
    d
}

#[test]
fn kernel_datagrams() {
    let e = uevent::parse(SCTP_ADD).unwrap();
    assert_eq!(
        (e.source, e.action.as_str(), e.module()),
        (UeventSource::Kernel, "add", Some("sctp"))
    );
    let e = uevent::parse(SCTP_REMOVE).unwrap();
    assert_eq!((e.action.as_str(), e.module()), ("remove", Some("sctp")));
    assert_eq!(
        uevent::parse(XT_SCTP_ADD).unwrap().module(),
        Some("xt_sctp")
    );
    let e = uevent::parse(NET_ADD).unwrap();
    assert_eq!(e.module(), None);
    assert_eq!(e.env["INTERFACE"], "veth3c1a2b4");
    // A parameters directory is not the module itself.
    assert_eq!(
        uevent::parse(b"add@/module/sctp/parameters\0SUBSYSTEM=module\0")
            .unwrap()
            .module(),
        None
    );
}

#[test]
fn libudev_datagrams() {
    let d = libudev_datagram(&[
        "ACTION=add",
        "DEVPATH=/module/sctp",
        "SUBSYSTEM=module",
        "SEQNUM=4312",
        "USEC_INITIALIZED=123",
    ]);
    let e = uevent::parse(&d).unwrap();
    assert_eq!(e.source, UeventSource::Udev);
    assert_eq!(e.module(), Some("sctp"));
    let mut bad = d.clone();
    bad[8] = 0; // wrong magic
    assert!(uevent::parse(&bad).is_err());
    assert!(uevent::parse(&d[..20]).is_err());
}

/// Called with each datagram as it is delivered.
type Hook = Box<dyn FnMut(&[u8])>;

/// Events injected through a queue: each entry is (delay before it, datagram).
struct Injected {
    queue: VecDeque<(Duration, Vec<u8>)>,
    on_deliver: Hook,
}

impl EventSource for Injected {
    fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Vec<u8>>> {
        match self.queue.front() {
            Some((delay, _)) if *delay <= timeout => {
                std::thread::sleep(*delay);
                let (_, d) = self.queue.pop_front().unwrap();
                (self.on_deliver)(&d);
                Ok(Some(d))
            }
            Some(_) => {
                self.queue.front_mut().unwrap().0 -= timeout;
                std::thread::sleep(timeout);
                Ok(None)
            }
            None => {
                std::thread::sleep(timeout);
                Ok(None)
            }
        }
    }
}

#[test]
fn watch_reacts_to_sctp_uevent_without_waiting_for_the_rescan() {
    let f = Fixture::with_module();
    let modules = f.path("proc/modules");
    // When the add event arrives, the module is in /proc/modules (as in the kernel).
    let mut source = Injected {
        queue: VecDeque::from([
            (Duration::from_millis(50), NET_ADD.to_vec()),
            (Duration::from_millis(50), XT_SCTP_ADD.to_vec()),
            (Duration::from_millis(50), SCTP_ADD.to_vec()),
        ]),
        on_deliver: Box::new(move |d| {
            if d == SCTP_ADD {
                let mut t = std::fs::read_to_string(&modules).unwrap();
                t.push_str(SCTP_LOADED_LINES);
                std::fs::write(&modules, t).unwrap();
            }
        }),
    };
    let opts = WatchOptions {
        interval: Duration::from_secs(60), // the rescan must not be what notices it
        duration: Some(Duration::from_secs(5)),
        max_changes: Some(2),
    };
    let metrics = Metrics::default();
    let mut seen: Vec<(Change, Instant)> = Vec::new();
    let start = Instant::now();
    let last = watch::watch(
        &HostRoot::new(f.root()),
        &mut source,
        &opts,
        &metrics,
        &mut |c, _| {
            seen.push((c.clone(), Instant::now()));
            ControlFlow::Continue(())
        },
    )
    .unwrap();
    assert_eq!(last.state, SctpState::Loaded);
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].0.trigger, Trigger::Initial);
    assert_eq!(seen[0].0.state, SctpState::Loadable);
    assert_eq!(seen[1].0.trigger, Trigger::Uevent);
    assert_eq!(seen[1].0.previous, Some(SctpState::Loadable));
    assert_eq!(seen[1].0.state, SctpState::Loaded);
    assert_eq!(seen[1].0.uevent.as_ref().unwrap().env["SEQNUM"], "4312");
    assert!(
        seen[1].1 - start < Duration::from_secs(1),
        "reacted after {:?}",
        seen[1].1 - start
    );
    // One JSON line per change.
    let line = serde_json::to_string(&seen[1].0).unwrap();
    assert!(!line.contains('\n'));
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        (
            v["state"].as_str(),
            v["previous"].as_str(),
            v["trigger"].as_str()
        ),
        (Some("loaded"), Some("loadable"), Some("uevent"))
    );
    assert!(metrics.render().contains("node_guard_uevents_total 3"));
}

#[test]
fn periodic_rescan_catches_a_missed_event() {
    let f = Fixture::with_module();
    let modules = f.path("proc/modules");
    let mut source = Injected {
        queue: VecDeque::new(),
        on_deliver: Box::new(|_| {}),
    };
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        let mut t = std::fs::read_to_string(&modules).unwrap();
        t.push_str(SCTP_LOADED_LINES);
        std::fs::write(&modules, t).unwrap();
    });
    let opts = WatchOptions {
        interval: Duration::from_millis(100),
        duration: Some(Duration::from_secs(3)),
        max_changes: Some(2),
    };
    let mut seen = Vec::new();
    watch::watch(
        &HostRoot::new(f.root()),
        &mut source,
        &opts,
        &Metrics::default(),
        &mut |c, _| {
            seen.push(c.clone());
            ControlFlow::Continue(())
        },
    )
    .unwrap();
    writer.join().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].trigger, Trigger::Rescan);
    assert_eq!(seen[1].state, SctpState::Loaded);
}

#[test]
fn no_change_no_line_and_duration_ends_the_loop() {
    let f = Fixture::base();
    let mut source = Injected {
        queue: VecDeque::from([(Duration::from_millis(20), SCTP_REMOVE.to_vec())]),
        on_deliver: Box::new(|_| {}),
    };
    let opts = WatchOptions {
        interval: Duration::from_millis(50),
        duration: Some(Duration::from_millis(300)),
        max_changes: None,
    };
    let metrics = Metrics::default();
    let start = Instant::now();
    let mut n = 0;
    watch::watch(
        &HostRoot::new(f.root()),
        &mut source,
        &opts,
        &metrics,
        &mut |_, _| {
            n += 1;
            ControlFlow::Continue(())
        },
    )
    .unwrap();
    assert_eq!(n, 1, "only the initial report");
    assert!(start.elapsed() < Duration::from_secs(2));
    let scans: u64 = metrics
        .render()
        .lines()
        .find_map(|l| l.strip_prefix("node_guard_scans_total "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(scans >= 3, "rescans happened: {scans}");
}

#[test]
fn real_netlink_uevent_socket_opens_and_binds() {
    if !nix::unistd::Uid::effective().is_root() {
        eprintln!("SKIP: needs root to bind the kernel uevent multicast group");
        return;
    }
    let mut s = NetlinkSource::open().expect("open and bind NETLINK_KOBJECT_UEVENT group 1");
    // Nothing is expected; the poll must time out cleanly (or deliver a real event).
    let start = Instant::now();
    let got = s.next(Duration::from_millis(200)).unwrap();
    if let Some(d) = got {
        if !d.is_empty() {
            uevent::parse(&d).expect("a real kernel datagram parses");
        }
    } else {
        assert!(start.elapsed() >= Duration::from_millis(150));
    }
}
