//! Every error the sandbox sends, in the envelope of the API family that was called.
//!
//! [`ApiError`] says *what* went wrong; [`Family`] says *how Personio would say it*: the v1
//! `{"success": false, "error": {...}}` envelope, v2 problem details with a trace id, the
//! OAuth error of the token endpoint, or the recruiting API's `errors` list. The table of
//! statuses, codes and messages is the `match` in [`ApiError::into_response`]
//! (personio-api.md §1.1, §1.2, §2.1, §3.2, §4.2).

use std::borrow::Cow;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use personio_api::auth::{OAuthError, oauth_error};
use personio_api::error::{Problem, ProblemBody, V1ErrorBody, problem_type};
use serde_json::{Value, json};

/// Which of Personio's APIs a request went to; decides the shape of its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// `/v1/company/...` and `/v1/auth`.
    V1,
    /// `/v2/...` except the token endpoints.
    V2,
    /// `/v2/auth/token` and `/v2/auth/revoke`.
    OAuth,
    /// `/v1/recruiting/...`.
    Recruiting,
    /// The deprecated `/recruiting/applicant`: `{"success": false, "error": {"message"}}`.
    LegacyRecruiting,
    /// `/v1/company/custom-reports/...`: a JSON array of error objects.
    CustomReports,
    /// Reporting v2's own errors (`/v2/reports`): a JSON:API-style `errors` list, unlike
    /// the rest of v2 (research findings §8, confidence M).
    ReportsV2,
    /// `/_sandbox/...`, our own admin API.
    Admin,
}

impl Family {
    /// The family of a request path.
    pub(crate) fn of(path: &str) -> Family {
        if path.starts_with("/v2/auth/") {
            Family::OAuth
        } else if path.starts_with("/v2/") || path == "/v2" {
            Family::V2
        } else if path.starts_with("/v1/recruiting") {
            Family::Recruiting
        } else if path.starts_with("/recruiting") {
            Family::LegacyRecruiting
        } else if path.starts_with("/v1/company/custom-reports") {
            Family::CustomReports
        } else if path.starts_with("/_sandbox") {
            Family::Admin
        } else {
            Family::V1
        }
    }
}

/// What went wrong, independent of how it is worded.
#[derive(Debug, Clone)]
pub(crate) enum ErrorKind {
    /// No `Authorization` header.
    MissingToken,
    /// A token we did not issue, or one that expired or was revoked.
    InvalidToken,
    /// The credential lacks the area (v1) or scope (v2) the endpoint needs.
    Forbidden,
    /// A record that does not exist. `v1_message` is what v1 says for this resource.
    NotFound {
        v1_message: Cow<'static, str>,
        v1_code: i64,
    },
    /// A path the API does not have.
    RouteNotFound {
        path: String,
    },
    MethodNotAllowed,
    /// Malformed input: a parameter, a cursor, a body that does not parse.
    BadRequest {
        detail: String,
    },
    /// Well-formed input that breaks a rule (422), optionally with per-field details.
    Validation {
        message: String,
        fields: Option<Value>,
    },
    Conflict {
        detail: String,
    },
    PayloadTooLarge,
    UnsupportedMediaType,
    /// The token endpoint's OAuth errors (`invalid_client`, `invalid_scope`, ...).
    OAuth {
        code: &'static str,
        description: String,
    },
    /// A v1 error whose body breaks the usual envelope (bulk attendance rows, v1 projects;
    /// personio-api.md §2.1, §2.3–2.4): sent as given; other families see `detail`.
    V1Body {
        status: StatusCode,
        body: Value,
        detail: String,
    },
    /// Laravel-style 422 of v1 uploads and forms: `code` 0, the message, and `error_data`
    /// listing messages per field (personio-api.md §2.5–2.6).
    InvalidData {
        message: String,
        fields: Value,
    },
    /// Reason codes per input field, as the recruiting API lists them (personio-api.md §4.2).
    FieldErrors {
        status: StatusCode,
        fields: Vec<personio_api::recruiting::FieldErrors>,
    },
    /// Too many requests for a rate limit (the `x-ratelimit-*` headers are added by the
    /// rate limiter; personio-api.md §5.1).
    RateLimited,
    /// A 500, 502, 503 or 504, as Personio's gateway words them (planned faults).
    ServerError {
        status: StatusCode,
    },
    /// An endpoint-specific answer: its status, and the v1 `code` and `message` it carries.
    Custom {
        status: StatusCode,
        code: i64,
        message: String,
    },
}

