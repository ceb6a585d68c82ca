//! Employees through v2 (`--api v2`): `GET /v2/persons`, 50 people a page, and each person's
//! employments (`GET /v2/persons/{id}/employments`, personio-api.md §3.3–3.4), one request per
//! person. Rows are those of the v1 reading; an employment is keyed by its v2 id, so a
//! listing through one API replaces the other API's employment rows of the people it reads
//! (v2 person id = v1 employee id, §5.2).
//!
//! Employments carry ids, not names: names come from the org units, legal entities,
//! workplaces and cost centers stored earlier in the run (§6 #11).

use bridge_store::tables::{EMPLOYEE_COST_CENTERS, EMPLOYEES, EMPLOYMENTS};
use bridge_store::{Key, Row, Table, Value};
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use futures::{StreamExt, TryStreamExt};
use personio_api::v2::{CustomAttribute, Employment, IdRef, Person};
use personio_client::endpoints::{PERSONS, paths};
use personio_client::{Client, Page, Record};
use serde::{Deserialize, Deserializer};
use serde_json::Map;

use super::children::all_v2;
use super::employees_v1::{PEOPLE_PARTS, people_parts};
use super::{ListingPlan, Mapped, Paging, Resource, instant, later, raw};
use crate::context::Context;
use crate::error::Error;
use crate::filter::{EmployeeFacts, keeps};
use crate::plan::{Step, StepKind};

/// Page size of persons and of employments: Personio's maximum (personio-api.md §3.1).
const LIMIT: u32 = 50;

/// Employment lists read at the same time (the client paces and bounds them further).
const EMPLOYMENT_READS_AT_ONCE: usize = 4;

pub(crate) struct EmployeesV2;

/// A person and, once read, their employments (most recent first, as Personio lists them).
pub(crate) struct PersonEntry {
    person: Person,
    employments: Vec<Record<Employment>>,
}

impl<'de> Deserialize<'de> for PersonEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Person::deserialize(deserializer).map(|person| PersonEntry {
            person,
            employments: Vec::new(),
        })
    }
}

impl Resource for EmployeesV2 {
    type Item = PersonEntry;

    /// The v1 reading's checkpoint: both fill the same rows, and switching API must not
    /// start over from an empty watermark.
    fn checkpoint_name(&self) -> String {
        "employees".into()
    }

