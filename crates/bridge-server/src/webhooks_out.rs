//! Sending change webhooks (and connection events): a delivery loop claims due deliveries from the store's outbox
//! with a lease (so any number of loops, in one process or many, send each one once at a
//! time), POSTs the signed event, and records the outcome: a 2xx answer delivers it; any
//! other answer, a timeout or a refused connection schedules a retry with exponential backoff
//! and jitter until the event expires.
//!
//! Signature: `Personio-Bridge-Signature: v1=<hex HMAC-SHA256 of "{timestamp}.{body}">` keyed
//! with the subscription's secret, where `timestamp` is the `Personio-Bridge-Timestamp` header
//! (Unix seconds). Receivers recompute it over the raw body and reject old timestamps.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bridge_store::{ClaimedDelivery, Event, Key, Store};
use chrono::Utc;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngExt;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::task::JoinSet;

use crate::api::record_now;
use crate::webhook_targets::TargetPolicy;

/// The headers of a delivery.
pub const EVENT_ID_HEADER: &str = "Personio-Bridge-Event-Id";
pub const TIMESTAMP_HEADER: &str = "Personio-Bridge-Timestamp";
pub const SIGNATURE_HEADER: &str = "Personio-Bridge-Signature";

/// Why an attempt did not deliver an event; its text is what the delivery log records.
#[derive(Debug, thiserror::Error)]
enum Undelivered {
    /// The receiver answered with a status other than 2xx.
    #[error("the receiver answered {0}")]
    Refused(reqwest::StatusCode),
    /// No answer: the event could not be prepared or sent, or the request failed.
    #[error("{0}")]
    Failed(String),
}

impl Undelivered {
    /// The receiver's status, when it answered.
    fn status(&self) -> Option<u16> {
        match self {
            Undelivered::Refused(status) => Some(status.as_u16()),
            Undelivered::Failed(_) => None,
        }
    }
}

/// How a delivery loop behaves.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// This loop's name in the lease column (unique per loop).
    pub worker: String,
    /// Requests in flight at once.
    pub concurrency: u32,
    /// The longest a receiver may take to answer.
    pub request_timeout: Duration,
    /// How long a claimed delivery stays this loop's: longer than a request can take, so a
    /// live loop never loses one mid-request; a dead loop's deliveries are free after it.
    pub lease: Duration,
    /// How often an idle loop looks for due retries and other processes' events.
    pub poll: Duration,
    /// The first retry's delay; each further one doubles it, up to `backoff_cap`.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Which addresses receivers may have; checked at every delivery against the address the
    /// request goes to (see [`crate::webhook_targets`]).
    pub targets: TargetPolicy,
}

impl DeliveryConfig {
    pub fn new(worker: impl Into<String>) -> DeliveryConfig {
        DeliveryConfig {
            worker: worker.into(),
            concurrency: 8,
            request_timeout: Duration::from_secs(10),
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(1),
            backoff_base: Duration::from_secs(10),
            backoff_cap: Duration::from_secs(3600),
            targets: TargetPolicy::default(),
        }
    }
}

/// A delivery loop over one store.
#[derive(Clone)]
pub struct Deliverer {
    store: Store,
    client: reqwest::Client,
    config: Arc<DeliveryConfig>,
}

/// After being woken by an in-process event write, how long to wait before looking again
/// when the first look found nothing (the writing transaction had not committed yet).
const SETTLE: Duration = Duration::from_millis(50);

