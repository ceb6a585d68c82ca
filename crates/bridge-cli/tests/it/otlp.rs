//! `--otlp-endpoint` (the `otlp` feature, on by default): a sync's spans reach an OTLP/HTTP
//! receiver on 127.0.0.1, which decodes each export as a collector would (protobuf
//! `ExportTraceServiceRequest`) and finds the service's name and the finished `sync` span
//! with its company and run id.
#![cfg(feature = "otlp")]

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use bridge_store::{Location, NewCompany, OpenOptions, Store};
use bridge_testkit::{CLIENT_ID, CLIENT_SECRET, sandbox, spawn_sandbox};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use prost::Message as _;
use secrecy::SecretString;

use crate::BIN;

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// Each export as received: its content type and its body.
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

fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a any_value::Value> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v: &AnyValue| v.value.as_ref())
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

    // The base address: the exporter adds `/v1/traces`.
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

    // The process flushed its spans before it exited: they are all here now.
    let received = received.lock().unwrap().clone();
    assert!(!received.is_empty(), "nothing was exported");
    let mut spans = Vec::new();
    for (kind, body) in &received {
        assert_eq!(kind, "application/x-protobuf");
        let export = ExportTraceServiceRequest::decode(body.as_ref()).unwrap();
        for resource_spans in export.resource_spans {
            let resource = resource_spans.resource.unwrap_or_default();
            assert_eq!(
                attribute(&resource.attributes, "service.name"),
                Some(&any_value::Value::StringValue("personio-bridge".into())),
                "{resource:?}"
            );
            for scope_spans in resource_spans.scope_spans {
                spans.extend(scope_spans.spans);
            }
        }
    }
    let syncs: Vec<_> = spans.iter().filter(|s| s.name == "sync").collect();
    assert_eq!(syncs.len(), 1, "{spans:#?}");
    let sync = syncs[0];
    assert_eq!(
        attribute(&sync.attributes, "company"),
        Some(&any_value::Value::StringValue("otlp-co".into())),
        "{sync:?}"
    );
    // Recorded once the run was: the id of the run the store holds.
    match attribute(&sync.attributes, "run_id") {
        Some(any_value::Value::IntValue(id)) => assert!(*id > 0, "{sync:?}"),
        other => panic!("run_id is {other:?}"),
    }
    assert_eq!(sync.trace_id.len(), 16);
    assert_eq!(sync.span_id.len(), 8);
    assert!(sync.end_time_unix_nano >= sync.start_time_unix_nano && sync.start_time_unix_nano > 0);
}
