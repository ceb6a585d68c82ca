//! Scheduled syncs shared by any number of workers on one store.
//!
//! Every company has a row in the store's job table. A worker claims the job due longest
//! with a lease, syncs the company, renews the lease while it works, and hands the job back
//! with the next run time (`sync_interval_minutes` of the company, or the default). A worker
//! that dies stops renewing; once its lease lapses another worker claims the job and the
//! sync resumes from the checkpoints. A worker that finds its lease lost stops syncing that
//! company at once, so a company is never synced by two workers at the same time.
//!
//! Each company's settings choose its resources, API, interval and how often a scheduled run
//! reads everything again (a full reconciliation). A company whose connection is broken
//! (Personio refused its credential) is not synced on schedule until it is linked again.
//! A sync that did not fail is followed by the company's retention sweep (`sweep.rs`).
//!
//! Out-of-schedule requests bring a run forward: "sync now" asks for everything, an inbound
//! webhook for the resources it is about; such a targeted run leaves the schedule as it was
//! (the scheduled run still reconciles everything).
//!
//! Stopping (SIGINT/SIGTERM in the CLI) abandons the current page: its transaction rolls back,
//! the job is handed back due at once, and the next worker resumes from the last committed
//! page.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bridge_store::{Claim, Company, CompanyId, Outcome, Store};
use chrono::Utc;
use personio_client::{Client, ClientConfig, RecruitingAuth};
use tokio::sync::Notify;
use tokio::sync::mpsc::UnboundedSender;

use crate::engine::{ApiChoice, SyncEngine, SyncOptions};
use crate::error::Error;
use crate::progress::Progress;
use crate::resources::ResourceName;
use crate::summary::Summary;

/// What a worker reports while it works (for a service's pages and metrics).
#[derive(Debug, Clone)]
pub enum SchedulerEvent {
    /// The sync of a claimed company made progress.
    Progress(CompanyId, Progress),
    /// The sync of a claimed company ended: its summary, or why it failed.
    Finished(CompanyId, Result<Summary, String>),
}

/// How a worker paces itself.
#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    /// This worker's name in the job table (unique among live workers).
    pub worker: String,
    /// How long a claim lasts without renewal; renewed every third of it.
    pub lease: Duration,
    /// How long an idle worker waits before looking for due jobs again.
    pub poll: Duration,
    /// Between syncs of a company without its own `sync_interval_minutes`.
    pub default_interval: Duration,
    /// Until a failed sync is tried again (at most the company's interval).
    pub retry_after: Duration,
    pub sync: SyncOptions,
}

impl SchedulerConfig {
    /// Defaults for a worker named `worker`: 60 s leases, polling every 5 s, hourly syncs,
    /// failed syncs retried after 5 minutes.
    pub fn new(worker: impl Into<String>) -> SchedulerConfig {
        SchedulerConfig {
            worker: worker.into(),
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(5),
            default_interval: Duration::from_secs(60 * 60),
            retry_after: Duration::from_secs(5 * 60),
            sync: SyncOptions::default(),
        }
    }
}

/// One worker: claims due jobs one at a time and syncs them.
#[derive(Clone)]
pub struct Scheduler {
    store: Store,
    config: Arc<SchedulerConfig>,
    wake: Arc<Notify>,
    events: Option<UnboundedSender<SchedulerEvent>>,
}

/// How a claimed job ended.
enum JobEnd {
    Synced(Outcome),
    Failed(Error),
    LeaseLost,
}

impl Scheduler {
    pub fn new(store: Store, config: SchedulerConfig) -> Scheduler {
        Scheduler {
            store,
            config: Arc::new(config),
            wake: Arc::new(Notify::new()),
            events: None,
        }
    }

    /// Reports progress and ends of syncs on `sender`.
    pub fn with_events(mut self, sender: UnboundedSender<SchedulerEvent>) -> Scheduler {
        self.events = Some(sender);
        self
    }

    /// Another worker in this process, named `worker`: same store, same events, and woken by
    /// the same requests.
    pub fn sibling(&self, worker: impl Into<String>) -> Scheduler {
        let mut config = (*self.config).clone();
        config.worker = worker.into();
        Scheduler {
            store: self.store.clone(),
            config: Arc::new(config),
            wake: self.wake.clone(),
            events: self.events.clone(),
        }
    }

    /// This worker's name in the job table.
    pub fn name(&self) -> &str {
        &self.config.worker
    }

