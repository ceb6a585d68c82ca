//! Hostile request bodies against the service: documented bodies of the API and of Personio's
//! webhook deliveries, mutated (wrong types, missing fields, huge strings, deep nesting, bytes
//! that are not UTF-8, numbers out of range, cut short), and hostile form fields and query
//! strings. Every answer is a client error or a success, never a server error or a hang, and
//! the service keeps answering afterwards.

use std::time::Duration;

use bridge_testkit::hostile::{mutate, mutation};
use bridge_testkit::{sandbox, spawn_sandbox};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

use crate::webhooks_in::{bridge_without_schedule, link, registered_token};
use crate::{browser, sign_in};

/// Cases per body; each is one request to a running service.
const CASES: u32 = 48;

/// No answer may take longer than this (a hang is a failure, not a slow test).
const PATIENCE: Duration = Duration::from_secs(30);

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    })
}

fn verdict(status: Option<reqwest::StatusCode>, what: &str) -> Result<(), TestCaseError> {
    let status = status.ok_or_else(|| TestCaseError::fail(format!("{what}: no answer")))?;
    prop_assert!(
        !status.is_server_error(),
        "{what}: {status} is a server error"
    );
    Ok(())
}

#[test]
fn hostile_bodies_forms_and_queries_get_client_errors_never_server_errors() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sb = spawn_sandbox(sandbox(47, 3));
    let (bridge, key, registered) = runtime.block_on(async {
        let bridge = bridge_without_schedule().await;
        link(&bridge, &sb).await;
        let (_, key) = bridge
            .store
            .create_api_key(
                "hostile",
                &bridge_store::Grant::default(),
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        let registered = registered_token(&sb).await;
        use secrecy::ExposeSecret;
        (bridge, key.expose_secret().to_owned(), registered)
    });
    let client = reqwest::Client::builder()
        .timeout(PATIENCE)
        .build()
        .unwrap();
    let post = |url: String, auth: String, body: Vec<u8>| {
        let client = client.clone();
        runtime.block_on(async move {
            client
                .post(url)
                .header("Authorization", auth)
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .ok()
                .map(|r| r.status())
        })
    };

    // Subscriptions through the API.
    let subscription = serde_json::to_vec(&json!({
        "url": "http://127.0.0.1:9/hook",
        "events": ["employee.updated", "absence.created"],
        "company": "acme",
        "secret": "a-secret-of-at-least-sixteen-bytes",
    }))
    .unwrap();
    runner()
        .run(&(0usize..1_000, mutation()), |(node, change)| {
            let body = mutate(&subscription, node, &change);
            let status = post(
                bridge.url("/api/v1/webhooks"),
                format!("Bearer {key}"),
                body,
            );
            verdict(status, "POST /api/v1/webhooks")
        })
        .unwrap();

    // Personio's deliveries, with the registered token.
    let delivery = serde_json::to_vec(&json!({
        "company_id": "4242",
        "event_name": "person.updated",
        "occurred_at": "2026-11-20T10:00:00Z",
        "payload": {"id": "1", "changes": [{"field": "first_name"}]},
    }))
    .unwrap();
    runner()
        .run(&(0usize..1_000, mutation()), |(node, change)| {
            let body = mutate(&delivery, node, &change);
            let status = post(
                bridge.url("/webhooks/personio/acme"),
                registered.clone(),
                body,
            );
            verdict(status, "POST /webhooks/personio/acme")
        })
        .unwrap();

    // Hostile query strings on the record listings, and hostile path segments.
    let text = "\\PC{0,300}";
    runner()
        .run(&(text, text), |(limit, cursor)| {
            let url = reqwest::Url::parse_with_params(
                &bridge.url("/api/v1/companies/acme/employees"),
                [("limit", limit.as_str()), ("cursor", cursor.as_str())],
            )
            .unwrap();
            let status = runtime.block_on(async {
                client
                    .get(url)
                    .bearer_auth(&key)
                    .send()
                    .await
                    .ok()
                    .map(|r| r.status())
            });
            verdict(status, "GET /api/v1/companies/acme/employees")
        })
        .unwrap();

    // The connect form, signed in, with hostile fields.
    let (pages, csrf) = runtime.block_on(async {
        let pages = browser();
        let csrf = sign_in(&bridge, &pages).await;
        (pages, csrf)
    });
    runner()
        // A base URL either hostile text or an address on this machine that refuses.
        .run(
            &(
                text,
                prop_oneof![
                    text.prop_map(|s| s),
                    text.prop_map(|s| format!("http://127.0.0.1:9/{s}"))
                ],
                text,
            ),
            |(company, base_url, client_id)| {
                let status = runtime.block_on(async {
                    pages
                        .post(bridge.url("/connect"))
                        .form(&[
                            ("csrf", csrf.as_str()),
                            ("company", company.as_str()),
                            ("base_url", base_url.as_str()),
                            ("client_id", client_id.as_str()),
                            ("client_secret", "x"),
                        ])
                        .timeout(PATIENCE)
                        .send()
                        .await
                        .ok()
                        .map(|r| r.status())
                });
                verdict(status, "POST /connect")
            },
        )
        .unwrap();

    // Link sessions, with a key that may link.
    let link_key = runtime.block_on(async {
        let grant = bridge_store::Grant {
            scopes: vec![bridge_store::Scope::Link],
            companies: vec![],
        };
        let (_, key) = bridge
            .store
            .create_api_key("hostile linker", &grant, chrono::Utc::now())
            .await
            .unwrap();
        use secrecy::ExposeSecret;
        key.expose_secret().to_owned()
    });
    let session = serde_json::to_vec(&json!({
        "company": "linked-by-link",
        "name": "ACME GmbH",
        "redirect_url": "https://vendor.example/done?x=1",
        "state": "opaque",
        "resources": ["employees", "recruiting"],
        "access": "write",
        "expires_in_minutes": 30,
        "base_url": "http://127.0.0.1:9",
    }))
    .unwrap();
    runner()
        .run(&(0usize..1_000, mutation()), |(node, change)| {
            let body = mutate(&session, node, &change);
            let status = post(
                bridge.url("/api/v1/link-sessions"),
                format!("Bearer {link_key}"),
                body,
            );
            verdict(status, "POST /api/v1/link-sessions")
        })
        .unwrap();

    // The link page: forged tokens, and hostile fields with the session's CSRF token or a
    // forged one. Personio's address refuses, so nothing can be linked.
    let (token, csrf) = runtime.block_on(async {
        let (_, token) = bridge
            .store
            .create_link_session(
                bridge_store::NewLinkSession {
                    company: "linked-by-link".into(),
                    base_url: "http://127.0.0.1:9".into(),
                    display_name: None,
                    redirect_url: "https://vendor.example/done".into(),
                    state: None,
                    resources: vec!["employees".into(), "recruiting".into()],
                    access: bridge_store::LinkAccess::Read,
                    created_by: None,
                    lifetime: chrono::Duration::minutes(30),
                },
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        let page = client
            .get(bridge.url(&format!("/link/{token}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (token, crate::hidden(&page, "csrf"))
    });
    runner()
        .run(
            &(
                prop_oneof![Just(token.clone()), text.prop_map(|s| s)],
                prop_oneof![Just(csrf.clone()), text.prop_map(|s| s)],
                text,
                text,
            ),
            |(token, csrf, client_id, company_id)| {
                let path = format!("/link/{}", urlencoding(&token));
                let status = runtime.block_on(async {
                    client
                        .post(bridge.url(&path))
                        .form(&[
                            ("csrf", csrf.as_str()),
                            ("client_id", client_id.as_str()),
                            ("client_secret", client_id.as_str()),
                            ("recruiting_token", client_id.as_str()),
                            ("company_id", company_id.as_str()),
                            ("lang", company_id.as_str()),
                        ])
                        .send()
                        .await
                        .ok()
                        .map(|r| r.status())
                });
                verdict(status, "POST /link/{token}")
            },
        )
        .unwrap();

    // Still serving, and nothing hostile became a subscription or a company.
    let companies: Value = runtime.block_on(async {
        client
            .get(bridge.url("/api/v1/companies"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let names: Vec<&str> = companies["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{companies}"))
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(names.contains(&"acme"), "{companies}");
    assert!(!names.contains(&"linked-by-link"), "{companies}");
}

/// A path segment with every byte outside the unreserved set percent-encoded.
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
