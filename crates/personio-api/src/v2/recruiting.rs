//! v2 recruiting (beta, `Beta: true` required): jobs, categories, candidates, applications
//! and an application's stage transitions (personio-api.md §3.12).
//!
//! Lists are sorted by last update, newest first. Personio publishes field names only in
//! part; what is here follows a client ported from one that read live responses
//! (confidence L): applications, jobs and stage transitions time-stamp as
//! `{"date-time", "timezone"}` objects, candidates as plain strings. Custom attributes and
//! tags are never returned.

use serde::{Deserialize, Serialize};

use super::{IdRef, ResourceMeta};

/// A job category with its pipeline stages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub stages: Vec<Stage>,
}

/// A pipeline stage: a company-defined one (`type: "custom"`, with id and name) or a
/// system one (`type: "system"`, id `null`, `kind` one of `unassigned`, `rejected`,
/// `withdrawn`, `offer`, `accepted`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(rename = "kind", default)]
    pub stage_kind: String,
}

/// `{"date-time": "2025-03-01T09:30:00", "timezone": "Europe/Berlin"}`: local time and zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalTimestamp {
    #[serde(rename = "date-time")]
    pub date_time: String,
    #[serde(default)]
    pub timezone: String,
}

/// `{"id", "name"}`: a department or a recruiting channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedId {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// One person responsible for a job or application (`hiring_team`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HiringTeamMember {
    pub person: PersonLink,
    pub role: Role,
}

/// `{"id": "...", "_meta": {"links": {"self": {"href": ".../v2/persons/{id}"}}}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonLink {
    pub id: String,
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResourceMeta>,
}

/// `{"name": "HR Manager"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
}

/// A job (position).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub department: Option<NamedId>,
    #[serde(default)]
    pub category: Option<IdRef>,
    /// `ACTIVE` (published), `DRAFT` or `ARCHIVED` (our wording).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    pub hiring_team: Vec<HiringTeamMember>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<IdRef>,
    #[serde(default)]
    pub created_at: Option<LocalTimestamp>,
    #[serde(default)]
    pub updated_at: Option<LocalTimestamp>,
}

/// A candidate (one per email), with their applications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub birthday: Option<String>,
    #[serde(default)]
    pub linkedin_profile: Option<String>,
    #[serde(default)]
    pub available_from: Option<String>,
    #[serde(default)]
    pub applications: Vec<ApplicationRef>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// `{"id", "application_date"}` inside a candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationRef {
    pub id: String,
    #[serde(default)]
    pub application_date: Option<String>,
}

/// An application of a candidate to a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    #[serde(default)]
    pub application_date: Option<String>,
    pub candidate: CandidateRef,
    pub job: JobRef,
    pub current_stage: Stage,
    #[serde(default)]
    pub channel: Option<NamedId>,
    #[serde(default)]
    pub hiring_team: Vec<HiringTeamMember>,
    #[serde(default)]
    pub is_anonymized: bool,
    #[serde(default)]
    pub created_at: Option<LocalTimestamp>,
    #[serde(default)]
    pub updated_at: Option<LocalTimestamp>,
}

/// The candidate as embedded in an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateRef {
    pub id: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub gender: Option<String>,
}

/// The job as embedded in an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRef {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub department: Option<NamedId>,
}

/// One entry of `GET /v2/recruiting/applications/{id}/stage-transitions`, latest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageTransition {
    pub entered_at: LocalTimestamp,
    pub stage: Stage,
}
