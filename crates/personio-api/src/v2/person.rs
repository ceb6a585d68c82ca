//! v2 persons: `/v2/persons` (personio-api.md §3.3).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{EmploymentWrite, IdRef, ResourceMeta};
use crate::EmployeeId;

/// A person. Every field but `id`, `employments` and `_meta` is left out when the
/// credential may not read the matching employee attribute (personio-api.md §3.3, M).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// The v1 employee id, as a string.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_name: Option<String>,
    /// `MALE|FEMALE|DIVERSE|UNSPECIFIED` when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_picture: Option<ProfilePicture>,
    /// `ACTIVE|INACTIVE|UNSPECIFIED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Vec<CustomAttribute>>,
    #[serde(default)]
    pub employments: Vec<IdRef>,
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResourceMeta>,
}

impl Person {
    /// The id as the v1 employee id, when it is numeric (it is in practice).
    pub fn employee_id(&self) -> Option<EmployeeId> {
        self.id.parse().ok()
    }
}

/// `{"url": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfilePicture {
    #[serde(default)]
    pub url: Option<String>,
}

/// A custom attribute on a person. `type` arrives lowercase although documented uppercase,
/// and `label` may be missing (personio-api.md §6 #13). An unset attribute has no `value`
/// (read as `null`; older answers sent `"value": null`, which reads the same).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomAttribute {
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub value: Value,
}

/// Body of `POST /v2/persons`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreatePerson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_attributes: Vec<CustomAttributeWrite>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub employments: Vec<EmploymentWrite>,
}

/// Body of `PATCH /v2/persons/{id}`: every field optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonPatch {
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
    pub language_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Vec<CustomAttributeWrite>>,
}

/// `{"id": "dynamic_12345", "value": ...}` in person writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomAttributeWrite {
    pub id: String,
    #[serde(default)]
    pub value: Value,
}
