//! Test databases for each backend: a SQLite file in a temporary directory, or a fresh
//! database on the PostgreSQL server named by `PERSONIO_BRIDGE_TEST_PG_URL`.
//!
//! PostgreSQL tests skip when that variable is unset, except under `CI`, where they fail:
//! CI can never silently stop testing PostgreSQL. [`each_backend!`](crate::each_backend)
//! runs one test body once per backend.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;

/// The server the PostgreSQL tests use: a URL whose user may create databases.
pub const PG_URL_ENV: &str = "PERSONIO_BRIDGE_TEST_PG_URL";

/// A database engine the store supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database of its own for one test, removed when dropped.
pub struct TestDb {
    pub backend: Backend,
    /// What `--db` or `Location::parse` takes: `sqlite://…` or `postgres://…`.
    pub url: String,
    dir: Option<tempfile::TempDir>,
    postgres: Option<PgDatabase>,
}

struct PgDatabase {
    server: String,
    name: String,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb").field("url", &self.url).finish()
    }
}

impl TestDb {
    /// A fresh database on `backend`, or `None` when PostgreSQL is not configured (outside
    /// CI). Panics under `CI` when it is not.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("create a temporary directory");
                Some(TestDb {
                    backend,
                    url: format!("sqlite://{}", dir.path().join("bridge.db").display()),
                    dir: Some(dir),
                    postgres: None,
                })
            }
            Backend::Postgres => {
                let server = postgres_server()?;
                let name = unique_name();
                let mut admin = sqlx::PgConnection::connect(&server)
                    .await
                    .unwrap_or_else(|e| panic!("connect to {PG_URL_ENV}: {e}"));
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await
                    .unwrap_or_else(|e| panic!("create database {name}: {e}"));
                admin.close().await.ok();
                Some(TestDb {
                    backend,
                    url: with_database(&server, &name),
                    dir: None,
                    postgres: Some(PgDatabase { server, name }),
                })
            }
        }
    }

    /// The temporary directory of a SQLite database (room for other files of the test).
    pub fn dir(&self) -> Option<&std::path::Path> {
        self.dir.as_ref().map(|d| d.path())
    }

    pub fn is_postgres(&self) -> bool {
        self.backend == Backend::Postgres
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(db) = self.postgres.take() else {
            return;
        };
        // Dropping runs inside the test's runtime, which cannot be blocked on: a thread with
        // its own small runtime removes the database (forcing out connections still open).
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&db.server).await {
                    let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db.name);
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                        .execute(&mut admin)
                        .await;
                    admin.close().await.ok();
                }
            });
        })
        .join();
    }
}

/// The configured server, `None` to skip; under `CI` a missing server is a failure.
fn postgres_server() -> Option<String> {
    match std::env::var(PG_URL_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("{PG_URL_ENV} is unset, but CI must test PostgreSQL (see .ci/run)")
        }
        _ => {
            eprintln!("skipped on PostgreSQL: {PG_URL_ENV} is unset");
            None
        }
    }
}

/// A database name no other test (in this or another process) uses.
fn unique_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "bridge_t{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// `url` with its database path replaced by `name` (query parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    let authority = rest.split('/').next().unwrap_or(rest);
    match query {
        Some(query) => format!("{scheme}://{authority}/{name}?{query}"),
        None => format!("{scheme}://{authority}/{name}"),
    }
}

/// Runs each named `async fn(TestDb)` as a test once per backend, in modules `sqlite` and
/// `postgres` (so `cargo test postgres` selects the PostgreSQL runs). The calling crate
/// needs `tokio` among its dev-dependencies.
#[macro_export]
macro_rules! each_backend {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::TestDb::new($crate::Backend::Sqlite).await;
                    if let Some(db) = db {
                        super::$name(db).await;
                    }
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::TestDb::new($crate::Backend::Postgres).await;
                    if let Some(db) = db {
                        super::$name(db).await;
                    }
                }
            )+
        }
    };
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_is_replaced_and_parameters_kept() {
        assert_eq!(
            with_database("postgres://u@127.0.0.1:5/bridge_test", "x"),
            "postgres://u@127.0.0.1:5/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=require", "x"),
            "postgres://u:p@h/x?sslmode=require"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}
