//! `sctp-perf`: SCTP throughput measurement, in the manner of usrsctp's `tsctp`.
//!
//! ```text
//! sctp-perf server --bind 0.0.0.0:5001
//! sctp-perf client 127.0.0.1:5001 --size 1400 --time 10
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::{Parser, Subcommand};
use sctp_examples::{
    CommonOpts, Context, DeliveryCheck, Failure, Throughput, UsageError, addr_list, bind_endpoint,
    connect_multihomed, cpu_time, echo_payload, init_tracing, report_failure, report_usage,
    resident_kib, runtime, wait_closed,
};
use sctp_raw::{
    AssociationConfig, AssociationEvent, Delivery, EndpointSettings, Message, PartialMessages,
    Ppid, PrPolicy, SchedulerKind, SctpAssociation, SctpEndpoint, SendOptions,
};

const PROGRAM: &str = "sctp-perf";

/// SCTP throughput test, over raw IP or UDP encapsulation.
///
/// The client sends messages as fast as flow and congestion control allow,
/// for a number of messages or a time, then shuts the association down
/// gracefully. SHUTDOWN COMPLETE means the server acknowledged every byte, so
/// the figures count only data the server really received. The client's last
/// line gives bytes, messages, seconds, MB/s (10^6 bytes) and messages/s; with
/// --json it is one JSON object with the keys bytes, messages, seconds,
/// mbytes_per_sec and messages_per_sec. The server prints the same figures
/// per association, counted from what it read, and the longest time between
/// two deliveries (`max_gap_ms` in its JSON).
///
/// With --check on both sides every message is numbered and patterned, and
/// the server verifies that each arrived exactly once and intact (its JSON
/// then has a "check" object: contiguous, duplicates, corrupt, missing).
///
/// Nagle-like bundling is ON by default (like tsctp), so small messages share
/// packets; --no-delay turns it off.
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
    /// Receive and count messages.
    Server(ServerArgs),
    /// Send messages as fast as possible and report the throughput.
    Client(ClientArgs),
}

#[derive(Debug, clap::Args)]
struct ServerArgs {
    #[arg(
        long,
        value_name = "ADDR:PORT",
        required = true,
        help = "Local address and SCTP port to listen on, e.g. 0.0.0.0:5001 or [::]:5001; \
                repeat for a multi-homed server on each address (same port)"
    )]
    bind: Vec<SocketAddr>,

    /// Exit after the first association ends (exit code 1 if it ended abnormally).
    #[arg(long)]
    once: bool,

    /// Print the server's figures as one JSON object per association
    /// (with the process's resident memory, `rss_kib`, when it ended).
    #[arg(long)]
    json: bool,

    /// Listen on M consecutive addresses starting at --bind's (one endpoint
    /// each), for runs with many associations: an association is identified
    /// by its addresses and ports, so many associations between two hosts
    /// need many address pairs.
    #[arg(long, value_name = "M", default_value_t = 1)]
    addresses: u32,

    /// Verify that every message of a `client --check` arrives exactly once and
    /// intact; report duplicates, corrupt and missing messages (exit code 1 with
    /// --once if there are any).
    #[arg(long)]
    check: bool,

    #[command(flatten)]
    common: CommonOpts,
}

#[derive(Debug, clap::Args)]
struct ClientArgs {
    /// The server's address and SCTP port, e.g. 198.18.0.2:5001.
    #[arg(value_name = "ADDR:PORT")]
    server: SocketAddr,

    /// Size of each message in bytes.
    #[arg(long, short = 's', value_name = "BYTES", default_value_t = 1400)]
    size: usize,

    /// Number of messages to send (default: send for --time seconds).
    #[arg(long, short = 'n', value_name = "N", conflicts_with = "time")]
    count: Option<u64>,

    /// Seconds to send for (default 10 when --count is not given).
    #[arg(long, short = 't', value_name = "SECS")]
    time: Option<f64>,

