//! v2 recruiting beta (personio-api.md §3.12): jobs, categories, candidates, applications
//! and stage transitions. Every route needs the `Beta: true` header (without it the route
//! does not exist: 404), the `personio:recruiting:read` scope, and the company's recruiting
//! feature (off: 404 too, as Personio answers such tenants). Lists: last update first,
//! `updated_at.lt` XOR `updated_at.gt`, limit 1–200, default 100.
//!
//! Personio has since announced these endpoints as generally available without the
//! header; we keep the beta rule.

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::Uri;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use personio_api::Scope;

use super::org::page;
use super::{allow_only, time_filter};
use crate::caller::Caller;
use crate::company::Company;
use crate::error::{ApiError, ApiResult, ErrorKind, Family};
use crate::origin::Origin;
use crate::paginate::V2Request;
use crate::params::Params;
use crate::render::page::{json_response, to_bytes};
use crate::render::recruiting::{application, candidate, category, job, transitions};
use crate::render::v2_timestamp;
use crate::state::AppState;

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 200;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v2/recruiting/jobs", get(jobs))
        .route("/v2/recruiting/jobs/{id}", get(show_job))
        .route("/v2/recruiting/categories", get(categories))
        .route("/v2/recruiting/categories/{id}", get(show_category))
        .route("/v2/recruiting/candidates", get(candidates))
        .route("/v2/recruiting/candidates/{id}", get(show_candidate))
        .route("/v2/recruiting/applications", get(applications))
        .route("/v2/recruiting/applications/{id}", get(show_application))
        .route(
            "/v2/recruiting/applications/{id}/stage-transitions",
            get(stage_transitions),
        )
        .route_layer(middleware::from_fn(require_beta))
}

fn route_not_found(uri: &Uri) -> ApiError {
    ApiError::new(
        Family::V2,
        ErrorKind::RouteNotFound {
            path: uri.path().to_owned(),
        },
    )
}

/// Beta endpoints exist only for requests that opt in with `Beta: true`.
async fn require_beta(request: Request, next: Next) -> Response {
    let opted_in = request
        .headers()
        .get("beta")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if opted_in {
        next.run(request).await
    } else {
        route_not_found(request.uri()).into_response()
    }
}

/// The scope, then the tenant's recruiting feature.
fn check(caller: &Caller, company: &Company, uri: &Uri) -> ApiResult<()> {
    caller.require_scope(Scope::RecruitingRead)?;
    if company.recruiting.features.recruiting {
        Ok(())
    } else {
        Err(route_not_found(uri))
    }
}

/// The `updated_at.lt` / `updated_at.gt` filter: at most one of them.
struct Updated {
    before: Option<DateTime<Utc>>,
    after: Option<DateTime<Utc>>,
}

impl Updated {
    fn parse(params: &Params) -> ApiResult<Updated> {
        let before = time_filter(params, "updated_at.lt")?;
        let after = time_filter(params, "updated_at.gt")?;
        if before.is_some() && after.is_some() {
            return Err(ApiError::bad_request(
                Family::V2,
                "updated_at.lt and updated_at.gt are mutually exclusive",
            ));
        }
        Ok(Updated { before, after })
    }

    fn contains(&self, at: DateTime<Utc>) -> bool {
        self.before.is_none_or(|b| at < b) && self.after.is_none_or(|a| at > a)
    }
}

fn not_found() -> ApiError {
    ApiError::not_found(Family::V2, 404, "Not Found")
}

fn numeric_id(id: &str) -> Option<i64> {
    id.trim().parse().ok()
}

struct ListRequest {
    request: V2Request,
    updated: Updated,
}

fn list_request(params: &Params, extra: &[&str]) -> ApiResult<ListRequest> {
    let request = V2Request::parse(params, DEFAULT_LIMIT, MAX_LIMIT)?;
    let mut allowed = vec!["updated_at.lt", "updated_at.gt"];
    allowed.extend_from_slice(extra);
    allow_only(&request.filters, &allowed)?;
    let updated = Updated::parse(&request.filters)?;
    Ok(ListRequest { request, updated })
}

async fn jobs(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    let list = list_request(&params, &[])?;
    let company = app.company.read();
    check(&caller, &company, &uri)?;
    let items = company
        .recruiting
        .jobs
        .iter()
        .filter(|j| list.updated.contains(j.updated_at))
        .collect();
    page(
        items,
        |j| (v2_timestamp(j.updated_at), j.id),
        true,
        &list.request,
        &origin,
        &uri,
        |j| to_bytes(&job(&company, j, &origin)),
    )
}

