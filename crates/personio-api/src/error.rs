//! Personio's error bodies, as data (not Rust errors).
//!
//! - v1: `{"success": false, "error": {"code": 0, "message": "..."}}`, where `code` is often
//!   `0` and messages are sometimes German (personio-api.md §2.1).
//! - v2: problem details `{"personio_trace_id", "timestamp", "errors": [{title, detail, type, _meta}]}`
//!   served as `application/problem+json` (§3.2).
//! - custom reports v1: a JSON *array* of v2-like bodies (§2.1).
//! - recruiting: see [`crate::recruiting::ErrorBody`] (§4.2).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A v1 error envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct V1ErrorBody {
    #[serde(default)]
    pub success: bool,
    pub error: V1Error,
}

/// The `error` object of a v1 error envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct V1Error {
    /// Frequently `0` rather than the HTTP status.
    #[serde(default)]
    pub code: i64,
    #[serde(default)]
    pub message: String,
    /// Validation details on 422s, e.g. `{"file": ["..."]}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_data: Option<Value>,
    /// Per-row results of bulk attendance creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detailed_message: Option<Value>,
}

impl V1ErrorBody {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        V1ErrorBody {
            success: false,
            error: V1Error {
                code,
                message: message.into(),
                error_data: None,
                detailed_message: None,
            },
        }
    }
}

/// A v2 problem-details body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemBody {
    #[serde(default)]
    pub personio_trace_id: String,
    #[serde(default)]
    pub timestamp: String,
    #[serde(default)]
    pub errors: Vec<Problem>,
}

/// One entry of a v2 problem body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// A string map in most responses; a list of `{field, description}` in custom reports.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
}

impl ProblemBody {
    /// The first problem's title, the part people recognise (`Insufficient access scope`).
    pub fn title(&self) -> Option<&str> {
        self.errors.first().map(|p| p.title.as_str())
    }
}

/// The custom reports error body: a JSON *array* of these (`PublicAPIException`,
/// personio-api.md §2.1, H).
pub type ReportErrorBody = Vec<ReportError>;

/// One element of a custom reports error array.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportError {
    /// The HTTP status, as a number.
    #[serde(default)]
    pub status: i64,
    #[serde(default)]
    pub trace_id: String,
    #[serde(default)]
    pub timestamp: String,
    #[serde(default)]
    pub errors: Vec<ReportErrorDetail>,
}

/// `{"title", "details", "type", "_meta": [{"field", "description"}]}`: note `details`
/// (not v2's `detail`) and a *list* as `_meta`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportErrorDetail {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub details: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(rename = "_meta", default)]
    pub meta: Vec<ReportErrorMeta>,
}

/// Which input an error is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportErrorMeta {
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub description: String,
}

/// Documented problem `type` URLs (personio-api.md §3.2).
pub mod problem_type {
    pub const FORBIDDEN: &str =
        "https://developer.personio.de/v2.0/page/public-api-error-codes#commonforbidden";
    pub const NOT_FOUND_ROUTE: &str =
        "https://developer.personio.de/v2.0/page/public-api-error-codes#apinot_found";
    pub const RESOURCE_NOT_FOUND: &str =
        "https://developer.personio.de/reference/errors#common.requested_resource_not_found";
    pub const INTERNAL: &str =
        "https://developer.personio.de/reference/errors#common.internal_server_error";
    pub const BAD_GATEWAY: &str =
        "https://developer.personio.de/reference/errors#common.bad_gateway";
    pub const UNAVAILABLE: &str =
        "https://developer.personio.de/reference/errors#common.service_unavailable";
    pub const GATEWAY_TIMEOUT: &str =
        "https://developer.personio.de/reference/errors#common.gateway_timeout";
    pub const INVALID_REQUEST: &str =
        "https://developer.personio.de/reference/errors#common.invalid_request";
    pub const UNAUTHORIZED: &str =
        "https://developer.personio.de/reference/errors#common.unauthorized";
    pub const RATE_LIMITED: &str =
        "https://developer.personio.de/reference/errors#common.too_many_requests";
    pub const UNPROCESSABLE: &str =
        "https://developer.personio.de/reference/errors#common.unprocessable_entity";
    pub const CONFLICT: &str = "https://developer.personio.de/reference/errors#common.conflict";
    pub const PAYLOAD_TOO_LARGE: &str =
        "https://developer.personio.de/reference/errors#common.payload_too_large";
}
