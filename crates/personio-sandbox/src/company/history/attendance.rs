//! One person's clocked attendance: a work period on each day their schedule plans work
//! and no holiday or full-day absence takes it, with its breaks inside (30 minutes past six
//! hours of work, 45 past nine), shortened around half-day and hourly absences. People on
//! call sometimes work a night shift into the next morning (and rest the day after); some
//! book their time on projects; some need their periods approved, so the last days are
//! still pending and a few were rejected; once in a while someone forgot to clock out.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::Person;
use super::absences::{Cover, Plan};
use crate::company::attendance::{AttendancePeriod, AttendanceStatus, PeriodKind};
use crate::company::generate::uuid_from;
use crate::company::local_time::{LocalMinute, MINUTES_PER_DAY};

/// Comments people leave on periods; stored once, referred to by index (see
/// [`crate::company::attendance::Attendances`]).
const COMMENTS: &[&str] = &[
    "Release day",
    "Customer workshop on site",
    "On-call handover",
    "Inventory count",
    "Team offsite",
    "Worked from the train",
    "Late deployment",
    "Trade fair",
];

pub(super) fn comments() -> Vec<Box<str>> {
    COMMENTS.iter().map(|c| (*c).into()).collect()
}

/// Teams whose people take night and on-call shifts.
const ON_CALL_TEAMS: &[&str] = &[
    "Infrastructure",
    "Support",
    "Support Tier 2",
    "Security",
    "Facilities",
];

/// How a person works, drawn once.
struct Habits {
    /// Usual start, minutes after midnight.
    start: i32,
    needs_approval: bool,
    on_call: bool,
    /// Share of work periods booked on a project.
    project_share: f64,
}

pub(super) fn generate(
    person: &Person<'_>,
    plan: &Plan,
    rng: &mut ChaCha8Rng,
    out: &mut Vec<AttendancePeriod>,
) {
    let window = person.window();
    let company = person.shared.company;
    let employee = person.employee;
    let (own, everyone) = person.shared.projects.of(employee.id);
    let team = employee
        .team_id
        .and_then(|t| company.org_unit(t))
        .map(|t| t.name.as_str());
    let habits = Habits {
        start: 7 * 60 + rng.random_range(0..30) * 5,
        needs_approval: rng.random_bool(0.35),
        on_call: team.is_some_and(|t| ON_CALL_TEAMS.contains(&t)) && rng.random_bool(0.6),
        project_share: if !own.is_empty() {
            0.6
        } else if !everyone.is_empty() {
            0.1
        } else {
            0.0
        },
    };
    let first = person.first.max(window.first);
    let last = person.last.min(window.last);
    let mut resting = false;
    for day in first.iter_days().take_while(|d| *d <= last) {
        let planned = person.planned(day) as i32;
        if std::mem::take(&mut resting) || planned == 0 {
            continue;
        }
        let cover = plan.cover(day);
        let shift = match cover {
            Cover::Full => continue,
            Cover::Free
                if habits.on_call
                    && day < last
                    && plan.cover(day + Duration::days(1)) == Cover::Free
                    && rng.random_bool(0.04) =>
            {
                resting = true;
                Shift::night(day)
            }
            cover => Shift::day(day, planned, cover, &habits, rng),
        };
        // Forgot to clock out, on the last day only: an open period blocks what follows.
        let open = day == window.last && rng.random_bool(0.01);
        let project = (rng.random_bool(habits.project_share))
            .then(|| pick_project(person, own, everyone, day, rng))
            .flatten();
        let comment = if rng.random_bool(0.04) {
            rng.random_range(1..=COMMENTS.len() as u32)
        } else {
            0
        };
        let (status, created_at, updated_at) = approval(person, &habits, &shift, open, rng);
        let mut period = AttendancePeriod {
            id: uuid_from(rng),
            person: employee.id,
            kind: PeriodKind::Work,
            start: shift.start,
            end: if open { LocalMinute::OPEN } else { shift.end },
            attribution_date: day,
            status,
            project,
            comment,
            is_auto_generated: false,
            created_at,
            updated_at,
        };
        out.push(period.clone());
        if open {
            continue;
        }
        period.project = None;
        period.comment = 0;
        for (start, end) in shift.breaks() {
            period.id = uuid_from(rng);
            period.kind = PeriodKind::Break;
            (period.start, period.end) = (start, end);
            out.push(period.clone());
        }
    }
}

