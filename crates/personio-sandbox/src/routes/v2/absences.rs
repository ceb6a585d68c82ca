//! `/v2/absence-periods` (list, get, create, patch, delete, daily breakdowns) and
//! `/v2/absence-types` (list, get) (personio-api.md §3.7). Absence types are read-only:
//! Personio documents no write for them.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, NaiveDate, Utc};
use personio_api::Scope;
use personio_api::v2::{AbsenceBoundary, AbsencePeriodWrite, IdRef};
use serde_json::json;
use uuid::Uuid;

use super::time_params::{
    body_local, created, json_body, local_filter, no_content, page_around, skip_approval,
    utc_filter,
};
use super::{allow_only, invalid_parameter, page_links};
use crate::body::Body;
use crate::caller::Caller;
use crate::company::{
    AbsenceChanges, AbsenceError, AbsenceOrigin, AbsencePeriod, AbsenceSpan, AbsenceStatus,
    AbsenceUnit, Company, LocalMinute, NewAbsence, TimeOffType,
};
use crate::error::{ApiError, ApiResult, ErrorKind, Family};
use crate::origin::Origin;
use crate::paginate::V2Request;
use crate::params::Params;
use crate::render::absence::{v2 as render, v2_breakdown, v2_type};
use crate::render::page::{json_response, to_bytes};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v2/absence-periods", get(list).post(create))
        .route(
            "/v2/absence-periods/{id}",
            get(show).patch(update).delete(remove),
        )
        .route("/v2/absence-periods/{id}/breakdowns", get(breakdowns))
        .route("/v2/absence-types", get(types))
        .route("/v2/absence-types/{id}", get(show_type))
}

/// Periods and types: 1–100, default 100; breakdowns 1–28, default 28 (§3.1, H).
const LIMIT: usize = 100;
const BREAKDOWN_LIMIT: usize = 28;

const FILTERS: &[&str] = &[
    "id",
    "absence_type.id",
    "person.id",
    "starts_from.date_time.gte",
    "starts_from.date_time.lte",
    "ends_at.date_time.gte",
    "ends_at.date_time.lte",
    "updated_at.gte",
    "updated_at.lte",
];

struct Filter {
    ids: Vec<Uuid>,
    types: Vec<i64>,
    persons: Vec<i64>,
    /// The period the date filters describe; absences overlapping it match.
    from: Option<LocalMinute>,
    until: Option<LocalMinute>,
    updated: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
}

impl Filter {
    /// Personio ANDs the filters, "except when filtering by date ranges, as in this case it'll
    /// match absences overlapping the provided period" (§3.7, H). We read the two lower
    /// bounds (`starts_from…gte`, `ends_at…gte`) as the period's start and the two upper
    /// bounds as its end.
    fn parse(company: &Company, params: &Params) -> ApiResult<Filter> {
        allow_only(params, FILTERS)?;
        let ids = params
            .all("id")
            .into_iter()
            .map(|v| Uuid::parse_str(v).map_err(|_| invalid_parameter("id")))
            .collect::<ApiResult<_>>()?;
        let types = params
            .all("absence_type.id")
            .into_iter()
            .map(|v| {
                let uuid = Uuid::parse_str(v).map_err(|_| invalid_parameter("absence_type.id"))?;
                // An unknown type matches nothing.
                Ok(company
                    .time_off_types
                    .iter()
                    .find(|t| t.uuid == uuid)
                    .map_or(-1, |t| t.id))
            })
            .collect::<ApiResult<_>>()?;
        let persons = params
            .all("person.id")
            .into_iter()
            .map(|v| v.parse().map_err(|_| invalid_parameter("person.id")))
            .collect::<ApiResult<_>>()?;
        let lows = [
            local_filter(params, "starts_from.date_time.gte")?,
            local_filter(params, "ends_at.date_time.gte")?,
        ];
        let highs = [
            local_filter(params, "starts_from.date_time.lte")?,
            local_filter(params, "ends_at.date_time.lte")?,
        ];
        Ok(Filter {
            ids,
            types,
            persons,
            from: lows.into_iter().flatten().max(),
            until: highs.into_iter().flatten().min(),
            updated: (
                utc_filter(params, "updated_at.gte")?,
                utc_filter(params, "updated_at.lte")?,
            ),
        })
    }