    fn table(&self) -> &'static Table {
        &EMPLOYEES
    }

    fn has_change_feed(&self) -> bool {
        true
    }

    fn listing(&self, step: &Step) -> ListingPlan {
        let mut query = vec![("limit".into(), LIMIT.to_string())];
        if let (StepKind::Incremental, Some(since)) = (step.kind, step.since) {
            // Personio documents a date-time here, yet a live client found only dates
            // accepted (personio-api.md §3.1, confidence L). A date the day before covers
            // both readings of `gt` a date (after its start or after its end).
            let day = since.date_naive() - chrono::Days::new(1);
            query.push(("updated_at.gt".into(), day.format("%Y-%m-%d").to_string()));
        }
        ListingPlan {
            path: PERSONS.into(),
            query,
            paging: Paging::V2,
        }
    }

    /// Whether an employment's change moves its person's `updated_at` is not documented
    /// (the sandbox moves it), so the scheduled reconciliation re-reads every employment.
    fn rereads_on_schedule(&self) -> bool {
        true
    }

    /// Each listed person's employments; a reconciliation reads ids only.
    fn requests_per_item(&self, step: &Step) -> u64 {
        u64::from(step.kind != StepKind::Reconcile)
    }

    fn enrich<'a>(
        &'a self,
        client: &'a Client,
        step: &'a Step,
        mut page: Page<PersonEntry>,
    ) -> BoxFuture<'a, Result<Page<PersonEntry>, Error>> {
        Box::pin(async move {
            if step.kind == StepKind::Reconcile {
                return Ok(page);
            }
            let mut entries = std::mem::take(&mut page.items);
            // The change feed filters by day; people it lists who changed before the
            // watermark were read by an earlier run.
            if let (StepKind::Incremental, Some(since)) = (step.kind, step.since) {
                entries.retain(|entry| {
                    instant(entry.value.person.updated_at.as_deref()).is_none_or(|at| at >= since)
                });
            }
            page.items = futures::stream::iter(entries)
                .map(|mut entry| async move {
                    let path = paths::employments(&entry.value.person.id);
                    match all_v2::<Employment>(client, &path, LIMIT, Vec::new()).await {
                        Ok((employments, _)) => {
                            entry.value.employments = employments;
                            Ok(Some(entry))
                        }
                        // Deleted since the page was listed: gone, as the next complete
                        // listing will find.
                        Err(Error::Personio(e))
                            if e.kind() == personio_client::ErrorKind::NotFound =>
                        {
                            Ok(None)
                        }
                        Err(e) => Err(e),
                    }
                })
                .buffered(EMPLOYMENT_READS_AT_ONCE)
                .try_filter_map(|entry| async move { Ok(entry) })
                .try_collect()
                .await?;
            Ok(page)
        })
    }

    fn map(
        &self,
        step: &Step,
        items: Vec<Record<PersonEntry>>,
        ctx: &Context,
    ) -> Result<Mapped, Error> {
        let mut mapped = Mapped::default();
        if step.kind == StepKind::Reconcile {
            // Whether each person is still in the filters is known from employments only:
            // the ids say who still exists.
            for record in items {
                let id = person_id(&record.value.person)?;
                mapped.seen.push(Key::Int(id));
            }
            return Ok(mapped);
        }
        let mut employments = Vec::with_capacity(items.len());
        let mut splits = Vec::new();
        let mut parents = Vec::with_capacity(items.len());
        for record in items {
            let person = &record.value.person;
            let id = person_id(person)?;
            let key = Key::Int(id);
            // The current employment decides the filters (Personio lists the latest first).
            let current = record.value.employments.first().map(|e| &e.value);
            if !keeps(&ctx.filters, &facts(current, ctx)) {
                mapped.leaving.push(key);
                continue;
            }
            // The watermark follows the field the change feed filters on; the row's change
            // time is the later of the person's and the employments'.
            let person_updated = instant(person.updated_at.as_deref());
            mapped.max_updated = later(mapped.max_updated, person_updated);
            let updated = record
                .value
                .employments
                .iter()
                .map(|e| instant(e.value.updated_at.as_deref()))
                .fold(person_updated, later);
            mapped.rows.push(person_row(key.clone(), &record, updated)?);
            for (at, employment) in record.value.employments.iter().enumerate() {
                let (row, shares) = employment_rows(id, employment, ctx)?;
                employments.push(row);
                // Splits are the person's: one set, the current employment's.
                if at == 0 {
                    splits.extend(shares);
                }
            }
            parents.push(key);
        }
        mapped.derived = people_parts(parents, employments, splits);
        Ok(mapped)
    }

    fn derived_tables(&self) -> Vec<(&'static Table, &'static str)> {
        PEOPLE_PARTS.to_vec()
    }
}

fn person_row(
    key: Key,
    record: &Record<PersonEntry>,
    updated: Option<DateTime<Utc>>,
) -> Result<Row, Error> {
    let person = &record.value.person;
    Ok(EMPLOYEES
        .row(key)
        .set("first_name", text(person.first_name.as_deref()))
        .set("last_name", text(person.last_name.as_deref()))
        .set("preferred_name", text(person.preferred_name.as_deref()))
        .set("email", text(person.email.as_deref()))
        .set("gender", lower(person.gender.as_deref()))
        // Personio returns no language through either API (personio-api.md §3.3).
        .set("language", Value::Null)
        .set(
            "custom_attributes",
            custom_attributes(person.custom_attributes.as_deref().unwrap_or_default()),
        )
        .set("source_created_at", stamp(person.created_at.as_deref()))
        .finish(raw(record), updated)?)
}

