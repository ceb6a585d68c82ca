//! Erasure, retention and the audit log through the binary, against a sandbox: a person
//! erased after a sync is nowhere in the store (every table searched, raw JSON included) and
//! a full sync does not bring them back until they are allowed again; `purge` and
//! `companies set --retention-days` answer as documented; what was done is in the audit log.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use bridge_testkit::dump::{Dump, dump};
use bridge_testkit::{CLIENT_ID, CLIENT_SECRET, sandbox, spawn_sandbox};
use serde_json::Value;

use crate::BIN;

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn bridge(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("PERSONIO_BRIDGE_DB")
        .env("PERSONIO_BRIDGE_KEY", KEY)
        .env("PERSONIO_CLIENT_SECRET", CLIENT_SECRET)
        .env("USER", "tester")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Cells of `dump` that hold `text` as a whole value or as a JSON string.
fn cells_with(dump: &Dump, text: &str) -> Vec<String> {
    let quoted = format!("\"{text}\"");
    let mut found = Vec::new();
    for (table, rows) in dump {
        for row in rows {
            for (column, value) in row {
                if value == text || value.contains(&quoted) {
                    found.push(format!("{table}.{column}"));
                }
            }
        }
    }
    found
}

/// Rows of `dump` that belong to employee `id`, or name it as a record, outside the tombstone
/// and the audit log.
fn rows_of(dump: &Dump, id: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (table, rows) in dump {
        if table == "erased_employees" || table == "audit_log" {
            continue;
        }
        for row in rows {
            let owned = row.get("employee_id").is_some_and(|v| v == id)
                || (table == "employees" && row["id"] == id)
                || (row.get("table_name").is_some_and(|t| t == "employees")
                    && row.get("record_id").is_some_and(|r| r == id));
            let in_raw = row.get("raw").is_some_and(|raw| {
                serde_json::from_str::<Value>(raw)
                    .is_ok_and(|v| names_id(&v, id.parse().unwrap_or_default()))
            });
            if owned || in_raw {
                found.push(format!("{table} {row:?}"));
            }
        }
    }
    found
}

/// Whether a record's raw JSON is about employee `id`: its own `id`, or a `person` /
/// `employee` object or id naming it.
fn names_id(value: &Value, id: i64) -> bool {
    let Value::Object(map) = value else {
        return false;
    };
    map.iter().any(|(name, v)| match name.as_str() {
        "employee_id" | "person_id" => {
            v.as_i64() == Some(id) || v.as_str() == Some(&id.to_string())
        }
        "person" | "employee" => {
            v.get("id")
                .and_then(|i| i.as_i64().or_else(|| i.as_str()?.parse().ok()))
                == Some(id)
                || v.pointer("/attributes/id/value").and_then(Value::as_i64) == Some(id)
        }
        _ => false,
    })
}

#[test]
fn an_erased_person_is_nowhere_in_the_store_and_a_full_sync_does_not_bring_them_back() {
    let sb = spawn_sandbox(sandbox(23, 25).history_days(20));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bridge.db");
    let url = format!("sqlite://{}", db.display());
    bridge(
        dir.path(),
        &[
            "connect",
            "--company",
            "acme",
            "--base-url",
            &sb.base_url,
            "--client-id",
            CLIENT_ID,
        ],
    );
    let resources = "org_units,legal_entities,workplaces,cost_centers,absence_types,employees,absences,attendances,balances,documents";
    bridge(
        dir.path(),
        &["sync", "--company", "acme", "--resources", resources],
    );

    // Someone with time records, a unique name and nobody reporting to them (a subordinate's
    // records name their supervisor, and stay as Personio gives them).
    let before = dump(&url).await_blocking();
    let people: Vec<&std::collections::BTreeMap<String, String>> =
        before["employees"].iter().collect();
    let unique =
        |column: &str, value: &str| people.iter().filter(|p| p[column] == value).count() == 1;
    let person = people
        .iter()
        .find(|p| {
            let id = &p["id"];
            p["email"] != "NULL"
                && unique("first_name", &p["first_name"])
                && unique("last_name", &p["last_name"])
                && !before["employments"]
                    .iter()
                    .any(|m| &m["supervisor_id"] == id)
                && before["attendance_periods"]
                    .iter()
                    .any(|a| &a["employee_id"] == id)
        })
        .expect("a person to erase");
    let (id, first, last, email) = (
        person["id"].clone(),
        person["first_name"].clone(),
        person["last_name"].clone(),
        person["email"].clone(),
    );
    assert!(!rows_of(&before, &id).is_empty());

    let erased = json(&bridge(
        dir.path(),
        &[
            "erase",
            "--company",
            "acme",
            "--employee",
            &id,
            "--output",
            "json",
        ],
    ));
    assert!(erased["total"].as_u64().unwrap() > 1, "{erased}");
    let check = |dump: &Dump, when: &str| {
        for needle in [&first, &last, &email] {
            assert_eq!(
                cells_with(dump, needle),
                Vec::<String>::new(),
                "{needle} {when}"
            );
        }
        assert_eq!(
            rows_of(dump, &id),
            Vec::<String>::new(),
            "employee {id} {when}"
        );
    };
    check(&dump(&url).await_blocking(), "after the erasure");

    bridge(
        dir.path(),
        &[
            "sync",
            "--company",
            "acme",
            "--full",
            "--resources",
            resources,
        ],
    );
    check(&dump(&url).await_blocking(), "after a full sync");

    bridge(
        dir.path(),
        &[
            "erase",
            "--company",
            "acme",
            "--employee",
            &id,
            "--allow-again",
        ],
    );
    bridge(
        dir.path(),
        &[
            "sync",
            "--company",
            "acme",
            "--full",
            "--resources",
            resources,
        ],
    );
    let back = dump(&url).await_blocking();
    assert!(
        !rows_of(&back, &id).is_empty(),
        "allowed again, the full sync stores them"
    );
    assert!(!cells_with(&back, &email).is_empty());

    // Retention: set, shown, purged (nothing is old enough yet).
    bridge(
        dir.path(),
        &["companies", "set", "acme", "--retention-days", "30"],
    );
    let purge = json(&bridge(
        dir.path(),
        &["purge", "--dry-run", "--output", "json"],
    ));
    assert_eq!(purge["dry_run"], true);
    assert_eq!(purge["companies"][0]["company"], "acme");
    assert_eq!(purge["companies"][0]["retention_days"], 30);
    assert_eq!(purge["companies"][0]["total"], 0);
    bridge(dir.path(), &["purge", "--company", "acme"]);

    let log = &dump(&url).await_blocking()["audit_log"];
    let actions: Vec<(&str, &str)> = log
        .iter()
        .map(|e| (e["actor"].as_str(), e["action"].as_str()))
        .collect();
    for action in [
        "company.linked",
        "employee.erased",
        "employee.allowed_again",
        "settings.changed",
        "purge",
    ] {
        assert!(
            actions.contains(&("cli:tester", action)),
            "{action} in {actions:?}"
        );
    }
    assert_eq!(
        actions.iter().filter(|(_, a)| *a == "purge").count(),
        1,
        "the purge is logged, the dry run is not"
    );
}

/// Runs a future to its end on a runtime of its own (the test itself is synchronous).
trait Blocking: std::future::Future + Sized {
    fn await_blocking(self) -> Self::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(self)
    }
}

impl<F: std::future::Future> Blocking for F {}
