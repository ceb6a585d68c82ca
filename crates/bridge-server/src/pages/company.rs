//! A company's page: a sync under way (the page refreshes itself until it ends), record
//! counts, the last syncs with their errors, what the credential is missing and how to fix
//! it, a broken connection, and the operator's actions: sync now, edit filters and
//! settings, disconnect.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use bridge_store::Company;
use maud::{Markup, html};
use serde::Deserialize;

use super::connect::{ConnectForm, filter_fields};
use super::{internal, layout, not_found};
use crate::session::{CsrfForm, Operator};
use crate::state::AppState;

/// Seconds between refreshes while a sync runs.
const REFRESH_SECONDS: u32 = 2;

async fn find(state: &AppState, name: &str) -> Result<Company, Response> {
    match state.store.find_company(name).await {
        Ok(Some(company)) => Ok(company),
        Ok(None) => Err(not_found().await),
        Err(error) => Err(internal(&error)),
    }
}

pub(crate) async fn show(
    State(state): State<AppState>,
    operator: Operator,
    Path(name): Path<String>,
) -> Response {
    let company = match find(&state, &name).await {
        Ok(company) => company,
        Err(response) => return response,
    };
    match render(&state, &operator, &company).await {
        Ok(page) => page.into_response(),
        Err(error) => internal(&error),
    }
}

async fn render(
    state: &AppState,
    operator: &Operator,
    company: &Company,
) -> Result<Html<String>, bridge_store::Error> {
    let counts = state.store.counts(company.id).await?;
    let runs = state.store.runs(company.id, 10).await?;
    let live = state.syncs.live(company.id);
    let filters = ConnectForm {
        legal_entities: company.filters.legal_entities.join(", "),
        offices: company.filters.offices.join(", "),
        departments: company.filters.departments.join(", "),
        status_active: tick(company, "active"),
        status_onboarding: tick(company, "onboarding"),
        status_leave: tick(company, "leave"),
        status_inactive: tick(company, "inactive"),
        ..ConnectForm::default()
    };
    let action = |path: &str| format!("/companies/{}/{path}", company.name);
    Ok(layout(
        &company.name,
        Some(&operator.csrf),
        live.as_ref().map(|_| REFRESH_SECONDS),
        html! {
            h1 { (company.name) }
            p.hint { (company.base_url) " · client ID " code { (company.client_id) }
                @if !company.connected { " · " strong.bad { "disconnected" } } }
            @if let Some(live) = &live {
                section #progress {
                    h2 { "Syncing…" }
                    p { "Started " (live.started_at.format("%H:%M:%S UTC")) "; "
                        (live.finished.len()) " of " (live.resources.len().max(1)) " resources done. This page refreshes itself." }
                    ul { @for (resource, fetched) in &live.fetched { li { (resource) ": " (fetched) " read" } } }
                }
            }
            (connection(company))
            (missing(company))
            section {
                h2 { "Records" }
                table #counts {
                    thead { tr { th { "Table" } th { "Live" } th { "Deleted in Personio" } th { "Outside the filters" } } }
                    tbody {
                        @for count in &counts {
                            tr data-table=(count.table) { td { (count.table) } td.live { (count.live) } td { (count.deleted) } td { (count.out_of_filter) } }
                        }
                    }
                }
            }
            section {
                h2 { "Last syncs" }
                @if runs.is_empty() { p { "None yet." } } @else {
                    table #runs {
                        thead { tr { th { "Started" } th { "Mode" } th { "Outcome" } th { "Requests" } th { "Errors" } } }
                        tbody {
                            @for run in &runs {
                                tr {
                                    td { (run.started_at.format("%Y-%m-%d %H:%M:%S")) }
                                    td { (run.mode) }
                                    td.outcome { (run.outcome.as_str()) }
                                    td { (run.requests) }
                                    td { (run_errors(run)) }
                                }
                            }
                        }
                    }
                }
                @if company.connected {
                    form method="post" action=(action("sync") ) {
                        input type="hidden" name="csrf" value=(operator.csrf);
                        button #sync-now type="submit" { "Sync now" }
                    }
                }
            }
            section {
                h2 { "Filters" }
                form method="post" action=(action("filters")) {
                    input type="hidden" name="csrf" value=(operator.csrf);
                    (filter_fields(&filters))
                    p { button.secondary type="submit" { "Save filters" } }
                }
                p.hint { "Changed filters apply from the next sync." }
            }
            (super::settings::section(company, &operator.csrf))
            section {
                h2 { "Disconnect" }
                p { "Disconnecting deletes the stored credentials. The synced records stay unless you tick the box." }
                form method="post" action=(action("disconnect")) {
                    input type="hidden" name="csrf" value=(operator.csrf);
                    label.inline { input type="checkbox" name="delete_data" value="on"; " also delete every synced record of this company" }
                    p { button.danger type="submit" { "Disconnect" } }
                }
            }
        },
    ))
}

fn tick(company: &Company, status: &str) -> Option<String> {
    company
        .filters
        .statuses
        .iter()
        .any(|s| s == status)
        .then(|| "on".to_owned())
}

