//! Per-company sync settings: what scheduled syncs read and how, how often, and how often they
//! read everything again to find what incremental windows cannot see. The store checks the
//! ranges; resource names are the engine's to check (the store does not know them).

use std::ops::RangeInclusive;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::companies::{CompanyId, Filters};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::value::timestamp;

/// Minutes between scheduled syncs a company may ask for (five minutes to a week).
pub const SYNC_INTERVAL_MINUTES: RangeInclusive<i64> = 5..=10_080;
/// Days between scheduled full reconciliations a company may ask for.
pub const FULL_RECONCILE_DAYS: RangeInclusive<i64> = 1..=90;
/// Days between scheduled full reconciliations unless a company says otherwise.
pub const DEFAULT_FULL_RECONCILE_DAYS: i64 = 7;
/// Days a company may keep records gone from Personio or its filters (a day to ten years).
pub const RETENTION_DAYS: RangeInclusive<i64> = 1..=3_650;
/// The APIs a company's syncs may be told to read through.
pub const APIS: [&str; 3] = ["auto", "v1", "v2"];

/// How a company's scheduled syncs run. A manual `sync` takes its own flags over these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanySettings {
    /// Resources to sync, named as `--resources` takes them; empty: the default set.
    pub resources: Vec<String>,
    /// `auto`, `v1` or `v2`, as `--api` takes it.
    pub api: String,
    /// Minutes between scheduled syncs; `None`: the service's default interval.
    pub sync_interval_minutes: Option<i64>,
    /// Days between scheduled full reconciliations (a full reading of every resource, which
    /// finds deletions older than the incremental windows).
    pub full_reconcile_days: i64,
    pub filters: Filters,
    /// Days a record deleted in Personio or outside the filters is kept before it is
    /// purged; `None`: kept for good.
    pub retention_days: Option<i64>,
}

impl Default for CompanySettings {
    fn default() -> Self {
        CompanySettings {
            resources: Vec::new(),
            api: "auto".to_owned(),
            sync_interval_minutes: None,
            full_reconcile_days: DEFAULT_FULL_RECONCILE_DAYS,
            filters: Filters::default(),
            retention_days: None,
        }
    }
}

impl CompanySettings {
    /// The first value out of its range, named by its field.
    pub fn check(&self) -> Result<()> {
        let invalid = |field, detail: String| Err(Error::InvalidSetting { field, detail });
        if !APIS.contains(&self.api.as_str()) {
            return invalid("api", format!("{:?} is not one of auto, v1, v2", self.api));
        }
        if let Some(minutes) = self.sync_interval_minutes
            && !SYNC_INTERVAL_MINUTES.contains(&minutes)
        {
            return invalid(
                "sync_interval_minutes",
                format!(
                    "{minutes} is not between {} and {}",
                    SYNC_INTERVAL_MINUTES.start(),
                    SYNC_INTERVAL_MINUTES.end()
                ),
            );
        }
        if !FULL_RECONCILE_DAYS.contains(&self.full_reconcile_days) {
            return invalid(
                "full_reconcile_days",
                format!(
                    "{} is not between {} and {}",
                    self.full_reconcile_days,
                    FULL_RECONCILE_DAYS.start(),
                    FULL_RECONCILE_DAYS.end()
                ),
            );
        }
        if let Some(days) = self.retention_days
            && !RETENTION_DAYS.contains(&days)
        {
            return invalid(
                "retention_days",
                format!(
                    "{days} is not between {} and {}",
                    RETENTION_DAYS.start(),
                    RETENTION_DAYS.end()
                ),
            );
        }
        Ok(())
    }
}

/// The part of the settings kept in `companies.settings` (JSON); the interval and the
/// filters have columns of their own.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Stored {
    #[serde(default)]
    pub(crate) resources: Vec<String>,
    #[serde(default = "auto")]
    pub(crate) api: String,
    #[serde(default = "default_days")]
    pub(crate) full_reconcile_days: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) retention_days: Option<i64>,
}

fn auto() -> String {
    "auto".to_owned()
}

fn default_days() -> i64 {
    DEFAULT_FULL_RECONCILE_DAYS
}

impl Store {
    /// A company's settings.
    pub async fn company_settings(&self, company: CompanyId) -> Result<CompanySettings> {
        Ok(self.company_by_id(company).await?.settings)
    }

    /// Replaces a company's settings, after checking their ranges
    /// ([`Error::InvalidSetting`]); they apply from the next sync.
    pub async fn set_company_settings(
        &self,
        company: CompanyId,
        settings: &CompanySettings,
        now: DateTime<Utc>,
    ) -> Result<()> {
        settings.check()?;
        let stored = Stored {
            resources: settings.resources.clone(),
            api: settings.api.clone(),
            full_reconcile_days: settings.full_reconcile_days,
            retention_days: settings.retention_days,
        };
        sqlx::query(
            "UPDATE companies SET settings = $1, sync_interval_minutes = $2, filters = $3, \
             updated_at = $4 WHERE id = $5",
        )
        .bind(serde_json::to_string(&stored).expect("settings serialize"))
        .bind(settings.sync_interval_minutes)
        .bind(serde_json::to_string(&settings.filters).expect("filters serialize"))
        .bind(timestamp(now))
        .bind(company.0)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records that a scheduled full reconciliation of `company` began at `at`; the next is
    /// due `full_reconcile_days` later.
    pub async fn set_full_reconciled(&self, company: CompanyId, at: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE companies SET full_reconciled_at = $1 WHERE id = $2")
            .bind(timestamp(at))
            .bind(company.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
