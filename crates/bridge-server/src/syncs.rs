//! The service's syncs: its workers (the sync crate's scheduler, sharing the job table with
//! every other `serve` or `worker` on the store, so a company is never synced twice at once),
//! the requests operators and inbound webhooks make, and the progress of syncs under way for
//! the company pages. Finished runs are read from the store.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use bridge_store::{CompanyId, Store};
use bridge_sync::scheduler::{Scheduler, SchedulerConfig, SchedulerEvent};
use bridge_sync::{Progress, ResourceName};
use chrono::{DateTime, Utc};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::metrics::Metrics;

/// A sync under way (or asked for and not yet begun).
#[derive(Debug, Clone)]
pub(crate) struct Live {
    pub(crate) started_at: DateTime<Utc>,
    /// Records read so far, per resource.
    pub(crate) fetched: Vec<(String, u64)>,
    /// The resources the run covers.
    pub(crate) resources: Vec<&'static str>,
    pub(crate) finished: Vec<&'static str>,
}

impl Live {
    fn new() -> Live {
        Live {
            started_at: Utc::now(),
            fetched: Vec::new(),
            resources: Vec::new(),
            finished: Vec::new(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct Syncs {
    scheduler: Scheduler,
    /// Workers this process runs (0: other processes sync; this one only asks).
    workers: usize,
    metrics: Arc<Metrics>,
    running: Arc<Mutex<HashMap<CompanyId, Live>>>,
    events: Arc<Mutex<Option<UnboundedReceiver<SchedulerEvent>>>>,
}

impl Syncs {
    pub(crate) fn new(
        store: Store,
        metrics: Arc<Metrics>,
        config: SchedulerConfig,
        workers: usize,
    ) -> Syncs {
        let (sender, events) = tokio::sync::mpsc::unbounded_channel();
        Syncs {
            scheduler: Scheduler::new(store, config).with_events(sender),
            workers,
            metrics,
            running: Arc::default(),
            events: Arc::new(Mutex::new(Some(events))),
        }
    }

    /// The company's sync under way, if any.
    pub(crate) fn live(&self, company: CompanyId) -> Option<Live> {
        self.running
            .lock()
            .ok()
            .and_then(|running| running.get(&company).cloned())
    }

    /// Asks for a full sync of `company` as soon as a worker is free (after linking, "sync
    /// now"); a sync under way finishes first and is followed by this one.
    pub(crate) async fn start(&self, company: CompanyId) -> Result<(), bridge_sync::Error> {
        self.scheduler.enqueue_now(company).await?;
        self.show_pending(company);
        Ok(())
    }

    /// Asks for an incremental sync of `resources` of `company` (an inbound webhook).
    pub(crate) async fn request(
        &self,
        company: CompanyId,
        resources: &[ResourceName],
    ) -> Result<(), bridge_sync::Error> {
        self.scheduler.request(company, resources).await
    }

    /// A sync asked for here shows on the company page at once, when this process syncs.
    fn show_pending(&self, company: CompanyId) {
        if self.workers == 0 {
            return;
        }
        if let Ok(mut running) = self.running.lock() {
            running.entry(company).or_insert_with(Live::new);
        }
    }

    /// Runs this process's workers and follows their syncs until `shutdown` resolves; the
    /// syncs under way are then abandoned safely (their jobs handed back).
    pub(crate) async fn run(&self, shutdown: impl Future<Output = ()> + Send + 'static) {
        let events = self.events.lock().ok().and_then(|mut slot| slot.take());
        let follower = events.map(|events| tokio::spawn(self.clone().follow(events)));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let workers: Vec<_> = (0..self.workers)
            .map(|n| {
                let worker = if n == 0 {
                    self.scheduler.clone()
                } else {
                    self.scheduler
                        .sibling(format!("{}-{n}", self.scheduler.name()))
                };
                let mut stopped = stopped.clone();
                tokio::spawn(async move {
                    let shutdown = async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    };
                    if let Err(error) = worker.run(shutdown).await {
                        tracing::error!(%error, "a sync worker stopped: the store is unusable");
                    }
                })
            })
            .collect();
        shutdown.await;
        let _ = stop.send(true);
        for worker in workers {
            let _ = worker.await;
        }
        if let Some(follower) = follower {
            follower.abort();
        }
    }

    /// Keeps the live view and the metrics up to date from the workers' events.
    async fn follow(self, mut events: UnboundedReceiver<SchedulerEvent>) {
        while let Some(event) = events.recv().await {
            self.metrics.observe(&event);
            match event {
                SchedulerEvent::Progress(company, progress) => self.progress(company, progress),
                SchedulerEvent::Finished(company, result) => {
                    if let Ok(mut running) = self.running.lock() {
                        running.remove(&company);
                    }
                    if let Err(error) = result {
                        tracing::warn!(company = company.0, %error, "sync failed");
                    }
                }
            }
        }
    }

    fn progress(&self, company: CompanyId, event: Progress) {
        let Ok(mut running) = self.running.lock() else {
            return;
        };
        let live = running.entry(company).or_insert_with(Live::new);
        match event {
            Progress::RunStarted { resources, .. } => {
                *live = Live::new();
                live.resources = resources;
            }
            Progress::PageStored {
                resource, fetched, ..
            } => match live.fetched.iter_mut().find(|(r, _)| *r == resource) {
                Some(entry) => entry.1 = fetched,
                None => live.fetched.push((resource, fetched)),
            },
            Progress::ResourceFinished { resource, .. }
            | Progress::ResourceSkipped { resource, .. }
            | Progress::ResourceFailed { resource, .. } => live.finished.push(resource),
            Progress::ListingStarted { .. } => {}
        }
    }
}
