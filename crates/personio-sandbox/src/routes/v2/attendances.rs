//! `/v2/attendance-periods` (personio-api.md §3.6): list with every documented filter and
//! `sort`, get, create, patch, delete.
//!
//! Paging is keyset on the sort key plus the period id, whatever the sort, so a walk
//! through the pages never skips or repeats a period even while periods change between
//! pages. The default order is kept by the store; other orders are built once per change.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, NaiveDate, Utc};
use personio_api::Scope;
use personio_api::v2::{AttendancePeriodWrite, IdRef};
use serde_json::json;
use uuid::Uuid;

use super::time_params::{
    body_local, created, date_filter, json_body, local_filter, no_content, page_around,
    skip_approval, utc_filter,
};
use super::{allow_only, invalid_parameter, page_links};
use crate::body::Body;
use crate::caller::Caller;
use crate::company::{
    AttendanceChanges, AttendanceError, AttendancePeriod, AttendanceStatus, Company, LocalMinute,
    NewAttendance, PeriodKind,
};
use crate::error::{ApiError, ApiResult, Family};
use crate::origin::Origin;
use crate::paginate::V2Request;
use crate::params::Params;
use crate::render::attendance::{v2 as render, write_v2};
use crate::render::page::{json_response, to_bytes};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v2/attendance-periods", get(list).post(create))
        .route(
            "/v2/attendance-periods/{id}",
            get(show).patch(update).delete(remove),
        )
}

/// 1–100, default 100 (§3.1, H).
const LIMIT: usize = 100;

const FILTERS: &[&str] = &[
    "id",
    "person.id",
    "start.date_time.gte",
    "start.date_time.lte",
    "end.date_time.gte",
    "end.date_time.lte",
    "updated_at.gte",
    "updated_at.lte",
    "attribution_date.gte",
    "attribution_date.lte",
    "project.id",
    "status",
    "sort",
];

/// A sortable field (§3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Person,
    Start,
    End,
    UpdatedAt,
    Status,
}

impl Field {
    fn parse(name: &str) -> Option<Field> {
        match name {
            "person.id" => Some(Field::Person),
            "start.date_time" => Some(Field::Start),
            "end.date_time" => Some(Field::End),
            "updated_at" => Some(Field::UpdatedAt),
            "status" => Some(Field::Status),
            _ => None,
        }
    }

    /// The field as a number. An open end is the largest value, so that ascending puts
    /// nulls last and descending first, as Personio documents.
    fn value(self, p: &AttendancePeriod) -> i64 {
        match self {
            Field::Person => p.person,
            Field::Start => i64::from(p.start.0),
            Field::End => i64::from(p.end.0),
            Field::UpdatedAt => p.updated_at.timestamp(),
            Field::Status => p.status as i64,
        }
    }
}

/// Up to five fields (each at most once), descending ones negated.
type Key = [i64; 5];

#[derive(Debug, Clone)]
struct Sort {
    fields: Vec<(Field, bool)>,
    /// Normalised `sort` text, naming the cached order.
    shape: String,
}

impl Sort {
    /// `sort=field,-field,...`; default `person.id,start.date_time,end.date_time`.
    fn parse(params: &Params) -> ApiResult<Sort> {
        let names = params.all("sort");
        let names = if names.is_empty() {
            vec!["person.id", "start.date_time", "end.date_time"]
        } else {
            names
        };
        let mut fields: Vec<(Field, bool)> = Vec::new();
        for name in &names {
            let (descending, bare) = match name.strip_prefix('-') {
                Some(bare) => (true, bare),
                None => (false, name.strip_prefix('+').unwrap_or(name)),
            };
            let field = Field::parse(bare).ok_or_else(|| invalid_parameter("sort"))?;
            if fields.iter().any(|(f, _)| *f == field) {
                return Err(invalid_parameter("sort"));
            }
            fields.push((field, descending));
        }
        let shape = fields
            .iter()
            .map(|(f, d)| format!("{}{f:?}", if *d { "-" } else { "" }))
            .collect::<Vec<_>>()
            .join(",");
        Ok(Sort { fields, shape })
    }

