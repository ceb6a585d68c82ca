//! Organisation structure: `/v2/org-units`, `/v2/legal-entities`, `/v2/cost-centers`,
//! `/v2/workplaces` (personio-api.md §3.5).

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use personio_api::Scope;

use super::{allow_only, invalid_parameter, page_links};
use crate::caller::Caller;
use crate::company::{Company, OrgUnit, OrgUnitKind};
use crate::error::{ApiError, ApiResult, Family};
use crate::origin::Origin;
use crate::paginate::{SortKey, V2Request, keyset};
use crate::params::Params;
use crate::render::page::{json_response, to_bytes, v2_page};
use crate::render::v2::{
    Chain, cost_center, legal_entity as render_legal_entity, org_unit as render_org_unit, workplace,
};
use crate::state::AppState;

fn not_found() -> ApiError {
    ApiError::not_found(Family::V2, 404, "Not Found")
}

/// `sort=name|-name|id|-id` (default `id`): (sort by name?, descending?).
fn sort_order(params: &Params) -> ApiResult<(bool, bool)> {
    match params.one("sort").unwrap_or("id") {
        "id" => Ok((false, false)),
        "-id" => Ok((false, true)),
        "name" => Ok((true, false)),
        "-name" => Ok((true, true)),
        _ => Err(invalid_parameter("sort")),
    }
}

fn id_list(params: &Params) -> ApiResult<Vec<i64>> {
    params
        .all("id")
        .into_iter()
        .map(|v| v.parse().map_err(|_| invalid_parameter("id")))
        .collect()
}

fn unit_kind(params: &Params) -> ApiResult<OrgUnitKind> {
    params
        .one("type")
        .and_then(|t| OrgUnitKind::parse(&t.to_ascii_lowercase()))
        .ok_or_else(|| invalid_parameter("type"))
}

fn include_chain(params: &Params) -> ApiResult<bool> {
    match params.one("include_parent_chain") {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(invalid_parameter("include_parent_chain")),
    }
}

/// Renders one page of a sorted list as a v2 page body.
pub(super) fn page<T>(
    items: Vec<&T>,
    key: impl Fn(&T) -> SortKey,
    descending: bool,
    request: &V2Request,
    origin: &str,
    uri: &Uri,
    render: impl Fn(&T) -> Vec<u8>,
) -> ApiResult<Response> {
    let (page, next) = keyset(items, key, descending, request)?;
    let next_cursor = next.map(|k| request.next_cursor(serde_json::json!(k)));
    let bodies: Vec<Vec<u8>> = page.into_iter().map(render).collect();
    let (self_href, next_href) = page_links(origin, uri.path(), uri.query(), request, next_cursor);
    Ok(json_response(v2_page(
        &bodies,
        &self_href,
        next_href.as_deref(),
    )))
}

/// `GET /v2/org-units?type=department|team`: `type` is required; the parent chain on the
/// list holds ids only. Paging 20 / 100 (unconfirmed; one client's choice).
pub(super) async fn org_units(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require_scope(Scope::OrgUnitsRead)?;
    let request = V2Request::parse(&params, 20, 100)?;
    allow_only(
        &request.filters,
        &["type", "include_parent_chain", "sort", "id"],
    )?;
    let kind = unit_kind(&request.filters)?;
    let chain = if include_chain(&request.filters)? {
        Chain::Ids
    } else {
        Chain::None
    };
    let (by_name, descending) = sort_order(&request.filters)?;
    let ids = id_list(&request.filters)?;
    let company = app.company.read();
    let units: Vec<&OrgUnit> = company
        .org_units
        .iter()
        .filter(|u| u.kind == kind && (ids.is_empty() || ids.contains(&u.id)))
        .collect();
    page(
        units,
        |u| {
            (
                if by_name {
                    u.name.clone()
                } else {
                    String::new()
                },
                u.id,
            )
        },
        descending,
        &request,
        &origin,
        &uri,
        |u| to_bytes(&render_org_unit(&company, u, chain, &origin)),
    )
}

