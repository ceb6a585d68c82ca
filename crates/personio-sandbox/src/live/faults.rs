//! Faults planned as data: which requests fail, and how.
//!
//! A plan is a list of rules. A rule matches requests by path prefix (and optionally
//! method) and selects among them by exactly one of `every: N` (the Nth, 2Nth, ...),
//! `first: K` (the first K) or `probability: P` with a `seed` (a seeded draw per matching
//! request, so a plan replays identically). Every rule counts every request it matches; the
//! first rule that selects a request applies its fault. Faults never touch `/_sandbox/`.
//!
//! The faults: `status` (500/502/503/504 with Personio's body), `rate_limit` (Personio's
//! 429), `delay` (`ms` before answering), `reset` (the TCP connection is aborted before any
//! answer), `truncate` (the body stops halfway through what `Content-Length` promised, and
//! the connection closes) and `invalid_json` (a well-framed body that is not JSON).
//!
//! `"after": true` on a `status`, `reset` or `delay` fault applies it once the request has
//! been handled: a write is applied and its answer then lost, replaced by a 5xx, or delayed.
//! That is the case a client that cannot tell must resolve by reading (`truncate` and
//! `invalid_json` always come after handling).

mod body;

use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;
use serde_json::{Value, json};

use super::connection::Connection;
use super::is_admin;
use crate::error::{ApiError, ErrorKind, Family};
use crate::state::AppState;

/// Longest planned delay: two minutes.
const MAX_DELAY_MS: u64 = 120_000;

/// A fault plan: the rules, in the order they are tried.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultPlan {
    pub rules: Vec<FaultRule>,
}

/// One rule: which requests, and what happens to them.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// Requests whose path starts with this (`/v2/persons`).
    pub path_prefix: String,
    /// Only this method (upper case), or any.
    pub method: Option<Method>,
    pub selection: Selection,
    pub fault: Fault,
    /// Apply the fault after the request was handled (its effect stays).
    pub after: bool,
}

/// Which of the matching requests fail.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// The Nth, 2Nth, 3Nth ... matching request.
    Every(u64),
    /// The first K matching requests.
    First(u64),
    /// Each matching request with this probability, drawn from a generator seeded with `seed`.
    Probability { probability: f64, seed: u64 },
}

/// What happens to a selected request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 500, 502, 503 or 504 with Personio's error body.
    Status(StatusCode),
    /// Personio's 429.
    RateLimit,
    /// Answer normally after this many milliseconds.
    Delay(u64),
    /// Abort the connection before answering.
    Reset,
    /// Send half the body, then close the connection.
    Truncate,
    /// Answer with a body that is not valid JSON.
    InvalidJson,
}

/// The JSON form of a plan, as `PUT /_sandbox/faults` and `--faults FILE` take it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanText {
    rules: Vec<RuleText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleText {
    path_prefix: String,
    method: Option<String>,
    every: Option<u64>,
    first: Option<u64>,
    probability: Option<f64>,
    seed: Option<u64>,
    fault: FaultText,
    #[serde(default)]
    after: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultText {
    kind: String,
    status: Option<u16>,
    ms: Option<u64>,
}

impl FaultPlan {
    /// Reads and validates a plan; the error says which rule is wrong and why.
    pub fn from_json(text: &str) -> Result<FaultPlan, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        FaultPlan::from_value(value)
    }

    pub(crate) fn from_value(value: Value) -> Result<FaultPlan, String> {
        let plan: PlanText =
            serde_json::from_value(value).map_err(|e| format!("invalid fault plan: {e}"))?;
        let rules = plan
            .rules
            .into_iter()
            .enumerate()
            .map(|(i, rule)| rule.validate().map_err(|e| format!("rules[{i}]: {e}")))
            .collect::<Result<_, _>>()?;
        Ok(FaultPlan { rules })
    }

    /// The plan in its JSON form.
    pub fn to_json(&self) -> Value {
        json!({ "rules": self.rules.iter().map(FaultRule::to_json).collect::<Vec<_>>() })
    }
}

