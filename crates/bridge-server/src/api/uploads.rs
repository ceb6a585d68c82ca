//! The bodies of writes that carry files: `POST .../documents` (multipart: `file`,
//! `employee_id`, `category_id`, `title`?, `date`?, `comment`?) and
//! `POST .../recruiting_applications` (JSON, or multipart with the JSON in a part named
//! `application` and each attachment in a file part named by its category: `cv`,
//! `cover-letter`, `employment-reference`, `certificate`, `work-sample`, `other`).
//! Files are checked against Personio's limits here, before anything is journalled.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{HeaderMap, header};
use bridge_sync::write::Intent;
use bridge_sync::write::application::{
    ATTACHMENT_CATEGORIES, ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, NewApplication,
    attachment_category,
};
use bridge_sync::write::document::{Attachment, NewDocument};

use super::Problem;
use super::writes::{field, json_body};

/// The largest body an upload may have: the largest file Personio takes (a document,
/// 30 MB) or a few attachments, with their framing.
pub(crate) const MAX_UPLOAD_BODY: usize = 64 * 1024 * 1024;

/// One part of a multipart body.
struct FormPart {
    name: String,
    file_name: Option<String>,
    bytes: Bytes,
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// Every part of a multipart body (already read whole), or why it cannot be read.
async fn parts(headers: &HeaderMap, body: Bytes) -> Result<Vec<FormPart>, Problem> {
    let malformed = |why: String| {
        Problem::invalid_body(format!(
            "expected a multipart/form-data body with a boundary: {why}"
        ))
    };
    let mut request = Request::new(Body::from(body));
    if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
        request
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type.clone());
    }
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|e| malformed(e.body_text()))?;
    let mut parts = Vec::new();
    while let Some(part) = multipart
        .next_field()
        .await
        .map_err(|e| malformed(e.body_text()))?
    {
        let name = part.name().unwrap_or_default().to_owned();
        let file_name = part.file_name().map(str::to_owned);
        let bytes = part.bytes().await.map_err(|e| malformed(e.body_text()))?;
        parts.push(FormPart {
            name,
            file_name,
            bytes,
        });
    }
    Ok(parts)
}

/// A document upload.
pub(super) async fn document(headers: &HeaderMap, body: Bytes) -> Result<Intent, Problem> {
    if !is_multipart(headers) {
        return Err(Problem::invalid_body(
            "a document is uploaded as multipart/form-data: the file in a part named file, \
             with employee_id, category_id and optionally title, date and comment",
        ));
    }
    let parts = parts(headers, body).await?;
    let text = |name: &str| {
        parts
            .iter()
            .find(|p| p.name == name && p.file_name.is_none())
            .map(|p| String::from_utf8_lossy(&p.bytes).into_owned())
    };
    let file = parts
        .iter()
        .find(|p| p.name == "file" && p.file_name.is_some())
        .map(|p| (p.file_name.clone().unwrap_or_default(), p.bytes.clone()));
    let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
    NewDocument::from_form(text, file, &names)
        .map(Intent::UploadDocument)
        .map_err(field)
}

/// An application, with its attachments when multipart.
pub(super) async fn application(headers: &HeaderMap, body: Bytes) -> Result<Intent, Problem> {
    if !is_multipart(headers) {
        let body = json_body(&body)?;
        return NewApplication::from_json(body, Vec::new())
            .map(Intent::CreateApplication)
            .map_err(field);
    }
    let mut json = None;
    let mut files = Vec::new();
    for part in parts(headers, body).await? {
        match (&part.file_name, part.name.as_str()) {
            (None, "application") => json = Some(json_body(&part.bytes)?),
            (Some(file_name), name) => {
                let category = attachment_category(name).ok_or_else(|| {
                    Problem::invalid_field(
                        name,
                        format!(
                            "a file part is named by its category: {}",
                            ATTACHMENT_CATEGORIES.join(", ")
                        ),
                    )
                })?;
                let file = Attachment::new(
                    name,
                    file_name,
                    part.bytes,
                    ATTACHMENT_TYPES,
                    MAX_ATTACHMENT_BYTES,
                )
                .map_err(field)?;
                files.push((category.to_owned(), file));
            }
            (None, name) => {
                return Err(Problem::invalid_field(
                    name,
                    "is not a part of an application (application: the JSON; files: by category)",
                ));
            }
        }
    }
    let json = json.ok_or_else(|| {
        Problem::invalid_field(
            "application",
            "is required: a part holding the application as JSON",
        )
    })?;
    NewApplication::from_json(json, files)
        .map(Intent::CreateApplication)
        .map_err(field)
}
