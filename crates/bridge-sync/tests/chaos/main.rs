//! Chaos runs: syncs under every fault the sandbox can plan, and under seeded random mixes of
//! them, must leave the store exactly as a fault-free sync of the same company does.
//!
//! Each run serves one sandbox and syncs it into two stores: the faulted one (the plan on,
//! rerunning the sync until it succeeds, as a scheduler would) and the reference (the plan
//! off). Both are compared record by record after a full sync, and again after a simulated
//! day and an incremental sync with reconciliation.
//!
//! `CHAOS_RUNS` sets how many random mixes run besides one run per fault kind (default 3,
//! as CI runs it; `scripts/chaos` runs 100). `CHAOS_SEED` sets the first mix's seed,
//! `CHAOS_API` the `--api` of every sync (`auto`, `v1` or `v2`; default `auto`),
//! `CHAOS_SLICES` how many windows the faulted store's full listings read at once (the
//! reference always reads them as one).
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod plans;
mod store;
mod writes;

use std::time::Duration;

use bridge_store::{Company, Outcome};
use bridge_sync::{ApiChoice, ResourceName, SyncEngine, SyncOptions};
use bridge_testkit::{ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, RunningSandbox, spawn_sandbox};
use personio_client::{Client, ClientConfig};
use secrecy::SecretString;
use serde_json::{Value, json};

use plans::{Scenario, fault_kinds, persons_under_every_fault, random_mix, single_kind};
use store::{TestStore, difference, fresh_store, snapshot};

/// Syncs tried per phase before a run counts as failed: faults drawn at random can beat
/// every retry of a request, and the next sync must then pick up where the last one stopped.
const MAX_SYNCS: usize = 8;

/// The company every run syncs: small, with several pages of time data.
const COMPANY_SEED: u64 = 5;
const EMPLOYEES: usize = 30;
const HISTORY_DAYS: u32 = 60;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn client(base_url: &str) -> Client {
    let mut config = ClientConfig::new(
        url::Url::parse(base_url).unwrap(),
        CLIENT_ID,
        SecretString::from(CLIENT_SECRET.to_owned()),
    );
    // Short waits keep runs quick; the timeout stays well above a debug build's answers.
    config.request_timeout = Duration::from_millis(1_500);
    config.backoff_base = Duration::from_millis(5);
    config.backoff_max = Duration::from_millis(50);
    config.rate_limit_wait = Duration::from_millis(20);
    Client::new(config).unwrap()
}

