//! Test harness shared by the workspace's integration tests: a real sandbox on
//! `127.0.0.1:0`, and a JSON shape comparator for checking bodies against fixtures written
//! from Personio's documentation.
//!
//! Use it from `tests/` only (a crate's own unit tests would see a second copy of its types).

mod db;
pub mod dump;
pub mod hostile;

pub use db::{Backend, PG_URL_ENV, TestDb};

use std::net::SocketAddr;
use std::thread::JoinHandle;

use chrono::NaiveDate;
use personio_sandbox::{Fleet, RateLimits, Sandbox, SandboxBuilder};
use serde_json::Value;
use tokio::sync::oneshot;

/// The demo credential every test sandbox has.
pub const CLIENT_ID: &str = "test-client";
pub const CLIENT_SECRET: &str = "test-secret";
pub const ADMIN_TOKEN: &str = "test-admin-token";
pub const RECRUITING_TOKEN: &str = "test-recruiting-token";
pub const COMPANY_ID: i64 = 4242;

/// A fixed day, so test companies are the same on every day.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 2).expect("a valid date")
}

/// Set to `1` to run every test sandbox in strict mode: each answer is checked against
/// Personio's OpenAPI documents (see [`openapi_dir`]), and one that does not conform becomes
/// a 500 naming the violation.
pub const STRICT_SCHEMAS_ENV: &str = "PERSONIO_SANDBOX_STRICT_SCHEMAS";

/// Set to `1` to let tests that need Personio's OpenAPI documents skip when they are not
/// found; without it a missing directory fails them.
pub const OPENAPI_OPTIONAL_ENV: &str = "PERSONIO_OPENAPI_OPTIONAL";

/// The directory of Personio's published OpenAPI documents: `PERSONIO_OPENAPI_DIR`, else
/// `../shared/personio-openapi` beside the workspace, else `/work/shared/personio-openapi`.
/// `None` (skip) only when none exists and `PERSONIO_OPENAPI_OPTIONAL=1`; otherwise a missing
/// directory panics, so that no run silently stops checking.
pub fn openapi_dir() -> Option<std::path::PathBuf> {
    use std::path::PathBuf;
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let candidates: Vec<PathBuf> = [
        std::env::var_os(personio_sandbox::schemas::OPENAPI_DIR_ENV)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from),
        Some(workspace.join("../shared/personio-openapi")),
        Some(PathBuf::from("/work/shared/personio-openapi")),
    ]
    .into_iter()
    .flatten()
    .collect();
    let optional = std::env::var(OPENAPI_OPTIONAL_ENV).is_ok_and(|v| v == "1");
    match first_directory(&candidates, optional) {
        Ok(found) => found,
        Err(message) => panic!("{message}"),
    }
}

/// The first of `candidates` that is a directory; none is `Ok(None)` when `optional`, an
/// error naming every place tried otherwise.
fn first_directory(
    candidates: &[std::path::PathBuf],
    optional: bool,
) -> Result<Option<std::path::PathBuf>, String> {
    if let Some(found) = candidates.iter().find(|d| d.is_dir()) {
        return Ok(Some(found.clone()));
    }
    let tried: Vec<String> = candidates.iter().map(|d| d.display().to_string()).collect();
    if optional {
        eprintln!(
            "skipped: Personio's OpenAPI documents not found in {}",
            tried.join(", ")
        );
        return Ok(None);
    }
    Err(format!(
        "Personio's OpenAPI documents not found (tried {}); set {} to their directory, or {OPENAPI_OPTIONAL_ENV}=1 to skip the tests that need them",
        tried.join(", "),
        personio_sandbox::schemas::OPENAPI_DIR_ENV
    ))
}

/// Whether test sandboxes run in strict mode (`PERSONIO_SANDBOX_STRICT_SCHEMAS=1`).
pub fn strict_schemas() -> bool {
    std::env::var(STRICT_SCHEMAS_ENV).is_ok_and(|v| v == "1" || v == "true")
}

/// A builder with the test credential, admin token, recruiting key and a fixed date.
/// Rate limits are off, so that a test's outcome never depends on how fast it runs; tests
/// of rate limiting turn them on with a manual clock (`RateLimitClock::manual`). In strict
/// mode ([`STRICT_SCHEMAS_ENV`]) the sandbox checks its answers against Personio's documents.
pub fn sandbox(seed: u64, employees: usize) -> SandboxBuilder {
    let builder = Sandbox::builder();
    let builder = match strict_schemas().then(openapi_dir).flatten() {
        Some(dir) => builder.strict_schemas(dir),
        None => builder,
    };
    builder
        .rate_limits(RateLimits::Off)
        .seed(seed)
        .employees(employees)
        .as_of(as_of())
        .credential(CLIENT_ID, CLIENT_SECRET)
        .admin_token(ADMIN_TOKEN)
        .recruiting(RECRUITING_TOKEN, COMPANY_ID)
}

