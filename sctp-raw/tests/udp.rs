//! The API over loopback with UDP encapsulation (no privilege needed).

mod support;

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use sctp_raw::{
    AssociationConfig, AssociationEvent, CloseReason, Config, Error, Message, Ppid,
    SctpAssociation, SctpListener,
};
use support::free_udp_port;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(30);

fn msg(stream_id: u16, unordered: bool, payload: impl Into<Bytes>) -> Message {
    Message::new(stream_id, Ppid(51), payload.into()).with_unordered(unordered)
}

fn fast(cfg: AssociationConfig) -> AssociationConfig {
    cfg.rto_initial(Duration::from_millis(100))
        .rto_min(Duration::from_millis(50))
        .delayed_ack_time(Duration::from_millis(10))
}

struct Pair {
    listener: SctpListener,
    client: SctpAssociation,
    server: SctpAssociation,
    udp_port: u16,
}

async fn pair_with(sctp_port: u16, cfg: AssociationConfig) -> Pair {
    let udp_port = free_udp_port();
    let addr: SocketAddr = format!("127.0.0.1:{sctp_port}").parse().unwrap();
    let listener = SctpListener::bind(addr, Config::udp(udp_port, 0).association(cfg.clone()))
        .await
        .unwrap();
    assert_eq!(listener.local_addr(), addr);
    let (client, accepted) = tokio::join!(
        SctpAssociation::connect(addr, Config::udp(0, udp_port).association(cfg)),
        listener.accept()
    );
    let client = client.unwrap();
    let (server, peer) = accepted.unwrap();
    assert_eq!(peer, server.remote_addr());
    assert_eq!(client.remote_addr(), addr);
    assert_eq!(peer.port(), client.local_addr().port());
    Pair {
        listener,
        client,
        server,
        udp_port,
    }
}

async fn pair(sctp_port: u16) -> Pair {
    pair_with(sctp_port, fast(AssociationConfig::default())).await
}

fn echo(server: SctpAssociation) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Ok(Some(m)) = server.recv().await {
            if server.send(m).await.is_err() {
                break;
            }
        }
    })
}

