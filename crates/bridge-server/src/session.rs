//! Operators' sign-in: the login form (protected by a double-submit CSRF cookie, since there
//! is no session yet), the session cookie, and the [`Operator`] extractor that every page
//! needs. A session's CSRF token is stored with it and carried by each of its forms.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, extract::FromRef};
use bridge_store::{AuditEvent, audit_action};
use chrono::{Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::pages;
use crate::security::{cookie, read_cookie, same_secret};
use crate::state::AppState;

pub(crate) const SESSION_COOKIE: &str = "bridge_session";
const LOGIN_COOKIE: &str = "bridge_login";
/// How long a sign-in lasts.
const SESSION_HOURS: i64 = 12;

/// A signed-in operator.
pub(crate) struct Operator {
    token: SecretString,
    pub(crate) csrf: String,
}

impl Operator {
    /// The refusal of a form whose CSRF token is not this session's (None: it is).
    pub(crate) fn refusal(&self, presented: &str) -> Option<Response> {
        if same_secret(presented, &self.csrf) {
            return None;
        }
        Some(
            (
                StatusCode::FORBIDDEN,
                pages::message(
                    "Form expired",
                    "This form is no longer valid (it was opened in another session). Open the page again and resubmit.",
                ),
            )
                .into_response(),
        )
    }
}

impl<S> FromRequestParts<S> for Operator
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let to_login = || Redirect::to("/login").into_response();
        let Some(token) = read_cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        match state.store.session(&token, Utc::now()).await {
            Ok(Some(session)) => Ok(Operator {
                token: SecretString::from(token),
                csrf: session.csrf,
            }),
            Ok(None) => Err(to_login()),
            Err(error) => Err(pages::internal(&error)),
        }
    }
}

pub(crate) async fn login_page(State(state): State<AppState>) -> Response {
    let csrf = bridge_store::random_token("", 32);
    let mut response = pages::login(&csrf, None).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookie(LOGIN_COOKIE, csrf, 600, state.config.secure_cookies),
    );
    response
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    csrf: String,
    password: String,
}

pub(crate) async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let expected = read_cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same_secret(&form.csrf, &expected) {
        return (
            StatusCode::FORBIDDEN,
            pages::login(&form.csrf, Some("The sign-in form expired; try again.")),
        )
            .into_response();
    }
    match crate::admin::verify(&state.store, &form.password).await {
        Ok(true) => {}
        Ok(false) => {
            state
                .store
                .audit_or_warn(operator_event(audit_action::SIGN_IN_FAILED))
                .await;
            return (
                StatusCode::UNAUTHORIZED,
                pages::login(&form.csrf, Some("Wrong password.")),
            )
                .into_response();
        }
        Err(error) => return pages::internal(&error),
    }
    let (token, _) = match state
        .store
        .create_session(Duration::hours(SESSION_HOURS), Utc::now())
        .await
    {
        Ok(session) => session,
        Err(error) => return pages::internal(&error),
    };
    state
        .store
        .audit_or_warn(operator_event(audit_action::SIGN_IN))
        .await;
    let mut response = Redirect::to("/").into_response();
    let secure = state.config.secure_cookies;
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        cookie(
            SESSION_COOKIE,
            token.expose_secret().to_owned(),
            SESSION_HOURS * 3600,
            secure,
        ),
    );
    headers.append(
        header::SET_COOKIE,
        cookie(LOGIN_COOKIE, String::new(), 0, secure),
    );
    response
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    pub(crate) csrf: String,
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    operator: Operator,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(refused) = operator.refusal(&form.csrf) {
        return refused;
    }
    if let Err(error) = state.store.end_session(&operator.token).await {
        return pages::internal(&error);
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookie(
            SESSION_COOKIE,
            String::new(),
            0,
            state.config.secure_cookies,
        ),
    );
    response
}

/// An audit entry for what the operator did on the pages (one admin password: one actor).
pub(crate) fn operator_event(action: &str) -> AuditEvent {
    AuditEvent::new(OPERATOR, action)
}

/// The audit log's actor for whoever signed in to the pages.
pub(crate) const OPERATOR: &str = "operator";
