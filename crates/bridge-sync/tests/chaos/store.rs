//! A store to sync into, and its whole content as comparable lines.

use std::collections::HashSet;

use bridge_store::{Company, Filters, Location, NewCompany, OpenOptions, Store, tables};
use bridge_testkit::{CLIENT_ID, CLIENT_SECRET};
use secrecy::SecretString;

/// A fresh SQLite store in its own directory, with the company `acme` connected.
pub struct TestStore {
    pub store: Store,
    pub company: Company,
    _dir: tempfile::TempDir,
}

pub async fn fresh_store(base_url: &str) -> TestStore {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let key = bridge_store::secrets::Key::from_bytes([7u8; 32]).to_base64();
    let store = Store::open(
        &Location::Sqlite(dir.path().join("bridge.db")),
        OpenOptions {
            key: Some(key),
            ..Default::default()
        },
    )
    .await
    .expect("open the store");
    let company = store
        .add_company(
            NewCompany {
                name: "acme".into(),
                base_url: base_url.to_owned(),
                client_id: CLIENT_ID.into(),
                client_secret: SecretString::from(CLIENT_SECRET.to_owned()),
                recruiting: None,
                filters: Filters::default(),
                granted: serde_json::json!({}),
            },
            chrono::Utc::now(),
        )
        .await
        .expect("add the company");
    TestStore {
        store,
        company,
        _dir: dir,
    }
}

/// Every record of every table, deleted ones included, one line each, sorted. Our own
/// timestamps (when a deletion was noticed) differ between runs, so only whether a record
/// is deleted counts.
pub async fn snapshot(store: &TestStore) -> Vec<String> {
    let mut lines = Vec::new();
    for table in tables::ALL {
        let mut after = None;
        loop {
            let page = store
                .store
                .records(store.company.id, table, after.as_ref(), 1000, true)
                .await
                .expect("read records");
            let Some(last) = page.last() else { break };
            after = Some(last.key.clone());
            for record in page {
                lines.push(format!(
                    "{} {:?} deleted={} updated={:?} {:?} {}",
                    table.name,
                    record.key,
                    record.deleted_at.is_some(),
                    record.source_updated_at,
                    record.values,
                    record.raw
                ));
            }
        }
    }
    lines.sort();
    lines
}

/// A short account of how two snapshots differ, for the failure report.
pub fn difference(actual: &[String], expected: &[String]) -> String {
    let (have, want): (HashSet<_>, HashSet<_>) =
        (actual.iter().collect(), expected.iter().collect());
    let missing: Vec<_> = expected.iter().filter(|l| !have.contains(l)).collect();
    let extra: Vec<_> = actual.iter().filter(|l| !want.contains(l)).collect();
    let cut = |l: &&String| l.chars().take(160).collect::<String>();
    format!(
        "{} records, expected {}; {} missing (first: {:?}); {} unexpected (first: {:?})",
        actual.len(),
        expected.len(),
        missing.len(),
        missing.first().map(cut),
        extra.len(),
        extra.first().map(cut)
    )
}
