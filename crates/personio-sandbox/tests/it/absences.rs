//! `/v2/absence-periods`, breakdowns and `/v2/absence-types`; balances that follow what is
//! taken.

use bridge_testkit::{RunningSandbox, assert_same_shape, fixture, sandbox, spawn_sandbox};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::paging::follow;
use crate::time_history::local;
use crate::{FIXTURES, get, send, v1_token, v2_token};

/// The id of the absence type named `name`.
async fn type_id(sb: &RunningSandbox, token: &str, name: &str) -> String {
    let (_, types) = get(sb, token, "/v2/absence-types").await;
    types["_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no type {name}: {types}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Active people working Monday to Friday in Germany (so the dates below are working days).
async fn full_timers(sb: &RunningSandbox) -> Vec<String> {
    crate::time_history::all_employees(sb)
        .await
        .iter()
        .map(|e| &e["attributes"])
        .filter(|a| {
            a["status"]["value"] == "active"
                && a["work_schedule"]["value"]["attributes"]["friday"] == "08:00"
                && a["holiday_calendar"]["value"]["attributes"]["country"] == "DE"
        })
        .map(|a| a["id"]["value"].to_string())
        .collect()
}

async fn active_person(sb: &RunningSandbox, token: &str, index: usize) -> String {
    let (_, persons) = get(sb, token, "/v2/persons?status=ACTIVE&limit=20").await;
    persons["_data"][index]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn absences_and_types_have_the_documented_shapes() {
    let sb = spawn_sandbox(sandbox(41, 40));
    let token = v2_token(&sb).await;
    let vacation = type_id(&sb, &token, "Paid vacation").await;
    let (status, page) = get(
        &sb,
        &token,
        &format!("/v2/absence-periods?absence_type.id={vacation}&limit=2"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &page,
        &fixture(FIXTURES, "v2/absence-periods.page.json"),
        true,
    );
    let id = page["_data"][0]["id"].as_str().unwrap();
    let (_, one) = get(&sb, &token, &format!("/v2/absence-periods/{id}")).await;
    assert_eq!(one, page["_data"][0]);
    let (_, types) = get(&sb, &token, "/v2/absence-types").await;
    assert_same_shape(
        &types,
        &fixture(FIXTURES, "v2/absence-types.page.json"),
        true,
    );
    let (_, kind) = get(&sb, &token, &format!("/v2/absence-types/{vacation}")).await;
    assert_same_shape(&kind, &fixture(FIXTURES, "v2/absence-type.json"), true);
    assert_eq!(kind["category"], "PAID_VACATION");
    assert_eq!(kind["unit"], "DAY");
    let all_types = follow(&sb, &token, "/v2/absence-types?limit=2").await;
    assert_eq!(all_types.len(), 9, "types page by cursor too");
    let (status, _) = get(&sb, &token, "/v2/absence-types/not-a-uuid").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(
        &sb,
        Method::POST,
        &token,
        "/v2/absence-types",
        Some(json!({"name": "x"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::METHOD_NOT_ALLOWED,
        "absence types are read-only"
    );
}

/// Where an absence starts and ends, as comparable wall-clock text (open = far future).
fn bounds(a: &Value) -> (String, String) {
    let start = local(&a["starts_from"]["date_time"]);
    let end = match a["ends_at"].as_object() {
        None => "9999-12-31T00:00:00".to_owned(),
        Some(end) => {
            let at = local(&end["date_time"]);
            // A day-unit end names its last day; it lasts until that day is over.
            let at = if end.contains_key("type") {
                at + chrono::Duration::days(1)
            } else {
                at
            };
            at.format("%Y-%m-%dT%H:%M:%S").to_string()
        }
    };
    (start.format("%Y-%m-%dT%H:%M:%S").to_string(), end)
}

#[tokio::test]
async fn date_filters_match_absences_overlapping_the_period() {
    let sb = spawn_sandbox(sandbox(42, 60));
    let token = v2_token(&sb).await;
    let all = follow(&sb, &token, "/v2/absence-periods").await;
    let (from, until) = ("2026-08-01T00:00:00", "2026-08-15T00:00:00");
    let expected: Vec<&Value> = all
        .iter()
        .filter(|a| {
            let (s, e) = bounds(a);
            s.as_str() <= until && e.as_str() > from
        })
        .collect();
    assert!(expected.len() > 5);
    assert!(
        expected.iter().any(|a| bounds(a).0.as_str() < from),
        "some began before the period and still count"
    );
    let got = follow(&sb, &token, &format!(
        "/v2/absence-periods?starts_from.date_time.gte={from}&ends_at.date_time.lte={until}&limit=7"
    )).await;
    assert_eq!(got.len(), expected.len());
    let person = all[0]["person"]["id"].as_str().unwrap();
    let mine = follow(
        &sb,
        &token,
        &format!("/v2/absence-periods?person.id={person}"),
    )
    .await;
    assert_eq!(
        mine.len(),
        all.iter().filter(|a| a["person"]["id"] == person).count()
    );
    let (status, _) = get(
        &sb,
        &token,
        "/v2/absence-periods?starts_from.date_time.gte=2026-08-01T00:00:00Z",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no offsets in filters");
}

#[tokio::test]
async fn creating_an_absence_follows_personios_rules() {
    let sb = spawn_sandbox(sandbox(43, 30).history_days(0));
    let token = v2_token(&sb).await;
    let people = full_timers(&sb).await;
    let (person, colleague) = (people[0].clone(), people[1].clone());
    let vacation = type_id(&sb, &token, "Paid vacation").await;
    let sick = type_id(&sb, &token, "Sick leave").await;
    let training = type_id(&sb, &token, "Training").await;
    let day =
        |date: &str, half: &str| json!({"date_time": format!("{date}T00:00:00"), "type": half});
    let body = |kind: &str, from: Value, to: Value| json!({"person": {"id": person}, "absence_type": {"id": kind}, "starts_from": from, "ends_at": to});
    let trip = body(
        &vacation,
        day("2027-03-01", "SECOND_HALF"),
        day("2027-03-05", "SECOND_HALF"),
    );
    let (status, created) =
        send(&sb, Method::POST, &token, "/v2/absence-periods", Some(trip)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_same_shape(&created, &fixture(FIXTURES, "v2/created.json"), true);
    let id = created["id"].as_str().unwrap().to_owned();
    let (_, absence) = get(&sb, &token, &format!("/v2/absence-periods/{id}")).await;
    assert_eq!(
        absence["approval"]["status"], "PENDING",
        "vacation needs approval"
    );
    assert_eq!(absence["starts_from"]["type"], "SECOND_HALF");

    let (status, breakdown) = get(
        &sb,
        &token,
        &format!("/v2/absence-periods/{id}/breakdowns?limit=2"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &breakdown,
        &fixture(FIXTURES, "v2/absence-period.breakdowns.json"),
        true,
    );
    let days = follow(
        &sb,
        &token,
        &format!("/v2/absence-periods/{id}/breakdowns?limit=2"),
    )
    .await;
    let values: Vec<f64> = days
        .iter()
        .map(|d| d["effective_duration"]["value"].as_f64().unwrap())
        .collect();
    assert_eq!(
        values,
        [0.5, 1.0, 1.0, 1.0, 1.0],
        "Monday afternoon to Friday"
    );
    let (status, _) = get(
        &sb,
        &token,
        &format!("/v2/absence-periods/{id}/breakdowns?limit=29"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "breakdowns page at most 28 days"
    );

    let conflict = body(
        &vacation,
        day("2027-03-04", "FIRST_HALF"),
        day("2027-03-08", "SECOND_HALF"),
    );
    let (status, problem) = send(
        &sb,
        Method::POST,
        &token,
        "/v2/absence-periods",
        Some(conflict),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_same_shape(&problem, &fixture(FIXTURES, "v2/problem.409.json"), false);
    let morning = body(
        &vacation,
        day("2027-03-01", "FIRST_HALF"),
        day("2027-03-01", "FIRST_HALF"),
    );
    let (status, body_) = send(
        &sb,
        Method::POST,
        &token,
        "/v2/absence-periods?skip_approval=true",
        Some(morning),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the free morning of a half day: {body_}"
    );

    let mut with_self = body(
        &vacation,
        day("2027-04-01", "FIRST_HALF"),
        day("2027-04-02", "SECOND_HALF"),
    );
    with_self["substitute"] = json!({"id": person});
    let (status, _) = send(
        &sb,
        Method::POST,
        &token,
        "/v2/absence-periods",
        Some(with_self),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "one cannot stand in for oneself"
    );
    let mut substituted = body(
        &vacation,
        day("2027-04-06", "FIRST_HALF"),
        day("2027-04-07", "SECOND_HALF"),
    );
    substituted["substitute"] = json!({"id": colleague});
    let (status, _) = send(
        &sb,
        Method::POST,
        &token,
        "/v2/absence-periods",
        Some(substituted),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    let unprocessable = [
        body(
            &sick,
            day("2027-05-03", "SECOND_HALF"),
            day("2027-05-04", "SECOND_HALF"),
        ),
        body(
            &vacation,
            day("2027-05-10", "SECOND_HALF"),
            day("2027-05-10", "FIRST_HALF"),
        ),
        body(
            &vacation,
            day("2027-05-12", "FIRST_HALF"),
            day("2027-05-11", "SECOND_HALF"),
        ),
        body(
            "00000000-0000-4000-8000-000000000000",
            day("2027-05-13", "FIRST_HALF"),
            Value::Null,
        ),
        body(
            &training,
            json!({"date_time": "2027-05-14T09:00:00"}),
            Value::Null,
        ),
        {
            let mut b = body(
                &sick,
                day("2027-05-17", "FIRST_HALF"),
                day("2027-05-17", "SECOND_HALF"),
            );
            b["substitute"] = json!({"id": colleague});
            b
        },
    ];
    for b in unprocessable {
        let (status, problem) = send(
            &sb,
            Method::POST,
            &token,
            "/v2/absence-periods",
            Some(b.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{b} → {problem}");
    }
    let offset = body(
        &vacation,
        json!({"date_time": "2027-06-01T00:00:00Z"}),
        Value::Null,
    );
    let (status, _) = send(
        &sb,
        Method::POST,
        &token,
        "/v2/absence-periods",
        Some(offset),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let hours = body(
        &training,
        json!({"date_time": "2027-05-14T09:00:00"}),
        json!({"date_time": "2027-05-14T12:30:00"}),
    );
    let (status, created) = send(
        &sb,
        Method::POST,
        &token,
        "/v2/absence-periods",
        Some(hours),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let hourly = created["id"].as_str().unwrap();
    let days = follow(
        &sb,
        &token,
        &format!("/v2/absence-periods/{hourly}/breakdowns"),
    )
    .await;
    assert_eq!(
        days[0]["effective_duration"],
        json!({"unit": "HOUR", "value": 3.5})
    );
}

#[tokio::test]
async fn patching_and_deleting_an_absence() {
    let sb = spawn_sandbox(sandbox(44, 8).history_days(0));
    let token = v2_token(&sb).await;
    let person = active_person(&sb, &token, 0).await;
    let vacation = type_id(&sb, &token, "Paid vacation").await;
    let body = json!({"person": {"id": person}, "absence_type": {"id": vacation},
        "starts_from": {"date_time": "2027-02-01T00:00:00", "type": "FIRST_HALF"},
        "ends_at": {"date_time": "2027-02-03T00:00:00", "type": "SECOND_HALF"}});
    let (_, created) = send(&sb, Method::POST, &token, "/v2/absence-periods", Some(body)).await;
    let path = format!("/v2/absence-periods/{}", created["id"].as_str().unwrap());
    let patch = json!({"ends_at": {"date_time": "2027-02-04T00:00:00", "type": "FIRST_HALF"}, "comment": "One more morning"});
    let (status, _) = send(&sb, Method::PATCH, &token, &path, Some(patch)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, absence) = get(&sb, &token, &path).await;
    assert_eq!(
        absence["ends_at"],
        json!({"date_time": "2027-02-04T00:00:00", "type": "FIRST_HALF"})
    );
    assert_eq!(
        absence["starts_from"]["date_time"], "2027-02-01T00:00:00",
        "the start stays"
    );
    assert_eq!(absence["comment"], "One more morning");
    let (status, _) = send(
        &sb,
        Method::PATCH,
        &token,
        &path,
        Some(json!({"person": {"id": "1"}})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = send(&sb, Method::DELETE, &token, &path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = get(&sb, &token, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "deleted absences vanish");
    let (_, list) = get(
        &sb,
        &token,
        &format!("/v2/absence-periods?person.id={person}"),
    )
    .await;
    assert!(list["_data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_balance_follows_what_is_taken_and_requested() {
    let sb = spawn_sandbox(sandbox(45, 30));
    let v2 = v2_token(&sb).await;
    let v1 = v1_token(&sb).await;
    let person = full_timers(&sb).await[0].clone();
    let vacation = type_id(&sb, &v2, "Paid vacation").await;
    let balance = || async {
        let (_, body) = get(
            &sb,
            &v1,
            &format!("/v1/company/employees/{person}/absences/balance"),
        )
        .await;
        let line = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == "Paid vacation")
            .unwrap()
            .clone();
        (
            line["balance"].as_f64().unwrap(),
            line["available_balance"].as_f64().unwrap(),
        )
    };
    let before = balance().await;
    // Two December weekdays that are still free for this person.
    let mut booked = None;
    for week in 0..4 {
        let monday =
            chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap() + chrono::Duration::weeks(week);
        let tuesday = monday + chrono::Duration::days(1);
        let body = json!({"person": {"id": person}, "absence_type": {"id": vacation},
            "starts_from": {"date_time": format!("{monday}T00:00:00"), "type": "FIRST_HALF"},
            "ends_at": {"date_time": format!("{tuesday}T00:00:00"), "type": "SECOND_HALF"}});
        let (status, created) = send(
            &sb,
            Method::POST,
            &v2,
            "/v2/absence-periods?skip_approval=true",
            Some(body),
        )
        .await;
        if status == StatusCode::CREATED {
            booked = Some((monday, created));
            break;
        }
    }
    let (monday, _) = booked.expect("a free week in December");
    let taken = balance().await;
    assert_eq!(taken.0, before.0 - 2.0, "approved days are taken");
    assert_eq!(taken.1, before.1 - 2.0);
    let thursday = monday + chrono::Duration::days(3);
    let request = json!({"person": {"id": person}, "absence_type": {"id": vacation},
        "starts_from": {"date_time": format!("{thursday}T00:00:00"), "type": "FIRST_HALF"},
        "ends_at": {"date_time": format!("{thursday}T00:00:00"), "type": "FIRST_HALF"}});
    let (status, _) = send(&sb, Method::POST, &v2, "/v2/absence-periods", Some(request)).await;
    assert_eq!(status, StatusCode::CREATED);
    let requested = balance().await;
    assert_eq!(requested.0, taken.0, "a pending request is not taken yet");
    assert_eq!(requested.1, taken.1 - 0.5, "but it is no longer available");
}

#[tokio::test]
async fn far_off_dates_are_refused_not_crashed_on() {
    let sb = spawn_sandbox(sandbox(46, 4).history_days(3).legacy_v1(true));
    let v2 = v2_token(&sb).await;
    let v1 = v1_token(&sb).await;
    let person = active_person(&sb, &v2, 0).await;
    let vacation = type_id(&sb, &v2, "Paid vacation").await;
    let far = json!({"date_time": "9999-12-30T00:00:00", "type": "FIRST_HALF"});
    let absence = json!({"person": {"id": person}, "absence_type": {"id": vacation},
        "starts_from": {"date_time": "2026-01-05T00:00:00"}, "ends_at": far});
    let (status, _) = send(&sb, Method::POST, &v2, "/v2/absence-periods", Some(absence)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let period = json!({"person": {"id": person}, "type": "WORK",
        "start": {"date_time": "9999-12-30T09:00:00"}});
    let (status, _) = send(
        &sb,
        Method::POST,
        &v2,
        "/v2/attendance-periods",
        Some(period),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for path in [
        "/v2/attendance-periods?start.date_time.gte=9999-12-30T00:00:00",
        "/v2/absence-periods?ends_at.date_time.gte=0001-01-01T00:00:00",
    ] {
        let (status, _) = get(&sb, &v2, path).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
            "{path}: {status}"
        );
    }
    for path in [
        "/v1/company/time-offs?start_date=0001-01-01&end_date=9999-12-31&updated_to=9999-12-31",
        "/v1/company/absence-periods?start_date=9999-12-31&updated_to=9999-12-31",
        "/v1/company/attendances?start_date=0001-01-01&end_date=9999-12-31&updated_to=9999-12-31",
    ] {
        let (status, body) = get(&sb, &v1, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    let (status, _) = crate::post_form(
        &sb,
        &v1,
        "/v1/company/time-offs",
        &[
            ("employee_id", &person),
            ("time_off_type_id", "1"),
            ("start_date", "9999-12-31"),
            ("end_date", "9999-12-31"),
            ("half_day_start", "false"),
            ("half_day_end", "false"),
        ],
    )
    .await;
    assert!(status.is_client_error(), "{status}");
    let rows = json!({"attendances": [{"employee": person.parse::<i64>().unwrap(), "date": "9999-12-31",
        "start_time": "09:00", "end_time": "17:00", "break": 30}]});
    let (status, body) = send(
        &sb,
        Method::POST,
        &v1,
        "/v1/company/attendances",
        Some(rows),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
