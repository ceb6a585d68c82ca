//! Time records through v2: absence types, absence periods and attendance periods. The
//! periods have a change feed (`updated_at.gte`, read by Personio as UTC without a zone:
//! a `Z` is refused, personio-api.md §3.1) and carry local wall-clock times.
//!
//! Deletions leave no trace in the feed, so reconciliation re-lists a recent window
//! (attendance is edited around today; absences are planned ahead and cancelled) and judges
//! only records starting in it.

use bridge_store::tables::{ABSENCE_PERIODS, ABSENCE_TYPES, ATTENDANCE_PERIODS};
use bridge_store::{Key, Table, Value, Window};
use chrono::{Duration, Utc};
use personio_api::v2;
use personio_client::Record;
use personio_client::endpoints::paths;

use super::{ListingPlan, Mapped, Paging, Resource, Slicing, instant, later, raw};
use crate::context::Context;
use crate::error::Error;
use crate::plan::{Step, StepKind};

/// How far back reconciliation re-lists attendance periods.
const ATTENDANCE_WINDOW_DAYS: i64 = 14;
/// How far back reconciliation re-lists absence periods (all later ones too).
const ABSENCE_WINDOW_DAYS: i64 = 60;

fn plan(path: &str, step: &Step, window_filter: &str, window_days: i64) -> ListingPlan {
    let mut query = vec![("limit".to_owned(), "100".to_owned())];
    match (step.kind, step.since) {
        (StepKind::Incremental, Some(since)) => {
            query.push((
                "updated_at.gte".into(),
                since.format("%Y-%m-%dT%H:%M:%S").to_string(),
            ));
        }
        (StepKind::Reconcile, _) => {
            query.push((window_filter.into(), window_start(step, window_days)))
        }
        _ => {}
    }
    ListingPlan {
        path: path.into(),
        query,
        paging: Paging::V2,
    }
}

/// Midnight `days` before the reconciliation's anchor, as a local date-time (the windows are
/// whole days). The anchor is the latest change Personio showed us (`step.since`, set by
/// the engine), or now if that is later: a sandbox or a Personio clock behind ours must not
/// leave recent deletions outside the window.
fn window_start(step: &Step, days: i64) -> String {
    let anchor = step.since.map_or(Utc::now(), |seen| seen.min(Utc::now()));
    (anchor - Duration::days(days))
        .format("%Y-%m-%dT00:00:00")
        .to_string()
}

fn window(step: &Step, days: i64) -> Window {
    Window {
        column: "start",
        equals: None,
        from: Some(window_start(step, days)),
        to: None,
    }
}

fn person(resource: &'static str, id: &str) -> Result<i64, Error> {
    id.trim().parse().map_err(|_| Error::Malformed {
        resource,
        field: "a numeric person id",
    })
}

/// `GET /v2/absence-types`: a short list, read whole every time.
pub(crate) struct AbsenceTypes;

impl Resource for AbsenceTypes {
    type Item = v2::AbsenceType;

    fn checkpoint_name(&self) -> String {
        "absence_types".into()
    }

    fn table(&self) -> &'static Table {
        &ABSENCE_TYPES
    }

    fn listing(&self, _: &Step) -> ListingPlan {
        ListingPlan {
            path: paths::ABSENCE_TYPES.into(),
            query: vec![("limit".into(), "100".into())],
            paging: Paging::V2,
        }
    }

    fn map(&self, _: &Step, items: Vec<Record<Self::Item>>, _: &Context) -> Result<Mapped, Error> {
        let mut mapped = Mapped::default();
        for record in items {
            let t = &record.value;
            mapped.rows.push(
                ABSENCE_TYPES
                    .row(Key::Text(t.id.clone()))
                    .set("name", Value::text(t.name.clone()))
                    .set("category", Value::opt_text(t.category.clone()))
                    .set("unit", Value::opt_text(t.unit.clone()))
                    .finish(raw(&record), None)?,
            );
        }
        Ok(mapped)
    }
}

/// `GET /v2/absence-periods`.
pub(crate) struct AbsencePeriods;

impl Resource for AbsencePeriods {
    type Item = v2::AbsencePeriod;

    fn checkpoint_name(&self) -> String {
        "absences".into()
    }

    fn table(&self) -> &'static Table {
        &ABSENCE_PERIODS
    }

    fn has_change_feed(&self) -> bool {
        true
    }

    fn listing(&self, step: &Step) -> ListingPlan {
        // Absences overlapping the window: those ending after its start (personio-api.md §3.7).
        plan(
            paths::ABSENCE_PERIODS,
            step,
            "ends_at.date_time.gte",
            ABSENCE_WINDOW_DAYS,
        )
    }

    fn map(
        &self,
        _: &Step,
        items: Vec<Record<Self::Item>>,
        ctx: &Context,
    ) -> Result<Mapped, Error> {
        let mut mapped = Mapped::default();
        for record in items {
            let a = &record.value;
            let employee = person("absence period", &a.person.id)?;
            let key = Key::Text(a.id.clone());
            if !ctx.in_scope(employee) {
                mapped.leaving.push(key);
                continue;
            }
            let updated = instant(a.updated_at.as_deref());
            mapped.max_updated = later(mapped.max_updated, updated);
            mapped.rows.push(absence_row(&record, key, employee)?);
        }
        Ok(mapped)
    }

    fn reconcile_scope(&self, step: &Step) -> Option<Window> {
        Some(window(step, ABSENCE_WINDOW_DAYS))
    }
}

