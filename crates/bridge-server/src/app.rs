//! The router: pages for operators, the API for programs, and the security layers over both.

use axum::Router;
use axum::http::header;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::state::AppState;
use crate::{api, metrics, pages, session};

pub(crate) fn router(state: AppState) -> Router {
    let pages = Router::new()
        .route("/", get(pages::home::show))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/static/app.css", get(stylesheet))
        .merge(pages::routes())
        .fallback(pages::not_found)
        .layer(middleware::from_fn(crate::security::same_origin));
    Router::new()
        .route("/healthz", get(metrics::healthz))
        .route("/metrics", get(metrics::metrics))
        .route(
            "/webhooks/personio/{company}",
            post(crate::webhooks_in::receive),
        )
        .merge(api::router())
        .merge(crate::mcp::router(&state))
        .merge(pages)
        .layer(middleware::from_fn(crate::body::read_whole))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::count,
        ))
        .layer(middleware::from_fn(crate::security::headers))
        .layer(middleware::from_fn(crate::request_id::trace))
        .with_state(state)
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.css"),
    )
}
