//! Messages waiting to be sent, fragmented on demand (RFC 9260 section 6.9),
//! with stream sequence numbers assigned per stream in send order (6.6).
//!
//! An ordered message takes its SSN when its first fragment is taken, not
//! when it is queued: a partially reliable message abandoned before any of
//! it was sent then leaves no hole in its stream's SSNs (RFC 3758 has no
//! way to tell the peer about a message that never had a TSN).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;

use super::Message;
use super::partial_reliability::PrMessage;
use crate::wire::chunk::DataFlags;
use crate::{Ppid, Ssn, StreamId};

/// A message accepted by `send`, possibly partly fragmented already.
#[derive(Debug)]
struct Queued {
    stream_id: StreamId,
    /// Assigned when the first fragment is taken (ordered messages only).
    ssn: Ssn,
    ppid: Ppid,
    unordered: bool,
    /// The user's context, returned with a send failure.
    context: u32,
    /// Whether the last fragment asks for an immediate SACK (RFC 7053).
    sack_immediately: bool,
    payload: Bytes,
    /// Bytes of `payload` already handed out as fragments.
    taken: usize,
    /// Its partial-reliability policy, when it has one.
    pr: Option<Arc<PrMessage>>,
}

/// The next piece of user data to put in a DATA chunk.
#[derive(Debug, Clone)]
pub(crate) struct Fragment {
    pub(crate) stream_id: StreamId,
    pub(crate) ssn: Ssn,
    pub(crate) ppid: Ppid,
    pub(crate) flags: DataFlags,
    pub(crate) context: u32,
    pub(crate) payload: Bytes,
    /// The message's partial-reliability policy, when it has one.
    pub(crate) pr: Option<Arc<PrMessage>>,
}

/// What was left of a message removed from the queue.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Removed {
    /// Whether some of it had been handed out as fragments already.
    pub(crate) taken: bool,
    pub(crate) stream_id: StreamId,
    pub(crate) ssn: Ssn,
    pub(crate) unordered: bool,
}

/// A message taken back from the queue for a send-failure report.
#[derive(Debug)]
pub(crate) struct Unsent {
    pub(crate) message: Message,
    pub(crate) context: u32,
    /// Whether some of it was handed out as fragments already.
    pub(crate) sent: bool,
}

/// Outbound messages in send order, one queue for all streams.
#[derive(Debug, Default)]
pub(crate) struct SendQueue {
    queue: VecDeque<Queued>,
    next_ssn: HashMap<StreamId, Ssn>,
    bytes: usize,
    /// Streams whose new messages wait: an outgoing reset of them is
    /// pending (RFC 6525 section 5.1.2); `None` in the list means all.
    paused: Vec<Option<StreamId>>,
}

impl SendQueue {
    /// Bytes accepted but not yet handed out as fragments.
    pub(crate) fn queued_bytes(&self) -> usize {
        self.bytes
    }

    /// Whether nothing waits to be sent.
    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Queues a message.
    pub(crate) fn push(
        &mut self,
        stream_id: StreamId,
        ppid: Ppid,
        options: &super::SendOptions,
        payload: Bytes,
        pr: Option<Arc<PrMessage>>,
    ) {
        self.bytes += payload.len();
        self.queue.push_back(Queued {
            stream_id,
            ssn: Ssn(0),
            ppid,
            unordered: options.unordered,
            context: options.context,
            sack_immediately: options.sack_immediately,
            payload,
            taken: 0,
            pr,
        });
    }

    /// The head message, if its lifetime is over at `now` (RFC 3758
    /// section 5, RFC 9260 section 10.1), and whether some of it was taken.
    pub(crate) fn expired_head(&self, now: Instant) -> Option<(Arc<PrMessage>, bool)> {
        let q = self.queue.front()?;
        let pr = q.pr.as_ref()?;
        pr.expired(now).then(|| (Arc::clone(pr), q.taken > 0))
    }

    /// Removes the message `id`; says what was left of it.
    pub(crate) fn remove_message(&mut self, id: u64) -> Option<Removed> {
        let i = self
            .queue
            .iter()
            .position(|q| q.pr.as_ref().is_some_and(|p| p.id == id))?;
        let q = self.queue.remove(i)?;
        self.bytes -= q.payload.len() - q.taken;
        Some(Removed {
            taken: q.taken > 0,
            stream_id: q.stream_id,
            ssn: q.ssn,
            unordered: q.unordered,
        })
    }

    /// Queued messages that yield to priority `p` (RFC 7496 section 3.2),
    /// newest first, with the bytes removing each would free.
    pub(crate) fn lower_priority(&self, p: u16) -> Vec<(Arc<PrMessage>, usize)> {
        self.queue
            .iter()
            .rev()
            .filter_map(|q| {
                let pr = q.pr.as_ref().filter(|pr| pr.yields_to(p))?;
                Some((Arc::clone(pr), q.payload.len() - q.taken))
            })
            .collect()
    }

    /// Bytes left of the next message to send from.
    pub(crate) fn head_remaining(&self) -> Option<usize> {
        let q = &self.queue[self.next_index()?];
        Some(q.payload.len() - q.taken)
    }

    /// The message the next fragment comes from: the one begun, else the
    /// first on a stream that is not paused.
    fn next_index(&self) -> Option<usize> {
        let front = self.queue.front()?;
        if self.paused.is_empty() || front.taken > 0 {
            return Some(0);
        }
        self.queue.iter().position(|q| !self.is_paused(q.stream_id))
    }

