//! The webhook outbox: events only for listeners, written with the page or not at all, and
//! deliveries claimed by one worker at a time and never again once delivered.

use std::collections::BTreeSet;

use bridge_store::tables::EMPLOYEES;
use bridge_store::{Checkpoint, CompanyId, NewCompany, NewSubscription, PageWrite, Row, Store};
use bridge_testkit::{Backend, TestDb};
use chrono::Duration;
use secrecy::{ExposeSecret, SecretString};
use sqlx::Connection;

use crate::{at, open, person, query_texts};

async fn company(store: &Store, name: &str) -> CompanyId {
    let new = NewCompany {
        name: name.into(),
        base_url: "http://127.0.0.1:1".into(),
        client_id: "id".into(),
        client_secret: SecretString::from("s".to_owned()),
        recruiting: None,
        filters: Default::default(),
        granted: serde_json::json!({}),
    };
    store.add_company(new, at(0)).await.unwrap().id
}

fn page(company: CompanyId, rows: Vec<Row>, hour: u32) -> PageWrite {
    PageWrite {
        company,
        table: &EMPLOYEES,
        rows,
        leaving: vec![],
        seen: vec![],
        derived: vec![],
        checkpoint: Checkpoint {
            resource: "employees".into(),
            ..Default::default()
        },
        now: at(hour),
    }
}

async fn subscribe(store: &Store, events: &[&str], company: Option<CompanyId>) -> String {
    store
        .add_webhook(
            NewSubscription {
                url: "http://127.0.0.1:9/hook".into(),
                events: events.iter().map(|e| (*e).to_owned()).collect(),
                company,
                secret: SecretString::from("whsec-test-secret".to_owned()),
            },
            at(0),
        )
        .await
        .unwrap()
        .id
}

async fn event_types(db: &TestDb) -> Vec<String> {
    query_texts(
        db,
        "SELECT event_type FROM webhook_events ORDER BY event_type, record_id",
    )
    .await
}

async fn events_are_written_only_for_companies_and_types_someone_subscribed_to(db: TestDb) {
    let store = open(&db).await;
    let acme = company(&store, "acme").await;
    let other = company(&store, "other").await;
    store
        .apply_page(page(acme, vec![person(1, "Müller")], 2))
        .await
        .unwrap();
    assert!(event_types(&db).await.is_empty(), "nobody listens yet");

    let hook = subscribe(&store, &["employee.updated"], Some(acme)).await;
    store
        .apply_page(page(acme, vec![person(1, "Meier"), person(2, "García")], 3))
        .await
        .unwrap();
    store
        .apply_page(page(other, vec![person(1, "Other")], 3))
        .await
        .unwrap();
    assert_eq!(
        event_types(&db).await,
        ["employee.updated"],
        "only acme's update: the creation and the other company are not wanted"
    );
    let claimed = store
        .claim_deliveries("w", Duration::minutes(1), 10, at(4))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let delivery = &claimed[0];
    assert_eq!(delivery.subscription, hook);
    assert_eq!(delivery.event.company_name, "acme");
    assert_eq!(delivery.event.record_id, "1");
    assert_eq!(delivery.event.changed, ["last_name"]);
    assert_eq!(
        delivery.secret.as_ref().unwrap().expose_secret(),
        "whsec-test-secret"
    );
    assert!(
        !format!("{delivery:?}").contains("whsec-test-secret"),
        "never in Debug"
    );
    let sealed = query_texts(&db, "SELECT secret FROM webhook_subscriptions").await;
    assert!(!sealed[0].contains("whsec-test-secret"), "sealed at rest");

    // A deleted subscription gets nothing more.
    assert!(store.disable_webhook(&hook, at(5)).await.unwrap());
    store
        .apply_page(page(acme, vec![person(1, "Schmidt")], 6))
        .await
        .unwrap();
    assert_eq!(event_types(&db).await.len(), 1);
    assert!(store.webhooks().await.unwrap().is_empty());
}

