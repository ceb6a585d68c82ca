//! What Personio's refusals mean: turning a non-2xx answer (after retries, if any) into the
//! [`Error`] a caller can act on, per API family; and spotting the answers that only say
//! "your token is no longer good" (worth one renewal, not an error yet).
//!
//! Personio words the same situation differently per family (personio-api.md §1.1, §1.2,
//! §2.1, §3.2): v1 sends `{"success": false, "error": {...}}` with a 403 both for a bad token
//! ("Provided authorization is not valid") and for a missing area (a Java exception name),
//! v2 sends problem details, and the token endpoint sends OAuth errors.

use personio_api::auth::oauth_error;
use reqwest::header::{CONTENT_TYPE, HeaderMap, LOCATION};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::error::{ApiErrorBody, Error, shorten};
use crate::route::{Family, scope_for};

/// v1's message for a token it does not accept (personio-api.md §2.1, H).
const V1_INVALID_TOKEN: &str = "Provided authorization is not valid";
/// v2's problem title for a missing scope (personio-api.md §1.4, H).
const V2_MISSING_SCOPE: &str = "Insufficient access scope";

/// One non-2xx answer, as `refusal` needs it.
pub(crate) struct Refused<'a> {
    pub method: &'a Method,
    pub url: &'a Url,
    pub status: StatusCode,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub attempts: u32,
}

/// Whether the answer says the token itself is no longer accepted: v1 and v2 tokens are then
/// renewed once and the request sent again (a revoked or rotated credential, an expired
/// token). The recruiting token is static, so there is nothing to renew.
pub(crate) fn token_rejected(family: Family, status: StatusCode, body: &[u8]) -> bool {
    match family {
        Family::V2 => status == StatusCode::UNAUTHORIZED,
        Family::V1 => {
            status == StatusCode::UNAUTHORIZED
                || (status == StatusCode::FORBIDDEN && v1_message(body) == Some(V1_INVALID_TOKEN))
        }
        _ => false,
    }
}

/// The error a final non-2xx answer stands for.
pub(crate) fn refusal(answer: &Refused<'_>) -> Error {
    let path = answer.url.path().to_owned();
    let status = answer.status;
    let family = Family::of(&path);
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Error::RateLimited {
            attempts: answer.attempts,
        };
    }
    if status.is_server_error() {
        return Error::Server {
            status,
            attempts: answer.attempts,
        };
    }
    if status.is_redirection() {
        let to = answer
            .headers
            .get(LOCATION)
            .and_then(|l| l.to_str().ok())
            .unwrap_or("elsewhere");
        return not_personio(answer, format!("it answered {status}, redirecting to {to}"));
    }
    if is_html(answer.headers, answer.body) {
        return not_personio(answer, format!("it answered {status} with an HTML page"));
    }
    let body = ApiErrorBody::parse(answer.body);
    let api = || Error::Api {
        status,
        path: path.clone(),
        body: body.clone(),
    };
    match family {
        Family::V1Auth => match (&body, status) {
            (_, StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED) => {
                not_personio(answer, format!("it has no token endpoint ({status})"))
            }
            // "Wrong credentials" has been seen with 401 and with 403 (personio-api.md §1.1, L).
            (ApiErrorBody::V1(v1), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => {
                Error::BadCredentials {
                    detail: v1.error.message.clone(),
                }
            }
            (ApiErrorBody::V1(_), _) => api(),
            _ => not_personio(
                answer,
                format!("its token endpoint answered {status} without Personio's error body"),
            ),
        },
        Family::V2Auth => match &body {
            ApiErrorBody::OAuth(oauth)
                if [
                    oauth_error::INVALID_CLIENT,
                    oauth_error::UNAUTHORIZED_CLIENT,
                    oauth_error::INVALID_GRANT,
                ]
                .contains(&oauth.error.as_str()) =>
            {
                Error::BadCredentials {
                    detail: body.message(),
                }
            }
            ApiErrorBody::OAuth(_) => api(),
            _ if status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED => {
                not_personio(answer, format!("it has no token endpoint ({status})"))
            }
            _ => not_personio(
                answer,
                format!("its token endpoint answered {status} without an OAuth error body"),
            ),
        },
        Family::V1 => match status {
            StatusCode::UNAUTHORIZED => Error::BadCredentials {
                detail: body.message(),
            },
            StatusCode::FORBIDDEN if v1_message(answer.body) == Some(V1_INVALID_TOKEN) => {
                Error::BadCredentials {
                    detail: V1_INVALID_TOKEN.to_owned(),
                }
            }
            // Any other v1 403 is the area missing (`...forbidden.http.exception`, §2.1, M).
            StatusCode::FORBIDDEN => Error::MissingArea { path },
            StatusCode::NOT_FOUND => Error::NotFound { path },
            _ => api(),
        },
        Family::V2 => match status {
            // A fresh token still refused: Personio answers 401 "Unauthorized Request" when
            // the credential lacks the right (findings #8, live probe, M).
            StatusCode::UNAUTHORIZED => missing_scope(answer.method, path),
            StatusCode::FORBIDDEN => match &body {
                ApiErrorBody::Problem(p) if p.title() != Some(V2_MISSING_SCOPE) => api(),
                _ => missing_scope(answer.method, path),
            },
            StatusCode::NOT_FOUND => Error::NotFound { path },
            _ => api(),
        },
        // 401: token or company id not recognised; 403: the company lacks a feature (§1.5).
        Family::Recruiting => match status {
            StatusCode::UNAUTHORIZED => Error::BadCredentials {
                detail: format!("the recruiting token or company id: {body}"),
            },
            StatusCode::NOT_FOUND => Error::NotFound { path },
            _ => api(),
        },
        Family::Other => match status {
            StatusCode::NOT_FOUND => Error::NotFound { path },
            _ => api(),
        },
    }
}

