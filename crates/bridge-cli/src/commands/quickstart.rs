//! `personio-bridge quickstart`: the whole job on embedded defaults. Starts a sandbox on a
//! free local port, creates a credential in it the way a Personio admin would, connects the
//! company `demo`, syncs it into the store, and says what to try next. Safe to run again: the
//! company is reconnected to the new sandbox and synced incrementally.

use anyhow::Context as _;
use bridge_store::{Filters, Outcome};
use bridge_sync::SyncOptions;
use clap::Args;
use personio_sandbox::credentials::{AccessMap, CredentialSpec, ReadableAttributes};
use personio_sandbox::{RateLimits, Sandbox};
use secrecy::SecretString;
use tokio::net::TcpListener;

use super::Ending;
use super::connect::{Link, connect};
use crate::context::Context;
use crate::output::Format;

#[derive(Debug, Args)]
pub struct QuickstartArgs {
    /// Size of the demo company.
    #[arg(long, default_value_t = 200)]
    pub employees: usize,
    /// Seed of the demo company.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Name of the company in the store.
    #[arg(long, default_value = "demo")]
    pub company: String,
}

pub async fn run(args: QuickstartArgs, context: &Context) -> anyhow::Result<Ending> {
    let sandbox = Sandbox::builder()
        .seed(args.seed)
        .employees(args.employees)
        // A demo should not wait on Personio's rate limits; `bench --rate-limits personio`
        // shows how the bridge paces itself under them.
        .rate_limits(RateLimits::Off)
        .build()
        .context("could not build the sandbox")?;
    let (client_id, client_secret) = sandbox
        .create_credential(CredentialSpec {
            name: "Personio Bridge".into(),
            access: AccessMap::everything(),
            readable_attributes: ReadableAttributes::All,
            client_id: None,
            client_secret: None,
        })
        .map_err(anyhow::Error::msg)?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .context("could not listen on 127.0.0.1")?;
    let address = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sandbox.serve(listener, async move {
        let _ = stopped.await;
    }));
    println!(
        "sandbox: a generated company of {} people at http://{address}",
        args.employees
    );

    let result = async {
        let store = context.store().await?;
        let link = Link {
            company: args.company.clone(),
            base_url: url::Url::parse(&format!("http://{address}"))?,
            client_id,
            client_secret: SecretString::from(client_secret),
            recruiting: None,
            filters: Filters::default(),
            replace: true,
        };
        let (company, _) = connect(&store, link).await?;
        println!("connected company {} (credentials stored encrypted in {})", company.name, store.location());
        let summary = super::sync::sync_company(&store, company, &SyncOptions::default(), Format::Text).await?;
        super::sync::print_summary(&summary);
        println!();
        println!("try next:");
        println!("  personio-bridge status");
        println!("  personio-bridge export --company {} --resource employees --format csv | head", args.company);
        println!("  personio-bridge sandbox --port 8900          # a sandbox to connect your own tools to");
        anyhow::Ok(if summary.outcome == Outcome::Succeeded { Ending::Done } else { Ending::Partial })
    }
    .await;
    let _ = stop.send(());
    let _ = server.await;
    result
}
