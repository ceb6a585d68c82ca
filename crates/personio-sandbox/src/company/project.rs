//! Projects that time is tracked on (v2 `/v2/projects`, and v1 attendance projects when
//! the legacy API is served), their members, and the `Company` methods that change them
//! under Personio's rules (personio-api.md §3.10): unique names and codes, one level of
//! sub-projects that inherit their parent's assignment and billing, members only on
//! top-level projects that are not assigned to everyone.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::Company;
use super::attendance::{AttendanceChanges, PeriodKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectStatus {
    Active,
    Archived,
}

impl ProjectStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::Active => "ACTIVE",
            ProjectStatus::Archived => "ARCHIVED",
        }
    }

    pub fn parse(s: &str) -> Option<ProjectStatus> {
        match s {
            "ACTIVE" => Some(ProjectStatus::Active),
            "ARCHIVED" => Some(ProjectStatus::Archived),
            _ => None,
        }
    }
}

/// One project. For a sub-project, `billable` and `assigned_to_all` are its parent's (see
/// [`Company::project_billable`]); its own fields hold nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: u32,
    pub name: String,
    pub code: Option<String>,
    pub description: Option<String>,
    pub status: ProjectStatus,
    pub cost_center_id: Option<i64>,
    pub parent_id: Option<u32>,
    /// Inclusive.
    pub start: Option<NaiveDate>,
    /// Exclusive.
    pub end: Option<NaiveDate>,
    pub billable: bool,
    pub client_name: Option<String>,
    pub project_type: Option<String>,
    pub assigned_to_all: bool,
    /// Employee ids, sorted; empty when assigned to all.
    pub members: Vec<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Project {
    pub fn is_active(&self) -> bool {
        self.status == ProjectStatus::Active
    }

    /// Whether `day` lies within the project's dates.
    pub fn runs_on(&self, day: NaiveDate) -> bool {
        self.start.is_none_or(|s| day >= s) && self.end.is_none_or(|e| day < e)
    }
}

/// Every project, sorted by id.
#[derive(Debug, Clone, Default)]
pub struct Projects {
    pub list: Vec<Project>,
    pub(crate) next_id: u32,
}

impl Projects {
    pub(crate) fn new(list: Vec<Project>) -> Projects {
        let next_id = list.iter().map(|p| p.id + 1).max().unwrap_or(1);
        Projects { list, next_id }
    }
}

/// A new project. `name` and `status` are required; the rest may stay unset.
#[derive(Debug, Clone)]
pub struct ProjectDraft {
    pub name: String,
    pub status: ProjectStatus,
    pub code: Option<String>,
    pub description: Option<String>,
    pub cost_center_id: Option<i64>,
    pub assigned_to_all: Option<bool>,
    pub parent_id: Option<u32>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub billable: Option<bool>,
    pub client_name: Option<String>,
    pub project_type: Option<String>,
}

impl ProjectDraft {
    pub fn new(name: impl Into<String>, status: ProjectStatus) -> ProjectDraft {
        ProjectDraft {
            name: name.into(),
            status,
            code: None,
            description: None,
            cost_center_id: None,
            assigned_to_all: None,
            parent_id: None,
            start: None,
            end: None,
            billable: None,
            client_name: None,
            project_type: None,
        }
    }
}

/// Requested changes; `None` leaves a field, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct ProjectChanges {
    pub name: Option<String>,
    pub status: Option<ProjectStatus>,
    pub code: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub cost_center_id: Option<Option<i64>>,
    pub assigned_to_all: Option<bool>,
    pub start: Option<Option<NaiveDate>>,
    pub end: Option<Option<NaiveDate>>,
    pub billable: Option<bool>,
    pub client_name: Option<Option<String>>,
    pub project_type: Option<Option<String>>,
}

/// Why a project change was refused (all 422 in v2, except `NotFound`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectError {
    #[error("Project {0} not found")]
    NotFound(u32),
    #[error("Project name cannot be empty")]
    NameRequired,
    #[error("The project name may not be longer than 255 characters.")]
    NameTooLong,
    #[error("The project description may not be longer than 1000 characters.")]
    DescriptionTooLong,
    #[error("A project with this name already exists.")]
    DuplicateName,
    #[error("A project with this project code already exists.")]
    DuplicateCode,
    #[error("Cost center {0} does not exist.")]
    UnknownCostCenter(i64),
    #[error("Parent project {0} does not exist.")]
    UnknownParent(u32),
    #[error("A sub project cannot be the parent of another project.")]
    NestedTooDeep,
    #[error("The start date is greater than the end date.")]
    StartAfterEnd,
    #[error("The field {0} cannot be set on a sub project.")]
    SubProjectField(&'static str),
    #[error("Sub projects cannot have members.")]
    SubProjectMembers,
    #[error("Person {0} not found.")]
    UnknownPerson(i64),
}

