//! v1 attendances and attendance projects (`/v1/company/attendances[...]`, personio-api.md
//! §2.3–2.4), served over the same periods and projects as v2.
//!
//! Personio retired these endpoints on 2026-08-30. By default the sandbox answers them as
//! retired: `410 Gone` in the v1 error envelope, naming the v2 endpoint to use (how
//! Personio words it is not published; 410 is our choice because it tells a client the
//! endpoint is gone for good, not that a record is missing). With `--legacy-v1` they are
//! served with their quirks: `offset`/`limit` written as strings, pending and rejected
//! periods only with `includePending`, `skip_approval` defaulting to `true`, project errors
//! outside the usual envelope, and no `Authorization` echo.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, patch};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use indexmap::IndexMap;
use personio_api::v1::{
    self, CreatedIds, List, LooseInt, Message, ProjectError, RowOutcome, Single,
};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::body::{Body, Payload};
use crate::caller::Caller;
use crate::company::{
    AttendanceChanges, AttendanceError, AttendancePeriod, AttendanceStatus, Company, NewAttendance,
    PeriodKind, ProjectChanges, ProjectDraft, ProjectError as EditError, ProjectStatus,
};
use crate::credentials::{Access, Area};
use crate::error::{ApiError, ApiResult, Family};
use crate::paginate::V1Paging;
use crate::params::Params;
use crate::render::attendance::v1 as render;
use crate::render::page::{json_response, to_bytes};
use crate::render::project::v1 as render_project;
use crate::state::AppState;

/// The routes, served or answered as retired.
pub(crate) fn routes(legacy: bool) -> Router<AppState> {
    if !legacy {
        return Router::new()
            .route("/v1/company/attendances", any(retired_attendances))
            .route("/v1/company/attendances/{id}", any(retired_attendances))
            .route("/v1/company/attendances/projects", any(retired_projects))
            .route(
                "/v1/company/attendances/projects/{id}",
                any(retired_projects),
            );
    }
    Router::new()
        .route("/v1/company/attendances", get(list).post(create))
        .route("/v1/company/attendances/{id}", patch(update).delete(remove))
        .route(
            "/v1/company/attendances/projects",
            get(projects).post(create_project),
        )
        .route(
            "/v1/company/attendances/projects/{id}",
            patch(update_project).delete(remove_project),
        )
}

fn retired(replacement: &str) -> Response {
    ApiError::custom(
        Family::V1,
        StatusCode::GONE,
        410,
        format!(
            "This endpoint was retired on 2026-08-30. Use {replacement} of the v2 API instead."
        ),
    )
    .into_response()
}

async fn retired_attendances() -> Response {
    retired("/v2/attendance-periods")
}

async fn retired_projects() -> Response {
    retired("/v2/projects")
}

/// Attendance pages: default and most 200 (§2.1, H).
const LIMIT: usize = 200;

fn field_error(field: &str, message: &str) -> ApiError {
    ApiError::validation_fields(
        Family::V1,
        "The given data failed to pass validation.",
        serde_json::json!({ field: [message] }),
    )
}

fn required_date(params: &Params, key: &str) -> ApiResult<NaiveDate> {
    let label = key.replace('_', " ");
    let text = params
        .one(key)
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| field_error(key, &format!("The {label} field is required.")))?;
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| field_error(key, &format!("The {label} is not a valid date.")))
}