    fn emit(&self, event: SchedulerEvent) {
        if let Some(sender) = &self.events {
            let _ = sender.send(event);
        }
    }

    /// Asks for a sync of `company` as soon as a worker is free (this one is woken if idle).
    pub async fn enqueue_now(&self, company: CompanyId) -> Result<(), Error> {
        self.store.enqueue_now(company, Utc::now()).await?;
        self.wake.notify_one();
        Ok(())
    }

    /// Asks for an incremental sync of `resources` of `company` as soon as a worker is free,
    /// without moving its scheduled run (an inbound webhook said they changed).
    pub async fn request(
        &self,
        company: CompanyId,
        resources: &[ResourceName],
    ) -> Result<(), Error> {
        let names: Vec<&str> = resources.iter().map(|r| r.as_str()).collect();
        self.store
            .request_resources(company, &names, Utc::now())
            .await?;
        self.wake.notify_one();
        Ok(())
    }

    /// Works until `shutdown` resolves; a sync under way is then abandoned safely. Returns
    /// early only when the store is unusable.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) -> Result<(), Error> {
        tokio::pin!(shutdown);
        loop {
            self.store.schedule_companies(Utc::now()).await?;
            let claim = self
                .store
                .claim_job(&self.config.worker, lease(&self.config), Utc::now())
                .await?;
            let Some(claim) = claim else {
                tokio::select! {
                    _ = &mut shutdown => return Ok(()),
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(self.config.poll) => {}
                }
                continue;
            };
            tokio::select! {
                biased;
                _ = &mut shutdown => {
                    // The sync future is dropped here: an open page transaction rolls back.
                    self.store
                        .release_job(claim.company, &self.config.worker, Utc::now())
                        .await?;
                    tracing::info!(company = claim.company.0, "stopped; job handed back");
                    return Ok(());
                }
                end = self.work(&claim) => self.hand_back(&claim, end).await?,
            }
        }
    }

    /// Syncs the claimed company while renewing the lease; stops if the lease is lost.
    async fn work(&self, claim: &Claim) -> JobEnd {
        tokio::select! {
            end = self.sync(claim) => match end {
                Ok(outcome) => JobEnd::Synced(outcome),
                Err(error) => JobEnd::Failed(error),
            },
            () = self.keep_lease(claim) => JobEnd::LeaseLost,
        }
    }

    async fn sync(&self, claim: &Claim) -> Result<Outcome, Error> {
        let result = self.sync_claimed(claim).await;
        self.emit(SchedulerEvent::Finished(
            claim.company,
            result.as_ref().map(Clone::clone).map_err(|e| e.to_string()),
        ));
        result.map(|summary| summary.outcome)
    }

    async fn sync_claimed(&self, claim: &Claim) -> Result<Summary, Error> {
        let company = self.store.company_by_id(claim.company).await?;
        let client = client_for(&self.store, &company).await?;
        let options = options_for(&company, claim, &self.config.sync, Utc::now());
        tracing::info!(
            company = %company.name,
            worker = %self.config.worker,
            resources = ?claim.resources,
            "sync started"
        );
        let engine = SyncEngine::new(self.store.clone(), client, company);
        let (engine, forward) = match self.events.clone() {
            Some(events) => {
                let (sender, mut progress) = tokio::sync::mpsc::unbounded_channel();
                let company = claim.company;
                let forward = tokio::spawn(async move {
                    while let Some(event) = progress.recv().await {
                        let _ = events.send(SchedulerEvent::Progress(company, event));
                    }
                });
                (engine.with_progress(sender), Some(forward))
            }
            None => (engine, None),
        };
        let started = Utc::now();
        let summary = engine.run(&options).await;
        drop(engine);
        if let Some(forward) = forward {
            let _ = forward.await;
        }
        // A full reading that got through counts as the scheduled reconciliation, also when
        // some resource failed: the next is due a period later, not at once.
        if options.full && summary.as_ref().is_ok_and(|s| s.outcome != Outcome::Failed) {
            self.store
                .set_full_reconciled(claim.company, started)
                .await?;
        }
        if summary.is_ok() {
            crate::sweep::after_sync(&self.store, claim.company).await;
        }
        summary
    }

    /// Renews the lease every third of its length; returns when it is lost (another worker
    /// holds the job, or the store could not be reached before the lease ran out).
    async fn keep_lease(&self, claim: &Claim) {
        let mut until = claim.lease_until;
        loop {
            tokio::time::sleep(self.config.lease / 3).await;
            let now = Utc::now();
            match self
                .store
                .renew_lease(claim.company, &self.config.worker, lease(&self.config), now)
                .await
            {
                Ok(true) => until = now + lease(&self.config),
                Ok(false) => break,
                Err(error) if Utc::now() < until => {
                    tracing::warn!(%error, "could not renew the lease; trying again");
                }
                Err(_) => break,
            }
        }
        tracing::warn!(
            company = claim.company.0,
            "lease lost: another worker may hold the job"
        );
    }

    /// Records the end of a job and when it is due next.
    async fn hand_back(&self, claim: &Claim, end: JobEnd) -> Result<(), Error> {
        let now = Utc::now();
        let interval = match self.store.company_by_id(claim.company).await {
            Ok(company) => interval_of(&company, &self.config),
            Err(_) => self.config.default_interval,
        };
        let (outcome, wait) = match &end {
            JobEnd::Synced(outcome) => (*outcome, interval),
            JobEnd::Failed(error) => {
                tracing::warn!(company = claim.company.0, %error, "sync failed");
                (Outcome::Failed, self.config.retry_after.min(interval))
            }
            JobEnd::LeaseLost => return Ok(()),
        };
        let next = if claim.is_targeted() {
            claim.next_run_at
        } else {
            now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1))
        };
        self.store
            .finish_job(claim.company, &self.config.worker, outcome, next, now)
            .await?;
        Ok(())
    }
}

