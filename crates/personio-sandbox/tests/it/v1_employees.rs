use bridge_testkit::{assert_same_shape, fixture, sandbox, spawn_sandbox};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{FIXTURES, client, get, status_and_json, v1_token};

#[tokio::test]
async fn the_list_has_personios_envelope_and_echoes_the_token() {
    let sb = spawn_sandbox(sandbox(3, 30));
    let token = v1_token(&sb).await;
    let response = client()
        .get(sb.url("/v1/company/employees?limit=2"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["authorization"],
        format!("Bearer {token}")
    );
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(&body, &fixture(FIXTURES, "v1/employees.list.json"), false);
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["success", "metadata", "offset", "limit", "data"],
        "Personio's key order"
    );
    assert_eq!(body["metadata"]["total_elements"], 30);
    assert_eq!(body["metadata"]["total_pages"], 15);
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn limit_defaults_to_50_and_is_capped_at_100() {
    let sb = spawn_sandbox(sandbox(3, 120));
    let token = v1_token(&sb).await;
    let (_, body) = get(&sb, &token, "/v1/company/employees").await;
    assert_eq!(body["limit"], 50);
    assert_eq!(body["data"].as_array().unwrap().len(), 50);
    let (_, body) = get(&sb, &token, "/v1/company/employees?limit=500").await;
    assert_eq!(body["limit"], 100);
    assert_eq!(body["data"].as_array().unwrap().len(), 100);
    let (_, body) = get(&sb, &token, "/v1/company/employees?limit=100&offset=100").await;
    assert_eq!(body["data"].as_array().unwrap().len(), 20);
    assert_eq!(body["metadata"]["current_page"], 1);
}

#[tokio::test]
async fn email_filter_returns_a_list_with_just_that_person() {
    let sb = spawn_sandbox(sandbox(3, 40));
    let token = v1_token(&sb).await;
    let (_, all) = get(&sb, &token, "/v1/company/employees?limit=40").await;
    let email = all["data"][7]["attributes"]["email"]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let encoded: String = url_encode(&email);
    let (_, one) = get(
        &sb,
        &token,
        &format!("/v1/company/employees?email={encoded}"),
    )
    .await;
    assert_eq!(one["data"].as_array().unwrap().len(), 1);
    assert_eq!(one["data"][0]["attributes"]["email"]["value"], email);
    let (_, none) = get(
        &sb,
        &token,
        "/v1/company/employees?email=nobody%40nowhere.example",
    )
    .await;
    assert_eq!(none["data"], json!([]));
}

pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn attributes_projection_keeps_id_and_the_requested_keys() {
    let sb = spawn_sandbox(sandbox(3, 5));
    let token = v1_token(&sb).await;
    let (_, body) = get(
        &sb,
        &token,
        "/v1/company/employees?attributes[]=first_name&attributes[]=email",
    )
    .await;
    let keys: Vec<&String> = body["data"][0]["attributes"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys, ["id", "first_name", "email"]);
}

#[tokio::test]
async fn updated_since_ignores_limit_and_offset_and_returns_every_match() {
    let sb = spawn_sandbox(sandbox(3, 300));
    let token = v1_token(&sb).await;
    let (_, all) = get(&sb, &token, "/v1/company/employees?limit=100&offset=0").await;
    let mut modified: Vec<String> = Vec::new();
    for offset in [0, 100, 200] {
        let (_, page) = get(
            &sb,
            &token,
            &format!("/v1/company/employees?limit=100&offset={offset}"),
        )
        .await;
        for e in page["data"].as_array().unwrap() {
            modified.push(
                e["attributes"]["last_modified_at"]["value"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
    }
    assert_eq!(all["metadata"]["total_elements"], 300);
    // A cut-off that about half the people were modified after.
    let mut instants: Vec<_> = modified
        .iter()
        .map(|m| personio_api::time::parse_utc(m).unwrap())
        .collect();
    instants.sort();
    let cut = instants[150];
    let expected = instants.iter().filter(|t| **t > cut).count();
    let since = cut.format("%Y-%m-%dT%H:%M:%S%%2B00:00").to_string();
    let (status, body) = get(
        &sb,
        &token,
        &format!("/v1/company/employees?updated_since={since}&limit=10&offset=20"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["data"].as_array().unwrap().len(),
        expected,
        "limit and offset are ignored"
    );
    assert_eq!(body["metadata"]["total_elements"], expected);
}

#[tokio::test]
async fn updated_since_with_attributes_selects_people_whose_attributes_changed() {
    let sb = spawn_sandbox(sandbox(3, 50));
    let token = v1_token(&sb).await;
    let (_, before) = get(
        &sb,
        &token,
        "/v1/company/employees?updated_since=2026-11-01T00:00:00&attributes[]=position",
    )
    .await;
    let id = 0i64; // the first employee in the list
    let (_, list) = get(&sb, &token, "/v1/company/employees?limit=1").await;
    let id = list["data"][0]["attributes"]["id"]["value"]
        .as_i64()
        .unwrap_or(id);
    let response = client()
        .patch(sb.url(&format!("/v1/company/employees/{id}")))
        .bearer_auth(&token)
        .json(&json!({"employee": {"position": "Chief Sandbox Officer"}}))
        .send()
        .await
        .unwrap();
    let (status, patched) = status_and_json(response).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_same_shape(
        &patched,
        &fixture(FIXTURES, "v1/employees.patched.json"),
        false,
    );
    let (_, after) = get(
        &sb,
        &token,
        "/v1/company/employees?updated_since=2026-11-01T00:00:00&attributes[]=position",
    )
    .await;
    let ids = |v: &Value| {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["attributes"]["id"]["value"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert!(!ids(&before).contains(&id));
    assert!(ids(&after).contains(&id));
    let (_, unrelated) = get(
        &sb,
        &token,
        "/v1/company/employees?updated_since=2026-11-01T00:00:00&attributes[]=last_name",
    )
    .await;
    assert!(
        !ids(&unrelated).contains(&id),
        "a position change does not count as a last_name change"
    );
}

#[tokio::test]
async fn a_single_employee_and_an_unknown_one() {
    let sb = spawn_sandbox(sandbox(3, 5));
    let token = v1_token(&sb).await;
    let (_, list) = get(&sb, &token, "/v1/company/employees?limit=1").await;
    let id = list["data"][0]["attributes"]["id"]["value"]
        .as_i64()
        .unwrap();
    let (status, one) = get(&sb, &token, &format!("/v1/company/employees/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["success"], true);
    assert_eq!(one["data"], list["data"][0]);
    for path in ["/v1/company/employees/1", "/v1/company/employees/abc"] {
        let (status, body) = get(&sb, &token, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_same_shape(
            &body,
            &fixture(FIXTURES, "v1/error.404-employee.json"),
            true,
        );
    }
}

#[tokio::test]
async fn create_then_read_back_including_custom_attributes_and_form_bodies() {
    let sb = spawn_sandbox(sandbox(3, 5));
    let token = v1_token(&sb).await;
    let (_, catalogue) = get(&sb, &token, "/v1/company/employees/attributes").await;
    assert_same_shape(
        &catalogue,
        &fixture(FIXTURES, "v1/employees.attributes.json"),
        true,
    );
    let shirt = catalogue["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["label"] == "T-shirt size")
        .unwrap();
    let shirt_key = shirt["key"].as_str().unwrap().to_owned();
    let body = json!({"employee": {
        "email": "lukasz.nowak@example.org", "first_name": "Łukasz", "last_name": "Nowak",
        "gender": "male", "position": "Engineer", "department": "Engineering", "office": "Nowhere",
        "hire_date": "2030-01-01", "weekly_working_hours": 32, "custom_attributes": { shirt_key.clone(): "M" }
    }});
    let response = client()
        .post(sb.url("/v1/company/employees"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, created) = status_and_json(response).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_same_shape(
        &created,
        &fixture(FIXTURES, "v1/employees.created.json"),
        false,
    );
    assert_eq!(
        created["meta"][0]["field"], "office",
        "an unknown office is ignored with a note"
    );
    let id = created["data"]["id"].as_i64().unwrap();
    let (_, read) = get(&sb, &token, &format!("/v1/company/employees/{id}")).await;
    let a = &read["data"]["attributes"];
    assert_eq!(a["first_name"]["value"], "Łukasz");
    assert_eq!(
        a["status"]["value"], "onboarding",
        "hire date in the future"
    );
    assert_eq!(
        a["department"]["value"]["attributes"]["name"],
        "Engineering"
    );
    assert_eq!(a["weekly_working_hours"]["value"], "32");
    assert_eq!(a[&shirt_key]["value"], "M");

    let form = client()
        .post(sb.url("/v1/company/employees"))
        .bearer_auth(&token)
        .form(&[
            ("employee[email]", "jose@example.org"),
            ("employee[first_name]", "José"),
            ("employee[last_name]", "Núñez"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let duplicate = client()
        .post(sb.url("/v1/company/employees"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(duplicate.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad_option = json!({"employee": {"email": "x@example.org", "first_name": "X", "last_name": "Y", "custom_attributes": { shirt_key: "XXXXL" }}});
    let response = client()
        .post(sb.url("/v1/company/employees"))
        .bearer_auth(&token)
        .json(&bad_option)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let missing = client()
        .post(sb.url("/v1/company/employees"))
        .bearer_auth(&token)
        .json(&json!({"employee": {"first_name": "A"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn patch_checks_the_supervisor_and_unsets_it_with_null() {
    let sb = spawn_sandbox(sandbox(3, 10));
    let token = v1_token(&sb).await;
    let (_, list) = get(&sb, &token, "/v1/company/employees?limit=10").await;
    let id = list["data"][5]["attributes"]["id"]["value"]
        .as_i64()
        .unwrap();
    let patch = |body: Value| {
        client()
            .patch(sb.url(&format!("/v1/company/employees/{id}")))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let response = patch(json!({"employee": {"supervisor_id": 1}}))
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["message"], "Supervisor with ID 1 not found");
    assert_eq!(
        patch(json!({"employee": {"supervisor_id": null}}))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let (_, read) = get(&sb, &token, &format!("/v1/company/employees/{id}")).await;
    assert_eq!(
        read["data"]["attributes"]["supervisor"]["value"],
        Value::Null
    );
}

#[tokio::test]
async fn balances_and_profile_pictures() {
    let sb = spawn_sandbox(sandbox(3, 5));
    let token = v1_token(&sb).await;
    let (_, list) = get(&sb, &token, "/v1/company/employees?limit=1").await;
    let id = list["data"][0]["attributes"]["id"]["value"]
        .as_i64()
        .unwrap();
    let (status, balance) = get(
        &sb,
        &token,
        &format!("/v1/company/employees/{id}/absences/balance"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &balance,
        &fixture(FIXTURES, "v1/employees.balance.json"),
        true,
    );
    let picture = client()
        .get(sb.url(&format!("/v1/company/employees/{id}/profile-picture/64")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(picture.status(), StatusCode::OK);
    assert_eq!(picture.headers()["content-type"], "image/png");
    assert!(
        picture.headers().get("authorization").is_none(),
        "image responses do not echo the token"
    );
    assert_eq!(&picture.bytes().await.unwrap()[..4], b"\x89PNG");
    let url = list["data"][0]["attributes"]["profile_picture"]["value"]
        .as_str()
        .unwrap();
    assert!(
        url.starts_with(&sb.base_url),
        "links point at the origin the client used: {url}"
    );
    let missing = client()
        .get(sb.url("/v1/company/employees/1/profile-picture/64"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
