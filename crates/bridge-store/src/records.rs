//! Writing records: a page and the checkpoint that follows it, in one transaction.
//!
//! Each incoming row is compared with what is stored: new (or back from deleted or
//! out-of-filter) rows are *created*, rows whose Personio JSON changed are *updated* (with the
//! normalized columns that changed), the rest are *unchanged* and only get `last_seen_at`.
//! After a full listing, [`Store::finish_listing`] marks what the listing did not see as
//! deleted: Personio keeps no tombstones, so absence from a complete listing is the signal.
//!
//! This is the top of the store's modules: it uses `changes`, `checkpoints`, `derived` and
//! the outbox's events, and none of them uses it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use crate::changes::{self, Change, ChangeKind};
use crate::checkpoints::{self, Checkpoint};
use crate::companies::CompanyId;
use crate::derived;
use crate::erasure;
use crate::error::Result;
use crate::row::{Row as RecordRow, RowError};
use crate::sql::{
    KEYS_PER_STATEMENT, Marks, bind_key, bind_value, built, placeholders, read_key, read_value,
};
use crate::store::Store;
use crate::tables::{BOOKKEEPING, Table, quote};
use crate::value::{Key, Value, timestamp};

/// One page of records to store, and the checkpoint that follows it.
#[derive(Debug)]
pub struct PageWrite {
    pub company: CompanyId,
    pub table: &'static Table,
    pub rows: Vec<RecordRow>,
    /// Records Personio returned that are outside the company's filters: stored ones are
    /// marked `out_of_filter_at`; unknown ones are not stored.
    pub leaving: Vec<Key>,
    /// Records seen without their data (an id-only reconciliation): only `last_seen_at` moves.
    pub seen: Vec<Key>,
    /// Rows derived from these records (cost center splits), replacing earlier rows of the
    /// same parents.
    pub derived: Vec<Derived>,
    /// The checkpoint after this page.
    pub checkpoint: Checkpoint,
    pub now: DateTime<Utc>,
}

/// Rows of a derived table for some parents.
#[derive(Debug)]
pub struct Derived {
    pub table: &'static Table,
    pub parent_column: &'static str,
    pub parents: Vec<Key>,
    pub rows: Vec<RecordRow>,
}

/// Counts and changes of a write.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Applied {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub left_filter: u64,
    pub changes: Vec<Change>,
}

/// The end of a listing: mark unseen records deleted and store the checkpoint.
#[derive(Debug)]
pub struct ListingEnd {
    pub company: CompanyId,
    pub table: &'static Table,
    /// When the listing began: records last seen before it were not seen by it.
    pub started_at: DateTime<Utc>,
    /// Only records in this window are judged (a reconciliation of recent periods, say).
    pub scope: Option<Window>,
    /// Derived tables whose rows go with deleted parents.
    pub derived: Vec<(&'static Table, &'static str)>,
    pub checkpoint: Checkpoint,
    pub now: DateTime<Utc>,
}

