//! Employees through v1 (`GET /v1/company/employees`): one request per 100 people with every
//! attribute, labels included, and a change feed (`updated_since`) that answers in one request.
//! Each employee becomes a person row, an employment row and cost center split rows.

use bridge_store::tables::{EMPLOYEE_COST_CENTERS, EMPLOYEES, EMPLOYMENTS};
use bridge_store::{Derived, Key, Row, Table, Value};
use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use personio_api::v1::{self, Attribute, CostCenterShare, NamedRef};
use personio_client::endpoints::EMPLOYEES_V1;
use personio_client::{OffsetKind, Record};
use serde_json::Map;

use super::{ListingPlan, Mapped, Paging, Resource, instant, later, raw};
use crate::context::Context;
use crate::error::Error;
use crate::filter::{EmployeeFacts, keeps};
use crate::plan::{Step, StepKind};

/// Page size: Personio's maximum for this endpoint (personio-api.md §2.1).
const LIMIT: u32 = 100;

pub(crate) struct EmployeesV1;

impl Resource for EmployeesV1 {
    type Item = v1::Employee;

    fn checkpoint_name(&self) -> String {
        "employees".into()
    }

    fn table(&self) -> &'static Table {
        &EMPLOYEES
    }

    fn has_change_feed(&self) -> bool {
        true
    }

    /// `updated_since` answers every match at once (personio-api.md §2.2).
    fn changes_in_one_answer(&self) -> bool {
        true
    }

    fn listing(&self, step: &Step) -> ListingPlan {
        let mut query = Vec::new();
        match (step.kind, step.since) {
            (StepKind::Incremental, Some(since)) => {
                // Personio reads a zone-less value in an undocumented zone (personio-api.md §8);
                // the plan's overlap covers any European offset.
                query.push((
                    "updated_since".into(),
                    since.format("%Y-%m-%dT%H:%M:%S").to_string(),
                ));
            }
            (StepKind::Reconcile, _) => query.push(("attributes[]".into(), "id".into())),
            _ => {}
        }
        ListingPlan {
            path: EMPLOYEES_V1.into(),
            query,
            paging: Paging::V1 {
                limit: LIMIT,
                offset_kind: OffsetKind::Items,
            },
        }
    }

    fn map(
        &self,
        step: &Step,
        items: Vec<Record<Self::Item>>,
        ctx: &Context,
    ) -> Result<Mapped, Error> {
        let mut mapped = Mapped::default();
        let mut employments = Vec::with_capacity(items.len());
        let mut splits = Vec::new();
        let mut parents = Vec::with_capacity(items.len());
        for record in items {
            let e = &record.value;
            let id = e
                .id()
                .ok_or(Error::Malformed {
                    resource: "employee",
                    field: "id",
                })?
                .0;
            if step.kind == StepKind::Reconcile {
                mapped.seen.push(Key::Int(id));
                continue;
            }
            let place = Placement::of(e);
            if !keeps(&ctx.filters, &place.facts(e)) {
                mapped.leaving.push(Key::Int(id));
                continue;
            }
            let updated = instant(e.text("last_modified_at").as_deref());
            mapped.max_updated = later(mapped.max_updated, updated);
            mapped.rows.push(employee_row(id, &record, updated)?);
            employments.push(employment_row(id, e, place, updated)?);
            for share in e.embedded_list::<CostCenterShare>("cost_centers") {
                let share = share.attributes;
                splits.push(
                    EMPLOYEE_COST_CENTERS
                        .row(Key::Text(format!("{id}:{}", share.id)))
                        .set("employee_id", id)
                        .set("cost_center_id", share.id)
                        .set("cost_center", share.name.clone())
                        .set("percentage", share.percentage)
                        .finish(
                            serde_json::to_string(&share).expect("plain data serializes"),
                            updated,
                        )?,
                );
            }
            parents.push(Key::Int(id));
        }
        mapped.derived = people_parts(parents, employments, splits);
        Ok(mapped)
    }

    fn derived_tables(&self) -> Vec<(&'static Table, &'static str)> {
        PEOPLE_PARTS.to_vec()
    }
}

