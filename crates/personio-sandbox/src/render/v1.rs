//! v1 shapes: the employee attribute map, the attribute catalogue, absence balances.

use indexmap::IndexMap;
use personio_api::v1::{
    Attribute, AttributeDefinition, AttributeType, CostCenterShare, Embedded,
    Employee as WireEmployee, Entitlement, HolidayCalendarRef, NamedRef, WorkScheduleRef,
};
use serde::Serialize;
use serde_json::{Value, json};

use super::{number, v1_date, v1_datetime};
use crate::company::{Company, CustomValue, Employee, STANDARD_ATTRIBUTES, StandardAttribute};
use crate::credentials::ReadableAttributes;

/// Which attributes a v1 response shows: the readable ones, narrowed by `attributes[]`.
/// `id` always shows: clients key on it and Personio's examples always carry it.
pub(crate) struct V1View<'a> {
    pub readable: &'a ReadableAttributes,
    pub projection: Option<&'a [String]>,
    pub origin: &'a str,
}

impl V1View<'_> {
    pub(crate) fn shows(&self, key: &str) -> bool {
        key == "id"
            || (self.readable.allows(key)
                && self.projection.is_none_or(|p| p.iter().any(|k| k == key)))
    }
}

/// An employee as v1 shows it to this view.
pub(crate) fn employee(company: &Company, e: &Employee, view: &V1View<'_>) -> WireEmployee {
    let currency = company
        .legal_entity(e.legal_entity_id)
        .map(|le| le.currency);
    let mut attributes =
        IndexMap::with_capacity(STANDARD_ATTRIBUTES.len() + company.custom_attributes.len());
    for spec in STANDARD_ATTRIBUTES {
        if !view.shows(spec.key) {
            continue;
        }
        let value = standard_value(company, e, spec.key, view);
        let mut attribute = attribute(spec, value);
        if matches!(spec.key, "fix_salary" | "hourly_salary") {
            attribute.currency = currency.map(str::to_owned);
        }
        attributes.insert(spec.key.to_owned(), attribute);
    }
    for def in &company.custom_attributes {
        if !view.shows(&def.key) {
            continue;
        }
        let value = match e.custom_value(def.id) {
            None if matches!(
                def.kind,
                AttributeType::Standard
                    | AttributeType::Multiline
                    | AttributeType::Link
                    | AttributeType::List
                    | AttributeType::Tags
            ) =>
            {
                json!("")
            }
            None => Value::Null,
            Some(CustomValue::Text(s)) => json!(s),
            Some(CustomValue::Date(d)) => json!(d.format("%Y-%m-%d").to_string()),
            Some(CustomValue::Integer(n)) => json!(n),
            Some(CustomValue::Decimal(x)) => number(*x),
            // Tags arrive comma-separated (personio-api.md §2.2; some tenants JSON-encode them).
            Some(CustomValue::Tags(tags)) => json!(tags.join(",")),
        };
        attributes.insert(
            def.key.clone(),
            Attribute {
                label: def.label.to_owned(),
                value,
                kind: def.kind.as_str().to_owned(),
                universal_id: def.universal_id.map(str::to_owned),
                currency: None,
            },
        );
    }
    WireEmployee {
        kind: "Employee".into(),
        attributes,
    }
}

fn attribute(spec: &StandardAttribute, value: Value) -> Attribute {
    Attribute {
        label: spec.label.to_owned(),
        value,
        kind: spec.kind.as_str().to_owned(),
        universal_id: Some(spec.key.to_owned()),
        currency: None,
    }
}

fn embedded<A: Serialize>(kind: &str, attributes: A) -> Value {
    serde_json::to_value(Embedded {
        kind: kind.to_owned(),
        attributes,
    })
    .expect("plain data serializes")
}

