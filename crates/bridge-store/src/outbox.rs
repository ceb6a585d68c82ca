//! Change webhooks out, as far as the database goes: subscriptions (with sealed secrets), the
//! outbox of events written in the very transaction that stored the changes (so an event is
//! never lost to a crash, nor sent for a change that was rolled back), and the deliveries
//! workers claim with a lease, so that each is sent by one worker at a time and, once
//! delivered, never again. Events are written only when a subscription wants them: a full sync
//! of a company nobody listens to writes none.

use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use tokio::sync::watch;

use crate::changes::{Change, ChangeKind};
use crate::companies::CompanyId;
use crate::connections::CONNECTION_EVENTS;
use crate::error::Result;
use crate::location::Location;
use crate::sql::{KEYS_PER_STATEMENT, built, placeholders, read_key};
use crate::store::Store;
use crate::tables::{self, KeyType, Table};
use crate::value::{Key, parse_timestamp, timestamp};

/// How long an event waits for delivery before it expires.
pub const EVENT_LIFETIME: Duration = Duration::days(3);

/// Rows per INSERT statement (at most 8 parameters each, well under both dialects' limits).
const ROWS_PER_STATEMENT: usize = 100;

/// The kinds of change an event reports.
pub const EVENT_KINDS: [&str; 3] = ["created", "updated", "deleted"];

/// A table's resource name in event types: `absence_periods` → `absence`,
/// `legal_entities` → `legal_entity`, `employees` → `employee`.
pub fn resource_name(table: &str) -> String {
    if let Some(stem) = table.strip_suffix("_periods") {
        stem.to_owned()
    } else if let Some(stem) = table.strip_suffix("ies") {
        format!("{stem}y")
    } else {
        table.strip_suffix('s').unwrap_or(table).to_owned()
    }
}

/// The event type of a change: `employee.updated`. A record that left the company's filters
/// is reported as deleted: it is gone from what the subscriber may see.
pub fn event_type(table: &str, kind: ChangeKind) -> String {
    let kind = match kind {
        ChangeKind::Created => "created",
        ChangeKind::Updated => "updated",
        ChangeKind::Deleted | ChangeKind::LeftFilter => "deleted",
    };
    format!("{}.{kind}", resource_name(table))
}

/// Every event type there is, for validating subscriptions: the changes of every table's
/// records, then the connection events (`connection.linked|broken|relinked`).
pub fn event_types() -> Vec<String> {
    tables::ALL
        .iter()
        .flat_map(|t| {
            EVENT_KINDS
                .iter()
                .map(|k| format!("{}.{k}", resource_name(t.name)))
        })
        .chain(CONNECTION_EVENTS.iter().map(|e| (*e).to_owned()))
        .collect()
}

/// A subscription to create.
#[derive(Debug)]
pub struct NewSubscription {
    pub url: String,
    /// Event types, or `["*"]` for all.
    pub events: Vec<String>,
    /// Only this company's events; `None` for every company's.
    pub company: Option<CompanyId>,
    pub secret: SecretString,
}

/// A subscription as it may be shown: never with its secret.
#[derive(Debug, Clone, Serialize)]
pub struct Subscription {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub company: Option<CompanyId>,
    pub created_at: String,
    pub disabled_at: Option<String>,
}

/// An event waiting to be delivered.
#[derive(Debug, Clone)]
pub struct Event {
    /// The UUID receivers see (the same on every attempt).
    pub id: String,
    pub company: CompanyId,
    pub company_name: String,
    pub event_type: String,
    pub table: String,
    pub record_id: String,
    pub changed: Vec<String>,
    /// The payload of an event not about a record (`connection.*`), sent as its `data`.
    pub data: Option<serde_json::Value>,
    pub occurred_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Event {
    /// The changed record's key, typed as its table keys it.
    pub fn key(&self) -> Option<(&'static Table, Key)> {
        let table = tables::by_name(&self.table)?;
        let key = match table.key {
            KeyType::Int => Key::Int(self.record_id.parse().ok()?),
            KeyType::Text => Key::Text(self.record_id.clone()),
        };
        Some((table, key))
    }
}

/// A delivery a worker claimed: it alone sends it until `lease_until`.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub id: i64,
    /// Attempts so far, this one included.
    pub attempts: i64,
    pub subscription: String,
    pub url: String,
    /// `None` when the secret no longer opens (the store's key changed): not sendable.
    pub secret: Option<SecretString>,
    pub event: Event,
    pub lease_until: DateTime<Utc>,
}

