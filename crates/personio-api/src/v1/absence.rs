//! v1 absences (personio-api.md §2.5): time-off types, day-unit time-offs
//! (`/company/time-offs`) and hour-unit absence periods (`/company/absence-periods`).
//!
//! The two lists differ in more than unit: time-offs write dates with a `+0100` offset
//! and page by page number; hourly periods write UTC instants (`...0Z`), carry daily
//! breakdowns and are keyed by UUID.

use serde::{Deserialize, Serialize};

use super::{Embedded, Employee};

/// `{"type": "TimeOffType", "attributes": {...}}`.
pub type TimeOffType = Embedded<TimeOffTypeAttributes>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeOffTypeAttributes {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    /// `paid_vacation`, `sick_leave`, ... or `null`.
    #[serde(default)]
    pub category: Option<String>,
    /// `day` or `hour`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half_day_requests_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certification_required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certification_submission_timeframe: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute_option: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_v2: Option<String>,
}

/// The short type embedded in a time-off: `{id, name, category}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeOffTypeRef {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub category: Option<String>,
}

/// `{"status": "not-required"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub status: String,
}

/// A day-unit absence: `{"type": "TimeOffPeriod", "attributes": {...}}`.
pub type TimeOffPeriod = Embedded<TimeOffAttributes>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeOffAttributes {
    pub id: i64,
    /// `approved`, `pending` or `requested`; rejected time-offs are not listed at all.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub comment: Option<String>,
    /// Local midnight, `2017-12-27T00:00:00+0100`.
    pub start_date: String,
    pub end_date: String,
    /// Working days taken, in steps of 0.5.
    #[serde(default, serialize_with = "crate::number::compact")]
    pub days_count: f64,
    #[serde(default)]
    pub half_day_start: bool,
    #[serde(default)]
    pub half_day_end: bool,
    pub time_off_type: Embedded<TimeOffTypeRef>,
    /// A short employee: `id`, `first_name`, `last_name`, `email` attributes.
    pub employee: Employee,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Certificate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// `API` for time-offs created through the API; only in the create response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_v2: Option<String>,
}

/// An hour-unit absence: `{"type": "AbsencePeriod", "attributes": {...}}`.
pub type HourlyAbsencePeriod = Embedded<HourlyAbsenceAttributes>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HourlyAbsenceAttributes {
    /// A UUID.
    pub id: String,
    #[serde(default)]
    pub measurement_unit: String,
    /// Minutes.
    #[serde(default)]
    pub effective_duration: i64,
    pub employee: Employee,
    pub absence_type: Embedded<AbsenceTypeRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Certificate>,
    /// UTC, `2022-05-31T22:00:00.0Z`.
    pub start: String,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub half_day_start: bool,
    #[serde(default)]
    pub half_day_end: bool,
    /// Left out when empty: the published schema makes it a string, never `null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `web`, `api`, `mobile`, `slack`, `msteams` or `null`.
    #[serde(default)]
    pub origin: Option<String>,
    #[serde(default)]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Employee id of whoever created it.
    #[serde(default)]
    pub created_by: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub approved_at: Option<String>,
    #[serde(default)]
    pub breakdowns: Vec<DailyMinutes>,
}

/// `{id (UUID), name, time_off_type_id}`: the type embedded in an hourly period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbsenceTypeRef {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub time_off_type_id: Option<i64>,
}

/// `{"date": "2022-06-01", "effective_duration": 480}` (minutes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyMinutes {
    pub date: String,
    pub effective_duration: i64,
}
