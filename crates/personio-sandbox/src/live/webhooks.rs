//! Webhook subscriptions (`/v2/webhooks`, personio-api.md §3.11): what may be registered,
//! and the registry the delivery task reads.
//!
//! Rules (documented unless marked as ours): a new webhook starts `DISABLED`; `auth_type`
//! defaults to `TOKEN`, whose token goes verbatim into `Authorization`; `CUSTOM` sends at
//! most 3 custom headers whose names are not, and do not start with, a hop-by-hop or
//! framing header name. Ours: `TOKEN` needs a token, `CUSTOM` needs headers and neither
//! mixes with the other's field (422); a second webhook for the same URL is a 409; plain
//! `http://` URLs are accepted, since a sandbox's receivers are local.

pub(crate) mod delivery;

use indexmap::IndexMap;
use parking_lot::RwLock;
use personio_api::v2::{Webhook, WebhookWrite, webhook_event};
use uuid::Uuid;

/// Header names a webhook may not set, nor start a custom header name with.
const FORBIDDEN_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "upgrade",
    "te",
    "trailer",
    "expect",
    "content-type",
];
const MAX_CUSTOM_HEADERS: usize = 3;

/// How deliveries authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Auth {
    None,
    Token(String),
    Custom(IndexMap<String, String>),
}

/// A registered webhook.
#[derive(Debug, Clone)]
pub(crate) struct Subscription {
    pub id: Uuid,
    /// Creation order, for paging.
    pub number: i64,
    pub url: String,
    pub description: String,
    pub enabled: bool,
    pub auth: Auth,
    pub events: Vec<String>,
    /// Only changes recorded after this sequence number are delivered: those that happened
    /// while the webhook was enabled.
    pub deliver_after: u64,
}

impl Subscription {
    /// The wire form.
    pub(crate) fn to_wire(&self) -> Webhook {
        let (auth_type, token, custom_headers) = match &self.auth {
            Auth::None => ("NONE", None, None),
            Auth::Token(token) => ("TOKEN", Some(token.clone()), None),
            Auth::Custom(headers) => ("CUSTOM", None, Some(headers.clone())),
        };
        Webhook {
            id: self.id.to_string(),
            url: self.url.clone(),
            description: self.description.clone(),
            status: if self.enabled { "ENABLED" } else { "DISABLED" }.into(),
            auth_type: auth_type.into(),
            token,
            custom_headers,
            enabled_events: self.events.clone(),
        }
    }

    pub(crate) fn wants(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == event)
    }
}

/// Why a webhook write was refused.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Refusal {
    /// The body is not what the endpoint takes (400).
    Malformed(String),
    /// Well-formed but against the rules (422).
    Invalid(String),
    /// Clashes with another webhook (409).
    Conflict(String),
}

/// Every webhook of the company.
#[derive(Default)]
pub(crate) struct Webhooks {
    subscriptions: RwLock<Vec<Subscription>>,
    created: std::sync::atomic::AtomicI64,
    /// Wakes the delivery task when the first webhook is registered: until then it has
    /// nothing to deliver, and a fleet of companies should not poll for nothing.
    first: tokio::sync::Notify,
    pub deliveries: delivery::DeliveryLog,
    pub schedule: delivery::Schedule,
}

impl Webhooks {
    pub(crate) fn new(schedule: delivery::Schedule) -> Webhooks {
        Webhooks {
            schedule,
            ..Webhooks::default()
        }
    }

    pub(crate) fn list(&self) -> Vec<Subscription> {
        self.subscriptions.read().clone()
    }

    /// Waits until a webhook has been registered; returns the oldest change any webhook
    /// still waits for, where delivery starts.
    pub(crate) async fn first_registered(&self) -> u64 {
        loop {
            let waiting = self.first.notified();
            if let Some(start) = self
                .subscriptions
                .read()
                .iter()
                .map(|s| s.deliver_after)
                .min()
            {
                return start;
            }
            waiting.await;
        }
    }

    pub(crate) fn get(&self, id: &str) -> Option<Subscription> {
        let id = Uuid::try_parse(id.trim()).ok()?;
        self.subscriptions
            .read()
            .iter()
            .find(|s| s.id == id)
            .cloned()
    }

    /// Registers a webhook; `last_seq` is the newest change so far.
    pub(crate) fn create(
        &self,
        write: WebhookWrite,
        last_seq: u64,
    ) -> Result<Subscription, Refusal> {
        let missing = [
            ("url", write.url.is_none()),
            ("description", write.description.is_none()),
            ("enabled_events", write.enabled_events.is_none()),
        ]
        .into_iter()
        .filter(|(_, missing)| *missing)
        .map(|(name, _)| name)
        .collect::<Vec<_>>();
        if !missing.is_empty() {
            return Err(Refusal::Malformed(format!(
                "Missing required fields: {}",
                missing.join(", ")
            )));
        }
        let draft = Subscription {
            id: Uuid::new_v4(),
            number: self
                .created
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            url: String::new(),
            description: String::new(),
            enabled: false,
            auth: Auth::None,
            events: Vec::new(),
            deliver_after: last_seq,
        };
        let subscription = apply(draft, write, last_seq, true)?;
        let mut subscriptions = self.subscriptions.write();
        check_unique_url(&subscriptions, &subscription)?;
        subscriptions.push(subscription.clone());
        drop(subscriptions);
        self.first.notify_one();
        Ok(subscription)
    }

