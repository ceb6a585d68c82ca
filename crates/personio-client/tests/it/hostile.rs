//! Hostile input: Personio's documented bodies, mutated (wrong types, missing fields, huge
//! strings, deep nesting, numbers out of range, bytes that are not UTF-8), fed to the wire
//! types and, through wiremock, to the client's real decode path: an error, never a panic,
//! never a hang. `PROPTEST_CASES` raises the count (default 48 here, to keep CI short).

use std::time::Duration;

use personio_api::{v1, v2};
use proptest::prelude::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use bridge_testkit::hostile::{mutate, mutation};

use crate::harness::{all_pages, client, fixture, ok};

/// Longest a mutated answer may keep the client busy before it counts as a hang.
const HANG: Duration = Duration::from_secs(60);

/// The bodies under attack: (fixture, the route the client reads it from).
const BODIES: &[(&str, &str)] = &[
    ("v2/persons.page.json", "/v2/persons"),
    ("v2/cost-centers.page.json", "/v2/cost-centers"),
    ("v1/employees.list.json", "/v1/company/employees"),
    (
        "v1/employees.attributes.json",
        "/v1/company/employees/attributes",
    ),
    ("v2/token.ok.json", "/v2/auth/token"),
];

/// Every wire type the body could be read as: each must answer Ok or Err.
fn parse_as_wire_types(body: &[u8]) {
    let _ = serde_json::from_slice::<v2::Page<v2::Person>>(body);
    let _ = serde_json::from_slice::<v2::Page<v2::CostCenter>>(body);
    let _ = serde_json::from_slice::<v2::Page<v2::Employment>>(body);
    let _ = serde_json::from_slice::<v1::List<v1::Employee>>(body);
    let _ = serde_json::from_slice::<v1::Single<v1::Employee>>(body);
    let _ = serde_json::from_slice::<Vec<v1::AttributeDefinition>>(body);
    let _ = serde_json::from_slice::<personio_api::auth::TokenResponse>(body);
}

/// Serves `body` on `route` (and valid tokens) and reads it with the client.
async fn read_with_client(route: &str, body: Vec<u8>) -> Result<(), String> {
    let server = MockServer::start().await;
    for (auth, fixture) in [
        ("/v2/auth/token", "v2/token.ok.json"),
        ("/v1/auth", "v1/auth.ok.json"),
    ] {
        if auth != route {
            Mock::given(method("POST"))
                .and(path(auth))
                .respond_with(ok(fixture))
                .mount(&server)
                .await;
        }
    }
    Mock::given(path(route))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let read = async {
        let outcome = match route {
            "/v2/persons" => all_pages(client.persons(Vec::new())).await.map(drop),
            "/v2/cost-centers" => all_pages(client.cost_centers()).await.map(drop),
            "/v1/company/employees" => all_pages(client.employees_v1(None)).await.map(drop),
            "/v1/company/employees/attributes" => client.employee_attributes().await.map(drop),
            _ => client.authenticate().await.map(drop),
        };
        outcome.map_err(|e| e.to_string())
    };
    match tokio::time::timeout(HANG, read).await {
        Ok(_) => Ok(()),
        Err(_) => Err(format!(
            "{route}: the client was still reading after {HANG:?}"
        )),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48),
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_documented_bodies_give_errors_never_panics_or_hangs(
        which in 0..BODIES.len(),
        node in any::<usize>(),
        mutation in mutation(),
    ) {
        let (name, route) = BODIES[which];
        let body = mutate(&fixture(name), node, &mutation);
        parse_as_wire_types(&body);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let verdict = runtime.block_on(read_with_client(route, body));
        prop_assert!(verdict.is_ok(), "{}", verdict.unwrap_err());
    }
}
