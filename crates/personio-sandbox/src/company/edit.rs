//! Changing employees: the one place where v1 and v2 writes (and simulation) alter people,
//! so that `updated_at`, per-attribute change times and versions stay right.

use chrono::{DateTime, NaiveDate, Utc};

use super::employee::{CustomValue, Employee, EmploymentType, Gender, SalaryInterval, Status};
use super::generate::uuid_from;
use super::{Company, DeletedEmployee};

/// Requested changes; `None` leaves a field as it is. Nullable fields use
/// `Some(None)` to clear.
#[derive(Debug, Clone, Default)]
pub struct EmployeeChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub preferred_name: Option<String>,
    pub email: Option<String>,
    pub gender: Option<Option<Gender>>,
    pub language: Option<&'static str>,
    pub position: Option<String>,
    pub status: Option<Status>,
    pub supervisor_id: Option<Option<i64>>,
    pub employment_type: Option<EmploymentType>,
    pub weekly_hours: Option<f64>,
    pub legal_entity_id: Option<i64>,
    pub office_id: Option<Option<i64>>,
    pub department_id: Option<Option<i64>>,
    pub team_id: Option<Option<i64>>,
    pub cost_centers: Option<Vec<(i64, f64)>>,
    pub hire_date: Option<NaiveDate>,
    pub contract_end_date: Option<Option<NaiveDate>>,
    pub probation_end_date: Option<Option<NaiveDate>>,
    /// (custom attribute id, new value or `None` to clear).
    pub custom: Vec<(i64, Option<CustomValue>)>,
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditError {
    #[error("employee not found")]
    NotFound,
    #[error("the email has already been taken")]
    DuplicateEmail,
    #[error("Supervisor with ID {0} not found")]
    UnknownSupervisor(i64),
    #[error("an employee cannot be their own supervisor's supervisor")]
    SupervisorCycle,
    #[error("{0}")]
    Invalid(String),
}

impl Company {
    /// Creates an employee. First name, last name and email are required; the status
    /// defaults by hire date as Personio's does (personio-api.md §2.2).
    pub fn create_employee(
        &mut self,
        changes: EmployeeChanges,
        now: DateTime<Utc>,
    ) -> Result<i64, EditError> {
        let employment_id = uuid_from(&mut rand::rng());
        self.create_employee_with_employment(changes, employment_id, now)
    }

