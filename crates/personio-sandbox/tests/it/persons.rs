use bridge_testkit::{assert_same_shape, fixture, sandbox, spawn_sandbox};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{FIXTURES, client, get, status_and_json, v2_token};

#[tokio::test]
async fn persons_page_has_the_documented_shape_and_absolute_links() {
    let sb = spawn_sandbox(sandbox(5, 25));
    let token = v2_token(&sb).await;
    let (status, body) = get(&sb, &token, "/v2/persons").await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(&body, &fixture(FIXTURES, "v2/persons.page.json"), false);
    assert_eq!(body["_data"].as_array().unwrap().len(), 10, "default limit");
    let next = body["_meta"]["links"]["next"]["href"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("{}/v2/persons?cursor=cur_", sb.base_url)),
        "{next}"
    );
    let person = &body["_data"][0];
    assert!(
        person["id"]
            .as_str()
            .unwrap()
            .chars()
            .all(|c| c.is_ascii_digit())
    );
    let (status, limit) = get(&sb, &token, "/v2/persons?limit=100").await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "max 50 is enforced by rejection"
    );
    assert_same_shape(&limit, &fixture(FIXTURES, "v2/problem.400.json"), false);
}

#[tokio::test]
async fn a_person_id_is_the_v1_employee_id_and_single_reads_are_unwrapped() {
    let sb = spawn_sandbox(sandbox(5, 5));
    let v1 = crate::v1_token(&sb).await;
    let (_, employees) = get(&sb, &v1, "/v1/company/employees?limit=1").await;
    let id = employees["data"][0]["attributes"]["id"]["value"]
        .as_i64()
        .unwrap();
    let token = v2_token(&sb).await;
    let (status, person) = get(&sb, &token, &format!("/v2/persons/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(person["id"], id.to_string());
    assert_eq!(
        person["email"],
        employees["data"][0]["attributes"]["email"]["value"]
    );
    assert!(person.get("_data").is_none());
    let (status, missing) = get(&sb, &token, "/v2/persons/1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_same_shape(
        &missing,
        &fixture(FIXTURES, "v2/problem.404-resource.json"),
        false,
    );
}

#[tokio::test]
async fn employments_carry_ids_not_names() {
    let sb = spawn_sandbox(sandbox(5, 20));
    let token = v2_token(&sb).await;
    let (_, persons) = get(&sb, &token, "/v2/persons?limit=20").await;
    let person = persons["_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["status"] == "ACTIVE")
        .unwrap();
    let id = person["id"].as_str().unwrap();
    let (status, employments) = get(&sb, &token, &format!("/v2/persons/{id}/employments")).await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &employments,
        &fixture(FIXTURES, "v2/employments.page.json"),
        false,
    );
    let employment = &employments["_data"][0];
    assert_eq!(employment["id"], person["employments"][0]["id"]);
    assert_eq!(employment["person"]["id"], id);
    assert!(employment["org_units"][0].get("name").is_none());
    let (status, single) = get(
        &sb,
        &token,
        &format!(
            "/v2/persons/{id}/employments/{}",
            employment["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&single, employment);
    let (status, _) = get(
        &sb,
        &token,
        &format!("/v2/persons/{id}/employments/not-an-employment"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn filters_select_people_and_unknown_parameters_are_refused() {
    let sb = spawn_sandbox(sandbox(5, 200));
    let token = v2_token(&sb).await;
    let mut inactive = 0;
    let mut url = "/v2/persons?status=INACTIVE&limit=50".to_owned();
    loop {
        let (_, page) = get(&sb, &token, &url).await;
        for p in page["_data"].as_array().unwrap() {
            assert_eq!(p["status"], "INACTIVE");
            inactive += 1;
        }
        match page["_meta"]["links"]["next"]["href"].as_str() {
            Some(next) => url = next.trim_start_matches(&sb.base_url).to_owned(),
            None => break,
        }
    }
    assert!(inactive > 0, "a 200-person company has leavers");
    let (_, page) = get(&sb, &token, "/v2/persons?limit=3").await;
    let ids: Vec<&str> = page["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let (_, some) = get(
        &sb,
        &token,
        &format!("/v2/persons?id={},{}", ids[0], ids[2]),
    )
    .await;
    assert_eq!(some["_data"].as_array().unwrap().len(), 2);
    let email = page["_data"][1]["email"].as_str().unwrap();
    let (_, by_email) = get(
        &sb,
        &token,
        &format!(
            "/v2/persons?email={}",
            crate::v1_employees::url_encode(email)
        ),
    )
    .await;
    assert_eq!(by_email["_data"][0]["id"], ids[1]);
    let (status, body) = get(&sb, &token, "/v2/persons?legal_entity.id=1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["errors"][0]["detail"],
        "Parameter [legal_entity.id] is invalid"
    );
    let (status, _) = get(&sb, &token, "/v2/persons?updated_at.gt=not-a-date").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn create_patch_and_delete_a_person() {
    let sb = spawn_sandbox(sandbox(5, 10));
    let token = v2_token(&sb).await;
    let (_, departments) = get(
        &sb,
        &token,
        "/v2/org-units?type=department&sort=name&limit=100",
    )
    .await;
    let engineering = departments["_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "Engineering")
        .unwrap()["id"]
        .clone();
    let (_, entities) = get(&sb, &token, "/v2/legal-entities").await;
    let entity = entities["_data"][0]["id"].clone();
    let body = json!({
        "email": "zoe.bronte@example.org", "first_name": "Zoë", "last_name": "Brontë", "gender": "FEMALE",
        "employments": [{ "org_units": [{"type": "department", "id": engineering}], "legal_entity": {"id": entity},
                          "position": {"title": "Data Engineer"}, "employment_start_date": "2026-01-05",
                          "type": "INTERNAL", "weekly_working_hours": 30 }]
    });
    let response = client()
        .post(sb.url("/v2/persons"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, created) = status_and_json(response).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_same_shape(&created, &fixture(FIXTURES, "v2/created.json"), false);
    let id = created["id"].as_str().unwrap().to_owned();
    let (_, person) = get(&sb, &token, &format!("/v2/persons/{id}")).await;
    assert_eq!(person["last_name"], "Brontë");
    let (_, employments) = get(&sb, &token, &format!("/v2/persons/{id}/employments")).await;
    let employment = &employments["_data"][0];
    assert_eq!(employment["org_units"][0]["id"], engineering);
    assert_eq!(employment["position"]["title"], "Data Engineer");
    assert_eq!(employment["weekly_working_hours"], 30);

    let response = client()
        .patch(sb.url(&format!("/v2/persons/{id}")))
        .bearer_auth(&token)
        .json(&json!({"preferred_name": "Zo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let employment_id = employment["id"].as_str().unwrap();
    let response = client()
        .patch(sb.url(&format!("/v2/persons/{id}/employments/{employment_id}")))
        .bearer_auth(&token)
        .json(&json!({"position": {"title": "Senior Data Engineer"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, person) = get(&sb, &token, &format!("/v2/persons/{id}")).await;
    assert_eq!(person["preferred_name"], "Zo");

    let duplicate = client()
        .post(sb.url("/v2/persons"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);
    let bad_ref = json!({"email": "x@example.org", "first_name": "X", "last_name": "Y", "employments": [{"office": {"id": "1"}}]});
    let response = client()
        .post(sb.url("/v2/persons"))
        .bearer_auth(&token)
        .json(&bad_ref)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let response = client()
        .delete(sb.url(&format!("/v2/persons/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        get(&sb, &token, &format!("/v2/persons/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let v1 = crate::v1_token(&sb).await;
    let (_, list) = get(&sb, &v1, "/v1/company/employees?limit=100").await;
    let ids: Vec<Value> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attributes"]["id"]["value"].clone())
        .collect();
    assert!(
        !ids.contains(&json!(id.parse::<i64>().unwrap())),
        "a deleted person vanishes from v1 too"
    );
}
