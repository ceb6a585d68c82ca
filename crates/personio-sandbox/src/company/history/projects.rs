//! The generated projects: client and internal work across departments, some finished and
//! archived, some with sub-projects, one open to everyone; and who may book time on what.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::company::project::{Project, ProjectStatus};
use crate::company::{Company, OrgUnitKind};

/// When a project ran, relative to `as_of`.
#[derive(Clone, Copy)]
enum Timing {
    /// Started long ago, still running.
    Ongoing,
    /// Started this year, still running.
    Recent,
    /// Ended a few months ago; archived.
    Finished,
}

struct Template {
    name: &'static str,
    client: Option<&'static str>,
    kind: &'static str,
    /// Departments whose people work on it; empty means everyone (assigned to all).
    departments: &'static [&'static str],
    timing: Timing,
    subs: &'static [&'static str],
}

const TEMPLATES: &[Template] = &[
    Template {
        name: "Customer portal relaunch",
        client: Some("Nordwind Logistik AG"),
        kind: "Fixed price",
        departments: &["Engineering", "Product", "Design"],
        timing: Timing::Ongoing,
        subs: &["Discovery", "Implementation", "Rollout"],
    },
    Template {
        name: "Mobile app 3.0",
        client: None,
        kind: "Product development",
        departments: &["Engineering", "Design"],
        timing: Timing::Recent,
        subs: &["iOS", "Android"],
    },
    Template {
        name: "Data warehouse migration",
        client: None,
        kind: "Internal",
        departments: &["Data", "Engineering"],
        timing: Timing::Finished,
        subs: &[],
    },
    Template {
        name: "Implementation: Grupo Solé",
        client: Some("Grupo Solé S.A."),
        kind: "Time & material",
        departments: &["Customer Success", "Engineering"],
        timing: Timing::Ongoing,
        subs: &["Onboarding workshops", "Integrations"],
    },
    Template {
        name: "ISO 27001 certification",
        client: None,
        kind: "Compliance",
        departments: &["Engineering", "Legal", "Workplace"],
        timing: Timing::Recent,
        subs: &[],
    },
    Template {
        name: "Spring campaign",
        client: None,
        kind: "Marketing",
        departments: &["Marketing", "Sales"],
        timing: Timing::Finished,
        subs: &[],
    },
    Template {
        name: "Payroll integration",
        client: Some("Fenwick & Hale Ltd"),
        kind: "Fixed price",
        departments: &["Engineering", "Customer Success", "Finance"],
        timing: Timing::Ongoing,
        subs: &[],
    },
    Template {
        name: "Research grant: smart scheduling",
        client: None,
        kind: "Research",
        departments: &["Data", "Product"],
        timing: Timing::Ongoing,
        subs: &["Work package 1", "Work package 2"],
    },
    Template {
        name: "Internal meetings & training",
        client: None,
        kind: "Internal",
        departments: &[],
        timing: Timing::Ongoing,
        subs: &[],
    },
];

