//! The retired v1 attendance and project endpoints: answered as retired by default, served
//! with their quirks when the sandbox is built with `legacy_v1`.

use bridge_testkit::{assert_same_shape, fixture, sandbox, spawn_sandbox};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{FIXTURES, client, get, post_form, send, v1_token, v2_token};

#[tokio::test]
async fn retired_endpoints_answer_410_and_point_to_v2() {
    let sb = spawn_sandbox(sandbox(61, 3).history_days(5));
    let token = v1_token(&sb).await;
    for (method, path, replacement) in [
        (
            Method::GET,
            "/v1/company/attendances?start_date=2026-10-01&end_date=2026-10-31",
            "/v2/attendance-periods",
        ),
        (
            Method::POST,
            "/v1/company/attendances",
            "/v2/attendance-periods",
        ),
        (
            Method::DELETE,
            "/v1/company/attendances/25000001",
            "/v2/attendance-periods",
        ),
        (
            Method::GET,
            "/v1/company/attendances/projects",
            "/v2/projects",
        ),
        (
            Method::PATCH,
            "/v1/company/attendances/projects/1",
            "/v2/projects",
        ),
    ] {
        let (status, body) = send(&sb, method.clone(), &token, path, Some(json!({}))).await;
        assert_eq!(status, StatusCode::GONE, "{method} {path}");
        assert_same_shape(&body, &fixture(FIXTURES, "v1/error.403.json"), true);
        assert_eq!(body["error"]["code"], 410);
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(replacement),
            "{body}"
        );
    }
}

