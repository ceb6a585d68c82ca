//! `/v2/compensations` and `/v2/compensations/types` (personio-api.md §3.8).

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, Months, NaiveDate};
use personio_api::Scope;
use personio_api::v2::{CreateCompensation, CreateCompensationType, Created, Link, ResourceMeta};
use serde_json::Value;

use super::org::page;
use super::{allow_only, invalid_parameter};
use crate::body::{Body, Payload};
use crate::caller::Caller;
use crate::company::{CompensationCategory, CompensationError, Interval, NewCompensation};
use crate::error::{ApiError, ApiResult, ErrorKind, Family};
use crate::origin::Origin;
use crate::paginate::V2Request;
use crate::params::Params;
use crate::render::compensations::{compensation, compensation_type};
use crate::render::page::{json_response, to_bytes};
use crate::state::AppState;

/// Paging of both lists: 1–100, default 100 (types: H; compensations: one client, L).
const LIMIT: usize = 100;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v2/compensations", get(list).post(create))
        .route("/v2/compensations/types", get(types).post(create_type))
}

fn date_param(params: &Params, name: &str) -> ApiResult<Option<NaiveDate>> {
    match params.one(name).map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| invalid_parameter(name)),
    }
}

fn month_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).unwrap_or(day);
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first);
    (first, last)
}

fn ids(params: &Params, name: &str) -> ApiResult<Vec<i64>> {
    params
        .all(name)
        .into_iter()
        .map(|v| v.parse().map_err(|_| invalid_parameter(name)))
        .collect()
}

/// `GET /v2/compensations`: what was paid in a window of at most one month, by default
/// the current month; with one date given, that date's month. `person.id` and
/// `legal_entity.id` narrow it.
async fn list(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require_scope(Scope::CompensationsRead)?;
    let request = V2Request::parse(&params, LIMIT, LIMIT)?;
    let filters = &request.filters;
    allow_only(
        filters,
        &["start_date", "end_date", "person.id", "legal_entity.id"],
    )?;
    let (start, end) = match (
        date_param(filters, "start_date")?,
        date_param(filters, "end_date")?,
    ) {
        (None, None) => month_of(app.clock.now().date_naive()),
        (Some(day), None) | (None, Some(day)) => month_of(day),
        (Some(start), Some(end)) => (start, end),
    };
    let longest = start
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(start);
    if end < start {
        return Err(ApiError::bad_request(
            Family::V2,
            "end_date must not be before start_date.",
        ));
    }
    if end > longest {
        return Err(ApiError::bad_request(
            Family::V2,
            "The period between start_date and end_date must not exceed one month.",
        ));
    }
    let persons = ids(filters, "person.id")?;
    let entities = ids(filters, "legal_entity.id")?;
    let company = app.company.read();
    let items = company
        .compensations_between(start, end)
        .into_iter()
        .filter(|c| persons.is_empty() || persons.contains(&c.person_id))
        .filter(|c| {
            entities.is_empty()
                || company
                    .employee(c.person_id)
                    .is_some_and(|e| entities.contains(&e.legal_entity_id))
        })
        .collect();
    page(
        items,
        |c| (String::new(), c.seq),
        false,
        &request,
        &origin,
        &uri,
        |c| to_bytes(&compensation(&company, c)),
    )
}

/// `GET /v2/compensations/types`, oldest first.
async fn types(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require_scope(Scope::CompensationsRead)?;
    let request = V2Request::parse(&params, LIMIT, LIMIT)?;
    allow_only(&request.filters, &[])?;
    let company = app.company.read();
    let indexed: Vec<(i64, &crate::company::CompensationType)> = company
        .compensations
        .types
        .iter()
        .enumerate()
        .map(|(i, t)| (i as i64, t))
        .collect();
    page(
        indexed.iter().collect(),
        |(i, _)| (String::new(), *i),
        false,
        &request,
        &origin,
        &uri,
        |(_, t)| to_bytes(&compensation_type(t)),
    )
}

/// Writing compensations takes both scopes (personio-api.md §1.4, H).
fn require_read_and_write(caller: &Caller) -> ApiResult<()> {
    caller.require_scope(Scope::CompensationsRead)?;
    caller.require_scope(Scope::CompensationsWrite)
}

fn json_object(body: Body) -> ApiResult<Value> {
    match body.payload {
        Payload::Json(value @ Value::Object(_)) => Ok(value),
        Payload::Json(_) | Payload::Empty => Err(ApiError::bad_request(
            Family::V2,
            "The request body must be a JSON object.",
        )),
        Payload::Form(_) => Err(ApiError::new(Family::V2, ErrorKind::UnsupportedMediaType)),
    }
}

