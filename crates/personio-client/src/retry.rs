//! When to try a request again, and after how long.
//!
//! [`decide`] is pure: it looks only at the policy, the attempt and what happened, so the
//! whole retry behaviour is a table in the tests below. Retried: 429 (always: Personio
//! refused the request, so repeating it is safe), 5xx except 501, timeouts, broken
//! connections, truncated bodies and invalid JSON in a 2xx body (those four are ambiguous,
//! so only for idempotent requests). Not retried: connection refused or DNS failures (nothing
//! is listening; retrying only delays the message) and every other 4xx.
//!
//! Waits: Personio's `Retry-After` wins when present; a 429 without it waits at least
//! `rate_limit_wait` (Personio asks for "retry ≥ 1 s", personio-api.md §2.2) or one token's
//! time; everything else backs off exponentially from `backoff_base`, plus jitter.

use std::time::Duration;

use reqwest::StatusCode;

/// How hard to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    /// Attempts in total, the first included (at least 1).
    pub max_attempts: u32,
    /// First backoff; doubles with each attempt.
    pub backoff_base: Duration,
    /// The longest backoff we compute ourselves.
    pub backoff_max: Duration,
    /// The least wait after a 429 that names none.
    pub rate_limit_wait: Duration,
    /// A `Retry-After` longer than this is not waited for: the request fails instead.
    pub max_wait: Duration,
}

impl RetryPolicy {
    /// `backoff_base * 2^attempt`, capped at `backoff_max`.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX);
        self.backoff_base
            .saturating_mul(factor)
            .min(self.backoff_max)
    }
}

/// One try of a request: its number (0 for the first) and whether repeating it is safe when
/// we cannot know if Personio acted on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Attempt {
    pub number: u32,
    pub idempotent: bool,
}

/// What one attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A 2xx with a usable body.
    Success,
    /// A non-2xx answer other than 429, with Personio's `Retry-After` if it sent one.
    Status {
        status: StatusCode,
        retry_after: Option<Duration>,
    },
    /// A 429. `token_time` is how long one request's tokens take to come back, when the
    /// rate-limit headers say.
    RateLimited {
        retry_after: Option<Duration>,
        token_time: Option<Duration>,
    },
    /// No answer in time.
    Timeout,
    /// Could not connect at all (refused, DNS, TLS).
    Unreachable,
    /// The connection broke before or while the answer came (reset, truncated body).
    Broken,
    /// A 2xx whose body should be JSON and is not.
    InvalidJson,
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Keep the answer.
    Accept,
    /// Try again after `after`; `jitter` adds up to a quarter more, so clients that failed
    /// together do not retry together. Waits Personio named are exact.
    Retry { after: Duration, jitter: bool },
    /// Stop and report the outcome.
    GiveUp,
}

/// Decides what follows `attempt`, which ended in `outcome`.
pub(crate) fn decide(policy: &RetryPolicy, attempt: Attempt, outcome: &Outcome) -> Decision {
    let backoff = Decision::Retry {
        after: policy.backoff(attempt.number),
        jitter: true,
    };
    match *outcome {
        Outcome::Success => Decision::Accept,
        _ if attempt.number + 1 >= policy.max_attempts => Decision::GiveUp,
        Outcome::RateLimited {
            retry_after: Some(wait),
            ..
        } => named_wait(policy, wait),
        Outcome::RateLimited {
            retry_after: None,
            token_time,
        } => Decision::Retry {
            after: policy
                .backoff(attempt.number)
                .max(policy.rate_limit_wait)
                .max(token_time.unwrap_or_default()),
            jitter: true,
        },
        Outcome::Status { status, .. } if !attempt.idempotent || !retryable_status(status) => {
            Decision::GiveUp
        }
        Outcome::Status {
            retry_after: Some(wait),
            ..
        } => named_wait(policy, wait),
        Outcome::Status { .. } => backoff,
        Outcome::Timeout | Outcome::Broken | Outcome::InvalidJson if attempt.idempotent => backoff,
        Outcome::Timeout | Outcome::Broken | Outcome::InvalidJson | Outcome::Unreachable => {
            Decision::GiveUp
        }
    }
}

fn named_wait(policy: &RetryPolicy, wait: Duration) -> Decision {
    if wait > policy.max_wait {
        Decision::GiveUp
    } else {
        Decision::Retry {
            after: wait,
            jitter: false,
        }
    }
}

/// 5xx that may pass: not 501, which says the endpoint will never work.
fn retryable_status(status: StatusCode) -> bool {
    status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED
}

