//! v2 absences: `/v2/absence-periods`, their daily breakdowns, and `/v2/absence-types`
//! (personio-api.md §3.7).
//!
//! Times are wall-clock values in `timezone_id`, without offset. Day-unit absences say which
//! half of their first and last day they cover (`FIRST_HALF` / `SECOND_HALF`); an open-ended
//! absence (a long sick leave) has `ends_at: null`.

use serde::{Deserialize, Serialize};

use super::{Approval, IdRef};

/// Start or end of an absence: `{"date_time": "2025-03-01T00:00:00", "type": "FIRST_HALF"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsenceBoundary {
    pub date_time: String,
    /// `FIRST_HALF` or `SECOND_HALF`; left out for hour-unit absences, which carry exact times.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub half: Option<String>,
}

/// One absence period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbsencePeriod {
    pub id: String,
    pub person: IdRef,
    pub absence_type: IdRef,
    pub starts_from: AbsenceBoundary,
    /// `null` while open-ended.
    #[serde(default)]
    pub ends_at: Option<AbsenceBoundary>,
    #[serde(default)]
    pub timezone_id: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub substitute: Option<Option<IdRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// Body of `POST /v2/absence-periods` (person, type and start required) and of
/// `PATCH /v2/absence-periods/{id}` (all optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AbsencePeriodWrite {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<IdRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absence_type: Option<IdRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_from: Option<AbsenceBoundary>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub ends_at: Option<Option<AbsenceBoundary>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub comment: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub substitute: Option<Option<IdRef>>,
}

/// How much one day of an absence consumes: `{"unit": "DAY"|"HOUR", "value": 0.5}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectiveDuration {
    pub unit: String,
    #[serde(default, serialize_with = "crate::number::compact")]
    pub value: f64,
}

/// One day of `GET /v2/absence-periods/{id}/breakdowns`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub effective_duration: EffectiveDuration,
}

/// An absence type (`GET /v2/absence-types`): `category` in capitals (`PAID_VACATION`),
/// `unit` `DAY` or `HOUR` (personio-api.md §3.7, documented example).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbsenceType {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
}
