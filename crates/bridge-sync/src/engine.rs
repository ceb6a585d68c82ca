//! Running a sync: which resources, in which order, each listing page by page into the store.

mod absences_v1;
mod composite;

use std::collections::HashSet;
use std::time::Instant;

use bridge_store::tables::{
    ABSENCE_PERIODS, ATTENDANCE_PERIODS, COST_CENTERS, EMPLOYEES, LEGAL_ENTITIES, ORG_UNITS,
    WORKPLACES,
};
use bridge_store::{
    Checkpoint, Company, Listing, ListingEnd, ListingKind, Outcome, PageWrite, Store, Table,
};
use chrono::{DateTime, Duration, Utc};
use futures::{StreamExt, TryStreamExt};
use personio_client::{Client, Grant, PageToken};
use tokio::sync::mpsc::UnboundedSender;

use crate::context::Context;
use crate::error::Error;
use crate::plan::{self, Step, StepKind};
use crate::progress::Progress;
use crate::resources::{
    self, AbsencePeriods, AbsenceTypes, AttendancePeriods, CostCenters, EmployeesV1, EmployeesV2,
    LegalEntities, Mapped, OrgUnits, Paging, Resource, ResourceName, TimeOffTypes, Workplaces,
};
use crate::summary::{ResourceSummary, Summary};

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
        match error {
            Some(error) => Err(error),
            None => Ok(summary.expect("a summary when there is no error")),
        }
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
        // people are in scope), then what belongs to employees.
        // Balances go last: they follow the absences changed in this run.
        let (before, after): (Vec<ResourceName>, Vec<ResourceName>) = selected
            .iter()
            .filter(|r| !matches!(r, ResourceName::Employees | ResourceName::Balances))
            .partition(|r| !r.belongs_to_employees());
        let employees = selected.contains(&ResourceName::Employees);
        let results = futures::stream::iter(before.iter().copied())
            .map(|name| self.run_resource(name, &grant, options, &ctx))
            .buffer_unordered(options.concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        self.collect(&mut summary, results)?;
        self.load_names(&mut ctx).await?;
        let mut gone_with_people = Vec::new();
        if employees {
            let result = self
                .run_resource(ResourceName::Employees, &grant, options, &ctx)
                .await;
            self.collect(&mut summary, vec![result])?;
            gone_with_people = self
                .store
                .delete_records_of_deleted_employees(
                    self.company.id,
                    &GONE_WITH_PEOPLE.map(|(_, table)| table),
                    Utc::now(),
                )
                .await?;
        }
        if !ctx.filters.is_empty() {
            let ids = self.store.live_ids(self.company.id, &EMPLOYEES).await?;
            ctx.scope = Some(
                ids.into_iter()
                    .filter_map(|k| match k {
                        bridge_store::Key::Int(n) => Some(n),
                        bridge_store::Key::Text(_) => None,
                    })
                    .collect::<HashSet<i64>>(),
            );
        }
        let results = futures::stream::iter(after.iter().copied())
            .map(|name| self.run_resource(name, &grant, options, &ctx))
            .buffer_unordered(options.concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        self.collect(&mut summary, results)?;
        if selected.contains(&ResourceName::Balances) {
            let result = self
                .run_resource(ResourceName::Balances, &grant, options, &ctx)
                .await;
            self.collect(&mut summary, vec![result])?;
        }
        for ((resource, _), deleted) in GONE_WITH_PEOPLE.iter().zip(gone_with_people) {
            if deleted == 0 {
                continue;
            }
            summary
                .resources
                .entry(resource.as_str())
                .or_default()
                .deleted += deleted;
        }
        Ok(summary)
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

    async fn run_resource(
        &self,
        name: ResourceName,
        grant: &Grant,
        options: &SyncOptions,
        ctx: &Context,
    ) -> (ResourceName, Result<ResourceSummary, Error>) {
        if let Some(scope) = name.scope()
            && !grant.scopes.contains(&scope)
        {
            let reason = missing_permission(name);
            self.emit(Progress::ResourceSkipped {
                resource: name.as_str(),
                reason: reason.clone(),
            });
            return (
                name,
                Ok(ResourceSummary {
                    skipped: Some(reason),
                    ..Default::default()
                }),
            );
        }
        let api = name.api_for(options.api);
        let result = match name {
            ResourceName::OrgUnits => {
                let mut total = ResourceSummary::default();
                let mut result = Ok(());
                for kind in personio_client::OrgUnitKind::ALL {
                    match self.sync(&OrgUnits { kind }, options, ctx).await {
                        Ok(s) => total.add(&s),
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
                result.map(|()| total)
            }
            ResourceName::LegalEntities => self.sync(&LegalEntities, options, ctx).await,
            ResourceName::Workplaces => self.sync(&Workplaces, options, ctx).await,
            ResourceName::CostCenters => self.sync(&CostCenters, options, ctx).await,
            ResourceName::Employees if api == ApiChoice::V2 => {
                self.sync(&EmployeesV2, options, ctx).await
            }
            ResourceName::Employees => self.sync(&EmployeesV1, options, ctx).await,
            ResourceName::AbsenceTypes if api == ApiChoice::V1 => {
                self.sync(&TimeOffTypes, options, ctx).await
            }
            ResourceName::AbsenceTypes => self.sync(&AbsenceTypes, options, ctx).await,
            ResourceName::Absences if api == ApiChoice::V1 => self.absences_v1(options, ctx).await,
            ResourceName::Absences => self.sync(&AbsencePeriods, options, ctx).await,
            ResourceName::Attendances => self.sync(&AttendancePeriods, options, ctx).await,
            ResourceName::Projects => self.projects(options, ctx).await,
            ResourceName::Compensations => self.compensations(options, ctx).await,
            ResourceName::CustomReports => self.custom_reports(options, ctx).await,
            ResourceName::Balances => self.balances(options).await,
            ResourceName::Documents => self.documents(options, ctx).await,
            ResourceName::Recruiting => self.recruiting(options, ctx).await,
        };
        // Refused for lack of an area the grant did not show (v1 reads): skipped, with advice.
        let result = match result {
            Err(Error::Personio(
                personio_client::Error::MissingScope { .. }
                | personio_client::Error::MissingArea { .. },
            )) => {
                let reason = missing_permission(name);
                self.emit(Progress::ResourceSkipped {
                    resource: name.as_str(),
                    reason: reason.clone(),
                });
                Ok(ResourceSummary {
                    skipped: Some(reason),
                    ..Default::default()
                })
            }
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

    /// One resource: its planned listing, then a reconciliation when due.
    async fn sync<R: Resource>(
        &self,
        resource: &R,
        options: &SyncOptions,
        ctx: &Context,
    ) -> Result<ResourceSummary, Error> {
        let checkpoint = self
            .store
            .checkpoint(self.company.id, &resource.checkpoint_name())
            .await?;
        let overlap = match resource
            .listing(&Step {
                kind: StepKind::Full,
                since: None,
                resume: None,
            })
            .paging
        {
            Paging::V1 { .. } => options.overlap_v1,
            Paging::V2 => options.overlap_v2,
        };
        let mut step = plan::decide(
            checkpoint.as_ref(),
            resource.has_change_feed(),
            options.full,
            overlap,
        );
        // What the change feed may miss is caught by re-reading everything on the
        // reconciliation's schedule, where ids alone cannot show it.
        if step.kind == StepKind::Incremental
            && resource.rereads_on_schedule()
            && plan::reconcile_due(
                checkpoint.as_ref(),
                options.reconcile,
                false,
                options.reconcile_every,
                Utc::now(),
            )
        {
            step = Step {
                kind: StepKind::Full,
                since: None,
                resume: None,
            };
        }
        let mut summary = self
            .listing(resource, &step, checkpoint, options, ctx)
            .await?;
        // A reconciliation the incremental listing made due is in its checkpoint, saved with
        // the listing's end (a crash before it runs leaves it to the next sync).
        let checkpoint = self
            .store
            .checkpoint(self.company.id, &resource.checkpoint_name())
            .await?;
        if step.kind == StepKind::Incremental
            && let Some(owed) = checkpoint.as_ref().and_then(|c| c.listing.clone())
        {
            let reconcile = Step {
                kind: StepKind::Reconcile,
                since: checkpoint.as_ref().and_then(|c| c.watermark),
                resume: Some(owed),
            };
            let reconciled = self
                .listing(resource, &reconcile, checkpoint, options, ctx)
                .await?;
            summary.add(&reconciled);
        }
        Ok(summary)
    }

    /// Reads one listing page by page, storing each page with the checkpoint after it, then
    /// finishes it (deletions for full and reconcile listings; the watermark).
    async fn listing<R: Resource>(
        &self,
        resource: &R,
        step: &Step,
        previous: Option<Checkpoint>,
        options: &SyncOptions,
        ctx: &Context,
    ) -> Result<ResourceSummary, Error> {
        let name = resource.checkpoint_name();
        let base = previous.unwrap_or_else(|| Checkpoint {
            resource: name.clone(),
            ..Default::default()
        });
        // An owed listing not yet begun starts now, from the first page.
        let resume = step
            .resume
            .as_ref()
            .filter(|l| l.next != serde_json::json!(NOT_STARTED));
        let started_at = resume.map(|l| l.started_at).unwrap_or_else(Utc::now);
        let params = serde_json::json!({ "since": step.since.map(|s| s.to_rfc3339()) });
        let mut max_seen = resume.and_then(|l| l.max_seen);
        let mut summary = ResourceSummary {
            mode: step.kind.into(),
            ..Default::default()
        };
        // A resumed listing whose last page was stored only needs finishing.
        let resume_token = resume.map(|l| l.next.clone());
        let pages_done = matches!(resume_token, Some(serde_json::Value::Null));
        self.emit(Progress::ListingStarted {
            resource: name.clone(),
            mode: step.kind,
            resumed: resume.is_some(),
        });
        if !pages_done {
            let start: Option<PageToken> =
                resume_token.and_then(|t| serde_json::from_value(t).ok());
            let plan = resource.listing(step);
            let pages = match plan.paging {
                Paging::V1 { limit, offset_kind } => self
                    .client
                    .pages_v1::<R::Item>(&plan.path, plan.query.clone(), limit, offset_kind, start)
                    .boxed(),
                Paging::V2 => self
                    .client
                    .pages_v2::<R::Item>(&plan.path, plan.query.clone(), start)
                    .boxed(),
            }
            .map_err(Error::from)
            .and_then(|page| resource.enrich(&self.client, step, page))
            .boxed();
            max_seen = self
                .store_pages(
                    resource,
                    step,
                    pages,
                    &base,
                    started_at,
                    &params,
                    max_seen,
                    &mut summary,
                    ctx,
                )
                .await?;
        }
        let page_size = match resource.listing(step).paging {
            Paging::V1 { limit, .. } => u64::from(limit),
            Paging::V2 => resource
                .listing(step)
                .query
                .iter()
                .find(|(k, _)| k == "limit")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(100),
        };
        let one_answer = step.kind == StepKind::Incremental && resource.changes_in_one_answer();
        summary.min_requests = if one_answer {
            1
        } else {
            summary.fetched.div_ceil(page_size.max(1)).max(1)
        } + summary.fetched * resource.requests_per_item(step);
        let now = Utc::now();
        let watermark = match step.kind {
            StepKind::Full => max_seen.or(base.watermark),
            StepKind::Incremental => resources::later(base.watermark, max_seen),
            StepKind::Reconcile => base.watermark,
        };
        // Ids are reconciled after an incremental listing when due (deletions rarely come
        // alone, so a change makes it due). It is owed from here on: recorded as a listing
        // not yet begun in the same write as this one's end.
        let owed = (step.kind == StepKind::Incremental
            && plan::reconcile_due(
                Some(&base),
                options.reconcile,
                summary.changed(),
                options.reconcile_every,
                now,
            ))
        .then(|| Listing {
            kind: ListingKind::Reconcile,
            started_at: now,
            next: serde_json::json!(NOT_STARTED),
            max_seen: None,
            // Windows of reconciliation end at Personio's latest change we know of, so a
            // Personio clock behind ours (or a quiet company) never shrinks them.
            params: serde_json::json!({ "since": watermark.map(|s| s.to_rfc3339()) }),
        });
        let finished = Checkpoint {
            resource: name,
            listing: owed,
            watermark,
            last_full_at: if step.kind == StepKind::Full {
                Some(started_at)
            } else {
                base.last_full_at
            },
            last_reconciled_at: if step.kind == StepKind::Reconcile {
                Some(started_at)
            } else {
                base.last_reconciled_at
            },
        };
        if step.kind == StepKind::Incremental {
            self.store
                .save_checkpoint(self.company.id, &finished, now)
                .await?;
        } else {
            let deleted = self
                .store
                .finish_listing(ListingEnd {
                    company: self.company.id,
                    table: resource.table(),
                    started_at,
                    scope: if step.kind == StepKind::Reconcile {
                        resource.reconcile_scope(step)
                    } else {
                        resource.scope()
                    },
                    derived: resource.derived_tables(),
                    checkpoint: finished,
                    now,
                })
                .await?;
            summary.deleted += deleted.len() as u64;
        }
        tracing::debug!(
            resource = %resource.checkpoint_name(),
            mode = step.kind.as_str(),
            "listing finished"
        );
        Ok(summary)
    }
    /// Fetches the pages of a listing and stores them in batches, each batch with the
    /// checkpoint after its last page. Fetching goes on while a batch is written. Returns the
    /// greatest Personio change time seen.
    #[allow(clippy::too_many_arguments)]
    async fn store_pages<R: Resource>(
        &self,
        resource: &R,
        step: &Step,
        mut pages: futures::stream::BoxStream<'_, Result<personio_client::Page<R::Item>, Error>>,
        base: &Checkpoint,
        started_at: DateTime<Utc>,
        params: &serde_json::Value,
        mut max_seen: Option<DateTime<Utc>>,
        summary: &mut ResourceSummary,
        ctx: &Context,
    ) -> Result<Option<DateTime<Utc>>, Error> {
        let (sender, mut batches) = tokio::sync::mpsc::channel::<Batch>(1);
        let produce = async move {
            let mut batch = Batch::default();
            while let Some(page) = pages.try_next().await? {
                batch.pages += 1;
                batch.fetched += page.items.len() as u64;
                let last = page.next.is_none();
                batch.next = page
                    .next
                    .map(|t| serde_json::to_value(t).expect("page tokens serialize"))
                    .unwrap_or(serde_json::Value::Null);
                let mapped = resource.map(step, page.items, ctx)?;
                max_seen = resources::later(max_seen, mapped.max_updated);
                batch.max_seen = max_seen;
                batch.absorb(mapped);
                if (last || batch.mapped.rows.len() >= BATCH_ROWS || batch.bytes >= BATCH_BYTES)
                    && sender.send(std::mem::take(&mut batch)).await.is_err()
                {
                    // The writer stopped; its error is the one reported.
                    return Ok(max_seen);
                }
            }
            if batch.pages > 0 {
                let _ = sender.send(batch).await;
            }
            Ok::<_, Error>(max_seen)
        };
        let consume = async {
            while let Some(batch) = batches.recv().await {
                summary.fetched += batch.fetched;
                let listing = Listing {
                    kind: step.kind.listing(),
                    started_at,
                    next: batch.next,
                    max_seen: batch.max_seen,
                    params: params.clone(),
                };
                let applied = self
                    .store
                    .apply_page(PageWrite {
                        company: self.company.id,
                        table: resource.table(),
                        rows: batch.mapped.rows,
                        leaving: batch.mapped.leaving,
                        seen: batch.mapped.seen,
                        derived: batch.mapped.derived,
                        checkpoint: Checkpoint {
                            listing: Some(listing),
                            ..base.clone()
                        },
                        now: Utc::now(),
                    })
                    .await?;
                summary.created += applied.created;
                summary.updated += applied.updated;
                summary.unchanged += applied.unchanged;
                summary.left_filter += applied.left_filter;
                tracing::debug!(
                    resource = %resource.checkpoint_name(),
                    rows = applied.created + applied.updated + applied.unchanged,
                    "batch stored"
                );
                self.emit(Progress::PageStored {
                    resource: resource.checkpoint_name(),
                    fetched: summary.fetched,
                    created: summary.created,
                    updated: summary.updated,
                });
            }
            Ok::<_, Error>(())
        };
        let (produced, consumed) = futures::join!(produce, consume);
        consumed?;
        produced
    }
}

/// The page token of a listing that is owed but not yet begun.
const NOT_STARTED: &str = "not_started";

/// Rows gathered before they are written: one transaction per batch of pages, not per page
/// (each commit rewrites every index page it touched), while a crash still resumes after the
/// last stored batch. Wide records (an employee with every attribute is several KB) fill a
/// batch by size first, which keeps memory flat whatever the company's size.
const BATCH_ROWS: usize = 2_000;
const BATCH_BYTES: usize = 2 << 20;

/// Pages fetched and mapped, waiting to be written together.
#[derive(Default)]
struct Batch {
    pages: u64,
    fetched: u64,
    mapped: Mapped,
    /// The page token after the batch's last page (`null` at the end of the listing).
    next: serde_json::Value,
    max_seen: Option<DateTime<Utc>>,
    /// Size of the Personio JSON of its rows.
    bytes: usize,
}

impl Batch {
    fn absorb(&mut self, mapped: Mapped) {
        self.bytes += mapped.rows.iter().map(|row| row.raw.len()).sum::<usize>();
        self.mapped.rows.extend(mapped.rows);
        self.mapped.leaving.extend(mapped.leaving);
        self.mapped.seen.extend(mapped.seen);
        self.mapped.derived.extend(mapped.derived);
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
