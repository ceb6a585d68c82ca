//! `/mcp`: the bridge's MCP server (`bridge-mcp`) over streamable HTTP. Every request carries
//! an API key, checked as for the REST API; the tools see it as their caller, limited to the
//! key's companies and scopes. A request without a valid key gets the API's 401.

use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

use crate::api::ApiCaller;
use crate::state::AppState;

pub(crate) fn router(state: &AppState) -> Router<AppState> {
    let service = bridge_mcp::http_service(state.store.clone(), state.mcp.clone());
    Router::new()
        .route_service("/mcp", service)
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
}

async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    match ApiCaller::from_request_parts(&mut parts, &state).await {
        Ok(caller) => {
            parts
                .extensions
                .insert(bridge_mcp::Caller::for_key(&caller.key));
            next.run(Request::from_parts(parts, body)).await
        }
        Err(problem) => problem.into_response(),
    }
}
