//! Response latency: Personio's routes wait what the spec says, `/_sandbox/` never does.
//! Times are checked from below only; an undelayed answer is told apart from a delayed one
//! by a latency far longer than any wait the test allows.

use std::time::{Duration, Instant};

use bridge_testkit::{ADMIN_TOKEN, RunningSandbox, sandbox, spawn_sandbox};
use personio_sandbox::Latency;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{client, get, status_and_json, v2_token};

/// Long enough that no answer waiting it can come within [`PATIENCE`].
const LONG: &str = "60s";
const PATIENCE: Duration = Duration::from_secs(30);

async fn set_latency(sb: &RunningSandbox, body: Value) -> (StatusCode, Value) {
    let response = client()
        .put(sb.url("/_sandbox/latency"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

/// Whether `future` finishes within [`PATIENCE`].
async fn answered<T>(future: impl std::future::Future<Output = T>) -> Option<T> {
    tokio::time::timeout(PATIENCE, future).await.ok()
}

#[tokio::test]
async fn a_fixed_latency_delays_personio_routes_and_not_the_admin_api() {
    let sb = spawn_sandbox(sandbox(1, 10).latency("300ms".parse::<Latency>().unwrap()));
    let started = Instant::now();
    let token = v2_token(&sb).await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "auth is a Personio route"
    );
    let started = Instant::now();
    let (status, _) = get(&sb, &token, "/v2/persons?limit=5").await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // With a minute's latency on every Personio route, the admin API still answers.
    let (status, body) = set_latency(&sb, json!({ "spec": LONG })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["spec"], "60000ms");
    let admin = answered(
        client()
            .get(sb.url("/_sandbox/requests"))
            .bearer_auth(ADMIN_TOKEN)
            .send(),
    )
    .await
    .expect("the admin API is never delayed")
    .unwrap();
    assert_eq!(admin.status(), StatusCode::OK);
    let page = answered(client().get(sb.url("/_sandbox/admin")).send())
        .await
        .expect("nor are the admin pages");
    assert!(page.is_ok());

    // Cleared, answers come at once again (and a spec that is no latency is refused).
    let cleared = client()
        .delete(sb.url("/_sandbox/latency"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
    assert!(
        answered(get(&sb, &token, "/v2/persons?limit=5"))
            .await
            .is_some()
    );
    let (status, _) = set_latency(&sb, json!({ "spec": "soon" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn route_overrides_delay_only_their_routes() {
    let sb = spawn_sandbox(sandbox(1, 10));
    let token = v2_token(&sb).await;
    let spec = format!("/v2/attendance-periods={LONG},/v2/persons=300ms..400ms");
    let (status, body) = set_latency(&sb, json!({ "spec": spec, "seed": 3 })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["seed"], 3);
    let started = Instant::now();
    let (status, _) = answered(get(&sb, &token, "/v2/persons?limit=5"))
        .await
        .expect("persons wait their own range, not the attendance override");
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let (status, _) = answered(get(&sb, &token, "/v2/absence-types"))
        .await
        .expect("a route no override names is not delayed");
    assert_eq!(status, StatusCode::OK);
}
