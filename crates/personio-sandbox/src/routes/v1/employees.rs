//! `/v1/company/employees...` (personio-api.md §2.2).

use axum::extract::{Path, State};
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use personio_api::v1::{AttributeType, Balance, Single};
use serde_json::{Map, Value, json};

use crate::body::Body;
use crate::cache::ViewKey;
use crate::caller::Caller;
use crate::company::{Company, CustomValue, EditError, Employee, EmployeeChanges, Gender, Status};
use crate::credentials::{Access, Area};
use crate::error::{ApiError, ApiResult, Family};
use crate::origin::Origin;
use crate::paginate::V1Paging;
use crate::params::Params;
use crate::render::page::{json_response, to_bytes, v1_list};
use crate::render::template::is_template_view;
use crate::render::v1::{V1View, attribute_definitions, employee as render_employee};
use crate::state::AppState;
use axum::response::Response;

/// Per-endpoint paging rules: default 50, at most 100 since 2025-01-31 (personio-api.md §2.1).
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 100;

/// `GET /v1/company/employees`.
pub(crate) async fn list(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
) -> ApiResult<Response> {
    caller.require(Area::Employees, Access::Read)?;
    let paging = V1Paging::parse(&params, DEFAULT_LIMIT, MAX_LIMIT)?;
    let projection: Vec<String> = params
        .repeated("attributes[]")
        .into_iter()
        .chain(params.repeated("attributes"))
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    let projection = (!projection.is_empty()).then_some(projection);
    let company = app.company.read();
    let since = match params.one("updated_since").filter(|s| !s.trim().is_empty()) {
        Some(text) => Some(parse_updated_since(text, company.timezone)?),
        None => None,
    };
    let view = V1View {
        readable: caller.readable(),
        projection: projection.as_deref(),
        origin: &origin,
    };
    let key = ViewKey::new(
        "v1-employee",
        caller.readable(),
        projection.as_deref(),
        &origin,
    );
    // Most callers see employees as the build-time templates have them: filling one in is
    // cheaper than even a cache lookup, so those skip the cache.
    let templated = is_template_view(caller.readable(), projection.as_deref());
    let render = |e: &Employee| -> Bytes {
        if templated
            && let Some(bytes) = app
                .cache
                .templates
                .fill(e, company.structure_version, &origin)
        {
            return Bytes::from(bytes);
        }
        Bytes::from_owner(app.cache.get_or_render(
            key,
            e.id,
            e.version,
            company.structure_version,
            || to_bytes(&render_employee(&company, e, &view)),
        ))
    };

    let body = if let Some(since) = since {
        // Personio: `updated_since` ignores `email`, `limit` and `offset` and returns every
        // match at once; with `attributes[]` it selects people who had one of those
        // attributes changed (personio-api.md §2.2, H). The metadata still reflects `limit`.
        let items: Vec<_> = company
            .employees
            .iter()
            .filter(|e| match &projection {
                Some(keys) => keys.iter().any(|k| e.attribute_changed_at(k) > since),
                None => e.updated_at > since,
            })
            .map(render)
            .collect();
        let metadata = V1Paging {
            limit: paging.limit,
            offset: 0,
        }
        .metadata(items.len());
        v1_list(metadata, 0, paging.limit, &items)
    } else if let Some(email) = params.one("email").filter(|e| !e.is_empty()) {
        let matches: Vec<&Employee> = company
            .employees
            .iter()
            .filter(|e| e.email.eq_ignore_ascii_case(email.trim()))
            .collect();
        let items: Vec<_> = matches
            .iter()
            .skip(paging.offset)
            .take(paging.limit)
            .map(|e| render(e))
            .collect();
        v1_list(
            paging.metadata(matches.len()),
            paging.offset,
            paging.limit,
            &items,
        )
    } else {
        let total = company.employees.len();
        let items: Vec<_> = company
            .employees
            .iter()
            .skip(paging.offset)
            .take(paging.limit)
            .map(render)
            .collect();
        v1_list(paging.metadata(total), paging.offset, paging.limit, &items)
    };
    Ok(json_response(body))
}

/// `updated_since`: `2022-12-24T08:15:30` or `2022-12-24`, optionally with an offset. A
/// value without offset is read in the company's zone (Personio does not document which
/// zone it uses; personio-api.md §8).
fn parse_updated_since(text: &str, tz: Tz) -> ApiResult<DateTime<Utc>> {
    let text = text.trim();
    if let Some(instant) = personio_api::time::parse_datetime(text).filter(|_| has_offset(text)) {
        return Ok(instant.with_timezone(&Utc));
    }
    let local = personio_api::time::parse_local_datetime(text).or_else(|| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    });
    local
        .and_then(|l| tz.from_local_datetime(&l).earliest())
        .map(|l| l.with_timezone(&Utc))
        .ok_or_else(|| {
            ApiError::validation_fields(
                Family::V1,
                "The given data failed to pass validation.",
                json!({ "updated_since": ["The updated since is not a valid date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)."] }),
            )
        })
}

