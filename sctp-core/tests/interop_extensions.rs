//! Interoperability of the extensions with SCTP stacks we did not write,
//! over the simulator, with `dcsctp` and `sctp-proto`, both roles:
//!
//! - partial reliability (RFC 3758, RFC 7496) both ways under 10 % loss:
//!   every message that arrives is intact and arrives once, ordered streams
//!   stay in order, abandoned data is skipped by FORWARD TSN;
//! - stream reset (RFC 6525) both ways, then the stream used again from
//!   its first sequence number;
//! - user message interleaving (I-DATA, RFC 8260) with dcsctp both ways
//!   under loss, with I-FORWARD TSN for our abandoned messages.
//!
//! Every test ends in a graceful shutdown.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use bytes::Bytes;
use sctp_core::{
    AssociationConfig, Event, Message, Ppid, PrPolicy, ReconfigOutcome, SendError, SendOptions,
    State,
};
use sctp_sim::peers::sctp_proto_lib::ReliabilityType;
use sctp_sim::peers::{DcsctpHost, ProtoHost, ProtoSendError, chunk_type, dcsctp_lib};
use sctp_sim::{Host, Link, Network, SctpHost};

const OURS: &str = "198.18.0.1:2905";
const THEIRS: &str = "198.18.0.2:5000";
const OUR_PORT: u16 = 2905;
const THEIR_PORT: u16 = 5000;
/// Messages each test sends.
const N: u32 = 800;
/// Streams used; every fourth message is unordered.
const STREAMS: u32 = 3;
const LIMIT: Duration = Duration::from_secs(600);

/// Message `id`: its id and length, then bytes derived from the id; 100
/// to 3,000 bytes (up to three fragments).
fn payload(id: u32) -> Vec<u8> {
    payload_of(id, 100 + (id as usize * 7919) % 2900)
}

/// Message `id` of `len` bytes (at least 8).
fn payload_of(id: u32, len: usize) -> Vec<u8> {
    let mut v = id.to_be_bytes().to_vec();
    v.extend((len as u32).to_be_bytes());
    v.extend((8..len).map(|i| (id as usize ^ i) as u8));
    v
}

fn stream_of(id: u32) -> u16 {
    (id % STREAMS) as u16
}

fn unordered(id: u32) -> bool {
    id % 4 == 3
}

fn lossy() -> Link {
    Link {
        loss: 0.10,
        delay: Duration::from_millis(10),
        bandwidth: Some(2_000_000),
        ..Link::default()
    }
}

/// The id a test message starts with.
fn id_of(payload: &[u8]) -> u32 {
    u32::from_be_bytes(payload[..4].try_into().expect("a test message"))
}

/// The ids of the messages our side reported abandoned.
fn abandoned_ids(ours: &SctpHost) -> BTreeSet<u32> {
    ours.events
        .iter()
        .filter_map(|e| match e {
            Event::Abandoned { message, .. } => Some(id_of(&message.payload)),
            _ => None,
        })
        .collect()
}

/// Checks what a receiver got: each message intact, none twice, ordered
/// ones in order on their stream. Returns the ids received.
fn check_received(who: &str, got: &[Message]) -> BTreeSet<u32> {
    let mut ids = BTreeSet::new();
    let mut last: BTreeMap<u16, u32> = BTreeMap::new();
    for m in got {
        let id = id_of(&m.payload);
        let len = u32::from_be_bytes(m.payload[4..8].try_into().unwrap()) as usize;
        assert_eq!(
            &m.payload[..],
            &payload_of(id, len)[..],
            "{who}: message {id} intact"
        );
        assert_eq!(m.stream_id, stream_of(id), "{who}: message {id}'s stream");
        assert!(ids.insert(id), "{who}: message {id} delivered twice");
        if !unordered(id) {
            let prev = last.insert(m.stream_id, id);
            assert!(
                prev.is_none_or(|p| p < id),
                "{who}: stream {} out of order: {prev:?} then {id}",
                m.stream_id
            );
        }
    }
    ids
}

