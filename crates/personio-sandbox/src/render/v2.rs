//! v2 shapes: persons, employments and the organisation structure. Person and employment
//! fields are gated by the same readable employee attributes as v1 (personio-api.md §3.3–3.4).

use indexmap::IndexMap;
use personio_api::v2::{
    CostCenter as WireCostCenter, CustomAttribute, Employment, IdRef,
    LegalEntity as WireLegalEntity, LegalEntityAddress, Link, OrgUnit as WireOrgUnit, OrgUnitRef,
    Person, Position, ProfilePicture, ResourceMeta, Termination, WeightedRef, Workplace,
};
use serde_json::{Value, json};

use super::{v2_date, v2_timestamp};
use crate::company::{
    Company, CustomValue, Employee, EmploymentType, Gender, LegalEntity, Office, OrgUnit, Status,
};
use crate::credentials::ReadableAttributes;

/// How v2 shows persons and employments to one caller.
pub(crate) struct V2View<'a> {
    pub readable: &'a ReadableAttributes,
    pub origin: &'a str,
}

impl V2View<'_> {
    fn gate<T>(&self, key: &str, value: impl FnOnce() -> T) -> Option<T> {
        self.readable.allows(key).then(value)
    }
}

fn links(pairs: &[(&str, String)]) -> Option<ResourceMeta> {
    let links: IndexMap<String, Link> = pairs
        .iter()
        .map(|(k, href)| ((*k).to_owned(), Link { href: href.clone() }))
        .collect();
    Some(ResourceMeta { links })
}

pub(crate) fn person_status(status: Status) -> &'static str {
    match status {
        Status::Inactive => "INACTIVE",
        Status::Active | Status::Leave | Status::Onboarding => "ACTIVE",
    }
}

pub(crate) fn gender(gender: Option<Gender>) -> &'static str {
    match gender {
        Some(Gender::Male) => "MALE",
        Some(Gender::Female) => "FEMALE",
        Some(Gender::Diverse) => "DIVERSE",
        None => "UNSPECIFIED",
    }
}

pub(crate) fn employment_status(status: Status) -> &'static str {
    match status {
        Status::Active => "ACTIVE",
        Status::Onboarding => "ONBOARDING",
        Status::Leave => "LEAVE",
        Status::Inactive => "INACTIVE",
    }
}

/// v2 termination types for our v1 wording.
fn termination_type(kind: &str) -> &'static str {
    match kind {
        "employee" => "EMPLOYEE",
        "employer" => "FIRED",
        "contract_expired" => "CONTRACT_EXPIRED",
        "mutual_agreement" => "AGREEMENT",
        "retirement" => "RETIREMENT",
        _ => "UNSPECIFIED",
    }
}

pub(crate) fn person(company: &Company, e: &Employee, view: &V2View<'_>) -> Person {
    let custom: Vec<CustomAttribute> = company
        .custom_attributes
        .iter()
        .filter(|d| view.readable.allows(&d.key))
        .map(|d| {
            // An unset attribute has no `value`: Personio's schema for it (a string or a
            // list) has no null, and its examples list set values only. An empty list
            // would match both of the schema's list shapes (`oneOf`), so it is unset too.
            let value = match e.custom_value(d.id) {
                None => Value::Null,
                Some(CustomValue::Tags(tags)) if tags.is_empty() => Value::Null,
                Some(CustomValue::Text(s)) => json!(s),
                Some(CustomValue::Date(day)) => json!(v2_date(*day)),
                Some(CustomValue::Integer(n)) => json!(n.to_string()),
                Some(CustomValue::Decimal(x)) => json!(x.to_string()),
                Some(CustomValue::Tags(tags)) => json!(tags),
            };
            CustomAttribute {
                id: d.key.clone(),
                kind: d.v2_type().to_owned(),
                global_id: Some(d.id.to_string()),
                label: Some(d.label.to_owned()),
                value,
            }
        })
        .collect();
    let href = format!("{}/v2/persons/{}", view.origin, e.id);
    Person {
        id: e.id.to_string(),
        email: view.gate("email", || e.email.clone()),
        first_name: view.gate("first_name", || e.first_name.clone()),
        last_name: view.gate("last_name", || e.last_name.clone()),
        preferred_name: view.gate("preferred_name", || e.preferred_name.clone()),
        gender: view.gate("gender", || gender(e.gender).to_owned()),
        profile_picture: view.gate("profile_picture", || ProfilePicture {
            url: Some(format!(
                "{}/v1/company/employees/{}/profile-picture",
                view.origin, e.id
            )),
        }),
        status: view.gate("status", || person_status(e.status).to_owned()),
        created_at: view.gate("created_at", || v2_timestamp(e.created_at)),
        updated_at: view.gate("last_modified_at", || v2_timestamp(e.updated_at)),
        custom_attributes: (!custom.is_empty()).then_some(custom),
        employments: vec![IdRef::new(e.employment_id)],
        meta: links(&[("employments", format!("{href}/employments"))]),
    }
}

