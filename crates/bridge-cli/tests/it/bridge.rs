//! The bridge's commands, run as a user would, against a sandbox on 127.0.0.1.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use bridge_testkit::{
    ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, RunningSandbox, sandbox, spawn_sandbox,
};
use serde_json::Value;

use crate::BIN;

/// Runs the binary in `dir` with `stdin`; the key comes from the environment.
fn run(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("PERSONIO_BRIDGE_DB")
        .env_remove("PERSONIO_CLIENT_SECRET")
        .env(
            "PERSONIO_BRIDGE_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn connect(dir: &Path, sb: &RunningSandbox, id: &str, secret: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "connect",
        "--company",
        "acme",
        "--base-url",
        &sb.base_url,
        "--client-id",
        id,
        "--client-secret-stdin",
    ];
    args.extend_from_slice(extra);
    run(dir, &args, &format!("{secret}\n"))
}

/// `export --company COMPANY --resource employees --format FORMAT EXTRA…`, run in `dir`.
fn export_employees(dir: &Path, company: &str, format: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "export",
        "--company",
        company,
        "--resource",
        "employees",
        "--format",
        format,
    ];
    args.extend_from_slice(extra);
    run(dir, &args, "")
}

fn credential(sb: &RunningSandbox, spec: Value) -> (String, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let body: Value = reqwest::Client::new()
            .post(sb.url("/_sandbox/credentials"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&spec)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (
            body["client_id"].as_str().unwrap().to_owned(),
            body["client_secret"].as_str().unwrap().to_owned(),
        )
    })
}

#[test]
fn connect_sync_export_and_status_work_end_to_end_and_never_show_the_secret() {
    let sb = spawn_sandbox(sandbox(31, 60));
    let dir = tempfile::tempdir().unwrap();
    let connected = connect(dir.path(), &sb, CLIENT_ID, CLIENT_SECRET, &[]);
    assert!(connected.status.success(), "{}", text(&connected));
    assert!(
        text(&connected).contains("Employees"),
        "prints the access: {}",
        text(&connected)
    );

    let synced = run(
        dir.path(),
        &["sync", "--company", "acme", "--output", "json"],
        "",
    );
    assert!(synced.status.success(), "{}", text(&synced));
    let summary: Value = serde_json::from_slice(&synced.stdout).unwrap();
    assert_eq!(summary["company"], "acme");
    for key in ["fetched", "created", "updated", "deleted"] {
        assert!(
            summary["resources"]["employees"][key].is_u64(),
            "{key} in {summary}"
        );
    }
    assert_eq!(summary["resources"]["employees"]["created"], 60);
    assert!(summary["requests"].as_u64().unwrap() > 0 && summary["seconds"].is_f64());

    let csv = export_employees(dir.path(), "acme", "csv", &[]);
    assert!(csv.status.success(), "{}", text(&csv));
    let csv = String::from_utf8(csv.stdout).unwrap();
    let header = csv.lines().next().unwrap();
    for field in [
        "id",
        "first_name",
        "last_name",
        "preferred_name",
        "email",
        "status",
        "position",
        "department",
        "team",
        "office",
        "legal_entity",
        "supervisor_id",
        "employment_type",
        "weekly_working_hours",
        "hire_date",
        "termination_date",
        "created_at",
        "updated_at",
        "deleted_at",
        "IBAN",
    ] {
        assert!(
            header.split(',').any(|h| h == field),
            "{field} missing from {header}"
        );
    }
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(reader.records().count(), 60);

    let out = dir.path().join("people.jsonl");
    let jsonl = export_employees(
        dir.path(),
        "acme",
        "jsonl",
        &["--out", out.to_str().unwrap()],
    );
    assert!(jsonl.status.success(), "{}", text(&jsonl));
    let first: Value = serde_json::from_str(
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert!(
        ["active", "onboarding", "leave", "inactive"].contains(&first["status"].as_str().unwrap())
    );

    let status = run(dir.path(), &["status"], "");
    assert!(status.status.success());
    assert!(
        text(&status).contains("succeeded") && text(&status).contains("employees"),
        "{}",
        text(&status)
    );

    let all = [text(&connected), text(&synced), text(&status)].join("\n");
    assert!(!all.contains(CLIENT_SECRET), "the secret was printed");
    let db = std::fs::read(dir.path().join("bridge.db")).unwrap();
    assert!(
        !String::from_utf8_lossy(&db).contains(CLIENT_SECRET),
        "the secret is in the database file in plain text"
    );
}

#[test]
fn connect_stores_nothing_when_personio_refuses_or_cannot_be_reached() {
    let sb = spawn_sandbox(sandbox(32, 5));
    let dir = tempfile::tempdir().unwrap();
    let wrong = connect(dir.path(), &sb, CLIENT_ID, "not-the-secret", &[]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(!text(&wrong).contains("not-the-secret"));
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let unreachable = run(
        dir.path(),
        &[
            "connect",
            "--company",
            "acme",
            "--base-url",
            &format!("http://{closed}"),
            "--client-id",
            "x",
            "--client-secret-stdin",
        ],
        "secret\n",
    );
    assert_eq!(unreachable.status.code(), Some(1));
    assert!(
        text(&unreachable).contains(&closed.to_string()),
        "{}",
        text(&unreachable)
    );
    let list = run(dir.path(), &["companies", "--output", "json"], "");
    let companies: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(
        companies["companies"],
        serde_json::json!([]),
        "nothing stored"
    );
}

#[test]
fn a_server_that_is_not_personio_is_named_as_such() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(mut stream) = stream else { break };
            let mut buffer = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut buffer);
            let body = "<html><body>Welcome to nginx!</body></html>";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &[
            "connect",
            "--company",
            "acme",
            "--base-url",
            &format!("http://{address}"),
            "--client-id",
            "x",
            "--client-secret-stdin",
        ],
        "secret\n",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output).to_lowercase().contains("personio"),
        "{}",
        text(&output)
    );
    drop(server);
}

