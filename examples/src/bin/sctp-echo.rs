//! `sctp-echo`: an SCTP echo server and a client that checks every echo.
//!
//! ```text
//! sctp-echo server --bind 0.0.0.0:7
//! sctp-echo client 127.0.0.1:7 --count 1000 --size 1200 --streams 4
//! # latency: one message at a time, round-trip percentiles in the JSON line
//! sctp-echo client 127.0.0.1:7 --count 10000 --ping-pong --json
//! # multi-homed: two addresses each side, failover when one link dies
//! sctp-echo server --bind 198.18.1.2:7 --bind 198.18.2.2:7
//! sctp-echo client 198.18.1.2:7 --remote 198.18.2.2 --local 198.18.1.1 --local 198.18.2.1 --json
//! ```

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::{Parser, Subcommand};
use sctp_examples::{
    CommonOpts, Context, Failure, UsageError, addr_list, bind_endpoint, connect_multihomed,
    echo_index, echo_payload, init_tracing, report_failure, report_usage, runtime, wait_closed,
};
use sctp_raw::{
    AssociationConfig, AssociationEvent, Delivery, Message, PartialMessages, Ppid, SctpAssociation,
};

const PROGRAM: &str = "sctp-echo";

/// SCTP echo server and checking client, over raw IP or UDP encapsulation.
///
/// The server sends every message back on the stream it came on, with its
/// PPID and its unordered flag. The client sends numbered messages and checks
/// that each comes back intact: content, stream, PPID, and, unless
/// `--unordered`, the order within each stream. It exits 0 only if all did.
/// With `--ping-pong` it keeps one message outstanding and reports the round
/// trip times.
///
/// Exit codes: 0 success, 1 runtime failure, 2 bad command line.
/// Logging goes to stderr and is filtered by RUST_LOG (e.g. RUST_LOG=debug).
#[derive(Debug, Parser)]
#[command(name = PROGRAM, version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// Echo every message back to its sender.
    Server(ServerArgs),
    /// Send messages to an echo server and check the echoes.
    Client(ClientArgs),
}

#[derive(Debug, clap::Args)]
struct ServerArgs {
    #[arg(
        long,
        value_name = "ADDR:PORT",
        required = true,
        help = "Local address and SCTP port to listen on, e.g. 0.0.0.0:7 or [::]:7; \
                repeat for a multi-homed server on each address (same port)"
    )]
    bind: Vec<SocketAddr>,

    /// Exit after the first association ends (exit code 1 if it ended abnormally).
    #[arg(long)]
    once: bool,

    /// Testing aid: abort each association (send ABORT) after echoing N messages.
    #[arg(long, value_name = "N")]
    abort_after: Option<u64>,

    #[command(flatten)]
    common: CommonOpts,
}

#[derive(Debug, clap::Args)]
struct ClientArgs {
    #[arg(
        value_name = "ADDR:PORT",
        help = "The echo server's address and SCTP port, e.g. 198.18.0.2:7 or [fd00::2]:7"
    )]
    server: SocketAddr,

    /// Number of messages to send.
    #[arg(long, short = 'n', value_name = "N", default_value_t = 100)]
    count: u64,

    /// Size of each message in bytes (at least 8: each carries its sequence number).
    #[arg(long, short = 's', value_name = "BYTES", default_value_t = 100)]
    size: usize,

    /// Number of streams to spread the messages over, round-robin.
    #[arg(long, value_name = "S", default_value_t = 1)]
    streams: u16,

    /// Send unordered messages (order is then not checked).
    #[arg(long)]
    unordered: bool,

    /// Pause between two messages, in milliseconds (default: none, send as
    /// fast as flow control allows).
    #[arg(long, value_name = "MS")]
    interval_ms: Option<u64>,

    /// Give up (exit code 1) if the whole exchange takes longer than this.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    timeout: u64,

    /// Testing aid: abort the association (send ABORT) after N echoes instead
    /// of shutting it down gracefully; then only N messages are sent.
    #[arg(long, value_name = "N")]
    abort_after: Option<u64>,

    /// A local address to send from; repeat for a multi-homed client
    /// (default: any address).
    #[arg(long, value_name = "IP")]
    local: Vec<IpAddr>,

    /// A further address of the server (same port), a path to fail over
    /// to; repeat for more.
    #[arg(long, value_name = "IP")]
    remote: Vec<IpAddr>,

    /// Testing aid for dynamic addresses (RFC 5061): a quarter of the way
    /// through, add this address of ours to the association (ASCONF), and
    /// half way through delete it again. Needs several --local.
    #[arg(long, value_name = "IP")]
    asconf_add: Option<IpAddr>,

    /// Latency mode: one message outstanding at a time (send it, wait for
    /// its echo, then send the next), each round trip timed from the send to
    /// the echo's arrival. Prints the percentiles; the JSON line then also
    /// has rtt_min_us, rtt_mean_us, rtt_p50_us, rtt_p90_us, rtt_p99_us and
    /// rtt_max_us (microseconds, over every message).
    #[arg(long)]
    ping_pong: bool,

    /// Print the result as one JSON object last: messages, seconds,
    /// max_gap_ms (the longest wait between two consecutive echoes) and
    /// path_changes (peer address events seen); with --ping-pong also the
    /// round-trip times.
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    common: CommonOpts,
}

