//! The secret-leak audit: connect, sync, and fail on purpose (a wrong secret, a revoked
//! credential, planned faults), all with logs at trace level; then search everything the
//! bridge wrote (stdout, stderr, the database file with its WAL and shared memory) for the
//! client secrets, the recruiting token and every access token the sandbox issued.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use bridge_testkit::{ADMIN_TOKEN, RunningSandbox, sandbox, spawn_sandbox};
use serde_json::{Value, json};

use crate::BIN;

/// Long and unique, so a hit is a leak and never a coincidence.
const SECRET: &str = "audit-secret-7Qx2mV9pLk4RzT8wYb3N";
const RECRUITING: &str = "audit-recruiting-Hs5Jd8Fq1Wc6Ze0Ua4Pv";
const CLIENT: &str = "audit-client";
const COMPANY_ID: i64 = 777;

/// Runs the binary with logs at trace level; keeps what it printed.
fn bridge(dir: &Path, args: &[&str], stdin: &str, printed: &mut Vec<u8>) -> Output {
    let mut child = Command::new(BIN)
        .args(["--log-level", "trace"])
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
    let output = child.wait_with_output().unwrap();
    printed.extend_from_slice(&output.stdout);
    printed.extend_from_slice(&output.stderr);
    output
}

fn admin(sb: &RunningSandbox, method: reqwest::Method, path: &str, body: Value) -> Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let response = reqwest::Client::new()
            .request(method, sb.url(path))
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

fn connect(
    dir: &Path,
    sb: &RunningSandbox,
    company: &str,
    id: &str,
    stdin: &str,
    printed: &mut Vec<u8>,
) -> Output {
    bridge(
        dir,
        &[
            "connect",
            "--company",
            company,
            "--base-url",
            &sb.base_url,
            "--client-id",
            id,
            "--client-secret-stdin",
            "--recruiting-token-stdin",
            "--company-id",
            &COMPANY_ID.to_string(),
        ],
        stdin,
        printed,
    )
}

/// Where `needle` (or its base64 form) occurs in `haystack`, by name.
fn hits(haystack: &[u8], place: &str, needles: &[(String, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for (name, needle) in needles {
        let encoded = base64::engine::general_purpose::STANDARD.encode(needle);
        for form in [needle.as_str(), encoded.as_str()] {
            if memchr::memmem::find(haystack, form.as_bytes()).is_some() {
                found.push(format!("{name} in {place}"));
            }
        }
    }
    found
}

#[test]
fn no_secret_or_token_appears_in_output_logs_or_the_database() {
    let sb = spawn_sandbox(
        sandbox(41, 30)
            .history_days(30)
            .credential(CLIENT, SECRET)
            .recruiting(RECRUITING, COMPANY_ID),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut printed = Vec::new();

    let refused = connect(
        dir.path(),
        &sb,
        "acme",
        CLIENT,
        "wrong-secret-for-audit\nx\n",
        &mut printed,
    );
    assert!(!refused.status.success(), "a wrong secret is refused");
    let connected = connect(
        dir.path(),
        &sb,
        "acme",
        CLIENT,
        &format!("{SECRET}\n{RECRUITING}\n"),
        &mut printed,
    );
    assert!(
        connected.status.success(),
        "{}",
        String::from_utf8_lossy(&connected.stderr)
    );
    let synced = bridge(dir.path(), &["sync", "--company", "acme"], "", &mut printed);
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );

    // Faults of every kind, with a sync that retries through them.
    admin(
        &sb,
        reqwest::Method::PUT,
        "/_sandbox/faults",
        json!({"rules": [
            {"path_prefix": "/", "every": 5, "fault": {"kind": "status", "status": 503}},
            {"path_prefix": "/", "every": 7, "fault": {"kind": "reset"}},
            {"path_prefix": "/", "every": 11, "fault": {"kind": "truncate"}},
            {"path_prefix": "/", "every": 13, "fault": {"kind": "invalid_json"}},
            {"path_prefix": "/", "every": 17, "fault": {"kind": "rate_limit"}}
        ]}),
    );
    bridge(
        dir.path(),
        &["sync", "--company", "acme", "--full"],
        "",
        &mut printed,
    );
    admin(&sb, reqwest::Method::DELETE, "/_sandbox/faults", json!({}));

    // A second company whose credential is revoked after connecting.
    let created = admin(
        &sb,
        reqwest::Method::POST,
        "/_sandbox/credentials",
        json!({"name": "revoked later", "access": {"employees": "read"}, "readable_attributes": "all"}),
    );
    let (other_id, other_secret) = (
        created["client_id"].as_str().unwrap().to_owned(),
        created["client_secret"].as_str().unwrap().to_owned(),
    );
    let connected = connect(
        dir.path(),
        &sb,
        "beta",
        &other_id,
        &format!("{other_secret}\n{RECRUITING}\n"),
        &mut printed,
    );
    assert!(
        connected.status.success(),
        "{}",
        String::from_utf8_lossy(&connected.stderr)
    );
    admin(
        &sb,
        reqwest::Method::DELETE,
        &format!("/_sandbox/credentials/{other_id}"),
        Value::Null,
    );
    let failed = bridge(dir.path(), &["sync", "--company", "beta"], "", &mut printed);
    assert!(
        !failed.status.success(),
        "a revoked credential fails the sync"
    );

    for args in [
        &["status"][..],
        &["doctor", "--company", "acme"],
        &[
            "export",
            "--company",
            "acme",
            "--resource",
            "employees",
            "--format",
            "jsonl",
        ],
    ] {
        bridge(dir.path(), args, "", &mut printed);
    }

    let tokens = admin(&sb, reqwest::Method::GET, "/_sandbox/tokens", Value::Null);
    let tokens: Vec<String> = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    assert!(
        tokens.len() >= 2,
        "the syncs were issued tokens: {tokens:?}"
    );
    let mut needles = vec![
        ("the client secret".to_owned(), SECRET.to_owned()),
        ("the revoked credential's secret".to_owned(), other_secret),
        ("the recruiting token".to_owned(), RECRUITING.to_owned()),
    ];
    needles.extend(
        tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("access token #{i}"), t.clone())),
    );
    assert!(
        printed.len() > 10_000,
        "trace logs were written ({} bytes)",
        printed.len()
    );

    let mut leaks = hits(&printed, "stdout/stderr", &needles);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("bridge.db") {
            leaks.extend(hits(&std::fs::read(&path).unwrap(), &name, &needles));
        }
    }
    assert!(leaks.is_empty(), "leaks: {leaks:?}");
}
