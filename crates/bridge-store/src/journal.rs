//! The write journal: every write to Personio, keyed by company and idempotency key, from the
//! intent (written before anything is sent) to its final outcome. The outcome of a write
//! Personio accepted is written in the same transaction as the record it stored and the
//! change events it caused (write-through), so a crash leaves either both or neither.
//!
//! The journal only records; what to do with an entry in each state is decided in
//! `bridge_sync::write`. This module sits above `records` (it stores rows with the page
//! write's upsert).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row as _, Transaction};

use crate::audit::{self, AuditEvent};
use crate::changes::{self, Change, ChangeKind};
use crate::companies::CompanyId;
use crate::derived;
use crate::error::Result;
use crate::records::{Applied, upsert};
use crate::row::Row;
use crate::sql::{bind_key, built, read_key};
use crate::store::Store;
use crate::tables::Table;
use crate::value::{Key, timestamp};

/// Where a journalled write stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalState {
    /// Journalled; nothing sent yet.
    Pending,
    /// A request may be on the wire (or was, when the process died).
    Sending,
    /// Sent, and the answer did not tell whether Personio acted on it.
    Unknown,
    /// Personio took it (the id is known); the record is not stored yet.
    Accepted,
    /// Done: Personio took it and the store holds the result.
    Succeeded,
    /// Done: Personio (or the bridge, before sending) refused it.
    Refused,
}

impl JournalState {
    pub fn as_str(self) -> &'static str {
        match self {
            JournalState::Pending => "pending",
            JournalState::Sending => "sending",
            JournalState::Unknown => "unknown",
            JournalState::Accepted => "accepted",
            JournalState::Succeeded => "succeeded",
            JournalState::Refused => "refused",
        }
    }

    pub fn parse(text: &str) -> Option<JournalState> {
        Some(match text {
            "pending" => JournalState::Pending,
            "sending" => JournalState::Sending,
            "unknown" => JournalState::Unknown,
            "accepted" => JournalState::Accepted,
            "succeeded" => JournalState::Succeeded,
            "refused" => JournalState::Refused,
            _ => return None,
        })
    }

    /// Whether nothing more will happen to the entry.
    pub fn is_final(self) -> bool {
        matches!(self, JournalState::Succeeded | JournalState::Refused)
    }
}

/// A write to journal before it is sent.
#[derive(Debug, Clone)]
pub struct NewWrite {
    pub company: CompanyId,
    pub key: String,
    pub resource: String,
    pub operation: String,
    pub target_id: Option<String>,
    /// The intent, as canonical JSON.
    pub request: String,
    /// SHA-256 of the request, hex.
    pub request_hash: String,
    /// Who asked (`key:<name>`, `mcp:<key name>`, `cli:<user>`): the actor of the write's
    /// audit entry. A name, never a secret.
    pub requested_by: String,
}

/// One journal entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalEntry {
    pub company: CompanyId,
    pub key: String,
    pub resource: String,
    pub operation: String,
    pub target_id: Option<String>,
    pub request: String,
    pub request_hash: String,
    pub state: JournalState,
    pub outcome: Option<String>,
    pub sends: i64,
    pub reads: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Who asked; `None` for entries journalled before the bridge kept it.
    pub requested_by: Option<String>,
}

/// A step of an entry that is not final: the new state, and what was learnt.
#[derive(Debug, Clone)]
pub struct JournalStep<'a> {
    pub company: CompanyId,
    pub key: &'a str,
    pub state: JournalState,
    /// The record's id, once known.
    pub target_id: Option<&'a str>,
    /// The final answer (for `refused`).
    pub outcome: Option<&'a str>,
    /// This step followed a request that was sent.
    pub sent: bool,
    /// This step followed a resolving read.
    pub read: bool,
    pub now: DateTime<Utc>,
}

/// A write Personio accepted, and what the store keeps of it.
#[derive(Debug)]
pub struct WriteThrough<'a> {
    pub company: CompanyId,
    pub key: &'a str,
    pub target_id: &'a str,
    pub table: &'static Table,
    /// The record as Personio now shows it (creates and updates).
    pub rows: Vec<Row>,
    /// Records Personio no longer has (deletes).
    pub deleted: Vec<Key>,
    /// The final answer, as JSON.
    pub outcome: &'a str,
    pub now: DateTime<Utc>,
}

