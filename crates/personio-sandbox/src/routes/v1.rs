//! v1 Personnel Data routes (`/v1/company/...`).

pub(super) mod absences;
pub(super) mod attendances;
mod documents;
pub(super) mod employees;
pub(super) mod pictures;
mod reports;

use axum::Router;
use axum::extract::Request;
use axum::http::header;
use axum::middleware;
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// Documents and custom reports: Personnel Data endpoints, so they echo the token too.
pub(super) fn records() -> Router<AppState> {
    documents::routes()
        .merge(reports::routes())
        .layer(middleware::from_fn(echo_token))
}

/// Successful v1 personnel responses carry `Authorization: Bearer <token>`: once the next
/// token of a rotation, now the same stable token (personio-api.md §1.1, H).
pub(super) async fn echo_token(request: Request, next: Next) -> Response {
    let token = request.headers().get(header::AUTHORIZATION).cloned();
    let mut response = next.run(request).await;
    if response.status().is_success()
        && let Some(token) = token.filter(|t| {
            t.to_str()
                .is_ok_and(|t| t.len() > 7 && t[..7].eq_ignore_ascii_case("bearer "))
        })
    {
        response.headers_mut().insert(header::AUTHORIZATION, token);
    }
    response
}

/// Parses a v1 path id; anything else is "not found", as for a missing record.
pub(super) fn path_id(text: &str) -> Option<i64> {
    text.trim().parse().ok().filter(|id| *id > 0)
}
