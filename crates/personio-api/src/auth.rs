//! Token requests and responses: v1 `POST /v1/auth`, v2 `POST /v2/auth/token` and
//! `POST /v2/auth/revoke` (personio-api.md §1). `Debug` never shows a secret or a token.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Body of `POST /v1/auth`, as JSON or as a form.
#[derive(Clone, Serialize, Deserialize)]
pub struct V1AuthRequest {
    pub client_id: String,
    pub client_secret: String,
}

/// `data` of a successful `POST /v1/auth`. `expires_in` and `scope` are newer additions
/// that older responses lack (personio-api.md §1.1, confidence H for the current spec).
#[derive(Clone, Serialize, Deserialize)]
pub struct V1AuthData {
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// Form body of `POST /v2/auth/token` (only `client_credentials` exists).
#[derive(Clone, Serialize, Deserialize)]
pub struct TokenRequest {
    pub grant_type: String,
    pub client_id: String,
    pub client_secret: String,
    /// Space-delimited; absent means every scope the credential has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// Success body of `POST /v2/auth/token`.
#[derive(Clone, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default = "bearer")]
    pub token_type: String,
    #[serde(default)]
    pub expires_in: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Modelled by clients, never seen in practice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

fn bearer() -> String {
    "Bearer".to_owned()
}

/// Form body of `POST /v2/auth/revoke`.
#[derive(Clone, Serialize, Deserialize)]
pub struct RevokeRequest {
    pub token: String,
}

/// OAuth error body of the v2 token endpoint (HTTP 400), e.g. `invalid_client`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OAuthError {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<serde_json::Value>,
}

/// The documented OAuth error codes of `POST /v2/auth/token` (personio-api.md §1.2).
pub mod oauth_error {
    pub const INVALID_REQUEST: &str = "invalid_request";
    pub const INVALID_CLIENT: &str = "invalid_client";
    pub const INVALID_GRANT: &str = "invalid_grant";
    pub const UNAUTHORIZED_CLIENT: &str = "unauthorized_client";
    pub const UNSUPPORTED_GRANT_TYPE: &str = "unsupported_grant_type";
    pub const INVALID_SCOPE: &str = "invalid_scope";
}

const REDACTED: &str = "[redacted]";

impl fmt::Debug for V1AuthRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V1AuthRequest")
            .field("client_id", &self.client_id)
            .field("client_secret", &REDACTED)
            .finish()
    }
}

impl fmt::Debug for V1AuthData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V1AuthData")
            .field("token", &REDACTED)
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish()
    }
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRequest")
            .field("grant_type", &self.grant_type)
            .field("client_id", &self.client_id)
            .field("client_secret", &REDACTED)
            .field("scope", &self.scope)
            .finish()
    }
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &REDACTED)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish()
    }
}

impl fmt::Debug for RevokeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RevokeRequest")
            .field("token", &REDACTED)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_secrets_and_tokens() {
        let request = TokenRequest {
            grant_type: "client_credentials".into(),
            client_id: "id-1".into(),
            client_secret: "very-secret".into(),
            scope: None,
        };
        let response = TokenResponse {
            access_token: "papi-abc".into(),
            token_type: "Bearer".into(),
            expires_in: 86400,
            scope: None,
            refresh_token: None,
        };
        let shown = format!("{request:?} {response:?}");
        assert!(
            !shown.contains("very-secret") && !shown.contains("papi-abc"),
            "{shown}"
        );
        assert!(shown.contains("id-1"));
    }
}
