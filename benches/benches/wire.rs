//! Wire-format benchmarks (filled in below).
fn main() {}
