//! The queries of the list endpoints, on each backend: every record as the API has always
//! shown it, filters, days, fields, `include=raw`, one person's periods, their combinations
//! with cursor paging, and the 400s that name the parameter.

use std::collections::BTreeSet;

use bridge_server::{Server, ServerConfig};
use bridge_store::tables::{self, ColumnType, EMPLOYEE_COST_CENTERS, EMPLOYMENTS, Table};
use bridge_store::{Key, Location, OpenOptions, RecordQuery, Store, StoredRecord, Value};
use bridge_testkit::{ADMIN_TOKEN, TestDb, sandbox, spawn_sandbox};
use serde_json::{Map, Value as Json, json};

use crate::{link_and_sync, sync};

/// A service over the test database, a synced company `acme` (with a month of change) and a
/// reading key.
struct Reader {
    base_url: String,
    store: Store,
    key: String,
    _sandbox: bridge_testkit::RunningSandbox,
}

impl Reader {
    async fn new(db: &TestDb) -> Reader {
        let sandbox = spawn_sandbox(sandbox(31, 12));
        let store = Store::open(
            &Location::parse(&db.url).unwrap(),
            OpenOptions {
                key: Some(bridge_store::secrets::Key::from_bytes([7u8; 32]).to_base64()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let company = link_and_sync(&store, &sandbox).await;
        // A month of change: hires, leavers, edits and deletions to show with include_deleted.
        let simulated = reqwest::Client::new()
            .post(sandbox.url("/_sandbox/simulate"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({ "days": 30 }))
            .send()
            .await
            .unwrap();
        assert!(simulated.status().is_success());
        sync(&store, &company).await;
        let (_, key) = store
            .create_api_key(
                "reader",
                &bridge_store::Grant::default(),
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let config = ServerConfig {
            workers: 0,
            ..ServerConfig::default()
        };
        tokio::spawn(Server::new(store.clone(), config).serve(listener, std::future::pending()));
        use secrecy::ExposeSecret;
        Reader {
            base_url,
            store,
            key: key.expose_secret().to_owned(),
            _sandbox: sandbox,
        }
    }

    async fn get(&self, path: &str) -> (u16, Json) {
        let response = reqwest::Client::new()
            .get(format!("{}/api/v1/companies/acme/{path}", self.base_url))
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let kind = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body: Json = response.json().await.unwrap();
        let expected = if status == 200 {
            "application/json"
        } else {
            "application/problem+json"
        };
        assert_eq!(kind, expected, "{path}: {body}");
        (status, body)
    }

    /// Every record of `path` (a list with its query), page by page with `limit`, checking
    /// that no record comes twice.
    async fn all(&self, path: &str, limit: u32) -> Vec<Json> {
        let join = if path.contains('?') { '&' } else { '?' };
        let mut records = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..1000 {
            let mut url = format!("{path}{join}limit={limit}");
            if let Some(cursor) = &cursor {
                url.push_str(&format!("&cursor={cursor}"));
            }
            let (status, body) = self.get(&url).await;
            assert_eq!(status, 200, "{url}: {body}");
            let page = body["data"].as_array().unwrap();
            assert!(page.len() <= limit as usize);
            records.extend(page.iter().cloned());
            match body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => {
                    let ids: Vec<String> = records.iter().map(|r| r["id"].to_string()).collect();
                    let unique: BTreeSet<&String> = ids.iter().collect();
                    assert_eq!(unique.len(), ids.len(), "{path}: a record came twice");
                    return records;
                }
            }
        }
        panic!("{path}: paging does not end");
    }

    /// Every record of `table` as the store's own reader gives it, rendered the way the API
    /// rendered records field by field before it served the database's JSON.
    async fn expected(&self, table: &'static Table, include_removed: bool) -> Vec<Json> {
        let company = self.store.company("acme").await.unwrap();
        let records = self.browse(company.id, table, include_removed, None).await;
        let mut out: Vec<Json> = records.iter().map(|r| record_json(table, r)).collect();
        if table.name == tables::EMPLOYEES.name {
            for (child, field) in [
                (&EMPLOYMENTS, "employments"),
                (&EMPLOYEE_COST_CENTERS, "cost_centers"),
            ] {
                let rows = self.browse(company.id, child, false, None).await;
                let at = child.column_index("employee_id").unwrap();
                for (record, json) in records.iter().zip(out.iter_mut()) {
                    let Key::Int(id) = record.key else { panic!() };
                    let mine: Vec<Json> = rows
                        .iter()
                        .filter(|r| r.values[at] == Value::Int(id))
                        .map(|r| record_json(child, r))
                        .collect();
                    json.as_object_mut()
                        .unwrap()
                        .insert(field.to_owned(), Json::Array(mine));
                }
            }
        }
        out
    }

    async fn browse(
        &self,
        company: bridge_store::CompanyId,
        table: &'static Table,
        include_removed: bool,
        after: Option<Key>,
    ) -> Vec<StoredRecord> {
        self.store
            .browse(
                company,
                table,
                &RecordQuery {
                    after,
                    limit: u32::MAX,
                    include_removed,
                    ..RecordQuery::default()
                },
            )
            .await
            .unwrap()
    }
}

fn record_json(table: &Table, record: &StoredRecord) -> Json {
    let mut object = Map::new();
    object.insert(
        "id".to_owned(),
        match &record.key {
            Key::Int(n) => json!(n),
            Key::Text(s) => json!(s),
        },
    );
    for ((name, kind), value) in table.columns.iter().zip(&record.values) {
        let value = match value {
            Value::Null => Json::Null,
            Value::Int(n) => json!(n),
            Value::Real(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => json!(*x as i64),
            Value::Real(x) => json!(x),
            Value::Text(s) if *kind == ColumnType::Text && bridge_store::is_json_column(name) => {
                serde_json::from_str(s).unwrap_or_else(|_| json!(s))
            }
            Value::Text(s) => json!(s),
        };
        object.insert((*name).to_owned(), value);
    }
    object.insert("first_seen_at".to_owned(), json!(record.first_seen_at));
    object.insert("last_seen_at".to_owned(), json!(record.last_seen_at));
    object.insert("changed_at".to_owned(), json!(record.changed_at));
    object.insert("deleted_at".to_owned(), json!(record.deleted_at));
    object.insert(
        "out_of_filter_at".to_owned(),
        json!(record.out_of_filter_at),
    );
    Json::Object(object)
}

/// The last day of `month` (`YYYY-MM`).
fn last_day(month: &str) -> String {
    let first = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").unwrap();
    let next = first.checked_add_months(chrono::Months::new(1)).unwrap();
    next.pred_opt().unwrap().to_string()
}

/// The field names of a record, in order.
fn keys(record: &Json) -> Vec<&str> {
    record
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

async fn every_record_reads_as_it_always_did(db: TestDb) {
    let reader = Reader::new(&db).await;
    let mut removed = 0;
    for table in tables::ALL {
        for include_deleted in [false, true] {
            let got = reader
                .all(
                    &format!("{}?include_deleted={include_deleted}", table.name),
                    500,
                )
                .await;
            let want = reader.expected(table, include_deleted).await;
            assert_eq!(got.len(), want.len(), "{}", table.name);
            for (got, want) in got.iter().zip(&want) {
                assert_eq!(got, want, "{}", table.name);
                assert_eq!(keys(got), keys(want), "{}: field order", table.name);
            }
            if include_deleted {
                removed += want.iter().filter(|r| !r["deleted_at"].is_null()).count();
            }
        }
        // One record by its id reads as it does in the list.
        let (_, page) = reader.get(&format!("{}?limit=1", table.name)).await;
        if let Some(first) = page["data"].as_array().unwrap().first() {
            let id = match &first["id"] {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
            let (status, one) = reader.get(&format!("{}/{id}", table.name)).await;
            assert_eq!(status, 200, "{one}");
            assert_eq!(&one, first);
        }
    }
    assert!(removed > 0, "a month of change deletes something to show");
}

async fn filters_select_what_they_name_across_pages(db: TestDb) {
    let reader = Reader::new(&db).await;
    let periods = reader.all("attendance_periods", 500).await;
    assert!(periods.len() > 50, "{}", periods.len());
    let person = periods[periods.len() / 2]["employee_id"].as_i64().unwrap();
    let mine: Vec<&Json> = periods
        .iter()
        .filter(|p| p["employee_id"] == person)
        .collect();

    // The employee filter, in pages of 3, finds exactly that person's periods.
    let filtered = reader
        .all(&format!("attendance_periods?employee_id={person}"), 3)
        .await;
    assert_eq!(filtered.len(), mine.len());
    assert!(filtered.iter().zip(&mine).all(|(a, b)| a == *b));

    // One month by the day the periods start, alone and with the person.
    let month = periods[0]["start"].as_str().unwrap()[..7].to_owned();
    let (from, to) = (format!("{month}-01"), last_day(&month));
    let in_month = |p: &&Json| p["start"].as_str().unwrap().starts_with(&month);
    let want: Vec<&Json> = periods.iter().filter(in_month).collect();
    assert!(!want.is_empty() && want.len() < periods.len());
    let got = reader
        .all(&format!("attendance_periods?from={from}&to={to}"), 7)
        .await;
    assert_eq!(got.len(), want.len());
    assert!(got.iter().zip(&want).all(|(a, b)| a == *b));
    let both = reader
        .all(
            &format!("attendance_periods?from={from}&to={to}&employee_id={person}"),
            2,
        )
        .await;
    let want_both: Vec<&&Json> = mine.iter().filter(|p| in_month(p)).collect();
    assert_eq!(both.len(), want_both.len());
    // The last day counts whole; the first day too.
    let day = want[0]["start"].as_str().unwrap()[..10].to_owned();
    let on_day = reader
        .all(&format!("attendance_periods?from={day}&to={day}"), 500)
        .await;
    assert!(!on_day.is_empty());
    assert!(
        on_day
            .iter()
            .all(|p| p["start"].as_str().unwrap().starts_with(&day))
    );

    // Several values, comma-separated.
    let other = periods
        .iter()
        .map(|p| p["employee_id"].as_i64().unwrap())
        .find(|e| *e != person)
        .unwrap();
    let two = reader
        .all(
            &format!("attendance_periods?employee_id={person},{other}"),
            5,
        )
        .await;
    assert_eq!(
        two.len(),
        periods
            .iter()
            .filter(|p| p["employee_id"] == person || p["employee_id"] == other)
            .count()
    );

    // Absences overlapping a range: each one overlaps it, and none that overlaps is missed.
    let absences = reader.all("absence_periods", 500).await;
    assert!(!absences.is_empty());
    let month = absences[0]["start"].as_str().unwrap()[..7].to_owned();
    let (from, to) = (format!("{month}-01"), format!("{month}-28"));
    let overlaps = |a: &&Json| {
        let start = &a["start"].as_str().unwrap()[..10];
        let end = a["end"].as_str().map(|e| &e[..10]);
        start <= to.as_str() && end.is_none_or(|e| e >= from.as_str())
    };
    let want: Vec<&Json> = absences.iter().filter(overlaps).collect();
    let got = reader
        .all(&format!("absence_periods?from={from}&to={to}"), 4)
        .await;
    assert_eq!(got.len(), want.len());
    assert!(!got.is_empty());

    // Status and absence type on absences.
    let status = absences[0]["status"].as_str().unwrap().to_owned();
    let got = reader
        .all(&format!("absence_periods?status={status}"), 4)
        .await;
    assert_eq!(
        got.len(),
        absences.iter().filter(|a| a["status"] == status).count()
    );
    let kind = absences[0]["absence_type_id"].as_str().unwrap().to_owned();
    let got = reader
        .all(&format!("absence_periods?absence_type_id={kind}"), 4)
        .await;
    assert_eq!(
        got.len(),
        absences
            .iter()
            .filter(|a| a["absence_type_id"] == kind)
            .count()
    );

    // People by their employments: a department, a legal entity, a status.
    let employments = reader.all("employments", 500).await;
    let department = employments
        .iter()
        .find_map(|e| e["department"].as_str())
        .unwrap()
        .to_owned();
    let in_department: BTreeSet<i64> = employments
        .iter()
        .filter(|e| e["department"] == department.as_str())
        .map(|e| e["employee_id"].as_i64().unwrap())
        .collect();
    let query = serde_urlencoded::to_string([("department", department.as_str())]).unwrap();
    let people = reader.all(&format!("employees?{query}"), 2).await;
    let ids: BTreeSet<i64> = people.iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, in_department);
    let absent = reader.all(&format!("absence_periods?{query}"), 3).await;
    assert_eq!(
        absent.len(),
        absences
            .iter()
            .filter(|a| in_department.contains(&a["employee_id"].as_i64().unwrap()))
            .count()
    );
    let entity = employments[0]["legal_entity_id"].as_i64().unwrap();
    let people = reader
        .all(
            &format!("employees?legal_entity_id={entity}&status=active"),
            4,
        )
        .await;
    let want: BTreeSet<i64> = employments
        .iter()
        .filter(|e| e["legal_entity_id"] == entity && e["status"] == "active")
        .map(|e| e["employee_id"].as_i64().unwrap())
        .collect();
    let got: BTreeSet<i64> = people.iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(got, want);
    assert!(!got.is_empty());
}

async fn fields_raw_and_one_persons_periods(db: TestDb) {
    let reader = Reader::new(&db).await;
    let (status, body) = reader
        .get("employees?fields=last_name,employments&limit=2")
        .await;
    assert_eq!(status, 200, "{body}");
    for person in body["data"].as_array().unwrap() {
        assert_eq!(keys(person), ["id", "last_name", "employments"]);
        assert!(!person["employments"].as_array().unwrap().is_empty());
    }
    let (_, body) = reader
        .get("attendance_periods?include=raw&fields=start&limit=3")
        .await;
    for period in body["data"].as_array().unwrap() {
        assert_eq!(keys(period), ["id", "start", "raw"]);
        assert_eq!(period["raw"]["id"], period["id"], "Personio's own record");
    }
    let (_, body) = reader.get("employees?include=raw&limit=1").await;
    let person = &body["data"][0];
    assert!(person["raw"].is_object(), "{person}");
    assert!(keys(person).ends_with(&["cost_centers", "raw"]));

    // One person's periods: the same as the filter, and only theirs.
    let periods = reader.all("attendance_periods", 500).await;
    let person = periods[0]["employee_id"].as_i64().unwrap();
    for table in ["attendance_periods", "absence_periods"] {
        let theirs = reader.all(&format!("employees/{person}/{table}"), 2).await;
        let filtered = reader
            .all(&format!("{table}?employee_id={person}"), 500)
            .await;
        assert_eq!(theirs, filtered, "{table}");
        assert!(theirs.iter().all(|p| p["employee_id"] == person));
    }
    let month = periods[0]["start"].as_str().unwrap()[..7].to_owned();
    let theirs = reader
        .all(
            &format!("employees/{person}/attendance_periods?from={month}-01&to={month}-28"),
            500,
        )
        .await;
    assert!(!theirs.is_empty());
    for (path, status) in [
        ("employees/999999999/attendance_periods".to_owned(), 404),
        ("employees/x/attendance_periods".to_owned(), 404),
        (format!("employees/{person}/balances"), 404),
        (
            format!("employees/{person}/attendance_periods?employee_id={person}"),
            400,
        ),
    ] {
        let (got, body) = reader.get(&path).await;
        assert_eq!(got, status, "{path}: {body}");
    }
}

async fn malformed_or_unknown_parameters_are_400s_naming_them(db: TestDb) {
    let reader = Reader::new(&db).await;
    for (path, parameter) in [
        ("attendance_periods?employee_id=abc", "employee_id"),
        ("attendance_periods?employee_id=1,", "employee_id"),
        ("attendance_periods?from=2026-13-01", "from"),
        ("attendance_periods?from=2026-3-1", "from"),
        ("attendance_periods?to=tomorrow", "to"),
        ("attendance_periods?from=2026-03-02&to=2026-03-01", "to"),
        ("attendance_periods?department_id=sales", "department_id"),
        ("attendance_periods?colour=blue", "colour"),
        ("attendance_periods?fields=start,colour", "fields"),
        ("attendance_periods?include=everything", "include"),
        ("attendance_periods?status=a&status=b", "status"),
        ("employees?from=2026-03-01", "from"),
        ("employees?project_id=1", "project_id"),
        ("legal_entities?employee_id=1", "employee_id"),
        ("balances?absence_type_id=x", "absence_type_id"),
        ("employees?include_deleted=yes", "include_deleted"),
        ("employees?limit=0", "limit"),
    ] {
        let (status, body) = reader.get(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.starts_with(parameter), "{path}: {detail}");
    }
    // What a table has is accepted, with nothing to match or something.
    for path in [
        "attendance_periods?project_id=none&status=confirmed",
        "balances?absence_type_id=1&employee_id=2",
        "employments?office=Berlin&team_id=1",
        "employee_cost_centers?department=Sales",
        "employees?fields=id",
    ] {
        let (status, body) = reader.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
}

bridge_testkit::each_backend!(
    every_record_reads_as_it_always_did,
    filters_select_what_they_name_across_pages,
    fields_raw_and_one_persons_periods,
    malformed_or_unknown_parameters_are_400s_naming_them,
);
