//! Link sessions: a vendor asks for one (with a `link` API key) and sends its URL to a
//! customer's Personio admin, who links the company on the hosted page without an account.
//!
//! The URL's token is the authority, so it must be unguessable and never readable from the
//! database: it is an HMAC of the session's id under the store's key (256 bits), and only its
//! SHA-256 is stored. The service can give the URL out again (it holds the key); someone
//! with a copy of the database alone cannot.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::access::{digest, random_token};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::value::{parse_timestamp, timestamp};

/// What the linked credential is asked to allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkAccess {
    Read,
    Write,
}

impl LinkAccess {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkAccess::Read => "read",
            LinkAccess::Write => "write",
        }
    }

    pub fn parse(text: &str) -> Option<LinkAccess> {
        match text {
            "read" => Some(LinkAccess::Read),
            "write" => Some(LinkAccess::Write),
            _ => None,
        }
    }
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkStatus {
    Pending,
    Linked,
    Expired,
}

impl LinkStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkStatus::Pending => "pending",
            LinkStatus::Linked => "linked",
            LinkStatus::Expired => "expired",
        }
    }
}

/// A link session, without its token.
#[derive(Debug, Clone)]
pub struct LinkSession {
    pub id: String,
    /// The name the company is (or will be) linked as.
    pub company: String,
    /// Personio's API address (Personio's own, or a sandbox's).
    pub base_url: String,
    pub display_name: Option<String>,
    pub redirect_url: String,
    /// The vendor's opaque value, handed back on the redirect.
    pub state: Option<String>,
    pub resources: Vec<String>,
    pub access: LinkAccess,
    /// The token the link page's form carries.
    pub csrf: String,
    /// The API key that asked for it.
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub linked_at: Option<DateTime<Utc>>,
    pub failed_attempts: i64,
}

impl LinkSession {
    pub fn status(&self, now: DateTime<Utc>) -> LinkStatus {
        if self.linked_at.is_some() {
            LinkStatus::Linked
        } else if now >= self.expires_at {
            LinkStatus::Expired
        } else {
            LinkStatus::Pending
        }
    }
}

/// A session to create.
#[derive(Debug, Clone)]
pub struct NewLinkSession {
    pub company: String,
    pub base_url: String,
    pub display_name: Option<String>,
    pub redirect_url: String,
    pub state: Option<String>,
    pub resources: Vec<String>,
    pub access: LinkAccess,
    pub created_by: Option<String>,
    pub lifetime: Duration,
}

const COLUMNS: &str = "id, company, base_url, display_name, redirect_url, state, resources, access, csrf, \
                       created_by, created_at, expires_at, linked_at, failed_attempts";

fn time(row: &AnyRow, column: &str) -> Result<Option<DateTime<Utc>>> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| {
        parse_timestamp(&t).ok_or_else(|| Error::Corrupt(format!("link session {column} {t:?}")))
    })
    .transpose()
}

/// The token in session `id`'s URL under `key`.
pub(crate) fn token_for(key: &crate::secrets::Key, id: &str) -> String {
    key.derive_token(&format!("link session token:{id}"))
}

fn session_from(row: &AnyRow) -> Result<LinkSession> {
    let resources: String = row.try_get("resources")?;
    let access: String = row.try_get("access")?;
    let required = |column: &str| {
        time(row, column)?.ok_or_else(|| Error::Corrupt(format!("link session without {column}")))
    };
    Ok(LinkSession {
        id: row.try_get("id")?,
        company: row.try_get("company")?,
        base_url: row.try_get("base_url")?,
        display_name: row.try_get("display_name")?,
        redirect_url: row.try_get("redirect_url")?,
        state: row.try_get("state")?,
        resources: resources.split_whitespace().map(str::to_owned).collect(),
        access: LinkAccess::parse(&access)
            .ok_or_else(|| Error::Corrupt(format!("link session access {access:?}")))?,
        csrf: row.try_get("csrf")?,
        created_by: row.try_get("created_by")?,
        created_at: required("created_at")?,
        expires_at: required("expires_at")?,
        linked_at: time(row, "linked_at")?,
        failed_attempts: row.try_get("failed_attempts")?,
    })
}

impl Store {
    /// The token in session `id`'s URL.
    pub fn link_token(&self, id: &str) -> String {
        token_for(&self.key, id)
    }

    /// Creates a session; returns it with its URL's token.
    pub async fn create_link_session(
        &self,
        new: NewLinkSession,
        now: DateTime<Utc>,
    ) -> Result<(LinkSession, String)> {
        let id = random_token("ls_", 24);
        let token = self.link_token(&id);
        let row = sqlx::query(crate::sql::built(format!(
            "INSERT INTO link_sessions (id, token_hash, company, base_url, display_name, redirect_url, \
             state, resources, access, csrf, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING {COLUMNS}"
        )))
        .bind(&id)
        .bind(digest(&token))
        .bind(&new.company)
        .bind(&new.base_url)
        .bind(&new.display_name)
        .bind(&new.redirect_url)
        .bind(&new.state)
        .bind(new.resources.join(" "))
        .bind(new.access.as_str())
        .bind(random_token("", 32))
        .bind(&new.created_by)
        .bind(timestamp(now))
        .bind(timestamp(now + new.lifetime))
        .fetch_one(&self.pool)
        .await?;
        Ok((session_from(&row)?, token))
    }

    /// Session `id`, if there is one.
    pub async fn link_session(&self, id: &str) -> Result<Option<LinkSession>> {
        let row = sqlx::query(crate::sql::built(format!(
            "SELECT {COLUMNS} FROM link_sessions WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(session_from).transpose()
    }

    /// The session whose URL carries `token`, if any.
    pub async fn link_session_by_token(&self, token: &str) -> Result<Option<LinkSession>> {
        let row = sqlx::query(crate::sql::built(format!(
            "SELECT {COLUMNS} FROM link_sessions WHERE token_hash = $1"
        )))
        .bind(digest(token))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(session_from).transpose()
    }

    /// Counts a refused submission; returns how many there have been.
    pub async fn link_session_refused(&self, id: &str) -> Result<i64> {
        let row = sqlx::query(
            "UPDATE link_sessions SET failed_attempts = failed_attempts + 1 WHERE id = $1 \
             RETURNING failed_attempts",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("failed_attempts")?)
    }

    /// Claims a pending session for the submission that links it: true for exactly one
    /// caller, however many submit at once.
    pub async fn claim_link_session(&self, id: &str, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE link_sessions SET linked_at = $1 \
             WHERE id = $2 AND linked_at IS NULL AND expires_at > $1",
        )
        .bind(timestamp(now))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives a claimed session back when linking failed after the claim.
    pub async fn release_link_session(&self, id: &str) -> Result<()> {
        sqlx::query("UPDATE link_sessions SET linked_at = NULL WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
