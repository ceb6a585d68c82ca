//! Recruiting API v1 (`https://api.personio.de/v1/recruiting/...`), authenticated with the
//! static recruiting token and `X-Company-ID` (personio-api.md §1.5, §4): the application
//! body, the document upload answer, and the `error_response` body. The deprecated
//! `POST /recruiting/applicant` answers in a v1-like envelope ([`LegacyBody`]).
//!
//! The public XML job feed (`GET {company}.jobs.personio.de/xml`) is XML, not JSON: its
//! element names are in [`feed`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Body of `POST /v1/recruiting/applications`. Only the four named fields are required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApplicationRequest {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub job_position_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recruiting_channel_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_posting_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `YYYY-MM-DD`, not in the future.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeValue>,
}

/// `{"type": "system"|"custom", "id": "offer" | 26485}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    #[serde(rename = "type")]
    pub kind: String,
    /// A string for system phases, an integer for custom ones.
    pub id: Value,
}

/// A previously uploaded file: `{"uuid", "original_filename", "category"}`; `category` is
/// one of `cv`, `cover-letter`, `employment-reference`, `certificate`, `work-sample`, `other`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRef {
    pub uuid: String,
    pub original_filename: String,
    pub category: String,
}

/// `{"id": "birthday" | "custom_attribute_3", "value": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeValue {
    pub id: String,
    pub value: Value,
}

/// 200 body of `POST /v1/recruiting/applications/documents`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadedFile {
    pub uuid: String,
    /// Bytes.
    pub size: u64,
    pub mimetype: String,
    pub original_filename: String,
    pub extension: String,
}

/// The `error_response` body: `{"errors": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub errors: Vec<ErrorEntry>,
}

/// Either the errors of one input field, or a general problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ErrorEntry {
    Field(FieldErrors),
    Problem(ErrorProblem),
}

/// `{"field": "email", "errors": [{"reason": "errors.attribute-validation.invalid-email-format"}]}`;
/// each field appears once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldErrors {
    pub field: String,
    pub errors: Vec<FieldError>,
}

/// One reason code, with optional context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldError {
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
}

/// `{"id": "<uuid>", "status": "403", "title": "Forbidden", "detail": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorProblem {
    pub id: String,
    /// The HTTP status, as a string.
    pub status: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ErrorBody {
    /// Every reason code in the body, in order.
    pub fn reasons(&self) -> Vec<&str> {
        self.errors
            .iter()
            .flat_map(|e| match e {
                ErrorEntry::Field(f) => f.errors.iter().map(|r| r.reason.as_str()).collect(),
                ErrorEntry::Problem(_) => Vec::new(),
            })
            .collect()
    }
}

/// Answers of the deprecated `POST /recruiting/applicant`:
/// `{"success": true, "data": {"message"}}` or `{"success": false, "error": {"message"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegacyBody {
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<LegacyMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<LegacyMessage>,
}

/// `{"message": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegacyMessage {
    pub message: String,
}

/// Element names of the XML job feed: `<workzag-jobs>` holding one `<position>` per
/// published job (personio-api.md §4.1, H).
pub mod feed {
    pub const ROOT: &str = "workzag-jobs";
    pub const POSITION: &str = "position";
    /// Children of `<position>`, in feed order.
    pub const POSITION_FIELDS: &[&str] = &[
        "id",
        "subcompany",
        "office",
        "department",
        "recruitingCategory",
        "name",
        "jobDescriptions",
        "employmentType",
        "seniority",
        "schedule",
        "yearsOfExperience",
        "keywords",
        "occupation",
        "occupationCategory",
        "createdAt",
    ];
    /// `employmentType` values.
    pub const EMPLOYMENT_TYPES: &[&str] = &["permanent", "intern", "trainee", "freelance"];
    /// `seniority` values.
    pub const SENIORITIES: &[&str] = &["entry-level", "experienced", "executive", "student"];
    /// `yearsOfExperience` values.
    pub const YEARS_OF_EXPERIENCE: &[&str] =
        &["lt-1", "1-2", "2-5", "5-7", "7-10", "10-15", "gt-15"];
    /// Languages the feed is offered in (`?language=`).
    pub const LANGUAGES: &[&str] = &["de", "en", "fr", "es", "nl", "it", "pt"];
}
