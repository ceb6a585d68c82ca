//! Changes to records, and the change index: when each record last changed, written in the
//! same transaction as the change itself, so that "what changed since T" is exact even across
//! crashes. The page write (`records`) produces changes and notes them here; the outbox turns
//! them into webhook events.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Any, Transaction};

use crate::companies::CompanyId;
use crate::error::Result;
use crate::sql::built;
use crate::value::{Key, timestamp};

/// What a write changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Created,
    Updated,
    Deleted,
    LeftFilter,
}

/// One changed record, with the normalized columns that changed (for updates).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub table: &'static str,
    pub key: Key,
    pub kind: ChangeKind,
    pub changed: Vec<&'static str>,
}

pub(crate) fn kind_name(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Created => "created",
        ChangeKind::Updated => "updated",
        ChangeKind::Deleted => "deleted",
        ChangeKind::LeftFilter => "left_filter",
    }
}

/// Rows per statement (3 parameters each): few enough that SQLite's binding, quadratic in
/// the parameters of a statement, stays cheap.
const ROWS_PER_STATEMENT: usize = 80;

/// Records `changes` as of `now`.
pub(crate) async fn note(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    changes: impl IntoIterator<Item = &Change>,
    now: DateTime<Utc>,
) -> Result<()> {
    // One row per record: PostgreSQL refuses an upsert that touches a row twice.
    let latest: BTreeMap<(&str, String), ChangeKind> = changes
        .into_iter()
        .map(|c| ((c.table, c.key.to_string()), c.kind))
        .collect();
    let rows: Vec<_> = latest.into_iter().collect();
    let now = timestamp(now);
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        // $1 is the company, $2 the time; rows start at $3.
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let n = 3 + i * 3;
                format!("($1, ${n}, ${}, ${}, $2)", n + 1, n + 2)
            })
            .collect();
        let sql = format!(
            "INSERT INTO record_changes (company_id, table_name, record_id, kind, changed_at) VALUES {} \
             ON CONFLICT (company_id, table_name, record_id) DO UPDATE SET kind = excluded.kind, changed_at = excluded.changed_at",
            values.join(", ")
        );
        let mut query = sqlx::query(built(sql)).bind(company.0).bind(now.clone());
        for ((table, key), kind) in chunk {
            query = query
                .bind((*table).to_owned())
                .bind(key.clone())
                .bind(kind_name(*kind));
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}
