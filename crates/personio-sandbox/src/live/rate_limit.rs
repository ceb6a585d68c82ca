//! Personio's rate limits, counted the way Personio counts them (personio-api.md §5.1,
//! §5.1b), and the headers every v1 and v2 response carries.
//!
//! Design note. Each limit is a token bucket (capacity, refill per minute), keyed by client
//! IP or by company (a sandbox serves one company, so "per company" is one bucket). A
//! request must find a token in every bucket that applies to it; only then is one taken
//! from each. The headers describe the bucket with the fewest tokens left. Two limits punish
//! excess: `POST /v1/auth` refuses everything for 60 s once exceeded, and
//! `POST /v2/auth/token` then admits only 1 request per second for 60 s.
//!
//! Limits and keys (documented numbers; the keys and v2 rates other than persons and
//! absence periods are our choice where Personio publishes none):
//! - every v1 endpoint (recruiting too): 2000/min per client IP;
//! - `GET /v1/company/employees`: 300/min and at most 15/s, per company;
//! - `POST /v1/auth`: 60/min per IP, then a 60 s cool-down;
//! - `POST /v1/company/documents`: 60/min per company;
//! - `POST /v1/recruiting/applications` and `.../documents`: 20 per 60 s per company
//!   (`X-Company-ID`), then a 60 s cool-down;
//! - `POST /v2/auth/token`: 150/min per IP, then 1/s for 60 s;
//! - every other v2 endpoint: its own bucket per path with ids normalized to `{id}`:
//!   persons 30/s, absence and attendance periods and absence types 10/s, the rest 20/s,
//!   each holding one second's worth.
//!
//! The time the buckets see comes from a [`RateLimitClock`]: real by default, or manual,
//! so tests can count exactly how many requests pass.

mod bucket;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use personio_api::rate_limit::RateLimitHeaders;

use self::bucket::{Bucket, Rate};
use super::connection::Connection;
use super::is_admin;
use crate::error::{ApiError, ErrorKind, Family};
use crate::state::AppState;

/// Whether the sandbox enforces Personio's rate limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RateLimits {
    /// Personio's documented limits, with their headers (the default).
    #[default]
    Personio,
    /// No limits and no rate-limit headers.
    Off,
}

impl std::str::FromStr for RateLimits {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "personio" => Ok(RateLimits::Personio),
            "off" => Ok(RateLimits::Off),
            other => Err(format!(
                "unknown rate limits {other:?}: use personio or off"
            )),
        }
    }
}

/// The time rate limits see. Clones share one clock.
#[derive(Debug, Clone)]
pub struct RateLimitClock(Arc<ClockKind>);

#[derive(Debug)]
enum ClockKind {
    Real(Instant),
    /// Nanoseconds since start; moves only when advanced.
    Manual(AtomicU64),
}

impl RateLimitClock {
    /// Real time (the default).
    pub fn real() -> RateLimitClock {
        RateLimitClock(Arc::new(ClockKind::Real(Instant::now())))
    }

    /// A clock that stands still until [`advance`](Self::advance)d, for tests that count.
    pub fn manual() -> RateLimitClock {
        RateLimitClock(Arc::new(ClockKind::Manual(AtomicU64::new(0))))
    }

    /// Moves a manual clock forward; a real clock ignores this.
    pub fn advance(&self, by: Duration) {
        if let ClockKind::Manual(nanos) = &*self.0 {
            let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
            nanos.fetch_add(by, Ordering::Relaxed);
        }
    }

    fn now(&self) -> Duration {
        match &*self.0 {
            ClockKind::Real(start) => start.elapsed(),
            ClockKind::Manual(nanos) => Duration::from_nanos(nanos.load(Ordering::Relaxed)),
        }
    }
}

impl Default for RateLimitClock {
    fn default() -> Self {
        RateLimitClock::real()
    }
}

/// What follows when a limit is exceeded.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Penalty {
    None,
    /// Refuse everything for this long.
    CoolDown(Duration),
    /// Admit only at `rate` for this long.
    Throttle(Rate, Duration),
}

#[derive(Debug, Clone, Copy)]
struct Limit {
    rate: Rate,
    penalty: Penalty,
}

