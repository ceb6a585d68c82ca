//! Documents → v1 categories and upload answers, v2 document metadata, and file bytes
//! (generated documents become PDFs here).

use axum::body::Bytes;
use indexmap::IndexMap;
use personio_api::v1::{
    Attribute, DocumentCategory as WireCategory, DocumentCategoryAttributes,
    Employee as WireEmployee, UploadedDocument, UploadedDocumentAttributes,
};
use personio_api::v2::{Document as WireDocument, IdRef, StatusRef};
use serde_json::json;

use super::v2_timestamp;
use crate::company::{Company, Document, DocumentCategory, DocumentFile, document_text};

pub(crate) fn category(category: &DocumentCategory) -> WireCategory {
    WireCategory {
        id: category.id,
        kind: "DocumentCategory".into(),
        attributes: DocumentCategoryAttributes {
            name: category.name.to_owned(),
        },
    }
}

/// The file of a document: its bytes and a file name.
pub(crate) fn file(company: &Company, document: &Document) -> (Bytes, String) {
    match &document.file {
        DocumentFile::Generated(_) => {
            let (title, lines) = document_text(company, document);
            let bytes = super::pdf::text_page(&title, &lines);
            (
                Bytes::from(bytes),
                format!("{}.pdf", title.replace(' ', "_")),
            )
        }
        DocumentFile::Uploaded {
            bytes, file_name, ..
        } => (bytes.clone(), file_name.clone()),
    }
}

/// v2 metadata. The virus scan of every stored file reads `safe` (ours scan nothing).
pub(crate) fn document(company: &Company, document: &Document) -> WireDocument {
    let size = match &document.file {
        DocumentFile::Uploaded { bytes, .. } => bytes.len(),
        DocumentFile::Generated(_) => file(company, document).0.len(),
    } as u64;
    WireDocument {
        id: document.id.to_string(),
        name: document.name.clone(),
        date: document.date.map(|d| d.to_string()),
        comment: Some(document.comment.clone()),
        category: IdRef::new(document.category_id),
        owner: IdRef::new(document.owner_id),
        document_type: Some(document.media_type().to_owned()),
        size,
        created_at: Some(v2_timestamp(document.created_at)),
        virus_scan: Some(StatusRef {
            status: "safe".into(),
        }),
        esignature: Some(StatusRef {
            status: document
                .esignature
                .unwrap_or("status_unspecified")
                .to_owned(),
        }),
    }
}

/// The 201 `data` of a v1 upload: the owner as a short employee, and the category.
pub(crate) fn uploaded(company: &Company, document: &Document) -> UploadedDocument {
    let owner = company.employee(document.owner_id);
    let mut attributes = IndexMap::new();
    let fields = [
        ("id", "ID", "integer", owner.map(|e| json!(e.id))),
        (
            "first_name",
            "First name",
            "standard",
            owner.map(|e| json!(e.first_name)),
        ),
        (
            "last_name",
            "Last name",
            "standard",
            owner.map(|e| json!(e.last_name)),
        ),
        ("email", "Email", "standard", owner.map(|e| json!(e.email))),
    ];
    for (key, label, kind, value) in fields {
        attributes.insert(
            key.to_owned(),
            Attribute {
                label: label.to_owned(),
                value: value.unwrap_or_default(),
                kind: kind.to_owned(),
                universal_id: Some(key.to_owned()),
                currency: None,
            },
        );
    }
    let category = company
        .document_category(document.category_id)
        .map(category)
        .unwrap_or_else(|| WireCategory {
            id: document.category_id,
            kind: "DocumentCategory".into(),
            attributes: DocumentCategoryAttributes {
                name: String::new(),
            },
        });
    UploadedDocument {
        id: document.id,
        kind: "Document".into(),
        attributes: UploadedDocumentAttributes {
            title: document.name.clone(),
            date: document.date.map(|d| d.to_string()),
            comment: (!document.comment.is_empty()).then(|| document.comment.clone()),
            employee: WireEmployee {
                kind: "Employee".into(),
                attributes,
            },
            category,
        },
    }
}
