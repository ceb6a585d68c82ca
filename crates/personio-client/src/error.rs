//! The client's one error type: one variant per situation a caller handles differently, each
//! worded so the reader knows what to do next. No variant ever holds a secret or a token.

use std::fmt;

use personio_api::auth::OAuthError;
use personio_api::error::{ProblemBody, V1ErrorBody};
use reqwest::StatusCode;
use url::Url;

/// Everything that can go wrong talking to Personio. Fields name the request's URL or
/// path (never its query or body) and how many attempts were made.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing answered: DNS, connection refused, TLS handshake. Check the base URL and the
    /// network; trying again later may help.
    #[error("could not reach {url}: {source}")]
    Unreachable {
        /// The URL that was tried.
        url: Url,
        /// What the HTTP stack reported.
        #[source]
        source: reqwest::Error,
    },
    /// Something answered, but not the way Personio does (an HTML page, a redirect, an auth
    /// endpoint without Personio's envelope). Check the base URL.
    #[error("{url} does not answer like Personio: {detail}")]
    NotPersonio {
        /// The URL that answered.
        url: Url,
        /// What was wrong with the answer.
        detail: String,
    },
    /// Personio refused the client id and secret (or the recruiting token). Ask the admin for
    /// working credentials.
    #[error("Personio rejected the credentials: {detail}")]
    BadCredentials {
        /// Personio's own words.
        detail: String,
    },
    /// The v2 credential lacks a scope for this endpoint. The admin must tick the area's
    /// access in Personio's API credentials settings.
    #[error("the credentials lack {} for {path}", scope_text(.scope))]
    MissingScope {
        /// The scope the endpoint needs, where Personio names one.
        scope: Option<String>,
        /// The endpoint.
        path: String,
    },
    /// The v1 credential lacks the access area of this endpoint.
    #[error("the credentials lack the access area of {path}")]
    MissingArea {
        /// The endpoint.
        path: String,
    },
    /// The record or the endpoint does not exist (or the company lacks the feature).
    #[error("Personio has nothing at {path}")]
    NotFound {
        /// What was asked for.
        path: String,
    },
    /// Personio kept answering 429, or asked for a wait longer than we accept.
    #[error("Personio still rate limited the request after {attempts} attempt(s)")]
    RateLimited {
        /// Attempts made.
        attempts: u32,
    },
    /// Personio kept failing with a server error.
    #[error("Personio answered {status} after {attempts} attempt(s)")]
    Server {
        /// The last status.
        status: StatusCode,
        /// Attempts made.
        attempts: u32,
    },
    /// Every attempt timed out.
    #[error("Personio did not answer in time, {attempts} attempt(s)")]
    Timeout {
        /// Attempts made.
        attempts: u32,
    },
    /// The connection broke mid-request or mid-response (reset, truncated body), every time.
    #[error("the connection to {url} broke, {attempts} attempt(s): {source}")]
    Connection {
        /// The URL of the request.
        url: Url,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        #[source]
        source: reqwest::Error,
    },
    /// Any other refusal, with Personio's own error body.
    #[error("Personio answered {status} for {path}: {body}")]
    Api {
        /// The status.
        status: StatusCode,
        /// The endpoint.
        path: String,
        /// Personio's error body, parsed.
        body: ApiErrorBody,
    },
    /// The body is not JSON of the expected shape.
    #[error("unexpected response from {path}{}: {source}", at_text(.at))]
    Decode {
        /// The endpoint.
        path: String,
        /// The JSON path of the problem (`_data[3].first_name`); empty when the body as a
        /// whole is wrong.
        at: String,
        /// What serde found.
        #[source]
        source: serde_json::Error,
    },
    /// Personio's paging did not end properly (a repeated cursor, endless pages).
    #[error("paging {path} stopped: {reason}")]
    Pagination {
        /// The list.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The client is configured in a way that cannot work.
    #[error("invalid client configuration: {0}")]
    Config(String),
}

fn at_text(at: &str) -> String {
    if at.is_empty() {
        String::new()
    } else {
        format!(" at `{at}`")
    }
}

fn scope_text(scope: &Option<String>) -> String {
    match scope {
        Some(scope) => format!("scope `{scope}`"),
        None => "a scope".to_owned(),
    }
}

/// The kind of an [`Error`], for callers that branch on it (a sync summary, exit codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// [`Error::Unreachable`].
    Unreachable,
    /// [`Error::NotPersonio`].
    NotPersonio,
    /// [`Error::BadCredentials`].
    BadCredentials,
    /// [`Error::MissingScope`].
    MissingScope,
    /// [`Error::MissingArea`].
    MissingArea,
    /// [`Error::NotFound`].
    NotFound,
    /// [`Error::RateLimited`].
    RateLimited,
    /// [`Error::Server`].
    Server,
    /// [`Error::Timeout`].
    Timeout,
    /// [`Error::Connection`].
    Connection,
    /// [`Error::Api`].
    Api,
    /// [`Error::Decode`].
    Decode,
    /// [`Error::Pagination`].
    Pagination,
    /// [`Error::Config`].
    Config,
}

