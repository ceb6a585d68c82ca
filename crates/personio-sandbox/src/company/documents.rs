//! Employee documents: categories, the documents filed in them, and their files.
//!
//! Generated documents (contracts, payslips, certificates, ...) keep no bytes: their PDF is
//! written on demand from the document and its owner, identically each time. Uploaded
//! documents keep the bytes they came with. Every change records Personio's
//! `document.created|updated|deleted` event (personio-api.md §3.11).

use bytes::Bytes;
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::employee::{EmploymentType, Status};
use super::{Company, names};

/// A document category, as v1 lists them.
#[derive(Debug, Clone)]
pub struct DocumentCategory {
    pub id: i64,
    pub name: &'static str,
}

/// What a generated document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    Contract,
    Confidentiality,
    Payslip,
    Certificate,
    Termination,
}

/// The file behind a document.
#[derive(Debug, Clone)]
pub enum DocumentFile {
    /// A PDF written on demand (see `render::documents`).
    Generated(DocumentKind),
    /// Bytes received through `POST /v1/company/documents`.
    Uploaded {
        bytes: Bytes,
        file_name: String,
        media_type: &'static str,
    },
}

/// One document of one employee.
#[derive(Debug, Clone)]
pub struct Document {
    pub id: i64,
    pub owner_id: i64,
    pub category_id: i64,
    pub name: String,
    pub date: Option<NaiveDate>,
    pub comment: String,
    pub file: DocumentFile,
    /// E-signature status, for documents sent for signature.
    pub esignature: Option<&'static str>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Every document category and document of the company; documents sorted by id.
#[derive(Debug, Clone, Default)]
pub struct Documents {
    pub categories: Vec<DocumentCategory>,
    pub items: Vec<Document>,
    next_id: i64,
}

/// A document to file (v1 upload).
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub owner_id: i64,
    pub category_id: i64,
    pub name: String,
    pub date: Option<NaiveDate>,
    pub comment: String,
    pub bytes: Bytes,
    pub file_name: String,
    pub media_type: &'static str,
}

/// Metadata changes (v2 PATCH); `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct DocumentChanges {
    pub name: Option<String>,
    pub date: Option<NaiveDate>,
    pub comment: Option<String>,
    pub category_id: Option<i64>,
}

/// Why a document change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("document not found")]
    NotFound,
    #[error("employee {0} not found")]
    UnknownOwner(i64),
    #[error("document category {0} not found")]
    UnknownCategory(i64),
}

/// (category, kind) of the categories the generator files documents in.
const CATEGORIES: &[&str] = &[
    "Employment contracts",
    "Payslips",
    "Certificates",
    "Confidentiality agreements",
    "Termination documents",
    "Other documents",
];

/// How many recent payslips each salaried employee has on file.
const PAYSLIP_MONTHS: u32 = 3;

impl DocumentKind {
    /// Index into the generated categories.
    fn category_index(self) -> usize {
        match self {
            DocumentKind::Contract => 0,
            DocumentKind::Payslip => 1,
            DocumentKind::Certificate => 2,
            DocumentKind::Confidentiality => 3,
            DocumentKind::Termination => 4,
        }
    }
}

impl Document {
    /// The file's media type.
    pub fn media_type(&self) -> &'static str {
        match &self.file {
            DocumentFile::Generated(_) => "application/pdf",
            DocumentFile::Uploaded { media_type, .. } => media_type,
        }
    }
}

impl Company {
    pub fn document(&self, id: i64) -> Option<&Document> {
        let items = &self.documents.items;
        items
            .binary_search_by_key(&id, |d| d.id)
            .ok()
            .map(|i| &items[i])
    }

    pub fn document_category(&self, id: i64) -> Option<&DocumentCategory> {
        self.documents.categories.iter().find(|c| c.id == id)
    }

    /// Files an uploaded document; returns its id.
    pub fn create_document(
        &mut self,
        new: NewDocument,
        now: DateTime<Utc>,
    ) -> Result<i64, DocumentError> {
        self.employee(new.owner_id)
            .ok_or(DocumentError::UnknownOwner(new.owner_id))?;
        self.document_category(new.category_id)
            .ok_or(DocumentError::UnknownCategory(new.category_id))?;
        let id = self.documents.next_id;
        self.documents.next_id += 1;
        // Ids only grow, so pushing keeps the list sorted.
        self.documents.items.push(Document {
            id,
            owner_id: new.owner_id,
            category_id: new.category_id,
            name: new.name,
            date: new.date,
            comment: new.comment,
            file: DocumentFile::Uploaded {
                bytes: new.bytes,
                file_name: new.file_name,
                media_type: new.media_type,
            },
            esignature: None,
            created_at: now,
            updated_at: now,
        });
        self.changes
            .record("document.created", now, payload(id, new.owner_id));
        Ok(id)
    }

