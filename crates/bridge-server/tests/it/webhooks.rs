//! Change webhooks out, end to end: subscriptions through the API, a real sandbox synced by
//! the engine, and a real receiver on 127.0.0.1 that records what it gets. Waits are bounded
//! loops that look at what was received, never at the clock.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use bridge_server::webhooks_out::{Deliverer, DeliveryConfig};
use bridge_store::Store;
use bridge_testkit::{ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, sandbox, spawn_sandbox};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::oneshot;

use crate::{Bridge, link_and_sync, spawn_bridge, sync};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    headers: HeaderMap,
    body: Bytes,
    /// What the receiver answered.
    answered: u16,
    at: Instant,
    received_at: chrono::DateTime<chrono::Utc>,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).unwrap().to_str().unwrap()
    }
}

#[derive(Default)]
struct Log {
    received: Mutex<Vec<Received>>,
    /// Requests to answer 500 before answering 200.
    failures_left: AtomicUsize,
}

/// A small HTTP server that records every request and answers 500 for the first
/// `failures` of them, then 200.
pub(crate) struct Receiver {
    addr: SocketAddr,
    log: Arc<Log>,
    _stop: oneshot::Sender<()>,
}

impl Receiver {
    pub(crate) async fn start(failures: usize) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Receiver::on(listener, failures)
    }

    fn on(listener: tokio::net::TcpListener, failures: usize) -> Receiver {
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Log {
            failures_left: AtomicUsize::new(failures),
            ..Log::default()
        });
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(log.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Receiver {
            addr,
            log,
            _stop: stop,
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.log.received.lock().unwrap().clone()
    }

    /// Delivered requests (answered 2xx) by event id.
    fn delivered(&self) -> BTreeMap<String, Vec<Received>> {
        let mut by_id: BTreeMap<String, Vec<Received>> = BTreeMap::new();
        for request in self.received().into_iter().filter(|r| r.answered == 200) {
            by_id
                .entry(request.header("personio-bridge-event-id").to_owned())
                .or_default()
                .push(request);
        }
        by_id
    }
}

