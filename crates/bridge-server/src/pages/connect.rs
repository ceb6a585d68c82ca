//! "Connect Personio": the steps in Personio's UI, then a form that checks the credentials
//! live (exactly as the `connect` command does, through `bridge_sync::link`) and, when they
//! work, stores them and starts the first sync. On failure the form comes back with what was
//! typed, except the secrets, and with what to do.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bridge_store::audit_action;
use bridge_store::{Company, Filters};
use bridge_sync::doctor::{ATTRIBUTES, CREDENTIALS_PATH, area_guide};
use bridge_sync::link::{self, Link, LinkError, PERSONIO_BASE_URL, STATUSES};
use bridge_sync::personio_webhooks;
use maud::{Markup, html};
use secrecy::SecretString;
use serde::Deserialize;

use super::layout;
use crate::session::Operator;
use crate::state::AppState;

/// What the form sends. Filters are comma-separated names or ids; statuses are checkboxes.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ConnectForm {
    #[serde(default)]
    pub(crate) csrf: String,
    #[serde(default)]
    pub(crate) company: String,
    #[serde(default)]
    pub(crate) base_url: String,
    #[serde(default)]
    pub(crate) client_id: String,
    #[serde(default)]
    pub(crate) client_secret: String,
    #[serde(default)]
    pub(crate) recruiting_token: String,
    #[serde(default)]
    pub(crate) company_id: String,
    #[serde(default)]
    pub(crate) legal_entities: String,
    #[serde(default)]
    pub(crate) offices: String,
    #[serde(default)]
    pub(crate) departments: String,
    #[serde(default)]
    pub(crate) status_active: Option<String>,
    #[serde(default)]
    pub(crate) status_onboarding: Option<String>,
    #[serde(default)]
    pub(crate) status_leave: Option<String>,
    #[serde(default)]
    pub(crate) status_inactive: Option<String>,
}

impl ConnectForm {
    pub(crate) fn statuses(&self) -> Vec<String> {
        [
            (&self.status_active, "active"),
            (&self.status_onboarding, "onboarding"),
            (&self.status_leave, "leave"),
            (&self.status_inactive, "inactive"),
        ]
        .iter()
        .filter(|(ticked, _)| ticked.is_some())
        .map(|(_, status)| (*status).to_owned())
        .collect()
    }

    fn ticked(&self, status: &str) -> bool {
        self.statuses().iter().any(|s| s == status)
    }

    pub(crate) fn filters(&self) -> Filters {
        Filters {
            legal_entities: split_list(&self.legal_entities),
            statuses: self.statuses(),
            offices: split_list(&self.offices),
            departments: split_list(&self.departments),
        }
    }
}

/// `a, b ,c` → `["a", "b", "c"]`.
pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(crate) async fn show(operator: Operator) -> Response {
    let form = ConnectForm {
        base_url: PERSONIO_BASE_URL.to_owned(),
        ..ConnectForm::default()
    };
    page(&operator, &form, None).into_response()
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    operator: Operator,
    Form(form): Form<ConnectForm>,
) -> Response {
    if let Some(refused) = operator.refusal(&form.csrf) {
        return refused;
    }
    let mut link = match read(&form) {
        Ok(link) => link,
        Err(error) => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                page(&operator, &form, Some(&error)),
            )
                .into_response();
        }
    };
    // Linking a company again replaces its credentials and keeps its data, when it needs
    // it (broken or disconnected); a healthy company is never overwritten from here.
    match state.store.find_company(&link.company).await {
        Ok(Some(existing)) => link.replace = existing.connection.is_broken() || !existing.connected,
        Ok(None) => {}
        Err(error) => return super::internal(&error),
    }
    let action = if link.replace {
        audit_action::COMPANY_RELINKED
    } else {
        audit_action::COMPANY_LINKED
    };
    match link::connect(&state.store, link).await {
        Ok((company, report)) => {
            state
                .store
                .audit_or_warn(crate::session::operator_event(action).company(company.name.clone()))
                .await;
            if let Err(error) = after_link(&state, &company, &report).await {
                return super::internal(&error);
            }
            Redirect::to(&format!("/companies/{}", company.name)).into_response()
        }
        Err(LinkError::Store(error)) => super::internal(&error),
        Err(error) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&operator, &form, Some(&error)),
        )
            .into_response(),
    }
}

