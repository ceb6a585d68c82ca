//! `/api/v1/companies/{company}/passthrough/{*path}`: a request to Personio's API for what the
//! bridge does not model, sent with the company's credential; Personio's status, type and
//! body come back unchanged (no other header: v1 answers carry the token in `Authorization`).
//!
//! `GET` needs the `read` scope, other methods `write`. Only Personio API paths under `v1/`
//! and `v2/` pass, never the auth endpoints. A request passed through is sent once and
//! never repeated: the bridge cannot know what it does, so it is not journalled either
//! (writes the bridge models go through their own routes, exactly once).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bridge_store::Scope;

use super::Problem;
use super::auth::ApiCaller;
use crate::state::AppState;

pub(crate) async fn forward(
    State(state): State<AppState>,
    caller: ApiCaller,
    method: Method,
    Path((company, path)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    caller.require(if method == Method::GET || method == Method::HEAD {
        Scope::Read
    } else {
        Scope::Write
    })?;
    let company = caller.company(&state.store, &company).await?;
    let path = personio_path(&path)?;
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
            .map_err(|e| Problem::bad_request(format!("query string: {e}")))?;
    let body = (!body.is_empty()).then(|| {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
            .to_owned();
        (content_type, body.to_vec())
    });
    let writer = state
        .writers
        .get(&state.store, &company)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let answer = writer
        .client()
        .passthrough(method, &path, &query, body)
        .await
        .map_err(|e| {
            tracing::warn!(company = company.name, path, error = %e, "passthrough failed");
            Problem::bad_gateway(format!("Personio could not be reached: {e}"))
        })?;
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut response = (status, answer.body).into_response();
    for (name, value) in [
        (header::CONTENT_TYPE, answer.content_type),
        (header::RETRY_AFTER, answer.retry_after),
    ] {
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            response.headers_mut().insert(name, value);
        }
    }
    Ok(response)
}

/// `/v1/...` or `/v2/...` of Personio's API, never its auth endpoints; every segment plain.
fn personio_path(path: &str) -> Result<String, Problem> {
    let refuse = || {
        Problem::not_found(format!(
            "passthrough takes Personio API paths under v1/ and v2/ (not the auth endpoints), such as v2/persons; not {path:?}"
        ))
    };
    let segments: Vec<&str> = path.split('/').collect();
    let plain = |s: &&str| {
        !s.is_empty()
            && *s != "."
            && *s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c))
    };
    if segments.len() < 2 || !segments.iter().all(plain) {
        return Err(refuse());
    }
    match segments[..] {
        ["v1" | "v2", "auth", ..] => Err(refuse()),
        ["v1" | "v2", ..] => Ok(format!("/{}", segments.join("/"))),
        _ => Err(refuse()),
    }
}

#[cfg(test)]
mod tests {
    use super::personio_path;

    #[test]
    fn only_personio_api_paths_pass() {
        assert_eq!(personio_path("v2/persons").unwrap(), "/v2/persons");
        assert_eq!(
            personio_path("v1/company/employees/7").unwrap(),
            "/v1/company/employees/7"
        );
        for path in [
            "v2/auth/token",
            "v1/auth",
            "v3/x",
            "v2",
            "v2/../v1/auth",
            "v2//persons",
            "_sandbox/faults",
            "v2/persons?x",
            "https:/evil",
        ] {
            assert!(personio_path(path).is_err(), "{path}");
        }
    }
}