async fn admin(
    sandbox: &RunningSandbox,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> Value {
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
}

/// Puts a fault plan on the sandbox (`PUT /_sandbox/faults`).
async fn plan_faults(sandbox: &RunningSandbox, plan: Value) {
    admin(sandbox, reqwest::Method::PUT, "/_sandbox/faults", plan).await;
}

/// Takes the fault plan off.
async fn clear_faults(sandbox: &RunningSandbox) {
    admin(
        sandbox,
        reqwest::Method::DELETE,
        "/_sandbox/faults",
        json!({}),
    )
    .await;
}

/// How many requests the active plan has faulted.
async fn faults_applied(sandbox: &RunningSandbox) -> u64 {
    let plan = admin(
        sandbox,
        reqwest::Method::GET,
        "/_sandbox/faults",
        Value::Null,
    )
    .await;
    plan["rules"]
        .as_array()
        .map(|rules| rules.iter().filter_map(|r| r["faulted"].as_u64()).sum())
        .unwrap_or(0)
}

/// What a passing run went through.
pub struct Account {
    faults: u64,
    syncs: usize,
}

/// Syncs until a sync succeeds; how many it took, or why it never did.
async fn sync_until_done(
    target: &TestStore,
    company: &Company,
    base_url: &str,
    options: &SyncOptions,
) -> Result<usize, String> {
    let mut last = String::new();
    for attempt in 1..=MAX_SYNCS {
        let engine = SyncEngine::new(target.store.clone(), client(base_url), company.clone());
        match engine.run(options).await {
            Ok(summary) if summary.outcome == Outcome::Succeeded => return Ok(attempt),
            Ok(summary) => last = format!("outcome {}", summary.outcome),
            Err(error) => last = error.to_string(),
        }
    }
    Err(format!(
        "no sync succeeded in {MAX_SYNCS} tries; last: {last}"
    ))
}

/// One run: the scenario's plan against a fault-free reference, full then incremental.
async fn run(
    scenario: &Scenario,
    api: ApiChoice,
    slices: Option<usize>,
) -> Result<Account, String> {
    let sandbox =
        spawn_sandbox(bridge_testkit::sandbox(COMPANY_SEED, EMPLOYEES).history_days(HISTORY_DAYS));
    let base = sandbox.base_url.clone();
    let faulted = fresh_store(&base).await;
    let reference = fresh_store(&base).await;
    let mut account = Account {
        faults: 0,
        syncs: 0,
    };
    let phases = [
        (
            "full",
            SyncOptions {
                api,
                ..SyncOptions::default()
            },
        ),
        (
            "incremental",
            SyncOptions {
                reconcile: true,
                api,
                ..SyncOptions::default()
            },
        ),
    ];
    for (phase, options) in phases {
        if phase == "incremental" {
            admin(
                &sandbox,
                reqwest::Method::POST,
                "/_sandbox/simulate",
                json!({"days": 1}),
            )
            .await;
        }
        plan_faults(&sandbox, scenario.plan.clone()).await;
        let sliced = SyncOptions {
            slices,
            ..options.clone()
        };
        let outcome = sync_until_done(&faulted, &faulted.company, &base, &sliced).await;
        account.faults += faults_applied(&sandbox).await;
        clear_faults(&sandbox).await;
        account.syncs += outcome.map_err(|e| format!("{phase}: {e}"))?;
        let one_slice = SyncOptions {
            slices: Some(1),
            ..options
        };
        sync_until_done(&reference, &reference.company, &base, &one_slice)
            .await
            .map_err(|e| format!("{phase}, without faults: {e}"))?;
        let (actual, expected) = (snapshot(&faulted).await, snapshot(&reference).await);
        assert!(
            expected.len() > 500,
            "a company worth syncing: {}",
            expected.len()
        );
        if actual != expected {
            return Err(format!("{phase}: {}", difference(&actual, &expected)));
        }
    }
    Ok(account)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncs_under_every_fault_and_seeded_mixes_end_like_a_fault_free_sync() {
    let mixes = env_number("CHAOS_RUNS", 3);
    let first_seed = env_number("CHAOS_SEED", 1);
    let mut scenarios: Vec<Scenario> = fault_kinds()
        .into_iter()
        .map(|(name, fault)| single_kind(name, fault))
        .collect();
    scenarios.extend((first_seed..first_seed + mixes).map(random_mix));
    let api = match std::env::var("CHAOS_API").as_deref() {
        Err(_) | Ok("auto") => ApiChoice::Auto,
        Ok("v1") => ApiChoice::V1,
        Ok("v2") => ApiChoice::V2,
        Ok(other) => panic!("CHAOS_API={other}: expected auto, v1 or v2"),
    };
    let slices = std::env::var("CHAOS_SLICES")
        .ok()
        .and_then(|v| v.trim().parse().ok());
    report(&scenarios, api, slices).await;
}

/// Full listings read in slices side by side (attendance periods by windows of days),
/// under every fault kind and a seeded mix, end like a fault-free sync that reads each
/// listing as one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sliced_listings_under_every_fault_end_like_one_listing() {
    let mut scenarios: Vec<Scenario> = fault_kinds()
        .into_iter()
        .map(|(name, fault)| single_kind(name, fault))
        .collect();
    scenarios.push(random_mix(env_number("CHAOS_SEED", 1)));
    report(&scenarios, ApiChoice::Auto, Some(4)).await;
}

/// Employees read through v2 take a request per person for employments: faults on those
/// requests, and on the persons' pages, end like a fault-free v2 sync too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn employees_through_v2_end_like_a_fault_free_sync_under_faults() {
    report(&[persons_under_every_fault()], ApiChoice::V2, None).await;
}

/// Runs every scenario and fails with the names of those that did not converge.
async fn report(scenarios: &[Scenario], api: ApiChoice, slices: Option<usize>) {
    let mut failures = Vec::new();
    for scenario in scenarios {
        match run(scenario, api, slices).await {
            Ok(account) => println!(
                "chaos: passed  {} ({} faults, {} syncs for 2 phases)",
                scenario.name, account.faults, account.syncs
            ),
            Err(error) => {
                println!(
                    "chaos: FAILED  {}: {error}\n  plan: {}",
                    scenario.name, scenario.plan
                );
                failures.push(scenario.name.clone());
            }
        }
    }
    println!(
        "chaos: {} runs passed, {} failed{}",
        scenarios.len() - failures.len(),
        failures.len(),
        if failures.is_empty() {
            String::new()
        } else {
            format!(": {}", failures.join("; "))
        }
    );
    assert!(failures.is_empty(), "failed runs: {failures:?}");
}

