//! `personio-bridge write` killed with SIGKILL at seeded moments of a 500-line file, then run
//! again until it finishes: Personio must hold every line's period exactly once, and the
//! last run must report every line written. Also: the result lines, refused lines, exit
//! codes, updates and deletes of an uninterrupted file.
//!
//! Settings: `CRASH_WRITE_RUNS` (default 1, as CI runs it; `scripts/crash-writes` runs 20),
//! `CRASH_SEED` (the first run's seed), `CRASH_KILLS` (most kills per run, default 3),
//! `CRASH_WRITE_LINES` (default 500).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use bridge_testkit::{CLIENT_ID, CLIENT_SECRET, RunningSandbox, spawn_sandbox};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::{bridge, connect, env_number, requests_answered};

/// Runs after the last kill before a run counts as failed.
const MOST_RERUNS: usize = 4;

/// Personio's answers, with the test credential.
fn personio(sandbox: &RunningSandbox, path: &str) -> Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let token: Value = http
            .post(sandbox.url("/v2/auth/token"))
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
        http.get(sandbox.url(path))
            .bearer_auth(token["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    })
}

fn people(sandbox: &RunningSandbox) -> Vec<i64> {
    personio(sandbox, "/v2/persons?limit=50")["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

/// Personio's periods from 2027 on: (person, start) → (id, comment) of each.
fn periods_2027(sandbox: &RunningSandbox) -> BTreeMap<(String, String), Vec<(String, Value)>> {
    let mut held: BTreeMap<(String, String), Vec<(String, Value)>> = BTreeMap::new();
    let mut href =
        "/v2/attendance-periods?limit=100&start.date_time.gte=2027-01-01T00:00:00".to_owned();
    for _ in 0..10_000 {
        let page = personio(sandbox, &href);
        for p in page["_data"].as_array().unwrap() {
            held.entry((
                p["person"]["id"].as_str().unwrap().to_owned(),
                p["start"]["date_time"].as_str().unwrap().to_owned(),
            ))
            .or_default()
            .push((p["id"].as_str().unwrap().to_owned(), p["comment"].clone()));
        }
        match page["_meta"]["links"]["next"]["href"].as_str() {
            // Absolute links name the sandbox's origin; its path and query are what count.
            Some(next) => href = next[next.find("/v2/").unwrap()..].to_owned(),
            None => return held,
        }
    }
    panic!("paging never ended")
}

/// A file of `count` creates, none overlapping: person by person, a day each.
fn lines(people: &[i64], count: usize) -> (String, Vec<(String, String)>) {
    let mut text = String::new();
    let mut expected = Vec::new();
    for i in 0..count {
        let person = people[i % people.len()];
        let day = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
            + chrono::Duration::days((i / people.len()) as i64);
        let start = format!("{day}T08:00:00");
        text.push_str(
            &json!({
                "employee_id": person,
                "start": start,
                "end": format!("{day}T16:30"),
                "comment": format!("line {}", i + 1),
                "status": "CONFIRMED",
            })
            .to_string(),
        );
        text.push('\n');
        expected.push((person.to_string(), start));
    }
    (text, expected)
}

/// `write --create` of `file`, its result lines on stdout.
fn write_command(dir: &Path, operation: &str, file: &Path) -> std::process::Command {
    let mut command = bridge(
        dir,
        &[
            "write",
            "--company",
            "acme",
            "--resource",
            "attendance_periods",
            operation,
            file.to_str().unwrap(),
            "--output",
            "json",
        ],
    );
    // The operator the audit log names (`cli:<user>`).
    command
        .env("USER", "payroll-clerk")
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// The actor and action of every audit entry about a write, newest first.
fn audited_writes(dir: &Path) -> Vec<(String, String)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = bridge_store::Store::open(
            &bridge_store::Location::Sqlite(dir.join("bridge.db")),
            bridge_store::OpenOptions {
                key: Some(crate::KEY.to_owned()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let entries = store
            .audit_log(&bridge_store::AuditQuery {
                action: Some("write".into()),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        store.close().await;
        entries.into_iter().map(|e| (e.actor, e.action)).collect()
    })
}

/// Runs `write` to its end: exit code and result lines.
fn write(dir: &Path, operation: &str, file: &Path) -> (i32, Vec<Value>) {
    let out = write_command(dir, operation, file).output().unwrap();
    let results = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code().unwrap_or(-1), results)
}

/// Starts `write` and SIGKILLs it once the sandbox has answered `after` more requests (plus
/// `pause`); whether it was killed before it finished.
// A plain thread with no async runtime to block: sleeping between polls is what it should do.
#[allow(clippy::disallowed_methods)]
fn write_killed_after(
    dir: &Path,
    sandbox: &RunningSandbox,
    file: &Path,
    after: u64,
    pause: Duration,
) -> bool {
    let start = requests_answered(sandbox);
    let mut child = write_command(dir, "--create", file)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let reached = (0..120_000)
        .map_while(|_| {
            if child.try_wait().unwrap().is_some() {
                return None;
            }
            let reached = requests_answered(sandbox) >= start + after;
            if !reached {
                std::thread::sleep(Duration::from_millis(1));
            }
            Some(reached)
        })
        .any(|reached| reached);
    if reached {
        std::thread::sleep(pause);
    }
    let killed = reached && child.try_wait().unwrap().is_none();
    if killed {
        child.kill().unwrap(); // SIGKILL
    }
    child.wait().unwrap();
    killed
}

/// One seeded run: kills, reruns, and the count of each line's period in Personio.
fn run(seed: u64, most_kills: u64, count: usize) -> Result<u32, String> {
    let sandbox = spawn_sandbox(bridge_testkit::sandbox(9, 20).history_days(3));
    let dir = tempfile::tempdir().unwrap();
    connect(dir.path(), &sandbox);
    let (text, expected) = lines(&people(&sandbox), count);
    let file = dir.path().join("hours.jsonl");
    std::fs::write(&file, text).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut kills = 0;
    // A line costs about one request: its create (what was created is read back 40 at a time).
    let span = count as u64 + count as u64 / 20;
    for _ in 0..rng.random_range(1..=most_kills) {
        let after = rng.random_range(1..span);
        let pause = Duration::from_millis(rng.random_range(0..15));
        kills += u32::from(write_killed_after(
            dir.path(),
            &sandbox,
            &file,
            after,
            pause,
        ));
    }
    let mut last = (0, Vec::new());
    for _ in 0..MOST_RERUNS {
        last = write(dir.path(), "--create", &file);
        if last.0 == 0 {
            break;
        }
    }
    let (code, results) = last;
    if code != 0 {
        return Err(format!(
            "no run finished the file in {MOST_RERUNS} tries (exit {code})"
        ));
    }
    if results.len() != count || results.iter().any(|r| r["outcome"] != "created") {
        let odd: Vec<&Value> = results
            .iter()
            .filter(|r| r["outcome"] != "created")
            .take(3)
            .collect();
        return Err(format!(
            "{} result lines, not all created: {odd:?}",
            results.len()
        ));
    }
    let held = periods_2027(&sandbox);
    for (i, slot) in expected.iter().enumerate() {
        match held.get(slot).map(Vec::len) {
            Some(1) => {}
            Some(n) => {
                return Err(format!(
                    "line {}: Personio holds its period {n} times",
                    i + 1
                ));
            }
            None => return Err(format!("line {}: Personio lacks its period", i + 1)),
        }
    }
    if held.len() != expected.len() {
        return Err(format!(
            "Personio holds {} periods, the file has {}",
            held.len(),
            expected.len()
        ));
    }
    Ok(kills)
}

#[test]
fn a_bulk_write_killed_at_seeded_moments_and_rerun_writes_every_line_once() {
    let runs = env_number("CRASH_WRITE_RUNS", 1);
    let first_seed = env_number("CRASH_SEED", 1);
    let most_kills = env_number("CRASH_KILLS", 3).max(1);
    let count = env_number("CRASH_WRITE_LINES", 500) as usize;
    let mut failures = Vec::new();
    let mut kills_total = 0;
    for seed in first_seed..first_seed + runs {
        match run(seed, most_kills, count) {
            Ok(kills) => {
                kills_total += kills;
                println!("crash-writes: passed  seed {seed} ({kills} kills, {count} lines)");
            }
            Err(error) => {
                println!("crash-writes: FAILED  seed {seed}: {error}");
                failures.push(seed);
            }
        }
    }
    println!(
        "crash-writes: {} runs passed, {} failed, {kills_total} kills in the passing runs; failing seeds: {failures:?}",
        runs as usize - failures.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "failing seeds: {failures:?}");
}

#[test]
fn a_bulk_write_reports_each_line_and_exits_4_when_some_are_refused() {
    let sandbox = spawn_sandbox(bridge_testkit::sandbox(9, 5).history_days(3));
    let dir = tempfile::tempdir().unwrap();
    connect(dir.path(), &sandbox);
    let people = people(&sandbox);
    let (mut text, _) = lines(&people, 3);
    // Line 4 is malformed, line 5 overlaps line 1 (Personio refuses it).
    text.push_str("{\"employee_id\": 1, \"start\": \"tomorrow\"}\n\n");
    text.push_str(
        &json!({"employee_id": people[0], "start": "2027-01-01T09:00:00", "end": "2027-01-01T10:00:00"})
            .to_string(),
    );
    text.push('\n');
    let file = dir.path().join("creates.jsonl");
    std::fs::write(&file, &text).unwrap();
    let (code, results) = write(dir.path(), "--create", &file);
    assert_eq!(code, 4, "{results:?}");
    let outcomes: Vec<(u64, &str)> = results
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (1, "created"),
            (2, "created"),
            (3, "created"),
            (4, "refused"),
            (6, "refused")
        ]
    );
    assert!(
        results[3]["error"].as_str().unwrap().contains("start"),
        "{:?}",
        results[3]
    );
    assert!(
        results[4]["error"]
            .as_str()
            .unwrap()
            .contains("overlapping"),
        "{:?}",
        results[4]
    );

    // Run again: the same outcomes, nothing sent for the lines written.
    let before = requests_answered(&sandbox);
    let (code, again) = write(dir.path(), "--create", &file);
    assert_eq!(code, 4);
    assert_eq!(again, results);
    // Only the token and the malformed line's check cost nothing; no write is sent again.
    assert!(
        requests_answered(&sandbox) - before <= 1,
        "a rerun sends no write"
    );

    // Update line 1's period and delete line 2's.
    let ids: Vec<String> = results[..2]
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let updates = dir.path().join("updates.jsonl");
    std::fs::write(
        &updates,
        format!("{}\n", json!({"id": ids[0], "comment": "changed"})),
    )
    .unwrap();
    let (code, changed) = write(dir.path(), "--update", &updates);
    assert_eq!(code, 0, "{changed:?}");
    assert_eq!(changed[0]["outcome"], "updated");
    let deletes = dir.path().join("deletes.jsonl");
    std::fs::write(&deletes, format!("{}\n", json!({"id": ids[1]}))).unwrap();
    let (code, deleted) = write(dir.path(), "--delete", &deletes);
    assert_eq!(code, 0, "{deleted:?}");
    assert_eq!(deleted[0]["outcome"], "deleted");
    let held = periods_2027(&sandbox);
    let all: Vec<&(String, Value)> = held.values().flatten().collect();
    assert_eq!(all.len(), 2, "{held:?}");
    assert!(
        all.iter()
            .any(|(id, comment)| *id == ids[0] && comment == "changed")
    );
    assert!(!all.iter().any(|(id, _)| *id == ids[1]));

    // Every write Personio answered is audited once under the operator who ran the command
    // (the malformed line was never sent; the rerun sent nothing).
    let audited = audited_writes(dir.path());
    assert!(
        audited
            .iter()
            .all(|(actor, _)| actor == "cli:payroll-clerk"),
        "{audited:?}"
    );
    let mut actions: Vec<&str> = audited.iter().map(|(_, action)| action.as_str()).collect();
    actions.sort_unstable();
    // Three creates, the update and the delete; the overlapping line refused.
    assert_eq!(
        actions,
        [
            "write.refused",
            "write.succeeded",
            "write.succeeded",
            "write.succeeded",
            "write.succeeded",
            "write.succeeded"
        ],
        "{audited:?}"
    );
}

/// `write --resource employees` of `file`.
fn write_employees(dir: &Path, operation: &str, file: &Path) -> (i32, Vec<Value>) {
    let out = bridge(
        dir,
        &[
            "write",
            "--company",
            "acme",
            "--resource",
            "employees",
            operation,
            file.to_str().unwrap(),
            "--output",
            "json",
        ],
    )
    .stdin(Stdio::null())
    .stderr(Stdio::null())
    .output()
    .unwrap();
    let results = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code().unwrap_or(-1), results)
}

#[test]
fn a_bulk_write_creates_and_changes_employees_once() {
    let sandbox = spawn_sandbox(bridge_testkit::sandbox(10, 4).history_days(2));
    let dir = tempfile::tempdir().unwrap();
    connect(dir.path(), &sandbox);
    let taken = personio(&sandbox, "/v2/persons?limit=1")["_data"][0]["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let hire = |email: &str, first: &str| {
        json!({"email": email, "first_name": first, "last_name": "Bulk", "hire_date": "2027-02-01"})
            .to_string()
    };
    let file = dir.path().join("hires.jsonl");
    std::fs::write(
        &file,
        [
            hire("one@example.com", "One"),
            hire("two@example.com", "Two"),
            hire(&taken, "Taken"),
            json!({"email": "three@example.com", "first_name": "Three"}).to_string(),
        ]
        .join("\n"),
    )
    .unwrap();
    let (code, results) = write_employees(dir.path(), "--create", &file);
    assert_eq!(code, 4, "{results:?}");
    let outcomes: Vec<&str> = results
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["created", "created", "refused", "refused"]);
    assert!(
        results[3]["error"].as_str().unwrap().contains("last_name"),
        "{results:?}"
    );
    let one = results[0]["id"].as_str().unwrap().to_owned();
    let held = personio(&sandbox, "/v2/persons?email=one@example.com")["_data"].clone();
    assert_eq!(held.as_array().unwrap().len(), 1, "{held}");
    assert_eq!(held[0]["id"], one.as_str());

    // Again: nothing is created twice.
    let (_, again) = write_employees(dir.path(), "--create", &file);
    assert_eq!(again, results);
    let held = personio(&sandbox, "/v2/persons?email=two@example.com")["_data"].clone();
    assert_eq!(held.as_array().unwrap().len(), 1, "{held}");

    let updates = dir.path().join("changes.jsonl");
    std::fs::write(
        &updates,
        format!("{}\n", json!({"id": one, "preferred_name": "Uno"})),
    )
    .unwrap();
    let (code, changed) = write_employees(dir.path(), "--update", &updates);
    assert_eq!(code, 0, "{changed:?}");
    assert_eq!(changed[0]["outcome"], "updated");
    let held = personio(&sandbox, &format!("/v2/persons/{one}"));
    assert_eq!(held["preferred_name"], "Uno", "{held}");
}