/// The rows made of a person besides the person's own, with the column naming the person.
pub(super) const PEOPLE_PARTS: [(&Table, &str); 2] = [
    (&EMPLOYMENTS, "employee_id"),
    (&EMPLOYEE_COST_CENTERS, "employee_id"),
];

/// The employment and cost center split rows of `parents`, which replace their earlier ones.
pub(super) fn people_parts(
    parents: Vec<Key>,
    employments: Vec<Row>,
    splits: Vec<Row>,
) -> Vec<Derived> {
    if parents.is_empty() {
        return Vec::new();
    }
    let [(employment_table, column), (split_table, _)] = PEOPLE_PARTS;
    vec![
        Derived {
            table: employment_table,
            parent_column: column,
            parents: parents.clone(),
            rows: employments,
        },
        Derived {
            table: split_table,
            parent_column: column,
            parents,
            rows: splits,
        },
    ]
}

/// The attributes an employment row is made of (its cost centers have rows of their own).
const EMPLOYMENT_ATTRIBUTES: &[&str] = &[
    "id",
    "status",
    "position",
    "supervisor",
    "employment_type",
    "weekly_working_hours",
    "hire_date",
    "contract_end_date",
    "probation_period_end",
    "termination_date",
    "termination_type",
    "termination_reason",
    "last_working_day",
    "subcompany",
    "office",
    "department",
    "team",
    "created_at",
];

/// The raw JSON of an employment row: the employee with only the attributes the row is
/// made of, as Personio sent them. The whole employee is the employee row's raw already;
/// a second copy doubled the store's size and counted a change of name or custom
/// attribute as a change of the employment.
/// Where an employee works: the org units and places v1 names with their ids.
struct Placement {
    legal_entity: Option<NamedRef>,
    office: Option<NamedRef>,
    department: Option<NamedRef>,
    team: Option<NamedRef>,
}

impl Placement {
    fn of(e: &v1::Employee) -> Placement {
        Placement {
            legal_entity: named(e, "subcompany"),
            office: named(e, "office"),
            department: named(e, "department"),
            team: named(e, "team"),
        }
    }

    /// What the filters look at.
    fn facts(&self, e: &v1::Employee) -> EmployeeFacts {
        EmployeeFacts {
            status: e.text("status"),
            legal_entity: facts_of(&self.legal_entity),
            office: facts_of(&self.office),
            department: facts_of(&self.department),
        }
    }
}

/// When Personio created the employee, as the store writes times.
fn created(e: &v1::Employee) -> Option<String> {
    instant(e.text("created_at").as_deref()).map(bridge_store::timestamp)
}

pub(crate) fn employee_row(
    id: i64,
    record: &Record<v1::Employee>,
    updated: Option<DateTime<Utc>>,
) -> Result<Row, Error> {
    let e = &record.value;
    Ok(EMPLOYEES
        .row(Key::Int(id))
        .set("first_name", e.text("first_name"))
        .set("last_name", e.text("last_name"))
        .set("preferred_name", e.text("preferred_name"))
        .set("email", e.text("email"))
        .set("gender", e.text("gender"))
        // Personio returns no language through either API (personio-api.md §3.3).
        .set("language", Value::Null)
        .set("custom_attributes", custom_attributes(&e.attributes))
        .set("source_created_at", created(e))
        .finish(raw(record), updated)?)
}

