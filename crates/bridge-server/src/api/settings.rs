//! `/api/v1/companies/{company}/settings`: how a company's scheduled syncs run (resources,
//! API, interval, full reconciliation period, retention period, filters). `PATCH` changes the fields it names
//! and leaves the others; every refusal names the field at the start of its detail.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use bridge_store::{
    APIS, CompanySettings, FULL_RECONCILE_DAYS, Filters, RETENTION_DAYS, SYNC_INTERVAL_MINUTES,
    Scope,
};
use bridge_sync::ResourceName;
use serde_json::{Map, Value, json};

use super::Problem;
use super::auth::ApiCaller;
use crate::state::AppState;

/// Most values one filter may list, and the longest value.
const MAX_FILTER_VALUES: usize = 100;
const MAX_FILTER_CHARS: usize = 200;

/// The filters' keys, as the settings' JSON names them.
const FILTER_KEYS: [&str; 4] = ["legal_entities", "statuses", "offices", "departments"];

pub(crate) async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
) -> Result<Json<Value>, Problem> {
    caller.require(Scope::Read)?;
    let company = caller.company(&state.store, &name).await?;
    Ok(Json(view(&company.settings)))
}

pub(crate) async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, Problem> {
    // Settings decide what is read from Personio and how often: the operator's, or a key
    // trusted with everything (for its companies).
    caller.require(Scope::Admin)?;
    let company = caller.company(&state.store, &name).await?;
    let changes: Value = serde_json::from_slice(&body)
        .map_err(|e| Problem::invalid_body(format!("expected a JSON object: {e}")))?;
    let Value::Object(changes) = changes else {
        return Err(Problem::invalid_body(
            "expected a JSON object of settings to change",
        ));
    };
    let settings = patch(company.settings, &changes).map_err(|(field, detail)| {
        Problem::invalid_field(field.clone(), format!("{field}: {detail}"))
    })?;
    match state
        .store
        .set_company_settings(company.id, &settings, chrono::Utc::now())
        .await
    {
        Ok(()) => {
            state
                .store
                .audit_or_warn(
                    caller
                        .event(bridge_store::audit_action::SETTINGS_CHANGED)
                        .company(company.name.clone())
                        .detail(json!({ "changed": changes.keys().collect::<Vec<_>>() })),
                )
                .await;
            Ok(Json(view(&settings)))
        }
        Err(bridge_store::Error::InvalidSetting { field, detail }) => {
            Err(Problem::invalid_field(field, format!("{field}: {detail}")))
        }
        Err(other) => Err(other.into()),
    }
}

/// The settings as the API shows them; no resources stored means the default set.
pub(crate) fn view(settings: &CompanySettings) -> Value {
    let resources: Vec<&str> = if settings.resources.is_empty() {
        ResourceName::DEFAULT.iter().map(|r| r.as_str()).collect()
    } else {
        settings.resources.iter().map(String::as_str).collect()
    };
    json!({
        "resources": resources,
        "api": settings.api,
        "sync_interval_minutes": settings.sync_interval_minutes,
        "full_reconcile_days": settings.full_reconcile_days,
        "retention_days": settings.retention_days,
        "filters": {
            "legal_entities": settings.filters.legal_entities,
            "statuses": settings.filters.statuses,
            "offices": settings.filters.offices,
            "departments": settings.filters.departments,
        },
    })
}

