//! v2 routes (`/v2/...`) and what their list endpoints share: strict parameters, time
//! filters, and links on the caller's origin.

mod absences;
mod attendances;
mod compensations;
mod documents;
mod org;
mod persons;
mod projects;
mod recruiting;
mod reports;
mod time_params;
mod webhooks;

use axum::Router;
use axum::routing::get;
use chrono::{DateTime, NaiveTime, Utc};

use crate::error::{ApiError, ApiResult, Family};
use crate::paginate::V2Request;
use crate::params::Params;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v2/persons", get(persons::list).post(persons::create))
        .route(
            "/v2/persons/{id}",
            get(persons::show)
                .patch(persons::update)
                .delete(persons::remove),
        )
        .route("/v2/persons/{id}/employments", get(persons::employments))
        .route(
            "/v2/persons/{id}/employments/{employment_id}",
            get(persons::employment).patch(persons::update_employment),
        )
        .route("/v2/org-units", get(org::org_units))
        .route("/v2/org-units/{id}", get(org::org_unit))
        .route("/v2/legal-entities", get(org::legal_entities))
        .route("/v2/legal-entities/{id}", get(org::legal_entity))
        .route("/v2/cost-centers", get(org::cost_centers))
        .route("/v2/workplaces", get(org::workplaces))
        .merge(attendances::routes())
        .merge(absences::routes())
        .merge(projects::routes())
        .merge(documents::routes())
        .merge(compensations::routes())
        .merge(reports::routes())
        .merge(recruiting::routes())
        .merge(webhooks::routes())
}

/// Personio rejects query parameters an endpoint does not know ("Parameter
/// [legal_entity.id] is invalid", personio-api.md DISC on persons; confidence M).
pub(super) fn allow_only(params: &Params, allowed: &[&str]) -> ApiResult<()> {
    match params
        .pairs()
        .iter()
        .find(|(k, _)| !allowed.contains(&k.as_str()) && k != "cursor" && k != "limit")
    {
        Some((key, _)) => Err(invalid_parameter(key)),
        None => Ok(()),
    }
}

pub(super) fn invalid_parameter(key: &str) -> ApiError {
    ApiError::bad_request(Family::V2, format!("Parameter [{key}] is invalid"))
}

/// A time filter value: a date (midnight UTC) or a date-time with or without offset (UTC
/// when without). Personio documents date-times but some filters only take dates; we take
/// both (personio-api.md §3.1).
pub(super) fn time_filter(params: &Params, key: &str) -> ApiResult<Option<DateTime<Utc>>> {
    let Some(text) = params.one(key) else {
        return Ok(None);
    };
    let text = text.trim();
    let instant = personio_api::time::parse_utc(text)
        .or_else(|| personio_api::time::parse_local_datetime(text).map(|l| l.and_utc()))
        .or_else(|| {
            personio_api::time::parse_date(text).map(|d| d.and_time(NaiveTime::MIN).and_utc())
        });
    instant.map(Some).ok_or_else(|| invalid_parameter(key))
}

/// The `gt`/`lt`/exact-day filters of one timestamp field.
#[derive(Debug, Clone, Default)]
pub(super) struct TimeRange {
    pub after: Option<DateTime<Utc>>,
    pub before: Option<DateTime<Utc>>,
    pub at_least: Option<DateTime<Utc>>,
    pub at_most: Option<DateTime<Utc>>,
    /// `field=<date>`: the same calendar day.
    pub day: Option<chrono::NaiveDate>,
}

impl TimeRange {
    pub(super) fn parse(params: &Params, field: &str) -> ApiResult<TimeRange> {
        Ok(TimeRange {
            after: time_filter(params, &format!("{field}.gt"))?,
            before: time_filter(params, &format!("{field}.lt"))?,
            at_least: time_filter(params, &format!("{field}.gte"))?,
            at_most: time_filter(params, &format!("{field}.lte"))?,
            day: time_filter(params, field)?.map(|t| t.date_naive()),
        })
    }

    pub(super) fn contains(&self, at: DateTime<Utc>) -> bool {
        self.after.is_none_or(|a| at > a)
            && self.before.is_none_or(|b| at < b)
            && self.at_least.is_none_or(|a| at >= a)
            && self.at_most.is_none_or(|b| at <= b)
            && self.day.is_none_or(|d| at.date_naive() == d)
    }
}

/// `self` and `next` hrefs of a list page: absolute, on the caller's origin; `next` carries
/// only the cursor and the limit.
pub(super) fn page_links(
    origin: &str,
    path: &str,
    request_query: Option<&str>,
    request: &V2Request,
    next_cursor: Option<String>,
) -> (String, Option<String>) {
    let self_href = match request_query.filter(|q| !q.is_empty()) {
        Some(q) => format!("{origin}{path}?{q}"),
        None => format!("{origin}{path}"),
    };
    let next = next_cursor.map(|c| format!("{origin}{path}?cursor={c}&limit={}", request.limit));
    (self_href, next)
}
