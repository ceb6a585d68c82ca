//! Where the store lives: a SQLite file (the default, `./bridge.db`) or a PostgreSQL URL.
//! `Display` never shows a password.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A parsed `--db` value.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// Reads `sqlite://PATH`, `sqlite:PATH`, `postgres://...`, `postgresql://...` or a plain path.
    pub fn parse(text: &str) -> Result<Location> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::BadLocation(String::new()));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Location::Postgres(text.to_owned()));
        }
        let path = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
            .unwrap_or(text);
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() || text.contains("://") && !text.starts_with("sqlite://") {
            return Err(Error::BadLocation(redact(text)));
        }
        Ok(Location::Sqlite(PathBuf::from(path)))
    }

    /// The URL sqlx connects with.
    pub(crate) fn url(&self) -> String {
        match self {
            Location::Sqlite(path) => format!("sqlite://{}?mode=rwc", path.display()),
            Location::Postgres(url) => url.clone(),
        }
    }

    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Location::Sqlite(path) => Some(path),
            Location::Postgres(_) => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            Location::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = rest
        .split_once('/')
        .map_or((rest, None), |(a, t)| (a, Some(t)));
    let authority = match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{credentials}@{host}"),
        },
        None => authority.to_owned(),
    };
    // Query parameters may carry a password too.
    let tail = tail.map(|t| match t.split_once('?') {
        Some((path, _)) => format!("{path}?***"),
        None => t.to_owned(),
    });
    match tail {
        Some(t) => format!("{scheme}://{authority}/{t}"),
        None => format!("{scheme}://{authority}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_paths_and_urls() {
        assert_eq!(
            Location::parse("bridge.db").unwrap(),
            Location::Sqlite("bridge.db".into())
        );
        assert_eq!(
            Location::parse("sqlite:///tmp/x.db").unwrap(),
            Location::Sqlite("/tmp/x.db".into())
        );
        assert_eq!(
            Location::parse("sqlite://data/x.db?mode=ro").unwrap(),
            Location::Sqlite("data/x.db".into())
        );
        assert!(matches!(
            Location::parse("postgres://u:p@h/db").unwrap(),
            Location::Postgres(_)
        ));
        assert!(Location::parse("mysql://h/db").is_err());
        assert!(Location::parse("  ").is_err());
    }

    #[test]
    fn passwords_never_show() {
        let location =
            Location::parse("postgres://bridge:hunter2@db.internal:5432/hr?password=x").unwrap();
        let shown = format!("{location} {location:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("password=x"),
            "{shown}"
        );
        assert!(shown.contains("bridge:***@db.internal:5432/hr"));
    }
}
