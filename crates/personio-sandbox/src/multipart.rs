//! Multipart form bodies (file uploads), read whole. Handlers get every part, or what was
//! wrong with the body, and answer in their own API's words.

use std::convert::Infallible;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;

/// One part of a multipart body.
#[derive(Debug, Clone)]
pub(crate) struct FormPart {
    pub name: String,
    pub file_name: Option<String>,
    pub bytes: Bytes,
}

/// Why a multipart body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormProblem {
    /// Not `multipart/form-data`, no boundary, or broken framing.
    Malformed,
    /// Larger than the route accepts.
    TooLarge,
}

/// The parts of a multipart body, or why there are none.
#[derive(Debug, Clone)]
pub(crate) struct MultipartForm(pub Result<Vec<FormPart>, FormProblem>);

impl MultipartForm {
    pub(crate) fn parts(&self) -> &[FormPart] {
        self.0.as_deref().unwrap_or_default()
    }

    /// The text of the first part named `name` (lossy UTF-8).
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        self.parts()
            .iter()
            .find(|p| p.name == name)
            .map(|p| String::from_utf8_lossy(&p.bytes).into_owned())
    }

    /// The first part named `name` that carries a file name.
    pub(crate) fn file(&self, name: &str) -> Option<&FormPart> {
        self.parts()
            .iter()
            .find(|p| p.name == name && p.file_name.is_some())
    }
}

impl<S: Send + Sync> FromRequest<S> for MultipartForm {
    type Rejection = Infallible;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Ok(mut multipart) = Multipart::from_request(req, state).await else {
            return Ok(MultipartForm(Err(FormProblem::Malformed)));
        };
        let mut parts = Vec::new();
        loop {
            match multipart.next_field().await {
                Ok(Some(field)) => {
                    let name = field.name().unwrap_or_default().to_owned();
                    let file_name = field.file_name().map(str::to_owned);
                    match field.bytes().await {
                        Ok(bytes) => parts.push(FormPart {
                            name,
                            file_name,
                            bytes,
                        }),
                        Err(e) => return Ok(MultipartForm(Err(problem(e.status())))),
                    }
                }
                Ok(None) => return Ok(MultipartForm(Ok(parts))),
                Err(e) => return Ok(MultipartForm(Err(problem(e.status())))),
            }
        }
    }
}

fn problem(status: StatusCode) -> FormProblem {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        FormProblem::TooLarge
    } else {
        FormProblem::Malformed
    }
}

/// The lower-case extension of a file name (`CV.Final.PDF` → `pdf`).
pub(crate) fn extension(file_name: &str) -> Option<String> {
    let (stem, ext) = file_name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// The media type of a file, by its extension.
pub(crate) fn media_type(extension: &str) -> &'static str {
    match extension {
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "odp" => "application/vnd.oasis.opendocument.presentation",
        "rtf" => "application/rtf",
        "txt" | "md" | "asc" => "text/plain",
        "csv" => "text/csv",
        "htm" | "html" => "text/html",
        "xml" => "application/xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "7z" => "application/x-7z-compressed",
        "rar" => "application/vnd.rar",
        "mp4" => "video/mp4",
        "3gp" => "video/3gpp",
        "mov" => "video/quicktime",
        "avi" => "video/x-msvideo",
        "wmv" => "video/x-ms-wmv",
        "ics" => "text/calendar",
        "vcf" => "text/vcard",
        _ => "application/octet-stream",
    }
}
