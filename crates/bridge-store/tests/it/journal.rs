//! The write journal: an intent journalled once per key, steps that never move a final
//! entry, and write-through that stores the record, its change and its event with the
//! outcome, once.

use bridge_store::tables::ATTENDANCE_PERIODS;
use bridge_store::{
    CompanyId, JournalState, JournalStep, Key, NewCompany, NewSubscription, NewWrite, RecordQuery,
    Row, Store, Value, WriteThrough,
};
use bridge_testkit::TestDb;
use secrecy::SecretString;

use crate::{at, open, query_texts};

async fn company(store: &Store) -> CompanyId {
    let new = NewCompany {
        name: "acme".into(),
        base_url: "http://127.0.0.1:1".into(),
        client_id: "id".into(),
        client_secret: SecretString::from("s".to_owned()),
        recruiting: None,
        filters: Default::default(),
        granted: serde_json::json!({}),
    };
    store.add_company(new, at(0)).await.unwrap().id
}

fn intent(company: CompanyId, key: &str, hash: &str) -> NewWrite {
    NewWrite {
        company,
        key: key.into(),
        resource: "attendance_periods".into(),
        operation: "create".into(),
        target_id: None,
        request: "{}".into(),
        request_hash: hash.into(),
        requested_by: "key:journal".into(),
    }
}

fn period(id: &str) -> Row {
    ATTENDANCE_PERIODS
        .row(Key::Text(id.into()))
        .set("employee_id", Value::Int(7))
        .set("type", "WORK")
        .set("start", "2027-01-04T09:00:00")
        .set("end", "2027-01-04T17:00:00")
        .set("attribution_date", "2027-01-04")
        .set("status", "CONFIRMED")
        .set("project_id", Value::Null)
        .set("comment", Value::Null)
        .set("break_minutes", Value::Null)
        .finish(format!(r#"{{"id":"{id}"}}"#), None)
        .unwrap()
}

fn step(company: CompanyId, state: JournalState, target: Option<&str>) -> JournalStep<'_> {
    JournalStep {
        company,
        key: "k1",
        state,
        target_id: target,
        outcome: None,
        sent: state == JournalState::Sending,
        read: false,
        now: at(2),
    }
}

async fn a_key_is_journalled_once_and_a_final_entry_never_moves(db: TestDb) {
    let store = open(&db).await;
    let acme = company(&store).await;
    store
        .add_webhook(
            NewSubscription {
                url: "http://127.0.0.1:9/hook".into(),
                events: vec!["attendance.created".into(), "attendance.deleted".into()],
                company: None,
                secret: SecretString::from("a-secret-of-sixteen".to_owned()),
            },
            at(0),
        )
        .await
        .unwrap();

    let (entry, new) = store
        .journal_intent(intent(acme, "k1", "h1"), at(1))
        .await
        .unwrap();
    assert!(new);
    assert_eq!(entry.state, JournalState::Pending);
    let (again, new) = store
        .journal_intent(intent(acme, "k1", "other"), at(2))
        .await
        .unwrap();
    assert!(!new, "the key's first entry stays");
    assert_eq!(again.request_hash, "h1");

    assert!(
        store
            .journal_step(step(acme, JournalState::Sending, None))
            .await
            .unwrap()
    );
    assert!(
        store
            .journal_step(step(acme, JournalState::Unknown, None))
            .await
            .unwrap()
    );
    assert!(
        store
            .journal_step(step(acme, JournalState::Accepted, Some("p-1")))
            .await
            .unwrap()
    );
    let open_entries = store.journal_open(Some(acme)).await.unwrap();
    assert_eq!(open_entries.len(), 1);
    assert_eq!(open_entries[0].state, JournalState::Accepted);
    assert_eq!(open_entries[0].target_id.as_deref(), Some("p-1"));
    assert_eq!(open_entries[0].sends, 1);

    let write = |rows: Vec<Row>, deleted: Vec<Key>, key: &'static str| WriteThrough {
        company: acme,
        key,
        target_id: "p-1",
        table: &ATTENDANCE_PERIODS,
        rows,
        deleted,
        outcome: r#"{"outcome":"created","id":"p-1"}"#,
        now: at(3),
    };
    let applied = store
        .journal_write_through(write(vec![period("p-1")], vec![], "k1"))
        .await
        .unwrap();
    assert_eq!(applied.created, 1);
    let entry = store.journal_entry(acme, "k1").await.unwrap().unwrap();
    assert_eq!(entry.state, JournalState::Succeeded);
    assert!(store.journal_open(None).await.unwrap().is_empty());
    let stored = store
        .browse(
            acme,
            &ATTENDANCE_PERIODS,
            &RecordQuery {
                limit: 10,
                ..RecordQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);

    // Final: no step moves it, a second write-through stores nothing.
    assert!(
        !store
            .journal_step(step(acme, JournalState::Pending, None))
            .await
            .unwrap()
    );
    let twice = store
        .journal_write_through(write(vec![period("p-1")], vec![], "k1"))
        .await
        .unwrap();
    assert_eq!(twice.created + twice.updated + twice.unchanged, 0);

    // A delete's write-through marks the record deleted, with its event.
    let mut delete = intent(acme, "k2", "h2");
    delete.operation = "delete".into();
    store.journal_intent(delete, at(4)).await.unwrap();
    store
        .journal_write_through(write(vec![], vec![Key::Text("p-1".into())], "k2"))
        .await
        .unwrap();
    let live = store
        .browse(
            acme,
            &ATTENDANCE_PERIODS,
            &RecordQuery {
                limit: 10,
                ..RecordQuery::default()
            },
        )
        .await
        .unwrap();
    assert!(live.is_empty());
    let mut events = query_texts(&db, "SELECT event_type AS text FROM webhook_events").await;
    events.sort();
    assert_eq!(events, ["attendance.created", "attendance.deleted"]);
}

bridge_testkit::each_backend!(a_key_is_journalled_once_and_a_final_entry_never_moves);
