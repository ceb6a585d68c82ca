//! The API's OpenAPI 3.0 document, built from the same table definitions the API serves
//! (`bridge_store::tables::ALL`), so a new table gets its paths and schema without code here.
//! Built rather than derived (utoipa): the record routes are generic over tables, which a
//! derive on handler functions cannot describe. `docs/openapi.json` is this document checked
//! in; a test fails when they differ.

use axum::Json;
use bridge_store::tables::{self, ColumnType, KeyType, Table};
use bridge_store::{DaySpan, day_span_of, fields_of, filters_of, is_json_column};
use serde_json::{Map, Value, json};

use super::records;
use super::{DEFAULT_LIMIT, MAX_LIMIT};

pub(crate) async fn serve() -> Json<Value> {
    Json(document())
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    paths.insert(
        "/api/v1/companies".to_owned(),
        json!({ "get": {
            "operationId": "listCompanies",
            "summary": "The linked companies",
            "tags": ["companies"],
            "responses": {
                "200": { "description": "Every company", "content": { "application/json": { "schema": {
                    "type": "object", "required": ["data", "next_cursor"],
                    "properties": {
                        "data": { "type": "array", "items": { "$ref": "#/components/schemas/Company" } },
                        "next_cursor": { "type": "string", "nullable": true }
                    }
                } } } },
                "401": { "$ref": "#/components/responses/Unauthorized" }
            }
        } }),
    );
    paths.insert(
        "/api/v1/companies/{company}".to_owned(),
        json!({ "get": {
            "operationId": "getCompany",
            "summary": "One company",
            "tags": ["companies"],
            "parameters": [ { "$ref": "#/components/parameters/company" } ],
            "responses": {
                "200": { "description": "The company", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Company" } } } },
                "401": { "$ref": "#/components/responses/Unauthorized" },
                "404": { "$ref": "#/components/responses/NotFound" }
            }
        } }),
    );
    let mut schemas = Map::new();
    super::openapi_webhooks::add(&mut paths, &mut schemas);
    super::openapi_link_sessions::add(&mut paths, &mut schemas);
    super::settings::add_openapi(&mut paths, &mut schemas);
    super::audit::add_openapi(&mut paths, &mut schemas);
    schemas.insert("Company".to_owned(), company_schema());
    schemas.insert("Problem".to_owned(), problem_schema());
    for table in tables::ALL {
        let schema_name = schema_name(table.name);
        paths.insert(
            format!("/api/v1/companies/{{company}}/{}", table.name),
            list_path(table, &schema_name),
        );
        paths.insert(
            format!("/api/v1/companies/{{company}}/{}/{{id}}", table.name),
            one_path(table, &schema_name),
        );
        if records::PER_EMPLOYEE.iter().any(|t| t.name == table.name) {
            paths.insert(
                format!(
                    "/api/v1/companies/{{company}}/employees/{{employee}}/{}",
                    table.name
                ),
                employee_path(table, &schema_name),
            );
        }
        schemas.insert(schema_name, record_schema(table));
    }
    super::openapi_writes::add(&mut paths, &mut schemas);
    // Every operation needs a key with some scope: a key without it gets 403.
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for operation in item.values_mut() {
            if let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            {
                responses
                    .entry("403")
                    .or_insert_with(|| json!({ "$ref": "#/components/responses/Forbidden" }));
            }
        }
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Personio Bridge API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!("A company's Personio data as Personio Bridge stores it: our normalized model's field names, cursor pagination (pass `next_cursor` back as `cursor` until it is null), `updated_since` to read only what changed, filters on the columns readers select by (`employee_id`, `status`, `department`, …; several values comma-separated), `from`/`to` days on attendance and absence periods, `fields` and `include=raw`; an unknown or malformed query parameter is a 400 that names it; errors as application/problem+json.\n\n{}", super::openapi_webhooks::SIGNING)
        },
        "servers": [ { "url": "/" } ],
        "security": [ { "apiKey": [] } ],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "apiKey": { "type": "http", "scheme": "bearer", "description": "An API key from `personio-bridge api-keys create`. A key has scopes: `read` (companies, records, webhook subscriptions), `write` (writes to Personio), `link` (link sessions), `admin` (everything). A key limited to some companies (`--company`) finds no other company: they answer 404 and lists leave them out." }
            },
            "parameters": {
                "company": { "name": "company", "in": "path", "required": true, "description": "The company's name in Personio Bridge.", "schema": { "type": "string" } },
                "id": { "name": "id", "in": "path", "required": true, "description": "The record's id.", "schema": { "type": "string" } },
                "limit": { "name": "limit", "in": "query", "required": false, "description": format!("Records per page (default {DEFAULT_LIMIT})."), "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT } },
                "cursor": { "name": "cursor", "in": "query", "required": false, "description": "The `next_cursor` of the previous page.", "schema": { "type": "string" } },
                "updated_since": { "name": "updated_since", "in": "query", "required": false, "description": "Only records created, changed, deleted or filtered out at or after this time (RFC 3339).", "schema": { "type": "string", "format": "date-time" } },
                "include_deleted": { "name": "include_deleted", "in": "query", "required": false, "description": "Also records deleted in Personio or outside the company's filters.", "schema": { "type": "boolean", "default": false } },
                "include": { "name": "include", "in": "query", "required": false, "description": "`raw`: each record also brings `raw`, Personio's JSON for it as the last sync read it.", "schema": { "type": "string", "enum": ["raw"] } }
            },
            "responses": {
                "Unauthorized": { "description": "No API key, or an unknown or revoked one", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
                "Forbidden": { "description": "The API key lacks the scope this needs", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
                "NotFound": { "description": "No such company, resource or record", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
                "BadRequest": { "description": "A query parameter is invalid", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
            },
            "schemas": schemas
        }
    })
}

/// `org_units` → `OrgUnit`-style names: `OrgUnits`.
pub(crate) fn schema_name(table: &str) -> String {
    table
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn list_path(table: &Table, schema: &str) -> Value {
    json!({ "get": {
        "operationId": format!("list{schema}"),
        "summary": format!("A company's {}, in id order", table.name.replace('_', " ")),
        "tags": [table.name],
        "parameters": list_parameters(table, &[]),
        "responses": {
            "200": { "description": "One page", "content": { "application/json": { "schema": {
                "type": "object", "required": ["data", "next_cursor"],
                "properties": {
                    "data": { "type": "array", "items": { "$ref": format!("#/components/schemas/{schema}") } },
                    "next_cursor": { "type": "string", "nullable": true, "description": "Pass as `cursor` for the next page; null on the last page." }
                }
            } } } },
            "400": { "$ref": "#/components/responses/BadRequest" },
            "401": { "$ref": "#/components/responses/Unauthorized" },
            "404": { "$ref": "#/components/responses/NotFound" }
        }
    } })
}

/// The query parameters of a list of `table` (those in `taken` come from the path).
fn list_parameters(table: &Table, taken: &[&str]) -> Value {
    let mut parameters = vec![
        json!({ "$ref": "#/components/parameters/company" }),
        json!({ "$ref": "#/components/parameters/limit" }),
        json!({ "$ref": "#/components/parameters/cursor" }),
        json!({ "$ref": "#/components/parameters/updated_since" }),
        json!({ "$ref": "#/components/parameters/include_deleted" }),
    ];
    let fields = fields_of(table);
    parameters.push(json!({
        "name": "fields", "in": "query", "required": false, "style": "form", "explode": false,
        "description": "Only these fields of each record (comma-separated; `id` always comes). The others are left out of the answer.",
        "schema": { "type": "array", "items": { "type": "string", "enum": fields } }
    }));
    parameters.push(json!({ "$ref": "#/components/parameters/include" }));
    match day_span_of(table) {
        Some(DaySpan::Starts) => {
            parameters.push(json!({ "name": "from", "in": "query", "required": false, "description": "Only records that start on or after this day (their local start time's day).", "schema": { "type": "string", "format": "date" } }));
            parameters.push(json!({ "name": "to", "in": "query", "required": false, "description": "Only records that start on or before this day.", "schema": { "type": "string", "format": "date" } }));
        }
        Some(DaySpan::Overlaps) => {
            parameters.push(json!({ "name": "from", "in": "query", "required": false, "description": "Only records that end on or after this day (or have no end): with `to`, those whose days overlap the range.", "schema": { "type": "string", "format": "date" } }));
            parameters.push(json!({ "name": "to", "in": "query", "required": false, "description": "Only records that start on or before this day.", "schema": { "type": "string", "format": "date" } }));
        }
        None => {}
    }
    for filter in filters_of(table)
        .iter()
        .filter(|f| !taken.contains(&f.name))
    {
        let item = match filter.kind {
            ColumnType::Int => json!({ "type": "integer", "format": "int64" }),
            ColumnType::Real => json!({ "type": "number" }),
            ColumnType::Text => json!({ "type": "string" }),
        };
        let description = if filter.through_employments {
            format!(
                "Only records of people with a live employment whose `{}` is one of these (comma-separated).",
                filter.name
            )
        } else {
            format!(
                "Only records whose `{}` is one of these (comma-separated).",
                filter.name
            )
        };
        parameters.push(json!({
            "name": filter.name, "in": "query", "required": false, "style": "form", "explode": false,
            "description": description,
            "schema": { "type": "array", "items": item }
        }));
    }
    Value::Array(parameters)
}

/// `GET /api/v1/companies/{company}/employees/{employee}/{table}`: one person's records.
fn employee_path(table: &Table, schema: &str) -> Value {
    let mut parameters = vec![
        json!({ "name": "employee", "in": "path", "required": true, "description": "The person's id.", "schema": { "type": "integer", "format": "int64" } }),
    ];
    if let Value::Array(list) = list_parameters(table, &["employee_id"]) {
        parameters.extend(list);
    }
    json!({ "get": {
        "operationId": format!("listEmployee{schema}"),
        "summary": format!("One person's {}, in id order", table.name.replace('_', " ")),
        "tags": [table.name],
        "parameters": parameters,
        "responses": {
            "200": { "description": "One page", "content": { "application/json": { "schema": {
                "type": "object", "required": ["data", "next_cursor"],
                "properties": {
                    "data": { "type": "array", "items": { "$ref": format!("#/components/schemas/{schema}") } },
                    "next_cursor": { "type": "string", "nullable": true, "description": "Pass as `cursor` for the next page; null on the last page." }
                }
            } } } },
            "400": { "$ref": "#/components/responses/BadRequest" },
            "401": { "$ref": "#/components/responses/Unauthorized" },
            "404": { "$ref": "#/components/responses/NotFound" }
        }
    } })
}

fn one_path(table: &Table, schema: &str) -> Value {
    json!({ "get": {
        "operationId": format!("get{schema}"),
        "summary": format!("One of a company's {} (deleted ones too)", table.name.replace('_', " ")),
        "tags": [table.name],
        "parameters": [
            { "$ref": "#/components/parameters/company" },
            { "$ref": "#/components/parameters/id" }
        ],
        "responses": {
            "200": { "description": "The record", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } },
            "401": { "$ref": "#/components/responses/Unauthorized" },
            "404": { "$ref": "#/components/responses/NotFound" }
        }
    } })
}

fn column_schema(name: &str, kind: ColumnType) -> Value {
    match kind {
        _ if is_json_column(name) => json!({ "type": "object", "additionalProperties": true }),
        ColumnType::Int => json!({ "type": "integer", "format": "int64", "nullable": true }),
        ColumnType::Real => json!({ "type": "number", "nullable": true }),
        ColumnType::Text => json!({ "type": "string", "nullable": true }),
    }
}

fn record_schema(table: &Table) -> Value {
    let mut properties = Map::new();
    properties.insert(
        "id".to_owned(),
        match table.key {
            KeyType::Int => json!({ "type": "integer", "format": "int64" }),
            KeyType::Text => json!({ "type": "string" }),
        },
    );
    for (name, kind) in table.columns {
        properties.insert((*name).to_owned(), column_schema(name, *kind));
    }
    for name in ["first_seen_at", "last_seen_at", "changed_at"] {
        properties.insert(
            name.to_owned(),
            json!({ "type": "string", "format": "date-time" }),
        );
    }
    for name in ["deleted_at", "out_of_filter_at"] {
        properties.insert(
            name.to_owned(),
            json!({ "type": "string", "format": "date-time", "nullable": true }),
        );
    }
    if table.name == tables::EMPLOYEES.name {
        properties.insert(
            "employments".to_owned(),
            json!({ "type": "array", "items": { "$ref": format!("#/components/schemas/{}", schema_name(tables::EMPLOYMENTS.name)) } }),
        );
        properties.insert(
            "cost_centers".to_owned(),
            json!({ "type": "array", "items": { "$ref": format!("#/components/schemas/{}", schema_name(tables::EMPLOYEE_COST_CENTERS.name)) } }),
        );
    }
    let required: Vec<String> = properties.keys().cloned().collect();
    properties.insert(
        "raw".to_owned(),
        json!({ "type": "object", "additionalProperties": true, "description": "Personio's JSON for the record, with `include=raw`." }),
    );
    json!({ "type": "object", "required": required, "properties": properties })
}

fn company_schema() -> Value {
    let strings = json!({ "type": "array", "items": { "type": "string" } });
    json!({
        "type": "object",
        "required": ["id", "name", "base_url", "client_id", "filters", "sync_interval_minutes", "connection", "created_at", "updated_at", "last_sync"],
        "properties": {
            "id": { "type": "integer", "format": "int64" },
            "name": { "type": "string" },
            "base_url": { "type": "string" },
            "client_id": { "type": "string" },
            "filters": { "type": "object", "properties": {
                "legal_entities": strings, "statuses": strings, "offices": strings, "departments": strings
            } },
            "sync_interval_minutes": { "type": "integer", "nullable": true },
            "connection": {
                "type": "object", "required": ["status", "reason", "since"],
                "description": "Whether Personio still accepts the company's credential. A broken company (the credential was refused: revoked, secret regenerated, an area taken away) is not synced on schedule until it is linked again.",
                "properties": {
                    "status": { "type": "string", "enum": ["linked", "broken"] },
                    "reason": { "type": "string", "nullable": true, "description": "Why it is broken; null while linked." },
                    "since": { "type": "string", "format": "date-time" }
                }
            },
            "created_at": { "type": "string", "format": "date-time" },
            "updated_at": { "type": "string", "format": "date-time" },
            "last_sync": { "type": "object", "nullable": true, "properties": {
                "outcome": { "type": "string", "enum": ["running", "succeeded", "partial", "failed", "interrupted"] },
                "started_at": { "type": "string", "format": "date-time" },
                "finished_at": { "type": "string", "format": "date-time", "nullable": true },
                "error": { "type": "string", "nullable": true }
            } }
        }
    })
}

fn problem_schema() -> Value {
    json!({
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": { "type": "string" },
            "title": { "type": "string" },
            "status": { "type": "integer" },
            "detail": { "type": "string" },
            "field": { "type": "string", "description": "The body's field that is missing or invalid, when one is." }
        }
    })
}
