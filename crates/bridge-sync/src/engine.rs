//! Running a sync: which resources, in which order, each read by its [`Reading`] into the
//! store. The steps readings are made of live in the submodules: a listing page by page
//! (`listing`), lists per parent (`children`).

mod children;
mod listing;
mod slices;
mod syncing;

use std::collections::HashSet;
use std::time::Instant;

use bridge_store::tables::{
    ABSENCE_PERIODS, ATTENDANCE_PERIODS, COST_CENTERS, EMPLOYEES, LEGAL_ENTITIES, ORG_UNITS,
    WORKPLACES,
};
use bridge_store::{Company, Outcome, Store, Table};
use chrono::{Duration, Utc};
use futures::StreamExt;
use personio_client::{Client, Grant};
use tokio::sync::mpsc::UnboundedSender;

use crate::context::Context;
use crate::cost;
use crate::error::Error;
use crate::progress::Progress;
use crate::resources::ResourceName;
use crate::summary::{ResourceSummary, Summary};

pub(crate) use children::Parents;
pub(crate) use syncing::Syncing;

/// Resources whose records Personio removes with the person they belong to.
const GONE_WITH_PEOPLE: [(ResourceName, &Table); 2] = [
    (ResourceName::Attendances, &ATTENDANCE_PERIODS),
    (ResourceName::Absences, &ABSENCE_PERIODS),
];

/// Which Personio API to read a resource from, where both can serve it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ApiChoice {
    /// The cheaper one for each resource.
    #[default]
    Auto,
    V1,
    V2,
}

impl ApiChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiChoice::Auto => "auto",
            ApiChoice::V1 => "v1",
            ApiChoice::V2 => "v2",
        }
    }
}

/// How to sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Resources to sync (empty: all).
    pub resources: Vec<ResourceName>,
    /// Full listings even where a watermark allows an incremental one.
    pub full: bool,
    /// Reconcile ids (find deletions) even if not due.
    pub reconcile: bool,
    pub api: ApiChoice,
    /// Overlap of v1 change feeds, whose zone-less times Personio reads in an undocumented zone.
    pub overlap_v1: Duration,
    /// Overlap of v2 change feeds, for clock skew.
    pub overlap_v2: Duration,
    /// Incremental syncs reconcile ids at least this often.
    pub reconcile_every: Duration,
    /// Resources read at the same time (and per-parent lists: employees' balances, ...).
    pub concurrency: usize,
    /// Months of compensations a full sync reads, the current one included.
    pub compensation_months: u32,
    /// Windows of a full listing read at once where Personio lets it be split (attendance
    /// periods): `None` as the endpoint's rate times its latency calls for (one when
    /// answers come at once), or this many whatever they are. The environment variable
    /// `PERSONIO_BRIDGE_SLICES` sets it for a process.
    pub slices: Option<usize>,
}

/// Reads `PERSONIO_BRIDGE_SLICES` (a whole number from 1).
fn slices_from_env() -> Option<usize> {
    std::env::var("PERSONIO_BRIDGE_SLICES")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n >= 1)
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            resources: Vec::new(),
            full: false,
            reconcile: false,
            api: ApiChoice::Auto,
            overlap_v1: Duration::hours(3),
            overlap_v2: Duration::minutes(2),
            reconcile_every: Duration::hours(24),
            concurrency: 3,
            compensation_months: 12,
            slices: slices_from_env(),
        }
    }
}

/// Syncs one company into the store.
pub struct SyncEngine {
    store: Store,
    client: Client,
    company: Company,
    progress: Option<UnboundedSender<Progress>>,
}

impl SyncEngine {
    pub fn new(store: Store, client: Client, company: Company) -> SyncEngine {
        SyncEngine {
            store,
            client,
            company,
            progress: None,
        }
    }

    /// Sends progress events to `sender`.
    pub fn with_progress(mut self, sender: UnboundedSender<Progress>) -> SyncEngine {
        self.progress = Some(sender);
        self
    }

    fn emit(&self, event: Progress) {
        if let Some(sender) = &self.progress {
            let _ = sender.send(event);
        }
    }