/// An error response: what went wrong and which API family must word it.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub family: Family,
    pub kind: ErrorKind,
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub(crate) fn new(family: Family, kind: ErrorKind) -> Self {
        ApiError { family, kind }
    }

    pub(crate) fn bad_request(family: Family, detail: impl Into<String>) -> Self {
        ApiError::new(
            family,
            ErrorKind::BadRequest {
                detail: detail.into(),
            },
        )
    }

    pub(crate) fn validation(family: Family, message: impl Into<String>) -> Self {
        ApiError::new(
            family,
            ErrorKind::Validation {
                message: message.into(),
                fields: None,
            },
        )
    }

    pub(crate) fn validation_fields(
        family: Family,
        message: impl Into<String>,
        fields: Value,
    ) -> Self {
        ApiError::new(
            family,
            ErrorKind::Validation {
                message: message.into(),
                fields: Some(fields),
            },
        )
    }

    /// A Laravel-style 422: `code` 0, `message`, and per-field messages in `error_data`.
    pub(crate) fn invalid_data(family: Family, message: impl Into<String>, fields: Value) -> Self {
        ApiError::new(
            family,
            ErrorKind::InvalidData {
                message: message.into(),
                fields,
            },
        )
    }

    /// A missing record, worded for v1 as `v1_message` with `v1_code`.
    pub(crate) fn not_found(
        family: Family,
        v1_code: i64,
        v1_message: impl Into<Cow<'static, str>>,
    ) -> Self {
        ApiError::new(
            family,
            ErrorKind::NotFound {
                v1_message: v1_message.into(),
                v1_code,
            },
        )
    }

    /// v1's answer for an unknown employee: German, code 0 (personio-api.md §2.1, H).
    pub(crate) fn employee_not_found(family: Family) -> Self {
        ApiError::not_found(family, 0, "Es ist ein Problem aufgetreten ")
    }

    pub(crate) fn forbidden(family: Family) -> Self {
        ApiError::new(family, ErrorKind::Forbidden)
    }

    pub(crate) fn oauth(code: &'static str, description: impl Into<String>) -> Self {
        ApiError::new(
            Family::OAuth,
            ErrorKind::OAuth {
                code,
                description: description.into(),
            },
        )
    }

    /// An endpoint-specific error with its own status, v1 code and message.
    pub(crate) fn custom(
        family: Family,
        status: StatusCode,
        code: i64,
        message: impl Into<String>,
    ) -> Self {
        ApiError::new(
            family,
            ErrorKind::Custom {
                status,
                code,
                message: message.into(),
            },
        )
    }

    /// A v1 error sent with exactly this body (see [`ErrorKind::V1Body`]).
    pub(crate) fn v1_body_as_is(
        status: StatusCode,
        body: impl serde::Serialize,
        detail: impl Into<String>,
    ) -> Self {
        ApiError::new(
            Family::V1,
            ErrorKind::V1Body {
                status,
                body: serde_json::to_value(body).unwrap_or(Value::Null),
                detail: detail.into(),
            },
        )
    }

    /// The HTTP status this error is sent with.
    pub(crate) fn status(&self) -> StatusCode {
        use ErrorKind::*;
        match (&self.kind, self.family) {
            (MissingToken, _) => StatusCode::UNAUTHORIZED,
            // v1 documents 403 "Provided authorization is not valid" for a bad token.
            (InvalidToken, Family::V1) => StatusCode::FORBIDDEN,
            (InvalidToken, _) => StatusCode::UNAUTHORIZED,
            (Forbidden, _) => StatusCode::FORBIDDEN,
            (NotFound { .. } | RouteNotFound { .. }, _) => StatusCode::NOT_FOUND,
            (MethodNotAllowed, _) => StatusCode::METHOD_NOT_ALLOWED,
            (BadRequest { .. } | OAuth { .. }, _) => StatusCode::BAD_REQUEST,
            (Validation { .. } | InvalidData { .. }, _) => StatusCode::UNPROCESSABLE_ENTITY,
            (Conflict { .. }, _) => StatusCode::CONFLICT,
            (PayloadTooLarge, _) => StatusCode::PAYLOAD_TOO_LARGE,
            // The token endpoint answers every malformed request with an OAuth 400.
            (UnsupportedMediaType, Family::OAuth) => StatusCode::BAD_REQUEST,
            (UnsupportedMediaType, _) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            (RateLimited, _) => StatusCode::TOO_MANY_REQUESTS,
            (ServerError { status }, _) => *status,
            (Custom { status, .. } | FieldErrors { status, .. } | V1Body { status, .. }, _) => {
                *status
            }
        }
    }

    fn v1_body(&self) -> V1ErrorBody {
        use ErrorKind::*;
        let _status = self.status().as_u16() as i64;
        let (code, message): (i64, Cow<'_, str>) = match &self.kind {
            MissingToken => (401, "Authorization is not provided".into()),
            InvalidToken => (403, "Provided authorization is not valid".into()),
            // What Personio sends when the credential lacks the area (DISC, confidence M).
            Forbidden => (
                0,
                "personio.core.api.exceptions.api.forbidden.http.exception".into(),
            ),
            NotFound {
                v1_message,
                v1_code,
            } => (*v1_code, v1_message.clone()),
            RouteNotFound { .. } => (404, "Not Found".into()),
            MethodNotAllowed => (405, "Method Not Allowed".into()),
            BadRequest { detail } => (400, detail.as_str().into()),
            Validation { message, .. } => (422, message.as_str().into()),
            Conflict { detail } => (409, detail.as_str().into()),
            PayloadTooLarge => (413, "Request Entity Too Large".into()),
            UnsupportedMediaType => (415, "Unsupported Media Type".into()),
            OAuth { description, .. } => (0, description.as_str().into()),
            // Personio's 429 body is undocumented; v1 answers in Laravel's words elsewhere,
            // so we use Laravel's throttle message (personio-api.md §5.1, confidence L).
            RateLimited => (429, "Too Many Attempts.".into()),
            // Reported for 500 by users (personio-api.md §2.1, M); used for every 5xx.
            ServerError { status } => (status.as_u16() as i64, "Something went wrong".into()),
            Custom { code, message, .. } => (*code, message.as_str().into()),
            FieldErrors { .. } => (0, "The given data was invalid.".into()),
            InvalidData { message, .. } => (0, message.as_str().into()),
            V1Body { status, detail, .. } => (i64::from(status.as_u16()), detail.as_str().into()),
        };
        let mut body = V1ErrorBody::new(code, message);
        match &self.kind {
            Validation {
                fields: Some(fields),
                ..
            }
            | InvalidData { fields, .. } => body.error.error_data = Some(fields.clone()),
            FieldErrors { fields, .. } => {
                body.error.error_data = Some(json!(
                    fields
                        .iter()
                        .map(|f| (
                            f.field.clone(),
                            json!(
                                f.errors
                                    .iter()
                                    .map(|e| e.reason.clone())
                                    .collect::<Vec<_>>()
                            )
                        ))
                        .collect::<serde_json::Map<_, _>>()
                ));
            }
            _ => {}
        }
        body
    }

    fn problem(&self) -> Problem {
        use ErrorKind::*;
        let (title, detail, kind, meta): (&str, Option<String>, &str, Option<Value>) =
            match &self.kind {
                MissingToken | InvalidToken => (
                    "Unauthorized Request",
                    Some("The access token is missing, invalid or expired.".into()),
                    problem_type::UNAUTHORIZED,
                    None,
                ),
                Forbidden => (
                    "Insufficient access scope",
                    Some("Client scope insufficient to access resource".into()),
                    problem_type::FORBIDDEN,
                    None,
                ),
                NotFound { .. } => (
                    "Resource not found",
                    Some(
                        "The requested resource was not found. The resource could have been \
                         deleted or never existed in our system."
                            .into(),
                    ),
                    problem_type::RESOURCE_NOT_FOUND,
                    None,
                ),
                RouteNotFound { path } => (
                    "Not Found",
                    Some(format!("The endpoint with {path} was not found.")),
                    problem_type::NOT_FOUND_ROUTE,
                    Some(json!({ "path": path })),
                ),
                MethodNotAllowed => (
                    "Method Not Allowed",
                    Some("The HTTP method is not supported by this endpoint.".into()),
                    problem_type::NOT_FOUND_ROUTE,
                    None,
                ),
                BadRequest { detail } => (
                    "Invalid request content",
                    Some(detail.clone()),
                    problem_type::INVALID_REQUEST,
                    None,
                ),
                InvalidData { message, fields } => (
                    "Unprocessable Entity",
                    Some(message.clone()),
                    problem_type::UNPROCESSABLE,
                    Some(fields.clone()),
                ),
                Validation { message, fields } => (
                    "Unprocessable Entity",
                    Some(message.clone()),
                    problem_type::UNPROCESSABLE,
                    fields.clone(),
                ),
                Conflict { detail } => (
                    "Conflict",
                    Some(detail.clone()),
                    problem_type::CONFLICT,
                    None,
                ),
                PayloadTooLarge => (
                    "Payload Too Large",
                    Some("The request body exceeds the maximum allowed size.".into()),
                    problem_type::PAYLOAD_TOO_LARGE,
                    None,
                ),
                UnsupportedMediaType => (
                    "Invalid request content",
                    Some("Unsupported content type.".into()),
                    problem_type::INVALID_REQUEST,
                    None,
                ),
                OAuth { description, .. } => (
                    "Invalid request content",
                    Some(description.clone()),
                    problem_type::INVALID_REQUEST,
                    None,
                ),
                RateLimited => (
                    "Too Many Requests",
                    Some("The rate limit for this endpoint was exceeded. Please slow down.".into()),
                    problem_type::RATE_LIMITED,
                    None,
                ),
                ServerError { status } => server_problem(*status),
                Custom {
                    status,
                    message: detail,
                    ..
                }
                | V1Body { status, detail, .. } => (
                    status.canonical_reason().unwrap_or("Error"),
                    Some(detail.clone()),
                    problem_type::INVALID_REQUEST,
                    None,
                ),
                FieldErrors { status, fields } => (
                    status.canonical_reason().unwrap_or("Error"),
                    Some("The request content is invalid.".into()),
                    problem_type::INVALID_REQUEST,
                    serde_json::to_value(fields).ok(),
                ),
            };
        // Problems always carry `_meta`, empty when there is nothing to add (S-v2c).
        Problem {
            title: title.into(),
            detail,
            kind: Some(kind.into()),
            meta: Some(meta.unwrap_or_else(|| json!({}))),
        }
    }
}

