//! `/api/v1/companies`: the linked companies (never their secrets) and their last sync.

use axum::Json;
use axum::extract::{Path, State};
use bridge_store::{Company, Scope, Store};
use serde_json::{Value, json};

use super::Problem;
use super::auth::ApiCaller;
use crate::state::AppState;

pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Value>, Problem> {
    caller.require(Scope::Read)?;
    let mut data = Vec::new();
    for company in state.store.companies().await? {
        if !caller.reaches(&company.name) {
            continue;
        }
        data.push(view(&state.store, &company).await?);
    }
    Ok(Json(json!({ "data": data, "next_cursor": null })))
}

pub(crate) async fn one(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
) -> Result<Json<Value>, Problem> {
    caller.require(Scope::Read)?;
    let company = caller.company(&state.store, &name).await?;
    Ok(Json(view(&state.store, &company).await?))
}

async fn view(store: &Store, company: &Company) -> Result<Value, Problem> {
    let last_sync = store.runs(company.id, 1).await?.into_iter().next();
    Ok(json!({
        "id": company.id.0,
        "name": company.name,
        "base_url": company.base_url,
        "client_id": company.client_id,
        "filters": {
            "legal_entities": company.filters.legal_entities,
            "statuses": company.filters.statuses,
            "offices": company.filters.offices,
            "departments": company.filters.departments,
        },
        "sync_interval_minutes": company.sync_interval_minutes,
        "connection": {
            "status": company.connection.status.as_str(),
            "reason": company.connection.reason,
            "since": company.connection.since,
        },
        "created_at": company.created_at,
        "updated_at": company.updated_at,
        "last_sync": last_sync.map(|run| json!({
            "outcome": run.outcome.as_str(),
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "error": run.error,
        })),
    }))
}
