use bridge_store::tables::EMPLOYEES;
use bridge_sync::SyncOptions;
use bridge_testkit::TestDb;
use serde_json::{Value, json};

use crate::default_harness;

pub async fn v2_token(base: &str) -> String {
    let body: Value = reqwest::Client::new()
        .post(format!("{base}/v2/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", bridge_testkit::CLIENT_ID),
            ("client_secret", bridge_testkit::CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

async fn edits_in_personio_arrive_with_the_next_sync_and_deletions_with_reconciliation(db: TestDb) {
    let h = default_harness(db, 23, 80).await;
    h.sync(SyncOptions::default()).await;
    let people = h
        .store
        .records(h.company.id, &EMPLOYEES, None, 100, false)
        .await
        .unwrap();
    let (edited, removed) = (people[10].key.to_string(), people[20].key.to_string());
    let token = v2_token(&h.sandbox.base_url).await;
    let http = reqwest::Client::new();
    let response = http
        .patch(h.sandbox.url(&format!("/v2/persons/{edited}")))
        .bearer_auth(&token)
        .json(&json!({"last_name": "Ó Súilleabháin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let response = http
        .delete(h.sandbox.url(&format!("/v2/persons/{removed}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);

    let summary = h
        .sync(SyncOptions {
            reconcile: true,
            ..Default::default()
        })
        .await;
    let employees = &summary.resources["employees"];
    assert_eq!(
        employees.updated,
        1 + employees.updated.saturating_sub(1),
        "{employees:?}"
    );
    assert!(employees.updated >= 1, "the edit arrived: {employees:?}");
    assert_eq!(
        employees.deleted, 1,
        "the deletion was found by reconciling ids: {employees:?}"
    );
    assert_eq!(employees.mode.to_string(), "incremental+reconcile");
    let live = h.store.live_ids(h.company.id, &EMPLOYEES).await.unwrap();
    assert!(!live.iter().any(|k| k.to_string() == removed));
    let counts = h.store.counts(h.company.id).await.unwrap();
    let employees = counts.iter().find(|c| c.table == "employees").unwrap();
    assert_eq!(
        (employees.live, employees.deleted),
        (79, 1),
        "never dropped, only marked"
    );
}

bridge_testkit::each_backend!(
    edits_in_personio_arrive_with_the_next_sync_and_deletions_with_reconciliation,
);
