//! The record tables, as the code writes them: each table's key and normalized columns, in
//! the order of its migration. A test checks these against the live schema of both dialects.

/// A column's type, for reading old values back when classifying changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Int,
    Real,
    Text,
}

/// How a table keys its records (besides the company).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Int,
    Text,
}

/// One record table.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub key: KeyType,
    /// Normalized columns (without company_id, id and the bookkeeping columns).
    pub columns: &'static [(&'static str, ColumnType)],
}

impl Table {
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|(c, _)| *c == name)
    }
}

use ColumnType::{Int, Real, Text};

pub const EMPLOYEES: Table = Table {
    name: "employees",
    key: KeyType::Int,
    columns: &[
        ("first_name", Text),
        ("last_name", Text),
        ("preferred_name", Text),
        ("email", Text),
        ("gender", Text),
        ("language", Text),
        ("custom_attributes", Text),
        ("source_created_at", Text),
    ],
};

pub const EMPLOYMENTS: Table = Table {
    name: "employments",
    key: KeyType::Text,
    columns: &[
        ("employee_id", Int),
        ("status", Text),
        ("position", Text),
        ("supervisor_id", Int),
        ("employment_type", Text),
        ("weekly_working_hours", Real),
        ("full_time_weekly_working_hours", Real),
        ("hire_date", Text),
        ("contract_end_date", Text),
        ("probation_end_date", Text),
        ("termination_date", Text),
        ("termination_type", Text),
        ("termination_reason", Text),
        ("last_working_day", Text),
        ("legal_entity_id", Int),
        ("legal_entity", Text),
        ("office_id", Int),
        ("office", Text),
        ("department_id", Int),
        ("department", Text),
        ("team_id", Int),
        ("team", Text),
        ("source_created_at", Text),
    ],
};

/// Cost center splits, one row per employee and cost center (`id` = `employee:cost_center`).
pub const EMPLOYEE_COST_CENTERS: Table = Table {
    name: "employee_cost_centers",
    key: KeyType::Text,
    columns: &[
        ("employee_id", Int),
        ("cost_center_id", Int),
        ("cost_center", Text),
        ("percentage", Real),
    ],
};

pub const ORG_UNITS: Table = Table {
    name: "org_units",
    key: KeyType::Int,
    columns: &[
        ("type", Text),
        ("name", Text),
        ("abbreviation", Text),
        ("description", Text),
        ("parent_id", Int),
    ],
};

pub const LEGAL_ENTITIES: Table = Table {
    name: "legal_entities",
    key: KeyType::Int,
    columns: &[("name", Text), ("country", Text)],
};

pub const WORKPLACES: Table = Table {
    name: "workplaces",
    key: KeyType::Int,
    columns: &[("name", Text)],
};

pub const COST_CENTERS: Table = Table {
    name: "cost_centers",
    key: KeyType::Int,
    columns: &[("name", Text)],
};

pub const ATTENDANCE_PERIODS: Table = Table {
    name: "attendance_periods",
    key: KeyType::Text,
    columns: &[
        ("employee_id", Int),
        ("type", Text),
        ("start", Text),
        ("end", Text),
        ("attribution_date", Text),
        ("status", Text),
        ("project_id", Text),
        ("comment", Text),
        ("break_minutes", Int),
    ],
};

pub const ABSENCE_TYPES: Table = Table {
    name: "absence_types",
    key: KeyType::Text,
    columns: &[("name", Text), ("category", Text), ("unit", Text)],
};

pub const ABSENCE_PERIODS: Table = Table {
    name: "absence_periods",
    key: KeyType::Text,
    columns: &[
        ("employee_id", Int),
        ("absence_type_id", Text),
        ("start", Text),
        ("start_half", Text),
        ("end", Text),
        ("end_half", Text),
        ("timezone", Text),
        ("status", Text),
        ("comment", Text),
    ],
};

/// Absence balances (`id` = `employee:time_off_type`).
pub const BALANCES: Table = Table {
    name: "balances",
    key: KeyType::Text,
    columns: &[
        ("employee_id", Int),
        ("absence_type_id", Int),
        ("absence_type", Text),
        ("category", Text),
        ("balance", Real),
        ("available", Real),
    ],
};

pub const PROJECTS: Table = Table {
    name: "projects",
    key: KeyType::Int,
    columns: &[
        ("name", Text),
        ("project_code", Text),
        ("description", Text),
        ("status", Text),
        ("cost_center_id", Int),
        ("parent_project_id", Int),
        ("start", Text),
        ("end", Text),
        ("billable", Int),
        ("client_name", Text),
        ("project_type", Text),
        ("assigned_to_all", Int),
        ("source_created_at", Text),
    ],
};

/// Project members (`id` = `project:person`), derived from each project's member list.
pub const PROJECT_MEMBERS: Table = Table {
    name: "project_members",
    key: KeyType::Text,
    columns: &[("project_id", Int), ("employee_id", Int)],
};

