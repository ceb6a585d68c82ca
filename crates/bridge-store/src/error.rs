//! Store errors: one variant per situation a caller handles differently. Messages never
//! contain a secret or a full database URL.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`{0}` is not a database location (use a file path, sqlite://PATH or postgres://...)")]
    BadLocation(String),
    #[error("{path} is not a SQLite database (is it the right file?)")]
    NotADatabase { path: PathBuf },
    #[error("{location} holds another application's tables; refusing to add ours to it")]
    ForeignDatabase { location: String },
    #[error("{location} is locked by another process; try again when it is done")]
    Locked { location: String },
    #[error("could not open {location}")]
    Open {
        location: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("could not bring the schema of {location} up to date")]
    Migrate {
        location: String,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Key(String),
    #[error(
        "the stored {field} of company `{company}` cannot be decrypted with this key ({key}); reconnect the company or restore the key"
    )]
    Decrypt {
        company: String,
        field: &'static str,
        key: String,
    },
    #[error("no company named `{0}`")]
    UnknownCompany(String),
    #[error("a company named `{0}` exists already")]
    DuplicateCompany(String),
    #[error("company `{0}` is disconnected: connect it again to sync")]
    Disconnected(String),
    #[error("an API key named `{0}` exists already")]
    DuplicateApiKey(String),
    /// A value the caller passed that the store cannot keep (names what and why).
    #[error("{0}")]
    Invalid(String),
    /// A company setting out of its range; `field` names it as the settings' JSON does.
    #[error("{field}: {detail}")]
    InvalidSetting { field: &'static str, detail: String },
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Row(#[from] crate::row::RowError),
}

impl Error {
    /// Classifies a database error raised while opening or writing `location`.
    pub(crate) fn from_sqlx(location: &str, path: Option<&PathBuf>, source: sqlx::Error) -> Error {
        let code = sqlite_code(&source);
        if code == Some(SQLITE_NOTADB)
            && let Some(path) = path
        {
            return Error::NotADatabase { path: path.clone() };
        }
        if matches!(code, Some(SQLITE_BUSY | SQLITE_LOCKED)) {
            return Error::Locked {
                location: location.to_owned(),
            };
        }
        Error::Open {
            location: location.to_owned(),
            source,
        }
    }
}

/// SQLite's primary result codes ("database is locked", "database table is locked", "file is
/// not a database"; SQLCipher's "file is encrypted" is the last one too).
const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;
const SQLITE_NOTADB: i32 = 26;

/// The primary result code of an error SQLite raised. sqlx gives the extended code as text
/// (517 for SQLITE_BUSY_SNAPSHOT, say); its low byte is the primary code.
fn sqlite_code(error: &sqlx::Error) -> Option<i32> {
    let error = error.as_database_error()?;
    error.try_downcast_ref::<sqlx::sqlite::SqliteError>()?;
    Some(error.code()?.parse::<i32>().ok()? & 0xff)
}

/// Shorthand.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use sqlx::{AnyConnection, Connection, Executor};

    use super::Error;

    /// A connection through the Any driver, as the store makes them.
    async fn connect(path: &std::path::Path) -> AnyConnection {
        sqlx::any::install_default_drivers();
        AnyConnection::connect(&format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .expect("connect")
    }

    #[tokio::test]
    async fn sqlite_saying_not_a_database_is_not_a_database() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("damaged.db");
        let mut bytes = b"SQLite format 3\0".to_vec();
        bytes.extend("these are my notes, not a database ".repeat(200).bytes());
        std::fs::write(&path, bytes).expect("write");
        let mut conn = connect(&path).await;
        let source = conn
            .execute("SELECT * FROM sqlite_master")
            .await
            .expect_err("not a database");
        let error = Error::from_sqlx("here", Some(&PathBuf::from(&path)), source);
        assert!(matches!(error, Error::NotADatabase { .. }), "{error:?}");
    }

    #[tokio::test]
    async fn a_busy_database_is_locked() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("busy.db");
        let mut holder = connect(&path).await;
        holder.execute("BEGIN IMMEDIATE").await.expect("lock");
        let mut waiter = connect(&path).await;
        waiter
            .execute("PRAGMA busy_timeout = 0")
            .await
            .expect("pragma");
        let source = waiter.execute("BEGIN IMMEDIATE").await.expect_err("busy");
        let error = Error::from_sqlx("here", Some(&PathBuf::from(&path)), source);
        assert!(matches!(error, Error::Locked { .. }), "{error:?}");
    }

    #[tokio::test]
    async fn other_errors_stay_open_errors() {
        let dir = tempfile::tempdir().expect("dir");
        let mut conn = connect(&dir.path().join("fine.db")).await;
        let source = conn
            .execute("SELECT * FROM missing")
            .await
            .expect_err("no such table");
        let error = Error::from_sqlx("here", None, source);
        assert!(matches!(error, Error::Open { .. }), "{error:?}");
    }
}
