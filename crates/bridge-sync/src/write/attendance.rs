//! Attendance periods written through v2 `/v2/attendance-periods` (personio-api.md §3.6):
//! the body in the bridge's field names, checked field by field; Personio's body; and how a
//! write whose answer was lost is recognised in Personio.
//!
//! Personio's rules checked before sending (so the caller learns the field at once): the end
//! after the start, at most 24 hours (Personio answers "period time range too long"; the
//! limit itself is not documented, a day is our reading), no project on a BREAK, a comment
//! of at most 1000 characters (one client's reading, confidence L). Overlaps are Personio's
//! to judge: its refusal is passed on.

use chrono::Duration;
use personio_api::v2::{AttendancePeriod, AttendancePeriodWrite, IdRef, LocalDateTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fields::{
    FieldError, Fields, bounded_text, format_local, id, integer, local_time, one_of,
};

const KINDS: &[&str] = &["WORK", "BREAK"];
const STATUSES: &[&str] = &["CONFIRMED", "PENDING"];
const MAX_COMMENT: usize = 1000;
const MAX_HOURS: i64 = 24;

const CREATE_FIELDS: &[&str] = &[
    "employee_id",
    "type",
    "start",
    "end",
    "project_id",
    "comment",
    "status",
];

/// A period to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAttendance {
    pub employee_id: i64,
    pub kind: String,
    pub start: String,
    pub end: Option<String>,
    pub project_id: Option<String>,
    pub comment: Option<String>,
    /// `status: CONFIRMED` asks Personio to skip approval (`skip_approval=true`); without it
    /// the period waits for approval, Personio's default for v2 (§3.6).
    pub confirmed: bool,
}

/// Changes to a period: absent fields stay, `null` clears.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AttendanceChanges {
    pub kind: Option<String>,
    pub start: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "personio_api::presence"
    )]
    pub end: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "personio_api::presence"
    )]
    pub project_id: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "personio_api::presence"
    )]
    pub comment: Option<Option<String>>,
    pub confirmed: bool,
}

impl NewAttendance {
    /// Reads a create body: `{"employee_id", "type"?, "start", "end"?, "project_id"?,
    /// "comment"?, "status"?}`.
    pub fn from_json(body: Value) -> Result<NewAttendance, FieldError> {
        let mut fields = Fields::of(body)?;
        let employee_id = fields.required("employee_id", integer)?;
        let kind = fields
            .optional("type", one_of(KINDS))?
            .unwrap_or_else(|| "WORK".to_owned());
        let start = fields.required("start", local_time)?;
        let end = fields.optional("end", local_time)?;
        let project_id = fields.optional("project_id", id)?;
        let comment = fields.optional("comment", bounded_text(MAX_COMMENT))?;
        let status = fields.optional("status", one_of(STATUSES))?;
        fields.finish(CREATE_FIELDS)?;
        if let Some(end) = end {
            check_span(start, end)?;
        }
        if kind == "BREAK" && project_id.is_some() {
            return Err(FieldError::new(
                "project_id",
                "a BREAK period cannot have a project",
            ));
        }
        Ok(NewAttendance {
            employee_id,
            kind,
            start: format_local(start),
            end: end.map(format_local),
            project_id,
            comment,
            confirmed: status.as_deref() == Some("CONFIRMED"),
        })
    }

    /// Personio's body.
    pub(crate) fn body(&self) -> AttendancePeriodWrite {
        AttendancePeriodWrite {
            person: Some(IdRef::new(self.employee_id)),
            kind: Some(self.kind.clone()),
            start: Some(LocalDateTime::new(self.start.clone())),
            end: Some(self.end.clone().map(LocalDateTime::new)),
            comment: self.comment.clone().map(Some),
            project: self.project_id.clone().map(|p| Some(IdRef::new(p))),
        }
    }

    /// The filters that find this period in Personio: its person and its exact start.
    pub(crate) fn lookup(&self) -> Vec<(&'static str, String)> {
        vec![
            ("person.id", self.employee_id.to_string()),
            ("start.date_time.gte", self.start.clone()),
            ("start.date_time.lte", self.start.clone()),
        ]
    }

    /// Whether `period` is the one this write creates. Personio refuses overlapping
    /// periods, so a period of this person, type, start and end can only be this one.
    pub(crate) fn is(&self, period: &AttendancePeriod) -> bool {
        period.person.id.trim() == self.employee_id.to_string()
            && period.kind == self.kind
            && same_time(&period.start.date_time, &self.start)
            && match (&period.end, &self.end) {
                (Some(a), Some(b)) => same_time(&a.date_time, b),
                (None, None) => true,
                _ => false,
            }
    }
}

