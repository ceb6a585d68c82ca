//! `GET /api/v1/audit-log`: who did what and when, newest first, for `admin` keys; and
//! `DELETE /api/v1/companies/{company}/employees/{id}/personal-data` (erase a person) with
//! `DELETE .../employees/{id}/tombstone` (allow them again). Every refusal of a query
//! parameter names it at the start of its detail.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use bridge_store::{AuditEntry, AuditQuery, Key, Scope, audit_action};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::auth::ApiCaller;
use super::{DEFAULT_LIMIT, MAX_LIMIT, Problem, cursor};
use crate::state::AppState;

/// The parameters the log takes.
const PARAMETERS: [&str; 7] = [
    "company", "actor", "action", "since", "until", "limit", "cursor",
];

/// The query string as an audit query, or a 400 naming the parameter that is wrong.
pub(crate) fn parse_query(query: Option<&str>) -> Result<AuditQuery, (String, String)> {
    let mut seen: HashMap<String, String> = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let name = name.into_owned();
        if !PARAMETERS.contains(&name.as_str()) {
            let shown: String = name.chars().take(64).collect();
            return Err((
                shown,
                format!("unknown parameter (known: {})", PARAMETERS.join(", ")),
            ));
        }
        if seen.insert(name.clone(), value.into_owned()).is_some() {
            return Err((name, "given twice".into()));
        }
    }
    let text = |name: &str| seen.get(name).filter(|v| !v.is_empty()).cloned();
    let time = |name: &str| -> Result<Option<DateTime<Utc>>, (String, String)> {
        text(name)
            .map(|v| {
                DateTime::parse_from_rfc3339(&v)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| {
                        (
                            name.to_owned(),
                            "must be a time in RFC 3339 (2026-03-01T00:00:00Z)".into(),
                        )
                    })
            })
            .transpose()
    };
    let limit = match text("limit") {
        None => DEFAULT_LIMIT,
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                (
                    "limit".to_owned(),
                    format!("must be a whole number from 1 to {MAX_LIMIT}"),
                )
            })?,
    };
    let before = match text("cursor") {
        None => None,
        Some(v) => match cursor::decode(&v, bridge_store::tables::KeyType::Int) {
            Some(Key::Int(n)) => Some(n),
            _ => {
                return Err((
                    "cursor".into(),
                    "is not one this API gave out for this log; start again without it".into(),
                ));
            }
        },
    };
    Ok(AuditQuery {
        company: text("company"),
        actor: text("actor"),
        action: text("action"),
        since: time("since")?,
        until: time("until")?,
        before,
        limit,
    })
}

/// A page of entries (asking for one more than the limit tells whether there is a next).
pub(crate) async fn page(
    state: &AppState,
    mut query: AuditQuery,
) -> Result<(Vec<AuditEntry>, Option<String>), bridge_store::Error> {
    let limit = query.limit;
    query.limit = limit + 1;
    let mut entries = state.store.audit_log(&query).await?;
    let next = if entries.len() > limit as usize {
        entries.truncate(limit as usize);
        entries.last().map(|e| cursor::encode(&Key::Int(e.id)))
    } else {
        None
    };
    Ok((entries, next))
}

pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, Problem> {
    // The log names every company and key: the operator's, or a key trusted with everything.
    caller.require(Scope::Admin)?;
    let query = parse_query(query.as_deref())
        .map_err(|(name, detail)| Problem::bad_request(format!("{name}: {detail}")))?;
    if caller.key.is_limited() {
        // A key limited to some companies sees only theirs.
        match &query.company {
            Some(name) if caller.reaches(name) => {}
            Some(name) => {
                return Err(Problem::from(bridge_store::Error::UnknownCompany(
                    name.clone(),
                )));
            }
            None => {
                return Err(Problem::bad_request(
                    "company: this API key is limited to some companies: name one of them",
                ));
            }
        }
    }
    let (entries, next_cursor) = page(&state, query).await?;
    Ok(Json(json!({ "data": entries, "next_cursor": next_cursor })))
}

/// `DELETE .../employees/{id}/personal-data`: erases the person from the store.
pub(crate) async fn erase(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((name, id)): Path<(String, String)>,
) -> Result<Json<Value>, Problem> {
    caller.require(Scope::Admin)?;
    let company = caller.company(&state.store, &name).await?;
    let id = employee_id(&id)?;
    let actor = format!("key:{}", caller.key.name);
    let erasure = state
        .store
        .erase_employee(company.id, id, &actor, Utc::now())
        .await?;
    let removed: Map<String, Value> = erasure
        .removed
        .iter()
        .map(|(t, n)| (t.clone(), (*n).into()))
        .collect();
    Ok(Json(json!({
        "employee_id": id,
        "erased": true,
        "removed": removed,
    })))
}

/// `DELETE .../employees/{id}/tombstone`: the person may be synced again.
pub(crate) async fn allow_again(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((name, id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    caller.require(Scope::Admin)?;
    let company = caller.company(&state.store, &name).await?;
    let id = employee_id(&id)?;
    let actor = format!("key:{}", caller.key.name);
    if state
        .store
        .allow_employee_again(company.id, id, &actor, Utc::now())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found(format!(
            "employee {id} of {name} was not erased"
        )))
    }
}

fn employee_id(text: &str) -> Result<i64, Problem> {
    text.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| Problem::bad_request("id: an employee id is a positive whole number"))
}

