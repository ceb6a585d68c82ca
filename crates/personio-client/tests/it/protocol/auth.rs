//! Tokens: fetched once, shared, renewed once when refused; wrong credentials reported.

use personio_api::Scope;
use personio_client::Error;
use serde_json::json;
use wiremock::matchers::{body_json, body_string_contains, header, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::harness::{
    BEARER, CLIENT_ID, CLIENT_SECRET, all_pages, answer, client, expect_v1_tokens,
    expect_v2_tokens, ok, personio,
};

#[tokio::test]
async fn a_v2_token_is_fetched_once_with_client_credentials_and_reused() {
    let server = personio().await;
    Mock::given(method("POST"))
        .and(path("/v2/auth/token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains(format!("client_id={CLIENT_ID}")))
        .and(body_string_contains(format!(
            "client_secret={CLIENT_SECRET}"
        )))
        .respond_with(ok("v2/token.ok.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/legal-entities"))
        .and(header("authorization", BEARER))
        .respond_with(ok("v2/legal-entities.page.json"))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let grant = client.authenticate().await.unwrap();
    assert!(grant.scopes.contains(&Scope::PersonsRead));
    assert!(grant.scopes.contains(&Scope::AbsencesRead));
    assert!(grant.expires_in.as_secs() > 86_000);
    for _ in 0..2 {
        let pages = all_pages(client.legal_entities()).await.unwrap();
        assert_eq!(pages[0].items[0].value.name, "Demo GmbH");
    }
    let metrics = client.metrics();
    assert_eq!((metrics.requests, metrics.token_requests), (3, 1));
}

#[tokio::test]
async fn v1_tokens_come_from_a_json_body_and_are_reused() {
    let server = personio().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth"))
        .and(body_json(
            json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}),
        ))
        .respond_with(ok("v1/auth.ok.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/company/employees/attributes"))
        .and(header("authorization", BEARER))
        .respond_with(ok("v1/employees.attributes.json"))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    client.authenticate_v1().await.unwrap();
    for _ in 0..2 {
        let attributes = client.employee_attributes().await.unwrap();
        assert_eq!(attributes[1].key, "dynamic_2");
    }
}

#[tokio::test]
async fn concurrent_callers_share_one_token_request() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v2/legal-entities"))
        .respond_with(ok("v2/legal-entities.page.json"))
        .expect(8)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let calls = (0..8).map(|_| client.get_raw("/v2/legal-entities", &[]));
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(client.metrics().token_requests, 1);
}

#[tokio::test]
async fn a_refused_v2_token_is_renewed_once_and_the_request_sent_again() {
    let server = personio().await;
    expect_v2_tokens(&server, 2).await;
    Mock::given(method("GET"))
        .and(path("/v2/persons"))
        .respond_with(ResponseTemplate::new(401))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/persons"))
        .respond_with(ok("v2/persons.page-last.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let pages = all_pages(client.persons(vec![])).await.unwrap();
    assert_eq!(pages[0].items[0].value.id, "12345679");
    let metrics = client.metrics();
    assert_eq!((metrics.token_requests, metrics.retries), (2, 0));
}

#[tokio::test]
async fn a_v1_token_personio_calls_not_valid_is_renewed_once() {
    let server = personio().await;
    expect_v1_tokens(&server, 2).await;
    Mock::given(method("GET"))
        .and(path("/v1/company/employees"))
        .respond_with(answer(403, "v1/error.403.json"))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/company/employees"))
        .respond_with(ok("v1/employees.page-2.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let pages = all_pages(client.employees_v1(None)).await.unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].items[0].value.id().map(|id| id.0), Some(3));
}

#[tokio::test]
async fn a_v1_token_refused_after_renewal_is_bad_credentials() {
    let server = personio().await;
    expect_v1_tokens(&server, 2).await;
    Mock::given(method("GET"))
        .and(path("/v1/company/employees/attributes"))
        .respond_with(answer(403, "v1/error.403.json"))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let error = client.employee_attributes().await.unwrap_err();
    assert!(matches!(error, Error::BadCredentials { .. }), "{error:?}");
}

#[tokio::test]
async fn wrong_v2_credentials_are_reported_without_retrying() {
    let server = personio().await;
    Mock::given(method("POST"))
        .and(path("/v2/auth/token"))
        .respond_with(answer(400, "v2/oauth.invalid_client.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let error = client.authenticate().await.unwrap_err();
    assert!(matches!(error, Error::BadCredentials { .. }), "{error:?}");
    assert!(
        error.to_string().contains("Client authentication failed"),
        "{error}"
    );
}

#[tokio::test]
async fn wrong_v1_credentials_are_reported_without_retrying() {
    let server = personio().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth"))
        .respond_with(answer(401, "v1/auth.wrong-credentials.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let error = client.authenticate_v1().await.unwrap_err();
    assert!(matches!(&error, Error::BadCredentials { detail } if detail == "Wrong credentials"));
}
