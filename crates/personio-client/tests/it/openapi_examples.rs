//! Personio's own examples, from its published OpenAPI documents, through the client's
//! parsers and the wire types: every example answer that conforms to its document must be
//! accepted (a success decoded into our types, an error understood as Personio's error).
//! The documents are read at test time (see `bridge_testkit::openapi_dir`).

use futures::StreamExt;
use personio_api::{v1, v2};
use personio_client::{Client, Error, ErrorKind, OffsetKind, Page};
use personio_sandbox::schemas::{Schemas, Verdict};
use serde::de::DeserializeOwned;
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{client, ok};

/// One example answer of one documented operation.
struct Example {
    method: String,
    template: String,
    status: u16,
    content_type: String,
    name: String,
    body: Value,
}

#[tokio::test]
async fn every_example_answer_in_personios_documents_is_accepted() {
    let Some(dir) = bridge_testkit::openapi_dir() else {
        return;
    };
    let schemas = Schemas::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    let mut examples = Vec::new();
    for op in schemas.operations() {
        for (status, response) in &op.responses {
            for (content_type, name, body) in &response.examples {
                examples.push(Example {
                    method: op.method.clone(),
                    template: op.path.clone(),
                    status: status.parse().unwrap_or(500),
                    content_type: content_type.clone(),
                    name: name.clone(),
                    body: body.clone(),
                });
            }
        }
    }
    let (mut accepted, mut off_schema, mut failures) = (0, Vec::new(), Vec::new());
    let mut refused_off_schema = Vec::new();
    for example in &examples {
        let bytes = serde_json::to_vec(&example.body).unwrap();
        let label = format!(
            "{} {} {} {:?}",
            example.method, example.template, example.status, example.name
        );
        // An example that breaks its own document is reported, and still tried.
        let verdict = schemas.check(
            &example.method,
            &example.template,
            example.status,
            Some(&example.content_type),
            &bytes,
        );
        let conforms = !matches!(verdict, Verdict::Violates(..));
        if let Verdict::Violates(_, found) = verdict {
            off_schema.push(format!("{label}: {}", found.join("; ")));
        }
        match feed(example, bytes).await {
            Ok(()) => accepted += 1,
            Err(why) if conforms => failures.push(format!("{label}: {why}")),
            Err(why) => refused_off_schema.push(format!("{label}: {why}")),
        }
    }
    eprintln!(
        "openapi examples: {} found, {accepted} accepted, {} break their own document ({} of those refused)",
        examples.len(),
        off_schema.len(),
        refused_off_schema.len()
    );
    for line in &off_schema {
        eprintln!("  off-schema example: {line}");
    }
    for line in &refused_off_schema {
        eprintln!("  refused off-schema example: {line}");
    }
    assert!(
        examples.len() >= 40,
        "only {} examples found",
        examples.len()
    );
    assert!(
        failures.is_empty(),
        "examples the client does not accept:\n  {}",
        failures.join("\n  ")
    );
}

