//! `/_sandbox/...`: our admin API for tests and tools (not Personio's). Every call needs
//! `Authorization: Bearer <admin token>`.

mod live;

use axum::Router;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::json;

mod features;
mod tokens;

use crate::body::Body;
use crate::caller::bearer_token;
use crate::company::{STANDARD_ATTRIBUTES, Status};
use crate::credentials::CredentialSpec;
use crate::error::{ApiError, ApiResult, ErrorKind, Family};
use crate::render::page::{json_response, to_bytes};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/credentials",
            get(list_credentials).post(create_credential),
        )
        .route("/credentials/{client_id}", delete(revoke_credential))
        .route("/credentials/{client_id}/secret", post(regenerate_secret))
        .route("/company", get(company))
        .route("/recruiting", get(recruiting))
        .route("/features", get(features::show).put(features::update))
        .route("/tokens", get(tokens::issued))
        .merge(live::routes())
}

/// Proof that the caller holds the admin token.
pub(super) struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match bearer_token(parts) {
            Ok(Some(token)) if token == state.admin_token => Ok(Admin),
            Ok(None) => Err(ApiError::new(Family::Admin, ErrorKind::MissingToken)),
            _ => Err(ApiError::new(Family::Admin, ErrorKind::InvalidToken)),
        }
    }
}

fn created(body: serde_json::Value) -> Response {
    (StatusCode::CREATED, json_response(to_bytes(&body))).into_response()
}

/// `POST /_sandbox/credentials` with `{"name", "access": {area: none|read|write},
/// "readable_attributes": [...] | "all"}` → 201 with the client id and the secret (once).
async fn create_credential(
    _: Admin,
    State(app): State<AppState>,
    body: Body,
) -> ApiResult<Response> {
    let object = body.into_object()?;
    let spec: CredentialSpec = serde_json::from_value(serde_json::Value::Object(object))
        .map_err(|e| ApiError::bad_request(Family::Admin, format!("invalid credential: {e}")))?;
    if let crate::credentials::ReadableAttributes::Only(keys) = &spec.readable_attributes {
        let company = app.company.read();
        let unknown: Vec<&str> = keys
            .iter()
            .map(String::as_str)
            .filter(|k| {
                !STANDARD_ATTRIBUTES.iter().any(|a| a.key == *k)
                    && company.custom_attribute(k).is_none()
            })
            .collect();
        if !unknown.is_empty() {
            return Err(ApiError::validation(
                Family::Admin,
                format!("unknown readable attributes: {}", unknown.join(", ")),
            ));
        }
    }
    let (view, secret) = app
        .registry
        .create(spec, app.clock.now())
        .map_err(|e| ApiError::validation(Family::Admin, e))?;
    let mut body = serde_json::to_value(&view).expect("plain data serializes");
    body["client_secret"] = json!(secret);
    Ok(created(body))
}

/// `GET /_sandbox/credentials`: every credential, never a secret.
async fn list_credentials(_: Admin, State(app): State<AppState>) -> Response {
    json_response(to_bytes(&json!({ "credentials": app.registry.list() })))
}

/// `DELETE /_sandbox/credentials/{client_id}`: revokes; its tokens stop working at once.
async fn revoke_credential(
    _: Admin,
    State(app): State<AppState>,
    Path(client_id): Path<String>,
) -> ApiResult<Response> {
    if app.registry.revoke(&client_id, app.clock.now()) {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(no_such_credential(&client_id))
    }
}

/// `POST /_sandbox/credentials/{client_id}/secret`: a new secret, shown once.
async fn regenerate_secret(
    _: Admin,
    State(app): State<AppState>,
    Path(client_id): Path<String>,
) -> ApiResult<Response> {
    let secret = app
        .registry
        .regenerate_secret(&client_id)
        .ok_or_else(|| no_such_credential(&client_id))?;
    Ok(json_response(to_bytes(
        &json!({ "client_id": client_id, "client_secret": secret }),
    )))
}

fn no_such_credential(client_id: &str) -> ApiError {
    ApiError::custom(
        Family::Admin,
        StatusCode::NOT_FOUND,
        404,
        format!("no credential with client_id {client_id:?}"),
    )
}

/// `GET /_sandbox/company`: what the sandbox holds, in counts.
async fn company(_: Admin, State(app): State<AppState>) -> Response {
    let company = app.company.read();
    let by_status = |s: Status| company.employees.iter().filter(|e| e.status == s).count();
    json_response(to_bytes(&json!({
        "id": company.id,
        "name": company.name,
        "as_of": company.as_of,
        "now": app.clock.now(),
        "employees": company.employees.len(),
        "employees_by_status": {
            "active": by_status(Status::Active),
            "onboarding": by_status(Status::Onboarding),
            "leave": by_status(Status::Leave),
            "inactive": by_status(Status::Inactive),
        },
        "legal_entities": company.legal_entities.iter().map(|e| json!({"id": e.id, "name": e.name, "country": e.country})).collect::<Vec<_>>(),
        "offices": company.offices.len(),
        "org_units": company.org_units.len(),
        "cost_centers": company.cost_centers.len(),
        "custom_attributes": company.custom_attributes.iter().map(|a| json!({"key": a.key, "label": a.label, "type": a.kind.as_str()})).collect::<Vec<_>>(),
    })))
}

/// `GET /_sandbox/recruiting`: the recruiting API key and company id.
async fn recruiting(_: Admin, State(app): State<AppState>) -> ApiResult<Response> {
    let key = app.registry.recruiting().ok_or_else(|| {
        ApiError::custom(
            Family::Admin,
            StatusCode::NOT_FOUND,
            404,
            "no recruiting key is configured",
        )
    })?;
    Ok(json_response(to_bytes(
        &json!({ "company_id": key.company_id, "token": key.token }),
    )))
}
