use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use bridge_testkit::{
    ADMIN_TOKEN, RunningSandbox, assert_same_shape, fixture, sandbox, spawn_sandbox,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{FIXTURES, client, create_credential, get, status_and_json, v2_token, v2_token_for};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Value,
}

/// A webhook receiver on 127.0.0.1:0 that answers with the given statuses in turn (the
/// last one for every later request) and keeps what it received.
#[derive(Clone)]
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

async fn receiver(statuses: &[u16]) -> Receiver {
    type Shared = (Arc<Mutex<Vec<Received>>>, Arc<Vec<u16>>);
    async fn accept(
        State((received, statuses)): State<Shared>,
        headers: HeaderMap,
        body: String,
    ) -> AxumStatus {
        let mut received = received.lock().unwrap();
        let body = serde_json::from_str(&body).unwrap_or(Value::String(body));
        received.push(Received { headers, body });
        let status = statuses
            .get(received.len() - 1)
            .or(statuses.last())
            .copied()
            .unwrap_or(200);
        AxumStatus::from_u16(status).unwrap()
    }
    let received = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new()
        .route("/hook", post(accept))
        .with_state((received.clone(), Arc::new(statuses.to_vec())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver {
        url: format!("http://{addr}/hook"),
        received,
    }
}

impl Receiver {
    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn create_webhook(sb: &RunningSandbox, token: &str, body: Value) -> (StatusCode, Value) {
    let response = client()
        .post(sb.url("/v2/webhooks"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

async fn patch_webhook(
    sb: &RunningSandbox,
    token: &str,
    id: &str,
    body: Value,
) -> (StatusCode, Value) {
    let response = client()
        .patch(sb.url(&format!("/v2/webhooks/{id}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

async fn deliveries(sb: &RunningSandbox) -> Vec<Value> {
    let response = client()
        .get(sb.url("/_sandbox/webhook-deliveries"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    let (_, body) = status_and_json(response).await;
    body["deliveries"].as_array().unwrap().clone()
}

/// Polls the delivery log until `done` holds; a bounded loop that gives up after ~10 s.
async fn wait_for_deliveries(sb: &RunningSandbox, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    for _ in 0..400 {
        let log = deliveries(sb).await;
        if done(&log) {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("deliveries never got there: {:#?}", deliveries(sb).await);
}

/// Renames the first person (a `person.updated` event); returns their id.
async fn rename_someone(sb: &RunningSandbox, token: &str) -> String {
    let (_, page) = get(sb, token, "/v2/persons?limit=1").await;
    let id = page["_data"][0]["id"].as_str().unwrap().to_owned();
    let response = client()
        .patch(sb.url(&format!("/v2/persons/{id}")))
        .bearer_auth(token)
        .json(&json!({"last_name": "Nightingale-Ørsted"}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    id
}

#[tokio::test]
async fn webhooks_are_created_disabled_listed_updated_and_deleted() {
    let sb = spawn_sandbox(sandbox(3, 5));
    let token = v2_token(&sb).await;
    let (status, created) = create_webhook(
        &sb,
        &token,
        json!({"url": "https://hooks.example.com/personio", "description": "Payroll sync", "token": "Bearer abc", "enabled_events": ["person.created", "person.updated"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_same_shape(&created, &fixture(FIXTURES, "v2/webhook.json"), true);
    assert_eq!(created["status"], "DISABLED");
    assert_eq!(created["auth_type"], "TOKEN");
    let id = created["id"].as_str().unwrap().to_owned();

    let (status, list) = get(&sb, &token, "/v2/webhooks").await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(&list, &fixture(FIXTURES, "v2/webhooks.page.json"), false);
    assert_eq!(list["_data"][0]["id"], id);

    let (status, patched) = patch_webhook(
        &sb,
        &token,
        &id,
        json!({"status": "ENABLED", "auth_type": "CUSTOM", "custom_headers": {"X-My-Auth": "abc123", "X-Tenant": "acme"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_same_shape(
        &patched,
        &fixture(FIXTURES, "v2/webhook.custom-headers.json"),
        true,
    );
    assert!(
        patched.get("token").is_none(),
        "a token goes with TOKEN only"
    );
    let (_, read) = get(&sb, &token, &format!("/v2/webhooks/{id}")).await;
    assert_eq!(read, patched);

    let response = client()
        .delete(sb.url(&format!("/v2/webhooks/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, missing) = get(&sb, &token, &format!("/v2/webhooks/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_same_shape(
        &missing,
        &fixture(FIXTURES, "v2/problem.404-resource.json"),
        false,
    );
}

#[tokio::test]
async fn webhook_rules_answer_400_409_422_and_403() {
    let sb = spawn_sandbox(sandbox(3, 5));
    let token = v2_token(&sb).await;
    let valid = json!({"url": "https://hooks.example.com/a", "description": "d", "auth_type": "NONE", "enabled_events": ["person.deleted"]});
    let with = |change: Value| {
        let mut body = valid.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (
            json!({"url": "https://hooks.example.com/a"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            with(json!({"enabled_events": "person.deleted"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            with(json!({"enabled_events": ["person.exploded"]})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with(json!({"auth_type": "TOKEN"})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with(
                json!({"auth_type": "CUSTOM", "custom_headers": {"A": "1", "B": "2", "C": "3", "D": "4"}}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with(json!({"auth_type": "CUSTOM", "custom_headers": {"Connection-Id": "1"}})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with(json!({"auth_type": "CUSTOM", "custom_headers": {"content-type": "text/plain"}})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with(json!({"url": "not a url"})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (body, expected) in cases {
        let (status, problem) = create_webhook(&sb, &token, body.clone()).await;
        assert_eq!(status, expected, "{body} → {problem}");
        assert!(problem["personio_trace_id"].is_string(), "{problem}");
    }
    assert_eq!(
        create_webhook(&sb, &token, valid.clone()).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        create_webhook(&sb, &token, valid).await.0,
        StatusCode::CONFLICT
    );

    let (id, secret) = create_credential(&sb, json!({"name": "No webhooks", "access": {"employees": "read"}, "readable_attributes": "all"})).await;
    let narrow = v2_token_for(&sb, &id, &secret).await;
    let (status, problem) = get(&sb, &narrow, "/v2/webhooks").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_same_shape(&problem, &fixture(FIXTURES, "v2/problem.403.json"), false);
}

#[tokio::test]
async fn changes_are_delivered_with_the_token_verbatim() {
    let sb = spawn_sandbox(sandbox(3, 5));
    let token = v2_token(&sb).await;
    let hook = receiver(&[200]).await;
    let (status, created) = create_webhook(
        &sb,
        &token,
        json!({"url": hook.url, "description": "r", "status": "ENABLED", "token": "Basic c2FuZGJveDpzM2NyZXQ=", "enabled_events": ["person.updated"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let person = rename_someone(&sb, &token).await;
    let log = wait_for_deliveries(&sb, |log| !log.is_empty()).await;
    assert_eq!(
        log.len(),
        1,
        "employment events were not subscribed: {log:#?}"
    );
    assert_eq!(log[0]["outcome"], "delivered");
    assert_eq!(log[0]["status"], 200);
    assert_eq!(log[0]["attempt"], 1);
    let received = hook.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(
        request.headers["authorization"],
        "Basic c2FuZGJveDpzM2NyZXQ="
    );
    assert_eq!(request.headers["content-type"], "application/json");
    assert_same_shape(
        &request.body,
        &fixture(FIXTURES, "v2/webhook.delivery.json"),
        true,
    );
    assert_eq!(request.body["event_name"], "person.updated");
    assert_eq!(request.body["payload"], json!({"id": person}));
    let company = client()
        .get(sb.url("/_sandbox/company"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    let (_, company) = status_and_json(company).await;
    assert_eq!(request.body["company_id"], company["id"].to_string());
}

#[tokio::test]
async fn custom_headers_replace_the_token_and_disabled_webhooks_get_nothing() {
    let sb = spawn_sandbox(sandbox(3, 5));
    let token = v2_token(&sb).await;
    let custom = receiver(&[204]).await;
    let quiet = receiver(&[200]).await;
    create_webhook(
        &sb,
        &token,
        json!({"url": custom.url, "description": "c", "status": "ENABLED", "auth_type": "CUSTOM", "custom_headers": {"X-Key": "k1", "X-Tenant": "acme"}, "enabled_events": ["person.updated"]}),
    )
    .await;
    create_webhook(&sb, &token, json!({"url": quiet.url, "description": "q", "auth_type": "NONE", "enabled_events": ["person.updated"]})).await;
    rename_someone(&sb, &token).await;
    wait_for_deliveries(&sb, |log| !log.is_empty()).await;
    let received = custom.received();
    assert_eq!(received[0].headers["x-key"], "k1");
    assert_eq!(received[0].headers["x-tenant"], "acme");
    assert!(received[0].headers.get("authorization").is_none());
    assert!(
        quiet.received().is_empty(),
        "a disabled webhook receives nothing"
    );
}

#[tokio::test]
async fn failed_deliveries_are_retried_two_quick_requests_per_attempt() {
    let sb = spawn_sandbox(sandbox(3, 5).webhook_retry_scale(0.0001));
    let token = v2_token(&sb).await;
    let hook = receiver(&[503, 500, 502, 200]).await;
    let (_, created) = create_webhook(&sb, &token, json!({"url": hook.url, "description": "r", "status": "ENABLED", "auth_type": "NONE", "enabled_events": ["person.updated"]})).await;
    rename_someone(&sb, &token).await;
    let log = wait_for_deliveries(&sb, |log| log.iter().any(|d| d["outcome"] == "delivered")).await;
    let steps: Vec<(u64, u64, u64, &str)> = log
        .iter()
        .map(|d| {
            (
                d["attempt"].as_u64().unwrap(),
                d["request"].as_u64().unwrap(),
                d["status"].as_u64().unwrap(),
                d["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            (1, 1, 503, "retrying"),
            (1, 2, 500, "retrying"),
            (2, 1, 502, "retrying"),
            (2, 2, 200, "delivered")
        ]
    );
    assert!(
        log.iter()
            .all(|d| d["webhook_id"] == created["id"] && d["event_name"] == "person.updated")
    );
    assert!(
        log.iter()
            .all(|d| d["at"].is_string() && d["error"].is_null())
    );
    assert_eq!(hook.received().len(), 4);
}

#[tokio::test]
async fn a_receiver_that_keeps_failing_gets_14_requests_and_a_501_gets_one() {
    let sb = spawn_sandbox(sandbox(3, 5).webhook_retry_scale(0.000_001));
    let token = v2_token(&sb).await;
    let broken = receiver(&[500]).await;
    let unimplemented = receiver(&[501]).await;
    for hook in [&broken, &unimplemented] {
        create_webhook(&sb, &token, json!({"url": hook.url, "description": "r", "status": "ENABLED", "auth_type": "NONE", "enabled_events": ["person.updated"]})).await;
    }
    rename_someone(&sb, &token).await;
    let log = wait_for_deliveries(&sb, |log| {
        log.iter().filter(|d| d["outcome"] == "gave_up").count() == 2
    })
    .await;
    assert_eq!(broken.received().len(), 14);
    assert_eq!(unimplemented.received().len(), 1, "501 is not retried");
    let last = log
        .iter()
        .rev()
        .find(|d| d["url"] == broken.url.as_str())
        .unwrap();
    assert_eq!(
        (last["attempt"].as_u64(), last["request"].as_u64()),
        (Some(7), Some(2))
    );
}

#[tokio::test]
async fn an_unreachable_receiver_is_logged_with_an_error_and_retried() {
    let sb = spawn_sandbox(sandbox(3, 5).webhook_retry_scale(0.000_001));
    let token = v2_token(&sb).await;
    // A port that was just free: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    create_webhook(&sb, &token, json!({"url": format!("http://{closed}/hook"), "description": "gone", "status": "ENABLED", "auth_type": "NONE", "enabled_events": ["person.updated"]})).await;
    rename_someone(&sb, &token).await;
    let log = wait_for_deliveries(&sb, |log| log.iter().any(|d| d["outcome"] == "gave_up")).await;
    assert_eq!(log.len(), 14);
    assert!(
        log.iter()
            .all(|d| d["status"].is_null() && d["error"].as_str().is_some_and(|e| !e.is_empty()))
    );
}