/// Makes the checkpoint write, the last statement of a page's transaction, fail.
async fn break_checkpoints(db: &TestDb) {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let statements: &[&str] = match db.backend {
        Backend::Sqlite => &[
            "CREATE TRIGGER refuse_checkpoints BEFORE INSERT ON checkpoints BEGIN SELECT RAISE(ABORT, 'refused'); END",
        ],
        Backend::Postgres => &[
            "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_checkpoints BEFORE INSERT ON checkpoints FOR EACH ROW EXECUTE FUNCTION refuse()",
        ],
    };
    for statement in statements {
        sqlx::query(*statement).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();
}

async fn a_page_that_rolls_back_leaves_no_event(db: TestDb) {
    let store = open(&db).await;
    let acme = company(&store, "acme").await;
    subscribe(&store, &["*"], None).await;
    break_checkpoints(&db).await;
    let failed = store
        .apply_page(page(acme, vec![person(1, "Müller")], 2))
        .await;
    assert!(failed.is_err(), "the checkpoint write was refused");
    assert!(
        event_types(&db).await.is_empty(),
        "no event without its change"
    );
    assert!(
        query_texts(&db, "SELECT event_id FROM webhook_deliveries")
            .await
            .is_empty()
    );
    assert!(
        store
            .claim_deliveries("w", Duration::minutes(1), 10, at(3))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_delivery_is_held_by_one_claimer_until_its_lease_lapses_and_never_after_success(
    db: TestDb,
) {
    let store = open(&db).await;
    let acme = company(&store, "acme").await;
    subscribe(&store, &["employee.created"], None).await;
    let people: Vec<Row> = (1..=6).map(|id| person(id, "Müller")).collect();
    store.apply_page(page(acme, people, 2)).await.unwrap();

    let lease = Duration::minutes(1);
    let t = at(3);
    // Two claimers at once: together they hold every delivery, never one twice.
    let (a, b) = tokio::join!(
        store.claim_deliveries("a", lease, 4, t),
        store.claim_deliveries("b", lease, 4, t)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let ids_a: BTreeSet<i64> = a.iter().map(|d| d.id).collect();
    let ids_b: BTreeSet<i64> = b.iter().map(|d| d.id).collect();
    assert!(ids_a.is_disjoint(&ids_b), "{ids_a:?} and {ids_b:?}");
    assert_eq!(ids_a.len() + ids_b.len(), 6);
    assert!(
        store
            .claim_deliveries("c", lease, 10, t)
            .await
            .unwrap()
            .is_empty(),
        "all are held"
    );

    // a delivers its first; b fails one and dies holding the rest.
    let delivered = &a[0];
    assert!(
        store
            .delivery_succeeded(delivered.id, 200, t)
            .await
            .unwrap()
    );
    assert!(
        !store
            .delivery_succeeded(delivered.id, 200, t)
            .await
            .unwrap(),
        "delivered once"
    );
    let failed = &b[0];
    assert!(
        store
            .delivery_failed(
                failed,
                "b",
                Some(500),
                "HTTP 500",
                t + Duration::seconds(30),
                t
            )
            .await
            .unwrap()
    );
    for rest in a.iter().skip(1) {
        store.delivery_succeeded(rest.id, 204, t).await.unwrap();
    }
    // After b's lease lapses, its deliveries (and the failed one, now due) are claimable again.
    let later = t + Duration::minutes(2);
    let taken = store.claim_deliveries("c", lease, 10, later).await.unwrap();
    let taken_ids: BTreeSet<i64> = taken.iter().map(|d| d.id).collect();
    assert_eq!(
        taken_ids, ids_b,
        "exactly b's deliveries, none delivered ones"
    );
    let retried = taken.iter().find(|d| d.id == failed.id).unwrap();
    assert_eq!(retried.attempts, 2);
    assert_eq!(
        retried.event.id, failed.event.id,
        "the same event id on every attempt"
    );
    assert!(
        !store
            .delivery_failed(failed, "b", Some(500), "late", later, later)
            .await
            .unwrap(),
        "b no longer holds it"
    );
    for delivery in &taken {
        assert!(
            store
                .delivery_succeeded(delivery.id, 200, later)
                .await
                .unwrap()
        );
    }
    assert!(
        store
            .claim_deliveries("d", lease, 10, later + Duration::days(1))
            .await
            .unwrap()
            .is_empty(),
        "delivered ones are never claimed again"
    );
}

async fn a_delivery_failing_past_its_events_expiry_expires(db: TestDb) {
    let store = open(&db).await;
    let acme = company(&store, "acme").await;
    let hook = subscribe(&store, &["*"], None).await;
    store
        .apply_page(page(acme, vec![person(1, "Müller"), person(2, "Meier")], 2))
        .await
        .unwrap();
    let claimed = store
        .claim_deliveries("w", Duration::minutes(1), 10, at(3))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    let expiry = claimed[0].event.expires_at;
    assert!(
        store
            .delivery_failed(&claimed[0], "w", None, "refused", expiry, at(3))
            .await
            .unwrap()
    );
    assert!(
        store
            .delivery_failed(&claimed[1], "w", Some(503), "HTTP 503", at(4), at(3))
            .await
            .unwrap()
    );
    assert_eq!(store.expire_deliveries(expiry).await.unwrap(), 1);
    assert!(
        store
            .claim_deliveries("w", Duration::minutes(1), 10, expiry)
            .await
            .unwrap()
            .is_empty()
    );
    let log = store.webhook_deliveries(&hook, None, 10).await.unwrap();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|entry| entry.status == "expired"));
    assert!(log.iter().any(|entry| entry.last_status == Some(503)));
    let older = store
        .webhook_deliveries(&hook, Some(log[0].id), 10)
        .await
        .unwrap();
    assert_eq!(older.len(), 1, "paged by id");
}

bridge_testkit::each_backend!(
    events_are_written_only_for_companies_and_types_someone_subscribed_to,
    a_page_that_rolls_back_leaves_no_event,
    a_delivery_is_held_by_one_claimer_until_its_lease_lapses_and_never_after_success,
    a_delivery_failing_past_its_events_expiry_expires,
);
