//! Absence periods written through v2 `/v2/absence-periods` (personio-api.md §3.7): the
//! body in the bridge's field names, Personio's body, and how a create whose answer was
//! lost is recognised in Personio.
//!
//! Checked before sending: the end not before the start, half days named as Personio names
//! them, and a single day that starts in its second half and ends in its first (Personio
//! rejects that combination since 2025-01-24, §3.7, H). Whether the type allows half days,
//! needs a substitute, or overlaps another absence is Personio's to judge (409/422): its
//! refusal is passed on.

use chrono::NaiveDateTime;
use personio_api::v2::{AbsenceBoundary, AbsencePeriod, AbsencePeriodWrite, IdRef};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fields::{FieldError, Fields, bounded_text, format_local, id, integer, one_of, text};

const HALVES: &[&str] = &["FIRST_HALF", "SECOND_HALF"];
const STATUSES: &[&str] = &["APPROVED", "PENDING"];
/// Personio's limit is not confirmed (personio-api.md §3.7 says "≤2000?"); ours is that.
const MAX_COMMENT: usize = 2000;

const FIELDS: &[&str] = &[
    "employee_id",
    "absence_type_id",
    "start",
    "end",
    "start_half",
    "end_half",
    "comment",
    "status",
];

/// An absence period to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAbsence {
    pub employee_id: i64,
    pub absence_type_id: String,
    pub start: String,
    pub end: Option<String>,
    pub start_half: Option<String>,
    pub end_half: Option<String>,
    pub comment: Option<String>,
    /// `status: APPROVED` asks Personio to skip approval (`skip_approval=true`); without it
    /// a type that needs approval starts pending (Personio's default, §3.7).
    pub approved: bool,
}

impl NewAbsence {
    /// Reads a create body: `{"employee_id", "absence_type_id", "start", "end"?,
    /// "start_half"?, "end_half"?, "comment"?, "status"?}`. `start` and `end` are local
    /// dates (`2026-12-01`) for absences counted in days, or local times for hours.
    pub fn from_json(body: Value) -> Result<NewAbsence, FieldError> {
        let mut fields = Fields::of(body)?;
        let employee_id = fields.required("employee_id", integer)?;
        let absence_type_id = fields.required("absence_type_id", id)?;
        let start = fields.required("start", day_or_time)?;
        let end = fields.optional("end", day_or_time)?;
        let start_half = fields.optional("start_half", one_of(HALVES))?;
        let end_half = fields.optional("end_half", one_of(HALVES))?;
        let comment = fields.optional("comment", bounded_text(MAX_COMMENT))?;
        let status = fields.optional("status", one_of(STATUSES))?;
        fields.finish(FIELDS)?;
        if let Some(end) = end {
            if end.date() < start.date() || (end.date() == start.date() && end < start) {
                return Err(FieldError::new("end", "must not be before start"));
            }
            let same_day = end.date() == start.date();
            if same_day
                && start_half.as_deref() == Some("SECOND_HALF")
                && end_half.as_deref() == Some("FIRST_HALF")
            {
                return Err(FieldError::new(
                    "end_half",
                    "a single day cannot start in its second half and end in its first",
                ));
            }
        } else if end_half.is_some() {
            return Err(FieldError::new("end_half", "goes only with end"));
        }
        Ok(NewAbsence {
            employee_id,
            absence_type_id,
            start: format_local(start),
            end: end.map(format_local),
            start_half,
            end_half,
            comment,
            approved: status.as_deref() == Some("APPROVED"),
        })
    }

    pub(crate) fn body(&self) -> AbsencePeriodWrite {
        AbsencePeriodWrite {
            person: Some(IdRef::new(self.employee_id)),
            absence_type: Some(IdRef::new(&self.absence_type_id)),
            starts_from: Some(AbsenceBoundary {
                date_time: self.start.clone(),
                half: self.start_half.clone(),
            }),
            ends_at: Some(self.end.clone().map(|end| AbsenceBoundary {
                date_time: end,
                half: self.end_half.clone(),
            })),
            comment: self.comment.clone().map(Some),
            ..AbsencePeriodWrite::default()
        }
    }

    /// The filters that find this absence: its person and type, overlapping its first day
    /// (Personio's date filters match overlapping absences, §3.7).
    pub(crate) fn lookup(&self) -> Vec<(&'static str, String)> {
        let day = &self.start[..10];
        vec![
            ("person.id", self.employee_id.to_string()),
            ("absence_type.id", self.absence_type_id.clone()),
            ("starts_from.date_time.gte", format!("{day}T00:00:00")),
            ("starts_from.date_time.lte", format!("{day}T23:59:59")),
        ]
    }

    /// Whether `absence` is the one this write creates: Personio refuses overlapping
    /// absences, so one of this person and type starting and ending when this one does can
    /// only be it. Days compare by date (Personio may show a day's absence with other
    /// times), hours by time.
    pub(crate) fn is(&self, absence: &AbsencePeriod) -> bool {
        let same = |personio: &str, ours: &str| {
            if ours.ends_with("T00:00:00") {
                personio.get(..10) == ours.get(..10)
            } else {
                personio.get(..16) == ours.get(..16)
            }
        };
        absence.person.id.trim() == self.employee_id.to_string()
            && absence.absence_type.id == self.absence_type_id
            && same(&absence.starts_from.date_time, &self.start)
            && match (&absence.ends_at, &self.end) {
                (Some(a), Some(b)) => same(&a.date_time, b),
                (None, None) => true,
                _ => false,
            }
    }
}

/// A local date (`2026-12-01`, the day's start) or a local time.
fn day_or_time(field: &str, value: Value) -> Result<NaiveDateTime, FieldError> {
    let raw = text(field, value.clone())?;
    if let Ok(day) = chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        return Ok(day.and_time(chrono::NaiveTime::MIN));
    }
    super::fields::local_time(field, value).map_err(|_| {
        FieldError::new(
            field,
            "must be a local date such as 2026-12-01, or a local time such as 2026-12-01T09:00:00 (no zone)",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_absence_is_read_and_checked() {
        let new = NewAbsence::from_json(json!({
            "employee_id": 3, "absence_type_id": "t-1", "start": "2027-02-01", "end": "2027-02-03",
            "end_half": "first_half"
        }))
        .unwrap();
        assert_eq!(new.start, "2027-02-01T00:00:00");
        assert_eq!(new.end_half.as_deref(), Some("FIRST_HALF"));
        let body = serde_json::to_value(new.body()).unwrap();
        assert_eq!(body["absence_type"]["id"], "t-1");
        assert_eq!(body["ends_at"]["type"], "FIRST_HALF");
        let field = |body: Value| NewAbsence::from_json(body).unwrap_err().field;
        assert_eq!(
            field(json!({"employee_id": 3, "start": "2027-02-01"})),
            "absence_type_id"
        );
        assert_eq!(
            field(
                json!({"employee_id": 3, "absence_type_id": "t", "start": "2027-02-03", "end": "2027-02-01"})
            ),
            "end"
        );
        assert_eq!(
            field(
                json!({"employee_id": 3, "absence_type_id": "t", "start": "2027-02-03", "end": "2027-02-03",
                          "start_half": "SECOND_HALF", "end_half": "FIRST_HALF"})
            ),
            "end_half"
        );
        assert_eq!(
            field(json!({"employee_id": 3, "absence_type_id": "t", "start": "soon"})),
            "start"
        );
    }
}
