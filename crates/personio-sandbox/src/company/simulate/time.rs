//! How time records change from day to day. At the end of each workday the people who clock
//! their hours record it (a work period with its break; pending where a manager approves);
//! approvers decide on pending periods and absence requests; people ask for vacation weeks
//! ahead, call in sick, book hours of training, and now and then move or cancel a booked
//! absence; a few clocked periods are corrected or deleted. Decisions happen on weekdays.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use super::{Day, SimulationReport};
use crate::company::employee::Status;
use crate::company::generate::uuid_from;
use crate::company::holidays::HolidayMask;
use crate::company::local_time::LocalMinute;
use crate::company::org::AbsenceUnit;
use crate::company::{
    AbsenceChanges, AbsenceOrigin, AbsenceSpan, AbsenceStatus, AttendanceChanges, AttendanceStatus,
    Company, NewAbsence, NewAttendance, PeriodKind,
};

/// Share of planned workdays people clock (the rest they forget, or fix later).
const CLOCKED: f64 = 0.95;
/// Share of people whose clocked time a manager approves.
const NEEDS_APPROVAL: u64 = 35;
/// Per pending record and weekday: the chance an approver decides on it today.
const DECIDE_ATTENDANCE: f64 = 0.4;
const DECIDE_ABSENCE: f64 = 0.3;
/// Share of decisions that reject.
const REJECTS: f64 = 0.08;
/// Per work period of the last week and weekday: corrected, or deleted as a mistake.
const CORRECTIONS: f64 = 0.002;
const PERIOD_DELETIONS: f64 = 0.0005;
/// Per active employee and weekday.
const VACATION_REQUESTS: f64 = 0.012;
const SICK_CALLS: f64 = 0.004;
const HOUR_BOOKINGS: f64 = 0.002;
/// Per absence still ahead and weekday.
const MOVES: f64 = 0.002;
const CANCELLATIONS: f64 = 0.001;

/// What someone asks for.
#[derive(Debug, Clone, Copy)]
pub(super) enum Request {
    Vacation,
    Sick,
    Hours,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Action {
    /// Work from `start` (local) for `minutes`, breaks included.
    Clock {
        person: i64,
        start: NaiveDateTime,
        minutes: i64,
        status: AttendanceStatus,
    },
    DecideAttendance(Uuid),
    CorrectAttendance(Uuid),
    DeleteAttendance(Uuid),
    Request(i64, Request),
    DecideAbsence(Uuid),
    MoveAbsence(Uuid),
    CancelAbsence(Uuid),
}

/// Which records the simulation touched: for each, whether it existed before and whether
/// it exists now.
#[derive(Debug, Default)]
pub(super) struct Time {
    touched: HashMap<(&'static str, Uuid), (bool, bool)>,
}

const ATTENDANCES: &str = "attendances";
const ABSENCES: &str = "absences";

impl Time {
    /// The day's changes to time records, each at its time of day.
    pub(super) fn draw(company: &Company, day: &mut Day) -> Vec<(DateTime<Utc>, Action)> {
        let mut out = Vec::new();
        clocking(company, day, &mut out);
        if day.is_weekend() {
            return out;
        }
        requests(company, day, &mut out);
        let today = day.date();
        for period in company.attendances.periods.iter() {
            let age = (today - period.attribution_date).num_days();
            if period.kind != PeriodKind::Work || !(1..=30).contains(&age) {
                continue;
            }
            let rng = &mut day.rng;
            if period.status == AttendanceStatus::Pending && rng.random_bool(DECIDE_ATTENDANCE) {
                out.push((office_hours(day), Action::DecideAttendance(period.id)));
            } else if age <= 7 && day.rng.random_bool(CORRECTIONS) {
                out.push((office_hours(day), Action::CorrectAttendance(period.id)));
            } else if age <= 7 && day.rng.random_bool(PERIOD_DELETIONS) {
                out.push((office_hours(day), Action::DeleteAttendance(period.id)));
            }
        }
        for absence in company.absences.periods.iter() {
            let rng = &mut day.rng;
            if absence.status == AbsenceStatus::Pending && rng.random_bool(DECIDE_ABSENCE) {
                out.push((office_hours(day), Action::DecideAbsence(absence.id)));
            } else if absence.start.day() > today {
                if day.rng.random_bool(MOVES) {
                    out.push((office_hours(day), Action::MoveAbsence(absence.id)));
                } else if day.rng.random_bool(CANCELLATIONS) {
                    out.push((office_hours(day), Action::CancelAbsence(absence.id)));
                }
            }
        }
        out
    }

