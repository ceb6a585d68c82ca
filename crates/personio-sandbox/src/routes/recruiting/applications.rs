//! `POST /v1/recruiting/applications` (JSON; 201, empty body) and
//! `POST /v1/recruiting/applications/documents` (multipart `file`; 200 with its uuid).
//!
//! Validation collects every problem before answering, one entry per field with
//! Personio's reason codes (personio-api.md §4.2). Field names are the JSON paths of the
//! input (`files[0].uuid`); Personio names the codes but not the paths.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use personio_api::recruiting::{FieldError, FieldErrors, UploadedFile};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{MAX_FILE_BYTES, RecruitingClient, field_error, field_errors, require_features};
use crate::body::Body;
use crate::company::{
    ApplicantAttributeKind, AttachedFile, Company, JobStatus, NewApplication, StageRef,
    SystemStage, Upload,
};
use crate::error::{ApiError, ApiResult, Family};
use crate::multipart::{FormProblem, MultipartForm, extension, media_type};
use crate::render::page::{json_response, to_bytes};
use crate::state::AppState;

/// File types the recruiting API takes.
const UPLOAD_TYPES: &[&str] = &[
    "pdf", "pptx", "xlsx", "docx", "doc", "xls", "ppt", "ods", "odt", "7z", "gz", "rar", "zip",
    "bmp", "gif", "jpg", "png", "tif", "csv", "txt", "rtf", "mp4", "3gp", "mov", "avi", "wmv",
];
const FILE_CATEGORIES: &[&str] = &[
    "cv",
    "cover-letter",
    "employment-reference",
    "certificate",
    "work-sample",
    "other",
];
const GENDERS: &[&str] = &["male", "female", "diverse", "undefined"];
/// Standard applicant attributes; `birthday` is a date and `gender` an option.
const STANDARD_ATTRIBUTES: &[&str] = &[
    "birthday",
    "gender",
    "location",
    "phone",
    "available_from",
    "salary_expectations",
];

const REQUIRED: &str = "errors.attribute-validation.required-attribute";
const INVALID_TYPE: &str = "errors.attribute-validation.invalid-type";
const INVALID_DATE: &str = "errors.attribute-validation.invalid-date-format";

/// Problems found so far, one entry per field, in the order found.
#[derive(Default)]
struct Problems(Vec<FieldErrors>);

impl Problems {
    /// Records a reason code; `context` is always an object, empty when there is nothing
    /// to add (it is optional in Personio's schema; one shape is easier to read).
    fn add(&mut self, field: &str, reason: &str, context: Option<Value>) {
        let error = FieldError {
            reason: reason.to_owned(),
            context: Some(context.unwrap_or_else(|| json!({}))),
        };
        match self.0.iter_mut().find(|f| f.field == field) {
            Some(entry) => entry.errors.push(error),
            None => self.0.push(FieldErrors {
                field: field.to_owned(),
                errors: vec![error],
            }),
        }
    }
}

/// A required non-blank string.
fn required_text(body: &Map<String, Value>, field: &str, problems: &mut Problems) -> String {
    match body.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            problems.add(field, REQUIRED, None);
            String::new()
        }
        Some(_) => {
            problems.add(field, INVALID_TYPE, None);
            String::new()
        }
    }
}

fn optional_text(
    body: &Map<String, Value>,
    field: &str,
    problems: &mut Problems,
) -> Option<String> {
    match body.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            problems.add(field, INVALID_TYPE, None);
            None
        }
    }
}

fn optional_int(body: &Map<String, Value>, field: &str, problems: &mut Problems) -> Option<i64> {
    match body.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
        Some(_) => {
            problems.add(field, INVALID_TYPE, None);
            None
        }
    }
}