const COLUMNS: &str = "company_id, idempotency_key, resource, operation, target_id, request, \
                       request_hash, state, outcome, sends, reads, created_at, updated_at, \
                       requested_by";

fn entry_from(row: &AnyRow) -> Result<JournalEntry> {
    let state: String = row.try_get("state")?;
    Ok(JournalEntry {
        company: CompanyId(row.try_get("company_id")?),
        key: row.try_get("idempotency_key")?,
        resource: row.try_get("resource")?,
        operation: row.try_get("operation")?,
        target_id: row.try_get("target_id")?,
        request: row.try_get("request")?,
        request_hash: row.try_get("request_hash")?,
        // An unknown state is one a newer version wrote: resolve it rather than trust it.
        state: JournalState::parse(&state).unwrap_or(JournalState::Unknown),
        outcome: row.try_get("outcome")?,
        sends: row.try_get("sends")?,
        reads: row.try_get("reads")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        requested_by: row.try_get("requested_by")?,
    })
}

impl Store {
    /// Journals `new` as pending unless its key is journalled already; returns the entry as
    /// stored and whether it is the new one. The caller compares hashes of an older one.
    pub async fn journal_intent(
        &self,
        new: NewWrite,
        now: DateTime<Utc>,
    ) -> Result<(JournalEntry, bool)> {
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO write_journal (company_id, idempotency_key, resource, operation, target_id, \
             request, request_hash, state, sends, reads, created_at, updated_at, requested_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, 0, $8, $8, $9) \
             ON CONFLICT (company_id, idempotency_key) DO NOTHING",
        )
        .bind(new.company.0)
        .bind(new.key.clone())
        .bind(new.resource)
        .bind(new.operation)
        .bind(new.target_id)
        .bind(new.request)
        .bind(new.request_hash)
        .bind(timestamp(now))
        .bind(new.requested_by)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        let entry = read_entry(&mut tx, new.company, &new.key).await?;
        tx.commit().await?;
        let entry = entry.ok_or(crate::Error::Database(sqlx::Error::RowNotFound))?;
        Ok((entry, inserted))
    }

    /// The entry of `key`, if journalled.
    pub async fn journal_entry(
        &self,
        company: CompanyId,
        key: &str,
    ) -> Result<Option<JournalEntry>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM write_journal WHERE company_id = $1 AND idempotency_key = $2"
        );
        let row = sqlx::query(built(sql))
            .bind(company.0)
            .bind(key.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(entry_from).transpose()
    }

    /// Entries not final (of one company, or all), oldest first: what a start resolves.
    pub async fn journal_open(&self, company: Option<CompanyId>) -> Result<Vec<JournalEntry>> {
        let open =
            "SELECT {COLUMNS} FROM write_journal WHERE state NOT IN ('succeeded', 'refused')";
        let order = "ORDER BY created_at, idempotency_key";
        let open = open.replace("{COLUMNS}", COLUMNS);
        let rows = match company {
            Some(company) => {
                sqlx::query(built(format!("{open} AND company_id = $1 {order}")))
                    .bind(company.0)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query(built(format!("{open} {order}")))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(entry_from).collect()
    }

    /// Moves an entry that is not final to `step.state`. Returns false when the entry is
    /// final already (someone else finished it): nothing is changed then.
    pub async fn journal_step(&self, step: JournalStep<'_>) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let moved = sqlx::query(
            "UPDATE write_journal SET state = $1, target_id = COALESCE($2, target_id), \
             outcome = COALESCE($3, outcome), sends = sends + $4, reads = reads + $5, updated_at = $6 \
             WHERE company_id = $7 AND idempotency_key = $8 AND state NOT IN ('succeeded', 'refused')",
        )
        .bind(step.state.as_str())
        .bind(step.target_id.map(str::to_owned))
        .bind(step.outcome.map(str::to_owned))
        .bind(i64::from(step.sent))
        .bind(i64::from(step.read))
        .bind(timestamp(step.now))
        .bind(step.company.0)
        .bind(step.key.to_owned())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved == 1 && step.state.is_final() {
            audit_outcome(&mut tx, step.company, step.key, step.now).await?;
        }
        tx.commit().await?;
        Ok(moved == 1)
    }

    /// Finishes a write Personio accepted: stores the record (or marks it deleted), notes the
    /// change, queues its events and marks the entry succeeded, in one transaction. An entry
    /// already final is left alone and nothing is stored.
    pub async fn journal_write_through(&self, write: WriteThrough<'_>) -> Result<Applied> {
        let mut tx = self.begin_write().await?;
        let moved = sqlx::query(
            "UPDATE write_journal SET state = 'succeeded', target_id = $1, outcome = $2, updated_at = $3 \
             WHERE company_id = $4 AND idempotency_key = $5 AND state NOT IN ('succeeded', 'refused')",
        )
        .bind(write.target_id.to_owned())
        .bind(write.outcome.to_owned())
        .bind(timestamp(write.now))
        .bind(write.company.0)
        .bind(write.key.to_owned())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved == 0 {
            return Ok(Applied::default());
        }
        audit_outcome(&mut tx, write.company, write.key, write.now).await?;
        let (mut applied, fresh) =
            upsert(&mut tx, write.company, write.table, &write.rows, write.now).await?;
        let deleted = mark_deleted(
            &mut tx,
            write.company,
            write.table,
            &write.deleted,
            write.now,
        )
        .await?;
        applied
            .changes
            .extend(deleted.into_iter().map(|key| Change {
                table: write.table.name,
                key,
                kind: ChangeKind::Deleted,
                changed: Vec::new(),
            }));
        // As in a page write: a first sighting needs no entry in the change index.
        let notes: Vec<&Change> = applied
            .changes
            .iter()
            .filter(|c| !(c.kind == ChangeKind::Created && fresh.contains(&c.key)))
            .collect();
        changes::note(&mut tx, write.company, notes, write.now).await?;
        self.enqueue_webhook_events(&mut tx, write.company, &applied.changes, write.now)
            .await?;
        tx.commit().await?;
        Ok(applied)
    }
}

