//! The deprecated `POST /recruiting/applicant` (multipart; personio-api.md §4.4): the
//! company id and recruiting token travel in the form, and answers use the old
//! `{"success", "data"|"error": {"message"}}` envelope.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use personio_api::recruiting::{LegacyBody, LegacyMessage};
use uuid::Uuid;

use super::MAX_FILE_BYTES;
use super::applications::looks_like_email;
use crate::company::{AttachedFile, JobStatus, NewApplication, StageRef, SystemStage, Upload};
use crate::error::{ApiError, ApiResult, Family};
use crate::multipart::{FormProblem, MultipartForm, extension, media_type};
use crate::render::page::{json_response, to_bytes};
use crate::state::AppState;

/// Extensions the deprecated endpoint takes.
const TYPES: &[&str] = &[
    "pdf", "docx", "doc", "jpg", "png", "txt", "jpeg", "odt", "ods", "xlsx", "rtf", "xls", "pptx",
    "ppt", "gif", "tif", "tiff", "bmp", "csv", "rar", "gz", "zip", "7z",
];
const BAD_FILE: &str = "Unsupported extension or file greater than 20Mb.";

fn fail(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError::custom(Family::LegacyRecruiting, status, 0, message)
}

fn unauthorized() -> ApiError {
    fail(StatusCode::FORBIDDEN, "This action is unauthorized.")
}

/// `POST /recruiting/applicant` → 200 with a success message.
pub(super) async fn create(
    State(app): State<AppState>,
    form: MultipartForm,
) -> ApiResult<Response> {
    match form.0 {
        Err(FormProblem::TooLarge) => return Err(fail(StatusCode::BAD_REQUEST, BAD_FILE)),
        Err(FormProblem::Malformed) => {
            return Err(fail(
                StatusCode::BAD_REQUEST,
                "The company_id field is required.",
            ));
        }
        Ok(_) => {}
    }
    let text = |name: &str| {
        form.text(name)
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    let key = app.registry.recruiting();
    let company_id = text("company_id").and_then(|c| c.parse::<i64>().ok());
    let authorized = key.is_some_and(|k| {
        Some(k.company_id) == company_id
            && text("access_token").as_deref() == Some(k.token.as_str())
    });
    if !authorized {
        return Err(unauthorized());
    }
    let mut required = Vec::new();
    for field in ["job_position_id", "first_name", "last_name", "email"] {
        match text(field) {
            Some(value) => required.push(value),
            None => {
                return Err(fail(
                    StatusCode::BAD_REQUEST,
                    format!("The {field} field is required."),
                ));
            }
        }
    }
    let [job_text, first_name, last_name, email] =
        <[String; 4]>::try_from(required).map_err(|_| unauthorized())?;
    if !looks_like_email(&email) {
        return Err(fail(
            StatusCode::BAD_REQUEST,
            "The email must be a valid email address.",
        ));
    }
    let mut attributes = Vec::new();
    for field in [
        "gender",
        "phone",
        "location",
        "salary_expectations",
        "available_from",
        "birthday",
    ] {
        if let Some(value) = text(field) {
            attributes.push((field.to_owned(), value));
        }
    }
    let mut files = Vec::new();
    for part in form.parts().iter().filter(|p| p.file_name.is_some()) {
        let name = part.file_name.clone().unwrap_or_default();
        let ext = extension(&name).unwrap_or_default();
        if !TYPES.contains(&ext.as_str()) || part.bytes.len() > MAX_FILE_BYTES {
            return Err(fail(StatusCode::BAD_REQUEST, BAD_FILE));
        }
        // `categorised_documents[n][file]` has a sibling `[category]`; the rest are `other`.
        let category = part
            .name
            .strip_suffix("[file]")
            .and_then(|stem| text(&format!("{stem}[category]")))
            .unwrap_or_else(|| "other".to_owned());
        files.push((name, ext, category, part.bytes.clone()));
    }
    let now = app.clock.now();
    let mut company = app.company.write();
    if !(company.recruiting.features.recruiting && company.recruiting.features.api) {
        return Err(unauthorized());
    }
    for part in form.parts() {
        if part.name.starts_with("custom_attribute_") {
            let Some(def) = company
                .recruiting
                .attributes
                .iter()
                .find(|a| a.id == part.name)
            else {
                return Err(fail(
                    StatusCode::BAD_REQUEST,
                    format!("Parameter {} does not exist.", part.name),
                ));
            };
            attributes.push((
                def.id.clone(),
                String::from_utf8_lossy(&part.bytes).into_owned(),
            ));
        }
    }
    let job = job_text
        .parse::<i64>()
        .ok()
        .and_then(|id| company.job(id))
        .ok_or_else(|| fail(StatusCode::BAD_REQUEST, "Could not find the job position."))?;
    if job.status != JobStatus::Published {
        return Err(fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Job position not published",
        ));
    }
    let job_id = job.id;
    if company.has_applied(&email, job_id) {
        return Err(fail(
            StatusCode::BAD_REQUEST,
            "Applicant already applied to this position.",
        ));
    }
    let attached = files
        .into_iter()
        .map(|(original_filename, ext, category, bytes)| {
            let uuid = company.store_upload(Upload {
                uuid: Uuid::nil(),
                bytes,
                mimetype: media_type(&ext),
                original_filename: original_filename.clone(),
                extension: ext,
            });
            AttachedFile {
                uuid,
                original_filename,
                category,
            }
        })
        .collect();
    let tags = form
        .parts()
        .iter()
        .filter(|p| p.name == "tags" || p.name == "tags[]")
        .flat_map(|p| {
            String::from_utf8_lossy(&p.bytes)
                .split(',')
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
        })
        .collect();
    company.submit_application(
        NewApplication {
            job_id,
            first_name,
            last_name,
            email,
            channel_id: text("recruiting_channel_id").and_then(|c| c.parse().ok()),
            external_posting_id: text("external_posting_id"),
            message: text("message"),
            application_date: None,
            stage: StageRef::System(SystemStage::Unassigned),
            tags,
            files: attached,
            attributes,
        },
        now,
    );
    Ok(json_response(to_bytes(&LegacyBody {
        success: true,
        data: Some(LegacyMessage {
            message: "Applicant successfully applied to the job position.".into(),
        }),
        error: None,
    })))
}
