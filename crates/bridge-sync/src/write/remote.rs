//! The Personio side of a write: the one request it sends, the read that tells what became
//! of a request whose answer was lost, and the read of the written record, turned into the
//! row a sync would store (read from a listing, so the bytes are the ones a sync sees and
//! the next sync finds the record unchanged).

use bridge_store::{Key, Row};
use personio_api::v2;
use personio_client::endpoints::paths;
use personio_client::{ApiErrorBody, Client, Record};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::application::NewApplication;
use super::decide::Found;
use super::document::NewDocument;
use super::multipart::{Part, encode, media_type};
use super::{Intent, Refusal, employee};
use crate::resources::documents::document_row;
use crate::resources::employees_v1::employee_row;
use crate::resources::projects::project_row;
use crate::resources::recruiting::{Applications, RecruitingList};
use crate::resources::time::{absence_row, attendance_row, person_of};
use personio_api::v1;
use personio_client::endpoints::EMPLOYEES_V1;
use reqwest::Method;
use serde_json::{Value, json};

/// What a send came to.
pub(crate) enum Sent {
    /// 2xx, with the created record's id where Personio names it.
    Accepted(Option<String>),
    Refused(Box<Refusal>),
    /// Certainly not acted on; worth trying later.
    Later(String),
    /// Perhaps acted on.
    Ambiguous(String),
}

/// A record read back from Personio, as the store keeps it (or gone again).
pub(crate) enum Fetched {
    Record { id: String, row: Row },
    Gone(String),
}

impl Fetched {
    pub(crate) fn id(&self) -> &str {
        match self {
            Fetched::Record { id, .. } | Fetched::Gone(id) => id,
        }
    }
}

/// `?skip_approval=true` when asked for (Personio's v2 default is to wait for approval).
fn approval(skip: bool) -> &'static str {
    if skip { "?skip_approval=true" } else { "" }
}

/// One request to Personio (the client repeats only what is safe: 429s).
pub(crate) async fn send(client: &Client, intent: &Intent) -> Sent {
    let answer = match intent {
        Intent::CreateAttendance(new) => {
            let path = format!("{}{}", paths::ATTENDANCE_PERIODS, approval(new.confirmed));
            created(client, &path, &new.body()).await
        }
        Intent::UpdateAttendance { id, changes } => {
            let path = format!(
                "{}/{}{}",
                paths::ATTENDANCE_PERIODS,
                segment(id),
                approval(changes.confirmed)
            );
            client
                .patch_json(&path, &changes.body())
                .await
                .map(|_| None)
        }
        Intent::DeleteAttendance { id } => client
            .delete(&format!("{}/{}", paths::ATTENDANCE_PERIODS, segment(id)))
            .await
            .map(|_| None),
        Intent::CreateAbsence(new) => {
            let path = format!("{}{}", paths::ABSENCE_PERIODS, approval(new.approved));
            created(client, &path, &new.body()).await
        }
        Intent::DeleteAbsence { id } => client
            .delete(&format!("{}/{}", paths::ABSENCE_PERIODS, segment(id)))
            .await
            .map(|_| None),
        Intent::CreateProject(new) => created(client, paths::PROJECTS, &new.body()).await,
        Intent::UpdateProject { id, changes } => client
            .patch_json(
                &format!("{}/{}", paths::PROJECTS, segment(id)),
                &changes.body(),
            )
            .await
            .map(|_| None),
        Intent::DeleteProject { id } => client
            .delete(&format!("{}/{}", paths::PROJECTS, segment(id)))
            .await
            .map(|_| None),
        Intent::CreateEmployee(new) => {
            let body = match employee_body(client, &new.fields).await {
                Ok(body) => body,
                Err(sent) => return sent,
            };
            client
                .post_json::<Value>(EMPLOYEES_V1, &body)
                .await
                .map(|answer| v1_created_id(&answer))
        }
        Intent::UpdateEmployee { id, fields } => {
            let body = match employee_body(client, fields).await {
                Ok(body) => body,
                Err(sent) => return sent,
            };
            client
                .patch_json(&format!("{EMPLOYEES_V1}/{}", segment(id)), &body)
                .await
                .map(|_| None)
        }
        Intent::UploadDocument(new) => return upload_document(client, new).await,
        Intent::CreateApplication(new) => return submit_application(client, new).await,
    };
    match answer {
        Ok(Some(id)) => Sent::Accepted(Some(id)),
        Ok(None) => match intent.target() {
            Some(id) => Sent::Accepted(Some(id.to_owned())),
            // A create's answer must name the record; without it, find the record by reading.
            None => Sent::Ambiguous("Personio accepted the create without naming its id".into()),
        },
        Err(error) => judge(error),
    }
}

