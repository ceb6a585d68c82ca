//! Several `personio-bridge worker` processes sharing one PostgreSQL store, one of them
//! killed with SIGKILL in the middle of a sync.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bridge_store::{Location, NewCompany, OpenOptions, Outcome, Store};
use bridge_testkit::{ADMIN_TOKEN, Backend, RunningSandbox, TestDb};
use secrecy::SecretString;
use sqlx::{Connection, Row};

use crate::{BIN, terminate};

const COMPANIES: usize = 20;
const EMPLOYEES: usize = 30;

fn key() -> String {
    bridge_store::secrets::Key::from_bytes([5u8; 32]).to_base64()
}

async fn open(db: &TestDb) -> Store {
    let options = OpenOptions {
        key: Some(key()),
        ..Default::default()
    };
    Store::open(&Location::parse(&db.url).unwrap(), options)
        .await
        .unwrap()
}

async fn add_company(store: &Store, sandbox: &RunningSandbox, i: usize) {
    let new = NewCompany {
        name: format!("company-{i:02}"),
        base_url: sandbox.base_url.clone(),
        client_id: format!("client-{i}"),
        client_secret: SecretString::from(format!("secret-{i}")),
        recruiting: None,
        filters: Default::default(),
        granted: serde_json::json!({}),
    };
    store.add_company(new, chrono::Utc::now()).await.unwrap();
}

fn worker(db: &TestDb, name: &str, log: &std::path::Path) -> Child {
    Command::new(BIN)
        .args(["--db", &db.url, "worker", "--name", name])
        .args(["--lease", "2s", "--poll", "50ms"])
        .env("PERSONIO_BRIDGE_KEY", key())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log.join(format!("{name}.log"))).unwrap())
        .spawn()
        .expect("start a worker")
}