/// One line of a subscription's delivery log.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryLog {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    pub company: String,
    pub record_id: String,
    /// `pending`, `delivered` or `expired`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub occurred_at: String,
    pub delivered_at: Option<String>,
}

pub(crate) fn seal_context(subscription: &str) -> String {
    format!("webhook:{subscription}/secret")
}

fn subscription_from(row: &AnyRow) -> Result<Subscription> {
    let events: String = row.try_get("events")?;
    Ok(Subscription {
        id: row.try_get("id")?,
        url: row.try_get("url")?,
        events: serde_json::from_str(&events).unwrap_or_default(),
        company: row.try_get::<Option<i64>, _>("company_id")?.map(CompanyId),
        created_at: row.try_get("created_at")?,
        disabled_at: row.try_get("disabled_at")?,
    })
}

const SUBSCRIPTION_COLUMNS: &str = "id, url, events, company_id, created_at, disabled_at";

impl Store {
    /// Adds a subscription; its secret is sealed before it reaches the database.
    pub async fn add_webhook(
        &self,
        new: NewSubscription,
        now: DateTime<Utc>,
    ) -> Result<Subscription> {
        let id = uuid::Uuid::new_v4().to_string();
        let sealed = self.key.seal(&seal_context(&id), &new.secret);
        let events = serde_json::to_string(&new.events).unwrap_or_else(|_| "[]".into());
        sqlx::query(
            "INSERT INTO webhook_subscriptions (id, url, events, secret, company_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.clone())
        .bind(new.url.clone())
        .bind(events)
        .bind(sealed)
        .bind(new.company.map(|c| c.0))
        .bind(timestamp(now))
        .execute(&self.pool)
        .await?;
        Ok(Subscription {
            id,
            url: new.url,
            events: new.events,
            company: new.company,
            created_at: timestamp(now),
            disabled_at: None,
        })
    }

    /// The subscriptions not deleted, oldest first.
    pub async fn webhooks(&self) -> Result<Vec<Subscription>> {
        let sql = format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE disabled_at IS NULL ORDER BY created_at, id"
        );
        let rows = sqlx::query(built(sql)).fetch_all(&self.pool).await?;
        rows.iter().map(subscription_from).collect()
    }

