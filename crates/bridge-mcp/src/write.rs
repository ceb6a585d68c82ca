//! The write tools: the call's arguments become an `Intent` exactly as a REST body does
//! (`bridge_sync::write::intent_of_line`, the resource's field names), sent by the company's
//! `Writer` through the write journal. The idempotency key is derived from the call (tool,
//! company and arguments in canonical form), so an agent that retries a call, or makes the
//! same call again, gets the first outcome and nothing is written twice.

use bridge_store::{Key, RecordQuery, tables};
use bridge_sync::write::{Intent, Operation, WriteError, intent_of_line};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::server::Call;
use crate::tools::{Answer, Failure};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read for its checks and schema; the call's arguments are what is sent
pub(crate) struct CreateAbsence {
    /// The company's name in the bridge; may be left out when the connection reaches one.
    company: Option<String>,
    /// The absent person's Personio id.
    employee_id: i64,
    /// The absence type's id (the absence_types tool lists them).
    absence_type_id: String,
    /// The first day, `YYYY-MM-DD` (or a local time `YYYY-MM-DDTHH:MM:SS` for types counted in hours).
    start: String,
    /// The last day (included), as `start`; leave out for an open end.
    end: Option<String>,
    /// FIRST_HALF or SECOND_HALF: the absence starts in that half of its first day.
    start_half: Option<String>,
    /// FIRST_HALF or SECOND_HALF: the absence ends in that half of its last day.
    end_half: Option<String>,
    /// A comment for Personio (at most 2,000 characters).
    comment: Option<String>,
    /// APPROVED to book it approved; PENDING (the default) leaves it to Personio's approval.
    status: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct RecordAttendance {
    /// The company's name in the bridge; may be left out when the connection reaches one.
    company: Option<String>,
    /// The person's Personio id.
    employee_id: i64,
    /// WORK (the default) or BREAK.
    #[serde(rename = "type")]
    kind: Option<String>,
    /// When it starts, local time `YYYY-MM-DDTHH:MM:SS`.
    start: String,
    /// When it ends, local time (at most 24 hours after start); leave out while it runs.
    end: Option<String>,
    /// The project's Personio id (not for a BREAK).
    project_id: Option<String>,
    /// A comment for Personio (at most 1,000 characters).
    comment: Option<String>,
    /// CONFIRMED to record it confirmed; PENDING (the default) leaves it to approval.
    status: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct CorrectAttendance {
    /// The company's name in the bridge; may be left out when the connection reaches one.
    company: Option<String>,
    /// The attendance period's id (the attendance tool shows it).
    id: String,
    /// WORK or BREAK.
    #[serde(rename = "type")]
    kind: Option<String>,
    /// The new start, local time `YYYY-MM-DDTHH:MM:SS`.
    start: Option<String>,
    /// The new end, local time; null clears it.
    end: Option<String>,
    /// The new project's Personio id; null clears it.
    project_id: Option<String>,
    /// The new comment; null clears it.
    comment: Option<String>,
    /// CONFIRMED to confirm the corrected period.
    status: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct UpdateEmployee {
    /// The company's name in the bridge; may be left out when the connection reaches one.
    company: Option<String>,
    /// The person's Personio id.
    employee_id: i64,
    /// The attribute, as the bridge's employee records name it (e.g. `position`), or a
    /// custom attribute's id (`dynamic_...`).
    attribute: String,
    /// Its new value.
    value: Value,
}

/// The resource and operation each write tool stands for.
fn what(tool: &str) -> Option<(&'static str, Operation)> {
    Some(match tool {
        "create_absence" => ("absence_periods", Operation::Create),
        "record_attendance" => ("attendance_periods", Operation::Create),
        "correct_attendance" => ("attendance_periods", Operation::Update),
        "update_employee" => ("employees", Operation::Update),
        _ => return None,
    })
}

/// The body of the write, in the resource's field names: the arguments without `company`
/// (`update_employee`'s attribute and value become one field).
fn body_of(tool: &str, arguments: &Map<String, Value>) -> Value {
    let mut body = arguments.clone();
    body.remove("company");
    if tool == "update_employee" {
        let attribute = body
            .remove("attribute")
            .and_then(|a| a.as_str().map(str::to_owned))
            .unwrap_or_default();
        let value = body.remove("value").unwrap_or(Value::Null);
        let employee = body.remove("employee_id").unwrap_or(Value::Null);
        body.insert("id".into(), employee);
        body.insert(attribute, value);
    }
    Value::Object(body)
}

fn field(error: bridge_sync::write::FieldError) -> Failure {
    Failure::Tool {
        message: format!("invalid argument {}: {}", error.field, error.detail),
        details: json!({ "field": error.field }),
    }
}

/// The idempotency key of a call: the same tool, company and arguments (in any key order)
/// give the same key.
pub(crate) fn call_key(tool: &str, company: &str, arguments: &Map<String, Value>) -> String {
    let mut arguments = arguments.clone();
    arguments.remove("company");
    let mut hash = Sha256::new();
    for part in [
        tool,
        company,
        &canonical(&Value::Object(arguments)).to_string(),
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let digest: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("mcp-{}", &digest[..40])
}

/// `value` with every object's keys in order.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut keys: Vec<&String> = object.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), canonical(&object[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// Runs write tool `tool` with its (already type-checked) arguments.
pub(crate) async fn run(call: &Call<'_>, tool: &str, arguments: &Map<String, Value>) -> Answer {
    let Some((resource, operation)) = what(tool) else {
        return Err(Failure::Internal(format!("{tool} is not a write tool")));
    };
    let body = body_of(tool, arguments);
    let intent = intent_of_line(resource, operation, body).map_err(field)?;
    let key = call_key(tool, &call.company.name, arguments);
    let writer = call
        .writers
        .get(call.store, &call.company)
        .await
        .map_err(|e| Failure::Internal(e.to_string()))?;
    writer
        .check_new(&key, &intent)
        .await
        .map_err(|e| refusal(e, &intent, &call.company.name))?;
    let written = writer
        .write(&call.caller.actor(), &key, &intent)
        .await
        .map_err(|e| refusal(e, &intent, &call.company.name))?;
    let record = record_now(call, &intent, &written.id).await?;
    Ok(json!({
        "outcome": written.operation.done(),
        "id": written.id,
        "replayed": written.replayed,
        "record": record,
    }))
}

/// The written record as the store now holds it, column by column.
async fn record_now(call: &Call<'_>, intent: &Intent, id: &str) -> Result<Value, Failure> {
    let table = intent.table();
    let Some(table) = tables::by_name(table.name) else {
        return Ok(Value::Null);
    };
    let key: Key = intent.record_key(id);
    let records = call
        .store
        .browse(
            call.company.id,
            table,
            &RecordQuery {
                keys: Some(vec![key]),
                limit: 1,
                include_removed: true,
                ..RecordQuery::default()
            },
        )
        .await?;
    Ok(records
        .into_iter()
        .next()
        .map(|record| {
            let mut object = Map::new();
            object.insert("id".into(), json!(record.key));
            for ((name, _), value) in table.columns.iter().zip(record.values) {
                object.insert((*name).to_owned(), json!(value));
            }
            Value::Object(object)
        })
        .unwrap_or(Value::Null))
}

/// A write's failure as the agent reads it: what happened and what to do.
fn refusal(error: WriteError, intent: &Intent, company: &str) -> Failure {
    match error {
        WriteError::Field(e) => field(e),
        WriteError::KeyReused => Failure::tool(
            "this exact call was made before for a different write; change an argument to make a new one",
        ),
        WriteError::InProgress => {
            Failure::tool("the same call is under way; wait for its answer, then call again")
        }
        WriteError::Refused(refusal) => {
            let hint = match refusal.status {
                401 | 403 => format!(
                    "the Personio credential of company {company} may not write {} (Personio's \
                     \"{}\" access must be \"Read and write\")",
                    intent.table().name.replace('_', " "),
                    intent.area()
                ),
                404 => format!(
                    "Personio has no {} {}",
                    intent.table().name.trim_end_matches('s').replace('_', " "),
                    intent.target().unwrap_or_default()
                ),
                _ => "Personio refused the write; change the arguments as its message says".into(),
            };
            Failure::Tool {
                message: format!("{hint}: {}", refusal.message),
                details: json!({
                    "personio": {
                        "status": refusal.status,
                        "message": refusal.message,
                        "code": refusal.code,
                    }
                }),
            }
        }
        WriteError::Unfinished(why) => Failure::tool(format!(
            "the write is not finished ({why}); make the same call again: it is never written twice"
        )),
        other => Failure::Internal(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(object) => object,
            _ => Map::new(),
        }
    }

    #[test]
    fn a_call_has_one_key_whatever_the_order_of_its_arguments() {
        let a = object(json!({"employee_id": 1, "start": "2026-01-01", "company": "acme"}));
        let b = object(json!({"start": "2026-01-01", "employee_id": 1}));
        assert_eq!(
            call_key("create_absence", "acme", &a),
            call_key("create_absence", "acme", &b)
        );
        assert_ne!(
            call_key("create_absence", "acme", &a),
            call_key("create_absence", "other", &a)
        );
        assert_ne!(
            call_key("create_absence", "acme", &a),
            call_key("record_attendance", "acme", &a)
        );
        let c = object(json!({"employee_id": 1, "start": "2026-01-02"}));
        assert_ne!(
            call_key("create_absence", "acme", &a),
            call_key("create_absence", "acme", &c)
        );
    }

    #[test]
    fn an_employee_change_is_one_field_of_the_person() {
        let body = body_of(
            "update_employee",
            &object(
                json!({"company": "acme", "employee_id": 7, "attribute": "position", "value": "CTO"}),
            ),
        );
        assert_eq!(body, json!({"id": 7, "position": "CTO"}));
    }
}
