//! Projects as v2 shows them, and as v1 attendance projects. Sub-projects show their
//! parent's billing and assignment, which they inherit (personio-api.md §3.10).

use personio_api::v1;
use personio_api::v2::{self, DateRef, IdRef};

use super::{v2_date, v2_timestamp};
use crate::company::{Company, Project};

/// Figures `include=` may add to a project.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Included {
    pub tracked_minutes: bool,
    pub sub_projects_tracked_minutes: bool,
    pub sub_projects_count: bool,
    pub tracked_periods_count: bool,
}

/// Per project (minutes, periods), from [`Company::project_totals`].
pub(crate) type Totals = std::collections::HashMap<u32, (i64, i64)>;

pub(crate) fn v2(
    company: &Company,
    p: &Project,
    included: Included,
    totals: &Totals,
) -> v2::Project {
    let own = totals.get(&p.id).copied().unwrap_or_default();
    let subs: Vec<&Project> = company.sub_projects(p.id).collect();
    let sub_minutes = subs
        .iter()
        .map(|s| totals.get(&s.id).map_or(0, |t| t.0))
        .sum();
    v2::Project {
        id: p.id.to_string(),
        name: p.name.clone(),
        project_code: p.code.clone(),
        description: p.description.clone(),
        status: p.status.as_str().to_owned(),
        cost_center: p.cost_center_id.map(IdRef::new),
        parent_project: p.parent_id.map(IdRef::new),
        start: p.start.map(|d| DateRef { date: v2_date(d) }),
        end: p.end.map(|d| DateRef { date: v2_date(d) }),
        billable: company.project_billable(p),
        client_name: p.client_name.clone(),
        project_type: p.project_type.clone(),
        assigned_to_all: company.project_assigned_to_all(p),
        created_at: Some(v2_timestamp(p.created_at)),
        updated_at: Some(v2_timestamp(p.updated_at)),
        tracked_minutes: included.tracked_minutes.then_some(own.0),
        sub_projects_tracked_minutes: included.sub_projects_tracked_minutes.then_some(sub_minutes),
        sub_projects_count: included.sub_projects_count.then_some(subs.len() as i64),
        tracked_periods_count: included.tracked_periods_count.then_some(own.1),
    }
}

/// A v1 attendance project: `active` is v2's `ACTIVE`; times in the company's zone with a
/// `+0100`-style offset (§2.4 example).
pub(crate) fn v1(company: &Company, p: &Project) -> v1::Project {
    let stamp = |at: chrono::DateTime<chrono::Utc>| {
        at.with_timezone(&company.timezone)
            .format("%Y-%m-%dT%H:%M:%S%z")
            .to_string()
    };
    v1::Project {
        id: i64::from(p.id),
        kind: "Project".to_owned(),
        attributes: v1::ProjectAttributes {
            name: p.name.clone(),
            active: p.is_active(),
            created_at: Some(stamp(p.created_at)),
            updated_at: Some(stamp(p.updated_at)),
        },
    }
}

/// The project embedded in a v1 attendance: name and `active` only.
pub(crate) fn v1_embedded(p: &Project) -> v1::Project {
    v1::Project {
        id: i64::from(p.id),
        kind: "Project".to_owned(),
        attributes: v1::ProjectAttributes {
            name: p.name.clone(),
            active: p.is_active(),
            created_at: None,
            updated_at: None,
        },
    }
}