    /// Number of streams to spread the messages over, round-robin.
    #[arg(long, value_name = "S", default_value_t = 1)]
    streams: u16,

    /// Send unordered messages.
    #[arg(long)]
    unordered: bool,

    /// Turn Nagle-like bundling off: send each message at once.
    #[arg(long)]
    no_delay: bool,

    /// Print the final line as one JSON object (keys bytes, messages, seconds,
    /// mbytes_per_sec, messages_per_sec).
    #[arg(long)]
    json: bool,

    /// Number each message and fill it with a pattern derived from its number
    /// (for `server --check`); --size must then be at least 8.
    #[arg(long)]
    check: bool,

    /// Give up (exit code 1) if the run has not finished this many seconds
    /// after its planned end (or after start with --count).
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    grace: u64,

    /// Spread the run over N associations, all set up before any sends
    /// (the JSON line then also reports `associations` and `setup_seconds`).
    #[arg(long, value_name = "N", default_value_t = 1)]
    associations: u32,

    /// Client endpoints (one socket each) the associations are spread
    /// over: endpoint k has association k*M .. k*M+M-1, one to each server
    /// address. An association is identified by its addresses and ports.
    #[arg(long, value_name = "K", default_value_t = 1)]
    endpoints: u32,

    /// Bind client endpoint k to this address plus k (default: any address,
    /// each endpoint on its own ephemeral port). Repeated, with one
    /// association: a multi-homed client on all of them.
    #[arg(long, value_name = "IP")]
    local: Vec<IpAddr>,

    /// A further address of the server (same port), a path to fail over
    /// to; repeat for more. One association only.
    #[arg(long, value_name = "IP")]
    remote: Vec<IpAddr>,

    /// Server addresses the associations are spread over: the given one and
    /// the next M-1 (e.g. 198.19.0.1 .. 198.19.3.232 for 1000).
    #[arg(long, value_name = "M", default_value_t = 1)]
    server_addresses: u32,

    /// How many of the associations send (default: all); the others stay idle.
    #[arg(long, value_name = "A")]
    active: Option<u32>,

    /// Seconds to hold every association idle after set-up and before
    /// sending; the JSON line reports the CPU the client used meanwhile
    /// (`idle_cpu_seconds`) and its resident memory then (`rss_kib`) and
    /// before set-up (`rss_base_kib`).
    #[arg(long, value_name = "SECS", default_value_t = 0.0)]
    idle: f64,

    /// Associations being set up at once.
    #[arg(long, value_name = "C", default_value_t = 1000)]
    setup_concurrency: u32,

    /// Partial reliability of every message (RFC 3758, RFC 7496): none
    /// (fully reliable), ttl (--pr-value is the lifetime in ms), rtx
    /// (--pr-value retransmissions at most) or prio (--pr-value is the
    /// priority, 0 the highest). The JSON line then reports `abandoned`.
    #[arg(long, value_name = "POLICY", value_enum, default_value_t = PrArg::None)]
    pr_policy: PrArg,

    /// The value of --pr-policy.
    #[arg(long, value_name = "N")]
    pr_value: Option<u32>,

    /// Offer user message interleaving (I-DATA, RFC 8260): on (the
    /// default; used when the server offers it too) or off.
    #[arg(long, value_name = "ON|OFF", value_enum, num_args = 0..=1,
          default_value_t = OnOff::On, default_missing_value = "on")]
    interleave: OnOff,

    /// The stream scheduler (RFC 8260 section 3): fcfs, rr, rr-packet,
    /// prio (stream 0 highest, then 1, ...), fc or wfq (stream k weighs k+1).
    #[arg(long, value_name = "KIND", default_value = "fcfs")]
    scheduler: SchedulerKind,

    #[command(flatten)]
    common: CommonOpts,
}

/// A switch given as `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OnOff {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

