//! Key rotation: every sealed value (companies' client secrets and recruiting tokens,
//! webhook subscriptions' signing secrets) opened with the current key and sealed with a new
//! one, and link sessions' URL tokens (derived from the key) derived again, in one
//! transaction that also records the new key's fingerprint (`service_settings`).
//!
//! The key file changes around that transaction so that a crash at any moment leaves a store
//! that opens with the old key or the new one:
//!
//! 1. the new key is written to `<key file>.new` and flushed (file and directory);
//! 2. the transaction re-seals everything and records the new fingerprint;
//! 3. `<key file>.new` is renamed over the key file, and the directory flushed.
//!
//! Opening a store settles what a crash left ([`settle`]): when the recorded fingerprint is
//! the pending file's, the rename of step 3 is finished; a pending file whose key never
//! sealed the store (a crash before step 2 committed) is removed. With `--new-key-file`, or
//! a key from the environment, the new key goes to the named file before the transaction and
//! the current key file is left alone: the operator moves the key where it is read.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{AnyPool, Row as _};

use crate::access::digest;
use crate::audit::{self, AuditEvent};
use crate::companies;
use crate::error::{Error, Result};
use crate::keys::{KEY_ENV, KeySource, pending_path, read_key_file, replace_file, write_key_file};
use crate::link_sessions::token_for;
use crate::outbox;
use crate::secrets::Key;
use crate::store::Store;
use crate::value::timestamp;

/// The `service_settings` entry naming the key that seals the store.
const FINGERPRINT_SETTING: &str = "key_fingerprint";

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rotation {
    pub old_fingerprint: String,
    pub new_fingerprint: String,
    /// Where the new key is now.
    pub key_file: PathBuf,
    /// Whether the store's own key file now holds the new key (otherwise the operator
    /// moves it where the store reads its key).
    pub replaced_key_file: bool,
    /// Sealed values re-sealed: company secrets, webhook secrets.
    pub company_secrets: u64,
    pub webhook_secrets: u64,
    /// Link sessions whose URL token changed (their new URLs are shown as before).
    pub link_sessions: u64,
}

/// The fingerprint of `key`, as rotations record it.
pub fn key_fingerprint(key: &Key) -> String {
    key.fingerprint()
}