    /// Whether this is the store's own order.
    fn is_default(&self) -> bool {
        self.fields
            == [
                (Field::Person, false),
                (Field::Start, false),
                (Field::End, false),
            ]
    }

    fn key(&self, p: &AttendancePeriod) -> Key {
        let mut key = [0; 5];
        for (slot, (field, descending)) in key.iter_mut().zip(&self.fields) {
            let value = field.value(p);
            *slot = if *descending { -value } else { value };
        }
        key
    }
}

/// The filters of the list, parsed.
struct Filter {
    ids: Vec<Uuid>,
    persons: Vec<i64>,
    start: (Option<LocalMinute>, Option<LocalMinute>),
    end: (Option<LocalMinute>, Option<LocalMinute>),
    updated: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    attribution: (Option<NaiveDate>, Option<NaiveDate>),
    projects: Vec<u32>,
    statuses: Vec<AttendanceStatus>,
}

fn list_of<T>(params: &Params, key: &str, parse: impl Fn(&str) -> Option<T>) -> ApiResult<Vec<T>> {
    params
        .all(key)
        .into_iter()
        .map(|v| parse(v).ok_or_else(|| invalid_parameter(key)))
        .collect()
}

impl Filter {
    fn parse(params: &Params) -> ApiResult<Filter> {
        allow_only(params, FILTERS)?;
        let mut persons = list_of(params, "person.id", |v| v.parse::<i64>().ok())?;
        persons.sort_unstable();
        persons.dedup();
        Ok(Filter {
            ids: list_of(params, "id", |v| Uuid::parse_str(v).ok())?,
            persons,
            start: (
                local_filter(params, "start.date_time.gte")?,
                local_filter(params, "start.date_time.lte")?,
            ),
            end: (
                local_filter(params, "end.date_time.gte")?,
                local_filter(params, "end.date_time.lte")?,
            ),
            updated: (
                utc_filter(params, "updated_at.gte")?,
                utc_filter(params, "updated_at.lte")?,
            ),
            // Names as a live-tested client sends them (personio-api.md §5.1b, M).
            attribution: (
                date_filter(params, "attribution_date.gte")?,
                date_filter(params, "attribution_date.lte")?,
            ),
            projects: list_of(params, "project.id", |v| v.parse::<u32>().ok())?,
            statuses: list_of(params, "status", AttendanceStatus::parse)?,
        })
    }

    fn matches(&self, p: &AttendancePeriod) -> bool {
        let end_filtered = self.end.0.is_some() || self.end.1.is_some();
        (self.ids.is_empty() || self.ids.contains(&p.id))
            && (self.persons.is_empty() || self.persons.binary_search(&p.person).is_ok())
            && within(p.start, self.start)
            // An open period has no end to compare: end filters leave it out.
            && (!end_filtered || (!p.end.is_open() && within(p.end, self.end)))
            && within(p.updated_at, self.updated)
            && within(p.attribution_date, self.attribution)
            && (self.projects.is_empty() || p.project.is_some_and(|id| self.projects.contains(&id)))
            && (self.statuses.is_empty() || self.statuses.contains(&p.status))
    }
}

/// Whether `value` lies within the inclusive bounds given.
fn within<T: PartialOrd>(value: T, (low, high): (Option<T>, Option<T>)) -> bool {
    low.is_none_or(|l| value >= l) && high.is_none_or(|h| value <= h)
}

fn bad_cursor() -> ApiError {
    ApiError::bad_request(Family::V2, "Provided value for cursor is not valid")
}

/// The cursor's position: the key and id of the last period sent.
fn after(request: &V2Request) -> ApiResult<Option<(Key, Uuid)>> {
    let Some(value) = &request.after else {
        return Ok(None);
    };
    let (key, id): (Key, String) =
        serde_json::from_value(value.clone()).map_err(|_| bad_cursor())?;
    Ok(Some((key, Uuid::parse_str(&id).map_err(|_| bad_cursor())?)))
}

