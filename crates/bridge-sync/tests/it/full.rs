use bridge_store::tables::{EMPLOYEES, EMPLOYMENTS};
use bridge_store::{Key, Outcome};
use bridge_sync::SyncOptions;
use bridge_testkit::TestDb;

use crate::default_harness;

async fn a_full_sync_stores_every_employee_as_the_sandbox_serves_them(db: TestDb) {
    let h = default_harness(db, 21, 150).await;
    let summary = h.sync(SyncOptions::default()).await;
    assert_eq!(summary.outcome, Outcome::Succeeded, "{summary:?}");
    let employees = &summary.resources["employees"];
    assert_eq!(
        (
            employees.fetched,
            employees.created,
            employees.mode.to_string().as_str()
        ),
        (150, 150, "full")
    );
    assert!(summary.resources["org_units"].created > 10);
    // Every listing read in the fewest pages possible, plus the token requests.
    let minimum: u64 = summary.token_requests
        + summary
            .resources
            .values()
            .map(|r| r.min_requests)
            .sum::<u64>();
    assert_eq!(summary.requests, minimum, "{summary:?}");
    assert_eq!((summary.retries, summary.rate_limited), (0, 0));

    let served = h.sandbox_employees().await;
    let stored = h
        .store
        .employee_records(h.company.id, None, 1000, false)
        .await
        .unwrap();
    assert_eq!(stored.len(), served.len());
    for (person, record) in served.iter().zip(&stored) {
        let a = &person["attributes"];
        assert_eq!(a["id"]["value"].as_i64(), Some(record.id));
        let text =
            |table: &bridge_store::Table, values: &[bridge_store::Value], name: &str| match &values
                [table.column_index(name).unwrap()]
            {
                bridge_store::Value::Text(s) => Some(s.clone()),
                bridge_store::Value::Int(n) => Some(n.to_string()),
                bridge_store::Value::Real(x) => Some(x.to_string()),
                bridge_store::Value::Null => None,
            };
        assert_eq!(
            text(&EMPLOYEES, &record.employee, "email").as_deref(),
            a["email"]["value"].as_str()
        );
        assert_eq!(
            text(&EMPLOYEES, &record.employee, "last_name").as_deref(),
            a["last_name"]["value"].as_str()
        );
        let job = record.employment.as_ref().unwrap();
        assert_eq!(
            text(&EMPLOYMENTS, job, "status").as_deref(),
            a["status"]["value"].as_str()
        );
        assert_eq!(
            text(&EMPLOYMENTS, job, "department").as_deref(),
            a["department"]["value"]["attributes"]["name"].as_str()
        );
        assert_eq!(
            text(&EMPLOYMENTS, job, "hire_date").as_deref(),
            a["hire_date"]["value"].as_str().map(|d| &d[..10])
        );
        let supervisor = a["supervisor"]["value"]["attributes"]["id"]["value"]
            .as_i64()
            .map(|n| n.to_string());
        assert_eq!(text(&EMPLOYMENTS, job, "supervisor_id"), supervisor);
        let custom = a
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.starts_with("dynamic_"))
            .count();
        assert_eq!(
            record.custom_attributes.len(),
            custom,
            "custom attributes by label"
        );
    }
    let raw = h
        .store
        .records(h.company.id, &EMPLOYEES, None, 1, false)
        .await
        .unwrap();
    let raw: serde_json::Value = serde_json::from_str(&raw[0].raw).unwrap();
    assert_eq!(raw, served[0], "the raw JSON is Personio's, verbatim");
    let _ = Key::Int(0);
}

async fn a_second_sync_reads_only_changes_and_changes_nothing(db: TestDb) {
    let h = default_harness(db, 22, 120).await;
    h.sync(SyncOptions::default()).await;
    let second = h.sync(SyncOptions::default()).await;
    let employees = &second.resources["employees"];
    assert_eq!(employees.mode.to_string(), "incremental");
    assert_eq!(
        (employees.created, employees.updated, employees.deleted),
        (0, 0, 0)
    );
    let resources = second.resources.len() as u64;
    // At most one request per resource (org units: departments and teams) plus auth.
    assert!(
        second.requests <= resources + 1 + 2,
        "a no-change sync made {} requests",
        second.requests
    );
}

bridge_testkit::each_backend!(
    a_full_sync_stores_every_employee_as_the_sandbox_serves_them,
    a_second_sync_reads_only_changes_and_changes_nothing,
);
