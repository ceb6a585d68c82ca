//! Rate-limit response headers, as Personio's gateway sends them (a token bucket per
//! endpoint; personio-api.md §5.1b, research finding 7, confidence M).
//!
//! Every v1 and v2 response carries the four `x-ratelimit-*` headers. A v1 429 adds
//! `Retry-After` in whole seconds; a v2 429 carries none (as a live-tested client saw).

/// Size of the bucket: how many requests may come at once.
pub const BURST_CAPACITY: &str = "x-ratelimit-burst-capacity";
/// Tokens added back per second (a whole number, at least 1).
pub const REPLENISH_RATE: &str = "x-ratelimit-replenish-rate";
/// Tokens the request cost (1).
pub const REQUESTED_TOKENS: &str = "x-ratelimit-requested-tokens";
/// Tokens left after the request.
pub const REMAINING: &str = "x-ratelimit-remaining";
/// Seconds to wait after a v1 429.
pub const RETRY_AFTER: &str = "retry-after";

/// The four `x-ratelimit-*` values of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitHeaders {
    pub burst_capacity: u64,
    pub replenish_rate: u64,
    pub requested_tokens: u64,
    pub remaining: u64,
}

impl RateLimitHeaders {
    /// Reads the headers through `get` (header name → value); `None` unless all four are
    /// present and numeric.
    pub fn read<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Option<RateLimitHeaders> {
        let number = |name: &str| get(name)?.trim().parse::<u64>().ok();
        Some(RateLimitHeaders {
            burst_capacity: number(BURST_CAPACITY)?,
            replenish_rate: number(REPLENISH_RATE)?,
            requested_tokens: number(REQUESTED_TOKENS)?,
            remaining: number(REMAINING)?,
        })
    }

    /// `(name, value)` pairs to write.
    pub fn pairs(&self) -> [(&'static str, u64); 4] {
        [
            (BURST_CAPACITY, self.burst_capacity),
            (REPLENISH_RATE, self.replenish_rate),
            (REQUESTED_TOKENS, self.requested_tokens),
            (REMAINING, self.remaining),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_read_back_what_was_written() {
        let headers = RateLimitHeaders {
            burst_capacity: 30,
            replenish_rate: 30,
            requested_tokens: 1,
            remaining: 29,
        };
        let pairs: Vec<(String, String)> = headers
            .pairs()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let read = RateLimitHeaders::read(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        });
        assert_eq!(read, Some(headers));
        assert_eq!(RateLimitHeaders::read(|_| None), None);
    }
}
