//! Who may use the service: its settings (the admin password's hash), API keys for programs
//! and signed-in operators' sessions. Keys and session tokens are random and long, so a
//! SHA-256 of them is what is stored and looked up; the plain values exist only in the
//! answer that created them.

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use rand::RngExt;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Error, Result};
use crate::sql::built;
use crate::store::Store;
use crate::value::{parse_timestamp, timestamp};

/// How API keys begin, so that a leaked one is recognisable in logs and scanners.
pub const API_KEY_PREFIX: &str = "pbk_";
/// How many characters of a key listings show.
const SHOWN_PREFIX: usize = API_KEY_PREFIX.len() + 6;
/// A used key's `last_used_at` moves at most this often (a write per request would cost more
/// than the read it records).
const LAST_USED_RESOLUTION: Duration = Duration::minutes(1);

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Read companies, records and change events; manage webhook subscriptions.
    Read,
    /// Write to Personio through the service.
    Write,
    /// Create link sessions.
    Link,
    /// Everything.
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Read, Scope::Write, Scope::Link, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Link => "link",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// What a new key may do, and for which companies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// At least one.
    pub scopes: Vec<Scope>,
    /// Company names; empty: every company.
    pub companies: Vec<String>,
}

impl Default for Grant {
    /// What keys could do before scopes existed: read every company.
    fn default() -> Grant {
        Grant {
            scopes: vec![Scope::Read],
            companies: Vec::new(),
        }
    }
}

/// An API key, without the key.
#[derive(Debug, Clone, Serialize)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    /// The key's first characters.
    pub prefix: String,
    pub scopes: Vec<Scope>,
    /// The companies it is limited to; empty: every company.
    pub companies: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    /// Whether the key may do what `scope` stands for (`admin` may do everything).
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope) || self.scopes.contains(&Scope::Admin)
    }

    /// Whether the key reaches company `name`.
    pub fn reaches(&self, name: &str) -> bool {
        self.companies.is_empty() || self.companies.iter().any(|c| c == name)
    }

    /// Whether the key is limited to some companies.
    pub fn is_limited(&self) -> bool {
        !self.companies.is_empty()
    }
}

/// A signed-in operator's session.
#[derive(Debug, Clone)]
pub struct AdminSession {
    /// The token every form of this session must carry.
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
}

/// `prefix` + `len` random letters and digits from the operating system's generator.
pub fn random_token(prefix: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let mut token = String::with_capacity(prefix.len() + len);
    token.push_str(prefix);
    token.extend((0..len).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char));
    token
}

