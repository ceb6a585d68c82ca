//! v1 attendances and attendance projects: `/company/attendances[...]` (personio-api.md
//! §2.3–2.4). Retired by Personio on 2026-08-30 in favour of v2 attendance periods and
//! projects; kept for clients not yet migrated.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One v1 attendance: `{"id", "type": "AttendancePeriod", "attributes": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attendance {
    pub id: i64,
    #[serde(rename = "type", default)]
    pub kind: String,
    pub attributes: AttendanceAttributes,
}

/// A working day as v1 sees it: one work period, its break as minutes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttendanceAttributes {
    pub employee: i64,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`.
    pub start_time: String,
    /// `HH:MM`; `null` for a pending period still open.
    #[serde(default)]
    pub end_time: Option<String>,
    /// Minutes.
    #[serde(rename = "break", default)]
    pub break_minutes: i64,
    /// Left out when empty: the published schema makes it a string, never `null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// `confirmed`, `pending` or `rejected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    pub is_holiday: bool,
    #[serde(default)]
    pub is_on_time_off: bool,
    #[serde(default)]
    pub project: Option<Project>,
    /// The v2 id of the same period (personio-api.md §0, H).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_v2: Option<String>,
}

/// A v1 project: `{"id", "type": "Project", "attributes": {name, active, ...}}`. Embedded in
/// an attendance it carries only `name` and `active`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub id: i64,
    #[serde(rename = "type", default)]
    pub kind: String,
    pub attributes: ProjectAttributes,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectAttributes {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub active: bool,
    /// `2022-02-01T12:00:00+0100` (offset without colon).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// One row of `POST /company/attendances` (`{"attendances": [...], "skip_approval": bool}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttendanceInput {
    pub employee: Value,
    pub date: Value,
    pub start_time: Value,
    #[serde(default)]
    pub end_time: Option<Value>,
    #[serde(rename = "break", default)]
    pub break_minutes: Option<Value>,
    #[serde(default)]
    pub comment: Option<Value>,
    #[serde(default)]
    pub project_id: Option<Value>,
}

/// `data` of a successful bulk create: the new ids, in input order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedIds {
    pub id: Vec<i64>,
    #[serde(default)]
    pub message: String,
}

/// One entry of `detailed_message` when some rows of a bulk create failed: the row as sent,
/// with its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowOutcome {
    pub success: bool,
    #[serde(default)]
    pub error_msg: Option<String>,
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub employee: Value,
    #[serde(default)]
    pub date: Value,
    #[serde(default)]
    pub start_time: Value,
    #[serde(default)]
    pub end_time: Value,
    #[serde(rename = "break", default)]
    pub break_minutes: Value,
    #[serde(default)]
    pub comment: Value,
    #[serde(default)]
    pub project_id: Value,
}

/// v1 project errors break the usual envelope (personio-api.md §2.1, H): invalid fields
/// give `{"success": false, "error": {"name": ["..."]}}`, a missing project
/// `{"success": false, "message": "Project 5 not found"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectError {
    #[serde(default)]
    pub success: bool,
    /// Messages per field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<indexmap::IndexMap<String, Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
