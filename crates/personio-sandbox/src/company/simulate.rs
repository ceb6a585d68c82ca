//! Change over time: letting simulated days pass over the company, seeded, so that the same
//! seed and the same days always give the same changes.
//!
//! Each day, dates take effect first (`people::People::morning`); then every module draws
//! its changes of the day with their times (`people` for employees, `time` for attendance
//! and absences), and they are applied in time order, so events and `updated_at` follow
//! the clock. All changes go through the company's edit methods, so `updated_at`,
//! deletions and webhook events stay right; the report counts what a client would see
//! change in the listings.

mod people;
mod time;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::Company;

/// How many records of each resource a simulation created, changed and deleted. A record
/// created and changed again counts as created; one changed and then deleted, as deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SimulationReport {
    pub created: BTreeMap<&'static str, u64>,
    pub updated: BTreeMap<&'static str, u64>,
    pub deleted: BTreeMap<&'static str, u64>,
}

/// One simulated day: it starts at `start` (changes happen within the 24 hours after) and
/// has its own generator, derived from the seed and the date.
pub(super) struct Day {
    pub start: DateTime<Utc>,
    pub rng: ChaCha8Rng,
}

impl Day {
    fn new(seed: u64, start: DateTime<Utc>) -> Day {
        let date = i64::from(start.date_naive().num_days_from_ce());
        // Spread consecutive dates over the seed space (a 64-bit odd constant).
        let mix = seed ^ (date as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Day {
            start,
            rng: ChaCha8Rng::seed_from_u64(mix),
        }
    }

    pub(super) fn date(&self) -> chrono::NaiveDate {
        self.start.date_naive()
    }

    pub(super) fn is_weekend(&self) -> bool {
        self.date().weekday().number_from_monday() >= 6
    }

    /// The moment `seconds` into the day (kept within it).
    pub(super) fn at(&self, seconds: i64) -> DateTime<Utc> {
        self.start + Duration::seconds(seconds.clamp(1, 86_399))
    }

    /// A random moment between `seconds` into the day.
    pub(super) fn moment(&mut self, seconds: std::ops::Range<i64>) -> DateTime<Utc> {
        let at = self.rng.random_range(seconds);
        self.at(at)
    }
}

/// One change of the day, from whichever module drew it.
enum Change {
    People(people::Action),
    Time(time::Action),
}

impl Company {
    /// Lets `days` days pass from `start`, changing the company as a real one changes.
    /// Every change lies within `start .. start + days`.
    pub fn simulate(&mut self, seed: u64, start: DateTime<Utc>, days: u32) -> SimulationReport {
        let before: HashMap<i64, u64> = self.employees.iter().map(|e| (e.id, e.version)).collect();
        let mut people = people::People::new(self);
        let mut time = time::Time::default();
        for day in 0..days {
            let mut day = Day::new(seed, start + Duration::days(i64::from(day)));
            people.morning(self, &mut day);
            let mut changes: Vec<(DateTime<Utc>, Change)> = people::People::draw(self, &mut day)
                .into_iter()
                .map(|(at, a)| (at, Change::People(a)))
                .chain(
                    time::Time::draw(self, &mut day)
                        .into_iter()
                        .map(|(at, a)| (at, Change::Time(a))),
                )
                .collect();
            // A stable sort: changes at the same second keep their draw order.
            changes.sort_by_key(|(at, _)| *at);
            for (at, change) in changes {
                match change {
                    Change::People(action) => people.apply(self, &mut day.rng, at, action),
                    Change::Time(action) => time.apply(self, &mut day.rng, at, action),
                }
            }
        }
        let mut report = SimulationReport::default();
        let (mut created, mut updated) = (0, 0);
        for employee in &self.employees {
            match before.get(&employee.id) {
                None => created += 1,
                Some(&version) if version != employee.version => updated += 1,
                Some(_) => {}
            }
        }
        let deleted = before.len() as u64 + created - self.employees.len() as u64;
        report.created.insert("employees", created);
        report.updated.insert("employees", updated);
        report.deleted.insert("employees", deleted);
        time.report(&mut report);
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::company::{GenerateSpec, PeriodKind};

    fn company() -> Company {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        Company::generate(GenerateSpec {
            seed: 3,
            employees: 400,
            as_of,
        })
    }

    fn fingerprint(company: &Company) -> Vec<(i64, String, String, &'static str, u64)> {
        company
            .employees
            .iter()
            .map(|e| {
                (
                    e.id,
                    e.email.clone(),
                    e.employment_id.to_string(),
                    e.status.as_str(),
                    e.version,
                )
            })
            .collect()
    }

    #[test]
    fn the_same_seed_and_days_give_the_same_changes() {
        let (mut a, mut b) = (company(), company());
        let start = a.as_of + Duration::hours(9);
        let report_a = a.simulate(11, start, 20);
        let report_b = b.simulate(11, start, 20);
        assert_eq!(report_a, report_b);
        assert_eq!(fingerprint(&a), fingerprint(&b));
        let events_a: Vec<_> = a
            .changes
            .since(0)
            .map(|e| (e.name, e.occurred_at, e.payload.clone()))
            .collect();
        let events_b: Vec<_> = b
            .changes
            .since(0)
            .map(|e| (e.name, e.occurred_at, e.payload.clone()))
            .collect();
        assert_eq!(events_a, events_b);
        let mut c = company();
        assert_ne!(
            c.simulate(12, start, 20),
            report_a,
            "another seed, other changes"
        );
    }

    /// Ids and `updated_at` of every attendance and absence record.
    fn time_records(company: &Company) -> [HashMap<uuid::Uuid, DateTime<Utc>>; 2] {
        [
            company
                .attendances
                .periods
                .iter()
                .map(|p| (p.id, p.updated_at))
                .collect(),
            company
                .absences
                .periods
                .iter()
                .map(|a| (a.id, a.updated_at))
                .collect(),
        ]
    }

    #[test]
    fn days_bring_clocked_hours_requests_decisions_and_corrections_as_reported() {
        let mut company = company();
        company.generate_history(crate::company::HistorySpec { seed: 3, days: 40 });
        let before = time_records(&company);
        let first_event = company.changes.last_seq();
        let start = company.as_of + Duration::hours(9);
        let report = company.simulate(5, start, 14);
        let after = time_records(&company);
        for (i, resource) in ["attendances", "absences"].into_iter().enumerate() {
            let created = after[i].keys().filter(|id| !before[i].contains_key(id));
            let deleted = before[i].keys().filter(|id| !after[i].contains_key(id));
            let updated = after[i]
                .iter()
                .filter(|(id, at)| before[i].get(id).is_some_and(|was| was != *at));
            let seen = (created.count(), updated.count(), deleted.count());
            let reported = (
                report.created[resource] as usize,
                report.updated[resource] as usize,
                report.deleted[resource] as usize,
            );
            assert_eq!(seen, reported, "{resource}: {report:?}");
            assert!(
                seen.0 > 0 && seen.1 > 0 && seen.2 > 0,
                "{resource}: {seen:?}"
            );
        }
        let end = start + Duration::days(14);
        for period in company.attendances.periods.iter() {
            if !before[0].contains_key(&period.id) {
                assert!(period.created_at > start && period.created_at < end);
                let work = company.attendances.overlapping_work(
                    period.person,
                    period.start,
                    period.end,
                    Some(period.id),
                );
                assert!(
                    period.kind == PeriodKind::Break || work.is_none(),
                    "{period:?} overlaps {work:?}"
                );
            }
        }
        let events: Vec<_> = company.changes.since(first_event).collect();
        assert!(
            events
                .windows(2)
                .all(|w| w[0].occurred_at <= w[1].occurred_at)
        );
        let names: std::collections::BTreeSet<_> = events.iter().map(|e| e.name).collect();
        for name in [
            "attendance-period.created",
            "attendance-period.updated",
            "attendance-period.deleted",
            "absence-period.created",
            "absence-period.updated.status",
            "absence-period.deleted",
        ] {
            assert!(names.contains(name), "{name} missing from {names:?}");
        }
    }

    #[test]
    fn a_month_brings_hires_edits_leavers_and_deletions_in_time_order() {
        let mut company = company();
        let start = company.as_of + Duration::hours(9);
        let report = company.simulate(5, start, 30);
        for kind in [&report.created, &report.updated, &report.deleted] {
            assert!(kind["employees"] > 0, "{report:?}");
        }
        let events: Vec<_> = company.changes.since(0).collect();
        assert!(
            events
                .windows(2)
                .all(|w| w[0].occurred_at <= w[1].occurred_at)
        );
        assert!(
            events
                .iter()
                .all(|e| e.occurred_at > start && e.occurred_at < start + Duration::days(30))
        );
        let names: std::collections::BTreeSet<_> = events.iter().map(|e| e.name).collect();
        for name in [
            "person.created",
            "employment.created",
            "person.updated",
            "employment.updated",
            "person.deleted",
            "employment.started",
        ] {
            assert!(names.contains(name), "{name} missing from {names:?}");
        }
    }
}
