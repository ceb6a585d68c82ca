use bridge_testkit::{ADMIN_TOKEN, RunningSandbox, sandbox, spawn_sandbox};
use reqwest::StatusCode;
use serde_json::Value;

use crate::{client, get, status_and_json, v2_token};

async fn request_log(sb: &RunningSandbox) -> Value {
    let response = client()
        .get(sb.url("/_sandbox/requests"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::OK);
    body
}

#[tokio::test]
async fn requests_are_counted_by_route_pattern_and_status_until_cleared() {
    let sb = spawn_sandbox(sandbox(2, 12));
    let token = v2_token(&sb).await;
    let (_, page) = get(&sb, &token, "/v2/persons?limit=2").await;
    let id = page["_data"][0]["id"].as_str().unwrap().to_owned();
    get(&sb, &token, "/v2/persons").await;
    get(&sb, &token, &format!("/v2/persons/{id}")).await;
    get(&sb, &token, "/v2/persons/1").await;
    get(&sb, "not-a-token", "/v2/persons").await;
    get(&sb, &token, "/v2/no-such-thing").await;

    let log = request_log(&sb).await;
    let routes = &log["routes"];
    assert_eq!(routes["POST /v2/auth/token"]["200"], 1);
    assert_eq!(routes["GET /v2/persons"]["200"], 2);
    assert_eq!(routes["GET /v2/persons"]["401"], 1);
    assert_eq!(routes["GET /v2/persons/{id}"]["200"], 1);
    assert_eq!(routes["GET /v2/persons/{id}"]["404"], 1);
    assert_eq!(routes["GET (unmatched)"]["404"], 1);
    assert_eq!(
        log["total"], 7,
        "our own /_sandbox/ calls are not counted: {log}"
    );

    let response = client()
        .delete(sb.url("/_sandbox/requests"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    get(&sb, &token, "/v2/persons").await;
    let log = request_log(&sb).await;
    assert_eq!(log["total"], 1);
    assert_eq!(log["routes"].as_object().unwrap().len(), 1);
}

#[tokio::test]
async fn the_request_log_needs_the_admin_token() {
    let sb = spawn_sandbox(sandbox(2, 3));
    let response = client()
        .get(sb.url("/_sandbox/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
