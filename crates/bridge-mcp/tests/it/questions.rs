//! The `absent` question on both databases, called in process: for spans in the past, around
//! today and in the future (where open-ended absences count), company-wide and per
//! department, the pages it answers hold exactly the absences the records say.

use std::collections::BTreeSet;

use bridge_mcp::{BridgeMcp, Caller, ToolStats};
use bridge_store::tables::{self, Table};
use bridge_store::{Location, OpenOptions, RecordQuery, Scope, Store, StoredRecord};
use bridge_testkit::{TestDb, sandbox, spawn_sandbox};
use chrono::{Duration, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::harness::link_and_sync;
use crate::reads::{current_employments, int, key_text, text};

const STORE_KEY: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

async fn live(
    store: &Store,
    company: bridge_store::CompanyId,
    table: &'static Table,
) -> Vec<StoredRecord> {
    let query = RecordQuery {
        limit: 100_000,
        ..RecordQuery::default()
    };
    store.browse(company, table, &query).await.unwrap()
}

/// Every page of `absent` for `arguments`, followed by its cursor: the absence ids.
async fn absent_ids(server: &BridgeMcp, caller: &Caller, mut arguments: Value) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for _ in 0..1_000 {
        let result = server
            .call_as(caller, "absent", arguments.as_object().cloned())
            .await
            .unwrap();
        assert_ne!(result.is_error, Some(true), "{result:?}");
        let text = serde_json::to_value(&result.content[0]).unwrap()["text"]
            .as_str()
            .unwrap()
            .to_owned();
        let page: Value = serde_json::from_str(&text).unwrap();
        for absence in page["absences"].as_array().unwrap() {
            let id = absence["absence_id"].as_str().unwrap().to_owned();
            assert!(ids.insert(id), "an absence came twice: {page}");
        }
        match &page["next_cursor"] {
            Value::String(cursor) => arguments["cursor"] = json!(cursor),
            _ => return ids,
        }
    }
    panic!("absent never stopped paging");
}

async fn absences_overlapping_a_span_are_found_whole(db: TestDb) {
    let sandbox = spawn_sandbox(sandbox(23, 40).history_days(60));
    let store = Store::open(
        &Location::parse(&db.url).unwrap(),
        OpenOptions {
            key: Some(STORE_KEY.to_owned()),
            ..OpenOptions::default()
        },
    )
    .await
    .unwrap();
    let acme = link_and_sync(&store, &sandbox, "acme").await;
    let (tm, ta) = (&tables::EMPLOYMENTS, &tables::ABSENCE_PERIODS);
    let employments = live(&store, acme.id, tm).await;
    let current = current_employments(&employments);
    let department_of = |person: i64| current.get(&person).and_then(|e| text(e, tm, "department"));
    let absences = live(&store, acme.id, ta).await;
    assert!(!absences.is_empty(), "the sandbox has absences");
    let departments: BTreeSet<String> = current
        .values()
        .filter_map(|e| text(e, tm, "department"))
        .collect();
    assert!(!departments.is_empty());

    let caller = Caller::local("acme", vec![Scope::Read]);
    let server = BridgeMcp::local(store.clone(), caller.clone(), ToolStats::default());
    let today = Utc::now().date_naive();
    let spans: Vec<(NaiveDate, NaiveDate)> = [-45, -7, 0, 7, 30]
        .into_iter()
        .map(|days| {
            let from = today + Duration::days(days);
            (from, from + Duration::days(6))
        })
        .collect();
    let mut found = 0;
    for (from, to) in spans {
        let overlapping: Vec<&StoredRecord> = absences
            .iter()
            .filter(|a| {
                let start = text(a, ta, "start").unwrap();
                start.as_str() <= format!("{to}T23:59:59").as_str()
                    && text(a, ta, "end").is_none_or(|end| end >= format!("{from}T00:00:00"))
            })
            .collect();
        let everyone: BTreeSet<String> = overlapping.iter().map(|a| key_text(a)).collect();
        let arguments = json!({ "from": from.to_string(), "to": to.to_string(), "limit": 3 });
        assert_eq!(
            absent_ids(&server, &caller, arguments).await,
            everyone,
            "{from}..{to}"
        );
        found += everyone.len();
        for department in &departments {
            let expected: BTreeSet<String> = overlapping
                .iter()
                .filter(|a| {
                    department_of(int(a, ta, "employee_id").unwrap())
                        .is_some_and(|d| d.eq_ignore_ascii_case(department))
                })
                .map(|a| key_text(a))
                .collect();
            let arguments = json!({
                "from": from.to_string(), "to": to.to_string(),
                "department": department.to_uppercase(), "limit": 2
            });
            assert_eq!(
                absent_ids(&server, &caller, arguments).await,
                expected,
                "{department} {from}..{to}"
            );
        }
    }
    assert!(found > 0, "some span holds absences");
}

bridge_testkit::each_backend!(absences_overlapping_a_span_are_found_whole);