async fn created(
    client: &Client,
    path: &str,
    body: &impl serde::Serialize,
) -> Result<Option<String>, personio_client::Error> {
    client
        .post_json::<Option<v2::Created>>(path, body)
        .await
        .map(|created| created.map(|c| c.id))
}

/// Reads Personio for the write's effect; with the record, when it shows it.
pub(crate) async fn resolve(
    client: &Client,
    intent: &Intent,
) -> Result<(Found, Option<Fetched>), String> {
    match intent {
        Intent::CreateAttendance(new) => {
            let found =
                list::<v2::AttendancePeriod>(client, paths::ATTENDANCE_PERIODS, &new.lookup())
                    .await?
                    .into_iter()
                    .find(|p| new.is(&p.value));
            match found {
                Some(record) => Ok((Found::Applied, Some(attendance(&record)?))),
                None => Ok((Found::Absent, None)),
            }
        }
        Intent::CreateAbsence(new) => {
            let found = list::<v2::AbsencePeriod>(client, paths::ABSENCE_PERIODS, &new.lookup())
                .await?
                .into_iter()
                .find(|a| new.is(&a.value));
            match found {
                Some(record) => Ok((Found::Applied, Some(absence(&record)?))),
                None => Ok((Found::Absent, None)),
            }
        }
        Intent::UpdateAttendance { id, changes } => {
            let record =
                by_id::<v2::AttendancePeriod>(client, paths::ATTENDANCE_PERIODS, id).await?;
            match record {
                Some(record) if changes.shown_by(&record.value) => {
                    Ok((Found::Applied, Some(attendance(&record)?)))
                }
                // Not changed, or gone: sending the change again gets Personio's own answer.
                _ => Ok((Found::Absent, None)),
            }
        }
        Intent::CreateProject(new) => {
            let found = list::<v2::Project>(client, paths::PROJECTS, &new.lookup())
                .await?
                .into_iter()
                .find(|p| Some(&p.value.name) == new.name.as_ref());
            match found {
                Some(record) => Ok((Found::Applied, Some(project(&record)?))),
                None => Ok((Found::Absent, None)),
            }
        }
        Intent::UpdateProject { id, changes } => {
            match by_id::<v2::Project>(client, paths::PROJECTS, id).await? {
                Some(record) if changes.shown_by(&record.value) => {
                    Ok((Found::Applied, Some(project(&record)?)))
                }
                _ => Ok((Found::Absent, None)),
            }
        }
        Intent::DeleteAttendance { id }
        | Intent::DeleteAbsence { id }
        | Intent::DeleteProject { id } => {
            let path = intent.personio_path();
            Ok(match by_id::<serde_json::Value>(client, path, id).await? {
                None => (Found::Applied, None),
                Some(_) => (Found::Absent, None),
            })
        }
        // Personio keeps emails unique: an employee with this one is the one created.
        Intent::CreateEmployee(new) => {
            let body = client
                .get_raw(EMPLOYEES_V1, &[("email", new.email.clone())])
                .await
                .map_err(|e| e.to_string())?;
            let found = v1_employees(&body)?.into_iter().find(|e| {
                e.value
                    .text("email")
                    .is_some_and(|m| m.eq_ignore_ascii_case(&new.email))
            });
            match found {
                Some(record) => Ok((Found::Applied, Some(employee_fetched(&record)?))),
                None => Ok((Found::Absent, None)),
            }
        }
        Intent::UpdateEmployee { id, fields } => match employee_by_id(client, id).await? {
            Some(record) if employee::shown_by(fields, &record.value) => {
                Ok((Found::Applied, Some(employee_fetched(&record)?)))
            }
            _ => Ok((Found::Absent, None)),
        },
        Intent::UploadDocument(new) => match document_of(client, new, None).await? {
            Some(fetched) => Ok((Found::Applied, Some(fetched))),
            None => Ok((Found::Absent, None)),
        },
        // Without the recruiting beta nothing can be read; sending again is safe all the
        // same, as Personio refuses a second application of an email to a job.
        Intent::CreateApplication(new) => match application_of(client, new).await {
            Ok(Some(fetched)) => Ok((Found::Applied, Some(fetched))),
            Ok(None) | Err(_) => Ok((Found::Absent, None)),
        },
    }
}

