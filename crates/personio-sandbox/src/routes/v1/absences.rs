//! v1 absences (personio-api.md §2.5): `/v1/company/time-off-types`, day-unit
//! `/v1/company/time-offs` and hour-unit `/v1/company/absence-periods`, over the same
//! absences as v2.
//!
//! Quirks kept: time-offs page by *page number* in `offset` (1-based `current_page`), write
//! dates with a `+0100` offset and are created from a form with `skip_approval` defaulting to
//! `true`; hourly periods write UTC instants, carry breakdowns in minutes and answer an
//! unknown absence type with `models.absence-types.not-found`. Rejected or deleted absences
//! are simply gone.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use personio_api::v1::{List, LooseInt, Message, Metadata, Single};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::body::Body;
use crate::caller::Caller;
use crate::company::{
    AbsenceError, AbsenceOrigin, AbsencePeriod, AbsenceSpan, AbsenceStatus, AbsenceUnit, Company,
    LocalMinute, NewAbsence, TimeOffType,
};
use crate::credentials::{Access, Area};
use crate::error::{ApiError, ApiResult, Family};
use crate::paginate::V1Paging;
use crate::params::Params;
use crate::render::absence::{v1_hourly, v1_time_off, v1_type};
use crate::render::page::{json_response, to_bytes};
use crate::state::AppState;

/// Personnel-data routes (they echo the token, like employees).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/company/time-off-types", get(types))
        .route(
            "/v1/company/time-offs",
            get(time_offs).post(create_time_off),
        )
        .route(
            "/v1/company/time-offs/{id}",
            get(time_off).delete(remove_time_off),
        )
        .route(
            "/v1/company/absence-periods",
            get(hourly).post(create_hourly),
        )
        .route("/v1/company/absence-periods/{id}", delete(remove_hourly))
}

/// Every absence list pages 200 at a time by default and at most (§2.1).
const LIMIT: usize = 200;

fn field_error(field: &str, message: &str) -> ApiError {
    ApiError::validation_fields(
        Family::V1,
        "The given data failed to pass validation.",
        json!({ field: [message] }),
    )
}

fn date_param(params: &Params, key: &str) -> ApiResult<Option<NaiveDate>> {
    params
        .one(key)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            personio_api::time::parse_date(t).ok_or_else(|| {
                field_error(
                    key,
                    &format!("The {} is not a valid date.", key.replace('_', " ")),
                )
            })
        })
        .transpose()
}

fn employees(params: &Params) -> ApiResult<Vec<i64>> {
    params
        .repeated("employees[]")
        .into_iter()
        .chain(params.repeated("employees"))
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse()
                .map_err(|_| field_error("employees", "The employees must be integers."))
        })
        .collect()
}

fn unit_of(company: &Company, a: &AbsencePeriod) -> Option<AbsenceUnit> {
    company.time_off_type(a.type_id).map(|t| t.unit)
}

/// `GET /v1/company/time-off-types` (item offset, 0-based pages).
async fn types(caller: Caller, State(app): State<AppState>, params: Params) -> ApiResult<Response> {
    caller.require(Area::Absences, Access::Read)?;
    let paging = V1Paging::parse(&params, LIMIT, LIMIT)?;
    let company = app.company.read();
    let data = company
        .time_off_types
        .iter()
        .skip(paging.offset)
        .take(paging.limit)
        .map(v1_type)
        .collect();
    Ok(json_response(to_bytes(&List {
        success: true,
        metadata: Some(paging.metadata(company.time_off_types.len())),
        offset: Some(LooseInt::Int(paging.offset as i64)),
        limit: Some(LooseInt::Int(paging.limit as i64)),
        data,
    })))
}

/// The span filter of both lists: absences touching `[start_date, end_date]`, each bound
/// optional (§2.5).
fn touches(a: &AbsencePeriod, first: Option<NaiveDate>, last: Option<NaiveDate>) -> bool {
    first.is_none_or(|f| a.end > LocalMinute::at(f, 0))
        && last.is_none_or(|l| a.start < LocalMinute::at(l, 24 * 60))
}

