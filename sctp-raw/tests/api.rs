//! The application API over UDP encapsulation on loopback (no privilege
//! needed): endpoints that accept and connect, INIT collisions, the ordered
//! stream of messages and notifications against a scripted peer, abort
//! reasons, split handles, messages sent in pieces, run-time options.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sctp_core::wire::cause::{Cause, InvalidStreamIdentifier};
use sctp_core::wire::chunk::OperationError;
use sctp_core::wire::{Chunk, PacketBuilder};
use sctp_core::{
    Association, AssociationHandle, DatagramEvent, Endpoint, EndpointConfig, VerificationTag,
};
use sctp_raw::{
    AssociationConfig, AssociationEvent, CauseCode, CloseReason, Config, Delivery, Error,
    EventMask, Message, Ppid, PrPolicy, ReconfigOutcome, SchedulerKind, SctpAssociation,
    SctpEndpoint, SendOptions,
};
use support::free_udp_port;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(30);

fn msg(stream_id: u16, payload: impl Into<Bytes>) -> Message {
    Message::new(stream_id, Ppid(46), payload.into())
}

fn fast() -> AssociationConfig {
    AssociationConfig::default()
        .rto_initial(Duration::from_millis(100))
        .rto_min(Duration::from_millis(50))
        .rto_max(Duration::from_millis(400))
        .delayed_ack_time(Duration::from_millis(10))
}

/// Two endpoints that both accept, on UDP ports of their own and the same
/// SCTP port, dial each other at the same moment: RFC 9260 section 5.2.1
/// (INIT in COOKIE-WAIT) and 5.2.4 (COOKIE ECHO in COOKIE-ECHOED) make one
/// association of the two attempts, on each side.
#[tokio::test]
async fn rfc9260_5_2_1_endpoints_dialling_each_other_end_with_one_association() {
    timeout(LIMIT, async {
        let (ua, ub) = (free_udp_port(), free_udp_port());
        let sctp_port = 3868;
        let a = SctpEndpoint::bind(
            format!("127.0.0.1:{sctp_port}").parse().unwrap(),
            Config::udp(ua, ub).association(fast()),
        )
        .await
        .unwrap();
        let b = SctpEndpoint::bind(
            format!("127.0.0.1:{sctp_port}").parse().unwrap(),
            Config::udp(ub, ua).association(fast()),
        )
        .await
        .unwrap();
        let to: SocketAddr = format!("127.0.0.1:{sctp_port}").parse().unwrap();
        let (ra, rb) = tokio::join!(a.connect(to), b.connect(to));
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        assert_eq!((a.association_count(), b.association_count()), (1, 1));
        ra.send(msg(0, "CER")).await.unwrap();
        assert_eq!(&rb.recv().await.unwrap().unwrap().payload[..], b"CER");
        rb.send(msg(0, "CEA")).await.unwrap();
        assert_eq!(&ra.recv().await.unwrap().unwrap().payload[..], b"CEA");
        // Neither side has a second association waiting to be accepted.
        assert!(
            timeout(Duration::from_millis(200), a.accept())
                .await
                .is_err(),
            "a second association appeared"
        );
        ra.shutdown().await.unwrap();
        assert!(rb.recv().await.unwrap().is_none());
    })
    .await
    .unwrap();
}

