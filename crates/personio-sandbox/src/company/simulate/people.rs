//! How people change from day to day: hires (who start on a later hire date), edits
//! (position, department and team, hours, office, last name, custom attributes), leave and
//! return, notice of termination and the last day, and now and then the deletion of
//! someone who left long ago. Date-driven changes happen every day; people's decisions on
//! weekdays only.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Months, Utc};
use personio_api::v1::AttributeType;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::Day;
use crate::company::employee::{CustomValue, Employee, Gender, Status, Termination};
use crate::company::generate::uuid_from;
use crate::company::{Company, EmployeeChanges, OrgUnitKind, names};

/// Expected events per employee and weekday: about 30% hires a year, 10% leavers, 2 edits
/// per person a year, and the occasional removal of a former employee's record.
const HIRES: f64 = 0.0012;
const TERMINATIONS: f64 = 0.0004;
const EDITS: f64 = 0.008;
const LEAVES: f64 = 0.0003;
const RETURNS: f64 = 0.0003;
const DELETIONS: f64 = 0.0002;

/// Attempts at finding a fitting person before giving up on an action.
const PROBES: usize = 40;

#[derive(Debug, Clone, Copy)]
pub(super) enum Action {
    Hire,
    Edit,
    Leave,
    Return,
    Terminate,
    Delete,
}

/// What the simulation keeps across days: the emails in use, so hires stay unique.
pub(super) struct People {
    emails: HashSet<String>,
}

impl People {
    pub(super) fn new(company: &Company) -> People {
        People {
            emails: company
                .employees
                .iter()
                .map(|e| e.email.to_lowercase())
                .collect(),
        }
    }

    /// The changes dates bring, early in the day: people whose hire date came start,
    /// people past their last day leave.
    pub(super) fn morning(&mut self, company: &mut Company, day: &mut Day) {
        let today = day.date();
        let morning = day.start + Duration::seconds(day.rng.random_range(1..600));
        let starting: Vec<i64> = company
            .employees
            .iter()
            .filter(|e| e.status == Status::Onboarding && e.hire_date <= today)
            .map(|e| e.id)
            .collect();
        let leaving: Vec<i64> = company
            .employees
            .iter()
            .filter(|e| e.status != Status::Inactive)
            .filter(|e| e.termination.as_ref().is_some_and(|t| t.date < today))
            .map(|e| e.id)
            .collect();
        for id in starting {
            let _ = company.start_employment(id, morning);
        }
        for id in leaving {
            let _ = company.end_employment(id, morning);
        }
    }

    /// People's decisions of the day (weekdays only), each at its time of day.
    pub(super) fn draw(company: &Company, day: &mut Day) -> Vec<(DateTime<Utc>, Action)> {
        let mut actions = Vec::new();
        if day.is_weekend() {
            return actions;
        }
        let size = company.employees.len() as f64;
        for (rate, action) in [
            (HIRES, Action::Hire),
            (TERMINATIONS, Action::Terminate),
            (EDITS, Action::Edit),
            (LEAVES, Action::Leave),
            (RETURNS, Action::Return),
            (DELETIONS, Action::Delete),
        ] {
            for _ in 0..count(&mut day.rng, rate * size) {
                actions.push((day.moment(600..86_400), action));
            }
        }
        actions
    }

    /// Carries out one decision; one that finds nobody fitting is dropped.
    pub(super) fn apply(
        &mut self,
        company: &mut Company,
        rng: &mut ChaCha8Rng,
        at: DateTime<Utc>,
        action: Action,
    ) {
        let _ = match action {
            Action::Hire => self.hire(company, rng, at),
            Action::Edit => edit(company, rng, at),
            Action::Leave => set_status(company, rng, at, Status::Active, Status::Leave),
            Action::Return => set_status(company, rng, at, Status::Leave, Status::Active),
            Action::Terminate => terminate(company, rng, at),
            Action::Delete => delete(company, rng, at),
        };
    }