const MINUTE: Duration = Duration::from_secs(60);
const V1_PER_IP: Limit = Limit {
    rate: Rate::per_minute(2000),
    penalty: Penalty::None,
};
const V1_EMPLOYEES: Limit = Limit {
    rate: Rate::per_minute(300),
    penalty: Penalty::None,
};
const V1_EMPLOYEES_BURST: Limit = Limit {
    rate: Rate::per_second(15),
    penalty: Penalty::None,
};
const V1_AUTH: Limit = Limit {
    rate: Rate::per_minute(60),
    penalty: Penalty::CoolDown(MINUTE),
};
const V1_DOCUMENTS: Limit = Limit {
    rate: Rate::per_minute(60),
    penalty: Penalty::None,
};
const RECRUITING_APPLICATIONS: Limit = Limit {
    rate: Rate::per_minute(20),
    penalty: Penalty::CoolDown(MINUTE),
};
const V2_TOKEN: Limit = Limit {
    rate: Rate::per_minute(150),
    penalty: Penalty::Throttle(Rate::per_second(1), MINUTE),
};

/// Requests per second of a v2 endpoint, by its first path segment after `/v2/`.
fn v2_rate(resource: &str) -> Rate {
    match resource {
        // Observed live (personio-api.md §5.1b, M).
        "persons" => Rate::per_second(30),
        "absence-periods" => Rate::per_second(10),
        // Our choice: the other time endpoints as strict as absence periods.
        "attendance-periods" | "absence-types" => Rate::per_second(10),
        _ => Rate::per_second(20),
    }
}

/// `/v2/persons/123/employments/9f...` → `/v2/persons/{id}/employments/{id}`.
fn normalize(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            let is_id = (!segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()))
                || uuid::Uuid::try_parse(segment).is_ok();
            if is_id { "{id}" } else { segment }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The buckets a request draws from, each with its key.
fn limits_for(method: &Method, path: &str, ip: &str, headers: &HeaderMap) -> Vec<(String, Limit)> {
    let mut limits = Vec::new();
    match Family::of(path) {
        Family::V1 | Family::Recruiting | Family::LegacyRecruiting | Family::CustomReports => {
            limits.push((format!("v1 ip {ip}"), V1_PER_IP));
            let post = method == Method::POST;
            match path.trim_end_matches('/') {
                "/v1/company/employees" if method == Method::GET => {
                    limits.push(("GET /v1/company/employees".into(), V1_EMPLOYEES));
                    limits.push(("GET /v1/company/employees burst".into(), V1_EMPLOYEES_BURST));
                }
                "/v1/auth" if post => limits.push((format!("POST /v1/auth ip {ip}"), V1_AUTH)),
                "/v1/company/documents" if post => {
                    limits.push(("POST /v1/company/documents".into(), V1_DOCUMENTS));
                }
                "/v1/recruiting/applications" | "/v1/recruiting/applications/documents" if post => {
                    let company = headers
                        .get("x-company-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .trim();
                    limits.push((
                        format!("recruiting applications company {company}"),
                        RECRUITING_APPLICATIONS,
                    ));
                }
                _ => {}
            }
        }
        Family::OAuth
            if method == Method::POST && path.trim_end_matches('/') == "/v2/auth/token" =>
        {
            limits.push((format!("POST /v2/auth/token ip {ip}"), V2_TOKEN));
        }
        Family::V2 | Family::OAuth | Family::ReportsV2 => {
            let resource = path
                .trim_start_matches("/v2/")
                .split('/')
                .next()
                .unwrap_or("");
            limits.push((
                normalize(path.trim_end_matches('/')),
                Limit {
                    rate: v2_rate(resource),
                    penalty: Penalty::None,
                },
            ));
        }
        Family::Admin => {}
    }
    limits
}

/// The least time Personio's limits (as this sandbox counts them) allow for some requests,
/// in seconds: for each bucket, the requests beyond what it holds when full, at its rate;
/// buckets drain side by side, so the slowest one is the bound. `requests` are counts per
/// route as the request log gives them (`"GET /v2/persons/{id}"`), all from one client.
pub fn bound_seconds<'a>(requests: impl IntoIterator<Item = (&'a str, u64)>) -> f64 {
    let mut per_bucket: HashMap<String, (Rate, u64)> = HashMap::new();
    for (route, count) in requests {
        let Some((method, path)) = route.split_once(' ') else {
            continue;
        };
        let Ok(method) = method.parse::<Method>() else {
            continue;
        };
        for (key, limit) in limits_for(&method, path, "client", &HeaderMap::new()) {
            per_bucket.entry(key).or_insert((limit.rate, 0)).1 += count;
        }
    }
    per_bucket
        .values()
        .map(|(rate, count)| {
            let beyond = count.saturating_sub(u64::from(rate.capacity));
            beyond as f64 * 60.0 / f64::from(rate.per_minute.max(1))
        })
        .fold(0.0, f64::max)
}