    fn matches(&self, a: &AbsencePeriod) -> bool {
        (self.ids.is_empty() || self.ids.contains(&a.id))
            && (self.types.is_empty() || self.types.contains(&a.type_id))
            && (self.persons.is_empty() || self.persons.contains(&a.person))
            && self.from.is_none_or(|from| a.end > from)
            && self.until.is_none_or(|until| a.start <= until)
            && self.updated.0.is_none_or(|t| a.updated_at >= t)
            && self.updated.1.is_none_or(|t| a.updated_at <= t)
    }
}

fn bad_cursor() -> ApiError {
    ApiError::bad_request(Family::V2, "Provided value for cursor is not valid")
}

/// `GET /v2/absence-periods`, by person, start and id (Personio documents no order).
async fn list(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require_scope(Scope::AbsencesRead)?;
    let request = V2Request::parse(&params, LIMIT, LIMIT)?;
    let company = app.company.read();
    let filter = Filter::parse(&company, &request.filters)?;
    let after: Option<(i64, i32, Uuid)> = match &request.after {
        None => None,
        Some(value) => {
            let (person, start, id): (i64, i32, String) =
                serde_json::from_value(value.clone()).map_err(|_| bad_cursor())?;
            Some((
                person,
                start,
                Uuid::parse_str(&id).map_err(|_| bad_cursor())?,
            ))
        }
    };
    let table = &company.absences.periods;
    let order = table.ordered();
    let key = |a: &AbsencePeriod| (a.person, a.start.0, a.id);
    let start = order.partition_point(|&s| after.is_some_and(|k| key(table.row(s)) <= k));
    let mut selected: Vec<&AbsencePeriod> = order[start..]
        .iter()
        .map(|&s| table.row(s))
        .filter(|a| filter.matches(a))
        .take(request.limit + 1)
        .collect();
    let next = (selected.len() > request.limit).then(|| {
        selected.truncate(request.limit);
        let last = selected[selected.len() - 1];
        request.next_cursor(json!([last.person, last.start.0, last.id.to_string()]))
    });
    let items = join(selected.iter().map(|a| to_bytes(&render(&company, a))));
    let (self_href, next_href) = page_links(&origin, uri.path(), uri.query(), &request, next);
    Ok(page_around(&items, &self_href, next_href.as_deref()))
}

fn join(items: impl Iterator<Item = Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&item);
    }
    out
}

fn not_found() -> ApiError {
    ApiError::not_found(Family::V2, 404, "Not Found")
}

fn find<'a>(company: &'a Company, id: &str) -> ApiResult<&'a AbsencePeriod> {
    Uuid::parse_str(id.trim())
        .ok()
        .and_then(|id| company.absences.get(id))
        .ok_or_else(not_found)
}

/// `GET /v2/absence-periods/{id}`.
async fn show(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require_scope(Scope::AbsencesRead)?;
    let company = app.company.read();
    let absence = find(&company, &id)?;
    Ok(json_response(to_bytes(&render(&company, absence))))
}

/// `GET /v2/absence-periods/{id}/breakdowns`: one entry per day, in order; an open-ended
/// absence is broken down up to today.
async fn breakdowns(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require_scope(Scope::AbsencesRead)?;
    let request = V2Request::parse(&params, BREAKDOWN_LIMIT, BREAKDOWN_LIMIT)?;
    allow_only(&request.filters, &[])?;
    let after: Option<NaiveDate> = match &request.after {
        None => None,
        Some(v) => Some(serde_json::from_value(v.clone()).map_err(|_| bad_cursor())?),
    };
    let today = app.clock.now().date_naive();
    let company = app.company.read();
    let absence = find(&company, &id)?;
    let unit = company
        .time_off_type(absence.type_id)
        .map_or(AbsenceUnit::Day, |t| t.unit);
    let mut days: Vec<_> = company
        .absence_days(absence, today)
        .into_iter()
        .filter(|d| after.is_none_or(|a| d.date > a))
        .take(request.limit + 1)
        .collect();
    let next = (days.len() > request.limit).then(|| {
        days.truncate(request.limit);
        request.next_cursor(json!(days[days.len() - 1].date))
    });
    let items = join(days.iter().map(|d| to_bytes(&v2_breakdown(unit, d))));
    let (self_href, next_href) = page_links(&origin, uri.path(), uri.query(), &request, next);
    Ok(page_around(&items, &self_href, next_href.as_deref()))
}

