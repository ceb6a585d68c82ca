//! The generated time history, read back through the API: it is consistent with schedules,
//! holidays, absences and employment; varied enough to exercise a sync engine; within
//! entitlements; and the same for the same seed.

use std::collections::{BTreeSet, HashMap, HashSet};

use bridge_testkit::{RunningSandbox, as_of, sandbox, spawn_sandbox};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use personio_sandbox::company::{HolidayCalendar, holidays};
use serde_json::Value;

use crate::paging::follow;
use crate::{get, v1_token, v2_token};

pub async fn all_employees(sb: &RunningSandbox) -> Vec<Value> {
    let token = v1_token(sb).await;
    let mut out = Vec::new();
    for offset in (0..100_000).step_by(100) {
        let (_, page) = get(
            sb,
            &token,
            &format!("/v1/company/employees?limit=100&offset={offset}"),
        )
        .await;
        let data = page["data"].as_array().unwrap().clone();
        if data.is_empty() {
            break;
        }
        out.extend(data);
    }
    out
}

pub fn local(value: &Value) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(value.as_str().unwrap(), "%Y-%m-%dT%H:%M:%S").unwrap()
}

fn date_of(value: &Value) -> Option<NaiveDate> {
    value.as_str().and_then(personio_api::time::parse_date)
}

/// What the invariants need to know about a person, from their v1 attributes.
struct Person {
    minutes: [i64; 7],
    calendar: HolidayCalendar,
    hire: NaiveDate,
    last_day: Option<NaiveDate>,
}

fn person(employee: &Value) -> (i64, Person) {
    let a = &employee["attributes"];
    let schedule = &a["work_schedule"]["value"]["attributes"];
    let days = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let minutes = days.map(|d| {
        let (h, m) = schedule[d].as_str().unwrap().split_once(':').unwrap();
        h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap()
    });
    let calendar = &a["holiday_calendar"]["value"]["attributes"];
    let leak = |v: &Value| -> &'static str { Box::leak(v.as_str().unwrap().to_owned().into()) };
    let calendar = HolidayCalendar {
        id: calendar["id"].as_i64().unwrap(),
        name: "",
        country: leak(&calendar["country"]),
        state: calendar["state"].as_str().map(|_| leak(&calendar["state"])),
    };
    (
        a["id"]["value"].as_i64().unwrap(),
        Person {
            minutes,
            calendar,
            hire: date_of(&a["hire_date"]["value"]).unwrap(),
            last_day: date_of(&a["last_working_day"]["value"]),
        },
    )
}

/// Days an absence takes completely: whole days between its boundaries.
fn full_days(absence: &Value, until: NaiveDate) -> Vec<NaiveDate> {
    let start = &absence["starts_from"];
    let Some(half) = start["type"].as_str() else {
        return Vec::new(); // hour-unit absences take hours, not days
    };
    let mut first = local(&start["date_time"]).date();
    if half == "SECOND_HALF" {
        first += Duration::days(1);
    }
    let last = match absence["ends_at"].as_object() {
        None => until,
        Some(end) => {
            let day = local(&end["date_time"]).date();
            if end["type"] == "FIRST_HALF" {
                day - Duration::days(1)
            } else {
                day
            }
        }
    };
    first.iter_days().take_while(|d| *d <= last).collect()
}

