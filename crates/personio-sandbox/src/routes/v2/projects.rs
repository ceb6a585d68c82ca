//! `/v2/projects` and `/v2/projects/{id}/members` (personio-api.md §3.10): list with
//! filters and `include`, get, create, patch, delete; list, add and remove members.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use chrono::NaiveDate;
use personio_api::Scope;
use personio_api::v2::{DateRef, IdRef, ProjectMember, ProjectWrite};
use serde_json::{Value, json};

use super::time_params::{created, json_body, no_content, page_around};
use super::{allow_only, invalid_parameter, page_links};
use crate::body::{Body, Payload};
use crate::caller::Caller;
use crate::company::{Company, Project, ProjectChanges, ProjectDraft, ProjectError, ProjectStatus};
use crate::error::{ApiError, ApiResult, Family};
use crate::origin::Origin;
use crate::paginate::V2Request;
use crate::params::Params;
use crate::render::page::{json_response, to_bytes};
use crate::render::project::{Included, Totals, v2 as render};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v2/projects", get(list).post(create))
        .route("/v2/projects/{id}", get(show).patch(update).delete(remove))
        .route(
            "/v2/projects/{id}/members",
            get(members).post(add_members).delete(remove_members),
        )
}

/// Projects: the common default of 100, at most 200 (one client's reading, §3.1, L);
/// members: 1–200, default 200 (H).
const LIMIT: usize = 100;
const MAX_LIMIT: usize = 200;
const MEMBER_LIMIT: usize = 200;

/// `include=tracked_minutes,...`; an unknown name is 422 (§3.10, H).
fn included(params: &Params) -> ApiResult<Included> {
    let mut out = Included::default();
    for name in params.all("include") {
        match name {
            "tracked_minutes" => out.tracked_minutes = true,
            "sub_projects_tracked_minutes" => out.sub_projects_tracked_minutes = true,
            "sub_projects_count" => out.sub_projects_count = true,
            "tracked_periods_count" => out.tracked_periods_count = true,
            other => {
                return Err(ApiError::validation(
                    Family::V2,
                    format!("Invalid include parameter: {other}"),
                ));
            }
        }
    }
    Ok(out)
}

fn totals(company: &Company, included: Included) -> Totals {
    if included.tracked_minutes
        || included.sub_projects_tracked_minutes
        || included.tracked_periods_count
    {
        company.project_totals()
    } else {
        Totals::default()
    }
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

fn bad_cursor() -> ApiError {
    ApiError::bad_request(Family::V2, "Provided value for cursor is not valid")
}

/// `GET /v2/projects`, by id.
async fn list(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require_scope(Scope::ProjectsRead)?;
    let request = V2Request::parse(&params, LIMIT, MAX_LIMIT)?;
    let filters = &request.filters;
    allow_only(
        filters,
        &[
            "id",
            "name",
            "status",
            "project_code",
            "parent_project.id",
            "top_level_only",
            "include",
        ],
    )?;
    let ids = numbers(filters, "id")?;
    let parents = numbers(filters, "parent_project.id")?;
    let names = filters.all("name");
    let codes = filters.all("project_code");
    let statuses = filters
        .all("status")
        .into_iter()
        .map(|s| ProjectStatus::parse(s).ok_or_else(|| invalid_parameter("status")))
        .collect::<ApiResult<Vec<_>>>()?;
    let top_level_only = match filters.one("top_level_only") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(invalid_parameter("top_level_only")),
    };
    let included = included(filters)?;
    let after = match &request.after {
        None => None,
        Some(v) => Some(v.as_u64().ok_or_else(bad_cursor)?),
    };
    let company = app.company.read();
    let mut page: Vec<&Project> = company
        .projects
        .list
        .iter()
        .filter(|p| after.is_none_or(|a| u64::from(p.id) > a))
        .filter(|p| ids.is_empty() || ids.contains(&p.id))
        .filter(|p| names.is_empty() || names.contains(&p.name.as_str()))
        .filter(|p| codes.is_empty() || p.code.as_deref().is_some_and(|c| codes.contains(&c)))
        .filter(|p| statuses.is_empty() || statuses.contains(&p.status))
        .filter(|p| parents.is_empty() || p.parent_id.is_some_and(|id| parents.contains(&id)))
        .filter(|p| !top_level_only || p.parent_id.is_none())
        .take(request.limit + 1)
        .collect();
    let next = (page.len() > request.limit).then(|| {
        page.truncate(request.limit);
        request.next_cursor(json!(page[page.len() - 1].id))
    });
    let totals = totals(&company, included);
    let items = join(
        page.iter()
            .map(|p| to_bytes(&render(&company, p, included, &totals))),
    );
    let (self_href, next_href) = page_links(&origin, uri.path(), uri.query(), &request, next);
    Ok(page_around(&items, &self_href, next_href.as_deref()))
}

