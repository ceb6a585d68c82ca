//! The webhook the bridge registered with a company's Personio, so that Personio's change
//! notifications reach the service: what to remove on disconnect, and the hash of the token
//! Personio sends back in `Authorization` (the plain token exists only in Personio and in the
//! registration request).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use subtle::ConstantTimeEq;

use crate::access::digest;
use crate::companies::CompanyId;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::value::{parse_timestamp, timestamp};

/// A registered webhook, without its token.
#[derive(Debug, Clone, Serialize)]
pub struct PersonioWebhook {
    pub company: CompanyId,
    /// Personio's id of the webhook.
    pub webhook_id: String,
    /// Where Personio delivers.
    pub url: String,
    pub events: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub last_event_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Remembers the webhook registered for `company` (replacing an earlier one).
    pub async fn save_personio_webhook(
        &self,
        company: CompanyId,
        webhook_id: &str,
        url: &str,
        token: &str,
        events: &[String],
        now: DateTime<Utc>,
    ) -> Result<PersonioWebhook> {
        sqlx::query(
            "INSERT INTO personio_webhooks (company_id, webhook_id, url, token_hash, events, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (company_id) DO UPDATE SET \
             webhook_id = excluded.webhook_id, url = excluded.url, token_hash = excluded.token_hash, \
             events = excluded.events, created_at = excluded.created_at, last_event_at = NULL",
        )
        .bind(company.0)
        .bind(webhook_id)
        .bind(url)
        .bind(digest(token))
        .bind(events.join(","))
        .bind(timestamp(now))
        .execute(&self.pool)
        .await?;
        Ok(PersonioWebhook {
            company,
            webhook_id: webhook_id.to_owned(),
            url: url.to_owned(),
            events: events.to_vec(),
            created_at: now,
            last_event_at: None,
        })
    }

    /// The webhook registered for `company`, if any.
    pub async fn personio_webhook(&self, company: CompanyId) -> Result<Option<PersonioWebhook>> {
        let row = sqlx::query(
            "SELECT company_id, webhook_id, url, events, created_at, last_event_at \
             FROM personio_webhooks WHERE company_id = $1",
        )
        .bind(company.0)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let created: String = row.try_get("created_at")?;
        let events: String = row.try_get("events")?;
        Ok(Some(PersonioWebhook {
            company: CompanyId(row.try_get("company_id")?),
            webhook_id: row.try_get("webhook_id")?,
            url: row.try_get("url")?,
            events: events
                .split(',')
                .filter(|e| !e.is_empty())
                .map(str::to_owned)
                .collect(),
            created_at: parse_timestamp(&created)
                .ok_or_else(|| Error::Corrupt(format!("webhook created_at {created:?}")))?,
            last_event_at: row
                .try_get::<Option<String>, _>("last_event_at")?
                .as_deref()
                .and_then(parse_timestamp),
        }))
    }

    /// Whether `token` is the one registered for `company`'s webhook (compared in constant
    /// time); a company without a webhook accepts nothing. A match records the delivery time.
    pub async fn verify_personio_webhook(
        &self,
        company: CompanyId,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let row = sqlx::query("SELECT token_hash FROM personio_webhooks WHERE company_id = $1")
            .bind(company.0)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(false) };
        let stored: String = row.try_get("token_hash")?;
        let matches: bool = stored.as_bytes().ct_eq(digest(token).as_bytes()).into();
        if matches {
            sqlx::query("UPDATE personio_webhooks SET last_event_at = $1 WHERE company_id = $2")
                .bind(timestamp(now))
                .bind(company.0)
                .execute(&self.pool)
                .await?;
        }
        Ok(matches)
    }

    /// Forgets `company`'s webhook (after removing it from Personio, or when that failed and
    /// the operator disconnects anyway).
    pub async fn forget_personio_webhook(&self, company: CompanyId) -> Result<()> {
        sqlx::query("DELETE FROM personio_webhooks WHERE company_id = $1")
            .bind(company.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