/// An address with one `@`, text on both sides, a dot in the domain and no spaces.
pub(super) fn looks_like_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// Checks the application against the company; `Ok` when it may be recorded.
fn validate(
    company: &Company,
    body: &Map<String, Value>,
    today: NaiveDate,
) -> Result<NewApplication, Vec<FieldErrors>> {
    let mut problems = Problems::default();
    let first_name = required_text(body, "first_name", &mut problems);
    let last_name = required_text(body, "last_name", &mut problems);
    let email = required_text(body, "email", &mut problems);
    if !email.is_empty() && !looks_like_email(&email) {
        problems.add(
            "email",
            "errors.attribute-validation.invalid-email-format",
            Some(json!({ "value": email })),
        );
    }
    let job = match body.get("job_position_id") {
        None | Some(Value::Null) => {
            problems.add("job_position_id", REQUIRED, None);
            None
        }
        Some(Value::Number(n)) => match n.as_i64().and_then(|id| company.job(id)) {
            Some(job) if job.status == JobStatus::Published => Some(job),
            Some(_) => {
                problems.add("job_position_id", "errors.job-position.not-published", None);
                None
            }
            None => {
                problems.add(
                    "job_position_id",
                    "errors.posting-validation.posting-not-found",
                    Some(json!({ "job_position_id": n })),
                );
                None
            }
        },
        Some(_) => {
            problems.add("job_position_id", INVALID_TYPE, None);
            None
        }
    };
    let channel_id = optional_int(body, "recruiting_channel_id", &mut problems);
    if let Some(id) = channel_id.filter(|id| company.recruiting_channel(*id).is_none()) {
        problems.add(
            "recruiting_channel_id",
            "errors.posting-validation.channel-not-found",
            Some(json!({ "recruiting_channel_id": id })),
        );
    }
    let external_posting_id = optional_text(body, "external_posting_id", &mut problems);
    if let (Some(posting), Some(job)) = (&external_posting_id, job) {
        let matches = job
            .postings
            .iter()
            .any(|(channel, id)| id == posting && channel_id.is_none_or(|c| c == *channel));
        if !matches {
            problems.add(
                "external_posting_id",
                "errors.posting-validation.posting-not-found",
                None,
            );
        }
    }
    let message = optional_text(body, "message", &mut problems);
    let application_date =
        optional_text(body, "application_date", &mut problems).and_then(|text| {
            match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
                Err(_) => {
                    problems.add(
                        "application_date",
                        INVALID_DATE,
                        Some(json!({ "value": text })),
                    );
                    None
                }
                Ok(day) if day > today => {
                    problems.add(
                        "application_date",
                        "errors.date-validation.date-in-the-future",
                        None,
                    );
                    None
                }
                Ok(day) => Some(day),
            }
        });
    let stage = phase(
        company,
        body.get("phase"),
        job.map(|j| j.category_id),
        &mut problems,
    );
    let tags = match body.get("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(|t| t.as_str().map(|t| t.trim().to_owned()))
            .filter(|t| !t.is_empty())
            .collect(),
        Some(_) => {
            problems.add("tags", INVALID_TYPE, None);
            Vec::new()
        }
    };
    let files = files(company, body.get("files"), &mut problems);
    let attributes = attributes(company, body.get("attributes"), &mut problems);
    if problems.0.is_empty()
        && let Some(job) = job
        && company.has_applied(&email, job.id)
    {
        problems.add("email", "errors.applicant-already-exists", None);
    }
    match (job, problems.0.is_empty()) {
        (Some(job), true) => Ok(NewApplication {
            job_id: job.id,
            first_name,
            last_name,
            email,
            channel_id,
            external_posting_id,
            message,
            application_date,
            stage,
            tags,
            files,
            attributes,
        }),
        _ => Err(problems.0),
    }
}

