//! No credential reads more than it was granted: every GET route of Personio's APIs answers
//! a credential with only one area exactly when the route belongs to that area, and no
//! route shows an employee attribute the credential may not read.

use bridge_testkit::{RunningSandbox, sandbox, spawn_sandbox};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{client, create_credential, get, v1_token, v2_token};

/// Every GET route of the v1 and v2 APIs (the recruiting API's static key and the public
/// XML feed are outside credentials), with the area it needs. `{}` is filled with an id
/// read from the listing named after the route.
const ROUTES: &[(&str, &str)] = &[
    ("/v1/company/employees", "employees"),
    ("/v1/company/employees/attributes", "employees"),
    ("/v1/company/employees/custom-attributes", "employees"),
    ("/v1/company/employees/{employee}", "employees"),
    (
        "/v1/company/employees/{employee}/profile-picture",
        "employees",
    ),
    (
        "/v1/company/employees/{employee}/absences/balance",
        "absences",
    ),
    ("/v1/company/time-off-types", "absences"),
    ("/v1/company/time-offs", "absences"),
    ("/v1/company/time-offs/{time_off}", "absences"),
    ("/v1/company/absence-periods", "absences"),
    (
        "/v1/company/absence-periods/{absence_period_v1}",
        "absences",
    ),
    ("/v1/company/attendances", "attendances"),
    ("/v1/company/attendances/{attendance_v1}", "attendances"),
    ("/v1/company/attendances/projects", "attendances"),
    ("/v1/company/document-categories", "documents"),
    ("/v1/company/documents?employee_id={employee}", "documents"),
    ("/v1/company/custom-reports/reports", "custom_reports"),
    ("/v1/company/custom-reports/columns", "custom_reports"),
    ("/v2/persons", "employees"),
    ("/v2/persons/{employee}", "employees"),
    ("/v2/persons/{employee}/employments", "employees"),
    ("/v2/legal-entities", "org_units"),
    ("/v2/legal-entities/{legal_entity}", "org_units"),
    ("/v2/org-units?type=department", "org_units"),
    ("/v2/org-units/{org_unit}?type=department", "org_units"),
    ("/v2/cost-centers", "org_units"),
    ("/v2/workplaces", "org_units"),
    ("/v2/absence-types", "absences"),
    ("/v2/absence-types/{absence_type}", "absences"),
    ("/v2/absence-periods", "absences"),
    ("/v2/absence-periods/{absence_period}", "absences"),
    (
        "/v2/absence-periods/{absence_period}/breakdowns",
        "absences",
    ),
    ("/v2/attendance-periods", "attendances"),
    ("/v2/attendance-periods/{attendance_period}", "attendances"),
    ("/v2/compensations", "compensations"),
    ("/v2/compensations/types", "compensations"),
    (
        "/v2/document-management/documents?owner_id={employee}",
        "documents",
    ),
    ("/v2/projects", "projects"),
    ("/v2/projects/{project}", "projects"),
    ("/v2/projects/{project}/members", "projects"),
    ("/v2/recruiting/applications", "recruiting"),
    ("/v2/recruiting/applications/{application}", "recruiting"),
    ("/v2/recruiting/candidates", "recruiting"),
    ("/v2/recruiting/candidates/{candidate}", "recruiting"),
    ("/v2/recruiting/jobs", "recruiting"),
    ("/v2/recruiting/jobs/{job}", "recruiting"),
    ("/v2/recruiting/categories", "recruiting"),
    ("/v2/reports", "custom_reports"),
    ("/v2/webhooks", "webhooks"),
];

const AREAS: &[&str] = &[
    "employees",
    "attendances",
    "absences",
    "custom_reports",
    "org_units",
    "documents",
    "compensations",
    "projects",
    "recruiting",
    "webhooks",
];

/// The ids the routes need, read with the full-access test credential: (placeholder, listing,
/// where the id is in its first element).
const IDS: &[(&str, &str)] = &[
    ("employee", "/v2/persons"),
    ("legal_entity", "/v2/legal-entities"),
    ("org_unit", "/v2/org-units?type=department"),
    ("absence_type", "/v2/absence-types"),
    ("absence_period", "/v2/absence-periods"),
    ("attendance_period", "/v2/attendance-periods"),
    ("project", "/v2/projects"),
    ("application", "/v2/recruiting/applications"),
    ("candidate", "/v2/recruiting/candidates"),
    ("job", "/v2/recruiting/jobs"),
    ("time_off", "/v1/company/time-offs"),
    ("absence_period_v1", "/v1/company/absence-periods"),
    ("attendance_v1", "/v1/company/attendances"),
];

