//! `personio-bridge companies`: list, change or remove connected companies.

use anyhow::bail;
use clap::{Args, Subcommand};

use super::Ending;
use crate::context::Context;
use crate::output::{Format, print_json};

#[derive(Debug, Args)]
pub struct CompaniesArgs {
    #[command(subcommand)]
    pub action: Option<Action>,
    /// text (default) or json, for `list`.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub output: Format,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// List connected companies (the default).
    List,
    /// Remove a company with its credentials and every record synced for it.
    Remove {
        name: String,
        /// Confirm: the company's records are deleted from the store.
        #[arg(long)]
        yes: bool,
    },
    /// Change a company's settings.
    Set {
        name: String,
        /// Days to keep records deleted in Personio or outside the filters before `purge`
        /// (and the scheduler's sweep) removes them, or `keep` to keep them for good.
        #[arg(long, value_name = "N|keep", value_parser = retention_days)]
        retention_days: Option<Retention>,
    },
}

/// `--retention-days`: a number of days, or keeping everything.
#[derive(Debug, Clone, Copy)]
pub struct Retention(Option<i64>);

fn retention_days(text: &str) -> Result<Retention, String> {
    if text == "keep" {
        return Ok(Retention(None));
    }
    let range = bridge_store::RETENTION_DAYS;
    text.parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
        .map(|n| Retention(Some(n)))
        .ok_or_else(|| {
            format!(
                "expected `keep` or a whole number from {} to {}",
                range.start(),
                range.end()
            )
        })
}

pub async fn run(args: CompaniesArgs, context: &Context) -> anyhow::Result<Ending> {
    let store = context.store().await?;
    match args.action.unwrap_or(Action::List) {
        Action::List => {
            let companies = store.companies().await?;
            if args.output == Format::Json {
                print_json(&serde_json::json!({ "companies": companies }))?;
            } else if companies.is_empty() {
                println!("no company is connected yet (store: {})", store.location());
            } else {
                for company in companies {
                    println!(
                        "{:<24} {:<40} client {}",
                        company.name, company.base_url, company.client_id
                    );
                }
            }
        }
        Action::Remove { name, yes } => {
            let company = store.company(&name).await?;
            if !yes {
                let records: i64 = store
                    .counts(company.id)
                    .await?
                    .iter()
                    .map(|c| c.live + c.deleted + c.out_of_filter)
                    .sum();
                bail!(
                    "removing {name} deletes its credentials and {records} stored records; run again with --yes to confirm"
                );
            }
            // Personio stops notifying a bridge that forgot the company (best effort: the
            // credential may be revoked already).
            if let Ok(client) = bridge_sync::link::client_for(&store, &company).await
                && let Err(error) =
                    bridge_sync::personio_webhooks::unregister(&store, &client, &company).await
            {
                eprintln!(
                    "warning: could not remove the webhook registered with Personio: {error}"
                );
            }
            store.remove_company(&name).await?;
            println!("removed {name}");
        }
        Action::Set {
            name,
            retention_days,
        } => {
            let company = store.company(&name).await?;
            let mut settings = company.settings.clone();
            if let Some(Retention(days)) = retention_days {
                settings.retention_days = days;
            }
            let now = chrono::Utc::now();
            store
                .set_company_settings(company.id, &settings, now)
                .await?;
            let event = bridge_store::AuditEvent::new(
                super::cli_actor(),
                bridge_store::audit_action::SETTINGS_CHANGED,
            )
            .company(name.clone())
            .detail(serde_json::json!({ "retention_days": settings.retention_days }));
            store.audit(event, now).await?;
            match settings.retention_days {
                Some(days) => println!(
                    "{name} keeps records gone from Personio or its filters for {days} days"
                ),
                None => println!("{name} keeps records gone from Personio or its filters for good"),
            }
        }
    }
    Ok(Ending::Done)
}