    /// Carries out one change; one the company refuses (an overlap, a record already gone)
    /// is dropped, as a person would give up.
    pub(super) fn apply(
        &mut self,
        company: &mut Company,
        rng: &mut ChaCha8Rng,
        at: DateTime<Utc>,
        action: Action,
    ) {
        match action {
            Action::Clock {
                person,
                start,
                minutes,
                status,
            } => self.clock(company, rng, at, (person, start, minutes, status)),
            Action::DecideAttendance(id) => {
                let status = if rng.random_bool(REJECTS) {
                    AttendanceStatus::Rejected
                } else {
                    AttendanceStatus::Confirmed
                };
                for id in with_breaks(company, id) {
                    if company.set_attendance_status(id, status, at).is_ok() {
                        self.updated(ATTENDANCES, id);
                    }
                }
            }
            Action::CorrectAttendance(id) => {
                let Some(end) = company.attendances.get(id).and_then(|p| p.end()) else {
                    return;
                };
                let shift = 5 * rng.random_range(1..=6) * if rng.random_bool(0.5) { 1 } else { -1 };
                let changes = AttendanceChanges {
                    end: Some(Some(end.plus(shift).naive())),
                    ..Default::default()
                };
                if company.update_attendance(id, changes, at).is_ok() {
                    self.updated(ATTENDANCES, id);
                }
            }
            Action::DeleteAttendance(id) => {
                for id in with_breaks(company, id) {
                    if company.delete_attendance(id, at).is_ok() {
                        self.deleted(ATTENDANCES, id);
                    }
                }
            }
            Action::Request(person, request) => self.request(company, rng, at, person, request),
            Action::DecideAbsence(id) => {
                let decided = if rng.random_bool(REJECTS) {
                    company.reject_absence(id, at).map(|_| false)
                } else {
                    company
                        .set_absence_status(id, AbsenceStatus::Approved, at)
                        .map(|_| true)
                };
                match decided {
                    Ok(true) => self.updated(ABSENCES, id),
                    Ok(false) => self.deleted(ABSENCES, id),
                    Err(_) => {}
                }
            }
            Action::MoveAbsence(id) => {
                let Some(absence) = company.absences.get(id) else {
                    return;
                };
                let span = match company.span_of(absence) {
                    AbsenceSpan::Days {
                        first,
                        from_noon,
                        last: Some(last),
                        until_noon,
                    } => {
                        let longer = rng.random_bool(0.5) || last == first;
                        AbsenceSpan::Days {
                            first,
                            from_noon,
                            last: Some(last + Duration::days(if longer { 1 } else { -1 })),
                            until_noon,
                        }
                    }
                    AbsenceSpan::Hours { start, end } => AbsenceSpan::Hours {
                        start: start + Duration::hours(1),
                        end: end + Duration::hours(1),
                    },
                    AbsenceSpan::Days { last: None, .. } => return,
                };
                let changes = AbsenceChanges {
                    span: Some(span),
                    ..Default::default()
                };
                if company.update_absence(id, changes, at).is_ok() {
                    self.updated(ABSENCES, id);
                }
            }
            Action::CancelAbsence(id) => {
                if company.delete_absence(id, at).is_ok() {
                    self.deleted(ABSENCES, id);
                }
            }
        }
    }

    /// Adds what the simulation did to attendances and absences to the report: a record
    /// created and then deleted counts nowhere, as no listing ever showed it.
    pub(super) fn report(&self, report: &mut SimulationReport) {
        for resource in [ATTENDANCES, ABSENCES] {
            for counts in [
                &mut report.created,
                &mut report.updated,
                &mut report.deleted,
            ] {
                counts.insert(resource, 0);
            }
        }
        for (&(resource, _), &(before, now)) in &self.touched {
            let counts = match (before, now) {
                (false, true) => &mut report.created,
                (true, true) => &mut report.updated,
                (true, false) => &mut report.deleted,
                (false, false) => continue,
            };
            *counts.entry(resource).or_default() += 1;
        }
    }

