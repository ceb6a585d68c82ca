//! The company's time history: projects, then for every employee the absences and the
//! clocked attendance of the last N days before `as_of` (absences also reach into the
//! coming months, as booked vacations do).
//!
//! Each employee draws from their own random stream, derived from the seed and their id,
//! so the history is the same byte for byte whatever the number of threads, and the work
//! splits across cores without coordination. The rules that keep it consistent (no work on
//! days off, holidays or full absence days; breaks inside their work; vacation within
//! entitlement; nothing before hiring or after leaving) live in `history/absences.rs` and
//! `history/attendance.rs`.

mod absences;
mod attendance;
mod projects;

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::absence::{AbsencePeriod, Absences};
use super::attendance::{AttendancePeriod, Attendances};
use super::holidays::HolidayMask;
use super::local_time::{LocalMinute, MINUTES_PER_DAY};
use super::project::Projects;
use super::{Company, Employee};

/// What history to generate.
#[derive(Debug, Clone, Copy)]
pub struct HistorySpec {
    /// The company's seed (the same as for [`super::GenerateSpec`]).
    pub seed: u64,
    /// Days of attendance and absence history before `as_of`.
    pub days: u32,
}

/// How far ahead booked absences reach.
const FUTURE_DAYS: i64 = 90;

/// The days history covers.
#[derive(Debug, Clone, Copy)]
struct Window {
    /// First day of history.
    first: NaiveDate,
    /// Last day of attendance (the day before `as_of`).
    last: NaiveDate,
    /// Last day an absence may reach.
    horizon: NaiveDate,
    as_of: DateTime<Utc>,
}

