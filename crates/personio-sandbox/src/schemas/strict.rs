//! Strict mode: every answer a document describes is checked against it before it leaves,
//! and one that does not conform is replaced by a 500 naming the violations, so a test run
//! in this mode finds a regression at once. Sits inside the planned faults, which break
//! answers on purpose.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{Schemas, Verdict};

/// Answers are buffered to be checked; no page the sandbox writes comes near this.
const MAX_CHECKED_BYTES: usize = 256 * 1024 * 1024;

pub(crate) async fn check_answer(
    State(schemas): State<Arc<Schemas>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    if path.starts_with("/_sandbox") || schemas.operation(&method, &path).is_none() {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_CHECKED_BYTES).await {
        Ok(bytes) => bytes,
        Err(error) => return refuse(&method, &path, vec![format!("unreadable body: {error}")]),
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    match schemas.check(&method, &path, parts.status.as_u16(), content_type, &bytes) {
        Verdict::Violates(operation, violations) => {
            tracing::error!(
                document = operation.document,
                operation = %format!("{} {}", operation.method, operation.path),
                status = parts.status.as_u16(),
                violations = %violations.join("; "),
                "an answer does not conform to Personio's document"
            );
            refuse(&method, &path, violations)
        }
        Verdict::Conforms(_) | Verdict::NotDescribed(_) => {
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

fn refuse(method: &str, path: &str, violations: Vec<String>) -> Response {
    let body = json!({
        "title": "Sandbox answer violates Personio's OpenAPI document",
        "detail": format!(
            "--strict-schemas: the answer to {method} {path} does not conform: {}",
            violations.join("; ")
        ),
        "violations": violations,
    });
    let mut response = (StatusCode::INTERNAL_SERVER_ERROR, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}
