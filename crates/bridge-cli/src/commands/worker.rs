//! `personio-bridge worker`: sync companies on their schedule, sharing the work with every
//! other worker on the same store (see `bridge_sync::scheduler`). Stops cleanly on
//! SIGINT/SIGTERM: the page being written is abandoned and the job handed back. Each worker
//! also sends change webhooks (see `bridge_server::webhooks_out`), and with `--listen` serves
//! `/healthz` and `/metrics` (its syncs, their durations, Personio API latency).

use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use bridge_server::metrics::{Metrics, serve_probes};
use bridge_server::webhooks_out::{Deliverer, DeliveryConfig};
use bridge_sync::scheduler::{Scheduler, SchedulerConfig};
use clap::Args;
use tokio::net::TcpListener;

use super::Ending;
use crate::context::Context;
use crate::signals;

#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// This worker's name in the job table (default: host name and process id).
    #[arg(long)]
    pub name: Option<String>,
    /// How long a claimed company stays this worker's without renewal; a dead worker's
    /// companies are taken over after this.
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    pub lease: Duration,
    /// How often an idle worker looks for due syncs.
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    pub poll: Duration,
    /// Between syncs of a company that has no interval of its own.
    #[arg(long, default_value = "60m", value_parser = humantime::parse_duration)]
    pub interval: Duration,
    /// Serve /healthz and /metrics on this address (HOST:PORT; port 0 picks a free one,
    /// announced on stdout as `worker listening on http://HOST:PORT`).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Let change webhooks go to loopback, private, link-local and cloud metadata
    /// addresses (refused at delivery by default).
    #[arg(long)]
    pub allow_private_webhooks: bool,
    /// Workers in this process, each syncing one company at a time (named NAME-2, NAME-3,
    /// ... after the first). Each holds a database connection while it syncs.
    #[arg(long, default_value_t = 1, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=64))]
    pub workers: u32,
}

pub async fn run(args: WorkerArgs, context: &Context) -> anyhow::Result<Ending> {
    if args.lease < Duration::from_secs(1) {
        anyhow::bail!("--lease must be at least 1s");
    }
    let name = args.name.unwrap_or_else(|| {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into());
        format!("{host}-{}", std::process::id())
    });
    let store = context.store().await?;
    let mut config = SchedulerConfig::new(name.clone());
    config.lease = args.lease;
    config.poll = args.poll.max(Duration::from_millis(10));
    config.default_interval = args.interval;
    let metrics = Arc::new(Metrics::new());
    let probes = match &args.listen {
        Some(listen) => {
            let listener = TcpListener::bind(listen)
                .await
                .with_context(|| format!("could not listen on {listen}"))?;
            let addr = listener.local_addr()?;
            {
                let mut stdout = std::io::stdout().lock();
                writeln!(stdout, "worker listening on http://{addr}")?;
                stdout.flush()?;
            }
            Some(tokio::spawn(serve_probes(
                listener,
                store.clone(),
                metrics.clone(),
                signals::shutdown(),
            )))
        }
        None => None,
    };
    eprintln!("worker {name} started on {}", context.db);
    // Change webhooks go out from every worker; leases keep each delivery to one of them.
    let mut delivery = DeliveryConfig::new(format!("{name}/webhooks"));
    delivery.targets.allow_private = args.allow_private_webhooks;
    let webhooks = tokio::spawn(Deliverer::new(store.clone(), delivery)?.run(signals::shutdown()));
    let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
    let observer = {
        let metrics = metrics.clone();
        tokio::spawn(async move {
            while let Some(event) = received.recv().await {
                metrics.observe(&event);
            }
        })
    };
    let first = Scheduler::new(store.clone(), config).with_events(events);
    let mut schedulers = vec![first.clone()];
    schedulers.extend((2..=args.workers).map(|n| first.sibling(format!("{name}-{n}"))));
    futures::future::try_join_all(schedulers.iter().map(|s| s.run(signals::shutdown()))).await?;
    webhooks.await.ok();
    observer.abort();
    if let Some(probes) = probes {
        probes.await.ok();
    }
    store.close().await;
    eprintln!("worker {name} stopped");
    Ok(Ending::Done)
}