/// The projects, with ids that grow with gaps like a database's.
pub(super) fn generate(company: &Company, rng: &mut ChaCha8Rng) -> Vec<Project> {
    let today = company.as_of.date_naive();
    let mut next_id: u32 = rng.random_range(82_000..83_000);
    let mut projects = Vec::new();
    for (index, template) in TEMPLATES.iter().enumerate() {
        let (start, end, status) = match template.timing {
            Timing::Ongoing => (
                today - Duration::days(rng.random_range(500..900)),
                None,
                ProjectStatus::Active,
            ),
            Timing::Recent => (
                today - Duration::days(rng.random_range(60..200)),
                None,
                ProjectStatus::Active,
            ),
            Timing::Finished => {
                let end = today - Duration::days(rng.random_range(40..150));
                (
                    end - Duration::days(rng.random_range(90..240)),
                    Some(end),
                    ProjectStatus::Archived,
                )
            }
        };
        let created_at = noon(start - Duration::days(rng.random_range(3..30)))
            .min(company.as_of - Duration::days(1));
        let updated_at = match end {
            Some(end) => noon(end)
                .max(created_at)
                .min(company.as_of - Duration::hours(1)),
            None => created_at,
        };
        let department = template.departments.first().and_then(|name| {
            company
                .org_units
                .iter()
                .find(|u| u.kind == OrgUnitKind::Department && u.name == *name)
        });
        let everyone = template.departments.is_empty();
        let members = if everyone {
            Vec::new()
        } else {
            members_of(company, template.departments, rng)
        };
        next_id += rng.random_range(1..9);
        let parent = Project {
            id: next_id,
            name: template.name.to_owned(),
            code: Some(format!("PRJ-{}", 1001 + index * 7)),
            description: Some(format!(
                "{} ({})",
                template.name,
                template.kind.to_lowercase()
            )),
            status,
            cost_center_id: department.and_then(|d| d.cost_center_id),
            parent_id: None,
            start: Some(start),
            end,
            billable: template.client.is_some(),
            client_name: template.client.map(str::to_owned),
            project_type: Some(template.kind.to_owned()),
            assigned_to_all: everyone,
            members,
            created_at,
            updated_at,
        };
        let parent_id = parent.id;
        projects.push(parent);
        for sub in template.subs {
            next_id += rng.random_range(1..4);
            projects.push(Project {
                id: next_id,
                name: format!("{}: {sub}", template.name),
                code: rng
                    .random_bool(0.5)
                    .then(|| format!("PRJ-{}-{}", 1001 + index * 7, &sub[..1])),
                description: None,
                status,
                cost_center_id: None,
                parent_id: Some(parent_id),
                start: Some(start),
                end,
                billable: false,
                client_name: None,
                project_type: None,
                assigned_to_all: false,
                members: Vec::new(),
                created_at,
                updated_at,
            });
        }
    }
    projects
}

/// About two in three people of the given departments (or their teams), by id.
fn members_of(company: &Company, departments: &[&str], rng: &mut ChaCha8Rng) -> Vec<i64> {
    let ids: Vec<i64> = company
        .org_units
        .iter()
        .filter(|u| u.kind == OrgUnitKind::Department && departments.contains(&u.name.as_str()))
        .map(|u| u.id)
        .collect();
    company
        .employees
        .iter()
        .filter(|e| e.department_id.is_some_and(|d| ids.contains(&d)))
        .filter(|_| rng.random_bool(0.65))
        .map(|e| e.id)
        .collect()
}

fn noon(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(12, 0, 0).expect("noon exists").and_utc()
}

/// Which projects each person may book time on: the top-level projects they belong to or
/// that are open to everyone, and the sub-projects of those.
pub(super) struct Assignments {
    by_person: HashMap<i64, Vec<u32>>,
    everyone: Vec<u32>,
}

impl Assignments {
    pub(super) fn new(company: &Company) -> Assignments {
        let with_subs = |project: &Project| {
            let mut ids = vec![project.id];
            ids.extend(company.sub_projects(project.id).map(|p| p.id));
            ids
        };
        let mut by_person: HashMap<i64, Vec<u32>> = HashMap::new();
        let mut everyone = Vec::new();
        for project in company
            .projects
            .list
            .iter()
            .filter(|p| p.parent_id.is_none())
        {
            if project.assigned_to_all {
                everyone.extend(with_subs(project));
            }
            for member in &project.members {
                by_person
                    .entry(*member)
                    .or_default()
                    .extend(with_subs(project));
            }
        }
        Assignments {
            by_person,
            everyone,
        }
    }

    /// The person's own projects (membership), and those open to everyone.
    pub(super) fn of(&self, person: i64) -> (&[u32], &[u32]) {
        (
            self.by_person.get(&person).map_or(&[][..], Vec::as_slice),
            &self.everyone,
        )
    }
}