/// The actions an entry may name, for the document.
const ACTIONS: [&str; 14] = [
    audit_action::SIGN_IN,
    audit_action::SIGN_IN_FAILED,
    audit_action::COMPANY_LINKED,
    audit_action::COMPANY_RELINKED,
    audit_action::SETTINGS_CHANGED,
    audit_action::API_KEY_CREATED,
    audit_action::API_KEY_REVOKED,
    audit_action::EXPORT,
    audit_action::PURGE,
    audit_action::EMPLOYEE_ERASED,
    audit_action::EMPLOYEE_ALLOWED_AGAIN,
    audit_action::KEY_ROTATED,
    audit_action::WRITE_SUCCEEDED,
    audit_action::WRITE_REFUSED,
];

/// The audit log's and the erasure's endpoints in the OpenAPI document.
pub(super) fn add_openapi(paths: &mut Map<String, Value>, schemas: &mut Map<String, Value>) {
    let text = json!({ "type": "string", "nullable": true });
    schemas.insert(
        "AuditEntry".to_owned(),
        json!({
            "type": "object",
            "required": ["id", "at", "actor", "action", "company", "resource", "record_id", "outcome", "detail"],
            "properties": {
                "id": { "type": "integer" },
                "at": { "type": "string", "format": "date-time" },
                "actor": { "type": "string", "description": "`operator` (the pages), `key:<name>` (an API key), `cli:<user>`, `link_session:<id>`, `scheduler`, or `write` (a write to Personio)." },
                "action": { "type": "string", "enum": ACTIONS },
                "company": text, "resource": text, "record_id": text, "outcome": text,
                "detail": { "type": "object", "description": "The rest: counts, the fields changed, a write's idempotency key. Never a secret." }
            }
        }),
    );
    let problem = json!({ "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } });
    let param = |name: &str, description: &str, format: Option<&str>| {
        let mut schema = json!({ "type": "string" });
        if let Some(format) = format {
            schema["format"] = json!(format);
        }
        json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
    };
    paths.insert(
        "/api/v1/audit-log".to_owned(),
        json!({ "get": {
            "operationId": "listAuditLog",
            "summary": "Operator actions and writes to Personio, newest first (admin keys)",
            "tags": ["audit"],
            "parameters": [
                param("company", "Only entries about this company (required for a key limited to some companies).", None),
                param("actor", "Only entries of this actor.", None),
                param("action", "Only this action, or actions starting with it and a dot (`write`).", None),
                param("since", "Entries at or after this time.", Some("date-time")),
                param("until", "Entries before this time.", Some("date-time")),
                { "$ref": "#/components/parameters/limit" },
                { "$ref": "#/components/parameters/cursor" }
            ],
            "responses": {
                "200": { "description": "A page of entries", "content": { "application/json": { "schema": {
                    "type": "object", "required": ["data", "next_cursor"],
                    "properties": {
                        "data": { "type": "array", "items": { "$ref": "#/components/schemas/AuditEntry" } },
                        "next_cursor": { "type": "string", "nullable": true }
                    } } } } },
                "400": { "description": "A parameter is wrong: the detail starts with its name", "content": problem },
                "401": { "$ref": "#/components/responses/Unauthorized" },
                "403": { "description": "The key lacks the admin scope", "content": problem }
            }
        } }),
    );
    let employee = json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" }, "description": "The person's Personio employee id." });
    paths.insert(
        "/api/v1/companies/{company}/employees/{id}/personal-data".to_owned(),
        json!({ "delete": {
            "operationId": "erasePersonalData",
            "summary": "Erase a person from the store; later syncs skip them until allowed again",
            "description": "Removes the employee and everything that belongs to them (employments, cost center splits, time records, balances, compensations, documents' metadata, project memberships, custom report rows), their change index entries and webhook events, and the bodies of finished writes that named them, and clears them as supervisor from other people's employee and employment rows (`supervisor_id` and the raw JSON; counted as `supervisor_references`), in one transaction. A tombstone (id, when, by whom) stays. Admin keys only.",
            "tags": ["companies"],
            "parameters": [ { "$ref": "#/components/parameters/company" }, employee ],
            "responses": {
                "200": { "description": "Erased: rows removed per table", "content": { "application/json": { "schema": {
                    "type": "object", "required": ["employee_id", "erased", "removed"],
                    "properties": {
                        "employee_id": { "type": "integer" },
                        "erased": { "type": "boolean" },
                        "removed": { "type": "object", "additionalProperties": { "type": "integer" } }
                    } } } } },
                "400": { "description": "The id is not an employee id", "content": problem },
                "401": { "$ref": "#/components/responses/Unauthorized" },
                "403": { "description": "The key lacks the admin scope", "content": problem },
                "404": { "$ref": "#/components/responses/NotFound" }
            }
        } }),
    );
    paths.insert(
        "/api/v1/companies/{company}/employees/{id}/tombstone".to_owned(),
        json!({ "delete": {
            "operationId": "allowErasedEmployeeAgain",
            "summary": "Let syncs store an erased person again (from the next full reading of Personio)",
            "tags": ["companies"],
            "parameters": [ { "$ref": "#/components/parameters/company" }, employee ],
            "responses": {
                "204": { "description": "The tombstone is gone" },
                "400": { "description": "The id is not an employee id", "content": problem },
                "401": { "$ref": "#/components/responses/Unauthorized" },
                "403": { "description": "The key lacks the admin scope", "content": problem },
                "404": { "description": "No such company, or the person was not erased", "content": problem }
            }
        } }),
    );
}
