//! The OpenAPI description of writes to Personio: each writable resource's POST, PATCH and
//! DELETE, with their bodies, answers and errors. Added to the paths of the record routes.

use serde_json::{Map, Value, json};

use bridge_sync::write::Operation;

use super::writes::WRITABLE;

pub(crate) fn add(paths: &mut Map<String, Value>, schemas: &mut Map<String, Value>) {
    let problem = |description: &str| json!({ "description": description, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } });
    let key = |required: bool| {
        json!({
            "name": "Idempotency-Key", "in": "header", "required": required,
            "description": "A unique string per write (1 to 255 visible ASCII characters). The same key again answers the first outcome (with the header `Idempotent-Replayed: true`) and sends nothing to Personio; the same key with another body is refused with 422. Writes whose answer from Personio was lost are resolved by reading Personio before anything is sent again.",
            "schema": { "type": "string", "minLength": 1, "maxLength": 255 }
        })
    };
    let errors = |ok: &str, ok_description: &str, schema: &str| {
        json!({
            ok: { "description": ok_description, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } },
            "400": problem("The body is not JSON, or the Idempotency-Key header is missing (POST) or malformed"),
            "401": { "$ref": "#/components/responses/Unauthorized" },
            "403": problem("The API key lacks the `write` scope, or the company's Personio credential may not write this area (`detail` says what to set to \"Read and write\" in Personio; `personio` keeps Personio's answer)"),
            "404": problem("No such company, or Personio has no such record"),
            "405": problem("The resource cannot be written this way through the bridge"),
            "409": problem("A request with this Idempotency-Key is under way, or Personio refused the write as conflicting (`personio` keeps its status, message and code)"),
            "422": problem("A field is missing or malformed, or names an unknown employee (`field` names it; nothing was sent), the Idempotency-Key was used for another request, or Personio refused the write (`personio` keeps its status, message and code, e.g. an overlapping or too long period)"),
            "503": problem("Personio's answer is not known yet or Personio asked to wait: send the same request with the same Idempotency-Key again (`Retry-After` says when); it is never written twice")
        })
    };
    for (resource, operations) in WRITABLE {
        let schema = super::openapi::schema_name(resource);
        let label = resource.replace('_', " ");
        let tag = json!([resource]);
        if let Some(list) = paths
            .get_mut(&format!("/api/v1/companies/{{company}}/{resource}"))
            .and_then(Value::as_object_mut)
            && operations.contains(&Operation::Create)
        {
            list.insert("post".into(), json!({
                "operationId": format!("create{schema}"),
                "summary": format!("Create one of a company's {label} in Personio"),
                "description": "Needs a key with the `write` scope. The record is written to Personio, stored, and announced to webhook subscribers; the answer is the record as GET then shows it.",
                "tags": tag,
                "parameters": [ { "$ref": "#/components/parameters/company" }, key(true) ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/New{schema}") } } } },
                "responses": errors("201", "The record created", &schema)
            }));
        }
        if let Some(one) = paths
            .get_mut(&format!("/api/v1/companies/{{company}}/{resource}/{{id}}"))
            .and_then(Value::as_object_mut)
        {
            if operations.contains(&Operation::Update) {
                one.insert("patch".into(), json!({
                    "operationId": format!("update{schema}"),
                    "summary": format!("Change one of a company's {label} in Personio"),
                    "description": "Needs a key with the `write` scope. Fields left out stay; `null` clears a field that may be empty.",
                    "tags": tag,
                    "parameters": [ { "$ref": "#/components/parameters/company" }, { "$ref": "#/components/parameters/id" }, key(false) ],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}Changes") } } } },
                    "responses": errors("200", "The record as changed", &schema)
                }));
            }
            if operations.contains(&Operation::Delete) {
                one.insert("delete".into(), json!({
                    "operationId": format!("delete{schema}"),
                    "summary": format!("Delete one of a company's {label} in Personio"),
                    "description": "Needs a key with the `write` scope. The answer is the record as stored, with `deleted_at` set.",
                    "tags": tag,
                    "parameters": [ { "$ref": "#/components/parameters/company" }, { "$ref": "#/components/parameters/id" }, key(false) ],
                    "responses": errors("200", "The record, deleted", &schema)
                }));
            }
        }
    }
    let passed = |method: &str| {
        json!({
            "operationId": format!("passthrough{}", method.to_ascii_uppercase()),
            "summary": "A request to Personio's API for what the bridge does not model",
            "description": "Sent to Personio with the company's credential; Personio's status, Content-Type and body come back unchanged (no other header). GET needs the `read` scope, other methods `write`. Only paths under `v1/` and `v2/`, never the auth endpoints. Sent once, never repeated and not journalled: writes the bridge models have their own routes, which write exactly once.",
            "tags": ["passthrough"],
            "parameters": [
                { "$ref": "#/components/parameters/company" },
                { "name": "path", "in": "path", "required": true, "description": "Personio's path without its leading slash, such as `v2/persons/7` (slashes kept).", "schema": { "type": "string" } }
            ],
            "responses": {
                "default": { "description": "Personio's answer, unchanged" },
                "401": { "$ref": "#/components/responses/Unauthorized" },
                "403": { "$ref": "#/components/responses/Forbidden" },
                "404": problem("No such company, or a path the passthrough does not take"),
                "502": problem("Personio could not be reached")
            }
        })
    };
    let mut item = Map::new();
    for method in ["get", "post", "patch", "put", "delete"] {
        item.insert(method.to_owned(), passed(method));
    }
    paths.insert(
        "/api/v1/companies/{company}/passthrough/{path}".to_owned(),
        Value::Object(item),
    );
    let local = |description: &str| json!({ "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?$", "description": description });
    let attendance = |required: bool| {
        let mut properties = json!({
            "type": { "type": "string", "enum": ["WORK", "BREAK"], "default": "WORK" },
            "start": local("The person's local time, without zone or offset (Personio takes local times)."),
            "end": { "allOf": [local("Local time after `start`, at most 24 hours later; null or left out: an open period.")], "nullable": true },
            "project_id": { "type": "string", "nullable": true, "description": "An active project; not on a BREAK." },
            "comment": { "type": "string", "maxLength": 1000, "nullable": true },
            "status": { "type": "string", "enum": ["CONFIRMED", "PENDING"], "description": "CONFIRMED skips Personio's approval; without it the period waits for approval (Personio's default)." }
        });
        if required {
            properties["employee_id"] = json!({ "type": "integer", "description": "The person (an employee the bridge has synced)." });
        }
        properties
    };
    schemas.insert(
        "NewAttendancePeriods".to_owned(),
        json!({
            "type": "object", "required": ["employee_id", "start"], "additionalProperties": false,
            "properties": attendance(true)
        }),
    );
    let day = |description: &str| json!({ "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2})?)?$", "description": description });
    let half = json!({ "type": "string", "enum": ["FIRST_HALF", "SECOND_HALF"] });
    schemas.insert("NewAbsencePeriods".to_owned(), json!({
        "type": "object", "required": ["employee_id", "absence_type_id", "start"], "additionalProperties": false,
        "properties": {
            "employee_id": { "type": "integer", "description": "The person (an employee the bridge has synced)." },
            "absence_type_id": { "type": "string", "description": "One of the company's absence_types." },
            "start": day("A local date (absences counted in days) or local time (counted in hours), without zone."),
            "end": { "allOf": [day("Not before `start`; null or left out: open-ended (hour absences need an end).")], "nullable": true },
            "start_half": { "allOf": [half.clone()], "description": "SECOND_HALF: the first day starts at noon." },
            "end_half": { "allOf": [half], "description": "FIRST_HALF: the last day ends at noon. A single day cannot start in its second half and end in its first." },
            "comment": { "type": "string", "maxLength": 2000, "nullable": true },
            "status": { "type": "string", "enum": ["APPROVED", "PENDING"], "description": "APPROVED skips Personio's approval; without it a type that needs approval starts pending." }
        }
    }));
    let project = |create: bool| {
        let mut properties = json!({
            "name": { "type": "string", "maxLength": 255, "description": "Unique among the company's projects (Personio refuses a duplicate)." },
            "status": { "type": "string", "enum": ["ACTIVE", "ARCHIVED"], "default": "ACTIVE" },
            "project_code": { "type": "string", "maxLength": 255, "nullable": true, "description": "Unique among the company's projects." },
            "description": { "type": "string", "maxLength": 1000, "nullable": true },
            "cost_center_id": { "type": "integer", "nullable": true, "description": "Not on a sub-project." },
            "parent_project_id": { "type": "integer", "nullable": true, "description": "Makes it a sub-project (one level)." },
            "start": { "type": "string", "format": "date", "nullable": true, "description": "Inclusive." },
            "end": { "type": "string", "format": "date", "nullable": true, "description": "Exclusive; not before start." },
            "billable": { "type": "boolean" },
            "client_name": { "type": "string", "nullable": true },
            "project_type": { "type": "string", "nullable": true },
            "assigned_to_all": { "type": "boolean", "description": "Turning it on removes the project's members in Personio." }
        });
        if !create {
            properties["name"] = json!({ "type": "string", "maxLength": 255 });
        }
        properties
    };
    schemas.insert("NewProjects".to_owned(), json!({
        "type": "object", "required": ["name"], "additionalProperties": false, "properties": project(true)
    }));
    schemas.insert("ProjectsChanges".to_owned(), json!({
        "type": "object", "minProperties": 1, "additionalProperties": false,
        "description": "Any of the fields; `null` clears a nullable one.", "properties": project(false)
    }));
    schemas.insert(
        "AttendancePeriodsChanges".to_owned(),
        json!({
            "type": "object", "minProperties": 1, "additionalProperties": false,
            "description": "Any of the fields; `employee_id` cannot change.",
            "properties": attendance(false)
        }),
    );
}
