//! Per-company settings through the API and the company's page, and hostile settings bodies:
//! every refusal is problem+json that names the field, never a server error.

use bridge_store::{NewCompany, Store};
use bridge_testkit::hostile::{mutate, mutation};
use proptest::test_runner::{Config, TestRunner};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::{Bridge, browser, sign_in, spawn_bridge};

async fn company_and_key(bridge: &Bridge) -> String {
    add_company(&bridge.store).await;
    let (_, key) = bridge
        .store
        .create_api_key(
            "settings",
            &bridge_store::Grant {
                scopes: vec![bridge_store::Scope::Read, bridge_store::Scope::Admin],
                companies: vec!["acme".into()],
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    key.expose_secret().to_owned()
}

async fn add_company(store: &Store) {
    store
        .add_company(
            NewCompany {
                name: "acme".into(),
                base_url: "http://127.0.0.1:9".into(),
                client_id: "id".into(),
                client_secret: SecretString::from("s".to_owned()),
                recruiting: None,
                filters: Default::default(),
                granted: json!({}),
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
}

async fn patch(bridge: &Bridge, key: &str, body: Vec<u8>) -> (u16, String, Value) {
    let response = reqwest::Client::new()
        .patch(bridge.url("/api/v1/companies/acme/settings"))
        .bearer_auth(key)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn settings_are_read_and_changed_through_the_api_and_the_page() {
    let bridge = spawn_bridge().await;
    let key = company_and_key(&bridge).await;
    let get = || async {
        reqwest::Client::new()
            .get(bridge.url("/api/v1/companies/acme/settings"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
    };
    let defaults: Value = get().await.json().await.unwrap();
    assert_eq!(defaults["api"], "auto");
    assert_eq!(defaults["full_reconcile_days"], 7);
    assert!(defaults["sync_interval_minutes"].is_null());
    assert_eq!(
        defaults["resources"].as_array().unwrap().len(),
        8,
        "{defaults}"
    );

    let body = json!({
        "resources": ["attendances", "employees", "employees"],
        "api": "v2",
        "sync_interval_minutes": 30,
        "full_reconcile_days": 3,
        "filters": {"statuses": ["Active"], "offices": ["Berlin"]},
    });
    let (status, _, changed) = patch(&bridge, &key, serde_json::to_vec(&body).unwrap()).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["resources"], json!(["employees", "attendances"]));
    assert_eq!(get().await.json::<Value>().await.unwrap(), changed);
    let company = bridge.store.company("acme").await.unwrap();
    assert_eq!(company.settings.api, "v2");
    assert_eq!(company.sync_interval_minutes, Some(30));
    assert_eq!(company.filters.statuses, ["active"]);
    // Only what a PATCH names changes.
    let (status, _, changed) =
        patch(&bridge, &key, br#"{"full_reconcile_days": 90}"#.to_vec()).await;
    assert_eq!(status, 200);
    assert_eq!(changed["api"], "v2");
    assert_eq!(changed["full_reconcile_days"], 90);

    for (body, field) in [
        (json!({"full_reconcile_days": 0}), "full_reconcile_days"),
        (json!({"full_reconcile_days": 91}), "full_reconcile_days"),
        (json!({"sync_interval_minutes": 4}), "sync_interval_minutes"),
        (
            json!({"sync_interval_minutes": 10_081}),
            "sync_interval_minutes",
        ),
        (
            json!({"sync_interval_minutes": "5"}),
            "sync_interval_minutes",
        ),
        (json!({"api": "v3"}), "api"),
        (json!({"resources": ["salaries"]}), "resources"),
        (json!({"resources": "employees"}), "resources"),
        (
            json!({"filters": {"statuses": ["retired"]}}),
            "filters.statuses",
        ),
        (json!({"filters": {"teams": ["a"]}}), "filters.teams"),
        (json!({"colour": "blue"}), "colour"),
    ] {
        let (status, kind, problem) =
            patch(&bridge, &key, serde_json::to_vec(&body).unwrap()).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(kind, "application/problem+json");
        assert_eq!(problem["field"], field, "{body}: {problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.starts_with(&format!("{field}: ")),
            "{body}: {detail}"
        );
    }
    assert_eq!(
        get().await.json::<Value>().await.unwrap()["full_reconcile_days"],
        90
    );
    let unauthenticated = reqwest::Client::new()
        .patch(bridge.url("/api/v1/companies/acme/settings"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
    let missing = reqwest::Client::new()
        .get(bridge.url("/api/v1/companies/nobody/settings"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    // The company's page shows the form and saves it.
    let pages = browser();
    let csrf = sign_in(&bridge, &pages).await;
    let page = pages
        .get(bridge.url("/companies/acme"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Days between full reconciliations"), "{page}");
    let saved = pages
        .post(bridge.url("/companies/acme/settings"))
        .header("Origin", &bridge.base_url)
        .form(&[
            ("csrf", csrf.as_str()),
            ("resources", "employees"),
            ("resources", "absences"),
            ("api", "v1"),
            ("sync_interval_minutes", ""),
            ("full_reconcile_days", "14"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let settings = bridge.store.company("acme").await.unwrap().settings;
    assert_eq!(settings.resources, ["employees", "absences"]);
    assert_eq!(settings.api, "v1");
    assert_eq!(settings.sync_interval_minutes, None);
    assert_eq!(settings.full_reconcile_days, 14);
    let refused = pages
        .post(bridge.url("/companies/acme/settings"))
        .header("Origin", &bridge.base_url)
        .form(&[("csrf", csrf.as_str()), ("full_reconcile_days", "ninety")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("full_reconcile_days")
    );
    assert_eq!(
        bridge
            .store
            .company("acme")
            .await
            .unwrap()
            .settings
            .full_reconcile_days,
        14
    );
}

/// The top-level keys of a body, and its filters' keys as `filters.<key>`.
fn fields(body: &[u8]) -> Vec<String> {
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let mut names: Vec<String> = object.keys().cloned().collect();
    if let Some(Value::Object(filters)) = object.get("filters") {
        names.extend(filters.keys().map(|k| format!("filters.{k}")));
    }
    names
}

#[test]
fn hostile_settings_bodies_get_problems_naming_the_field_never_server_errors() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (bridge, key) = runtime.block_on(async {
        let bridge = spawn_bridge().await;
        let key = company_and_key(&bridge).await;
        (bridge, key)
    });
    let original = serde_json::to_vec(&json!({
        "resources": ["employees", "absences"],
        "api": "auto",
        "sync_interval_minutes": 60,
        "full_reconcile_days": 7,
        "filters": {"legal_entities": ["ACME GmbH"], "statuses": ["active"], "offices": [], "departments": ["Sales"]},
    }))
    .unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&(0usize..1_000, mutation()), |(node, change)| {
            let body = mutate(&original, node, &change);
            let (status, kind, problem) = runtime.block_on(patch(&bridge, &key, body.clone()));
            // 413: a mutation made the body larger than the service reads (no field to name).
            proptest::prop_assert!(
                matches!(status, 200 | 400 | 413 | 422),
                "{status}: {problem}"
            );
            if status == 413 {
                proptest::prop_assert_eq!(kind.as_str(), "application/problem+json");
            }
            if status == 400 || status == 422 {
                proptest::prop_assert_eq!(kind.as_str(), "application/problem+json");
                let detail = problem["detail"].as_str().unwrap_or_default();
                let named = detail.starts_with("expected a JSON object")
                    || fields(&body)
                        .iter()
                        .any(|f| detail.starts_with(&format!("{f}: ")));
                let shown: String = String::from_utf8_lossy(&body).chars().take(300).collect();
                proptest::prop_assert!(named, "{detail} names no field of {shown}");
            }
            Ok(())
        })
        .unwrap();
    // Still serving.
    let (status, _, _) = runtime.block_on(patch(&bridge, &key, b"{}".to_vec()));
    assert_eq!(status, 200);
}
