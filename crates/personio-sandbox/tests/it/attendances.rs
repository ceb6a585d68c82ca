//! `/v2/attendance-periods`: shape, filters, sorting, keyset paging, writes and errors.

use std::collections::BTreeSet;

use bridge_testkit::{assert_same_shape, fixture, sandbox, spawn_sandbox};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::paging::follow;
use crate::time_history::local;
use crate::{FIXTURES, create_credential, get, send, v2_token, v2_token_for};

#[tokio::test]
async fn attendance_pages_have_the_documented_shape_and_absolute_links() {
    let sb = spawn_sandbox(sandbox(31, 10).history_days(30));
    let token = v2_token(&sb).await;
    let (status, page) = get(&sb, &token, "/v2/attendance-periods?limit=2").await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &page,
        &fixture(FIXTURES, "v2/attendance-periods.page.json"),
        true,
    );
    assert_eq!(page["_data"].as_array().unwrap().len(), 2);
    let next = page["_meta"]["links"]["next"]["href"].as_str().unwrap();
    assert!(next.starts_with(&format!("{}/v2/attendance-periods?cursor=", sb.base_url)));
    let id = page["_data"][0]["id"].as_str().unwrap();
    let (status, one) = get(&sb, &token, &format!("/v2/attendance-periods/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        one, page["_data"][0],
        "a single period is the list item, unwrapped"
    );
}

/// Sort keys of a period under `sort`, descending fields negated, open ends largest.
fn key(p: &Value, sort: &str) -> Vec<i64> {
    sort.split(',')
        .map(|field| {
            let (descending, name) = match field.strip_prefix('-') {
                Some(name) => (true, name),
                None => (false, field),
            };
            let value = match name {
                "person.id" => p["person"]["id"].as_str().unwrap().parse().unwrap(),
                "start.date_time" => local(&p["start"]["date_time"]).and_utc().timestamp(),
                "end.date_time" => match p["end"].as_object() {
                    Some(end) => local(&end["date_time"]).and_utc().timestamp(),
                    None => i64::MAX,
                },
                "updated_at" => personio_api::time::parse_utc(p["updated_at"].as_str().unwrap())
                    .unwrap()
                    .timestamp(),
                "status" => ["CONFIRMED", "PENDING", "REJECTED"]
                    .iter()
                    .position(|s| p["approval"]["status"] == *s)
                    .unwrap() as i64,
                other => panic!("unknown sort field {other}"),
            };
            if descending { -value } else { value }
        })
        .collect()
}