/// A client endpoint runs many associations on one socket and one port,
/// each to its own server address (all of 127.0.0.0/8 is loopback; each
/// server endpoint is bound to one address, so each sees one association).
#[tokio::test]
async fn one_client_endpoint_carries_many_associations() {
    timeout(LIMIT, async {
        let udp = free_udp_port();
        let n = 50u8;
        let mut servers = Vec::new();
        for i in 0..n {
            let at: SocketAddr = format!("127.0.0.{}:2905", 10 + i).parse().unwrap();
            servers.push(
                SctpEndpoint::bind(at, Config::udp(udp, 0).association(fast()))
                    .await
                    .unwrap(),
            );
        }
        let client = SctpEndpoint::client(
            "127.0.0.1:0".parse().unwrap(),
            Config::udp(0, udp).association(fast()),
        )
        .await
        .unwrap();
        let mut assocs = Vec::new();
        for s in &servers {
            assocs.push(client.connect(s.local_addr()).await.unwrap());
        }
        assert_eq!(client.association_count(), usize::from(n));
        let local = assocs[0].local_addr().port();
        assert!(assocs.iter().all(|a| a.local_addr().port() == local));
        for (i, a) in assocs.iter().enumerate() {
            a.send(msg(0, vec![i as u8; 10])).await.unwrap();
        }
        for (i, s) in servers.iter().enumerate() {
            let (theirs, from) = s.accept().await.unwrap();
            assert_eq!(from.port(), local);
            let m = theirs.recv().await.unwrap().unwrap();
            assert_eq!(usize::from(m.payload[0]), i);
            assert_eq!(s.association_count(), 1);
        }
    })
    .await
    .unwrap();
}

/// RFC 6458 section 5.3.2 (SCTP_INITMSG per association): one client
/// endpoint starts associations with stream counts of their own, and
/// settings that do not hold together are refused with a typed error.
#[tokio::test]
async fn connect_with_gives_one_association_its_own_stream_counts() {
    timeout(LIMIT, async {
        let udp = free_udp_port();
        let at: SocketAddr = "127.0.0.1:2906".parse().unwrap();
        let server = SctpEndpoint::bind(at, Config::udp(udp, 0).association(fast()))
            .await
            .unwrap();
        let client = SctpEndpoint::client(
            "127.0.0.1:0".parse().unwrap(),
            Config::udp(0, udp).association(fast()),
        )
        .await
        .unwrap();
        let a = client
            .connect_with(&[at], |c| {
                c.outbound_streams = 3;
                c.inbound_streams = 5;
            })
            .await
            .unwrap();
        let (theirs, _) = server.accept().await.unwrap();
        let st = a.status();
        assert_eq!((st.outbound_streams, st.inbound_streams), (3, 5));
        let st = theirs.status();
        assert_eq!((st.outbound_streams, st.inbound_streams), (5, 3));
        // The endpoint's own settings are unchanged for the next one.
        let other: SocketAddr = "127.0.0.2:2906".parse().unwrap();
        let server2 = SctpEndpoint::bind(other, Config::udp(udp, 0).association(fast()))
            .await
            .unwrap();
        let b = client.connect(other).await.unwrap();
        let defaults = fast();
        assert_eq!(b.status().outbound_streams, defaults.outbound_streams);
        drop(server2);
        let bad = client.connect_with(&[at], |c| c.outbound_streams = 0).await;
        assert!(matches!(bad, Err(Error::Config(_))), "{bad:?}");
    })
    .await
    .unwrap();
}

/// Draining an endpoint shuts every association down gracefully: what was
/// sent is delivered, each peer sees SHUTDOWN, and new INITs find no listener.
#[tokio::test]
async fn shutdown_all_drains_every_association_gracefully() {
    timeout(LIMIT, async {
        let udp = free_udp_port();
        let addr: SocketAddr = "127.0.0.1:2910".parse().unwrap();
        let server = SctpEndpoint::bind(addr, Config::udp(udp, 0).association(fast()))
            .await
            .unwrap();
        let mut clients = Vec::new();
        for _ in 0..3 {
            let c = SctpAssociation::connect(addr, Config::udp(0, udp).association(fast()))
                .await
                .unwrap();
            clients.push(c);
        }
        let mut theirs = Vec::new();
        for _ in 0..3 {
            let (a, _) = server.accept().await.unwrap();
            a.send(msg(0, "last words")).await.unwrap();
            theirs.push(a);
        }
        server.shutdown_all().await;
        assert_eq!(server.association_count(), 0);
        for c in &clients {
            assert_eq!(&c.recv().await.unwrap().unwrap().payload[..], b"last words");
            assert!(c.recv().await.unwrap().is_none());
            assert_eq!(
                c.next_event().await,
                Some(AssociationEvent::ShutdownReceived)
            );
        }
        assert!(matches!(server.accept().await, Err(Error::NotListening)));
        let late = SctpAssociation::connect(
            addr,
            Config::udp(0, udp).association(fast().max_init_retransmits(1)),
        )
        .await;
        assert!(late.is_err(), "a drained endpoint accepted {late:?}");
    })
    .await
    .unwrap();
}

