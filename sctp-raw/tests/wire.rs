//! What the API does, judged on the wire: tshark captures the veth between
//! two network namespaces while an association runs over raw sockets.
//! Settings changed at run time show in the capture (heartbeat interval,
//! DSCP), the association's counters match the captured packets, and the
//! pcap file the driver writes holds the same packets. Needs root and tshark.

mod support;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use sctp_raw::{
    AssociationConfig, AssociationStats, AssociationStatus, Config, Message, PathState, Ppid,
    SctpAssociation, SctpListener,
};
use support::{NetnsPair, in_netns, root};

fn have_tshark() -> bool {
    let ok = Command::new("tshark")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIP: tshark is not installed (apt-get install tshark)");
    }
    ok
}

/// A tshark capture running in a namespace until stopped.
struct Capture {
    child: Child,
    file: PathBuf,
}

impl Capture {
    fn start(ns: &str, iface: &str, file: &Path) -> Self {
        let mut child = Command::new("ip")
            .args([
                "netns",
                "exec",
                ns,
                "tshark",
                "-q",
                "-i",
                iface,
                "-f",
                "ip proto 132",
            ])
            .args(["-F", "pcap", "-w"])
            .arg(file)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tshark");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let line = lines.next().expect("tshark ended").unwrap();
            if line.contains("Capturing on") {
                break;
            }
            assert!(Instant::now() < deadline, "tshark did not start");
        }
        // Keep draining stderr so tshark never blocks on it.
        std::thread::spawn(move || for _ in lines {});
        // "Capturing on" comes a moment before packets are taken.
        std::thread::sleep(Duration::from_millis(500));
        Self {
            child,
            file: file.to_owned(),
        }
    }

    fn stop(mut self) -> PathBuf {
        std::thread::sleep(Duration::from_millis(300));
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT);
        let _ = self.child.wait();
        self.file.clone()
    }
}

/// One captured packet: source, chunk types, DSCP, time.
#[derive(Debug, Clone)]
struct Frame {
    src: String,
    chunks: Vec<u8>,
    dscp: u8,
    time: f64,
}

fn frames(file: &Path) -> Vec<Frame> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(file)
        .args(["-T", "fields", "-E", "separator=|"])
        .args([
            "-e",
            "ip.src",
            "-e",
            "sctp.chunk_type",
            "-e",
            "ip.dsfield.dscp",
        ])
        .args(["-e", "frame.time_relative"])
        .output()
        .expect("run tshark");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            Frame {
                src: f[0].to_owned(),
                chunks: f[1].split(',').filter_map(|c| c.parse().ok()).collect(),
                dscp: f[2].parse().unwrap_or(0),
                time: f[3].parse().unwrap_or(0.0),
            }
        })
        .collect()
}

const DATA: u8 = 0;
/// I-DATA (RFC 8260), which two of our stacks negotiate.
const I_DATA: u8 = 64;
const SACK: u8 = 3;
const HEARTBEAT: u8 = 4;

fn fast() -> AssociationConfig {
    AssociationConfig::default()
        .rto_initial(Duration::from_millis(100))
        .rto_min(Duration::from_millis(20))
        .rto_max(Duration::from_millis(200))
        .delayed_ack_time(Duration::from_millis(10))
}

