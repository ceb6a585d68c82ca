//! `POST /webhooks/personio/{company}`: Personio's change notifications for a company. The
//! token Personio sends in `Authorization` must be the one registered for the company (an
//! unknown company gets the same answer, so names cannot be probed); the event then asks the
//! workers for an incremental sync of what it is about, and the answer goes back at once
//! (Personio wants one within 3 s, personio-api.md §3.11).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bridge_sync::personio_webhooks;
use personio_api::v2::WebhookDelivery;
use serde_json::json;

use crate::api::problem::Problem;
use crate::state::AppState;

pub(crate) async fn receive(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let company = match state.store.find_company(&name).await {
        Ok(Some(company)) => company,
        Ok(None) => return Problem::bad_webhook_token().into_response(),
        Err(error) => return Problem::internal(&error).into_response(),
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    match state
        .store
        .verify_personio_webhook(company.id, token, chrono::Utc::now())
        .await
    {
        Ok(true) => {}
        Ok(false) => return Problem::bad_webhook_token().into_response(),
        Err(error) => return Problem::internal(&error).into_response(),
    }
    let delivery: WebhookDelivery = match serde_json::from_slice(&body) {
        Ok(delivery) => delivery,
        Err(error) => {
            return Problem::bad_request(format!("not a Personio webhook delivery: {error}"))
                .into_response();
        }
    };
    let Some(resources) = personio_webhooks::resources_for(&delivery.event_name) else {
        // `ping`, or an event about nothing the bridge stores.
        return (
            StatusCode::OK,
            Json(json!({"event": delivery.event_name, "sync": []})),
        )
            .into_response();
    };
    if let Err(error) = state.syncs.request(company.id, resources).await {
        return Problem::internal(&error).into_response();
    }
    state.metrics.webhook_received();
    tracing::info!(company = %company.name, event = %delivery.event_name, "Personio webhook: sync requested");
    let names: Vec<&str> = resources.iter().map(|r| r.as_str()).collect();
    (
        StatusCode::ACCEPTED,
        Json(json!({"event": delivery.event_name, "sync": names})),
    )
        .into_response()
}
