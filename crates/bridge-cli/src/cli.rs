//! The command line: global flags and one subcommand per job.

use clap::{Parser, Subcommand};

use crate::commands::{
    api_keys::ApiKeysArgs, bench::BenchArgs, companies::CompaniesArgs, config::ConfigArgs,
    connect::ConnectArgs, doctor::DoctorArgs, export::ExportArgs, mcp::McpArgs,
    quickstart::QuickstartArgs, sandbox::SandboxArgs, serve::ServeArgs, status::StatusArgs,
    sync::SyncArgs, worker::WorkerArgs, write::WriteArgs,
};
use crate::commands::{
    bench_fleet::BenchFleetArgs, erase::EraseArgs, keys::KeysArgs, purge::PurgeArgs,
};

#[derive(Debug, Parser)]
#[command(
    name = "personio-bridge",
    version,
    about = "Keep your Personio HR data in your own database, and try it against a local Personio sandbox.",
    after_help = "Exit codes: 0 success; 1 failure (the message says why); 2 bad usage; \
                  3 `doctor` found something missing; 4 `sync` finished partly (see the summary)."
)]
pub struct Cli {
    /// A TOML file with settings of serve, worker and these global flags (see `config
    /// check`); environment variables and flags override it.
    #[arg(
        long,
        global = true,
        env = "PERSONIO_BRIDGE_CONFIG",
        value_name = "FILE"
    )]
    pub config: Option<std::path::PathBuf>,

    /// The store: a SQLite file path or sqlite://PATH (default ./bridge.db), or postgres://...
    #[arg(
        long,
        global = true,
        env = "PERSONIO_BRIDGE_DB",
        default_value = "bridge.db",
        value_name = "URL"
    )]
    pub db: String,

    /// Connections the store may open at once (PostgreSQL; SQLite always uses a few).
    #[arg(
        long,
        global = true,
        env = "PERSONIO_BRIDGE_DB_POOL",
        default_value_t = 5,
        value_parser = clap::value_parser!(u32).range(1..=1000),
        value_name = "N"
    )]
    pub db_pool: u32,

    /// Log filter for stderr, e.g. `info` or `bridge_sync=debug` (default: warn, or RUST_LOG).
    #[arg(
        long,
        global = true,
        env = "PERSONIO_BRIDGE_LOG_LEVEL",
        value_name = "FILTER"
    )]
    pub log_level: Option<String>,

    /// How logs are written to stderr: `text` for people, `json` for one JSON object a line
    /// (with the company, run id and request id where there is one).
    #[arg(
        long,
        global = true,
        env = "PERSONIO_BRIDGE_LOG_FORMAT",
        default_value = "text",
        value_parser = ["text", "json"],
        value_name = "FORMAT"
    )]
    pub log_format: String,

    /// Send traces over OTLP/HTTP to this collector (e.g. http://127.0.0.1:4318; builds with
    /// the `otlp` feature only).
    #[arg(
        long,
        global = true,
        env = "PERSONIO_BRIDGE_OTLP_ENDPOINT",
        value_name = "URL"
    )]
    pub otlp_endpoint: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole job on embedded defaults: a local sandbox, a demo company, a full sync into SQLite.
    Quickstart(QuickstartArgs),
    /// Serve a local Personio (v1, v2 and recruiting APIs) over a generated company.
    Sandbox(SandboxArgs),
    /// Check a company's Personio credentials and store them (encrypted) for syncing.
    Connect(ConnectArgs),
    /// Show what a company's credential may read, and how to fix what is missing.
    Doctor(DoctorArgs),
    /// Sync companies from Personio into the store.
    Sync(SyncArgs),
    /// Show each company's last syncs, record counts and checkpoints.
    Status(StatusArgs),
    /// Write a company's records as CSV or JSON Lines.
    Export(ExportArgs),
    /// List or remove connected companies.
    Companies(CompaniesArgs),
    /// Measure a full and two incremental syncs against a local sandbox process.
    Bench(BenchArgs),
    /// Measure a fleet of companies on one store: first full syncs, a round of incremental
    /// syncs, staleness, memory and the database, through worker processes.
    BenchFleet(BenchFleetArgs),
    /// Run the service: pages to link companies, the REST API, until stopped.
    Serve(ServeArgs),
    /// Create, list or revoke API keys for the REST API.
    ApiKeys(ApiKeysArgs),
    /// Sync companies on their schedule; run several to share the work (PostgreSQL).
    Worker(WorkerArgs),
    /// Write records to Personio from a JSON Lines file, each line exactly once (rerun to
    /// finish after a crash or Ctrl-C).
    Write(WriteArgs),
    /// Remove what companies keep past their retention period (`--dry-run`: show it).
    Purge(PurgeArgs),
    /// Remove one person from the store and keep later syncs from bringing them back.
    Erase(EraseArgs),
    /// Rotate the key that seals the stored secrets.
    Keys(KeysArgs),
    /// Check a config file for unknown keys, bad values and inline secrets.
    Config(ConfigArgs),
    /// Serve a company's data as tools for AI agents over MCP on stdin and stdout.
    Mcp(McpArgs),
}
