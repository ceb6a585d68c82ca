//! `/_sandbox/` calls that steer the live sandbox: the request log, the fault plan, the
//! response latency, the webhook delivery log and simulated time.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::Admin;
use crate::body::{Body, Payload};
use crate::error::{ApiError, ApiResult, Family};
use crate::live::simulation::{self, MAX_DAYS};
use crate::live::{FaultPlan, Latency};
use crate::params::Params;
use crate::render::page::{json_response, to_bytes};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/requests", get(requests).delete(clear_requests))
        .route("/faults", get(faults).put(set_faults).delete(clear_faults))
        .route(
            "/latency",
            get(latency).put(set_latency).delete(clear_latency),
        )
        .route("/webhook-deliveries", get(webhook_deliveries))
        .route("/simulate", post(simulate))
}

/// `GET /_sandbox/requests`: `{"since", "total", "routes": {"GET /v2/persons": {"200": 3}}}`.
async fn requests(_: Admin, State(app): State<AppState>) -> Response {
    json_response(to_bytes(&app.live.requests.snapshot()))
}

/// `DELETE /_sandbox/requests`: counting starts again from zero.
async fn clear_requests(_: Admin, State(app): State<AppState>) -> StatusCode {
    app.live.requests.clear(app.clock.now());
    StatusCode::NO_CONTENT
}

/// `GET /_sandbox/faults`: the plan, each rule with `matched` and `faulted` counts.
async fn faults(_: Admin, State(app): State<AppState>) -> Response {
    json_response(to_bytes(&app.live.faults.snapshot()))
}

/// `PUT /_sandbox/faults` with `{"rules": [...]}`: replaces the plan.
async fn set_faults(_: Admin, State(app): State<AppState>, body: Body) -> ApiResult<Response> {
    let plan = FaultPlan::from_value(json_body(body)?)
        .map_err(|e| ApiError::bad_request(Family::Admin, e))?;
    app.live.faults.set(plan);
    Ok(json_response(to_bytes(&app.live.faults.snapshot())))
}

/// `DELETE /_sandbox/faults`: no more faults.
async fn clear_faults(_: Admin, State(app): State<AppState>) -> StatusCode {
    app.live.faults.set(FaultPlan::default());
    StatusCode::NO_CONTENT
}

/// `GET /_sandbox/latency`: `{"spec": "200ms" | null, "seed": N}`.
async fn latency(_: Admin, State(app): State<AppState>) -> Response {
    json_response(to_bytes(&app.live.latency.snapshot()))
}

/// `PUT /_sandbox/latency` with `{"spec": "50ms..400ms,/v1/company/employees=800ms",
/// "seed": N}` (`seed` optional: the sandbox's): replaces the latency.
async fn set_latency(_: Admin, State(app): State<AppState>, body: Body) -> ApiResult<Response> {
    let body = json_body(body)?;
    let bad = |message: String| ApiError::bad_request(Family::Admin, message);
    let spec: Latency = body
        .get("spec")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("spec must be a latency like \"200ms\" or \"50ms..400ms\"".into()))?
        .parse()
        .map_err(bad)?;
    let seed = match body.get("seed") {
        None | Some(Value::Null) => app.live.seed,
        Some(seed) => seed
            .as_u64()
            .ok_or_else(|| bad("seed must be a whole number".into()))?,
    };
    app.live.latency.set(spec, seed);
    Ok(json_response(to_bytes(&app.live.latency.snapshot())))
}

/// `DELETE /_sandbox/latency`: answers come at once again.
async fn clear_latency(_: Admin, State(app): State<AppState>) -> StatusCode {
    app.live.latency.set(Latency::default(), app.live.seed);
    StatusCode::NO_CONTENT
}

/// `GET /_sandbox/webhook-deliveries[?webhook_id=...]`: every delivery request, oldest first.
async fn webhook_deliveries(_: Admin, State(app): State<AppState>, params: Params) -> Response {
    let deliveries = app.live.webhooks.deliveries.list(params.one("webhook_id"));
    json_response(to_bytes(&json!({ "deliveries": deliveries })))
}

/// `POST /_sandbox/simulate` with `{"days": N}` → `{"created": {...}, "updated": {...},
/// "deleted": {...}}`.
async fn simulate(_: Admin, State(app): State<AppState>, body: Body) -> ApiResult<Response> {
    let body = json_body(body)?;
    let days = body
        .get("days")
        .and_then(Value::as_u64)
        .filter(|d| (1..=u64::from(MAX_DAYS)).contains(d))
        .ok_or_else(|| {
            ApiError::bad_request(
                Family::Admin,
                format!("days must be a whole number from 1 to {MAX_DAYS}"),
            )
        })?;
    let report = simulation::simulate(&app, days as u32);
    Ok((StatusCode::OK, json_response(to_bytes(&report))).into_response())
}

fn json_body(body: Body) -> ApiResult<Value> {
    match body.payload {
        Payload::Json(value) => Ok(value),
        _ => Err(ApiError::bad_request(
            Family::Admin,
            "the body must be a JSON object",
        )),
    }
}