/// What follows a new link, however it was made: Personio's webhook registered when it can
/// reach the service, and the first sync started.
pub(crate) async fn after_link(
    state: &AppState,
    company: &Company,
    report: &bridge_sync::doctor::Report,
) -> Result<(), bridge_sync::Error> {
    if let Some(public_url) = &state.config.public_url
        && personio_webhooks::may_register(report)
        && reachable_from(public_url, &company.base_url)
    {
        register_webhook(state, company, public_url).await;
    }
    state.syncs.start(company.id).await
}

/// The form as a link, checked as the command line checks its flags.
fn read(form: &ConnectForm) -> Result<Link, LinkError> {
    link::validate_name(form.company.trim())?;
    let base_url = link::parse_base_url(if form.base_url.trim().is_empty() {
        PERSONIO_BASE_URL
    } else {
        &form.base_url
    })?;
    if form.client_id.trim().is_empty() {
        return Err(LinkError::NoClientId);
    }
    let recruiting = match (form.recruiting_token.trim(), form.company_id.trim()) {
        ("", _) => None,
        (token, id) => Some((
            SecretString::from(token.to_owned()),
            id.parse::<i64>()
                .map_err(|_| LinkError::BadRecruiting(id.to_owned()))?,
        )),
    };
    Ok(Link {
        company: form.company.trim().to_owned(),
        base_url,
        client_id: form.client_id.trim().to_owned(),
        client_secret: SecretString::from(form.client_secret.trim().to_owned()),
        recruiting,
        filters: form.filters(),
        replace: false,
    })
}

