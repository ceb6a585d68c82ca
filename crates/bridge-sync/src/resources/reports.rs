//! Custom reports through v1 (personio-api.md §2.7): the list of reports
//! (`GET /v1/company/custom-reports/reports`, one answer, no paging) and each report's rows
//! (`GET .../reports/{id}` by `page` + `limit`, pages from 1). A report's rows replace its
//! earlier rows. Reports have no change feed, and rows change when Personio refreshes the
//! data, so every sync of this resource reads them all.

use std::collections::HashMap;

use bridge_store::tables::{CUSTOM_REPORT_ROWS, CUSTOM_REPORTS};
use bridge_store::{Key, Row, Table, Value};
use futures::future::BoxFuture;
use personio_api::v1::{self, ReportCell, ReportItem};
use personio_client::endpoints::paths;
use personio_client::{Client, OffsetKind, Record};
use serde_json::{Map, json};

use super::children::{Children, PerParent};
use super::{ListingPlan, Mapped, Paging, Reading, Resource, instant, later, raw};
use crate::context::Context;
use crate::engine::{Parents, Syncing};
use crate::error::Error;
use crate::plan::Step;
use crate::summary::ResourceSummary;

/// Rows per request (Personio documents no maximum: our choice).
const ROWS_PAGE: u32 = 200;
/// More pages than this from one report means the server is not paging (a guard).
const MAX_ROW_PAGES: u64 = 100_000;

/// `GET /v1/company/custom-reports/reports`.
pub(crate) struct CustomReports;

impl Resource for CustomReports {
    type Item = v1::Report;

    fn checkpoint_name(&self) -> String {
        "custom_reports".into()
    }

    fn table(&self) -> &'static Table {
        &CUSTOM_REPORTS
    }

    fn listing(&self, _: &Step) -> ListingPlan {
        // Personio answers the whole list at once and echoes its length as `limit`; the
        // paging parameters sent are ignored.
        ListingPlan {
            path: paths::CUSTOM_REPORTS_V1.into(),
            query: Vec::new(),
            paging: Paging::V1 {
                limit: 100,
                offset_kind: OffsetKind::Items,
            },
        }
    }

    fn map(&self, _: &Step, items: Vec<Record<Self::Item>>, _: &Context) -> Result<Mapped, Error> {
        let mut mapped = Mapped::default();
        for record in items {
            let r = &record.value.attributes;
            let updated = instant(r.updated_at.as_deref());
            mapped.max_updated = later(mapped.max_updated, updated);
            mapped.rows.push(
                CUSTOM_REPORTS
                    .row(Key::Text(r.id.clone()))
                    .set("name", Value::text(r.name.clone()))
                    .set("description", Value::opt_text(r.description.clone()))
                    .set("type", Value::text(r.kind.clone()))
                    .set("status", Value::text(r.status.clone()))
                    .set("period_type", Value::opt_text(r.period_type.clone()))
                    .set("start_date", Value::opt_text(r.start_date.clone()))
                    .set("end_date", Value::opt_text(r.end_date.clone()))
                    .set("columns", Value::text(json!(r.columns).to_string()))
                    .set(
                        "data_refreshed_at",
                        Value::opt_text(
                            instant(r.data_refreshed_at.as_deref()).map(bridge_store::timestamp),
                        ),
                    )
                    .set(
                        "source_created_at",
                        Value::opt_text(
                            instant(r.created_at.as_deref()).map(bridge_store::timestamp),
                        ),
                    )
                    .finish(raw(&record), updated)?,
            );
        }
        Ok(mapped)
    }

    fn derived_tables(&self) -> Vec<(&'static Table, &'static str)> {
        vec![(&CUSTOM_REPORT_ROWS, "report_id")]
    }
}

/// The rows of one report.
pub(crate) struct ReportRows;

impl PerParent for ReportRows {
    fn checkpoint_name(&self) -> &'static str {
        "custom_report_rows"
    }

    fn table(&self) -> &'static Table {
        &CUSTOM_REPORT_ROWS
    }

    fn parent_column(&self) -> &'static str {
        "report_id"
    }

    fn fetch<'a>(
        &'a self,
        client: &'a Client,
        parent: &'a Key,
    ) -> BoxFuture<'a, Result<Children, Error>> {
        Box::pin(async move {
            let path = paths::custom_report_v1(parent);
            let mut items: Vec<ReportItem> = Vec::new();
            for page in 1..=MAX_ROW_PAGES {
                let query = [("page", page.to_string()), ("limit", ROWS_PAGE.to_string())];
                let body: v1::List<v1::Report> = client.get(&path, &query).await?;
                let received: Vec<ReportItem> = body
                    .data
                    .into_iter()
                    .flat_map(|r| r.attributes.items.unwrap_or_default())
                    .collect();
                let last_page = body
                    .metadata
                    .map(|m| m.total_pages)
                    .is_some_and(|total| page >= total);
                let short = (received.len() as u64) < u64::from(ROWS_PAGE);
                items.extend(received);
                if short || last_page {
                    break;
                }
            }
            let min_requests = (items.len() as u64).div_ceil(u64::from(ROWS_PAGE)).max(1);
            Ok(Children {
                rows: rows(&parent.to_string(), items)?,
                min_requests,
            })
        })
    }
}

/// One row per item, keyed by report and employee (`:2`, `:3`, ... for an employee's further
/// rows); cells by attribute id (a list of them per attribute in historical reports).
fn rows(report: &str, items: Vec<ReportItem>) -> Result<Vec<Row>, Error> {
    let mut seen: HashMap<i64, u32> = HashMap::new();
    items
        .into_iter()
        .map(|item| {
            let n = seen.entry(item.employee_id).or_insert(0);
            *n += 1;
            let key = if *n == 1 {
                format!("{report}:{}", item.employee_id)
            } else {
                format!("{report}:{}:{n}", item.employee_id)
            };
            let cells = match (&item.attributes, &item.historical_attributes) {
                (Some(cells), _) => by_attribute(cells, false),
                (None, Some(cells)) => by_attribute(cells, true),
                (None, None) => Map::new(),
            };
            CUSTOM_REPORT_ROWS
                .row(Key::Text(key))
                .set("report_id", Value::text(report))
                .set("employee_id", Value::Int(item.employee_id))
                .set(
                    "cells",
                    Value::text(serde_json::Value::Object(cells).to_string()),
                )
                .finish(serde_json::to_string(&item).unwrap_or_default(), None)
        })
        .collect::<Result<_, _>>()
        .map_err(Error::from)
}

fn by_attribute(cells: &[ReportCell], historical: bool) -> Map<String, serde_json::Value> {
    let mut map = Map::new();
    for cell in cells {
        let value = serde_json::to_value(cell).unwrap_or_default();
        if historical {
            if let serde_json::Value::Array(list) = map
                .entry(cell.attribute_id.clone())
                .or_insert_with(|| json!([]))
            {
                list.push(value);
            }
        } else {
            map.insert(cell.attribute_id.clone(), value);
        }
    }
    map
}

/// The list of reports, then every report's rows.
pub(crate) struct ReportsWithRows;

impl Reading for ReportsWithRows {
    fn read<'a>(&'a self, sync: &'a Syncing<'a>) -> BoxFuture<'a, Result<ResourceSummary, Error>> {
        Box::pin(async move {
            let mut summary = sync.listing(&CustomReports).await?;
            let reports = sync
                .store()
                .live_ids(sync.company(), &CUSTOM_REPORTS)
                .await?;
            summary.add(&sync.children(&ReportRows, Parents::all(reports)).await?);
            Ok(summary)
        })
    }
}
