//! `worker --listen`: a worker's `/healthz` and `/metrics`, showing the syncs it ran, their
//! durations per resource and the latency of its Personio calls by route.

use std::io::BufReader;
use std::process::{Command, Stdio};
use std::time::Duration;

use bridge_store::{Location, NewCompany, OpenOptions};
use bridge_testkit::{CLIENT_ID, CLIENT_SECRET, TestDb, each_backend};
use secrecy::SecretString;

use crate::{BIN, read_line, terminate};

fn key() -> String {
    bridge_store::secrets::Key::from_bytes([9u8; 32]).to_base64()
}

/// The value of the sample `name` (labels included, as written) in an exposition text.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|value| value.split(' ').next()?.parse().ok())
}

async fn a_worker_serves_health_and_metrics_showing_its_syncs(db: TestDb) {
    let sandbox = bridge_testkit::spawn_sandbox(bridge_testkit::sandbox(41, 12));
    let store = bridge_store::Store::open(
        &Location::parse(&db.url).unwrap(),
        OpenOptions {
            key: Some(key()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    store
        .add_company(
            NewCompany {
                name: "acme".into(),
                base_url: sandbox.base_url.clone(),
                client_id: CLIENT_ID.into(),
                client_secret: SecretString::from(CLIENT_SECRET.to_owned()),
                recruiting: None,
                filters: Default::default(),
                granted: serde_json::json!({}),
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    store.close().await;

    let mut child = Command::new(BIN)
        .args(["--db", &db.url, "worker", "--name", "observed"])
        .args(["--poll", "50ms", "--listen", "127.0.0.1:0"])
        .env("PERSONIO_BRIDGE_KEY", key())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let line = read_line(&mut stdout);
    let base = line
        .strip_prefix("worker listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_owned();
    let http = reqwest::Client::new();

    let health = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body, serde_json::json!({ "status": "ok" }));

    let mut text = String::new();
    for _ in 0..1200 {
        let response = http.get(format!("{base}/metrics")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/openmetrics-text"),
        );
        text = response.text().await.unwrap();
        if sample(&text, "bridge_syncs_total{outcome=\"succeeded\"}").is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    terminate(&child);
    let status = child.wait().unwrap();
    assert!(status.success(), "the worker stops cleanly: {status:?}");

    assert_eq!(
        sample(&text, "bridge_syncs_total{outcome=\"succeeded\"}"),
        Some(1.0),
        "{text}"
    );
    let records = sample(&text, "bridge_sync_records_total{outcome=\"succeeded\"}").unwrap();
    assert!(records >= 12.0, "the employees at least: {text}");
    assert!(
        sample(
            &text,
            "bridge_sync_personio_requests_total{outcome=\"succeeded\"}"
        )
        .unwrap()
            > 0.0
    );
    assert_eq!(
        sample(
            &text,
            "bridge_sync_duration_seconds_count{outcome=\"succeeded\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert!(text.contains("bridge_sync_duration_seconds_sum{outcome=\"succeeded\"}"));
    assert_eq!(
        sample(
            &text,
            "bridge_sync_resource_duration_seconds_count{resource=\"employees\"}"
        ),
        Some(1.0),
        "a histogram per resource: {text}"
    );
    assert!(
        text.contains(
            "bridge_sync_resource_duration_seconds_bucket{le=\"+Inf\",resource=\"employees\"}"
        ) || text.contains(
            "bridge_sync_resource_duration_seconds_bucket{resource=\"employees\",le=\"+Inf\"}"
        ),
        "{text}"
    );
    let token_calls = sample(
        &text,
        "bridge_personio_request_duration_seconds_count{method=\"POST\",route=\"/v1/auth\"}",
    );
    assert!(token_calls.is_some_and(|n| n >= 1.0), "{text}");
    let employee_calls = sample(
        &text,
        "bridge_personio_request_duration_seconds_count{method=\"GET\",route=\"/v1/company/employees\"}",
    );
    assert!(employee_calls.is_some_and(|n| n >= 1.0), "{text}");
    // The service's own counters are there too (a worker serves no API: zero requests).
    assert!(text.contains("bridge_companies 1"), "{text}");
    assert!(text.contains("bridge_http_requests_total"), "{text}");
}

each_backend!(a_worker_serves_health_and_metrics_showing_its_syncs);
