//! Connected companies and their credentials. Secrets go in sealed and come out only through
//! [`Store::credentials`]; nothing else ever returns them.

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::connections::{CONNECTION_LINKED, CONNECTION_RELINKED, Connection, ConnectionStatus};
use crate::error::{Error, Result};
use crate::settings::{CompanySettings, Stored};
use crate::sql::built;
use crate::store::Store;
use crate::value::{parse_timestamp, timestamp};

/// Our id of a company (not Personio's).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct CompanyId(pub i64);

/// Which people (and their records) a company's syncs keep. Empty lists mean "all". Values
/// are names or Personio ids as the user gave them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legal_entities: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offices: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<String>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.legal_entities.is_empty()
            && self.statuses.is_empty()
            && self.offices.is_empty()
            && self.departments.is_empty()
    }
}

/// A connected company, without its secrets.
#[derive(Debug, Clone, Serialize)]
pub struct Company {
    pub id: CompanyId,
    pub name: String,
    pub base_url: String,
    pub client_id: String,
    pub recruiting_company_id: Option<i64>,
    pub has_recruiting_token: bool,
    pub filters: Filters,
    /// What the credential may do, as the last connect or doctor found it.
    pub granted: serde_json::Value,
    pub sync_interval_minutes: Option<i64>,
    /// False once disconnected: the credentials are gone, the synced records stay.
    pub connected: bool,
    /// Whether Personio still accepts the credential.
    pub connection: Connection,
    /// How scheduled syncs run (its `filters` and `sync_interval_minutes` are the fields
    /// above, repeated).
    pub settings: CompanySettings,
    /// When the latest scheduled full reconciliation began.
    pub full_reconciled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A company to add.
pub struct NewCompany {
    pub name: String,
    pub base_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub recruiting: Option<(SecretString, i64)>,
    pub filters: Filters,
    pub granted: serde_json::Value,
}

/// A company's credentials, decrypted.
pub struct Credentials {
    pub client_id: String,
    pub client_secret: SecretString,
    pub recruiting: Option<(SecretString, i64)>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, name, base_url, client_id, recruiting_company_id, recruiting_token IS NOT NULL AS has_recruiting, \
                       filters, granted, sync_interval_minutes, client_secret <> '' AS connected, created_at, updated_at, \
                       connection_status, connection_reason, connection_since, settings, full_reconciled_at";

pub(crate) fn seal_context(company: &str, field: &str) -> String {
    format!("company:{company}/{field}")
}

fn company_from(row: &AnyRow) -> Result<Company> {
    let text = |name: &str| row.try_get::<String, _>(name);
    let created_at = text("created_at")?;
    let updated_at = text("updated_at")?;
    let has_recruiting: bool = row
        .try_get::<bool, _>("has_recruiting")
        .or_else(|_| row.try_get::<i64, _>("has_recruiting").map(|n| n != 0))?;
    let created = parse_timestamp(&created_at)
        .ok_or_else(|| Error::Corrupt(format!("created_at {created_at:?}")))?;
    let filters: Filters = serde_json::from_str(&text("filters")?)
        .map_err(|e| Error::Corrupt(format!("filters: {e}")))?;
    let stored: Stored = serde_json::from_str(&text("settings")?)
        .map_err(|e| Error::Corrupt(format!("settings: {e}")))?;
    let sync_interval_minutes: Option<i64> = row.try_get("sync_interval_minutes")?;
    let since: Option<String> = row.try_get("connection_since")?;
    let reconciled: Option<String> = row.try_get("full_reconciled_at")?;
    Ok(Company {
        connection: Connection {
            status: ConnectionStatus::parse(&text("connection_status")?),
            reason: row.try_get("connection_reason")?,
            since: since
                .as_deref()
                .and_then(parse_timestamp)
                .unwrap_or(created),
        },
        settings: CompanySettings {
            resources: stored.resources,
            api: stored.api,
            sync_interval_minutes,
            full_reconcile_days: stored.full_reconcile_days,
            filters: filters.clone(),
            retention_days: stored.retention_days,
        },
        full_reconciled_at: reconciled.as_deref().and_then(parse_timestamp),
        id: CompanyId(row.try_get("id")?),
        name: text("name")?,
        base_url: text("base_url")?,
        client_id: text("client_id")?,
        recruiting_company_id: row.try_get("recruiting_company_id")?,
        has_recruiting_token: has_recruiting,
        filters,
        granted: serde_json::from_str(&text("granted")?)
            .map_err(|e| Error::Corrupt(format!("granted: {e}")))?,
        sync_interval_minutes,
        connected: row
            .try_get::<bool, _>("connected")
            .or_else(|_| row.try_get::<i64, _>("connected").map(|n| n != 0))?,
        created_at: created,
        updated_at: parse_timestamp(&updated_at)
            .ok_or_else(|| Error::Corrupt(format!("updated_at {updated_at:?}")))?,
    })
}

impl Store {
    /// Adds a company; its secrets are sealed before they reach the database. Writes
    /// `connection.linked` in the same transaction.
    pub async fn add_company(&self, new: NewCompany, now: DateTime<Utc>) -> Result<Company> {
        if self.find_company(&new.name).await?.is_some() {
            return Err(Error::DuplicateCompany(new.name));
        }
        let secret = self.key.seal(
            &seal_context(&new.name, "client_secret"),
            &new.client_secret,
        );
        let (token, recruiting_id) = match &new.recruiting {
            Some((token, id)) => (
                Some(
                    self.key
                        .seal(&seal_context(&new.name, "recruiting_token"), token),
                ),
                Some(*id),
            ),
            None => (None, None),
        };
        let filters = serde_json::to_string(&new.filters).expect("filters serialize");
        let granted = new.granted.to_string();
        let at = now;
        let now = timestamp(now);
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO companies (name, base_url, client_id, client_secret, recruiting_token, recruiting_company_id, \
             filters, granted, created_at, updated_at, connection_since) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9) RETURNING id",
        )
        .bind(&new.name)
        .bind(&new.base_url)
        .bind(&new.client_id)
        .bind(secret)
        .bind(token)
        .bind(recruiting_id)
        .bind(filters)
        .bind(granted)
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let id = CompanyId(row.try_get("id")?);
        self.connection_event(&mut tx, id, CONNECTION_LINKED, at)
            .await?;
        tx.commit().await?;
        self.company(&new.name).await
    }

