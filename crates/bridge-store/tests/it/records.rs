use bridge_store::tables::{ATTENDANCE_PERIODS, EMPLOYEE_COST_CENTERS, EMPLOYEES, EMPLOYMENTS};
use bridge_store::{
    Checkpoint, CompanyId, Derived, Key, Listing, ListingEnd, ListingKind, NewCompany, PageWrite,
    Row, Store, Value,
};
use secrecy::SecretString;

use bridge_testkit::TestDb;

use crate::{at, open, person};

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

fn page(company: CompanyId, rows: Vec<Row>, hour: u32) -> PageWrite {
    let checkpoint = Checkpoint {
        resource: "employees".into(),
        listing: Some(Listing {
            kind: ListingKind::Full,
            started_at: at(hour),
            next: serde_json::json!({"Offset": rows.len()}),
            max_seen: Some(at(1)),
            params: serde_json::Value::Null,
            changed: false,
        }),
        ..Default::default()
    };
    PageWrite {
        company,
        table: &EMPLOYEES,
        rows,
        leaving: vec![],
        seen: vec![],
        derived: vec![],
        checkpoint,
        now: at(hour),
    }
}

async fn a_page_is_classified_and_a_repeated_page_changes_nothing(db: TestDb) {
    let store = open(&db).await;
    let company = company(&store).await;
    let first = store
        .apply_page(page(
            company,
            vec![person(1, "Müller"), person(2, "García")],
            2,
        ))
        .await
        .unwrap();
    assert_eq!((first.created, first.updated, first.unchanged), (2, 0, 0));
    let again = store
        .apply_page(page(
            company,
            vec![person(1, "Müller"), person(2, "García")],
            3,
        ))
        .await
        .unwrap();
    assert_eq!(
        (again.created, again.updated, again.unchanged),
        (0, 0, 2),
        "a repeated page must not rewrite rows"
    );
    let changed = store
        .apply_page(page(company, vec![person(1, "Schmidt")], 4))
        .await
        .unwrap();
    assert_eq!((changed.created, changed.updated), (0, 1));
    assert_eq!(
        changed.changes[0].changed,
        ["last_name"],
        "the changed column is named"
    );
    let checkpoint = store
        .checkpoint(company, "employees")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        checkpoint.listing.unwrap().started_at,
        at(4),
        "the checkpoint came with the page"
    );
}

async fn finishing_a_listing_deletes_what_it_did_not_see_and_a_return_is_a_creation(db: TestDb) {
    let store = open(&db).await;
    let company = company(&store).await;
    store
        .apply_page(page(
            company,
            vec![person(1, "A"), person(2, "B"), person(3, "C")],
            2,
        ))
        .await
        .unwrap();
    // The next full listing starts at 5 and sees only 1 and 3.
    store
        .apply_page(page(company, vec![person(1, "A"), person(3, "C")], 5))
        .await
        .unwrap();
    let end = ListingEnd {
        company,
        table: &EMPLOYEES,
        started_at: at(5),
        scope: None,
        derived: vec![(&EMPLOYEE_COST_CENTERS, "employee_id")],
        checkpoint: Checkpoint {
            resource: "employees".into(),
            watermark: Some(at(1)),
            last_full_at: Some(at(5)),
            ..Default::default()
        },
        now: at(6),
    };
    let deleted = store.finish_listing(end).await.unwrap();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].key, Key::Int(2));
    let counts = store.counts(company).await.unwrap();
    let employees = counts.iter().find(|c| c.table == "employees").unwrap();
    assert_eq!((employees.live, employees.deleted), (2, 1));
    let checkpoint = store
        .checkpoint(company, "employees")
        .await
        .unwrap()
        .unwrap();
    assert!(checkpoint.listing.is_none());
    assert_eq!(checkpoint.watermark, Some(at(1)));
    let back = store
        .apply_page(page(company, vec![person(2, "B")], 7))
        .await
        .unwrap();
    assert_eq!(
        back.created, 1,
        "a record back from deleted counts as created"
    );
}

