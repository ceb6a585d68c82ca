//! `/v2/webhooks` (personio-api.md §3.11): managing subscriptions. Delivery itself lives in
//! `live::webhooks::delivery`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use personio_api::Scope;
use personio_api::v2::WebhookWrite;

use super::{allow_only, page_links};
use crate::body::Body;
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult, ErrorKind, Family};
use crate::live::webhooks::{Refusal, Subscription};
use crate::origin::Origin;
use crate::paginate::{V2Request, keyset};
use crate::params::Params;
use crate::render::page::{json_response, to_bytes, v2_page};
use crate::state::AppState;

/// Paging of webhooks: Personio publishes none, so the common v2 default (100) and maximum
/// (200) apply (personio-api.md §3.1).
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 200;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v2/webhooks", get(list).post(create))
        .route("/v2/webhooks/{id}", get(show).patch(update).delete(remove))
}

fn not_found() -> ApiError {
    ApiError::not_found(Family::V2, 404, "Not Found")
}

fn refused(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::Malformed(detail) => ApiError::bad_request(Family::V2, detail),
        Refusal::Invalid(message) => ApiError::validation(Family::V2, message),
        Refusal::Conflict(detail) => ApiError::new(Family::V2, ErrorKind::Conflict { detail }),
    }
}

fn read_write(body: Body) -> ApiResult<WebhookWrite> {
    let object = body.into_object()?;
    serde_json::from_value(serde_json::Value::Object(object))
        .map_err(|e| ApiError::bad_request(Family::V2, format!("Invalid request content: {e}")))
}

fn webhook_response(status: StatusCode, subscription: &Subscription) -> Response {
    (status, json_response(to_bytes(&subscription.to_wire()))).into_response()
}

/// `GET /v2/webhooks`, oldest first.
async fn list(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require_scope(Scope::WebhooksRead)?;
    let request = V2Request::parse(&params, DEFAULT_LIMIT, MAX_LIMIT)?;
    allow_only(&request.filters, &[])?;
    let all = app.live.webhooks.list();
    let (page, next) = keyset(
        all.iter().collect(),
        |s| (String::new(), s.number),
        false,
        &request,
    )?;
    let items: Vec<Vec<u8>> = page.iter().map(|s| to_bytes(&s.to_wire())).collect();
    let next = next.map(|key| request.next_cursor(serde_json::json!(key)));
    let (self_href, next_href) = page_links(&origin, uri.path(), uri.query(), &request, next);
    Ok(json_response(v2_page(
        &items,
        &self_href,
        next_href.as_deref(),
    )))
}

/// `POST /v2/webhooks` → 201 with the webhook (disabled unless `status` says otherwise).
async fn create(caller: Caller, State(app): State<AppState>, body: Body) -> ApiResult<Response> {
    caller.require_scope(Scope::WebhooksWrite)?;
    let write = read_write(body)?;
    let last_seq = app.company.read().changes.last_seq();
    let created = app.live.webhooks.create(write, last_seq).map_err(refused)?;
    Ok(webhook_response(StatusCode::CREATED, &created))
}

/// `GET /v2/webhooks/{id}`.
async fn show(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require_scope(Scope::WebhooksRead)?;
    let subscription = app.live.webhooks.get(&id).ok_or_else(not_found)?;
    Ok(webhook_response(StatusCode::OK, &subscription))
}

/// `PATCH /v2/webhooks/{id}` → 200 with the webhook as it now is. (Personio's other v2
/// PATCHes answer 204; the webhook one is undocumented, and a body serves either reading.)
async fn update(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Response> {
    caller.require_scope(Scope::WebhooksWrite)?;
    let write = read_write(body)?;
    let last_seq = app.company.read().changes.last_seq();
    let updated = app
        .live
        .webhooks
        .update(&id, write, last_seq)
        .ok_or_else(not_found)?
        .map_err(refused)?;
    Ok(webhook_response(StatusCode::OK, &updated))
}

/// `DELETE /v2/webhooks/{id}` → 204; deliveries still pending stop.
async fn remove(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require_scope(Scope::WebhooksWrite)?;
    if app.live.webhooks.delete(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}
