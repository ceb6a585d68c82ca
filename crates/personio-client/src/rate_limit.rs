//! Pacing from Personio's rate-limit headers, so that a normal run never provokes a 429.
//!
//! Personio's v2 gateway is a token bucket per endpoint (ids in the path do not matter) and
//! every answer says where the bucket stands: `x-ratelimit-remaining`,
//! `x-ratelimit-replenish-rate` (tokens per second), `x-ratelimit-burst-capacity` and
//! `x-ratelimit-requested-tokens` (personio-api.md §5.1b, live-tested client, confidence M).
//! We keep a local copy of each bucket, refilled at the advertised rate, and book every
//! request against it before sending; when it is empty the request waits for the tokens it
//! needs. Bookings are shared by concurrent requests, so ten requests on an empty bucket
//! go one per token, not all at once. Answers correct the copy, never upwards of what we
//! booked. Endpoints that send no such headers (v1, as far as anyone knows) are not paced.
//!
//! `governor` was considered: it enforces a quota fixed in advance, while here the quota is
//! learnt from every answer, which a small bucket per endpoint does in a few lines.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use tokio::time::Instant;

/// What one answer's headers say about its bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Limits {
    /// Tokens left after this request.
    pub remaining: f64,
    /// Tokens added per second.
    pub rate: f64,
    /// The most tokens the bucket holds, when said.
    pub burst: Option<f64>,
    /// Tokens one request costs.
    pub cost: f64,
}

impl Limits {
    /// Reads the headers; `None` unless at least `remaining` and a positive rate are there.
    pub(crate) fn read(headers: &HeaderMap) -> Option<Limits> {
        let number = |name: &str| -> Option<f64> {
            let text = headers.get(name)?.to_str().ok()?;
            text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
        };
        let remaining = number("x-ratelimit-remaining").filter(|n| *n >= 0.0)?;
        let rate = number("x-ratelimit-replenish-rate").filter(|n| *n > 0.0)?;
        Some(Limits {
            remaining,
            rate,
            burst: number("x-ratelimit-burst-capacity").filter(|n| *n > 0.0),
            cost: number("x-ratelimit-requested-tokens")
                .filter(|n| *n > 0.0)
                .unwrap_or(1.0),
        })
    }

    /// How long one request's tokens take to come back.
    pub(crate) fn token_time(&self) -> Duration {
        Duration::from_secs_f64(self.cost / self.rate)
    }
}

/// `Retry-After` as seconds or as an HTTP date (RFC 9110 §10.2.3); a date in the past is no
/// wait at all.
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let at = DateTime::parse_from_rfc2822(text).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or_default())
}

