//! The generated company: deterministic, and realistic enough to exercise a sync engine.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bridge_testkit::{RunningSandbox, sandbox, spawn_sandbox};
use serde_json::Value;

use crate::{get, v1_token};

async fn all_employees(sb: &RunningSandbox) -> Vec<Value> {
    let token = v1_token(sb).await;
    let mut out = Vec::new();
    for offset in (0..).step_by(100) {
        let (_, page) = get(
            sb,
            &token,
            &format!("/v1/company/employees?limit=100&offset={offset}"),
        )
        .await;
        let data = page["data"].as_array().unwrap().clone();
        if data.is_empty() {
            return out;
        }
        out.extend(data);
    }
    unreachable!()
}

#[tokio::test]
async fn the_same_seed_and_size_give_the_same_company_byte_for_byte() {
    let a = spawn_sandbox(sandbox(11, 150));
    let b = spawn_sandbox(sandbox(11, 150));
    let c = spawn_sandbox(sandbox(12, 150));
    let strip = |mut people: Vec<Value>, sb: &RunningSandbox| {
        // Links name the sandbox's own address; everything else must match.
        for p in &mut people {
            p["attributes"]["profile_picture"]["value"] = Value::String(
                p["attributes"]["profile_picture"]["value"]
                    .as_str()
                    .unwrap()
                    .replace(&sb.base_url, ""),
            );
        }
        serde_json::to_string(&people).unwrap()
    };
    let (ea, eb, ec) = (
        all_employees(&a).await,
        all_employees(&b).await,
        all_employees(&c).await,
    );
    assert_eq!(strip(ea.clone(), &a), strip(eb, &b));
    assert_ne!(strip(ea, &a), strip(ec, &c));
}

#[tokio::test]
async fn the_company_has_every_kind_of_person_and_attribute() {
    let sb = spawn_sandbox(sandbox(4, 400));
    let people = all_employees(&sb).await;
    let value = |p: &Value, key: &str| p["attributes"][key]["value"].clone();
    let statuses: BTreeSet<String> = people
        .iter()
        .map(|p| value(p, "status").as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        statuses,
        ["active", "inactive", "leave", "onboarding"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    for p in people.iter().filter(|p| value(p, "status") == "inactive") {
        assert!(
            value(p, "termination_date").is_string() && value(p, "termination_type").is_string()
        );
    }
    let emails: BTreeSet<String> = people
        .iter()
        .map(|p| value(p, "email").as_str().unwrap().to_owned())
        .collect();
    assert_eq!(emails.len(), people.len(), "emails are unique");
    assert!(
        emails.iter().all(|e| e.is_ascii()),
        "addresses are folded to ASCII (Personio's `format: email`)"
    );
    assert!(
        people
            .iter()
            .any(|p| !value(p, "last_name").as_str().unwrap().is_ascii())
    );
    assert!(
        people
            .iter()
            .any(|p| value(p, "cost_centers").as_array().unwrap().len() == 2),
        "split cost centers"
    );
    assert!(
        people
            .iter()
            .any(|p| value(p, "employment_type") == "external")
    );
    let hours: BTreeSet<String> = people
        .iter()
        .map(|p| {
            value(p, "weekly_working_hours")
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(hours.len() >= 3, "full and part time: {hours:?}");
    let currencies: BTreeSet<String> = people
        .iter()
        .map(|p| {
            p["attributes"]["fix_salary"]["currency"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(currencies.contains("EUR") && currencies.contains("GBP"));
    let hire_years: BTreeSet<String> = people
        .iter()
        .map(|p| value(p, "hire_date").as_str().unwrap()[..4].to_owned())
        .collect();
    assert!(hire_years.len() >= 5, "hires over years: {hire_years:?}");
    let custom_types: BTreeSet<String> = people[0]["attributes"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with("dynamic_"))
        .map(|(_, a)| a["type"].as_str().unwrap().to_owned())
        .collect();
    let all_types: BTreeSet<String> = [
        "standard",
        "date",
        "integer",
        "decimal",
        "list",
        "tags",
        "multiline",
        "link",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(custom_types, all_types);

    // A supervisor tree: every supervisor exists and no chain loops.
    let supervisor: HashMap<i64, Option<i64>> = people
        .iter()
        .map(|p| {
            (
                value(p, "id").as_i64().unwrap(),
                value(p, "supervisor")["attributes"]["id"]["value"].as_i64(),
            )
        })
        .collect();
    let roots = supervisor.values().filter(|s| s.is_none()).count();
    assert!(roots >= 1);
    for &person in supervisor.keys() {
        let mut current = Some(person);
        for _ in 0..=people.len() {
            current = current.and_then(|c| supervisor.get(&c).copied().flatten());
            if current.is_none() {
                break;
            }
        }
        assert!(current.is_none(), "supervisor chain of {person} loops");
    }
    let by_department: BTreeMap<String, usize> = people.iter().fold(BTreeMap::new(), |mut m, p| {
        *m.entry(
            value(p, "department")["attributes"]["name"]
                .as_str()
                .unwrap_or("-")
                .to_owned(),
        )
        .or_default() += 1;
        m
    });
    assert!(by_department.len() >= 8, "{by_department:?}");
}

#[tokio::test]
async fn a_company_of_one_works() {
    let sb = spawn_sandbox(sandbox(4, 1));
    let people = all_employees(&sb).await;
    assert_eq!(people.len(), 1);
    assert!(people[0]["attributes"]["supervisor"]["value"].is_null());
}