/// `GET /v1/company/time-offs`. `offset` is a page number: pages count from 1, and 0 reads
/// as the first page too (ppy pages from 1; §2.1, §6 #4).
async fn time_offs(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
) -> ApiResult<Response> {
    caller.require(Area::Absences, Access::Read)?;
    let paging = V1Paging::parse(&params, LIMIT, LIMIT)?;
    let page = paging.offset.max(1);
    let first = date_param(&params, "start_date")?;
    let last = date_param(&params, "end_date")?;
    // Whole days, inclusive (§2.5).
    let from = date_param(&params, "updated_from")?;
    let to = date_param(&params, "updated_to")?;
    let persons = employees(&params)?;
    let today = app.clock.now().date_naive();
    let company = app.company.read();
    let tz = company.timezone;
    let matches: Vec<&AbsencePeriod> = company
        .absences
        .periods
        .iter()
        .filter(|a| unit_of(&company, a) == Some(AbsenceUnit::Day))
        .filter(|a| persons.is_empty() || persons.contains(&a.person))
        .filter(|a| touches(a, first, last))
        .filter(|a| {
            let day = a.updated_at.with_timezone(&tz).date_naive();
            from.is_none_or(|f| day >= f) && to.is_none_or(|t| day <= t)
        })
        .collect();
    let data: Vec<_> = matches
        .iter()
        .skip((page - 1).saturating_mul(paging.limit))
        .take(paging.limit)
        .filter_map(|a| v1_time_off(&company, a, caller.readable(), today))
        .collect();
    Ok(json_response(to_bytes(&List {
        success: true,
        metadata: Some(Metadata {
            total_elements: matches.len() as u64,
            current_page: page as u64,
            total_pages: matches.len().div_ceil(paging.limit) as u64,
        }),
        offset: Some(LooseInt::Int(paging.offset as i64)),
        limit: Some(LooseInt::Int(paging.limit as i64)),
        data,
    })))
}

fn time_off_not_found() -> ApiError {
    ApiError::not_found(Family::V1, 404, "The absence period was not found.")
}

/// A day-unit absence by its v1 id.
fn find_time_off<'a>(company: &'a Company, id: &str) -> ApiResult<&'a AbsencePeriod> {
    id.trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| company.absences.by_v1_id(id))
        .filter(|a| unit_of(company, a) == Some(AbsenceUnit::Day))
        .ok_or_else(time_off_not_found)
}

/// `GET /v1/company/time-offs/{id}`.
async fn time_off(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require(Area::Absences, Access::Read)?;
    let today = app.clock.now().date_naive();
    let company = app.company.read();
    let absence = find_time_off(&company, &id)?;
    let body =
        v1_time_off(&company, absence, caller.readable(), today).ok_or_else(time_off_not_found)?;
    Ok(json_response(to_bytes(&Single::new(body))))
}

