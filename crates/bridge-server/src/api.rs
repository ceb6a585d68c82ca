//! The REST API for programs, under `/api/v1`: companies and every record table of the store
//! (`bridge_store::tables::ALL`, so new tables appear without code here), in our normalized
//! model's field names. Callers authenticate with an API key as `Authorization: Bearer`.

pub(crate) mod audit;
mod auth;
mod companies;
mod cursor;
mod link_sessions;
pub(crate) mod openapi;
mod openapi_link_sessions;
mod openapi_webhooks;
mod openapi_writes;
mod passthrough;
pub(crate) mod problem;
mod records;
pub(crate) mod settings;
mod uploads;
mod webhooks;
mod writes;

use axum::Router;
use axum::routing::{any, delete, get, post};

use crate::state::AppState;

pub(crate) use auth::ApiCaller;
pub(crate) use problem::Problem;
pub(crate) use records::record_now;
pub(crate) use uploads::MAX_UPLOAD_BODY;

/// Records per page unless `limit` says otherwise, and the most `limit` may ask for.
pub(crate) const DEFAULT_LIMIT: u32 = 100;
pub(crate) const MAX_LIMIT: u32 = 500;

/// Whether `url` is one a caller may give us to send to or send people to: http(s) with a host.
pub(crate) fn is_web_address(url: &url::Url) -> bool {
    matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty())
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi::serve))
        .route("/api/v1/companies", get(companies::list))
        .route("/api/v1/companies/{company}", get(companies::one))
        .route(
            "/api/v1/companies/{company}/settings",
            get(settings::show).patch(settings::update),
        )
        .route(
            "/api/v1/companies/{company}/{resource}",
            get(records::list).post(writes::create),
        )
        .route(
            "/api/v1/companies/{company}/{resource}/{id}",
            get(records::one)
                .patch(writes::update)
                .delete(writes::remove),
        )
        .route(
            "/api/v1/companies/{company}/employees/{employee}/{resource}",
            get(records::of_employee),
        )
        .route(
            "/api/v1/companies/{company}/passthrough/{*path}",
            any(passthrough::forward),
        )
        .route("/api/v1/audit-log", get(audit::list))
        .route(
            "/api/v1/companies/{company}/employees/{id}/personal-data",
            delete(audit::erase),
        )
        .route(
            "/api/v1/companies/{company}/employees/{id}/tombstone",
            delete(audit::allow_again),
        )
        .route("/api/v1/link-sessions", post(link_sessions::create))
        .route("/api/v1/link-sessions/{id}", get(link_sessions::one))
        .merge(webhooks::router())
        // Anything else under /api is the API's to refuse, in its own error format.
        .route(
            "/api/{*rest}",
            any(|| async { Problem::not_found("no such API endpoint") }),
        )
}
