//! Settings > Integrations > API credentials: the list (with revoke and regenerate secret),
//! the recruiting token and company ID, "Create custom integration", and the page that shows
//! a client ID with its secret, the one time the secret is ever shown.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use maud::{Markup, html};

use super::form::Fields;
use super::session::SignedIn;
use super::{BASE, error_page, layout};
use crate::company::STANDARD_ATTRIBUTES;
use crate::credentials::{
    Access, AccessMap, Area, CredentialSpec, CredentialView, ReadableAttributes,
};
use crate::state::AppState;

/// Longest name a custom integration may have. Personio does not document its limit; this
/// keeps the list readable.
const MAX_NAME_CHARS: usize = 100;

pub(crate) async fn list(signed_in: SignedIn, State(app): State<AppState>) -> Response {
    let credentials = app.registry.list();
    let revoked = app.registry.revoked();
    let recruiting = app.registry.recruiting();
    let body = html! {
        nav.crumbs { "Settings › Integrations › API credentials" }
        section {
            h1 { "API credentials" }
            p.hint { "Credentials let other systems use this company's data through the Personio API." }
            p { a.button #create href="/_sandbox/admin/credentials/new" { "Create custom integration" } }
            table #credentials {
                thead { tr {
                    th { "Name" } th { "Client ID" } th { "Access" } th { "Readable attributes" }
                    th { "Created" } th { "Revoked" } th { "" }
                } }
                tbody {
                    @for view in &credentials {
                        tr data-client-id=(view.client_id) {
                            td { (view.name) }
                            td { code { (view.client_id) } }
                            td { (access_summary(&view.access)) }
                            td { (attributes_summary(&view.readable_attributes)) }
                            td { (when(view.created_at)) }
                            td { "—" }
                            td {
                                (action("/_sandbox/admin/credentials/secret", &signed_in.csrf, &view.client_id, "secondary", "Regenerate secret"))
                                (action("/_sandbox/admin/credentials/revoke", &signed_in.csrf, &view.client_id, "danger", "Revoke"))
                            }
                        }
                    }
                    @for gone in &revoked {
                        tr.revoked data-client-id=(gone.view.client_id) {
                            td { (gone.view.name) }
                            td { code { (gone.view.client_id) } }
                            td { (access_summary(&gone.view.access)) }
                            td { (attributes_summary(&gone.view.readable_attributes)) }
                            td { (when(gone.view.created_at)) }
                            td { (when(gone.revoked_at)) }
                            td {}
                        }
                    }
                    @if credentials.is_empty() && revoked.is_empty() {
                        tr { td colspan="7" { "No credentials yet." } }
                    }
                }
            }
        }
        section #recruiting {
            h2 { "Recruiting API" }
            @if let Some(key) = recruiting {
                p.hint { "Applications are sent with this token and the company ID in the X-Company-ID header." }
                dl.secrets {
                    dt { "Access token" }
                    dd { code #recruiting-token { (key.token) } " " (copy_button("recruiting-token")) }
                    dt { "Company ID" }
                    dd { code #company-id { (key.company_id) } " " (copy_button("company-id")) }
                }
            } @else {
                p { "No recruiting token is configured." }
            }
        }
    };
    layout("API credentials", Some(&signed_in.csrf), body).into_response()
}

pub(crate) async fn new_form(signed_in: SignedIn, State(app): State<AppState>) -> Response {
    let catalogue = attribute_catalogue(&app);
    let body = html! {
        nav.crumbs { "Settings › Integrations › API credentials › Create custom integration" }
        section {
            h1 { "Create custom integration" }
            form method="post" action="/_sandbox/admin/credentials" {
                input type="hidden" name="csrf" value=(signed_in.csrf);
                label for="name" { "Name" }
                input #name type="text" name="name" required maxlength=(MAX_NAME_CHARS);
                h2 { "Access" }
                p.hint { "What the integration may read or change, per area. Write includes read." }
                table #access {
                    thead { tr { th { "Area" } th { "No access" } th { "Read" } th { "Read and write" } } }
                    tbody {
                        @for area in Area::ALL {
                            tr {
                                td { (area.label()) }
                                @for (value, label) in [("none", "No access"), ("read", "Read"), ("write", "Read and write")] {
                                    td {
                                        input type="radio" name={ "access_" (area.key()) } value=(value)
                                            id={ "access_" (area.key()) "_" (value) }
                                            aria-label={ (area.label()) ": " (label) }
                                            checked[value == "none"];
                                    }
                                }
                            }
                        }
                    }
                }
                h2 { "Readable employee attributes" }
                p.hint { "Attributes not ticked are left out of every employee the integration reads." }
                label.inline {
                    input #all_attributes type="checkbox" name="all_attributes" value="on";
                    " Every attribute, including ones added later"
                }
                fieldset.attributes #attributes {
                    legend { "Attributes" }
                    @for (key, label) in &catalogue {
                        label {
                            input type="checkbox" name="attribute" value=(key) id={ "attribute_" (key) };
                            " " (label)
                        }
                    }
                }
                p { button #create-credential type="submit" { "Create" } }
            }
        }
    };
    layout("Create custom integration", Some(&signed_in.csrf), body).into_response()
}

pub(crate) async fn create(
    signed_in: SignedIn,
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let fields = match signed_in.read_form(&headers, body) {
        Ok(fields) => fields,
        Err(problem) => return problem.into_response(),
    };
    let spec = match read_spec(&app, &fields) {
        Ok(spec) => spec,
        Err(problem) => {
            return error_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Credential not created",
                &problem,
            );
        }
    };
    match app.registry.create(spec, app.clock.now()) {
        Ok((view, secret)) => secret_page(
            &signed_in,
            StatusCode::CREATED,
            "Credential created",
            &view,
            &secret,
        ),
        Err(problem) => error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Credential not created",
            &problem,
        ),
    }
}