fn text(input: &Map<String, Value>, key: &str) -> Option<String> {
    match input.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn flag(input: &Map<String, Value>, key: &str) -> Option<bool> {
    match text(input, key)?.as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// The required fields of a v1 absence write; missing or malformed ones are Laravel-style
/// 422 errors, as Personio's are (§2.5).
struct Write {
    person: i64,
    type_id: i64,
    first: NaiveDate,
    last: NaiveDate,
    comment: Option<String>,
    skip_approval: bool,
}

fn read_write(input: &Map<String, Value>, required: &[&str]) -> ApiResult<Write> {
    let mut errors = Map::new();
    for key in required {
        if text(input, key).is_none() {
            let label = key.replace('_', " ");
            errors.insert(
                (*key).to_owned(),
                json!([format!("The {label} field is required.")]),
            );
        }
    }
    let number = |key: &str| text(input, key).and_then(|t| t.parse::<i64>().ok());
    let date =
        |key: &str| text(input, key).and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok());
    for key in ["employee_id", "time_off_type_id"] {
        if text(input, key).is_some() && number(key).is_none() {
            errors.insert(
                key.to_owned(),
                json!([format!("The {} must be an integer.", key.replace('_', " "))]),
            );
        }
    }
    for key in ["start_date", "end_date"] {
        if text(input, key).is_some() && date(key).is_none() {
            errors.insert(
                key.to_owned(),
                json!([format!(
                    "The {} does not match the format Y-m-d.",
                    key.replace('_', " ")
                )]),
            );
        }
    }
    if let (Some(first), Some(last)) = (date("start_date"), date("end_date"))
        && last < first
    {
        errors.insert(
            "end_date".into(),
            json!(["The end date must be a date after or equal to start date."]),
        );
    }
    for key in ["half_day_start", "half_day_end", "skip_approval"] {
        if text(input, key).is_some() && flag(input, key).is_none() {
            errors.insert(
                key.to_owned(),
                json!([format!(
                    "The {} field must be true or false.",
                    key.replace('_', " ")
                )]),
            );
        }
    }
    match (
        number("employee_id"),
        number("time_off_type_id"),
        date("start_date"),
        date("end_date"),
    ) {
        (Some(person), Some(type_id), Some(first), Some(last)) if errors.is_empty() => Ok(Write {
            person,
            type_id,
            first,
            last,
            comment: text(input, "comment"),
            skip_approval: flag(input, "skip_approval").unwrap_or(true),
        }),
        _ => Err(ApiError::validation_fields(
            Family::V1,
            "The given data failed to pass validation.",
            Value::Object(errors),
        )),
    }
}

/// 404 with code 0 for a missing employee or type (§2.5 examples).
fn missing(message: &str) -> ApiError {
    ApiError::not_found(Family::V1, 0, message.to_owned())
}

fn insert_failed(error: &AbsenceError) -> ApiError {
    tracing::debug!(%error, "absence refused");
    ApiError::custom(
        Family::V1,
        StatusCode::BAD_REQUEST,
        400,
        "Error when trying to insert absence period",
    )
}

fn status_for(kind: &TimeOffType, skip_approval: bool) -> AbsenceStatus {
    if skip_approval || !kind.approval_required {
        AbsenceStatus::Approved
    } else {
        AbsenceStatus::Pending
    }
}

/// `POST /v1/company/time-offs` (form, as the spec has it; JSON also taken). For one day,
/// a half day is its afternoon when `half_day_start` is set, else its morning.
async fn create_time_off(
    caller: Caller,
    State(app): State<AppState>,
    body: Body,
) -> ApiResult<Response> {
    caller.require(Area::Absences, Access::Write)?;
    let input = body.into_object()?;
    let write = read_write(
        &input,
        &[
            "employee_id",
            "time_off_type_id",
            "start_date",
            "end_date",
            "half_day_start",
            "half_day_end",
        ],
    )?;
    let half_start = flag(&input, "half_day_start").unwrap_or(false);
    let half_end = flag(&input, "half_day_end").unwrap_or(false);
    let now = app.clock.now();
    let mut company = app.company.write();
    let kind = company
        .time_off_type(write.type_id)
        .cloned()
        .ok_or_else(|| missing("Time-off type not found."))?;
    if company.employee(write.person).is_none() {
        return Err(missing("Employee not found."));
    }
    if kind.unit != AbsenceUnit::Day {
        return Err(insert_failed(&AbsenceError::DaysRequired));
    }
    let single = write.first == write.last;
    let span = AbsenceSpan::Days {
        first: write.first,
        from_noon: half_start,
        last: Some(write.last),
        until_noon: half_end && !(single && half_start),
    };
    let new = NewAbsence {
        person: write.person,
        type_id: kind.id,
        span,
        comment: write.comment,
        substitute: None,
        status: status_for(&kind, write.skip_approval),
        origin: AbsenceOrigin::Api,
    };
    let id = company
        .create_absence(new, now)
        .map_err(|e| insert_failed(&e))?;
    let absence = company.absences.get(id).ok_or_else(time_off_not_found)?;
    let mut body = v1_time_off(&company, absence, caller.readable(), now.date_naive())
        .ok_or_else(time_off_not_found)?;
    body.attributes.created_by = Some("API".to_owned());
    Ok(json_response(to_bytes(&Single::new(body))))
}

fn deleted() -> Response {
    json_response(to_bytes(&Single::new(Message {
        message: "The absence period was deleted.".to_owned(),
    })))
}

fn invalid_id() -> ApiError {
    ApiError::custom(
        Family::V1,
        StatusCode::BAD_REQUEST,
        400,
        "The absence period id is invalid.",
    )
}

/// `DELETE /v1/company/time-offs/{id}`.
async fn remove_time_off(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require(Area::Absences, Access::Write)?;
    if id.trim().parse::<i64>().is_err() {
        return Err(invalid_id());
    }
    let now = app.clock.now();
    let mut company = app.company.write();
    let id = find_time_off(&company, &id)?.id;
    company
        .delete_absence(id, now)
        .map_err(|_| time_off_not_found())?;
    Ok(deleted())
}

/// `updated_from`/`updated_to` of hourly periods: date-times (a bare date is its
/// midnight, or the end of that day as upper bound).
fn instant(params: &Params, key: &str, upper: bool) -> ApiResult<Option<DateTime<Utc>>> {
    let Some(text) = params.one(key).map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let at = day.and_time(NaiveTime::MIN).and_utc();
        let end_of_day = at.checked_add_signed(Duration::seconds(86_399));
        return Ok(Some(if upper { end_of_day.unwrap_or(at) } else { at }));
    }
    personio_api::time::parse_utc(text)
        .or_else(|| personio_api::time::parse_local_datetime(text).map(|t| t.and_utc()))
        .map(Some)
        .ok_or_else(|| field_error(key, "The value is not a valid date."))
}