#[tokio::test]
async fn echo_on_several_streams_ordered_and_unordered() {
    timeout(LIMIT, async {
        let p = pair(5001).await;
        let _echo = echo(p.server);
        let n = 400u32;
        for i in 0..n {
            let stream = (i % 4) as u16;
            p.client
                .send(msg(stream, i % 3 == 0, i.to_be_bytes().to_vec()))
                .await
                .unwrap();
        }
        let mut last: HashMap<u16, u32> = HashMap::new();
        let mut seen = vec![false; n as usize];
        for _ in 0..n {
            let m = p.client.recv().await.unwrap().unwrap();
            let i = u32::from_be_bytes(m.payload[..].try_into().unwrap());
            assert_eq!(m.stream_id, (i % 4) as u16);
            assert_eq!(m.unordered, i % 3 == 0);
            assert_eq!(m.ppid, Ppid(51));
            assert!(!seen[i as usize], "duplicate {i}");
            seen[i as usize] = true;
            if !m.unordered
                && let Some(prev) = last.insert(m.stream_id, i)
            {
                assert!(
                    prev < i,
                    "stream {} out of order: {prev} then {i}",
                    m.stream_id
                );
            }
        }
        assert!(seen.iter().all(|s| *s));
        p.client.shutdown().await.unwrap();
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn one_megabyte_message_both_ways() {
    timeout(LIMIT, async {
        let cfg = fast(AssociationConfig::default())
            .max_message_size(2 * 1024 * 1024)
            .receive_window(4 * 1024 * 1024);
        let p = pair_with(5002, cfg).await;
        let _echo = echo(p.server);
        let big: Vec<u8> = (0..1024 * 1024).map(|i| (i * 7 % 251) as u8).collect();
        p.client.send(msg(1, false, big.clone())).await.unwrap();
        let back = p.client.recv().await.unwrap().unwrap();
        assert_eq!(back.payload.len(), big.len());
        assert!(back.payload[..] == big[..]);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn graceful_shutdown_is_seen_on_both_sides() {
    timeout(LIMIT, async {
        let p = pair(5003).await;
        for i in 0..50u8 {
            p.client.send(msg(0, false, vec![i; 300])).await.unwrap();
        }
        p.client.shutdown().await.unwrap();
        // All data was acknowledged before SHUTDOWN COMPLETE: the server reads it all, then None.
        for i in 0..50u8 {
            let m = p.server.recv().await.unwrap().unwrap();
            assert_eq!(m.payload[..], vec![i; 300][..]);
        }
        assert!(p.server.recv().await.unwrap().is_none());
        assert_eq!(
            p.server.next_event().await,
            Some(AssociationEvent::ShutdownReceived)
        );
        assert_eq!(
            p.server.next_event().await,
            Some(AssociationEvent::ShutdownComplete)
        );
        assert_eq!(p.server.next_event().await, None);
        assert_eq!(
            p.client.next_event().await,
            Some(AssociationEvent::ShutdownComplete)
        );
        assert!(p.client.recv().await.unwrap().is_none());
        assert!(matches!(
            p.client.send(msg(0, false, "late")).await,
            Err(Error::Send(_))
        ));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn abort_is_seen_on_the_peer() {
    timeout(LIMIT, async {
        let p = pair(5004).await;
        p.client.send(msg(0, false, "before")).await.unwrap();
        assert_eq!(
            &p.server.recv().await.unwrap().unwrap().payload[..],
            b"before"
        );
        p.client.abort();
        match p.server.recv().await {
            Err(Error::Closed(CloseReason::PeerAborted(causes))) => {
                assert!(
                    causes
                        .iter()
                        .any(|c| c.code == sctp_raw::CauseCode::USER_INITIATED_ABORT),
                    "{causes:?}"
                );
            }
            other => panic!("expected a peer abort, got {other:?}"),
        }
        assert!(matches!(
            p.server.next_event().await,
            Some(AssociationEvent::Closed(CloseReason::PeerAborted(_)))
        ));
        assert!(matches!(
            p.client.recv().await,
            Err(Error::Closed(CloseReason::LocalAbort(_)))
        ));
        let e: std::io::Error = p.client.send(msg(0, false, "x")).await.unwrap_err().into();
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionAborted);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn sends_wait_for_the_peer_to_read() {
    timeout(LIMIT, async {
        let cfg = fast(AssociationConfig::default())
            .send_buffer(64 * 1024)
            .receive_window(64 * 1024)
            .max_message_size(16 * 1024);
        let p = pair_with(5005, cfg).await;
        let total = 2000usize;
        let sent = Arc::new(AtomicUsize::new(0));
        let client = Arc::new(p.client);
        let sender = {
            let (client, sent) = (client.clone(), sent.clone());
            tokio::spawn(async move {
                for i in 0..total {
                    client
                        .send(msg(0, false, vec![(i % 256) as u8; 1000]))
                        .await
                        .unwrap();
                    sent.fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        tokio::time::sleep(Duration::from_millis(700)).await;
        let stalled = sent.load(Ordering::Relaxed);
        assert!(stalled > 10, "sending never started ({stalled})");
        assert!(
            stalled < 400,
            "{stalled} messages of 1000 bytes were accepted although nobody reads"
        );
        // The cancel-safe send: a cancelled send queues nothing.
        let cancelled = timeout(
            Duration::from_millis(50),
            client.send(msg(0, false, vec![0xff; 16 * 1024])),
        )
        .await;
        assert!(
            cancelled.is_err(),
            "stalled {stalled} now {} buffered {}",
            sent.load(Ordering::Relaxed),
            client.buffered_amount()
        );
        for i in 0..total {
            let m = p.server.recv().await.unwrap().unwrap();
            assert_eq!(m.payload[0], (i % 256) as u8, "message {i}");
        }
        sender.await.unwrap();
        assert_eq!(sent.load(Ordering::Relaxed), total);
        drop(p.listener);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn dropping_handles_shuts_down_and_ends_the_drivers() {
    timeout(LIMIT, async {
        let p = pair(5006).await;
        let udp_port = p.udp_port;
        p.client.send(msg(0, false, "last words")).await.unwrap();
        drop(p.client);
        // The drop started a graceful shutdown: the data still arrives, then the end.
        assert_eq!(
            &p.server.recv().await.unwrap().unwrap().payload[..],
            b"last words"
        );
        assert!(p.server.recv().await.unwrap().is_none());
        drop(p.server);
        drop(p.listener);
        // The listener's driver closes its UDP socket when it ends.
        let mut freed = false;
        for _ in 0..100 {
            if UdpSocket::bind(("127.0.0.1", udp_port)).is_ok() {
                freed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(freed, "the listener's driver did not stop");
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn connect_to_nobody_times_out() {
    timeout(LIMIT, async {
        let cfg = AssociationConfig::default()
            .rto_initial(Duration::from_millis(30))
            .rto_min(Duration::from_millis(30))
            .rto_max(Duration::from_millis(60))
            .max_init_retransmits(2);
        let port = free_udp_port();
        let r = SctpAssociation::connect(
            "127.0.0.1:5999".parse().unwrap(),
            Config::udp(0, port).association(cfg),
        )
        .await;
        assert!(matches!(r, Err(Error::SetupTimedOut)), "{r:?}");
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn ipv6_loopback_works_too() {
    timeout(LIMIT, async {
        let udp_port = UdpSocket::bind("[::1]:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr: SocketAddr = "[::1]:5007".parse().unwrap();
        let listener = SctpListener::bind(addr, Config::udp(udp_port, 0))
            .await
            .unwrap();
        let (client, accepted) = tokio::join!(
            SctpAssociation::connect(addr, Config::udp(0, udp_port)),
            listener.accept()
        );
        let (client, (server, _)) = (client.unwrap(), accepted.unwrap());
        assert!(server.local_addr().ip().is_loopback());
        let _echo = echo(server);
        client.send(msg(2, true, "v6")).await.unwrap();
        assert_eq!(&client.recv().await.unwrap().unwrap().payload[..], b"v6");
        client.shutdown().await.unwrap();
    })
    .await
    .unwrap();
}

/// Without root or CAP_NET_RAW, raw sockets are refused with a clear error
/// (as root there is nothing to check).
#[tokio::test]
async fn raw_without_privilege_is_permission_denied() {
    if nix::unistd::geteuid().is_root() {
        eprintln!("SKIP: running as root, raw sockets are allowed");
        return;
    }
    let r = SctpListener::bind("127.0.0.1:5010".parse().unwrap(), Config::default()).await;
    let Err(e) = r else {
        // CAP_NET_RAW granted without root.
        return;
    };
    assert!(matches!(e, Error::PermissionDenied), "{e:?}");
    assert!(e.to_string().contains("Transport::Udp"));
    let io: std::io::Error = e.into();
    assert_eq!(io.kind(), std::io::ErrorKind::PermissionDenied);
}
