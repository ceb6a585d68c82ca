//! Personio's webhooks into the service: linking registers the endpoint, a change in the
//! sandbox reaches the store through it without waiting for the schedule, and deliveries
//! without the registered token are refused.

use std::time::{Duration, Instant};

use bridge_store::{CompanyId, Store};
use bridge_testkit::{CLIENT_ID, CLIENT_SECRET, RunningSandbox, sandbox, spawn_sandbox};
use serde_json::{Value, json};

use crate::linking::connect_form;
use crate::{Bridge, browser, sign_in, spawn_bridge_with};

/// A service whose scheduled syncs never come during a test: only requests make it sync.
pub(crate) async fn bridge_without_schedule() -> Bridge {
    spawn_bridge_with(|config, own_url| {
        config.public_url = Some(url::Url::parse(own_url).unwrap());
        config.schedule.poll = Duration::from_secs(3600);
        config.schedule.default_interval = Duration::from_secs(24 * 3600);
    })
    .await
}

/// Waits (bounded) until `company` has `count` finished runs.
async fn wait_for_runs(store: &Store, company: CompanyId, count: usize) {
    for _ in 0..600 {
        let runs = store.runs(company, 20).await.unwrap();
        if runs.iter().filter(|r| r.finished_at.is_some()).count() >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{company:?} never reached {count} finished runs");
}

pub(crate) async fn sandbox_token(sb: &RunningSandbox) -> String {
    let answer: Value = reqwest::Client::new()
        .post(sb.url("/v2/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}

/// The token Personio holds for the bridge's webhook (what it sends in `Authorization`).
pub(crate) async fn registered_token(sb: &RunningSandbox) -> String {
    let listed: Value = reqwest::Client::new()
        .get(sb.url("/v2/webhooks"))
        .bearer_auth(sandbox_token(sb).await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    listed["_data"][0]["token"].as_str().unwrap().to_owned()
}

/// Patches the first person in the sandbox through Personio's v2 API; returns their id and
/// the moment just before the change.
pub(crate) async fn patch_first_person(
    sb: &RunningSandbox,
    token: &str,
    patch: Value,
) -> (String, Instant) {
    let people: Value = reqwest::Client::new()
        .get(sb.url("/v2/persons?limit=1"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = people["_data"][0]["id"].as_str().unwrap().to_owned();
    let changed = Instant::now();
    let patched = reqwest::Client::new()
        .patch(sb.url(&format!("/v2/persons/{id}")))
        .bearer_auth(token)
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert!(patched.status().is_success(), "{}", patched.status());
    (id, changed)
}

/// Links `acme` through the Connect page; returns its id once the first sync is done.
pub(crate) async fn link(bridge: &Bridge, sb: &RunningSandbox) -> CompanyId {
    let client = browser();
    let csrf = sign_in(bridge, &client).await;
    let response = connect_form(
        bridge,
        &client,
        &csrf,
        &[
            ("company", "acme"),
            ("base_url", &sb.base_url),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    let company = bridge.store.company("acme").await.unwrap();
    wait_for_runs(&bridge.store, company.id, 1).await;
    company.id
}

#[tokio::test]
async fn a_change_in_personio_reaches_the_store_through_the_webhook_without_waiting_for_the_schedule()
 {
    let sb = spawn_sandbox(sandbox(41, 6));
    let bridge = bridge_without_schedule().await;
    let company = link(&bridge, &sb).await;

    let hook = bridge
        .store
        .personio_webhook(company)
        .await
        .unwrap()
        .expect("linking registered a webhook");
    assert_eq!(hook.url, bridge.url("/webhooks/personio/acme"));
    let token = sandbox_token(&sb).await;
    let listed: Value = reqwest::Client::new()
        .get(sb.url("/v2/webhooks"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let registered = &listed["_data"][0];
    assert_eq!(registered["url"], hook.url.as_str());
    assert_eq!(registered["status"], "ENABLED");
    assert_eq!(registered["auth_type"], "TOKEN");

    // Rename someone in Personio: the store follows, with no scheduled run due for a day.
    let (_, changed) =
        patch_first_person(&sb, &token, json!({"last_name": "Webhook-Ørsted"})).await;
    let mut arrived = false;
    for _ in 0..600 {
        let records = bridge
            .store
            .records(company, &bridge_store::tables::EMPLOYEES, None, 100, false)
            .await
            .unwrap();
        if records.iter().any(|r| r.raw.contains("Webhook-Ørsted")) {
            arrived = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(arrived, "the rename never reached the store");
    eprintln!(
        "a change in the sandbox reached the store in {:.0} ms",
        changed.elapsed().as_secs_f64() * 1000.0
    );
    // The webhook's run was targeted: employees only, and the schedule stayed a day away.
    wait_for_runs(&bridge.store, company, 2).await;
    let runs = bridge.store.runs(company, 10).await.unwrap();
    let latest = &runs[0];
    let resources = latest.summary["resources"].as_object().unwrap();
    assert_eq!(
        resources.keys().collect::<Vec<_>>(),
        vec!["employees"],
        "{:?}",
        latest.summary
    );
    let job = bridge.store.jobs().await.unwrap();
    assert!(job[0].next_run_at > chrono::Utc::now() + chrono::Duration::hours(23));
    let metrics = reqwest::get(bridge.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !metrics.contains("bridge_personio_webhooks_total 0\n"),
        "{metrics}"
    );
}

#[tokio::test]
async fn deliveries_without_the_registered_token_are_refused_and_pings_sync_nothing() {
    let sb = spawn_sandbox(sandbox(43, 3));
    let bridge = bridge_without_schedule().await;
    let company = link(&bridge, &sb).await;
    let endpoint = bridge.url("/webhooks/personio/acme");
    let delivery = json!({
        "company_id": "4242",
        "event_name": "person.updated",
        "occurred_at": "2026-11-20T10:00:00Z",
        "payload": {"id": "1"},
    });
    let client = reqwest::Client::new();
    for (url, token) in [
        (endpoint.as_str(), None),
        (endpoint.as_str(), Some("pbw_not-the-token")),
        (&*bridge.url("/webhooks/personio/nobody"), Some("pbw_x")),
    ] {
        let mut request = client.post(url).json(&delivery);
        if let Some(token) = token {
            request = request.header("Authorization", token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{url} {token:?}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    // Nothing was asked for.
    let job = &bridge.store.jobs().await.unwrap()[0];
    assert!(job.requested_at.is_none(), "{job:?}");

    // With the token Personio holds: a ping is answered 200 and syncs nothing; a body that is
    // not a delivery is a 400; neither asks for a sync.
    let registered = registered_token(&sb).await;
    let ping = client
        .post(&endpoint)
        .header("Authorization", &registered)
        .json(&json!({"company_id": "4242", "event_name": "ping", "occurred_at": "2026-11-20T10:00:00Z", "payload": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(ping.status(), 200);
    for hostile in ["", "[]", "{\"event_name\": 7}", "\u{0}\u{ff}"] {
        let response = client
            .post(&endpoint)
            .header("Authorization", &registered)
            .header("Content-Type", "application/json")
            .body(hostile)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{hostile:?}");
    }
    let job = &bridge.store.jobs().await.unwrap()[0];
    assert!(job.requested_at.is_none(), "{job:?}");
    let runs = bridge.store.runs(company, 10).await.unwrap();
    assert_eq!(runs.len(), 1, "nothing synced");
}
