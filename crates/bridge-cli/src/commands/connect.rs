//! `personio-bridge connect`: check a company's credentials against Personio, then store them
//! encrypted. Nothing is stored unless Personio accepts them.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context as _, bail};
use bridge_store::{Company, Filters, Store};
use bridge_sync::doctor::Report;
use bridge_sync::link::{self, LinkError};
use bridge_sync::personio_webhooks;
use clap::Args;
use secrecy::SecretString;

use super::Ending;
use crate::context::Context;

/// The environment variable a client secret may come from.
pub const SECRET_ENV: &str = "PERSONIO_CLIENT_SECRET";

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// A name for the company in this store (letters, digits, `-`, `_`).
    #[arg(long)]
    pub company: String,
    /// Personio's API address.
    #[arg(long, default_value = "https://api.personio.de")]
    pub base_url: String,
    /// The API credential's client id (Personio: Settings > Integrations > API credentials).
    #[arg(long)]
    pub client_id: String,
    /// Read the client secret from the first line of stdin (else PERSONIO_CLIENT_SECRET, else a prompt).
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// Read the recruiting API token from stdin (the line after the secret, if both are read).
    #[arg(long, requires = "company_id")]
    pub recruiting_token_stdin: bool,
    /// Personio company id for the recruiting API (X-Company-ID).
    #[arg(long, requires = "recruiting_token_stdin")]
    pub company_id: Option<i64>,
    /// Keep only people of these legal entities (name or id; repeatable).
    #[arg(long = "legal-entity", value_name = "NAME|ID")]
    pub legal_entities: Vec<String>,
    /// Keep only people with these statuses: active, onboarding, leave, inactive (repeatable).
    #[arg(long = "status", value_name = "STATUS")]
    pub statuses: Vec<String>,
    /// Keep only people of these offices (name or id; repeatable).
    #[arg(long = "office", value_name = "NAME|ID")]
    pub offices: Vec<String>,
    /// Keep only people of these departments (name or id; repeatable).
    #[arg(long = "department", value_name = "NAME|ID")]
    pub departments: Vec<String>,
    /// Replace the credentials and filters of a company that is already connected.
    #[arg(long)]
    pub replace: bool,
    /// The address Personio reaches the bridge's service (`serve`) at: when the credential
    /// may write webhooks, Personio is asked to notify URL/webhooks/personio/COMPANY of
    /// changes, so they sync in seconds instead of at the next scheduled run.
    #[arg(long, value_name = "URL")]
    pub webhook_url: Option<String>,
}

pub use bridge_sync::link::Link;

pub async fn run(args: ConnectArgs, context: &Context) -> anyhow::Result<Ending> {
    let webhook_url = args
        .webhook_url
        .as_deref()
        .map(|url| {
            link::parse_base_url(url).map_err(|_| {
                anyhow::anyhow!(
                    "--webhook-url {url:?} must be an http(s) address of the bridge's service"
                )
            })
        })
        .transpose()?;
    let link = read_link(args)?;
    let action = if link.replace {
        bridge_store::audit_action::COMPANY_RELINKED
    } else {
        bridge_store::audit_action::COMPANY_LINKED
    };
    let store = context.store().await?;
    let (company, report) = connect(&store, link).await?;
    store
        .audit_or_warn(
            bridge_store::AuditEvent::new(super::cli_actor(), action).company(company.name.clone()),
        )
        .await;
    println!("connected {} ({})", company.name, company.base_url);
    print_access(&report);
    if let Some(public_url) = webhook_url {
        register_webhook(&store, &company, &report, &public_url).await?;
    }
    Ok(Ending::Done)
}

/// Asks Personio to notify the service of the company's changes, when the credential may.
async fn register_webhook(
    store: &Store,
    company: &Company,
    report: &Report,
    public_url: &url::Url,
) -> anyhow::Result<()> {
    if !personio_webhooks::may_register(report) {
        println!(
            "webhooks: not registered (the credential lacks \"Webhooks: Write\"; changes arrive with the scheduled syncs)"
        );
        return Ok(());
    }
    let client = link::client_for(store, company).await?;
    let webhook = personio_webhooks::register(store, &client, company, public_url)
        .await
        .context("connected, but Personio refused the webhook registration")?;
    println!("webhooks: Personio notifies {} of changes", webhook.url);
    Ok(())
}