impl ApiError {
    /// The custom reports error array: one element, `details` and a `_meta` list naming
    /// the input at fault (personio-api.md §2.1; the `type` words are ours).
    fn report_errors(&self) -> personio_api::error::ReportErrorBody {
        use personio_api::error::{ReportError, ReportErrorDetail, ReportErrorMeta};
        let status = self.status();
        let problem = self.problem();
        let (kind, field, description) = match &self.kind {
            ErrorKind::NotFound { v1_message, .. } => ("search", "ID", v1_message.to_string()),
            ErrorKind::BadRequest { detail } => ("validation", "query", detail.clone()),
            ErrorKind::MissingToken | ErrorKind::InvalidToken | ErrorKind::Forbidden => (
                "authorization",
                "Authorization",
                self.v1_body().error.message,
            ),
            _ => (
                "request",
                "request",
                problem.detail.clone().unwrap_or_default(),
            ),
        };
        let (trace_id, timestamp) = trace_stamp();
        vec![ReportError {
            status: i64::from(status.as_u16()),
            trace_id,
            timestamp,
            errors: vec![ReportErrorDetail {
                title: status.canonical_reason().unwrap_or("Error").to_owned(),
                details: match &self.kind {
                    ErrorKind::NotFound { v1_message, .. } => v1_message.to_string(),
                    _ => description.clone(),
                },
                kind: kind.to_owned(),
                meta: vec![ReportErrorMeta {
                    field: field.to_owned(),
                    description,
                }],
            }],
        }]
    }
}

