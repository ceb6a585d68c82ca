//! Compensations (Personio's Payroll Integrations API): compensation types, and what each
//! person is paid: base salary history, hourly rates, recurring allowances and one-time
//! payments such as bonuses (personio-api.md §3.8).
//!
//! Personio lists compensations per month; [`Company::compensations_between`] decides what
//! a window shows: salaries and recurring payments in effect during it, one-time payments
//! dated inside it, for people employed during it. Personio documents no webhook events
//! for compensations, so changes here record none.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use super::Company;
use super::employee::{EmploymentType, SalaryInterval, Status};
use super::generate::uuid_from;

/// How a compensation type pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompensationCategory {
    /// The base salary (built in).
    FixedSalary,
    /// The hourly rate (built in).
    HourlySalary,
    Recurring,
    OneTime,
}

impl CompensationCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            CompensationCategory::FixedSalary => "FIXED_SALARY",
            CompensationCategory::HourlySalary => "HOURLY_SALARY",
            CompensationCategory::Recurring => "RECURRING",
            CompensationCategory::OneTime => "ONE_TIME",
        }
    }

    /// The categories `POST /v2/compensations/types` accepts.
    pub fn parse_creatable(s: &str) -> Option<CompensationCategory> {
        match s {
            "RECURRING" => Some(CompensationCategory::Recurring),
            "ONE_TIME" => Some(CompensationCategory::OneTime),
            _ => None,
        }
    }

    /// Salaries and hourly rates replace the previous one; other payments add up.
    pub fn supersedes(self) -> bool {
        matches!(
            self,
            CompensationCategory::FixedSalary | CompensationCategory::HourlySalary
        )
    }
}

/// How often a recurring payment is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Monthly,
    Quarterly,
    HalfYearly,
    Yearly,
    Hourly,
}

