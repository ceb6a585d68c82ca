//! Change over time: letting simulated days pass over the company, seeded, so that the same
//! seed and the same days always give the same changes.
//!
//! Each resource has one function that changes it for one day (`people::day` today);
//! attendances and absences join as one function each once the time model exists. All
//! changes go through the company's edit methods, so `updated_at`, deletions and webhook
//! events stay right; the report counts what a client would see change in the listings.

mod people;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, Utc};
use rand::SeedableRng;
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
}

impl Company {
    /// Lets `days` days pass from `start`, changing the company as a real one changes.
    /// Every change lies within `start .. start + days`.
    pub fn simulate(&mut self, seed: u64, start: DateTime<Utc>, days: u32) -> SimulationReport {
        let before: HashMap<i64, u64> = self.employees.iter().map(|e| (e.id, e.version)).collect();
        let mut people = people::People::new(self);
        for day in 0..days {
            let mut day = Day::new(seed, start + Duration::days(i64::from(day)));
            people.day(self, &mut day);
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
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::company::GenerateSpec;

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
