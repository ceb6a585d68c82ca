//! "API keys": the operator's view of `personio-bridge api-keys`: every key with its scopes
//! and companies, a form that creates one (shown once, on the page that answers the form),
//! and revoking.

use crate::session::operator_event;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bridge_store::audit_action;
use bridge_store::{ApiKey, Grant, Scope};
use bridge_sync::link::validate_name;
use maud::{Markup, html};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{internal, layout};
use crate::session::{CsrfForm, Operator};
use crate::state::AppState;

/// What the create form sends: scopes are checkboxes, companies a comma-separated list.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct KeyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    companies: String,
    #[serde(default)]
    scope_read: Option<String>,
    #[serde(default)]
    scope_write: Option<String>,
    #[serde(default)]
    scope_link: Option<String>,
    #[serde(default)]
    scope_admin: Option<String>,
}

impl KeyForm {
    fn scopes(&self) -> Vec<Scope> {
        [
            (&self.scope_read, Scope::Read),
            (&self.scope_write, Scope::Write),
            (&self.scope_link, Scope::Link),
            (&self.scope_admin, Scope::Admin),
        ]
        .into_iter()
        .filter(|(ticked, _)| ticked.is_some())
        .map(|(_, scope)| scope)
        .collect()
    }

    /// The key to create, or what is wrong with the form.
    fn grant(&self) -> Result<(String, Grant), String> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err("Give the key a name of 1 to 100 characters.".to_owned());
        }
        let scopes = self.scopes();
        if scopes.is_empty() {
            return Err("Tick at least one scope.".to_owned());
        }
        let mut companies = Vec::new();
        for company in self
            .companies
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            validate_name(company).map_err(|e| e.to_string())?;
            companies.push(company.to_owned());
        }
        Ok((name.to_owned(), Grant { scopes, companies }))
    }
}

pub(crate) async fn show(State(state): State<AppState>, operator: Operator) -> Response {
    render(
        &state,
        &operator,
        &KeyForm::default(),
        None,
        None,
        StatusCode::OK,
    )
    .await
}

pub(crate) async fn create(
    State(state): State<AppState>,
    operator: Operator,
    Form(form): Form<KeyForm>,
) -> Response {
    if let Some(refused) = operator.refusal(&form.csrf) {
        return refused;
    }
    let (name, grant) = match form.grant() {
        Ok(made) => made,
        Err(error) => {
            return render(
                &state,
                &operator,
                &form,
                Some(&error),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match state
        .store
        .create_api_key(&name, &grant, chrono::Utc::now())
        .await
    {
        Ok((key, secret)) => {
            tracing::info!(key = %key.name, "API key created on the operator's page");
            state
                .store
                .audit_or_warn(
                    operator_event(audit_action::API_KEY_CREATED).record(key.name.clone()),
                )
                .await;
            render(
                &state,
                &operator,
                &KeyForm::default(),
                None,
                Some((&key, &secret)),
                StatusCode::OK,
            )
            .await
        }
        Err(bridge_store::Error::DuplicateApiKey(name)) => {
            let error = format!("A key named {name} exists already.");
            render(
                &state,
                &operator,
                &form,
                Some(&error),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => internal(&error),
    }
}

pub(crate) async fn revoke(
    State(state): State<AppState>,
    operator: Operator,
    Path(name): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(refused) = operator.refusal(&form.csrf) {
        return refused;
    }
    match state.store.revoke_api_key(&name, chrono::Utc::now()).await {
        Ok(_) => {
            state
                .store
                .audit_or_warn(operator_event(audit_action::API_KEY_REVOKED).record(name))
                .await;
            Redirect::to("/api-keys").into_response()
        }
        Err(error) => internal(&error),
    }
}

async fn render(
    state: &AppState,
    operator: &Operator,
    form: &KeyForm,
    error: Option<&str>,
    created: Option<(&ApiKey, &SecretString)>,
    status: StatusCode,
) -> Response {
    let keys = match state.store.api_keys().await {
        Ok(keys) => keys,
        Err(error) => return internal(&error),
    };
    let page = layout(
        "API keys",
        Some(&operator.csrf),
        None,
        html! {
            h1 { "API keys" }
            @if let Some((key, secret)) = created {
                section.notice role="status" {
                    p { "Created " strong { (key.name) } ". Copy the key now: it is shown only once." }
                    p { code #new-key { (secret.expose_secret()) } }
                }
            }
            (list(&keys, &operator.csrf))
            (create_form(form, error, &operator.csrf))
        },
    );
    (status, page).into_response()
}

fn list(keys: &[ApiKey], csrf: &str) -> Markup {
    html! {
        section {
            @if keys.is_empty() {
                p { "No API keys yet." }
            } @else {
                table {
                    thead { tr { th { "Name" } th { "Key" } th { "Scopes" } th { "Companies" } th { "Last used" } th { "" } } }
                    tbody {
                        @for key in keys {
                            tr data-key=(key.name) {
                                td { (key.name) }
                                td { code { (key.prefix) "…" } }
                                td { (key.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")) }
                                td { @if key.companies.is_empty() { "every company" } @else { (key.companies.join(", ")) } }
                                td { @match key.last_used_at { Some(at) => (at.format("%Y-%m-%d %H:%M")), None => "never" } }
                                td {
                                    @match key.revoked_at {
                                        Some(at) => { "revoked " (at.format("%Y-%m-%d")) }
                                        None => form method="post" action={ "/api-keys/" (key.name) "/revoke" } {
                                            input type="hidden" name="csrf" value=(csrf);
                                            button.secondary type="submit" { "Revoke" }
                                        },
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn create_form(form: &KeyForm, error: Option<&str>, csrf: &str) -> Markup {
    let ticked = |value: &Option<String>| value.is_some();
    html! {
        section {
            h2 { "Create a key" }
            @if let Some(error) = error {
                p.error role="alert" { (error) }
            }
            form method="post" action="/api-keys" {
                input type="hidden" name="csrf" value=(csrf);
                label for="name" { "Name" }
                input #name type="text" name="name" value=(form.name) required;
                fieldset {
                    legend { "Scopes" }
                    label { input type="checkbox" name="scope_read" value="on" checked[ticked(&form.scope_read)]; " read: companies, records, change events" }
                    label { input type="checkbox" name="scope_write" value="on" checked[ticked(&form.scope_write)]; " write: writes to Personio" }
                    label { input type="checkbox" name="scope_link" value="on" checked[ticked(&form.scope_link)]; " link: link sessions for customers" }
                    label { input type="checkbox" name="scope_admin" value="on" checked[ticked(&form.scope_admin)]; " admin: everything" }
                }
                label for="companies" { "Companies (comma-separated; empty: every company)" }
                input #companies type="text" name="companies" value=(form.companies);
                p { button type="submit" { "Create key" } }
            }
        }
    }
}
