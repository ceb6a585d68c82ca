//! The v1 employee attribute object and the entities embedded in attribute values.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One employee attribute: `{"label", "value", "type", "universal_id"}` (+ `currency` on
/// salaries). `type` is sometimes missing in real payloads (personio-api.md §2.2, ppy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub value: Value,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub universal_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

/// The attribute types v1 documents (`TypeEnum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttributeType {
    Standard,
    Date,
    Integer,
    Decimal,
    List,
    Link,
    Tags,
    Multiline,
}

impl AttributeType {
    pub const ALL: [AttributeType; 8] = [
        AttributeType::Standard,
        AttributeType::Date,
        AttributeType::Integer,
        AttributeType::Decimal,
        AttributeType::List,
        AttributeType::Link,
        AttributeType::Tags,
        AttributeType::Multiline,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttributeType::Standard => "standard",
            AttributeType::Date => "date",
            AttributeType::Integer => "integer",
            AttributeType::Decimal => "decimal",
            AttributeType::List => "list",
            AttributeType::Link => "link",
            AttributeType::Tags => "tags",
            AttributeType::Multiline => "multiline",
        }
    }

    pub fn parse(s: &str) -> Option<AttributeType> {
        AttributeType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// An entity embedded in an attribute value: `{"type": "Department", "attributes": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Embedded<A> {
    #[serde(rename = "type", default)]
    pub kind: String,
    pub attributes: A,
}

/// `{id, name}`: subcompany, office, department, team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedRef {
    pub id: i64,
    #[serde(default)]
    pub name: String,
}

/// One cost center of an employee, with the share of their time (`percentage`, 0–100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostCenterShare {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default, serialize_with = "crate::number::compact")]
    pub percentage: f64,
}

/// The `holiday_calendar` value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HolidayCalendarRef {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub state: Option<String>,
}

/// One entry of `absence_entitlement`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entitlement {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default, serialize_with = "crate::number::compact")]
    pub entitlement: f64,
}

/// The `work_schedule` value: `HH:MM` of work per weekday.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkScheduleRef {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub valid_from: Option<String>,
    pub monday: String,
    pub tuesday: String,
    pub wednesday: String,
    pub thursday: String,
    pub friday: String,
    pub saturday: String,
    pub sunday: String,
}
