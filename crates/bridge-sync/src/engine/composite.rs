//! Resources made of several listings: projects with their members, compensations month
//! by month with their types, custom reports with their rows, absence balances per
//! employee. Also the one loop every per-parent list shares.

use bridge_store::tables::{ABSENCE_PERIODS, EMPLOYEES, PROJECTS};
use bridge_store::{Checkpoint, Key, ListingEnd, PageWrite, Table, Value};
use chrono::{DateTime, Utc};
use futures::StreamExt;

use super::{SyncEngine, SyncOptions};
use crate::context::Context;
use crate::error::Error;
use crate::plan::StepKind;
use crate::progress::Progress;
use crate::resources::{Applications, Candidates, Categories, Jobs, Recruiting};
use crate::resources::{
    Balances, Children, CompensationMonth, CompensationTypes, CustomReports, DocumentCategories,
    Documents, PerParent, ProjectMembers, Projects, ReportRows, months,
};
use crate::summary::ResourceSummary;

/// The parents a per-parent list reads this time.
pub(super) struct Parents {
    keys: Vec<Key>,
    /// Every parent: children of parents not read are then deleted.
    complete: bool,
    /// When the parents were chosen.
    as_of: DateTime<Utc>,
    /// Whether they were chosen by following changes since the list's watermark (which
    /// then moves to `as_of`).
    following: bool,
}

impl Parents {
    /// All parents there are, as of now.
    fn all(keys: Vec<Key>) -> Parents {
        Parents {
            keys,
            complete: true,
            as_of: Utc::now(),
            following: false,
        }
    }
}

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
            .per_parent(&ProjectMembers, Parents::all(top_level), options)
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
        let rows = self
            .per_parent(&ReportRows, Parents::all(reports), options)
            .await?;
        summary.add(&rows);
        Ok(summary)
    }

    /// Balances of every employee on a full sync (or the first one), otherwise of those
    /// whose absences changed since balances were last read.
    pub(super) async fn balances(&self, options: &SyncOptions) -> Result<ResourceSummary, Error> {
        let parents = self
            .parents_following(Balances.checkpoint_name(), &ABSENCE_PERIODS, options)
            .await?;
        self.per_parent(&Balances, parents, options).await
    }

    /// Document categories, then document metadata per employee: everyone's on a full sync
    /// (or the first one), otherwise of employees created or changed since documents were
    /// last read.
    pub(super) async fn documents(
        &self,
        options: &SyncOptions,
        ctx: &Context,
    ) -> Result<ResourceSummary, Error> {
        let mut summary = self.sync(&DocumentCategories, options, ctx).await?;
        let parents = self
            .parents_following(Documents.checkpoint_name(), &EMPLOYEES, options)
            .await?;
        let documents = self.per_parent(&Documents, parents, options).await?;
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

    /// The parents of a per-parent list that follows the changes of `followed`: every live
    /// employee on a full sync (or until the list was once read for all of them), otherwise
    /// the owners of the records of `followed` that changed since the list was last read.
    /// The changes are read from the store, so those stored by a run that crashed or gave up
    /// before reading the list are followed too.
    async fn parents_following(
        &self,
        name: &str,
        followed: &'static Table,
        options: &SyncOptions,
    ) -> Result<Parents, Error> {
        let as_of = Utc::now();
        let checkpoint = self.store.checkpoint(self.company.id, name).await?;
        let since = checkpoint
            .as_ref()
            .filter(|c| c.last_full_at.is_some())
            .and_then(|c| c.watermark.or(c.last_full_at));
        let (keys, complete) = match since {
            Some(since) if !options.full => {
                let owners = self
                    .store
                    .owners_changed_since(self.company.id, followed, since)
                    .await?;
                (owners.into_iter().map(Key::Int).collect(), false)
            }
            _ => (
                self.store.live_ids(self.company.id, &EMPLOYEES).await?,
                true,
            ),
        };
        Ok(Parents {
            keys,
            complete,
            as_of,
            following: true,
        })
    }

    /// Reads the children of each parent (a few at a time) and stores each parent's list in
    /// place of the old one. When `complete` (every parent was read), children of parents
    /// not read, such as deleted ones, are marked deleted too.
    pub(super) async fn per_parent<P: PerParent>(
        &self,
        list: &P,
        parents: Parents,
        options: &SyncOptions,
    ) -> Result<ResourceSummary, Error> {
        let Parents {
            keys: parents,
            complete,
            as_of,
            following,
        } = parents;
        let name = list.checkpoint_name();
        let base = self
            .store
            .checkpoint(self.company.id, name)
            .await?
            .unwrap_or_else(|| Checkpoint {
                resource: name.to_owned(),
                ..Default::default()
            });
        let started_at = as_of;
        let mode = if complete {
            StepKind::Full
        } else {
            StepKind::Incremental
        };
        let mut summary = ResourceSummary {
            mode: mode.into(),
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
            tracing::debug!(resource = name, rows = summary.fetched, "batch stored");
            self.emit(Progress::PageStored {
                resource: name.to_owned(),
                fetched: summary.fetched,
                created: summary.created,
                updated: summary.updated,
            });
        }
        drop(fetched);
        let checkpoint = Checkpoint {
            // The changes followed are those before the parents were chosen.
            watermark: if following {
                Some(started_at)
            } else {
                base.watermark
            },
            last_full_at: if complete {
                Some(started_at)
            } else {
                base.last_full_at
            },
            ..base
        };
        if complete {
            let deleted = self
                .store
                .finish_listing(ListingEnd {
                    company: self.company.id,
                    table: list.table(),
                    started_at,
                    scope: None,
                    derived: Vec::new(),
                    checkpoint,
                    now: Utc::now(),
                })
                .await?;
            summary.deleted += deleted.len() as u64;
        } else {
            self.store
                .save_checkpoint(self.company.id, &checkpoint, Utc::now())
                .await?;
        }
        tracing::debug!(resource = name, mode = mode.as_str(), "listing finished");
        Ok(summary)
    }
}
