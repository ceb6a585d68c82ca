//! Writes through the REST API, each checked through the sandbox's own API: attendance
//! periods created, changed and deleted; idempotency keys replayed and refused; keys and
//! credentials without write access; Personio's refusals passed on; hostile bodies.

use bridge_store::{Filters, Grant, NewCompany, Scope};
use bridge_testkit::{
    ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, RunningSandbox, sandbox, spawn_sandbox,
};
use personio_sandbox::credentials::{AccessMap, CredentialSpec, ReadableAttributes};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::{Bridge, link_and_sync, spawn_bridge, sync};

const PATH: &str = "/api/v1/companies/acme/attendance_periods";

async fn key_with(bridge: &Bridge, name: &str, scopes: Vec<Scope>) -> String {
    let (_, key) = bridge
        .store
        .create_api_key(
            name,
            &Grant {
                scopes,
                companies: Vec::new(),
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    key.expose_secret().to_owned()
}

/// One request to the bridge: status, headers, body.
async fn send(
    method: reqwest::Method,
    url: String,
    key: &str,
    idempotency: Option<&str>,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = reqwest::Client::new().request(method, url).bearer_auth(key);
    if let Some(idempotency) = idempotency {
        request = request.header("Idempotency-Key", idempotency);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        headers,
        response.json().await.unwrap_or(Value::Null),
    )
}

/// The sandbox's own answer for a period (through Personio's v2 API, with its admin's
/// credential): `None` when Personio has no such period.
async fn personio_period(sb: &RunningSandbox, id: &str) -> Option<Value> {
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
    let response = http
        .get(sb.url(&format!("/v2/attendance-periods/{id}")))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    if response.status() == 404 {
        return None;
    }
    assert!(response.status().is_success(), "{}", response.status());
    Some(response.json().await.unwrap())
}

/// How many requests the sandbox has answered.
async fn requests(sb: &RunningSandbox) -> u64 {
    let body: Value = reqwest::Client::new()
        .get(sb.url("/_sandbox/requests"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["total"].as_u64().unwrap()
}

/// Someone the sandbox employs.
async fn someone(bridge: &Bridge, key: &str) -> i64 {
    let (_, _, body) = send(
        reqwest::Method::GET,
        bridge.url("/api/v1/companies/acme/employees?limit=1"),
        key,
        None,
        None,
    )
    .await;
    body["data"][0]["id"].as_i64().unwrap()
}

fn new_period(employee: i64, day: u32) -> Value {
    json!({
        "employee_id": employee,
        "start": format!("2027-01-{day:02}T09:00:00"),
        "end": format!("2027-01-{day:02}T17:00"),
        "comment": "written through the bridge",
        "status": "CONFIRMED"
    })
}

#[tokio::test]
async fn a_period_is_created_changed_and_deleted_in_personio_and_stored() {
    let sb = spawn_sandbox(sandbox(61, 4).history_days(3));
    let bridge = spawn_bridge().await;
    let company = link_and_sync(&bridge.store, &sb).await;
    let key = key_with(&bridge, "writer", vec![Scope::Read, Scope::Write]).await;
    let employee = someone(&bridge, &key).await;

    let (status, _, created) = send(
        reqwest::Method::POST,
        bridge.url(PATH),
        &key,
        Some("create-1"),
        Some(new_period(employee, 4)),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["employee_id"], employee);
    assert_eq!(created["start"], "2027-01-04T09:00:00");
    assert_eq!(created["end"], "2027-01-04T17:00:00");
    assert_eq!(created["status"], "CONFIRMED");
    let held = personio_period(&sb, &id).await.expect("Personio holds it");
    assert_eq!(held["person"]["id"], employee.to_string());
    assert_eq!(held["comment"], "written through the bridge");

    // The same key and body: the first outcome, and nothing sent.
    let before = requests(&sb).await;
    let (status, headers, again) = send(
        reqwest::Method::POST,
        bridge.url(PATH),
        &key,
        Some("create-1"),
        Some(new_period(employee, 4)),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(again["id"], id.as_str());
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(requests(&sb).await, before, "a replay sends nothing");

    // The same key with another body is refused, before anything is sent.
    let (status, _, problem) = send(
        reqwest::Method::POST,
        bridge.url(PATH),
        &key,
        Some("create-1"),
        Some(new_period(employee, 5)),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["field"], "Idempotency-Key");
    assert_eq!(requests(&sb).await, before);

    // The next sync finds the written period unchanged.
    let client = bridge_sync::link::client_for(&bridge.store, &company)
        .await
        .unwrap();
    let summary = bridge_sync::SyncEngine::new(bridge.store.clone(), client, company.clone())
        .run(&bridge_sync::SyncOptions::default())
        .await
        .unwrap();
    let attendances = &summary.resources["attendances"];
    assert_eq!(
        (attendances.created, attendances.updated),
        (0, 0),
        "{attendances:?}"
    );

    let (status, _, changed) = send(
        reqwest::Method::PATCH,
        bridge.url(&format!("{PATH}/{id}")),
        &key,
        Some("change-1"),
        Some(json!({"comment": "changed", "end": "2027-01-04T16:00:00"})),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["comment"], "changed");
    assert_eq!(changed["end"], "2027-01-04T16:00:00");
    let held = personio_period(&sb, &id).await.unwrap();
    assert_eq!(held["comment"], "changed");
    assert_eq!(held["end"]["date_time"], "2027-01-04T16:00:00");

    let (status, _, deleted) = send(
        reqwest::Method::DELETE,
        bridge.url(&format!("{PATH}/{id}")),
        &key,
        Some("delete-1"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{deleted}");
    assert!(deleted["deleted_at"].is_string(), "{deleted}");
    assert!(personio_period(&sb, &id).await.is_none());
    sync(&bridge.store, &company).await;
}

#[tokio::test]
async fn mistakes_are_named_before_anything_is_sent_and_personios_refusals_are_passed_on() {
    let sb = spawn_sandbox(sandbox(62, 3).history_days(3));
    let bridge = spawn_bridge().await;
    link_and_sync(&bridge.store, &sb).await;
    let key = key_with(&bridge, "writer", vec![Scope::Read, Scope::Write]).await;
    let reader = key_with(&bridge, "reader", vec![Scope::Read]).await;
    let employee = someone(&bridge, &key).await;
    let before = requests(&sb).await;

    let post = |key: String, idempotency: Option<&'static str>, body: Value| {
        let url = bridge.url(PATH);
        async move { send(reqwest::Method::POST, url, &key, idempotency, Some(body)).await }
    };
    let (status, _, problem) = post(reader.clone(), Some("k"), new_period(employee, 6)).await;
    assert_eq!(status, 403, "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("write"));

    let (status, _, problem) = post(key.clone(), None, new_period(employee, 6)).await;
    assert_eq!(status, 400, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key")
    );

    for (body, field) in [
        (json!({"start": "2027-01-06T09:00:00"}), "employee_id"),
        (json!({"employee_id": employee}), "start"),
        (
            json!({"employee_id": employee, "start": "2027-01-06T09:00:00Z"}),
            "start",
        ),
        (
            json!({"employee_id": employee, "start": "2027-01-06T09:00:00", "end": "2027-01-06T08:00:00"}),
            "end",
        ),
        (
            json!({"employee_id": employee, "start": "2027-01-06T09:00:00", "end": "2027-01-08T09:00:00"}),
            "end",
        ),
        (
            json!({"employee_id": 99_999_999, "start": "2027-01-06T09:00:00"}),
            "employee_id",
        ),
        (
            json!({"employee_id": employee, "start": "2027-01-06T09:00:00", "mood": 1}),
            "mood",
        ),
    ] {
        let (status, content_type, problem) = post(key.clone(), Some("bad"), body.clone()).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(content_type["content-type"], "application/problem+json");
        assert_eq!(problem["field"], field, "{body}: {problem}");
    }
    assert_eq!(requests(&sb).await, before, "nothing was sent to Personio");

    // Personio's own refusal (an overlapping period) keeps its words.
    let (status, _, _) = post(key.clone(), Some("first"), new_period(employee, 7)).await;
    assert_eq!(status, 201);
    let mut overlapping = new_period(employee, 7);
    overlapping["start"] = json!("2027-01-07T10:00:00");
    let (status, _, problem) = post(key.clone(), Some("second"), overlapping.clone()).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["personio"]["status"], 422);
    assert!(
        problem["personio"]["message"]
            .as_str()
            .unwrap()
            .contains("overlapping"),
        "{problem}"
    );
    // The refusal is the key's outcome from now on.
    let before = requests(&sb).await;
    let (status, _, again) = post(key.clone(), Some("second"), overlapping).await;
    assert_eq!(status, 422);
    assert_eq!(again["personio"], problem["personio"]);
    assert_eq!(requests(&sb).await, before);

    // A record Personio does not have.
    let (status, _, problem) = send(
        reqwest::Method::DELETE,
        bridge.url(&format!("{PATH}/7b0c1a8e-0000-4000-8000-000000000000")),
        &key,
        None,
        None,
    )
    .await;
    assert_eq!(status, 404, "{problem}");

    // Read-only resources.
    let (status, _, _) = send(
        reqwest::Method::POST,
        bridge.url("/api/v1/companies/acme/legal_entities"),
        &key,
        Some("le"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 405);
}

#[tokio::test]
async fn a_credential_without_write_access_gets_the_doctors_advice() {
    let read_only = CredentialSpec {
        name: "reads only".into(),
        access: AccessMap(
            AccessMap::everything()
                .0
                .into_keys()
                .map(|area| (area, personio_sandbox::credentials::Access::Read))
                .collect(),
        ),
        readable_attributes: ReadableAttributes::All,
        client_id: Some("read-only".into()),
        client_secret: Some("read-only-secret".into()),
    };
    let sb = spawn_sandbox(sandbox(63, 3).history_days(3).credential_spec(read_only));
    let bridge = spawn_bridge().await;
    bridge
        .store
        .add_company(
            NewCompany {
                name: "acme".into(),
                base_url: sb.base_url.clone(),
                client_id: "read-only".into(),
                client_secret: SecretString::from("read-only-secret".to_owned()),
                recruiting: None,
                filters: Filters::default(),
                granted: json!({}),
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let key = key_with(&bridge, "writer", vec![Scope::Write]).await;
    let (status, _, problem) = send(
        reqwest::Method::POST,
        bridge.url(PATH),
        &key,
        Some("no-access"),
        Some(new_period(1, 8)),
    )
    .await;
    assert_eq!(status, 403, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("\"Attendances\" to \"Read and write\""),
        "{detail}"
    );
    assert!(detail.contains("doctor"), "{detail}");
}

#[test]
fn hostile_write_bodies_get_client_errors_never_server_errors() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sb = spawn_sandbox(sandbox(64, 3).history_days(3));
    let (bridge, key, employee) = runtime.block_on(async {
        let bridge = spawn_bridge().await;
        link_and_sync(&bridge.store, &sb).await;
        let key = key_with(&bridge, "writer", vec![Scope::Read, Scope::Write]).await;
        let employee = someone(&bridge, &key).await;
        (bridge, key, employee)
    });
    let original = serde_json::to_vec(&new_period(employee, 9)).unwrap();
    let client = reqwest::Client::new();
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    let n = std::sync::atomic::AtomicU64::new(0);
    runner
        .run(
            &(
                0usize..1_000,
                bridge_testkit::hostile::mutation(),
                any::<bool>(),
            ),
            |(node, change, patch)| {
                let n = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let body = bridge_testkit::hostile::mutate(&original, node, &change);
                let (method, url) = if patch {
                    (
                        reqwest::Method::PATCH,
                        bridge.url(&format!("{PATH}/7b0c1a8e-0000-4000-8000-000000000000")),
                    )
                } else {
                    (reqwest::Method::POST, bridge.url(PATH))
                };
                let status = runtime.block_on(async {
                    client
                        .request(method, url)
                        .bearer_auth(&key)
                        .header("Idempotency-Key", format!("hostile-{n}"))
                        .header("Content-Type", "application/json")
                        .body(body)
                        .send()
                        .await
                        .map(|r| r.status())
                });
                let status = status.map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(
                    status.is_client_error() || status.is_success(),
                    "a write answered {status}"
                );
                Ok(())
            },
        )
        .unwrap();
}

/// The id of the company's absence type named `name`, as the bridge stores it.
async fn absence_type(bridge: &Bridge, key: &str, name: &str) -> String {
    let (_, _, body) = send(
        reqwest::Method::GET,
        bridge.url("/api/v1/companies/acme/absence_types?limit=100"),
        key,
        None,
        None,
    )
    .await;
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Personio's answer for an absence period, `None` when it has none.
async fn personio_absence(sb: &RunningSandbox, id: &str) -> Option<Value> {
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
        .get(sb.url(&format!("/v2/absence-periods?id={id}")))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["_data"].as_array().unwrap().first().cloned()
}

#[tokio::test]
async fn an_absence_is_created_and_deleted_in_personio_and_refusals_keep_personios_words() {
    let sb = spawn_sandbox(sandbox(65, 4).history_days(3));
    let bridge = spawn_bridge().await;
    let company = link_and_sync(&bridge.store, &sb).await;
    let key = key_with(&bridge, "writer", vec![Scope::Read, Scope::Write]).await;
    let employee = someone(&bridge, &key).await;
    let vacation = absence_type(&bridge, &key, "Paid vacation").await;
    let url = bridge.url("/api/v1/companies/acme/absence_periods");
    let body = json!({
        "employee_id": employee, "absence_type_id": vacation,
        "start": "2027-03-01", "end": "2027-03-03", "end_half": "FIRST_HALF",
        "comment": "spring", "status": "APPROVED"
    });
    let (status, _, created) = send(
        reqwest::Method::POST,
        url.clone(),
        &key,
        Some("absence-1"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["absence_type_id"], vacation.as_str());
    assert_eq!(created["end_half"], "FIRST_HALF");
    let held = personio_absence(&sb, &id).await.expect("Personio holds it");
    assert_eq!(held["person"]["id"], employee.to_string());
    assert_eq!(held["comment"], "spring");

    let before = requests(&sb).await;
    let (status, headers, _) = send(
        reqwest::Method::POST,
        url.clone(),
        &key,
        Some("absence-1"),
        Some(body),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(requests(&sb).await, before);

    // An overlapping absence: Personio's conflict, with its words.
    let (status, _, problem) = send(
        reqwest::Method::POST,
        url.clone(),
        &key,
        Some("absence-2"),
        Some(json!({"employee_id": employee, "absence_type_id": vacation, "start": "2027-03-02"})),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["personio"]["status"], 409);
    assert!(!problem["personio"]["message"].as_str().unwrap().is_empty());

    // Unknown absence type: named before anything is sent.
    let (status, _, problem) = send(
        reqwest::Method::POST,
        url.clone(),
        &key,
        Some("absence-3"),
        Some(json!({"employee_id": employee, "absence_type_id": "no-such-type", "start": "2027-04-02"})),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["field"], "absence_type_id");

    let (status, _, deleted) = send(
        reqwest::Method::DELETE,
        format!("{url}/{id}"),
        &key,
        Some("absence-delete"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{deleted}");
    assert!(deleted["deleted_at"].is_string());
    assert!(personio_absence(&sb, &id).await.is_none());
    // Absences take no PATCH through the bridge.
    let (status, _, _) = send(
        reqwest::Method::PATCH,
        format!("{url}/{id}"),
        &key,
        None,
        Some(json!({"comment": "x"})),
    )
    .await;
    assert_eq!(status, 405);
    sync(&bridge.store, &company).await;
}

#[tokio::test]
async fn the_passthrough_answers_personios_status_and_body_unchanged() {
    let sb = spawn_sandbox(sandbox(66, 3).history_days(3));
    let bridge = spawn_bridge().await;
    link_and_sync(&bridge.store, &sb).await;
    let reader = key_with(&bridge, "reader", vec![Scope::Read]).await;
    let writer = key_with(&bridge, "writer", vec![Scope::Read, Scope::Write]).await;
    let through = |path: &str| bridge.url(&format!("/api/v1/companies/acme/passthrough/{path}"));

    let response = reqwest::Client::new()
        .get(through("v1/company/employees?limit=2"))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers().get("authorization").is_none(),
        "Personio's token never leaves"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["success"], true);
    assert_eq!(body["data"].as_array().unwrap().len(), 2);

    // Personio's refusal, unchanged.
    let (status, headers, body) = send(
        reqwest::Method::GET,
        through("v2/attendance-periods/7b0c1a8e-0000-4000-8000-000000000000"),
        &reader,
        None,
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert!(headers["content-type"].to_str().unwrap().contains("json"));
    assert!(body["errors"].is_array(), "{body}");

    // Writing needs the write scope; then it reaches Personio.
    let employee = someone(&bridge, &writer).await;
    let period = json!({
        "person": {"id": employee.to_string()}, "type": "WORK",
        "start": {"date_time": "2027-02-01T09:00:00"}, "end": {"date_time": "2027-02-01T12:00:00"}
    });
    let (status, _, _) = send(
        reqwest::Method::POST,
        through("v2/attendance-periods"),
        &reader,
        None,
        Some(period.clone()),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, created) = send(
        reqwest::Method::POST,
        through("v2/attendance-periods"),
        &writer,
        None,
        Some(period),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    assert!(personio_period(&sb, id).await.is_some());

    for path in [
        "v2/auth/token",
        "v1/auth",
        "_sandbox/faults",
        "v2/../v1/auth",
        "v3/things",
    ] {
        let (status, _, _) = send(reqwest::Method::GET, through(path), &writer, None, None).await;
        assert_eq!(status, 404, "{path}");
    }
}

#[tokio::test]
async fn the_service_resolves_writes_a_killed_process_left_open_when_it_starts() {
    use bridge_store::{JournalState, JournalStep, NewWrite};
    use bridge_sync::write::Intent;
    use bridge_sync::write::attendance::NewAttendance;
    let sb = spawn_sandbox(sandbox(67, 3).history_days(3));
    let bridge = spawn_bridge().await;
    let company = link_and_sync(&bridge.store, &sb).await;
    let key = key_with(&bridge, "writer", vec![Scope::Read, Scope::Write]).await;
    let employee = someone(&bridge, &key).await;
    let intent =
        Intent::CreateAttendance(NewAttendance::from_json(new_period(employee, 11)).unwrap());
    // The intent journalled and marked sending, then the process died: nothing reached Personio.
    bridge
        .store
        .journal_intent(
            NewWrite {
                company: company.id,
                key: "left-open".into(),
                resource: "attendance_periods".into(),
                operation: "create".into(),
                target_id: None,
                request: intent.canonical(),
                request_hash: intent.digest(),
                requested_by: "key:writer".into(),
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    bridge
        .store
        .journal_step(JournalStep {
            company: company.id,
            key: "left-open",
            state: JournalState::Sending,
            target_id: None,
            outcome: None,
            sent: true,
            read: false,
            now: chrono::Utc::now(),
        })
        .await
        .unwrap();

    // A service starting on the store finishes it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = bridge_server::ServerConfig {
        workers: 0,
        ..bridge_server::ServerConfig::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(
        bridge_server::Server::new(bridge.store.clone(), config).serve(listener, async move {
            let _ = stopped.await;
        }),
    );
    let mut entry = None;
    for _ in 0..500 {
        let now = bridge
            .store
            .journal_entry(company.id, "left-open")
            .await
            .unwrap()
            .unwrap();
        if now.state.is_final() {
            entry = Some(now);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let _ = stop.send(());
    let entry = entry.expect("the open write was finished");
    assert_eq!(entry.state, JournalState::Succeeded);
    assert_eq!(
        (entry.sends, entry.reads),
        (2, 1),
        "read first, then sent once"
    );
    let id = entry.target_id.unwrap();
    assert!(personio_period(&sb, &id).await.is_some());
    // The caller's retry with the same key gets the outcome.
    let (status, headers, body) = send(
        reqwest::Method::POST,
        bridge.url(PATH),
        &key,
        Some("left-open"),
        Some(new_period(employee, 11)),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["id"], id.as_str());
    assert_eq!(headers["idempotent-replayed"], "true");
}

#[tokio::test]
async fn a_project_is_created_changed_and_deleted_in_personio() {
    let sb = spawn_sandbox(sandbox(68, 3).history_days(3));
    let bridge = spawn_bridge().await;
    let company = link_and_sync(&bridge.store, &sb).await;
    let key = key_with(&bridge, "writer", vec![Scope::Read, Scope::Write]).await;
    let url = bridge.url("/api/v1/companies/acme/projects");
    let personio_project = |id: String| {
        let sb = &sb;
        async move {
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
                .get(sb.url(&format!("/v2/projects?id={id}")))
                .bearer_auth(token["access_token"].as_str().unwrap())
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            page["_data"].as_array().unwrap().first().cloned()
        }
    };
    sync_projects(&bridge, &company).await;
    let body = json!({"name": "Bridge launch", "start": "2027-01-01", "billable": true});
    let (status, _, created) = send(
        reqwest::Method::POST,
        url.clone(),
        &key,
        Some("project-1"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().expect("projects have numeric ids");
    assert_eq!(created["name"], "Bridge launch");
    assert_eq!(created["status"], "ACTIVE");
    let held = personio_project(id.to_string())
        .await
        .expect("Personio holds it");
    assert_eq!(held["billable"], true);

    // A second project of the same name: Personio's refusal.
    let (status, _, problem) = send(
        reqwest::Method::POST,
        url.clone(),
        &key,
        Some("project-2"),
        Some(body),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["personio"]["status"], 422);

    let (status, _, changed) = send(
        reqwest::Method::PATCH,
        format!("{url}/{id}"),
        &key,
        Some("project-change"),
        Some(json!({"description": "the first launch", "status": "ARCHIVED"})),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["status"], "ARCHIVED");
    let held = personio_project(id.to_string()).await.unwrap();
    assert_eq!(held["description"], "the first launch");

    // The next sync finds the written project unchanged.
    let summary = sync_projects(&bridge, &company).await;
    let projects = &summary.resources["projects"];
    assert_eq!((projects.created, projects.updated), (0, 0), "{projects:?}");

    let (status, _, deleted) = send(
        reqwest::Method::DELETE,
        format!("{url}/{id}"),
        &key,
        Some("project-delete"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{deleted}");
    assert!(deleted["deleted_at"].is_string());
    assert!(personio_project(id.to_string()).await.is_none());
}

async fn sync_projects(bridge: &Bridge, company: &bridge_store::Company) -> bridge_sync::Summary {
    let client = bridge_sync::link::client_for(&bridge.store, company)
        .await
        .unwrap();
    bridge_sync::SyncEngine::new(bridge.store.clone(), client, company.clone())
        .run(&bridge_sync::SyncOptions {
            resources: vec![bridge_sync::ResourceName::Projects],
            ..bridge_sync::SyncOptions::default()
        })
        .await
        .unwrap()
}