/// `GET /v1/company/absence-periods`: hour-unit absences. `offset` counts records, as the
/// spec says; `current_page` is 1-based, as its examples show (§2.1).
async fn hourly(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
) -> ApiResult<Response> {
    caller.require(Area::Absences, Access::Read)?;
    let paging = V1Paging::parse(&params, LIMIT, LIMIT)?;
    let first = date_param(&params, "start_date")?;
    let last = date_param(&params, "end_date")?;
    let from = instant(&params, "updated_from", false)?;
    let to = instant(&params, "updated_to", true)?;
    let persons = employees(&params)?;
    let today = app.clock.now().date_naive();
    let company = app.company.read();
    let mut types = Vec::new();
    for id in params
        .repeated("absence_types[]")
        .into_iter()
        .flat_map(|v| v.split(','))
    {
        let kind = Uuid::parse_str(id.trim())
            .ok()
            .and_then(|uuid| company.time_off_types.iter().find(|t| t.uuid == uuid))
            .ok_or_else(|| {
                ApiError::not_found(Family::V1, 404, "models.absence-types.not-found")
            })?;
        types.push(kind.id);
    }
    let ids: Vec<Uuid> = params
        .repeated("absence_periods[]")
        .into_iter()
        .flat_map(|v| v.split(','))
        .filter_map(|v| Uuid::parse_str(v.trim()).ok())
        .collect();
    let matches: Vec<&AbsencePeriod> = company
        .absences
        .periods
        .iter()
        .filter(|a| unit_of(&company, a) == Some(AbsenceUnit::Hour))
        .filter(|a| persons.is_empty() || persons.contains(&a.person))
        .filter(|a| types.is_empty() || types.contains(&a.type_id))
        .filter(|a| ids.is_empty() || ids.contains(&a.id))
        .filter(|a| touches(a, first, last))
        .filter(|a| from.is_none_or(|f| a.updated_at >= f) && to.is_none_or(|t| a.updated_at <= t))
        .collect();
    let data: Vec<_> = matches
        .iter()
        .skip(paging.offset)
        .take(paging.limit)
        .filter_map(|a| v1_hourly(&company, a, caller.readable(), today))
        .collect();
    let mut metadata = paging.metadata(matches.len());
    metadata.current_page += 1;
    Ok(json_response(to_bytes(&List {
        success: true,
        metadata: Some(metadata),
        offset: Some(LooseInt::Int(paging.offset as i64)),
        limit: Some(LooseInt::Int(paging.limit as i64)),
        data,
    })))
}

