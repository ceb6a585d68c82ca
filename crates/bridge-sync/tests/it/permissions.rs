use bridge_store::{Filters, Outcome};
use bridge_sync::SyncOptions;
use bridge_testkit::TestDb;
use serde_json::{Value, json};

use crate::{harness, remember_secret};

async fn credential(sandbox: &bridge_testkit::RunningSandbox, spec: Value) -> (String, String) {
    let body: Value = reqwest::Client::new()
        .post(sandbox.url("/_sandbox/credentials"))
        .bearer_auth(bridge_testkit::ADMIN_TOKEN)
        .json(&spec)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (id, secret) = (
        body["client_id"].as_str().unwrap().to_owned(),
        body["client_secret"].as_str().unwrap().to_owned(),
    );
    remember_secret(&id, &secret);
    (id, secret)
}

async fn a_credential_without_an_area_syncs_the_rest_and_says_how_to_fix_it(db: TestDb) {
    let sandbox = bridge_testkit::spawn_sandbox(bridge_testkit::sandbox(24, 30));
    let (id, secret) = credential(
        &sandbox,
        json!({"name": "no org", "access": {"employees": "read"}, "readable_attributes": "all"}),
    )
    .await;
    let h = harness(db, sandbox, &id, &secret, Filters::default()).await;
    let summary = h.sync(SyncOptions::default()).await;
    assert_eq!(summary.outcome, Outcome::Partial);
    assert_eq!(summary.resources["employees"].created, 30);
    let skipped = summary.resources["org_units"].skipped.as_deref().unwrap();
    assert!(skipped.contains("Org Units: Read"), "{skipped}");
}

async fn filters_keep_only_the_chosen_people_and_mark_those_who_leave(db: TestDb) {
    filters_keep_and_mark(db, bridge_sync::ApiChoice::Auto).await;
}

/// Through v2 the filters look at each person's current employment, names resolved from
/// the org units read first.
async fn filters_keep_only_the_chosen_people_read_through_v2(db: TestDb) {
    filters_keep_and_mark(db, bridge_sync::ApiChoice::V2).await;
}

async fn filters_keep_and_mark(db: TestDb, api: bridge_sync::ApiChoice) {
    let options = || SyncOptions {
        api,
        ..Default::default()
    };
    let sandbox = bridge_testkit::spawn_sandbox(bridge_testkit::sandbox(25, 200));
    let filters = Filters {
        departments: vec!["Engineering".into()],
        ..Default::default()
    };
    let h = harness(
        db,
        sandbox,
        bridge_testkit::CLIENT_ID,
        bridge_testkit::CLIENT_SECRET,
        filters,
    )
    .await;
    let summary = h.sync(options()).await;
    let served = h.sandbox_employees().await;
    let engineers: Vec<&Value> = served
        .iter()
        .filter(|p| p["attributes"]["department"]["value"]["attributes"]["name"] == "Engineering")
        .collect();
    assert!(!engineers.is_empty() && engineers.len() < served.len());
    assert_eq!(
        summary.resources["employees"].created as usize,
        engineers.len()
    );
    assert_eq!(
        summary.resources["employees"].fetched as usize,
        served.len()
    );

    // Move one engineer to Sales in Personio: the next sync marks them as outside the filters.
    let moved = engineers[0]["attributes"]["id"]["value"].as_i64().unwrap();
    let http = reqwest::Client::new();
    let auth: Value = http
        .post(h.sandbox.url("/v1/auth"))
        .json(&json!({"client_id": bridge_testkit::CLIENT_ID, "client_secret": bridge_testkit::CLIENT_SECRET}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = auth["data"]["token"].as_str().unwrap();
    let response = http
        .patch(h.sandbox.url(&format!("/v1/company/employees/{moved}")))
        .bearer_auth(token)
        .json(&json!({"employee": {"department": "Sales"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let summary = h.sync(options()).await;
    assert_eq!(
        summary.resources["employees"].left_filter, 1,
        "{:?}",
        summary.resources["employees"]
    );
    let counts = h.store.counts(h.company.id).await.unwrap();
    let employees = counts.iter().find(|c| c.table == "employees").unwrap();
    assert_eq!(
        (employees.live as usize, employees.out_of_filter),
        (engineers.len() - 1, 1)
    );
}

async fn opt_in_resources_without_their_area_are_skipped_with_advice(db: TestDb) {
    let sandbox = bridge_testkit::spawn_sandbox(bridge_testkit::sandbox(26, 10));
    let (id, secret) = credential(
        &sandbox,
        json!({"name": "people only", "access": {"employees": "read"}, "readable_attributes": "all"}),
    )
    .await;
    let h = harness(db, sandbox, &id, &secret, Filters::default()).await;
    let summary = h
        .sync(SyncOptions {
            resources: vec![
                bridge_sync::ResourceName::CustomReports,
                bridge_sync::ResourceName::Projects,
                bridge_sync::ResourceName::Compensations,
            ],
            ..Default::default()
        })
        .await;
    assert_eq!(summary.outcome, Outcome::Partial);
    for (resource, area) in [
        ("custom_reports", "Custom Reports: Read"),
        ("projects", "Attendances: Read"),
        ("compensations", "Compensations: Read"),
    ] {
        let skipped = summary.resources[resource].skipped.as_deref();
        assert!(
            skipped.is_some_and(|s| s.contains(area)),
            "{resource}: {skipped:?}"
        );
        assert!(summary.resources[resource].error.is_none());
    }
}

async fn a_company_without_recruiting_skips_it_and_says_why(db: TestDb) {
    let sandbox = bridge_testkit::spawn_sandbox(bridge_testkit::sandbox(27, 10));
    let status = reqwest::Client::new()
        .put(sandbox.url("/_sandbox/features"))
        .bearer_auth(bridge_testkit::ADMIN_TOKEN)
        .json(&json!({"recruiting": false}))
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "{status}");
    let h = harness(
        db,
        sandbox,
        bridge_testkit::CLIENT_ID,
        bridge_testkit::CLIENT_SECRET,
        Filters::default(),
    )
    .await;
    let summary = h
        .sync(SyncOptions {
            resources: vec![bridge_sync::ResourceName::Recruiting],
            ..Default::default()
        })
        .await;
    assert_eq!(summary.outcome, Outcome::Partial);
    let recruiting = &summary.resources["recruiting"];
    let skipped = recruiting.skipped.as_deref().unwrap_or_default();
    assert!(skipped.contains("no recruiting"), "{recruiting:?}");
    assert_eq!(
        summary.requests,
        summary.token_requests + 1,
        "stops at the first 404"
    );
}

bridge_testkit::each_backend!(
    opt_in_resources_without_their_area_are_skipped_with_advice,
    a_company_without_recruiting_skips_it_and_says_why,
    a_credential_without_an_area_syncs_the_rest_and_says_how_to_fix_it,
    filters_keep_only_the_chosen_people_and_mark_those_who_leave,
    filters_keep_only_the_chosen_people_read_through_v2,
);
