//! The values and keys the store reads and writes, independent of the SQL dialect.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

/// One column value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl Value {
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }

    /// Text, or `Null` for `None`.
    pub fn opt_text<S: Into<String>>(s: Option<S>) -> Value {
        s.map(|s| Value::Text(s.into())).unwrap_or(Value::Null)
    }

    pub fn opt_int(n: Option<i64>) -> Value {
        n.map(Value::Int).unwrap_or(Value::Null)
    }

    pub fn opt_real(x: Option<f64>) -> Value {
        x.map(Value::Real).unwrap_or(Value::Null)
    }

    /// Two values equal for change detection (reals compared with a tolerance).
    pub(crate) fn same_as(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Real(a), Value::Real(b)) => (a - b).abs() < 1e-9,
            (Value::Int(a), Value::Real(b)) | (Value::Real(b), Value::Int(a)) => {
                (*a as f64 - b).abs() < 1e-9
            }
            (a, b) => a == b,
        }
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n)
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Value {
        Value::Real(x)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_owned())
    }
}

/// `None` is NULL.
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Value {
        value.map_or(Value::Null, Into::into)
    }
}

/// A record's key within its company.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum Key {
    Int(i64),
    Text(String),
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Int(n) => n.fmt(f),
            Key::Text(s) => f.write_str(s),
        }
    }
}

/// How timestamps are stored: UTC, milliseconds, `Z` (one fixed width, so text order is time order).
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
