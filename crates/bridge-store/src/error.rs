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
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Row(#[from] crate::row::RowError),
}

impl Error {
    /// Classifies a database error raised while opening or writing `location`.
    pub(crate) fn from_sqlx(location: &str, path: Option<&PathBuf>, source: sqlx::Error) -> Error {
        let text = source.to_string();
        if (text.contains("file is not a database") || text.contains("file is encrypted"))
            && let Some(path) = path
        {
            return Error::NotADatabase { path: path.clone() };
        }
        if text.contains("database is locked") || text.contains("database table is locked") {
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

/// Shorthand.
pub type Result<T, E = Error> = std::result::Result<T, E>;
