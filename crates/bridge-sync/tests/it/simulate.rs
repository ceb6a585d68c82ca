//! Personio changes for days; the next incremental sync brings the store to exactly what a
//! fresh full sync of the same company gives.

use std::collections::BTreeSet;

use bridge_store::tables::ALL;
use bridge_store::{Company, Outcome, Store};
use bridge_sync::SyncOptions;
use bridge_testkit::TestDb;
use serde_json::Value;

use crate::{Harness, default_harness};

/// Every live record of every table: (table, key, normalized values, raw JSON).
async fn contents(store: &Store, company: &Company) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for table in ALL {
        let mut after = None;
        loop {
            let page = store
                .records(company.id, table, after.as_ref(), 500, false)
                .await
                .unwrap();
            let Some(last) = page.last() else { break };
            after = Some(last.key.clone());
            for record in &page {
                out.push((
                    table.name.to_owned(),
                    record.key.to_string(),
                    format!("{:?}", record.values),
                    record.raw.clone(),
                ));
            }
        }
    }
    out
}

async fn simulate(h: &Harness, days: u32) -> Value {
    let response = reqwest::Client::new()
        .post(h.sandbox.url("/_sandbox/simulate"))
        .bearer_auth(bridge_testkit::ADMIN_TOKEN)
        .json(&serde_json::json!({ "days": days }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn after_simulated_days_an_incremental_sync_equals_a_fresh_full_sync(db: TestDb) {
    let h = default_harness(db, 29, 120).await;
    h.sync(SyncOptions::default()).await;
    let report = simulate(&h, 4).await;
    for resource in ["employees", "attendances", "absences"] {
        let changed: u64 = ["created", "updated", "deleted"]
            .iter()
            .map(|kind| report[kind][resource].as_u64().unwrap())
            .sum();
        assert!(changed > 0, "{resource} changed: {report}");
    }

    let summary = h
        .sync(SyncOptions {
            reconcile: true,
            ..Default::default()
        })
        .await;
    assert_eq!(summary.outcome, Outcome::Succeeded, "{summary:?}");
    let attendances = &summary.resources["attendances"];
    assert!(attendances.created > 0, "{attendances:?}");

    let fresh = h.fresh_full_sync().await;
    let (synced, expected) = (
        contents(&h.store, &h.company).await,
        contents(&fresh.store, &fresh.company).await,
    );
    assert!(expected.len() > 1000);
    let (synced, expected): (BTreeSet<_>, BTreeSet<_>) =
        (synced.into_iter().collect(), expected.into_iter().collect());
    let missing: Vec<_> = expected.difference(&synced).collect();
    let extra: Vec<_> = synced.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {} e.g. {:?}\nextra {} e.g. {:?}",
        missing.len(),
        missing.first(),
        extra.len(),
        extra.first()
    );
}

bridge_testkit::each_backend!(after_simulated_days_an_incremental_sync_equals_a_fresh_full_sync);
