//! The association engine in memory: two associations in one process pass
//! packets to each other (CRC32c computed and verified on every packet), for
//! 100, 1,200 and 8,000-byte messages, and association set-up rate.
//!
//! Run with `cargo bench -p sctp-benches --bench engine`.

use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sctp_benches::{
    DcsctpPair, OursPair, ProtoPair, setup_associations, setup_dcsctp, setup_proto,
};

/// Messages per measured batch, by size, so each batch moves about 1 MB or more.
fn batch(size: usize) -> usize {
    match size {
        0..=200 => 10_000,
        201..=2000 => 1_000,
        _ => 200,
    }
}

fn throughput(c: &mut Criterion) {
    for size in [100usize, 1200, 8000] {
        let mut g = c.benchmark_group(format!("throughput_{size}B"));
        let n = batch(size);
        g.throughput(Throughput::Bytes((n * size) as u64));
        g.measurement_time(Duration::from_secs(5));
        let payload = Bytes::from(vec![0xab; size]);
        g.bench_function(BenchmarkId::new("ours", n), |b| {
            let mut pair = OursPair::new(Instant::now());
            b.iter(|| assert_eq!(pair.transfer(&payload, n, 4), n * size));
        });
        g.bench_function(BenchmarkId::new("sctp-proto", n), |b| {
            let mut pair = ProtoPair::new(Instant::now());
            b.iter(|| assert_eq!(pair.transfer(&payload, n, 4), n * size));
        });
        g.bench_function(BenchmarkId::new("dcsctp", n), |b| {
            let mut pair = DcsctpPair::new(Instant::now());
            b.iter(|| assert_eq!(pair.transfer(&payload, n, 4), n * size));
        });
        g.finish();
    }
}

fn setup(c: &mut Criterion) {
    let mut g = c.benchmark_group("setup");
    let n = 1000;
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(BenchmarkId::new("ours", n), |b| {
        b.iter(|| setup_associations(Instant::now(), n))
    });
    g.bench_function(BenchmarkId::new("sctp-proto", n), |b| {
        b.iter(|| setup_proto(Instant::now(), n))
    });
    g.bench_function(BenchmarkId::new("dcsctp", n), |b| {
        b.iter(|| setup_dcsctp(n))
    });
    g.finish();
}

criterion_group!(benches, throughput, setup);
criterion_main!(benches);
