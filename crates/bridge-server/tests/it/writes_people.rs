//! Writes of people and their papers through the REST API, each checked through the
//! sandbox's own API: employees created and changed (custom attributes by label),
//! documents uploaded, applications handed to the recruiting API with attachments;
//! mistakes named before anything is sent, Personio's refusals and reason codes kept,
//! replays, reused keys, keys without the write scope, hostile bodies.

use bridge_store::{Company, Filters, Grant, Scope};
use bridge_sync::link::{Link, connect};
use bridge_testkit::{
    ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, COMPANY_ID, RECRUITING_TOKEN, RunningSandbox, sandbox,
    spawn_sandbox,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::{Bridge, spawn_bridge, sync};

const EMPLOYEES: &str = "/api/v1/companies/acme/employees";
const DOCUMENTS: &str = "/api/v1/companies/acme/documents";
const APPLICATIONS: &str = "/api/v1/companies/acme/recruiting_applications";

async fn key_with(bridge: &Bridge, name: &str, scopes: Vec<Scope>) -> String {
    let grant = Grant {
        scopes,
        companies: Vec::new(),
    };
    let (_, key) = bridge
        .store
        .create_api_key(name, &grant, chrono::Utc::now())
        .await
        .unwrap();
    key.expose_secret().to_owned()
}

/// Links the sandbox with its recruiting key too, and syncs.
async fn linked(bridge: &Bridge, sb: &RunningSandbox) -> Company {
    let (company, _) = connect(
        &bridge.store,
        Link {
            company: "acme".into(),
            base_url: url::Url::parse(&sb.base_url).unwrap(),
            client_id: CLIENT_ID.into(),
            client_secret: SecretString::from(CLIENT_SECRET.to_owned()),
            recruiting: Some((SecretString::from(RECRUITING_TOKEN.to_owned()), COMPANY_ID)),
            filters: Filters::default(),
            replace: false,
        },
    )
    .await
    .unwrap();
    sync(&bridge.store, &company).await;
    // Documents and recruiting are read only when asked for.
    let client = bridge_sync::link::client_for(&bridge.store, &company)
        .await
        .unwrap();
    let options = bridge_sync::SyncOptions {
        resources: vec![
            bridge_sync::ResourceName::Documents,
            bridge_sync::ResourceName::Recruiting,
        ],
        ..bridge_sync::SyncOptions::default()
    };
    let summary = bridge_sync::SyncEngine::new(bridge.store.clone(), client, company.clone())
        .run(&options)
        .await
        .unwrap();
    assert_eq!(
        summary.outcome,
        bridge_store::Outcome::Succeeded,
        "{summary:?}"
    );
    company
}

/// One JSON request to the bridge: status, headers, body.
async fn send(
    method: Method,
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
    answer(request.send().await.unwrap()).await
}

async fn answer(response: reqwest::Response) -> (u16, reqwest::header::HeaderMap, Value) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        headers,
        response.json().await.unwrap_or(Value::Null),
    )
}

/// One multipart request to the bridge.
async fn upload(
    url: String,
    key: &str,
    idempotency: &str,
    form: Form,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .bearer_auth(key)
        .header("Idempotency-Key", idempotency)
        .multipart(form)
        .send()
        .await
        .unwrap();
    answer(response).await
}

