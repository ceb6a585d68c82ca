//! `--api`: absences read through v1 (time-offs and hourly periods) and absence types read
//! through v1 are the rows v2 stores, employees read through v2 are the rows v1 stores, and
//! switching API never duplicates nor deletes one.

use std::collections::BTreeMap;

use bridge_store::tables::{
    ABSENCE_PERIODS, ABSENCE_TYPES, EMPLOYEE_COST_CENTERS, EMPLOYEES, EMPLOYMENTS,
};
use bridge_store::{Key, Outcome, Store, Table, Value as Cell};
use bridge_sync::{ApiChoice, Progress, ResourceName, StepKind, Summary, SyncEngine, SyncOptions};
use bridge_testkit::{CLIENT_ID, CLIENT_SECRET, TestDb};
use serde_json::{Value, json};

use crate::{Harness, default_harness, harness_on};

fn absences(api: ApiChoice) -> SyncOptions {
    SyncOptions {
        resources: vec![ResourceName::Absences],
        api,
        ..Default::default()
    }
}

/// Live rows of a table: key → normalized values.
async fn rows(
    store: &Store,
    company: bridge_store::CompanyId,
    table: &'static Table,
) -> BTreeMap<Key, Vec<Cell>> {
    let mut all = BTreeMap::new();
    let mut after = None;
    loop {
        let page = store
            .records(company, table, after.as_ref(), 500, false)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.key.clone());
        all.extend(page.into_iter().map(|r| (r.key, r.values)));
    }
    all
}

/// (live, deleted) absence rows.
async fn counts(h: &Harness) -> (u64, u64) {
    let counts = h.store.counts(h.company.id).await.unwrap();
    let c = counts
        .iter()
        .find(|c| c.table == ABSENCE_PERIODS.name)
        .unwrap();
    (c.live as u64, c.deleted as u64)
}

fn column(name: &str) -> usize {
    ABSENCE_PERIODS.column_index(name).unwrap()
}

fn succeeded(summary: &Summary) -> &bridge_sync::ResourceSummary {
    assert_eq!(summary.outcome, Outcome::Succeeded, "{summary:?}");
    &summary.resources["absences"]
}

async fn a_full_v1_sync_stores_the_rows_a_full_v2_sync_stores(db: TestDb) {
    let h = default_harness(db, 41, 60).await;
    succeeded(&h.sync(absences(ApiChoice::V2)).await);
    let other = harness_on(
        TestDb::new(h.db.backend).await.unwrap(),
        &h.sandbox,
        CLIENT_ID,
        CLIENT_SECRET,
        Default::default(),
    )
    .await;
    let summary = SyncEngine::new(other.store.clone(), h.client(), other.company.clone())
        .run(&absences(ApiChoice::V1))
        .await
        .unwrap();
    let v1_summary = succeeded(&summary);
    assert_eq!(v1_summary.mode.to_string(), "full", "{v1_summary:?}");

    let through_v2 = rows(&h.store, h.company.id, &ABSENCE_PERIODS).await;
    let through_v1 = rows(&other.store, other.company.id, &ABSENCE_PERIODS).await;
    assert!(through_v2.len() > 20, "{}", through_v2.len());
    assert_eq!(
        through_v1.keys().collect::<Vec<_>>(),
        through_v2.keys().collect::<Vec<_>>(),
        "the same records, keyed by the v2 id"
    );
    let (mut day_unit, mut hour_unit, mut open_ended) = (0, 0, 0);
    for (key, v2) in &through_v2 {
        let v1 = &through_v1[key];
        for name in ["employee_id", "absence_type_id", "start", "comment"] {
            assert_eq!(v1[column(name)], v2[column(name)], "{key} {name}");
        }
        // v1 knows no pending deletion: the absence is still approved (personio-api.md §2.5).
        let status = match &v2[column("status")] {
            Cell::Text(s) if s == "DELETION_PENDING" => Cell::text("APPROVED"),
            other => other.clone(),
        };
        assert_eq!(v1[column("status")], status, "{key} status");
        if v2[column("start_half")] == Cell::Null {
            // Hour-unit: exact local times in the person's zone, as v2 writes them.
            hour_unit += 1;
            for name in ["start_half", "end", "end_half", "timezone"] {
                assert_eq!(v1[column(name)], v2[column(name)], "{key} {name}");
            }
            continue;
        }
        day_unit += 1;
        assert_eq!(v1[column("start_half")], v2[column("start_half")], "{key}");
        // Time-offs name no zone.
        assert_eq!(v1[column("timezone")], Cell::Null, "{key}");
        if v2[column("end")] == Cell::Null {
            // Open-ended in v2; v1 gives such a time-off an end on or after its start.
            open_ended += 1;
            match (&v1[column("end")], &v1[column("start")]) {
                (Cell::Text(end), Cell::Text(start)) => assert!(end >= start, "{key}"),
                other => panic!("{key}: {other:?}"),
            }
        } else {
            for name in ["end", "end_half"] {
                assert_eq!(v1[column(name)], v2[column(name)], "{key} {name}");
            }
        }
    }
    assert!(day_unit > 0 && hour_unit > 0, "{day_unit} {hour_unit}");
    assert!(open_ended < day_unit, "{open_ended} {day_unit}");
}