fn page(
    operator: &Operator,
    form: &ConnectForm,
    error: Option<&LinkError>,
) -> axum::response::Html<String> {
    layout(
        "Connect Personio",
        Some(&operator.csrf),
        None,
        html! {
            h1 { "Connect Personio" }
            (steps())
            @if let Some(error) = error {
                section.error role="alert" {
                    h2 { "Not connected" }
                    p #connect-error { (error) }
                    @if let Some(hint) = error.hint() {
                        p { strong { "What to do: " } (hint) }
                    }
                }
            }
            section {
                h2 { "2. Enter the credential" }
                form method="post" action="/connect" {
                    input type="hidden" name="csrf" value=(operator.csrf);
                    label for="company" { "Company name in Personio Bridge" }
                    input #company type="text" name="company" value=(form.company) required pattern="[A-Za-z0-9_-]{1,64}";
                    p.hint { "Letters, digits, - or _; it appears in addresses such as /api/v1/companies/NAME." }
                    label for="base_url" { "API base URL" }
                    input #base_url type="url" name="base_url" value=(form.base_url) required;
                    label for="client_id" { "Client ID" }
                    input #client_id type="text" name="client_id" value=(form.client_id) required autocomplete="off";
                    label for="client_secret" { "Client secret" }
                    input #client_secret type="password" name="client_secret" required autocomplete="off";
                    p.hint { "Stored encrypted; never shown again." }
                    div.row {
                        div {
                            label for="recruiting_token" { "Recruiting API token (optional)" }
                            input #recruiting_token type="password" name="recruiting_token" autocomplete="off";
                        }
                        div {
                            label for="company_id" { "Personio company ID (with the token)" }
                            input #company_id type="text" name="company_id" value=(form.company_id) inputmode="numeric";
                        }
                    }
                    h2 { "3. Choose whom to sync (optional)" }
                    p.hint { "Empty means everyone. Names or Personio ids, separated by commas." }
                    (filter_fields(form))
                    p { button #connect type="submit" { "Connect and sync" } }
                }
            }
        },
    )
}

/// The filter inputs, shared with the company page's "Edit filters".
pub(crate) fn filter_fields(form: &ConnectForm) -> Markup {
    html! {
        div.row {
            div { label for="legal_entities" { "Legal entities" } input #legal_entities type="text" name="legal_entities" value=(form.legal_entities); }
            div { label for="offices" { "Offices" } input #offices type="text" name="offices" value=(form.offices); }
            div { label for="departments" { "Departments" } input #departments type="text" name="departments" value=(form.departments); }
        }
        fieldset {
            legend { "Statuses" }
            @for status in STATUSES {
                label.inline {
                    input type="checkbox" name={ "status_" (status) } value="on" checked[form.ticked(status)];
                    " " (status) " "
                }
            }
        }
    }
}

/// Where to click in Personio, what to tick, and which attributes to allow.
fn steps() -> Markup {
    html! {
        section {
            h2 { "1. Create the credential in Personio" }
            ol.steps {
                li { "In Personio, open " strong { (CREDENTIALS_PATH) } " and choose " strong { "Create custom integration" } "." }
                li { "Name it (for example \"Personio Bridge\")." }
                li { "Under access, give " strong { "Read" } " to these areas (Write is never needed):" }
            }
            table {
                thead { tr { th { "Area" } th { "The sync reads" } th { "" } } }
                tbody {
                    @for (area, used_for, needed) in area_guide() {
                        tr { td { (area) } td { (used_for) } td { @if needed { "needed" } @else { "optional" } } }
                    }
                }
            }
            ol.steps start="4" {
                li { "Under readable employee attributes, add these (and any custom attributes you want):" }
            }
            p.hint { @for (i, (_, label)) in ATTRIBUTES.iter().enumerate() { @if i > 0 { ", " } (label) } }
            ol.steps start="5" {
                li { "Save: Personio shows the client ID and the client secret once. Copy both into the form below." }
            }
        }
    }
}

/// Registers the service with the company's Personio for change notifications. A failure
/// is logged, not shown as a failed link: the scheduled syncs still bring every change.
async fn register_webhook(state: &AppState, company: &Company, public_url: &url::Url) {
    let registered = match link::client_for(&state.store, company).await {
        Ok(client) => personio_webhooks::register(&state.store, &client, company, public_url)
            .await
            .map_err(|e| e.to_string()),
        Err(error) => Err(error.to_string()),
    };
    match registered {
        Ok(webhook) => {
            tracing::info!(company = %company.name, url = %webhook.url, "Personio webhook registered")
        }
        Err(error) => {
            tracing::warn!(company = %company.name, %error, "could not register the Personio webhook")
        }
    }
}

/// Whether Personio at `base_url` could reach the service at `public_url`: a loopback
/// address serves only a Personio on the same machine (the sandbox); a remote Personio needs
/// `--public-url`.
fn reachable_from(public_url: &url::Url, base_url: &str) -> bool {
    let loopback = |url: &url::Url| match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    let personio_is_local = url::Url::parse(base_url).is_ok_and(|url| loopback(&url));
    let reachable = !loopback(public_url) || personio_is_local;
    if !reachable {
        tracing::info!(
            "not registering Personio webhooks: this service's address is loopback; start serve with --public-url"
        );
    }
    reachable
}

#[cfg(test)]
mod tests {
    use super::reachable_from;

    #[test]
    fn a_loopback_service_registers_only_with_a_local_personio() {
        let local = url::Url::parse("http://127.0.0.1:8080").unwrap();
        let public = url::Url::parse("https://bridge.example.com").unwrap();
        assert!(reachable_from(&local, "http://127.0.0.1:4010"));
        assert!(reachable_from(&local, "http://localhost:4010"));
        assert!(!reachable_from(&local, "https://api.personio.de"));
        assert!(reachable_from(&public, "https://api.personio.de"));
    }
}