/// RFC 6458 section 8.1.9 (`SCTP_PEER_ADDR_PARAMS`) at run time: a new
/// heartbeat interval and a DSCP set on an established association show in
/// the capture; the counters (like `SCTP_GET_ASSOC_STATS`) equal the
/// captured packets and chunks; the driver's own pcap file holds the same
/// packets as the capture.
#[test]
fn rfc6458_8_run_time_options_and_counters_match_the_capture() {
    if !root() || !have_tshark() {
        return;
    }
    let pair = NetnsPair::new("w");
    let dir = std::env::temp_dir().join(format!("sctp-raw-wire-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let iface = format!("sr{}wb", std::process::id());
    let cap = Capture::start(&pair.b, &iface, &dir.join("veth.pcap"));
    let server_addr: SocketAddr = "198.18.0.1:5300".parse().unwrap();
    let server = in_netns(&pair.a, move || async move {
        let l = SctpListener::bind(server_addr, Config::default().association(fast()))
            .await
            .unwrap();
        let (a, _) = l.accept().await.unwrap();
        while let Ok(Some(m)) = a.recv().await {
            a.send(m).await.unwrap();
        }
    });
    let own = dir.join("driver.pcap");
    let own2 = own.clone();
    let client = in_netns(&pair.b, move || async move {
        let config = Config::default().association(fast()).pcap(&own2);
        let a = SctpAssociation::connect(server_addr, config).await.unwrap();
        for i in 0..20u8 {
            let m = Message::new(0, Ppid(46), Bytes::from(vec![i; 300]));
            a.send(m).await.unwrap();
            assert_eq!(a.recv().await.unwrap().unwrap().payload[0], i);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        // The default interval is 30 s: no heartbeat so far. Now 200 ms, and EF.
        a.reconfigure(|c| c.hb_interval = Some(Duration::from_millis(200)))
            .unwrap();
        a.set_dscp(Some(46)).unwrap();
        tokio::time::sleep(Duration::from_millis(1300)).await;
        let status = a.status();
        a.shutdown().await.unwrap();
        (status, a.stats())
    });
    let (status, stats): (AssociationStatus, AssociationStats) = client.join().unwrap();
    server.join().unwrap();
    let veth = cap.stop();
    let all = frames(&veth);
    let ours: Vec<&Frame> = all.iter().filter(|f| f.src == "198.18.0.2").collect();
    let theirs: Vec<&Frame> = all.iter().filter(|f| f.src == "198.18.0.1").collect();
    let count = |v: &[&Frame], t: u8| -> u64 {
        v.iter()
            .map(|f| f.chunks.iter().filter(|&&c| c == t).count() as u64)
            .sum()
    };
    eprintln!("capture: {} frames; stats {stats:?}", all.len());
    // The counters are the capture.
    assert_eq!(stats.packets_sent, ours.len() as u64);
    assert_eq!(stats.packets_received, theirs.len() as u64);
    assert_eq!(
        stats.data_chunks_sent,
        count(&ours, DATA) + count(&ours, I_DATA)
    );
    assert_eq!(
        stats.data_chunks_received,
        count(&theirs, DATA) + count(&theirs, I_DATA)
    );
    assert!(count(&ours, I_DATA) > 0, "I-DATA negotiated");
    assert_eq!(stats.sacks_received, count(&theirs, SACK));
    assert_eq!(stats.sacks_sent, count(&ours, SACK));
    assert_eq!(stats.heartbeats_sent, count(&ours, HEARTBEAT));
    // The new interval: heartbeats every 200 ms plus an RTO with jitter.
    let beats: Vec<&&Frame> = ours
        .iter()
        .filter(|f| f.chunks.contains(&HEARTBEAT))
        .collect();
    assert!(
        (3..=9).contains(&beats.len()),
        "{} heartbeats in 1.3 s at a 200 ms interval",
        beats.len()
    );
    for w in beats.windows(2) {
        let gap = w[1].time - w[0].time;
        assert!(gap >= 0.15, "heartbeats {gap:.3} s apart");
    }
    // The DSCP applies from the moment it was set.
    assert!(beats.iter().all(|f| f.dscp == 46), "{beats:?}");
    assert!(
        ours.iter()
            .filter(|f| f.chunks.contains(&DATA))
            .all(|f| f.dscp == 0)
    );
    // Status while idle.
    assert_eq!(status.primary.address, server_addr);
    assert_eq!(status.primary.state, PathState::Active);
    assert_eq!(status.primary.mtu, 1500);
    assert_eq!(status.unacked_chunks, 0);
    assert_eq!(status.outbound_streams, 10);
    // The driver's pcap file has what the wire had, in the same order each
    // way (it records a packet sent when it queues it, and one received
    // when it reads it, so the two directions may interleave differently).
    let recorded = frames(&own);
    let way = |v: &[Frame], src: &str| -> Vec<Vec<u8>> {
        v.iter()
            .filter(|f| f.src == src)
            .map(|f| f.chunks.clone())
            .collect()
    };
    for src in ["198.18.0.1", "198.18.0.2"] {
        assert_eq!(way(&recorded, src), way(&all, src), "packets from {src}");
    }
    assert_eq!(recorded.len(), all.len());
    let _ = std::fs::remove_dir_all(&dir);
}