/// A sandbox serving on its own thread and runtime until dropped. The socket is bound before
/// this returns, so requests may start at once (no sleeping).
pub struct RunningSandbox {
    pub addr: SocketAddr,
    pub base_url: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// Builds and serves `builder`'s sandbox on 127.0.0.1 with a free port.
pub fn spawn_sandbox(builder: SandboxBuilder) -> RunningSandbox {
    let sandbox = builder.build().expect("test sandbox settings are valid");
    spawn(Served::One(sandbox))
}

/// Builds and serves a fleet of `companies` companies made like `builder`'s (see
/// `SandboxBuilder::fleet`) on 127.0.0.1 with a free port.
pub fn spawn_fleet(builder: SandboxBuilder, companies: usize) -> RunningSandbox {
    let fleet = builder
        .fleet(companies)
        .expect("test fleet settings are valid");
    spawn(Served::Many(fleet))
}

enum Served {
    One(Sandbox),
    Many(Fleet),
}

fn spawn(served: Served) -> RunningSandbox {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener
        .set_nonblocking(true)
        .expect("set the listener non-blocking");
    let addr = listener.local_addr().expect("read the bound address");
    let (stop, stopped) = oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("start a runtime for the sandbox");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("adopt the listener");
            let shutdown = async move {
                let _ = stopped.await;
            };
            match served {
                Served::One(sandbox) => sandbox.serve(listener, shutdown).await,
                Served::Many(fleet) => fleet.serve(listener, shutdown).await,
            }
            .expect("the sandbox serves");
        });
    });
    RunningSandbox {
        addr,
        base_url: format!("http://{addr}"),
        stop: Some(stop),
        thread: Some(thread),
    }
}

impl RunningSandbox {
    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads a JSON fixture from a crate's `tests/fixtures/` directory.
pub fn fixture(crate_dir: &str, name: &str) -> Value {
    let path = format!("{crate_dir}/tests/fixtures/{name}");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read fixture {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse fixture {path}: {e}"))
}

/// Differences between the shape of `actual` and that of `expected`: every key of an
/// expected object must be present with a value of the same JSON type; arrays are compared
/// by their first elements. A `null` on either side matches any type (nullable fields), a
/// `null` in the fixture also matches a missing key (optional fields, left out when empty), and
/// a fixture's `dynamic_<n>` key matches any `dynamic_` key (custom attribute ids differ
/// between companies).
/// With `exact_keys`, objects may not carry keys the fixture lacks either.
pub fn shape_differences(actual: &Value, expected: &Value, exact_keys: bool) -> Vec<String> {
    let mut out = Vec::new();
    compare(actual, expected, exact_keys, "$", &mut out);
    out
}

/// Panics with the differences when shapes differ.
pub fn assert_same_shape(actual: &Value, expected: &Value, exact_keys: bool) {
    let differences = shape_differences(actual, expected, exact_keys);
    assert!(
        differences.is_empty(),
        "shape differs from the fixture:\n  {}\nactual: {actual:#}",
        differences.join("\n  ")
    );
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn compare(actual: &Value, expected: &Value, exact: bool, path: &str, out: &mut Vec<String>) {
    match (actual, expected) {
        (_, Value::Null) | (Value::Null, _) => {}
        (Value::Object(a), Value::Object(e)) => {
            for (key, e_value) in e {
                let found = a.get(key).or_else(|| {
                    key.starts_with("dynamic_")
                        .then(|| {
                            a.iter()
                                .find(|(k, _)| k.starts_with("dynamic_"))
                                .map(|(_, v)| v)
                        })
                        .flatten()
                });
                match found {
                    Some(a_value) => {
                        compare(a_value, e_value, exact, &format!("{path}.{key}"), out)
                    }
                    None if e_value.is_null() => {}
                    None => out.push(format!("{path}.{key}: missing")),
                }
            }
            if exact {
                let dynamic_in_fixture = e.keys().any(|k| k.starts_with("dynamic_"));
                for key in a.keys().filter(|k| {
                    !e.contains_key(*k) && (!dynamic_in_fixture || !k.starts_with("dynamic_"))
                }) {
                    out.push(format!("{path}.{key}: not in the fixture"));
                }
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            if let (Some(a0), Some(e0)) = (a.first(), e.first()) {
                compare(a0, e0, exact, &format!("{path}[0]"), out);
            }
        }
        _ if kind(actual) == kind(expected) => {}
        _ => out.push(format!(
            "{path}: {} where the fixture has {}",
            kind(actual),
            kind(expected)
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::first_directory;

    #[test]
    fn missing_documents_fail_loudly_unless_optional() {
        let nowhere = vec![
            PathBuf::from("/nonexistent/a"),
            PathBuf::from("/nonexistent/b"),
        ];
        let error = first_directory(&nowhere, false).unwrap_err();
        assert!(
            error.contains("/nonexistent/a") && error.contains("/nonexistent/b"),
            "{error}"
        );
        assert_eq!(first_directory(&nowhere, true), Ok(None));
        let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let found = first_directory(&[nowhere[0].clone(), here.clone()], false);
        assert_eq!(found, Ok(Some(here)));
    }
}
