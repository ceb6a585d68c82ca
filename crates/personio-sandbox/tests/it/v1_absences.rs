//! v1 absences: time-off types, time-offs (page-number `offset`), hourly absence periods.

use std::collections::BTreeSet;

use bridge_testkit::{assert_same_shape, fixture, sandbox, spawn_sandbox};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::{FIXTURES, client, get, post_form, send, v1_token};

#[tokio::test]
async fn time_off_types_have_the_documented_shape() {
    let sb = spawn_sandbox(sandbox(51, 5).history_days(0));
    let token = v1_token(&sb).await;
    let (status, body) = get(&sb, &token, "/v1/company/time-off-types").await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &body,
        &fixture(FIXTURES, "v1/time-off-types.list.json"),
        true,
    );
    let units: BTreeSet<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["attributes"]["unit"].as_str().unwrap())
        .collect();
    assert_eq!(units, BTreeSet::from(["day", "hour"]));
    let (_, page) = get(&sb, &token, "/v1/company/time-off-types?limit=2&offset=2").await;
    assert_eq!(page["data"][0], body["data"][2], "an item offset");
}

#[tokio::test]
async fn time_offs_page_by_page_number_and_count_pages_from_one() {
    let sb = spawn_sandbox(sandbox(52, 25));
    let token = v1_token(&sb).await;
    let response = client()
        .get(sb.url("/v1/company/time-offs?limit=5&offset=1"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(
        response.headers().get("authorization").is_some(),
        "personnel data echoes the token"
    );
    let first: Value = response.json().await.unwrap();
    assert_same_shape(&first, &fixture(FIXTURES, "v1/time-offs.list.json"), true);
    assert_eq!(first["metadata"]["current_page"], 1);
    let (_, zero) = get(&sb, &token, "/v1/company/time-offs?limit=5&offset=0").await;
    assert_eq!(
        zero["data"], first["data"],
        "offset 0 is the first page as well"
    );
    let total = first["metadata"]["total_elements"].as_u64().unwrap();
    let pages = first["metadata"]["total_pages"].as_u64().unwrap();
    assert_eq!(pages, total.div_ceil(5));
    let mut ids = BTreeSet::new();
    for page in 1..=pages {
        let (_, body) = get(
            &sb,
            &token,
            &format!("/v1/company/time-offs?limit=5&offset={page}"),
        )
        .await;
        assert_eq!(body["metadata"]["current_page"], page);
        for item in body["data"].as_array().unwrap() {
            assert!(
                ids.insert(item["attributes"]["id"].as_i64().unwrap()),
                "no repeats"
            );
        }
    }
    assert_eq!(
        ids.len() as u64,
        total,
        "page numbers walk every time-off once"
    );
    let (_, second) = get(&sb, &token, "/v1/company/time-offs?limit=5&offset=2").await;
    assert_ne!(
        second["data"][0], first["data"][0],
        "offset 2 is the second page, not item 2"
    );
}

#[tokio::test]
async fn time_offs_are_created_from_a_form_and_vanish_when_deleted() {
    let sb = spawn_sandbox(sandbox(53, 10).history_days(0));
    let token = v1_token(&sb).await;
    let (_, types) = get(&sb, &token, "/v1/company/time-off-types").await;
    let type_of = |name: &str| {
        types["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["attributes"]["name"] == name)
            .unwrap()["attributes"]["id"]
            .to_string()
    };
    let (vacation, training) = (type_of("Paid vacation"), type_of("Training"));
    let (_, employees) = get(&sb, &token, "/v1/company/employees?limit=1").await;
    let employee = employees["data"][0]["attributes"]["id"]["value"].to_string();
    let form = |kind: &str, start: &str, end: &str| {
        vec![
            ("employee_id", employee.clone()),
            ("time_off_type_id", kind.to_owned()),
            ("start_date", start.to_owned()),
            ("end_date", end.to_owned()),
            ("half_day_start", "false".to_owned()),
            ("half_day_end", "true".to_owned()),
            ("comment", "Long weekend".to_owned()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let sb = &sb;
        let token = token.clone();
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(sb, &token, "/v1/company/time-offs", &pairs).await
        }
    };
    let (status, created) = post(form(&vacation, "2027-01-14", "2027-01-15")).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_same_shape(
        &created,
        &fixture(FIXTURES, "v1/time-off.created.json"),
        true,
    );
    assert_eq!(created["data"]["attributes"]["created_by"], "API");
    assert_eq!(
        created["data"]["attributes"]["status"], "approved",
        "skip_approval defaults to true"
    );
    assert_eq!(created["data"]["attributes"]["half_day_end"], true);
    let id = created["data"]["attributes"]["id"].as_i64().unwrap();
    let (_, read) = get(&sb, &token, &format!("/v1/company/time-offs/{id}")).await;
    assert_eq!(
        read["data"]["attributes"]["start_date"],
        created["data"]["attributes"]["start_date"]
    );
    assert!(
        read["data"]["attributes"].get("created_by").is_none(),
        "only the create answer says who"
    );

    let (status, overlap) = post(form(&vacation, "2027-01-15", "2027-01-18")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        overlap["error"]["message"],
        "Error when trying to insert absence period"
    );
    let (status, hourly) = post(form(&training, "2027-01-20", "2027-01-20")).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "hour-unit types are not time-offs: {hourly}"
    );
    let (status, unknown) = post(form("999", "2027-01-20", "2027-01-20")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        unknown["error"],
        serde_json::json!({"code": 0, "message": "Time-off type not found."})
    );
    let (status, invalid) = post_form(
        &sb,
        &token,
        "/v1/company/time-offs",
        &[("employee_id", &employee)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid["success"], false);
    assert_eq!(
        invalid["error"]["message"],
        "The given data failed to pass validation."
    );
    assert!(invalid["error"]["error_data"]["time_off_type_id"].is_array());

    let (status, deleted) = send(
        &sb,
        Method::DELETE,
        &token,
        &format!("/v1/company/time-offs/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &deleted,
        &fixture(FIXTURES, "v1/time-off.deleted.json"),
        true,
    );
    let (status, missing) = get(&sb, &token, &format!("/v1/company/time-offs/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_same_shape(&missing, &fixture(FIXTURES, "v1/time-off.404.json"), true);
    let (_, list) = get(
        &sb,
        &token,
        &format!("/v1/company/time-offs?employees[]={employee}"),
    )
    .await;
    assert_eq!(list["data"], Value::Array(Vec::new()), "no tombstones");
    let (status, _) = send(
        &sb,
        Method::DELETE,
        &token,
        "/v1/company/time-offs/abc",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn hourly_absence_periods_list_create_and_delete() {
    let sb = spawn_sandbox(sandbox(54, 40));
    let token = v1_token(&sb).await;
    let (status, list) = get(&sb, &token, "/v1/company/absence-periods?limit=3").await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &list,
        &fixture(FIXTURES, "v1/absence-periods.list.json"),
        true,
    );
    assert_eq!(list["metadata"]["current_page"], 1);
    assert!(
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["attributes"]["measurement_unit"] == "hour")
    );
    let (status, unknown) = get(
        &sb,
        &token,
        "/v1/company/absence-periods?absence_types[]=00000000-0000-4000-8000-000000000000",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_same_shape(
        &unknown,
        &fixture(FIXTURES, "v1/absence-periods.404-type.json"),
        true,
    );
    assert_eq!(
        unknown["error"]["message"],
        "models.absence-types.not-found"
    );

    let (_, types) = get(&sb, &token, "/v1/company/time-off-types").await;
    let training = types["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["attributes"]["name"] == "Training")
        .unwrap()["attributes"]["id"]
        .to_string();
    let (_, employees) = get(&sb, &token, "/v1/company/employees?limit=1").await;
    let employee = employees["data"][0]["attributes"]["id"]["value"].to_string();
    let (status, created) = post_form(
        &sb,
        &token,
        "/v1/company/absence-periods",
        &[
            ("employee_id", &employee),
            ("time_off_type_id", &training),
            ("start_date", "2027-03-16"),
            ("end_date", "2027-03-16"),
            ("start_time", "13:00"),
            ("end_time", "15:00"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_same_shape(
        &created,
        &fixture(FIXTURES, "v1/absence-periods.created.json"),
        true,
    );
    let period = &created["data"][0]["attributes"];
    assert_eq!(period["effective_duration"], 120);
    assert_eq!(period["origin"], "api");
    assert!(
        period["start"].as_str().unwrap().ends_with(".0Z"),
        "UTC instants"
    );
    let id = period["id"].as_str().unwrap();
    let (_, filtered) = get(
        &sb,
        &token,
        &format!("/v1/company/absence-periods?absence_periods[]={id}"),
    )
    .await;
    assert_eq!(filtered["data"].as_array().unwrap().len(), 1);
    let (status, _) = send(
        &sb,
        Method::DELETE,
        &token,
        &format!("/v1/company/absence-periods/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(
        &sb,
        Method::DELETE,
        &token,
        &format!("/v1/company/absence-periods/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = send(
        &sb,
        Method::DELETE,
        &token,
        "/v1/company/absence-periods/17",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error"]["message"],
        "The absence period id is invalid."
    );
}
