//! v1 employees: `GET/POST /company/employees`, `GET/PATCH /company/employees/{id}`,
//! the attribute catalogue and absence balances (personio-api.md §2.2).

use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Attribute, Embedded};
use crate::EmployeeId;

/// `{"type": "Employee", "attributes": {key: Attribute}}`. Only attributes the credential
/// may read (and, with `attributes[]`, the requested ones) are present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Employee {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub attributes: IndexMap<String, Attribute>,
}

impl Employee {
    /// The employee id, from the `id` attribute.
    pub fn id(&self) -> Option<EmployeeId> {
        let value = &self.attributes.get("id")?.value;
        value
            .as_i64()
            .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
            .map(EmployeeId)
    }

    /// The raw value of an attribute, `None` when absent.
    pub fn value(&self, key: &str) -> Option<&Value> {
        self.attributes.get(key).map(|a| &a.value)
    }

    /// A text value; numbers are written out, `null` and `""` are `None`.
    pub fn text(&self, key: &str) -> Option<String> {
        match self.value(key)? {
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// An embedded entity (`department`, `office`, ...). Personio sends `""` or `[]` for
    /// "none" in some tenants (personio-api.md §2.2, ppy CHANGELOG #47); those read as `None`.
    pub fn embedded<A: DeserializeOwned>(&self, key: &str) -> Option<Embedded<A>> {
        match self.value(key)? {
            value @ Value::Object(_) => serde_json::from_value(value.clone()).ok(),
            _ => None,
        }
    }

    /// A list of embedded entities (`cost_centers`, `absence_entitlement`).
    pub fn embedded_list<A: DeserializeOwned>(&self, key: &str) -> Vec<Embedded<A>> {
        match self.value(key) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| serde_json::from_value(v.clone()).ok())
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// One entry of `GET /company/employees/attributes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeDefinition {
    pub key: String,
    #[serde(default)]
    pub label: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub universal_id: Option<String>,
    #[serde(default)]
    pub options: Vec<String>,
}

/// One entry of `GET /company/employees/{id}/absences/balance`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default, serialize_with = "crate::number::compact")]
    pub balance: f64,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::number::compact_option"
    )]
    pub available_balance: Option<f64>,
}

/// Body of `POST /company/employees` and `PATCH /company/employees/{id}`: `{"employee": {...}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmployeeWrite {
    pub employee: EmployeeInput,
}

/// The writable employee fields. Org fields are given by *name*; unknown names are ignored
/// by Personio with a meta error (personio-api.md §2.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmployeeInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subcompany: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hire_date: Option<String>,
    /// A number, though forms send it as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_working_hours: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `null` unsets the supervisor on PATCH.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub supervisor_id: Option<Option<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<IndexMap<String, Value>>,
}

/// `data` of a successful create/patch: `{"id": 81723, "message": "success"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Created {
    pub id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
