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
            list.insert(
                "post".into(),
                json!({
                    "operationId": format!("create{schema}"),
                    "summary": format!("Create one of a company's {label} in Personio"),
                    "description": create_description(resource),
                    "tags": tag,
                    "parameters": [ { "$ref": "#/components/parameters/company" }, key(true) ],
                    "requestBody": create_body(resource, &schema),
                    "responses": errors("201", "The record created", &schema)
                }),
            );
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
    let employee = |create: bool| {
        let mut properties = json!({
            "first_name": { "type": "string", "maxLength": 255 },
            "last_name": { "type": "string", "maxLength": 255 },
            "preferred_name": { "type": "string", "maxLength": 255 },
            "gender": { "type": "string", "enum": ["male", "female", "diverse"] },
            "position": { "type": "string", "maxLength": 255 },
            "status": { "type": "string", "enum": ["active", "inactive", "onboarding", "leave"] },
            "hire_date": { "type": "string", "format": "date" },
            "weekly_working_hours": { "type": "number", "minimum": 0, "maximum": 168 },
            "supervisor_id": { "type": "integer", "nullable": true, "description": "An employee; null removes the supervisor." },
            "legal_entity": { "type": "string", "description": "The legal entity (Personio's subcompany) by name; Personio ignores a name it does not know." },
            "office": { "type": "string", "description": "By name; Personio ignores a name it does not know." },
            "department": { "type": "string", "description": "By name; Personio ignores a name it does not know." },
            "custom_attributes": {
                "type": "object", "minProperties": 1,
                "description": "Custom attributes by their label (as the employee records show them, any case) or Personio's key (`dynamic_123`): text, a number, true or false, a list of texts (multiple options), or null. A label the credential may not read in Personio is refused with 422 naming `custom_attributes.<label>`.",
                "additionalProperties": { "nullable": true, "oneOf": [ { "type": "string" }, { "type": "number" }, { "type": "boolean" }, { "type": "array", "items": { "type": "string" } } ] }
            }
        });
        if create {
            properties["email"] = json!({ "type": "string", "format": "email", "description": "Unique in the company (Personio refuses one taken); cannot be changed later." });
        }
        properties
    };
    schemas.insert("NewEmployees".to_owned(), json!({
        "type": "object", "required": ["email", "first_name", "last_name"], "additionalProperties": false,
        "description": "A person and their employment, written through Personio's v1 employee API.",
        "properties": employee(true)
    }));
    schemas.insert(
        "EmployeesChanges".to_owned(),
        json!({
            "type": "object", "minProperties": 1, "additionalProperties": false,
            "description": "Any of the fields but `email`; the rest stay as they are.",
            "properties": employee(false)
        }),
    );
    schemas.insert("NewDocuments".to_owned(), json!({
        "type": "object", "required": ["file", "employee_id", "category_id"],
        "properties": {
            "file": { "type": "string", "format": "binary", "description": "At most 30 MB, with one of the extensions Personio takes (pdf, docx, doc, jpg, jpeg, png, txt, odt, xlsx, xls, csv, zip and the others its upload lists); its name is sent." },
            "employee_id": { "type": "integer", "description": "The document's owner." },
            "category_id": { "type": "integer", "description": "One of the company's document_categories." },
            "title": { "type": "string", "maxLength": 255, "description": "The file's name when left out." },
            "date": { "type": "string", "format": "date" },
            "comment": { "type": "string", "maxLength": 2000 }
        }
    }));
    schemas.insert("NewRecruitingApplications".to_owned(), json!({
        "type": "object", "required": ["first_name", "last_name", "email", "job_id"], "additionalProperties": false,
        "properties": {
            "first_name": { "type": "string", "maxLength": 255 },
            "last_name": { "type": "string", "maxLength": 255 },
            "email": { "type": "string", "format": "email", "description": "Personio takes one application of an email per job (`errors.applicant-already-exists`)." },
            "job_id": { "type": "integer", "description": "A published job (see recruiting_jobs)." },
            "message": { "type": "string" },
            "application_date": { "type": "string", "format": "date", "description": "Not in the future." },
            "channel_id": { "type": "integer", "description": "Personio's recruiting channel." },
            "external_posting_id": { "type": "string" },
            "tags": { "type": "array", "items": { "type": "string" }, "description": "Tags Personio does not know are created." },
            "phone": { "type": "string" },
            "location": { "type": "string" },
            "birthday": { "type": "string", "format": "date" },
            "gender": { "type": "string", "enum": ["male", "female", "diverse", "undefined"] },
            "available_from": { "type": "string", "format": "date" },
            "salary_expectations": { "type": "string" },
            "attributes": { "type": "object", "description": "Custom applicant attributes by Personio's id (`custom_attribute_<n>`).", "additionalProperties": true }
        }
    }));
}

/// A create's body: JSON, or multipart for writes that carry files.
fn create_body(resource: &str, schema: &str) -> Value {
    let new = json!({ "$ref": format!("#/components/schemas/New{schema}") });
    match resource {
        "documents" => {
            json!({ "required": true, "content": { "multipart/form-data": { "schema": new } } })
        }
        "recruiting_applications" => json!({ "required": true, "content": {
            "application/json": { "schema": new },
            "multipart/form-data": { "schema": {
                "type": "object", "required": ["application"],
                "description": "The application as JSON in the part `application`; each attachment in a file part named by its category: cv, cover-letter, employment-reference, certificate, work-sample, other (at most 20 MB each; pdf, docx, doc, odt, xlsx, xls, pptx, ppt, ods, jpg, png, gif, bmp, tif, csv, txt, rtf, zip, 7z, gz, rar, mp4, 3gp, mov, avi, wmv).",
                "properties": {
                    "application": new,
                    "cv": { "type": "string", "format": "binary" },
                    "cover-letter": { "type": "string", "format": "binary" },
                    "other": { "type": "string", "format": "binary" }
                }
            } }
        } }),
        _ => json!({ "required": true, "content": { "application/json": { "schema": new } } }),
    }
}

fn create_description(resource: &str) -> &'static str {
    match resource {
        "employees" => {
            "Needs a key with the `write` scope. A new person with their employment, through Personio's v1 employee API (the one Personio documents for integrations' writes, with the new id in its answer). A create whose answer was lost is resolved by looking the email up in Personio. The answer is the employee as GET then shows it."
        }
        "documents" => {
            "Needs a key with the `write` scope. The file is uploaded to Personio's document upload (v1; v2 has none), then its metadata is read back and stored (never the file). The journal knows the upload by the file's SHA-256 and the fields: the same key with another file is refused; an upload whose answer was lost is resolved by reading the owner's documents."
        }
        "recruiting_applications" => {
            "Needs a key with the `write` scope and a company linked with its recruiting token and company id. Attachments are uploaded to Personio's recruiting API first, then the application names them. Personio's refusals keep its reason codes (`personio.code`, `personio.body.errors`). The answer is the application as the recruiting beta shows it, or `{\"id\": \"job-<job>:<email>\"}` where that beta is not available."
        }
        _ => {
            "Needs a key with the `write` scope. The record is written to Personio, stored, and announced to webhook subscribers; the answer is the record as GET then shows it."
        }
    }
}
