//! Request bodies: JSON or form, read whole up to the size limit, with failures answered in
//! the envelope of the API that was called.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorKind, Family};

/// Largest body we accept; Personio rejects larger ones (documents cap at 30 MB, but the
/// JSON APIs at far less; 10 MB is our line).
pub(crate) const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// A parsed body.
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    Json(Value),
    Form(Vec<(String, String)>),
    Empty,
}

/// The body of a request, by its `Content-Type`.
#[derive(Debug, Clone)]
pub(crate) struct Body {
    pub family: Family,
    pub payload: Payload,
}

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let family = Family::of(req.uri().path());
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            });
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(family, ErrorKind::PayloadTooLarge)
            } else {
                ApiError::bad_request(family, "The request body could not be read.")
            }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body {
                family,
                payload: Payload::Empty,
            });
        }
        let payload = match content_type.as_deref() {
            Some("application/json") | Some("application/problem+json") => {
                let value = serde_json::from_slice(&bytes).map_err(|e| {
                    ApiError::bad_request(
                        family,
                        format!("The request body is not valid JSON: {e}"),
                    )
                })?;
                Payload::Json(value)
            }
            Some("application/x-www-form-urlencoded") => {
                Payload::Form(serde_urlencoded::from_bytes(&bytes).map_err(|_| {
                    ApiError::bad_request(family, "The request body is not a valid form.")
                })?)
            }
            _ => return Err(ApiError::new(family, ErrorKind::UnsupportedMediaType)),
        };
        Ok(Body { family, payload })
    }
}

impl Body {
    /// The body as a JSON object: JSON as is; a form with `outer[inner]=v` keys nested one
    /// level (`employee[email]=x` → `{"employee": {"email": "x"}}`), as PHP reads forms.
    pub(crate) fn into_object(self) -> Result<Map<String, Value>, ApiError> {
        match self.payload {
            Payload::Json(Value::Object(map)) => Ok(map),
            Payload::Json(_) => Err(ApiError::bad_request(
                self.family,
                "The request body must be a JSON object.",
            )),
            Payload::Empty => Ok(Map::new()),
            Payload::Form(pairs) => Ok(nest_form(pairs)),
        }
    }
}

fn nest_form(pairs: Vec<(String, String)>) -> Map<String, Value> {
    let mut root = Map::new();
    for (key, value) in pairs {
        match key.split_once('[') {
            Some((outer, rest)) if rest.ends_with(']') => {
                let inner = rest.trim_end_matches(']').replace("][", ".");
                let slot = root
                    .entry(outer.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(map) = slot {
                    // `custom_attributes][dynamic_1` → nested once more.
                    match inner.split_once('.') {
                        Some((mid, leaf)) => {
                            let sub = map
                                .entry(mid.to_owned())
                                .or_insert_with(|| Value::Object(Map::new()));
                            if let Value::Object(sub) = sub {
                                sub.insert(leaf.to_owned(), Value::String(value));
                            }
                        }
                        None => {
                            map.insert(inner, Value::String(value));
                        }
                    }
                }
            }
            _ => {
                root.insert(key, Value::String(value));
            }
        }
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn php_style_form_keys_nest() {
        let map = nest_form(vec![
            ("employee[email]".into(), "a@b.example".into()),
            ("employee[custom_attributes][dynamic_1]".into(), "x".into()),
            ("plain".into(), "1".into()),
        ]);
        assert_eq!(map["employee"]["email"], "a@b.example");
        assert_eq!(map["employee"]["custom_attributes"]["dynamic_1"], "x");
        assert_eq!(map["plain"], "1");
    }
}