/// 201 with the new id and a link to where it shows.
fn created(id: String, href: String) -> Response {
    let links = [("self".to_owned(), Link { href })].into_iter().collect();
    let body = Created {
        id,
        meta: Some(ResourceMeta { links }),
    };
    (StatusCode::CREATED, json_response(to_bytes(&body))).into_response()
}

fn unprocessable(message: impl Into<String>) -> ApiError {
    ApiError::validation(Family::V2, message)
}

/// `POST /v2/compensations` → 201 `{"id"}`. `value` has at most two decimals, `currency`
/// is ISO 4217 (default: the person's legal entity's), `interval` is one of MONTHLY,
/// QUARTERLY, HALF-YEARLY, YEARLY (default MONTHLY, ignored for one-time types).
async fn create(
    caller: Caller,
    State(app): State<AppState>,
    Origin(origin): Origin,
    body: Body,
) -> ApiResult<Response> {
    require_read_and_write(&caller)?;
    let input: CreateCompensation = serde_json::from_value(json_object(body)?)
        .map_err(|e| ApiError::bad_request(Family::V2, format!("Invalid request content: {e}")))?;
    let person_id: i64 = input
        .person
        .id
        .trim()
        .parse()
        .map_err(|_| unprocessable(format!("Person with id {} not found.", input.person.id)))?;
    let type_id = uuid::Uuid::parse_str(input.kind.id.trim())
        .map_err(|_| unprocessable(format!("type.id {:?} is not a UUID.", input.kind.id)))?;
    if !input.value.is_finite() || input.value < 0.0 {
        return Err(unprocessable("value must be a positive amount."));
    }
    if ((input.value * 100.0).round() - input.value * 100.0).abs() > 1e-6 {
        return Err(unprocessable("value must have at most two decimal places."));
    }
    if let Some(currency) = &input.currency
        && !(currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase()))
    {
        return Err(unprocessable(
            "currency must be an ISO 4217 code such as EUR.",
        ));
    }
    let effective_from = NaiveDate::parse_from_str(input.effective_from.trim(), "%Y-%m-%d")
        .map_err(|_| {
            ApiError::bad_request(Family::V2, "effective_from must be a date (YYYY-MM-DD).")
        })?;
    let interval = match input.interval.as_deref() {
        None => None,
        Some(text) => Some(
            Interval::parse_creatable(text)
                .ok_or_else(|| unprocessable(format!("Unknown interval {text:?}.")))?,
        ),
    };
    let now = app.clock.now();
    let mut company = app.company.write();
    let id = company
        .create_compensation(
            NewCompensation {
                person_id,
                type_id,
                value: input.value,
                currency: input.currency,
                effective_from,
                interval,
                comment: input.comment,
            },
            now,
        )
        .map_err(|e| unprocessable(e.to_string()))?;
    Ok(created(
        id.to_string(),
        format!("{origin}/v2/compensations?person.id={person_id}&start_date={effective_from}"),
    ))
}

/// `POST /v2/compensations/types` with `{"name", "category": "RECURRING"|"ONE_TIME"}` →
/// 201; a name in use is a 409.
async fn create_type(
    caller: Caller,
    State(app): State<AppState>,
    Origin(origin): Origin,
    body: Body,
) -> ApiResult<Response> {
    require_read_and_write(&caller)?;
    let input: CreateCompensationType = serde_json::from_value(json_object(body)?)
        .map_err(|e| ApiError::bad_request(Family::V2, format!("Invalid request content: {e}")))?;
    if input.name.trim().is_empty() {
        return Err(ApiError::bad_request(Family::V2, "name must not be empty."));
    }
    let category =
        CompensationCategory::parse_creatable(input.category.trim()).ok_or_else(|| {
            ApiError::bad_request(Family::V2, "category must be RECURRING or ONE_TIME.")
        })?;
    let now = app.clock.now();
    let mut company = app.company.write();
    let id = company
        .create_compensation_type(&input.name, category, now)
        .map_err(|e| match e {
            CompensationError::DuplicateTypeName(_) => ApiError::new(
                Family::V2,
                ErrorKind::Conflict {
                    detail: e.to_string(),
                },
            ),
            other => unprocessable(other.to_string()),
        })?;
    Ok(created(
        id.to_string(),
        format!("{origin}/v2/compensations/types"),
    ))
}
