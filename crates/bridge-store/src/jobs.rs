//! The scheduler's job table: one row per company saying when its next sync is due and which
//! worker, if any, holds it. Workers claim a due job with a lease; a live worker renews it,
//! and a lease that lapses (the worker died) makes the job claimable again, so another
//! worker takes it over and resumes from the checkpoints. On PostgreSQL claims use
//! `FOR UPDATE SKIP LOCKED`, so workers never wait on each other's rows; on SQLite the
//! claim runs under the single write lock, which gives the same exclusivity.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::companies::CompanyId;
use crate::error::{Error, Result};
use crate::location::Location;
use crate::runs::Outcome;
use crate::store::Store;
use crate::value::{parse_timestamp, timestamp};

/// A job a worker claimed: it may sync the company until `lease_until`, and longer if it
/// renews the lease in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub company: CompanyId,
    pub lease_until: DateTime<Utc>,
    /// How many times this job has been claimed, this claim included.
    pub claims: i64,
    /// When the scheduled run was due, as it stood before this claim.
    pub next_run_at: DateTime<Utc>,
    /// What to sync: `None` for everything (a scheduled run, "sync now"), or the resources
    /// out-of-schedule requests asked for (inbound webhooks).
    pub resources: Option<Vec<String>>,
}

impl Claim {
    /// A claim for requested resources only, before the scheduled run is due: it syncs those
    /// and leaves the schedule as it was.
    pub fn is_targeted(&self) -> bool {
        self.resources.is_some()
    }
}

/// A job as the table holds it.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub company: CompanyId,
    pub next_run_at: DateTime<Utc>,
    pub requested_at: Option<DateTime<Utc>>,
    /// What the pending request asked for (`None`: everything).
    pub requested_resources: Option<Vec<String>>,
    pub leased_by: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    pub claims: i64,
    pub last_started_at: Option<DateTime<Utc>>,
    pub last_finished_at: Option<DateTime<Utc>>,
    pub last_outcome: Option<String>,
}

/// Picks the job to claim: a job nobody holds that is due or was asked for, or one whose
/// lease lapsed; the longest waiting first. A company whose connection is broken is left
/// alone (retrying against a refusal only burns Personio's rate limits) unless an operator
/// asked for a whole sync ("sync now").
const DUE: &str = "SELECT company_id FROM sync_jobs \
     WHERE ((leased_by IS NULL AND (next_run_at <= $2 OR requested_at IS NOT NULL)) \
        OR (leased_by IS NOT NULL AND lease_until < $2)) \
       AND (company_id NOT IN (SELECT id FROM companies WHERE connection_status = 'broken') \
        OR (requested_at IS NOT NULL AND requested_resources IS NULL)) \
     ORDER BY COALESCE(requested_at, next_run_at), company_id LIMIT 1";

