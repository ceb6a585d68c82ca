//! Recruiting through the v2 beta (`/v2/recruiting/...`, `Beta: true`, which the client
//! sends; personio-api.md §3.12): categories with their pipeline stages, jobs, candidates
//! and applications. Each is listed whole on every sync of this resource, which also finds
//! deletions: the lists offer `updated_at.gt`, but jobs and applications stamp their
//! changes in local time with a zone name, so a watermark would need the zone rules; at
//! recruiting's sizes a full list is a few requests.
//!
//! Jobs' and applications' `source_created_at` is the local wall-clock time Personio sends
//! (`YYYY-MM-DDTHH:MM:SS`, no zone); candidates' is UTC.

use bridge_store::tables::{
    RECRUITING_APPLICATIONS, RECRUITING_CANDIDATES, RECRUITING_CATEGORIES, RECRUITING_JOBS,
};
use bridge_store::{Key, Row, Table, Value};
use futures::future::BoxFuture;
use personio_api::v2::recruiting::{Application, Candidate, Category, Job, LocalTimestamp};
use personio_client::Record;
use personio_client::endpoints::paths;
use serde::de::DeserializeOwned;

use super::{ListingPlan, Mapped, Paging, Reading, Resource, instant, later, raw};
use crate::context::Context;
use crate::engine::Syncing;
use crate::error::Error;
use crate::plan::Step;
use crate::summary::ResourceSummary;

/// Personio's largest recruiting page (§3.12).
const PAGE: u32 = 200;

fn local(stamp: &Option<LocalTimestamp>) -> Option<String> {
    stamp.as_ref().map(|s| s.date_time.clone())
}

/// How one recruiting list maps to its table.
pub(crate) trait RecruitingList: Send + Sync {
    type Item: DeserializeOwned + Send + 'static;
    const NAME: &'static str;
    const PATH: &'static str;
    fn table(&self) -> &'static Table;
    fn row(&self, record: &Record<Self::Item>) -> Result<Row, Error>;
}

/// A [`RecruitingList`] as a [`Resource`].
pub(crate) struct Recruiting<L>(pub L);

impl<L: RecruitingList> Resource for Recruiting<L> {
    type Item = L::Item;

    fn checkpoint_name(&self) -> String {
        format!("recruiting.{}", L::NAME)
    }

    fn table(&self) -> &'static Table {
        self.0.table()
    }

    fn listing(&self, _: &Step) -> ListingPlan {
        ListingPlan {
            path: L::PATH.into(),
            query: vec![("limit".into(), PAGE.to_string())],
            paging: Paging::V2,
        }
    }

    fn map(&self, _: &Step, items: Vec<Record<Self::Item>>, _: &Context) -> Result<Mapped, Error> {
        let mut mapped = Mapped::default();
        for record in &items {
            let row = self.0.row(record)?;
            mapped.max_updated = later(mapped.max_updated, row.source_updated_at);
            mapped.rows.push(row);
        }
        Ok(mapped)
    }
}

pub(crate) struct Categories;

impl RecruitingList for Categories {
    type Item = Category;
    const NAME: &'static str = "categories";
    const PATH: &'static str = paths::RECRUITING_CATEGORIES;

    fn table(&self) -> &'static Table {
        &RECRUITING_CATEGORIES
    }

    fn row(&self, record: &Record<Category>) -> Result<Row, Error> {
        let c = &record.value;
        Ok(RECRUITING_CATEGORIES
            .row(Key::Text(c.id.clone()))
            .set("name", Value::text(c.name.clone()))
            .set(
                "stages",
                Value::text(serde_json::to_string(&c.stages).unwrap_or_default()),
            )
            .finish(raw(record), None)?)
    }
}

pub(crate) struct Jobs;

impl RecruitingList for Jobs {
    type Item = Job;
    const NAME: &'static str = "jobs";
    const PATH: &'static str = paths::RECRUITING_JOBS;

