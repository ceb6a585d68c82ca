//! `bench-fleet` on a small fleet: twenty companies of one multi-company sandbox synced by
//! two worker processes into one store (PostgreSQL when configured, SQLite otherwise), each
//! company's store checked against its sandbox afterwards.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use bridge_testkit::{ADMIN_TOKEN, Backend, RunningSandbox, TestDb, spawn_fleet};
use personio_sandbox::{fleet_client_id, fleet_client_secret};
use serde_json::Value;
use sqlx::{Connection, Row};

use crate::BIN;

const COMPANIES: usize = 20;
const SEED: u64 = 23;

fn key() -> String {
    bridge_store::secrets::Key::from_bytes([9u8; 32]).to_base64()
}

/// The ids of every person company `index` of the sandbox lists, page by page.
async fn sandbox_people(sandbox: &RunningSandbox, index: usize) -> BTreeSet<String> {
    let http = reqwest::Client::new();
    let auth: Value = http
        .post(sandbox.url("/v2/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &fleet_client_id(index)),
            ("client_secret", &fleet_client_secret(SEED, index)),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = auth["access_token"].as_str().unwrap().to_owned();
    let mut people = BTreeSet::new();
    let mut next = Some(sandbox.url("/v2/persons?limit=50"));
    for _ in 0..100 {
        let Some(url) = next.take() else { break };
        let page: Value = http
            .get(url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for person in page["_data"].as_array().unwrap() {
            people.insert(person["id"].as_str().unwrap().to_owned());
        }
        next = page["_meta"]["links"]["next"]["href"].as_str().map(|href| {
            match href.starts_with("http") {
                true => href.to_owned(),
                false => sandbox.url(href),
            }
        });
    }
    assert!(
        next.is_none(),
        "company {index} has more pages than expected"
    );
    people
}

/// The ids of the live employees the store holds for `company`.
async fn stored_people(db: &TestDb, company: &str) -> BTreeSet<String> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let rows = sqlx::query(
        "SELECT CAST(e.id AS TEXT) AS id FROM employees e JOIN companies c ON c.id = e.company_id \
         WHERE c.name = $1 AND e.deleted_at IS NULL",
    )
    .bind(company)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    rows.iter().map(|r| r.get::<String, _>("id")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_fleet_syncs_twenty_companies_through_two_worker_processes_into_one_store() {
    let db = match TestDb::new(Backend::Postgres).await {
        Some(db) => db,
        None => TestDb::new(Backend::Sqlite).await.unwrap(),
    };
    let sandbox = spawn_fleet(bridge_testkit::sandbox(SEED, 8).history_days(5), COMPANIES);
    let output = Command::new(BIN)
        .args(["--db", &db.url, "bench-fleet", "--companies", "20"])
        .args([
            "--workers",
            "2",
            "--processes",
            "2",
            "--seed",
            &SEED.to_string(),
        ])
        .args(["--sandbox", &sandbox.base_url, "--admin-token", ADMIN_TOKEN])
        .args(["--phase-timeout", "120s", "--output", "json"])
        .env("PERSONIO_BRIDGE_KEY", key())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "bench-fleet failed:\n{stderr}");
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)));
    let phases = report["phases"].as_array().unwrap();
    let names: Vec<&str> = phases.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["full", "incremental"]);
    for phase in phases {
        assert_eq!(phase["failed"], 0, "{phase}");
        assert_eq!(phase["processes"], 2, "{phase}");
        assert_eq!(
            phase["worker_peak_rss_mb"].as_array().unwrap().len(),
            2,
            "{phase}"
        );
        assert!(phase["records"].as_u64().unwrap() > 0, "{phase}");
        assert!(
            phase["requests"].as_u64().unwrap() >= COMPANIES as u64,
            "{phase}"
        );
    }
    assert!(phases[1]["staleness_p99_s"].as_f64().unwrap() > 0.0);
    assert_eq!(
        phases[1]["db_connections_peak"].is_number(),
        db.is_postgres(),
        "connections are counted on PostgreSQL"
    );

    // After the round, every company's store holds exactly its sandbox's people.
    for index in 1..=COMPANIES {
        let expected = sandbox_people(&sandbox, index).await;
        assert!(expected.len() >= 8, "company {index}: {expected:?}");
        let stored = stored_people(&db, &format!("fleet-{index:06}")).await;
        assert_eq!(stored, expected, "company {index}");
    }
}
