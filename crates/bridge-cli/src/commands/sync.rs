//! `personio-bridge sync`: sync one company or all of them.

use anyhow::bail;
use bridge_store::{Company, Outcome};
use bridge_sync::{ApiChoice, ResourceName, Summary, SyncEngine, SyncOptions};
use clap::{Args, ValueEnum};

use super::Ending;
use crate::context::{Context, client_for};
use crate::output::{Format, print_json};
use crate::progress;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Only this company (default: every connected company).
    #[arg(long)]
    pub company: Option<String>,
    /// Read everything again instead of only what changed (finds deletions too).
    #[arg(long)]
    pub full: bool,
    /// Check every id for deletions now, not only when due.
    #[arg(long)]
    pub reconcile: bool,
    /// Only these resources, comma-separated (e.g. employees,org_units). Without it: org_units,
    /// legal_entities, workplaces, cost_centers, absence_types, employees, absences,
    /// attendances. Opt-in (one list per project, month, report or employee): projects,
    /// compensations, custom_reports, balances, documents, recruiting.
    #[arg(long, value_delimiter = ',')]
    pub resources: Vec<String>,
    /// Months of compensations a full sync reads, the current one included (incremental
    /// syncs read the current and the previous month).
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=120))]
    pub compensation_months: u32,
    /// Which Personio API to read where both can serve a resource: auto reads employees
    /// through v1, absences and absence types through v2 (the cheaper ones); v2 reads
    /// employees as persons with one employment request per person; v1 reads absences as
    /// time-offs. Resources only one API serves are read through it. Default: the
    /// company's `api` setting (auto unless changed).
    #[arg(long, value_enum)]
    pub api: Option<Api>,
    /// text (default; progress on stderr, summary on stdout) or json (one object per company on stdout).
    #[arg(long, value_enum, default_value_t)]
    pub output: Format,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Api {
    Auto,
    V1,
    V2,
}

impl From<Api> for ApiChoice {
    fn from(api: Api) -> ApiChoice {
        match api {
            Api::Auto => ApiChoice::Auto,
            Api::V1 => ApiChoice::V1,
            Api::V2 => ApiChoice::V2,
        }
    }
}

pub async fn run(args: SyncArgs, context: &Context) -> anyhow::Result<Ending> {
    let resources = args
        .resources
        .iter()
        .map(|r| r.parse::<ResourceName>())
        .collect::<Result<Vec<_>, _>>()?;
    let options = SyncOptions {
        resources,
        full: args.full,
        reconcile: args.reconcile,
        api: args.api.map(ApiChoice::from).unwrap_or_default(),
        compensation_months: args.compensation_months,
        ..SyncOptions::default()
    };
    let store = context.store().await?;
    let companies = match &args.company {
        Some(name) => vec![store.company(name).await?],
        None => store.companies().await?,
    };
    if companies.is_empty() {
        bail!(
            "no company is connected yet: run `personio-bridge connect` (or `personio-bridge quickstart`)"
        );
    }
    let mut ending = Ending::Done;
    let mut failures = Vec::new();
    for company in companies {
        // The company's settings, where the flags leave a choice open.
        let mut options = options.clone();
        if args.resources.is_empty() && !company.settings.resources.is_empty() {
            options.resources = bridge_sync::health::configured_resources(&company);
        }
        if args.api.is_none() {
            options.api = bridge_sync::scheduler::api_setting(&company.settings.api);
        }
        match sync_company(&store, company.clone(), &options, args.output).await {
            Ok(summary) => {
                if summary.outcome != Outcome::Succeeded {
                    ending = Ending::Partial;
                }
                match args.output {
                    Format::Json => print_json(&summary)?,
                    Format::Text => print_summary(&summary),
                }
            }
            Err(error) => failures.push(format!("{}: {error:#}", company.name)),
        }
    }
    if !failures.is_empty() {
        bail!("sync failed for {}", failures.join("; "));
    }
    Ok(ending)
}

/// Syncs one company, drawing progress on stderr.
pub async fn sync_company(
    store: &bridge_store::Store,
    company: Company,
    options: &SyncOptions,
    output: Format,
) -> anyhow::Result<Summary> {
    let client = client_for(store, &company).await?;
    let engine = SyncEngine::new(store.clone(), client, company);
    let (sender, drawer) = progress::start();
    let engine = if output == Format::Text {
        engine.with_progress(sender)
    } else {
        drop(sender);
        engine
    };
    let result = engine.run(options).await;
    drop(engine);
    let _ = drawer.await;
    Ok(result?)
}

pub fn print_summary(summary: &Summary) {
    let extra = match (summary.retries, summary.rate_limited) {
        (0, 0) => String::new(),
        (retries, limited) => format!(" ({retries} retried, {limited} rate-limited)"),
    };
    println!(
        "{}: {} in {:.1} s, {} requests to Personio{extra}",
        summary.company, summary.outcome, summary.seconds, summary.requests
    );
    for (name, resource) in &summary.resources {
        if let Some(reason) = &resource.skipped {
            println!("  {name:<18} skipped: {reason}");
        } else if let Some(error) = &resource.error {
            println!("  {name:<18} failed: {error}");
        } else {
            println!(
                "  {name:<18} {:>7} read {:>7} new {:>7} changed {:>6} deleted  ({})",
                resource.fetched,
                resource.created,
                resource.updated,
                resource.deleted,
                resource.mode
            );
        }
    }
}