    /// As [`Company::create_employee`], with the employment id chosen by the caller (a
    /// seeded simulation makes the same ids every time).
    pub fn create_employee_with_employment(
        &mut self,
        changes: EmployeeChanges,
        employment_id: uuid::Uuid,
        now: DateTime<Utc>,
    ) -> Result<i64, EditError> {
        let first_name = required(&changes.first_name, "first_name")?;
        let last_name = required(&changes.last_name, "last_name")?;
        let email = required(&changes.email, "email")?;
        self.check_email(&email, None)?;
        if let Some(Some(s)) = changes.supervisor_id {
            self.employee(s).ok_or(EditError::UnknownSupervisor(s))?;
        }
        let legal_entity = match changes.legal_entity_id {
            Some(id) => self
                .legal_entity(id)
                .ok_or_else(|| EditError::Invalid(format!("legal entity {id} not found")))?,
            None => &self.legal_entities[0],
        }
        .clone();
        let today = now.date_naive();
        let hire_date = changes.hire_date.unwrap_or(today);
        let status = changes.status.unwrap_or(if hire_date <= today {
            Status::Active
        } else {
            Status::Onboarding
        });
        let weekly_hours = changes.weekly_hours.unwrap_or(legal_entity.full_time_hours);
        let department_id = changes.department_id.flatten();
        let cost_centers = changes.cost_centers.clone().unwrap_or_else(|| {
            department_id
                .and_then(|d| self.org_unit(d))
                .and_then(|d| d.cost_center_id)
                .map(|cc| vec![(cc, 100.0)])
                .unwrap_or_default()
        });
        let id = self.next_employee_id;
        self.next_employee_id += 1;
        let employee = Employee {
            id,
            employment_id,
            first_name,
            last_name,
            preferred_name: changes.preferred_name.clone().unwrap_or_default(),
            email,
            gender: changes.gender.flatten(),
            language: changes.language.unwrap_or(legal_entity.language),
            status,
            position: changes.position.clone().unwrap_or_default(),
            supervisor_id: changes.supervisor_id.flatten(),
            employment_type: changes.employment_type.unwrap_or(EmploymentType::Internal),
            weekly_hours,
            legal_entity_id: legal_entity.id,
            office_id: changes.office_id.flatten(),
            department_id,
            team_id: changes.team_id.flatten(),
            cost_centers,
            holiday_calendar_id: changes
                .office_id
                .flatten()
                .and_then(|o| self.office(o))
                .map(|o| o.holiday_calendar_id)
                .unwrap_or(self.holiday_calendars[0].id),
            work_schedule_id: self.work_schedules[0].id,
            entitlements: vec![(self.time_off_types[0].id, legal_entity.vacation_days)],
            hire_date,
            contract_end_date: changes.contract_end_date.flatten(),
            probation_end_date: changes.probation_end_date.flatten(),
            termination: None,
            fix_salary: 0.0,
            salary_interval: SalaryInterval::Monthly,
            hourly_salary: 0.0,
            custom: changes
                .custom
                .iter()
                .filter_map(|(id, v)| v.clone().map(|v| (*id, v)))
                .collect(),
            created_at: now,
            updated_at: now,
            attribute_changes: Vec::new(),
            version: 1,
        };
        let employment_id = employee.employment_id;
        // Ids only grow, so pushing keeps the list sorted.
        self.employees.push(employee);
        self.changes
            .record("person.created", now, person_payload(id));
        self.changes.record(
            "employment.created",
            now,
            employment_payload(id, employment_id),
        );
        Ok(id)
    }

