//! Writes to Personio through the bridge: `POST /api/v1/companies/{company}/{resource}`,
//! `PATCH` and `DELETE .../{resource}/{id}`, for keys with the `write` scope. Bodies use the
//! field names the resource's GET answer uses; answers are the record as GET then shows it.
//!
//! Every write carries an `Idempotency-Key` (required for POST): the same key again answers
//! the first outcome without a second request to Personio, the same key with another body is
//! refused (422). The write itself is `bridge_sync::write`: journalled before it is sent,
//! resolved by reading Personio when its answer was lost, stored with its outcome.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bridge_store::tables::{self, Table};
use bridge_store::{Company, Key, Scope};
use bridge_sync::write::{Intent, Operation, WriteError, Written, intent_of_line};
use serde_json::{Value, json};

use super::auth::ApiCaller;
use super::uploads;
use super::{Problem, record_now};
use crate::state::AppState;

/// The header that names a write.
pub(crate) const IDEMPOTENCY_KEY: &str = "idempotency-key";
const MAX_KEY_LENGTH: usize = 255;

/// The resources that take writes, and the operations each takes.
pub(crate) const WRITABLE: &[(&str, &[Operation])] = &[
    (
        "attendance_periods",
        &[Operation::Create, Operation::Update, Operation::Delete],
    ),
    ("absence_periods", &[Operation::Create, Operation::Delete]),
    (
        "projects",
        &[Operation::Create, Operation::Update, Operation::Delete],
    ),
    ("employees", &[Operation::Create, Operation::Update]),
    ("documents", &[Operation::Create]),
    ("recruiting_applications", &[Operation::Create]),
];

pub(crate) async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((company, resource)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let (company, table) = prepare(&state, &caller, &company, &resource, Operation::Create).await?;
    let key = idempotency_key(&headers)?.ok_or_else(|| {
        Problem::bad_request(
            "send an Idempotency-Key header (a unique string per write, up to 255 characters): \
             the same key again answers the first outcome instead of writing twice",
        )
    })?;
    let intent = match table.name {
        "documents" => uploads::document(&headers, body).await?,
        "recruiting_applications" => uploads::application(&headers, body).await?,
        _ => intent_of_line(table.name, Operation::Create, json_body(&body)?).map_err(field)?,
    };
    write(
        &state,
        &caller,
        &company,
        table,
        &key,
        &intent,
        StatusCode::CREATED,
    )
    .await
}

