//! What a front association may send: PPIDs and streams allowed or denied,
//! a largest message, and a rate (token bucket). Every refusal has a reason
//! that is counted, and may be told to the peer in an ABORT.

use std::collections::HashSet;
use std::time::Instant;

use sctp_raw::Message;

use crate::config::ListenerConfig;

/// Why a message was not relayed (the `reason` label of the drop counter).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// Its PPID is denied, or not among those allowed.
    PpidDenied,
    /// Its stream is denied, or not among those allowed.
    StreamDenied,
    /// It is larger than `max-message`.
    TooLarge,
    /// Its front association sent faster than `rate` allows.
    RateLimited,
    /// No backend was up to take it.
    NoBackend,
    /// The association it was sent on has no such stream.
    NoStream,
}

impl DropReason {
    /// Every reason, for metrics that start at zero.
    pub const ALL: [Self; 6] = [
        Self::PpidDenied,
        Self::StreamDenied,
        Self::TooLarge,
        Self::RateLimited,
        Self::NoBackend,
        Self::NoStream,
    ];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Self::PpidDenied => "ppid_denied",
            Self::StreamDenied => "stream_denied",
            Self::TooLarge => "too_large",
            Self::RateLimited => "rate_limited",
            Self::NoBackend => "no_backend",
            Self::NoStream => "no_stream",
        }
    }
}

/// A listener's filter rules, shared by its front associations.
#[derive(Clone, Debug)]
pub struct Rules {
    allow_ppid: Option<HashSet<u32>>,
    deny_ppid: HashSet<u32>,
    allow_stream: Option<HashSet<u16>>,
    deny_stream: HashSet<u16>,
    max_message: usize,
    rate: Option<(f64, f64)>,
    /// Abort the front association on its first refused message.
    pub abort_on_violation: bool,
}

impl Rules {
    /// The rules of a listener.
    pub fn new(config: &ListenerConfig) -> Self {
        let set_or_none = |v: &[u32]| (!v.is_empty()).then(|| v.iter().copied().collect());
        Self {
            allow_ppid: set_or_none(&config.allow_ppid),
            deny_ppid: config.deny_ppid.iter().copied().collect(),
            allow_stream: (!config.allow_stream.is_empty())
                .then(|| config.allow_stream.iter().copied().collect()),
            deny_stream: config.deny_stream.iter().copied().collect(),
            max_message: config.max_message,
            rate: config.rate.map(|r| (r, config.burst.unwrap_or(r.max(1.0)))),
            abort_on_violation: config.abort_on_violation,
        }
    }

    /// The largest message relayed.
    pub fn max_message(&self) -> usize {
        self.max_message
    }

    /// A fresh filter for one front association (its own rate bucket).
    pub fn filter(&self, now: Instant) -> Filter {
        Filter {
            bucket: self
                .rate
                .map(|(rate, burst)| TokenBucket::new(rate, burst, now)),
        }
    }

    /// Whether the rules let `msg` through, apart from the rate.
    fn check_static(&self, msg: &Message) -> Result<(), DropReason> {
        let ppid = msg.ppid.0;
        if self.deny_ppid.contains(&ppid)
            || self.allow_ppid.as_ref().is_some_and(|a| !a.contains(&ppid))
        {
            return Err(DropReason::PpidDenied);
        }
        let stream = msg.stream_id;
        if self.deny_stream.contains(&stream)
            || self
                .allow_stream
                .as_ref()
                .is_some_and(|a| !a.contains(&stream))
        {
            return Err(DropReason::StreamDenied);
        }
        if msg.payload.len() > self.max_message {
            return Err(DropReason::TooLarge);
        }
        Ok(())
    }
}

/// One front association's filter state.
#[derive(Debug)]
pub struct Filter {
    bucket: Option<TokenBucket>,
}

impl Filter {
    /// Whether `msg`, arriving at `now`, may be relayed. A refused message
    /// takes no token.
    pub fn check(&mut self, rules: &Rules, msg: &Message, now: Instant) -> Result<(), DropReason> {
        rules.check_static(msg)?;
        match &mut self.bucket {
            Some(b) => b.take(now).then_some(()).ok_or(DropReason::RateLimited),
            None => Ok(()),
        }
    }
}

