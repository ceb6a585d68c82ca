//! `--log-format json`: every line of stderr is one JSON object; lines written during a sync
//! carry its company and run id, lines written for a request its request id and company, in
//! their spans and at the top level.

use std::io::BufReader;
use std::process::{Command, Stdio};

use bridge_store::{Location, NewCompany, OpenOptions, Store};
use bridge_testkit::{CLIENT_ID, CLIENT_SECRET, sandbox, spawn_sandbox};
use secrecy::SecretString;
use serde_json::Value;

use crate::{BIN, read_line, terminate};

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// Every log line parsed; a log line that is not a JSON object fails the test. (A command's
/// own messages to the operator, such as `sync`'s progress, are not logs and stay text.)
fn json_lines(stderr: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|line| line.starts_with('{'))
        .map(|line| {
            let value: Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"));
            assert!(value.is_object(), "{line}");
            value
        })
        .collect()
}

#[tokio::test]
async fn json_logs_carry_the_company_and_run_id_of_a_sync_and_the_request_id_of_a_request() {
    let sb = spawn_sandbox(sandbox(41, 8));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bridge.db");
    let store = Store::open(
        &Location::Sqlite(db.clone()),
        OpenOptions {
            key: Some(KEY.to_owned()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    store
        .add_company(
            NewCompany {
                name: "acme".into(),
                base_url: sb.base_url.clone(),
                client_id: CLIENT_ID.into(),
                client_secret: SecretString::from(CLIENT_SECRET.to_owned()),
                recruiting: None,
                filters: Default::default(),
                granted: serde_json::json!({}),
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    store.close().await;

    let synced = Command::new(BIN)
        .args(["--db", db.to_str().unwrap(), "--log-format", "json"])
        .args(["--log-level", "debug", "sync", "--company", "acme"])
        .env("PERSONIO_BRIDGE_KEY", KEY)
        .output()
        .unwrap();
    assert!(synced.status.success());
    let lines = json_lines(&synced.stderr);
    let in_sync: Vec<&Value> = lines
        .iter()
        .filter(|l| l["span"]["name"] == "sync")
        .collect();
    assert!(!in_sync.is_empty(), "no line inside the sync: {lines:#?}");
    for line in &in_sync {
        assert_eq!(line["span"]["company"], "acme", "{line}");
        // The context is also at the top level, where log tools index it.
        assert_eq!(line["company"], "acme", "{line}");
        assert_eq!(line["run_id"], line["span"]["run_id"], "{line}");
        assert!(
            line["timestamp"].is_string() && line["level"].is_string(),
            "{line}"
        );
    }
    // Once the run is recorded (its first statement comes before), every line names it.
    let run_ids: std::collections::BTreeSet<i64> = in_sync
        .iter()
        .filter_map(|l| l["span"]["run_id"].as_i64())
        .collect();
    assert_eq!(run_ids.len(), 1, "{in_sync:#?}");
    assert!(run_ids.iter().all(|id| *id > 0));
    let first = in_sync
        .iter()
        .position(|l| l["span"]["run_id"].is_i64())
        .unwrap();
    assert!(
        in_sync[first..]
            .iter()
            .all(|l| l["span"]["run_id"].is_i64() && l["run_id"].is_i64()),
        "a line after the run began lacks its id"
    );
    assert!(
        in_sync[..first].iter().all(|l| l.get("run_id").is_none()),
        "a line before the run began has an id"
    );
    assert!(in_sync.len() - first > 10, "{in_sync:#?}");

    // The service: a request's lines carry its id (the caller's, echoed back) and company.
    std::fs::write(dir.path().join("password"), "a long admin password\n").unwrap();
    let mut child = Command::new(BIN)
        .args(["--db", db.to_str().unwrap(), "--log-format", "json"])
        .args(["--log-level", "debug", "serve", "--listen", "127.0.0.1:0"])
        .args(["--workers", "0", "--admin-password-file"])
        .arg(dir.path().join("password"))
        .env("PERSONIO_BRIDGE_KEY", KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let line = read_line(&mut stdout);
    let base = line
        .strip_prefix("bridge listening on ")
        .unwrap()
        .to_owned();
    let http = reqwest::Client::new();
    let answer = http
        .get(format!("{base}/api/v1/companies/acme/employees"))
        .header("X-Request-Id", "trace-me-4711")
        .bearer_auth("pbk_not_a_key")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(answer.headers()["x-request-id"], "trace-me-4711");
    let generated = http.get(format!("{base}/healthz")).send().await.unwrap();
    let generated = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(generated.starts_with("req_"), "{generated}");
    terminate(&child);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let lines = json_lines(&output.stderr);
    let ours: Vec<&Value> = lines
        .iter()
        .filter(|l| l["span"]["request_id"] == "trace-me-4711")
        .collect();
    assert!(!ours.is_empty(), "{lines:#?}");
    assert!(
        ours.iter()
            .any(|l| l["span"]["company"] == "acme" && l["fields"]["status"] == 401),
        "{ours:#?}"
    );
    for line in &ours {
        assert_eq!(line["request_id"], "trace-me-4711", "{line}");
        assert_eq!(line["company"], "acme", "{line}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l["span"]["request_id"] == generated && l["request_id"] == generated),
        "{lines:#?}"
    );
    // Lines outside any request or sync have no context.
    assert!(
        lines
            .iter()
            .filter(|l| l.get("span").is_none())
            .all(|l| l.get("request_id").is_none() && l.get("company").is_none()),
        "{lines:#?}"
    );
}
