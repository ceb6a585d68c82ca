//! One module per subcommand; each owns its arguments and a `run`.

pub mod api_keys;
pub mod bench;
pub mod bench_fleet;
pub mod companies;
pub mod config;
pub mod connect;
pub mod doctor;
pub mod erase;
pub mod export;
pub mod keys;
pub mod mcp;
pub mod purge;
pub mod quickstart;
pub mod sandbox;
pub mod serve;
pub mod status;
pub mod sync;
pub mod worker;
pub mod write;

use crate::cli::Command;
use crate::context::Context;

/// How a command ended, when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Done,
    /// `doctor` found gaps.
    Gaps,
    /// `sync` finished partly; `write` left some lines unwritten.
    Partial,
}

impl Ending {
    pub fn code(self) -> u8 {
        match self {
            Ending::Done => 0,
            Ending::Gaps => 3,
            Ending::Partial => 4,
        }
    }
}

pub async fn run(command: Command, context: Context) -> anyhow::Result<Ending> {
    match command {
        Command::Bench(args) => bench::run(args, &context).await,
        Command::BenchFleet(args) => bench_fleet::run(args, &context).await,
        Command::Quickstart(args) => quickstart::run(args, &context).await,
        Command::Sandbox(args) => sandbox::run(args).await.map(|()| Ending::Done),
        Command::Connect(args) => connect::run(args, &context).await,
        Command::Doctor(args) => doctor::run(args, &context).await,
        Command::Sync(args) => sync::run(args, &context).await,
        Command::Status(args) => status::run(args, &context).await,
        Command::Export(args) => export::run(args, &context).await,
        Command::Companies(args) => companies::run(args, &context).await,
        Command::Serve(args) => serve::run(args, &context).await,
        Command::ApiKeys(args) => api_keys::run(args, &context).await,
        Command::Worker(args) => worker::run(args, &context).await,
        Command::Write(args) => write::run(args, &context).await,
        Command::Purge(args) => purge::run(args, &context).await,
        Command::Erase(args) => erase::run(args, &context).await,
        Command::Keys(args) => keys::run(args, &context).await,
        Command::Config(args) => config::run(args),
        Command::Mcp(args) => mcp::run(args, &context).await,
    }
}

/// Who runs a command, for the audit log: `cli:` and the system user, when known.
pub fn cli_actor() -> String {
    let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME"));
    format!("cli:{}", user.as_deref().unwrap_or("unknown"))
}
