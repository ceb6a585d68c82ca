//! Statements as the store writes them: placeholders in each dialect's style, keys and values
//! bound as their columns' types and read back, and the mark that a statement was built from
//! our own names. It imports only `error`, `tables` and `value`; every module that runs SQL
//! imports it.

use sqlx::Row;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Transaction};

use crate::error::Result;
use crate::tables::{ColumnType, KeyType};
use crate::value::{Key, Value};

/// Keys bound in one `IN (...)` list (well under both dialects' parameter limits).
pub(crate) const KEYS_PER_STATEMENT: usize = 200;

/// Parameters per multi-row INSERT: numbered ones are looked up by name with a linear scan
/// on SQLite (binding cost grows with the square of a statement's parameters: a
/// 5,000-parameter insert spent more time binding than writing), anonymous ones are not.
const NUMBERED_PARAMS_PER_INSERT: usize = 256;
const ANONYMOUS_PARAMS_PER_INSERT: usize = 2_000;

/// A statement built from our own table and column names and `$n` placeholders: never from
/// input, so it is safe to run as dynamic SQL.
pub(crate) fn built(sql: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql)
}

/// How a statement's parameters are written. PostgreSQL knows only `$n`; on SQLite anonymous
/// `?` are bound in order without the lookup by name (all of a statement's parameters must
/// then be anonymous and used once, in order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marks {
    Numbered,
    Anonymous,
}

impl Marks {
    pub(crate) fn of(tx: &Transaction<'_, Any>) -> Marks {
        if tx.backend_name() == "SQLite" {
            Marks::Anonymous
        } else {
            Marks::Numbered
        }
    }

    /// Placeholders for parameters `first .. first + count`.
    pub(crate) fn list(self, first: usize, count: usize) -> String {
        match self {
            Marks::Numbered => placeholders(first, count),
            Marks::Anonymous => vec!["?"; count].join(", "),
        }
    }

    pub(crate) fn params_per_insert(self) -> usize {
        match self {
            Marks::Numbered => NUMBERED_PARAMS_PER_INSERT,
            Marks::Anonymous => ANONYMOUS_PARAMS_PER_INSERT,
        }
    }
}

/// `$first, $first+1, ...` (count of them).
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn bind_key<'q>(
    query: Query<'q, Any, AnyArguments>,
    key: &Key,
) -> Query<'q, Any, AnyArguments> {
    match key {
        Key::Int(n) => query.bind(*n),
        Key::Text(s) => query.bind(s.clone()),
    }
}

/// Binds a double. sqlx 0.9.0's `Any` driver types a NULL `f64` as PostgreSQL's `float4`
/// (and a NULL `f32` as `float8`); a cached statement first prepared with that NULL then
/// refuses a real value ("incorrect binary data format"). A NULL is bound as `f32`, so
/// that the statement's parameter is a double whichever comes first. The swap is known
/// upstream (transact-rs/sqlx#4284, fixed for a later release): an sqlx with the fix needs
/// `None::<f64>` here, and the PostgreSQL run of the store test
/// `the_export_shows_the_employment_that_started_last` fails until it gets it.
fn bind_real(
    query: Query<'_, Any, AnyArguments>,
    value: Option<f64>,
) -> Query<'_, Any, AnyArguments> {
    match value {
        Some(x) => query.bind(x),
        None => query.bind(None::<f32>),
    }
}

/// Binds a value as its column's type, so NULLs and numbers are typed as the column is.
pub(crate) fn bind_value<'q>(
    query: Query<'q, Any, AnyArguments>,
    value: &Value,
    kind: ColumnType,
) -> Query<'q, Any, AnyArguments> {
    match (kind, value) {
        (ColumnType::Int, Value::Int(n)) => query.bind(*n),
        (ColumnType::Real, Value::Real(x)) => bind_real(query, Some(*x)),
        (ColumnType::Text, Value::Text(s)) => query.bind(s.clone()),
        (ColumnType::Int, Value::Null) => query.bind(None::<i64>),
        (ColumnType::Real, Value::Null) => bind_real(query, None),
        (ColumnType::Text, Value::Null) => query.bind(None::<String>),
        // Rows are built column by column with their types checked (`row.rs`), so no value
        // lands here in a column of another type; were one to, it is bound as what it is,
        // for the database to keep or refuse, never turned into a number or NULL unseen.
        (_, Value::Int(n)) => query.bind(*n),
        (_, Value::Real(x)) => query.bind(*x),
        (_, Value::Text(s)) => query.bind(s.clone()),
    }
}

/// The `id` column of a row as the table keys it.
pub(crate) fn read_key(row: &AnyRow, kind: KeyType) -> Result<Key> {
    Ok(match kind {
        KeyType::Int => Key::Int(row.try_get("id")?),
        KeyType::Text => Key::Text(row.try_get("id")?),
    })
}

pub(crate) fn read_value(row: &AnyRow, name: &str, kind: ColumnType) -> Result<Value> {
    Ok(match kind {
        ColumnType::Int => Value::opt_int(row.try_get(name)?),
        ColumnType::Real => Value::opt_real(row.try_get(name)?),
        ColumnType::Text => Value::opt_text(row.try_get::<Option<String>, _>(name)?),
    })
}