impl RuleText {
    fn validate(self) -> Result<FaultRule, String> {
        if !self.path_prefix.starts_with('/') {
            return Err("path_prefix must start with /".into());
        }
        if is_admin(&self.path_prefix) {
            return Err("faults never apply to /_sandbox/".into());
        }
        let method = match self.method {
            None => None,
            Some(text) => {
                let upper = text.trim().to_ascii_uppercase();
                const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];
                if !METHODS.contains(&upper.as_str()) {
                    return Err(format!("method must be one of {}", METHODS.join(", ")));
                }
                Some(Method::from_bytes(upper.as_bytes()).map_err(|e| e.to_string())?)
            }
        };
        let selection = match (self.every, self.first, self.probability, self.seed) {
            (Some(0), None, None, None) => return Err("every must be at least 1".into()),
            (Some(n), None, None, None) => Selection::Every(n),
            (None, Some(0), None, None) => return Err("first must be at least 1".into()),
            (None, Some(k), None, None) => Selection::First(k),
            (None, None, Some(p), Some(seed)) if (0.0..=1.0).contains(&p) => {
                Selection::Probability {
                    probability: p,
                    seed,
                }
            }
            (None, None, Some(_), Some(_)) => {
                return Err("probability must be between 0 and 1".into());
            }
            (None, None, Some(_), None) => return Err("probability needs a seed".into()),
            (_, _, None, Some(_)) => return Err("seed goes only with probability".into()),
            _ => return Err("give exactly one of every, first or probability".into()),
        };
        let fault = self.fault.validate()?;
        if self.after && !matches!(fault, Fault::Status(_) | Fault::Reset | Fault::Delay(_)) {
            return Err("after goes only with status, reset and delay faults".into());
        }
        Ok(FaultRule {
            path_prefix: self.path_prefix,
            method,
            selection,
            fault,
            after: self.after,
        })
    }
}

impl FaultText {
    fn validate(self) -> Result<Fault, String> {
        let extra = |field: &str| format!("fault.{field} does not go with kind {}", self.kind);
        let fault = match self.kind.as_str() {
            "status" => match self.status {
                Some(code @ (500 | 502 | 503 | 504)) => {
                    Fault::Status(StatusCode::from_u16(code).map_err(|e| e.to_string())?)
                }
                Some(_) => return Err("fault.status must be 500, 502, 503 or 504".into()),
                None => return Err("fault.status is required with kind status".into()),
            },
            "delay" => match self.ms {
                Some(ms) if ms <= MAX_DELAY_MS => Fault::Delay(ms),
                Some(_) => return Err(format!("fault.ms must be at most {MAX_DELAY_MS}")),
                None => return Err("fault.ms is required with kind delay".into()),
            },
            "rate_limit" => Fault::RateLimit,
            "reset" => Fault::Reset,
            "truncate" => Fault::Truncate,
            "invalid_json" => Fault::InvalidJson,
            other => {
                return Err(format!(
                    "unknown fault kind {other:?} (status, rate_limit, delay, reset, truncate, invalid_json)"
                ));
            }
        };
        if self.status.is_some() && !matches!(fault, Fault::Status(_)) {
            return Err(extra("status"));
        }
        if self.ms.is_some() && !matches!(fault, Fault::Delay(_)) {
            return Err(extra("ms"));
        }
        Ok(fault)
    }
}

impl FaultRule {
    fn to_json(&self) -> Value {
        let mut rule = json!({ "path_prefix": self.path_prefix });
        if let Some(method) = &self.method {
            rule["method"] = json!(method.as_str());
        }
        match self.selection {
            Selection::Every(n) => rule["every"] = json!(n),
            Selection::First(k) => rule["first"] = json!(k),
            Selection::Probability { probability, seed } => {
                rule["probability"] = json!(probability);
                rule["seed"] = json!(seed);
            }
        }
        rule["fault"] = match self.fault {
            Fault::Status(status) => json!({ "kind": "status", "status": status.as_u16() }),
            Fault::RateLimit => json!({ "kind": "rate_limit" }),
            Fault::Delay(ms) => json!({ "kind": "delay", "ms": ms }),
            Fault::Reset => json!({ "kind": "reset" }),
            Fault::Truncate => json!({ "kind": "truncate" }),
            Fault::InvalidJson => json!({ "kind": "invalid_json" }),
        };
        if self.after {
            rule["after"] = json!(true);
        }
        rule
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        path.starts_with(&self.path_prefix) && self.method.as_ref().is_none_or(|m| m == method)
    }
}

/// The active plan with its counters.
#[derive(Default)]
pub(crate) struct Faults {
    active: Mutex<Vec<ActiveRule>>,
}

struct ActiveRule {
    rule: FaultRule,
    matched: u64,
    faulted: u64,
    rng: Option<ChaCha8Rng>,
}

impl Faults {
    /// Replaces the plan; counting starts afresh.
    pub(crate) fn set(&self, plan: FaultPlan) {
        *self.active.lock() = plan
            .rules
            .into_iter()
            .map(|rule| ActiveRule {
                rng: match rule.selection {
                    Selection::Probability { seed, .. } => Some(ChaCha8Rng::seed_from_u64(seed)),
                    _ => None,
                },
                rule,
                matched: 0,
                faulted: 0,
            })
            .collect();
    }

