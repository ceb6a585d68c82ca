//! `/v2/persons` and `/v2/persons/{id}/employments` (personio-api.md §3.3–3.4).

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use personio_api::Scope;
use personio_api::v2::{
    CreatePerson, Created, CustomAttributeWrite, EmploymentWrite, IdRef, Link, PersonPatch,
    ResourceMeta,
};
use serde_json::{Value, json};

use super::{TimeRange, allow_only, invalid_parameter, page_links};
use crate::body::{Body, Payload};
use crate::cache::ViewKey;
use crate::caller::Caller;
use crate::company::{
    Company, EditError, Employee, EmployeeChanges, EmploymentType, Gender, OrgUnitKind, Status,
};
use crate::error::{ApiError, ApiResult, ErrorKind, Family};
use crate::origin::Origin;
use crate::paginate::V2Request;
use crate::params::Params;
use crate::render::page::{json_response, to_bytes, v2_page};
use crate::render::v2::{V2View, employment as render_employment, person as render_person};
use crate::routes::v1::employees::custom_value;
use crate::state::AppState;

/// Paging of persons and employments: default 10, at most 50 (personio-api.md §3.1, H).
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 50;

const PERSON_FILTERS: &[&str] = &[
    "id",
    "email",
    "first_name",
    "last_name",
    "preferred_name",
    "status",
    "created_at",
    "created_at.gt",
    "created_at.lt",
    "created_at.gte",
    "created_at.lte",
    "updated_at",
    "updated_at.gt",
    "updated_at.lt",
    "updated_at.gte",
    "updated_at.lte",
];

/// The filters of `GET /v2/persons`, parsed.
struct PersonFilter {
    ids: Vec<i64>,
    emails: Vec<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    preferred_name: Option<String>,
    /// `ACTIVE` = active, onboarding or on leave; `INACTIVE` = left.
    active: Option<bool>,
    created: TimeRange,
    updated: TimeRange,
}

impl PersonFilter {
    fn parse(params: &Params) -> ApiResult<PersonFilter> {
        allow_only(params, PERSON_FILTERS)?;
        let ids = params
            .all("id")
            .into_iter()
            .map(|v| v.parse::<i64>().map_err(|_| invalid_parameter("id")))
            .collect::<ApiResult<_>>()?;
        let active = match params.one("status").map(str::to_ascii_uppercase).as_deref() {
            None => None,
            Some("ACTIVE") => Some(true),
            Some("INACTIVE") => Some(false),
            Some(_) => return Err(invalid_parameter("status")),
        };
        Ok(PersonFilter {
            ids,
            emails: params
                .all("email")
                .into_iter()
                .map(str::to_lowercase)
                .collect(),
            first_name: params.one("first_name").map(str::to_owned),
            last_name: params.one("last_name").map(str::to_owned),
            preferred_name: params.one("preferred_name").map(str::to_owned),
            active,
            created: TimeRange::parse(params, "created_at")?,
            updated: TimeRange::parse(params, "updated_at")?,
        })
    }

    fn matches(&self, e: &Employee) -> bool {
        (self.ids.is_empty() || self.ids.contains(&e.id))
            && (self.emails.is_empty() || self.emails.iter().any(|m| e.email.to_lowercase() == *m))
            && self.first_name.as_ref().is_none_or(|n| e.first_name == *n)
            && self.last_name.as_ref().is_none_or(|n| e.last_name == *n)
            && self
                .preferred_name
                .as_ref()
                .is_none_or(|n| e.preferred_name == *n)
            && self
                .active
                .is_none_or(|active| (e.status != Status::Inactive) == active)
            && self.created.contains(e.created_at)
            && self.updated.contains(e.updated_at)
    }
}