/// The id of a listing's first element, wherever the API family keeps it.
fn first_id(body: &Value) -> Option<String> {
    let first = body
        .get("_data")
        .or_else(|| body.get("data"))
        .and_then(|d| d.get(0))?;
    let id = first
        .get("id")
        .or_else(|| first.pointer("/attributes/id"))?;
    let id = id.get("value").unwrap_or(id);
    match id {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Each route with its placeholders filled in. Routes Personio has retired (410 Gone even
/// with full access) or that take no GET (405) read nothing for anyone and are left out.
async fn concrete_routes(sb: &RunningSandbox) -> Vec<(String, &'static str)> {
    let (v1, v2) = (v1_token(sb).await, v2_token(sb).await);
    let token = |path: &str| {
        if path.starts_with("/v1") {
            v1.clone()
        } else {
            v2.clone()
        }
    };
    let mut ids = Vec::new();
    for (name, listing) in IDS {
        let (status, text) = get_text(sb, Some(&token(listing)), listing).await;
        if status == StatusCode::GONE {
            continue;
        }
        assert_eq!(status, StatusCode::OK, "{listing}: {text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        let id = first_id(&body).unwrap_or_else(|| panic!("no id in {listing}: {body}"));
        ids.push((format!("{{{name}}}"), id));
    }
    let mut routes = Vec::new();
    for (route, area) in ROUTES {
        let path = ids
            .iter()
            .fold(route.to_string(), |path, (key, id)| path.replace(key, id));
        let (status, text) = get_text(sb, Some(&token(&path)), &path).await;
        if [StatusCode::GONE, StatusCode::METHOD_NOT_ALLOWED].contains(&status) {
            continue;
        }
        assert_eq!(status, StatusCode::OK, "full access, GET {path}: {text}");
        routes.push((path, *area));
    }
    assert!(routes.len() > 35, "most routes are live: {routes:?}");
    routes
}

/// A token of each API family for a credential; `None` where Personio refuses to issue one
/// (no scope of that family granted).
async fn tokens(sb: &RunningSandbox, id: &str, secret: &str) -> (Option<String>, Option<String>) {
    let v1: Value = client()
        .post(sb.url("/v1/auth"))
        .json(&json!({ "client_id": id, "client_secret": secret }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let v2: Value = client()
        .post(sb.url("/v2/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        v1["data"]["token"].as_str().map(str::to_owned),
        v2["access_token"].as_str().map(str::to_owned),
    )
}

async fn get_text(sb: &RunningSandbox, token: Option<&str>, path: &str) -> (StatusCode, String) {
    // The recruiting routes of v2 are a beta that answers only when asked for.
    let mut request = client().get(sb.url(path)).header("Beta", "true");
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_credential_with_one_area_reads_exactly_that_areas_routes() {
    let sb = spawn_sandbox(sandbox(17, 25).history_days(30));
    let routes = concrete_routes(&sb).await;
    let mut wrong = Vec::new();
    for area in AREAS {
        let (id, secret) = create_credential(
            &sb,
            json!({"name": format!("only {area}"), "access": {*area: "read"}, "readable_attributes": "all"}),
        )
        .await;
        let (v1, v2) = tokens(&sb, &id, &secret).await;
        for (path, needs) in &routes {
            let token = if path.starts_with("/v1") { &v1 } else { &v2 };
            let (status, body) = get_text(&sb, token.as_deref(), path).await;
            let granted = area == needs;
            let answered = status.is_success();
            // Without a token of the family at all, the route cannot be read either.
            if granted != answered || (!answered && status.is_server_error()) {
                wrong.push(format!(
                    "{area}-only credential: GET {path} -> {status} {}",
                    body.chars().take(120).collect::<String>()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[tokio::test]
async fn no_route_shows_an_attribute_the_credential_may_not_read() {
    let sb = spawn_sandbox(sandbox(17, 25).history_days(30));
    let routes = concrete_routes(&sb).await;
    // Every employee's email, read with full access: a value the restricted credential must
    // never see, on any route.
    let v1 = v1_token(&sb).await;
    let (_, employees) = get(&sb, &v1, "/v1/company/employees?limit=100").await;
    let emails: Vec<String> = employees["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| {
            e.pointer("/attributes/email/value")?
                .as_str()
                .map(str::to_owned)
        })
        .filter(|email| !email.is_empty())
        .collect();
    assert!(emails.len() > 10, "{employees}");

    let all_areas: serde_json::Map<String, Value> = AREAS
        .iter()
        .map(|a| (a.to_string(), json!("read")))
        .collect();
    let (id, secret) = create_credential(
        &sb,
        json!({"name": "names only", "access": all_areas, "readable_attributes": ["first_name", "last_name"]}),
    )
    .await;
    let (v1, v2) = tokens(&sb, &id, &secret).await;
    let mut leaks = Vec::new();
    for (path, _) in &routes {
        let token = if path.starts_with("/v1") { &v1 } else { &v2 };
        let (status, body) = get_text(&sb, token.as_deref(), path).await;
        if let Some(email) = emails.iter().find(|e| body.contains(e.as_str())) {
            leaks.push(format!("GET {path} ({status}) shows {email}"));
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
}

#[tokio::test]
async fn issued_tokens_are_listed_for_the_admin_only() {
    let sb = spawn_sandbox(sandbox(17, 5).history_days(0));
    let (v1, v2) = (v1_token(&sb).await, v2_token(&sb).await);
    for token in [None, Some(v2.as_str())] {
        let (status, _) = get_text(&sb, token, "/_sandbox/tokens").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "token {token:?}");
    }
    let (status, text) = get_text(&sb, Some(bridge_testkit::ADMIN_TOKEN), "/_sandbox/tokens").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let listed: Value = serde_json::from_str(&text).unwrap();
    // The same credential and scopes get the same stable token from both endpoints.
    let mut issued = vec![v1];
    if !issued.contains(&v2) {
        issued.push(v2);
    }
    assert_eq!(listed, json!({ "tokens": issued }), "oldest first");
}
