//! Reading a write's body, in the field names the bridge's own records use, field by field:
//! every mistake names its field, before anything is sent to Personio.

use chrono::NaiveDateTime;
use serde_json::{Map, Value};

/// A field that is missing or malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {detail}")]
pub struct FieldError {
    pub field: String,
    pub detail: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, detail: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            detail: detail.into(),
        }
    }
}

/// A JSON object read field by field; fields not taken are refused by [`Fields::finish`].
pub(crate) struct Fields {
    object: Map<String, Value>,
}

impl Fields {
    pub(crate) fn of(body: Value) -> Result<Fields, FieldError> {
        match body {
            Value::Object(object) => Ok(Fields { object }),
            _ => Err(FieldError::new("", "the body must be a JSON object")),
        }
    }

    /// `Some(value)` when present (null included), `None` when absent.
    fn take(&mut self, field: &str) -> Option<Value> {
        self.object.remove(field)
    }

    pub(crate) fn has(&self, field: &str) -> bool {
        self.object.contains_key(field)
    }

    pub(crate) fn required<T>(
        &mut self,
        field: &str,
        read: impl Fn(&str, Value) -> Result<T, FieldError>,
    ) -> Result<T, FieldError> {
        match self.take(field) {
            None | Some(Value::Null) => Err(FieldError::new(field, "is required")),
            Some(value) => read(field, value),
        }
    }

    /// Absent or null → `None`.
    pub(crate) fn optional<T>(
        &mut self,
        field: &str,
        read: impl Fn(&str, Value) -> Result<T, FieldError>,
    ) -> Result<Option<T>, FieldError> {
        match self.take(field) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => read(field, value).map(Some),
        }
    }

    /// Absent → `None`, null → `Some(None)` (a PATCH that clears the field).
    pub(crate) fn nullable<T>(
        &mut self,
        field: &str,
        read: impl Fn(&str, Value) -> Result<T, FieldError>,
    ) -> Result<Option<Option<T>>, FieldError> {
        match self.take(field) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(value) => read(field, value).map(|v| Some(Some(v))),
        }
    }

    /// Refuses fields nobody took.
    pub(crate) fn finish(self, known: &[&str]) -> Result<(), FieldError> {
        match self.object.keys().next() {
            None => Ok(()),
            Some(field) => Err(FieldError::new(
                field.clone(),
                format!("is not a field of this write (known: {})", known.join(", ")),
            )),
        }
    }
}

pub(crate) fn integer(field: &str, value: Value) -> Result<i64, FieldError> {
    value
        .as_i64()
        .ok_or_else(|| FieldError::new(field, "must be a whole number"))
}

pub(crate) fn text(field: &str, value: Value) -> Result<String, FieldError> {
    match value {
        Value::String(s) => Ok(s),
        _ => Err(FieldError::new(field, "must be a string")),
    }
}

/// A Personio id: a string, or a number (ids of some resources are numeric).
pub(crate) fn id(field: &str, value: Value) -> Result<String, FieldError> {
    let id = match value {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) if n.is_i64() => n.to_string(),
        _ => return Err(FieldError::new(field, "must be an id (a string)")),
    };
    if id.is_empty() || id.len() > 100 || id.chars().any(|c| c.is_control() || c == '/') {
        return Err(FieldError::new(field, "is not an id"));
    }
    Ok(id)
}

/// Text of at most `max` characters.
pub(crate) fn bounded_text(max: usize) -> impl Fn(&str, Value) -> Result<String, FieldError> {
    move |field, value| {
        let text = text(field, value)?;
        if text.chars().count() > max {
            return Err(FieldError::new(
                field,
                format!("may have at most {max} characters"),
            ));
        }
        Ok(text)
    }
}

/// One of `allowed` (upper case).
pub(crate) fn one_of(
    allowed: &'static [&'static str],
) -> impl Fn(&str, Value) -> Result<String, FieldError> {
    move |field, value| {
        let text = text(field, value)?;
        let upper = text.trim().to_ascii_uppercase();
        if allowed.contains(&upper.as_str()) {
            Ok(upper)
        } else {
            Err(FieldError::new(
                field,
                format!("must be one of {}", allowed.join(", ")),
            ))
        }
    }
}

/// A wall-clock time without zone, `YYYY-MM-DDTHH:MM[:SS]`, normalized to seconds:
/// Personio's v2 time records take local times and refuse an offset (personio-api.md §3.1).
pub(crate) fn local_time(field: &str, value: Value) -> Result<NaiveDateTime, FieldError> {
    let text = text(field, value)?;
    let text = text.trim();
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(time) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(time);
        }
    }
    let detail = if text.ends_with('Z') || text.get(19..).is_some_and(|t| t.contains(['+', '-'])) {
        "must be a local time without zone or offset, such as 2026-11-02T09:00:00 (Personio takes the person's own time)"
    } else {
        "must be a local time such as 2026-11-02T09:00:00"
    };
    Err(FieldError::new(field, detail))
}

/// A local time as Personio writes it.
pub(crate) fn format_local(time: NaiveDateTime) -> String {
    time.format("%Y-%m-%dT%H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn local_times_are_read_without_zones() {
        assert_eq!(
            format_local(local_time("start", json!("2026-11-02T09:30")).unwrap()),
            "2026-11-02T09:30:00"
        );
        let zoned = local_time("start", json!("2026-11-02T09:30:00Z")).unwrap_err();
        assert!(zoned.detail.contains("without zone"), "{zoned}");
        let offset = local_time("end", json!("2026-11-02T09:30:00+01:00")).unwrap_err();
        assert_eq!(offset.field, "end");
        assert!(local_time("start", json!(5)).is_err());
    }

    #[test]
    fn unknown_fields_are_named() {
        let mut fields = Fields::of(json!({"a": 1, "colour": "red"})).unwrap();
        assert_eq!(fields.required("a", integer).unwrap(), 1);
        assert_eq!(fields.finish(&["a"]).unwrap_err().field, "colour");
        assert!(Fields::of(json!([1])).is_err());
    }
}
