//! Heap bytes per idle established association, counted by an instrumented
//! global allocator (not timed: a figure, printed).
//!
//! Run with `cargo bench -p sctp-benches --bench memory`.

use std::alloc::System;
use std::time::Instant;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let now = Instant::now();
    let n = 10_000;
    let region = Region::new(GLOBAL);
    let (endpoint, servers) = sctp_benches::setup_associations(now, n);
    // The client side is dropped inside setup; what remains is the server's
    // endpoint (routes) and its associations.
    let change = region.change();
    let held = change.bytes_allocated as isize - change.bytes_deallocated as isize
        + change.bytes_reallocated;
    println!(
        "ours: {n} idle established associations hold {held} heap bytes: {} bytes each \
         (endpoint routes included)",
        held / n as isize
    );
    drop((endpoint, servers));
}
