//! Retention, erasure, the audit log and key rotation, on both backends: a purge removes
//! exactly the expired rows (whole tables compared before and after), an erasure leaves no
//! trace of the person but the tombstone and the audit entry, and a page of them is skipped
//! until they are allowed again; writes are audited in the journal's transaction and the
//! log refuses changes; a rotation re-seals everything and a crash between its steps leaves a
//! store that opens.

use std::collections::BTreeSet;

use bridge_store::tables::{ATTENDANCE_PERIODS, EMPLOYEES, EMPLOYMENTS};
use bridge_store::{
    AuditEvent, AuditQuery, Checkpoint, CompanyId, CompanySettings, JournalState, JournalStep, Key,
    ListingEnd, Location, NewCompany, NewSubscription, NewWrite, OpenOptions, PageWrite, Row,
    Store, Value, WriteThrough,
};
use bridge_testkit::TestDb;
use bridge_testkit::dump::{Dump, DumpRow, dump, find_text};
use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};

use crate::{at, open, person};

fn day(n: i64) -> DateTime<Utc> {
    at(0) + Duration::days(n)
}

async fn company(store: &Store, name: &str) -> CompanyId {
    let new = NewCompany {
        name: name.into(),
        base_url: "http://127.0.0.1:1".into(),
        client_id: "id".into(),
        client_secret: SecretString::from(format!("papi-{name}-client-secret")),
        recruiting: Some((SecretString::from(format!("rec-{name}-token")), 4242)),
        filters: Default::default(),
        granted: serde_json::json!({}),
    };
    store.add_company(new, at(0)).await.unwrap().id
}

fn page(company: CompanyId, rows: Vec<Row>, leaving: Vec<Key>, now: DateTime<Utc>) -> PageWrite {
    let table = rows.first().map_or(&EMPLOYEES, |r| r.table());
    PageWrite {
        company,
        table,
        rows,
        leaving,
        seen: vec![],
        derived: vec![],
        checkpoint: Checkpoint {
            resource: table.name.into(),
            ..Default::default()
        },
        now,
    }
}

/// A full listing of employees that began at `now` and saw only what was stored since.
fn listing_end(company: CompanyId, now: DateTime<Utc>) -> ListingEnd {
    ListingEnd {
        company,
        table: &EMPLOYEES,
        started_at: now,
        scope: None,
        derived: vec![],
        checkpoint: Checkpoint {
            resource: "employees".into(),
            ..Default::default()
        },
        now,
    }
}

async fn subscribe(store: &Store, company: CompanyId) {
    store
        .add_webhook(
            NewSubscription {
                url: "http://127.0.0.1:9/hook".into(),
                events: vec!["*".into()],
                company: Some(company),
                secret: SecretString::from("whsec-governance-secret".to_owned()),
            },
            at(0),
        )
        .await
        .unwrap();
}

/// Employees 1 to 5: 4 leaves the filters on day 1, 5 is deleted on day 1, 3 on day 50.
async fn history(store: &Store, company: CompanyId) {
    let people = |ids: &[i64]| ids.iter().map(|&id| person(id, "Nachname")).collect();
    store
        .apply_page(page(company, people(&[1, 2, 3, 4, 5]), vec![], day(0)))
        .await
        .unwrap();
    store
        .apply_page(page(company, people(&[1, 2, 3]), vec![Key::Int(4)], day(1)))
        .await
        .unwrap();
    store
        .finish_listing(listing_end(company, day(1)))
        .await
        .unwrap();
    store
        .apply_page(page(company, people(&[1, 2]), vec![], day(50)))
        .await
        .unwrap();
    store
        .finish_listing(listing_end(company, day(50)))
        .await
        .unwrap();
}

fn without(dump: &Dump, table: &str, gone: impl Fn(&DumpRow) -> bool) -> Vec<DumpRow> {
    dump[table].iter().filter(|r| !gone(r)).cloned().collect()
}

