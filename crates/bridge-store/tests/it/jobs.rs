use std::collections::BTreeSet;

use bridge_store::{CompanyId, NewCompany, Outcome, Store};
use bridge_testkit::TestDb;
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;

use crate::{at, open};

async fn companies(store: &Store, n: usize) -> Vec<CompanyId> {
    let mut ids = Vec::new();
    for i in 0..n {
        let new = NewCompany {
            name: format!("company-{i}"),
            base_url: "http://127.0.0.1:1".into(),
            client_id: format!("id-{i}"),
            client_secret: SecretString::from("s".to_owned()),
            recruiting: None,
            filters: Default::default(),
            granted: serde_json::json!({}),
        };
        ids.push(store.add_company(new, at(0)).await.unwrap().id);
    }
    ids
}

fn minutes(start: DateTime<Utc>, m: i64) -> DateTime<Utc> {
    start + Duration::minutes(m)
}

async fn a_job_is_held_by_one_worker_until_its_lease_lapses(db: TestDb) {
    let store = open(&db).await;
    let ids = companies(&store, 2).await;
    let t0 = at(1);
    assert_eq!(store.schedule_companies(t0).await.unwrap(), 2);
    assert_eq!(store.schedule_companies(t0).await.unwrap(), 0, "once each");
    let lease = Duration::minutes(10);
    let a = store.claim_job("a", lease, t0).await.unwrap().unwrap();
    let b = store.claim_job("b", lease, t0).await.unwrap().unwrap();
    assert_eq!(
        BTreeSet::from([a.company, b.company]),
        BTreeSet::from_iter(ids)
    );
    assert_eq!(a.claims, 1);
    assert!(
        store.claim_job("c", lease, t0).await.unwrap().is_none(),
        "both jobs are held"
    );
    // b renews; a does not (it died). After the first lease, only a's job is free.
    assert!(
        store
            .renew_lease(b.company, "b", lease, minutes(t0, 8))
            .await
            .unwrap()
    );
    let taken = store
        .claim_job("c", lease, minutes(t0, 11))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        taken.company, a.company,
        "the dead worker's job is taken over"
    );
    assert_eq!(taken.claims, 2);
    assert!(
        !store
            .renew_lease(a.company, "a", lease, minutes(t0, 12))
            .await
            .unwrap(),
        "the old holder learns it lost the job"
    );
    assert!(
        !store
            .finish_job(a.company, "a", Outcome::Succeeded, at(5), minutes(t0, 12))
            .await
            .unwrap(),
        "and cannot hand it back"
    );
    assert!(
        store
            .finish_job(a.company, "c", Outcome::Succeeded, at(5), minutes(t0, 13))
            .await
            .unwrap()
    );
    let jobs = store.jobs().await.unwrap();
    let job = jobs.iter().find(|j| j.company == a.company).unwrap();
    assert_eq!(job.next_run_at, at(5));
    assert_eq!(job.last_outcome.as_deref(), Some("succeeded"));
    assert_eq!((job.leased_by.as_deref(), job.lease_until), (None, None));
    assert!(
        store
            .claim_job("c", lease, minutes(t0, 14))
            .await
            .unwrap()
            .is_none(),
        "not due again before its next run"
    );
    assert!(store.claim_job("c", lease, at(5)).await.unwrap().is_some());
}

async fn sync_now_during_a_run_makes_the_job_due_again_when_it_ends(db: TestDb) {
    let store = open(&db).await;
    let id = companies(&store, 1).await[0];
    let t0 = at(1);
    store.schedule_companies(t0).await.unwrap();
    let lease = Duration::minutes(10);
    let claim = store.claim_job("a", lease, t0).await.unwrap().unwrap();
    assert_eq!(claim.company, id);
    store.enqueue_now(id, minutes(t0, 1)).await.unwrap();
    assert!(
        store
            .claim_job("b", lease, minutes(t0, 1))
            .await
            .unwrap()
            .is_none(),
        "a requested job still runs on one worker only"
    );
    store
        .finish_job(id, "a", Outcome::Succeeded, at(9), minutes(t0, 2))
        .await
        .unwrap();
    let again = store.claim_job("b", lease, minutes(t0, 3)).await.unwrap();
    assert_eq!(again.map(|c| c.company), Some(id), "due at once");
    store
        .finish_job(id, "b", Outcome::Succeeded, at(9), minutes(t0, 4))
        .await
        .unwrap();
    assert!(
        store
            .claim_job("a", lease, minutes(t0, 5))
            .await
            .unwrap()
            .is_none(),
        "the request was served: next run as scheduled"
    );
    store
        .release_job(id, "nobody", minutes(t0, 5))
        .await
        .unwrap();
    store.enqueue_now(id, minutes(t0, 6)).await.unwrap();
    assert!(
        store
            .claim_job("a", lease, minutes(t0, 6))
            .await
            .unwrap()
            .is_some()
    );
}

