//! The REST API: keys, pagination, the change filter and problem+json errors.

use std::collections::BTreeSet;

use bridge_testkit::{ADMIN_TOKEN, sandbox, spawn_sandbox};
use serde_json::Value;

use crate::{link_and_sync, spawn_bridge, sync};

async fn get(url: &str, key: Option<&str>) -> (u16, String, Value) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, content_type, body)
}

async fn new_key(bridge: &crate::Bridge, name: &str) -> String {
    use secrecy::ExposeSecret;
    let (_, key) = bridge
        .store
        .create_api_key(name, &bridge_store::Grant::default(), chrono::Utc::now())
        .await
        .unwrap();
    key.expose_secret().to_owned()
}

#[tokio::test]
async fn the_api_wants_a_live_key_and_says_so_as_problem_json() {
    let bridge = spawn_bridge().await;
    let url = bridge.url("/api/v1/companies");
    let (status, content_type, body) = get(&url, None).await;
    assert_eq!(status, 401);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["status"], 401);
    assert!(body["detail"].as_str().unwrap().contains("Bearer"));

    let (status, _, _) = get(&url, Some("pbk_not-a-key")).await;
    assert_eq!(status, 401);

    let key = new_key(&bridge, "reporting").await;
    let (status, _, body) = get(&url, Some(&key)).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"], serde_json::json!([]));

    assert!(
        bridge
            .store
            .revoke_api_key("reporting", chrono::Utc::now())
            .await
            .unwrap()
    );
    let (status, _, body) = get(&url, Some(&key)).await;
    assert_eq!(status, 401, "a revoked key is refused: {body}");
    let keys = bridge.store.api_keys().await.unwrap();
    assert!(keys[0].last_used_at.is_some(), "use was noted");
    assert!(!keys[0].prefix.is_empty() && key.starts_with(&keys[0].prefix));
}

#[tokio::test]
async fn employees_come_page_by_page_without_gaps_or_repeats_with_their_employments() {
    let sandbox = spawn_sandbox(sandbox(21, 23));
    let bridge = spawn_bridge().await;
    link_and_sync(&bridge.store, &sandbox).await;
    let key = new_key(&bridge, "reader").await;

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        pages += 1;
        assert!(pages <= 10, "pagination must end");
        let mut url = bridge.url("/api/v1/companies/acme/employees?limit=5");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let (status, _, body) = get(&url, Some(&key)).await;
        assert_eq!(status, 200, "{body}");
        let data = body["data"].as_array().unwrap();
        assert!(data.len() <= 5);
        for employee in data {
            seen.push(employee["id"].as_i64().unwrap());
            let employments = employee["employments"].as_array().unwrap();
            assert!(!employments.is_empty(), "{employee}");
            assert_eq!(employments[0]["employee_id"], employee["id"]);
            assert!(employee["custom_attributes"].is_object());
            assert!(employee["first_name"].is_string());
        }
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 5, "23 employees in pages of 5");
    let unique: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no repeats");
    assert_eq!(seen.len(), 23, "no gaps");
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(sorted, seen, "id order");

    let first = seen[0];
    let (status, _, one) = get(
        &bridge.url(&format!("/api/v1/companies/acme/employees/{first}")),
        Some(&key),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(one["id"], first);

    for table in bridge_store::tables::ALL {
        let (status, _, body) = get(
            &bridge.url(&format!("/api/v1/companies/acme/{}?limit=2", table.name)),
            Some(&key),
        )
        .await;
        assert_eq!(status, 200, "{}: {body}", table.name);
        assert!(body["data"].is_array());
    }
}

