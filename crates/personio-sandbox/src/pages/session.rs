//! Signing in to the admin pages with the admin token: the sign-in form (guarded by a
//! double-submit CSRF cookie, as there is no session yet), sessions kept in memory behind
//! an HttpOnly, SameSite=Strict cookie, and [`SignedIn`], which every page asks for and
//! whose CSRF token each of its forms carries.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};
use maud::html;
use parking_lot::Mutex;
use sha2::{Digest, Sha256};

use super::form::Fields;
use super::{BASE, Problem, layout};
use crate::credentials::random_token;
use crate::state::AppState;

const SESSION_COOKIE: &str = "sandbox_admin_session";
const SIGN_IN_COOKIE: &str = "sandbox_admin_sign_in";
const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
const SIGN_IN_FORM_LIFETIME_SECS: i64 = 600;
const SIGN_IN_PATH: &str = "/_sandbox/admin/sign-in";

/// Live sessions: session token → its CSRF token and end.
#[derive(Default)]
pub(crate) struct Sessions(Mutex<HashMap<String, Open>>);

struct Open {
    csrf: String,
    ends: Instant,
}

impl Sessions {
    /// Opens a session; returns its cookie value.
    fn open(&self) -> String {
        let token = random_token("", 43);
        let now = Instant::now();
        let mut sessions = self.0.lock();
        sessions.retain(|_, s| s.ends > now);
        sessions.insert(
            token.clone(),
            Open {
                csrf: random_token("", 32),
                ends: now + SESSION_LIFETIME,
            },
        );
        token
    }

    /// The CSRF token of a live session.
    fn csrf_of(&self, token: &str) -> Option<String> {
        let sessions = self.0.lock();
        let open = sessions.get(token).filter(|s| s.ends > Instant::now())?;
        Some(open.csrf.clone())
    }

    fn close(&self, token: &str) {
        self.0.lock().remove(token);
    }
}

/// An admin signed in to the pages.
pub(crate) struct SignedIn {
    token: String,
    pub(crate) csrf: String,
}

impl SignedIn {
    /// Reads a posted form, refusing it unless it carries this session's CSRF token.
    pub(crate) fn read_form(
        &self,
        headers: &HeaderMap,
        body: Result<Bytes, BytesRejection>,
    ) -> Result<Fields, Problem> {
        let fields = Fields::read(headers, body)?;
        if same_secret(fields.one("csrf"), &self.csrf) {
            return Ok(fields);
        }
        Err(Problem::new(
            StatusCode::FORBIDDEN,
            "Form expired",
            "This form does not belong to your session (it was opened before you signed in \
             again, or on another site). Open the page again and resubmit.",
        ))
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        let sessions = parts.extensions.get::<Arc<Sessions>>();
        let token = read_cookie(&parts.headers, SESSION_COOKIE);
        match (sessions, token) {
            (Some(sessions), Some(token)) => match sessions.csrf_of(&token) {
                Some(csrf) => Ok(SignedIn { token, csrf }),
                None => Err(Redirect::to(SIGN_IN_PATH).into_response()),
            },
            _ => Err(Redirect::to(SIGN_IN_PATH).into_response()),
        }
    }
}

pub(crate) async fn sign_in_page() -> Response {
    let csrf = random_token("", 32);
    let mut response = form_page(StatusCode::OK, &csrf, None);
    response.headers_mut().append(
        header::SET_COOKIE,
        cookie(SIGN_IN_COOKIE, csrf, SIGN_IN_FORM_LIFETIME_SECS),
    );
    response
}

pub(crate) async fn sign_in(
    State(app): State<AppState>,
    Extension(sessions): Extension<Arc<Sessions>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let fields = match Fields::read(&headers, body) {
        Ok(fields) => fields,
        Err(problem) => return problem.into_response(),
    };
    let expected = read_cookie(&headers, SIGN_IN_COOKIE).unwrap_or_default();
    let presented = fields.one("csrf");
    if expected.is_empty() || !same_secret(presented, &expected) {
        // A fresh form (and cookie), so the next attempt works.
        let mut response = sign_in_page().await;
        *response.status_mut() = StatusCode::FORBIDDEN;
        return response;
    }
    if !same_secret(fields.one("token").trim(), &app.admin_token) {
        return form_page(
            StatusCode::UNAUTHORIZED,
            presented,
            Some("That is not this sandbox's admin token."),
        );
    }
    let mut response = Redirect::to(BASE).into_response();
    let headers = response.headers_mut();
    let lifetime = i64::try_from(SESSION_LIFETIME.as_secs()).unwrap_or(i64::MAX);
    headers.append(
        header::SET_COOKIE,
        cookie(SESSION_COOKIE, sessions.open(), lifetime),
    );
    headers.append(header::SET_COOKIE, cookie(SIGN_IN_COOKIE, String::new(), 0));
    response
}

pub(crate) async fn sign_out(
    signed_in: SignedIn,
    Extension(sessions): Extension<Arc<Sessions>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(problem) = signed_in.read_form(&headers, body) {
        return problem.into_response();
    }
    sessions.close(&signed_in.token);
    let mut response = Redirect::to(SIGN_IN_PATH).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookie(SESSION_COOKIE, String::new(), 0));
    response
}

fn form_page(status: StatusCode, csrf: &str, error: Option<&str>) -> Response {
    let body = html! {
        section {
            h1 { "Sign in to the sandbox's settings" }
            @if let Some(error) = error {
                p.error #sign-in-error role="alert" { (error) }
            }
            form method="post" action=(SIGN_IN_PATH) {
                input type="hidden" name="csrf" value=(csrf);
                label for="token" { "Admin token" }
                input #token type="password" name="token" autocomplete="off" required autofocus;
                p { button #sign-in type="submit" { "Sign in" } }
            }
            p.hint {
                "The sandbox prints its admin token when it starts (the line "
                code { "sandbox admin token: …" } "); "
                code { "personio-bridge sandbox --admin-token TOKEN" } " chooses it."
            }
        }
    };
    (status, layout("Sign in", None, body)).into_response()
}

/// A cookie only these pages can read and send back: HttpOnly, SameSite=Strict. Not
/// `Secure`: the sandbox serves plain HTTP on the local machine.
fn cookie(name: &'static str, value: String, max_age_secs: i64) -> HeaderValue {
    let cookie = Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/_sandbox/admin")
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or(HeaderValue::from_static(""))
}

fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// Compares secrets through their digests, so the time taken says nothing about how much
/// of a guess was right.
fn same_secret(presented: &str, expected: &str) -> bool {
    Sha256::digest(presented.as_bytes()) == Sha256::digest(expected.as_bytes())
}
