//! Raw `IPPROTO_SCTP` sockets: loopback (IPv4 and IPv6), two independent
//! stacks side by side, and two network namespaces joined by a veth pair.
//! These need root (or CAP_NET_RAW and CAP_SYS_ADMIN) and skip otherwise.

mod support;

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use bytes::Bytes;
use sctp_raw::{
    AssociationConfig, AssociationEvent, Config, Message, Ppid, SctpAssociation, SctpListener,
};
use support::{LIMIT, NetnsPair, assert_graceful_shutdown, in_netns, ip, root};
use tokio::time::timeout;

fn msg(stream_id: u16, payload: impl Into<Bytes>) -> Message {
    Message::new(stream_id, Ppid(0), payload.into())
}

fn config() -> Config {
    Config::default().association(
        AssociationConfig::default()
            .rto_initial(Duration::from_millis(200))
            .rto_min(Duration::from_millis(100))
            .delayed_ack_time(Duration::from_millis(10)),
    )
}

/// Accepts one association and echoes until the peer shuts down; returns
/// the non-message events seen.
async fn serve_one(listener: &SctpListener) -> Vec<AssociationEvent> {
    let (assoc, _) = listener.accept().await.unwrap();
    while let Some(m) = assoc.recv().await.unwrap() {
        assoc.send(m).await.unwrap();
    }
    let mut events = Vec::new();
    while let Some(e) = assoc.next_event().await {
        events.push(e);
    }
    events
}

/// Sends `n` messages of assorted sizes (some larger than the MTU), checks
/// their echoes, shuts down.
async fn exchange(addr: SocketAddr, n: usize) -> Vec<AssociationEvent> {
    let assoc = SctpAssociation::connect(addr, config()).await.unwrap();
    assert_eq!(assoc.remote_addr(), addr);
    for i in 0..n {
        let len = [1, 100, 1400, 5000][i % 4];
        assoc
            .send(msg((i % 3) as u16, vec![(i % 251) as u8; len]))
            .await
            .unwrap();
    }
    for i in 0..n {
        let m = assoc.recv().await.unwrap().expect("echo");
        // Streams may interleave differently on the way back: check each message is whole.
        let j = usize::from(m.payload[0]);
        assert!(
            [1, 100, 1400, 5000].contains(&m.payload.len()),
            "message {i}"
        );
        assert!(m.payload.iter().all(|&b| usize::from(b) == j));
        assert_eq!(m.stream_id, (j % 3) as u16);
    }
    assoc.shutdown().await.unwrap();
    let mut events = Vec::new();
    while let Some(e) = assoc.next_event().await {
        events.push(e);
    }
    events
}

async fn loopback(addr: SocketAddr) {
    let listener = SctpListener::bind(addr, config()).await.unwrap();
    let (server, client) = tokio::join!(serve_one(&listener), exchange(addr, 200));
    assert_graceful_shutdown(&client, &server);
}