/// `GET /v2/org-units/{id}?type=...`: `id` is an int64 and `type` is required; with
/// `include_parent_chain=true` the chain carries full units.
pub(super) async fn org_unit(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    params: Params,
    Origin(origin): Origin,
) -> ApiResult<Response> {
    caller.require_scope(Scope::OrgUnitsRead)?;
    let id: i64 = id.trim().parse().map_err(|_| invalid_parameter("id"))?;
    let kind = unit_kind(&params)?;
    let chain = if include_chain(&params)? {
        Chain::Full
    } else {
        Chain::None
    };
    let company = app.company.read();
    let unit = company
        .org_unit(id)
        .filter(|u| u.kind == kind)
        .ok_or_else(not_found)?;
    Ok(json_response(to_bytes(&render_org_unit(
        &company, unit, chain, &origin,
    ))))
}

/// `GET /v2/legal-entities`: newest first; `id` and `country` filters; 20 / 100.
pub(super) async fn legal_entities(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require_scope(Scope::LegalEntitiesRead)?;
    let request = V2Request::parse(&params, 20, 100)?;
    allow_only(&request.filters, &["id", "country"])?;
    let ids = id_list(&request.filters)?;
    let countries: Vec<String> = request
        .filters
        .all("country")
        .into_iter()
        .map(str::to_ascii_uppercase)
        .collect();
    let company = app.company.read();
    let entities = company
        .legal_entities
        .iter()
        .filter(|e| {
            (ids.is_empty() || ids.contains(&e.id))
                && (countries.is_empty() || countries.iter().any(|c| c == e.country))
        })
        .collect();
    page(
        entities,
        |e| (crate::render::v2_timestamp(e.created_at), e.id),
        true,
        &request,
        &origin,
        &uri,
        |e| to_bytes(&render_legal_entity(e, &origin)),
    )
}

/// `GET /v2/legal-entities/{id}`.
pub(super) async fn legal_entity(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Origin(origin): Origin,
) -> ApiResult<Response> {
    caller.require_scope(Scope::LegalEntitiesRead)?;
    let company = app.company.read();
    let entity = id
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| company.legal_entity(id))
        .ok_or_else(not_found)?;
    Ok(json_response(to_bytes(&render_legal_entity(
        entity, &origin,
    ))))
}

/// The `id` and `name` filters and `sort` of cost centers and workplaces.
fn named_filter(params: &Params) -> ApiResult<(Vec<i64>, Vec<String>, bool, bool)> {
    allow_only(params, &["id", "name", "sort"])?;
    let (by_name, descending) = sort_order(params)?;
    Ok((
        id_list(params)?,
        params.all("name").into_iter().map(str::to_owned).collect(),
        by_name,
        descending,
    ))
}

/// `GET /v2/cost-centers`: 50 / 100, sort by id (default) or name.
pub(super) async fn cost_centers(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require_scope(Scope::CostCentersRead)?;
    let request = V2Request::parse(&params, 50, 100)?;
    let (ids, names, by_name, descending) = named_filter(&request.filters)?;
    let company: parking_lot::RwLockReadGuard<'_, Company> = app.company.read();
    let centers = company
        .cost_centers
        .iter()
        .filter(|c| {
            (ids.is_empty() || ids.contains(&c.id)) && (names.is_empty() || names.contains(&c.name))
        })
        .collect();
    page(
        centers,
        |c| {
            (
                if by_name {
                    c.name.clone()
                } else {
                    String::new()
                },
                c.id,
            )
        },
        descending,
        &request,
        &origin,
        &uri,
        |c| to_bytes(&cost_center(&company, c.id)),
    )
}

/// `GET /v2/workplaces` (formerly offices): 50 / 100, sort by id (default) or name.
pub(super) async fn workplaces(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require_scope(Scope::WorkplacesRead)?;
    let request = V2Request::parse(&params, 50, 100)?;
    let (ids, names, by_name, descending) = named_filter(&request.filters)?;
    let company = app.company.read();
    let offices = company
        .offices
        .iter()
        .filter(|o| {
            (ids.is_empty() || ids.contains(&o.id))
                && (names.is_empty() || names.iter().any(|n| n == o.name))
        })
        .collect();
    page(
        offices,
        |o| {
            (
                if by_name {
                    o.name.to_owned()
                } else {
                    String::new()
                },
                o.id,
            )
        },
        descending,
        &request,
        &origin,
        &uri,
        |o| to_bytes(&workplace(o)),
    )
}