/// A third-party stack sending and receiving partially reliable messages.
trait PrPeer: Host + Sized {
    const NAME: &'static str;
    const PPID: u32;
    fn make(now: Instant, client: bool, seed: u64) -> Self;
    /// Queues message `id`, partially reliable: `Ok(false)` when its buffer is full.
    fn try_send_pr(&mut self, now: Instant, id: u32) -> Result<bool, String>;
    fn received(&self) -> &[Message];
    fn connected(&self) -> bool;
    fn buffered(&mut self) -> usize;
    /// FORWARD TSN chunks it received (`true`) or sent (`false`).
    fn forward_tsns(&self, received: bool) -> u64;
    /// Queues message `id`, fully reliable: `Ok(false)` when its buffer is full.
    fn try_send(&mut self, now: Instant, id: u32) -> Result<bool, String>;
    /// Resets its outgoing `stream` (RFC 6525).
    fn reset_outgoing(&mut self, now: Instant, stream: u16);
    /// Whether it reported the peer's reset of `stream`, and the completion of its own.
    fn saw_resets(&self, stream: u16) -> (bool, bool);
    fn shut_down_gracefully(&self) -> bool;
}

impl PrPeer for DcsctpHost {
    const NAME: &'static str = "dcsctp";
    const PPID: u32 = 51;

    fn make(now: Instant, client: bool, seed: u64) -> Self {
        let mut opts = Self::options(THEIR_PORT, OUR_PORT);
        opts.enable_partial_reliability = true;
        let mut h = Self::with_options(now, THEIRS, &opts, seed);
        if client {
            h.socket.connect();
        }
        h
    }

    fn try_send_pr(&mut self, now: Instant, id: u32) -> Result<bool, String> {
        // Alternately a retransmission limit of 0 and a 100 ms lifetime.
        let opts = dcsctp_lib::api::SendOptions {
            unordered: unordered(id),
            lifetime: (id % 2 == 1).then_some(Duration::from_millis(100)),
            max_retransmissions: id.is_multiple_of(2).then_some(0),
            ..Default::default()
        };
        // Up to 1,100 bytes (two fragments at most, where dcsctp fills a
        // packet's end): dcsctp 0.1 gives the unsent rest of a message it
        // abandons part-way a TSN of its own, taken whenever that happens,
        // even between the fragments of another message it is sending.
        // Those fragments are then not consecutive TSNs (RFC 9260 section
        // 6.9) and no receiver can reassemble that message; small messages
        // keep it rare. (Its lifecycle events, which could tell what it
        // gave up on, report a message abandoned part-way as delivered, so
        // they are not used.)
        let p = payload_of(id, 100 + (id as usize * 7919) % 1000);
        match self.send_with(now, stream_of(id), Self::PPID, &p, &opts) {
            Ok(()) => Ok(true),
            Err(dcsctp_lib::api::SendError::ResourceExhaustion) => Ok(false),
            Err(e) => Err(format!("{e:?}")),
        }
    }

    fn try_send(&mut self, now: Instant, id: u32) -> Result<bool, String> {
        let p = payload(id);
        match self.send(now, stream_of(id), Self::PPID, &p, unordered(id)) {
            Ok(()) => Ok(true),
            Err(dcsctp_lib::api::SendError::ResourceExhaustion) => Ok(false),
            Err(e) => Err(format!("{e:?}")),
        }
    }

    fn reset_outgoing(&mut self, now: Instant, stream: u16) {
        self.reset_streams(now, &[stream]);
    }

    fn saw_resets(&self, stream: u16) -> (bool, bool) {
        use dcsctp_lib::api::SocketEvent as E;
        let has = |v: &Vec<dcsctp_lib::api::StreamId>| v.iter().any(|s| s.0 == stream);
        (
            self.saw(|e| matches!(e, E::OnIncomingStreamReset(v) if has(v))),
            self.saw(|e| matches!(e, E::OnStreamsResetPerformed(v) if has(v))),
        )
    }

    fn received(&self) -> &[Message] {
        &self.received
    }

    fn connected(&self) -> bool {
        self.connected()
    }

    fn buffered(&mut self) -> usize {
        (0..STREAMS as u16)
            .map(|s| self.socket.buffered_amount(dcsctp_lib::api::StreamId(s)))
            .sum()
    }

    fn forward_tsns(&self, received: bool) -> u64 {
        self.log.count(!received, chunk_type::FORWARD_TSN)
    }