impl Interval {
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Monthly => "MONTHLY",
            Interval::Quarterly => "QUARTERLY",
            Interval::HalfYearly => "HALF-YEARLY",
            Interval::Yearly => "YEARLY",
            Interval::Hourly => "HOURLY",
        }
    }

    /// The intervals `POST /v2/compensations` accepts.
    pub fn parse_creatable(s: &str) -> Option<Interval> {
        match s {
            "MONTHLY" => Some(Interval::Monthly),
            "QUARTERLY" => Some(Interval::Quarterly),
            "HALF-YEARLY" => Some(Interval::HalfYearly),
            "YEARLY" => Some(Interval::Yearly),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CompensationType {
    pub id: Uuid,
    pub name: String,
    pub category: CompensationCategory,
    pub created_at: DateTime<Utc>,
}

/// One payment arrangement of one person.
#[derive(Debug, Clone)]
pub struct Compensation {
    /// Creation order; lists page by it.
    pub seq: i64,
    pub id: Uuid,
    pub person_id: i64,
    pub type_id: Uuid,
    pub value: f64,
    pub currency: String,
    /// `None` for one-time payments.
    pub interval: Option<Interval>,
    pub effective_from: NaiveDate,
    /// Last day in effect, when a later salary replaced this one.
    pub effective_to: Option<NaiveDate>,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct Compensations {
    pub types: Vec<CompensationType>,
    /// Sorted by `seq`.
    pub items: Vec<Compensation>,
    next_seq: i64,
}

/// A compensation to create (`POST /v2/compensations`), already validated for form.
#[derive(Debug, Clone)]
pub struct NewCompensation {
    pub person_id: i64,
    pub type_id: Uuid,
    pub value: f64,
    /// The legal entity's currency when `None`.
    pub currency: Option<String>,
    pub effective_from: NaiveDate,
    pub interval: Option<Interval>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompensationError {
    #[error("Person with id {0} not found.")]
    UnknownPerson(i64),
    #[error("Compensation type with id {0} not found.")]
    UnknownType(Uuid),
    #[error("A compensation type named {0:?} already exists.")]
    DuplicateTypeName(String),
}

impl Company {
    pub fn compensation_type(&self, id: Uuid) -> Option<&CompensationType> {
        self.compensations.types.iter().find(|t| t.id == id)
    }

    /// What the window `[start, end]` shows, in creation order.
    pub fn compensations_between(&self, start: NaiveDate, end: NaiveDate) -> Vec<&Compensation> {
        self.compensations
            .items
            .iter()
            .filter(|c| {
                let one_time = c.interval.is_none();
                let in_effect = if one_time {
                    (start..=end).contains(&c.effective_from)
                } else {
                    c.effective_from <= end && c.effective_to.is_none_or(|to| to >= start)
                };
                in_effect
                    && self.employee(c.person_id).is_some_and(|e| {
                        e.hire_date <= end
                            && e.termination
                                .as_ref()
                                .is_none_or(|t| t.last_working_day >= start)
                    })
            })
            .collect()
    }

    /// Adds a compensation. A new salary or hourly rate ends the person's previous one of
    /// the same category the day before it starts. Returns its id.
    pub fn create_compensation(
        &mut self,
        new: NewCompensation,
        now: DateTime<Utc>,
    ) -> Result<Uuid, CompensationError> {
        let person = self
            .employee(new.person_id)
            .ok_or(CompensationError::UnknownPerson(new.person_id))?;
        let currency = new.currency.clone().unwrap_or_else(|| {
            self.legal_entity(person.legal_entity_id)
                .map_or("EUR", |le| le.currency)
                .to_owned()
        });
        let category = self
            .compensation_type(new.type_id)
            .ok_or(CompensationError::UnknownType(new.type_id))?
            .category;
        let interval = match category {
            CompensationCategory::OneTime => None,
            CompensationCategory::HourlySalary => Some(Interval::Hourly),
            _ => Some(new.interval.unwrap_or(Interval::Monthly)),
        };
        if category.supersedes() {
            let types = &self.compensations.types;
            for earlier in self.compensations.items.iter_mut().filter(|c| {
                c.person_id == new.person_id
                    && c.effective_from < new.effective_from
                    && c.effective_to.is_none_or(|to| to >= new.effective_from)
                    && types
                        .iter()
                        .any(|t| t.id == c.type_id && t.category == category)
            }) {
                earlier.effective_to = Some(new.effective_from - Duration::days(1));
            }
        }
        let id = uuid_from(&mut rand::rng());
        let seq = self.compensations.next_seq;
        self.compensations.next_seq += 1;
        self.compensations.items.push(Compensation {
            seq,
            id,
            person_id: new.person_id,
            type_id: new.type_id,
            value: new.value,
            currency,
            interval,
            effective_from: new.effective_from,
            effective_to: None,
            comment: new.comment,
            created_at: now,
        });
        Ok(id)
    }

    /// Adds a compensation type; names are unique (case-insensitive).
    pub fn create_compensation_type(
        &mut self,
        name: &str,
        category: CompensationCategory,
        now: DateTime<Utc>,
    ) -> Result<Uuid, CompensationError> {
        let name = name.trim();
        if self
            .compensations
            .types
            .iter()
            .any(|t| t.name.eq_ignore_ascii_case(name))
        {
            return Err(CompensationError::DuplicateTypeName(name.to_owned()));
        }
        let id = uuid_from(&mut rand::rng());
        self.compensations.types.push(CompensationType {
            id,
            name: name.to_owned(),
            category,
            created_at: now,
        });
        Ok(id)
    }
}

/// (name, category) of the types every company starts with.
const TYPES: &[(&str, CompensationCategory)] = &[
    ("salary", CompensationCategory::FixedSalary),
    ("hourly", CompensationCategory::HourlySalary),
    ("Annual bonus", CompensationCategory::OneTime),
    ("Christmas bonus", CompensationCategory::OneTime),
    ("Meal allowance", CompensationCategory::Recurring),
    ("Public transport ticket", CompensationCategory::Recurring),
    ("Sales commission", CompensationCategory::Recurring),
];

/// Pays everyone: a salary history ending in each person's current salary (hourly rates
/// for external staff), bonuses in past years, allowances and commissions.
pub(super) fn generate(company: &mut Company, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC0_4E_5A_7E);
    let start = company.as_of - Duration::days(365 * 8);
    company.compensations.types = TYPES
        .iter()
        .map(|&(name, category)| CompensationType {
            id: uuid_from(&mut rng),
            name: name.to_owned(),
            category,
            created_at: start,
        })
        .collect();
    let type_id = |i: usize| company.compensations.types[i].id;
    let (salary, hourly, annual_bonus, christmas, meal, transport, commission) = (
        type_id(0),
        type_id(1),
        type_id(2),
        type_id(3),
        type_id(4),
        type_id(5),
        type_id(6),
    );
    let today = company.as_of.date_naive();
    let sales = company
        .org_units
        .iter()
        .find(|u| u.name == "Sales")
        .map(|u| u.id);
    let mut items = Vec::with_capacity(company.employees.len() * 3);
    for e in &company.employees {
        let Some(entity) = company.legal_entity(e.legal_entity_id) else {
            continue;
        };
        let currency = entity.currency;
        let mut push = |type_id: Uuid,
                        value: f64,
                        interval: Option<Interval>,
                        from: NaiveDate,
                        to: Option<NaiveDate>,
                        comment: Option<String>| {
            let created_at = (from - Duration::days(14))
                .and_hms_opt(10, 0, 0)
                .unwrap_or_default()
                .and_utc()
                .max(e.created_at)
                .min(company.as_of - Duration::minutes(1));
            items.push(Compensation {
                seq: 0,
                // Ids and order are assigned once everyone is paid.
                id: Uuid::nil(),
                person_id: e.id,
                type_id,
                value,
                currency: currency.to_owned(),
                interval,
                effective_from: from,
                effective_to: to,
                comment,
                created_at,
            });
        };
        if e.employment_type == EmploymentType::External {
            push(
                hourly,
                e.hourly_salary,
                Some(Interval::Hourly),
                e.hire_date,
                None,
                None,
            );
            continue;
        }
        let interval = match e.salary_interval {
            SalaryInterval::Monthly => Interval::Monthly,
            SalaryInterval::Yearly => Interval::Yearly,
        };
        // A raise on the first of a month, at least a year after the hire date.
        let raise = e
            .hire_date
            .checked_add_months(Months::new(12 + rng.random_range(0..24)))
            .and_then(|d| d.with_day(1))
            .filter(|d| *d <= today);
        match raise {
            Some(raised) => {
                let earlier = (e.fix_salary * 0.92 / 50.0).round() * 50.0;
                push(
                    salary,
                    earlier,
                    Some(interval),
                    e.hire_date,
                    Some(raised - Duration::days(1)),
                    None,
                );
                push(
                    salary,
                    e.fix_salary,
                    Some(interval),
                    raised,
                    None,
                    Some("Annual review".to_owned()),
                );
            }
            None => push(
                salary,
                e.fix_salary,
                Some(interval),
                e.hire_date,
                None,
                None,
            ),
        }
        if e.status == Status::Onboarding {
            continue;
        }
        for year in [today.year() - 2, today.year() - 1, today.year()] {
            let Some(paid) = NaiveDate::from_ymd_opt(year, 3, 31) else {
                continue;
            };
            if paid > e.hire_date + Duration::days(180) && paid <= today && rng.random_bool(0.4) {
                let bonus = (e.fix_salary * rng.random_range(0.3..0.9) / 10.0).round() * 10.0;
                push(
                    annual_bonus,
                    bonus,
                    None,
                    paid,
                    None,
                    Some(format!("Target achievement {}", year - 1)),
                );
            }
        }
        if entity.country == "DE" {
            if let Some(paid) = NaiveDate::from_ymd_opt(today.year() - 1, 11, 30)
                .filter(|d| *d > e.hire_date && rng.random_bool(0.5))
            {
                push(christmas, 500.0, None, paid, None, None);
            }
            if rng.random_bool(0.35) {
                push(
                    meal,
                    rng.random_range(3..9) as f64 * 10.0,
                    Some(Interval::Monthly),
                    e.hire_date,
                    None,
                    None,
                );
            }
            if rng.random_bool(0.3) {
                push(
                    transport,
                    58.0,
                    Some(Interval::Monthly),
                    e.hire_date
                        .max(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or(e.hire_date)),
                    None,
                    None,
                );
            }
        }
        if e.department_id.is_some() && e.department_id == sales {
            push(
                commission,
                (e.fix_salary * 0.6 / 100.0).round() * 100.0,
                Some(Interval::Quarterly),
                e.hire_date,
                None,
                None,
            );
        }
    }
    for (seq, item) in items.iter_mut().enumerate() {
        item.seq = seq as i64;
        item.id = uuid_from(&mut rng);
    }
    company.compensations.next_seq = items.len() as i64;
    company.compensations.items = items;
}