    /// Applies changes; returns the v1 keys of the attributes that really changed (none
    /// when every value was already as asked, and then nothing is touched).
    pub fn update_employee(
        &mut self,
        id: i64,
        changes: EmployeeChanges,
        now: DateTime<Utc>,
    ) -> Result<Vec<&'static str>, EditError> {
        self.employee(id).ok_or(EditError::NotFound)?;
        if let Some(email) = &changes.email {
            self.check_email(email, Some(id))?;
        }
        if let Some(Some(s)) = changes.supervisor_id {
            self.employee(s).ok_or(EditError::UnknownSupervisor(s))?;
            if self.reports_to(s, id) {
                return Err(EditError::SupervisorCycle);
            }
        }
        let e = self.employee_mut(id).ok_or(EditError::NotFound)?;
        let mut changed: Vec<&'static str> = Vec::new();
        macro_rules! set {
            ($field:ident, $key:literal) => {
                if let Some(value) = changes.$field.clone() {
                    if e.$field != value {
                        e.$field = value;
                        changed.push($key);
                    }
                }
            };
        }
        set!(first_name, "first_name");
        set!(last_name, "last_name");
        set!(preferred_name, "preferred_name");
        set!(email, "email");
        set!(gender, "gender");
        set!(position, "position");
        set!(status, "status");
        set!(supervisor_id, "supervisor");
        set!(employment_type, "employment_type");
        set!(weekly_hours, "weekly_working_hours");
        set!(legal_entity_id, "subcompany");
        set!(office_id, "office");
        set!(department_id, "department");
        set!(team_id, "team");
        set!(cost_centers, "cost_centers");
        set!(hire_date, "hire_date");
        set!(contract_end_date, "contract_end_date");
        set!(probation_end_date, "probation_period_end");
        if let Some(language) = changes.language {
            e.language = language;
        }
        let mut custom_keys = Vec::new();
        for (attribute_id, value) in &changes.custom {
            let current = e.custom.iter().position(|(id, _)| id == attribute_id);
            match (current, value) {
                (Some(i), Some(v)) if &e.custom[i].1 != v => e.custom[i].1 = v.clone(),
                (Some(i), None) => {
                    e.custom.remove(i);
                }
                (None, Some(v)) => e.custom.push((*attribute_id, v.clone())),
                _ => continue,
            }
            custom_keys.push(format!("dynamic_{attribute_id}"));
        }
        if !changed.is_empty() || !custom_keys.is_empty() {
            let mut keys: Vec<&str> = changed.clone();
            keys.extend(custom_keys.iter().map(String::as_str));
            e.touch(&keys, now);
            let employment_id = e.employment_id;
            let person_changed =
                !custom_keys.is_empty() || changed.iter().any(|k| PERSON_KEYS.contains(k));
            if person_changed {
                self.changes
                    .record("person.updated", now, person_payload(id));
            }
            if changed
                .iter()
                .any(|k| !PERSON_KEYS.contains(k) && *k != "cost_centers")
            {
                self.changes.record(
                    "employment.updated",
                    now,
                    employment_payload(id, employment_id),
                );
            }
            if changed.contains(&"cost_centers") {
                self.changes.record(
                    "employment.updated.cost-centers",
                    now,
                    employment_payload(id, employment_id),
                );
            }
        }
        Ok(changed)
    }

    /// Removes an employee (v2 `DELETE /v2/persons/{id}`); they vanish from every listing.
    /// Their reports lose their supervisor.
    pub fn delete_employee(&mut self, id: i64, now: DateTime<Utc>) -> Result<(), EditError> {
        let index = self
            .employees
            .binary_search_by_key(&id, |e| e.id)
            .map_err(|_| EditError::NotFound)?;
        let removed = self.employees.remove(index);
        // Their time records go with them, without events of their own.
        self.attendances.remove_person(id);
        self.absences.remove_person(id);
        self.changes.record(
            "employment.deleted",
            now,
            employment_payload(id, removed.employment_id),
        );
        self.changes
            .record("person.deleted", now, person_payload(id));
        let mut orphaned = Vec::new();
        for e in self
            .employees
            .iter_mut()
            .filter(|e| e.supervisor_id == Some(id))
        {
            e.supervisor_id = None;
            e.touch(&["supervisor"], now);
            orphaned.push((e.id, e.employment_id));
        }
        for (report, employment) in orphaned {
            self.changes.record(
                "employment.updated",
                now,
                employment_payload(report, employment),
            );
        }
        self.deleted_employees.push(DeletedEmployee {
            id,
            deleted_at: now,
        });
        Ok(())
    }

    /// Whether `employee` has `manager` somewhere above them.
    fn reports_to(&self, employee: i64, manager: i64) -> bool {
        let mut current = Some(employee);
        for _ in 0..=self.employees.len() {
            match current {
                Some(id) if id == manager => return true,
                Some(id) => current = self.employee(id).and_then(|e| e.supervisor_id),
                None => return false,
            }
        }
        true
    }

    fn check_email(&self, email: &str, except: Option<i64>) -> Result<(), EditError> {
        if !email.contains('@') || email.chars().any(char::is_whitespace) {
            return Err(EditError::Invalid(
                "The email must be a valid email address.".into(),
            ));
        }
        let taken = self
            .employees
            .iter()
            .any(|e| Some(e.id) != except && e.email.eq_ignore_ascii_case(email));
        if taken {
            Err(EditError::DuplicateEmail)
        } else {
            Ok(())
        }
    }
}

/// v1 keys that belong to the person in v2; the rest belong to the employment.
const PERSON_KEYS: &[&str] = &[
    "first_name",
    "last_name",
    "preferred_name",
    "email",
    "gender",
];

pub(super) fn person_payload(id: i64) -> serde_json::Value {
    serde_json::json!({ "id": id.to_string() })
}

pub(super) fn employment_payload(person: i64, employment: uuid::Uuid) -> serde_json::Value {
    serde_json::json!({ "id": employment.to_string(), "person": { "id": person.to_string() } })
}

fn required(value: &Option<String>, field: &str) -> Result<String, EditError> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v.to_owned()),
        _ => Err(EditError::Invalid(format!(
            "The {} field is required.",
            field.replace('_', " ")
        ))),
    }
}