pub const COMPENSATION_TYPES: Table = Table {
    name: "compensation_types",
    key: KeyType::Text,
    columns: &[("name", Text), ("category", Text)],
};

pub const COMPENSATIONS: Table = Table {
    name: "compensations",
    key: KeyType::Text,
    columns: &[
        ("employee_id", Int),
        ("legal_entity_id", Int),
        ("compensation_type_id", Text),
        ("compensation_type", Text),
        ("category", Text),
        ("amount", Real),
        ("currency", Text),
        ("pay_interval", Text),
        ("effective_from", Text),
        ("comment", Text),
        ("weekly_working_hours", Real),
        ("full_time_weekly_working_hours", Real),
        ("source_created_at", Text),
    ],
};

pub const CUSTOM_REPORTS: Table = Table {
    name: "custom_reports",
    key: KeyType::Text,
    columns: &[
        ("name", Text),
        ("description", Text),
        ("type", Text),
        ("status", Text),
        ("period_type", Text),
        ("start_date", Text),
        ("end_date", Text),
        ("columns", Text),
        ("data_refreshed_at", Text),
        ("source_created_at", Text),
    ],
};

/// One row of a custom report (`id` = `report:employee`, with `:n` for an employee's
/// further rows); `cells` is a JSON object of attribute id to cell.
pub const CUSTOM_REPORT_ROWS: Table = Table {
    name: "custom_report_rows",
    key: KeyType::Text,
    columns: &[("report_id", Text), ("employee_id", Int), ("cells", Text)],
};

pub const DOCUMENT_CATEGORIES: Table = Table {
    name: "document_categories",
    key: KeyType::Int,
    columns: &[("name", Text)],
};

/// Document metadata (never the files), owned by employees.
pub const DOCUMENTS: Table = Table {
    name: "documents",
    key: KeyType::Text,
    columns: &[
        ("employee_id", Int),
        ("category_id", Int),
        ("name", Text),
        ("date", Text),
        ("comment", Text),
        ("document_type", Text),
        ("size", Int),
        ("virus_scan", Text),
        ("esignature", Text),
        ("source_created_at", Text),
    ],
};

pub const RECRUITING_CATEGORIES: Table = Table {
    name: "recruiting_categories",
    key: KeyType::Text,
    columns: &[("name", Text), ("stages", Text)],
};

pub const RECRUITING_JOBS: Table = Table {
    name: "recruiting_jobs",
    key: KeyType::Text,
    columns: &[
        ("name", Text),
        ("department", Text),
        ("category_id", Text),
        ("status", Text),
        ("source_created_at", Text),
    ],
};

pub const RECRUITING_CANDIDATES: Table = Table {
    name: "recruiting_candidates",
    key: KeyType::Text,
    columns: &[
        ("first_name", Text),
        ("last_name", Text),
        ("email", Text),
        ("phone", Text),
        ("location", Text),
        ("source_created_at", Text),
    ],
};

pub const RECRUITING_APPLICATIONS: Table = Table {
    name: "recruiting_applications",
    key: KeyType::Text,
    columns: &[
        ("candidate_id", Text),
        ("job_id", Text),
        ("stage", Text),
        ("stage_kind", Text),
        ("channel", Text),
        ("application_date", Text),
        ("is_anonymized", Int),
        ("source_created_at", Text),
    ],
};

/// Every record table.
pub const ALL: &[&Table] = &[
    &EMPLOYEES,
    &EMPLOYMENTS,
    &EMPLOYEE_COST_CENTERS,
    &ORG_UNITS,
    &LEGAL_ENTITIES,
    &WORKPLACES,
    &COST_CENTERS,
    &ATTENDANCE_PERIODS,
    &ABSENCE_TYPES,
    &ABSENCE_PERIODS,
    &BALANCES,
    &PROJECTS,
    &PROJECT_MEMBERS,
    &COMPENSATION_TYPES,
    &COMPENSATIONS,
    &CUSTOM_REPORTS,
    &CUSTOM_REPORT_ROWS,
    &DOCUMENT_CATEGORIES,
    &DOCUMENTS,
    &RECRUITING_CATEGORIES,
    &RECRUITING_JOBS,
    &RECRUITING_CANDIDATES,
    &RECRUITING_APPLICATIONS,
];

/// The bookkeeping columns every record table has after its normalized ones.
pub const BOOKKEEPING: &[&str] = &[
    "raw",
    "source_updated_at",
    "first_seen_at",
    "last_seen_at",
    "deleted_at",
    "out_of_filter_at",
];

/// `table` by name.
pub fn by_name(name: &str) -> Option<&'static Table> {
    ALL.iter().copied().find(|t| t.name == name)
}

/// Quotes identifiers that are keywords in one of the dialects.
pub(crate) fn quote(column: &str) -> String {
    match column {
        "end" | "start" | "type" => format!("\"{column}\""),
        other => other.to_owned(),
    }
}