    fn is_paused(&self, stream_id: StreamId) -> bool {
        self.paused.iter().any(|p| p.is_none_or(|s| s == stream_id))
    }

    /// Holds back new messages on `streams` (all when empty).
    pub(crate) fn pause(&mut self, streams: &[StreamId]) {
        if streams.is_empty() {
            self.paused.push(None);
        }
        self.paused.extend(streams.iter().map(|&s| Some(s)));
    }

    /// Undoes one [`SendQueue::pause`] of `streams`.
    pub(crate) fn resume(&mut self, streams: &[StreamId]) {
        let mut remove = |p: Option<StreamId>| {
            if let Some(i) = self.paused.iter().position(|&q| q == p) {
                self.paused.swap_remove(i);
            }
        };
        if streams.is_empty() {
            remove(None);
        }
        for &s in streams {
            remove(Some(s));
        }
    }

    /// Whether a message on one of `streams` (any when empty) is sent in part.
    pub(crate) fn busy_on(&self, streams: &[StreamId]) -> bool {
        self.queue
            .front()
            .is_some_and(|q| q.taken > 0 && (streams.is_empty() || streams.contains(&q.stream_id)))
    }

    /// The next ordered message on `streams` (all when empty) takes SSN 0
    /// (RFC 6525 section 5.1.2 and 5.2.4).
    pub(crate) fn reset_ssns(&mut self, streams: &[StreamId]) {
        if streams.is_empty() {
            self.next_ssn.clear();
        }
        for s in streams {
            self.next_ssn.remove(s);
        }
    }

    /// Takes the next fragment of at most `max` bytes (`max` > 0).
    pub(crate) fn take(&mut self, max: usize) -> Option<Fragment> {
        let i = self.next_index()?;
        if i > 0 {
            // A paused stream's messages keep their place; this one goes first.
            let q = self.queue.remove(i)?;
            self.queue.push_front(q);
        }
        let q = self.queue.front_mut()?;
        let n = (q.payload.len() - q.taken).min(max);
        let beginning = q.taken == 0;
        if beginning && !q.unordered {
            let next = self.next_ssn.entry(q.stream_id).or_default();
            q.ssn = *next;
            *next = next.next();
        }
        let payload = q.payload.slice(q.taken..q.taken + n);
        q.taken += n;
        let ending = q.taken == q.payload.len();
        let frag = Fragment {
            stream_id: q.stream_id,
            ssn: q.ssn,
            ppid: q.ppid,
            flags: DataFlags {
                immediate: ending && q.sack_immediately,
                unordered: q.unordered,
                beginning,
                ending,
            },
            context: q.context,
            payload,
            pr: q.pr.clone(),
        };
        self.bytes -= n;
        if ending {
            self.queue.pop_front();
        }
        Some(frag)
    }

    /// Removes every queued message, for a send-failure report.
    /// A message partly handed out already is returned whole.
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = Unsent> + '_ {
        self.bytes = 0;
        self.queue.drain(..).map(|q| Unsent {
            message: Message {
                stream_id: q.stream_id,
                ppid: q.ppid,
                unordered: q.unordered,
                payload: q.payload,
            },
            context: q.context,
            sent: q.taken > 0,
        })
    }

    /// DATA chunks the queued bytes make at `max_fragment` bytes a chunk.
    pub(crate) fn chunk_count(&self, max_fragment: usize) -> usize {
        let max = max_fragment.max(1);
        self.queue
            .iter()
            .map(|q| (q.payload.len() - q.taken).div_ceil(max))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9260_6_9_fragments_carry_b_and_e_and_one_ssn() {
        let mut q = SendQueue::default();
        let ordered = crate::association::SendOptions::default();
        let unordered = ordered.clone().unordered(true);
        q.push(4, Ppid(1), &ordered, Bytes::from_static(b"abcdefg"), None);
        q.push(4, Ppid(1), &ordered, Bytes::from_static(b"h"), None);
        q.push(5, Ppid(1), &unordered, Bytes::from_static(b"i"), None);
        assert_eq!(q.queued_bytes(), 9);
        assert_eq!(q.chunk_count(3), 5);
        let f: Vec<_> = std::iter::from_fn(|| q.take(3)).collect();
        let shape: Vec<_> = f
            .iter()
            .map(|f| {
                (
                    &f.payload[..],
                    f.ssn.0,
                    f.flags.beginning,
                    f.flags.ending,
                    f.flags.unordered,
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                (&b"abc"[..], 0, true, false, false),
                (b"def", 0, false, false, false),
                (b"g", 0, false, true, false),
                (b"h", 1, true, true, false),
                (b"i", 0, true, true, true),
            ]
        );
        assert!(q.is_empty());
        assert_eq!(q.queued_bytes(), 0);
    }

    #[test]
    fn rfc7053_4_sack_immediately_marks_only_the_last_fragment() {
        let mut q = SendQueue::default();
        let opts = crate::association::SendOptions::default()
            .sack_immediately(true)
            .context(7);
        q.push(0, Ppid(1), &opts, Bytes::from_static(b"abcdefg"), None);
        let f: Vec<_> = std::iter::from_fn(|| q.take(3)).collect();
        let i_bits: Vec<_> = f.iter().map(|f| f.flags.immediate).collect();
        assert_eq!(i_bits, [false, false, true]);
        assert!(f.iter().all(|f| f.context == 7));
    }
}
