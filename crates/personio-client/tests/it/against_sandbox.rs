//! The client against the real sandbox: both auth flows, both paging styles end to end,
//! credentials without an area, a credential revoked mid-list, resuming a list.

use std::collections::BTreeSet;

use bridge_testkit::{
    ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, RunningSandbox, sandbox, spawn_sandbox,
};
use chrono::TimeZone;
use futures::{StreamExt, TryStreamExt};
use personio_api::Scope;
use personio_api::v2::Person;
use personio_client::endpoints::PERSONS;
use personio_client::{Client, ClientConfig, Error, OrgUnitKind, Page, PageToken, SecretString};
use personio_sandbox::credentials::{Access, AccessMap, Area, CredentialSpec, ReadableAttributes};

use crate::harness::all_pages;

const EMPLOYEES: usize = 120;

fn client_for(sandbox: &RunningSandbox, id: &str, secret: &str) -> Client {
    let config = ClientConfig::new(
        sandbox.base_url.parse().unwrap(),
        id,
        SecretString::from(secret.to_owned()),
    );
    Client::new(config).unwrap()
}

fn person_ids(pages: &[Page<Person>]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p.items.iter().map(|r| r.value.id.clone()))
        .collect()
}

fn credential(id: &str, access: &[(Area, Access)]) -> CredentialSpec {
    CredentialSpec {
        name: format!("test {id}"),
        access: AccessMap(access.iter().copied().collect()),
        readable_attributes: ReadableAttributes::All,
        client_id: Some(id.to_owned()),
        client_secret: Some(format!("{id}-secret")),
    }
}

#[tokio::test]
async fn authenticates_with_v1_and_v2() {
    let sandbox = spawn_sandbox(sandbox(3, EMPLOYEES));
    let client = client_for(&sandbox, CLIENT_ID, CLIENT_SECRET);

    let grant = client.authenticate().await.unwrap();
    assert!(grant.scopes.contains(&Scope::PersonsRead));
    assert!(grant.scopes.contains(&Scope::OrgUnitsRead));
    client.authenticate_v1().await.unwrap();
    assert_eq!(client.metrics().token_requests, 2);
}

#[tokio::test]
async fn v1_employees_and_v2_persons_are_the_same_people() {
    let sandbox = spawn_sandbox(sandbox(3, EMPLOYEES));
    let client = client_for(&sandbox, CLIENT_ID, CLIENT_SECRET);

    let employees = all_pages(client.employees_v1(None)).await.unwrap();
    assert_eq!(employees.len(), 2, "120 employees by pages of 100");
    let v1: BTreeSet<String> = employees
        .iter()
        .flat_map(|p| p.items.iter())
        .map(|r| r.value.id().unwrap().to_string())
        .collect();
    let persons = all_pages(client.persons(vec![])).await.unwrap();
    assert_eq!(persons.len(), 3, "120 persons by pages of 50");
    let v2_list = person_ids(&persons);
    let v2: BTreeSet<String> = v2_list.iter().cloned().collect();
    assert_eq!(v2_list.len(), v2.len(), "no person twice");
    assert_eq!(v1.len(), EMPLOYEES);
    assert_eq!(v1, v2);
    assert_eq!(client.metrics().rate_limited, 0);
}

#[tokio::test]
async fn org_structure_comes_through() {
    let sandbox = spawn_sandbox(sandbox(3, EMPLOYEES));
    let client = client_for(&sandbox, CLIENT_ID, CLIENT_SECRET);

    let departments: Vec<_> = client
        .org_units(OrgUnitKind::Department)
        .map_ok(|page| page.items)
        .try_concat()
        .await
        .unwrap();
    assert!(!departments.is_empty());
    assert!(
        departments
            .iter()
            .all(|d| d.value.kind.as_deref() == Some("department"))
    );
    let teams = all_pages(client.org_units(OrgUnitKind::Team))
        .await
        .unwrap();
    assert!(!teams[0].items.is_empty());
    let entities = all_pages(client.legal_entities()).await.unwrap();
    let names: Vec<&str> = entities[0]
        .items
        .iter()
        .map(|e| e.value.name.as_str())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        !all_pages(client.cost_centers()).await.unwrap()[0]
            .items
            .is_empty()
    );
    assert!(
        !all_pages(client.workplaces()).await.unwrap()[0]
            .items
            .is_empty()
    );
}

