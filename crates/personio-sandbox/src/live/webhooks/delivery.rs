//! Delivering changes to webhooks, as Personio promises (personio-api.md §3.11, B.4).
//!
//! A task owned by the serving sandbox reads `company.changes` as they are recorded, and
//! for every enabled webhook that subscribed to an event POSTs `{"company_id",
//! "event_name", "occurred_at", "payload", "meta"}` with the webhook's token or custom
//! headers, a 3 s timeout and no redirects followed. A 2xx answer delivers it. A timeout or
//! a 5xx other than 501 is retried: the first attempt and up to 6 extended attempts, each of
//! up to 2 quick requests, so at most 14 requests. An unreachable receiver counts as one
//! that timed out (our reading). The waits grow from a minute to two days (within the
//! "up to 3 days" the facts file gives) and scale down for tests. Every request is logged.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, header};
use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use personio_api::v2::WebhookDelivery;
use serde::Serialize;
use serde_json::json;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{Auth, Subscription};
use crate::company::ChangeEvent;
use crate::state::AppState;

/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(3);
/// Requests per attempt.
const QUICK_REQUESTS: u32 = 2;
/// The first attempt and the extended ones.
const ATTEMPTS: u32 = 1 + EXTENDED_WAITS.len() as u32;
/// Waits before the extended attempts (ours: Personio documents only "increasing").
const EXTENDED_WAITS: [Duration; 6] = [
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(12 * 3600),
    Duration::from_secs(48 * 3600),
];
/// Between the two quick requests of one attempt.
const QUICK_GAP: Duration = Duration::from_secs(1);
/// How often the task looks for new changes.
const POLL: Duration = Duration::from_millis(20);
/// Requests in flight at once, over all webhooks.
const MAX_IN_FLIGHT: usize = 32;
/// Log entries kept; older ones are dropped first.
const LOG_CAPACITY: usize = 20_000;

/// The retry waits, scaled (1.0 = Personio's pace).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schedule {
    scale: f64,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule { scale: 1.0 }
    }
}

impl Schedule {
    /// `scale` must be finite and between 0 and 1000.
    pub(crate) fn scaled(scale: f64) -> Option<Schedule> {
        (scale.is_finite() && (0.0..=1000.0).contains(&scale)).then_some(Schedule { scale })
    }

    /// The wait before attempt `attempt` (2 and later).
    fn before(&self, attempt: u32) -> Duration {
        let index = attempt.saturating_sub(2) as usize;
        EXTENDED_WAITS[index.min(EXTENDED_WAITS.len() - 1)].mul_f64(self.scale)
    }

    fn quick_gap(&self) -> Duration {
        QUICK_GAP.mul_f64(self.scale)
    }
}

/// One request to a receiver.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DeliveryRecord {
    pub webhook_id: String,
    pub url: String,
    /// The change's sequence number.
    pub event_seq: u64,
    pub event_name: String,
    /// 1 for the first attempt, up to 7.
    pub attempt: u32,
    /// 1 or 2 within the attempt.
    pub request: u32,
    pub status: Option<u16>,
    pub error: Option<String>,
    /// `delivered`, `retrying` or `gave_up`.
    pub outcome: &'static str,
    pub at: DateTime<Utc>,
}

/// Every delivery request, oldest first.
#[derive(Default)]
pub(crate) struct DeliveryLog {
    entries: Mutex<VecDeque<DeliveryRecord>>,
}

impl DeliveryLog {
    fn push(&self, record: DeliveryRecord) {
        let mut entries = self.entries.lock();
        if entries.len() == LOG_CAPACITY {
            entries.pop_front();
        }
        entries.push_back(record);
    }

    /// The entries, optionally of one webhook only.
    pub(crate) fn list(&self, webhook_id: Option<&str>) -> Vec<DeliveryRecord> {
        self.entries
            .lock()
            .iter()
            .filter(|r| webhook_id.is_none_or(|id| r.webhook_id == id))
            .cloned()
            .collect()
    }
}

/// The delivery task: runs until the sandbox stops serving (its set is shut down).
pub(crate) async fn run(state: AppState) {
    // Every change up to the first webhook's start was made before any webhook wanted it;
    // until then nothing (not even the HTTP client) is needed.
    let mut seen = state.live.webhooks.first_registered().await;
    let http = match reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent("Personio-Sandbox-Webhooks/1")
        .build()
    {
        Ok(http) => http,
        Err(error) => {
            tracing::error!(%error, "webhook delivery cannot start");
            return;
        }
    };
    let permits = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut jobs = JoinSet::new();
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        while jobs.try_join_next().is_some() {}
        let (company_id, events): (i64, Vec<ChangeEvent>) = {
            let company = state.company.read();
            (company.id, company.changes.since(seen).cloned().collect())
        };
        let Some(last) = events.last() else { continue };
        seen = last.seq;
        let subscriptions = state.live.webhooks.list();
        for event in &events {
            for hook in subscriptions
                .iter()
                .filter(|h| h.enabled && event.seq > h.deliver_after && h.wants(event.name))
            {
                let job = Job {
                    state: state.clone(),
                    http: http.clone(),
                    permits: permits.clone(),
                    hook: hook.clone(),
                    event: event.clone(),
                    company_id,
                };
                jobs.spawn(job.deliver());
            }
        }
    }
}

