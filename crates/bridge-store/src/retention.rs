//! Retention: records deleted in Personio, or outside the company's filters, for longer than
//! the company's `retention_days` are purged — the row (and its raw JSON with it), its change
//! index entry and its webhook events (their deliveries go with them) — in one transaction
//! per company. Live records are never touched. A dry run does the same and rolls it back, so
//! the counts it reports are exactly what a purge would remove.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::audit::{self, AuditEvent};
use crate::companies::Company;
use crate::erasure::{delete_rows, forget_records};
use crate::error::Result;
use crate::sql::{built, read_key};
use crate::store::Store;
use crate::tables::ALL;
use crate::value::{Key, timestamp};

/// The actor of the scheduler's sweeps.
pub const SWEEP_ACTOR: &str = "scheduler";

/// What a purge of one company removed (or, dry, would remove), per table.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Purge {
    pub company: String,
    pub retention_days: i64,
    /// Records gone (or out of the filters) before this time were purged.
    pub cutoff: String,
    pub dry_run: bool,
    /// Rows per table with any: record tables, then `record_changes` and `webhook_events`.
    pub removed: Vec<(String, u64)>,
}

impl Purge {
    pub fn total(&self) -> u64 {
        self.removed.iter().map(|(_, n)| n).sum()
    }
}

impl Store {
    /// Purges what `company` keeps past its retention period; `None` when it keeps
    /// everything (no `retention_days`). `actor` is who asked, for the audit log.
    pub async fn purge_expired(
        &self,
        company: &Company,
        actor: &str,
        dry_run: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<Purge>> {
        let Some(days) = company.settings.retention_days else {
            return Ok(None);
        };
        let cutoff = timestamp(now - Duration::days(days));
        let mut purge = Purge {
            company: company.name.clone(),
            retention_days: days,
            cutoff: cutoff.clone(),
            dry_run,
            removed: Vec::new(),
        };
        let mut tx = self.begin_write().await?;
        let (mut changes, mut events) = (0, 0);
        for table in ALL {
            let sql = format!(
                "SELECT id FROM {} WHERE company_id = $1 AND ((deleted_at IS NOT NULL AND deleted_at < $2) \
                 OR (out_of_filter_at IS NOT NULL AND out_of_filter_at < $2))",
                table.name
            );
            let rows = sqlx::query(built(sql))
                .bind(company.id.0)
                .bind(cutoff.clone())
                .fetch_all(&mut *tx)
                .await?;
            let keys = rows
                .iter()
                .map(|r| read_key(r, table.key))
                .collect::<Result<Vec<Key>>>()?;
            if keys.is_empty() {
                continue;
            }
            let removed = delete_rows(&mut tx, company.id, table.name, &keys).await?;
            let (c, e) = forget_records(&mut tx, company.id, table.name, &keys).await?;
            changes += c;
            events += e;
            purge.removed.push((table.name.to_owned(), removed));
        }
        for (name, count) in [("record_changes", changes), ("webhook_events", events)] {
            if count > 0 {
                purge.removed.push((name.to_owned(), count));
            }
        }
        if dry_run {
            tx.rollback().await?;
            return Ok(Some(purge));
        }
        // A scheduled sweep that found nothing is not worth an entry; an operator's purge is.
        if purge.total() > 0 || actor != SWEEP_ACTOR {
            let counts: serde_json::Map<String, serde_json::Value> = purge
                .removed
                .iter()
                .map(|(t, n)| (t.clone(), (*n).into()))
                .collect();
            let event = AuditEvent::new(actor, audit::action::PURGE)
                .company(company.name.clone())
                .outcome("purged")
                .detail(serde_json::json!({
                    "retention_days": days,
                    "cutoff": cutoff,
                    "removed": counts,
                }));
            audit::append(&mut tx, &event, now).await?;
        }
        tx.commit().await?;
        Ok(Some(purge))
    }
}
