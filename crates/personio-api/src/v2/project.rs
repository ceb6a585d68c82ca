//! v2 projects and their members: `/v2/projects` (personio-api.md §3.10). Attendance
//! periods refer to a project by id; a project may have one level of sub-projects.

use serde::{Deserialize, Serialize};

use super::IdRef;

/// `{"date": "YYYY-MM-DD"}`: a project's start (inclusive) or end (exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRef {
    pub date: String,
}

/// A project. The four `include`d figures appear only when asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// Numeric, as a string (`"82173"`).
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub project_code: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `ACTIVE` or `ARCHIVED`.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub cost_center: Option<IdRef>,
    #[serde(default)]
    pub parent_project: Option<IdRef>,
    #[serde(default)]
    pub start: Option<DateRef>,
    #[serde(default)]
    pub end: Option<DateRef>,
    #[serde(default)]
    pub billable: bool,
    #[serde(default)]
    pub client_name: Option<String>,
    #[serde(default)]
    pub project_type: Option<String>,
    #[serde(default)]
    pub assigned_to_all: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracked_minutes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_projects_tracked_minutes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_projects_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracked_periods_count: Option<i64>,
}

/// Body of `POST /v2/projects` (`name` and `status` required) and `PATCH /v2/projects/{id}`
/// (everything optional and nullable).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectWrite {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub name: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub status: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub project_code: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub description: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub cost_center: Option<Option<IdRef>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub assigned_to_all: Option<Option<bool>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub parent_project: Option<Option<IdRef>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub start: Option<Option<DateRef>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub end: Option<Option<DateRef>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub billable: Option<Option<bool>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub client_name: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub project_type: Option<Option<String>>,
}

/// One entry of `GET /v2/projects/{id}/members`, and of the add/remove bodies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectMember {
    pub person: IdRef,
}