/// `updated_from` / `updated_to`: a date or a date-time, with or without zone, inclusive
/// (§2.3). A bare date as upper bound means the whole day; a zone-less time means UTC.
fn updated_bound(params: &Params, key: &str, upper: bool) -> ApiResult<Option<DateTime<Utc>>> {
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

/// `GET /v1/company/attendances`: work periods attributed to days in
/// `[start_date, end_date]`, in person and time order; their breaks become `break` minutes.
async fn list(caller: Caller, State(app): State<AppState>, params: Params) -> ApiResult<Response> {
    caller.require(Area::Attendances, Access::Read)?;
    let first = required_date(&params, "start_date")?;
    let last = required_date(&params, "end_date")?;
    let paging = V1Paging::parse(&params, LIMIT, LIMIT)?;
    let from = updated_bound(&params, "updated_from", false)?;
    let to = updated_bound(&params, "updated_to", true)?;
    let persons = employees(&params)?;
    // Only confirmed periods, unless pending and rejected ones are asked for (§2.3, H).
    let include_pending = matches!(params.one("includePending"), Some("true" | "1"));
    let company = app.company.read();
    let matches = |p: &&AttendancePeriod| {
        p.kind == PeriodKind::Work
            && (include_pending || p.status == AttendanceStatus::Confirmed)
            && (first..=last).contains(&p.attribution_date)
            && (persons.is_empty() || persons.contains(&p.person))
            && from.is_none_or(|f| p.updated_at >= f)
            && to.is_none_or(|t| p.updated_at <= t)
    };
    let mut total = 0;
    let mut data = Vec::new();
    for period in company.attendances.periods.iter().filter(matches) {
        if total >= paging.offset && data.len() < paging.limit {
            data.push(render(&company, period));
        }
        total += 1;
    }
    // Personio writes this endpoint's `offset` and `limit` as strings (§2.1, M).
    let body = List {
        success: true,
        metadata: Some(paging.metadata(total)),
        offset: Some(LooseInt::Text(paging.offset.to_string())),
        limit: Some(LooseInt::Text(paging.limit.to_string())),
        data,
    };
    Ok(json_response(to_bytes(&body)))
}

/// `skip_approval` of v1 writes: `true` unless said otherwise (§2.3, H).
fn skip_approval(value: Option<&Value>) -> bool {
    !matches!(value, Some(Value::Bool(false)))
        && !matches!(value.and_then(Value::as_str), Some("false" | "0"))
}

fn status_for(skip_approval: bool) -> AttendanceStatus {
    if skip_approval {
        AttendanceStatus::Confirmed
    } else {
        AttendanceStatus::Pending
    }
}

/// The rows of a bulk create: JSON `{"attendances": [...]}` or the form
/// `attendances[][employee]=...`, where a repeated field starts the next row.
/// The rows of a bulk create, and its `skip_approval` as sent.
type Rows = (Vec<Map<String, Value>>, Option<Value>);

fn rows(body: Body) -> ApiResult<Rows> {
    let bad = || ApiError::bad_request(Family::V1, "The attendances field is required.");
    match body.payload {
        Payload::Json(Value::Object(mut map)) => {
            let skip = map.remove("skip_approval");
            match map.remove("attendances") {
                Some(Value::Array(items)) if !items.is_empty() => items
                    .into_iter()
                    .map(|item| match item {
                        Value::Object(row) => Ok(row),
                        _ => Err(bad()),
                    })
                    .collect::<ApiResult<_>>()
                    .map(|rows| (rows, skip)),
                _ => Err(bad()),
            }
        }
        Payload::Form(pairs) => {
            let mut rows: Vec<Map<String, Value>> = Vec::new();
            let mut skip = None;
            for (key, value) in pairs {
                if key == "skip_approval" {
                    skip = Some(Value::String(value));
                    continue;
                }
                let Some(field) = key
                    .strip_prefix("attendances[")
                    .and_then(|rest| rest.split_once("]["))
                    .and_then(|(_, field)| field.strip_suffix(']'))
                else {
                    continue;
                };
                if rows.last().is_none_or(|row| row.contains_key(field)) {
                    rows.push(Map::new());
                }
                if let Some(row) = rows.last_mut() {
                    row.insert(field.to_owned(), Value::String(value));
                }
            }
            if rows.is_empty() {
                Err(bad())
            } else {
                Ok((rows, skip))
            }
        }
        _ => Err(bad()),
    }
}

fn number(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn text(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::as_str).map(str::trim)
}

fn clock_time(day: NaiveDate, value: Option<&Value>) -> Option<NaiveDateTime> {
    let time = NaiveTime::parse_from_str(text(value)?, "%H:%M").ok()?;
    Some(day.and_time(time))
}

fn attendance_message(error: &AttendanceError) -> String {
    match error {
        AttendanceError::EndBeforeStart => "Start time has to be smaller than end time".to_owned(),
        AttendanceError::UnknownPerson(id) => format!("Employee {id} not found"),
        other => other.to_string(),
    }
}

/// A working day with `break` minutes, in the middle of the period.
struct Day {
    person: i64,
    start: NaiveDateTime,
    end: Option<NaiveDateTime>,
    break_minutes: i64,
    comment: Option<String>,
    project: Option<u32>,
}

fn read_day(row: &Map<String, Value>) -> Result<Day, String> {
    let person = number(row.get("employee")).ok_or("The employee field is required.")?;
    let date = text(row.get("date"))
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or("The date must be a date in the format YYYY-MM-DD.")?;
    let start = clock_time(date, row.get("start_time"))
        .ok_or("The start time must be in the format HH:MM.")?;
    let end = match row.get("end_time") {
        None | Some(Value::Null) => None,
        Some(value) => {
            Some(clock_time(date, Some(value)).ok_or("The end time must be in the format HH:MM.")?)
        }
    };
    let break_minutes = number(row.get("break"))
        .filter(|b| *b >= 0)
        .ok_or("The break must be a number of minutes (0 or more).")?;
    let project = match row.get("project_id") {
        None | Some(Value::Null) => None,
        value => Some(
            number(value)
                .and_then(|id| u32::try_from(id).ok())
                .ok_or("The project id must be a number.")?,
        ),
    };
    Ok(Day {
        person,
        start,
        end,
        break_minutes,
        comment: text(row.get("comment"))
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
        project,
    })
}

impl Day {
    /// The break as a period in the middle of the work.
    fn break_span(&self) -> Result<Option<(NaiveDateTime, NaiveDateTime)>, String> {
        let Some(end) = self.end.filter(|_| self.break_minutes > 0) else {
            return Ok(None);
        };
        let length = (end - self.start).num_minutes();
        if self.break_minutes >= length {
            return Err("The break must be shorter than the attendance period.".to_owned());
        }
        // Both times lie between the period's start and end, so they exist.
        let start = self.start + Duration::minutes((length - self.break_minutes) / 2);
        Ok(Some((start, start + Duration::minutes(self.break_minutes))))
    }
}

/// Creates a work period and its break; returns the v1 id.
fn record(
    company: &mut Company,
    day: &Day,
    status: AttendanceStatus,
    now: DateTime<Utc>,
) -> Result<i64, String> {
    if day.end.is_some_and(|end| end <= day.start) {
        return Err(attendance_message(&AttendanceError::EndBeforeStart));
    }
    let pause = day.break_span()?;
    let work = company
        .create_attendance(
            NewAttendance {
                person: day.person,
                kind: PeriodKind::Work,
                start: day.start,
                end: day.end,
                comment: day.comment.clone(),
                project: day.project,
                status,
            },
            now,
        )
        .map_err(|e| attendance_message(&e))?;
    if let Some((start, end)) = pause {
        let pause = NewAttendance {
            person: day.person,
            kind: PeriodKind::Break,
            start,
            end: Some(end),
            comment: None,
            project: None,
            status,
        };
        if let Err(error) = company.create_attendance(pause, now) {
            let _ = company.delete_attendance(work, now);
            return Err(attendance_message(&error));
        }
    }
    company
        .attendances
        .v1_id(work)
        .ok_or_else(|| "The attendance period was not stored.".to_owned())
}

/// `POST /v1/company/attendances`: every valid row is stored; if any row fails, the answer
/// is 400 with the outcome of each row (Personio's "improved failure handling", §2.3).
async fn create(caller: Caller, State(app): State<AppState>, body: Body) -> ApiResult<Response> {
    caller.require(Area::Attendances, Access::Write)?;
    let (rows, skip) = rows(body)?;
    let status = status_for(skip_approval(skip.as_ref()));
    let now = app.clock.now();
    let mut company = app.company.write();
    let outcomes: Vec<(Map<String, Value>, Result<i64, String>)> = rows
        .into_iter()
        .map(|row| {
            let outcome = read_day(&row).and_then(|day| record(&mut company, &day, status, now));
            (row, outcome)
        })
        .collect();
    if outcomes.iter().all(|(_, o)| o.is_ok()) {
        let ids = outcomes.into_iter().filter_map(|(_, o)| o.ok()).collect();
        let body = Single::new(CreatedIds {
            id: ids,
            message: "success".to_owned(),
        });
        return Ok(json_response(to_bytes(&body)));
    }
    let detailed: Vec<RowOutcome> = outcomes
        .into_iter()
        .map(|(row, outcome)| {
            let field = |k: &str| row.get(k).cloned().unwrap_or(Value::Null);
            RowOutcome {
                success: outcome.is_ok(),
                error_msg: outcome.as_ref().err().cloned(),
                id: outcome.ok(),
                employee: field("employee"),
                date: field("date"),
                start_time: field("start_time"),
                end_time: field("end_time"),
                break_minutes: field("break"),
                // Personio's example echoes a row sent without a comment as `""`; the
                // schema makes it a string.
                comment: row
                    .get("comment")
                    .filter(|c| !c.is_null())
                    .cloned()
                    .unwrap_or_else(|| Value::String(String::new())),
                project_id: field("project_id"),
            }
        })
        .collect();
    let mut body = personio_api::error::V1ErrorBody::new(
        400,
        "Error when trying to insert Attendances periods rows",
    );
    body.error.detailed_message = serde_json::to_value(detailed).ok();
    Err(ApiError::v1_body_as_is(
        StatusCode::BAD_REQUEST,
        body,
        "Error when trying to insert Attendances periods rows",
    ))
}

fn attendance_not_found() -> ApiError {
    ApiError::not_found(Family::V1, 404, "The attendance period was not found.")
}

/// The work period with a v1 id (breaks have none of their own in v1).
fn work_period(company: &Company, id: &str) -> ApiResult<AttendancePeriod> {
    id.trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| company.attendances.by_v1_id(id))
        .filter(|p| p.kind == PeriodKind::Work)
        .cloned()
        .ok_or_else(attendance_not_found)
}