/// The audit log's entry for an entry that just became final, in the transaction that made
/// it so: whatever wrote it (the API, the bulk command, a recovery at start) is covered, and
/// the actor is whoever asked for the write, as journalled with its intent. The request and
/// Personio's answer stay in the journal; the log names the write and its outcome.
async fn audit_outcome(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    key: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(entry) = read_entry(tx, company, key).await? else {
        return Ok(());
    };
    let name: String = sqlx::query("SELECT name FROM companies WHERE id = $1")
        .bind(company.0)
        .fetch_one(&mut **tx)
        .await?
        .try_get("name")?;
    let action = match entry.state {
        JournalState::Succeeded => audit::action::WRITE_SUCCEEDED,
        _ => audit::action::WRITE_REFUSED,
    };
    let actor = entry.requested_by.as_deref().unwrap_or("write");
    let mut event = AuditEvent::new(actor, action)
        .company(name)
        .resource(entry.resource.clone())
        .outcome(entry.state.as_str())
        .detail(serde_json::json!({
            "idempotency_key": entry.key,
            "operation": entry.operation,
            "sends": entry.sends,
        }));
    if let Some(id) = &entry.target_id {
        event = event.record(id.clone());
    }
    audit::append(tx, &event, now).await
}

async fn read_entry(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    key: &str,
) -> Result<Option<JournalEntry>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM write_journal WHERE company_id = $1 AND idempotency_key = $2"
    );
    let row = sqlx::query(built(sql))
        .bind(company.0)
        .bind(key.to_owned())
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(entry_from).transpose()
}

/// Marks live records deleted; returns those that were live.
async fn mark_deleted(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    table: &'static Table,
    keys: &[Key],
    now: DateTime<Utc>,
) -> Result<Vec<Key>> {
    let mut gone = Vec::new();
    for key in keys {
        let sql = format!(
            "UPDATE {} SET deleted_at = $1 WHERE company_id = $2 AND id = $3 AND deleted_at IS NULL RETURNING id",
            table.name
        );
        let query = sqlx::query(built(sql)).bind(timestamp(now)).bind(company.0);
        for row in bind_key(query, key).fetch_all(&mut **tx).await? {
            gone.push(read_key(&row, table.key)?);
        }
    }
    let around = derived::affected(tx, company, table, &gone).await?;
    derived::sum_breaks(tx, company, &around).await?;
    Ok(gone)
}