fn read_link(args: ConnectArgs) -> anyhow::Result<Link> {
    if link::validate_name(&args.company).is_err() {
        bail!(
            "--company {:?}: use 1 to 64 letters, digits, '-' or '_'",
            args.company
        );
    }
    let base_url = link::parse_base_url(&args.base_url).map_err(|_| {
        anyhow::anyhow!(
            "--base-url {:?} must be an http(s) address such as https://api.personio.de",
            args.base_url
        )
    })?;
    if args.client_id.trim().is_empty() {
        bail!("--client-id must not be empty");
    }
    let statuses =
        link::normalize_statuses(&args.statuses).map_err(|e| anyhow::anyhow!("--{e}"))?;
    let mut stdin_lines = std::io::stdin().lock().lines();
    let mut next_line = |what: &str| -> anyhow::Result<String> {
        let line = stdin_lines
            .next()
            .with_context(|| format!("stdin ended before the {what}"))??;
        let line = line.trim().to_owned();
        if line.is_empty() {
            bail!("the {what} read from stdin is empty");
        }
        Ok(line)
    };
    let client_secret = if args.client_secret_stdin {
        next_line("client secret")?
    } else if let Ok(secret) = std::env::var(SECRET_ENV)
        .map(|s| s.trim().to_owned())
        .and_then(|s| {
            if s.is_empty() {
                Err(std::env::VarError::NotPresent)
            } else {
                Ok(s)
            }
        })
    {
        secret
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password("client secret: ")
            .context("could not read the client secret")?
            .trim()
            .to_owned()
    } else {
        bail!(
            "no client secret: pass --client-secret-stdin, set {SECRET_ENV}, or run in a terminal to be asked"
        );
    };
    if client_secret.is_empty() {
        bail!("the client secret is empty");
    }
    let recruiting = match (args.recruiting_token_stdin, args.company_id) {
        (true, Some(id)) => Some((SecretString::from(next_line("recruiting token")?), id)),
        _ => None,
    };
    Ok(Link {
        company: args.company,
        base_url,
        client_id: args.client_id.trim().to_owned(),
        client_secret: SecretString::from(client_secret),
        recruiting,
        filters: Filters {
            legal_entities: args.legal_entities,
            statuses,
            offices: args.offices,
            departments: args.departments,
        },
        replace: args.replace,
    })
}

/// Authenticates, probes every area, and only then stores the company.
pub async fn connect(store: &Store, link: Link) -> anyhow::Result<(Company, Report)> {
    link::connect(store, link).await.map_err(|error| match &error {
        LinkError::AlreadyConnected(name) => anyhow::anyhow!(
            "a company named {name} is connected already; pass --replace to change its credentials"
        ),
        LinkError::Refused { .. } => match error.hint() {
            Some(hint) => anyhow::anyhow!("{error:#}\nhint: {hint}"),
            None => anyhow::anyhow!("{error:#}"),
        },
        _ => anyhow::Error::new(error),
    })
}

/// Prints what the credential may read and write, and what to fix.
pub fn print_access(report: &Report) {
    println!("access:");
    for area in &report.areas {
        let access = match (area.read, area.write) {
            (true, true) => "read, write",
            (true, false) => "read",
            _ => "none",
        };
        println!("  {:<14} {:<12} {}", area.area, access, area.used_for);
    }
    let unreadable: Vec<&str> = report
        .attributes
        .iter()
        .filter(|a| !a.readable)
        .map(|a| a.label)
        .collect();
    println!(
        "readable employee attributes: {} of {} the sync uses{}",
        report.attributes.len() - unreadable.len(),
        report.attributes.len(),
        if report.custom_attributes.is_empty() {
            String::new()
        } else {
            format!(", plus {} custom", report.custom_attributes.len())
        }
    );
    let gaps: Vec<&str> = report.gaps().collect();
    if !gaps.is_empty() {
        println!("to sync everything, fix in Personio:");
        for gap in gaps {
            println!("  - {gap}");
        }
    }
}
