//! `personio-bridge mcp --company C`: the MCP server on stdin and stdout, for a desktop agent
//! or an editor that starts it. It answers from the store (opened as every command opens it)
//! and writes through the journal with the company's stored credential. Logs go to stderr;
//! stdout carries only the protocol.

use bridge_mcp::Caller;
use bridge_store::Scope;
use clap::{Args, ValueEnum};

use super::Ending;
use crate::context::Context;

#[derive(Debug, Args)]
pub struct McpArgs {
    /// The company the tools answer for.
    #[arg(long)]
    pub company: String,
    /// What the tools may do: read (the directory, absences, attendance, projects), write
    /// (book absences and attendance in Personio), admin (also compensations and custom
    /// attributes). Repeat for several; default: read and write.
    #[arg(long = "scope", value_enum, default_values_t = [McpScope::Read, McpScope::Write])]
    pub scopes: Vec<McpScope>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum McpScope {
    Read,
    Write,
    Admin,
}

impl McpScope {
    fn scope(self) -> Scope {
        match self {
            McpScope::Read => Scope::Read,
            McpScope::Write => Scope::Write,
            McpScope::Admin => Scope::Admin,
        }
    }
}

pub async fn run(args: McpArgs, context: &Context) -> anyhow::Result<Ending> {
    let store = context.store().await?;
    // A company that does not exist is said at once, not at the first tool call.
    let company = store.company(&args.company).await?;
    let scopes = args.scopes.iter().map(|s| s.scope()).collect();
    bridge_mcp::serve_stdio(store, Caller::local(&company.name, scopes)).await?;
    Ok(Ending::Done)
}
