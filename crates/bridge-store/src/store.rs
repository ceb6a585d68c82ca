//! Opening the store: connect, refuse files that are not ours, run the dialect's migrations,
//! load the encryption key.

use std::sync::{Arc, Once};
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Connection, Executor, Row};
use tokio::sync::watch;

use crate::access::ApiKey;
use crate::companies::CompanyId;
use crate::error::{Error, Result};
use crate::keys::{KEY_ENV, KeySource, load_key};
use crate::location::Location;
use crate::recent::Recent;
use crate::secrets::Key;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a writer waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// SQLite page cache per connection, in KiB (SQLite's default is 2 MiB): the writer walks
/// every index of the tables it fills, the readers mostly single pages.
const SQLITE_WRITER_CACHE: u32 = 16 * 1024;
const SQLITE_READER_CACHE: u32 = 2 * 1024;

/// WAL pages (4 KiB each) after which a commit copies the log into the database. Each of those
/// checkpoints ends in an fsync, and at SQLite's default of 1,000 pages a bulk sync spent most
/// of its time waiting on them; 16,384 pages bounds the log at 64 MiB.
const WAL_CHECKPOINT_PAGES: u32 = 16_384;

/// Settings for opening a store.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Connections in the pool (PostgreSQL; SQLite uses a few for readers).
    pub max_connections: u32,
    /// The key as `PERSONIO_BRIDGE_KEY` would give it; `None` reads the environment.
    pub key: Option<String>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            max_connections: 5,
            key: None,
        }
    }
}

/// The database: companies, their credentials, synced records, runs and checkpoints.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    /// Where write transactions run: on SQLite one connection of its own, on PostgreSQL the
    /// pool itself.
    writer: AnyPool,
    pub(crate) location: Location,
    pub(crate) key: Key,
    key_source: KeySource,
    pub(crate) wake: Wake,
    /// API keys found live a moment ago, by their digest.
    pub(crate) live_keys: Recent<ApiKey>,
    /// Company ids by name, as found a moment ago.
    pub(crate) company_ids: Recent<CompanyId>,
}

/// Tells in-process delivery loops that events were written.
#[derive(Debug, Clone)]
pub(crate) struct Wake(Arc<watch::Sender<u64>>);

impl Default for Wake {
    fn default() -> Self {
        Wake(Arc::new(watch::channel(0).0))
    }
}

impl Wake {
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }

    pub(crate) fn ring(&self) {
        self.0.send_modify(|n| *n = n.wrapping_add(1));
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating a SQLite file if needed) and migrates the store at `location`.
    pub async fn open(location: &Location, options: OpenOptions) -> Result<Store> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(install_default_drivers);
        let shown = location.to_string();
        let sqlite = location.sqlite_path().is_some();
        if let Some(path) = location.sqlite_path()
            && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            return Err(Error::Open {
                location: shown,
                source: sqlx::Error::Configuration(
                    format!("directory {} does not exist", dir.display()).into(),
                ),
            });
        }
        if let Some(path) = location.sqlite_path() {
            check_sqlite_header(path)?;
        }
        // One direct connection first: a pool would retry a hopeless connection until it times out.
        let probe = sqlx::AnyConnection::connect(&location.url())
            .await
            .map_err(|e| {
                Error::from_sqlx(
                    &shown,
                    location.sqlite_path().map(|p| p.to_path_buf()).as_ref(),
                    e,
                )
            })?;
        probe.close().await.ok();
        let connect_error = |e| {
            Error::from_sqlx(
                &shown,
                location.sqlite_path().map(|p| p.to_path_buf()).as_ref(),
                e,
            )
        };
        let pool = connect_pool(
            location,
            if sqlite {
                4
            } else {
                options.max_connections.max(1)
            },
            SQLITE_READER_CACHE,
        )
        .await
        .map_err(connect_error)?;
        // SQLite has one writer at a time anyway; giving it a connection of its own keeps that
        // connection's page cache warm (a pool hands connections out in turn, and a
        // connection whose cache another connection's commit made stale rereads its pages).
        let writer = if sqlite {
            connect_pool(location, 1, SQLITE_WRITER_CACHE)
                .await
                .map_err(connect_error)?
        } else {
            pool.clone()
        };
        refuse_foreign(&pool, location).await?;
        let migrator = if sqlite {
            &SQLITE_MIGRATIONS
        } else {
            &POSTGRES_MIGRATIONS
        };
        migrate(&pool, migrator, sqlite)
            .await
            .map_err(|source| match source {
                sqlx::migrate::MigrateError::Execute(e) => Error::from_sqlx(
                    &shown,
                    location.sqlite_path().map(|p| p.to_path_buf()).as_ref(),
                    e,
                ),
                source => Error::Migrate {
                    location: shown.clone(),
                    source,
                },
            })?;
        let env = std::env::var(KEY_ENV).ok();
        let (key, key_source) = load_key(location, options.key.as_deref().or(env.as_deref()))?;
        let key = crate::rotation::settle(&pool, key, &key_source).await?;
        Ok(Store {
            pool,
            writer,
            location: location.clone(),
            key,
            key_source,
            wake: Default::default(),
            live_keys: Recent::default(),
            company_ids: Recent::default(),
        })
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Where the encryption key came from (a newly created key file should be shown once).
    pub fn key_source(&self) -> &KeySource {
        &self.key_source
    }

    /// A transaction that will write. On SQLite it takes the write lock up front (`BEGIN
    /// IMMEDIATE`): a deferred transaction that read first could not upgrade after another
    /// writer committed (SQLITE_BUSY_SNAPSHOT), whereas waiting for the lock is handled by
    /// the busy timeout.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        let begun = match self.location {
            Location::Sqlite(_) => self.writer.begin_with("BEGIN IMMEDIATE").await,
            Location::Postgres(_) => self.writer.begin().await,
        };
        // Another process holding the write lock past the busy timeout is worth its own
        // message; anything else stays a database error.
        begun.map_err(
            |e| match Error::from_sqlx(&self.location.to_string(), None, e) {
                Error::Open { source, .. } => Error::Database(source),
                other => other,
            },
        )
    }

    /// Closes the pools, waiting for connections to finish.
    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

