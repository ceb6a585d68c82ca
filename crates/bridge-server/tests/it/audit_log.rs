//! The audit log through the API and its page, and erasure through the API: admin scope only,
//! filters and cursor paging, a 400 problem naming each wrong parameter, and entries for the
//! sign-ins, the settings change, the erasure and the tombstone's removal.

use bridge_store::{Grant, Scope};
use bridge_testkit::{sandbox, spawn_sandbox};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::{Bridge, browser, hidden, link_and_sync, sign_in, spawn_bridge};

async fn key(bridge: &Bridge, name: &str, scopes: Vec<Scope>) -> String {
    let (_, key) = bridge
        .store
        .create_api_key(
            name,
            &Grant {
                scopes,
                companies: vec![],
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    key.expose_secret().to_owned()
}

async fn call(
    method: reqwest::Method,
    url: String,
    key: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, url).bearer_auth(key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_audit_log_records_operator_actions_and_pages_and_filters_them() {
    let sb = spawn_sandbox(sandbox(5, 8).history_days(10));
    let bridge = spawn_bridge().await;
    link_and_sync(&bridge.store, &sb).await;
    let admin = key(&bridge, "ops", vec![Scope::Admin]).await;
    let reader = key(&bridge, "reader", vec![Scope::Read]).await;

    // A failed and a successful sign-in.
    let client = browser();
    let page = client
        .get(bridge.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    let wrong = client
        .post(bridge.url("/login"))
        .header("Origin", &bridge.base_url)
        .form(&[("csrf", csrf.as_str()), ("password", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    sign_in(&bridge, &client).await;

    // A write to Personio by a key with the write scope: its entry names the key.
    let writer = key(&bridge, "payroll-feed", vec![Scope::Write]).await;
    let created = reqwest::Client::new()
        .post(bridge.url("/api/v1/companies/acme/projects"))
        .bearer_auth(&writer)
        .header("Idempotency-Key", "audited-project")
        .json(&json!({"name": "Audited launch", "start": "2027-01-01", "billable": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();

    // A settings change by a key.
    let (status, settings) = call(
        reqwest::Method::PATCH,
        bridge.url("/api/v1/companies/acme/settings"),
        &admin,
        Some(json!({"retention_days": 30})),
    )
    .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["retention_days"], 30);
    let (status, problem) = call(
        reqwest::Method::PATCH,
        bridge.url("/api/v1/companies/acme/settings"),
        &admin,
        Some(json!({"retention_days": 0})),
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("retention_days"))
    );

    // Erasure: admin only; the person is gone; the tombstone can be removed once.
    let (_, people) = call(
        reqwest::Method::GET,
        bridge.url("/api/v1/companies/acme/employees?limit=1"),
        &admin,
        None,
    )
    .await;
    let id = people["data"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{people}"));
    let personal = bridge.url(&format!(
        "/api/v1/companies/acme/employees/{id}/personal-data"
    ));
    let (status, _) = call(reqwest::Method::DELETE, personal.clone(), &reader, None).await;
    assert_eq!(status, 403);
    let (status, erased) = call(reqwest::Method::DELETE, personal.clone(), &admin, None).await;
    assert_eq!(status, 200, "{erased}");
    assert_eq!(erased["removed"]["employees"], 1, "{erased}");
    let (status, _) = call(
        reqwest::Method::GET,
        bridge.url(&format!("/api/v1/companies/acme/employees/{id}")),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, 404, "the person is gone");
    let (status, _) = call(
        reqwest::Method::DELETE,
        bridge.url("/api/v1/companies/acme/employees/x/personal-data"),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, 400);
    let tombstone = bridge.url(&format!("/api/v1/companies/acme/employees/{id}/tombstone"));
    let (status, _) = call(reqwest::Method::DELETE, tombstone.clone(), &admin, None).await;
    assert_eq!(status, 204);
    let (status, _) = call(reqwest::Method::DELETE, tombstone, &admin, None).await;
    assert_eq!(status, 404);

    // The log: admin only, newest first, filtered and paged.
    let log = |query: &str| bridge.url(&format!("/api/v1/audit-log{query}"));
    let (status, _) = call(reqwest::Method::GET, log(""), &reader, None).await;
    assert_eq!(status, 403);
    let (status, all) = call(reqwest::Method::GET, log(""), &admin, None).await;
    assert_eq!(status, 200);
    let entries: Vec<(String, String)> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("key:ops", "employee.allowed_again"),
        ("key:ops", "employee.erased"),
        ("key:ops", "settings.changed"),
        ("key:payroll-feed", "write.succeeded"),
        ("operator", "sign_in"),
        ("operator", "sign_in.failed"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(entries, expected);
    let write = &all["data"][3];
    assert_eq!(
        (&write["company"], &write["resource"], &write["record_id"]),
        (
            &json!("acme"),
            &json!("projects"),
            &json!(created["id"].to_string())
        ),
        "{write}"
    );
    // Names only: no key's secret is in the log.
    let text = all.to_string();
    for secret in [&writer, &admin, &reader] {
        assert!(
            !text.contains(secret.as_str()),
            "a key's secret is in the log"
        );
    }
    assert_eq!(all["next_cursor"], Value::Null);
    let (_, erasures) = call(
        reqwest::Method::GET,
        log("?action=employee&company=acme"),
        &admin,
        None,
    )
    .await;
    assert_eq!(erasures["data"].as_array().unwrap().len(), 2);
    let (_, operator) = call(reqwest::Method::GET, log("?actor=operator"), &admin, None).await;
    assert_eq!(operator["data"].as_array().unwrap().len(), 2);
    let (_, future) = call(
        reqwest::Method::GET,
        log("?since=2999-01-01T00:00:00Z"),
        &admin,
        None,
    )
    .await;
    assert_eq!(future["data"].as_array().unwrap().len(), 0);
    let (_, first) = call(reqwest::Method::GET, log("?limit=2"), &admin, None).await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let (_, second) = call(
        reqwest::Method::GET,
        log(&format!("?limit=2&cursor={cursor}")),
        &admin,
        None,
    )
    .await;
    assert_eq!(second["data"][0]["action"], "settings.changed");
    for (query, parameter) in [
        ("?since=yesterday", "since"),
        ("?until=2026-13-01", "until"),
        ("?limit=0", "limit"),
        ("?limit=x", "limit"),
        ("?cursor=nonsense", "cursor"),
        ("?colour=red", "colour"),
        ("?actor=a&actor=b", "actor"),
    ] {
        let response = reqwest::Client::new()
            .get(log(query))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{query}"
        );
        let problem: Value = response.json().await.unwrap();
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.starts_with(&format!("{parameter}:")),
            "{query}: {detail}"
        );
    }

    // The operators' page shows the same entries.
    let page = client
        .get(bridge.url("/audit-log?action=employee"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("employee.erased") && !page.contains("sign_in.failed"),
        "{page}"
    );
}