impl Store {
    /// Rotates the key (see the module's description). `new_key_file`: where to write the
    /// new key instead of replacing the store's key file (required when the key comes from
    /// the environment). This handle keeps the old key: open the store again to use it.
    pub async fn rotate_key(
        &self,
        new_key_file: Option<&Path>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Rotation> {
        let new = Key::generate();
        let (written, key_file) = match (new_key_file, self.key_source()) {
            (Some(path), _) => {
                if path.exists() {
                    return Err(Error::Key(format!(
                        "{} exists already; name a new file for the new key",
                        path.display()
                    )));
                }
                write_key_file(path, &new, false)?;
                (path.to_path_buf(), None)
            }
            (None, KeySource::File { path, .. }) => {
                let pending = pending_path(path);
                write_key_file(&pending, &new, true)?;
                (pending, Some(path.clone()))
            }
            (None, KeySource::Env) => {
                return Err(Error::Key(format!(
                    "the key comes from {KEY_ENV}: name a file for the new key with --new-key-file"
                )));
            }
        };
        tracing::info!(step = "new key written", fingerprint = %new.fingerprint(), "key rotation");
        let mut rotation = self.reseal(&new, actor, now).await?;
        tracing::info!(step = "store sealed with the new key", "key rotation");
        rotation.key_file = written.clone();
        if let Some(path) = key_file {
            replace_file(&written, &path)?;
            rotation.key_file = path;
            rotation.replaced_key_file = true;
            tracing::info!(step = "key file replaced", "key rotation");
        }
        Ok(rotation)
    }

    /// Re-seals every sealed value with `new` and records its fingerprint, in one
    /// transaction. Refuses (changing nothing) when a value does not open with this key.
    async fn reseal(&self, new: &Key, actor: &str, now: DateTime<Utc>) -> Result<Rotation> {
        let shown = self.key_source().to_string();
        let mut rotation = Rotation {
            old_fingerprint: self.key.fingerprint(),
            new_fingerprint: new.fingerprint(),
            key_file: PathBuf::new(),
            replaced_key_file: false,
            company_secrets: 0,
            webhook_secrets: 0,
            link_sessions: 0,
        };
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(
            "SELECT id, name, client_secret, recruiting_token FROM companies ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?;
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let name: String = row.try_get("name")?;
            let mut fields: Vec<(&'static str, &'static str, Option<String>)> = vec![
                (
                    "client_secret",
                    "client secret",
                    row.try_get("client_secret")?,
                ),
                (
                    "recruiting_token",
                    "recruiting token",
                    row.try_get("recruiting_token")?,
                ),
            ];
            for (column, field, value) in &mut fields {
                // A disconnected company keeps an empty secret: nothing to seal.
                let Some(sealed) = value.as_deref().filter(|s| !s.is_empty()) else {
                    continue;
                };
                let context = companies::seal_context(&name, column);
                let secret = self
                    .key
                    .open(&context, sealed)
                    .ok_or_else(|| Error::Decrypt {
                        company: name.clone(),
                        field,
                        key: shown.clone(),
                    })?;
                *value = Some(new.seal(&context, &secret));
                rotation.company_secrets += 1;
            }
            let [(_, _, secret), (_, _, token)] = &fields[..] else {
                unreachable!("two fields")
            };
            sqlx::query(
                "UPDATE companies SET client_secret = $1, recruiting_token = $2 WHERE id = $3",
            )
            .bind(secret.clone())
            .bind(token.clone())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        let rows = sqlx::query("SELECT id, secret FROM webhook_subscriptions ORDER BY id")
            .fetch_all(&mut *tx)
            .await?;
        for row in rows {
            let id: String = row.try_get("id")?;
            let sealed: String = row.try_get("secret")?;
            let context = outbox::seal_context(&id);
            let secret = self
                .key
                .open(&context, &sealed)
                .ok_or_else(|| Error::Decrypt {
                    company: format!("(webhook {id})"),
                    field: "signing secret",
                    key: shown.clone(),
                })?;
            sqlx::query("UPDATE webhook_subscriptions SET secret = $1 WHERE id = $2")
                .bind(new.seal(&context, &secret))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            rotation.webhook_secrets += 1;
        }
        let rows = sqlx::query("SELECT id FROM link_sessions ORDER BY id")
            .fetch_all(&mut *tx)
            .await?;
        for row in rows {
            let id: String = row.try_get("id")?;
            sqlx::query("UPDATE link_sessions SET token_hash = $1 WHERE id = $2")
                .bind(digest(&token_for(new, &id)))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            rotation.link_sessions += 1;
        }
        sqlx::query(
            "INSERT INTO service_settings (name, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(FINGERPRINT_SETTING)
        .bind(new.fingerprint())
        .bind(timestamp(now))
        .execute(&mut *tx)
        .await?;
        let event = AuditEvent::new(actor, audit::action::KEY_ROTATED)
            .outcome("rotated")
            .detail(serde_json::json!({
                "old_fingerprint": rotation.old_fingerprint,
                "new_fingerprint": rotation.new_fingerprint,
                "company_secrets": rotation.company_secrets,
                "webhook_secrets": rotation.webhook_secrets,
                "link_sessions": rotation.link_sessions,
            }));
        audit::append(&mut tx, &event, now).await?;
        tx.commit().await?;
        if self.location.sqlite_path().is_some() {
            // The key file is replaced next: the commit must be on disk before it is, even
            // if the machine (not just the process) stops.
            sqlx::query("PRAGMA wal_checkpoint(FULL)")
                .execute(&self.pool)
                .await?;
        }
        Ok(rotation)
    }
}

/// Finishes or forgets what a rotation interrupted by a crash left beside the key file
/// `source` (see the module's description); returns the key that seals the store.
pub(crate) async fn settle(pool: &AnyPool, key: Key, source: &KeySource) -> Result<Key> {
    let KeySource::File { path, .. } = source else {
        return Ok(key);
    };
    let recorded: Option<String> =
        sqlx::query("SELECT value FROM service_settings WHERE name = $1")
            .bind(FINGERPRINT_SETTING)
            .fetch_optional(pool)
            .await?
            .map(|r| r.try_get("value"))
            .transpose()?;
    let pending = pending_path(path);
    if !pending.exists() {
        if recorded.as_ref().is_some_and(|r| *r != key.fingerprint()) {
            tracing::warn!(path = %path.display(), "the store's secrets are sealed with another key than this key file's (rotated with --new-key-file?)");
        }
        return Ok(key);
    }
    let pending_key = read_key_file(&pending).ok();
    match (&recorded, pending_key) {
        (Some(recorded), Some(new)) if *recorded == new.fingerprint() => {
            // The store was sealed with the new key and the file not yet moved: move it.
            replace_file(&pending, path)?;
            tracing::info!(path = %path.display(), "finished an interrupted key rotation");
            Ok(new)
        }
        _ if recorded.is_none() || recorded.as_ref() == Some(&key.fingerprint()) => {
            // The rotation never committed: its key sealed nothing.
            std::fs::remove_file(&pending)
                .map_err(|e| Error::Key(format!("could not remove {}: {e}", pending.display())))?;
            tracing::info!(path = %pending.display(), "removed the key of a rotation that did not finish");
            Ok(key)
        }
        _ => Ok(key),
    }
}