    fn created(&mut self, resource: &'static str, id: Uuid) {
        self.touched.insert((resource, id), (false, true));
    }

    fn updated(&mut self, resource: &'static str, id: Uuid) {
        self.touched.entry((resource, id)).or_insert((true, true));
    }

    fn deleted(&mut self, resource: &'static str, id: Uuid) {
        self.touched.entry((resource, id)).or_insert((true, true)).1 = false;
    }

    fn clock(
        &mut self,
        company: &mut Company,
        rng: &mut ChaCha8Rng,
        at: DateTime<Utc>,
        (person, start, minutes, status): (i64, NaiveDateTime, i64, AttendanceStatus),
    ) {
        let end = start + Duration::minutes(minutes);
        let absent = match (LocalMinute::from_naive(start), LocalMinute::from_naive(end)) {
            (Some(from), Some(to)) => company
                .absences
                .of_person(person)
                .any(|a| a.overlaps(from, to)),
            _ => true,
        };
        if absent
            || company
                .employee(person)
                .is_none_or(|e| e.status != Status::Active)
        {
            return;
        }
        let work = NewAttendance {
            person,
            kind: PeriodKind::Work,
            start,
            end: Some(end),
            comment: None,
            project: None,
            status,
        };
        let Ok(id) = company.create_attendance_as(uuid_from(rng), work.clone(), at) else {
            return;
        };
        self.created(ATTENDANCES, id);
        // Breaks by the German rule the generated history follows: 30 minutes past six
        // hours of work, 45 past nine.
        let pause = break_minutes(minutes);
        if pause > 0 {
            let from = start + Duration::minutes(4 * 60 + 5 * rng.random_range(0..12));
            let pause = NewAttendance {
                kind: PeriodKind::Break,
                start: from,
                end: Some(from + Duration::minutes(pause)),
                ..work
            };
            if let Ok(id) = company.create_attendance_as(uuid_from(rng), pause, at) {
                self.created(ATTENDANCES, id);
            }
        }
    }

