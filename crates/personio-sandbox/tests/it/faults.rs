use std::time::Duration;

use bridge_testkit::{
    ADMIN_TOKEN, RunningSandbox, assert_same_shape, fixture, sandbox, spawn_sandbox,
};
use personio_sandbox::FaultPlan;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{FIXTURES, client, get, status_and_json, v1_token, v2_token};

/// Sets the fault plan; returns the status and body of the answer.
pub async fn plan_faults(sb: &RunningSandbox, plan: Value) -> (StatusCode, Value) {
    let response = client()
        .put(sb.url("/_sandbox/faults"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&plan)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

async fn admin_get(sb: &RunningSandbox, path: &str) -> Value {
    let response = client()
        .get(sb.url(path))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn statuses(sb: &RunningSandbox, token: &str, path: &str, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(get(sb, token, path).await.0.as_u16());
    }
    out
}

/// Sends a bare HTTP/1.1 GET and returns every byte the server sent until it closed the
/// connection, and how the reading ended.
async fn raw_get(
    sb: &RunningSandbox,
    token: &str,
    path: &str,
) -> (Vec<u8>, Result<(), std::io::ErrorKind>) {
    let mut stream = TcpStream::connect(sb.addr).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\r\n",
        sb.addr
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    // Bounded: the server closes the connection after a cut or reset response.
    for _ in 0..10_000 {
        match stream.read(&mut buffer).await {
            Ok(0) => return (received, Ok(())),
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(e) => return (received, Err(e.kind())),
        }
    }
    panic!("the server kept the connection open");
}

#[tokio::test]
async fn every_nth_request_gets_a_server_error_in_the_api_familys_body() {
    let sb = spawn_sandbox(sandbox(1, 30));
    let (status, plan) = plan_faults(
        &sb,
        json!({"rules": [
            {"path_prefix": "/v2/persons", "method": "GET", "every": 2, "fault": {"kind": "status", "status": 503}},
            {"path_prefix": "/v1/company/employees", "every": 3, "fault": {"kind": "status", "status": 500}}
        ]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    let v2 = v2_token(&sb).await;
    assert_eq!(
        statuses(&sb, &v2, "/v2/persons", 4).await,
        [200, 503, 200, 503]
    );
    let (_, body) = get(&sb, &v2, "/v2/persons").await;
    let (status, problem) = get(&sb, &v2, "/v2/persons").await;
    assert!(body["_data"].is_array());
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_same_shape(&problem, &fixture(FIXTURES, "v2/problem.503.json"), true);
    assert_eq!(problem["errors"][0]["title"], "Service Unavailable");

    let v1 = v1_token(&sb).await;
    assert_eq!(
        statuses(&sb, &v1, "/v1/company/employees", 2).await,
        [200, 200]
    );
    let (status, error) = get(&sb, &v1, "/v1/company/employees").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_same_shape(&error, &fixture(FIXTURES, "v1/error.500.json"), true);

    let counts = admin_get(&sb, "/_sandbox/faults").await;
    assert_eq!(counts["rules"][0]["matched"], 6);
    assert_eq!(counts["rules"][0]["faulted"], 3);
}

#[tokio::test]
async fn the_first_k_requests_fail_and_a_seeded_probability_replays_exactly() {
    let sb = spawn_sandbox(sandbox(1, 10));
    let token = v2_token(&sb).await;
    plan_faults(&sb, json!({"rules": [{"path_prefix": "/v2/", "first": 2, "fault": {"kind": "status", "status": 502}}]})).await;
    assert_eq!(
        statuses(&sb, &token, "/v2/persons", 4).await,
        [502, 502, 200, 200]
    );

    let seeded = json!({"rules": [{"path_prefix": "/v2/persons", "probability": 0.5, "seed": 77, "fault": {"kind": "status", "status": 504}}]});
    plan_faults(&sb, seeded.clone()).await;
    let first = statuses(&sb, &token, "/v2/persons", 40).await;
    plan_faults(&sb, seeded).await;
    let again = statuses(&sb, &token, "/v2/persons", 40).await;
    assert_eq!(first, again, "the same seed selects the same requests");
    let failed = first.iter().filter(|s| **s == 504).count();
    assert!((8..=32).contains(&failed), "about half of 40: {failed}");
}

#[tokio::test]
async fn a_planned_rate_limit_answers_as_personio_does() {
    let sb = spawn_sandbox(sandbox(1, 10));
    plan_faults(
        &sb,
        json!({"rules": [{"path_prefix": "/", "every": 1, "fault": {"kind": "rate_limit"}}]}),
    )
    .await;
    let response = client()
        .get(sb.url("/v1/company/employees"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        response.headers()["retry-after"],
        "1",
        "v1 says how long to wait"
    );
    let (_, body) = status_and_json(response).await;
    assert_same_shape(&body, &fixture(FIXTURES, "v1/error.429.json"), true);

    let response = client().get(sb.url("/v2/persons")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        response.headers().get("retry-after").is_none(),
        "v2 does not"
    );
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let (_, body) = status_and_json(response).await;
    assert_same_shape(&body, &fixture(FIXTURES, "v2/problem.429.json"), true);
}

#[tokio::test]
async fn a_delayed_answer_outlasts_a_short_client_timeout() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let token = v2_token(&sb).await;
    plan_faults(&sb, json!({"rules": [{"path_prefix": "/v2/persons", "first": 1, "fault": {"kind": "delay", "ms": 3000}}]})).await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = impatient
        .get(sb.url("/v2/persons"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");
    assert_eq!(
        get(&sb, &token, "/v2/persons").await.0,
        StatusCode::OK,
        "only the first"
    );
}

#[tokio::test]
async fn a_reset_closes_the_connection_before_any_answer() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let token = v2_token(&sb).await;
    plan_faults(
        &sb,
        json!({"rules": [{"path_prefix": "/v2/persons", "first": 1, "fault": {"kind": "reset"}}]}),
    )
    .await;
    let (received, ended) = raw_get(&sb, &token, "/v2/persons").await;
    assert!(
        received.is_empty(),
        "no byte of a response: {:?}",
        String::from_utf8_lossy(&received)
    );
    assert!(
        matches!(ended, Ok(()) | Err(std::io::ErrorKind::ConnectionReset)),
        "{ended:?}"
    );
    let error = client()
        .get(sb.url("/v2/persons"))
        .bearer_auth(&token)
        .send()
        .await;
    assert!(error.is_ok(), "only the first request was planned to fail");
    let log = admin_get(&sb, "/_sandbox/requests").await;
    assert_eq!(log["routes"]["GET /v2/persons"]["reset"], 1);
    assert_eq!(log["routes"]["GET /v2/persons"]["200"], 1);
}

#[tokio::test]
async fn a_truncated_body_is_shorter_than_its_content_length() {
    let sb = spawn_sandbox(sandbox(1, 20));
    let token = v2_token(&sb).await;
    plan_faults(&sb, json!({"rules": [{"path_prefix": "/v2/persons", "every": 1, "fault": {"kind": "truncate"}}]})).await;
    let (received, _) = raw_get(&sb, &token, "/v2/persons").await;
    let text = String::from_utf8_lossy(&received).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete head");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let promised: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .expect("a content-length");
    assert!(
        !body.is_empty() && body.len() < promised,
        "{} of {promised} bytes",
        body.len()
    );
    let error = client()
        .get(sb.url("/v2/persons"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await;
    assert!(error.is_err(), "a reading client notices the cut");
}

#[tokio::test]
async fn invalid_json_is_well_framed_but_does_not_parse() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let token = v1_token(&sb).await;
    plan_faults(&sb, json!({"rules": [{"path_prefix": "/v1/company/employees", "every": 1, "fault": {"kind": "invalid_json"}}]})).await;
    let response = client()
        .get(sb.url("/v1/company/employees"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let text = response.text().await.unwrap();
    assert!(!text.is_empty());
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
}

#[tokio::test]
async fn plans_are_validated_cleared_and_never_touch_the_admin_api() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let (status, error) = plan_faults(&sb, json!({"rules": [{"path_prefix": "/v2", "every": 2, "first": 1, "fault": {"kind": "reset"}}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error["error"].as_str().unwrap().contains("rules[0]"),
        "{error}"
    );
    let (status, _) = plan_faults(&sb, json!({"rules": [{"path_prefix": "/v2", "every": 1, "fault": {"kind": "status", "status": 418}}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let token = v2_token(&sb).await;
    plan_faults(&sb, json!({"rules": [{"path_prefix": "/", "every": 1, "fault": {"kind": "status", "status": 500}}]})).await;
    admin_get(&sb, "/_sandbox/company").await;
    admin_get(&sb, "/_sandbox/faults").await;
    assert_eq!(
        get(&sb, &token, "/v2/persons").await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let response = client()
        .delete(sb.url("/_sandbox/faults"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(get(&sb, &token, "/v2/persons").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_plan_given_at_start_applies_from_the_first_request() {
    let plan = FaultPlan::from_json(r#"{"rules": [{"path_prefix": "/v1/auth", "first": 1, "fault": {"kind": "status", "status": 502}}]}"#).unwrap();
    let sb = spawn_sandbox(sandbox(1, 5).faults(plan));
    let response = client()
        .post(sb.url("/v1/auth"))
        .json(&json!({"client_id": bridge_testkit::CLIENT_ID, "client_secret": bridge_testkit::CLIENT_SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(!v1_token(&sb).await.is_empty());
}
