//! Loss recovery in the simulator: throughput under random loss against the
//! Mathis et al. model, and congestion fairness against a Reno reference
//! flow on a shared bottleneck (the gain must come from repairing losses
//! sooner, not from ignoring them: RFC 9260 section 7.2).

use std::time::Duration;

use sctp_core::AssociationConfig;
use sctp_sim::dumbbell::{Bottleneck, Dumbbell, Flow, RenoFlow, SctpFlow};
use sctp_sim::reno::{RENO_MSS, RenoReceiver, RenoSender};
use sctp_sim::{Link, Network, SctpHost, bulk_transfer};

/// User data in one full packet: the Reno reference's segment size too.
const MSS: usize = RENO_MSS;
/// Our messages: one full packet of I-DATA (RFC 8260), whose chunk header
/// is 4 bytes longer than DATA's, so our packets are as large as Reno's.
const MESSAGE: usize = MSS - 4;

/// The Mathis et al. bound, MSS/RTT * 1.22/sqrt(p), in bytes per second.
fn mathis(rtt: Duration, p: f64) -> f64 {
    MSS as f64 / rtt.as_secs_f64() * 1.22 / p.sqrt()
}

/// RFC 9260's default timers, bulk transfer of full-packet messages, for a
/// minute of virtual time on a 20 ms RTT path with random loss `p` in both
/// directions (DATA and SACKs alike).
fn bulk_under_loss(p: f64, seed: u64) -> f64 {
    let link = Link {
        loss: p,
        ..Link::default()
    };
    let mut net = Network::new(seed, link.clone(), link);
    let cfg = AssociationConfig::default();
    let mut a = SctpHost::client(
        net.now(),
        "198.18.0.1:5000",
        "198.18.0.2:2905",
        cfg.clone(),
        seed * 2 + 1,
    );
    let mut b = SctpHost::server(net.now(), "198.18.0.2:2905", cfg, seed * 2 + 2);
    assert!(net.run_until(
        &mut a,
        &mut b,
        |a, b| a.connected() && b.connected(),
        Duration::from_secs(60)
    ));
    let s = bulk_transfer(
        &mut net,
        &mut a,
        &mut b,
        MESSAGE,
        256 * 1024,
        Duration::from_secs(60),
    );
    s.bytes_per_sec()
}

/// The stated factor: between half and one and a half times the bound up to
/// 10 % loss, at least 0.3 times it at 20 %. Below 1.22 (the constant
/// assumes a SACK per packet; with one per two packets it is 0.87) at low
/// loss; above it around 5-10 % where SACK-based recovery repairs several
/// losses per window; below again at 20 %, where timeouts dominate and the
/// model no longer holds (Padhye et al.'s model, which counts them, gives a
/// Reno flow about 3 kB/s there: a hundredth of the Mathis figure).
#[test]
fn rfc9260_7_2_throughput_under_random_loss_is_within_a_factor_of_the_mathis_bound() {
    let rtt = Duration::from_millis(20);
    let mut table = String::from("loss  | ours B/s | Mathis B/s | ratio\n");
    let mut out_of_range = Vec::new();
    for p in [0.01, 0.02, 0.05, 0.10, 0.20] {
        let got = bulk_under_loss(p, 11);
        let bound = mathis(rtt, p);
        let ratio = got / bound;
        table += &format!(
            "{:>4.0} % | {got:>8.0} | {bound:>10.0} | {ratio:.2}\n",
            p * 100.0
        );
        let low = if p > 0.1 { 0.3 } else { 0.5 };
        if !(low..=1.5).contains(&ratio) {
            out_of_range.push(p);
        }
    }
    println!("{table}");
    assert!(
        out_of_range.is_empty(),
        "outside 0.5-1.5x at {out_of_range:?}\n{table}"
    );
}

fn sctp_flow(d: &Dumbbell, net: u8, seed: u64) -> SctpFlow {
    let cfg = AssociationConfig::default();
    let client = SctpHost::client(
        d.now(),
        &format!("198.18.{net}.1:5000"),
        &format!("198.18.{net}.2:2905"),
        cfg.clone(),
        seed,
    );
    let server = SctpHost::server(d.now(), &format!("198.18.{net}.2:2905"), cfg, seed + 1);
    SctpFlow::new(client, server, MESSAGE)
}

fn reno_flow(net: u8) -> RenoFlow {
    RenoFlow {
        sender: RenoSender::new(&format!("198.18.{net}.1")),
        receiver: RenoReceiver::new(&format!("198.18.{net}.2")),
    }
}

/// The first flow's share of what two flows delivered over 60 s (after 10 s
/// of warm-up) through a 10 Mbit/s bottleneck with a 20 ms RTT.
fn share(
    queue: usize,
    loss: f64,
    seed: u64,
    flows: impl FnOnce(&Dumbbell) -> [Box<dyn Flow>; 2],
) -> f64 {
    let mut d = Dumbbell::new(
        seed,
        Bottleneck {
            bandwidth: 1_250_000,
            queue,
            delay: Duration::from_millis(10),
            loss,
        },
    );
    let [mut first, mut second] = flows(&d);
    let got = d.run(
        &mut [first.as_mut(), second.as_mut()],
        Duration::from_secs(10),
        Duration::from_secs(70),
    );
    assert!(got[0] + got[1] > 50_000_000, "the link was used: {got:?}");
    got[0] as f64 / (got[0] + got[1]) as f64
}

#[test]
fn rfc9260_7_2_a_flow_of_ours_takes_no_more_than_its_fair_share_beside_reno() {
    // Queues of half, one and two bandwidth-delay products (25 kB), alone
    // and with random loss on top of the queue's drops (the seed matters
    // only there: without random loss a run is the same for any seed).
    let cases = [
        (12_500, 0.0, 3),
        (25_000, 0.0, 3),
        (50_000, 0.0, 3),
        (25_000, 0.01, 3),
        (25_000, 0.01, 4),
        (50_000, 0.01, 3),
    ];
    let mut table = String::from("queue  loss | ours vs Reno | Reno vs Reno\n");
    let (mut ours, mut reference) = (Vec::new(), Vec::new());
    for (queue, loss, seed) in cases {
        {
            let s = share(queue, loss, seed, |d| {
                [Box::new(sctp_flow(d, 0, seed * 10)), Box::new(reno_flow(1))]
            });
            let r = share(queue, loss, seed, |_| {
                [Box::new(reno_flow(0)), Box::new(reno_flow(1))]
            });
            table += &format!(
                "{queue:>6} {:>3.0}% | {s:>12.3} | {r:>12.3}\n",
                loss * 100.0
            );
            ours.push(s);
            reference.push(r);
        }
    }
    println!("{table}");
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    // Two Reno flows split the link about evenly: the setting is fair.
    assert!((0.4..=0.6).contains(&mean(&reference)), "{table}");
    // Ours takes half, give or take what two identical Reno flows vary by.
    assert!(
        mean(&ours) <= 0.55,
        "ours takes more than its share:\n{table}"
    );
    assert!(ours.iter().all(|&s| s <= 0.6), "{table}");
    assert!(mean(&ours) >= 0.4, "ours is starved:\n{table}");
}