fn employment_row(
    id: i64,
    e: &v1::Employee,
    place: Placement,
    updated: Option<DateTime<Utc>>,
) -> Result<Row, Error> {
    let hours = e
        .text("weekly_working_hours")
        .and_then(|h| h.trim().parse::<f64>().ok());
    let (id_of, name_of) = (
        |n: &Option<NamedRef>| n.as_ref().map(|n| n.id),
        |n: Option<NamedRef>| n.map(|n| n.name),
    );
    Ok(EMPLOYMENTS
        // v1 does not expose the employment's v2 id; one employment per person.
        .row(Key::Text(format!("v1:{id}")))
        .set("employee_id", id)
        .set("status", e.text("status"))
        .set("position", e.text("position"))
        .set("supervisor_id", supervisor(e))
        .set("employment_type", e.text("employment_type"))
        .set("weekly_working_hours", hours)
        .set("full_time_weekly_working_hours", Value::Null)
        .set("hire_date", date(e, "hire_date"))
        .set("contract_end_date", date(e, "contract_end_date"))
        .set("probation_end_date", date(e, "probation_period_end"))
        .set("termination_date", date(e, "termination_date"))
        .set("termination_type", e.text("termination_type"))
        .set("termination_reason", e.text("termination_reason"))
        .set("last_working_day", date(e, "last_working_day"))
        .set("legal_entity_id", id_of(&place.legal_entity))
        .set("legal_entity", name_of(place.legal_entity))
        .set("office_id", id_of(&place.office))
        .set("office", name_of(place.office))
        .set("department_id", id_of(&place.department))
        .set("department", name_of(place.department))
        .set("team_id", id_of(&place.team))
        .set("team", name_of(place.team))
        .set("source_created_at", created(e))
        .finish(employment_raw(e), updated)?)
}

fn employment_raw(e: &v1::Employee) -> String {
    let attributes: Map<String, serde_json::Value> = EMPLOYMENT_ATTRIBUTES
        .iter()
        .filter_map(|&key| {
            let attribute = e.attributes.get(key)?;
            let value = serde_json::to_value(attribute).ok()?;
            Some((key.to_owned(), value))
        })
        .collect();
    serde_json::json!({"type": e.kind, "attributes": attributes}).to_string()
}

fn named(e: &v1::Employee, key: &str) -> Option<NamedRef> {
    e.embedded::<NamedRef>(key).map(|n| n.attributes)
}

fn facts_of(named: &Option<NamedRef>) -> (Option<String>, Option<String>) {
    (
        named.as_ref().map(|n| n.id.to_string()),
        named.as_ref().map(|n| n.name.clone()),
    )
}

/// A v1 date attribute (`2014-11-09T00:00:00+01:00`) as the local day it names.
fn date(e: &v1::Employee, key: &str) -> Option<String> {
    e.text(key)
        .as_deref()
        .and_then(personio_api::time::parse_date)
        .map(|d| d.format("%Y-%m-%d").to_string())
}

/// The supervisor's id, from the nested partial employee.
fn supervisor(e: &v1::Employee) -> Option<i64> {
    let nested = e.embedded::<IndexMap<String, Attribute>>("supervisor")?;
    let value = &nested.attributes.get("id")?.value;
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
}

/// Custom attributes (`dynamic_<n>`) as a JSON object keyed by their label, values as sent.
fn custom_attributes(attributes: &IndexMap<String, Attribute>) -> String {
    let map: Map<String, serde_json::Value> = attributes
        .iter()
        .filter(|(key, _)| key.starts_with("dynamic_"))
        .map(|(key, a)| {
            (
                if a.label.is_empty() {
                    key.clone()
                } else {
                    a.label.clone()
                },
                a.value.clone(),
            )
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_employment_keeps_only_its_own_attributes_as_personio_sent_them() {
        let body: serde_json::Value = serde_json::from_str(include_str!(
            "../../../personio-api/tests/fixtures/v1/employees.list.json"
        ))
        .expect("fixture");
        let employee: v1::Employee =
            serde_json::from_value(body["data"][0].clone()).expect("an employee");
        let raw: serde_json::Value =
            serde_json::from_str(&employment_raw(&employee)).expect("JSON");
        let mut kept: Vec<&str> = raw["attributes"]
            .as_object()
            .expect("attributes")
            .keys()
            .map(String::as_str)
            .collect();
        kept.sort_unstable();
        assert_eq!(
            kept,
            [
                "department",
                "hire_date",
                "id",
                "status",
                "supervisor",
                "weekly_working_hours"
            ]
        );
        for key in ["first_name", "email", "cost_centers", "dynamic_21827"] {
            assert!(raw["attributes"].get(key).is_none(), "{key}");
        }
        assert_eq!(raw["type"], body["data"][0]["type"]);
        assert_eq!(
            raw["attributes"]["department"], body["data"][0]["attributes"]["department"],
            "as sent"
        );
    }
}