    fn shut_down_gracefully(&self) -> bool {
        self.saw_shutdown_complete()
    }
}

impl PrPeer for ProtoHost {
    const NAME: &'static str = "sctp-proto";
    // sctp-proto only carries the WebRTC PPIDs.
    const PPID: u32 = 53;

    fn make(now: Instant, client: bool, seed: u64) -> Self {
        if client {
            Self::client(now, THEIRS, OURS, seed)
        } else {
            Self::server(now, THEIRS, seed)
        }
    }

    fn try_send_pr(&mut self, _now: Instant, id: u32) -> Result<bool, String> {
        // sctp-proto keeps the setting per stream: limited retransmissions
        // (0) on stream 0, a 100 ms lifetime on the others.
        let (kind, value) = if stream_of(id) == 0 {
            (ReliabilityType::Rexmit, 0)
        } else {
            (ReliabilityType::Timed, 100)
        };
        let p = payload(id);
        match self.send_with(stream_of(id), Self::PPID, &p, unordered(id), kind, value) {
            Ok(()) => Ok(true),
            Err(ProtoSendError::BufferFull) => Ok(false),
            Err(e) => Err(format!("{e:?}")),
        }
    }

    fn try_send(&mut self, _now: Instant, id: u32) -> Result<bool, String> {
        let p = payload(id);
        match self.send(stream_of(id), Self::PPID, &p, unordered(id)) {
            Ok(()) => Ok(true),
            Err(ProtoSendError::BufferFull) => Ok(false),
            Err(e) => Err(format!("{e:?}")),
        }
    }

    fn reset_outgoing(&mut self, _now: Instant, stream: u16) {
        self.close_stream(stream)
            .expect("sctp-proto closes an open stream");
    }

    fn saw_resets(&self, stream: u16) -> (bool, bool) {
        use sctp_sim::peers::sctp_proto_lib::{Event as E, StreamEvent as S};
        // sctp-proto reports the peer's reset as the stream finishing, and
        // its own reset's completion as ResetComplete.
        (
            self.saw(|e| matches!(e, E::Stream(S::Finished { id }) if *id == stream)),
            self.saw(|e| matches!(e, E::Stream(S::ResetComplete { id }) if *id == stream)),
        )
    }

    fn received(&self) -> &[Message] {
        &self.received
    }

    fn connected(&self) -> bool {
        self.connected()
    }

    fn buffered(&mut self) -> usize {
        self.buffered_amount()
    }

    fn forward_tsns(&self, received: bool) -> u64 {
        self.log.count(!received, chunk_type::FORWARD_TSN)
    }

    fn shut_down_gracefully(&self) -> bool {
        self.saw_shutdown_complete()
    }
}

fn our_cfg() -> AssociationConfig {
    AssociationConfig::default()
        .rto_initial(Duration::from_millis(200))
        .rto_min(Duration::from_millis(100))
        .send_buffer(128 * 1024)
}

/// Our host and the peer, connected over lossy links.
fn connected_pair<P: PrPeer>(seed: u64, ours_is_client: bool) -> (Network, SctpHost, P) {
    let mut net = Network::new(seed, lossy(), lossy());
    let now = net.now();
    let (ours, mut theirs) = if ours_is_client {
        (
            SctpHost::client(now, OURS, THEIRS, our_cfg(), seed),
            P::make(now, false, seed + 1),
        )
    } else {
        (
            SctpHost::server(now, OURS, our_cfg(), seed),
            P::make(now, true, seed + 1),
        )
    };
    let mut ours = ours;
    assert!(
        net.run_until(
            &mut ours,
            &mut theirs,
            |a, b| a.connected() && b.connected(),
            Duration::from_secs(60)
        ),
        "{} set-up",
        P::NAME
    );
    assert!(
        ours.association().supports_partial_reliability(),
        "{} offers PR-SCTP",
        P::NAME
    );
    (net, ours, theirs)
}

/// Shuts down from our side; both must end gracefully.
fn close<P: PrPeer>(net: &mut Network, ours: &mut SctpHost, theirs: &mut P) {
    ours.association().shutdown(net.now());
    assert!(
        net.run_until(
            ours,
            theirs,
            |a, b| a.saw(|e| *e == Event::ShutdownComplete) && b.shut_down_gracefully(),
            LIMIT
        ),
        "graceful shutdown with {}",
        P::NAME
    );
    assert!(
        !ours.saw(|e| matches!(e, Event::Closed(_))),
        "{:?}",
        ours.events
    );
    assert_eq!(ours.state(), State::Closed);
}

