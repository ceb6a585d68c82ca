//! Applications handed to Personio's recruiting API (`POST /v1/recruiting/applications`,
//! personio-api.md §4.2) with the company's recruiting token and company id. Attachments
//! are uploaded first, one by one (`POST /v1/recruiting/applications/documents`, §4.3),
//! and referenced by the uuids Personio answers; an upload that is not followed by an
//! application is never shown anywhere, so uploading again is harmless.
//!
//! Personio answers an application with an empty 201, and v1 recruiting has no reads
//! (§4.5): the application is found, for the store and to resolve a lost answer, in the
//! v2 recruiting beta (`GET /v2/recruiting/applications?candidate.email=`, a filter one
//! live client sends, confidence L). Where that beta is not available, a lost answer is
//! resolved by sending again: Personio refuses a second application of the same email to
//! the same job (`errors.applicant-already-exists`), so that refusal after an earlier send
//! means the earlier one landed.
//!
//! Checked before sending: names, the email's form, the job id, dates, file types and
//! sizes (20 MB, §4.3). Jobs, channels, postings and attribute ids are Personio's to
//! judge: its reason codes come back with its refusal.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::document::Attachment;
use super::fields::{FieldError, Fields, bounded_text, text};

/// Largest attachment the recruiting API takes (§4.3).
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;
/// File types the recruiting API takes (§4.3).
pub const ATTACHMENT_TYPES: &[&str] = &[
    "pdf", "pptx", "xlsx", "docx", "doc", "xls", "ppt", "ods", "odt", "7z", "gz", "rar", "zip",
    "bmp", "gif", "jpg", "png", "tif", "csv", "txt", "rtf", "mp4", "3gp", "mov", "avi", "wmv",
];
/// Attachment categories, as Personio names them; a file part's name is its category.
pub const ATTACHMENT_CATEGORIES: &[&str] = &[
    "cv",
    "cover-letter",
    "employment-reference",
    "certificate",
    "work-sample",
    "other",
];
/// Personio's reason for a second application of an email to a job.
pub(crate) const ALREADY_APPLIED: &str = "errors.applicant-already-exists";
/// Applicant attributes Personio knows by name (§4.2).
const STANDARD_ATTRIBUTES: &[&str] = &[
    "phone",
    "location",
    "birthday",
    "gender",
    "available_from",
    "salary_expectations",
];
const FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "email",
    "job_id",
    "message",
    "application_date",
    "channel_id",
    "external_posting_id",
    "tags",
    "phone",
    "location",
    "birthday",
    "gender",
    "available_from",
    "salary_expectations",
    "attributes",
];

/// An application to hand over, with its attachments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewApplication {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub job_id: i64,
    /// The other fields, in Personio's words, as sent.
    pub extra: Map<String, Value>,
    /// Each attachment with its category.
    pub files: Vec<(String, Attachment)>,
}

fn date(field: &str, value: Value) -> Result<String, FieldError> {
    let raw = text(field, value)?;
    chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map(|d| d.to_string())
        .map_err(|_| FieldError::new(field, "must be a date such as 2027-01-31"))
}

fn positive(field: &str, value: Value) -> Result<i64, FieldError> {
    let id = match &value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    id.filter(|id| *id > 0)
        .ok_or_else(|| FieldError::new(field, "must be a whole number (an id)"))
}

impl NewApplication {
    /// Reads an application body and its attachments (`(category, attachment)`).
    pub fn from_json(
        body: Value,
        files: Vec<(String, Attachment)>,
    ) -> Result<NewApplication, FieldError> {
        let mut fields = Fields::of(body)?;
        let name = bounded_text(255);
        let first_name = fields.required("first_name", &name)?.trim().to_owned();
        let last_name = fields.required("last_name", &name)?.trim().to_owned();
        for (field, value) in [("first_name", &first_name), ("last_name", &last_name)] {
            if value.is_empty() {
                return Err(FieldError::new(field, "must not be empty"));
            }
        }
        let email = fields.required("email", &name)?.trim().to_owned();
        if !super::employee::looks_like_email(&email) {
            return Err(FieldError::new("email", "must be an email address"));
        }
        let job_id = fields.required("job_id", positive)?;
        let mut extra = Map::new();
        if let Some(message) = fields.optional("message", bounded_text(10_000))? {
            extra.insert("message".into(), Value::String(message));
        }
        if let Some(day) = fields.optional("application_date", date)? {
            if day > chrono::Utc::now().date_naive().to_string() {
                return Err(FieldError::new(
                    "application_date",
                    "must not be in the future",
                ));
            }
            extra.insert("application_date".into(), Value::String(day));
        }
        if let Some(channel) = fields.optional("channel_id", positive)? {
            extra.insert("recruiting_channel_id".into(), Value::from(channel));
        }
        if let Some(posting) = fields.optional("external_posting_id", &name)? {
            extra.insert("external_posting_id".into(), Value::String(posting));
        }
        if let Some(tags) = fields.optional("tags", |field, value| match value {
            Value::Array(items) if items.iter().all(Value::is_string) => Ok(items),
            _ => Err(FieldError::new(field, "must be a list of texts")),
        })? {
            extra.insert("tags".into(), Value::Array(tags));
        }
        let mut attributes = Vec::new();
        for field in STANDARD_ATTRIBUTES {
            let read = |field: &str, value: Value| match field {
                "birthday" | "available_from" => date(field, value),
                "gender" => {
                    let gender = text(field, value)?.trim().to_ascii_lowercase();
                    if ["male", "female", "diverse", "undefined"].contains(&gender.as_str()) {
                        Ok(gender)
                    } else {
                        Err(FieldError::new(
                            field,
                            "must be one of male, female, diverse, undefined",
                        ))
                    }
                }
                _ => bounded_text(255)(field, value),
            };
            if let Some(value) = fields.optional(field, read)? {
                attributes.push(json!({ "id": field, "value": value }));
            }
        }
        if let Some(custom) = fields.optional("attributes", |field, value| match value {
            Value::Object(map) => Ok(map),
            _ => Err(FieldError::new(
                field,
                "must be an object of custom_attribute_<n> ids and their values",
            )),
        })? {
            for (id, value) in custom {
                if !id.starts_with("custom_attribute_") || value.is_null() || value.is_object() {
                    return Err(FieldError::new(
                        format!("attributes.{id}"),
                        "must be named custom_attribute_<n> and have a value",
                    ));
                }
                attributes.push(json!({ "id": id, "value": value }));
            }
        }
        if !attributes.is_empty() {
            extra.insert("attributes".into(), Value::Array(attributes));
        }
        fields.finish(FIELDS)?;
        Ok(NewApplication {
            first_name,
            last_name,
            email,
            job_id,
            extra,
            files,
        })
    }

