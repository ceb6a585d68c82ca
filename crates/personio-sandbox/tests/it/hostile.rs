//! Hostile request bodies: documented bodies mutated (wrong types, missing fields, huge
//! strings, deep nesting, numbers out of range, bytes that are not UTF-8, cut short) and sent
//! to every route that reads a body get an answer in the API family's envelope, never a 500
//! and never a dropped connection. `PROPTEST_CASES` raises the count (default 48).

use std::sync::OnceLock;

use bridge_testkit::hostile::{mutate, mutation};
use bridge_testkit::{
    ADMIN_TOKEN, COMPANY_ID, RECRUITING_TOKEN, RunningSandbox, sandbox, spawn_sandbox,
};
use proptest::prelude::*;
use serde_json::json;

use crate::FIXTURES;

/// Bodies to start from: documented ones, and our own valid examples of the writes.
fn seeds() -> Vec<Vec<u8>> {
    let fixture = |name: &str| {
        std::fs::read(format!("{FIXTURES}/tests/fixtures/{name}")).expect("the fixture exists")
    };
    let own = [
        json!({"person": {"id": "1"}, "start": {"date_time": "2026-10-01T09:00:00"}, "end": {"date_time": "2026-10-01T17:00:00"}, "type": "WORK"}),
        json!({"person": {"id": "1"}, "absence_type": {"id": "1"}, "starts_from": {"date_time": "2026-10-01T00:00:00", "type": "FIRST_HALF"}, "ends_at": {"date_time": "2026-10-02T00:00:00", "type": "SECOND_HALF"}}),
        json!({"url": "https://example.com/hook", "enabled_events": ["person.created"], "auth_type": "NONE"}),
        json!({"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}),
        json!({"name": "integration", "access": {"employees": "read"}, "readable_attributes": ["first_name"]}),
        json!({"employee_id": 1, "time_off_type_id": 1, "start_date": "2026-10-01", "end_date": "2026-10-02", "half_day_start": false, "half_day_end": false}),
    ];
    let mut seeds: Vec<Vec<u8>> = own
        .iter()
        .map(|v| serde_json::to_vec(v).expect("JSON"))
        .collect();
    seeds.push(fixture("recruiting/application.request.json"));
    seeds.push(fixture("v2/person.minimal.json"));
    seeds
}

/// Routes that read a body: (method, path, who may call it).
const ROUTES: &[(&str, &str, Caller)] = &[
    ("POST", "/v2/attendance-periods", Caller::V2),
    ("POST", "/v2/absence-periods", Caller::V2),
    ("PATCH", "/v2/persons/1", Caller::V2),
    ("POST", "/v2/persons", Caller::V2),
    ("POST", "/v2/webhooks", Caller::V2),
    ("POST", "/v2/projects", Caller::V2),
    ("POST", "/v2/auth/token", Caller::Nobody),
    ("POST", "/v1/auth", Caller::Nobody),
    ("POST", "/v1/company/time-offs", Caller::V1),
    ("POST", "/v1/company/employees", Caller::V1),
    ("PATCH", "/v1/company/employees/1", Caller::V1),
    ("POST", "/v1/company/attendances/projects", Caller::V1),
    ("POST", "/v1/recruiting/applications", Caller::Recruiting),
    ("POST", "/_sandbox/credentials", Caller::Admin),
];

#[derive(Debug, Clone, Copy)]
enum Caller {
    Nobody,
    V1,
    V2,
    Recruiting,
    Admin,
}

struct Target {
    sandbox: RunningSandbox,
    v1: String,
    v2: String,
}

/// One sandbox for every case, with tokens of both API families.
fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        let sandbox = spawn_sandbox(sandbox(3, 20).history_days(10));
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        let (v1, v2) = runtime.block_on(async {
            (
                crate::v1_token(&sandbox).await,
                crate::v2_token(&sandbox).await,
            )
        });
        Target { sandbox, v1, v2 }
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48),
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_request_bodies_are_refused_in_the_envelope_never_with_a_500(
        route in 0..ROUTES.len(),
        seed in any::<prop::sample::Index>(),
        node in any::<usize>(),
        mutation in mutation(),
    ) {
        let target = target();
        let seeds = seeds();
        let body = mutate(&seeds[seed.index(seeds.len())], node, &mutation);
        let (verb, path, caller) = ROUTES[route];
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let answer = runtime.block_on(async {
            let mut request = reqwest::Client::new()
                .request(verb.parse().unwrap(), target.sandbox.url(path))
                .header("content-type", "application/json")
                .header("Beta", "true")
                .body(body);
            request = match caller {
                Caller::Nobody => request,
                Caller::V1 => request.bearer_auth(&target.v1),
                Caller::V2 => request.bearer_auth(&target.v2),
                Caller::Recruiting => request
                    .bearer_auth(RECRUITING_TOKEN)
                    .header("X-Company-ID", COMPANY_ID.to_string()),
                Caller::Admin => request.bearer_auth(ADMIN_TOKEN),
            };
            let response = request.send().await.map_err(|e| e.to_string())?;
            let status = response.status();
            let text = response.text().await.map_err(|e| e.to_string())?;
            Ok::<_, String>((status, text))
        });
        let (status, text) = answer.map_err(|e| TestCaseError::fail(format!("{verb} {path}: no answer: {e}")))?;
        prop_assert!(!status.is_server_error(), "{verb} {path} -> {status}: {text}");
        prop_assert!(
            text.is_empty() || serde_json::from_str::<serde_json::Value>(&text).is_ok(),
            "{verb} {path} -> {status}: not JSON: {text}"
        );
    }
}
