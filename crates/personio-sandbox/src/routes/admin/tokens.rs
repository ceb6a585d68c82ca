//! `GET /_sandbox/tokens`: every access token the sandbox has issued, live or not, oldest
//! first (`{"tokens": [...]}`), so a test can search its own output for any of them.

use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use super::Admin;
use crate::render::page::{json_response, to_bytes};
use crate::state::AppState;

pub(super) async fn issued(_: Admin, State(app): State<AppState>) -> Response {
    json_response(to_bytes(&json!({ "tokens": app.registry.issued_tokens() })))
}