/// `GET /v2/persons`, by ascending id; the cursor remembers the last id sent.
pub(super) async fn list(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require_scope(Scope::PersonsRead)?;
    let request = V2Request::parse(&params, DEFAULT_LIMIT, MAX_LIMIT)?;
    let filter = PersonFilter::parse(&request.filters)?;
    let after = match &request.after {
        None => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| {
            ApiError::bad_request(Family::V2, "Provided value for cursor is not valid")
        })?),
    };
    let company = app.company.read();
    let start = after.map_or(0, |a| company.employees_after(a));
    let mut selected: Vec<&Employee> = company.employees[start..]
        .iter()
        .filter(|e| filter.matches(e))
        .take(request.limit + 1)
        .collect();
    let next = (selected.len() > request.limit).then(|| {
        selected.truncate(request.limit);
        request.next_cursor(json!(selected.last().map(|e| e.id)))
    });
    let view = V2View {
        readable: caller.readable(),
        origin: &origin,
    };
    let key = ViewKey::new("v2-person", caller.readable(), None, &origin);
    let items: Vec<_> = selected
        .iter()
        .map(|e| {
            app.cache
                .get_or_render(key, e.id, e.version, company.structure_version, || {
                    to_bytes(&render_person(&company, e, &view))
                })
        })
        .collect();
    let (self_href, next_href) = page_links(&origin, uri.path(), uri.query(), &request, next);
    Ok(json_response(v2_page(
        &items,
        &self_href,
        next_href.as_deref(),
    )))
}

fn not_found() -> ApiError {
    ApiError::not_found(Family::V2, 404, "Not Found")
}

fn find<'a>(company: &'a Company, id: &str) -> ApiResult<&'a Employee> {
    id.trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| company.employee(id))
        .ok_or_else(not_found)
}

/// `GET /v2/persons/{id}`: the person at top level, not wrapped in `_data`.
pub(super) async fn show(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Origin(origin): Origin,
) -> ApiResult<Response> {
    caller.require_scope(Scope::PersonsRead)?;
    let company = app.company.read();
    let employee = find(&company, &id)?;
    let view = V2View {
        readable: caller.readable(),
        origin: &origin,
    };
    Ok(json_response(to_bytes(&render_person(
        &company, employee, &view,
    ))))
}

/// `GET /v2/persons/{id}/employments`, most recent first (one per person here).
pub(super) async fn employments(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require_scope(Scope::PersonsRead)?;
    let request = V2Request::parse(&params, DEFAULT_LIMIT, MAX_LIMIT)?;
    allow_only(
        &request.filters,
        &[
            "id",
            "updated_at",
            "updated_at.gt",
            "updated_at.lt",
            "created_at",
            "created_at.gt",
            "created_at.lt",
        ],
    )?;
    let updated = TimeRange::parse(&request.filters, "updated_at")?;
    let created = TimeRange::parse(&request.filters, "created_at")?;
    let ids = request.filters.all("id");
    let company = app.company.read();
    let employee = find(&company, &id)?;
    let matches = (ids.is_empty() || ids.contains(&employee.employment_id.to_string().as_str()))
        && updated.contains(employee.updated_at)
        && created.contains(employee.created_at)
        && request.after.is_none();
    let view = V2View {
        readable: caller.readable(),
        origin: &origin,
    };
    let items: Vec<Vec<u8>> = if matches {
        vec![to_bytes(&render_employment(&company, employee, &view))]
    } else {
        Vec::new()
    };
    let (self_href, _) = page_links(&origin, uri.path(), uri.query(), &request, None);
    Ok(json_response(v2_page(&items, &self_href, None)))
}

/// `GET /v2/persons/{id}/employments/{employment_id}`.
pub(super) async fn employment(
    caller: Caller,
    State(app): State<AppState>,
    Path((id, employment_id)): Path<(String, String)>,
    Origin(origin): Origin,
) -> ApiResult<Response> {
    caller.require_scope(Scope::PersonsRead)?;
    let company = app.company.read();
    let employee = find(&company, &id)?;
    if employee.employment_id.to_string() != employment_id.trim() {
        return Err(not_found());
    }
    let view = V2View {
        readable: caller.readable(),
        origin: &origin,
    };
    Ok(json_response(to_bytes(&render_employment(
        &company, employee, &view,
    ))))
}