/// We send partially reliable messages (alternately no retransmission and
/// a 100 ms lifetime) to the peer under loss.
fn pr_ours_to_peer<P: PrPeer>(seed: u64, ours_is_client: bool) {
    let (mut net, mut ours, mut theirs) = connected_pair::<P>(seed, ours_is_client);
    let mut next = 0u32;
    let sent_all = net.run_until(
        &mut ours,
        &mut theirs,
        |a, _| {
            while next < N {
                let policy = if next.is_multiple_of(2) {
                    PrPolicy::LimitedRetransmissions(0)
                } else {
                    PrPolicy::TimedReliability(Duration::from_millis(100))
                };
                let options = SendOptions::default()
                    .pr_policy(policy)
                    .unordered(unordered(next));
                let now = a.now();
                match a.association().send_with(
                    now,
                    stream_of(next),
                    Ppid(P::PPID),
                    Bytes::from(payload(next)),
                    &options,
                ) {
                    Ok(()) => next += 1,
                    Err(SendError::BufferFull { .. }) => break,
                    Err(e) => panic!("send {next}: {e}"),
                }
            }
            next == N && a.association().buffered_amount() == 0
        },
        LIMIT,
    );
    assert!(sent_all, "everything acknowledged or abandoned");
    let got = check_received(P::NAME, theirs.received());
    let abandoned = abandoned_ids(&ours);
    for id in 0..N {
        assert!(
            got.contains(&id) || abandoned.contains(&id),
            "message {id} lost silently"
        );
    }
    assert!(!abandoned.is_empty(), "10 % loss abandons some");
    assert!(
        theirs.forward_tsns(true) > 0,
        "{} received our FORWARD TSNs",
        P::NAME
    );
    close(&mut net, &mut ours, &mut theirs);
}

/// The peer sends partially reliable messages to us under loss.
fn pr_peer_to_ours<P: PrPeer>(seed: u64, ours_is_client: bool) {
    let (mut net, mut ours, mut theirs) = connected_pair::<P>(seed, ours_is_client);
    let mut next = 0u32;
    let sent_all = net.run_until(
        &mut ours,
        &mut theirs,
        |a, b| {
            // Paced: lifetimes are for the network, not for a send queue
            // filled faster than the link drains it.
            while next < N && b.buffered() < 16 * 1024 {
                let now = a.now();
                match b.try_send_pr(now, next) {
                    Ok(true) => next += 1,
                    Ok(false) => break,
                    Err(e) => panic!("{} send {next}: {e}", P::NAME),
                }
            }
            next == N && b.buffered() == 0
        },
        LIMIT,
    );
    assert!(sent_all, "{} finished sending", P::NAME);
    // Its last SACKs and FORWARD TSNs settle.
    let settle = net.now() + Duration::from_secs(5);
    net.run_until(&mut ours, &mut theirs, |_, _| false, settle - net.now());
    let got = check_received("ours", &ours.received);
    assert!(
        got.len() < N as usize,
        "10 % loss makes {} give up some",
        P::NAME
    );
    assert!(!got.is_empty());
    let stats = ours.association().stats();
    assert!(stats.forward_tsns_received > 0, "{stats:?}");
    assert_eq!(
        ours.association().status().local_rwnd,
        our_cfg().receive_window,
        "nothing held back"
    );
    close(&mut net, &mut ours, &mut theirs);
}

#[test]
fn rfc3758_interop_dcsctp_server_receives_our_partially_reliable_messages() {
    pr_ours_to_peer::<DcsctpHost>(41, true);
}

#[test]
fn rfc3758_interop_dcsctp_client_receives_our_partially_reliable_messages() {
    pr_ours_to_peer::<DcsctpHost>(42, false);
}

#[test]
fn rfc3758_interop_we_receive_dcsctp_server_partially_reliable_messages() {
    pr_peer_to_ours::<DcsctpHost>(43, true);
}

