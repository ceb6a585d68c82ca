//! `personio-bridge purge`: removes what companies keep past their retention period
//! (records deleted in Personio or outside the filters for longer than `retention_days`),
//! or with `--dry-run` shows what it would remove, per table.

use clap::Args;

use super::{Ending, cli_actor};
use crate::context::Context;
use crate::output::{Format, print_json};

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Only this company (default: every company with a retention period).
    #[arg(long, value_name = "SLUG")]
    pub company: Option<String>,
    /// Show what would be removed; remove nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// text (default) or json.
    #[arg(long, value_enum, default_value_t)]
    pub output: Format,
}

pub async fn run(args: PurgeArgs, context: &Context) -> anyhow::Result<Ending> {
    let store = context.store().await?;
    let companies = match &args.company {
        Some(name) => vec![store.company(name).await?],
        None => store.companies().await?,
    };
    let actor = cli_actor();
    let mut purges = Vec::new();
    for company in &companies {
        match store
            .purge_expired(company, &actor, args.dry_run, chrono::Utc::now())
            .await?
        {
            Some(purge) => purges.push(purge),
            None if args.company.is_some() => {
                eprintln!(
                    "{} keeps everything (no retention period; set one with `companies set {} --retention-days N`)",
                    company.name, company.name
                );
            }
            None => {}
        }
    }
    if args.output == Format::Json {
        let companies: Vec<serde_json::Value> = purges
            .iter()
            .map(|p| {
                let tables: serde_json::Map<String, serde_json::Value> = p
                    .removed
                    .iter()
                    .map(|(t, n)| (t.clone(), (*n).into()))
                    .collect();
                serde_json::json!({
                    "company": p.company,
                    "retention_days": p.retention_days,
                    "cutoff": p.cutoff,
                    "tables": tables,
                    "total": p.total(),
                })
            })
            .collect();
        print_json(&serde_json::json!({ "dry_run": args.dry_run, "companies": companies }))?;
        return Ok(Ending::Done);
    }
    let verb = if args.dry_run {
        "would remove"
    } else {
        "removed"
    };
    if purges.is_empty() {
        println!("no company has a retention period: nothing to purge");
    }
    for purge in &purges {
        println!(
            "{}: {verb} {} rows (records gone before {}, {} days ago)",
            purge.company,
            purge.total(),
            purge.cutoff,
            purge.retention_days
        );
        for (table, count) in &purge.removed {
            println!("  {table:<28} {count}");
        }
    }
    Ok(Ending::Done)
}