fn json_body(body: Body) -> ApiResult<Value> {
    match body.payload {
        Payload::Json(value) => Ok(value),
        Payload::Empty => Err(ApiError::bad_request(
            Family::V2,
            "The request body is empty.",
        )),
        Payload::Form(_) => Err(ApiError::new(Family::V2, ErrorKind::UnsupportedMediaType)),
    }
}

fn parse<T: serde::de::DeserializeOwned>(value: Value) -> ApiResult<T> {
    serde_json::from_value(value)
        .map_err(|e| ApiError::bad_request(Family::V2, format!("Invalid request content: {e}")))
}

fn unprocessable(message: impl Into<String>) -> ApiError {
    ApiError::validation(Family::V2, message)
}

fn edit_error(error: EditError) -> ApiError {
    match error {
        EditError::NotFound => not_found(),
        EditError::DuplicateEmail => ApiError::new(
            Family::V2,
            ErrorKind::Conflict {
                detail: "A person with this email already exists.".into(),
            },
        ),
        other => unprocessable(other.to_string()),
    }
}

/// v2 gender on writes: `MALE|FEMALE|DIVERSE`, with `UNKNOWN`/`UNDEFINED`/null clearing it.
fn gender(text: Option<&str>) -> ApiResult<Option<Gender>> {
    match text.map(str::to_ascii_uppercase).as_deref() {
        None | Some("UNKNOWN") | Some("UNDEFINED") | Some("UNSPECIFIED") => Ok(None),
        Some(g) => Gender::parse(g)
            .map(Some)
            .ok_or_else(|| unprocessable(format!("Unknown gender {g:?}."))),
    }
}

fn custom_changes(
    company: &Company,
    writes: &[CustomAttributeWrite],
) -> ApiResult<Vec<(i64, Option<crate::company::CustomValue>)>> {
    writes
        .iter()
        .map(|w| {
            let def = company
                .custom_attribute(&w.id)
                .ok_or_else(|| unprocessable(format!("Unknown custom attribute {:?}.", w.id)))?;
            let value = custom_value(def.kind, &def.options, &w.value)
                .map_err(|m| unprocessable(format!("{}: {m}", w.id)))?;
            Ok((def.id, value))
        })
        .collect()
}

