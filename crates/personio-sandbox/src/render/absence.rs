//! Absences and absence types as v2 and v1 show them.
//!
//! v2 gives day-unit absences as days with halves (`FIRST_HALF`/`SECOND_HALF`) and
//! hour-unit ones as exact local times; v1 splits them into day-unit time-offs (dates with a
//! `+0100` offset, `days_count`) and hour-unit absence periods (UTC instants, minutes).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use indexmap::IndexMap;
use personio_api::v1::{self, Attribute, Embedded};
use personio_api::v2::{self, AbsenceBoundary, Approval, IdRef};
use serde_json::json;

use super::{v2_date, v2_timestamp};
use crate::company::{
    AbsencePeriod, AbsenceUnit, Company, DayShare, Employee, LocalMinute, STANDARD_ATTRIBUTES,
    TimeOffType,
};
use crate::credentials::ReadableAttributes;

fn iso(m: LocalMinute) -> String {
    let mut out = Vec::with_capacity(19);
    m.write_iso(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn half(second: bool) -> Option<String> {
    Some(if second { "SECOND_HALF" } else { "FIRST_HALF" }.to_owned())
}

fn unit_of(company: &Company, a: &AbsencePeriod) -> AbsenceUnit {
    company
        .time_off_type(a.type_id)
        .map_or(AbsenceUnit::Day, |t| t.unit)
}

/// An absence as v2 shows it. Day-unit: each boundary is a day at midnight with the half
/// it covers; hour-unit: the exact times and no half (our reading of §3.7, where halves
/// are only described for day absences).
pub(crate) fn v2(company: &Company, a: &AbsencePeriod) -> v2::AbsencePeriod {
    let tz = company
        .employee(a.person)
        .map_or(company.timezone, |e| company.timezone_of(e));
    let (starts_from, ends_at) = match unit_of(company, a) {
        AbsenceUnit::Day => {
            let (first, from_noon) = a.first_day();
            (
                AbsenceBoundary {
                    date_time: iso(LocalMinute::at(first, 0)),
                    half: half(from_noon),
                },
                a.last_day().map(|(last, until_noon)| AbsenceBoundary {
                    date_time: iso(LocalMinute::at(last, 0)),
                    half: half(!until_noon),
                }),
            )
        }
        AbsenceUnit::Hour => (
            AbsenceBoundary {
                date_time: iso(a.start),
                half: None,
            },
            (!a.end.is_open()).then(|| AbsenceBoundary {
                date_time: iso(a.end),
                half: None,
            }),
        ),
    };
    v2::AbsencePeriod {
        id: a.id.to_string(),
        person: IdRef::new(a.person),
        absence_type: IdRef::new(
            company
                .time_off_type(a.type_id)
                .map_or_else(String::new, |t| t.uuid.to_string()),
        ),
        starts_from,
        ends_at,
        timezone_id: Some(tz.name().to_owned()),
        comment: a.comment.clone(),
        approval: Some(Approval {
            status: a.status.as_str().to_owned(),
        }),
        substitute: Some(a.substitute.map(IdRef::new)),
        created_at: Some(v2_timestamp(a.created_at)),
        updated_at: Some(v2_timestamp(a.updated_at)),
    }
}

/// One day of `/v2/absence-periods/{id}/breakdowns`.
pub(crate) fn v2_breakdown(unit: AbsenceUnit, day: &DayShare) -> v2::Breakdown {
    v2::Breakdown {
        date: v2_date(day.date),
        effective_duration: v2::EffectiveDuration {
            unit: match unit {
                AbsenceUnit::Day => "DAY",
                AbsenceUnit::Hour => "HOUR",
            }
            .to_owned(),
            value: day.amount,
        },
    }
}

/// A type as `/v2/absence-types` shows it: the v2 id, category in capitals.
pub(crate) fn v2_type(t: &TimeOffType) -> v2::AbsenceType {
    v2::AbsenceType {
        id: t.uuid.to_string(),
        name: t.name.to_owned(),
        category: Some(t.category.to_ascii_uppercase()),
        unit: Some(t.unit.as_str().to_ascii_uppercase()),
    }
}

/// A type as `/v1/company/time-off-types` shows it.
pub(crate) fn v1_type(t: &TimeOffType) -> v1::TimeOffType {
    Embedded {
        kind: "TimeOffType".to_owned(),
        attributes: v1::TimeOffTypeAttributes {
            id: t.id,
            name: t.name.to_owned(),
            category: Some(t.category.to_owned()),
            unit: Some(t.unit.as_str().to_owned()),
            approval_required: Some(t.approval_required),
            half_day_requests_enabled: Some(t.half_day_requests_enabled),
            certification_required: Some(t.certification_required),
            certification_submission_timeframe: Some(i64::from(
                t.certification_submission_timeframe,
            )),
            substitute_option: Some(t.substitute_option.to_owned()),
            id_v2: Some(t.uuid.to_string()),
        },
    }
}

/// The short employee v1 embeds in absences: id, names and email, as far as the caller
/// may read them (`id` always).
pub(crate) fn short_employee(e: &Employee, readable: &ReadableAttributes) -> v1::Employee {
    let mut attributes = IndexMap::new();
    for key in ["id", "first_name", "last_name", "email"] {
        if key != "id" && !readable.allows(key) {
            continue;
        }
        let Some(spec) = STANDARD_ATTRIBUTES.iter().find(|a| a.key == key) else {
            continue;
        };
        let value = match key {
            "id" => json!(e.id),
            "first_name" => json!(e.first_name),
            "last_name" => json!(e.last_name),
            _ => json!(e.email),
        };
        attributes.insert(
            key.to_owned(),
            Attribute {
                label: spec.label.to_owned(),
                value,
                kind: spec.kind.as_str().to_owned(),
                universal_id: Some(key.to_owned()),
                currency: None,
            },
        );
    }
    v1::Employee {
        kind: "Employee".to_owned(),
        attributes,
    }
}

/// `2017-12-27T00:00:00+0100`: time-offs write their offset without a colon (§2.5).
fn v1_compact(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%Y-%m-%dT%H:%M:%S%z")
        .to_string()
}

fn v1_midnight(day: NaiveDate, tz: Tz) -> String {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    match tz.from_local_datetime(&midnight).earliest() {
        Some(local) => local.format("%Y-%m-%dT%H:%M:%S%z").to_string(),
        None => format!("{}+0000", midnight.format("%Y-%m-%dT%H:%M:%S")),
    }
}

/// A day-unit absence as a v1 time-off. `today` bounds the count of an open-ended one.
pub(crate) fn v1_time_off(
    company: &Company,
    a: &AbsencePeriod,
    readable: &ReadableAttributes,
    today: NaiveDate,
) -> Option<v1::TimeOffPeriod> {
    let employee = company.employee(a.person)?;
    let kind = company.time_off_type(a.type_id)?;
    let tz = company.timezone_of(employee);
    let (first, from_noon) = a.first_day();
    let (last, until_noon) = a.last_day().unwrap_or((today.max(first), false));
    let days_count = company
        .absence_days(a, today)
        .iter()
        .map(|d| d.amount)
        .sum();
    Some(Embedded {
        kind: "TimeOffPeriod".to_owned(),
        attributes: v1::TimeOffAttributes {
            id: company.absences.v1_id(a.id)?,
            status: a.status.v1_str().to_owned(),
            comment: a.comment.clone(),
            start_date: v1_midnight(first, tz),
            end_date: v1_midnight(last, tz),
            days_count,
            half_day_start: from_noon,
            half_day_end: until_noon,
            time_off_type: Embedded {
                kind: "TimeOffType".to_owned(),
                attributes: v1::TimeOffTypeRef {
                    id: kind.id,
                    name: kind.name.to_owned(),
                    category: Some(kind.category.to_owned()),
                },
            },
            employee: short_employee(employee, readable),
            // Certificates are not enforced through the API (personio-api.md §6 #23).
            certificate: Some(v1::Certificate {
                status: "not-required".to_owned(),
            }),
            created_at: Some(v1_compact(a.created_at, tz)),
            created_by: None,
            updated_at: Some(v1_compact(a.updated_at, tz)),
            id_v2: Some(a.id.to_string()),
        },
    })
}

/// `2022-05-31T22:00:00.0Z`: hourly periods write UTC with one fraction digit (§2.5).
fn v1_instant(m: LocalMinute, tz: Tz) -> String {
    let utc = tz
        .from_local_datetime(&m.naive())
        .earliest()
        .map_or_else(|| m.naive().and_utc(), |t| t.with_timezone(&Utc));
    utc.format("%Y-%m-%dT%H:%M:%S.0Z").to_string()
}

fn v1_millis(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// An hour-unit absence as a v1 absence period.
pub(crate) fn v1_hourly(
    company: &Company,
    a: &AbsencePeriod,
    readable: &ReadableAttributes,
    today: NaiveDate,
) -> Option<v1::HourlyAbsencePeriod> {
    let employee = company.employee(a.person)?;
    let kind = company.time_off_type(a.type_id)?;
    let tz = company.timezone_of(employee);
    let days = company.absence_days(a, today);
    let (_, from_noon) = a.first_day();
    Some(Embedded {
        kind: "AbsencePeriod".to_owned(),
        attributes: v1::HourlyAbsenceAttributes {
            id: a.id.to_string(),
            measurement_unit: "hour".to_owned(),
            effective_duration: days.iter().map(|d| d.minutes).sum(),
            employee: short_employee(employee, readable),
            absence_type: Embedded {
                kind: "AbsenceType".to_owned(),
                attributes: v1::AbsenceTypeRef {
                    id: kind.uuid.to_string(),
                    name: kind.name.to_owned(),
                    time_off_type_id: Some(kind.id),
                },
            },
            certificate: Some(v1::Certificate {
                status: "not-required".to_owned(),
            }),
            start: v1_instant(a.start, tz),
            end: (!a.end.is_open()).then(|| v1_instant(a.end, tz)),
            half_day_start: from_noon,
            half_day_end: a.last_day().is_some_and(|l| l.1),
            comment: a.comment.clone(),
            origin: Some(a.origin.as_str().to_owned()),
            status: a.status.v1_str().to_owned(),
            timezone: Some(tz.name().to_owned()),
            created_by: a.created_by,
            created_at: Some(v1_millis(a.created_at)),
            updated_at: Some(v1_millis(a.updated_at)),
            approved_at: a.approved_at.map(v1_millis),
            breakdowns: days
                .iter()
                .map(|d| v1::DailyMinutes {
                    date: v2_date(d.date),
                    effective_duration: d.minutes,
                })
                .collect(),
        },
    })
}