fn person_id(person: &Person) -> Result<i64, Error> {
    person.employee_id().map(|id| id.0).ok_or(Error::Malformed {
        resource: "person",
        field: "id",
    })
}

/// An employment row, and the person's cost center splits as this employment gives them.
fn employment_rows(
    employee: i64,
    record: &Record<Employment>,
    ctx: &Context,
) -> Result<(Row, Vec<Row>), Error> {
    let updated = instant(record.value.updated_at.as_deref());
    let row = employment_row(employee, record, ctx, updated)?;
    // A share whose cost center id is not a number is not a split we can key.
    let shares = record
        .value
        .cost_centers
        .iter()
        .flatten()
        .filter_map(|share| Some((share, share.id.trim().parse::<i64>().ok()?)))
        .map(|(share, center)| {
            EMPLOYEE_COST_CENTERS
                .row(Key::Text(format!("{employee}:{center}")))
                .set("employee_id", employee)
                .set("cost_center_id", center)
                .set("cost_center", ctx.cost_center_names.get(&center).cloned())
                .set("percentage", share.weight)
                .finish(
                    serde_json::to_string(share).expect("plain data serializes"),
                    updated,
                )
        })
        .collect::<Result<_, _>>()?;
    Ok((row, shares))
}

/// An employment's row; names of its org units and places come from their own rows (v2
/// employments carry ids only).
fn employment_row(
    employee: i64,
    record: &Record<Employment>,
    ctx: &Context,
    updated: Option<DateTime<Utc>>,
) -> Result<Row, Error> {
    let e = &record.value;
    let legal_entity = id_of(e.legal_entity.as_ref().or(e.sub_company.as_ref()));
    let office = id_of(e.office.as_ref());
    let department = org_unit(e, "department");
    let team = org_unit(e, "team");
    let termination = e.termination.clone().flatten();
    let ended = |day: Option<&str>| {
        personio_api::time::parse_date(day?).map(|d| d.format("%Y-%m-%d").to_string())
    };
    let name = |names: &std::collections::HashMap<i64, String>, id: Option<i64>| {
        id.and_then(|id| names.get(&id).cloned())
    };
    let position = e.position.clone().flatten().and_then(|p| p.title);
    let termination = termination.as_ref();
    Ok(EMPLOYMENTS
        .row(Key::Text(e.id.clone()))
        .set("employee_id", employee)
        .set("status", lower(e.status.as_deref()))
        .set("position", text(position.as_deref()))
        .set("supervisor_id", id_of(e.supervisor.as_ref()))
        .set("employment_type", lower(e.kind.as_deref()))
        .set("weekly_working_hours", e.weekly_working_hours.flatten())
        .set(
            "full_time_weekly_working_hours",
            e.full_time_weekly_working_hours.flatten(),
        )
        .set("hire_date", day(e.employment_start_date.as_ref()))
        .set("contract_end_date", day(e.contract_end_date.as_ref()))
        .set("probation_end_date", day(e.probation_end_date.as_ref()))
        .set(
            "termination_date",
            ended(termination.and_then(|t| t.termination_date.as_deref())),
        )
        .set(
            "termination_type",
            lower(termination.and_then(|t| t.kind.as_deref())),
        )
        .set(
            "termination_reason",
            text(termination.and_then(|t| t.reason.as_deref())),
        )
        .set(
            "last_working_day",
            ended(termination.and_then(|t| t.last_working_day.as_deref())),
        )
        .set("legal_entity_id", legal_entity)
        .set("legal_entity", name(&ctx.legal_entity_names, legal_entity))
        .set("office_id", office)
        .set("office", name(&ctx.office_names, office))
        .set("department_id", department)
        .set("department", name(&ctx.org_names, department))
        .set("team_id", team)
        .set("team", name(&ctx.org_names, team))
        .set("source_created_at", stamp(e.created_at.as_deref()))
        .finish(raw(record), updated)?)
}

