//! `personio-bridge config check FILE`: says what is wrong with a config file (unknown keys,
//! bad values, inline secrets), every problem at once; exits 0 when nothing is.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::Ending;
use crate::config::{ConfigFile, LoadError};

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub command: ConfigCommand,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check a config file: every unknown key, bad value and inline secret, each on a line.
    Check {
        /// The TOML file, as `--config` takes it.
        file: PathBuf,
    },
}

pub fn run(args: ConfigArgs) -> anyhow::Result<Ending> {
    let ConfigCommand::Check { file } = args.command;
    match ConfigFile::load(&file) {
        Ok(config) => {
            println!(
                "{}: fine ({} settings)",
                file.display(),
                config.settings().count()
            );
            Ok(Ending::Done)
        }
        Err(LoadError::Unreadable(why)) => anyhow::bail!("{why}"),
        Err(LoadError::Invalid(problems)) => {
            for problem in &problems {
                println!("{}: {problem}", file.display());
            }
            anyhow::bail!(
                "{} has {} problem{}",
                file.display(),
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            )
        }
    }
}