    /// Changes the fields given; `None` when there is no such webhook.
    pub(crate) fn update(
        &self,
        id: &str,
        write: WebhookWrite,
        last_seq: u64,
    ) -> Option<Result<Subscription, Refusal>> {
        let id = Uuid::try_parse(id.trim()).ok()?;
        let mut subscriptions = self.subscriptions.write();
        let index = subscriptions.iter().position(|s| s.id == id)?;
        let updated = match apply(subscriptions[index].clone(), write, last_seq, false) {
            Ok(updated) => updated,
            Err(refusal) => return Some(Err(refusal)),
        };
        if let Err(refusal) = check_unique_url(&subscriptions, &updated) {
            return Some(Err(refusal));
        }
        subscriptions[index] = updated.clone();
        Some(Ok(updated))
    }

    /// False when there was no such webhook.
    pub(crate) fn delete(&self, id: &str) -> bool {
        let Ok(id) = Uuid::try_parse(id.trim()) else {
            return false;
        };
        let mut subscriptions = self.subscriptions.write();
        let before = subscriptions.len();
        subscriptions.retain(|s| s.id != id);
        subscriptions.len() < before
    }
}

fn check_unique_url(all: &[Subscription], candidate: &Subscription) -> Result<(), Refusal> {
    if all
        .iter()
        .any(|s| s.id != candidate.id && s.url == candidate.url)
    {
        Err(Refusal::Conflict(format!(
            "A webhook for {} already exists.",
            candidate.url
        )))
    } else {
        Ok(())
    }
}

/// Applies a create or patch body to `current`, checking every rule.
fn apply(
    mut current: Subscription,
    write: WebhookWrite,
    last_seq: u64,
    creating: bool,
) -> Result<Subscription, Refusal> {
    let invalid = |message: String| Err(Refusal::Invalid(message));
    if let Some(url) = write.url {
        let url = url.trim();
        match reqwest::Url::parse(url) {
            Ok(parsed)
                if matches!(parsed.scheme(), "https" | "http") && parsed.host().is_some() => {}
            _ => return invalid(format!("url must be an absolute https URL, not {url:?}")),
        }
        current.url = url.to_owned();
    }
    if let Some(description) = write.description {
        current.description = description;
    }
    if let Some(status) = write.status {
        let enabled = match status.to_ascii_uppercase().as_str() {
            "ENABLED" => true,
            "DISABLED" => false,
            _ => {
                return invalid(format!(
                    "status must be ENABLED or DISABLED, not {status:?}"
                ));
            }
        };
        if enabled && !current.enabled {
            current.deliver_after = last_seq;
        }
        current.enabled = enabled;
    }
    if let Some(events) = write.enabled_events {
        if events.is_empty() {
            return invalid("enabled_events must name at least one event".into());
        }
        let unknown: Vec<&str> = events
            .iter()
            .map(String::as_str)
            .filter(|e| !webhook_event::SUBSCRIBABLE.contains(e))
            .collect();
        if !unknown.is_empty() {
            return invalid(format!("unknown events: {}", unknown.join(", ")));
        }
        let mut unique: Vec<String> = Vec::new();
        for event in events {
            if !unique.contains(&event) {
                unique.push(event);
            }
        }
        current.events = unique;
    }
    // The auth type: as given, else unchanged, else (on create) the default TOKEN.
    let auth_type = match (&write.auth_type, &current.auth, creating) {
        (Some(kind), _, _) => kind.to_ascii_uppercase(),
        (None, _, true) => "TOKEN".into(),
        (None, Auth::None, false) => "NONE".into(),
        (None, Auth::Token(_), false) => "TOKEN".into(),
        (None, Auth::Custom(_), false) => "CUSTOM".into(),
    };
    current.auth = match auth_type.as_str() {
        "NONE" => {
            if write.token.is_some() || write.custom_headers.is_some() {
                return invalid("auth_type NONE takes neither token nor custom_headers".into());
            }
            Auth::None
        }
        "TOKEN" => {
            if write.custom_headers.is_some() {
                return invalid("custom_headers require auth_type CUSTOM".into());
            }
            let token = match (write.token, &current.auth) {
                (Some(token), _) => token,
                (None, Auth::Token(token)) => token.clone(),
                (None, _) => return invalid("auth_type TOKEN requires a token".into()),
            };
            if token.trim().is_empty() || axum::http::HeaderValue::from_str(&token).is_err() {
                return invalid("token must be a non-empty header value".into());
            }
            Auth::Token(token)
        }
        "CUSTOM" => {
            if write.token.is_some() {
                return invalid("token requires auth_type TOKEN".into());
            }
            let headers = match (write.custom_headers, &current.auth) {
                (Some(headers), _) => headers,
                (None, Auth::Custom(headers)) => headers.clone(),
                (None, _) => {
                    return invalid("auth_type CUSTOM requires custom_headers".into());
                }
            };
            check_custom_headers(&headers).map_err(Refusal::Invalid)?;
            Auth::Custom(headers)
        }
        other => {
            return invalid(format!(
                "auth_type must be NONE, TOKEN or CUSTOM, not {other:?}"
            ));
        }
    };
    Ok(current)
}