async fn leaving_the_filter_is_marked_once_and_is_not_a_deletion(db: TestDb) {
    let store = open(&db).await;
    let company = company(&store).await;
    store
        .apply_page(page(company, vec![person(1, "A"), person(2, "B")], 2))
        .await
        .unwrap();
    let mut leaving = page(company, vec![person(1, "A")], 5);
    leaving.leaving = vec![Key::Int(2), Key::Int(99)];
    let applied = store.apply_page(leaving).await.unwrap();
    assert_eq!(applied.left_filter, 1, "only a stored record can leave");
    let mut again = page(company, vec![], 6);
    again.leaving = vec![Key::Int(2)];
    assert_eq!(store.apply_page(again).await.unwrap().left_filter, 0);
    let end = ListingEnd {
        company,
        table: &EMPLOYEES,
        started_at: at(5),
        scope: None,
        derived: vec![],
        checkpoint: Checkpoint {
            resource: "employees".into(),
            ..Default::default()
        },
        now: at(7),
    };
    assert!(store.finish_listing(end).await.unwrap().is_empty());
    let counts = store.counts(company).await.unwrap();
    let employees = counts.iter().find(|c| c.table == "employees").unwrap();
    assert_eq!(
        (employees.live, employees.deleted, employees.out_of_filter),
        (1, 0, 1)
    );
}

