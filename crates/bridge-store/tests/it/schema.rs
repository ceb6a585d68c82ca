use bridge_store::tables::{ALL, BOOKKEEPING};
use bridge_store::{Error, Location, OpenOptions, Store};
use sqlx::Row;

use bridge_testkit::{Backend, TestDb};
use sqlx::Connection;

use crate::open;

/// One column as the database describes it, in the dialect-neutral terms both share.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    table: String,
    name: String,
    /// `integer`, `real` or `text`.
    kind: String,
    nullable: bool,
}

/// Every column of every table but sqlx's own, by table name and then column position:
/// `pragma_table_info` on SQLite, `information_schema.columns` on PostgreSQL.
async fn columns(db: &TestDb) -> Vec<Column> {
    let sql = match db.backend {
        Backend::Sqlite => {
            "SELECT m.name AS tbl, c.name AS col, lower(c.type) AS ty, \
                    CASE WHEN c.\"notnull\" = 1 OR c.pk > 0 THEN 0 ELSE 1 END AS nullable \
             FROM sqlite_master m, pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations' \
             ORDER BY m.name, c.cid"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS tbl, column_name::text AS col, data_type::text AS ty, \
                    CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END AS nullable \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations' \
             ORDER BY table_name, ordinal_position"
        }
    };
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let rows = sqlx::query(sql).fetch_all(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    rows.iter()
        .map(|r| {
            let ty: String = r.get("ty");
            let kind = match ty.as_str() {
                "integer" | "bigint" => "integer",
                "real" | "double precision" => "real",
                "text" => "text",
                other => panic!("unexpected column type {other}"),
            };
            Column {
                table: r.get("tbl"),
                name: r.get("col"),
                kind: kind.to_owned(),
                nullable: r.get::<i32, _>("nullable") == 1,
            }
        })
        .collect()
}

async fn the_migrated_schema_has_exactly_the_columns_the_code_writes(db: TestDb) {
    let store = open(&db).await;
    store.close().await;
    let columns = columns(&db).await;
    for table in ALL {
        let actual: Vec<&str> = columns
            .iter()
            .filter(|c| c.table == table.name)
            .map(|c| c.name.as_str())
            .collect();
        let mut expected = vec!["company_id", "id"];
        expected.extend(table.columns.iter().map(|(c, _)| *c));
        expected.extend(BOOKKEEPING.iter().copied());
        assert_eq!(actual, expected, "table {}", table.name);
    }
}

#[tokio::test]
async fn both_dialects_have_the_same_tables_and_columns() {
    let Some(postgres) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let sqlite = TestDb::new(Backend::Sqlite).await.unwrap();
    open(&sqlite).await.close().await;
    open(&postgres).await.close().await;
    let (lite, pg) = (columns(&sqlite).await, columns(&postgres).await);
    assert!(
        lite.len() > 100,
        "the schema was read: {} columns",
        lite.len()
    );
    for (l, p) in lite.iter().zip(&pg) {
        assert_eq!(l, p, "the dialects differ");
    }
    assert_eq!(lite.len(), pg.len(), "the dialects have as many columns");
}

async fn reopening_keeps_everything_and_migrations_run_once(db: TestDb) {
    let store = open(&db).await;
    let run = store
        .start_run(
            bridge_store::CompanyId(1),
            bridge_store::RunMode::Full,
            crate::at(1),
        )
        .await;
    assert!(run.is_err(), "no such company: the foreign key holds");
    store.close().await;
    let store = open(&db).await;
    assert!(store.companies().await.unwrap().is_empty());
    let versions = crate::query_texts(
        &db,
        "SELECT CAST(version AS TEXT) AS text FROM _sqlx_migrations ORDER BY version",
    )
    .await;
    let unique: std::collections::BTreeSet<&String> = versions.iter().collect();
    assert_eq!(unique.len(), versions.len(), "each migration ran once");
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "these are my notes, not a database ".repeat(200)).unwrap();
    let error = Store::open(&Location::Sqlite(path.clone()), OpenOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotADatabase { .. }), "{error:?}");
    assert!(error.to_string().contains("notes.db"));
}

#[tokio::test]
async fn another_applications_database_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let error = Store::open(&Location::Sqlite(path), OpenOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::ForeignDatabase { .. }), "{error:?}");
}

#[tokio::test]
async fn a_missing_directory_is_an_error_not_a_panic() {
    let error = Store::open(
        &Location::Sqlite("/nonexistent/dir/bridge.db".into()),
        OpenOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("/nonexistent/dir"), "{error}");
}

/// Processes starting at once on a new database: one migrates, the others wait for it
/// (PostgreSQL: sqlx's migrator holds an advisory lock; SQLite: the write lock).
async fn stores_opened_at_once_migrate_once(db: TestDb) {
    let db = std::sync::Arc::new(db);
    let opens: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { open(&db).await.close().await })
        })
        .collect();
    for open in opens {
        open.await.unwrap();
    }
    let versions = crate::query_texts(
        &db,
        "SELECT CAST(version AS TEXT) AS text FROM _sqlx_migrations",
    )
    .await;
    let unique: std::collections::BTreeSet<&String> = versions.iter().collect();
    assert_eq!(unique.len(), versions.len(), "each migration ran once");
    assert!(versions.len() >= 2, "{versions:?}");
}

bridge_testkit::each_backend!(
    the_migrated_schema_has_exactly_the_columns_the_code_writes,
    reopening_keeps_everything_and_migrations_run_once,
    stores_opened_at_once_migrate_once,
);
