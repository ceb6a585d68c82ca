//! Employees written through v1 `POST /v1/company/employees` and
//! `PATCH /v1/company/employees/{id}` (personio-api.md §2.2).
//!
//! Why v1 and not v2 `POST /v2/persons`: the v1 endpoints are the documented integration
//! writes for the "Employees" access area that every credential has (the same area the
//! bridge reads through), they answer the new employee's id in a documented body
//! (`{"success": true, "data": {"id": 81723}}`) and refuse with a documented 422; v2 person
//! writes need the separate `personio:persons:write` scope and the body of their 201 is not
//! documented (§3.3 marks it UNCONFIRMED), which would leave every create's id to a read.
//! v1 also takes a person and their employment in one request (position, hire date, office,
//! department, supervisor, hours), which v2 splits over persons and employments.
//!
//! Bodies use the field names of the bridge's `employees` and `employments` records.
//! Custom attributes are named by their label (as the bridge shows them) or by Personio's
//! key (`dynamic_123`); labels become keys from the credential's attribute list just
//! before sending. Checked before sending: names, email, dates, hours, the status and
//! gender words; unknown org names and supervisors are Personio's to judge (v1 ignores an
//! unknown department or office with a note, §2.2).

use personio_api::v1::{AttributeDefinition, Employee};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::fields::{FieldError, Fields, bounded_text, integer, text};

/// The fields a create or an update takes (an update: all but `email`).
pub const EMPLOYEE_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "preferred_name",
    "email",
    "gender",
    "position",
    "status",
    "hire_date",
    "weekly_working_hours",
    "supervisor_id",
    "legal_entity",
    "office",
    "department",
    "custom_attributes",
];

const GENDERS: &[&str] = &["male", "female", "diverse"];
const STATUSES: &[&str] = &["active", "inactive", "onboarding", "leave"];

/// A new employee: the person and their employment, in the bridge's field names, already
/// checked and normalized (absent fields are left out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEmployee {
    pub email: String,
    pub fields: Map<String, Value>,
}

impl NewEmployee {
    /// Reads a create body: `email`, `first_name` and `last_name` required, any other of
    /// [`EMPLOYEE_FIELDS`].
    pub fn from_json(body: Value) -> Result<NewEmployee, FieldError> {
        let fields = match body {
            Value::Object(object) => object,
            _ => return Err(FieldError::new("", "the body must be a JSON object")),
        };
        for required in ["email", "first_name", "last_name"] {
            if fields.get(required).is_none_or(Value::is_null) {
                return Err(FieldError::new(required, "is required"));
            }
        }
        let fields = checked(fields, true)?;
        let email = fields
            .get("email")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        Ok(NewEmployee { email, fields })
    }
}

