//! Write tools: a call made twice books once in Personio (checked in the sandbox), Personio's
//! refusal comes back as a tool error with its words, an employee's attribute is changed in
//! Personio.

use bridge_store::Scope;
use bridge_store::questions::PeopleFilter;
use bridge_testkit::{CLIENT_ID, CLIENT_SECRET, RunningSandbox};
use serde_json::{Value, json};

use crate::harness::{World, answer, call, tool_error, tools};

/// The absence periods Personio holds for `person` (through its v2 API).
async fn personio_absences(sb: &RunningSandbox, person: i64) -> Vec<Value> {
    let http = reqwest::Client::new();
    let token: Value = http
        .post(sb.url("/v2/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let page: Value = http
        .get(sb.url(&format!("/v2/absence-periods?person.id={person}&limit=100")))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["_data"].as_array().unwrap().clone()
}

/// The position Personio holds for `person` (through its v1 API).
async fn personio_position(sb: &RunningSandbox, person: i64) -> Value {
    let http = reqwest::Client::new();
    let auth: Value = http
        .post(sb.url("/v1/auth"))
        .json(&json!({ "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let employee: Value = http
        .get(sb.url(&format!("/v1/company/employees/{person}")))
        .bearer_auth(auth["data"]["token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    employee["data"]["attributes"]["position"]["value"].clone()
}

#[tokio::test]
async fn a_write_made_twice_books_once_and_personios_refusal_is_a_tool_error() {
    let Some(tools) = tools() else { return };
    let world = World::new(tools, 73).await;
    let writer = world
        .key("writer", &[Scope::Read, Scope::Write], &["acme"])
        .await;
    let person = world
        .store
        .find_people(
            world.acme.id,
            &PeopleFilter {
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()[0]
        .id;
    let vacation = world
        .store
        .absence_types(world.acme.id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "Paid vacation")
        .unwrap()
        .id;
    let booking = json!({
        "employee_id": person, "absence_type_id": vacation,
        "start": "2027-08-02", "end": "2027-08-04", "status": "APPROVED", "comment": "spring"
    });
    let before = personio_absences(&world.sandbox, person).await.len();
    // The same call twice, then again in another key order on the other transport.
    let mut reordered = serde_json::Map::new();
    for key in [
        "status",
        "start",
        "end",
        "employee_id",
        "comment",
        "absence_type_id",
    ] {
        reordered.insert(key.into(), booking[key].clone());
    }
    let results = world.drive(
        &world.http(&writer),
        vec![
            call("create_absence", booking.clone()),
            call("create_absence", booking.clone()),
            // Overlapping the first: Personio refuses.
            call(
                "create_absence",
                json!({
                    "employee_id": person, "absence_type_id": vacation, "start": "2027-08-03"
                }),
            ),
            call(
                "create_absence",
                json!({
                    "employee_id": person, "absence_type_id": "no-such-type", "start": "2027-05-02"
                }),
            ),
            call(
                "update_employee",
                json!({
                    "employee_id": person, "attribute": "position", "value": "Captain"
                }),
            ),
        ],
    );
    let first = answer(&results[0]);
    assert_eq!(first["outcome"], "created");
    assert_eq!(first["replayed"], false);
    assert_eq!(first["record"]["employee_id"], person);
    let second = answer(&results[1]);
    assert_eq!(second["id"], first["id"]);
    assert_eq!(second["replayed"], true);
    let refused = tool_error(&results[2]);
    assert_eq!(refused["personio"]["status"], 409, "{refused}");
    assert!(!refused["personio"]["message"].as_str().unwrap().is_empty());
    let unknown = tool_error(&results[3]);
    assert_eq!(unknown["field"], "absence_type_id", "{unknown}");
    let changed = answer(&results[4]);
    assert_eq!(changed["outcome"], "updated", "{changed}");
    assert_eq!(personio_position(&world.sandbox, person).await, "Captain");
    // The audit log names the key the writes came through (its name, not its secret).
    let audited = world
        .store
        .audit_log(&bridge_store::AuditQuery {
            action: Some("write".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let actors: Vec<(&str, &str)> = audited
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        actors,
        [
            ("mcp:writer", "write.succeeded"),
            ("mcp:writer", "write.refused"),
            ("mcp:writer", "write.succeeded"),
        ],
        "{audited:?}"
    );

    let results = world.drive(
        &world.stdio(&["read", "write"]),
        vec![
            call("create_absence", Value::Object(reordered)),
            call(
                "absent",
                json!({ "from": "2027-08-02", "to": "2027-08-02" }),
            ),
        ],
    );
    let third = answer(&results[0]);
    assert_eq!(
        third["id"], first["id"],
        "one call, one booking, whichever transport"
    );
    assert_eq!(third["replayed"], true);
    let absent = answer(&results[1]);
    assert!(
        absent["absences"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["absence_id"] == first["id"]),
        "the booking is in the store at once: {absent}"
    );

    let after = personio_absences(&world.sandbox, person).await;
    assert_eq!(after.len(), before + 1, "booked once in Personio");
    assert!(after.iter().any(|a| a["id"] == first["id"]));
}

#[tokio::test]
async fn attendance_is_recorded_once_and_corrected() {
    let Some(tools) = tools() else { return };
    let world = World::new(tools, 74).await;
    let writer = world
        .key("writer", &[Scope::Read, Scope::Write], &["acme"])
        .await;
    let person = world
        .store
        .find_people(
            world.acme.id,
            &PeopleFilter {
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()[0]
        .id;
    let period = json!({
        "employee_id": person, "start": "2027-01-05T09:00:00", "end": "2027-01-05T12:00:00",
        "status": "CONFIRMED"
    });
    let results = world.drive(
        &world.http(&writer),
        vec![
            call("record_attendance", period.clone()),
            call("record_attendance", period),
        ],
    );
    let first = answer(&results[0]);
    let second = answer(&results[1]);
    assert_eq!(
        (first["outcome"].clone(), second["replayed"].clone()),
        (json!("created"), json!(true))
    );
    assert_eq!(first["id"], second["id"]);
    let id = first["id"].as_str().unwrap();
    let results = world.drive(
        &world.http(&writer),
        vec![
            call(
                "correct_attendance",
                json!({ "id": id, "end": "2027-01-05T13:30:00" }),
            ),
            call(
                "attendance",
                json!({ "person_id": person, "from": "2027-01-05", "to": "2027-01-05" }),
            ),
        ],
    );
    let corrected = answer(&results[0]);
    assert_eq!(corrected["outcome"], "updated");
    assert_eq!(corrected["record"]["end"], "2027-01-05T13:30:00");
    let attendance = answer(&results[1]);
    assert_eq!(attendance["worked_hours"], 4.5);
}
