//! Absences through v1 (personio-api.md §2.5), for `--api v1`: day-unit time-offs from
//! `/v1/company/time-offs` and hour-unit periods from `/v1/company/absence-periods`.
//!
//! Both write the `absence_periods` rows the v2 resource writes (`time.rs`), keyed by the
//! v2 id and spelled as v2 spells them, so switching API neither duplicates nor deletes a
//! record. v1 splits absences by unit, so each listing judges deletions among its own rows
//! only: time-offs among day-unit rows (the ones with halves), each hourly listing among
//! the rows of its one absence type.

use std::collections::HashMap;

use bridge_store::tables::{ABSENCE_PERIODS, ABSENCE_TYPES};
use bridge_store::{Key, Table, Value, Window};
use chrono::NaiveDate;
use chrono_tz::Tz;
use futures::TryStreamExt;
use futures::future::BoxFuture;
use personio_api::v1;
use personio_client::endpoints::paths;
use personio_client::{OffsetKind, Record};

use super::{ListingPlan, Mapped, Paging, Reading, Resource, instant, later, raw};
use crate::context::Context;
use crate::engine::Syncing;
use crate::error::Error;
use crate::plan::{Step, StepKind};
use crate::summary::ResourceSummary;

/// Page size of every v1 absence list: Personio's maximum (personio-api.md §2.1).
const LIMIT: u32 = 200;

/// What the v1 time-off types tell the absence listings.
#[derive(Debug, Default)]
pub(crate) struct V1AbsenceTypes {
    /// The v2 id of each type, by v1 id: time-offs name their type by its v1 id only.
    pub(crate) v2_ids: HashMap<i64, String>,
    /// The v2 ids of hour-unit types, each read as a listing of its own.
    pub(crate) hourly: Vec<String>,
}

impl V1AbsenceTypes {
    /// Where the types are listed, by item offset (§2.1).
    pub(crate) const PATH: &str = paths::TIME_OFF_TYPES_V1;
    pub(crate) const LIMIT: u32 = LIMIT;

    pub(crate) fn new(types: Vec<Record<v1::TimeOffType>>) -> Result<V1AbsenceTypes, Error> {
        let mut known = V1AbsenceTypes::default();
        for record in types {
            let t = &record.value.attributes;
            let v2_id = type_v2_id(t)?;
            if t.unit.as_deref() == Some("hour") {
                known.hourly.push(v2_id.clone());
            }
            known.v2_ids.insert(t.id, v2_id);
        }
        Ok(known)
    }
}

/// A type's v2 id: without it the type could only be stored twice, so its absence is an
/// error that names the type.
fn type_v2_id(t: &v1::TimeOffTypeAttributes) -> Result<String, Error> {
    t.id_v2.clone().ok_or_else(|| Error::Unmatched {
        resource: "time-off type",
        id: t.id.to_string(),
        missing: "`id_v2`",
    })
}

/// `GET /v1/company/time-off-types` for `--api v1`: the rows `/v2/absence-types` gives.
pub(crate) struct TimeOffTypes;

/// v2's spelling of a v1 category or unit: the same words in capitals (`paid_vacation` →
/// `PAID_VACATION`, `day` → `DAY`). v2 documents the unit so (§3.7); for the category it
/// is our reading, as the v2 docs list no values.
fn v2_word(v1: Option<&str>) -> Value {
    Value::opt_text(v1.map(str::to_ascii_uppercase))
}

impl Resource for TimeOffTypes {
    type Item = v1::TimeOffType;

    fn checkpoint_name(&self) -> String {
        "absence_types_v1".into()
    }

    fn table(&self) -> &'static Table {
        &ABSENCE_TYPES
    }

    fn listing(&self, _: &Step) -> ListingPlan {
        ListingPlan {
            path: V1AbsenceTypes::PATH.into(),
            query: Vec::new(),
            paging: Paging::V1 {
                limit: LIMIT,
                offset_kind: OffsetKind::Items,
            },
        }
    }

    fn map(&self, _: &Step, items: Vec<Record<Self::Item>>, _: &Context) -> Result<Mapped, Error> {
        let mut mapped = Mapped::default();
        for record in items {
            let t = &record.value.attributes;
            mapped.rows.push(
                ABSENCE_TYPES
                    // Keyed by the v2 id, as absences name their type (§0).
                    .row(Key::Text(type_v2_id(t)?))
                    .set("name", Value::text(t.name.clone()))
                    .set("category", v2_word(t.category.as_deref()))
                    .set("unit", v2_word(t.unit.as_deref()))
                    .finish(raw(&record), None)?,
            );
        }
        Ok(mapped)
    }
}

