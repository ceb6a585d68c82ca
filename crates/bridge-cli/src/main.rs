//! `personio-bridge`: keeps a company's Personio data in your own database, and serves a
//! local Personio sandbox to try it against.
//!
//! Exit codes: 0 success, 1 failure (the message says why), 2 bad usage, 3 `doctor` found
//! gaps, 4 `sync` finished partly.

// A binary has no public API: `pub` here only means "used by a sibling module".
#![allow(unreachable_pub)]

mod cli;
mod commands;
mod config;
mod context;
mod logging;
mod output;
mod progress;
mod signals;

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    limit_malloc_arenas();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let file = match config::requested(&args) {
        Some(path) if !is_config_check(&args) => match config::ConfigFile::load(&path) {
            Ok(file) => Some(file),
            Err(err) => {
                eprintln!("error: the config file {}: {err}", path.display());
                return ExitCode::from(2);
            }
        },
        _ => None,
    };
    let mut command = cli::Cli::command();
    if let Some(file) = &file {
        command = config::apply(command, file);
    }
    let matches = command.get_matches_from(&args);
    let db_source = match (matches.value_source("db"), &file) {
        (Some(ValueSource::CommandLine), _) => context::Source::Flag,
        (Some(ValueSource::EnvVariable), _) => context::Source::Env,
        (_, Some(file)) if file.get("", "db").is_some() => context::Source::File,
        _ => context::Source::Default,
    };
    let cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
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
    let telemetry = match logging::init(
        cli.log_level.as_deref(),
        &cli.log_format,
        cli.otlp_endpoint.as_deref(),
        runtime.handle(),
    ) {
        Ok(telemetry) => telemetry,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(2);
        }
    };
    let context = match context::Context::new(&cli.db, db_source) {
        Ok(context) => context.with_pool(cli.db_pool),
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(commands::run(cli.command, context));
    telemetry.finish();
    match result {
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

/// `config check` reads the file it is given, whatever `--config` names.
fn is_config_check(args: &[std::ffi::OsString]) -> bool {
    args.windows(2)
        .any(|pair| pair[0] == "config" && pair[1] == "check")
}

/// Caps glibc's malloc at two arenas. By default each thread that allocates may get an
/// arena of its own (up to eight per core), and memory freed in one arena stays resident
/// for that arena: a sync of 100,000 employees peaked at 106 MB with the default and 80 MB
/// with two arenas (`bench --employees 100000 --history-days 2`). Called first thing, before
/// any other thread exists.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn limit_malloc_arenas() {
    // SAFETY: `mallopt` only sets a tuning parameter of the allocator; no thread allocates
    // concurrently yet, and a value it refuses is ignored (it then returns 0).
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