    fn table(&self) -> &'static Table {
        &RECRUITING_JOBS
    }

    fn row(&self, record: &Record<Job>) -> Result<Row, Error> {
        let j = &record.value;
        Ok(RECRUITING_JOBS
            .row(Key::Text(j.id.clone()))
            .set("name", Value::text(j.name.clone()))
            .set(
                "department",
                Value::opt_text(j.department.as_ref().map(|d| d.name.clone())),
            )
            .set(
                "category_id",
                Value::opt_text(j.category.as_ref().map(|c| c.id.clone())),
            )
            .set("status", Value::opt_text(j.status.clone()))
            .set("source_created_at", Value::opt_text(local(&j.created_at)))
            .finish(raw(record), None)?)
    }
}

pub(crate) struct Candidates;

impl RecruitingList for Candidates {
    type Item = Candidate;
    const NAME: &'static str = "candidates";
    const PATH: &'static str = paths::RECRUITING_CANDIDATES;

    fn table(&self) -> &'static Table {
        &RECRUITING_CANDIDATES
    }

    fn row(&self, record: &Record<Candidate>) -> Result<Row, Error> {
        let c = &record.value;
        Ok(RECRUITING_CANDIDATES
            .row(Key::Text(c.id.clone()))
            .set("first_name", Value::text(c.first_name.clone()))
            .set("last_name", Value::text(c.last_name.clone()))
            .set("email", Value::text(c.email.clone()))
            .set("phone", Value::opt_text(c.phone.clone()))
            .set("location", Value::opt_text(c.location.clone()))
            .set(
                "source_created_at",
                Value::opt_text(instant(c.created_at.as_deref()).map(bridge_store::timestamp)),
            )
            .finish(raw(record), instant(c.updated_at.as_deref()))?)
    }
}

pub(crate) struct Applications;

impl RecruitingList for Applications {
    type Item = Application;
    const NAME: &'static str = "applications";
    const PATH: &'static str = paths::RECRUITING_APPLICATIONS;

    fn table(&self) -> &'static Table {
        &RECRUITING_APPLICATIONS
    }

    fn row(&self, record: &Record<Application>) -> Result<Row, Error> {
        let a = &record.value;
        let stage = &a.current_stage;
        Ok(RECRUITING_APPLICATIONS
            .row(Key::Text(a.id.clone()))
            .set("candidate_id", Value::text(a.candidate.id.clone()))
            .set("job_id", Value::text(a.job.id.clone()))
            .set(
                // System stages have no name, only their kind.
                "stage",
                Value::text(
                    stage
                        .name
                        .clone()
                        .unwrap_or_else(|| stage.stage_kind.clone()),
                ),
            )
            .set("stage_kind", Value::text(stage.kind.clone()))
            .set(
                "channel",
                Value::opt_text(a.channel.as_ref().map(|c| c.name.clone())),
            )
            .set(
                "application_date",
                Value::opt_text(a.application_date.clone()),
            )
            .set("is_anonymized", Value::Int(i64::from(a.is_anonymized)))
            .set("source_created_at", Value::opt_text(local(&a.created_at)))
            .finish(raw(record), None)?)
    }
}

/// Categories, jobs, candidates and applications. A company without recruiting answers 404
/// (personio-api.md §5.4): skipped, with the reason.
pub(crate) struct RecruitingLists;

impl Reading for RecruitingLists {
    fn read<'a>(&'a self, sync: &'a Syncing<'a>) -> BoxFuture<'a, Result<ResourceSummary, Error>> {
        Box::pin(async move {
            let mut summary = ResourceSummary::default();
            let read = async {
                summary.add(&sync.listing(&Recruiting(Categories)).await?);
                summary.add(&sync.listing(&Recruiting(Jobs)).await?);
                summary.add(&sync.listing(&Recruiting(Candidates)).await?);
                summary.add(&sync.listing(&Recruiting(Applications)).await?);
                Ok::<(), Error>(())
            };
            match read.await {
                Err(Error::Personio(e)) if e.kind() == personio_client::ErrorKind::NotFound => {
                    Ok(ResourceSummary {
                        skipped: Some(
                            "Personio has no recruiting for this company (its recruiting API answers 404)"
                                .into(),
                        ),
                        ..Default::default()
                    })
                }
                other => other.map(|()| summary),
            }
        })
    }
}