/// A server endpoint on 127.0.0.1:`port` (UDP encapsulation) and one
/// association to it, both ends.
struct Pair {
    /// Kept so the endpoint lives as long as the test wants.
    _server: SctpEndpoint,
    client: SctpAssociation,
    theirs: SctpAssociation,
    /// The server's UDP port.
    udp: u16,
}

async fn pair(port: u16) -> Pair {
    let udp = free_udp_port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let server = SctpEndpoint::bind(addr, Config::udp(udp, 0).association(fast()))
        .await
        .unwrap();
    let (client, accepted) = tokio::join!(
        SctpAssociation::connect(addr, Config::udp(0, udp).association(fast())),
        server.accept()
    );
    Pair {
        _server: server,
        client: client.unwrap(),
        theirs: accepted.unwrap().0,
        udp,
    }
}

/// A hand-driven engine peer on a plain UDP socket, for scripting what our
/// stack sees: packets can be dropped, chunks injected, the peer restarted.
struct Peer {
    sock: tokio::net::UdpSocket,
    to: SocketAddr,
    ep: Endpoint,
    assoc: Option<(AssociationHandle, Association)>,
    /// The tag our stack expects in packets, seen in the peer's own packets.
    tag: Option<VerificationTag>,
    port: u16,
}

impl Peer {
    async fn connect(to: SocketAddr, server: SocketAddr, port: u16) -> Self {
        let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let mut p = Self::on(sock, to, port);
        p.dial(server);
        p
    }

    fn on(sock: tokio::net::UdpSocket, to: SocketAddr, port: u16) -> Self {
        let config = EndpointConfig::default().association(fast());
        Self {
            sock,
            to,
            ep: Endpoint::new(config, Instant::now()),
            assoc: None,
            tag: None,
            port,
        }
    }

    fn dial(&mut self, server: SocketAddr) {
        let (h, a) = self.ep.connect(Instant::now(), self.port, server).unwrap();
        self.assoc = Some((h, a));
    }

    fn assoc(&mut self) -> &mut Association {
        &mut self.assoc.as_mut().unwrap().1
    }

    /// Runs the peer for `d`; with `drop_all` nothing gets through either way.
    async fn pump(&mut self, d: Duration, drop_all: bool) {
        let end = Instant::now() + d;
        let mut buf = vec![0u8; 65536];
        let mut out = vec![0u8; 1500];
        loop {
            let now = Instant::now();
            if let Some((_, a)) = &mut self.assoc {
                if a.poll_timeout().is_some_and(|t| t <= now) {
                    a.handle_timeout(now);
                }
                while let Some(t) = a.poll_transmit(now, &mut out) {
                    let vtag = u32::from_be_bytes(out[4..8].try_into().unwrap());
                    if vtag != 0 {
                        self.tag = Some(VerificationTag(vtag));
                    }
                    if !drop_all {
                        self.sock.send_to(&out[..t.size], self.to).await.unwrap();
                    }
                }
                while a.poll_event().is_some() {}
            }
            if now >= end {
                return;
            }
            let wait = Duration::from_millis(5).min(end - now);
            let Ok(Ok((n, _))) = timeout(wait, self.sock.recv_from(&mut buf)).await else {
                continue;
            };
            if drop_all {
                continue;
            }
            let remote = SocketAddr::new(self.to.ip(), 0);
            let local: SocketAddr = "127.0.0.1:0".parse().unwrap();
            match self
                .ep
                .handle(Instant::now(), remote, local, &buf[..n], &mut out)
            {
                Some(DatagramEvent::Association(_)) => {
                    if let Some((_, a)) = &mut self.assoc {
                        a.handle_packet(Instant::now(), &buf[..n]);
                    }
                }
                Some(DatagramEvent::Response(t)) => {
                    self.sock.send_to(&out[..t.size], self.to).await.unwrap();
                }
                _ => {}
            }
        }
    }

