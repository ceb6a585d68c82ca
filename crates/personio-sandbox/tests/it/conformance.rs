//! The sandbox against Personio's own published OpenAPI documents: every endpoint both
//! serve is requested (a few pages each, and the error answers the documents give), and
//! each answer's status, content type and body are validated against the document.
//!
//! The documents are read from `PERSONIO_OPENAPI_DIR` or `../shared/personio-openapi` (see
//! `bridge_testkit::openapi_dir`); they are Personio's text and are not in this repository.
//! Where a document is wrong about what Personio sends, the correction is a named exception
//! with its evidence in `personio_sandbox::schemas::exceptions`; everything else is strict.

use std::collections::{BTreeMap, BTreeSet};

use bridge_testkit::{CLIENT_ID, CLIENT_SECRET, RunningSandbox, spawn_sandbox};
use personio_sandbox::schemas::exceptions::EXCEPTIONS;
use personio_sandbox::schemas::{Schemas, Verdict};
use reqwest::Method;
use serde_json::{Value, json};

/// Documented operations this test does not request, each with why.
const NOT_REQUESTED: &[(&str, &str, &str)] = &[(
    "POST",
    "/v1/company/documents",
    "a multipart upload; its answers are covered by the documents tests",
)];

enum Payload {
    None,
    Json(Value),
    Form(Vec<(&'static str, String)>),
}

/// Sends requests and checks every answer against the documents.
struct Conformance {
    schemas: Schemas,
    sb: RunningSandbox,
    http: reqwest::Client,
    /// `(method, template)` → statuses answered and validated.
    covered: BTreeMap<(String, String), BTreeSet<u16>>,
    validated: usize,
    undocumented: Vec<String>,
    violations: Vec<String>,
}

impl Conformance {
    async fn call(
        &mut self,
        method: Method,
        path: &str,
        token: Option<&str>,
        payload: Payload,
    ) -> (u16, Value) {
        let mut request = self.http.request(method.clone(), self.sb.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request = match payload {
            Payload::None => request,
            Payload::Json(body) => request.json(&body),
            Payload::Form(pairs) => request.form(&pairs),
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = response.bytes().await.unwrap();
        let bare = path.split('?').next().unwrap();
        match self.schemas.check(
            method.as_str(),
            bare,
            status,
            content_type.as_deref(),
            &bytes,
        ) {
            Verdict::Conforms(op) => {
                self.validated += 1;
                self.covered
                    .entry((op.method.clone(), op.path.clone()))
                    .or_default()
                    .insert(status);
            }
            Verdict::NotDescribed(why) => self.undocumented.push(format!("{method} {path}: {why}")),
            Verdict::Violates(op, found) => {
                let found = distinct(&found);
                self.covered
                    .entry((op.method.clone(), op.path.clone()))
                    .or_default()
                    .insert(status);
                self.violations.push(format!(
                    "{method} {path} → {status} {} ({}):\n      {}",
                    content_type.as_deref().unwrap_or("no content type"),
                    op.document,
                    found.join("\n      ")
                ));
            }
        }
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, body)
    }

    async fn get(&mut self, token: &str, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, Some(token), Payload::None)
            .await
    }

    /// Follows v2 `next` links for up to `pages` pages.
    async fn v2_pages(&mut self, token: &str, first: &str, pages: usize) -> Vec<Value> {
        let mut items = Vec::new();
        let mut next = Some(first.to_owned());
        for _ in 0..pages {
            let Some(path) = next.take() else { break };
            let (status, body) = self.get(token, &path).await;
            assert_eq!(status, 200, "{path}: {body}");
            items.extend(body["_data"].as_array().cloned().unwrap_or_default());
            next = body["_meta"]["links"]["next"]["href"]
                .as_str()
                .map(|href| href.trim_start_matches(&self.sb.base_url).to_owned());
        }
        items
    }

    /// Reads v1 offset pages (`offset` counts pages on time-offs, items elsewhere).
    async fn v1_pages(
        &mut self,
        token: &str,
        path: &str,
        limit: usize,
        pages: usize,
    ) -> Vec<Value> {
        let mut items = Vec::new();
        let joiner = if path.contains('?') { '&' } else { '?' };
        for page in 0..pages {
            let offset = if path.contains("time-offs") {
                page
            } else {
                page * limit
            };
            let url = format!("{path}{joiner}limit={limit}&offset={offset}");
            let (status, body) = self.get(token, &url).await;
            assert_eq!(status, 200, "{url}: {body}");
            let data = body["data"].as_array().cloned().unwrap_or_default();
            let done = data.len() < limit;
            items.extend(data);
            if done {
                break;
            }
        }
        items
    }
}

/// Violations with array indices folded (`/_data/*/email`), each once with its count.
fn distinct(found: &[String]) -> Vec<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for line in found {
        let (at, message) = line.split_once(": ").unwrap_or((line, ""));
        let folded: Vec<&str> = at
            .split('/')
            .map(|s| if s.parse::<usize>().is_ok() { "*" } else { s })
            .collect();
        *counts
            .entry(format!("{}: {message}", folded.join("/")))
            .or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(line, n)| {
            if n > 1 {
                format!("{line} (×{n})")
            } else {
                line
            }
        })
        .collect()
}

#[tokio::test]
async fn the_sandbox_answers_as_personios_documents_describe() {
    let Some(dir) = bridge_testkit::openapi_dir() else {
        return;
    };
    let schemas = Schemas::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    let sb = spawn_sandbox(bridge_testkit::sandbox(24, 60).legacy_v1(true));
    let mut run = Conformance {
        schemas,
        sb,
        http: reqwest::Client::new(),
        covered: BTreeMap::new(),
        validated: 0,
        undocumented: Vec::new(),
        violations: Vec::new(),
    };

    auth(&mut run).await;
    let v2 = crate::v2_token(&run.sb).await;
    persons_and_employments(&mut run, &v2).await;
    let v1 = crate::v1_token(&run.sb).await;
    v1_employees(&mut run, &v1).await;
    v1_time(&mut run, &v1).await;
    v1_attendances(&mut run, &v1).await;
    v1_reports_and_documents(&mut run, &v1).await;

    let operations: Vec<(String, String)> = run
        .schemas
        .operations()
        .iter()
        .map(|op| (op.method.clone(), op.path.clone()))
        .collect();
    let missing: Vec<String> = operations
        .iter()
        .filter(|key| !run.covered.contains_key(*key))
        .filter(|(m, p)| !NOT_REQUESTED.iter().any(|(nm, np, _)| nm == m && np == p))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    let statuses: usize = run.covered.values().map(BTreeSet::len).sum();
    eprintln!(
        "conformance against {}: {} documented operations, {} requested ({} operation statuses), {} answers validated, {} answers the documents do not describe, {} exceptions applied",
        run.schemas.dir().display(),
        operations.len(),
        run.covered.len(),
        statuses,
        run.validated,
        run.undocumented.len(),
        EXCEPTIONS.len()
    );
    for line in &run.undocumented {
        eprintln!("  not described: {line}");
    }
    for exception in EXCEPTIONS {
        eprintln!("  exception {}: {}", exception.name, exception.evidence);
    }
    assert!(
        run.violations.is_empty(),
        "{} answers do not conform to Personio's documents:\n  {}",
        run.violations.len(),
        run.violations.join("\n  ")
    );
    assert!(
        missing.is_empty(),
        "documented operations never requested: {missing:?}"
    );
}

async fn auth(run: &mut Conformance) {
    let form = |pairs: &[(&'static str, &str)]| {
        Payload::Form(pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect())
    };
    let ok = json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET});
    let (status, _) = run
        .call(Method::POST, "/v1/auth", None, Payload::Json(ok))
        .await;
    assert_eq!(status, 200);
    let (status, token) = run
        .call(
            Method::POST,
            "/v2/auth/token",
            None,
            form(&[
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
            ]),
        )
        .await;
    assert_eq!(status, 200);
    // The token endpoint's documented 400s.
    let bad_requests = [
        form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
        ]),
        form(&[
            ("grant_type", "password"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ]),
        form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", "wrong"),
        ]),
        form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("scope", "personio:nothing:read"),
        ]),
        Payload::Json(json!({"grant_type": "client_credentials"})),
    ];
    for payload in bad_requests {
        let (status, body) = run
            .call(Method::POST, "/v2/auth/token", None, payload)
            .await;
        assert_eq!(status, 400, "{body}");
    }
    let access = token["access_token"].as_str().unwrap().to_owned();
    let (status, _) = run
        .call(
            Method::POST,
            "/v2/auth/revoke",
            None,
            form(&[("token", &access)]),
        )
        .await;
    assert_eq!(status, 200);
}