    /// Changes a document's metadata; records `document.updated` when anything changed.
    pub fn update_document(
        &mut self,
        id: i64,
        changes: DocumentChanges,
        now: DateTime<Utc>,
    ) -> Result<(), DocumentError> {
        if let Some(category) = changes.category_id {
            self.document_category(category)
                .ok_or(DocumentError::UnknownCategory(category))?;
        }
        let index = self.document_index(id)?;
        let document = &mut self.documents.items[index];
        let mut changed = false;
        if let Some(name) = changes.name.filter(|n| *n != document.name) {
            document.name = name;
            changed = true;
        }
        if let Some(date) = changes.date.filter(|d| Some(*d) != document.date) {
            document.date = Some(date);
            changed = true;
        }
        if let Some(comment) = changes.comment.filter(|c| *c != document.comment) {
            document.comment = comment;
            changed = true;
        }
        if let Some(category) = changes.category_id.filter(|c| *c != document.category_id) {
            document.category_id = category;
            changed = true;
        }
        if changed {
            document.updated_at = now;
            let owner = document.owner_id;
            self.changes
                .record("document.updated", now, payload(id, owner));
        }
        Ok(())
    }

    /// Removes a document; it vanishes from every listing.
    pub fn delete_document(&mut self, id: i64, now: DateTime<Utc>) -> Result<(), DocumentError> {
        let index = self.document_index(id)?;
        let removed = self.documents.items.remove(index);
        self.changes
            .record("document.deleted", now, payload(id, removed.owner_id));
        Ok(())
    }

    fn document_index(&self, id: i64) -> Result<usize, DocumentError> {
        self.documents
            .items
            .binary_search_by_key(&id, |d| d.id)
            .map_err(|_| DocumentError::NotFound)
    }
}

fn payload(id: i64, owner: i64) -> serde_json::Value {
    serde_json::json!({ "id": id.to_string(), "owner": { "id": owner.to_string() } })
}

/// Files the documents every employee has: a contract, most an NDA, recent payslips for
/// salaried staff, some certificates, and a termination letter for those who left.
pub(super) fn generate(company: &mut Company, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xD0C5_D0C5);
    let mut next_category = 200 + rng.random_range(0..50);
    company.documents.categories = CATEGORIES
        .iter()
        .map(|&name| {
            next_category += rng.random_range(1..9);
            DocumentCategory {
                id: next_category,
                name,
            }
        })
        .collect();
    let categories: Vec<i64> = company.documents.categories.iter().map(|c| c.id).collect();
    let today = company.as_of.date_naive();
    let mut id = 40_000 + rng.random_range(0..1_000);
    let mut items = Vec::with_capacity(company.employees.len() * 5);
    for e in &company.employees {
        let mut add = |kind: DocumentKind, name: String, date: NaiveDate, signed: bool| {
            id += rng.random_range(1..4);
            let created_at = noon(date).min(company.as_of - Duration::minutes(5));
            items.push(Document {
                id,
                owner_id: e.id,
                category_id: categories[kind.category_index()],
                name,
                date: Some(date),
                comment: String::new(),
                file: DocumentFile::Generated(kind),
                esignature: signed.then_some("signed"),
                created_at,
                updated_at: created_at,
            });
        };
        let signed_on = (e.hire_date - Duration::days(21)).max(e.created_at.date_naive());
        add(
            DocumentKind::Contract,
            "Employment contract".to_owned(),
            signed_on,
            true,
        );
        if e.id % 3 != 0 {
            add(
                DocumentKind::Confidentiality,
                "Confidentiality agreement".to_owned(),
                signed_on,
                true,
            );
        }
        let salaried =
            e.employment_type == EmploymentType::Internal && e.status != Status::Onboarding;
        if salaried {
            let last_day = e
                .termination
                .as_ref()
                .map_or(today, |t| t.last_working_day.min(today));
            for back in 1..=PAYSLIP_MONTHS {
                let Some(month) = first_of_month(last_day).checked_sub_months(Months::new(back))
                else {
                    continue;
                };
                if month < first_of_month(e.hire_date) {
                    break;
                }
                let paid = month + Duration::days(27);
                add(
                    DocumentKind::Payslip,
                    format!("Payslip {}", month.format("%Y-%m")),
                    paid,
                    false,
                );
            }
        }
        if e.id % 4 == 1 && e.hire_date < today {
            add(
                DocumentKind::Certificate,
                "First-aid training certificate".to_owned(),
                e.hire_date + Duration::days(60),
                false,
            );
        }
        if let Some(termination) = &e.termination {
            add(
                DocumentKind::Termination,
                "Termination letter".to_owned(),
                termination.recorded_at.date_naive(),
                false,
            );
        }
    }
    items.sort_by_key(|d| d.id);
    company.documents.next_id = id + 1;
    company.documents.items = items;
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