/// The first stage: a system phase by name, or a custom one of the job's category; an
/// unknown custom phase starts as `unassigned`, as Personio documents.
fn phase(
    company: &Company,
    value: Option<&Value>,
    category: Option<i64>,
    problems: &mut Problems,
) -> StageRef {
    let unassigned = StageRef::System(SystemStage::Unassigned);
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return unassigned;
    };
    let Some(object) = value.as_object() else {
        problems.add("phase", INVALID_TYPE, None);
        return unassigned;
    };
    match (object.get("type").and_then(Value::as_str), object.get("id")) {
        (None, _) => problems.add("phase.type", REQUIRED, None),
        (_, None | Some(Value::Null)) => problems.add("phase.id", REQUIRED, None),
        (Some("system"), Some(id)) => match id.as_str().and_then(SystemStage::parse) {
            Some(stage) => return StageRef::System(stage),
            None => problems.add(
                "phase.id",
                "errors.phase-validation.invalid-system-phase",
                Some(json!({ "value": id })),
            ),
        },
        (Some("custom"), Some(id)) => {
            let id = id
                .as_i64()
                .or_else(|| id.as_str().and_then(|s| s.trim().parse().ok()));
            let known = id.filter(|id| {
                category
                    .and_then(|c| company.job_category(c))
                    .is_some_and(|c| c.stages.iter().any(|s| s.0 == *id))
            });
            return known.map_or(unassigned, StageRef::Custom);
        }
        (Some(other), _) => problems.add(
            "phase.type",
            "errors.phase-validation.invalid-system-phase",
            Some(json!({ "value": other })),
        ),
    }
    unassigned
}

fn files(company: &Company, value: Option<&Value>, problems: &mut Problems) -> Vec<AttachedFile> {
    let items = match value {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems.add("files", INVALID_TYPE, None);
            return Vec::new();
        }
    };
    let mut files = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::trim);
        let field = |key: &str| format!("files[{i}].{key}");
        let uuid = match text("uuid") {
            None | Some("") => {
                problems.add(&field("uuid"), REQUIRED, None);
                None
            }
            Some(raw) => {
                let found = Uuid::parse_str(raw)
                    .ok()
                    .filter(|u| company.upload(*u).is_some());
                if found.is_none() {
                    problems.add(
                        &field("uuid"),
                        "errors.file-validation.file-not-exists",
                        Some(json!({ "uuid": raw })),
                    );
                }
                found
            }
        };
        let original_filename = match text("original_filename") {
            None | Some("") => {
                problems.add(&field("original_filename"), REQUIRED, None);
                None
            }
            Some(name) => Some(name.to_owned()),
        };
        let category = match text("category") {
            None | Some("") => {
                problems.add(&field("category"), REQUIRED, None);
                None
            }
            Some(c) if FILE_CATEGORIES.contains(&c) => Some(c.to_owned()),
            Some(c) => {
                problems.add(
                    &field("category"),
                    "errors.file-validation.unknown-file-category",
                    Some(json!({ "value": c })),
                );
                None
            }
        };
        if let (Some(uuid), Some(original_filename), Some(category)) =
            (uuid, original_filename, category)
        {
            files.push(AttachedFile {
                uuid,
                original_filename,
                category,
            });
        }
    }
    files
}

fn attributes(
    company: &Company,
    value: Option<&Value>,
    problems: &mut Problems,
) -> Vec<(String, String)> {
    let items = match value {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems.add("attributes", INVALID_TYPE, None);
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let field = format!("attributes[{i}]");
        let Some(id) = item.get("id").and_then(Value::as_str).map(str::trim) else {
            problems.add(&format!("{field}.id"), REQUIRED, None);
            continue;
        };
        let value = match item.get("value") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
            None | Some(Value::Null) | Some(Value::String(_)) => {
                problems.add(&field, REQUIRED, Some(json!({ "id": id })));
                continue;
            }
            Some(_) => {
                problems.add(&field, INVALID_TYPE, Some(json!({ "id": id })));
                continue;
            }
        };
        let kind = if STANDARD_ATTRIBUTES.contains(&id) {
            match id {
                "birthday" => ApplicantAttributeKind::Date,
                "gender" => ApplicantAttributeKind::Options(GENDERS.to_vec()),
                _ => ApplicantAttributeKind::Text,
            }
        } else if let Some(def) = company.recruiting.attributes.iter().find(|a| a.id == id) {
            def.kind.clone()
        } else {
            problems.add(
                &field,
                "errors.attribute-validation.unknown",
                Some(json!({ "id": id })),
            );
            continue;
        };
        match kind {
            ApplicantAttributeKind::Date
                if NaiveDate::parse_from_str(&value, "%Y-%m-%d").is_err() =>
            {
                problems.add(
                    &field,
                    INVALID_DATE,
                    Some(json!({ "id": id, "value": value })),
                );
            }
            ApplicantAttributeKind::Options(options) if !options.contains(&value.as_str()) => {
                problems.add(
                    &field,
                    "errors.attribute-validation.unknown-attribute-option",
                    Some(json!({ "id": id, "value": value, "options": options })),
                );
            }
            _ => out.push((id.to_owned(), value)),
        }
    }
    out
}