    /// Runs one sync. Resource failures are reported in the summary (outcome `partial`);
    /// errors that stop everything (credentials refused, store unusable) are returned.
    /// Its logs carry the company and the run's id (a `sync` span).
    #[tracing::instrument(target = "bridge::span", name = "sync", skip_all, fields(company = %self.company.name, run_id = tracing::field::Empty))]
    pub async fn run(&self, options: &SyncOptions) -> Result<Summary, Error> {
        let started = Instant::now();
        let before = self.client.metrics();
        let wanted = if options.resources.is_empty() {
            ResourceName::DEFAULT
        } else {
            &options.resources
        };
        let selected: Vec<ResourceName> = ResourceName::ALL
            .iter()
            .copied()
            .filter(|r| wanted.contains(r))
            .collect();
        let run = self
            .store
            .start_run(
                self.company.id,
                if options.full {
                    bridge_store::RunMode::Full
                } else {
                    bridge_store::RunMode::Auto
                },
                Utc::now(),
            )
            .await?;
        tracing::Span::current().record("run_id", run.0);
        self.emit(Progress::RunStarted {
            company: self.company.name.clone(),
            resources: selected.iter().map(|r| r.as_str()).collect(),
        });
        let result = self.run_resources(&selected, options).await;
        let after = self.client.metrics();
        let requests = after.requests - before.requests;
        let (summary, error) = match result {
            Ok(mut summary) => {
                summary.requests = requests;
                summary.token_requests = after.token_requests - before.token_requests;
                summary.rate_limited = after.rate_limited - before.rate_limited;
                summary.retries = after.retries - before.retries;
                summary.seconds = started.elapsed().as_secs_f64();
                (Some(summary), None)
            }
            Err(error) => (None, Some(error)),
        };
        let outcome = match (&summary, &error) {
            (Some(s), _) => s.outcome,
            (None, _) => Outcome::Failed,
        };
        let json = summary
            .as_ref()
            .map(|s| serde_json::to_value(s).unwrap_or_default())
            .unwrap_or_default();
        let message = error.as_ref().map(|e| format!("{e:#}"));
        self.store
            .finish_run(
                run,
                outcome,
                requests,
                &json,
                message.as_deref(),
                Utc::now(),
            )
            .await?;
        let result = match error {
            Some(error) => Err(error),
            None => Ok(summary.expect("a summary when there is no error")),
        };
        crate::health::after_sync(&self.store, &self.company, &selected, &result).await;
        result
    }

    async fn run_resources(
        &self,
        selected: &[ResourceName],
        options: &SyncOptions,
    ) -> Result<Summary, Error> {
        let grant = self.client.authenticate().await?;
        let mut summary = Summary {
            company: self.company.name.clone(),
            outcome: Outcome::Succeeded,
            ..Default::default()
        };
        let mut ctx = Context {
            filters: self.company.filters.clone(),
            ..Default::default()
        };
        // Reference data first (names for v2 employments), then employees (who decide which
        // people are in scope), then what belongs to employees. Balances go last: they
        // follow the absences changed.
        let (before, after): (Vec<ResourceName>, Vec<ResourceName>) = selected
            .iter()
            .filter(|r| !matches!(r, ResourceName::Employees | ResourceName::Balances))
            .partition(|r| !r.belongs_to_employees());
        let only = |name| selected.iter().copied().filter(move |r| *r == name);
        let results = self.run_all(before, &grant, options, &ctx).await;
        self.collect(&mut summary, results)?;
        self.load_names(&mut ctx).await?;
        let results = self
            .run_all(only(ResourceName::Employees), &grant, options, &ctx)
            .await;
        let employees = !results.is_empty();
        self.collect(&mut summary, results)?;
        if employees {
            self.delete_records_of_deleted_people(&mut summary).await?;
        }
        ctx.scope = self.scope(&ctx).await?;
        for phase in [after, only(ResourceName::Balances).collect()] {
            let results = self.run_all(phase, &grant, options, &ctx).await;
            self.collect(&mut summary, results)?;
        }
        Ok(summary)
    }

    /// Runs some resources, a few at a time.
    async fn run_all(
        &self,
        names: impl IntoIterator<Item = ResourceName>,
        grant: &Grant,
        options: &SyncOptions,
        ctx: &Context,
    ) -> Vec<(ResourceName, Result<ResourceSummary, Error>)> {
        futures::stream::iter(names)
            .map(|name| self.run_resource(name, grant, options, ctx))
            .buffer_unordered(options.concurrency.max(1))
            .collect()
            .await
    }

    /// Personio removes a person's time records with the person: those of people deleted
    /// in Personio are marked deleted, counted with their resources.
    async fn delete_records_of_deleted_people(&self, summary: &mut Summary) -> Result<(), Error> {
        let deleted = self
            .store
            .delete_records_of_deleted_employees(
                self.company.id,
                &GONE_WITH_PEOPLE.map(|(_, table)| table),
                Utc::now(),
            )
            .await?;
        for ((resource, _), deleted) in GONE_WITH_PEOPLE.iter().zip(deleted) {
            if deleted > 0 {
                summary
                    .resources
                    .entry(resource.as_str())
                    .or_default()
                    .deleted += deleted;
            }
        }
        Ok(())
    }