/// `--pr-policy`: the partial-reliability policies of RFC 7496.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PrArg {
    /// Fully reliable.
    None,
    /// Timed reliability: a lifetime in milliseconds.
    Ttl,
    /// Limited retransmissions.
    Rtx,
    /// Priority: lower-priority messages make room when the buffer is full.
    Prio,
}

impl ClientArgs {
    /// The policy --pr-policy and --pr-value name (validated already).
    fn pr(&self) -> PrPolicy {
        let v = self.pr_value.unwrap_or(0);
        match self.pr_policy {
            PrArg::None => PrPolicy::Reliable,
            PrArg::Ttl => PrPolicy::TimedReliability(Duration::from_millis(v.into())),
            PrArg::Rtx => PrPolicy::LimitedRetransmissions(v),
            PrArg::Prio => PrPolicy::Priority(u16::try_from(v).unwrap_or(u16::MAX)),
        }
    }
}

/// Largest message the programs accept: 64 MiB.
const MAX_SIZE: usize = 64 << 20;

/// The PPID of perf traffic (arbitrary; tsctp uses 0).
const PPID: Ppid = Ppid(0);

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
            if a.bind.len() > 1 && a.addresses > 1 {
                return Err(UsageError::Conflict(
                    "--addresses takes one --bind (the first of the range)",
                ));
            }
            UsageError::check_range("--addresses", a.addresses.into(), 1, 1 << 16)
        }
        Mode::Client(a) => {
            a.common.validate()?;
            let min_size = if a.check { 8 } else { 1 };
            UsageError::check_range("--size", a.size as u64, min_size, MAX_SIZE as u64)?;
            UsageError::check_range("--streams", a.streams.into(), 1, 65_535)?;
            if let Some(n) = a.count {
                UsageError::check_range("--count", n, 1, u64::MAX)?;
            }
            if let Some(t) = a.time
                && !(t > 0.0 && t <= 86_400.0)
            {
                return Err(UsageError::Conflict(
                    "--time must be a number of seconds above 0 and at most 86400",
                ));
            }
            UsageError::check_range("--associations", a.associations.into(), 1, 1 << 20)?;
            if a.associations > 1 && (a.local.len() > 1 || !a.remote.is_empty()) {
                return Err(UsageError::Conflict(
                    "several --local or any --remote make one multi-homed association: drop --associations",
                ));
            }
            UsageError::check_range("--endpoints", a.endpoints.into(), 1, 60_000)?;
            UsageError::check_range("--server-addresses", a.server_addresses.into(), 1, 1 << 20)?;
            UsageError::check_range(
                "--setup-concurrency",
                a.setup_concurrency.into(),
                1,
                1 << 20,
            )?;
            if let Some(n) = a.active {
                UsageError::check_range("--active", n.into(), 1, a.associations.into())?;
            }
            if u64::from(a.endpoints) * u64::from(a.server_addresses) < u64::from(a.associations) {
                return Err(UsageError::Conflict(
                    "--associations needs --endpoints times --server-addresses distinct pairs: raise one of them",
                ));
            }
            if !(a.idle >= 0.0 && a.idle <= 86_400.0) {
                return Err(UsageError::Conflict(
                    "--idle must be a number of seconds from 0 to 86400",
                ));
            }
            match (a.pr_policy, a.pr_value) {
                (PrArg::None, None) => Ok(()),
                (PrArg::None, Some(_)) => Err(UsageError::Conflict(
                    "--pr-value needs --pr-policy ttl, rtx or prio",
                )),
                (_, None) => Err(UsageError::Conflict(
                    "--pr-policy ttl, rtx and prio need --pr-value",
                )),
                (PrArg::Ttl, Some(v)) => {
                    UsageError::check_range("--pr-value", v.into(), 1, u32::MAX.into())
                }
                (PrArg::Rtx, Some(_)) => Ok(()),
                (PrArg::Prio, Some(v)) => {
                    UsageError::check_range("--pr-value", v.into(), 0, 65_535)
                }
            }
        }
    }
}

