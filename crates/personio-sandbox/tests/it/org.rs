use bridge_testkit::{assert_same_shape, fixture, sandbox, spawn_sandbox};
use reqwest::StatusCode;

use crate::{FIXTURES, get, v2_token};

#[tokio::test]
async fn org_units_list_needs_a_type_and_carries_id_only_parent_chains() {
    let sb = spawn_sandbox(sandbox(2, 5));
    let token = v2_token(&sb).await;
    let (status, _) = get(&sb, &token, "/v2/org-units").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, teams) = get(
        &sb,
        &token,
        "/v2/org-units?type=team&include_parent_chain=true&limit=100",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let teams = teams["_data"].as_array().unwrap();
    assert!(teams.iter().all(|t| t["type"] == "team"));
    let nested = teams
        .iter()
        .find(|t| t["parent_chain"].as_array().unwrap().len() >= 3)
        .expect("a sub-team under a team under departments");
    for link in nested["parent_chain"].as_array().unwrap() {
        assert_eq!(
            link.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["id"],
            "ids only on the list"
        );
    }
}

#[tokio::test]
async fn a_single_org_unit_has_a_full_parent_chain() {
    let sb = spawn_sandbox(sandbox(2, 5));
    let token = v2_token(&sb).await;
    let (_, departments) = get(&sb, &token, "/v2/org-units?type=department&limit=100").await;
    let child = departments["_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| !d["parent_id"].is_null())
        .unwrap();
    let id = child["id"].as_str().unwrap();
    let (status, unit) = get(
        &sb,
        &token,
        &format!("/v2/org-units/{id}?type=department&include_parent_chain=true"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(&unit, &fixture(FIXTURES, "v2/org-unit.json"), false);
    assert_eq!(unit["parent_chain"][0]["id"], child["parent_id"]);
    assert!(unit["parent_chain"][0]["name"].is_string());
    assert_eq!(
        get(&sb, &token, &format!("/v2/org-units/{id}?type=team"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&sb, &token, &format!("/v2/org-units/{id}")).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get(&sb, &token, "/v2/org-units/abc?type=team").await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn legal_entities_cost_centers_and_workplaces() {
    let sb = spawn_sandbox(sandbox(2, 5));
    let token = v2_token(&sb).await;
    let (_, entities) = get(&sb, &token, "/v2/legal-entities").await;
    assert_same_shape(
        &entities,
        &fixture(FIXTURES, "v2/legal-entities.page.json"),
        false,
    );
    let list = entities["_data"].as_array().unwrap();
    assert!((2..=3).contains(&list.len()));
    let countries: std::collections::BTreeSet<&str> = list
        .iter()
        .map(|e| e["country"].as_str().unwrap())
        .collect();
    assert_eq!(
        countries.len(),
        list.len(),
        "entities in different countries"
    );
    let created: Vec<&str> = list
        .iter()
        .map(|e| e["created_at"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let (_, spanish) = get(&sb, &token, "/v2/legal-entities?country=ES").await;
    assert_eq!(spanish["_data"].as_array().unwrap().len(), 1);
    let id = list[0]["id"].as_str().unwrap();
    assert_eq!(
        get(&sb, &token, &format!("/v2/legal-entities/{id}"))
            .await
            .1["id"],
        id
    );
    assert_eq!(
        get(&sb, &token, "/v2/legal-entities/1").await.0,
        StatusCode::NOT_FOUND
    );

    let (_, centers) = get(&sb, &token, "/v2/cost-centers?sort=-name&limit=100").await;
    assert_same_shape(
        &centers,
        &fixture(FIXTURES, "v2/cost-centers.page.json"),
        true,
    );
    let names: Vec<&str> = centers["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(names.windows(2).all(|w| w[0] >= w[1]));
    let (_, places) = get(&sb, &token, "/v2/workplaces").await;
    assert_same_shape(&places, &fixture(FIXTURES, "v2/workplaces.page.json"), true);
    assert_eq!(
        get(&sb, &token, "/v2/workplaces?sort=size").await.0,
        StatusCode::BAD_REQUEST
    );
}