fn has_offset(text: &str) -> bool {
    text.ends_with('Z')
        || text.ends_with('z')
        || text
            .get(10..)
            .is_some_and(|t| t.contains('+') || t.rfind('-').is_some())
}

/// `GET /v1/company/employees/{id}`.
pub(crate) async fn show(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Origin(origin): Origin,
) -> ApiResult<Response> {
    caller.require(Area::Employees, Access::Read)?;
    let company = app.company.read();
    let employee = super::path_id(&id)
        .and_then(|id| company.employee(id))
        .ok_or_else(|| ApiError::employee_not_found(Family::V1))?;
    let view = V1View {
        readable: caller.readable(),
        projection: None,
        origin: &origin,
    };
    Ok(json_response(to_bytes(&Single::new(render_employee(
        &company, employee, &view,
    )))))
}

/// `GET /v1/company/employees/attributes` (and its alias `custom-attributes`): the keys
/// this credential may read.
pub(crate) async fn attributes(caller: Caller, State(app): State<AppState>) -> ApiResult<Response> {
    caller.require(Area::Employees, Access::Read)?;
    let company = app.company.read();
    Ok(json_response(to_bytes(&Single::new(
        attribute_definitions(&company, caller.readable()),
    ))))
}

/// `GET /v1/company/employees/{id}/absences/balance`: per absence type the employee is
/// entitled to, the remaining balance.
pub(crate) async fn balance(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require(Area::Absences, Access::Read)?;
    let company = app.company.read();
    let employee = super::path_id(&id)
        .and_then(|id| company.employee(id))
        .ok_or_else(|| ApiError::employee_not_found(Family::V1))?;
    let balances: Vec<Balance> = company
        .balances(employee)
        .into_iter()
        .map(|b| Balance {
            id: b.time_off_type.id,
            name: b.time_off_type.name.to_owned(),
            category: Some(b.time_off_type.category.to_owned()),
            balance: b.balance,
            available_balance: Some(b.available),
        })
        .collect();
    Ok(json_response(to_bytes(&Single::new(balances))))
}

/// `POST /v1/company/employees` with `{"employee": {...}}` (JSON or `employee[...]` form).
pub(crate) async fn create(
    caller: Caller,
    State(app): State<AppState>,
    body: Body,
) -> ApiResult<Response> {
    caller.require(Area::Employees, Access::Write)?;
    let input = employee_object(body)?;
    let now = app.clock.now();
    let mut company = app.company.write();
    let (changes, meta) = read_changes(&company, &input, true)?;
    let id = company.create_employee(changes, now).map_err(edit_error)?;
    let mut body = json!({ "success": true, "data": { "id": id, "message": "success" } });
    if !meta.is_empty() {
        body["meta"] = Value::Array(meta);
    }
    Ok(json_response(to_bytes(&body)))
}

