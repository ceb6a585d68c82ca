use std::time::Duration;

use bridge_testkit::{
    CLIENT_ID, CLIENT_SECRET, RunningSandbox, assert_same_shape, fixture, sandbox, spawn_sandbox,
};
use personio_sandbox::{RateLimitClock, RateLimits};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::{FIXTURES, client, status_and_json, v1_token, v2_token};

const HEADERS: [&str; 4] = [
    "x-ratelimit-burst-capacity",
    "x-ratelimit-replenish-rate",
    "x-ratelimit-requested-tokens",
    "x-ratelimit-remaining",
];

/// A sandbox with Personio's limits on a clock that moves only when told.
fn limited() -> (RunningSandbox, RateLimitClock) {
    let clock = RateLimitClock::manual();
    let builder = sandbox(4, 20)
        .rate_limits(RateLimits::Personio)
        .rate_limit_clock(clock.clone());
    (spawn_sandbox(builder), clock)
}

fn header(response: &Response, name: &str) -> Option<u64> {
    response.headers().get(name)?.to_str().ok()?.parse().ok()
}

async fn send_get(sb: &RunningSandbox, token: &str, path: &str) -> Response {
    client()
        .get(sb.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn v1_auth(sb: &RunningSandbox) -> Response {
    client()
        .post(sb.url("/v1/auth"))
        .json(&json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}))
        .send()
        .await
        .unwrap()
}

async fn v2_auth(sb: &RunningSandbox) -> Response {
    client()
        .post(sb.url("/v2/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn v2_persons_admit_30_at_once_and_refuse_the_rest_without_retry_after() {
    let (sb, _clock) = limited();
    let token = v2_token(&sb).await;
    let mut refused = Vec::new();
    let mut remaining = Vec::new();
    for _ in 0..35 {
        let response = send_get(&sb, &token, "/v2/persons").await;
        for name in HEADERS {
            assert!(
                header(&response, name).is_some(),
                "{name} on {}",
                response.status()
            );
        }
        assert_eq!(header(&response, "x-ratelimit-burst-capacity"), Some(30));
        assert_eq!(header(&response, "x-ratelimit-replenish-rate"), Some(30));
        assert_eq!(header(&response, "x-ratelimit-requested-tokens"), Some(1));
        remaining.push(header(&response, "x-ratelimit-remaining").unwrap());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(response.headers().get("retry-after").is_none());
            let (_, body) = status_and_json(response).await;
            assert_same_shape(&body, &fixture(FIXTURES, "v2/problem.429.json"), true);
            refused.push(body);
        } else {
            assert_eq!(response.status(), StatusCode::OK);
        }
    }
    assert_eq!(refused.len(), 5);
    assert_eq!(&remaining[..3], [29, 28, 27]);
    assert_eq!(&remaining[29..], [0; 6]);
    // Another endpoint has its own bucket.
    let response = send_get(&sb, &token, "/v2/legal-entities").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "x-ratelimit-remaining"), Some(19));
}

#[tokio::test]
async fn v1_employees_allow_a_burst_of_15_and_say_when_to_retry() {
    let (sb, clock) = limited();
    let token = v1_token(&sb).await;
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let response = send_get(&sb, &token, "/v1/company/employees").await;
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(response.headers()["retry-after"], "1");
            assert_eq!(header(&response, "x-ratelimit-remaining"), Some(0));
            let (_, body) = status_and_json(response).await;
            assert_same_shape(&body, &fixture(FIXTURES, "v1/error.429.json"), true);
        }
    }
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(refused, 5);
    assert!(statuses[..15].iter().all(|s| *s == StatusCode::OK));
    clock.advance(Duration::from_secs(1));
    let response = send_get(&sb, &token, "/v1/company/employees").await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "a second later the burst is back"
    );
    // Other v1 endpoints only share the per-IP minute.
    let response = send_get(&sb, &token, "/v1/company/employees/attributes").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "x-ratelimit-burst-capacity"), Some(2000));
    assert_eq!(header(&response, "x-ratelimit-replenish-rate"), Some(33));
}

#[tokio::test]
async fn v1_auth_refuses_everything_for_a_minute_once_60_were_used() {
    let (sb, clock) = limited();
    let mut refused = 0;
    for _ in 0..65 {
        let response = v1_auth(&sb).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
            assert!(header(&response, "retry-after").is_some_and(|s| (1..=60).contains(&s)));
        }
    }
    assert_eq!(refused, 5);
    clock.advance(Duration::from_secs(59));
    let response = v1_auth(&sb).await;
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "still cooling down"
    );
    assert_eq!(header(&response, "retry-after"), Some(1));
    clock.advance(Duration::from_secs(1));
    assert_eq!(v1_auth(&sb).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_v2_token_endpoint_admits_one_per_second_for_a_minute_after_150() {
    let (sb, clock) = limited();
    let mut refused = 0;
    for _ in 0..155 {
        if v2_auth(&sb).await.status() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert_eq!(refused, 5);
    clock.advance(Duration::from_secs(1));
    let admitted = v2_auth(&sb).await;
    assert_eq!(admitted.status(), StatusCode::OK);
    assert_eq!(header(&admitted, "x-ratelimit-replenish-rate"), Some(1));
    let refused = v2_auth(&sb).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().get("retry-after").is_none());
    let (_, body) = status_and_json(refused).await;
    assert_same_shape(&body, &fixture(FIXTURES, "v2/problem.429.json"), true);
    clock.advance(Duration::from_secs(60));
    assert_eq!(
        v2_auth(&sb).await.status(),
        StatusCode::OK,
        "the minute is over"
    );
}

#[tokio::test]
async fn errors_carry_the_headers_too_and_switching_limits_off_drops_them() {
    let (sb, _clock) = limited();
    let response = send_get(&sb, "bad-token", "/v2/persons/1").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(HEADERS.iter().all(|h| header(&response, h).is_some()));
    let response = send_get(&sb, "bad-token", "/v1/company/employees").await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "v1's answer to a bad token"
    );
    assert!(HEADERS.iter().all(|h| header(&response, h).is_some()));

    let off = spawn_sandbox(sandbox(4, 5).rate_limits(RateLimits::Off));
    let token = v2_token(&off).await;
    for _ in 0..40 {
        let response = send_get(&off, &token, "/v2/persons").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(HEADERS.iter().all(|h| response.headers().get(*h).is_none()));
    }
}

#[tokio::test]
async fn the_admin_api_is_never_limited() {
    let (sb, _clock) = limited();
    for _ in 0..40 {
        let response = client()
            .get(sb.url("/_sandbox/requests"))
            .bearer_auth(bridge_testkit::ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().get(HEADERS[3]).is_none());
        let _: Value = response.json().await.unwrap();
    }
}
