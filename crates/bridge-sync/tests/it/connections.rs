//! Connection health and per-company settings as the scheduler lives them: a revoked
//! credential breaks the company (one `connection.broken`) and pauses its schedule until it
//! is linked again; the scheduled full reconciliation finds a deletion no incremental window
//! sees; the recruiting token is proved, or refused, when given.

use std::time::Duration;

use bridge_store::tables::ATTENDANCE_PERIODS;
use bridge_store::{
    CompanySettings, ConnectionStatus, Filters, Key, NewSubscription, Outcome, RecordQuery, Store,
    Value as Column,
};
use bridge_sync::link::{self, Link, LinkError};
use bridge_sync::scheduler::{Scheduler, SchedulerConfig};
use bridge_testkit::{ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, COMPANY_ID, RECRUITING_TOKEN, TestDb};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::harness;

/// A running scheduler, stopped by `stop`.
struct Running {
    scheduler: Scheduler,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), bridge_sync::Error>>,
}

fn start(store: &Store) -> Running {
    let mut config = SchedulerConfig::new("w");
    config.poll = Duration::from_millis(20);
    config.retry_after = Duration::from_millis(10);
    let scheduler = Scheduler::new(store.clone(), config);
    let (stop, stopped) = oneshot::channel::<()>();
    let running = scheduler.clone();
    let task = tokio::spawn(async move {
        running
            .run(async move {
                let _ = stopped.await;
            })
            .await
    });
    Running {
        scheduler,
        stop,
        task,
    }
}

impl Running {
    async fn stop(self) {
        self.stop.send(()).unwrap();
        self.task.await.unwrap().unwrap();
    }
}