fn check_custom_headers(headers: &IndexMap<String, String>) -> Result<(), String> {
    if headers.is_empty() {
        return Err("custom_headers must hold at least one header".into());
    }
    if headers.len() > MAX_CUSTOM_HEADERS {
        return Err(format!(
            "at most {MAX_CUSTOM_HEADERS} custom_headers are allowed"
        ));
    }
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if let Some(forbidden) = FORBIDDEN_HEADERS.iter().find(|f| lower.starts_with(*f)) {
            return Err(format!(
                "custom header {name:?} is not allowed (no header may be or start with {forbidden:?})"
            ));
        }
        if axum::http::HeaderName::from_bytes(name.as_bytes()).is_err()
            || axum::http::HeaderValue::from_str(value).is_err()
        {
            return Err(format!("custom header {name:?} is not a valid header"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(json: serde_json::Value) -> WebhookWrite {
        serde_json::from_value(json).unwrap()
    }

    fn create(hooks: &Webhooks, json: serde_json::Value) -> Result<Subscription, Refusal> {
        hooks.create(write(json), 0)
    }

    #[test]
    fn a_new_webhook_is_disabled_and_authenticates_by_token() {
        let hooks = Webhooks::default();
        let hook = create(
            &hooks,
            serde_json::json!({"url": "https://a.example/h", "description": "x", "token": "Bearer t", "enabled_events": ["person.created"]}),
        )
        .unwrap();
        assert!(!hook.enabled);
        assert_eq!(hook.auth, Auth::Token("Bearer t".into()));
    }

    #[test]
    fn the_rules_refuse_with_the_right_kind() {
        let hooks = Webhooks::default();
        let base = serde_json::json!({"url": "https://a.example/h", "description": "x", "enabled_events": ["person.created"]});
        let with = |extra: serde_json::Value| {
            let mut body = base.clone();
            for (k, v) in extra.as_object().unwrap() {
                body[k] = v.clone();
            }
            body
        };
        let invalid = |r: Result<Subscription, Refusal>| matches!(r, Err(Refusal::Invalid(_)));
        assert!(matches!(
            create(&hooks, serde_json::json!({"url": "https://a.example/h"})),
            Err(Refusal::Malformed(_))
        ));
        assert!(invalid(create(&hooks, base.clone())), "TOKEN needs a token");
        assert!(invalid(create(
            &hooks,
            with(
                serde_json::json!({"auth_type": "CUSTOM", "custom_headers": {"A": "1", "B": "2", "C": "3", "D": "4"}})
            )
        )));
        assert!(invalid(create(
            &hooks,
            with(
                serde_json::json!({"auth_type": "CUSTOM", "custom_headers": {"Content-Type-X": "1"}})
            )
        )));
        assert!(invalid(create(
            &hooks,
            with(serde_json::json!({"auth_type": "NONE", "enabled_events": ["person.exploded"]}))
        )));
        assert!(invalid(create(
            &hooks,
            with(serde_json::json!({"auth_type": "NONE", "url": "ftp://a.example"}))
        )));
        create(
            &hooks,
            with(serde_json::json!({"auth_type": "CUSTOM", "custom_headers": {"X-Key": "1"}})),
        )
        .unwrap();
        assert!(matches!(
            create(&hooks, with(serde_json::json!({"auth_type": "NONE"}))),
            Err(Refusal::Conflict(_))
        ));
    }

    #[test]
    fn enabling_delivers_only_later_changes() {
        let hooks = Webhooks::default();
        let hook = create(
            &hooks,
            serde_json::json!({"url": "http://127.0.0.1:9/h", "description": "x", "auth_type": "NONE", "enabled_events": ["person.created"]}),
        )
        .unwrap();
        let id = hook.id.to_string();
        let enabled = hooks
            .update(&id, write(serde_json::json!({"status": "ENABLED"})), 41)
            .unwrap()
            .unwrap();
        assert!(enabled.enabled);
        assert_eq!(enabled.deliver_after, 41);
        assert!(hooks.delete(&id));
        assert!(hooks.update(&id, WebhookWrite::default(), 0).is_none());
    }
}