/// A run's error, or the errors of its resources.
fn run_errors(run: &bridge_store::Run) -> String {
    let mut errors: Vec<String> = run.error.iter().cloned().collect();
    if let Some(resources) = run.summary.get("resources").and_then(|r| r.as_object()) {
        for (name, resource) in resources {
            if let Some(error) = resource.get("error").and_then(|e| e.as_str()) {
                errors.push(format!("{name}: {error}"));
            }
            if let Some(reason) = resource.get("skipped").and_then(|e| e.as_str()) {
                errors.push(format!("{name} skipped: {reason}"));
            }
        }
    }
    errors.join("; ")
}

/// A broken connection: why, since when, and how to link the company again.
fn connection(company: &Company) -> Markup {
    let connection = &company.connection;
    html! {
        @if connection.is_broken() {
            section.error #connection {
                h2 { "Connection broken" }
                p { "Since " (connection.since.format("%Y-%m-%d %H:%M UTC")) ", Personio refuses the stored credential: "
                    (connection.reason.as_deref().unwrap_or("no reason given")) }
                p { "Scheduled syncs are paused. Link the company again on the "
                    a href="/connect" { "Connect" } " page under the same name (" code { (company.name) }
                    ") with working credentials: its records stay." }
            }
        }
    }
}

/// What the credential lacks, from the report stored at connect, with the fixes.
fn missing(company: &Company) -> Markup {
    let granted = &company.granted;
    let list = |key: &str| {
        granted
            .get(key)
            .and_then(|v| v.as_array())
            .cloned()
            .unwrap_or_default()
    };
    let areas: Vec<(String, String)> = list("areas")
        .iter()
        .filter(|a| a["needed"] == true && a["read"] == false)
        .map(|a| {
            (
                a["area"].as_str().unwrap_or_default().to_owned(),
                a["fix"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let attributes: Vec<String> = list("attributes")
        .iter()
        .filter(|a| a["readable"] == false)
        .filter_map(|a| a["fix"].as_str().map(str::to_owned))
        .collect();
    html! {
        @if !areas.is_empty() || !attributes.is_empty() {
            section.error #missing {
                h2 { "Missing permissions" }
                p { "The credential cannot read everything the sync needs. To fix it:" }
                ul {
                    @for (area, fix) in &areas { li { strong { (area) } ": " (fix) } }
                    @for fix in &attributes { li { (fix) } }
                }
                p.hint { "Then sync again: nothing else needs changing here." }
            }
        }
    }
}

pub(crate) async fn sync_now(
    State(state): State<AppState>,
    operator: Operator,
    Path(name): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(refused) = operator.refusal(&form.csrf) {
        return refused;
    }
    let company = match find(&state, &name).await {
        Ok(company) => company,
        Err(response) => return response,
    };
    // A sync already under way finishes first; this one follows it.
    if let Err(error) = state.syncs.start(company.id).await {
        return internal(&error);
    }
    Redirect::to(&format!("/companies/{name}")).into_response()
}

#[derive(Deserialize)]
pub(crate) struct FiltersForm {
    csrf: String,
    #[serde(flatten)]
    filters: ConnectForm,
}

pub(crate) async fn save_filters(
    State(state): State<AppState>,
    operator: Operator,
    Path(name): Path<String>,
    Form(form): Form<FiltersForm>,
) -> Response {
    if let Some(refused) = operator.refusal(&form.csrf) {
        return refused;
    }
    let company = match find(&state, &name).await {
        Ok(company) => company,
        Err(response) => return response,
    };
    if let Err(error) = state
        .store
        .set_filters(company.id, &form.filters.filters(), chrono::Utc::now())
        .await
    {
        return internal(&error);
    }
    Redirect::to(&format!("/companies/{name}")).into_response()
}

#[derive(Deserialize)]
pub(crate) struct DisconnectForm {
    csrf: String,
    delete_data: Option<String>,
}

pub(crate) async fn disconnect(
    State(state): State<AppState>,
    operator: Operator,
    Path(name): Path<String>,
    Form(form): Form<DisconnectForm>,
) -> Response {
    if let Some(refused) = operator.refusal(&form.csrf) {
        return refused;
    }
    let company = match find(&state, &name).await {
        Ok(company) => company,
        Err(response) => return response,
    };
    // Personio stops notifying a service that no longer listens (best effort: the
    // credentials may already be revoked).
    if let Ok(client) = bridge_sync::link::client_for(&state.store, &company).await
        && let Err(error) =
            bridge_sync::personio_webhooks::unregister(&state.store, &client, &company).await
    {
        tracing::warn!(company = %company.name, %error, "could not remove the Personio webhook");
    }
    let result = if form.delete_data.is_some() {
        state.store.remove_company(&company.name).await
    } else {
        state
            .store
            .disconnect_company(company.id, chrono::Utc::now())
            .await
    };
    match result {
        Ok(()) if form.delete_data.is_some() => Redirect::to("/").into_response(),
        Ok(()) => Redirect::to(&format!("/companies/{name}")).into_response(),
        Err(error) => internal(&error),
    }
}
