//! `personio-bridge doctor`: what a company's credential may do, and how to fix what the sync
//! needs but lacks.

use bridge_sync::doctor;
use clap::Args;

use super::Ending;
use crate::context::{Context, client_for};
use crate::output::{Format, print_json};

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The company to check.
    #[arg(long)]
    pub company: String,
    /// text (default) or json.
    #[arg(long, value_enum, default_value_t)]
    pub output: Format,
}

pub async fn run(args: DoctorArgs, context: &Context) -> anyhow::Result<Ending> {
    let store = context.store().await?;
    let company = store.company(&args.company).await?;
    let client = client_for(&store, &company).await?;
    let result = doctor::diagnose(&client).await;
    // A refused credential marks the company broken, as a sync would.
    bridge_sync::health::after_doctor(&store, &company, &result).await?;
    let report = result?;
    store
        .set_granted(
            company.id,
            &serde_json::to_value(&report).unwrap_or_default(),
            chrono::Utc::now(),
        )
        .await?;
    match args.output {
        Format::Json => print_json(&report)?,
        Format::Text => {
            println!("{} ({})", company.name, company.base_url);
            super::connect::print_access(&report);
            if report.ok {
                println!("nothing the sync needs is missing");
            }
        }
    }
    Ok(if report.ok {
        Ending::Done
    } else {
        Ending::Gaps
    })
}
