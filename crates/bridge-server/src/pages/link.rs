//! The hosted link page, `/link/{token}`: for a customer's Personio admin who has no account
//! here (the token is the authority). It says what to set up in Personio for the session's
//! resources and access, in English or German, takes the credential in one form, checks it
//! live (the doctor), and only when everything needed is there stores it, links the company,
//! starts its first sync and sends the person back to the vendor's `redirect_url`.
//!
//! Works without JavaScript. Framed only by the origins the operator allows
//! (`--frame-ancestors`), so the CSRF token travels in the form, not in a cookie (a framed
//! page's cookies are third-party cookies, which browsers withhold).

mod needs;
mod text;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use bridge_store::{LinkSession, LinkStatus};
use bridge_sync::link::{self, Link, LinkError};
use chrono::Utc;
use maud::{DOCTYPE, Markup, html};
use secrecy::SecretString;
use serde::Deserialize;

use crate::security::same_secret;
use crate::state::AppState;
pub(crate) use needs::{Gap, Needs};
pub(crate) use text::Lang;

/// Refused submissions after which a session is locked.
const MAX_FAILED: i64 = 10;
/// The longest value a field may have.
const MAX_FIELD: usize = 512;

/// What the form sends.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
    #[serde(default)]
    recruiting_token: String,
    #[serde(default)]
    company_id: String,
}

/// What went wrong with a submission, as the page says it.
enum Refusal {
    Message(String),
    Gaps(Vec<Gap>),
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = language(query.as_deref(), None, &headers);
    match usable(&state, &token, lang).await {
        Ok(session) => {
            let form = LinkForm::default();
            page(&state, &session, lang, &form, None, StatusCode::OK)
        }
        Err(response) => response,
    }
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    form: Result<Form<LinkForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        // Not what the page's form sends: said in the person's language, like every refusal.
        let lang = language(None, None, &headers);
        let (title, text) = lang.form_expired();
        return notice(&state, lang, StatusCode::BAD_REQUEST, title, text);
    };
    let lang = language(None, Some(&form.lang), &headers);
    let session = match usable(&state, &token, lang).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    if !same_secret(&form.csrf, &session.csrf) {
        let (title, text) = lang.form_expired();
        return notice(&state, lang, StatusCode::FORBIDDEN, title, text);
    }
    let needs = Needs::of(&session);
    let refusal = match read(&session, &needs, &form, lang) {
        Err(message) => Refusal::Message(message),
        Ok(link) => match check(&state, &session, &needs, link, lang).await {
            Ok(response) => return response,
            Err(refusal) => refusal,
        },
    };
    if let Err(error) = state.store.link_session_refused(&session.id).await {
        return super::internal(&error);
    }
    tracing::info!(session = %session.id, company = %session.company, "link page submission refused");
    page(
        &state,
        &session,
        lang,
        &form,
        Some(&refusal),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// Checks the credential live and, when it has all the session needs, links the company.
async fn check(
    state: &AppState,
    session: &LinkSession,
    needs: &Needs,
    mut link: Link,
    lang: Lang,
) -> Result<Response, Refusal> {
    let report = link::diagnose(&link)
        .await
        .map_err(|error| Refusal::Message(explain(&error, lang)))?;
    let gaps = needs.gaps(&report);
    if !gaps.is_empty() {
        return Err(Refusal::Gaps(gaps));
    }
    let store = &state.store;
    let existing = match store.find_company(&session.company).await {
        Ok(existing) => existing,
        Err(error) => return Ok(super::internal(&error)),
    };
    if let Some(company) = &existing {
        // A relink replaces the credential and keeps the data and the filters.
        link.filters = company.filters.clone();
        link.replace = true;
    }
    match store.claim_link_session(&session.id, Utc::now()).await {
        Ok(true) => {}
        Ok(false) => {
            let (title, text) = lang.used();
            return Ok(notice(state, lang, StatusCode::GONE, title, text));
        }
        Err(error) => return Ok(super::internal(&error)),
    }
    let company = match link::save(store, link, &report).await {
        Ok(company) => company,
        Err(error) => {
            if let Err(release) = store.release_link_session(&session.id).await {
                tracing::error!(%release, session = %session.id, "could not release a link session");
            }
            return match error {
                LinkError::Store(error) => Ok(super::internal(&error)),
                other => Err(Refusal::Message(explain(&other, lang))),
            };
        }
    };
    tracing::info!(session = %session.id, company = %company.name, relinked = existing.is_some(), "company linked through a link session");
    let action = if existing.is_some() {
        bridge_store::audit_action::COMPANY_RELINKED
    } else {
        bridge_store::audit_action::COMPANY_LINKED
    };
    store
        .audit_or_warn(
            bridge_store::AuditEvent::new(format!("link_session:{}", session.id), action)
                .company(company.name.clone()),
        )
        .await;
    // Its scheduled syncs read what the session asked for.
    let settings = bridge_store::CompanySettings {
        resources: session.resources.clone(),
        ..company.settings.clone()
    };
    if let Err(error) = store
        .set_company_settings(company.id, &settings, Utc::now())
        .await
    {
        return Ok(super::internal(&error));
    }
    if let Err(error) = super::connect::after_link(state, &company, &report).await {
        return Ok(super::internal(&error));
    }
    Ok(back_to_vendor(session))
}

/// The 303 to the vendor's `redirect_url`, with `company`, `status` and `state` added.
fn back_to_vendor(session: &LinkSession) -> Response {
    let mut url = match url::Url::parse(&session.redirect_url) {
        Ok(url) => url,
        Err(error) => return super::internal(&error),
    };
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("company", &session.company);
        query.append_pair("status", "linked");
        if let Some(state) = &session.state {
            query.append_pair("state", state);
        }
    }
    Redirect::to(url.as_str()).into_response()
}