#[test]
fn rfc3758_interop_we_receive_dcsctp_client_partially_reliable_messages() {
    pr_peer_to_ours::<DcsctpHost>(44, false);
}

#[test]
fn rfc3758_interop_sctp_proto_server_receives_our_partially_reliable_messages() {
    pr_ours_to_peer::<ProtoHost>(45, true);
}

#[test]
fn rfc3758_interop_sctp_proto_client_receives_our_partially_reliable_messages() {
    pr_ours_to_peer::<ProtoHost>(46, false);
}

#[test]
fn rfc3758_interop_we_receive_sctp_proto_server_partially_reliable_messages() {
    pr_peer_to_ours::<ProtoHost>(47, true);
}

#[test]
fn rfc3758_interop_we_receive_sctp_proto_client_partially_reliable_messages() {
    pr_peer_to_ours::<ProtoHost>(48, false);
}

/// Runs the network until `done` or a minute passes.
fn run_until<P: PrPeer>(
    net: &mut Network,
    ours: &mut SctpHost,
    theirs: &mut P,
    what: &str,
    done: impl FnMut(&mut SctpHost, &mut P) -> bool,
) {
    assert!(
        net.run_until(ours, theirs, done, Duration::from_secs(60)),
        "{what} with {}",
        P::NAME
    );
}

/// Messages `ids` from us, on their streams, fully reliable.
fn ours_send(ours: &mut SctpHost, ids: std::ops::Range<u32>, ppid: u32) {
    for id in ids {
        ours.association()
            .send(
                stream_of(id),
                Ppid(ppid),
                Bytes::from(payload(id)),
                unordered(id),
            )
            .unwrap();
    }
}

/// Stream reset both ways (RFC 6525 sections 5.1.2 and 5.2.2), each
/// stream used again afterwards from SSN 0: ours on stream 1, the peer's
/// on stream 2.
fn reset_then_reuse<P: PrPeer>(seed: u64, ours_is_client: bool) {
    let (mut net, mut ours, mut theirs) = connected_pair::<P>(seed, ours_is_client);
    assert!(
        ours.association().supports_reconfig(),
        "{} offers RE-CONFIG",
        P::NAME
    );
    ours_send(&mut ours, 0..30, P::PPID);
    let mut next = 30u32;
    run_until(
        &mut net,
        &mut ours,
        &mut theirs,
        "first messages",
        |a, b| {
            while next < 60 && b.try_send(a.now(), next).unwrap() {
                next += 1;
            }
            let got = |m: &[Message]| m.len();
            got(b.received()) == 30 && got(&a.received) == 30
        },
    );
    // We reset stream 1; the peer resets stream 2.
    ours.association().reset_streams(&[1]).unwrap();
    let now = net.now();
    theirs.reset_outgoing(now, 2);
    run_until(&mut net, &mut ours, &mut theirs, "both resets", |a, b| {
        let ours_done = a.saw(|e| {
            matches!(e, Event::StreamReset { incoming: false, streams, outcome: ReconfigOutcome::Performed } if streams == &[1])
        });
        let theirs_seen = a.saw(|e| {
            matches!(e, Event::StreamReset { incoming: true, streams, outcome: ReconfigOutcome::Performed } if streams == &[2])
        });
        ours_done && theirs_seen && b.saw_resets(1).0
    });
    // As a WebRTC data channel closes (RFC 8831 section 6.7), we answer the
    // peer's reset of stream 2 by resetting ours; then its reset is complete.
    ours.association().reset_streams(&[2]).unwrap();
    run_until(
        &mut net,
        &mut ours,
        &mut theirs,
        "stream 2 reset both ways",
        |a, b| {
            b.saw_resets(2).1
            && a.saw(|e| {
                matches!(e, Event::StreamReset { incoming: false, streams, outcome: ReconfigOutcome::Performed } if streams == &[2])
            })
        },
    );
    // Both streams carry messages again, from their first sequence numbers.
    ours_send(&mut ours, 60..90, P::PPID);
    let mut next = 90u32;
    run_until(
        &mut net,
        &mut ours,
        &mut theirs,
        "messages after the resets",
        |a, b| {
            while next < 120 && b.try_send(a.now(), next).unwrap() {
                next += 1;
            }
            b.received().len() == 60 && a.received.len() == 60
        },
    );
    // Intact and once each, in order on each stream before and after the resets.
    for (who, got) in [(P::NAME, theirs.received()), ("ours", &ours.received[..])] {
        let (old, new): (Vec<Message>, Vec<Message>) =
            got.iter().cloned().partition(|m| id_of(&m.payload) < 60);
        assert_eq!(check_received(who, &old).len(), 30);
        assert_eq!(check_received(who, &new).len(), 30);
    }
    close(&mut net, &mut ours, &mut theirs);
}

