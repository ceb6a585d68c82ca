//! A world for the tests: a sandbox, a store with `acme` (and `globex`) linked and synced,
//! `personio-bridge serve` on 127.0.0.1:0 over that store, and the Python driver.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use bridge_store::{Company, Filters, Grant, Location, OpenOptions, Outcome, Scope, Store};
use bridge_sync::link::{Link, connect};
use bridge_sync::{ResourceName, SyncEngine, SyncOptions};
use bridge_testkit::{CLIENT_ID, CLIENT_SECRET, RunningSandbox, sandbox, spawn_sandbox};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

/// The store's key, as `PERSONIO_BRIDGE_KEY` gives it to the processes.
const STORE_KEY: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

/// What the tests need from outside this crate, or why they cannot run.
pub struct Tools {
    pub python: PathBuf,
    pub bridge: PathBuf,
}

/// The Python interpreter with `mcp` and the `personio-bridge` binary; `None` (with a
/// message) when one is missing outside CI; a failure under CI.
pub fn tools() -> Option<Tools> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = std::env::var_os("BRIDGE_MCP_PYTHON")
        .map(PathBuf::from)
        .or_else(|| {
            let venv = workspace.join("target/mcp-venv/bin/python");
            venv.exists().then_some(venv)
        })
        .unwrap_or_else(|| PathBuf::from("python3"));
    let has_mcp = Command::new(&python)
        .args(["-c", "import mcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    // The binary sits beside the directory of this test's executable (target/debug/deps).
    let bridge = std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("personio-bridge");
    let ci = std::env::var_os("CI").is_some();
    if !has_mcp {
        assert!(
            !ci,
            "Python's mcp package is missing for {} (.ci/run installs it in target/mcp-venv)",
            python.display()
        );
        eprintln!(
            "SKIPPED: Python's `mcp` package is not installed for {} (pip install mcp, or set BRIDGE_MCP_PYTHON)",
            python.display()
        );
        return None;
    }
    if !bridge.exists() {
        assert!(!ci, "{} is missing", bridge.display());
        eprintln!(
            "SKIPPED: {} is not built (cargo build -p bridge-cli)",
            bridge.display()
        );
        return None;
    }
    Some(Tools { python, bridge })
}

/// A synced store and the service over it.
pub struct World {
    pub tools: Tools,
    pub sandbox: RunningSandbox,
    pub store: Store,
    pub acme: Company,
    pub db: PathBuf,
    pub base_url: String,
    serve: Child,
    _dir: tempfile::TempDir,
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = self.serve.kill();
        let _ = self.serve.wait();
    }
}