/// The session of `token` when it can still be used, or the page that says why not.
async fn usable(state: &AppState, token: &str, lang: Lang) -> Result<LinkSession, Response> {
    let session = match state.store.link_session_by_token(token).await {
        Ok(Some(session)) => session,
        Ok(None) => {
            let (title, text) = lang.unknown();
            return Err(notice(state, lang, StatusCode::NOT_FOUND, title, text));
        }
        Err(error) => return Err(super::internal(&error)),
    };
    let (status, (title, text)) = match session.status(Utc::now()) {
        LinkStatus::Linked => (StatusCode::GONE, lang.used()),
        LinkStatus::Expired => (StatusCode::GONE, lang.expired()),
        LinkStatus::Pending if session.failed_attempts >= MAX_FAILED => {
            (StatusCode::TOO_MANY_REQUESTS, lang.too_many())
        }
        LinkStatus::Pending => return Ok(session),
    };
    Err(notice(state, lang, status, title, text))
}

/// The form as a link, or what is missing, in the person's language.
fn read(session: &LinkSession, needs: &Needs, form: &LinkForm, lang: Lang) -> Result<Link, String> {
    let field = |value: &str, name: &str| -> Result<String, String> {
        let value = value.trim();
        if value.is_empty() || value.len() > MAX_FIELD || value.chars().any(char::is_control) {
            return Err(lang.missing(name));
        }
        Ok(value.to_owned())
    };
    let client_id = field(&form.client_id, lang.client_id())?;
    let client_secret = field(&form.client_secret, lang.client_secret())?;
    let recruiting = if needs.recruiting {
        let token = field(&form.recruiting_token, lang.recruiting_token())?;
        let company_id = field(&form.company_id, lang.company_id())?
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| lang.bad_company_id().to_owned())?;
        Some((SecretString::from(token), company_id))
    } else {
        None
    };
    let base_url = link::parse_base_url(&session.base_url).map_err(|_| lang.failed().to_owned())?;
    Ok(Link {
        company: session.company.clone(),
        base_url,
        client_id,
        client_secret: SecretString::from(client_secret),
        recruiting,
        filters: Default::default(),
        replace: false,
    })
}

/// A failed check as the person can act on it.
fn explain(error: &LinkError, lang: Lang) -> String {
    use personio_client::Error as E;
    match error {
        LinkError::RecruitingRefused { .. } => lang.recruiting_refused().to_owned(),
        LinkError::RecruitingUnavailable { .. } => lang.unreachable().to_owned(),
        LinkError::Refused { source, .. } => match source.as_ref() {
            bridge_sync::Error::Personio(E::BadCredentials { .. }) => {
                lang.wrong_secret().to_owned()
            }
            bridge_sync::Error::Personio(E::Unreachable { .. } | E::NotPersonio { .. }) => {
                lang.unreachable().to_owned()
            }
            other => {
                tracing::warn!(error = %other, "link page: Personio's answer was not understood");
                lang.failed().to_owned()
            }
        },
        other => {
            tracing::warn!(error = %other, "link page: linking failed");
            lang.failed().to_owned()
        }
    }
}

/// `?lang=` (or the form's `lang`), else `Accept-Language`.
fn language(query: Option<&str>, form: Option<&str>, headers: &HeaderMap) -> Lang {
    let asked = query
        .and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "lang")
                .map(|(_, v)| v.into_owned())
        })
        .or(form.map(str::to_owned));
    asked.as_deref().and_then(Lang::parse).unwrap_or_else(|| {
        let header = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        Lang::from_accept_language(header)
    })
}

