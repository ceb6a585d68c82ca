//! API throughput: a sandbox company (by default 200 people with a year of attendance, as
//! `quickstart` makes) is synced into a fresh store, then each scenario is requested a fixed
//! number of times by a few concurrent clients, all over 127.0.0.1:
//!
//! - `employees?limit=100` (each page with its employments and cost center splits);
//! - `attendance_periods?limit=100`, and the same filtered by one month (`from`/`to`);
//! - the sandbox's own `GET /v1/company/employees?limit=100` and v2 attendance pages of 100,
//!   measured in the same run for comparison.
//!
//! Prints requests per second, p50/p99 latency and bytes per page for each, and the process's
//! peak memory (sandbox, clients and service together: an upper bound for the service).
//! Runs on SQLite, and also on PostgreSQL when `PERSONIO_BRIDGE_TEST_PG_URL` names a server
//! (a user that may create databases; a fresh database is made for the run). `--pg` insists
//! on it.
//!
//! `cargo run --release -p bridge-server --example api_throughput [-- REQUESTS CONCURRENCY
//! [--employees N] [--history-days D] [--pg]]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use bridge_server::{Server, ServerConfig};
use bridge_store::{Filters, Location, OpenOptions, Store};
use bridge_sync::link::{Link, client_for, connect};
use bridge_sync::{SyncEngine, SyncOptions};
use bridge_testkit::{
    Backend, CLIENT_ID, CLIENT_SECRET, PG_URL_ENV, TestDb, sandbox, spawn_sandbox,
};
use secrecy::{ExposeSecret, SecretString};

struct Args {
    requests: usize,
    concurrency: usize,
    employees: usize,
    history_days: u32,
    pg: Option<String>,
}

fn args() -> Args {
    let mut args = Args {
        requests: 2000,
        concurrency: 4,
        employees: 200,
        history_days: 365,
        pg: std::env::var(PG_URL_ENV).ok(),
    };
    let mut positional = 0;
    let mut given = std::env::args().skip(1);
    while let Some(arg) = given.next() {
        match arg.as_str() {
            "--employees" => args.employees = given.next().unwrap().parse().unwrap(),
            "--history-days" => args.history_days = given.next().unwrap().parse().unwrap(),
            "--pg" => {
                assert!(
                    args.pg.is_some(),
                    "--pg runs on the server of {PG_URL_ENV}, which is unset"
                );
            }
            number => {
                let n = number.parse().unwrap();
                match positional {
                    0 => args.requests = n,
                    _ => args.concurrency = n,
                }
                positional += 1;
            }
        }
    }
    args
}

#[tokio::main]
async fn main() {
    run(args()).await;
}

async fn run(args: Args) {
    let sandbox = spawn_sandbox(sandbox(7, args.employees).history_days(args.history_days));
    println!(
        "sandbox: {} people, {} days of history; {} requests per scenario, {} concurrent",
        args.employees, args.history_days, args.requests, args.concurrency
    );
    let mut backends = vec![Backend::Sqlite];
    if args.pg.is_some() {
        backends.push(Backend::Postgres);
    }
    for backend in backends {
        let db = TestDb::new(backend).await.unwrap();
        bench_store(&args, &db, &sandbox.base_url, backend).await;
    }
    let http = reqwest::Client::new();
    let v1 = format!(
        "{}/v1/company/employees?limit=100&offset=0",
        sandbox.base_url
    );
    let v2 = format!("{}/v2/attendance-periods?limit=100", sandbox.base_url);
    let v1_token = v1_token(&http, &sandbox.base_url).await;
    let v2_token = v2_token(&http, &sandbox.base_url).await;
    measure(&args, "sandbox v1 employees, pages of 100", &v1, &v1_token).await;
    measure(
        &args,
        "sandbox v2 attendance periods, pages of 100",
        &v2,
        &v2_token,
    )
    .await;
    println!("peak memory of the whole process: {}", peak_memory());
}