/// Largest message the programs accept: 64 MiB.
const MAX_SIZE: usize = 64 << 20;

fn main() -> ExitCode {
    init_tracing();
    let cli = Cli::parse();
    if let Err(e) = validate(&cli.mode) {
        return report_usage(PROGRAM, &e);
    }
    let result = runtime().and_then(|rt| {
        rt.block_on(async {
            match cli.mode {
                Mode::Server(args) => server(args).await,
                Mode::Client(args) => client(args).await,
            }
        })
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => report_failure(PROGRAM, &f),
    }
}

fn validate(mode: &Mode) -> Result<(), UsageError> {
    match mode {
        Mode::Server(a) => {
            a.common.validate()?;
            if a.bind.iter().any(|b| b.port() != a.bind[0].port()) {
                return Err(UsageError::Conflict(
                    "every --bind must have the same port (one multi-homed endpoint)",
                ));
            }
            Ok(())
        }
        Mode::Client(a) => {
            a.common.validate()?;
            UsageError::check_range("--size", a.size as u64, 8, MAX_SIZE as u64)?;
            UsageError::check_range("--streams", a.streams.into(), 1, 65_535)?;
            UsageError::check_range("--timeout", a.timeout, 1, 86_400)?;
            if let Some(n) = a.abort_after {
                UsageError::check_range("--abort-after", n, 1, a.count)?;
            }
            if a.asconf_add.is_some() && a.local.len() < 2 {
                return Err(UsageError::Conflict(
                    "--asconf-add needs a multi-homed client: give --local twice or more",
                ));
            }
            if a.remote.iter().any(|r| r.is_ipv4() != a.server.is_ipv4())
                && a.local.iter().all(|l| l.is_ipv4() == a.server.is_ipv4())
                && !a.local.is_empty()
            {
                return Err(UsageError::Conflict(
                    "a --remote of another family needs a --local of that family",
                ));
            }
            Ok(())
        }
    }
}

/// Association parameters sized for messages of up to `size` bytes.
fn base_config(size: usize, streams: u16) -> AssociationConfig {
    let d = AssociationConfig::default();
    let mut c = d.clone();
    c.outbound_streams = d.outbound_streams.max(streams);
    c.max_message_size = d.max_message_size.max(size);
    c.max_reassembly_bytes = d.max_reassembly_bytes.max(size.saturating_mul(2));
    c.send_buffer = d.send_buffer.max(size.saturating_mul(2));
    c
}

async fn server(args: ServerArgs) -> Result<(), Failure> {
    // The server answers on as many streams as the client asks for and takes
    // any message size up to MAX_SIZE.
    let config = args.common.config(base_config(MAX_SIZE, u16::MAX));
    let listener = bind_endpoint(&args.bind, config).await?;
    println!(
        "sctp-echo: listening on {}",
        addr_list(&listener.local_addrs())
    );
    loop {
        let (assoc, from) = listener
            .accept()
            .await
            .context(|| "accepting an association".to_owned())?;
        println!("sctp-echo: association from {from} established");
        if args.once {
            return echo(assoc, from, args.abort_after).await;
        }
        let abort_after = args.abort_after;
        tokio::spawn(async move {
            if let Err(e) = echo(assoc, from, abort_after).await {
                eprintln!("{PROGRAM}: {e}");
            }
        });
    }
}

/// Echoes everything on `assoc` until it ends.
async fn echo(
    assoc: SctpAssociation,
    from: SocketAddr,
    abort_after: Option<u64>,
) -> Result<(), Failure> {
    let mut n = 0u64;
    loop {
        let msg = match assoc.recv().await {
            Ok(Some(msg)) => msg,
            Ok(None) => {
                // The peer shut down: let our echoes drain and the handshake finish.
                let lost = wait_closed(&assoc).await;
                println!(
                    "sctp-echo: association with {from} shut down by the peer after {n} messages echoed"
                );
                if lost > 0 {
                    println!(
                        "sctp-echo: {lost} echoes to {from} were not delivered: the peer shut down first"
                    );
                }
                return Ok(());
            }
            Err(e) => {
                println!(
                    "sctp-echo: association with {from} closed after {n} messages echoed: {e}"
                );
                return Err(Failure::new(format!("association with {from}"), e));
            }
        };
        assoc
            .send(msg)
            .await
            .context(|| format!("echoing to {from}"))?;
        n += 1;
        if abort_after == Some(n) {
            assoc.abort();
            // abort() returns at once: let the ABORT go out before we exit.
            wait_closed(&assoc).await;
            println!("sctp-echo: aborted the association with {from} after {n} messages echoed");
            return Ok(());
        }
    }
}

async fn client(args: ClientArgs) -> Result<(), Failure> {
    let config = args.common.config(base_config(args.size, args.streams));
    let limit = Duration::from_secs(args.timeout);
    match tokio::time::timeout(limit, run_client(&args, config)).await {
        Ok(r) => r,
        Err(_) => Err(Failure::msg(
            format!("echo with {}", args.server),
            format!("timed out after {} s", args.timeout),
        )),
    }
}

async fn run_client(args: &ClientArgs, config: sctp_raw::Config) -> Result<(), Failure> {
    let server = args.server;
    let assoc = connect_multihomed(server, &args.local, &args.remote, config).await?;
    tracing::info!(%server, peer = ?assoc.peer_addrs(), "connected");
    let start = Instant::now();
    let count = args.abort_after.unwrap_or(args.count);
    let streams = u64::from(args.streams);
    // With --ping-pong the receiver hands the sender the arrival time of
    // each echo; when the receiver ends (done or failed) the channel closes
    // and the sender stops waiting.
    let (echoed_tx, mut echoed_rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let echoed_tx = args.ping_pong.then_some(echoed_tx);

    let sender = async {
        let mut rtts = Vec::with_capacity(if args.ping_pong {
            count.min(1 << 20) as usize
        } else {
            0
        });
        for i in 0..count {
            let msg = Message::new(
                (i % streams) as u16,
                echo_ppid(i),
                Bytes::from(echo_payload(i, args.size)),
            )
            .with_unordered(args.unordered);
            let sent_at = Instant::now();
            assoc
                .send(msg)
                .await
                .context(|| format!("sending message {i} to {server}"))?;
            if args.ping_pong {
                match echoed_rx.recv().await {
                    Some(echoed_at) => rtts.push(echoed_at.saturating_duration_since(sent_at)),
                    // The receiver ended: it says why (or has every echo).
                    None => break,
                }
            }
            if let Some(ms) = args.interval_ms {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            if let Some(ip) = args.asconf_add {
                if i == count / 4 {
                    assoc
                        .add_local_address(ip)
                        .map_err(|e| Failure::new(format!("adding {ip}"), e))?;
                    println!("sctp-echo: asked {server} to add {ip}");
                } else if i == count / 2 {
                    assoc
                        .remove_local_address(ip)
                        .map_err(|e| Failure::new(format!("removing {ip}"), e))?;
                    println!("sctp-echo: asked {server} to delete {ip}");
                }
            }
        }
        Ok::<_, Failure>(rtts)
    };
    let receiver = async {
        // Moved in, so that it is dropped (waking the sender) when this ends.
        let echoed_tx = echoed_tx;
        let mut checker = Checker::new(count, args.size, args.streams, args.unordered);
        // Echoes larger than the partial delivery point arrive in pieces.
        let mut pieces = PartialMessages::new(usize::MAX);
        while checker.received < count {
            match assoc.recv_item().await {
                Ok(Some(Delivery::Message(piece, info))) => {
                    if let Ok(Some((msg, _))) = pieces.push(piece, info) {
                        let arrived = Instant::now();
                        checker
                            .check(&msg)
                            .map_err(|e| Failure::msg(format!("echo from {server}"), e))?;
                        if let Some(tx) = &echoed_tx {
                            let _ = tx.send(arrived);
                        }
                    }
                }
                Ok(Some(Delivery::Event(AssociationEvent::PartialDeliveryAborted {
                    stream_id,
                    unordered,
                    mid,
                }))) => {
                    pieces.abort(stream_id, unordered, mid);
                }
                Ok(Some(Delivery::Event(AssociationEvent::PeerAddressChange {
                    address,
                    change,
                }))) => {
                    tracing::info!(%address, ?change, "peer address change");
                    checker.path_changes += 1;
                }
                Ok(Some(Delivery::Event(AssociationEvent::Closed(reason)))) => {
                    return Err(Failure::new(
                        format!(
                            "association with {server} after {} of {count} echoes",
                            checker.received
                        ),
                        sctp_raw::Error::Closed(reason),
                    ));
                }
                Ok(Some(_)) => {}
                Ok(None) => {
                    return Err(Failure::msg(
                        format!("echo from {server}"),
                        format!(
                            "the server shut down after {} of {count} echoes",
                            checker.received
                        ),
                    ));
                }
                Err(e) => {
                    return Err(Failure::new(
                        format!(
                            "association with {server} after {} of {count} echoes",
                            checker.received
                        ),
                        e,
                    ));
                }
            }
        }
        Ok(checker)
    };
    let (sent, received) = tokio::join!(sender, receiver);
    // A receive failure explains a send failure better than the other way round.
    let checker = received?;
    let rtts = sent?;

    let order = if args.unordered {
        "unordered"
    } else {
        "ordered"
    };
    if args.abort_after.is_some() {
        assoc.abort();
        // abort() returns at once: let the ABORT go out before we exit.
        wait_closed(&assoc).await;
        println!(
            "sctp-echo: {count} messages echoed intact, then aborted the association with {server}"
        );
        return Ok(());
    }
    assoc
        .shutdown()
        .await
        .context(|| format!("shutting down the association with {server}"))?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "sctp-echo: OK: {count} messages of {} bytes on {} streams ({order}) echoed intact by {server} in {secs:.3} s; shutdown complete",
        args.size, args.streams
    );
    let rtt = args.ping_pong.then(|| RttStats::new(rtts));
    if let Some(r) = &rtt {
        println!(
            "sctp-echo: round trips of {} messages, one at a time: min {:.1} us, mean {:.1} us, p50 {:.1} us, p90 {:.1} us, p99 {:.1} us, max {:.1} us",
            r.samples, r.min_us, r.mean_us, r.p50_us, r.p90_us, r.p99_us, r.max_us
        );
    }
    if args.json {
        let mut line = serde_json::json!({
            "messages": count,
            "seconds": secs,
            "max_gap_ms": checker.max_gap.as_secs_f64() * 1000.0,
            "path_changes": checker.path_changes,
        });
        if let Some(r) = &rtt {
            line["rtt_min_us"] = r.min_us.into();
            line["rtt_mean_us"] = r.mean_us.into();
            line["rtt_p50_us"] = r.p50_us.into();
            line["rtt_p90_us"] = r.p90_us.into();
            line["rtt_p99_us"] = r.p99_us.into();
            line["rtt_max_us"] = r.max_us.into();
        }
        println!("{line}");
    }
    Ok(())
}

/// Round-trip times of a `--ping-pong` run, in microseconds, over every
/// sample; percentiles by the nearest-rank method.
struct RttStats {
    samples: usize,
    min_us: f64,
    mean_us: f64,
    p50_us: f64,
    p90_us: f64,
    p99_us: f64,
    max_us: f64,
}

impl RttStats {
    fn new(mut rtts: Vec<Duration>) -> Self {
        rtts.sort_unstable();
        // Microseconds, to a tenth.
        let us = |d: Duration| (d.as_secs_f64() * 1e7).round() / 10.0;
        let n = rtts.len();
        // The smallest sample with at least p of all samples at or below it.
        let rank = |p: f64| {
            if n == 0 {
                0.0
            } else {
                let k = ((p * n as f64).ceil() as usize).clamp(1, n);
                us(rtts[k - 1])
            }
        };
        let total: Duration = rtts.iter().sum();
        Self {
            samples: n,
            min_us: rtts.first().copied().map_or(0.0, us),
            mean_us: if n == 0 {
                0.0
            } else {
                (total.as_secs_f64() * 1e7 / n as f64).round() / 10.0
            },
            p50_us: rank(0.50),
            p90_us: rank(0.90),
            p99_us: rank(0.99),
            max_us: rtts.last().copied().map_or(0.0, us),
        }
    }
}

/// The PPID of echo message `i`: it varies with `i`, so the echo of each
/// PPID is checked, but stays in a range no protocol is registered for
/// (so packet analyzers do not dissect the payload as some protocol).
fn echo_ppid(i: u64) -> Ppid {
    Ppid(0xec00_0000 | (i as u32 & 0x00ff_ffff))
}

/// Checks echoes against what was sent.
struct Checker {
    count: u64,
    size: usize,
    streams: u64,
    unordered: bool,
    received: u64,
    seen: HashSet<u64>,
    /// Per stream, the index expected next (ordered mode).
    next: Vec<u64>,
    /// When the latest echo arrived, and the longest wait between two.
    last_echo: Option<Instant>,
    max_gap: Duration,
    /// Peer address events seen.
    path_changes: u64,
}

impl Checker {
    fn new(count: u64, size: usize, streams: u16, unordered: bool) -> Self {
        Self {
            count,
            size,
            streams: u64::from(streams),
            unordered,
            received: 0,
            seen: HashSet::new(),
            next: (0..u64::from(streams)).collect(),
            last_echo: None,
            max_gap: Duration::ZERO,
            path_changes: 0,
        }
    }

    fn check(&mut self, msg: &Message) -> Result<(), String> {
        let Some(i) = echo_index(&msg.payload) else {
            return Err(format!("echo of {} bytes is too short", msg.payload.len()));
        };
        if i >= self.count {
            return Err(format!("echo carries unknown sequence number {i}"));
        }
        if !self.seen.insert(i) {
            return Err(format!("message {i} echoed twice"));
        }
        if msg.payload.len() != self.size {
            return Err(format!(
                "message {i} came back with {} bytes instead of {}",
                msg.payload.len(),
                self.size
            ));
        }
        if msg.payload[..] != echo_payload(i, self.size)[..] {
            return Err(format!("message {i} came back with different content"));
        }
        let stream = i % self.streams;
        if u64::from(msg.stream_id) != stream {
            return Err(format!(
                "message {i} came back on stream {} instead of {stream}",
                msg.stream_id
            ));
        }
        if msg.ppid != echo_ppid(i) {
            return Err(format!(
                "message {i} came back with PPID {} instead of {}",
                msg.ppid.0,
                echo_ppid(i).0
            ));
        }
        if msg.unordered != self.unordered {
            return Err(format!(
                "message {i} came back with unordered={} instead of {}",
                msg.unordered, self.unordered
            ));
        }
        if !self.unordered {
            let expected = self.next[stream as usize];
            if i != expected {
                return Err(format!(
                    "stream {stream} out of order: got message {i}, expected {expected}"
                ));
            }
            self.next[stream as usize] += self.streams;
        }
        self.received += 1;
        let now = Instant::now();
        if let Some(last) = self.last_echo {
            self.max_gap = self.max_gap.max(now - last);
        }
        self.last_echo = Some(now);
        Ok(())
    }
}