impl Store {
    /// Gives every company without a job one, due at `now`; returns how many were added.
    /// Safe to run from several workers at once.
    pub async fn schedule_companies(&self, now: DateTime<Utc>) -> Result<u64> {
        let now = timestamp(now);
        let done = sqlx::query(
            "INSERT INTO sync_jobs (company_id, next_run_at, updated_at) \
             SELECT id, $1, $1 FROM companies WHERE id NOT IN (SELECT company_id FROM sync_jobs) \
             ON CONFLICT (company_id) DO NOTHING",
        )
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Claims the job due longest for `worker`, leased for `lease`; `None` when nothing is due.
    pub async fn claim_job(
        &self,
        worker: &str,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<Claim>> {
        let lease_until = now + lease;
        // PostgreSQL: rows another worker is claiming are skipped, not waited for.
        let lock = match self.location {
            Location::Postgres(_) => " FOR UPDATE SKIP LOCKED",
            Location::Sqlite(_) => "",
        };
        let sql = format!(
            "UPDATE sync_jobs SET leased_by = $1, lease_until = $3, claims = claims + 1, \
             last_started_at = $2, updated_at = $2 \
             WHERE company_id = ({DUE}{lock}) \
             RETURNING company_id, claims, next_run_at, requested_at, requested_resources"
        );
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(worker)
            .bind(timestamp(now))
            .bind(timestamp(lease_until))
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let next_run_at: String = row.try_get("next_run_at")?;
        let next_run_at = parse_timestamp(&next_run_at)
            .ok_or_else(|| Error::Corrupt(format!("sync_jobs next_run_at {next_run_at:?}")))?;
        let requested = row.try_get::<Option<String>, _>("requested_at")?.is_some();
        let listed: Option<String> = row.try_get("requested_resources")?;
        // Only a request that comes before the scheduled run narrows what is synced.
        let resources = match listed {
            Some(list) if requested && next_run_at > now => Some(split_resources(&list)),
            _ => None,
        };
        Ok(Some(Claim {
            company: CompanyId(row.try_get("company_id")?),
            lease_until,
            claims: row.try_get("claims")?,
            next_run_at,
            resources,
        }))
    }

    /// Extends `worker`'s lease on `company`'s job; `false` when the worker no longer holds
    /// it (it lapsed and another worker took the job over): the worker must stop.
    pub async fn renew_lease(
        &self,
        company: CompanyId,
        worker: &str,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE sync_jobs SET lease_until = $1, updated_at = $2 \
             WHERE company_id = $3 AND leased_by = $4",
        )
        .bind(timestamp(now + lease))
        .bind(timestamp(now))
        .bind(company.0)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends `worker`'s run of `company`'s job with `outcome`: the next scheduled run is due at
    /// `next_run_at`; a sync requested after this run started stays pending (and so due at
    /// once). `false` when the worker no longer held the job.
    pub async fn finish_job(
        &self,
        company: CompanyId,
        worker: &str,
        outcome: Outcome,
        next_run_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let now = timestamp(now);
        let done = sqlx::query(
            "UPDATE sync_jobs SET leased_by = NULL, lease_until = NULL, last_finished_at = $1, \
             last_outcome = $2, updated_at = $1, \
             next_run_at = $3, \
             requested_resources = CASE WHEN requested_at > last_started_at THEN requested_resources ELSE NULL END, \
             requested_at = CASE WHEN requested_at > last_started_at THEN requested_at ELSE NULL END \
             WHERE company_id = $4 AND leased_by = $5",
        )
        .bind(now)
        .bind(outcome.as_str())
        .bind(timestamp(next_run_at))
        .bind(company.0)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives `company`'s job back unfinished (the worker is stopping): due again at once, so
    /// another worker resumes it from the checkpoints.
    pub async fn release_job(
        &self,
        company: CompanyId,
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let now = timestamp(now);
        let done = sqlx::query(
            "UPDATE sync_jobs SET leased_by = NULL, lease_until = NULL, next_run_at = $1, \
             updated_at = $1 WHERE company_id = $2 AND leased_by = $3",
        )
        .bind(now)
        .bind(company.0)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Asks for a sync of `company` as soon as a worker is free ("sync now"): a full
    /// scheduled run, brought forward. A run already under way finishes and is followed by
    /// another.
    pub async fn enqueue_now(&self, company: CompanyId, now: DateTime<Utc>) -> Result<()> {
        let now = timestamp(now);
        sqlx::query(
            "INSERT INTO sync_jobs (company_id, next_run_at, requested_at, updated_at) \
             VALUES ($1, $2, $2, $2) \
             ON CONFLICT (company_id) DO UPDATE SET next_run_at = $2, requested_at = $2, \
             requested_resources = NULL, updated_at = $2",
        )
        .bind(company.0)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Asks for an incremental sync of some `resources` of `company` as soon as a worker is
    /// free (an inbound webhook), without moving its scheduled run. Requests pending together
    /// add up; one for everything stays one for everything.
    pub async fn request_resources(
        &self,
        company: CompanyId,
        resources: &[&str],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let now = timestamp(now);
        let list = resources.join(",");
        // During a run the request is dated now, so that the run's end keeps it pending.
        sqlx::query(
            "INSERT INTO sync_jobs (company_id, next_run_at, requested_at, requested_resources, updated_at) \
             VALUES ($1, $2, $2, $3, $2) \
             ON CONFLICT (company_id) DO UPDATE SET \
             requested_resources = CASE \
               WHEN sync_jobs.requested_at IS NULL THEN excluded.requested_resources \
               WHEN sync_jobs.requested_resources IS NULL THEN NULL \
               ELSE sync_jobs.requested_resources || ',' || excluded.requested_resources END, \
             requested_at = CASE WHEN sync_jobs.requested_at IS NULL OR sync_jobs.leased_by IS NOT NULL \
               THEN excluded.requested_at ELSE sync_jobs.requested_at END, updated_at = $2",
        )
        .bind(company.0)
        .bind(now)
        .bind(list)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every job, by company.
    pub async fn jobs(&self) -> Result<Vec<Job>> {
        let rows = sqlx::query(
            "SELECT company_id, next_run_at, requested_at, requested_resources, leased_by, lease_until, claims, \
             last_started_at, last_finished_at, last_outcome FROM sync_jobs ORDER BY company_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let time = |row: &sqlx::any::AnyRow, name: &str| -> Result<Option<DateTime<Utc>>> {
            Ok(row
                .try_get::<Option<String>, _>(name)?
                .as_deref()
                .and_then(parse_timestamp))
        };
        rows.iter()
            .map(|row| {
                Ok(Job {
                    company: CompanyId(row.try_get("company_id")?),
                    next_run_at: time(row, "next_run_at")?.unwrap_or_default(),
                    requested_at: time(row, "requested_at")?,
                    requested_resources: row
                        .try_get::<Option<String>, _>("requested_resources")?
                        .map(|list| split_resources(&list)),
                    leased_by: row.try_get("leased_by")?,
                    lease_until: time(row, "lease_until")?,
                    claims: row.try_get("claims")?,
                    last_started_at: time(row, "last_started_at")?,
                    last_finished_at: time(row, "last_finished_at")?,
                    last_outcome: row.try_get("last_outcome")?,
                })
            })
            .collect()
    }
}

/// The distinct names of a comma-separated list, in first-seen order.
fn split_resources(list: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
}
