//! The operator's password: stored as an argon2id hash (the `argon2` crate, RustCrypto's
//! implementation with PHC-string output), set on first start and checked at sign-in.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};
use bridge_store::Store;
use secrecy::{ExposeSecret, SecretString};

/// The setting that holds the hash.
const SETTING: &str = "admin_password";
/// Shorter passwords are refused.
pub const MIN_LENGTH: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the admin password must have at least {MIN_LENGTH} characters")]
    TooShort,
    #[error("could not hash the password: {0}")]
    Hash(String),
    #[error(transparent)]
    Store(#[from] bridge_store::Error),
}

/// Whether an admin password is set.
pub async fn is_set(store: &Store) -> Result<bool, PasswordError> {
    Ok(store.setting(SETTING).await?.is_some())
}

/// Sets (or replaces) the admin password; existing sessions end.
pub async fn set(store: &Store, password: &SecretString) -> Result<(), PasswordError> {
    let password = password.expose_secret();
    if password.chars().count() < MIN_LENGTH {
        return Err(PasswordError::TooShort);
    }
    let owned = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(owned.as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| PasswordError::Hash(e.to_string()))?
    .map_err(|e| PasswordError::Hash(e.to_string()))?;
    store
        .set_setting(SETTING, &hash, chrono::Utc::now())
        .await?;
    store.end_all_sessions().await?;
    Ok(())
}

/// Whether `password` is the admin password (false when none is set).
pub async fn verify(store: &Store, password: &str) -> Result<bool, PasswordError> {
    let Some(stored) = store.setting(SETTING).await? else {
        return Ok(false);
    };
    let password = password.to_owned();
    // Hashing is deliberately slow: keep it off the async workers.
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|hash| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|e| PasswordError::Hash(e.to_string()))
}
