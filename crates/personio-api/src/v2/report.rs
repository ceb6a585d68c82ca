//! Reporting v2: `GET /v2/reports`, `/v2/reports/{id}`, `/v2/reports/attributes`
//! (personio-api.md §3.12, §5.1b).
//!
//! A report is a table: `_data` holds rows as *positional* arrays of typed cells, aligned
//! with `_meta.columns`. Cells carry their value under a key naming its type
//! (`string_value`, `numeric_value`, `options_value`), as a live-tested client reads them
//! (confidence M). The list and attribute shapes are our reading (confidence L).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Link;

/// One entry of `GET /v2/reports`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportSummary {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// `GET /v2/reports/{id}`: `{"report_config", "_data": [[cell, ...], ...], "_meta": {"columns"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportTable {
    #[serde(default)]
    pub report_config: Value,
    #[serde(rename = "_data", default)]
    pub data: Vec<Vec<Cell>>,
    #[serde(rename = "_meta", default)]
    pub meta: TableMeta,
}

/// The columns of a report table, and its links.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TableMeta {
    #[serde(default)]
    pub columns: Vec<TableColumn>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub links: IndexMap<String, Link>,
}

/// `{"name": "first_name", "display": "First name", "type": "string"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableColumn {
    pub name: String,
    #[serde(default)]
    pub display: String,
    #[serde(rename = "type", default)]
    pub kind: String,
}

/// One cell: `{"attribute_id": "...", "string_value": {"value": "..."}}` and the like.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub attribute_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_value: Option<StringValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numeric_value: Option<NumericValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options_value: Option<OptionsValue>,
}

/// `{"value": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StringValue {
    pub value: String,
}

/// `{"number": 4200.5}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericValue {
    #[serde(serialize_with = "crate::number::compact")]
    pub number: f64,
}

/// `{"options": [{"key": "...", "value": "..."}]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionsValue {
    #[serde(default)]
    pub options: Vec<OptionEntry>,
}

/// One chosen option.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionEntry {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// One entry of `GET /v2/reports/attributes`: what a report column can show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportAttribute {
    pub name: String,
    #[serde(default)]
    pub display: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub filterable: bool,
}

impl Cell {
    /// The cell as plain JSON: a string, a number, or options joined by `, `.
    pub fn plain(&self) -> Value {
        if let Some(s) = &self.string_value {
            Value::from(s.value.clone())
        } else if let Some(n) = &self.numeric_value {
            Value::from(n.number)
        } else if let Some(o) = &self.options_value {
            let values: Vec<&str> = o.options.iter().map(|e| e.value.as_str()).collect();
            Value::from(values.join(", "))
        } else {
            Value::Null
        }
    }
}