    /// The plan, each rule with how many requests it matched and faulted.
    pub(crate) fn snapshot(&self) -> Value {
        let rules: Vec<Value> = self
            .active
            .lock()
            .iter()
            .map(|active| {
                let mut rule = active.rule.to_json();
                rule["matched"] = json!(active.matched);
                rule["faulted"] = json!(active.faulted);
                rule
            })
            .collect();
        json!({ "rules": rules })
    }

    /// Counts the request against every matching rule; the fault of the first that selects it.
    fn select(&self, method: &Method, path: &str) -> Option<(Fault, bool)> {
        let mut chosen = None;
        for active in self.active.lock().iter_mut() {
            if !active.rule.matches(method, path) {
                continue;
            }
            active.matched += 1;
            let selected = match active.rule.selection {
                Selection::Every(n) => active.matched % n == 0,
                Selection::First(k) => active.matched <= k,
                Selection::Probability { probability, .. } => active
                    .rng
                    .as_mut()
                    .is_some_and(|rng| rng.random::<f64>() < probability),
            };
            if selected && chosen.is_none() {
                active.faulted += 1;
                chosen = Some((active.rule.fault, active.rule.after));
            }
        }
        chosen
    }
}

/// Marks a response that was never sent because its connection was aborted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionWasReset;

/// Middleware: applies the planned fault, if any, to a Personio request.
pub(crate) async fn inject(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if is_admin(path) {
        return next.run(request).await;
    }
    let Some((fault, after)) = app.live.faults.select(request.method(), path) else {
        return next.run(request).await;
    };
    let family = Family::of(path);
    tracing::debug!(?fault, after, path, "applying a planned fault");
    if after {
        return after_handling(fault, family, request, next).await;
    }
    match fault {
        Fault::Status(status) => {
            ApiError::new(family, ErrorKind::ServerError { status }).into_response()
        }
        Fault::RateLimit => {
            let mut response = ApiError::new(family, ErrorKind::RateLimited).into_response();
            // v1 says how long to wait; v2 does not (personio-api.md §5.1b).
            if matches!(family, Family::V1 | Family::Recruiting) {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            response
        }
        Fault::Delay(ms) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            next.run(request).await
        }
        Fault::Reset => {
            let connection = request
                .extensions()
                .get::<ConnectInfo<Connection>>()
                .map(|info| info.0.clone());
            let mut response = match connection {
                Some(connection) => {
                    connection.reset();
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
                // Served without our listener: abort through the body instead.
                None => body::aborted(StatusCode::OK),
            };
            response.extensions_mut().insert(ConnectionWasReset);
            response
        }
        Fault::Truncate => {
            let response = next.run(request).await;
            let (mut parts, bytes) = body::collect(response).await;
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, body::truncated(bytes))
        }
        Fault::InvalidJson => {
            let response = next.run(request).await;
            let (mut parts, bytes) = body::collect(response).await;
            if parts.status == StatusCode::NO_CONTENT {
                parts.status = StatusCode::OK;
            }
            parts.headers.remove(header::CONTENT_LENGTH);
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            // Half a JSON document is never a JSON document; an empty one becomes `{`.
            let half = bytes.slice(..bytes.len() / 2);
            let text = if half.is_empty() {
                axum::body::Bytes::from_static(b"{")
            } else {
                half
            };
            Response::from_parts(parts, axum::body::Body::from(text))
        }
    }
}

