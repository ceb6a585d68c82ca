//! Custom reports v1 and Reporting v2: envelopes, cell variants, paging, the error array,
//! the Custom Reports area, and the readable-attribute bypass.

use bridge_testkit::{assert_same_shape, fixture, sandbox, spawn_sandbox};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{FIXTURES, create_credential, get, v1_token, v1_token_for, v2_token, v2_token_for};

const REPORTS: &str = "/v1/company/custom-reports/reports";

async fn report_id(sb: &bridge_testkit::RunningSandbox, token: &str, name: &str) -> String {
    let (_, list) = get(sb, token, REPORTS).await;
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["attributes"]["name"] == name)
        .unwrap_or_else(|| panic!("no report {name}"))["attributes"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_report_list_has_personios_envelope_and_filters_by_id_and_status() {
    let sb = spawn_sandbox(sandbox(3, 30));
    let token = v1_token(&sb).await;
    let (status, list) = get(&sb, &token, REPORTS).await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &list,
        &fixture(FIXTURES, "v1/custom-reports.list.json"),
        false,
    );
    let all = list["data"].as_array().unwrap();
    assert_eq!(all.len(), 5);
    assert!(all.iter().all(|r| r["attributes"].get("items").is_none()));
    let (_, updating) = get(&sb, &token, &format!("{REPORTS}?status=updating")).await;
    assert_eq!(updating["data"].as_array().unwrap().len(), 1);
    let ids: Vec<&str> = all[..2]
        .iter()
        .map(|r| r["attributes"]["id"].as_str().unwrap())
        .collect();
    let (_, chosen) = get(
        &sb,
        &token,
        &format!("{REPORTS}?report_ids={}", ids.join(",")),
    )
    .await;
    assert_eq!(chosen["data"].as_array().unwrap().len(), 2);
    let (_, one) = get(&sb, &token, &format!("{REPORTS}?report_ids[]={}", ids[0])).await;
    assert_eq!(one["data"][0]["attributes"]["id"], ids[0]);
    let (status, error) = get(&sb, &token, &format!("{REPORTS}?status=stale")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_same_shape(
        &error,
        &fixture(FIXTURES, "v1/custom-reports.error.404.json"),
        true,
    );
    assert_eq!(error[0]["status"], 400);
}

#[tokio::test]
async fn reports_show_every_attribute_whatever_the_credential_may_read() {
    let sb = spawn_sandbox(sandbox(3, 30));
    let (id, secret) = create_credential(
        &sb,
        json!({"name": "reports only", "access": {"custom_reports": "read", "employees": "read"},
               "readable_attributes": ["first_name"]}),
    )
    .await;
    let token = v1_token_for(&sb, &id, &secret).await;
    let (_, employees) = get(&sb, &token, "/v1/company/employees?limit=1").await;
    assert!(
        employees["data"][0]["attributes"]
            .get("fix_salary")
            .is_none(),
        "the employee endpoint hides what the credential may not read"
    );
    let report = report_id(&sb, &token, "Salaries and cost centers").await;
    let (status, body) = get(&sb, &token, &format!("{REPORTS}/{report}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &body,
        &fixture(FIXTURES, "v1/custom-reports.report.json"),
        false,
    );
    let items = body["data"][0]["attributes"]["items"].as_array().unwrap();
    let salary = items
        .iter()
        .flat_map(|i| i["attributes"].as_array().unwrap())
        .find(|c| c["data_type"] == "SALARY" && c["attribute_id"] == "fix_salary")
        .unwrap();
    assert!(
        salary["amount"].as_str().unwrap().contains('.'),
        "amounts are strings: {salary}"
    );
    let types: Vec<&str> = items[0]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["data_type"].as_str().unwrap())
        .collect();
    for kind in ["TEXT", "ENTITY", "DURATION", "SALARY", "COST_CENTER"] {
        assert!(types.contains(&kind), "{kind} in {types:?}");
    }
    assert_eq!(body["limit"], 0, "no limit asked: every row, limit 0");
    assert_eq!(body["metadata"]["total_elements"], items.len());
}

#[tokio::test]
async fn report_rows_page_by_page_and_limit() {
    let sb = spawn_sandbox(sandbox(3, 30));
    let token = v1_token(&sb).await;
    let report = report_id(&sb, &token, "Active headcount by department").await;
    let (_, everything) = get(&sb, &token, &format!("{REPORTS}/{report}")).await;
    let all: Vec<Value> = everything["data"][0]["attributes"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["employee_id"].clone())
        .collect();
    assert!(all.len() > 7);
    let mut paged = Vec::new();
    for page in 1..=all.len().div_ceil(7) {
        let (_, body) = get(
            &sb,
            &token,
            &format!("{REPORTS}/{report}?page={page}&limit=7"),
        )
        .await;
        assert_eq!(body["metadata"]["current_page"], page);
        assert_eq!(body["metadata"]["total_pages"], all.len().div_ceil(7));
        paged.extend(
            body["data"][0]["attributes"]["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["employee_id"].clone()),
        );
    }
    assert_eq!(paged, all);
    let (_, active) = get(&sb, &token, "/v1/company/employees?limit=100").await;
    let active_count = active["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["attributes"]["status"]["value"] == "active")
        .count();
    assert_eq!(all.len(), active_count, "the report's status filter");
    let (status, error) = get(&sb, &token, &format!("{REPORTS}/{report}?page=zero")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error.is_array());
}

#[tokio::test]
async fn historical_and_timeframe_reports_carry_their_dates() {
    let sb = spawn_sandbox(sandbox(4, 60));
    let token = v1_token(&sb).await;
    let historical = report_id(&sb, &token, "Position changes").await;
    let (_, body) = get(&sb, &token, &format!("{REPORTS}/{historical}")).await;
    assert_same_shape(
        &body,
        &fixture(FIXTURES, "v1/custom-reports.historical.json"),
        false,
    );
    assert_eq!(body["data"][0]["attributes"]["type"], "historical_data");
    let items = body["data"][0]["attributes"]["items"].as_array().unwrap();
    assert!(items.iter().all(|i| i.get("attributes").is_none()));
    let promoted = items.iter().find(|i| {
        i["historical_attributes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["attribute_id"] == "position")
            .count()
            >= 2
    });
    let promoted = promoted.expect("someone was promoted");
    let dates: Vec<&str> = promoted["historical_attributes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["attribute_id"] == "position")
        .map(|c| c["effective_date"].as_str().unwrap())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] <= w[1]),
        "oldest first: {dates:?}"
    );

    let absences = report_id(&sb, &token, "Absence overview this year").await;
    let (_, body) = get(&sb, &token, &format!("{REPORTS}/{absences}")).await;
    assert_eq!(body["data"][0]["attributes"]["type"], "timeframe");
    let cell = body["data"][0]["attributes"]["items"][0]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["data_type"] == "ABSENCE_OVERVIEW")
        .unwrap()
        .clone();
    assert_eq!(cell["start_date"], "2026-01-01");
    assert_eq!(cell["end_date"], "2026-12-31");
    assert!(cell["duration_days"].is_string());
}

#[tokio::test]
async fn columns_are_labelled_in_the_asked_locale() {
    let sb = spawn_sandbox(sandbox(3, 10));
    let token = v1_token(&sb).await;
    let (status, body) = get(&sb, &token, "/v1/company/custom-reports/columns").await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &body,
        &fixture(FIXTURES, "v1/custom-reports.columns.json"),
        true,
    );
    let columns = body["data"]["attributes"].as_array().unwrap();
    assert!(
        columns
            .iter()
            .any(|c| c["attribute_id"].as_str().unwrap().starts_with("dynamic_"))
    );
    assert!(columns.iter().any(|c| c["data_type"] == "ABSENCE_OVERVIEW"));
    let (_, german) = get(
        &sb,
        &token,
        "/v1/company/custom-reports/columns?columns=first_name,department&locale=de",
    )
    .await;
    let labels: Vec<&str> = german["data"]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["human_readable"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Vorname", "Abteilung"]);
    let report = report_id(&sb, &token, "Position changes").await;
    let (_, of_report) = get(
        &sb,
        &token,
        &format!("/v1/company/custom-reports/columns?report_id={report}"),
    )
    .await;
    assert_eq!(of_report["data"]["attributes"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn reports_need_the_custom_reports_area_and_unknown_ids_get_the_error_array() {
    let sb = spawn_sandbox(sandbox(3, 5));
    let (id, secret) = create_credential(
        &sb,
        json!({"name": "no reports", "access": {"employees": "read"}, "readable_attributes": "all"}),
    )
    .await;
    let token = v1_token_for(&sb, &id, &secret).await;
    let (status, body) = get(&sb, &token, REPORTS).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_same_shape(
        &body,
        &fixture(FIXTURES, "v1/custom-reports.error.404.json"),
        true,
    );
    let token = v1_token(&sb).await;
    let (status, body) = get(
        &sb,
        &token,
        &format!("{REPORTS}/7c9e6679-7425-40de-944b-e07fc1f90ae7"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_same_shape(
        &body,
        &fixture(FIXTURES, "v1/custom-reports.error.404.json"),
        true,
    );
    assert_eq!(body[0]["errors"][0]["details"], "Report not found");
}

#[tokio::test]
async fn reporting_v2_serves_tables_aligned_with_their_columns() {
    let sb = spawn_sandbox(sandbox(3, 20));
    let token = v2_token(&sb).await;
    let (status, list) = get(&sb, &token, "/v2/reports").await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(&list, &fixture(FIXTURES, "v2/reports.page.json"), true);
    let created: Vec<&str> = list["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["created_at"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let salaries = list["_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Salaries and cost centers")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, table) = get(&sb, &token, &format!("/v2/reports/{salaries}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(&table, &fixture(FIXTURES, "v2/report.table.json"), false);
    let width = table["_meta"]["columns"].as_array().unwrap().len();
    assert!(
        table["_data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row.as_array().unwrap().len() == width)
    );
    let (_, attributes) = get(&sb, &token, "/v2/reports/attributes?limit=5").await;
    assert_same_shape(
        &attributes,
        &fixture(FIXTURES, "v2/report-attributes.page.json"),
        false,
    );
    assert!(attributes["_meta"]["links"]["next"]["href"].is_string());
    let (status, error) = get(&sb, &token, "/v2/reports/0000").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_same_shape(
        &error,
        &fixture(FIXTURES, "v2/reports.error.400.json"),
        true,
    );
    let (id, secret) = create_credential(
        &sb,
        json!({"name": "persons only", "access": {"employees": "read"}, "readable_attributes": "all"}),
    )
    .await;
    let narrow = v2_token_for(&sb, &id, &secret).await;
    let (status, error) = get(&sb, &narrow, "/v2/reports").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["errors"][0]["detail"], "Unauthorized token");
}
