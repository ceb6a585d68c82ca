//! `personio-bridge`: keeps a company's Personio data in your own database, and serves a
//! local Personio sandbox to try it against.
//!
//! Exit codes: 0 success, 1 failure (the message says why), 2 bad usage, 3 `doctor` found
//! gaps, 4 `sync` finished partly.

// A binary has no public API: `pub` here only means "used by a sibling module".
#![allow(unreachable_pub)]

mod cli;
mod commands;
mod context;
mod output;
mod progress;
mod signals;

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    let matches = cli::Cli::command().get_matches();
    let db_source = match matches.value_source("db") {
        Some(ValueSource::CommandLine) => context::Source::Flag,
        Some(ValueSource::EnvVariable) => context::Source::Env,
        _ => context::Source::Default,
    };
    let cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    init_tracing(cli.log_level.as_deref());
    let context = match context::Context::new(&cli.db, db_source) {
        Ok(context) => context.with_pool(cli.db_pool),
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: could not start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli.command, context)) {
        Ok(ending) => ExitCode::from(ending.code()),
        Err(err) => {
            if output::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            tracing::debug!(error = ?err, "failed");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr; `--log-level` or `RUST_LOG` choose how much (default: warnings, without
/// the database driver's notes on slow statements, which big syncs make by design).
fn init_tracing(level: Option<&str>) {
    use tracing_subscriber::EnvFilter;
    let filter = match level {
        Some(level) => EnvFilter::new(level),
        None => EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| EnvFilter::new("warn,sqlx::query=error")),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
