//! `/v2/projects` and their members.

use bridge_testkit::{assert_same_shape, fixture, sandbox, spawn_sandbox};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::paging::follow;
use crate::{FIXTURES, create_credential, get, send, v2_token, v2_token_for};

#[tokio::test]
async fn projects_list_with_filters_and_included_figures() {
    let sb = spawn_sandbox(sandbox(71, 30).history_days(60));
    let token = v2_token(&sb).await;
    let (status, page) = get(&sb, &token, "/v2/projects?limit=2").await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(&page, &fixture(FIXTURES, "v2/projects.page.json"), true);
    let all = follow(&sb, &token, "/v2/projects?limit=3").await;
    assert!(all.len() > 10);
    let count = |f: &dyn Fn(&Value) -> bool| all.iter().filter(|p| f(p)).count();
    for (query, expected) in [
        ("status=ARCHIVED", count(&|p| p["status"] == "ARCHIVED")),
        (
            "top_level_only=true",
            count(&|p| p["parent_project"].is_null()),
        ),
        (
            &*format!("parent_project.id={}", all[0]["id"].as_str().unwrap()),
            count(&|p| p["parent_project"]["id"] == all[0]["id"]),
        ),
        (&*format!("name={}", all[1]["name"].as_str().unwrap()), 1),
        (
            &*format!(
                "id={},{}",
                all[0]["id"].as_str().unwrap(),
                all[2]["id"].as_str().unwrap()
            ),
            2,
        ),
        ("project_code=PRJ-1001", 1),
    ] {
        let got = follow(&sb, &token, &format!("/v2/projects?{query}")).await;
        assert!(expected > 0, "{query}");
        assert_eq!(got.len(), expected, "{query}");
    }
    let include = "include=tracked_minutes,sub_projects_tracked_minutes,sub_projects_count,tracked_periods_count";
    let id = all[0]["id"].as_str().unwrap();
    let (status, project) = get(&sb, &token, &format!("/v2/projects/{id}?{include}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &project,
        &fixture(FIXTURES, "v2/project.included.json"),
        true,
    );
    let periods = follow(
        &sb,
        &token,
        &format!("/v2/attendance-periods?project.id={id}"),
    )
    .await;
    let counted = periods
        .iter()
        .filter(|p| p["approval"]["status"] != "REJECTED" && p["end"].is_object())
        .count();
    assert_eq!(project["tracked_periods_count"], counted as i64);
    assert!(project["sub_projects_count"].as_i64() > Some(0));
    let (status, _) = get(&sb, &token, "/v2/projects?include=colour").await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown include is 422"
    );
    let (_, plain) = get(&sb, &token, &format!("/v2/projects/{id}")).await;
    assert!(
        plain.get("tracked_minutes").is_none(),
        "figures only when included"
    );
}