/// `PATCH /v1/company/attendances/{id}`: any of `date`, `start_time`, `end_time`, `break`,
/// `comment`, `project_id`, `skip_approval`; the employee cannot change.
async fn update(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Response> {
    caller.require(Area::Attendances, Access::Write)?;
    let input = body.into_object()?;
    const FIELDS: [&str; 7] = [
        "date",
        "start_time",
        "end_time",
        "break",
        "comment",
        "project_id",
        "skip_approval",
    ];
    if !FIELDS.iter().any(|f| input.contains_key(*f)) {
        return Err(ApiError::bad_request(
            Family::V1,
            "At least one of date, start_time, end_time, break, comment, project_id or skip_approval is required.",
        ));
    }
    let now = app.clock.now();
    let mut company = app.company.write();
    let work = work_period(&company, &id)?;
    let current_break = i64::from(company.attendances.break_minutes(&work));
    let mut row = Map::new();
    row.insert("employee".into(), Value::from(work.person));
    row.insert(
        "date".into(),
        Value::from(work.attribution_date.format("%Y-%m-%d").to_string()),
    );
    row.insert("start_time".into(), Value::from(work.start.hh_mm()));
    row.insert(
        "end_time".into(),
        work.end().map_or(Value::Null, |e| Value::from(e.hh_mm())),
    );
    row.insert("break".into(), Value::from(current_break));
    row.insert(
        "comment".into(),
        company
            .attendances
            .comment(&work)
            .map_or(Value::Null, Value::from),
    );
    row.insert(
        "project_id".into(),
        work.project.map_or(Value::Null, Value::from),
    );
    for (key, value) in &input {
        if FIELDS[..6].contains(&key.as_str()) {
            row.insert(key.clone(), value.clone());
        }
    }
    let insert_failed = |message: String| {
        ApiError::custom(
            Family::V1,
            StatusCode::BAD_REQUEST,
            400,
            format!("Error when trying to insert Attendances periods rows. {message}"),
        )
    };
    let day = read_day(&row).map_err(insert_failed)?;
    if day.end.is_some_and(|end| end <= day.start) {
        return Err(insert_failed(attendance_message(
            &AttendanceError::EndBeforeStart,
        )));
    }
    let pause = day.break_span().map_err(insert_failed)?;
    let status = status_for(skip_approval(input.get("skip_approval")));
    let breaks: Vec<Uuid> = company.attendances.breaks_of(&work).map(|b| b.id).collect();
    let changes = AttendanceChanges {
        start: Some(day.start),
        end: Some(day.end),
        comment: Some(day.comment.clone()),
        project: Some(day.project),
        status: Some(status),
        ..Default::default()
    };
    company
        .update_attendance(work.id, changes, now)
        .map_err(|e| insert_failed(attendance_message(&e)))?;
    if input.contains_key("break")
        || input.contains_key("date")
        || input.contains_key("start_time")
        || input.contains_key("end_time")
    {
        for id in breaks {
            let _ = company.delete_attendance(id, now);
        }
        if let Some((start, end)) = pause {
            let pause = NewAttendance {
                person: work.person,
                kind: PeriodKind::Break,
                start,
                end: Some(end),
                comment: None,
                project: None,
                status,
            };
            company
                .create_attendance(pause, now)
                .map_err(|e| insert_failed(attendance_message(&e)))?;
        }
    }
    Ok(message("The attendance period was updated."))
}

fn message(text: &str) -> Response {
    json_response(to_bytes(&Single::new(Message {
        message: text.to_owned(),
    })))
}

/// `DELETE /v1/company/attendances/{id}`: the work period and its breaks.
async fn remove(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require(Area::Attendances, Access::Write)?;
    if id.trim().parse::<i64>().is_err() {
        return Err(ApiError::bad_request(Family::V1, "Bad Request"));
    }
    let now = app.clock.now();
    let mut company = app.company.write();
    let work = work_period(&company, &id)?;
    let breaks: Vec<Uuid> = company.attendances.breaks_of(&work).map(|b| b.id).collect();
    for id in breaks.into_iter().chain([work.id]) {
        let _ = company.delete_attendance(id, now);
    }
    Ok(message("The attendance period was deleted."))
}

/// `{"success": false, "error": {field: [message]}}`, v1 projects' own error shape.
fn project_field_error(field: &str, text: &str) -> ApiError {
    let mut fields = IndexMap::new();
    fields.insert(field.to_owned(), vec![text.to_owned()]);
    ApiError::v1_body_as_is(
        StatusCode::BAD_REQUEST,
        ProjectError {
            success: false,
            error: Some(fields),
            message: None,
        },
        text,
    )
}

/// `{"success": false, "message": "Project 5 not found"}`.
fn project_not_found(id: &str) -> ApiError {
    let text = format!("Project {} not found", id.trim());
    ApiError::v1_body_as_is(
        StatusCode::NOT_FOUND,
        ProjectError {
            success: false,
            error: None,
            message: Some(text.clone()),
        },
        text,
    )
}

fn project_edit_error(error: EditError, id: &str) -> ApiError {
    match error {
        EditError::NotFound(_) => project_not_found(id),
        EditError::NameRequired | EditError::NameTooLong | EditError::DuplicateName => {
            project_field_error("name", &error.to_string())
        }
        other => project_field_error("project", &other.to_string()),
    }
}

/// `active` as JSON or form sends it.
fn active(value: Option<&Value>) -> ApiResult<Option<bool>> {
    match value {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if matches!(s.as_str(), "true" | "1") => Ok(Some(true)),
        Some(Value::String(s)) if matches!(s.as_str(), "false" | "0") => Ok(Some(false)),
        Some(_) => Err(project_field_error(
            "active",
            "Active field needs to be of type boolean",
        )),
    }
}

fn project_status(active: bool) -> ProjectStatus {
    if active {
        ProjectStatus::Active
    } else {
        ProjectStatus::Archived
    }
}

/// `GET /v1/company/attendances/projects`: every project (v1 knows no hierarchy).
async fn projects(caller: Caller, State(app): State<AppState>) -> ApiResult<Response> {
    caller.require(Area::Attendances, Access::Read)?;
    let company = app.company.read();
    let data: Vec<v1::Project> = company
        .projects
        .list
        .iter()
        .map(|p| render_project(&company, p))
        .collect();
    Ok(json_response(to_bytes(&Single::new(data))))
}

/// `POST /v1/company/attendances/projects` with `{"name", "active"}` (`active` defaults to
/// `false`).
async fn create_project(
    caller: Caller,
    State(app): State<AppState>,
    body: Body,
) -> ApiResult<Response> {
    caller.require(Area::Attendances, Access::Write)?;
    let input = body.into_object()?;
    let name = input
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| project_field_error("name", "Project name cannot be empty"))?;
    let status = project_status(active(input.get("active"))?.unwrap_or(false));
    let now = app.clock.now();
    let mut company = app.company.write();
    let id = company
        .create_project(ProjectDraft::new(name, status), now)
        .map_err(|e| project_edit_error(e, ""))?;
    let project = company.project(id).ok_or_else(|| project_not_found(""))?;
    Ok(json_response(to_bytes(&Single::new(render_project(
        &company, project,
    )))))
}

