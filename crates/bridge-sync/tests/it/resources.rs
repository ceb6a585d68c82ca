//! The opt-in resources (projects, compensations, custom reports, balances) against the
//! sandbox: what a full sync stores equals what the sandbox serves, changes and deletions
//! arrive, and the requests stay at the minimum.

use bridge_testkit::TestDb;
use std::collections::BTreeMap;

use bridge_store::tables::{
    BALANCES, COMPENSATION_TYPES, COMPENSATIONS, CUSTOM_REPORT_ROWS, CUSTOM_REPORTS, EMPLOYEES,
    PROJECT_MEMBERS, PROJECTS,
};
use bridge_store::{Key, Outcome, Table, Value as Cell};
use bridge_sync::{ResourceName, Summary, SyncOptions};
use serde_json::{Value, json};

use crate::{Harness, default_harness};

/// Plain HTTP to the sandbox, as a third party would read it.
struct Reader {
    http: reqwest::Client,
    base: String,
    v1: String,
    v2: String,
}

impl Reader {
    async fn new(h: &Harness) -> Reader {
        let http = reqwest::Client::new();
        let v1: Value = http
            .post(h.sandbox.url("/v1/auth"))
            .json(&json!({"client_id": bridge_testkit::CLIENT_ID, "client_secret": bridge_testkit::CLIENT_SECRET}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let v2: Value = http
            .post(h.sandbox.url("/v2/auth/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", bridge_testkit::CLIENT_ID),
                ("client_secret", bridge_testkit::CLIENT_SECRET),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Reader {
            http,
            base: h.sandbox.base_url.clone(),
            v1: v1["data"]["token"].as_str().unwrap().to_owned(),
            v2: v2["access_token"].as_str().unwrap().to_owned(),
        }
    }

    async fn get(&self, path: &str) -> Value {
        let token = if path.starts_with("/v1/") {
            &self.v1
        } else {
            &self.v2
        };
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    /// Every item of a v2 list, following `_meta.links.next` (at most 1000 pages).
    async fn all_v2(&self, path: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut next = Some(path.to_owned());
        for _ in 0..1000 {
            let Some(at) = next.take() else { break };
            let page = self.get(&at).await;
            items.extend(page["_data"].as_array().unwrap().iter().cloned());
            next = page["_meta"]["links"]["next"]["href"]
                .as_str()
                .map(|href| href.trim_start_matches(&self.base).to_owned());
        }
        items
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> u16 {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.v2);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap().status().as_u16()
    }
}

/// Live records of a table: key → normalized values.
async fn stored(h: &Harness, table: &'static Table) -> BTreeMap<Key, Vec<Cell>> {
    let mut all = BTreeMap::new();
    let mut after = None;
    loop {
        let page = h
            .store
            .records(h.company.id, table, after.as_ref(), 500, false)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.key.clone());
        all.extend(page.into_iter().map(|r| (r.key, r.values)));
    }
    all
}

fn value<'a>(table: &Table, values: &'a [Cell], column: &str) -> &'a Cell {
    &values[table.column_index(column).unwrap()]
}

fn text(s: &Value) -> Cell {
    s.as_str().map(Cell::text).unwrap_or(Cell::Null)
}

fn options(resources: &[ResourceName]) -> SyncOptions {
    SyncOptions {
        resources: resources.to_vec(),
        compensation_months: 3,
        ..Default::default()
    }
}

fn assert_minimum(summary: &Summary) {
    let minimum: u64 = summary.token_requests
        + summary
            .resources
            .values()
            .map(|r| r.min_requests)
            .sum::<u64>();
    assert_eq!(summary.requests, minimum, "{summary:#?}");
}

async fn projects_and_their_members_are_stored_as_served(db: TestDb) {
    let h = default_harness(db, 31, 40).await;
    let summary = h.sync(options(&[ResourceName::Projects])).await;
    assert_eq!(summary.outcome, Outcome::Succeeded, "{summary:?}");
    assert_minimum(&summary);
    let reader = Reader::new(&h).await;
    let served = reader.all_v2("/v2/projects?limit=100").await;
    assert!(!served.is_empty(), "the sandbox has projects");
    let projects = stored(&h, &PROJECTS).await;
    assert_eq!(projects.len(), served.len());
    let mut members = Vec::new();
    for p in &served {
        let id: i64 = p["id"].as_str().unwrap().parse().unwrap();
        let row = &projects[&Key::Int(id)];
        assert_eq!(value(&PROJECTS, row, "name"), &text(&p["name"]));
        assert_eq!(value(&PROJECTS, row, "status"), &text(&p["status"]));
        assert_eq!(
            value(&PROJECTS, row, "start"),
            &text(&p["start"]["date"]),
            "project {id}"
        );
        let parent = p["parent_project"]["id"]
            .as_str()
            .map(|s| s.parse().unwrap());
        assert_eq!(
            value(&PROJECTS, row, "parent_project_id"),
            &Cell::opt_int(parent)
        );
        assert_eq!(
            value(&PROJECTS, row, "billable"),
            &Cell::Int(p["billable"].as_bool().unwrap().into())
        );
        if parent.is_none() {
            for m in reader
                .all_v2(&format!("/v2/projects/{id}/members?limit=200"))
                .await
            {
                members.push(format!("{id}:{}", m["person"]["id"].as_str().unwrap()));
            }
        }
    }
    let stored_members: Vec<String> = stored(&h, &PROJECT_MEMBERS)
        .await
        .into_keys()
        .map(|k| k.to_string())
        .collect();
    members.sort();
    assert_eq!(stored_members, members);

    // A new project and a deleted one show with the next sync.
    let top = served
        .iter()
        .find(|p| p["parent_project"].is_null())
        .unwrap();
    let gone = top["id"].as_str().unwrap().to_owned();
    let status = reader
        .send(
            reqwest::Method::DELETE,
            &format!("/v2/projects/{gone}"),
            None,
        )
        .await;
    assert!((200..300).contains(&status), "{status}");
    let status = reader
        .send(
            reqwest::Method::POST,
            "/v2/projects",
            Some(json!({"name": "Lighthouse renovation", "status": "ACTIVE"})),
        )
        .await;
    assert_eq!(status, 201);
    let summary = h.sync(options(&[ResourceName::Projects])).await;
    let projects = &summary.resources["projects"];
    assert!(
        projects.created >= 1 && projects.deleted >= 1,
        "{projects:?}"
    );
    let live = stored(&h, &PROJECTS).await;
    assert!(!live.contains_key(&Key::Int(gone.parse().unwrap())));
    assert!(
        live.values()
            .any(|v| value(&PROJECTS, v, "name") == &Cell::text("Lighthouse renovation"))
    );
    let members_left = stored(&h, &PROJECT_MEMBERS).await;
    assert!(
        !members_left
            .keys()
            .any(|k| k.to_string().starts_with(&format!("{gone}:"))),
        "members of a deleted project go with it"
    );
}

async fn compensations_are_read_month_by_month_with_their_types(db: TestDb) {
    let h = default_harness(db, 32, 40).await;
    let summary = h.sync(options(&[ResourceName::Compensations])).await;
    assert_eq!(summary.outcome, Outcome::Succeeded, "{summary:?}");
    assert_minimum(&summary);
    let reader = Reader::new(&h).await;
    let types = reader.all_v2("/v2/compensations/types?limit=100").await;
    assert_eq!(stored(&h, &COMPENSATION_TYPES).await.len(), types.len());
    let mut served = BTreeMap::new();
    let today = chrono::Utc::now().date_naive();
    let this_month = chrono::Datelike::with_day(&today, 1).unwrap();
    for back in 0..3 {
        let first = this_month
            .checked_sub_months(chrono::Months::new(back))
            .unwrap();
        let last = first
            .checked_add_months(chrono::Months::new(1))
            .unwrap()
            .pred_opt()
            .unwrap();
        for c in reader
            .all_v2(&format!(
                "/v2/compensations?start_date={first}&end_date={last}&limit=100"
            ))
            .await
        {
            served.insert(c["id"].as_str().unwrap().to_owned(), c);
        }
    }
    assert!(!served.is_empty(), "the sandbox pays people");
    let rows = stored(&h, &COMPENSATIONS).await;
    assert_eq!(rows.len(), served.len());
    for (id, c) in &served {
        let row = &rows[&Key::Text(id.clone())];
        assert_eq!(
            value(&COMPENSATIONS, row, "employee_id"),
            &Cell::Int(c["person"]["id"].as_str().unwrap().parse().unwrap())
        );
        assert_eq!(
            value(&COMPENSATIONS, row, "amount"),
            &Cell::Real(c["amount"]["value"].as_f64().unwrap())
        );
        assert_eq!(
            value(&COMPENSATIONS, row, "currency"),
            &text(&c["amount"]["currency"])
        );
        assert_eq!(
            value(&COMPENSATIONS, row, "pay_interval"),
            &text(&c["interval"])
        );
        assert_eq!(
            value(&COMPENSATIONS, row, "compensation_type"),
            &text(&c["type"]["name"])
        );
        assert_eq!(
            value(&COMPENSATIONS, row, "effective_from"),
            &text(&c["effective_from"])
        );
    }

    // A one-time payment made today arrives with the next (incremental) sync, which reads
    // the current and the previous month only.
    let person = rows
        .values()
        .next()
        .map(|v| value(&COMPENSATIONS, v, "employee_id").clone());
    let Some(Cell::Int(person)) = person else {
        panic!("a person")
    };
    let one_time = types
        .iter()
        .find(|t| t["category"] == "ONE_TIME")
        .expect("a one-time type");
    let status = reader
        .send(
            reqwest::Method::POST,
            "/v2/compensations",
            Some(json!({
                "person": {"id": person.to_string()},
                "type": {"id": one_time["id"]},
                "value": 250.5,
                "effective_from": today.to_string(),
            })),
        )
        .await;
    assert_eq!(status, 201);
    let summary = h.sync(options(&[ResourceName::Compensations])).await;
    let compensations = &summary.resources["compensations"];
    assert_eq!(compensations.created, 1, "{compensations:?}");
    assert_minimum(&summary);
    assert!(
        stored(&h, &COMPENSATIONS)
            .await
            .values()
            .any(|v| value(&COMPENSATIONS, v, "amount") == &Cell::Real(250.5))
    );
}

async fn custom_reports_and_their_rows_are_stored_as_served(db: TestDb) {
    let h = default_harness(db, 33, 30).await;
    let summary = h.sync(options(&[ResourceName::CustomReports])).await;
    assert_eq!(summary.outcome, Outcome::Succeeded, "{summary:?}");
    assert_minimum(&summary);
    let reader = Reader::new(&h).await;
    let list = reader.get("/v1/company/custom-reports/reports").await;
    let reports = list["data"].as_array().unwrap();
    assert!(!reports.is_empty(), "the sandbox has reports");
    let stored_reports = stored(&h, &CUSTOM_REPORTS).await;
    assert_eq!(stored_reports.len(), reports.len());
    let rows = stored(&h, &CUSTOM_REPORT_ROWS).await;
    let mut expected_rows = 0;
    for report in reports {
        let id = report["attributes"]["id"].as_str().unwrap();
        let row = &stored_reports[&Key::Text(id.to_owned())];
        assert_eq!(
            value(&CUSTOM_REPORTS, row, "name"),
            &text(&report["attributes"]["name"])
        );
        let full = reader
            .get(&format!("/v1/company/custom-reports/reports/{id}"))
            .await;
        let items = full["data"][0]["attributes"]["items"].as_array().unwrap();
        expected_rows += items.len();
        if let Some(first) = items.first() {
            let employee = first["employee_id"].as_i64().unwrap();
            let stored_row = &rows[&Key::Text(format!("{id}:{employee}"))];
            let cells: Value = match value(&CUSTOM_REPORT_ROWS, stored_row, "cells") {
                Cell::Text(t) => serde_json::from_str(t).unwrap(),
                other => panic!("cells are JSON text: {other:?}"),
            };
            let source = first["attributes"]
                .as_array()
                .or(first["historical_attributes"].as_array())
                .unwrap();
            let attribute = source[0]["attribute_id"].as_str().unwrap();
            let cell = &cells[attribute];
            let cell = if cell.is_array() { &cell[0] } else { cell };
            assert_eq!(cell["data_type"], source[0]["data_type"], "report {id}");
            assert_eq!(cell.get("value"), source[0].get("value"), "report {id}");
        }
    }
    assert_eq!(rows.len(), expected_rows);
    // Unchanged data: the same rows again, nothing created or deleted.
    let again = h.sync(options(&[ResourceName::CustomReports])).await;
    let reports = &again.resources["custom_reports"];
    assert_eq!((reports.created, reports.deleted), (0, 0), "{reports:?}");
    assert_minimum(&again);
}

async fn balances_are_read_for_everyone_once_then_only_for_people_whose_absences_changed(
    db: TestDb,
) {
    let h = default_harness(db, 34, 25).await;
    let resources = [
        ResourceName::Employees,
        ResourceName::Absences,
        ResourceName::Balances,
    ];
    let first = h.sync(options(&resources)).await;
    assert_eq!(first.outcome, Outcome::Succeeded, "{first:?}");
    assert_minimum(&first);
    assert_eq!(
        first.resources["balances"].min_requests, 25,
        "one per employee"
    );
    let reader = Reader::new(&h).await;
    let rows = stored(&h, &BALANCES).await;
    let mut served = 0;
    for id in stored(&h, &EMPLOYEES).await.into_keys() {
        let body = reader
            .get(&format!("/v1/company/employees/{id}/absences/balance"))
            .await;
        for b in body["data"].as_array().unwrap() {
            served += 1;
            let row = &rows[&Key::Text(format!("{id}:{}", b["id"]))];
            assert_eq!(
                value(&BALANCES, row, "balance"),
                &Cell::Real(b["balance"].as_f64().unwrap())
            );
            assert_eq!(value(&BALANCES, row, "absence_type"), &text(&b["name"]));
        }
    }
    assert!(served > 0, "the sandbox grants balances");
    assert_eq!(rows.len(), served);

    // Nothing changed: no balance is read again.
    let quiet = h.sync(options(&resources)).await;
    assert_eq!(quiet.resources["balances"].min_requests, 0, "{quiet:?}");
    assert_minimum(&quiet);

    // One person's absence changes: only their balance is read again.
    let absences = stored(&h, &bridge_store::tables::ABSENCE_PERIODS).await;
    let (absence, values) = absences.iter().next().expect("an absence");
    let owner = value(
        &bridge_store::tables::ABSENCE_PERIODS,
        values,
        "employee_id",
    )
    .clone();
    let status = reader
        .send(
            reqwest::Method::PATCH,
            &format!("/v2/absence-periods/{absence}"),
            Some(json!({"comment": "moved to the coast"})),
        )
        .await;
    assert!((200..300).contains(&status), "{status}");
    let changed = h.sync(options(&resources)).await;
    assert!(changed.resources["absences"].updated >= 1, "{changed:?}");
    let balances = &changed.resources["balances"];
    assert_eq!(
        (balances.min_requests, balances.mode.to_string().as_str()),
        (1, "incremental"),
        "only {owner:?}'s balance: {balances:?}"
    );
    assert_minimum(&changed);

    // Another person's recent absence is deleted: Personio's change feed does not show it,
    // the reconciliation of recent absences does, and that person's balance is read again.
    let recent = (chrono::Utc::now() - chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let (gone, values) = absences
        .iter()
        .find(|(_, values)| {
            let table = &bridge_store::tables::ABSENCE_PERIODS;
            value(table, values, "employee_id") != &owner
                && matches!(value(table, values, "start"), Cell::Text(start) if *start >= recent)
        })
        .expect("a recent absence of someone else");
    let other = value(
        &bridge_store::tables::ABSENCE_PERIODS,
        values,
        "employee_id",
    )
    .clone();
    let status = reader
        .send(
            reqwest::Method::DELETE,
            &format!("/v2/absence-periods/{gone}"),
            None,
        )
        .await;
    assert!((200..300).contains(&status), "{status}");
    let mut reconciling = options(&resources);
    reconciling.reconcile = true;
    let reconciled = h.sync(reconciling).await;
    assert_eq!(
        reconciled.resources["absences"].deleted, 1,
        "{reconciled:?}"
    );
    let balances = &reconciled.resources["balances"];
    assert_eq!(
        (balances.min_requests, balances.mode.to_string().as_str()),
        (1, "incremental"),
        "only {other:?}'s balance: {balances:?}"
    );
}

async fn documents_are_read_per_owner_fully_once_then_for_changed_people(db: TestDb) {
    let h = default_harness(db, 35, 20).await;
    let resources = [ResourceName::Employees, ResourceName::Documents];
    let first = h.sync(options(&resources)).await;
    assert_eq!(first.outcome, Outcome::Succeeded, "{first:?}");
    assert_minimum(&first);
    let reader = Reader::new(&h).await;
    let categories = reader.get("/v1/company/document-categories").await;
    assert_eq!(
        stored(&h, &bridge_store::tables::DOCUMENT_CATEGORIES)
            .await
            .len(),
        categories["data"].as_array().unwrap().len()
    );
    let documents = stored(&h, &bridge_store::tables::DOCUMENTS).await;
    let table = &bridge_store::tables::DOCUMENTS;
    let mut served = Vec::new();
    for id in stored(&h, &EMPLOYEES).await.into_keys() {
        for d in reader
            .all_v2(&format!(
                "/v2/document-management/documents?owner_id={id}&limit=100"
            ))
            .await
        {
            let row = &documents[&Key::Text(d["id"].as_str().unwrap().to_owned())];
            assert_eq!(value(table, row, "name"), &text(&d["name"]));
            assert_eq!(value(table, row, "employee_id"), &id_cell(&id));
            assert_eq!(
                value(table, row, "size"),
                &Cell::Int(d["size"].as_i64().unwrap())
            );
            served.push(d);
        }
    }
    assert!(!served.is_empty(), "the sandbox files documents");
    assert_eq!(documents.len(), served.len());

    // A renamed document of a person who also changed arrives with the incremental sync,
    // which reads that one person's documents only; a deleted one goes with a full sync.
    let renamed = &served[0];
    let owner = renamed["owner"]["id"].as_str().unwrap().to_owned();
    let doc = renamed["id"].as_str().unwrap();
    let status = reader
        .send(
            reqwest::Method::PATCH,
            &format!("/v2/document-management/documents/{doc}"),
            Some(json!({"name": "Signed contract"})),
        )
        .await;
    assert!((200..300).contains(&status), "{status}");
    let status = reader
        .send(
            reqwest::Method::PATCH,
            &format!("/v2/persons/{owner}"),
            Some(json!({"preferred_name": "Sunny"})),
        )
        .await;
    assert_eq!(status, 204);
    let second = h.sync(options(&resources)).await;
    let summary = &second.resources["documents"];
    assert_eq!(summary.updated, 1, "{summary:?}");
    assert_eq!(
        summary.min_requests, 2,
        "categories and one owner: {summary:?}"
    );
    assert_minimum(&second);

    let removed = served.last().unwrap()["id"].as_str().unwrap().to_owned();
    let status = reader
        .send(
            reqwest::Method::DELETE,
            &format!("/v2/document-management/documents/{removed}"),
            None,
        )
        .await;
    assert!((200..300).contains(&status), "{status}");
    let full = h
        .sync(SyncOptions {
            full: true,
            ..options(&resources)
        })
        .await;
    assert_minimum(&full);
    let left = stored(&h, &bridge_store::tables::DOCUMENTS).await;
    assert!(!left.contains_key(&Key::Text(removed)));
    assert_eq!(left.len(), served.len() - 1);
}

fn id_cell(key: &Key) -> Cell {
    match key {
        Key::Int(n) => Cell::Int(*n),
        Key::Text(s) => Cell::text(s.clone()),
    }
}

async fn recruiting_lists_are_stored_as_served(db: TestDb) {
    let h = default_harness(db, 36, 15).await;
    let summary = h.sync(options(&[ResourceName::Recruiting])).await;
    assert_eq!(summary.outcome, Outcome::Succeeded, "{summary:?}");
    assert_minimum(&summary);
    let reader = Reader::new(&h).await;
    let beta = |path: &str| {
        let request = reader
            .http
            .get(format!("{}{path}", reader.base))
            .bearer_auth(&reader.v2)
            .header("Beta", "true");
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    use bridge_store::tables::{
        RECRUITING_APPLICATIONS, RECRUITING_CANDIDATES, RECRUITING_CATEGORIES, RECRUITING_JOBS,
    };
    for (path, table) in [
        ("/v2/recruiting/categories", &RECRUITING_CATEGORIES),
        ("/v2/recruiting/jobs", &RECRUITING_JOBS),
        ("/v2/recruiting/candidates", &RECRUITING_CANDIDATES),
        ("/v2/recruiting/applications", &RECRUITING_APPLICATIONS),
    ] {
        let mut served = Vec::new();
        let mut next = Some(format!("{path}?limit=200"));
        for _ in 0..100 {
            let Some(at) = next.take() else { break };
            let page = beta(&at).await;
            served.extend(page["_data"].as_array().unwrap().iter().cloned());
            next = page["_meta"]["links"]["next"]["href"]
                .as_str()
                .map(|href| href.trim_start_matches(&reader.base).to_owned());
        }
        assert!(!served.is_empty(), "{path} has items");
        let rows = stored(&h, table).await;
        assert_eq!(rows.len(), served.len(), "{path}");
        for item in &served {
            let row = &rows[&Key::Text(item["id"].as_str().unwrap().to_owned())];
            match table.name {
                "recruiting_applications" => {
                    assert_eq!(
                        value(table, row, "candidate_id"),
                        &text(&item["candidate"]["id"])
                    );
                    assert_eq!(value(table, row, "job_id"), &text(&item["job"]["id"]));
                }
                "recruiting_candidates" => {
                    assert_eq!(value(table, row, "email"), &text(&item["email"]))
                }
                _ => assert_eq!(value(table, row, "name"), &text(&item["name"])),
            }
        }
    }
}

/// Minutes of the BREAK periods inside a WORK period, as the store keeps them on the work
/// period, follow a break added later to an old work period (Personio lists the break
/// alone as changed) and the break's deletion.
async fn break_minutes_follow_breaks_added_and_deleted_later(db: TestDb) {
    let h = default_harness(db, 36, 8).await;
    let resources = [ResourceName::Employees, ResourceName::Attendances];
    let first = h.sync(options(&resources)).await;
    assert_eq!(first.outcome, Outcome::Succeeded, "{first:?}");
    let table = &bridge_store::tables::ATTENDANCE_PERIODS;
    let local = |cell: &Cell| match cell {
        Cell::Text(s) => chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap(),
        other => panic!("not a local date-time: {other:?}"),
    };
    // A finished work period of at least two hours from a month before the latest one:
    // older than what an incremental sync lists again (its overlap and its reconciliation
    // window of recent periods), so only the new break is listed.
    let periods = stored(&h, table).await;
    let works: Vec<_> = periods
        .iter()
        .filter(|(_, v)| value(table, v, "type") == &Cell::text("WORK"))
        .filter(|(_, v)| value(table, v, "end") != &Cell::Null)
        .filter(|(_, v)| {
            local(value(table, v, "end")) - local(value(table, v, "start"))
                >= chrono::Duration::hours(2)
        })
        .collect();
    let latest = works
        .iter()
        .map(|(_, v)| local(value(table, v, "start")))
        .max()
        .expect("a finished work period");
    let (work, values) = works
        .into_iter()
        .filter(|(_, v)| local(value(table, v, "start")) <= latest - chrono::Duration::days(30))
        .max_by_key(|(_, v)| local(value(table, v, "start")))
        .expect("a work period a month before the latest");
    let before = value(table, values, "break_minutes").clone();
    let Cell::Int(before) = before else {
        panic!("break minutes of {work:?}: {before:?}")
    };
    let (person, start) = (
        value(table, values, "employee_id").clone(),
        local(value(table, values, "start")),
    );
    let Cell::Int(person) = person else {
        panic!("{person:?}")
    };
    // Ten minutes after the work starts, before any break the generator places.
    let (from, to) = (
        start + chrono::Duration::minutes(10),
        start + chrono::Duration::minutes(25),
    );
    let format = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let reader = Reader::new(&h).await;
    let status = reader
        .send(
            reqwest::Method::POST,
            "/v2/attendance-periods?skip_approval=true",
            Some(json!({
                "person": {"id": person.to_string()},
                "type": "BREAK",
                "start": {"date_time": format(from)},
                "end": {"date_time": format(to)},
            })),
        )
        .await;
    assert_eq!(status, 201, "a break inside {work:?}");

    let added = h.sync(options(&resources)).await;
    let attendances = &added.resources["attendances"];
    assert_eq!(
        (attendances.created, attendances.updated),
        (1, 0),
        "only the break is new: {attendances:?}"
    );
    let periods = stored(&h, table).await;
    assert_eq!(
        value(table, &periods[work], "break_minutes"),
        &Cell::Int(before + 15),
        "the new break counts"
    );
    let (pause, _) = periods
        .iter()
        .find(|(_, v)| {
            value(table, v, "type") == &Cell::text("BREAK")
                && value(table, v, "start") == &Cell::text(format(from))
                && value(table, v, "employee_id") == &Cell::Int(person)
        })
        .expect("the new break is stored");

    let status = reader
        .send(
            reqwest::Method::DELETE,
            &format!("/v2/attendance-periods/{pause}"),
            None,
        )
        .await;
    assert!((200..300).contains(&status), "{status}");
    // A deletion that old is found by a full sync.
    let mut full = options(&resources);
    full.full = true;
    let removed = h.sync(full).await;
    assert_eq!(removed.resources["attendances"].deleted, 1, "{removed:?}");
    assert_eq!(
        value(table, &stored(&h, table).await[work], "break_minutes"),
        &Cell::Int(before),
        "the deleted break no longer counts"
    );
}

bridge_testkit::each_backend!(
    projects_and_their_members_are_stored_as_served,
    compensations_are_read_month_by_month_with_their_types,
    custom_reports_and_their_rows_are_stored_as_served,
    balances_are_read_for_everyone_once_then_only_for_people_whose_absences_changed,
    documents_are_read_per_owner_fully_once_then_for_changed_people,
    recruiting_lists_are_stored_as_served,
    break_minutes_follow_breaks_added_and_deleted_later,
);