    /// Replaces a company's credentials, filters and grants (a reconnect, or a relink): its
    /// records, settings and checkpoints stay, a broken connection is linked again, and
    /// `connection.relinked` is written in the same transaction.
    pub async fn reconnect_company(&self, new: NewCompany, now: DateTime<Utc>) -> Result<Company> {
        let existing = self.company(&new.name).await?;
        let secret = self.key.seal(
            &seal_context(&new.name, "client_secret"),
            &new.client_secret,
        );
        let (token, recruiting_id) = match &new.recruiting {
            Some((token, id)) => (
                Some(
                    self.key
                        .seal(&seal_context(&new.name, "recruiting_token"), token),
                ),
                Some(*id),
            ),
            None => (None, None),
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE companies SET base_url = $1, client_id = $2, client_secret = $3, recruiting_token = $4, \
             recruiting_company_id = $5, filters = $6, granted = $7, updated_at = $8, \
             connection_status = 'linked', connection_reason = NULL, connection_since = $8 WHERE id = $9",
        )
        .bind(&new.base_url)
        .bind(&new.client_id)
        .bind(secret)
        .bind(token)
        .bind(recruiting_id)
        .bind(serde_json::to_string(&new.filters).expect("filters serialize"))
        .bind(new.granted.to_string())
        .bind(timestamp(now))
        .bind(existing.id.0)
        .execute(&mut *tx)
        .await?;
        self.connection_event(&mut tx, existing.id, CONNECTION_RELINKED, now)
            .await?;
        tx.commit().await?;
        self.company(&new.name).await
    }