async fn workers_claiming_at_once_never_share_a_job(db: TestDb) {
    let store = open(&db).await;
    let ids = companies(&store, 12).await;
    store.schedule_companies(at(1)).await.unwrap();
    let mut tasks = Vec::new();
    for w in 0..6 {
        // Each worker has its own pool, as separate processes would.
        let store = open(&db).await;
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(claim) = store
                .claim_job(&format!("w{w}"), Duration::minutes(10), at(1))
                .await
                .unwrap()
            {
                mine.push(claim.company);
            }
            mine
        }));
    }
    let mut claimed = Vec::new();
    for task in tasks {
        claimed.extend(task.await.unwrap());
    }
    claimed.sort_by_key(|c| c.0);
    assert_eq!(claimed, ids, "every job claimed exactly once");
}

async fn requests_for_resources_add_up_and_leave_the_schedule_alone(db: TestDb) {
    let store = open(&db).await;
    let id = companies(&store, 1).await[0];
    let t0 = at(1);
    store.schedule_companies(t0).await.unwrap();
    let lease = Duration::minutes(10);
    // The scheduled run, then the next one is due at at(9).
    let claim = store.claim_job("a", lease, t0).await.unwrap().unwrap();
    assert!(!claim.is_targeted(), "a scheduled run syncs everything");
    store
        .finish_job(id, "a", Outcome::Succeeded, at(9), minutes(t0, 1))
        .await
        .unwrap();
    assert!(
        store
            .claim_job("a", lease, minutes(t0, 2))
            .await
            .unwrap()
            .is_none()
    );

    // Two webhooks before a worker is free: one run of both resources.
    store
        .request_resources(id, &["employees"], minutes(t0, 3))
        .await
        .unwrap();
    store
        .request_resources(id, &["absences", "employees"], minutes(t0, 4))
        .await
        .unwrap();
    let jobs = store.jobs().await.unwrap();
    assert_eq!(
        jobs[0].requested_resources,
        Some(vec!["employees".to_owned(), "absences".to_owned()])
    );
    let claim = store
        .claim_job("a", lease, minutes(t0, 5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        claim.resources,
        Some(vec!["employees".to_owned(), "absences".to_owned()])
    );
    assert_eq!(claim.next_run_at, at(9), "the schedule as it stood");

    // A webhook during the run stays pending for after it; the targeted run hands the
    // schedule back unchanged.
    store
        .request_resources(id, &["attendances"], minutes(t0, 6))
        .await
        .unwrap();
    store
        .finish_job(
            id,
            "a",
            Outcome::Succeeded,
            claim.next_run_at,
            minutes(t0, 7),
        )
        .await
        .unwrap();
    let claim = store
        .claim_job("b", lease, minutes(t0, 8))
        .await
        .unwrap()
        .unwrap();
    assert!(claim.is_targeted());
    let resources = claim.resources.clone().unwrap();
    assert!(
        resources.contains(&"attendances".to_owned()),
        "{resources:?}"
    );
    store
        .finish_job(
            id,
            "b",
            Outcome::Succeeded,
            claim.next_run_at,
            minutes(t0, 9),
        )
        .await
        .unwrap();
    let job = &store.jobs().await.unwrap()[0];
    assert_eq!(job.next_run_at, at(9));
    assert!(job.requested_at.is_none() && job.requested_resources.is_none());
    assert!(
        store
            .claim_job("b", lease, minutes(t0, 10))
            .await
            .unwrap()
            .is_none()
    );

    // "Sync now" asks for everything, and a later webhook does not narrow it.
    store.enqueue_now(id, minutes(t0, 11)).await.unwrap();
    store
        .request_resources(id, &["employees"], minutes(t0, 12))
        .await
        .unwrap();
    let claim = store
        .claim_job("a", lease, minutes(t0, 13))
        .await
        .unwrap()
        .unwrap();
    assert!(!claim.is_targeted(), "{claim:?}");

    // Once the scheduled run is due, a pending request does not narrow it either.
    store
        .finish_job(
            id,
            "a",
            Outcome::Succeeded,
            minutes(t0, 20),
            minutes(t0, 14),
        )
        .await
        .unwrap();
    store
        .request_resources(id, &["employees"], minutes(t0, 15))
        .await
        .unwrap();
    let claim = store
        .claim_job("a", lease, minutes(t0, 21))
        .await
        .unwrap()
        .unwrap();
    assert!(!claim.is_targeted(), "{claim:?}");
}

bridge_testkit::each_backend!(
    requests_for_resources_add_up_and_leave_the_schedule_alone,
    a_job_is_held_by_one_worker_until_its_lease_lapses,
    sync_now_during_a_run_makes_the_job_due_again_when_it_ends,
    workers_claiming_at_once_never_share_a_job,
    the_footprint_counts_bytes_and_postgres_connections,
);

/// What the store costs the database: a size that grows with what is stored, and on
/// PostgreSQL the connections open to it (this store's among them).
async fn the_footprint_counts_bytes_and_postgres_connections(db: TestDb) {
    let store = open(&db).await;
    let before = store.footprint().await.unwrap();
    assert!(before.bytes > 0, "{before:?}");
    companies(&store, 200).await;
    let after = store.footprint().await.unwrap();
    assert!(after.bytes >= before.bytes, "{before:?} then {after:?}");
    match after.connections {
        Some(open) => {
            assert!(db.is_postgres());
            assert!(open >= 1, "this store's own connection is counted");
        }
        None => assert!(!db.is_postgres(), "PostgreSQL counts its connections"),
    }
}