/// `GET /v2/attendance-periods`: WORK periods and the BREAK periods inside them.
pub(crate) struct AttendancePeriods;

impl Resource for AttendancePeriods {
    type Item = v2::AttendancePeriod;

    fn checkpoint_name(&self) -> String {
        "attendances".into()
    }

    fn table(&self) -> &'static Table {
        &ATTENDANCE_PERIODS
    }

    fn has_change_feed(&self) -> bool {
        true
    }

    /// Periods partition by their start: each is in exactly one window. (Absence periods
    /// do not: their date filters match every absence overlapping the window.)
    fn slicing(&self) -> Option<Slicing> {
        Some(Slicing {
            from: "start.date_time.gte",
            to: "start.date_time.lte",
            sort: "start.date_time",
            pointer: "/start/date_time",
        })
    }

    fn listing(&self, step: &Step) -> ListingPlan {
        plan(
            paths::ATTENDANCE_PERIODS,
            step,
            "start.date_time.gte",
            ATTENDANCE_WINDOW_DAYS,
        )
    }

    fn map(
        &self,
        _: &Step,
        items: Vec<Record<Self::Item>>,
        ctx: &Context,
    ) -> Result<Mapped, Error> {
        let mut mapped = Mapped::default();
        for record in items {
            let p = &record.value;
            let employee = person("attendance period", &p.person.id)?;
            let key = Key::Text(p.id.clone());
            if !ctx.in_scope(employee) {
                mapped.leaving.push(key);
                continue;
            }
            let updated = instant(p.updated_at.as_deref());
            mapped.max_updated = later(mapped.max_updated, updated);
            mapped.rows.push(attendance_row(&record, key, employee)?);
        }
        Ok(mapped)
    }

    fn reconcile_scope(&self, step: &Step) -> Option<Window> {
        Some(window(step, ATTENDANCE_WINDOW_DAYS))
    }
}

/// The row of one v2 attendance period; written the same way by a sync and by a write to
/// Personio (`crate::write`), so that the next sync finds the written record unchanged.
pub(crate) fn attendance_row(
    record: &Record<v2::AttendancePeriod>,
    key: Key,
    employee: i64,
) -> Result<bridge_store::Row, Error> {
    let p = &record.value;
    let updated = instant(p.updated_at.as_deref());
    Ok(ATTENDANCE_PERIODS
        .row(key)
        .set("employee_id", Value::Int(employee))
        .set("type", Value::text(p.kind.clone()))
        .set("start", Value::text(p.start.date_time.clone()))
        .set(
            "end",
            Value::opt_text(p.end.as_ref().map(|e| e.date_time.clone())),
        )
        .set(
            "attribution_date",
            Value::opt_text(p.attribution_date.clone()),
        )
        .set(
            "status",
            Value::opt_text(p.approval.as_ref().map(|s| s.status.clone())),
        )
        .set(
            "project_id",
            Value::opt_text(p.project.as_ref().map(|r| r.id.clone())),
        )
        .set("comment", Value::opt_text(p.comment.clone()))
        // Summed from the BREAK periods by the store, in the write that stores them.
        .set("break_minutes", Value::Null)
        .finish(raw(record), updated)?)
}

/// The person id of a v2 period, as a number.
pub(crate) fn person_of(resource: &'static str, id: &str) -> Result<i64, Error> {
    person(resource, id)
}

/// The row of one v2 absence period, as a sync and a write to Personio store it.
pub(crate) fn absence_row(
    record: &Record<v2::AbsencePeriod>,
    key: Key,
    employee: i64,
) -> Result<bridge_store::Row, Error> {
    let a = &record.value;
    let updated = instant(a.updated_at.as_deref());
    Ok(ABSENCE_PERIODS
        .row(key)
        .set("employee_id", Value::Int(employee))
        .set("absence_type_id", Value::text(a.absence_type.id.clone()))
        .set("start", Value::text(a.starts_from.date_time.clone()))
        .set("start_half", Value::opt_text(a.starts_from.half.clone()))
        .set(
            "end",
            Value::opt_text(a.ends_at.as_ref().map(|e| e.date_time.clone())),
        )
        .set(
            "end_half",
            Value::opt_text(a.ends_at.as_ref().and_then(|e| e.half.clone())),
        )
        .set("timezone", Value::opt_text(a.timezone_id.clone()))
        .set(
            "status",
            Value::opt_text(a.approval.as_ref().map(|s| s.status.clone())),
        )
        .set("comment", Value::opt_text(a.comment.clone()))
        .finish(raw(record), updated)?)
}
