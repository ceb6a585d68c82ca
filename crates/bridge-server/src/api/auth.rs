//! The API key a request carries, checked against the store's hashes, and what it may reach:
//! its scopes (`read`, `write`, `link`, `admin`) and, when it is limited, its companies. A
//! company the key does not reach answers as if it did not exist.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use bridge_store::{ApiKey, Company, CompanyId, Scope, Store};

use super::Problem;
use crate::state::AppState;

/// A request with a live API key.
pub(crate) struct ApiCaller {
    pub(crate) key: ApiKey,
}

impl ApiCaller {
    /// Refuses a key without `scope`.
    pub(crate) fn require(&self, scope: Scope) -> Result<(), Problem> {
        if self.key.allows(scope) {
            return Ok(());
        }
        Err(Problem::forbidden(format!(
            "the API key {:?} lacks the `{}` scope (create a key with `personio-bridge api-keys create --scope {}`)",
            self.key.name,
            scope.as_str(),
            scope.as_str()
        )))
    }

    /// Company `name`, when it exists and the key reaches it (404 otherwise).
    pub(crate) async fn company(&self, store: &Store, name: &str) -> Result<Company, Problem> {
        if !self.key.reaches(name) {
            return Err(Problem::from(bridge_store::Error::UnknownCompany(
                name.to_owned(),
            )));
        }
        Ok(store.company(name).await?)
    }

    /// Who this is in the audit log: `key:<name>` (the key's name, never its secret).
    pub(crate) fn actor(&self) -> String {
        format!("key:{}", self.key.name)
    }

    /// The id of company `name`, when it exists and the key reaches it (404 otherwise): for
    /// reads that need nothing else of the company.
    pub(crate) async fn company_id(&self, store: &Store, name: &str) -> Result<CompanyId, Problem> {
        if !self.key.reaches(name) {
            return Err(Problem::from(bridge_store::Error::UnknownCompany(
                name.to_owned(),
            )));
        }
        Ok(store.company_id(name).await?)
    }

    /// An audit entry for what this key did.
    pub(crate) fn event(&self, action: &str) -> bridge_store::AuditEvent {
        bridge_store::AuditEvent::new(self.actor(), action)
    }

    /// Whether the key reaches company `name`.
    pub(crate) fn reaches(&self, name: &str) -> bool {
        self.key.reaches(name)
    }
}

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
            Ok(Some(key)) => Ok(ApiCaller { key }),
            Ok(None) => Err(Problem::unauthorized("the API key is unknown or revoked")),
            Err(error) => Err(Problem::internal(&error)),
        }
    }
}
