//! `personio-bridge api-keys`: keys programs use for the REST API. A key is shown once, when
//! created; the store keeps only its hash.

use anyhow::bail;
use clap::{Args, Subcommand};

use super::Ending;
use crate::context::Context;

#[derive(Debug, Args)]
pub struct ApiKeysArgs {
    #[command(subcommand)]
    pub command: ApiKeysCommand,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeysCommand {
    /// Create a key; it is printed once, on the last line.
    Create {
        /// A name to tell the key apart (unique).
        #[arg(long)]
        name: String,
    },
    /// List keys (names, prefixes, when created, last used and revoked; never the keys).
    List,
    /// Revoke a key: requests with it are refused from now on.
    Revoke {
        #[arg(long)]
        name: String,
    },
}

pub async fn run(args: ApiKeysArgs, context: &Context) -> anyhow::Result<Ending> {
    let store = context.store().await?;
    let now = chrono::Utc::now();
    match args.command {
        ApiKeysCommand::Create { name } => {
            let name = name.trim();
            if name.is_empty() || name.len() > 100 {
                bail!("--name must have 1 to 100 characters");
            }
            let (key, secret) = store.create_api_key(name, now).await?;
            use secrecy::ExposeSecret;
            println!(
                "created API key {} ({}...); it is shown only now, keep it safe:",
                key.name, key.prefix
            );
            println!("{}", secret.expose_secret());
        }
        ApiKeysCommand::List => {
            let keys = store.api_keys().await?;
            if keys.is_empty() {
                println!(
                    "no API keys; create one with `personio-bridge api-keys create --name NAME`"
                );
            }
            for key in keys {
                let state = match key.revoked_at {
                    Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                    None => "active".to_owned(),
                };
                let used = key
                    .last_used_at
                    .map(|at| at.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_else(|| "never".to_owned());
                println!(
                    "{:<20} {}...  created {}  last used {used}  {state}",
                    key.name,
                    key.prefix,
                    key.created_at.format("%Y-%m-%d %H:%M")
                );
            }
        }
        ApiKeysCommand::Revoke { name } => {
            if !store.revoke_api_key(&name, now).await? {
                bail!("no active API key named {name}");
            }
            println!("revoked API key {name}");
        }
    }
    Ok(Ending::Done)
}
