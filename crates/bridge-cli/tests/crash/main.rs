//! Crash-resume runs: `personio-bridge sync` killed with SIGKILL at seeded moments, then run
//! again until it finishes, must leave the store exactly as an uninterrupted sync does (every
//! column of every table, derived ones such as break minutes and balances included), with
//! every run accounted for and every listing finished.
//!
//! Each run serves a sandbox of its own and syncs it in two phases: a first full sync, then,
//! after a simulated day, an incremental one (balances follow the absences that changed).
//! In each phase one store syncs without interruption and another is killed one to
//! `CRASH_KILLS` times before it is synced to the end. Kill moments are of three kinds, so
//! that they land anywhere in a sync:
//!
//! - `requests`: once the sandbox has answered a seeded number of the sync's requests (the
//!   last one included), plus a seeded pause, so kills also land while a batch is written;
//! - `events`: right after the sync logs its Nth stored batch or finished listing, where work
//!   that follows a listing would be lost;
//! - `time`: a seeded moment from the start of the sync to past the end of an uninterrupted
//!   one.
//!
//! Settings: `CRASH_RUNS` (default 2, as CI runs it; `scripts/crash` runs 50), `CRASH_SEED`
//! (the first run's seed), `CRASH_API` (`--api` of every sync, default `auto`),
//! `CRASH_MOMENTS` (`mixed`, the default, or one kind), `CRASH_KILLS` (most kills per phase,
//! default 3), `CRASH_COMPANY` (`SEED,EMPLOYEES,HISTORY_DAYS`, default `9,40,120`),
//! `CRASH_BIN` (the `personio-bridge` to run, default this build's), `CRASH_SLICES` (windows
//! the killed store's full listings read at once; the uninterrupted one reads one listing).
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod moments;
mod snapshot;
mod writes;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bridge_testkit::{ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, RunningSandbox, spawn_sandbox};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use moments::{Measure, Moment, Moments, STORE_EVENTS};

/// The binary under test: this build's, or another one named by `CRASH_BIN` (a release
/// build, say).
fn bin() -> String {
    std::env::var("CRASH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_personio-bridge").into())
}
const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// Syncs tried after the last kill before a phase counts as failed.
const MOST_RERUNS: usize = 4;

/// What every sync reads: the default resources and the two that follow others' changes.
const RESOURCES: &str = "org_units,legal_entities,workplaces,cost_centers,absence_types,employees,absences,attendances,balances,documents";

/// Logs the store events that `events` kills follow.
const LOG_LEVEL: &str = "warn,sqlx::query=error,bridge_sync=debug";

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// The sandbox company: seed, employees and days of history.
fn company() -> (u64, usize, u32) {
    let spec = std::env::var("CRASH_COMPANY").unwrap_or_else(|_| "9,40,120".into());
    let parts: Vec<u64> = spec
        .split(',')
        .map(|p| {
            p.trim()
                .parse()
                .expect("CRASH_COMPANY is SEED,EMPLOYEES,HISTORY_DAYS")
        })
        .collect();
    let [seed, employees, days] = parts[..] else {
        panic!("CRASH_COMPANY is SEED,EMPLOYEES,HISTORY_DAYS, not {spec:?}");
    };
    (seed, employees as usize, days as u32)
}

fn bridge(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(bin());
    command
        .args(args)
        .current_dir(dir)
        .env_remove("PERSONIO_BRIDGE_DB")
        .env_remove("RUST_LOG")
        .env("PERSONIO_BRIDGE_KEY", KEY)
        .env("PERSONIO_CLIENT_SECRET", CLIENT_SECRET);
    // A store's syncs read full listings in the slices its directory names (none: one).
    match std::fs::read_to_string(dir.join(SLICES_FILE)) {
        Ok(slices) => command.env("PERSONIO_BRIDGE_SLICES", slices.trim()),
        Err(_) => command.env_remove("PERSONIO_BRIDGE_SLICES"),
    };
    command
}

/// In a store's directory: how many windows its full listings read at once.
const SLICES_FILE: &str = "slices";

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

/// A sync of `acme` with the run's settings, its log on stderr.
fn sync_command(dir: &Path) -> Command {
    let api = std::env::var("CRASH_API").unwrap_or_else(|_| "auto".into());
    let mut command = bridge(
        dir,
        &[
            "--log-level",
            LOG_LEVEL,
            "sync",
            "--company",
            "acme",
            "--output",
            "json",
            "--api",
            &api,
            "--resources",
            RESOURCES,
        ],
    );
    command.stdin(Stdio::null()).stdout(Stdio::null());
    command
}

/// Runs `sync` to its end; whether it succeeded fully.
fn sync(dir: &Path) -> bool {
    sync_command(dir)
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

/// Runs an uninterrupted sync and measures what kill moments are drawn from.
fn measured_sync(dir: &Path, sandbox: &RunningSandbox) -> Measure {
    let before = requests_answered(sandbox);
    let started = Instant::now();
    let mut child = sync_command(dir).stderr(Stdio::piped()).spawn().unwrap();
    let mut events = [0; STORE_EVENTS.len()];
    for event in store_events(&mut child) {
        events[event] += 1;
    }
    assert!(
        child.wait().unwrap().success(),
        "the uninterrupted sync succeeds"
    );
    Measure {
        requests: requests_answered(sandbox) - before,
        events,
        duration: started.elapsed(),
    }
}

/// The store events the running sync logs, as they come (their index in [`STORE_EVENTS`]).
/// The sync's whole log is read, so that a full pipe never stalls it, until it ends.
fn store_events(child: &mut Child) -> mpsc::Receiver<usize> {
    let stderr = child.stderr.take().expect("stderr is piped");
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(event) = STORE_EVENTS.iter().position(|e| line.contains(e)) {
                let _ = sender.send(event);
            }
        }
    });
    receiver
}

