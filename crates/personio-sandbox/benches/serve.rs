//! How fast the sandbox generates a company and serves it, so that a benchmark of a sync
//! engine never measures the sandbox. Run: `cargo bench -p personio-sandbox --bench serve`
//! (`SANDBOX_BENCH_EMPLOYEES=N` changes the size of the company whose employees are served,
//! default 20,000; attendance periods are served from 10,000 employees with a year of
//! history).

use std::time::{Duration, Instant};

use futures::future::join_all;
use personio_sandbox::{RateLimits, Sandbox};
use serde_json::{Value, json};

const CLIENT_ID: &str = "bench";
const CLIENT_SECRET: &str = "bench-secret";
/// Concurrent clients; the machine has two cores, the sandbox gets what they leave.
const CONCURRENCY: usize = 4;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    for (size, history) in [(10_000, 365), (100_000, 0)] {
        let started = Instant::now();
        let sandbox = Sandbox::builder()
            .seed(1)
            .employees(size)
            .history_days(history)
            .build()
            .expect("build");
        let elapsed = started.elapsed();
        let summary = sandbox.summary();
        println!(
            "generate {size:>7} employees, {history:>3} days of history: {:>8.3} s \
             ({} attendance periods, {} absence periods)",
            elapsed.as_secs_f64(),
            summary.attendance_periods,
            summary.absence_periods,
        );
        drop(sandbox);
    }

    let size: usize = std::env::var("SANDBOX_BENCH_EMPLOYEES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let (base, client, token) = serve(size, 0).await;
    for pass in ["cold", "warm"] {
        let (records, elapsed) = v1_pass(&client, &base, &token, size).await;
        report(
            &format!("v1 employees limit=100 ({pass})"),
            records,
            elapsed,
        );
    }
    for pass in ["cold", "warm"] {
        let (records, elapsed) = v2_pass(&client, &base, &token).await;
        report(
            &format!("v2 persons   limit=50  ({pass})"),
            records,
            elapsed,
        );
    }

    let (base, client, token) = serve(10_000, 365).await;
    for sort in ["", "&sort=-updated_at"] {
        let (records, elapsed) = attendance_pass(&client, &base, &token, sort).await;
        report(
            &format!("v2 attendance-periods limit=100{sort}"),
            records,
            elapsed,
        );
    }
}

/// A sandbox serving in the background; its base URL, a client and a token.
async fn serve(size: usize, history: u32) -> (String, reqwest::Client, String) {
    let sandbox = Sandbox::builder()
        .seed(1)
        .employees(size)
        .history_days(history)
        .credential(CLIENT_ID, CLIENT_SECRET)
        // Measures serving, not Personio's pacing.
        .rate_limits(RateLimits::Off)
        .build()
        .expect("build");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(sandbox.serve(listener, std::future::pending()));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY * 2)
        .build()
        .expect("client");
    let v1: Value = client
        .post(format!("{base}/v1/auth"))
        .json(&json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}))
        .send()
        .await
        .expect("auth")
        .json()
        .await
        .expect("auth body");
    let token = v1["data"]["token"].as_str().expect("token").to_owned();
    (base, client, token)
}

fn report(what: &str, records: usize, elapsed: Duration) {
    println!(
        "{what}: {records} records in {:.3} s = {:>9.0} records/s",
        elapsed.as_secs_f64(),
        records as f64 / elapsed.as_secs_f64()
    );
}

/// Every v1 page, `CONCURRENCY` requests in flight.
async fn v1_pass(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    size: usize,
) -> (usize, Duration) {
    let offsets: Vec<usize> = (0..size).step_by(100).collect();
    let started = Instant::now();
    let mut records = 0;
    for chunk in offsets.chunks(CONCURRENCY) {
        let pages = join_all(chunk.iter().map(|offset| async move {
            let body = client
                .get(format!(
                    "{base}/v1/company/employees?limit=100&offset={offset}"
                ))
                .bearer_auth(token)
                .send()
                .await
                .expect("page")
                .bytes()
                .await
                .expect("body");
            assert!(body.starts_with(b"{\"success\":true"));
            (size - offset).min(100)
        }))
        .await;
        records += pages.iter().sum::<usize>();
    }
    (records, started.elapsed())
}

/// `CONCURRENCY` walks of the whole persons list, each following its cursor. The client
/// only scans for the `next` link and counts ids, so it stays cheap next to the server.
async fn v2_pass(client: &reqwest::Client, base: &str, token: &str) -> (usize, Duration) {
    let started = Instant::now();
    let walks = join_all((0..CONCURRENCY).map(|_| async move {
        let mut url = format!("{base}/v2/persons?limit=50");
        let mut records = 0;
        loop {
            let body = client
                .get(&url)
                .bearer_auth(token)
                .send()
                .await
                .expect("page")
                .bytes()
                .await
                .expect("body");
            records += count(&body, b"\"employments\":[");
            match next_href(&body) {
                Some(next) => url = next,
                None => return records,
            }
        }
    }))
    .await;
    (walks.iter().sum(), started.elapsed())
}

/// Every attendance period of the last year, in `CONCURRENCY` walks over disjoint
/// stretches of days, each following its cursor (`sort` is appended to the first URL).
async fn attendance_pass(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    sort: &str,
) -> (usize, Duration) {
    let today = chrono::Utc::now().date_naive();
    let first = today - chrono::Duration::days(366);
    let stretch = 367 / CONCURRENCY as i64 + 1;
    let started = Instant::now();
    let walks = join_all((0..CONCURRENCY as i64).map(|i| async move {
        let from = first + chrono::Duration::days(i * stretch);
        let to = from + chrono::Duration::days(stretch - 1);
        let mut url = format!(
            "{base}/v2/attendance-periods?limit=100&attribution_date.gte={from}&attribution_date.lte={to}{sort}"
        );
        let mut records = 0;
        loop {
            let body = client
                .get(&url)
                .bearer_auth(token)
                .send()
                .await
                .expect("page")
                .bytes()
                .await
                .expect("body");
            records += count(&body, b"\"attribution_date\":");
            match next_href(&body) {
                Some(next) => url = next,
                None => return records,
            }
        }
    }))
    .await;
    (walks.iter().sum(), started.elapsed())
}

/// Occurrences of `needle`; a SIMD search, so counting costs the client little next to
/// the server it measures.
fn count(haystack: &[u8], needle: &[u8]) -> usize {
    memchr::memmem::find_iter(haystack, needle).count()
}

fn next_href(body: &[u8]) -> Option<String> {
    const MARK: &[u8] = b"\"next\":{\"href\":\"";
    let start = body.windows(MARK.len()).rposition(|w| w == MARK)? + MARK.len();
    let end = start + body[start..].iter().position(|b| *b == b'"')?;
    Some(String::from_utf8_lossy(&body[start..end]).into_owned())
}
