//! A bulk transfer over the simulated network: the client keeps its send
//! buffer topped up, the server counts what it delivers and the longest
//! silence between two deliveries.

use std::time::{Duration, Instant};

use crate::{Network, SctpHost};

/// What a bulk transfer delivered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BulkStats {
    /// Payload bytes delivered to the server's application.
    pub bytes: u64,
    /// Messages delivered.
    pub messages: u64,
    /// Virtual time the transfer ran.
    pub elapsed: Duration,
    /// The longest time between two deliveries.
    pub max_gap: Duration,
}

impl BulkStats {
    /// Delivered payload bytes per second of virtual time.
    pub fn bytes_per_sec(&self) -> f64 {
        self.bytes as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Sends `size`-byte messages from `client` to `server` on stream 0 for
/// `duration` of virtual time, keeping at least `backlog` bytes queued, and
/// counts what the server delivers (its `received` list is emptied as it
/// goes, so long runs stay small).
pub fn bulk_transfer(
    net: &mut Network,
    client: &mut SctpHost,
    server: &mut SctpHost,
    size: usize,
    backlog: usize,
    duration: Duration,
) -> BulkStats {
    let payload = vec![0x5a; size];
    let start = net.now();
    let end = start + duration;
    let mut stats = BulkStats {
        bytes: 0,
        messages: 0,
        elapsed: Duration::ZERO,
        max_gap: Duration::ZERO,
    };
    let mut last: Option<Instant> = None;
    while net.now() < end {
        while client.association().buffered_amount() < backlog
            && client.send(0, 0, &payload, false).is_ok()
        {}
        if !net.step(client, server) {
            break;
        }
        if !server.received.is_empty() {
            let now = net.now();
            stats.max_gap = stats
                .max_gap
                .max(now.saturating_duration_since(last.unwrap_or(start)));
            last = Some(now);
            for m in server.received.drain(..) {
                stats.bytes += m.payload.len() as u64;
                stats.messages += 1;
            }
        }
    }
    stats.elapsed = net.now().saturating_duration_since(start);
    stats
}
