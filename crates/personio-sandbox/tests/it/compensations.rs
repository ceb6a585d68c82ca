//! Compensations and compensation types: the month window, filters, paging, both scopes
//! for writes, validation, and salaries that agree with the employee records.

use bridge_testkit::{RunningSandbox, assert_same_shape, fixture, sandbox, spawn_sandbox};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    FIXTURES, client, create_credential, get, status_and_json, v1_token, v2_token, v2_token_for,
};

async fn post(sb: &RunningSandbox, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let response = client()
        .post(sb.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

/// Every compensation of a window, following `next` links.
async fn all(sb: &RunningSandbox, token: &str, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = Some(sb.url(&format!("/v2/compensations?{query}")));
    for _ in 0..200 {
        let Some(url) = next.take() else { break };
        let body: Value = client()
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        out.extend(body["_data"].as_array().unwrap().iter().cloned());
        next = body["_meta"]["links"]["next"]["href"]
            .as_str()
            .map(str::to_owned);
    }
    out
}

#[tokio::test]
async fn the_current_month_is_the_default_and_salaries_match_the_employee_records() {
    let sb = spawn_sandbox(sandbox(7, 80));
    let token = v2_token(&sb).await;
    let (status, page) = get(&sb, &token, "/v2/compensations").await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &page,
        &fixture(FIXTURES, "v2/compensations.page.json"),
        false,
    );
    let november = all(
        &sb,
        &token,
        "start_date=2026-11-01&end_date=2026-11-30&limit=100",
    )
    .await;
    let default = all(&sb, &token, "limit=100").await;
    assert_eq!(
        default, november,
        "the sandbox's month (2026-11) by default"
    );
    let v1 = v1_token(&sb).await;
    let (_, employees) = get(&sb, &v1, "/v1/company/employees?limit=100").await;
    let mut compared = 0;
    for e in employees["data"].as_array().unwrap() {
        let attributes = &e["attributes"];
        if attributes["status"]["value"] == "inactive"
            || attributes["employment_type"]["value"] != "internal"
        {
            continue;
        }
        let id = attributes["id"]["value"].to_string();
        let salaries: Vec<&Value> = november
            .iter()
            .filter(|c| c["person"]["id"] == id.as_str() && c["type"]["category"] == "FIXED_SALARY")
            .collect();
        if attributes["status"]["value"] == "onboarding" && salaries.is_empty() {
            continue;
        }
        assert_eq!(salaries.len(), 1, "one salary in effect for {id}");
        assert_eq!(
            salaries[0]["amount"]["value"], attributes["fix_salary"]["value"],
            "{id}"
        );
        assert_eq!(
            salaries[0]["amount"]["currency"],
            attributes["fix_salary"]["currency"]
        );
        compared += 1;
    }
    assert!(compared > 10);
    assert!(
        november
            .iter()
            .any(|c| c["type"]["category"] == "HOURLY_SALARY"),
        "externals are paid by the hour"
    );
}

#[tokio::test]
async fn the_window_is_at_most_one_month_and_one_time_payments_stay_in_theirs() {
    let sb = spawn_sandbox(sandbox(7, 40));
    let token = v2_token(&sb).await;
    for query in [
        "start_date=2026-01-01&end_date=2026-02-01",
        "start_date=2026-03-10&end_date=2026-03-01",
        "start_date=2026-13-01",
        "employee_id=1",
    ] {
        let (status, body) = get(&sb, &token, &format!("/v2/compensations?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_same_shape(&body, &fixture(FIXTURES, "v2/problem.400.json"), false);
    }
    assert_eq!(
        get(
            &sb,
            &token,
            "/v2/compensations?start_date=2026-01-15&end_date=2026-02-14"
        )
        .await
        .0,
        StatusCode::OK
    );
    let march = all(&sb, &token, "start_date=2026-03-10").await;
    let bonus = march
        .iter()
        .find(|c| c["type"]["category"] == "ONE_TIME")
        .expect("a bonus paid in March");
    assert!(bonus["interval"].is_null());
    assert!(
        bonus["effective_from"]
            .as_str()
            .unwrap()
            .starts_with("2026-03")
    );
    let february = all(&sb, &token, "start_date=2026-02-01&end_date=2026-02-28").await;
    assert!(february.iter().all(|c| c["id"] != bonus["id"]));
}

#[tokio::test]
async fn filters_narrow_and_paging_neither_skips_nor_repeats() {
    let sb = spawn_sandbox(sandbox(7, 40));
    let token = v2_token(&sb).await;
    let everything = all(&sb, &token, "limit=100").await;
    let small_pages = all(&sb, &token, "limit=7").await;
    assert_eq!(small_pages, everything);
    assert_eq!(
        get(&sb, &token, "/v2/compensations?limit=101").await.0,
        StatusCode::BAD_REQUEST
    );
    let person = everything[0]["person"]["id"].as_str().unwrap();
    let mine = all(&sb, &token, &format!("person.id={person}")).await;
    assert!(!mine.is_empty() && mine.iter().all(|c| c["person"]["id"] == person));
    let entity = everything[0]["legal_entity"]["id"].as_str().unwrap();
    let theirs = all(&sb, &token, &format!("legal_entity.id={entity}")).await;
    assert!(theirs.iter().all(|c| c["legal_entity"]["id"] == entity));
    assert!(theirs.len() < everything.len());
}

#[tokio::test]
async fn writing_needs_read_and_write_and_a_new_salary_replaces_the_old() {
    let sb = spawn_sandbox(sandbox(7, 15));
    let token = v2_token(&sb).await;
    let (_, types) = get(&sb, &token, "/v2/compensations/types").await;
    assert_same_shape(
        &types,
        &fixture(FIXTURES, "v2/compensation-types.page.json"),
        true,
    );
    let type_id = |name: &str| {
        types["_data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let november = all(&sb, &token, "").await;
    let salaried = november
        .iter()
        .find(|c| c["type"]["category"] == "FIXED_SALARY")
        .unwrap();
    let person = salaried["person"]["id"].as_str().unwrap().to_owned();

    let (id, secret) = create_credential(
        &sb,
        json!({"name": "payroll reader", "access": {"compensations": "read"}, "readable_attributes": []}),
    )
    .await;
    let reader = v2_token_for(&sb, &id, &secret).await;
    let raise = json!({"person": {"id": person}, "type": {"id": type_id("salary")}, "value": 6100.5,
                       "effective_from": "2026-12-01", "comment": "Promotion"});
    let (status, _) = post(&sb, &reader, "/v2/compensations", raise.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "read alone may not write");

    for (bad, expected) in [
        (
            json!({"person": {"id": "1"}, "type": {"id": type_id("salary")}, "value": 1, "effective_from": "2026-12-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"person": {"id": person}, "type": {"id": "00000000-0000-4000-8000-000000000000"}, "value": 1, "effective_from": "2026-12-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"person": {"id": person}, "type": {"id": type_id("salary")}, "value": 1.005, "effective_from": "2026-12-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"person": {"id": person}, "type": {"id": type_id("salary")}, "value": 1, "currency": "euro", "effective_from": "2026-12-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"person": {"id": person}, "type": {"id": type_id("Meal allowance")}, "value": 1, "interval": "WEEKLY", "effective_from": "2026-12-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"person": {"id": person}, "type": {"id": type_id("salary")}, "value": 1, "effective_from": "1.12.2026"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"person": {"id": person}, "value": 1, "effective_from": "2026-12-01"}),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (status, body) = post(&sb, &token, "/v2/compensations", bad.clone()).await;
        assert_eq!(status, expected, "{bad}: {body}");
    }
    let (status, created) = post(&sb, &token, "/v2/compensations", raise).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_same_shape(&created, &fixture(FIXTURES, "v2/created.json"), false);
    let december = all(
        &sb,
        &token,
        &format!("start_date=2026-12-01&person.id={person}"),
    )
    .await;
    let salaries: Vec<&Value> = december
        .iter()
        .filter(|c| c["type"]["name"] == "salary")
        .collect();
    assert_eq!(salaries.len(), 1, "the new salary replaced the old one");
    assert_eq!(salaries[0]["id"], created["id"]);
    assert_eq!(salaries[0]["amount"]["value"], 6100.5);
    let still = all(&sb, &token, &format!("person.id={person}")).await;
    assert!(
        still.iter().any(|c| c["id"] == salaried["id"]),
        "November still shows the old salary"
    );
}

#[tokio::test]
async fn compensation_types_list_page_and_take_new_ones() {
    let sb = spawn_sandbox(sandbox(7, 3));
    let token = v2_token(&sb).await;
    let (status, body) = post(
        &sb,
        &token,
        "/v2/compensations/types",
        json!({"name": "Home office allowance", "category": "RECURRING"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = post(
        &sb,
        &token,
        "/v2/compensations/types",
        json!({"name": "home office allowance", "category": "ONE_TIME"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = post(
        &sb,
        &token,
        "/v2/compensations/types",
        json!({"name": "Stock", "category": "EQUITY"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, first) = get(&sb, &token, "/v2/compensations/types?limit=1").await;
    assert_eq!(first["_data"].as_array().unwrap().len(), 1);
    assert!(first["_meta"]["links"]["next"]["href"].is_string());
    assert_eq!(
        get(&sb, &token, "/v2/compensations/types?limit=101")
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let (_, types) = get(&sb, &token, "/v2/compensations/types").await;
    let created = types["_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == body["id"])
        .unwrap();
    assert_eq!(created["category"], "RECURRING");
}
