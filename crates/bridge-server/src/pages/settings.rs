//! The settings section of a company's page: which resources scheduled syncs read, through
//! which API, how often, and how often they read everything again. The form is checked
//! exactly as `PATCH /api/v1/companies/{company}/settings` checks its body.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bridge_store::{APIS, Company, FULL_RECONCILE_DAYS, RETENTION_DAYS, SYNC_INTERVAL_MINUTES};
use bridge_sync::ResourceName;
use maud::{Markup, html};
use serde_json::{Map, Value, json};

use super::internal;
use crate::api::settings::patch;
use crate::session::Operator;
use crate::state::AppState;

/// The form, filled with the company's settings.
pub(crate) fn section(company: &Company, csrf: &str) -> Markup {
    let settings = &company.settings;
    let chosen = |r: &ResourceName| {
        if settings.resources.is_empty() {
            ResourceName::DEFAULT.contains(r)
        } else {
            settings.resources.iter().any(|s| s == r.as_str())
        }
    };
    html! {
        section #settings {
            h2 { "Settings" }
            form method="post" action=(format!("/companies/{}/settings", company.name)) {
                input type="hidden" name="csrf" value=(csrf);
                fieldset {
                    legend { "Resources" }
                    @for resource in ResourceName::ALL {
                        label.inline { input type="checkbox" name="resources" value=(resource.as_str()) checked[chosen(resource)]; " " (resource.as_str()) }
                    }
                }
                label { "API"
                    select name="api" {
                        @for api in APIS { option value=(api) selected[settings.api == api] { (api) } }
                    }
                }
                label { "Minutes between syncs (" (SYNC_INTERVAL_MINUTES.start()) " to " (SYNC_INTERVAL_MINUTES.end()) "; empty: the service's default)"
                    input type="number" name="sync_interval_minutes" min=(SYNC_INTERVAL_MINUTES.start()) max=(SYNC_INTERVAL_MINUTES.end())
                        value=[settings.sync_interval_minutes];
                }
                label { "Days between full reconciliations (" (FULL_RECONCILE_DAYS.start()) " to " (FULL_RECONCILE_DAYS.end()) ")"
                    input type="number" name="full_reconcile_days" min=(FULL_RECONCILE_DAYS.start()) max=(FULL_RECONCILE_DAYS.end())
                        value=(settings.full_reconcile_days);
                }
                label { "Days to keep records deleted in Personio or outside the filters (" (RETENTION_DAYS.start()) " to " (RETENTION_DAYS.end()) "; empty: keep them)"
                    input type="number" name="retention_days" min=(RETENTION_DAYS.start()) max=(RETENTION_DAYS.end())
                        value=[settings.retention_days];
                }
                p { button.secondary type="submit" { "Save settings" } }
            }
            p.hint { "Settings apply from the next sync. A full reconciliation reads everything again and finds what incremental syncs cannot see, such as deletions older than their windows." }
        }
    }
}

/// `POST /companies/{name}/settings`.
pub(crate) async fn save(
    State(state): State<AppState>,
    operator: Operator,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let mut csrf = String::new();
    let mut resources: Vec<Value> = Vec::new();
    let mut changes = Map::new();
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "csrf" => csrf = value.into_owned(),
            "resources" => resources.push(json!(value)),
            "api" => {
                changes.insert("api".into(), json!(value));
            }
            "sync_interval_minutes" | "full_reconcile_days" | "retention_days" => {
                let number = if value.trim().is_empty() {
                    Value::Null
                } else {
                    // Text that is no number is refused by the same check as a wrong number.
                    value
                        .trim()
                        .parse::<i64>()
                        .map_or(json!(value), |n| json!(n))
                };
                changes.insert(key.into_owned(), number);
            }
            _ => {}
        }
    }
    if let Some(refused) = operator.refusal(&csrf) {
        return refused;
    }
    changes.insert("resources".into(), Value::Array(resources));
    let company = match state.store.find_company(&name).await {
        Ok(Some(company)) => company,
        Ok(None) => return super::not_found().await,
        Err(error) => return internal(&error),
    };
    let settings = match patch(company.settings.clone(), &changes) {
        Ok(settings) => settings,
        Err((field, detail)) => return refused(&name, &field, &detail),
    };
    match state
        .store
        .set_company_settings(company.id, &settings, chrono::Utc::now())
        .await
    {
        Ok(()) => {
            state
                .store
                .audit_or_warn(
                    crate::session::operator_event(bridge_store::audit_action::SETTINGS_CHANGED)
                        .company(name.clone())
                        .detail(json!({ "changed": changes.keys().collect::<Vec<_>>() })),
                )
                .await;
            Redirect::to(&format!("/companies/{name}")).into_response()
        }
        Err(bridge_store::Error::InvalidSetting { field, detail }) => {
            refused(&name, field, &detail)
        }
        Err(error) => internal(&error),
    }
}

fn refused(name: &str, field: &str, detail: &str) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        super::message(
            "Settings not saved",
            &format!("{field}: {detail}. Go back to /companies/{name} and correct it."),
        ),
    )
        .into_response()
}