    /// One subscription, deleted ones included (their log stays readable).
    pub async fn webhook(&self, id: &str) -> Result<Option<Subscription>> {
        let sql = format!("SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = $1");
        let row = sqlx::query(built(sql))
            .bind(id.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(subscription_from).transpose()
    }

    /// Deletes a subscription: nothing more is written or sent for it; its log stays.
    /// `false` when there was no such live subscription.
    pub async fn disable_webhook(&self, id: &str, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE webhook_subscriptions SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL",
        )
        .bind(timestamp(now))
        .bind(id.to_owned())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Changes as each new event write is noticed; a delivery loop waits on it between polls.
    pub fn webhook_events_written(&self) -> watch::Receiver<u64> {
        self.wake.subscribe()
    }

    /// Writes the events `changes` call for, inside the transaction that stored them.
    pub(crate) async fn enqueue_webhook_events(
        &self,
        tx: &mut Transaction<'_, Any>,
        company: CompanyId,
        changes: &[Change],
        now: DateTime<Utc>,
    ) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let subscriptions = listening(tx, company).await?;
        if subscriptions.is_empty() {
            return Ok(());
        }
        let occurred = timestamp(now);
        let expires = timestamp(now + EVENT_LIFETIME);
        let mut events: Vec<[String; 5]> = Vec::new();
        let mut deliveries: Vec<(String, &str)> = Vec::new();
        for change in changes {
            let kind = event_type(change.table, change.kind);
            let wanted: Vec<&str> = subscriptions
                .iter()
                .filter(|(_, events)| events.iter().any(|e| e == "*" || *e == kind))
                .map(|(id, _)| id.as_str())
                .collect();
            if wanted.is_empty() {
                continue;
            }
            let id = uuid::Uuid::new_v4().to_string();
            deliveries.extend(wanted.into_iter().map(|s| (id.clone(), s)));
            let changed = serde_json::to_string(&change.changed).unwrap_or_else(|_| "[]".into());
            events.push([
                id,
                kind,
                change.table.to_owned(),
                change.key.to_string(),
                changed,
            ]);
        }
        if events.is_empty() {
            return Ok(());
        }
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            // $1 company, $2 occurred_at, $3 expires_at; rows from $4, five each.
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let n = 4 + i * 5;
                    format!(
                        "(${n}, $1, ${}, ${}, ${}, ${}, $2, $3)",
                        n + 1,
                        n + 2,
                        n + 3,
                        n + 4
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO webhook_events (event_id, company_id, event_type, table_name, record_id, changed, occurred_at, expires_at) VALUES {}",
                values.join(", ")
            );
            let mut query = sqlx::query(built(sql))
                .bind(company.0)
                .bind(occurred.clone())
                .bind(expires.clone());
            for row in chunk {
                for value in row {
                    query = query.bind(value.clone());
                }
            }
            query.execute(&mut **tx).await?;
        }
        for chunk in deliveries.chunks(ROWS_PER_STATEMENT) {
            // $1 the time; rows from $2, two each.
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let n = 2 + i * 2;
                    format!("(${n}, ${}, 'pending', 0, $1, $1)", n + 1)
                })
                .collect();
            let sql = format!(
                "INSERT INTO webhook_deliveries (event_id, subscription_id, status, attempts, next_attempt_at, updated_at) VALUES {}",
                values.join(", ")
            );
            let mut query = sqlx::query(built(sql)).bind(occurred.clone());
            for (event, subscription) in chunk {
                query = query.bind(event.clone()).bind((*subscription).to_owned());
            }
            query.execute(&mut **tx).await?;
        }
        // Sent before the commit: a loop that wakes early waits for the write lock (SQLite)
        // or finds nothing yet and looks again shortly (see the delivery loop).
        self.wake.ring();
        Ok(())
    }

    /// Writes a connection event (`connection.broken`, ...) about `company` with its `data`,
    /// inside the transaction that changed the connection; only when a subscription wants it.
    pub(crate) async fn enqueue_connection_event(
        &self,
        tx: &mut Transaction<'_, Any>,
        company: CompanyId,
        event: &str,
        company_name: &str,
        data: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let wanted: Vec<String> = listening(tx, company)
            .await?
            .into_iter()
            .filter(|(_, events)| events.iter().any(|e| e == "*" || e == event))
            .map(|(id, _)| id)
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let id = uuid::Uuid::new_v4().to_string();
        let occurred = timestamp(now);
        // No table: the record id is the company's name, so the delivery log names it.
        sqlx::query(
            "INSERT INTO webhook_events (event_id, company_id, event_type, table_name, record_id, changed, data, occurred_at, expires_at) \
             VALUES ($1, $2, $3, '', $4, '[]', $5, $6, $7)",
        )
        .bind(id.clone())
        .bind(company.0)
        .bind(event.to_owned())
        .bind(company_name.to_owned())
        .bind(data.to_string())
        .bind(occurred.clone())
        .bind(timestamp(now + EVENT_LIFETIME))
        .execute(&mut **tx)
        .await?;
        for subscription in wanted {
            sqlx::query(
                "INSERT INTO webhook_deliveries (event_id, subscription_id, status, attempts, next_attempt_at, updated_at) \
                 VALUES ($1, $2, 'pending', 0, $3, $3)",
            )
            .bind(id.clone())
            .bind(subscription)
            .bind(occurred.clone())
            .execute(&mut **tx)
            .await?;
        }
        self.wake.ring();
        Ok(())
    }

    /// Writes deletion events for the live records of `tables` whose person is among `gone`
    /// (deleted in Personio), before they are marked deleted in the same transaction.
    pub(crate) async fn enqueue_deletions_with_employees(
        &self,
        tx: &mut Transaction<'_, Any>,
        company: CompanyId,
        tables: &[&'static Table],
        gone: &[i64],
        now: DateTime<Utc>,
    ) -> Result<()> {
        if listening(tx, company).await?.is_empty() {
            return Ok(());
        }
        let mut changes = Vec::new();
        for table in tables {
            for chunk in gone.chunks(KEYS_PER_STATEMENT) {
                let sql = format!(
                    "SELECT id FROM {} WHERE company_id = $1 AND deleted_at IS NULL AND employee_id IN ({})",
                    table.name,
                    placeholders(2, chunk.len())
                );
                let mut query = sqlx::query(built(sql)).bind(company.0);
                for id in chunk {
                    query = query.bind(*id);
                }
                for row in query.fetch_all(&mut **tx).await? {
                    changes.push(Change {
                        table: table.name,
                        key: read_key(&row, table.key)?,
                        kind: ChangeKind::Deleted,
                        changed: Vec::new(),
                    });
                }
            }
        }
        self.enqueue_webhook_events(tx, company, &changes, now)
            .await
    }

    /// Claims up to `limit` due deliveries for `worker`, each leased until `now + lease`.
    /// Two workers never hold the same delivery: on PostgreSQL rows being claimed by another
    /// worker are skipped (`FOR UPDATE SKIP LOCKED`); on SQLite the claim runs under the
    /// single write lock.
    pub async fn claim_deliveries(
        &self,
        worker: &str,
        lease: Duration,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<ClaimedDelivery>> {
        let lease_until = now + lease;
        let lock = match self.location {
            Location::Postgres(_) => " FOR UPDATE OF d SKIP LOCKED",
            Location::Sqlite(_) => "",
        };
        let sql = format!(
            "UPDATE webhook_deliveries SET leased_by = $1, lease_until = $3, attempts = attempts + 1, updated_at = $2 \
             WHERE id IN (SELECT d.id FROM webhook_deliveries d \
               JOIN webhook_subscriptions s ON s.id = d.subscription_id \
               JOIN webhook_events e ON e.event_id = d.event_id \
               WHERE d.status = 'pending' AND d.next_attempt_at <= $2 \
                 AND (d.lease_until IS NULL OR d.lease_until < $2) \
                 AND e.expires_at > $2 AND s.disabled_at IS NULL \
               ORDER BY d.next_attempt_at, d.id LIMIT $4{lock}) \
             RETURNING id"
        );
        let mut tx = self.begin_write().await?;
        let claimed: Vec<i64> = sqlx::query(built(sql))
            .bind(worker.to_owned())
            .bind(timestamp(now))
            .bind(timestamp(lease_until))
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| row.try_get::<i64, _>("id"))
            .collect::<std::result::Result<_, _>>()?;
        tx.commit().await?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=claimed.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT d.id, d.attempts, d.subscription_id, s.url, s.secret, e.event_id, e.company_id, \
                    c.name AS company_name, e.event_type, e.table_name, e.record_id, e.changed, \
                    e.data, e.occurred_at, e.expires_at \
             FROM webhook_deliveries d \
             JOIN webhook_subscriptions s ON s.id = d.subscription_id \
             JOIN webhook_events e ON e.event_id = d.event_id \
             JOIN companies c ON c.id = e.company_id \
             WHERE d.id IN ({}) ORDER BY d.id",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(built(sql));
        for id in &claimed {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let subscription: String = row.try_get("subscription_id")?;
                let sealed: String = row.try_get("secret")?;
                let changed: String = row.try_get("changed")?;
                let data: Option<String> = row.try_get("data")?;
                let time = |name: &str| -> Result<DateTime<Utc>> {
                    let text: String = row.try_get(name)?;
                    Ok(parse_timestamp(&text).unwrap_or(now))
                };
                Ok(ClaimedDelivery {
                    id: row.try_get("id")?,
                    attempts: row.try_get("attempts")?,
                    secret: self.key.open(&seal_context(&subscription), &sealed),
                    subscription,
                    url: row.try_get("url")?,
                    event: Event {
                        id: row.try_get("event_id")?,
                        company: CompanyId(row.try_get("company_id")?),
                        company_name: row.try_get("company_name")?,
                        event_type: row.try_get("event_type")?,
                        table: row.try_get("table_name")?,
                        record_id: row.try_get("record_id")?,
                        changed: serde_json::from_str(&changed).unwrap_or_default(),
                        data: data.and_then(|d| serde_json::from_str(&d).ok()),
                        occurred_at: time("occurred_at")?,
                        expires_at: time("expires_at")?,
                    },
                    lease_until,
                })
            })
            .collect()
    }

    /// Records a delivery as delivered (the receiver answered `status`). Whoever sent it, it
    /// is delivered once: `false` when it already was.
    pub async fn delivery_succeeded(
        &self,
        id: i64,
        status: u16,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let now = timestamp(now);
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'delivered', delivered_at = $1, updated_at = $1, \
             last_status = $2, last_error = NULL, leased_by = NULL, lease_until = NULL \
             WHERE id = $3 AND status = 'pending'",
        )
        .bind(now)
        .bind(i64::from(status))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a failed attempt by `worker`: due again at `retry_at`, or expired when that
    /// is past the event's expiry. `false` when the worker no longer held the delivery.
    pub async fn delivery_failed(
        &self,
        delivery: &ClaimedDelivery,
        worker: &str,
        status: Option<u16>,
        error: &str,
        retry_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let next = if retry_at >= delivery.event.expires_at {
            "expired"
        } else {
            "pending"
        };
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, last_status = $3, \
             last_error = $4, leased_by = NULL, lease_until = NULL, updated_at = $5 \
             WHERE id = $6 AND leased_by = $7 AND status = 'pending'",
        )
        .bind(next)
        .bind(timestamp(retry_at))
        .bind(status.map(i64::from))
        .bind(error.to_owned())
        .bind(timestamp(now))
        .bind(delivery.id)
        .bind(worker.to_owned())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks expired the pending deliveries whose event expired; returns how many.
    pub async fn expire_deliveries(&self, now: DateTime<Utc>) -> Result<u64> {
        let now = timestamp(now);
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'expired', leased_by = NULL, lease_until = NULL, updated_at = $1 \
             WHERE status = 'pending' AND event_id IN (SELECT event_id FROM webhook_events WHERE expires_at <= $1)",
        )
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// A subscription's delivery log, newest first: up to `limit` entries before `before`.
    pub async fn webhook_deliveries(
        &self,
        subscription: &str,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<DeliveryLog>> {
        let rows = sqlx::query(
            "SELECT d.id, d.event_id, e.event_type, c.name AS company_name, e.record_id, d.status, \
                    d.attempts, d.next_attempt_at, d.last_status, d.last_error, e.occurred_at, d.delivered_at \
             FROM webhook_deliveries d \
             JOIN webhook_events e ON e.event_id = d.event_id \
             JOIN companies c ON c.id = e.company_id \
             WHERE d.subscription_id = $1 AND d.id < $2 ORDER BY d.id DESC LIMIT $3",
        )
        .bind(subscription.to_owned())
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let status: String = row.try_get("status")?;
                Ok(DeliveryLog {
                    id: row.try_get("id")?,
                    event_id: row.try_get("event_id")?,
                    event_type: row.try_get("event_type")?,
                    company: row.try_get("company_name")?,
                    record_id: row.try_get("record_id")?,
                    next_attempt_at: if status == "pending" {
                        row.try_get("next_attempt_at")?
                    } else {
                        None
                    },
                    status,
                    attempts: row.try_get("attempts")?,
                    last_status: row.try_get("last_status")?,
                    last_error: row.try_get("last_error")?,
                    occurred_at: row.try_get("occurred_at")?,
                    delivered_at: row.try_get("delivered_at")?,
                })
            })
            .collect()
    }
}

