//! The audit log: who did what and when — operator actions and every write to Personio
//! through the bridge — appended, never changed (the schema's triggers refuse updates and
//! deletes). Entries carry names, ids and outcomes, never a secret: callers pass what may be
//! shown, and nothing here reads a sealed value.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value as Json;
use sqlx::any::AnyRow;
use sqlx::{Any, Row as _, Transaction};

use crate::error::{Error, Result};
use crate::sql::built;
use crate::store::Store;
use crate::value::timestamp;

/// What an operator or a program did; the `action` of an entry.
pub mod action {
    pub const SIGN_IN: &str = "sign_in";
    pub const SIGN_IN_FAILED: &str = "sign_in.failed";
    pub const COMPANY_LINKED: &str = "company.linked";
    pub const COMPANY_RELINKED: &str = "company.relinked";
    pub const SETTINGS_CHANGED: &str = "settings.changed";
    pub const API_KEY_CREATED: &str = "api_key.created";
    pub const API_KEY_REVOKED: &str = "api_key.revoked";
    pub const EXPORT: &str = "export";
    pub const PURGE: &str = "purge";
    pub const EMPLOYEE_ERASED: &str = "employee.erased";
    pub const EMPLOYEE_ALLOWED_AGAIN: &str = "employee.allowed_again";
    pub const KEY_ROTATED: &str = "key.rotated";
    pub const WRITE_SUCCEEDED: &str = "write.succeeded";
    pub const WRITE_REFUSED: &str = "write.refused";
}

/// An entry to append. Build with [`AuditEvent::new`] and the setters.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub actor: String,
    pub action: String,
    pub company: Option<String>,
    pub resource: Option<String>,
    pub record_id: Option<String>,
    pub outcome: Option<String>,
    pub detail: Json,
}

impl AuditEvent {
    pub fn new(actor: impl Into<String>, action: &str) -> AuditEvent {
        AuditEvent {
            actor: actor.into(),
            action: action.to_owned(),
            company: None,
            resource: None,
            record_id: None,
            outcome: None,
            detail: Json::Object(Default::default()),
        }
    }

    pub fn company(mut self, name: impl Into<String>) -> Self {
        self.company = Some(name.into());
        self
    }

    pub fn resource(mut self, name: impl Into<String>) -> Self {
        self.resource = Some(name.into());
        self
    }

    pub fn record(mut self, id: impl Into<String>) -> Self {
        self.record_id = Some(id.into());
        self
    }

    pub fn outcome(mut self, outcome: impl Into<String>) -> Self {
        self.outcome = Some(outcome.into());
        self
    }

    pub fn detail(mut self, detail: Json) -> Self {
        self.detail = detail;
        self
    }
}

/// One entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub company: Option<String>,
    pub resource: Option<String>,
    pub record_id: Option<String>,
    pub outcome: Option<String>,
    pub detail: Json,
}

/// Which entries to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub company: Option<String>,
    pub actor: Option<String>,
    /// An action, or the start of one up to a dot (`write` finds `write.succeeded`).
    pub action: Option<String>,
    /// Entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Entries before this time.
    pub until: Option<DateTime<Utc>>,
    /// Entries older than this id (a page's cursor).
    pub before: Option<i64>,
    pub limit: u32,
}

const COLUMNS: &str = "id, at, actor, action, company, resource, record_id, outcome, detail";

fn entry_from(row: &AnyRow) -> Result<AuditEntry> {
    let detail: String = row.try_get("detail")?;
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        company: row.try_get("company")?,
        resource: row.try_get("resource")?,
        record_id: row.try_get("record_id")?,
        outcome: row.try_get("outcome")?,
        detail: serde_json::from_str(&detail)
            .map_err(|e| Error::Corrupt(format!("audit detail: {e}")))?,
    })
}

/// Appends `event` inside a transaction that does the thing it records.
pub(crate) async fn append(
    tx: &mut Transaction<'_, Any>,
    event: &AuditEvent,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, company, resource, record_id, outcome, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(timestamp(now))
    .bind(event.actor.clone())
    .bind(event.action.clone())
    .bind(event.company.clone())
    .bind(event.resource.clone())
    .bind(event.record_id.clone())
    .bind(event.outcome.clone())
    .bind(event.detail.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Appends `event` to the audit log.
    pub async fn audit(&self, event: AuditEvent, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        append(&mut tx, &event, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Appends `event`, logging rather than failing: for actions that are done already (a
    /// sign-in), whose answer should not turn into an error because the log could not be
    /// written.
    pub async fn audit_or_warn(&self, event: AuditEvent) {
        let action = event.action.clone();
        if let Err(error) = self.audit(event, Utc::now()).await {
            tracing::warn!(%action, %error, "could not write the audit log");
        }
    }

    /// Entries matching `query`, newest first, at most `query.limit`.
    pub async fn audit_log(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let mut conditions: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        if let Some(company) = &query.company {
            binds.push(company.clone());
            conditions.push(format!("company = ${}", binds.len()));
        }
        if let Some(actor) = &query.actor {
            binds.push(actor.clone());
            conditions.push(format!("actor = ${}", binds.len()));
        }
        if let Some(action) = &query.action {
            let prefix = format!("{action}.");
            let length = prefix.chars().count();
            binds.push(action.clone());
            binds.push(prefix);
            conditions.push(format!(
                "(action = ${} OR substr(action, 1, {length}) = ${})",
                binds.len() - 1,
                binds.len()
            ));
        }
        if let Some(since) = query.since {
            binds.push(timestamp(since));
            conditions.push(format!("at >= ${}", binds.len()));
        }
        if let Some(until) = query.until {
            binds.push(timestamp(until));
            conditions.push(format!("at < ${}", binds.len()));
        }
        let mut sql = format!("SELECT {COLUMNS} FROM audit_log WHERE 1 = 1");
        for condition in &conditions {
            sql.push_str(" AND ");
            sql.push_str(condition);
        }
        let before = binds.len() + 1;
        if query.before.is_some() {
            sql.push_str(&format!(" AND id < ${before}"));
        }
        sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", query.limit.max(1)));
        let mut statement = sqlx::query(built(sql));
        for value in binds {
            statement = statement.bind(value);
        }
        if let Some(before) = query.before {
            statement = statement.bind(before);
        }
        let rows = statement.fetch_all(&self.pool).await?;
        rows.iter().map(entry_from).collect()
    }
}
