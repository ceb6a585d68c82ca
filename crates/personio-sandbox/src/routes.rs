//! The URL tree, mirroring Personio's: `/v1/...`, `/v2/...`, plus our `/_sandbox/...`
//! admin API. Unknown paths and methods get Personio's error for their API family.

mod admin;
mod auth;
mod recruiting;
mod v1;
mod v2;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Uri;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use std::sync::Arc;

use crate::body::MAX_BODY_BYTES;
use crate::error::{ApiError, ErrorKind, Family};
use crate::schemas::Schemas;
use crate::state::AppState;

pub(crate) fn router(state: AppState, schemas: Option<Arc<Schemas>>) -> Router {
    // Successful v1 personnel responses echo the token (not images; personio-api.md §1.1).
    let v1_personnel = Router::new()
        .route(
            "/v1/company/employees",
            get(v1::employees::list).post(v1::employees::create),
        )
        .route(
            "/v1/company/employees/attributes",
            get(v1::employees::attributes),
        )
        .route(
            "/v1/company/employees/custom-attributes",
            get(v1::employees::attributes),
        )
        .route(
            "/v1/company/employees/{id}",
            get(v1::employees::show).patch(v1::employees::update),
        )
        .route(
            "/v1/company/employees/{id}/absences/balance",
            get(v1::employees::balance),
        )
        .merge(v1::absences::routes())
        .layer(middleware::from_fn(v1::echo_token));
    // Attendances and their projects never echoed the token (personio-api.md §1.1).
    let v1_attendances = v1::attendances::routes(state.legacy_v1);
    let v1_images = Router::new()
        .route(
            "/v1/company/employees/{id}/profile-picture",
            get(v1::pictures::default_size),
        )
        .route(
            "/v1/company/employees/{id}/profile-picture/{width}",
            get(v1::pictures::sized),
        );

    let routes = Router::new()
        .route("/", get(index))
        .route("/v1/auth", post(auth::v1_token))
        .route("/v2/auth/token", post(auth::v2_token))
        .route("/v2/auth/revoke", post(auth::v2_revoke))
        .merge(v1_personnel)
        .merge(v1_images)
        .merge(v1_attendances)
        .merge(v1::records())
        .merge(recruiting::routes())
        .merge(v2::routes())
        .nest("/_sandbox", admin::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    // Strict mode checks what the handlers answer, inside the faults that break answers
    // on purpose.
    let routes = match schemas {
        Some(schemas) => routes.layer(middleware::from_fn_with_state(
            schemas,
            crate::schemas::strict::check_answer,
        )),
        None => routes,
    };
    crate::live::layers(routes, &state)
        .merge(crate::pages::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(crate::live::drain::read_to_end))
        .with_state(state)
}

async fn not_found(uri: Uri) -> Response {
    let path = uri.path().to_owned();
    ApiError::new(Family::of(&path), ErrorKind::RouteNotFound { path }).into_response()
}

async fn method_not_allowed(uri: Uri) -> Response {
    ApiError::new(Family::of(uri.path()), ErrorKind::MethodNotAllowed).into_response()
}

async fn index() -> Response {
    crate::render::page::json_response(
        serde_json::to_vec(&serde_json::json!({
            "name": "Personio sandbox",
            "apis": {
                "v1": "/v1/company/...",
                "v2": "/v2/...",
                "auth": ["/v1/auth", "/v2/auth/token", "/v2/auth/revoke"],
                "admin": "/_sandbox/ (Authorization: Bearer <admin token>)",
                "admin_pages": crate::pages::BASE,
            },
        }))
        .expect("plain data serializes"),
    )
}
