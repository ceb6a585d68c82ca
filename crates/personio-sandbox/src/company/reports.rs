//! Custom reports: the column catalogue and the reports an admin has built from it
//! (personio-api.md §2.7, §3.12).
//!
//! A report stores only its definition; its rows are computed from the company when read,
//! so they always match the other endpoints. Reports read *every* attribute, whatever a
//! credential's readable attributes say, as Personio's do. The one thing not derivable
//! from today's company is history, so the generator keeps the earlier positions of people
//! who were promoted.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use super::generate::uuid_from;
use super::{Company, names};

/// How a report cell is typed (`data_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellType {
    Text,
    Entity,
    CostCenter,
    Salary,
    AbsenceOverview,
    Duration,
}

impl CellType {
    pub fn as_str(self) -> &'static str {
        match self {
            CellType::Text => "TEXT",
            CellType::Entity => "ENTITY",
            CellType::CostCenter => "COST_CENTER",
            CellType::Salary => "SALARY",
            CellType::AbsenceOverview => "ABSENCE_OVERVIEW",
            CellType::Duration => "DURATION",
        }
    }
}

/// Where a column's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnSource {
    /// A standard employee attribute, by its v1 key.
    Standard(&'static str),
    /// A custom attribute, by id.
    Custom(i64),
    /// The absences of one time-off type, by id.
    Absence(i64),
}

/// A column a report can show.
#[derive(Debug, Clone)]
pub struct ReportColumn {
    /// `first_name`, `dynamic_123`, `absence_113437`.
    pub id: String,
    pub source: ColumnSource,
    pub cell: CellType,
    pub label_en: String,
    pub label_de: String,
}

/// `point_in_time`, `timeframe` or `historical_data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    PointInTime,
    Timeframe,
    Historical,
}

impl ReportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::PointInTime => "point_in_time",
            ReportKind::Timeframe => "timeframe",
            ReportKind::Historical => "historical_data",
        }
    }
}

/// A saved report.
#[derive(Debug, Clone)]
pub struct Report {
    pub id: Uuid,
    pub name: &'static str,
    pub description: &'static str,
    pub author_id: Option<i64>,
    pub kind: ReportKind,
    /// `today`, `this_year`, `fixed`, ...
    pub period_type: &'static str,
    /// `up_to_date`, `updating` or `update_failed`.
    pub status: &'static str,
    /// Column ids, in order.
    pub columns: Vec<String>,
    /// Rows shown: only people whose v1 `status` is one of these (all when empty).
    pub statuses: Vec<&'static str>,
    /// For `fixed` periods.
    pub fixed_period: Option<(NaiveDate, NaiveDate)>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct Reports {
    pub columns: Vec<ReportColumn>,
    pub reports: Vec<Report>,
    /// Positions people held before their current one: (since, title), oldest first.
    pub earlier_positions: HashMap<i64, Vec<(NaiveDate, String)>>,
}

impl Report {
    /// The period the report covers, on `today`.
    pub fn period(&self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        match (self.period_type, self.fixed_period) {
            (_, Some(fixed)) => fixed,
            ("this_year", None) => (
                NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
                NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today),
            ),
            _ => (today, today),
        }
    }
}

impl Company {
    pub fn report(&self, id: &str) -> Option<&Report> {
        let id = Uuid::parse_str(id.trim()).ok()?;
        self.reports.reports.iter().find(|r| r.id == id)
    }

    pub fn report_column(&self, id: &str) -> Option<&ReportColumn> {
        self.reports.columns.iter().find(|c| c.id == id)
    }
}

/// (key, cell type, English label, German label) of the standard columns.
const STANDARD_COLUMNS: &[(&str, CellType, &str, &str)] = &[
    ("first_name", CellType::Text, "First name", "Vorname"),
    ("last_name", CellType::Text, "Last name", "Nachname"),
    ("email", CellType::Text, "Email", "E-Mail"),
    ("gender", CellType::Text, "Gender", "Geschlecht"),
    ("status", CellType::Text, "Status", "Status"),
    ("position", CellType::Text, "Position", "Position"),
    (
        "employment_type",
        CellType::Text,
        "Employment type",
        "Beschäftigungsart",
    ),
    ("hire_date", CellType::Text, "Hire date", "Eintrittsdatum"),
    (
        "termination_date",
        CellType::Text,
        "Termination date",
        "Kündigungsdatum",
    ),
    ("subcompany", CellType::Entity, "Subcompany", "Firma"),
    ("office", CellType::Entity, "Office", "Standort"),
    ("department", CellType::Entity, "Department", "Abteilung"),
    ("team", CellType::Entity, "Team", "Team"),
    (
        "supervisor",
        CellType::Entity,
        "Supervisor",
        "Vorgesetzte:r",
    ),
    (
        "cost_centers",
        CellType::CostCenter,
        "Cost center",
        "Kostenstelle",
    ),
    (
        "weekly_working_hours",
        CellType::Duration,
        "Weekly hours",
        "Wochenstunden",
    ),
    ("fix_salary", CellType::Salary, "Fix salary", "Fixgehalt"),
    (
        "hourly_salary",
        CellType::Salary,
        "Hourly salary",
        "Stundenlohn",
    ),
];

