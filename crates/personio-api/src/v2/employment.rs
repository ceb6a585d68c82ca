//! v2 employments: `/v2/persons/{person_id}/employments` (personio-api.md §3.4).
//!
//! Department and team *names* are not on the employment, only ids: resolve them through
//! `/v2/org-units` (§6 #11).

use serde::{Deserialize, Serialize};

use super::{IdRef, ResourceMeta};

/// An employment. Nullable fields the credential may not read are left out; readable but
/// empty ones are `null` (see [`crate::presence`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Employment {
    pub id: String,
    /// Whose employment it is; Personio's document does not require it (it is in the path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<IdRef>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub supervisor: Option<Option<IdRef>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub office: Option<Option<IdRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_units: Option<Vec<OrgUnitRef>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub legal_entity: Option<Option<IdRef>>,
    /// Deprecated twin of `legal_entity`, spelled with an underscore in responses
    /// (personio-api.md §3.4; pysonio, confidence M).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub sub_company: Option<Option<IdRef>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub position: Option<Option<Position>>,
    /// `ACTIVE|INACTIVE|ONBOARDING|LEAVE|UNSPECIFIED`; present even with no readable attribute.
    #[serde(default)]
    pub status: Option<String>,
    /// `INTERNAL|EXTERNAL|UNSPECIFIED`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub employment_start_date: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub employment_end_date: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub contract_end_date: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub probation_end_date: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::presence::deserialize",
        serialize_with = "crate::number::compact_presence"
    )]
    pub weekly_working_hours: Option<Option<f64>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::presence::deserialize",
        serialize_with = "crate::number::compact_presence"
    )]
    pub full_time_weekly_working_hours: Option<Option<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_centers: Option<Vec<WeightedRef>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub termination: Option<Option<Termination>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResourceMeta>,
}

/// `{"type": "department"|"team", "id": "<numeric string>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgUnitRef {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// `{"title": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Position {
    #[serde(default)]
    pub title: Option<String>,
}

/// `{"id", "weight"}`: a cost center and its share in percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightedRef {
    pub id: String,
    #[serde(default, serialize_with = "crate::number::compact")]
    pub weight: f64,
}

/// Termination details of an employment: present on every readable employment, with all
/// fields `null` while the employment runs (pysonio, confidence M).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Termination {
    #[serde(default)]
    pub termination_date: Option<String>,
    #[serde(default)]
    pub last_working_day: Option<String>,
    #[serde(default)]
    pub terminated_at: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    /// `EMPLOYEE|FIRED|CONTRACT_EXPIRED|AGREEMENT|RETIREMENT|...|UNSPECIFIED`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

/// Employment fields of `POST /v2/persons` and body of the employment PATCH.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmploymentWrite {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub supervisor: Option<Option<IdRef>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub office: Option<Option<IdRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_units: Option<Vec<OrgUnitRef>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub legal_entity: Option<Option<IdRef>>,
    /// Deprecated alias of `legal_entity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subcompany: Option<IdRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employment_start_date: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub contract_end_date: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub probation_end_date: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probation_period_length: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_working_hours: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_time_weekly_working_hours: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_centers: Option<Vec<WeightedRef>>,
}