impl Deliverer {
    pub fn new(store: Store, config: DeliveryConfig) -> Result<Deliverer, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout)
            // A redirect is not a delivery: the receiver must answer 2xx itself.
            .redirect(reqwest::redirect::Policy::none())
            // The target check must see the address the connection goes to: no proxy, and
            // host names resolved by the checking resolver only.
            .no_proxy()
            .dns_resolver(config.targets.resolver())
            .user_agent(concat!("personio-bridge/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Deliverer {
            store,
            client,
            config: Arc::new(config),
        })
    }

    /// Delivers until `shutdown` resolves; requests in flight then finish first.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let mut written = self.store.webhook_events_written();
        tokio::pin!(shutdown);
        let mut woken = false;
        loop {
            let sent = match self.round().await {
                Ok(sent) => sent,
                Err(error) => {
                    tracing::warn!(%error, "webhook delivery round failed");
                    0
                }
            };
            if sent >= self.config.concurrency as usize {
                woken = false;
                continue;
            }
            let pause = if woken && sent == 0 {
                SETTLE
            } else {
                self.config.poll
            };
            woken = false;
            tokio::select! {
                () = &mut shutdown => return,
                changed = written.changed() => {
                    if changed.is_err() {
                        tokio::time::sleep(self.config.poll).await;
                    }
                    woken = true;
                }
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Claims one batch of due deliveries, sends them concurrently and records each outcome;
    /// returns how many were sent.
    pub async fn round(&self) -> Result<usize, bridge_store::Error> {
        let now = Utc::now();
        self.store.expire_deliveries(now).await?;
        let lease = chrono::Duration::from_std(self.config.lease)
            .unwrap_or_else(|_| chrono::Duration::seconds(60));
        let claimed = self
            .store
            .claim_deliveries(
                &self.config.worker,
                lease,
                self.config.concurrency.max(1),
                now,
            )
            .await?;
        let count = claimed.len();
        let mut sending = JoinSet::new();
        for delivery in claimed {
            let this = self.clone();
            sending.spawn(async move { this.deliver(delivery).await });
        }
        while let Some(done) = sending.join_next().await {
            match done {
                Ok(Err(error)) => tracing::warn!(%error, "could not record a webhook delivery"),
                Err(error) => tracing::error!(%error, "a webhook delivery task failed"),
                Ok(Ok(())) => {}
            }
        }
        Ok(count)
    }

    async fn deliver(&self, delivery: ClaimedDelivery) -> Result<(), bridge_store::Error> {
        let outcome = self.send(&delivery).await;
        let now = Utc::now();
        match outcome {
            Ok(status) => {
                self.store
                    .delivery_succeeded(delivery.id, status, now)
                    .await?;
            }
            Err(error) => {
                tracing::info!(
                    event = %delivery.event.id,
                    subscription = %delivery.subscription,
                    attempt = delivery.attempts,
                    %error,
                    "webhook delivery failed; retrying later"
                );
                let retry_at = now + backoff(&self.config, delivery.attempts);
                self.store
                    .delivery_failed(
                        &delivery,
                        &self.config.worker,
                        error.status(),
                        &error.to_string(),
                        retry_at,
                        now,
                    )
                    .await?;
            }
        }
        Ok(())
    }

    /// One attempt: the receiver's 2xx status, or why the event was not delivered.
    async fn send(&self, delivery: &ClaimedDelivery) -> Result<u16, Undelivered> {
        let Some(secret) = &delivery.secret else {
            return Err(Undelivered::Failed(
                "the subscription's secret does not open with this store's key".to_owned(),
            ));
        };
        let url = url::Url::parse(&delivery.url)
            .map_err(|e| Undelivered::Failed(format!("the URL is not valid: {e}")))?;
        self.config
            .targets
            .check_literal(&url)
            .map_err(|refused| Undelivered::Failed(format!("refused: {refused}")))?;
        let body = payload(&self.store, &delivery.event)
            .await
            .map_err(Undelivered::Failed)?;
        let body = serde_json::to_vec(&body).map_err(|e| Undelivered::Failed(e.to_string()))?;
        let timestamp = Utc::now().timestamp();
        let signature = sign(secret.expose_secret(), timestamp, &body);
        let response = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(EVENT_ID_HEADER, &delivery.event.id)
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await
            .map_err(|e| Undelivered::Failed(describe(&e)))?;
        let status = response.status();
        if status.is_success() {
            Ok(status.as_u16())
        } else {
            Err(Undelivered::Refused(status))
        }
    }
}

/// The event as receivers get it.
async fn payload(store: &Store, event: &Event) -> Result<Value, String> {
    // A connection event (`connection.broken`, ...) carries its own data:
    // `{"company", "status", "reason", "since"}` as it stood when it happened.
    if let Some(data) = &event.data {
        return Ok(json!({
            "id": event.id,
            "type": event.event_type,
            "company": event.company_name,
            "occurred_at": bridge_store::timestamp(event.occurred_at),
            "data": data,
        }));
    }
    let deleted = event.event_type.ends_with(".deleted");
    let (id, record) = match event.key() {
        Some((table, key)) => {
            let record = if deleted {
                None
            } else {
                record_now(store, event.company, table, &key)
                    .await
                    .map_err(|_| "could not read the changed record".to_owned())?
            };
            let id = match key {
                Key::Int(n) => json!(n),
                Key::Text(s) => json!(s),
            };
            (id, record)
        }
        None => (json!(event.record_id), None),
    };
    Ok(json!({
        "id": event.id,
        "type": event.event_type,
        "company": event.company_name,
        "occurred_at": bridge_store::timestamp(event.occurred_at),
        "data": {
            "id": id,
            "changed": event.changed,
            "record": record,
        }
    }))
}

/// `v1=` and the hex HMAC-SHA256 of `"{timestamp}.{body}"` keyed with `secret`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes keys of any length.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut out = String::with_capacity(3 + digest.len() * 2);
    out.push_str("v1=");
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The delay before attempt `attempts + 1`: the base doubled per attempt so far, capped,
/// then a random share of it between a half and the whole (so failed receivers coming back
/// are not hit by every retry at once).
fn backoff(config: &DeliveryConfig, attempts: i64) -> chrono::Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let full = config
        .backoff_base
        .saturating_mul(1u32 << doublings)
        .min(config.backoff_cap);
    let share = rand::rng().random_range(0.5..=1.0);
    chrono::Duration::from_std(full.mul_f64(share)).unwrap_or_else(|_| chrono::Duration::hours(1))
}

/// A failed request in a few words, without the URL (it may carry a token).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut text = kind.to_owned();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_below_the_full_delay() {
        let mut config = DeliveryConfig::new("t");
        config.backoff_base = Duration::from_secs(10);
        config.backoff_cap = Duration::from_secs(3600);
        for (attempts, full) in [(1, 10), (2, 20), (3, 40), (12, 3600), (1000, 3600)] {
            let delay = backoff(&config, attempts).num_milliseconds();
            assert!(
                delay >= full * 500 && delay <= full * 1000,
                "attempt {attempts}: {delay} ms"
            );
        }
    }

    #[test]
    fn the_signature_is_hex_hmac_sha256_over_timestamp_dot_body() {
        // RFC 4231 test case 2 ("what do ya want for nothing?" keyed with "Jefe"), split at
        // a dot: the timestamp part is "what do ya want for nothing?" minus the body.
        let signed = {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"Jefe").unwrap();
            mac.update(b"what do ya want for nothing?");
            mac.finalize().into_bytes()
        };
        let hex: String = signed.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let ours = sign("Jefe", 1_700_000_000, b"{}");
        assert!(ours.starts_with("v1=") && ours.len() == 3 + 64);
        assert_ne!(
            ours,
            sign("Jefe", 1_700_000_001, b"{}"),
            "the time is signed"
        );
    }
}