/// Association parameters sized for messages of up to `size` bytes.
fn base_config(size: usize, streams: u16, nagle: bool) -> AssociationConfig {
    let d = AssociationConfig::default();
    let mut c = d.clone();
    c.outbound_streams = d.outbound_streams.max(streams);
    c.max_message_size = d.max_message_size.max(size);
    c.max_reassembly_bytes = d.max_reassembly_bytes.max(size.saturating_mul(2));
    c.send_buffer = d.send_buffer.max(size.saturating_mul(2));
    c.nagle = nagle;
    c
}

async fn server(args: ServerArgs) -> Result<(), Failure> {
    let config = args
        .common
        .config(base_config(MAX_SIZE, u16::MAX, true))
        .endpoint(EndpointSettings::default().max_associations(1 << 20));
    if args.addresses > 1 {
        return serve_many(&args, config).await;
    }
    let listener = bind_endpoint(&args.bind, config).await?;
    println!(
        "sctp-perf: listening on {}",
        addr_list(&listener.local_addrs())
    );
    loop {
        let (assoc, from) = listener
            .accept()
            .await
            .context(|| "accepting an association".to_owned())?;
        println!("sctp-perf: association from {from} established");
        let (json, check) = (args.json, args.check);
        if args.once {
            return count(assoc, from, json, check).await;
        }
        tokio::spawn(async move {
            if let Err(e) = count(assoc, from, json, check).await {
                eprintln!("{PROGRAM}: {e}");
            }
        });
    }
}

/// `--addresses M`: one endpoint on each of M consecutive addresses, all
/// served alike (quietly: no line per association but the JSON figures).
async fn serve_many(args: &ServerArgs, config: sctp_raw::Config) -> Result<(), Failure> {
    let mut accepting = tokio::task::JoinSet::new();
    for j in 0..args.addresses {
        let at = SocketAddr::new(nth_address(args.bind[0].ip(), j), args.bind[0].port());
        let ep = SctpEndpoint::bind(at, config.clone())
            .await
            .context(|| format!("listening on {at}"))?;
        let (json, check) = (args.json, args.check);
        accepting.spawn(async move {
            while let Ok((assoc, from)) = ep.accept().await {
                tokio::spawn(async move {
                    if let Err(e) = count(assoc, from, json, check).await {
                        eprintln!("{PROGRAM}: {e}");
                    }
                });
            }
        });
    }
    println!(
        "sctp-perf: listening on {} and the next {} addresses",
        args.bind[0],
        args.addresses - 1
    );
    while accepting.join_next().await.is_some() {}
    Err(Failure::msg(
        "serving".to_owned(),
        "every endpoint stopped".to_owned(),
    ))
}

