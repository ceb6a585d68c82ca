//! Sandbox behaviour, driven over real HTTP with plain `reqwest` (not our client), against
//! a sandbox on 127.0.0.1:0. Error bodies are checked against fixtures transcribed from
//! Personio's documentation (in `personio-api/tests/fixtures`).
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod absences;
mod admin;
mod admin_pages;
mod attendances;
mod auth;
mod compensations;
mod conformance;
mod documents;
mod errors;
mod faults;
mod fleet;
mod generated;
mod grants;
mod hostile;
mod latency;
mod legacy_v1;
mod org;
mod paging;
mod persons;
mod projects;
mod rate_limits;
mod recruiting;
mod reports;
mod request_log;
mod simulation;
mod strict;
mod time_history;
mod v1_absences;
mod v1_employees;
mod webhooks;

use bridge_testkit::{ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, RunningSandbox};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};

/// Fixtures live with the wire contract.
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../personio-api");

pub fn client() -> Client {
    Client::builder().build().unwrap()
}

/// A v1 token for the test credential.
pub async fn v1_token(sb: &RunningSandbox) -> String {
    v1_token_for(sb, CLIENT_ID, CLIENT_SECRET).await
}

pub async fn v1_token_for(sb: &RunningSandbox, id: &str, secret: &str) -> String {
    let body: Value = client()
        .post(sb.url("/v1/auth"))
        .json(&json!({ "client_id": id, "client_secret": secret }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token in {body}"))
        .to_owned()
}

/// A v2 token for the test credential.
pub async fn v2_token(sb: &RunningSandbox) -> String {
    v2_token_for(sb, CLIENT_ID, CLIENT_SECRET).await
}

pub async fn v2_token_for(sb: &RunningSandbox, id: &str, secret: &str) -> String {
    let body: Value = client()
        .post(sb.url("/v2/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token in {body}"))
        .to_owned()
}

/// GET with a bearer token; returns status and JSON body.
pub async fn get(sb: &RunningSandbox, token: &str, path_and_query: &str) -> (StatusCode, Value) {
    let response = client()
        .get(sb.url(path_and_query))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

/// Any method with a bearer token and an optional JSON body; returns status and JSON body.
pub async fn send(
    sb: &RunningSandbox,
    method: Method,
    token: &str,
    path_and_query: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = client()
        .request(method, sb.url(path_and_query))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    status_and_json(request.send().await.unwrap()).await
}

/// POST a form with a bearer token.
pub async fn post_form(
    sb: &RunningSandbox,
    token: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let response = client()
        .post(sb.url(path))
        .bearer_auth(token)
        .form(form)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

pub async fn status_and_json(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    };
    (status, body)
}

/// Creates a credential through the admin API; returns (client_id, client_secret).
pub async fn create_credential(sb: &RunningSandbox, spec: Value) -> (String, String) {
    let response = client()
        .post(sb.url("/_sandbox/credentials"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&spec)
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["client_id"].as_str().unwrap().to_owned(),
        body["client_secret"].as_str().unwrap().to_owned(),
    )
}