/// How many requests the sandbox has answered (`GET /_sandbox/requests`).
fn requests_answered(sandbox: &RunningSandbox) -> u64 {
    admin(
        sandbox,
        reqwest::Method::GET,
        "/_sandbox/requests",
        Value::Null,
    )["total"]
        .as_u64()
        .unwrap()
}

fn admin(sandbox: &RunningSandbox, method: reqwest::Method, path: &str, body: Value) -> Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let response = reqwest::Client::new()
            .request(method, sandbox.url(path))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    })
}

/// Starts a sync and kills it at `moment`, or lets it be if it finishes first. Whether it
/// was killed.
// A plain thread with no async runtime to block: sleeping between polls is what it should do.
#[allow(clippy::disallowed_methods)]
fn sync_killed_at(dir: &Path, sandbox: &RunningSandbox, moment: Moment) -> bool {
    let start = requests_answered(sandbox);
    let started = Instant::now();
    let mut child = sync_command(dir).stderr(Stdio::piped()).spawn().unwrap();
    let events = store_events(&mut child);
    let wait = match moment {
        Moment::Requests { after, pause } => {
            // Bounded: a sync of this company ends long before, and then the loop stops.
            (0..60_000)
                .map_while(|_| {
                    if child.try_wait().unwrap().is_some() {
                        return None;
                    }
                    let reached = requests_answered(sandbox) >= start + after;
                    if !reached {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    Some(reached)
                })
                .any(|reached| reached)
                .then_some(pause)
        }
        // The sync ends its log when it ends: then there is nothing left to kill.
        Moment::Event {
            event,
            count,
            pause,
        } => events
            .iter()
            .filter(|e| *e == event)
            .nth(count as usize - 1)
            .map(|_| pause),
        Moment::Time(at) => Some(at.saturating_sub(started.elapsed())),
    };
    if let Some(wait) = wait {
        std::thread::sleep(wait);
    }
    let killed = wait.is_some() && child.try_wait().unwrap().is_none();
    if killed {
        child.kill().unwrap(); // SIGKILL
    }
    child.wait().unwrap();
    killed
}

#[test]
fn syncs_killed_at_seeded_moments_and_rerun_end_like_an_uninterrupted_sync() {
    let runs = env_number("CRASH_RUNS", 2);
    let first_seed = env_number("CRASH_SEED", 1);
    let most_kills = env_number("CRASH_KILLS", 3).max(1);
    let kinds = Moments::from_env();
    let mut failures = Vec::new();
    let mut kills_total = 0;
    let slices = std::env::var("CRASH_SLICES").ok();
    for seed in first_seed..first_seed + runs {
        match run(seed, most_kills, kinds, slices.as_deref()) {
            Ok(kills) => {
                kills_total += kills;
                println!("crash: passed  seed {seed} ({kills} kills)");
            }
            Err(error) => {
                println!("crash: FAILED  seed {seed}: {error}");
                failures.push(seed);
            }
        }
    }
    println!(
        "crash: {} runs passed, {} failed, {kills_total} kills in the passing runs; failing seeds: {failures:?}",
        runs as usize - failures.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "failing seeds: {failures:?}");
}

/// Full listings read in slices side by side (attendance periods by windows of days),
/// killed at seeded moments and rerun, end like an uninterrupted sync reading one listing:
/// every window resumes after its last stored batch.
#[test]
fn sliced_syncs_killed_and_rerun_end_like_an_uninterrupted_one_listing_sync() {
    let seed = env_number("CRASH_SEED", 1);
    let kills = run(seed, 3, Moments::from_env(), Some("4"))
        .unwrap_or_else(|e| panic!("seed {seed}, sliced: {e}"));
    println!("crash: passed  seed {seed}, sliced ({kills} kills)");
}

/// One seeded run, both phases; the kills it made, or what went wrong.
fn run(seed: u64, most_kills: u64, kinds: Moments, slices: Option<&str>) -> Result<u32, String> {
    let (company_seed, employees, days) = company();
    let sandbox =
        spawn_sandbox(bridge_testkit::sandbox(company_seed, employees).history_days(days));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (clean, killed) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    if let Some(slices) = slices {
        std::fs::write(killed.path().join(SLICES_FILE), slices).unwrap();
    }
    connect(clean.path(), &sandbox);
    connect(killed.path(), &sandbox);
    let mut kills = 0;
    for phase in ["full", "incremental"] {
        if phase == "incremental" {
            admin(
                &sandbox,
                reqwest::Method::POST,
                "/_sandbox/simulate",
                json!({"days": 1}),
            );
        }
        let measure = measured_sync(clean.path(), &sandbox);
        let expected = snapshot::of(clean.path(), KEY);
        if phase == "full" {
            snapshot::assert_worth_interrupting(&expected);
        }
        for _ in 0..rng.random_range(1..=most_kills) {
            let moment = kinds.draw(&mut rng, &measure);
            kills += u32::from(sync_killed_at(killed.path(), &sandbox, moment));
        }
        if !(0..MOST_RERUNS).any(|_| sync(killed.path())) {
            return Err(format!(
                "{phase}: no sync succeeded in {MOST_RERUNS} tries after the kills"
            ));
        }
        let actual = snapshot::of(killed.path(), KEY);
        if actual != expected {
            return Err(format!(
                "{phase}: {}",
                snapshot::difference(&actual, &expected)
            ));
        }
        check_bookkeeping(&bookkeeping(killed.path())).map_err(|e| format!("{phase}: {e}"))?;
    }
    Ok(kills)
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