/// The table's spelling of a v1 status (v2's, §3.7). v1 knows `approved`, `pending` and
/// `requested` (§2.5); which v2 status `requested` stands for is not documented (§8): we
/// read it as a request waiting for its substitute.
fn v2_status(v1: &str) -> String {
    match v1 {
        "requested" => "SUBSTITUTE_REQUESTED".to_owned(),
        other => other.to_ascii_uppercase(),
    }
}

/// v2's halves of a day-unit absence: it starts in the first half unless it starts at noon,
/// and ends in the second half unless it ends at noon.
fn half(noon: bool, at_start: bool) -> &'static str {
    if noon == at_start {
        "SECOND_HALF"
    } else {
        "FIRST_HALF"
    }
}

fn employee(resource: &'static str, e: &v1::Employee) -> Result<i64, Error> {
    e.id().map(|id| id.0).ok_or(Error::Malformed {
        resource,
        field: "an employee id",
    })
}

/// `GET /v1/company/time-offs`: day-unit absences, paged by page number from 1.
pub(crate) struct TimeOffs {
    pub(crate) v2_type_ids: HashMap<i64, String>,
}

impl TimeOffs {
    /// A local midnight as v2 writes a day-unit boundary (`2025-03-01T00:00:00`).
    fn day(id: i64, text: &str) -> Result<String, Error> {
        let day: NaiveDate =
            personio_api::time::parse_date(text).ok_or_else(|| Error::Unmatched {
                resource: "time-off",
                id: id.to_string(),
                missing: "a readable date",
            })?;
        Ok(format!("{day}T00:00:00"))
    }
}

impl Resource for TimeOffs {
    type Item = v1::TimeOffPeriod;

    fn checkpoint_name(&self) -> String {
        "absences_v1".into()
    }

    fn table(&self) -> &'static Table {
        &ABSENCE_PERIODS
    }

    fn has_change_feed(&self) -> bool {
        true
    }

    fn listing(&self, step: &Step) -> ListingPlan {
        let mut query = Vec::new();
        if let (StepKind::Incremental, Some(since)) = (step.kind, step.since) {
            // `updated_from` is a whole day in Personio's zone (§2.5). The UTC day of
            // `since` (the watermark less the plan's overlap) starts no later than that
            // local day east of UTC, and the overlap covers zones west of it; the price
            // is re-reading the rest of that day's changes.
            query.push((
                "updated_from".into(),
                since.date_naive().format("%Y-%m-%d").to_string(),
            ));
        }
        ListingPlan {
            path: paths::TIME_OFFS_V1.into(),
            query,
            paging: Paging::V1 {
                limit: LIMIT,
                offset_kind: OffsetKind::PagesFromOne,
            },
        }
    }

    fn map(
        &self,
        _: &Step,
        items: Vec<Record<Self::Item>>,
        ctx: &Context,
    ) -> Result<Mapped, Error> {
        let mut mapped = Mapped::default();
        for record in items {
            let a = &record.value.attributes;
            // Keyed as v2 keys it (§0, §2.5): without `id_v2` the record could only be
            // stored twice, so it stops the listing instead.
            let id = a.id_v2.clone().ok_or_else(|| Error::Unmatched {
                resource: "time-off",
                id: a.id.to_string(),
                missing: "`id_v2`",
            })?;
            let person = employee("time-off", &a.employee)?;
            let key = Key::Text(id);
            if !ctx.in_scope(person) {
                mapped.leaving.push(key);
                continue;
            }
            let type_id = a.time_off_type.attributes.id;
            let absence_type =
                self.v2_type_ids
                    .get(&type_id)
                    .cloned()
                    .ok_or_else(|| Error::Unmatched {
                        resource: "time-off",
                        id: a.id.to_string(),
                        missing: "a type listed by /v1/company/time-off-types",
                    })?;
            let updated = instant(a.updated_at.as_deref());
            mapped.max_updated = later(mapped.max_updated, updated);
            mapped.rows.push(
                ABSENCE_PERIODS
                    .row(key)
                    .set("employee_id", Value::Int(person))
                    .set("absence_type_id", Value::text(absence_type))
                    .set("start", Value::text(Self::day(a.id, &a.start_date)?))
                    .set("start_half", Value::text(half(a.half_day_start, true)))
                    // An open-ended time-off has no end in v2; v1 gives it one (the sandbox:
                    // today), which is all it tells.
                    .set("end", Value::text(Self::day(a.id, &a.end_date)?))
                    .set("end_half", Value::text(half(a.half_day_end, false)))
                    // Time-offs carry an offset, not a zone name.
                    .set("timezone", Value::Null)
                    .set("status", Value::text(v2_status(&a.status)))
                    .set("comment", Value::opt_text(a.comment.clone()))
                    .finish(raw(&record), updated)?,
            );
        }
        Ok(mapped)
    }

    /// Day-unit rows: v2 writes a half for both of their boundaries and none for hour-unit
    /// ones, and `>= ''` holds for any text but not for NULL.
    fn scope(&self) -> Option<Window> {
        Some(Window {
            column: "start_half",
            equals: None,
            from: Some(String::new()),
            to: None,
        })
    }
}