pub(crate) async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((company, resource, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let (company, table) = prepare(&state, &caller, &company, &resource, Operation::Update).await?;
    let key = idempotency_key(&headers)?.unwrap_or_else(fresh_key);
    let body = json_body(&body)?;
    let id = record_id(&id)?;
    let intent =
        intent_of_line(table.name, Operation::Update, with_id(body, id)?).map_err(field)?;
    write(
        &state,
        &caller,
        &company,
        table,
        &key,
        &intent,
        StatusCode::OK,
    )
    .await
}

pub(crate) async fn remove(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((company, resource, id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let (company, table) = prepare(&state, &caller, &company, &resource, Operation::Delete).await?;
    let key = idempotency_key(&headers)?.unwrap_or_else(fresh_key);
    let id = record_id(&id)?;
    let intent =
        intent_of_line(table.name, Operation::Delete, json!({ "id": id })).map_err(field)?;
    write(
        &state,
        &caller,
        &company,
        table,
        &key,
        &intent,
        StatusCode::OK,
    )
    .await
}

/// Scope, company and resource, checked in that order.
async fn prepare(
    state: &AppState,
    caller: &ApiCaller,
    company: &str,
    resource: &str,
    operation: Operation,
) -> Result<(Company, &'static Table), Problem> {
    caller.require(Scope::Write)?;
    let company = caller.company(&state.store, company).await?;
    let table = tables::by_name(resource)
        .ok_or_else(|| Problem::not_found(format!("no resource {resource:?}")))?;
    let writable = WRITABLE
        .iter()
        .any(|(name, ops)| *name == table.name && ops.contains(&operation));
    if !writable {
        return Err(read_only(resource, operation));
    }
    Ok((company, table))
}

fn read_only(resource: &str, operation: Operation) -> Problem {
    let writable: Vec<&str> = WRITABLE.iter().map(|(name, _)| *name).collect();
    Problem::method_not_allowed(format!(
        "{resource} cannot be {} through the bridge; writable: {}",
        operation.done(),
        writable.join(", ")
    ))
}

/// Sends the write and answers the record as GET now shows it.
async fn write(
    state: &AppState,
    caller: &ApiCaller,
    company: &Company,
    table: &'static Table,
    key: &str,
    intent: &Intent,
    status: StatusCode,
) -> Result<Response, Problem> {
    let writer = state
        .writers
        .get(&state.store, company)
        .await
        .map_err(|e| Problem::internal(&e))?;
    writer
        .check_new(key, intent)
        .await
        .map_err(|e| problem(e, intent, company))?;
    let written = writer
        .write(&caller.actor(), key, intent)
        .await
        .map_err(|e| problem(e, intent, company))?;
    answer(
        state,
        company,
        table,
        &intent.record_key(&written.id),
        &written,
        status,
    )
    .await
}

async fn answer(
    state: &AppState,
    company: &Company,
    table: &'static Table,
    key: &Key,
    written: &Written,
    status: StatusCode,
) -> Result<Response, Problem> {
    let record = record_now(&state.store, company.id, table, key)
        .await?
        .unwrap_or_else(|| json!({ "id": written.id }));
    let mut response = (status, Json(record)).into_response();
    if written.replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// A write's failure as the caller sees it.
fn problem(error: WriteError, intent: &Intent, company: &Company) -> Problem {
    match error {
        WriteError::Field(e) => Problem::invalid_field(e.field, e.detail),
        WriteError::KeyReused => Problem::invalid_field(
            "Idempotency-Key",
            "this key was used before for a different request; use a new key for a new write",
        ),
        WriteError::InProgress => Problem::conflict(
            "a request with this Idempotency-Key is under way; wait for its answer",
        ),
        WriteError::Refused(refusal) => {
            let personio = json!({
                "status": refusal.status,
                "message": refusal.message,
                "code": refusal.code,
                "body": refusal.personio,
            });
            match refusal.status {
                401 | 403 => Problem::no_personio_access(
                    format!(
                        "the Personio credential of company {} may not write {}: in Personio, under Settings > \
                         Integrations > API credentials, set \"{}\" to \"Read and write\" for this credential, \
                         then run `personio-bridge doctor --company {}`",
                        company.name,
                        intent.table().name.replace('_', " "),
                        intent.area(),
                        company.name
                    ),
                    personio,
                ),
                404 => Problem::not_found(format!(
                    "Personio has no {} {}",
                    intent.table().name.trim_end_matches('s').replace('_', " "),
                    intent.target().unwrap_or_default()
                )),
                status => {
                    // Personio's 400s are about the body: to the caller, an unprocessable write.
                    let status = StatusCode::from_u16(status)
                        .ok()
                        .filter(|s| s.is_client_error() && *s != StatusCode::BAD_REQUEST)
                        .unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
                    Problem::refused_by_personio(status, refusal.message.clone(), personio)
                }
            }
        }
        WriteError::Unfinished(why) => Problem::unfinished(format!(
            "the write is not finished ({why}); send the same request with the same Idempotency-Key again: \
             it is never written twice"
        )),
        other => Problem::internal(&other),
    }
}

pub(super) fn field(error: bridge_sync::write::FieldError) -> Problem {
    Problem::invalid_field(error.field, error.detail)
}

pub(super) fn json_body(body: &[u8]) -> Result<Value, Problem> {
    serde_json::from_slice(body)
        .map_err(|e| Problem::invalid_body(format!("expected a JSON object: {e}")))
}

/// The `Idempotency-Key` header, if sent: 1 to 255 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > MAX_KEY_LENGTH || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Problem::bad_request(format!(
            "Idempotency-Key must be 1 to {MAX_KEY_LENGTH} visible ASCII characters"
        )));
    }
    Ok(Some(key.to_owned()))
}

/// A key for a PATCH or DELETE sent without one: journalled all the same, so a crash
/// mid-write is resolved at the next start.
fn fresh_key() -> String {
    format!("bridge-{}", bridge_store::random_token("", 24))
}

/// The changes of a PATCH with the record's id from its path.
fn with_id(body: Value, id: String) -> Result<Value, Problem> {
    match body {
        Value::Object(mut object) => {
            if object.contains_key("id") {
                return Err(Problem::invalid_field(
                    "id",
                    "the id is the path's; leave it out of the body",
                ));
            }
            object.insert("id".to_owned(), Value::String(id));
            Ok(Value::Object(object))
        }
        _ => Err(Problem::invalid_field("", "the body must be a JSON object")),
    }
}

fn record_id(id: &str) -> Result<String, Problem> {
    let id = id.trim();
    if id.is_empty() || id.len() > 100 || id.chars().any(|c| c.is_control() || c == '/') {
        return Err(Problem::not_found(format!("no record {id:?}")));
    }
    Ok(id.to_owned())
}
