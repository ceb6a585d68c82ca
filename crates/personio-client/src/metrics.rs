//! Counts of what a client did, for sync summaries and benchmarks.

use std::sync::atomic::{AtomicU64, Ordering};

/// What a [`Client`](crate::Client) did so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Metrics {
    /// Every HTTP request sent, token requests and retries included.
    pub requests: u64,
    /// Requests sent again because the one before failed in a way worth retrying.
    pub retries: u64,
    /// 429 answers received.
    pub rate_limited: u64,
    /// Token requests (`/v1/auth`, `/v2/auth/token`), included in `requests`.
    pub token_requests: u64,
    /// Response body bytes received.
    pub bytes_received: u64,
}

/// The live counters behind [`Metrics`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub rate_limited: AtomicU64,
    pub token_requests: AtomicU64,
    pub bytes_received: AtomicU64,
}

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> Metrics {
        let read = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Metrics {
            requests: read(&self.requests),
            retries: read(&self.retries),
            rate_limited: read(&self.rate_limited),
            token_requests: read(&self.token_requests),
            bytes_received: read(&self.bytes_received),
        }
    }
}