    /// The employees inside the company's filters (`None` without filters: everyone).
    async fn scope(&self, ctx: &Context) -> Result<Option<HashSet<i64>>, Error> {
        if ctx.filters.is_empty() {
            return Ok(None);
        }
        let ids = self.store.live_ids(self.company.id, &EMPLOYEES).await?;
        Ok(Some(
            ids.into_iter()
                .filter_map(|k| match k {
                    bridge_store::Key::Int(n) => Some(n),
                    bridge_store::Key::Text(_) => None,
                })
                .collect(),
        ))
    }

    /// Adds per-resource results; a fatal error stops the run.
    fn collect(
        &self,
        summary: &mut Summary,
        results: Vec<(ResourceName, Result<ResourceSummary, Error>)>,
    ) -> Result<(), Error> {
        for (name, result) in results {
            match result {
                Ok(resource) => {
                    if resource.skipped.is_some() {
                        summary.outcome = Outcome::Partial;
                    }
                    summary.resources.insert(name.as_str(), resource);
                }
                Err(error) if error.is_fatal() => return Err(error),
                Err(error) => {
                    summary.outcome = Outcome::Partial;
                    let message = format!("{error:#}");
                    self.emit(Progress::ResourceFailed {
                        resource: name.as_str(),
                        error: message.clone(),
                    });
                    summary.resources.insert(
                        name.as_str(),
                        ResourceSummary {
                            error: Some(message),
                            ..Default::default()
                        },
                    );
                }
            }
        }
        Ok(())
    }

    async fn load_names(&self, ctx: &mut Context) -> Result<(), Error> {
        let id = self.company.id;
        ctx.org_names = self.store.names(id, &ORG_UNITS).await?;
        ctx.legal_entity_names = self.store.names(id, &LEGAL_ENTITIES).await?;
        ctx.office_names = self.store.names(id, &WORKPLACES).await?;
        ctx.cost_center_names = self.store.names(id, &COST_CENTERS).await?;
        Ok(())
    }

    /// The API `name` is read through: as asked, or under `auto` the one `cost` finds
    /// cheapest under Personio's limits among those that keep everything, for the
    /// company's people as the store counts them. The store failing to say keeps the
    /// resource's usual API.
    async fn api_of(&self, name: ResourceName, options: &SyncOptions) -> ApiChoice {
        if options.api != ApiChoice::Auto || name.apis().1.is_none() {
            return options.api;
        }
        if !cost::weighs(name) {
            return cost::auto_api(name, &[], &cost::Size::default());
        }
        let Ok(people) = self.store.live_count(self.company.id, &EMPLOYEES).await else {
            return name.apis().0;
        };
        // Employees are what is left to weigh, and their cost depends on the people alone.
        let size = cost::Size {
            people,
            ..cost::Size::default()
        };
        let resources = if options.resources.is_empty() {
            ResourceName::DEFAULT.to_vec()
        } else {
            options.resources.clone()
        };
        cost::auto_api(name, &resources, &size)
    }

    /// One resource, by its reading; a missing permission skips it, with advice.
    async fn run_resource(
        &self,
        name: ResourceName,
        grant: &Grant,
        options: &SyncOptions,
        ctx: &Context,
    ) -> (ResourceName, Result<ResourceSummary, Error>) {
        if name
            .scope()
            .is_some_and(|scope| !grant.scopes.contains(&scope))
        {
            return (name, Ok(self.skip(name)));
        }
        let sync = Syncing {
            engine: self,
            options,
            ctx,
        };
        let api = self.api_of(name, options).await;
        let result = match name.reading(api).read(&sync).await {
            // Refused for lack of an area the grant did not show (v1 reads).
            Err(Error::Personio(
                personio_client::Error::MissingScope { .. }
                | personio_client::Error::MissingArea { .. },
            )) => Ok(self.skip(name)),
            other => other,
        };
        if let Ok(summary) = &result {
            self.emit(Progress::ResourceFinished {
                resource: name.as_str(),
                summary: summary.clone(),
            });
        }
        (name, result)
    }

    /// A resource the credential may not read: skipped, with what to tick in Personio.
    fn skip(&self, name: ResourceName) -> ResourceSummary {
        let reason = missing_permission(name);
        self.emit(Progress::ResourceSkipped {
            resource: name.as_str(),
            reason: reason.clone(),
        });
        ResourceSummary {
            skipped: Some(reason),
            ..Default::default()
        }
    }
}

/// What to do when the credential lacks what a resource needs.
fn missing_permission(name: ResourceName) -> String {
    format!(
        "the credential may not read {} (in Personio: Settings > Integrations > API credentials > this integration > tick \"{}: Read\")",
        name.as_str().replace('_', " "),
        name.area()
    )
}
