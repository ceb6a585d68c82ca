//! The tools: names, descriptions, the scope each needs, argument schemas, and what a tool
//! call answers. Descriptions say what a tool answers and what its arguments mean: they are
//! what an agent reads to choose one.

use std::sync::Arc;

use bridge_store::Scope;
use rmcp::model::JsonObject;
use schemars::JsonSchema;
use serde_json::Value;

use crate::{read, write};

/// One tool.
pub(crate) struct Spec {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) scope: Scope,
    pub(crate) schema: fn() -> Arc<JsonObject>,
}

/// What a tool call ends in, besides an answer.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Something the caller can act on (bad arguments, not found, not allowed, Personio's
    /// refusal): a tool error with this message and details.
    Tool { message: String, details: Value },
    /// The bridge failed (its store); the caller can only try again later.
    Internal(String),
}

impl Failure {
    pub(crate) fn tool(message: impl Into<String>) -> Failure {
        Failure::Tool {
            message: message.into(),
            details: Value::Null,
        }
    }
}

impl From<bridge_store::Error> for Failure {
    fn from(error: bridge_store::Error) -> Failure {
        match error {
            bridge_store::Error::UnknownCompany(name) => Failure::tool(format!(
                "no company {name:?} (the companies tool lists them)"
            )),
            other => Failure::Internal(other.to_string()),
        }
    }
}

pub(crate) type Answer = Result<Value, Failure>;

/// The schema of a tool's arguments, as MCP wants it (an object schema, draft 2020-12).
fn schema_of<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    rmcp::handler::server::common::schema_for_input::<T>()
        .unwrap_or_else(|_| rmcp::handler::server::common::schema_for_type::<T>())
}

/// Every tool's name.
pub const TOOL_NAMES: &[&str] = &[
    "companies",
    "freshness",
    "find_people",
    "person",
    "org_chart",
    "absent",
    "attendance",
    "balances",
    "absence_types",
    "projects",
    "project_members",
    "compensations",
    "create_absence",
    "record_attendance",
    "correct_attendance",
    "update_employee",
];

pub(crate) const TOOLS: &[Spec] = &[
    Spec {
        name: "companies",
        description: "The companies this connection reaches, with when each was last synced. \
            Every other tool takes `company` (a name from this list); it may be left out when \
            the connection reaches one company.",
        scope: Scope::Read,
        schema: schema_of::<read::NoArguments>,
    },
    Spec {
        name: "freshness",
        description: "When each resource of a company (employees, absences, attendances, \
            projects, ...) was last synced from Personio, and the last sync's outcome. Every \
            answer of the other tools carries `synced_at` for the resources it read.",
        scope: Scope::Read,
        schema: schema_of::<read::CompanyOnly>,
    },
    Spec {
        name: "find_people",
        description: "Find people: by part of their name, their e-mail, or their current \
            department, team, office or employment status (e.g. active, inactive, onleave). \
            All filters given must match; text matches ignore case. Answers id, name, e-mail, \
            position, department, team, office, status and supervisor id, by id, a page at a \
            time (`next_cursor`).",
        scope: Scope::Read,
        schema: schema_of::<read::FindPeople>,
    },
    Spec {
        name: "person",
        description: "One person by id: names, e-mail, language, their current employment \
            (position, status, type, weekly hours, hire, probation, contract end and \
            termination dates, legal entity, office, department, team) and their supervisor.",
        scope: Scope::Read,
        schema: schema_of::<read::PersonArgs>,
    },
    Spec {
        name: "org_chart",
        description: "The org chart below a person (everyone reporting to them, directly or \
            not) or of a department (from its heads down), level by level: id, name, \
            position, department, team, supervisor id and depth (0 is the top). Give \
            `person_id` or `department`.",
        scope: Scope::Read,
        schema: schema_of::<read::OrgChart>,
    },
    Spec {
        name: "absent",
        description: "Who is absent between two days (both included): each absence period \
            that overlaps them, with the person, their department and team, the absence type, \
            start and end (with half days) and status, by start. Narrow it to a department, a \
            team or an absence type (name or id).",
        scope: Scope::Read,
        schema: schema_of::<read::Absent>,
    },
    Spec {
        name: "attendance",
        description: "A person's attendance between two days (both included, at most 366 \
            days): the worked hours summed (WORK periods, end minus start, minus their \
            breaks) and the periods themselves, a page at a time.",
        scope: Scope::Read,
        schema: schema_of::<read::Attendance>,
    },
    Spec {
        name: "balances",
        description: "A person's absence balances per absence type (balance and what is \
            available), as Personio last reported them.",
        scope: Scope::Read,
        schema: schema_of::<read::PersonArgs>,
    },
    Spec {
        name: "absence_types",
        description: "The company's absence types: id (what create_absence takes), name, \
            category and unit (days or hours).",
        scope: Scope::Read,
        schema: schema_of::<read::CompanyOnly>,
    },
    Spec {
        name: "projects",
        description: "The company's projects: id, name, code, status, start and end, whether \
            everyone is assigned, and how many members each has, by id, a page at a time.",
        scope: Scope::Read,
        schema: schema_of::<read::Page>,
    },
    Spec {
        name: "project_members",
        description: "The members of a project (as people: id, name, position, department, \
            team), by id, a page at a time.",
        scope: Scope::Read,
        schema: schema_of::<read::ProjectMembers>,
    },
    Spec {
        name: "compensations",
        description: "A person's compensations (salary, bonuses, ...): type, category, \
            amount, currency, interval and effective date, newest first. Needs the `admin` \
            scope.",
        scope: Scope::Admin,
        schema: schema_of::<read::PersonArgs>,
    },
    Spec {
        name: "create_absence",
        description: "Book an absence period in Personio for a person, exactly once: calling \
            again with the same arguments answers the first outcome without booking twice. \
            Personio's refusal (an overlap, a type that does not allow half days, ...) comes \
            back as the error, with Personio's words.",
        scope: Scope::Write,
        schema: schema_of::<write::CreateAbsence>,
    },
    Spec {
        name: "record_attendance",
        description: "Record an attendance period (work or break) in Personio for a person, \
            exactly once: calling again with the same arguments answers the first outcome. \
            Personio's refusal (an overlap, ...) comes back as the error.",
        scope: Scope::Write,
        schema: schema_of::<write::RecordAttendance>,
    },
    Spec {
        name: "correct_attendance",
        description: "Correct an attendance period in Personio by its id: only the fields \
            given change (null clears end, project or comment). Calling again with the same \
            arguments answers the first outcome.",
        scope: Scope::Write,
        schema: schema_of::<write::CorrectAttendance>,
    },
    Spec {
        name: "update_employee",
        description: "Change one attribute of a person in Personio (e.g. position, \
            department, a custom attribute), exactly once. Answers an error saying so when \
            this bridge cannot write employees.",
        scope: Scope::Write,
        schema: schema_of::<write::UpdateEmployee>,
    },
];

pub(crate) fn spec(name: &str) -> Option<&'static Spec> {
    TOOLS.iter().find(|spec| spec.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_is_named_once_with_an_object_schema() {
        assert_eq!(
            TOOLS.iter().map(|s| s.name).collect::<Vec<_>>(),
            TOOL_NAMES.to_vec()
        );
        for spec in TOOLS {
            let schema = (spec.schema)();
            assert_eq!(
                schema.get("type"),
                Some(&Value::from("object")),
                "{}",
                spec.name
            );
        }
    }
}
