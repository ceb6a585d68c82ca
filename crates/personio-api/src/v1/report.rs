//! v1 Custom Reports: `GET /company/custom-reports/reports`, `.../reports/{id}` and
//! `.../columns` (personio-api.md §2.7).
//!
//! Reports come in the v1 list envelope ([`super::List`]); a report by id is a one-element
//! list whose attributes add `items`. Cells are typed by `data_type` (`TEXT`, `ENTITY`,
//! `COST_CENTER`, `SALARY`, `ABSENCE_OVERVIEW`, ...) and carry numbers *as strings* as often
//! as not, so numeric fields read as [`LooseNumber`]. Errors are a JSON array (see
//! [`crate::error::ReportErrorBody`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{LooseInt, Metadata};

/// `{"type": "Report", "attributes": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    #[serde(rename = "type", default)]
    pub kind: String,
    pub attributes: ReportAttributes,
}

/// A report's description, and (for a report by id) its rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportAttributes {
    /// A UUID.
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub author_first_name: Option<String>,
    #[serde(default)]
    pub author_last_name: Option<String>,
    /// `point_in_time`, `historical_data` or `timeframe`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// `up_to_date`, `updating` or `update_failed`.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub start_date: Option<String>,
    #[serde(default)]
    pub end_date: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub data_refreshed_at: Option<String>,
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub filters: Vec<ReportFilter>,
    /// `fixed`, `today`, `this_year`, ...
    #[serde(default)]
    pub period_type: Option<String>,
    /// Live responses also carry `archival_status: "live"` (personio-api.md §2.7, M).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archival_status: Option<String>,
    /// `null` while live; absent in older responses.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub archived_at: Option<Option<String>>,
    /// Rows: only on `GET .../reports/{id}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<ReportItem>>,
}

/// `{"column": "office_id", "comparison": "eq", "value": "1"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFilter {
    #[serde(default)]
    pub column: String,
    #[serde(default)]
    pub comparison: String,
    #[serde(default)]
    pub value: Value,
}

/// One employee's row: `attributes` for point-in-time and timeframe reports,
/// `historical_attributes` (each with an `effective_date`) for historical ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportItem {
    pub employee_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<ReportCell>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub historical_attributes: Option<Vec<ReportCell>>,
}

/// One cell. Which fields are present depends on `data_type`; all are optional so every
/// variant reads into this one type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportCell {
    #[serde(default)]
    pub attribute_id: String,
    #[serde(default)]
    pub data_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_id: Option<i64>,
    /// `TEXT` and `ENTITY`: the shown text (a string, rarely a number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// `ENTITY`: the id of the department, office, ... as a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<Value>,
    /// `DURATION`: minutes or hours as the attribute defines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<LooseNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_centers: Option<Vec<ReportCostCenter>>,
    /// `ABSENCE_OVERVIEW` and `ABSENCE_PERIOD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_days: Option<LooseNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_hours: Option<LooseNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half_day_at_start: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half_day_at_end: Option<bool>,
    /// `SALARY` and `COMPENSATION`: a string such as `"4200.00"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<LooseNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_symbol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overtime_hours: Option<LooseNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bonus_type: Option<String>,
    /// Historical reports: the day the value took effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_date: Option<String>,
}

/// One cost center of a `COST_CENTER` cell: `{"cost_center_id": "1", "value": "...", "weight": "100%"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportCostCenter {
    #[serde(default)]
    pub cost_center_id: Value,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub weight: String,
}

/// A number that custom reports send as a JSON number or as a string ("inconsistent
/// types", personio-api.md §6 #8). Kept as received, so writing it back is exact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LooseNumber {
    Number(serde_json::Number),
    Text(String),
}

impl LooseNumber {
    /// The value, when it is a number or a string holding one.
    pub fn value(&self) -> Option<f64> {
        match self {
            LooseNumber::Number(n) => n.as_f64(),
            LooseNumber::Text(s) => s.trim().trim_end_matches('%').parse().ok(),
        }
    }
}

/// `GET .../custom-reports/columns`: the list envelope around one `Column` object whose
/// `attributes` is the list of columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnList {
    #[serde(default = "yes")]
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<LooseInt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<LooseInt>,
    pub data: Columns,
}

/// `{"type": "Column", "attributes": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Columns {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub attributes: Vec<Column>,
}

/// `{"attribute_id": "first_name", "human_readable": "First name", "data_type": "TEXT"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub attribute_id: String,
    #[serde(default)]
    pub human_readable: String,
    #[serde(default)]
    pub data_type: String,
}

fn yes() -> bool {
    true
}