#[tokio::test]
async fn v1_details_come_through() {
    let sandbox = spawn_sandbox(sandbox(3, EMPLOYEES));
    let client = client_for(&sandbox, CLIENT_ID, CLIENT_SECRET);

    let attributes = client.employee_attributes().await.unwrap();
    assert!(attributes.iter().any(|a| a.key == "first_name"));
    let first = all_pages(client.employees_v1(None)).await.unwrap()[0].items[0]
        .value
        .id()
        .unwrap();
    assert_eq!(client.employee_v1(first).await.unwrap().id(), Some(first));
    client.balance(first).await.unwrap();
    assert_eq!(client.person(first).await.unwrap().id, first.to_string());
}

#[tokio::test]
async fn updated_since_returns_every_match_in_one_request() {
    let sandbox = spawn_sandbox(sandbox(3, EMPLOYEES));
    let client = client_for(&sandbox, CLIENT_ID, CLIENT_SECRET);
    client.authenticate_v1().await.unwrap();
    let before = client.metrics().requests;

    let long_ago = chrono::Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
    let pages = all_pages(client.employees_v1(Some(long_ago)))
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(
        pages[0].items.len(),
        EMPLOYEES,
        "more than a page, in one answer"
    );
    assert_eq!(client.metrics().requests - before, 1);
}

#[tokio::test]
async fn a_list_resumed_from_a_kept_token_has_no_gap_and_no_repeat() {
    let sandbox = spawn_sandbox(sandbox(3, EMPLOYEES));
    let client = client_for(&sandbox, CLIENT_ID, CLIENT_SECRET);
    let query = || vec![("limit".to_owned(), "25".to_owned())];

    let all = person_ids(
        &all_pages(client.pages_v2::<Person>(PERSONS, query(), None))
            .await
            .unwrap(),
    );
    // A first run stops after two pages, keeping the second page's token...
    let first_run: Vec<Page<Person>> = client
        .pages_v2::<Person>(PERSONS, query(), None)
        .take(2)
        .try_collect()
        .await
        .unwrap();
    let kept: PageToken = first_run[1].next.clone().unwrap();
    // ...and a later run, with a new client, resumes from it.
    let later = client_for(&sandbox, CLIENT_ID, CLIENT_SECRET);
    let rest = all_pages(later.pages_v2::<Person>(PERSONS, vec![], Some(kept)))
        .await
        .unwrap();
    let mut resumed = person_ids(&first_run);
    resumed.extend(person_ids(&rest));
    assert_eq!(resumed, all);
}

#[tokio::test]
async fn a_credential_without_the_employees_area_is_told_which_is_missing() {
    let sandbox = spawn_sandbox(
        sandbox(3, EMPLOYEES)
            .credential_spec(credential("org-only", &[(Area::OrgUnits, Access::Read)])),
    );
    let client = client_for(&sandbox, "org-only", "org-only-secret");

    let v1 = all_pages(client.employees_v1(None)).await.unwrap_err();
    assert!(matches!(v1, Error::MissingArea { .. }), "{v1:?}");
    let v2 = all_pages(client.persons(vec![])).await.unwrap_err();
    assert!(
        matches!(&v2, Error::MissingScope { scope: Some(s), .. } if s == "personio:persons:read"),
        "{v2:?}"
    );
    // What the credential may read still works.
    all_pages(client.legal_entities()).await.unwrap();
}

#[tokio::test]
async fn a_credential_revoked_mid_list_fails_after_one_renewal() {
    let sandbox = spawn_sandbox(
        sandbox(3, EMPLOYEES)
            .credential_spec(credential("revoked", &[(Area::Employees, Access::Read)])),
    );
    let client = client_for(&sandbox, "revoked", "revoked-secret");
    let mut pages =
        Box::pin(client.pages_v2::<Person>(PERSONS, vec![("limit".into(), "10".into())], None));
    pages.try_next().await.unwrap().unwrap();

    revoke(&sandbox, "revoked").await;
    let error = pages.try_next().await.unwrap_err();
    assert!(matches!(error, Error::BadCredentials { .. }), "{error:?}");
    let metrics = client.metrics();
    // token, page 1, page 2 refused, one token request refused; nothing more.
    assert_eq!((metrics.requests, metrics.token_requests), (4, 2));
}

/// `DELETE /_sandbox/credentials/{id}` with the admin token.
async fn revoke(sandbox: &RunningSandbox, client_id: &str) {
    #[allow(clippy::disallowed_methods)]
    let admin = reqwest::Client::new();
    let status = admin
        .delete(sandbox.url(&format!("/_sandbox/credentials/{client_id}")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "{status}");
}
