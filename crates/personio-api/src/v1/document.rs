//! v1 documents: `GET /company/document-categories` and `POST /company/documents`
//! (multipart upload; personio-api.md §2.6). v1 cannot list or download documents.

use serde::{Deserialize, Serialize};

use super::Employee;

/// Largest document Personio takes (§2.6).
pub const MAX_DOCUMENT_BYTES: usize = 30 * 1024 * 1024;

/// The extensions Personio's upload takes (its 422 lists them in this order, personio-api.md §2.6).
pub const DOCUMENT_TYPES: &[&str] = &[
    "pdf",
    "docx",
    "doc",
    "jpg",
    "zip",
    "png",
    "txt",
    "jpeg",
    "odt",
    "xlsx",
    "rtf",
    "htm",
    "xls",
    "p7s",
    "pptx",
    "pages",
    "rar",
    "ppt",
    "gif",
    "tif",
    "html",
    "msg",
    "asc",
    "tiff",
    "wps",
    "bmp",
    "7z",
    "csv",
    "ics",
    "vcf",
    "dotx",
    "numbers",
    "eps",
    "gz",
    "ods",
    "otf",
    "odp",
    "odg",
    "rtfd",
    "txz",
    "webarchive",
    "xml",
    "xps",
    "md",
    "fax",
];

/// `{"id": 1, "type": "DocumentCategory", "attributes": {"name": "..."}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentCategory {
    pub id: i64,
    #[serde(rename = "type", default)]
    pub kind: String,
    pub attributes: DocumentCategoryAttributes,
}

/// The attributes of a document category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentCategoryAttributes {
    #[serde(default)]
    pub name: String,
}

/// `data` of a 201 upload: `{"id", "type": "Document", "attributes": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadedDocument {
    pub id: i64,
    #[serde(rename = "type", default)]
    pub kind: String,
    pub attributes: UploadedDocumentAttributes,
}

/// What Personio echoes of an upload: the owner as a short employee (id, names, email) and
/// the category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadedDocumentAttributes {
    #[serde(default)]
    pub title: String,
    /// `Y-m-d`, `null` when none was given.
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    pub employee: Employee,
    pub category: DocumentCategory,
}
