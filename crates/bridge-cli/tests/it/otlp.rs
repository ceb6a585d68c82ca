//! `--otlp-endpoint` (builds with the `otlp` feature): a sync's spans reach an OTLP/HTTP
//! receiver on 127.0.0.1 that records what it gets, as protobuf, with the sync span's name,
//! company and the service's name in them.
#![cfg(feature = "otlp")]

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use bridge_store::{Location, NewCompany, OpenOptions, Store};
use bridge_testkit::{CLIENT_ID, CLIENT_SECRET, sandbox, spawn_sandbox};
use secrecy::SecretString;

use crate::BIN;

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

type Received = Arc<Mutex<Vec<(String, Bytes)>>>;

async fn receive(State(received): State<Received>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let kind = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    received.lock().unwrap().push((kind, body));
    StatusCode::OK
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_sends_its_spans_to_the_otlp_endpoint() {
    let received = Received::default();
    let app = axum::Router::new()
        .route("/v1/traces", axum::routing::post(receive))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let sb = spawn_sandbox(sandbox(41, 5));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bridge.db");
    let store = Store::open(
        &Location::Sqlite(db.clone()),
        OpenOptions {
            key: Some(KEY.to_owned()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    store
        .add_company(
            NewCompany {
                name: "otlp-co".into(),
                base_url: sb.base_url.clone(),
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

    let endpoint = format!("http://{addr}");
    let synced = tokio::task::spawn_blocking(move || {
        std::process::Command::new(BIN)
            .args(["--db", db.to_str().unwrap(), "--otlp-endpoint", &endpoint])
            .args(["sync", "--company", "otlp-co"])
            .env("PERSONIO_BRIDGE_KEY", KEY)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    // The process flushed its spans before it exited.
    let received = received.lock().unwrap().clone();
    assert!(!received.is_empty(), "nothing was exported");
    let (kind, _) = &received[0];
    assert_eq!(kind, "application/x-protobuf");
    let all: Vec<u8> = received.iter().flat_map(|(_, b)| b.to_vec()).collect();
    for needle in ["personio-bridge", "sync", "otlp-co", "run_id"] {
        assert!(
            contains(&all, needle.as_bytes()),
            "{needle} was not exported"
        );
    }
}