/// A bucket and, after an excess, the penalty in force.
#[derive(Debug, Clone, Copy)]
struct Slot {
    rate: Rate,
    bucket: Bucket,
    until: Option<Duration>,
    /// While throttled: the slow bucket that admits requests.
    throttle: Option<Bucket>,
}

/// The outcome for one request.
#[derive(Debug, Clone, Copy)]
struct Verdict {
    allowed: bool,
    headers: Option<RateLimitHeaders>,
    /// Whole seconds until a retry can pass (refusals only).
    retry_after: u64,
}

/// Past this many buckets, full ones are forgotten (they are recreated full on demand).
const MAX_BUCKETS: usize = 10_000;

/// Every bucket of the sandbox.
pub(crate) struct RateLimiter {
    mode: RateLimits,
    clock: RateLimitClock,
    buckets: Mutex<HashMap<String, Slot>>,
}

impl RateLimiter {
    pub(crate) fn new(mode: RateLimits, clock: RateLimitClock) -> RateLimiter {
        RateLimiter {
            mode,
            clock,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn check(&self, limits: &[(String, Limit)]) -> Verdict {
        let now = self.clock.now();
        let mut buckets = self.buckets.lock();
        if buckets.len() > MAX_BUCKETS {
            buckets.retain(|_, slot| {
                slot.bucket.refill(slot.rate, now);
                slot.until.is_some() || !slot.bucket.is_full(slot.rate)
            });
        }
        // Bring every bucket up to date and find those that refuse.
        let mut refused: Option<(usize, Duration)> = None;
        for (i, (key, limit)) in limits.iter().enumerate() {
            let state = buckets.entry(key.clone()).or_insert_with(|| Slot {
                rate: limit.rate,
                bucket: Bucket::full(limit.rate, now),
                until: None,
                throttle: None,
            });
            state.bucket.refill(limit.rate, now);
            if state.until.is_some_and(|until| until <= now) {
                state.until = None;
                state.throttle = None;
            }
            let wait = match (limit.penalty, state.until, &mut state.throttle) {
                (Penalty::CoolDown(_), Some(until), _) => Some(until - now),
                (Penalty::Throttle(slow, _), Some(_), Some(throttle)) => {
                    throttle.refill(slow, now);
                    (!throttle.has_token()).then(|| throttle.wait_for_token(slow))
                }
                _ => (!state.bucket.has_token()).then(|| state.bucket.wait_for_token(limit.rate)),
            };
            if let Some(wait) = wait {
                let longest = refused.map_or(wait, |(_, w)| w.max(wait));
                refused = Some((refused.map_or(i, |(first, _)| first), longest));
            }
        }
        if let Some((first, wait)) = refused {
            // Start the penalties of the limits that were just exceeded.
            for (key, limit) in limits {
                let Some(state) = buckets.get_mut(key) else {
                    continue;
                };
                if state.until.is_some() || state.bucket.has_token() {
                    continue;
                }
                match limit.penalty {
                    Penalty::None => {}
                    Penalty::CoolDown(length) => state.until = Some(now + length),
                    Penalty::Throttle(_, length) => {
                        state.until = Some(now + length);
                        state.throttle = Some(Bucket::empty(now));
                    }
                }
            }
            let (key, limit) = &limits[first];
            let rate = match (limit.penalty, buckets.get(key).and_then(|s| s.throttle)) {
                (Penalty::Throttle(slow, _), Some(_)) => slow,
                _ => limit.rate,
            };
            let wait = match (limit.penalty, buckets.get(key).and_then(|s| s.until)) {
                (Penalty::CoolDown(_), Some(until)) => wait.max(until - now),
                _ => wait,
            };
            return Verdict {
                allowed: false,
                headers: Some(headers(rate, 0)),
                retry_after: wait.as_secs_f64().ceil().max(1.0) as u64,
            };
        }
        // Every bucket has a token: take one from each; report the tightest.
        let mut tightest: Option<RateLimitHeaders> = None;
        for (key, limit) in limits {
            let Some(state) = buckets.get_mut(key) else {
                continue;
            };
            let (rate, remaining) = match (limit.penalty, state.throttle.as_mut()) {
                // While throttled only the slow bucket counts; the main one refills meanwhile.
                (Penalty::Throttle(slow, _), Some(throttle)) => {
                    throttle.take();
                    (slow, throttle.remaining())
                }
                _ => {
                    state.bucket.take();
                    (limit.rate, state.bucket.remaining())
                }
            };
            if tightest.is_none_or(|t| remaining < t.remaining) {
                tightest = Some(headers(rate, remaining));
            }
        }
        Verdict {
            allowed: true,
            headers: tightest,
            retry_after: 0,
        }
    }
}

fn headers(rate: Rate, remaining: u64) -> RateLimitHeaders {
    RateLimitHeaders {
        burst_capacity: u64::from(rate.capacity),
        replenish_rate: rate.replenish_header(),
        requested_tokens: 1,
        remaining,
    }
}

fn write_headers(response: &mut Response, values: RateLimitHeaders) {
    for (name, value) in values.pairs() {
        response
            .headers_mut()
            .insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
}

/// Middleware: admits or refuses a Personio request and labels the answer.
pub(crate) async fn enforce(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let limiter = &app.live.limits;
    let path = request.uri().path();
    if limiter.mode == RateLimits::Off || is_admin(path) {
        return next.run(request).await;
    }
    let family = Family::of(path);
    let ip = request
        .extensions()
        .get::<ConnectInfo<Connection>>()
        .map_or_else(|| "unknown".to_owned(), |info| ip_key(info.0.peer.ip()));
    let limits = limits_for(request.method(), path, &ip, request.headers());
    let verdict = limiter.check(&limits);
    let v1_like = matches!(family, Family::V1 | Family::Recruiting);
    // Recruiting answers carry no bucket headers: its 20-per-minute rate has no honest
    // whole-number-per-second form.
    let labelled = family != Family::Recruiting;
    if !verdict.allowed {
        tracing::debug!(path, "rate limit exceeded");
        let mut response = ApiError::new(family, ErrorKind::RateLimited).into_response();
        if let (true, Some(values)) = (labelled, verdict.headers) {
            write_headers(&mut response, values);
        }
        if v1_like {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(verdict.retry_after));
        }
        return response;
    }
    let mut response = next.run(request).await;
    if let (true, Some(mut values)) = (labelled, verdict.headers) {
        // A 429 from further in (a planned fault) reports an empty bucket.
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            values.remaining = 0;
        }
        write_headers(&mut response, values);
    }
    response
}

fn ip_key(ip: IpAddr) -> String {
    ip.to_canonical().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter() -> (RateLimiter, RateLimitClock) {
        let clock = RateLimitClock::manual();
        (RateLimiter::new(RateLimits::Personio, clock.clone()), clock)
    }

    fn run(limiter: &RateLimiter, method: Method, path: &str, n: usize) -> Vec<Verdict> {
        let limits = limits_for(&method, path, "127.0.0.1", &HeaderMap::new());
        (0..n).map(|_| limiter.check(&limits)).collect()
    }

    fn allowed(verdicts: &[Verdict]) -> usize {
        verdicts.iter().filter(|v| v.allowed).count()
    }

    #[test]
    fn ids_are_normalized_away() {
        assert_eq!(
            normalize("/v2/persons/123/employments/9f1c1b0e-6a1f-4e38-9d2b-0c3a2b1d4e5f"),
            "/v2/persons/{id}/employments/{id}"
        );
        assert_eq!(normalize("/v2/persons"), "/v2/persons");
    }

    #[test]
    fn v1_employees_allow_a_burst_of_15_then_5_per_second_up_to_300_a_minute() {
        let (limiter, clock) = limiter();
        let first = run(&limiter, Method::GET, "/v1/company/employees", 20);
        assert_eq!(allowed(&first), 15);
        assert_eq!(first[0].headers.unwrap().burst_capacity, 15);
        assert_eq!(first[0].headers.unwrap().remaining, 14);
        assert_eq!(first[15].retry_after, 1);
        // A minute of 15 per second drains the 300 a minute allows, refill included.
        let mut passed = 15;
        for _ in 0..60 {
            clock.advance(Duration::from_secs(1));
            passed += allowed(&run(&limiter, Method::GET, "/v1/company/employees", 15));
        }
        assert_eq!(passed, 300 + 60 * 5, "300 at once, then 5 per second");
    }

    #[test]
    fn v1_auth_cools_down_for_a_minute_once_exceeded() {
        let (limiter, clock) = limiter();
        assert_eq!(allowed(&run(&limiter, Method::POST, "/v1/auth", 65)), 60);
        clock.advance(Duration::from_secs(59));
        let refused = run(&limiter, Method::POST, "/v1/auth", 1);
        assert!(
            !refused[0].allowed,
            "still cooling down although tokens came back"
        );
        assert_eq!(refused[0].retry_after, 1);
        clock.advance(Duration::from_secs(1));
        assert!(run(&limiter, Method::POST, "/v1/auth", 1)[0].allowed);
    }

    #[test]
    fn the_v2_token_endpoint_admits_one_per_second_for_a_minute_once_exceeded() {
        let (limiter, clock) = limiter();
        assert_eq!(
            allowed(&run(&limiter, Method::POST, "/v2/auth/token", 155)),
            150
        );
        for _ in 0..59 {
            clock.advance(Duration::from_secs(1));
            assert_eq!(
                allowed(&run(&limiter, Method::POST, "/v2/auth/token", 3)),
                1
            );
        }
        clock.advance(Duration::from_secs(1));
        assert!(allowed(&run(&limiter, Method::POST, "/v2/auth/token", 3)) == 3);
    }

    #[test]
    fn v2_endpoints_have_their_own_buckets() {
        let (limiter, _clock) = limiter();
        assert_eq!(allowed(&run(&limiter, Method::GET, "/v2/persons", 35)), 30);
        assert_eq!(allowed(&run(&limiter, Method::GET, "/v2/persons/7", 2)), 2);
        assert_eq!(
            allowed(&run(&limiter, Method::GET, "/v2/absence-periods", 12)),
            10
        );
        assert_eq!(
            allowed(&run(&limiter, Method::GET, "/v2/org-units", 25)),
            20
        );
    }

    #[test]
    fn every_v1_endpoint_shares_the_per_ip_minute() {
        let (limiter, _clock) = limiter();
        let mut passed = 0;
        for id in 0..2010 {
            passed += allowed(&run(
                &limiter,
                Method::GET,
                &format!("/v1/company/employees/{id}"),
                1,
            ));
        }
        assert_eq!(passed, 2000);
    }

    #[test]
    fn the_bound_is_the_slowest_bucket_beyond_its_burst() {
        // 110 attendance pages: 10 at once, 100 at 10/s; 60 persons pages fit 30 + 30 at 30/s.
        let bound = bound_seconds([
            ("GET /v2/attendance-periods", 110),
            ("GET /v2/persons", 60),
            ("POST /v2/auth/token", 1),
        ]);
        assert!((bound - 10.0).abs() < 1e-9, "{bound}");
        // v1 employees: 300 a minute, all at once; 600 take a minute more.
        let bound = bound_seconds([("GET /v1/company/employees", 600)]);
        assert!((bound - 60.0).abs() < 1e-9, "{bound}");
        assert_eq!(bound_seconds([("GET /v2/absence-types", 3)]), 0.0);
    }
}