/// Employment fields into changes, checking every reference exists.
fn employment_changes(
    company: &Company,
    write: &EmploymentWrite,
    changes: &mut EmployeeChanges,
) -> ApiResult<()> {
    let id_of = |r: &IdRef, what: &str| {
        r.id.trim()
            .parse::<i64>()
            .map_err(|_| unprocessable(format!("The {what} id {:?} is not valid.", r.id)))
    };
    if let Some(supervisor) = &write.supervisor {
        changes.supervisor_id = Some(match supervisor {
            None => None,
            Some(r) => Some(id_of(r, "supervisor")?),
        });
    }
    if let Some(office) = &write.office {
        changes.office_id = Some(match office {
            None => None,
            Some(r) => {
                let id = id_of(r, "office")?;
                company
                    .office(id)
                    .ok_or_else(|| unprocessable(format!("Office {id} does not exist.")))?;
                Some(id)
            }
        });
    }
    if let Some(units) = &write.org_units {
        for unit in units {
            let id = id_of(
                &IdRef {
                    id: unit.id.clone(),
                },
                "org unit",
            )?;
            let kind = OrgUnitKind::parse(&unit.kind.to_ascii_lowercase())
                .ok_or_else(|| unprocessable(format!("Unknown org unit type {:?}.", unit.kind)))?;
            company
                .org_unit(id)
                .filter(|u| u.kind == kind)
                .ok_or_else(|| {
                    unprocessable(format!(
                        "Org unit {id} of type {} does not exist.",
                        kind.as_str()
                    ))
                })?;
            match kind {
                OrgUnitKind::Department => changes.department_id = Some(Some(id)),
                OrgUnitKind::Team => changes.team_id = Some(Some(id)),
            }
        }
    }
    if let Some(entity) = write
        .legal_entity
        .clone()
        .flatten()
        .or_else(|| write.subcompany.clone())
    {
        let id = id_of(&entity, "legal entity")?;
        company
            .legal_entity(id)
            .ok_or_else(|| unprocessable(format!("Legal entity {id} does not exist.")))?;
        changes.legal_entity_id = Some(id);
    }
    if let Some(position) = &write.position {
        changes.position = Some(position.title.clone().unwrap_or_default());
    }
    if let Some(status) = &write.status {
        changes.status = Some(
            Status::parse(status)
                .ok_or_else(|| unprocessable(format!("Unknown status {status:?}.")))?,
        );
    }
    if let Some(kind) = &write.kind {
        changes.employment_type = Some(match kind.to_ascii_uppercase().as_str() {
            "INTERNAL" => EmploymentType::Internal,
            "EXTERNAL" => EmploymentType::External,
            other => return Err(unprocessable(format!("Unknown employment type {other:?}."))),
        });
    }
    let date = |text: &str, what: &str| {
        personio_api::time::parse_date(text).ok_or_else(|| {
            unprocessable(format!("The {what} {text:?} is not a date (YYYY-MM-DD)."))
        })
    };
    if let Some(start) = &write.employment_start_date {
        changes.hire_date = Some(date(start, "employment_start_date")?);
    }
    if let Some(end) = &write.contract_end_date {
        changes.contract_end_date = Some(
            end.as_deref()
                .map(|d| date(d, "contract_end_date"))
                .transpose()?,
        );
    }
    if let Some(end) = &write.probation_end_date {
        changes.probation_end_date = Some(
            end.as_deref()
                .map(|d| date(d, "probation_end_date"))
                .transpose()?,
        );
    }
    if let Some(hours) = write.weekly_working_hours {
        if !(0.0..=168.0).contains(&hours) {
            return Err(unprocessable(
                "weekly_working_hours must be between 0 and 168.",
            ));
        }
        changes.weekly_hours = Some(hours);
    }
    if let Some(centers) = &write.cost_centers {
        let mut shares = Vec::new();
        for c in centers {
            let id = id_of(&IdRef { id: c.id.clone() }, "cost center")?;
            company
                .cost_center(id)
                .ok_or_else(|| unprocessable(format!("Cost center {id} does not exist.")))?;
            shares.push((id, c.weight));
        }
        let total: f64 = shares.iter().map(|s| s.1).sum();
        if !shares.is_empty() && (total - 100.0).abs() > 0.01 {
            return Err(unprocessable("Cost center weights must add up to 100."));
        }
        changes.cost_centers = Some(shares);
    }
    Ok(())
}