impl World {
    /// `acme` (and `globex`, from the same sandbox) linked and synced, and `serve` running.
    pub async fn new(tools: Tools, seed: u64) -> World {
        let sandbox = spawn_sandbox(sandbox(seed, 30).history_days(20));
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("bridge.db");
        let store = Store::open(
            &Location::Sqlite(db.clone()),
            OpenOptions {
                key: Some(STORE_KEY.to_owned()),
                ..OpenOptions::default()
            },
        )
        .await
        .unwrap();
        let acme = link_and_sync(&store, &sandbox, "acme").await;
        link_and_sync(&store, &sandbox, "globex").await;
        let password = dir.path().join("password");
        std::fs::write(&password, "correct horse battery\n").unwrap();
        let mut serve = Command::new(&tools.bridge)
            .args([
                "--db",
                db.to_str().unwrap(),
                "serve",
                "--listen",
                "127.0.0.1:0",
            ])
            .args([
                "--workers",
                "0",
                "--admin-password-file",
                password.to_str().unwrap(),
            ])
            .env("PERSONIO_BRIDGE_KEY", STORE_KEY)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(serve.stdout.take().unwrap()).lines();
        let base_url = loop {
            let line = lines.next().expect("serve printed its address").unwrap();
            if let Some(addr) = line.strip_prefix("bridge listening on ") {
                break addr.trim().to_owned();
            }
        };
        // Keep reading what serve prints, so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        World {
            tools,
            sandbox,
            store,
            acme,
            db,
            base_url,
            serve,
            _dir: dir,
        }
    }

    /// A new API key with `scopes`, limited to `companies` (empty: every company).
    pub async fn key(&self, name: &str, scopes: &[Scope], companies: &[&str]) -> String {
        let (_, key) = self
            .store
            .create_api_key(
                name,
                &Grant {
                    scopes: scopes.to_vec(),
                    companies: companies.iter().map(|c| (*c).to_owned()).collect(),
                },
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        key.expose_secret().to_owned()
    }

    /// How to reach `personio-bridge mcp --company acme` (read and write) over stdio.
    pub fn stdio(&self, scopes: &[&str]) -> Value {
        let mut args = vec![
            "--db".to_owned(),
            self.db.to_str().unwrap().to_owned(),
            "mcp".to_owned(),
            "--company".to_owned(),
            "acme".to_owned(),
        ];
        for scope in scopes {
            args.push("--scope".into());
            args.push((*scope).into());
        }
        json!({ "stdio": {
            "command": self.tools.bridge,
            "args": args,
            "env": { "PERSONIO_BRIDGE_KEY": STORE_KEY },
        }})
    }

    /// How to reach `/mcp` with `key`.
    pub fn http(&self, key: &str) -> Value {
        json!({ "http": { "url": format!("{}/mcp", self.base_url), "key": key } })
    }

    /// Runs the Python driver with `steps` over `connect`: one result per step.
    pub fn drive(&self, connect: &Value, steps: Vec<Value>) -> Vec<Value> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/drive.py");
        let mut child = Command::new(&self.tools.python)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let plan = json!({ "connect": connect, "steps": steps });
        child
            .stdin
            .take()
            .unwrap()
            .write_all(plan.to_string().as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "the MCP client failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let results: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "the MCP client printed no results ({e}): {}",
                String::from_utf8_lossy(&output.stdout)
            )
        });
        assert_eq!(results.len(), plan["steps"].as_array().unwrap().len());
        results
    }
}

/// A tool call step.
pub fn call(tool: &str, arguments: Value) -> Value {
    json!({ "op": "call", "tool": tool, "arguments": arguments })
}

/// A tool's answer, which must not be an error.
pub fn answer(result: &Value) -> Value {
    assert_eq!(result["is_error"], false, "a tool error: {result}");
    serde_json::from_str(result["text"].as_str().unwrap()).unwrap()
}

/// A tool error's body.
pub fn tool_error(result: &Value) -> Value {
    assert_eq!(result["is_error"], true, "not a tool error: {result}");
    serde_json::from_str(result["text"].as_str().unwrap()).unwrap()
}

pub async fn link_and_sync(store: &Store, sandbox: &RunningSandbox, name: &str) -> Company {
    let (company, _) = connect(
        store,
        Link {
            company: name.into(),
            base_url: url::Url::parse(&sandbox.base_url).unwrap(),
            client_id: CLIENT_ID.into(),
            client_secret: SecretString::from(CLIENT_SECRET.to_owned()),
            recruiting: None,
            filters: Filters::default(),
            replace: false,
        },
    )
    .await
    .unwrap();
    let client = bridge_sync::link::client_for(store, &company)
        .await
        .unwrap();
    let options = SyncOptions {
        resources: vec![
            ResourceName::OrgUnits,
            ResourceName::LegalEntities,
            ResourceName::Workplaces,
            ResourceName::CostCenters,
            ResourceName::AbsenceTypes,
            ResourceName::Employees,
            ResourceName::Absences,
            ResourceName::Attendances,
            ResourceName::Projects,
            ResourceName::Balances,
            ResourceName::Compensations,
        ],
        ..SyncOptions::default()
    };
    let summary = SyncEngine::new(store.clone(), client, company.clone())
        .run(&options)
        .await
        .unwrap();
    assert_eq!(summary.outcome, Outcome::Succeeded, "{summary:?}");
    store.company(name).await.unwrap()
}
