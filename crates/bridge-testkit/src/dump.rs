//! Whole databases as text, read past the store: every row of every table, each column as
//! text, so tests can compare a store before and after an operation, or search all of it.

use std::collections::BTreeMap;

use sqlx::{Column, Connection, Row};

/// One row: column name to its value as text (`NULL` for null).
pub type DumpRow = BTreeMap<String, String>;

/// Every table (but the migrations') to its rows, sorted.
pub type Dump = BTreeMap<String, Vec<DumpRow>>;

/// Every row of every table of the database at `url`.
pub async fn dump(url: &str) -> Dump {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url)
        .await
        .expect("connect to dump");
    let tables_sql = if url.starts_with("postgres") {
        "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    };
    let names: Vec<String> = sqlx::query_scalar(tables_sql)
        .fetch_all(&mut conn)
        .await
        .expect("list tables");
    let mut dump = Dump::new();
    for name in names.into_iter().filter(|n| n != "_sqlx_migrations") {
        let sql = format!("SELECT * FROM {name}");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut conn)
            .await
            .expect("read table");
        let mut texts: Vec<DumpRow> = rows
            .iter()
            .map(|row| {
                row.columns()
                    .iter()
                    .map(|c| (c.name().to_owned(), text(row, c.ordinal())))
                    .collect()
            })
            .collect();
        texts.sort();
        dump.insert(name, texts);
    }
    conn.close().await.ok();
    dump
}

fn text(row: &sqlx::any::AnyRow, i: usize) -> String {
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return v.unwrap_or_else(|| "NULL".into());
    }
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return v.map_or_else(|| "NULL".into(), |n| n.to_string());
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        return v.map_or_else(|| "NULL".into(), |n| n.to_string());
    }
    if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
        return v.map_or_else(|| "NULL".into(), |b| b.to_string());
    }
    "?".into()
}

/// Where `needle` occurs in `dump`: (table, column) of every cell that contains it, leaving
/// out the tables in `except`.
pub fn find_text(dump: &Dump, needle: &str, except: &[&str]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (table, rows) in dump {
        if except.contains(&table.as_str()) {
            continue;
        }
        for row in rows {
            for (column, value) in row {
                if value.contains(needle) {
                    found.push((table.clone(), column.clone()));
                }
            }
        }
    }
    found
}
