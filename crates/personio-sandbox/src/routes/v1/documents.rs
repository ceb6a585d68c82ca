//! `GET /v1/company/document-categories` and `POST /v1/company/documents` (multipart
//! upload; personio-api.md §2.6). Errors follow Personio's Laravel wording: 422 with
//! `error_data` per field, 404 "No query results for model [...]".

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use personio_api::v1::Single;
use serde_json::{Map, Value, json};

use crate::caller::Caller;
use crate::company::{DocumentError, NewDocument};
use crate::credentials::{Access, Area};
use crate::error::{ApiError, ApiResult, ErrorKind, Family};
use crate::multipart::{FormProblem, MultipartForm, extension, media_type};
use crate::render::documents::{category, uploaded};
use crate::render::page::{json_response, to_bytes};
use crate::state::AppState;
use personio_api::v1::{DOCUMENT_TYPES, MAX_DOCUMENT_BYTES};

/// Largest request body we read, so a slightly larger file still gets the 422 it deserves.
const MAX_UPLOAD_BODY: usize = MAX_DOCUMENT_BYTES + 2 * 1024 * 1024;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/company/document-categories", get(categories))
        .route(
            "/v1/company/documents",
            post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BODY)),
        )
}

/// `GET /v1/company/document-categories`: every category, unpaged.
async fn categories(caller: Caller, State(app): State<AppState>) -> ApiResult<Response> {
    caller.require(Area::Documents, Access::Read)?;
    let company = app.company.read();
    let data: Vec<_> = company.documents.categories.iter().map(category).collect();
    Ok(json_response(to_bytes(&Single::new(data))))
}

fn invalid(fields: Map<String, Value>) -> ApiError {
    ApiError::invalid_data(
        Family::V1,
        "The given data was invalid.",
        Value::Object(fields),
    )
}

fn no_model(model: &str, id: i64) -> ApiError {
    ApiError::not_found(
        Family::V1,
        0,
        format!("No query results for model [{model}] {id}"),
    )
}

/// `POST /v1/company/documents` (multipart: `title`, `employee_id`, `category_id`, `file`,
/// optional `comment` and `date`) → 201 with the filed document.
async fn upload(
    caller: Caller,
    State(app): State<AppState>,
    form: MultipartForm,
) -> ApiResult<Response> {
    caller.require(Area::Documents, Access::Write)?;
    match form.0 {
        Err(FormProblem::TooLarge) => {
            return Err(ApiError::new(Family::V1, ErrorKind::PayloadTooLarge));
        }
        Err(FormProblem::Malformed) | Ok(_) => {}
    }
    let mut errors = Map::new();
    let mut fail = |field: &str, message: String| {
        if let Some(list) = errors
            .entry(field.to_owned())
            .or_insert_with(|| json!([]))
            .as_array_mut()
        {
            list.push(json!(message));
        }
    };
    let title = form
        .text("title")
        .map(|t| t.trim().to_owned())
        .unwrap_or_default();
    if title.is_empty() {
        fail("title", "The title field is required.".into());
    } else if title.chars().count() > 255 {
        fail(
            "title",
            "The title may not be greater than 255 characters.".into(),
        );
    }
    let mut integer = |field: &str| -> Option<i64> {
        match form.text(field).map(|t| t.trim().to_owned()) {
            None => {
                fail(
                    field,
                    format!("The {} field is required.", field.replace('_', " ")),
                );
                None
            }
            Some(t) if t.is_empty() => {
                fail(
                    field,
                    format!("The {} field is required.", field.replace('_', " ")),
                );
                None
            }
            Some(t) => t.parse().ok().or_else(|| {
                fail(
                    field,
                    format!("The {} must be an integer.", field.replace('_', " ")),
                );
                None
            }),
        }
    };
    let employee_id = integer("employee_id");
    let category_id = integer("category_id");
    let date = match form
        .text("date")
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
    {
        None => None,
        Some(text) => match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                fail("date", "The date does not match the format Y-m-d.".into());
                None
            }
        },
    };
    let file = form.file("file");
    let file_extension = file.and_then(|f| f.file_name.as_deref().and_then(extension));
    match (file, &file_extension) {
        (None, _) => fail("file", "The file field is required.".into()),
        (Some(_), ext) if !ext.as_deref().is_some_and(|e| DOCUMENT_TYPES.contains(&e)) => fail(
            "file",
            format!(
                "The file must be a file of type: {}.",
                DOCUMENT_TYPES.join(", ")
            ),
        ),
        (Some(f), _) if f.bytes.len() > MAX_DOCUMENT_BYTES => fail(
            "file",
            format!(
                "The file may not be greater than {} kilobytes.",
                MAX_DOCUMENT_BYTES / 1024
            ),
        ),
        _ => {}
    }
    let (Some(employee_id), Some(category_id), Some(file), Some(ext), true) = (
        employee_id,
        category_id,
        file,
        file_extension,
        errors.is_empty(),
    ) else {
        return Err(invalid(errors));
    };
    let new = NewDocument {
        owner_id: employee_id,
        category_id,
        name: title,
        date,
        comment: form.text("comment").unwrap_or_default(),
        bytes: file.bytes.clone(),
        file_name: file.file_name.clone().unwrap_or_default(),
        media_type: media_type(&ext),
    };
    let now = app.clock.now();
    let mut company = app.company.write();
    let id = company.create_document(new, now).map_err(|e| match e {
        DocumentError::UnknownOwner(id) => no_model("Employee", id),
        DocumentError::UnknownCategory(id) => no_model("DocumentCategory", id),
        DocumentError::NotFound => ApiError::employee_not_found(Family::V1),
    })?;
    let document = company
        .document(id)
        .ok_or_else(|| ApiError::employee_not_found(Family::V1))?;
    let body = to_bytes(&Single::new(uploaded(&company, document)));
    Ok((StatusCode::CREATED, json_response(body)).into_response())
}