pub(crate) async fn revoke(
    signed_in: SignedIn,
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let fields = match signed_in.read_form(&headers, body) {
        Ok(fields) => fields,
        Err(problem) => return problem.into_response(),
    };
    let client_id = fields.one("client_id");
    if app.registry.revoke(client_id, app.clock.now()) {
        Redirect::to(BASE).into_response()
    } else {
        no_such_credential()
    }
}

pub(crate) async fn regenerate(
    signed_in: SignedIn,
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let fields = match signed_in.read_form(&headers, body) {
        Ok(fields) => fields,
        Err(problem) => return problem.into_response(),
    };
    let client_id = fields.one("client_id");
    let Some(view) = app
        .registry
        .list()
        .into_iter()
        .find(|v| v.client_id == client_id)
    else {
        return no_such_credential();
    };
    match app.registry.regenerate_secret(client_id) {
        Some(secret) => secret_page(&signed_in, StatusCode::OK, "New secret", &view, &secret),
        // Revoked between the two calls.
        None => no_such_credential(),
    }
}

fn no_such_credential() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "No such credential",
        "There is no credential with this client ID; it may have been revoked.",
    )
}

/// The form as a credential, or what is wrong with it.
fn read_spec(app: &AppState, fields: &Fields) -> Result<CredentialSpec, String> {
    let name = fields.one("name").trim();
    if name.is_empty() {
        return Err("Give the integration a name.".into());
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(format!(
            "The name must be at most {MAX_NAME_CHARS} characters, without control characters."
        ));
    }
    let mut access = AccessMap::default();
    for area in Area::ALL {
        let level = match fields.one(&format!("access_{}", area.key())) {
            "" | "none" => Access::None,
            "read" => Access::Read,
            "write" => Access::Write,
            other => {
                return Err(format!(
                    "Access to {} must be none, read or write, not {other:?}.",
                    area.label()
                ));
            }
        };
        if level != Access::None {
            access.0.insert(area, level);
        }
    }
    let readable_attributes = if fields.one("all_attributes") == "on" {
        ReadableAttributes::All
    } else {
        let catalogue = attribute_catalogue(app);
        let mut keys = std::collections::BTreeSet::new();
        for key in fields.all("attribute") {
            if !catalogue.iter().any(|(known, _)| known == key) {
                return Err(format!("There is no employee attribute {key:?}."));
            }
            keys.insert(key.to_owned());
        }
        ReadableAttributes::Only(keys)
    };
    Ok(CredentialSpec {
        name: name.to_owned(),
        access,
        readable_attributes,
        client_id: None,
        client_secret: None,
    })
}

/// Every attribute a credential can be allowed to read: the standard ones, then the
/// company's custom ones (key, label).
fn attribute_catalogue(app: &AppState) -> Vec<(String, String)> {
    let company = app.company.read();
    STANDARD_ATTRIBUTES
        .iter()
        .map(|a| (a.key.to_owned(), a.label.to_owned()))
        .chain(
            company
                .custom_attributes
                .iter()
                .map(|a| (a.key.clone(), a.label.to_owned())),
        )
        .collect()
}

/// The client ID and a secret, shown this once.
fn secret_page(
    signed_in: &SignedIn,
    status: StatusCode,
    title: &str,
    view: &CredentialView,
    secret: &str,
) -> Response {
    let body = html! {
        nav.crumbs { "Settings › Integrations › API credentials" }
        section {
            h1 { (title) }
            p { "Integration: " strong #credential-name { (view.name) } }
            p.warning #secret-warning role="alert" {
                strong { "Copy the client secret now." }
                " It will not be shown again: if it is lost, regenerate it (which ends the old one)."
            }
            dl.secrets {
                dt { "Client ID" }
                dd { code #client-id { (view.client_id) } " " (copy_button("client-id")) }
                dt { "Client secret" }
                dd { code #client-secret { (secret) } " " (copy_button("client-secret")) }
            }
            p { a.button #done href=(BASE) { "Done" } }
        }
    };
    (status, layout(title, Some(&signed_in.csrf), body)).into_response()
}

/// A button that copies an element's text; hidden until the page's script shows it.
fn copy_button(target: &str) -> Markup {
    html! { button.secondary type="button" data-copy=(target) hidden { "Copy" } }
}

/// A one-button form acting on a credential.
fn action(path: &str, csrf: &str, client_id: &str, class: &str, label: &str) -> Markup {
    html! {
        form method="post" action=(path) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="client_id" value=(client_id);
            button class=(class) type="submit" { (label) }
        }
    }
}

fn access_summary(access: &AccessMap) -> String {
    let granted: Vec<String> = Area::ALL
        .into_iter()
        .filter_map(|area| match access.get(area) {
            Access::None => None,
            Access::Read => Some(format!("{}: read", area.label())),
            Access::Write => Some(format!("{}: read and write", area.label())),
        })
        .collect();
    if granted.is_empty() {
        "No access".into()
    } else {
        granted.join(", ")
    }
}

fn attributes_summary(attributes: &ReadableAttributes) -> String {
    match attributes {
        ReadableAttributes::All => "All".into(),
        ReadableAttributes::Only(keys) if keys.is_empty() => "None".into(),
        ReadableAttributes::Only(keys) => keys.iter().cloned().collect::<Vec<_>>().join(", "),
    }
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}
