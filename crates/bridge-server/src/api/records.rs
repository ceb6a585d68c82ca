//! `/api/v1/companies/{company}/{table}`: a company's records of one table, page by page in
//! key order, narrowed by the query's filters. Employees come with their employments and cost
//! center splits. `/api/v1/companies/{company}/employees/{id}/{table}`: one person's
//! attendance or absence periods.
//!
//! The store builds each record's JSON (see `bridge_store::PageQuery`); the answer is written
//! around those texts without parsing them again.

use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bridge_store::tables::{
    self, ABSENCE_PERIODS, ATTENDANCE_PERIODS, ColumnType, EMPLOYEES, Table,
};
use bridge_store::{
    CompanyId, FilterValues, JsonRecord, Key, PageQuery, Scope, Store, Value, day_span_of,
    fields_of, filters_of,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value as JsonValue;

use super::auth::ApiCaller;
use super::{DEFAULT_LIMIT, MAX_LIMIT, Problem, cursor};
use crate::state::AppState;

/// The query parameters every list takes (its filters come on top).
pub(crate) const COMMON_PARAMETERS: &[&str] = &[
    "limit",
    "cursor",
    "updated_since",
    "include_deleted",
    "fields",
    "include",
];

/// The tables one person's records can be listed from under `employees/{id}/`.
pub(crate) const PER_EMPLOYEE: &[&Table] = &[&ATTENDANCE_PERIODS, &ABSENCE_PERIODS];

pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((company, resource)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    caller.require(Scope::Read)?;
    let table = table(&resource)?;
    let page = page_query(table, query.as_deref().unwrap_or(""), &[])?;
    let company = caller.company_id(&state.store, &company).await?;
    serve_page(&state.store, company, table, page).await
}

/// One person's records of a table with an `employee_id` (404 for a person never stored).
pub(crate) async fn of_employee(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((company, employee, resource)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    caller.require(Scope::Read)?;
    let Some(table) = PER_EMPLOYEE.iter().copied().find(|t| t.name == resource) else {
        let known: Vec<&str> = PER_EMPLOYEE.iter().map(|t| t.name).collect();
        return Err(Problem::not_found(format!(
            "no resource {resource:?} under an employee; the API serves {}",
            known.join(", ")
        )));
    };
    let id: i64 = employee
        .parse()
        .map_err(|_| Problem::not_found(format!("no employees record {employee}")))?;
    // The person is the path's, not the query's.
    let mut page = page_query(table, query.as_deref().unwrap_or(""), &["employee_id"])?;
    let company = caller.company_id(&state.store, &company).await?;
    let person = state
        .store
        .json_page(
            company,
            &EMPLOYEES,
            &PageQuery {
                keys: Some(vec![Key::Int(id)]),
                limit: 1,
                include_removed: true,
                fields: Some(Vec::new()),
                ..PageQuery::default()
            },
        )
        .await?;
    if person.is_empty() {
        return Err(Problem::not_found(format!("no employees record {id}")));
    }
    if let Some(filter) = filters_of(table)
        .into_iter()
        .find(|f| f.name == "employee_id")
    {
        page.filters.push(FilterValues {
            filter,
            values: vec![Value::Int(id)],
        });
    }
    serve_page(&state.store, company, table, page).await
}

/// A page as `{"data": [...], "next_cursor": ...}`.
async fn serve_page(
    store: &Store,
    company: CompanyId,
    table: &'static Table,
    mut page: PageQuery,
) -> Result<Response, Problem> {
    let limit = page.limit;
    // One more than asked: whether it exists says if there is a next page.
    page.limit = limit + 1;
    let mut records = store.json_page(company, table, &page).await?;
    let next_cursor = if records.len() > limit as usize {
        records.truncate(limit as usize);
        records.last().map(|r| cursor::encode(&r.key))
    } else {
        None
    };
    let size = records.iter().map(|r| r.json.len() + 1).sum::<usize>() + 64;
    let mut body = String::with_capacity(size);
    body.push_str("{\"data\":[");
    for (i, record) in records.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&record.json);
    }
    body.push_str("],\"next_cursor\":");
    match next_cursor {
        // Base64url: nothing in it needs escaping.
        Some(cursor) => {
            body.push('"');
            body.push_str(&cursor);
            body.push('"');
        }
        None => body.push_str("null"),
    }
    body.push('}');
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// The page a query string asks for, every parameter checked; `taken` are parameters the path
/// already decides (refused in the query).
fn page_query(table: &'static Table, query: &str, taken: &[&str]) -> Result<PageQuery, Problem> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|e| Problem::bad_request(format!("query string: {e}")))?;
    let filters: Vec<_> = filters_of(table)
        .into_iter()
        .filter(|f| !taken.contains(&f.name))
        .collect();
    let days = day_span_of(table).is_some();
    let mut page = PageQuery {
        limit: DEFAULT_LIMIT,
        ..PageQuery::default()
    };
    let mut seen: Vec<&str> = Vec::new();
    for (name, text) in &pairs {
        if seen.contains(&name.as_str()) {
            return Err(Problem::bad_request(format!(
                "{name}: given more than once (list several values as {name}=a,b)"
            )));
        }
        match name.as_str() {
            "limit" => page.limit = limit(text)?,
            "cursor" => {
                page.after = Some(cursor::decode(text, table.key).ok_or_else(|| {
                    Problem::bad_request(
                        "cursor is not one this API gave out for this resource; start again without it",
                    )
                })?);
            }
            "updated_since" => page.changed_since = Some(time("updated_since", text)?),
            "include_deleted" => page.include_removed = boolean("include_deleted", text)?,
            "fields" => page.fields = Some(fields(table, text)?),
            "include" => {
                for part in text.split(',') {
                    match part {
                        "raw" => page.raw = true,
                        other => {
                            return Err(Problem::bad_request(format!(
                                "include: {other:?} is not something a record can include; the API knows raw (Personio's JSON for the record)"
                            )));
                        }
                    }
                }
            }
            "from" if days => page.from = Some(day("from", text)?),
            "to" if days => page.to = Some(day("to", text)?),
            other => match filters.iter().find(|f| f.name == other) {
                Some(filter) => page.filters.push(FilterValues {
                    filter: *filter,
                    values: values(filter.name, filter.kind, text)?,
                }),
                None => return Err(unknown(table, other, &filters, days)),
            },
        }
        seen.push(name);
    }
    if let (Some(from), Some(to)) = (page.from, page.to)
        && to < from
    {
        return Err(Problem::bad_request(format!(
            "to: {to} is before from {from}"
        )));
    }
    Ok(page)
}

fn unknown(table: &Table, name: &str, filters: &[bridge_store::Filterable], days: bool) -> Problem {
    let mut known: Vec<&str> = COMMON_PARAMETERS.to_vec();
    if days {
        known.extend(["from", "to"]);
    }
    known.extend(filters.iter().map(|f| f.name));
    Problem::bad_request(format!(
        "{name}: not a query parameter of {}; it takes {}",
        table.name,
        known.join(", ")
    ))
}

fn limit(text: &str) -> Result<u32, Problem> {
    text.parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_LIMIT).contains(n))
        .ok_or_else(|| {
            Problem::bad_request(format!(
                "limit {text:?} must be a whole number from 1 to {MAX_LIMIT}"
            ))
        })
}