/// Builds the column catalogue and a few reports an HR team would keep.
pub(super) fn generate(company: &mut Company, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5E_9047);
    let mut columns: Vec<ReportColumn> = STANDARD_COLUMNS
        .iter()
        .map(|&(key, cell, en, de)| ReportColumn {
            id: key.to_owned(),
            source: ColumnSource::Standard(key),
            cell,
            label_en: en.to_owned(),
            label_de: de.to_owned(),
        })
        .collect();
    columns.extend(company.custom_attributes.iter().map(|a| ReportColumn {
        id: a.key.clone(),
        source: ColumnSource::Custom(a.id),
        cell: CellType::Text,
        label_en: a.label.to_owned(),
        label_de: a.label.to_owned(),
    }));
    columns.extend(company.time_off_types.iter().map(|t| ReportColumn {
        id: format!("absence_{}", t.id),
        source: ColumnSource::Absence(t.id),
        cell: CellType::AbsenceOverview,
        label_en: t.name.to_owned(),
        label_de: t.name.to_owned(),
    }));
    let absence = |category: &str| {
        company
            .time_off_types
            .iter()
            .find(|t| t.category == category)
            .map(|t| format!("absence_{}", t.id))
    };
    let vacation = absence("paid_vacation").unwrap_or_default();
    let sick = absence("sick_leave").unwrap_or_default();
    let author = company
        .employees
        .iter()
        .find(|e| e.position.contains("People") || e.position.contains("HR"))
        .or(company.employees.first())
        .map(|e| e.id);
    let as_of = company.as_of;
    let today = as_of.date_naive();
    let mut at = |days_ago: i64| {
        as_of - Duration::days(days_ago) + Duration::minutes(rng.random_range(0..600))
    };
    let strings = |keys: &[&str]| keys.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>();
    let report = |name,
                  description,
                  kind,
                  period_type,
                  status,
                  columns: Vec<String>,
                  statuses: Vec<&'static str>,
                  fixed_period,
                  created: DateTime<Utc>,
                  updated: DateTime<Utc>| Report {
        id: Uuid::nil(),
        name,
        description,
        author_id: author,
        kind,
        period_type,
        status,
        columns,
        statuses,
        fixed_period,
        created_at: created,
        updated_at: updated,
    };
    let mut reports = vec![
        report(
            "Active headcount by department",
            "Everyone active today, with department, team and office",
            ReportKind::PointInTime,
            "today",
            "up_to_date",
            strings(&[
                "first_name",
                "last_name",
                "status",
                "position",
                "department",
                "team",
                "office",
                "hire_date",
            ]),
            vec!["active"],
            None,
            at(700),
            at(120),
        ),
        report(
            "Salaries and cost centers",
            "Fixed and hourly pay of everyone employed, with their cost center split",
            ReportKind::PointInTime,
            "today",
            "up_to_date",
            strings(&[
                "first_name",
                "last_name",
                "subcompany",
                "employment_type",
                "weekly_working_hours",
                "fix_salary",
                "hourly_salary",
                "cost_centers",
            ]),
            vec!["active", "onboarding", "leave"],
            None,
            at(500),
            at(60),
        ),
        report(
            "Absence overview this year",
            "Vacation and sick days taken this year",
            ReportKind::Timeframe,
            "this_year",
            "up_to_date",
            vec![
                "first_name".into(),
                "last_name".into(),
                "department".into(),
                vacation,
                sick,
            ],
            vec!["active", "leave"],
            None,
            at(300),
            at(30),
        ),
        report(
            "Position changes",
            "Who held which position since when",
            ReportKind::Historical,
            "fixed",
            "up_to_date",
            strings(&["position", "department"]),
            Vec::new(),
            Some((today - Duration::days(365 * 3), today)),
            at(200),
            at(10),
        ),
        report(
            "Headcount by cost center",
            "Being rebuilt after the cost center changes",
            ReportKind::PointInTime,
            "today",
            "updating",
            strings(&["first_name", "last_name", "cost_centers"]),
            vec!["active"],
            None,
            at(40),
            at(1),
        ),
    ];
    for r in &mut reports {
        r.id = uuid_from(&mut rng);
    }
    let mut earlier_positions = HashMap::new();
    for e in &company.employees {
        let promoted = e.attribute_changed_at("position");
        if promoted <= e.created_at {
            continue;
        }
        let department = e
            .department_id
            .and_then(|d| company.org_unit(d))
            .map_or("", |d| d.name.as_str());
        let (titles, _) = names::titles(department);
        let others: Vec<&str> = titles
            .iter()
            .copied()
            .filter(|t| *t != e.position)
            .collect();
        let earlier = if others.is_empty() {
            "Associate"
        } else {
            others[rng.random_range(0..others.len())]
        };
        earlier_positions.insert(e.id, vec![(e.hire_date, earlier.to_owned())]);
    }
    company.reports = Reports {
        columns,
        reports,
        earlier_positions,
    };
}