    fn hire(
        &mut self,
        company: &mut Company,
        rng: &mut ChaCha8Rng,
        at: DateTime<Utc>,
    ) -> Option<()> {
        let colleague = pick(company, rng, |e| {
            matches!(e.status, Status::Active | Status::Onboarding) && e.department_id.is_some()
        })?
        .clone();
        let entity = company.legal_entity(colleague.legal_entity_id)?.clone();
        let (first_names, last_names) = match entity.country {
            "ES" => (names::FIRST_NAMES_ES, names::LAST_NAMES_ES),
            "GB" => (names::FIRST_NAMES_GB, names::LAST_NAMES_GB),
            _ => (names::FIRST_NAMES_DE, names::LAST_NAMES_DE),
        };
        let (first_name, sex) = first_names[rng.random_range(0..first_names.len())];
        let last_name = last_names[rng.random_range(0..last_names.len())];
        let local = format!(
            "{}.{}",
            names::ascii_fold(first_name),
            names::ascii_fold(last_name)
        );
        let mut email = format!("{local}@{}", company.domain);
        let mut n = 2;
        while self.emails.contains(&email.to_lowercase()) {
            email = format!("{local}{n}@{}", company.domain);
            n += 1;
        }
        let department = colleague
            .department_id
            .and_then(|d| company.org_unit(d))
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let (titles, _) = names::titles(&department);
        let hire_date = at.date_naive() + Duration::days(rng.random_range(14..61));
        let weekly_hours = if rng.random_bool(0.2) {
            [20.0, 24.0, 30.0, 32.0][rng.random_range(0..4)]
        } else {
            entity.full_time_hours
        };
        let changes = EmployeeChanges {
            first_name: Some(first_name.to_owned()),
            last_name: Some(last_name.to_owned()),
            email: Some(email.clone()),
            gender: Some(Some(match sex {
                names::Sex::M => Gender::Male,
                names::Sex::F => Gender::Female,
            })),
            position: Some(titles[rng.random_range(0..titles.len())].to_owned()),
            status: Some(Status::Onboarding),
            supervisor_id: Some(colleague.supervisor_id.or(Some(colleague.id))),
            weekly_hours: Some(weekly_hours),
            legal_entity_id: Some(entity.id),
            office_id: Some(colleague.office_id),
            department_id: Some(colleague.department_id),
            team_id: Some(colleague.team_id),
            hire_date: Some(hire_date),
            probation_end_date: Some(
                hire_date.checked_add_months(Months::new(entity.probation_months)),
            ),
            ..Default::default()
        };
        let employment_id = uuid_from(rng);
        company
            .create_employee_with_employment(changes, employment_id, at)
            .ok()?;
        self.emails.insert(email.to_lowercase());
        Some(())
    }
}

/// `expected` rounded to a whole count at random, keeping the expectation.
fn count(rng: &mut ChaCha8Rng, expected: f64) -> usize {
    let whole = expected.floor();
    whole as usize + usize::from(rng.random::<f64>() < expected - whole)
}

/// A random employee that fits, found by probing (cheap in companies of any size).
fn pick<'a>(
    company: &'a Company,
    rng: &mut ChaCha8Rng,
    fits: impl Fn(&Employee) -> bool,
) -> Option<&'a Employee> {
    if company.employees.is_empty() {
        return None;
    }
    (0..PROBES)
        .map(|_| &company.employees[rng.random_range(0..company.employees.len())])
        .find(|e| fits(e))
}