async fn bench_store(args: &Args, db: &TestDb, sandbox_url: &str, backend: Backend) {
    let store = Store::open(
        &Location::parse(&db.url).unwrap(),
        OpenOptions {
            key: Some(bridge_store::secrets::Key::from_bytes([1; 32]).to_base64()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let (company, _) = connect(
        &store,
        Link {
            company: "acme".into(),
            base_url: url::Url::parse(sandbox_url).unwrap(),
            client_id: CLIENT_ID.into(),
            client_secret: SecretString::from(CLIENT_SECRET.to_owned()),
            recruiting: None,
            filters: Filters::default(),
            replace: false,
        },
    )
    .await
    .unwrap();
    let synced = Instant::now();
    let client = client_for(&store, &company).await.unwrap();
    SyncEngine::new(store.clone(), client, company)
        .run(&SyncOptions {
            resources: vec!["employees".parse().unwrap(), "attendances".parse().unwrap()],
            ..SyncOptions::default()
        })
        .await
        .unwrap();
    print_plans(&store, backend).await;
    let (_, key) = store
        .create_api_key("bench", &bridge_store::Grant::default(), chrono::Utc::now())
        .await
        .unwrap();
    let key = key.expose_secret().to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!(
        "http://{}/api/v1/companies/acme",
        listener.local_addr().unwrap()
    );
    tokio::spawn(
        Server::new(
            store,
            // The sync above is the only one: no worker competes with the requests measured.
            ServerConfig {
                workers: 0,
                ..ServerConfig::default()
            },
        )
        .serve(listener, std::future::pending()),
    );
    println!(
        "\n{backend:?}: synced in {:.1} s",
        synced.elapsed().as_secs_f64()
    );
    // The last whole month of history before the sandbox's day (2026-11-02).
    let month = "from=2026-10-01&to=2026-10-31";
    for (name, path) in [
        ("employees, pages of 100", "employees?limit=100".to_owned()),
        (
            "attendance periods, pages of 100",
            "attendance_periods?limit=100".to_owned(),
        ),
        (
            "attendance periods of October, pages of 100",
            format!("attendance_periods?limit=100&{month}"),
        ),
    ] {
        let name = format!("{backend:?} {name}");
        measure(args, &name, &format!("{base}/{path}"), &key).await;
    }
}

/// The plans of a month's attendance and of one person's, on the synced store.
async fn print_plans(store: &Store, backend: Backend) {
    use bridge_store::tables::ATTENDANCE_PERIODS;
    use bridge_store::{FilterValues, PageQuery, Value, filters_of};
    let company = store.company("acme").await.unwrap();
    // ANALYZE, as autovacuum would after a sync this size: PostgreSQL plans by statistics.
    store.refresh_statistics().await.unwrap();
    let employee = filters_of(&ATTENDANCE_PERIODS)
        .into_iter()
        .find(|f| f.name == "employee_id")
        .unwrap();
    let month = PageQuery {
        limit: 101,
        from: chrono::NaiveDate::from_ymd_opt(2026, 10, 1),
        to: chrono::NaiveDate::from_ymd_opt(2026, 10, 31),
        ..PageQuery::default()
    };
    let person = PageQuery {
        limit: 101,
        filters: vec![FilterValues {
            filter: employee,
            values: vec![Value::Int(1)],
        }],
        ..PageQuery::default()
    };
    for (name, query) in [
        ("October's attendance", month),
        ("one person's attendance", person),
    ] {
        let plan = store
            .json_page_plan(company.id, &ATTENDANCE_PERIODS, &query)
            .await
            .unwrap();
        println!("{backend:?} plan of {name}:\n    {}", plan.join("\n    "));
    }
}

/// Requests `url` `args.requests` times from `args.concurrency` clients; prints the rate and
/// latencies. The first answer is checked to hold 100 records; the rest are read, not parsed
/// (the clients share the machine with the service).
async fn measure(args: &Args, name: &str, url: &str, token: &str) {
    let http = reqwest::Client::new();
    let first = http.get(url).bearer_auth(token).send().await.unwrap();
    let status = first.status();
    let body: serde_json::Value = first.json().await.unwrap();
    if !status.is_success() {
        println!("{name}: not served ({status}: {body})");
        return;
    }
    assert_eq!(
        // Personio's v2 lists are under `_data`.
        body["data"]
            .as_array()
            .or_else(|| body["_data"].as_array())
            .map_or(0, Vec::len),
        100,
        "{name}: a page of 100"
    );
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..args.concurrency {
        let (http, url, token) = (http.clone(), url.to_owned(), token.to_owned());
        let count = args.requests / args.concurrency
            + usize::from(worker < args.requests % args.concurrency);
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(count);
            let mut bytes = 0;
            for _ in 0..count {
                let sent = Instant::now();
                let response = http.get(&url).bearer_auth(&token).send().await.unwrap();
                assert!(response.status().is_success(), "{}", response.status());
                bytes += response.bytes().await.unwrap().len();
                latencies.push(sent.elapsed());
            }
            (latencies, bytes)
        }));
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(args.requests);
    let mut bytes = 0;
    for worker in workers {
        let (mine, size) = worker.await.unwrap();
        latencies.extend(mine);
        bytes += size;
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "{name}: {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms, {} KB per page",
        args.requests as f64 / seconds,
        at(0.50).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
        bytes / args.requests.max(1) / 1000
    );
}

async fn v1_token(http: &reqwest::Client, base: &str) -> String {
    let body: serde_json::Value = http
        .post(format!("{base}/v1/auth"))
        .json(&serde_json::json!({ "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"]["token"].as_str().unwrap().to_owned()
}

async fn v2_token(http: &reqwest::Client, base: &str) -> String {
    let body: serde_json::Value = http
        .post(format!("{base}/v2/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// The process's peak resident memory (`VmHWM`), as Linux reports it.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}