fn numbers(params: &Params, key: &str) -> ApiResult<Vec<u32>> {
    params
        .all(key)
        .into_iter()
        .map(|v| v.parse().map_err(|_| invalid_parameter(key)))
        .collect()
}

fn not_found() -> ApiError {
    ApiError::not_found(Family::V2, 404, "Not Found")
}

fn find<'a>(company: &'a Company, id: &str) -> ApiResult<&'a Project> {
    id.trim()
        .parse()
        .ok()
        .and_then(|id| company.project(id))
        .ok_or_else(not_found)
}

/// `GET /v2/projects/{id}?include=...`.
async fn show(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    caller.require_scope(Scope::ProjectsRead)?;
    allow_only(&params, &["include"])?;
    let included = included(&params)?;
    let company = app.company.read();
    let project = find(&company, &id)?;
    let totals = totals(&company, included);
    Ok(json_response(to_bytes(&render(
        &company, project, included, &totals,
    ))))
}

fn write_error(error: ProjectError) -> ApiError {
    match error {
        ProjectError::NotFound(_) => not_found(),
        other => ApiError::validation(Family::V2, other.to_string()),
    }
}

fn status(text: &str) -> ApiResult<ProjectStatus> {
    ProjectStatus::parse(text)
        .ok_or_else(|| ApiError::bad_request(Family::V2, "status must be ACTIVE or ARCHIVED."))
}

fn date(value: Option<DateRef>, field: &str) -> ApiResult<Option<NaiveDate>> {
    value
        .map(|d| {
            NaiveDate::parse_from_str(d.date.trim(), "%Y-%m-%d").map_err(|_| {
                ApiError::bad_request(Family::V2, format!("{field}.date must be YYYY-MM-DD."))
            })
        })
        .transpose()
}

/// An id the company may not have: unknown ones are the 422 the rules name.
fn cost_center(value: Option<IdRef>) -> ApiResult<Option<i64>> {
    value
        .map(|c| {
            c.id.trim().parse().map_err(|_| {
                ApiError::validation(Family::V2, format!("Cost center {} does not exist.", c.id))
            })
        })
        .transpose()
}

/// `POST /v2/projects` → 201 `{id, _meta}`.
async fn create(
    caller: Caller,
    State(app): State<AppState>,
    Origin(origin): Origin,
    body: Body,
) -> ApiResult<Response> {
    caller.require_scope(Scope::ProjectsWrite)?;
    let input: ProjectWrite = json_body(body)?;
    let missing =
        |field: &str| ApiError::bad_request(Family::V2, format!("The field {field} is required."));
    let name = input.name.flatten().ok_or_else(|| missing("name"))?;
    let status = status(&input.status.flatten().ok_or_else(|| missing("status"))?)?;
    let parent_id = input
        .parent_project
        .flatten()
        .map(|p| {
            p.id.trim().parse().map_err(|_| {
                ApiError::validation(
                    Family::V2,
                    format!("Parent project {} does not exist.", p.id),
                )
            })
        })
        .transpose()?;
    let draft = ProjectDraft {
        code: input.project_code.flatten(),
        description: input.description.flatten(),
        cost_center_id: cost_center(input.cost_center.flatten())?,
        assigned_to_all: input.assigned_to_all.flatten(),
        parent_id,
        start: date(input.start.flatten(), "start")?,
        end: date(input.end.flatten(), "end")?,
        billable: input.billable.flatten(),
        client_name: input.client_name.flatten(),
        project_type: input.project_type.flatten(),
        ..ProjectDraft::new(name, status)
    };
    let now = app.clock.now();
    let id = app
        .company
        .write()
        .create_project(draft, now)
        .map_err(write_error)?;
    Ok(created(
        format!("{origin}/v2/projects/{id}"),
        id.to_string(),
    ))
}

