//! An employee, with one employment, as the sandbox keeps it.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// v1 status values; v2 employment status is the same in capitals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Onboarding,
    Leave,
    Inactive,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Onboarding => "onboarding",
            Status::Leave => "leave",
            Status::Inactive => "inactive",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s.to_ascii_lowercase().as_str() {
            "active" => Some(Status::Active),
            "onboarding" => Some(Status::Onboarding),
            "leave" => Some(Status::Leave),
            "inactive" => Some(Status::Inactive),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
    Diverse,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
            Gender::Diverse => "diverse",
        }
    }

    pub fn parse(s: &str) -> Option<Gender> {
        match s.to_ascii_lowercase().as_str() {
            "male" => Some(Gender::Male),
            "female" => Some(Gender::Female),
            "diverse" => Some(Gender::Diverse),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmploymentType {
    Internal,
    External,
}

impl EmploymentType {
    pub fn as_str(self) -> &'static str {
        match self {
            EmploymentType::Internal => "internal",
            EmploymentType::External => "external",
        }
    }
}

/// How and why an employment ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Termination {
    pub date: NaiveDate,
    pub last_working_day: NaiveDate,
    /// v1 wording, e.g. `employee`, `employer`, `contract_expired`, `mutual_agreement`.
    pub kind: &'static str,
    pub reason: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SalaryInterval {
    Monthly,
    Yearly,
}

impl SalaryInterval {
    pub fn as_str(self) -> &'static str {
        match self {
            SalaryInterval::Monthly => "monthly",
            SalaryInterval::Yearly => "yearly",
        }
    }
}

/// A value of a custom (`dynamic_<n>`) attribute.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomValue {
    Text(String),
    Date(NaiveDate),
    Integer(i64),
    Decimal(f64),
    Tags(Vec<String>),
}

/// One person with their (single) employment.
#[derive(Debug, Clone)]
pub struct Employee {
    pub id: i64,
    pub employment_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub preferred_name: String,
    pub email: String,
    pub gender: Option<Gender>,
    pub language: &'static str,
    pub status: Status,
    pub position: String,
    pub supervisor_id: Option<i64>,
    pub employment_type: EmploymentType,
    pub weekly_hours: f64,
    pub legal_entity_id: i64,
    pub office_id: Option<i64>,
    pub department_id: Option<i64>,
    pub team_id: Option<i64>,
    /// (cost center id, percentage); percentages add up to 100.
    pub cost_centers: Vec<(i64, f64)>,
    pub holiday_calendar_id: i64,
    pub work_schedule_id: i64,
    /// (time-off type id, entitlement in the type's unit per year).
    pub entitlements: Vec<(i64, f64)>,
    pub hire_date: NaiveDate,
    pub contract_end_date: Option<NaiveDate>,
    pub probation_end_date: Option<NaiveDate>,
    pub termination: Option<Termination>,
    pub fix_salary: f64,
    pub salary_interval: SalaryInterval,
    pub hourly_salary: f64,
    /// (custom attribute id, value); ids without a value are absent.
    pub custom: Vec<(i64, CustomValue)>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When individual attributes last changed (v1 key → time); attributes not listed last
    /// changed at `created_at`. Drives `updated_since` with `attributes[]`.
    pub attribute_changes: Vec<(String, DateTime<Utc>)>,
    /// Bumped on every change, so rendered copies can be cached.
    pub version: u64,
}

impl Employee {
    /// When the attribute with v1 key `key` last changed.
    pub fn attribute_changed_at(&self, key: &str) -> DateTime<Utc> {
        self.attribute_changes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, at)| *at)
            .unwrap_or(self.created_at)
    }

    /// Records a change of `keys` at `at`.
    pub fn touch(&mut self, keys: &[&str], at: DateTime<Utc>) {
        for key in keys {
            match self.attribute_changes.iter_mut().find(|(k, _)| k == key) {
                Some(entry) => entry.1 = at,
                None => self.attribute_changes.push(((*key).to_owned(), at)),
            }
        }
        self.updated_at = self.updated_at.max(at);
        self.version += 1;
    }

    pub fn custom_value(&self, attribute_id: i64) -> Option<&CustomValue> {
        self.custom
            .iter()
            .find(|(id, _)| *id == attribute_id)
            .map(|(_, v)| v)
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}