/// `GET /v1/company/absence-periods` for one hour-unit type, by item offset.
pub(crate) struct HourlyAbsences {
    /// The type's v2 id, which v1 also uses here (§2.5).
    pub(crate) absence_type: String,
}

impl HourlyAbsences {
    /// A UTC instant (`2022-05-31T22:00:00.0Z`) as the wall-clock time in `zone` that v2
    /// writes.
    fn local(id: &str, text: &str, zone: Tz) -> Result<String, Error> {
        personio_api::time::parse_utc(text)
            .map(|at| {
                at.with_timezone(&zone)
                    .format("%Y-%m-%dT%H:%M:%S")
                    .to_string()
            })
            .ok_or_else(|| Error::Unmatched {
                resource: "hourly absence period",
                id: id.to_owned(),
                missing: "a readable time",
            })
    }
}

impl Resource for HourlyAbsences {
    type Item = v1::HourlyAbsencePeriod;

    fn checkpoint_name(&self) -> String {
        format!("absences_v1_hourly:{}", self.absence_type)
    }

    fn table(&self) -> &'static Table {
        &ABSENCE_PERIODS
    }

    fn has_change_feed(&self) -> bool {
        true
    }

    fn listing(&self, step: &Step) -> ListingPlan {
        let mut query = vec![("absence_types[]".to_owned(), self.absence_type.clone())];
        if let (StepKind::Incremental, Some(since)) = (step.kind, step.since) {
            // Here `updated_from` is an instant (§2.5).
            query.push((
                "updated_from".into(),
                since.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            ));
        }
        ListingPlan {
            path: paths::ABSENCE_PERIODS_V1.into(),
            query,
            paging: Paging::V1 {
                limit: LIMIT,
                offset_kind: OffsetKind::Items,
            },
        }
    }

    fn map(
        &self,
        _: &Step,
        items: Vec<Record<Self::Item>>,
        ctx: &Context,
    ) -> Result<Mapped, Error> {
        let mut mapped = Mapped::default();
        for record in items {
            let a = &record.value.attributes;
            let person = employee("hourly absence period", &a.employee)?;
            // Hourly periods are keyed by the UUID v2 uses (§2.5, §5.2).
            let key = Key::Text(a.id.clone());
            if !ctx.in_scope(person) {
                mapped.leaving.push(key);
                continue;
            }
            let zone: Tz = a
                .timezone
                .as_deref()
                .and_then(|z| z.parse().ok())
                .ok_or_else(|| Error::Unmatched {
                    resource: "hourly absence period",
                    id: a.id.clone(),
                    missing: "a known `timezone`",
                })?;
            let end = a
                .end
                .as_deref()
                .map(|end| Self::local(&a.id, end, zone))
                .transpose()?;
            let updated = instant(a.updated_at.as_deref());
            mapped.max_updated = later(mapped.max_updated, updated);
            mapped.rows.push(
                ABSENCE_PERIODS
                    .row(key)
                    .set("employee_id", Value::Int(person))
                    .set(
                        "absence_type_id",
                        Value::text(a.absence_type.attributes.id.clone()),
                    )
                    .set("start", Value::text(Self::local(&a.id, &a.start, zone)?))
                    // v2 gives exact times and no halves for hour-unit absences.
                    .set("start_half", Value::Null)
                    .set("end", Value::opt_text(end))
                    .set("end_half", Value::Null)
                    .set("timezone", Value::text(zone.name()))
                    .set("status", Value::text(v2_status(&a.status)))
                    .set("comment", Value::opt_text(a.comment.clone()))
                    .finish(raw(&record), updated)?,
            );
        }
        Ok(mapped)
    }

    fn scope(&self) -> Option<Window> {
        Some(Window {
            column: "absence_type_id",
            equals: Some(self.absence_type.clone()),
            from: None,
            to: None,
        })
    }
}

/// Absences through v1 (`--api v1`): the time-off types first, since time-offs name their
/// type by its v1 id and the table by its v2 id; then the time-offs; then the periods of
/// each hour-unit type.
pub(crate) struct AbsencesThroughV1;