/// The settings endpoints in the OpenAPI document.
pub(super) fn add_openapi(paths: &mut Map<String, Value>, schemas: &mut Map<String, Value>) {
    let strings = json!({ "type": "array", "items": { "type": "string" } });
    let resources = json!({ "type": "array", "items": { "type": "string", "enum": ResourceName::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>() } });
    let properties = json!({
        "resources": { "description": "What scheduled syncs read (an empty list in a PATCH means the default set).", "allOf": [resources] },
        "api": { "type": "string", "enum": APIS, "description": "Which Personio API reads a resource both serve." },
        "sync_interval_minutes": { "type": "integer", "nullable": true, "minimum": SYNC_INTERVAL_MINUTES.start(), "maximum": SYNC_INTERVAL_MINUTES.end(), "description": "Minutes between scheduled syncs; null: the service's default." },
        "full_reconcile_days": { "type": "integer", "minimum": FULL_RECONCILE_DAYS.start(), "maximum": FULL_RECONCILE_DAYS.end(), "default": bridge_store::DEFAULT_FULL_RECONCILE_DAYS, "description": "Days between scheduled full reconciliations, which find what incremental syncs cannot see (deletions older than their windows, unannounced employment changes)." },
        "retention_days": { "type": "integer", "nullable": true, "minimum": RETENTION_DAYS.start(), "maximum": RETENTION_DAYS.end(), "description": "Days records deleted in Personio or outside the filters are kept before the scheduler's sweep (or `personio-bridge purge`) removes them; null: kept for good." },
        "filters": { "type": "object", "additionalProperties": false, "properties": {
            "legal_entities": strings, "statuses": strings, "offices": strings, "departments": strings
        } }
    });
    schemas.insert(
        "CompanySettings".to_owned(),
        json!({ "type": "object", "required": ["resources", "api", "sync_interval_minutes", "full_reconcile_days", "retention_days", "filters"], "properties": properties }),
    );
    schemas.insert(
        "CompanySettingsChange".to_owned(),
        json!({ "type": "object", "additionalProperties": false, "description": "The settings to change; those left out stay.", "properties": properties }),
    );
    let settings = json!({ "application/json": { "schema": { "$ref": "#/components/schemas/CompanySettings" } } });
    paths.insert(
        "/api/v1/companies/{company}/settings".to_owned(),
        json!({
            "get": {
                "operationId": "getCompanySettings",
                "summary": "How the company's scheduled syncs run",
                "tags": ["companies"],
                "parameters": [ { "$ref": "#/components/parameters/company" } ],
                "responses": {
                    "200": { "description": "The settings", "content": settings },
                    "401": { "$ref": "#/components/responses/Unauthorized" },
                    "404": { "$ref": "#/components/responses/NotFound" }
                }
            },
            "patch": {
                "operationId": "updateCompanySettings",
                "summary": "Change some of the company's settings; they apply from the next sync",
                "tags": ["companies"],
                "parameters": [ { "$ref": "#/components/parameters/company" } ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CompanySettingsChange" } } } },
                "responses": {
                    "200": { "description": "The settings now", "content": settings },
                    "400": { "description": "The body is not a JSON object", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
                    "422": { "description": "A setting is wrong: `field` names it, and the detail starts with its name", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
                    "401": { "$ref": "#/components/responses/Unauthorized" },
                    "404": { "$ref": "#/components/responses/NotFound" },
                    "413": { "description": "The body is over 256 KiB", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
                }
            }
        }),
    );
}

/// `current` with the fields `changes` names changed: the new settings, or the first field
/// that is wrong and why.
pub(crate) fn patch(
    mut settings: CompanySettings,
    changes: &Map<String, Value>,
) -> Result<CompanySettings, (String, String)> {
    for (field, value) in changes {
        let wrong = |detail: String| (field.clone(), detail);
        match field.as_str() {
            "resources" => settings.resources = resources(value).map_err(wrong)?,
            "api" => match value.as_str() {
                Some(api) if APIS.contains(&api) => settings.api = api.to_owned(),
                _ => return Err(wrong("must be \"auto\", \"v1\" or \"v2\"".into())),
            },
            "sync_interval_minutes" => {
                settings.sync_interval_minutes = match value {
                    Value::Null => None,
                    _ => Some(in_range(value, &SYNC_INTERVAL_MINUTES).map_err(wrong)?),
                }
            }
            "full_reconcile_days" => {
                settings.full_reconcile_days =
                    in_range(value, &FULL_RECONCILE_DAYS).map_err(wrong)?;
            }
            "retention_days" => {
                settings.retention_days = match value {
                    Value::Null => None,
                    _ => Some(in_range(value, &RETENTION_DAYS).map_err(wrong)?),
                }
            }
            "filters" => settings.filters = filters(value, &settings.filters)?,
            _ => {
                return Err(wrong(
                    "unknown setting (known: resources, api, sync_interval_minutes, full_reconcile_days, retention_days, filters)".into(),
                ));
            }
        }
    }
    Ok(settings)
}

/// A whole number in `range`.
fn in_range(value: &Value, range: &std::ops::RangeInclusive<i64>) -> Result<i64, String> {
    value.as_i64().filter(|n| range.contains(n)).ok_or_else(|| {
        format!(
            "must be a whole number from {} to {}",
            range.start(),
            range.end()
        )
    })
}

/// Known resource names, each once, in the engine's order; an empty list means the
/// default set.
fn resources(value: &Value) -> Result<Vec<String>, String> {
    let Some(list) = value.as_array() else {
        return Err("must be a list of resource names".into());
    };
    let mut names: Vec<ResourceName> = Vec::new();
    for item in list.iter().take(ResourceName::ALL.len() * 4 + 1) {
        let Some(text) = item.as_str() else {
            return Err("must be a list of resource names".into());
        };
        let name = text.parse::<ResourceName>().map_err(|_| {
            let known: Vec<&str> = ResourceName::ALL.iter().map(|r| r.as_str()).collect();
            format!(
                "unknown resource {:?} (known: {})",
                text.chars().take(64).collect::<String>(),
                known.join(", ")
            )
        })?;
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if list.len() > ResourceName::ALL.len() * 4 {
        return Err("lists too many resources".into());
    }
    Ok(ResourceName::ALL
        .iter()
        .filter(|r| names.contains(r))
        .map(|r| r.as_str().to_owned())
        .collect())
}

/// The filters with the lists `value` names replaced; statuses are checked and lower-cased.
fn filters(value: &Value, current: &Filters) -> Result<Filters, (String, String)> {
    let Some(object) = value.as_object() else {
        return Err(("filters".into(), "must be an object of lists".into()));
    };
    let mut filters = current.clone();
    for (key, list) in object {
        let field = format!("filters.{key}");
        if !FILTER_KEYS.contains(&key.as_str()) {
            return Err((
                field,
                "unknown filter (known: legal_entities, statuses, offices, departments)".into(),
            ));
        }
        let values = strings(list).map_err(|detail| (field.clone(), detail))?;
        match key.as_str() {
            "legal_entities" => filters.legal_entities = values,
            "statuses" => {
                filters.statuses = bridge_sync::link::normalize_statuses(&values)
                    .map_err(|e| (field.clone(), e.to_string()))?;
            }
            "offices" => filters.offices = values,
            _ => filters.departments = values,
        }
    }
    Ok(filters)
}

/// A list of short non-blank strings, trimmed.
fn strings(value: &Value) -> Result<Vec<String>, String> {
    let wrong = || {
        format!(
            "must be a list of at most {MAX_FILTER_VALUES} names or ids, each 1 to {MAX_FILTER_CHARS} characters"
        )
    };
    let list = value.as_array().ok_or_else(wrong)?;
    if list.len() > MAX_FILTER_VALUES {
        return Err(wrong());
    }
    list.iter()
        .map(|item| {
            let text = item.as_str().map(str::trim).ok_or_else(wrong)?;
            if text.is_empty()
                || text.chars().count() > MAX_FILTER_CHARS
                || text.chars().any(char::is_control)
            {
                return Err(wrong());
            }
            Ok(text.to_owned())
        })
        .collect()
}
