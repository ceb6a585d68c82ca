//! Keys reach only their companies and scopes; a request without a key is refused.

use std::collections::BTreeSet;

use bridge_store::Scope;
use serde_json::json;

use crate::harness::{World, answer, call, tool_error, tools};

#[tokio::test]
async fn a_key_sees_only_its_companies_and_the_tools_of_its_scopes() {
    let Some(tools) = tools() else { return };
    let world = World::new(tools, 72).await;
    let reader = world.key("reader", &[Scope::Read], &["acme"]).await;
    let someone = world
        .store
        .find_people(
            world.acme.id,
            &bridge_store::questions::PeopleFilter {
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()[0]
        .id;
    let results = world.drive(
        &world.http(&reader),
        vec![
            json!({ "op": "list_tools" }),
            call("companies", json!({})),
            call("find_people", json!({ "company": "globex" })),
            call("find_people", json!({ "company": "initech" })),
            call(
                "create_absence",
                json!({
                    "employee_id": someone, "absence_type_id": "x", "start": "2027-01-04"
                }),
            ),
            call("compensations", json!({ "person_id": someone })),
            call("find_people", json!({ "company": "acme", "limit": 1 })),
        ],
    );
    let names: BTreeSet<&str> = results[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for hidden in [
        "create_absence",
        "record_attendance",
        "correct_attendance",
        "update_employee",
        "compensations",
    ] {
        assert!(
            !names.contains(hidden),
            "{hidden} is not listed for a read key"
        );
    }
    assert!(names.contains("absent"));
    assert_eq!(
        answer(&results[1])["companies"].as_array().unwrap().len(),
        1
    );
    // Another company answers as one that does not exist.
    let other = tool_error(&results[2]);
    let missing = tool_error(&results[3]);
    assert!(
        other["error"]
            .as_str()
            .unwrap()
            .contains("no company \"globex\""),
        "{other}"
    );
    assert_eq!(
        other["error"].as_str().unwrap().replace("globex", "X"),
        missing["error"].as_str().unwrap().replace("initech", "X")
    );
    let denied = tool_error(&results[4]);
    assert!(
        denied["error"].as_str().unwrap().contains("`write` scope"),
        "{denied}"
    );
    let denied = tool_error(&results[5]);
    assert!(
        denied["error"].as_str().unwrap().contains("`admin` scope"),
        "{denied}"
    );
    assert_eq!(answer(&results[6])["people"].as_array().unwrap().len(), 1);

    // A key for every company must name one; an admin key sees compensations and custom
    // attributes (where Personio has them).
    let admin = world.key("admin", &[Scope::Admin], &[]).await;
    let results = world.drive(
        &world.http(&admin),
        vec![
            call("find_people", json!({})),
            call("find_people", json!({ "company": "globex", "limit": 1 })),
            call(
                "compensations",
                json!({ "company": "acme", "person_id": someone }),
            ),
            call("person", json!({ "company": "acme", "person_id": someone })),
        ],
    );
    assert!(
        tool_error(&results[0])["error"]
            .as_str()
            .unwrap()
            .contains("name the company")
    );
    assert_eq!(answer(&results[1])["people"].as_array().unwrap().len(), 1);
    let compensations = answer(&results[2]);
    let stored = world
        .store
        .compensations_of(world.acme.id, someone)
        .await
        .unwrap();
    assert_eq!(
        compensations["compensations"].as_array().unwrap().len(),
        stored.len()
    );
    assert!(
        answer(&results[3])["person"]
            .get("custom_attributes")
            .is_some()
    );

    // No key, a wrong key, a revoked key: the API's 401, before any MCP.
    let http = reqwest::Client::new();
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"}}});
    for key in [None, Some("pbk_wrong")] {
        let mut request = http
            .post(format!("{}/mcp", world.base_url))
            .header("accept", "application/json, text/event-stream")
            .json(&initialize);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
}
