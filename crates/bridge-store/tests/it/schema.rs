use bridge_store::tables::{ALL, BOOKKEEPING};
use bridge_store::{Error, Location, OpenOptions, Store};
use sqlx::Row;

use crate::temp_store;

#[tokio::test]
async fn the_migrated_schema_has_exactly_the_columns_the_code_writes() {
    let (store, dir) = temp_store().await;
    store.close().await;
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        dir.path().join("bridge.db").display()
    ))
    .await
    .unwrap();
    for table in ALL {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{}')",
            table.name
        )))
        .fetch_all(&pool)
        .await
        .unwrap();
        let actual: Vec<String> = rows.iter().map(|r| r.get::<String, _>("name")).collect();
        let mut expected = vec!["company_id".to_owned(), "id".to_owned()];
        expected.extend(table.columns.iter().map(|(c, _)| (*c).to_owned()));
        expected.extend(BOOKKEEPING.iter().map(|c| (*c).to_owned()));
        assert_eq!(actual, expected, "table {}", table.name);
    }
}

#[tokio::test]
async fn reopening_keeps_everything_and_migrations_run_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::open_in(&dir).await;
    let run = store
        .start_run(bridge_store::CompanyId(1), "full", crate::at(1))
        .await;
    assert!(run.is_err(), "no such company: the foreign key holds");
    drop(store);
    let store = crate::open_in(&dir).await;
    assert!(store.companies().await.unwrap().is_empty());
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