/// `GET /v2/attendance-periods`.
async fn list(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require_scope(Scope::AttendancesRead)?;
    let request = V2Request::parse(&params, LIMIT, LIMIT)?;
    let filter = Filter::parse(&request.filters)?;
    let sort = Sort::parse(&request.filters)?;
    let after = after(&request)?;
    let company = app.company.read();
    let store = &company.attendances;
    let table = &store.periods;
    let past = |slot: &u32| {
        let p = table.row(*slot);
        after.is_none_or(|(key, id)| (sort.key(p), p.id) > (key, id))
    };

    let mut selected: Vec<u32> = Vec::with_capacity(request.limit + 1);
    let mut take = |slots: &mut dyn Iterator<Item = u32>| {
        for slot in slots {
            if filter.matches(table.row(slot)) {
                selected.push(slot);
                if selected.len() > request.limit {
                    break;
                }
            }
        }
    };
    if !filter.ids.is_empty() {
        let mut slots: Vec<u32> = filter
            .ids
            .iter()
            .filter_map(|id| table.slot_of(*id))
            .collect();
        slots.sort_by_key(|&s| (sort.key(table.row(s)), table.row(s).id));
        slots.dedup();
        take(&mut slots.into_iter().filter(past));
    } else if sort.is_default() {
        let order = table.ordered();
        let start = order.partition_point(|s| !past(s));
        if filter.persons.is_empty() {
            take(&mut order[start..].iter().copied());
        } else {
            // Jump to each person's periods instead of scanning everyone's.
            let min = LocalMinute(i32::MIN);
            let mut slots = filter.persons.iter().flat_map(|&person| {
                let from = table.position(&(person, min, min)).max(start);
                let to = table
                    .position(&(person.saturating_add(1), min, min))
                    .max(from);
                order[from..to].iter().copied()
            });
            take(&mut slots);
        }
    } else {
        let order = table.order_by(&sort.shape, |p| sort.key(p));
        let start = order.partition_point(|s| !past(s));
        take(&mut order[start..].iter().copied());
    }

    let next = (selected.len() > request.limit).then(|| {
        selected.truncate(request.limit);
        let last = table.row(selected[selected.len() - 1]);
        request.next_cursor(json!([sort.key(last), last.id.to_string()]))
    });
    let mut items = Vec::with_capacity(selected.len() * 400);
    for (i, slot) in selected.iter().enumerate() {
        if i > 0 {
            items.push(b',');
        }
        write_v2(store, table.row(*slot), &mut items);
    }
    let (self_href, next_href) = page_links(&origin, uri.path(), uri.query(), &request, next);
    Ok(page_around(&items, &self_href, next_href.as_deref()))
}

fn not_found() -> ApiError {
    ApiError::not_found(Family::V2, 404, "Not Found")
}

fn find<'a>(company: &'a Company, id: &str) -> ApiResult<&'a AttendancePeriod> {
    Uuid::parse_str(id.trim())
        .ok()
        .and_then(|id| company.attendances.get(id))
        .ok_or_else(not_found)
}

/// `GET /v2/attendance-periods/{id}`: the period at top level.
async fn show(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require_scope(Scope::AttendancesRead)?;
    let company = app.company.read();
    let period = find(&company, &id)?;
    Ok(json_response(to_bytes(&render(
        &company.attendances,
        period,
    ))))
}

fn write_error(error: AttendanceError) -> ApiError {
    match error {
        AttendanceError::NotFound => not_found(),
        other => ApiError::validation(Family::V2, other.to_string()),
    }
}

fn person_id(person: &IdRef) -> ApiResult<i64> {
    person
        .id
        .trim()
        .parse()
        .map_err(|_| ApiError::validation(Family::V2, format!("Person {} not found.", person.id)))
}

fn project_id(project: &IdRef) -> ApiResult<u32> {
    project
        .id
        .trim()
        .parse()
        .map_err(|_| ApiError::validation(Family::V2, format!("Project {} not found.", project.id)))
}