/// Waits (a bounded number of short rounds) until the company has `n` finished runs and
/// its job was handed back (what a run learns is recorded after the run itself).
async fn wait_for_runs(store: &Store, company: bridge_store::CompanyId, n: usize) {
    for _ in 0..3000 {
        let runs = store.runs(company, 20).await.unwrap();
        let jobs = store.jobs().await.unwrap();
        let handed_back = jobs
            .iter()
            .all(|j| j.leased_by.is_none() && j.last_finished_at.is_some());
        if runs.len() >= n && runs.iter().all(|r| r.outcome != Outcome::Running) && handed_back {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("gave up waiting for {n} runs");
}

/// Waits (bounded) until the company's job is neither running nor asked for; returns how
/// many runs it has then.
async fn wait_until_idle(store: &Store, company: bridge_store::CompanyId) -> usize {
    for _ in 0..3000 {
        let runs = store.runs(company, 20).await.unwrap();
        let jobs = store.jobs().await.unwrap();
        let idle = jobs
            .iter()
            .all(|j| j.leased_by.is_none() && j.requested_at.is_none());
        if idle && runs.iter().all(|r| r.outcome != Outcome::Running) {
            return runs.len();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the company's job never came to rest");
}

/// The connection events waiting for delivery: (type, data).
async fn connection_events(store: &Store) -> Vec<(String, Value)> {
    store
        .claim_deliveries(
            "reader",
            chrono::Duration::minutes(1),
            100,
            chrono::Utc::now(),
        )
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.event.event_type.starts_with("connection."))
        .map(|d| (d.event.event_type, d.event.data.unwrap_or_default()))
        .collect()
}

async fn admin(
    sandbox: &bridge_testkit::RunningSandbox,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let mut request = reqwest::Client::new()
        .request(method, sandbox.url(path))
        .bearer_auth(ADMIN_TOKEN);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap_or(Value::Null)
}

fn link_for(sandbox: &bridge_testkit::RunningSandbox, id: &str, secret: &str) -> Link {
    Link {
        company: "acme".into(),
        base_url: url::Url::parse(&sandbox.base_url).unwrap(),
        client_id: id.into(),
        client_secret: SecretString::from(secret.to_owned()),
        recruiting: None,
        filters: Filters::default(),
        replace: true,
    }
}

async fn a_revoked_credential_breaks_the_company_until_it_is_linked_again(db: TestDb) {
    let sandbox = bridge_testkit::spawn_sandbox(bridge_testkit::sandbox(41, 12).history_days(20));
    let h = harness(db, sandbox, CLIENT_ID, CLIENT_SECRET, Filters::default()).await;
    h.store
        .add_webhook(
            NewSubscription {
                url: "http://127.0.0.1:9/hook".into(),
                events: vec!["connection.broken".into(), "connection.relinked".into()],
                company: None,
                secret: SecretString::from("whsec-test-secret".to_owned()),
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let worker = start(&h.store);
    wait_for_runs(&h.store, h.company.id, 1).await;
    // A sync asked for while the first ran follows it: let it, so that the only run after
    // the revocation is the one asked for below.
    let settled = wait_until_idle(&h.store, h.company.id).await;
    let before = h.store.counts(h.company.id).await.unwrap();
    assert!(
        before
            .iter()
            .any(|c| c.table == "employees" && c.live == 12)
    );

    admin(
        &h.sandbox,
        reqwest::Method::DELETE,
        &format!("/_sandbox/credentials/{CLIENT_ID}"),
        None,
    )
    .await;
    worker.scheduler.enqueue_now(h.company.id).await.unwrap();
    wait_for_runs(&h.store, h.company.id, settled + 1).await;
    worker.stop().await;
    let company = h.store.company("acme").await.unwrap();
    assert_eq!(company.connection.status, ConnectionStatus::Broken);
    let runs = h.store.runs(h.company.id, 10).await.unwrap();
    let jobs = h.store.jobs().await.unwrap();
    // The run asked for, and perhaps a scheduled one that came due first: each refused.
    // After them, nothing (below).
    let after = &runs[..runs.len() - settled];
    assert!((1..=2).contains(&after.len()), "{runs:#?} {jobs:#?}");
    assert!(
        after.iter().all(|r| r.outcome == Outcome::Failed),
        "{runs:#?}"
    );
    let reason = company.connection.reason.clone().unwrap();
    assert!(reason.contains("rejected the credentials"), "{reason}");
    // Nothing is tried on schedule, however late it is.
    let later = chrono::Utc::now() + chrono::Duration::days(30);
    assert_eq!(
        h.store
            .claim_job("probe", chrono::Duration::minutes(1), later)
            .await
            .unwrap(),
        None
    );

    // Linked again with a new credential: the same company, its records kept.
    let created = admin(
        &h.sandbox,
        reqwest::Method::POST,
        "/_sandbox/credentials",
        Some(json!({"name": "bridge again", "access": {
            "employees": "read", "org_units": "read", "absences": "read", "attendances": "read"
        }, "readable_attributes": "all"})),
    )
    .await;
    let (id, secret) = (
        created["client_id"].as_str().unwrap(),
        created["client_secret"].as_str().unwrap(),
    );
    let (relinked, _) = link::connect(&h.store, link_for(&h.sandbox, id, secret))
        .await
        .unwrap();
    assert_eq!(relinked.id, h.company.id);
    assert_eq!(relinked.connection.status, ConnectionStatus::Linked);
    assert_eq!(relinked.connection.reason, None);
    assert_eq!(h.store.counts(h.company.id).await.unwrap(), before);
    assert!(
        h.store
            .claim_job("probe", chrono::Duration::minutes(1), later)
            .await
            .unwrap()
            .is_some(),
        "the schedule runs again"
    );

    let events = connection_events(&h.store).await;
    let types: Vec<&str> = events.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        ["connection.broken", "connection.relinked"],
        "once per transition"
    );
    assert_eq!(events[0].1["company"], "acme");
    assert_eq!(events[0].1["status"], "broken");
    assert_eq!(events[0].1["reason"], reason.as_str());
    assert_eq!(events[1].1["status"], "linked");
}

/// The stored attendance period that starts `days` before the sandbox's day, if any.
async fn period_days_back(h: &crate::Harness, days: i64) -> Key {
    let day = (bridge_testkit::as_of() - chrono::Duration::days(days)).to_string();
    let start = ATTENDANCE_PERIODS
        .columns
        .iter()
        .position(|(c, _)| *c == "start")
        .unwrap();
    let records = h
        .store
        .browse(
            h.company.id,
            &ATTENDANCE_PERIODS,
            &RecordQuery {
                limit: 100_000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    records
        .into_iter()
        .find(|r| matches!(&r.values[start], Column::Text(t) if t.starts_with(&day)))
        .map(|r| r.key)
        .expect("a work period on that day")
}

async fn deleted_at(h: &crate::Harness, key: &Key) -> Option<String> {
    let found = h
        .store
        .browse(
            h.company.id,
            &ATTENDANCE_PERIODS,
            &RecordQuery {
                limit: 1,
                include_removed: true,
                keys: Some(vec![key.clone()]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    found[0].deleted_at.clone()
}

async fn the_scheduled_full_reconciliation_finds_a_deletion_older_than_the_windows(db: TestDb) {
    let sandbox = bridge_testkit::spawn_sandbox(bridge_testkit::sandbox(42, 10).history_days(70));
    let h = harness(db, sandbox, CLIENT_ID, CLIENT_SECRET, Filters::default()).await;
    let settings = CompanySettings {
        full_reconcile_days: 1,
        ..Default::default()
    };
    h.store
        .set_company_settings(h.company.id, &settings, chrono::Utc::now())
        .await
        .unwrap();
    let worker = start(&h.store);
    wait_for_runs(&h.store, h.company.id, 1).await;
    let settled = wait_until_idle(&h.store, h.company.id).await;
    // A work period 40 days back (attendances are reconciled over 14 days) is deleted.
    let gone = period_days_back(&h, 40).await;
    let token = crate::incremental::v2_token(&h.sandbox.base_url).await;
    let response = reqwest::Client::new()
        .delete(h.sandbox.url(&format!("/v2/attendance-periods/{gone}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);

    worker.scheduler.enqueue_now(h.company.id).await.unwrap();
    wait_for_runs(&h.store, h.company.id, settled + 1).await;
    let settled = wait_until_idle(&h.store, h.company.id).await;
    let runs = h.store.runs(h.company.id, 20).await.unwrap();
    assert!(runs.iter().all(|r| r.mode == "auto"), "{runs:#?}");
    assert_eq!(
        deleted_at(&h, &gone).await,
        None,
        "no incremental window sees it"
    );

    // A day passes (told to the store rather than waited for): the full reconciliation is due.
    let backdated = chrono::Utc::now() - chrono::Duration::days(2);
    h.store
        .set_full_reconciled(h.company.id, backdated)
        .await
        .unwrap();
    worker.scheduler.enqueue_now(h.company.id).await.unwrap();
    wait_for_runs(&h.store, h.company.id, settled + 1).await;
    wait_until_idle(&h.store, h.company.id).await;
    worker.stop().await;
    // The run asked for is the full one (a scheduled run that came due first would be too).
    let runs = h.store.runs(h.company.id, 20).await.unwrap();
    let full: Vec<_> = runs[..runs.len() - settled]
        .iter()
        .filter(|r| r.mode == "full")
        .collect();
    assert!(!full.is_empty(), "{runs:#?}");
    assert!(
        full.iter().all(|r| r.outcome == Outcome::Succeeded),
        "{runs:#?}"
    );
    assert!(
        deleted_at(&h, &gone).await.is_some(),
        "found by the full reconciliation"
    );
    let reconciled = h
        .store
        .company("acme")
        .await
        .unwrap()
        .full_reconciled_at
        .unwrap();
    assert!(reconciled > backdated, "the next is due a period later");
}

async fn the_recruiting_token_is_proved_without_creating_anything(db: TestDb) {
    let sandbox = bridge_testkit::spawn_sandbox(bridge_testkit::sandbox(43, 5).history_days(0));
    let h = harness(db, sandbox, CLIENT_ID, CLIENT_SECRET, Filters::default()).await;
    let with = |token: &str, company_id: i64| Link {
        recruiting: Some((SecretString::from(token.to_owned()), company_id)),
        ..link_for(&h.sandbox, CLIENT_ID, CLIENT_SECRET)
    };
    link::diagnose(&with(RECRUITING_TOKEN, COMPANY_ID))
        .await
        .unwrap();
    for (token, company_id) in [
        ("wrong-token", COMPANY_ID),
        (RECRUITING_TOKEN, COMPANY_ID + 1),
    ] {
        let error = link::diagnose(&with(token, company_id)).await.unwrap_err();
        assert!(
            matches!(error, LinkError::RecruitingRefused { .. }),
            "{error:?}"
        );
        assert!(error.hint().is_some());
    }
    // Every check was answered without an application created (201).
    let requests = admin(&h.sandbox, reqwest::Method::GET, "/_sandbox/requests", None).await;
    let answers = &requests["routes"]["POST /v1/recruiting/applications"];
    assert_eq!(answers["400"], 1, "{requests}");
    assert_eq!(answers["401"], 2, "{requests}");
    assert!(answers.get("201").is_none(), "{requests}");
    // A company without recruiting's API is refused too, and says so.
    admin(
        &h.sandbox,
        reqwest::Method::PUT,
        "/_sandbox/features",
        Some(json!({"recruiting_api": false})),
    )
    .await;
    let error = link::diagnose(&with(RECRUITING_TOKEN, COMPANY_ID))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, LinkError::RecruitingRefused { reason } if reason.contains("lacks Recruiting")),
        "{error:?}"
    );
    admin(
        &h.sandbox,
        reqwest::Method::PUT,
        "/_sandbox/features",
        Some(json!({"recruiting_api": true})),
    )
    .await;
    // An unreachable recruiting side is not a refusal.
    admin(
        &h.sandbox,
        reqwest::Method::PUT,
        "/_sandbox/faults",
        Some(json!({"rules": [{"path_prefix": "/v1/recruiting", "every": 1, "fault": {"kind": "status", "status": 503}}]})),
    )
    .await;
    let error = link::diagnose(&with(RECRUITING_TOKEN, COMPANY_ID))
        .await
        .unwrap_err();
    assert!(
        matches!(error, LinkError::RecruitingUnavailable { .. }),
        "{error:?}"
    );
    // A refused token stores nothing.
    admin(
        &h.sandbox,
        reqwest::Method::DELETE,
        "/_sandbox/faults",
        None,
    )
    .await;
    let mut link = with("wrong-token", COMPANY_ID);
    link.company = "other".into();
    assert!(link::connect(&h.store, link).await.is_err());
    assert!(h.store.find_company("other").await.unwrap().is_none());
}

bridge_testkit::each_backend!(
    a_revoked_credential_breaks_the_company_until_it_is_linked_again,
    the_scheduled_full_reconciliation_finds_a_deletion_older_than_the_windows,
    the_recruiting_token_is_proved_without_creating_anything,
);
