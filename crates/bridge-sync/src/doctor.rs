//! What a credential may do, checked against what the sync needs, with the exact steps in
//! Personio's UI for every gap. Used by `connect` (before storing anything) and `doctor`.

use std::collections::BTreeSet;

use personio_api::Scope;
use personio_api::v1::{AttributeDefinition, Single};
use personio_client::Client;
use personio_client::endpoints::paths;
use serde::Serialize;

use crate::error::Error;

/// Where credentials are edited in Personio (personio-api.md §1.7).
pub const CREDENTIALS_PATH: &str = "Settings > Integrations > API credentials";

/// One access area of the credential.
#[derive(Debug, Clone, Serialize)]
pub struct AreaCheck {
    pub area: &'static str,
    pub read: bool,
    pub write: bool,
    /// What the sync reads with it.
    pub used_for: &'static str,
    /// Whether the sync needs it (and the company cannot be fully synced without it).
    pub needed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// One employee attribute the sync reads.
#[derive(Debug, Clone, Serialize)]
pub struct AttributeCheck {
    pub key: &'static str,
    pub label: &'static str,
    pub readable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// The whole diagnosis.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub areas: Vec<AreaCheck>,
    pub attributes: Vec<AttributeCheck>,
    /// Custom attributes readable by the credential (label → key).
    pub custom_attributes: Vec<String>,
    /// True when nothing the sync needs is missing.
    pub ok: bool,
}

impl Report {
    pub fn gaps(&self) -> impl Iterator<Item = &str> {
        self.areas
            .iter()
            .filter(|a| a.needed && !a.read)
            .filter_map(|a| a.fix.as_deref())
            .chain(
                self.attributes
                    .iter()
                    .filter(|a| !a.readable)
                    .filter_map(|a| a.fix.as_deref()),
            )
    }
}

/// (area, read scope, write scope, what the sync reads with it, needed)
const AREAS: &[(&str, Scope, Option<Scope>, &str, bool)] = &[
    (
        "Employees",
        Scope::PersonsRead,
        Some(Scope::PersonsWrite),
        "employees, employments, cost center splits",
        true,
    ),
    (
        "Org Units",
        Scope::OrgUnitsRead,
        None,
        "departments, teams, legal entities, workplaces, cost centers",
        true,
    ),
    (
        "Absences",
        Scope::AbsencesRead,
        Some(Scope::AbsencesWrite),
        "absence periods, absence types, balances",
        true,
    ),
    (
        "Attendances",
        Scope::AttendancesRead,
        Some(Scope::AttendancesWrite),
        "attendance periods",
        true,
    ),
    (
        "Projects",
        Scope::ProjectsRead,
        Some(Scope::ProjectsWrite),
        "projects",
        false,
    ),
    (
        "Documents",
        Scope::DocumentsRead,
        Some(Scope::DocumentsWrite),
        "document metadata",
        false,
    ),
    (
        "Compensations",
        Scope::CompensationsRead,
        Some(Scope::CompensationsWrite),
        "compensations",
        false,
    ),
    (
        "Recruiting",
        Scope::RecruitingRead,
        Some(Scope::RecruitingWrite),
        "recruiting jobs and applications",
        false,
    ),
    (
        "Webhooks",
        Scope::WebhooksRead,
        Some(Scope::WebhooksWrite),
        "instant change notifications",
        false,
    ),
];

/// The access areas a credential is checked for: (area, what the sync reads with it,
/// whether the sync needs it), for pages that explain what to tick in Personio.
pub fn area_guide() -> impl Iterator<Item = (&'static str, &'static str, bool)> {
    AREAS
        .iter()
        .map(|(area, _, _, used_for, needed)| (*area, *used_for, *needed))
}

/// The employee attributes the sync stores (v1 keys and Personio's labels).
pub const ATTRIBUTES: &[(&str, &str)] = &[
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("preferred_name", "Name (preferred)"),
    ("email", "Email"),
    ("gender", "Gender"),
    ("status", "Status"),
    ("position", "Position"),
    ("supervisor", "Supervisor"),
    ("employment_type", "Employment type"),
    ("weekly_working_hours", "Weekly hours"),
    ("hire_date", "Hire date"),
    ("contract_end_date", "Contract ends"),
    ("termination_date", "Termination date"),
    ("termination_type", "Termination type"),
    ("termination_reason", "Termination reason"),
    ("probation_period_end", "Probation period end"),
    ("last_working_day", "Last day of work"),
    ("created_at", "created_at"),
    ("last_modified_at", "Last modified"),
    ("subcompany", "Subcompany"),
    ("office", "Office"),
    ("department", "Department"),
    ("team", "Team"),
    ("cost_centers", "Cost center"),
];

/// Checks what the client's credential may do.
pub async fn diagnose(client: &Client) -> Result<Report, Error> {
    let grant = client.authenticate().await?;
    let scopes: &BTreeSet<Scope> = &grant.scopes;
    let mut areas: Vec<AreaCheck> = AREAS
        .iter()
        .map(|(area, read, write, used_for, needed)| {
            let can_read = scopes.contains(read);
            AreaCheck {
                area,
                read: can_read,
                write: write.as_ref().is_some_and(|w| scopes.contains(w)),
                used_for,
                needed: *needed,
                fix: (!can_read).then(|| {
                    format!(
                        "In Personio: {CREDENTIALS_PATH} > this integration > tick \"{area}: Read\""
                    )
                }),
            }
        })
        .collect();
    // The v1 attribute list says which attributes are readable; it needs the Employees area.
    let readable: Option<Vec<AttributeDefinition>> = match client
        .get::<Single<Vec<AttributeDefinition>>>(paths::EMPLOYEE_ATTRIBUTES_V1, &[])
        .await
    {
        Ok(list) => Some(list.data),
        Err(
            personio_client::Error::MissingArea { .. }
            | personio_client::Error::MissingScope { .. },
        ) => {
            if let Some(employees) = areas.iter_mut().find(|a| a.area == "Employees") {
                employees.read = false;
                employees.fix = Some(format!(
                    "In Personio: {CREDENTIALS_PATH} > this integration > tick \"Employees: Read\""
                ));
            }
            None
        }
        Err(other) => return Err(other.into()),
    };
    let keys: BTreeSet<String> = readable.iter().flatten().map(|a| a.key.clone()).collect();
    let attributes = ATTRIBUTES
        .iter()
        .map(|(key, label)| {
            let ok = keys.contains(*key);
            AttributeCheck {
                key,
                label,
                readable: ok,
                fix: (!ok).then(|| {
                    format!("In Personio: {CREDENTIALS_PATH} > this integration > Readable employee attributes > add \"{label}\"")
                }),
            }
        })
        .collect::<Vec<_>>();
    let custom_attributes = readable
        .iter()
        .flatten()
        .filter(|a| a.key.starts_with("dynamic_"))
        .map(|a| a.label.clone())
        .collect();
    let ok = areas.iter().all(|a| !a.needed || a.read) && attributes.iter().all(|a| a.readable);
    Ok(Report {
        areas,
        attributes,
        custom_attributes,
        ok,
    })
}
