use std::collections::BTreeSet;

use bridge_testkit::{ADMIN_TOKEN, RunningSandbox, sandbox, spawn_sandbox};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{client, get, status_and_json, v1_token, v2_token};

async fn admin(
    sb: &RunningSandbox,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = client()
        .request(method, sb.url(path))
        .bearer_auth(ADMIN_TOKEN);
    if let Some(body) = body {
        request = request.json(&body);
    }
    status_and_json(request.send().await.unwrap()).await
}

async fn simulate(sb: &RunningSandbox, days: Value) -> (StatusCode, Value) {
    admin(
        sb,
        reqwest::Method::POST,
        "/_sandbox/simulate",
        Some(json!({ "days": days })),
    )
    .await
}

/// Every person id of a v2 listing with these filters, following `next` links.
async fn person_ids(sb: &RunningSandbox, token: &str, filters: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut url = format!("/v2/persons?limit=50&{filters}");
    for _ in 0..1000 {
        let (status, page) = get(sb, token, &url).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for person in page["_data"].as_array().unwrap() {
            ids.insert(person["id"].as_str().unwrap().to_owned());
        }
        match page["_meta"]["links"]["next"]["href"].as_str() {
            Some(next) => url = next.trim_start_matches(&sb.base_url).to_owned(),
            None => return ids,
        }
    }
    panic!("the listing never ended");
}

/// Every employee id v1 returns for `updated_since` (which ignores paging).
async fn v1_updated_since(sb: &RunningSandbox, token: &str, since: &str) -> BTreeSet<String> {
    let (status, body) = get(
        sb,
        token,
        &format!("/v1/company/employees?updated_since={since}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attributes"]["id"]["value"].to_string())
        .collect()
}