/// `PATCH /v1/company/employees/{id}`.
pub(crate) async fn update(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Response> {
    caller.require(Area::Employees, Access::Write)?;
    let input = employee_object(body)?;
    let now = app.clock.now();
    let mut company = app.company.write();
    let id = super::path_id(&id)
        .filter(|id| company.employee(*id).is_some())
        .ok_or_else(|| ApiError::employee_not_found(Family::V1))?;
    let (changes, meta) = read_changes(&company, &input, false)?;
    company
        .update_employee(id, changes, now)
        .map_err(edit_error)?;
    Ok(json_response(to_bytes(
        &json!({ "success": true, "data": { "id": id }, "meta": meta }),
    )))
}

fn employee_object(body: Body) -> ApiResult<Map<String, Value>> {
    let mut object = body.into_object()?;
    match object.remove("employee") {
        Some(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::validation_fields(
            Family::V1,
            "The given data failed to pass validation.",
            json!({ "employee": ["The employee field is required."] }),
        )),
    }
}

fn edit_error(error: EditError) -> ApiError {
    match error {
        EditError::NotFound => ApiError::employee_not_found(Family::V1),
        other => ApiError::custom(
            Family::V1,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            422,
            other.to_string(),
        ),
    }
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::validation_fields(
        Family::V1,
        "The given data failed to pass validation.",
        json!({ field: [message] }),
    )
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads a v1 employee write into changes, plus the "meta" notes Personio adds for inputs
/// it ignores (unknown org names, read-only fields; personio-api.md §2.2).
fn read_changes(
    company: &Company,
    input: &Map<String, Value>,
    creating: bool,
) -> ApiResult<(EmployeeChanges, Vec<Value>)> {
    let mut changes = EmployeeChanges::default();
    let mut meta = Vec::new();
    for (key, value) in input {
        match key.as_str() {
            "first_name" => changes.first_name = text(value),
            "last_name" => changes.last_name = text(value),
            "preferred_name" => changes.preferred_name = text(value),
            "position" => changes.position = text(value),
            "email" if creating => changes.email = text(value),
            "email" => meta.push(json!({ "field": "email", "message": "Updating of this field is not currently supported." })),
            "gender" => {
                changes.gender = match value {
                    Value::Null => Some(None),
                    v => Some(Some(text(v).as_deref().and_then(Gender::parse).ok_or_else(|| invalid("gender", "The selected gender is invalid."))?)),
                }
            }
            "status" => {
                changes.status = Some(text(value).as_deref().and_then(Status::parse).ok_or_else(|| invalid("status", "The selected status is invalid."))?)
            }
            "hire_date" => {
                let day = text(value).as_deref().and_then(personio_api::time::parse_date);
                changes.hire_date = Some(day.ok_or_else(|| invalid("hire_date", "The hire date is not a valid date."))?);
            }
            "weekly_working_hours" => {
                let hours = text(value).and_then(|t| t.trim().parse::<f64>().ok()).filter(|h| (0.0..=168.0).contains(h));
                changes.weekly_hours = Some(hours.ok_or_else(|| invalid("weekly_working_hours", "The weekly working hours must be a number."))?);
            }
            "supervisor_id" => {
                changes.supervisor_id = match value {
                    Value::Null => Some(None),
                    v => Some(Some(text(v).and_then(|t| t.trim().parse::<i64>().ok()).ok_or_else(|| invalid("supervisor_id", "The supervisor id must be a number."))?)),
                }
            }
            "subcompany" => match text(value).and_then(|name| company.legal_entities.iter().find(|e| e.name == name).map(|e| e.id)) {
                Some(id) => changes.legal_entity_id = Some(id),
                None => meta.push(json!({ "field": "subcompany", "message": format!("Subcompany {value} not found; ignored.") })),
            },
            "department" => match text(value).and_then(|name| company.org_units.iter().find(|u| u.kind == crate::company::OrgUnitKind::Department && u.name == name).map(|u| u.id)) {
                Some(id) => changes.department_id = Some(Some(id)),
                None => meta.push(json!({ "field": "department", "message": format!("Department {value} not found; ignored.") })),
            },
            "office" => match text(value).and_then(|name| company.offices.iter().find(|o| o.name == name).map(|o| o.id)) {
                Some(id) => changes.office_id = Some(Some(id)),
                None => meta.push(json!({ "field": "office", "message": format!("Office {value} not found; ignored.") })),
            },
            "custom_attributes" => {
                let Value::Object(map) = value else {
                    return Err(invalid("custom_attributes", "The custom attributes must be an object."));
                };
                for (attr, raw) in map {
                    let Some(def) = company.custom_attribute(attr) else {
                        meta.push(json!({ "field": attr, "message": "Unknown attribute; ignored." }));
                        continue;
                    };
                    let parsed = custom_value(def.kind, &def.options, raw).map_err(|m| invalid(attr, &m))?;
                    changes.custom.push((def.id, parsed));
                }
            }
            other => meta.push(json!({ "field": other, "message": "This field cannot be written; ignored." })),
        }
    }
    Ok((changes, meta))
}

/// A custom attribute value from a write, checked against its type.
pub(crate) fn custom_value(
    kind: AttributeType,
    options: &[&str],
    raw: &Value,
) -> Result<Option<CustomValue>, String> {
    if raw.is_null() || raw.as_str().is_some_and(str::is_empty) {
        return Ok(None);
    }
    let as_text = text(raw);
    let value = match kind {
        AttributeType::Date => CustomValue::Date(
            as_text
                .as_deref()
                .and_then(personio_api::time::parse_date)
                .ok_or("The value must be a date (YYYY-MM-DD).")?,
        ),
        AttributeType::Integer => CustomValue::Integer(
            as_text
                .and_then(|t| t.trim().parse().ok())
                .ok_or("The value must be an integer.")?,
        ),
        AttributeType::Decimal => CustomValue::Decimal(
            as_text
                .and_then(|t| t.trim().parse::<f64>().ok())
                .filter(|x| x.is_finite())
                .ok_or("The value must be a number.")?,
        ),
        AttributeType::Tags => {
            let tags: Vec<String> = match raw {
                Value::Array(items) => items.iter().filter_map(text).collect(),
                _ => as_text
                    .unwrap_or_default()
                    .split(',')
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
                    .collect(),
            };
            if let Some(bad) = tags.iter().find(|t| !options.contains(&t.as_str())) {
                return Err(format!("The option {bad:?} does not exist."));
            }
            CustomValue::Tags(tags)
        }
        AttributeType::List => {
            let choice = as_text.ok_or("The value must be one of the options.")?;
            if !options.contains(&choice.as_str()) {
                return Err(format!("The option {choice:?} does not exist."));
            }
            CustomValue::Text(choice)
        }
        _ => CustomValue::Text(as_text.ok_or("The value must be text.")?),
    };
    Ok(Some(value))
}
