//! Change webhook targets: loopback, private, link-local and metadata addresses are refused
//! when a subscription is created and again at delivery, unless private targets are allowed.
//! Nothing here sends a request anywhere but 127.0.0.1: refused targets are never contacted.

use std::time::Duration;

use bridge_store::{NewCompany, Store};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::webhooks::{Receiver, api_key, log, start_loop_with};
use crate::{Bridge, spawn_bridge_with};

fn port_of(receiver: &Receiver) -> String {
    let url = url::Url::parse(&receiver.url()).unwrap();
    url.port().unwrap().to_string()
}

async fn strict_bridge() -> Bridge {
    spawn_bridge_with(|config, _| {
        config.workers = 0;
        config.allow_private_webhooks = false;
    })
    .await
}

async fn post(bridge: &Bridge, key: &str, url: &str) -> (u16, String, Value) {
    let response = reqwest::Client::new()
        .post(bridge.url("/api/v1/webhooks"))
        .bearer_auth(key)
        .json(&json!({ "url": url, "events": "*" }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, response.json().await.unwrap())
}

#[tokio::test]
async fn private_targets_are_refused_at_subscription_with_a_problem_naming_url() {
    let bridge = strict_bridge().await;
    let key = api_key(&bridge).await;
    let receiver = Receiver::start(0).await;
    let port = port_of(&receiver);
    for (url, kind) in [
        (receiver.url(), "127.0.0.1 is a loopback address"),
        // A name that resolves to loopback is judged by its address.
        (format!("http://localhost:{port}"), "localhost resolves to"),
        ("http://10.1.2.3/hook".to_owned(), "private"),
        ("http://172.16.0.1/hook".to_owned(), "private"),
        ("http://192.168.0.10:8080/".to_owned(), "private"),
        (
            "http://169.254.169.254/latest/meta-data".to_owned(),
            "cloud metadata",
        ),
        ("http://169.254.1.1/".to_owned(), "link-local"),
        ("http://100.64.1.1/".to_owned(), "carrier-grade NAT"),
        ("http://0.0.0.0:9/".to_owned(), "unspecified"),
        ("http://[::1]:9/".to_owned(), "loopback"),
        ("http://[fd00:ec2::254]/".to_owned(), "cloud metadata"),
        ("http://[fc00::5]/".to_owned(), "unique local"),
        ("http://[fe80::1]/".to_owned(), "link-local"),
        ("http://[::ffff:10.0.0.1]/".to_owned(), "private"),
        (
            "http://metadata.google.internal/computeMetadata/v1/".to_owned(),
            "cloud metadata",
        ),
    ] {
        let (status, content_type, problem) = post(&bridge, &key, &url).await;
        assert_eq!(status, 422, "{url}: {problem}");
        assert_eq!(content_type, "application/problem+json", "{url}");
        assert_eq!(problem["field"], "url", "{url}: {problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(kind), "{url}: {detail}");
        assert!(
            detail.contains("--allow-private-webhooks"),
            "{url}: {detail}"
        );
    }
    let listed: Value = reqwest::Client::new()
        .get(bridge.url("/api/v1/webhooks"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"], json!([]), "nothing was subscribed");
    assert!(receiver.received().is_empty());

    // The same targets are accepted where the operator allowed private ones.
    let open = spawn_bridge_with(|config, _| config.workers = 0).await;
    let key = api_key(&open).await;
    for url in [receiver.url(), format!("http://localhost:{port}/hook")] {
        let (status, _, answer) = post(&open, &key, &url).await;
        assert_eq!(status, 201, "{url}: {answer}");
    }
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

/// Subscriptions made where private targets were allowed (or to a name that resolved to a
/// public address then) are checked again at delivery: a loop that does not allow them
/// refuses a literal loopback address and a name resolving to one, and contacts neither;
/// a loop that allows them then delivers the same events.
#[tokio::test]
async fn deliveries_to_private_addresses_are_refused_at_delivery_even_by_name() {
    let bridge = spawn_bridge_with(|config, _| config.workers = 0).await;
    let key = api_key(&bridge).await;
    let receiver = Receiver::start(0).await;
    let port = port_of(&receiver);
    let mut ids = Vec::new();
    for url in [receiver.url(), format!("http://localhost:{port}/hook")] {
        let (status, _, created) = post(&bridge, &key, &url).await;
        assert_eq!(status, 201, "{created}");
        ids.push((url, created["id"].as_str().unwrap().to_owned()));
    }
    let strict = start_loop_with(&bridge.store, "strict", false);
    add_company(&bridge.store).await;
    for (url, id) in &ids {
        let mut refused = None;
        for _ in 0..400 {
            let entries = log(&bridge, &key, id).await;
            if let Some(entry) = entries.iter().find(|e| e["last_error"].is_string()) {
                refused = Some(entry.clone());
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let entry = refused.unwrap_or_else(|| panic!("{url}: no refused attempt was logged"));
        assert_eq!(entry["status"], "pending", "{url}: {entry}");
        let error = entry["last_error"].as_str().unwrap();
        assert!(
            error.contains("loopback") && error.contains("--allow-private-webhooks"),
            "{url}: {error}"
        );
        assert!(entry["last_status"].is_null(), "{url}: {entry}");
    }
    assert!(
        receiver.received().is_empty(),
        "a refused target was contacted: {:?}",
        receiver.received()
    );

    // The control: where private targets are allowed, the same deliveries arrive.
    drop(strict);
    let _open = start_loop_with(&bridge.store, "open", true);
    for (url, id) in &ids {
        let mut delivered = false;
        for _ in 0..400 {
            let entries = log(&bridge, &key, id).await;
            if !entries.is_empty() && entries.iter().all(|e| e["status"] == "delivered") {
                delivered = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert!(delivered, "{url}: {:#?}", log(&bridge, &key, id).await);
    }
    assert_eq!(receiver.received().len(), 2);
}
