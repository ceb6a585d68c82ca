//! The start page: the linked companies and the way to link another.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;

use super::{internal, layout};
use crate::session::Operator;
use crate::state::AppState;

pub(crate) async fn show(State(state): State<AppState>, operator: Operator) -> Response {
    let companies = match state.store.companies().await {
        Ok(companies) => companies,
        Err(error) => return internal(&error),
    };
    layout(
        "Companies",
        Some(&operator.csrf),
        None,
        html! {
            h1 { "Companies" }
            section {
                @if companies.is_empty() {
                    p { "No company is linked yet." }
                } @else {
                    table {
                        thead { tr { th { "Company" } th { "Personio" } th { "Client id" } } }
                        tbody {
                            @for company in &companies {
                                tr {
                                    td { a href={ "/companies/" (company.name) } { (company.name) } }
                                    td { (company.base_url) }
                                    td { code { (company.client_id) } }
                                }
                            }
                        }
                    }
                }
                p {
                    a.button href="/connect" { "Connect Personio" }
                    " "
                    a href="/api-keys" { "API keys" }
                    " "
                    a href="/audit-log" { "Audit log" }
                }
            }
        },
    )
    .into_response()
}