#[tokio::test]
async fn updated_since_returns_only_what_the_last_sync_changed() {
    let sandbox = spawn_sandbox(sandbox(22, 40));
    let bridge = spawn_bridge().await;
    let company = link_and_sync(&bridge.store, &sandbox).await;
    let key = new_key(&bridge, "reader").await;
    let all = |body: &Value| body["data"].as_array().unwrap().len();

    let (_, _, everything) = get(
        &bridge.url("/api/v1/companies/acme/employments?limit=500"),
        Some(&key),
    )
    .await;
    let before = chrono::Utc::now();
    let simulated = reqwest::Client::new()
        .post(sandbox.url("/_sandbox/simulate"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&serde_json::json!({ "days": 30 }))
        .send()
        .await
        .unwrap();
    assert!(simulated.status().is_success());
    sync(&bridge.store, &company).await;

    let since = before.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let (status, _, changed) = get(
        &bridge.url(&format!(
            "/api/v1/companies/acme/employments?limit=500&include_deleted=true&updated_since={since}"
        )),
        Some(&key),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert!(all(&changed) > 0, "a month of change touches employments");
    assert!(all(&changed) < all(&everything) + 40, "{changed}");
    for record in changed["data"].as_array().unwrap() {
        assert!(record["changed_at"].as_str().unwrap() >= since.as_str());
    }
    let (_, _, future) = get(
        &bridge.url("/api/v1/companies/acme/employments?updated_since=2999-01-01T00:00:00Z"),
        Some(&key),
    )
    .await;
    assert_eq!(all(&future), 0);
}

#[tokio::test]
async fn bad_requests_are_problems_never_server_errors() {
    let sandbox = spawn_sandbox(sandbox(23, 5));
    let bridge = spawn_bridge().await;
    link_and_sync(&bridge.store, &sandbox).await;
    let key = new_key(&bridge, "reader").await;
    for (path, status) in [
        ("/api/v1/companies/acme/employees?limit=0", 400),
        ("/api/v1/companies/acme/employees?limit=501", 400),
        ("/api/v1/companies/acme/employees?limit=ten", 400),
        ("/api/v1/companies/acme/employees?cursor=%%%", 400),
        ("/api/v1/companies/acme/employees?cursor=dDp4", 400),
        (
            "/api/v1/companies/acme/employees?updated_since=yesterday",
            400,
        ),
        (
            "/api/v1/companies/acme/employees?include_deleted=maybe",
            400,
        ),
        ("/api/v1/companies/acme/employees?colour=blue", 400),
        ("/api/v1/companies/acme/salaries", 404),
        ("/api/v1/companies/nobody/employees", 404),
        ("/api/v1/companies/nobody", 404),
        ("/api/v1/companies/acme/employees/not-a-number", 404),
        ("/api/v1/companies/acme/employees/999999999", 404),
        ("/api/v2/anything", 404),
    ] {
        let (got, content_type, body) = get(&bridge.url(path), Some(&key)).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(content_type, "application/problem+json", "{path}");
        assert_eq!(body["status"], status, "{path}");
        assert!(!body["detail"].as_str().unwrap().is_empty(), "{path}");
    }
}

/// A body over the limit, or one sent to a request refused before its body matters, is read
/// to its end before the answer goes out: the client gets the answer, not a broken pipe, and
/// its next request on the same connection pool is answered too.
#[tokio::test]
async fn oversized_and_refused_bodies_get_their_answer_and_the_connection_stays_usable() {
    let bridge = spawn_bridge().await;
    let key = new_key(&bridge, "writer").await;
    // One connection at most, so that each request reuses the one before it.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .unwrap();
    let url = bridge.url("/api/v1/webhooks");
    let huge = vec![b'x'; 3 << 20];
    for round in 0..20 {
        let too_large = client
            .post(&url)
            .bearer_auth(&key)
            .header("Content-Type", "application/json")
            .body(huge.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("round {round}: no answer to a large body: {e}"));
        assert_eq!(too_large.status(), 413, "round {round}");
        let problem: Value = too_large.json().await.unwrap();
        assert_eq!(problem["status"], 413);
        assert!(problem["detail"].as_str().unwrap().contains("bytes"));

        // Refused for its key, before the body would have been read.
        let unauthorized = client
            .post(&url)
            .header("Content-Type", "application/json")
            .body(vec![b' '; 200_000])
            .send()
            .await
            .unwrap_or_else(|e| panic!("round {round}: no answer without a key: {e}"));
        assert_eq!(unauthorized.status(), 401, "round {round}");

        let listed = client
            .get(&url)
            .bearer_auth(&key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("round {round}: no answer after a large body: {e}"));
        assert_eq!(listed.status(), 200, "round {round}");
    }
}