async fn persons_and_employments(run: &mut Conformance, token: &str) {
    let persons = run.v2_pages(token, "/v2/persons?limit=7", 4).await;
    assert!(persons.len() >= 20);
    run.v2_pages(token, "/v2/persons?status=ACTIVE&limit=50", 2)
        .await;
    let email = persons[3]["email"].as_str().unwrap().to_owned();
    run.v2_pages(token, &format!("/v2/persons?email={email}"), 1)
        .await;
    for bad in [
        "/v2/persons?limit=abc",
        "/v2/persons?created_at.gt=yesterday",
        "/v2/persons?status=SLEEPING",
    ] {
        let (status, body) = run.get(token, bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let ids: Vec<String> = persons
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    for id in ids.iter().take(3) {
        let (status, _) = run.get(token, &format!("/v2/persons/{id}")).await;
        assert_eq!(status, 200);
    }
    let (status, _) = run.get(token, "/v2/persons/99999999").await;
    assert_eq!(status, 404);

    // Employments of people in every state the generator makes: the first pages hold
    // the long-standing, the last the newest and the departed.
    let mut sample: Vec<&String> = ids.iter().take(6).collect();
    sample.extend(ids.iter().rev().take(6));
    for id in sample {
        let employments = run
            .v2_pages(token, &format!("/v2/persons/{id}/employments?limit=1"), 2)
            .await;
        let employment = employments[0]["id"].as_str().unwrap().to_owned();
        let path = format!("/v2/persons/{id}/employments/{employment}");
        let (status, _) = run.get(token, &path).await;
        assert_eq!(status, 200);
    }
    let id = &ids[0];
    let (status, _) = run.get(token, "/v2/persons/99999999/employments").await;
    assert_eq!(status, 404);
    let (status, _) = run
        .get(
            token,
            &format!("/v2/persons/{id}/employments?updated_at.gt=soon"),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = run
        .get(
            token,
            &format!("/v2/persons/{id}/employments/00000000-0000-4000-8000-000000000000"),
        )
        .await;
    assert_eq!(status, 404);
}

async fn v1_employees(run: &mut Conformance, token: &str) {
    let employees = run.v1_pages(token, "/v1/company/employees", 20, 4).await;
    assert_eq!(employees.len(), 60);
    let id = employees[1]["attributes"]["id"]["value"].as_i64().unwrap();
    for path in [
        format!("/v1/company/employees/{id}"),
        format!("/v1/company/employees/{id}/absences/balance"),
        "/v1/company/employees/attributes".to_owned(),
        "/v1/company/employees/custom-attributes".to_owned(),
        format!("/v1/company/employees/{id}/profile-picture/120"),
    ] {
        let (status, body) = run.get(token, &path).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    for path in [
        "/v1/company/employees/99999999",
        "/v1/company/employees/99999999/absences/balance",
        "/v1/company/employees/99999999/profile-picture/120",
    ] {
        let (status, _) = run.get(token, path).await;
        assert_eq!(status, 404, "{path}");
    }
    let create = json!({"employee": {"email": "conformance@example.com", "first_name": "Con", "last_name": "Formance"}});
    let (status, body) = run
        .call(
            Method::POST,
            "/v1/company/employees",
            Some(token),
            Payload::Json(create.clone()),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = run
        .call(
            Method::POST,
            "/v1/company/employees",
            Some(token),
            Payload::Json(create),
        )
        .await;
    assert_eq!(status, 422, "the e-mail is taken");
    let path = format!("/v1/company/employees/{id}");
    let (status, _) = run
        .call(
            Method::PATCH,
            &path,
            Some(token),
            Payload::Json(json!({"employee": {"position": "Conformance tester"}})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = run
        .call(
            Method::PATCH,
            &path,
            Some(token),
            Payload::Json(json!({"employee": {"supervisor_id": 1}})),
        )
        .await;
    assert_eq!(status, 422);
}

async fn v1_time(run: &mut Conformance, token: &str) {
    let (_, types) = run.get(token, "/v1/company/time-off-types").await;
    let type_named = |name: &str| {
        types["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["attributes"]["name"] == name)
            .unwrap()["attributes"]["id"]
            .to_string()
    };
    let (vacation, training) = (type_named("Paid vacation"), type_named("Training"));
    let window = "start_date=2025-11-01&end_date=2026-12-31";
    let offs = run
        .v1_pages(token, &format!("/v1/company/time-offs?{window}"), 25, 3)
        .await;
    let id = offs[0]["attributes"]["id"].as_i64().unwrap();
    let (status, _) = run.get(token, &format!("/v1/company/time-offs/{id}")).await;
    assert_eq!(status, 200);
    let (status, _) = run.get(token, "/v1/company/time-offs/999999999").await;
    assert_eq!(status, 404);
    run.v1_pages(
        token,
        &format!("/v1/company/absence-periods?{window}"),
        25,
        3,
    )
    .await;
    let unknown_type = "absence_types[]=00000000-0000-4000-8000-000000000000";
    let (status, body) = run
        .get(
            token,
            &format!("/v1/company/absence-periods?{unknown_type}"),
        )
        .await;
    assert_eq!(status, 404, "{body}");

    let (_, employees) = run.get(token, "/v1/company/employees?limit=1").await;
    let employee = employees["data"][0]["attributes"]["id"]["value"].to_string();
    let time_off = |kind: &str, day: &str| {
        Payload::Form(vec![
            ("employee_id", employee.clone()),
            ("time_off_type_id", kind.to_owned()),
            ("start_date", day.to_owned()),
            ("end_date", day.to_owned()),
            ("half_day_start", "false".to_owned()),
            ("half_day_end", "false".to_owned()),
        ])
    };
    let (status, created) = run
        .call(
            Method::POST,
            "/v1/company/time-offs",
            Some(token),
            time_off(&vacation, "2027-09-14"),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    for (payload, expected) in [
        (time_off(&vacation, "2027-09-14"), 400),
        (time_off("999", "2027-01-20"), 404),
        (Payload::Form(vec![("employee_id", employee.clone())]), 422),
    ] {
        let (status, body) = run
            .call(Method::POST, "/v1/company/time-offs", Some(token), payload)
            .await;
        assert_eq!(status, expected, "{body}");
    }
    let path = format!(
        "/v1/company/time-offs/{}",
        created["data"]["attributes"]["id"]
    );
    let (status, _) = run
        .call(Method::DELETE, &path, Some(token), Payload::None)
        .await;
    assert_eq!(status, 200);
    let (status, _) = run
        .call(Method::DELETE, &path, Some(token), Payload::None)
        .await;
    assert_eq!(status, 404);

    let period = |kind: &str| {
        Payload::Form(vec![
            ("employee_id", employee.clone()),
            ("time_off_type_id", kind.to_owned()),
            ("start_date", "2027-03-16".to_owned()),
            ("end_date", "2027-03-16".to_owned()),
            ("start_time", "13:00".to_owned()),
            ("end_time", "15:00".to_owned()),
        ])
    };
    let (status, created) = run
        .call(
            Method::POST,
            "/v1/company/absence-periods",
            Some(token),
            period(&training),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (status, _) = run
        .call(
            Method::POST,
            "/v1/company/absence-periods",
            Some(token),
            period("999"),
        )
        .await;
    assert_eq!(status, 404);
    let path = format!(
        "/v1/company/absence-periods/{}",
        created["data"][0]["attributes"]["id"].as_str().unwrap()
    );
    let (status, _) = run
        .call(Method::DELETE, &path, Some(token), Payload::None)
        .await;
    assert_eq!(status, 200);
    let (status, _) = run
        .call(Method::DELETE, &path, Some(token), Payload::None)
        .await;
    assert_eq!(status, 404);
}

async fn v1_attendances(run: &mut Conformance, token: &str) {
    let window = "start_date=2026-10-01&end_date=2026-11-01";
    let rows = run
        .v1_pages(token, &format!("/v1/company/attendances?{window}"), 50, 3)
        .await;
    let employee = rows[0]["attributes"]["employee"].as_i64().unwrap();
    let day = json!({"attendances": [{"employee": employee, "date": "2027-02-01", "start_time": "09:00", "end_time": "17:00", "break": 30}]});
    let (status, created) = run
        .call(
            Method::POST,
            "/v1/company/attendances",
            Some(token),
            Payload::Json(day.clone()),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let (status, _) = run
        .call(
            Method::POST,
            "/v1/company/attendances",
            Some(token),
            Payload::Json(day),
        )
        .await;
    assert_eq!(status, 400, "overlapping");
    let path = format!("/v1/company/attendances/{}", created["data"]["id"][0]);
    let (status, _) = run
        .call(
            Method::PATCH,
            &path,
            Some(token),
            Payload::Json(json!({"comment": "Checked"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = run
        .call(Method::DELETE, &path, Some(token), Payload::None)
        .await;
    assert_eq!(status, 200);
    let missing = "/v1/company/attendances/999999999";
    for (method, payload) in [
        (Method::PATCH, Payload::Json(json!({"comment": "Checked"}))),
        (Method::DELETE, Payload::None),
    ] {
        let (status, body) = run.call(method, missing, Some(token), payload).await;
        assert_eq!(status, 404, "{body}");
    }

    let (status, _) = run.get(token, "/v1/company/attendances/projects").await;
    assert_eq!(status, 200);
    let projects = "/v1/company/attendances/projects";
    let (status, created) = run
        .call(
            Method::POST,
            projects,
            Some(token),
            Payload::Json(json!({"name": "Audit"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = run
        .call(
            Method::POST,
            projects,
            Some(token),
            Payload::Json(json!({"name": ""})),
        )
        .await;
    assert_eq!(status, 400);
    let path = format!("{projects}/{}", created["data"]["id"]);
    for (body, expected) in [
        (json!({"active": true}), 200),
        (json!({"active": "yes"}), 400),
    ] {
        let (status, _) = run
            .call(Method::PATCH, &path, Some(token), Payload::Json(body))
            .await;
        assert_eq!(status, expected);
    }
    let (status, _) = run
        .call(Method::DELETE, &path, Some(token), Payload::None)
        .await;
    assert_eq!(status, 204);
    for method in [Method::PATCH, Method::DELETE] {
        let payload = Payload::Json(json!({"active": true}));
        let (status, _) = run.call(method, &path, Some(token), payload).await;
        assert_eq!(status, 404);
    }
}

async fn v1_reports_and_documents(run: &mut Conformance, token: &str) {
    let (status, _) = run.get(token, "/v1/company/document-categories").await;
    assert_eq!(status, 200);
    let (status, reports) = run.get(token, "/v1/company/custom-reports/reports").await;
    assert_eq!(status, 200);
    let (status, _) = run.get(token, "/v1/company/custom-reports/columns").await;
    assert_eq!(status, 200);
    let ids: Vec<String> = reports["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["id"]
                .as_str()
                .or(r["attributes"]["id"].as_str())
                .unwrap()
                .to_owned()
        })
        .collect();
    for id in ids {
        let (status, body) = run
            .get(
                token,
                &format!("/v1/company/custom-reports/reports/{id}?limit=20"),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, _) = run
        .get(
            token,
            "/v1/company/custom-reports/reports/00000000-0000-4000-8000-000000000000",
        )
        .await;
    assert_eq!(status, 404);
}
