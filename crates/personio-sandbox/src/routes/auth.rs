//! Token endpoints: `POST /v1/auth`, `POST /v2/auth/token`, `POST /v2/auth/revoke`
//! (personio-api.md §1.1–1.3).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::{NaiveDate, TimeZone, Utc};
use personio_api::auth::{TokenResponse, V1AuthData, oauth_error};
use personio_api::v1::Single;

use crate::body::{Body, Payload};
use crate::credentials::AuthFailure;
use crate::error::{ApiError, ApiResult, Family};
use crate::params::Params;
use crate::render::page::{json_response, to_bytes};
use crate::state::AppState;

/// `POST /v1/auth`: credentials in a JSON or form body, or (deprecated) in the query string.
pub(super) async fn v1_token(
    State(app): State<AppState>,
    query: Params,
    body: Body,
) -> ApiResult<Response> {
    let fields = body.into_object()?;
    let field = |name: &str| fields.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let (client_id, client_secret, from_query) = match (field("client_id"), field("client_secret"))
    {
        (Some(id), Some(secret)) => (id, secret, false),
        _ => match (query.one("client_id"), query.one("client_secret")) {
            (Some(id), Some(secret)) => (id.to_owned(), secret.to_owned(), true),
            _ => {
                return Err(ApiError::validation_fields(
                    Family::V1,
                    "The given data failed to pass validation.",
                    serde_json::json!({ "client_id": ["The client id field is required."],
                                        "client_secret": ["The client secret field is required."] }),
                ));
            }
        },
    };
    let now = app.clock.now();
    if from_query && query_credentials_removed(&app, &client_id, now) {
        return Err(ApiError::custom(
            Family::V1,
            StatusCode::FORBIDDEN,
            403,
            "Credentials in the query string are no longer accepted; send them in the request body.",
        ));
    }
    match app.registry.issue(&client_id, &client_secret, None, now) {
        Ok(issued) => {
            // v1 reports its legacy scope names (`employees:read`), per the current spec example.
            let scope = issued
                .scopes
                .iter()
                .map(|s| s.as_str())
                .filter(|s| !s.starts_with("personio:"))
                .collect::<Vec<_>>()
                .join(" ");
            let data = V1AuthData {
                token: issued.token,
                expires_in: Some(issued.expires_in as u64),
                scope: Some(scope),
            };
            Ok(json_response(to_bytes(&Single::new(data))))
        }
        // Status of a wrong secret is unconfirmed (401 reported by users, 403 in one mock);
        // we send 401 with the documented body (personio-api.md §1.1, confidence L).
        Err(_) => Err(ApiError::custom(
            Family::V1,
            StatusCode::UNAUTHORIZED,
            0,
            "Wrong credentials",
        )),
    }
}

/// Query-string credentials stop working on 2026-12-04 for credentials created after
/// 2026-06-01 (Personio changelog, personio-api.md §1.1).
fn query_credentials_removed(app: &AppState, client_id: &str, now: chrono::DateTime<Utc>) -> bool {
    let day = |y, m, d| {
        Utc.from_utc_datetime(
            &NaiveDate::from_ymd_opt(y, m, d)
                .expect("valid date")
                .and_hms_opt(0, 0, 0)
                .expect("valid time"),
        )
    };
    let created = app.registry.created_at(client_id);
    now >= day(2026, 12, 4) && created.is_some_and(|c| c >= day(2026, 6, 1))
}

/// `POST /v2/auth/token`: OAuth client credentials, form body only. Client authentication
/// by HTTP Basic is accepted too, as OAuth allows.
pub(super) async fn v2_token(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let pairs = match body.payload {
        Payload::Form(pairs) => pairs,
        Payload::Empty => Vec::new(),
        Payload::Json(_) => {
            return Err(ApiError::oauth(
                oauth_error::INVALID_REQUEST,
                "The request must be sent as application/x-www-form-urlencoded.",
            ));
        }
    };
    let form = Params::from_pairs(pairs);
    let basic = basic_credentials(&headers);
    let grant_type = form.one("grant_type");
    let client_id = form
        .one("client_id")
        .map(str::to_owned)
        .or_else(|| basic.as_ref().map(|b| b.0.clone()));
    let client_secret = form
        .one("client_secret")
        .map(str::to_owned)
        .or_else(|| basic.as_ref().map(|b| b.1.clone()));
    let Some(grant_type) = grant_type else {
        return Err(ApiError::oauth(
            oauth_error::INVALID_REQUEST,
            "The request is missing the required parameter grant_type.",
        ));
    };
    if grant_type != "client_credentials" {
        return Err(ApiError::oauth(
            oauth_error::UNSUPPORTED_GRANT_TYPE,
            format!("The grant type {grant_type:?} is not supported; use client_credentials."),
        ));
    }
    let (Some(client_id), Some(client_secret)) = (client_id, client_secret) else {
        return Err(ApiError::oauth(
            oauth_error::INVALID_REQUEST,
            "The request is missing the required parameters client_id and client_secret.",
        ));
    };
    match app.registry.issue(
        &client_id,
        &client_secret,
        form.one("scope"),
        app.clock.now(),
    ) {
        Ok(issued) => {
            let scope = issued
                .scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let body = TokenResponse {
                access_token: issued.token,
                token_type: "Bearer".into(),
                expires_in: issued.expires_in as u64,
                scope: Some(scope),
                refresh_token: None,
            };
            let mut response = json_response(to_bytes(&body));
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Err(AuthFailure::BadCredentials) => Err(ApiError::oauth(
            oauth_error::INVALID_CLIENT,
            "Client authentication failed (e.g., unknown client, wrong secret, no client authentication included, or unsupported authentication method).",
        )),
        Err(AuthFailure::ScopeNotGranted(scope)) => Err(ApiError::oauth(
            oauth_error::INVALID_SCOPE,
            format!(
                "The requested scope {scope:?} is invalid, unknown, or exceeds the scope granted to the client."
            ),
        )),
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// `POST /v2/auth/revoke`: ends a token. Like RFC 7009, an unknown token is not an error.
/// Success is 200 with an empty body, as credentials-service-api-v2.json says (personio-api.md
/// §1.3 has no recorded answer).
pub(super) async fn v2_revoke(State(app): State<AppState>, body: Body) -> ApiResult<Response> {
    let form = match body.payload {
        Payload::Form(pairs) => Params::from_pairs(pairs),
        Payload::Empty => Params::default(),
        Payload::Json(_) => {
            return Err(ApiError::oauth(
                oauth_error::INVALID_REQUEST,
                "The request must be sent as application/x-www-form-urlencoded.",
            ));
        }
    };
    let Some(token) = form.one("token").filter(|t| !t.is_empty()) else {
        return Err(ApiError::oauth(
            oauth_error::INVALID_REQUEST,
            "The request is missing the required parameter token.",
        ));
    };
    app.registry.revoke_token(token);
    Ok(StatusCode::OK.into_response())
}