/// `POST /v1/company/absence-periods` (form) → 201 with the period in a list. One day
/// with `start_time`/`end_time` is those hours; otherwise whole days, with
/// `half_day_start`/`half_day_end` for longer spans.
async fn create_hourly(
    caller: Caller,
    State(app): State<AppState>,
    body: Body,
) -> ApiResult<Response> {
    caller.require(Area::Absences, Access::Write)?;
    let input = body.into_object()?;
    let write = read_write(
        &input,
        &["employee_id", "time_off_type_id", "start_date", "end_date"],
    )?;
    let time = |key: &str| {
        text(&input, key).map(|t| {
            NaiveTime::parse_from_str(&t, "%H:%M").map_err(|_| {
                field_error(
                    key,
                    &format!(
                        "The {} does not match the format H:i.",
                        key.replace('_', " ")
                    ),
                )
            })
        })
    };
    let (start_time, end_time) = (
        time("start_time").transpose()?,
        time("end_time").transpose()?,
    );
    let now = app.clock.now();
    let mut company = app.company.write();
    let kind = company
        .time_off_type(write.type_id)
        .cloned()
        .ok_or_else(|| missing("Absence type not found."))?;
    if company.employee(write.person).is_none() {
        return Err(missing("Employee not found."));
    }
    if kind.unit != AbsenceUnit::Hour || kind.certification_required {
        return Err(insert_failed(&AbsenceError::UnknownType));
    }
    let span = match (write.first == write.last, start_time, end_time) {
        (true, Some(start), Some(end)) => AbsenceSpan::Hours {
            start: write.first.and_time(start),
            end: write.first.and_time(end),
        },
        (single, _, _) => AbsenceSpan::Days {
            first: write.first,
            from_noon: !single && flag(&input, "half_day_start").unwrap_or(false),
            last: Some(write.last),
            until_noon: !single && flag(&input, "half_day_end").unwrap_or(false),
        },
    };
    let new = NewAbsence {
        person: write.person,
        type_id: kind.id,
        span,
        comment: write.comment,
        substitute: None,
        status: status_for(&kind, write.skip_approval),
        origin: AbsenceOrigin::Api,
    };
    let id = company.create_absence(new, now).map_err(|e| match e {
        AbsenceError::HalfDaysNotAllowed | AbsenceError::EndBeforeStart => {
            field_error("end_time", &e.to_string())
        }
        e => insert_failed(&e),
    })?;
    let absence = company.absences.get(id).ok_or_else(time_off_not_found)?;
    let body = v1_hourly(&company, absence, caller.readable(), now.date_naive())
        .ok_or_else(time_off_not_found)?;
    Ok((
        StatusCode::CREATED,
        json_response(to_bytes(&Single::new(vec![body]))),
    )
        .into_response())
}

/// `DELETE /v1/company/absence-periods/{id}` (a UUID).
async fn remove_hourly(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require(Area::Absences, Access::Write)?;
    let uuid = Uuid::parse_str(id.trim()).map_err(|_| invalid_id())?;
    let now = app.clock.now();
    let mut company = app.company.write();
    let hourly = company
        .absences
        .get(uuid)
        .filter(|a| unit_of(&company, a) == Some(AbsenceUnit::Hour))
        .is_some();
    if !hourly {
        return Err(time_off_not_found());
    }
    company
        .delete_absence(uuid, now)
        .map_err(|_| time_off_not_found())?;
    Ok(deleted())
}