/// The bucket an endpoint path belongs to: the path with ids (numbers, UUIDs) replaced.
pub(crate) fn bucket_key(path: &str) -> String {
    path.split('/')
        .map(|segment| if is_id(segment) { "{id}" } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

fn is_id(segment: &str) -> bool {
    let digits = !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit());
    let uuid = segment.len() == 36
        && segment.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    digits || uuid
}

/// Our copy of one bucket.
#[derive(Debug, Clone, PartialEq)]
struct Bucket {
    tokens: f64,
    rate: f64,
    burst: f64,
    cost: f64,
    at: Instant,
}

impl Bucket {
    fn new(limits: &Limits, now: Instant) -> Bucket {
        Bucket {
            tokens: limits.remaining,
            rate: limits.rate,
            burst: limits.burst.unwrap_or(limits.remaining).max(limits.cost),
            cost: limits.cost,
            at: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.at = self.at.max(now);
    }

    /// Books one request; returns how long it must wait first.
    fn book(&mut self, now: Instant) -> Duration {
        self.refill(now);
        let short = self.cost - self.tokens;
        self.tokens -= self.cost;
        if short > 0.0 {
            Duration::from_secs_f64(short / self.rate)
        } else {
            Duration::ZERO
        }
    }

    /// Takes in what an answer said: never more tokens than we think are left (requests we
    /// booked may not have reached Personio yet), nor more than Personio says.
    fn observe(&mut self, limits: &Limits, now: Instant) {
        self.refill(now);
        self.tokens = self.tokens.min(limits.remaining);
        self.rate = limits.rate;
        self.cost = limits.cost;
        self.burst = limits
            .burst
            .unwrap_or(self.burst.max(limits.remaining))
            .max(limits.cost);
    }
}

/// What a client knows of how fast it may go on one bucket, and how long answers take.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Pace {
    /// Requests per second the bucket admits, when Personio said.
    pub rate: Option<f64>,
    /// How long an answer takes, on average lately.
    pub latency: Option<Duration>,
}

impl Pace {
    /// How many requests should be in flight at once to go as fast as the bucket allows:
    /// its rate times the latency (one in flight per round trip), one more for the time
    /// between an answer and the next request, at most `most`. Answers that come at once
    /// need no more than one; a bucket without an advertised rate is bounded by `most`.
    pub fn in_flight(&self, most: usize) -> usize {
        const NEGLIGIBLE: Duration = Duration::from_millis(10);
        let most = most.max(1);
        match (self.rate, self.latency) {
            (_, None) => 1,
            (_, Some(latency)) if latency < NEGLIGIBLE => 1,
            (None, Some(_)) => most,
            (Some(rate), Some(latency)) => {
                let wanted = (rate * latency.as_secs_f64()).ceil() as usize + 1;
                wanted.clamp(1, most)
            }
        }
    }
}

/// Every bucket this client has heard of, shared by all its requests.
#[derive(Debug, Default)]
pub(crate) struct Pacer {
    state: Mutex<PacerState>,
}

#[derive(Debug, Default)]
struct PacerState {
    buckets: HashMap<String, Bucket>,
    /// How long answers take, per bucket and over all (a moving average).
    latency: HashMap<String, Duration>,
    any_latency: Option<Duration>,
    /// After a 429, nobody on the endpoint goes before this (with or without headers).
    holds: HashMap<String, Instant>,
}

impl Pacer {
    /// Books a request on `key`'s bucket; returns how long to wait before sending it.
    pub(crate) fn book(&self, key: &str, now: Instant) -> Duration {
        let mut state = self.state.lock();
        let for_tokens = match state.buckets.get_mut(key) {
            Some(bucket) => bucket.book(now),
            None => Duration::ZERO,
        };
        let for_hold = match state.holds.get(key) {
            Some(until) if *until > now => until.saturating_duration_since(now),
            Some(_) => {
                state.holds.remove(key);
                Duration::ZERO
            }
            None => Duration::ZERO,
        };
        for_tokens.max(for_hold)
    }

    /// Takes in an answer's rate-limit headers.
    pub(crate) fn observe(&self, key: &str, limits: &Limits, now: Instant) {
        let mut state = self.state.lock();
        match state.buckets.get_mut(key) {
            Some(bucket) => bucket.observe(limits, now),
            None => {
                state
                    .buckets
                    .insert(key.to_owned(), Bucket::new(limits, now));
            }
        }
    }

    /// Takes in how long one exchange on `key` took, answer read.
    pub(crate) fn took(&self, key: &str, took: Duration) {
        let mut state = self.state.lock();
        let average = |old: Option<Duration>| match old {
            // A moving average over about the last eight answers.
            Some(old) => old.mul_f64(0.875) + took.mul_f64(0.125),
            None => took,
        };
        let bucket = average(state.latency.get(key).copied());
        state.latency.insert(key.to_owned(), bucket);
        state.any_latency = Some(average(state.any_latency));
    }

    /// What this client knows of `key`'s bucket: its rate (requests per second, when
    /// Personio advertised one) and how long its answers take (any bucket's, if it has had
    /// none yet).
    pub(crate) fn pace(&self, key: &str) -> Pace {
        let state = self.state.lock();
        Pace {
            rate: state.buckets.get(key).map(|b| b.rate / b.cost),
            latency: state.latency.get(key).copied().or(state.any_latency),
        }
    }

    /// After a 429: holds every request on `key` until `until`.
    pub(crate) fn hold(&self, key: &str, until: Instant) {
        let mut state = self.state.lock();
        let held = state.holds.entry(key.to_owned()).or_insert(until);
        *held = (*held).max(until);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    const MS: Duration = Duration::from_millis(1);

    fn limits(remaining: f64, rate: f64) -> Limits {
        Limits {
            remaining,
            rate,
            burst: Some(5.0),
            cost: 1.0,
        }
    }

    #[test]
    fn headers_are_read_when_complete_enough() {
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("3"));
        assert_eq!(Limits::read(&headers), None, "a rate is needed");
        headers.insert("x-ratelimit-replenish-rate", HeaderValue::from_static("10"));
        headers.insert("x-ratelimit-burst-capacity", HeaderValue::from_static("20"));
        let read = Limits::read(&headers).unwrap();
        assert_eq!(read.remaining, 3.0);
        assert_eq!(read.burst, Some(20.0));
        assert_eq!(read.cost, 1.0);
        assert_eq!(read.token_time(), 100 * MS);
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("-1"));
        assert_eq!(Limits::read(&headers), None, "Spring's -1 means no limiter");
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers, now), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers, now), Some(7000 * MS));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:30 GMT"),
        );
        assert_eq!(retry_after(&headers, now), Some(30_000 * MS));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:27:00 GMT"),
        );
        assert_eq!(retry_after(&headers, now), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, now), None);
    }

    #[test]
    fn ids_are_normalized_out_of_bucket_keys() {
        assert_eq!(bucket_key("/v2/persons"), "/v2/persons");
        assert_eq!(
            bucket_key("/v2/persons/12345/employments/eb3f5858-0000-4000-8000-000000000000"),
            "/v2/persons/{id}/employments/{id}"
        );
        assert_eq!(
            bucket_key("/v1/company/employees/7/absences/balance"),
            "/v1/company/employees/{id}/absences/balance"
        );
    }

    #[test]
    fn an_unknown_bucket_never_waits() {
        let pacer = Pacer::default();
        assert_eq!(pacer.book("/v2/persons", Instant::now()), Duration::ZERO);
    }

    #[test]
    fn an_empty_bucket_spaces_requests_one_token_apart() {
        let pacer = Pacer::default();
        let t0 = Instant::now();
        pacer.observe("/v2/persons", &limits(0.0, 10.0), t0);
        // Three requests booked at the same instant go 100 ms apart.
        assert_eq!(pacer.book("/v2/persons", t0), 100 * MS);
        assert_eq!(pacer.book("/v2/persons", t0), 200 * MS);
        assert_eq!(pacer.book("/v2/persons", t0), 300 * MS);
        // Other endpoints are separate buckets.
        assert_eq!(pacer.book("/v2/org-units", t0), Duration::ZERO);
    }

    #[test]
    fn tokens_come_back_at_the_rate_up_to_the_burst() {
        let mut bucket = Bucket::new(&limits(0.0, 10.0), Instant::now());
        let later = bucket.at + 10_000 * MS;
        for _ in 0..5 {
            assert_eq!(bucket.book(later), Duration::ZERO);
        }
        assert_eq!(bucket.book(later), 100 * MS, "the burst caps the refill");
    }

    #[test]
    fn answers_never_raise_the_count_above_what_was_booked() {
        let t0 = Instant::now();
        let mut bucket = Bucket::new(&limits(2.0, 10.0), t0);
        bucket.book(t0);
        bucket.book(t0);
        // An answer sent before the second booking reached Personio still says 1 left.
        bucket.observe(&limits(1.0, 10.0), t0);
        assert_eq!(bucket.book(t0), 100 * MS);
        // Personio knows of requests we did not make (another client): its count wins.
        let mut bucket = Bucket::new(&limits(5.0, 10.0), t0);
        bucket.observe(&limits(0.0, 10.0), t0);
        assert_eq!(bucket.book(t0), 100 * MS);
    }

    #[test]
    fn requests_in_flight_follow_rate_times_latency() {
        let pace = |rate: Option<f64>, ms: Option<u32>| Pace {
            rate,
            latency: ms.map(|ms| ms * MS),
        };
        assert_eq!(
            pace(Some(10.0), Some(200)).in_flight(8),
            3,
            "2 per round trip, + 1"
        );
        assert_eq!(
            pace(Some(10.0), Some(1000)).in_flight(8),
            8,
            "at most the most"
        );
        assert_eq!(pace(Some(10.0), Some(1)).in_flight(8), 1, "instant answers");
        assert_eq!(pace(None, Some(200)).in_flight(6), 6, "no rate said");
        assert_eq!(pace(Some(10.0), None).in_flight(6), 1, "nothing measured");
        let pacer = Pacer::default();
        let t0 = Instant::now();
        pacer.observe("/v2/a", &limits(5.0, 10.0), t0);
        pacer.took("/v2/b", 100 * MS);
        let known = pacer.pace("/v2/a");
        assert_eq!(known.rate, Some(10.0));
        assert_eq!(
            known.latency,
            Some(100 * MS),
            "another bucket's latency stands in"
        );
        pacer.took("/v2/a", 300 * MS);
        assert_eq!(pacer.pace("/v2/a").latency, Some(300 * MS));
    }

    #[test]
    fn a_hold_delays_everyone_on_the_bucket() {
        let pacer = Pacer::default();
        let t0 = Instant::now();
        pacer.hold("/v2/persons", t0 + 1000 * MS);
        assert_eq!(pacer.book("/v2/persons", t0), 1000 * MS);
        assert_eq!(pacer.book("/v2/persons", t0 + 400 * MS), 600 * MS);
    }
}
