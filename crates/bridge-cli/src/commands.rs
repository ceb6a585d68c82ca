//! One module per subcommand; each owns its arguments and a `run`.

pub mod quickstart;
pub mod sandbox;

use crate::cli::Command;

pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Quickstart(args) => quickstart::run(args).await,
        Command::Sandbox(args) => sandbox::run(args).await,
    }
}
