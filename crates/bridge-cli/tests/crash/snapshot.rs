//! A store's whole content as comparable lines, read with the store's own code.

use std::collections::HashSet;
use std::path::Path;

use bridge_store::{Location, OpenOptions, Store, tables};

/// Every record of every table of company `acme` in the store of `dir`, deleted ones
/// included, one line each with every column and Personio's JSON, sorted. Our own times
/// (when a record was seen or found deleted) differ between runs, so only whether a record
/// is deleted counts.
pub fn of(dir: &Path, key: &str) -> Vec<String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = Store::open(
            &Location::Sqlite(dir.join("bridge.db")),
            OpenOptions {
                key: Some(key.to_owned()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let company = store.company("acme").await.unwrap();
        let mut lines = Vec::new();
        for table in tables::ALL {
            let mut after = None;
            loop {
                let page = store
                    .records(company.id, table, after.as_ref(), 2_000, true)
                    .await
                    .unwrap();
                let Some(last) = page.last() else { break };
                after = Some(last.key.clone());
                lines.extend(page.into_iter().map(|record| {
                    format!(
                        "{} {:?} deleted={} updated={:?} {:?} {}",
                        table.name,
                        record.key,
                        record.deleted_at.is_some(),
                        record.source_updated_at,
                        record.values,
                        record.raw
                    )
                }));
            }
        }
        store.close().await;
        lines.sort();
        lines
    })
}

/// The company has enough to interrupt, and the derived values to get wrong: work periods
/// with break minutes summed from their breaks, and balances.
pub fn assert_worth_interrupting(lines: &[String]) {
    assert!(lines.len() > 1_000, "a company worth interrupting");
    let work_with_breaks = lines
        .iter()
        .filter(|l| l.starts_with("attendance_periods ") && l.contains("Text(\"WORK\")"))
        .filter(|l| {
            let values = &l[l.find('[').unwrap_or(0)..];
            !values.contains("Int(0)]") && !values.contains("Null]")
        })
        .count();
    assert!(work_with_breaks > 0, "work periods with break minutes");
    assert!(lines.iter().any(|l| l.starts_with("balances ")), "balances");
}

/// A short account of how two snapshots differ, for the failure report.
pub fn difference(actual: &[String], expected: &[String]) -> String {
    let (have, want): (HashSet<_>, HashSet<_>) =
        (actual.iter().collect(), expected.iter().collect());
    let missing: Vec<_> = expected.iter().filter(|l| !have.contains(l)).collect();
    let extra: Vec<_> = actual.iter().filter(|l| !want.contains(l)).collect();
    let cut = |l: &&String| l.chars().take(400).collect::<String>();
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
