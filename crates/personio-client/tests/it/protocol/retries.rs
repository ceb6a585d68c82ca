//! Retries: 5xx, 429 with and without `Retry-After`, broken and invalid bodies, timeouts;
//! and what is not retried. Requests are counted, never timed.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use personio_client::{Client, Error};
use reqwest::StatusCode;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::harness::{
    Reply, all_pages, client, config, expect_v1_tokens, expect_v2_tokens, fixture, ok, personio,
    raw_server, within,
};

async fn legal_entities_fail_then_succeed(
    server: &wiremock::MockServer,
    failure: ResponseTemplate,
    failures: u64,
) {
    Mock::given(method("GET"))
        .and(path("/v2/legal-entities"))
        .respond_with(failure)
        .up_to_n_times(failures)
        .with_priority(1)
        .expect(failures)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/legal-entities"))
        .respond_with(ok("v2/legal-entities.page.json"))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn server_errors_are_retried_until_personio_answers() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    legal_entities_fail_then_succeed(&server, ResponseTemplate::new(503), 2).await;
    let client = client(&server.uri());

    let pages = all_pages(client.legal_entities()).await.unwrap();
    assert_eq!(pages[0].items.len(), 1);
    assert_eq!(client.metrics().retries, 2);
}

#[tokio::test]
async fn server_errors_give_up_after_the_last_attempt() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v2/legal-entities"))
        .respond_with(ResponseTemplate::new(500))
        .expect(4)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let error = all_pages(client.legal_entities()).await.unwrap_err();
    assert!(matches!(
        error,
        Error::Server {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            attempts: 4
        }
    ));
    assert!(error.is_retryable(), "a later run may succeed");
}

#[tokio::test]
async fn not_implemented_is_not_retried() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v2/legal-entities"))
        .respond_with(ResponseTemplate::new(501))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let error = all_pages(client.legal_entities()).await.unwrap_err();
    assert!(
        matches!(error, Error::Server { attempts: 1, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_post_is_not_repeated_after_a_server_error() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/v2/persons"))
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let body = serde_json::json!({"first_name": "Zoë", "last_name": "Müller"});
    let error = client
        .post_json::<serde_json::Value>("/v2/persons", &body)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Server { attempts: 1, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn invalid_json_in_a_success_is_retried() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    let cut = fixture("v2/legal-entities.page.json")[..20].to_vec();
    legal_entities_fail_then_succeed(
        &server,
        ResponseTemplate::new(200).set_body_raw(cut, "application/json"),
        1,
    )
    .await;
    let client = client(&server.uri());

    all_pages(client.legal_entities()).await.unwrap();
    assert_eq!(client.metrics().retries, 1);
}

#[tokio::test]
async fn a_body_cut_short_by_the_connection_is_retried() {
    let token = fixture("v2/token.ok.json");
    let page = fixture("v2/legal-entities.page.json");
    // Request 0 is the token; request 1, the first page request, breaks off half-way.
    let server = raw_server(Duration::ZERO, move |line, number| {
        let full = |body: &Vec<u8>| Reply::Full {
            status: 200,
            content_type: "application/json",
            body: body.clone(),
        };
        match (line.split(' ').nth(1), number) {
            (Some("/v2/auth/token"), _) => full(&token),
            (Some("/v2/legal-entities?limit=100"), 1) => Reply::Truncated {
                declared: page.len(),
                body: page[..page.len() / 2].to_vec(),
            },
            (Some("/v2/legal-entities?limit=100"), _) => full(&page),
            _ => Reply::Full {
                status: 500,
                content_type: "text/plain",
                body: b"unexpected".to_vec(),
            },
        }
    })
    .await;
    let client = Client::new(config(&server.url)).unwrap();

    let pages = all_pages(client.legal_entities()).await.unwrap();
    assert_eq!(pages[0].items[0].value.name, "Demo GmbH");
    assert_eq!(client.metrics().retries, 1);
    assert_eq!(server.stats.requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn timeouts_are_retried_then_reported() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v2/legal-entities"))
        .respond_with(ok("v2/legal-entities.page.json").set_delay(Duration::from_secs(5)))
        .expect(2)
        .mount(&server)
        .await;
    let mut config = config(&server.uri());
    config.request_timeout = Duration::from_millis(200);
    config.max_attempts = 2;
    let client = Client::new(config).unwrap();

    let error = within(60, all_pages(client.legal_entities()))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { attempts: 2 }), "{error:?}");
}

#[tokio::test]
async fn a_429_waits_as_long_as_retry_after_says() {
    let server = personio().await;
    expect_v1_tokens(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v1/company/employees/attributes"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/company/employees/attributes"))
        .respond_with(ok("v1/employees.attributes.json"))
        .expect(1)
        .mount(&server)
        .await;
    // Our own waits are an hour: only honouring `Retry-After: 0` finishes in time.
    let mut config = config(&server.uri());
    config.backoff_base = Duration::from_secs(3600);
    config.rate_limit_wait = Duration::from_secs(3600);
    let client = Client::new(config).unwrap();

    within(30, client.employee_attributes()).await.unwrap();
    let metrics = client.metrics();
    assert_eq!((metrics.rate_limited, metrics.retries), (1, 1));
}

#[tokio::test]
async fn a_429_without_retry_after_waits_and_retries() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    legal_entities_fail_then_succeed(&server, ResponseTemplate::new(429), 2).await;
    let client = client(&server.uri());

    all_pages(client.legal_entities()).await.unwrap();
    let metrics = client.metrics();
    assert_eq!((metrics.rate_limited, metrics.retries), (2, 2));
}

#[tokio::test]
async fn a_retry_after_longer_than_accepted_fails_at_once() {
    let server = personio().await;
    expect_v1_tokens(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v1/company/employees/attributes"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let error = client.employee_attributes().await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { attempts: 1 }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_rate_limit_that_does_not_lift_is_reported() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v2/legal-entities"))
        .respond_with(ResponseTemplate::new(429))
        .expect(4)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let error = all_pages(client.legal_entities()).await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { attempts: 4 }),
        "{error:?}"
    );
    assert_eq!(client.metrics().rate_limited, 4);
}

#[tokio::test]
async fn requests_in_flight_never_exceed_the_bound() {
    let server = raw_server(Duration::from_millis(100), |_, _| Reply::Full {
        status: 200,
        content_type: "application/json",
        body: b"{}".to_vec(),
    })
    .await;
    let mut config = config(&server.url);
    config.max_concurrency = 2;
    let client = Client::new(config).unwrap();

    // Paths outside /v1 and /v2 need no token, so only these requests reach the server.
    let calls = (0..8).map(|i| {
        let client = client.clone();
        async move { client.get_raw(&format!("/ping/{i}"), &[]).await }
    });
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    let seen = |c: &AtomicU32| c.load(Ordering::SeqCst);
    assert_eq!(seen(&server.stats.requests), 8);
    assert_eq!(
        seen(&server.stats.max_in_flight),
        2,
        "two at a time, never more"
    );
}