/// Title, detail and type of a 5xx problem (S-v2c, personio-api.md §3.2, H).
fn server_problem(
    status: StatusCode,
) -> (&'static str, Option<String>, &'static str, Option<Value>) {
    let again = "There was a problem while processing this request. Please try again later.";
    let (title, detail, kind) = match status {
        StatusCode::BAD_GATEWAY => ("Bad Gateway", again, problem_type::BAD_GATEWAY),
        StatusCode::SERVICE_UNAVAILABLE => (
            "Service Unavailable",
            "The server is temporarily unavailable. Please try again later.",
            problem_type::UNAVAILABLE,
        ),
        StatusCode::GATEWAY_TIMEOUT => ("Gateway Timeout", again, problem_type::GATEWAY_TIMEOUT),
        _ => ("Internal Server Error", again, problem_type::INTERNAL),
    };
    (title, Some(detail.into()), kind, None)
}

/// A fresh trace id and the current time, as every v2 error carries.
pub(crate) fn trace_stamp() -> (String, String) {
    (
        uuid::Uuid::new_v4().to_string(),
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        // A gateway answers for the token endpoint too: 429s and 5xx come as problems.
        let family = match (&self.kind, self.family) {
            (ErrorKind::RateLimited | ErrorKind::ServerError { .. }, Family::OAuth) => Family::V2,
            (_, family) => family,
        };
        let (body, content_type) = match family {
            Family::V1 => match &self.kind {
                ErrorKind::V1Body { body, .. } => (json_bytes(body), "application/json"),
                _ => (json_bytes(&self.v1_body()), "application/json"),
            },
            Family::V2 => {
                let (personio_trace_id, timestamp) = trace_stamp();
                let body = ProblemBody {
                    personio_trace_id,
                    timestamp,
                    errors: vec![self.problem()],
                };
                (json_bytes(&body), "application/problem+json")
            }
            Family::OAuth => {
                let (code, description) = match &self.kind {
                    ErrorKind::OAuth { code, description } => (*code, description.clone()),
                    ErrorKind::MissingToken | ErrorKind::InvalidToken => (
                        oauth_error::INVALID_CLIENT,
                        "The access token is missing, invalid or expired.".to_owned(),
                    ),
                    _ => (
                        oauth_error::INVALID_REQUEST,
                        self.problem().detail.unwrap_or_default(),
                    ),
                };
                let (trace_id, timestamp) = trace_stamp();
                let body = OAuthError {
                    error: code.to_owned(),
                    error_description: Some(description),
                    error_uri: None,
                    timestamp: Some(timestamp),
                    trace_id: Some(trace_id),
                    meta: None,
                };
                // credentials-service-api-v2.json gives every token error as problem+json.
                (json_bytes(&body), "application/problem+json")
            }
            Family::Recruiting | Family::ReportsV2 => {
                let entries = match &self.kind {
                    ErrorKind::FieldErrors { fields, .. } => fields
                        .iter()
                        .cloned()
                        .map(personio_api::recruiting::ErrorEntry::Field)
                        .collect(),
                    _ => {
                        let problem = self.problem();
                        vec![personio_api::recruiting::ErrorEntry::Problem(
                            personio_api::recruiting::ErrorProblem {
                                id: uuid::Uuid::new_v4().to_string(),
                                status: status.as_u16().to_string(),
                                title: problem.title,
                                detail: problem.detail,
                            },
                        )]
                    }
                };
                let body = personio_api::recruiting::ErrorBody { errors: entries };
                (json_bytes(&body), "application/json")
            }
            Family::LegacyRecruiting => {
                let message = match &self.kind {
                    ErrorKind::Custom { message, .. } => message.clone(),
                    _ => self.v1_body().error.message,
                };
                let body = personio_api::recruiting::LegacyBody {
                    success: false,
                    data: None,
                    error: Some(personio_api::recruiting::LegacyMessage { message }),
                };
                (json_bytes(&body), "application/json")
            }
            Family::CustomReports => (json_bytes(&self.report_errors()), "application/json"),
            Family::Admin => {
                let problem = self.problem();
                let body = json!({ "error": problem.detail.unwrap_or(problem.title) });
                (json_bytes(&body), "application/json")
            }
        };
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        response
    }
}

fn json_bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("error bodies are plain data and always serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_family_words_a_missing_scope_its_own_way() {
        let v1 = ApiError::forbidden(Family::V1).v1_body();
        assert_eq!(v1.error.code, 0);
        assert!(v1.error.message.contains("forbidden"));
        let v2 = ApiError::forbidden(Family::V2).problem();
        assert_eq!(v2.title, "Insufficient access scope");
    }

    #[test]
    fn paths_map_to_their_families() {
        assert_eq!(Family::of("/v1/company/employees"), Family::V1);
        assert_eq!(Family::of("/v2/persons"), Family::V2);
        assert_eq!(Family::of("/v2/auth/token"), Family::OAuth);
        assert_eq!(
            Family::of("/v1/recruiting/applications"),
            Family::Recruiting
        );
        assert_eq!(
            Family::of("/recruiting/applicant"),
            Family::LegacyRecruiting
        );
        assert_eq!(
            Family::of("/v1/company/custom-reports/reports"),
            Family::CustomReports
        );
        assert_eq!(Family::of("/_sandbox/credentials"), Family::Admin);
    }
}