/// `after`, plus up to a quarter more when `jitter` asks for it.
pub(crate) fn with_jitter(after: Duration, jitter: bool) -> Duration {
    if !jitter || after.is_zero() {
        return after;
    }
    let extra = after.as_secs_f64() / 4.0 * rand::random_range(0.0..=1.0);
    after + Duration::from_secs_f64(extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            backoff_base: 100 * MS,
            backoff_max: 1000 * MS,
            rate_limit_wait: 1000 * MS,
            max_wait: 60_000 * MS,
        }
    }

    fn get(number: u32) -> Attempt {
        Attempt {
            number,
            idempotent: true,
        }
    }

    fn post(number: u32) -> Attempt {
        Attempt {
            number,
            idempotent: false,
        }
    }

    fn status(code: u16, retry_after: Option<Duration>) -> Outcome {
        Outcome::Status {
            status: StatusCode::from_u16(code).unwrap(),
            retry_after,
        }
    }

    fn retry(ms: u32, jitter: bool) -> Decision {
        Decision::Retry {
            after: ms * MS,
            jitter,
        }
    }

    #[test]
    fn decisions_follow_the_table() {
        use Decision::{Accept, GiveUp};
        let limited = |retry_after, token_time| Outcome::RateLimited {
            retry_after,
            token_time,
        };
        let table: Vec<(&str, Attempt, Outcome, Decision)> = vec![
            ("success is kept", get(0), Outcome::Success, Accept),
            (
                "success on the last attempt is kept",
                get(3),
                Outcome::Success,
                Accept,
            ),
            ("503 backs off", get(0), status(503, None), retry(100, true)),
            (
                "backoff doubles",
                get(2),
                status(500, None),
                retry(400, true),
            ),
            ("attempts run out", get(3), status(502, None), GiveUp),
            ("501 is final", get(0), status(501, None), GiveUp),
            ("404 is final", get(0), status(404, None), GiveUp),
            ("400 is final", get(0), status(400, None), GiveUp),
            (
                "retry-after on a 503 wins",
                get(0),
                status(503, Some(3 * MS)),
                retry(3, false),
            ),
            (
                "a POST is not repeated after a 500",
                post(0),
                status(500, None),
                GiveUp,
            ),
            (
                "a 429 names its wait",
                get(0),
                limited(Some(2000 * MS), None),
                retry(2000, false),
            ),
            (
                "a POST is repeated after a 429",
                post(0),
                limited(Some(5 * MS), None),
                retry(5, false),
            ),
            (
                "a 429 without a wait waits the floor",
                get(0),
                limited(None, None),
                retry(1000, true),
            ),
            (
                "or one token's time if longer",
                get(0),
                limited(None, Some(1500 * MS)),
                retry(1500, true),
            ),
            (
                "too long a wait is not waited",
                get(0),
                limited(Some(120_000 * MS), None),
                GiveUp,
            ),
            (
                "the last attempt gives up",
                get(3),
                limited(None, None),
                GiveUp,
            ),
            (
                "timeouts back off",
                get(1),
                Outcome::Timeout,
                retry(200, true),
            ),
            (
                "broken connections back off",
                get(0),
                Outcome::Broken,
                retry(100, true),
            ),
            (
                "invalid JSON backs off",
                get(0),
                Outcome::InvalidJson,
                retry(100, true),
            ),
            (
                "a POST is not repeated after a timeout",
                post(0),
                Outcome::Timeout,
                GiveUp,
            ),
            (
                "a POST is not repeated after a break",
                post(0),
                Outcome::Broken,
                GiveUp,
            ),
            (
                "nothing listening is final",
                get(0),
                Outcome::Unreachable,
                GiveUp,
            ),
        ];
        for (case, attempt, outcome, expected) in table {
            assert_eq!(decide(&policy(), attempt, &outcome), expected, "{case}");
        }
    }

    #[test]
    fn backoff_is_capped_and_never_overflows() {
        let policy = RetryPolicy {
            max_attempts: 100,
            ..policy()
        };
        assert_eq!(policy.backoff(3), 800 * MS);
        assert_eq!(policy.backoff(4), 1000 * MS);
        assert_eq!(policy.backoff(u32::MAX), 1000 * MS);
    }

    #[test]
    fn jitter_only_adds_and_by_at_most_a_quarter() {
        for _ in 0..100 {
            let waited = with_jitter(400 * MS, true);
            assert!(waited >= 400 * MS && waited <= 500 * MS, "{waited:?}");
        }
        assert_eq!(with_jitter(400 * MS, false), 400 * MS);
    }
}