/// `POST /v1/recruiting/applications` → 201 with an empty body; 400 lists every problem.
pub(super) async fn create(
    _: RecruitingClient,
    State(app): State<AppState>,
    body: Body,
) -> ApiResult<Response> {
    let now = app.clock.now();
    let mut company = app.company.write();
    require_features(&company)?;
    let object = match body.into_object() {
        Ok(object) => object,
        Err(_) => {
            return Err(ApiError::bad_request(
                Family::Recruiting,
                "The request body must be a JSON object.",
            ));
        }
    };
    let new = validate(&company, &object, now.date_naive())
        .map_err(|fields| field_errors(StatusCode::BAD_REQUEST, fields))?;
    company.submit_application(new, now);
    Ok(StatusCode::CREATED.into_response())
}

/// `POST /v1/recruiting/applications/documents` (multipart `file`, at most 20 MB, one of
/// the listed types) → 200 `{uuid, size, mimetype, original_filename, extension}`.
pub(super) async fn upload(
    _: RecruitingClient,
    State(app): State<AppState>,
    form: MultipartForm,
) -> ApiResult<Response> {
    let too_big = || {
        field_errors(
            StatusCode::PAYLOAD_TOO_LARGE,
            vec![field_error(
                "file",
                "errors.file-too-big",
                Some(json!({ "max_size_bytes": MAX_FILE_BYTES })),
            )],
        )
    };
    match &form.0 {
        Err(FormProblem::TooLarge) => return Err(too_big()),
        Err(FormProblem::Malformed) => return Err(malformed()),
        Ok(_) => {}
    }
    let file = form.file("file").ok_or_else(malformed)?;
    let original_filename = file.file_name.clone().unwrap_or_default();
    let ext = extension(&original_filename).unwrap_or_default();
    if file.bytes.len() > MAX_FILE_BYTES {
        return Err(too_big());
    }
    if !UPLOAD_TYPES.contains(&ext.as_str()) {
        return Err(field_errors(
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![field_error(
                "file",
                "errors.invalid-file-type",
                Some(json!({ "extension": ext, "allowed": UPLOAD_TYPES })),
            )],
        ));
    }
    let mut company = app.company.write();
    require_features(&company)?;
    let mimetype = media_type(&ext);
    let size = file.bytes.len() as u64;
    let uuid = company.store_upload(Upload {
        uuid: Uuid::nil(),
        bytes: file.bytes.clone(),
        mimetype,
        original_filename: original_filename.clone(),
        extension: ext.clone(),
    });
    Ok(json_response(to_bytes(&UploadedFile {
        uuid: uuid.to_string(),
        size,
        mimetype: mimetype.to_owned(),
        original_filename,
        extension: ext,
    })))
}

/// What Personio says when the body is not a proper multipart upload (DISC, confidence M).
fn malformed() -> ApiError {
    ApiError::bad_request(
        Family::Recruiting,
        "Invalid multipart request body and/or headers supplied",
    )
}
