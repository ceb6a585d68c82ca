//! The store's behaviour, on a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod companies;
mod records;
mod schema;

use bridge_store::{Location, OpenOptions, Store};
use chrono::{DateTime, TimeZone, Utc};

/// A fresh store in a temporary directory (kept alive by the returned guard).
pub async fn temp_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = open_in(&dir).await;
    (store, dir)
}

pub async fn open_in(dir: &tempfile::TempDir) -> Store {
    let location = Location::Sqlite(dir.path().join("bridge.db"));
    Store::open(
        &location,
        OpenOptions {
            key: Some(fixed_key()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

pub fn fixed_key() -> String {
    bridge_store::secrets::Key::from_bytes([7u8; 32]).to_base64()
}

pub fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, hour, 0, 0).unwrap()
}
