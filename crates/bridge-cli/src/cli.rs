//! The command line: global flags and one subcommand per job.

use clap::{Parser, Subcommand};

use crate::commands::{quickstart::QuickstartArgs, sandbox::SandboxArgs};

#[derive(Debug, Parser)]
#[command(
    name = "personio-bridge",
    version,
    about = "Keep your Personio HR data in your own database, and try it against a local Personio sandbox.",
    after_help = "Exit codes: 0 success, 1 failure (the message says why), 2 bad usage."
)]
pub struct Cli {
    /// Log filter for stderr, e.g. `info` or `personio_sandbox=debug` (default: warn, or RUST_LOG).
    #[arg(long, global = true, value_name = "FILTER")]
    pub log_level: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole job on embedded defaults: a local sandbox and a SQLite file.
    Quickstart(QuickstartArgs),
    /// Serve a local Personio (v1, v2 and recruiting APIs) over a generated company.
    Sandbox(SandboxArgs),
}
