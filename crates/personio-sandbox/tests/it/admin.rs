use bridge_testkit::{ADMIN_TOKEN, assert_same_shape, fixture, sandbox, spawn_sandbox};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    FIXTURES, client, create_credential, get, status_and_json, v1_token_for, v2_token_for,
};

#[tokio::test]
async fn the_admin_api_needs_its_token() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let response = client()
        .get(sb.url("/_sandbox/credentials"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = client()
        .get(sb.url("/_sandbox/credentials"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = client()
        .get(sb.url("/_sandbox/company"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    let (status, company) = status_and_json(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(company["employees"], 5);
}

#[tokio::test]
async fn credentials_are_created_listed_without_secrets_regenerated_and_revoked() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let (id, secret) = create_credential(&sb, json!({"name": "Payroll export", "access": {"employees": "read"}, "readable_attributes": "all"})).await;
    let listing = client()
        .get(sb.url("/_sandbox/credentials"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(listing.contains(&id) && listing.contains("Payroll export"));
    assert!(!listing.contains(&secret), "a listing never shows a secret");

    let token = v1_token_for(&sb, &id, &secret).await;
    assert_eq!(
        get(&sb, &token, "/v1/company/employees").await.0,
        StatusCode::OK
    );
    let response = client()
        .post(sb.url(&format!("/_sandbox/credentials/{id}/secret")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    let (_, fresh) = status_and_json(response).await;
    let fresh = fresh["client_secret"].as_str().unwrap().to_owned();
    assert_ne!(fresh, secret);
    assert_eq!(
        get(&sb, &token, "/v1/company/employees").await.0,
        StatusCode::FORBIDDEN,
        "old tokens end"
    );
    let token = v1_token_for(&sb, &id, &fresh).await;
    assert_eq!(
        get(&sb, &token, "/v1/company/employees").await.0,
        StatusCode::OK
    );

    let response = client()
        .delete(sb.url(&format!("/_sandbox/credentials/{id}")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, body) = get(&sb, &token, "/v1/company/employees").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "revocation applies at once");
    assert_same_shape(&body, &fixture(FIXTURES, "v1/error.403.json"), true);
    let response = client()
        .delete(sb.url(&format!("/_sandbox/credentials/{id}")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_credential_specs_are_refused_with_a_reason() {
    let sb = spawn_sandbox(sandbox(1, 5));
    for (spec, status) in [
        (
            json!({"name": "x", "access": {"salaries": "read"}}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "x", "access": {"employees": "admin"}}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "x", "readable_attributes": ["first_name", "shoe_size"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({"name": "  "}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"access": {}}), StatusCode::BAD_REQUEST),
    ] {
        let response = client()
            .post(sb.url("/_sandbox/credentials"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&spec)
            .send()
            .await
            .unwrap();
        let (got, body) = status_and_json(response).await;
        assert_eq!(got, status, "{spec} → {body}");
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
}

#[tokio::test]
async fn each_area_gates_its_endpoints_in_v1_and_v2() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let (id, secret) = create_credential(&sb, json!({"name": "org only", "access": {"org_units": "read", "absences": "read"}, "readable_attributes": "all"})).await;
    let v1 = v1_token_for(&sb, &id, &secret).await;
    let (status, body) = get(&sb, &v1, "/v1/company/employees").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_same_shape(&body, &fixture(FIXTURES, "v1/error.403-area.json"), true);
    let v2 = v2_token_for(&sb, &id, &secret).await;
    let (status, body) = get(&sb, &v2, "/v2/persons").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_same_shape(&body, &fixture(FIXTURES, "v2/problem.403.json"), false);
    assert_eq!(
        get(&sb, &v2, "/v2/org-units?type=team").await.0,
        StatusCode::OK
    );
    assert_eq!(get(&sb, &v2, "/v2/legal-entities").await.0, StatusCode::OK);

    let (reader, reader_secret) = create_credential(
        &sb,
        json!({"name": "read", "access": {"employees": "read"}, "readable_attributes": "all"}),
    )
    .await;
    let token = v2_token_for(&sb, &reader, &reader_secret).await;
    assert_eq!(
        get(&sb, &token, "/v2/org-units?type=team").await.0,
        StatusCode::FORBIDDEN
    );
    let response = client()
        .post(sb.url("/v2/persons"))
        .bearer_auth(&token)
        .json(&json!({"first_name": "A", "last_name": "B", "email": "a@b.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "read access cannot write"
    );
    let v1 = v1_token_for(&sb, &reader, &reader_secret).await;
    let response = client()
        .post(sb.url("/v1/company/employees"))
        .bearer_auth(&v1)
        .json(&json!({"employee": {"first_name": "A", "last_name": "B", "email": "a@b.example"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (status, _) = get(&sb, &v1, "/v1/company/employees/1/absences/balance").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "balances need the absences area"
    );
}

#[tokio::test]
async fn readable_attributes_decide_which_fields_exist() {
    let sb = spawn_sandbox(sandbox(1, 10));
    let (id, secret) = create_credential(&sb, json!({"name": "names only", "access": {"employees": "read"}, "readable_attributes": ["first_name", "last_name", "department"]})).await;
    let v1 = v1_token_for(&sb, &id, &secret).await;
    let (_, list) = get(&sb, &v1, "/v1/company/employees").await;
    for e in list["data"].as_array().unwrap() {
        let keys: Vec<&String> = e["attributes"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "first_name", "last_name", "department"]);
    }
    let (_, catalogue) = get(&sb, &v1, "/v1/company/employees/attributes").await;
    let keys: Vec<&str> = catalogue["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["id", "first_name", "last_name", "department"]);
    let (_, projected) = get(
        &sb,
        &v1,
        "/v1/company/employees?attributes[]=email&attributes[]=first_name",
    )
    .await;
    let keys: Vec<&String> = projected["data"][0]["attributes"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        keys,
        ["id", "first_name"],
        "a projection cannot reach an unreadable attribute"
    );
    let person_id = list["data"][0]["attributes"]["id"]["value"]
        .as_i64()
        .unwrap();
    let picture = client()
        .get(sb.url(&format!(
            "/v1/company/employees/{person_id}/profile-picture/32"
        )))
        .bearer_auth(&v1)
        .send()
        .await
        .unwrap();
    assert_eq!(
        picture.status(),
        StatusCode::NOT_FOUND,
        "the picture is an attribute too"
    );

    let v2 = v2_token_for(&sb, &id, &secret).await;
    let (_, person) = get(&sb, &v2, &format!("/v2/persons/{person_id}")).await;
    let keys: Vec<&String> = person.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["id", "first_name", "last_name", "employments", "_meta"]
    );
    let (_, employments) = get(&sb, &v2, &format!("/v2/persons/{person_id}/employments")).await;
    let keys: Vec<&String> = employments["_data"][0]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys, ["id", "person", "org_units", "status", "_meta"]);

    let (nothing, nothing_secret) = create_credential(
        &sb,
        json!({"name": "nothing", "access": {"employees": "read"}, "readable_attributes": []}),
    )
    .await;
    let v2 = v2_token_for(&sb, &nothing, &nothing_secret).await;
    let (_, person) = get(&sb, &v2, &format!("/v2/persons/{person_id}")).await;
    assert_same_shape(&person, &fixture(FIXTURES, "v2/person.minimal.json"), true);
    let (_, employments) = get(&sb, &v2, &format!("/v2/persons/{person_id}/employments")).await;
    let keys: Vec<&String> = employments["_data"][0]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        keys,
        ["id", "person", "status", "_meta"],
        "what Personio leaves when nothing is readable"
    );
    let _ = Value::Null;
}