/// Hex SHA-256 of a token.
pub(crate) fn digest(token: &str) -> String {
    use std::fmt::Write as _;
    let mut hex = String::with_capacity(64);
    for byte in Sha256::digest(token.as_bytes()) {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

fn optional_time(row: &AnyRow, column: &str) -> Result<Option<DateTime<Utc>>> {
    let text: Option<String> = row.try_get(column)?;
    Ok(text.as_deref().and_then(parse_timestamp))
}

fn api_key_from(row: &AnyRow) -> Result<ApiKey> {
    let created: String = row.try_get("created_at")?;
    let scopes: String = row.try_get("scopes")?;
    let companies: String = row.try_get("companies")?;
    Ok(ApiKey {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        prefix: row.try_get("prefix")?,
        scopes: scopes
            .split_whitespace()
            .map(|s| Scope::parse(s).ok_or_else(|| Error::Corrupt(format!("api key scope {s:?}"))))
            .collect::<Result<_>>()?,
        companies: companies.split_whitespace().map(str::to_owned).collect(),
        created_at: parse_timestamp(&created)
            .ok_or_else(|| Error::Corrupt(format!("api key created_at {created:?}")))?,
        last_used_at: optional_time(row, "last_used_at")?,
        revoked_at: optional_time(row, "revoked_at")?,
    })
}

const KEY_COLUMNS: &str =
    "id, name, prefix, scopes, companies, created_at, last_used_at, revoked_at";

/// The words of a list column: space-separated (scopes and company names have no spaces).
fn words<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items.into_iter().collect::<Vec<_>>().join(" ")
}

impl Store {
    /// A setting of the service, if set.
    pub async fn setting(&self, name: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM service_settings WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("value")).transpose()?)
    }

    pub async fn set_setting(&self, name: &str, value: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "INSERT INTO service_settings (name, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(value)
        .bind(timestamp(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Creates a key named `name` that may do what `grant` says; the key itself is returned
    /// here and never again.
    pub async fn create_api_key(
        &self,
        name: &str,
        grant: &Grant,
        now: DateTime<Utc>,
    ) -> Result<(ApiKey, SecretString)> {
        if grant.scopes.is_empty() {
            return Err(Error::Invalid("an API key needs at least one scope".into()));
        }
        if let Some(bad) = grant
            .companies
            .iter()
            .find(|c| c.is_empty() || c.contains(char::is_whitespace))
        {
            return Err(Error::Invalid(format!("company name {bad:?}")));
        }
        let exists = sqlx::query("SELECT id FROM api_keys WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        if exists.is_some() {
            return Err(Error::DuplicateApiKey(name.to_owned()));
        }
        let key = random_token(API_KEY_PREFIX, 40);
        let row = sqlx::query(built(format!(
            "INSERT INTO api_keys (name, prefix, key_hash, scopes, companies, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {KEY_COLUMNS}"
        )))
        .bind(name)
        .bind(&key[..SHOWN_PREFIX])
        .bind(digest(&key))
        .bind(words(grant.scopes.iter().map(|s| s.as_str())))
        .bind(words(grant.companies.iter().map(String::as_str)))
        .bind(timestamp(now))
        .fetch_one(&self.pool)
        .await?;
        Ok((api_key_from(&row)?, SecretString::from(key)))
    }

    /// Every key, revoked ones included, oldest first.
    pub async fn api_keys(&self) -> Result<Vec<ApiKey>> {
        let rows = sqlx::query(built(format!(
            "SELECT {KEY_COLUMNS} FROM api_keys ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(api_key_from).collect()
    }

    /// Revokes the key named `name`; false when there is no such live key.
    pub async fn revoke_api_key(&self, name: &str, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE api_keys SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
        )
        .bind(timestamp(now))
        .bind(name)
        .execute(&self.pool)
        .await?;
        // Revoked through this store: refused from the next request on.
        self.live_keys.clear();
        Ok(done.rows_affected() > 0)
    }

    /// The live key `presented` is, if any; notes its use. A key found live is taken as live
    /// for a moment without asking again (see `recent`), so that each request of a burst
    /// does not cost a statement.
    pub async fn api_key_for(&self, presented: &str, now: DateTime<Utc>) -> Result<Option<ApiKey>> {
        if !presented.starts_with(API_KEY_PREFIX) {
            return Ok(None);
        }
        let hash = digest(presented);
        let checked = Instant::now();
        if let Some(key) = self.live_keys.get(&hash, checked) {
            return Ok(Some(key));
        }
        let row = sqlx::query(built(format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL"
        )))
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(key) = row.as_ref().map(api_key_from).transpose()? else {
            return Ok(None);
        };
        if key
            .last_used_at
            .is_none_or(|at| now - at >= LAST_USED_RESOLUTION)
        {
            sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
                .bind(timestamp(now))
                .bind(key.id)
                .execute(&self.pool)
                .await?;
        }
        self.live_keys.put(hash, key.clone(), checked);
        Ok(Some(key))
    }

    /// Starts a session lasting `ttl`; returns its token (for the cookie) and the session.
    pub async fn create_session(
        &self,
        ttl: Duration,
        now: DateTime<Utc>,
    ) -> Result<(SecretString, AdminSession)> {
        let token = random_token("", 43);
        let session = AdminSession {
            csrf: random_token("", 32),
            expires_at: now + ttl,
        };
        // Expired sessions go whenever a new one starts.
        sqlx::query("DELETE FROM admin_sessions WHERE expires_at < $1")
            .bind(timestamp(now))
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO admin_sessions (token_hash, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(digest(&token))
        .bind(&session.csrf)
        .bind(timestamp(now))
        .bind(timestamp(session.expires_at))
        .execute(&self.pool)
        .await?;
        Ok((SecretString::from(token), session))
    }

    /// The unexpired session of a cookie's token.
    pub async fn session(&self, token: &str, now: DateTime<Utc>) -> Result<Option<AdminSession>> {
        let row = sqlx::query(
            "SELECT csrf, expires_at FROM admin_sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(digest(token))
        .bind(timestamp(now))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let expires: String = row.try_get("expires_at")?;
        Ok(Some(AdminSession {
            csrf: row.try_get("csrf")?,
            expires_at: parse_timestamp(&expires)
                .ok_or_else(|| Error::Corrupt(format!("session expires_at {expires:?}")))?,
        }))
    }

    /// Ends the session of a cookie's token (sign out).
    pub async fn end_session(&self, token: &SecretString) -> Result<()> {
        sqlx::query("DELETE FROM admin_sessions WHERE token_hash = $1")
            .bind(digest(token.expose_secret()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session (the password changed).
    pub async fn end_all_sessions(&self) -> Result<()> {
        sqlx::query("DELETE FROM admin_sessions")
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
