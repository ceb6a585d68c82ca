//! An employment's life beyond plain edits: notice of termination, the first day and the
//! last day, each with the webhook events Personio sends for it (personio-api.md §3.11:
//! `employment.started` and `employment.terminated` fire on the effective date).

use chrono::{DateTime, Utc};

use super::edit::employment_payload;
use super::employee::{Status, Termination};
use super::{Company, EditError, EmployeeChanges};

/// v1 keys a termination sets.
const TERMINATION_KEYS: &[&str] = &[
    "termination_date",
    "termination_type",
    "termination_reason",
    "last_working_day",
];

impl Company {
    /// Records notice of termination; the employee keeps their status until the date.
    pub fn record_termination(
        &mut self,
        id: i64,
        termination: Termination,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        let employee = self.employee_mut(id).ok_or(EditError::NotFound)?;
        employee.termination = Some(termination);
        employee.touch(TERMINATION_KEYS, now);
        let employment = employee.employment_id;
        self.changes.record(
            "employment.updated",
            now,
            employment_payload(id, employment),
        );
        Ok(())
    }

    /// The hire date has come: onboarding becomes active.
    pub fn start_employment(&mut self, id: i64, now: DateTime<Utc>) -> Result<(), EditError> {
        self.change_status(id, Status::Active, "employment.started", now)
    }

    /// The termination date has passed: the employee becomes inactive.
    pub fn end_employment(&mut self, id: i64, now: DateTime<Utc>) -> Result<(), EditError> {
        self.change_status(id, Status::Inactive, "employment.terminated", now)
    }

    fn change_status(
        &mut self,
        id: i64,
        status: Status,
        event: &'static str,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        let changes = EmployeeChanges {
            status: Some(status),
            ..Default::default()
        };
        if self.update_employee(id, changes, now)?.is_empty() {
            return Ok(());
        }
        let employment = self.employee(id).ok_or(EditError::NotFound)?.employment_id;
        self.changes
            .record(event, now, employment_payload(id, employment));
        Ok(())
    }
}