/// `PATCH /v2/projects/{id}` → 204. `null` clears a nullable field; on `name`, `status`,
/// `billable` and `assigned_to_all` it changes nothing.
async fn update(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Response> {
    caller.require_scope(Scope::ProjectsWrite)?;
    let input: ProjectWrite = json_body(body)?;
    let changes = ProjectChanges {
        name: input.name.flatten(),
        status: input.status.flatten().map(|s| status(&s)).transpose()?,
        code: input.project_code,
        description: input.description,
        cost_center_id: input.cost_center.map(cost_center).transpose()?,
        assigned_to_all: input.assigned_to_all.flatten(),
        start: input.start.map(|d| date(d, "start")).transpose()?,
        end: input.end.map(|d| date(d, "end")).transpose()?,
        billable: input.billable.flatten(),
        client_name: input.client_name,
        project_type: input.project_type,
    };
    let now = app.clock.now();
    let mut company = app.company.write();
    let id = find(&company, &id)?.id;
    company
        .update_project(id, changes, now)
        .map_err(write_error)?;
    Ok(no_content())
}

/// `DELETE /v2/projects/{id}` → 204, sub-projects included (status undocumented; a live
/// test saw success and then 404, personio-api.md §3.10).
async fn remove(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require_scope(Scope::ProjectsWrite)?;
    let now = app.clock.now();
    let mut company = app.company.write();
    let id = find(&company, &id)?.id;
    company.delete_project(id, now).map_err(write_error)?;
    Ok(no_content())
}

/// `GET /v2/projects/{id}/members`, by person id. A project open to everyone lists no one;
/// a sub-project has no members of its own (422).
async fn members(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require_scope(Scope::ProjectsRead)?;
    let request = V2Request::parse(&params, MEMBER_LIMIT, MEMBER_LIMIT)?;
    allow_only(&request.filters, &[])?;
    let after = match &request.after {
        None => None,
        Some(v) => Some(v.as_i64().ok_or_else(bad_cursor)?),
    };
    let company = app.company.read();
    let project = find(&company, &id)?;
    if project.parent_id.is_some() {
        return Err(write_error(ProjectError::SubProjectMembers));
    }
    let mut page: Vec<i64> = project
        .members
        .iter()
        .copied()
        .filter(|m| after.is_none_or(|a| *m > a))
        .take(request.limit + 1)
        .collect();
    let next = (page.len() > request.limit).then(|| {
        page.truncate(request.limit);
        request.next_cursor(json!(page[page.len() - 1]))
    });
    let items = join(page.iter().map(|m| {
        to_bytes(&ProjectMember {
            person: IdRef::new(m),
        })
    }));
    let (self_href, next_href) = page_links(&origin, uri.path(), uri.query(), &request, next);
    Ok(page_around(&items, &self_href, next_href.as_deref()))
}

/// The persons of a members body. Personio calls it a request object without showing it;
/// one client sends a bare array of `{"person": {"id"}}` (§3.10, L). We take that array,
/// or an object holding it under `members` or `persons`.
fn member_ids(body: Body) -> ApiResult<Vec<i64>> {
    let bad = || {
        ApiError::bad_request(
            Family::V2,
            "The body must list members as [{\"person\": {\"id\": \"...\"}}].",
        )
    };
    let Payload::Json(value) = body.payload else {
        return Err(bad());
    };
    let list = match value {
        Value::Array(list) => list,
        Value::Object(mut map) => match map.remove("members").or_else(|| map.remove("persons")) {
            Some(Value::Array(list)) => list,
            _ => return Err(bad()),
        },
        _ => return Err(bad()),
    };
    list.into_iter()
        .map(|item| {
            let member: ProjectMember = serde_json::from_value(item).map_err(|_| bad())?;
            member.person.id.trim().parse().map_err(|_| {
                ApiError::validation(
                    Family::V2,
                    format!("Person {} not found.", member.person.id),
                )
            })
        })
        .collect()
}

/// `POST /v2/projects/{id}/members` → 204.
async fn add_members(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Response> {
    caller.require_scope(Scope::ProjectsWrite)?;
    let persons = member_ids(body)?;
    let now = app.clock.now();
    let mut company = app.company.write();
    let id = find(&company, &id)?.id;
    company
        .add_project_members(id, &persons, now)
        .map_err(write_error)?;
    Ok(no_content())
}

/// `DELETE /v2/projects/{id}/members` → 204.
async fn remove_members(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Response> {
    caller.require_scope(Scope::ProjectsWrite)?;
    let persons = member_ids(body)?;
    let now = app.clock.now();
    let mut company = app.company.write();
    let id = find(&company, &id)?.id;
    company
        .remove_project_members(id, &persons, now)
        .map_err(write_error)?;
    Ok(no_content())
}