/// Checks and normalizes the fields of an employee write (`creating`: `email` allowed).
/// Absent fields stay absent; `null` clears where Personio allows it (supervisor).
pub fn checked(
    fields: Map<String, Value>,
    creating: bool,
) -> Result<Map<String, Value>, FieldError> {
    let mut input = Fields::of(Value::Object(fields))?;
    let mut out = Map::new();
    let name = bounded_text(255);
    for field in ["first_name", "last_name", "preferred_name", "position"] {
        if let Some(value) = input.optional(field, &name)? {
            if value.trim().is_empty() && field != "preferred_name" {
                return Err(FieldError::new(field, "must not be empty"));
            }
            out.insert(field.into(), Value::String(value.trim().to_owned()));
        }
    }
    if creating {
        if let Some(email) = input.optional("email", text)? {
            let email = email.trim().to_owned();
            if !looks_like_email(&email) {
                return Err(FieldError::new("email", "must be an email address"));
            }
            out.insert("email".into(), Value::String(email));
        }
    } else if input.has("email") {
        return Err(FieldError::new(
            "email",
            "cannot be changed through Personio's API",
        ));
    }
    for (field, allowed) in [("gender", GENDERS), ("status", STATUSES)] {
        if let Some(value) = input.optional(field, text)? {
            let lower = value.trim().to_ascii_lowercase();
            if !allowed.contains(&lower.as_str()) {
                return Err(FieldError::new(
                    field,
                    format!("must be one of {}", allowed.join(", ")),
                ));
            }
            out.insert(field.into(), Value::String(lower));
        }
    }
    if let Some(day) = input.optional("hire_date", text)? {
        let day = chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
            .map_err(|_| FieldError::new("hire_date", "must be a date such as 2027-01-31"))?;
        out.insert("hire_date".into(), Value::String(day.to_string()));
    }
    if let Some(hours) = input.optional("weekly_working_hours", |field, value| {
        value
            .as_f64()
            .filter(|h| (0.0..=168.0).contains(h))
            .ok_or_else(|| FieldError::new(field, "must be a number of hours from 0 to 168"))
    })? {
        out.insert("weekly_working_hours".into(), Value::from(hours));
    }
    match input.nullable("supervisor_id", integer)? {
        None => {}
        Some(None) => {
            out.insert("supervisor_id".into(), Value::Null);
        }
        Some(Some(id)) if id > 0 => {
            out.insert("supervisor_id".into(), Value::from(id));
        }
        Some(Some(_)) => return Err(FieldError::new("supervisor_id", "is not an employee id")),
    }
    for field in ["legal_entity", "office", "department"] {
        if let Some(value) = input.optional(field, &name)? {
            out.insert(field.into(), Value::String(value.trim().to_owned()));
        }
    }
    if let Some(custom) = input.optional("custom_attributes", |field, value| match value {
        Value::Object(map) if !map.is_empty() => Ok(map),
        _ => Err(FieldError::new(
            field,
            "must be an object of attribute labels (or dynamic_ keys) and their values",
        )),
    })? {
        for (label, value) in &custom {
            let ok = match value {
                Value::Null | Value::String(_) | Value::Number(_) | Value::Bool(_) => true,
                Value::Array(items) => items.iter().all(Value::is_string),
                Value::Object(_) => false,
            };
            if label.trim().is_empty() || !ok {
                return Err(FieldError::new(
                    format!("custom_attributes.{label}"),
                    "must be text, a number, true or false, a list of texts, or null",
                ));
            }
        }
        out.insert("custom_attributes".into(), Value::Object(custom));
    }
    input.finish(EMPLOYEE_FIELDS)?;
    if out.is_empty() {
        return Err(FieldError::new(
            "",
            format!(
                "name at least one field to change ({})",
                EMPLOYEE_FIELDS.join(", ")
            ),
        ));
    }
    Ok(out)
}

pub(crate) fn looks_like_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && text.len() <= 255
                && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// The custom attribute labels of `fields` that the credential's attribute list does not
/// know, as field names (`custom_attributes.<label>`).
pub(crate) fn unknown_attribute(
    fields: &Map<String, Value>,
    definitions: &[AttributeDefinition],
) -> Option<String> {
    custom(fields)
        .keys()
        .find(|label| key_of(label, definitions).is_none())
        .map(|label| format!("custom_attributes.{label}"))
}

fn custom(fields: &Map<String, Value>) -> Map<String, Value> {
    fields
        .get("custom_attributes")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Personio's key of a custom attribute named by its label (any case) or its own key.
fn key_of<'a>(label: &str, definitions: &'a [AttributeDefinition]) -> Option<&'a str> {
    let label = label.trim();
    definitions
        .iter()
        .filter(|d| d.key.starts_with("dynamic_"))
        .find(|d| d.key == label || d.label.trim().eq_ignore_ascii_case(label))
        .map(|d| d.key.as_str())
}

