//! A request id for every request: the caller's `X-Request-Id` when it is a short printable
//! token, else a new one; answered in `X-Request-Id` and carried, with the company the path
//! names, by a `request` span so every log line of the request can be found (JSON logs show
//! the span's fields). The path itself is not logged: a link page's path holds its token.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument as _;

pub(crate) const HEADER: &str = "x-request-id";

/// The longest caller-chosen id kept.
const MAX_LENGTH: usize = 128;

pub(crate) async fn trace(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= MAX_LENGTH
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| bridge_store::random_token("req_", 20));
    // The span's own target lets the CLI enable it at any log level, so a warning inside a
    // request still carries its id.
    let span = tracing::info_span!(
        target: "bridge::span",
        "request",
        request_id = %id,
        method = %request.method(),
        company = tracing::field::Empty,
    );
    if let Some(company) = company_in(request.uri().path()) {
        span.record("company", company);
    }
    let mut response = next.run(request).instrument(span.clone()).await;
    span.in_scope(|| tracing::debug!(status = response.status().as_u16(), "answered"));
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

/// The company a path is about: `/api/v1/companies/{company}/...`, `/companies/{company}...`
/// or `/webhooks/personio/{company}`.
fn company_in(path: &str) -> Option<&str> {
    ["/api/v1/companies/", "/companies/", "/webhooks/personio/"]
        .iter()
        .find_map(|prefix| path.strip_prefix(prefix))
        .and_then(|rest| rest.split('/').next())
        .filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::company_in;

    #[test]
    fn the_company_is_read_from_the_paths_that_name_one() {
        assert_eq!(company_in("/api/v1/companies/acme/employees"), Some("acme"));
        assert_eq!(company_in("/companies/beta"), Some("beta"));
        assert_eq!(company_in("/webhooks/personio/acme"), Some("acme"));
        assert_eq!(company_in("/api/v1/companies"), None);
        assert_eq!(company_in("/link/abc"), None);
    }
}
