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

bridge_testkit::each_backend!(two_workers_share_the_companies_and_sync_each_once);
