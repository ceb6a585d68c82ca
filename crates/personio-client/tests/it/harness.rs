//! Helpers named after what tests do: a mock Personio that fails on any unexpected request,
//! fixture answers, fast client settings, and a raw HTTP server for what wiremock cannot do
//! (cut a body short, count requests in flight).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures::TryStreamExt;
use personio_client::{Client, ClientConfig, Error, Page, SecretString};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CLIENT_ID: &str = "client-id";
pub const CLIENT_SECRET: &str = "client-secret-value";
/// The token in `v1/auth.ok.json` and `v2/token.ok.json`.
pub const TOKEN: &str = "papi-0123456789abcdef";
pub const BEARER: &str = "Bearer papi-0123456789abcdef";

/// The bytes of a fixture of `personio-api`, verbatim.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../personio-api/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("read fixture {path}: {e}"))
}

/// A fixture as a JSON answer with `status`.
pub fn answer(status: u16, name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture(name), "application/json")
}

/// A fixture as a 200 JSON answer.
pub fn ok(name: &str) -> ResponseTemplate {
    answer(200, name)
}

/// A mock Personio whose every unexpected request fails the test (a 500 expected never).
pub async fn personio() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .with_priority(u8::MAX)
        .named("unexpected request")
        .expect(0)
        .mount(&server)
        .await;
    server
}

/// Expects `times` v2 token requests, answered with `v2/token.ok.json`.
pub async fn expect_v2_tokens(server: &MockServer, times: u64) {
    Mock::given(method("POST"))
        .and(path("/v2/auth/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(ok("v2/token.ok.json"))
        .named("v2 token")
        .expect(times)
        .mount(server)
        .await;
}

/// Expects `times` v1 token requests, answered with `v1/auth.ok.json`.
pub async fn expect_v1_tokens(server: &MockServer, times: u64) {
    Mock::given(method("POST"))
        .and(path("/v1/auth"))
        .and(header("content-type", "application/json"))
        .respond_with(ok("v1/auth.ok.json"))
        .named("v1 token")
        .expect(times)
        .mount(server)
        .await;
}

/// Settings for tests: the test credential, millisecond waits, a short timeout.
pub fn config(base_url: &str) -> ClientConfig {
    let mut config = ClientConfig::new(
        base_url.parse().unwrap(),
        CLIENT_ID,
        SecretString::from(CLIENT_SECRET),
    );
    config.backoff_base = Duration::from_millis(1);
    config.backoff_max = Duration::from_millis(10);
    config.rate_limit_wait = Duration::from_millis(2);
    config.request_timeout = Duration::from_secs(10);
    config.max_attempts = 4;
    config
}

pub fn client(base_url: &str) -> Client {
    Client::new(config(base_url)).unwrap()
}

/// Every page of a stream, or its first error.
pub async fn all_pages<T>(
    stream: impl futures::Stream<Item = Result<Page<T>, Error>>,
) -> Result<Vec<Page<T>>, Error> {
    stream.try_collect().await
}

/// Runs `future`, failing the test if it has not finished after `seconds` (a bound, so a
/// wrong wait shows as a failure instead of a hang; nothing is timed).
pub async fn within<F: std::future::Future>(seconds: u64, future: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(seconds), future)
        .await
        .expect("the client kept waiting")
}

/// A URL on which nothing listens: a port bound and released.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// What the raw server sends for one request.
pub enum Reply {
    /// A complete answer; the connection stays open for more.
    Full {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// Headers promising `declared` bytes, fewer bytes, then the connection closes.
    Truncated { declared: usize, body: Vec<u8> },
}

/// Counts of what the raw server saw.
#[derive(Default)]
pub struct RawStats {
    pub requests: AtomicU32,
    in_flight: AtomicU32,
    pub max_in_flight: AtomicU32,
}

/// A minimal HTTP/1.1 server on 127.0.0.1:0. `reply` gets each request's request line and
/// its number (from 0); every answer is held for `hold` first, so overlapping requests show.
pub struct RawServer {
    pub url: String,
    pub stats: Arc<RawStats>,
}

pub async fn raw_server(
    hold: Duration,
    reply: impl Fn(&str, u32) -> Reply + Send + Sync + 'static,
) -> RawServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let stats = Arc::new(RawStats::default());
    let reply = Arc::new(reply);
    let shared = stats.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(serve_connection(
                socket,
                shared.clone(),
                reply.clone(),
                hold,
            ));
        }
    });
    RawServer { url, stats }
}

async fn serve_connection(
    mut socket: TcpStream,
    stats: Arc<RawStats>,
    reply: Arc<impl Fn(&str, u32) -> Reply>,
    hold: Duration,
) {
    let mut buffer = Vec::new();
    loop {
        // Read one request head (and skip its body).
        let head_end = loop {
            if let Some(end) = find(&buffer, b"\r\n\r\n") {
                break end + 4;
            }
            let mut chunk = [0u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
        let body_len = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            })
            .unwrap_or(0);
        while buffer.len() < head_end + body_len {
            let mut chunk = [0u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        buffer.drain(..head_end + body_len);

        let number = stats.requests.fetch_add(1, Ordering::SeqCst);
        let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.max_in_flight.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(hold).await;
        stats.in_flight.fetch_sub(1, Ordering::SeqCst);
        let request_line = head.lines().next().unwrap_or_default().to_owned();
        match reply(&request_line, number) {
            Reply::Full {
                status,
                content_type,
                body,
            } => {
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                );
                if socket.write_all(head.as_bytes()).await.is_err()
                    || socket.write_all(&body).await.is_err()
                {
                    return;
                }
            }
            Reply::Truncated { declared, body } => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {declared}\r\n\r\n"
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&body).await;
                let _ = socket.shutdown().await;
                return;
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
