//! Reporting v2: `GET /v2/reports`, `/v2/reports/{id}`, `/v2/reports/attributes`
//! (personio-api.md §3.12, §5.1b). The same reports as v1's custom reports, as tables.
//! Its own errors use a JSON:API-style list, and a missing reports right is a 400
//! "Unauthorized token" (research findings §8, confidence M).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use personio_api::Scope;
use personio_api::v2::{Link, ReportTable, TableMeta};
use serde_json::json;

use super::allow_only;
use super::org::page;
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult, Family};
use crate::origin::Origin;
use crate::paginate::V2Request;
use crate::params::Params;
use crate::render::page::{json_response, to_bytes};
use crate::render::reports::{attribute, rows, summary, table_column, table_row};
use crate::render::v2_timestamp;
use crate::state::AppState;

/// Paging of the lists: unconfirmed; the v2 common 100 / 200.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 200;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v2/reports", get(list))
        .route("/v2/reports/attributes", get(attributes))
        .route("/v2/reports/{id}", get(show))
}

fn bad_request(detail: String) -> ApiError {
    ApiError::custom(Family::ReportsV2, StatusCode::BAD_REQUEST, 400, detail)
}

fn require_reports(caller: &Caller) -> ApiResult<()> {
    caller
        .require_scope(Scope::ReportsRead)
        .map_err(|_| bad_request("Unauthorized token".into()))
}

/// `GET /v2/reports`, newest first.
async fn list(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    require_reports(&caller)?;
    let request = V2Request::parse(&params, DEFAULT_LIMIT, MAX_LIMIT)?;
    allow_only(&request.filters, &[])?;
    let company = app.company.read();
    let reports: Vec<(i64, &crate::company::Report)> = company
        .reports
        .reports
        .iter()
        .enumerate()
        .map(|(i, r)| (i as i64, r))
        .collect();
    page(
        reports.iter().collect(),
        |(i, r)| (v2_timestamp(r.created_at), *i),
        true,
        &request,
        &origin,
        &uri,
        |(_, r)| to_bytes(&summary(r)),
    )
}

/// `GET /v2/reports/attributes`: every column a report can show.
async fn attributes(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    require_reports(&caller)?;
    let request = V2Request::parse(&params, DEFAULT_LIMIT, MAX_LIMIT)?;
    allow_only(&request.filters, &[])?;
    let company = app.company.read();
    let columns: Vec<(i64, &crate::company::ReportColumn)> = company
        .reports
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| (i as i64, c))
        .collect();
    page(
        columns.iter().collect(),
        |(i, _)| (String::new(), *i),
        false,
        &request,
        &origin,
        &uri,
        |(_, c)| to_bytes(&attribute(c)),
    )
}

/// `GET /v2/reports/{id}`: the whole table at once (a live-tested client reads it without
/// paging).
async fn show(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Origin(origin): Origin,
) -> ApiResult<Response> {
    require_reports(&caller)?;
    let today = app.clock.now().date_naive();
    let company = app.company.read();
    let report = company
        .report(&id)
        .ok_or_else(|| bad_request(format!("Report with {id} not found.")))?;
    let table = ReportTable {
        report_config: json!({
            "id": report.id.to_string(),
            "name": report.name,
            "type": report.kind.as_str(),
        }),
        data: rows(&company, report)
            .into_iter()
            .map(|e| table_row(&company, report, e, today))
            .collect(),
        meta: TableMeta {
            columns: report
                .columns
                .iter()
                .filter_map(|c| company.report_column(c))
                .map(table_column)
                .collect(),
            links: [(
                "self".to_owned(),
                Link {
                    href: format!("{origin}/v2/reports/{}", report.id),
                },
            )]
            .into_iter()
            .collect(),
        },
    };
    Ok(json_response(to_bytes(&table)))
}