/// `PATCH /v1/company/attendances/projects/{id}` with `{name?, active?}`.
async fn update_project(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Response> {
    caller.require(Area::Attendances, Access::Write)?;
    let input = body.into_object()?;
    let name = match input.get("name") {
        None => None,
        Some(Value::String(n)) if !n.trim().is_empty() => Some(n.trim().to_owned()),
        Some(_) => return Err(project_field_error("name", "Project name cannot be empty")),
    };
    let status = active(input.get("active"))?.map(project_status);
    let now = app.clock.now();
    let mut company = app.company.write();
    let project_id = id
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|p| company.project(*p).is_some())
        .ok_or_else(|| project_not_found(&id))?;
    let changes = ProjectChanges {
        name,
        status,
        ..Default::default()
    };
    company
        .update_project(project_id, changes, now)
        .map_err(|e| project_edit_error(e, &id))?;
    let project = company
        .project(project_id)
        .ok_or_else(|| project_not_found(&id))?;
    Ok(json_response(to_bytes(&Single::new(render_project(
        &company, project,
    )))))
}

/// `DELETE /v1/company/attendances/projects/{id}` → 204, empty.
async fn remove_project(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require(Area::Attendances, Access::Write)?;
    let now = app.clock.now();
    let mut company = app.company.write();
    let project_id = id
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|p| company.project(*p).is_some())
        .ok_or_else(|| project_not_found(&id))?;
    company
        .delete_project(project_id, now)
        .map_err(|e| project_edit_error(e, &id))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