fn standard_value(company: &Company, e: &Employee, key: &str, view: &V1View<'_>) -> Value {
    let tz = company.timezone;
    let date =
        |d: Option<chrono::NaiveDate>| d.map(|d| json!(v1_date(d, tz))).unwrap_or(Value::Null);
    let named = |kind: &str, id: Option<i64>, name: Option<String>| match (id, name) {
        (Some(id), Some(name)) => embedded(kind, NamedRef { id, name }),
        _ => Value::Null,
    };
    match key {
        "id" => json!(e.id),
        "first_name" => json!(e.first_name),
        "last_name" => json!(e.last_name),
        "preferred_name" => json!(e.preferred_name),
        "email" => json!(e.email),
        "gender" => e.gender.map(|g| json!(g.as_str())).unwrap_or(Value::Null),
        "status" => json!(e.status.as_str()),
        "position" => json!(e.position),
        "supervisor" => match e.supervisor_id.and_then(|id| company.employee(id)) {
            Some(s) => embedded("Employee", supervisor_attributes(s, view)),
            None => Value::Null,
        },
        "employment_type" => json!(e.employment_type.as_str()),
        // A string in v1, as in Personio's example (personio-api.md §6 #5).
        "weekly_working_hours" => json!(format_hours(e.weekly_hours)),
        "hire_date" => json!(v1_date(e.hire_date, tz)),
        "contract_end_date" => date(e.contract_end_date),
        "termination_date" => date(e.termination.as_ref().map(|t| t.date)),
        "termination_type" => e
            .termination
            .as_ref()
            .map(|t| json!(t.kind))
            .unwrap_or(Value::Null),
        "termination_reason" => e
            .termination
            .as_ref()
            .map(|t| json!(t.reason))
            .unwrap_or(Value::Null),
        "probation_period_end" => date(e.probation_end_date),
        "created_at" => json!(v1_datetime(e.created_at, tz)),
        "last_modified_at" => json!(v1_datetime(e.updated_at, tz)),
        "subcompany" => {
            let entity = company.legal_entity(e.legal_entity_id);
            named(
                "Subcompany",
                entity.map(|x| x.id),
                entity.map(|x| x.name.clone()),
            )
        }
        "office" => {
            let office = e.office_id.and_then(|id| company.office(id));
            named(
                "Office",
                office.map(|o| o.id),
                office.map(|o| o.name.to_owned()),
            )
        }
        "department" => {
            let unit = e.department_id.and_then(|id| company.org_unit(id));
            named(
                "Department",
                unit.map(|u| u.id),
                unit.map(|u| u.name.clone()),
            )
        }
        "team" => {
            let unit = e.team_id.and_then(|id| company.org_unit(id));
            named("Team", unit.map(|u| u.id), unit.map(|u| u.name.clone()))
        }
        "cost_centers" => Value::Array(
            e.cost_centers
                .iter()
                .filter_map(|&(id, percentage)| {
                    let cc = company.cost_center(id)?;
                    Some(embedded(
                        "CostCenter",
                        CostCenterShare {
                            id,
                            name: cc.name.clone(),
                            percentage,
                        },
                    ))
                })
                .collect(),
        ),
        "holiday_calendar" => match company.holiday_calendar(e.holiday_calendar_id) {
            Some(c) => embedded(
                "HolidayCalendar",
                HolidayCalendarRef {
                    id: c.id,
                    name: c.name.to_owned(),
                    country: c.country.to_owned(),
                    state: c.state.map(str::to_owned),
                },
            ),
            None => Value::Null,
        },
        "absence_entitlement" => Value::Array(
            e.entitlements
                .iter()
                .filter_map(|&(id, entitlement)| {
                    let t = company.time_off_type(id)?;
                    Some(embedded(
                        "TimeOffType",
                        Entitlement {
                            id,
                            name: t.name.to_owned(),
                            category: Some(t.category.to_owned()),
                            entitlement,
                        },
                    ))
                })
                .collect(),
        ),
        "work_schedule" => match company.work_schedule(e.work_schedule_id) {
            Some(s) => {
                let hm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
                embedded(
                    "WorkSchedule",
                    WorkScheduleRef {
                        id: s.id,
                        name: s.name.clone(),
                        valid_from: None,
                        monday: hm(s.minutes[0]),
                        tuesday: hm(s.minutes[1]),
                        wednesday: hm(s.minutes[2]),
                        thursday: hm(s.minutes[3]),
                        friday: hm(s.minutes[4]),
                        saturday: hm(s.minutes[5]),
                        sunday: hm(s.minutes[6]),
                    },
                )
            }
            None => Value::Null,
        },
        "fix_salary" => number(e.fix_salary),
        "fix_salary_interval" => json!(e.salary_interval.as_str()),
        "hourly_salary" => number(e.hourly_salary),
        "last_working_day" => date(e.termination.as_ref().map(|t| t.last_working_day)),
        "profile_picture" => json!(format!(
            "{}/v1/company/employees/{}/profile-picture",
            view.origin, e.id
        )),
        _ => Value::Null,
    }
}

/// The partial attribute map of an embedded supervisor: id and, where readable, the name
/// and email.
fn supervisor_attributes(s: &Employee, view: &V1View<'_>) -> IndexMap<String, Attribute> {
    let mut map = IndexMap::new();
    for (key, value) in [
        ("id", json!(s.id)),
        ("first_name", json!(s.first_name)),
        ("last_name", json!(s.last_name)),
        ("email", json!(s.email)),
    ] {
        if key == "id" || view.readable.allows(key) {
            let spec =
                crate::company::standard(key).expect("supervisor keys are standard attributes");
            map.insert(key.to_owned(), attribute(spec, value));
        }
    }
    map
}

/// `40` → `"40"`, `37.5` → `"37.5"`.
pub(crate) fn format_hours(hours: f64) -> String {
    if hours.fract() == 0.0 {
        format!("{hours:.0}")
    } else {
        format!("{hours}")
    }
}

/// The attribute catalogue as `GET /company/employees/attributes` lists it: only readable keys.
pub(crate) fn attribute_definitions(
    company: &Company,
    readable: &ReadableAttributes,
) -> Vec<AttributeDefinition> {
    let standard = STANDARD_ATTRIBUTES
        .iter()
        .filter(|a| a.key == "id" || readable.allows(a.key))
        .map(|a| AttributeDefinition {
            key: a.key.to_owned(),
            label: a.label.to_owned(),
            kind: a.kind.as_str().to_owned(),
            universal_id: Some(a.key.to_owned()),
            options: Vec::new(),
        });
    let custom = company
        .custom_attributes
        .iter()
        .filter(|d| readable.allows(&d.key))
        .map(|d| AttributeDefinition {
            key: d.key.clone(),
            label: d.label.to_owned(),
            kind: d.kind.as_str().to_owned(),
            universal_id: d.universal_id.map(str::to_owned),
            options: d.options.iter().map(|o| (*o).to_owned()).collect(),
        });
    standard.chain(custom).collect()
}