impl Reading for AbsencesThroughV1 {
    fn read<'a>(&'a self, sync: &'a Syncing<'a>) -> BoxFuture<'a, Result<ResourceSummary, Error>> {
        Box::pin(async move {
            let types = sync
                .client()
                .pages_v1::<v1::TimeOffType>(
                    V1AbsenceTypes::PATH,
                    Vec::new(),
                    V1AbsenceTypes::LIMIT,
                    OffsetKind::Items,
                    None,
                )
                .map_ok(|page| page.items)
                .try_concat()
                .await?;
            let types = V1AbsenceTypes::new(types)?;
            let time_offs = TimeOffs {
                v2_type_ids: types.v2_ids,
            };
            let mut summary = sync.listing(&time_offs).await?;
            // One request for the types, which no listing counts.
            summary.min_requests += 1;
            for absence_type in types.hourly {
                summary.add(&sync.listing(&HourlyAbsences { absence_type }).await?);
            }
            Ok(summary)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_read_as_v2_writes_them() {
        assert_eq!(half(false, true), "FIRST_HALF");
        assert_eq!(half(true, true), "SECOND_HALF");
        assert_eq!(half(false, false), "SECOND_HALF");
        assert_eq!(half(true, false), "FIRST_HALF");
    }

    #[test]
    fn statuses_take_the_v2_spelling() {
        assert_eq!(v2_status("approved"), "APPROVED");
        assert_eq!(v2_status("pending"), "PENDING");
        assert_eq!(v2_status("requested"), "SUBSTITUTE_REQUESTED");
    }

    #[test]
    fn hourly_times_are_local_wall_clock() {
        let zone: Tz = "Europe/Berlin".parse().unwrap();
        assert_eq!(
            HourlyAbsences::local("x", "2022-05-31T22:00:00.0Z", zone).unwrap(),
            "2022-06-01T00:00:00"
        );
        assert!(HourlyAbsences::local("x", "yesterday", zone).is_err());
    }

    fn time_off(id_v2: Option<&str>) -> Record<v1::TimeOffPeriod> {
        let mut attributes = serde_json::json!({
            "id": 7001, "status": "approved", "comment": null,
            "start_date": "2026-03-02T00:00:00+0100", "end_date": "2026-03-03T00:00:00+0100",
            "days_count": 1.5, "half_day_start": false, "half_day_end": true,
            "time_off_type": {"type": "TimeOffType", "attributes": {"id": 54, "name": "Vacation"}},
            "employee": {"type": "Employee", "attributes": {"id": {"label": "ID", "value": 12, "type": "integer"}}},
            "updated_at": "2026-03-01T09:00:00+0100"
        });
        if let Some(id) = id_v2 {
            attributes["id_v2"] = id.into();
        }
        let text =
            serde_json::json!({"type": "TimeOffPeriod", "attributes": attributes}).to_string();
        Record {
            value: serde_json::from_str(&text).unwrap(),
            raw: serde_json::value::RawValue::from_string(text).unwrap(),
        }
    }

    fn step() -> Step {
        Step {
            kind: StepKind::Full,
            since: None,
            resume: None,
        }
    }

    #[test]
    fn a_time_off_becomes_the_row_v2_would_write() {
        let time_offs = TimeOffs {
            v2_type_ids: HashMap::from([(54, "type-uuid".to_owned())]),
        };
        let mapped = time_offs
            .map(
                &step(),
                vec![time_off(Some("period-uuid"))],
                &Context::default(),
            )
            .unwrap();
        let row = &mapped.rows[0];
        assert_eq!(row.key, Key::Text("period-uuid".into()));
        assert_eq!(
            row.values(),
            vec![
                Value::Int(12),
                Value::text("type-uuid"),
                Value::text("2026-03-02T00:00:00"),
                Value::text("FIRST_HALF"),
                Value::text("2026-03-03T00:00:00"),
                Value::text("FIRST_HALF"),
                Value::Null,
                Value::text("APPROVED"),
                Value::Null,
            ]
        );
    }

    #[test]
    fn a_time_off_without_its_v2_id_stops_the_listing_and_is_named() {
        let time_offs = TimeOffs {
            v2_type_ids: HashMap::from([(54, "type-uuid".to_owned())]),
        };
        let error = time_offs
            .map(&step(), vec![time_off(None)], &Context::default())
            .unwrap_err();
        assert!(
            error.to_string().contains("time-off 7001 without `id_v2`"),
            "{error}"
        );
        let unknown_type = TimeOffs {
            v2_type_ids: HashMap::new(),
        };
        let error = unknown_type
            .map(&step(), vec![time_off(Some("p"))], &Context::default())
            .unwrap_err();
        assert!(error.to_string().contains("time-off 7001"), "{error}");
    }

    #[test]
    fn time_off_days_drop_the_offset() {
        assert_eq!(
            TimeOffs::day(1, "2017-12-27T00:00:00+0100").unwrap(),
            "2017-12-27T00:00:00"
        );
    }
}
