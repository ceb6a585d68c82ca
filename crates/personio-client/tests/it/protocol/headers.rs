//! Headers Personio asks for: partner and app ids, the recruiting credential, the beta
//! opt-in.

use personio_client::{Client, Error, RecruitingAuth, SecretString};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::harness::{BEARER, config, expect_v2_tokens, ok, personio};

#[tokio::test]
async fn partner_and_app_ids_are_sent_when_configured() {
    let server = personio().await;
    for (verb, route) in [("POST", "/v2/auth/token"), ("GET", "/v2/legal-entities")] {
        let fixture_name = if verb == "POST" {
            "v2/token.ok.json"
        } else {
            "v2/legal-entities.page.json"
        };
        Mock::given(method(verb))
            .and(path(route))
            .and(header("x-personio-app-id", "BRIDGE_SYNC"))
            .and(header("x-personio-partner-id", "ACME"))
            .and(header("accept", "application/json"))
            .respond_with(ok(fixture_name))
            .expect(1)
            .mount(&server)
            .await;
    }
    let mut config = config(&server.uri());
    config.app_id = Some("BRIDGE_SYNC".into());
    config.partner_id = Some("ACME".into());
    let client = Client::new(config).unwrap();

    client.get_raw("/v2/legal-entities", &[]).await.unwrap();
}

#[tokio::test]
async fn recruiting_requests_carry_the_static_token_and_company_id() {
    let server = personio().await;
    Mock::given(method("POST"))
        .and(path("/v1/recruiting/applications"))
        .and(header("authorization", "Bearer recruiting-token"))
        .and(header("x-company-id", "4242"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&server)
        .await;
    let mut config = config(&server.uri());
    config.recruiting = Some(RecruitingAuth {
        token: SecretString::from("recruiting-token"),
        company_id: 4242,
    });
    let client = Client::new(config).unwrap();

    let application = json!({"first_name": "Zoë", "last_name": "Müller",
        "email": "zoe@demo.example", "job_position_id": 7});
    client
        .post_json::<()>("/v1/recruiting/applications", &application)
        .await
        .unwrap();
    assert_eq!(
        client.metrics().token_requests,
        0,
        "no token is fetched for recruiting"
    );
}

#[tokio::test]
async fn recruiting_without_its_token_is_a_configuration_error() {
    let server = personio().await;
    let client = Client::new(config(&server.uri())).unwrap();

    let error = client
        .post_json::<()>("/v1/recruiting/applications", &json!({}))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Config(_)), "{error:?}");
}

#[tokio::test]
async fn v2_beta_endpoints_opt_in_with_the_v2_token() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v2/recruiting/jobs"))
        .and(header("authorization", BEARER))
        .and(header("beta", "true"))
        .respond_with(ok("v2/legal-entities.page.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(config(&server.uri())).unwrap();

    client.get_raw("/v2/recruiting/jobs", &[]).await.unwrap();
}