/// A pool of up to `max` connections; on SQLite each one in WAL mode with the busy timeout
/// and `cache_kib` of page cache.
async fn connect_pool(
    location: &Location,
    max: u32,
    cache_kib: u32,
) -> std::result::Result<AnyPool, sqlx::Error> {
    let sqlite = location.sqlite_path().is_some();
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(BUSY_TIMEOUT + Duration::from_secs(5))
        // Waiting for the one writer while another commits a large batch is normal; waiting
        // longer than a locked database would be is worth a warning.
        .acquire_slow_threshold(BUSY_TIMEOUT)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    for pragma in [
                        "PRAGMA journal_mode = WAL".to_owned(),
                        "PRAGMA synchronous = NORMAL".to_owned(),
                        "PRAGMA foreign_keys = ON".to_owned(),
                        "PRAGMA busy_timeout = 10000".to_owned(),
                        format!("PRAGMA cache_size = -{cache_kib}"),
                        format!("PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}"),
                    ] {
                        conn.execute(sqlx::AssertSqlSafe(pragma)).await?;
                    }
                }
                Ok(())
            })
        })
        .connect(&location.url())
        .await
}

/// Runs the migrations so that processes opening a new store at once migrate it once.
/// PostgreSQL: sqlx's migrator holds an advisory lock (keyed on the database) throughout.
/// SQLite: sqlx takes no lock, so the whole run happens inside one `BEGIN IMMEDIATE`
/// transaction (each migration becomes a savepoint); a second process waits for the write
/// lock and then finds everything applied.
async fn migrate(
    pool: &AnyPool,
    migrator: &Migrator,
    sqlite: bool,
) -> std::result::Result<(), sqlx::migrate::MigrateError> {
    if !sqlite {
        return migrator.run(pool).await;
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    // `run` on a borrowed connection trips the compiler's higher-ranked `Send` check;
    // `run_direct` is what it calls.
    migrator.run_direct(None, &mut *tx, false).await?;
    tx.commit().await?;
    Ok(())
}

/// A SQLite file starts with "SQLite format 3\0"; anything else (non-empty) is not ours to open.
fn check_sqlite_header(path: &std::path::Path) -> Result<()> {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return Ok(());
    };
    let mut header = [0u8; 16];
    match file.read(&mut header) {
        Ok(0) => Ok(()),
        Ok(n) if n == header.len() && &header == b"SQLite format 3\0" => Ok(()),
        _ => Err(Error::NotADatabase {
            path: path.to_path_buf(),
        }),
    }
}

/// A database with tables but without our migration history belongs to someone else.
async fn refuse_foreign(pool: &AnyPool, location: &Location) -> Result<()> {
    let shown = location.to_string();
    let path = location.sqlite_path().map(|p| p.to_path_buf());
    let sql = match location {
        Location::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        Location::Postgres(_) => {
            // information_schema names are of type `name`, which the Any driver cannot read.
            "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables WHERE table_schema = current_schema()"
        }
    };
    let rows = sqlx::query(sql)
        .fetch_all(pool)
        .await
        .map_err(|e| Error::from_sqlx(&shown, path.as_ref(), e))?;
    let names: Vec<String> = rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>("name").ok())
        .collect();
    if !names.is_empty() && !names.iter().any(|n| n == "_sqlx_migrations") {
        return Err(Error::ForeignDatabase { location: shown });
    }
    Ok(())
}