    /// Personio's body, with the uuids of the uploaded attachments.
    pub(crate) fn body(&self, uploaded: &[(String, String, String)]) -> Value {
        let mut body = self.extra.clone();
        body.insert("first_name".into(), json!(self.first_name));
        body.insert("last_name".into(), json!(self.last_name));
        body.insert("email".into(), json!(self.email));
        body.insert("job_position_id".into(), json!(self.job_id));
        if !uploaded.is_empty() {
            let files: Vec<Value> = uploaded
                .iter()
                .map(|(uuid, name, category)| {
                    json!({ "uuid": uuid, "original_filename": name, "category": category })
                })
                .collect();
            body.insert("files".into(), Value::Array(files));
        }
        Value::Object(body)
    }

    /// The id the bridge knows the application by until Personio's recruiting beta shows
    /// it: job and email, which Personio keeps unique.
    pub(crate) fn natural_id(&self) -> String {
        format!("job-{}:{}", self.job_id, self.email.to_ascii_lowercase())
    }

    /// Whether a v2 recruiting application is this one.
    pub(crate) fn is(&self, application: &personio_api::v2::recruiting::Application) -> bool {
        application
            .candidate
            .email
            .eq_ignore_ascii_case(&self.email)
            && application.job.id.trim() == self.job_id.to_string()
    }
}

/// The category of a file part, by its name (`cover_letter` and `cover-letter` alike).
pub fn attachment_category(part: &str) -> Option<&'static str> {
    let wanted = part.trim().to_ascii_lowercase().replace('_', "-");
    ATTACHMENT_CATEGORIES.iter().copied().find(|c| *c == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn an_application_is_read_and_sent_in_personios_words() {
        let cv = Attachment::new(
            "cv",
            "cv.pdf",
            Bytes::from_static(b"%PDF"),
            ATTACHMENT_TYPES,
            MAX_ATTACHMENT_BYTES,
        )
        .unwrap();
        let new = NewApplication::from_json(
            json!({"first_name": "Grace", "last_name": "Hopper", "email": "g@example.com",
                   "job_id": "12", "phone": "+49 1", "attributes": {"custom_attribute_3": "x"}}),
            vec![("cv".into(), cv)],
        )
        .unwrap();
        let body = new.body(&[("u-1".into(), "cv.pdf".into(), "cv".into())]);
        assert_eq!(body["job_position_id"], 12);
        assert_eq!(
            body["attributes"][0],
            json!({"id": "phone", "value": "+49 1"})
        );
        assert_eq!(body["attributes"][1]["id"], "custom_attribute_3");
        assert_eq!(body["files"][0]["uuid"], "u-1");
        let field = |body: Value| {
            NewApplication::from_json(body, Vec::new())
                .unwrap_err()
                .field
        };
        assert_eq!(
            field(json!({"first_name": "G", "last_name": "H", "job_id": 1})),
            "email"
        );
        assert_eq!(
            field(json!({"first_name": "G", "last_name": "H", "email": "g@x.de", "job_id": "x"})),
            "job_id"
        );
        assert_eq!(
            field(
                json!({"first_name": "G", "last_name": "H", "email": "g@x.de", "job_id": 1,
                         "attributes": {"shoe": 1}})
            ),
            "attributes.shoe"
        );
        assert_eq!(attachment_category("Cover_Letter"), Some("cover-letter"));
        assert_eq!(attachment_category("photo"), None);
    }
}