fn noon(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(9, 0, 0).unwrap_or_default().and_utc()
}

/// The text of a generated document, as its PDF shows it: a title and lines, in Latin-1
/// (letters outside it are folded to ASCII so the standard PDF fonts can show them).
pub fn document_text(company: &Company, document: &Document) -> (String, Vec<String>) {
    let owner = company.employee(document.owner_id);
    let name = owner.map_or_else(|| "Former employee".to_owned(), |e| e.full_name());
    let entity = owner
        .and_then(|e| company.legal_entity(e.legal_entity_id))
        .map_or(company.name.as_str(), |le| le.name.as_str());
    let date = document
        .date
        .map_or_else(String::new, |d| d.format("%d.%m.%Y").to_string());
    let mut lines = vec![entity.to_owned(), format!("Employee: {name}"), date.clone()];
    match (&document.file, owner) {
        (DocumentFile::Generated(DocumentKind::Contract), Some(e)) => {
            lines.push(format!("Position: {}", e.position));
            lines.push(format!("Start of employment: {}", e.hire_date));
            lines.push(format!("Weekly working hours: {}", e.weekly_hours));
        }
        (DocumentFile::Generated(DocumentKind::Payslip), Some(e)) => {
            lines.push(format!(
                "Gross pay: {:.2} ({})",
                e.fix_salary,
                e.salary_interval.as_str()
            ));
        }
        (DocumentFile::Generated(DocumentKind::Termination), Some(e)) => {
            if let Some(t) = &e.termination {
                lines.push(format!("Employment ends on {}.", t.date));
            }
        }
        _ => {}
    }
    let fold = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if (c as u32) < 0x100 {
                    c.to_string()
                } else {
                    names::ascii_fold(&c.to_string())
                }
            })
            .collect()
    };
    (
        fold(&document.name),
        lines.iter().map(|l| fold(l)).collect(),
    )
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use crate::company::{Company, DocumentChanges, GenerateSpec, NewDocument};

    #[test]
    fn document_changes_record_personios_event_names() {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        let mut company = Company::generate(GenerateSpec {
            seed: 2,
            employees: 4,
            as_of,
        });
        let now = as_of + chrono::Duration::hours(2);
        let before = company.changes.last_seq();
        let owner = company.employees[1].id;
        let category = company.documents.categories[5].id;
        let id = company
            .create_document(
                NewDocument {
                    owner_id: owner,
                    category_id: category,
                    name: "Parking permit".into(),
                    date: None,
                    comment: String::new(),
                    bytes: Bytes::from_static(b"%PDF-1.4"),
                    file_name: "permit.pdf".into(),
                    media_type: "application/pdf",
                },
                now,
            )
            .unwrap();
        let unchanged = DocumentChanges {
            name: Some("Parking permit".into()),
            ..Default::default()
        };
        company.update_document(id, unchanged, now).unwrap();
        let renamed = DocumentChanges {
            name: Some("Parking permit 2026".into()),
            ..Default::default()
        };
        company.update_document(id, renamed, now).unwrap();
        company.delete_document(id, now).unwrap();
        let names: Vec<&str> = company.changes.since(before).map(|e| e.name).collect();
        assert_eq!(
            names,
            ["document.created", "document.updated", "document.deleted"],
            "a change to nothing records nothing"
        );
        assert!(company.document(id).is_none());
    }
}