/// The page with the steps and the form; `refusal` says what the last submission lacked.
fn page(
    state: &AppState,
    session: &LinkSession,
    lang: Lang,
    form: &LinkForm,
    refusal: Option<&Refusal>,
    status: StatusCode,
) -> Response {
    let needs = Needs::of(session);
    let name = session.display_name.as_deref().unwrap_or(&session.company);
    let title = lang.title(name);
    let body = html! {
        h1 { (title) }
        p { (lang.intro()) }
        @if let Some(refusal) = refusal {
            div.error role="alert" {
                @match refusal {
                    Refusal::Message(message) => p { (message) },
                    Refusal::Gaps(gaps) => {
                        p { (lang.gaps_heading()) }
                        ul {
                            @for gap in gaps {
                                li {
                                    @match gap {
                                        Gap::Area { area, write } => (lang.gap_area(area, *write)),
                                        Gap::Attribute { key, label } => (lang.gap_attribute(&attribute_label(lang, key, label))),
                                    }
                                }
                            }
                        }
                        p { (lang.gaps_then()) }
                    }
                }
            }
        }
        (steps(lang, &needs))
        (credential_form(session, lang, &needs, form))
    };
    respond(state, session_origin(session), lang, status, &title, body)
}

fn steps(lang: Lang, needs: &Needs) -> Markup {
    html! {
        section {
            h2 { (lang.in_personio()) }
            ol.steps {
                li { (lang.step_create()) }
                li {
                    (lang.step_areas())
                    table {
                        thead { tr { th { (lang.area_column()) } th { (lang.access_column()) } } }
                        tbody {
                            @for (area, write) in &needs.areas {
                                tr {
                                    td { (lang.area(area)) }
                                    td { @if *write { (lang.read_write()) } @else { (lang.read()) } }
                                }
                            }
                        }
                    }
                }
                @if needs.attributes {
                    li {
                        (lang.step_attributes())
                        ul.attributes {
                            @for (key, label) in needs.attribute_list() {
                                li { (attribute_label(lang, key, label)) }
                            }
                        }
                    }
                }
                @if needs.recruiting {
                    li { (lang.step_recruiting()) }
                }
                li { (lang.step_save()) }
            }
        }
    }
}

fn credential_form(session: &LinkSession, lang: Lang, needs: &Needs, form: &LinkForm) -> Markup {
    html! {
        section {
            form method="post" {
                input type="hidden" name="csrf" value=(session.csrf);
                input type="hidden" name="lang" value=(lang.code());
                label for="client_id" { (lang.client_id()) }
                input #client_id type="text" name="client_id" value=(form.client_id.trim()) autocomplete="off" required;
                label for="client_secret" { (lang.client_secret()) }
                input #client_secret type="password" name="client_secret" autocomplete="off" required;
                @if needs.recruiting {
                    label for="recruiting_token" { (lang.recruiting_token()) }
                    input #recruiting_token type="password" name="recruiting_token" autocomplete="off" required;
                    label for="company_id" { (lang.company_id()) }
                    input #company_id type="text" name="company_id" inputmode="numeric" value=(form.company_id.trim()) autocomplete="off" required;
                }
                p.hint { (lang.secret_hint()) }
                p { button type="submit" { (lang.submit()) } }
            }
        }
    }
}

/// An attribute as the person finds it in Personio: the label in their language, with the
/// English label beside a German one.
fn attribute_label(lang: Lang, key: &str, label: &str) -> String {
    match (lang, text::attribute_de(key)) {
        (Lang::De, Some(german)) => format!("{german} ({label})"),
        _ => label.to_owned(),
    }
}

/// The origin of the vendor's redirect URL: the form's redirect goes there.
fn session_origin(session: &LinkSession) -> Option<String> {
    url::Url::parse(&session.redirect_url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
}

/// A page with only a heading and a sentence (unknown, used, expired, locked links).
fn notice(state: &AppState, lang: Lang, status: StatusCode, title: &str, text: &str) -> Response {
    let body = html! { h1 { (title) } p { (text) } };
    respond(state, None, lang, status, title, body)
}

/// The frame of the link pages (no operator header), with their own framing policy.
fn respond(
    state: &AppState,
    redirect_origin: Option<String>,
    lang: Lang,
    status: StatusCode,
    title: &str,
    body: Markup,
) -> Response {
    let other = lang.other();
    let page = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                header {
                    span.brand { "Personio Bridge" }
                    a lang=(other.code()) hreflang=(other.code()) href={ "?lang=" (other.code()) } { (other.name()) }
                }
                main { (body) }
            }
        }
    };
    let mut response = (status, axum::response::Html(page.into_string())).into_response();
    let headers = response.headers_mut();
    let ancestors = if state.config.frame_ancestors.is_empty() {
        "'none'".to_owned()
    } else {
        state.config.frame_ancestors.join(" ")
    };
    // The form posts here, then redirects to the vendor: browsers hold the redirect to
    // form-action too.
    let form_action = match redirect_origin {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_owned(),
    };
    let csp = format!(
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action {form_action}; \
         frame-ancestors {ancestors}; base-uri 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    if state.config.frame_ancestors.is_empty() {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.code()),
    );
    response
}
