//! Where the encryption key comes from: `PERSONIO_BRIDGE_KEY` (base64 of 32 bytes), or a key
//! file created on first use with mode 0600 — beside the SQLite database (`bridge.db.key`), or
//! for PostgreSQL in the user's config directory, one per database.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::location::{Location, redact};
use crate::secrets::Key;

/// The environment variable that carries the key.
pub const KEY_ENV: &str = "PERSONIO_BRIDGE_KEY";

/// Where the key was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Env,
    /// A key file; `created` when this run made it (its path should be shown once).
    File {
        path: PathBuf,
        created: bool,
    },
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Env => write!(f, "${KEY_ENV}"),
            KeySource::File { path, .. } => write!(f, "key file {}", path.display()),
        }
    }
}

/// Loads the key for `location`, creating the key file when there is none.
pub(crate) fn load_key(location: &Location, env_value: Option<&str>) -> Result<(Key, KeySource)> {
    if let Some(text) = env_value.filter(|v| !v.trim().is_empty()) {
        let key = Key::from_base64(text).ok_or_else(|| {
            Error::Key(format!("{KEY_ENV} must be the base64 of exactly 32 bytes"))
        })?;
        return Ok((key, KeySource::Env));
    }
    let path = key_path(location)?;
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::Key(format!("could not read key file {}: {e}", path.display())))?;
        let key = Key::from_base64(&text).ok_or_else(|| {
            Error::Key(format!(
                "key file {} does not hold a base64 32-byte key",
                path.display()
            ))
        })?;
        warn_if_readable_by_others(&path);
        return Ok((
            key,
            KeySource::File {
                path,
                created: false,
            },
        ));
    }
    let key = Key::generate();
    write_private(&path, &key.to_base64())?;
    Ok((
        key,
        KeySource::File {
            path,
            created: true,
        },
    ))
}

/// Where a rotation puts the new key until the store is sealed with it: `<key file>.new`.
pub(crate) fn pending_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".new");
    PathBuf::from(name)
}

/// Reads a key file.
pub(crate) fn read_key_file(path: &Path) -> Result<Key> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Key(format!("could not read key file {}: {e}", path.display())))?;
    Key::from_base64(&text).ok_or_else(|| {
        Error::Key(format!(
            "key file {} does not hold a base64 32-byte key",
            path.display()
        ))
    })
}

/// Writes `key` to a new file at `path` (mode 0600), replacing a leftover one when `replace`,
/// and makes both the file and its name durable before returning.
pub(crate) fn write_key_file(path: &Path, key: &Key, replace: bool) -> Result<()> {
    if replace {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::Key(format!(
                    "could not replace {}: {e}",
                    path.display()
                )));
            }
        }
    }
    write_private(path, &key.to_base64())?;
    sync_dir(path)
}

/// Moves `from` over `to` and makes the move durable.
pub(crate) fn replace_file(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|e| {
        Error::Key(format!(
            "could not move {} to {}: {e}",
            from.display(),
            to.display()
        ))
    })?;
    sync_dir(to)
}

/// Flushes the directory holding `path`, so a file created or renamed there survives a crash.
fn sync_dir(path: &Path) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::Key(format!("could not flush {}: {e}", dir.display())))?;
    Ok(())
}

fn key_path(location: &Location) -> Result<PathBuf> {
    match location {
        Location::Sqlite(db) => {
            let mut name = db
                .file_name()
                .map(|n| n.to_os_string())
                .unwrap_or_else(|| "bridge.db".into());
            name.push(".key");
            Ok(db.with_file_name(name))
        }
        Location::Postgres(url) => {
            let base = std::env::var_os("XDG_CONFIG_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
                .ok_or_else(|| {
                    Error::Key(format!(
                        "set {KEY_ENV}: there is no home directory for a key file"
                    ))
                })?;
            let digest = Sha256::digest(redact(url).as_bytes());
            let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            Ok(base
                .join("personio-bridge")
                .join("keys")
                .join(format!("{name}.key")))
        }
    }
}

fn write_private(path: &Path, contents: &str) -> Result<()> {
    let fail = |e: std::io::Error| {
        Error::Key(format!("could not create key file {}: {e}", path.display()))
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(fail)?;
    file.write_all(contents.as_bytes()).map_err(fail)?;
    file.sync_all().map_err(fail)
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(path = %path.display(), "the key file is readable by other users; chmod 600 it");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_created_once_beside_the_database_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let location = Location::Sqlite(dir.path().join("bridge.db"));
        let (first, source) = load_key(&location, None).unwrap();
        let KeySource::File {
            path,
            created: true,
        } = source
        else {
            panic!("expected a new key file")
        };
        assert_eq!(path, dir.path().join("bridge.db.key"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let (second, source) = load_key(&location, None).unwrap();
        assert!(matches!(source, KeySource::File { created: false, .. }));
        assert_eq!(first.to_base64(), second.to_base64());
    }

    #[test]
    fn the_environment_wins_and_must_be_well_formed() {
        let location = Location::Sqlite("unused.db".into());
        let key = Key::generate();
        let (loaded, source) = load_key(&location, Some(&key.to_base64())).unwrap();
        assert_eq!(source, KeySource::Env);
        assert_eq!(loaded.to_base64(), key.to_base64());
        let error = load_key(&location, Some("not base64!"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("PERSONIO_BRIDGE_KEY"), "{error}");
    }
}