/// `POST /v2/persons`: a person and their employment → 201 `{"id", "_meta"}`.
pub(super) async fn create(
    caller: Caller,
    State(app): State<AppState>,
    Origin(origin): Origin,
    body: Body,
) -> ApiResult<Response> {
    caller.require_scope(Scope::PersonsWrite)?;
    let input: CreatePerson = parse(json_body(body)?)?;
    if input.first_name.trim().is_empty() || input.last_name.trim().is_empty() {
        return Err(ApiError::bad_request(
            Family::V2,
            "first_name and last_name are required.",
        ));
    }
    let Some(email) = input.email.clone().filter(|e| !e.trim().is_empty()) else {
        return Err(ApiError::bad_request(Family::V2, "email is required."));
    };
    let now = app.clock.now();
    let mut company = app.company.write();
    let mut changes = EmployeeChanges {
        first_name: Some(input.first_name.clone()),
        last_name: Some(input.last_name.clone()),
        preferred_name: input.preferred_name.clone(),
        email: Some(email),
        gender: Some(gender(input.gender.as_deref())?),
        custom: custom_changes(&company, &input.custom_attributes)?,
        ..Default::default()
    };
    if let Some(language) = &input.language_code {
        changes.language = Some(language_code(language)?);
    }
    if let Some(write) = input.employments.first() {
        employment_changes(&company, write, &mut changes)?;
    }
    let id = company.create_employee(changes, now).map_err(edit_error)?;
    let href = format!("{origin}/v2/persons/{id}");
    let links = [
        ("self", href.clone()),
        ("employments", format!("{href}/employments")),
    ]
    .into_iter()
    .map(|(k, h)| (k.to_owned(), Link { href: h }))
    .collect();
    let created = Created {
        id: id.to_string(),
        meta: Some(ResourceMeta { links }),
    };
    Ok((StatusCode::CREATED, json_response(to_bytes(&created))).into_response())
}

fn language_code(code: &str) -> ApiResult<&'static str> {
    const CODES: [&str; 8] = ["en", "de", "es", "fr", "nl", "it", "sv", "fi"];
    CODES
        .into_iter()
        .find(|c| c.eq_ignore_ascii_case(code))
        .ok_or_else(|| unprocessable(format!("Unsupported language_code {code:?}.")))
}

/// `PATCH /v2/persons/{id}` → 204.
pub(super) async fn update(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Response> {
    caller.require_scope(Scope::PersonsWrite)?;
    let patch: PersonPatch = parse(json_body(body)?)?;
    let now = app.clock.now();
    let mut company = app.company.write();
    let id = find(&company, &id)?.id;
    let mut changes = EmployeeChanges {
        first_name: patch.first_name.clone(),
        last_name: patch.last_name.clone(),
        preferred_name: patch.preferred_name.clone(),
        email: patch.email.clone(),
        ..Default::default()
    };
    if patch.gender.is_some() {
        changes.gender = Some(gender(patch.gender.as_deref())?);
    }
    if let Some(language) = &patch.language_code {
        changes.language = Some(language_code(language)?);
    }
    if let Some(custom) = &patch.custom_attributes {
        changes.custom = custom_changes(&company, custom)?;
    }
    for (name, value) in [
        ("first_name", &changes.first_name),
        ("last_name", &changes.last_name),
    ] {
        if value.as_ref().is_some_and(|v| v.trim().is_empty()) {
            return Err(ApiError::bad_request(
                Family::V2,
                format!("{name} must not be blank."),
            ));
        }
    }
    company
        .update_employee(id, changes, now)
        .map_err(edit_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /v2/persons/{id}` → 204 (status unconfirmed; personio-api.md §8).
pub(super) async fn remove(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require_scope(Scope::PersonsWrite)?;
    let now = app.clock.now();
    let mut company = app.company.write();
    let id = find(&company, &id)?.id;
    company.delete_employee(id, now).map_err(edit_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PATCH /v2/persons/{id}/employments/{employment_id}` → 204.
pub(super) async fn update_employment(
    caller: Caller,
    State(app): State<AppState>,
    Path((id, employment_id)): Path<(String, String)>,
    body: Body,
) -> ApiResult<Response> {
    caller.require_scope(Scope::PersonsWrite)?;
    let write: EmploymentWrite = parse(json_body(body)?)?;
    let now = app.clock.now();
    let mut company = app.company.write();
    let employee = find(&company, &id)?;
    if employee.employment_id.to_string() != employment_id.trim() {
        return Err(not_found());
    }
    let id = employee.id;
    let mut changes = EmployeeChanges::default();
    employment_changes(&company, &write, &mut changes)?;
    company
        .update_employee(id, changes, now)
        .map_err(edit_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
