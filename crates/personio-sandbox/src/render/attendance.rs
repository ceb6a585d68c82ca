//! Attendance periods as v2 and v1 show them.
//!
//! Lists of v2 periods are the hottest path of the sandbox (millions of records), so
//! [`write_v2`] writes their JSON straight into the page buffer, without building the wire
//! type, allocating or formatting through `fmt`. [`v2`] builds the `personio_api` wire type
//! for single periods; a test holds the two to the same bytes.

use chrono::{DateTime, Timelike, Utc};
use personio_api::v1;
use personio_api::v2::{self, Approval, IdRef, LocalDateTime};

use super::v2_timestamp;
use crate::company::{AttendancePeriod, Attendances, Company, Employee, LocalMinute, holidays};

/// A period as the v2 wire type.
pub(crate) fn v2(store: &Attendances, p: &AttendancePeriod) -> v2::AttendancePeriod {
    let iso = |m: LocalMinute| {
        let mut out = Vec::with_capacity(19);
        m.write_iso(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    };
    v2::AttendancePeriod {
        id: p.id.to_string(),
        person: IdRef::new(p.person),
        kind: p.kind.as_str().to_owned(),
        start: LocalDateTime::new(iso(p.start)),
        end: p.end().map(|e| LocalDateTime::new(iso(e))),
        attribution_date: Some(p.attribution_date.format("%Y-%m-%d").to_string()),
        comment: store.comment(p).map(str::to_owned),
        project: p.project.map(IdRef::new),
        approval: Some(Approval {
            status: p.status.as_str().to_owned(),
        }),
        is_auto_generated: Some(p.is_auto_generated),
        created_at: Some(v2_timestamp(p.created_at)),
        updated_at: Some(v2_timestamp(p.updated_at)),
    }
}

/// The same JSON as `serde_json::to_vec(&v2(store, p))`, written into `out`.
pub(crate) fn write_v2(store: &Attendances, p: &AttendancePeriod, out: &mut Vec<u8>) {
    let mut ids = itoa::Buffer::new();
    let mut uuid = uuid::Uuid::encode_buffer();
    out.extend_from_slice(b"{\"id\":\"");
    out.extend_from_slice(p.id.hyphenated().encode_lower(&mut uuid).as_bytes());
    out.extend_from_slice(b"\",\"person\":{\"id\":\"");
    out.extend_from_slice(ids.format(p.person).as_bytes());
    out.extend_from_slice(b"\"},\"type\":\"");
    out.extend_from_slice(p.kind.as_str().as_bytes());
    out.extend_from_slice(b"\",\"start\":{\"date_time\":\"");
    p.start.write_iso(out);
    out.extend_from_slice(b"\"},\"end\":");
    match p.end() {
        Some(end) => {
            out.extend_from_slice(b"{\"date_time\":\"");
            end.write_iso(out);
            out.extend_from_slice(b"\"}");
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"attribution_date\":\"");
    crate::company::write_date(p.attribution_date, out);
    out.extend_from_slice(b"\",\"comment\":");
    match store.comment(p) {
        Some(text) => serde_json::to_writer(&mut *out, text).expect("a string always serializes"),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"project\":");
    match p.project {
        Some(project) => {
            out.extend_from_slice(b"{\"id\":\"");
            out.extend_from_slice(ids.format(project).as_bytes());
            out.extend_from_slice(b"\"}");
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"approval\":{\"status\":\"");
    out.extend_from_slice(p.status.as_str().as_bytes());
    out.extend_from_slice(b"\"},\"is_auto_generated\":");
    out.extend_from_slice(if p.is_auto_generated {
        b"true"
    } else {
        b"false"
    });
    out.extend_from_slice(b",\"created_at\":\"");
    write_utc(p.created_at, out);
    out.extend_from_slice(b"\",\"updated_at\":\"");
    write_utc(p.updated_at, out);
    out.extend_from_slice(b"\"}");
}

/// `YYYY-MM-DDTHH:MM:SSZ`, as [`v2_timestamp`] writes it.
fn write_utc(at: DateTime<Utc>, out: &mut Vec<u8>) {
    crate::company::write_date(at.date_naive(), out);
    let seconds = at.num_seconds_from_midnight();
    let two = |out: &mut Vec<u8>, n: u32| {
        out.push(b'0' + (n / 10) as u8);
        out.push(b'0' + (n % 10) as u8);
    };
    out.push(b'T');
    two(out, seconds / 3600);
    out.push(b':');
    two(out, seconds / 60 % 60);
    out.push(b':');
    two(out, seconds % 60);
    out.push(b'Z');
}

/// A work period as a v1 attendance: its breaks as minutes, and whether the day was a
/// holiday or taken by an absence.
pub(crate) fn v1(company: &Company, p: &AttendancePeriod) -> v1::Attendance {
    let store = &company.attendances;
    let day = p.attribution_date;
    let employee: Option<&Employee> = company.employee(p.person);
    let is_holiday = employee
        .and_then(|e| company.holiday_calendar(e.holiday_calendar_id))
        .is_some_and(|c| holidays(c, chrono::Datelike::year(&day)).contains(&day));
    let day_start = LocalMinute::at(day, 0);
    let is_on_time_off = company
        .absences
        .of_person(p.person)
        .any(|a| a.overlaps(day_start, day_start.plus(24 * 60)));
    v1::Attendance {
        id: store.v1_id(p.id).unwrap_or_default(),
        kind: "AttendancePeriod".to_owned(),
        attributes: v1::AttendanceAttributes {
            employee: p.person,
            date: day.format("%Y-%m-%d").to_string(),
            start_time: p.start.hh_mm(),
            end_time: p.end().map(LocalMinute::hh_mm),
            break_minutes: i64::from(store.break_minutes(p)),
            comment: store.comment(p).map(str::to_owned),
            // Attendance `updated_at` is UTC with a `+00:00` offset (§2.3 example).
            updated_at: Some(p.updated_at.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()),
            status: Some(p.status.v1_str().to_owned()),
            is_holiday,
            is_on_time_off,
            project: p
                .project
                .and_then(|id| company.project(id))
                .map(super::project::v1_embedded),
            id_v2: Some(p.id.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::company::{GenerateSpec, HistorySpec};

    #[test]
    fn the_fast_writer_matches_the_wire_type_byte_for_byte() {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        let mut company = Company::generate(GenerateSpec {
            seed: 3,
            employees: 40,
            as_of,
        });
        company.generate_history(HistorySpec { seed: 3, days: 60 });
        let store = &company.attendances;
        assert!(store.periods.len() > 500);
        for p in store.periods.iter() {
            let mut fast = Vec::new();
            write_v2(store, p, &mut fast);
            let typed = serde_json::to_vec(&v2(store, p)).unwrap();
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                String::from_utf8(typed).unwrap()
            );
        }
    }
}
