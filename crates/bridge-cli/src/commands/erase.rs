//! `personio-bridge erase`: removes one person from the store (their employee record and
//! everything that belongs to them, their change index entries and events, the bodies of
//! finished writes that named them) and leaves a tombstone so later syncs skip them;
//! `--allow-again` removes the tombstone.

use anyhow::bail;
use clap::Args;

use super::{Ending, cli_actor};
use crate::context::Context;
use crate::output::{Format, print_json};

#[derive(Debug, Args)]
pub struct EraseArgs {
    #[arg(long, value_name = "SLUG")]
    pub company: String,
    /// The person's Personio employee id.
    #[arg(long, value_name = "ID")]
    pub employee: i64,
    /// Remove the tombstone instead: the next full reading of Personio stores the person
    /// again, if Personio still has them.
    #[arg(long)]
    pub allow_again: bool,
    /// text (default) or json.
    #[arg(long, value_enum, default_value_t)]
    pub output: Format,
}

pub async fn run(args: EraseArgs, context: &Context) -> anyhow::Result<Ending> {
    let store = context.store().await?;
    let company = store.company(&args.company).await?;
    let now = chrono::Utc::now();
    if args.allow_again {
        if !store
            .allow_employee_again(company.id, args.employee, &cli_actor(), now)
            .await?
        {
            bail!(
                "employee {} of {} was not erased; nothing to allow",
                args.employee,
                company.name
            );
        }
        if args.output == Format::Json {
            print_json(
                &serde_json::json!({ "employee_id": args.employee, "allowed_again": true }),
            )?;
        } else {
            println!(
                "employee {} of {} may be synced again: the next full sync (`sync --company {} --full`) stores them if Personio still has them",
                args.employee, company.name, company.name
            );
        }
        return Ok(Ending::Done);
    }
    let erasure = store
        .erase_employee(company.id, args.employee, &cli_actor(), now)
        .await?;
    if args.output == Format::Json {
        let tables: serde_json::Map<String, serde_json::Value> = erasure
            .removed
            .iter()
            .map(|(t, n)| (t.clone(), (*n).into()))
            .collect();
        print_json(&serde_json::json!({
            "employee_id": erasure.employee_id,
            "removed": tables,
            "total": erasure.total(),
        }))?;
    } else {
        println!(
            "erased employee {} of {}: {} rows; later syncs skip them (undo with --allow-again)",
            args.employee,
            company.name,
            erasure.total()
        );
        for (table, count) in erasure.removed.iter().filter(|(_, n)| *n > 0) {
            println!("  {table:<28} {count}");
        }
    }
    Ok(Ending::Done)
}