/// The record `id` as Personio holds it now, when the write keeps a record.
pub(crate) async fn fetch(
    client: &Client,
    intent: &Intent,
    id: &str,
) -> Result<Option<Fetched>, String> {
    match intent {
        Intent::CreateAttendance(_) | Intent::UpdateAttendance { .. } => {
            by_id::<v2::AttendancePeriod>(client, paths::ATTENDANCE_PERIODS, id)
                .await?
                .map(|r| attendance(&r))
                .transpose()
        }
        Intent::CreateAbsence(_) => by_id::<v2::AbsencePeriod>(client, paths::ABSENCE_PERIODS, id)
            .await?
            .map(|r| absence(&r))
            .transpose(),
        Intent::CreateProject(_) | Intent::UpdateProject { .. } => {
            by_id::<v2::Project>(client, paths::PROJECTS, id)
                .await?
                .map(|r| project(&r))
                .transpose()
        }
        Intent::CreateEmployee(_) | Intent::UpdateEmployee { .. } => employee_by_id(client, id)
            .await?
            .map(|r| employee_fetched(&r))
            .transpose(),
        Intent::UploadDocument(new) => document_of(client, new, Some(id)).await,
        // The recruiting beta may be off for the company: then nothing is stored now.
        Intent::CreateApplication(new) => Ok(application_of(client, new).await.unwrap_or(None)),
        Intent::DeleteAttendance { .. }
        | Intent::DeleteAbsence { .. }
        | Intent::DeleteProject { .. } => Ok(None),
    }
}

/// Personio's v1 employee body, with custom attribute labels turned into keys (the
/// credential's attribute list is read only when the write names custom attributes).
async fn employee_body(
    client: &Client,
    fields: &serde_json::Map<String, Value>,
) -> Result<Value, Sent> {
    let definitions = if fields.contains_key("custom_attributes") {
        client
            .employee_attributes()
            .await
            .map_err(|e| Sent::Later(format!("reading the employee attributes: {e}")))?
    } else {
        Vec::new()
    };
    employee::body(fields, &definitions).map_err(|e| {
        Sent::Refused(Box::new(Refusal {
            status: 422,
            message: e.to_string(),
            code: None,
            personio: None,
        }))
    })
}

