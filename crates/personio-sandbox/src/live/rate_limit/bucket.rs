//! A token bucket, pure: every operation takes the current time, so tests can freeze or
//! step it.

use std::time::Duration;

/// How a bucket fills: its size and how many tokens come back per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rate {
    pub capacity: u32,
    pub per_minute: u32,
}

impl Rate {
    /// `n` per second, with room for a second's worth at once.
    pub(crate) const fn per_second(n: u32) -> Rate {
        Rate {
            capacity: n,
            per_minute: n * 60,
        }
    }

    /// `n` per minute, all of which may come at once.
    pub(crate) const fn per_minute(n: u32) -> Rate {
        Rate {
            capacity: n,
            per_minute: n,
        }
    }

    fn per_second_f64(self) -> f64 {
        f64::from(self.per_minute) / 60.0
    }

    /// The `x-ratelimit-replenish-rate` value: whole tokens per second, at least 1.
    pub(crate) fn replenish_header(self) -> u64 {
        u64::from(self.per_minute / 60).max(1)
    }
}

/// Tokens at a moment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bucket {
    tokens: f64,
    at: Duration,
}

impl Bucket {
    pub(crate) fn full(rate: Rate, now: Duration) -> Bucket {
        Bucket {
            tokens: f64::from(rate.capacity),
            at: now,
        }
    }

    pub(crate) fn empty(now: Duration) -> Bucket {
        Bucket {
            tokens: 0.0,
            at: now,
        }
    }

    /// Adds what flowed in since the last look.
    pub(crate) fn refill(&mut self, rate: Rate, now: Duration) {
        let elapsed = now.saturating_sub(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate.per_second_f64()).min(f64::from(rate.capacity));
        self.at = self.at.max(now);
    }

    pub(crate) fn has_token(&self) -> bool {
        self.tokens >= 1.0
    }

    pub(crate) fn take(&mut self) {
        self.tokens -= 1.0;
    }

    /// Whole tokens left.
    pub(crate) fn remaining(&self) -> u64 {
        self.tokens.max(0.0).floor() as u64
    }

    pub(crate) fn is_full(&self, rate: Rate) -> bool {
        self.tokens >= f64::from(rate.capacity)
    }

    /// How long until the next whole token.
    pub(crate) fn wait_for_token(&self, rate: Rate) -> Duration {
        if self.has_token() {
            return Duration::ZERO;
        }
        Duration::from_secs_f64((1.0 - self.tokens) / rate.per_second_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_empties_and_refills_at_its_rate() {
        let rate = Rate::per_minute(60);
        let mut bucket = Bucket::full(rate, Duration::ZERO);
        for _ in 0..60 {
            assert!(bucket.has_token());
            bucket.take();
        }
        assert!(!bucket.has_token());
        assert_eq!(bucket.wait_for_token(rate), Duration::from_secs(1));
        bucket.refill(rate, Duration::from_millis(2500));
        assert_eq!(bucket.remaining(), 2);
        bucket.refill(rate, Duration::from_secs(3600));
        assert!(bucket.is_full(rate), "never above capacity");
        assert_eq!(bucket.remaining(), 60);
    }

    #[test]
    fn the_replenish_header_is_a_whole_number_of_at_least_one() {
        assert_eq!(Rate::per_minute(2000).replenish_header(), 33);
        assert_eq!(Rate::per_minute(20).replenish_header(), 1);
        assert_eq!(Rate::per_second(30).replenish_header(), 30);
    }
}