fn missing_scope(method: &Method, path: String) -> Error {
    Error::MissingScope {
        scope: scope_for(method, &path).map(|s| s.as_str().to_owned()),
        path,
    }
}

fn not_personio(answer: &Refused<'_>, detail: String) -> Error {
    Error::NotPersonio {
        url: answer.url.clone(),
        detail,
    }
}

fn v1_message(body: &[u8]) -> Option<&str> {
    // A borrowed read of `error.message`, without allocating for every answer.
    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        error: Inner<'a>,
    }
    #[derive(serde::Deserialize)]
    struct Inner<'a> {
        #[serde(borrow)]
        message: Option<&'a str>,
    }
    serde_json::from_slice::<Envelope<'_>>(body)
        .ok()
        .and_then(|e| e.error.message)
}

/// An HTML page, by its content type or its first character.
pub(crate) fn is_html(headers: &HeaderMap, body: &[u8]) -> bool {
    let declared = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    declared || body.trim_ascii_start().starts_with(b"<")
}

/// A few words on what an unexpected body looked like, for messages.
pub(crate) fn describe(body: &[u8]) -> String {
    if body.is_empty() {
        "an empty body".to_owned()
    } else {
        format!("`{}`", shorten(&String::from_utf8_lossy(body)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use reqwest::header::HeaderValue;

    const V1_FORBIDDEN_AREA: &str = r#"{"success":false,"error":{"message":"personio.core.api.exceptions.api.forbidden.http.exception","code":0}}"#;
    const V1_BAD_TOKEN: &str =
        r#"{"success":false,"error":{"message":"Provided authorization is not valid","code":403}}"#;
    const V1_WRONG: &str = r#"{"success":false,"error":{"code":0,"message":"Wrong credentials"}}"#;
    const V2_SCOPE: &str = r#"{"personio_trace_id":"t","timestamp":"x","errors":[{"title":"Insufficient access scope","detail":"Client scope insufficient to access resource"}]}"#;
    const V2_CONFLICT: &str = r#"{"personio_trace_id":"t","timestamp":"x","errors":[{"title":"Forbidden","detail":"No access to the compensations feature"}]}"#;
    const OAUTH_CLIENT: &str =
        r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#;
    const OAUTH_REQUEST: &str = r#"{"error":"invalid_request"}"#;

    fn kind_of(path: &str, status: u16, body: &str, html: bool) -> ErrorKind {
        let url: Url = format!("https://api.personio.de{path}").parse().unwrap();
        let mut headers = HeaderMap::new();
        if html {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
        }
        let method = if path.contains("auth") {
            Method::POST
        } else {
            Method::GET
        };
        refusal(&Refused {
            method: &method,
            url: &url,
            status: StatusCode::from_u16(status).unwrap(),
            headers: &headers,
            body: body.as_bytes(),
            attempts: 1,
        })
        .kind()
    }

    #[test]
    fn refusals_map_to_what_the_caller_can_do() {
        use ErrorKind::*;
        let table = [
            ("/v1/auth", 401, V1_WRONG, false, BadCredentials),
            ("/v1/auth", 403, V1_WRONG, false, BadCredentials),
            ("/v1/auth", 404, "", false, NotPersonio),
            ("/v1/auth", 400, "nope", false, NotPersonio),
            ("/v2/auth/token", 400, OAUTH_CLIENT, false, BadCredentials),
            ("/v2/auth/token", 400, OAUTH_REQUEST, false, Api),
            ("/v2/auth/token", 200, "<html></html>", true, NotPersonio),
            ("/v2/auth/token", 404, "", false, NotPersonio),
            (
                "/v1/company/employees",
                403,
                V1_FORBIDDEN_AREA,
                false,
                MissingArea,
            ),
            (
                "/v1/company/employees",
                403,
                V1_BAD_TOKEN,
                false,
                BadCredentials,
            ),
            ("/v1/company/employees/9", 404, V1_WRONG, false, NotFound),
            ("/v1/company/employees", 422, V1_WRONG, false, Api),
            ("/v2/persons", 403, V2_SCOPE, false, MissingScope),
            ("/v2/persons", 401, "", false, MissingScope),
            ("/v2/compensations", 403, V2_CONFLICT, false, Api),
            ("/v2/persons/1", 404, V2_SCOPE, false, NotFound),
            ("/v2/persons", 400, V2_SCOPE, false, Api),
            ("/v2/persons", 429, "", false, RateLimited),
            ("/v2/persons", 503, "", false, Server),
            ("/v2/persons", 301, "", false, NotPersonio),
            ("/v2/persons", 404, "<!doctype html>", false, NotPersonio),
            (
                "/v1/recruiting/applications",
                401,
                "",
                false,
                BadCredentials,
            ),
            ("/v1/recruiting/applications", 403, "", false, Api),
        ];
        for (path, status, body, html, expected) in table {
            assert_eq!(
                kind_of(path, status, body, html),
                expected,
                "{status} from {path}"
            );
        }
    }

    #[test]
    fn missing_scopes_are_named_when_personio_documents_them() {
        let url: Url = "https://api.personio.de/v2/legal-entities".parse().unwrap();
        let error = refusal(&Refused {
            method: &Method::GET,
            url: &url,
            status: StatusCode::FORBIDDEN,
            headers: &HeaderMap::new(),
            body: V2_SCOPE.as_bytes(),
            attempts: 1,
        });
        assert!(
            matches!(&error, Error::MissingScope { scope: Some(s), .. } if s == "personio:legal-entities:read"),
            "{error:?}"
        );
    }

    #[test]
    fn only_token_refusals_ask_for_a_renewal() {
        let v1 = |status: u16, body: &str| {
            token_rejected(
                Family::V1,
                StatusCode::from_u16(status).unwrap(),
                body.as_bytes(),
            )
        };
        assert!(v1(401, ""));
        assert!(v1(403, V1_BAD_TOKEN));
        assert!(!v1(403, V1_FORBIDDEN_AREA));
        assert!(token_rejected(Family::V2, StatusCode::UNAUTHORIZED, b""));
        assert!(!token_rejected(
            Family::V2,
            StatusCode::FORBIDDEN,
            V2_SCOPE.as_bytes()
        ));
        assert!(!token_rejected(
            Family::Recruiting,
            StatusCode::UNAUTHORIZED,
            b""
        ));
    }
}
