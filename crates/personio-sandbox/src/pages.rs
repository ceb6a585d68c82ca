//! The sandbox's admin pages under `/_sandbox/admin`, shaped like Personio's own Settings >
//! Integrations > API credentials: the list of credentials (revoke, regenerate secret),
//! "Create custom integration" (name, access per area, readable employee attributes) ending
//! on the client ID and the secret shown once, and the recruiting token with the company ID.
//!
//! Server-rendered with maud and usable without JavaScript; the copy buttons are a small
//! script that only adds to the page. Signing in takes the same admin token as the JSON
//! admin API. Page views are not counted in `/_sandbox/requests` and are never faulted or
//! rate-limited: they are not part of the Personio surface under test.

mod credentials;
mod form;
mod session;

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use maud::{DOCTYPE, Markup, html};

use crate::state::AppState;

/// Where the pages live.
pub(crate) const BASE: &str = "/_sandbox/admin";

/// Scripts and styles only from our own two files, forms only to us, never framed.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(BASE, get(credentials::list))
        .route(
            "/_sandbox/admin/sign-in",
            get(session::sign_in_page).post(session::sign_in),
        )
        .route("/_sandbox/admin/sign-out", post(session::sign_out))
        .route(
            "/_sandbox/admin/credentials/new",
            get(credentials::new_form),
        )
        .route("/_sandbox/admin/credentials", post(credentials::create))
        .route(
            "/_sandbox/admin/credentials/revoke",
            post(credentials::revoke),
        )
        .route(
            "/_sandbox/admin/credentials/secret",
            post(credentials::regenerate),
        )
        .route("/_sandbox/admin/admin.css", get(stylesheet))
        .route("/_sandbox/admin/copy.js", get(script))
        .layer(Extension(Arc::new(session::Sessions::default())))
        .layer(middleware::from_fn(security_headers))
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CSP);
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // Safe here (unlike a check of `Origin` on posts, which `no-referrer` turns into
    // `null`): forms are protected by CSRF tokens and SameSite=Strict cookies instead.
    set(header::REFERRER_POLICY, "no-referrer");
    set(header::CACHE_CONTROL, "no-store");
    response
}

async fn stylesheet() -> Response {
    asset(
        "text/css; charset=utf-8",
        include_str!("../static/admin.css"),
    )
}

async fn script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../static/copy.js"),
    )
}

fn asset(content_type: &'static str, text: &'static str) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    (headers, text).into_response()
}

/// The frame of every page; `csrf` is the session's token (for the sign-out button).
fn layout(title: &str, csrf: Option<&str>, body: Markup) -> Html<String> {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Personio sandbox" }
                link rel="stylesheet" href="/_sandbox/admin/admin.css";
                script src="/_sandbox/admin/copy.js" defer {}
            }
            body {
                header {
                    a.brand href=(BASE) { "Personio sandbox · Settings" }
                    @if let Some(csrf) = csrf {
                        form method="post" action="/_sandbox/admin/sign-out" {
                            input type="hidden" name="csrf" value=(csrf);
                            button.secondary #sign-out type="submit" { "Sign out" }
                        }
                    }
                }
                main { (body) }
            }
        }
    };
    Html(page.into_string())
}

/// What is wrong with a request, answered with [`error_page`].
#[derive(Debug)]
pub(crate) struct Problem {
    status: StatusCode,
    title: &'static str,
    text: String,
}

impl Problem {
    fn new(status: StatusCode, title: &'static str, text: impl Into<String>) -> Problem {
        Problem {
            status,
            title,
            text: text.into(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        error_page(self.status, self.title, &self.text)
    }
}

/// A page saying what went wrong and where to go from here.
fn error_page(status: StatusCode, title: &str, text: &str) -> Response {
    let body = html! {
        section.error role="alert" {
            h1 { (title) }
            p #error-text { (text) }
            p { a href=(BASE) { "Back to API credentials" } }
        }
    };
    (status, layout(title, None, body)).into_response()
}
