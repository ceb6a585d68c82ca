//! `personio-bridge api-keys`: keys programs use for the REST API. A key is shown once, when
//! created; the store keeps only its hash.

use anyhow::bail;
use clap::{Args, Subcommand};

use bridge_store::{Grant, Scope};
use bridge_sync::link::validate_name;

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
        /// Limit the key to this company (repeatable); without it the key reaches every
        /// company. The company need not be linked yet (a `link` key may link it).
        #[arg(long = "company", value_name = "SLUG")]
        companies: Vec<String>,
        /// What the key may do (repeatable): read records, write to Personio, create link
        /// sessions, or everything (admin). Default: read.
        #[arg(long = "scope", value_enum)]
        scopes: Vec<ScopeArg>,
    },
    /// List keys (names, prefixes, when created, last used and revoked; never the keys).
    List,
    /// Revoke a key: requests with it are refused from now on.
    Revoke {
        #[arg(long)]
        name: String,
    },
}

/// `--scope`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScopeArg {
    Read,
    Write,
    Link,
    Admin,
}

impl From<ScopeArg> for Scope {
    fn from(arg: ScopeArg) -> Scope {
        match arg {
            ScopeArg::Read => Scope::Read,
            ScopeArg::Write => Scope::Write,
            ScopeArg::Link => Scope::Link,
            ScopeArg::Admin => Scope::Admin,
        }
    }
}

pub async fn run(args: ApiKeysArgs, context: &Context) -> anyhow::Result<Ending> {
    let store = context.store().await?;
    let now = chrono::Utc::now();
    match args.command {
        ApiKeysCommand::Create {
            name,
            companies,
            scopes,
        } => {
            let name = name.trim();
            if name.is_empty() || name.len() > 100 {
                bail!("--name must have 1 to 100 characters");
            }
            for company in &companies {
                validate_name(company).map_err(|e| anyhow::anyhow!("--company: {e}"))?;
                if store.find_company(company).await?.is_none() {
                    eprintln!(
                        "note: no company named {company} is linked yet; the key reaches it once it is"
                    );
                }
            }
            let mut scopes: Vec<Scope> = scopes.into_iter().map(Scope::from).collect();
            scopes.sort();
            scopes.dedup();
            let grant = Grant {
                scopes: if scopes.is_empty() {
                    Grant::default().scopes
                } else {
                    scopes
                },
                companies,
            };
            let (key, secret) = store.create_api_key(name, &grant, now).await?;
            store
                .audit_or_warn(
                    bridge_store::AuditEvent::new(
                        super::cli_actor(),
                        bridge_store::audit_action::API_KEY_CREATED,
                    )
                    .record(key.name.clone()),
                )
                .await;
            use secrecy::ExposeSecret;
            println!(
                "created API key {} ({}...) that may {} {}; it is shown only now, keep it safe:",
                key.name,
                key.prefix,
                scope_list(&key.scopes),
                reach(&key.companies)
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
                    "{:<20} {}...  {} {}  created {}  last used {used}  {state}",
                    key.name,
                    key.prefix,
                    scope_list(&key.scopes),
                    reach(&key.companies),
                    key.created_at.format("%Y-%m-%d %H:%M")
                );
            }
        }
        ApiKeysCommand::Revoke { name } => {
            if !store.revoke_api_key(&name, now).await? {
                bail!("no active API key named {name}");
            }
            store
                .audit_or_warn(
                    bridge_store::AuditEvent::new(
                        super::cli_actor(),
                        bridge_store::audit_action::API_KEY_REVOKED,
                    )
                    .record(name.clone()),
                )
                .await;
            println!("revoked API key {name}");
        }
    }
    Ok(Ending::Done)
}

fn scope_list(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join("+")
}

fn reach(companies: &[String]) -> String {
    if companies.is_empty() {
        "every company".to_owned()
    } else {
        format!("company {}", companies.join(", "))
    }
}