/// Which records a listing covered: `column` equal to `equals`, and/or between `from`
/// (inclusive) and `to` (exclusive), compared as stored text.
#[derive(Debug, Clone)]
pub struct Window {
    pub column: &'static str,
    pub equals: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Store {
    /// Stores a page and its checkpoint atomically.
    pub async fn apply_page(&self, page: PageWrite) -> Result<Applied> {
        let mut tx = self.begin_write().await?;
        let (mut applied, fresh) =
            upsert(&mut tx, page.company, page.table, &page.rows, page.now).await?;
        let left = mark_leaving(&mut tx, page.company, page.table, &page.leaving, page.now).await?;
        applied.left_filter = left.len() as u64;
        applied.changes.extend(left.into_iter().map(|key| Change {
            table: page.table.name,
            key,
            kind: ChangeKind::LeftFilter,
            changed: Vec::new(),
        }));
        let seen: Vec<&Key> = page.seen.iter().collect();
        touch(
            &mut tx,
            page.company,
            page.table,
            &seen,
            &timestamp(page.now),
        )
        .await?;
        for derived in &page.derived {
            upsert(
                &mut tx,
                page.company,
                derived.table,
                &derived.rows,
                page.now,
            )
            .await?;
            mark_stale_children(&mut tx, page.company, derived, page.now).await?;
        }
        // A record stored for the first time needs no entry in the change index: its
        // `first_seen_at` says when it appeared (and a first full sync writes half as much).
        let notes: Vec<&Change> = applied
            .changes
            .iter()
            .filter(|c| !(c.kind == ChangeKind::Created && fresh.contains(&c.key)))
            .collect();
        changes::note(&mut tx, page.company, notes, page.now).await?;
        self.enqueue_webhook_events(&mut tx, page.company, &applied.changes, page.now)
            .await?;
        let mut checkpoint = page.checkpoint;
        if let Some(listing) = &mut checkpoint.listing {
            listing.changed |= !applied.changes.is_empty();
        }
        checkpoints::write(&mut tx, page.company, &checkpoint, page.now).await?;
        tx.commit().await?;
        Ok(applied)
    }

    /// Ends a listing: records of `table` not seen since `started_at` (within the window) are
    /// marked deleted, with their derived rows; the checkpoint is stored in the same
    /// transaction. Returns the deletions.
    pub async fn finish_listing(&self, end: ListingEnd) -> Result<Vec<Change>> {
        let mut tx = self.begin_write().await?;
        let now = timestamp(end.now);
        let mut sql = format!(
            "UPDATE {} SET deleted_at = $1 WHERE company_id = $2 AND deleted_at IS NULL AND last_seen_at < $3",
            end.table.name
        );
        let mut binds = vec![now.clone(), timestamp(end.started_at)];
        if let Some(window) = &end.scope {
            if let Some(equals) = &window.equals {
                binds.push(equals.clone());
                sql.push_str(&format!(
                    " AND {} = ${}",
                    quote(window.column),
                    binds.len() + 1
                ));
            }
            if let Some(from) = &window.from {
                binds.push(from.clone());
                sql.push_str(&format!(
                    " AND {} >= ${}",
                    quote(window.column),
                    binds.len() + 1
                ));
            }
            if let Some(to) = &window.to {
                binds.push(to.clone());
                sql.push_str(&format!(
                    " AND {} < ${}",
                    quote(window.column),
                    binds.len() + 1
                ));
            }
        }
        sql.push_str(" RETURNING id");
        let mut query = sqlx::query(built(sql.clone()))
            .bind(binds[0].clone())
            .bind(end.company.0);
        for bind in &binds[1..] {
            query = query.bind(bind.clone());
        }
        let rows = query.fetch_all(&mut *tx).await?;
        let keys: Vec<Key> = rows
            .iter()
            .map(|r| read_key(r, end.table.key))
            .collect::<Result<_>>()?;
        let around = derived::affected(&mut tx, end.company, end.table, &keys).await?;
        derived::sum_breaks(&mut tx, end.company, &around).await?;
        for (derived, parent_column) in &end.derived {
            for chunk in keys.chunks(KEYS_PER_STATEMENT) {
                let placeholders = placeholders(3, chunk.len());
                let sql = format!(
                    "UPDATE {} SET deleted_at = $1 WHERE company_id = $2 AND deleted_at IS NULL AND {parent_column} IN ({placeholders})",
                    derived.name
                );
                let mut query = sqlx::query(built(sql.clone()))
                    .bind(now.clone())
                    .bind(end.company.0);
                for key in chunk {
                    query = bind_key(query, key);
                }
                query.execute(&mut *tx).await?;
            }
        }
        let deletions: Vec<Change> = keys
            .into_iter()
            .map(|key| Change {
                table: end.table.name,
                key,
                kind: ChangeKind::Deleted,
                changed: Vec::new(),
            })
            .collect();
        changes::note(&mut tx, end.company, &deletions, end.now).await?;
        self.enqueue_webhook_events(&mut tx, end.company, &deletions, end.now)
            .await?;
        checkpoints::write(&mut tx, end.company, &end.checkpoint, end.now).await?;
        tx.commit().await?;
        Ok(deletions)
    }

    /// Stores only a checkpoint (a listing that found nothing, or a finished one with nothing to delete).
    pub async fn save_checkpoint(
        &self,
        company: CompanyId,
        checkpoint: &Checkpoint,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        checkpoints::write(&mut tx, company, checkpoint, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// What is stored for some keys: the raw JSON, whether it is live, and the normalized values.
struct Stored {
    raw: String,
    live: bool,
    values: Vec<Value>,
}

/// Writes `rows`; returns what changed, and the keys stored for the first time.
pub(crate) async fn upsert(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    table: &'static Table,
    rows: &[RecordRow],
    now: DateTime<Utc>,
) -> Result<(Applied, HashSet<Key>)> {
    let mut applied = Applied::default();
    let mut fresh = HashSet::new();
    if rows.is_empty() {
        return Ok((applied, fresh));
    }
    if let Some(row) = rows.iter().find(|row| row.table().name != table.name) {
        return Err(RowError::OtherTable {
            built_for: row.table().name,
            table: table.name,
        }
        .into());
    }
    // People erased from the store stay out of it, whatever Personio still lists.
    let rows = erasure::skip_erased(tx, company, table, rows).await?;
    let stored = load(tx, company, table, rows.iter().map(|r| &r.key)).await?;
    let mut writes: Vec<&RecordRow> = Vec::new();
    let mut unchanged: Vec<&Key> = Vec::new();
    for row in rows.iter().map(|row| &**row) {
        match stored.get(&row.key) {
            None => {
                fresh.insert(row.key.clone());
                applied.created += 1;
                applied.changes.push(Change {
                    table: table.name,
                    key: row.key.clone(),
                    kind: ChangeKind::Created,
                    changed: Vec::new(),
                });
                writes.push(row);
            }
            Some(old) if !old.live => {
                applied.created += 1;
                applied.changes.push(Change {
                    table: table.name,
                    key: row.key.clone(),
                    kind: ChangeKind::Created,
                    changed: Vec::new(),
                });
                writes.push(row);
            }
            Some(old) if old.raw != row.raw => {
                let changed: Vec<&'static str> = table
                    .columns
                    .iter()
                    .zip(row.values.iter().zip(&old.values))
                    .filter(|(_, (new, old))| !new.same_as(old))
                    .map(|((name, _), _)| *name)
                    .collect();
                applied.updated += 1;
                applied.changes.push(Change {
                    table: table.name,
                    key: row.key.clone(),
                    kind: ChangeKind::Updated,
                    changed,
                });
                writes.push(row);
            }
            Some(_) => {
                applied.unchanged += 1;
                unchanged.push(&row.key);
            }
        }
    }
    // Values derived from the rows written, where those rows were and where they are now
    // (an unchanged row moves nothing).
    let written = || writes.iter().map(|row| &row.key);
    let mut around = derived::affected(
        tx,
        company,
        table,
        written().filter(|k| stored.contains_key(*k)),
    )
    .await?;
    let now = timestamp(now);
    let width = 2 + table.columns.len() + BOOKKEEPING.len();
    for chunk in writes.chunks((Marks::of(tx).params_per_insert() / width).max(1)) {
        write_rows(tx, company, table, chunk, &now).await?;
    }
    around.extend(derived::affected(tx, company, table, written()).await?);
    derived::sum_breaks(tx, company, &around).await?;
    touch(tx, company, table, &unchanged, &now).await?;
    Ok((applied, fresh))
}

/// Moves `last_seen_at` of stored records (unchanged ones, or ids seen without data).
async fn touch(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    table: &'static Table,
    keys: &[&Key],
    now: &str,
) -> Result<()> {
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        let marks = Marks::of(tx);
        let sql = format!(
            "UPDATE {} SET last_seen_at = {} WHERE company_id = {} AND id IN ({})",
            table.name,
            marks.list(1, 1),
            marks.list(2, 1),
            marks.list(3, chunk.len())
        );
        let mut query = sqlx::query(built(sql)).bind(now.to_owned()).bind(company.0);
        for key in chunk {
            query = bind_key(query, key);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn load<'k>(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    table: &'static Table,
    keys: impl Iterator<Item = &'k Key>,
) -> Result<HashMap<Key, Stored>> {
    let keys: Vec<&Key> = keys.collect();
    let columns: Vec<String> = table.columns.iter().map(|(c, _)| quote(c)).collect();
    let mut stored = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        let marks = Marks::of(tx);
        let sql = format!(
            "SELECT id, raw, deleted_at IS NULL AND out_of_filter_at IS NULL AS live, {} FROM {} WHERE company_id = {} AND id IN ({})",
            columns.join(", "),
            table.name,
            marks.list(1, 1),
            marks.list(2, chunk.len())
        );
        let mut query = sqlx::query(built(sql.clone())).bind(company.0);
        for key in chunk {
            query = bind_key(query, key);
        }
        for row in query.fetch_all(&mut **tx).await? {
            let key = read_key(&row, table.key)?;
            let live = row
                .try_get::<bool, _>("live")
                .or_else(|_| row.try_get::<i64, _>("live").map(|n| n != 0))?;
            let values = table
                .columns
                .iter()
                .map(|(name, kind)| read_value(&row, name, *kind))
                .collect::<Result<Vec<_>>>()?;
            stored.insert(
                key,
                Stored {
                    raw: row.try_get("raw")?,
                    live,
                    values,
                },
            );
        }
    }
    Ok(stored)
}

async fn write_rows(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    table: &'static Table,
    rows: &[&RecordRow],
    now: &str,
) -> Result<()> {
    let mut columns = vec!["company_id".to_owned(), "id".to_owned()];
    columns.extend(table.columns.iter().map(|(c, _)| quote(c)));
    columns.extend(BOOKKEEPING.iter().map(|c| (*c).to_owned()));
    let width = columns.len();
    let marks = Marks::of(tx);
    let values: Vec<String> = (0..rows.len())
        .map(|i| format!("({})", marks.list(1 + i * width, width)))
        .collect();
    let updates: Vec<String> = table
        .columns
        .iter()
        .map(|(c, _)| format!("{0} = excluded.{0}", quote(c)))
        .chain(
            [
                "raw = excluded.raw",
                "source_updated_at = excluded.source_updated_at",
                "last_seen_at = excluded.last_seen_at",
                "deleted_at = NULL",
                "out_of_filter_at = NULL",
            ]
            .map(str::to_owned),
        )
        .collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES {} ON CONFLICT (company_id, id) DO UPDATE SET {}",
        table.name,
        columns.join(", "),
        values.join(", "),
        updates.join(", ")
    );
    let mut query = sqlx::query(built(sql.clone()));
    for row in rows {
        query = query.bind(company.0);
        query = bind_key(query, &row.key);
        for ((_, kind), value) in table.columns.iter().zip(&row.values) {
            query = bind_value(query, value, *kind);
        }
        query = query
            .bind(row.raw.clone())
            .bind(row.source_updated_at.map(timestamp))
            .bind(now.to_owned())
            .bind(now.to_owned())
            .bind(None::<String>)
            .bind(None::<String>);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// Marks stored records as out of the filters; returns those that newly left.
async fn mark_leaving(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    table: &'static Table,
    keys: &[Key],
    now: DateTime<Utc>,
) -> Result<Vec<Key>> {
    let now = timestamp(now);
    let mut left = Vec::new();
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        let list = placeholders(3, chunk.len());
        // Newly leaving ones get the mark; all of them count as seen (not deleted).
        let mark = format!(
            "UPDATE {} SET out_of_filter_at = $1, last_seen_at = $1 WHERE company_id = $2 AND out_of_filter_at IS NULL AND id IN ({list}) RETURNING id",
            table.name
        );
        let seen = format!(
            "UPDATE {} SET last_seen_at = $1 WHERE company_id = $2 AND id IN ({list})",
            table.name
        );
        let mut query = sqlx::query(built(mark.clone()))
            .bind(now.clone())
            .bind(company.0);
        for key in chunk {
            query = bind_key(query, key);
        }
        for row in query.fetch_all(&mut **tx).await? {
            left.push(read_key(&row, table.key)?);
        }
        let mut query = sqlx::query(built(seen.clone()))
            .bind(now.clone())
            .bind(company.0);
        for key in chunk {
            query = bind_key(query, key);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(left)
}

/// Derived rows of the given parents that this write did not produce are gone.
async fn mark_stale_children(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    derived: &Derived,
    now: DateTime<Utc>,
) -> Result<()> {
    let now = timestamp(now);
    for chunk in derived.parents.chunks(KEYS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE {} SET deleted_at = $1 WHERE company_id = $2 AND deleted_at IS NULL AND last_seen_at < $1 AND {} IN ({})",
            derived.table.name,
            derived.parent_column,
            placeholders(3, chunk.len())
        );
        let mut query = sqlx::query(built(sql.clone()))
            .bind(now.clone())
            .bind(company.0);
        for key in chunk {
            query = bind_key(query, key);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

impl Store {
    /// Marks deleted the records of `tables` (each with an `employee_id`) that belong to
    /// people deleted in Personio: Personio removes them with the person, and a
    /// reconciliation window would miss the older ones. Returns the count per table.
    ///
    /// The deleted people are read first and their records looked up by `employee_id`, so
    /// the work follows the (usually very few) deleted people, whatever plan PostgreSQL
    /// would pick for a subquery on freshly written tables.
    pub async fn delete_records_of_deleted_employees(
        &self,
        company: CompanyId,
        tables: &[&'static Table],
        now: DateTime<Utc>,
    ) -> Result<Vec<u64>> {
        let mut tx = self.begin_write().await?;
        let gone: Vec<i64> = sqlx::query(
            "SELECT id FROM employees WHERE company_id = $1 AND deleted_at IS NOT NULL ORDER BY id",
        )
        .bind(company.0)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|row| row.try_get::<i64, _>("id"))
        .collect::<std::result::Result<_, _>>()?;
        let mut counts = vec![0; tables.len()];
        if gone.is_empty() {
            return Ok(counts);
        }
        self.enqueue_deletions_with_employees(&mut tx, company, tables, &gone, now)
            .await?;
        for (table, count) in tables.iter().zip(counts.iter_mut()) {
            for chunk in gone.chunks(KEYS_PER_STATEMENT) {
                let sql = format!(
                    "UPDATE {} SET deleted_at = $1 WHERE company_id = $2 AND deleted_at IS NULL \
                     AND employee_id IN ({})",
                    table.name,
                    placeholders(3, chunk.len())
                );
                let mut query = sqlx::query(built(sql)).bind(timestamp(now)).bind(company.0);
                for id in chunk {
                    query = query.bind(*id);
                }
                *count += query.execute(&mut *tx).await?.rows_affected();
            }
        }
        tx.commit().await?;
        Ok(counts)
    }
}