/// One event for one webhook, from the first request to the last retry.
struct Job {
    state: AppState,
    http: reqwest::Client,
    permits: Arc<Semaphore>,
    hook: Subscription,
    event: ChangeEvent,
    company_id: i64,
}

/// What a receiver's answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Delivered,
    Retry,
    GiveUp,
}

/// Personio retries timeouts and 5xx except 501; anything else is final.
fn judge(outcome: &Result<u16, Failure>) -> Verdict {
    match outcome {
        Ok(200..=299) => Verdict::Delivered,
        Ok(501) => Verdict::GiveUp,
        Ok(500..=599) => Verdict::Retry,
        Ok(_) => Verdict::GiveUp,
        Err(_) => Verdict::Retry,
    }
}

#[derive(Debug)]
struct Failure(String);

impl Job {
    async fn deliver(mut self) {
        let body = WebhookDelivery {
            company_id: self.company_id.to_string(),
            event_name: self.event.name.to_owned(),
            occurred_at: self
                .event
                .occurred_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            payload: self.event.payload.clone(),
            meta: Some(json!({})),
        };
        let body = match serde_json::to_vec(&body) {
            Ok(body) => body,
            Err(error) => {
                tracing::error!(%error, "a webhook body did not serialize");
                return;
            }
        };
        let schedule = self.state.live.webhooks.schedule;
        for attempt in 1..=ATTEMPTS {
            if attempt > 1 {
                tokio::time::sleep(schedule.before(attempt)).await;
                // A webhook deleted or disabled meanwhile gets no more tries.
                match self.state.live.webhooks.get(&self.hook.id.to_string()) {
                    Some(hook) if hook.enabled => self.hook = hook,
                    _ => return,
                }
            }
            for request in 1..=QUICK_REQUESTS {
                if request > 1 {
                    tokio::time::sleep(schedule.quick_gap()).await;
                }
                let outcome = self.send(&body).await;
                let verdict = judge(&outcome);
                let last = attempt == ATTEMPTS && request == QUICK_REQUESTS;
                let label = match verdict {
                    Verdict::Delivered => "delivered",
                    Verdict::Retry if !last => "retrying",
                    _ => "gave_up",
                };
                if verdict != Verdict::Delivered {
                    tracing::warn!(webhook = %self.hook.id, event = self.event.name, attempt, request, ?outcome, "webhook delivery failed");
                }
                let (status, error) = match outcome {
                    Ok(status) => (Some(status), None),
                    Err(Failure(error)) => (None, Some(error)),
                };
                self.state.live.webhooks.deliveries.push(DeliveryRecord {
                    webhook_id: self.hook.id.to_string(),
                    url: self.hook.url.clone(),
                    event_seq: self.event.seq,
                    event_name: self.event.name.to_owned(),
                    attempt,
                    request,
                    status,
                    error,
                    outcome: label,
                    at: self.state.clock.now(),
                });
                if verdict != Verdict::Retry {
                    return;
                }
            }
        }
    }

    async fn send(&self, body: &[u8]) -> Result<u16, Failure> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Failure("delivery stopped".into()))?;
        let mut request = self
            .http
            .post(&self.hook.url)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.to_vec());
        match &self.hook.auth {
            Auth::None => {}
            // Verbatim: the receiver chose the scheme (`Bearer ...`, `Basic ...`) itself.
            Auth::Token(token) => request = request.header(header::AUTHORIZATION, token),
            Auth::Custom(headers) => {
                for (name, value) in headers {
                    if let (Ok(name), Ok(value)) = (
                        HeaderName::from_bytes(name.as_bytes()),
                        HeaderValue::from_str(value),
                    ) {
                        request = request.header(name, value);
                    }
                }
            }
        }
        match request.send().await {
            Ok(response) => Ok(response.status().as_u16()),
            Err(error) if error.is_timeout() => {
                Err(Failure(format!("no answer within {} s", TIMEOUT.as_secs())))
            }
            Err(error) if error.is_connect() => Err(Failure(format!(
                "could not connect: {}",
                root_cause(&error)
            ))),
            Err(error) => Err(Failure(format!("request failed: {}", root_cause(&error)))),
        }
    }
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_and_5xx_but_501_are_retried() {
        assert_eq!(judge(&Ok(204)), Verdict::Delivered);
        assert_eq!(judge(&Ok(503)), Verdict::Retry);
        assert_eq!(judge(&Ok(501)), Verdict::GiveUp);
        assert_eq!(judge(&Ok(404)), Verdict::GiveUp);
        assert_eq!(
            judge(&Ok(302)),
            Verdict::GiveUp,
            "redirects are not followed"
        );
        assert_eq!(judge(&Err(Failure("timeout".into()))), Verdict::Retry);
    }

    #[test]
    fn the_schedule_grows_stays_within_three_days_and_scales() {
        let personio = Schedule::default();
        let waits: Vec<Duration> = (2..=ATTEMPTS).map(|a| personio.before(a)).collect();
        assert!(waits.windows(2).all(|w| w[0] < w[1]));
        assert!(waits.iter().sum::<Duration>() < Duration::from_secs(3 * 86_400));
        assert_eq!(ATTEMPTS * QUICK_REQUESTS, 14);
        let fast = Schedule::scaled(0.001).unwrap();
        assert_eq!(fast.before(2), Duration::from_millis(60));
        assert!(Schedule::scaled(f64::NAN).is_none());
        assert!(Schedule::scaled(-1.0).is_none());
    }
}