async fn receive(State(log): State<Arc<Log>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let fail = log
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    let status = if fail {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    log.received.lock().unwrap().push(Received {
        headers,
        body,
        answered: status.as_u16(),
        at: Instant::now(),
        received_at: chrono::Utc::now(),
    });
    status
}

/// A delivery loop running until dropped, with quick retries.
pub(crate) struct Loop {
    _stop: oneshot::Sender<()>,
}

fn start_loop(store: &Store, worker: &str) -> Loop {
    // The receivers listen on 127.0.0.1.
    start_loop_with(store, worker, true)
}

/// A delivery loop that allows private targets or not.
pub(crate) fn start_loop_with(store: &Store, worker: &str, allow_private: bool) -> Loop {
    let mut config = DeliveryConfig::new(worker);
    config.poll = Duration::from_millis(50);
    config.backoff_base = Duration::from_millis(20);
    config.backoff_cap = Duration::from_millis(200);
    config.request_timeout = Duration::from_secs(5);
    config.concurrency = 4;
    config.targets.allow_private = allow_private;
    let deliverer = Deliverer::new(store.clone(), config).unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(deliverer.run(async move {
        let _ = stopped.await;
    }));
    Loop { _stop: stop }
}

pub(crate) async fn api_key(bridge: &Bridge) -> String {
    use secrecy::ExposeSecret;
    let (_, key) = bridge
        .store
        .create_api_key("hooks", &bridge_store::Grant::default(), chrono::Utc::now())
        .await
        .unwrap();
    key.expose_secret().to_owned()
}

/// Subscribes through the API; returns the answer (with the secret).
async fn subscribe(bridge: &Bridge, key: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(bridge.url("/api/v1/webhooks"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// The subscription's delivery log, all pages.
pub(crate) async fn log(bridge: &Bridge, key: &str, id: &str) -> Vec<Value> {
    let mut entries = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut url = bridge.url(&format!("/api/v1/webhooks/{id}/deliveries?limit=500"));
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let page: Value = reqwest::Client::new()
            .get(url)
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        entries.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return entries,
        }
    }
    panic!("the log must end");
}

/// Waits (a bounded number of short naps) until every entry of the log is delivered.
async fn until_all_delivered(bridge: &Bridge, key: &str, id: &str) -> Vec<Value> {
    for _ in 0..600 {
        let entries = log(bridge, key, id).await;
        if !entries.is_empty() && entries.iter().all(|e| e["status"] == "delivered") {
            return entries;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "deliveries did not finish: {:#?}",
        log(bridge, key, id).await
    );
}

fn signature_matches(secret: &str, request: &Received) -> bool {
    let timestamp = request.header("personio-bridge-timestamp");
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(&request.body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    request.header("personio-bridge-signature") == format!("v1={expected}")
}

fn verify(secret: &str, request: &Received) {
    assert!(
        signature_matches(secret, request),
        "signature of {request:?}"
    );
    assert_eq!(
        request.header("personio-bridge-event-id"),
        request.json()["id"]
    );
}

/// Renames the first employee through Personio's v1 API; returns its id.
async fn rename_an_employee(sandbox: &bridge_testkit::RunningSandbox) -> i64 {
    let client = reqwest::Client::new();
    let auth: Value = client
        .post(sandbox.url("/v1/auth"))
        .json(&json!({ "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = auth["data"]["token"].as_str().unwrap().to_owned();
    let page: Value = client
        .get(sandbox.url("/v1/company/employees?limit=1"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = page["data"][0]["attributes"]["id"]["value"]
        .as_i64()
        .unwrap();
    let updated = client
        .patch(sandbox.url(&format!("/v1/company/employees/{id}")))
        .bearer_auth(&token)
        .json(&json!({ "employee": { "last_name": "Renamed-Webhook" } }))
        .send()
        .await
        .unwrap();
    assert!(
        updated.status().is_success(),
        "{}",
        updated.text().await.unwrap()
    );
    id
}

#[tokio::test]
async fn a_subscriber_gets_signed_employee_updates_with_the_changed_fields() {
    let sandbox = spawn_sandbox(sandbox(41, 30));
    let bridge = spawn_bridge().await;
    let company = link_and_sync(&bridge.store, &sandbox).await;
    let receiver = Receiver::start(0).await;
    let key = api_key(&bridge).await;
    let created = subscribe(
        &bridge,
        &key,
        json!({ "url": receiver.url(), "events": ["employee.updated"], "company": "acme" }),
    )
    .await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();
    let _loop = start_loop(&bridge.store, "serve-1");

    // A day passes in the sandbox, and someone renames an employee through Personio's API.
    let simulated = reqwest::Client::new()
        .post(sandbox.url("/_sandbox/simulate"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({ "days": 1 }))
        .send()
        .await
        .unwrap();
    assert!(simulated.status().is_success());
    let renamed = rename_an_employee(&sandbox).await;
    let synced = Instant::now();
    sync(&bridge.store, &company).await;
    let entries = until_all_delivered(&bridge, &key, &id).await;

    let received = receiver.received();
    assert_eq!(received.len(), entries.len(), "one request per event");
    let mut with_fields = 0;
    for request in &received {
        verify(&secret, request);
        let event = request.json();
        assert_eq!(event["type"], "employee.updated", "only what was asked for");
        assert_eq!(event["company"], "acme");
        assert_eq!(event["data"]["record"]["id"], event["data"]["id"]);
        for field in event["data"]["changed"].as_array().unwrap() {
            with_fields += 1;
            assert!(
                event["data"]["record"]
                    .get(field.as_str().unwrap())
                    .is_some(),
                "{field} is a field of the record: {event}"
            );
        }
    }
    assert!(with_fields > 0, "the changed fields are named");
    let rename = received
        .iter()
        .map(Received::json)
        .find(|e| e["data"]["id"] == renamed)
        .expect("the renamed employee's update");
    assert!(
        rename["data"]["changed"]
            .as_array()
            .unwrap()
            .contains(&json!("last_name")),
        "{rename}"
    );
    assert_eq!(rename["data"]["record"]["last_name"], "Renamed-Webhook");
    // A tampered body does not verify.
    let mut forged = received[0].clone();
    forged.body = Bytes::from(forged.body.iter().copied().rev().collect::<Vec<u8>>());
    assert!(!signature_matches(&secret, &forged));
    assert!(!signature_matches("another-secret-entirely", &received[0]));
    // The secret is never shown again.
    let listed: Value = reqwest::Client::new()
        .get(bridge.url(&format!("/api/v1/webhooks/{id}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed.get("secret").is_none(), "{listed}");
    assert!(!listed.to_string().contains(&secret));
    let first = received.iter().map(|r| r.at).min().unwrap();
    let last = received.iter().map(|r| r.at).max().unwrap();
    // From the page's commit time (`occurred_at`) to the receiver's clock, same machine.
    let delays: Vec<i64> = received
        .iter()
        .map(|r| {
            let occurred =
                chrono::DateTime::parse_from_rfc3339(r.json()["occurred_at"].as_str().unwrap())
                    .unwrap();
            (r.received_at - occurred.with_timezone(&chrono::Utc)).num_milliseconds()
        })
        .collect();
    eprintln!(
        "webhook latency: {} events; commit to receipt {delays:?} ms; first received {:?} and last {:?} after the sync began",
        received.len(),
        first - synced,
        last - synced
    );
}

#[tokio::test]
async fn a_failing_receiver_is_retried_until_each_event_is_delivered_once() {
    let sandbox = spawn_sandbox(sandbox(42, 6));
    let bridge = spawn_bridge().await;
    let receiver = Receiver::start(4).await;
    let key = api_key(&bridge).await;
    let created = subscribe(
        &bridge,
        &key,
        json!({ "url": receiver.url(), "events": ["employee.created"], "secret": "a-secret-of-our-own-choosing" }),
    )
    .await;
    assert_eq!(created["secret"], "a-secret-of-our-own-choosing");
    let id = created["id"].as_str().unwrap().to_owned();
    link_and_sync(&bridge.store, &sandbox).await;
    let _loop = start_loop(&bridge.store, "serve-1");
    let entries = until_all_delivered(&bridge, &key, &id).await;

    let delivered = receiver.delivered();
    assert_eq!(delivered.len(), entries.len());
    assert!(
        delivered.values().all(|requests| requests.len() == 1),
        "each event delivered once"
    );
    let failed = receiver
        .received()
        .iter()
        .filter(|r| r.answered == 500)
        .count();
    assert_eq!(failed, 4);
    let attempts: i64 = entries
        .iter()
        .map(|e| e["attempts"].as_i64().unwrap())
        .sum();
    assert_eq!(attempts as usize, entries.len() + 4, "{entries:#?}");
    for request in receiver.received() {
        verify("a-secret-of-our-own-choosing", &request);
    }
    // Delivered ones are not sent again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), entries.len() + 4);
}

#[tokio::test]
async fn nothing_is_lost_while_the_receiver_is_down() {
    let sandbox = spawn_sandbox(sandbox(43, 5));
    let bridge = spawn_bridge().await;
    // A port nobody listens on, for now.
    let parked = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = parked.local_addr().unwrap();
    drop(parked);
    let key = api_key(&bridge).await;
    let created = subscribe(
        &bridge,
        &key,
        json!({ "url": format!("http://{addr}/hook"), "events": "*" }),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    link_and_sync(&bridge.store, &sandbox).await;
    let _loop = start_loop(&bridge.store, "serve-1");

    // Wait until every delivery failed at least twice against the closed port.
    for round in 0.. {
        assert!(round < 600, "deliveries were not attempted");
        let entries = log(&bridge, &key, &id).await;
        if !entries.is_empty() && entries.iter().all(|e| e["attempts"].as_i64().unwrap() >= 2) {
            assert!(entries.iter().all(|e| e["status"] == "pending"));
            assert!(entries.iter().all(|e| e["last_error"].is_string()));
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let receiver = Receiver::on(tokio::net::TcpListener::bind(addr).await.unwrap(), 0);
    let entries = until_all_delivered(&bridge, &key, &id).await;
    let delivered = receiver.delivered();
    let ids: BTreeSet<&str> = entries
        .iter()
        .map(|e| e["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        delivered
            .keys()
            .map(String::as_str)
            .collect::<BTreeSet<_>>(),
        ids,
        "every event arrived"
    );
    assert!(delivered.values().all(|requests| requests.len() == 1));
    let types: BTreeSet<String> = delivered
        .values()
        .map(|r| r[0].json()["type"].as_str().unwrap().to_owned())
        .collect();
    assert!(types.contains("employee.created"), "{types:?}");
}

#[tokio::test]
async fn two_delivery_loops_on_one_store_deliver_each_event_once() {
    let sandbox = spawn_sandbox(sandbox(44, 8));
    let bridge = spawn_bridge().await;
    let receiver = Receiver::start(0).await;
    let key = api_key(&bridge).await;
    let created = subscribe(
        &bridge,
        &key,
        json!({ "url": receiver.url(), "events": "*" }),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    link_and_sync(&bridge.store, &sandbox).await;
    // Two workers, each with its own connection pool on the same database.
    let other = Store::open(
        bridge.store.location(),
        bridge_store::OpenOptions {
            key: Some(bridge_store::secrets::Key::from_bytes([7u8; 32]).to_base64()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let _first = start_loop(&bridge.store, "worker-a");
    let _second = start_loop(&other, "worker-b");
    let entries = until_all_delivered(&bridge, &key, &id).await;
    assert!(entries.len() > 8, "a first sync has many events");
    let delivered = receiver.delivered();
    assert_eq!(delivered.len(), entries.len());
    assert!(
        delivered.values().all(|requests| requests.len() == 1),
        "no event id twice"
    );
    assert_eq!(receiver.received().len(), entries.len());
}

#[tokio::test]
async fn subscriptions_are_managed_through_the_api_and_bad_bodies_are_problems() {
    let bridge = spawn_bridge().await;
    let key = api_key(&bridge).await;
    let client = reqwest::Client::new();
    let post = |body: String| {
        client
            .post(bridge.url("/api/v1/webhooks"))
            .bearer_auth(&key)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for (body, hint) in [
        ("", "JSON"),
        ("not json", "JSON"),
        ("[]", "JSON"),
        ("{\"url\": 5, \"events\": \"*\"}", "JSON"),
        (
            "{\"url\": \"ftp://example.org/x\", \"events\": \"*\"}",
            "http",
        ),
        ("{\"url\": \"http://\", \"events\": \"*\"}", "URL"),
        ("{\"url\": \"/relative\", \"events\": \"*\"}", "URL"),
        (
            "{\"url\": \"https://example.org\", \"events\": []}",
            "events",
        ),
        (
            "{\"url\": \"https://example.org\", \"events\": [\"salary.updated\"]}",
            "salary.updated",
        ),
        (
            "{\"url\": \"https://example.org\", \"events\": \"*\", \"colour\": 1}",
            "colour",
        ),
        (
            "{\"url\": \"https://example.org\", \"events\": \"*\", \"company\": \"nobody\"}",
            "nobody",
        ),
        (
            "{\"url\": \"https://example.org\", \"events\": \"*\", \"secret\": \"short\"}",
            "secret",
        ),
        (
            "{\"url\": \"https://example.org\", \"events\": [[[[[[]]]]]]}",
            "JSON",
        ),
        (
            "{\"url\": \"https://example.org\", \"events\": \"*\", \"secret\": 1e999}",
            "JSON",
        ),
    ] {
        let response = post(body.to_owned()).await.unwrap();
        assert_eq!(response.status(), 400, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains(hint),
            "{body}: {problem}"
        );
    }
    let unauthenticated = client
        .post(bridge.url("/api/v1/webhooks"))
        .json(&json!({ "url": "https://example.org", "events": "*" }))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);

    let created = subscribe(
        &bridge,
        &key,
        json!({ "url": "https://example.org/hooks", "events": ["absence.created", "absence.created", "employee.deleted"] }),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        created["events"],
        json!(["absence.created", "employee.deleted"])
    );
    assert!(created["secret"].as_str().unwrap().len() >= 32);
    let list: Value = client
        .get(bridge.url("/api/v1/webhooks"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["id"], id);
    assert!(list["data"][0].get("secret").is_none());
    let empty_log: Value = client
        .get(bridge.url(&format!("/api/v1/webhooks/{id}/deliveries")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(empty_log["data"], json!([]));

    let url = bridge.url(&format!("/api/v1/webhooks/{id}"));
    let deleted = client.delete(&url).bearer_auth(&key).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    let again = client.delete(&url).bearer_auth(&key).send().await.unwrap();
    assert_eq!(again.status(), 404);
    let gone = client.get(&url).bearer_auth(&key).send().await.unwrap();
    assert_eq!(gone.status(), 404);
    for path in [
        "/api/v1/webhooks/no-such-hook",
        "/api/v1/webhooks/no-such-hook/deliveries",
    ] {
        let response = client
            .get(bridge.url(path))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
    let bad_cursor = client
        .get(bridge.url(&format!("/api/v1/webhooks/{id}/deliveries?cursor=%%%")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(bad_cursor.status(), 400);
}

/// The whole path: a change in Personio, its webhook into the bridge, the targeted sync, and
/// the change webhook out to a subscriber, with no scheduled run in between.
#[tokio::test]
async fn a_change_in_personio_reaches_a_subscriber_through_both_webhooks() {
    let sandbox = spawn_sandbox(sandbox(45, 8));
    let bridge = crate::webhooks_in::bridge_without_schedule().await;
    crate::webhooks_in::link(&bridge, &sandbox).await;
    let receiver = Receiver::start(0).await;
    let key = api_key(&bridge).await;
    let created = subscribe(
        &bridge,
        &key,
        json!({ "url": receiver.url(), "events": ["employee.updated"], "company": "acme" }),
    )
    .await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    let _loop = start_loop(&bridge.store, "serve-1");

    let token = crate::webhooks_in::sandbox_token(&sandbox).await;
    let (person, changed) = crate::webhooks_in::patch_first_person(
        &sandbox,
        &token,
        json!({"first_name": "Through-Both"}),
    )
    .await;
    let mut delivered = None;
    for _ in 0..600 {
        if let Some(request) = receiver
            .received()
            .into_iter()
            .find(|r| r.answered == 200 && r.json()["data"]["id"].to_string().contains(&person))
        {
            delivered = Some(request);
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let delivered = delivered.expect("the change reached the subscriber");
    eprintln!(
        "a change in the sandbox reached the subscriber in {:.0} ms",
        delivered.at.duration_since(changed).as_secs_f64() * 1000.0
    );
    verify(&secret, &delivered);
    let event = delivered.json();
    assert_eq!(event["type"], "employee.updated");
    assert!(
        event["data"]["changed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|field| field == "first_name"),
        "{event}"
    );
}

/// Personio refuses the credential: the subscriber gets one signed `connection.broken`, the
/// API and the company's page show why; linking again brings `connection.relinked`.
#[tokio::test]
async fn a_subscriber_hears_when_a_connection_breaks_and_is_linked_again() {
    let sandbox = spawn_sandbox(sandbox(44, 8));
    let bridge = spawn_bridge().await;
    let company = link_and_sync(&bridge.store, &sandbox).await;
    let receiver = Receiver::start(0).await;
    let key = api_key(&bridge).await;
    let created = subscribe(
        &bridge,
        &key,
        json!({ "url": receiver.url(), "events": ["connection.broken", "connection.relinked"] }),
    )
    .await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();
    let _loop = start_loop(&bridge.store, "serve-1");

    let revoked = reqwest::Client::new()
        .delete(sandbox.url(&format!("/_sandbox/credentials/{CLIENT_ID}")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    for _ in 0..2 {
        let client = bridge_sync::link::client_for(&bridge.store, &company)
            .await
            .unwrap();
        let refused = bridge_sync::SyncEngine::new(bridge.store.clone(), client, company.clone())
            .run(&bridge_sync::SyncOptions::default())
            .await;
        assert!(refused.is_err(), "the revoked credential is refused");
    }
    let shown: Value = reqwest::Client::new()
        .get(bridge.url("/api/v1/companies/acme"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["connection"]["status"], "broken", "{shown}");
    assert!(
        shown["connection"]["reason"]
            .as_str()
            .unwrap()
            .contains("rejected the credentials")
    );
    assert!(shown["connection"]["since"].is_string());
    let pages = crate::browser();
    crate::sign_in(&bridge, &pages).await;
    let page = pages
        .get(bridge.url("/companies/acme"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Connection broken"), "{page}");

    // The customer links again through a link session, with a new credential.
    let new: Value = reqwest::Client::new()
        .post(sandbox.url("/_sandbox/credentials"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"name": "again", "access": {"employees": "read", "org_units": "read", "absences": "read", "attendances": "read"}, "readable_attributes": "all"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link_key =
        crate::link_sessions::key(&bridge, "vendor", &[bridge_store::Scope::Link], &[]).await;
    let session: Value = crate::link_sessions::create_session(
        &bridge,
        &link_key,
        json!({"company": "acme", "redirect_url": "https://vendor.example/done", "base_url": sandbox.base_url}),
    )
    .await
    .json()
    .await
    .unwrap();
    let path = url::Url::parse(session["url"].as_str().unwrap())
        .unwrap()
        .path()
        .to_owned();
    let page = pages
        .get(bridge.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let linked = pages
        .post(bridge.url(&path))
        .form(&[
            ("csrf", crate::hidden(&page, "csrf").as_str()),
            ("client_id", new["client_id"].as_str().unwrap()),
            ("client_secret", new["client_secret"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(linked.status(), 303, "{:?}", linked.text().await);
    let employees: Value = reqwest::Client::new()
        .get(bridge.url("/api/v1/companies/acme/employees"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        employees["data"].as_array().unwrap().len(),
        8,
        "the data is still there"
    );

    let entries = until_all_delivered(&bridge, &key, &id).await;
    assert_eq!(entries.len(), 2, "one event per transition: {entries:#?}");
    let received = receiver.received();
    let events: Vec<Value> = received
        .iter()
        .map(|request| {
            verify(&secret, request);
            request.json()
        })
        .collect();
    let types: BTreeSet<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        BTreeSet::from(["connection.broken", "connection.relinked"])
    );
    for event in &events {
        assert_eq!(event["company"], "acme");
        assert_eq!(event["data"]["company"], "acme");
        let broken = event["type"] == "connection.broken";
        assert_eq!(
            event["data"]["status"],
            if broken { "broken" } else { "linked" }
        );
        assert_eq!(event["data"]["reason"].is_string(), broken, "{event}");
        assert!(event["data"]["since"].is_string());
    }
    let shown: Value = reqwest::Client::new()
        .get(bridge.url("/api/v1/companies/acme"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["connection"]["status"], "linked");
    assert!(shown["connection"]["reason"].is_null());
}
