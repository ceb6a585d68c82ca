//! Projects written through v2 `/v2/projects` (personio-api.md §3.10): the body in the
//! bridge's field names, Personio's body, and how a create whose answer was lost is found:
//! Personio refuses a second project of the same name (422 "duplicate name", H), so the
//! project of this name is ours.
//!
//! Checked before sending: a name (at most 255 characters), the status, dates, the start
//! not after the end, a description of at most 1000 characters, no cost center on a
//! sub-project. Duplicate names and codes, unknown cost centers and parents are Personio's to
//! judge: its refusal is passed on.

use personio_api::v2::{DateRef, IdRef, Project, ProjectWrite};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fields::{FieldError, Fields, bounded_text, integer, one_of, text};

const STATUSES: &[&str] = &["ACTIVE", "ARCHIVED"];
const FIELDS: &[&str] = &[
    "name",
    "status",
    "project_code",
    "description",
    "cost_center_id",
    "parent_project_id",
    "start",
    "end",
    "billable",
    "client_name",
    "project_type",
    "assigned_to_all",
];

/// A project to create, or changes to one (absent: unchanged; `Some(None)`: cleared).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectFields {
    pub name: Option<String>,
    pub status: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "personio_api::presence"
    )]
    pub project_code: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "personio_api::presence"
    )]
    pub description: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "personio_api::presence"
    )]
    pub cost_center_id: Option<Option<i64>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "personio_api::presence"
    )]
    pub parent_project_id: Option<Option<i64>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "personio_api::presence"
    )]
    pub start: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "personio_api::presence"
    )]
    pub end: Option<Option<String>>,
    pub billable: Option<bool>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "personio_api::presence"
    )]
    pub client_name: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "personio_api::presence"
    )]
    pub project_type: Option<Option<String>>,
    pub assigned_to_all: Option<bool>,
}

fn boolean(field: &str, value: Value) -> Result<bool, FieldError> {
    value
        .as_bool()
        .ok_or_else(|| FieldError::new(field, "must be true or false"))
}

fn day(field: &str, value: Value) -> Result<String, FieldError> {
    let raw = text(field, value)?;
    chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map(|d| d.to_string())
        .map_err(|_| FieldError::new(field, "must be a date such as 2027-01-31"))
}

impl ProjectFields {
    /// Reads a create body (`name` required; `status` ACTIVE unless given) or, with
    /// `create` false, the changes of an update (at least one field).
    pub fn from_json(body: Value, create: bool) -> Result<ProjectFields, FieldError> {
        let mut fields = Fields::of(body)?;
        let name = if create {
            Some(fields.required("name", bounded_text(255))?)
        } else {
            fields.optional("name", bounded_text(255))?
        };
        let status = fields.optional("status", one_of(STATUSES))?;
        let project = ProjectFields {
            name,
            status: status.or_else(|| create.then(|| "ACTIVE".to_owned())),
            project_code: fields.nullable("project_code", bounded_text(255))?,
            description: fields.nullable("description", bounded_text(1000))?,
            cost_center_id: fields.nullable("cost_center_id", integer)?,
            parent_project_id: fields.nullable("parent_project_id", integer)?,
            start: fields.nullable("start", day)?,
            end: fields.nullable("end", day)?,
            billable: fields.optional("billable", boolean)?,
            client_name: fields.nullable("client_name", bounded_text(255))?,
            project_type: fields.nullable("project_type", bounded_text(255))?,
            assigned_to_all: fields.optional("assigned_to_all", boolean)?,
        };
        fields.finish(FIELDS)?;
        if project.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(FieldError::new("name", "must not be empty"));
        }
        if let (Some(Some(start)), Some(Some(end))) = (&project.start, &project.end)
            && start > end
        {
            return Err(FieldError::new("end", "must not be before start"));
        }
        if matches!(project.parent_project_id, Some(Some(_)))
            && matches!(project.cost_center_id, Some(Some(_)))
        {
            return Err(FieldError::new(
                "cost_center_id",
                "a sub-project takes its parent's cost center",
            ));
        }
        if !create && project == ProjectFields::default() {
            return Err(FieldError::new(
                "",
                format!("name at least one field to change ({})", FIELDS.join(", ")),
            ));
        }
        Ok(project)
    }

    pub(crate) fn body(&self) -> ProjectWrite {
        let id = |v: &Option<Option<i64>>| v.map(|v| v.map(IdRef::new));
        let date = |v: &Option<Option<String>>| v.clone().map(|v| v.map(|date| DateRef { date }));
        ProjectWrite {
            name: self.name.clone().map(Some),
            status: self.status.clone().map(Some),
            project_code: self.project_code.clone(),
            description: self.description.clone(),
            cost_center: id(&self.cost_center_id),
            assigned_to_all: self.assigned_to_all.map(Some),
            parent_project: id(&self.parent_project_id),
            start: date(&self.start),
            end: date(&self.end),
            billable: self.billable.map(Some),
            client_name: self.client_name.clone(),
            project_type: self.project_type.clone(),
        }
    }

    /// The filter that finds a created project: its name, which Personio keeps unique.
    pub(crate) fn lookup(&self) -> Vec<(&'static str, String)> {
        vec![("name", self.name.clone().unwrap_or_default())]
    }

    /// Whether `project` shows every field given.
    pub(crate) fn shown_by(&self, project: &Project) -> bool {
        fn same<T: PartialEq>(want: &Option<T>, have: T) -> bool {
            want.as_ref().is_none_or(|w| *w == have)
        }
        let id = |r: &Option<IdRef>| r.as_ref().and_then(|r| r.id.trim().parse::<i64>().ok());
        let date = |d: &Option<DateRef>| d.as_ref().map(|d| d.date.clone());
        same(&self.name, project.name.clone())
            && same(&self.status, project.status.clone())
            && same(&self.project_code, project.project_code.clone())
            && same(&self.description, project.description.clone())
            && same(&self.cost_center_id, id(&project.cost_center))
            && same(&self.parent_project_id, id(&project.parent_project))
            && same(&self.start, date(&project.start))
            && same(&self.end, date(&project.end))
            && same(&self.billable, project.billable)
            && same(&self.client_name, project.client_name.clone())
            && same(&self.project_type, project.project_type.clone())
            && same(&self.assigned_to_all, project.assigned_to_all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_project_is_read_and_checked() {
        let new = ProjectFields::from_json(json!({"name": "Launch", "start": "2027-01-01"}), true)
            .unwrap();
        assert_eq!(new.status.as_deref(), Some("ACTIVE"));
        let body = serde_json::to_value(new.body()).unwrap();
        assert_eq!(body["start"]["date"], "2027-01-01");
        let field = |body: Value, create| ProjectFields::from_json(body, create).unwrap_err().field;
        assert_eq!(field(json!({"status": "ACTIVE"}), true), "name");
        assert_eq!(
            field(json!({"name": "x", "status": "DONE"}), true),
            "status"
        );
        assert_eq!(
            field(
                json!({"name": "x", "start": "2027-02-01", "end": "2027-01-01"}),
                true
            ),
            "end"
        );
        assert_eq!(
            field(
                json!({"name": "x", "parent_project_id": 1, "cost_center_id": 2}),
                true
            ),
            "cost_center_id"
        );
        assert!(ProjectFields::from_json(json!({}), false).is_err());
        let changes = ProjectFields::from_json(json!({"description": null}), false).unwrap();
        assert_eq!(
            serde_json::to_value(changes.body()).unwrap(),
            json!({"description": null})
        );
    }
}
