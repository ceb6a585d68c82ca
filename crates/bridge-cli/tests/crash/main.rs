//! Crash-resume runs: `personio-bridge sync` killed with SIGKILL at seeded moments, then run
//! again until it finishes, must leave the store exactly as one uninterrupted sync does, with
//! every run accounted for and every listing finished.
//!
//! The moment of each kill is a request count: the sync is killed once the sandbox has
//! answered a seeded number of its requests (plus a seeded pause, so kills also land while
//! a page is being written), which replays far better than a wall-clock moment.
//!
//! `CRASH_RUNS` sets how many runs (default 2, as CI runs it; `scripts/crash` runs 50),
//! `CRASH_SEED` the first run's seed, `CRASH_API` the `--api` every sync is given (default
//! `auto`).
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use bridge_testkit::{ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, RunningSandbox, spawn_sandbox};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_personio-bridge");
const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// Kills per run, at most; and syncs tried after the last kill before a run counts as failed.
const MOST_KILLS: u32 = 3;
const MOST_RERUNS: usize = 4;

/// Every table the export can write, compared in full.
const TABLES: &[&str] = &[
    "employees",
    "employments",
    "employee_cost_centers",
    "org_units",
    "legal_entities",
    "workplaces",
    "cost_centers",
    "absence_types",
    "absence_periods",
    "attendance_periods",
    "balances",
];

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn bridge(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(dir)
        .env_remove("PERSONIO_BRIDGE_DB")
        .env_remove("RUST_LOG")
        .env("PERSONIO_BRIDGE_KEY", KEY)
        .env("PERSONIO_CLIENT_SECRET", CLIENT_SECRET);
    command
}

fn output(dir: &Path, args: &[&str]) -> Output {
    bridge(dir, args).stdin(Stdio::null()).output().unwrap()
}

fn connect(dir: &Path, sandbox: &RunningSandbox) {
    let out = output(
        dir,
        &[
            "connect",
            "--company",
            "acme",
            "--base-url",
            &sandbox.base_url,
            "--client-id",
            CLIENT_ID,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The arguments of every sync.
fn sync_args() -> Vec<String> {
    let api = std::env::var("CRASH_API").unwrap_or_else(|_| "auto".into());
    [
        "sync",
        "--company",
        "acme",
        "--output",
        "json",
        "--api",
        &api,
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Runs `sync` to its end; whether it succeeded fully.
fn sync(dir: &Path) -> bool {
    let args = sync_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    output(dir, &args).status.success()
}

/// Every table's export, deleted records included, lines sorted.
fn exports(dir: &Path) -> Vec<String> {
    let mut lines = Vec::new();
    for table in TABLES {
        let out = output(
            dir,
            &[
                "export",
                "--company",
                "acme",
                "--resource",
                table,
                "--format",
                "jsonl",
                "--include-deleted",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        lines.extend(
            String::from_utf8(out.stdout)
                .unwrap()
                .lines()
                .map(|line| format!("{table} {line}")),
        );
    }
    lines.sort();
    lines
}

/// How many requests the sandbox has answered (`GET /_sandbox/requests`).
fn requests_answered(sandbox: &RunningSandbox) -> u64 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body: Value = runtime.block_on(async {
        reqwest::Client::new()
            .get(sandbox.url("/_sandbox/requests"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    body["total"].as_u64().unwrap()
}

/// Starts a sync and kills it once the sandbox has answered `after` more requests and a
/// further `pause` has passed, or lets it be if it finishes first. Whether it was killed.
// A plain thread with no async runtime to block: sleeping between polls is what it should do.
#[allow(clippy::disallowed_methods)]
fn sync_killed_after(dir: &Path, sandbox: &RunningSandbox, after: u64, pause: Duration) -> bool {
    let start = requests_answered(sandbox);
    let args = sync_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut child = bridge(dir, &args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Bounded: a sync of this company ends long before, and then the loop stops.
    for _ in 0..60_000 {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if requests_answered(sandbox) >= start + after {
            std::thread::sleep(pause);
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("the sync neither finished nor reached {after} requests");
}

/// What the store says about its runs and listings, read with `status --output json`.
fn bookkeeping(dir: &Path) -> Value {
    let out = output(dir, &["status", "--company", "acme", "--output", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn syncs_killed_at_seeded_moments_and_rerun_end_like_an_uninterrupted_sync() {
    let runs = env_number("CRASH_RUNS", 2);
    let first_seed = env_number("CRASH_SEED", 1);
    let sandbox = spawn_sandbox(bridge_testkit::sandbox(9, 40).history_days(120));

    let clean = tempfile::tempdir().unwrap();
    connect(clean.path(), &sandbox);
    let before = requests_answered(&sandbox);
    assert!(sync(clean.path()), "the uninterrupted sync succeeds");
    let requests = requests_answered(&sandbox) - before;
    let expected = exports(clean.path());
    assert!(expected.len() > 1_000, "a company worth interrupting");

    let mut failures = Vec::new();
    for seed in first_seed..first_seed + runs {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let dir = tempfile::tempdir().unwrap();
        connect(dir.path(), &sandbox);
        let mut kills = 0;
        for _ in 0..rng.random_range(1..=MOST_KILLS) {
            let after = rng.random_range(1..requests.max(2));
            let pause = Duration::from_millis(rng.random_range(0..30));
            kills += u32::from(sync_killed_after(dir.path(), &sandbox, after, pause));
        }
        let finished = (0..MOST_RERUNS).any(|_| sync(dir.path()));
        let verdict = if !finished {
            Err(format!(
                "no sync succeeded in {MOST_RERUNS} tries after the kills"
            ))
        } else {
            let actual = exports(dir.path());
            check_bookkeeping(&bookkeeping(dir.path())).and_then(|()| {
                if actual == expected {
                    Ok(())
                } else {
                    Err(format!(
                        "{} exported records, expected {}; first missing: {:?}; first unexpected: {:?}",
                        actual.len(),
                        expected.len(),
                        expected.iter().find(|l| !actual.contains(l)),
                        actual.iter().find(|l| !expected.contains(l)),
                    ))
                }
            })
        };
        match verdict {
            Ok(()) => println!("crash: passed  seed {seed} ({kills} kills)"),
            Err(error) => {
                println!("crash: FAILED  seed {seed} ({kills} kills): {error}");
                failures.push(seed);
            }
        }
    }
    println!(
        "crash: {} runs passed, {} failed; failing seeds: {failures:?}",
        runs as usize - failures.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "failing seeds: {failures:?}");
}

/// The newest run succeeded, every earlier one ended as succeeded or interrupted (a killed
/// run is marked when the next starts), and no listing is left half-done.
fn check_bookkeeping(status: &Value) -> Result<(), String> {
    let company = &status["companies"][0];
    let runs = company["runs"].as_array().ok_or("no runs in the status")?;
    let outcomes: Vec<&str> = runs.iter().filter_map(|r| r["outcome"].as_str()).collect();
    if outcomes.first() != Some(&"succeeded")
        || outcomes
            .iter()
            .any(|o| !["succeeded", "interrupted"].contains(o))
    {
        return Err(format!("run outcomes, newest first: {outcomes:?}"));
    }
    let unfinished: Vec<&Value> = company["checkpoints"]
        .as_array()
        .ok_or("no checkpoints in the status")?
        .iter()
        .filter(|c| !c["listing"].is_null())
        .collect();
    if !unfinished.is_empty() {
        return Err(format!("listings left unfinished: {unfinished:?}"));
    }
    Ok(())
}
