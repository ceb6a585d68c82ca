//! Every read tool over both transports, each answer compared with the store's records read
//! directly (by table, not through the tools' queries).

use std::collections::{BTreeSet, HashMap};

use bridge_store::tables::{self, Table};
use bridge_store::{RecordQuery, Scope, StoredRecord, Value as Cell};
use serde_json::{Value, json};

use crate::harness::{World, answer, call, tools};

/// Every live record of `table` of acme.
async fn records(world: &World, table: &'static Table) -> Vec<StoredRecord> {
    world
        .store
        .browse(
            world.acme.id,
            table,
            &RecordQuery {
                limit: 100_000,
                ..RecordQuery::default()
            },
        )
        .await
        .unwrap()
}

pub(crate) fn cell<'a>(record: &'a StoredRecord, table: &Table, column: &str) -> &'a Cell {
    &record.values[table.column_index(column).unwrap()]
}

pub(crate) fn text(record: &StoredRecord, table: &Table, column: &str) -> Option<String> {
    match cell(record, table, column) {
        Cell::Text(s) => Some(s.clone()),
        _ => None,
    }
}

pub(crate) fn int(record: &StoredRecord, table: &Table, column: &str) -> Option<i64> {
    match cell(record, table, column) {
        Cell::Int(n) => Some(*n),
        _ => None,
    }
}

fn key_int(record: &StoredRecord) -> i64 {
    match &record.key {
        bridge_store::Key::Int(n) => *n,
        bridge_store::Key::Text(s) => s.parse().unwrap(),
    }
}

pub(crate) fn key_text(record: &StoredRecord) -> String {
    match &record.key {
        bridge_store::Key::Int(n) => n.to_string(),
        bridge_store::Key::Text(s) => s.clone(),
    }
}

/// Each person's current employment: the live one that started last (hire date, then id).
pub(crate) fn current_employments(employments: &[StoredRecord]) -> HashMap<i64, &StoredRecord> {
    let t = &tables::EMPLOYMENTS;
    let mut current: HashMap<i64, &StoredRecord> = HashMap::new();
    for e in employments {
        let person = int(e, t, "employee_id").unwrap();
        let rank = |r: &StoredRecord| (text(r, t, "hire_date").unwrap_or_default(), key_text(r));
        match current.get(&person) {
            Some(other) if rank(other) >= rank(e) => {}
            _ => {
                current.insert(person, e);
            }
        }
    }
    current
}

fn ids(list: &Value, field: &str) -> BTreeSet<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| match &item[field] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

