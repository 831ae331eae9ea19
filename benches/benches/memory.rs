//! Heap bytes per idle established association, counted by an instrumented
//! global allocator (a figure, printed; not timed), for our engine beside
//! sctp-proto and dcsctp.
//!
//! Run with `cargo bench -p sctp-benches --bench memory`.

use std::alloc::System;
use std::time::Instant;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn report(name: &str, n: usize, region: &Region<'_, System>) {
    let change = region.change();
    // stats_alloc adds a realloc's growth to bytes_allocated (and its
    // shrinking to bytes_deallocated) already; bytes_reallocated repeats it.
    let held = change.bytes_allocated as isize - change.bytes_deallocated as isize;
    println!(
        "{name}: {n} idle established associations hold {held} heap bytes: {} bytes each",
        held / n as isize
    );
}

fn main() {
    let now = Instant::now();
    // What remains after set-up is the server side: its endpoint and
    // associations (the client side is dropped inside the set-up functions).
    let n = 10_000;
    let region = Region::new(GLOBAL);
    let (endpoint, servers) = sctp_benches::setup_associations(now, n);
    report("ours (one endpoint, routes included)", n, &region);
    drop((endpoint, servers));

    let n = 1_000;
    let region = Region::new(GLOBAL);
    let (endpoint, servers) = sctp_benches::setup_proto(now, n);
    report("sctp-proto (one endpoint)", n, &region);
    drop((endpoint, servers));

    let region = Region::new(GLOBAL);
    let servers = sctp_benches::setup_dcsctp(n);
    report("dcsctp (one socket each)", n, &region);
    drop(servers);
}
