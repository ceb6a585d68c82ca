//! One person's absences over the window: vacation within their yearly entitlement (some
//! half days, some across the turn of the year, some booked for the coming months), sick
//! days, the odd long sickness (open-ended if still running), child sick days, parental
//! leave (open-ended for people on leave now), unpaid and special leave, and hour-unit
//! training and overtime compensation. No two absences of a person overlap.
//!
//! The result is also a day-by-day [`Plan`] saying what absences leave of each day for work.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::Person;
use crate::company::Status;
use crate::company::absence::{AbsenceOrigin, AbsencePeriod, AbsenceStatus};
use crate::company::generate::uuid_from;
use crate::company::local_time::{LocalMinute, MINUTES_PER_DAY};

/// What absences leave of one day for work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cover {
    Free,
    /// Absent all day.
    Full,
    /// Absent in the morning, working in the afternoon.
    Morning,
    /// Absent in the afternoon.
    Afternoon,
    /// Absent between these minutes of the day.
    Hours(i32, i32),
}

/// The cover of each day from the person's first to their last.
pub(super) struct Plan {
    first: NaiveDate,
    days: Vec<Cover>,
}

impl Plan {
    pub(super) fn cover(&self, day: NaiveDate) -> Cover {
        let offset = (day - self.first).num_days();
        if offset < 0 {
            return Cover::Free;
        }
        self.days
            .get(offset as usize)
            .copied()
            .unwrap_or(Cover::Free)
    }

    fn set(&mut self, day: NaiveDate, cover: Cover) {
        let offset = (day - self.first).num_days();
        if let Some(slot) = usize::try_from(offset)
            .ok()
            .and_then(|o| self.days.get_mut(o))
        {
            *slot = cover;
        }
    }
}

/// Generated absence types, by the names the generator gives them.
struct Types {
    vacation: i64,
    sick: i64,
    child_sick: i64,
    parental: i64,
    unpaid: i64,
    special: i64,
    training: i64,
    overtime: i64,
}

const VACATION_COMMENTS: &[&str] = &[
    "Family visit",
    "Summer holidays",
    "Wedding of a friend",
    "Moving house",
    "Ski trip",
    "Bridge day",
];

/// Plans the absences of `person`, appending them to `out`.
pub(super) fn plan(
    person: &Person<'_>,
    rng: &mut ChaCha8Rng,
    out: &mut Vec<AbsencePeriod>,
) -> Plan {
    let days = (person.last - person.first).num_days() + 1;
    let mut planner = Planner {
        person,
        rng,
        plan: Plan {
            first: person.first,
            days: vec![Cover::Free; days.max(0) as usize],
        },
        booked: HashMap::new(),
        out,
    };
    // Nobody books time off before they have started.
    let types = planner
        .types()
        .filter(|_| person.first <= person.window().last);
    let Some(types) = types else {
        return planner.plan;
    };
    planner.parental_leave(&types);
    planner.vacations(types.vacation);
    planner.sickness(&types);
    planner.occasional(&types);
    planner.hourly(types.training, types.overtime);
    planner.plan
}

struct Planner<'p, 'r, 'o> {
    person: &'p Person<'p>,
    rng: &'r mut ChaCha8Rng,
    plan: Plan,
    /// Vacation days booked per year.
    booked: HashMap<i32, f64>,
    out: &'o mut Vec<AbsencePeriod>,
}