    /// Records what the credential may do (after `doctor`).
    pub async fn set_granted(
        &self,
        company: CompanyId,
        granted: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query("UPDATE companies SET granted = $1, updated_at = $2 WHERE id = $3")
            .bind(granted.to_string())
            .bind(timestamp(now))
            .bind(company.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Changes a company's filters.
    pub async fn set_filters(
        &self,
        company: CompanyId,
        filters: &Filters,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query("UPDATE companies SET filters = $1, updated_at = $2 WHERE id = $3")
            .bind(serde_json::to_string(filters).expect("filters serialize"))
            .bind(timestamp(now))
            .bind(company.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Sets how often the scheduler syncs a company (`None`: the default).
    pub async fn set_sync_interval(
        &self,
        company: CompanyId,
        minutes: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE companies SET sync_interval_minutes = $1, updated_at = $2 WHERE id = $3",
        )
        .bind(minutes)
        .bind(timestamp(now))
        .bind(company.0)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn find_company(&self, name: &str) -> Result<Option<Company>> {
        let row = sqlx::query(built(format!(
            "SELECT {COLUMNS} FROM companies WHERE name = $1"
        )))
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(company_from).transpose()
    }

    /// The company named `name`, or [`Error::UnknownCompany`].
    pub async fn company(&self, name: &str) -> Result<Company> {
        self.find_company(name)
            .await?
            .ok_or_else(|| Error::UnknownCompany(name.to_owned()))
    }

    /// The id of the company named `name`, or [`Error::UnknownCompany`]. Found once, it is
    /// used for a moment without asking again (see `recent`): the API reads it on every
    /// request.
    pub async fn company_id(&self, name: &str) -> Result<CompanyId> {
        let found = std::time::Instant::now();
        if let Some(id) = self.company_ids.get(name, found) {
            return Ok(id);
        }
        let row = sqlx::query("SELECT id FROM companies WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Err(Error::UnknownCompany(name.to_owned()));
        };
        let id = CompanyId(row.try_get("id")?);
        self.company_ids.put(name.to_owned(), id, found);
        Ok(id)
    }

    pub async fn company_by_id(&self, id: CompanyId) -> Result<Company> {
        let row = sqlx::query(built(format!(
            "SELECT {COLUMNS} FROM companies WHERE id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref()
            .map(company_from)
            .transpose()?
            .ok_or_else(|| Error::UnknownCompany(format!("#{}", id.0)))
    }

    /// Every company, by name.
    pub async fn companies(&self) -> Result<Vec<Company>> {
        let rows = sqlx::query(built(format!(
            "SELECT {COLUMNS} FROM companies ORDER BY name"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(company_from).collect()
    }

    /// Deletes a company with all its records, runs and checkpoints.
    pub async fn remove_company(&self, name: &str) -> Result<()> {
        let company = self.company(name).await?;
        let mut tx = self.begin_write().await?;
        // Explicit deletes: foreign keys may be off on a store opened by an older tool.
        for table in crate::tables::ALL.iter().map(|t| t.name).chain([
            "checkpoints",
            "sync_runs",
            "record_changes",
            "personio_webhooks",
        ]) {
            sqlx::query(built(format!("DELETE FROM {table} WHERE company_id = $1")))
                .bind(company.id.0)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM companies WHERE id = $1")
            .bind(company.id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // Removed through this store: unknown from the next request on.
        self.company_ids.clear();
        Ok(())
    }

    /// Forgets a company's credentials (client secret, recruiting token) but keeps it and
    /// its records; a reconnect brings new credentials.
    pub async fn disconnect_company(&self, company: CompanyId, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "UPDATE companies SET client_secret = '', recruiting_token = NULL, updated_at = $1 WHERE id = $2",
        )
        .bind(timestamp(now))
        .bind(company.0)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The company's credentials, decrypted with this store's key.
    pub async fn credentials(&self, company: &Company) -> Result<Credentials> {
        let row = sqlx::query("SELECT client_secret, recruiting_token, recruiting_company_id FROM companies WHERE id = $1")
            .bind(company.id.0)
            .fetch_one(&self.pool)
            .await?;
        let key = self.key_source().to_string();
        let sealed: String = row.try_get("client_secret")?;
        if sealed.is_empty() {
            return Err(Error::Disconnected(company.name.clone()));
        }
        let client_secret = self
            .key
            .open(&seal_context(&company.name, "client_secret"), &sealed)
            .ok_or_else(|| Error::Decrypt {
                company: company.name.clone(),
                field: "client secret",
                key: key.clone(),
            })?;
        let token: Option<String> = row.try_get("recruiting_token")?;
        let recruiting_id: Option<i64> = row.try_get("recruiting_company_id")?;
        let recruiting = match (token, recruiting_id) {
            (Some(sealed), Some(id)) => {
                let token = self
                    .key
                    .open(&seal_context(&company.name, "recruiting_token"), &sealed)
                    .ok_or_else(|| Error::Decrypt {
                        company: company.name.clone(),
                        field: "recruiting token",
                        key,
                    })?;
                Some((token, id))
            }
            _ => None,
        };
        Ok(Credentials {
            client_id: company.client_id.clone(),
            client_secret,
            recruiting,
        })
    }
}