async fn derived_rows_are_replaced_per_parent(db: TestDb) {
    let store = open(&db).await;
    let company = company(&store).await;
    let split = |employee: i64, center: i64, percentage: f64| {
        EMPLOYEE_COST_CENTERS
            .row(Key::Text(format!("{employee}:{center}")))
            .set("employee_id", employee)
            .set("cost_center_id", center)
            .set("cost_center", "CC")
            .set("percentage", percentage)
            .finish(
                format!(r#"{{"id":{center},"percentage":{percentage}}}"#),
                None,
            )
            .unwrap()
    };
    let mut first = page(company, vec![person(1, "A")], 2);
    first.derived = vec![Derived {
        table: &EMPLOYEE_COST_CENTERS,
        parent_column: "employee_id",
        parents: vec![Key::Int(1)],
        rows: vec![split(1, 10, 50.0), split(1, 11, 50.0)],
    }];
    store.apply_page(first).await.unwrap();
    let mut second = page(company, vec![person(1, "A2")], 3);
    second.derived = vec![Derived {
        table: &EMPLOYEE_COST_CENTERS,
        parent_column: "employee_id",
        parents: vec![Key::Int(1)],
        rows: vec![split(1, 10, 100.0)],
    }];
    store.apply_page(second).await.unwrap();
    let counts = store.counts(company).await.unwrap();
    let splits = counts
        .iter()
        .find(|c| c.table == "employee_cost_centers")
        .unwrap();
    assert_eq!((splits.live, splits.deleted), (1, 1));
}

/// An employment row as v2 gives it: its own id, a start day, hours that may be unknown.
fn employment(id: &str, employee: i64, hire_date: &str, hours: Option<f64>) -> Row {
    let known = [
        ("employee_id", Value::Int(employee)),
        ("hire_date", Value::text(hire_date)),
        ("position", Value::text(format!("since {hire_date}"))),
        ("full_time_weekly_working_hours", Value::opt_real(hours)),
    ];
    let mut row = EMPLOYMENTS.row(Key::Text(id.to_owned()));
    for (column, _) in EMPLOYMENTS.columns {
        let value = known
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, v)| v.clone());
        row = row.set(column, value);
    }
    row.finish(format!(r#"{{"id":"{id}","hours":{hours:?}}}"#), None)
        .unwrap()
}

/// A person with a past and a current employment is exported with the current one. The
/// same statement writes a double column NULL, then set (PostgreSQL keeps the parameter
/// types of a statement's first use).
async fn the_export_shows_the_employment_that_started_last(db: TestDb) {
    let store = open(&db).await;
    let company = company(&store).await;
    // Unknown and known hours in turn, so that whichever pooled connection prepared the
    // statement with a NULL is handed a number later.
    let mut writes: Vec<(u32, Vec<Row>)> = (0..8)
        .map(|n| {
            let hours = (n % 2 == 1).then_some(f64::from(n));
            (2 + n, vec![employment("e-old", 1, "2019-04-01", hours)])
        })
        .collect();
    writes.push((
        10,
        vec![
            employment("e-old", 1, "2019-04-01", Some(20.0)),
            employment("e-new", 1, "2023-01-15", Some(40.0)),
        ],
    ));
    for (hour, rows) in writes {
        let mut write = page(company, vec![person(1, "A")], hour);
        write.derived = vec![Derived {
            table: &EMPLOYMENTS,
            parent_column: "employee_id",
            parents: vec![Key::Int(1)],
            rows,
        }];
        store.apply_page(write).await.unwrap();
    }
    let exported = store
        .employee_records(company, None, 10, false)
        .await
        .unwrap();
    assert_eq!(exported.len(), 1);
    let job = exported[0].employment.as_ref().unwrap();
    assert_eq!(
        job[EMPLOYMENTS.column_index("position").unwrap()],
        Value::text("since 2023-01-15")
    );
    assert_eq!(
        job[EMPLOYMENTS
            .column_index("full_time_weekly_working_hours")
            .unwrap()],
        Value::Real(40.0)
    );
}

/// An attendance period of employee 1 on 2026-03-02, from `start` to `end` (`HH:MM`).
fn period(id: &str, kind: &str, start: &str, end: &str) -> Row {
    let at = |time: &str| format!("2026-03-02T{time}:00");
    ATTENDANCE_PERIODS
        .row(Key::Text(id.to_owned()))
        .set("employee_id", 1)
        .set("type", kind)
        .set("start", at(start))
        .set("end", at(end))
        .set("attribution_date", "2026-03-02")
        .set("status", "CONFIRMED")
        .set("project_id", Value::Null)
        .set("comment", Value::Null)
        .set("break_minutes", Value::Null)
        .finish(
            format!(r#"{{"id":"{id}","start":"{start}","end":"{end}"}}"#),
            None,
        )
        .unwrap()
}

/// The stored break minutes of each work period.
async fn break_minutes(store: &Store, company: CompanyId) -> Vec<(Key, Value)> {
    let column = ATTENDANCE_PERIODS.column_index("break_minutes").unwrap();
    let kind = ATTENDANCE_PERIODS.column_index("type").unwrap();
    store
        .records(company, &ATTENDANCE_PERIODS, None, 100, false)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.values[kind] == Value::text("WORK"))
        .map(|r| (r.key, r.values[column].clone()))
        .collect()
}

/// A work period's break minutes are summed in the write that stores it or a break inside
/// it, whichever comes first, and both work periods are summed again when a break moves
/// from one to the other or is deleted.
async fn break_minutes_are_kept_right_in_every_write(db: TestDb) {
    let store = open(&db).await;
    let company = company(&store).await;
    let write = |rows: Vec<Row>, hour: u32| PageWrite {
        table: &ATTENDANCE_PERIODS,
        ..page(company, rows, hour)
    };
    let (morning, afternoon) = (Key::Text("w1".into()), Key::Text("w2".into()));
    // The break comes before its work period, in another write.
    store
        .apply_page(write(vec![period("b1", "BREAK", "10:00", "10:30")], 2))
        .await
        .unwrap();
    store
        .apply_page(write(
            vec![
                period("w1", "WORK", "08:00", "12:00"),
                period("w2", "WORK", "13:00", "17:00"),
            ],
            3,
        ))
        .await
        .unwrap();
    assert_eq!(
        break_minutes(&store, company).await,
        vec![
            (morning.clone(), Value::Int(30)),
            (afternoon.clone(), Value::Int(0))
        ]
    );
    // The break moves into the afternoon: both work periods change.
    store
        .apply_page(write(vec![period("b1", "BREAK", "14:00", "14:45")], 4))
        .await
        .unwrap();
    assert_eq!(
        break_minutes(&store, company).await,
        vec![
            (morning.clone(), Value::Int(0)),
            (afternoon.clone(), Value::Int(45))
        ]
    );
    // A full listing that no longer sees the break deletes it, and its minutes with it.
    store
        .apply_page(write(
            vec![
                period("w1", "WORK", "08:00", "12:00"),
                period("w2", "WORK", "13:00", "17:00"),
            ],
            5,
        ))
        .await
        .unwrap();
    store
        .finish_listing(ListingEnd {
            company,
            table: &ATTENDANCE_PERIODS,
            started_at: at(5),
            scope: None,
            derived: Vec::new(),
            checkpoint: Checkpoint::default(),
            now: at(5),
        })
        .await
        .unwrap();
    assert_eq!(
        break_minutes(&store, company).await,
        vec![(morning, Value::Int(0)), (afternoon, Value::Int(0))]
    );
}

bridge_testkit::each_backend!(
    the_export_shows_the_employment_that_started_last,
    a_page_is_classified_and_a_repeated_page_changes_nothing,
    finishing_a_listing_deletes_what_it_did_not_see_and_a_return_is_a_creation,
    leaving_the_filter_is_marked_once_and_is_not_a_deletion,
    derived_rows_are_replaced_per_parent,
    break_minutes_are_kept_right_in_every_write,
);