/// What the filters look at, from the current employment (none: no facts, so only an
/// unfiltered company keeps the person).
fn facts(employment: Option<&Employment>, ctx: &Context) -> EmployeeFacts {
    let Some(e) = employment else {
        return EmployeeFacts::default();
    };
    let named = |names: &std::collections::HashMap<i64, String>, id: Option<i64>| {
        (
            id.map(|id| id.to_string()),
            id.and_then(|id| names.get(&id).cloned()),
        )
    };
    EmployeeFacts {
        status: lower(e.status.as_deref()),
        legal_entity: named(
            &ctx.legal_entity_names,
            id_of(e.legal_entity.as_ref().or(e.sub_company.as_ref())),
        ),
        office: named(&ctx.office_names, id_of(e.office.as_ref())),
        department: named(&ctx.org_names, org_unit(e, "department")),
    }
}

/// A reference's numeric id (`{"id": "123"}`), when it is set.
fn id_of(reference: Option<&Option<IdRef>>) -> Option<i64> {
    reference?.as_ref()?.id.trim().parse().ok()
}

/// The employment's department or team id.
fn org_unit(e: &Employment, kind: &str) -> Option<i64> {
    e.org_units
        .iter()
        .flatten()
        .find(|unit| unit.kind.eq_ignore_ascii_case(kind))
        .and_then(|unit| unit.id.trim().parse().ok())
}

/// A date field (`YYYY-MM-DD`, or a date-time whose day it names).
fn day(value: Option<&Option<String>>) -> Option<String> {
    let text = value?.as_deref()?;
    personio_api::time::parse_date(text).map(|d| d.format("%Y-%m-%d").to_string())
}

/// A text field; empty reads as none, as in the v1 reading.
fn text(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_owned)
}

/// An enumeration (`ACTIVE`, `MALE`, `INTERNAL`) as the v1 reading spells it; v2's
/// `UNSPECIFIED` is v1's none.
fn lower(value: Option<&str>) -> Option<String> {
    text(value)
        .filter(|v| !v.eq_ignore_ascii_case("UNSPECIFIED"))
        .map(|v| v.to_lowercase())
}

/// A timestamp in the store's spelling.
fn stamp(text: Option<&str>) -> Option<String> {
    instant(text).map(bridge_store::timestamp)
}

/// Custom attributes as a JSON object keyed by their label (the id when Personio sends no
/// label, §6 #13), values as sent; an unset attribute is `null`, whether it came without a
/// `value` (as Personio's schema has it) or with `"value": null` (as the sandbox once sent).
fn custom_attributes(attributes: &[CustomAttribute]) -> String {
    let map: Map<String, serde_json::Value> = attributes
        .iter()
        .map(|a| {
            let name = a
                .label
                .clone()
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| a.id.clone());
            (name, a.value.clone())
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unset_attribute_reads_the_same_without_a_value_as_with_null() {
        let without: CustomAttribute =
            serde_json::from_str(r#"{"id": "dynamic_1", "type": "string", "label": "IBAN"}"#)
                .unwrap();
        let with_null: CustomAttribute = serde_json::from_str(
            r#"{"id": "dynamic_1", "type": "string", "label": "IBAN", "value": null}"#,
        )
        .unwrap();
        let set: CustomAttribute = serde_json::from_str(
            r#"{"id": "dynamic_2", "type": "string_list", "value": ["German", "English"]}"#,
        )
        .unwrap();
        assert_eq!(
            custom_attributes(&[without, set.clone()]),
            r#"{"IBAN":null,"dynamic_2":["German","English"]}"#
        );
        assert_eq!(
            custom_attributes(&[with_null, set]),
            r#"{"IBAN":null,"dynamic_2":["German","English"]}"#
        );
    }
}