#[tokio::test]
async fn every_read_tool_answers_what_the_store_holds_over_stdio_and_http() {
    let Some(tools) = tools() else { return };
    let world = World::new(tools, 71).await;
    let key = world
        .key("agent", &[Scope::Read, Scope::Write], &["acme"])
        .await;

    // What the store holds, read table by table.
    let (te, tm, ta) = (
        &tables::EMPLOYEES,
        &tables::EMPLOYMENTS,
        &tables::ABSENCE_PERIODS,
    );
    let people = records(&world, te).await;
    let employments = records(&world, tm).await;
    let current = current_employments(&employments);
    let department_of = |person: i64| current.get(&person).and_then(|e| text(e, tm, "department"));
    let absences = records(&world, ta).await;
    // A week that starts with someone's absence, in that person's department.
    let (first, department) = absences
        .iter()
        .find_map(|a| {
            let person = int(a, ta, "employee_id")?;
            Some((a, department_of(person)?))
        })
        .expect("the sandbox has absences of people in departments");
    let from = text(first, ta, "start").unwrap()[..10].to_owned();
    let from_day = chrono::NaiveDate::parse_from_str(&from, "%Y-%m-%d").unwrap();
    let to = (from_day + chrono::Duration::days(6)).to_string();
    let expected_absent: BTreeSet<String> = absences
        .iter()
        .filter(|a| {
            let start = text(a, ta, "start").unwrap();
            let end = text(a, ta, "end");
            start.as_str() <= format!("{to}T23:59:59").as_str()
                && end.is_none_or(|end| end >= format!("{from}T00:00:00"))
                && department_of(int(a, ta, "employee_id").unwrap())
                    .is_some_and(|d| d.eq_ignore_ascii_case(&department))
        })
        .map(key_text)
        .collect();
    let in_department: BTreeSet<String> = people
        .iter()
        .map(key_int)
        .filter(|p| department_of(*p).is_some_and(|d| d.eq_ignore_ascii_case(&department)))
        .map(|p| p.to_string())
        .collect();
    // Someone with a supervisor, and the top of the chart.
    let someone = people
        .iter()
        .find(|p| {
            current
                .get(&key_int(p))
                .and_then(|e| int(e, tm, "supervisor_id"))
                .is_some()
        })
        .unwrap();
    let someone_id = key_int(someone);
    let supervisor = int(current[&someone_id], tm, "supervisor_id").unwrap();
    let top = people
        .iter()
        .map(key_int)
        .find(|p| {
            current
                .get(p)
                .and_then(|e| int(e, tm, "supervisor_id"))
                .is_none()
        })
        .unwrap();
    let mut below: BTreeSet<i64> = BTreeSet::from([top]);
    loop {
        let more: Vec<i64> = people
            .iter()
            .map(key_int)
            .filter(|p| !below.contains(p))
            .filter(|p| {
                current
                    .get(p)
                    .and_then(|e| int(e, tm, "supervisor_id"))
                    .is_some_and(|s| below.contains(&s))
            })
            .collect();
        if more.is_empty() {
            break;
        }
        below.extend(more);
    }
    // Someone's attendance over the synced days, summed.
    let tt = &tables::ATTENDANCE_PERIODS;
    let periods = records(&world, tt).await;
    let worker = int(&periods[0], tt, "employee_id").unwrap();
    let (att_from, att_to) = ("2026-10-01", "2026-11-30");
    let theirs: Vec<&StoredRecord> = periods
        .iter()
        .filter(|p| int(p, tt, "employee_id") == Some(worker))
        .filter(|p| {
            let start = text(p, tt, "start").unwrap();
            start.as_str() >= "2026-10-01T00:00:00" && start.as_str() <= "2026-11-30T23:59:59"
        })
        .collect();
    let minutes: i64 = theirs
        .iter()
        .filter(|p| text(p, tt, "type").as_deref() == Some("WORK"))
        .filter_map(|p| {
            let parse =
                |s: String| chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S").unwrap();
            let span = parse(text(p, tt, "end")?) - parse(text(p, tt, "start").unwrap());
            Some(span.num_minutes() - int(p, tt, "break_minutes").unwrap_or(0))
        })
        .sum();
    let balances = records(&world, &tables::BALANCES).await;
    let balance_count = balances
        .iter()
        .filter(|b| int(b, &tables::BALANCES, "employee_id") == Some(someone_id))
        .count();
    let absence_types: BTreeSet<String> = records(&world, &tables::ABSENCE_TYPES)
        .await
        .iter()
        .map(key_text)
        .collect();
    let projects: BTreeSet<String> = records(&world, &tables::PROJECTS)
        .await
        .iter()
        .map(|p| key_int(p).to_string())
        .collect();
    let members = records(&world, &tables::PROJECT_MEMBERS).await;
    let tpm = &tables::PROJECT_MEMBERS;
    let project = int(
        members.first().expect("the sandbox has project members"),
        tpm,
        "project_id",
    )
    .unwrap();
    let project_members: BTreeSet<String> = members
        .iter()
        .filter(|m| int(m, tpm, "project_id") == Some(project))
        .map(|m| int(m, tpm, "employee_id").unwrap().to_string())
        .collect();
    // Someone to find by (part of) a name spelt in ASCII, as people type it.
    let (named_id, last_name) = people
        .iter()
        .find_map(|p| {
            let last = text(p, te, "last_name")?;
            last.is_ascii().then(|| (key_int(p), last))
        })
        .unwrap();

    let steps = vec![
        json!({ "op": "list_tools" }),
        call("companies", json!({})),
        call("freshness", json!({})),
        call(
            "find_people",
            json!({ "department": department.to_uppercase(), "limit": 100 }),
        ),
        call(
            "find_people",
            json!({ "name": last_name.to_lowercase(), "limit": 100 }),
        ),
        call("person", json!({ "person_id": someone_id })),
        call(
            "org_chart",
            json!({ "person_id": top, "depth": 10, "limit": 100 }),
        ),
        call(
            "absent",
            json!({ "from": from, "to": to, "department": department, "limit": 100 }),
        ),
        call(
            "attendance",
            json!({ "person_id": worker, "from": att_from, "to": att_to, "limit": 100 }),
        ),
        call("balances", json!({ "person_id": someone_id })),
        call("absence_types", json!({ "company": "acme" })),
        call("projects", json!({ "limit": 100 })),
        call(
            "project_members",
            json!({ "project_id": project, "limit": 100 }),
        ),
        call("find_people", json!({ "limit": 2 })),
    ];
    for connect in [world.stdio(&["read", "write"]), world.http(&key)] {
        let results = world.drive(&connect, steps.clone());

        let tools = results[0]["tools"].as_array().unwrap();
        let names: BTreeSet<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
        let expected: BTreeSet<&str> = bridge_mcp::TOOL_NAMES
            .iter()
            .copied()
            .filter(|n| *n != "compensations")
            .collect();
        assert_eq!(names, expected, "{connect}");
        for tool in tools {
            assert!(tool["description"].as_str().unwrap().len() > 60, "{tool}");
            let schema = &tool["input_schema"];
            assert_eq!(schema["type"], "object", "{tool}");
            for (name, property) in schema["properties"].as_object().into_iter().flatten() {
                assert!(
                    property["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{} argument {name} is described: {schema}",
                    tool["name"]
                );
            }
        }

        let companies = answer(&results[1]);
        assert_eq!(
            ids(&companies["companies"], "name"),
            BTreeSet::from(["acme".to_owned()])
        );
        let freshness = answer(&results[2]);
        assert!(ids(&freshness["resources"], "resource").contains("employees"));
        assert_eq!(freshness["last_sync"]["outcome"], "succeeded");

        let found = answer(&results[3]);
        assert_eq!(ids(&found["people"], "id"), in_department);
        assert!(found["synced_at"]["employees"].is_string(), "{found}");
        let named = answer(&results[4]);
        assert!(ids(&named["people"], "id").contains(&named_id.to_string()));

        let person = answer(&results[5])["person"].clone();
        assert_eq!(person["id"], someone_id);
        assert_eq!(person["last_name"], json!(text(someone, te, "last_name")));
        assert_eq!(person["email"], json!(text(someone, te, "email")));
        assert_eq!(
            person["employment"]["department"],
            json!(department_of(someone_id))
        );
        assert_eq!(person["supervisor"]["id"], supervisor);
        assert!(
            person.get("custom_attributes").is_none(),
            "not for read keys"
        );

        let chart = answer(&results[6]);
        let charted: BTreeSet<i64> = chart["chart"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_i64().unwrap())
            .collect();
        assert_eq!(charted, below);
        assert_eq!(chart["chart"][0]["id"], top);
        assert_eq!(chart["chart"][0]["depth"], 0);

        let absent = answer(&results[7]);
        assert_eq!(ids(&absent["absences"], "absence_id"), expected_absent);
        assert!(!expected_absent.is_empty());

        let attendance = answer(&results[8]);
        assert_eq!(attendance["periods_total"], theirs.len());
        let hours = attendance["worked_hours"].as_f64().unwrap();
        assert!(
            (hours - minutes as f64 / 60.0).abs() < 0.01,
            "{hours} vs {minutes} minutes"
        );

        let balances = answer(&results[9]);
        assert_eq!(
            balances["balances"].as_array().unwrap().len(),
            balance_count
        );
        assert_eq!(
            ids(&answer(&results[10])["absence_types"], "id"),
            absence_types
        );
        assert_eq!(ids(&answer(&results[11])["projects"], "id"), projects);
        assert_eq!(ids(&answer(&results[12])["members"], "id"), project_members);

        // Paging: the cursor goes on after the last person of the page.
        let page = answer(&results[13]);
        let first_ids: Vec<i64> = page["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert_eq!(first_ids.len(), 2);
        let next = page["next_cursor"].as_str().unwrap();
        let results = world.drive(
            &connect,
            vec![call("find_people", json!({ "limit": 2, "cursor": next }))],
        );
        let second = answer(&results[0]);
        let second_ids: Vec<i64> = second["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        let mut all: Vec<i64> = people.iter().map(key_int).collect();
        all.sort();
        assert_eq!([first_ids, second_ids].concat(), all[..4].to_vec());
    }

    // The calls were counted for /metrics.
    let metrics = reqwest::get(format!("{}/metrics", world.base_url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("bridge_mcp_tool_calls_total{tool=\"absent\",outcome=\"ok\"} 1"),
        "{metrics}"
    );
}