#[test]
fn doctor_passes_a_full_credential_and_explains_a_missing_area() {
    let sb = spawn_sandbox(sandbox(33, 5));
    let dir = tempfile::tempdir().unwrap();
    assert!(
        connect(dir.path(), &sb, CLIENT_ID, CLIENT_SECRET, &[])
            .status
            .success()
    );
    let ok = run(dir.path(), &["doctor", "--company", "acme"], "");
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));

    let (id, secret) = credential(
        &sb,
        serde_json::json!({"name": "no absences", "access": {"employees": "read", "org_units": "read", "attendances": "read"}, "readable_attributes": "all"}),
    );
    assert!(
        connect(dir.path(), &sb, &id, &secret, &["--replace"])
            .status
            .success()
    );
    let gaps = run(dir.path(), &["doctor", "--company", "acme"], "");
    assert_eq!(gaps.status.code(), Some(3), "{}", text(&gaps));
    assert!(
        text(&gaps).contains("Settings > Integrations > API credentials")
            && text(&gaps).contains("\"Absences: Read\""),
        "{}",
        text(&gaps)
    );
    let json = run(
        dir.path(),
        &["doctor", "--company", "acme", "--output", "json"],
        "",
    );
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["ok"], false);
}

#[test]
fn bad_settings_are_refused_with_where_they_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(BIN)
        .args(["status"])
        .env("PERSONIO_BRIDGE_DB", "mysql://nope")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output).contains("PERSONIO_BRIDGE_DB"),
        "{}",
        text(&output)
    );
    std::fs::write(
        dir.path().join("notes.db"),
        "not a database at all, just some notes ".repeat(10),
    )
    .unwrap();
    let output = run(dir.path(), &["--db", "notes.db", "status"], "");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output).contains("not a SQLite database"),
        "{}",
        text(&output)
    );
    let output = run(dir.path(), &["sync", "--company", "ghost"], "");
    assert!(
        text(&output).contains("no company named `ghost`"),
        "{}",
        text(&output)
    );
    let output = run(
        dir.path(),
        &[
            "connect",
            "--company",
            "acme",
            "--client-id",
            "x",
            "--client-secret",
            "s",
        ],
        "",
    );
    assert_eq!(
        output.status.code(),
        Some(2),
        "a secret is never a flag value"
    );
    let output = run(dir.path(), &["sync", "--resources", "salaries"], "");
    assert!(
        text(&output).contains("unknown resource `salaries`"),
        "{}",
        text(&output)
    );
}

