//! v2 organisation structure: org units, legal entities, cost centers, workplaces
//! (personio-api.md §3.5). Fields beyond ids and names are only partly documented; each
//! type says how sure we are.

use serde::{Deserialize, Serialize};

use super::ResourceMeta;

/// A department or team (`GET /v2/org-units/{id}?type=...`). On the list endpoint the
/// parent chain holds ids only; on the single endpoint full units (personio-api.md §3.5, H).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgUnit {
    pub id: String,
    /// `department` or `team`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abbreviation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_uri: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub parent_id: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_chain: Option<Vec<OrgUnit>>,
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResourceMeta>,
}

/// A legal entity (`GET /v2/legal-entities`). Field list beyond `id`, `name` and `country`
/// is our reading of Personio's docs (confidence L).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegalEntity {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// ISO 3166 alpha-2 country of the entity (not of its address).
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<LegalEntityAddress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResourceMeta>,
}

/// Postal address of a legal entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegalEntityAddress {
    #[serde(default)]
    pub street: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
}

/// A cost center (`GET /v2/cost-centers`): `{id, name}` (confidence M).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostCenter {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// A workplace, formerly "office" (`GET /v2/workplaces`): `{id, name}` (confidence M).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workplace {
    pub id: String,
    #[serde(default)]
    pub name: String,
}