#[tokio::test]
async fn creating_and_changing_projects_follows_the_documented_rules() {
    let sb = spawn_sandbox(sandbox(72, 6).history_days(0));
    let token = v2_token(&sb).await;
    let (_, centers) = get(&sb, &token, "/v2/cost-centers").await;
    let center = centers["_data"][0]["id"].as_str().unwrap().to_owned();
    let body = json!({"name": "Warehouse robots", "status": "ACTIVE", "project_code": "WR-1",
        "cost_center": {"id": center}, "billable": true, "client_name": "Lagerhaus Nord",
        "start": {"date": "2026-01-01"}, "end": {"date": "2027-01-01"}});
    let (status, created) = send(&sb, Method::POST, &token, "/v2/projects", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_same_shape(&created, &fixture(FIXTURES, "v2/created.json"), true);
    let id = created["id"].as_str().unwrap().to_owned();
    let sub = json!({"name": "Pilot", "status": "ACTIVE", "parent_project": {"id": id}});
    let (status, sub) = send(&sb, Method::POST, &token, "/v2/projects", Some(sub)).await;
    assert_eq!(status, StatusCode::CREATED);
    let sub_id = sub["id"].as_str().unwrap().to_owned();
    let (_, pilot) = get(&sb, &token, &format!("/v2/projects/{sub_id}")).await;
    assert_eq!(pilot["billable"], true, "sub-projects inherit billing");

    for (body, why) in [
        (
            json!({"name": "Warehouse robots", "status": "ACTIVE"}),
            "duplicate name",
        ),
        (
            json!({"name": "Other", "status": "ACTIVE", "project_code": "WR-1"}),
            "duplicate code",
        ),
        (
            json!({"name": "Other", "status": "ACTIVE", "cost_center": {"id": "1"}}),
            "unknown cost center",
        ),
        (
            json!({"name": "Other", "status": "ACTIVE", "parent_project": {"id": "1"}}),
            "unknown parent",
        ),
        (
            json!({"name": "Other", "status": "ACTIVE", "start": {"date": "2026-05-01"}, "end": {"date": "2026-04-01"}}),
            "start after end",
        ),
        (
            json!({"name": "Other", "status": "ACTIVE", "parent_project": {"id": id}, "billable": true}),
            "field on a sub-project",
        ),
        (
            json!({"name": "Other", "status": "ACTIVE", "parent_project": {"id": sub_id}}),
            "nested too deep",
        ),
    ] {
        let (status, problem) = send(&sb, Method::POST, &token, "/v2/projects", Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {problem}");
    }
    for body in [
        json!({"status": "ACTIVE"}),
        json!({"name": "X", "status": "PAUSED"}),
    ] {
        let (status, _) = send(&sb, Method::POST, &token, "/v2/projects", Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }

    let path = format!("/v2/projects/{id}");
    let (status, _) = send(
        &sb,
        Method::PATCH,
        &token,
        &path,
        Some(json!({"description": "Phase 2", "client_name": null})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, project) = get(&sb, &token, &path).await;
    assert_eq!(project["description"], "Phase 2");
    assert!(project["client_name"].is_null());
    let (status, _) = send(
        &sb,
        Method::PATCH,
        &token,
        &path,
        Some(json!({"project_code": "PRJ-1001"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "codes stay unique"
    );
    let (status, _) = send(
        &sb,
        Method::PATCH,
        &token,
        "/v2/projects/1",
        Some(json!({"name": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn members_are_added_and_removed_as_documented() {
    let sb = spawn_sandbox(sandbox(73, 12).history_days(0));
    let token = v2_token(&sb).await;
    let (_, persons) = get(&sb, &token, "/v2/persons?limit=3").await;
    let ids: Vec<&str> = persons["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let (_, created) = send(
        &sb,
        Method::POST,
        &token,
        "/v2/projects",
        Some(json!({"name": "Fair booth", "status": "ACTIVE", "assigned_to_all": true})),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let members = format!("/v2/projects/{id}/members");
    let people =
        |ids: &[&str]| Value::Array(ids.iter().map(|i| json!({"person": {"id": i}})).collect());

    let (status, _) = send(&sb, Method::POST, &token, &members, Some(people(&ids[..2]))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, page) = get(&sb, &token, &members).await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &page,
        &fixture(FIXTURES, "v2/project-members.page.json"),
        true,
    );
    assert_eq!(page["_data"].as_array().unwrap().len(), 2);
    let (_, project) = get(&sb, &token, &format!("/v2/projects/{id}")).await;
    assert_eq!(
        project["assigned_to_all"], false,
        "adding members ends assigned-to-all"
    );

    let (status, _) = send(
        &sb,
        Method::POST,
        &token,
        &members,
        Some(people(&[ids[2], "1"])),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "one unknown person fails the request"
    );
    let (_, page) = get(&sb, &token, &members).await;
    assert_eq!(
        page["_data"].as_array().unwrap().len(),
        2,
        "nobody was added"
    );
    let (status, _) = send(
        &sb,
        Method::POST,
        &token,
        &members,
        Some(json!({"members": people(&ids[..1])})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "an existing member is a no-op"
    );

    let (status, _) = send(
        &sb,
        Method::DELETE,
        &token,
        &members,
        Some(people(&ids[..1])),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, page) = get(&sb, &token, &members).await;
    assert_eq!(page["_data"][0]["person"]["id"], ids[1]);

    let (status, _) = send(
        &sb,
        Method::PATCH,
        &token,
        &format!("/v2/projects/{id}"),
        Some(json!({"assigned_to_all": true})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, page) = get(&sb, &token, &members).await;
    assert!(
        page["_data"].as_array().unwrap().is_empty(),
        "assigning to all removes the members"
    );

    let (_, sub) = send(
        &sb,
        Method::POST,
        &token,
        "/v2/projects",
        Some(json!({"name": "Booth build", "status": "ACTIVE", "parent_project": {"id": id}})),
    )
    .await;
    let sub_members = format!("/v2/projects/{}/members", sub["id"].as_str().unwrap());
    let (status, _) = send(
        &sb,
        Method::POST,
        &token,
        &sub_members,
        Some(people(&ids[..1])),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "sub-projects cannot have members"
    );
}

#[tokio::test]
async fn deleting_a_project_takes_its_sub_projects_and_frees_its_periods() {
    let sb = spawn_sandbox(sandbox(74, 25).history_days(30));
    let token = v2_token(&sb).await;
    let tracked = follow(&sb, &token, "/v2/attendance-periods").await;
    let (_, projects) = get(
        &sb,
        &token,
        "/v2/projects?top_level_only=true&status=ACTIVE&limit=200",
    )
    .await;
    let parent = projects["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .find(|id| tracked.iter().any(|p| p["project"]["id"] == id.as_str()))
        .expect("some project has time on it");
    let subs = follow(
        &sb,
        &token,
        &format!("/v2/projects?parent_project.id={parent}"),
    )
    .await;
    let (status, _) = send(
        &sb,
        Method::DELETE,
        &token,
        &format!("/v2/projects/{parent}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = get(&sb, &token, &format!("/v2/projects/{parent}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for sub in subs {
        let (status, _) = get(
            &sb,
            &token,
            &format!("/v2/projects/{}", sub["id"].as_str().unwrap()),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "sub-projects go too");
    }
    let (_, left) = get(
        &sb,
        &token,
        &format!("/v2/attendance-periods?project.id={parent}"),
    )
    .await;
    assert!(
        left["_data"].as_array().unwrap().is_empty(),
        "periods keep their time, not the project"
    );
}

#[tokio::test]
async fn projects_need_the_project_scopes() {
    let sb = spawn_sandbox(sandbox(75, 3).history_days(0));
    let (id, secret) = create_credential(
        &sb,
        json!({"name": "viewer", "access": {"projects": "read"}}),
    )
    .await;
    let viewer = v2_token_for(&sb, &id, &secret).await;
    let (status, _) = get(&sb, &viewer, "/v2/projects").await;
    assert_eq!(status, StatusCode::OK);
    let (status, problem) = send(
        &sb,
        Method::POST,
        &viewer,
        "/v2/projects",
        Some(json!({"name": "x", "status": "ACTIVE"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(problem["errors"][0]["title"], "Insufficient access scope");
    let (id, secret) = create_credential(
        &sb,
        json!({"name": "other", "access": {"absences": "write"}}),
    )
    .await;
    let other = v2_token_for(&sb, &id, &secret).await;
    let (status, _) = get(&sb, &other, "/v2/projects").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(&sb, &other, "/v2/absence-periods").await;
    assert_eq!(status, StatusCode::OK, "absences write includes read");
}