fn time(name: &str, text: &str) -> Result<DateTime<Utc>, Problem> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Problem::bad_request(format!(
                "{name} {text:?} must be an RFC 3339 time such as 2026-11-02T08:00:00Z"
            ))
        })
}

fn boolean(name: &str, text: &str) -> Result<bool, Problem> {
    match text {
        "false" => Ok(false),
        "true" => Ok(true),
        other => Err(Problem::bad_request(format!(
            "{name} {other:?} must be true or false"
        ))),
    }
}

fn day(name: &str, text: &str) -> Result<NaiveDate, Problem> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        // Only the fixed-width form: it is compared as text with the stored days.
        .filter(|_| text.len() == 10)
        .ok_or_else(|| {
            Problem::bad_request(format!("{name} {text:?} must be a day such as 2026-03-01"))
        })
}

/// The fields `text` names (a comma-separated list of the table's fields).
fn fields(table: &Table, text: &str) -> Result<Vec<&'static str>, Problem> {
    let known = fields_of(table);
    text.split(',')
        .map(|name| {
            known.iter().copied().find(|f| *f == name).ok_or_else(|| {
                Problem::bad_request(format!(
                    "fields: {name:?} is not a field of {}; its fields are {}",
                    table.name,
                    known.join(", ")
                ))
            })
        })
        .collect()
}

/// The values of a filter (a comma-separated list), as its column's type.
fn values(name: &str, kind: ColumnType, text: &str) -> Result<Vec<Value>, Problem> {
    text.split(',')
        .map(|part| {
            if part.is_empty() {
                return Err(Problem::bad_request(format!(
                    "{name}: an empty value (list several values as {name}=a,b)"
                )));
            }
            match kind {
                ColumnType::Int => part.parse().map(Value::Int).map_err(|_| {
                    Problem::bad_request(format!("{name} {part:?} must be a whole number"))
                }),
                ColumnType::Real => part
                    .parse()
                    .map(Value::Real)
                    .map_err(|_| Problem::bad_request(format!("{name} {part:?} must be a number"))),
                ColumnType::Text => Ok(Value::Text(part.to_owned())),
            }
        })
        .collect()
}

pub(crate) async fn one(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((company, resource, id)): Path<(String, String, String)>,
) -> Result<Response, Problem> {
    caller.require(Scope::Read)?;
    let table = table(&resource)?;
    let key = match table.key {
        tables::KeyType::Int => Key::Int(
            id.parse()
                .map_err(|_| Problem::not_found(format!("no {resource} record {id}")))?,
        ),
        tables::KeyType::Text => Key::Text(id.clone()),
    };
    // Through the key, like every read: a key limited to some companies reaches no other's.
    let company = caller.company_id(&state.store, &company).await?;
    match stored(&state.store, company, table, key).await? {
        Some(record) => {
            Ok(([(header::CONTENT_TYPE, "application/json")], record.json).into_response())
        }
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

/// One record with every field, deleted ones too.
async fn stored(
    store: &Store,
    company: CompanyId,
    table: &'static Table,
    key: Key,
) -> Result<Option<JsonRecord>, Problem> {
    let mut records = store
        .json_page(
            company,
            table,
            &PageQuery {
                keys: Some(vec![key]),
                limit: 1,
                include_removed: true,
                ..PageQuery::default()
            },
        )
        .await?;
    Ok(records.pop())
}

/// One record as the API shows it now (deleted ones too), or `None` when it is not stored.
pub(crate) async fn record_now(
    store: &Store,
    company: CompanyId,
    table: &'static Table,
    key: &Key,
) -> Result<Option<JsonValue>, Problem> {
    stored(store, company, table, key.clone())
        .await?
        .map(|record| {
            serde_json::from_str(&record.json).map_err(|e| {
                Problem::internal(&bridge_store::Error::Corrupt(format!(
                    "{} record {key} as JSON: {e}",
                    table.name
                )))
            })
        })
        .transpose()
}