fn edit(company: &mut Company, rng: &mut ChaCha8Rng, at: DateTime<Utc>) -> Option<()> {
    let employee = pick(company, rng, |e| e.status != Status::Inactive)?.clone();
    let mut changes = EmployeeChanges::default();
    match rng.random_range(0..100) {
        // A new role in the same department.
        0..30 => {
            let department = employee.department_id.and_then(|d| company.org_unit(d))?;
            let (titles, _) = names::titles(&department.name);
            changes.position = Some(titles[rng.random_range(0..titles.len())].to_owned());
        }
        // A move to another team, and with it perhaps another department and cost center.
        30..45 => {
            let teams: Vec<_> = company
                .org_units
                .iter()
                .filter(|u| u.kind == OrgUnitKind::Team)
                .collect();
            let team = teams.get(rng.random_range(0..teams.len().max(1)))?;
            let department = company.department_of(team.id);
            changes.team_id = Some(Some(team.id));
            changes.department_id = Some(department);
            if department != employee.department_id {
                let cost_center = department
                    .and_then(|d| company.org_unit(d))
                    .and_then(|d| d.cost_center_id);
                changes.cost_centers =
                    Some(cost_center.map(|cc| vec![(cc, 100.0)]).unwrap_or_default());
            }
        }
        // Part time to full time, or back.
        45..60 => {
            let full_time = company
                .legal_entity(employee.legal_entity_id)?
                .full_time_hours;
            changes.weekly_hours = Some(if employee.weekly_hours < full_time {
                full_time
            } else {
                [20.0, 24.0, 30.0, 32.0][rng.random_range(0..4)]
            });
        }
        // Another office of the same legal entity.
        60..70 => {
            let offices: Vec<i64> = company
                .offices
                .iter()
                .filter(|o| o.legal_entity_id == employee.legal_entity_id)
                .map(|o| o.id)
                .collect();
            changes.office_id = Some(Some(
                *offices.get(rng.random_range(0..offices.len().max(1)))?,
            ));
        }
        // A new last name.
        70..78 => {
            let last_names = match company.legal_entity(employee.legal_entity_id)?.country {
                "ES" => names::LAST_NAMES_ES,
                "GB" => names::LAST_NAMES_GB,
                _ => names::LAST_NAMES_DE,
            };
            changes.last_name = Some(last_names[rng.random_range(0..last_names.len())].to_owned());
        }
        // A custom attribute: a size, a language, a share.
        _ => {
            let editable: Vec<_> = company
                .custom_attributes
                .iter()
                .filter(|a| {
                    matches!(
                        a.kind,
                        AttributeType::List | AttributeType::Tags | AttributeType::Decimal
                    )
                })
                .collect();
            let attribute = editable.get(rng.random_range(0..editable.len().max(1)))?;
            let value = match attribute.kind {
                AttributeType::Decimal => {
                    CustomValue::Decimal([25.0, 50.0, 75.5, 100.0][rng.random_range(0..4)])
                }
                AttributeType::Tags => {
                    let options = &attribute.options;
                    let mut tags: Vec<String> = Vec::new();
                    for _ in 0..rng.random_range(1..4) {
                        let tag = options.get(rng.random_range(0..options.len().max(1)))?;
                        if !tags.iter().any(|t| t == tag) {
                            tags.push((*tag).to_owned());
                        }
                    }
                    CustomValue::Tags(tags)
                }
                _ => CustomValue::Text(
                    (*attribute
                        .options
                        .get(rng.random_range(0..attribute.options.len().max(1)))?)
                    .to_owned(),
                ),
            };
            changes.custom = vec![(attribute.id, Some(value))];
        }
    }
    company.update_employee(employee.id, changes, at).ok()?;
    Some(())
}

fn set_status(
    company: &mut Company,
    rng: &mut ChaCha8Rng,
    at: DateTime<Utc>,
    from: Status,
    to: Status,
) -> Option<()> {
    let id = pick(company, rng, |e| {
        e.status == from && e.termination.is_none()
    })?
    .id;
    let changes = EmployeeChanges {
        status: Some(to),
        ..Default::default()
    };
    company.update_employee(id, changes, at).ok()?;
    Some(())
}

fn terminate(company: &mut Company, rng: &mut ChaCha8Rng, at: DateTime<Utc>) -> Option<()> {
    // The CEO (nobody above them) stays.
    let id = pick(company, rng, |e| {
        e.status == Status::Active && e.termination.is_none() && e.supervisor_id.is_some()
    })?
    .id;
    let date = at.date_naive() + Duration::days(rng.random_range(14..61));
    // The first reasons are the employee's own decisions, the usual case.
    let (kind, reason) = names::TERMINATION_REASONS[rng.random_range(0..3)];
    let termination = Termination {
        date,
        last_working_day: date,
        kind,
        reason: reason.to_owned(),
        recorded_at: at,
    };
    company.record_termination(id, termination, at).ok()
}

fn delete(company: &mut Company, rng: &mut ChaCha8Rng, at: DateTime<Utc>) -> Option<()> {
    let long_ago = at.date_naive() - Duration::days(30);
    let id = pick(company, rng, |e| {
        e.status == Status::Inactive && e.termination.as_ref().is_some_and(|t| t.date < long_ago)
    })?
    .id;
    company.delete_employee(id, at).ok()
}