    fn request(
        &mut self,
        company: &mut Company,
        rng: &mut ChaCha8Rng,
        at: DateTime<Utc>,
        person: i64,
        request: Request,
    ) {
        let today = at.date_naive();
        let kind = company.time_off_types.iter().find(|t| match request {
            Request::Vacation => t.category == "paid_vacation",
            Request::Sick => t.category == "sick_leave",
            Request::Hours => t.unit == AbsenceUnit::Hour,
        });
        let Some(kind) = kind else {
            return;
        };
        let span = match request {
            Request::Vacation => {
                let first = weekday_from(today + Duration::days(rng.random_range(7..60)));
                let last = first + Duration::days(rng.random_range(0..14));
                let until_noon =
                    first == last && kind.half_day_requests_enabled && rng.random_bool(0.2);
                AbsenceSpan::Days {
                    first,
                    from_noon: false,
                    last: Some(weekday_until(last).max(first)),
                    until_noon,
                }
            }
            Request::Sick => AbsenceSpan::Days {
                first: today,
                from_noon: false,
                last: Some(today + Duration::days(rng.random_range(0..4))),
                until_noon: false,
            },
            Request::Hours => {
                let day = weekday_from(today + Duration::days(rng.random_range(1..21)));
                let start = day
                    .and_hms_opt(9 + rng.random_range(0..6), 0, 0)
                    .unwrap_or_default();
                AbsenceSpan::Hours {
                    start,
                    end: start + Duration::hours(rng.random_range(1..4)),
                }
            }
        };
        let new = NewAbsence {
            person,
            type_id: kind.id,
            span,
            comment: None,
            substitute: None,
            status: if kind.approval_required {
                AbsenceStatus::Pending
            } else {
                AbsenceStatus::Approved
            },
            origin: if rng.random_bool(0.4) {
                AbsenceOrigin::Mobile
            } else {
                AbsenceOrigin::Web
            },
        };
        if let Ok(id) = company.create_absence_as(uuid_from(rng), new, at) {
            self.created(ABSENCES, id);
        }
    }
}

/// Who clocks today: everyone active on a schedule with time tracking and planned work on
/// the workday whose afternoon falls within this simulated day, at their usual end of day.
fn clocking(company: &Company, day: &mut Day, out: &mut Vec<(DateTime<Utc>, Action)>) {
    let workday = workday_of(day);
    let holiday: HashMap<i64, bool> = company
        .holiday_calendars
        .iter()
        .map(|c| {
            (
                c.id,
                HolidayMask::new(c, workday, workday).contains(workday),
            )
        })
        .collect();
    let weekday = workday.weekday().num_days_from_monday() as usize;
    for employee in &company.employees {
        if employee.status != Status::Active || employee.hire_date > workday {
            continue;
        }
        let Some(schedule) = company.work_schedule(employee.work_schedule_id) else {
            continue;
        };
        let planned = i64::from(schedule.minutes[weekday]);
        let off = holiday
            .get(&employee.holiday_calendar_id)
            .copied()
            .unwrap_or(false);
        if !schedule.time_tracking || planned == 0 || off || !day.rng.random_bool(CLOCKED) {
            continue;
        }
        let begin = 7 * 60 + 5 * day.rng.random_range(0..30);
        let start = workday.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(begin);
        let minutes = planned + break_minutes(planned);
        let end = company
            .timezone_of(employee)
            .from_local_datetime(&(start + Duration::minutes(minutes)))
            .earliest()
            .map_or(day.start, |end| end.with_timezone(&Utc));
        let recorded = (end - day.start).num_seconds() + day.rng.random_range(0..1200);
        let status = if (employee.id as u64).wrapping_mul(0x9E37_79B9) % 100 < NEEDS_APPROVAL {
            AttendanceStatus::Pending
        } else {
            AttendanceStatus::Confirmed
        };
        out.push((
            day.at(recorded.max(600)),
            Action::Clock {
                person: employee.id,
                start,
                minutes,
                status,
            },
        ));
    }
}

/// People's requests of the day, in the morning.
fn requests(company: &Company, day: &mut Day, out: &mut Vec<(DateTime<Utc>, Action)>) {
    for employee in &company.employees {
        if employee.status != Status::Active {
            continue;
        }
        for (rate, request) in [
            (VACATION_REQUESTS, Request::Vacation),
            (SICK_CALLS, Request::Sick),
            (HOUR_BOOKINGS, Request::Hours),
        ] {
            if day.rng.random_bool(rate) {
                let at = day.moment(600..4 * 3600);
                out.push((at, Action::Request(employee.id, request)));
            }
        }
    }
}

/// A moment in an approver's working hours.
fn office_hours(day: &mut Day) -> DateTime<Utc> {
    day.moment(3600..9 * 3600)
}

/// The date whose 16:00 UTC (late afternoon in Europe) falls within the simulated day.
fn workday_of(day: &Day) -> NaiveDate {
    let date = day.date();
    let afternoon = date.and_hms_opt(16, 0, 0).unwrap_or_default().and_utc();
    if afternoon >= day.start {
        date
    } else {
        date + Duration::days(1)
    }
}

/// A work period and the breaks inside it.
fn with_breaks(company: &Company, id: Uuid) -> Vec<Uuid> {
    let Some(work) = company.attendances.get(id) else {
        return Vec::new();
    };
    std::iter::once(id)
        .chain(company.attendances.breaks_of(work).map(|b| b.id))
        .collect()
}

fn break_minutes(work: i64) -> i64 {
    match work {
        m if m > 9 * 60 => 45,
        m if m > 6 * 60 => 30,
        _ => 0,
    }
}

/// `day`, or the Monday after when it falls on a weekend.
fn weekday_from(day: NaiveDate) -> NaiveDate {
    match day.weekday().number_from_monday() {
        6 => day + Duration::days(2),
        7 => day + Duration::days(1),
        _ => day,
    }
}

/// `day`, or the Friday before when it falls on a weekend.
fn weekday_until(day: NaiveDate) -> NaiveDate {
    match day.weekday().number_from_monday() {
        6 => day - Duration::days(1),
        7 => day - Duration::days(2),
        _ => day,
    }
}
