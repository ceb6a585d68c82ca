//! Documents uploaded through v1 `POST /v1/company/documents` (multipart; personio-api.md
//! §2.6): v2 document management has no upload (§3.9), so the upload is v1's and the
//! record is then read back from v2 `GET /v2/document-management/documents?owner_id=`, as
//! the sync reads documents. The sandbox gives an upload the same id in both APIs; whether
//! Personio does is not documented, so the record is also matched by its content (name,
//! category, size) when the ids differ.
//!
//! The journal holds the fields and the file's SHA-256, never the file: a write whose
//! outcome is unknown is resolved by reading Personio, and is sent again only by a call
//! that brings the file again (the same request with the same key).
//!
//! Checked before sending, as Personio checks: a file of at most 30 MB with one of the
//! extensions Personio takes, a title of at most 255 characters (the file's name when
//! none is given), a date as `YYYY-MM-DD`.

use std::fmt;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::fields::FieldError;

/// A file's bytes, carried beside the journalled intent (never serialized).
#[derive(Clone, PartialEq, Eq)]
pub struct FileContent(pub Bytes);

impl fmt::Debug for FileContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileContent({} bytes)", self.0.len())
    }
}

/// A file as it arrived: its name and bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub file_name: String,
    pub size: u64,
    /// SHA-256 of the bytes, hex: what the journal knows the file by.
    pub sha256: String,
    #[serde(skip)]
    pub content: Option<FileContent>,
}

impl Attachment {
    /// A file named `file_name`, checked against `allowed` extensions and `max` bytes;
    /// `field` names it in a refusal.
    pub fn new(
        field: &str,
        file_name: &str,
        bytes: Bytes,
        allowed: &[&str],
        max: usize,
    ) -> Result<Attachment, FieldError> {
        let file_name = file_name.trim();
        if file_name.is_empty() || file_name.chars().count() > 255 {
            return Err(FieldError::new(
                field,
                "needs a file name of 1 to 255 characters",
            ));
        }
        let ext = extension(file_name);
        if !allowed.contains(&ext.as_str()) {
            return Err(FieldError::new(
                field,
                format!(
                    "must be a file of type: {} (Personio takes no other)",
                    allowed.join(", ")
                ),
            ));
        }
        if bytes.is_empty() {
            return Err(FieldError::new(field, "is empty"));
        }
        if bytes.len() > max {
            return Err(FieldError::new(
                field,
                format!(
                    "may be at most {} MB (Personio's limit)",
                    max / (1024 * 1024)
                ),
            ));
        }
        Ok(Attachment {
            file_name: file_name.to_owned(),
            size: bytes.len() as u64,
            sha256: super::hex(&Sha256::digest(&bytes)),
            content: Some(FileContent(bytes)),
        })
    }

    pub(crate) fn bytes(&self) -> Option<&[u8]> {
        self.content.as_ref().map(|c| c.0.as_ref())
    }
}

fn extension(file_name: &str) -> String {
    file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// A document to upload for an employee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDocument {
    pub employee_id: i64,
    pub category_id: i64,
    pub title: String,
    pub date: Option<String>,
    pub comment: Option<String>,
    pub file: Attachment,
}

impl NewDocument {
    /// Reads an upload from its form fields (`employee_id`, `category_id`, `title`?,
    /// `date`?, `comment`?; each as text) and its file.
    pub fn from_form(
        text: impl Fn(&str) -> Option<String>,
        file: Option<(String, Bytes)>,
        known: &[&str],
    ) -> Result<NewDocument, FieldError> {
        if let Some(unknown) = known.iter().find(|k| !FORM_FIELDS.contains(k)) {
            return Err(FieldError::new(
                *unknown,
                format!(
                    "is not a field of a document upload (known: {})",
                    FORM_FIELDS.join(", ")
                ),
            ));
        }
        let number = |field: &str| -> Result<i64, FieldError> {
            let raw = text(field).map(|t| t.trim().to_owned()).unwrap_or_default();
            if raw.is_empty() {
                return Err(FieldError::new(field, "is required"));
            }
            raw.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| FieldError::new(field, "must be a whole number (an id)"))
        };
        let employee_id = number("employee_id")?;
        let category_id = number("category_id")?;
        let (file_name, bytes) = file.ok_or_else(|| {
            FieldError::new(
                "file",
                "is required (a multipart part named file, with a file name)",
            )
        })?;
        let file = Attachment::new(
            "file",
            &file_name,
            bytes,
            personio_api::v1::DOCUMENT_TYPES,
            personio_api::v1::MAX_DOCUMENT_BYTES,
        )?;
        let title = text("title")
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| file.file_name.clone());
        if title.chars().count() > 255 {
            return Err(FieldError::new("title", "may have at most 255 characters"));
        }
        let date = match text("date")
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty())
        {
            None => None,
            Some(day) => Some(
                chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                    .map_err(|_| FieldError::new("date", "must be a date such as 2027-01-31"))?
                    .to_string(),
            ),
        };
        let comment = text("comment").filter(|c| !c.trim().is_empty());
        if comment.as_ref().is_some_and(|c| c.chars().count() > 2000) {
            return Err(FieldError::new(
                "comment",
                "may have at most 2000 characters",
            ));
        }
        Ok(NewDocument {
            employee_id,
            category_id,
            title,
            date,
            comment,
            file,
        })
    }

    /// Whether `document` (as v2 lists it) is this upload.
    pub(crate) fn is(&self, document: &personio_api::v2::Document) -> bool {
        document.owner.id.trim() == self.employee_id.to_string()
            && document.category.id.trim() == self.category_id.to_string()
            && document.name == self.title
            && document.size == self.file.size
            && (self.date.is_none() || document.date == self.date)
    }
}

/// The form fields of an upload.
pub const FORM_FIELDS: &[&str] = &[
    "file",
    "employee_id",
    "category_id",
    "title",
    "date",
    "comment",
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn form(fields: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn an_upload_is_checked_and_known_by_its_digest() {
        let file = Some(("contract.pdf".to_owned(), Bytes::from_static(b"%PDF-1.4")));
        let new = NewDocument::from_form(
            form(&[("employee_id", "3"), ("category_id", "1")]),
            file.clone(),
            &["employee_id", "category_id", "file"],
        )
        .unwrap();
        assert_eq!(new.title, "contract.pdf");
        assert_eq!(new.file.size, 8);
        let journalled = serde_json::to_value(&new).unwrap();
        assert!(journalled["file"].get("content").is_none());
        assert_eq!(journalled["file"]["sha256"].as_str().unwrap().len(), 64);
        let field = |fields: &[(&str, &str)], file: Option<(String, Bytes)>| {
            NewDocument::from_form(form(fields), file, &[])
                .unwrap_err()
                .field
        };
        assert_eq!(field(&[("category_id", "1")], file.clone()), "employee_id");
        assert_eq!(
            field(&[("employee_id", "3"), ("category_id", "x")], file.clone()),
            "category_id"
        );
        assert_eq!(
            field(&[("employee_id", "3"), ("category_id", "1")], None),
            "file"
        );
        let exe = Some(("tool.exe".to_owned(), Bytes::from_static(b"MZ")));
        assert_eq!(
            field(&[("employee_id", "3"), ("category_id", "1")], exe),
            "file"
        );
        assert_eq!(
            field(
                &[("employee_id", "3"), ("category_id", "1"), ("date", "soon")],
                file
            ),
            "date"
        );
    }
}