fn lease(config: &SchedulerConfig) -> chrono::Duration {
    chrono::Duration::from_std(config.lease).unwrap_or(chrono::Duration::seconds(60))
}

/// The company's own interval, or the default.
fn interval_of(company: &Company, config: &SchedulerConfig) -> Duration {
    company
        .sync_interval_minutes
        .filter(|m| *m > 0)
        .map(|m| Duration::from_secs(m as u64 * 60))
        .unwrap_or(config.default_interval)
}

/// How to sync a claimed company: the company's settings (resources, API) over the worker's
/// options; a targeted run reads only what it was asked for; a scheduled run reads
/// everything again once the company's full reconciliation is due (`full_reconcile_days`
/// after the last, or after linking), which finds what incremental windows cannot see:
/// deletions older than the windows, employment changes Personio does not announce.
pub fn options_for(
    company: &Company,
    claim: &Claim,
    base: &SyncOptions,
    now: chrono::DateTime<Utc>,
) -> SyncOptions {
    let mut options = base.clone();
    let settings = &company.settings;
    if !settings.resources.is_empty() {
        options.resources = crate::health::configured_resources(company);
    }
    options.api = api_setting(&settings.api);
    if let Some(names) = &claim.resources {
        options.resources = targeted(names);
        return options;
    }
    let last = company.full_reconciled_at.unwrap_or(company.created_at);
    if now - last >= chrono::Duration::days(settings.full_reconcile_days.max(1)) {
        options.full = true;
    }
    options
}

/// The API a company's `api` setting names (`auto` for anything else).
pub fn api_setting(api: &str) -> ApiChoice {
    match api {
        "v1" => ApiChoice::V1,
        "v2" => ApiChoice::V2,
        _ => ApiChoice::Auto,
    }
}

/// A Personio client with `company`'s stored credentials.
pub async fn client_for(store: &Store, company: &Company) -> Result<Client, Error> {
    let credentials = store.credentials(company).await?;
    let base_url = url::Url::parse(&company.base_url).map_err(|_| Error::BadBaseUrl {
        company: company.name.clone(),
    })?;
    let mut config = ClientConfig::new(base_url, credentials.client_id, credentials.client_secret);
    config.recruiting = credentials
        .recruiting
        .map(|(token, company_id)| RecruitingAuth { token, company_id });
    config.app_id = Some("PERSONIO_BRIDGE".into());
    Ok(Client::new(config)?)
}

/// The resources a targeted run syncs: the requested names this version knows (a name from a
/// newer version is skipped with a warning, not failed on).
fn targeted(names: &[String]) -> Vec<ResourceName> {
    names
        .iter()
        .filter_map(|name| match name.parse::<ResourceName>() {
            Ok(resource) => Some(resource),
            Err(_) => {
                tracing::warn!(resource = %name, "unknown resource requested; skipped");
                None
            }
        })
        .collect()
}
