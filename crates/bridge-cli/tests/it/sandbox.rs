use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{read_line, spawn, terminate};

#[tokio::test]
async fn sandbox_prints_its_address_first_serves_the_demo_credential_and_stops_cleanly_on_sigterm()
{
    let (mut child, mut stdout) = spawn(&[
        "sandbox",
        "--port",
        "0",
        "--seed",
        "7",
        "--employees",
        "1000",
        "--client-id",
        "demo",
        "--client-secret",
        "s3cret",
        "--admin-token",
        "adm",
        "--recruiting-token",
        "rec",
        "--company-id",
        "99",
    ]);
    let first = read_line(&mut stdout);
    let base = first
        .strip_prefix("sandbox listening on ")
        .unwrap_or_else(|| panic!("first line was {first:?}"));
    assert!(
        base.starts_with("http://127.0.0.1:") && !base.ends_with(":0"),
        "{base}"
    );
    let rest: Vec<String> = (0..7).map(|_| read_line(&mut stdout)).collect();
    let banner = rest.join("\n");
    assert!(
        banner.contains("client id:     demo") && banner.contains("s3cret"),
        "{banner}"
    );
    assert!(banner.contains("sandbox admin token: adm"), "{banner}");
    assert!(
        banner.contains(&format!("sandbox admin pages: {base}/_sandbox/admin")),
        "{banner}"
    );
    assert!(banner.contains("X-Company-ID: 99"), "{banner}");

    let client = reqwest::Client::new();
    let auth: Value = client
        .post(format!("{base}/v1/auth"))
        .json(&json!({"client_id": "demo", "client_secret": "s3cret"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = auth["data"]["token"].as_str().unwrap();
    let page: Value = client
        .get(format!("{base}/v1/company/employees"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["metadata"]["total_elements"], 1000);

    // A client written from Personio's public docs alone pages everyone through v1 and v2.
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/page-all-employees.py"
    );
    let paged = tokio::process::Command::new("python3")
        .args([script, base, "demo"])
        .env("PERSONIO_CLIENT_SECRET", "s3cret")
        .output()
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&paged.stdout).trim(),
        "1000 employees, v1 and v2 agree",
        "{}",
        String::from_utf8_lossy(&paged.stderr)
    );

    terminate(&child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the sandbox did not stop after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn bad_flags_are_refused_with_usage_errors() {
    for args in [
        vec!["sandbox", "--employees", "0"],
        vec!["sandbox", "--client-id", "only-the-id"],
        vec!["sandbox", "--as-of", "yesterday"],
        vec!["sandbox", "--port", "99999"],
        vec!["sandbox", "--history-days", "3661"],
        vec!["sandbox", "--history-days", "-1"],
        vec!["sandbox", "--rate-limits", "sometimes"],
        vec!["sandbox", "--simulate-every", "soon"],
    ] {
        let output = std::process::Command::new(crate::BIN)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!output.stderr.is_empty());
    }
}

#[test]
fn a_bad_fault_plan_file_is_refused_with_the_reason() {
    let dir = std::env::temp_dir().join(format!("pb-faults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("plan.json");
    std::fs::write(
        &file,
        r#"{"rules": [{"path_prefix": "/v2", "fault": {"kind": "reset"}}]}"#,
    )
    .unwrap();
    let output = std::process::Command::new(crate::BIN)
        .args(["sandbox", "--port", "0", "--faults"])
        .arg(&file)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("rules[0]") && stderr.contains("every"),
        "{stderr}"
    );
}

#[tokio::test]
async fn faults_rate_limits_and_simulation_flags_take_effect() {
    let dir = std::env::temp_dir().join(format!("pb-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("plan.json");
    std::fs::write(
        &file,
        r#"{"rules": [{"path_prefix": "/v1/auth", "first": 1, "fault": {"kind": "status", "status": 503}}]}"#,
    )
    .unwrap();
    let (mut child, mut stdout) = spawn(&[
        "sandbox",
        "--port",
        "0",
        "--employees",
        "50",
        "--client-id",
        "demo",
        "--client-secret",
        "s3cret",
        "--admin-token",
        "adm",
        "--rate-limits",
        "off",
        "--simulate-every",
        "200ms",
        "--faults",
        file.to_str().unwrap(),
    ]);
    let first = read_line(&mut stdout);
    let base = first
        .strip_prefix("sandbox listening on ")
        .unwrap()
        .to_owned();
    let client = reqwest::Client::new();
    let auth = || {
        client
            .post(format!("{base}/v1/auth"))
            .json(&json!({"client_id": "demo", "client_secret": "s3cret"}))
            .send()
    };
    assert_eq!(auth().await.unwrap().status(), 503, "the planned fault");
    let ok = auth().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert!(
        ok.headers().get("x-ratelimit-remaining").is_none(),
        "limits are off"
    );

    let now =
        |body: Value| chrono::DateTime::parse_from_rfc3339(body["now"].as_str().unwrap()).unwrap();
    let company = || async {
        client
            .get(format!("{base}/_sandbox/company"))
            .bearer_auth("adm")
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let start = now(company().await);
    let mut advanced = false;
    for _ in 0..200 {
        if now(company().await) - start >= chrono::Duration::days(1) {
            advanced = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    terminate(&child);
    for _ in 0..400 {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(advanced, "simulated days pass while serving");
}

#[tokio::test]
async fn history_days_and_legacy_v1_shape_what_the_sandbox_serves() {
    let (mut child, mut stdout) = spawn(&[
        "sandbox",
        "--port",
        "0",
        "--employees",
        "20",
        "--as-of",
        "2026-11-02",
        "--history-days",
        "14",
        "--legacy-v1",
        "--client-id",
        "demo",
        "--client-secret",
        "s3cret",
    ]);
    let base = read_line(&mut stdout)
        .strip_prefix("sandbox listening on ")
        .unwrap()
        .to_owned();
    let company = read_line(&mut stdout);
    assert!(company.contains("attendance periods"), "{company}");
    let client = reqwest::Client::new();
    let auth: Value = client
        .post(format!("{base}/v1/auth"))
        .json(&json!({"client_id": "demo", "client_secret": "s3cret"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = auth["data"]["token"].as_str().unwrap();
    let page: Value = client
        .get(format!(
            "{base}/v1/company/attendances?start_date=2026-10-01&end_date=2026-11-01"
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let days: std::collections::BTreeSet<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["attributes"]["date"].as_str().unwrap())
        .collect();
    assert!(
        !days.is_empty(),
        "--legacy-v1 serves v1 attendances: {page}"
    );
    assert!(
        days.iter().all(|d| *d >= "2026-10-19"),
        "--history-days 14 reaches two weeks back: {days:?}"
    );
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn strict_schemas_without_personios_documents_is_refused_with_where_it_looked() {
    let output = std::process::Command::new(crate::BIN)
        .args([
            "sandbox",
            "--port",
            "0",
            "--strict-schemas",
            "--openapi-dir",
        ])
        .arg("/nonexistent/personio-openapi")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("/nonexistent/personio-openapi") && stderr.contains("PERSONIO_OPENAPI_DIR"),
        "{stderr}"
    );
}

#[tokio::test]
async fn strict_schemas_serves_answers_that_conform() {
    let Some(dir) = bridge_testkit::openapi_dir() else {
        return;
    };
    let dir = dir.to_str().unwrap().to_owned();
    let (child, mut stdout) = spawn(&[
        "sandbox",
        "--port",
        "0",
        "--employees",
        "20",
        "--history-days",
        "0",
        "--client-id",
        "demo",
        "--client-secret",
        "s3cret",
        "--strict-schemas",
        "--openapi-dir",
        &dir,
    ]);
    let first = read_line(&mut stdout);
    let base = first
        .strip_prefix("sandbox listening on ")
        .unwrap()
        .to_owned();
    let client = reqwest::Client::new();
    let token: Value = client
        .post(format!("{base}/v2/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "demo"),
            ("client_secret", "s3cret"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let response = client
        .get(format!("{base}/v2/persons?limit=50"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    terminate(&child);
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn sandbox_with_companies_serves_each_company_behind_one_address() {
    let (mut child, mut stdout) = spawn(&[
        "sandbox",
        "--port",
        "0",
        "--seed",
        "5",
        "--employees",
        "10",
        "--history-days",
        "10",
        "--companies",
        "3",
        "--admin-token",
        "adm",
    ]);
    let first = read_line(&mut stdout);
    let base = first
        .strip_prefix("sandbox listening on ")
        .unwrap_or_else(|| panic!("first line was {first:?}"));
    let client = reqwest::Client::new();
    let listing: Value = client
        .get(format!("{base}/_sandbox/companies"))
        .bearer_auth("adm")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let companies = listing["companies"].as_array().unwrap();
    assert_eq!(companies.len(), 3);
    let third = &companies[2];
    assert_eq!(third["client_id"], "demo-3");
    assert_eq!(
        third["client_secret"],
        personio_sandbox::fleet_client_secret(5, 3)
    );
    let auth: Value = client
        .post(format!("{base}/v1/auth"))
        .json(&json!({"client_id": "demo-3", "client_secret": third["client_secret"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = auth["data"]["token"].as_str().unwrap();
    let page: Value = client
        .get(format!("{base}/v1/company/employees"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["metadata"]["total_elements"], 10);
    terminate(&child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the sandbox did not stop");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status}");
}