async fn a_purge_removes_exactly_the_expired_rows(db: TestDb) {
    let store = open(&db).await;
    let acme = company(&store, "acme").await;
    let other = company(&store, "other").await;
    subscribe(&store, acme).await;
    subscribe(&store, other).await;
    history(&store, acme).await;
    history(&store, other).await;
    let settings = CompanySettings {
        retention_days: Some(30),
        ..Default::default()
    };
    store
        .set_company_settings(acme, &settings, day(0))
        .await
        .unwrap();
    let before = dump(&db.url).await;

    let acme_company = store.company("acme").await.unwrap();
    let dry = store
        .purge_expired(&acme_company, "cli:test", true, day(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dump(&db.url).await, before, "a dry run changes nothing");
    assert_eq!(
        store
            .purge_expired(
                &store.company("other").await.unwrap(),
                "cli:test",
                false,
                day(60)
            )
            .await
            .unwrap(),
        None,
        "a company without a retention period keeps everything"
    );
    let purge = store
        .purge_expired(&acme_company, "cli:test", false, day(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(purge.removed, dry.removed, "the dry run told the truth");
    let after = dump(&db.url).await;

    // Employees 4 (out of the filters since day 1) and 5 (deleted on day 1) of acme, their
    // change index entries, their events and those events' deliveries; nothing else.
    let acme_id = acme.0.to_string();
    let expired = |row: &DumpRow, column: &str| {
        row["company_id"] == acme_id && (row[column] == "4" || row[column] == "5")
    };
    let gone_events: BTreeSet<String> = before["webhook_events"]
        .iter()
        .filter(|r| r["table_name"] == "employees" && expired(r, "record_id"))
        .map(|r| r["event_id"].clone())
        .collect();
    assert!(!gone_events.is_empty(), "the expired records had events");
    let mut expected = before.clone();
    expected.insert(
        "employees".into(),
        without(&before, "employees", |r| expired(r, "id")),
    );
    expected.insert(
        "record_changes".into(),
        without(&before, "record_changes", |r| {
            r["table_name"] == "employees" && expired(r, "record_id")
        }),
    );
    expected.insert(
        "webhook_events".into(),
        without(&before, "webhook_events", |r| {
            gone_events.contains(&r["event_id"])
        }),
    );
    expected.insert(
        "webhook_deliveries".into(),
        without(&before, "webhook_deliveries", |r| {
            gone_events.contains(&r["event_id"])
        }),
    );
    expected.insert("audit_log".into(), after["audit_log"].clone());
    assert_eq!(after, expected);
    assert_eq!(
        purge.removed.first(),
        Some(&("employees".to_owned(), 2)),
        "{:?}",
        purge.removed
    );
    let log = store
        .audit_log(&AuditQuery {
            action: Some("purge".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].company.as_deref(), Some("acme"));
    assert_eq!(log[0].actor, "cli:test");
}

const ERASED: i64 = 987_654;
const NAME: &str = "Quirinus";
const SURNAME: &str = "Zettelmeyer";
const EMAIL: &str = "quirinus.zettelmeyer@example.org";
const SUBORDINATE: i64 = 4_711;

fn erased_person() -> Row {
    EMPLOYEES
        .row(Key::Int(ERASED))
        .set("first_name", NAME)
        .set("last_name", SURNAME)
        .set("preferred_name", Value::Null)
        .set("email", EMAIL)
        .set("gender", "male")
        .set("language", Value::Null)
        .set("custom_attributes", "{}")
        .set("source_created_at", Value::Null)
        .finish(
            format!(r#"{{"id":{ERASED},"first_name":"{NAME}","last_name":"{SURNAME}","email":"{EMAIL}"}}"#),
            None,
        )
        .unwrap()
}

/// Someone the erased person supervises, as v1 lists them: the supervisor embedded with name
/// and email.
fn subordinate() -> Row {
    let mut row = person(SUBORDINATE, "Untergeben");
    row.raw = format!(
        r#"{{"type":"Employee","attributes":{{"id":{{"label":"ID","value":{SUBORDINATE}}},"supervisor":{{"label":"Supervisor","value":{{"type":"Employee","attributes":{{"id":{{"label":"ID","value":{ERASED}}},"first_name":{{"label":"First name","value":"{NAME}"}},"email":{{"label":"Email","value":"{EMAIL}"}}}}}}}}}}}}"#
    );
    row
}

/// The subordinate's employment, as v2 lists it: the supervisor by id.
fn subordinate_employment() -> Row {
    let mut row = EMPLOYMENTS
        .row(Key::Text("emp-sub".into()))
        .set("employee_id", Value::Int(SUBORDINATE))
        .set("supervisor_id", Value::Int(ERASED));
    for (column, _) in EMPLOYMENTS.columns {
        if !["employee_id", "supervisor_id"].contains(column) {
            row = row.set(column, Value::Null);
        }
    }
    row.finish(
        format!(
            r#"{{"id":"emp-sub","person":{{"id":"{SUBORDINATE}"}},"supervisor":{{"id":"{ERASED}"}},"position":{{"title":"Clerk"}}}}"#
        ),
        None,
    )
    .unwrap()
}

fn period(id: &str, employee: i64) -> Row {
    ATTENDANCE_PERIODS
        .row(Key::Text(id.into()))
        .set("employee_id", Value::Int(employee))
        .set("type", "WORK")
        .set("start", "2027-01-04T09:00:00")
        .set("end", "2027-01-04T17:00:00")
        .set("attribution_date", "2027-01-04")
        .set("status", "CONFIRMED")
        .set("project_id", Value::Null)
        .set("comment", Value::Null)
        .set("break_minutes", Value::Null)
        .finish(
            format!(r#"{{"id":"{id}","person":{{"id":{employee},"email":"p{employee}"}}}}"#),
            None,
        )
        .unwrap()
}

async fn an_erasure_leaves_only_the_tombstone_and_a_page_does_not_bring_them_back(db: TestDb) {
    let store = open(&db).await;
    let acme = company(&store, "acme").await;
    subscribe(&store, acme).await;
    store
        .apply_page(page(
            acme,
            vec![person(1, "Bleibt"), erased_person(), subordinate()],
            vec![],
            day(0),
        ))
        .await
        .unwrap();
    store
        .apply_page(page(acme, vec![subordinate_employment()], vec![], day(0)))
        .await
        .unwrap();
    let periods = || {
        vec![
            period("p-keep", 1),
            period("p-erase-1", ERASED),
            period("p-erase-2", ERASED),
        ]
    };
    store
        .apply_page(page(acme, periods(), vec![], day(0)))
        .await
        .unwrap();
    // A change, so the index and the outbox hold the person's records.
    let mut changed = erased_person();
    changed.raw = changed.raw.replace('}', r#","note":"x"}"#);
    store
        .apply_page(page(acme, vec![changed], vec![], day(1)))
        .await
        .unwrap();
    // A finished write that named them.
    store
        .journal_intent(
            NewWrite {
                company: acme,
                key: "w1".into(),
                resource: "attendance_periods".into(),
                operation: "create".into(),
                target_id: None,
                request: format!(r#"{{"CreateAttendance":{{"employee_id":{ERASED}}}}}"#),
                request_hash: "h".into(),
                requested_by: "key:erasure".into(),
            },
            day(1),
        )
        .await
        .unwrap();
    store
        .journal_write_through(WriteThrough {
            company: acme,
            key: "w1",
            target_id: "p-erase-3",
            table: &ATTENDANCE_PERIODS,
            rows: vec![period("p-erase-3", ERASED)],
            deleted: vec![],
            outcome: r#"{"outcome":"created","id":"p-erase-3"}"#,
            now: day(1),
        })
        .await
        .unwrap();
    let before = dump(&db.url).await;
    assert!(!find_text(&before, EMAIL, &[]).is_empty());

    let erasure = store
        .erase_employee(acme, ERASED, "cli:test", day(2))
        .await
        .unwrap();
    assert!(erasure.total() >= 5, "{erasure:?}");
    // The subordinate's employee and employment rows; the others do not name them.
    assert!(
        erasure
            .removed
            .contains(&("supervisor_references".to_owned(), 2)),
        "{erasure:?}"
    );
    let after = dump(&db.url).await;
    for needle in [NAME, SURNAME, EMAIL] {
        assert_eq!(
            find_text(&after, needle, &[]),
            vec![],
            "{needle} is gone everywhere"
        );
    }
    let id = ERASED.to_string();
    assert_eq!(
        find_text(&after, &id, &["erased_employees", "audit_log"]),
        vec![],
        "the id is left only in the tombstone and the audit log"
    );
    assert_eq!(after["erased_employees"].len(), 1);
    assert_eq!(after["erased_employees"][0]["erased_by"], "cli:test");
    // Everyone else's records are as they were, but for the subordinate's supervisor.
    let subordinate_rows = [SUBORDINATE.to_string(), "emp-sub".to_owned()];
    let keep = |d: &Dump, table: &str| -> Vec<DumpRow> {
        d[table]
            .iter()
            .filter(|r| !r.values().any(|v| v.contains(&id)))
            .filter(|r| !subordinate_rows.contains(&r["id"]))
            .cloned()
            .collect()
    };
    for table in ["employees", "employments", "attendance_periods"] {
        assert_eq!(keep(&after, table), keep(&before, table), "{table}");
    }
    let row = |d: &Dump, table: &str, key: &str| -> DumpRow {
        d[table]
            .iter()
            .find(|r| r["id"] == key)
            .cloned()
            .unwrap_or_else(|| panic!("{table} {key} is gone"))
    };
    let employment = row(&after, "employments", "emp-sub");
    assert_eq!(employment["supervisor_id"], "NULL");
    assert_eq!(employment["employee_id"], SUBORDINATE.to_string());
    let raw: serde_json::Value = serde_json::from_str(&employment["raw"]).unwrap();
    assert_eq!(raw["supervisor"], serde_json::Value::Null);
    assert_eq!(raw["position"]["title"], "Clerk");
    let employee = row(&after, "employees", &SUBORDINATE.to_string());
    assert_eq!(employee["last_name"], "Untergeben");
    let raw: serde_json::Value = serde_json::from_str(&employee["raw"]).unwrap();
    assert_eq!(
        raw["attributes"]["supervisor"],
        serde_json::json!({"label": "Supervisor", "value": null})
    );
    assert_eq!(raw["attributes"]["id"]["value"], SUBORDINATE);

    // Personio still lists them, and as the subordinate's supervisor: their rows are skipped,
    // the others stored without them.
    store
        .apply_page(page(
            acme,
            vec![person(1, "Bleibt"), erased_person(), subordinate()],
            vec![],
            day(3),
        ))
        .await
        .unwrap();
    store
        .apply_page(page(acme, vec![subordinate_employment()], vec![], day(3)))
        .await
        .unwrap();
    store
        .apply_page(page(acme, periods(), vec![], day(3)))
        .await
        .unwrap();
    let again = dump(&db.url).await;
    for needle in [NAME, EMAIL] {
        assert_eq!(find_text(&again, needle, &[]), vec![], "{needle}");
    }
    // Unchanged (only seen again): the page's supervisor is cleared before the comparison.
    let mut seen_again = row(&again, "employments", "emp-sub");
    assert_eq!(
        seen_again.remove("last_seen_at"),
        Some(day(3).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
    );
    let mut as_erased = employment.clone();
    as_erased.remove("last_seen_at");
    assert_eq!(seen_again, as_erased);
    assert_eq!(
        find_text(&again, &id, &["erased_employees", "audit_log"]),
        vec![]
    );

    // Allowed again, the next page stores them.
    assert!(
        store
            .allow_employee_again(acme, ERASED, "cli:test", day(4))
            .await
            .unwrap()
    );
    assert!(
        !store
            .allow_employee_again(acme, ERASED, "cli:test", day(4))
            .await
            .unwrap()
    );
    store
        .apply_page(page(acme, vec![erased_person()], vec![], day(5)))
        .await
        .unwrap();
    assert!(!find_text(&dump(&db.url).await, EMAIL, &[]).is_empty());
    let actions: Vec<String> = store
        .audit_log(&AuditQuery {
            actor: Some("cli:test".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["employee.allowed_again", "employee.erased"]);
}

async fn writes_are_audited_with_their_outcome_and_the_log_cannot_be_changed(db: TestDb) {
    let store = open(&db).await;
    let acme = company(&store, "acme").await;
    for key in ["ok", "no"] {
        store
            .journal_intent(
                NewWrite {
                    company: acme,
                    key: key.into(),
                    resource: "attendance_periods".into(),
                    operation: "create".into(),
                    target_id: None,
                    request: "{}".into(),
                    request_hash: key.into(),
                    requested_by: format!("key:{key}-feed"),
                },
                at(1),
            )
            .await
            .unwrap();
    }
    store
        .journal_write_through(WriteThrough {
            company: acme,
            key: "ok",
            target_id: "p1",
            table: &ATTENDANCE_PERIODS,
            rows: vec![period("p1", 1)],
            deleted: vec![],
            outcome: r#"{"outcome":"created","id":"p1"}"#,
            now: at(2),
        })
        .await
        .unwrap();
    store
        .journal_step(JournalStep {
            company: acme,
            key: "no",
            state: JournalState::Sending,
            target_id: None,
            outcome: None,
            sent: true,
            read: false,
            now: at(2),
        })
        .await
        .unwrap();
    assert_eq!(
        store
            .audit_log(&AuditQuery {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap()
            .len(),
        1,
        "a step that is not final is not an outcome"
    );
    store
        .journal_step(JournalStep {
            company: acme,
            key: "no",
            state: JournalState::Refused,
            target_id: None,
            outcome: Some(r#"{"status":422}"#),
            sent: false,
            read: false,
            now: at(3),
        })
        .await
        .unwrap();
    store
        .audit(AuditEvent::new("operator", "sign_in"), at(4))
        .await
        .unwrap();
    let all = store
        .audit_log(&AuditQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    type Seen<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);
    let seen: Vec<Seen> = all
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.company.as_deref(),
                e.record_id.as_deref(),
                e.outcome.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("sign_in", None, None, None),
            ("write.refused", Some("acme"), None, Some("refused")),
            (
                "write.succeeded",
                Some("acme"),
                Some("p1"),
                Some("succeeded")
            ),
        ]
    );
    assert_eq!(all[2].resource.as_deref(), Some("attendance_periods"));
    assert_eq!(all[2].detail["idempotency_key"], "ok");
    // The actor is whoever asked for the write, as journalled with its intent.
    assert_eq!(all[2].actor, "key:ok-feed");
    assert_eq!(all[1].actor, "key:no-feed");

    // Filters: action prefix, company, time, and the cursor.
    let query = |q: AuditQuery| {
        let store = store.clone();
        async move {
            let limit = if q.limit == 0 { 10 } else { q.limit };
            store.audit_log(&AuditQuery { limit, ..q }).await.unwrap()
        }
    };
    assert_eq!(
        query(AuditQuery {
            action: Some("write".into()),
            ..Default::default()
        })
        .await
        .len(),
        2
    );
    assert_eq!(
        query(AuditQuery {
            action: Some("writ".into()),
            ..Default::default()
        })
        .await
        .len(),
        0
    );
    assert_eq!(
        query(AuditQuery {
            company: Some("acme".into()),
            ..Default::default()
        })
        .await
        .len(),
        2
    );
    assert_eq!(
        query(AuditQuery {
            since: Some(at(3)),
            ..Default::default()
        })
        .await
        .len(),
        2
    );
    assert_eq!(
        query(AuditQuery {
            until: Some(at(3)),
            ..Default::default()
        })
        .await
        .len(),
        1
    );
    let first = query(AuditQuery {
        limit: 1,
        ..Default::default()
    })
    .await;
    let second = query(AuditQuery {
        before: Some(first[0].id),
        limit: 1,
        ..Default::default()
    })
    .await;
    assert_eq!(second[0].action, "write.refused");

    // Append-only, even past the store.
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url)
        .await
        .unwrap();
    for sql in [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
    ] {
        assert!(sqlx::query(sql).execute(&mut conn).await.is_err(), "{sql}");
    }
    assert_eq!(query(AuditQuery::default()).await.len(), 3);
}

/// The store at `db` opened with its key file (not a fixed key).
async fn open_with_file(db: &TestDb) -> Store {
    Store::open(
        &Location::parse(&db.url).unwrap(),
        OpenOptions {
            key: Some(String::new()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// The company's secrets and the webhooks' signing secrets, opened with the key in `key_file`.
async fn secrets(store: &Store, db: &TestDb, key_file: &std::path::Path) -> Vec<String> {
    let company = store.company("acme").await.unwrap();
    let credentials = store.credentials(&company).await.unwrap();
    let mut out = vec![credentials.client_secret.expose_secret().to_owned()];
    out.extend(
        credentials
            .recruiting
            .map(|(t, _)| t.expose_secret().to_owned()),
    );
    let key = bridge_store::secrets::Key::from_base64(&std::fs::read_to_string(key_file).unwrap())
        .unwrap();
    for hook in store.webhooks().await.unwrap() {
        let sealed = crate::query_texts(db, "SELECT secret FROM webhook_subscriptions").await;
        let secret = key.open(&format!("webhook:{}/secret", hook.id), &sealed[0]);
        out.push(
            secret
                .map(|s| s.expose_secret().to_owned())
                .unwrap_or_default(),
        );
    }
    out
}

async fn a_rotation_reseals_everything_and_an_interrupted_one_settles_on_open(db: TestDb) {
    if db.is_postgres() {
        // PostgreSQL keeps its key file in the user's config directory, which a test should
        // not touch: its key comes from outside, and the new key goes to a file named.
        return rotate_to_a_named_file(db).await;
    }
    let store = open_with_file(&db).await;
    let bridge_store::KeySource::File { path, .. } = store.key_source().clone() else {
        panic!("a key file")
    };
    company(&store, "acme").await;
    subscribe(&store, store.company("acme").await.unwrap().id).await;
    let (session, old_token) = store
        .create_link_session(
            bridge_store::NewLinkSession {
                company: "beta".into(),
                base_url: "http://127.0.0.1:1".into(),
                display_name: None,
                redirect_url: "https://vendor.example/done".into(),
                state: None,
                resources: vec!["employees".into()],
                access: bridge_store::LinkAccess::Read,
                created_by: None,
                lifetime: Duration::days(1),
            },
            at(0),
        )
        .await
        .unwrap();
    let expected = secrets(&store, &db, &path).await;
    let old_key = std::fs::read_to_string(&path).unwrap();

    let rotation = store.rotate_key(None, "cli:test", at(1)).await.unwrap();
    assert!(rotation.replaced_key_file);
    assert_eq!(
        (
            rotation.company_secrets,
            rotation.webhook_secrets,
            rotation.link_sessions
        ),
        (2, 1, 1)
    );
    let new_key = std::fs::read_to_string(&path).unwrap();
    assert_ne!(old_key, new_key);
    assert!(!bridge_store_pending(&path).exists());
    store.close().await;
    let store = open_with_file(&db).await;
    assert_eq!(
        secrets(&store, &db, &path).await,
        expected,
        "everything opens with the new key"
    );
    let new_token = store.link_token(&session.id);
    assert_ne!(new_token, old_token);
    assert_eq!(
        store
            .link_session_by_token(&new_token)
            .await
            .unwrap()
            .map(|s| s.id),
        Some(session.id.clone())
    );
    assert!(
        store
            .link_session_by_token(&old_token)
            .await
            .unwrap()
            .is_none()
    );

    // A crash after the commit, before the rename: the store is sealed with the pending key.
    let pending = bridge_store_pending(&path);
    store
        .rotate_key(Some(&pending), "cli:test", at(2))
        .await
        .unwrap();
    store.close().await;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), new_key);
    let store = open_with_file(&db).await;
    assert!(!pending.exists(), "the rename was finished");
    assert_ne!(std::fs::read_to_string(&path).unwrap(), new_key);
    assert_eq!(secrets(&store, &db, &path).await, expected);

    // A crash before the commit: the pending key sealed nothing and is removed.
    let current = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&pending, bridge_store::secrets::Key::generate().to_base64()).unwrap();
    store.close().await;
    let store = open_with_file(&db).await;
    assert!(!pending.exists());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), current);
    assert_eq!(secrets(&store, &db, &path).await, expected);
    let rotations = store
        .audit_log(&AuditQuery {
            action: Some("key.rotated".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(rotations.len(), 2);
    let text = serde_json::to_string(&rotations).unwrap();
    for secret in &expected {
        assert!(!text.contains(secret.as_str()), "no secret in the log");
    }
    assert!(!text.contains(new_key.trim()) && !text.contains(old_key.trim()));
}

async fn rotate_to_a_named_file(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&db).await;
    company(&store, "acme").await;
    let before = store
        .credentials(&store.company("acme").await.unwrap())
        .await
        .unwrap();
    let file = dir.path().join("new.key");
    let refused = store.rotate_key(None, "cli:test", at(1)).await.unwrap_err();
    assert!(refused.to_string().contains("--new-key-file"), "{refused}");
    let rotation = store
        .rotate_key(Some(&file), "cli:test", at(1))
        .await
        .unwrap();
    assert!(!rotation.replaced_key_file);
    assert_eq!(rotation.company_secrets, 2);
    store.close().await;
    let reopened = Store::open(
        &Location::parse(&db.url).unwrap(),
        OpenOptions {
            key: Some(std::fs::read_to_string(&file).unwrap()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let after = reopened
        .credentials(&reopened.company("acme").await.unwrap())
        .await
        .unwrap();
    assert_eq!(
        after.client_secret.expose_secret(),
        before.client_secret.expose_secret()
    );
    let old = open(&db).await;
    assert!(
        old.credentials(&old.company("acme").await.unwrap())
            .await
            .is_err(),
        "the old key opens nothing"
    );
}

fn bridge_store_pending(path: &std::path::Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".new");
    name.into()
}

bridge_testkit::each_backend!(
    a_purge_removes_exactly_the_expired_rows,
    an_erasure_leaves_only_the_tombstone_and_a_page_does_not_bring_them_back,
    writes_are_audited_with_their_outcome_and_the_log_cannot_be_changed,
    a_rotation_reseals_everything_and_an_interrupted_one_settles_on_open,
);
