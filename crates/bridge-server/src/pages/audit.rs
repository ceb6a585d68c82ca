//! `/audit-log`: the audit log for operators, newest first, filtered as the API filters it
//! (company, actor, action, time) and paged with the same cursors.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;

use super::{internal, layout};
use crate::api::audit::{page, parse_query};
use crate::session::Operator;
use crate::state::AppState;

pub(crate) async fn show(
    State(state): State<AppState>,
    operator: Operator,
    RawQuery(raw): RawQuery,
) -> Response {
    let query = match parse_query(raw.as_deref()) {
        Ok(query) => query,
        Err((name, detail)) => {
            return (
                StatusCode::BAD_REQUEST,
                super::message("Audit log", &format!("{name}: {detail}")),
            )
                .into_response();
        }
    };
    let filters = query.clone();
    let (entries, next) = match page(&state, query).await {
        Ok(found) => found,
        Err(error) => return internal(&error),
    };
    let next_href = next.map(|cursor| {
        let mut url = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("company", &filters.company),
            ("actor", &filters.actor),
            ("action", &filters.action),
        ] {
            if let Some(value) = value {
                url.append_pair(name, value);
            }
        }
        for (name, value) in [("since", filters.since), ("until", filters.until)] {
            if let Some(value) = value {
                url.append_pair(name, &value.to_rfc3339());
            }
        }
        url.append_pair("cursor", &cursor);
        format!("/audit-log?{}", url.finish())
    });
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    layout(
        "Audit log",
        Some(&operator.csrf),
        None,
        html! {
            h1 { "Audit log" }
            form method="get" action="/audit-log" {
                label.inline { "Company " input type="text" name="company" value=(value(&filters.company)); }
                label.inline { "Actor " input type="text" name="actor" value=(value(&filters.actor)); }
                label.inline { "Action " input type="text" name="action" value=(value(&filters.action)); }
                label.inline { "Since " input type="text" name="since" placeholder="2026-03-01T00:00:00Z" value=(filters.since.map(|t| t.to_rfc3339()).unwrap_or_default()); }
                label.inline { "Until " input type="text" name="until" placeholder="2026-04-01T00:00:00Z" value=(filters.until.map(|t| t.to_rfc3339()).unwrap_or_default()); }
                button.secondary type="submit" { "Filter" }
            }
            @if entries.is_empty() {
                p { "No entries." }
            } @else {
                table {
                    thead { tr { th { "When" } th { "Actor" } th { "Action" } th { "Company" } th { "Record" } th { "Outcome" } th { "Detail" } } }
                    tbody {
                        @for entry in &entries {
                            tr data-action=(entry.action) {
                                td { (entry.at) }
                                td { (entry.actor) }
                                td { (entry.action) }
                                td { (entry.company.clone().unwrap_or_default()) }
                                td { (entry.resource.clone().unwrap_or_default()) " " (entry.record_id.clone().unwrap_or_default()) }
                                td { (entry.outcome.clone().unwrap_or_default()) }
                                td { code { (entry.detail.to_string()) } }
                            }
                        }
                    }
                }
            }
            @if let Some(href) = next_href {
                p { a href=(href) { "Older entries" } }
            }
        },
    )
    .into_response()
}
