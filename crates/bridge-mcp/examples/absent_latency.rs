//! Tool-call latency of "who is absent next week in a department" on a synced store, against
//! what the same question costs through Personio's API at its rate limits.
//!
//! ```text
//! cargo run --release -p bridge-mcp --example absent_latency -- --db bridge.db --company demo
//! cargo run --release -p bridge-mcp --example absent_latency -- --employees 10000
//! ```
//!
//! With `--db`, the store (and its key, as every command finds it) of a synced company; without,
//! a sandbox of `--employees` people (default 10,000) synced into a temporary store first,
//! which takes minutes. The department asked about is the company's largest; "next week" is
//! the Monday to Sunday after today. Each call runs the whole tool (arguments, query, JSON),
//! in process, without a transport.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use bridge_mcp::{BridgeMcp, Caller, ToolStats};
use bridge_store::{Location, OpenOptions, Scope, Store};
use chrono::{Datelike, Duration as Days, Utc};
use serde_json::{Value, json};

const CALLS: usize = 1_000;
const WARM_UP: usize = 50;

/// Personio's rates for the requests the question needs (personio-api.md §5.1, §5.1b):
/// v1 employees 300 a minute (the sustained rate; bursts of 15 a second come out of it),
/// v2 absence periods about 10 a second (observed by a client, not documented).
const EMPLOYEES_PER_SECOND: f64 = 5.0;
const ABSENCES_PER_SECOND: f64 = 10.0;
/// Page sizes: v1 employees at most 100, v2 absence periods at most 100.
const EMPLOYEES_PER_PAGE: u64 = 100;
const ABSENCES_PER_PAGE: u64 = 100;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let (_dir, _sandbox, store, company) = match flag("--db") {
        Some(db) => {
            let store = Store::open(&Location::parse(&db).unwrap(), OpenOptions::default())
                .await
                .expect("open the store");
            let company = flag("--company").unwrap_or_else(|| "demo".into());
            (None, None, store, company)
        }
        None => {
            let employees: usize = flag("--employees")
                .map(|n| n.parse().expect("--employees takes a number"))
                .unwrap_or(10_000);
            let (dir, sandbox, store) = synced_sandbox(employees).await;
            (Some(dir), Some(sandbox), store, "acme".to_owned())
        }
    };
    let company = store.company(&company).await.expect("the company exists");
    let people = store
        .counts(company.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.table == "employees")
        .map(|c| c.live)
        .unwrap_or(0);
    let department = largest_department(&store, company.id).await;
    let today = Utc::now().date_naive();
    let monday = today + Days::days(7 - i64::from(today.weekday().num_days_from_monday()));
    let sunday = monday + Days::days(6);

    let caller = Caller::local(&company.name, vec![Scope::Read]);
    let server = BridgeMcp::local(store.clone(), caller.clone(), ToolStats::default());
    let arguments = json!({
        "from": monday.to_string(), "to": sunday.to_string(),
        "department": department, "limit": 100
    });
    let ask = || async {
        let result = server
            .call_as(&caller, "absent", arguments.as_object().cloned())
            .await
            .expect("absent is a tool");
        assert_ne!(result.is_error, Some(true), "{result:?}");
        result
    };
    let answer = ask().await;
    let text = serde_json::to_value(&answer.content[0]).unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let body: Value = serde_json::from_str(&text).unwrap();
    let absent = body["absences"].as_array().map(Vec::len).unwrap_or(0);
    for _ in 0..WARM_UP {
        ask().await;
    }
    let mut took: Vec<Duration> = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let started = Instant::now();
        ask().await;
        took.push(started.elapsed());
    }
    took.sort();
    let at = |q: f64| took[((took.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;

    // The same question through Personio: every employee (for their department), then every
    // absence overlapping the week (Personio filters absences by date, not by department).
    let week_absences = store
        .absent(
            company.id,
            &bridge_store::questions::AbsenceFilter {
                from: monday.to_string(),
                to: sunday.to_string(),
                limit: 1_000_000,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .len() as u64;
    let employee_pages = (people as u64).div_ceil(EMPLOYEES_PER_PAGE);
    let absence_pages = week_absences.div_ceil(ABSENCES_PER_PAGE).max(1);
    let personio_seconds =
        employee_pages as f64 / EMPLOYEES_PER_SECOND + absence_pages as f64 / ABSENCES_PER_SECOND;

    println!("store: {people} people, company {}", company.name);
    println!(
        "question: who is absent {monday} to {sunday} in {department:?} ({absent} absences in the answer)"
    );
    println!(
        "MCP tool `absent`, {CALLS} calls: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        ms(at(0.50)),
        ms(at(0.99)),
        ms(at(1.0))
    );
    println!(
        "through Personio: {} requests ({employee_pages} employee pages at {EMPLOYEES_PER_SECOND}/s + \
         {absence_pages} absence pages at {ABSENCES_PER_SECOND}/s for {week_absences} absences that week) \
         = at least {personio_seconds:.1} s",
        employee_pages + absence_pages
    );
}

/// The department with the most people (by current employment).
async fn largest_department(store: &Store, company: bridge_store::CompanyId) -> String {
    let mut counts = std::collections::HashMap::<String, usize>::new();
    let mut after = None;
    loop {
        let page = store
            .find_people(
                company,
                &bridge_store::questions::PeopleFilter {
                    after,
                    limit: 1000,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for person in &page {
            if let Some(department) = &person.department {
                *counts.entry(department.clone()).or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|(name, n)| (*n, name.clone()))
        .map(|(name, _)| name)
        .expect("the company has departments")
}

/// A sandbox of `employees` people synced into a temporary store.
async fn synced_sandbox(
    employees: usize,
) -> (tempfile::TempDir, bridge_testkit::RunningSandbox, Store) {
    use bridge_sync::link::{Link, connect};
    let sandbox = bridge_testkit::spawn_sandbox(bridge_testkit::sandbox(1, employees));
    let dir = tempfile::tempdir().unwrap();
    let key = bridge_store::secrets::Key::from_bytes([7u8; 32]).to_base64();
    let store = Store::open(
        &Location::Sqlite(dir.path().join("bridge.db")),
        OpenOptions {
            key: Some(key),
            ..OpenOptions::default()
        },
    )
    .await
    .unwrap();
    let (company, _) = connect(
        &store,
        Link {
            company: "acme".into(),
            base_url: url::Url::parse(&sandbox.base_url).unwrap(),
            client_id: bridge_testkit::CLIENT_ID.into(),
            client_secret: secrecy::SecretString::from(bridge_testkit::CLIENT_SECRET.to_owned()),
            recruiting: None,
            filters: Default::default(),
            replace: false,
        },
    )
    .await
    .unwrap();
    let client = bridge_sync::link::client_for(&store, &company)
        .await
        .unwrap();
    bridge_sync::SyncEngine::new(store.clone(), client, company)
        .run(&bridge_sync::SyncOptions::default())
        .await
        .unwrap();
    (dir, sandbox, store)
}
