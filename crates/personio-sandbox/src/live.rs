//! What makes the sandbox behave like a running Personio rather than a still picture: a
//! request log, planned faults, rate limits, webhooks with their deliveries, and the
//! passage of time. Each part has its own module; this one holds their shared state, the
//! order of their middleware, and the background tasks a serving sandbox owns.

pub(crate) mod connection;
pub(crate) mod drain;
pub(crate) mod faults;
pub(crate) mod latency;
pub(crate) mod rate_limit;
pub(crate) mod requests;
pub(crate) mod simulation;
pub(crate) mod webhooks;

use std::time::Duration;

use axum::Router;
use axum::middleware::from_fn_with_state;
use tokio::task::JoinSet;

use crate::state::AppState;

/// The live parts of the sandbox's state.
pub(crate) struct Live {
    pub requests: requests::RequestLog,
    pub faults: faults::Faults,
    pub latency: latency::Latencies,
    pub limits: rate_limit::RateLimiter,
    pub webhooks: webhooks::Webhooks,
    /// Seeds simulated change, together with each simulated day.
    pub seed: u64,
    /// Simulate one day this often while serving.
    pub simulate_every: Option<Duration>,
}

/// Whether a path belongs to our own admin API, which the live parts leave alone.
pub(crate) fn is_admin(path: &str) -> bool {
    path == "/_sandbox" || path.starts_with("/_sandbox/")
}

/// Wraps the routes: the request log sees every answer, the rate limiter runs before a
/// planned fault (a gateway stands in front of Personio's services), the latency of the
/// service behind the gateway comes next, and faults run last.
pub(crate) fn layers(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    router
        .layer(from_fn_with_state(state.clone(), faults::inject))
        .layer(from_fn_with_state(state.clone(), latency::delay))
        .layer(from_fn_with_state(state.clone(), rate_limit::enforce))
        .layer(from_fn_with_state(state.clone(), requests::record))
}

/// Starts what runs beside the server: webhook delivery, and periodic simulation when
/// asked for. Dropping or shutting down the set stops them.
pub(crate) fn spawn_tasks(state: &AppState) -> JoinSet<()> {
    let mut tasks = JoinSet::new();
    tasks.spawn(webhooks::delivery::run(state.clone()));
    if let Some(every) = state.live.simulate_every {
        tasks.spawn(simulation::run_every(state.clone(), every));
    }
    tasks
}

/// The builder's settings for the live parts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    rate_limits: rate_limit::RateLimits,
    rate_limit_clock: rate_limit::RateLimitClock,
    faults: Option<faults::FaultPlan>,
    latency: Option<latency::Latency>,
    webhook_retry_scale: Option<f64>,
    simulate_every: Option<Duration>,
}

/// Shortest `simulate_every`: a day per tenth of a second is already a blur.
const MIN_SIMULATE_EVERY: Duration = Duration::from_millis(100);

impl Settings {
    pub(crate) fn build(
        self,
        seed: u64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Live, String> {
        let schedule = match self.webhook_retry_scale {
            None => webhooks::delivery::Schedule::default(),
            Some(scale) => webhooks::delivery::Schedule::scaled(scale).ok_or_else(|| {
                format!("webhook_retry_scale must be between 0 and 1000, not {scale}")
            })?,
        };
        if let Some(every) = self.simulate_every.filter(|e| *e < MIN_SIMULATE_EVERY) {
            return Err(format!(
                "simulate_every must be at least {MIN_SIMULATE_EVERY:?}, not {every:?}"
            ));
        }
        let live = Live {
            requests: requests::RequestLog::new(now),
            faults: faults::Faults::default(),
            latency: latency::Latencies::new(self.latency.unwrap_or_default(), seed),
            limits: rate_limit::RateLimiter::new(self.rate_limits, self.rate_limit_clock),
            webhooks: webhooks::Webhooks::new(schedule),
            seed,
            simulate_every: self.simulate_every,
        };
        if let Some(plan) = self.faults {
            live.faults.set(plan);
        }
        Ok(live)
    }
}

impl crate::SandboxBuilder {
    /// Personio's rate limits (the default) or none.
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.live.rate_limits = limits;
        self
    }

    /// The time rate limits see (default: real time). A [`RateLimitClock::manual`] clock
    /// lets tests count exactly how many requests pass.
    pub fn rate_limit_clock(mut self, clock: RateLimitClock) -> Self {
        self.live.rate_limit_clock = clock;
        self
    }

    /// A fault plan in force from the start (as `PUT /_sandbox/faults` sets one later).
    pub fn faults(mut self, plan: FaultPlan) -> Self {
        self.live.faults = Some(plan);
        self
    }

    /// Delays every answer of the Personio API (never `/_sandbox/`) as the spec says (as
    /// `PUT /_sandbox/latency` sets it later); ranges draw from the sandbox's seed.
    pub fn latency(mut self, latency: Latency) -> Self {
        self.live.latency = Some(latency);
        self
    }

    /// Multiplies the waits between webhook delivery retries (1.0 = Personio's pace, from
    /// a minute up to two days); tests use tiny factors to retry within milliseconds.
    pub fn webhook_retry_scale(mut self, scale: f64) -> Self {
        self.live.webhook_retry_scale = Some(scale);
        self
    }

    /// Simulates one day of change at this interval while serving (at least 100 ms).
    pub fn simulate_every(mut self, every: Duration) -> Self {
        self.live.simulate_every = Some(every);
        self
    }
}

pub use faults::FaultPlan;
pub use latency::{Delay, Latency};
pub use rate_limit::{RateLimitClock, RateLimits, bound_seconds};
