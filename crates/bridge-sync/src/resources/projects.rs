//! Projects through v2 (`GET /v2/projects`, personio-api.md §3.10) and their members
//! (`GET /v2/projects/{id}/members`, one list per top-level project: sub-projects cannot
//! have members and inherit their parent's). Projects have no change feed, so every sync
//! lists them whole, which also finds deletions.

use bridge_store::tables::{PROJECT_MEMBERS, PROJECTS};
use bridge_store::{Key, Table, Value};
use futures::future::BoxFuture;
use personio_api::v2;
use personio_client::endpoints::paths;
use personio_client::{Client, Record};

use super::children::{Children, PerParent, all_v2};
use super::{ListingPlan, Mapped, Paging, Reading, Resource, instant, later, raw};
use crate::context::Context;
use crate::engine::{Parents, Syncing};
use crate::error::Error;
use crate::plan::Step;
use crate::summary::ResourceSummary;

/// Page size of the project list (Personio documents no maximum; 100 is what its other
/// v2 lists allow, personio-api.md §3.1: our choice).
const PROJECT_PAGE: u32 = 100;
/// Page size of a member list: Personio's maximum (§3.10).
const MEMBER_PAGE: u32 = 200;

fn numeric(resource: &'static str, id: &str) -> Result<i64, Error> {
    id.trim().parse().map_err(|_| Error::Malformed {
        resource,
        field: "a numeric id",
    })
}

fn id_of(r: &Option<v2::IdRef>) -> Option<i64> {
    r.as_ref().and_then(|r| r.id.trim().parse().ok())
}

/// `GET /v2/projects`.
pub(crate) struct Projects;

impl Resource for Projects {
    type Item = v2::Project;

    fn checkpoint_name(&self) -> String {
        "projects".into()
    }

    fn table(&self) -> &'static Table {
        &PROJECTS
    }

    fn listing(&self, _: &Step) -> ListingPlan {
        ListingPlan {
            path: paths::PROJECTS.into(),
            query: vec![("limit".into(), PROJECT_PAGE.to_string())],
            paging: Paging::V2,
        }
    }

    fn map(&self, _: &Step, items: Vec<Record<Self::Item>>, _: &Context) -> Result<Mapped, Error> {
        let mut mapped = Mapped::default();
        for record in items {
            let p = &record.value;
            let updated = instant(p.updated_at.as_deref());
            mapped.max_updated = later(mapped.max_updated, updated);
            mapped.rows.push(project_row(&record)?);
        }
        Ok(mapped)
    }

    fn derived_tables(&self) -> Vec<(&'static Table, &'static str)> {
        vec![(&PROJECT_MEMBERS, "project_id")]
    }
}

/// `GET /v2/projects/{id}/members` of one project.
pub(crate) struct ProjectMembers;

impl PerParent for ProjectMembers {
    fn checkpoint_name(&self) -> &'static str {
        "project_members"
    }

    fn table(&self) -> &'static Table {
        &PROJECT_MEMBERS
    }

    fn parent_column(&self) -> &'static str {
        "project_id"
    }

    fn fetch<'a>(
        &'a self,
        client: &'a Client,
        parent: &'a Key,
    ) -> BoxFuture<'a, Result<Children, Error>> {
        Box::pin(async move {
            let path = paths::project_members(parent);
            let (items, min_requests) =
                all_v2::<v2::ProjectMember>(client, &path, MEMBER_PAGE, Vec::new()).await?;
            let Key::Int(project) = parent else {
                return Err(Error::Malformed {
                    resource: "project",
                    field: "a numeric id",
                });
            };
            let rows = items
                .into_iter()
                .map(|record| {
                    let person = numeric("project member", &record.value.person.id)?;
                    Ok(PROJECT_MEMBERS
                        .row(Key::Text(format!("{project}:{person}")))
                        .set("project_id", Value::Int(*project))
                        .set("employee_id", Value::Int(person))
                        .finish(raw(&record), None)?)
                })
                .collect::<Result<_, Error>>()?;
            Ok(Children { rows, min_requests })
        })
    }
}

/// Projects, then the members of every top-level project.
pub(crate) struct ProjectsWithMembers;

impl Reading for ProjectsWithMembers {
    fn read<'a>(&'a self, sync: &'a Syncing<'a>) -> BoxFuture<'a, Result<ResourceSummary, Error>> {
        Box::pin(async move {
            let mut summary = sync.listing(&Projects).await?;
            let parent = PROJECTS
                .column_index("parent_project_id")
                .expect("projects have a parent column");
            let mut top_level = Vec::new();
            let mut after = None;
            loop {
                let page = sync
                    .store()
                    .records(sync.company(), &PROJECTS, after.as_ref(), 1000, false)
                    .await?;
                let Some(last) = page.last() else { break };
                after = Some(last.key.clone());
                top_level.extend(
                    page.into_iter()
                        .filter(|p| p.values[parent] == Value::Null)
                        .map(|p| p.key),
                );
            }
            let members = sync
                .children(&ProjectMembers, Parents::all(top_level))
                .await?;
            summary.add(&members);
            Ok(summary)
        })
    }
}

/// The row of one v2 project, as a sync and a write to Personio store it.
pub(crate) fn project_row(record: &Record<v2::Project>) -> Result<bridge_store::Row, Error> {
    let p = &record.value;
    let updated = instant(p.updated_at.as_deref());
    Ok(PROJECTS
        .row(Key::Int(numeric("project", &p.id)?))
        .set("name", Value::text(p.name.clone()))
        .set("project_code", Value::opt_text(p.project_code.clone()))
        .set("description", Value::opt_text(p.description.clone()))
        .set("status", Value::text(p.status.clone()))
        .set("cost_center_id", Value::opt_int(id_of(&p.cost_center)))
        .set(
            "parent_project_id",
            Value::opt_int(id_of(&p.parent_project)),
        )
        .set(
            "start",
            Value::opt_text(p.start.as_ref().map(|d| d.date.clone())),
        )
        .set(
            "end",
            Value::opt_text(p.end.as_ref().map(|d| d.date.clone())),
        )
        .set("billable", Value::Int(i64::from(p.billable)))
        .set("client_name", Value::opt_text(p.client_name.clone()))
        .set("project_type", Value::opt_text(p.project_type.clone()))
        .set("assigned_to_all", Value::Int(i64::from(p.assigned_to_all)))
        .set(
            "source_created_at",
            Value::opt_text(instant(p.created_at.as_deref()).map(bridge_store::timestamp)),
        )
        .finish(raw(record), updated)?)
}
