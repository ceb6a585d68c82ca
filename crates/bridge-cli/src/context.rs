//! What every command shares: the validated `--db`, and opening the store and a Personio
//! client for a company.

use anyhow::Context as _;
use bridge_store::{Company, KeySource, Location, OpenOptions, Store};
use personio_client::Client;

/// Where a setting came from, for error messages.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    Flag,
    Env,
    /// The config file (`--config`).
    File,
    Default,
}

impl Source {
    pub fn describe(self, flag: &str, env: &str) -> String {
        match self {
            Source::Flag => format!("the {flag} flag"),
            Source::Env => format!("the {env} environment variable"),
            Source::File => "the config file".to_owned(),
            Source::Default => format!("the default of {flag}"),
        }
    }
}

/// Validated global settings.
#[derive(Debug, Clone)]
pub struct Context {
    pub db: Location,
    /// Whether `--db` (or its variable) was given rather than defaulted.
    pub db_given: bool,
    /// The store's connection pool size (`--db-pool`).
    pub pool: u32,
}

impl Context {
    /// Checks `--db` before any work; a bad value names the setting and where it came from.
    pub fn new(db: &str, source: Source) -> anyhow::Result<Context> {
        let db = Location::parse(db).map_err(|e| {
            anyhow::anyhow!(
                "invalid --db from {}: {e}",
                source.describe("--db", "PERSONIO_BRIDGE_DB")
            )
        })?;
        Ok(Context {
            db,
            db_given: !matches!(source, Source::Default),
            pool: OpenOptions::default().max_connections,
        })
    }

    pub fn with_pool(mut self, pool: u32) -> Context {
        self.pool = pool;
        self
    }

    /// Opens the store; a newly created key file is announced once, on stderr.
    pub async fn store(&self) -> anyhow::Result<Store> {
        let options = OpenOptions {
            max_connections: self.pool,
            ..OpenOptions::default()
        };
        let store = Store::open(&self.db, options)
            .await
            .with_context(|| format!("could not open the store {}", self.db))?;
        if let KeySource::File {
            path,
            created: true,
        } = store.key_source()
        {
            eprintln!(
                "created the encryption key file {} (mode 0600); keep it with the database: without it the stored secrets cannot be read",
                path.display()
            );
        }
        Ok(store)
    }
}

/// A Personio client with `company`'s stored credentials.
pub async fn client_for(store: &Store, company: &Company) -> anyhow::Result<Client> {
    Ok(bridge_sync::link::client_for(store, company).await?)
}
