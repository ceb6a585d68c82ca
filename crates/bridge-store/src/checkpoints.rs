//! Per company and resource: where an unfinished listing stands, and how far syncs have read.
//!
//! A checkpoint is only ever written in the same transaction as the page it follows (see
//! `records.rs`), so after a crash the next run resumes right after the last stored page:
//! nothing missed, nothing stored twice.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::companies::CompanyId;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::value::{parse_timestamp, timestamp};

/// What kind of listing is under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingKind {
    /// Every record; what was not seen is deleted at the end.
    Full,
    /// Only what changed since the watermark.
    Incremental,
    /// Every id, to find deletions the change feed cannot show.
    Reconcile,
}

/// An unfinished listing: enough to resume it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    pub kind: ListingKind,
    pub started_at: DateTime<Utc>,
    /// Where the next page is (opaque to the store: the sync engine's page token).
    pub next: serde_json::Value,
    /// Greatest `source_updated_at` stored so far by this listing.
    pub max_seen: Option<DateTime<Utc>>,
    /// Parameters the listing was started with (e.g. the `updated_since` it used).
    #[serde(default)]
    pub params: serde_json::Value,
    /// Whether the listing has created, changed or deleted a record so far (what it makes
    /// due afterwards must not depend on which run stored its pages).
    #[serde(default)]
    pub changed: bool,
}

/// The checkpoint of one resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Checkpoint {
    pub resource: String,
    pub listing: Option<Listing>,
    /// Greatest `source_updated_at` of a finished listing: incremental syncs read from here.
    pub watermark: Option<DateTime<Utc>>,
    pub last_full_at: Option<DateTime<Utc>>,
    pub last_reconciled_at: Option<DateTime<Utc>>,
}

impl Store {
    pub async fn checkpoint(
        &self,
        company: CompanyId,
        resource: &str,
    ) -> Result<Option<Checkpoint>> {
        let row = sqlx::query(
            "SELECT resource, listing, watermark, last_full_at, last_reconciled_at FROM checkpoints \
             WHERE company_id = $1 AND resource = $2",
        )
        .bind(company.0)
        .bind(resource)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(checkpoint_from).transpose()
    }

    /// Every checkpoint of a company.
    pub async fn checkpoints(&self, company: CompanyId) -> Result<Vec<Checkpoint>> {
        let rows = sqlx::query(
            "SELECT resource, listing, watermark, last_full_at, last_reconciled_at FROM checkpoints \
             WHERE company_id = $1 ORDER BY resource",
        )
        .bind(company.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(checkpoint_from).collect()
    }

    /// Forgets a company's checkpoints, so the next sync starts over with full listings.
    pub async fn reset_checkpoints(&self, company: CompanyId) -> Result<()> {
        sqlx::query("DELETE FROM checkpoints WHERE company_id = $1")
            .bind(company.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

fn checkpoint_from(row: &sqlx::any::AnyRow) -> Result<Checkpoint> {
    let time = |name: &str| -> Result<Option<DateTime<Utc>>> {
        Ok(row
            .try_get::<Option<String>, _>(name)?
            .as_deref()
            .and_then(parse_timestamp))
    };
    let listing: Option<String> = row.try_get("listing")?;
    Ok(Checkpoint {
        resource: row.try_get("resource")?,
        listing: listing
            .map(|l| {
                serde_json::from_str(&l)
                    .map_err(|e| Error::Corrupt(format!("checkpoint listing: {e}")))
            })
            .transpose()?,
        watermark: time("watermark")?,
        last_full_at: time("last_full_at")?,
        last_reconciled_at: time("last_reconciled_at")?,
    })
}

/// Writes `checkpoint` inside `tx`.
pub(crate) async fn write(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    company: CompanyId,
    checkpoint: &Checkpoint,
    now: DateTime<Utc>,
) -> Result<()> {
    let listing = checkpoint
        .listing
        .as_ref()
        .map(|l| serde_json::to_string(l).expect("listings serialize"));
    sqlx::query(
        "INSERT INTO checkpoints (company_id, resource, listing, watermark, last_full_at, last_reconciled_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (company_id, resource) DO UPDATE SET \
         listing = excluded.listing, watermark = excluded.watermark, last_full_at = excluded.last_full_at, \
         last_reconciled_at = excluded.last_reconciled_at, updated_at = excluded.updated_at",
    )
    .bind(company.0)
    .bind(&checkpoint.resource)
    .bind(listing)
    .bind(checkpoint.watermark.map(timestamp))
    .bind(checkpoint.last_full_at.map(timestamp))
    .bind(checkpoint.last_reconciled_at.map(timestamp))
    .bind(timestamp(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
