//! `/api/v1/companies/{company}/{table}`: a company's records of one table, page by page in
//! key order. Employees come with their employments and cost center splits.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use bridge_store::tables::{self, ColumnType, EMPLOYEE_COST_CENTERS, EMPLOYMENTS, Table};
use bridge_store::{CompanyId, Key, RecordQuery, Scope, Store, StoredRecord, Value};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value as JsonValue, json};

use super::auth::ApiCaller;
use super::{DEFAULT_LIMIT, MAX_LIMIT, Problem, cursor};
use crate::state::AppState;

/// The query string of a listing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    limit: Option<String>,
    cursor: Option<String>,
    updated_since: Option<String>,
    include_deleted: Option<String>,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((company, resource)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Json<JsonValue>, Problem> {
    caller.require(Scope::Read)?;
    let table = table(&resource)?;
    let params: ListParams = serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
        .map_err(|e| Problem::bad_request(format!("query string: {e}")))?;
    let limit = match params.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                Problem::bad_request(format!(
                    "limit {text:?} must be a whole number from 1 to {MAX_LIMIT}"
                ))
            })?,
    };
    let after = params
        .cursor
        .as_deref()
        .map(|c| {
            cursor::decode(c, table.key).ok_or_else(|| {
                Problem::bad_request(
                    "cursor is not one this API gave out for this resource; start again without it",
                )
            })
        })
        .transpose()?;
    let changed_since = params
        .updated_since
        .as_deref()
        .map(|text| {
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    Problem::bad_request(format!(
                        "updated_since {text:?} must be an RFC 3339 time such as 2026-11-02T08:00:00Z"
                    ))
                })
        })
        .transpose()?;
    let include_removed = match params.include_deleted.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(Problem::bad_request(format!(
                "include_deleted {other:?} must be true or false"
            )));
        }
    };
    let company = caller.company(&state.store, &company).await?;
    // One more than asked: whether it exists says if there is a next page.
    let mut records = state
        .store
        .browse(
            company.id,
            table,
            &RecordQuery {
                after,
                limit: limit + 1,
                changed_since,
                include_removed,
                ..RecordQuery::default()
            },
        )
        .await?;
    let next_cursor = if records.len() > limit as usize {
        records.truncate(limit as usize);
        records.last().map(|r| cursor::encode(&r.key))
    } else {
        None
    };
    let data = render(&state.store, company.id, table, records).await?;
    Ok(Json(json!({ "data": data, "next_cursor": next_cursor })))
}

pub(crate) async fn one(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((company, resource, id)): Path<(String, String, String)>,
) -> Result<Json<JsonValue>, Problem> {
    caller.require(Scope::Read)?;
    let table = table(&resource)?;
    let key = match table.key {
        tables::KeyType::Int => Key::Int(
            id.parse()
                .map_err(|_| Problem::not_found(format!("no {resource} record {id}")))?,
        ),
        tables::KeyType::Text => Key::Text(id.clone()),
    };
    let company = state.store.company(&company).await?;
    let records = state
        .store
        .browse(
            company.id,
            table,
            &RecordQuery {
                keys: Some(vec![key]),
                limit: 1,
                include_removed: true,
                ..RecordQuery::default()
            },
        )
        .await?;
    let mut data = render(&state.store, company.id, table, records).await?;
    match data.pop() {
        Some(record) => Ok(Json(record)),
        None => Err(Problem::not_found(format!("no {resource} record {id}"))),
    }
}

fn table(resource: &str) -> Result<&'static Table, Problem> {
    tables::by_name(resource).ok_or_else(|| {
        let known: Vec<&str> = tables::ALL.iter().map(|t| t.name).collect();
        Problem::not_found(format!(
            "no resource {resource:?}; the API serves {}",
            known.join(", ")
        ))
    })
}