async fn show_job(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    let company = app.company.read();
    check(&caller, &company, &uri)?;
    let found = numeric_id(&id)
        .and_then(|id| company.job(id))
        .ok_or_else(not_found)?;
    Ok(json_response(to_bytes(&job(&company, found, &origin))))
}

async fn categories(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    let list = list_request(&params, &[])?;
    let company = app.company.read();
    check(&caller, &company, &uri)?;
    let items = company
        .recruiting
        .categories
        .iter()
        .filter(|c| list.updated.contains(c.updated_at))
        .collect();
    page(
        items,
        |c| (v2_timestamp(c.updated_at), c.id),
        true,
        &list.request,
        &origin,
        &uri,
        |c| to_bytes(&category(c)),
    )
}

async fn show_category(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
) -> ApiResult<Response> {
    let company = app.company.read();
    check(&caller, &company, &uri)?;
    let found = numeric_id(&id)
        .and_then(|id| company.job_category(id))
        .ok_or_else(not_found)?;
    Ok(json_response(to_bytes(&category(found))))
}

/// `GET /v2/recruiting/candidates` (+ `email`).
async fn candidates(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    let list = list_request(&params, &["email"])?;
    let email = list.request.filters.one("email").map(str::trim);
    let company = app.company.read();
    check(&caller, &company, &uri)?;
    let items = company
        .recruiting
        .candidates
        .iter()
        .filter(|c| list.updated.contains(c.updated_at))
        .filter(|c| email.is_none_or(|m| c.email.eq_ignore_ascii_case(m)))
        .collect();
    page(
        items,
        |c| (v2_timestamp(c.updated_at), c.id),
        true,
        &list.request,
        &origin,
        &uri,
        |c| to_bytes(&candidate(&company, c)),
    )
}

async fn show_candidate(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
) -> ApiResult<Response> {
    let company = app.company.read();
    check(&caller, &company, &uri)?;
    let found = numeric_id(&id)
        .and_then(|id| company.candidate(id))
        .ok_or_else(not_found)?;
    Ok(json_response(to_bytes(&candidate(&company, found))))
}

/// `GET /v2/recruiting/applications`; `candidate.email` narrows it (sent by one live
/// client, undocumented; confidence L).
async fn applications(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    let list = list_request(&params, &["candidate.email"])?;
    let email = list.request.filters.one("candidate.email").map(str::trim);
    let company = app.company.read();
    check(&caller, &company, &uri)?;
    let items = company
        .recruiting
        .applications
        .iter()
        .filter(|a| list.updated.contains(a.updated_at))
        .filter(|a| {
            email.is_none_or(|m| {
                company
                    .candidate(a.candidate_id)
                    .is_some_and(|c| c.email.eq_ignore_ascii_case(m))
            })
        })
        .collect();
    page(
        items,
        |a| (v2_timestamp(a.updated_at), a.id),
        true,
        &list.request,
        &origin,
        &uri,
        |a| to_bytes(&application(&company, a, &origin)),
    )
}

async fn show_application(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    let company = app.company.read();
    check(&caller, &company, &uri)?;
    let found = numeric_id(&id)
        .and_then(|id| company.application(id))
        .ok_or_else(not_found)?;
    Ok(json_response(to_bytes(&application(
        &company, found, &origin,
    ))))
}

/// `GET .../applications/{id}/stage-transitions`, latest first.
async fn stage_transitions(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    let request = V2Request::parse(&params, DEFAULT_LIMIT, MAX_LIMIT)?;
    allow_only(&request.filters, &[])?;
    let company = app.company.read();
    check(&caller, &company, &uri)?;
    let found = numeric_id(&id)
        .and_then(|id| company.application(id))
        .ok_or_else(not_found)?;
    let entries: Vec<(i64, _)> = transitions(&company, found)
        .into_iter()
        .enumerate()
        .map(|(i, t)| (i as i64, t))
        .collect();
    page(
        entries.iter().collect(),
        |(i, _)| (String::new(), *i),
        false,
        &request,
        &origin,
        &uri,
        |(_, t)| to_bytes(t),
    )
}