/// A token bucket: `rate` tokens a second, at most `burst` held.
#[derive(Debug)]
struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    fn new(rate: f64, burst: f64, now: Instant) -> Self {
        Self {
            rate,
            burst,
            tokens: burst,
            last: now,
        }
    }

    fn take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = self.last.max(now);
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sctp_raw::Ppid;

    use super::*;

    fn msg(stream: u16, ppid: u32, len: usize) -> Message {
        Message::new(stream, Ppid(ppid), vec![0u8; len])
    }

    fn rules(f: impl FnOnce(&mut ListenerConfig)) -> Rules {
        let mut c = ListenerConfig::new(vec!["198.18.0.1:3868".parse().unwrap()]);
        f(&mut c);
        Rules::new(&c)
    }

    #[test]
    fn ppid_allow_and_deny_lists() {
        let now = Instant::now();
        let r = rules(|c| c.allow_ppid = vec![46, 47]);
        let mut f = r.filter(now);
        assert_eq!(f.check(&r, &msg(0, 46, 10), now), Ok(()));
        assert_eq!(
            f.check(&r, &msg(0, 3, 10), now),
            Err(DropReason::PpidDenied)
        );
        let r = rules(|c| c.deny_ppid = vec![3]);
        let mut f = r.filter(now);
        assert_eq!(f.check(&r, &msg(0, 46, 10), now), Ok(()));
        assert_eq!(
            f.check(&r, &msg(0, 3, 10), now),
            Err(DropReason::PpidDenied)
        );
    }

    #[test]
    fn stream_allow_and_deny_lists_and_the_size_limit() {
        let now = Instant::now();
        let r = rules(|c| {
            c.allow_stream = vec![0, 1];
            c.max_message = 100;
        });
        let mut f = r.filter(now);
        assert_eq!(f.check(&r, &msg(1, 0, 100), now), Ok(()));
        assert_eq!(
            f.check(&r, &msg(2, 0, 10), now),
            Err(DropReason::StreamDenied)
        );
        assert_eq!(f.check(&r, &msg(0, 0, 101), now), Err(DropReason::TooLarge));
        let r = rules(|c| c.deny_stream = vec![5]);
        let mut f = r.filter(now);
        assert_eq!(
            f.check(&r, &msg(5, 0, 1), now),
            Err(DropReason::StreamDenied)
        );
        assert_eq!(f.check(&r, &msg(4, 0, 1), now), Ok(()));
    }

    #[test]
    fn the_rate_allows_a_burst_then_refills_at_the_rate() {
        let t0 = Instant::now();
        let r = rules(|c| {
            c.rate = Some(10.0);
            c.burst = Some(3.0);
        });
        let mut f = r.filter(t0);
        let m = msg(0, 0, 1);
        let passed = (0..10).filter(|_| f.check(&r, &m, t0).is_ok()).count();
        assert_eq!(passed, 3, "the burst");
        // 10 per second: one more every 100 ms, and refused ones take nothing.
        let t1 = t0 + Duration::from_millis(250);
        let passed = (0..10).filter(|_| f.check(&r, &m, t1).is_ok()).count();
        assert_eq!(passed, 2);
        // A long pause refills only up to the burst.
        let t2 = t1 + Duration::from_secs(60);
        let passed = (0..10).filter(|_| f.check(&r, &m, t2).is_ok()).count();
        assert_eq!(passed, 3);
    }

    #[test]
    fn a_message_refused_by_a_list_takes_no_token() {
        let t0 = Instant::now();
        let r = rules(|c| {
            c.rate = Some(1.0);
            c.deny_ppid = vec![9];
        });
        let mut f = r.filter(t0);
        assert_eq!(f.check(&r, &msg(0, 9, 1), t0), Err(DropReason::PpidDenied));
        assert_eq!(f.check(&r, &msg(0, 1, 1), t0), Ok(()));
        assert_eq!(f.check(&r, &msg(0, 1, 1), t0), Err(DropReason::RateLimited));
    }
}
