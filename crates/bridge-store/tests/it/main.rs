//! The store's behaviour, once per backend: a real SQLite file, and a fresh database on the
//! PostgreSQL server of `PERSONIO_BRIDGE_TEST_PG_URL` (see `bridge_testkit::TestDb`).
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod access;
mod companies;
mod connections;
mod governance;
mod jobs;
mod journal;
mod outbox;
mod queries;
mod records;
mod schema;

use bridge_store::tables::EMPLOYEES;
use bridge_store::{Key, Location, OpenOptions, Row, Store, Value};
use bridge_testkit::TestDb;
use chrono::{DateTime, TimeZone, Utc};
use sqlx::Connection;

/// The store of the test database `db`, opened with a fixed key.
pub async fn open(db: &TestDb) -> Store {
    Store::open(
        &Location::parse(&db.url).unwrap(),
        OpenOptions {
            key: Some(fixed_key()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// The single text column `text` of every row `sql` returns, read past the store.
pub async fn query_texts(db: &TestDb, sql: &'static str) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let rows = sqlx::query_scalar::<_, String>(sql)
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    rows
}

pub fn fixed_key() -> String {
    bridge_store::secrets::Key::from_bytes([7u8; 32]).to_base64()
}

pub fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, hour, 0, 0).unwrap()
}

/// An employee row, last changed in Personio at hour 1.
pub fn person(id: i64, last_name: &str) -> Row {
    EMPLOYEES
        .row(Key::Int(id))
        .set("first_name", "Zoë")
        .set("last_name", last_name)
        .set("preferred_name", Value::Null)
        .set("email", format!("p{id}@example.org"))
        .set("gender", "female")
        .set("language", Value::Null)
        .set("custom_attributes", "{}")
        .set("source_created_at", Value::Null)
        .finish(
            format!(r#"{{"id":{id},"last_name":"{last_name}"}}"#),
            Some(at(1)),
        )
        .unwrap()
}
