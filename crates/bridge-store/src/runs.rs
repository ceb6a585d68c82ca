//! Sync runs and their outcome.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::companies::CompanyId;
use crate::error::Result;
use crate::store::Store;
use crate::value::{parse_timestamp, timestamp};

/// Our id of a sync run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RunId(pub i64);

/// What a run was asked to do (its `mode` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    /// Full listings of every resource.
    Full,
    /// What each resource's checkpoint allows: incremental where there is a watermark.
    Auto,
}

impl RunMode {
    pub fn as_str(self) -> &'static str {
        match self {
            RunMode::Full => "full",
            RunMode::Auto => "auto",
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Running,
    Succeeded,
    /// Some resources synced, others failed (the summary says which).
    Partial,
    Failed,
    /// The process stopped before the run ended (crash, kill); the next run resumes.
    Interrupted,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Running => "running",
            Outcome::Succeeded => "succeeded",
            Outcome::Partial => "partial",
            Outcome::Failed => "failed",
            Outcome::Interrupted => "interrupted",
        }
    }

    fn parse(s: &str) -> Outcome {
        match s {
            "succeeded" => Outcome::Succeeded,
            "partial" => Outcome::Partial,
            "failed" => Outcome::Failed,
            "interrupted" => Outcome::Interrupted,
            _ => Outcome::Running,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One recorded run.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub id: RunId,
    pub mode: String,
    pub outcome: Outcome,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub requests: i64,
    pub summary: serde_json::Value,
    pub error: Option<String>,
}

impl Store {
    /// Records the start of a run; earlier runs of the company still marked running were cut
    /// off and are marked interrupted.
    pub async fn start_run(
        &self,
        company: CompanyId,
        mode: RunMode,
        now: DateTime<Utc>,
    ) -> Result<RunId> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE sync_runs SET outcome = 'interrupted' WHERE company_id = $1 AND outcome = 'running'")
            .bind(company.0)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(
            "INSERT INTO sync_runs (company_id, mode, outcome, started_at) VALUES ($1, $2, 'running', $3) RETURNING id",
        )
        .bind(company.0)
        .bind(mode.as_str())
        .bind(timestamp(now))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(RunId(row.try_get("id")?))
    }

    pub async fn finish_run(
        &self,
        run: RunId,
        outcome: Outcome,
        requests: u64,
        summary: &serde_json::Value,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE sync_runs SET outcome = $1, finished_at = $2, requests = $3, summary = $4, error = $5 WHERE id = $6",
        )
        .bind(outcome.as_str())
        .bind(timestamp(now))
        .bind(requests as i64)
        .bind(summary.to_string())
        .bind(error)
        .bind(run.0)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The company's latest runs, newest first.
    pub async fn runs(&self, company: CompanyId, limit: i64) -> Result<Vec<Run>> {
        let rows = sqlx::query(
            "SELECT id, mode, outcome, started_at, finished_at, requests, summary, error FROM sync_runs \
             WHERE company_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(company.0)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let started: String = row.try_get("started_at")?;
                let finished: Option<String> = row.try_get("finished_at")?;
                let summary: String = row.try_get("summary")?;
                Ok(Run {
                    id: RunId(row.try_get("id")?),
                    mode: row.try_get("mode")?,
                    outcome: Outcome::parse(&row.try_get::<String, _>("outcome")?),
                    started_at: parse_timestamp(&started).unwrap_or_default(),
                    finished_at: finished.as_deref().and_then(parse_timestamp),
                    requests: row.try_get("requests")?,
                    summary: serde_json::from_str(&summary).unwrap_or_default(),
                    error: row.try_get("error")?,
                })
            })
            .collect()
    }
}