/// A server's port is free again as soon as its listener and associations
/// are gone: only client endpoints (ephemeral ports) linger to answer late
/// packets (RFC 9260 section 8.4 rule 5), so a restarted server can rebind.
#[tokio::test]
async fn a_dropped_listener_frees_its_port_at_once() {
    if !root() {
        return;
    }
    timeout(LIMIT, async {
        let addr: SocketAddr = "127.0.0.1:36045".parse().unwrap();
        let listener = SctpListener::bind(addr, config()).await.unwrap();
        let (client, accepted) =
            tokio::join!(SctpAssociation::connect(addr, config()), listener.accept());
        let (client, (server, _)) = (client.unwrap(), accepted.unwrap());
        client.shutdown().await.unwrap();
        assert!(server.recv().await.unwrap().is_none());
        drop((server, listener));
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            match SctpListener::bind(addr, config()).await {
                Ok(_) => break,
                Err(e) => {
                    assert!(
                        tokio::time::Instant::now() < deadline,
                        "port still held: {e}"
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn raw_ipv4_loopback() {
    if !root() {
        return;
    }
    timeout(LIMIT, loopback("127.0.0.1:36001".parse().unwrap()))
        .await
        .unwrap();
}

#[tokio::test]
async fn raw_ipv6_loopback() {
    if !root() {
        return;
    }
    timeout(LIMIT, loopback("[::1]:36002".parse().unwrap()))
        .await
        .unwrap();
}

#[tokio::test]
async fn two_listeners_cannot_share_a_port() {
    if !root() {
        return;
    }
    let addr: SocketAddr = "127.0.0.1:36003".parse().unwrap();
    let _first = SctpListener::bind(addr, config()).await.unwrap();
    let second = SctpListener::bind(addr, config()).await;
    assert!(
        matches!(&second, Err(sctp_raw::Error::Io(e)) if e.kind() == std::io::ErrorKind::AddrInUse),
        "{second:?}"
    );
}

/// Two stacks (each listener and each client has its own raw socket, which
/// sees every SCTP packet on the host) run associations at the same time;
/// the BPF filters keep each from answering the other's packets, so no
/// association is aborted and every message arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_stacks_do_not_disturb_each_other() {
    if !root() {
        return;
    }
    timeout(LIMIT, async {
        let a: SocketAddr = "127.0.0.1:36004".parse().unwrap();
        let b: SocketAddr = "127.0.0.1:36005".parse().unwrap();
        let la = SctpListener::bind(a, config()).await.unwrap();
        let lb = SctpListener::bind(b, config()).await.unwrap();
        let server_a = async {
            let mut all = Vec::new();
            for _ in 0..3 {
                all.extend(serve_one(&la).await);
            }
            all
        };
        let server_b = async {
            let mut all = Vec::new();
            for _ in 0..3 {
                all.extend(serve_one(&lb).await);
            }
            all
        };
        let clients = async {
            let mut tasks = Vec::new();
            for i in 0..6 {
                let addr = if i % 2 == 0 { a } else { b };
                tasks.push(tokio::spawn(exchange(addr, 100)));
            }
            let mut all = Vec::new();
            for t in tasks {
                all.extend(t.await.unwrap());
            }
            all
        };
        let (ea, eb, ec) = tokio::join!(server_a, server_b, clients);
        for e in ea.iter().chain(&eb).chain(&ec) {
            assert!(
                matches!(
                    e,
                    AssociationEvent::ShutdownReceived | AssociationEvent::ShutdownComplete
                ),
                "unexpected event {e:?}"
            );
        }
    })
    .await
    .unwrap();
}

#[test]
fn raw_between_network_namespaces() {
    if !root() {
        return;
    }
    let pair = NetnsPair::new("v");
    for (server_addr, port) in [("198.18.0.1", 36010u16), ("fd00:5c7f::1", 36011)] {
        let addr = SocketAddr::new(server_addr.parse().unwrap(), port);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let server = in_netns(&pair.a, move || async move {
            let any = SocketAddr::new(
                if addr.is_ipv6() {
                    "::".parse().unwrap()
                } else {
                    "0.0.0.0".parse().unwrap()
                },
                addr.port(),
            );
            let listener = SctpListener::bind(any, config()).await.unwrap();
            ready_tx.send(()).unwrap();
            serve_one(&listener).await
        });
        ready_rx.recv_timeout(LIMIT).expect("server ready");
        let client = in_netns(&pair.b, move || exchange(addr, 200));
        let client_events = client.join().expect("client");
        let server_events = server.join().expect("server");
        assert_graceful_shutdown(&client_events, &server_events);
    }
    drop(pair);
}

/// An endpoint on `[::]` serves IPv4 and IPv6 peers at once (one raw
/// socket per family, one driver, one port).
#[test]
fn endpoint_on_the_unspecified_ipv6_address_serves_both_families() {
    if !root() {
        return;
    }
    let pair = NetnsPair::new("d");
    let port = 36020u16;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let server = in_netns(&pair.a, move || async move {
        let listener = SctpListener::bind(SocketAddr::new("::".parse().unwrap(), port), config())
            .await
            .unwrap();
        ready_tx.send(()).unwrap();
        let (a, b) = tokio::join!(serve_one(&listener), serve_one(&listener));
        (a, b)
    });
    ready_rx.recv_timeout(LIMIT).expect("server ready");
    let v4 = SocketAddr::new("198.18.0.1".parse().unwrap(), port);
    let v6 = SocketAddr::new("fd00:5c7f::1".parse().unwrap(), port);
    let c4 = in_netns(&pair.b, move || exchange(v4, 50));
    let c6 = in_netns(&pair.b, move || exchange(v6, 50));
    let (e4, e6) = (c4.join().expect("v4 client"), c6.join().expect("v6 client"));
    let (s1, s2) = server.join().expect("server");
    assert_graceful_shutdown(&e4, &s1);
    assert_graceful_shutdown(&e6, &s2);
}

/// The veth links have an MTU of 1280 while associations assume 1500: the
/// first large packets fail with EMSGSIZE, go out fragmented, and the
/// error-queue report lowers the association's path MTU to 1280.
#[test]
fn path_mtu_is_lowered_from_the_error_queue() {
    if !root() {
        return;
    }
    let pair = NetnsPair::with_mtu("m", Some(1280));
    for (server_addr, port) in [("198.18.0.1", 36020u16), ("fd00:5c7f::1", 36021)] {
        let addr = SocketAddr::new(server_addr.parse().unwrap(), port);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let server = in_netns(&pair.a, move || async move {
            let listener = SctpListener::bind(addr, config()).await.unwrap();
            ready_tx.send(()).unwrap();
            let (assoc, _) = listener.accept().await.unwrap();
            while let Some(m) = assoc.recv().await.unwrap() {
                assoc.send(m).await.unwrap();
            }
            for _ in 0..100 {
                if assoc.path_mtu() < 1500 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            assoc.path_mtu()
        });
        ready_rx.recv_timeout(LIMIT).expect("server ready");
        let client = in_netns(&pair.b, move || async move {
            let assoc = SctpAssociation::connect(addr, config()).await.unwrap();
            assert_eq!(assoc.path_mtu(), 1500);
            for i in 0..40u8 {
                assoc.send(msg(0, vec![i; 5000])).await.unwrap();
            }
            for i in 0..40u8 {
                let m = assoc.recv().await.unwrap().expect("echo");
                assert_eq!(m.payload[..], vec![i; 5000][..]);
            }
            // The lower MTU is applied once nothing is outstanding.
            for _ in 0..100 {
                if assoc.path_mtu() < 1500 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let mtu = assoc.path_mtu();
            assoc.shutdown().await.unwrap();
            mtu
        });
        let client_mtu = client.join().expect("client");
        let server_mtu = server.join().expect("server");
        assert_eq!((client_mtu, server_mtu), (1280, 1280), "{addr}");
    }
    drop(pair);
}

/// Environment variable that turns [`child_stack_entry`] into a server.
const CHILD_PORT_VAR: &str = "SCTP_RAW_TEST_CHILD_PORT";

/// Not a test by itself: the child process of
/// [`a_stack_in_another_process_is_undisturbed`] runs this to serve three
/// associations on its own raw sockets.
#[test]
fn child_stack_entry() {
    let Ok(port) = std::env::var(CHILD_PORT_VAR) else {
        return;
    };
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let events = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async move {
            timeout(LIMIT, async move {
                let listener = SctpListener::bind(addr, config()).await.unwrap();
                println!("READY");
                let mut all = Vec::new();
                for _ in 0..3 {
                    all.extend(serve_one(&listener).await);
                }
                all
            })
            .await
            .expect("child time limit")
        });
    for e in events {
        assert!(
            matches!(
                e,
                AssociationEvent::ShutdownReceived | AssociationEvent::ShutdownComplete
            ),
            "child saw {e:?}"
        );
    }
}

/// Kills the child process if the test fails first.
struct ChildGuard(std::process::Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A second, independent stack in a child process serves port B while this
/// process serves port A; both raw sockets see all SCTP traffic on the host,
/// and the BPF filters keep either from disturbing the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stack_in_another_process_is_undisturbed() {
    if !root() {
        return;
    }
    use std::io::BufRead;
    let child_port = 36031u16;
    let mut child = ChildGuard(
        Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "child_stack_entry",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_PORT_VAR, child_port.to_string())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("spawn child"),
    );
    let stdout = child.0.stdout.take().unwrap();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            if line.is_ok_and(|l| l.trim_end().ends_with("READY")) {
                let _ = ready_tx.send(());
            }
        }
    });
    ready_rx.recv_timeout(LIMIT).expect("child ready");
    timeout(LIMIT, async {
        let a: SocketAddr = "127.0.0.1:36030".parse().unwrap();
        let b: SocketAddr = format!("127.0.0.1:{child_port}").parse().unwrap();
        let la = SctpListener::bind(a, config()).await.unwrap();
        let server_a = async {
            let mut all = Vec::new();
            for _ in 0..3 {
                all.extend(serve_one(&la).await);
            }
            all
        };
        let clients = async {
            let tasks: Vec<_> = (0..6)
                .map(|i| tokio::spawn(exchange(if i % 2 == 0 { a } else { b }, 100)))
                .collect();
            let mut all = Vec::new();
            for t in tasks {
                all.extend(t.await.unwrap());
            }
            all
        };
        let (ea, ec) = tokio::join!(server_a, clients);
        for e in ea.iter().chain(&ec) {
            assert!(
                matches!(
                    e,
                    AssociationEvent::ShutdownReceived | AssociationEvent::ShutdownComplete
                ),
                "unexpected event {e:?}"
            );
        }
    })
    .await
    .unwrap();
    let status = tokio::task::spawn_blocking(move || {
        let status = child.0.wait();
        (status, child)
    })
    .await
    .unwrap()
    .0
    .unwrap();
    assert!(status.success(), "child stack failed: {status}");
}

/// Namespaces deleted on drop (also when a test panics).
struct Namespaces(Vec<String>);

impl Drop for Namespaces {
    fn drop(&mut self) {
        for ns in &self.0 {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

/// A -- R -- B, where the R--B link has an MTU of 1280: R answers A's
/// 1500-byte packets with ICMP "fragmentation needed"/"packet too big", and
/// A's association learns the path MTU from its socket's error queue.
#[test]
fn path_mtu_is_lowered_by_icmp_from_a_router() {
    if !root() {
        return;
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let pid = std::process::id();
    let [a, r, b] = ["a", "r", "b"].map(|t| format!("sctpraw-{pid}-i{t}"));
    let guard = Namespaces(vec![a.clone(), r.clone(), b.clone()]);
    for ns in &guard.0 {
        ip(&["netns", "add", ns]);
        ip(&["-n", ns, "link", "set", "lo", "up"]);
    }
    let (ar, ra, rb, br) = (
        format!("sr{pid}ar"),
        format!("sr{pid}ra"),
        format!("sr{pid}rb"),
        format!("sr{pid}br"),
    );
    ip(&[
        "link", "add", &ar, "netns", &a, "type", "veth", "peer", "name", &ra, "netns", &r,
    ]);
    ip(&[
        "link", "add", &rb, "netns", &r, "type", "veth", "peer", "name", &br, "netns", &b,
    ]);
    for (ns, dev, v4, v6, mtu) in [
        (&a, &ar, "198.18.1.1/24", "fd00:5c7f:1::1/64", "1500"),
        (&r, &ra, "198.18.1.2/24", "fd00:5c7f:1::2/64", "1500"),
        (&r, &rb, "198.18.2.2/24", "fd00:5c7f:2::2/64", "1280"),
        (&b, &br, "198.18.2.1/24", "fd00:5c7f:2::1/64", "1280"),
    ] {
        ip(&["-n", ns, "addr", "add", v4, "dev", dev]);
        ip(&["-n", ns, "addr", "add", v6, "dev", dev, "nodad"]);
        ip(&["-n", ns, "link", "set", dev, "mtu", mtu]);
        ip(&["-n", ns, "link", "set", dev, "up"]);
    }
    ip(&["-n", &a, "route", "add", "default", "via", "198.18.1.2"]);
    ip(&["-n", &b, "route", "add", "default", "via", "198.18.2.2"]);
    ip(&[
        "-n",
        &a,
        "-6",
        "route",
        "add",
        "default",
        "via",
        "fd00:5c7f:1::2",
    ]);
    ip(&[
        "-n",
        &b,
        "-6",
        "route",
        "add",
        "default",
        "via",
        "fd00:5c7f:2::2",
    ]);
    for key in ["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"] {
        let ok = Command::new("ip")
            .args(["netns", "exec", &r, "sysctl", "-qw", key])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "sysctl {key}");
    }
    for (server_addr, port) in [("198.18.2.1", 36040u16), ("fd00:5c7f:2::1", 36041)] {
        let addr = SocketAddr::new(server_addr.parse().unwrap(), port);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let server = in_netns(&b, move || async move {
            let listener = SctpListener::bind(addr, config()).await.unwrap();
            ready_tx.send(()).unwrap();
            serve_one(&listener).await
        });
        ready_rx.recv_timeout(LIMIT).expect("server ready");
        let client = in_netns(&a, move || async move {
            let assoc = SctpAssociation::connect(addr, config()).await.unwrap();
            for i in 0..20u8 {
                assoc.send(msg(0, vec![i; 5000])).await.unwrap();
            }
            for i in 0..20u8 {
                let m = assoc.recv().await.unwrap().expect("echo");
                assert_eq!(m.payload[..], vec![i; 5000][..]);
            }
            // The lower MTU is applied once nothing is outstanding.
            for _ in 0..100 {
                if assoc.path_mtu() < 1500 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let mtu = assoc.path_mtu();
            assoc.shutdown().await.unwrap();
            mtu
        });
        assert_eq!(client.join().expect("client"), 1280, "{addr}");
        server.join().expect("server");
    }
    drop(guard);
}