impl AttendanceChanges {
    /// Reads an update body: any of the create fields but `employee_id` (Personio does not
    /// move a period to another person), at least one.
    pub fn from_json(body: Value) -> Result<AttendanceChanges, FieldError> {
        let mut fields = Fields::of(body)?;
        if fields.has("employee_id") {
            return Err(FieldError::new(
                "employee_id",
                "cannot change: Personio keeps a period with its person; delete it and create another",
            ));
        }
        let kind = fields.optional("type", one_of(KINDS))?;
        let start = fields.optional("start", local_time)?;
        let end = fields.nullable("end", local_time)?;
        let project_id = fields.nullable("project_id", id)?;
        let comment = fields.nullable("comment", bounded_text(MAX_COMMENT))?;
        let status = fields.optional("status", one_of(STATUSES))?;
        fields.finish(&CREATE_FIELDS[1..])?;
        if let (Some(start), Some(Some(end))) = (start, end) {
            check_span(start, end)?;
        }
        if kind.as_deref() == Some("BREAK") && matches!(project_id, Some(Some(_))) {
            return Err(FieldError::new(
                "project_id",
                "a BREAK period cannot have a project",
            ));
        }
        let changes = AttendanceChanges {
            kind,
            start: start.map(format_local),
            end: end.map(|e| e.map(format_local)),
            project_id,
            comment,
            confirmed: status.as_deref() == Some("CONFIRMED"),
        };
        if changes == AttendanceChanges::default() && status.is_none() {
            return Err(FieldError::new(
                "",
                format!(
                    "name at least one field to change ({})",
                    CREATE_FIELDS[1..].join(", ")
                ),
            ));
        }
        Ok(changes)
    }

    pub(crate) fn body(&self) -> AttendancePeriodWrite {
        AttendancePeriodWrite {
            person: None,
            kind: self.kind.clone(),
            start: self.start.clone().map(LocalDateTime::new),
            end: self.end.clone().map(|e| e.map(LocalDateTime::new)),
            comment: self.comment.clone(),
            project: self.project_id.clone().map(|p| p.map(IdRef::new)),
        }
    }

    /// Whether `period` shows every change.
    pub(crate) fn shown_by(&self, period: &AttendancePeriod) -> bool {
        let kind = self.kind.as_ref().is_none_or(|k| *k == period.kind);
        let start = self
            .start
            .as_ref()
            .is_none_or(|s| same_time(&period.start.date_time, s));
        let end = self.end.as_ref().is_none_or(|e| match (e, &period.end) {
            (Some(e), Some(p)) => same_time(&p.date_time, e),
            (None, None) => true,
            _ => false,
        });
        let project = self
            .project_id
            .as_ref()
            .is_none_or(|p| p.as_deref() == period.project.as_ref().map(|r| r.id.as_str()));
        let comment = self
            .comment
            .as_ref()
            .is_none_or(|c| c.as_deref().unwrap_or("") == period.comment.as_deref().unwrap_or(""));
        kind && start && end && project && comment
    }
}

fn check_span(start: chrono::NaiveDateTime, end: chrono::NaiveDateTime) -> Result<(), FieldError> {
    if end <= start {
        return Err(FieldError::new("end", "must be after start"));
    }
    if end - start > Duration::hours(MAX_HOURS) {
        return Err(FieldError::new(
            "end",
            format!("a period lasts at most {MAX_HOURS} hours in Personio"),
        ));
    }
    Ok(())
}

/// Times compare on their first 16 characters when one side has no seconds.
fn same_time(personio: &str, ours: &str) -> bool {
    let a = personio.trim();
    a == ours || (a.len() == 16 && ours.starts_with(a) && ours.ends_with(":00"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_create_body_is_read_in_the_bridges_field_names() {
        let new = NewAttendance::from_json(json!({
            "employee_id": 7, "start": "2026-11-02T09:00", "end": "2026-11-02T17:00:00",
            "comment": "on site", "status": "confirmed"
        }))
        .unwrap();
        assert_eq!(new.kind, "WORK");
        assert_eq!(new.start, "2026-11-02T09:00:00");
        assert!(new.confirmed);
        let body = serde_json::to_value(new.body()).unwrap();
        assert_eq!(body["person"]["id"], "7");
        assert_eq!(body["end"]["date_time"], "2026-11-02T17:00:00");
    }

    #[test]
    fn mistakes_name_their_field() {
        let field = |body: Value| NewAttendance::from_json(body).unwrap_err().field;
        assert_eq!(field(json!({"start": "2026-11-02T09:00"})), "employee_id");
        assert_eq!(
            field(json!({"employee_id": "x", "start": "2026-11-02T09:00"})),
            "employee_id"
        );
        assert_eq!(field(json!({"employee_id": 1})), "start");
        assert_eq!(
            field(
                json!({"employee_id": 1, "start": "2026-11-02T09:00", "end": "2026-11-02T08:00"})
            ),
            "end"
        );
        assert_eq!(
            field(
                json!({"employee_id": 1, "start": "2026-11-02T09:00", "end": "2026-11-03T10:00"})
            ),
            "end"
        );
        assert_eq!(
            field(
                json!({"employee_id": 1, "type": "BREAK", "start": "2026-11-02T09:00", "project_id": "3"})
            ),
            "project_id"
        );
        assert_eq!(
            field(json!({"employee_id": 1, "type": "NAP", "start": "2026-11-02T09:00"})),
            "type"
        );
        assert_eq!(
            field(json!({"employee_id": 1, "start": "2026-11-02T09:00", "colour": "red"})),
            "colour"
        );
        assert_eq!(
            AttendanceChanges::from_json(json!({"employee_id": 2}))
                .unwrap_err()
                .field,
            "employee_id"
        );
        assert!(AttendanceChanges::from_json(json!({})).is_err());
    }

    #[test]
    fn an_update_keeps_absent_apart_from_null() {
        let changes = AttendanceChanges::from_json(json!({"comment": null})).unwrap();
        assert_eq!(changes.comment, Some(None));
        let body = serde_json::to_value(changes.body()).unwrap();
        assert_eq!(body, json!({"comment": null}));
    }
}