/// A fault applied once the request was handled: its effect stays, its answer is lost.
async fn after_handling(fault: Fault, family: Family, request: Request, next: Next) -> Response {
    let connection = request
        .extensions()
        .get::<ConnectInfo<Connection>>()
        .map(|info| info.0.clone());
    let response = next.run(request).await;
    match fault {
        Fault::Status(status) => {
            ApiError::new(family, ErrorKind::ServerError { status }).into_response()
        }
        Fault::Delay(ms) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            response
        }
        _ => {
            let mut response = match connection {
                Some(connection) => {
                    connection.reset();
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
                None => body::aborted(StatusCode::OK),
            };
            response.extensions_mut().insert(ConnectionWasReset);
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(json: &str) -> Result<FaultPlan, String> {
        FaultPlan::from_json(json)
    }

    #[test]
    fn plans_are_validated_with_messages_that_name_the_rule() {
        let ok = plan(
            r#"{"rules":[{"path_prefix":"/v2/persons","method":"get","every":2,"fault":{"kind":"status","status":503}}]}"#,
        )
        .unwrap();
        assert_eq!(ok.rules[0].method, Some(Method::GET));
        let cases = [
            (
                r#"{"rules":[{"path_prefix":"/v2","every":1,"first":2,"fault":{"kind":"reset"}}]}"#,
                "exactly one",
            ),
            (
                r#"{"rules":[{"path_prefix":"/v2","fault":{"kind":"reset"}}]}"#,
                "exactly one",
            ),
            (
                r#"{"rules":[{"path_prefix":"/v2","probability":0.5,"fault":{"kind":"reset"}}]}"#,
                "seed",
            ),
            (
                r#"{"rules":[{"path_prefix":"/v2","every":0,"fault":{"kind":"reset"}}]}"#,
                "at least 1",
            ),
            (
                r#"{"rules":[{"path_prefix":"/v2","every":1,"fault":{"kind":"status","status":501}}]}"#,
                "500, 502",
            ),
            (
                r#"{"rules":[{"path_prefix":"/v2","every":1,"fault":{"kind":"delay"}}]}"#,
                "ms is required",
            ),
            (
                r#"{"rules":[{"path_prefix":"/v2","every":1,"fault":{"kind":"explode"}}]}"#,
                "unknown fault kind",
            ),
            (
                r#"{"rules":[{"path_prefix":"/_sandbox","every":1,"fault":{"kind":"reset"}}]}"#,
                "never apply",
            ),
            (
                r#"{"rules":[{"path_prefix":"v2","every":1,"fault":{"kind":"reset"}}]}"#,
                "start with /",
            ),
            (
                r#"{"rules":[{"path_prefix":"/v2","every":1,"colour":"red","fault":{"kind":"reset"}}]}"#,
                "unknown field",
            ),
        ];
        for (json, expected) in cases {
            let error = plan(json).unwrap_err();
            assert!(error.contains(expected), "{json}: {error}");
        }
        assert!(
            plan(r#"{"rules":[{"path_prefix":"/v2","every":0,"fault":{"kind":"reset"}}]}"#)
                .unwrap_err()
                .starts_with("rules[0]")
        );
    }

    #[test]
    fn a_plan_reads_back_as_written() {
        let text = r#"{"rules":[{"path_prefix":"/v1","method":"POST","probability":0.25,"seed":9,"fault":{"kind":"delay","ms":20}}]}"#;
        let plan = plan(text).unwrap();
        assert_eq!(FaultPlan::from_value(plan.to_json()).unwrap(), plan);
        let after = r#"{"rules":[{"path_prefix":"/v2","method":"POST","first":1,"fault":{"kind":"reset"},"after":true}]}"#;
        let after = super::FaultPlan::from_json(after).unwrap();
        assert!(after.rules[0].after);
        assert_eq!(FaultPlan::from_value(after.to_json()).unwrap(), after);
        let wrong = r#"{"rules":[{"path_prefix":"/v2","first":1,"fault":{"kind":"truncate"},"after":true}]}"#;
        assert!(
            super::FaultPlan::from_json(wrong)
                .unwrap_err()
                .contains("after goes only")
        );
    }

    #[test]
    fn every_first_and_seeded_probability_select_as_promised() {
        let faults = Faults::default();
        faults.set(
            plan(r#"{"rules":[
                {"path_prefix":"/a","every":3,"fault":{"kind":"reset"}},
                {"path_prefix":"/b","method":"POST","first":2,"fault":{"kind":"truncate"}},
                {"path_prefix":"/c","probability":0.5,"seed":42,"fault":{"kind":"invalid_json"}}]}"#)
            .unwrap(),
        );
        let picks = |path: &str, method: Method, n: usize| -> Vec<bool> {
            (0..n)
                .map(|_| faults.select(&method, path).is_some())
                .collect()
        };
        assert_eq!(
            picks("/a/x", Method::GET, 6),
            [false, false, true, false, false, true]
        );
        assert_eq!(
            picks("/b", Method::GET, 3),
            [false, false, false],
            "method must match"
        );
        assert_eq!(picks("/b", Method::POST, 3), [true, true, false]);
        let first_run = picks("/c", Method::GET, 64);
        let hits = first_run.iter().filter(|hit| **hit).count();
        assert!((16..=48).contains(&hits), "about half: {hits}");
        faults.set(
            plan(r#"{"rules":[{"path_prefix":"/c","probability":0.5,"seed":42,"fault":{"kind":"invalid_json"}}]}"#)
                .unwrap(),
        );
        assert_eq!(
            picks("/c", Method::GET, 64),
            first_run,
            "the same seed replays"
        );
    }
}