#[tokio::test]
async fn attendance_respects_schedules_holidays_absences_and_employment() {
    let sb = spawn_sandbox(sandbox(21, 80));
    let token = v2_token(&sb).await;
    let people: HashMap<i64, Person> = all_employees(&sb).await.iter().map(person).collect();
    let periods = follow(&sb, &token, "/v2/attendance-periods").await;
    let absences = follow(&sb, &token, "/v2/absence-periods").await;
    assert!(
        periods.len() > 5_000,
        "a year of history: {}",
        periods.len()
    );

    let mut absent: HashSet<(i64, NaiveDate)> = HashSet::new();
    for absence in &absences {
        let id = absence["person"]["id"].as_str().unwrap().parse().unwrap();
        for day in full_days(absence, as_of()) {
            absent.insert((id, day));
        }
    }
    let mut works: HashMap<i64, Vec<(NaiveDateTime, Option<NaiveDateTime>)>> = HashMap::new();
    for p in &periods {
        let id: i64 = p["person"]["id"].as_str().unwrap().parse().unwrap();
        let who = &people[&id];
        let day =
            NaiveDate::parse_from_str(p["attribution_date"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        let weekday = day.weekday().num_days_from_monday() as usize;
        assert!(who.minutes[weekday] > 0, "{id} works on a day off: {p}");
        assert!(
            !holidays(&who.calendar, day.year()).contains(&day),
            "{id} works on a holiday: {p}"
        );
        assert!(!absent.contains(&(id, day)), "{id} works while absent: {p}");
        assert!(
            day >= who.hire && day < as_of(),
            "{id} outside employment: {p}"
        );
        assert!(
            who.last_day.is_none_or(|l| day <= l),
            "{id} after leaving: {p}"
        );
        if p["type"] == "WORK" {
            let end = p["end"].as_object().map(|e| local(&e["date_time"]));
            works
                .entry(id)
                .or_default()
                .push((local(&p["start"]["date_time"]), end));
        }
    }
    for p in periods.iter().filter(|p| p["type"] == "BREAK") {
        let id: i64 = p["person"]["id"].as_str().unwrap().parse().unwrap();
        let (start, end) = (
            local(&p["start"]["date_time"]),
            local(&p["end"]["date_time"]),
        );
        assert!(p["project"].is_null(), "a break has no project: {p}");
        assert!(
            works[&id]
                .iter()
                .any(|(s, e)| *s <= start && e.is_some_and(|e| end <= e)),
            "break outside any work period: {p}"
        );
    }
}

#[tokio::test]
async fn the_history_has_every_kind_of_period_and_absence() {
    let sb = spawn_sandbox(sandbox(22, 120));
    let token = v2_token(&sb).await;
    let periods = follow(&sb, &token, "/v2/attendance-periods").await;
    let statuses: BTreeSet<&str> = periods
        .iter()
        .map(|p| p["approval"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        BTreeSet::from(["CONFIRMED", "PENDING", "REJECTED"])
    );
    assert!(periods.iter().any(|p| p["project"].is_object()), "projects");
    assert!(periods.iter().any(|p| p["comment"].is_string()), "comments");
    assert!(
        periods.iter().any(|p| p["end"].is_object()
            && local(&p["end"]["date_time"]).date() > local(&p["start"]["date_time"]).date()),
        "night shifts cross midnight"
    );
    let tracked: HashSet<&str> = periods
        .iter()
        .map(|p| p["person"]["id"].as_str().unwrap())
        .collect();
    let people = all_employees(&sb).await;
    let untracked = people.iter().filter(|e| {
        e["attributes"]["status"]["value"] == "active"
            && !tracked.contains(e["attributes"]["id"]["value"].to_string().as_str())
    });
    assert!(untracked.count() > 0, "some schedules do not track time");

    let absences = follow(&sb, &token, "/v2/absence-periods").await;
    let (_, types) = get(&sb, &token, "/v2/absence-types").await;
    let category: HashMap<&str, &str> = types["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_str().unwrap(), t["category"].as_str().unwrap()))
        .collect();
    let used: BTreeSet<&str> = absences
        .iter()
        .map(|a| category[a["absence_type"]["id"].as_str().unwrap()])
        .collect();
    assert!(used.len() >= 6, "several types: {used:?}");
    let half = |a: &&Value| {
        a["starts_from"]["type"] == "SECOND_HALF" || a["ends_at"]["type"] == "FIRST_HALF"
    };
    assert!(absences.iter().any(|a| half(&a)), "half days");
    assert!(
        absences
            .iter()
            .any(|a| a["starts_from"].get("type").is_none()),
        "hour-unit absences carry times, not halves"
    );
    assert!(
        absences.iter().any(|a| a["ends_at"].is_null()),
        "open-ended"
    );
    let span = |a: &Value| {
        let start = local(&a["starts_from"]["date_time"]).date();
        a["ends_at"]
            .as_object()
            .map(|e| (start, local(&e["date_time"]).date()))
    };
    assert!(
        absences
            .iter()
            .filter_map(span)
            .any(|(s, e)| s.year() < e.year()),
        "across the turn of the year"
    );
    assert!(
        absences
            .iter()
            .filter_map(span)
            .any(|(s, e)| s.month() != e.month()),
        "across month ends"
    );
    assert!(
        absences
            .iter()
            .filter_map(span)
            .any(|(s, e)| (e - s).num_days() >= 21),
        "multi-week"
    );
    let approvals: BTreeSet<&str> = absences
        .iter()
        .map(|a| a["approval"]["status"].as_str().unwrap())
        .collect();
    assert!(
        approvals.contains("APPROVED") && approvals.contains("PENDING"),
        "{approvals:?}"
    );
}

#[tokio::test]
async fn vacation_stays_within_the_entitlement() {
    let sb = spawn_sandbox(sandbox(23, 60));
    let token = v1_token(&sb).await;
    let people = all_employees(&sb).await;
    let mut checked = 0;
    for employee in &people {
        let id = &employee["attributes"]["id"]["value"];
        let (_, body) = get(
            &sb,
            &token,
            &format!("/v1/company/employees/{id}/absences/balance"),
        )
        .await;
        let entitlements = employee["attributes"]["absence_entitlement"]["value"]
            .as_array()
            .unwrap();
        for line in body["data"].as_array().unwrap() {
            let entitled = entitlements
                .iter()
                .find(|e| e["attributes"]["id"] == line["id"])
                .map(|e| e["attributes"]["entitlement"].as_f64().unwrap())
                .unwrap();
            let available = line["available_balance"].as_f64().unwrap();
            assert!(
                (0.0..=entitled).contains(&available),
                "{id}: {available} of {entitled} left in {line}"
            );
            checked += 1;
        }
    }
    assert!(checked >= people.len());
}

#[tokio::test]
async fn the_same_seed_gives_the_same_history_byte_for_byte() {
    let a = spawn_sandbox(sandbox(24, 30).history_days(120));
    let b = spawn_sandbox(sandbox(24, 30).history_days(120));
    let c = spawn_sandbox(sandbox(24, 30).history_days(60));
    let (ta, tb, tc) = (v2_token(&a).await, v2_token(&b).await, v2_token(&c).await);
    for path in [
        "/v2/attendance-periods",
        "/v2/absence-periods",
        "/v2/projects",
    ] {
        let left = follow(&a, &ta, path).await;
        let right = follow(&b, &tb, path).await;
        assert!(!left.is_empty(), "{path}");
        assert_eq!(
            serde_json::to_string(&left).unwrap(),
            serde_json::to_string(&right).unwrap(),
            "{path}"
        );
    }
    let shorter = follow(&c, &tc, "/v2/attendance-periods").await;
    let longer = follow(&a, &ta, "/v2/attendance-periods").await;
    assert!(
        shorter.len() < longer.len(),
        "the history length is part of the company"
    );
    let none = spawn_sandbox(sandbox(24, 30).history_days(0));
    let token = v2_token(&none).await;
    let (_, page) = get(&none, &token, "/v2/attendance-periods").await;
    assert_eq!(page["_data"], Value::Array(Vec::new()));
}
