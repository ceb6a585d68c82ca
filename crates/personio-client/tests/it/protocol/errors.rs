//! Refusals become errors a caller can act on; what is not Personio is called so.

use personio_api::EmployeeId;
use personio_client::{ApiErrorBody, Client, Error, ErrorKind};
use reqwest::StatusCode;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::harness::{
    all_pages, answer, client, closed_port_url, config, expect_v1_tokens, expect_v2_tokens,
    personio,
};

#[tokio::test]
async fn a_missing_v2_scope_is_named() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v2/legal-entities"))
        .respond_with(answer(403, "v2/problem.403.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let error = all_pages(client.legal_entities()).await.unwrap_err();
    assert!(
        matches!(&error, Error::MissingScope { scope: Some(s), path }
            if s == "personio:legal-entities:read" && path == "/v2/legal-entities"),
        "{error:?}"
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_missing_v1_area_is_reported() {
    let server = personio().await;
    expect_v1_tokens(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v1/company/employees"))
        .respond_with(answer(403, "v1/error.403-area.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let error = all_pages(client.employees_v1(None)).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::MissingArea, "{error:?}");
}

#[tokio::test]
async fn unknown_records_are_not_found_in_both_apis() {
    let server = personio().await;
    expect_v1_tokens(&server, 1).await;
    expect_v2_tokens(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v2/persons/404"))
        .respond_with(answer(404, "v2/problem.404-resource.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/company/employees/404"))
        .respond_with(answer(404, "v1/error.404-employee.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let v2 = client.person(EmployeeId(404)).await.unwrap_err();
    assert!(matches!(&v2, Error::NotFound { path } if path == "/v2/persons/404"));
    let v1 = client.employee_v1(EmployeeId(404)).await.unwrap_err();
    assert!(matches!(&v1, Error::NotFound { path } if path == "/v1/company/employees/404"));
}

#[tokio::test]
async fn other_refusals_carry_personio_s_error_body() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v2/persons"))
        .respond_with(answer(400, "v2/problem.400.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let error = all_pages(client.persons(vec![])).await.unwrap_err();
    match error {
        Error::Api {
            status,
            body: ApiErrorBody::Problem(problem),
            ..
        } => {
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert!(problem.title().is_some());
        }
        other => panic!("expected Personio's problem body, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unreachable_url_is_reported_at_once() {
    let client = client(&closed_port_url());

    let error = client.authenticate().await.unwrap_err();
    assert!(matches!(error, Error::Unreachable { .. }), "{error:?}");
    assert_eq!(client.metrics().requests, 1, "nothing listens: no retries");
}

#[tokio::test]
async fn an_html_page_is_not_personio() {
    let server = personio().await;
    Mock::given(method("POST"))
        .and(path("/v2/auth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw("<!doctype html><title>Welcome</title>", "text/html"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let error = client.authenticate().await.unwrap_err();
    assert!(matches!(error, Error::NotPersonio { .. }), "{error:?}");
    assert!(error.to_string().contains("HTML"), "{error}");
}

#[tokio::test]
async fn a_token_endpoint_without_personio_s_envelope_is_not_personio() {
    let server = personio().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(r#"{"ok": true}"#, "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/auth/token"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    assert_eq!(
        client.authenticate_v1().await.unwrap_err().kind(),
        ErrorKind::NotPersonio
    );
    assert_eq!(
        client.authenticate().await.unwrap_err().kind(),
        ErrorKind::NotPersonio
    );
}

#[tokio::test]
async fn a_redirect_is_reported_not_followed() {
    let server = personio().await;
    Mock::given(method("POST"))
        .and(path("/v2/auth/token"))
        .respond_with(
            ResponseTemplate::new(301).insert_header("location", "https://www.example.test/"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(config(&server.uri())).unwrap();

    let error = client.authenticate().await.unwrap_err();
    assert!(matches!(error, Error::NotPersonio { .. }), "{error:?}");
    assert!(
        error.to_string().contains("https://www.example.test/"),
        "{error}"
    );
}
