//! `/v1/company/custom-reports/...` (personio-api.md §2.7): reports, a report's rows by
//! `page` + `limit`, and column labels. Errors are the custom reports error array; access
//! needs the Custom Reports area, and no readable-attribute grant narrows what a report
//! shows.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use personio_api::v1::{ColumnList, Columns, List, Metadata};

use crate::caller::Caller;
use crate::credentials::{Access, Area};
use crate::error::{ApiError, ApiResult, Family};
use crate::params::Params;
use crate::render::page::{json_response, to_bytes};
use crate::render::reports::{Locale, column, item, report as render_report, rows};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/company/custom-reports/reports", get(list))
        .route("/v1/company/custom-reports/reports/{report_id}", get(show))
        .route("/v1/company/custom-reports/columns", get(columns))
}

const STATUSES: [&str; 3] = ["up_to_date", "updating", "update_failed"];

fn bad_parameter(name: &str, message: &str) -> ApiError {
    ApiError::bad_request(Family::CustomReports, format!("{name}: {message}"))
}

fn report_not_found() -> ApiError {
    ApiError::not_found(Family::CustomReports, 0, "Report not found")
}

/// A comma list given once or repeated, with or without `[]`.
fn list_param<'a>(params: &'a Params, name: &str) -> Vec<&'a str> {
    let mut values = params.all(name);
    values.extend(params.all(&format!("{name}[]")));
    values
}

/// `GET /v1/company/custom-reports/reports?report_ids=...&status=...`.
async fn list(caller: Caller, State(app): State<AppState>, params: Params) -> ApiResult<Response> {
    caller.require(Area::CustomReports, Access::Read)?;
    let status = params
        .one("status")
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(s) = status.filter(|s| !STATUSES.contains(s)) {
        return Err(bad_parameter(
            "status",
            &format!("{s:?} is not one of up_to_date, updating, update_failed"),
        ));
    }
    let ids = list_param(&params, "report_ids");
    let today = app.clock.now().date_naive();
    let company = app.company.read();
    let data: Vec<_> = company
        .reports
        .reports
        .iter()
        .filter(|r| {
            ids.is_empty()
                || ids
                    .iter()
                    .any(|id| id.eq_ignore_ascii_case(&r.id.to_string()))
        })
        .filter(|r| status.is_none_or(|s| r.status == s))
        .map(|r| render_report(&company, r, today))
        .collect();
    let count = data.len() as i64;
    Ok(json_response(to_bytes(&List {
        success: true,
        metadata: Some(Metadata {
            total_elements: count as u64,
            current_page: 1,
            total_pages: 1,
        }),
        offset: Some(0.into()),
        limit: Some(count.into()),
        data,
    })))
}

/// A positive whole number, or absent.
fn positive(params: &Params, name: &str) -> ApiResult<Option<usize>> {
    match params.one(name).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse::<usize>()
            .map(Some)
            .map_err(|_| bad_parameter(name, "must be a whole number")),
    }
}

/// `GET /v1/company/custom-reports/reports/{id}?page=&limit=&locale=`: the report with its
/// rows. Pages count from 1; without `limit` every row comes at once and `limit` reads `0`
/// (as a live response shows; personio-api.md §2.7, M). `offset` is deprecated and stays 0.
async fn show(
    caller: Caller,
    State(app): State<AppState>,
    Path(report_id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    caller.require(Area::CustomReports, Access::Read)?;
    let page = positive(&params, "page")?.unwrap_or(1);
    if page == 0 {
        return Err(bad_parameter("page", "must be at least 1"));
    }
    let limit = positive(&params, "limit")?.unwrap_or(0);
    let today = app.clock.now().date_naive();
    let company = app.company.read();
    let report = company.report(&report_id).ok_or_else(report_not_found)?;
    let people = rows(&company, report);
    let total = people.len();
    let selected: Vec<_> = if limit == 0 {
        people
    } else {
        people
            .into_iter()
            .skip((page - 1) * limit)
            .take(limit)
            .collect()
    };
    let mut rendered = render_report(&company, report, today);
    rendered.attributes.items = Some(
        selected
            .into_iter()
            .map(|e| item(&company, report, e, today))
            .collect(),
    );
    let total_pages = if limit == 0 { 1 } else { total.div_ceil(limit) };
    Ok(json_response(to_bytes(&List {
        success: true,
        metadata: Some(Metadata {
            total_elements: total as u64,
            current_page: page as u64,
            total_pages: total_pages as u64,
        }),
        offset: Some(0.into()),
        limit: Some((limit as i64).into()),
        data: vec![rendered],
    })))
}

/// `GET /v1/company/custom-reports/columns?columns=&locale=&report_id=`: labels of every
/// column the company has, or of one report's columns.
async fn columns(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
) -> ApiResult<Response> {
    caller.require(Area::CustomReports, Access::Read)?;
    let locale = Locale::parse(params.one("locale"));
    let wanted = list_param(&params, "columns");
    let company = app.company.read();
    let report = match params
        .one("report_id")
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        Some(id) => Some(company.report(id).ok_or_else(report_not_found)?),
        None => None,
    };
    let attributes: Vec<_> = company
        .reports
        .columns
        .iter()
        .filter(|c| report.is_none_or(|r| r.columns.contains(&c.id)))
        .filter(|c| wanted.is_empty() || wanted.contains(&c.id.as_str()))
        .map(|c| column(c, locale))
        .collect();
    let count = attributes.len() as i64;
    Ok(json_response(to_bytes(&ColumnList {
        success: true,
        metadata: Some(Metadata {
            total_elements: count as u64,
            current_page: 1,
            total_pages: 1,
        }),
        offset: Some(0.into()),
        limit: Some(count.into()),
        data: Columns {
            kind: "Column".into(),
            attributes,
        },
    })))
}