    /// Sends an ERROR chunk with an Invalid Stream Identifier cause.
    async fn inject_error(&mut self, server_port: u16) {
        let mut out = [0u8; 64];
        let tag = self.tag.expect("the peer has sent a packet");
        let mut b = PacketBuilder::new(&mut out, self.port, server_port, tag).unwrap();
        b.push(&Chunk::Error(OperationError {
            causes: vec![Cause::InvalidStreamIdentifier(InvalidStreamIdentifier {
                stream_id: 7,
            })],
        }))
        .unwrap();
        let n = b.finish();
        self.sock.send_to(&out[..n], self.to).await.unwrap();
    }
}

/// Every notification kind our stack can raise today reaches `recv_item`,
/// interleaved with messages in the order they happened (RFC 6458 section
/// 6.1): communication up, a message, sender dry, a remote error, the path
/// going down and up again (RFC 9260 section 8.2 via heartbeats), the peer's
/// restart (5.2.2), its shutdown and the shutdown's completion.
#[tokio::test]
async fn rfc6458_6_1_every_notification_reaches_recv_item_in_order() {
    timeout(Duration::from_secs(60), async {
        let udp = free_udp_port();
        let sctp_port = 2906;
        let cfg = fast()
            .hb_interval(Some(Duration::from_millis(100)))
            .path_max_retrans(1)
            .assoc_max_retrans(50);
        let server = SctpEndpoint::bind(
            format!("127.0.0.1:{sctp_port}").parse().unwrap(),
            Config::udp(udp, 0).association(cfg),
        )
        .await
        .unwrap();
        let target: SocketAddr = format!("127.0.0.1:{udp}").parse().unwrap();
        let server_addr: SocketAddr = format!("127.0.0.1:{sctp_port}").parse().unwrap();
        let mut peer = Peer::connect(target, server_addr, 7000).await;
        let accepted = async {
            loop {
                tokio::select! {
                    r = server.accept() => return r.unwrap().0,
                    () = peer.pump(Duration::from_millis(20), false) => {}
                }
            }
        };
        let ours = accepted.await;
        ours.set_event_mask(EventMask::ALL);
        let mut items = Vec::new();
        // Reads what arrived while the peer runs for `d`.
        async fn drain(
            ours: &SctpAssociation,
            peer: &mut Peer,
            d: Duration,
            drop_all: bool,
            items: &mut Vec<Delivery>,
        ) {
            peer.pump(d, drop_all).await;
            while let Ok(Ok(Some(item))) =
                timeout(Duration::from_millis(20), ours.recv_item()).await
            {
                items.push(item);
            }
        }
        peer.assoc()
            .send(1, Ppid(46), Bytes::from_static(b"m1"), false)
            .unwrap();
        drain(
            &ours,
            &mut peer,
            Duration::from_millis(200),
            false,
            &mut items,
        )
        .await;
        ours.send(msg(0, "x")).await.unwrap();
        drain(
            &ours,
            &mut peer,
            Duration::from_millis(300),
            false,
            &mut items,
        )
        .await;
        peer.inject_error(sctp_port).await;
        drain(
            &ours,
            &mut peer,
            Duration::from_millis(100),
            false,
            &mut items,
        )
        .await;
        // Silence: heartbeats go unanswered, the path fails.
        drain(
            &ours,
            &mut peer,
            Duration::from_millis(1500),
            true,
            &mut items,
        )
        .await;
        // Answering again: a heartbeat (every RTO, at most 400 ms here) is
        // answered and the path is available again; 800 ms was once too
        // short on a loaded machine.
        drain(
            &ours,
            &mut peer,
            Duration::from_millis(1600),
            false,
            &mut items,
        )
        .await;
        // The peer restarts: a new engine on the same port dials again.
        let sock = peer.sock;
        let mut peer = Peer::on(sock, target, 7000);
        peer.dial(server_addr);
        drain(
            &ours,
            &mut peer,
            Duration::from_millis(500),
            false,
            &mut items,
        )
        .await;
        peer.assoc().shutdown(Instant::now());
        drain(
            &ours,
            &mut peer,
            Duration::from_millis(500),
            false,
            &mut items,
        )
        .await;
        let kinds: Vec<String> = items
            .iter()
            .map(|i| match i {
                Delivery::Message(m, info) => {
                    assert_eq!((m.stream_id, &m.payload[..]), (1, &b"m1"[..]));
                    assert_eq!(info.ssn.0, 0);
                    "message".to_owned()
                }
                Delivery::Event(e) => match e {
                    AssociationEvent::Connected { .. } => "connected".to_owned(),
                    AssociationEvent::SenderDry => "sender-dry".to_owned(),
                    AssociationEvent::RemoteError(c) => {
                        assert_eq!(c[0].code, CauseCode::INVALID_STREAM_IDENTIFIER, "{c:?}");
                        "remote-error".to_owned()
                    }
                    AssociationEvent::PeerAddressChange { change, address } => {
                        assert_eq!(address.ip(), target.ip());
                        format!("address-{change:?}")
                    }
                    AssociationEvent::PeerRestarted => "restarted".to_owned(),
                    AssociationEvent::ShutdownReceived => "shutdown-received".to_owned(),
                    AssociationEvent::ShutdownComplete => "shutdown-complete".to_owned(),
                    other => format!("{other:?}"),
                },
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "connected",
                "message",
                "sender-dry",
                "remote-error",
                // RFC 7829: potentially failed at the first timeout, then
                // unreachable past Path.Max.Retrans, then available again.
                "address-PotentiallyFailed",
                "address-Unreachable",
                "address-Available",
                "restarted",
                "shutdown-received",
                "shutdown-complete"
            ]
        );
        assert!(ours.recv_item().await.unwrap().is_none());
    })
    .await
    .unwrap();
}

