//! Pacing: a mock gateway with a real token bucket answers 429 to any request that comes
//! too early and advertises its state in Personio's rate-limit headers. The client, reading
//! those headers, never gets a 429; a client that ignores them does.

use std::sync::Mutex;
use std::time::Instant;

use wiremock::matchers::{method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

use crate::harness::{expect_v2_tokens, fixture, personio};

/// A token bucket like Personio's v2 gateway: `burst` tokens, `rate` per second.
struct Gateway {
    burst: f64,
    rate: f64,
    state: Mutex<(f64, Instant)>,
}

impl Gateway {
    fn new(burst: f64, rate: f64) -> Gateway {
        Gateway {
            burst,
            rate,
            state: Mutex::new((burst, Instant::now())),
        }
    }
}

impl Respond for Gateway {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut state = self.state.lock().unwrap();
        let now = Instant::now();
        let (tokens, at) = *state;
        let tokens = (tokens + now.duration_since(at).as_secs_f64() * self.rate).min(self.burst);
        // A little slack for float rounding; a request a whole token early is still refused.
        let allowed = tokens >= 1.0 - 1e-3;
        let left = if allowed { tokens - 1.0 } else { tokens };
        *state = (left, now);
        let template = if allowed {
            ResponseTemplate::new(200)
                .set_body_raw(fixture("v2/legal-entities.page.json"), "application/json")
        } else {
            ResponseTemplate::new(429)
        };
        template
            .insert_header(
                "x-ratelimit-remaining",
                format!("{}", left.max(0.0).floor()),
            )
            .insert_header("x-ratelimit-replenish-rate", format!("{}", self.rate))
            .insert_header("x-ratelimit-burst-capacity", format!("{}", self.burst))
            .insert_header("x-ratelimit-requested-tokens", "1")
    }
}

const BURST: f64 = 2.0;
const RATE: f64 = 50.0;
const REQUESTS: u64 = 12;

#[tokio::test]
async fn pacing_from_the_rate_limit_headers_avoids_429s() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v2/legal-entities"))
        .respond_with(Gateway::new(BURST, RATE))
        .expect(REQUESTS)
        .mount(&server)
        .await;
    let mut config = crate::harness::config(&server.uri());
    config.max_concurrency = 4;
    let client = personio_client::Client::new(config).unwrap();

    // The first answer tells the client where the bucket stands (it leaves one token)...
    client.get_raw("/v2/legal-entities", &[]).await.unwrap();
    // ...and then eleven requests at once go one token apart.
    let calls = (1..REQUESTS).map(|_| client.get_raw("/v2/legal-entities", &[]));
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    let metrics = client.metrics();
    assert_eq!(metrics.rate_limited, 0, "paced requests are never refused");
    assert_eq!(
        metrics.requests,
        REQUESTS + 1,
        "the token and each request once"
    );
}

#[tokio::test]
async fn the_gateway_refuses_requests_that_ignore_its_headers() {
    // The control for the test above: the same burst without pacing is refused in part.
    let server = personio().await;
    Mock::given(method("GET"))
        .and(path("/v2/legal-entities"))
        .respond_with(Gateway::new(BURST, RATE))
        .expect(REQUESTS)
        .mount(&server)
        .await;
    #[allow(clippy::disallowed_methods)]
    let plain = reqwest::Client::new();
    let url = format!("{}/v2/legal-entities", server.uri());
    let calls = (0..REQUESTS).map(|_| plain.get(&url).send());
    let refused = futures::future::join_all(calls)
        .await
        .into_iter()
        .filter(|r| r.as_ref().unwrap().status() == 429)
        .count();
    assert!(refused > 0, "an unpaced burst must hit the limit");
}