#[tokio::test]
async fn every_period_pages_through_exactly_once_under_every_sort() {
    let sb = spawn_sandbox(sandbox(32, 25).history_days(45));
    let token = v2_token(&sb).await;
    let all = follow(&sb, &token, "/v2/attendance-periods").await;
    let ids: BTreeSet<String> = all
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), all.len(), "no duplicate in the default order");
    assert!(all.len() > 500);
    let default = "person.id,start.date_time,end.date_time";
    for sort in [
        default,
        "-updated_at",
        "status,-start.date_time",
        "end.date_time",
        "-end.date_time,person.id",
        "-person.id,-start.date_time",
    ] {
        let walked = follow(
            &sb,
            &token,
            &format!("/v2/attendance-periods?sort={sort}&limit=37"),
        )
        .await;
        let seen: Vec<String> = walked
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(seen.len(), ids.len(), "{sort}: no gap, no duplicate");
        assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), ids, "{sort}");
        for pair in walked.windows(2) {
            assert!(
                key(&pair[0], sort) <= key(&pair[1], sort),
                "{sort}: {} before {}",
                pair[0],
                pair[1]
            );
        }
    }
    let (status, _) = get(&sb, &token, "/v2/attendance-periods?sort=comment").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn open_periods_sort_last_ascending_and_first_descending() {
    let sb = spawn_sandbox(sandbox(33, 3).history_days(0));
    let token = v2_token(&sb).await;
    let (_, persons) = get(&sb, &token, "/v2/persons?limit=1&status=ACTIVE").await;
    let person = persons["_data"][0]["id"].as_str().unwrap().to_owned();
    // Clocked in now: an open period is the person's latest.
    for (start, end) in [
        ("2026-10-05T09:00:00", Some("2026-10-05T12:00:00")),
        ("2026-10-07T09:00:00", Some("2026-10-07T17:00:00")),
        ("2026-10-08T09:00:00", None),
    ] {
        let body = json!({"person": {"id": person}, "type": "WORK", "start": {"date_time": start},
                          "end": end.map(|e| json!({"date_time": e}))});
        let (status, created) = send(
            &sb,
            Method::POST,
            &token,
            "/v2/attendance-periods",
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
    }
    let ends = |page: Value| -> Vec<bool> {
        page["_data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["end"].is_null())
            .collect()
    };
    let (_, up) = get(&sb, &token, "/v2/attendance-periods?sort=end.date_time").await;
    assert_eq!(ends(up), [false, false, true]);
    let (_, down) = get(&sb, &token, "/v2/attendance-periods?sort=-end.date_time").await;
    assert_eq!(ends(down), [true, false, false]);
}

#[tokio::test]
async fn a_cursor_survives_periods_vanishing_between_pages() {
    let sb = spawn_sandbox(sandbox(34, 8).history_days(20));
    let token = v2_token(&sb).await;
    let all = follow(&sb, &token, "/v2/attendance-periods?sort=-updated_at").await;
    let (_, first) = get(
        &sb,
        &token,
        "/v2/attendance-periods?sort=-updated_at&limit=10",
    )
    .await;
    let next = first["_meta"]["links"]["next"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        !next.contains("sort="),
        "the cursor carries the sort: {next}"
    );
    let victim = all[10]["id"].as_str().unwrap();
    let (status, _) = send(
        &sb,
        Method::DELETE,
        &token,
        &format!("/v2/attendance-periods/{victim}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, second) = get(&sb, &token, next.strip_prefix(&sb.base_url).unwrap()).await;
    assert_eq!(
        second["_data"][0]["id"], all[11]["id"],
        "nothing skipped, nothing repeated"
    );
}

#[tokio::test]
async fn filters_select_exactly_what_they_name() {
    let sb = spawn_sandbox(sandbox(35, 30).history_days(40));
    let token = v2_token(&sb).await;
    let all = follow(&sb, &token, "/v2/attendance-periods").await;
    let two_people: Vec<&str> = {
        let mut ids: Vec<&str> = all
            .iter()
            .map(|p| p["person"]["id"].as_str().unwrap())
            .collect();
        ids.dedup();
        ids.into_iter().take(2).collect()
    };
    let project = all
        .iter()
        .find_map(|p| p["project"]["id"].as_str())
        .unwrap()
        .to_owned();
    let some_ids: Vec<&str> = all
        .iter()
        .step_by(97)
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    type Check = Box<dyn Fn(&Value) -> bool>;
    let people: Vec<String> = two_people.iter().map(|s| s.to_string()).collect();
    let wanted: Vec<String> = some_ids.iter().map(|s| s.to_string()).collect();
    let project_id = project.clone();
    let cases: Vec<(String, Check)> = vec![
        (
            format!("person.id={}", two_people.join(",")),
            Box::new(move |p| people.contains(&p["person"]["id"].as_str().unwrap().to_owned())),
        ),
        (
            format!("id={}&id={}", some_ids[0], some_ids[1..].join(",")),
            Box::new(move |p| wanted.contains(&p["id"].as_str().unwrap().to_owned())),
        ),
        (
            format!("project.id={project}"),
            Box::new(move |p| p["project"]["id"] == project_id.as_str()),
        ),
        (
            "status=PENDING".into(),
            Box::new(|p| p["approval"]["status"] == "PENDING"),
        ),
        (
            "start.date_time.gte=2026-10-20T00:00:00&start.date_time.lte=2026-10-24T12:00:00"
                .into(),
            Box::new(|p| {
                let s = p["start"]["date_time"].as_str().unwrap();
                ("2026-10-20T00:00:00"..="2026-10-24T12:00:00").contains(&s)
            }),
        ),
        (
            "end.date_time.lte=2026-10-10T00:00:00".into(),
            Box::new(|p| {
                p["end"]["date_time"]
                    .as_str()
                    .is_some_and(|e| e <= "2026-10-10T00:00:00")
            }),
        ),
        (
            "attribution_date.gte=2026-10-12&attribution_date.lte=2026-10-13".into(),
            Box::new(|p| {
                ("2026-10-12"..="2026-10-13").contains(&p["attribution_date"].as_str().unwrap())
            }),
        ),
        (
            "updated_at.gte=2026-10-25T00:00:00".into(),
            Box::new(|p| p["updated_at"].as_str().unwrap() >= "2026-10-25T00:00:00Z"),
        ),
    ];
    for (query, check) in cases {
        let expected = all.iter().filter(|p| check(p)).count();
        let got = follow(
            &sb,
            &token,
            &format!("/v2/attendance-periods?{query}&limit=50"),
        )
        .await;
        assert!(expected > 0, "{query} selects something");
        assert_eq!(got.len(), expected, "{query}");
        assert!(got.iter().all(&check), "{query}");
    }
}

#[tokio::test]
async fn malformed_filters_are_refused_with_personios_400() {
    let sb = spawn_sandbox(sandbox(36, 3).history_days(5));
    let token = v2_token(&sb).await;
    for query in [
        "updated_at.gte=2023-01-01T12:00:00Z",
        "start.date_time.gte=2024-06-07T00:00:00%2B02:00",
        "attribution_date.gte=2024-06-07T00:00:00",
        "person.id=abc",
        "status=DONE",
        "limit=101",
        "limit=0",
        "colour=blue",
        "cursor=cur_garbage",
    ] {
        let (status, body) = get(&sb, &token, &format!("/v2/attendance-periods?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(
            body["errors"][0]["title"], "Invalid request content",
            "{query}"
        );
        assert_same_shape(&body, &fixture(FIXTURES, "v2/problem.400.json"), false);
    }
    let (status, _) = get(
        &sb,
        &token,
        "/v2/attendance-periods?updated_at.gte=2023-01-01T12:00:00",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the same time without `Z` is fine");
}

#[tokio::test]
async fn create_read_patch_and_delete_a_period() {
    let sb = spawn_sandbox(sandbox(37, 5).history_days(0));
    let token = v2_token(&sb).await;
    let (_, persons) = get(&sb, &token, "/v2/persons?status=ACTIVE&limit=1").await;
    let person = persons["_data"][0]["id"].as_str().unwrap().to_owned();
    let (_, projects) = get(
        &sb,
        &token,
        "/v2/projects?status=ACTIVE&top_level_only=true",
    )
    .await;
    let project = projects["_data"][0]["id"].as_str().unwrap().to_owned();
    let body = json!({"person": {"id": person}, "type": "WORK",
        "start": {"date_time": "2026-10-28T22:00:00"}, "end": {"date_time": "2026-10-29T06:00:00"},
        "comment": "Night shift", "project": {"id": project}});
    let (status, created) = send(
        &sb,
        Method::POST,
        &token,
        "/v2/attendance-periods",
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_same_shape(&created, &fixture(FIXTURES, "v2/created.json"), true);
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/v2/attendance-periods/{id}");
    let (_, period) = get(&sb, &token, &path).await;
    assert_eq!(
        period["approval"]["status"], "PENDING",
        "skip_approval defaults to false"
    );
    assert_eq!(
        period["attribution_date"], "2026-10-28",
        "a night counts for the day it starts"
    );
    assert_eq!(period["project"]["id"], project.as_str());

    let brk = json!({"person": {"id": person}, "type": "BREAK",
        "start": {"date_time": "2026-10-29T02:00:00"}, "end": {"date_time": "2026-10-29T02:30:00"}});
    let (status, _) = send(
        &sb,
        Method::POST,
        &token,
        "/v2/attendance-periods?skip_approval=true",
        Some(brk),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, listed) = get(
        &sb,
        &token,
        &format!("/v2/attendance-periods?person.id={person}"),
    )
    .await;
    let statuses: Vec<&str> = listed["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["approval"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["PENDING", "CONFIRMED"]);

    let patch = json!({"end": {"date_time": "2026-10-29T07:00:00"}, "comment": null});
    let (status, body) = send(
        &sb,
        Method::PATCH,
        &token,
        &format!("{path}?skip_approval=true"),
        Some(patch),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, period) = get(&sb, &token, &path).await;
    assert_eq!(period["end"]["date_time"], "2026-10-29T07:00:00");
    assert!(period["comment"].is_null());
    assert_eq!(period["approval"]["status"], "CONFIRMED");
    assert!(period["updated_at"].as_str() >= period["created_at"].as_str());

    let (status, _) = send(&sb, Method::DELETE, &token, &path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, gone) = get(&sb, &token, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_same_shape(
        &gone,
        &fixture(FIXTURES, "v2/problem.404-resource.json"),
        false,
    );
    let (status, _) = send(&sb, Method::DELETE, &token, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn writes_that_break_the_rules_are_refused() {
    let sb = spawn_sandbox(sandbox(38, 5).history_days(0));
    let token = v2_token(&sb).await;
    let (_, persons) = get(&sb, &token, "/v2/persons?status=ACTIVE&limit=1").await;
    let person = persons["_data"][0]["id"].as_str().unwrap().to_owned();
    let (_, archived) = get(&sb, &token, "/v2/projects?status=ARCHIVED").await;
    let archived = archived["_data"][0]["id"].as_str().unwrap().to_owned();
    let (_, active) = get(&sb, &token, "/v2/projects?status=ACTIVE").await;
    let active = active["_data"][0]["id"].as_str().unwrap().to_owned();
    let period = |kind: &str, start: &str, end: &str| {
        json!({"person": {"id": person}, "type": kind,
               "start": {"date_time": start}, "end": {"date_time": end}})
    };
    let (status, _) = send(
        &sb,
        Method::POST,
        &token,
        "/v2/attendance-periods",
        Some(period("WORK", "2026-10-20T09:00:00", "2026-10-20T17:00:00")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let with = |mut body: Value, key: &str, value: Value| {
        body[key] = value;
        body
    };
    let unprocessable = [
        period("WORK", "2026-10-21T17:00:00", "2026-10-21T09:00:00"),
        period("WORK", "2026-10-21T09:00:00", "2026-10-22T10:00:00"),
        with(
            period("BREAK", "2026-10-20T12:00:00", "2026-10-20T12:30:00"),
            "project",
            json!({"id": active}),
        ),
        with(
            period("WORK", "2026-10-23T09:00:00", "2026-10-23T17:00:00"),
            "project",
            json!({"id": archived}),
        ),
        period("WORK", "2026-10-20T16:00:00", "2026-10-20T18:00:00"),
        with(
            period("WORK", "2026-10-24T09:00:00", "2026-10-24T17:00:00"),
            "person",
            json!({"id": "1"}),
        ),
    ];
    for body in unprocessable {
        let (status, problem) = send(
            &sb,
            Method::POST,
            &token,
            "/v2/attendance-periods",
            Some(body.clone()),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} → {problem}"
        );
        assert_same_shape(&problem, &fixture(FIXTURES, "v2/problem.422.json"), false);
    }
    let bad = [
        json!({"person": {"id": person}, "start": {"date_time": "2026-10-21T09:00:00"}}),
        with(
            period("NAP", "2026-10-21T09:00:00", "2026-10-21T10:00:00"),
            "type",
            json!("NAP"),
        ),
        period("WORK", "2026-10-21T09:00:00Z", "2026-10-21T10:00:00"),
        json!([1, 2]),
    ];
    for body in bad {
        let (status, _) = send(
            &sb,
            Method::POST,
            &token,
            "/v2/attendance-periods",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let (status, _) = send(
        &sb,
        Method::PATCH,
        &token,
        "/v2/attendance-periods/0b7e7b8e-0000-4000-8000-000000000000",
        Some(json!({"comment": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn attendance_needs_the_attendance_scopes() {
    let sb = spawn_sandbox(sandbox(39, 3).history_days(5));
    let (id, secret) = create_credential(
        &sb,
        json!({"name": "reader", "access": {"attendances": "read"}}),
    )
    .await;
    let reader = v2_token_for(&sb, &id, &secret).await;
    let (status, _) = get(&sb, &reader, "/v2/attendance-periods").await;
    assert_eq!(status, StatusCode::OK);
    let (status, problem) = send(
        &sb,
        Method::POST,
        &reader,
        "/v2/attendance-periods",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_same_shape(&problem, &fixture(FIXTURES, "v2/problem.403.json"), false);
    let (id, secret) =
        create_credential(&sb, json!({"name": "hr", "access": {"employees": "read"}})).await;
    let other = v2_token_for(&sb, &id, &secret).await;
    let (status, _) = get(&sb, &other, "/v2/attendance-periods").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "no attendances area, no attendance periods"
    );
}
