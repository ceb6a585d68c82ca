//! Server-rendered pages for operators, with maud: HTML built by the compiler, escaped by
//! default, no template files to keep in sync and no JavaScript toolchain. Every page works
//! without JavaScript; progress pages refresh themselves with a meta refresh.

pub(crate) mod api_keys;
pub(crate) mod audit;
pub(crate) mod company;
pub(crate) mod connect;
pub(crate) mod home;
pub(crate) mod link;
pub(crate) mod settings;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, html};

use crate::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/connect", get(connect::show).post(connect::submit))
        .route("/link/{token}", get(link::show).post(link::submit))
        .route("/api-keys", get(api_keys::show).post(api_keys::create))
        .route("/api-keys/{name}/revoke", post(api_keys::revoke))
        .route("/audit-log", get(audit::show))
        .route("/companies/{name}", get(company::show))
        .route("/companies/{name}/sync", post(company::sync_now))
        .route("/companies/{name}/filters", post(company::save_filters))
        .route("/companies/{name}/settings", post(settings::save))
        .route("/companies/{name}/disconnect", post(company::disconnect))
}

/// The frame of every page. `csrf` is the session's token, for the sign-out form.
pub(crate) fn layout(
    title: &str,
    csrf: Option<&str>,
    refresh: Option<u32>,
    body: Markup,
) -> Html<String> {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(seconds) = refresh {
                    meta http-equiv="refresh" content=(seconds);
                }
                title { (title) " · Personio Bridge" }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                header {
                    a.brand href="/" { "Personio Bridge" }
                    @if let Some(csrf) = csrf {
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(csrf);
                            button.secondary type="submit" { "Sign out" }
                        }
                    }
                }
                main { (body) }
            }
        }
    };
    Html(page.into_string())
}

pub(crate) fn login(csrf: &str, error: Option<&str>) -> Html<String> {
    layout(
        "Sign in",
        None,
        None,
        html! {
            section {
                h1 { "Sign in" }
                @if let Some(error) = error {
                    p.error role="alert" { (error) }
                }
                form method="post" action="/login" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="password" { "Admin password" }
                    input #password type="password" name="password" autocomplete="current-password" required autofocus;
                    p { button type="submit" { "Sign in" } }
                }
                p.hint { "The admin password was set when the service first started (personio-bridge serve)." }
            }
        },
    )
}

/// A page with a heading and one paragraph.
pub(crate) fn message(title: &str, text: &str) -> Html<String> {
    layout(
        title,
        None,
        None,
        html! { section { h1 { (title) } p { (text) } p { a href="/" { "Back to the start page" } } } },
    )
}

pub(crate) async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        message("Not found", "There is no page at this address."),
    )
        .into_response()
}

/// An error of ours: logged in full, shown without details.
pub(crate) fn internal(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "page failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        message(
            "Something went wrong",
            "The service could not show this page; its log says why.",
        ),
    )
        .into_response()
}
