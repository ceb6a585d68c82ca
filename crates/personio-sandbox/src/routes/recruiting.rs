//! The recruiting API v1 (`/v1/recruiting/...`), the deprecated `/recruiting/applicant`,
//! and the public XML job feed (`/xml`) (personio-api.md §1.5, §4).
//!
//! The v1 endpoints take the static recruiting token and `X-Company-ID`, not an API
//! token: anything else is a 401. A company without the recruiting feature or its API gets
//! a 403 naming the feature.

mod applicant;
mod applications;
mod feed;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use personio_api::recruiting::{FieldError, FieldErrors};

use crate::caller::bearer_token;
use crate::company::Company;
use crate::error::{ApiError, ApiResult, ErrorKind, Family};
use crate::state::AppState;

/// Largest file the recruiting API takes (20 MB).
const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// Largest body read: a larger file still gets the documented 413 body.
const MAX_UPLOAD_BODY: usize = MAX_FILE_BYTES + 4 * 1024 * 1024;
/// The deprecated endpoint allows several files, 64 MB in all.
const MAX_APPLICANT_BODY: usize = 64 * 1024 * 1024;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/recruiting/applications", post(applications::create))
        .route(
            "/v1/recruiting/applications/documents",
            post(applications::upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BODY)),
        )
        .route(
            "/recruiting/applicant",
            post(applicant::create).layer(DefaultBodyLimit::max(MAX_APPLICANT_BODY)),
        )
        .route("/xml", get(feed::xml))
}

/// A caller holding the recruiting token, for the company it names in `X-Company-ID`.
pub(super) struct RecruitingClient;

impl FromRequestParts<AppState> for RecruitingClient {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let unauthorized = |kind| ApiError::new(Family::Recruiting, kind);
        let token = match bearer_token(parts) {
            Ok(Some(token)) => token,
            Ok(None) => return Err(unauthorized(ErrorKind::MissingToken)),
            Err(()) => return Err(unauthorized(ErrorKind::InvalidToken)),
        };
        let company_id = parts
            .headers
            .get("x-company-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok());
        match state.registry.recruiting() {
            Some(key) if key.token == token && Some(key.company_id) == company_id => {
                Ok(RecruitingClient)
            }
            _ => Err(unauthorized(ErrorKind::InvalidToken)),
        }
    }
}

/// One field's reason codes.
pub(super) fn field_error(
    field: &str,
    reason: &str,
    context: Option<serde_json::Value>,
) -> FieldErrors {
    FieldErrors {
        field: field.to_owned(),
        errors: vec![FieldError {
            reason: reason.to_owned(),
            context: Some(context.unwrap_or_else(|| serde_json::json!({}))),
        }],
    }
}

/// A recruiting `error_response` with these fields, sent with `status`.
pub(super) fn field_errors(status: StatusCode, fields: Vec<FieldErrors>) -> ApiError {
    ApiError::new(
        Family::Recruiting,
        ErrorKind::FieldErrors { status, fields },
    )
}

/// 403 when the company lacks recruiting or its API (reason codes of personio-api.md §4.2;
/// that they come as the `X-Company-ID` field's errors is our choice).
pub(super) fn require_features(company: &Company) -> ApiResult<()> {
    let features = company.recruiting.features;
    let reason = if !features.recruiting {
        "feature.recruiting.disabled"
    } else if !features.api {
        "feature.public-api.disabled"
    } else {
        return Ok(());
    };
    Err(field_errors(
        StatusCode::FORBIDDEN,
        vec![field_error("X-Company-ID", reason, None)],
    ))
}
