//! `GET /xml?language=..`: the career site's job feed, public (no token). An unsupported
//! or missing `language` falls back to German, as a German career site would (Personio
//! documents the parameter as required but not what it does without it).

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use personio_api::recruiting::feed::LANGUAGES;

use crate::error::{ApiError, ApiResult, ErrorKind, Family};
use crate::params::Params;
use crate::render::feed::render;
use crate::state::AppState;

pub(super) async fn xml(State(app): State<AppState>, params: Params) -> ApiResult<Response> {
    let language = params
        .one("language")
        .map(|l| l.trim().to_ascii_lowercase())
        .filter(|l| LANGUAGES.contains(&l.as_str()))
        .unwrap_or_else(|| "de".to_owned());
    let company = app.company.read();
    if !company.recruiting.features.recruiting {
        return Err(ApiError::new(
            Family::V1,
            ErrorKind::RouteNotFound {
                path: "/xml".into(),
            },
        ));
    }
    let mut response = render(&company, &language).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=utf-8"),
    );
    Ok(response)
}
