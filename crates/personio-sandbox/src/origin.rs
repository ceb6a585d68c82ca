//! The base URL a client used to reach us, so that links we send (`_meta.links.next.href`,
//! profile picture URLs) point back at the same origin, as Personio's absolute links do.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

/// `scheme://host[:port]` of the current request, without a trailing slash.
#[derive(Debug, Clone)]
pub(crate) struct Origin(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Origin {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let header_text = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let scheme = header_text(header::HeaderName::from_static("x-forwarded-proto"))
            .filter(|s| *s == "http" || *s == "https")
            .unwrap_or("http");
        let host = header_text(header::HOST)
            .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .unwrap_or("localhost");
        Ok(Origin(format!("{scheme}://{host}")))
    }
}