/// A GET of Personio's v2 API in the sandbox, with the test credential's own token.
async fn personio(sb: &RunningSandbox, path: &str) -> Value {
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
        .get(sb.url(path))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .header("Beta", "true")
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap()
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

/// Records of a resource as the bridge lists them.
async fn listed(bridge: &Bridge, key: &str, resource: &str) -> Vec<Value> {
    let (status, _, body) = send(
        Method::GET,
        bridge.url(&format!("/api/v1/companies/acme/{resource}?limit=500")),
        key,
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().unwrap().clone()
}

fn new_employee(email: &str) -> Value {
    json!({
        "email": email, "first_name": "Ada", "last_name": "Lovelace", "gender": "female",
        "position": "Analyst", "hire_date": "2027-02-01", "weekly_working_hours": 40,
        "custom_attributes": {"T-shirt size": "M"}
    })
}

/// The v2 person with this email, as Personio shows it.
async fn person_with_email(sb: &RunningSandbox, email: &str) -> Option<Value> {
    let page = personio(sb, &format!("/v2/persons?email={email}")).await;
    page["_data"].as_array().unwrap().first().cloned()
}

fn custom(person: &Value, label: &str) -> Value {
    person["custom_attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["label"] == label)
        .map(|a| a["value"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn an_employee_is_created_and_changed_in_personio_and_stored() {
    let sb = spawn_sandbox(sandbox(71, 4).history_days(2));
    let bridge = spawn_bridge().await;
    let company = linked(&bridge, &sb).await;
    let key = key_with(&bridge, "writer", vec![Scope::Read, Scope::Write]).await;

    let (status, _, created) = send(
        Method::POST,
        bridge.url(EMPLOYEES),
        &key,
        Some("hire-ada"),
        Some(new_employee("ada@example.com")),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().expect("the new employee's id");
    assert_eq!(created["email"], "ada@example.com");
    assert_eq!(created["custom_attributes"]["T-shirt size"], "M");
    let held = person_with_email(&sb, "ada@example.com")
        .await
        .expect("Personio has her");
    assert_eq!(held["id"], id.to_string());
    assert_eq!(held["first_name"], "Ada");
    assert_eq!(custom(&held, "T-shirt size"), "M");

    // Replayed: the first outcome, nothing sent; another body under the key: refused.
    let before = requests(&sb).await;
    let (status, headers, again) = send(
        Method::POST,
        bridge.url(EMPLOYEES),
        &key,
        Some("hire-ada"),
        Some(new_employee("ada@example.com")),
    )
    .await;
    assert_eq!((status, again["id"].as_i64()), (201, Some(id)));
    assert_eq!(headers["idempotent-replayed"], "true");
    let (status, _, problem) = send(
        Method::POST,
        bridge.url(EMPLOYEES),
        &key,
        Some("hire-ada"),
        Some(new_employee("ada.l@example.com")),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["field"], "Idempotency-Key");
    assert_eq!(requests(&sb).await, before, "nothing was sent");

    // One attribute of one employee, a custom one by its label.
    let (status, _, changed) = send(
        Method::PATCH,
        bridge.url(&format!("{EMPLOYEES}/{id}")),
        &key,
        Some("ada-size"),
        Some(json!({"custom_attributes": {"t-shirt size": "L"}, "position": "Lead analyst"})),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["custom_attributes"]["T-shirt size"], "L");
    let held = person_with_email(&sb, "ada@example.com").await.unwrap();
    assert_eq!(custom(&held, "T-shirt size"), "L");

    // The next sync finds her as written.
    let client = bridge_sync::link::client_for(&bridge.store, &company)
        .await
        .unwrap();
    let summary = bridge_sync::SyncEngine::new(bridge.store.clone(), client, company.clone())
        .run(&bridge_sync::SyncOptions::default())
        .await
        .unwrap();
    let employees = &summary.resources["employees"];
    assert_eq!(
        (employees.created, employees.updated),
        (0, 0),
        "{employees:?}"
    );

    // Personio's refusal (the email is taken) keeps its words.
    let (status, _, problem) = send(
        Method::POST,
        bridge.url(EMPLOYEES),
        &key,
        Some("hire-ada-twice"),
        Some(new_employee("ada@example.com")),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["personio"]["status"], 422);
    assert!(
        problem["personio"]["message"]
            .as_str()
            .unwrap()
            .contains("email"),
        "{problem}"
    );
}

#[tokio::test]
async fn employee_mistakes_are_named_before_anything_is_sent() {
    let sb = spawn_sandbox(sandbox(72, 3).history_days(2));
    let bridge = spawn_bridge().await;
    linked(&bridge, &sb).await;
    let key = key_with(&bridge, "writer", vec![Scope::Read, Scope::Write]).await;
    let reader = key_with(&bridge, "reader", vec![Scope::Read]).await;
    let someone = listed(&bridge, &key, "employees").await[0]["id"]
        .as_i64()
        .unwrap();
    let before = requests(&sb).await;
    let (status, _, _) = send(
        Method::POST,
        bridge.url(EMPLOYEES),
        &reader,
        Some("r"),
        Some(new_employee("r@example.com")),
    )
    .await;
    assert_eq!(status, 403);
    for (body, field) in [
        (json!({"first_name": "A", "last_name": "B"}), "email"),
        (
            json!({"email": "x", "first_name": "A", "last_name": "B"}),
            "email",
        ),
        (
            json!({"email": "a@b.de", "first_name": "A", "last_name": "B", "gender": "robot"}),
            "gender",
        ),
        (
            json!({"email": "a@b.de", "first_name": "A", "last_name": "B", "supervisor_id": 99_999_999}),
            "supervisor_id",
        ),
        (
            json!({"email": "a@b.de", "first_name": "A", "last_name": "B", "shoe_size": 44}),
            "shoe_size",
        ),
    ] {
        let (status, _, problem) = send(
            Method::POST,
            bridge.url(EMPLOYEES),
            &key,
            Some("bad"),
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(problem["field"], field, "{body}: {problem}");
    }
    for (path, body, field) in [
        (
            someone.to_string(),
            json!({"email": "new@example.com"}),
            "email",
        ),
        (someone.to_string(), json!({}), ""),
        ("99999999".to_owned(), json!({"position": "CEO"}), "id"),
    ] {
        let (status, _, problem) = send(
            Method::PATCH,
            bridge.url(&format!("{EMPLOYEES}/{path}")),
            &key,
            None,
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(problem["field"], field, "{body}: {problem}");
    }
    assert_eq!(requests(&sb).await, before, "nothing was sent to Personio");
    // A label Personio does not know: named after one read of the attribute list.
    let (status, _, problem) = send(
        Method::PATCH,
        bridge.url(&format!("{EMPLOYEES}/{someone}")),
        &key,
        None,
        Some(json!({"custom_attributes": {"Favourite colour": "green"}})),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["field"], "custom_attributes.Favourite colour");
}

fn document_form(employee: i64, category: i64, file: &'static [u8], name: &str) -> Form {
    Form::new()
        .text("employee_id", employee.to_string())
        .text("category_id", category.to_string())
        .text("title", "Contract written through the bridge")
        .text("date", "2027-01-15")
        .part(
            "file",
            Part::bytes(file)
                .file_name(name.to_owned())
                .mime_str("application/pdf")
                .unwrap(),
        )
}

#[tokio::test]
async fn a_document_is_uploaded_to_personio_and_its_metadata_stored() {
    let sb = spawn_sandbox(sandbox(73, 3).history_days(2));
    let bridge = spawn_bridge().await;
    linked(&bridge, &sb).await;
    let key = key_with(&bridge, "writer", vec![Scope::Read, Scope::Write]).await;
    let reader = key_with(&bridge, "reader", vec![Scope::Read]).await;
    let employee = listed(&bridge, &key, "employees").await[0]["id"]
        .as_i64()
        .unwrap();
    let category = listed(&bridge, &key, "document_categories").await[0]["id"]
        .as_i64()
        .unwrap();
    const PDF: &[u8] = b"%PDF-1.4 a contract";

    let (status, _, _) = upload(
        bridge.url(DOCUMENTS),
        &reader,
        "doc-r",
        document_form(employee, category, PDF, "contract.pdf"),
    )
    .await;
    assert_eq!(status, 403);

    let (status, _, document) = upload(
        bridge.url(DOCUMENTS),
        &key,
        "doc-1",
        document_form(employee, category, PDF, "contract.pdf"),
    )
    .await;
    assert_eq!(status, 201, "{document}");
    assert_eq!(document["name"], "Contract written through the bridge");
    assert_eq!(document["employee_id"], employee);
    assert_eq!(document["size"], PDF.len());
    let held = personio(
        &sb,
        &format!("/v2/document-management/documents?owner_id={employee}&limit=100"),
    )
    .await;
    let same: Vec<&Value> = held["_data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["name"] == "Contract written through the bridge")
        .collect();
    assert_eq!(same.len(), 1, "{held}");
    assert_eq!(same[0]["id"], document["id"]);

    // Replay, and the key with another file.
    let before = requests(&sb).await;
    let (status, headers, again) = upload(
        bridge.url(DOCUMENTS),
        &key,
        "doc-1",
        document_form(employee, category, PDF, "contract.pdf"),
    )
    .await;
    assert_eq!((status, &again["id"]), (201, &document["id"]));
    assert_eq!(headers["idempotent-replayed"], "true");
    let (status, _, problem) = upload(
        bridge.url(DOCUMENTS),
        &key,
        "doc-1",
        document_form(employee, category, b"%PDF-1.4 another", "contract.pdf"),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["field"], "Idempotency-Key");

    // Outside Personio's limits, or incomplete: named, nothing sent.
    let (status, _, problem) = upload(
        bridge.url(DOCUMENTS),
        &key,
        "doc-exe",
        document_form(employee, category, b"MZ", "tool.exe"),
    )
    .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("file")));
    let (status, _, problem) = upload(
        bridge.url(DOCUMENTS),
        &key,
        "doc-cat",
        document_form(employee, 987_654, PDF, "contract.pdf"),
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("category_id"))
    );
    let (status, _, problem) = send(
        Method::POST,
        bridge.url(DOCUMENTS),
        &key,
        Some("doc-json"),
        Some(json!({"employee_id": employee})),
    )
    .await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(requests(&sb).await, before, "nothing was sent");
}

/// A published job the sandbox takes applications for.
async fn published_job(bridge: &Bridge, key: &str) -> i64 {
    listed(bridge, key, "recruiting_jobs")
        .await
        .iter()
        .find(|j| {
            j["status"].as_str().is_some_and(|s| {
                s.eq_ignore_ascii_case("published") || s.eq_ignore_ascii_case("active")
            })
        })
        .and_then(|j| j["id"].as_str().and_then(|id| id.parse().ok()))
        .expect("a published job")
}

#[tokio::test]
async fn an_application_with_attachments_reaches_personios_recruiting_api() {
    let sb = spawn_sandbox(sandbox(74, 3).history_days(2));
    let bridge = spawn_bridge().await;
    linked(&bridge, &sb).await;
    let key = key_with(&bridge, "writer", vec![Scope::Read, Scope::Write]).await;
    let job = published_job(&bridge, &key).await;
    let application = json!({
        "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
        "job_id": job, "phone": "+49 30 1234", "message": "Hello"
    });
    let form = |application: &Value| {
        Form::new()
            .text("application", application.to_string())
            .part(
                "cv",
                Part::bytes(b"%PDF-1.4 cv".as_slice())
                    .file_name("cv.pdf")
                    .mime_str("application/pdf")
                    .unwrap(),
            )
            .part(
                "cover_letter",
                Part::bytes(b"Dear team".as_slice())
                    .file_name("letter.txt")
                    .mime_str("text/plain")
                    .unwrap(),
            )
    };

    let (status, _, created) = upload(
        bridge.url(APPLICATIONS),
        &key,
        "apply-1",
        form(&application),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let held = personio(
        &sb,
        "/v2/recruiting/applications?candidate.email=grace@example.com",
    )
    .await;
    let held = held["_data"].as_array().unwrap();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["job"]["id"], job.to_string());
    assert_eq!(created["id"], held[0]["id"], "stored under Personio's id");
    // Both attachments went up first (Personio refuses an application naming uuids it
    // does not hold, so the 201 says it took them).
    let log: Value = reqwest::Client::new()
        .get(sb.url("/_sandbox/requests"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        log["routes"]["POST /v1/recruiting/applications/documents"]["200"], 2,
        "{log}"
    );
    assert_eq!(
        log["routes"]["POST /v1/recruiting/applications"]["201"], 1,
        "{log}"
    );

    // Replayed without a second application.
    let before = requests(&sb).await;
    let (status, headers, _) = upload(
        bridge.url(APPLICATIONS),
        &key,
        "apply-1",
        form(&application),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(requests(&sb).await, before);

    // Personio's reason code passed on: the same person applying again under a new key.
    let (status, _, problem) = send(
        Method::POST,
        bridge.url(APPLICATIONS),
        &key,
        Some("apply-2"),
        Some(application.clone()),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        problem["personio"]["code"],
        "errors.applicant-already-exists"
    );

    // Mistakes named before anything is sent.
    let before = requests(&sb).await;
    for (body, field) in [
        (
            json!({"first_name": "G", "last_name": "H", "job_id": job}),
            "email",
        ),
        (
            json!({"first_name": "G", "last_name": "H", "email": "g@x.de", "job_id": 987_654}),
            "job_id",
        ),
        (
            json!({"first_name": "G", "last_name": "H", "email": "g@x.de", "job_id": job, "gender": "x"}),
            "gender",
        ),
    ] {
        let (status, _, problem) = send(
            Method::POST,
            bridge.url(APPLICATIONS),
            &key,
            Some("bad"),
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(problem["field"], field, "{body}: {problem}");
    }
    let video = Form::new()
        .text("application", application.to_string())
        .part("photo", Part::bytes(b"x".as_slice()).file_name("me.png"));
    let (status, _, problem) = upload(bridge.url(APPLICATIONS), &key, "bad-part", video).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("photo")));
    assert_eq!(requests(&sb).await, before, "nothing was sent");
}

#[test]
fn hostile_bodies_of_the_new_writes_get_client_errors_never_server_errors() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sb = spawn_sandbox(sandbox(75, 3).history_days(2));
    let (bridge, key, employee) = runtime.block_on(async {
        let bridge = spawn_bridge().await;
        linked(&bridge, &sb).await;
        let key = key_with(&bridge, "writer", vec![Scope::Read, Scope::Write]).await;
        let employee = listed(&bridge, &key, "employees").await[0]["id"]
            .as_i64()
            .unwrap();
        (bridge, key, employee)
    });
    let originals = [
        (EMPLOYEES.to_owned(), serde_json::to_vec(&new_employee("h@example.com")).unwrap()),
        (
            format!("{EMPLOYEES}/{employee}"),
            serde_json::to_vec(&json!({"position": "x", "custom_attributes": {"T-shirt size": "S"}}))
                .unwrap(),
        ),
        (
            APPLICATIONS.to_owned(),
            serde_json::to_vec(&json!({"first_name": "G", "last_name": "H", "email": "g@x.de", "job_id": 1, "tags": ["a"]}))
                .unwrap(),
        ),
        (DOCUMENTS.to_owned(), b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF\r\n--x--\r\n".to_vec()),
    ];
    let client = reqwest::Client::new();
    let mut runner = TestRunner::new(Config {
        cases: 200,
        failure_persistence: None,
        ..Config::default()
    });
    let n = std::sync::atomic::AtomicU64::new(0);
    runner
        .run(
            &(
                0usize..4,
                0usize..1_000,
                bridge_testkit::hostile::mutation(),
            ),
            |(which, node, change)| {
                let n = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let (path, original) = &originals[which];
                let body = if path == DOCUMENTS {
                    // Multipart is not JSON: cut it anywhere instead.
                    original[..node % original.len()].to_vec()
                } else {
                    bridge_testkit::hostile::mutate(original, node, &change)
                };
                let method = if path.ends_with(&employee.to_string()) {
                    Method::PATCH
                } else {
                    Method::POST
                };
                let content_type = if path == DOCUMENTS {
                    "multipart/form-data; boundary=x"
                } else {
                    "application/json"
                };
                let status = runtime.block_on(async {
                    client
                        .request(method, bridge.url(path))
                        .bearer_auth(&key)
                        .header("Idempotency-Key", format!("hostile-{n}"))
                        .header("Content-Type", content_type)
                        .body(body)
                        .send()
                        .await
                        .map(|r| r.status())
                });
                let status = status.map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(
                    status.is_client_error() || status.is_success(),
                    "{path} answered {status}"
                );
                Ok(())
            },
        )
        .unwrap();
}