/// Messages given back when the peer aborts come with the context they
/// were sent with and say whether part of them was sent (RFC 6458 section
/// 6.1.11), then the abort; the peer sees our abort reason (RFC 9260
/// section 3.3.10.12).
#[tokio::test]
async fn rfc6458_6_1_11_send_failures_carry_context_and_abort_reason_reaches_peer() {
    timeout(LIMIT, async {
        let Pair {
            client,
            theirs,
            _server,
            ..
        } = pair(2907).await;
        // The server stops reading; the client's window fills... instead, the
        // client aborts with data still queued and not acknowledged.
        for i in 0..3u32 {
            client
                .send_with(
                    msg(0, vec![0u8; 200_000]),
                    &SendOptions::default().context(100 + i),
                )
                .await
                .unwrap();
        }
        client.abort_with_reason(b"maintenance window");
        let mut contexts = Vec::new();
        while let Some(e) = client.next_event().await {
            match e {
                AssociationEvent::SendFailed {
                    context, message, ..
                } => {
                    assert_eq!(message.payload.len(), 200_000);
                    contexts.push(context);
                }
                AssociationEvent::Closed(CloseReason::LocalAbort(_)) => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(!contexts.is_empty());
        assert!(contexts.windows(2).all(|w| w[0] < w[1]) && contexts[0] >= 100);
        loop {
            match theirs.recv().await {
                Ok(Some(_)) => continue,
                Err(Error::Closed(CloseReason::PeerAborted(causes))) => {
                    assert_eq!(causes[0].code, CauseCode::USER_INITIATED_ABORT);
                    assert_eq!(causes[0].info, b"maintenance window");
                    break;
                }
                other => panic!("expected the peer's abort, got {other:?}"),
            }
        }
    })
    .await
    .unwrap();
}

/// Halves of one association work from two tasks; a message sent in
/// pieces arrives whole; a piece for another stream mid-record is refused.
#[tokio::test]
async fn split_halves_and_messages_in_pieces() {
    timeout(LIMIT, async {
        let Pair {
            client,
            theirs,
            _server,
            ..
        } = pair(2908).await;
        let (tx, rx) = theirs.split();
        let echo = tokio::spawn(async move {
            let mut n = 0;
            while let Ok(Some(m)) = rx.recv().await {
                tx.send(m).await.unwrap();
                n += 1;
            }
            n
        });
        client.send_part(msg(2, "Diameter "), false).await.unwrap();
        client.send_part(msg(2, "in "), false).await.unwrap();
        assert!(matches!(
            client.send_part(msg(3, "x"), true).await,
            Err(Error::RecordMismatch { stream_id: 2, .. })
        ));
        assert!(matches!(
            client.send(msg(0, "whole")).await,
            Err(Error::RecordMismatch { .. })
        ));
        client.send_part(msg(2, "pieces"), true).await.unwrap();
        let back = client.recv().await.unwrap().unwrap();
        assert_eq!(
            (back.stream_id, &back.payload[..]),
            (2, &b"Diameter in pieces"[..])
        );
        let c2 = client.clone();
        c2.send(msg(0, "after")).await.unwrap();
        assert_eq!(&client.recv().await.unwrap().unwrap().payload[..], b"after");
        drop(c2);
        client.shutdown().await.unwrap();
        assert_eq!(echo.await.unwrap(), 2);
    })
    .await
    .unwrap();
}

/// Bad settings are refused with an error naming the field, at bind and at
/// run time; good ones apply and read back.
#[tokio::test]
async fn settings_are_checked_and_applied_at_run_time() {
    timeout(LIMIT, async {
        let bad = fast()
            .rto_min(Duration::from_secs(5))
            .rto_max(Duration::from_secs(1));
        let e = SctpEndpoint::bind(
            "127.0.0.1:0".parse().unwrap(),
            Config::udp(0, 9).association(bad),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{e}");
        assert!(e.to_string().contains("rto"), "{e}");
        let Pair {
            client,
            udp,
            _server,
            theirs: _theirs,
        } = pair(2909).await;
        let e = client.reconfigure(|c| c.outbound_streams = 3).unwrap_err();
        assert!(e.to_string().contains("outbound_streams"), "{e}");
        let e = client
            .reconfigure(|c| c.delayed_ack_time = Duration::from_secs(2))
            .unwrap_err();
        assert!(e.to_string().contains("delayed_ack_time"), "{e}");
        assert!(matches!(client.set_dscp(Some(64)), Err(Error::Config(_))));
        client.set_nodelay(true).unwrap();
        client
            .reconfigure(|c| c.rto_max = Duration::from_millis(300))
            .unwrap();
        let c = client.config();
        assert!(!c.nagle);
        assert_eq!(c.rto_max, Duration::from_millis(300));
        assert!(client.status().primary.rto <= Duration::from_millis(300));
        let e = SctpEndpoint::client("127.0.0.1:0".parse().unwrap(), Config::udp(0, udp))
            .await
            .unwrap();
        assert!(matches!(e.accept().await, Err(Error::NotListening)));
        assert!(matches!(
            e.connect("[::1]:2909".parse().unwrap()).await,
            Err(Error::AddressFamily { .. })
        ));
        let _ = Arc::new(());
    })
    .await
    .unwrap();
}

/// RFC 9260 section 9.1: once `next_event` says an aborted association is
/// over, its ABORT is on the wire already, so a program that exits right
/// then (as `sctp-echo --abort-after` does) still tells its peer.
#[tokio::test]
async fn rfc9260_9_1_abort_is_sent_before_the_association_reports_its_end() {
    timeout(Duration::from_secs(60), async {
        let udp = free_udp_port();
        let sctp_port = 2911;
        let server = SctpEndpoint::bind(
            format!("127.0.0.1:{sctp_port}").parse().unwrap(),
            Config::udp(udp, 0).association(fast()),
        )
        .await
        .unwrap();
        let target: SocketAddr = format!("127.0.0.1:{udp}").parse().unwrap();
        let server_addr: SocketAddr = format!("127.0.0.1:{sctp_port}").parse().unwrap();
        let mut peer = Peer::connect(target, server_addr, 7001).await;
        let ours = loop {
            tokio::select! {
                r = server.accept() => break r.unwrap().0,
                () = peer.pump(Duration::from_millis(20), false) => {}
            }
        };
        // Let the peer see the COOKIE ACK and settle.
        peer.pump(Duration::from_millis(100), false).await;
        ours.abort();
        while ours.next_event().await.is_some() {}
        // No waiting: the ABORT must already sit in the peer's socket.
        let mut buf = [0u8; 1500];
        let mut saw_abort = false;
        while let Ok((n, _)) = peer.sock.try_recv_from(&mut buf) {
            saw_abort |= n > 12 && buf[12] == 6;
        }
        assert!(saw_abort, "the association ended before its ABORT was sent");
    })
    .await
    .unwrap();
}

/// `bind_all` (`sctp_bindx`) refuses address sets that do not make one
/// multi-homed endpoint, with a typed error naming what is wrong.
#[tokio::test]
async fn rfc6458_9_1_bindx_refuses_bad_address_sets() {
    let a: SocketAddr = "127.0.0.1:2912".parse().unwrap();
    let b: SocketAddr = "127.0.0.2:2913".parse().unwrap();
    let any: SocketAddr = "0.0.0.0:2912".parse().unwrap();
    let cfg = || Config::udp(free_udp_port(), 0);
    for (addrs, why) in [
        (vec![], "no address"),
        (vec![a, b], "same port"),
        (vec![a, any], "unspecified"),
    ] {
        match SctpEndpoint::bind_all(&addrs, cfg()).await {
            Err(Error::Addresses(m)) => assert!(m.contains(why), "{addrs:?}: {m}"),
            other => panic!("{addrs:?}: {other:?}"),
        }
    }
    // One address is an ordinary endpoint, which cannot take another later.
    let one = SctpEndpoint::bind_all(&[a], cfg()).await.unwrap();
    assert_eq!(one.local_addrs(), [a]);
    assert!(matches!(
        one.add_local_address("127.0.0.3".parse().unwrap()),
        Err(Error::Addresses(_))
    ));
}

/// The extensions through the async API (RFC 8260, RFC 6525, RFC 3758):
/// I-DATA with round robin interleaves a large message with small ones,
/// a stream reset is reported on both sides and the stream carries
/// messages again, and a partially reliable message comes back abandoned.
#[tokio::test]
async fn rfc8260_rfc6525_interleaving_stream_reset_and_pr_through_the_api() {
    timeout(LIMIT, async {
        let Pair { client, theirs, _server, .. } = pair(2921).await;
        client.set_scheduler(SchedulerKind::RoundRobin);
        client.send(msg(1, vec![7u8; 200_000])).await.unwrap();
        for i in 0..3u8 {
            client.send(msg(2, vec![i; 10])).await.unwrap();
        }
        // The small messages overtake the large one (its fragments take turns).
        let mut order = Vec::new();
        for _ in 0..4 {
            order.push(theirs.recv().await.unwrap().unwrap().stream_id);
        }
        assert_eq!(order[..3], [2, 2, 2], "{order:?}");
        client.reset_streams(&[2]).unwrap();
        let mut seen = (false, false);
        while !(seen.0 && seen.1) {
            tokio::select! {
                Some(e) = client.next_event() => if let AssociationEvent::StreamReset { incoming: false, streams, outcome: ReconfigOutcome::Performed } = e {
                    assert_eq!(streams, [2]);
                    seen.0 = true;
                },
                Some(e) = theirs.next_event() => if let AssociationEvent::StreamReset { incoming: true, streams, .. } = e {
                    assert_eq!(streams, [2]);
                    seen.1 = true;
                },
            }
        }
        client.send(msg(2, &b"after the reset"[..])).await.unwrap();
        let m = theirs.recv().await.unwrap().unwrap();
        assert_eq!(&m.payload[..], b"after the reset");
        // A message whose lifetime is over before it can go comes back.
        client
            .send_with(
                msg(3, vec![1u8; 100]),
                &SendOptions::default()
                    .context(42)
                    .pr_policy(PrPolicy::TimedReliability(Duration::ZERO)),
            )
            .await
            .unwrap();
        loop {
            if let Some(AssociationEvent::Abandoned { context, sent, .. }) = client.next_event().await {
                assert_eq!((context, sent), (42, false));
                break;
            }
        }
    })
    .await
    .unwrap();
}

/// Partial delivery through the API (RFC 6458 section 8.1.21): a receiver
/// with a 64 KiB window gets a 1 MiB message whole from `recv`, a 3 MiB one
/// as pieces with end of record from `recv_item`, and a message past its
/// `max_message_size` as a typed error after which receiving goes on.
#[tokio::test]
async fn rfc6458_8_1_21_partial_delivery_through_the_api() {
    timeout(LIMIT, async {
        let udp = free_udp_port();
        let addr = SocketAddr::from(([127, 0, 0, 1], 2922));
        let small = fast()
            .receive_window(64 * 1024)
            .partial_delivery_point(Some(16 * 1024))
            .max_message_size(1 << 20);
        let server = SctpEndpoint::bind(addr, Config::udp(udp, 0).association(small))
            .await
            .unwrap();
        let big = fast().max_message_size(4 << 20).send_buffer(8 << 20);
        let (client, accepted) = tokio::join!(
            SctpAssociation::connect(addr, Config::udp(0, udp).association(big)),
            server.accept()
        );
        let (client, theirs) = (client.unwrap(), accepted.unwrap().0);
        let pattern = |len: usize, seed: u8| -> Vec<u8> {
            (0..len).map(|i| (i / 1000) as u8 ^ seed).collect()
        };
        let one = pattern(1 << 20, 1);
        client.send(msg(1, one.clone())).await.unwrap();
        let got = theirs.recv().await.unwrap().unwrap();
        assert!(got.payload[..] == one[..], "1 MiB joined by recv");

        let three = pattern(3 << 20, 2);
        client.send(msg(2, three.clone())).await.unwrap();
        let mut joined = Vec::new();
        let mut pieces = 0;
        loop {
            match theirs.recv_item().await.unwrap().unwrap() {
                Delivery::Message(piece, info) => {
                    assert_eq!((piece.stream_id, piece.ppid), (2, Ppid(46)));
                    assert!(piece.payload.len() <= 64 * 1024, "a piece fits the window");
                    joined.extend_from_slice(&piece.payload);
                    pieces += 1;
                    if info.end_of_record {
                        break;
                    }
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(joined == three, "3 MiB intact in {pieces} pieces");
        assert!(pieces >= 3 * 16, "{pieces} pieces");

        client.send(msg(3, pattern(2 << 20, 3))).await.unwrap();
        client.send(msg(3, &b"after"[..])).await.unwrap();
        match theirs.recv().await {
            Err(Error::MessageTooLarge(e)) => {
                assert_eq!((e.stream_id, e.max), (3, 1 << 20), "{e}");
            }
            other => panic!("{other:?}"),
        }
        let after = theirs.recv().await.unwrap().unwrap();
        assert_eq!(&after.payload[..], b"after");
        client.shutdown().await.unwrap();
    })
    .await
    .unwrap();
}