/// Records as JSON; employees get their employments and cost center splits.
async fn render(
    store: &Store,
    company: CompanyId,
    table: &'static Table,
    records: Vec<StoredRecord>,
) -> Result<Vec<JsonValue>, Problem> {
    let mut out: Vec<JsonValue> = records.iter().map(|r| record_json(table, r)).collect();
    if table.name == tables::EMPLOYEES.name && !records.is_empty() {
        let ids: Vec<i64> = records
            .iter()
            .filter_map(|r| match r.key {
                Key::Int(n) => Some(n),
                Key::Text(_) => None,
            })
            .collect();
        for (child, field) in [
            (&EMPLOYMENTS, "employments"),
            (&EMPLOYEE_COST_CENTERS, "cost_centers"),
        ] {
            let mut by_employee = children(store, company, child, &ids).await?;
            for (record, json) in records.iter().zip(out.iter_mut()) {
                let Key::Int(id) = record.key else { continue };
                if let Some(object) = json.as_object_mut() {
                    object.insert(
                        field.to_owned(),
                        JsonValue::Array(by_employee.remove(&id).unwrap_or_default()),
                    );
                }
            }
        }
    }
    Ok(out)
}

/// Live rows of `table` whose `employee_id` is one of `ids`, grouped by it.
async fn children(
    store: &Store,
    company: CompanyId,
    table: &'static Table,
    ids: &[i64],
) -> Result<BTreeMap<i64, Vec<JsonValue>>, Problem> {
    let rows = store
        .browse(
            company,
            table,
            &RecordQuery {
                column_in: Some(("employee_id", ids.to_vec())),
                limit: u32::MAX,
                ..RecordQuery::default()
            },
        )
        .await?;
    let index = table.column_index("employee_id");
    let mut grouped: BTreeMap<i64, Vec<JsonValue>> = BTreeMap::new();
    for row in &rows {
        if let Some(Value::Int(employee)) = index.and_then(|i| row.values.get(i)) {
            grouped
                .entry(*employee)
                .or_default()
                .push(record_json(table, row));
        }
    }
    Ok(grouped)
}

/// One record: `id`, the normalized columns, and when it was seen and changed.
fn record_json(table: &Table, record: &StoredRecord) -> JsonValue {
    let mut object = Map::new();
    object.insert(
        "id".to_owned(),
        match &record.key {
            Key::Int(n) => json!(n),
            Key::Text(s) => json!(s),
        },
    );
    for ((name, kind), value) in table.columns.iter().zip(&record.values) {
        object.insert((*name).to_owned(), value_json(name, *kind, value));
    }
    object.insert("first_seen_at".to_owned(), json!(record.first_seen_at));
    object.insert("last_seen_at".to_owned(), json!(record.last_seen_at));
    object.insert("changed_at".to_owned(), json!(record.changed_at));
    object.insert("deleted_at".to_owned(), json!(record.deleted_at));
    object.insert(
        "out_of_filter_at".to_owned(),
        json!(record.out_of_filter_at),
    );
    JsonValue::Object(object)
}

fn value_json(name: &str, kind: ColumnType, value: &Value) -> JsonValue {
    match value {
        Value::Null => JsonValue::Null,
        Value::Int(n) => json!(n),
        Value::Real(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => json!(*x as i64),
        Value::Real(x) => json!(x),
        // JSON kept as text (custom attributes) is served as JSON.
        Value::Text(s) if kind == ColumnType::Text && is_json_column(name) => {
            serde_json::from_str(s).unwrap_or_else(|_| json!(s))
        }
        Value::Text(s) => json!(s),
    }
}

/// Columns that hold a JSON document rather than a string.
pub(crate) fn is_json_column(name: &str) -> bool {
    name == "custom_attributes"
}

/// One record as the API shows it now (deleted ones too), or `None` when it is not stored.
pub(crate) async fn record_now(
    store: &Store,
    company: CompanyId,
    table: &'static Table,
    key: &Key,
) -> Result<Option<JsonValue>, Problem> {
    let records = store
        .browse(
            company,
            table,
            &RecordQuery {
                keys: Some(vec![key.clone()]),
                limit: 1,
                include_removed: true,
                ..RecordQuery::default()
            },
        )
        .await?;
    Ok(render(store, company, table, records).await?.pop())
}