/// `GET /v2/absence-types`, by id.
async fn types(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require_scope(Scope::AbsencesRead)?;
    let request = V2Request::parse(&params, LIMIT, LIMIT)?;
    allow_only(&request.filters, &[])?;
    let after = match &request.after {
        None => None,
        Some(v) => Some(v.as_i64().ok_or_else(bad_cursor)?),
    };
    let company = app.company.read();
    let mut kinds: Vec<&TimeOffType> = company.time_off_types.iter().collect();
    kinds.sort_by_key(|t| t.id);
    let mut page: Vec<&TimeOffType> = kinds
        .into_iter()
        .filter(|t| after.is_none_or(|a| t.id > a))
        .take(request.limit + 1)
        .collect();
    let next = (page.len() > request.limit).then(|| {
        page.truncate(request.limit);
        request.next_cursor(json!(page[page.len() - 1].id))
    });
    let items = join(page.iter().map(|t| to_bytes(&v2_type(t))));
    let (self_href, next_href) = page_links(&origin, uri.path(), uri.query(), &request, next);
    Ok(page_around(&items, &self_href, next_href.as_deref()))
}

/// `GET /v2/absence-types/{id}` (the type's UUID).
async fn show_type(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require_scope(Scope::AbsencesRead)?;
    let company = app.company.read();
    let kind = type_by_uuid(&company, &id).ok_or_else(not_found)?;
    Ok(json_response(to_bytes(&v2_type(kind))))
}

fn type_by_uuid<'a>(company: &'a Company, id: &str) -> Option<&'a TimeOffType> {
    let uuid = Uuid::parse_str(id.trim()).ok()?;
    company.time_off_types.iter().find(|t| t.uuid == uuid)
}

fn write_error(error: AbsenceError) -> ApiError {
    match error {
        AbsenceError::NotFound => not_found(),
        e if e.is_conflict() => ApiError::new(
            Family::V2,
            ErrorKind::Conflict {
                detail: e.to_string(),
            },
        ),
        e => ApiError::validation(Family::V2, e.to_string()),
    }
}

fn person_ref(person: &IdRef, field: &str) -> ApiResult<i64> {
    person
        .id
        .trim()
        .parse()
        .map_err(|_| ApiError::validation(Family::V2, format!("{field} {} not found.", person.id)))
}

/// Whether a boundary asks for the second half of its day; `default` when it does not say.
fn second_half(boundary: &AbsenceBoundary, default: bool) -> ApiResult<bool> {
    match boundary.half.as_deref() {
        None => Ok(default),
        Some("FIRST_HALF") => Ok(false),
        Some("SECOND_HALF") => Ok(true),
        Some(_) => Err(ApiError::bad_request(
            Family::V2,
            "type must be FIRST_HALF or SECOND_HALF.",
        )),
    }
}

/// The span a write asks for, from its boundaries (an absent `ends_at` counts as
/// open-ended, like `null`). Day-unit types read the dates and halves, hour-unit types the
/// exact times.
fn span_of(
    unit: AbsenceUnit,
    starts_from: &AbsenceBoundary,
    ends_at: Option<&AbsenceBoundary>,
) -> ApiResult<AbsenceSpan> {
    let start = body_local(&starts_from.date_time, "starts_from.date_time")?;
    let end = ends_at
        .map(|e| Ok::<_, ApiError>((body_local(&e.date_time, "ends_at.date_time")?, e)))
        .transpose()?;
    match unit {
        AbsenceUnit::Day => Ok(AbsenceSpan::Days {
            first: start.date(),
            from_noon: second_half(starts_from, false)?,
            last: end.map(|(e, _)| e.date()),
            until_noon: match end {
                Some((_, boundary)) => !second_half(boundary, true)?,
                None => false,
            },
        }),
        AbsenceUnit::Hour => match end {
            Some((end, _)) => Ok(AbsenceSpan::Hours { start, end }),
            None => Err(ApiError::validation(
                Family::V2,
                "An absence measured in hours needs an end.",
            )),
        },
    }
}

