//! Which company of the fleet a request is for (see the fleet's module documentation).

use axum::body::Body;
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::Shared;
use super::derive::{index_of_client_id, index_of_company_id, parse_index};
use crate::body::MAX_BODY_BYTES;
use crate::caller::bearer_token;
use crate::error::{ApiError, ErrorKind, Family};

/// What company `index`'s tokens start with.
pub(super) fn token_prefix(index: usize) -> String {
    format!("papi-c{index}-")
}

/// The company that issued `token`, when it is one of the fleet's `count`.
fn index_of_token(token: &str, count: usize) -> Option<usize> {
    let (index, _) = token.strip_prefix("papi-c")?.split_once('-')?;
    parse_index(index, count)
}

/// The company index and the request to hand it (its path rewritten for
/// `/_sandbox/companies/{i}/...`), or the answer when the request names no company.
pub(super) async fn company_of(
    shared: &Shared,
    request: Request,
) -> Result<(usize, Request), Box<Response>> {
    let count = shared.members.len();
    let (mut parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    if let Some(rest) = path.strip_prefix("/_sandbox/companies/") {
        let (index, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let Some(index) = parse_index(index, count) else {
            return Err(Box::new(
                ApiError::new(Family::Admin, ErrorKind::RouteNotFound { path }).into_response(),
            ));
        };
        let inner = if tail.is_empty() {
            "/_sandbox".to_owned()
        } else {
            format!("/_sandbox/{tail}")
        };
        parts.uri = super::with_path(&parts.uri, &inner);
        return Ok((index, Request::from_parts(parts, body)));
    }
    if crate::live::is_admin(&path) {
        return Ok((1, Request::from_parts(parts, body)));
    }
    if matches!(
        path.as_str(),
        "/v1/auth" | "/v2/auth/token" | "/v2/auth/revoke"
    ) {
        let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
            return Err(Box::new(
                ApiError::new(Family::of(&path), ErrorKind::PayloadTooLarge).into_response(),
            ));
        };
        let fields = fields_of(&bytes, parts.uri.query());
        let field = |name: &str| {
            fields
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        let index = if path == "/v2/auth/revoke" {
            field("token").and_then(|token| index_of_token(&token, count))
        } else {
            field("client_id")
                .or_else(|| basic_client_id(&parts.headers))
                .and_then(|id| index_of_client_id(&id, count).or_else(|| shared.holder_of(&id)))
        };
        return Ok((
            index.unwrap_or(1),
            Request::from_parts(parts, Body::from(bytes)),
        ));
    }
    let index = by_token(&parts, count).or_else(|| by_company_header(&parts.headers, count));
    Ok((index.unwrap_or(1), Request::from_parts(parts, body)))
}

fn by_token(parts: &Parts, count: usize) -> Option<usize> {
    let token = bearer_token(parts).ok().flatten()?;
    index_of_token(token, count)
}

fn by_company_header(headers: &HeaderMap, count: usize) -> Option<usize> {
    let id = headers
        .get("x-company-id")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    index_of_company_id(id, count)
}

/// The fields of a JSON object or form body, then those of the query string.
fn fields_of(body: &[u8], query: Option<&str>) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> =
        match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body) {
            Ok(object) => object
                .into_iter()
                .filter_map(|(key, value)| Some((key, value.as_str()?.to_owned())))
                .collect(),
            Err(_) => serde_urlencoded::from_bytes(body).unwrap_or_default(),
        };
    if let Some(query) = query {
        fields
            .extend(serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default());
    }
    fields
}

fn basic_client_id(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    Some(text.split_once(':')?.0.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_the_company_that_issued_them() {
        assert_eq!(
            index_of_token(&format!("{}abc", token_prefix(7)), 10),
            Some(7)
        );
        assert_eq!(
            index_of_token(&format!("{}abc", token_prefix(11)), 10),
            None
        );
        assert_eq!(index_of_token("papi-abcdef", 10), None);
        assert_eq!(index_of_token("papi-cx-abc", 10), None);
    }

    #[test]
    fn fields_come_from_json_form_and_query() {
        let json = fields_of(br#"{"client_id":"demo-2","n":1}"#, None);
        assert_eq!(json, vec![("client_id".to_owned(), "demo-2".to_owned())]);
        let form = fields_of(b"client_id=demo-3&client_secret=x", Some("a=b"));
        assert_eq!(form[0], ("client_id".to_owned(), "demo-3".to_owned()));
        assert_eq!(form[2], ("a".to_owned(), "b".to_owned()));
    }
}
