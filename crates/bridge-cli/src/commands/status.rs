//! `personio-bridge status`: per company, the last syncs, record counts and checkpoints.

use clap::Args;
use serde_json::json;

use super::Ending;
use crate::context::Context;
use crate::output::{Format, print_json};

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only this company.
    #[arg(long)]
    pub company: Option<String>,
    /// text (default) or json.
    #[arg(long, value_enum, default_value_t)]
    pub output: Format,
}

pub async fn run(args: StatusArgs, context: &Context) -> anyhow::Result<Ending> {
    let store = context.store().await?;
    let companies = match &args.company {
        Some(name) => vec![store.company(name).await?],
        None => store.companies().await?,
    };
    if companies.is_empty() && args.output == Format::Text {
        println!("no company is connected yet (store: {})", store.location());
    }
    let mut all = Vec::new();
    for company in companies {
        let runs = store.runs(company.id, 5).await?;
        let counts = store.counts(company.id).await?;
        let checkpoints = store.checkpoints(company.id).await?;
        if args.output == Format::Json {
            all.push(json!({ "company": company, "runs": runs, "counts": counts, "checkpoints": checkpoints }));
            continue;
        }
        println!("{} ({})", company.name, company.base_url);
        match runs.first() {
            Some(run) => println!(
                "  last sync: {} ({}, {}), {} requests{}",
                run.started_at.format("%Y-%m-%d %H:%M:%S UTC"),
                run.outcome.as_str(),
                run.mode,
                run.requests,
                run.error
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            ),
            None => println!("  never synced"),
        }
        println!("  records (live / deleted / outside filters):");
        for count in counts
            .iter()
            .filter(|c| c.live + c.deleted + c.out_of_filter > 0)
        {
            println!(
                "    {:<22} {:>8} {:>8} {:>8}",
                count.table, count.live, count.deleted, count.out_of_filter
            );
        }
        println!("  checkpoints:");
        for checkpoint in &checkpoints {
            let next = match &checkpoint.listing {
                Some(listing) => format!(
                    "{:?} listing in progress since {}",
                    listing.kind,
                    listing.started_at.format("%Y-%m-%d %H:%M:%S")
                ),
                None => match checkpoint.watermark {
                    Some(w) => format!("next: changes since {}", w.format("%Y-%m-%d %H:%M:%S UTC")),
                    None => "next: full listing".into(),
                },
            };
            println!("    {:<22} {next}", checkpoint.resource);
        }
    }
    if args.output == Format::Json {
        print_json(&json!({ "companies": all }))?;
    }
    Ok(Ending::Done)
}
