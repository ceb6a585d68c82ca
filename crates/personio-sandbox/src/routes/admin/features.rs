//! `/_sandbox/features`: which of Personio's optional features the company has, so tests
//! can see how Personio answers a tenant without them. `GET` shows them; `PUT` with any of
//! `{"recruiting": bool, "recruiting_api": bool}` changes them.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::Admin;
use crate::body::Body;
use crate::company::RecruitingFeatures;
use crate::error::{ApiError, ApiResult, Family};
use crate::render::page::{json_response, to_bytes};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Changes {
    recruiting: Option<bool>,
    recruiting_api: Option<bool>,
}

fn render(features: RecruitingFeatures) -> Response {
    json_response(to_bytes(&json!({
        "recruiting": features.recruiting,
        "recruiting_api": features.api,
    })))
}

pub(super) async fn show(_: Admin, State(app): State<AppState>) -> Response {
    render(app.company.read().recruiting.features)
}

pub(super) async fn update(
    _: Admin,
    State(app): State<AppState>,
    body: Body,
) -> ApiResult<Response> {
    let object = body.into_object()?;
    let changes: Changes = serde_json::from_value(serde_json::Value::Object(object))
        .map_err(|e| ApiError::bad_request(Family::Admin, format!("invalid features: {e}")))?;
    let mut company = app.company.write();
    let features = &mut company.recruiting.features;
    if let Some(on) = changes.recruiting {
        features.recruiting = on;
    }
    if let Some(on) = changes.recruiting_api {
        features.api = on;
    }
    Ok(render(*features))
}