#[tokio::test]
async fn after_a_simulated_month_the_filters_return_exactly_what_changed() {
    let sb = spawn_sandbox(sandbox(3, 300));
    let v2 = v2_token(&sb).await;
    let before = person_ids(&sb, &v2, "").await;
    let (_, company) = admin(&sb, reqwest::Method::GET, "/_sandbox/company", None).await;
    let start = company["now"].as_str().unwrap().to_owned();

    let (status, report) = simulate(&sb, json!(30)).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let count = |kind: &str| report[kind]["employees"].as_u64().unwrap() as usize;
    // A month later the day-long tokens have expired, as they would at Personio.
    assert_eq!(
        get(&sb, &v2, "/v2/persons").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (v1, v2) = (v1_token(&sb).await, v2_token(&sb).await);
    assert!(
        count("created") > 0 && count("updated") > 0 && count("deleted") > 0,
        "{report}"
    );

    let after = person_ids(&sb, &v2, "").await;
    let created = person_ids(&sb, &v2, &format!("created_at.gt={start}")).await;
    let changed = person_ids(&sb, &v2, &format!("updated_at.gt={start}")).await;
    let deleted: BTreeSet<_> = before.difference(&after).cloned().collect();
    assert_eq!(created.len(), count("created"));
    assert_eq!(created, after.difference(&before).cloned().collect());
    assert_eq!(changed.difference(&created).count(), count("updated"));
    assert_eq!(deleted.len(), count("deleted"));
    assert_eq!(
        v1_updated_since(&sb, &v1, &start).await,
        changed,
        "v1 and v2 agree"
    );

    for id in &deleted {
        assert_eq!(
            get(&sb, &v2, &format!("/v2/persons/{id}")).await.0,
            StatusCode::NOT_FOUND
        );
        let (status, _) = get(&sb, &v1, &format!("/v1/company/employees/{id}")).await;
        assert!(
            status.is_client_error(),
            "{id} still readable in v1: {status}"
        );
    }
    let (_, v1_all) = get(&sb, &v1, "/v1/company/employees?limit=100&offset=0").await;
    assert_eq!(v1_all["metadata"]["total_elements"], after.len());

    let (_, company) = admin(&sb, reqwest::Method::GET, "/_sandbox/company", None).await;
    let now = chrono::DateTime::parse_from_rfc3339(company["now"].as_str().unwrap()).unwrap();
    let start = chrono::DateTime::parse_from_rfc3339(&start).unwrap();
    assert!(
        now - start >= chrono::Duration::days(30),
        "the clock moved on"
    );
}

#[tokio::test]
async fn the_same_seed_and_days_give_the_same_report() {
    let one = spawn_sandbox(sandbox(9, 200));
    let two = spawn_sandbox(sandbox(9, 200));
    let (_, first) = simulate(&one, json!(12)).await;
    let (_, second) = simulate(&two, json!(12)).await;
    assert_eq!(first, second);
    assert_eq!(
        first.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["created", "updated", "deleted"]
    );
}

#[tokio::test]
async fn simulate_wants_a_whole_number_of_days() {
    let sb = spawn_sandbox(sandbox(9, 5));
    for days in [json!(0), json!(-1), json!("3"), json!(1.5), json!(10_000)] {
        let (status, body) = simulate(&sb, days.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{days}: {body}");
        assert!(body["error"].as_str().unwrap().contains("days"));
    }
}

#[tokio::test]
async fn simulated_hires_reach_a_subscribed_webhook() {
    let sb = spawn_sandbox(sandbox(3, 300));
    let token = v2_token(&sb).await;
    // Nobody listens: the log still shows what was sent, and to where.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let response = client()
        .post(sb.url("/v2/webhooks"))
        .bearer_auth(&token)
        .json(&json!({"url": format!("http://{closed}/h"), "description": "hires", "status": "ENABLED", "auth_type": "NONE", "enabled_events": ["person.created"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let (_, report) = simulate(&sb, json!(30)).await;
    let hires = report["created"]["employees"].as_u64().unwrap();
    assert!(hires > 0);
    for _ in 0..400 {
        let (_, log) = admin(
            &sb,
            reqwest::Method::GET,
            "/_sandbox/webhook-deliveries",
            None,
        )
        .await;
        let first_tries = log["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["attempt"] == 1 && d["request"] == 1)
            .count() as u64;
        if first_tries == hires {
            return;
        }
        assert!(first_tries < hires, "{log}");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("not every hire was sent");
}

/// Every id of a v2 time listing with these filters, following `next` links.
async fn period_ids(sb: &RunningSandbox, token: &str, path: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut url = path.to_owned();
    for _ in 0..2000 {
        let (status, page) = get(sb, token, &url).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for item in page["_data"].as_array().unwrap() {
            ids.insert(item["id"].as_str().unwrap().to_owned());
        }
        match page["_meta"]["links"]["next"]["href"].as_str() {
            Some(next) => url = next.trim_start_matches(&sb.base_url).to_owned(),
            None => return ids,
        }
    }
    panic!("the listing never ended");
}

#[tokio::test]
async fn simulated_days_change_time_records_and_the_change_feeds_show_exactly_that() {
    let sb = spawn_sandbox(sandbox(4, 60).history_days(30));
    for (resource, path) in [
        ("attendances", "/v2/attendance-periods?limit=100"),
        ("absences", "/v2/absence-periods?limit=100"),
    ] {
        let token = v2_token(&sb).await;
        let (_, company) = admin(&sb, reqwest::Method::GET, "/_sandbox/company", None).await;
        let start = chrono::DateTime::parse_from_rfc3339(company["now"].as_str().unwrap()).unwrap();
        // v2 time filters take UTC without a zone (personio-api.md §3.1).
        let since = start.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string();
        let before = period_ids(&sb, &token, path).await;
        let (status, report) = simulate(&sb, json!(6)).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        let count = |kind: &str| report[kind][resource].as_u64().unwrap() as usize;
        let token = v2_token(&sb).await;
        let after = period_ids(&sb, &token, path).await;
        let changed = period_ids(&sb, &token, &format!("{path}&updated_at.gte={since}")).await;
        let created: BTreeSet<_> = after.difference(&before).cloned().collect();
        assert_eq!(created.len(), count("created"), "{resource}: {report}");
        assert_eq!(
            before.difference(&after).count(),
            count("deleted"),
            "{resource}"
        );
        assert_eq!(
            changed.difference(&created).count(),
            count("updated"),
            "{resource}"
        );
        assert!(created.is_subset(&changed), "{resource}");
        assert!(
            count("created") > 0 && count("updated") > 0,
            "{resource}: {report}"
        );
    }
}