/// A fault on every try of a request makes the sync give up; once the fault passes, the
/// next sync must bring the store to where a fault-free sync does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_that_gave_up_converges_when_rerun() {
    let sandbox =
        spawn_sandbox(bridge_testkit::sandbox(COMPANY_SEED, EMPLOYEES).history_days(HISTORY_DAYS));
    let base = sandbox.base_url.clone();
    let faulted = fresh_store(&base).await;
    let reference = fresh_store(&base).await;
    // More failures in a row than the client has attempts, on the first page of one listing:
    // the first sync cannot finish it.
    let attempts = ClientConfig::new(
        url::Url::parse(&base).unwrap(),
        CLIENT_ID,
        SecretString::from(String::new()),
    )
    .max_attempts;
    let plan = json!({"rules": [{"path_prefix": "/v2/attendance-periods", "method": "GET",
        "first": attempts, "fault": {"kind": "status", "status": 503}}]});
    plan_faults(&sandbox, plan).await;
    let options = SyncOptions::default();
    let engine = SyncEngine::new(
        faulted.store.clone(),
        client(&base),
        faulted.company.clone(),
    );
    let first = engine.run(&options).await;
    assert!(
        !matches!(&first, Ok(summary) if summary.outcome == Outcome::Succeeded),
        "a request failing on every try cannot give a complete sync: {:?}",
        first.map(|s| s.outcome)
    );
    let tries = sync_until_done(&faulted, &faulted.company, &base, &options)
        .await
        .unwrap();
    assert_eq!(
        tries, 1,
        "the faults had passed: the rerun succeeds at once"
    );
    clear_faults(&sandbox).await;
    sync_until_done(&reference, &reference.company, &base, &options)
        .await
        .unwrap();
    let (actual, expected) = (snapshot(&faulted).await, snapshot(&reference).await);
    assert!(actual == expected, "{}", difference(&actual, &expected));
}

/// Work that follows other resources' changes (balances follow absences, documents follow
/// employees) stays owed until it is done: a sync that stored those changes and then gave
/// up on the work leaves it to the next sync, which must do it, and derived values (break
/// minutes) must be right too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_that_follows_changes_is_done_by_the_sync_after_one_that_gave_up() {
    // A company whose simulated days change absences and employees.
    let sandbox = spawn_sandbox(bridge_testkit::sandbox(9, 40).history_days(HISTORY_DAYS));
    let base = sandbox.base_url.clone();
    let faulted = fresh_store(&base).await;
    let reference = fresh_store(&base).await;
    let mut resources = ResourceName::DEFAULT.to_vec();
    resources.extend([ResourceName::Balances, ResourceName::Documents]);
    let options = SyncOptions {
        resources,
        ..SyncOptions::default()
    };
    for store in [&faulted, &reference] {
        sync_until_done(store, &store.company, &base, &options)
            .await
            .unwrap();
    }
    admin(
        &sandbox,
        reqwest::Method::POST,
        "/_sandbox/simulate",
        json!({"days": 3}),
    )
    .await;
    // Every balance and document listing fails, on every try: the sync gives both up,
    // after absences and employees have stored the day's changes.
    let rules: Vec<Value> = [
        "/v1/company/employees/",
        "/v2/document-management/documents",
    ]
    .iter()
    .map(|path| {
        json!({"path_prefix": path, "method": "GET", "every": 1,
                "fault": {"kind": "status", "status": 503}})
    })
    .collect();
    plan_faults(&sandbox, json!({ "rules": rules })).await;
    let engine = SyncEngine::new(
        faulted.store.clone(),
        client(&base),
        faulted.company.clone(),
    );
    let given_up = engine.run(&options).await.unwrap();
    for resource in ["balances", "documents"] {
        assert!(
            given_up.resources[resource].error.is_some(),
            "{resource} given up: {:?}",
            given_up.resources[resource]
        );
    }
    clear_faults(&sandbox).await;
    sync_until_done(&faulted, &faulted.company, &base, &options)
        .await
        .unwrap();
    let engine = SyncEngine::new(
        reference.store.clone(),
        client(&base),
        reference.company.clone(),
    );
    let followed = engine.run(&options).await.unwrap();
    assert!(
        followed.resources["balances"].fetched > 0 && followed.resources["documents"].fetched > 0,
        "the day changed absences and employees: {:?}",
        followed.resources
    );
    let (actual, expected) = (snapshot(&faulted).await, snapshot(&reference).await);
    assert!(actual == expected, "{}", difference(&actual, &expected));
}
