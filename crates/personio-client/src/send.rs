//! The one place HTTP happens. [`Inner::send`] takes a request described as data and
//! returns a 2xx answer or the error it came to, doing on the way everything every request
//! needs: the family's credential, pacing from the rate-limit headers, the concurrency
//! bound, one transparent token renewal, the retry loop, and the counters.

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::IgnoredAny;
use tokio::time::Instant;
use url::Url;

use crate::client::Inner;
use crate::error::Error;
use crate::metrics::Counters;
use crate::rate_limit::{Limits, bucket_key, retry_after};
use crate::refusal::{Refused, is_html, refusal, token_rejected};
use crate::retry::{Attempt, Decision, Outcome, decide, with_jitter};
use crate::route::{Family, is_beta};

/// One request, as data. (No `Debug`: a body may hold the client secret.)
pub(crate) struct Request {
    pub method: Method,
    pub url: Url,
    pub body: Option<Body>,
}

/// A request body, already encoded.
pub(crate) enum Body {
    Json(Vec<u8>),
    Form(Vec<u8>),
    /// Bytes of a type given by the caller (a request passed through as it came).
    Other {
        content_type: String,
        bytes: Vec<u8>,
    },
}

impl Request {
    pub(crate) fn new(method: Method, url: Url, body: Option<Body>) -> Request {
        Request { method, url, body }
    }

    /// Safe to repeat when we cannot tell whether Personio acted on it: reads, and token
    /// requests (asking twice yields the same stable token).
    fn idempotent(&self, family: Family) -> bool {
        self.method == Method::GET
            || self.method == Method::HEAD
            || matches!(family, Family::V1Auth | Family::V2Auth)
    }
}

/// Personio's answer to a request passed through: its status, type and body as they came
/// (no other header: v1 echoes the token in `Authorization`).
#[derive(Debug, Clone)]
pub struct Answer {
    /// Personio's HTTP status.
    pub status: u16,
    /// Personio's `Content-Type`.
    pub content_type: Option<String>,
    /// Personio's `Retry-After`, when it sent one (429, 503).
    pub retry_after: Option<String>,
    /// The body, byte for byte.
    pub body: Bytes,
}