/// Holds an exclusive lock on a SQLite file (from another process, as another program
/// would) until dropped.
struct LockHolder(std::process::Child);

impl LockHolder {
    fn new(db: &Path) -> LockHolder {
        let script = "import sqlite3, sys\n\
                      c = sqlite3.connect(sys.argv[1], isolation_level=None)\n\
                      c.execute('BEGIN EXCLUSIVE')\n\
                      print('locked', flush=True)\n\
                      sys.stdin.read()\n";
        let mut child = Command::new("python3")
            .args(["-c", script])
            .arg(db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        assert_eq!(line.trim(), "locked");
        LockHolder(child)
    }
}

impl Drop for LockHolder {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}

#[test]
fn a_locked_store_and_a_revoked_credential_get_clear_messages_and_the_store_stays_usable() {
    let sb = spawn_sandbox(sandbox(33, 25).history_days(5));
    let dir = tempfile::tempdir().unwrap();
    let connected = connect(dir.path(), &sb, CLIENT_ID, CLIENT_SECRET, &[]);
    assert!(connected.status.success(), "{}", text(&connected));
    let synced = run(dir.path(), &["sync"], "");
    assert!(synced.status.success(), "{}", text(&synced));

    let lock = LockHolder::new(&dir.path().join("bridge.db"));
    let blocked = run(dir.path(), &["sync"], "");
    drop(lock);
    assert_eq!(blocked.status.code(), Some(1), "{}", text(&blocked));
    assert!(
        text(&blocked).contains("locked by another process"),
        "{}",
        text(&blocked)
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let revoked = runtime.block_on(async {
        reqwest::Client::new()
            .delete(sb.url(&format!("/_sandbox/credentials/{CLIENT_ID}")))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert!(revoked.is_success());
    let refused = run(dir.path(), &["sync", "--output", "json"], "");
    assert_ne!(refused.status.code(), Some(0));
    assert!(
        text(&refused).contains("Personio rejected the credentials"),
        "{}",
        text(&refused)
    );
    assert!(!text(&refused).contains(CLIENT_SECRET));

    let status = run(dir.path(), &["status", "--output", "json"], "");
    assert!(status.status.success(), "{}", text(&status));
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    let employees = status.to_string();
    assert!(employees.contains("employees"), "{status}");
    let export = export_employees(dir.path(), "acme", "jsonl", &[]);
    assert!(export.status.success(), "{}", text(&export));
    assert_eq!(String::from_utf8_lossy(&export.stdout).lines().count(), 25);
}

/// `sync --company acme --api API --resources RESOURCES`, which must succeed; its summary's
/// resources.
fn sync_through(dir: &Path, api: &str, resources: &str) -> Value {
    let output = run(
        dir,
        &[
            "sync",
            "--company",
            "acme",
            "--api",
            api,
            "--resources",
            resources,
            "--output",
            "json",
        ],
        "",
    );
    assert_eq!(output.status.code(), Some(0), "{api}: {}", text(&output));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    summary["resources"].clone()
}

#[test]
fn absences_and_their_types_are_synced_through_v1_when_asked_and_v2_then_finds_them_stored() {
    let sb = spawn_sandbox(sandbox(34, 20));
    let dir = tempfile::tempdir().unwrap();
    let connected = connect(dir.path(), &sb, CLIENT_ID, CLIENT_SECRET, &[]);
    assert!(connected.status.success(), "{}", text(&connected));
    let sync = |api: &str| sync_through(dir.path(), api, "absence_types,absences");
    let v1 = sync("v1");
    for resource in ["absence_types", "absences"] {
        assert!(v1[resource]["created"].as_u64().unwrap() > 0, "{v1}");
    }
    let v2 = sync("v2");
    for resource in ["absence_types", "absences"] {
        assert_eq!(
            (&v2[resource]["created"], &v2[resource]["deleted"]),
            (&0.into(), &0.into()),
            "{v2}"
        );
    }
}

#[test]
fn employees_synced_through_v2_export_as_they_do_through_v1() {
    let sb = spawn_sandbox(sandbox(35, 25));
    let export = |api: &str| {
        let dir = tempfile::tempdir().unwrap();
        let connected = connect(dir.path(), &sb, CLIENT_ID, CLIENT_SECRET, &[]);
        assert!(connected.status.success(), "{}", text(&connected));
        let synced = sync_through(
            dir.path(),
            api,
            "org_units,legal_entities,workplaces,cost_centers,employees",
        );
        assert_eq!(synced["employees"]["created"], 25, "{synced}");
        let output = export_employees(dir.path(), "acme", "jsonl", &[]);
        assert!(output.status.success(), "{}", text(&output));
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap())
            .collect::<Vec<_>>()
    };
    let (through_v1, through_v2) = (export("v1"), export("v2"));
    assert_eq!(through_v1.len(), 25);
    assert_eq!(through_v2.len(), 25);
    let mut departments = 0;
    for (v1, v2) in through_v1.iter().zip(&through_v2) {
        let (v1, v2) = (v1.as_object().unwrap(), v2.as_object().unwrap());
        assert_eq!(v1.keys().collect::<Vec<_>>(), v2.keys().collect::<Vec<_>>());
        for (field, value) in v1 {
            // Custom attributes, by their label in Personio ("Date of birth"), keep each
            // API's spelling of the value.
            if field.chars().any(|c| c.is_ascii_uppercase() || c == ' ') {
                continue;
            }
            assert_eq!(value, &v2[field], "{} {field}", v1["id"]);
        }
        departments += usize::from(v2["department"].is_string());
    }
    assert!(departments > 0, "names resolved from ids");
}

#[test]
fn quickstart_fills_the_store_with_the_demo_company_and_is_safe_to_run_twice() {
    let dir = tempfile::tempdir().unwrap();
    let quickstart = || run(dir.path(), &["quickstart", "--employees", "20"], "");
    let first = quickstart();
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    assert!(dir.path().join("bridge.db").is_file(), "the default store");
    let second = quickstart();
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    assert!(
        text(&second).contains("demo: succeeded"),
        "{}",
        text(&second)
    );

    let status = run(dir.path(), &["status", "--output", "json"], "");
    assert!(status.status.success(), "{}", text(&status));
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    let companies = status["companies"].as_array().unwrap();
    assert_eq!(companies.len(), 1, "{status}");
    assert_eq!(companies[0]["company"]["name"], "demo");
    let outcomes: Vec<&Value> = companies[0]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| &run["outcome"])
        .collect();
    assert_eq!(outcomes, ["succeeded", "succeeded"], "{status}");
    let live = |table: &str| {
        companies[0]["counts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|count| count["table"] == table)
            .map(|count| count["live"].as_i64().unwrap())
    };
    assert_eq!(live("employees"), Some(20), "{status}");
    for table in ["attendance_periods", "absence_periods", "org_units"] {
        assert!(live(table).unwrap_or(0) > 0, "{table} in {status}");
    }

    let export = export_employees(dir.path(), "demo", "jsonl", &[]);
    assert!(export.status.success(), "{}", text(&export));
    assert_eq!(String::from_utf8_lossy(&export.stdout).lines().count(), 20);
}
