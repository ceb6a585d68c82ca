//! Counts of what a client did, for sync summaries and benchmarks, and the latency of its
//! requests by route for Prometheus.

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

/// The latency of Personio API calls by route, shared by every client in the process (a
/// service's workers each have clients of their own; its `/metrics` shows them together).
pub mod latency {
    use std::collections::HashSet;
    use std::sync::LazyLock;
    use std::time::Duration;

    use parking_lot::Mutex;
    use prometheus_client::encoding::EncodeLabelSet;
    use prometheus_client::metrics::family::Family;
    use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
    use prometheus_client::registry::Registry;

    /// The metric's name (a histogram: `_bucket`, `_sum`, `_count`).
    pub const NAME: &str = "bridge_personio_request_duration_seconds";

    /// Distinct routes kept apart; any further ones count as `other` (paths passed through
    /// from API callers could otherwise make the label set grow without end).
    const MAX_ROUTES: usize = 200;

    #[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
    struct Labels {
        method: String,
        route: String,
    }

    type Latencies = Family<Labels, Histogram, fn() -> Histogram>;

    fn histogram() -> Histogram {
        // 10 ms to about 80 s.
        Histogram::new(exponential_buckets(0.01, 2.0, 14))
    }

    static LATENCIES: LazyLock<Latencies> =
        LazyLock::new(|| Family::new_with_constructor(histogram as fn() -> Histogram));
    static ROUTES: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(Mutex::default);

    /// Adds the histogram to `registry`.
    pub fn register(registry: &mut Registry) {
        registry.register(
            NAME,
            "Time from sending a request to Personio to reading its whole answer, by method and route (ids as {id}); each attempt counts",
            LATENCIES.clone(),
        );
    }

    /// Notes one exchange with Personio.
    pub(crate) fn observe(method: &str, path: &str, took: Duration) {
        let route = route(path);
        let route = {
            let mut routes = ROUTES.lock();
            if routes.contains(&route) || routes.len() < MAX_ROUTES {
                routes.insert(route.clone());
                route
            } else {
                "other".to_owned()
            }
        };
        LATENCIES
            .get_or_create(&Labels {
                method: method.to_owned(),
                route,
            })
            .observe(took.as_secs_f64());
    }

    /// A path with its ids replaced by `{id}`: a segment holding a digit, other than the
    /// version (`/v1/company/employees/42` is `/v1/company/employees/{id}`).
    pub fn route(path: &str) -> String {
        path.split('/')
            .enumerate()
            .map(|(n, segment)| {
                let version = n == 1 && matches!(segment, "v1" | "v2");
                if !version && segment.bytes().any(|b| b.is_ascii_digit()) {
                    "{id}"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn ids_become_placeholders_and_the_version_stays() {
            assert_eq!(
                route("/v1/company/employees/42"),
                "/v1/company/employees/{id}"
            );
            assert_eq!(route("/v2/persons"), "/v2/persons");
            assert_eq!(
                route("/v2/persons/a1b2c3/employments/9"),
                "/v2/persons/{id}/employments/{id}"
            );
            assert_eq!(route("/v1/auth"), "/v1/auth");
        }
    }
}