impl Planner<'_, '_, '_> {
    fn types(&self) -> Option<Types> {
        let company = self.person.shared.company;
        let id = |name: &str| {
            company
                .time_off_types
                .iter()
                .find(|t| t.name == name)
                .map(|t| t.id)
        };
        Some(Types {
            vacation: id("Paid vacation")?,
            sick: id("Sick leave")?,
            child_sick: id("Child sick leave")?,
            parental: id("Parental leave")?,
            unpaid: id("Unpaid leave")?,
            special: id("Special leave")?,
            training: id("Training")?,
            overtime: id("Overtime compensation")?,
        })
    }

    /// Last day of history (attendance stops there; only booked absences go further).
    fn history_last(&self) -> NaiveDate {
        self.person.window().last.min(self.person.last)
    }

    fn working(&self, day: NaiveDate) -> bool {
        self.person.planned(day) > 0
    }

    fn free(&self, first: NaiveDate, last: NaiveDate) -> bool {
        first >= self.person.first
            && last <= self.person.last
            && days(first, last).all(|d| self.plan.cover(d) == Cover::Free)
    }

    /// A random working day between `first` and `last`, if one is found quickly.
    fn working_day(&mut self, first: NaiveDate, last: NaiveDate) -> Option<NaiveDate> {
        let span = (last - first).num_days();
        if span < 0 {
            return None;
        }
        for _ in 0..10 {
            let day = first + Duration::days(self.rng.random_range(0..=span));
            if self.working(day) {
                return Some(day);
            }
        }
        None
    }

    /// The day on which `count` working days from `first` are complete.
    fn after_working_days(&self, first: NaiveDate, count: u32) -> NaiveDate {
        let mut left = count;
        let mut day = first;
        for _ in 0..400 {
            if self.working(day) {
                left = left.saturating_sub(1);
                if left == 0 {
                    break;
                }
            }
            day += Duration::days(1);
        }
        day
    }

    /// Working days from `first` to `last`, per year, counting half days as 0.5.
    fn working_days_by_year(
        &self,
        first: NaiveDate,
        last: NaiveDate,
        from_noon: bool,
        until_noon: bool,
    ) -> Vec<(i32, f64)> {
        let mut out: Vec<(i32, f64)> = Vec::new();
        for day in days(first, last).filter(|d| self.working(*d)) {
            let half = (day == first && from_noon) || (day == last && until_noon);
            let amount = if half { 0.5 } else { 1.0 };
            match out.iter_mut().find(|(y, _)| *y == day.year()) {
                Some(entry) => entry.1 += amount,
                None => out.push((day.year(), amount)),
            }
        }
        out
    }

    /// The vacation days a person may take in `year`: their entitlement, for the part of
    /// the year they are here and the window covers.
    fn vacation_budget(&self, year: i32) -> f64 {
        let employee = self.person.employee;
        let company = self.person.shared.company;
        let entitlement = employee
            .entitlements
            .iter()
            .find(|(id, _)| {
                company
                    .time_off_type(*id)
                    .is_some_and(|t| t.category == "paid_vacation")
            })
            .map_or(0.0, |e| e.1);
        let (Some(jan1), Some(dec31)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return 0.0;
        };
        let covered = (self.person.last.min(dec31) - self.person.first.max(jan1)).num_days() + 1;
        let share = covered.max(0) as f64 / ((dec31 - jan1).num_days() + 1) as f64;
        (entitlement * share * 2.0).floor() / 2.0
    }

    fn parental_leave(&mut self, types: &Types) {
        let employee = self.person.employee;
        let today = self.person.window().as_of.date_naive();
        if employee.status == Status::Leave {
            let since = employee
                .attribute_changed_at("status")
                .date_naive()
                .max(employee.hire_date)
                .min(today);
            let last = self
                .rng
                .random_bool(0.5)
                .then(|| since + Duration::days(self.rng.random_range(180..365)));
            let first = since.max(self.person.first);
            self.mark(first, last.unwrap_or(self.person.last), false, false);
            self.push_days(types.parental, since, false, last, false, None);
        } else if self.rng.random_bool(0.02) {
            let length = self.rng.random_range(56..112);
            let latest = self.history_last() - Duration::days(length);
            if let Some(first) = self.working_day(self.person.first, latest) {
                let last = first + Duration::days(length);
                self.book(types.parental, first, last, false, false, None);
            }
        }
    }

    fn vacations(&mut self, vacation: i64) {
        let (first_year, last_year) = (self.person.first.year(), self.person.last.year());
        for year in first_year..=last_year {
            // Around the turn of the year: from the days before Christmas into January.
            if year < last_year && self.rng.random_bool(0.5) {
                let from = NaiveDate::from_ymd_opt(year, 12, self.rng.random_range(20..28));
                if let Some(first) = from.filter(|d| self.working(*d)) {
                    let count = self.rng.random_range(4..8);
                    let last = self.after_working_days(first, count);
                    self.try_vacation(vacation, first, last, false, false);
                }
            }
            let (Some(jan1), Some(dec31)) = (
                NaiveDate::from_ymd_opt(year, 1, 1),
                NaiveDate::from_ymd_opt(year, 12, 31),
            ) else {
                continue;
            };
            let (from, to) = (self.person.first.max(jan1), self.person.last.min(dec31));
            for _ in 0..40 {
                let left = self.vacation_budget(year) - self.booked.get(&year).unwrap_or(&0.0);
                if left < 0.5 {
                    break;
                }
                let Some(first) = self.working_day(from, to) else {
                    break;
                };
                let count = [1, 1, 2, 3, 4, 5, 5, 10][self.rng.random_range(0..8)];
                let last = self.after_working_days(first, count);
                let (from_noon, until_noon) = match (count, self.rng.random_range(0..100)) {
                    (1, 0..10) => (false, true),
                    (1, 10..20) => (true, false),
                    (_, 0..6) => (true, false),
                    (_, 6..12) => (false, true),
                    _ => (false, false),
                };
                self.try_vacation(vacation, first, last, from_noon, until_noon);
            }
        }
    }

    fn try_vacation(
        &mut self,
        vacation: i64,
        first: NaiveDate,
        last: NaiveDate,
        from_noon: bool,
        until_noon: bool,
    ) {
        if !self.free(first, last) {
            return;
        }
        let amounts = self.working_days_by_year(first, last, from_noon, until_noon);
        let fits = amounts.iter().all(|(year, days)| {
            self.booked.get(year).unwrap_or(&0.0) + days <= self.vacation_budget(*year)
        });
        if !fits || amounts.is_empty() {
            return;
        }
        for (year, days) in amounts {
            *self.booked.entry(year).or_default() += days;
        }
        let substitute = self
            .rng
            .random_bool(0.25)
            .then(|| self.colleague())
            .flatten();
        self.book(vacation, first, last, from_noon, until_noon, substitute);
    }

    fn sickness(&mut self, types: &Types) {
        let last = self.history_last();
        let years = ((last - self.person.first).num_days() as f64 / 365.0).max(0.0);
        let episodes = (years * f64::from(self.rng.random_range(0..5))).round() as u32;
        for _ in 0..episodes {
            if let Some(first) = self.working_day(self.person.first, last) {
                let end = (first + Duration::days(self.rng.random_range(0..5))).min(last);
                self.book(types.sick, first, end, false, false, None);
            }
        }
        if self.rng.random_bool(0.03)
            && let Some(first) = self.working_day(self.person.first, last)
        {
            let end = first + Duration::days(self.rng.random_range(20..70));
            if end >= last && self.rng.random_bool(0.5) {
                // Still ill: no end known yet.
                if self.free(first, self.person.last) {
                    self.mark(first, self.person.last, false, false);
                    self.push_days(types.sick, first, false, None, false, None);
                }
            } else {
                self.book(
                    types.sick,
                    first,
                    end.min(self.person.last),
                    false,
                    false,
                    None,
                );
            }
        }
        if self.rng.random_bool(0.12) {
            for _ in 0..self.rng.random_range(1..4) {
                if let Some(first) = self.working_day(self.person.first, last) {
                    let end = first + Duration::days(self.rng.random_range(0..2));
                    self.book(types.child_sick, first, end.min(last), false, false, None);
                }
            }
        }
    }

    fn occasional(&mut self, types: &Types) {
        let last = self.person.last;
        if self.rng.random_bool(0.03)
            && let Some(first) = self.working_day(self.person.first, last)
        {
            let end = first + Duration::days(self.rng.random_range(4..15));
            self.book(types.unpaid, first, end, false, false, None);
        }
        if self.rng.random_bool(0.05)
            && let Some(day) = self.working_day(self.person.first, last)
        {
            self.book(types.special, day, day, false, false, None);
        }
    }

    fn hourly(&mut self, training: i64, overtime: i64) {
        let allowance = self
            .person
            .employee
            .entitlements
            .iter()
            .find(|(id, _)| *id == training)
            .map_or(0.0, |e| e.1);
        let mut hours_left = allowance * 0.8;
        for _ in 0..self.rng.random_range(0..4) {
            let length = self.rng.random_range(2..5) * 60;
            if f64::from(length) / 60.0 > hours_left {
                break;
            }
            let start = if self.rng.random_bool(0.5) {
                9 * 60
            } else {
                13 * 60
            };
            if let Some(day) = self.working_day(self.person.first, self.person.last)
                && self.book_hours(training, day, start, start + length)
            {
                hours_left -= f64::from(length) / 60.0;
            }
        }
        if self.rng.random_bool(0.1) {
            for _ in 0..self.rng.random_range(1..4) {
                if let Some(day) = self.working_day(self.person.first, self.history_last()) {
                    self.book_hours(overtime, day, 14 * 60, 17 * 60);
                }
            }
        }
    }

    /// A colleague from the same department, to stand in.
    fn colleague(&mut self) -> Option<i64> {
        let employee = self.person.employee;
        let pool = self
            .person
            .shared
            .colleagues
            .get(&employee.department_id?)?;
        let pick = pool[self.rng.random_range(0..pool.len())];
        (pick != employee.id).then_some(pick)
    }

    /// Books whole or half days if they are free.
    fn book(
        &mut self,
        type_id: i64,
        first: NaiveDate,
        last: NaiveDate,
        from_noon: bool,
        until_noon: bool,
        substitute: Option<i64>,
    ) -> bool {
        if last < first || !self.free(first, last) {
            return false;
        }
        self.mark(first, last, from_noon, until_noon);
        self.push_days(
            type_id,
            first,
            from_noon,
            Some(last),
            until_noon,
            substitute,
        );
        true
    }

    /// Books hours of one free working day.
    fn book_hours(&mut self, type_id: i64, day: NaiveDate, start: i32, end: i32) -> bool {
        if !self.free(day, day) || !self.working(day) {
            return false;
        }
        self.plan.set(day, Cover::Hours(start, end));
        let (from, to) = (LocalMinute::at(day, start), LocalMinute::at(day, end));
        self.push(type_id, from, to, None);
        true
    }

    fn mark(&mut self, first: NaiveDate, last: NaiveDate, from_noon: bool, until_noon: bool) {
        for day in days(first, last) {
            let cover = if day == first && from_noon {
                Cover::Afternoon
            } else if day == last && until_noon {
                Cover::Morning
            } else {
                Cover::Full
            };
            self.plan.set(day, cover);
        }
    }

    fn push_days(
        &mut self,
        type_id: i64,
        first: NaiveDate,
        from_noon: bool,
        last: Option<NaiveDate>,
        until_noon: bool,
        substitute: Option<i64>,
    ) {
        let noon = MINUTES_PER_DAY / 2;
        let start = LocalMinute::at(first, if from_noon { noon } else { 0 });
        let end = last.map_or(LocalMinute::OPEN, |last| {
            LocalMinute::at(last, if until_noon { noon } else { MINUTES_PER_DAY })
        });
        self.push(type_id, start, end, substitute);
    }

    /// Adds the absence with its request, approval and timestamps.
    fn push(
        &mut self,
        type_id: i64,
        start: LocalMinute,
        end: LocalMinute,
        substitute: Option<i64>,
    ) {
        let company = self.person.shared.company;
        let as_of = self.person.window().as_of;
        let Some(kind) = company.time_off_type(type_id) else {
            return;
        };
        let planned_ahead = kind.approval_required;
        // Planned absences are asked for weeks ahead, sick days on the morning itself.
        let asked_local = if planned_ahead {
            start.plus(
                -self.rng.random_range(5..60) * MINUTES_PER_DAY + self.rng.random_range(-600..-60),
            )
        } else {
            start.plus(self.rng.random_range(420..560))
        };
        let mut created = self.person.utc(asked_local);
        if self.person.offsets.utc(asked_local) >= as_of {
            created = self.ago(as_of, 30);
        }
        let decided = created + Duration::minutes(self.rng.random_range(30..4320));
        let (mut status, approved_at, updated) = if !planned_ahead {
            (AbsenceStatus::Approved, Some(created), created)
        } else if decided < as_of {
            (AbsenceStatus::Approved, Some(decided), decided)
        } else {
            (AbsenceStatus::Pending, None, created)
        };
        if status == AbsenceStatus::Pending && substitute.is_some() && self.rng.random_bool(0.3) {
            status = AbsenceStatus::SubstituteRequested;
        }
        let future = self.person.offsets.utc(start) > as_of;
        if status == AbsenceStatus::Approved && future && self.rng.random_bool(0.03) {
            status = AbsenceStatus::DeletionPending;
        }
        let comment = (planned_ahead && self.rng.random_bool(0.15)).then(|| {
            VACATION_COMMENTS[self.rng.random_range(0..VACATION_COMMENTS.len())].to_owned()
        });
        let origin = match self.rng.random_range(0..20) {
            0 => AbsenceOrigin::Api,
            1..6 => AbsenceOrigin::Mobile,
            _ => AbsenceOrigin::Web,
        };
        let person = self.person.employee.id;
        self.out.push(AbsencePeriod {
            id: uuid_from(self.rng),
            person,
            type_id,
            start,
            end,
            status,
            comment,
            substitute,
            origin,
            created_by: Some(person),
            created_at: created,
            updated_at: updated.max(created),
            approved_at,
        });
    }

    /// A moment within the `days` before `as_of`, not before the person joined.
    fn ago(&mut self, as_of: DateTime<Utc>, days: i64) -> DateTime<Utc> {
        let back = Duration::minutes(self.rng.random_range(60..days * 1440));
        (as_of - back).max(self.person.employee.created_at)
    }
}

fn days(first: NaiveDate, last: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    first.iter_days().take_while(move |d| *d <= last)
}
