//! `Caller`: who is calling, from the `Authorization: Bearer` token, checked against the
//! credential as it is *now*, so revocations and narrowed access apply at once.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use personio_api::Scope;

use crate::credentials::{Access, Area, ReadableAttributes, Session};
use crate::error::{ApiError, ErrorKind, Family};
use crate::state::AppState;

/// An authenticated caller of the v1 or v2 API.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub family: Family,
    pub session: Session,
}

impl Caller {
    /// v1 rule: the credential needs the area at this level.
    pub(crate) fn require(&self, area: Area, need: Access) -> Result<(), ApiError> {
        if self.session.access.allows(area, need) {
            Ok(())
        } else {
            tracing::debug!(?area, ?need, "credential lacks an area");
            Err(ApiError::forbidden(self.family))
        }
    }

    /// v2 rule: the token needs this scope.
    pub(crate) fn require_scope(&self, scope: Scope) -> Result<(), ApiError> {
        if self.session.scopes.contains(&scope) {
            Ok(())
        } else {
            tracing::debug!(%scope, "token lacks a scope");
            Err(ApiError::forbidden(self.family))
        }
    }

    pub(crate) fn readable(&self) -> &ReadableAttributes {
        &self.session.readable
    }
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
pub(crate) fn bearer_token(parts: &Parts) -> Result<Option<&str>, ()> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| ())?.trim();
    let (scheme, token) = text.split_once(' ').ok_or(())?;
    if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() {
        Ok(Some(token.trim()))
    } else {
        Err(())
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let family = Family::of(parts.uri.path());
        let token = match bearer_token(parts) {
            Ok(Some(token)) => token.to_owned(),
            Ok(None) => return Err(ApiError::new(family, ErrorKind::MissingToken)),
            Err(()) => return Err(ApiError::new(family, ErrorKind::InvalidToken)),
        };
        let session = state
            .registry
            .authenticate(&token, state.clock.now())
            .ok_or_else(|| ApiError::new(family, ErrorKind::InvalidToken))?;
        Ok(Caller { family, session })
    }
}