/// Bodies made here, each checked against its document first, for what the documents allow
/// and their examples do not show: empty lists, absent optional fields, a whole number where
/// a number is expected. (A number with a fraction part is no `integer` under the draft 4
/// rules of OpenAPI 3.0, so no such body conforms.)
const CONFORMING: &[(&str, &str, u16, &str)] = &[
    ("GET", "/v2/persons", 200, r#"{"_data": []}"#),
    (
        "GET",
        "/v2/persons",
        200,
        r#"{"_data": [{"id": "7"}], "_meta": {"links": {}}}"#,
    ),
    (
        "GET",
        "/v2/persons/{id}",
        200,
        r#"{"id": "7", "custom_attributes": [{"id": "dynamic_1"}]}"#,
    ),
    (
        "GET",
        "/v2/persons/{person_id}/employments",
        200,
        r#"{"_data": [{"id": "e1"}]}"#,
    ),
    (
        "GET",
        "/v2/persons/{person_id}/employments/{id}",
        200,
        r#"{"id": "e1", "weekly_working_hours": 40, "cost_centers": []}"#,
    ),
    (
        "GET",
        "/v2/persons",
        400,
        r#"{"errors": [{"title": "Bad filter"}]}"#,
    ),
    (
        "GET",
        "/v1/company/employees",
        200,
        r#"{"success": true, "data": []}"#,
    ),
    (
        "GET",
        "/v1/company/employees",
        200,
        r#"{"success": true, "data": [{"type": "Employee", "attributes": {}}], "metadata": {"total_elements": 1, "current_page": 0, "total_pages": 1}}"#,
    ),
    (
        "GET",
        "/v1/company/time-offs",
        200,
        r#"{"success": true, "data": []}"#,
    ),
];

#[tokio::test]
async fn bodies_the_documents_allow_are_accepted() {
    let Some(dir) = bridge_testkit::openapi_dir() else {
        return;
    };
    let schemas = Schemas::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    for (method, template, status, body) in CONFORMING {
        let content_type = if *status >= 400 {
            "application/problem+json"
        } else {
            "application/json"
        };
        let verdict = schemas.check(
            method,
            template,
            *status,
            Some(content_type),
            body.as_bytes(),
        );
        match verdict {
            Verdict::Conforms(_) => {}
            Verdict::Violates(_, found) => panic!("{method} {template} {body}: {found:?}"),
            Verdict::NotDescribed(why) => panic!("{method} {template} {body}: {why}"),
        }
        let example = Example {
            method: (*method).to_owned(),
            template: (*template).to_owned(),
            status: *status,
            content_type: content_type.to_owned(),
            name: "made here".to_owned(),
            body: serde_json::from_str(body).unwrap(),
        };
        if let Err(why) = feed(&example, body.as_bytes().to_vec()).await {
            failures.push(format!("{method} {template} {body}: {why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "not accepted:\n  {}",
        failures.join("\n  ")
    );
}

/// Serves `bytes` as the example's answer and has the client read it.
async fn feed(example: &Example, bytes: Vec<u8>) -> Result<(), String> {
    let server = MockServer::start().await;
    for (token_path, fixture) in [
        ("/v1/auth", "v1/auth.ok.json"),
        ("/v2/auth/token", "v2/token.ok.json"),
    ] {
        Mock::given(method("POST"))
            .and(path(token_path))
            .respond_with(ok(fixture))
            .mount(&server)
            .await;
    }
    let concrete = concrete(&example.template);
    let answer = ResponseTemplate::new(example.status).set_body_raw(bytes, &example.content_type);
    Mock::given(method(example.method.as_str()))
        .and(path(concrete.as_str()))
        .respond_with(answer)
        .with_priority(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let outcome = read(&client, example, &concrete).await;
    match (example.status, outcome) {
        (200..=299, Ok(())) => Ok(()),
        (200..=299, Err(error)) => Err(error.to_string()),
        (_, Ok(())) => Err("an error answer was read as a success".into()),
        (_, Err(error)) => understood(example, &error),
    }
}

/// An error answer is understood when the client names its kind from it and keeps its
/// message: not a decoding failure, not an unknown body.
fn understood(example: &Example, error: &Error) -> Result<(), String> {
    if error.kind() == ErrorKind::Decode {
        return Err(format!("not understood: {error}"));
    }
    let message = example
        .body
        .pointer("/error/message")
        .or_else(|| example.body.pointer("/errors/0/title"))
        .or_else(|| example.body.pointer("/error_description"))
        .and_then(Value::as_str);
    match (error.kind(), message) {
        // A 5xx is retried as transient whatever it says.
        (ErrorKind::NotFound | ErrorKind::Server, _) | (_, None) => Ok(()),
        (_, Some(message)) if error.to_string().contains(message) => Ok(()),
        (_, Some(message)) => Err(format!("{error} (lost the message {message:?})")),
    }
}

/// The template with every parameter filled.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|s| if s.starts_with('{') { "1" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads the answer the way the bridge does, into our wire types.
async fn read(client: &Client, example: &Example, concrete: &str) -> Result<(), Error> {
    let p = concrete;
    match (example.method.as_str(), example.template.as_str()) {
        ("POST", "/v1/auth") => client.authenticate_v1().await,
        ("POST", "/v2/auth/token") => client.authenticate().await.map(|_| ()),
        ("GET", "/v2/persons") => first_v2_page::<v2::Person>(client, p).await,
        ("GET", "/v2/persons/{person_id}/employments") => {
            first_v2_page::<v2::Employment>(client, p).await
        }
        ("GET", "/v2/persons/{id}") => decode::<v2::Person>(client, p).await,
        ("GET", "/v2/persons/{person_id}/employments/{id}") => {
            decode::<v2::Employment>(client, p).await
        }
        ("GET", "/v1/company/employees") => first_v1_page::<v1::Employee>(client, p).await,
        ("GET", "/v1/company/employees/{employee_id}") => {
            decode::<v1::Single<v1::Employee>>(client, p).await
        }
        ("GET", "/v1/company/employees/{employee_id}/absences/balance") => {
            decode::<v1::Single<Vec<v1::Balance>>>(client, p).await
        }
        ("GET", "/v1/company/employees/attributes") => {
            decode::<v1::Single<Vec<v1::AttributeDefinition>>>(client, p).await
        }
        ("GET", "/v1/company/attendances") => first_v1_page::<v1::Attendance>(client, p).await,
        ("GET", "/v1/company/attendances/projects") => {
            first_v1_page::<v1::Project>(client, p).await
        }
        ("GET", "/v1/company/time-off-types") => first_v1_page::<v1::TimeOffType>(client, p).await,
        ("GET", "/v1/company/time-offs") => first_v1_page::<v1::TimeOffPeriod>(client, p).await,
        ("GET", "/v1/company/time-offs/{id}") => {
            decode::<v1::Single<v1::TimeOffPeriod>>(client, p).await
        }
        ("GET", "/v1/company/absence-periods") => {
            first_v1_page::<v1::HourlyAbsencePeriod>(client, p).await
        }
        ("GET", "/v1/company/document-categories") => {
            first_v1_page::<v1::DocumentCategory>(client, p).await
        }
        ("GET", "/v1/company/custom-reports/reports")
        | ("GET", "/v1/company/custom-reports/reports/{report_id}") => {
            first_v1_page::<v1::Report>(client, p).await
        }
        ("GET", _) => decode::<Value>(client, p).await,
        ("POST", _) => client.post_json::<Value>(p, &Value::Null).await.map(|_| ()),
        ("PATCH", _) => client.patch_json(p, &Value::Null).await.map(|_| ()),
        ("DELETE", _) => client.delete(p).await.map(|_| ()),
        (other, _) => panic!("no reader for {other}"),
    }
}

async fn decode<T: DeserializeOwned>(client: &Client, path: &str) -> Result<(), Error> {
    client.get::<T>(path, &[]).await.map(|_| ())
}

/// The first page only: an example's `next` link leads nowhere.
async fn first_v2_page<T>(client: &Client, path: &str) -> Result<(), Error>
where
    T: DeserializeOwned + Send + 'static,
{
    let mut pages = Box::pin(client.pages_v2::<T>(path, Vec::new(), None));
    first(pages.next().await)
}

async fn first_v1_page<T>(client: &Client, path: &str) -> Result<(), Error>
where
    T: DeserializeOwned + Send + 'static,
{
    let mut pages = Box::pin(client.pages_v1::<T>(path, Vec::new(), 200, OffsetKind::Items, None));
    first(pages.next().await)
}

fn first<T>(page: Option<Result<Page<T>, Error>>) -> Result<(), Error> {
    match page {
        Some(page) => page.map(|_| ()),
        None => Ok(()),
    }
}