impl Error {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Unreachable { .. } => ErrorKind::Unreachable,
            Error::NotPersonio { .. } => ErrorKind::NotPersonio,
            Error::BadCredentials { .. } => ErrorKind::BadCredentials,
            Error::MissingScope { .. } => ErrorKind::MissingScope,
            Error::MissingArea { .. } => ErrorKind::MissingArea,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::RateLimited { .. } => ErrorKind::RateLimited,
            Error::Server { .. } => ErrorKind::Server,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Connection { .. } => ErrorKind::Connection,
            Error::Api { .. } => ErrorKind::Api,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Pagination { .. } => ErrorKind::Pagination,
            Error::Config(_) => ErrorKind::Config,
        }
    }

    /// Whether the same call may succeed later without anyone changing anything (network,
    /// Personio's load); the client has already retried, so "later" means a later run.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::Unreachable
                | ErrorKind::RateLimited
                | ErrorKind::Server
                | ErrorKind::Timeout
                | ErrorKind::Connection
        )
    }
}

/// Personio's error body, parsed by the API family that sent it.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiErrorBody {
    /// `{"success": false, "error": {"code", "message"}}`.
    V1(Box<V1ErrorBody>),
    /// v2 problem details.
    Problem(Box<ProblemBody>),
    /// The OAuth error of `POST /v2/auth/token`.
    OAuth(Box<OAuthError>),
    /// Anything else, as text (shortened).
    Other(String),
}

impl ApiErrorBody {
    /// Reads a body as the shape its family uses, falling back to text.
    pub(crate) fn parse(bytes: &[u8]) -> ApiErrorBody {
        if let Ok(body) = serde_json::from_slice::<V1ErrorBody>(bytes) {
            return ApiErrorBody::V1(Box::new(body));
        }
        if let Ok(body) = serde_json::from_slice::<ProblemBody>(bytes)
            && !body.errors.is_empty()
        {
            return ApiErrorBody::Problem(Box::new(body));
        }
        if let Ok(body) = serde_json::from_slice::<OAuthError>(bytes) {
            return ApiErrorBody::OAuth(Box::new(body));
        }
        ApiErrorBody::Other(shorten(&String::from_utf8_lossy(bytes)))
    }

    /// The human part: the v1 message, the first problem's title and detail, the OAuth
    /// description.
    pub fn message(&self) -> String {
        match self {
            ApiErrorBody::V1(body) => body.error.message.clone(),
            ApiErrorBody::Problem(body) => match body.errors.first() {
                Some(p) => match &p.detail {
                    Some(detail) if !detail.is_empty() => format!("{}: {detail}", p.title),
                    _ => p.title.clone(),
                },
                None => String::new(),
            },
            ApiErrorBody::OAuth(body) => match &body.error_description {
                Some(description) => format!("{}: {description}", body.error),
                None => body.error.clone(),
            },
            ApiErrorBody::Other(text) => text.clone(),
        }
    }
}

impl fmt::Display for ApiErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.message();
        if message.is_empty() {
            f.write_str("(no message)")
        } else {
            f.write_str(&message)
        }
    }
}

/// At most 200 characters of a body, for messages.
pub(crate) fn shorten(text: &str) -> String {
    const MAX: usize = 200;
    let text = text.trim();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_read_by_their_family_shape() {
        let v1 = ApiErrorBody::parse(br#"{"success":false,"error":{"code":0,"message":"Nein"}}"#);
        assert_eq!(v1.message(), "Nein");
        let problem = ApiErrorBody::parse(
            br#"{"personio_trace_id":"t","timestamp":"x","errors":[{"title":"Conflict","detail":"taken"}]}"#,
        );
        assert_eq!(problem.message(), "Conflict: taken");
        let oauth = ApiErrorBody::parse(br#"{"error":"invalid_scope"}"#);
        assert_eq!(oauth.message(), "invalid_scope");
        let text = ApiErrorBody::parse("x".repeat(500).as_bytes());
        assert!(matches!(&text, ApiErrorBody::Other(t) if t.chars().count() == 201));
    }

    #[test]
    fn only_transient_failures_are_retryable() {
        assert!(Error::Timeout { attempts: 6 }.is_retryable());
        assert!(
            !Error::MissingArea {
                path: "/v1/company/employees".into()
            }
            .is_retryable()
        );
        assert!(!Error::Config("x".into()).is_retryable());
    }
}
