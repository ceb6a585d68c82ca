//! v2 document management: `GET /v2/document-management/documents?owner_id=...`,
//! `PATCH|DELETE .../documents/{id}` and `GET .../documents/{id}/download` (personio-api.md
//! §3.9). Uploads exist only in v1 (`POST /v1/company/documents`).

use serde::{Deserialize, Serialize};

use super::IdRef;

/// A document's metadata (field list from Personio's schema; confidence M).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    pub category: IdRef,
    /// The person the document belongs to.
    pub owner: IdRef,
    /// The file's media type, e.g. `application/pdf` (values undocumented; our choice).
    #[serde(default)]
    pub document_type: Option<String>,
    /// File size in bytes.
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virus_scan: Option<StatusRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub esignature: Option<StatusRef>,
}

/// `{"status": "..."}`: virus scan (`unknown|safe|unsafe`) and e-signature
/// (`status_unspecified|pending|signed|declined|canceled|expired|failed|email_bounced`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRef {
    pub status: String,
}

/// Body of `PATCH .../documents/{id}`: every field optional, but none may be `null`
/// (`name` 1–256 characters). The outer `Option` tells absent from `null`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentPatch {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub name: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub date: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub comment: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::presence"
    )]
    pub category: Option<Option<IdRef>>,
}