/// The id in v1's `{"success": true, "data": {"id": 81723}}`.
fn v1_created_id(answer: &Value) -> Option<String> {
    match &answer["data"]["id"] {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// v1 employees of a list answer, each with its bytes.
fn v1_employees(body: &[u8]) -> Result<Vec<Record<v1::Employee>>, String> {
    #[derive(Deserialize)]
    struct List {
        data: Vec<Box<RawValue>>,
    }
    let list: List = serde_json::from_slice(body)
        .map_err(|e| format!("Personio's employee list could not be read: {e}"))?;
    list.data
        .into_iter()
        .map(|raw| {
            Ok(Record {
                value: serde_json::from_str(raw.get()).map_err(|e| e.to_string())?,
                raw,
            })
        })
        .collect()
}

/// One v1 employee, as the list shows it (`None`: Personio has no such employee).
async fn employee_by_id(client: &Client, id: &str) -> Result<Option<Record<v1::Employee>>, String> {
    #[derive(Deserialize)]
    struct One {
        data: Box<RawValue>,
    }
    let body = match client
        .get_raw(&format!("{EMPLOYEES_V1}/{}", segment(id)), &[])
        .await
    {
        Ok(body) => body,
        Err(personio_client::Error::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let one: One = serde_json::from_slice(&body)
        .map_err(|e| format!("Personio's employee could not be read: {e}"))?;
    Ok(Some(Record {
        value: serde_json::from_str(one.data.get()).map_err(|e| e.to_string())?,
        raw: one.data,
    }))
}

fn employee_fetched(record: &Record<v1::Employee>) -> Result<Fetched, String> {
    let id = record.value.id().ok_or("Personio's employee has no id")?.0;
    let updated = crate::resources::instant(record.value.text("last_modified_at").as_deref());
    let row = employee_row(id, record, updated).map_err(|e| e.to_string())?;
    Ok(Fetched::Record {
        id: id.to_string(),
        row,
    })
}

/// The uploaded document among its owner's (by id when Personio named one, else by name,
/// category and size).
async fn document_of(
    client: &Client,
    new: &NewDocument,
    id: Option<&str>,
) -> Result<Option<Fetched>, String> {
    let filters = [
        ("owner_id", new.employee_id.to_string()),
        ("limit", "100".to_owned()),
    ];
    let documents = list::<v2::Document>(client, paths::DOCUMENTS, &filters).await?;
    let found = documents
        .iter()
        .find(|d| Some(d.value.id.as_str()) == id)
        .or_else(|| documents.iter().find(|d| new.is(&d.value)));
    found
        .map(|record| {
            Ok(Fetched::Record {
                id: record.value.id.clone(),
                row: document_row(record).map_err(|e| e.to_string())?,
            })
        })
        .transpose()
}

/// The application in the recruiting beta, by the candidate's email and the job.
async fn application_of(client: &Client, new: &NewApplication) -> Result<Option<Fetched>, String> {
    let filters = [("candidate.email", new.email.clone())];
    let found =
        list::<v2::recruiting::Application>(client, paths::RECRUITING_APPLICATIONS, &filters)
            .await?
            .into_iter()
            .find(|a| new.is(&a.value));
    found
        .map(|record| {
            Ok(Fetched::Record {
                id: record.value.id.clone(),
                row: Applications.row(&record).map_err(|e| e.to_string())?,
            })
        })
        .transpose()
}

/// `POST /v1/company/documents`, multipart, once.
async fn upload_document(client: &Client, new: &NewDocument) -> Sent {
    let Some(bytes) = new.file.bytes() else {
        return Sent::Later(
            "the file is not at hand (it is never journalled): send the upload again with the same Idempotency-Key".into(),
        );
    };
    let mut parts = vec![
        Part::Text("title", new.title.clone()),
        Part::Text("employee_id", new.employee_id.to_string()),
        Part::Text("category_id", new.category_id.to_string()),
    ];
    if let Some(date) = &new.date {
        parts.push(Part::Text("date", date.clone()));
    }
    if let Some(comment) = &new.comment {
        parts.push(Part::Text("comment", comment.clone()));
    }
    parts.push(Part::File {
        name: "file",
        file_name: &new.file.file_name,
        content_type: media_type(&new.file.file_name),
        bytes,
    });
    let (content_type, body) = encode(&parts);
    match raw_send(client, paths::DOCUMENTS_V1, content_type, body).await {
        Ok(answer) => {
            let answer: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
            match v1_created_id(&answer) {
                Some(id) => Sent::Accepted(Some(id)),
                None => {
                    Sent::Ambiguous("Personio accepted the upload without naming its id".into())
                }
            }
        }
        Err(sent) => sent,
    }
}

/// Each attachment uploaded, then the application sent, once.
async fn submit_application(client: &Client, new: &NewApplication) -> Sent {
    let mut uploaded = Vec::with_capacity(new.files.len());
    for (category, file) in &new.files {
        let Some(bytes) = file.bytes() else {
            return Sent::Later(
                "the attachments are not at hand (they are never journalled): send the application again with the same Idempotency-Key".into(),
            );
        };
        let (content_type, body) = encode(&[Part::File {
            name: "file",
            file_name: &file.file_name,
            content_type: media_type(&file.file_name),
            bytes,
        }]);
        // An upload is not an application: when it fails, nothing was applied yet.
        let answer =
            match raw_send(client, paths::RECRUITING_DOCUMENTS_V1, content_type, body).await {
                Ok(answer) => answer,
                Err(Sent::Ambiguous(why)) => {
                    return Sent::Later(format!("uploading {}: {why}", file.file_name));
                }
                Err(other) => return other,
            };
        let answer: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
        let Some(uuid) = answer["uuid"].as_str() else {
            return Sent::Later(format!("Personio named no uuid for {}", file.file_name));
        };
        uploaded.push((uuid.to_owned(), file.file_name.clone(), category.clone()));
    }
    let body = match serde_json::to_vec(&new.body(&uploaded)) {
        Ok(body) => body,
        Err(e) => return Sent::Later(e.to_string()),
    };
    match raw_send(
        client,
        paths::RECRUITING_APPLICATIONS_V1,
        "application/json".into(),
        body,
    )
    .await
    {
        Ok(_) => Sent::Accepted(Some(new.natural_id())),
        Err(sent) => sent,
    }
}

/// One POST whose answer is read here (uploads, and the recruiting API, whose refusals
/// carry reason codes per field): the body of a 2xx, or what the answer means.
async fn raw_send(
    client: &Client,
    path: &str,
    content_type: String,
    body: Vec<u8>,
) -> Result<bytes::Bytes, Sent> {
    let answer = client
        .passthrough(Method::POST, path, &[], Some((content_type, body)))
        .await
        .map_err(judge)?;
    match answer.status {
        200..=299 => Ok(answer.body),
        429 => Err(Sent::Later("Personio asked to wait (429)".into())),
        status @ 400..=499 => Err(Sent::Refused(Box::new(raw_refusal(status, &answer.body)))),
        status => Err(Sent::Ambiguous(format!("Personio answered {status}"))),
    }
}

/// Personio's refusal from its body: v1's `{"error": {"message", "code"}}`, or the
/// recruiting API's `{"errors": [{"field", "errors": [{"reason"}]}]}` (its reason codes).
fn raw_refusal(status: u16, body: &[u8]) -> Refusal {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let (message, code) = match &parsed {
        Some(v) if v["error"].is_object() => (
            v["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            match &v["error"]["code"] {
                Value::Null => None,
                code => Some(code.to_string().trim_matches('"').to_owned()),
            },
        ),
        Some(v) if v["errors"].is_array() => {
            let mut reasons = Vec::new();
            let mut said = Vec::new();
            for entry in v["errors"].as_array().into_iter().flatten() {
                let field = entry["field"].as_str().unwrap_or_default();
                for error in entry["errors"].as_array().into_iter().flatten() {
                    if let Some(reason) = error["reason"].as_str() {
                        reasons.push(reason.to_owned());
                        said.push(format!("{field}: {reason}"));
                    }
                }
                if let Some(title) = entry["title"].as_str() {
                    reasons.push(title.to_owned());
                    said.push(entry["detail"].as_str().unwrap_or(title).to_owned());
                }
            }
            (said.join("; "), reasons.first().cloned())
        }
        _ => (
            String::from_utf8_lossy(body).chars().take(200).collect(),
            None,
        ),
    };
    Refusal {
        status,
        message: if message.is_empty() {
            format!("Personio refused the write ({status})")
        } else {
            message
        },
        code,
        personio: parsed.map(|p| json!(p)),
    }
}

fn attendance(record: &Record<v2::AttendancePeriod>) -> Result<Fetched, String> {
    let employee =
        person_of("attendance period", &record.value.person.id).map_err(|e| e.to_string())?;
    let id = record.value.id.clone();
    let row = attendance_row(record, Key::Text(id.clone()), employee).map_err(|e| e.to_string())?;
    Ok(Fetched::Record { id, row })
}

fn absence(record: &Record<v2::AbsencePeriod>) -> Result<Fetched, String> {
    let employee =
        person_of("absence period", &record.value.person.id).map_err(|e| e.to_string())?;
    let id = record.value.id.clone();
    let row = absence_row(record, Key::Text(id.clone()), employee).map_err(|e| e.to_string())?;
    Ok(Fetched::Record { id, row })
}

/// Records by id, as a listing shows them, keyed by id (those Personio no longer has are
/// left out). One request for up to [`super::READ_BACK_BATCH`] ids.
pub(crate) async fn fetch_many(
    client: &Client,
    intent: &Intent,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, Fetched>, String> {
    let mut filters: Vec<(&str, String)> = ids.iter().map(|id| ("id", (*id).to_owned())).collect();
    filters.push(("limit", "100".to_owned()));
    let path = intent.personio_path();
    let fetched: Vec<Fetched> = if path == paths::PROJECTS {
        list::<v2::Project>(client, path, &filters)
            .await?
            .iter()
            .map(project)
            .collect::<Result<_, _>>()?
    } else if path == paths::ABSENCE_PERIODS {
        list::<v2::AbsencePeriod>(client, path, &filters)
            .await?
            .iter()
            .map(absence)
            .collect::<Result<_, _>>()?
    } else {
        list::<v2::AttendancePeriod>(client, path, &filters)
            .await?
            .iter()
            .map(attendance)
            .collect::<Result<_, _>>()?
    };
    Ok(fetched
        .into_iter()
        .map(|f| (f.id().to_owned(), f))
        .collect())
}

fn project(record: &Record<v2::Project>) -> Result<Fetched, String> {
    let row = project_row(record).map_err(|e| e.to_string())?;
    Ok(Fetched::Record {
        id: record.value.id.clone(),
        row,
    })
}

/// A record by id, as a listing shows it.
async fn by_id<T: DeserializeOwned + HasId>(
    client: &Client,
    path: &str,
    id: &str,
) -> Result<Option<Record<T>>, String> {
    Ok(list::<T>(client, path, &[("id", id.to_owned())])
        .await?
        .into_iter()
        .find(|r| r.value.id() == Some(id)))
}

/// One page of a v2 listing (the filters used here select a handful of records).
async fn list<T: DeserializeOwned>(
    client: &Client,
    path: &str,
    filters: &[(&str, String)],
) -> Result<Vec<Record<T>>, String> {
    let body = client
        .get_raw(path, filters)
        .await
        .map_err(|e| e.to_string())?;
    records(&body).map_err(|e| format!("Personio's listing could not be read: {e}"))
}

/// Records that know their id.
pub(crate) trait HasId {
    fn id(&self) -> Option<&str>;
}

impl HasId for v2::AttendancePeriod {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
}

impl HasId for v2::AbsencePeriod {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
}

impl HasId for v2::Project {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
}

impl HasId for serde_json::Value {
    fn id(&self) -> Option<&str> {
        self.get("id").and_then(serde_json::Value::as_str)
    }
}

/// What a failed send means for the journal.
fn judge(error: personio_client::Error) -> Sent {
    use personio_client::Error as E;
    let why = error.to_string();
    let refused = |status: u16, message: String| {
        Sent::Refused(Box::new(Refusal {
            status,
            message,
            code: None,
            personio: None,
        }))
    };
    match error {
        E::Api { status, body, .. } if status.is_client_error() => {
            Sent::Refused(Box::new(refusal(status.as_u16(), &body)))
        }
        E::MissingScope { .. } | E::MissingArea { .. } => refused(403, why),
        E::NotFound { .. } => refused(404, "Personio has no such record".into()),
        // Nothing reached Personio, or it refused to look: safe to send later.
        E::RateLimited { .. } | E::Unreachable { .. } | E::BadCredentials { .. } | E::Config(_) => {
            Sent::Later(why)
        }
        // It may have acted: a 5xx, no answer in time, a broken or mangled answer.
        _ => Sent::Ambiguous(why),
    }
}

fn refusal(status: u16, body: &ApiErrorBody) -> Refusal {
    let (code, personio) = match body {
        ApiErrorBody::Problem(problem) => (
            problem.errors.first().and_then(|e| e.kind.clone()),
            serde_json::to_value(problem).ok(),
        ),
        ApiErrorBody::V1(v1) => (
            Some(v1.error.code.to_string()),
            serde_json::to_value(v1).ok(),
        ),
        ApiErrorBody::OAuth(oauth) => (Some(oauth.error.clone()), serde_json::to_value(oauth).ok()),
        ApiErrorBody::Other(_) => (None, None),
    };
    Refusal {
        status,
        message: body.message(),
        code,
        personio,
    }
}

/// An id as one path segment (ids are checked; this keeps a stray character harmless).
fn segment(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

/// The items of a v2 page, each with its bytes.
fn records<T: DeserializeOwned>(body: &[u8]) -> Result<Vec<Record<T>>, serde_json::Error> {
    #[derive(Deserialize)]
    struct Page {
        #[serde(rename = "_data")]
        data: Vec<Box<RawValue>>,
    }
    let page: Page = serde_json::from_slice(body)?;
    page.data
        .into_iter()
        .map(|raw| {
            Ok(Record {
                value: serde_json::from_str(raw.get())?,
                raw,
            })
        })
        .collect()
}
