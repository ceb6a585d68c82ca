//! Reading records page by page, in key order, for the API: a keyset cursor (the last key
//! seen), an optional "changed since" bound read from the change index, and the bookkeeping
//! times a consumer needs to follow changes.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::companies::CompanyId;
use crate::error::{Error, Result};
use crate::sql::{built, read_value};
use crate::store::Store;
use crate::tables::{KeyType, Table, quote};
use crate::value::{Key, Value, timestamp};

/// Which records of a table to read.
#[derive(Debug, Clone, Default)]
pub struct RecordQuery {
    /// Only records with a key after this one.
    pub after: Option<Key>,
    /// At most this many.
    pub limit: u32,
    /// Only records that changed (created, updated, deleted, left the filters) at or after this.
    pub changed_since: Option<DateTime<Utc>>,
    /// Deleted and out-of-filter records too (they are never dropped).
    pub include_removed: bool,
    /// Only records with these keys.
    pub keys: Option<Vec<Key>>,
    /// Only records whose `column` (an integer column of the table) is one of these.
    pub column_in: Option<(&'static str, Vec<i64>)>,
}

/// One stored record as the API shows it.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    pub key: Key,
    /// In the table's column order.
    pub values: Vec<Value>,
    pub first_seen_at: String,
    pub last_seen_at: String,
    /// When it last changed (its first sighting, for records stored before the change index).
    pub changed_at: String,
    pub deleted_at: Option<String>,
    pub out_of_filter_at: Option<String>,
}

impl Store {
    /// Records of `table` matching `query`, in key order (for the API).
    pub async fn browse(
        &self,
        company: CompanyId,
        table: &'static Table,
        query: &RecordQuery,
    ) -> Result<Vec<StoredRecord>> {
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|(c, _)| format!("t.{}", quote(c)))
            .collect();
        let mut sql = format!(
            "SELECT t.id, {}, t.first_seen_at, t.last_seen_at, t.deleted_at, t.out_of_filter_at, \
               COALESCE(c.changed_at, t.first_seen_at) AS changed_at \
             FROM {name} t LEFT JOIN record_changes c ON c.company_id = t.company_id \
               AND c.table_name = '{name}' AND c.record_id = CAST(t.id AS TEXT) \
             WHERE t.company_id = $1",
            columns.join(", "),
            name = table.name,
        );
        let mut binds: Vec<Bind> = Vec::new();
        let next = |bind: Bind, binds: &mut Vec<Bind>| {
            binds.push(bind);
            format!("${}", binds.len() + 1)
        };
        if !query.include_removed {
            sql.push_str(" AND t.deleted_at IS NULL AND t.out_of_filter_at IS NULL");
        }
        if let Some(after) = &query.after {
            let p = next(Bind::Key(after.clone()), &mut binds);
            sql.push_str(&format!(" AND t.id > {p}"));
        }
        if let Some(since) = query.changed_since {
            let p = next(Bind::Text(timestamp(since)), &mut binds);
            sql.push_str(&format!(
                " AND COALESCE(c.changed_at, t.first_seen_at) >= {p}"
            ));
        }
        if let Some(keys) = &query.keys {
            if keys.is_empty() {
                return Ok(Vec::new());
            }
            let list: Vec<String> = keys
                .iter()
                .map(|k| next(Bind::Key(k.clone()), &mut binds))
                .collect();
            sql.push_str(&format!(" AND t.id IN ({})", list.join(", ")));
        }
        if let Some((column, values)) = &query.column_in {
            if table.column_index(column).is_none() {
                return Err(Error::Corrupt(format!(
                    "{} has no column {column}",
                    table.name
                )));
            }
            if values.is_empty() {
                return Ok(Vec::new());
            }
            let list: Vec<String> = values
                .iter()
                .map(|v| next(Bind::Int(*v), &mut binds))
                .collect();
            sql.push_str(&format!(
                " AND t.{} IN ({})",
                quote(column),
                list.join(", ")
            ));
        }
        let p = next(Bind::Int(i64::from(query.limit)), &mut binds);
        sql.push_str(&format!(" ORDER BY t.id LIMIT {p}"));
        let mut q = sqlx::query(built(sql)).bind(company.0);
        for bind in binds {
            q = match bind {
                Bind::Key(Key::Int(n)) | Bind::Int(n) => q.bind(n),
                Bind::Key(Key::Text(s)) | Bind::Text(s) => q.bind(s),
            };
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(|row| record_from(row, table)).collect()
    }
}

enum Bind {
    Key(Key),
    Int(i64),
    Text(String),
}

fn record_from(row: &AnyRow, table: &Table) -> Result<StoredRecord> {
    Ok(StoredRecord {
        key: match table.key {
            KeyType::Int => Key::Int(row.try_get("id")?),
            KeyType::Text => Key::Text(row.try_get("id")?),
        },
        values: table
            .columns
            .iter()
            .map(|(name, kind)| read_value(row, name, *kind))
            .collect::<Result<_>>()?,
        first_seen_at: row.try_get("first_seen_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        changed_at: row.try_get("changed_at")?,
        deleted_at: row.try_get("deleted_at")?,
        out_of_filter_at: row.try_get("out_of_filter_at")?,
    })
}