#[test]
fn rfc6525_interop_dcsctp_server_stream_reset_both_ways_then_reuse() {
    reset_then_reuse::<DcsctpHost>(51, true);
}

#[test]
fn rfc6525_interop_dcsctp_client_stream_reset_both_ways_then_reuse() {
    reset_then_reuse::<DcsctpHost>(52, false);
}

#[test]
fn rfc6525_interop_sctp_proto_server_stream_reset_both_ways_then_reuse() {
    reset_then_reuse::<ProtoHost>(53, true);
}

#[test]
fn rfc6525_interop_sctp_proto_client_stream_reset_both_ways_then_reuse() {
    reset_then_reuse::<ProtoHost>(54, false);
}

/// I-DATA with dcsctp (RFC 8260, dcsctp's message interleaving on), both
/// roles: messages up to three fragments on three streams both ways under
/// 10 % loss, ours partially reliable (I-FORWARD TSN); every message
/// dcsctp sends arrives intact once, in order per ordered stream.
fn i_data_with_dcsctp(seed: u64, ours_is_client: bool) {
    let mut net = Network::new(seed, lossy(), lossy());
    let now = net.now();
    let mut opts = DcsctpHost::options(THEIR_PORT, OUR_PORT);
    opts.enable_partial_reliability = true;
    opts.enable_message_interleaving = true;
    let mut theirs = DcsctpHost::with_options(now, THEIRS, &opts, seed + 1);
    let mut ours = if ours_is_client {
        SctpHost::client(now, OURS, THEIRS, our_cfg(), seed)
    } else {
        theirs.socket.connect();
        SctpHost::server(now, OURS, our_cfg(), seed)
    };
    run_until(&mut net, &mut ours, &mut theirs, "set-up", |a, b| {
        a.connected() && b.connected()
    });
    assert!(
        ours.association().supports_interleaving(),
        "I-DATA negotiated"
    );
    let mut next = (0u32, 0u32);
    let done = net.run_until(
        &mut ours,
        &mut theirs,
        |a, b| {
            while next.0 < N {
                let options = SendOptions::default()
                    .unordered(unordered(next.0))
                    .pr_policy(PrPolicy::LimitedRetransmissions(2));
                let now = a.now();
                match a.association().send_with(
                    now,
                    stream_of(next.0),
                    Ppid(51),
                    Bytes::from(payload(next.0)),
                    &options,
                ) {
                    Ok(()) => next.0 += 1,
                    Err(SendError::BufferFull { .. }) => break,
                    Err(e) => panic!("send: {e}"),
                }
            }
            while next.1 < N && b.try_send(a.now(), next.1).unwrap() {
                next.1 += 1;
            }
            next == (N, N)
                && a.association().buffered_amount() == 0
                && PrPeer::buffered(b) == 0
                && a.received.len() == N as usize
        },
        LIMIT,
    );
    assert!(
        done,
        "both ways done: {next:?}, ours got {}",
        ours.received.len()
    );
    let got = check_received("dcsctp", theirs.received());
    assert_eq!(check_received("ours", &ours.received).len(), N as usize);
    let abandoned = abandoned_ids(&ours);
    for id in 0..N {
        assert!(
            got.contains(&id) || abandoned.contains(&id),
            "message {id} lost silently"
        );
    }
    if !abandoned.is_empty() {
        assert!(ours.association().stats().forward_tsns_sent > 0);
    }
    close(&mut net, &mut ours, &mut theirs);
}

#[test]
fn rfc8260_interop_i_data_with_dcsctp_server() {
    i_data_with_dcsctp(61, true);
}

#[test]
fn rfc8260_interop_i_data_with_dcsctp_client() {
    i_data_with_dcsctp(62, false);
}
