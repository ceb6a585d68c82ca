//! Secrets and tokens never show: not in `Debug` output, not in error messages.

use personio_client::{Client, Error, RecruitingAuth, SecretString};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::harness::{
    CLIENT_SECRET, TOKEN, all_pages, answer, closed_port_url, config, expect_v2_tokens, personio,
};

fn assert_hidden(shown: &str) {
    for secret in [CLIENT_SECRET, TOKEN, "recruiting-secret-token"] {
        assert!(!shown.contains(secret), "`{secret}` leaked into: {shown}");
    }
}

fn show(error: &Error) -> String {
    format!(
        "{error} | {error:?} | {:?}",
        std::error::Error::source(error)
    )
}

#[tokio::test]
async fn secrets_and_tokens_never_appear_in_debug_output_or_errors() {
    let server = personio().await;
    expect_v2_tokens(&server, 2).await;
    Mock::given(method("GET"))
        .and(path("/v2/persons"))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let mut config = config(&server.uri());
    config.recruiting = Some(RecruitingAuth {
        token: SecretString::from("recruiting-secret-token"),
        company_id: 1,
    });
    let client = Client::new(config.clone()).unwrap();

    client.authenticate().await.unwrap();
    assert_hidden(&format!("{config:?} {client:?}"));
    let refused = all_pages(client.persons(vec![])).await.unwrap_err();
    assert_hidden(&show(&refused));

    let unreachable = Client::new(crate::harness::config(&closed_port_url()))
        .unwrap()
        .authenticate()
        .await
        .unwrap_err();
    assert_hidden(&show(&unreachable));
}

#[tokio::test]
async fn rejected_credentials_are_reported_without_the_secret() {
    let server = personio().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth"))
        .respond_with(answer(403, "v1/auth.wrong-credentials.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(config(&server.uri())).unwrap();

    let error = client.authenticate_v1().await.unwrap_err();
    assert!(matches!(error, Error::BadCredentials { .. }));
    assert_hidden(&show(&error));
}