/// Every record of `company`: table → id → (raw, live or deleted).
async fn contents(db: &TestDb, company: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let mut all = BTreeMap::new();
    for table in bridge_store::tables::ALL {
        let sql = format!(
            "SELECT CAST(t.id AS TEXT) AS id, t.raw || CASE WHEN t.deleted_at IS NULL THEN '' ELSE ' (deleted)' END AS raw \
             FROM {} t JOIN companies c ON c.id = t.company_id WHERE c.name = $1",
            table.name
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(company)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        let records: BTreeMap<String, String> = rows
            .iter()
            .map(|r| (r.get::<String, _>("id"), r.get::<String, _>("raw")))
            .collect();
        all.insert(table.name.to_owned(), records);
    }
    conn.close().await.unwrap();
    all
}

/// Polls the store (a bounded number of short rounds) until `done` holds; panics with the
/// workers' logs if it never does.
async fn wait_until(
    store: &Store,
    logs: &std::path::Path,
    what: &str,
    done: impl Fn(&[bridge_store::Job]) -> bool,
) {
    for _ in 0..15_000 {
        if done(&store.jobs().await.unwrap()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "gave up waiting until {what}: {:?}\n{}",
        store.jobs().await.unwrap(),
        worker_logs(logs)
    );
}

fn worker_logs(logs: &std::path::Path) -> String {
    let mut text = String::new();
    for w in ["w0", "w1", "w2"] {
        let log = std::fs::read_to_string(logs.join(format!("{w}.log"))).unwrap_or_default();
        text.push_str(&format!("--- {w}:\n{log}\n"));
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_sync_twenty_companies_and_one_killed_mid_sync_loses_nothing() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let sandbox = bridge_testkit::spawn_sandbox((0..COMPANIES).fold(
        bridge_testkit::sandbox(41, EMPLOYEES).history_days(30),
        |b, i| b.credential(format!("client-{i}"), format!("secret-{i}")),
    ));
    // The reference: a clean sync of the same data by `sync`, into SQLite.
    let reference = TestDb::new(Backend::Sqlite).await.unwrap();
    let reference_store = open(&reference).await;
    add_company(&reference_store, &sandbox, 0).await;
    reference_store.close().await;
    let status = Command::new(BIN)
        .args(["--db", &reference.url, "sync", "--output", "json"])
        .env("PERSONIO_BRIDGE_KEY", key())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "the reference sync succeeds");
    let expected = contents(&reference, "company-00").await;
    let reference_store = open(&reference).await;
    let clean_company = reference_store.company("company-00").await.unwrap();
    let clean =
        reference_store.runs(clean_company.id, 1).await.unwrap()[0].summary["resources"].clone();
    reference_store.close().await;
    assert!(
        expected["employees"].len() == EMPLOYEES,
        "the reference is complete"
    );

    // Every Personio request now takes a little while, so a sync lasts long enough to be cut.
    let faults = serde_json::json!({"rules": [
        {"path_prefix": "/v", "every": 1, "fault": {"kind": "delay", "ms": 5}}
    ]});
    let answer = reqwest::Client::new()
        .put(sandbox.url("/_sandbox/faults"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());

    let store = open(&db).await;
    for i in 0..COMPANIES {
        add_company(&store, &sandbox, i).await;
    }
    let logs = tempfile::tempdir().unwrap();
    let mut victim = worker(&db, "w0", logs.path());
    let others = [
        worker(&db, "w1", logs.path()),
        worker(&db, "w2", logs.path()),
    ];

    // Kill w0 once it holds a company it has written pages for, but not finished.
    let mut held = None;
    for _ in 0..6000 {
        let jobs = store.jobs().await.unwrap();
        if let Some(job) = jobs.iter().find(|j| j.leased_by.as_deref() == Some("w0"))
            && !store.checkpoints(job.company).await.unwrap().is_empty()
        {
            held = Some(job.company);
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    victim.kill().unwrap();
    victim.wait().unwrap();
    let cut =
        held.unwrap_or_else(|| panic!("w0 never started a sync\n{}", worker_logs(logs.path())));
    // Listings the kill left finished; nobody writes the company until the lease lapses.
    let finished_at_kill: Vec<String> = store
        .checkpoints(cut)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.listing.is_none())
        // A resource with several listings (`org_units.department`, `org_units.team`) counts
        // as finished when any of them is: that listing is read anew on resuming.
        .map(|c| c.resource.split('.').next().unwrap_or_default().to_owned())
        .collect();

    wait_until(&store, logs.path(), "every company is synced", |jobs| {
        jobs.len() == COMPANIES
            && jobs
                .iter()
                .all(|j| j.last_outcome.as_deref() == Some("succeeded") && j.leased_by.is_none())
    })
    .await;
    for mut other in others {
        terminate(&other);
        let status = other.wait().unwrap();
        assert!(
            status.success(),
            "a worker stops cleanly on SIGTERM: {status}"
        );
    }

    let cut_job = store.jobs().await.unwrap();
    let cut_job = cut_job.iter().find(|j| j.company == cut).unwrap();
    assert_eq!(
        cut_job.claims, 2,
        "the killed worker's company was taken over once"
    );
    let cut_runs = store.runs(cut, 10).await.unwrap();
    assert_eq!(cut_runs.len(), 2, "{cut_runs:#?}");
    assert_eq!(cut_runs[1].outcome, Outcome::Interrupted, "the cut run");
    assert_eq!(cut_runs[0].outcome, Outcome::Succeeded, "the resumed run");

    for company in store.companies().await.unwrap() {
        let runs = store.runs(company.id, 10).await.unwrap();
        let expected_runs = if company.id == cut { 2 } else { 1 };
        assert_eq!(
            runs.len(),
            expected_runs,
            "{}: no job ran twice",
            company.name
        );
        // An uninterrupted run wrote exactly what the clean sync wrote. The resumed run read
        // no more of a cut or unstarted listing than a clean sync: a page written again would
        // show as extra unchanged records. (Listings finished before the kill are read anew.)
        let last = &runs[0].summary["resources"];
        for (resource, counts) in clean.as_object().unwrap() {
            for count in ["created", "updated", "deleted", "unchanged"] {
                let (got, want) = (&last[resource][count], &counts[count]);
                if company.id == cut {
                    if !finished_at_kill.contains(resource) {
                        assert!(
                            got.as_u64().unwrap() <= want.as_u64().unwrap(),
                            "{} {resource} {count}: {got} after resuming, {want} in a clean sync",
                            company.name
                        );
                    }
                } else {
                    assert_eq!(got, want, "{} {resource} {count}", company.name);
                }
            }
        }
        let actual = contents(&db, &company.name).await;
        for (table, records) in &expected {
            assert!(
                actual[table] == *records,
                "{} {table}: {} records, the clean sync has {}",
                company.name,
                actual[table].len(),
                records.len()
            );
        }
    }
}