#[tokio::test]
async fn legacy_attendances_list_with_personios_quirks() {
    let sb = spawn_sandbox(sandbox(62, 20).history_days(30).legacy_v1(true));
    let token = v1_token(&sb).await;
    let range = "start_date=2026-10-01&end_date=2026-10-31";
    let response = client()
        .get(sb.url(&format!("/v1/company/attendances?{range}&limit=2")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(
        response.headers().get("authorization").is_none(),
        "attendances never echoed the token"
    );
    let page: Value = response.json().await.unwrap();
    assert_same_shape(&page, &fixture(FIXTURES, "v1/attendances.list.json"), true);
    assert_eq!(page["offset"], "0", "offset as a string");
    assert_eq!(page["limit"], "2", "limit as a string");

    let all_confirmed = |body: &Value| {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["attributes"]["status"] == "confirmed")
    };
    let (_, confirmed) = get(&sb, &token, &format!("/v1/company/attendances?{range}")).await;
    assert!(
        all_confirmed(&confirmed),
        "without includePending only confirmed periods"
    );
    let (_, everything) = get(
        &sb,
        &token,
        &format!("/v1/company/attendances?{range}&includePending=true"),
    )
    .await;
    assert!(!all_confirmed(&everything));
    assert!(
        everything["metadata"]["total_elements"].as_u64()
            > confirmed["metadata"]["total_elements"].as_u64()
    );
    let v2 = v2_token(&sb).await;
    let works = crate::paging::follow(
        &sb,
        &v2,
        "/v2/attendance-periods?attribution_date.gte=2026-10-01&attribution_date.lte=2026-10-31",
    )
    .await;
    let work_count = works.iter().filter(|p| p["type"] == "WORK").count() as u64;
    assert_eq!(
        everything["metadata"]["total_elements"], work_count,
        "one v1 attendance per work period"
    );
    let with_break = everything["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["attributes"]["break"].as_i64() > Some(0));
    assert!(with_break.is_some(), "breaks show as minutes");
    let (_, second) = get(
        &sb,
        &token,
        &format!("/v1/company/attendances?{range}&includePending=true&limit=3&offset=1"),
    )
    .await;
    assert_eq!(
        second["data"][0], everything["data"][1],
        "offset counts items"
    );

    let (status, missing) = get(&sb, &token, "/v1/company/attendances?start_date=2026-10-01").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing["error"]["error_data"]["end_date"].is_array());
    let person = everything["data"][0]["attributes"]["employee"]
        .as_i64()
        .unwrap();
    let (_, mine) = get(
        &sb,
        &token,
        &format!("/v1/company/attendances?{range}&employees[]={person}"),
    )
    .await;
    assert!(
        mine["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["attributes"]["employee"] == person)
    );
}

#[tokio::test]
async fn legacy_attendances_are_written_as_work_with_breaks() {
    let sb = spawn_sandbox(sandbox(63, 6).history_days(0).legacy_v1(true));
    let token = v1_token(&sb).await;
    let v2 = v2_token(&sb).await;
    let (_, employees) = get(&sb, &token, "/v1/company/employees?limit=1").await;
    let person = employees["data"][0]["attributes"]["id"]["value"]
        .as_i64()
        .unwrap();
    let rows = json!({"attendances": [
        {"employee": person, "date": "2026-10-12", "start_time": "09:00", "end_time": "17:30", "break": 30, "comment": "Sprint review"},
        {"employee": person, "date": "2026-10-13", "start_time": "08:00", "end_time": "12:00", "break": 0}
    ]});
    let (status, created) = send(
        &sb,
        Method::POST,
        &token,
        "/v1/company/attendances",
        Some(rows),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_same_shape(
        &created,
        &fixture(FIXTURES, "v1/attendances.created.json"),
        true,
    );
    let first = created["data"]["id"][0].as_i64().unwrap();

    let (_, periods) = get(
        &sb,
        &v2,
        &format!("/v2/attendance-periods?person.id={person}"),
    )
    .await;
    let kinds: Vec<&str> = periods["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["WORK", "BREAK", "WORK"],
        "the break became a period inside the work"
    );
    assert!(
        periods["_data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["approval"]["status"] == "CONFIRMED"),
        "v1 skips approval by default"
    );

    let range = "start_date=2026-10-12&end_date=2026-10-13";
    let (_, listed) = get(&sb, &token, &format!("/v1/company/attendances?{range}")).await;
    assert_eq!(listed["data"][0]["attributes"]["break"], 30);
    assert_eq!(listed["data"][0]["id"], first);
    assert_eq!(
        listed["data"][0]["attributes"]["id_v2"],
        periods["_data"][0]["id"]
    );

    let mixed = json!({"attendances": [
        {"employee": person, "date": "2026-10-14", "start_time": "09:00", "end_time": "17:00", "break": 30},
        {"employee": person, "date": "2026-10-12", "start_time": "10:00", "end_time": "11:00", "break": 0},
        {"employee": person, "date": "2026-10-15", "start_time": "17:00", "end_time": "09:00", "break": 0}
    ]});
    let (status, failed) = send(
        &sb,
        Method::POST,
        &token,
        "/v1/company/attendances",
        Some(mixed),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{failed}");
    assert_same_shape(
        &failed,
        &fixture(FIXTURES, "v1/attendances.rows-failed.json"),
        true,
    );
    let rows = failed["error"]["detailed_message"].as_array().unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r["success"].as_bool().unwrap())
            .collect::<Vec<_>>(),
        [true, false, false]
    );
    assert_eq!(
        rows[1]["error_msg"],
        "Existing overlapping attendances periods"
    );

    let (status, form) = post_form(
        &sb,
        &token,
        "/v1/company/attendances",
        &[
            ("attendances[][employee]", &person.to_string()),
            ("attendances[][date]", "2026-10-16"),
            ("attendances[][start_time]", "09:00"),
            ("attendances[][end_time]", "13:00"),
            ("attendances[][break]", "0"),
            ("skip_approval", "false"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{form}");

    let path = format!("/v1/company/attendances/{first}");
    let (status, updated) = send(
        &sb,
        Method::PATCH,
        &token,
        &path,
        Some(json!({"end_time": "18:00", "break": 45})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &updated,
        &fixture(FIXTURES, "v1/attendance.updated.json"),
        true,
    );
    let (_, listed) = get(&sb, &token, &format!("/v1/company/attendances?{range}")).await;
    assert_eq!(listed["data"][0]["attributes"]["end_time"], "18:00");
    assert_eq!(listed["data"][0]["attributes"]["break"], 45);
    let (status, _) = send(&sb, Method::PATCH, &token, &path, Some(json!({}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, _) = send(&sb, Method::DELETE, &token, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, gone) = send(&sb, Method::DELETE, &token, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_same_shape(&gone, &fixture(FIXTURES, "v1/attendance.404.json"), true);
    let (_, left) = get(
        &sb,
        &v2,
        &format!("/v2/attendance-periods?person.id={person}&attribution_date.lte=2026-10-12"),
    )
    .await;
    assert!(
        left["_data"].as_array().unwrap().is_empty(),
        "the work and its break are gone"
    );
}

#[tokio::test]
async fn legacy_projects_are_the_v2_projects_with_their_own_errors() {
    let sb = spawn_sandbox(sandbox(64, 4).history_days(0).legacy_v1(true));
    let token = v1_token(&sb).await;
    let v2 = v2_token(&sb).await;
    let (status, list) = get(&sb, &token, "/v1/company/attendances/projects").await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(&list, &fixture(FIXTURES, "v1/projects.list.json"), true);
    let (_, v2_list) = crate::get(&sb, &v2, "/v2/projects?limit=200").await;
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        v2_list["_data"].as_array().unwrap().len()
    );

    let (status, created) = send(
        &sb,
        Method::POST,
        &token,
        "/v1/company/attendances/projects",
        Some(json!({"name": "Office move"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &created,
        &fixture(FIXTURES, "v1/project.created.json"),
        true,
    );
    assert_eq!(
        created["data"]["attributes"]["active"], false,
        "active defaults to false"
    );
    let id = created["data"]["id"].as_i64().unwrap();
    let (_, in_v2) = get(&sb, &v2, &format!("/v2/projects/{id}")).await;
    assert_eq!(in_v2["status"], "ARCHIVED");

    let (status, empty) = send(
        &sb,
        Method::POST,
        &token,
        "/v1/company/attendances/projects",
        Some(json!({"name": ""})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_same_shape(&empty, &fixture(FIXTURES, "v1/project.400.json"), true);
    assert_eq!(empty["error"]["name"][0], "Project name cannot be empty");
    let path = format!("/v1/company/attendances/projects/{id}");
    let (status, wrong) = send(
        &sb,
        Method::PATCH,
        &token,
        &path,
        Some(json!({"active": "yes"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        wrong["error"]["active"][0],
        "Active field needs to be of type boolean"
    );
    let (status, patched) = send(
        &sb,
        Method::PATCH,
        &token,
        &path,
        Some(json!({"active": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(patched["data"]["attributes"]["active"], true);

    let response = client()
        .delete(sb.url(&path))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.bytes().await.unwrap().is_empty());
    let (status, missing) = send(&sb, Method::DELETE, &token, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_same_shape(&missing, &fixture(FIXTURES, "v1/project.404.json"), true);
    assert_eq!(missing["message"], format!("Project {id} not found"));
}