fn status_for(skip_approval: bool) -> AttendanceStatus {
    if skip_approval {
        AttendanceStatus::Confirmed
    } else {
        AttendanceStatus::Pending
    }
}

/// `POST /v2/attendance-periods?skip_approval=` → 201 `{id, _meta}`. Without
/// `skip_approval=true` the period waits for approval (`PENDING`).
async fn create(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    body: Body,
) -> ApiResult<Response> {
    caller.require_scope(Scope::AttendancesWrite)?;
    let skip = skip_approval(&params)?;
    let input: AttendancePeriodWrite = json_body(body)?;
    let missing =
        |field: &str| ApiError::bad_request(Family::V2, format!("The field {field} is required."));
    let person = person_id(input.person.as_ref().ok_or_else(|| missing("person"))?)?;
    let kind = input.kind.as_deref().ok_or_else(|| missing("type"))?;
    let kind = PeriodKind::parse(kind).ok_or_else(|| {
        ApiError::bad_request(Family::V2, "The field type must be WORK or BREAK.")
    })?;
    let start = input.start.as_ref().ok_or_else(|| missing("start"))?;
    let start = body_local(&start.date_time, "start.date_time")?;
    let end = match input.end.flatten() {
        Some(end) => Some(body_local(&end.date_time, "end.date_time")?),
        None => None,
    };
    let project = match input.project.flatten() {
        Some(p) => Some(project_id(&p)?),
        None => None,
    };
    let new = NewAttendance {
        person,
        kind,
        start,
        end,
        comment: input.comment.flatten(),
        project,
        status: status_for(skip),
    };
    let now = app.clock.now();
    let id = app
        .company
        .write()
        .create_attendance(new, now)
        .map_err(write_error)?;
    Ok(created(
        format!("{origin}/v2/attendance-periods/{id}"),
        id.to_string(),
    ))
}

/// `PATCH /v2/attendance-periods/{id}?skip_approval=` → 204. A change needs approval
/// again unless `skip_approval=true`. The person cannot change.
async fn update(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    params: Params,
    body: Body,
) -> ApiResult<Response> {
    caller.require_scope(Scope::AttendancesWrite)?;
    let skip = skip_approval(&params)?;
    let input: AttendancePeriodWrite = json_body(body)?;
    let mut changes = AttendanceChanges {
        comment: input.comment,
        ..Default::default()
    };
    if let Some(kind) = input.kind.as_deref() {
        changes.kind = Some(PeriodKind::parse(kind).ok_or_else(|| {
            ApiError::bad_request(Family::V2, "The field type must be WORK or BREAK.")
        })?);
    }
    if let Some(start) = &input.start {
        changes.start = Some(body_local(&start.date_time, "start.date_time")?);
    }
    if let Some(end) = input.end {
        changes.end = Some(match end {
            Some(end) => Some(body_local(&end.date_time, "end.date_time")?),
            None => None,
        });
    }
    if let Some(project) = input.project {
        changes.project = Some(match project {
            Some(p) => Some(project_id(&p)?),
            None => None,
        });
    }
    let edits = input.kind.is_some()
        || input.start.is_some()
        || changes.end.is_some()
        || changes.project.is_some()
        || changes.comment.is_some();
    if edits {
        changes.status = Some(status_for(skip));
    }
    let now = app.clock.now();
    let mut company = app.company.write();
    let period = find(&company, &id)?;
    if let Some(person) = &input.person
        && person.id.trim() != period.person.to_string()
    {
        return Err(ApiError::validation(
            Family::V2,
            "The person of an attendance period cannot change.",
        ));
    }
    let id = period.id;
    company
        .update_attendance(id, changes, now)
        .map_err(write_error)?;
    Ok(no_content())
}

/// `DELETE /v2/attendance-periods/{id}` → 204 (status undocumented; 204 like the other
/// v2 writes, personio-api.md §8).
async fn remove(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require_scope(Scope::AttendancesWrite)?;
    let now = app.clock.now();
    let mut company = app.company.write();
    let id = find(&company, &id)?.id;
    company.delete_attendance(id, now).map_err(write_error)?;
    Ok(no_content())
}