pub(crate) fn employment(company: &Company, e: &Employee, view: &V2View<'_>) -> Employment {
    let entity = company.legal_entity(e.legal_entity_id);
    let full_time = entity.map(|le| le.full_time_hours);
    let org_units = {
        let mut units = Vec::new();
        if let (true, Some(id)) = (view.readable.allows("department"), e.department_id) {
            units.push(OrgUnitRef {
                kind: "department".into(),
                id: id.to_string(),
            });
        }
        if let (true, Some(id)) = (view.readable.allows("team"), e.team_id) {
            units.push(OrgUnitRef {
                kind: "team".into(),
                id: id.to_string(),
            });
        }
        (view.readable.allows("department") || view.readable.allows("team")).then_some(units)
    };
    let termination = view.gate("termination_date", || {
        Some(match &e.termination {
            Some(t) => Termination {
                termination_date: Some(v2_date(t.date)),
                last_working_day: Some(v2_date(t.last_working_day)),
                terminated_at: Some(v2_date(t.recorded_at.date_naive())),
                reason: Some(t.reason.clone()),
                kind: Some(termination_type(t.kind).to_owned()),
            },
            None => Termination {
                termination_date: None,
                last_working_day: None,
                terminated_at: None,
                reason: None,
                kind: None,
            },
        })
    });
    let person_href = format!("{}/v2/persons/{}", view.origin, e.id);
    let mut link_pairs = vec![("person", person_href)];
    if let Some(s) = e.supervisor_id {
        link_pairs.push(("supervisor", format!("{}/v2/persons/{s}", view.origin)));
    }
    let legal_entity = view.gate("subcompany", || entity.map(|le| IdRef::new(le.id)));
    Employment {
        id: e.employment_id.to_string(),
        person: Some(IdRef::new(e.id)),
        supervisor: view.gate("supervisor", || e.supervisor_id.map(IdRef::new)),
        office: view.gate("office", || e.office_id.map(IdRef::new)),
        org_units,
        sub_company: legal_entity.clone(),
        legal_entity,
        position: view.gate("position", || {
            Some(Position {
                title: Some(e.position.clone()),
            })
        }),
        status: Some(employment_status(e.status).to_owned()),
        kind: view.gate("employment_type", || {
            match e.employment_type {
                EmploymentType::Internal => "INTERNAL",
                EmploymentType::External => "EXTERNAL",
            }
            .to_owned()
        }),
        employment_start_date: view.gate("hire_date", || Some(v2_date(e.hire_date))),
        employment_end_date: view.gate("termination_date", || {
            e.termination.as_ref().map(|t| v2_date(t.date))
        }),
        contract_end_date: view.gate("contract_end_date", || e.contract_end_date.map(v2_date)),
        probation_end_date: view.gate("probation_period_end", || e.probation_end_date.map(v2_date)),
        weekly_working_hours: view.gate("weekly_working_hours", || Some(e.weekly_hours)),
        full_time_weekly_working_hours: view.gate("weekly_working_hours", || full_time),
        cost_centers: view.gate("cost_centers", || {
            e.cost_centers
                .iter()
                .map(|&(id, weight)| WeightedRef {
                    id: id.to_string(),
                    weight,
                })
                .collect()
        }),
        termination,
        created_at: view.gate("created_at", || v2_timestamp(e.created_at)),
        updated_at: view.gate("last_modified_at", || v2_timestamp(e.updated_at)),
        meta: links(&link_pairs),
    }
}

/// How much of the parent chain an org unit carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chain {
    None,
    /// List endpoint: ids only.
    Ids,
    /// Single endpoint: full units.
    Full,
}

pub(crate) fn org_unit(
    company: &Company,
    unit: &OrgUnit,
    chain: Chain,
    origin: &str,
) -> WireOrgUnit {
    let parent_chain = match chain {
        Chain::None => None,
        Chain::Ids => Some(
            company
                .parent_chain(unit.id)
                .into_iter()
                .map(id_only)
                .collect(),
        ),
        Chain::Full => Some(
            company
                .parent_chain(unit.id)
                .into_iter()
                .map(|p| org_unit(company, p, Chain::None, origin))
                .collect(),
        ),
    };
    let href = format!(
        "{origin}/v2/org-units/{}?type={}",
        unit.id,
        unit.kind.as_str()
    );
    WireOrgUnit {
        id: unit.id.to_string(),
        kind: Some(unit.kind.as_str().to_owned()),
        name: Some(unit.name.clone()),
        abbreviation: Some(unit.abbreviation.clone()),
        description: Some(unit.description.clone()),
        resource_uri: Some(href.clone()),
        parent_id: Some(unit.parent_id.map(|p| p.to_string())),
        create_time: Some(v2_timestamp(unit.created_at)),
        parent_chain,
        meta: links(&[("self", href)]),
    }
}

fn id_only(unit: &OrgUnit) -> WireOrgUnit {
    WireOrgUnit {
        id: unit.id.to_string(),
        kind: None,
        name: None,
        abbreviation: None,
        description: None,
        resource_uri: None,
        parent_id: None,
        create_time: None,
        parent_chain: None,
        meta: None,
    }
}

pub(crate) fn legal_entity(entity: &LegalEntity, origin: &str) -> WireLegalEntity {
    WireLegalEntity {
        id: entity.id.to_string(),
        name: entity.name.clone(),
        country: Some(entity.country.to_owned()),
        registration_number: Some(entity.registration_number.clone()),
        address: Some(LegalEntityAddress {
            street: Some(entity.street.clone()),
            postal_code: Some(entity.postal_code.to_owned()),
            city: Some(entity.city.to_owned()),
            country: Some(entity.country.to_owned()),
        }),
        valid_from: Some(v2_date(entity.created_at.date_naive())),
        created_at: Some(v2_timestamp(entity.created_at)),
        updated_at: Some(v2_timestamp(entity.created_at)),
        meta: links(&[("self", format!("{origin}/v2/legal-entities/{}", entity.id))]),
    }
}

pub(crate) fn cost_center(company: &Company, id: i64) -> Option<WireCostCenter> {
    company.cost_center(id).map(|c| WireCostCenter {
        id: c.id.to_string(),
        name: c.name.clone(),
    })
}

pub(crate) fn workplace(office: &Office) -> Workplace {
    Workplace {
        id: office.id.to_string(),
        name: office.name.to_owned(),
    }
}