/// Counts (and with `check`, verifies) what arrives on `assoc` until it ends,
/// then prints the figures.
async fn count(
    assoc: SctpAssociation,
    from: SocketAddr,
    json: bool,
    check: bool,
) -> Result<(), Failure> {
    let mut delivery = check.then(DeliveryCheck::default);
    let mut t = Throughput {
        bytes: 0,
        messages: 0,
        seconds: 0.0,
    };
    let mut first: Option<Instant> = None;
    // The longest silence between two deliveries: a stall is what a
    // signalling application notices first.
    let mut last: Option<Instant> = None;
    let mut max_gap = Duration::ZERO;
    // Messages of any size are counted: larger ones arrive in pieces
    // (partial delivery), joined only to be checked.
    let mut pieces = check.then(|| PartialMessages::new(usize::MAX));
    let result = loop {
        match assoc.recv_item().await {
            Ok(Some(Delivery::Message(msg, info))) => {
                let now = Instant::now();
                first.get_or_insert(now);
                if let Some(prev) = last.replace(now) {
                    max_gap = max_gap.max(now - prev);
                }
                t.messages += u64::from(info.end_of_record);
                t.bytes += msg.payload.len() as u64;
                if let (Some(d), Some(p)) = (&mut delivery, &mut pieces)
                    && let Ok(Some((whole, _))) = p.push(msg, info)
                {
                    d.record(&whole.payload);
                }
            }
            Ok(Some(Delivery::Event(AssociationEvent::PartialDeliveryAborted {
                stream_id,
                unordered,
                mid,
            }))) => {
                if let Some(p) = &mut pieces {
                    p.abort(stream_id, unordered, mid);
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break Ok(()),
            Err(e) => break Err(Failure::new(format!("association with {from}"), e)),
        }
    };
    t.seconds = first.map_or(0.0, |f| f.elapsed().as_secs_f64());
    if result.is_ok() {
        // Let the SHUTDOWN handshake finish before a --once server exits.
        wait_closed(&assoc).await;
    }
    let how = match &result {
        Ok(()) => "shut down by the peer".to_owned(),
        Err(e) => format!("failed: {}", e.source),
    };
    println!("sctp-perf: association with {from} {how}");
    let max_gap_ms = max_gap.as_secs_f64() * 1000.0;
    // What partial reliability skipped (RFC 3758): FORWARD TSNs received
    // and the TSNs they skipped that had not arrived.
    let stats = assoc.stats();
    let skipping = stats.forward_tsns_received > 0;
    if json {
        let mut line = t.json();
        line["max_gap_ms"] = max_gap_ms.into();
        line["forward_tsns"] = stats.forward_tsns_received.into();
        line["skipped_tsns"] = stats.tsns_skipped.into();
        line["rss_kib"] = resident_kib().into();
        if let Some(d) = &delivery {
            line["check"] = d.json();
        }
        println!("{line}");
    } else {
        println!("sctp-perf: received {t}; longest gap between deliveries {max_gap_ms:.1} ms");
        if skipping {
            println!(
                "sctp-perf: the peer abandoned data: {} FORWARD TSN(s) skipped {} TSN(s)",
                stats.forward_tsns_received, stats.tsns_skipped
            );
        }
        if let Some(d) = &delivery {
            println!("sctp-perf: check: {d}");
        }
    }
    result?;
    // Messages the peer abandoned are missing by design; duplicates and
    // corruption never are.
    let missing = match &delivery {
        Some(d) if !skipping => d.missing(),
        _ => 0,
    };
    match delivery {
        Some(d) if d.duplicates + d.corrupt + missing > 0 => Err(Failure::msg(
            format!("association with {from}"),
            format!("delivery check failed: {d}"),
        )),
        _ => Ok(()),
    }
}

async fn client(args: ClientArgs) -> Result<(), Failure> {
    let nagle = !args.no_delay;
    let mut base = base_config(args.size, args.streams, nagle);
    base.interleaving = args.interleave == OnOff::On;
    base.scheduler = args.scheduler;
    let config = args.common.config(base);
    let time = match (args.count, args.time) {
        (None, None) => Some(10.0),
        (_, t) => t,
    };
    let limit = Duration::from_secs_f64(time.unwrap_or(0.0)) + Duration::from_secs(args.grace);
    match tokio::time::timeout(limit, run_client(&args, config, time)).await {
        Ok(r) => r,
        Err(_) => Err(Failure::msg(
            format!("perf run against {}", args.server),
            format!("did not finish within {} s", limit.as_secs()),
        )),
    }
}

async fn run_client(
    args: &ClientArgs,
    config: sctp_raw::Config,
    time: Option<f64>,
) -> Result<(), Failure> {
    let server = args.server;
    let n = args.associations as usize;
    let rss_base_kib = resident_kib();
    let setup_start = Instant::now();
    let assocs = connect_all(args, config).await?;
    let setup_seconds = setup_start.elapsed().as_secs_f64();
    let what = match (args.count, time) {
        (Some(n), _) => format!("{n} messages"),
        (None, Some(t)) => format!("for {t} s"),
        (None, None) => unreachable!("client() picks a default time"),
    };
    let info = format!(
        "sctp-perf: connected to {server}{}; sending {}-byte messages {what} on {} stream(s), {}, Nagle {}",
        if n > 1 {
            format!(" with {n} associations in {setup_seconds:.2} s")
        } else {
            String::new()
        },
        args.size,
        args.streams,
        if args.unordered {
            "unordered"
        } else {
            "ordered"
        },
        if args.no_delay { "off" } else { "on" },
    );
    if args.json {
        eprintln!("{info}");
    } else {
        println!("{info}");
    }
    let mut idle_cpu = None;
    if args.idle > 0.0 {
        let before = cpu_time();
        tokio::time::sleep(Duration::from_secs_f64(args.idle)).await;
        idle_cpu = before.zip(cpu_time()).map(|(a, b)| (b - a).as_secs_f64());
    }
    let rss_kib = resident_kib();

    let active = args.active.map_or(n, |a| a as usize).min(n);
    let start = Instant::now();
    let deadline = time.map(|t| start + Duration::from_secs_f64(t));
    let mut senders = tokio::task::JoinSet::new();
    let mut idle = assocs;
    let busy: Vec<SctpAssociation> = idle.drain(..active).collect();
    for (i, assoc) in busy.into_iter().enumerate() {
        let share = args.count.map(|c| {
            let (q, r) = (c / active as u64, c % active as u64);
            q + u64::from((i as u64) < r)
        });
        let plan = SendPlan {
            pr: args.pr(),
            size: args.size,
            streams: u64::from(args.streams),
            unordered: args.unordered,
            check: args.check,
            count: share,
            deadline,
        };
        // Stream k: priority k (0 goes first), weight k + 1.
        for k in 0..args.streams {
            assoc.set_stream_priority(k, k);
            assoc.set_stream_weight(k, k.saturating_add(1));
        }
        senders.spawn(async move { send_all(&assoc, &plan).await });
    }
    let (mut sent, mut abandoned) = (0u64, 0u64);
    while let Some(r) = senders.join_next().await {
        let (s, a) =
            r.map_err(|e| Failure::msg(format!("perf run against {server}"), e.to_string()))??;
        sent += s;
        abandoned += a;
    }
    let t = Throughput {
        bytes: sent * args.size as u64,
        messages: sent,
        seconds: start.elapsed().as_secs_f64(),
    };
    // The idle ones end after the measurement.
    let mut closers = tokio::task::JoinSet::new();
    for assoc in idle {
        closers.spawn(async move { assoc.shutdown().await });
    }
    while closers.join_next().await.is_some() {}
    if args.json {
        let mut line = t.json();
        if n > 1 || args.idle > 0.0 {
            line["associations"] = n.into();
            line["setup_seconds"] = setup_seconds.into();
            line["rss_kib"] = rss_kib.into();
            line["rss_base_kib"] = rss_base_kib.into();
            line["idle_seconds"] = args.idle.into();
            line["idle_cpu_seconds"] = idle_cpu.into();
        }
        if !args.pr().is_reliable() {
            line["abandoned"] = abandoned.into();
        }
        println!("{line}");
    } else {
        println!("sctp-perf: sent and acknowledged {t}");
        if !args.pr().is_reliable() {
            println!(
                "sctp-perf: {abandoned} message(s) abandoned under {:?}",
                args.pr()
            );
        }
    }
    Ok(())
}

/// What one sending association does.
#[derive(Debug, Clone, Copy)]
struct SendPlan {
    pr: PrPolicy,
    size: usize,
    streams: u64,
    unordered: bool,
    check: bool,
    count: Option<u64>,
    deadline: Option<Instant>,
}

/// Sends as planned, then shuts down (SHUTDOWN COMPLETE only comes once the
/// server acknowledged or skipped all data); returns the messages sent and
/// how many of them were abandoned.
async fn send_all(assoc: &SctpAssociation, plan: &SendPlan) -> Result<(u64, u64), Failure> {
    let server = assoc.remote_addr();
    let payload = Bytes::from(vec![b'b'; plan.size]);
    let options = SendOptions::default().pr_policy(plan.pr);
    let mut sent = 0u64;
    loop {
        let done = match plan.count {
            Some(n) => sent >= n,
            None => plan.deadline.is_some_and(|d| Instant::now() >= d),
        };
        if done {
            break;
        }
        let msg = Message::new(
            (sent % plan.streams) as u16,
            PPID,
            if plan.check {
                Bytes::from(echo_payload(sent, plan.size))
            } else {
                payload.clone()
            },
        )
        .with_unordered(plan.unordered);
        assoc
            .send_with(msg, &options)
            .await
            .context(|| format!("sending message {sent} to {server}"))?;
        sent += 1;
        if !plan.pr.is_reliable() {
            drain_notifications(assoc);
        }
    }
    assoc
        .shutdown()
        .await
        .context(|| format!("shutting down the association with {server}"))?;
    Ok((sent, assoc.stats().messages_abandoned))
}

/// Reads the notifications ready now: abandoned messages come back whole,
/// and unread they would hold their memory until the run ends.
fn drain_notifications(assoc: &SctpAssociation) {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    while let std::task::Poll::Ready(Some(_)) = assoc.poll_next_event(&mut cx) {}
}

/// The `j`th address after `ip`.
fn nth_address(ip: IpAddr, j: u32) -> IpAddr {
    match ip {
        IpAddr::V4(a) => IpAddr::V4(Ipv4Addr::from(u32::from(a).wrapping_add(j))),
        IpAddr::V6(a) => IpAddr::V6(Ipv6Addr::from(u128::from(a).wrapping_add(j.into()))),
    }
}

/// Sets up `--associations` associations over `--endpoints` client
/// endpoints and `--server-addresses` server addresses, at most
/// `--setup-concurrency` at once.
async fn connect_all(
    args: &ClientArgs,
    config: sctp_raw::Config,
) -> Result<Vec<SctpAssociation>, Failure> {
    let server = args.server;
    let n = args.associations as usize;
    if n == 1 {
        let assoc = connect_multihomed(server, &args.local, &args.remote, config).await?;
        return Ok(vec![assoc]);
    }
    let any: IpAddr = if server.is_ipv6() {
        Ipv6Addr::UNSPECIFIED.into()
    } else {
        Ipv4Addr::UNSPECIFIED.into()
    };
    let m = args.server_addresses as usize;
    let k = n.div_ceil(m).min(args.endpoints as usize);
    let mut endpoints = Vec::with_capacity(k);
    for j in 0..k {
        let ip = args
            .local
            .first()
            .map_or(any, |ip| nth_address(*ip, j as u32));
        let ep = SctpEndpoint::client(SocketAddr::new(ip, 0), config.clone())
            .await
            .context(|| format!("opening a client endpoint on {ip}"))?;
        endpoints.push(ep);
    }
    let mut assocs = Vec::with_capacity(n);
    let mut set = tokio::task::JoinSet::new();
    let limit = args.setup_concurrency as usize;
    let mut next = 0usize;
    while assocs.len() < n {
        while next < n && set.len() < limit {
            let ep = endpoints[(next / m) % k].clone();
            let to = SocketAddr::new(nth_address(server.ip(), (next % m) as u32), server.port());
            set.spawn(async move { (to, ep.connect(to).await) });
            next += 1;
        }
        let Some(r) = set.join_next().await else {
            break;
        };
        let (to, r) =
            r.map_err(|e| Failure::msg(format!("connecting to {server}"), e.to_string()))?;
        assocs.push(r.context(|| format!("connecting to {to}"))?);
    }
    Ok(assocs)
}
