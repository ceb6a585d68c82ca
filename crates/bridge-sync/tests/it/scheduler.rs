use std::time::Duration;

use bridge_store::{Location, NewCompany, OpenOptions, Store};
use bridge_sync::scheduler::{Scheduler, SchedulerConfig};
use bridge_testkit::TestDb;
use secrecy::SecretString;
use tokio::sync::oneshot;

/// Waits (a bounded number of short rounds) until `done` holds for the store's jobs.
async fn wait_for_jobs(store: &Store, what: &str, done: impl Fn(&[bridge_store::Job]) -> bool) {
    for _ in 0..6000 {
        if done(&store.jobs().await.unwrap()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "gave up waiting until {what}: {:#?}",
        store.jobs().await.unwrap()
    );
}

async fn two_workers_share_the_companies_and_sync_each_once(db: TestDb) {
    let sandbox =
        bridge_testkit::spawn_sandbox((0..4).fold(bridge_testkit::sandbox(31, 25), |b, i| {
            b.credential(format!("client-{i}"), format!("secret-{i}"))
        }));
    let key = bridge_store::secrets::Key::from_bytes([3u8; 32]).to_base64();
    let open = || async {
        Store::open(
            &Location::parse(&db.url).unwrap(),
            OpenOptions {
                key: Some(key.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
    };
    let store = open().await;
    for i in 0..4 {
        store
            .add_company(
                NewCompany {
                    name: format!("company-{i}"),
                    base_url: sandbox.base_url.clone(),
                    client_id: format!("client-{i}"),
                    client_secret: SecretString::from(format!("secret-{i}")),
                    recruiting: None,
                    filters: Default::default(),
                    granted: serde_json::json!({}),
                },
                chrono::Utc::now(),
            )
            .await
            .unwrap();
    }
    let mut stops = Vec::new();
    let mut workers = Vec::new();
    let mut schedulers = Vec::new();
    for w in 0..2 {
        let mut config = SchedulerConfig::new(format!("w{w}"));
        config.poll = Duration::from_millis(20);
        let scheduler = Scheduler::new(open().await, config);
        let (stop, stopped) = oneshot::channel::<()>();
        let running = scheduler.clone();
        workers.push(tokio::spawn(async move {
            running
                .run(async move {
                    let _ = stopped.await;
                })
                .await
        }));
        stops.push(stop);
        schedulers.push(scheduler);
    }
    wait_for_jobs(&store, "every company synced", |jobs| {
        jobs.len() == 4 && jobs.iter().all(|j| j.last_outcome.is_some())
    })
    .await;
    for company in store.companies().await.unwrap() {
        let runs = store.runs(company.id, 10).await.unwrap();
        assert_eq!(runs.len(), 1, "{} synced once", company.name);
        assert_eq!(runs[0].outcome, bridge_store::Outcome::Succeeded);
    }
    let jobs = store.jobs().await.unwrap();
    assert!(jobs.iter().all(|j| j.claims == 1 && j.leased_by.is_none()));
    assert!(
        jobs.iter()
            .all(|j| j.next_run_at > j.last_finished_at.unwrap()),
        "next runs are scheduled an interval later"
    );
    // "Sync now" reaches a worker at once, not at the next interval.
    let first = jobs[0].company;
    schedulers[1].enqueue_now(first).await.unwrap();
    wait_for_jobs(&store, "the requested sync ran", |jobs| {
        jobs.iter()
            .any(|j| j.company == first && j.claims == 2 && j.leased_by.is_none())
    })
    .await;
    assert_eq!(store.runs(first, 10).await.unwrap().len(), 2);
    for stop in stops {
        stop.send(()).unwrap();
    }
    for worker in workers {
        worker.await.unwrap().unwrap();
    }
}

/// Employees 900001 and 900002, unknown to Personio, stored 200 days ago: 900001 deleted in
/// Personio 100 days ago, 900002 five days ago.
async fn plant_deleted_people(store: &Store, company: bridge_store::CompanyId) {
    use bridge_store::tables::EMPLOYEES;
    use bridge_store::{Checkpoint, Key, ListingEnd, PageWrite, Value};
    let now = chrono::Utc::now();
    let ago = |days| now - chrono::Duration::days(days);
    let person = |id: i64| {
        EMPLOYEES
            .row(Key::Int(id))
            .set("first_name", "Ehemalig")
            .set("last_name", id.to_string())
            .set("preferred_name", Value::Null)
            .set("email", format!("p{id}@example.org"))
            .set("gender", Value::Null)
            .set("language", Value::Null)
            .set("custom_attributes", "{}")
            .set("source_created_at", Value::Null)
            .finish(format!(r#"{{"id":{id}}}"#), None)
            .unwrap()
    };
    let checkpoint = || Checkpoint {
        resource: "employees".into(),
        ..Default::default()
    };
    for (ids, day) in [(vec![900_001, 900_002], 200), (vec![900_002], 100)] {
        store
            .apply_page(PageWrite {
                company,
                table: &EMPLOYEES,
                rows: ids.into_iter().map(person).collect(),
                leaving: vec![],
                seen: vec![],
                derived: vec![],
                checkpoint: checkpoint(),
                now: ago(day),
            })
            .await
            .unwrap();
        // A full listing that ends a day later and saw only that page.
        store
            .finish_listing(ListingEnd {
                company,
                table: &EMPLOYEES,
                started_at: ago(day),
                scope: None,
                derived: vec![],
                checkpoint: checkpoint(),
                now: ago(day - 1),
            })
            .await
            .unwrap();
    }
    store
        .finish_listing(ListingEnd {
            company,
            table: &EMPLOYEES,
            started_at: ago(5),
            scope: None,
            derived: vec![],
            checkpoint: checkpoint(),
            now: ago(5),
        })
        .await
        .unwrap();
}

/// The ids of a company's employees, live or not.
async fn employee_ids(store: &Store, company: &bridge_store::Company) -> Vec<i64> {
    let query = bridge_store::RecordQuery {
        include_removed: true,
        limit: 1000,
        ..Default::default()
    };
    let mut ids: Vec<i64> = store
        .browse(company.id, &bridge_store::tables::EMPLOYEES, &query)
        .await
        .unwrap()
        .iter()
        .map(|record| match record.key {
            bridge_store::Key::Int(id) => id,
            bridge_store::Key::Text(_) => panic!("employees have numeric ids"),
        })
        .collect();
    ids.sort_unstable();
    ids
}

async fn a_scheduled_sync_purges_what_the_company_keeps_past_its_retention(db: TestDb) {
    let sandbox = bridge_testkit::spawn_sandbox(bridge_testkit::sandbox(37, 6));
    let key = bridge_store::secrets::Key::from_bytes([4u8; 32]).to_base64();
    let open = || async {
        Store::open(
            &Location::parse(&db.url).unwrap(),
            OpenOptions {
                key: Some(key.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
    };
    let store = open().await;
    let mut companies = Vec::new();
    for name in ["keeps-30-days", "keeps-all"] {
        let company = store
            .add_company(
                NewCompany {
                    name: name.into(),
                    base_url: sandbox.base_url.clone(),
                    client_id: bridge_testkit::CLIENT_ID.into(),
                    client_secret: SecretString::from(bridge_testkit::CLIENT_SECRET.to_owned()),
                    recruiting: None,
                    filters: Default::default(),
                    granted: serde_json::json!({}),
                },
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        plant_deleted_people(&store, company.id).await;
        companies.push(company);
    }
    let settings = bridge_store::CompanySettings {
        retention_days: Some(30),
        ..store.company_settings(companies[0].id).await.unwrap()
    };
    store
        .set_company_settings(companies[0].id, &settings, chrono::Utc::now())
        .await
        .unwrap();
    let planted = employee_ids(&store, &companies[0]).await;
    assert_eq!(planted, [900_001, 900_002]);

    let mut config = SchedulerConfig::new("w-retention".to_owned());
    config.poll = Duration::from_millis(20);
    let scheduler = Scheduler::new(open().await, config);
    let (stop, stopped) = oneshot::channel::<()>();
    let worker = tokio::spawn(async move {
        scheduler
            .run(async move {
                let _ = stopped.await;
            })
            .await
    });
    wait_for_jobs(&store, "both companies synced", |jobs| {
        jobs.len() == 2 && jobs.iter().all(|j| j.last_outcome.is_some())
    })
    .await;
    stop.send(()).unwrap();
    worker.await.unwrap().unwrap();

    // Personio's people are stored in both; of the planted, only the one deleted longer
    // than 30 days ago is gone, and only where the company keeps 30 days.
    let kept = employee_ids(&store, &companies[0]).await;
    let all = employee_ids(&store, &companies[1]).await;
    let from_personio: Vec<i64> = all.iter().copied().filter(|id| *id < 900_000).collect();
    assert_eq!(from_personio.len(), 6, "{all:?}");
    assert!(all.ends_with(&[900_001, 900_002]), "{all:?}");
    let mut expected = from_personio.clone();
    expected.push(900_002);
    assert_eq!(kept, expected);
    let purges = store
        .audit_log(&bridge_store::AuditQuery {
            action: Some("purge".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(purges.len(), 1, "{purges:?}");
    assert_eq!(purges[0].actor, bridge_store::SWEEP_ACTOR);
    assert_eq!(purges[0].company.as_deref(), Some("keeps-30-days"));
}

bridge_testkit::each_backend!(
    two_workers_share_the_companies_and_sync_each_once,
    a_scheduled_sync_purges_what_the_company_keeps_past_its_retention,
);