const MAX_NAME_CHARS: usize = 255;
const MAX_DESCRIPTION_CHARS: usize = 1000;

impl Company {
    pub fn project(&self, id: u32) -> Option<&Project> {
        self.projects
            .list
            .binary_search_by_key(&id, |p| p.id)
            .ok()
            .map(|i| &self.projects.list[i])
    }

    fn project_mut(&mut self, id: u32) -> Option<&mut Project> {
        self.projects
            .list
            .binary_search_by_key(&id, |p| p.id)
            .ok()
            .map(|i| &mut self.projects.list[i])
    }

    /// The sub-projects of `id`.
    pub fn sub_projects(&self, id: u32) -> impl Iterator<Item = &Project> + '_ {
        self.projects
            .list
            .iter()
            .filter(move |p| p.parent_id == Some(id))
    }

    /// A project's own flag, or its parent's for a sub-project.
    pub fn project_billable(&self, project: &Project) -> bool {
        self.top_level(project).billable
    }

    /// A project's own flag, or its parent's for a sub-project.
    pub fn project_assigned_to_all(&self, project: &Project) -> bool {
        self.top_level(project).assigned_to_all
    }

    fn top_level<'a>(&'a self, project: &'a Project) -> &'a Project {
        project
            .parent_id
            .and_then(|p| self.project(p))
            .unwrap_or(project)
    }

    /// Creates a project (as `POST /v2/projects` does); returns its id.
    pub fn create_project(
        &mut self,
        draft: ProjectDraft,
        now: DateTime<Utc>,
    ) -> Result<u32, ProjectError> {
        if let Some(parent) = draft.parent_id {
            let parent = self
                .project(parent)
                .ok_or(ProjectError::UnknownParent(parent))?;
            if parent.parent_id.is_some() {
                return Err(ProjectError::NestedTooDeep);
            }
            let unsupported = [
                ("cost_center", draft.cost_center_id.is_some()),
                ("assigned_to_all", draft.assigned_to_all.is_some()),
                ("billable", draft.billable.is_some()),
                ("client_name", draft.client_name.is_some()),
                ("project_type", draft.project_type.is_some()),
            ];
            if let Some((field, _)) = unsupported.iter().find(|(_, set)| *set) {
                return Err(ProjectError::SubProjectField(field));
            }
        }
        let project = Project {
            id: self.projects.next_id,
            name: draft.name.trim().to_owned(),
            code: draft.code,
            description: draft.description,
            status: draft.status,
            cost_center_id: draft.cost_center_id,
            parent_id: draft.parent_id,
            start: draft.start,
            end: draft.end,
            billable: draft.billable.unwrap_or(false),
            client_name: draft.client_name,
            project_type: draft.project_type,
            assigned_to_all: draft.assigned_to_all.unwrap_or(false),
            members: Vec::new(),
            created_at: now,
            updated_at: now,
        };
        self.check_project(&project)?;
        self.projects.next_id += 1;
        let id = project.id;
        // Ids only grow, so pushing keeps the list sorted.
        self.projects.list.push(project);
        Ok(id)
    }

    /// Changes a project (as `PATCH /v2/projects/{id}` does). Turning `assigned_to_all` on
    /// removes every member, as Personio does.
    pub fn update_project(
        &mut self,
        id: u32,
        changes: ProjectChanges,
        now: DateTime<Utc>,
    ) -> Result<(), ProjectError> {
        let current = self.project(id).ok_or(ProjectError::NotFound(id))?.clone();
        if current.parent_id.is_some() {
            let unsupported = [
                (
                    "cost_center",
                    matches!(changes.cost_center_id, Some(Some(_))),
                ),
                ("assigned_to_all", changes.assigned_to_all.is_some()),
                ("billable", changes.billable.is_some()),
                ("client_name", matches!(changes.client_name, Some(Some(_)))),
                (
                    "project_type",
                    matches!(changes.project_type, Some(Some(_))),
                ),
            ];
            if let Some((field, _)) = unsupported.iter().find(|(_, set)| *set) {
                return Err(ProjectError::SubProjectField(field));
            }
        }
        let mut next = current.clone();
        if let Some(name) = changes.name {
            next.name = name.trim().to_owned();
        }
        macro_rules! set {
            ($($field:ident),*) => {$(
                if let Some(value) = changes.$field {
                    next.$field = value;
                }
            )*};
        }
        set!(
            status,
            code,
            description,
            cost_center_id,
            assigned_to_all,
            start,
            end,
            billable,
            client_name,
            project_type
        );
        if next.assigned_to_all && !current.assigned_to_all {
            next.members.clear();
        }
        if next == current {
            return Ok(());
        }
        self.check_project(&next)?;
        next.updated_at = now.max(current.updated_at);
        if let Some(slot) = self.project_mut(id) {
            *slot = next;
        }
        Ok(())
    }

    /// Deletes a project and its sub-projects; attendance periods tracked on them keep
    /// their time but lose the project (each records `attendance-period.updated`). Returns
    /// the ids removed.
    pub fn delete_project(
        &mut self,
        id: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<u32>, ProjectError> {
        self.project(id).ok_or(ProjectError::NotFound(id))?;
        let mut removed: Vec<u32> = self.sub_projects(id).map(|p| p.id).collect();
        removed.push(id);
        self.projects.list.retain(|p| !removed.contains(&p.id));
        let tracked: Vec<Uuid> = self
            .attendances
            .periods
            .iter()
            .filter(|p| p.project.is_some_and(|p| removed.contains(&p)))
            .map(|p| p.id)
            .collect();
        for period in tracked {
            let detach = AttendanceChanges {
                project: Some(None),
                ..Default::default()
            };
            // The period exists and only loses its project, which no rule forbids.
            let _ = self.update_attendance(period, detach, now);
        }
        Ok(removed)
    }

    /// Adds members (as `POST /v2/projects/{id}/members` does): a project assigned to
    /// everyone becomes member-based; existing members are a no-op; one unknown person
    /// fails the whole request; sub-projects cannot have members.
    pub fn add_project_members(
        &mut self,
        id: u32,
        persons: &[i64],
        now: DateTime<Utc>,
    ) -> Result<(), ProjectError> {
        self.check_members(id, persons)?;
        if let Some(project) = self.project_mut(id) {
            let before = (project.members.clone(), project.assigned_to_all);
            project.assigned_to_all = false;
            project.members.extend_from_slice(persons);
            project.members.sort_unstable();
            project.members.dedup();
            if (project.members.clone(), project.assigned_to_all) != before {
                project.updated_at = now.max(project.updated_at);
            }
        }
        Ok(())
    }

    /// Removes members (as `DELETE /v2/projects/{id}/members` does), under the same rules.
    pub fn remove_project_members(
        &mut self,
        id: u32,
        persons: &[i64],
        now: DateTime<Utc>,
    ) -> Result<(), ProjectError> {
        self.check_members(id, persons)?;
        if let Some(project) = self.project_mut(id) {
            let before = project.members.len();
            project.members.retain(|m| !persons.contains(m));
            if project.members.len() != before {
                project.updated_at = now.max(project.updated_at);
            }
        }
        Ok(())
    }

    /// Per project: minutes of work tracked on it (breaks taken out) and how many periods.
    /// Rejected periods and open ones do not count.
    pub fn project_totals(&self) -> HashMap<u32, (i64, i64)> {
        let mut totals: HashMap<u32, (i64, i64)> = HashMap::new();
        let store = &self.attendances;
        for period in store.periods.iter() {
            let (Some(project), Some(minutes)) = (period.project, period.minutes()) else {
                continue;
            };
            if period.kind != PeriodKind::Work
                || period.status == super::attendance::AttendanceStatus::Rejected
            {
                continue;
            }
            let entry = totals.entry(project).or_default();
            entry.0 += i64::from(minutes - store.break_minutes(period));
            entry.1 += 1;
        }
        totals
    }

    fn check_members(&self, id: u32, persons: &[i64]) -> Result<(), ProjectError> {
        let project = self.project(id).ok_or(ProjectError::NotFound(id))?;
        if project.parent_id.is_some() {
            return Err(ProjectError::SubProjectMembers);
        }
        match persons.iter().find(|p| self.employee(**p).is_none()) {
            Some(unknown) => Err(ProjectError::UnknownPerson(*unknown)),
            None => Ok(()),
        }
    }

    fn check_project(&self, project: &Project) -> Result<(), ProjectError> {
        if project.name.is_empty() {
            return Err(ProjectError::NameRequired);
        }
        if project.name.chars().count() > MAX_NAME_CHARS {
            return Err(ProjectError::NameTooLong);
        }
        if project
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
        {
            return Err(ProjectError::DescriptionTooLong);
        }
        let others = || self.projects.list.iter().filter(|p| p.id != project.id);
        if others().any(|p| p.name == project.name) {
            return Err(ProjectError::DuplicateName);
        }
        if let Some(code) = &project.code
            && others().any(|p| p.code.as_ref() == Some(code))
        {
            return Err(ProjectError::DuplicateCode);
        }
        if let Some(cc) = project.cost_center_id
            && self.cost_center(cc).is_none()
        {
            return Err(ProjectError::UnknownCostCenter(cc));
        }
        if let (Some(start), Some(end)) = (project.start, project.end)
            && start > end
        {
            return Err(ProjectError::StartAfterEnd);
        }
        Ok(())
    }
}
