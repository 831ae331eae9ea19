//! Throughput smoke tests over raw loopback sockets; ignored by default, run
//! with `cargo test --release -p sctp-raw --test perf -- --ignored --nocapture`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sctp_raw::{AssociationConfig, Config, Message, Ppid, SctpAssociation, SctpListener};

async fn run(addr: SocketAddr, size: usize, secs: u64) -> (f64, f64) {
    let cfg = Config::default().association(
        AssociationConfig::default()
            .rto_min(Duration::from_millis(100))
            .rto_initial(Duration::from_millis(200))
            .max_burst(max_burst()),
    );
    let listener = SctpListener::bind(addr, cfg.clone()).await.unwrap();
    let sink = tokio::spawn(async move {
        let (assoc, _) = listener.accept().await.unwrap();
        let (mut n, mut bytes) = (0u64, 0u64);
        while let Ok(Some(m)) = assoc.recv().await {
            n += 1;
            bytes += m.payload.len() as u64;
        }
        (n, bytes)
    });
    let client = SctpAssociation::connect(addr, cfg).await.unwrap();
    let payload = Bytes::from(vec![0xab; size]);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        for _ in 0..64 {
            client
                .send(Message::new(0, Ppid(0), payload.clone()))
                .await
                .unwrap();
        }
    }
    client.shutdown().await.unwrap();
    let elapsed = start.elapsed().as_secs_f64();
    let (n, bytes) = sink.await.unwrap();
    (n as f64 / elapsed, bytes as f64 / elapsed / 1e6)
}

/// Max.Burst for the measurements: `SCTP_RAW_PERF_MAX_BURST`, else the default 4.
fn max_burst() -> u32 {
    std::env::var("SCTP_RAW_PERF_MAX_BURST")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
}

fn root() -> bool {
    let r = nix::unistd::geteuid().is_root();
    if !r {
        eprintln!("SKIP: raw sockets need root");
    }
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "throughput measurement"]
async fn throughput_1400_byte_messages() {
    if root() {
        let (rate, mbps) = run("127.0.0.1:36201".parse().unwrap(), 1400, 3).await;
        eprintln!("1400-byte messages: {rate:.0} msg/s, {mbps:.1} MB/s");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "throughput measurement"]
async fn rate_100_byte_messages() {
    if root() {
        let (rate, mbps) = run("127.0.0.1:36202".parse().unwrap(), 100, 3).await;
        eprintln!("100-byte messages: {rate:.0} msg/s, {mbps:.1} MB/s");
    }
}

/// Namespaces deleted on drop.
struct Namespaces(Vec<String>);

impl Drop for Namespaces {
    fn drop(&mut self) {
        for ns in &self.0 {
            let _ = std::process::Command::new("ip")
                .args(["netns", "del", ns])
                .status();
        }
    }
}

fn ip(args: &[&str]) {
    let ok = std::process::Command::new("ip")
        .args(args)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "ip {}", args.join(" "));
}

fn in_netns<T: Send + 'static>(
    ns: &str,
    f: impl FnOnce() -> std::pin::Pin<Box<dyn Future<Output = T>>> + Send + 'static,
) -> std::thread::JoinHandle<T> {
    let path = format!("/var/run/netns/{ns}");
    std::thread::spawn(move || {
        let file = std::fs::File::open(&path).unwrap();
        nix::sched::setns(file, nix::sched::CloneFlags::CLONE_NEWNET).unwrap();
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f())
    })
}

/// Throughput across a veth pair between two namespaces, one thread per side.
#[test]
#[ignore = "throughput measurement"]
fn veth_throughput() {
    if !root() {
        return;
    }
    let pid = std::process::id();
    let (a, b) = (format!("sctpraw-{pid}-pa"), format!("sctpraw-{pid}-pb"));
    let _guard = Namespaces(vec![a.clone(), b.clone()]);
    ip(&["netns", "add", &a]);
    ip(&["netns", "add", &b]);
    let (va, vb) = (format!("sr{pid}pa"), format!("sr{pid}pb"));
    ip(&[
        "link", "add", &va, "netns", &a, "type", "veth", "peer", "name", &vb, "netns", &b,
    ]);
    ip(&["-n", &a, "addr", "add", "198.18.0.1/24", "dev", &va]);
    ip(&["-n", &b, "addr", "add", "198.18.0.2/24", "dev", &vb]);
    ip(&["-n", &a, "link", "set", &va, "up"]);
    ip(&["-n", &b, "link", "set", &vb, "up"]);
    for size in [1400usize, 100] {
        let addr: SocketAddr = "198.18.0.1:36301".parse().unwrap();
        let cfg = Config::default().association(
            AssociationConfig::default()
                .rto_min(Duration::from_millis(100))
                .rto_initial(Duration::from_millis(200))
                .max_burst(max_burst()),
        );
        let (tx, rx) = std::sync::mpsc::channel();
        let server_cfg = cfg.clone();
        let server = in_netns(&a, move || {
            Box::pin(async move {
                let listener = SctpListener::bind(addr, server_cfg).await.unwrap();
                tx.send(()).unwrap();
                let (assoc, _) = listener.accept().await.unwrap();
                let (mut n, mut bytes) = (0u64, 0u64);
                while let Ok(Some(m)) = assoc.recv().await {
                    n += 1;
                    bytes += m.payload.len() as u64;
                }
                (n, bytes)
            })
        });
        rx.recv().unwrap();
        let client = in_netns(&b, move || {
            Box::pin(async move {
                let client = SctpAssociation::connect(addr, cfg).await.unwrap();
                let payload = Bytes::from(vec![0xab; size]);
                let start = Instant::now();
                while start.elapsed() < Duration::from_secs(3) {
                    for _ in 0..64 {
                        let m = Message::new(0, Ppid(0), payload.clone());
                        client.send(m).await.unwrap();
                    }
                }
                client.shutdown().await.unwrap();
                start.elapsed().as_secs_f64()
            })
        });
        let secs = client.join().unwrap();
        let (n, bytes) = server.join().unwrap();
        eprintln!(
            "veth, {size}-byte messages: {:.0} msg/s, {:.1} MB/s",
            n as f64 / secs,
            bytes as f64 / secs / 1e6
        );
    }
}