/// Personio's v1 body, `{"employee": {...}}`, with labels turned into keys.
pub(crate) fn body(
    fields: &Map<String, Value>,
    definitions: &[AttributeDefinition],
) -> Result<Value, FieldError> {
    let mut employee = Map::new();
    for (field, value) in fields {
        let personio = match field.as_str() {
            "legal_entity" => "subcompany",
            "custom_attributes" => continue,
            other => other,
        };
        employee.insert(personio.to_owned(), value.clone());
    }
    let custom = custom(fields);
    if !custom.is_empty() {
        let mut keyed = Map::new();
        for (label, value) in custom {
            let key = key_of(&label, definitions).ok_or_else(|| {
                FieldError::new(
                    format!("custom_attributes.{label}"),
                    "is not an attribute this credential may read in Personio",
                )
            })?;
            let value = match value {
                // v1 takes list attributes as one comma-separated text.
                Value::Array(items) => Value::String(
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(","),
                ),
                Value::Bool(b) => Value::String(b.to_string()),
                other => other,
            };
            keyed.insert(key.to_owned(), value);
        }
        employee.insert("custom_attributes".into(), Value::Object(keyed));
    }
    Ok(serde_json::json!({ "employee": employee }))
}

/// Whether `employee` shows every field of the write. Only plain fields can be compared;
/// a write with others (org names, custom attributes) is never taken as shown, and its
/// PATCH is sent again: v1 sets absolute values, so a second PATCH changes nothing more.
pub(crate) fn shown_by(fields: &Map<String, Value>, employee: &Employee) -> bool {
    fields.iter().all(|(field, want)| match field.as_str() {
        "first_name" | "last_name" | "preferred_name" | "position" | "email" | "gender"
        | "status" => {
            let have = employee.text(field).unwrap_or_default();
            want.as_str()
                .is_some_and(|w| w.trim().eq_ignore_ascii_case(have.trim()))
        }
        "hire_date" => {
            let have = employee.text("hire_date").unwrap_or_default();
            want.as_str().is_some_and(|w| have.starts_with(w))
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn definitions() -> Vec<AttributeDefinition> {
        serde_json::from_value(json!([
            {"key": "first_name", "label": "First name", "type": "standard"},
            {"key": "dynamic_7", "label": "Shirt size", "type": "list", "options": ["S", "M"]},
            {"key": "dynamic_9", "label": "Languages", "type": "multiple_options"}
        ]))
        .unwrap()
    }

    #[test]
    fn an_employee_is_read_checked_and_sent_in_personios_words() {
        let new = NewEmployee::from_json(json!({
            "email": " ada@example.com ", "first_name": "Ada", "last_name": "Lovelace",
            "gender": "Female", "hire_date": "2027-03-01", "legal_entity": "Acme GmbH",
            "custom_attributes": {"shirt size": "M", "Languages": ["en", "fr"]}
        }))
        .unwrap();
        assert_eq!(new.email, "ada@example.com");
        let body = body(&new.fields, &definitions()).unwrap();
        assert_eq!(body["employee"]["gender"], "female");
        assert_eq!(body["employee"]["subcompany"], "Acme GmbH");
        assert_eq!(body["employee"]["custom_attributes"]["dynamic_7"], "M");
        assert_eq!(body["employee"]["custom_attributes"]["dynamic_9"], "en,fr");

        let field = |body: Value| NewEmployee::from_json(body).unwrap_err().field;
        assert_eq!(field(json!({"first_name": "A", "last_name": "B"})), "email");
        assert_eq!(
            field(json!({"email": "nope", "first_name": "A", "last_name": "B"})),
            "email"
        );
        assert_eq!(
            field(json!({"email": "a@b.de", "first_name": "A", "last_name": "B", "colour": 1})),
            "colour"
        );
        let update = |body: Value| checked(body.as_object().unwrap().clone(), false);
        assert_eq!(
            update(json!({"email": "x@y.de"})).unwrap_err().field,
            "email"
        );
        assert_eq!(
            update(json!({"weekly_working_hours": 200}))
                .unwrap_err()
                .field,
            "weekly_working_hours"
        );
        assert_eq!(
            update(json!({"custom_attributes": {"Shirt size": {"a": 1}}}))
                .unwrap_err()
                .field,
            "custom_attributes.Shirt size"
        );
        assert!(update(json!({})).is_err());
        let changes = update(json!({"custom_attributes": {"Pet": "cat"}})).unwrap();
        assert_eq!(
            unknown_attribute(&changes, &definitions()).as_deref(),
            Some("custom_attributes.Pet")
        );
        assert_eq!(
            update(json!({"supervisor_id": null})).unwrap()["supervisor_id"],
            Value::Null
        );
    }
}