/// The live subscriptions that may want `company`'s events, with their event types: read
/// once per transaction.
async fn listening(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
) -> Result<Vec<(String, Vec<String>)>> {
    let rows = sqlx::query(
        "SELECT id, events FROM webhook_subscriptions \
         WHERE disabled_at IS NULL AND (company_id IS NULL OR company_id = $1)",
    )
    .bind(company.0)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| {
            let events: String = row.try_get("events")?;
            Ok((
                row.try_get("id")?,
                serde_json::from_str(&events).unwrap_or_default(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_become_singular_resource_names() {
        assert_eq!(
            event_type("employees", ChangeKind::Updated),
            "employee.updated"
        );
        assert_eq!(
            event_type("absence_periods", ChangeKind::Created),
            "absence.created"
        );
        assert_eq!(
            event_type("attendance_periods", ChangeKind::LeftFilter),
            "attendance.deleted"
        );
        assert_eq!(resource_name("legal_entities"), "legal_entity");
        assert_eq!(
            resource_name("recruiting_categories"),
            "recruiting_category"
        );
        assert_eq!(resource_name("org_units"), "org_unit");
        let all = event_types();
        assert_eq!(all.len(), tables::ALL.len() * 3 + 3);
        assert!(all.contains(&"connection.broken".to_owned()));
        assert!(all.contains(&"compensation.deleted".to_owned()));
    }
}
