//! v2 webhooks: the subscription resource of `/v2/webhooks` and the body Personio POSTs to
//! a subscriber (personio-api.md §3.11, Appendix B.4).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A webhook subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub description: String,
    /// `ENABLED|DISABLED`; new webhooks start `DISABLED`.
    #[serde(default)]
    pub status: String,
    /// `NONE|TOKEN|CUSTOM`.
    #[serde(default)]
    pub auth_type: String,
    /// Sent verbatim as the `Authorization` header (with `TOKEN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Sent as extra headers (with `CUSTOM`); at most three.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_headers: Option<IndexMap<String, String>>,
    #[serde(default)]
    pub enabled_events: Vec<String>,
}

/// Body of `POST /v2/webhooks` (`url`, `description` and `enabled_events` required) and of
/// `PATCH /v2/webhooks/{id}` (every field optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WebhookWrite {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_headers: Option<IndexMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_events: Option<Vec<String>>,
}

/// What Personio POSTs to a subscriber: identifiers only ("dataless notifications"); the
/// receiver fetches details through the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub company_id: String,
    pub event_name: String,
    /// RFC 3339 date-time.
    pub occurred_at: String,
    #[serde(default)]
    pub payload: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
}

/// Event names as Personio sends them (personio-api.md §3.11, H/M).
pub mod event {
    pub const PERSON_CREATED: &str = "person.created";
    pub const PERSON_UPDATED: &str = "person.updated";
    pub const PERSON_DELETED: &str = "person.deleted";
    pub const EMPLOYMENT_CREATED: &str = "employment.created";
    pub const EMPLOYMENT_UPDATED: &str = "employment.updated";
    pub const EMPLOYMENT_UPDATED_COST_CENTERS: &str = "employment.updated.cost-centers";
    pub const EMPLOYMENT_DELETED: &str = "employment.deleted";
    pub const EMPLOYMENT_STARTED: &str = "employment.started";
    pub const EMPLOYMENT_TERMINATED: &str = "employment.terminated";
    pub const ABSENCE_PERIOD_CREATED: &str = "absence-period.created";
    pub const ABSENCE_PERIOD_UPDATED_STATUS: &str = "absence-period.updated.status";
    pub const ABSENCE_PERIOD_UPDATED_TIMERANGE: &str = "absence-period.updated.timerange";
    pub const ABSENCE_PERIOD_DELETED: &str = "absence-period.deleted";
    pub const ATTENDANCE_PERIOD_CREATED: &str = "attendance-period.created";
    pub const ATTENDANCE_PERIOD_UPDATED: &str = "attendance-period.updated";
    pub const ATTENDANCE_PERIOD_DELETED: &str = "attendance-period.deleted";
    pub const DOCUMENT_CREATED: &str = "document.created";
    pub const DOCUMENT_UPDATED: &str = "document.updated";
    pub const DOCUMENT_SIGNED: &str = "document.signed";
    pub const DOCUMENT_DELETED: &str = "document.deleted";
    /// Sent by `POST /v2/webhooks/{id}/ping`; not subscribable.
    pub const PING: &str = "ping";

    /// Every event a webhook may subscribe to.
    pub const SUBSCRIBABLE: &[&str] = &[
        PERSON_CREATED,
        PERSON_UPDATED,
        PERSON_DELETED,
        EMPLOYMENT_CREATED,
        EMPLOYMENT_UPDATED,
        EMPLOYMENT_UPDATED_COST_CENTERS,
        EMPLOYMENT_DELETED,
        EMPLOYMENT_STARTED,
        EMPLOYMENT_TERMINATED,
        ABSENCE_PERIOD_CREATED,
        ABSENCE_PERIOD_UPDATED_STATUS,
        ABSENCE_PERIOD_UPDATED_TIMERANGE,
        ABSENCE_PERIOD_DELETED,
        ATTENDANCE_PERIOD_CREATED,
        ATTENDANCE_PERIOD_UPDATED,
        ATTENDANCE_PERIOD_DELETED,
        DOCUMENT_CREATED,
        DOCUMENT_UPDATED,
        DOCUMENT_SIGNED,
        DOCUMENT_DELETED,
    ];
}
