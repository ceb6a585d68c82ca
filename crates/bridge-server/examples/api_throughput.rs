//! API throughput: a sandbox company of 1,000 employees is synced into a fresh SQLite store,
//! then `GET /api/v1/companies/acme/employees?limit=100` (each page with its employments and
//! cost center splits) is requested a fixed number of times by a few concurrent clients, all
//! over 127.0.0.1. Prints requests per second.
//!
//! `cargo run --release -p bridge-server --example api_throughput [-- REQUESTS CONCURRENCY]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use bridge_server::{Server, ServerConfig};
use bridge_store::{Filters, Location, OpenOptions, Store};
use bridge_sync::link::{Link, client_for, connect};
use bridge_sync::{SyncEngine, SyncOptions};
use bridge_testkit::{CLIENT_ID, CLIENT_SECRET, sandbox, spawn_sandbox};
use secrecy::{ExposeSecret, SecretString};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let requests: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let concurrency: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4);
    let sandbox = spawn_sandbox(sandbox(7, 1000));
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        &Location::Sqlite(dir.path().join("bridge.db")),
        OpenOptions {
            key: Some(bridge_store::secrets::Key::from_bytes([1; 32]).to_base64()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let (company, _) = connect(
        &store,
        Link {
            company: "acme".into(),
            base_url: url::Url::parse(&sandbox.base_url).unwrap(),
            client_id: CLIENT_ID.into(),
            client_secret: SecretString::from(CLIENT_SECRET.to_owned()),
            recruiting: None,
            filters: Filters::default(),
            replace: false,
        },
    )
    .await
    .unwrap();
    let client = client_for(&store, &company).await.unwrap();
    SyncEngine::new(store.clone(), client, company)
        .run(&SyncOptions {
            resources: vec!["employees".parse().unwrap()],
            ..SyncOptions::default()
        })
        .await
        .unwrap();
    let (_, key) = store
        .create_api_key("bench", &bridge_store::Grant::default(), chrono::Utc::now())
        .await
        .unwrap();
    let key = key.expose_secret().to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/api/v1/companies/acme/employees?limit=100",
        listener.local_addr().unwrap()
    );
    tokio::spawn(
        Server::new(
            store,
            // The sync above is the only one: no worker competes with the requests measured.
            ServerConfig {
                workers: 0,
                ..ServerConfig::default()
            },
        )
        .serve(listener, std::future::pending()),
    );

    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..concurrency {
        let (http, url, key) = (http.clone(), url.clone(), key.clone());
        let count = requests / concurrency + usize::from(worker < requests % concurrency);
        workers.push(tokio::spawn(async move {
            let mut records = 0;
            for _ in 0..count {
                let body: serde_json::Value = http
                    .get(&url)
                    .bearer_auth(&key)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                records += body["data"].as_array().map_or(0, Vec::len);
            }
            records
        }));
    }
    let mut records = 0;
    for worker in workers {
        records += worker.await.unwrap();
    }
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(records, requests * 100, "every page had 100 employees");
    println!(
        "{requests} requests (pages of 100 employees), {concurrency} concurrent: {seconds:.2} s, {:.0} requests/s",
        requests as f64 / seconds
    );
}
