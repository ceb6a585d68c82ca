//! Connection health: whether Personio still accepts a company's stored credential. A sync
//! or the doctor that finds it refused marks the company broken (once per transition); a
//! relink with new credentials, or a sync that succeeds again, marks it linked. Every
//! transition writes its `connection.*` event in the same transaction, for the change
//! webhooks' subscribers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{Any, Transaction};

use crate::companies::CompanyId;
use crate::error::Result;
use crate::store::Store;
use crate::value::timestamp;

/// A company was linked for the first time.
pub const CONNECTION_LINKED: &str = "connection.linked";
/// Personio refused the company's credential.
pub const CONNECTION_BROKEN: &str = "connection.broken";
/// A company was linked again with new credentials (its data kept).
pub const CONNECTION_RELINKED: &str = "connection.relinked";
/// The connection events subscribers may ask for.
pub const CONNECTION_EVENTS: [&str; 3] =
    [CONNECTION_LINKED, CONNECTION_BROKEN, CONNECTION_RELINKED];

/// Longest reason kept (Personio's error bodies can be long).
const MAX_REASON_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectionStatus {
    Linked,
    Broken,
}

impl ConnectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Linked => "linked",
            ConnectionStatus::Broken => "broken",
        }
    }

    pub(crate) fn parse(text: &str) -> ConnectionStatus {
        if text == "broken" {
            ConnectionStatus::Broken
        } else {
            ConnectionStatus::Linked
        }
    }
}

/// Whether Personio accepts the company's credential, why not, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connection {
    pub status: ConnectionStatus,
    /// Why it is broken (`None` while linked).
    pub reason: Option<String>,
    pub since: DateTime<Utc>,
}

impl Connection {
    pub fn is_broken(&self) -> bool {
        self.status == ConnectionStatus::Broken
    }
}

impl Store {
    /// Marks `company` broken for `reason`, unless it is already: `true` when this call
    /// made the transition (and wrote `connection.broken`).
    pub async fn mark_connection_broken(
        &self,
        company: CompanyId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let reason: String = reason.chars().take(MAX_REASON_CHARS).collect();
        self.transition(company, ConnectionStatus::Broken, Some(&reason), now)
            .await
    }

    /// Marks a broken `company` linked again without new credentials (Personio accepts them
    /// again, e.g. an area was given back): `true` when this call made the transition (and
    /// wrote `connection.linked`).
    pub async fn mark_connection_linked(
        &self,
        company: CompanyId,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.transition(company, ConnectionStatus::Linked, None, now)
            .await
    }

    async fn transition(
        &self,
        company: CompanyId,
        to: ConnectionStatus,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE companies SET connection_status = $1, connection_reason = $2, connection_since = $3 \
             WHERE id = $4 AND connection_status <> $1",
        )
        .bind(to.as_str())
        .bind(reason.map(str::to_owned))
        .bind(timestamp(now))
        .bind(company.0)
        .execute(&mut *tx)
        .await?;
        let changed = done.rows_affected() == 1;
        if changed {
            let event = match to {
                ConnectionStatus::Broken => CONNECTION_BROKEN,
                ConnectionStatus::Linked => CONNECTION_LINKED,
            };
            self.connection_event(&mut tx, company, event, now).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Writes the `event` about `company`'s connection as it now stands in `tx`.
    pub(crate) async fn connection_event(
        &self,
        tx: &mut Transaction<'_, Any>,
        company: CompanyId,
        event: &'static str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let row = sqlx::query(
            "SELECT name, connection_status, connection_reason, connection_since FROM companies WHERE id = $1",
        )
        .bind(company.0)
        .fetch_one(&mut **tx)
        .await?;
        use sqlx::Row;
        let name: String = row.try_get("name")?;
        let status: String = row.try_get("connection_status")?;
        let data = json!({
            "company": name,
            "status": status,
            "reason": row.try_get::<Option<String>, _>("connection_reason")?,
            "since": row.try_get::<Option<String>, _>("connection_since")?,
        });
        self.enqueue_connection_event(tx, company, event, &name, &data, now)
            .await
    }
}
