//! The wire contract: every body transcribed from Personio's documentation deserializes
//! into our types, and writing it back keeps every key and JSON type.
#![allow(clippy::unwrap_used, unreachable_pub)]

use bridge_testkit::{assert_same_shape, fixture};
use personio_api::auth::{OAuthError, TokenResponse, V1AuthData};
use personio_api::error::{ProblemBody, V1ErrorBody};
use personio_api::v1::{self, AttributeDefinition, Balance, Employee, Single};
use personio_api::v2::{self, Created, Employment, OrgUnit, Person};
use serde::Serialize;
use serde::de::DeserializeOwned;

mod records;

const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Reads the fixture as `T`, writes it back, and checks both directions of the shape.
pub(crate) fn round_trip<T: DeserializeOwned + Serialize>(name: &str) -> T {
    let original = fixture(DIR, name);
    let typed: T =
        serde_json::from_value(original.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let written = serde_json::to_value(&typed).unwrap();
    assert_same_shape(&written, &original, false);
    assert_same_shape(&original, &written, false);
    typed
}

#[test]
fn v1_bodies_round_trip() {
    let auth: Single<V1AuthData> = round_trip("v1/auth.ok.json");
    assert!(auth.data.token.starts_with("papi-"));
    let list: v1::List<Employee> = round_trip("v1/employees.list.json");
    let employee = &list.data[0];
    assert_eq!(employee.id().map(|id| id.0), Some(1));
    assert_eq!(employee.text("weekly_working_hours").as_deref(), Some("40"));
    let department = employee.embedded::<v1::NamedRef>("department").unwrap();
    assert_eq!(department.attributes.name, "Customer Support");
    let shares = employee.embedded_list::<v1::CostCenterShare>("cost_centers");
    assert_eq!(shares[0].attributes.percentage, 100.0);
    round_trip::<Single<Vec<AttributeDefinition>>>("v1/employees.attributes.json");
    round_trip::<Single<Vec<Balance>>>("v1/employees.balance.json");
    round_trip::<Single<v1::Created>>("v1/employees.created.json");
}

#[test]
fn v1_error_bodies_round_trip() {
    for name in [
        "v1/error.401.json",
        "v1/error.403.json",
        "v1/error.403-area.json",
        "v1/error.404-employee.json",
        "v1/error.422.json",
        "v1/auth.wrong-credentials.json",
        "v1/error.500.json",
        "v1/error.429.json",
    ] {
        let body: V1ErrorBody = round_trip(name);
        assert!(!body.success, "{name}");
    }
}

#[test]
fn v2_bodies_round_trip() {
    round_trip::<TokenResponse>("v2/token.ok.json");
    let oauth: OAuthError = round_trip("v2/oauth.invalid_client.json");
    assert_eq!(oauth.error, "invalid_client");
    let page: v2::Page<Person> = round_trip("v2/persons.page.json");
    assert!(page.next_href().unwrap().contains("cursor="));
    assert_eq!(page.data[0].employee_id().map(|id| id.0), Some(12_345_678));
    let minimal: Person = round_trip("v2/person.minimal.json");
    assert!(
        minimal.first_name.is_none(),
        "fields the credential may not read are absent"
    );
    let employments: v2::Page<Employment> = round_trip("v2/employments.page.json");
    let employment = &employments.data[0];
    assert_eq!(
        employment.employment_end_date,
        Some(None),
        "readable but empty is null, not absent"
    );
    assert_eq!(
        employment
            .supervisor
            .clone()
            .flatten()
            .map(|s| s.id)
            .as_deref(),
        Some("87654321")
    );
    let unit: OrgUnit = round_trip("v2/org-unit.json");
    assert_eq!(unit.parent_chain.unwrap()[0].parent_id, Some(None));
    round_trip::<v2::Page<v2::LegalEntity>>("v2/legal-entities.page.json");
    round_trip::<v2::Page<v2::CostCenter>>("v2/cost-centers.page.json");
    round_trip::<v2::Page<v2::Workplace>>("v2/workplaces.page.json");
    round_trip::<Created>("v2/created.json");
}

#[test]
fn v2_problem_bodies_round_trip() {
    for name in [
        "v2/problem.403.json",
        "v2/problem.404-resource.json",
        "v2/problem.404-route.json",
        "v2/problem.400.json",
        "v2/problem.500.json",
        "v2/problem.503.json",
        "v2/problem.429.json",
    ] {
        let body: ProblemBody = round_trip(name);
        assert!(body.title().is_some(), "{name}");
    }
}

#[test]
fn webhook_bodies_round_trip() {
    let webhook: v2::Webhook = round_trip("v2/webhook.json");
    assert_eq!(webhook.status, "DISABLED");
    assert!(webhook.custom_headers.is_none(), "headers only with CUSTOM");
    let custom: v2::Webhook = round_trip("v2/webhook.custom-headers.json");
    let headers = custom.custom_headers.unwrap();
    assert_eq!(
        headers.keys().collect::<Vec<_>>(),
        ["X-My-Auth", "X-Tenant"],
        "header order is kept"
    );
    let page: v2::Page<v2::Webhook> = round_trip("v2/webhooks.page.json");
    assert!(page.data[0].token.is_none());
    let delivery: v2::WebhookDelivery = round_trip("v2/webhook.delivery.json");
    assert!(v2::webhook_event::SUBSCRIBABLE.contains(&delivery.event_name.as_str()));
    assert!(
        delivery.payload["id"].is_string(),
        "payloads carry identifiers only"
    );
}

#[test]
fn readers_tolerate_what_personio_sometimes_sends() {
    // Empty org values as "" or [], `type` missing, offset/limit as strings (personio-api.md §2.1–2.2).
    let body = r#"{"success":true,"offset":"0","limit":"200","data":[{"type":"Employee","attributes":{
        "id":{"label":"ID","value":"17"},"department":{"label":"Department","value":""},
        "cost_centers":{"label":"Cost center","value":[]},"unknown_field":{"value":1}}}]}"#;
    let list: v1::List<Employee> = serde_json::from_str(body).unwrap();
    assert_eq!(list.limit.unwrap().value(), Some(200));
    let e = &list.data[0];
    assert_eq!(e.id().map(|id| id.0), Some(17));
    assert!(e.embedded::<v1::NamedRef>("department").is_none());
    assert!(
        e.embedded_list::<v1::CostCenterShare>("cost_centers")
            .is_empty()
    );
}

#[test]
fn paging_bodies_round_trip() {
    // v1 offset paging across two pages: the second page is short, and the offsets and
    // totals agree (personio-api.md §2.1).
    let first: v1::List<Employee> = round_trip("v1/employees.page-1.json");
    let last: v1::List<Employee> = round_trip("v1/employees.page-2.json");
    assert_eq!(first.data.len(), 2);
    assert_eq!(last.offset.and_then(|o| o.value()), Some(2));
    assert_eq!(last.metadata.unwrap().total_elements, 3);
    // v2 cursor paging: the last page has no `next`; links may be relative (§3.1).
    let last: v2::Page<Person> = round_trip("v2/persons.page-last.json");
    assert!(last.next_href().is_none());
    let relative: v2::Page<Person> = round_trip("v2/persons.page-relative-next.json");
    assert!(
        relative
            .next_href()
            .unwrap()
            .starts_with("/v2/persons?cursor=")
    );
}