/// The shape of one day's work: when it starts and ends, and its breaks.
struct Shift {
    start: LocalMinute,
    end: LocalMinute,
    /// Breaks: (start, minutes).
    breaks: [(LocalMinute, i32); 2],
}

impl Shift {
    fn night(day: NaiveDate) -> Shift {
        let start = LocalMinute::at(day, 22 * 60);
        Shift {
            start,
            end: start.plus(8 * 60 + 30),
            breaks: [(start.plus(4 * 60), 30), (start, 0)],
        }
    }

    fn day(
        day: NaiveDate,
        planned: i32,
        cover: Cover,
        habits: &Habits,
        rng: &mut ChaCha8Rng,
    ) -> Shift {
        let usual = habits.start + rng.random_range(-20..=25);
        // (start, minutes of work, time the day's work must end by).
        let (begin, work, limit) = match cover {
            Cover::Morning => (12 * 60 + 30 + rng.random_range(0..=30), planned / 2, None),
            Cover::Afternoon => (usual, planned / 2, Some(12 * 60)),
            Cover::Hours(from, to) if from <= usual + 60 => {
                (to + rng.random_range(15..=30), planned - (to - from), None)
            }
            Cover::Hours(from, _) => {
                let begin = usual.min(from - 120);
                (begin, from - begin, Some(from - rng.random_range(0..=10)))
            }
            _ => (usual, planned + rng.random_range(-20..=40), None),
        };
        let mut work = work.max(60);
        let pause = match work {
            w if w > 9 * 60 => 45,
            w if w > 6 * 60 => 30,
            w if w > 4 * 60 && rng.random_bool(0.15) => 15,
            _ => 0,
        };
        if let Some(limit) = limit {
            work = work.min(limit - begin - pause).max(30);
        }
        let start = LocalMinute::at(day, begin);
        let middle = start.plus((work / 2 / 5) * 5);
        // Some split a half-hour break into two quarters.
        let breaks = if pause == 30 && rng.random_bool(0.1) {
            [(start.plus(work / 3), 15), (start.plus(2 * work / 3), 15)]
        } else {
            [(middle, pause), (middle, 0)]
        };
        Shift {
            start,
            end: start.plus(work + pause),
            breaks,
        }
    }

    fn breaks(&self) -> impl Iterator<Item = (LocalMinute, LocalMinute)> + '_ {
        self.breaks
            .iter()
            .filter(|(_, minutes)| *minutes > 0)
            .map(|(start, minutes)| (*start, start.plus(*minutes)))
    }
}

/// A project the person may book on that runs that day (a sub-project when there is one).
fn pick_project(
    person: &Person<'_>,
    own: &[u32],
    everyone: &[u32],
    day: NaiveDate,
    rng: &mut ChaCha8Rng,
) -> Option<u32> {
    let company = person.shared.company;
    let pool = if own.is_empty() { everyone } else { own };
    let choice = pool[rng.random_range(0..pool.len())];
    company
        .project(choice)
        .filter(|p| p.runs_on(day))
        .map(|p| p.id)
}

/// Status and timestamps: recorded shortly after clocking out, decided a few days later
/// when approval is needed (still pending if that moment lies after `as_of`).
fn approval(
    person: &Person<'_>,
    habits: &Habits,
    shift: &Shift,
    open: bool,
    rng: &mut ChaCha8Rng,
) -> (AttendanceStatus, DateTime<Utc>, DateTime<Utc>) {
    let as_of = person.window().as_of;
    if open {
        let created = person.utc(shift.start.plus(rng.random_range(0..5)));
        return (AttendanceStatus::Pending, created, created);
    }
    let created = person.utc(shift.end.plus(rng.random_range(0..25)));
    if !habits.needs_approval {
        let edited = rng.random_bool(0.03);
        let updated = if edited {
            (created + Duration::minutes(rng.random_range(60..4320)))
                .min(as_of - Duration::minutes(1))
        } else {
            created
        };
        return (AttendanceStatus::Confirmed, created, updated.max(created));
    }
    let decided = created + Duration::minutes(rng.random_range(6 * 60..4 * MINUTES_PER_DAY) as i64);
    if decided >= as_of {
        (AttendanceStatus::Pending, created, created)
    } else if rng.random_bool(0.03) {
        (AttendanceStatus::Rejected, created, decided)
    } else {
        (AttendanceStatus::Confirmed, created, decided)
    }
}
