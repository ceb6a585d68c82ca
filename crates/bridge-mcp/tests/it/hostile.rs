//! Hostile calls: wrong types, huge strings, unknown tools, forged cursors, odd dates. Each
//! gets an error; the server goes on answering.

use bridge_store::Scope;
use serde_json::json;

use crate::harness::{World, answer, call, tool_error, tools};

#[tokio::test]
async fn hostile_arguments_get_errors_and_never_a_crash() {
    let Some(tools) = tools() else { return };
    let world = World::new(tools, 75).await;
    let key = world
        .key("agent", &[Scope::Read, Scope::Write], &["acme"])
        .await;
    let huge = "x".repeat(100_000);
    let hostile = vec![
        call("person", json!({ "person_id": "one" })),
        call("person", json!({})),
        call("person", json!({ "person_id": 1, "extra": true })),
        call("person", json!({ "person_id": -1 })),
        call("find_people", json!({ "name": huge })),
        call("find_people", json!({ "company": 7 })),
        call("find_people", json!({ "cursor": "Zm9yZ2Vk" })),
        call("find_people", json!({ "limit": -5 })),
        call(
            "absent",
            json!({ "from": "2027-02-30", "to": "2027-03-01" }),
        ),
        call(
            "absent",
            json!({ "from": "2027-01-01", "to": "2030-01-01" }),
        ),
        call(
            "org_chart",
            json!({ "person_id": 1, "department": "Sales" }),
        ),
        call(
            "create_absence",
            json!({ "employee_id": 1, "absence_type_id": [1], "start": "x" }),
        ),
        call(
            "record_attendance",
            json!({ "employee_id": 999_999_999, "start": "2027-01-05T09:00:00" }),
        ),
        call(
            "correct_attendance",
            json!({ "id": "no-such-period", "comment": "x" }),
        ),
    ];
    let count = hostile.len();
    let mut steps = hostile;
    steps.push(call(&"t".repeat(10_000), json!({})));
    steps.push(call("no_such_tool", json!({})));
    steps.push(call(
        "find_people",
        json!({ "name": "%_\\'; DROP TABLE employees; --" }),
    ));
    steps.push(call("find_people", json!({ "limit": 1 })));
    for connect in [world.http(&key), world.stdio(&["read", "write"])] {
        let results = world.drive(&connect, steps.clone());
        for (step, result) in steps.iter().zip(&results).take(count) {
            let error = tool_error(result);
            assert!(
                error["error"].as_str().is_some_and(|e| !e.is_empty()),
                "{step}: {result}"
            );
            assert!(
                error["error"].as_str().unwrap().len() < 2_000,
                "errors stay short: {result}"
            );
        }
        for unknown in &results[count..count + 2] {
            assert!(unknown["protocol_error"].as_str().is_some(), "{unknown}");
        }
        // A name with LIKE's wildcards and SQL in it is a name like any other: nobody has it.
        assert_eq!(answer(&results[count + 2])["people"], json!([]));
        // Still answering.
        assert_eq!(
            answer(&results[count + 3])["people"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}