impl Company {
    /// Generates projects and `spec.days` of attendance and absence history. Replaces any
    /// time records the company had; the same company and spec give the same history.
    pub fn generate_history(&mut self, spec: HistorySpec) {
        let today = self.as_of.date_naive();
        let window = Window {
            first: today - Duration::days(i64::from(spec.days)),
            last: today - Duration::days(1),
            horizon: today + Duration::days(FUTURE_DAYS),
            as_of: self.as_of,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(mix(spec.seed, 0x7072_6f6a_6563_7473));
        self.projects = Projects::new(projects::generate(self, &mut rng));
        if spec.days == 0 {
            self.attendances = Attendances::default();
            self.absences = Absences::default();
            return;
        }
        let shared = Shared::new(self, window, spec.seed);
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let chunk = self.employees.len().div_ceil(threads).max(1);
        let parts: Vec<(Vec<AttendancePeriod>, Vec<AbsencePeriod>)> = std::thread::scope(|s| {
            let workers: Vec<_> = self
                .employees
                .chunks(chunk)
                .map(|people| {
                    let shared = &shared;
                    s.spawn(move || {
                        let mut out = (Vec::new(), Vec::new());
                        for employee in people {
                            shared.person(employee, &mut out.0, &mut out.1);
                        }
                        out
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().expect("history generation does not panic"))
                .collect()
        });
        let (mut attendances, mut absences) = (Vec::new(), Vec::new());
        for (a, b) in parts {
            attendances.extend(a);
            absences.extend(b);
        }
        self.attendances = Attendances::new(attendances, attendance::comments());
        self.absences = Absences::new(absences);
    }
}

/// What every person's generation reads: the window, holiday masks per calendar, UTC
/// offsets per zone, colleagues per department and projects per person.
struct Shared<'a> {
    company: &'a Company,
    window: Window,
    seed: u64,
    holidays: HashMap<i64, HolidayMask>,
    offsets: HashMap<Tz, UtcOffsets>,
    colleagues: HashMap<i64, Vec<i64>>,
    projects: projects::Assignments,
}

impl<'a> Shared<'a> {
    fn new(company: &'a Company, window: Window, seed: u64) -> Shared<'a> {
        let holidays = company
            .holiday_calendars
            .iter()
            .map(|c| (c.id, HolidayMask::new(c, window.first, window.horizon)))
            .collect();
        let offsets = company
            .legal_entities
            .iter()
            .map(|e| e.timezone)
            .chain([company.timezone])
            .map(|tz| (tz, UtcOffsets::new(tz, window.first, window.horizon)))
            .collect();
        let mut colleagues: HashMap<i64, Vec<i64>> = HashMap::new();
        for e in &company.employees {
            if let Some(department) = e.department_id {
                colleagues.entry(department).or_default().push(e.id);
            }
        }
        Shared {
            company,
            window,
            seed,
            holidays,
            offsets,
            colleagues,
            projects: projects::Assignments::new(company),
        }
    }

    /// Appends one person's absences and attendance.
    fn person(
        &self,
        employee: &Employee,
        attendances: &mut Vec<AttendancePeriod>,
        absences: &mut Vec<AbsencePeriod>,
    ) {
        let Some(person) = Person::new(self, employee) else {
            return;
        };
        let mut rng = ChaCha8Rng::seed_from_u64(mix(self.seed, employee.id as u64));
        let plan = absences::plan(&person, &mut rng, absences);
        if person.tracks_time {
            attendance::generate(&person, &plan, &mut rng, attendances);
        }
    }
}

/// One employee, with everything their history depends on.
struct Person<'a> {
    shared: &'a Shared<'a>,
    employee: &'a Employee,
    /// Planned minutes per weekday, Monday first.
    minutes: [u32; 7],
    tracks_time: bool,
    holidays: &'a HolidayMask,
    offsets: &'a UtcOffsets,
    /// First and last day they can have records: the window cut to their employment.
    first: NaiveDate,
    last: NaiveDate,
}

impl<'a> Person<'a> {
    fn new(shared: &'a Shared<'a>, employee: &'a Employee) -> Option<Person<'a>> {
        let company = shared.company;
        let window = shared.window;
        let schedule = company.work_schedule(employee.work_schedule_id)?;
        let holidays = shared.holidays.get(&employee.holiday_calendar_id)?;
        let offsets = shared.offsets.get(&company.timezone_of(employee))?;
        let first = window.first.max(employee.hire_date);
        let last = employee
            .termination
            .as_ref()
            .map_or(window.horizon, |t| t.last_working_day.min(window.horizon));
        (first <= last).then_some(Person {
            shared,
            employee,
            minutes: schedule.minutes,
            tracks_time: schedule.time_tracking,
            holidays,
            offsets,
            first,
            last,
        })
    }

    fn window(&self) -> Window {
        self.shared.window
    }

    /// Minutes of work planned on `day`: none on days off and holidays.
    fn planned(&self, day: NaiveDate) -> u32 {
        use chrono::Datelike;
        if self.holidays.contains(day) {
            0
        } else {
            self.minutes[day.weekday().num_days_from_monday() as usize]
        }
    }

    /// A local time, in UTC, never at or after `as_of`.
    fn utc(&self, at: LocalMinute) -> DateTime<Utc> {
        self.offsets
            .utc(at)
            .min(self.window().as_of - Duration::minutes(1))
            .max(self.employee.created_at)
    }
}

/// UTC offset per day of one zone (taken at noon, so the hour of a DST switch may be off by
/// one; generated times never fall in those hours anyway).
struct UtcOffsets {
    first_day: i32,
    seconds: Vec<i32>,
}

impl UtcOffsets {
    fn new(tz: Tz, first: NaiveDate, last: NaiveDate) -> UtcOffsets {
        let first = first - Duration::days(2);
        let days = (last - first).num_days() + 4;
        let seconds = (0..days)
            .map(|i| {
                let noon = (first + Duration::days(i))
                    .and_hms_opt(12, 0, 0)
                    .expect("noon exists")
                    .and_utc();
                tz.offset_from_utc_datetime(&noon.naive_utc())
                    .fix()
                    .local_minus_utc()
            })
            .collect();
        UtcOffsets {
            first_day: LocalMinute::at(first, 0).0 / MINUTES_PER_DAY,
            seconds,
        }
    }

    fn utc(&self, at: LocalMinute) -> DateTime<Utc> {
        let index = (at.0.div_euclid(MINUTES_PER_DAY) - self.first_day)
            .clamp(0, self.seconds.len() as i32 - 1);
        let offset = self.seconds.get(index as usize).copied().unwrap_or(0);
        let seconds = i64::from(at.0) * 60 - i64::from(offset);
        DateTime::from_timestamp(seconds, 0).unwrap_or(DateTime::UNIX_EPOCH)
    }
}

/// Splitmix64 of a seed and a stream number: independent, reproducible random streams.
fn mix(seed: u64, stream: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