/// `POST /v2/absence-periods?skip_approval=` → 201 `{id, _meta}`. Without
/// `skip_approval=true` a type that needs approval starts `PENDING`.
async fn create(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    body: Body,
) -> ApiResult<Response> {
    caller.require_scope(Scope::AbsencesWrite)?;
    let skip = skip_approval(&params)?;
    let input: AbsencePeriodWrite = json_body(body)?;
    let missing =
        |field: &str| ApiError::bad_request(Family::V2, format!("The field {field} is required."));
    let person = person_ref(
        input.person.as_ref().ok_or_else(|| missing("person"))?,
        "Person",
    )?;
    let type_ref = input
        .absence_type
        .as_ref()
        .ok_or_else(|| missing("absence_type"))?;
    let starts_from = input
        .starts_from
        .as_ref()
        .ok_or_else(|| missing("starts_from"))?;
    let substitute = match input.substitute.flatten() {
        Some(s) => Some(person_ref(&s, "Substitute")?),
        None => None,
    };
    let now = app.clock.now();
    let mut company = app.company.write();
    let kind = type_by_uuid(&company, &type_ref.id).ok_or_else(|| {
        ApiError::validation(
            Family::V2,
            format!("Absence type {} not found.", type_ref.id),
        )
    })?;
    let span = span_of(kind.unit, starts_from, input.ends_at.flatten().as_ref())?;
    let status = if skip || !kind.approval_required {
        AbsenceStatus::Approved
    } else {
        AbsenceStatus::Pending
    };
    let new = NewAbsence {
        person,
        type_id: kind.id,
        span,
        comment: input.comment.flatten(),
        substitute,
        status,
        origin: AbsenceOrigin::Api,
    };
    let id = company.create_absence(new, now).map_err(write_error)?;
    Ok(created(
        format!("{origin}/v2/absence-periods/{id}"),
        id.to_string(),
    ))
}

/// `PATCH /v2/absence-periods/{id}` → 204: its span, comment or substitute. The person and
/// type cannot change; approval cannot be decided through the API (§3.7, M).
async fn update(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Response> {
    caller.require_scope(Scope::AbsencesWrite)?;
    let input: AbsencePeriodWrite = json_body(body)?;
    let now = app.clock.now();
    let mut company = app.company.write();
    let current = find(&company, &id)?.clone();
    let kind = company
        .time_off_type(current.type_id)
        .ok_or_else(not_found)?
        .clone();
    if input
        .person
        .as_ref()
        .is_some_and(|p| p.id.trim() != current.person.to_string())
        || input
            .absence_type
            .as_ref()
            .is_some_and(|t| t.id.trim() != kind.uuid.to_string())
    {
        return Err(ApiError::validation(
            Family::V2,
            "The person and type of an absence period cannot change.",
        ));
    }
    let rendered = render(&company, &current);
    let span = if input.starts_from.is_some() || input.ends_at.is_some() {
        let starts_from = input.starts_from.clone().unwrap_or(rendered.starts_from);
        let ends_at = match input.ends_at.clone() {
            Some(given) => given,
            None => rendered.ends_at,
        };
        Some(span_of(kind.unit, &starts_from, ends_at.as_ref())?)
    } else {
        None
    };
    let substitute = match input.substitute {
        None => None,
        Some(None) => Some(None),
        Some(Some(s)) => Some(Some(person_ref(&s, "Substitute")?)),
    };
    let changes = AbsenceChanges {
        span,
        comment: input.comment,
        substitute,
    };
    company
        .update_absence(current.id, changes, now)
        .map_err(write_error)?;
    Ok(no_content())
}

/// `DELETE /v2/absence-periods/{id}` → 204 (status undocumented, personio-api.md §8).
async fn remove(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require_scope(Scope::AbsencesWrite)?;
    let now = app.clock.now();
    let mut company = app.company.write();
    let id = find(&company, &id)?.id;
    company.delete_absence(id, now).map_err(write_error)?;
    Ok(no_content())
}