async fn switching_api_neither_duplicates_nor_deletes_absences(db: TestDb) {
    let h = default_harness(db, 42, 50).await;
    succeeded(&h.sync(absences(ApiChoice::V2)).await);
    let (live, deleted) = counts(&h).await;
    assert!(live > 10, "{live}");
    assert_eq!(deleted, 0);
    for api in [ApiChoice::V1, ApiChoice::V2, ApiChoice::V1] {
        let summary = h
            .sync(SyncOptions {
                // Every listing judges deletions: a full one for an API not read before,
                // a reconciliation otherwise.
                reconcile: true,
                ..absences(api)
            })
            .await;
        let read = succeeded(&summary);
        assert_eq!((read.created, read.deleted), (0, 0), "{api:?}: {read:?}");
        if api == ApiChoice::V1 {
            // v1 re-lists everything (v2 reconciles a recent window only).
            assert!(read.fetched >= live, "{api:?}: {read:?}");
        }
        assert_eq!(counts(&h).await, (live, 0), "{api:?}");
    }
}

/// Plain HTTP to the sandbox, as Personio's users would change it.
struct Personio {
    http: reqwest::Client,
    base: String,
    v1: String,
    v2: String,
}

impl Personio {
    async fn new(h: &Harness) -> Personio {
        let http = reqwest::Client::new();
        let v1: Value = http
            .post(h.sandbox.url("/v1/auth"))
            .json(&json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let v2: Value = http
            .post(h.sandbox.url("/v2/auth/token"))
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
        Personio {
            http,
            base: h.sandbox.base_url.clone(),
            v1: v1["data"]["token"].as_str().unwrap().to_owned(),
            v2: v2["access_token"].as_str().unwrap().to_owned(),
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let token = if path.starts_with("/v1/") {
            &self.v1
        } else {
            &self.v2
        };
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        assert!(response.status().is_success(), "{path}: {response:?}");
        response.json().await.unwrap_or(Value::Null)
    }
}

async fn an_incremental_v1_sync_picks_up_changes_and_reconciles_deletions(db: TestDb) {
    let h = default_harness(db, 43, 50).await;
    succeeded(&h.sync(absences(ApiChoice::V1)).await);
    let (live, _) = counts(&h).await;
    let personio = Personio::new(&h).await;
    let page = personio
        .send(
            reqwest::Method::GET,
            "/v1/company/time-offs?limit=200&offset=1",
            None,
        )
        .await;
    let time_offs = page["data"].as_array().unwrap();
    let (edited, removed) = (&time_offs[0]["attributes"], &time_offs[1]["attributes"]);
    let edited_id = edited["id_v2"].as_str().unwrap().to_owned();
    personio
        .send(
            reqwest::Method::PATCH,
            &format!("/v2/absence-periods/{edited_id}"),
            Some(json!({"comment": "back on Thursday"})),
        )
        .await;
    personio
        .send(
            reqwest::Method::DELETE,
            &format!("/v1/company/time-offs/{}", removed["id"]),
            None,
        )
        .await;

    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let summary = SyncEngine::new(h.store.clone(), h.client(), h.company.clone())
        .with_progress(sender)
        .run(&absences(ApiChoice::V1))
        .await
        .unwrap();
    let read = succeeded(&summary);
    // The change made the reconciliation due; it found the deletion.
    assert_eq!(read.mode.to_string(), "incremental+reconcile", "{read:?}");
    assert_eq!(read.deleted, 1, "{read:?}");
    // The time-offs' change feed alone brought the edit, without reading everything.
    let (mut listing, mut from_feed) = (None, None);
    while let Ok(event) = events.try_recv() {
        match event {
            Progress::ListingStarted { resource, mode, .. } => listing = Some((resource, mode)),
            Progress::PageStored {
                fetched, updated, ..
            } if listing == Some(("absences_v1".to_owned(), StepKind::Incremental)) => {
                from_feed = Some((fetched, updated))
            }
            _ => {}
        }
    }
    let (fetched, updated) = from_feed.expect("an incremental time-off listing stored a page");
    assert!(updated >= 1 && fetched < live - 1, "{fetched} {updated}");
    let stored = rows(&h.store, h.company.id, &ABSENCE_PERIODS).await;
    assert_eq!(
        stored[&Key::Text(edited_id)][column("comment")],
        Cell::text("back on Thursday")
    );
    let removed_key = Key::Text(removed["id_v2"].as_str().unwrap().to_owned());
    assert!(!stored.contains_key(&removed_key));
    assert_eq!(counts(&h).await, (live - 1, 1));
}

async fn absence_types_read_through_v1_are_the_rows_v2_stores(db: TestDb) {
    let h = default_harness(db, 43, 5).await;
    let types = |api| SyncOptions {
        resources: vec![ResourceName::AbsenceTypes],
        api,
        ..Default::default()
    };
    let first = h.sync(types(ApiChoice::V2)).await;
    assert_eq!(first.outcome, Outcome::Succeeded, "{first:?}");
    let through_v2 = rows(&h.store, h.company.id, &ABSENCE_TYPES).await;
    assert!(through_v2.len() > 3, "{through_v2:?}");
    for api in [ApiChoice::V1, ApiChoice::V2] {
        let summary = h.sync(types(api)).await;
        assert_eq!(summary.outcome, Outcome::Succeeded, "{summary:?}");
        let read = &summary.resources["absence_types"];
        assert_eq!(
            (read.fetched, read.created, read.deleted),
            (through_v2.len() as u64, 0, 0),
            "{api:?}: {read:?}"
        );
        assert_eq!(
            rows(&h.store, h.company.id, &ABSENCE_TYPES).await,
            through_v2,
            "{api:?}: name, category and unit as v2 spells them"
        );
    }
}

/// Employees and the reference data whose names v2 employments need.
fn people(api: ApiChoice) -> SyncOptions {
    SyncOptions {
        resources: vec![
            ResourceName::OrgUnits,
            ResourceName::LegalEntities,
            ResourceName::Workplaces,
            ResourceName::CostCenters,
            ResourceName::Employees,
        ],
        api,
        ..Default::default()
    }
}

/// Employment rows by employee, keys left out.
async fn employments(h: &Harness) -> BTreeMap<i64, Vec<Cell>> {
    rows(&h.store, h.company.id, &EMPLOYMENTS)
        .await
        .into_values()
        .map(|values| match values[0] {
            Cell::Int(employee) => (employee, values),
            ref other => panic!("employee_id {other:?}"),
        })
        .collect()
}

async fn employees_read_through_v2_are_the_rows_v1_stores(db: TestDb) {
    let h = default_harness(db, 44, 40).await;
    let first = h.sync(people(ApiChoice::V1)).await;
    assert_eq!(first.outcome, Outcome::Succeeded, "{first:?}");
    let people_v1 = rows(&h.store, h.company.id, &EMPLOYEES).await;
    let jobs_v1 = employments(&h).await;
    let splits_v1 = rows(&h.store, h.company.id, &EMPLOYEE_COST_CENTERS).await;
    assert_eq!(people_v1.len(), 40);
    assert_eq!(jobs_v1.len(), 40, "one employment each");
    assert!(!splits_v1.is_empty());

    let summary = h
        .sync(SyncOptions {
            full: true,
            ..people(ApiChoice::V2)
        })
        .await;
    assert_eq!(summary.outcome, Outcome::Succeeded, "{summary:?}");
    let read = &summary.resources["employees"];
    assert_eq!((read.fetched, read.deleted), (40, 0), "{read:?}");
    // A page of persons, then one employment list per person.
    assert_eq!(read.min_requests, 1 + 40, "{read:?}");
    let people_v2 = rows(&h.store, h.company.id, &EMPLOYEES).await;
    let custom = EMPLOYEES.column_index("custom_attributes").unwrap();
    let labels = |cell: &Cell| match cell {
        Cell::Text(json) => serde_json::from_str::<serde_json::Map<String, Value>>(json)
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    for (key, v1) in &people_v1 {
        let v2 = &people_v2[key];
        for (at, (name, _)) in EMPLOYEES.columns.iter().enumerate() {
            if at == custom {
                // The same attributes by label; values as each API spells them (v1 joins
                // a list with commas, v2 sends a JSON list).
                assert_eq!(labels(&v1[at]), labels(&v2[at]), "employee {key:?}");
                continue;
            }
            assert_eq!(v1[at], v2[at], "employee {key:?} {name}");
        }
    }
    let jobs_v2 = employments(&h).await;
    assert_eq!(
        jobs_v2.len(),
        40,
        "v2's employment replaced v1's, person by person"
    );
    let full_time = EMPLOYMENTS
        .column_index("full_time_weekly_working_hours")
        .unwrap();
    for (employee, v1) in &jobs_v1 {
        let v2 = &jobs_v2[employee];
        for (at, (name, _)) in EMPLOYMENTS.columns.iter().enumerate() {
            if at == full_time {
                // Only v2 has it.
                assert_eq!(v1[at], Cell::Null);
                continue;
            }
            assert_eq!(v1[at], v2[at], "employment of {employee:?}: {name}");
        }
    }
    assert_eq!(
        rows(&h.store, h.company.id, &EMPLOYEE_COST_CENTERS).await,
        splits_v1,
        "cost center splits"
    );

    // Back to v1: its rows return, v2's go; nobody is deleted.
    let back = h
        .sync(SyncOptions {
            full: true,
            ..people(ApiChoice::V1)
        })
        .await;
    assert_eq!(back.resources["employees"].deleted, 0, "{back:?}");
    assert_eq!(employments(&h).await, jobs_v1);
    assert_eq!(rows(&h.store, h.company.id, &EMPLOYEES).await.len(), 40);
}

async fn an_incremental_v2_sync_of_employees_reads_only_changed_people(db: TestDb) {
    let h = default_harness(db, 45, 30).await;
    let first = h.sync(people(ApiChoice::V2)).await;
    assert_eq!(first.outcome, Outcome::Succeeded, "{first:?}");
    assert_eq!(first.resources["employees"].mode.to_string(), "full");

    // Nothing changed: one request for the persons, and employments only of whoever
    // changed within the overlap before the watermark.
    let quiet = h.sync(people(ApiChoice::V2)).await;
    let read = &quiet.resources["employees"];
    assert_eq!(read.mode.to_string(), "incremental", "{read:?}");
    assert_eq!((read.created, read.updated), (0, 0), "{read:?}");
    assert!(read.fetched < 5, "{read:?}");

    // A new position, written through v2 as Personio's users would.
    let personio = Personio::new(&h).await;
    let person = &h.sandbox_employees().await[3];
    let id = person["attributes"]["id"]["value"].as_i64().unwrap();
    let listed = personio
        .send(
            reqwest::Method::GET,
            &format!("/v2/persons/{id}/employments"),
            None,
        )
        .await;
    let employment = listed["_data"][0]["id"].as_str().unwrap().to_owned();
    personio
        .send(
            reqwest::Method::PATCH,
            &format!("/v2/persons/{id}/employments/{employment}"),
            Some(json!({"position": {"title": "Head of Tea"}})),
        )
        .await;
    let changed = h.sync(people(ApiChoice::V2)).await;
    let read = &changed.resources["employees"];
    // A change calls for a reconciliation of ids (30 in one page), not of employments.
    assert_eq!(read.mode.to_string(), "incremental+reconcile", "{read:?}");
    assert_eq!(
        (read.created, read.updated, read.deleted),
        (0, 1, 0),
        "{read:?}"
    );
    assert!(read.min_requests < 1 + 5 + 1, "{read:?}");
    let stored = rows(&h.store, h.company.id, &EMPLOYMENTS).await;
    let position = EMPLOYMENTS.column_index("position").unwrap();
    assert_eq!(
        stored[&Key::Text(employment.clone())][position],
        Cell::text("Head of Tea")
    );

    // On the reconciliation's schedule, everything is read again, employments included.
    let scheduled = h
        .sync(SyncOptions {
            reconcile_every: chrono::Duration::zero(),
            ..people(ApiChoice::V2)
        })
        .await;
    let read = &scheduled.resources["employees"];
    assert_eq!(read.mode.to_string(), "full", "{read:?}");
    assert_eq!((read.fetched, read.min_requests), (30, 1 + 30), "{read:?}");
    assert_eq!(
        (read.created, read.updated, read.deleted),
        (0, 0, 0),
        "{read:?}"
    );
}

bridge_testkit::each_backend!(
    employees_read_through_v2_are_the_rows_v1_stores,
    an_incremental_v2_sync_of_employees_reads_only_changed_people,
    a_full_v1_sync_stores_the_rows_a_full_v2_sync_stores,
    switching_api_neither_duplicates_nor_deletes_absences,
    an_incremental_v1_sync_picks_up_changes_and_reconciles_deletions,
    absence_types_read_through_v1_are_the_rows_v2_stores,
);
