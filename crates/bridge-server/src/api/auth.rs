//! The API key a request carries, checked against the store's hashes.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use super::Problem;
use crate::state::AppState;

/// A request with a live API key.
pub(crate) struct ApiCaller;

impl<S> FromRequestParts<S> for ApiCaller
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(Problem::unauthorized(
                "send an API key as `Authorization: Bearer <key>` (create one with `personio-bridge api-keys create`)",
            ));
        };
        let key = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        match state.store.api_key_for(key, chrono::Utc::now()).await {
            Ok(Some(_)) => Ok(ApiCaller),
            Ok(None) => Err(Problem::unauthorized("the API key is unknown or revoked")),
            Err(error) => Err(Problem::internal(&error)),
        }
    }
}