/// What came back from one exchange on the wire.
struct Raw {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// The credential one attempt carries.
enum Credential {
    None,
    /// A v1 or v2 token and its generation (see `auth::Token`).
    Token {
        value: SecretString,
        generation: u64,
    },
    Recruiting {
        token: SecretString,
        company_id: i64,
    },
}

impl Inner {
    /// Sends `request` until it succeeds or the retry policy gives up; returns the 2xx
    /// answer's body.
    pub(crate) async fn send(&self, request: &Request) -> Result<Bytes, Error> {
        let path = request.url.path().to_owned();
        let family = Family::of(&path);
        let bucket = bucket_key(&path);
        let idempotent = request.idempotent(family);
        let mut refused: Option<u64> = None;
        let mut renewed = false;
        let mut attempt = 0u32;
        loop {
            let credential = self.credential(family, refused).await?;
            let exchanged = self.attempt(request, family, &bucket, &credential).await;
            let outcome = match &exchanged {
                Ok(raw) => {
                    if let Credential::Token { generation, .. } = credential
                        && !renewed
                        && token_rejected(family, raw.status, &raw.body)
                    {
                        // Personio refused the token itself: fetch a new one and send again,
                        // once. This is not a retry; the next answer decides.
                        tracing::info!(path, "token refused; renewing it");
                        renewed = true;
                        refused = Some(generation);
                        continue;
                    }
                    if raw.status.is_success() && is_html(&raw.headers, &raw.body) {
                        return Err(Error::NotPersonio {
                            url: request.url.clone(),
                            detail: format!("it answered {} with an HTML page", raw.status),
                        });
                    }
                    judge(raw)
                }
                Err(error) => judge_failure(error),
            };
            if matches!(outcome, Outcome::RateLimited { .. }) {
                Counters::add(&self.counters.rate_limited, 1);
            }

            let this = Attempt {
                number: attempt,
                idempotent,
            };
            match decide(&self.policy, this, &outcome) {
                Decision::Accept => {
                    let raw = exchanged.map_err(|e| self.failure(request, e, attempt + 1))?;
                    return Ok(raw.body);
                }
                Decision::Retry { after, jitter } => {
                    let wait = with_jitter(after, jitter);
                    if matches!(outcome, Outcome::RateLimited { .. }) {
                        // Everyone on this endpoint waits, not only this request.
                        self.pacer.hold(&bucket, Instant::now() + wait);
                    }
                    tracing::warn!(path, attempt, wait_ms = wait.as_millis() as u64, outcome = ?outcome, "retrying");
                    Counters::add(&self.counters.retries, 1);
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Decision::GiveUp => {
                    return Err(match exchanged {
                        Ok(raw) => self.give_up(request, &raw, outcome, attempt + 1),
                        Err(error) => self.failure(request, error, attempt + 1),
                    });
                }
            }
        }
    }

    /// Sends `request` once with the credential its path needs (renewed once if Personio
    /// refuses the token) and returns whatever Personio answered, any status: for requests
    /// passed through as they came, whose caller judges the answer. Nothing is retried.
    pub(crate) async fn send_once(&self, request: &Request) -> Result<Answer, Error> {
        let path = request.url.path().to_owned();
        let family = Family::of(&path);
        let bucket = bucket_key(&path);
        let mut refused: Option<u64> = None;
        loop {
            let credential = self.credential(family, refused).await?;
            let raw = self
                .attempt(request, family, &bucket, &credential)
                .await
                .map_err(|e| self.failure(request, e, 1))?;
            if let Credential::Token { generation, .. } = credential
                && refused.is_none()
                && token_rejected(family, raw.status, &raw.body)
            {
                refused = Some(generation);
                continue;
            }
            if raw.status == StatusCode::TOO_MANY_REQUESTS {
                Counters::add(&self.counters.rate_limited, 1);
            }
            return Ok(Answer {
                status: raw.status.as_u16(),
                content_type: raw
                    .headers
                    .get(CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                retry_after: raw
                    .headers
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                body: raw.body,
            });
        }
    }

    /// One paced, bounded and counted exchange; its answer's rate-limit headers are taken in.
    async fn attempt(
        &self,
        request: &Request,
        family: Family,
        bucket: &str,
        credential: &Credential,
    ) -> Result<Raw, reqwest::Error> {
        let wait = self.pacer.book(bucket, Instant::now());
        if !wait.is_zero() {
            tracing::debug!(bucket, wait_ms = wait.as_millis() as u64, "pacing");
            tokio::time::sleep(wait).await;
        }
        let exchanged = {
            let _permit = self
                .permits
                .acquire()
                .await
                .expect("the client never closes its semaphore");
            let sent = Instant::now();
            let exchanged = self.exchange(request, family, credential).await;
            let took = sent.elapsed();
            crate::metrics::latency::observe(request.method.as_str(), request.url.path(), took);
            if exchanged.is_ok() {
                self.pacer.took(bucket, took);
            }
            exchanged
        };
        Counters::add(&self.counters.requests, 1);
        if matches!(family, Family::V1Auth | Family::V2Auth) {
            Counters::add(&self.counters.token_requests, 1);
        }
        match &exchanged {
            Ok(raw) => {
                Counters::add(&self.counters.bytes_received, raw.body.len() as u64);
                if let Some(limits) = Limits::read(&raw.headers) {
                    self.pacer.observe(bucket, &limits, Instant::now());
                }
                tracing::debug!(method = %request.method, path = request.url.path(), status = raw.status.as_u16(), "answer");
            }
            Err(error) => {
                tracing::debug!(method = %request.method, path = request.url.path(), error = %error, "no answer");
            }
        }
        exchanged
    }

    /// One request on the wire, body read in full.
    async fn exchange(
        &self,
        request: &Request,
        family: Family,
        credential: &Credential,
    ) -> Result<Raw, reqwest::Error> {
        let mut builder = self
            .http
            .request(request.method.clone(), request.url.clone());
        match credential {
            Credential::None => {}
            Credential::Token { value, .. } => {
                builder = builder.header(AUTHORIZATION, bearer(value));
            }
            Credential::Recruiting { token, company_id } => {
                builder = builder
                    .header(AUTHORIZATION, bearer(token))
                    .header("X-Company-ID", company_id.to_string());
            }
        }
        if family == Family::V2 && is_beta(request.url.path()) {
            builder = builder.header("Beta", "true");
        }
        match &request.body {
            Some(Body::Json(bytes)) => {
                builder = builder
                    .header(CONTENT_TYPE, "application/json")
                    .body(bytes.clone());
            }
            Some(Body::Form(bytes)) => {
                builder = builder
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(bytes.clone());
            }
            Some(Body::Other {
                content_type,
                bytes,
            }) => {
                builder = builder
                    .header(CONTENT_TYPE, content_type.as_str())
                    .body(bytes.clone());
            }
            None => {}
        }
        let response = builder.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        Ok(Raw {
            status,
            headers,
            body,
        })
    }

    /// The credential `family` needs; `refused` names a token generation Personio refused.
    async fn credential(&self, family: Family, refused: Option<u64>) -> Result<Credential, Error> {
        // Fetching a token sends a request through `send` again, hence the boxes.
        let token = match family {
            Family::V1 => {
                self.tokens
                    .v1
                    .get(refused, || Box::pin(self.fetch_v1_token()))
                    .await?
            }
            Family::V2 => {
                self.tokens
                    .v2
                    .get(refused, || Box::pin(self.fetch_v2_token()))
                    .await?
            }
            Family::Recruiting => {
                let auth = self.config.recruiting.as_ref().ok_or_else(|| {
                    Error::Config(
                        "recruiting endpoints need the recruiting token and company id".into(),
                    )
                })?;
                return Ok(Credential::Recruiting {
                    token: auth.token.clone(),
                    company_id: auth.company_id,
                });
            }
            Family::V1Auth | Family::V2Auth | Family::Other => return Ok(Credential::None),
        };
        Ok(Credential::Token {
            value: token.value,
            generation: token.generation,
        })
    }

    /// The error a final answer stands for.
    fn give_up(&self, request: &Request, raw: &Raw, outcome: Outcome, attempts: u32) -> Error {
        match outcome {
            Outcome::InvalidJson => {
                let source = serde_json::from_slice::<IgnoredAny>(&raw.body)
                    .err()
                    .unwrap_or_else(|| serde::de::Error::custom("the body is not JSON"));
                Error::Decode {
                    path: request.url.path().to_owned(),
                    at: String::new(),
                    source,
                }
            }
            _ => refusal(&Refused {
                method: &request.method,
                url: &request.url,
                status: raw.status,
                headers: &raw.headers,
                body: &raw.body,
                attempts,
            }),
        }
    }

    /// The error a failed exchange stands for.
    fn failure(&self, request: &Request, error: reqwest::Error, attempts: u32) -> Error {
        let url = request.url.clone();
        match judge_failure(&error) {
            Outcome::Unreachable => Error::Unreachable { url, source: error },
            Outcome::Timeout => Error::Timeout { attempts },
            _ => Error::Connection {
                url,
                attempts,
                source: error,
            },
        }
    }
}

/// A sensitive `Bearer` header value (reqwest keeps it out of its own `Debug` output).
fn bearer(token: &SecretString) -> HeaderValue {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
        .unwrap_or_else(|_| HeaderValue::from_static("Bearer"));
    value.set_sensitive(true);
    value
}

/// What an answer amounts to, for the retry decision.
fn judge(raw: &Raw) -> Outcome {
    let retry_after = retry_after(&raw.headers, chrono::Utc::now());
    if raw.status == StatusCode::TOO_MANY_REQUESTS {
        return Outcome::RateLimited {
            retry_after,
            token_time: Limits::read(&raw.headers).map(|l| l.token_time()),
        };
    }
    if !raw.status.is_success() {
        return Outcome::Status {
            status: raw.status,
            retry_after,
        };
    }
    if expects_json(&raw.headers) && !raw.body.is_empty() {
        // A body cut short or mangled on the way is retried (it is rarely Personio's fault).
        if serde_json::from_slice::<IgnoredAny>(&raw.body).is_err() {
            return Outcome::InvalidJson;
        }
    }
    Outcome::Success
}

/// JSON is expected unless the answer declares another type (profile pictures are PNG).
fn expects_json(headers: &HeaderMap) -> bool {
    match headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        Some(kind) => kind.to_ascii_lowercase().contains("json"),
        None => true,
    }
}

/// What a failed exchange amounts to. A connect failure (refused, DNS, TLS, connect
/// timeout) means nothing is listening; anything later is a broken connection.
fn judge_failure(error: &reqwest::Error) -> Outcome {
    if error.is_connect() {
        Outcome::Unreachable
    } else if error.is_timeout() {
        Outcome::Timeout
    } else {
        Outcome::Broken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(status: u16, content_type: Option<&'static str>, body: &'static str) -> Raw {
        let mut headers = HeaderMap::new();
        if let Some(kind) = content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(kind));
        }
        Raw {
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn answers_are_judged_by_status_and_body() {
        let json = Some("application/json");
        assert_eq!(judge(&raw(200, json, "{}")), Outcome::Success);
        assert_eq!(judge(&raw(204, None, "")), Outcome::Success);
        assert_eq!(
            judge(&raw(200, json, "{\"_data\": [")),
            Outcome::InvalidJson
        );
        assert_eq!(judge(&raw(200, None, "not json")), Outcome::InvalidJson);
        assert_eq!(
            judge(&raw(200, Some("image/png"), "\u{89}PNG")),
            Outcome::Success
        );
        assert_eq!(
            judge(&raw(200, Some("application/problem+json"), "{")),
            Outcome::InvalidJson
        );
        assert!(matches!(
            judge(&raw(429, json, "")),
            Outcome::RateLimited {
                retry_after: None,
                token_time: None
            }
        ));
        assert!(matches!(judge(&raw(503, json, "")), Outcome::Status { .. }));
    }
}
