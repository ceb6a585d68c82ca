//! v2 attendance periods: `/v2/attendance-periods` (personio-api.md §3.6).
//!
//! A working day is a `WORK` period with the `BREAK` periods taken inside it. Times are
//! wall-clock values in the person's zone, without offset; a period may cross midnight, and
//! an open period (still clocked in) has `end: null`.

use serde::{Deserialize, Serialize};

use super::IdRef;

/// A wall-clock time without zone: `{"date_time": "2024-06-07T09:00:00"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalDateTime {
    pub date_time: String,
}

impl LocalDateTime {
    pub fn new(date_time: impl Into<String>) -> Self {
        LocalDateTime {
            date_time: date_time.into(),
        }
    }
}

/// `{"status": "..."}`: `CONFIRMED|PENDING|REJECTED` on attendance periods,
/// `APPROVED|PENDING|DELETION_PENDING|SUBSTITUTE_REQUESTED` on absence periods (§3.7, M).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub status: String,
}

/// One attendance period. The approval sits in `approval.status`, not at top level
/// (research findings #12, confidence M); `created_at`/`updated_at` are read leniently
/// because no public schema confirms them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttendancePeriod {
    pub id: String,
    pub person: IdRef,
    /// `WORK` or `BREAK`.
    #[serde(rename = "type")]
    pub kind: String,
    pub start: LocalDateTime,
    /// `null` while the period is open.
    #[serde(default)]
    pub end: Option<LocalDateTime>,
    /// The day the period counts for (`YYYY-MM-DD`), its start day for night shifts.
    #[serde(default)]
    pub attribution_date: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub project: Option<IdRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_auto_generated: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// Body of `POST /v2/attendance-periods` (all but `end`, `comment` and `project`
/// required) and of `PATCH /v2/attendance-periods/{id}` (all optional). Nullable fields
/// keep "absent" apart from `null` (see [`crate::presence`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AttendancePeriodWrite {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<IdRef>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<LocalDateTime>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub end: Option<Option<LocalDateTime>>,
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
    pub project: Option<Option<IdRef>>,
}
