//! Resources made of several listings: projects with their members, compensations month
//! by month with their types, custom reports with their rows, absence balances per
//! employee. Also the one loop every per-parent list shares.

use bridge_store::tables::{ABSENCE_PERIODS, EMPLOYEES, PROJECTS};
use bridge_store::{Checkpoint, Key, ListingEnd, PageWrite, Value};
use chrono::Utc;
use futures::StreamExt;

use super::{SyncEngine, SyncOptions};
use crate::context::Context;
use crate::error::Error;
use crate::progress::Progress;
use crate::resources::{Applications, Candidates, Categories, Jobs, Recruiting};
use crate::resources::{
    Balances, Children, CompensationMonth, CompensationTypes, CustomReports, DocumentCategories,
    Documents, PerParent, ProjectMembers, Projects, ReportRows, months,
};
use crate::summary::ResourceSummary;

/// The checkpoint that records when compensations were last read in full.
const COMPENSATIONS_FULL: &str = "compensations";

impl SyncEngine {
    /// Projects, then the members of every top-level project.
    pub(super) async fn projects(
        &self,
        options: &SyncOptions,
        ctx: &Context,
    ) -> Result<ResourceSummary, Error> {
        let mut summary = self.sync(&Projects, options, ctx).await?;
        let parent = PROJECTS
            .column_index("parent_project_id")
            .expect("projects have a parent column");
        let mut top_level = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .store
                .records(self.company.id, &PROJECTS, after.as_ref(), 1000, false)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some(last.key.clone());
            top_level.extend(
                page.into_iter()
                    .filter(|p| p.values[parent] == Value::Null)
                    .map(|p| p.key),
            );
        }
        let members = self
            .per_parent(&ProjectMembers, top_level, true, options)
            .await?;
        summary.add(&members);
        Ok(summary)
    }

    /// Compensation types, then one listing per month: `compensation_months` of them on a
    /// full sync (or the first one), the current and the previous month otherwise.
    pub(super) async fn compensations(
        &self,
        options: &SyncOptions,
        ctx: &Context,
    ) -> Result<ResourceSummary, Error> {
        let mut summary = self.sync(&CompensationTypes, options, ctx).await?;
        let marker = self
            .store
            .checkpoint(self.company.id, COMPENSATIONS_FULL)
            .await?;
        let full = options.full || marker.as_ref().is_none_or(|m| m.last_full_at.is_none());
        let count = if full { options.compensation_months } else { 2 };
        let started_at = Utc::now();
        for first in months(started_at.date_naive(), count) {
            let month = self
                .sync(&CompensationMonth { first }, options, ctx)
                .await?;
            summary.add(&month);
        }
        if full {
            let checkpoint = Checkpoint {
                resource: COMPENSATIONS_FULL.into(),
                last_full_at: Some(started_at),
                ..marker.unwrap_or_default()
            };
            self.store
                .save_checkpoint(self.company.id, &checkpoint, Utc::now())
                .await?;
        }
        Ok(summary)
    }

    /// The list of reports, then every report's rows.
    pub(super) async fn custom_reports(
        &self,
        options: &SyncOptions,
        ctx: &Context,
    ) -> Result<ResourceSummary, Error> {
        let mut summary = self.sync(&CustomReports, options, ctx).await?;
        let reports = self
            .store
            .live_ids(self.company.id, &bridge_store::tables::CUSTOM_REPORTS)
            .await?;
        let rows = self.per_parent(&ReportRows, reports, true, options).await?;
        summary.add(&rows);
        Ok(summary)
    }

    /// Balances of every employee on a full sync (or the first one), otherwise of those
    /// whose absences changed in this run.
    pub(super) async fn balances(&self, options: &SyncOptions) -> Result<ResourceSummary, Error> {
        let full = options.full || self.never_completed(Balances.checkpoint_name()).await?;
        let employees = if full {
            self.store.live_ids(self.company.id, &EMPLOYEES).await?
        } else {
            let mut ids: Vec<i64> = self.touched(ABSENCE_PERIODS.name).into_iter().collect();
            ids.sort_unstable();
            ids.into_iter().map(Key::Int).collect()
        };
        self.per_parent(&Balances, employees, full, options).await
    }

    /// Document categories, then document metadata per employee: everyone's on a full sync
    /// (or the first one), otherwise of employees created or changed in this run.
    pub(super) async fn documents(
        &self,
        options: &SyncOptions,
        ctx: &Context,
    ) -> Result<ResourceSummary, Error> {
        let mut summary = self.sync(&DocumentCategories, options, ctx).await?;
        let full = options.full || self.never_completed(Documents.checkpoint_name()).await?;
        let owners = if full {
            self.store.live_ids(self.company.id, &EMPLOYEES).await?
        } else {
            let mut ids: Vec<i64> = self.touched(EMPLOYEES.name).into_iter().collect();
            ids.sort_unstable();
            ids.into_iter().map(Key::Int).collect()
        };
        let documents = self.per_parent(&Documents, owners, full, options).await?;
        summary.add(&documents);
        Ok(summary)
    }

    /// Recruiting categories, jobs, candidates and applications. A company without
    /// recruiting answers 404 (personio-api.md §5.4): skipped, with the reason.
    pub(super) async fn recruiting(
        &self,
        options: &SyncOptions,
        ctx: &Context,
    ) -> Result<ResourceSummary, Error> {
        let mut summary = ResourceSummary::default();
        let read = async {
            summary.add(&self.sync(&Recruiting(Categories), options, ctx).await?);
            summary.add(&self.sync(&Recruiting(Jobs), options, ctx).await?);
            summary.add(&self.sync(&Recruiting(Candidates), options, ctx).await?);
            summary.add(&self.sync(&Recruiting(Applications), options, ctx).await?);
            Ok::<(), Error>(())
        };
        match read.await {
            Ok(()) => {}
            Err(Error::Personio(e)) if e.kind() == personio_client::ErrorKind::NotFound => {
                return Ok(ResourceSummary {
                    skipped: Some(
                        "Personio has no recruiting for this company (its recruiting API answers 404)"
                            .into(),
                    ),
                    ..Default::default()
                });
            }
            Err(e) => return Err(e),
        }
        Ok(summary)
    }

    /// Whether a per-parent list has never been read for every parent.
    async fn never_completed(&self, name: &str) -> Result<bool, Error> {
        let checkpoint = self.store.checkpoint(self.company.id, name).await?;
        Ok(checkpoint.is_none_or(|c| c.last_full_at.is_none()))
    }

    /// Reads the children of each parent (a few at a time) and stores each parent's list in
    /// place of the old one. When `complete` (every parent was read), children of parents
    /// not read, such as deleted ones, are marked deleted too.
    pub(super) async fn per_parent<P: PerParent>(
        &self,
        list: &P,
        parents: Vec<Key>,
        complete: bool,
        options: &SyncOptions,
    ) -> Result<ResourceSummary, Error> {
        let name = list.checkpoint_name();
        let base = self
            .store
            .checkpoint(self.company.id, name)
            .await?
            .unwrap_or_else(|| Checkpoint {
                resource: name.to_owned(),
                ..Default::default()
            });
        let started_at = Utc::now();
        let mode = if complete { "full" } else { "incremental" };
        let mut summary = ResourceSummary {
            mode: mode.to_owned(),
            ..Default::default()
        };
        self.emit(Progress::ListingStarted {
            resource: name.to_owned(),
            mode,
            resumed: false,
        });
        let client = &self.client;
        let mut fetched = futures::stream::iter(parents)
            .map(|parent| async move {
                let children = match list.fetch(client, &parent).await {
                    // Gone since it was listed: it has no children any more.
                    Err(Error::Personio(e)) if e.kind() == personio_client::ErrorKind::NotFound => {
                        Ok(Children {
                            rows: Vec::new(),
                            min_requests: 1,
                        })
                    }
                    other => other,
                };
                (parent, children)
            })
            .buffer_unordered(options.concurrency.max(1));
        while let Some((parent, children)) = fetched.next().await {
            let children = children?;
            summary.fetched += children.rows.len() as u64;
            summary.min_requests += children.min_requests;
            let applied = self
                .store
                .apply_page(PageWrite {
                    company: self.company.id,
                    table: list.table(),
                    rows: children.rows,
                    leaving: Vec::new(),
                    seen: Vec::new(),
                    // No rows of its own: it only retires this parent's children not seen now.
                    derived: vec![bridge_store::Derived {
                        table: list.table(),
                        parent_column: list.parent_column(),
                        parents: vec![parent],
                        rows: Vec::new(),
                    }],
                    checkpoint: base.clone(),
                    now: Utc::now(),
                })
                .await?;
            summary.created += applied.created;
            summary.updated += applied.updated;
            summary.unchanged += applied.unchanged;
            self.emit(Progress::PageStored {
                resource: name.to_owned(),
                fetched: summary.fetched,
                created: summary.created,
                updated: summary.updated,
            });
        }
        drop(fetched);
        if complete {
            let deleted = self
                .store
                .finish_listing(ListingEnd {
                    company: self.company.id,
                    table: list.table(),
                    started_at,
                    scope: None,
                    derived: Vec::new(),
                    checkpoint: Checkpoint {
                        last_full_at: Some(started_at),
                        ..base
                    },
                    now: Utc::now(),
                })
                .await?;
            summary.deleted += deleted.len() as u64;
        }
        Ok(summary)
    }
}
