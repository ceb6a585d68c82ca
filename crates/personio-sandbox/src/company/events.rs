//! What changed, named as Personio's webhooks name it (personio-api.md §3.11): every change
//! to the company records one event here; webhook delivery and anyone counting changes read
//! them in order. Payloads carry identifiers only ("dataless notifications").

use chrono::{DateTime, Utc};
use serde_json::Value;

/// One change.
#[derive(Debug, Clone)]
pub struct ChangeEvent {
    /// Increasing from 1; readers remember the last one they saw.
    pub seq: u64,
    /// e.g. `person.updated`, `employment.updated.cost-centers`, `absence-period.deleted`.
    pub name: &'static str,
    pub occurred_at: DateTime<Utc>,
    pub payload: Value,
}

/// Every event since the sandbox started, in order. Old events are dropped past a cap.
#[derive(Debug, Clone, Default)]
pub struct ChangeLog {
    events: std::collections::VecDeque<ChangeEvent>,
    last_seq: u64,
}

/// How many events are kept; older ones are dropped first.
const CAPACITY: usize = 200_000;

impl ChangeLog {
    pub fn record(
        &mut self,
        name: &'static str,
        occurred_at: DateTime<Utc>,
        payload: Value,
    ) -> u64 {
        self.last_seq += 1;
        if self.events.len() == CAPACITY {
            self.events.pop_front();
        }
        self.events.push_back(ChangeEvent {
            seq: self.last_seq,
            name,
            occurred_at,
            payload,
        });
        self.last_seq
    }

    /// Events after `seq`, oldest first.
    pub fn since(&self, seq: u64) -> impl Iterator<Item = &ChangeEvent> {
        let start = self.events.partition_point(|e| e.seq <= seq);
        self.events.range(start..)
    }

    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }
}

#[cfg(test)]
mod tests {

    use crate::company::{Company, EmployeeChanges, GenerateSpec};

    #[test]
    fn edits_record_personios_event_names_in_order() {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        let mut company = Company::generate(GenerateSpec {
            seed: 1,
            employees: 5,
            as_of,
        });
        let now = as_of + chrono::Duration::hours(1);
        let before = company.changes.last_seq();
        let id = company.employees[3].id;
        let changes = EmployeeChanges {
            last_name: Some("Brontë".into()),
            position: Some("Poet".into()),
            ..Default::default()
        };
        company.update_employee(id, changes, now).unwrap();
        company.delete_employee(id, now).unwrap();
        let names: Vec<&str> = company.changes.since(before).map(|e| e.name).collect();
        assert_eq!(
            names,
            [
                "person.updated",
                "employment.updated",
                "employment.deleted",
                "person.deleted"
            ]
        );
        assert!(
            company
                .changes
                .since(company.changes.last_seq())
                .next()
                .is_none()
        );
    }
}
